"""The rule book: machine rules from the store, overlaid with reviewed ones; reviews and saved profiles.

    book = RuleBook.load(store)            # every rule, reviewed ones in place of machine ones
    book.get("湘政发〔2024〕7号:n19:2")
    review(store, rule, reviewer="张三")    # a new version; RuleExists if one is there and replace=False
    save_profile(store, "某药业", profile)

Storage is the `rule_reviews` and `match_profiles` tables (migration 0004),
written through the store's connection in one transaction per call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..store import Store
from ..store.refs import doc_number_key, title_key
from ..store.db import utc_now
from .facts import Vocabulary
from .profile import Profile, parse_profile
from .rules import Rule, RuleError, doc_info, machine_rules


class RuleExists(RuleError):
    """A reviewed version of this rule is stored and differs: pass replace=True to add a new version."""


@dataclass
class RuleBook:
    rules: list[Rule] = field(default_factory=list)
    # A document reference (normalised 发文字号 or title) -> the uid of the document in force it names,
    # so that '湘政发〔2024〕7号:n19:2' finds the rule whose id is 'd3f9a0c41b2e7d615:n19:2'.
    aliases: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {r.id: r for r in self.rules}

    def canonical(self, rule_id: str) -> str:
        """The rule id itself, or, for one written with a 发文字号 or title, the id it stands for."""
        if rule_id in self._by_id:
            return rule_id
        parts = rule_id.rsplit(":", 2)
        if len(parts) == 3:
            uid = self.aliases.get(doc_number_key(parts[0]) or "") or self.aliases.get(title_key(parts[0]) or "")
            if uid:
                return f"{uid}:{parts[1]}:{parts[2]}"
        return rule_id

    @classmethod
    def load(cls, store: Store, *, machine_only: bool = False) -> RuleBook:
        docs = {}
        records = []
        skipped: set[int] = set()  # older versions and excerpts: their clauses are another document's
        for doc_id, rec in store.extractions(type_="benefit"):
            if doc_id in skipped:
                continue
            if doc_id not in docs:
                doc = store.get_document(doc_id)
                if doc.standing is not None and not doc.standing.derived:
                    skipped.add(doc_id)
                    continue
                docs[doc_id] = doc_info(doc, doc_id, rec.doc_key)
            records.append((docs[doc_id], rec))
        rules = machine_rules(records)
        aliases = _aliases(store)
        if machine_only:
            return cls(rules, aliases)
        by_id = {r.id: r for r in rules}
        order = [r.id for r in rules]
        for rid, row in _current_reviews(store).items():
            if row["status"] == "withdrawn":
                continue
            rule = Rule.from_dict(json.loads(row["body"]), f"review {rid} v{row['version']}")
            rule.id = rid  # the row's id is the canonical one (migration 0009 rewrote ids of older reviews)
            if row["doc_uid"]:
                rule.source = {**rule.source, "doc_uid": row["doc_uid"]}
            rule.origin = "reviewed"
            rule.review = {"status": row["status"], "by": row["reviewer"], "at": row["reviewed_at"], "note": row["note"], "version": row["version"]}
            rule.stale = _staleness(store, rule, docs)
            if rid not in by_id:
                order.append(rid)
            by_id[rid] = rule
        return cls([by_id[i] for i in order], aliases)

    def get(self, rule_id: str) -> Rule:
        try:
            return self._by_id[self.canonical(rule_id)]
        except KeyError:
            raise KeyError(f"no rule {rule_id!r}") from None

    def active(self) -> list[Rule]:
        """The rules matching uses: all but the ones a reviewer rejected."""
        return [r for r in self.rules if r.active]

    def vocabulary(self) -> Vocabulary:
        v = Vocabulary()
        for r in self.active():
            for name in r.facts():
                v.add(name, r.id)
        return v

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self):
        return iter(self.rules)


def _current_reviews(store: Store) -> dict:
    rows = store._db.all(
        "SELECT r.* FROM rule_reviews r JOIN (SELECT rule_id, MAX(version) AS v FROM rule_reviews GROUP BY rule_id) m"
        " ON m.rule_id = r.rule_id AND m.v = r.version ORDER BY r.rule_id"
    )
    return {row["rule_id"]: row for row in rows}


def _aliases(store: Store) -> dict[str, str]:
    """Each 发文字号 and title of a document of its own in force -> its uid (a name two such documents share: none)."""
    seen: dict[str, set[str]] = {}
    for d in store.identities():
        if d["uid"] and d["is_current"] and d["relation"] is None:
            for key in {doc_number_key(d["doc_number"]), title_key(d["title"])} - {None, ""}:
                seen.setdefault(key, set()).add(d["uid"])
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


def canonical_id(store: Store, rule_id: str) -> str:
    """`rule_id` with a document reference (发文字号, title) in its first part replaced by the document's uid."""
    parts = rule_id.rsplit(":", 2)
    if len(parts) != 3 or store.current_of(parts[0]) is not None:
        return rule_id
    try:
        uid = store.uid_of(parts[0])
    except LookupError:
        return rule_id
    return f"{uid}:{parts[1]}:{parts[2]}" if uid else rule_id


def rule_doc_uid(rule: Rule) -> str:
    """The uid of the document a rule cites: in its source, else the first part of its id."""
    return rule.source.get("doc_uid") or rule.id.rsplit(":", 2)[0]


