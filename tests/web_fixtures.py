"""Shared by the web tests: the corpus ingested and indexed once per session,
copied for each test module that may write to it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import CORPUS


@pytest.fixture(scope="session")
def corpus_db_template(tmp_path_factory) -> Path:
    from zhengce.pipeline import parse_paths
    from zhengce.search import update_index
    from zhengce.store import Store

    db = tmp_path_factory.mktemp("web_template") / "z.db"
    with Store(db) as store:
        for item in parse_paths(sorted(CORPUS.glob("*.txt")), with_extractions=True):
            assert item.error is None, item.error
            store.ingest(item.source, item.documents, item.extractions)
        update_index(store._db)  # copies start indexed: no app pays for it on its first search
    return db


def copy_db(template: Path, dest: Path) -> Path:
    """A consistent copy of a (WAL) database, through SQLite's backup API."""
    src, dst = sqlite3.connect(template), sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return dest
