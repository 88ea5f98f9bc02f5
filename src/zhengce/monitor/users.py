"""Accounts, passwords, sessions and API tokens.

    add_user(store, "gxt", "s3cret!", role="department", units=["省工信厅"], by=admin)
    user = authenticate(store, "gxt", "s3cret!")          # AuthError if wrong / disabled
    s = create_session(store, user)                         # s.token (give to the browser), s.csrf_token
    user = verify_session(store, s.token)                   # AuthError once expired, revoked or disabled
    check_csrf(store, s.token, form_csrf)                   # True only for this session's token
    revoke_session(store, s.token); expire_sessions(store)  # logout; housekeeping

Roles: ``admin`` (everything), ``department`` (belongs to one or more units;
reports and edits what its units are responsible for, reads the rest),
``viewer`` (reads).  Passwords are hashed with scrypt (hashlib, N=2**17, r=8,
p=1, a 16-byte random salt; the parameters are stored with the hash so they
can be raised later).  Tokens are 256-bit random strings; the database keeps
only their SHA-256, so a copy of it does not let anyone log in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import secrets
from functools import lru_cache
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..store import Store
from . import audit
from . import labels as L
from .clock import now_utc, stamp
from .errors import AccessDenied, AuthError, MonitorError, NotFound
from .units import canonical_unit

ROLES = ("admin", "department", "viewer")
SESSION_TTL = timedelta(hours=8)
API_TOKEN_TTL = timedelta(days=90)
MIN_PASSWORD = 12

# scrypt cost: OWASP's recommendation for password storage (N=2**17, r=8, p=1: 128 MiB and
# ~0.4 s per hash on one core here).  The parameters are stored with each hash, so raising
# them later leaves old hashes verifiable.  The test suite lowers N (tests/conftest.py) to
# stay fast; nothing else should.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2**17, 8, 1, 32
_SCRYPT_MAXMEM = 2**28  # above 128 * r * N bytes, which hashlib otherwise refuses


def _hash_slots() -> int:
    try:
        return max(1, int(os.environ.get("ZHENGCE_HASH_WORKERS", "1")))
    except ValueError:
        return 1


# Each hash takes 128 MiB for a moment: at most ZHENGCE_HASH_WORKERS (default 1) run at once, the
# others wait their turn, so a burst of logins (32 wrong passwords at once) cannot exhaust memory.
HASH_SLOTS = threading.BoundedSemaphore(_hash_slots())


def _scrypt(password: bytes, *, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    if 128 * r * n > _SCRYPT_MAXMEM:  # a stored hash asking for more memory than we allow
        raise ValueError("scrypt parameters above the memory cap")
    with HASH_SLOTS:
        return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=_SCRYPT_MAXMEM)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    units: tuple[str, ...] = ()
    display_name: str | None = None
    disabled: bool = False
    created_at: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and not self.disabled

    def to_dict(self) -> dict:
        return {"id": self.id, "username": self.username, "display_name": self.display_name, "role": self.role,
                "units": list(self.units), "disabled": self.disabled, "created_at": self.created_at}


@dataclass(frozen=True)
class Session:
    token: str  # the secret: only the caller sees it; the database has its hash
    user: User
    kind: str  # session | api
    csrf_token: str | None
    created_at: str
    expires_at: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "user": self.user.to_dict(), "csrf_token": self.csrf_token,
                "created_at": self.created_at, "expires_at": self.expires_at}


# ------------------------------------------------------------------ passwords

def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def hash_password(password: str, *, n: int | None = None, r: int | None = None, p: int | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64), a fresh salt each time."""
    n, r, p = n or SCRYPT_N, r or SCRYPT_R, p or SCRYPT_P
    salt = secrets.token_bytes(16)
    digest = _scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=SCRYPT_LEN)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """True when `password` hashes to `encoded`; compared in constant time.  Malformed → False."""
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = _scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                      dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


