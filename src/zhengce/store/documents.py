"""Rows ↔ model objects.  Callers own the transaction; these functions only read/write rows."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..model import DocStanding, Document, Extraction, Node, Note, Source, doc_key
from .db import Database, utc_now
from .refs import doc_number_key, title_key


@dataclass(frozen=True)
class DocSummary:
    """One line of a document listing (no text, no nodes)."""

    id: int
    title: str | None
    doc_number: str | None
    issuer: str | None
    date: str | None
    source_path: str
    node_count: int
    char_count: int
    line_start: int
    line_end: int
    repairs_total: int
    notes_count: int
    uid: str | None = None
    version: int = 1
    is_current: int = 1
    relation: str | None = None
    related_uid: str | None = None


def _json(value: Any) -> str:
    # ensure_ascii=False keeps the Chinese readable to anyone inspecting the file.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------- writing

def insert_source(db: Database, source: Source) -> int:
    return db.one(
        "INSERT INTO sources (path, sha256, format, encoding, text, ingested_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (source.path, source.sha256, source.format, source.encoding, source.text, utc_now()),
    )[0]


def insert_document(db: Database, source_id: int, seq: int, doc: Document) -> int:
    doc_id = db.one(
        "INSERT INTO documents (source_id, seq, title, title_key, doc_number, doc_number_key,"
        " issuer, date, text, char_count, content_hash, line_start, line_end, format,"
        " elements, toc, char_map)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            source_id, seq, doc.title, title_key(doc.title), doc.doc_number, doc_number_key(doc.doc_number),
            doc.issuer, doc.date, doc.text, len(doc.text), doc.content_hash, doc.line_start, doc.line_end,
            doc.format, _json(doc.elements), _json(doc.toc), _json([list(a) for a in doc.char_map]),
        ),
    )[0]
    db.executemany(
        "INSERT INTO nodes (doc_id, node_id, seq, parent, kind, label, title, text,"
        " span_start, span_end, line_start, line_end, attrs)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (doc_id, n.id, i, n.parent, n.kind, n.label, n.title, n.text,
             n.start, n.end, n.line_start, n.line_end, _json(n.attrs))
            for i, n in enumerate(doc.nodes)
        ),
    )
    db.executemany(
        "INSERT INTO repairs (doc_id, seq, pass_name, count) VALUES (?, ?, ?, ?)",
        ((doc_id, i, name, count) for i, (name, count) in enumerate(doc.repairs.items())),
    )
    db.executemany(
        "INSERT INTO notes (doc_id, seq, kind, text, line, source_offset) VALUES (?, ?, ?, ?, ?, ?)",
        ((doc_id, i, n.kind, n.text, n.line, n.offset) for i, n in enumerate(doc.notes)),
    )
    return doc_id


def insert_extractions(db: Database, doc_id: int, records: list[Extraction]) -> None:
    db.execute("DELETE FROM extractions WHERE doc_id = ?", (doc_id,))
    db.executemany(
        "INSERT INTO extractions (doc_id, seq, type, node_id, quote, span_start, span_end, line_start, line_end, fields)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (doc_id, i, r.type, r.node, r.quote, r.start, r.end, r.line_start, r.line_end, _json(r.fields))
            for i, r in enumerate(records)
        ),
    )


def set_extraction_version(db: Database, doc_id: int, version: int | None) -> None:
    """Record which extractor made the document's records (None: unknown, so re-derived later)."""
    db.execute("DELETE FROM extraction_runs WHERE doc_id = ?", (doc_id,))
    if version is not None:
        db.execute("INSERT INTO extraction_runs (doc_id, version) VALUES (?, ?)", (doc_id, version))


def load_extractions(db: Database, doc_id: int | None = None, type_: str | None = None) -> list[tuple[int, Extraction]]:
    """(document id, record) pairs, in document then text order."""
    where, args = [], []
    if doc_id is not None:
        where.append("e.doc_id = ?")
        args.append(doc_id)
    if type_ is not None:
        where.append("e.type = ?")
        args.append(type_)
    rows = db.all(
        "SELECT e.doc_id, e.type, d.title, s.path, d.seq, e.node_id, e.quote, e.span_start, e.span_end,"
        " e.line_start, e.line_end, e.fields FROM extractions e JOIN documents d ON d.id = e.doc_id"
        " JOIN sources s ON s.id = d.source_id" + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY s.path, d.seq, e.seq",
        tuple(args),
    )
    return [
        (r[0], Extraction(type=r[1], doc=r[2], doc_key=doc_key(r[3], r[4] + 1), node=r[5], quote=r[6],
                          start=r[7], end=r[8], line_start=r[9], line_end=r[10], fields=json.loads(r[11])))
        for r in rows
    ]


