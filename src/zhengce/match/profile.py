"""Enterprise profiles: load JSON / YAML / CSV, validate against the fact vocabulary.

A field left out is *unknown* (a rule that needs it says so); `listing: null`
says the enterprise is not listed, `certifications: []` that it holds none.
Errors are one line naming the file (and CSV row), the field and the reason:

    profiles.csv:3: annual_revenue_wan: '30人' is not an amount in 万元
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .facts import BOOL, DATE, ENUM, FACTS, NUMBER, SET, TEXT, convert, fact


class ProfileError(ValueError):
    """A profile that does not validate; the message is one line: where: field: reason."""


# Words people write for enum values.
_ALIASES = {
    "kind": {"企业": "enterprise", "个体工商户": "individual_business", "个体户": "individual_business",
             "事业单位": "institution", "社会组织": "institution", "机构": "institution"},
    "vat_taxpayer": {"小规模纳税人": "small_scale", "小规模": "small_scale", "一般纳税人": "general", "一般": "general"},
    "size": {"大型": "large", "中型": "medium", "小型": "small", "微型": "micro"},
    "ownership": {"民营": "private", "私营": "private", "国有": "state", "外资": "foreign", "集体": "collective"},
    "listing_board": {"北京证券交易所": "北交所", "全国中小企业股份转让系统": "新三板", "区域性股权市场": "区域股权市场", "上交所主板": "主板", "深交所主板": "主板"},
}
_TRUE = {"true", "yes", "y", "1", "是", "有", "对"}
_FALSE = {"false", "no", "n", "0", "否", "无", "不是"}
_TOP = [n for n, f in FACTS.items() if f.profile_field and not n.startswith("listing_")] + ["listing", "facts"]
_NUMBER = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*([^\d\s]*)\s*$")


@dataclass
class Profile:
    """Validated facts of one enterprise: fact name → value (absent = unknown)."""

    values: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.values.get("name") or ""

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def known(self, name: str) -> bool:
        return name in self.values

    def to_dict(self) -> dict[str, Any]:
        """The profile in its file form (what `parse_profile` reads back)."""
        out: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for k, v in self.values.items():
            if k.startswith("listing_"):
                continue
            v = sorted(v) if isinstance(v, frozenset) else v
            if k in FACTS and FACTS[k].profile_field:
                out[k] = v
            else:
                extra[k] = v
        if "listing_board" in self.values:
            board = self.values["listing_board"]
            out["listing"] = None if board is None else {"board": board, "date": self.values.get("listing_date")}
        if extra:
            out["facts"] = extra
        return out


def known_fields() -> str:
    return ", ".join(_TOP)


def parse_profile(data: Any, where: str = "profile") -> Profile:
    """Validate one profile object (a mapping as in docs/match.md); ProfileError if it is wrong."""
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: a profile is an object of fields, not {type(data).__name__}")
    values: dict[str, Any] = {}
    for key, raw in data.items():
        key = str(key).strip()
        if key == "facts":
            if raw is None:
                continue
            if not isinstance(raw, dict):
                raise ProfileError(f"{where}: facts: an object of fact: value, not {type(raw).__name__}")
            for name, v in raw.items():
                name = str(name).strip()
                f = fact(name)
                if f is None:
                    known = ", ".join(n for n, x in FACTS.items() if not x.profile_field)
                    raise ProfileError(f"{where}: facts.{name}: unknown fact (known: {known}; or req:…, num:…, count:…, applies:… as a rule names it; see zhengce match --list-facts)")
                if f.profile_field:
                    raise ProfileError(f"{where}: facts.{name}: is a profile field, give it at the top level")
                _put(values, name, v, where, f"facts.{name}")
            continue
        if key == "listing":
            if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("", "none", "null", "无", "未上市")):
                if raw is None or raw.strip():
                    values["listing_board"] = None  # not listed: known
                continue
            if not isinstance(raw, dict):
                raise ProfileError(f"{where}: listing: an object {{board, date}} or null, not {raw!r}")
            bad = set(raw) - {"board", "date"}
            if bad:
                raise ProfileError(f"{where}: listing.{sorted(bad)[0]}: unknown field (known: board, date)")
            _put(values, "listing_board", raw.get("board"), where, "listing.board")
            if raw.get("date") is not None:
                _put(values, "listing_date", raw.get("date"), where, "listing.date")
            continue
        f = FACTS.get(key)
        if f is None or not f.profile_field or key.startswith("listing_"):
            raise ProfileError(f"{where}: {key}: unknown field (known: {known_fields()})")
        _put(values, key, raw, where, key)
    return Profile(values)


def _put(values: dict[str, Any], name: str, raw: Any, where: str, label: str) -> None:
    if raw is None:
        return  # unknown
    values[name] = _coerce(name, raw, where, label)


def _coerce(name: str, raw: Any, where: str, label: str) -> Any:
    f = fact(name)
    assert f is not None
    err = lambda reason: ProfileError(f"{where}: {label}: {reason}")  # noqa: E731
    if f.type == NUMBER:
        if isinstance(raw, bool):
            raise err(f"{raw!r} is not a number")
        if isinstance(raw, (int, float)):
            return float(raw)
        m = _NUMBER.match(str(raw).replace(",", "").replace("，", ""))
        if not m:
            raise err(f"{raw!r} is not a number{' in ' + f.unit if f.unit else ''}")
        value, unit = float(m.group(1)), m.group(2) or None
        try:
            return convert(value, unit, f.unit) if unit else value
        except ValueError:
            what = "an amount" if f.unit and f.unit.endswith("元") else "a value"
            raise err(f"{raw!r} is not {what} in {f.unit}") from None
    if f.type == BOOL:
        if isinstance(raw, bool):
            return raw
        s = str(raw).strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise err(f"{raw!r} is not true/false (是/否)")
    if f.type == ENUM:
        s = _ALIASES.get(name, {}).get(str(raw).strip(), str(raw).strip())
        if s not in f.choices:
            raise err(f"{raw!r} is not one of {', '.join(f.choices)}")
        return s
    if f.type == SET:
        items = raw if isinstance(raw, (list, tuple, set, frozenset)) else re.split(r"[、;；,，|]", str(raw))
        if not all(isinstance(x, (str, int, float)) for x in items):
            raise err("a list of words")
        return frozenset(str(x).strip() for x in items if str(x).strip())
    if f.type == DATE:
        s = raw.isoformat() if isinstance(raw, date) else str(raw).strip()
        try:
            return date.fromisoformat(s).isoformat()
        except ValueError:
            raise err(f"{raw!r} is not a date YYYY-MM-DD") from None
    if f.type == TEXT:
        if isinstance(raw, (dict, list)):
            raise err("text, not a list or object")
        return str(raw).strip()
    raise err(f"unsupported type {f.type}")


# -- files -------------------------------------------------------------------------


def load_profiles(path: str | Path) -> list[Profile]:
    """Every profile in a .json / .yaml / .yml / .csv file (a JSON or YAML file may hold one or a list)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ProfileError(f"{path}: cannot read ({e.strerror or e})") from None
    return parse_profiles_text(text, path.suffix.lower().lstrip("."), str(path))


