"""Parse benchmark: read + restore + structure throughput and memory.

    python benchmarks/parse.py                # 50 MB corpus, print a markdown report
    python benchmarks/parse.py --mb 20        # smaller corpus
    python benchmarks/parse.py --write        # ... and update BENCHMARKS.md
    python benchmarks/parse.py --profile      # cProfile one pass of corpus/jilin, top 25
    python benchmarks/parse.py --profile --types 000,001,003,004   # ... without the pinyin file

The corpus is built in a temporary folder by replicating the five bundled files
in corpus/jilin/ with deterministic (seeded) variation, so the parser does not
see one document repeated:

* digit runs (ASCII and full-width) are changed in every copy: years shift by a
  per-copy offset, other numbers are scaled by a per-copy factor.  The new
  number always has the same number of digits, so line lengths, the ~28
  character PDF wraps of 003 and the page splits stay exactly as they were.
  List markers (`1.`, `１\\ue010`, `（1）`, `3、`), months and days (`7月22日`),
  TOC page numbers, page folios (`—１４—`), `5G`-style tokens and box numbers
  (`专栏1`) are left alone.
* place and organisation names are swapped for others of the same length
  (吉林市 → 四平市/通化市/…, 梅河口 → 公主岭/…, 省商务厅 → 省工信厅/…),
  except in 002, whose pinyin damage is byte-level: there only digits change.

Damage (pinyin, page splits, wraps, private-use characters) is kept.  Three
varied copies of each file are parsed and their structure (documents, nodes,
node kinds, repairs, notes, text length) compared with the original's, so the
variation is known not to change what the parser has to do.

Timing and memory are measured in fresh subprocesses, one core each (pinned),
files parsed one after another and the results dropped: the big run gives the
throughput, and the same measurement on a smaller prefix of the corpus (mb/5)
shows whether peak RSS grows with corpus size.  With two or more cores the two
runs go side by side (the big one alone on its core; the small run, the
variation check, tracemalloc and a short profile share the other), which keeps
the default run near the big run's own time; `--sequential` runs them one after
the other.  MB means 2**20 bytes of UTF-8 input.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "jilin"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
SECTION = "## Parse (read + restore + structure)"
MiB = 1024 * 1024
SEED = 20240521
GOAL_MBPS = 5.0

if str(ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))

KIND = {  # type prefix → short description (see corpus/jilin/README.md)
    "000": "gazette bundle, OCR markdown",
    "001": "docx export, long lines",
    "002": "Traditional + byte-level pinyin damage",
    "003": "PDF text layer, wrapped, 10 docs",
    "004": "plan with TOC, page splits",
}

# --------------------------------------------------------------------------
# Corpus variation
# --------------------------------------------------------------------------

# Same-length replacements, so wraps and splits keep their geometry.  The
# original stays in each list, so some copies keep it.
NAMES: dict[str, list[str]] = {
    "吉林市": ["吉林市", "四平市", "通化市", "白山市", "松原市", "白城市", "辽源市"],
    "梅河口": ["梅河口", "公主岭", "满洲里", "扎兰屯", "牙克石", "阿尔山"],
    "长春市": ["长春市", "沈阳市", "大连市", "鞍山市", "抚顺市"],
    "吉林省": ["吉林省", "辽宁省", "河北省", "山西省", "湖南省", "江西省"],
    "船营区": ["船营区", "铁西区", "和平区", "南关区"],
    "昌邑区": ["昌邑区", "铁东区", "皇姑区", "朝阳区"],
    "丰满区": ["丰满区", "大东区", "宽城区", "绿园区"],
    "龙潭区": ["龙潭区", "二道区", "双阳区", "九台区"],
    "省商务厅": ["省商务厅", "省工信厅", "省文旅厅"],
    "省财政厅": ["省财政厅", "省税务局", "省审计厅"],
    "省科技厅": ["省科技厅", "省教育厅", "省人社厅"],
    "省发展改革委": ["省发展改革委", "省生态环境厅", "省卫生健康委"],
}
_NAME_RE = re.compile("|".join(sorted(map(re.escape, NAMES), key=len, reverse=True)))

_DIGITS = re.compile(r"[0-9]+|[０-９]+")
_FW = str.maketrans("０１２３４５６７８９", "0123456789")
_TO_FW = str.maketrans("0123456789", "０１２３４５６７８９")
_MARK_NEXT = set(".．\ue010、月日")  # list markers `1.` `１\ue010` `3、`; months and days stay valid
_SKIP_PREV = set("\t—…_") | set(".．")  # TOC page numbers, folios, `2178.89` keeps its fraction
_LETTER = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")


def _vary_numbers(text: str, rng: random.Random) -> str:
    factor = rng.choice([0.5, 0.7, 0.8, 1.25, 1.5, 2.0, 3.0])
    shift = rng.choice([-6, -4, -3, -2, -1, 1, 2, 3, 5])

    def sub(m: re.Match) -> str:
        s, i, j = m.group(), m.start(), m.end()
        prev = text[i - 1] if i else ""
        nxt = text[j] if j < len(text) else ""
        n = len(s)
        if (
            nxt in _MARK_NEXT
            or prev in _SKIP_PREV
            or (prev in "(（" and nxt in ")）")
            or text.endswith(("专栏", "专栏 ", "第"), max(0, i - 3), i)
            or _LETTER.match(nxt)
            or (n > 1 and s[0] in "0０")
        ):
            return s
        full = s[0] not in "0123456789"
        v = int(s.translate(_FW))
        if n == 4 and 1949 <= v <= 2099:
            new = v + shift
        else:
            new = round(v * factor)
            lo, hi = (0 if n == 1 else 10 ** (n - 1)), 10**n - 1
            new = min(max(new, lo), hi)  # keep the digit count
        out = str(new)
        return out.translate(_TO_FW) if full else out

    return _DIGITS.sub(sub, text)


def vary(text: str, kind: str, copy: int) -> str:
    """Copy number `copy` of a corpus file: deterministic, layout-preserving."""
    rng = random.Random(f"{SEED}:{kind}:{copy}")
    if kind != "002":  # 002's pinyin damage is byte-level: digits only
        choice = {k: rng.choice(v) for k, v in NAMES.items()}
        text = _NAME_RE.sub(lambda m: choice[m.group()], text)
    return _vary_numbers(text, rng)


def originals() -> list[tuple[str, Path]]:
    files = sorted(CORPUS.glob("[0-9][0-9][0-9]_*.txt"))
    if len(files) != 5:
        sys.exit(f"expected five files in {CORPUS}, found {len(files)}")
    return [(p.name[:3], p) for p in files]


def build_corpus(folder: Path, mb: float) -> list[Path]:
    """Write varied copies, interleaving the five types, until `mb` MB."""
    src = [(kind, p.read_text(encoding="utf-8")) for kind, p in originals()]
    paths, total, copy = [], 0, 0
    while total < mb * MiB:
        copy += 1
        for kind, text in src:
            out = vary(text, kind, copy)
            p = folder / f"c{copy:04d}_{kind}.txt"
            data = out.encode("utf-8")
            p.write_bytes(data)
            paths.append(p)
            total += len(data)
    return paths


def kind_of(path: Path) -> str:
    return path.stem.rsplit("_", 1)[1]


# --------------------------------------------------------------------------
# The measured operation
# --------------------------------------------------------------------------


def parse_file(path: Path) -> list:
    from zhengce.pipeline import parse_source
    from zhengce.read import read_file

    docs = []
    for source in read_file(path):
        docs.extend(parse_source(source))
    return docs


def signature(docs: list) -> dict:
    """What the parser made of a file, with numbers and names left out."""
    return {
        "documents": len(docs),
        "nodes": [len(d.nodes) for d in docs],
        "kinds": sorted(Counter(n.kind for d in docs for n in d.nodes).items()),
        "repairs": sorted(Counter({k: v for d in docs for k, v in d.repairs.items()}).items()),
        "notes": sorted(Counter(n.kind for d in docs for n in d.notes).items()),
        "chars": sum(len(d.text) for d in docs),
    }


def check_variation(copies: int = 3) -> list[tuple[str, bool, str]]:
    """Parse a few varied copies of each file; their structure must match the original's."""
    rows = []
    for kind, p in originals():
        text = p.read_text(encoding="utf-8")
        want = signature(parse_file(p))
        diffs = []
        with tempfile.TemporaryDirectory() as tmp:
            for c in range(1, copies + 1):
                q = Path(tmp) / f"c{c:04d}_{kind}.txt"
                q.write_text(vary(text, kind, c), encoding="utf-8")
                got = signature(parse_file(q))
                for k in want:
                    if got[k] != want[k] and k not in diffs:
                        diffs.append(k)
        rows.append((kind, not diffs, ", ".join(diffs)))
    return rows


