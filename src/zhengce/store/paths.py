"""Where the database file lives."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "ZHENGCE_DB"
DEFAULT_PATH = Path("data") / "zhengce.db"  # relative to the working directory, like `make run`


def resolve_db_path(cli_value: str | None) -> Path:
    """The CLI's ``--db`` wins, then ``$ZHENGCE_DB``, then ``./data/zhengce.db``.

    Empty values count as unset, so ``ZHENGCE_DB= zhengce …`` falls back to the
    default rather than opening a file named "".  Parent directories are
    created: a first run in a fresh checkout should just work.
    """
    chosen = cli_value or os.environ.get(ENV_VAR) or None
    path = Path(chosen).expanduser() if chosen else DEFAULT_PATH
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    return path