_DUMMY_HASH: str | None = None


def _burn(password: str) -> None:
    """Spend the time of one verification, so an unknown user name takes as long as a wrong password."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not a password")
    verify_password(password, _DUMMY_HASH)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from importlib import resources

    text = resources.files("zhengce.data").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(x.strip().lower() for x in text.splitlines() if x.strip() and not x.startswith("#"))


def check_password_strength(password: str, username: str | None = None) -> None:
    """At least MIN_PASSWORD characters, and not guessable: no common password, no single repeated
    character or counting run (111111111111, 123456789012), not the user name."""
    if len(password) < MIN_PASSWORD:
        raise MonitorError(f"密码至少 {MIN_PASSWORD} 个字符（现为 {len(password)} 个）")
    low = password.lower()
    digits = "01234567890123456789"
    if low in _common_passwords() or len(set(low)) <= 2 or low in digits or low in "abcdefghijklmnopqrstuvwxyz":
        raise MonitorError("密码太常见、太简单，容易被猜中：请换一个（可用几个词加数字组成）")
    if username and username.lower() in low:
        raise MonitorError("密码不能包含用户名")


# ---------------------------------------------------------------- accounts

def _require_admin(store: Store, by: User | None, action: str, target: str) -> None:
    """`by` None means the local operator bootstrapping (only allowed while no admin exists)."""
    if by is None:
        if count_admins(store) == 0:
            return
        audit.log(store, None, action, "user", target, outcome="refused", detail={"reason": "no acting user"})
        raise AccessDenied(f"无权{L.ACTIONS.get(action, action)}（{target}）：系统已有管理员账号，请以管理员身份操作")
    if not by.is_admin:
        audit.log(store, by, action, "user", target, outcome="refused", detail={"reason": f"role {by.role}"})
        raise AccessDenied(f"无权{L.ACTIONS.get(action, action)}（{target}）：{by.username} 不是管理员，仅管理员可以管理账号")


def count_admins(store: Store) -> int:
    return int(store._db.scalar("SELECT COUNT(*) FROM monitor_users WHERE role = 'admin' AND disabled = 0") or 0)


def add_user(
    store: Store, username: str, password: str, *, role: str, units: list[str] | tuple[str, ...] = (),
    display_name: str | None = None, by: User | None = None, now: datetime | None = None,
) -> User:
    """Create an account.  `by` must be an admin — or None while no admin exists (the first admin)."""
    username = (username or "").strip()
    if not username or any(c.isspace() for c in username):
        raise MonitorError(f"用户名{L.quoted(username)}无效：不能为空，也不能含空格")
    if role not in ROLES:
        raise MonitorError(f"角色{L.quoted(role)}无效：应为 {'、'.join(f'{L.ROLES[r]}（{r}）' for r in ROLES)} 之一")
    if by is None and count_admins(store) == 0 and role != "admin":
        raise MonitorError("第一个账号必须是管理员")
    _require_admin(store, by, "user_add", username)
    canon = sorted({canonical_unit(store, u) for u in units if u and u.strip()})
    if role == "department" and not canon:
        raise MonitorError("部门用户至少要属于一个单位（请填写单位）")
    if role != "department" and canon:
        raise MonitorError(f"只有部门用户才属于单位，{L.ROLES.get(role, role)}不填单位")
    check_password_strength(password, username)
    hashed = hash_password(password)
    db = store._db
    ts = stamp(now)
    with db.transaction():
        # Checked again under the write lock: parallel first-run requests (/setup) must not each
        # create a first admin (the check above ran before the lock).
        if by is None and db.scalar("SELECT COUNT(*) FROM monitor_users WHERE role = 'admin'"):
            raise AccessDenied(f"无权{L.ACTIONS.get('user_add', 'user_add')}（{username}）：系统已有管理员账号，请以管理员身份操作")
        if db.one("SELECT 1 FROM monitor_users WHERE username = ?", (username,)) is not None:
            raise MonitorError(f"用户名{L.quoted(username)}已存在")
        uid = db.one(
            "INSERT INTO monitor_users (username, display_name, role, password_hash, disabled, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 0, ?, ?) RETURNING id",
            (username, display_name, role, hashed, ts, ts),
        )[0]
        db.executemany("INSERT INTO monitor_user_units (user_id, unit) VALUES (?, ?)", [(uid, u) for u in canon])
        audit.log(store, by or username, "user_add", "user", username, detail={"role": role, "units": canon}, now=now)
    return get_user(store, username)


def _load(store: Store, where: str, arg) -> User | None:
    row = store._db.one(
        f"SELECT id, username, display_name, role, disabled, created_at FROM monitor_users WHERE {where}", (arg,))
    if row is None:
        return None
    units = tuple(r[0] for r in store._db.all(
        "SELECT unit FROM monitor_user_units WHERE user_id = ? ORDER BY unit", (row["id"],)))
    return User(row["id"], row["username"], row["role"], units, row["display_name"], bool(row["disabled"]), row["created_at"])


def get_user(store: Store, ref: str | int) -> User:
    """By user name (or id)."""
    user = _load(store, "id = ?", ref) if isinstance(ref, int) else _load(store, "username = ?", ref)
    if user is None:
        raise NotFound(f"没有用户{L.quoted(ref)}")
    return user


def list_users(store: Store) -> list[User]:
    names = [r[0] for r in store._db.all("SELECT username FROM monitor_users ORDER BY username")]
    return [get_user(store, n) for n in names]


def _update(store: Store, by: User | None, username: str, action: str, sets: str, args: tuple,
            detail: dict, now: datetime | None) -> User:
    _require_admin(store, by, action, username)
    user = get_user(store, username)
    with store._db.transaction():
        store._db.execute(f"UPDATE monitor_users SET {sets}, updated_at = ? WHERE id = ?", (*args, stamp(now), user.id))
        audit.log(store, by, action, "user", username, detail=detail, now=now)
    return get_user(store, username)


def disable_user(store: Store, username: str, *, by: User | None, now: datetime | None = None) -> User:
    """Disable an account and end its sessions and tokens (the row stays: the audit log names it)."""
    _require_admin(store, by, "user_disable", username)
    user = get_user(store, username)
    if user.is_admin and count_admins(store) == 1:
        raise MonitorError(f"{username} 是最后一个管理员，不能停用：请先添加另一个管理员")
    with store._db.transaction():
        store._db.execute("UPDATE monitor_users SET disabled = 1, updated_at = ? WHERE id = ?", (stamp(now), user.id))
        store._db.execute("UPDATE monitor_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                          (stamp(now), user.id))
        audit.log(store, by, "user_disable", "user", username, now=now)
    return get_user(store, username)


def enable_user(store: Store, username: str, *, by: User | None, now: datetime | None = None) -> User:
    return _update(store, by, username, "user_enable", "disabled = 0", (), {}, now)


def set_password(store: Store, username: str, password: str, *, by: User | None, now: datetime | None = None,
                 current: str | None = None) -> User:
    """An admin sets anyone else's password; a user changes their own only with the current one."""
    check_password_strength(password, username)
    target = get_user(store, username)
    if by is not None and by.id == target.id and not by.disabled:
        row = store._db.one("SELECT password_hash FROM monitor_users WHERE id = ?", (target.id,))
        if current is None or not verify_password(current, row["password_hash"]):
            audit.log(store, by, "password_change", "user", username, outcome="refused", detail={"reason": "当前密码不对"}, now=now)
            raise AuthError("当前密码不对：修改自己的密码要先输入当前密码")
        with store._db.transaction():
            store._db.execute("UPDATE monitor_users SET password_hash = ?, updated_at = ? WHERE id = ?",
                              (hash_password(password), stamp(now), target.id))
            audit.log(store, by, "password_change", "user", username, now=now)
        return get_user(store, username)
    return _update(store, by, username, "password_change", "password_hash = ?", (hash_password(password),), {}, now)


