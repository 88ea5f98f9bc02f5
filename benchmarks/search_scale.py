"""Search at scale: index build time, index size, query latency and peak memory.

    python benchmarks/search_scale.py                   # 1,000,000 nodes (a few GB of disk, minutes)
    python benchmarks/search_scale.py --nodes 50000     # a quick try
    python benchmarks/search_scale.py --nodes 50000 --keep /tmp/scale.db   # keep the generated DB
    python benchmarks/search_scale.py --db /tmp/scale.db                   # reuse a kept DB

The corpus: the five bundled files are ingested (the real pipeline), then their
stored documents, nodes and extraction records are replicated, copy after copy,
straight into a database created by `zhengce.store.Store` (so the schema and its
migrations are the real ones) until there are at least --nodes nodes.  Each copy
varies, with a seeded generator, so that the index does not see one document
repeated:

* place names: every Jilin province/prefecture/county name (full and short
  forms, from src/zhengce/data/jilin_places.json) is mapped, per copy, to
  another unit of the same level (provinces and prefectures from
  cn_divisions.json, counties from Jilin's list or the prefectures);
* organisations: the provincial departments named in the corpus's duty records
  (省财政厅, 省工业和信息化厅, …) are permuted per copy;
* numbers: years shift by a per-copy offset; other numbers of 2 or more digits
  are scaled by a per-copy factor, keeping their number of digits; numbers
  touching Latin letters (5G, 4KW) and the numbering labels are left alone;
* sentences: after the first one (the lead sentence or heading), the sentences
  of half of the nodes are shuffled;
* 发文字号 get the copy's year and a new serial number.

Document text is the varied nodes joined by newlines (node spans point into it);
sources keep no original text (the benchmark never shows original lines), and
extraction records are copied with their quotes and entity names varied like
the text (their spans are the template's: nothing here reads them).

Each engine is then measured in its own fresh process (so peak RSS is its own):

* ours: `zhengce.search.SearchEngine` — the first refresh() (segments every
  node, writes the durable search rows, builds the in-memory index: what a
  first start over a new database costs), then a new engine's refresh() over
  the now indexed database (what every later process start costs); the
  in-memory index size (engine.nbytes()) and the search rows on disk;
* baseline: an FTS5 trigram table (title + own text of the same nodes) in its
  own database file, queried as benchmarks/search_eval.py documents (OR of the
  query's trigrams, bm25); build time and file size.

Latency: every gold query (tests/gold/queries.json, answerable or not) once to
warm up, then --rounds rounds, limit 10; p50/p95/p99 over all timed calls.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "zhengce" / "data"
SEED = 20241121
MiB = 1024 * 1024

if str(ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))


def _search_eval():
    # Shared with the relevance benchmark: corpus ingest, gold queries, the FTS5 baseline.
    spec = importlib.util.spec_from_file_location("search_eval", ROOT / "benchmarks" / "search_eval.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["search_eval"] = mod  # its dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


# --------------------------------------------------------------------------
# Variation
# --------------------------------------------------------------------------

_SUFFIX = re.compile(r"(省|市|县|区|自治州|自治县|盟|旗)$")


def _short(name: str, shorts: list[str]) -> str:
    return shorts[0] if shorts else _SUFFIX.sub("", name) or name


class Variation:
    """The place, organisation and number changes of one copy (a seeded, deterministic function of it)."""

    def __init__(self, rng: random.Random, places: dict[str, list[dict]], departments: list[str]):
        self.rng = rng
        self.year_shift = rng.randint(-6, 6)
        self.factor = rng.uniform(0.55, 1.8)
        mapping: dict[str, str] = {}
        for level, pool in (("province", places["provinces"]), ("prefecture", places["prefectures"]),
                            ("county", places["counties"])):
            for p in places["jilin"][level]:
                other = rng.choice(pool)
                mapping.setdefault(p["name"], other["name"])
                for s in p.get("short", []):
                    if len(s) >= 2:
                        mapping.setdefault(s, _short(other["name"], other.get("short", [])))
        shuffled = departments[:]
        rng.shuffle(shuffled)
        mapping.update(zip(departments, shuffled))
        self.mapping = mapping
        self.names = re.compile("|".join(sorted(map(re.escape, mapping), key=len, reverse=True)))

    def number(self, m: re.Match) -> str:
        whole, frac = m.group(1), m.group(2) or ""
        n = int(whole)
        if len(whole) == 4 and 1978 <= n <= 2050 and not frac:
            return str(n + self.year_shift)
        if n < 10:  # list positions, 1—2个, small counts: varying them changes nothing for search
            return m.group(0)
        lo, hi = 10 ** (len(whole) - 1), 10 ** len(whole) - 1
        return str(min(hi, max(lo, round(n * self.factor)))) + frac

    def text(self, s: str | None) -> str | None:
        if not s:
            return s
        s = self.names.sub(lambda m: self.mapping[m.group(0)], s)
        return _NUMBER.sub(self.number, s)


# Digit runs not glued to Latin letters or other digits (5G, 4KW, R&D stay).
_NUMBER = re.compile(r"(?<![A-Za-z0-9.])(\d+)(\.\d+)?(?![A-Za-z0-9])")
# The numbering token a node's text starts with: kept as it is.
_LABEL = re.compile(r"^(（[一二三四五六七八九十百]+）|[一二三四五六七八九十百]+、|\d+[．.]|第[一二三四五六七八九十百]+[篇章节条]|专栏\s*\d+|[①-⑳]|¹)")
_SENTENCE = re.compile(r"[^。；]*[。；]|[^。；]+$")


def vary_node_text(v: Variation, text: str) -> str:
    m = _LABEL.match(text)
    head, rest = (m.group(0), text[m.end():]) if m else ("", text)
    rest = v.text(rest)
    sentences = _SENTENCE.findall(rest)
    if len(sentences) > 2 and v.rng.random() < 0.5:
        tail = sentences[1:]
        v.rng.shuffle(tail)
        rest = sentences[0] + "".join(tail)
    return head + rest


def load_places() -> dict[str, Any]:
    jl = json.loads((DATA / "jilin_places.json").read_text(encoding="utf-8"))["places"]
    cn = json.loads((DATA / "cn_divisions.json").read_text(encoding="utf-8"))
    jilin = {lvl: [p for p in jl if p["level"] == lvl] for lvl in ("province", "prefecture", "county")}
    return {
        "jilin": jilin,
        "provinces": cn["provinces"],
        "prefectures": cn["prefectures"],
        "counties": jilin["county"] + cn["prefectures"],
    }


# --------------------------------------------------------------------------
# Corpus generation
# --------------------------------------------------------------------------

def load_templates(db: Path) -> tuple[list[dict], list[str]]:
    """The ingested corpus as plain rows: documents with their nodes and extractions; province departments."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    docs = []
    for d in conn.execute("SELECT d.*, s.path AS source_path FROM documents d JOIN sources s ON s.id = d.source_id ORDER BY d.id"):
        doc = dict(d)
        doc["nodes"] = [dict(n) for n in conn.execute("SELECT * FROM nodes WHERE doc_id = ? ORDER BY seq", (d["id"],))]
        doc["extractions"] = [dict(e) for e in conn.execute("SELECT * FROM extractions WHERE doc_id = ? ORDER BY seq", (d["id"],))]
        docs.append(doc)
    departments = set()
    for (fields,) in conn.execute("SELECT fields FROM extractions WHERE type = 'duty'"):
        f = json.loads(fields)
        departments.update(u for u in f.get("lead", []) + f.get("support", []) if u.startswith("省") and len(u) <= 14)
    conn.close()
    return docs, sorted(departments)


