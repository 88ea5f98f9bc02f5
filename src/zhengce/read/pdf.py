"""PDF text layer: one text line per line, pages separated by a form feed.

Conventions
- Text comes from pypdfium2 (PDFium's text page: content order with line
  breaks where PDFium sees them), one PDF text line per line, exactly as
  PDFium gives it apart from control characters (PDFium's soft hyphen U+0002
  becomes "-").
- Between two pages there is a line holding only "\\f" (FORM FEED).  Page k
  is the text between the (k-1)-th and the k-th such line, so later stages can
  find running heads, folios and other page furniture, and join sentences
  split across pages.  An empty page is an empty line between two marks.
- Tables: pages whose vector graphics could form a grid are checked with
  pdfplumber for ruled tables (>= 2 rows and >= 2 columns).  A table's characters are taken
  out of the text flow and replaced, where the table starts, by one line per
  row: cells joined by TAB (each cell's text is PDFium's characters inside the
  cell box, wrapped lines joined without a space between CJK characters),
  empty fields for merged-cell slots, LineHint(table_row=True).  So table
  text appears once, as rows, in reading order.  If pdfplumber fails on a
  page, or the page is rotated/offset, the page keeps its plain text lines.
- Errors: a password → "encrypted PDF"; unreadable or cut short → "corrupt or
  truncated PDF: ..."; no characters at all → "no text layer (scanned PDF?)".
  A PDF with only an owner password (permissions) opens and is read.
"""

from __future__ import annotations

import re
from io import BytesIO

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..model import InputError, LineHint, Source
from .text import PAGE_MARK, rendered_source

# Control characters PDFium can emit; U+0002 marks a hyphen it judged soft.
_CONTROLS = {i: None for i in range(32) if i not in (9, 10, 13)} | {2: "-", 0xFFFE: None, 0xFFFF: None}
_SURROGATE = re.compile("[\ud800-\udfff]")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def read_pdf(data: bytes, display: str) -> Source:
    # PDF readers look for %%EOF within the last 1 KB; a file cut short has
    # none, and PDFium would silently rebuild and read just part of it.
    if b"%%EOF" not in data[-1024:]:
        raise InputError(display, "corrupt or truncated PDF: no %%EOF at the end")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise InputError(display, "encrypted PDF") from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise InputError(display, "encrypted PDF (unsupported security handler)") from None
        raise InputError(display, f"corrupt or truncated PDF: {_reason(e)}") from None
    try:
        lines = _read_pages(pdf, data, display)
    finally:
        pdf.close()
    if not any(line.strip() for line, _ in lines if line != PAGE_MARK):
        raise InputError(display, "no text layer (scanned PDF?)")
    return rendered_source(display, "pdf", lines)


def _reason(e: Exception) -> str:
    """'Failed to load document (PDFium: Data format error).' → 'Data format error'."""
    m = re.search(r"PDFium: ([^)]*)", str(e))
    return m.group(1).strip() if m else " ".join(str(e).split()) or "unreadable"


def _read_pages(pdf: pdfium.PdfDocument, data: bytes, display: str) -> list[tuple[str, LineHint | None]]:
    lines: list[tuple[str, LineHint | None]] = []
    plumber = None  # opened on first use: most pages have no vector graphics
    try:
        for index in range(len(pdf)):
            if index:
                lines.append((PAGE_MARK, None))
            try:
                page = pdf[index]
            except pdfium.PdfiumError as e:
                raise InputError(display, f"corrupt or truncated PDF: page {index + 1}: {_reason(e)}") from None
            textpage = page.get_textpage()
            try:
                tables = []
                if _may_have_table(page):
                    if plumber is None:
                        plumber = _open_plumber(data)
                    tables = _find_tables(plumber, index, page)
                if tables:
                    lines.extend(_page_with_tables(textpage, tables))
                else:
                    text = textpage.get_text_range().translate(_CONTROLS)
                    lines.extend((line, None) for line in _split(text))
            finally:
                textpage.close()
                page.close()
    finally:
        if plumber:
            plumber.close()
    return lines


def _split(text: str) -> list[str]:
    if _SURROGATE.search(text):  # pair up UTF-16 halves, if PDFium gave any
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if text else [""]


