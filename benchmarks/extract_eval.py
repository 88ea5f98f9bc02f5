"""Extraction quality against the hand-built gold set, and extraction speed.

    python benchmarks/extract_eval.py [--write] [--show-errors TYPE]

A predicted record matches a gold record of the same type and document when
their spans overlap (the best overlap wins, one to one).  Record-level
precision / recall / F1 per type; for matched pairs, per-field agreement
(value, unit, year, units, amounts …).  Grounding: the share of predicted
records whose quote is exactly text[span].
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from zhengce.extract import TYPES, extract
from zhengce.model import doc_key
from zhengce.pipeline import parse_source
from zhengce.read import read_file

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "extractions.jsonl"
CORPUS = ROOT / "corpus" / "jilin"

FIELDS = {
    "target": ["indicator", "value", "value_max", "unit", "comparator", "year", "baseline", "scope", "attribute", "aspirational"],
    "statistic": ["indicator", "value", "unit", "comparator", "year", "scope"],
    "duty": ["task", "lead", "support", "deadline"],
    "benefit": ["target_group", "conditions", "benefit_kind", "amount", "cap", "rate", "agencies", "valid_from", "valid_to"],
    "project": ["name", "category", "location", "quantities", "investment"],
    "reference": ["title", "doc_number"],
    "entity": ["name", "kind", "canonical", "code"],
}


SAMPLED = {"entity"}  # the gold set holds a sample (first mentions), not every record


def _norm(field: str, v):
    """Compare like with like: numbers as floats, unit lists as sets, conditions as sets of tuples."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        return round(float(v), 6)
    if field in ("lead", "support", "agencies"):
        return frozenset(v)
    if field == "conditions":
        return frozenset((c.get("fact"), c.get("op"), json.dumps(c.get("value"), ensure_ascii=False), c.get("unit")) for c in v)
    if field == "quantities":
        return frozenset((round(float(q["value"]), 6) if q.get("value") is not None else None, q.get("unit")) for q in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _norm(k, x)) for k, x in v.items()))
    if isinstance(v, str):
        return re.sub(r"\s", "", v)
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def _overlap(a, b) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


SECTIONS: dict[str, list[tuple[int, int, str]]] = {}  # doc_key -> (start, end, section node) of every node


def _sections(d) -> list[tuple[int, int, str]]:
    """Each node's span with the section it lies in: its ancestor two levels down (第二章第三节, 二、（三）)."""
    by_id = {n.id: n for n in d.nodes}
    out = []
    for n in d.nodes:
        chain = [n]
        while chain[-1].parent in by_id:
            chain.append(by_id[chain[-1].parent])
        chain.reverse()
        out.append((n.start, n.end, chain[min(1, len(chain) - 1)].id))
    return out


def section_at(key: str, pos: int) -> str | None:
    """The section of the innermost node holding text offset `pos`."""
    best = None
    for a, b, sec in SECTIONS.get(key, []):
        if a <= pos < b and (best is None or b - a <= best[1] - best[0]):
            best = (a, b, sec)
    return best[2] if best else None


