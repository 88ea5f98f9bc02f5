"""Clause-level search over every stored node: ranking, filters, snippets.

`SearchEngine(db)` keeps the BM25F index (index.py) in memory and follows the
database: before each search it indexes documents ingested since (indexer.py),
loads their rows as a new segment and drops the nodes of deleted documents.
It is safe to share between threads (one lock around the index and its
connection).

Ranking = BM25F score × coverage² × kind prior, then a phrase bonus on the
best candidates:
- coverage is the share of the query's words (idf-weighted, a word's sub-words
  counting once) that a node has: a clause with all of 首贷户, 贴息 beats one that
  repeats 贴息 five times;
- headings are short, so BM25 loves them, but people want the clause: they
  rank a little lower than items and paragraphs;
- adjacent query words found side by side in the text (the query as written)
  earn a bonus, which is what makes 上市奖励 prefer "上市…奖励" clauses.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..store import Store
from ..structure.outline import KINDS
from . import index as I
from . import indexer
from . import terms as T

# Multiplier per node kind (index into KINDS; unknown kinds get 1.0).
_PRIOR = {"heading": 0.7, "chapter": 0.7, "section": 0.7, "part": 0.7, "article": 0.9, "box": 0.8,
          "title": 0.8, "doc_number": 0.5, "date": 0.3, "signature": 0.3, "addressee": 0.4, "caption": 0.7}
KIND_PRIOR = np.array([_PRIOR.get(k, 1.0) for k in KINDS] + [1.0], dtype=np.float32)
RERANK = 60          # candidates re-scored with their text
SNIPPET_CHARS = 110
_SUB_WEIGHT = 0.5    # a sub-word counts half a whole word in the score
CANDIDATES = 2000    # rarest query terms are taken as candidate makers until they promise this many nodes
RARE_MIN = 5000      # …and every term in at most this many nodes is one: small corpora are scored exactly
COMMON_SHARE = 0.05  # a term in more than this share of nodes never makes candidates (unless all are)


@dataclass
class Filters:
    doc: str | int | None = None        # id, 发文字号 or title (as `zhengce show` takes)
    issuer: str | None = None           # substring of 发文机关
    year: int | None = None             # year of the document (its date, else its title)
    region: str | None = None           # place the document is about, or named in the node
    kind: str | None = None             # node kind (item, paragraph, box_item, …)
    extraction: str | None = None       # node has an extraction of this type

    def active(self) -> bool:
        return any(v not in (None, "") for v in asdict(self).values())


@dataclass
class Hit:
    doc_id: int
    doc: str | None
    doc_number: str | None
    node: str
    label: str | None
    kind: str
    path: str
    snippet: str
    highlights: list[list[int]]
    score: float
    line_start: int
    line_end: int
    text: str = field(default="", repr=False)  # the node's full text, for callers (ask) that need it

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("text")
        return d


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    coverage: list[float] = field(default_factory=list)  # per hit: share of the query it covers

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "hits": [h.to_dict() for h in self.hits]}


class SearchEngine:
    def __init__(self, db: str | os.PathLike[str] | Store):
        self._own = not isinstance(db, Store)
        self.store: Store = Store(db) if self._own else db  # type: ignore[arg-type]
        self._lock = threading.RLock()
        self._segments: list[I.Segment] = []
        self._avg: np.ndarray | None = None
        self._max_id = 0
        self._version: Any = None
        self._base_size = 0

    # ----------------------------------------------------------- lifecycle

    def close(self) -> None:
        if self._own:
            self.store.close()

    def __enter__(self) -> SearchEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _db(self):
        return self.store._db

    def refresh(self) -> None:
        """Index new documents and follow deletions; cheap when nothing changed."""
        with self._lock:
            version = self._db.change_token()
            if version == self._version and self._max_id:
                return
            indexer.update(self._db)
            if not self._segments:
                self._load_copy()
            # Ids are committed in increasing order (writers run one at a time on
            # both engines), so "id > the last loaded" is exactly the new rows.
            pending = self._db.scalar("SELECT count(*) FROM search_nodes WHERE id > ?", (self._max_id,))
            if pending:
                if self._base_size and pending < self._base_size // 4 and len(self._segments) < 16:
                    seg, _ = I.build(self._load_rows(self._max_id), self._avg)
                    self._segments.append(seg)
                else:  # big change (or first load): rebuild everything so length statistics stay true
                    seg, self._avg = self._build_all()
                    self._segments = [seg]
                    self._base_size = len(seg)
                    self._save_copy(seg, len(seg))
                self._max_id = int(max(int(s.ids.max()) for s in self._segments if len(s)))
            alive_docs = np.array([r[0] for r in self._db.all("SELECT doc_id FROM search_docs")], dtype=np.int64)
            for s in self._segments:
                s.alive = np.isin(s.doc, alive_docs)
            # The token read *before* the work: a document another connection commits
            # while we index must make the next refresh look again, not be taken as
            # seen.  (On PostgreSQL our own index writes move the token too; that
            # costs one more, empty, pass.)
            self._version = version

    # An on-disk copy of a big index (next to the database file) turns the next
    # process's start from a rebuild (a minute at a million nodes) into a
    # memory map.  Small indexes rebuild faster than they load.
    COPY_MIN_ROWS = 20000

    def _copy_folder(self):
        from pathlib import Path

        path = os.fspath(self.store.path)
        # A server database has no folder of its own (and several app servers may share it).
        return None if path == ":memory:" or self.store.backend != "sqlite" else Path(path + ".search")

    def _instance(self) -> str:
        row = self._db.scalar("SELECT value FROM search_meta WHERE key = 'instance'")
        if row is None:
            import uuid

            with self._db.transaction():
                self._db.execute("INSERT INTO search_meta (key, value) VALUES ('instance', ?) ON CONFLICT DO NOTHING",
                                 (uuid.uuid4().hex,))
            row = self._db.scalar("SELECT value FROM search_meta WHERE key = 'instance'")
        return row

    def _load_copy(self) -> None:
        folder = self._copy_folder()
        if folder is None or not folder.exists():
            return
        got = I.load(folder)
        if got is None:
            return
        seg, avg, meta = got
        if meta.get("instance") != self._instance() or meta.get("version") != T.VERSION:
            return
        self._segments, self._avg = [seg], avg
        self._base_size, self._max_id = meta["rows"], meta["max_id"]

    def _save_copy(self, seg: I.Segment, rows: int) -> None:
        folder = self._copy_folder()
        if folder is None or rows < self.COPY_MIN_ROWS:
            return
        meta = {"instance": self._instance(), "version": T.VERSION, "rows": rows, "max_id": int(seg.ids.max())}
        try:
            I.save(seg, self._avg, folder, meta)
        except OSError:
            pass  # a read-only folder only costs the next process a rebuild

    _ROW_SQL = ("SELECT id, doc_id, kind, title, lead, body, context, types, places"
                " FROM search_nodes WHERE id > ? ORDER BY id")

    def _build_all(self) -> tuple[I.Segment, np.ndarray]:
        """One segment over every row, streamed from the database (two passes, one snapshot)."""
        length = "CASE WHEN {0} = '' THEN 0 ELSE length({0}) - length(replace({0}, ' ', '')) + 1 END"
        with self._db.transaction(write=False):
            n = self._db.scalar("SELECT count(*) FROM search_nodes")
            cur = self._db.stream(
                "SELECT " + ", ".join(length.format(f) for f in I.FIELDS) + " FROM search_nodes ORDER BY id")
            lens = np.fromiter((x for row in cur for x in row), dtype=np.float32, count=n * len(I.FIELDS))
            rows = (I.Row(r[0], r[1], r[2], (r[3], r[4], r[5], r[6]), r[7], r[8])
                    for r in self._db.stream(self._ROW_SQL, (0,)))
            return I.build(rows, lens=lens.reshape(n, len(I.FIELDS)))

    def _load_rows(self, after: int) -> list[I.Row]:
        return [
            I.Row(r[0], r[1], r[2], (r[3], r[4], r[5], r[6]), r[7], r[8])
            for r in self._db.all(self._ROW_SQL, (after,))
        ]

    def extractions(self, doc_id: int) -> list:
        """A document's extraction records, read through the engine's own connection.

        The engine's connection is shared by every thread that uses the engine,
        so all reads through it take the engine's lock (ask reads facts here).
        """
        with self._lock:
            return self.store.extractions(doc_id)

    @property
    def size(self) -> int:
        return int(sum(int(s.alive.sum()) for s in self._segments))

    def nbytes(self) -> int:
        return sum(s.nbytes() for s in self._segments)

    # -------------------------------------------------------------- search

    def search(self, query: str, *, limit: int = 10, offset: int = 0, filters: Filters | None = None) -> SearchResult:
        with self._lock:
            self.refresh()
            groups = self._merge_known(T.query_groups(query))
            phrases = T.phrases(query)
            if not groups:
                return SearchResult(query, 0, [])
            scored = self._score(groups, filters or Filters())
            if scored is None:
                return SearchResult(query, 0, [])
            keys, final, cover = scored
            total = len(keys)
            want = offset + limit
            # Re-score the best candidates with their text (phrases, adjacency).
            top = _best(final, max(RERANK, want) * (20 if phrases else 1))
            rows = self._fetch([int(keys[i]) for i in top])
            rescored = []
            for i in top:
                row = rows.get(int(keys[i]))
                if row is None:
                    continue
                norm = T.normalize(row["text"])
                if phrases and not all(p in norm for p in phrases):
                    continue
                rescored.append((float(final[i]) * _adjacency_bonus(groups, norm), float(cover[i]), int(keys[i])))
            if phrases:
                # Phrase matching is a filter: the total counts what passed it among those checked.
                total = len(rescored)
            rescored.sort(key=lambda x: (-x[0], x[2]))
            page = rescored[offset:want]
            wanted = {m: 0.5 for g in groups for m in g.members}
            wanted.update({g.head: 1.0 for g in groups})
            wanted = {t: w * self._idf(t) for t, w in wanted.items()}
            hits = [self._hit(rows[k], score, wanted) for score, _, k in page]
            return SearchResult(query, total, hits, [c for _, c, _ in page])

    def _known(self, term: str) -> bool:
        return any(term in s.vocab for s in self._segments)

    def absent_key_terms(self, query: str) -> list[str]:
        """Names, years and policy terms of the query that no indexed node contains (see terms.is_key_term)."""
        with self._lock:
            self.refresh()
            # Absent: the word itself is in no node, and its pieces do not all occur either
            # (上市奖励 is never written so, but 上市 and 奖励 are: not absent).
            return [g.head for g in T.query_groups(query)
                    if T.is_key_term(g.head) and not self._known(g.head)
                    and not (g.members and all(self._known(m) for m in g.members))]

    def _merge_known(self, groups: list[T.Group]) -> list[T.Group]:
        """Adjacent query words that together spell an indexed term become that term.

        The segmenter may cut a document's coinage (双创基地, 飞地项目) that the
        index learned whole from quotes; the query should then ask for it whole.
        """
        out: list[T.Group] = []
        i = 0
        while i < len(groups):
            for j in range(min(len(groups), i + 4), i + 1, -1):
                surface = "".join(g.surface for g in groups[i:j])
                if len(surface) <= 10 and self._known(surface) and not self._known_as_head(surface, groups[i:j]):
                    members = [t for g in groups[i:j] for t in [g.head, *g.members]]
                    out.append(T.Group(surface, surface, members))
                    i = j
                    break
            else:
                out.append(groups[i])
                i += 1
        return out

    @staticmethod
    def _known_as_head(surface: str, groups: list[T.Group]) -> bool:
        return any(g.head == surface for g in groups)

    def _score(self, groups: list[T.Group], filters: Filters):
        """(search_nodes ids, final scores, coverage) of the candidate nodes.

        Candidates are the nodes having at least one of the query's rarest
        terms (taken rarest first until they promise CANDIDATES nodes); the
        common terms then only add to the candidates' scores.  That is
        MaxScore's idea in its simplest form: a node with none of the rare
        words lacks the query's heaviest idf mass, so coverage² already puts
        it below the candidates.  It keeps a query's cost near the size of
        its rare postings instead of touching every node that says 企业.  On
        a small corpus (every term in ≤ RARE_MIN nodes) the result is exact.
        """
        segs = [s for s in self._segments if len(s)]
        n = max(self.size, 1)
        dfs: dict[str, int] = {}
        for g in groups:
            for t in [g.head, *g.members]:
                dfs[t] = sum(s.df(t) for s in segs)
        masses = []
        for g in groups:
            present = [dfs[t] for t in [g.head, *g.members] if dfs[t]]
            # A word nowhere in the corpus cannot be covered; it still counts
            # against coverage so that such queries look weak (ask uses that).
            mass = I.idf(dfs[g.head] if dfs[g.head] else (min(present) if present else 0), n)
            # A lone character (来, 当, 飞) is rarely what a question is about; it
            # still scores, but a clause need not contain it to cover the question.
            if len(g.head) == 1 and "\u4e00" <= g.head <= "\u9fff":
                mass = 0.0
            masses.append(mass)
        total_mass = float(sum(masses)) or 1.0
        # Candidate terms: the rarest first, until their postings promise enough
        # candidates; every term rare in absolute terms is always one.
        seeds, promised = [], 0
        by_rarity = sorted((t for t in dfs if dfs[t]), key=lambda t: dfs[t])
        for t in by_rarity:
            if dfs[t] <= RARE_MIN or (promised < CANDIDATES and dfs[t] <= COMMON_SHARE * n):
                seeds.append(t)
                promised += dfs[t]
        if not seeds and by_rarity:  # only common words (发展 建设): the nodes having the least common one
            seeds = by_rarity[:1]
        doc_allow = self._doc_filter(filters)
        parts_keys, parts_final, parts_cover = [], [], []
        for s in segs:
            lists = [p[0] for t in seeds if (p := s.postings(t)) is not None]
            cand = lists[0] if len(lists) == 1 else np.unique(np.concatenate(lists)) if lists else np.zeros(0, np.int32)
            if not len(cand):
                continue
            cand = cand[s.alive[cand]]
            cand = cand[self._node_filter(s, filters, doc_allow, cand)]
            if not len(cand):
                continue
            scores = np.zeros(len(cand), dtype=np.float32)
            cover = np.zeros(len(cand), dtype=np.float32)
            for g, mass in zip(groups, masses):
                gcov = np.zeros(len(cand), dtype=np.float32)
                head_len = max(len(g.surface), 1)
                for term, w in [(g.head, 1.0)] + [(m, _SUB_WEIGHT) for m in g.members]:
                    p = s.postings(term)
                    if p is None:
                        continue
                    where, imp = _gather(cand, *p)
                    if not len(where):
                        continue
                    scores[where] += w * I.idf(dfs[term], n) * imp
                    gcov[where] += mass * (1.0 if w == 1.0 else min(1.0, len(term) / head_len))
                np.minimum(gcov, mass, out=gcov)
                cover += gcov
            cov = cover / total_mass
            final = scores * cov * cov * KIND_PRIOR[s.kind[cand]]
            keep = final > 0
            parts_keys.append(s.ids[cand[keep]])
            parts_final.append(final[keep])
            parts_cover.append(cov[keep])
        if not parts_keys:
            return None
        keys = np.concatenate(parts_keys)
        if not len(keys):
            return None
        return keys, np.concatenate(parts_final), np.concatenate(parts_cover)

    def _idf(self, term: str) -> float:
        return I.idf(sum(s.df(term) for s in self._segments), max(self.size, 1))

    def _doc_filter(self, f: Filters) -> np.ndarray | None:
        """Document ids allowed by the document-level filters (None: all)."""
        where, params = [], []
        if f.doc not in (None, ""):
            where.append("d.id = ?")
            params.append(self.store.resolve(f.doc))
        if f.issuer:
            where.append("d.issuer LIKE ?")
            params.append(f"%{f.issuer}%")
        if f.year:
            where.append("s.year = ?")
            params.append(int(f.year))
        if not where:
            return None
        rows = self._db.all(
            "SELECT d.id FROM documents d JOIN search_docs s ON s.doc_id = d.id WHERE " + " AND ".join(where), params
        )
        return np.array([r[0] for r in rows], dtype=np.int64)

    def _node_filter(self, s: I.Segment, f: Filters, doc_allow: np.ndarray | None, cand: np.ndarray) -> np.ndarray:
        """Boolean mask over the candidate positions `cand` (sorted) allowed by the filters."""
        mask = np.ones(len(cand), dtype=bool)
        if doc_allow is not None:
            mask &= np.isin(s.doc[cand], doc_allow)
        if f.kind:
            mask &= _member(cand, s, [f"kind:{k}" for k in str(f.kind).split(",")])
        if f.extraction:
            mask &= _member(cand, s, [f"type:{t}" for t in str(f.extraction).split(",")])
        if f.region:
            region = _canonical_region(f.region)
            docs = [r[0] for r in self._db.all(
                "SELECT doc_id FROM search_docs WHERE region = ? OR region LIKE ?", (region, f"%{f.region}%"))]
            mask &= np.isin(s.doc[cand], np.array(docs, dtype=np.int64)) | _member(cand, s, [f"place:{region}"])
        return mask

    def _fetch(self, keys: list[int]) -> dict[int, Any]:
        if not keys:
            return {}
        out = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for r in self._db.all(
                "SELECT s.id, s.doc_id, s.node_id, s.kind, s.path, n.label, n.text, n.line_start, n.line_end,"
                " d.title, d.doc_number FROM search_nodes s"
                " JOIN nodes n ON n.doc_id = s.doc_id AND n.node_id = s.node_id"
                " JOIN documents d ON d.id = s.doc_id"
                f" WHERE s.id IN ({marks})", chunk,
            ):
                out[r["id"]] = r
        return out

    def _hit(self, row: Any, score: float, wanted: dict[str, float]) -> Hit:
        snippet, marks = make_snippet(row["text"], wanted)
        return Hit(
            doc_id=row["doc_id"], doc=row["title"], doc_number=row["doc_number"], node=row["node_id"],
            label=row["label"], kind=row["kind"], path=row["path"], snippet=snippet, highlights=marks,
            score=round(score, 4), line_start=row["line_start"], line_end=row["line_end"], text=row["text"],
        )

    # -------------------------------------------------------------- facets

    def facets(self) -> dict[str, list[dict[str, Any]]]:
        """Filter values with their node counts, for the filter menus."""
        with self._lock:
            self.refresh()
            q = self._db.all
            issuer = q("SELECT d.issuer AS value, count(*) AS n FROM search_nodes s JOIN documents d ON d.id = s.doc_id"
                       " WHERE d.issuer IS NOT NULL GROUP BY d.issuer ORDER BY n DESC")
            year = q("SELECT y.year AS value, count(*) AS n FROM search_nodes s JOIN search_docs y ON y.doc_id = s.doc_id"
                     " WHERE y.year IS NOT NULL GROUP BY y.year ORDER BY y.year DESC")
            region = q("SELECT y.region AS value, count(*) AS n FROM search_nodes s JOIN search_docs y ON y.doc_id = s.doc_id"
                       " WHERE y.region IS NOT NULL GROUP BY y.region ORDER BY n DESC")
            kind = q("SELECT kind AS value, count(*) AS n FROM search_nodes GROUP BY kind ORDER BY n DESC")
            counts: dict[str, int] = {}
            for (types,) in q("SELECT types FROM search_nodes WHERE types <> ''"):
                for t in types.split():
                    counts[t] = counts.get(t, 0) + 1
            as_list = lambda rows: [{"value": r["value"], "count": r["n"]} for r in rows]  # noqa: E731
            return {
                "issuer": as_list(issuer), "year": as_list(year), "region": as_list(region), "kind": as_list(kind),
                "extraction": [{"value": k, "count": v} for k, v in sorted(counts.items(), key=lambda x: -x[1])],
            }


def _gather(cand: np.ndarray, pos: np.ndarray, imp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices into `cand` of the candidates in a posting list, and their impacts (both inputs sorted)."""
    if len(pos) <= len(cand):
        j = np.searchsorted(cand, pos)
        ok = j < len(cand)
        ok[ok] = cand[j[ok]] == pos[ok]
        return j[ok], imp[ok]
    j = np.searchsorted(pos, cand)
    ok = j < len(pos)
    ok[ok] = pos[j[ok]] == cand[ok]
    return np.flatnonzero(ok), imp[j[ok]]


