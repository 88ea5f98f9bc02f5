"""监测评估 pages: login, first-run setup, dashboard, indicator and task registers, reporting, import,
evaluation report, audit log, users.  Every page needs a login (auth.py); every form POST its CSRF token."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Optional

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import monitor as m
from ..monitor.registers import REVIEWS
from . import monitor_views as mv
from .api import StoreDep
from .auth import COOKIE, CSRF_FIELD, PageUser, check_form, safe_next, session_of
from .errors import ApiError
from .templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

Csrf = Annotated[Optional[str], Form(alias=CSRF_FIELD)]
AsOf = Annotated[Optional[str], Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="评估基准日")]


def page(request: Request, name: str, status: int = 200, **context):
    return templates.TemplateResponse(request, name, context | {"status_labels": mv.STATUS_LABELS,
                                                                "attachment_accept": ATTACH_ACCEPT,
                                                                "attachment_hint": ATTACH_HINT,
                                                                "task_css": mv.TASK_CSS, "target_text": mv.target_text,
                                                                "cite": mv.cite}, status_code=status)


ATTACH_ACCEPT = ",".join(sorted(m.attachments.TYPES))
ATTACH_HINT = f"可多选；{m.attachments.ALLOWED}，每个不超过 {m.attachments.MAX_BYTES // 1048576} MB"
Files = Annotated[Optional[list[UploadFile]], File()]


def read_files(files: list[UploadFile] | None) -> list[tuple[str, bytes]]:
    """(name, bytes) of the chosen files (an empty file input sends a nameless part: skipped), read up to the cap."""
    cap = m.attachments.MAX_BYTES
    return [(f.filename, f.file.read(cap + 1)) for f in files or () if f.filename]


def back(url: str, message: str | None = None) -> RedirectResponse:
    from urllib.parse import quote

    if message:
        url += ("&" if "?" in url else "?") + "msg=" + quote(message)
    return RedirectResponse(url, status_code=303)


def refusal(e: Exception, conflict: str = "冲突") -> tuple[int, str]:
    """(status, message) of a write the library refused; NotFound goes on to the 404 handler."""
    if isinstance(e, m.NotFound):
        raise e
    if isinstance(e, m.AccessDenied):
        return 403, f"{e}（已记入审计日志）"
    if isinstance(e, m.ConflictError):
        return 409, f"{conflict}：{e}"
    if isinstance(e, m.AttachmentRefused):
        return (413 if e.code == "too_large" else 415), f"附件未被接受，未保存：{e}"
    return 400, f"未能保存：{e}"


def _blank(v: Optional[str]) -> Optional[str]:
    return v.strip() if v and v.strip() else None


# ------------------------------------------------------------------- login, logout, setup

def _start_session(request: Request, store, user: m.User, target: str) -> RedirectResponse:
    s = m.create_session(store, user)
    resp = RedirectResponse(safe_next(target), status_code=303)
    resp.set_cookie(COOKIE, s.token, httponly=True, samesite="lax", path="/",
                    secure=request.url.scheme == "https", max_age=int(m.users.SESSION_TTL.total_seconds()))
    return resp


# Before a session exists there is no session CSRF token, so the login and
# setup forms use a double-submit one: a random value in a SameSite=Strict
# cookie that the form must echo.  Another site can make the browser post the
# form but can neither read the cookie nor guess the value (login CSRF).
PRE_COOKIE = "zhengce_form"
PreCsrf = Annotated[Optional[str], Form(alias="form_token")]


def _pre_session_page(request: Request, name: str, status: int = 200, **context):
    import secrets

    token = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
    resp = page(request, name, status, form_token=token, **context)
    resp.set_cookie(PRE_COOKIE, token, httponly=True, samesite="strict", path="/",
                    secure=request.url.scheme == "https")
    return resp


def _check_pre_session(request: Request, token: Optional[str]) -> None:
    import hmac

    cookie = request.cookies.get(PRE_COOKIE)
    if not cookie or not token or not hmac.compare_digest(cookie, token):
        raise ApiError("forbidden", "表单已失效或来源不明：请刷新页面后重新提交。")


@router.get("/login")
def login_form(request: Request, store: StoreDep, next: Optional[str] = None):
    if not m.list_users(store):
        return RedirectResponse("/setup", status_code=303)
    return _pre_session_page(request, "login.html", next=safe_next(next), error=None, username="")


@router.post("/login")
def login(request: Request, store: StoreDep, username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", next: Annotated[Optional[str], Form()] = None,
          form_token: PreCsrf = None):
    _check_pre_session(request, form_token)
    try:
        user = m.authenticate(store, username.strip(), password, address=request.client.host if request.client else None)
    except m.LoginLocked as e:
        return _pre_session_page(request, "login.html", 429, next=safe_next(next), username=username, error=str(e))
    except m.AuthError:
        return _pre_session_page(request, "login.html", 401, next=safe_next(next), username=username,
                                 error="用户名或密码错误，或账号已停用。")
    return _start_session(request, store, user, next or "/monitor")


@router.post("/logout")
def logout(request: Request, store: StoreDep, csrf: Csrf = None):
    check_form(request, store, csrf)
    m.revoke_session(store, request.cookies.get(COOKIE, ""))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


@router.get("/setup")
def setup_form(request: Request, store: StoreDep):
    if m.list_users(store):
        raise ApiError("forbidden", "系统已有账号：首个管理员只能在没有任何账号时创建。请登录。")
    return _pre_session_page(request, "setup.html", error=None, username="")


@router.post("/setup")
def setup(request: Request, store: StoreDep, username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", password2: Annotated[str, Form()] = "",
          display_name: Annotated[Optional[str], Form()] = None, form_token: PreCsrf = None):
    if m.list_users(store):
        raise ApiError("forbidden", "系统已有账号：首个管理员只能在没有任何账号时创建。请登录。")
    _check_pre_session(request, form_token)
    if password != password2:
        return _pre_session_page(request, "setup.html", 400, error="两次输入的密码不一致。", username=username)
    try:
        admin = m.add_user(store, username, password, role="admin", display_name=_blank(display_name))
    except m.MonitorError as e:
        return _pre_session_page(request, "setup.html", 400, error=str(e), username=username)
    # The registers a first admin wants to see: built from what is already ingested.
    report = m.seed(store, admin)
    return _start_session(request, store, admin, "/monitor?msg=" + _seed_message(report))


def _seed_message(report) -> str:
    from urllib.parse import quote

    i, t = report.indicators, report.tasks
    return quote(f"已从入库文件生成登记册：指标新增 {i.added}、更新 {i.updated}（已审核保留 {i.reviewed_kept}，原文变动 {i.stale}）；"
                 f"任务新增 {t.added}、更新 {t.updated}（已审核保留 {t.reviewed_kept}，原文变动 {t.stale}）。")


@router.post("/monitor/seed")
def seed_registers(request: Request, store: StoreDep, user: PageUser, csrf: Csrf = None):
    """Admins rebuild the machine suggestions after new documents are ingested (reviewed entries are kept)."""
    check_form(request, store, csrf)
    report = m.seed(store, user)  # AccessDenied (logged) for anyone but an admin
    return RedirectResponse("/monitor?msg=" + _seed_message(report), status_code=303)


# ------------------------------------------------------------------- dashboard

@router.get("/monitor")
def dashboard(request: Request, store: StoreDep, user: PageUser, as_of: AsOf = None,
              unit: Annotated[Optional[str], Query(max_length=200)] = None, doc: Annotated[Optional[str], Query(pattern=r"^\d*$")] = None,
              msg: Annotated[Optional[str], Query(max_length=500)] = None):
    d = mv.dashboard(store, as_of=as_of or None, unit=unit or None, doc=int(doc) if doc else None)
    return page(request, "monitor.html", user=user, d=d, msg=msg, can_seed=m.can(user, "seed", None),
                filters={"unit": unit or "", "doc": int(doc) if doc else None, "as_of": as_of or ""})


# ------------------------------------------------------------------- indicators

async def _form_versions(request: Request) -> dict[str, int]:
    """The hidden fields version_<year>: the version of each year's value the form showed (0 = none)."""
    form = await request.form()
    return {k[8:]: int(v) for k, v in form.items() if k.startswith("version_") and str(v).isdigit()}


