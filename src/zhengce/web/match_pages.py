"""The 政策直达 pages (included by pages.py): the profile form with its results
grouped by status, saved profiles, the push list download, and 规则库 (rules
with their YAML and review history)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Optional

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..match import Batch, ProfileError, dump_rules, get_profile, list_profiles, match, parse_profile, review_history, save_profile
from ..match import delete_profile as forget_profile
from ..match.evaluate import _OP_WORDS
from ..match.facts import BOARDS
from ..store import Store
from .api import StoreDep
from .auth import CSRF_FIELD, library_writer, write_access
from .errors import ApiError
from .matching import (
    NO_LISTING, STATUSES, XLSX, ProfileForm, Rules, as_of_date, certification_choices, counts, label, other_fact_choices, read_register,
    profile_error_words, rows_file, rule_counts, rule_matches, rule_status, summary, word,
)
from .templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
RULES_PAGE = 100

STATUS_HEADS = {"eligible": "可享受", "unknown": "待补充信息", "ineligible": "不符合"}
RULE_STATUS_LABELS = {"machine": "机器生成", "reviewed": "已审核", "rejected": "已驳回", "stale": "原文已变动", "needs_review": "待审核"}
CHOICES = {
    "kind": [("enterprise", "企业"), ("individual_business", "个体工商户"), ("institution", "事业单位/社会组织")],
    "vat_taxpayer": [("small_scale", "小规模纳税人"), ("general", "一般纳税人")],
    "size": [("large", "大型"), ("medium", "中型"), ("small", "小型"), ("micro", "微型")],
    "ownership": [("private", "民营"), ("state", "国有"), ("foreign", "外资"), ("collective", "集体")],
    "listing_board": [(NO_LISTING, "未上市（挂牌）")] + [(b, b) for b in BOARDS],
}


def _page(request: Request, name: str, status: int = 200, **context):
    return templates.TemplateResponse(request, name, context, status_code=status)


# ------------------------------------------------------------------- 政策直达


def _match_page(request: Request, store: Store, rules: Rules, form: ProfileForm, as_of: str | None, *, results=None,
                message=None, error=None, status=200, loaded=None):
    certs = certification_choices(rules.book)
    return _page(
        request, "match.html", status,
        form=form, as_of=as_of or date.today().isoformat(), results=results, counts=counts(results) if results is not None else None,
        groups=STATUS_HEADS, choices=CHOICES, certs=certs, other_facts=other_fact_choices(rules.book),
        profiles=list_profiles(store), message=message, error=error, loaded=loaded, fact_label=label, word=word,
        write=write_access(request, store),
    )


def _run(rules: Rules, profile, as_of: str) -> list[dict]:
    """The results as the API gives them; among the unknown ones, those missing the fewest facts
    come first (the closest to eligible)."""
    results = [rules.result(r) for r in match(profile, rules.book, as_of)]
    return sorted(results, key=lambda r: (STATUSES.index(r["status"]), len(r["missing"]) if r["status"] == "unknown" else 0))


@router.get("/match")
def match_page(
    request: Request, store: StoreDep,
    load: Annotated[Optional[str], Query(max_length=200)] = None,
    as_of: Annotated[Optional[str], Query(max_length=10)] = None,
):
    rules = Rules.load(store)
    if not load:
        return _match_page(request, store, rules, ProfileForm(), as_of)
    try:
        profile = get_profile(store, load)
    except KeyError:
        raise ApiError("not_found", f"没有名为“{load}”的档案。") from None
    when = as_of_date(as_of)
    form = ProfileForm.from_profile(profile, certification_choices(rules.book))
    return _match_page(request, store, rules, form, when, results=_run(rules, profile, when), message=f"已载入档案“{load}”。", loaded=load)


@router.post("/match")
async def match_post(request: Request, store: StoreDep):
    form = await request.form()
    return await run_in_threadpool(_match_post, request, store, form)


def _match_post(request: Request, store: Store, raw) -> Response:
    rules = Rules.load(store)
    form = ProfileForm.from_form(raw)
    as_of = form.get("as_of") or None
    try:
        when = as_of_date(as_of)
    except ApiError:
        return _match_page(request, store, rules, form, None, error=f"评估日期“{as_of}”不是日期（年-月-日）。", status=422)
    try:
        profile = parse_profile(form.to_profile_dict(), "档案")
    except ProfileError as e:
        return _match_page(request, store, rules, form, when, error=profile_error_words(str(e)), status=422)
    message, name = None, form.get("save_name") or None
    if form.get("action") == "save":
        library_writer(request, store, "profile_save", "profile", name or profile.name, csrf=raw.get(CSRF_FIELD))
        name = name or profile.name
        if not name:
            return _match_page(request, store, rules, form, when, error="保存档案需要名称：请填写档案名称或企业名称。", status=422)
        save_profile(store, name, profile)
        message = f"已保存档案“{name}”。"
    return _match_page(request, store, rules, form, when, results=_run(rules, profile, when), message=message, loaded=name)


@router.post("/match/delete")
def delete_saved(request: Request, store: StoreDep, load: Annotated[str, Form(max_length=200)],
                 csrf: Annotated[Optional[str], Form(alias=CSRF_FIELD)] = None):
    library_writer(request, store, "profile_delete", "profile", load, csrf=csrf)
    if not forget_profile(store, load):
        raise ApiError("not_found", f"没有名为“{load}”的档案。")
    return RedirectResponse("/match", status_code=303)


@router.post("/match/push")
def push_download(
    request: Request, store: StoreDep,
    file: Annotated[UploadFile, File()],
    as_of: Annotated[Optional[str], Form(max_length=10)] = None,
    format: Annotated[Literal["xlsx", "csv"], Form()] = "xlsx",  # noqa: A002
    include_unknown: Annotated[bool, Form()] = False,
    csrf: Annotated[Optional[str], Form(alias=CSRF_FIELD)] = None,
):
    """The push list of an uploaded register, as a file (errors: the Chinese error page)."""
    # A register holds firms' data: once accounts exist, only a writer may run it (refusals audited).
    library_writer(request, store, "match_batch", "register", file.filename, csrf=csrf)
    if not file.filename:
        raise ApiError("bad_request", "请先选择企业名单文件。")
    profiles = read_register(file.filename, file.file, request.app.state.max_upload_bytes)
    rules = Rules.load(store)
    rows = Batch(profiles, rules.book.active(), as_of_date(as_of)).push_list(include_unknown=include_unknown)
    media = XLSX if format == "xlsx" else "text/csv; charset=utf-8"
    return Response(rows_file(rows, format), media_type=media, headers={"Content-Disposition": f'attachment; filename="push_list.{format}"'})


# ------------------------------------------------------------------- 规则库


@router.get("/rules")
def rules_page(
    request: Request, store: StoreDep,
    status: Annotated[Optional[Literal["", "machine", "reviewed", "rejected", "stale", "needs_review"]], Query()] = None,
    doc: Annotated[Optional[str], Query(max_length=300)] = None,
    q: Annotated[Optional[str], Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    from .pages import pager

    rules = Rules.load(store)
    doc_id = store.resolve(doc) if doc else None
    shown = [r for r in rules.book if rule_matches(r, status or None, q or None) and (doc_id is None or rules.doc_id(r) == doc_id)]
    docs = sorted({(rules.doc_id(r), r.id.rsplit(":", 2)[0]) for r in rules.book if rules.doc_id(r) is not None})
    return _page(
        request, "rules.html",
        rules=[summary(rules, r) for r in shown[offset : offset + RULES_PAGE]], counts=rule_counts(rules.book.rules),
        total=len(rules.book), filters={"status": status or "", "doc": doc_id, "q": q or ""}, docs=docs,
        status_labels=RULE_STATUS_LABELS, pager=pager(request, len(shown), offset, RULES_PAGE),
    )


@router.get("/rules/{rule_id:path}")
def rule_page(request: Request, rule_id: str, store: StoreDep):
    rules = Rules.load(store)
    rule = rules.get(rule_id)
    history = review_history(store, rule_id)
    return _page(
        request, "rule.html",
        rule=rule, info=summary(rules, rule), yaml=dump_rules([rule]), history=history, state=rule_status(rule),
        status_labels=RULE_STATUS_LABELS, fact_label=label, word=word, op_words=_OP_WORDS,
    )
