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
