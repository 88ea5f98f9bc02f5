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
        raise DocumentLookupError(f"没有编号为 {ref} 的文档", [])
    text = str(ref).strip()
    if not text:
        raise DocumentLookupError("文档名称或编号为空", [])
    norm = title_key(text) or ""
    if norm.isascii() and norm.isdigit():
        if db.one("SELECT 1 FROM documents WHERE id = ?", (int(norm),)):
            return int(norm)
        # Not an id: fall through, a number could still be part of a title.

    steps: list[tuple[str, str, tuple[Any, ...]]] = [
        ("发文字号", "doc_number_key = ?", (doc_number_key(text),)),
        ("标题", "title_key = ?", (norm,)),
        ("标题片段", "title_key LIKE ? ESCAPE '\\'", (f"%{_escape_like(norm)}%",)),
    ]
    for what, where, params in steps:
        rows = _candidates(db, where, params)
        if len(rows) > 1:
            # Older versions and excerpts of one document name it too: the one in force of its own is meant.
            primary = [r for r in rows if r["is_current"] and r["relation"] is None]
            rows = primary if len(primary) == 1 else rows
        if len(rows) == 1:
            return rows[0]["id"]
        if rows:
            raise DocumentLookupError(
                f"“{text}”对应 {len(rows)} 篇文档（按{what}），请用编号指定：{_listing(rows)}",
                [r["id"] for r in rows],
            )
    rows = _similar(db, norm)
    hint = f"；是否要找：{_listing(rows)}" if rows else ""
    raise DocumentLookupError(f"没有找到文档“{text}”{hint}", [r["id"] for r in rows])


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_SELECT = """
SELECT d.id, d.title, d.doc_number, s.path, d.version, d.is_current, d.relation
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
    """One line: '#3 标题 [发文字号]（路径，摘录）；#7 …；…另有2篇'."""
    parts = []
    for r in rows[:limit]:
        title = _SPACE.sub(" ", r["title"] or "（无标题）")
        if len(title) > 40:
            title = title[:39] + "…"
        number = f" [{r['doc_number']}]" if r["doc_number"] else ""
        parts.append(f"#{r['id']} {title}{number}（{r['path']}{_standing_word(r)}）")
    more = f"；…另有{len(rows) - limit}篇" if len(rows) > limit else ""
    return "；".join(parts) + more


def _standing_word(r: Any) -> str:
    if r["relation"] == "excerpt":
        return "，摘录"
    if r["relation"] == "same_number":
        return "，同号文件"
    if not r["is_current"]:
        return f"，第{r['version']}版，已被新版本取代"
    return f"，第{r['version']}版" if r["version"] > 1 else ""
