"""Restoration: a chain of named passes over a `MappedText`.

Each pass returns edits (or, for reflow, a rebuilt text); every edit is one
repair, logged with its source offset so the per-document repair report can be
counted after a bundle is split into documents.  Passes never invent text:
what cannot be repaired with certainty is reported as a `Note`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Restored, Source
from ..textmap import Edit, LineIndex, MappedText
from . import chars, furniture, markup, report, script, spacing
from .context import PassContext
from .pinyin import find_pinyin_repairs
from .reflow import reflow


def _pinyin(ctx: PassContext) -> list[Edit]:
    edits, notes, _counts = find_pinyin_repairs(ctx.text)
    for pos, kind, message in notes:
        ctx.note(kind, message, pos)
    return edits


# (name, pass) in order.  Character-level passes run before reflow, which needs
# clean lines; bracket and noise detection look at joined paragraphs.
PASSES: list[tuple[str, Callable[[PassContext], list[Edit]]]] = [
    ("markup", markup.strip_markup),
    ("pinyin", _pinyin),
    ("traditional", script.to_simplified),
    ("private_use", chars.private_use),
    ("fullwidth", chars.fullwidth_ascii),
    ("brackets", chars.bracket_substitutions),
    ("punctuation", chars.punctuation),
    ("toc_leaders", furniture.toc_leaders),
    ("page_furniture", furniture.page_furniture),
    ("web_furniture", furniture.web_furniture),
    ("spaces", spacing.spaces),
]
POST_PASSES: list[tuple[str, Callable[[PassContext], list[Edit]]]] = [
    ("noise", report.report_noise),
]


def restore(source: Source) -> Restored:
    mt = MappedText(source.text)
    lines = LineIndex(source.text)
    ctx = PassContext(mt=mt, lines=lines, hints=dict(source.hints), source_text=source.text)
    events: list[tuple[str, int]] = []
    for name, fn in PASSES:
        edits = fn(ctx)
        if edits:
            origin = ctx.mt.origin
            events.extend((name, origin[s]) for s, _e, _r in edits)
            ctx.mt = ctx.mt.apply(edits)
    ctx.mt, joins = reflow(ctx)
    events.extend(joins)
    for _name, fn in POST_PASSES:
        fn(ctx)
    return Restored(source=source, mt=ctx.mt, lines=lines, events=events, notes=ctx.notes, hints=ctx.hints)