def code_hash() -> str:
    """Short hash of the package source, to catch code edited between the two runs."""
    h = hashlib.sha256()
    for f in sorted((ROOT / "src" / "zhengce").rglob("*.py")):
        h.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


def pin(cpu: int | None) -> None:
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {cpu})
        except OSError:
            pass


def maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: KiB


def child(list_file: str, cpu: int | None) -> None:
    """Fresh-process measurement: warm up, then parse every listed file once."""
    pin(cpu)
    code = code_hash()
    paths = [Path(line) for line in Path(list_file).read_text().splitlines() if line]
    import zhengce.pipeline  # noqa: F401  (imports are not part of the measurement)
    import zhengce.read  # noqa: F401

    rss_import = maxrss_kb()
    for _kind, p in originals():  # warm-up: lazy tables (OpenCC etc.)
        parse_file(p)
    gc.collect()
    rss_warm = maxrss_kb()
    files, trace, done, step = [], [], 0, max(len(paths) // 10, 1)
    t0, c0 = time.perf_counter(), time.process_time()
    for i, p in enumerate(paths, 1):
        size = p.stat().st_size
        t = time.perf_counter()
        docs = parse_file(p)
        dt = time.perf_counter() - t
        files.append((kind_of(p), size, dt, len(docs)))
        del docs
        done += size
        if i % step == 0 or i == len(paths):
            trace.append((round(done / MiB, 1), maxrss_kb()))
    wall, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    json.dump(
        {
            "files": files,
            "wall": wall,
            "cpu": cpu_s,
            "rss_import_kb": rss_import,
            "rss_warm_kb": rss_warm,
            "rss_peak_kb": maxrss_kb(),
            "rss_trace": trace,
            "code": code,
            "code_end": code_hash(),
        },
        sys.stdout,
    )


def start_child(paths: list[Path], folder: Path, cpu: int | None) -> subprocess.Popen:
    lst = folder / f"list_{len(paths)}.txt"
    lst.write_text("\n".join(map(str, paths)) + "\n")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [sys.executable, __file__, "--child", str(lst)]
    if cpu is not None:
        cmd += ["--cpu", str(cpu)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish_child(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate()
    if proc.returncode != 0:
        sys.exit(f"benchmark child failed ({proc.returncode}):\n{err}")
    return json.loads(out)


def tracemalloc_peaks() -> list[tuple[str, int, int, int]]:
    """tracemalloc peaks (Python allocations) for one original file: read, then restore+structure."""
    import tracemalloc

    from zhengce.pipeline import parse_source
    from zhengce.read import read_file

    rows = []
    for kind, p in originals():
        parse_file(p)  # warm caches first so the peak is per-file work only
        gc.collect()
        tracemalloc.start()
        sources = read_file(p)
        read_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        docs = [d for s in sources for d in parse_source(s)]
        parse_peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        del docs, sources
        rows.append((kind, p.stat().st_size, read_peak, parse_peak))
    return rows


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "arch": os.uname().machine,
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }


def per_kind(files: list) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for kind in sorted({f[0] for f in files}):
        rows = [f for f in files if f[0] == kind]
        size = sum(r[1] for r in rows)
        secs = sum(r[2] for r in rows)
        out[kind] = {
            "files": len(rows),
            "mb": size / MiB,
            "s": secs,
            "mbps": size / MiB / secs,
            "ms_median": statistics.median(r[2] for r in rows) * 1000,
            "ms_max": max(r[2] for r in rows) * 1000,
        }
    return out


def git_head() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def report(big: dict, small: dict, checks: list, peaks: list, spots: list, build_s: float,
           parallel: bool, runtime: float) -> str:
    m = machine()
    mb = sum(f[1] for f in big["files"]) / MiB
    mb_small = sum(f[1] for f in small["files"]) / MiB
    mbps = mb / big["wall"]
    rss_flat = big["rss_peak_kb"] <= small["rss_peak_kb"] * 1.10 + 4096
    codes = {big["code"], big["code_end"], small["code"], small["code_end"]}

    def rss(r: dict, size: float) -> str:
        return (f"| peak RSS, {size:.3g} MB corpus | {r['rss_peak_kb'] / 1024:.0f} MB "
                f"(after imports {r['rss_import_kb'] / 1024:.0f}, after warm-up {r['rss_warm_kb'] / 1024:.0f}, "
                f"growth while parsing {(r['rss_peak_kb'] - r['rss_warm_kb']) / 1024:.0f}) |")

    lines = [
        SECTION,
        "",
        f"Run {_dt.date.today().isoformat()} with `python benchmarks/parse.py"
        f"{' --mb %g' % round(mb) if round(mb) != 50 else ''}` (total {runtime / 60:.1f} min); "
        f"machine: {m['arch']}, {m['cpu']}, {m['cores']} cores, Python {m['python']}; "
        f"code: git {git_head()} + working tree, src hash {big['code']}.",
        "",
        f"Goal: ≥ {GOAL_MBPS:g} MB/s per core and flat peak memory (peak RSS must not grow with corpus size).",
        "",
        f"Corpus: {len(big['files'])} files, {mb:.1f} MB (UTF-8 input, MB = 2^20 bytes), built in "
        f"{build_s:.1f} s by replicating the five `corpus/jilin` files with seeded, layout-preserving "
        "variation (numbers, place/organisation names; damage kept). Each measurement is a fresh "
        "process on one core: imports, a warm-up pass over the five originals, then `read_file` → "
        "`parse_source` per file, results dropped. "
        + (f"The {mb_small:.3g} MB run shares the other core with the variation check, tracemalloc and the profile; "
           f"the {mb:.3g} MB run has a core to itself."
           if parallel else "The two runs ran one after the other."),
        "",
        "| measure | result | goal |",
        "|---|---|---|",
        f"| throughput (wall) | **{mbps:.2f} MB/s per core** ({mb:.1f} MB in {big['wall']:.1f} s) "
        f"| ≥ {GOAL_MBPS:g} MB/s {'✅' if mbps >= GOAL_MBPS else '❌'} |",
        f"| throughput (CPU time) | {mb / big['cpu']:.2f} MB per CPU-second | |",
        f"| throughput, {mb_small:.3g} MB run | {mb_small / small['wall']:.2f} MB/s | |",
        rss(small, mb_small) + " |",
        rss(big, mb) + f" flat {'✅' if rss_flat else '❌'} |",
        "",
        "Peak RSS (MB) as the big run goes on: "
        + ", ".join(f"{d:g} MB → {k / 1024:.0f}" for d, k in big["rss_trace"]) + ".",
        "",
    ]
    if len(codes) > 1:
        lines += ["**Warning:** the package source changed during the run (src hashes "
                  + ", ".join(sorted(codes)) + "); the two runs measured different code. Re-run.", ""]
    lines += [
        "Per source file type (the big run):",
        "",
        "| type | what | files | MB | seconds | MB/s | median ms/file | max ms/file |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, r in per_kind(big["files"]).items():
        lines.append(
            f"| {kind} | {KIND.get(kind, '')} | {r['files']} | {r['mb']:.1f} | {r['s']:.1f} "
            f"| {r['mbps']:.2f} | {r['ms_median']:.0f} | {r['ms_max']:.0f} |"
        )
    lines += [
        "",
        "tracemalloc peaks for one original file (Python allocations only, caches warm; "
        "`read_file` and `parse_source` measured separately):",
        "",
        "| type | input KB | read peak MB | restore + structure peak MB | restore + structure peak / input |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, size, read_peak, parse_peak in peaks:
        lines.append(
            f"| {kind} | {size / 1024:.0f} | {read_peak / MiB:.1f} | {parse_peak / MiB:.1f} | {parse_peak / size:.0f}× |"
        )
    if any(r[2] > 16 * MiB for r in peaks):
        lines += [
            "",
            "The read peak is the `f.read(limit + 1)` buffer in `zhengce/read/__init__.py`: CPython "
            "allocates the full size-cap (64 MB) before shrinking it to the file size. The pages are "
            "never touched, so RSS stays low, but it is a 64 MB allocation per file.",
        ]
    ok = all(c[1] for c in checks)
    lines += [
        "",
        "Variation check (3 varied copies per type parsed and compared with the original: "
        "documents, nodes per document, node kinds, repairs, notes, text length): "
        + ("all identical." if ok else "; ".join(f"{k}: differs in {d}" for k, good, d in checks if not good) + "."),
        "",
        "Hot spots (cProfile, one pass over the five originals after a warm-up; package functions "
        "by cumulative time, under the profiler's overhead; full list: `python benchmarks/parse.py --profile`, "
        "without the pinyin file: `--profile --types 000,001,003,004`):",
        "",
        "| function | file:line (src/zhengce/) | calls | own s | cumulative s |",
        "|---|---|---:|---:|---:|",
    ]
    for func, where, nc, tt, ct in spots:
        lines.append(f"| `{func}` | {where} | {nc} | {tt:.3f} | {ct:.3f} |")
    lines += [
        "",
    ]
    return "\n".join(lines)


def write_section(section: str) -> None:
    old = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _m: section.rstrip("\n") + "\n\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    BENCHMARKS_MD.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def _profiled(files: list[Path]):
    import cProfile

    for p in files:  # warm-up, so one-time table loading is not the hot spot
        parse_file(p)
    prof = cProfile.Profile()
    prof.enable()
    for p in files:
        parse_file(p)
    prof.disable()
    return prof


def profile(top: int = 25, types: str | None = None) -> None:
    import pstats

    want = set(types.split(",")) if types else None
    files = [p for k, p in originals() if want is None or k in want]
    if not files:
        sys.exit(f"no corpus file of type {types}")
    prof = _profiled(files)
    total = sum(p.stat().st_size for p in files)
    print(f"cProfile: one pass over {len(files)} files ({total / MiB:.2f} MB), after a warm-up pass")
    pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats("cumulative").print_stats(top)


def hot_spots(top: int = 10) -> list[tuple[str, str, int, float, float]]:
    """Top pipeline functions by cumulative time over one pass of the five originals."""
    import pstats

    prof = _profiled([p for _k, p in originals()])
    pkg = str(ROOT / "src" / "zhengce") + os.sep
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in pstats.Stats(prof).stats.items():
        if file.startswith(pkg) and not (file.endswith("pipeline.py") and func == "parse_source"):
            rows.append((func, f"{file[len(pkg):]}:{line}", nc, tt, ct))
    rows.sort(key=lambda r: -r[4])
    return rows[:top]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=50, help="corpus size in MB (default 50)")
    ap.add_argument("--small-mb", type=float, default=None, help="size of the second memory run (default mb/5)")
    ap.add_argument("--write", action="store_true", help="update the section in BENCHMARKS.md")
    ap.add_argument("--profile", action="store_true", help="cProfile one pass of corpus/jilin and exit")
    ap.add_argument("--types", metavar="000,003", help="with --profile: only these file types")
    ap.add_argument("--sequential", action="store_true",
                    help="run the two measurements one after the other (default: side by side, one core each)")
    ap.add_argument("--keep", metavar="DIR", help="build the corpus in DIR and keep it")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--cpu", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        child(args.child, args.cpu)
        return
    if args.profile:
        profile(types=args.types)
        return

    small_mb = args.small_mb if args.small_mb is not None else args.mb / 5
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    parallel = not args.sequential and len(cpus) >= 2
    big_cpu, small_cpu = (cpus[-1], cpus[0]) if parallel else (None, None)
    tmp = None
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="zhengce-bench-")
        folder = Path(tmp)
    procs: list[subprocess.Popen] = []
    t_start = time.perf_counter()
    try:
        print(f"building a {args.mb:g} MB corpus in {folder} …", file=sys.stderr)
        t = time.perf_counter()
        paths = build_corpus(folder, args.mb)
        build_s = time.perf_counter() - t
        small, acc = [], 0
        for p in paths:  # a prefix of the same corpus, same mix of types
            if acc >= small_mb * MiB:
                break
            small.append(p)
            acc += p.stat().st_size

        def measure(files: list[Path], cpu: int | None) -> subprocess.Popen:
            where = f" on CPU {cpu}" if cpu is not None else ""
            print(f"measuring {len(files)} files ({sum(p.stat().st_size for p in files) / MiB:.1f} MB) "
                  f"in a fresh process{where} …", file=sys.stderr)
            procs.append(start_child(files, folder, cpu))
            return procs[-1]

        if parallel:  # the big run gets a core to itself; everything else shares the other one
            big_proc = measure(paths, big_cpu)
            pin(small_cpu)
            res_small = finish_child(measure(small, small_cpu))
        else:
            res_small = finish_child(measure(small, None))
        print("checking that variation keeps the structure …", file=sys.stderr)
        checks = check_variation()
        print("tracemalloc per original file …", file=sys.stderr)
        peaks = tracemalloc_peaks()
        print("profiling one pass over the originals …", file=sys.stderr)
        spots = hot_spots()
        if parallel:
            print("waiting for the big run …", file=sys.stderr)
            res_big = finish_child(big_proc)
        else:
            res_big = finish_child(measure(paths, None))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    runtime = time.perf_counter() - t_start
    section = report(res_big, res_small, checks, peaks, spots, build_s, parallel, runtime)
    print(section)
    if args.write:
        write_section(section)
        print(f"updated {BENCHMARKS_MD}", file=sys.stderr)


if __name__ == "__main__":
    main()