FormVersions = Annotated[dict, Depends(_form_versions)]


def _indicator_page(request, store, user, ind_id: int, *, status: int = 200, error: str | None = None,
                    form: dict | None = None):
    ind = m.get_indicator(store, ind_id)
    st = mv.indicator_status(store, ind)
    versions: dict[int, int] = {}
    for a in st.actuals:
        versions[a.year] = a.version
    t = ind.target or {}
    b = ind.baseline or {}
    first = int(b["year"]) + 1 if b.get("year") else (min(versions) if versions else 2021)
    last = int(t["year"]) if t.get("year") else max(versions or {first: 0})
    report_years = sorted(set(range(first, max(first, last) + 1)) | set(versions))
    candidates = [c for c in m.merge_candidates(store) if ind.id in getattr(c, "ids", [])]
    return page(
        request, "indicator.html", status, user=user, ind=ind, st=st, chart=mv.chart_data(st),
        history=m.history(store, "indicator", ind.id), reports=m.actual_history(store, ind.id),
        files_of=_group(m.list_attachments(store, "indicator", ind.id), lambda f: (f.year, f.version)),
        can_report=m.can(user, "report", ind) and ind.active, can_review=m.can(user, "review", ind) and ind.active,
        versions=versions, report_years=report_years, error=error, form=form or {}, target=mv.target_text(ind),
        candidates=candidates, msg=request.query_params.get("msg"), cite=mv.cite,
    )