def find_cited(db: Database, number: str | None, title: str | None) -> str | None:
    """The doc_key of a stored document with this 发文字号 or title, if any."""
    row = None
    if number:
        row = db.one(
            "SELECT s.path, d.seq FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.doc_number_key = ?",
            (doc_number_key(number),),
        )
    if row is None and title:
        row = db.one(
            "SELECT s.path, d.seq FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.title_key = ?",
            (title_key(title),),
        )
    return doc_key(row[0], row[1] + 1) if row else None


def attachment_titles(db: Database) -> dict[str, tuple[str, str]]:
    """Normalised title of every attached policy (an attachment container node) → (doc_key, node id)."""
    out: dict[str, tuple[str, str]] = {}
    rows = db.all("SELECT s.path, d.seq, n.node_id, n.title FROM nodes n JOIN documents d ON d.id = n.doc_id"
                  " JOIN sources s ON s.id = d.source_id WHERE n.kind = 'attachment' AND n.title IS NOT NULL"
                  " AND EXISTS (SELECT 1 FROM nodes c WHERE c.doc_id = n.doc_id AND c.parent = n.node_id)")
    for r in rows:
        key = title_key(re.sub(r"^附件\s*\d*\s*[:：]?|[《》]", "", r["title"]))
        if key:
            out.setdefault(key, (doc_key(r["path"], r["seq"] + 1), r["node_id"]))
    return out


# ------------------------------------------------------------------- reading

def load_document(db: Database, doc_id: int) -> Document:
    """Rebuild a `Document`.  Its source path and hash come from the stored source."""
    row = db.one(
        "SELECT d.*, s.path AS source_path, s.sha256 AS source_sha256"
        " FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = ?",
        (doc_id,),
    )
    if row is None:
        raise LookupError(f"no document with id {doc_id}")
    return Document(
        title=row["title"],
        doc_number=row["doc_number"],
        issuer=row["issuer"],
        date=row["date"],
        text=row["text"],
        source_path=row["source_path"],
        line_start=row["line_start"],
        line_end=row["line_end"],
        repairs=load_repairs(db, doc_id),
        notes=load_notes(db, doc_id),
        nodes=load_nodes(db, doc_id),
        elements=json.loads(row["elements"]),
        toc=json.loads(row["toc"]),
        source_sha256=row["source_sha256"],
        format=row["format"],
        char_map=[tuple(a) for a in json.loads(row["char_map"])],
        uid=row["uid"],
        standing=standing_of(row),
    )


def standing_of(row: Any) -> DocStanding:
    return DocStanding(int(row["version"]), bool(row["is_current"]), row["relation"], row["related_uid"])


def load_nodes(db: Database, doc_id: int) -> list[Node]:
    return [
        Node(
            id=r["node_id"], parent=r["parent"], kind=r["kind"], label=r["label"], title=r["title"],
            text=r["text"], start=r["span_start"], end=r["span_end"],
            line_start=r["line_start"], line_end=r["line_end"], attrs=json.loads(r["attrs"]),
        )
        for r in db.all("SELECT * FROM nodes WHERE doc_id = ? ORDER BY seq", (doc_id,))
    ]


def load_repairs(db: Database, doc_id: int) -> dict[str, int]:
    rows = db.all("SELECT pass_name, count FROM repairs WHERE doc_id = ? ORDER BY seq", (doc_id,))
    return {r["pass_name"]: r["count"] for r in rows}


def load_notes(db: Database, doc_id: int) -> list[Note]:
    rows = db.all("SELECT kind, text, line, source_offset FROM notes WHERE doc_id = ? ORDER BY seq", (doc_id,))
    return [Note(kind=r["kind"], text=r["text"], line=r["line"], offset=r["source_offset"]) for r in rows]


def list_summaries(db: Database, doc_id: int | None = None) -> list[DocSummary]:
    # Correlated counts use the (doc_id, …) primary keys, so this never reads document text.
    where = "WHERE d.id = ?" if doc_id is not None else ""
    rows = db.all(
        """
        SELECT d.id, d.title, d.doc_number, d.issuer, d.date, s.path AS source_path,
               (SELECT COUNT(*) FROM nodes n WHERE n.doc_id = d.id) AS node_count,
               d.char_count, d.line_start, d.line_end,
               (SELECT COALESCE(SUM(r.count), 0) FROM repairs r WHERE r.doc_id = d.id) AS repairs_total,
               (SELECT COUNT(*) FROM notes t WHERE t.doc_id = d.id) AS notes_count,
               d.uid, d.version, d.is_current, d.relation, d.related_uid
        FROM documents d JOIN sources s ON s.id = d.source_id
        """ + where + """
        ORDER BY s.path, d.seq
        """,
        (doc_id,) if doc_id is not None else (),
    )
    return [DocSummary(**dict(r)) for r in rows]


def source_text_of(db: Database, doc_id: int) -> str:
    text = db.scalar(
        "SELECT s.text FROM sources s JOIN documents d ON d.source_id = s.id WHERE d.id = ?", (doc_id,)
    )
    if text is None:
        raise LookupError(f"no document with id {doc_id}")
    return text
