"""Plain text and markdown, plus the line builder the rendering readers share.

A text file *is* its original lines: `Source.text` is the decoded file with
only CRLF/CR turned into LF and a BOM dropped.  Nothing else changes (no
whitespace stripping, no Unicode normalisation), so every later stage can map
a character back to the exact place a person sees in the file.

Markdown `#` headings are left to the restoration stage (which reads markup
itself); this reader gives text and markdown no line hints.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from ..model import InputError, LineHint, Source
from .encoding import UndecodableError, decode

MARKDOWN_EXT = {".md", ".markdown", ".mdown", ".mkd"}
_ATX_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.M)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def read_text(data: bytes, display: str, ext: str = "") -> Source:
    try:
        text, encoding = decode(data)
    except UndecodableError as e:
        raise InputError(display, str(e)) from None
    text = normalise_newlines(text)
    if not text.strip():
        raise InputError(display, "no text")
    # The format name is metadata only: an OCR export saved as .txt is still
    # markdown if it uses '#' headings.
    fmt = "markdown" if ext in MARKDOWN_EXT or _ATX_HEADING.search(text, 0, 65536) else "text"
    return Source(path=display, text=text, format=fmt, encoding=encoding)


# Characters that str.splitlines() treats as line breaks.  A rendered line
# must stay one line for every consumer, so they become a real LF (separators)
# or a space (the rest).  Text files are exempt: they keep their bytes.
_BREAKS = str.maketrans({
    "\r": "\n", "\x0b": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n",
    "\x0c": " ", "\x1c": " ", "\x1d": " ", "\x1e": " ",
})
PAGE_MARK = "\f"  # a line holding only FF marks a PDF page boundary


def rendered_source(
    display: str,
    fmt: str,
    lines: Iterable[tuple[str, LineHint | None]],
    encoding: str | None = None,
) -> Source:
    """Build a Source from rendered (line, hint) pairs; hints keyed 1-based.

    A line containing LF becomes several lines sharing the hint (a heading with
    a soft line break is still the heading on both lines).
    """
    out: list[str] = []
    hints: dict[int, LineHint] = {}
    for text, hint in lines:
        parts = [text] if text == PAGE_MARK else text.replace("\r\n", "\n").translate(_BREAKS).split("\n")
        for part in parts:
            out.append(part)
            if hint is not None:
                hints[len(out)] = replace(hint)  # one object per line
    if not any(line.strip() for line in out):
        raise InputError(display, "no text")
    return Source(path=display, text="\n".join(out), format=fmt, encoding=encoding, hints=hints)
