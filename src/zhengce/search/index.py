"""The in-memory half of the index: BM25F postings in NumPy arrays.

Why our own and not SQLite FTS5: FTS5 ranks with one tokenizer's terms and
cannot fold our synonyms, weight fields by their role in a clause *and* let a
query's sub-words count once (coverage); benchmarks/search_eval.py compares
the two.  Each segment is a compressed-sparse layout (terms → node positions
and precomputed impacts), so a query is a few vectorised `scores[ids] += w`
over the postings of its terms: ~1 ms per 100k postings on one core.

BM25F (Robertson & Zaragoza, "The Probabilistic Relevance Framework", 2009):
field term frequencies are length-normalised per field, weighted and summed
before the saturation k1, so a term in the title counts more than in the body
without a node with many fields winning by sheer length.  The per-term impact
(everything but the idf) is fixed at build time.

Filters are postings too: pseudo-terms `kind:item`, `type:benefit`,
`place:湘潭市` carry no weight but select nodes (engine._member).
"""

from __future__ import annotations

import json
import os
import shutil
from array import array
from pathlib import Path
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..structure.outline import KINDS

KIND_CODE = {k: i for i, k in enumerate(KINDS)}

FIELDS = ("title", "lead", "body", "context")
WEIGHTS = np.array([3.0, 1.5, 1.0, 0.4])
B = np.array([0.5, 0.75, 0.75, 0.3])
K1 = 1.2


@dataclass
class Row:
    """One search_nodes row (terms space-separated per field)."""

    id: int
    doc_id: int
    kind: str
    fields: tuple[str, str, str, str]
    types: str
    places: str


@dataclass
class Segment:
    ids: np.ndarray       # int64 search_nodes.id per position
    doc: np.ndarray       # int64 document id per position
    kind: np.ndarray      # int8 index into KINDS per position
    vocab: dict[str, int]
    offsets: np.ndarray   # int64, len(vocab) + 1
    post_pos: np.ndarray  # int32 positions, grouped by term
    post_imp: np.ndarray  # float32 impacts, same order
    alive: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.alive is None:
            self.alive = np.ones(len(self.ids), dtype=bool)

    def __len__(self) -> int:
        return len(self.ids)

    def df(self, term: str) -> int:
        t = self.vocab.get(term)
        return 0 if t is None else int(self.offsets[t + 1] - self.offsets[t])

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        t = self.vocab.get(term)
        if t is None:
            return None
        a, b = self.offsets[t], self.offsets[t + 1]
        return self.post_pos[a:b], self.post_imp[a:b]

    def nbytes(self) -> int:
        arrays = (self.ids, self.doc, self.kind, self.offsets, self.post_pos, self.post_imp, self.alive)
        # The vocabulary dict: ~100 bytes per entry (key object + table slot) is the usual CPython figure.
        return sum(a.nbytes for a in arrays) + 100 * len(self.vocab)


def field_lengths(rows: Sequence[Row]) -> np.ndarray:
    lens = np.zeros((len(rows), len(FIELDS)), dtype=np.float32)
    for i, r in enumerate(rows):
        for f, text in enumerate(r.fields):
            if text:
                lens[i, f] = text.count(" ") + 1
    return lens


def average_lengths(lens: np.ndarray) -> np.ndarray:
    """Mean length per field over the nodes that have the field (a missing title is not a short one)."""
    has = lens > 0
    total = lens.sum(axis=0)
    count = np.maximum(has.sum(axis=0), 1)
    return np.maximum(total / count, 1.0)


