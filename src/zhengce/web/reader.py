"""What the reader page shows of one document: the outline, the restored text
node by node with extractions marked, and the original lines with what the
restoration did to each of them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from ..model import Document, Extraction, Node, Note
from ..viewer import marks
from .labels import FIELD_LABELS, OUTLINE_KINDS
from .templating import show_value


@dataclass
class Block:
    node: Node
    depth: int
    html: Markup
    outline: bool  # a numbered part of the skeleton (shown in the sidebar, styled as a heading)


def depths(nodes: list[Node]) -> dict[str, int]:
    """Outline depth of each node (0 for top level); nodes come parents first."""
    out: dict[str, int] = {}
    for n in nodes:
        out[n.id] = out[n.parent] + 1 if n.parent in out else 0
    return out


def ancestors(nodes: list[Node], node_id: str) -> list[Node]:
    """The chain of parents of `node_id`, outermost first."""
    by_id = {n.id: n for n in nodes}
    chain, cur = [], by_id.get(node_id)
    while cur is not None and cur.parent in by_id:
        cur = by_id[cur.parent]
        chain.append(cur)
    return chain[::-1]


def blocks(doc: Document, records: list[Extraction]) -> list[Block]:
    """Every node's own text with its records marked; `data-r` numbers index `records`."""
    by_node: dict[str, list[tuple[int, Extraction]]] = defaultdict(list)
    for i, r in enumerate(records):
        by_node[r.node].append((i, r))  # records lie inside their node's span
    depth = depths(doc.nodes)
    return [
        Block(n, depth[n.id], Markup(marks(doc.text, by_node.get(n.id, []), n.start, n.end)), n.kind in OUTLINE_KINDS)
        for n in doc.nodes
    ]


def panel_records(records: list[Extraction]) -> list[dict]:
    """What the detail panel shows of each record: fields already worded for people."""
    return [
        {"type": r.type, "quote": r.quote, "line_start": r.line_start, "line_end": r.line_end,
         "fields": [[FIELD_LABELS.get(k, k), show_value(v)] for k, v in r.fields.items() if show_value(v)]}
        for r in records
    ]


@dataclass
class Line:
    number: int
    html: Markup  # the original line; dropped characters in <del>, changed ones in <span class="chg">
    state: str  # kept | repaired | removed | blank
    joined: bool  # joined to the next line (a wrap or page break undone)
    notes: list[Note] = field(default_factory=list)


def original_lines(doc: Document, source_text: str, notes: list[Note]) -> list[Line]:
    """The document's original lines, each compared with what the restored text kept of it.

    `char_map` gives each restored character's original (line, column); a
    source character no restored character maps to was dropped, a mapped
    character that differs was changed, and consecutive restored characters
    from different lines show a join.
    """
    src = source_text.split("\n")
    used: dict[int, set[int]] = defaultdict(set)
    changed: dict[int, set[int]] = defaultdict(set)
    joined: set[int] = set()
    text, anchors = doc.text, doc.char_map
    prev = None  # line of the previous restored character in this paragraph
    for k, (off, line, col) in enumerate(anchors):
        stop = anchors[k + 1][0] if k + 1 < len(anchors) else len(text)
        for j in range(off, stop):
            ch = text[j]
            if ch == "\n":
                prev = None
                continue
            c = col + (j - off)
            here = src[line - 1] if 0 < line <= len(src) else ""
            if 0 < c <= len(here):
                used[line].add(c)
                if here[c - 1] != ch:
                    changed[line].add(c)
            if prev is not None and line > prev:
                joined.add(prev)
            prev = line
    by_line: dict[int, list[Note]] = defaultdict(list)
    for n in notes:
        by_line[n.line].append(n)
    out = []
    for number in range(doc.line_start, min(doc.line_end, len(src)) + 1):
        s = src[number - 1]
        u, ch = used.get(number, set()), changed.get(number, set())
        solid = [i + 1 for i, x in enumerate(s) if not x.isspace()]
        if not solid:
            state, kinds = "blank", ["k"] * len(s)
        else:
            first, last = solid[0], solid[-1]
            kinds = []
            for c in range(1, len(s) + 1):
                outside = c < first or c > last  # indentation and trailing blanks are layout
                kinds.append("c" if c in ch else "k" if c in u or outside else "d")
            if not u:
                state = "removed"
            elif "d" in kinds or "c" in kinds:
                state = "repaired"
            else:
                state = "kept"
        out.append(Line(number, _runs(s, kinds), state, number in joined, by_line.get(number, [])))
    return out


def _runs(s: str, kinds: list[str]) -> Markup:
    parts, i = [], 0
    while i < len(s):
        j = i
        while j < len(s) and kinds[j] == kinds[i]:
            j += 1
        chunk = escape(s[i:j])
        parts.append(chunk if kinds[i] == "k" else Markup(f'<del>{chunk}</del>' if kinds[i] == "d" else f'<span class="chg">{chunk}</span>'))
        i = j
    return Markup("").join(parts)
