"""HTML pages: the article text, one block per line.

Conventions
- Page furniture goes first: script/style, header/footer/nav/aside, forms,
  hidden elements, ARIA banner/navigation/contentinfo regions.
- The main container is found generically by text mass: starting at <body>,
  descend into the child holding at least DESCEND_SHARE of the non-link text
  until no child dominates.  Menus and "related links" lists are link text and
  weigh nothing; a sidebar or footer with real text stops the descent early,
  which keeps it rather than losing article text.  Title-like elements just
  before the container are kept too (the usual place of a government page's
  title, outside the `#zoom`-like body div): h1-h3, short blocks whose
  class/id says title/biaoti/bt, or a bold line that is its block's only text.
- Every block element (p, div, li, ...) and every <br> ends a line; empty lines
  are dropped (HTML spacing is layout, not content).  Whitespace collapses as a
  browser shows it; &nbsp; becomes a space; U+3000 indentation is kept.
- h1-h6 give LineHint(heading=n).  A data table gives one line per <tr>, cells
  joined by TAB, colspan/rowspan slots as empty cells so columns stay aligned,
  LineHint(table_row=True).  A layout table (nested tables, or one cell per
  row) is rendered as ordinary blocks.
- Encoding: BOM, valid UTF-8, then the page's <meta charset> (gb2312/gbk read
  as gb18030), then content sniffing (see encoding.py).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..model import InputError, LineHint, Source
from .encoding import UndecodableError, decode
from .text import rendered_source

DESCEND_SHARE = 0.75
JUNK = (
    "script, style, noscript, template, nav, aside, iframe, svg, canvas, "
    "button, select, textarea, input, object, embed, audio, video, map, "
    "[hidden], [aria-hidden=true], [role=navigation], [role=banner], [role=contentinfo], [role=search]"
)
BLOCK = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
    "center", "address", "figure", "figcaption", "hr", "caption", "pre", "tr", "td", "th",
    "tbody", "thead", "tfoot", "table", "body", "html", "fieldset", "details", "summary", "h1",
    "h2", "h3", "h4", "h5", "h6",
}
HEADINGS = {f"h{n}": n for n in range(1, 7)}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_TITLE_ATTR = re.compile(r"title|biaoti|headline|(?:^|[\s_-])bt(?:$|[\s_\d-])", re.I)
_SPACE = re.compile(r"[ \t\n\r\f]+")


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


# Nesting deeper than this is no article but an attack or a broken generator: the tree walks
# below are linear per node but a node's ancestors are walked for each, so depth must be bounded
# (200,000 nested tags took minutes).  Real pages stay under a hundred.
MAX_HTML_DEPTH = 2_000
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
# Tags that need no end tag (void) or that the parser closes by itself (an unclosed <p>, <li>, <td>).
_NOT_NESTING = frozenset("area base br col embed hr img input link meta param source track wbr "
                         "p li dt dd td th tr tbody thead tfoot option optgroup colgroup caption rb rt rp".split())


def nesting_depth(text: str, stop: int = MAX_HTML_DEPTH) -> int:
    """How deep the markup nests, counted in one linear pass over the tags (stops past `stop`)."""
    depth = deepest = 0
    for m in _TAG.finditer(text):
        if m.group(2).lower() in _NOT_NESTING or m.group(3):
            continue
        depth = max(0, depth - 1) if m.group(1) else depth + 1
        if depth > deepest:
            deepest = depth
            if deepest > stop:
                break
    return deepest


def read_html(data: bytes, display: str) -> Source:
    try:
        text, encoding = decode(data, declared_charset(data))
    except UndecodableError as e:
        raise InputError(display, str(e)) from None
    if nesting_depth(text) > MAX_HTML_DEPTH:
        raise InputError(display, f"HTML 嵌套过深（超过 {MAX_HTML_DEPTH} 层）：不是正常网页，未读取")
    tree = LexborHTMLParser(text)
    body = tree.body or tree.root
    if body is None:
        raise InputError(display, "no text")
    _drop(body.css(JUNK))
    # A page-level <header>/<footer> is furniture; one inside <article>/<main>
    # holds the article's own title or signature.
    _drop([n for n in body.css("header, footer") if not _has_ancestor(n, ("article", "main"))])
    # ASP.NET pages wrap the whole page in one <form>: drop only small forms
    # (search boxes, login), never the one holding the page.
    body_mass = _mass(body.text(deep=True) or "")
    _drop([n for n in body.css("form") if _mass(n.text(deep=True) or "") < body_mass / 2])
    _drop([n for n in body.css("[style]") if _DISPLAY_NONE.search(n.attributes.get("style") or "")])

    weight, links = _text_weights(body)
    container = _main_container(body, weight)
    r = _Renderer()
    try:
        for title in _titles(body, container, weight, links):
            r.block(title)
        r.block(container)
    except RecursionError:
        raise InputError(display, "HTML nested too deeply") from None
    r.flush()
    return rendered_source(display, "html", r.lines, encoding)


def _text_weights(body: LexborNode) -> tuple[dict[int, int], dict[int, int]]:
    """Non-space characters under each element (keyed by mem_id): outside
    links, and inside links (menus, "related documents" lists)."""
    weight: dict[int, int] = {}
    links: dict[int, int] = {}
    body_id = body.mem_id
    for node in body.traverse(include_text=True):
        if node.tag != "-text":
            continue
        n = _mass(node.text_content or "")
        if not n:
            continue
        target = weight
        anc = node.parent
        while anc is not None:
            if anc.tag == "a":
                target = links
            target[anc.mem_id] = target.get(anc.mem_id, 0) + n
            if anc.mem_id == body_id:
                break
            anc = anc.parent
    return weight, links


def _mass(text: str) -> int:
    return len("".join(text.split()))


def _drop(nodes: list[LexborNode]) -> None:
    """Remove nodes, outermost first; never touch a node inside a removed one."""
    ids = {n.mem_id for n in nodes}
    for node in nodes:
        anc = node.parent
        while anc is not None and anc.mem_id not in ids:
            anc = anc.parent
        if anc is None:
            node.decompose()


def _has_ancestor(node: LexborNode, tags: tuple[str, ...]) -> bool:
    anc = node.parent
    while anc is not None:
        if anc.tag in tags:
            return True
        anc = anc.parent
    return False


def _children(node: LexborNode):
    child = node.child
    while child is not None:
        if child.tag not in ("-text", "-comment"):
            yield child
        child = child.next


def _main_container(body: LexborNode, weight: dict[int, int]) -> LexborNode:
    node = body
    while True:
        total = weight.get(node.mem_id, 0)
        best = max(_children(node), key=lambda c: weight.get(c.mem_id, 0), default=None)
        if best is None or total == 0 or weight.get(best.mem_id, 0) < DESCEND_SHARE * total:
            return node
        node = best


def _title_like(node: LexborNode, weight: dict[int, int]) -> bool:
    """A heading, or a short block marked or styled as a title."""
    if node.tag in ("h1", "h2", "h3"):
        return True
    mass = weight.get(node.mem_id, 0)
    if not 0 < mass <= 100:
        return False
    if _TITLE_ATTR.search(f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"):
        return True
    # <b>/<strong> that is the whole text of its block: old sites' title line
    parent = node.parent
    return node.tag in ("b", "strong") and parent is not None and weight.get(parent.mem_id, 0) == mass


def _titles(body: LexborNode, container: LexborNode, weight: dict[int, int], links: dict[int, int]) -> list[LexborNode]:
    """Title-like elements just before the container (sharing an ancestor at
    most 3 levels up, not in a link-dominated region such as a sidebar)."""
    if container.mem_id == body.mem_id:
        return []
    near: set[int] = set()
    anc = container.parent
    for _ in range(3):
        if anc is None:
            break
        near.add(anc.mem_id)
        if anc.mem_id == body.mem_id:
            break
        anc = anc.parent
    found: list[LexborNode] = []
    found_ids: set[int] = set()
    for node in body.traverse():
        if node.mem_id == container.mem_id:
            break  # document order: only what comes before the container
        if not weight.get(node.mem_id) or not _title_like(node, weight):
            continue
        up, ok = node, True
        while up is not None and up.mem_id not in near:
            if up.mem_id in found_ids or links.get(up.mem_id, 0) > weight.get(up.mem_id, 0):
                ok = False  # inside an earlier title, or in a region of links
                break
            if up.mem_id == body.mem_id:
                ok = False
                break
            up = up.parent
        if ok and up is not None:
            found.append(node)
            found_ids.add(node.mem_id)
    return found


class _Renderer:
    def __init__(self) -> None:
        self.lines: list[tuple[str, LineHint | None]] = []
        self.buf: list[str] = []
        self.heading: int | None = None

    def flush(self) -> None:
        text = _SPACE.sub(" ", "".join(self.buf).replace("\xa0", " ")).strip(" ")
        self.buf.clear()
        if text:
            self.lines.append((text, LineHint(heading=self.heading) if self.heading else None))

    def block(self, node: LexborNode) -> None:
        tag = node.tag
        self.flush()
        if tag in HEADINGS:
            outer, self.heading = self.heading, HEADINGS[tag]
            self.inline(node)
            self.flush()
            self.heading = outer
        elif tag == "table":
            self.table(node)
        elif tag == "pre":
            for line in (node.text(deep=True) or "").replace("\xa0", " ").splitlines():
                if line.strip():
                    self.lines.append((line.rstrip(), None))
        else:
            self.inline(node)
        self.flush()

    def inline(self, node: LexborNode) -> None:
        child = node.child
        while child is not None:
            tag = child.tag
            if tag == "-text":
                self.buf.append(child.text_content or "")
            elif tag == "br":
                self.flush()
            elif tag in BLOCK:
                self.block(child)
            elif tag not in ("-comment", "img", "head", "title", "meta", "link"):
                self.inline(child)
            child = child.next

    def table(self, table: LexborNode) -> None:
        rows = [tr for tr in table.css("tr") if _owner_table(tr) == table.mem_id]
        cells = [[c for c in _children(tr) if c.tag in ("td", "th")] for tr in rows]
        # (css() matches the node itself too, hence the identity test)
        nested = any(t.mem_id != table.mem_id for t in table.css("table"))
        layout = nested or max((len(c) for c in cells), default=0) < 2
        caption = table.css_first("caption")
        if caption is not None:
            self.block(caption)
        if layout:
            for row in cells:
                for cell in row:
                    self.block(cell)
            return
        pending: dict[int, int] = {}  # column -> rows still covered by a rowspan above
        for row in cells:
            out: list[str] = []

            def fill_spanned() -> None:
                while pending.get(len(out), 0) > 0:
                    pending[len(out)] -= 1
                    out.append("")

            for cell in row:
                fill_spanned()
                colspan = _span(cell, "colspan")
                rowspan = _span(cell, "rowspan")
                if rowspan > 1:
                    for col in range(len(out), len(out) + colspan):
                        pending[col] = rowspan - 1
                out.append(_cell_text(cell))
                out.extend([""] * (colspan - 1))
            while later := [c for c, n in pending.items() if n > 0 and c >= len(out)]:
                out.extend([""] * (min(later) - len(out)))  # rowspans at the row's end
                fill_spanned()
            if any(out):
                self.lines.append(("\t".join(out), LineHint(table_row=True)))


def _owner_table(tr: LexborNode) -> int | None:
    anc = tr.parent
    while anc is not None and anc.tag != "table":
        anc = anc.parent
    return anc.mem_id if anc is not None else None


def _span(cell: LexborNode, attr: str) -> int:
    try:  # bounded: a bogus colspan=100000 must not allocate a huge row
        return min(max(int((cell.attributes.get(attr) or "1").strip()), 1), 100)
    except ValueError:
        return 1


def _cell_text(cell: LexborNode) -> str:
    r = _Renderer()
    r.inline(cell)
    r.flush()
    return " ".join(text for text, _ in r.lines).replace("\t", " ")