@router.get("/monitor/indicators")
def indicators(request: Request, store: StoreDep, user: PageUser,
               review: Annotated[Optional[str], Query(pattern=r"^(all|suggested|confirmed|edited|rejected|merged)?$")] = None):
    include = REVIEWS if review == "all" else ((review,) if review else None)
    inds = m.list_indicators(store, include=include)
    return page(request, "indicators.html", user=user, inds=inds, review=review or "", target_text=mv.target_text)


@router.get("/monitor/indicators/{ind_id}")
def indicator(request: Request, ind_id: int, store: StoreDep, user: PageUser):
    return _indicator_page(request, store, user, ind_id)


@router.post("/monitor/indicators/{ind_id}/report")
def report_indicator(
    request: Request, ind_id: int, store: StoreDep, user: PageUser, shown_versions: FormVersions, csrf: Csrf = None,
    year: Annotated[str, Form()] = "", value: Annotated[Optional[str], Form()] = None,
    assessment: Annotated[Optional[str], Form()] = None, note: Annotated[Optional[str], Form()] = None,
    attachment: Annotated[Optional[str], Form()] = None, expected_version: Annotated[Optional[str], Form()] = None,
    files: Files = None,
):
    check_form(request, store, csrf)
    form = {"year": year, "value": value or "", "assessment": assessment or "", "note": note or "",
            "attachment": attachment or ""}
    # the version of the chosen year the form showed: the field version_<year>, else expected_version
    shown = shown_versions.get(year.strip())
    try:
        if not year.strip().isdigit():
            raise m.MonitorError("请填写年度（如 2023）。")
        ev = shown if shown is not None else (int(expected_version) if (expected_version or "").isdigit() else None)
        a = m.report_actual(store, user, ind_id, int(year), _blank(value), assessment=_blank(assessment),
                            note=_blank(note), attachment=_blank(attachment), expected_version=ev,
                            files=read_files(files))
    except m.MonitorError as e:
        status, error = refusal(e, "填报冲突")
        return _indicator_page(request, store, user, ind_id, status=status, error=error, form=form)
    return back(f"/monitor/indicators/{ind_id}", f"已保存 {a.year} 年实际值（第 {a.version} 版）。")


