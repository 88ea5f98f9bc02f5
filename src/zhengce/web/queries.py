"""Read helpers the web layer needs beyond the Store's methods (plain SQL on its connection)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..model import doc_key
from ..store import DocSummary, Store


def extraction_counts(store: Store) -> dict[int, dict[str, int]]:
    """Per document id: how many records of each type."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for doc_id, type_, n in store._db.all("SELECT doc_id, type, COUNT(*) FROM extractions GROUP BY doc_id, type"):
        out[doc_id][type_] = n
    return out


def type_counts(store: Store, doc_id: int | None = None) -> dict[str, int]:
    where, args = ("WHERE doc_id = ?", (doc_id,)) if doc_id is not None else ("", ())
    return dict(store._db.all(f"SELECT type, COUNT(*) FROM extractions {where} GROUP BY type", args))


def doc_ids_by_key(store: Store) -> dict[str, int]:
    """'FILE#N' (an extraction's doc_key) -> document id."""
    rows = store._db.all("SELECT d.id, s.path, d.seq FROM documents d JOIN sources s ON s.id = d.source_id")
    return {doc_key(path, seq + 1): doc_id for doc_id, path, seq in rows}


def documents_of_source(store: Store, sha256: str) -> list[tuple[int, str | None, str | None]]:
    """(id, title, 发文字号) of the documents stored from the source with this content."""
    return [
        tuple(r)
        for r in store._db.all(
            "SELECT d.id, d.title, d.doc_number FROM documents d JOIN sources s ON s.id = d.source_id"
            " WHERE s.sha256 = ? ORDER BY d.seq",
            (sha256,),
        )
    ]


@dataclass(frozen=True)
class DocFilters:
    issuer: str | None = None
    year: str | None = None
    q: str | None = None  # part of the title or 发文字号

    def keep(self, d: DocSummary) -> bool:
        if self.issuer and d.issuer != self.issuer:
            return False
        if self.year and not (d.date or "").startswith(self.year):
            return False
        if self.q:
            hay = f"{d.title or ''} {d.doc_number or ''} {d.source_path}"
            return all(word in hay for word in self.q.split())
        return True


def filter_documents(docs: list[DocSummary], filters: DocFilters) -> list[DocSummary]:
    return [d for d in docs if filters.keep(d)]


def library_facets(docs: list[DocSummary]) -> dict[str, list[str]]:
    """The issuers and years present, for the library's filter dropdowns."""
    return {
        "issuer": sorted({d.issuer for d in docs if d.issuer}),
        "year": sorted({d.date[:4] for d in docs if d.date}, reverse=True),
    }
