"""Split a bundle (a gazette issue, a file of policy packages) into documents.

A document starts at a title block: one or more short lines ending with a
document-type word (通知, 意见, 若干政策, 规划…) or followed by a standalone
发文字号.  A title that a preceding notice publishes (关于印发《X》的通知 … X)
is that notice's attachment, not a new document.  Text before the first
document of a bundle, and gazette back matter, is furniture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .paragraphs import TITLE_SUFFIX, Para

_BACK_MATTER = re.compile(r"^(《[^》]{2,30}》(简介|征订启事|稿约|订阅说明)|征订启事|稿约|编后语?)$")
_PUBLISHES = re.compile(r"(?:印发|转发|发布|颁布)(.{4,80}?)的(?:通知|通告|公告|决定)")


@dataclass
class Segment:
    first: int  # paragraph indices [first, last)
    last: int
    title_paras: list[int]
    attachment_title: list[int] | None = None  # paragraphs of an attached document's title


def _title_block(paras: list[Para], i: int) -> list[int] | None:
    """Indices of a title block ending at paragraph i, if paragraph i ends one."""
    p = paras[i]
    if not p.title_like:
        return None
    block = [i]
    # Multi-line titles: earlier short unpunctuated lines belong to it.
    j = i - 1
    while j >= 0 and len(block) < 4 and paras[j].title_like and not paras[j].text.endswith(("）", ")")):
        if TITLE_SUFFIX.search(paras[j].text) or paras[j].heading_hint and not p.heading_hint:
            break
        block.insert(0, j)
        j -= 1
    joined = "".join(paras[k].text for k in block)
    if not TITLE_SUFFIX.search(joined):
        return None
    return block


def _is_start(paras: list[Para], block: list[int]) -> bool:
    """A title block opens a document when a document's opening follows it."""
    k = block[-1] + 1
    while k < len(paras) and not paras[k].text:
        k += 1
    if k >= len(paras):
        return False
    nxt = paras[k]
    if nxt.is_doc_number:
        return True
    # Body text, a chapter or the first part follows; a TOC entry or another title does not.
    return nxt.toc_page is None and not nxt.title_like and not nxt.is_date


def split(paras: list[Para]) -> list[Segment]:
    starts: list[list[int]] = []
    covered = -1
    for i, p in enumerate(paras):
        if i <= covered or p.toc_page is not None:
            continue
        block = _title_block(paras, i)
        if block and block[0] > covered and _is_start(paras, block):
            starts.append(block)
            covered = i
    if not starts:
        return [Segment(0, len(paras), [])]

    segments: list[Segment] = []
    for n, block in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(paras)
        title = "".join(paras[k].text for k in block)
        if segments and _published_by(segments[-1], paras, title):
            # The attached document continues the notice that publishes it.
            segments[-1].last = end
            segments[-1].attachment_title = block
            continue
        segments.append(Segment(block[0], end, block))

    # A single document keeps what precedes its title (a TOC, a preface).
    if len(segments) == 1:
        segments[0].first = 0
    for seg in segments:
        for k in range(seg.title_paras[-1] + 1, seg.last):
            if _BACK_MATTER.match(paras[k].text):
                seg.last = k
                break
    return segments


def _published_by(seg: Segment, paras: list[Para], title: str) -> bool:
    notice = "".join(paras[k].text for k in seg.title_paras)
    m = _PUBLISHES.search(notice)
    if not m:
        return False
    published = re.sub(r"[《》\s]", "", m.group(1))
    return re.sub(r"[《》\s]", "", title).startswith(published[: max(6, len(published) - 12)]) or published in title
