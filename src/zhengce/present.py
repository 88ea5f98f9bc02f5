"""How numbers and amounts read in Chinese, once for the CLI, the answers and the pages.

    number(12.0) → '12'      amount_range({'min': 50, 'max': 200, 'unit': '万元'}) → '50–200万元'
"""

from __future__ import annotations

import json
from typing import Any

# Characters that could end a <script> element or open a comment, a tag or an
# entity, written as JSON escapes: the result is inert inside
# <script type="application/json"> and in element text (never put it in an attribute).
_HTML_UNSAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", ord("'"): "\\u0027",
                0x2028: "\\u2028", 0x2029: "\\u2029"}


def json_for_html(v: Any) -> str:
    """`v` as JSON that no HTML parser reads as markup (for <script type="application/json"> blocks)."""
    return json.dumps(v, ensure_ascii=False, default=str).translate(_HTML_UNSAFE)


def number(v: Any) -> str:
    """A value as written: whole floats without '.0', everything else as str."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def amount_range(a: dict | None, missing: str = "") -> str:
    """{min, max, unit} as people read it: '1000万元', '50–200万元', '最高300万元', '不低于5万元'.

    `missing` stands in when neither end is stated.
    """
    if not a:
        return missing
    lo, hi, unit = a.get("min"), a.get("max"), a.get("unit") or ""
    if lo is not None and hi is not None:
        return f"{number(lo)}{unit}" if lo == hi else f"{number(lo)}–{number(hi)}{unit}"
    if hi is not None:
        return f"最高{number(hi)}{unit}"
    if lo is not None:
        return f"不低于{number(lo)}{unit}"
    return missing


# A spreadsheet cell that begins with one of these is read as a formula (or DDE command) by
# Excel, WPS and LibreOffice: a document title or a firm name such as =HYPERLINK(…) must stay
# text.  OWASP's advice: prefix such a value with a single quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(v: Any) -> Any:
    """A cell value that no spreadsheet evaluates (strings starting =+-@, TAB or CR get a leading ')."""
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def inert_row(row: Any) -> list:
    return [inert(v) for v in row]


def inert_workbook(wb: Any) -> Any:
    """Every string cell of an openpyxl workbook made inert (call it right before saving)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
                    cell.value = "'" + cell.value
    return wb
