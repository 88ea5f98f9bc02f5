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
from ..store.db import utc_now
from .facts import Vocabulary
from .profile import Profile, parse_profile
from .rules import Rule, RuleError, doc_ident, doc_info, machine_rules


class RuleExists(RuleError):
    """A reviewed version of this rule is stored and differs: pass replace=True to add a new version."""


@dataclass
class RuleBook:
    rules: list[Rule] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_id = {r.id: r for r in self.rules}

    @classmethod
    def load(cls, store: Store, *, machine_only: bool = False) -> RuleBook:
        docs = {}
        records = []
        for doc_id, rec in store.extractions(type_="benefit"):
            if doc_id not in docs:
                docs[doc_id] = doc_info(store.get_document(doc_id), doc_id, rec.doc_key)
            records.append((docs[doc_id], rec))
        rules = machine_rules(records)
        if machine_only:
            return cls(rules)
        by_id = {r.id: r for r in rules}
        order = [r.id for r in rules]
        for rid, row in _current_reviews(store).items():
            if row["status"] == "withdrawn":
                continue
            rule = Rule.from_dict(json.loads(row["body"]), f"review {rid} v{row['version']}")
            rule.origin = "reviewed"
            rule.review = {"status": row["status"], "by": row["reviewer"], "at": row["reviewed_at"], "note": row["note"], "version": row["version"]}
            rule.stale = _staleness(store, rule, docs)
            if rid not in by_id:
                order.append(rid)
            by_id[rid] = rule
        return cls([by_id[i] for i in order])

    def get(self, rule_id: str) -> Rule:
        try:
            return self._by_id[rule_id]
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


def _staleness(store: Store, rule: Rule, docs: dict) -> str | None:
    """Why the clause a reviewed rule cites no longer supports it (None: it still does)."""
    src = rule.source
    ident = doc_ident(src.get("doc_number"), src.get("doc"), src.get("doc_key"))
    doc = next((d for d in docs.values() if d.ident == ident), None)
    if doc is None:
        doc = _find_doc(store, src, ident)
    if doc is None:
        return f"document {ident} is no longer stored"
    node_text = doc.node_texts.get(src.get("node") or "")
    if node_text is not None and src["quote"] in node_text:
        return None
    if src["quote"] in doc.text:
        where = next((n for n, t in doc.node_texts.items() if src["quote"] in t), "?")
        return f"the quote moved from {src.get('node')} to {where}"
    return f"the source clause changed: {src.get('node')} no longer holds the reviewed quote"


def _find_doc(store: Store, src: dict, ident: str):
    for ref in (src.get("doc_number"), src.get("doc")):
        if not ref:
            continue
        try:
            doc_id = store.resolve(ref)
        except LookupError:
            continue
        d = doc_info(store.get_document(doc_id), doc_id, store.doc_key(doc_id))
        if d.ident == ident:
            return d
    return None


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
            "INSERT INTO rule_reviews (rule_id, version, doc_ident, node_id, quote, status, body, reviewer, note, reviewed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rule.id, version, doc_ident(src.get("doc_number"), src.get("doc"), src.get("doc_key")), src.get("node") or "",
             src["quote"], status, body, reviewer, note, utc_now()),
        )
    return version


def withdraw(store: Store, rule_id: str, *, reviewer: str | None = None, note: str | None = None) -> int:
    """Go back to the machine rule (a new 'withdrawn' version; the history stays)."""
    db = store._db
    with db.transaction():
        cur = db.one("SELECT * FROM rule_reviews WHERE rule_id = ? ORDER BY version DESC LIMIT 1", (rule_id,))
        if cur is None or cur["status"] == "withdrawn":
            raise KeyError(f"rule {rule_id!r} has no review to withdraw")
        db.execute(
            "INSERT INTO rule_reviews (rule_id, version, doc_ident, node_id, quote, status, body, reviewer, note, reviewed_at)"
            " VALUES (?, ?, ?, ?, ?, 'withdrawn', ?, ?, ?, ?)",
            (rule_id, cur["version"] + 1, cur["doc_ident"], cur["node_id"], cur["quote"], cur["body"], reviewer, note, utc_now()),
        )
        return cur["version"] + 1


def review_history(store: Store, rule_id: str) -> list[dict]:
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
