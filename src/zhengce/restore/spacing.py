"""Stray spaces: inside Chinese text, around numbers, at line ends.

Chinese typesetting puts no spaces between characters; OCR, Word exports and
content farms insert them (`单户授信总额 1000 万元`, `“ 十三五 ”`).  Spaces
between two Latin/number tokens (`1 x 30MW`) are real and stay.  The space that
conventionally separates a chapter or box label from its title is kept as one.
"""

from __future__ import annotations

import re

from ..model import LineHint
from ..textmap import Edit, non_overlapping
from .context import CJK, CN_PUNCT, PassContext

_SP = "[ \t\u3000\u00a0\u2002\u2003\u2009]"
_EDGE = re.compile(rf"^{_SP}+|{_SP}+$", re.M)
_WIDE = CJK + CN_PUNCT
_RUN = re.compile(f"{_SP}+")
_WIDE_RE = re.compile(f"[{_WIDE}]")
_LABEL_GAP = re.compile(rf"^{_SP}*(第[一二三四五六七八九十百零〇\d]+[篇章节]|专栏{_SP}*[0-9一二三四五六七八九十]+[:：]?)({_SP}+)(?=\S)", re.M)


def spaces(ctx: PassContext) -> list[Edit]:
    text = ctx.text
    edits: list[Edit] = []
    for m in _EDGE.finditer(text):
        if m.start() > 0 and text[m.start() - 1] != "\n" and m.end() - m.start() >= 2 and _is_line_end(text, m.end()):
            # Markdown's two trailing spaces: an explicit line break, remember it.
            ctx.hints.setdefault(ctx.src_line(m.start()), LineHint()).hard_break = True
        edits.append((m.start(), m.end(), ""))
    keep = {}
    for m in _LABEL_GAP.finditer(text):
        keep[m.start(2)] = m.end(2)
    for m in _RUN.finditer(text):
        s, e = m.start(), m.end()
        if s == 0 or e == len(text):
            continue
        left, right = text[s - 1], text[e]
        if left.isspace() or right.isspace() or not (_WIDE_RE.match(left) or _WIDE_RE.match(right)):
            continue  # at a line edge (handled above), or between two Latin/number tokens
        if "\t" in text[s:e] and (h := ctx.hint_at(s)) is not None and h.table_row:
            continue  # cell separators of a table row
        if s in keep:
            if text[s:e] != " ":
                edits.append((s, e, " "))
            continue
        edits.append((s, e, ""))
    return non_overlapping(edits)


def _is_line_end(text: str, pos: int) -> bool:
    return pos >= len(text) or text[pos] == "\n"
