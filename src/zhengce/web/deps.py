"""Per-request resources: one Store per request (a connection must not be
shared concurrently), the app's one SearchEngine."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request

from ..search import SearchEngine
from ..store import Store


def get_store(request: Request) -> Iterator[Store]:
    store = Store(request.app.state.db_path)
    try:
        yield store
    finally:
        store.close()


def get_engine(request: Request) -> SearchEngine:
    return request.app.state.engine
