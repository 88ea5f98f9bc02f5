"""target and statistic: goals for a year, and values reported as achieved.

A number with a unit is a target when its sentence looks forward (到2025年,
力争, a 目标 section) and a statistic when it reports (2020年…达到, a 基础 /
成就 section).  The indicator is the phrase before the verb that carries the
number, or — when that clause holds only the verb (翻一番，达到…) — the clause
before it.  Sentences that grant money (benefit clauses) are left to the
benefit extractor.
"""

from __future__ import annotations

import re
from collections import Counter

from ..model import Extraction, Node
from .base import Context, sentences
from .numbers import Quantity, period_end, quantities, years_in

_VERBS = (
    "提高到|提升到|增长到|增加到|扩大到|发展到|下降到|降低到|控制在|保持在|稳定在|降至|减少到|突破|达到|超过|实现|完成|累计|新增|增长|提高|增加|下降|减少|达|为|至|到"
)
_LEAD_VERB = re.compile(rf"(?:{_VERBS})+$")
_TIME = re.compile(
    r"^(?:(?:力争|争取|努力|预计|计划)?\s*(?:到|至|在|于)?\s*(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年(?:底|末|前)?\s*[，,]?|“?十[一二三四五六七八九]五”?(?:期末|时期|期间|末)[，,]?|力争|争取|努力|全省|全市|全县|其中|同时|并|使|将|计划)+"
)
_FORWARD = re.compile(r"(?:到|至)\s*(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年|力争|争取|目标|期末|以上的?目标|将达到|预计")
_ASPIRATION = re.compile(r"力争|争取|努力")
_ATTRIBUTE = re.compile(r"(预期性|约束性)")
_GRANT = re.compile(r"给予|奖励|补贴|补助|奖补|贴息|免征|减按|减免")
_TARGET_SECTION = re.compile(r"目标|指标|展望|愿景")
_REPORT_SECTION = re.compile(r"基础|成就|成效|回顾|现状|进展|形势")
_QUALITATIVE = re.compile(
    r"([^，。；：]{2,30}?)(基本建成|全面建成|基本形成|初步形成|基本实现|全面实现|显著提升|明显提升|大幅提升|显著增强|明显增强|明显提高|显著提高|大幅提高|更加完善|基本消除|取得(?:显著|明显|重大|积极|实质性)?(?:成效|进展|突破))"
)
_CITY = re.compile(r"[\u4e00-\u9fff]{2,4}?[市县]")
_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,6}?(?:省|市|县|州|区))")


def _section_kind(ctx: Context, node: Node) -> str | None:
    for a in [node] + ctx.ancestors(node):
        title = a.title or ""
        if a.kind in ("chapter", "section", "heading", "part") and title:
            if _TARGET_SECTION.search(title):
                return "target"
            if _REPORT_SECTION.search(title):
                return "statistic"
    return None


def _title_place(ctx: Context, node: Node) -> str | None:
    """The place a document (or the attached plan the node is in) is about."""
    titles = [a.title for a in ctx.ancestors(node) if a.kind == "attachment" and a.title] + [ctx.doc.title or ""]
    for title in titles:
        about = re.split(r"关于(?:印发|转发)?", title, maxsplit=1)[-1]
        m = _PLACE.match(about)
        if m and not m.group(1).endswith("区"):
            return m.group(1)
    # A document about one place names it again and again (梅河口市 in its own plan).
    counts = Counter(_CITY.findall(ctx.doc.text))
    if counts:
        place, n = counts.most_common(1)[0]
        if n >= 5:
            return place
    m = _PLACE.match(ctx.doc.issuer or "")
    return m.group(1) if m else None


def _scope(ctx: Context, node: Node, sentence: str) -> str | None:
    place = _title_place(ctx, node)
    if "全省" in sentence:
        return place if place and place.endswith("省") else "全省"
    if "全市" in sentence:
        return place if place and place.endswith("市") else "全市"
    return place


def _indicator(text: str, s_start: int, q: Quantity) -> tuple[str | None, int]:
    """The indicator for quantity q in sentence text (offsets relative to the sentence)."""
    clauses = list(re.finditer(r"[^，、；：]+", text[: q.start - s_start]))
    pos = q.start - s_start
    for m in reversed(clauses):
        phrase = _TIME.sub("", m.group().strip())
        phrase = _LEAD_VERB.sub("", phrase).strip("“”")
        phrase = re.sub(r"(?:翻一番|翻两番)$", "", phrase).strip()
        if len(phrase) >= 2 and not re.fullmatch(r"[\d.％%]+.*", phrase):
            return phrase, s_start + m.start() + (len(m.group()) - len(m.group().lstrip()))
    # "新增25000户“个转企”企业": what is counted comes after the number.
    after = re.match(r"[“”\"]?([^，。；、（]{2,20})", text[q.end - s_start :])
    if after:
        return after.group(1).strip("“”\""), q.start
    return None, q.start


