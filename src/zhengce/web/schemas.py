"""Response models of the JSON API (they make the OpenAPI schema)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

ErrorCode = Literal["not_found", "bad_request", "unauthorized", "forbidden", "conflict", "too_large", "unsupported_type", "unprocessable"]


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
    notices: list[str] = Field(default=[], description="in Chinese: a document that duplicates, excerpts or is a new version of a stored one")
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


# ---------------------------------------------------------------- 政策直达 (docs/match.md)

Number = Optional[int | float]  # as the library computes it: 1000, not 1000.0


class RuleSource(BaseModel):
    """The clause a rule cites; `doc_id` + `node` link into the reader (null: the document is gone)."""

    model_config = ConfigDict(extra="allow")
    doc: Optional[str] = Field(description="the document's title")
    doc_number: Optional[str] = Field(default=None, description="发文字号")
    doc_key: Optional[str] = None
    doc_id: Optional[int] = None
    node: Optional[str] = None
    quote: str
    line_start: Optional[int] = None
    line_end: Optional[int] = None


class RuleSummary(BaseModel):
    id: str = Field(description="e.g. 湘政发〔2024〕7号:n12:1")
    title: str
    status: Literal["machine", "reviewed", "rejected"] = Field(description="derived from a benefit clause, reviewed, or rejected by a reviewer")
    stale: Optional[str] = Field(description="why a reviewed rule's clause no longer holds its quote (null: it does)")
    review_version: Optional[int]
    reviewer: Optional[str]
    reviewed_at: Optional[str]
    conditions: int = Field(description="number of conditions")
    benefit_kind: str
    amount: Optional[dict[str, Any]] = Field(description="{min, max, unit} as stated")
    cap: Optional[dict[str, Any]] = Field(description="{value, unit, per}")
    notes: list[str] = Field(description="what a reviewer should look at")
    source: RuleSource


class RuleList(BaseModel):
    total: int
    limit: int
    offset: int
    counts: dict[str, int] = Field(description="rules per status over the whole book: machine, reviewed, rejected, stale, needs_review")
    rules: list[RuleSummary]


class RuleBody(BaseModel):
    """A rule in its file form (docs/match.md: what `zhengce rules export` writes)."""

    model_config = ConfigDict(extra="allow")
    id: str
    title: str
    source: RuleSource
    target_group: Optional[str]
    conditions: list[dict[str, Any]]
    benefit: dict[str, Any]
    agencies: list[str]
    where_to_apply: Optional[str]
    how_to_apply: Optional[str]
    valid_from: Optional[str]
    valid_to: Optional[str]
    origin: Literal["machine", "reviewed"]


class ReviewVersion(BaseModel):
    model_config = ConfigDict(extra="allow")
    rule_id: str
    version: int
    status: Literal["approved", "rejected", "withdrawn"]
    reviewer: Optional[str]
    note: Optional[str]
    reviewed_at: str
    rule: dict[str, Any] = Field(description="the rule as stored in this version")


class RuleDetail(BaseModel):
    rule: RuleBody
    yaml: str = Field(description="the rule as a review file (zhengce rules show)")
    history: list[ReviewVersion] = Field(description="every stored review version, oldest first")


class FactOut(BaseModel):
    name: str
    type: Literal["number", "bool", "text", "enum", "set", "date"]
    label: str = Field(description="中文名")
    unit: Optional[str]
    choices: list[str]
    profile_field: bool = Field(description="a top-level profile field (else under `facts`)")
    description: str
    rules: int = Field(description="how many active rules ask it")


class FactList(BaseModel):
    total: int
    facts: list[FactOut]


_PROFILE_EXAMPLE = {
    "name": "长春某药业股份有限公司", "kind": "enterprise", "province": "吉林省", "city": "长春市",
    "industries": ["医药健康"], "annual_revenue_wan": "12亿元", "hq_in_province": True, "main_business_in_province": True,
    "listing": {"board": "科创板", "date": "2021-09-01"}, "facts": {"size": "medium"},
}


class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"profile": _PROFILE_EXAMPLE, "as_of": "2021-10-01"}]})
    profile: Optional[dict[str, Any]] = Field(default=None, description="an enterprise profile (docs/match.md); or `saved`")
    saved: Optional[str] = Field(default=None, max_length=200, description="the name of a saved profile instead of `profile`")
    as_of: Optional[date] = Field(default=None, description="evaluate as of this date (default today)")


class Condition(BaseModel):
    """One condition's result; `any`/`all` groups carry their parts under `any`/`all`."""

    model_config = ConfigDict(extra="allow")
    result: Literal["true", "false", "unknown"]
    fact: str
    label: str
    op: str
    value: Any
    unit: Optional[str]
    actual: Any = Field(description="the profile's value (null: not given)")
    text: str = Field(description="the clause's words")
    explanation: str


