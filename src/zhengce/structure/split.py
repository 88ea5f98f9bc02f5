"""Split a bundle (a gazette issue, a file of policy packages) into documents.

A document starts at a title block: one or more short lines ending with a
document-type word (通知, 意见, 若干政策, 规划…) or followed by a standalone
发文字号.  A title that a preceding notice publishes (关于印发《X》的通知 … X)
is that notice's attachment, not a new document.  Text before the first
document of a bundle, and gazette back matter, is furniture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .elements import organs_of
from .paragraphs import HEAD_LINE, TITLE_SUFFIX, Para

_BACK_MATTER = re.compile(r"^(《[^》]{2,30}》(简介|征订启事|稿约|订阅说明)|征订启事|稿约|编后语?)$")
_PUBLISHES = re.compile(r"(?:印发|转发|发布|颁布)(.{4,80}?)的(?:通知|通告|公告|决定|函|批复)")
# 附件 / 附件2 / 附件： alone on its line, the attached text's title on the next: whatever that title's wording.
_ATTACHMENT_MARK = re.compile(r"^附\s*件\s*\d{0,2}\s*[:：]?$")


@dataclass
class Segment:
    first: int  # paragraph indices [first, last)
    last: int
    title_paras: list[int]
    attachment_titles: list[list[int]] = field(default_factory=list)  # paragraphs of each attached document's title


def _title_block(paras: list[Para], i: int) -> list[int] | None:
    """Indices of a title block ending at paragraph i, if paragraph i ends one.

    The lines of a title may stand apart (a blank line between them, as in many
    web and PDF copies) and may break inside a word (政府工作报 / 告): a piece of
    one to three characters continues the line above it.
    """
    p = paras[i]
    if not (p.title_like or _fragment(paras, i)):
        return None
    block = [i]
    # Multi-line titles: earlier short unpunctuated lines belong to it.
    j = _above(paras, i)
    while j is not None and len(block) < 5 and paras[j].title_like and not paras[j].text.endswith(("）", ")")):
        if TITLE_SUFFIX.search(paras[j].text) and not _fragment(paras, block[0]) or paras[j].heading_hint and not p.heading_hint:
            break
        # An organ's name above a title is part of it only as its issuer (中共中央 国务院 / 关于…的意见);
        # above 万载县2022年…统计公报 it is a header line of its own.
        if organs_of(paras[j].text) and not any(paras[b].text.lstrip().startswith(("关于", "印发", "转发")) for b in block):
            break
        block.insert(0, j)
        j = _above(paras, j)
    joined = "".join(paras[k].text for k in block)
    if not TITLE_SUFFIX.search(joined):
        return None
    return block


def _above(paras: list[Para], i: int) -> int | None:
    """The paragraph above i, across at most two blank lines."""
    j, blanks = i - 1, 0
    while j >= 0 and not paras[j].text.strip():
        blanks += 1
        if blanks > 2:
            return None
        j -= 1
    return j if j >= 0 else None


def _fragment(paras: list[Para], i: int) -> bool:
    """A 1–3 character piece of a title broken inside a word (告 under 政府工作报)."""
    t = paras[i].text.strip()
    j = _above(paras, i)
    return (1 <= len(t) <= 3 and paras[i].marker is None and not any(c in t for c in "，。；！？：、")
            and j is not None and paras[j].title_like)


def _is_start(paras: list[Para], block: list[int]) -> bool:
    """A title block opens a document when a document's opening follows it."""
    k = block[-1] + 1
    while k < len(paras) and not paras[k].text:
        k += 1
    if k >= len(paras):
        return False
    nxt = paras[k]
    if nxt.is_doc_number or HEAD_LINE.match(nxt.text.strip()):
        return True
    if organs_of(nxt.text) and not TITLE_SUFFIX.search(nxt.text):
        # The issuing organ under the title (德阳市统计局), unless it opens another title (中共某县委 / 关于…意见).
        j = k + 1
        while j < len(paras) and not paras[j].text:
            j += 1
        return j >= len(paras) or not paras[j].title_like
    if re.sub(r"\s+", "", nxt.text) in ("目录", "目次"):  # a gazette's masthead (XX人民政府公报) over its contents
        return False
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
            segments[-1].attachment_titles.append(block)
            continue
        if segments and _reprinted(segments[-1], paras, title):
            # A crawl header (# 标题, 发布日期 …) before the document printing its own title: one document,
            # titled as it prints itself; the header lines stay in it as furniture.
            segments[-1] = Segment(segments[-1].first, end, block)
            continue
        segments.append(Segment(block[0], end, block))

    # A single document keeps what precedes its title (a TOC, a preface).  When that is a signed
    # notice (现将《…》印发给你们 … 昆明市人民政府办公室 / 2024年12月31日) printed without its own title,
    # the notice is the document and the title below it heads its attachment.
    if len(segments) == 1:
        segments[0].first = 0
        seg = segments[0]
        if seg.title_paras and _signed_notice_before(paras, seg.title_paras[0]):
            seg.attachment_titles.insert(0, seg.title_paras)
            seg.title_paras = []
    for seg in segments:
        _marked_attachments(paras, seg)
    for seg in segments:
        head = seg.title_paras or (seg.attachment_titles[0] if seg.attachment_titles else [seg.first - 1])
        for k in range(head[-1] + 1, seg.last):
            if _BACK_MATTER.match(paras[k].text):
                seg.last = k
                break
    return segments


