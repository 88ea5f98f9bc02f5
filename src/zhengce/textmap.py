"""Text with a map from every character back to its place in the source.

Every restoration pass is expressed as a list of edits on a `MappedText`; the
map survives every pass, so any character of the restored document can be
traced to the original file's line and column.  The map is one source offset
per character (an ``array`` of ints: compact, and slicing it is C-speed), plus a
final entry for the end position so that spans ``[start, end)`` map too.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable

Edit = tuple[int, int, str]  # replace text[start:end] with the string


def non_overlapping(edits: Iterable[Edit]) -> list[Edit]:
    """Sort edits and drop any that overlap an earlier (longer-first) one."""
    out: list[Edit] = []
    end = -1
    for e in sorted(edits, key=lambda e: (e[0], -e[1])):
        if e[0] >= end:
            out.append(e)
            end = e[1]
    return out


class MappedText:
    __slots__ = ("text", "origin")

    def __init__(self, text: str, origin: array | None = None):
        self.text = text
        if origin is None:
            origin = array("q", range(len(text) + 1))
        if len(origin) != len(text) + 1:
            raise ValueError("origin must have one entry per character plus one")
        self.origin = origin

    def __len__(self) -> int:
        return len(self.text)

    def apply(self, edits: Iterable[Edit]) -> MappedText:
        """Apply sorted, non-overlapping edits; return the new mapped text.

        A replacement of the same length keeps the per-character origins (a
        full-width digit becoming ASCII still points at its own column); any
        other replacement maps all its characters to the start of what it
        replaced, which keeps the map monotonic.
        """
        text, origin = self.text, self.origin
        pieces: list[str] = []
        out = array("q")
        pos = 0
        for start, end, repl in edits:
            if start < pos or end < start or end > len(text):
                raise ValueError(f"edit ({start}, {end}) overlaps or is out of range")
            if start > pos:
                pieces.append(text[pos:start])
                out.extend(origin[pos:start])
            if repl:
                pieces.append(repl)
                if len(repl) == end - start:
                    out.extend(origin[start:end])
                else:
                    out.extend(array("q", [origin[start]]) * len(repl))
            pos = end
        if pos == 0 and not pieces:
            return self
        pieces.append(text[pos:])
        out.extend(origin[pos:])  # includes the end sentinel
        return MappedText("".join(pieces), out)

    def slice(self, start: int, end: int) -> MappedText:
        o = self.origin[start : end + 1]
        # The end sentinel of a slice is the origin of the character after it.
        return MappedText(self.text[start:end], o)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source offsets [s, e) covering text[start:end]."""
        if end <= start:
            s = self.origin[start]
            return s, s
        return self.origin[start], self.origin[end - 1] + 1


class LineIndex:
    """Source offset -> 1-based (line, column) for one decoded source text."""

    __slots__ = ("starts",)

    def __init__(self, source_text: str):
        starts = array("q", [0])
        find = source_text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line(self, offset: int) -> int:
        return bisect_right(self.starts, offset)

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def line_start(self, line: int) -> int:
        return self.starts[line - 1]
