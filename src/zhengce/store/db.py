"""Connections, transactions and migrations.

Everything that differs between SQL engines lives in a dialect object, so the
repository code (documents.py, refs.py) is written once with ``?`` parameters
and portable SQL.  Only SQLite is implemented; a PostgreSQL dialect would
provide the same members (``connect``, ``sql``, ``tokens``, ``BEGIN_WRITE``,
``has_table``, ``is_busy``).
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any


class SchemaError(RuntimeError):
    """The database was written by a newer zhengce, or a migration is malformed."""


def utc_now() -> str:
    # Timestamps are made here rather than by SQL so both backends store the same text.
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class SQLiteDialect:
    name = "sqlite"
    # IMMEDIATE takes the write lock up front: two writers then queue on
    # busy_timeout instead of both reading, and one failing at upgrade time.
    BEGIN_WRITE = "BEGIN IMMEDIATE"
    BEGIN_READ = "BEGIN"  # in WAL a read transaction is a consistent snapshot
    # AUTOINCREMENT so ids of deleted documents are never handed out again:
    # an id someone wrote down must not start meaning another document.
    tokens = {"ID_PK": "INTEGER PRIMARY KEY AUTOINCREMENT"}

    def connect(self, target: str | os.PathLike[str], timeout: float) -> sqlite3.Connection:
        # isolation_level=None: the module must not open transactions behind
        # our back (it would also commit before DDL); we issue BEGIN ourselves.
        # check_same_thread=False: the web app hands a connection between
        # worker threads; every user serialises access (one Store per request,
        # or the search engine's own lock), which sqlite3 permits.
        conn = sqlite3.connect(os.fspath(target), timeout=timeout, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        # Switching to WAL needs a moment of exclusive access; a second process
        # opening a brand-new file at the same time can see SQLITE_BUSY here
        # without the busy handler being consulted, so retry until the timeout.
        deadline = time.monotonic() + timeout
        while True:
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as e:
                if not self.is_busy(e) or time.monotonic() > deadline:
                    conn.close()
                    raise
                time.sleep(0.02)
        if mode.lower() != "wal" and os.fspath(target) != ":memory:":
            conn.close()
            raise sqlite3.OperationalError(f"{target}: could not enable WAL (journal_mode={mode})")
        conn.execute("PRAGMA foreign_keys = ON")  # off by default in SQLite; cascades depend on it
        conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: no corruption, only the last commit at risk on power loss
        return conn

    def sql(self, query: str) -> str:
        return query  # sqlite3 takes ``?`` natively; PostgreSQL would map to %s

    def has_table(self, db: Database, name: str) -> bool:
        return db.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)) is not None

    @staticmethod
    def is_busy(exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


class Database:
    """One connection plus the dialect that speaks to it."""

    def __init__(self, conn: Any, dialect: SQLiteDialect):
        self.conn = conn
        self.dialect = dialect
        self._depth = 0  # nested transaction() calls join the outer one

    def execute(self, query: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self.dialect.sql(query), params)

    def executemany(self, query: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(self.dialect.sql(query), rows)

    def all(self, query: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.execute(query, params).fetchall()

    def one(self, query: str, params: Sequence[Any] = ()) -> Any:
        return self.execute(query, params).fetchone()

    def scalar(self, query: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(query, params)
        return None if row is None else row[0]

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Database]:
        """All or nothing: any exception (even KeyboardInterrupt) rolls back."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self.execute(self.dialect.BEGIN_WRITE if write else self.dialect.BEGIN_READ)
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            self.execute("ROLLBACK")
            raise
        self._depth = 0
        self.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def open_sqlite(path: str | os.PathLike[str], timeout: float = 30.0) -> Database:
    if os.fspath(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    dialect = SQLiteDialect()
    return Database(dialect.connect(path, timeout), dialect)


# ---------------------------------------------------------------- migrations

@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


_MIGRATION_FILE = re.compile(r"^(\d{4})_(\w+)\.sql$")


def load_migrations() -> list[Migration]:
    """The numbered ``migrations/NNNN_name.sql`` files shipped with the package, in order."""
    found: dict[int, Migration] = {}
    for entry in resources.files(__package__).joinpath("migrations").iterdir():
        m = _MIGRATION_FILE.match(entry.name)
        if not m:
            continue
        version = int(m.group(1))
        if version in found:
            raise SchemaError(f"two migrations numbered {version}: {found[version].name}, {m.group(2)}")
        found[version] = Migration(version, m.group(2), entry.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def split_statements(script: str) -> list[str]:
    """Split a script on ``;`` outside quotes and ``--`` comments.

    Needed because sqlite3's executescript() commits first, which would put
    each migration outside our transaction.
    """
    out: list[str] = []
    buf: list[str] = []
    i, n = 0, len(script)
    while i < n:
        c = script[i]
        if c == "-" and script.startswith("--", i):
            j = script.find("\n", i)
            i = n if j == -1 else j  # drop the comment, keep the newline
            continue
        if c in "'\"":
            j = i + 1
            while j < n:
                if script[j] == c:
                    if j + 1 < n and script[j + 1] == c:  # doubled quote escapes itself
                        j += 2
                        continue
                    break
                j += 1
            buf.append(script[i : j + 1])
            i = j + 1
            continue
        if c == ";":
            stmt = "".join(buf).strip()
            if stmt:
                out.append(stmt)
            buf = []
        else:
            buf.append(c)
        i += 1
    tail = "".join(buf).strip()
    if tail:
        out.append(tail)
    return out


def render(sql: str, tokens: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in tokens:
            raise SchemaError(f"unknown migration token {{{{{m.group(1)}}}}}")
        return tokens[m.group(1)]

    return re.sub(r"\{\{(\w+)\}\}", sub, sql)


_CREATE_VERSIONS = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


def applied_versions(db: Database) -> set[int]:
    if not db.dialect.has_table(db, "schema_migrations"):
        return set()
    return {r[0] for r in db.all("SELECT version FROM schema_migrations")}


def migrate(db: Database, migrations: list[Migration] | None = None) -> list[int]:
    """Apply pending migrations; return the versions applied now (empty if none).

    All pending files run in one write transaction, so a failing migration
    leaves the database exactly at its previous version.  The applied set is
    read again under the write lock: two processes opening a new file at once
    must not both run 0001.
    """
    migrations = load_migrations() if migrations is None else migrations
    known = {m.version for m in migrations}
    done = applied_versions(db)  # cheap unlocked check: the usual case is "nothing to do"
    if done >= known:
        _refuse_newer(done, known)
        return []
    applied: list[int] = []
    with db.transaction():
        db.execute(_CREATE_VERSIONS)
        done = applied_versions(db)
        _refuse_newer(done, known)
        for m in migrations:
            if m.version in done:
                continue
            for stmt in split_statements(render(m.sql, db.dialect.tokens)):
                db.execute(stmt)
            db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (m.version, m.name, utc_now()),
            )
            applied.append(m.version)
    return applied


def _refuse_newer(done: set[int], known: set[int]) -> None:
    if done and known and max(done) > max(known):
        raise SchemaError(
            f"database schema is at version {max(done)}, this zhengce knows up to {max(known)}: upgrade zhengce"
        )
