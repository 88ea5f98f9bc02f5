"""政策直达 for the web layer: the rule book of a request, citations that link
into the reader, enterprise registers from uploads, and the profile form.

The API (match_api.py) and the pages (match_pages.py) share these; the
matching itself is the library's (zhengce.match), called exactly as the CLI
calls it, so the web and `zhengce match --json` give the same objects.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from ..match import FACTS, Profile, ProfileError, Rule, RuleBook, parse_profiles_text
from ..match.batch import write_rows
from ..match.evaluate import _WORDS
from ..match.facts import fact
from ..read import limits
from ..store import Store
from .errors import ApiError
from .upload import clean_name

STATUSES = ("eligible", "unknown", "ineligible")
RULE_STATUSES = ("machine", "reviewed", "rejected", "stale", "needs_review")
REGISTER_SUFFIXES = (".csv", ".xlsx", ".json", ".yaml", ".yml")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- the rules of a request, with citations into the reader -----------------------------------


@dataclass
class Rules:
    """The rule book as loaded for one request, and where each rule's clause is stored now."""

    book: RuleBook
    _idents: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, store: Store) -> Rules:
        book = RuleBook.load(store)
        idents: dict[str, int] = {}
        for r in book:  # machine rules know their document's id; reviewed ones may predate a re-ingest
            if r.origin == "machine" and r.source.get("doc_id") is not None:
                idents[r.id.rsplit(":", 2)[0]] = r.source["doc_id"]
        for d in store.identities():
            if d["uid"] and (d["is_current"] or d["uid"] not in idents):
                idents[d["uid"]] = d["id"]
        return cls(book, idents)

    def get(self, rule_id: str) -> Rule:
        try:
            return self.book.get(rule_id)
        except KeyError:
            raise ApiError("not_found", f"no rule {rule_id!r}") from None

    def doc_id(self, rule: Rule | dict) -> int | None:
        """The stored document the rule cites (None: it is gone — a stale reviewed rule)."""
        src = rule.source if isinstance(rule, Rule) else rule["source"]
        origin = rule.origin if isinstance(rule, Rule) else rule.get("origin")
        if origin == "machine" and src.get("doc_id") is not None:
            return src["doc_id"]
        rule_id = rule.id if isinstance(rule, Rule) else rule.get("id", "")
        return self._idents.get(src.get("doc_uid") or rule_id.rsplit(":", 2)[0])

    def source(self, rule: Rule) -> dict[str, Any]:
        """The rule's citation with the document id the reader links to now."""
        return dict(rule.source, doc_id=self.doc_id(rule))

    def result(self, res) -> dict[str, Any]:
        """One match result as `zhengce match --json` prints it, doc_id resolved for reviewed rules."""
        d = res.to_dict()
        d["source"]["doc_id"] = self.doc_id(res.rule)
        return d


def rule_status(rule: Rule) -> str:
    if rule.review and rule.review.get("status") == "rejected":
        return "rejected"
    return "reviewed" if rule.origin == "reviewed" else "machine"


def rule_matches(rule: Rule, status: str | None, q: str | None) -> bool:
    if status == "stale" and not rule.stale:
        return False
    if status == "needs_review" and not (rule.notes and rule.origin == "machine"):
        return False
    if status in ("machine", "reviewed", "rejected") and rule_status(rule) != status:
        return False
    if q and not any(q in (s or "") for s in (rule.id, rule.title, rule.source.get("quote"))):
        return False
    return True


def rule_counts(rules: list[Rule]) -> dict[str, int]:
    return {s: sum(rule_matches(r, s, None) for r in rules) for s in RULE_STATUSES}


def summary(rules: Rules, r: Rule) -> dict[str, Any]:
    review = r.review or {}
    return {
        "id": r.id, "title": r.title, "status": rule_status(r), "stale": r.stale,
        "review_version": review.get("version"), "reviewer": review.get("by"), "reviewed_at": review.get("at"),
        "conditions": len(r.conditions), "benefit_kind": r.benefit.kind, "amount": r.benefit.amount, "cap": r.benefit.cap,
        "notes": r.notes, "source": rules.source(r),
    }


def as_of_date(raw: str | date | None) -> str:
    """A form's or query's as_of: empty is today; anything else must be a date."""
    if raw is None or raw == "":
        return date.today().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    try:
        return date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        raise ApiError("bad_request", f"as_of: {raw!r} is not a date YYYY-MM-DD") from None


def counts(results: list[dict[str, Any]]) -> dict[str, int]:
    return {s: sum(r["status"] == s for r in results) for s in STATUSES}


# -- enterprise registers (batch and reverse) ---------------------------------------------------


