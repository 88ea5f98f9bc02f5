"""Rules: a benefit clause as a reviewable, evaluable statement.

A *machine* rule is derived from each stored `benefit` extraction.  Its id is
stable across re-ingest and independent of every other document — the
document's uid (store/identity.py), the outline node, and the clause's place
among the node's benefit clauses:

    d3f9a0c41b2e7d615:n19:2

An officer exports rules to YAML (docs/match.md), corrects them and imports
them as *reviewed* rules (store: `rule_reviews`, never overwritten — each import
is a new version).  A reviewed rule replaces the machine rule of the same id
(or adds one), and is flagged `stale` when the source clause it cites no longer
holds its quote.  Every extracted condition becomes a condition on a fact of
the vocabulary (facts.py); one that cannot be typed becomes a named boolean
fact (`req:按期投产`) so that the result says what is missing — a condition is
never dropped, since a dropped condition makes everyone eligible.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import yaml

from ..extract.numbers import quantities
from ..lang import PROVINCE_PATTERN, doc_jurisdiction, jurisdiction, province_named
from ..model import Document, Extraction
from .facts import BOARDS, EXTRACTED, FACTS, RATE_BASES, convert, fact

OPS = (">=", ">", "<=", "<", "=", "!=", "has", "not_has", "in", "not_in")


class RuleError(ValueError):
    """A rule file that does not validate; one line: where: field: reason."""


# -- the model -------------------------------------------------------------------------


@dataclass
class Condition:
    fact: str = ""
    op: str = "="
    value: Any = None  # a number, a list of tier thresholds, a word, a list of alternatives, true/false
    unit: str | None = None
    text: str = ""  # the clause's words it comes from
    first_time: bool = False  # 首次: the enterprise's previous best (prior_max_<fact>) had not met it
    value_fact: str | None = None  # compared with another fact (裁员率低于统筹地区登记失业率)
    any: list[Condition] | None = None  # alternatives: one of them must hold
    all: list[Condition] | None = None  # a conjunction (an alternative of several conditions)

    @property
    def group(self) -> list[Condition] | None:
        return self.any if self.any is not None else self.all

    def facts(self) -> list[str]:
        if self.group:
            return [f for c in self.group for f in c.facts()]
        out = [self.fact]
        if self.first_time:
            out.append(prior_fact(self.fact))
        if self.value_fact:
            out.append(self.value_fact)
        return out

    def to_dict(self) -> dict[str, Any]:
        if self.group:
            key = "any" if self.any is not None else "all"
            return {key: [c.to_dict() for c in self.group], **({"text": self.text} if self.text else {})}
        d: dict[str, Any] = {"fact": self.fact, "op": self.op, "value": self.value}
        if self.unit:
            d["unit"] = self.unit
        if self.first_time:
            d["first_time"] = True
        if self.value_fact:
            d["value_fact"] = self.value_fact
            d.pop("value", None)
        if self.text:
            d["text"] = self.text
        return d

    @classmethod
    def from_dict(cls, d: Any, where: str) -> Condition:
        if not isinstance(d, dict):
            raise RuleError(f"{where}: a condition is an object {{fact, op, value}}")
        for key in ("any", "all"):
            if key in d:
                parts = d[key]
                if not isinstance(parts, list) or not parts:
                    raise RuleError(f"{where}: {key}: a non-empty list of conditions")
                conds = [cls.from_dict(a, f"{where}.{key}[{i}]") for i, a in enumerate(parts)]
                return cls(text=str(d.get("text") or ""), **{key: conds})
        bad = set(d) - {"fact", "op", "value", "unit", "text", "first_time", "value_fact"}
        if bad:
            raise RuleError(f"{where}: {sorted(bad)[0]}: unknown key (known: fact, op, value, unit, text, first_time, value_fact, any, all)")
        name = str(d.get("fact") or "")
        f = fact(name)
        if f is None:
            raise RuleError(f"{where}: fact: unknown fact {name!r} (see zhengce match --list-facts; or req:…, num:…)")
        op = str(d.get("op") or "=")
        if op not in OPS:
            raise RuleError(f"{where}: op: {op!r} is not one of {' '.join(OPS)}")
        c = cls(name, op, d.get("value"), d.get("unit"), str(d.get("text") or ""), bool(d.get("first_time")), d.get("value_fact"))
        if c.value_fact is not None and fact(c.value_fact) is None:
            raise RuleError(f"{where}: value_fact: unknown fact {c.value_fact!r}")
        if f.type == "number" and c.value_fact is None:
            values = c.value if isinstance(c.value, list) else [c.value]
            if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                raise RuleError(f"{where}: value: {name} needs a number (or a list of tier numbers), not {c.value!r}")
            try:
                convert(1.0, c.unit, f.unit)
            except ValueError:
                raise RuleError(f"{where}: unit: {c.unit!r} does not convert to {f.unit} for {name}") from None
            if op in ("has", "not_has", "in", "not_in"):
                raise RuleError(f"{where}: op: {op} does not apply to the number {name}")
        if c.first_time and fact(prior_fact(name)) is None:
            raise RuleError(f"{where}: first_time: no prior fact {prior_fact(name)} for {name}")
        return c


def prior_fact(name: str) -> str:
    return "prior_max_" + name


@dataclass
class Benefit:
    kind: str = "其他"
    amount: dict | None = None  # {min, max, unit}: per unit when per_unit is set
    per_unit: str | None = None  # 品种 / 项目: the amount is per unit …
    count_fact: str | None = None  # … and this fact says how many units
    tier_amounts: list[dict] | None = None  # {min, max} per tier of the tiered condition (分别给予…)
    rate: float | None = None  # percent
    rate_base: str | None = None  # as written
    base_fact: str | None = None  # the fact holding the base
    base_from: float | None = None  # the rate applies to the part of the base above this …
    base_to: float | None = None  # … and up to this (in the base fact's unit)
    rate_is: str = "grant"  # grant: amount = rate × base; payable: what is still paid, saving = (100 − rate) × base
    up_to: bool = False  # 不超过50%: the rate is a ceiling
    cap: dict | None = None  # {value, unit, per}
    period: str | None = None  # 一次性 / 年 / 月

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        keep = {"kind", "amount", "cap"}
        return {k: v for k, v in d.items() if k in keep or (v not in (None, False, "grant"))}

    @classmethod
    def from_dict(cls, d: Any, where: str) -> Benefit:
        if d is None:
            return cls()
        if not isinstance(d, dict):
            raise RuleError(f"{where}: an object")
        names = {f for f in cls.__dataclass_fields__}
        bad = set(d) - names
        if bad:
            raise RuleError(f"{where}.{sorted(bad)[0]}: unknown key (known: {', '.join(sorted(names))})")
        b = cls(**d)
        for key in ("base_fact", "count_fact"):
            name = getattr(b, key)
            if name is not None and (fact(name) is None or fact(name).type != "number"):
                raise RuleError(f"{where}.{key}: {name!r} is not a number fact")
        if b.rate_is not in ("grant", "payable"):
            raise RuleError(f"{where}.rate_is: grant or payable, not {b.rate_is!r}")
        for key in ("amount",):
            a = getattr(b, key)
            if a is not None and (not isinstance(a, dict) or set(a) - {"min", "max", "unit"}):
                raise RuleError(f"{where}.{key}: an object {{min, max, unit}}")
        if b.cap is not None and (not isinstance(b.cap, dict) or "value" not in b.cap):
            raise RuleError(f"{where}.cap: an object {{value, unit, per}}")
        return b


@dataclass
class Rule:
    id: str
    title: str
    source: dict  # doc, doc_number, doc_key, doc_id, node, quote, line_start, line_end
    target_group: str | None = None
    conditions: list[Condition] = field(default_factory=list)
    benefit: Benefit = field(default_factory=Benefit)
    agencies: list[str] = field(default_factory=list)
    where_to_apply: str | None = None
    how_to_apply: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    origin: str = "machine"  # machine | reviewed
    review: dict | None = None  # {status: approved|rejected, by, at, note, version}
    stale: str | None = None  # why a reviewed rule's citation no longer holds
    notes: list[str] = field(default_factory=list)  # what a reviewer should look at

    @property
    def active(self) -> bool:
        return not (self.review and self.review.get("status") == "rejected")

    def facts(self) -> list[str]:
        out: list[str] = []
        for c in self.conditions:
            out += c.facts()
        b = self.benefit
        out += [x for x in (b.base_fact, b.count_fact) if x]
        return list(dict.fromkeys(out))

    def to_dict(self) -> dict[str, Any]:
        """The rule file form (docs/match.md)."""
        d: dict[str, Any] = {
            "id": self.id, "title": self.title, "source": self.source, "target_group": self.target_group,
            "conditions": [c.to_dict() for c in self.conditions], "benefit": self.benefit.to_dict(),
            "agencies": self.agencies, "where_to_apply": self.where_to_apply, "how_to_apply": self.how_to_apply,
            "valid_from": self.valid_from, "valid_to": self.valid_to, "origin": self.origin,
        }
        if self.review:
            d["review"] = self.review
        if self.stale:
            d["stale"] = self.stale
        if self.notes:
            d["notes"] = self.notes
        return d

    @classmethod
    def from_dict(cls, d: Any, where: str = "rule") -> Rule:
        if not isinstance(d, dict):
            raise RuleError(f"{where}: a rule is an object")
        known = {"id", "title", "source", "target_group", "conditions", "benefit", "agencies", "where_to_apply",
                 "how_to_apply", "valid_from", "valid_to", "origin", "review", "stale", "notes"}
        bad = set(d) - known
        if bad:
            raise RuleError(f"{where}: {sorted(bad)[0]}: unknown key (known: {', '.join(sorted(known))})")
        for key in ("id", "source"):
            if not d.get(key):
                raise RuleError(f"{where}: {key}: required")
        where = f"{where} {d['id']}"
        src = d["source"]
        if not isinstance(src, dict) or not src.get("quote") or not (src.get("doc") or src.get("doc_number") or src.get("doc_key")):
            raise RuleError(f"{where}: source: needs quote and doc (or doc_number, doc_key)")
        conds = d.get("conditions") or []
        if not isinstance(conds, list):
            raise RuleError(f"{where}: conditions: a list")
        for key in ("valid_from", "valid_to"):
            v = d.get(key)
            if v is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(v)):
                raise RuleError(f"{where}: {key}: a date YYYY-MM-DD, not {v!r}")
        review = d.get("review")
        if review is not None and (not isinstance(review, dict) or review.get("status", "approved") not in ("approved", "rejected")):
            raise RuleError(f"{where}: review.status: approved or rejected")
        return cls(
            id=str(d["id"]), title=str(d.get("title") or d["id"]), source=dict(src), target_group=d.get("target_group"),
            conditions=[Condition.from_dict(c, f"{where}: conditions[{i}]") for i, c in enumerate(conds)],
            benefit=Benefit.from_dict(d.get("benefit"), f"{where}: benefit"),
            agencies=list(d.get("agencies") or []), where_to_apply=d.get("where_to_apply"), how_to_apply=d.get("how_to_apply"),
            valid_from=str(d["valid_from"]) if d.get("valid_from") else None,
            valid_to=str(d["valid_to"]) if d.get("valid_to") else None,
            origin=str(d.get("origin") or "machine"), review=review, stale=d.get("stale"), notes=list(d.get("notes") or []),
        )


# -- YAML files --------------------------------------------------------------------------


class _Flow(dict):
    """A condition: one line of YAML ({fact: …, op: …, value: …}), so a rule reads as a list of tests."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True))


