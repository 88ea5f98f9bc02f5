"""Extraction speed over the 50 MB benchmark corpus (all types together, one core).

    python benchmarks/extract_speed.py [--mb 50]

The corpus is the one benchmarks/parse.py builds (the five corpus files
replicated with layout-preserving variation of numbers and names).  Each file
is read, restored and structured untimed; only `extract()` over its documents
is timed, so the figure is the extraction stage's own.  Throughput is given per
MB of restored document text (what extraction reads) and per MB of input file.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import sys
import tempfile
import time
from pathlib import Path

from zhengce.extract import extract
from zhengce.model import doc_key
from zhengce.pipeline import parse_source
from zhengce.read import read_file

ROOT = Path(__file__).resolve().parents[1]
MiB = 2**20


def _parse_benchmark():
    spec = importlib.util.spec_from_file_location("parse_bench", ROOT / "benchmarks" / "parse.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["parse_bench"] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=50, help="corpus size in MB (default 50)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = _parse_benchmark().build_corpus(Path(tmp), args.mb)
        input_bytes = text_bytes = records = 0
        extract_s = 0.0
        started = time.perf_counter()
        for i, path in enumerate(paths, 1):
            input_bytes += path.stat().st_size
            (source,) = read_file(path)
            docs = parse_source(source)
            t = time.perf_counter()
            for n, d in enumerate(docs, 1):
                records += len(extract(d, doc_key(str(path), n)))
            extract_s += time.perf_counter() - t
            text_bytes += sum(len(d.text.encode("utf-8")) for d in docs)
            if i % 50 == 0:
                print(f"  {i}/{len(paths)} files, extraction {text_bytes / MiB / extract_s:.2f} MB/s", file=sys.stderr)
        wall = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"## Extraction speed ({len(paths)} files, {input_bytes / MiB:.1f} MB input, {text_bytes / MiB:.1f} MB restored text)\n")
    print("| measure | result |")
    print("|---|---|")
    print(f"| extraction time (all types) | {extract_s:.1f} s |")
    print(f"| throughput per MB of restored text | **{text_bytes / MiB / extract_s:.2f} MB/s per core** |")
    print(f"| throughput per MB of input file | {input_bytes / MiB / extract_s:.2f} MB/s per core |")
    print(f"| records | {records:,} ({records / extract_s:,.0f}/s) |")
    print(f"| wall time incl. untimed parsing | {wall:.0f} s |")
    print(f"| peak RSS | {rss:.0f} MB |")


if __name__ == "__main__":
    main()
