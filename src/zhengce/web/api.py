"""The JSON API under /api/v1.  Documents are addressed like in the CLI: an
id, a 发文字号 or a unique part of a title."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse

from ..extract import TYPES
from ..model import Extraction as Record
from ..search import Filters, SearchEngine
from ..store import DocSummary, Store
from . import queries, schemas, upload
from .deps import get_engine, get_store
from .. import monitor as m
from .auth import library_writer, may_delete
from .errors import ApiError, error_body
from .reader import ancestors

_ERR = {"model": schemas.ErrorResponse}
router = APIRouter(prefix="/api/v1", tags=["api"], responses={400: _ERR | {"description": "Bad parameters"}})
_FOUND = {404: _ERR | {"description": "No such document or node"}}

StoreDep = Annotated[Store, Depends(get_store)]
EngineDep = Annotated[SearchEngine, Depends(get_engine)]
DocRef = Annotated[str, Path(description="document id, 发文字号 or a unique part of its title")]
# Empty means "any": an HTML form sends its unset filters as empty strings.
Year = Annotated[Optional[str], Query(pattern=r"^(\d{4})?$", description="a year, e.g. 2021")]
ExtractionType = Literal[TYPES]  # type: ignore[valid-type]


def summary(d: DocSummary, counts: dict[str, int]) -> schemas.DocumentSummary:
    return schemas.DocumentSummary(**vars(d), extractions=counts)


def record(doc_id: int, r: Record) -> schemas.Extraction:
    return schemas.Extraction(doc_id=doc_id, **r.to_dict())


@router.get("/documents", response_model=schemas.DocumentList, summary="List documents")
def list_documents(
    store: StoreDep,
    issuer: Annotated[Optional[str], Query(max_length=200, description="发文机关 (exact)")] = None,
    year: Year = None,
    q: Annotated[Optional[str], Query(max_length=200, description="words in the title, 发文字号 or file name")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    docs = queries.filter_documents(store.list_documents(), queries.DocFilters(issuer, year, q))
    counts = queries.extraction_counts(store)
    page = docs[offset : offset + limit]
    return schemas.DocumentList(total=len(docs), documents=[summary(d, counts.get(d.id, {})) for d in page])


@router.post(
    "/documents", response_model=schemas.UploadResponse, summary="Upload and ingest files",
    responses={c: {"model": schemas.UploadFailure, "description": "Every file failed"} for c in (413, 415, 422)},
)
def upload_documents(
    request: Request, store: StoreDep,
    files: Annotated[list[UploadFile], File(description=".txt .md .html .docx .pdf or .zip; several allowed")],
):
    user = library_writer(request, store, "library_upload", "document", ",".join(upload.clean_name(f.filename) for f in files))
    results = upload.ingest_files(store, files, request.app.state.max_upload_bytes, user)
    status = upload.batch_status(results)
    body = schemas.UploadResponse(results=results, counts=upload.counts(results)).model_dump()
    if status != 200:
        first = results[0].error
        body = error_body(first.code, first.message) | body
    return JSONResponse(body, status_code=status)


def _summary_of(store: Store, doc_id: int) -> schemas.DocumentSummary:
    return summary(store.summary(doc_id), queries.type_counts(store, doc_id))


@router.get("/documents/{doc}", response_model=schemas.DocumentDetail, responses=_FOUND, summary="One document")
def get_document(doc: DocRef, store: StoreDep):
    doc_id = store.resolve(doc)
    head = store.document_head(doc_id)  # not the text and its character map: those are /text and /nodes
    return schemas.DocumentDetail(
        **_summary_of(store, doc_id).model_dump(), elements=head["elements"], repairs=head["repairs"],
        notes=[n.to_dict() for n in head["notes"]], toc=head["toc"],
    )


# Errors stay JSON even where success is plain text; FastAPI would document them as text/plain.
_JSON_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}


@router.delete("/documents/{doc}", response_model=schemas.Deleted, responses=_FOUND, summary="Delete a document's source")
def delete_document(doc: DocRef, store: StoreDep, request: Request):
    """Remove the file the document came from and every document in it; search forgets them before its next query."""
    user = library_writer(request, store, "library_delete", "document", doc)
    may_delete(store, user, doc)
    path, ids = store.delete_with_source(doc)
    if user is not None:
        m.audit.log(store, user, "library_delete", "document", doc, detail={"path": path, "documents": len(ids)})
    return schemas.Deleted(source=path, documents=ids)


@router.get(
    "/documents/{doc}/text", response_class=PlainTextResponse, summary="Restored text",
    responses={400: _JSON_ERROR | {"description": "Bad parameters"}, 404: _JSON_ERROR | {"description": "No such document"}},
)
def get_text(doc: DocRef, store: StoreDep):
    return PlainTextResponse(store.get_document(doc).text)


@router.get("/documents/{doc}/nodes", response_model=list[schemas.NodeOut], responses=_FOUND, summary="Nodes in order")
def get_nodes(
    doc: DocRef, store: StoreDep,
    kind: Annotated[Optional[str], Query(max_length=200, description="only these kinds, comma-separated")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=5000, description="nodes per page")] = 1000,
):
    kinds = set(kind.split(",")) if kind else None
    nodes = [n for n in store.nodes(doc) if kinds is None or n.kind in kinds]
    return [n.to_dict() for n in nodes[offset: offset + limit]]


@router.get("/documents/{doc}/nodes/{node_id}", response_model=schemas.NodeDetail, responses=_FOUND, summary="One node")
def get_node(doc: DocRef, node_id: str, store: StoreDep):
    doc_id = store.resolve(doc)
    d = store.get_document(doc_id)
    node = next((n for n in d.nodes if n.id == node_id), None)
    if node is None:
        raise ApiError("not_found", f"document {doc_id} has no node {node_id!r}")
    ref = lambda n: schemas.NodeRef(id=n.id, kind=n.kind, label=n.label, title=n.title)  # noqa: E731
    return schemas.NodeDetail(
        **node.to_dict(), doc_id=doc_id,
        path=[ref(n) for n in ancestors(d.nodes, node.id)],
        children=[ref(n) for n in d.nodes if n.parent == node.id],
        extractions=[record(doc_id, r) for _i, r in store.extractions(doc_id) if r.node == node.id],
    )


@router.get("/extractions", response_model=schemas.ExtractionList, responses=_FOUND, summary="Extraction records")
def get_extractions(
    store: StoreDep,
    type: Annotated[Optional[ExtractionType], Query(description="one extraction type")] = None,  # noqa: A002
    doc: Annotated[Optional[str], Query(max_length=300, description="document id, 发文字号 or title part")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    pairs = store.extractions(doc if doc not in (None, "") else None, type)
    page = pairs[offset : offset + limit]
    return schemas.ExtractionList(total=len(pairs), limit=limit, offset=offset, records=[record(i, r) for i, r in page])


def search_filters(
    doc: Annotated[Optional[str], Query(max_length=300, description="document id, 发文字号 or title part")] = None,
    issuer: Annotated[Optional[str], Query(max_length=200, description="part of the 发文机关")] = None,
    year: Year = None,
    region: Annotated[Optional[str], Query(max_length=100, description="place the document or clause is about")] = None,
    kind: Annotated[Optional[str], Query(max_length=200, description="node kinds, comma-separated")] = None,
    extraction: Annotated[Optional[str], Query(max_length=200, description="extraction types, comma-separated")] = None,
) -> Filters:
    return Filters(doc=doc or None, issuer=issuer or None, year=int(year) if year else None, region=region or None,
                   kind=kind or None, extraction=extraction or None)


Question = Annotated[str, Query(min_length=1, max_length=200, pattern=r"\S", description="words or a question")]


@router.get("/search", response_model=schemas.SearchResponse, responses=_FOUND, summary="Search clauses")
def search(
    engine: EngineDep, q: Question, filters: Annotated[Filters, Depends(search_filters)],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
):
    res = engine.search(q, limit=limit, offset=offset, filters=filters)
    return {**res.to_dict(), "limit": limit, "offset": offset}


@router.get("/ask", response_model=schemas.AskResponse, summary="Answer a question with citations")
def ask(engine: EngineDep, q: Question):
    from ..ask import ask as answer

    return answer(engine, q).to_dict()


# 政策直达: rules, facts, matching, saved profiles, push lists, review (match_api.py).
from . import match_api  # noqa: E402 (after this module's routes: its router shares the prefix)

router.include_router(match_api.router)