@router.post("/monitor/indicators/{ind_id}/review")
def review_indicator(
    request: Request, ind_id: int, store: StoreDep, user: PageUser, csrf: Csrf = None,
    action: Annotated[str, Form()] = "", expected_version: Annotated[Optional[str], Form()] = None,
    note: Annotated[Optional[str], Form()] = None, target_value: Annotated[Optional[str], Form()] = None,
    target_year: Annotated[Optional[str], Form()] = None, baseline_value: Annotated[Optional[str], Form()] = None,
    baseline_year: Annotated[Optional[str], Form()] = None, units: Annotated[Optional[str], Form()] = None,
    merge_ids: Annotated[Optional[str], Form()] = None,
):
    check_form(request, store, csrf)
    ev = int(expected_version) if (expected_version or "").isdigit() else None
    try:
        if action == "confirm":
            m.confirm(store, user, ind_id, expected_version=ev, note=_blank(note))
            done = "已确认。"
        elif action == "reject":
            m.reject(store, user, ind_id, expected_version=ev, note=_blank(note))
            done = "已驳回。"
        elif action == "edit":
            changes: dict = {}
            tgt = {k: v for k, v in (("value", _blank(target_value)), ("year", _blank(target_year))) if v is not None}
            base = {k: v for k, v in (("value", _blank(baseline_value)), ("year", _blank(baseline_year))) if v is not None}
            if tgt:
                changes["target"] = tgt
            if base:
                changes["baseline"] = base
            if _blank(units):
                changes["units"] = [u.strip() for u in units.replace("，", ",").replace("、", ",").split(",") if u.strip()]
            if _blank(note):
                changes["note"] = note.strip()
            if not changes:
                raise m.MonitorError("没有要修改的字段。")
            m.edit_indicator(store, user, ind_id, changes, expected_version=ev)
            done = "已修改。"
        elif action == "merge":
            ids = [int(x) for x in (merge_ids or "").replace("，", ",").replace(" ", ",").split(",") if x.strip().isdigit()]
            if not ids:
                raise m.MonitorError("请填写要并入本指标的指标编号。")
            m.merge(store, user, ids, into=ind_id, note=_blank(note))
            done = f"已将 {'、'.join(map(str, ids))} 并入本指标。"
        else:
            raise m.MonitorError(f"未知操作 {action!r}")
    except m.MonitorError as e:
        status, error = refusal(e)
        return _indicator_page(request, store, user, ind_id, status=status, error=error)
    return back(f"/monitor/indicators/{ind_id}", done)


# ------------------------------------------------------------------- tasks

@router.get("/monitor/tasks")
def tasks(request: Request, store: StoreDep, user: PageUser, as_of: AsOf = None,
          unit: Annotated[Optional[str], Query(max_length=200)] = None,
          overdue: Annotated[Optional[str], Query(pattern=r"^(1|0)?$")] = None):
    ts = m.task_statuses(store, as_of=as_of or None, unit=unit or None, overdue_only=overdue == "1")
    return page(request, "tasks.html", user=user, tasks=ts,
                filters={"unit": unit or "", "as_of": as_of or "", "overdue": overdue or ""})


def _task_page(request, store, user, task_id: int, *, status: int = 200, error: str | None = None):
    task = m.get_task(store, task_id)
    from ..monitor.status import task_status
    from ..monitor.clock import as_date

    ts = task_status(task, m.task_reports(store, task.id), as_date(None))
    return page(request, "task.html", status, user=user, task=task, ts=ts, error=error,
                history=m.history(store, "task", task.id),
                files_of=_group(m.list_attachments(store, "task", task.id), lambda f: f.version), can_report=m.can(user, "report", task) and task.active,
                can_review=m.can(user, "review", task) and task.active, statuses=mv.TASK_STATUSES,
                msg=request.query_params.get("msg"))


@router.get("/monitor/tasks/{task_id}")
def task(request: Request, task_id: int, store: StoreDep, user: PageUser):
    return _task_page(request, store, user, task_id)


@router.post("/monitor/tasks/{task_id}/report")
def report_task(
    request: Request, task_id: int, store: StoreDep, user: PageUser, csrf: Csrf = None,
    status: Annotated[str, Form()] = "", progress: Annotated[Optional[str], Form()] = None,
    evidence: Annotated[Optional[str], Form()] = None, attachment: Annotated[Optional[str], Form()] = None,
    expected_version: Annotated[Optional[str], Form()] = None, files: Files = None,
):
    check_form(request, store, csrf)
    ev = int(expected_version) if (expected_version or "").isdigit() else None
    try:
        r = m.report_task(store, user, task_id, status, progress=_blank(progress), evidence=_blank(evidence),
                          attachment=_blank(attachment), expected_version=ev, files=read_files(files))
    except m.MonitorError as e:
        status, error = refusal(e, "填报冲突")
        return _task_page(request, store, user, task_id, status=status, error=error)
    return back(f"/monitor/tasks/{task_id}", f"已保存进展“{r.status}”（第 {r.version} 版）。")


