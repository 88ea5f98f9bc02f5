"""Search relevance against the gold queries (tests/gold/queries.json).

    python benchmarks/search_eval.py                 # ingest the corpus into a temp DB, print the table
    python benchmarks/search_eval.py --db data/zhengce.db
    python benchmarks/search_eval.py --json          # metrics as JSON (for scripts)

Two engines answer every answerable gold query, each over the same stored nodes:

* ours: `zhengce.search.SearchEngine` (BM25F over segmented terms);
* baseline: SQLite FTS5 with the `trigram` tokenizer over each node's title and
  own text, ranked by bm25().

How the baseline is queried (FTS5 has no Chinese word segmentation; a trigram
index matches any substring of 3 or more characters):

* the query is NFKC-normalised (full-width digits → ASCII, as in the stored
  text) and cut into runs of CJK characters, ASCII letters and digits (with
  `.` and `%`, so `1.5%` stays one run); punctuation and spaces separate runs;
* main variant, "trigram OR": every run of ≥3 characters contributes all its
  overlapping trigrams, and the trigrams are OR-ed (`"上市奖" OR "市奖励" …`).
  This is the usual way of querying an n-gram index with unsegmented text:
  bm25() then rewards nodes that share more (and rarer) trigrams with the
  query.  Matching whole runs as phrases would demand that a user's sentence
  ("上市奖励多少") occur verbatim, which almost never happens; that variant is
  reported too ("run phrases"), to show the gap;
* 2-character runs cannot be matched by a trigram index (FTS5 returns no rows
  for a term shorter than 3 characters).  When a query has no run of ≥3
  characters, both variants fall back to substring search as the SQLite
  documentation describes for trigram tables (`LIKE '%xx%'`, a full scan),
  ranked by how many of the short runs a node contains, then by shorter text.
  With trigrams available, 2-character runs are left out;
* 1-character runs are ignored.

Metrics (answerable queries only; relevance from the gold grades):

* recall@k: share of a query's relevant nodes (grade 1 or 2) in its top k,
  divided by min(k, number of relevant nodes), so a query with 4 answers is not
  capped below 1 at k=3; averaged over queries;
* nDCG@10: gain 2^grade − 1, log2 discount, ideal = the gold grades sorted;
* MRR: 1 / rank of the first relevant node in the top 10 (0 if none);
* P@1: share of queries whose first hit directly answers (grade 2).

The core is importable (tests/test_search_relevance.py asserts a floor):
`load_gold`, `resolve_gold`, `evaluate(search_fn, queries, resolved)`,
`Fts5Trigram`, `engine_search_fn`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "jilin"
GOLD_MODULE = ROOT / "tests" / "gold" / "queries.py"
K_MAX = 10

if str(ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))

Key = tuple[int, str]  # (doc_id, node_id)
SearchFn = Callable[[str, int], list[Key]]


# --------------------------------------------------------------------------
# Gold set
# --------------------------------------------------------------------------

def _gold_module():
    # tests/gold is not a package; load it by path, as tests/test_gold.py does with build_gold.py.
    spec = importlib.util.spec_from_file_location("gold_queries", GOLD_MODULE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_gold() -> list[dict[str, Any]]:
    return _gold_module().load_queries()


def resolve_gold(db: str | Path, queries: list[dict[str, Any]]) -> dict[str, dict[Key, int]]:
    """{query id: {(doc_id, node_id): grade}} for the answerable queries."""
    resolved = _gold_module().resolve_all(db, [q for q in queries if q["answerable"]])
    return {qid: {(d, n): g for d, n, g in nodes} for qid, nodes in resolved.items()}


def ingest_corpus(db: str | Path) -> None:
    """Ingest the bundled corpus with the real CLI (whatever ingest does, search rows included)."""
    files = sorted(str(p) for p in CORPUS.glob("*.txt"))
    r = subprocess.run([sys.executable, "-m", "zhengce", "--db", str(db), "ingest", *files],
                       capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise RuntimeError(f"ingest failed:\n{r.stdout}\n{r.stderr}")


# --------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------

@dataclass
class QueryResult:
    id: str
    query: str
    relevant: dict[Key, int]
    ranked: list[Key]
    seconds: float

    def recall(self, k: int) -> float:
        found = sum(1 for key in self.ranked[:k] if key in self.relevant)
        return found / min(k, len(self.relevant))

    def ndcg(self, k: int = K_MAX) -> float:
        dcg = sum((2 ** self.relevant.get(key, 0) - 1) / math.log2(i + 2) for i, key in enumerate(self.ranked[:k]))
        ideal = sorted(self.relevant.values(), reverse=True)[:k]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        return dcg / idcg

    def first_relevant(self, k: int = K_MAX) -> int | None:
        """1-based rank of the first relevant node in the top k."""
        return next((i + 1 for i, key in enumerate(self.ranked[:k]) if key in self.relevant), None)

    def rr(self) -> float:
        r = self.first_relevant()
        return 1.0 / r if r else 0.0


@dataclass
class Metrics:
    results: list[QueryResult] = field(default_factory=list)

    def _mean(self, f: Callable[[QueryResult], float]) -> float:
        return sum(map(f, self.results)) / len(self.results) if self.results else 0.0

    @property
    def recall_at_5(self) -> float:
        return self._mean(lambda r: r.recall(5))

    @property
    def recall_at_10(self) -> float:
        return self._mean(lambda r: r.recall(10))

    @property
    def ndcg_at_10(self) -> float:
        return self._mean(lambda r: r.ndcg(10))

    @property
    def mrr(self) -> float:
        return self._mean(QueryResult.rr)

    @property
    def p_at_1(self) -> float:
        return self._mean(lambda r: float(bool(r.ranked) and r.relevant.get(r.ranked[0]) == 2))

    @property
    def latency_ms(self) -> float:
        return 1000 * self._mean(lambda r: r.seconds)

    def summary(self) -> dict[str, float]:
        return {
            "queries": len(self.results),
            "recall@5": self.recall_at_5,
            "recall@10": self.recall_at_10,
            "nDCG@10": self.ndcg_at_10,
            "MRR": self.mrr,
            "P@1": self.p_at_1,
            "ms/query": self.latency_ms,
        }


def evaluate(search_fn: SearchFn, queries: Sequence[dict[str, Any]], resolved: dict[str, dict[Key, int]],
             k: int = K_MAX) -> Metrics:
    """Run every answerable query through search_fn(query, k) -> [(doc_id, node_id)] and score it."""
    m = Metrics()
    for q in queries:
        if not q["answerable"]:
            continue
        t = time.perf_counter()
        ranked = list(search_fn(q["query"], k))[:k]
        m.results.append(QueryResult(q["id"], q["query"], resolved[q["id"]], ranked, time.perf_counter() - t))
    return m


# --------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------

def engine_search_fn(engine: Any) -> SearchFn:
    """Adapter: zhengce.search.SearchEngine → search_fn."""
    def search(query: str, k: int) -> list[Key]:
        return [(h.doc_id, h.node) for h in engine.search(query, limit=k).hits]
    return search


_RUN = re.compile(r"[0-9A-Za-z.%\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def query_runs(query: str) -> list[str]:
    return [r.strip(".") for r in _RUN.findall(unicodedata.normalize("NFKC", query)) if r.strip(".")]


def trigrams(run: str) -> list[str]:
    return [run[i:i + 3] for i in range(len(run) - 2)]


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(query: str, mode: str = "trigrams") -> str | None:
    """The FTS5 MATCH expression for a query (None: no run of 3 or more characters)."""
    runs = query_runs(query)
    if mode == "phrases":
        terms = [r for r in runs if len(r) >= 3]
    else:
        terms = list(dict.fromkeys(t for r in runs for t in trigrams(r)))
    return " OR ".join(map(_quote, terms)) if terms else None


class Fts5Trigram:
    """The baseline: an FTS5 trigram table over the same nodes, built in its own database.

    `mode` = "trigrams" (OR of every trigram of the query's runs, the main
    variant) or "phrases" (OR of the runs of ≥3 characters as phrases).
    """

    def __init__(self, source_db: str | Path, target: str | Path = ":memory:", mode: str = "trigrams"):
        self.mode = mode
        self.conn = sqlite3.connect(str(target))
        self.conn.execute("CREATE VIRTUAL TABLE fts USING fts5(title, text, tokenize='trigram')")
        self.conn.execute("CREATE TABLE keys (rowid INTEGER PRIMARY KEY, doc_id INTEGER, node_id TEXT)")
        src = sqlite3.connect(f"file:{Path(source_db).resolve()}?mode=ro", uri=True)
        try:
            self.build_seconds = self._load(src)
        finally:
            src.close()

    def _load(self, src: sqlite3.Connection, batch: int = 50_000) -> float:
        t = time.perf_counter()
        cur = src.execute("SELECT doc_id, node_id, coalesce(title, ''), text FROM nodes WHERE text <> '' ORDER BY doc_id, seq")
        rowid = 0
        with self.conn:
            while rows := cur.fetchmany(batch):
                self.conn.executemany("INSERT INTO keys VALUES (?, ?, ?)",
                                      [(rowid + i, d, n) for i, (d, n, _, _) in enumerate(rows, 1)])
                self.conn.executemany("INSERT INTO fts (rowid, title, text) VALUES (?, ?, ?)",
                                      [(rowid + i, ti, tx) for i, (_, _, ti, tx) in enumerate(rows, 1)])
                rowid += len(rows)
        self.rows = rowid
        return time.perf_counter() - t

    def search(self, query: str, k: int = K_MAX) -> list[Key]:
        expr = match_expression(query, self.mode)
        if expr is not None:
            sql = ("SELECT k.doc_id, k.node_id FROM fts JOIN keys k ON k.rowid = fts.rowid"
                   " WHERE fts MATCH ? ORDER BY bm25(fts), fts.rowid LIMIT ?")
            return [(d, n) for d, n in self.conn.execute(sql, (expr, k))]
        short = [r for r in query_runs(query) if len(r) == 2]
        if not short:
            return []
        # Substring fallback: trigram tables answer LIKE with a scan when the pattern is shorter than 3.
        hits = " + ".join("(text LIKE ?)" for _ in short)
        sql = (f"SELECT k.doc_id, k.node_id FROM (SELECT rowid, {hits} AS n, length(text) AS len FROM fts"
               f" WHERE {' OR '.join('text LIKE ?' for _ in short)}) f JOIN keys k ON k.rowid = f.rowid"
               " ORDER BY f.n DESC, f.len, f.rowid LIMIT ?")
        likes = [f"%{s}%" for s in short]
        return [(d, n) for d, n in self.conn.execute(sql, (*likes, *likes, k))]

    def nbytes(self) -> int:
        """Bytes of the FTS tables (the sqlite pages they use)."""
        (pages,) = self.conn.execute("PRAGMA page_count").fetchone()
        (size,) = self.conn.execute("PRAGMA page_size").fetchone()
        return pages * size

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

def _doc_names(db: str | Path) -> dict[int, str]:
    conn = sqlite3.connect(f"file:{Path(db).resolve()}?mode=ro", uri=True)
    try:
        out = {}
        for i, title, number, path, seq in conn.execute(
            "SELECT d.id, d.title, d.doc_number, s.path, d.seq FROM documents d JOIN sources s ON s.id = d.source_id"
        ):
            name = number or (re.sub(r"\s+", "", title)[:14] if title else f"{Path(path).name}#{seq + 1}")
            out[i] = name
        return out
    finally:
        conn.close()


def _node_text(conn: sqlite3.Connection, key: Key, n: int = 36) -> str:
    row = conn.execute("SELECT kind, text FROM nodes WHERE doc_id = ? AND node_id = ?", key).fetchone()
    if row is None:
        return "?"
    text = re.sub(r"\s+", "", row[1])
    return f"[{row[0]}] {text[:n]}{'…' if len(text) > n else ''}"


def table(rows: list[tuple[str, Metrics]]) -> str:
    head = "| engine | queries | recall@5 | recall@10 | nDCG@10 | MRR | P@1 | ms/query |"
    lines = [head, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, m in rows:
        s = m.summary()
        lines.append(f"| {name} | {s['queries']} | {s['recall@5']:.3f} | {s['recall@10']:.3f} | {s['nDCG@10']:.3f}"
                     f" | {s['MRR']:.3f} | {s['P@1']:.3f} | {s['ms/query']:.1f} |")
    return "\n".join(lines)


def failures(m: Metrics, db: str | Path, k: int = 5) -> str:
    """Queries whose top k misses a relevant node: what was expected, what came first."""
    names = _doc_names(db)
    conn = sqlite3.connect(f"file:{Path(db).resolve()}?mode=ro", uri=True)
    out = []
    try:
        for r in m.results:
            if r.recall(k) >= 1.0:
                continue
            first = r.first_relevant()
            out.append(f"- {r.id} 「{r.query}」 recall@{k} {r.recall(k):.2f}, first relevant at "
                       f"{first if first else f'>{K_MAX}'}")
            for key, g in sorted(r.relevant.items(), key=lambda kv: -kv[1]):
                rank = r.ranked.index(key) + 1 if key in r.ranked else None
                out.append(f"    expected g{g} {names.get(key[0], key[0])} {key[1]} (rank {rank or '-'}): {_node_text(conn, key)}")
            if r.ranked:
                top = r.ranked[0]
                out.append(f"    came first: {names.get(top[0], top[0])} {top[1]}: {_node_text(conn, top)}")
            else:
                out.append("    came first: (no results)")
    finally:
        conn.close()
    return "\n".join(out) if out else "(none)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="an ingested database (default: ingest the corpus into a temporary one)")
    ap.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ap.add_argument("--baseline-failures", action="store_true", help="also list the baseline's failures")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "z.db"
        if not args.db:
            t = time.perf_counter()
            ingest_corpus(db)
            print(f"ingested corpus/jilin into a temporary database ({time.perf_counter() - t:.1f} s)", file=sys.stderr)
        queries = load_gold()
        resolved = resolve_gold(db, queries)

        from zhengce.search import SearchEngine

        rows: list[tuple[str, Metrics]] = []
        with SearchEngine(db) as engine:
            t = time.perf_counter()
            engine.search("预热", limit=1)  # the first search builds the index; time it apart
            build = time.perf_counter() - t
            ours = evaluate(engine_search_fn(engine), queries, resolved)
        rows.append(("zhengce SearchEngine", ours))
        baselines = {}
        for mode, name in (("trigrams", "FTS5 trigram (trigram OR)"), ("phrases", "FTS5 trigram (run phrases)")):
            fts = Fts5Trigram(db, mode=mode)
            try:
                baselines[mode] = evaluate(fts.search, queries, resolved)
            finally:
                fts.close()
            rows.append((name, baselines[mode]))

        if args.json:
            print(json.dumps({name: m.summary() for name, m in rows}, ensure_ascii=False, indent=2))
            return 0
        n_un = sum(not q["answerable"] for q in queries)
        print(f"## Search relevance ({len(queries)} gold queries: {len(queries) - n_un} answerable scored,"
              f" {n_un} unanswerable left to the ask tests)\n")
        print(table(rows))
        print(f"\nindex build on first search: {build:.2f} s\n")
        print("### Failures of zhengce SearchEngine (a relevant node missing from the top 5)\n")
        print(failures(ours, db))
        if args.baseline_failures:
            print("\n### Failures of the FTS5 trigram baseline (trigram OR)\n")
            print(failures(baselines["trigrams"], db))
    return 0


if __name__ == "__main__":
    sys.exit(main())
