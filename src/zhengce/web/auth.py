"""Who is asking: the session cookie (pages, and the API from a browser) or an API token (Bearer).

- Pages: the cookie ``zhengce_session`` (HttpOnly, SameSite=Lax; the server
  keeps only the token's SHA-256 — zhengce.monitor.users).  Every monitoring
  page requires a login; without one the browser is sent to /login?next=….
  Every state-changing form POST carries the session's CSRF token in the hidden
  field ``csrf_token``; a POST without it (or with another session's) is
  refused with 403 and nothing is done.
- API: ``Authorization: Bearer <token>`` (create_api_token; no CSRF needed: a
  browser never sends it by itself), or the session cookie plus the header
  ``X-CSRF-Token`` for unsafe methods.  No credentials → 401 ``unauthorized``;
  a refused action → 403 ``forbidden`` (and in the audit log).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from .. import monitor as m
from ..store import Store
from .deps import get_store
from .errors import ApiError

COOKIE = "zhengce_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class LoginRequired(Exception):
    """A page needs a logged-in user: redirect to /login (pages) or 401 (API)."""

    def __init__(self, message: str = "请先登录"):
        super().__init__(message)
        self.message = message


def _bearer(request: Request) -> str | None:
    h = request.headers.get("authorization", "")
    if h[:7].lower() == "bearer ":
        return h[7:].strip() or None
    return None


def session_of(request: Request, store: Store) -> m.Session | None:
    """The live session (or API token) of this request, else None; remembered on request.state."""
    if "session" in request.state._state:
        return request.state.session
    token = _bearer(request) or request.cookies.get(COOKIE)
    session = None
    if token:
        try:
            session = m.verify_session(store, token)
        except m.AuthError as e:
            request.state.auth_error = str(e)
    request.state.session = session
    request.state.user = session.user if session else None
    request.state.csrf = session.csrf_token if session else None
    return session


def page_user(request: Request, store: Annotated[Store, Depends(get_store)]) -> m.User:
    """Dependency of the monitoring pages: the logged-in user, else a redirect to the login page."""
    session = session_of(request, store)
    if session is None or session.kind != "session":
        raise LoginRequired(request.state._state.get("auth_error") or "请先登录")
    return session.user


def check_form(request: Request, store: Store, csrf: str | None) -> None:
    """Refuse a form POST whose CSRF token is not this session's (403, nothing done)."""
    token = request.cookies.get(COOKIE)
    if not token or not m.check_csrf(store, token, csrf):
        raise ApiError("forbidden", "表单已失效或来源不明（CSRF 校验失败）：请刷新页面后重试。")


def api_user(request: Request, store: Annotated[Store, Depends(get_store)]) -> m.User:
    """Dependency of the monitoring API: Bearer token, or cookie (+ X-CSRF-Token on unsafe methods)."""
    session = session_of(request, store)
    if session is None:
        why = request.state._state.get("auth_error") or "尚未登录，请先登录"
        raise ApiError("unauthorized", f"{why}（API 请求请带上 Authorization: Bearer <API 令牌>）")
    if _bearer(request) is None and request.method not in ("GET", "HEAD", "OPTIONS"):
        if not m.check_csrf(store, request.cookies.get(COOKIE, ""), request.headers.get(CSRF_HEADER)):
            raise ApiError("forbidden", f"CSRF 校验失败：请在请求头 {CSRF_HEADER} 中带上本次登录的 CSRF 令牌")
    return session.user


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")


def safe_next(target: str | None) -> str:
    """Only local paths: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/monitor"
    return target


PageUser = Annotated[m.User, Depends(page_user)]
ApiUser = Annotated[m.User, Depends(api_user)]


# ------------------------------------------------------------------ writes to the library (文库, 政策直达)

WRITER_ROLES = ("admin", "department")
LOGIN_HINT = "请先登录（/login）：账号建立后，导入、删除文件和保存审核、档案需要管理员或部门账号"


def accounts_exist(store: Store) -> bool:
    """Whether any account exists: before the first one (a fresh local demo) the library stays open."""
    return store._db.scalar("SELECT 1 FROM monitor_users LIMIT 1") is not None


def write_access(request: Request, store: Store) -> dict:
    """What a page needs to show or hide its write forms: open (no accounts), allowed, csrf, login link."""
    if not accounts_exist(store):
        return {"open": True, "allowed": True, "csrf": None, "login": None}
    session = session_of(request, store)
    user = session.user if session else None
    return {"open": False, "allowed": bool(user and user.role in WRITER_ROLES), "csrf": request.state.csrf,
            "login": login_url(request), "user": user}


def library_writer(request: Request, store: Store, action: str, item_kind: str, item_id=None, *,
                   csrf: str | None = None) -> m.User | None:
    """Who may change the library, or a refusal (logged in the audit log).

    While no account exists: None (open, as a fresh `make run`).  Once one
    does: a session cookie with its CSRF token (form field or X-CSRF-Token)
    or a Bearer API token, of an admin or department account; else 401
    ``unauthorized`` (not logged in) or 403 ``forbidden`` (CSRF, viewer).
    """
    if not accounts_exist(store):
        return None
    session = session_of(request, store)
    where = {"path": request.url.path, "method": request.method}

    def refuse(user, code: str, why: str, message: str):
        m.audit.log(store, user, action, item_kind, item_id, outcome="refused", detail=where | {"reason": why})
        raise ApiError(code, message)

    if session is None:
        why = request.state._state.get("auth_error") or "尚未登录"
        refuse(None, "unauthorized", why, f"{LOGIN_HINT}（{why}）；API: Authorization: Bearer <API token>")
    user = session.user
    if _bearer(request) is None:
        given = csrf or request.headers.get(CSRF_HEADER)
        if not m.check_csrf(store, request.cookies.get(COOKIE, ""), given):
            refuse(user, "forbidden", "CSRF check failed",
                   f"表单已失效或来源不明（CSRF 校验失败）：请刷新页面后重试；API 调用请在 {CSRF_HEADER} 中发送令牌。")
    if user.role not in WRITER_ROLES:
        refuse(user, "forbidden", f"{user.username} ({user.role}) may not {action}: read-only account",
               f"{user.username} 是只读账号，不能{_ACTION_WORDS.get(action, action)}（已记入审计日志）。")
    return user


def may_delete(store: Store, user: m.User | None, doc) -> None:
    """Admins delete anything; a department only sources uploaded by an account sharing one of its units
    (files the operator ingested are the admins'); refusals are audited.  None: open, no account yet."""
    if user is None or user.is_admin:
        return
    uploader = store.uploader_of(doc)
    theirs = False
    if uploader:
        try:
            theirs = uploader == user.username or bool(set(m.get_user(store, uploader).units) & set(user.units))
        except m.NotFound:
            theirs = False
    if not theirs:
        m.audit.log(store, user, "library_delete", "document", doc, outcome="refused",
                    detail={"reason": "not uploaded by the unit", "uploader": uploader or "operator"})
        raise ApiError("forbidden", f"{user.username} 只能删除本单位上传的文件（此文件由{uploader or '管理员导入'}），请联系管理员。")


_ACTION_WORDS = {"library_upload": "导入文件", "library_delete": "删除文件", "rule_review": "审核规则",
                 "rule_withdraw": "撤回规则审核", "profile_save": "保存档案", "profile_delete": "删除档案",
                 "match_batch": "批量匹配企业名单"}
