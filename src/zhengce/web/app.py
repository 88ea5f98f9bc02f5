"""create_app(db_path): the pages, the JSON API and the static files over one database."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..read import limits
from ..search import SearchEngine
from ..store import Store, is_database_url
from . import api, errors, monitor_api, monitor_pages, pages
from .auth import LoginRequired, login_url
from .headers import SecurityHeaders

HERE = Path(__file__).parent


def create_app(
    db_path: str | os.PathLike[str], *, max_upload_bytes: int | None = None, max_request_bytes: int | None = None
) -> FastAPI:
    """The web app over the database at `db_path`: a SQLite file (created if missing) or a postgresql:// URL.

    `max_upload_bytes` caps each uploaded file (default: the readers' per-file
    limit, ZHENGCE_MAX_FILE_MB or 64 MB); `max_request_bytes` caps a whole
    upload request, checked from its Content-Length before anything is read
    (default: the archive limit).
    """
    if not is_database_url(db_path):
        db_path = Path(db_path)
        db_path.parent.mkdir(parents=True, exist_ok=True)
    Store(db_path).close()  # create and migrate once, before requests open their own
    # The engine lives as long as the app, not one lifespan: test clients run
    # the lifespan once per client (or per request), and the index is costly to load.
    engine = SearchEngine(db_path)

    app = FastAPI(
        title="政策通 API", version=__version__,
        description="Chinese government policy documents: restored, structured, searchable, cited.",
        # Swagger UI and ReDoc load their scripts from a CDN; the app must work offline.
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.db_path = db_path
    app.state.engine = engine
    app.state.max_upload_bytes = max_upload_bytes or limits.max_file_bytes()
    app.state.max_request_bytes = max_request_bytes or limits.max_archive_bytes()

    @app.middleware("http")
    async def _request_cap(request: Request, call_next):
        size = request.headers.get("content-length", "")
        if request.method == "POST" and size.isdigit() and int(size) > app.state.max_request_bytes:
            return errors.respond(
                request, 413, "too_large",
                f"request body too large: {limits.mb(int(size))} > {limits.mb(app.state.max_request_bytes)} limit",
            )
        return await call_next(request)

    errors.install(app)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired):
        if request.url.path.startswith(errors.API_PREFIX):
            return errors.respond(request, 401, "unauthorized", exc.message)
        return RedirectResponse(login_url(request), status_code=303)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(monitor_api.router)
    app.include_router(pages.router)
    app.include_router(monitor_pages.router)
    # Outermost, around Starlette's own error middleware too, so that even a 500 carries the headers.
    inner = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(inner())
    return app
