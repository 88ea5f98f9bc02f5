"""政策直达 at scale: 10,000 enterprise profiles × every rule of the corpus, and × 1,000 synthetic rules.

    python benchmarks/match.py [--profiles 10000] [--synthetic 1000] [--write]

Each scenario runs in its own process (one core: BLAS/OpenMP threads pinned to
1), so its peak RSS is its own.  Timed: building the batch (every condition of
every rule over all profiles → the status matrix) and computing every rule's
amount for every profile; not timed: making the profiles and rules.  For
comparison, the one-by-one path (evaluate(), with explanations) on a sample.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "jilin"
HEAD = "## 政策直达 matching (benchmarks/match.py)"


def corpus_rules():
    from zhengce.extract import extract
    from zhengce.match.rules import doc_info, machine_rules
    from zhengce.model import doc_key
    from zhengce.pipeline import parse_source
    from zhengce.read import read_file

    records = []
    for f in sorted(CORPUS.glob("*.txt")):
        (src,) = read_file(f)
        for i, d in enumerate(parse_source(src), 1):
            key = doc_key(str(f), i)
            info = doc_info(d, i, key)
            records += [(info, r) for r in extract(d, key, ["benefit"])]
    return machine_rules(records)


def scenario(kind: str, n_profiles: int, n_rules: int) -> dict:
    import numpy as np

    from zhengce.match.batch import Batch
    from zhengce.match.evaluate import evaluate
    from zhengce.match.synthetic import synthetic_profiles, synthetic_rules

    rules = corpus_rules() if kind == "corpus" else synthetic_rules(n_rules, seed=2)
    profiles = synthetic_profiles(n_profiles, seed=1)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    b = Batch(profiles, rules, "2021-10-01")
    t1 = time.perf_counter()
    total = np.zeros(len(profiles))  # what every enterprise may receive: the sum of eligible maxima
    for j in range(len(b.rules)):
        a = b.amounts(j)
        hi = np.nan_to_num(a["hi"])
        total += np.where(b.status[j] == 2, hi, 0.0)
    t2 = time.perf_counter()
    sample = profiles[:20]
    t3 = time.perf_counter()
    for p in sample:
        for r in b.rules:
            evaluate(r, p, "2021-10-01")
    t4 = time.perf_counter()
    counts = b.counts()
    return {
        "kind": kind, "profiles": len(profiles), "rules": len(b.rules),
        "conditions": sum(len(r.conditions) for r in b.rules), "distinct_conditions": len(b._cond),
        "status_s": t1 - t0, "amounts_s": t2 - t1, "total_s": t2 - t0,
        "one_by_one_us_per_pair": (t4 - t3) / (len(sample) * len(b.rules)) * 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_batch_mb": rss_before / 1024,
        "counts": counts, "mean_eligible_total_wan": float(total.mean()),
    }


def machine() -> list[str]:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout.splitlines()[:10]
    except (OSError, subprocess.CalledProcessError):
        lscpu = [platform.processor() or platform.machine()]
    return lscpu


def report(results: list[dict]) -> str:
    lines = [
        HEAD, "",
        f"Run {date.today().isoformat()} with `python benchmarks/match.py`; Python {platform.python_version()}, "
        f"NumPy {__import__('numpy').__version__}, one core (each scenario in its own process, threads pinned to 1). "
        "Goal: ≤ 2 s for 10k profiles × 1k rules.", "",
        "| scenario | profiles | rules | conditions (distinct) | status matrix | amounts | total | peak RSS | one by one |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['kind']} | {r['profiles']:,} | {r['rules']:,} | {r['conditions']:,} ({r['distinct_conditions']:,}) | "
            f"{r['status_s']:.3f} s | {r['amounts_s']:.3f} s | **{r['total_s']:.3f} s** | {r['peak_rss_mb']:.0f} MB "
            f"({r['rss_before_batch_mb']:.0f} before the batch) | {r['one_by_one_us_per_pair']:.0f} µs/pair |"
        )
    lines += ["", "Status counts (eligible / unknown / ineligible): " + "; ".join(
        f"{r['kind']}: {r['counts']['eligible']:,} / {r['counts']['unknown']:,} / {r['counts']['ineligible']:,}" for r in results), "",
        "Profiles are synthetic (`zhengce.match.synthetic`, 10% of facts unknown); corpus rules are the machine rules of",
        "the bundled corpus; synthetic rules have 1–5 conditions (thresholds, tiers with 首次, sets, titles, requirements),",
        "amounts, rates × bases, tier amounts and caps. \"one by one\" is `evaluate()` with explanations, per profile × rule.", "",
        "Machine:", "", "```", *machine(), "```", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", type=int, default=10_000)
    ap.add_argument("--synthetic", type=int, default=1_000)
    ap.add_argument("--write", action="store_true", help="update the section in BENCHMARKS.md")
    ap.add_argument("--scenario", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.scenario:
        print(json.dumps(scenario(args.scenario, args.profiles, args.synthetic)))
        return
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    results = []
    for kind in ("corpus", "synthetic"):
        out = subprocess.run([sys.executable, __file__, "--scenario", kind, "--profiles", str(args.profiles), "--synthetic", str(args.synthetic)],
                             capture_output=True, text=True, env=env, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    text = report(results)
    print(text)
    if args.write:
        bench = ROOT / "BENCHMARKS.md"
        old = bench.read_text(encoding="utf-8") if bench.exists() else "# Benchmarks\n"
        if HEAD in old:
            start = old.index(HEAD)
            nxt = old.find("\n## ", start + len(HEAD))
            old = old[:start] + old[nxt + 1 :] if nxt >= 0 else old[:start]
        bench.write_text(old.rstrip("\n") + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
