"""The pages people use: 文库, 文档阅读, 检索, 问答, 抽取结果 (server-rendered, Chinese)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Optional
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from ..export import export_csv, export_xlsx
from ..search import Filters
from ..store import Store
from . import queries, reader, upload
from .api import EngineDep, ExtractionType, StoreDep, Year, search_filters
from .auth import CSRF_FIELD, library_writer, write_access
from .errors import ApiError
from .labels import COLORS, KEY_FIELDS, NOTE_KINDS, REPAIR_PASSES, TYPE_LABELS
from .templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
PAGE_SIZE = 10
TABLE_PAGE = 100


def page(request: Request, name: str, status: int = 200, **context):
    return templates.TemplateResponse(request, name, context, status_code=status)


def pager(request: Request, total: int, offset: int, size: int) -> dict:
    """Links to the previous/next page of a listing, keeping the other query parameters."""
    params = {k: v for k, v in request.query_params.items() if k != "offset" and v}

    def link(o: int) -> str:
        return "?" + urlencode(params | ({"offset": o} if o else {}))

    return {
        "total": total, "first": offset + 1 if total else 0, "last": min(offset + size, total),
        "prev": link(max(offset - size, 0)) if offset > 0 else None,
        "next": link(offset + size) if offset + size < total else None,
    }


# ------------------------------------------------------------------- 文库

def _library(request: Request, store: Store, issuer=None, year=None, q=None, results=None, status=200):
    docs = store.list_documents()
    shown = queries.filter_documents(docs, queries.DocFilters(issuer, year, q))
    return page(
        request, "library.html", status,
        docs=shown, total=len(docs), counts=queries.extraction_counts(store), facets=queries.library_facets(docs),
        filters={"issuer": issuer or "", "year": year or "", "q": q or ""}, results=results,
        accept=",".join(sorted(upload.ALLOWED_SUFFIXES)), max_mb=request.app.state.max_upload_bytes / 2**20,
        write=write_access(request, store),
    )


@router.get("/")
def library(
    request: Request, store: StoreDep,
    issuer: Optional[str] = None, year: Year = None, q: Optional[str] = None,
):
    return _library(request, store, issuer, year, q)


@router.post("/upload")
def upload_page(request: Request, store: StoreDep, files: Annotated[list[UploadFile], File()] = None,
                csrf: Annotated[Optional[str], Form(alias=CSRF_FIELD)] = None):
    files = [f for f in files or [] if f.filename]  # a form sent without a file has one empty part
    user = library_writer(request, store, "library_upload", "document", ",".join(upload.clean_name(f.filename) for f in files),
                          csrf=csrf)
    if not files:
        raise ApiError("bad_request", "请先选择要导入的文件。")
    results = upload.ingest_files(store, files, request.app.state.max_upload_bytes, user)
    return _library(request, store, results=results, status=upload.batch_status(results))


# ------------------------------------------------------------------- 文档阅读

@router.get("/doc/{doc}")
def document(
    request: Request, doc: str, store: StoreDep,
    hl: Annotated[Optional[str], Query(max_length=50)] = None,
    view: Annotated[Optional[str], Query(pattern="^(text|original)$")] = None,
):
    doc_id = store.resolve(doc)
    d = store.get_document(doc_id)
    records = [r for _i, r in store.extractions(doc_id)]
    notes = d.notes
    blocks = reader.blocks(d, records)
    per_type = {t: sum(r.type == t for r in records) for t in COLORS}
    return page(
        request, "document.html",
        doc=d, doc_id=doc_id, blocks=blocks, outline=[b for b in blocks if b.outline], hl=hl,
        view=view or "text", records=reader.panel_records(records), per_type=per_type,
        hidden={"entity"},  # thousands of names drown the clauses; one click shows them
        lines=reader.original_lines(d, store.source_text(doc_id), notes), notes=notes,
        repairs=[(REPAIR_PASSES.get(k, k), v) for k, v in d.repairs.items()], note_kinds=NOTE_KINDS,
        colors=COLORS, related=store.related(doc_id),
    )


# ------------------------------------------------------------------- 检索

@router.get("/search")
def search_page(
    request: Request, engine: EngineDep, filters: Annotated[Filters, Depends(search_filters)],
    q: Annotated[str, Query(max_length=200)] = "",
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
):
    result = engine.search(q, limit=PAGE_SIZE, offset=offset, filters=filters) if q.strip() else None
    return page(
        request, "search.html", q=q, result=result, facets=engine.facets(), filters=filters,
        pager=pager(request, result.total, offset, PAGE_SIZE) if result else None,
    )


# ------------------------------------------------------------------- 问答

@router.get("/ask")
def ask_page(request: Request, engine: EngineDep, store: StoreDep, q: Annotated[str, Query(max_length=200)] = ""):
    from ..ask import ask

    answer = ask(engine, q).to_dict() if q.strip() else None
    ids = queries.doc_ids_by_key(store) if answer and answer["facts"] else {}
    return page(request, "ask.html", q=q, answer=answer, doc_ids=ids, key_fields=KEY_FIELDS)


# ------------------------------------------------------------------- 抽取结果

@router.get("/extractions")
def extractions_page(
    request: Request, store: StoreDep,
    type: Optional[ExtractionType] = None,  # noqa: A002
    doc: Annotated[Optional[str], Query(max_length=300)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    doc_id = store.resolve(doc) if doc else None
    pairs = store.extractions(doc_id, type)
    rows = pairs[offset : offset + TABLE_PAGE]
    params = urlencode({k: v for k, v in (("type", type), ("doc", doc_id)) if v})
    return page(
        request, "extractions.html", type=type, doc_id=doc_id, rows=rows, docs=store.list_documents(),
        counts=queries.type_counts(store, doc_id), types=list(TYPE_LABELS), key_fields=KEY_FIELDS,
        pager=pager(request, len(pairs), offset, TABLE_PAGE), params=params,
    )


def _records(store: Store, type_: str | None, doc: str | None):
    return [r for _i, r in store.extractions(store.resolve(doc) if doc else None, type_)]


@router.get("/extractions.csv")
def extractions_csv(
    store: StoreDep, type: ExtractionType,  # noqa: A002
    doc: Annotated[Optional[str], Query(max_length=300)] = None,
):
    records = _records(store, type, doc)
    with tempfile.TemporaryDirectory() as tmp:
        written = export_csv(records, Path(tmp))
        data = written[0].read_bytes() if written else "\ufeff".encode()  # no records: an empty sheet
    return Response(data, media_type="text/csv; charset=utf-8", headers=_attachment(f"{type}.csv"))


@router.get("/extractions.xlsx")
def extractions_xlsx(
    store: StoreDep, type: Optional[ExtractionType] = None,  # noqa: A002
    doc: Annotated[Optional[str], Query(max_length=300)] = None,
):
    records = _records(store, type, doc)
    with tempfile.TemporaryDirectory() as tmp:
        (path,) = export_xlsx(records, Path(tmp) / "extractions.xlsx")
        data = path.read_bytes()
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media, headers=_attachment(f"{type or 'extractions'}.xlsx"))


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


# ------------------------------------------------------------------- 政策直达, 规则库 (match_pages.py)
from . import match_pages  # noqa: E402

router.include_router(match_pages.router)