def _flow(c: dict) -> dict:
    for key in ("any", "all"):
        if key in c:
            return {**c, key: [_flow(a) for a in c[key]]}
    return _Flow(c)


def dump_rules(rules: list[Rule]) -> str:
    """YAML for review: a list of rules, keys in the documented order, one line per condition."""
    data = []
    for r in rules:
        d = r.to_dict()
        d["conditions"] = [_flow(c) for c in d["conditions"]]
        data.append(d)
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=160)


def parse_rules_text(text: str, where: str = "rules") -> list[Rule]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise RuleError(f"{where}: not valid YAML ({str(e).splitlines()[0]})") from None
    if data is None:
        return []
    items = data if isinstance(data, list) else [data]
    return [Rule.from_dict(_dates_as_text(d), f"{where}[{i}]") for i, d in enumerate(items)]


def _dates_as_text(d: Any) -> Any:
    """YAML reads 2021-04-01 as a date; rules keep ISO text."""
    if isinstance(d, dict):
        return {k: _dates_as_text(v) for k, v in d.items()}
    if isinstance(d, list):
        return [_dates_as_text(v) for v in d]
    if hasattr(d, "isoformat") and not isinstance(d, str):
        return d.isoformat()
    return d


# -- machine rules from benefit records ----------------------------------------------------


