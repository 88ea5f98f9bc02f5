"""duty: a task and the units that carry it.

Sources: the responsibility tag the structure stage kept on each item
(（责任单位：A、B）, （A负责，B配合）, （A、B按职责分工负责）) and prose such as
由A牵头，B配合.
"""

from __future__ import annotations

import re

from ..model import Extraction, Node
from ..structure.outline import RESPONSIBILITY_TAG, TAG_LABEL
from .base import Context
from .numbers import deadline

_LABELLED = re.compile(rf"^{TAG_LABEL}\s*[:：]\s*(.+)$")
# 牵头单位：A；配合单位：B — a lead part and a support part, each labelled.
_LABELLED_PAIR = re.compile(r"^(?:牵头(?:责任)?单位|牵头部门|责任单位)\s*[:：]\s*(.+?)\s*[；;，,]\s*(?:配合|协同(?:责任)?|参与|责任)(?:单位|部门)\s*[:：]\s*(.+)$")
_LABEL_INSIDE = re.compile(rf"{TAG_LABEL}\s*[:：]")
# A note that explains the tags (列第一位者为牵头单位，下同) is not a unit.
_TAG_NOTE = re.compile(r"[。；;，,]?\s*(?:列第一位者?为牵头单位|排在第一位的为牵头单位|第一个为牵头单位)[^）)]*$|[。；;，,]\s*下同$")
# A labelled tag written into the sentence, without brackets: …持续推进，牵头考核单位：市审计局。
_INLINE_LABEL = re.compile(rf"(?:^|(?<=[，。；,;]))\s*({TAG_LABEL})\s*[:：]\s*([^。；;（）()]{{2,200}})")
# （A负责，B配合） （A牵头，B配合） （由A牵头负责，B参与）
_LEAD_SUPPORT = re.compile(r"^由?(.+?)(?:牵头负责|牵头|负责)\s*[，,；;]\s*(.+?)(?:等部门|等单位)?(?:配合|参与|协助)$")
_BY_DUTY = re.compile(r"^由?(.+?)(?:按照?职责分工|按照?职责|依职责|分别|共同)?(?:牵头负责|牵头|负责)$")
_PROSE = re.compile(r"由([^，。；（）]{2,40}?)牵头(?:[，,]\s*([^，。；]{2,80}?)(?:等部门|等单位)?(?:参与|配合))?")
# "省…领导小组负责…", "领导小组办公室（省工业和信息化厅）负责…": a unit opening a clause and taking charge.
_PROSE_IN_CHARGE = re.compile(
    r"(?:^|(?<=[。；，：\s]))((?:[^，。；（）\s]|（[^（）]{1,12}）){2,30}?(?:领导小组|小组|办公室|委员会|管委会|人民政府|政府|厅|局|委|部|署|"
    r"总局|银行|中心|机构|部门|单位)(?:（[^（）]{2,20}）)?)(?:要|应当|应)?(?:牵头负责|牵头|负责|会同|承担|承办)"
)
# 各地要… / 各有关部门要按照职责分工… / 省卫生健康委、省发展改革委要加强…: units told what to do.
_PROSE_MUST = re.compile(
    r"(?:^|(?<=[。；\s]))([\u4e00-\u9fff、]{2,40}?(?:人民政府|政府|厅|局|委|部|办|中心|部门|单位))要(?=[\u4e00-\u9fff]{2})"
)
# 各地要…, 各责任单位要…: everyone is asked, no unit is answerable (not a duty a register can follow).
_EVERYONE = re.compile(r"^(?:各|有关|相关|全省|全市|各级)")
# A tag inside a paragraph that tags each of its measures: …措施一。（A负责）措施二。（B负责）
_TAG_INSIDE = re.compile(rf"(?<=[。；;])\s*([（(〔](?:{TAG_LABEL}[:：][^（）()〔〕]{{2,200}}|[^（）()〔〕]{{2,120}}?(?:负责|配合|牵头)[^（）()〔〕]{{0,40}})[）)〕])")
_ENUMERATOR = re.compile(r"^(?:[（(]\d{1,2}[）)]|\d{1,2}[.．、]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])\s*")
# Not a duty: a unit named inside a longer phrase (建立由政府负责…, 建立市场监管部门牵头的联席会议制度).
_NOT_IN_CHARGE = re.compile(r"^(?:建立|健全|完善|形成|实行|实施|推行|坚持|按照|根据|依照|经)")
_TRAILING = re.compile(r"(?:等部门|等单位|等)$")


