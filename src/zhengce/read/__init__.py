"""Readers: turn files, folders and zip archives into `Source` objects.

    read_file(path, display=None) -> list[Source]     # raises InputError
    iter_sources(paths) -> Iterator[Source | InputError]  # never stops on bad input

The format is detected from the content (magic bytes, HTML sniffing), the
file extension only breaks ties (.md → markdown, .html → html).  Every
format's line conventions are described in its module: text.py, html.py,
docx.py, pdf.py (pages separated by a "\\f" line), archive.py.
Caps (file size, archive size/members/ratio/depth) live in limits.py.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from ..model import InputError, Source
from . import limits
from .archive import check_container, open_zip, read_zip
from .text import read_text

# The docx, HTML and PDF readers import their (heavy) libraries when first
# needed, so that reading text files starts fast.

__all__ = ["read_file", "iter_sources", "SUPPORTED", "MAX_FILE_BYTES", "limits", "InputError", "Source"]

SUPPORTED = {
    "text": "plain text: UTF-8 (with or without BOM), UTF-16 LE/BE (BOM or none), GB18030/GBK/GB2312, Big5",
    "markdown": "text with '#' headings or a .md extension (same encodings)",
    "html": "HTML pages: main article text, h1-h6 headings, tables as TAB-joined rows; <meta charset> honoured",
    "docx": "Word .docx: paragraphs, heading styles, list numbering, tables, text boxes, footnotes",
    "pdf": "PDF text layer (pypdfium2), ruled tables as rows (pdfplumber), pages separated by a \\f line",
    "doc": "Word 97–2003 .doc and WPS Office .wps, through LibreOffice (converted to .docx, then read as .docx)",
    "ofd": "OFD (GB/T 33190) text layer: one line per printed line, pages separated by a \\f line",
    "zip": "zip archives (nested up to limits.MAX_ARCHIVE_DEPTH), members read like files",
}
MAX_FILE_BYTES = limits.MAX_FILE_BYTES  # default; see limits.max_file_bytes() / ZHENGCE_MAX_FILE_MB

# Leading bytes of formats we recognise but do not read.
_BINARY = [
    (b"\x7fELF", "ELF executable"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
]
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc, .wps, .xls, .ppt
_UNSUPPORTED = [
    (OLE, "legacy Office file (.xls/.ppt); save it as .xlsx or .docx"),
    (b"{\\rtf", "RTF; save it as .docx"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
]
_ZIP_KINDS = [  # a zip holding all these names is a document of another kind
    ({"xl/workbook.xml"}, "xlsx spreadsheet"),
    ({"ppt/presentation.xml"}, "pptx presentation"),
    ({"mimetype", "content.xml"}, "OpenDocument file"),
    ({"mimetype", "META-INF/container.xml"}, "EPUB book"),
]
HTML_EXT = {".html", ".htm", ".shtml", ".xhtml"}
# Strong markers anywhere in the first KB; weak ones only if the file starts with a tag.
_HTML_STRONG = re.compile(rb"<!doctype\s+html|<html[\s>]|<body[\s>]|<head[\s>]")
_HTML_WEAK = re.compile(rb"<(?:p|div|meta|table|title|h[1-6])[\s>/]")


def read_file(path: str | Path, display: str | None = None) -> list[Source]:
    """All Sources of one file (several for a zip); the first problem raises."""
    sources = []
    for item in _read_path(Path(path), display if display is not None else str(path)):
        if isinstance(item, InputError):
            raise item
        sources.append(item)
    return sources


def iter_sources(paths: Iterable[str | Path]) -> Iterator[Source | InputError]:
    """Sources of files, folders (recursive, sorted, hidden entries skipped) and
    zip archives; one InputError per bad file, and the batch goes on."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for item in _walk(path):
                if isinstance(item, InputError):
                    yield item
                else:
                    yield from _read_path(item, str(item))
        else:
            yield from _read_path(path, str(p))


def _walk(folder: Path) -> Iterator[Path | InputError]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        yield InputError(str(folder), f"cannot list folder: {e.strerror or e}")
        return
    for entry in entries:
        # Hidden files/folders (.git, .DS_Store) and Word lock files (~$x.docx).
        if entry.name.startswith((".", "~$")):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):  # no symlinked folders: no loops
                yield from _walk(Path(entry.path))
            elif entry.is_file():
                yield Path(entry.path)
        except OSError as e:
            yield InputError(entry.path, f"cannot read: {e.strerror or e}")