def build(rows: Iterable[Row], avg: np.ndarray | None = None, lens: np.ndarray | None = None) -> tuple[Segment, np.ndarray]:
    """A segment over `rows`; `avg` (field length means) is reused for small delta segments.

    `rows` may be a stream (a database cursor) when `lens` — the field lengths
    of the same rows, in the same order — is given: a million rows then never
    sit in memory as Python objects, only their postings do.
    """
    if lens is None:
        rows = list(rows)
        lens = field_lengths(rows)
    if avg is None:
        avg = average_lengths(lens)
    # Per node and field: weight / (1 - b + b * len / avg), the factor each occurrence adds.
    factor = (WEIGHTS / (1.0 - B + B * lens / avg)).tolist()
    n = len(lens)
    ids = np.zeros(n, dtype=np.int64)
    docs = np.zeros(n, dtype=np.int64)
    kinds = np.zeros(n, dtype=np.int8)
    vocab: dict[str, int] = {}
    term_ids = array("i")
    positions = array("i")
    impacts = array("f")
    setdefault = vocab.setdefault
    other_kind = len(KINDS)
    i = -1
    for i, r in enumerate(rows):
        ids[i], docs[i], kinds[i] = r.id, r.doc_id, KIND_CODE.get(r.kind, other_kind)
        tf: dict[str, float] = {}
        fi = factor[i]
        for f, text in enumerate(r.fields):
            if not text:
                continue
            w = fi[f]
            for t, c in Counter(text.split(" ")).items():
                tf[t] = tf.get(t, 0.0) + c * w
        tf.setdefault(f"kind:{r.kind}", 0.0)
        for t in r.types.split():
            tf.setdefault(f"type:{t}", 0.0)
        for p in r.places.split():
            tf.setdefault(f"place:{p}", 0.0)
        for t, x in tf.items():
            term_ids.append(setdefault(t, len(vocab)))
            impacts.append(x * (K1 + 1.0) / (K1 + x))
        positions.extend([i] * len(tf))
    if i + 1 != n:
        raise ValueError(f"index build: {i + 1} rows for {n} lengths")
    tids = np.frombuffer(term_ids, dtype=np.int32) if term_ids else np.zeros(0, np.int32)
    order = np.argsort(tids, kind="stable")
    counts = np.bincount(tids, minlength=len(vocab))
    offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    del tids, term_ids
    pos = np.frombuffer(positions, dtype=np.int32)[order] if positions else np.zeros(0, np.int32)
    del positions
    imp = np.frombuffer(impacts, dtype=np.float32)[order] if impacts else np.zeros(0, np.float32)
    seg = Segment(ids=ids, doc=docs, kind=kinds, vocab=vocab, offsets=offsets, post_pos=pos, post_imp=imp)
    return seg, avg


def idf(df: int, n: int) -> float:
    # The BM25 idf with +1 inside the log (Lucene's): never negative for common terms.
    return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))


# ------------------------------------------------------------------ on-disk copy

_ARRAYS = ("ids", "doc", "kind", "offsets", "post_pos", "post_imp")


def save(seg: Segment, avg: np.ndarray, folder: Path, meta: dict) -> None:
    """Write a segment as .npy files (memory-mapped on load) plus its vocabulary and meta.

    Written to a temporary folder and renamed, so a reader never sees half a copy.
    """
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in _ARRAYS:
        np.save(tmp / f"{name}.npy", getattr(seg, name))
    np.save(tmp / "avg.npy", avg)
    terms = [""] * len(seg.vocab)
    for t, i in seg.vocab.items():
        terms[i] = t
    (tmp / "vocab.txt").write_text("\n".join(terms), encoding="utf-8")
    (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    old = folder.with_name(folder.name + f".old{os.getpid()}")
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def load(folder: Path) -> tuple[Segment, np.ndarray, dict] | None:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        avg = np.load(folder / "avg.npy")
        terms = (folder / "vocab.txt").read_text(encoding="utf-8").split("\n")
    except (OSError, ValueError):
        return None  # no copy, or a damaged one: the caller rebuilds
    if len(terms) + 1 != len(arrays["offsets"]):
        return None
    vocab = {t: i for i, t in enumerate(terms)}
    return Segment(vocab=vocab, **arrays), avg, meta
