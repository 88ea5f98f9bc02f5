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
from .numbers import Quantity, period_end, period_ends, plan_start, quantities, years_in

_VERBS = (
    "压缩到|压缩至|缩短到|缩短至|减少至|提升至|提高至|增加至|增长至|扩大至|提高到|提升到|增长到|增加到|扩大到|发展到|下降到|降低到|控制在|保持在|稳定在|降至|减少到|突破|达到|超过|实现|完成|累计|新增|增长|提高|增加|下降|减少|达|为|至|到"
)
_LEAD_VERB = re.compile(rf"(?:{_VERBS})+$")
_TIME = re.compile(
    r"^(?:(?:力争|争取|努力|预计|计划)?\s*(?:到|至|在|于)?\s*(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年(?:底|末|前)?\s*[，,]?|“?十[一二三四五六七八九]五”?(?:期末|时期|期间|末)[，,]?|力争|争取|努力|全省|全市|全县|其中|同时|并|使|将|计划)+"
)
_FORWARD = re.compile(r"(?:到|至)\s*(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年|力争|争取|目标|期末|以上的?目标|将达到|预计|今年|明年|"
                      r"拟(?:安排|按|新增|发行|实施)|确保")
# A document that reports throughout: a statistical communiqué (its year is in its title).
_COMMUNIQUE = re.compile(r"统计公报|国民经济和社会发展(?:情况)?的?公报")
_ASPIRATION = re.compile(r"力争|争取|努力")
_ATTRIBUTE = re.compile(r"(预期性|约束性)")
_GRANT = re.compile(r"给予|奖励|补贴|补助|奖补|贴息|免征|减按|减免")
_TARGET_SECTION = re.compile(r"目标|指标|展望|愿景")
# Sections that report what was achieved (发展基础, “十三五”成就); not 基础设施 or 基础教育.
_REPORT_SECTION = re.compile(r"(?:发展|现实|工作|良好)基础|基础条件|成就|主要成效|取得的成效|回顾|现状|发展形势")
_ACHIEVE = (
    r"(?:进一步|不断|持续|稳步|明显|显著|大幅|全面|基本|初步|逐步|逐年|充分|更加|更为|得到|科学)?"
    r"(?:提升|提高|增强|完善|改善|健全|优化|释放|显现|向好|增加|合理|更高|巩固|深化|消除|建成|形成|覆盖全市|全覆盖|治理)"
)
_QUAL_CLAUSE = [
    # 率先成为X / 建成X / 打造成为X / 将A建设成为X / 形成X / 实现X: the goal is X
    re.compile(r"^(?:努力|力争)?(?:将|把)[^，。；]{2,20}?(?:建设|打造)成为(?P<x>[^，。；]{2,60})$"),
    re.compile(r"^(?:率先|努力|力争)?(?:成为|建成|打造成为|建设成为)(?P<x>[^，。；]{2,60})$"),
    re.compile(r"^(?:与[^，。；]{1,10}同步)?(?:率先|全面|基本)*实现(?P<x>[^，。；]{4,60})$"),
    re.compile(r"^(?:基本|初步|全面|加快)?形成(?P<x>[^，。；]{4,60})$"),
    # X基本建成 / X显著提升 / X取得重大进展 / X位于全省前列 / X成效显著: the goal is X
    re.compile(r"^(?P<x>[^，。；]{2,50}?)(?:实现|达到)[^，。；]{0,12}全覆盖$"),
    re.compile(rf"^(?P<x>[^，。；]{{2,50}}?){_ACHIEVE}$"),
    re.compile(r"^(?P<x>[^，。；]{2,50}?)(?:明显|显著|大幅|快速|稳步)发展$"),
    re.compile(r"^(?P<x>[^，。；]{2,50}?)(?:取得|实现)(?:显著|明显|重大|积极|实质性)?(?:成效|进展|突破)$"),
    re.compile(r"^(?P<x>[^，。；]{2,50}?)成效(?:显著|明显)$"),
    re.compile(r"^(?P<x>[^，。；]{2,50}?)(?:达到|位于|处于|进入|位居)(?:全省|省内|全国|国内)?(?:前列|领先水平|成熟期|先进水平)$"),
]
_NOT_GOAL = re.compile(r"^(?:为|以|围绕|按照|坚持|推动|加快|推进|深化|实施|加强|明确)|目标$|[《》]")
_CITY = re.compile(r"[\u4e00-\u9fff]{2,4}?[市县]")
_PLACE = re.compile(r"^([\u4e00-\u9fff]{1,6}?(?:省|市|县|州|区))")


