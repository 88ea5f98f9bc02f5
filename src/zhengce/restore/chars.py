"""Character substitutions: private-use dots, full-width ASCII, punctuation, brackets."""

from __future__ import annotations

import re

from ..textmap import Edit, non_overlapping
from .context import CJK, PassContext

# PDF text layers map the full-width dot of 1．2．3． numbering to a private-use
# code point (seen as U+E010); between digits it is a decimal point.
_PUA_DOT = re.compile("[\ue010]")
_FW_ALNUM = re.compile("[０-９Ａ-Ｚａ-ｚ％＋＝＆＠]+")
_FW_DOT_IN_NUMBER = re.compile("(?<=[0-9０-９])[．。](?=[0-9０-９])")

_CJKP = CJK + "，。、；：？！“”（）《》"


def private_use(ctx: PassContext) -> list[Edit]:
    text = ctx.text
    edits: list[Edit] = []
    for m in _PUA_DOT.finditer(text):
        i = m.start()
        between_digits = i > 0 and i + 1 < len(text) and text[i - 1] in "0123456789０１２３４５６７８９" and text[i + 1] in "0123456789０１２３４５６７８９"
        edits.append((i, i + 1, "." if between_digits else "．"))
    return edits


def fullwidth_ascii(ctx: PassContext) -> list[Edit]:
    """Full-width digits, Latin letters and ％ → ASCII; Chinese punctuation stays."""
    text = ctx.text
    edits = [(m.start(), m.end(), _fw(m.group(0))) for m in _FW_ALNUM.finditer(text)]
    edits += [(m.start(), m.end(), ".") for m in _FW_DOT_IN_NUMBER.finditer(text)]
    edits.sort()
    return edits


def _fw(s: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) for c in s)


# ASCII punctuation typed inside Chinese text (content-farm copies, OCR).
# Candidates are found by one cheap scan and judged by their neighbours (a
# regex that starts with a look-behind is slow on long texts).
_PUNCT_CANDIDATE = re.compile(r"[,;?!:]")
_CJKP_RE = re.compile(f"[{_CJKP}]")
_CJK_RE = re.compile(f"[{CJK}]")
_PUNCT_MAP = {",": "，", ";": "；", "?": "？", "!": "！", ":": "："}
_ASCII_PAREN = re.compile(rf"\(([^()\n]{{0,80}}[{CJK}][^()\n]{{0,80}})\)")


def _neighbour(text: str, i: int, step: int) -> str:
    """The character next to position i, skipping one space."""
    j = i + step
    if 0 <= j < len(text) and text[j] in " \t":
        j += step
    return text[j] if 0 <= j < len(text) else "\n"


def punctuation(ctx: PassContext) -> list[Edit]:
    """ASCII ,;?!: and (…) in Chinese context → full-width (keep 7.8:48.9, 1,000)."""
    text = ctx.text
    edits: list[Edit] = []
    for m in _PUNCT_CANDIDATE.finditer(text):
        i, ch = m.start(), m.group()
        prev, nxt = _neighbour(text, i, -1), _neighbour(text, i, 1)
        if (
            (_CJKP_RE.match(prev) and (_CJKP_RE.match(nxt) or nxt.isdigit() or nxt == "“"))
            or (ch != ":" and _CJK_RE.match(prev) and (nxt.isascii() and nxt.isalpha() or nxt == "\n"))
            or (ch in ",;" and (prev.isdigit() or prev == "%") and _CJK_RE.match(nxt))
        ):
            edits.append((i, i + 1, _PUNCT_MAP[ch]))
    for m in _ASCII_PAREN.finditer(text):
        edits.append((m.start(), m.start() + 1, "（"))
        edits.append((m.end() - 1, m.end(), "）"))
    return non_overlapping(edits)


# Some PDF text layers turn （ and ） into ! and " (a font-encoding slip); the
# pair is recognisable as !…" enclosing Chinese text, never as prose punctuation.
_BANG_QUOTE = re.compile(rf'(?<=[{CJK}])!([{CJK}、， \n]{{1,60}})"')


def bracket_substitutions(ctx: PassContext) -> list[Edit]:
    text = ctx.text
    edits: list[Edit] = []
    for m in _BANG_QUOTE.finditer(text):
        edits.append((m.start(), m.start() + 1, "（"))
        edits.append((m.end() - 1, m.end(), "）"))
    return edits
