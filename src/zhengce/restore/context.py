"""What a restoration pass sees: the current text, its map, hints and the notes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import LineHint, Note
from ..textmap import LineIndex, MappedText

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")
# Chinese (full-width) punctuation that may sit next to CJK text.
CN_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】〔〕—…·「」『』"



@dataclass
class PassContext:
    mt: MappedText
    lines: LineIndex
    hints: dict[int, LineHint]
    notes: list[Note] = field(default_factory=list)
    source_text: str = ""

    @property
    def text(self) -> str:
        return self.mt.text

    def src_line(self, pos: int) -> int:
        pos = min(pos, len(self.mt.text))
        return self.lines.line(self.mt.origin[pos])

    def hint_at(self, pos: int) -> LineHint | None:
        if not self.hints:  # plain text has none: skip the line lookup
            return None
        return self.hints.get(self.src_line(pos))

    def note(self, kind: str, text: str, pos: int) -> None:
        pos = min(pos, len(self.mt.text))
        off = self.mt.origin[pos]
        self.notes.append(Note(kind=kind, text=text, line=self.lines.line(off), offset=off))
