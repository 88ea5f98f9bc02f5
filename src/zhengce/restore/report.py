"""Noise that is reported, never silently fixed: spliced foreign words, editor's
notes, captions whose figure or table is missing."""

from __future__ import annotations

import re
from functools import lru_cache

from ..numbering import CAPTION
from ..textmap import Edit
from .context import CJK, PassContext

# A lower-case Latin word standing between Chinese characters is a spliced-in
# foreign word; units and common technical abbreviations are not.
_LOWER_WORD = re.compile(r"[a-z]{3,}")
_CJK_SIDE = re.compile(f"[{CJK}，。、；：]")
_UNITS = {"kwh", "mwh", "gwh", "kva", "mpa", "kpa", "km", "kg", "mm", "cm", "ppm", "dpi", "bps", "mbps", "gbps", "app", "www", "http", "https", "com", "cn", "gov"}
# Editing instructions left in the text: （核实项目出处）, （待定）, [待补充] …
_EDITOR = re.compile(
    r"[（(\[【]([^（）()\[\]【】\n]{0,12}(?:核实|核对|待定|待补|待确认|待核|存疑|出处|编者|此处|删除|修改为)[^（）()\[\]【】\n]{0,12})[）)\]】]"
)


@lru_cache(maxsize=1)  # read once: restore runs for every file
def _spun_words() -> list[tuple[str, str]]:
    from importlib import resources

    rows = resources.files("zhengce.data").joinpath("spun_words.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(r.split("\t")[:2]) for r in rows if r and not r.startswith("#") and "\t" in r]


def _report_spun(ctx: PassContext, text: str) -> None:
    """A copy whose words were swapped for synonyms by a content farm (加大 → 加鼎, 负责 → 卖力): one note
    with examples, once two distinct swaps are seen.  The text is left as it is: the original words
    cannot be recovered with certainty."""
    found = [(spun, orig, text.find(spun)) for spun, orig in _spun_words() if spun in text]
    if len(found) >= 2:
        examples = "、".join(f"{spun}（应为{orig}）" for spun, orig, _ in found[:5])
        ctx.note("spun_text", f"此件疑经同义词替换改写（洗稿）：{examples}；请与官方原文核对",
                 min(p for _s, _o, p in found))


def report_noise(ctx: PassContext) -> list[Edit]:
    text = ctx.text
    _report_spun(ctx, text)
    for m in _LOWER_WORD.finditer(text):
        s, e = m.start(), m.end()
        before = text[s - 2 : s].rstrip(" ")[-1:] if s else ""
        after = text[e : e + 2].lstrip(" ")[:1]
        if _CJK_SIDE.match(before) and _CJK_SIDE.match(after) and m.group() not in _UNITS:
            ctx.note("foreign_word", f"foreign word spliced into Chinese text: {m.group()!r}", s)
    for m in _EDITOR.finditer(text):
        ctx.note("editor_note", f"editor's note left in the text: {m.group(0)}", m.start())
    for m in CAPTION.finditer(text):
        nxt = text[m.end() + 1 : m.end() + 2]
        hint = ctx.hint_at(m.end() + 1) if nxt else None
        if hint is None or not hint.table_row:
            kind = "missing_figure" if m.group(0).endswith("图") else "missing_table"
            what = "figure" if kind == "missing_figure" else "table"
            ctx.note(kind, f"caption without its {what}: {m.group(0)}", m.start())
    return []