_LEADING = re.compile(r"^(?:逐步|进一步|继续|持续|全力|累计|将|把|使|让|推动|促进)+")


def _clean_indicator(s: str) -> str:
    """Strip leading adverbs and unbalanced quote marks, keep balanced ones (“首贷户”)."""
    s = _LEADING.sub("", s.strip())
    if s.startswith("“") and s.count("“") > s.count("”"):
        s = s[1:]
    if s.endswith("”") and s.count("”") > s.count("“"):
        s = s[:-1]
    if s.startswith("”"):
        s = s[1:]
    return s.strip()


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
    titles = tuple(a.title for a in ctx.ancestors(node) if a.kind == "attachment" and a.title) + (ctx.doc.title or "",)
    key = ("place", titles)
    if key not in ctx.memo:
        ctx.memo[key] = _place_of(ctx, titles)
    return ctx.memo[key]


def _place_of(ctx: Context, titles: tuple[str, ...]) -> str | None:
    for title in titles:
        about = re.split(r"关于(?:印发|转发)?", title, maxsplit=1)[-1]
        m = _PLACE.match(about)
        if m and not m.group(1).endswith("区"):
            return m.group(1)
    # A document about one place names it again and again (a city's own plan names the city).
    counts = Counter(_CITY.findall(ctx.doc.text))
    if counts:
        place, n = counts.most_common(1)[0]
        if n >= 5:
            return place
    m = _PLACE.match(ctx.doc.issuer or "")
    return m.group(1) if m else None


def _without_place(ctx: Context, node: Node, indicator: str) -> str:
    """'某市科技竞争力' in 某市's own plan → '科技竞争力' (the place is the scope, not part of the indicator)."""
    place = _title_place(ctx, node)
    if place and indicator.startswith(place) and len(indicator) > len(place) + 1:
        return indicator[len(place) :]
    return indicator


def _scope(ctx: Context, node: Node, sentence: str) -> str | None:
    place = _title_place(ctx, node)
    if place and place.endswith("省"):
        return "全省"  # a provincial document sets goals for the whole province
    if place:
        return place
    for word in ("全省", "全市", "全县"):
        if word in sentence:
            return word
    return None


def _indicator(text: str, s_start: int, q: Quantity) -> tuple[str | None, int]:
    """The indicator for quantity q in sentence text (offsets relative to the sentence)."""
    clauses = list(re.finditer(r"[^，、；：]+", text[: q.start - s_start]))
    for m in reversed(clauses):
        phrase = _TIME.sub("", m.group().strip())
        phrase = _clean_indicator(_LEAD_VERB.sub("", phrase))
        phrase = re.sub(r"(?:翻一番|翻两番|翻了一番|(?:扩大|增加|增长|提高)(?:了)?[一二两三]倍)$", "", phrase).strip()
        if len(phrase) >= 2 and not re.fullmatch(r"[\d.％%]+.*", phrase):
            return phrase, s_start + m.start() + (len(m.group()) - len(m.group().lstrip()))
    # "新增25000户“个转企”企业": what is counted comes after the number.
    after = re.match(r"[“”\"]?([^，。；、（]{2,20})", text[q.end - s_start :])
    if after:
        return _clean_indicator(after.group(1)), q.start
    return None, q.start


_COUNTERS = {"户", "个", "家", "项", "所", "座", "条", "处", "件", "台", "套", "辆", "张", "床", "人", "万人", "万户", "名"}
_COUNTED = re.compile(r"[“”\"]?[\u4e00-\u9fff][^，。；、：（]{1,25}")


def _reference_year(ctx: Context) -> int | None:
    """The year the document speaks from: its date (a communiqué: the year it reports on),
    else the first year of the period its title or opening names (（2021—2025年） → 2021)."""
    if _COMMUNIQUE.search(ctx.doc.title or "") and years_in(ctx.doc.title or ""):
        return years_in(ctx.doc.title or "")[0][0]
    if ctx.doc.date:
        return int(ctx.doc.date[:4])
    head = (ctx.doc.title or "") + ctx.doc.text[:300]
    m = re.search(r"(\d{4})\s*[—\-－~至到]\s*\d{4}\s*年", head)
    if m:
        return int(m.group(1))
    return plan_start(head)  # 第十四个五年规划 → 2021


