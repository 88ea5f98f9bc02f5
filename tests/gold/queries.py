"""The search gold set (queries.json): loading it and resolving its answers to stored nodes.

    from queries import load_queries, resolve       # loaded by path, see tests/test_queries_gold.py
    for item in load_queries():
        resolve("data/zhengce.db", item)            # [(doc_id, node_id, grade), …]

An answer is written as a document reference plus a quote, never as a node id:
node ids and document ids are assigned at ingest and change when the structurer
or the corpus changes, a quote of the clause's own text does not.

`doc` is matched, in this order, as
* a doc_key `FILE#N` (the Nth document of source file FILE; for documents that
  have no title and no 发文字号, like 001);
* a 发文字号, exactly (brackets and width normalised as the store does);
* a title substring that matches exactly one document (whitespace ignored:
  the 003 titles are wrapped over two lines).
Within that document, the node whose own text contains `quote`; if several do,
the one with the shortest text (a heading's line rather than the section that
repeats it).  Two shortest candidates of equal length are an error: the quote
does not identify a node.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from zhengce.store.refs import doc_number_key, title_key

QUERIES = Path(__file__).with_name("queries.json")

_DOC_KEY = re.compile(r"^(?P<file>[^#/]+)#(?P<n>\d+)$")


class GoldError(LookupError):
    """A gold answer that does not resolve to exactly one stored node."""


def load_queries(path: str | os.PathLike[str] = QUERIES) -> list[dict[str, Any]]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _connect(db: Any) -> tuple[sqlite3.Connection, bool]:
    """(connection, owned): accepts a path, a zhengce Store (by its path) or a sqlite3 connection."""
    if isinstance(db, sqlite3.Connection):
        return db, False
    path = getattr(db, "path", db)  # a Store keeps the path it was opened with
    # Read-only: resolving must never create or migrate a database.
    return sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True), True


def resolve_doc(conn: sqlite3.Connection, ref: str) -> int:
    """Document id for a gold `doc` reference (see the module docstring)."""
    m = _DOC_KEY.match(ref)
    if m:
        rows = conn.execute(
            "SELECT d.id FROM documents d JOIN sources s ON s.id = d.source_id "
            "WHERE (s.path = ? OR s.path LIKE ?) AND d.seq = ?",
            (m["file"], "%/" + m["file"], int(m["n"]) - 1),
        ).fetchall()
        if len(rows) != 1:
            raise GoldError(f"doc {ref!r}: {len(rows)} documents")
        return rows[0][0]
    rows = conn.execute("SELECT id FROM documents WHERE doc_number_key = ?", (doc_number_key(ref),)).fetchall()
    if len(rows) == 1:
        return rows[0][0]
    if len(rows) > 1:
        raise GoldError(f"doc {ref!r}: 发文字号 shared by {len(rows)} documents")
    key = title_key(ref)
    rows = [r[0] for r in conn.execute("SELECT id, title FROM documents").fetchall() if key in (title_key(r[1]) or "")]
    if len(rows) != 1:
        raise GoldError(f"doc {ref!r}: title substring matches {len(rows)} documents")
    return rows[0]


def resolve_node(conn: sqlite3.Connection, doc_id: int, quote: str) -> str:
    """node_id of the shortest node of `doc_id` whose own text contains `quote`."""
    rows = conn.execute(
        "SELECT node_id, length(text) FROM nodes WHERE doc_id = ? AND instr(text, ?) > 0 ORDER BY length(text), seq",
        (doc_id, quote),
    ).fetchall()
    if not rows:
        raise GoldError(f"quote {quote!r} not found in document {doc_id}")
    if len(rows) > 1 and rows[0][1] == rows[1][1]:
        raise GoldError(f"quote {quote!r} is in {rows[0][0]} and {rows[1][0]} of document {doc_id}, equally short")
    return rows[0][0]


def resolve(db: Any, item: dict[str, Any]) -> list[tuple[int, str, int]]:
    """[(doc_id, node_id, grade)] for one query's `relevant` list, in its order."""
    conn, owned = _connect(db)
    try:
        return [(d, resolve_node(conn, d, r["quote"]), int(r["grade"])) for r in item["relevant"] for d in [resolve_doc(conn, r["doc"])]]
    finally:
        if owned:
            conn.close()


def resolve_all(db: Any, queries: list[dict[str, Any]]) -> dict[str, list[tuple[int, str, int]]]:
    """resolve() for every query, over one connection."""
    conn, owned = _connect(db)
    try:
        return {q["id"]: resolve(conn, q) for q in queries}
    finally:
        if owned:
            conn.close()