def _member(cand: np.ndarray, s: I.Segment, terms: list[str]) -> np.ndarray:
    """Which candidates have any of the (filter) pseudo-terms."""
    mask = np.zeros(len(cand), dtype=bool)
    for t in terms:
        p = s.postings(t)
        if p is not None:
            mask[_gather(cand, p[0], p[1])[0]] = True
    return mask


def _best(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores (unordered): a partial sort is O(n)."""
    if k >= len(scores):
        return np.arange(len(scores))
    return np.argpartition(-scores, k - 1)[:k]


def _canonical_region(name: str) -> str:
    from ..extract.entities import canonical_place

    return canonical_place(name.strip())[0]


def _adjacency_bonus(groups: list[T.Group], norm: str) -> float:
    """1 + 0.25 per pair of consecutive query words found side by side (either order, ≤ 4 chars apart)."""
    bonus = 1.0
    surfaces = [g.surface for g in groups]
    for a, b in zip(surfaces, surfaces[1:]):
        if re.search(re.escape(a) + r".{0,4}" + re.escape(b), norm) or re.search(re.escape(b) + r".{0,4}" + re.escape(a), norm):
            bonus += 0.25
    return bonus


def make_snippet(text: str, wanted: dict[str, float] | set[str], width: int = SNIPPET_CHARS,
                 fragments: int = 2) -> tuple[str, list[list[int]]]:
    """Up to `fragments` windows of `text` that together show the most (and rarest) query terms.

    `wanted` maps terms to weights (idf) or is a plain set.  Returns the snippet
    and the [start, end] of each mark inside it.  Like a search engine's result
    page: two short fragments joined by … beat one long one that misses the
    word the user cared most about.
    """
    weight = wanted if isinstance(wanted, dict) else dict.fromkeys(wanted, 1.0)
    found = sorted({(s, e, term) for term, s, e in T.tokens_with_spans(text) if term in weight})
    merged: list[list] = []  # [start, end, {terms}]
    for s, e, term in found:  # sub-words inside a whole word: mark the whole word once
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2].add(term)
        else:
            merged.append([s, e, {term}])
    if len(text) <= width:
        return text, [[a, b] for a, b, _ in merged]
    frag = width // fragments if len(merged) > 1 else width
    chosen: list[int] = []
    seen: set[str] = set()
    for _ in range(fragments if frag < width else 1):
        best_start, best = None, 0.0
        for s, _, _ in merged:
            start = max(0, min(s - 8, len(text) - frag))
            if any(abs(start - c) < frag for c in chosen):
                continue
            terms = {t for a, b, ts in merged if a >= start and b <= start + frag for t in ts} - seen
            score = sum(weight[t] for t in terms)
            if score > best:
                best, best_start = score, start
        if best_start is None:
            break
        chosen.append(best_start)
        seen |= {t for a, b, ts in merged if a >= best_start and b <= best_start + frag for t in ts}
    if not chosen:
        chosen = [0]
        frag = width
    out, marks = "", []
    for start in sorted(chosen):
        end = min(len(text), start + frag)
        if start > 0:
            out += "…"
        shift = len(out) - start
        marks += [[a + shift, b + shift] for a, b, _ in merged if a >= start and b <= end]
        out += text[start:end]
    if end < len(text):
        out += "…"
    return out, marks
