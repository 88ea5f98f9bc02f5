"""OFD (GB/T 33190, the national format for electronic official documents): the text layer.

An OFD file is a zip of XML: OFD.xml names each document's root (DocBody/DocRoot,
e.g. Doc_0/Document.xml), which lists its pages (Pages/Page@BaseLoc); each page's
Content.xml holds TextObject elements, each with a Boundary (x y w h, in mm) and one
or more TextCode runs (their own X/Y inside the boundary).  Written here with lxml,
because the OFD packages on PyPI render pages to images or PDF (and pull in image
libraries) rather than giving the text with its positions.

Conventions, as for PDF: one line per printed line (runs on the same baseline, within
half a character's height, joined left to right, a gap wider than two characters kept
as a space), pages in document order separated by a "\\f" line.  Templates
(Page/Template) hold page furniture (headers, folios) and are skipped.
"""

from __future__ import annotations

import posixpath
import zipfile
from io import BytesIO

from lxml import etree

from ..model import InputError, Source
from .archive import check_container
from .text import PAGE_MARK, rendered_source

OFD_NS = "http://www.ofdspec.org/2016"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


def _xml(zf: zipfile.ZipFile, name: str, display: str):
    try:
        return etree.fromstring(zf.read(name), _PARSER)
    except KeyError:
        raise InputError(display, f"OFD 文件不完整：缺少 {name}") from None


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _find_all(root, name: str):
    return [el for el in root.iter() if _local(el) == name]


def _resolve(base: str, loc: str) -> str:
    """A BaseLoc relative to the XML file naming it (or absolute from the package root)."""
    loc = loc.strip().replace("\\", "/")
    if loc.startswith("/"):
        return posixpath.normpath(loc.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), loc))


def _floats(s: str | None, n: int) -> list[float]:
    try:
        vals = [float(x) for x in (s or "").split()]
    except ValueError:
        vals = []
    return (vals + [0.0] * n)[:n]


def _page_lines(content) -> list[str]:
    runs = []  # (y, x, size, text)
    for obj in _find_all(content, "TextObject"):
        bx, by, _bw, bh = _floats(obj.get("Boundary"), 4)
        size = _floats(obj.get("Size"), 1)[0] or bh or 3.5
        for code in obj:
            if _local(code) != "TextCode" or not (code.text or "").strip():
                continue
            x = _floats(code.get("X"), 1)[0]
            y = _floats(code.get("Y"), 1)[0]
            runs.append((by + y, bx + x, size, code.text))
    runs.sort(key=lambda r: (r[0], r[1]))
    lines: list[list[tuple[float, float, float, str]]] = []
    for r in runs:
        if lines and abs(lines[-1][0][0] - r[0]) <= 0.5 * max(r[2], lines[-1][0][2]):
            lines[-1].append(r)
        else:
            lines.append([r])
    out = []
    for line in lines:
        line.sort(key=lambda r: r[1])
        text, end = "", None
        for _y, x, size, t in line:
            if end is not None and x - end > 2 * size:
                text += " "
            text += t
            end = x + size * len(t)
        out.append(text)
    return out


def read_ofd(data: bytes, display: str) -> Source:
    try:
        zf = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile as e:
        raise InputError(display, f"OFD 文件已损坏：{e}") from None
    with zf:
        check_container(zf, display)
        root = _xml(zf, "OFD.xml", display)
        lines: list[str] = []
        pages_seen = 0
        for body in _find_all(root, "DocBody"):
            doc_root = next((el.text for el in body if _local(el) == "DocRoot" and el.text), None)
            if not doc_root:
                continue
            doc_path = _resolve("OFD.xml", doc_root)
            document = _xml(zf, doc_path, display)
            for page in _find_all(document, "Page"):
                loc = page.get("BaseLoc")
                if not loc:
                    continue
                content = _xml(zf, _resolve(doc_path, loc), display)
                if pages_seen:
                    lines.append(PAGE_MARK)
                pages_seen += 1
                lines.extend(_page_lines(content))
        if not pages_seen:
            raise InputError(display, "OFD 文件没有页面")
        if not any(line.strip() for line in lines if line != PAGE_MARK):
            raise InputError(display, "OFD 文件没有文字层（可能是扫描件，需要先做文字识别）")
    return rendered_source(display, "ofd", [(line, None) for line in lines])