@router.post("/monitor/tasks/{task_id}/review")
def review_task(request: Request, task_id: int, store: StoreDep, user: PageUser, csrf: Csrf = None,
                action: Annotated[str, Form()] = "", expected_version: Annotated[Optional[str], Form()] = None,
                note: Annotated[Optional[str], Form()] = None):
    check_form(request, store, csrf)
    ev = int(expected_version) if (expected_version or "").isdigit() else None
    try:
        if action == "confirm":
            m.confirm_task(store, user, task_id, expected_version=ev, note=_blank(note))
        elif action == "reject":
            m.reject_task(store, user, task_id, expected_version=ev, note=_blank(note))
        else:
            raise m.MonitorError(f"未知操作 {action!r}")
    except m.MonitorError as e:
        status, error = refusal(e)
        return _task_page(request, store, user, task_id, status=status, error=error)
    return back(f"/monitor/tasks/{task_id}", "已确认。" if action == "confirm" else "已驳回。")


# ------------------------------------------------------------------- attachments

def _group(items, key) -> dict:
    out: dict = {}
    for x in items:
        out.setdefault(key(x), []).append(x)
    return out


def attachment_response(store, att_id: int) -> Response:
    """The file as a download (never rendered inline: an uploaded file is not trusted content)."""
    from urllib.parse import quote

    att, data = m.get_attachment(store, att_id)
    fallback = "".join(c if c.isascii() and c.isalnum() or c in "._-" else "_" for c in att.filename)
    return Response(data, media_type=att.content_type, headers={
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(att.filename)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


@router.get("/monitor/attachments/{att_id}")
def attachment(att_id: int, store: StoreDep, user: PageUser):
    return attachment_response(store, att_id)


# ------------------------------------------------------------------- import, template

IMPORT_SUFFIXES = (".csv", ".xlsx")


def import_upload(store, user, upload: UploadFile, max_bytes: int):
    """Save the upload under its own suffix and import it: ImportResult, or ImportFailed with row errors."""
    name = Path(upload.filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise ApiError("unsupported_type", f"{name or '文件'}：请上传 .csv 或 .xlsx 文件（按模板填写）")
    data = upload.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ApiError("too_large", f"{name}：文件太大（上限 {max_bytes / 1048576:g} MB）")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            return m.import_actuals(store, user, path)
        except m.ImportFailed as e:
            e.path = name
            raise


@router.get("/monitor/import")
def import_form(request: Request, store: StoreDep, user: PageUser):
    return page(request, "import.html", user=user, result=None, errors=None, filename=None,
                rows=len(m.template_rows(store, user)) - 1)


@router.post("/monitor/import")
def import_page(request: Request, store: StoreDep, user: PageUser, csrf: Csrf = None,
                file: Annotated[Optional[UploadFile], File()] = None):
    check_form(request, store, csrf)
    rows = len(m.template_rows(store, user)) - 1
    if file is None or not file.filename:
        return page(request, "import.html", 400, user=user, result=None, errors=None, filename=None, rows=rows,
                    error="请先选择要导入的文件。")
    try:
        result = import_upload(store, user, file, request.app.state.max_upload_bytes)
    except m.ImportFailed as e:
        return page(request, "import.html", 422, user=user, result=None, errors=e.errors, filename=file.filename,
                    rows=rows)
    return page(request, "import.html", user=user, result=result, errors=None, filename=file.filename, rows=rows)


@router.get("/monitor/template.{fmt}")
def template(request: Request, fmt: str, store: StoreDep, user: PageUser):
    if fmt not in ("csv", "xlsx"):
        raise ApiError("not_found", "模板格式：.csv 或 .xlsx")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"template.{fmt}"
        m.write_template(store, user, path)
        data = path.read_bytes()
    media = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f"attachment; filename=\"monitor-template.{fmt}\""})


# ------------------------------------------------------------------- evaluation report

Kind = Annotated[str, Query(pattern=r"^(mid|final)$")]


@router.get("/monitor/report")
def report(request: Request, store: StoreDep, user: PageUser, kind: Kind = "mid", as_of: AsOf = None):
    data = mv.report_data(store, kind, as_of=as_of or None)
    return page(request, "report.html", user=user, r=data, cite=mv.cite, target_text=mv.target_text)


@router.get("/monitor/report.xlsx")
def report_xlsx(request: Request, store: StoreDep, user: PageUser, kind: Kind = "mid", as_of: AsOf = None):
    data = mv.report_data(store, kind, as_of=as_of or None)
    return Response(mv.report_xlsx(data),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=\"monitor-report-{kind}.xlsx\""})


