"""The indicator register and the task register: seeded from extraction records, reviewed by officers.

    report = seed(store, admin)                    # build / refresh both registers from stored extractions
    list_indicators(store)                         # [Indicator] (rejected and merged ones left out)
    confirm(store, user, 12) / edit_indicator(store, user, 12, {"target": {"value": 80}})
    reject(store, user, 13, note="不是指标") / merge(store, user, [12, 40], into=12)
    merge_candidates(store)                        # the same indicator, place and year in several documents
    list_tasks(store) / edit_task / confirm_task / reject_task

Seeding.  Every `target` record becomes an indicator suggestion keyed by
(document, place, indicator name, unit, target year): re-seeding after a
re-ingest finds the same key again, so a suggestion nobody reviewed is
updated in place, and a reviewed one (confirmed, edited, rejected, merged)
is never overwritten — its `machine` snapshot is refreshed for comparison,
its citations are re-anchored when the quote is still extracted, and it is
flagged `stale` when the quoted clause is no longer in its document.
`statistic` records supply baselines.  `duty` records (one task per item,
its tags' units joined) and 专栏 `project` records become tasks likewise.

Units are canonical (`units.canonical` in the document's province).  An
indicator's responsible units are the duty tags of its own clause, else of
the nearest enclosing clause that has some.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..extract.check import indicator_key
from ..extract.numbers import plan_period
from ..store import Store
from . import audit
from . import labels as L
from .access import require
from .clock import stamp
from .errors import ConflictError, MonitorError, NotFound
from .units import canonical_all, canonical_unit, doc_province

REVIEWS = ("suggested", "confirmed", "edited", "rejected", "merged")
ACTIVE = ("suggested", "confirmed", "edited")
KINDS = ("level", "reduction", "annual_rate", "qualitative")
DIRECTIONS = ("higher", "lower")
COMPARATORS = (">=", ">", "=", "~", "<=", "<")
ATTRIBUTES = ("预期性", "约束性")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# ------------------------------------------------------------------ entries

@dataclass
class _Entry:
    id: int
    key: str
    origin: str
    review: str
    merged_into: int | None
    body: dict
    machine: dict | None
    stale: str | None
    version: int
    reviewed_by: str | None
    reviewed_at: str | None
    created_at: str
    updated_at: str

    item_kind = "entry"

    @property
    def active(self) -> bool:
        return self.review in ACTIVE

    @property
    def sources(self) -> list[dict]:
        return self.body.get("sources") or []

    def _meta(self) -> dict:
        return {
            "id": self.id, "key": self.key, "origin": self.origin, "review": self.review,
            "merged_into": self.merged_into, "stale": self.stale, "version": self.version,
            "reviewed_by": self.reviewed_by, "reviewed_at": self.reviewed_at, "updated_at": self.updated_at,
        }

    def citations(self) -> list[dict]:
        """The sources as the JSON contract shows them (doc, node, quote, lines; also doc_key, role)."""
        return [
            {"doc": s.get("doc") or s.get("doc_key"), "doc_key": s.get("doc_key"), "doc_id": s.get("doc_id"),
             "node": s.get("node"), "quote": s.get("quote"), "line_start": s.get("line_start"),
             "line_end": s.get("line_end"), "role": s.get("role")}
            for s in self.sources
        ]


@dataclass
class Indicator(_Entry):
    """An entry of the indicator register.  `body` holds the fields below as JSON."""

    item_kind = "indicator"

    name = property(lambda self: self.body.get("name") or "")
    unit = property(lambda self: self.body.get("unit"))
    direction = property(lambda self: self.body.get("direction") or "higher")
    kind = property(lambda self: self.body.get("kind") or "level")
    measure = property(lambda self: self.body.get("measure"))
    baseline = property(lambda self: self.body.get("baseline"))  # {year, value, assumed} or None
    target = property(lambda self: self.body.get("target") or {})  # {year, value, value_max, comparator}
    attribute = property(lambda self: self.body.get("attribute"))
    scope = property(lambda self: self.body.get("scope"))
    aspirational = property(lambda self: bool(self.body.get("aspirational")))
    units = property(lambda self: list(self.body.get("units") or []))
    tolerance = property(lambda self: self.body.get("tolerance"))
    note = property(lambda self: self.body.get("note"))

    @property
    def manual_targets(self) -> dict[int, float]:
        return {int(y): float(v) for y, v in (self.body.get("annual_targets") or {}).items()}

    @property
    def qualitative(self) -> bool:
        return self.kind == "qualitative" or self.target.get("value") is None

    def to_dict(self) -> dict:
        b = self.baseline or {}
        t = self.target
        return {
            **self._meta(),
            "name": self.name, "unit": self.unit, "scope": self.scope, "kind": self.kind, "measure": self.measure,
            "direction": self.direction, "attribute": self.attribute, "aspirational": self.aspirational,
            "baseline": {"year": b.get("year"), "value": b.get("value"), "assumed": bool(b.get("assumed"))},
            "target": {"year": t.get("year"), "value": t.get("value"), "value_max": t.get("value_max"),
                       "comparator": t.get("comparator")},
            "annual_targets_manual": {str(k): v for k, v in sorted(self.manual_targets.items())},
            "tolerance": self.tolerance, "note": self.note,
            "units": self.units, "sources": self.citations(), "machine": self.machine,
        }


@dataclass
class Task(_Entry):
    """An entry of the task register (from a duty record or a 专栏 project)."""

    item_kind = "task"

    task = property(lambda self: self.body.get("task") or "")
    kind = property(lambda self: self.body.get("kind") or "duty")  # duty | project
    category = property(lambda self: self.body.get("category"))
    lead = property(lambda self: list(self.body.get("lead") or []))
    support = property(lambda self: list(self.body.get("support") or []))
    deadline = property(lambda self: self.body.get("deadline"))
    note = property(lambda self: self.body.get("note"))

    @property
    def units(self) -> list[str]:
        return self.lead + [u for u in self.support if u not in self.lead]

    def to_dict(self) -> dict:
        return {
            **self._meta(),
            "task": self.task, "kind": self.kind, "category": self.category, "lead": self.lead,
            "support": self.support, "deadline": self.deadline, "note": self.note,
            "doc": self.body.get("doc"), "units": self.units, "sources": self.citations(), "machine": self.machine,
        }


_TABLE = {"indicator": "monitor_indicators", "task": "monitor_tasks"}
_CLASS = {"indicator": Indicator, "task": Task}


def _row_to(kind: str, r) -> _Entry:
    return _CLASS[kind](
        id=int(r["id"]), key=r["item_key"], origin=r["origin"], review=r["review"],
        merged_into=r["merged_into"], body=json.loads(r["body"]),
        machine=json.loads(r["machine"]) if r["machine"] else None, stale=r["stale"], version=int(r["version"]),
        reviewed_by=r["reviewed_by"], reviewed_at=r["reviewed_at"], created_at=r["created_at"], updated_at=r["updated_at"],
    )


def _all(store: Store, kind: str) -> list[_Entry]:
    return [_row_to(kind, r) for r in store._db.all(f"SELECT * FROM {_TABLE[kind]} ORDER BY id")]


def _get(store: Store, kind: str, item_id: int) -> _Entry:
    r = store._db.one(f"SELECT * FROM {_TABLE[kind]} WHERE id = ?", (int(item_id),))
    if r is None:
        raise NotFound(f"没有{L.KINDS.get(kind, kind)} {item_id}")
    return _row_to(kind, r)


def get_indicator(store: Store, indicator_id: int) -> Indicator:
    return _get(store, "indicator", indicator_id)  # type: ignore[return-value]


def get_task(store: Store, task_id: int) -> Task:
    return _get(store, "task", task_id)  # type: ignore[return-value]


def _filtered(entries: list, include: tuple[str, ...] | None, unit: str | None, store: Store) -> list:
    from .units import overlap

    wanted = ACTIVE if include is None else include
    out = [e for e in entries if e.review in wanted]
    if unit:
        u = canonical_unit(store, unit)
        out = [e for e in out if overlap([u], e.units)]
    return out


def list_indicators(store: Store, *, include: tuple[str, ...] | None = None, unit: str | None = None,
                    scope: str | None = None) -> list[Indicator]:
    """Indicators in id order; by default the active ones (suggested, confirmed, edited)."""
    out = _filtered(_all(store, "indicator"), include, unit, store)
    if scope:
        out = [e for e in out if e.scope == scope]
    return out


def list_tasks(store: Store, *, include: tuple[str, ...] | None = None, unit: str | None = None) -> list[Task]:
    return _filtered(_all(store, "task"), include, unit, store)


@dataclass(frozen=True)
class Version:
    version: int
    action: str
    review: str
    body: dict
    changed_by: str | None
    changed_at: str
    note: str | None

    def to_dict(self) -> dict:
        return {"version": self.version, "action": self.action, "review": self.review, "body": self.body,
                "changed_by": self.changed_by, "changed_at": self.changed_at, "note": self.note}


def history(store: Store, kind: str, item_id: int) -> list[Version]:
    """Every version of a register entry, oldest first, with who and when."""
    if kind not in _TABLE:
        raise MonitorError(f"类型{L.quoted(kind)}无效：应为 indicator（指标）或 task（任务）")
    rows = store._db.all(
        "SELECT version, action, review, body, changed_by, changed_at, note FROM monitor_history"
        " WHERE item_kind = ? AND item_id = ? ORDER BY version", (kind, int(item_id)))
    return [Version(int(r["version"]), r["action"], r["review"], json.loads(r["body"]), r["changed_by"],
                    r["changed_at"], r["note"]) for r in rows]


def _write(db, kind: str, e: _Entry, action: str, user: str | None, ts: str, note: str | None = None,
           *, expected: int | None = None, reviewed: bool = False) -> int:
    """Store the entry's new state as version e.version + 1 (compare-and-set on the version)."""
    new = e.version + 1
    sets = "review = ?, merged_into = ?, body = ?, machine = ?, stale = ?, version = ?, updated_at = ?"
    args: list[Any] = [e.review, e.merged_into, _json(e.body), _json(e.machine) if e.machine else None, e.stale, new, ts]
    if reviewed:
        sets += ", reviewed_by = ?, reviewed_at = ?"
        args += [user, ts]
    cur = db.execute(f"UPDATE {_TABLE[kind]} SET {sets} WHERE id = ? AND version = ?",
                     (*args, e.id, e.version if expected is None else expected))
    if not cur.rowcount:
        raise _conflict(db, kind, e.id, expected if expected is not None else e.version)
    db.execute(
        "INSERT INTO monitor_history (item_kind, item_id, version, action, review, body, changed_by, changed_at, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (kind, e.id, new, action, e.review, _json(e.body), user, ts, note))
    e.version = new
    return new


def _conflict(db, kind: str, item_id: int, had: int) -> ConflictError:
    row = db.one("SELECT version, changed_by, changed_at FROM monitor_history WHERE item_kind = ? AND item_id = ?"
                 " ORDER BY version DESC LIMIT 1", (kind, item_id))
    if row is None:
        return ConflictError(f"{L.item(kind, item_id)} 已被其他人修改（表单为第 {had} 版）：请刷新后再操作")
    return ConflictError(
        f"{L.item(kind, item_id)} 已被 {row['changed_by'] or '系统（台账生成）'} 于 {L.when(row['changed_at'])} 修改"
        f"（当前第 {row['version']} 版，表单为第 {had} 版）：请刷新后再操作", int(row["version"]))


def _insert(db, kind: str, key: str, origin: str, body: dict, machine: dict | None, user: str | None, ts: str,
            action: str = "seed", review: str = "suggested") -> int:
    new_id = db.one(
        f"INSERT INTO {_TABLE[kind]} (item_key, origin, review, merged_into, body, machine, stale, version,"
        " reviewed_by, reviewed_at, created_at, updated_at) VALUES (?, ?, ?, NULL, ?, ?, NULL, 1, ?, ?, ?, ?) RETURNING id",
        (key, origin, review, _json(body), _json(machine) if machine else None,
         None if review == "suggested" else user, None if review == "suggested" else ts, ts, ts),
    )[0]
    db.execute(
        "INSERT INTO monitor_history (item_kind, item_id, version, action, review, body, changed_by, changed_at, note)"
        " VALUES (?, ?, 1, ?, ?, ?, ?, ?, NULL)", (kind, new_id, action, review, _json(body), user, ts))
    return int(new_id)


# ------------------------------------------------------------------ corpus

@dataclass
class _Doc:
    id: int
    key: str
    ident: str  # the uid
    title: str | None
    doc_number: str | None
    date: str | None
    text: str
    province: str | None
    parents: dict[str, str | None] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return doc_name(self.doc_number, self.title, self.key)


def doc_name(doc_number: str | None, title: str | None, key: str) -> str:
    """How an entry names its document to a person: the 发文字号, else the title, else FILE#N."""
    return doc_number or title or key


class _Corpus:
    """The stored documents and the records seeding reads, loaded once."""

    def __init__(self, store: Store):
        from ..model import doc_key

        db = store._db
        self.docs: dict[int, _Doc] = {}
        codes: dict[int, list[str]] = defaultdict(list)
        self.records: dict[str, list] = defaultdict(list)
        for doc_id, r in store.extractions():
            if r.type == "entity":
                if r.fields.get("kind") == "place" and r.fields.get("code"):
                    codes[doc_id].append(r.fields["code"])
            elif r.type in ("target", "statistic", "duty", "project"):
                self.records[r.type].append((doc_id, r))
        # Registers come from the documents in force of their own (not older versions, not excerpts);
        # entries hang on the document's uid (store/identity.py), and name it by 发文字号 or title.
        for r in db.all("SELECT d.id, d.title, d.doc_number, d.issuer, d.date, d.text, s.path, d.seq, d.uid"
                        " FROM documents d JOIN sources s ON s.id = d.source_id"
                        " WHERE d.is_current = 1 AND (d.relation IS NULL OR d.relation <> 'excerpt') ORDER BY s.path, d.seq"):
            key = doc_key(r["path"], int(r["seq"]) + 1)
            d = _Doc(int(r["id"]), key, r["uid"] or key, r["title"], r["doc_number"],
                     r["date"], r["text"],
                     doc_province(r["title"], r["issuer"], r["doc_number"], r["text"][:200], codes.get(int(r["id"]), [])))
            self.docs[d.id] = d
        for r in db.all("SELECT doc_id, node_id, parent FROM nodes"):
            if int(r["doc_id"]) in self.docs:
                self.docs[int(r["doc_id"])].parents[r["node_id"]] = r["parent"]
        self.by_ident = {d.ident: d for d in self.docs.values()}
        for kind in self.records:  # records of documents that do not seed (older versions, excerpts) go
            self.records[kind] = [(i, r) for i, r in self.records[kind] if i in self.docs]
        # Units responsible per (doc, node), from duty records.
        self.node_units: dict[tuple[int, str], list[str]] = defaultdict(list)
        for doc_id, r in self.records["duty"]:
            units = canonical_all([*r.fields.get("lead", []), *r.fields.get("support", [])], self.docs[doc_id].province)
            bucket = self.node_units[(doc_id, r.node)]
            bucket.extend(u for u in units if u not in bucket)

    def by_quote(self) -> dict[tuple[str, str], tuple]:
        """(document ident, quote) → (doc id, record), over the record types the registers cite."""
        if not hasattr(self, "_by_quote"):
            self._by_quote: dict[tuple[str, str], tuple] = {}
            for rtype in ("target", "statistic", "duty", "project"):
                for doc_id, r in self.records[rtype]:
                    self._by_quote.setdefault((self.docs[doc_id].ident, r.quote), (doc_id, r))
        return self._by_quote

    def units_for(self, doc_id: int, node: str) -> list[str]:
        parents = self.docs[doc_id].parents
        seen = set()
        while node and node not in seen:
            seen.add(node)
            if (doc_id, node) in self.node_units:
                return list(self.node_units[(doc_id, node)])
            node = parents.get(node)
        return []

    def source(self, doc_id: int, r, role: str) -> dict:
        d = self.docs[doc_id]
        return {"type": r.type, "role": role, "doc": r.doc, "doc_key": r.doc_key, "doc_ident": d.ident, "doc_id": doc_id,
                "node": r.node, "quote": r.quote, "span": [r.start, r.end], "line_start": r.line_start,
                "line_end": r.line_end}

    def year_of(self, doc_id: int) -> int | None:
        d = self.docs[doc_id].date
        return int(d[:4]) if d else None


# ------------------------------------------------------------- classifying

_REDUCTION = re.compile(r"(?:下降|降低|减少|压减|缩减|削减)(?![至到])\s*(?:了)?\s*\d+(?:\.\d+)?\s*(?:%|％|个百分点)")
_LOWER_WORDS = re.compile(r"降至|降到|降低到|降低至|下降到|下降至|减少到|减少至|压减到|压减至|控制在|不超过|不高于|以内|以下")
_LOWER_NAMES = re.compile(r"能耗|排放|死亡率|失业率|发生率|事故|污染|PM2\.5|碳强度|用水量|负债率|贫困|婴儿死亡|孕产妇死亡|担保费率|成本")
_ANNUAL = re.compile(r"年均")
_BASE_YEAR = re.compile(r"比\s*(\d{4})\s*年")


def classify(quote: str, name: str, comparator: str | None, value: float | None,
             baseline_value: float | None = None, unit: str | None = None) -> tuple[str, str]:
    """(kind, direction) of a target from its wording.

    - value null → qualitative;
    - `下降18%` (a fall by a percentage, not `降至…`) → reduction, measured as the fall: higher is better;
    - `年均增长6%` → annual_rate: higher is better;
    - else a level: `<=`/`<` (以下, 不超过, 控制在…以内) → lower is better, `>=`/`>` → higher;
      for `=`/`~` the words decide (降至, 控制在, 能耗, 排放, 死亡率, 失业率 … → lower), then a
      baseline above the target (lower), else higher.
    """
    if value is None:
        return "qualitative", "higher"
    if unit in ("%", "个百分点") and _REDUCTION.search(quote):
        return "reduction", "higher"
    if unit == "%" and _ANNUAL.search(quote):
        return "annual_rate", "higher"
    if comparator in ("<=", "<"):
        return "level", "lower"
    if comparator in (">=", ">"):
        return "level", "higher"
    if _LOWER_WORDS.search(quote) or _LOWER_NAMES.search(name):
        return "level", "lower"
    if baseline_value is not None and baseline_value > value:
        return "level", "lower"
    return "level", "higher"


# ---------------------------------------------------------------- seeding

def _indicator_suggestions(c: _Corpus) -> dict[str, dict]:
    groups: dict[str, list] = defaultdict(list)
    for doc_id, r in c.records["target"]:
        f = r.fields
        name = (f.get("indicator") or "").strip()
        if not name:
            continue
        d = c.docs[doc_id]
        key = f"T|{d.ident}|{f.get('scope') or ''}|{indicator_key(name)}|{f.get('unit') or ''}|{f.get('year') or ''}"
        groups[key].append((doc_id, r))
    stats_by: dict[tuple, list] = defaultdict(list)
    for doc_id, s in c.records["statistic"]:
        f = s.fields
        if f.get("value") is None or not f.get("indicator"):
            continue
        stats_by[(indicator_key(f["indicator"]), f.get("scope"), f.get("unit"))].append((doc_id, s))

    out: dict[str, dict] = {}
    for key, recs in groups.items():
        # One document stating the same target with different values: one suggestion per value.
        by_value: dict[Any, list] = {}
        for doc_id, r in recs:
            by_value.setdefault((r.fields.get("value"), r.fields.get("value_max")), []).append((doc_id, r))
        for i, same in enumerate(by_value.values()):
            out[key if i == 0 else f"{key}#{i + 1}"] = _indicator_body(c, same, stats_by)
    return out


def _indicator_body(c: _Corpus, recs: list, stats_by: dict) -> dict:
    doc_id, r = recs[0]
    f = r.fields
    name = f["indicator"].strip()
    value, unit, year, scope = f.get("value"), f.get("unit"), f.get("year"), f.get("scope")
    sources = [c.source(d, x, "target") for d, x in recs]
    baseline = None
    b = f.get("baseline") or {}
    if b.get("value") is not None and (b.get("unit") in (None, unit)):
        baseline = {"year": b.get("year"), "value": b["value"], "assumed": False}
    if value is not None and (baseline is None or baseline["year"] is None):
        stat = _baseline_stat(c, doc_id, name, scope, unit, year, stats_by)
        if stat is not None:
            sdoc, s = stat
            baseline = {"year": s.fields.get("year"), "value": s.fields["value"], "assumed": False}
            sources.append(c.source(sdoc, s, "baseline"))
    kind, direction = classify(r.quote, name, f.get("comparator"), value, baseline and baseline["value"], unit)
    measure = {"reduction": "下降幅度", "annual_rate": "年均增速"}.get(kind)
    if kind == "reduction":
        # A fall is measured from the base year: `比2020年下降14%` names it, else the statistic's year.
        named = _BASE_YEAR.search(r.quote)
        base_year = int(named.group(1)) if named else (baseline["year"] if baseline and baseline.get("year") else None)
        baseline = {"year": base_year, "value": 0, "assumed": False}
    elif kind in ("annual_rate", "qualitative"):
        baseline = None
    if baseline is not None and baseline.get("year") is None:
        # The plan's base year when the text gives none: the year before the plan period the document
        # names (a “十四五” plan issued in 2022 starts from 2020), else the year before the document was
        # issued, else five years before the target year (the five-year-plan convention).  Marked assumed.
        doc_year = c.year_of(doc_id)
        period = plan_period(c.docs[doc_id].title or "") or plan_period(c.docs[doc_id].text[:300])
        guess = period[0] - 1 if period else (doc_year - 1 if doc_year else (year - 5 if year else None))
        if guess is not None and (year is None or guess < year):
            baseline = {**baseline, "year": guess, "assumed": True}
    units: list[str] = []
    for d, x in recs:
        units += [u for u in c.units_for(d, x.node) if u not in units]
    return {
        "name": name, "unit": unit, "kind": kind, "direction": direction, "measure": measure,
        "baseline": baseline,
        "target": {"year": year, "value": value, "value_max": f.get("value_max"), "comparator": f.get("comparator")},
        "attribute": f.get("attribute"), "scope": scope, "aspirational": bool(f.get("aspirational")),
        "units": units, "sources": sources, "annual_targets": {}, "tolerance": None, "note": None,
        "doc": c.docs[doc_id].name,
    }


def _baseline_stat(c: _Corpus, doc_id: int, name: str, scope, unit, year, stats_by: dict):
    """The statistic that gives a target its starting point: same place and unit, an earlier year,
    named alike — the same name (after `indicator_key`), or a longer name ending in it
    (常住人口城镇化率 for 城镇化率; at least three characters).  Same document first, then the same
    name, then a stated year, then the latest."""
    key = indicator_key(name)
    cands = []
    for (skey, sscope, sunit), items in stats_by.items():
        if sscope != scope or sunit != unit:
            continue
        exact = skey == key
        if not exact and not (len(key) >= 3 and skey.endswith(key)):
            continue
        for d, s in items:
            if year is None or s.fields.get("year") is None or s.fields["year"] < year:
                cands.append((d == doc_id, exact, s.fields.get("year") is not None, s.fields.get("year") or 0, d, s))
    if not cands:
        return None
    best = max(cands, key=lambda t: t[:4])
    return best[4], best[5]


def _task_suggestions(c: _Corpus) -> dict[str, dict]:
    out: dict[str, dict] = {}
    by_node: dict[tuple, list] = {}
    for doc_id, r in c.records["duty"]:
        by_node.setdefault((doc_id, r.node, (r.fields.get("task") or "").strip()), []).append(r)
    seen: dict[str, int] = defaultdict(int)
    for (doc_id, _node, task), recs in by_node.items():
        if not task:
            continue
        d = c.docs[doc_id]
        base = f"D|{d.ident}|{task}"
        seen[base] += 1
        key = base if seen[base] == 1 else f"{base}#{seen[base]}"
        lead: list[str] = []
        support: list[str] = []
        for r in recs:
            lead += [u for u in canonical_all(r.fields.get("lead") or [], d.province) if u not in lead]
        for r in recs:
            support += [u for u in canonical_all(r.fields.get("support") or [], d.province) if u not in lead + support]
        deadline = next((r.fields["deadline"] for r in recs if r.fields.get("deadline")), None)
        out[key] = {"task": task, "kind": "duty", "category": None, "lead": lead, "support": support,
                    "deadline": deadline, "note": None, "doc": d.name,
                    "sources": [c.source(doc_id, r, "duty") for r in recs]}
    for doc_id, r in c.records["project"]:
        f = r.fields
        if not f.get("category") or not f.get("name"):
            continue  # only 专栏 entries (they carry the box title)
        d = c.docs[doc_id]
        base = f"P|{d.ident}|{f['category']}|{f['name']}"
        seen[base] += 1
        key = base if seen[base] == 1 else f"{base}#{seen[base]}"
        out[key] = {"task": f["name"], "kind": "project", "category": f["category"],
                    "lead": c.units_for(doc_id, r.node), "support": [], "deadline": None, "note": None,
                    "doc": d.name, "location": f.get("location"), "investment": f.get("investment"),
                    "sources": [c.source(doc_id, r, "project")]}
    return out


@dataclass
class SeedCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    reviewed_kept: int = 0
    stale: int = 0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class SeedReport:
    indicators: SeedCounts
    tasks: SeedCounts

    def to_dict(self) -> dict:
        return {"indicators": self.indicators.to_dict(), "tasks": self.tasks.to_dict()}


def seed(store: Store, user, *, now: datetime | None = None) -> SeedReport:
    """Build or refresh both registers from the stored extractions (admin only).

    One write transaction: a concurrent seed or review waits, and a failure
    leaves the registers as they were.
    """
    require(store, user, "seed", None, item_kind="register")
    c = _Corpus(store)
    ts = stamp(now)
    with store._db.transaction():
        report = SeedReport(_sync(store, c, "indicator", _indicator_suggestions(c), ts),
                            _sync(store, c, "task", _task_suggestions(c), ts))
        audit.log(store, user, "seed", "register", None, detail=report.to_dict(), now=now)
    return report


def _sync(store: Store, c: _Corpus, kind: str, suggestions: dict[str, dict], ts: str) -> SeedCounts:
    db = store._db
    counts = SeedCounts()
    existing = {e.key: e for e in _all(store, kind)}
    for key, body in suggestions.items():
        e = existing.get(key)
        if e is None:
            _insert(db, kind, key, "machine", body, body, None, ts)
            counts.added += 1
        elif e.review == "suggested":
            if _content(e.body) != _content(body) or e.stale:
                e.body, e.machine, e.stale = body, body, None
                _write(db, kind, e, "reseed", None, ts)
                counts.updated += 1
            else:
                if e.body != body:  # only where the quotes now sit (new document id, lines): no new version
                    _reanchor(db, kind, e, body, body)
                counts.unchanged += 1
        else:
            counts.reviewed_kept += 1
            _refresh_reviewed(db, c, kind, e, body, ts)
            counts.stale += bool(e.stale)
    for key, e in existing.items():
        if key in suggestions:
            continue  # handled above
        if e.origin != "machine":
            if e.sources:
                _refresh_reviewed(db, c, kind, e, None, ts)
                counts.stale += bool(e.stale)
            continue
        if e.review == "suggested":
            if e.stale is None or e.machine is not None:
                e.machine, e.stale = None, "原文件已重新导入或删除，不再能从中提取这一条"
                _write(db, kind, e, "reseed", None, ts)
            counts.stale += 1
        else:
            counts.reviewed_kept += 1
            _refresh_reviewed(db, c, kind, e, None, ts)
            counts.stale += bool(e.stale)
    return counts


def _refresh_reviewed(db, c: _Corpus, kind: str, e: _Entry, machine: dict | None, ts: str) -> None:
    """A reviewed entry keeps its fields: re-anchor its citations, flag it stale if a quote is gone."""
    current = c.by_quote()
    problems: list[str] = []
    sources = []
    for s in e.sources:
        hit = current.get((s.get("doc_ident"), s.get("quote")))
        if hit is not None:
            sources.append({**c.source(hit[0], hit[1], s.get("role") or hit[1].type)})
            continue
        sources.append(s)
        doc = c.by_ident.get(s.get("doc_ident"))
        if doc is None:
            problems.append(f"文件 {s.get('doc') or s.get('doc_ident')} 已不在库中")
        elif s.get("quote") not in doc.text:
            problems.append(f"出处条文已变动：{s.get('doc') or s.get('doc_ident')} 中已找不到“{s.get('quote')}”")
    stale = "；".join(problems) or None
    if stale != e.stale:
        e.body = {**e.body, "sources": sources}
        e.stale = stale
        e.machine = machine
        _write(db, kind, e, "sources", None, ts, stale)
    elif sources != e.sources or machine != e.machine:
        # Re-anchored citations and the comparison snapshot: no new version of what the officer reviewed.
        _reanchor(db, kind, e, {**e.body, "sources": sources}, machine)


def _content(body: dict) -> dict:
    """An entry without where its quotes sit (document id, node, span, lines): what a version is about."""
    return {**body, "sources": [(s.get("role"), s.get("doc_ident"), s.get("quote")) for s in body.get("sources") or []]}


def _reanchor(db, kind: str, e: _Entry, body: dict, machine: dict | None) -> None:
    db.execute(f"UPDATE {_TABLE[kind]} SET body = ?, machine = ? WHERE id = ?",
               (_json(body), _json(machine) if machine else None, e.id))
    e.body, e.machine = body, machine


# ------------------------------------------------------------------ review

def _check_active(e: _Entry) -> None:
    if e.review == "merged":
        raise MonitorError(f"{L.entry(e)}已并入{L.KINDS[e.item_kind]} {e.merged_into}：请到{L.KINDS[e.item_kind]} {e.merged_into} 操作")


def confirm(store: Store, user, item_id: int, *, expected_version: int | None = None, note: str | None = None,
            now: datetime | None = None, kind: str = "indicator") -> _Entry:
    """Confirm a suggestion as it stands (also un-rejects)."""
    e = _get(store, kind, item_id)
    _check_active(e)
    require(store, user, "review", e)
    with store._db.transaction():
        e = _get(store, kind, item_id)
        e.review = "confirmed" if e.review in ("suggested", "rejected") else e.review
        _write(store._db, kind, e, "confirm", user.username, stamp(now), note, expected=expected_version, reviewed=True)
        audit.log(store, user, "confirm", kind, e.id, detail={"version": e.version, "note": note}, now=now)
    return e


def reject(store: Store, user, item_id: int, *, note: str | None = None, expected_version: int | None = None,
           now: datetime | None = None, kind: str = "indicator") -> _Entry:
    """Reject a machine suggestion: it stays rejected through every re-seed."""
    e = _get(store, kind, item_id)
    _check_active(e)
    require(store, user, "review", e)
    with store._db.transaction():
        e = _get(store, kind, item_id)
        e.review = "rejected"
        _write(store._db, kind, e, "reject", user.username, stamp(now), note, expected=expected_version, reviewed=True)
        audit.log(store, user, "reject", kind, e.id, detail={"version": e.version, "note": note}, now=now)
    return e


_INDICATOR_EDITABLE = {"name", "unit", "direction", "kind", "measure", "baseline", "target", "attribute", "scope",
                       "aspirational", "units", "annual_targets", "tolerance", "note"}
_TASK_EDITABLE = {"task", "category", "lead", "support", "deadline", "note"}


def _num(v, what: str) -> float | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        raise MonitorError(f"{L.field(what)}：{L.quoted(v)}不是数字")
    try:
        return float(str(v).replace(",", "").strip())
    except ValueError:
        raise MonitorError(f"{L.field(what)}：{L.quoted(v)}不是数字") from None


def _year(v, what: str) -> int | None:
    if v is None or v == "":
        return None
    try:
        y = int(str(v).strip())
    except ValueError:
        raise MonitorError(f"{L.field(what)}：{L.quoted(v)}不是年份") from None
    if not 1949 <= y <= 2100:
        raise MonitorError(f"{L.field(what)}：{y} 不是有效年份（应在 1949 至 2100 之间）")
    return y


def _validated_indicator(store: Store, body: dict, changes: dict) -> dict:
    unknown = set(changes) - _INDICATOR_EDITABLE
    if unknown:
        raise MonitorError(f"不能修改：{L.fields(sorted(unknown))}（可修改的字段：{L.fields(sorted(_INDICATOR_EDITABLE))}）")
    out = dict(body)
    for k, v in changes.items():
        if k == "target":
            t = dict(out.get("target") or {})
            for tk, tv in (v or {}).items():
                if tk == "year":
                    t["year"] = _year(tv, "target.year")
                elif tk in ("value", "value_max"):
                    t[tk] = _num(tv, f"target.{tk}")
                elif tk == "comparator":
                    if tv not in COMPARATORS:
                        raise MonitorError(f"目标比较符：{L.quoted(tv)}无效，应为 {' '.join(COMPARATORS)} 之一")
                    t["comparator"] = tv
                else:
                    raise MonitorError(f"目标没有{L.quoted(tk)}这一项（可填：目标年、目标值、目标上限、目标比较符）")
            out["target"] = t
        elif k == "baseline":
            if v is None:
                out["baseline"] = None
                continue
            b = dict(out.get("baseline") or {})
            for bk, bv in v.items():
                if bk == "year":
                    b["year"], b["assumed"] = _year(bv, "baseline.year"), False
                elif bk == "value":
                    b["value"] = _num(bv, "baseline.value")
                else:
                    raise MonitorError(f"基期没有{L.quoted(bk)}这一项（可填：基期年、基期值）")
            out["baseline"] = b
        elif k == "direction":
            if v not in DIRECTIONS:
                raise MonitorError(f"方向：{L.quoted(v)}无效，应为 higher（越高越好）或 lower（越低越好）")
            out[k] = v
        elif k == "kind":
            if v not in KINDS:
                raise MonitorError(f"类型：{L.quoted(v)}无效，应为 {'、'.join(f'{k}（{L.INDICATOR_KINDS[k]}）' for k in KINDS)} 之一")
            out[k] = v
        elif k == "attribute":
            if v not in (None, "", *ATTRIBUTES):
                raise MonitorError(f"属性：{L.quoted(v)}无效，应为 预期性 或 约束性")
            out[k] = v or None
        elif k == "units":
            items = v.split(",") if isinstance(v, str) else list(v or [])
            out[k] = sorted({canonical_unit(store, u) for u in items if u and u.strip()})
        elif k == "annual_targets":
            manual = {str(y): x for y, x in (out.get("annual_targets") or {}).items()}
            for y, x in (v or {}).items():
                yy = str(_year(y, "annual_targets"))
                if x is None or x == "":
                    manual.pop(yy, None)
                else:
                    manual[yy] = _num(x, f"annual_targets.{yy}")
            out[k] = manual
        elif k == "tolerance":
            t = _num(v, "tolerance")
            if t is not None and not 0 <= t < 1:
                raise MonitorError(f"容差：{t:g} 无效，应为 0 到 1 之间的比例（0.1 表示 10%）")
            out[k] = t
        elif k == "aspirational":
            out[k] = str(v).lower() in ("1", "true", "yes", "是") if not isinstance(v, bool) else v
        else:
            out[k] = v if v != "" else None
    if not (out.get("name") or "").strip():
        raise MonitorError("指标名称不能为空")
    if out.get("target", {}).get("value") is not None and out.get("kind") == "qualitative":
        out["kind"] = "level"
    return out


def _validated_task(store: Store, body: dict, changes: dict) -> dict:
    unknown = set(changes) - _TASK_EDITABLE
    if unknown:
        raise MonitorError(f"不能修改：{L.fields(sorted(unknown))}（可修改的字段：{L.fields(sorted(_TASK_EDITABLE))}）")
    out = dict(body)
    for k, v in changes.items():
        if k in ("lead", "support"):
            items = v.split(",") if isinstance(v, str) else list(v or [])
            out[k] = [canonical_unit(store, u) for u in items if u and u.strip()]
        elif k == "deadline":
            if v in (None, ""):
                out[k] = None
            else:
                try:
                    out[k] = date.fromisoformat(str(v)).isoformat()
                except ValueError:
                    raise MonitorError(f"完成时限：{L.quoted(v)}不是日期，请按 2025-12-31 的格式填写") from None
        else:
            out[k] = v if v != "" else None
    if not (out.get("task") or "").strip():
        raise MonitorError("任务内容不能为空")
    return out


def edit_indicator(store: Store, user, indicator_id: int, changes: dict, *, expected_version: int | None = None,
                   note: str | None = None, now: datetime | None = None) -> Indicator:
    """Change fields of an entry (partial: `{"target": {"value": 80}}`); it becomes 'edited'.

    `expected_version` is the version the caller showed the user: if the
    entry moved on meanwhile, ConflictError and nothing is written.
    """
    return _edit(store, user, "indicator", indicator_id, changes, expected_version, note, now)  # type: ignore[return-value]


def edit_task(store: Store, user, task_id: int, changes: dict, *, expected_version: int | None = None,
              note: str | None = None, now: datetime | None = None) -> Task:
    return _edit(store, user, "task", task_id, changes, expected_version, note, now)  # type: ignore[return-value]


def _edit(store, user, kind, item_id, changes, expected_version, note, now) -> _Entry:
    e = _get(store, kind, item_id)
    _check_active(e)
    require(store, user, "edit", e, detail={"changes": changes})
    validate = _validated_indicator if kind == "indicator" else _validated_task
    body = validate(store, e.body, changes)
    after = _CLASS[kind](**{**e.__dict__, "body": body})
    if not user.is_admin and not _still_mine(user, after):
        # A department may not hand its entry to another unit (it could no longer edit it back).
        require(store, user, "edit", after, detail={"changes": changes, "reason": "修改后的责任单位不再包含本人所在单位"})
    with store._db.transaction():
        e = _get(store, kind, item_id)
        e.body = validate(store, e.body, changes)
        if e.review != "rejected":
            e.review = "edited"
        _write(store._db, kind, e, "edit", user.username, stamp(now), note, expected=expected_version, reviewed=True)
        audit.log(store, user, "edit", kind, e.id, detail={"version": e.version, "changes": changes, "note": note}, now=now)
    return e


def _still_mine(user, e: _Entry) -> bool:
    from .units import overlap

    return overlap(user.units, e.units)


def add_indicator(store: Store, user, fields: dict, *, now: datetime | None = None) -> Indicator:
    """An indicator an officer enters by hand (no source clause); key `manual:N`."""
    base = {"name": "", "unit": None, "kind": "level", "direction": "higher", "measure": None, "baseline": None,
            "target": {"year": None, "value": None, "value_max": None, "comparator": ">="}, "attribute": None,
            "scope": None, "aspirational": False, "units": [], "sources": [], "annual_targets": {}, "tolerance": None,
            "note": None, "doc": None}
    body = _validated_indicator(store, base, fields)
    if body["target"].get("value") is None:
        body["kind"] = "qualitative"
    draft = Indicator(0, "", "manual", "confirmed", None, body, None, None, 0, None, None, "", "")
    require(store, user, "edit", draft, detail={"add": fields})
    ts = stamp(now)
    with store._db.transaction():
        n = int(store._db.scalar("SELECT COUNT(*) FROM monitor_indicators WHERE origin = 'manual'") or 0)
        key = f"manual:{n + 1}"
        while store._db.one("SELECT 1 FROM monitor_indicators WHERE item_key = ?", (key,)) is not None:
            n += 1
            key = f"manual:{n + 1}"
        new_id = _insert(store._db, "indicator", key, "manual", body, None, user.username, ts, "add", "confirmed")
        audit.log(store, user, "add", "indicator", new_id, detail={"fields": fields}, now=now)
    return get_indicator(store, new_id)


def merge(store: Store, user, ids: list[int], *, into: int, note: str | None = None, now: datetime | None = None,
          kind: str = "indicator") -> _Entry:
    """Merge duplicates (the same indicator stated in several documents) into one entry.

    `into` keeps its fields and gains the others' citations and units (a
    task: lead and support units); the others become 'merged' (pointing to
    it) and their reported values (task reports) move to it.  Refused with ConflictError if two of them hold a value for the same year.
    """
    others = [int(i) for i in ids if int(i) != int(into)]
    if not others:
        raise MonitorError("合并：除保留的这一条外，请至少再填写一个要并入的编号")
    target = _get(store, kind, into)
    entries = [_get(store, kind, i) for i in others]
    for e in [target, *entries]:
        _check_active(e)
        if e.review == "rejected":
            raise MonitorError(f"{L.entry(e)}已被驳回，不能合并：请先确认它")
        require(store, user, "review", e, detail={"merge": others, "into": into})
    ts = stamp(now)
    db = store._db
    with db.transaction():
        target = _get(store, kind, into)
        entries = [_get(store, kind, i) for i in others]
        if kind == "indicator":
            have = {int(r[0]) for r in db.all("SELECT DISTINCT year FROM monitor_actuals WHERE indicator_id = ?", (target.id,))}
            for e in entries:
                years = {int(r[0]) for r in db.all("SELECT DISTINCT year FROM monitor_actuals WHERE indicator_id = ?", (e.id,))}
                clash = sorted(have & years)
                if clash:
                    raise ConflictError(f"不能合并：指标 {target.id} 和指标 {e.id} 都填报了 {'、'.join(map(str, clash))} 年的实际值，"
                                        "请先更正其中一个")
                have |= years
        sources = list(target.sources)
        fields = ("units",) if kind == "indicator" else ("lead", "support")
        joined = {f: list(target.body.get(f) or []) for f in fields}
        for e in entries:
            for s in e.sources:
                if not any(s.get("doc_ident") == t.get("doc_ident") and s.get("quote") == t.get("quote") for t in sources):
                    sources.append(s)
            for f in fields:
                joined[f] += [u for u in e.body.get(f) or [] if u not in joined[f]]
        if kind == "task":
            joined["support"] = [u for u in joined["support"] if u not in joined["lead"]]
        target.body = {**target.body, "sources": sources, **joined}
        if target.review == "suggested":
            target.review = "confirmed"
        _write(db, kind, target, "merge", user.username, ts, note or f"并入 {'、'.join(map(str, others))}", reviewed=True)
        for e in entries:
            e.review, e.merged_into = "merged", target.id
            _write(db, kind, e, "merged", user.username, ts, f"已并入 {target.id}", reviewed=True)
            if kind == "indicator":
                _move_actuals(db, e.id, target.id)
            else:
                _move_task_reports(db, e.id, target.id)
        audit.log(store, user, "merge", kind, target.id, detail={"merged": others, "note": note}, now=now)
    return _get(store, kind, target.id)


def _move_task_reports(db, src: int, dst: int) -> None:
    """The merged task's reports go after the kept task's own, renumbered (versions stay a sequence)."""
    top = int(db.scalar("SELECT MAX(version) FROM monitor_task_reports WHERE task_id = ?", (dst,)) or 0)
    for r in db.all("SELECT version FROM monitor_task_reports WHERE task_id = ? ORDER BY version", (src,)):
        top += 1
        db.execute("UPDATE monitor_task_reports SET task_id = ?, version = ? WHERE task_id = ? AND version = ?",
                   (dst, top, src, r["version"]))


def _move_actuals(db, src: int, dst: int) -> None:
    db.execute("UPDATE monitor_actuals SET indicator_id = ? WHERE indicator_id = ?", (dst, src))


@dataclass
class MergeCandidate:
    """Active indicators that look like one: same name (normalized), place, unit and target year."""

    key: str
    ids: list[int]
    values: list[Any]
    conflicting: bool  # the documents give different target values

    def to_dict(self) -> dict:
        return {"key": self.key, "ids": self.ids, "values": self.values, "conflicting": self.conflicting}


def merge_candidates(store: Store) -> list[MergeCandidate]:
    groups: dict[str, list[Indicator]] = defaultdict(list)
    for e in list_indicators(store):
        t = e.target
        if t.get("value") is None:
            continue
        key = f"{e.scope or ''}|{indicator_key(e.name)}|{e.unit or ''}|{t.get('year') or ''}"
        groups[key].append(e)
    out = []
    for key, es in groups.items():
        docs = {s.get("doc_ident") for e in es for s in e.sources if s.get("role") == "target"}
        if len(es) > 1 and len(docs) > 1:
            values = [e.target.get("value") for e in es]
            out.append(MergeCandidate(key, [e.id for e in es], values, len(set(values)) > 1))
    return out


# ------------------------------------------------------------------ tasks

def confirm_task(store: Store, user, task_id: int, **kw) -> Task:
    return confirm(store, user, task_id, kind="task", **kw)  # type: ignore[return-value]


def reject_task(store: Store, user, task_id: int, **kw) -> Task:
    return reject(store, user, task_id, kind="task", **kw)  # type: ignore[return-value]


def merge_tasks(store: Store, user, ids: list[int], *, into: int, **kw) -> Task:
    return merge(store, user, ids, into=into, kind="task", **kw)  # type: ignore[return-value]
