"""Reflow: hard-wrapped lines and page-break splits back into paragraphs.

Decides for each pair of neighbouring non-empty lines whether the second
continues the first.  It continues when the first ends mid-sentence and the
second does not open a new outline element (a numbered heading, a date, a
document number, a table row…).  In a hard-wrapped text (PDF text layers,
most lines the same width) a line that fills the width continues unless it
ends a sentence; a shorter one ends its paragraph.  A footnote printed at the foot of a page inside a split paragraph
is moved after the rejoined paragraph (the only place the map is not in source
order; the repair is counted as `footnote_moved`).
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from dataclasses import dataclass

from ..numbering import DATE_LINE, DOC_NUMBER, RUN_IN_LABEL, SUPERSCRIPT_NOTE, is_heading_like, match_marker
from ..textmap import MappedText
from .context import PassContext

TERMINAL = "。！？；：!?;…"
CLOSERS = "”’）)》」』】〕\"'"
_CONTINUES = "，、“‘（《〈—"
# Words that end self-contained short lines: captions, titles, signatures.
_UNIT_ENDINGS = tuple(
    "图 表 指标 目录 简介 说明 通知 意见 规划 纲要 方案 办法 决定 政策 措施 细则 报告 批复 公告 通告 函"
    " 规定 条例 规则 预案 公报 建议 决议 指南 指引 章程 计划 要点 通报"
    " 政府 办公厅 办公室 委员会 厅 局 部 院 中心".split()
)


@dataclass
class _Line:
    start: int
    end: int
    text: str
    width: float
    gap: int  # empty lines before it


def _width(s: str) -> float:
    """Printed width in full-width characters: ASCII counts half (C-speed count)."""
    s = s.strip()
    return len(s) - 0.5 * len(s.encode("ascii", "ignore"))


def _lines(text: str, origin, source: str) -> list[_Line]:
    """Non-empty lines; width is measured on the source line as it was printed
    (full-width digits and removed spaces still count where the wrap happened)."""
    out: list[_Line] = []
    pos = 0
    gap = 0
    for raw in text.split("\n"):
        if raw.strip():
            end = pos + len(raw)
            printed = source[origin[pos] : origin[end - 1] + 1] if source else raw
            out.append(_Line(pos, end, raw, _width(printed), gap))
            gap = 0
        else:
            gap += 1
        pos += len(raw) + 1
    return out


def _wrap_width(lines: list[_Line]) -> float | None:
    widths = Counter(round(ln.width) for ln in lines if ln.width >= 12)
    if not widths:
        return None
    w, _ = widths.most_common(1)[0]
    near = sum(n for k, n in widths.items() if w - 2 <= k <= w)
    if w <= 60 and near >= 0.4 * len(lines) and near >= 5:
        return float(w)
    return None


_TAIL_PAREN = re.compile(r"[（(][^（）()]*[）)]$")
_TAG_WORDS = re.compile(r"责任单位|牵头|负责|配合")


def _ends_sentence(s: str, full: bool = False) -> bool:
    s = s.rstrip()
    if not s:
        return True
    t = s.rstrip(CLOSERS)
    if not t:
        return True
    if s.count("（") + s.count("(") > s.count("）") + s.count(")"):
        return False  # inside brackets: （责任单位： goes on
    if t[-1] in TERMINAL:
        return True
    if s[-1] in "）)":
        # A closing bracket ends a unit when it closes a tag after a sentence
        # (。（责任单位：…）) or a short line (a title's years); inside a full
        # wrapped line it is just a bracket.
        m = _TAIL_PAREN.search(s)
        after_sentence = m is not None and (m.start() == 0 or s[m.start() - 1] in TERMINAL or _TAG_WORDS.search(m.group(0)))
        return bool(after_sentence) or not full
    return False


def _is_body(s: str) -> bool:
    return len(s) >= 10 and any(p in s for p in "，。；、：,;")


class _Decider:
    def __init__(self, ctx: PassContext, lines: list[_Line]):
        self.ctx = ctx
        self.width = _wrap_width(lines)

    def _hint(self, ln: _Line):
        return self.ctx.hint_at(ln.start)

    def opens_element(self, ln: _Line) -> bool:
        s = ln.text.strip()
        h = self._hint(ln)
        if h and (h.heading or h.table_row or h.toc_page is not None):
            return True
        if s.startswith(("——", "注：", "注:", "附件", "专栏")):
            return True
        if DATE_LINE.match(s) or (DOC_NUMBER.fullmatch(s)):
            return True
        return match_marker(s) is not None

    def closes_element(self, ln: _Line) -> bool:
        h = self._hint(ln)
        if h and (h.heading or h.table_row or h.hard_break or h.toc_page is not None):
            return True
        s = ln.text.strip()
        return bool(DATE_LINE.match(s) or DOC_NUMBER.fullmatch(s))

    def full(self, ln: _Line) -> bool:
        # Typeset lines fall short of the width by a few characters (first-line
        # indent, punctuation squeeze, a number that cannot be broken); titles
        # and signatures are far shorter.
        return self.width is not None and ln.width >= 0.75 * self.width

    def continues(self, para: list[_Line], b: _Line) -> bool:
        """Does line b continue the paragraph whose lines so far are `para`?"""
        a = para[-1]
        if self.closes_element(a) or self.opens_element(b):
            return False
        s = a.text.rstrip()
        full = self.full(a)
        # Brackets opened on earlier lines matter only when this line seems to end.
        seems_to_end = s[-1:] in "）)" or s.rstrip(CLOSERS)[-1:] in TERMINAL
        tail = "".join(ln.text for ln in para[-12:]) if len(para) > 1 and seems_to_end else s
        if _ends_sentence(tail, full):
            return False
        if full:
            return True
        if is_heading_like(s):
            return False
        # "名称：内容" lines (box entries, definition lists) each open an entry.
        if s[-1] not in _CONTINUES and RUN_IN_LABEL.match(b.text.strip()):
            return False
        if self.width is not None:
            return False  # a short line in a wrapped text ends its paragraph (titles, signatures)
        if s[-1] in _CONTINUES or _is_body(s):
            return True
        # A short unpunctuated line: a page break inside a sentence, unless it
        # reads as a self-contained unit (caption, title, signature…).
        return len(s) >= 6 and not s.endswith(_UNIT_ENDINGS) and _is_body(b.text)


def reflow(ctx: PassContext) -> tuple[MappedText, list[tuple[str, int]]]:
    text, origin = ctx.text, ctx.mt.origin
    lines = _lines(text, origin, ctx.source_text)
    decide = _Decider(ctx, lines)
    wrapped = decide.width is not None
    join_name = "line_wraps" if wrapped else "page_break_joins"
    events: list[tuple[str, int]] = []

    paragraphs: list[list[_Line]] = []
    moved: dict[int, list[_Line]] = {}  # paragraph index -> footnotes to place after it
    i = 0
    while i < len(lines):
        para = [lines[i]]
        i += 1
        while i < len(lines):
            a, b = para[-1], lines[i]
            if decide.continues(para, b):
                para.append(b)
                events.append((join_name, origin[b.start]))
                i += 1
                continue
            # A footnote at the foot of a page, inside a split paragraph.
            if (
                SUPERSCRIPT_NOTE.match(b.text.strip())
                and i + 1 < len(lines)
                and not _ends_sentence(a.text)
                and _is_body(a.text)
                and not decide.opens_element(lines[i + 1])
            ):
                moved.setdefault(len(paragraphs), []).append(b)
                events.append(("footnote_moved", origin[b.start]))
                events.append((join_name, origin[lines[i + 1].start]))
                para.append(lines[i + 1])
                i += 2
                continue
            break
        paragraphs.append(para)
        _report_lost_text(ctx, para, lines[i] if i < len(lines) else None, decide)

    out_text: list[str] = []
    out_origin = array("q")
    first = True

    def emit(group: list[_Line]) -> None:
        nonlocal first
        if not first:
            out_text.append("\n")
            out_origin.append(origin[group[0].start])
        first = False
        for ln in group:
            out_text.append(ln.text)
            out_origin.extend(origin[ln.start : ln.end])

    for k, para in enumerate(paragraphs):
        emit(para)
        for note in moved.get(k, []):
            emit([note])
    out_origin.append(origin[len(text)])
    return MappedText("".join(out_text), out_origin), events


def _report_lost_text(ctx: PassContext, para: list[_Line], nxt: _Line | None, decide: _Decider) -> None:
    last = para[-1].text.rstrip()
    joined = "".join(ln.text for ln in para)
    if (
        nxt is not None
        and not _ends_sentence(last)
        and any(p in joined for p in "，。；")
        and len(joined) >= 40
        and not decide.closes_element(para[-1])
        and not is_heading_like(last)
    ):
        if decide.opens_element(nxt) and not last.endswith(tuple(_CONTINUES)):
            ctx.note("lost_text", f"paragraph breaks off mid-sentence before a new element: …{last[-12:]}", para[-1].end - 1)
    for a, b in zip(para, para[1:]):
        x, y = a.text.rstrip(), b.text.lstrip()
        if x and y and x[-1] == y[0] and "\u4e00" <= x[-1] <= "\u9fff":
            ctx.note("lost_text", f"repeated character at a page break, text may be lost: …{x[-6:]}|{y[:6]}…", b.start)
