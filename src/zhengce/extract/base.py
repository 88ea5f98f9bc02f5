"""What every extractor shares: the document, its nodes, and grounded records."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ..model import Document, Extraction, Node

SENTENCE_END = "。；！？"
_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")


@dataclass
class Context:
    doc: Document
    doc_key: str

    def __post_init__(self) -> None:
        self.by_id = {n.id: n for n in self.doc.nodes}
        self._starts = [n.start for n in self.doc.nodes]
        self.memo: dict = {}  # per-document results extractors compute once (e.g. the place it is about)

    def record(self, type_: str, node: Node, start: int, end: int, **fields) -> Extraction:
        """A record for doc.text[start:end] (document offsets), lines from the char map."""
        text = self.doc.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return Extraction(
            type=type_,
            doc=self.doc.title,
            doc_key=self.doc_key,
            node=node.id,
            quote=text[start:end],
            start=start,
            end=end,
            line_start=self.doc.line_of(start),
            line_end=self.doc.line_of(max(end - 1, start)),
            fields=fields,
        )

    def ancestors(self, node: Node) -> list[Node]:
        out = []
        while node.parent is not None:
            node = self.by_id[node.parent]
            out.append(node)
        return out

    def node_at(self, pos: int) -> Node | None:
        i = bisect_right(self._starts, pos) - 1
        return self.doc.nodes[i] if i >= 0 else None


def sentences(text: str, base: int = 0) -> list[tuple[int, int, str]]:
    """(start, end, sentence) with offsets shifted by `base`; a sentence keeps its end mark."""
    return [(base + m.start(), base + m.end(), m.group()) for m in _SENTENCE.finditer(text) if m.group().strip()]