# What the name of a responsible unit ends with; a part that does not is the
# first half of a unit written with a 、 inside (所在地市〔州〕、县〔市〕政府).
_UNIT_END = re.compile(
    r"(?:政府|厅|局|委|会|办|行|署|院|部|中心|单位|小组|组|处|室|公司|集团|海关|支行|机构|部门|法院|检察院|党委|团委|联|社)$"
)
_BRACKETS = {"（": "）", "(": ")", "〔": "〕", "[": "]"}
_TAIL_BRACKET = re.compile(r"[（(〔\[][^（）()〔〕\[\]]*[）)〕\]]$")


def split_units(s: str) -> list[str]:
    """'省科技厅（省外国专家局）、省财政厅' → two units; brackets are never split;
    '等部门及' and '及' between two unit names separate them too."""
    s = re.sub(r"等(?:部门|单位)?(?:和|及)(?=各|省|市|县|有关)", "、", s.strip())  # A、B等和各有关省级人民政府
    s = re.sub(r"等(?:部门|单位)(?=及|和|、|$)", "", s)
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch in _BRACKETS:
            depth += 1
        elif ch in _BRACKETS.values():
            depth -= 1
        if ch in "、，,；;及" and depth == 0:
            parts.append(("".join(cur), ch))
            cur = []
        else:
            cur.append(ch)
    parts.append(("".join(cur), ""))
    out: list[str] = []
    pending = ""
    for text, sep in parts:
        unit = pending + text.strip()
        named = _UNIT_END.search(_TAIL_BRACKET.sub("", unit))  # 省科技厅（省外国专家局） is named
        if sep and sep in "、，,及" and not named:
            pending = unit + sep  # the separator is inside one unit's name
            continue
        pending = ""
        if unit:
            out.extend(_distribute(_TRAILING.sub("", unit)))
    if pending.rstrip("、，,及"):
        out.append(pending.rstrip("、，,及"))
    return out


_SHARED_SUFFIX = re.compile(r"^((?:[\u4e00-\u9fff]{2,8}?[省市县区州]、)+)([\u4e00-\u9fff]{2,8}?[省市县区州])((?:人民)?政府)$")


def _distribute(unit: str) -> list[str]:
    """'长春市、吉林市政府' → ['长春市政府', '吉林市政府'] (a suffix shared by a list of places)."""
    m = _SHARED_SUFFIX.match(unit)
    if not m:
        return [unit]
    places = m.group(1).rstrip("、").split("、") + [m.group(2)]
    return [p + m.group(3) for p in places]


def parse_tag(tag: str) -> tuple[list[str], list[str]]:
    """(lead, support) from the inside of a responsibility tag."""
    tag = _TAG_NOTE.sub("", tag.strip()).strip()
    inside = _LABEL_INSIDE.search(tag)
    if inside and inside.start() > 0:
        tag = tag[inside.start():]  # 6月底完成，牵头考核单位：市卫健委: the tag starts at its label
    m = _LABELLED_PAIR.match(tag)
    if m:
        return split_units(m.group(1)), split_units(m.group(2))
    m = _LABELLED.match(tag)
    if m:
        return split_units(m.group(1)), []
    m = _LEAD_SUPPORT.match(tag)
    if m:
        return split_units(m.group(1)), split_units(m.group(2))
    m = _BY_DUTY.match(tag)
    if m:
        return split_units(m.group(1)), []
    return split_units(tag), []


def task_of(node: Node, ctx: Context, tag_start: int | None = None) -> str:
    """The task a responsibility tag is for: the item's run-in title, else the
    sentence the tag closes (a package of measures tags each sentence), else the
    node's opening words."""
    if node.title:
        return node.title
    body = node.text
    if node.label and body.startswith(node.label):
        body = body[len(node.label) :]
    offset = len(node.text) - len(body)
    if tag_start is not None:
        before = node.text[offset:tag_start].rstrip("。；;，, ")
        cut = max(before.rfind(c) for c in "。；;")
        sentence = before[cut + 1 :].strip().lstrip("．. ")
        if len(sentence) >= 4:
            return sentence
    m = re.match(r"[^，。；（]{2,60}", body.lstrip("．. "))
    return m.group(0) if m else body[:30]


