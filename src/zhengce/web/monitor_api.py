"""监测评估 JSON API under /api/v1/monitor.

Every endpoint needs credentials (auth.py): ``Authorization: Bearer <API token>``,
or the session cookie with ``X-CSRF-Token`` on POST.  Errors use the one
shape {"error": {"code", "message"}}: 401 unauthorized, 403 forbidden (the
refusal is in the audit log), 404 not_found, 409 conflict (expected_version
is stale), 422 unprocessable (an import with row errors: nothing imported;
``error.rows`` lists them).
"""

from __future__ import annotations

from typing import Annotated, Any, Optional

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from .. import monitor as m
from . import monitor_views as mv
from . import schemas
from .api import StoreDep
from .auth import ApiUser
from .errors import error_body

_ERR = {"model": schemas.ErrorResponse}
_AUTH = {401: _ERR | {"description": "No or expired credentials"},
         403: _ERR | {"description": "Not allowed (logged in the audit log), or CSRF check failed"}}
router = APIRouter(prefix="/api/v1/monitor", tags=["monitor"], responses=_AUTH)
AsOf = Annotated[Optional[str], Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="as-of date (default today)")]


class ActualIn(BaseModel):
    year: int = Field(ge=1949, le=2100)
    value: Optional[float] = Field(None, description="the actual value (quantitative indicators)")
    assessment: Optional[str] = Field(None, description="已实现 / 正常推进 / 存在风险 / 滞后 (qualitative)")
    note: Optional[str] = None
    attachment: Optional[str] = Field(None, description="evidence file name or link")
    expected_version: Optional[int] = Field(None, ge=0, description="the year's version you saw (0 = none): 409 if it moved on")


class TaskReportIn(BaseModel):
    status: str = Field(description="未开始 / 推进中 / 已完成 / 滞后")
    progress: Optional[str] = None
    evidence: Optional[str] = None
    attachment: Optional[str] = None
    expected_version: Optional[int] = Field(None, ge=0)


@router.get("/indicators", summary="Indicator statuses (the `zhengce monitor status --json` objects)")
def indicators(store: StoreDep, user: ApiUser, as_of: AsOf = None,
               unit: Annotated[Optional[str], Query(max_length=200)] = None,
               year: Annotated[Optional[int], Query(ge=1949, le=2100)] = None) -> list[dict[str, Any]]:
    return [s.to_dict() for s in m.indicator_statuses(store, as_of=as_of or None, unit=unit or None, year=year)]


@router.get("/indicators/{ind_id}", summary="One indicator: register entry, status, history, reported versions",
            responses={404: _ERR})
def indicator(ind_id: int, store: StoreDep, user: ApiUser) -> dict[str, Any]:
    ind = m.get_indicator(store, ind_id)
    st = mv.indicator_status(store, ind)
    return {"entry": ind.to_dict(), "status": st.to_dict(),
            "history": [v.to_dict() for v in m.history(store, "indicator", ind.id)],
            "reports": [a.to_dict() for a in m.actual_history(store, ind.id)],
            "attachments": [f.to_dict() for f in m.list_attachments(store, "indicator", ind.id)],
            "can_report": m.can(user, "report", ind), "can_review": m.can(user, "review", ind)}


@router.post("/indicators/{ind_id}/actuals", status_code=201, summary="Report an actual value (a new version)",
             responses={404: _ERR, 409: _ERR})
def report_actual(ind_id: int, body: ActualIn, store: StoreDep, user: ApiUser) -> dict[str, Any]:
    a = m.report_actual(store, user, ind_id, body.year, body.value, assessment=body.assessment, note=body.note,
                        attachment=body.attachment, expected_version=body.expected_version)
    return a.to_dict()


@router.get("/tasks", summary="Task statuses (the `zhengce monitor tasks --json` objects)")
def tasks(store: StoreDep, user: ApiUser, as_of: AsOf = None,
          unit: Annotated[Optional[str], Query(max_length=200)] = None, overdue: bool = False) -> list[dict[str, Any]]:
    return [t.to_dict() for t in m.task_statuses(store, as_of=as_of or None, unit=unit or None, overdue_only=overdue)]


@router.get("/tasks/{task_id}", summary="One task with its status and reports", responses={404: _ERR})
def task(task_id: int, store: StoreDep, user: ApiUser) -> dict[str, Any]:
    from ..monitor.clock import as_date
    from ..monitor.status import task_status

    t = m.get_task(store, task_id)
    return {**task_status(t, m.task_reports(store, t.id), as_date(None)).to_dict(),
            "history": [v.to_dict() for v in m.history(store, "task", t.id)], "can_report": m.can(user, "report", t),
            "attachments": [f.to_dict() for f in m.list_attachments(store, "task", t.id)]}


