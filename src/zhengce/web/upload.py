"""Uploaded files into the store, with the CLI's bad-input behaviour: each bad
file is one failed result naming it, the batch goes on, and nothing of a
failed file is stored (the store writes one transaction per source)."""

from __future__ import annotations

from collections import Counter
from pathlib import PurePosixPath, PureWindowsPath
from typing import BinaryIO

from fastapi import UploadFile

from ..extract import VERSION as EXTRACTOR_VERSION
from ..pipeline import parse_bytes
from ..read import HTML_EXT, limits
from ..read.text import MARKDOWN_EXT
from ..store import Store
from .errors import STATUS
from .queries import documents_of_source
from .schemas import ErrorBody, StoredDoc, UploadResult

# What the readers read; the content decides the format, this only refuses the obvious.
ALLOWED_SUFFIXES = frozenset({".txt", ".text", ".docx", ".doc", ".wps", ".ofd", ".pdf", ".zip"} | HTML_EXT | MARKDOWN_EXT)
UPLOAD_DIR = "upload"  # stored paths are upload/NAME: a new upload of a name replaces the old one


def clean_name(raw: str | None) -> str:
    """The file's own name, without any folder a browser or client sent along."""
    name = PureWindowsPath(raw or "").name  # splits on both / and \
    return "".join(ch for ch in name if ch.isprintable()).strip()


def failed(file: str, code: str, message: str) -> UploadResult:
    return UploadResult(file=file, status="failed", error=ErrorBody(code=code, message=message))


def ingest_upload(store: Store, raw_name: str | None, stream: BinaryIO, max_bytes: int,
                  uploader: str | None = None) -> list[UploadResult]:
    """Check, parse and store one uploaded file; one result per source (a zip gives several)."""
    name = clean_name(raw_name)
    if not name:
        return [failed(raw_name or "", "bad_request", "uploaded file has no name")]
    display = str(PurePosixPath(UPLOAD_DIR, name))
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        allowed = " ".join(sorted(ALLOWED_SUFFIXES))
        return [failed(display, "unsupported_type", f"{display}: unsupported file type {suffix or '(none)'!r}; accepted: {allowed}")]
    data = stream.read(max_bytes + 1)  # never more than the cap in memory
    if len(data) > max_bytes:
        stream.seek(0, 2)
        return [failed(display, "too_large", f"{display}: {limits.too_large(stream.tell(), max_bytes)}")]
    results = []
    for item in parse_bytes(data, display, skip=lambda s: store.has_source(s.sha256), with_extractions=True):
        if item.error:
            results.append(failed(item.error.path, "unprocessable", str(item.error)))
            continue
        path = item.source.path
        if not item.documents:  # same content already stored
            stored = [StoredDoc(id=i, title=t, doc_number=n) for i, t, n in documents_of_source(store, item.source.sha256)]
            results.append(UploadResult(file=path, status="unchanged", documents=stored))
            continue
        try:
            res = store.ingest(item.source, item.documents, item.extractions, EXTRACTOR_VERSION)
        except Exception as e:  # rolled back: nothing of this file is stored
            results.append(failed(path, "unprocessable", f"{path}: not stored ({type(e).__name__}: {e})"))
            continue
        if uploader is not None:
            store.set_uploader(res.source_id, uploader)
        stored = [StoredDoc(id=i, title=d.title, doc_number=d.doc_number) for i, d in zip(res.document_ids, item.documents)]
        results.append(UploadResult(file=path, status=res.status, documents=stored, notices=res.notices()))
    return results


def ingest_files(store: Store, files: list[UploadFile], max_bytes: int, user=None) -> list[UploadResult]:
    """Every file of a request, in order; a failure never stops the ones after it.  With a logged-in
    `user`, the sources are recorded as theirs and the upload is written to the audit log."""
    results = [r for f in files for r in ingest_upload(store, f.filename, f.file, max_bytes, getattr(user, "username", None))]
    if user is not None:
        from ..monitor import audit

        audit.log(store, user, "library_upload", "document", ",".join(r.file for r in results)[:500],
                  detail={"counts": counts(results)})
    return results


def counts(results: list[UploadResult]) -> dict[str, int]:
    c = Counter(r.status for r in results)
    return {k: c.get(k, 0) for k in ("added", "replaced", "unchanged", "failed")}


def batch_status(results: list[UploadResult]) -> int:
    """200 if anything was stored or already there; else the first failure's status."""
    if any(r.status != "failed" for r in results) or not results:
        return 200
    return STATUS[results[0].error.code]