@dataclass
class DocInfo:
    """What rule derivation needs of a stored document."""

    id: int
    title: str | None
    doc_number: str | None
    doc_key: str
    date: str | None
    province: str | None
    city: str | None
    node_titles: dict[str, str | None]
    node_texts: dict[str, str]
    text: str
    uid: str | None = None

    @property
    def ident(self) -> str:
        """The part of a rule id that names its document: its uid (a document built outside a store: FILE#N)."""
        return self.uid or self.doc_key


def doc_info(doc: Document, doc_id: int, doc_key: str) -> DocInfo:
    # 我省 / 本市 mean the document's own province and city (lang.places: whose document it is);
    # a national document has neither.
    where = doc_jurisdiction(doc)
    if where.province is None and where.level is None:  # an untitled copy: the province its text names most
        where = jurisdiction(text=doc.text[:300], place_codes=[])
    province = where.province or (None if where.level == "national" else _most_named_province(doc.text))
    return DocInfo(
        id=doc_id, uid=doc.uid, title=doc.title, doc_number=doc.doc_number, doc_key=doc_key, date=doc.date,
        province=province, city=where.city,
        node_titles={n.id: n.title for n in doc.nodes}, node_texts={n.id: n.text for n in doc.nodes}, text=doc.text,
    )


def _most_named_province(text: str) -> str | None:
    counts = Counter(m.group(0) for m in re.finditer(PROVINCE_PATTERN, text))
    return counts.most_common(1)[0][0] if counts else None