_DOCNUM = re.compile(r"〔(\d{4})〕(\d+)号")


def generate(target: Path, n_nodes: int, seed: int = SEED, progress: bool = True) -> dict[str, Any]:
    """Write at least n_nodes varied nodes into a new database at `target`; returns counts and timing."""
    from zhengce.store import Store
    from zhengce.store.refs import doc_number_key, title_key

    ev = _search_eval()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        template_db = Path(tmp) / "corpus.db"
        ev.ingest_corpus(template_db)
        templates, departments = load_templates(template_db)
    per_copy = sum(len(d["nodes"]) for d in templates)
    copies = -(-n_nodes // per_copy)
    places = load_places()

    Store(target).close()  # creates the file and runs every migration
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA synchronous = OFF")  # a benchmark fixture: rebuilt, never recovered
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    nodes_written = docs_written = 0
    for c in range(copies):
        rng = random.Random(seed * 1_000_003 + c)
        v = Variation(rng, places, departments)
        with conn:
            sources: dict[int, int] = {}  # template source → this copy's source (documents keep their seq)
            for d in templates:
                if d["source_id"] not in sources:
                    path = f"scale/copy{c:06d}/{d['source_path'].rsplit('/', 1)[-1]}"
                    (sources[d["source_id"]],) = conn.execute(
                        "INSERT INTO sources (path, sha256, format, encoding, text, ingested_at)"
                        " VALUES (?, ?, ?, 'utf-8', '', ?) RETURNING id",
                        (path, hashlib.sha256(f"{seed}:{path}".encode()).hexdigest(), d["format"], now),
                    ).fetchone()
                source_id = sources[d["source_id"]]
                texts = [vary_node_text(v, n["text"]) for n in d["nodes"]]
                spans, pos = [], 0
                for t in texts:
                    spans.append((pos, pos + len(t)))
                    pos += len(t) + 1
                doc_text = "\n".join(texts)
                number = d["doc_number"] and _DOCNUM.sub(
                    lambda m: f"〔{int(m.group(1)) + v.year_shift}〕{rng.randint(1, 199)}号", d["doc_number"])
                date = d["date"] and f"{int(d['date'][:4]) + v.year_shift}{d['date'][4:]}"
                title = v.text(d["title"])
                (doc_id,) = conn.execute(
                    "INSERT INTO documents (source_id, seq, title, title_key, doc_number, doc_number_key, issuer, date,"
                    " text, char_count, content_hash, line_start, line_end, format, elements, toc, char_map)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]') RETURNING id",
                    (source_id, d["seq"], title, title_key(title), number, doc_number_key(number), v.text(d["issuer"]),
                     date, doc_text, len(doc_text), hashlib.sha256(doc_text.encode()).hexdigest(),
                     d["line_start"], d["line_end"], d["format"], d["elements"], d["toc"]),
                ).fetchone()
                conn.executemany(
                    "INSERT INTO nodes (doc_id, node_id, seq, parent, kind, label, title, text, span_start, span_end,"
                    " line_start, line_end, attrs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(doc_id, n["node_id"], n["seq"], n["parent"], n["kind"], n["label"], v.text(n["title"]), t,
                      s, e, n["line_start"], n["line_end"], n["attrs"])
                     for n, t, (s, e) in zip(d["nodes"], texts, spans)],
                )
                conn.executemany(
                    "INSERT INTO extractions (doc_id, seq, type, node_id, quote, span_start, span_end, line_start,"
                    " line_end, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(doc_id, x["seq"], x["type"], x["node_id"], v.text(x["quote"]), x["span_start"], x["span_end"],
                      x["line_start"], x["line_end"], _vary_fields(v, x["type"], x["fields"]))
                     for x in d["extractions"]],
                )
                nodes_written += len(d["nodes"])
                docs_written += 1
        if progress and (c + 1) % max(1, copies // 20) == 0:
            print(f"  generated {nodes_written:,} nodes ({c + 1}/{copies} copies, {time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"nodes": nodes_written, "documents": docs_written, "copies": copies,
            "seconds": time.perf_counter() - t0, "db_bytes": _file_bytes(target)}


def _vary_fields(v: Variation, type_: str, fields: str) -> str:
    if type_ != "entity":
        return fields
    f = json.loads(fields)
    for k in ("name", "canonical"):
        if isinstance(f.get(k), str):
            f[k] = v.text(f[k])
    return json.dumps(f, ensure_ascii=False)


def _file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


# --------------------------------------------------------------------------
# Measurement (each engine in a fresh process: --worker)
# --------------------------------------------------------------------------

def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _percentiles(xs: list[float]) -> dict[str, float]:
    s = sorted(xs)

    def p(q: float) -> float:  # nearest rank
        return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]
    return {"p50_ms": 1000 * p(0.50), "p95_ms": 1000 * p(0.95), "p99_ms": 1000 * p(0.99),
            "mean_ms": 1000 * sum(s) / len(s), "calls": len(s)}