def load_profile(path: str | Path) -> Profile:
    profiles = load_profiles(path)
    if len(profiles) != 1:
        raise ProfileError(f"{path}: holds {len(profiles)} profiles, expected one (use --enterprises for a register)")
    return profiles[0]


def parse_profiles_text(text: str, fmt: str, where: str = "profile") -> list[Profile]:
    if fmt == "csv":
        return _from_csv(text, where)
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        raise ProfileError(f"{where}: not valid {fmt.upper() or 'YAML'} ({str(e).splitlines()[0]})") from None
    if isinstance(data, list):
        return [parse_profile(d, f"{where}[{i}]") for i, d in enumerate(data)]
    return [parse_profile(data, where)]


def _from_csv(text: str, where: str) -> list[Profile]:
    """One profile per row; columns are field names, `listing.board`/`listing.date`, `facts.NAME`.
    An empty cell is unknown; `listing` = 无 says not listed."""
    reader = csv.DictReader(io.StringIO(text))
    out = []
    for i, row in enumerate(reader, start=2):  # line 1 is the header
        data: dict[str, Any] = {}
        for col, cell in row.items():
            if col is None:
                raise ProfileError(f"{where}:{i}: more cells than columns")
            col = col.strip()
            cell = (cell or "").strip()
            if col.startswith("facts."):
                if cell:
                    data.setdefault("facts", {})[col[6:]] = cell
            elif col.startswith("listing."):
                if cell:
                    data.setdefault("listing", {})[col[8:]] = cell
            elif col == "listing":
                if cell:
                    data["listing"] = None if cell in ("无", "none", "未上市") else {"board": cell}
            elif cell:
                data[col] = cell
            elif col not in _TOP:
                raise ProfileError(f"{where}:{i}: {col}: unknown field (known: {known_fields()})")
        out.append(parse_profile(data, f"{where}:{i}"))
    return out


def dump_profile(profile: Profile, fmt: str = "yaml") -> str:
    d = profile.to_dict()
    if fmt == "json":
        return json.dumps(d, ensure_ascii=False, indent=2)
    return yaml.safe_dump(d, allow_unicode=True, sort_keys=False)