def predict() -> tuple[dict[str, list[dict]], float]:
    """Predicted records by document, and the share of them that are grounded."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    total = grounded = 0
    for f in sorted(CORPUS.glob("*.txt")):
        (src,) = read_file(f)
        for i, d in enumerate(parse_source(src), 1):
            SECTIONS[doc_key(str(f), i)] = _sections(d)
            for r in extract(d, doc_key(str(f), i)):
                total += 1
                grounded += d.text[r.start : r.end] == r.quote
                by_doc[r.doc_key].append(r.to_dict())
    return by_doc, grounded / total if total else 1.0


def extraction_speed() -> float:
    docs = []
    for f in sorted(CORPUS.glob("*.txt")):
        (src,) = read_file(f)
        docs += [(d, doc_key(str(f), i)) for i, d in enumerate(parse_source(src), 1)]
    size = sum(len(d.text.encode("utf-8")) for d, _ in docs)
    t0 = time.perf_counter()
    for _ in range(3):
        for d, key in docs:
            extract(d, key)
    return size * 3 / (time.perf_counter() - t0) / 2**20


def evaluate(gold: list[dict], pred: dict[str, list[dict]], show: str | None = None):
    docs_with_gold = {g["doc_key"] for g in gold}
    stats = {}
    for t in TYPES:
        g_recs = [g for g in gold if g["type"] == t]
        if not g_recs:
            continue
        # Only documents the gold set covers for this type count, so a partial gold set is fair.
        covered = {g["doc_key"] for g in g_recs}
        p_recs = [p for k in covered for p in pred.get(k, []) if p["type"] == t]
        if t == "project":
            # The gold set covers some boxes of a document: score the boxes it covers.
            boxes = {(g["doc_key"], g.get("category")) for g in g_recs}
            p_recs = [p for p in p_recs if (p["doc_key"], p.get("category")) in boxes]
        if t in ("target", "statistic") and SECTIONS:
            # Targets and statistics are annotated exhaustively in some sections only (tests/gold/README.md,
            # Coverage): a prediction counts where the gold set annotated that type, not elsewhere.
            secs = {(g["doc_key"], section_at(g["doc_key"], g["span"][0])) for g in g_recs}
            p_recs = [p for p in p_recs if (p["doc_key"], section_at(p["doc_key"], p["span"][0])) in secs]
        used, pairs = set(), []
        for g in g_recs:
            # Overlapping spans identify the record; where two predictions overlap a gold record
            # (A和B分别达到x和y: both quotes start at A), the one stating the same value is it.
            best, best_key = None, (0, False, 0)
            for j, p in enumerate(p_recs):
                if j in used or p["doc_key"] != g["doc_key"]:
                    continue
                ov = _overlap(g["span"], p["span"])
                key = (min(ov, 1), "value" in g and _norm("value", g.get("value")) == _norm("value", p.get("value")), ov)
                if ov > 0 and key > best_key:
                    best, best_key = j, key
            if best is not None:
                used.add(best)
                pairs.append((g, p_recs[best]))
            elif show == t:
                print(f"MISSED {g['doc_key']} {g['quote'][:60]}")
        if show == t:
            for j, p in enumerate(p_recs):
                if j not in used:
                    print(f"EXTRA  {p['doc_key']} {p['quote'][:60]}")
        tp = len(pairs)
        if t in SAMPLED:
            p_recs = [p for _g, p in pairs]  # a sample: only recall and field agreement mean something
        prec = tp / len(p_recs) if p_recs else 0.0
        rec = tp / len(g_recs)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        fields = {}
        for f in FIELDS[t]:
            have = [(g, p) for g, p in pairs if f in g]
            if not have:
                continue
            if f == "conditions":
                # Condition-level F1 over matched clauses: each (fact, op, value, unit) counts.
                gs = sum(len(_norm(f, g.get(f) or [])) for g, _p in have)
                ps = sum(len(_norm(f, p.get(f) or [])) for _g, p in have)
                hit = sum(len(_norm(f, g.get(f) or []) & _norm(f, p.get(f) or [])) for g, p in have)
                fields[f] = 2 * hit / (gs + ps) if gs + ps else 1.0
            else:
                ok = sum(1 for g, p in have if _norm(f, g.get(f)) == _norm(f, p.get(f)))
                fields[f] = ok / len(have)
            if show == t:
                for g, p in have:
                    if _norm(f, g.get(f)) != _norm(f, p.get(f)):
                        print(f"FIELD {f}: gold {g.get(f)!r} pred {p.get(f)!r} | {g['quote'][:40]}")
        stats[t] = {"gold": len(g_recs), "pred": len(p_recs), "tp": tp, "p": prec, "r": rec, "f1": f1, "fields": fields}
    return stats, docs_with_gold


def report(stats, grounded: float, speed: float) -> str:
    lines = [
        "## Extraction quality (gold set)",
        "",
        f"Run {date.today().isoformat()} with `python benchmarks/extract_eval.py`; machine: {platform.machine()}, "
        f"Python {platform.python_version()}. Gold: `tests/gold/extractions.jsonl` (hand-built; see tests/gold/README.md). "
        "Goal: F1 ≥ 0.95 for targets, duties and benefits; 100% grounded.",
        "",
        "| type | gold | predicted | matched | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t, s in stats.items():
        lines.append(f"| {t} | {s['gold']} | {s['pred']} | {s['tp']} | {s['p']:.2f} | {s['r']:.2f} | {s['f1']:.2f} |")
    lines += [
        "",
        "Entities are a sample in the gold set (first mentions), so only their recall counts. Projects are scored",
        "within the boxes the gold set covers, targets and statistics within the sections it annotated.",
        "",
        "Field agreement on matched records (for `conditions`: condition-level F1):",
        "",
        "| type | field | agreement |",
        "|---|---|---:|",
    ]
    for t, s in stats.items():
        for f, v in s["fields"].items():
            lines.append(f"| {t} | {f} | {v:.2f} |")
    lines += ["", f"Grounded (`text[start:end] == quote`): {grounded:.0%}. Extraction speed over the corpus: {speed:.2f} MB/s per core.", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="update the section in BENCHMARKS.md")
    ap.add_argument("--show-errors", metavar="TYPE", help="print misses, extras and field errors for one type")
    args = ap.parse_args()
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    pred, grounded = predict()
    stats, _ = evaluate(gold, pred, args.show_errors)
    text = report(stats, grounded, extraction_speed())
    print(text)
    if args.write:
        bench = ROOT / "BENCHMARKS.md"
        old = bench.read_text(encoding="utf-8") if bench.exists() else "# Benchmarks\n"
        head = "## Extraction quality (gold set)"
        if head in old:
            before, _, rest = old.partition(head)
            nxt = rest.find("\n## ")
            old = before + (rest[nxt + 1 :] if nxt >= 0 else "")
        bench.write_text(old.rstrip() + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
