"""Paragraphs of a restored text, with the facts every structuring step needs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Restored
from ..numbering import DATE_LINE, DOC_NUMBER, Marker, is_heading_like, match_marker

TITLE_SUFFIX = re.compile(
    r"(通知|通报|意见|决定|规定|办法|细则|方案|规划|纲要|若干政策|政策措施|措施|条例|批复|公告|通告|函|报告|计划|要点|政策|"
    r"公报|建议|决议|指南|指引|规则|章程|预案)"
    r"(?:[（(][^（）()]{2,20}[）)])?$"
)


# What may follow a title at the head of a document besides its 发文字号: a date under the
# title （2021年1月4日）, a report's ——2023年3月5日在…会议上, a speaker (国务院总理), a body that adopted it.
HEAD_LINE = re.compile(r"^(?:[（(]\s*(?:\d{4}|[〇零○一二三四五六七八九]{4})\s*年|——\s*\d{4}\s*年|"
                       r"[\u4e00-\u9fff]{0,20}(?:总理|省长|市长|县长|区长|州长|主席)$)")


_DOTTED = re.compile(r"^\d{1,2}(?:[.．]\d{1,2})+")


def bare_number(text: str) -> str:
    """A 发文字号 line without the brackets some copies print around it: （皖政办秘〔2021〕82号）."""
    t = text.strip()
    return t[1:-1].strip() if len(t) > 2 and t[0] in "（(" and t[-1] in "）)" else t


@dataclass
class Para:
    i: int
    start: int  # offset in the restored text
    end: int
    text: str
    marker: Marker | None
    heading_hint: bool
    toc_page: int | None

    @property
    def heading_like(self) -> bool:
        return self.marker is not None and is_heading_like(self.text, self.marker)

    @property
    def is_date(self) -> bool:
        return bool(DATE_LINE.match(self.text))

    @property
    def is_doc_number(self) -> bool:
        return bool(DOC_NUMBER.fullmatch(bare_number(self.text)))

    @property
    def title_like(self) -> bool:
        """Could be (part of) a document title: short, no sentence, no outline marker."""
        t = self.text
        return (
            self.marker is None
            and self.toc_page is None
            and 4 <= len(t) <= 90
            and not any(p in t for p in "，。；！？：")
            and not self.is_date
            and not self.is_doc_number
            and not _DOTTED.match(t)  # 3.2应急报告: a numbered section of a plan, not a title
        )


def paragraphs(restored: Restored) -> list[Para]:
    text = restored.mt.text
    out: list[Para] = []
    pos = 0
    for i, line in enumerate(text.split("\n")):
        hint = restored.hints.get(restored.line_of(pos)) if line else None
        out.append(
            Para(
                i=i,
                start=pos,
                end=pos + len(line),
                text=line,
                marker=match_marker(line),
                heading_hint=bool(hint and hint.heading),
                toc_page=hint.toc_page if hint else None,
            )
        )
        pos += len(line) + 1
    return out