def _report_year(ctx: Context, node: Node, sentence_start: int, section: str | None, doc_year: int | None) -> int | None:
    """The year a reported value is for, when its sentence names none.

    Nearest first: a year or plan period named earlier in the paragraph
    (“十三五”期间，…), then in the headings above it (“十三五”时期发展成就);
    else, in a plan's review section, the year before the plan's first year:
    a plan written for 2021–2025 reports where things stood at the end of 2020.
    """
    before = ctx.doc.text[node.start : sentence_start]
    ys = years_in(before)
    if period_end(before) or ys:
        return period_end(before) or ys[-1][0]
    for a in ctx.ancestors(node):
        title = a.title or a.text
        if a.kind in ("chapter", "section", "heading", "part") and (period_end(title) or years_in(title)):
            return period_end(title) or years_in(title)[0][0]
    if section == "statistic" and doc_year:
        return doc_year - 1
    return None


def _goal_year(text: str, doc_year: int | None) -> int | None:
    """到2025年 / “十四五”期末 / 5年内 (counted from the document's year)."""
    for y, ys, _ in years_in(text):
        if re.search(r"(?:到|至)\s*$", text[max(ys - 3, 0) : ys]):
            return y
    ends = period_ends(text)
    if ends:
        return max(ends)  # a goal is for the latest period named (“十三五”成就和“十四五”目标 → 2025)
    m = re.search(r"(\d{1,2})\s*年内", text)
    if m and doc_year:
        return doc_year + int(m.group(1))
    if doc_year and re.search(r"今年|本年度", text):
        return doc_year
    if doc_year and "明年" in text:
        return doc_year + 1
    return None


# A plan's title (规划, 纲要, 行动计划, 实施方案 …) and the verbs its goals are stated with.
_PLAN_DOC = re.compile(r"规划|纲要|行动计划|行动方案|实施方案|工作方案|三年行动")
_GOAL_VERB = re.compile(r"(?:控制在|稳定在|保持在|提高到|提高至|提升到|提升至|达到|降至|降到|突破)\s*[\d.]+")
# What a plan for the year does (2021年建设1亿亩…, 全年完成3200亿元); a bare 2021年常住人口61.68万人 states a fact.
_PLAN_VERB = re.compile(r"建设|新建|新增|完成|建成|培育|开工|实施|打造|力争|确保|实现|引进|开展|推动|安排|发行|投入")


_BASE_YEAR_BEFORE = re.compile(r"(?:较|比|相比|相较|与|同)\s*$")
_OWN_YEAR = re.compile(r"(\d{4})\s*年(?:底|末|年底|年末)?的?\s*$")


def _own_year(text: str, q: Quantity) -> int | None:
    """The year written right before a value (增加到2021年的5481万公里, 2025年达到…): that value's year."""
    m = _OWN_YEAR.search(text, max(0, q.start - 9), q.start)
    if not m or _BASE_YEAR_BEFORE.search(text, max(0, q.start - 12), q.start - len(m.group(0))):
        return None
    y = int(m.group(1))
    return y if 1949 <= y <= 2100 else None


def past_words(sent: str) -> bool:
    """Words of a report: 完成了, 实现了, 已, 同比, 比上年 (a value reached, not one planned)."""
    return bool(re.search(r"了|已经|已|同比|比上年|较上年|上年|去年", sent))


def _plan_end(ctx: Context) -> int | None:
    """The last year of the period the document's title names: （2025—2030年） → 2030, “十四五”规划 → 2025."""
    key = ("plan_end",)
    if key not in ctx.memo:
        title = ctx.doc.title or ""
        m = re.search(r"\d{4}\s*[—\-－~至到]\s*(\d{4})\s*年", title)
        start = plan_start(title)
        one = years_in(title)  # 关于做好2023年…工作的意见: the year it plans for
        ctx.memo[key] = int(m.group(1)) if m else (start + 4 if start else (one[0][0] if len(one) == 1 else None))
    return ctx.memo[key]


def _heading_year(ctx: Context, node: Node, doc_year: int | None) -> int | None:
    """A goal year the headings above the node state (（三）工作目标。到2020年… / 2023年重点任务)."""
    for a in ctx.ancestors(node):
        if a.kind in ("chapter", "section", "heading", "part", "item", "attachment"):
            y = _goal_year(a.title or "", doc_year)
            if y is None:
                ys = years_in(a.title or "")
                y = ys[0][0] if ys and (doc_year is None or ys[0][0] >= doc_year) else None
            if y:
                return y
    return None


