"""Storage: sources and their structured documents, in a SQLite file or PostgreSQL.

    with Store(resolve_db_path(args.db)) as store:   # a path, or a postgresql:// URL
        if not store.has_source(sha):           # skip parsing unchanged files
            store.ingest(source, documents)     # one transaction per source
        doc = store.get_document("吉政发[2021]14号")

Each `Store` owns one connection; open one per thread or process.  Writers
take the write lock at BEGIN (SQLite: WAL + busy_timeout; PostgreSQL: an
advisory lock, db.py), so concurrent ingests queue instead of failing or
interleaving.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

from ..model import Document, Extraction, Note, Source, doc_key
from . import documents as _docs
from . import identity
from .db import Database, SchemaError, display_target, is_database_url, migrate, open_database
from .documents import DocSummary
from .paths import resolve_db_path
from .refs import DocumentLookupError, resolve, title_key

__all__ = [
    "DocSummary",
    "DocumentLookupError",
    "IngestResult",
    "SchemaError",
    "Store",
    "display_target",
    "is_database_url",
    "resolve_db_path",
]


@dataclass(frozen=True)
class IngestResult:
    status: str  # added | unchanged | replaced
    source_id: int
    # In source order; the stored ones if unchanged; for a duplicate, the stored document it duplicates.
    document_ids: list[int] = field(default_factory=list)
    placements: list[identity.Placement] = field(default_factory=list)  # per document, when added or replaced

    def notices(self) -> list[str]:
        """What the person who ingested the file should know (duplicate, excerpt, version …), in Chinese."""
        return [f"第{i + 1}篇：{m}" if len(self.placements) > 1 else m
                for i, p in enumerate(self.placements) if (m := p.message())]


class Store:
    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0):
        """Open (creating if needed) and migrate the database at `path`.

        `path` is a SQLite file, or a ``postgresql://`` URL of an existing
        database (the tables are created in its current schema).  `timeout`
        is how long a writer waits for another writer's lock.
        """
        self.path = path
        self._db: Database = open_database(path, timeout)
        try:
            # 0009 gives documents stored before it their identity (identity.backfill).
            self.migrated: list[int] = migrate(self._db, after={9: identity.backfill})
        except BaseException:
            self._db.close()
            raise

    @property
    def backend(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._db.dialect.name

    # -- lifecycle

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None  # type: ignore[assignment]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing

    def has_source(self, sha256: str) -> bool:
        return self._db.one("SELECT 1 FROM sources WHERE sha256 = ?", (sha256,)) is not None

    def ingest(
        self, source: Source, documents: list[Document], extractions: list[list[Extraction]] | None = None,
        extraction_version: int | None = None,
    ) -> IngestResult:
        """Store a source and its documents atomically.

        Same content (sha256) already stored → "unchanged", nothing written.
        Same path, other content → the old source and everything hanging off
        it is replaced.  Any exception rolls the whole source back, leaving
        the previous state exactly as it was.
        """
        db = self._db
        with db.transaction():
            # Checked under the write lock: another process may have stored it a moment ago.
            row = db.one("SELECT id FROM sources WHERE sha256 = ?", (source.sha256,))
            if row is not None:
                ids = [r[0] for r in db.all("SELECT id FROM documents WHERE source_id = ? ORDER BY seq", (row[0],))]
                return IngestResult("unchanged", row[0], ids)
            old = db.one("SELECT id FROM sources WHERE path = ?", (source.path,))
            # A re-ingested file's documents keep their identity (identity.inherited); others are placed.
            kept = {i: identity.inherited(db, old[0], i, d) for i, d in enumerate(documents)} if old else {}
            placements = [identity.Placement("replaced", *kept[i]) if kept.get(i) else
                          identity.place(db, d, identity.new_uid(source.sha256, i), exclude_source=old[0] if old else None)
                          for i, d in enumerate(documents)]
            if old is not None:
                db.execute("DELETE FROM sources WHERE id = ?", (old[0],))  # cascades to documents, nodes, …
            source_id = _docs.insert_source(db, source)
            ids = []
            for i, (d, p, records) in enumerate(zip(documents, placements, extractions or [None] * len(documents))):
                if p.kind == "duplicate":  # stored once: the id is the stored document's
                    ids.append(p.other_id)
                    continue
                doc_id = _docs.insert_document(db, source_id, i, d)
                identity.save(db, doc_id, p.uid, p.standing)
                if p.kind == "version" or (p.kind == "replaced" and p.standing.current):
                    identity.supersede(db, p.uid, doc_id)
                if records is not None:
                    _docs.insert_extractions(db, doc_id, records)
                    _docs.set_extraction_version(db, doc_id, extraction_version)
                ids.append(doc_id)
            if old is not None:
                identity.repair_after_removal(db)
        return IngestResult("replaced" if old is not None else "added", source_id, ids, placements)

    def delete_source(self, path: str) -> bool:
        """Remove a source and its documents; False if no source has that path."""
        with self._db.transaction():
            gone = self._db.execute("DELETE FROM sources WHERE path = ?", (path,)).rowcount > 0
            identity.repair_after_removal(self._db)
            return gone

    def delete_with_source(self, ref: str | int) -> tuple[str, list[int]]:
        """Remove the source a document came from, with every document in it.

        A source is stored and replaced as a whole (a gazette issue, an
        archive member), so that is the unit of deletion too; returns the
        source path and the ids of the documents removed.
        """
        doc_id = self.resolve(ref)
        with self._db.transaction():
            source_id, path = self._db.one(
                "SELECT s.id, s.path FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = ?", (doc_id,))
            ids = [r[0] for r in self._db.all("SELECT id FROM documents WHERE source_id = ? ORDER BY seq", (source_id,))]
            self._db.execute("DELETE FROM sources WHERE id = ?", (source_id,))
            identity.repair_after_removal(self._db)
        return path, ids

    # -- reading

    def resolve(self, ref: str | int) -> int:
        """Document id for an id, 发文字号, title or unique title substring (else DocumentLookupError)."""
        return resolve(self._db, ref)

    def identities(self) -> list:
        """(id, uid, doc_number, title, is_current, relation) of every document: the cheap listing rule
        ids and citations are resolved with (no counts, no text)."""
        return self._db.all("SELECT id, uid, doc_number, title, is_current, relation FROM documents ORDER BY id")

    def current_of(self, uid: str) -> int | None:
        """The id of the version of document `uid` in force (None: no longer stored)."""
        return self._db.scalar("SELECT id FROM documents WHERE uid = ? ORDER BY is_current DESC, version DESC LIMIT 1", (uid,))

    def related(self, doc_id: int) -> list[dict]:
        """The other versions of a document and the documents tied to it (excerpts, same 发文字号), for the reader."""
        me = self._db.one("SELECT uid, relation, related_uid FROM documents WHERE id = ?", (doc_id,))
        if me is None or me["uid"] is None:
            return []
        rows = self._db.all(
            "SELECT id, title, doc_number, uid, version, is_current, relation, related_uid FROM documents"
            " WHERE id <> ? AND (uid = ? OR related_uid = ? OR uid = ?) ORDER BY version DESC, id",
            (doc_id, me["uid"], me["uid"], me["related_uid"] or ""))
        out = []
        for r in rows:
            if r["uid"] == me["uid"]:
                how = f"第{r['version']}版" + ("（现行）" if r["is_current"] else "（已被取代）")
            elif r["related_uid"] == me["uid"]:  # it points at me
                how = "本文的摘录" if r["relation"] == "excerpt" else "同一发文字号的另一文件"
            else:  # I point at it
                how = "原文件" if me["relation"] == "excerpt" else "同一发文字号的另一文件"
            out.append({"id": r["id"], "title": r["title"] or r["doc_number"], "how": how})
        return out

    def set_uploader(self, source_id: int, username: str | None) -> None:
        """Record who uploaded a source (web uploads; migration 0010)."""
        with self._db.transaction():
            self._db.execute("UPDATE sources SET uploaded_by = ? WHERE id = ?", (username, source_id))

    def uploader_of(self, ref: str | int) -> str | None:
        """Who uploaded the source a document came from (None: ingested by the operator)."""
        return self._db.scalar("SELECT s.uploaded_by FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = ?",
                               (self.resolve(ref),))

    def uid_of(self, ref: str | int) -> str | None:
        """The uid of the document `ref` names (an id, 发文字号 or title; DocumentLookupError if none or several)."""
        return self._db.scalar("SELECT uid FROM documents WHERE id = ?", (self.resolve(ref),))

    def summary(self, ref: str | int) -> DocSummary:
        """One document's listing line (no text, no nodes): what the API's document view needs."""
        return _docs.list_summaries(self._db, self.resolve(ref))[0]

    def document_head(self, ref: str | int) -> dict:
        """A document's elements, repairs, notes and table of contents, without its text and nodes."""
        doc_id = self.resolve(ref)
        with self._db.transaction(write=False):
            row = self._db.one("SELECT elements, toc FROM documents WHERE id = ?", (doc_id,))
            return {"elements": json.loads(row["elements"]), "toc": json.loads(row["toc"]),
                    "repairs": _docs.load_repairs(self._db, doc_id), "notes": _docs.load_notes(self._db, doc_id)}

    def nodes(self, ref: str | int) -> list:
        """A document's outline nodes only (no text map)."""
        doc_id = self.resolve(ref)
        with self._db.transaction(write=False):
            return _docs.load_nodes(self._db, doc_id)

    def list_documents(self) -> list[DocSummary]:
        return _docs.list_summaries(self._db)

    def get_document(self, ref: str | int) -> Document:
        # One read transaction: a concurrent replace cannot hand us nodes of one version and text of another.
        with self._db.transaction(write=False):
            return _docs.load_document(self._db, self.resolve(ref))

    def source_text(self, doc_id: str | int) -> str:
        """The whole decoded source the document came from (its lines are the 'original lines')."""
        with self._db.transaction(write=False):
            return _docs.source_text_of(self._db, self.resolve(doc_id))

    def repairs(self, doc_id: str | int) -> dict[str, int]:
        with self._db.transaction(write=False):
            return _docs.load_repairs(self._db, self.resolve(doc_id))

    def cited(self, doc_number: str | None, title: str | None) -> str | None:
        """doc_key of the stored document a reference cites (by 发文字号, else title)."""
        with self._db.transaction(write=False):
            return _docs.find_cited(self._db, doc_number, title)

    def doc_key(self, ref: str | int) -> str:
        """'FILE#N' for a stored document: its source file name and place in it."""
        doc_id = self.resolve(ref)
        path, seq = self._db.one(
            "SELECT s.path, d.seq FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = ?", (doc_id,)
        )
        return doc_key(path, seq + 1)

    def extractions(self, doc: str | int | None = None, type_: str | None = None) -> list[tuple[int, Extraction]]:
        """Stored extraction records as (document id, record), optionally of one document / type."""
        with self._db.transaction(write=False):
            doc_id = self.resolve(doc) if doc is not None else None
            pairs = _docs.load_extractions(self._db, doc_id, type_)
            attached = None
            for _doc_id, r in pairs:
                if r.type == "reference":
                    # Resolved when read, so a cited document ingested later is found too: a stored
                    # document, else a policy attached to one (a notice's 附件 has its own title).
                    r.fields["resolved"] = _docs.find_cited(self._db, r.fields.get("doc_number"), r.fields.get("title"))
                    r.fields["resolved_node"] = None
                    if r.fields["resolved"] is None and r.fields.get("title"):
                        if attached is None:
                            attached = _docs.attachment_titles(self._db)
                        hit = attached.get(title_key(re.sub(r"[《》]", "", r.fields["title"])) or "")
                        if hit:
                            r.fields["resolved"], r.fields["resolved_node"] = hit
            return pairs

    def replace_extractions(self, doc: str | int, records: list[Extraction], version: int | None = None) -> None:
        """Re-derive: swap a document's records for new ones in one transaction.

        `version` is the extractor's (zhengce.extract.VERSION).  The document's
        search rows carry its extraction types and places, so they are dropped
        with the old records and rebuilt by the search indexer.
        """
        with self._db.transaction():
            doc_id = self.resolve(doc)
            _docs.insert_extractions(self._db, doc_id, records)
            _docs.set_extraction_version(self._db, doc_id, version)
            self._db.execute("DELETE FROM search_docs WHERE doc_id = ?", (doc_id,))

    def stale_extractions(self, version: int) -> list[int]:
        """Documents whose records an older extractor made (or none recorded which)."""
        return [r[0] for r in self._db.all(
            "SELECT d.id FROM documents d LEFT JOIN extraction_runs e ON e.doc_id = d.id"
            " WHERE e.version IS NULL OR e.version < ? ORDER BY d.id", (version,))]

    def notes(self, doc_id: str | int) -> list[Note]:
        with self._db.transaction(write=False):
            return _docs.load_notes(self._db, self.resolve(doc_id))
