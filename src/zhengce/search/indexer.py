"""Stored documents → search rows (the durable half of the index).

`update(db)` segments every document that has no rows yet (or rows from an
older segmenter version) and writes them in one transaction per batch, so an
index is never half-written for a document.  Deleting a document removes its
rows through the foreign-key cascade.  The CLI and the web app call `update`
after ingesting; the engine calls it before loading, so nothing is missed.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ..model import doc_key
from ..store.db import Database
from . import terms as T

# Nodes whose whole text is a heading: all of it goes to the title field.
HEADING_KINDS = frozenset("title part chapter section article heading box attachment caption".split())
# A table of contents repeats the headings; indexing it would double every heading hit.
SKIP_KINDS = frozenset({"toc"})

_SENTENCE_END = re.compile(r"[。！？；!?;]")
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_LEVEL_BY_CODE = ((re.compile(r"^\d\d0000$"), 0), (re.compile(r"^\d{4}00$"), 1), (re.compile(r"^\d{6}$"), 2))


@dataclass
class _Node:
    node_id: str
    parent: str | None
    kind: str
    label: str | None
    title: str | None
    text: str


def _short(s: str | None, n: int = 16) -> str:
    s = (s or "").strip()
    return s if len(s) <= n else s[: n - 1] + "…"


def _split_fields(node: _Node) -> tuple[str, str, str]:
    """(title, lead, body) texts of a node."""
    text = node.text
    if node.kind in HEADING_KINDS:
        return text, "", ""
    rest = text
    if node.label and rest.startswith(node.label):
        rest = rest[len(node.label):]
    title = node.title or ""
    if title and rest.lstrip().startswith(title):
        rest = rest.lstrip()[len(title):].lstrip("。：:． ")
    m = _SENTENCE_END.search(rest)
    cut = m.end() if m else len(rest)
    return title, rest[:cut], rest[cut:]


def _heading_text(node: _Node) -> str:
    if node.kind in HEADING_KINDS:
        return node.text
    return node.title or ""


def _level(code: str | None) -> int:
    for pat, level in _LEVEL_BY_CODE:
        if code and pat.match(code):
            return level
    return 3


def doc_region(title: str | None, issuer: str | None, mentions: Counter[tuple[str, str | None]] | None = None) -> str | None:
    """What place the document is about: the most specific one its title or issuer names.

    An untitled document (a Word export without its title line) falls back on
    the city or county its text names most, when that is at least a third of
    all the place names in it.
    """
    from ..extract.entities import canonical_place, find_entities

    places = []
    for e in find_entities(f"{issuer or ''}。{title or ''}"):
        if e["kind"] == "place":
            places.append(e)
        elif e["kind"] == "organization":
            # 湖南省人民政府 is one organization; the place it belongs to is its longest place prefix.
            name = e["canonical"]
            for k in range(min(len(name) - 1, 10), 1, -1):
                full, code = canonical_place(name[:k])
                if code:
                    places.append({"canonical": full, "code": code})
                    break
    if not places:
        local = Counter({k: v for k, v in (mentions or Counter()).items() if _level(k[1]) >= 1})
        if local and mentions:
            (name, _), n = local.most_common(1)[0]
            if n * 3 >= sum(mentions.values()):
                return name
        return None
    # Stable: among the most specific, the first named.
    best = min(range(len(places)), key=lambda i: (-_level(places[i]["code"]), i))
    return places[best]["canonical"]


def doc_year(date: str | None, title: str | None) -> int | None:
    if date and _YEAR.match(date[:4]):
        return int(date[:4])
    m = _YEAR.search(title or "")
    return int(m.group(1)) if m else None


def rows_for_document(db: Database, doc_id: int) -> tuple[list[tuple], tuple]:
    """The search rows of one stored document and its search_docs row."""
    d = db.one(
        "SELECT d.title, d.doc_number, d.issuer, d.date, d.seq, s.path FROM documents d"
        " JOIN sources s ON s.id = d.source_id WHERE d.id = ?", (doc_id,)
    )
    nodes = [
        _Node(r[0], r[1], r[2], r[3], r[4], r[5])
        for r in db.all(
            "SELECT node_id, parent, kind, label, title, text FROM nodes WHERE doc_id = ? ORDER BY seq", (doc_id,)
        )
    ]
    types: dict[str, set[str]] = defaultdict(set)
    places: dict[str, set[str]] = defaultdict(set)
    mentions: Counter[tuple[str, str | None]] = Counter()
    for node_id, type_, fields in db.all("SELECT node_id, type, fields FROM extractions WHERE doc_id = ?", (doc_id,)):
        types[node_id].add(type_)
        if type_ == "entity":
            f = json.loads(fields)
            if f.get("kind") == "place" and f.get("canonical"):
                places[node_id].add(f["canonical"])
                mentions[(f["canonical"], f.get("code"))] += 1
    by_id = {n.node_id: n for n in nodes}
    region = doc_region(d["title"], d["issuer"], mentions)
    # An untitled document is named as everywhere else: FILE#N (model.doc_key).
    doc_name = d["doc_number"] or _short(d["title"], 24) or doc_key(d["path"], d["seq"] + 1)
    # The document's title (or, untitled, its place) is context for every node in it.
    doc_title_terms = T.terms(d["title"] or region or "")
    rows = []
    for n in nodes:
        if n.kind in SKIP_KINDS or not n.text.strip():
            continue
        ancestors = []
        p = by_id.get(n.parent) if n.parent else None
        while p is not None and len(ancestors) < 12:
            ancestors.append(p)
            p = by_id.get(p.parent) if p.parent else None
        ancestors.reverse()
        path = " › ".join([doc_name] + [a.label or _short(_heading_text(a)) for a in ancestors]
                          + [n.label or _short(_heading_text(n) or n.text)])
        title, lead, body = _split_fields(n)
        context = [t for a in ancestors for t in T.terms(_heading_text(a))] + doc_title_terms
        rows.append((
            doc_id, n.node_id, n.kind, path,
            " ".join(T.terms(title)), " ".join(T.terms(lead)), " ".join(T.terms(body)), " ".join(context),
            " ".join(sorted(types.get(n.node_id, ()))), " ".join(sorted(places.get(n.node_id, ()))),
        ))
    return rows, (doc_id, doc_year(d["date"], d["title"]), region, T.VERSION)


def stale_documents(db: Database) -> list[int]:
    return [r[0] for r in db.all(
        "SELECT d.id FROM documents d LEFT JOIN search_docs s ON s.doc_id = d.id"
        " WHERE s.doc_id IS NULL OR s.version <> ? ORDER BY d.id", (T.VERSION,)
    )]


def update(db: Database, progress: Callable[[int, int], None] | None = None) -> int:
    """Index every document not yet indexed (or indexed by an older version); returns how many."""
    todo = stale_documents(db)
    for i, doc_id in enumerate(todo):
        with db.transaction():
            # Re-checked inside the write lock: another process may have indexed it meanwhile.
            v = db.scalar("SELECT version FROM search_docs WHERE doc_id = ?", (doc_id,))
            if v == T.VERSION or db.scalar("SELECT 1 FROM documents WHERE id = ?", (doc_id,)) is None:
                continue
            rows, doc_row = rows_for_document(db, doc_id)
            db.execute("DELETE FROM search_nodes WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM search_docs WHERE doc_id = ?", (doc_id,))
            db.executemany(
                "INSERT INTO search_nodes (doc_id, node_id, kind, path, title, lead, body, context, types, places)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows,
            )
            db.execute("INSERT INTO search_docs (doc_id, year, region, version) VALUES (?, ?, ?, ?)", doc_row)
        if progress:
            progress(i + 1, len(todo))
    return len(todo)