def _may_have_table(page) -> bool:
    """Cheap check before pdfplumber (which costs ~50 ms a page): a ruled
    table of 2x2 cells needs at least 3 horizontal and 3 vertical rules.  A
    letterhead's red line or a footer rule does not qualify."""
    across = down = 0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        width, height = right - left, top - bottom
        if height <= 3 and width > 3:
            across += 1
        elif width <= 3 and height > 3:
            down += 1
        elif pdfium_c.FPDFPath_CountSegments(obj.raw) >= 12:
            return True  # a grid drawn as one path (or a vector logo: costs only time)
        else:  # a box: a cell, a frame or shading
            across, down = across + 2, down + 2
        if across >= 3 and down >= 3:
            return True
    return False


def _open_plumber(data: bytes):
    try:
        import pdfplumber

        return pdfplumber.open(BytesIO(data))
    except Exception:  # tables are a bonus; the text layer is already read
        return False


def _find_tables(plumber, index: int, page) -> list:
    """Ruled tables on the page, as pdfplumber Table objects (top-left coords)."""
    if not plumber or page.get_rotation() % 360:
        return []
    try:
        pp = plumber.pages[index]
        x0, y0, x1, y1 = page.get_mediabox()
        if (x0, y0) != (0, 0) or any(abs(a - b) > 1 for a, b in zip(pp.bbox, (0, 0, x1, y1))):
            return []  # the two libraries' coordinates would not line up
        tables = pp.find_tables()
    except Exception:
        return []
    return [t for t in tables if len(t.rows) >= 2 and max(len(r.cells) for r in t.rows) >= 2]


def _page_with_tables(textpage, tables) -> list[tuple[str, LineHint | None]]:
    """The page's lines with each table's characters replaced by its rows."""
    height = textpage.parent.get_height()
    cell_boxes = [[c for row in t.rows for c in row.cells if c is not None] for t in tables]
    cell_chars: dict[tuple[int, tuple], list[str]] = {}
    flow: list[str | int] = []  # characters outside tables, and table numbers where they start
    started: set[int] = set()
    where: tuple[int, tuple] | None = None  # cell of the previous real character
    n = textpage.count_chars()
    for i in range(n):
        ch = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
        if not pdfium_c.FPDFText_IsGenerated(textpage.raw, i):
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            x, y = (left + right) / 2, height - (bottom + top) / 2  # centre, from the page top
            where = None
            for t_index, t in enumerate(tables):
                tx0, ttop, tx1, tbottom = t.bbox
                if tx0 <= x <= tx1 and ttop <= y <= tbottom:
                    where = (t_index, _nearest_cell(cell_boxes[t_index], x, y))
                    break
        # A generated space or line break belongs where the character before it was.
        if where is None:
            flow.append(ch)
        else:
            if where[0] not in started:
                started.add(where[0])
                flow.append(where[0])
            cell_chars.setdefault(where, []).append(ch)

    lines: list[tuple[str, LineHint | None]] = []
    text: list[str] = []

    def flush_text() -> None:
        for line in _split("".join(text).translate(_CONTROLS)):
            if line.strip():  # removing a table leaves empty lines behind
                lines.append((line, None))
        text.clear()

    for item in flow:
        if isinstance(item, str):
            text.append(item)
            continue
        flush_text()
        for row in tables[item].rows:
            cells = ["" if box is None else _cell_text(cell_chars.get((item, box), [])) for box in row.cells]
            if any(cells):
                lines.append(("\t".join(cells), LineHint(table_row=True)))
    flush_text()
    return lines


def _nearest_cell(boxes: list[tuple], x: float, y: float) -> tuple:
    def distance(b: tuple) -> float:
        x0, top, x1, bottom = b
        return max(x0 - x, 0, x - x1) + max(top - y, 0, y - bottom)

    return min(boxes, key=distance)


def _cell_text(chars: list[str]) -> str:
    """One line: wrapped lines join directly between CJK, else with a space."""
    parts = [p.strip() for p in _split("".join(chars).translate(_CONTROLS).replace("\t", " "))]
    out = ""
    for part in filter(None, parts):
        if out and not (_CJK.match(out[-1]) and _CJK.match(part[0])):
            out += " "
        out += part
    return out
