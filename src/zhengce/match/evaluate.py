"""Evaluating a rule for one enterprise: tri-state conditions, status, the computed amount.

Each condition is true, false or unknown (a fact it needs is not in the
profile).  A rule is *eligible* when every condition is true and `as_of` lies
in its validity; *ineligible* when one is false or `as_of` lies outside; else
*unknown*, naming the missing facts.  Numbers are read legally: the rule's op
already encodes 以上/以下 (inclusive) and 超过/低于 (exclusive).

The numeric kernels work on NumPy arrays so that batch.py evaluates thousands
of profiles with the very same code; one profile is an array of length one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

import numpy as np

from .facts import FACTS, NUMBER, SET, Kind, convert, fact, industry_matches, kind_matches, product_kinds, product_matches, title, title_matches
from .profile import Profile
from .rules import Condition, Rule, prior_fact

TRUE, UNKNOWN, FALSE = 2, 1, 0
STATUS = {TRUE: "eligible", UNKNOWN: "unknown", FALSE: "ineligible"}
_MISSING = object()

_OP_WORDS = {">=": "不低于", ">": "超过", "<=": "不超过", "<": "低于", "=": "为", "!=": "不为",
             "has": "具有", "not_has": "不具有", "in": "属于", "not_in": "不属于"}


# -- numeric kernels (arrays) ------------------------------------------------------------------


def _cmp(op: str, x, t):
    if op == ">=":
        return x >= t
    if op == ">":
        return x > t
    if op == "<=":
        return x <= t
    if op == "<":
        return x < t
    if op == "=":
        return x == t
    if op == "!=":
        return x != t
    raise ValueError(f"op {op} on numbers")


def is_numeric(c: Condition) -> bool:
    f = fact(c.fact) if c.group is None else None
    return f is not None and (f.type == NUMBER or (f.type == "bool" and c.op in ("=", "!=")))


def thresholds(c: Condition) -> list[float]:
    """The condition's threshold(s) in its fact's unit (10 亿元 → 100000 万元)."""
    f = fact(c.fact)
    values = c.value if isinstance(c.value, list) else [c.value]
    if f.type == "bool":
        return [1.0 if v else 0.0 for v in values]
    return [convert(float(v), c.unit, f.unit) for v in values]


def numeric_kernel(c: Condition, get: Callable[[str], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(state, tier) arrays: state TRUE/UNKNOWN/FALSE; tier = index of the threshold reached
    (for first_time: newly reached), -1 when none or not known."""
    x = get(c.fact)
    known = ~np.isnan(x)
    state, tier = _numeric(c, get, x, known)
    if not isinstance(c.value, list):
        tier = np.full(x.shape, -1)  # only a series of tiers picks an amount
    return state, tier