def _latency(search, queries: list[str], rounds: int, limit: int = 10) -> dict[str, float]:
    for q in queries:  # warm: caches, lazy loads
        search(q, limit)
    times = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            search(q, limit)
            times.append(time.perf_counter() - t)
    return _percentiles(times)


def measure_ours(db: Path, queries: list[str], rounds: int) -> dict[str, Any]:
    """The engine part: everything that touches zhengce.search is here."""
    from zhengce.search import SearchEngine

    out: dict[str, Any] = {"engine": "zhengce SearchEngine", "rss_before": _rss_bytes()}
    beside = _sidecars(db)
    t = time.perf_counter()
    engine = SearchEngine(db)
    engine.refresh()
    out["build_s"] = time.perf_counter() - t
    out["indexed_nodes"] = engine.size
    out["index_memory_bytes"] = engine.nbytes()
    engine.close()
    del engine
    # On disk: the engine's tables in the database, plus whatever files it put next to it (an index copy).
    tables = _search_table_bytes(db)
    extra = sum(_tree_bytes(p) for p in _sidecars(db) - beside)
    out["index_disk_bytes"] = None if tables is None else tables + extra
    out["index_disk_sidecar_bytes"] = extra
    t = time.perf_counter()
    engine = SearchEngine(db)
    engine.refresh()
    out["reload_s"] = time.perf_counter() - t
    out.update(_latency(lambda q, k: engine.search(q, limit=k), queries, rounds))
    engine.close()
    out["peak_rss"] = _peak_rss_bytes()
    return out


