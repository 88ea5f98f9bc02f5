"""政策直达 in the JSON API (under /api/v1, included by api.py): rules, the fact
vocabulary, matching a profile, saved profiles, the push list and the reverse
question over an uploaded register, and the review workflow — the library
calls `zhengce match` / `zhengce rules` make, with the API's one error shape.

Rule ids are percent-encoded in a path (`湘政发〔2024〕7号:n12:1`); one made of
a file name carries a `#` (`001_….txt#1:n104:1`), which must be encoded too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from fastapi import APIRouter, Body, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response

from ..match import (
    Batch, ProfileError, RuleError, RuleExists, delete_profile, dump_rules, list_profiles, match, parse_profile, review,
    review_history, save_profile, withdraw,
)
from ..match import get_profile as load_saved
from ..match.book import canonical_id
from ..store import Store
from . import schemas
from .deps import get_store
from .auth import library_writer
from .errors import ApiError
from .matching import XLSX, Rules, as_of_date, counts, read_register, rows_file, rule_counts, rule_matches, summary

_ERR = {"model": schemas.ErrorResponse}
router = APIRouter(tags=["政策直达"])
StoreDep = Annotated[Store, Depends(get_store)]
RuleId = Annotated[str, Path(description="rule id, e.g. 湘政发〔2024〕7号:n12:1 (percent-encoded)")]
ProfileName = Annotated[str, Path(max_length=200, description="the name a profile is saved under")]
_RULE_404 = {404: _ERR | {"description": "No such rule"}}
_PROFILE_422 = {422: _ERR | {"description": "The profile does not validate: one line naming the field and the reason"}}
_REGISTER = {c: _ERR | {"description": d} for c, d in (
    (413, "The register is too large"), (415, "Not a CSV, XLSX, JSON or YAML register"),
    (422, "A row does not validate: the file, row, field and reason"))}
Format = Literal["json", "csv", "xlsx"]


def _profile(data: Any, where: str = "profile"):
    try:
        return parse_profile(data, where)
    except ProfileError as e:
        raise ApiError("unprocessable", str(e)) from None


# ---------------------------------------------------------------------- rules, facts


@router.get("/rules", response_model=schemas.RuleList, responses={404: _ERR | {"description": "No such document"}}, summary="List rules")
def list_rules(
    store: StoreDep,
    status: Annotated[Optional[Literal["", "machine", "reviewed", "rejected", "stale", "needs_review"]], Query(
        description="machine | reviewed | rejected | stale (reviewed, clause changed) | needs_review (machine rules with notes)")] = None,
    doc: Annotated[Optional[str], Query(max_length=300, description="document id, 发文字号 or title part")] = None,
    q: Annotated[Optional[str], Query(max_length=200, description="words in the id, title or quote")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    rules = Rules.load(store)
    doc_id = store.resolve(doc) if doc else None
    shown = [r for r in rules.book if rule_matches(r, status or None, q or None) and (doc_id is None or rules.doc_id(r) == doc_id)]
    return schemas.RuleList(
        total=len(shown), limit=limit, offset=offset, counts=rule_counts(rules.book.rules),
        rules=[summary(rules, r) for r in shown[offset : offset + limit]],
    )


def rule_body(rules: Rules, rule) -> dict[str, Any]:
    return dict(rule.to_dict(), source=rules.source(rule))


@router.get("/rules/{rule_id:path}", response_model=schemas.RuleDetail, responses=_RULE_404, summary="One rule, its file form and review history")
def get_rule(rule_id: RuleId, store: StoreDep):
    rules = Rules.load(store)
    rule = rules.get(rule_id)
    return schemas.RuleDetail(rule=rule_body(rules, rule), yaml=dump_rules([rule]), history=review_history(store, rule_id))


@router.get("/facts", response_model=schemas.FactList, summary="The fact vocabulary (zhengce match --list-facts)")
def list_facts(store: StoreDep):
    facts = Rules.load(store).book.vocabulary().to_list()
    return schemas.FactList(total=len(facts), facts=facts)


# ---------------------------------------------------------------------- matching


@router.post("/match", response_model=schemas.MatchResponse, responses=_PROFILE_422 | {404: _ERR | {"description": "No such saved profile"}},
             summary="Match a profile against every rule")
def match_profile(body: schemas.MatchRequest, store: StoreDep):
    """Every active rule for the profile: eligible / unknown / ineligible, why, how much and where
    it is written — one object per rule exactly as `zhengce match --json` prints it."""
    if (body.profile is None) == (body.saved is None):
        raise ApiError("bad_request", "give one of profile (an object) or saved (a saved profile's name)")
    profile = _saved(store, body.saved) if body.saved is not None else _profile(body.profile)
    rules = Rules.load(store)
    as_of = as_of_date(body.as_of)
    results = [rules.result(r) for r in match(profile, rules.book, as_of)]
    return {"as_of": as_of, "profile": profile.to_dict(), "counts": counts(results), "results": results}


def _saved(store: Store, name: str):
    try:
        return load_saved(store, name)
    except KeyError:
        raise ApiError("not_found", f"no saved profile {name!r}") from None
    except ProfileError as e:  # saved under an older vocabulary
        raise ApiError("unprocessable", str(e)) from None


def _register_rows(rows: list[dict], fmt: str, name: str, payload: dict) -> Any:
    if fmt == "json":
        return payload
    media = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    return Response(rows_file(rows, fmt), media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


_FILE_OUT = {"content": {"text/csv": {}, XLSX: {}}, "description": "JSON, or with format=csv|xlsx the file"}
Register = Annotated[UploadFile, File(description="the enterprises: CSV (columns as docs/match.md), XLSX (the same on the first sheet), JSON or YAML")]
AsOfForm = Annotated[Optional[str], Form(max_length=10, description="YYYY-MM-DD (default today)")]
FormatForm = Annotated[Format, Form(description="json, or a csv / xlsx file")]


@router.post("/match/batch", response_model=schemas.PushList, responses={200: _FILE_OUT} | _REGISTER, summary="Push list for a register (免申即享)")
def match_batch(
    request: Request, store: StoreDep, file: Register, as_of: AsOfForm = None, format: FormatForm = "json",  # noqa: A002
    include_unknown: Annotated[bool, Form(description="also the rules an enterprise may qualify for, with what is missing")] = False,
):
    """One row per enterprise and rule it is eligible for (with include_unknown also the unknown
    ones), with the computed amount and the citation — `zhengce match --enterprises`.  Once
    accounts exist it needs a writer's login or API token, like other writes (a register is firms' data)."""
    library_writer(request, store, "match_batch", "register", file.filename)
    profiles = read_register(file.filename, file.file, request.app.state.max_upload_bytes)
    rules = Rules.load(store)
    when = as_of_date(as_of)
    batch = Batch(profiles, rules.book.active(), when)
    rows = batch.push_list(include_unknown=include_unknown)
    payload = {"as_of": when, "enterprises": len(profiles), "rules": len(batch.rules), "counts": batch.counts(), "rows": rows}
    return _register_rows(rows, format, "push_list", payload)


@router.post("/rules/{rule_id:path}/enterprises", response_model=schemas.ReverseList, responses={200: _FILE_OUT} | _RULE_404 | _REGISTER,
             summary="Which enterprises of a register qualify for one rule")
def match_reverse(request: Request, rule_id: RuleId, store: StoreDep, file: Register, as_of: AsOfForm = None, format: FormatForm = "json"):  # noqa: A002
    """Every enterprise of the register with its status for the rule, eligible first — `zhengce match --enterprises F --rule ID`."""
    library_writer(request, store, "match_batch", "register", file.filename)
    rules = Rules.load(store)
    rule = rules.get(rule_id)
    if not rule.active:
        raise ApiError("not_found", f"rule {rule_id!r} was rejected by a reviewer: it is left out of matching")
    profiles = read_register(file.filename, file.file, request.app.state.max_upload_bytes)
    when = as_of_date(as_of)
    rows = Batch(profiles, [rule], when).reverse(rule.id)
    payload = {"rule": rule.id, "title": rule.title, "as_of": when, "counts": counts(rows), "rows": rows}
    return _register_rows(rows, format, "enterprises", payload)


# ---------------------------------------------------------------------- saved profiles


@router.get("/profiles", response_model=schemas.ProfileList, summary="Saved profiles")
def get_profiles(store: StoreDep):
    return {"profiles": list_profiles(store)}


def _saved_info(store: Store, name: str) -> dict:
    row = next((p for p in list_profiles(store) if p["name"] == name), None)
    if row is None:
        raise ApiError("not_found", f"no saved profile {name!r}")
    return row


@router.get("/profiles/{name}", response_model=schemas.SavedProfile, responses={404: _ERR | {"description": "No such profile"}} | _PROFILE_422,
            summary="One saved profile")
def get_profile(name: ProfileName, store: StoreDep):
    info = _saved_info(store, name)
    return {"name": name, "saved_at": info["saved_at"], "profile": _saved(store, name).to_dict()}


@router.put("/profiles/{name}", response_model=schemas.SavedProfile, responses=_PROFILE_422, summary="Save (or replace) a profile")
def put_profile(
    name: ProfileName, store: StoreDep, request: Request,
    profile: Annotated[dict[str, Any], Body(description="the profile object (docs/match.md)", examples=[schemas._PROFILE_EXAMPLE])],
):
    library_writer(request, store, "profile_save", "profile", name)
    if not name.strip():
        raise ApiError("bad_request", "a profile needs a name")
    p = _profile(profile, name)
    save_profile(store, name, p)
    return {"name": name, "saved_at": _saved_info(store, name)["saved_at"], "profile": p.to_dict()}


@router.delete("/profiles/{name}", response_model=schemas.ProfileInfo, responses={404: _ERR | {"description": "No such profile"}},
               summary="Delete a saved profile")
def remove_profile(name: ProfileName, store: StoreDep, request: Request):
    library_writer(request, store, "profile_delete", "profile", name)
    info = _saved_info(store, name)
    delete_profile(store, name)
    return info


# ---------------------------------------------------------------------- review


@router.post("/rules/{rule_id:path}/review", response_model=schemas.ReviewResult,
             responses=_RULE_404 | {409: _ERR | {"description": "A different review is stored: pass replace"},
                                    422: _ERR | {"description": "The rule does not validate"}},
             summary="Store a reviewed rule (zhengce rules import)")
def review_rule(rule_id: RuleId, body: schemas.ReviewRequest, store: StoreDep, request: Request):
    """A new review version: the corrected rule (or the rule as it is) approved, or with
    `reject` rejected. The same rule again is a no-op; a different one over a stored review
    needs `replace` (409 otherwise) — a review is never overwritten silently."""
    library_writer(request, store, "rule_review", "rule", rule_id)
    rule_id = canonical_id(store, rule_id)  # an id may name its document by 发文字号 or title
    rules = Rules.load(store)
    if body.rule is None:
        data = rules.get(rule_id).to_dict()
        data.pop("review", None)  # approving (or rejecting) the rule as it is now
    else:
        data = body.rule
        if canonical_id(store, str(data.get("id"))) != rule_id:
            raise ApiError("bad_request", f"rule.id {data.get('id')!r} is not the rule of this address ({rule_id!r})")
    try:
        version = review(store, data, reviewer=body.reviewer, note=body.note, status="rejected" if body.reject else None, replace=body.replace)
    except RuleExists as e:
        raise ApiError("conflict", f"{e}; send replace: true") from None
    except RuleError as e:
        raise ApiError("unprocessable", str(e)) from None
    row = review_history(store, rule_id)[version - 1]
    return _review_result(store, rule_id, version, row["status"])


@router.delete("/rules/{rule_id:path}/review", response_model=schemas.ReviewResult,
               responses={404: _ERR | {"description": "The rule has no review to withdraw"}}, summary="Withdraw a review (zhengce rules withdraw)")
def withdraw_review(
    rule_id: RuleId, store: StoreDep, request: Request,
    reviewer: Annotated[Optional[str], Query(max_length=100)] = None,
    note: Annotated[Optional[str], Query(max_length=2000)] = None,
):
    """Back to the machine rule: a 'withdrawn' version is added, the history stays."""
    library_writer(request, store, "rule_withdraw", "rule", rule_id)
    rule_id = canonical_id(store, rule_id)
    try:
        version = withdraw(store, rule_id, reviewer=reviewer, note=note)
    except KeyError as e:
        raise ApiError("not_found", str(e).strip("'\"")) from None
    return _review_result(store, rule_id, version, "withdrawn")


def _review_result(store: Store, rule_id: str, version: int, status: str) -> dict:
    rules = Rules.load(store)
    try:
        now = rule_body(rules, rules.book.get(rule_id))
    except KeyError:
        now = None
    return {"rule_id": rule_id, "version": version, "status": status, "rule": now}