def _lead(ctx: Context, node: Node, doc_year: int | None) -> tuple[bool, int | None]:
    """(forward, year) a list's lead sentence gives the items under it: 到2023年，…达到以下目标：——…"""
    key = ("lead", node.id)
    if key in ctx.memo:
        return ctx.memo[key]
    out = (False, None)
    if ("node_index",) not in ctx.memo:  # list.index per node would make this quadratic in long plans
        ctx.memo[("node_index",)] = {n.id: k for k, n in enumerate(ctx.doc.nodes)}
    i = ctx.memo[("node_index",)][node.id]
    for prev in reversed(ctx.doc.nodes[max(0, i - 12):i]):
        if prev.kind in ("chapter", "section", "part", "attachment") or (prev.kind == "heading" and prev.parent == node.parent):
            break
        t = prev.text.rstrip()
        if t.endswith(("：", ":")) and prev.parent in (node.parent, node.id) or t.endswith(("：", ":")) and node.parent == prev.id:
            last = t.rsplit("。", 1)[-1]
            if _FORWARD.search(last):
                out = (True, _goal_year(last, doc_year) or (years_in(last)[0][0] if years_in(last) else None))
            break
    ctx.memo[key] = out
    return out


def _inside_name(text: str, q: Quantity) -> bool:
    """'2小时通达圈': a measure running on into a noun names something (but
    '1000户省级“专精特新”中小企业' counts what follows it)."""
    nxt = text[q.end : q.end + 1]
    return bool(nxt) and "\u4e00" <= nxt <= "\u9fff" and nxt not in "的和及与或" and q.unit not in _COUNTERS


def _counted(text: str, q: Quantity) -> re.Match | None:
    """The noun a counter counts: 1000户 → 省级“专精特新”中小企业."""
    if q.unit not in _COUNTERS:
        return None
    return _COUNTED.match(text, q.end)


def _not_a_goal(text: str, sent: str, s: int, q: Quantity) -> bool:
    """Grant amounts, qualifiers (1000万元以下（含）的贷款), conditions (对月销售额…), titles."""
    clause = _clause(sent, s, q)
    after = re.sub(r"^[（(]含[^）)]*[）)]", "", text[q.end : q.end + 6])
    ordinal = text[max(q.start - 1, 0) : q.start] == "第"
    return bool(ordinal or _GRANT.search(clause) or after.startswith("的") or clause.startswith("对") or "《" in clause or "》" in clause)


def _clause(sent: str, s: int, q: Quantity) -> str:
    i = q.start - s
    a = max(sent.rfind(c, 0, i) for c in "，；：") + 1
    ends = [j for j in (sent.find(c, i) for c in "，；。") if j >= 0]
    return sent[a : min(ends) if ends else len(sent)]


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
        # 城镇和农村居民人均可支配收入: a short first name shares the last one's head.
        last = names[-1] if names else ""
        names = [n + last[len(n):] if len(n) <= 3 < len(last) and i < len(names) - 1 else n for i, n in enumerate(names)]
        group = [qi]
        j = qi + 1
        while j < len(qs) and len(group) < len(names) and re.fullmatch(r"[和、与及]", sent[qs[j - 1].end - s : qs[j].start - s]):
            group.append(j)
            j += 1
        if len(group) == len(names) > 1:
            start = s + m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
            for name, k in zip(names, group):
                out[k] = (_clean_indicator(name), start)
        break
    return out


def _qualitative(ctx: Context, node: Node, s: int, sent: str, year: int | None, quantified: bool) -> list[Extraction]:
    """Qualitative goals of a 目标 section, one per clause with an achievement predicate."""
    out = []
    for m in re.finditer(r"[^，。；]+", sent):
        clause = m.group()
        start = m.start()
        lead = _TIME.match(clause)
        if lead and not _QUAL_CLAUSE[0].match(clause):  # keep 将 of 将A建设成为X
            clause, start = clause[lead.end() :], start + lead.end()
        if not clause or _NOT_GOAL.search(clause) or quantities(clause):
            continue
        for pat in _QUAL_CLAUSE:
            g = pat.match(clause)
            if g:
                indicator = _without_place(ctx, node, _clean_indicator(g.group("x")))
                if len(indicator) >= 2:
                    out.append(
                        ctx.record(
                            "target", node, s + start, s + m.end(), indicator=indicator, value=None, value_max=None,
                            unit=None, comparator=None, year=year, baseline=None, scope=_scope(ctx, node, sent),
                            attribute=None, aspirational=bool(_ASPIRATION.search(sent[: m.start()])),
                        )
                    )
                break
    return out


