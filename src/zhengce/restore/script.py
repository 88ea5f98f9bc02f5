"""Traditional → Simplified with OpenCC, including over-converted characters.

A Traditional document is converted whole.  In a Simplified document the same
conversion fixes over-converted characters (鬆遼 → 松辽, 全麵 → 全面); each
distinct character changed there is also reported, because a stray variant in
a Simplified text (琿 beside 珲) is worth an editor's look.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import numpy as np
import opencc

from ..textmap import Edit
from .context import CJK_RE, PassContext

_TRADITIONAL_SHARE = 0.02  # above this share of changed CJK characters a text is Traditional


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# OpenCC keeps 著 (著作, 著名, 显著 are Simplified too); in a Traditional text 著 before these words,
# or after these, is the verb particle 着: 著力 → 着力, 随著 → 随着, 意味著 → 意味着.
_ZHE = re.compile(r"著(?=[力眼手重想陆实急落装迷凉])|(?<=[随接沉执穿衣看意味顺朝向])著")


def to_simplified(ctx: PassContext) -> list[Edit]:
    text = ctx.text
    converted = _converter().convert(text)
    if converted != text and len(converted) == len(text):
        cjk = len(CJK_RE.findall(text)) or 1
        if sum(a != b for a, b in zip(text, converted)) / cjk >= _TRADITIONAL_SHARE:
            converted = _ZHE.sub("着", converted)
    if converted == text:
        return []
    if len(converted) != len(text):
        # OpenCC's t2s tables map characters one to one; convert per line if a
        # phrase rule ever changes the length, so edits stay aligned.
        return _per_line(ctx)
    # Compare code points with numpy: a Python loop over every character is the
    # slowest part of this pass on long Simplified texts with few changes.
    a = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    b = np.frombuffer(converted.encode("utf-32-le"), dtype=np.uint32)
    edits = [(i, i + 1, converted[i]) for i in np.nonzero(a != b)[0].tolist()]
    cjk = len(CJK_RE.findall(text)) or 1
    if len(edits) / cjk < _TRADITIONAL_SHARE:
        seen = Counter(text[s] + "→" + r for s, _, r in edits)
        first: dict[str, int] = {}
        for s, _, r in edits:
            first.setdefault(text[s] + "→" + r, s)
        for pair, n in seen.items():
            ctx.note("variant", f"Traditional/variant character in Simplified text: {pair} ({n}×)", first[pair])
    return edits


def _per_line(ctx: PassContext) -> list[Edit]:
    conv = _converter().convert
    edits: list[Edit] = []
    pos = 0
    for line in ctx.text.split("\n"):
        new = conv(line)
        if new != line:
            if len(new) == len(line):
                edits += [(pos + i, pos + i + 1, b) for i, (a, b) in enumerate(zip(line, new)) if a != b]
            else:
                edits.append((pos, pos + len(line), new))
        pos += len(line) + 1
    return edits