_QUOTED = re.compile(r"《([^《》]{4,80})》")


def _key(s: str) -> str:
    return re.sub(r"[《》“”\"\s（）()〔〕\[\]—－-]", "", s)


def _published_by(seg: Segment, paras: list[Para], title: str) -> bool:
    """Whether the notice of `seg` issues the document titled `title`: its title names it
    (关于印发《A》和《B》的通知, 关于印发A和B的通知), or its body does (现将《A》印发给你们)."""
    notice = "".join(paras[k].text for k in seg.title_paras)
    names = [m.group(1) for m in _QUOTED.finditer(notice)]
    m = _PUBLISHES.search(notice)
    if m:
        names.append(m.group(1))
        names.extend(re.split(r"[和及与、]", m.group(1)))
    body_end = (seg.attachment_titles[0][0] if seg.attachment_titles else seg.last)
    for k in range(seg.title_paras[-1] + 1, min(body_end, seg.title_paras[-1] + 12)):
        names.extend(mm.group(1) for mm in _QUOTED.finditer(paras[k].text))
    want = _key(title)
    for name in names:
        key = _key(name)
        if len(key) < 4:
            continue
        if want == key or want.startswith(key[: max(6, len(key) - 12)]) or key in want or (len(want) >= 6 and want in key):
            return True
    return False


def _marked_attachments(paras: list[Para], seg: Segment) -> None:
    """Attachments announced by a bare 附件 line: the title-like lines under it head an attachment."""
    start = seg.title_paras[-1] + 1 if seg.title_paras else seg.first
    taken = {k for block in seg.attachment_titles for k in block}
    for k in range(start, seg.last):
        if not _ATTACHMENT_MARK.match(paras[k].text.strip()):
            continue
        j = k + 1
        while j < seg.last and not paras[j].text.strip():
            j += 1
        block = []
        while j < seg.last and paras[j].title_like and len(block) < 3 and j not in taken:
            block.append(j)
            j += 1
            if j < seg.last and not paras[j].text.strip():
                break
        if block:
            seg.attachment_titles.append(block)
            taken.update(block)
    seg.attachment_titles.sort(key=lambda b: b[0])


def _signed_notice_before(paras: list[Para], end: int) -> bool:
    """A date line under a signature (an organ on the line above) before paragraph `end`."""
    last = None
    for k in range(end):
        t = paras[k].text.strip()
        if not t:
            continue
        if paras[k].is_date and last is not None and organs_of(paras[last].text):
            return True
        last = k
    return False


def _reprinted(seg: Segment, paras: list[Para], title: str) -> bool:
    """Whether `seg` is only a header announcing the document titled `title` that follows it: its title
    is that title (or the end of it, without the issuing organs), and little but metadata lies between."""
    head = _key("".join(paras[k].text for k in seg.title_paras))
    want = _key(title)
    if not head or not (want == head or want.endswith(head) or head.endswith(want) or (len(head) >= 6 and head in want)):
        return False
    between = [paras[k].text for k in range(seg.title_paras[-1] + 1, seg.last) if paras[k].text.strip()]
    prose = [t for t in between if len(t) > 60 and "。" in t]
    return len(prose) <= 1 and len(between) <= 25
