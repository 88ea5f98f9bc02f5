"""Markup residue: markdown heading marks, inline HTML, Word bookmarks, entities, links."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from ..model import LineHint
from ..textmap import Edit, non_overlapping
from .context import PassContext

_MD_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+", re.M)
_INLINE_TAG = re.compile(r"</?(?:sup|sub|span|font|b|i|u|em|strong|br|p|div)\b[^>\n]{0,200}>", re.I)
_BOOKMARK = re.compile(r"\[bookmark:\s*[^\]\n]{0,80}\]")
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,7}|#x[0-9a-fA-F]{2,6});")
_MD_LINK = re.compile(r"\[([^\]\n]{1,200})\]\((?:https?://|www\.|mailto:)[^)\s]{1,300}\)")
_MD_EMPH = re.compile(r"(\*\*|__)(?=\S)([^*_\n]{1,200}?)(?<=\S)\1")


def _pattern_edits(text: str, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> list[Edit]:
    return [(m.start(), m.end(), repl(m)) for m in pattern.finditer(text)]


def strip_markup(ctx: PassContext) -> list[Edit]:
    text = ctx.text
    edits: list[Edit] = []
    for m in _MD_HEADING.finditer(text):
        # Keep what the '#' said as a hint: its level is unreliable, its presence is not.
        line = ctx.src_line(m.start())
        ctx.hints.setdefault(line, LineHint()).heading = len(m.group(1))
        edits.append((m.start(), m.end(), ""))
    edits += _pattern_edits(text, _INLINE_TAG, lambda m: "")
    edits += _pattern_edits(text, _BOOKMARK, lambda m: "")
    edits += _pattern_edits(text, _MD_LINK, lambda m: m.group(1))
    edits += _pattern_edits(text, _MD_EMPH, lambda m: m.group(2))
    for m in _ENTITY.finditer(text):
        decoded = html.unescape(m.group(0))
        if decoded != m.group(0):
            edits.append((m.start(), m.end(), decoded))
    return non_overlapping(edits)
