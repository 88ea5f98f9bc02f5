"""The outline of one document: headings, numbered items, boxes, bullets, notes.

Levels follow the conventional rank of the numbering styles (第一篇 > 第一章 >
第一节 > 一、 > （一） > 1. > （1） > ①), not the markdown `#` count, which
OCR gets wrong.  A numbered line that is a short phrase is a heading; one that
goes on into sentences is an item whose run-in lead sentence is its title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..numbering import CAPTION, DEFAULT_RANK, RUN_IN_LABEL, SUPERSCRIPT_NOTE
from .paragraphs import Para

STYLE_KIND = {"pian": "part", "zhang": "chapter", "jie": "section", "tiao": "article"}
KINDS = (
    "title doc_number addressee signature date attachment toc part chapter section article "
    "heading item box box_item paragraph bullet footnote endnote caption"
).split()

_LEAD = re.compile(r"^(.{2,40}?)[。：:]")
_INNER = r"(?:[^（）()]|[（(][^（）()]{1,30}[）)])"  # allows one nested bracket: 省科技厅（省外国专家局）
# The labels of a responsibility tag, across provinces: 责任单位 / 牵头单位：…；配合单位：… / 负责部门 /
# 牵头部门 / 责任部门 / 牵头考核单位 / 主责单位 / 责任主体.
TAG_LABEL = r"(?:牵头责任单位|协同责任单位|牵头考核单位|责任单位|牵头单位|配合单位|负责部门|牵头部门|责任部门|主责单位|责任主体|责任处室|实施单位)"
RESPONSIBILITY_TAG = re.compile(
    rf"[（(〔](?:{TAG_LABEL}[:：]{_INNER}{{2,300}}|{_INNER}{{2,300}}?(?:负责|配合|牵头){_INNER}{{0,60}})[）)〕][。；;]?\s*$"
)
_NOTE_START = re.compile(r"^注(?:释)?\s*[:：]\s*")


@dataclass
class RawNode:
    para: int
    kind: str
    label: str | None
    title: str | None
    parent: int | None  # index into the node list
    attrs: dict = field(default_factory=dict)


def lead_sentence(text: str) -> str | None:
    """The run-in lead ("持续支持“个转企”。继续实施…" → 持续支持“个转企”)."""
    m = _LEAD.match(text)
    if m and len(text) > m.end() + 1:
        return m.group(1)
    return None


def build_outline(
    paras: list[Para], first: int, last: int, element_of: dict[int, str], containers: set[int] = frozenset()
) -> list[RawNode]:
    """`containers`: element paragraphs that hold the outline after them (an attached document's title)."""
    nodes: list[RawNode] = []
    stack: list[tuple[int, int]] = []  # (rank, node index)
    box: int | None = None
    notes_block = False

    def parent() -> int | None:
        return stack[-1][1] if stack else None

    for k in range(first, last):
        p = paras[k]
        text = p.text
        if not text:
            continue
        if k in element_of:
            nodes.append(RawNode(k, element_of[k], None, text if element_of[k] in ("title", "attachment") else None, None))
            if k in containers:
                # Rank -1: no numbering style pops it, so the attached outline nests under it; the next
                # attached document's title closes it (each attachment holds its own outline).
                stack.clear()
                stack.append((-1, len(nodes) - 1))
            continue
        if p.toc_page is not None:
            nodes.append(RawNode(k, "toc", p.marker.label if p.marker else None, _after_marker(p), None, {"page": p.toc_page}))
            continue
        # Notes: "注：①…" blocks and superscript footnotes.
        if _NOTE_START.match(text) or (notes_block and p.marker and p.marker.style == "circled"):
            notes_block = True
            m = re.match(r"^(?:注(?:释)?\s*[:：]\s*)?([①-⑳])", text)
            nodes.append(RawNode(k, "endnote", m.group(1) if m else None, None, None, {"marker": m.group(1) if m else None}))
            continue
        sm = SUPERSCRIPT_NOTE.match(text)
        if sm:
            nodes.append(RawNode(k, "footnote", sm.group(1), None, parent(), {"marker": sm.group(1)}))
            continue
        marker = p.marker
        if marker and marker.style == "box":
            title = text[marker.end :].lstrip(" ：:").strip() or None
            nodes.append(RawNode(k, "box", marker.label, title, parent()))
            box = len(nodes) - 1
            continue
        if box is not None and marker is None and _in_box(text):
            lm = RUN_IN_LABEL.match(text)
            nodes.append(RawNode(k, "box_item", None, lm.group(1) if lm else None, box))
            continue
        box = None
        if marker and marker.style != "box":
            rank = DEFAULT_RANK[marker.style]
            while stack and stack[-1][0] >= rank:
                stack.pop()
            if marker.style in STYLE_KIND:
                kind, title = STYLE_KIND[marker.style], _after_marker(p)
            elif p.heading_like:
                kind, title = "heading", _after_marker(p).rstrip("。．.")
            else:
                kind, title = "item", lead_sentence(text[marker.end :].lstrip())
            nodes.append(RawNode(k, kind, marker.label, title, parent(), {"style": marker.style}))
            stack.append((rank, len(nodes) - 1))
            _responsibility(nodes, len(nodes) - 1, text)
            continue
        if text.startswith("——"):
            nodes.append(RawNode(k, "bullet", "——", lead_sentence(text[2:].lstrip()), parent()))
            continue
        if CAPTION.match(text):
            nodes.append(RawNode(k, "caption", None, text, parent()))
            continue
        nodes.append(RawNode(k, "paragraph", None, lead_sentence(text), parent()))
        _responsibility(nodes, len(nodes) - 1, text)
    return nodes


def _after_marker(p: Para) -> str:
    return p.text[p.marker.end :].strip(" 　：:") if p.marker else p.text


def _in_box(text: str) -> bool:
    """Box content: 名称：内容 entries, lists of projects, short lines — not prose."""
    return bool(RUN_IN_LABEL.match(text)) or "。" not in text[:-1] or len(text) <= 30


def _responsibility(nodes: list[RawNode], idx: int, text: str) -> None:
    """Keep a trailing （责任单位：…）/（X负责，Y配合） tag on its numbered item."""
    m = RESPONSIBILITY_TAG.search(text)
    if not m:
        return
    owner = idx
    # A tag in a follow-on paragraph belongs to the item that paragraph continues.
    if nodes[owner].kind == "paragraph" and nodes[owner].parent is not None and nodes[nodes[owner].parent].kind == "item":
        owner = nodes[owner].parent
    nodes[owner].attrs.setdefault("responsibility", []).append(m.group(0)[1:-1])