@router.post("/tasks/{task_id}/reports", status_code=201, summary="Report task progress (a new version)",
             responses={404: _ERR, 409: _ERR})
def report_task(task_id: int, body: TaskReportIn, store: StoreDep, user: ApiUser) -> dict[str, Any]:
    r = m.report_task(store, user, task_id, body.status, progress=body.progress, evidence=body.evidence,
                      attachment=body.attachment, expected_version=body.expected_version)
    return r.to_dict()


_FILES = File(description="evidence files: pdf, docx, xlsx, csv, txt, jpg, png; at most 20 MB each")
_ATTACH_ERR = {404: _ERR, 413: _ERR | {"description": "A file over 20 MB"},
               415: _ERR | {"description": "Not an allowed type"}}


def _attach(store, user, kind: str, item_id: int, files: list[UploadFile], year: int | None, version: int | None):
    from .monitor_pages import read_files

    chosen = read_files(files)
    if not chosen:
        raise m.MonitorError("没有收到文件：请用表单字段 files 上传")
    m.require(store, user, "report", m.attachments._item(store, kind, item_id), detail={"attach": [n for n, _ in chosen]})
    for name, data in chosen:  # check every file before storing any
        m.attachments.check_file(name, data)
    return [m.attach(store, user, kind, item_id, name, data, year=year, version=version).to_dict()
            for name, data in chosen]


@router.post("/indicators/{ind_id}/attachments", status_code=201, responses=_ATTACH_ERR,
             summary="Attach evidence files to a reported value (the year's latest version, or `version`)")
def attach_indicator(ind_id: int, store: StoreDep, user: ApiUser, files: Annotated[list[UploadFile], _FILES],
                     year: Annotated[int, Form(ge=1949, le=2100)],
                     version: Annotated[Optional[int], Form(ge=1)] = None) -> list[dict[str, Any]]:
    return _attach(store, user, "indicator", ind_id, files, year, version)


@router.post("/tasks/{task_id}/attachments", status_code=201, responses=_ATTACH_ERR,
             summary="Attach evidence files to a task's progress report (the latest, or `version`)")
def attach_task(task_id: int, store: StoreDep, user: ApiUser, files: Annotated[list[UploadFile], _FILES],
                version: Annotated[Optional[int], Form(ge=1)] = None) -> list[dict[str, Any]]:
    return _attach(store, user, "task", task_id, files, None, version)


@router.get("/attachments/{att_id}", summary="Download an attachment (any logged-in user)", responses={404: _ERR},
            response_class=Response)
def attachment(att_id: int, store: StoreDep, user: ApiUser) -> Response:
    from .monitor_pages import attachment_response

    return attachment_response(store, att_id)


@router.post("/import", summary="Import actuals from a CSV/XLSX sheet in the template's layout: all rows or none",
             responses={413: _ERR, 415: _ERR, 422: _ERR | {"description": "Row errors; nothing imported"}})
def import_actuals(request: Request, store: StoreDep, user: ApiUser,
                   file: Annotated[UploadFile, File(description=".csv or .xlsx")]) -> dict[str, Any]:
    from .monitor_pages import import_upload

    try:
        result = import_upload(store, user, file, request.app.state.max_upload_bytes)
    except m.ImportFailed as e:
        body = error_body("unprocessable", m.reporting.failed_summary(e.path, len(e.errors)))
        body["error"]["rows"] = [x.to_dict() for x in e.errors]
        return JSONResponse(body, status_code=422)
    return result.to_dict() | {"path": file.filename}


@router.get("/audit", summary="The audit log, newest first (admins)")
def audit(store: StoreDep, user: ApiUser, username: Annotated[Optional[str], Query(alias="user", max_length=100)] = None,
          action: Annotated[Optional[str], Query(max_length=50)] = None,
          outcome: Annotated[Optional[str], Query(pattern=r"^(ok|refused|failed)?$")] = None,
          limit: Annotated[int, Query(ge=1, le=1000)] = 200, offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
    m.require(store, user, "audit")
    return [e.to_dict() for e in m.audit_log(store, user=username or None, action=action or None,
                                              outcome=outcome or None, limit=limit, offset=offset)]