def read_register(raw_name: str | None, stream: BinaryIO, max_bytes: int) -> list[Profile]:
    """The enterprises of an uploaded register: CSV (UTF-8 or GB18030, as Excel saves it), XLSX
    (the first sheet, laid out like the CSV), JSON or YAML; errors name the file and row."""
    name = clean_name(raw_name) or "register"
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in REGISTER_SUFFIXES:
        raise ApiError("unsupported_type", f"{name}: unsupported register type {suffix or '(none)'!r}; accepted: {' '.join(REGISTER_SUFFIXES)}")
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ApiError("too_large", f"{name}: {limits.too_large(len(data), max_bytes)}")
    try:
        if suffix == ".xlsx":
            profiles = parse_profiles_text(_xlsx_as_csv(data, name), "csv", name)
        else:
            profiles = parse_profiles_text(_decode(data, name), suffix.lstrip("."), name)
    except ProfileError as e:
        raise ApiError("unprocessable", register_error_words(str(e))) from None
    if not profiles:
        raise ApiError("unprocessable", f"{name}：文件中没有企业档案")
    return profiles


def register_error_words(message: str) -> str:
    """`firms.csv:3: annual_revenue_wan: '30人' is not …` → `firms.csv 第3行：年营业收入…：“30人”不是…`."""
    where = message.split(": ", 1)[0]
    m = re.fullmatch(r"(.+):(\d+)", where)
    shown = f"{m.group(1)} 第{m.group(2)}行" if m else where
    return f"{shown}：" + profile_error_words(message).removeprefix("档案填写有误：")


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ApiError("unprocessable", f"{name}: not UTF-8 or GB18030 text")


def _xlsx_as_csv(data: bytes, name: str) -> str:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        raise ApiError("unprocessable", f"{name}: not an XLSX workbook ({type(e).__name__})") from None
    out = io.StringIO()
    w = csv.writer(out)
    for row in wb.worksheets[0].iter_rows(values_only=True):
        if any(c not in (None, "") for c in row):
            w.writerow([_cell(c) for c in row])
    wb.close()
    return out.getvalue()


def _cell(c: Any) -> str:
    if c is None:
        return ""
    if isinstance(c, bool):
        return "true" if c else "false"
    if isinstance(c, datetime):
        return c.date().isoformat()
    if isinstance(c, date):
        return c.isoformat()
    if isinstance(c, float) and c.is_integer():
        return str(int(c))
    return str(c)