def _sidecars(db: Path) -> set[Path]:
    """Files and folders next to the database that are not the database itself (or its WAL)."""
    own = {db.name, f"{db.name}-wal", f"{db.name}-shm", f"{db.name}-journal"}
    return {p for p in db.parent.iterdir() if p.name.startswith(db.name) and p.name not in own}


def _tree_bytes(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _search_table_bytes(db: Path) -> int | None:
    """Bytes of the engine's tables and their indexes in the database (dbstat), None if unavailable."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE tbl_name LIKE 'search%' AND type IN ('table', 'index')")]
        if not names:
            return 0
        marks = ",".join("?" * len(names))
        (n,) = conn.execute(f"SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN ({marks})", names).fetchone()
        return int(n)
    except sqlite3.OperationalError:  # SQLite built without dbstat
        return None
    finally:
        conn.close()


def measure_fts5(db: Path, queries: list[str], rounds: int, workdir: Path) -> dict[str, Any]:
    ev = _search_eval()
    target = workdir / "fts5_trigram.db"
    target.unlink(missing_ok=True)
    out: dict[str, Any] = {"engine": "FTS5 trigram (trigram OR, bm25)", "rss_before": _rss_bytes()}
    t = time.perf_counter()
    fts = ev.Fts5Trigram(db, target=target)
    out["build_s"] = time.perf_counter() - t
    out["indexed_nodes"] = fts.rows
    out["index_memory_bytes"] = None  # on disk, read through SQLite's page cache
    out["index_disk_bytes"] = _file_bytes(target)
    out["reload_s"] = None
    out.update(_latency(fts.search, queries, rounds))
    fts.close()
    target.unlink(missing_ok=True)
    out["peak_rss"] = _peak_rss_bytes()
    return out


def run_worker(engine: str, db: Path, rounds: int, workdir: Path) -> dict[str, Any]:
    queries = [q["query"] for q in _search_eval().load_gold()]
    if engine == "ours":
        return measure_ours(db, queries, rounds)
    return measure_fts5(db, queries, rounds, workdir)


def in_subprocess(engine: str, db: Path, rounds: int, workdir: Path) -> dict[str, Any]:
    r = subprocess.run(
        [sys.executable, __file__, "--worker", engine, "--db", str(db), "--rounds", str(rounds), "--workdir", str(workdir)],
        capture_output=True, text=True, cwd=ROOT,
    )
    if r.returncode != 0:
        raise RuntimeError(f"{engine} worker failed:\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

def _mb(x: int | None) -> str:
    return "–" if x is None else f"{x / MiB:,.1f}"


def _s(x: float | None) -> str:
    return "–" if x is None else f"{x:,.1f}"


def report(gen: dict[str, Any], results: list[dict[str, Any]]) -> str:
    lines = [
        f"## Search at scale ({gen['nodes']:,} nodes, {gen['documents']:,} documents)\n",
        f"Corpus: {gen['copies']:,} varied copies of the bundled corpus; database "
        f"{_mb(gen['db_bytes'])} MB" + (f", generated in {gen['seconds']:.0f} s" if gen.get("seconds") else "")
        + f". Latency: {results[0]['calls']:,} timed searches per engine (gold queries, limit 10, warm).\n",
        "| engine | nodes indexed | build s | reload s | index in memory MB | index on disk MB"
        " | p50 ms | p95 ms | p99 ms | peak RSS MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['engine']} | {r['indexed_nodes']:,} | {_s(r['build_s'])} | {_s(r['reload_s'])}"
            f" | {_mb(r['index_memory_bytes'])} | {_mb(r['index_disk_bytes'])}"
            f" | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {_mb(r['peak_rss'])} |"
        )
    lines.append(
        "\nbuild: ours = first refresh() over the new database (segmentation, search rows written, in-memory"
        " index built); FTS5 = creating and filling the trigram table. reload: a new process's refresh() over"
        " the indexed database. index on disk: ours = its tables in the database plus the files it keeps"
        " beside the database (an index copy it memory-maps on the next start"
        + (f", {_mb(results[0].get('index_disk_sidecar_bytes'))} MB" if results[0].get("index_disk_sidecar_bytes") else "")
        + "); FTS5 = its database file. peak RSS: of the process doing that engine's build and searches"
        f" (interpreter and imports: ours {_mb(results[0]['rss_before'])} MB"
        + (f", FTS5 {_mb(results[1]['rss_before'])} MB" if len(results) > 1 else "") + ")."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=1_000_000, help="nodes to generate (default 1,000,000)")
    ap.add_argument("--db", type=Path, help="reuse a database generated before (--keep) instead of generating")
    ap.add_argument("--keep", type=Path, help="keep the generated database at this path")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds over the gold queries (default 3)")
    ap.add_argument("--engines", default="ours,fts5", help="comma-separated: ours, fts5")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--workdir", type=Path, help="where temporary databases go (default: a temp dir)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of markdown")
    ap.add_argument("--worker", choices=["ours", "fts5"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(json.dumps(run_worker(args.worker, args.db, args.rounds, args.workdir)))
        return 0

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        workdir = Path(tmp)
        if args.db:
            db = args.db
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            count = lambda table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
            gen = {"nodes": count("nodes"), "documents": count("documents"), "copies": count("sources") // 5,
                   "seconds": None, "db_bytes": _file_bytes(db)}
            conn.close()
        else:
            db = workdir / "scale.db"
            print(f"generating ≥{args.nodes:,} nodes into {db} …", file=sys.stderr)
            gen = generate(db, args.nodes, args.seed)
        results = []
        for engine in args.engines.split(","):
            print(f"measuring {engine} …", file=sys.stderr)
            results.append(in_subprocess(engine.strip(), db, args.rounds, workdir))
        if args.keep and not args.db:
            # The database and what lives beside it (WAL, the engine's index copy) move together.
            for p in sorted(workdir.glob(db.name + "*")):
                shutil.move(str(p), str(args.keep) + p.name[len(db.name):])
        if args.json:
            print(json.dumps({"corpus": gen, "results": results}, ensure_ascii=False, indent=2))
        else:
            print(report(gen, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
