"""Word .docx: paragraphs and tables in body order.

Conventions
- One line per paragraph, in the order of the body XML (tables interleaved).
  Empty paragraphs stay as empty lines: in Word they are the layout.
- A soft line break (w:br, w:cr) starts a new line; page and column breaks add
  nothing.  w:tab is a TAB.  Deleted tracked changes and field codes are left
  out; inserted changes and field results (TOC entries, page refs) are kept.
- Automatic list numbering is rendered as Word shows it ("一、", "（一）",
  "1.", "第一章" ...), because Chinese documents often get their heading
  numbers from numbering.xml rather than from the text.
- Headings: style "Heading N"/"标题 N" (also inherited through basedOn), "Title"
  (level 1), or an outline level → LineHint(heading=N).
- Tables: one line per row, cells joined by TAB, LineHint(table_row=True).
  A horizontally merged cell is written once, followed by empty cells for the
  grid columns it spans; a vertically merged continuation is an empty cell;
  so every row has one field per grid column.  Paragraphs inside a cell are
  joined by a space.
- Text boxes: their paragraphs follow the paragraph that anchors them.
- Footnotes/endnotes: the reference is a superscript number (¹²³, numbered in
  order of reference); after the body come an empty line and one line per
  note paragraph, the first starting with its number.  Headers and footers
  (page furniture) are skipped.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from io import BytesIO

import docx as python_docx
from lxml import etree

from ..model import InputError, LineHint, Source
from .text import rendered_source

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _val(el, tag: str) -> str | None:
    """w:val of the child `tag` of `el` (None if either is missing)."""
    if el is None:
        return None
    child = el.find(w(tag))
    return None if child is None else child.get(w("val"))


# Subtrees whose text Word does not show in the paragraph flow.
_SKIP = {w(t) for t in ("pPr", "rPr", "del", "delText", "instrText", "moveFrom", "fldData",
                        "drawing", "pict", "object", "commentReference")} | {f"{{{MC}}}Fallback"}
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.I)
_TITLE_STYLE = re.compile(r"^(?:title|标题)$", re.I)
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def read_docx(data: bytes, display: str) -> Source:
    try:
        doc = python_docx.Document(BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, etree.XMLSyntaxError) as e:
        raise InputError(display, f"corrupt or truncated docx: {_one_line(e)}") from None
    except ValueError as e:  # e.g. a .docm/.dotx content type
        raise InputError(display, f"unsupported format: {_one_line(e)}") from None
    return rendered_source(display, "docx", _Renderer(doc).render())


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())[:200] or type(e).__name__


class _Renderer:
    def __init__(self, doc) -> None:
        self.styles = _Styles(doc.styles.element)
        self.numbering = _Numbering(_part_element(doc.part, "/numbering"))
        self.notes = {kind: _notes(_part_element(doc.part, f"/{kind}s"), kind) for kind in ("footnote", "endnote")}
        self.note_order: list[tuple[str, str]] = []  # (kind, id) in reference order
        self.body = doc.element.body
        self.lines: list[tuple[str, LineHint | None]] = []

    def render(self) -> list[tuple[str, LineHint | None]]:
        self.blocks(self.body)
        if self.note_order:
            self.lines.append(("", None))
            for number, (kind, note_id) in enumerate(self.note_order, 1):
                for p in self.notes[kind].get(note_id, []):
                    self.lines.append((self.para_text(p, note_number=number), None))
        return self.lines

    def blocks(self, parent) -> None:
        for el in parent:
            if el.tag == w("p"):
                self.paragraph(el)
            elif el.tag == w("tbl"):
                self.table(el)
            elif el.tag in (w("sdt"), w("customXml")):  # content controls wrap blocks
                content = el.find(w("sdtContent"))
                self.blocks(content if content is not None else el)

    def paragraph(self, p) -> None:
        level = self.heading_level(p)
        text = self.numbering_label(p) + self.para_text(p)
        self.lines.append((text, LineHint(heading=level) if level else None))
        for box in _text_boxes(p):
            self.blocks(box)

    def heading_level(self, p) -> int | None:
        ppr = p.find(w("pPr"))
        outline = _val(ppr, "outlineLvl")
        if outline is not None:
            return _outline_level(outline)
        return self.styles.heading_level(_val(ppr, "pStyle"))

    def numbering_label(self, p) -> str:
        ppr = p.find(w("pPr"))
        num_pr = ppr.find(w("numPr")) if ppr is not None else None
        num_id = _val(num_pr, "numId")
        ilvl = _val(num_pr, "ilvl")
        if num_id is None:  # numbering may come from the paragraph style
            num_id, style_ilvl = self.styles.numbering(_val(ppr, "pStyle"))
            ilvl = ilvl if ilvl is not None else style_ilvl
        if num_id is None or num_id == "0":
            return ""
        return self.numbering.label(num_id, int(ilvl or 0))

    def para_text(self, p, note_number: int | None = None) -> str:
        out: list[str] = []
        self._runs(p, out, note_number)
        return "".join(out)

    def _runs(self, el, out: list[str], note_number: int | None) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIP or not isinstance(tag, str):
                continue
            if tag == w("t"):
                out.append(child.text or "")
            elif tag == w("tab") or tag == w("ptab"):
                out.append("\t")
            elif tag == w("br"):
                if child.get(w("type")) in (None, "textWrapping"):
                    out.append("\n")
            elif tag == w("cr"):
                out.append("\n")
            elif tag == w("noBreakHyphen"):
                out.append("-")
            elif tag in (w("footnoteReference"), w("endnoteReference")):
                kind = "footnote" if tag == w("footnoteReference") else "endnote"
                self.note_order.append((kind, child.get(w("id"))))
                out.append(str(len(self.note_order)).translate(_SUPERSCRIPT))
            elif tag in (w("footnoteRef"), w("endnoteRef")) and note_number is not None:
                out.append(str(note_number).translate(_SUPERSCRIPT))
            elif tag == f"{{{MC}}}AlternateContent":
                choice = child.find(f"{{{MC}}}Choice")
                if choice is not None:
                    self._runs(choice, out, note_number)
            else:  # w:r, w:hyperlink, w:ins, w:smartTag, w:sdt, w:fldSimple, ...
                self._runs(child, out, note_number)

    def table(self, tbl) -> None:
        for tr in _rows(tbl):
            cells: list[str] = [""] * int(_val(tr.find(w("trPr")), "gridBefore") or 0)
            for tc in _cells(tr):
                tcpr = tc.find(w("tcPr"))
                span = max(1, min(int(_val(tcpr, "gridSpan") or 1), 64))
                vmerge = tcpr.find(w("vMerge")) if tcpr is not None else None
                continued = vmerge is not None and vmerge.get(w("val"), "continue") == "continue"
                if continued:
                    cells.append("")
                else:
                    cells.append(self.cell_text(tc))
                cells.extend([""] * (span - 1))
            if any(cells):
                self.lines.append(("\t".join(cells), LineHint(table_row=True)))

    def cell_text(self, tc) -> str:
        parts: list[str] = []
        for p in tc.iter(w("p")):
            text = self.numbering_label(p) + self.para_text(p)
            if text.strip():
                parts.append(" ".join(text.replace("\t", " ").splitlines()))
        return " ".join(parts)


def _rows(tbl):
    for el in tbl:
        if el.tag == w("tr"):
            yield el
        elif el.tag in (w("sdt"), w("customXml")):
            yield from (tr for tr in el.iter(w("tr")))


def _cells(tr):
    for el in tr:
        if el.tag == w("tc"):
            yield el
        elif el.tag in (w("sdt"), w("customXml")):
            yield from el.iter(w("tc"))


def _text_boxes(p):
    """w:txbxContent anchored in paragraph p (not nested boxes, not fallbacks)."""
    boxes = []
    for box in p.iter(w("txbxContent")):
        anc = box.getparent()
        while anc is not None and anc is not p and anc.tag not in (w("txbxContent"), f"{{{MC}}}Fallback"):
            anc = anc.getparent()
        if anc is p:
            boxes.append(box)
    return boxes


def _outline_level(value: str) -> int | None:
    level = int(value) if value.isdigit() else 9
    return level + 1 if level < 9 else None  # 9 = body text


def _part_element(part, suffix: str):
    """The XML root of the related part whose relationship type ends in suffix."""
    for rel in part.rels.values():
        if not rel.is_external and rel.reltype.endswith(suffix):
            target = rel.target_part
            element = getattr(target, "element", None)
            return element if element is not None else etree.fromstring(target.blob)
    return None


def _notes(root, kind: str) -> dict[str, list]:
    if root is None:
        return {}
    return {n.get(w("id")): n.findall(w("p")) for n in root.findall(w(kind))}


class _Styles:
    """Paragraph styles: heading level and numbering, following basedOn."""

    def __init__(self, root) -> None:
        self.by_id = {s.get(w("styleId")): s for s in root.findall(w("style"))} if root is not None else {}

    def _chain(self, style_id: str | None):
        seen = set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style
            style_id = _val(style, "basedOn")

    def heading_level(self, style_id: str | None) -> int | None:
        for style in self._chain(style_id):
            name = (_val(style, "name") or "").strip()
            if m := _HEADING_STYLE.match(name):
                return int(m.group(1))
            if _TITLE_STYLE.match(name):
                return 1
            outline = _val(style.find(w("pPr")), "outlineLvl")
            if outline is not None:
                return _outline_level(outline)
        return None

    def numbering(self, style_id: str | None) -> tuple[str | None, str | None]:
        for style in self._chain(style_id):
            ppr = style.find(w("pPr"))
            num_pr = ppr.find(w("numPr")) if ppr is not None else None
            if num_pr is not None:
                return _val(num_pr, "numId"), _val(num_pr, "ilvl")
        return None, None


class _Numbering:
    """Word's automatic numbering, counted the way Word counts it.

    Lists that share an abstract definition continue one another unless a
    w:num overrides the start; a level's counter restarts when a higher level
    advances.
    """

    def __init__(self, root) -> None:
        self.levels: dict[str, dict[int, tuple[int, str, str, str]]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        if root is None:
            return
        for absn in root.findall(w("abstractNum")):
            levels = {}
            for lvl in absn.findall(w("lvl")):
                suffix = {"tab": "\t", "space": " ", "nothing": ""}.get(_val(lvl, "suff") or "tab", "\t")
                start = _val(lvl, "start")
                levels[int(lvl.get(w("ilvl"), "0"))] = (
                    int(start) if start and start.lstrip("-").isdigit() else 1,
                    _val(lvl, "numFmt") or "decimal",
                    _val(lvl, "lvlText") or "",
                    suffix,
                )
            self.levels[absn.get(w("abstractNumId"))] = levels
        for num in root.findall(w("num")):
            overrides = {}
            for ov in num.findall(w("lvlOverride")):
                start = _val(ov, "startOverride")
                if start and start.isdigit():
                    overrides[int(ov.get(w("ilvl"), "0"))] = int(start)
            self.nums[num.get(w("numId"))] = (_val(num, "abstractNumId"), overrides)

    def label(self, num_id: str, ilvl: int) -> str:
        abs_id, overrides = self.nums.get(num_id, (None, {}))
        levels = self.levels.get(abs_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abs_id, {})
        if overrides and num_id not in self.started:  # a restarted list instance
            for level, start in overrides.items():
                counters[level] = start - 1
        self.started.add(num_id)
        start = levels[ilvl][0]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        _, fmt, text, suffix = levels[ilvl]
        if fmt == "none":
            return ""
        if fmt == "bullet":
            bullet = "•" if any("\ue000" <= c <= "\uf8ff" for c in text) else text
            return bullet + suffix if bullet else ""

        def number(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            if k not in levels:
                return ""
            value = counters.get(k, levels[k][0])
            return format_number(value, fmt if k == ilvl else levels[k][1])

        label = re.sub(r"%([1-9])", number, text)
        return label + suffix if label else ""


_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _chinese(n: int, digits: str = _CN_DIGITS, ten: str = "十") -> str:
    """1..9999 as Word writes chineseCounting: 十, 十一, 二十一, 一百零五."""
    if n <= 0 or n >= 10000:
        return str(n)
    units = ["", ten, "百" if digits is _CN_DIGITS else "佰", "千" if digits is _CN_DIGITS else "仟"]
    out, zero = "", False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d:
            if zero and out:
                out += digits[0]
            out += digits[d] + units[pos]
            zero = False
        else:
            zero = bool(out)
    if digits is _CN_DIGITS and 10 <= n < 20:
        out = out[1:]  # 十一, not 一十一
    return out


def format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "taiwaneseCountingThousand"):
        return _chinese(n)
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _CN_LEGAL, "拾")
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _TIANGAN[n - 1]
    if fmt == "ideographZodiac" and 1 <= n <= 12:
        return _DIZHI[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperLetter", "lowerLetter") and n >= 1:
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman") and 1 <= n < 4000:
        out, rest = "", n
        for value, sym in _ROMAN:
            while rest >= value:
                out, rest = out + sym, rest - value
        return out if fmt == "upperRoman" else out.lower()
    return str(n)