class Amount(BaseModel):
    model_config = ConfigDict(extra="allow")
    min: Number = Field(description="null: not stated, or 'up to'")
    max: Number
    unit: Optional[str]
    cap: Optional[dict[str, Any]] = Field(description="{value, unit, per, applied}")
    formula: str = Field(description="how the amount was computed")


class MatchResult(BaseModel):
    """One rule for the profile, exactly as `zhengce match --json` prints it."""

    rule: str
    title: str
    status: Literal["eligible", "ineligible", "unknown"]
    explanation: list[Condition]
    missing: list[str] = Field(description="facts to provide (non-empty iff unknown)")
    amount: Amount
    agencies: list[str]
    where_to_apply: Optional[str]
    source: RuleSource
    target_group: Optional[str]
    benefit_kind: str
    valid_from: Optional[str]
    valid_to: Optional[str]
    validity: Optional[str]
    origin: Literal["machine", "reviewed"]
    stale: Optional[str]


class MatchResponse(BaseModel):
    as_of: str
    profile: dict[str, Any] = Field(description="the profile as validated (its file form)")
    counts: dict[str, int] = Field(description="rules per status: eligible, unknown, ineligible")
    results: list[MatchResult] = Field(description="eligible first, then unknown, then ineligible")


class ProfileInfo(BaseModel):
    id: int
    name: str
    saved_at: str


class ProfileList(BaseModel):
    profiles: list[ProfileInfo]


class SavedProfile(BaseModel):
    name: str
    saved_at: str
    profile: dict[str, Any]


class PushRow(BaseModel):
    """A row of the push list / reverse list (the columns of `zhengce match --enterprises`)."""

    enterprise: str
    rule: str
    title: str
    status: Literal["eligible", "ineligible", "unknown"]
    amount_min: Number
    amount_max: Number
    unit: Optional[str]
    cap_applied: bool
    formula: str
    missing: str = Field(description="the facts to provide, 、-separated (unknown rows)")
    agencies: str
    where_to_apply: str
    doc: str
    doc_number: str
    node: Optional[str]
    line_start: Optional[int]
    line_end: Optional[int]
    quote: Optional[str]


class PushList(BaseModel):
    as_of: str
    enterprises: int
    rules: int
    counts: dict[str, int] = Field(description="enterprise × rule pairs per status")
    rows: list[PushRow]


class ReverseList(BaseModel):
    rule: str
    title: str
    as_of: str
    counts: dict[str, int] = Field(description="enterprises per status")
    rows: list[PushRow] = Field(description="every enterprise of the register, eligible first")


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: Optional[dict[str, Any]] = Field(default=None, description="the corrected rule (file form); omitted: the rule as it is")
    reviewer: Optional[str] = Field(default=None, max_length=100)
    note: Optional[str] = Field(default=None, max_length=2000)
    replace: bool = Field(default=False, description="add a new version over a different stored review (else 409)")
    reject: bool = Field(default=False, description="store it as rejected: left out of matching")


class ReviewResult(BaseModel):
    rule_id: str
    version: int
    status: Literal["approved", "rejected", "withdrawn"]
    rule: Optional[RuleBody] = Field(description="the rule matching now uses under this id (null: none)")
