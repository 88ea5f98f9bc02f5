"""Connections, transactions and migrations.

Everything that differs between SQL engines lives in a dialect object, so the
repository code (documents.py, refs.py, search, match) is written once with
``?`` parameters and portable SQL.  Two dialects: SQLite (the embedded
default, one file) and PostgreSQL (psycopg 3, for multi-user deployments),
chosen by `open_database` from the target: a path or a ``postgresql://`` URL.

What a caller can rely on, on both engines:

- ``transaction()`` (write) runs alone: writers queue, and everything read
  inside sees every earlier commit, so check-then-write code (ingest's "same
  sha256 already stored", the indexer's re-check, migrations) needs no other
  locking.  ``transaction(lock="rows")`` is the finer PostgreSQL mode for
  read-modify-write of a few rows: lock them with ``select_for_update``.
- ``transaction(write=False)`` is one consistent snapshot.
- rows are indexable by position and by column name (``sqlite3.Row``-like).
- ``change_token()`` changes once another connection has committed a write.
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
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal


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
    tokens = {"ID_PK": "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB": "BLOB"}
    # BEGIN IMMEDIATE already holds the one write lock: nothing to add to a SELECT.
    FOR_UPDATE = ""

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
        return query  # sqlite3 takes ``?`` natively

    def begin(self, db: Database, write: bool, lock: str) -> None:
        # One writer at a time whatever `lock` says: SQLite has no row locks.
        db.execute(self.BEGIN_WRITE if write else self.BEGIN_READ)

    def before_commit(self, db: Database, write: bool, lock: str) -> None:
        pass  # data_version needs no help

    def change_token(self, db: Database) -> Any:
        # Changes whenever another connection commits to the file (not on our own writes).
        return db.scalar("PRAGMA data_version")

    def stream(self, db: Database, query: str, params: Sequence[Any]) -> Iterator[Any]:
        cur = db.conn.cursor()  # sqlite3 cursors step through the result lazily
        cur.row_factory = None  # plain tuples: cheaper than Row objects at a million rows
        return cur.execute(query, params)

    def has_table(self, db: Database, name: str) -> bool:
        return db.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)) is not None

    @staticmethod
    def is_busy(exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


# ------------------------------------------------------------------ PostgreSQL

URL_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(target: object) -> bool:
    """True for a PostgreSQL URL (the only kind of URL `open_database` takes)."""
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def display_target(target: str | os.PathLike[str]) -> str:
    """The target as it may be printed: a URL without its password."""
    text = os.fspath(target)
    return re.sub(r"^(postgres(?:ql)?://[^:/@]*):[^@/]*@", r"\1:***@", text) if is_database_url(text) else text


@lru_cache(maxsize=4096)
def _to_pyformat(query: str) -> str:
    """``?`` → ``%s``, literal ``%`` → ``%%``, ``LIKE`` → ``ILIKE``, outside quotes and comments.

    psycopg reads ``%`` as the start of a placeholder everywhere, inside
    string literals too, so every ``%`` of the text is doubled; ``?`` inside a
    literal stays a question mark.  LIKE becomes ILIKE because SQLite's LIKE
    ignores ASCII case and the two engines should find the same documents.
    (No E'' or $$ strings: the code base does not write them.)
    """
    out: list[str] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c in "'\"":
            j = i + 1
            while j < n:
                if query[j] == c:
                    if j + 1 < n and query[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            out.append(query[i : j + 1].replace("%", "%%"))
            i = j + 1
        elif c == "-" and query.startswith("--", i):
            j = query.find("\n", i)
            j = n if j == -1 else j
            out.append(query[i:j].replace("%", "%%"))
            i = j
        elif c == "/" and query.startswith("/*", i):
            j = query.find("*/", i + 2)
            j = n if j == -1 else j + 2
            out.append(query[i:j].replace("%", "%%"))
            i = j
        elif c == "?":
            out.append("%s")
            i += 1
        elif c == "%":
            out.append("%%")
            i += 1
        elif c in "lL" and query[i : i + 4].upper() == "LIKE" and not _word_char(query, i - 1) and not _word_char(query, i + 4):
            out.append("ILIKE")
            i += 4
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _word_char(s: str, i: int) -> bool:
    return 0 <= i < len(s) and (s[i].isalnum() or s[i] == "_")


class _PgRow(tuple):
    """A result row readable like ``sqlite3.Row``: ``r[0]``, ``r["title"]``, ``r.keys()``, ``dict(r)``."""

    __slots__ = ()
    _names: tuple[str, ...] = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            try:
                key = self._index[key]
            except KeyError:
                key = self._index.get(key.lower(), key)  # sqlite3.Row matches names case-insensitively
                if isinstance(key, str):
                    raise IndexError(f"no such column: {key}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


@lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type[_PgRow]:
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(name, i)  # a repeated name means its first column, as in sqlite3
        index.setdefault(name.lower(), i)
    return type("Row", (_PgRow,), {"__slots__": (), "_names": names, "_index": index})


def _pg_row_factory(cursor: Any) -> Any:
    desc = cursor.description
    if desc is None:
        return tuple
    return _row_class(tuple(d.name for d in desc))


# Key of the transaction-level advisory lock every write transaction takes
# (an arbitrary constant, "zhengce" in ASCII; advisory locks are per database).
WRITE_LOCK_KEY = 0x7A68656E676365


class PostgresDialect:
    """PostgreSQL through psycopg 3, behaving like the SQLite dialect where the code depends on it.

    Write transactions (``lock="database"``, the default) are READ COMMITTED
    plus a transaction-level advisory lock taken first: writers run one at a
    time, exactly like SQLite's BEGIN IMMEDIATE, and each statement after the
    lock sees every earlier commit.  Chosen over SERIALIZABLE + retry because
    the existing check-then-write code (ingest's sha256 check, the indexer,
    rule versions, migrations) then stays correct without retry loops, and
    because identity ids are then committed in increasing order, which the
    search engine's "rows with id > the last one I loaded" relies on.  Reads
    never wait for it.  ``lock="rows"`` skips the advisory lock for
    read-modify-write of a few rows under ``SELECT … FOR UPDATE``; such
    transactions must not write the document or search tables.

    Read transactions are REPEATABLE READ, READ ONLY: one snapshot, like a
    WAL read transaction.  The connection is in autocommit mode so that, as
    with sqlite3's isolation_level=None, nothing opens transactions behind our
    back and single statements outside ``transaction()`` commit at once.
    """

    name = "postgresql"
    BEGIN_WRITE = "BEGIN ISOLATION LEVEL READ COMMITTED"
    BEGIN_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
    # Identities are never reused (like AUTOINCREMENT); ALWAYS refuses a stray explicit id.
    tokens = {"ID_PK": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BLOB": "BYTEA"}
    FOR_UPDATE = " FOR UPDATE"

    def connect(self, target: str, timeout: float) -> Any:
        import psycopg

        conn = psycopg.connect(
            target, autocommit=True, row_factory=_pg_row_factory,
            connect_timeout=max(1, int(timeout)), application_name="zhengce",
        )
        # A writer waits this long for another writer's lock (SQLite's busy_timeout), then fails as busy.
        conn.execute(f"SET lock_timeout = {int(timeout * 1000)}")
        return conn

    def sql(self, query: str) -> str:
        return _to_pyformat(query)

    def begin(self, db: Database, write: bool, lock: str) -> None:
        if not write:
            db.execute(self.BEGIN_READ)
            return
        db.execute(self.BEGIN_WRITE)
        if lock == "database":
            try:
                db.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK_KEY,))
            except BaseException:
                db._rollback()  # e.g. lock_timeout: leave no aborted transaction behind
                raise

    def before_commit(self, db: Database, write: bool, lock: str) -> None:
        # The change counter (see change_token) moves with every serialised write.
        # Row-lock transactions leave it alone: bumping it would serialise them again.
        if write and lock == "database" and db._has_change_counter():
            db.execute("UPDATE store_changes SET n = n + 1 WHERE id = 1")

    def change_token(self, db: Database) -> Any:
        """The counter bumped by every write transaction (migration 0005).

        PostgreSQL has no PRAGMA data_version.  Statistics views lag and xid
        horizons move with every database on the server; a committed counter
        changes exactly when a write to this database commits.  Unlike
        data_version it moves on our own writes too: read it after them.
        """
        if not db._has_change_counter():
            return None
        return db.scalar("SELECT n FROM store_changes WHERE id = 1")

    def stream(self, db: Database, query: str, params: Sequence[Any]) -> Iterator[Any]:
        # A server-side cursor: rows come in batches instead of the whole result
        # landing in client memory.  Plain tuples: the callers index by position.
        from psycopg.rows import tuple_row

        db._streams += 1
        cur = db.conn.cursor(name=f"zhengce_stream_{db._streams}", row_factory=tuple_row, withhold=not db._depth)
        cur.itersize = 2000
        try:
            cur.execute(self.sql(query), params)
            yield from cur
        finally:
            cur.close()

    def has_table(self, db: Database, name: str) -> bool:
        return db.one(
            "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = ?", (name,)
        ) is not None

    @staticmethod
    def is_busy(exc: BaseException) -> bool:
        try:
            from psycopg import errors
        except ImportError:  # pragma: no cover
            return False
        return isinstance(exc, (errors.LockNotAvailable, errors.SerializationFailure, errors.DeadlockDetected))


Dialect = SQLiteDialect | PostgresDialect
LockMode = Literal["database", "rows"]


class Database:
    """One connection plus the dialect that speaks to it."""

    def __init__(self, conn: Any, dialect: Dialect):
        self.conn = conn
        self.dialect = dialect
        self._depth = 0  # nested transaction() calls join the outer one
        self._write = False  # what the outermost transaction is
        self._lock: str = "database"
        self._counter = False  # store_changes seen (cached once true: tables are never dropped)
        self._streams = 0

    def execute(self, query: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self.dialect.sql(query), params)

    def executemany(self, query: str, rows: Iterable[Sequence[Any]]) -> None:
        # Through a cursor: psycopg's connection has no executemany (its cursor pipelines the rows).
        cur = self.conn.cursor()
        try:
            cur.executemany(self.dialect.sql(query), rows)
        finally:
            cur.close()

    def all(self, query: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.execute(query, params).fetchall()

    def one(self, query: str, params: Sequence[Any] = ()) -> Any:
        return self.execute(query, params).fetchone()

    def scalar(self, query: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(query, params)
        return None if row is None else row[0]

    def stream(self, query: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        """Rows one at a time, as plain tuples, without holding the whole result in memory."""
        return self.dialect.stream(self, query, params)

    def select_for_update(self, query: str, params: Sequence[Any] = ()) -> list[Any]:
        """The rows of a SELECT, locked until the transaction ends (read-modify-write).

        PostgreSQL appends FOR UPDATE; SQLite's write transaction already
        holds the database's only write lock.  Use inside ``transaction()``.
        """
        if not self._depth or not self._write:
            raise RuntimeError("select_for_update outside a write transaction locks nothing")
        return self.all(query + self.dialect.FOR_UPDATE, params)

    def change_token(self) -> Any:
        """A value that changes once another connection has committed a write.

        Cheap (one tiny query): the search engine compares it before every
        query to decide whether to look for new or deleted documents.  It
        may change without a relevant write (SQLite counts any commit,
        PostgreSQL also counts our own), never the other way round.
        """
        return self.dialect.change_token(self)

    def _has_change_counter(self) -> bool:
        if not self._counter:
            self._counter = self.dialect.has_table(self, "store_changes")
        return self._counter

    @contextmanager
    def transaction(self, write: bool = True, *, lock: LockMode = "database") -> Iterator[Database]:
        """All or nothing: any exception (even KeyboardInterrupt) rolls back.

        A write transaction runs alone among writers (see the module doc).
        ``lock="rows"`` only differs on PostgreSQL: no database-wide writer
        lock, the transaction locks what it updates with `select_for_update`.
        A nested call joins the outer transaction; a write inside a read
        transaction (PostgreSQL's read snapshot is READ ONLY), or a
        database-lock one inside a rows-lock one (it would run without the
        writer lock), is refused on both engines.
        """
        if lock not in ("database", "rows"):
            raise ValueError(f"lock must be 'database' or 'rows', not {lock!r}")
        if self._depth:
            # Refused on both engines although SQLite would cope, so the SQLite tests catch it.
            if write and not self._write:
                raise RuntimeError("a write transaction cannot be nested in a read transaction")
            if write and lock == "database" and self._lock == "rows":
                raise RuntimeError("a database-lock transaction cannot be nested in a rows-lock transaction")
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self.dialect.begin(self, write, lock)
        self._depth, self._write, self._lock = 1, write, lock
        try:
            yield self
            self.dialect.before_commit(self, write, lock)
        except BaseException:
            self._depth = 0
            self._rollback()
            raise
        self._depth = 0
        self.execute("COMMIT")

    def _rollback(self) -> None:
        try:
            self.execute("ROLLBACK")
        except Exception:
            # A PostgreSQL connection lost mid-transaction cannot roll back, and
            # need not: the server discards the transaction.  The original error matters more.
            if not (getattr(self.conn, "broken", False) or getattr(self.conn, "closed", False)):
                raise

    def close(self) -> None:
        self.conn.close()


def open_sqlite(path: str | os.PathLike[str], timeout: float = 30.0) -> Database:
    if os.fspath(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    dialect = SQLiteDialect()
    return Database(dialect.connect(path, timeout), dialect)


def open_postgres(url: str, timeout: float = 30.0) -> Database:
    dialect = PostgresDialect()
    return Database(dialect.connect(url, timeout), dialect)


def open_database(target: str | os.PathLike[str], timeout: float = 30.0) -> Database:
    """A ``postgresql://`` URL opens PostgreSQL; anything else is a SQLite file path."""
    if is_database_url(target):
        return open_postgres(str(target), timeout)
    return open_sqlite(target, timeout)


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


def migrate(db: Database, migrations: list[Migration] | None = None, after: dict | None = None) -> list[int]:
    """Apply pending migrations; return the versions applied now (empty if none).

    `after` maps a version to a function of the database run right after that
    version's SQL, in the same transaction (data a SQL script cannot compute).

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
            if after and m.version in after:
                after[m.version](db)
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