def rows_file(rows: list[dict[str, Any]], fmt: str) -> bytes:
    """The push list (or reverse list) as CSV with BOM or XLSX, like `zhengce match -o`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"rows.{fmt}"
        write_rows(rows, path)
        return path.read_bytes()


# -- the profile form ---------------------------------------------------------------------------

NUMBER_FIELDS = ("annual_revenue_wan", "rd_expense_ratio", "employees", "total_investment_wan", "fixed_asset_investment_wan",
                 "monthly_sales_wan", "taxable_income_wan")
TEXT_FIELDS = ("name", "province", "city", "county")
BOOL_FIELDS = ("hq_in_province", "main_business_in_province")
# Facts asked often enough to get their own control (the rest go to 其他事实).
FORM_FACTS = ("size", "ownership", "industrial", "small_low_profit")
NO_LISTING = "无"
CERT_NONE = "none"


def label(name: str) -> str:
    f = fact(name)
    return f.label if f else name


def word(value: Any) -> str:
    """An enum code as people say it (企业, 小规模纳税人, 民营)."""
    return _WORDS.get(value, value) if isinstance(value, str) else str(value)


def certification_choices(book: RuleBook) -> list[str]:
    """Titles a firm can hold: the vocabulary's examples and every title a rule asks for
    (a rule's 省级以上… is a range, not a title one holds)."""
    examples = re.split(r"、", FACTS["certifications"].description.removeprefix("如 "))
    asked = [v for r in book.active() for c in _leaves(r.conditions) if c.fact == "certifications" for v in c.value]
    return list(dict.fromkeys(t.strip() for t in examples + asked if t.strip() and "以上" not in t))


def _leaves(conds):
    for c in conds:
        if c.group:
            yield from _leaves(c.group)
        else:
            yield c


def other_fact_choices(book: RuleBook) -> list[dict[str, Any]]:
    """The 其他事实 a form can state: the vocabulary's facts outside the form's own controls,
    then the rules' own (req:…, num:…), most asked first."""
    rows = [r for r in book.vocabulary().to_list() if not r["profile_field"] and r["name"] not in FORM_FACTS]
    return sorted(rows, key=lambda r: (r["name"].startswith(("req:", "num:", "count:", "applies:")), -r["rules"]))


@dataclass
class ProfileForm:
    """The profile form's values (what the page shows) and the profile object they make."""

    values: dict[str, str] = field(default_factory=dict)
    certifications: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def from_form(cls, form) -> ProfileForm:
        """From the posted form (a starlette FormData: repeated fields are lists)."""
        values = {k: str(v).strip() for k, v in form.items() if k not in ("certifications", "fact_name", "fact_value")}
        names, vals = form.getlist("fact_name"), form.getlist("fact_value")
        facts = [(str(n).strip(), str(v).strip()) for n, v in zip(names, vals) if str(n).strip()]
        return cls(values, [str(c) for c in form.getlist("certifications")], facts)

    @classmethod
    def from_profile(cls, profile: Profile, choices: list[str]) -> ProfileForm:
        d = profile.to_dict()
        values: dict[str, str] = {}
        for k in TEXT_FIELDS + NUMBER_FIELDS + ("kind", "vat_taxpayer"):
            if d.get(k) is not None:
                values[k] = _show(d[k])
        if d.get("industries") is not None:
            values["industries"] = "、".join(d["industries"])
        for k in BOOL_FIELDS:
            if k in d:
                values[k] = "是" if d[k] else "否"
        if "listing" in d:
            listing = d["listing"]
            values["listing_board"] = NO_LISTING if listing is None else listing["board"]
            if listing and listing.get("date"):
                values["listing_date"] = listing["date"]
        certs: list[str] = []
        if "certifications" in d:
            held = d["certifications"]
            certs = [c for c in held if c in choices]
            values["certifications_other"] = "、".join(c for c in held if c not in choices)
            if not held:
                certs = [CERT_NONE]
        facts = dict(d.get("facts") or {})
        for k in FORM_FACTS:
            if k in facts:
                v = facts.pop(k)
                values[k] = ("是" if v else "否") if isinstance(v, bool) else str(v)
        rows = [(k, _show(v)) for k, v in facts.items()]
        return cls(values, certs, rows)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def to_profile_dict(self) -> dict[str, Any]:
        """The profile object of docs/match.md; empty controls are left out (unknown)."""
        v = self.values
        data: dict[str, Any] = {}
        for k in TEXT_FIELDS + NUMBER_FIELDS + ("kind", "vat_taxpayer") + BOOL_FIELDS:
            if v.get(k):
                data[k] = v[k]
        if v.get("industries"):
            data["industries"] = [x for x in re.split(r"[、,，;；\s]+", v["industries"]) if x]
        held = [c for c in self.certifications if c != CERT_NONE]
        held += [x for x in re.split(r"[、,，;；]+", v.get("certifications_other", "")) if x.strip()]
        if held:
            data["certifications"] = list(dict.fromkeys(x.strip() for x in held))
        elif CERT_NONE in self.certifications:
            data["certifications"] = []
        board = v.get("listing_board")
        if board == NO_LISTING:
            data["listing"] = None
        elif board:
            data["listing"] = {"board": board, **({"date": v["listing_date"]} if v.get("listing_date") else {})}
        facts: dict[str, Any] = {}
        for k in FORM_FACTS:
            if v.get(k):
                facts[k] = v[k]
        for name, value in self.facts:
            if value:
                facts[name] = value  # the library reads 是/否, 1.5亿元, 甲、乙 as the fact's type
        if facts:
            data["facts"] = facts
        return data


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, list):
        return "、".join(map(str, v))
    return str(v)



_REASONS = [
    (re.compile(r"'(.*)' is not an amount in (\S+)"), lambda m: f"“{m[1]}”不是以{m[2]}计的金额"),
    (re.compile(r"'(.*)' is not a (?:number|value)(?: in (\S+))?"), lambda m: f"“{m[1]}”不是数字" + (f"（单位：{m[2]}）" if m[2] else "")),
    (re.compile(r"'(.*)' is not true/false"), lambda m: f"“{m[1]}”应填“是”或“否”"),
    (re.compile(r"'(.*)' is not one of (.*)"), lambda m: f"“{m[1]}”不是可选的值（{'、'.join(word(x) for x in m[2].split(', '))}）"),
    (re.compile(r"'(.*)' is not a date"), lambda m: f"“{m[1]}”不是日期（年-月-日）"),
    (re.compile(r"unknown fact"), lambda m: "不是已知的事实名称，请从列表中选择"),
    (re.compile(r"is a profile field"), lambda m: "是表单上方已有的栏目，请在那里填写"),
]


def profile_error_words(message: str) -> str:
    """A profile error as the form's user reads it: the field's Chinese name and the reason in Chinese
    (`档案: annual_revenue_wan: '30人' is not an amount in 万元` → 年营业收入…：“30人”不是以万元计的金额)."""
    rest = message.split(": ", 1)[1] if ": " in message else message
    name, _, reason = rest.partition(": ")
    name = name.removeprefix("facts.").replace("listing.", "listing_")
    for pattern, say in _REASONS:
        m = pattern.search(reason)
        if m:
            reason = say(m)
            break
    if fact(name) is None:
        shown = f"“{name}”"
    else:
        shown = label(name) + (f"（{name}）" if name.startswith(("req:", "num:", "count:", "applies:")) else "")
    return f"档案填写有误：{shown}：{reason}。"
