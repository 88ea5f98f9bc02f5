"""The audit log: who did what to which item, when, and whether it was allowed.

    log(store, user, "report_actual", "indicator", 12, detail={"year": 2023, "value": 5.1})
    log(store, user, "report_actual", "indicator", 12, outcome="refused", detail={...})
    audit_log(store, outcome="refused", limit=50)   # newest first

Rows are only ever added (table `monitor_audit`, migration 0006).  A refusal
is logged in its own transaction, never inside the write it refused, so the
rollback of that write cannot take the log entry with it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from ..store import Store
from .clock import stamp

OUTCOMES = ("ok", "refused", "failed")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str  # ISO 8601 UTC
    username: str | None
    action: str
    item_kind: str | None
    item_id: str | None
    outcome: str  # ok | refused | failed
    detail: dict

    def to_dict(self) -> dict:
        return asdict(self)


def _name(user: Any) -> str | None:
    if user is None:
        return None
    return user if isinstance(user, str) else getattr(user, "username", None)


def log(
    store: Store, user: Any, action: str, item_kind: str | None = None, item_id: Any = None, *,
    outcome: str = "ok", detail: dict | None = None, now: datetime | None = None,
) -> None:
    """Append one entry (in the caller's transaction if one is open, else in its own)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
    with store._db.transaction():
        store._db.execute(
            "INSERT INTO monitor_audit (logged_at, username, action, item_kind, item_id, outcome, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (stamp(now), _name(user), action, item_kind, None if item_id is None else str(item_id), outcome,
             json.dumps(detail or {}, ensure_ascii=False, separators=(",", ":"), default=str)),
        )


def audit_log(
    store: Store, *, user: Any = None, action: str | None = None, outcome: str | None = None,
    item_kind: str | None = None, item_id: Any = None, since: str | None = None, limit: int = 200, offset: int = 0,
) -> list[AuditEntry]:
    """Entries matching every filter given, newest first (`since`: ISO date or timestamp, inclusive)."""
    where, args = [], []
    for col, val in (("username", _name(user)), ("action", action), ("outcome", outcome), ("item_kind", item_kind)):
        if val is not None:
            where.append(f"{col} = ?")
            args.append(val)
    if item_id is not None:
        where.append("item_id = ?")
        args.append(str(item_id))
    if since is not None:
        where.append("logged_at >= ?")
        args.append(since)
    rows = store._db.all(
        "SELECT id, logged_at, username, action, item_kind, item_id, outcome, detail FROM monitor_audit"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY id DESC LIMIT ? OFFSET ?",
        (*args, int(limit), int(offset)),
    )
    return [
        AuditEntry(r["id"], r["logged_at"], r["username"], r["action"], r["item_kind"], r["item_id"], r["outcome"],
                   json.loads(r["detail"]))
        for r in rows
    ]