def _inside_name(text: str, q: Quantity) -> bool:
    """'2小时通达圈', '3个中心': a number running on into a noun names something."""
    nxt = text[q.end : q.end + 1]
    return bool(nxt) and "\u4e00" <= nxt <= "\u9fff" and nxt not in "的和及与或"


def _is_date_like(q: Quantity) -> bool:
    return q.unit in ("年", "月", "日")


def _shared_indicators(sent: str, s: int, qs: list[Quantity]) -> dict[int, tuple[str, int]]:
    """'地区生产总值和财政收入分别达到217亿元和28.56亿元': the n-th indicator goes with the n-th value."""
    out: dict[int, tuple[str, int]] = {}
    for qi, q in enumerate(qs):
        before = sent[: q.start - s]
        m = re.search(r"([^，。；：]{2,40}?)分别(?:达到|为|增长|提高到|增长到|达)?$", before)
        if not m:
            continue
        names = [n for n in re.split(r"和|、|与|及", _TIME.sub("", m.group(1))) if n]
        group = [qi]
        j = qi + 1
        while j < len(qs) and len(group) < len(names) and re.fullmatch(r"[和、与及]", sent[qs[j - 1].end - s : qs[j].start - s]):
            group.append(j)
            j += 1
        if len(group) == len(names) > 1:
            start = s + m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
            for name, k in zip(names, group):
                out[k] = (name.strip("“”"), start)
        break
    return out


def extract_targets(ctx: Context) -> list[Extraction]:
    out: list[Extraction] = []
    for node in ctx.doc.nodes:
        if node.kind not in ("paragraph", "item", "bullet", "heading", "box_item"):
            continue
        section = _section_kind(ctx, node)
        para_year = None
        for s, e, sent in sentences(node.text, node.start):
            if _GRANT.search(sent):
                continue
            years = years_in(sent)
            period = period_end(sent)
            forward = bool(_FORWARD.search(sent)) or section == "target"
            year = next((y for y, ys, _ in years if re.search(r"(?:到|至)\s*$", sent[max(ys - 3, 0) : ys])), None)
            if year is None and period:
                year = period
            if year is None and years:
                year = years[0][0]
            if forward and year:
                para_year = year
            elif forward and year is None:
                year = para_year
            found = False
            qs = [q for q in quantities(ctx.doc.text, s, e) if not _is_date_like(q) and not _inside_name(ctx.doc.text, q)]
            shared = _shared_indicators(sent, s, qs)
            for qi, q in enumerate(qs):
                kind = "target" if forward else ("statistic" if (years or section == "statistic" or period) else None)
                if kind is None:
                    continue
                indicator, i_start = shared[qi] if qi in shared else _indicator(sent, s, q)
                if not indicator:
                    continue
                found = True
                clause_before = sent[: q.start - s]
                baseline = None
                if "翻一番" in clause_before[-12:] and q.value:
                    baseline = {"value": q.value / 2, "unit": q.unit, "year": None}
                attr = _ATTRIBUTE.search(sent)
                out.append(
                    ctx.record(
                        kind,
                        node,
                        min(i_start, q.start),
                        q.end,
                        indicator=indicator,
                        value=q.value,
                        value_max=q.value_max,
                        unit=q.unit,
                        comparator=q.comparator,
                        year=year if kind == "target" else (period or year),
                        baseline=baseline,
                        scope=_scope(ctx, node, sent),
                        attribute=attr.group(1) if attr else None,
                        aspirational=bool(_ASPIRATION.search(clause_before)),
                    )
                )
            if not found and section == "target" and year:
                for m in _QUALITATIVE.finditer(sent):
                    indicator = _TIME.sub("", m.group(1)).strip("“” ")
                    if len(indicator) < 2:
                        continue
                    out.append(
                        ctx.record(
                            "target", node, s + m.start(1), s + m.end(), indicator=indicator, value=None, value_max=None,
                            unit=None, comparator=None, year=year, baseline=None, scope=_scope(ctx, node, sent),
                            attribute=None, aspirational=bool(_ASPIRATION.search(sent[: m.start()])),
                        )
                    )
    return out
