"""Extraction: facts of a document as records grounded in exact spans of its text.

Each extractor reads one `Document` and returns `Extraction`s whose `quote` is
`doc.text[start:end]`; `extract` runs them and checks that invariant.  Rules
first (no network, no model downloads); docs/extraction.md is the schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..lang import doc_jurisdiction
from ..model import Document, Extraction
from .base import Context
from .benefit import extract_benefits
from .duty import extract_duties
from .project import extract_projects
from .reference import extract_references
from .target import extract_targets

TYPES = ("target", "statistic", "duty", "benefit", "project", "reference", "entity")

# Bump when what the extractors return changes: `zhengce ingest` then re-derives the
# records of every stored document made by an older version (Store.stale_extractions).
VERSION = 2


def _entities(ctx: Context) -> list[Extraction]:
    from .entities import find_entities  # the gazetteer loads on first use

    province = _province(ctx.doc)
    out = []
    for ent in find_entities(ctx.doc.text, province):
        s, e = ent["span"]
        node = ctx.node_at(s)
        if node is None or node.kind == "toc":
            continue
        out.append(ctx.record("entity", node, s, e, name=ent["name"], kind=ent["kind"], canonical=ent["canonical"], code=ent.get("code")))
    return out


def _province(doc: Document) -> str | None:
    """The province 我省/省政府 of the document means (lang.places: whose document it is)."""
    return doc_jurisdiction(doc).province


EXTRACTORS: dict[str, Callable[[Context], list[Extraction]]] = {
    "target": extract_targets,  # also yields statistics
    "duty": extract_duties,
    "benefit": extract_benefits,
    "project": extract_projects,
    "reference": extract_references,
    "entity": _entities,
}


def extract(doc: Document, doc_key: str, types: Iterable[str] | None = None) -> list[Extraction]:
    wanted = set(types or TYPES)
    ctx = Context(doc, doc_key)
    records: list[Extraction] = []
    for name, fn in EXTRACTORS.items():
        produces = {"target", "statistic"} if name == "target" else {name}
        if produces & wanted:
            records.extend(r for r in fn(ctx) if r.type in wanted)
    for r in records:
        if doc.text[r.start : r.end] != r.quote:  # the grounding invariant, never relaxed
            raise AssertionError(f"{doc_key}: ungrounded {r.type} record at {r.start}-{r.end}")
    records.sort(key=lambda r: (r.start, r.type))
    return records
