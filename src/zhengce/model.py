"""The one document model shared by every stage.

read → `Source`; restore → `Restored` (a `MappedText` over the source plus the
repair log and notes); structure → `Document` with `Node`s.  Extraction,
storage, search, matching and monitoring all speak these types.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from .textmap import LineIndex, MappedText


def doc_key(source_path: str, index: int) -> str:
    """'003_e2dd2b49d853fc19.txt#3': the file name and the document's 1-based place in it."""
    return f"{PurePath(source_path).name}#{index}"


class InputError(Exception):
    """Bad input: the message is one line naming the input and the reason."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class LineHint:
    """What a reader knew about a source line beyond its text."""

    heading: int | None = None  # heading level from a style (docx, html h1-h6, markdown #)
    table_row: bool = False  # cells joined by TAB
    hard_break: bool = False  # the line ends with an explicit break (markdown's two spaces)
    toc_page: int | None = None  # a table-of-contents entry; its page number (leaders removed)


@dataclass
class Source:
    """One decoded input: the text whose lines are the 'original lines'.

    For plain text and markdown that is the file itself; for HTML, .docx and
    PDF it is the reader's faithful text rendering (one paragraph, table row or
    PDF text line per line), so a line number always means something a person
    can open and check.
    """

    path: str  # display path; an archive member is "archive.zip!member.txt"
    text: str
    format: str  # text | markdown | html | docx | pdf
    encoding: str | None = None
    sha256: str = ""
    hints: dict[int, LineHint] = field(default_factory=dict)  # 1-based line -> hint

    def __post_init__(self) -> None:
        if not self.sha256:
            self.sha256 = hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class Note:
    """Something reported rather than fixed (never silently 'corrected')."""

    kind: str  # lost_text | foreign_word | editor_note | garbled | toc_mismatch | ...
    text: str
    line: int
    offset: int | None = None  # source offset, used to assign the note to a document

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "line": self.line}


@dataclass
class Restored:
    """A source after the restoration passes."""

    source: Source
    mt: MappedText
    lines: LineIndex
    events: list[tuple[str, int]]  # (pass name, source offset), one per repair
    notes: list[Note]
    hints: dict[int, LineHint]  # source line -> hint (readers' plus markup '#')

    def line_of(self, pos: int) -> int:
        """Original 1-based line of restored character `pos`."""
        if pos >= len(self.mt.text):
            pos = max(len(self.mt.text) - 1, 0)
        return self.lines.line(self.mt.origin[pos]) if self.mt.text else 1


@dataclass
class Node:
    id: str
    parent: str | None
    kind: str  # see structure.outline.KINDS
    label: str | None
    title: str | None
    text: str
    start: int  # span of the node's own text in Document.text
    end: int
    line_start: int
    line_end: int
    attrs: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = {
            "id": self.id,
            "parent": self.parent,
            "kind": self.kind,
            "label": self.label,
            "title": self.title,
            "text": self.text,
            "line_start": self.line_start,
            "line_end": self.line_end,
            "span": [self.start, self.end],
        }
        if self.attrs:
            d["attrs"] = self.attrs
        return d


@dataclass
class Extraction:
    """One fact, grounded: `quote == document.text[start:end]`."""

    type: str  # target | statistic | duty | benefit | project | reference | entity
    doc: str | None
    doc_key: str
    node: str
    quote: str
    start: int
    end: int
    line_start: int
    line_end: int
    fields: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "doc": self.doc,
            "doc_key": self.doc_key,
            "node": self.node,
            "quote": self.quote,
            "span": [self.start, self.end],
            "line_start": self.line_start,
            "line_end": self.line_end,
            **self.fields,
        }


@dataclass(frozen=True)
class DocStanding:
    """A stored document's place among the others (store/identity.py decides it at ingest).

    version: 1, 2, … along one uid; current: the newest version, the one in force;
    relation: None (a document of its own), "excerpt" (part of `related_uid`'s text)
    or "same_number" (another document carrying the same 发文字号: a reprint, a quote).
    """

    version: int = 1
    current: bool = True
    relation: str | None = None
    related_uid: str | None = None

    @property
    def derived(self) -> bool:
        """Whether rules and registers come from this document (older versions and excerpts repeat another)."""
        return self.current and self.relation != "excerpt"

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "current": self.current, "relation": self.relation, "related_uid": self.related_uid}


@dataclass
class Document:
    title: str | None
    doc_number: str | None
    issuer: str | None
    date: str | None
    text: str
    source_path: str
    line_start: int
    line_end: int
    repairs: dict[str, int]
    notes: list[Note]
    nodes: list[Node]
    elements: dict[str, Any] = field(default_factory=dict)  # GB/T 9704 elements beyond the four above
    toc: list[dict[str, Any]] = field(default_factory=list)
    source_sha256: str = ""
    format: str = "text"
    # Original line of each character of `text`, run-length encoded as
    # [(text offset, line, column)] anchors: between anchors the columns advance.
    char_map: list[tuple[int, int, int]] = field(default_factory=list)
    # Identity, set by the store (store/identity.py): rule ids and register keys hang on `uid`,
    # which versions of one document share; `standing` says how it relates to other documents.
    uid: str | None = field(default=None, compare=False)
    standing: DocStanding | None = field(default=None, compare=False)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def line_of(self, pos: int) -> int:
        """Original line of character `pos` of `text`."""
        from bisect import bisect_right

        i = bisect_right(self.char_map, (pos, float("inf"), 0)) - 1
        return self.char_map[max(i, 0)][1] if self.char_map else self.line_start

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "doc_number": self.doc_number,
            "issuer": self.issuer,
            "date": self.date,
            "text": self.text,
            "source": {"path": self.source_path, "line_start": self.line_start, "line_end": self.line_end},
            "repairs": self.repairs,
            "notes": [n.to_dict() for n in self.notes],
            "elements": self.elements,
            "toc": self.toc,
            "nodes": [n.to_dict() for n in self.nodes],
        }