def extract_targets(ctx: Context) -> list[Extraction]:
    out: list[Extraction] = []
    communique = bool(_COMMUNIQUE.search(ctx.doc.title or ""))
    plan_doc = bool(_PLAN_DOC.search(ctx.doc.title or "")) and not communique
    for node in ctx.doc.nodes:
        if node.kind not in ("paragraph", "item", "bullet", "heading", "box_item"):
            continue
        section = "statistic" if communique else _section_kind(ctx, node)
        doc_year = _reference_year(ctx)
        # A goal year stated anywhere in the paragraph covers its sentences (到“十四五”期末 …).
        para_year = _goal_year(node.text, doc_year)
        lead_forward, lead_year = _lead(ctx, node, doc_year) if section != "statistic" else (False, None)
        carry: tuple[bool, int | None] = (lead_forward, lead_year)  # a lead sentence ending in ：covers what follows
        for s, e, sent in sentences(node.text, node.start):
            years = years_in(sent)
            period = period_end(sent)
            forward = (bool(_FORWARD.search(sent)) and section != "statistic") or section == "target" or carry[0]
            if not forward and section != "statistic" and plan_doc and _GOAL_VERB.search(sent) and not past_words(sent):
                forward = True  # a plan states its goals as 控制在/稳定在/提高到…: 蓝绿空间占比稳定在70%
            if not forward and section != "statistic" and doc_year is not None and not communique:
                # a plan for this year or later (2021年建设1亿亩… in a 2021 document; 全年完成3200亿元)
                bare = re.sub(r"《[^》]*》", "", sent)  # 《实施方案》 names a document, it plans nothing
                forward = not past_words(bare) and bool(_PLAN_VERB.search(bare)) and (
                    any(y >= doc_year for y, _a, _b in years) or bool(re.search(r"全年|年内", sent)))
            year = _goal_year(sent, doc_year)
            stated = [y for y in years if not _BASE_YEAR_BEFORE.search(sent[max(0, y[1] - 3): y[1]])]
            if year is None and stated:
                year = stated[0][0]  # not a comparison's base year (较2010年翻一番, 比2020年下降)
            if year is None and forward and doc_year and re.search(r"全年|年内|当年", sent):
                year = doc_year
            if forward and year is None:
                year = para_year or carry[1] or _heading_year(ctx, node, doc_year) or _plan_end(ctx)
            if forward and section != "statistic":
                head, colon, _rest = sent.partition("：")
                if sent.rstrip().endswith(("：", ":")) or (colon and _FORWARD.search(head)):
                    carry = (True, year)  # 目标是：A；B；C。 — the list runs to the full stop
                elif sent.rstrip().endswith("。") and not lead_forward:
                    carry = (False, None)
            found = False
            qs = [
                q for q in quantities(ctx.doc.text, s, e)
                if not _is_date_like(q) and not _inside_name(ctx.doc.text, q) and not _not_a_goal(ctx.doc.text, sent, s, q)
            ]
            shared = _shared_indicators(sent, s, qs)
            past = section == "statistic" or (doc_year is not None and any(y < doc_year for y, _a, _b in years)) or (
                period is not None and doc_year is not None and period < doc_year
            )
            for qi, q in enumerate(qs):
                kind = "target" if forward else ("statistic" if past else None)
                if kind is None:
                    continue
                counted = None if qi in shared else _counted(ctx.doc.text, q)
                end = q.end
                if counted:
                    # The thing counted follows: the quote runs from the verb to it.
                    verb = re.search(r"(?:培育|新增|建设|建成|打造|引进|发展|认定|扶持|创建|支持)$", sent[: q.start - s])
                    measure = "新增" if verb and verb.group() == "新增" else ""  # 新增X is the measure; 培育X is an action on X
                    indicator, end = measure + _clean_indicator(counted.group()), counted.end()
                    i_start = s + verb.start() if verb else q.start
                else:
                    indicator, i_start = shared[qi] if qi in shared else _indicator(sent, s, q)
                if not indicator:
                    continue
                indicator = _without_place(ctx, node, indicator)
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
                        end,
                        indicator=indicator,
                        value=q.value,
                        value_max=q.value_max,
                        unit=q.unit,
                        comparator=q.comparator,
                        year=_own_year(ctx.doc.text, q) or (year if kind == "target" else (
                            period or year or (doc_year if communique else None) or _report_year(ctx, node, s, section, doc_year))),
                        baseline=baseline,
                        scope=_scope(ctx, node, sent),
                        attribute=attr.group(1) if attr else None,
                        aspirational=bool(_ASPIRATION.search(clause_before)),
                    )
                )
            if section == "target":
                out.extend(_qualitative(ctx, node, s, sent, year, found))
    return out