def _staleness(store: Store, rule: Rule, docs: dict) -> str | None:
    """Why the clause a reviewed rule cites no longer supports it (None: it still does)."""
    src = rule.source
    uid = rule_doc_uid(rule)
    doc = next((d for d in docs.values() if d.uid == uid), None)
    if doc is None:
        doc_id = store.current_of(uid)
        if doc_id is not None:
            doc = doc_info(store.get_document(doc_id), doc_id, store.doc_key(doc_id))
    if doc is None:
        return f"document {uid} is no longer stored"
    node_text = doc.node_texts.get(src.get("node") or "")
    if node_text is not None and src["quote"] in node_text:
        return None
    if src["quote"] in doc.text:
        where = next((n for n, t in doc.node_texts.items() if src["quote"] in t), "?")
        return f"the quote moved from {src.get('node')} to {where}"
    return f"the source clause changed: {src.get('node')} no longer holds the reviewed quote"


# -- reviews ---------------------------------------------------------------------------------


def review(store: Store, rule: Rule | dict, *, reviewer: str | None = None, note: str | None = None,
           status: str | None = None, replace: bool = False) -> int:
    """Store a reviewed rule as a new version; returns the version.

    Storing the same rule again is a no-op (returns the stored version).  A
    different rule under an id that already has a reviewed version raises
    RuleExists unless replace=True: a review is never overwritten silently.
    """
    if isinstance(rule, dict):
        rule = Rule.from_dict(rule)
    # A rule file written with a 发文字号 or title in its id (as exported before uids) is filed under the uid.
    rid = canonical_id(store, rule.id)
    if rid != rule.id:
        rule.id = rid
        rule.source = {**rule.source, "doc_uid": rid.rsplit(":", 2)[0]}
    status = status or (rule.review or {}).get("status") or "approved"
    if status not in ("approved", "rejected"):
        raise RuleError(f"rule {rule.id}: review status approved or rejected, not {status!r}")
    body = _body(rule)
    db = store._db
    with db.transaction():
        cur = db.one("SELECT version, body, status FROM rule_reviews WHERE rule_id = ? ORDER BY version DESC LIMIT 1", (rule.id,))
        if cur is not None and cur["status"] == status and cur["body"] == body:
            return cur["version"]
        if cur is not None and cur["status"] != "withdrawn" and not replace:
            raise RuleExists(f"rule {rule.id}: reviewed version {cur['version']} is stored and differs; replace it explicitly (--replace)")
        version = (cur["version"] if cur is not None else 0) + 1
        src = rule.source
        db.execute(
            "INSERT INTO rule_reviews (rule_id, version, doc_ident, doc_uid, node_id, quote, status, body, reviewer, note,"
            " reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rule.id, version, rule_doc_uid(rule), rule_doc_uid(rule), src.get("node") or "",
             src["quote"], status, body, reviewer, note, utc_now()),
        )
    return version


def withdraw(store: Store, rule_id: str, *, reviewer: str | None = None, note: str | None = None) -> int:
    """Go back to the machine rule (a new 'withdrawn' version; the history stays)."""
    rule_id = canonical_id(store, rule_id)
    db = store._db
    with db.transaction():
        cur = db.one("SELECT * FROM rule_reviews WHERE rule_id = ? ORDER BY version DESC LIMIT 1", (rule_id,))
        if cur is None or cur["status"] == "withdrawn":
            raise KeyError(f"rule {rule_id!r} has no review to withdraw")
        db.execute(
            "INSERT INTO rule_reviews (rule_id, version, doc_ident, doc_uid, node_id, quote, status, body, reviewer, note,"
            " reviewed_at) VALUES (?, ?, ?, ?, ?, ?, 'withdrawn', ?, ?, ?, ?)",
            (rule_id, cur["version"] + 1, cur["doc_ident"], cur["doc_uid"], cur["node_id"], cur["quote"], cur["body"],
             reviewer, note, utc_now()),
        )
        return cur["version"] + 1


def review_history(store: Store, rule_id: str) -> list[dict]:
    rule_id = canonical_id(store, rule_id)
    rows = store._db.all("SELECT * FROM rule_reviews WHERE rule_id = ? ORDER BY version", (rule_id,))
    return [{k: row[k] for k in row.keys() if k != "body"} | {"rule": json.loads(row["body"])} for row in rows]


def _body(rule: Rule) -> str:
    d = rule.to_dict()
    for k in ("origin", "review", "stale"):
        d.pop(k, None)
    return json.dumps(d, ensure_ascii=False, sort_keys=True)


# -- saved profiles ----------------------------------------------------------------------------


def save_profile(store: Store, name: str, profile: Profile) -> None:
    """Save (or replace) a profile under a name."""
    body = json.dumps(profile.to_dict(), ensure_ascii=False, sort_keys=True)
    db = store._db
    with db.transaction():
        if db.one("SELECT 1 FROM match_profiles WHERE name = ?", (name,)):
            db.execute("UPDATE match_profiles SET body = ?, saved_at = ? WHERE name = ?", (body, utc_now(), name))
        else:
            db.execute("INSERT INTO match_profiles (name, body, saved_at) VALUES (?, ?, ?)", (name, body, utc_now()))


def get_profile(store: Store, name: str) -> Profile:
    row = store._db.one("SELECT body FROM match_profiles WHERE name = ?", (name,))
    if row is None:
        raise KeyError(f"no saved profile {name!r}")
    return parse_profile(json.loads(row["body"]), f"saved profile {name}")


def list_profiles(store: Store) -> list[dict]:
    return [dict(r) for r in store._db.all("SELECT id, name, saved_at FROM match_profiles ORDER BY name")]


def delete_profile(store: Store, name: str) -> bool:
    with store._db.transaction():
        return store._db.execute("DELETE FROM match_profiles WHERE name = ?", (name,)).rowcount > 0