def machine_rules(records: list[tuple[DocInfo, Extraction]]) -> list[Rule]:
    """One rule per benefit record, in document order; ids numbered within each node."""
    per_node: Counter = Counter()
    node_count = Counter((d.id, r.node) for d, r in records)
    out = []
    for d, r in sorted(records, key=lambda x: (x[0].id, x[1].start)):
        per_node[(d.id, r.node)] += 1
        out.append(derive(d, r, per_node[(d.id, r.node)], node_count[(d.id, r.node)]))
    return out


def derive(doc: DocInfo, rec: Extraction, k: int, of: int = 1) -> Rule:
    """A machine rule from one benefit record (the k-th of `of` in its node)."""
    f = rec.fields
    rid = f"{doc.ident}:{rec.node}:{k}"
    notes: list[str] = []
    conds = _conditions(doc, rec, rid, notes)
    benefit = _benefit(rec, conds, notes)
    if not conds:
        # A clause naming no recipient and no condition applies to nobody in particular: ask.
        conds.append(Condition(f"applies:{rid}", "=", True, text="条款未写明受益对象和条件"))
        notes.append("no recipient or condition: matched only when the enterprise answers applies:…")
    node_title = (doc.node_titles.get(rec.node) or "").strip("。；： ")
    title = node_title or _short(rec.quote)
    if of > 1 or not node_title:
        title = f"{node_title}：{_short(rec.quote)}" if node_title else _short(rec.quote)
    return Rule(
        id=rid, title=title,
        source={"doc": doc.title, "doc_number": doc.doc_number, "doc_key": doc.doc_key, "doc_id": doc.id, "doc_uid": doc.uid,
                "node": rec.node,
                "quote": rec.quote, "line_start": rec.line_start, "line_end": rec.line_end},
        target_group=f.get("target_group") or _known_group(rec.quote), conditions=conds, benefit=benefit, agencies=list(f.get("agencies") or []),
        where_to_apply=f.get("where_to_apply"), valid_from=f.get("valid_from"), valid_to=f.get("valid_to"), notes=notes,
    )