def extract_duties(ctx: Context) -> list[Extraction]:
    out: list[Extraction] = []
    for node in ctx.doc.nodes:
        if node.kind not in ("item", "paragraph", "heading", "bullet", "box_item"):
            continue
        m = RESPONSIBILITY_TAG.search(node.text)
        if m:
            lead, support = parse_tag(m.group(0)[1:-1])
            before = node.text[: m.start()]
            s = node.start + m.start()
            out.append(ctx.record("duty", node, s, node.start + m.end(), task=task_of(node, ctx, m.start()), lead=lead, support=support, deadline=deadline(before)))
        for p in _INLINE_LABEL.finditer(node.text):
            if m and m.start() <= p.start() < m.end():
                continue
            lead = split_units(p.group(2))
            if lead:
                s = node.start + p.start(1)
                out.append(ctx.record("duty", node, s, node.start + p.end(2), task=task_of(node, ctx, p.start(1)), lead=lead,
                                      support=[], deadline=deadline(node.text[: p.start()])))
        for t in _TAG_INSIDE.finditer(node.text):
            if m and t.start(1) >= m.start():
                continue  # the closing tag, read above
            lead, support = parse_tag(t.group(1)[1:-1])
            if lead:
                out.append(ctx.record("duty", node, node.start + t.start(1), node.start + t.end(1),
                                      task=task_of(node, ctx, t.start(1)), lead=lead, support=support,
                                      deadline=deadline(node.text[: t.start(1)])))
        for p in _PROSE_MUST.finditer(node.text):
            if m and m.start() <= p.start() < m.end():
                continue
            units = split_units(p.group(1))
            if units and not _NOT_IN_CHARGE.match(p.group(1)) and not _EVERYONE.match(p.group(1)) \
                    and not any(c in p.group(1) for c in "“”《》的"):
                out.append(ctx.record("duty", node, node.start + p.start(1), node.start + p.end(1) + 1, task=task_of(node, ctx),
                                      lead=units, support=[], deadline=deadline(node.text[: p.start()])))
        prose_spans = [(p.start(), p.end()) for p in _PROSE.finditer(node.text)]
        for p in _PROSE_IN_CHARGE.finditer(node.text):
            if m and m.start() <= p.start() < m.end():
                continue  # inside the tag just read
            if any(a < p.end() and p.start(1) < b for a, b in prose_spans):
                continue  # 由A牵头，B配合: read below, with its support units
            unit, a = p.group(1), p.start(1)
            if "由" in unit and node.text[p.end() - 2 : p.end()] == "牵头":
                continue  # 由A牵头: _PROSE reads it (with its 配合 units, or leaves a modifier alone)
            if "由" in unit:  # …的具体指标由联合采购办公室负责: the unit is what follows 由
                cut = unit.rindex("由") + 1
                if _NOT_IN_CHARGE.search(unit[:cut]) or re.search(r"(?:建立|健全|形成|完善|构建)", unit[:cut]):
                    continue  # 建立由政府负责…的机制: a mechanism described, no duty assigned
                unit, a = unit[cut:], a + cut
            e = _ENUMERATOR.match(unit)
            if e:
                unit, a = unit[e.end():], a + e.end()
            unit = unit.strip()
            if len(unit) < 2 or _NOT_IN_CHARGE.match(unit) or any(c in unit for c in "“”《》的"):
                continue
            s = node.start + a
            out.append(ctx.record("duty", node, s, node.start + p.end(), task=task_of(node, ctx), lead=[unit], support=[], deadline=deadline(node.text[: p.start()])))
        for p in _PROSE.finditer(node.text):
            if (m and m.start() <= p.start() < m.end()) or node.text[p.end() : p.end() + 4].startswith(("制定的", "的")):
                continue  # inside the tag, or a modifier (由企业牵头制定的标准)
            lead = split_units(p.group(1))
            support = split_units(p.group(2)) if p.group(2) else []
            s = node.start + p.start()
            out.append(ctx.record("duty", node, s, node.start + p.end(), task=task_of(node, ctx), lead=lead, support=support, deadline=deadline(node.text[: p.start()])))
    return out
