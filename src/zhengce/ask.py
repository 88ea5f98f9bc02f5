"""Cited answers: a question → the facts or clauses that answer it, each with its citation.

No model: the question's intent (a number, an amount, a responsible unit, a
deadline, or just "which clause") picks the extraction type to read, search
finds the clauses, and the answer is composed only from extraction fields and
quotes, so every statement points at its source lines.  When the best clause
does not cover the question's words, the answer says so instead of guessing.

    ask(engine, "湘潭2025年财政收入目标是多少").to_dict()
    → {"question", "answer", "found", "citations": [{doc, doc_id, node, quote, line_start, line_end}], "facts": [...]}
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from .model import Extraction
from .present import amount_range, number
from .search import Filters, Hit, SearchEngine
from .search import terms as T

# Intent → extraction types that answer it, most specific first.  Order of
# the checks matters: "谁负责…什么时候" is about a duty's deadline.
_INTENTS = (
    ("deadline", re.compile(r"什么时候|何时|哪年|几年|期限|截止|时限|多久|多长时间|之前完成|时间节点"), ("duty", "target")),
    ("duty", re.compile(r"谁|哪个部门|哪些部门|哪家单位|责任单位|牵头|负责|主管"), ("duty",)),
    ("amount", re.compile(r"奖励|补贴|补助|资助|贴息|奖补|扶持|减免|优惠|支持|享受|申请|申报|多少钱|额度|金额|能拿"), ("benefit",)),
    ("number", re.compile(r"多少|目标|达到|比重|比例|几|规模|总量|增长|增速|指标|多大|多高|多长"), ("target", "statistic")),
)
# Words that only say what kind of answer is wanted: left out of the search so
# that "个转企什么时候完成" is judged on 个转企, not on whether a clause says 完成.
_ASKING = re.compile(
    r"(?:要|需要|应当?|能|会)?(?:在)?(?:什么时候|何时|哪年|几年|多久|多长时间|什么时间)(?:之前|以前|前)?"
    r"(?:完成|实现|达到|到位|出台|落实|办结)?|期限是?|截止时间|时间节点|是谁|由谁|谁来|谁|哪个部门|哪些部门|哪家单位"
    r"|(?:的)?(?:预期|规划)?(?:目标值?|指标值?)(?:是|为)?(?=多少|几|$)"
)
MIN_COVERAGE = 0.6          # share of the question's (idf-weighted) words a clause needs to supply facts
MIN_CLAUSE_COVERAGE = 0.45  # …and to be offered as the answer when the question asks for no number
MIN_FALLBACK_COVERAGE = 0.5  # …or when it asks for one but no fact states it
MAX_FACTS = 4
MAX_CLAUSES = 3


@dataclass
class Citation:
    doc: str | None
    doc_id: int
    node: str
    quote: str
    line_start: int
    line_end: int


@dataclass
class Answer:
    question: str
    answer: str
    found: bool
    intent: str
    citations: list[Citation] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def intent_of(question: str) -> tuple[str, tuple[str, ...]]:
    for name, pattern, types in _INTENTS:
        if pattern.search(question):
            return name, types
    return "clause", ()


def ask(engine: SearchEngine, question: str, filters: Filters | None = None) -> Answer:
    question = question.strip()
    intent, types = intent_of(question)
    if not T.query_groups(question):
        return Answer(question, "请输入问题，例如“上市奖励多少”。", False, intent)
    query = _ASKING.sub(" ", question) if intent in ("deadline", "duty", "number") else question
    absent = engine.absent_key_terms(query)
    if absent:
        return Answer(question, f"语料中没有关于“{'、'.join(absent)}”的内容，无法回答“{question}”。", False, intent)
    res = engine.search(query, limit=20, filters=filters)
    if not res.hits or res.coverage[0] < MIN_CLAUSE_COVERAGE:
        return Answer(question, f"语料中没有找到能回答“{question}”的条款。", False, intent)
    wanted = set(T.terms(query))
    # Facts may come from any clause that covers the question well enough: the
    # same target stated in two documents must both be shown, agreeing or not.
    fact_hits = [h for h, c in zip(res.hits, res.coverage) if c >= MIN_COVERAGE]
    facts = _facts(engine, fact_hits, types, wanted, question, intent) if types else []
    # Clauses as good as the best one (within its coverage) answer otherwise.
    best_cov = res.coverage[0]
    hits = [h for h, c in zip(res.hits, res.coverage) if c >= max(MIN_CLAUSE_COVERAGE, best_cov - 0.15)]
    if types and not facts and (best_cov < MIN_FALLBACK_COVERAGE or not _years_in(question) <= _years_in(res.hits[0].text)):
        # A number or an amount was asked for and no clause that covers the
        # question well states one (for the year asked about, if any): say so
        # rather than offer a loose clause.
        return Answer(question, f"语料中没有找到能回答“{question}”的条款。", False, intent)
    if facts:
        lines, citations = [], []
        for rec, hit in facts:
            citations.append(Citation(hit.doc or hit.path, hit.doc_id, rec.node, rec.quote, rec.line_start, rec.line_end))
            lines.append(f"{describe(rec)}（{_where(hit)}，第{rec.line_start}行）〔{len(citations)}〕")
        text = "\n".join(lines)
        if _disagree([r for r, _ in facts]):
            text = "各文件的表述不一致：\n" + text
        return Answer(question, text, True, intent, citations, [dict(r.to_dict(), doc_id=h.doc_id) for r, h in facts])
    citations = [_clause_citation(h, wanted) for h in hits[:MAX_CLAUSES]]
    lines = [f"{c.quote}（{_where(h)}，第{c.line_start}行）〔{i}〕" for i, (c, h) in enumerate(zip(citations, hits), 1)]
    return Answer(question, "最相关的条款：\n" + "\n".join(lines), True, intent, citations, [])


def _where(hit: Hit) -> str:
    return hit.path


def _record_terms(rec: Extraction) -> set[str]:
    f = rec.fields
    parts = [str(f.get(k) or "") for k in ("indicator", "task", "target_group", "scope", "benefit_kind")]
    return set(T.terms(" ".join(parts)))


def _has_value(rec: Extraction) -> bool:
    f = rec.fields
    if rec.type == "benefit":
        return any(f.get(k) for k in ("amount", "cap", "rate"))
    if rec.type == "duty":
        return bool(f.get("deadline"))
    return f.get("value") is not None


def _facts(engine: SearchEngine, hits: list[Hit], types: tuple[str, ...], wanted: set[str], question: str, intent: str):
    """Extraction records of the wanted types inside the answering clauses, best first.

    A record's own words (indicator, task, target group) count double against
    the question's: the clause matched already, now the fact inside it must.
    A question for a number or a date prefers records that state one.
    """
    years = _years_in(question)
    places = _places(question)
    scored = []
    for rank, hit in enumerate(hits):
        in_node = [rec for _d, rec in engine.extractions(hit.doc_id) if rec.node == hit.node and rec.type in types]
        for rec in in_node:
            overlap = len(set(T.terms(rec.quote)) & wanted) + 2 * len(_record_terms(rec) & wanted)
            # The clause matched the question; a fact sharing none of its words is
            # an answer only when it is the clause's one fact of that type.
            if overlap == 0 and sum(r.type == rec.type for r in in_node) > 1:
                continue
            if intent in ("number", "amount", "deadline") and _has_value(rec):
                overlap += 2
            year = rec.fields.get("year")
            if years and year is not None and year not in years:
                continue  # the question names a year and this fact is about another
            if places and _other_place(rec.fields.get("scope"), places):
                continue  # …or a place, and this fact is about another one
            type_rank = types.index(rec.type)
            scored.append((-overlap, type_rank, rank, rec.start, rec, hit))
    scored.sort(key=lambda x: x[:4])
    if not scored:
        return []
    best = scored[0][0]
    # Keep facts as specific as the best one (same word overlap), from any clause.
    return [(rec, hit) for ov, _t, _r, _s, rec, hit in scored if ov == best][:MAX_FACTS]


def _years_in(text: str) -> set[int]:
    return {int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", text)}


def _places(text: str) -> set[str]:
    from .extract.entities import find_entities

    return {e["canonical"] for e in find_entities(text) if e["kind"] == "place"}


def _other_place(scope: str | None, places: set[str]) -> bool:
    """A record scoped to a named place that the question does not name (全省/全市 are no place)."""
    if not scope:
        return False
    named = _places(scope)
    return bool(named) and not named & places


def _disagree(recs: list[Extraction]) -> bool:
    """Two targets for the same indicator, place and year with different values."""
    seen: dict[tuple, Any] = {}
    for r in recs:
        if r.type not in ("target", "statistic"):
            continue
        f = r.fields
        key = (f.get("indicator"), f.get("scope"), f.get("year"), f.get("unit"))
        if key in seen and seen[key] != f.get("value"):
            return True
        seen[key] = f.get("value")
    return False


_CMP = {">=": "不低于", "<=": "不高于", "=": "", "~": "约", ">": "高于", "<": "低于"}


def describe(rec: Extraction) -> str:
    """One plain-Chinese line from a record's fields (only what the fields say)."""
    f = rec.fields
    if rec.type in ("target", "statistic"):
        value = f.get("value")
        scope = f.get("scope") or ""
        year = f"{f['year']}年" if f.get("year") else ""
        what = f.get("indicator") or "目标"
        if value is None:
            return f"{scope}{year}{what}"
        amount = _CMP.get(f.get("comparator") or "=", "") + number(value)
        if f.get("value_max") is not None:
            amount += f"—{number(f['value_max'])}"
        amount += f.get("unit") or ""
        label = "目标" if rec.type == "target" else "实际"
        extra = "（力争）" if f.get("aspirational") else ""
        return f"{scope}{year}{what}{label}：{amount}{extra}"
    if rec.type == "duty":
        out = f"{f.get('task') or '任务'}：牵头 {'、'.join(f.get('lead') or []) or '未写明'}"
        if f.get("support"):
            out += f"；配合 {'、'.join(f['support'])}"
        if f.get("deadline"):
            out += f"；期限 {f['deadline']}"
        return out
    if rec.type == "benefit":
        parts = []
        who = f.get("target_group")
        kind = f.get("benefit_kind") or "支持"
        parts.append(kind + amount_range(f.get("amount")))
        cap = f.get("cap") or {}
        if cap.get("value") is not None:
            parts.append(f"{cap.get('per') or ''}最高不超过{number(cap['value'])}{cap.get('unit') or ''}")
        if f.get("rate"):
            parts.append(f"比例 {f['rate']}")
        conds = [c.get("text") for c in f.get("conditions") or [] if c.get("text")]
        head = f"{who}：" if who else ""
        tail = f"（条件：{'；'.join(conds[:3])}）" if conds else ""
        return head + "，".join(parts) + tail
    return rec.quote


def _clause_citation(hit: Hit, wanted: set[str]) -> Citation:
    """The sentence of the clause with the most question words (an exact substring of it)."""
    text = hit.text
    best, best_n = (0, len(text)), -1
    for m in re.finditer(r"[^。；！？]+[。；！？]?", text):
        n = len({t for t, _s, _e in T.tokens_with_spans(m.group()) if t in wanted})
        if n > best_n:
            best, best_n = (m.start(), m.end()), n
    quote = text[best[0]:best[1]].strip() or text
    return Citation(hit.doc or hit.path, hit.doc_id, hit.node, quote, hit.line_start, hit.line_end)
