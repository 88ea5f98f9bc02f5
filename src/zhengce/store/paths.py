"""Which database: a SQLite file, or a PostgreSQL URL."""

from __future__ import annotations

import os
from pathlib import Path

from .db import is_database_url

ENV_VAR = "ZHENGCE_DB"
URL_ENV_VAR = "ZHENGCE_DATABASE_URL"
DEFAULT_PATH = Path("data") / "zhengce.db"  # relative to the working directory, like `make run`


def resolve_db_path(cli_value: str | None) -> Path | str:
    """The CLI's ``--db`` wins, then ``$ZHENGCE_DATABASE_URL``, then ``$ZHENGCE_DB``, then ``./data/zhengce.db``.

    A ``postgresql://`` URL comes back as the string itself; anything else is
    a SQLite file path.  Empty values count as unset, so ``ZHENGCE_DB= zhengce …``
    falls back to the default rather than opening a file named "".  Parent
    directories of a file are created: a first run in a fresh checkout should
    just work.
    """
    chosen = cli_value or os.environ.get(URL_ENV_VAR) or os.environ.get(ENV_VAR) or None
    if is_database_url(chosen):
        return chosen  # type: ignore[return-value]
    path = Path(chosen).expanduser() if chosen else DEFAULT_PATH
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    return path
