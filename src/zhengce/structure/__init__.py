"""Structure: restored text → documents with official elements and an outline."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter

import numpy as np

from ..model import Document, Node, Note, Restored
from .elements import find_elements
from .outline import RawNode, build_outline
from .paragraphs import Para, paragraphs
from .split import Segment, split

__all__ = ["structure"]


def structure(restored: Restored) -> list[Document]:
    paras = paragraphs(restored)
    log = _RepairLog(restored.events)
    docs = []
    for seg in split(paras):
        doc = _document(restored, paras, seg, log)
        if doc is not None:
            docs.append(doc)
    return docs


def _document(restored: Restored, paras: list[Para], seg: Segment, log: _RepairLog) -> Document | None:
    first, last = seg.first, seg.last
    while first < last and not paras[first].text:
        first += 1
    while last > first and not paras[last - 1].text:
        last -= 1
    if first >= last:
        return None
    body_end = seg.attachment_titles[0][0] if seg.attachment_titles else _before_notes(paras, first, last)
    el = find_elements(paras, first, last, seg.title_paras, body_end)
    element_of = el.element_paras()
    containers = {k for block in seg.attachment_titles for k in block}
    for k in containers:
        element_of[k] = "attachment"
    raw = build_outline(paras, first, last, element_of, containers)

    base = paras[first].start
    text = restored.mt.text[base : paras[last - 1].end]
    nodes = _nodes(restored, paras, raw, base)
    title = "".join(paras[k].text for k in seg.title_paras) or None
    src_lo = restored.mt.origin[base]
    src_hi = restored.mt.origin[paras[last - 1].end - 1]
    notes = [n for n in restored.notes if n.offset is None or src_lo <= n.offset <= src_hi]
    toc = _check_toc(nodes, notes, restored)
    _attach_notes(nodes, notes)
    repairs = log.count(src_lo, src_hi)
    elements: dict = {}
    if el.addressee is not None:
        elements["addressee"] = paras[el.addressee].text
    if el.signature is not None:
        elements["signature"] = paras[el.signature].text
    if el.attachments or seg.attachment_titles:
        elements["attachments"] = [paras[k].text for k in el.attachments]
        elements["attachments"].extend("".join(paras[k].text for k in block) for block in seg.attachment_titles)
    return Document(
        title=title,
        doc_number=el.doc_number[1] if el.doc_number else None,
        issuer=el.issuer,
        date=el.date[1] if el.date else None,
        text=text,
        source_path=restored.source.path,
        line_start=restored.lines.line(src_lo),
        line_end=restored.lines.line(src_hi),
        repairs=dict(sorted(repairs.items())),
        notes=notes,
        nodes=nodes,
        elements=elements,
        toc=toc,
        source_sha256=restored.source.sha256,
        format=restored.source.format,
        char_map=_char_map(restored, base, base + len(text)),
    )


class _RepairLog:
    """The restoration events sorted by source offset, counted per document range."""

    def __init__(self, events: list[tuple[str, int]]):
        self.events = sorted(events, key=lambda e: e[1])
        self.offsets = [off for _name, off in self.events]

    def count(self, lo: int, hi: int) -> Counter:
        return Counter(name for name, _off in self.events[bisect_left(self.offsets, lo) : bisect_right(self.offsets, hi)])


def _before_notes(paras: list[Para], first: int, last: int) -> int:
    """End of the main text: before trailing endnotes (注：①…)."""
    for k in range(first, last):
        if re.match(r"^注(?:释)?\s*[:：]", paras[k].text):
            return k
    return last


def _nodes(restored: Restored, paras: list[Para], raw: list[RawNode], base: int) -> list[Node]:
    # Consecutive title (or attached-title) paragraphs are one node.
    merged: list[tuple[RawNode, int, int]] = []  # node, first para, last para
    remap: dict[int, int] = {}
    for idx, r in enumerate(raw):
        if merged and r.kind in ("title", "attachment") and merged[-1][0].kind == r.kind and merged[-1][2] == r.para - 1 and r.title:
            prev, a, _ = merged[-1]
            prev.title = (prev.title or "") + r.title
            merged[-1] = (prev, a, r.para)
            remap[idx] = len(merged) - 1
            continue
        remap[idx] = len(merged)
        merged.append((r, r.para, r.para))
    out: list[Node] = []
    for n, (r, a, b) in enumerate(merged):
        start, end = paras[a].start, paras[b].end
        parent = remap[r.parent] if r.parent is not None else None
        out.append(
            Node(
                id=f"n{n + 1}",
                parent=f"n{parent + 1}" if parent is not None else None,
                kind=r.kind,
                label=r.label,
                title=r.title,
                text=restored.mt.text[start:end],
                start=start - base,
                end=end - base,
                line_start=restored.line_of(start),
                line_end=restored.line_of(max(end - 1, start)),
                attrs=r.attrs,
            )
        )
    return out


_NEWLINE = re.compile("\n")
_NORM = re.compile(r"[\s。．.，,：:“”\"《》]")


def _check_toc(nodes: list[Node], notes: list[Note], restored: Restored) -> list[dict]:
    """Parse the table of contents and match its entries, in order, to body headings."""
    entries = [n for n in nodes if n.kind == "toc"]
    if not entries:
        return []
    headings = [n for n in nodes if n.kind in ("part", "chapter", "section", "heading", "item") and n.label]
    toc: list[dict] = []
    pos = 0
    for e in entries:
        want = _NORM.sub("", e.title or "")
        match = None
        for j in range(pos, len(headings)):
            h = headings[j]
            if h.label == e.label and _NORM.sub("", h.title or "") == want:
                match, pos = h, j + 1
                break
        toc.append({"label": e.label, "title": e.title, "page": e.attrs.get("page"), "node": match.id if match else None})
        if match is None:
            notes.append(Note("toc_mismatch", f"TOC entry not found in the body: {e.label or ''}{e.title}", e.line_start))
    return toc


def _attach_notes(nodes: list[Node], notes: list[Note]) -> None:
    """Attach each footnote/endnote to the first node whose text carries its
    marker; a note whose marker is nowhere in the text is reported."""
    for note in nodes:
        marker = note.attrs.get("marker") if note.kind in ("footnote", "endnote") else None
        if not marker:
            continue
        for n in nodes:
            if n is note or n.kind in ("footnote", "endnote", "toc"):
                continue
            i = n.text.find(marker)
            if i >= 0:
                note.attrs["ref_node"] = n.id
                note.attrs["ref_offset"] = n.start + i
                break
        else:
            notes.append(Note("unreferenced_note", f"note {marker} has no marker in the text", note.line_start))


def _char_map(restored: Restored, start: int, end: int) -> list[tuple[int, int, int]]:
    """Anchors (text offset, line, column) wherever the map stops running linearly
    through one source line; between anchors the column advances by one."""
    origin = np.frombuffer(restored.mt.origin, dtype=np.int64)[start : end + 1]
    if end <= start:
        return []
    o = origin[:-1]
    jumps = np.nonzero(np.diff(o) != 1)[0] + 1
    text = restored.mt.text
    newlines = np.array([m.end() - start for m in _NEWLINE.finditer(text, start, end)], dtype=np.int64)
    points = np.unique(np.concatenate((np.zeros(1, dtype=np.int64), jumps, newlines)))
    out = []
    for p in points.tolist():
        if p >= len(o):
            continue
        line, col = restored.lines.line_col(int(o[p]))
        out.append((p, line, col))
    return out
