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
from . import labels as L
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
    """Why `can` says no, in one line of plain Chinese (it is shown to the user and kept in the audit log)."""
    verb = L.ACTIONS.get(action, action)
    if user is None:
        return f"无权{verb}：尚未登录，请先登录"
    if user.disabled:
        return f"无权{verb}：账号 {user.username} 已停用"
    what = L.entry(item) if item is not None and getattr(item, "id", 0) else ""
    if user.role == "viewer":
        return f"无权{verb}{what}：{user.username} 是只读账号，只能查看"
    if action in _UNIT_ACTIONS and item is not None:
        units = getattr(item, "units", []) or []
        what = what or L.KINDS.get(getattr(item, "item_kind", ""), "该条目")
        if not units:
            return f"无权{verb}：{what}没有明确的责任单位，仅管理员可以{verb}"
        mine = "、".join(user.units) or "（无单位）"
        return f"无权{verb}：{what}的责任单位是 {'、'.join(units)}，你属于 {mine}"
    return f"无权{verb}：仅管理员可以{verb}（{user.username} 是{L.ROLES.get(user.role, user.role)}）"


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