@router.get("/monitor/report.pdf")
def report_pdf(request: Request, store: StoreDep, user: PageUser, kind: Kind = "mid", as_of: AsOf = None):
    """The report printed by headless Chromium from a self-contained page (report_pdf.py); 501 without one."""
    from .report_pdf import PdfUnavailable, report_pdf as to_pdf

    data = mv.report_data(store, kind, as_of=as_of or None)
    try:
        pdf = to_pdf(data, base_url=str(request.base_url))
    except PdfUnavailable as e:
        raise ApiError("not_implemented", str(e)) from None
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename=\"monitor-report-{kind}.pdf\""})


# ------------------------------------------------------------------- audit, users, API tokens

@router.get("/monitor/audit")
def audit(request: Request, store: StoreDep, user: PageUser,
          who: Annotated[Optional[str], Query(max_length=100)] = None,
          action: Annotated[Optional[str], Query(max_length=50)] = None,
          outcome: Annotated[Optional[str], Query(pattern=r"^(ok|refused|failed)?$")] = None,
          offset: Annotated[int, Query(ge=0)] = 0):
    m.require(store, user, "audit")
    entries = m.audit_log(store, user=who or None, action=action or None, outcome=outcome or None, limit=201,
                          offset=offset)
    return page(request, "audit.html", user=user, entries=entries[:200], more=len(entries) > 200, offset=offset,
                filters={"who": who or "", "action": action or "", "outcome": outcome or ""})


@router.get("/monitor/users")
def users(request: Request, store: StoreDep, user: PageUser):
    m.require(store, user, "users")
    return page(request, "users.html", user=user, users=m.list_users(store), roles=m.ROLES, error=None,
                msg=request.query_params.get("msg"), token=None)


@router.post("/monitor/users")
def users_post(
    request: Request, store: StoreDep, user: PageUser, csrf: Csrf = None,
    action: Annotated[str, Form()] = "", username: Annotated[str, Form()] = "",
    password: Annotated[Optional[str], Form()] = None, role: Annotated[Optional[str], Form()] = None,
    units: Annotated[Optional[str], Form()] = None, display_name: Annotated[Optional[str], Form()] = None,
):
    check_form(request, store, csrf)
    m.require(store, user, "users")
    unit_list = [u.strip() for u in (units or "").replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
                 if u.strip()]
    try:
        if action == "add":
            m.add_user(store, username, password or "", role=role or "viewer", units=unit_list,
                       display_name=_blank(display_name), by=user)
            done = f"已添加账号 {username}。"
        elif action == "disable":
            m.disable_user(store, username, by=user)
            done = f"已停用 {username}。"
        elif action == "enable":
            m.enable_user(store, username, by=user)
            done = f"已启用 {username}。"
        elif action == "units":
            m.set_units(store, username, unit_list, by=user)
            done = f"已更新 {username} 的单位。"
        elif action == "password":
            m.set_password(store, username, password or "", by=user)
            done = f"已重设 {username} 的密码。"
        else:
            raise m.MonitorError(f"未知操作 {action!r}")
    except m.AccessDenied:
        raise
    except m.MonitorError as e:
        return page(request, "users.html", 400, user=user, users=m.list_users(store), roles=m.ROLES,
                    error=f"未能保存：{e}", msg=None, token=None)
    return back("/monitor/users", done)


@router.get("/monitor/account")
def account(request: Request, store: StoreDep, user: PageUser):
    return page(request, "account.html", user=user, token=None, error=None, session=session_of(request, store))


@router.post("/monitor/account")
def account_post(request: Request, store: StoreDep, user: PageUser, csrf: Csrf = None,
                 action: Annotated[str, Form()] = "", label: Annotated[Optional[str], Form()] = None,
                 password: Annotated[Optional[str], Form()] = None, current: Annotated[Optional[str], Form()] = None):
    check_form(request, store, csrf)
    token, error = None, None
    try:
        if action == "token":
            token = m.create_api_token(store, user, _blank(label) or "web")
        elif action == "password":
            m.set_password(store, user.username, password or "", by=user, current=current or "")
            error = None
        else:
            raise m.MonitorError(f"未知操作 {action!r}")
    except m.MonitorError as e:
        error = f"未能保存：{e}"
    return page(request, "account.html", 400 if error else 200, user=user, token=token, error=error,
                session=session_of(request, store), done=action == "password" and not error)
