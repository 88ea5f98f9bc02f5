"""One error shape for the API, one error page for people.

Under /api every failure is JSON ``{"error": {"code", "message"}}`` with a
status that fits the code; elsewhere the same failure is a Chinese HTML page.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..store import DocumentLookupError
from .templating import templates

API_PREFIX = "/api/"

# code -> status; the codes are part of the API contract.
STATUS = {"bad_request": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404, "conflict": 409, "too_large": 413, "unsupported_type": 415, "unprocessable": 422, "not_implemented": 501}
_CODE_OF = {v: k for k, v in STATUS.items()}

_TITLES = {400: "请求有误", 401: "请先登录", 403: "无权操作", 404: "没有找到", 405: "不支持的操作", 409: "与已有内容冲突", 413: "文件太大", 415: "不支持的文件类型", 422: "无法处理", 501: "暂不可用"}


class ApiError(Exception):
    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS[code]


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def respond(request: Request, status: int, code: str, message: str):
    if request.url.path.startswith(API_PREFIX) or request.url.path == API_PREFIX.rstrip("/"):
        return JSONResponse(error_body(code, message), status_code=status)
    return templates.TemplateResponse(
        request, "error.html", {"title": _TITLES.get(status, "出错了"), "message": message}, status_code=status
    )


def validation_message(exc: RequestValidationError) -> str:
    """'query.limit: Input should be less than or equal to 100 (got 500)' — the first problem, one line."""
    err = exc.errors()[0]
    where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "request"
    got = err.get("input")
    shown = f" (got {got!r})" if got is not None and not isinstance(got, (dict, list)) else ""
    more = len(exc.errors()) - 1
    return f"{where}: {err.get('msg', 'invalid')}{shown}" + (f"; and {more} more" if more else "")


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return respond(request, exc.status, exc.code, exc.message)

    # The monitoring library's errors (zhengce.monitor.errors), wherever a handler lets one through.
    from ..monitor import errors as merr
    from ..monitor.attachments import AttachmentRefused
    from ..monitor.reporting import ImportFailed

    @app.exception_handler(merr.MonitorError)
    async def _monitor(request: Request, exc: merr.MonitorError):
        if isinstance(exc, merr.AuthError):
            return respond(request, 401, "unauthorized", str(exc))
        if isinstance(exc, merr.AccessDenied):
            return respond(request, 403, "forbidden", str(exc))
        if isinstance(exc, merr.NotFound):
            return respond(request, 404, "not_found", str(exc))
        if isinstance(exc, merr.ConflictError):
            return respond(request, 409, "conflict", str(exc))
        if isinstance(exc, AttachmentRefused):
            return respond(request, STATUS[exc.code], exc.code, str(exc))
        if isinstance(exc, ImportFailed):
            return respond(request, 422, "unprocessable", str(exc))
        return respond(request, 400, "bad_request", str(exc))

    @app.exception_handler(DocumentLookupError)
    async def _lookup(request: Request, exc: DocumentLookupError):
        return respond(request, 404, "not_found", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return respond(request, 400, "bad_request", validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404 and exc.detail in (None, "Not Found"):
            message = f"no such address: {request.method} {request.url.path}"
        elif exc.status_code == 405:
            message = f"method {request.method} is not allowed on {request.url.path}"
        else:
            message = str(exc.detail)
        code = _CODE_OF.get(exc.status_code, "bad_request")
        response = respond(request, exc.status_code, code, message)
        for k, v in (exc.headers or {}).items():
            response.headers[k] = v
        return response