def _short(quote: str, n: int = 36) -> str:
    q = re.sub(r"^\s*(?:\d+[．.、]|[（(][一二三四五六七八九十\d]+[）)])\s*", "", quote).rstrip("。；")
    return q if len(q) <= n else q[: n - 1] + "…"


_MONEY_FIRST = ("annual_revenue", "transaction_volume", "annual_sales_increase")


def _conditions(doc: DocInfo, rec: Extraction, rid: str, notes: list[str]) -> list[Condition]:
    out: list[Condition] = []
    extracted = list(rec.fields.get("conditions") or [])
    first_time = any(c["fact"] == "first_time" for c in extracted)
    for c in extracted:
        name, op, value, unit, text = c["fact"], c.get("op") or "=", c.get("value"), c.get("unit"), c.get("text") or ""
        if name == "first_time":
            continue
        target = EXTRACTED.get(name)
        if target and FACTS[target].type == "number":
            if isinstance(value, str):  # 裁员率低于统筹区登记失业率
                if "失业率" in value:
                    out.append(Condition(target, op, None, None, text, value_fact="registered_unemployment_rate"))
                else:
                    out.append(_req(text or value, notes))
                continue
            try:
                convert(1.0, unit, FACTS[target].unit)
            except ValueError:
                out.append(_req(text, notes))  # 2万元／平方米 is not revenue
                continue
            tiers = _tiers(text, unit)
            cond = Condition(target, _legal_op(op, text), tiers if len(tiers) > 1 else value, unit, text)
            if first_time and name in _MONEY_FIRST and not any(x.first_time for x in out):
                cond.first_time = True
            out.append(cond)
        elif name == "threshold":
            measure = _measure(text)
            if measure and isinstance(value, (int, float)):
                out.append(Condition(f"num:{measure}", _legal_op(op, text), value, unit, text))
                notes.append(f"threshold on a measure the vocabulary does not know: num:{measure}")
            else:
                out.append(_req(text, notes))
        elif name == "certification":
            titles = [t for t in re.split(r"[、]", str(value)) if t]
            out.append(Condition("certifications", "has" if op != "not_has" else "not_has", titles, None, text))
        elif name == "product":
            out.append(Condition("products", "has", [str(value)], None, text))
        elif name == "product_type":
            out.append(Condition("product_types", "in", str(value), None, text))
        elif name == "industry":
            out.append(Condition("industries", "has", [str(value)], None, text))
        elif name == "location":
            out += _location(doc, str(value), text, notes)
        elif name == "listing":
            boards = [b for b in BOARDS if b in str(value)] or (["新三板", "区域股权市场"] if "挂牌" in str(value) and "上市" not in str(value) else [b for b in BOARDS if b not in ("新三板", "区域股权市场")])
            if "A股" in str(value):
                boards += ["主板", "创业板", "科创板", "北交所"]
            if "区域性股权市场" in str(value) and "区域股权市场" not in boards:
                boards.append("区域股权市场")
            out.append(Condition("listing_board", "in", sorted(set(boards), key=BOARDS.index), None, text))
        elif name == "requirement":
            out.append(_req(str(value), notes, counted=False))
        else:
            out.append(_req(text or f"{name} {op} {value}", notes))
    if first_time and not any(c.first_time for c in out):
        out.append(_req("首次达到条款所列标准", notes))
    out += _group(rec.fields.get("target_group") or _known_group(rec.quote), out, notes)
    return _unique(out)


