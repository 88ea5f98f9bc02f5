"""One identity per document, and what a document is to the ones already stored.

A document's `uid` is made once, when it is first stored, from the content of
its source and its place there (`new_uid`): the same file ingested into any
database gets the same uid, and no other document can produce it.  After
that it is inherited, never recomputed: a re-ingest of the same file keeps
the uid of the document it replaces, and a new version of a document takes
the uid of the one it supersedes.  Rule ids, register keys and reviews hang on
the uid (match/rules.py, monitor/registers.py), so storing one document can
never take over another's.

The rule (`place`), checked in this order against the stored documents in
force (the newest version of each uid), not counting the source being replaced:

1. **duplicate** — the same restored text as a stored document: not stored
   again; the ingest reports which document it duplicates.
2. Same 发文字号 (normalised: brackets, widths, spaces), or, when neither has
   one, the same title of at least 8 characters:
   a. **excerpt** — at least 90% of the new document's paragraphs occur
      word for word in the stored one, and it is shorter than 90% of it: a
      document of its own (own uid, own rules none: its clauses are the
      original's), linked to the original, which stays in force.
   b. **version** — the same title too: the newest version of the stored
      document (same uid, version + 1, in force); the older one is kept, can
      be opened, and no longer yields rules or register entries.
   c. **same_number** — another title under the same 发文字号 (a reprint
      under its own name, a document quoting the number in its header): a
      document of its own, linked to the other for the reader to check.
3. Otherwise a new document.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from ..model import DocStanding, Document
from .db import Database
from .refs import doc_number_key, title_key

EXCERPT_SHARE = 0.9  # of the new document's paragraphs found in the stored one
EXCERPT_LENGTH = 0.9  # the new document is shorter than this share of the stored one
MIN_TITLE = 8  # a shorter title (通知, 实施方案) says too little to tie two documents


def new_uid(source_sha256: str, seq: int) -> str:
    """'d' + 16 hex digits of sha256(source content, place in the source)."""
    return "d" + hashlib.sha256(f"{source_sha256}:{seq}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Placement:
    """Where a new document goes: its uid and standing, or the stored document it duplicates."""

    kind: str  # new | duplicate | excerpt | version | same_number
    uid: str
    standing: DocStanding
    other_id: int | None = None  # the stored document it duplicates, excerpts, supersedes or shares a number with
    other_name: str | None = None

    def message(self) -> str | None:
        """One line in Chinese for the person who ingested it (None for a plain new document)."""
        other = f"《{self.other_name}》（文档 {self.other_id}）" if self.other_name else f"文档 {self.other_id}"
        return {
            "duplicate": f"与已入库的{other}内容相同，未重复入库",
            "excerpt": f"是{other}的摘录，作为单独文档入库；原文件的规则与登记不变",
            "version": f"是{other}的新版本（第{self.standing.version}版），新版本生效，旧版本保留可查",
            "same_number": f"与{other}发文字号相同但标题不同，作为单独文档入库",
        }.get(self.kind)


_PARA = re.compile(r"\s+")


def _paragraphs(text: str) -> list[str]:
    return [p for p in (_PARA.sub("", line) for line in text.splitlines()) if len(p) >= 6]


def _is_excerpt(new_text: str, old_text: str) -> bool:
    if len(new_text) >= EXCERPT_LENGTH * len(old_text):
        return False
    paras = _paragraphs(new_text)
    if not paras:
        return False
    hay = _PARA.sub("", old_text)
    return sum(p in hay for p in paras) >= EXCERPT_SHARE * len(paras)


def place(db: Database, doc: Document, uid: str, *, exclude_source: int | None = None,
          before_id: int | None = None) -> Placement:
    """Decide what `doc` is to the stored documents (the module's rule).

    `uid` is the one it gets if it is a document of its own; `exclude_source`
    leaves out the source being replaced; `before_id` considers only documents
    stored before that id (the backfill of a database made before uids).
    """
    extra, params = "", []
    if exclude_source is not None:
        extra += " AND d.source_id <> ?"
        params.append(exclude_source)
    if before_id is not None:
        extra += " AND d.id < ?"
        params.append(before_id)
    dup = db.one(f"SELECT d.id, d.title, d.doc_number FROM documents d WHERE d.content_hash = ? AND d.uid IS NOT NULL{extra}"
                 " ORDER BY d.id LIMIT 1", (doc.content_hash, *params))
    if dup is not None:
        return Placement("duplicate", uid, DocStanding(), dup["id"], dup["title"] or dup["doc_number"])
    number, title = doc_number_key(doc.doc_number), title_key(doc.title)
    if number:
        where, key = "d.doc_number_key = ?", number
    elif title and len(title) >= MIN_TITLE:
        where, key = "d.doc_number_key IS NULL AND d.title_key = ?", title
    else:
        return Placement("new", uid, DocStanding())
    rows = db.all(f"SELECT d.id, d.uid, d.version, d.title, d.title_key, d.doc_number, d.text FROM documents d"
                  f" WHERE {where} AND d.is_current = 1 AND d.relation IS NULL AND d.uid IS NOT NULL{extra}"
                  " ORDER BY d.id", (key, *params))
    for r in rows:
        name = r["title"] or r["doc_number"]
        if _is_excerpt(doc.text, r["text"]):
            return Placement("excerpt", uid, DocStanding(relation="excerpt", related_uid=r["uid"]), r["id"], name)
    for r in rows:
        if title and r["title_key"] == title:
            return Placement("version", r["uid"], DocStanding(version=int(r["version"]) + 1), r["id"],
                             r["title"] or r["doc_number"])
    if rows:
        r = rows[0]
        return Placement("same_number", uid, DocStanding(relation="same_number", related_uid=r["uid"]), r["id"],
                         r["title"] or r["doc_number"])
    return Placement("new", uid, DocStanding())


def inherited(db: Database, old_source: int, seq: int, doc: Document) -> tuple[str, DocStanding] | None:
    """The uid and standing a document of a re-ingested file keeps: the old document of that
    source with the same 发文字号 and title, else the one at the same place."""
    rows = db.all("SELECT seq, uid, version, is_current, relation, related_uid, doc_number_key, title_key"
                  " FROM documents WHERE source_id = ? AND uid IS NOT NULL ORDER BY seq", (old_source,))
    same = [r for r in rows if r["doc_number_key"] == doc_number_key(doc.doc_number) and r["title_key"] == title_key(doc.title)]
    row = same[0] if len(same) == 1 else next((r for r in rows if r["seq"] == seq), None)
    if row is None:
        return None
    return row["uid"], DocStanding(int(row["version"]), bool(row["is_current"]), row["relation"], row["related_uid"])


def supersede(db: Database, uid: str, keep_id: int) -> None:
    """Only `keep_id` is the version of `uid` in force."""
    db.execute("UPDATE documents SET is_current = 0 WHERE uid = ? AND id <> ?", (uid, keep_id))


def repair_after_removal(db: Database) -> None:
    """After documents are deleted: the newest remaining version of each uid is in force again, and
    an excerpt or a same-number document whose other document is gone stands on its own."""
    db.execute("UPDATE documents SET is_current = 1 WHERE is_current = 0 AND NOT EXISTS"
               " (SELECT 1 FROM documents o WHERE o.uid = documents.uid AND o.is_current = 1)"
               " AND version = (SELECT MAX(o.version) FROM documents o WHERE o.uid = documents.uid)")
    db.execute("UPDATE documents SET relation = NULL, related_uid = NULL WHERE relation IS NOT NULL AND NOT EXISTS"
               " (SELECT 1 FROM documents o WHERE o.uid = documents.related_uid)")


def save(db: Database, doc_id: int, uid: str, s: DocStanding) -> None:
    db.execute("UPDATE documents SET uid = ?, version = ?, is_current = ?, relation = ?, related_uid = ? WHERE id = ?",
               (uid, s.version, int(s.current), s.relation, s.related_uid, doc_id))


# ---------------------------------------------------------------- databases made before uids (migration 0009)

def backfill(db: Database) -> None:
    """Give every stored document its uid and standing, in the order they were stored, and carry
    the reviewed rules and register entries over from the old identity (发文字号, else title)."""
    from ..model import doc_key
    from .documents import load_document

    old_rule: dict[str, list[tuple[int, str]]] = {}  # old rule-id prefix -> [(doc id, uid)]
    old_reg: dict[str, list[tuple[int, str]]] = {}  # old register ident -> [(doc id, uid)]
    for r in db.all("SELECT d.id, d.seq, d.title, d.doc_number, s.sha256, s.path FROM documents d"
                    " JOIN sources s ON s.id = d.source_id ORDER BY d.id"):
        doc = load_document(db, r["id"])
        p = place(db, doc, new_uid(r["sha256"], r["seq"]), before_id=r["id"])
        if p.kind == "duplicate":  # stored twice before this rule: the later copy becomes an excerpt-like twin
            uid, standing = p.uid, DocStanding(relation="excerpt", related_uid=_uid_of(db, p.other_id))
        else:
            uid, standing = p.uid, p.standing
        save(db, r["id"], uid, standing)
        if p.kind == "version":
            supersede(db, uid, r["id"])
        key = doc_key(r["path"], r["seq"] + 1)
        rule_ident = r["doc_number"] or (re.sub(r"\s+", "", r["title"]) if r["title"] else None) or key
        old_rule.setdefault(rule_ident, []).append((r["id"], uid))
        old_reg.setdefault(r["doc_number"] or r["title"] or key, []).append((r["id"], uid))

    for row in db.all("SELECT rule_id, version, doc_ident, node_id, quote, body FROM rule_reviews"):
        cands = old_rule.get(row["doc_ident"], [])
        # Several documents under one old identity (the bug this fixes): the one whose node holds the quote.
        hit = next((u for i, u in cands if db.one("SELECT 1 FROM nodes WHERE doc_id = ? AND node_id = ? AND text LIKE ?",
                                                   (i, row["node_id"], "%" + row["quote"][:200] + "%"))), None)
        uid = hit or (cands[0][1] if cands else None)
        if uid is None:
            continue  # its document is gone: the review stays, reported stale as before
        new_id = uid + row["rule_id"][len(row["doc_ident"]):] if row["rule_id"].startswith(row["doc_ident"]) else row["rule_id"]
        body = json.loads(row["body"])
        body["id"] = new_id
        body["source"] = {**(body.get("source") or {}), "doc_uid": uid}
        db.execute("UPDATE rule_reviews SET rule_id = ?, doc_uid = ?, body = ? WHERE rule_id = ? AND version = ?",
                   (new_id, uid, json.dumps(body, ensure_ascii=False, separators=(",", ":")), row["rule_id"], row["version"]))

    for table in ("monitor_indicators", "monitor_tasks"):
        for row in db.all(f"SELECT id, item_key, body, machine FROM {table}"):  # noqa: S608 (fixed table names)
            parts = row["item_key"].split("|", 2)
            cands = old_reg.get(parts[1], []) if len(parts) == 3 else []
            if not cands:
                continue
            uid = cands[0][1]
            bodies = [_reident(row["body"], old_reg), _reident(row["machine"], old_reg)]
            db.execute(f"UPDATE {table} SET item_key = ?, body = ?, machine = ? WHERE id = ?",  # noqa: S608
                       (f"{parts[0]}|{uid}|{parts[2]}", *bodies, row["id"]))


def _uid_of(db: Database, doc_id: int | None) -> str | None:
    return db.scalar("SELECT uid FROM documents WHERE id = ?", (doc_id,)) if doc_id is not None else None


def _reident(body: str | None, old: dict[str, list[tuple[int, str]]]) -> str | None:
    """A register entry's JSON with each source's doc_ident turned into the document's uid."""
    if body is None:
        return None
    data = json.loads(body)
    for s in data.get("sources") or []:
        cands = old.get(s.get("doc_ident") or "", [])
        by_id = [u for i, u in cands if i == s.get("doc_id")]
        if by_id or cands:
            s["doc_ident"] = (by_id or [cands[0][1]])[0]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
