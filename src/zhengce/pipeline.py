"""read → restore → structure, for one source or a batch of paths."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .extract import extract
from .model import Document, Extraction, InputError, Source, doc_key
from .read import iter_sources, read_bytes
from .restore import restore
from .structure import structure


@dataclass
class Parsed:
    source: Source | None
    documents: list[Document]
    error: InputError | None = None
    extractions: list[list[Extraction]] | None = None  # per document, when asked for


def parse_source(source: Source) -> list[Document]:
    docs = structure(restore(source))
    if not docs:
        raise InputError(source.path, "no document text after restoration")
    return docs


def extract_all(source: Source, documents: list[Document], types: Iterable[str] | None = None) -> list[list[Extraction]]:
    return [extract(d, doc_key(source.path, i), types) for i, d in enumerate(documents, 1)]


def parse_paths(
    paths: Iterable[str | Path], skip: Callable[[Source], bool] | None = None, with_extractions: bool = False
) -> Iterator[Parsed]:
    """Parse every document under `paths`; a bad file yields an error and the batch goes on.

    `skip(source)` lets the caller pass over sources it already has (by hash);
    `with_extractions` also runs the extractors on each document.
    """
    return _parse(iter_sources(paths), skip, with_extractions)


def parse_bytes(
    data: bytes, display: str, skip: Callable[[Source], bool] | None = None, with_extractions: bool = False
) -> Iterator[Parsed]:
    """Like `parse_paths` for one in-memory file (an upload): `display` is the
    path it is stored and reported under; its suffix breaks format ties."""
    return _parse(read_bytes(data, display, PurePosixPath(display).name), skip, with_extractions)


def _parse(
    items: Iterable[Source | InputError], skip: Callable[[Source], bool] | None, with_extractions: bool
) -> Iterator[Parsed]:
    for item in items:
        if isinstance(item, InputError):
            yield Parsed(None, [], item)
            continue
        if skip is not None and skip(item):
            yield Parsed(item, [])
            continue
        try:
            docs = parse_source(item)
            yield Parsed(item, docs, extractions=extract_all(item, docs) if with_extractions else None)
        except InputError as e:
            yield Parsed(item, [], e)
        except Exception as e:  # a parser bug must not stop the batch; name the file
            yield Parsed(item, [], InputError(item.path, f"could not be parsed ({type(e).__name__}: {e})"))


def refresh_extractions(store, progress: Callable[[int, int], None] | None = None) -> int:
    """Re-derive the records of stored documents made by an older extractor; returns how many.

    One transaction per document, from the stored (restored, structured)
    document: the source is not parsed again.
    """
    from .extract import VERSION, extract

    stale = store.stale_extractions(VERSION)
    for i, doc_id in enumerate(stale, 1):
        store.replace_extractions(doc_id, extract(store.get_document(doc_id), store.doc_key(doc_id)), VERSION)
        if progress:
            progress(i, len(stale))
    return len(stale)