def _numeric(c: Condition, get, x: np.ndarray, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore"):
        if c.value_fact:
            y = get(c.value_fact)
            both = known & ~np.isnan(y)
            ok = _cmp(c.op, x, y)
            state = np.where(both, np.where(ok, TRUE, FALSE), UNKNOWN).astype(np.int8)
            return state, np.full(x.shape, -1)
        ts = thresholds(c)
        tier = np.full(x.shape, -1)
        if not c.first_time:
            # Any tier reached qualifies; which one (the highest) sets the amount.
            met_any = np.zeros(x.shape, dtype=bool)
            for i, t in enumerate(ts):
                m = _cmp(c.op, x, t)
                met_any |= m
                tier = np.where(m, i, tier)
            state = np.where(known, np.where(met_any, TRUE, FALSE), UNKNOWN).astype(np.int8)
            return state, np.where(known, tier, -1)
        prior = get(prior_fact(c.fact))
        pknown = ~np.isnan(prior)
        met_any = np.zeros(x.shape, dtype=bool)
        newly = np.zeros(x.shape, dtype=bool)
        for i, t in enumerate(ts):
            m = _cmp(c.op, x, t)
            n = m & ~_cmp(c.op, prior, t)
            met_any |= m
            newly |= n
            tier = np.where(n, i, tier)
        state = np.where(~known, UNKNOWN, np.where(~met_any, FALSE, np.where(~pknown, UNKNOWN, np.where(newly, TRUE, FALSE))))
        return state.astype(np.int8), np.where(known & pknown, tier, -1)


# -- other conditions (one value at a time; batch maps them over distinct values) ---------------


def value_state(c: Condition, value: Any) -> int:
    """TRUE/FALSE/UNKNOWN of a non-numeric condition for one profile value (_MISSING: not given)."""
    if value is _MISSING:
        return UNKNOWN
    f = fact(c.fact)
    wanted = c.value if isinstance(c.value, list) else [c.value]
    if f.type == SET:
        held = value
        if c.fact == "certifications":
            hit = any(title_matches(title(w), title(h)) for w in wanted for h in held)
        elif c.fact == "products":
            hit = any(product_matches(str(w), h) for w in wanted for h in held)
        elif c.fact == "industries":
            hit = any(industry_matches(str(w), h) for w in wanted for h in held)
        elif c.fact == "product_types":
            kinds = [k for w in wanted for k in product_kinds(str(w))]
            results = [kind_matches(k, _held_kind(h)) for k in kinds for h in held]
            if any(r is True for r in results):
                hit = True
            elif any(r is None for r in results):
                return UNKNOWN
            else:
                hit = False
        else:
            hit = any(str(w) in held for w in wanted)
        if c.op in ("has", "in"):
            return TRUE if hit else FALSE
        if c.op in ("not_has", "not_in"):
            return FALSE if hit else TRUE
        raise ValueError(f"op {c.op} on the set {c.fact}")
    if c.op in ("in", "has", "="):
        return TRUE if value in wanted else FALSE
    if c.op in ("not_in", "not_has", "!="):
        return FALSE if value in wanted else TRUE
    raise ValueError(f"op {c.op} on {c.fact}")


def _held_kind(h: str) -> Kind:
    kinds = product_kinds(h)
    return kinds[0] if kinds else Kind(h)


# -- one profile -------------------------------------------------------------------------------


@dataclass
class ConditionResult:
    state: int
    fact: str
    label: str
    op: str
    value: Any
    unit: str | None
    text: str
    actual: Any
    explanation: str
    missing: list[str] = field(default_factory=list)
    any: list[ConditionResult] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {"result": {TRUE: "true", FALSE: "false", UNKNOWN: "unknown"}[self.state], "fact": self.fact, "label": self.label,
             "op": self.op, "value": self.value, "unit": self.unit, "actual": _plain(self.actual), "text": self.text,
             "explanation": self.explanation}
        if self.missing:
            d["missing"] = self.missing
        if self.any is not None:
            d[self.fact] = [a.to_dict() for a in self.any]
        return d


def _plain(v: Any) -> Any:
    if isinstance(v, frozenset):
        return sorted(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _one(profile: Profile, name: str) -> np.ndarray:
    v = profile.get(name, None)
    if v is None or isinstance(v, (frozenset, str)):
        return np.array([math.nan])
    return np.array([float(v)])


def check(c: Condition, profile: Profile) -> tuple[ConditionResult, int]:
    """The condition's result for one profile, and the tier it reached (-1: none/unknown)."""
    if c.group is not None:
        checked = [check(a, profile) for a in c.group]
        parts = [p for p, _t in checked]
        states = [p.state for p in parts]
        state = max(states) if c.any is not None else min(states)
        missing = [m for p in parts if p.state == UNKNOWN for m in p.missing] if state == UNKNOWN else []
        if c.any is not None:
            name, label, expl = "any", "任一条件", "其一满足即可：" + "；".join(p.explanation for p in parts)
        else:
            name, label, expl = "all", "同时满足", "须同时满足：" + "；".join(p.explanation for p in parts)
        tier = next((t for _p, t in checked if t >= 0), -1)
        return ConditionResult(state, name, label, name, None, None, c.text, None, expl, missing, parts), tier
    f = fact(c.fact)
    label = f.label if f else c.fact
    if is_numeric(c):
        state, tier = numeric_kernel(c, lambda n: _one(profile, n))
        state, tier = int(state[0]), int(tier[0])
        actual = profile.get(c.fact)
        missing = []
        if actual is None:
            missing.append(c.fact)
        elif c.first_time and profile.get(prior_fact(c.fact)) is None and state == UNKNOWN:
            missing.append(prior_fact(c.fact))
        if c.value_fact and profile.get(c.value_fact) is None:
            missing.append(c.value_fact)
        return ConditionResult(state, c.fact, label, c.op, c.value, c.unit, c.text, actual,
                               _explain_number(c, f, actual, profile, state, tier), missing), tier
    value = profile.get(c.fact, _MISSING) if profile.known(c.fact) else _MISSING
    if c.fact == "listing_board" and profile.known("listing_board") and value is None:
        value = "未上市"
    state = value_state(c, value)
    missing = [c.fact] if value is _MISSING else []
    return ConditionResult(state, c.fact, label, c.op, c.value, c.unit, c.text, None if value is _MISSING else value,
                           _explain_value(c, label, value, state), missing), -1


# Enum codes as a reader says them (explanations only; the JSON keeps the codes).
_WORDS = {"enterprise": "企业", "individual_business": "个体工商户", "institution": "事业单位/社会组织", "small_scale": "小规模纳税人",
          "general": "一般纳税人", "large": "大型", "medium": "中型", "small": "小型", "micro": "微型", "private": "民营",
          "state": "国有", "foreign": "外资", "collective": "集体"}


def _fmt(x: Any) -> str:
    if isinstance(x, str):
        return _WORDS.get(x, x)
    if isinstance(x, float):
        return f"{x:g}"
    if isinstance(x, (list, tuple, frozenset, set)):
        return "、".join(_fmt(v) for v in x)
    if x is True:
        return "是"
    if x is False:
        return "否"
    return str(x)


def _verdict(state: int) -> str:
    return {TRUE: "符合", FALSE: "不符合", UNKNOWN: "未知"}[state]


def _explain_number(c: Condition, f, actual, profile: Profile, state: int, tier: int) -> str:
    label = f.label
    unit = f.unit or ""
    if f.type == "bool":
        want = "是" if c.value else "否"
        if actual is None:
            return f"{label}：需为“{want}”，未填写 → 未知"
        return f"{label}：{_fmt(actual)}（需为“{want}”）→ {_verdict(state)}"
    if c.value_fact:
        g = fact(c.value_fact)
        other = profile.get(c.value_fact)
        if actual is None or other is None:
            return f"{label} {_OP_WORDS[c.op]} {g.label}：缺少{'、'.join(x for x, v in ((label, actual), (g.label, other)) if v is None)} → 未知"
        return f"{label} {_fmt(actual)}{unit} {_OP_WORDS[c.op]} {g.label} {_fmt(other)}{g.unit or ''} → {_verdict(state)}"
    ts = thresholds(c)
    shown = "、".join(_fmt(v) for v in (c.value if isinstance(c.value, list) else [c.value])) + (c.unit or unit)
    if actual is None:
        return f"{label}需{_OP_WORDS[c.op]}{shown}：未填写 → 未知"
    head = f"{label} {_fmt(actual)}{unit} {_OP_WORDS[c.op]} {shown}"
    if c.first_time:
        prior = profile.get(prior_fact(c.fact))
        if state == UNKNOWN:
            return f"{head}；“首次”需知此前最高值（{prior_fact(c.fact)}）→ 未知"
        if prior is not None:
            crossed = f"，首次达到第{tier + 1}档 {_fmt(ts[tier])}{unit}" if tier >= 0 and len(ts) > 1 else ""
            return f"{head}；此前最高 {_fmt(prior)}{unit}{crossed} → {_verdict(state)}"
    return f"{head} → {_verdict(state)}"


def _explain_value(c: Condition, label: str, value: Any, state: int) -> str:
    want = _fmt(c.value)
    if value is _MISSING:
        return f"{label}需{_OP_WORDS.get(c.op, c.op)}“{want}”：未填写 → 未知"
    return f"{label}：{_fmt(value)}（需{_OP_WORDS.get(c.op, c.op)}“{want}”）→ {_verdict(state)}"


def validity(rule: Rule, as_of: str) -> tuple[bool, str]:
    if rule.valid_from and as_of < rule.valid_from:
        return False, f"政策自 {rule.valid_from} 起执行，评估日 {as_of} 尚未生效 → 不符合"
    if rule.valid_to and as_of > rule.valid_to:
        return False, f"政策执行至 {rule.valid_to}，评估日 {as_of} 已过期 → 不符合"
    if rule.valid_from or rule.valid_to:
        return True, f"评估日 {as_of} 在政策执行期 {rule.valid_from or '…'} 至 {rule.valid_to or '…'} 内 → 符合"
    return True, ""


# -- amounts (arrays) ---------------------------------------------------------------------------


def amount_arrays(rule: Rule, get: Callable[[str], np.ndarray], tier: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """lo, hi (NaN: not stated / up to), cap_applied, base, count — for n profiles at once."""
    b = rule.benefit
    nan = np.full(n, np.nan)
    a = b.amount or {}
    lo = nan.copy() if a.get("min") is None else np.full(n, float(a["min"]))
    hi = nan.copy() if a.get("max") is None else np.full(n, float(a["max"]))
    if b.tier_amounts:
        for i, t in enumerate(b.tier_amounts):
            sel = tier == i
            lo = np.where(sel, float(t["min"]) if t.get("min") is not None else np.nan, lo)
            hi = np.where(sel, float(t["max"]) if t.get("max") is not None else np.nan, hi)
    base = nan
    if b.rate is not None and b.base_fact:
        base = get(b.base_fact)
        portion = base
        if b.base_from is not None:
            portion = np.maximum(portion - b.base_from, 0.0)
        if b.base_to is not None:
            portion = np.minimum(portion, b.base_to - (b.base_from or 0.0))
        share = b.rate / 100.0 if b.rate_is == "grant" else (100.0 - b.rate) / 100.0
        v = share * portion
        stated_max = np.nan if a.get("max") is None else float(a["max"])
        known = ~np.isnan(v)
        v_cap = np.where(np.isnan(stated_max), v, np.fmin(v, stated_max))
        lo = np.where(known, np.nan if b.up_to else v_cap, np.nan)
        hi = np.where(known, v_cap, hi)
    count = nan
    if b.per_unit and b.count_fact:
        count = get(b.count_fact)
        mult = np.where(np.isnan(count), 1.0, count)
        lo, hi = lo * mult, hi * mult
    applied = np.zeros(n, dtype=bool)
    if b.cap and b.cap.get("value") is not None:
        cap = float(b.cap["value"])
        unit = (b.amount or {}).get("unit") or b.cap.get("unit")
        try:
            cap = convert(cap, b.cap.get("unit"), unit)
        except ValueError:
            pass
        with np.errstate(invalid="ignore"):
            applied = ~np.isnan(hi) & (hi > cap)
        hi = np.where(np.isnan(hi), cap, np.fmin(hi, cap))
        lo = np.fmin(lo, cap)
    return {"lo": lo, "hi": hi, "applied": applied, "base": base, "count": count}


def _amount_dict(rule: Rule, arr: dict[str, np.ndarray], i: int = 0) -> dict[str, Any]:
    b = rule.benefit
    unit = (b.amount or {}).get("unit") or (b.cap or {}).get("unit") or ("万元" if b.base_fact else None)

    def num(x):
        x = float(x)
        if math.isnan(x):
            return None
        x = round(x, 6)
        return int(x) if x.is_integer() else x

    d: dict[str, Any] = {"min": num(arr["lo"][i]), "max": num(arr["hi"][i]), "unit": unit}
    d["cap"] = dict(b.cap, applied=bool(arr["applied"][i])) if b.cap else None
    if b.rate is not None:
        d["rate"] = b.rate
        d["rate_base"] = b.rate_base
        d["base"] = {"fact": b.base_fact, "value": num(arr["base"][i])} if b.base_fact else None
    if b.per_unit:
        d["per_unit"] = b.per_unit
        d["count"] = num(arr["count"][i])
    d["formula"] = _formula(rule, d)
    return d


def _formula(rule: Rule, d: dict) -> str:
    b = rule.benefit
    parts = []
    a = b.amount or {}
    if b.rate is not None and b.base_fact:
        share = b.rate if b.rate_is == "grant" else 100 - b.rate
        base = d.get("base") or {}
        what = f"{_fmt(float(share))}% × {FACTS[b.base_fact].label if b.base_fact in FACTS else b.base_fact}"
        if b.base_from is not None or b.base_to is not None:
            what += f"（{_fmt(float(b.base_from or 0))}–{_fmt(float(b.base_to)) if b.base_to is not None else '…'}部分）"
        parts.append(what + (f" = {_fmt(float(base['value']))}" if base.get("value") is not None else "（基数未填写）"))
        if b.up_to:
            parts.append("以此为上限")
        if a.get("max") is not None:
            parts.append(f"最高{_fmt(float(a['max']))}{a.get('unit') or ''}")
    elif b.rate is not None:
        parts.append(f"比例 {_fmt(float(b.rate))}%（{b.rate_base or '基数未写明'}）")
    elif a:
        lo, hi = a.get("min"), a.get("max")
        rng = f"{_fmt(float(lo))}–{_fmt(float(hi))}" if lo is not None and hi is not None and lo != hi else _fmt(float(hi if hi is not None else lo)) if (hi if hi is not None else lo) is not None else ""
        parts.append(("最高" if lo is None else "") + rng + (a.get("unit") or ""))
    if b.tier_amounts:
        parts.append("按所达档次：" + "、".join(_fmt(float(t["max"])) for t in b.tier_amounts) + (a.get("unit") or ""))
    if b.per_unit:
        parts.append(f"每{b.per_unit} × {_fmt(float(d['count'])) if d.get('count') is not None else '数量未填写（按1计）'}")
    if b.cap:
        parts.append(f"上限 {_fmt(float(b.cap['value']))}{b.cap.get('unit') or ''}/{b.cap.get('per') or ''}" + ("（已封顶）" if d["cap"]["applied"] else ""))
    return "；".join(p for p in parts if p) or "条款未写明金额"


# -- results ---------------------------------------------------------------------------------


@dataclass
class MatchResult:
    rule: Rule
    status: str
    explanation: list[ConditionResult]
    missing: list[str]
    amount: dict[str, Any]
    validity: str

    def to_dict(self) -> dict[str, Any]:
        r = self.rule
        src = r.source
        out = {
            "rule": r.id, "title": r.title, "status": self.status,
            "explanation": [e.to_dict() for e in self.explanation], "missing": self.missing,
            "amount": self.amount, "agencies": r.agencies, "where_to_apply": r.where_to_apply,
            "source": {k: src.get(k) for k in ("doc", "doc_number", "doc_id", "doc_key", "node", "quote", "line_start", "line_end")},
            "target_group": r.target_group, "benefit_kind": r.benefit.kind,
            "valid_from": r.valid_from, "valid_to": r.valid_to, "validity": self.validity or None,
            "origin": r.origin, "stale": r.stale,
        }
        return out


def evaluate(rule: Rule, profile: Profile, as_of: str | date | None = None) -> MatchResult:
    as_of = _as_of(as_of)
    results, tiers = [], []
    for c in rule.conditions:
        res, tier = check(c, profile)
        results.append(res)
        tiers.append(tier)
    ok, vtext = validity(rule, as_of)
    states = [r.state for r in results]
    if not ok or FALSE in states:
        status = "ineligible"
    elif all(s == TRUE for s in states):
        status = "eligible"
    else:
        status = "unknown"
    missing = list(dict.fromkeys(m for r in results if r.state == UNKNOWN for m in r.missing)) if status == "unknown" else []
    tier = next((t for t in tiers if t >= 0), -1)
    arr = amount_arrays(rule, lambda n: _one(profile, n), np.array([tier]), 1)
    return MatchResult(rule, status, results, missing, _amount_dict(rule, arr), vtext)


def _as_of(as_of: str | date | None) -> str:
    if as_of is None:
        return date.today().isoformat()
    if isinstance(as_of, date):
        return as_of.isoformat()
    return date.fromisoformat(str(as_of)).isoformat()


_ORDER = {"eligible": 0, "unknown": 1, "ineligible": 2}


def match(profile: Profile, rules, as_of: str | date | None = None) -> list[MatchResult]:
    """Every active rule evaluated for the profile: eligible first, then unknown, then ineligible."""
    rules = rules.active() if hasattr(rules, "active") else [r for r in rules if r.active]
    out = [evaluate(r, profile, as_of) for r in rules]
    return sorted(out, key=lambda m: _ORDER[m.status])
