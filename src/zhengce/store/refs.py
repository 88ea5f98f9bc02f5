"""Turning what a person types (an id, a 发文字号, a title or part of one) into a document id."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .db import Database


class DocumentLookupError(LookupError):
    """Unknown or ambiguous reference; the message is one line with up to 5 candidates."""

    def __init__(self, message: str, candidates: list[int]):
        super().__init__(message)
        self.candidates = candidates  # document ids, best first


# People type 发文字号 with whatever brackets their keyboard gives; the
# canonical form uses the 六角括号 of GB/T 9704.
_OPEN = str.maketrans({c: "〔" for c in "[(【〖［（﹝"} | {c: "〕" for c in "])】〗］）﹞"} | {"號": "号"})
_SPACE = re.compile(r"\s+")


def title_key(title: str | None) -> str | None:
    """NFKC (full-width letters/digits/punctuation → ASCII) without whitespace."""
    if title is None:
        return None
    return _SPACE.sub("", unicodedata.normalize("NFKC", title))


def doc_number_key(number: str | None) -> str | None:
    if number is None:
        return None
    return _SPACE.sub("", unicodedata.normalize("NFKC", number)).translate(_OPEN)


def resolve(db: Database, ref: str | int) -> int:
    """Document id for `ref`.

    Order: integer id; exact 发文字号; exact title; unique title substring.
    An exact match that is shared (the same 通知 stored from an HTML page and
    a PDF) is ambiguous too: the caller picks by id from the candidates.
    """
    if isinstance(ref, int) and not isinstance(ref, bool):
        if db.one("SELECT 1 FROM documents WHERE id = ?", (ref,)):
            return ref
        raise DocumentLookupError(f"no document with id {ref}", [])
    text = str(ref).strip()
    if not text:
        raise DocumentLookupError("empty document reference", [])
    norm = title_key(text) or ""
    if norm.isascii() and norm.isdigit():
        if db.one("SELECT 1 FROM documents WHERE id = ?", (int(norm),)):
            return int(norm)
        # Not an id: fall through, a number could still be part of a title.

    steps: list[tuple[str, str, tuple[Any, ...]]] = [
        ("发文字号", "doc_number_key = ?", (doc_number_key(text),)),
        ("title", "title_key = ?", (norm,)),
        ("title substring", "title_key LIKE ? ESCAPE '\\'", (f"%{_escape_like(norm)}%",)),
    ]
    for what, where, params in steps:
        rows = _candidates(db, where, params)
        if len(rows) == 1:
            return rows[0]["id"]
        if rows:
            raise DocumentLookupError(
                f"{text!r} is ambiguous ({what} matches {len(rows)} documents): {_listing(rows)}",
                [r["id"] for r in rows],
            )
    rows = _similar(db, norm)
    hint = f"; did you mean: {_listing(rows)}" if rows else ""
    raise DocumentLookupError(f"no document matches {text!r}{hint}", [r["id"] for r in rows])


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_SELECT = """
SELECT d.id, d.title, d.doc_number, s.path
FROM documents d JOIN sources s ON s.id = d.source_id
"""


def _candidates(db: Database, where: str, params: tuple[Any, ...]) -> list[Any]:
    return db.all(f"{_SELECT} WHERE d.{where} ORDER BY d.id", params)


def _similar(db: Database, norm: str, limit: int = 5) -> list[Any]:
    """Titles sharing the most character pairs with the query (cheap, no index needed)."""
    grams = _bigrams(norm)
    if not grams:
        return []
    scored = []
    for row in db.all(f"{_SELECT} ORDER BY d.id"):
        hay = _bigrams(title_key(row["title"]) or "") | _bigrams(doc_number_key(row["doc_number"]) or "")
        score = len(grams & hay) / len(grams)
        if score >= 0.3:
            scored.append((-score, row["id"], row))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [row for _, _, row in scored[:limit]]


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)} if len(s) > 1 else {s} if s else set()


def _listing(rows: list[Any], limit: int = 5) -> str:
    """One line: '#3 title [number] (path); #7 …; … +2 more'."""
    parts = []
    for r in rows[:limit]:
        title = _SPACE.sub(" ", r["title"] or "(untitled)")
        if len(title) > 40:
            title = title[:39] + "…"
        number = f" [{r['doc_number']}]" if r["doc_number"] else ""
        parts.append(f"#{r['id']} {title}{number} ({r['path']})")
    more = f"; … +{len(rows) - limit} more" if len(rows) > limit else ""
    return "; ".join(parts) + more
