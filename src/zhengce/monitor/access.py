"""Who may do what: `can(user, action, item)`, and `require(...)` which logs and raises a refusal.

| action   | admin | department                                  | viewer |
| -------- | ----- | ------------------------------------------- | ------ |
| view     | yes   | yes                                         | yes    |
| report   | yes   | items its units are responsible for         | no     |
| edit     | yes   | items its units are responsible for         | no     |
| review   | yes   | items its units are responsible for         | no     |
| seed     | yes   | no                                          | no     |
| users    | yes   | no                                          | no     |
| audit    | yes   | no                                          | no     |

"Responsible" means one of the user's units is among the item's units (an
indicator's `units`; a task's lead and support units), a bracketed unit
counting as each of its parts (省科技厅（省外国专家局）).  An item with no
responsible unit is written by admins only.  A disabled account may do
nothing.  Every refusal through `require` is written to the audit log
(outcome "refused") before AccessDenied is raised.
"""

from __future__ import annotations

from typing import Any

from . import audit
from .errors import AccessDenied
from .units import overlap

ACTIONS = ("view", "report", "edit", "review", "seed", "users", "audit")
_UNIT_ACTIONS = ("report", "edit", "review")


def can(user: Any, action: str, item: Any = None) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None or getattr(user, "disabled", True):
        return False
    if action == "view":
        return True
    if user.role == "admin":
        return True
    if user.role == "department" and action in _UNIT_ACTIONS and item is not None:
        return overlap(user.units, getattr(item, "units", []) or [])
    return False


def reason(user: Any, action: str, item: Any = None) -> str:
    """Why `can` says no, in one line."""
    if user is None:
        return f"{action}: no user (log in)"
    if user.disabled:
        return f"{action}: account {user.username} is disabled"
    what = f"{item.item_kind} {item.id}" if item is not None and getattr(item, "id", 0) else "this"
    if user.role == "viewer":
        return f"{user.username} (viewer) may not {action} {what}: read-only account"
    if action in _UNIT_ACTIONS and item is not None:
        units = getattr(item, "units", []) or []
        shown = "、".join(units) if units else "no unit (admins only)"
        return f"{user.username} ({'、'.join(user.units)}) may not {action} {what}: responsible {shown}"
    return f"{user.username} ({user.role}) may not {action}: admins only"


def require(store, user: Any, action: str, item: Any = None, *, item_kind: str | None = None,
            item_id: Any = None, detail: dict | None = None) -> None:
    """Raise AccessDenied (after logging the refusal) unless `can(user, action, item)`.

    Call it before opening the write transaction, so the log entry is not rolled back with it.
    """
    if can(user, action, item):
        return
    why = reason(user, action, item)
    kind = item_kind or getattr(item, "item_kind", None)
    ident = item_id if item_id is not None else (getattr(item, "id", None) or None)
    audit.log(store, user, action, kind, ident, outcome="refused", detail={**(detail or {}), "reason": why})
    raise AccessDenied(why)


def writable(user: Any, items: list) -> list:
    """The items of `items` the user may report on (for forms and templates)."""
    return [i for i in items if can(user, "report", i)]