def set_units(store: Store, username: str, units: list[str], *, by: User | None, now: datetime | None = None) -> User:
    _require_admin(store, by, "user_units", username)
    user = get_user(store, username)
    canon = sorted({canonical_unit(store, u) for u in units if u and u.strip()})
    if user.role == "department" and not canon:
        raise MonitorError("部门用户至少要属于一个单位")
    with store._db.transaction():
        store._db.execute("DELETE FROM monitor_user_units WHERE user_id = ?", (user.id,))
        store._db.executemany("INSERT INTO monitor_user_units (user_id, unit) VALUES (?, ?)", [(user.id, u) for u in canon])
        audit.log(store, by, "user_units", "user", username, detail={"units": canon}, now=now)
    return get_user(store, username)


# Login throttling: after this many wrong logins within the window an account (or an address)
# is locked until the window has passed since the last one; the audit log is the record.
LOGIN_WINDOW = timedelta(minutes=15)
MAX_ACCOUNT_FAILURES = 5
MAX_ADDRESS_FAILURES = 20


class LoginLocked(AuthError):
    """Too many wrong logins lately, for the account or from the address."""


def _failures(store: Store, username: str, address: str | None, now: datetime | None) -> tuple[int, int]:
    db = store._db
    since = stamp(now_utc(now) - LOGIN_WINDOW)
    last_ok = db.scalar("SELECT MAX(logged_at) FROM monitor_audit WHERE action = 'login' AND outcome = 'ok' AND item_id = ?",
                        (username,)) or ""
    account = db.scalar("SELECT COUNT(*) FROM monitor_audit WHERE action = 'login' AND outcome = 'refused'"
                        " AND item_id = ? AND logged_at > ?", (username, max(since, last_ok)))
    by_address = 0
    if address:
        pattern = '%"address":' + json.dumps(address) + "%"
        by_address = db.scalar("SELECT COUNT(*) FROM monitor_audit WHERE action = 'login' AND outcome = 'refused'"
                               " AND logged_at > ? AND detail LIKE ?", (since, pattern))
    return int(account or 0), int(by_address or 0)