def _unique(conds: list[Condition]) -> list[Condition]:
    seen, out = set(), []
    for c in conds:
        key = json.dumps(c.to_dict(), ensure_ascii=False, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _req(words: str, notes: list[str], counted: bool = True) -> Condition:
    words = re.sub(r"\s+", "", words).strip("，、的")
    if counted:
        notes.append(f"condition not typed, asked as req:{words}")
    return Condition(f"req:{words}", "=", True, None, words)


def _legal_op(op: str, text: str) -> str:
    """A threshold an applicant must reach: 达到/达 X means at least X (the legal reading in a condition)."""
    if op in ("=", "~") and re.search(r"达到|达|突破", text):
        return ">" if "突破" in text else ">="
    return "=" if op == "~" else op


def _tiers(text: str, unit: str | None) -> list[float]:
    """10亿元、20亿元、50亿元… in one condition's words: the tiers, in order (only a series joined by
    、/和/及 — 超过100万元但不超过300万元 is a bracket, not tiers)."""
    qs = quantities(text)
    series = qs[:1]
    for prev, q in zip(qs, qs[1:]):
        if not re.fullmatch(r"[\s、和及与]*", text[prev.end : q.start]):
            break
        series.append(q)
    vals = []
    for q in series:
        try:
            vals.append(convert(float(q.value), q.unit, unit))
        except ValueError:
            continue
    vals = [int(v) if float(v).is_integer() else v for v in vals]
    return vals


def _measure(text: str) -> str | None:
    """The measure a threshold is on, from its words: 入孵率达到80% → 入孵率; 促成不低于5项重大科技成果 → 促成重大科技成果."""
    qs = quantities(text)
    if not qs:
        return None
    q = qs[0]
    rest = (text[: q.start] + text[q.end :]).strip("，、的 ")
    rest = re.sub(r"(?:达到|达|不低于|不少于|超过|以上|以下|不超过)$", "", rest)
    return rest or None


def _location(doc: DocInfo, value: str, text: str, notes: list[str]) -> list[Condition]:
    province = province_named(value) if value not in ("我省", "本省", "省内", "我区", "本区", "全区") else None
    if value in ("我省", "本省", "省内", "我区", "本区", "全区") or (value in ("我市", "本市", "市内") and doc.city is None
                                                             and doc.province in ("北京市", "天津市", "上海市", "重庆市")):
        province = doc.province
    if value in ("我市", "本市", "市内"):
        if doc.city:
            return [Condition("city", "in", [doc.city], None, text)]
        return [_req(text or "位于本市", notes)]
    if province is None:
        return [_req(text or f"位于{value}", notes)]
    out = []
    if "总部" in text:
        out.append(Condition("hq_in_province", "=", True, None, text))
    if "主营业务" in text:
        out.append(Condition("main_business_in_province", "=", True, None, text))
    if not out:
        out.append(Condition("province", "in", [province], None, text))
    return out


def _known_group(quote: str) -> str | None:
    """A recipient named without a 对… phrase: 2021年12月31日前增值税小规模纳税人，适用…"""
    m = re.search(r"增值税小规模纳税人|小型微利企业|个体工商户", quote)
    return m.group(0) if m else None


_PERSON = re.compile(r"专家|人才|人员|团队|创业者|老年人|农民|毕业生|个人")


def _group(group: str | None, conds: list[Condition], notes: list[str]) -> list[Condition]:
    """What the recipient named in the clause implies about the applicant."""
    if not group:
        return []
    have = {c.fact for c in conds}
    out: list[Condition] = []
    if "增值税小规模纳税人" in group:
        out.append(Condition("vat_taxpayer", "=", "small_scale", None, group))
    if "小型微利企业" in group:
        out.append(Condition("small_low_profit", "=", True, None, group))
    elif re.search(r"小微企业|小型微型企业", group):
        out.append(Condition("size", "in", ["small", "micro"], None, group))
    elif re.search(r"中小微?企业", group):
        out.append(Condition("size", "in", ["medium", "small", "micro"], None, group))
    if "民营" in group:
        out.append(Condition("ownership", "=", "private", None, group))
    if "个体工商户" in group:
        out.append(Condition("kind", "=", "individual_business", None, group))
    elif re.search(r"企业$", group) and "kind" not in have:
        out.append(Condition("kind", "=", "enterprise", None, group))
    if re.search(r"工业(?:企业|项目)", group):
        out.append(Condition("industrial", "=", True, None, group))
    if "医药流通" in group:
        out.append(Condition("industries", "has", ["医药流通"], None, group))
    if _PERSON.search(group) or _residual(group, conds):
        # 精益管理样板企业, 拟上市医药健康企业, 高端外国专家: a status the clause names and no fact types
        out.append(_req(f"受益对象为{group}", notes))
    return [c for c in out if c.fact not in have or c.fact == "industries" and not any(x.fact == "industries" for x in conds)]


_PLAIN_GROUP = re.compile(
    r"企业|单位|机构|公司|中小微?|小微|民营|工业|流通|领域|产业|行业|项目|品种|产品|增值税小规模纳税人|小型微利|个体工商户|"
    r"药品|中成药|生物制品|化学药品|中药材|注射剂|医疗器械|仿制|新药|高端"
)


def _title_tail(v: str) -> str:
    """孵化器 of 国家级科技企业孵化器: the noun a recipient may shorten a title to."""
    m = re.search(r"(孵化器|众创空间|科技园)$", v)
    return m.group(1) if m else ""


def _residual(group: str, conds: list[Condition]) -> bool:
    """Does the recipient name more than the conditions and plain nouns already say?"""
    rest = group
    values = [v for c in conds for v in (c.value if isinstance(c.value, list) else [c.value]) if isinstance(v, str) and len(v) >= 2]
    for v in sorted(values, key=len, reverse=True):  # the longest first: a title before the place in it
        rest = rest.replace(v.replace("“", "").replace("”", ""), "").replace(v, "")
        if _title_tail(v) and rest.endswith(_title_tail(v)):
            rest = rest[: -len(_title_tail(v))]
    for words in ("医药健康", "生物医药", "医药", "汽车", "石化", "化工", "旅游", "冰雪", "食品", "科技", "技术", "新认定", "省级", "国家级"):
        rest = rest.replace(words, "")
    rest = _PLAIN_GROUP.sub("", re.sub(r"[“”\"（）()、和及与]", "", rest))
    return len(rest) >= 2


def _benefit(rec: Extraction, conds: list[Condition], notes: list[str]) -> Benefit:
    f = rec.fields
    q = rec.quote
    b = Benefit(kind=f.get("benefit_kind") or "其他", amount=f.get("amount"), cap=f.get("cap"))
    if "一次性" in q:
        b.period = "一次性"
    per = re.search(r"每(?:个|家|户)?(品种|项目)", q)
    if per and b.amount and q.find(per.group(0)) < q.find("万元"):
        b.per_unit = per.group(1)
        what = next((c.value[0] for c in conds if c.fact == "products" and c.value), None) or f.get("target_group") or per.group(1)
        b.count_fact = f"count:{what}"
    tiered = next((c for c in conds if isinstance(c.value, list) and FACTS.get(c.fact) and FACTS[c.fact].type == "number"), None)
    if tiered is not None and "分别" in q:
        grant = q[q.index("分别") :]
        money = [x for x in quantities(grant) if x.unit and x.unit.endswith("元")]
        if len(money) == len(tiered.value):
            b.tier_amounts = [{"min": x.value, "max": x.value} for x in money]
    rate = f.get("rate")
    if rate is not None:
        b.rate = rate
        b.rate_base = f.get("rate_base")
        where = (f.get("rate_base") or "") + q
        if re.search(r"减按|征收率|税率", q):
            notes.append("a tax-rate clause: the saving is not a rate × base the clause states; review to compute it")
        elif re.search(r"平均", f.get("rate_base") or ""):
            notes.append("an average rate across providers, not a rate of one enterprise's base")
        else:
            b.base_fact = next((fact_ for word, fact_ in RATE_BASES if word in where), None)
            if b.base_fact is None:
                notes.append(f"rate {rate}% of {f.get('rate_base')!r}: no fact holds that base")
            b.rate_is = "payable" if re.search(r"计收|折优惠|最低价标准|出让底价", q) else "grant"
            b.up_to = bool(re.search(rf"不超过[^，。；]{{0,40}}?{re.escape(_num(rate))}\s*%|不低于[^，。；]{{0,40}}?{re.escape(_num(rate))}\s*%", q))
    return b


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
