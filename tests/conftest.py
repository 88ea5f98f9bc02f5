from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import settings

# The same examples on every run: CI stays deterministic; run with
# --hypothesis-profile=explore to search new ones.
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=500)
settings.load_profile("ci")

# Password hashing at the production cost (scrypt N=2**17, ~0.4 s) would make every test that
# creates an account slow; the suite uses a lower cost.  test_password_hashing checks the real one.
import zhengce.monitor.users as _users  # noqa: E402

_users.SCRYPT_N = 2**12

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "jilin"


def corpus_file(prefix: str) -> Path:
    return next(CORPUS.glob(f"{prefix}_*.txt"))


@lru_cache(maxsize=None)
def parsed(prefix: str):
    """(restored, documents) for a bundled corpus file, parsed once per test session."""
    from zhengce.read import read_file
    from zhengce.restore import restore
    from zhengce.structure import structure

    (source,) = read_file(corpus_file(prefix))
    restored = restore(source)
    return restored, structure(restored)


@pytest.fixture
def corpus():
    return parsed


@pytest.fixture(scope="session")
def ingested_corpus_db(tmp_path_factory) -> Path:
    """A database with the five corpus files ingested by `zhengce ingest` (once per session; read it, don't write)."""
    from typer.testing import CliRunner

    from zhengce.cli import app

    db = tmp_path_factory.mktemp("corpus_db") / "z.db"
    r = CliRunner().invoke(app, ["--db", str(db), "ingest", *map(str, sorted(CORPUS.glob("*.txt")))], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return db


# ---------------------------------------------------------------- PostgreSQL
#
# Storage tests run on both backends (`backend` / `db_target`).  The
# PostgreSQL side uses $ZHENGCE_TEST_DATABASE_URL when set (a role allowed to
# CREATE DATABASE), else a throwaway server started from the installed
# binaries once per session; each test gets a fresh database in it.

PG_URL_ENV = "ZHENGCE_TEST_DATABASE_URL"


def _pg_bindir() -> Path | None:
    """Directory holding initdb/pg_ctl: Debian's versioned folders (newest first), else PATH."""
    import shutil

    def version(p: Path) -> int:
        name = p.parent.parent.name
        return int(name) if name.isdigit() else 0

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=version, reverse=True)
    if found:
        return found[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


class _ThrowawayPostgres:
    """initdb + pg_ctl in a temporary folder: trust auth, 127.0.0.1 on a free port, no fsync."""

    def __init__(self, bindir: Path):
        import os
        import tempfile

        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="zhengce-pg-"))  # under /tmp: the postgres user must reach it
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: hand the folder to the postgres user and run as it.
            import pwd
            import shutil

            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail("running as root and there is no 'postgres' user to run the test PostgreSQL server as")
            if not shutil.which("runuser"):
                pytest.fail("running as root without runuser: cannot start the test PostgreSQL server as 'postgres'")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.port = _free_port()
        self.started = False
        (self.root / "owner.pid").write_text(str(os.getpid()))  # lets a later session clean up after a killed one

    def _run(self, *args: str) -> None:
        import subprocess

        r = subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            pytest.fail(f"{' '.join(args[:1])} failed ({r.returncode}): {r.stderr.strip()}\n{log}")

    def start(self) -> str:
        # C locale: byte-order sorting, as SQLite sorts; UTF8 for the Chinese text.
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
                " -c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "-t", "60", "start")
        self.started = True
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        import shutil
        import subprocess

        if self.started:
            self.started = False
            subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)

    def reap_orphans(self) -> None:
        """Stop servers left by sessions that were killed (no teardown, no atexit on SIGKILL/SIGTERM)."""
        import shutil
        import subprocess

        for root in self.root.parent.glob("zhengce-pg-*"):
            try:
                owner = int((root / "owner.pid").read_text())
            except (OSError, ValueError):
                continue
            if root == self.root or _alive(owner):
                continue
            if (root / "data" / "postmaster.pid").exists():
                subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate",
                                "-w", "stop"], capture_output=True, timeout=60)
            shutil.rmtree(root, ignore_errors=True)


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _with_dbname(url: str, dbname: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


@pytest.fixture(scope="session")
def pg_server():
    """A URL of a PostgreSQL database whose role may create databases (session-wide)."""
    import atexit
    import os

    url = os.environ.get(PG_URL_ENV)
    if url:
        yield url
        return
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip(f"PostgreSQL tests skipped: no PostgreSQL server binaries (initdb, pg_ctl) in "
                    f"/usr/lib/postgresql/*/bin or on PATH, and ${PG_URL_ENV} is not set "
                    f"(install the 'postgresql' package: scripts/setup-system.sh)")
    server = _ThrowawayPostgres(bindir)
    server.reap_orphans()
    atexit.register(server.stop)  # also when the session dies without running fixture teardown
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh, empty PostgreSQL database for this test (dropped afterwards)."""
    import uuid

    import psycopg

    name = f"zhengce_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield _with_dbname(pg_server, name)
    try:
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error:
        pass  # a throwaway server goes anyway; a given server keeps a stray test database


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_target(backend: str, tmp_path: Path, request):
    """What `Store(...)` opens for this backend: a fresh SQLite file or a fresh PostgreSQL database URL."""
    if backend == "sqlite":
        return tmp_path / "store" / "zhengce.db"
    return request.getfixturevalue("pg_url")  # only PostgreSQL tests start the server
