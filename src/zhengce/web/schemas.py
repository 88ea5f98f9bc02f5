"""Response models of the JSON API (they make the OpenAPI schema)."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

ErrorCode = Literal["not_found", "bad_request", "too_large", "unsupported_type", "unprocessable"]


class ErrorBody(BaseModel):
    code: ErrorCode
    message: str = Field(description="One line naming the input and the reason.")


class ErrorResponse(BaseModel):
    error: ErrorBody


class DocumentSummary(BaseModel):
    id: int
    title: Optional[str]
    doc_number: Optional[str] = Field(description="发文字号")
    issuer: Optional[str] = Field(description="发文机关")
    date: Optional[str] = Field(description="成文日期 YYYY-MM-DD")
    source_path: str
    line_start: int
    line_end: int
    node_count: int
    char_count: int
    repairs_total: int
    notes_count: int
    extractions: dict[str, int] = Field(description="records per extraction type")


class DocumentList(BaseModel):
    total: int
    documents: list[DocumentSummary]


class NoteOut(BaseModel):
    kind: str
    text: str
    line: int


class DocumentDetail(DocumentSummary):
    elements: dict[str, Any]
    repairs: dict[str, int] = Field(description="repairs per restoration pass")
    notes: list[NoteOut] = Field(description="what was reported rather than fixed")
    toc: list[dict[str, Any]]


class NodeOut(BaseModel):
    id: str
    parent: Optional[str]
    kind: str
    label: Optional[str]
    title: Optional[str]
    text: str
    line_start: int
    line_end: int
    span: list[int] = Field(min_length=2, max_length=2, description="[start, end) in the document text")
    attrs: dict[str, Any] = {}


class NodeRef(BaseModel):
    id: str
    kind: str
    label: Optional[str]
    title: Optional[str]


class Extraction(BaseModel):
    """A grounded record: `quote == text[span[0]:span[1]]`; the type's own fields follow."""

    model_config = ConfigDict(extra="allow")
    type: str
    doc: Optional[str]
    doc_id: int
    doc_key: str
    node: str
    quote: str
    span: list[int]
    line_start: int
    line_end: int


class NodeDetail(NodeOut):
    doc_id: int
    path: list[NodeRef] = Field(description="ancestors, outermost first")
    children: list[NodeRef]
    extractions: list[Extraction]


class ExtractionList(BaseModel):
    total: int
    limit: int
    offset: int
    records: list[Extraction]


class Hit(BaseModel):
    model_config = ConfigDict(extra="allow")
    doc_id: int
    doc: Optional[str]
    doc_number: Optional[str]
    node: str
    label: Optional[str]
    kind: str
    path: str
    snippet: str
    highlights: list[list[int]]
    score: float
    line_start: int
    line_end: int


class SearchResponse(BaseModel):
    query: str
    total: int
    limit: int
    offset: int
    hits: list[Hit]


class Citation(BaseModel):
    model_config = ConfigDict(extra="allow")
    doc: Optional[str]
    doc_id: int
    node: str
    quote: str
    line_start: int
    line_end: int


class AskResponse(BaseModel):
    question: str
    answer: str
    found: bool
    citations: list[Citation]
    facts: list[dict[str, Any]]


class StoredDoc(BaseModel):
    id: int
    title: Optional[str]
    doc_number: Optional[str]


class UploadResult(BaseModel):
    file: str = Field(description="the uploaded file, or archive!member")
    status: Literal["added", "replaced", "unchanged", "failed"]
    documents: list[StoredDoc] = []
    error: Optional[ErrorBody] = None


class UploadResponse(BaseModel):
    results: list[UploadResult]
    counts: dict[str, int]


class Deleted(BaseModel):
    source: str = Field(description="path of the source removed")
    documents: list[int] = Field(description="ids of the documents that came from it")


class UploadFailure(ErrorResponse):
    """Every file of the request failed: the first failure is the error."""

    results: list[UploadResult]
    counts: dict[str, int]