def authenticate(store: Store, username: str, password: str, *, now: datetime | None = None,
                 address: str | None = None) -> User:
    """The user, if the password is right and the account enabled; else AuthError (logged either way).

    After MAX_ACCOUNT_FAILURES wrong logins for the account, or MAX_ADDRESS_FAILURES from one
    address, within LOGIN_WINDOW, LoginLocked is raised without looking at the password."""
    where = {"address": address} if address else {}
    account, by_address = _failures(store, username, address, now)
    if account >= MAX_ACCOUNT_FAILURES or by_address >= MAX_ADDRESS_FAILURES:
        audit.log(store, username, "login", "user", username, outcome="refused", detail={**where, "reason": "locked"}, now=now)
        minutes = int(LOGIN_WINDOW.total_seconds() // 60)
        raise LoginLocked(f"登录失败次数过多，账号暂时锁定：请 {minutes} 分钟后再试，或请管理员协助")
    row = store._db.one("SELECT password_hash FROM monitor_users WHERE username = ?", (username,))
    if row is None:
        _burn(password)
        ok = False
    else:
        ok = verify_password(password, row["password_hash"])
    user = _load(store, "username = ?", username) if ok else None
    if user is None or user.disabled:
        reason = "disabled" if user is not None else "bad credentials"
        audit.log(store, username, "login", "user", username, outcome="refused", detail={**where, "reason": reason}, now=now)
        raise AuthError("用户名或密码错误" if user is None else f"账号 {username} 已停用")
    audit.log(store, user, "login", "user", username, now=now)
    return user


# ------------------------------------------------------------ sessions/tokens

def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(
    store: Store, user: User, *, ttl: timedelta = SESSION_TTL, kind: str = "session", label: str | None = None,
    now: datetime | None = None,
) -> Session:
    """A new session (with its CSRF token) or, kind="api", an API token without one."""
    if kind not in ("session", "api"):
        raise MonitorError(f"会话类型{L.quoted(kind)}无效：应为 session 或 api")
    if user.disabled:
        raise AuthError(f"账号 {user.username} 已停用")
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32) if kind == "session" else None
    start = now_utc(now)
    created, expires = stamp(start), stamp(start + ttl)
    with store._db.transaction():
        store._db.execute(
            "INSERT INTO monitor_sessions (token_hash, user_id, kind, label, csrf_token, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_hash_token(token), user.id, kind, label, csrf, created, expires),
        )
        audit.log(store, user, "session_create" if kind == "session" else "token_create", "user", user.username,
                  detail={"expires_at": expires, "label": label}, now=now)
    return Session(token, user, kind, csrf, created, expires)