def _read_path(path: Path, display: str) -> Iterator[Source | InputError]:
    try:
        st = path.stat()
    except FileNotFoundError:
        yield InputError(display, "no such file")
        return
    except OSError as e:
        yield InputError(display, f"cannot read: {e.strerror or e}")
        return
    if stat.S_ISDIR(st.st_mode):
        yield InputError(display, "is a folder")
        return
    if not stat.S_ISREG(st.st_mode):  # a FIFO or /dev/zero would never end
        yield InputError(display, "not a regular file")
        return
    limit = limits.max_file_bytes()
    if st.st_size > limit:  # decided from stat: a huge file is never read
        yield InputError(display, limits.too_large(st.st_size, limit))
        return
    try:
        with open(path, "rb") as f:
            # Ask for the stat size (+1 to notice growth), not the cap: reading
            # `limit` bytes would allocate the whole cap for every file.
            data = f.read(min(st.st_size, limit) + 1)
            if len(data) > st.st_size:
                data += f.read(limit + 1 - len(data))
    except OSError as e:
        yield InputError(display, f"cannot read: {e.strerror or e}")
        return
    if len(data) > limit:  # grew since stat
        yield InputError(display, limits.too_large(len(data), limit))
        return
    yield from read_bytes(data, display, path.name)


def read_bytes(data: bytes, display: str, name: str = "", depth: int = 0) -> Iterator[Source | InputError]:
    """Read in-memory bytes (a file's or an archive member's) by content; a text past the character cap is refused."""
    cap = limits.max_text_chars()
    for item in _read_bytes(data, display, name, depth):
        if isinstance(item, Source) and len(item.text) > cap:
            yield InputError(item.path, f"文本过长：{len(item.text) / 10_000:.0f} 万字，超过 {cap / 10_000:.0f} 万字的上限"
                                        "（ZHENGCE_MAX_TEXT_MCHARS）；请拆分文件")
        else:
            yield item


def _read_bytes(data: bytes, display: str, name: str = "", depth: int = 0) -> Iterator[Source | InputError]:
    kind = "file"
    try:
        if not data:
            raise InputError(display, "empty file")
        ext = PurePosixPath(name).suffix.lower()
        kind = sniff(data, ext, display)
        if kind == "zip":
            with open_zip(data, display) as zf:
                names = set(zf.namelist())
                if "word/document.xml" in names:
                    check_container(zf, display)
                    kind = "docx"
                elif "OFD.xml" in names:
                    kind = "ofd"
                else:
                    for markers, what in _ZIP_KINDS:
                        if markers <= names:
                            raise InputError(display, f"unsupported format: {what}")
            if kind == "zip":
                yield from read_zip(data, display, depth, read_bytes)
            elif kind == "ofd":
                from .ofd import read_ofd

                yield read_ofd(data, display)
            else:
                from .docx import read_docx

                yield read_docx(data, display)
        elif kind == "legacy":
            from .legacy import read_legacy

            yield read_legacy(data, display, ext)
        elif kind == "pdf":
            from .pdf import read_pdf

            yield read_pdf(data, display)
        elif kind == "html":
            from .html import read_html

            yield read_html(data, display)
        else:
            yield read_text(data, display, ext)
    except InputError as e:
        yield e
    except Exception as e:  # a parser's bug or an odd file must not stop the batch
        detail = " ".join(str(e).split())[:200]
        yield InputError(display, f"cannot read {kind}: {type(e).__name__}{': ' + detail if detail else ''}")


def _word_stream(data: bytes) -> bool:
    from .legacy import WORD_STREAM

    return WORD_STREAM in data[:1 << 20]


def sniff(data: bytes, ext: str, display: str) -> str:
    """'pdf' | 'zip' | 'legacy' | 'html' | 'text'; InputError for what we do not read."""
    head = data[:1024]
    if b"%PDF-" in head:  # the header may follow some junk bytes
        return "pdf"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head.startswith(OLE) and (ext in (".doc", ".wps", ".dot", ".wpt") or _word_stream(data)):
        return "legacy"
    if head.startswith(b"MZ") and b"\0" in head[:64]:
        raise InputError(display, "unsupported format: Windows executable")
    for magic, what in _UNSUPPORTED:
        if head.startswith(magic):
            raise InputError(display, f"unsupported format: {what}")
    for magic, what in _BINARY:
        if head.startswith(magic):
            raise InputError(display, f"binary file, not a document ({what})")
    # Dropping NULs makes UTF-16 markup readable as ASCII.
    probe = head.replace(b"\0", b"").lower().lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    if ext in HTML_EXT or _HTML_STRONG.search(probe) or (probe.startswith(b"<") and _HTML_WEAK.search(probe)):
        return "html"
    return "text"