def create_api_token(store: Store, user: User, label: str, *, ttl: timedelta = API_TOKEN_TTL,
                     now: datetime | None = None) -> Session:
    return create_session(store, user, ttl=ttl, kind="api", label=label, now=now)


def _session_row(store: Store, token: str):
    return store._db.one(
        "SELECT token_hash, user_id, kind, csrf_token, created_at, expires_at, revoked_at FROM monitor_sessions"
        " WHERE token_hash = ?", (_hash_token(token or ""),))


def verify_session(store: Store, token: str, *, now: datetime | None = None, touch: bool = False) -> Session:
    """The live session for `token` (its user reloaded); AuthError when unknown, expired, revoked or disabled."""
    row = _session_row(store, token)
    if row is None:
        raise AuthError("尚未登录，请先登录")
    if row["revoked_at"] is not None:
        raise AuthError("已退出登录，请重新登录")
    if row["expires_at"] <= stamp(now):
        raise AuthError("登录已过期，请重新登录")
    user = get_user(store, int(row["user_id"]))
    if user.disabled:
        raise AuthError(f"账号 {user.username} 已停用")
    if touch:
        with store._db.transaction():
            store._db.execute("UPDATE monitor_sessions SET last_seen_at = ? WHERE token_hash = ?",
                              (stamp(now), row["token_hash"]))
    return Session(token, user, row["kind"], row["csrf_token"], row["created_at"], row["expires_at"])


def check_csrf(store: Store, token: str, csrf_token: str | None, *, now: datetime | None = None) -> bool:
    """True when `csrf_token` is the one issued with this live session (constant-time compare)."""
    try:
        session = verify_session(store, token, now=now)
    except AuthError:
        return False
    return bool(session.csrf_token and csrf_token) and hmac.compare_digest(session.csrf_token, csrf_token or "")


def revoke_session(store: Store, token: str, *, now: datetime | None = None) -> bool:
    """Log out / withdraw a token; False if it was unknown or already ended."""
    row = _session_row(store, token)
    if row is None or row["revoked_at"] is not None:
        return False
    with store._db.transaction():
        store._db.execute("UPDATE monitor_sessions SET revoked_at = ? WHERE token_hash = ?", (stamp(now), row["token_hash"]))
        user = get_user(store, int(row["user_id"]))
        audit.log(store, user, "session_revoke", "user", user.username, detail={"kind": row["kind"]}, now=now)
    return True


def expire_sessions(store: Store, *, now: datetime | None = None) -> int:
    """Delete sessions and tokens that expired or were revoked; returns how many."""
    with store._db.transaction():
        cur = store._db.execute(
            "DELETE FROM monitor_sessions WHERE expires_at <= ? OR revoked_at IS NOT NULL", (stamp(now),))
        return cur.rowcount or 0
