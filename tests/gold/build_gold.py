"""Build tests/gold/extractions.jsonl from the hand-written tests/gold/annotations.json.

The annotations hold the facts (type, doc_key, quote and the type's fields); this
script only *locates* them: it parses the corpus with the project's reader and
restorer (`zhengce.read.read_file` + `zhengce.pipeline.parse_source`, no extraction
code), finds each quote in its document's restored text, and fills in `doc`,
`node`, `span`, `line_start` and `line_end`.

Locating a quote
  * `quote` must occur in the document's `text`.  If it occurs more than once the
    annotation carries either `context` (a longer exact substring of `text` that
    contains the quote once and itself occurs once) or `occurrence` (1-based).
  * `node` is the last node (document order) whose span contains the quote's start.
  * Lines: if the node lies on one original line, that line.  Otherwise the quote's
    first and last characters are aligned against the node's original lines
    (NFKC, whitespace dropped, U+E010 -> '.', difflib), giving the original lines
    of those characters.

Run:  .venv/bin/python tests/gold/build_gold.py            (writes extractions.jsonl)
      .venv/bin/python tests/gold/build_gold.py --check    (exit 1 if the file would change)
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS = ROOT / "corpus" / "jilin"
ANNOTATIONS = HERE / "annotations.json"
OUTPUT = HERE / "extractions.jsonl"

PROVENANCE = ["type", "doc", "doc_key", "node", "quote", "span", "line_start", "line_end"]

# Field order (and defaults used when an annotation leaves a field out).
FIELDS: dict[str, list[tuple[str, object]]] = {
    "target": [
        ("indicator", "REQUIRED"), ("value", "REQUIRED"), ("value_max", None), ("unit", "REQUIRED"),
        ("comparator", "REQUIRED"), ("year", "REQUIRED"), ("baseline", None), ("scope", "REQUIRED"),
        ("attribute", None), ("aspirational", False),
    ],
    "duty": [("task", "REQUIRED"), ("lead", "REQUIRED"), ("support", []), ("deadline", None)],
    "benefit": [
        ("target_group", "REQUIRED"), ("conditions", []), ("benefit_kind", "REQUIRED"), ("amount", None),
        ("cap", None), ("rate", None), ("rate_base", None), ("agencies", "REQUIRED"),
        ("valid_from", None), ("valid_to", None), ("where_to_apply", None),
    ],
    "project": [("name", "REQUIRED"), ("category", None), ("location", None), ("quantities", []), ("investment", None)],
    "reference": [("title", None), ("doc_number", None), ("resolved", None)],
    "entity": [("name", "REQUIRED"), ("kind", "REQUIRED"), ("canonical", "REQUIRED"), ("code", None)],
}
FIELDS["statistic"] = FIELDS["target"]

ANNOTATION_ONLY = {"context", "occurrence", "note"}

CONDITION_KEYS = ["fact", "op", "value", "unit", "text"]
COMPARATORS = {">=", "<=", ">", "<", "~", "=", None}
CONDITION_OPS = {">=", "<=", ">", "<", "~", "=", "has", "not_has", "in", "between"}
BENEFIT_KINDS = {"奖励", "补贴", "补助", "奖补", "贴息", "税收减免", "费用减免", "用地", "优先支持", "融资", "其他"}
CAP_PER = {"品种", "企业", "企业/年", "项目", "年", None}
ENTITY_KINDS = {"organization", "place", "platform"}


def load_documents() -> dict[str, dict]:
    """doc_key -> {doc (Document), file, lines (original file lines)}."""
    from zhengce.pipeline import parse_source
    from zhengce.read import read_file

    out: dict[str, dict] = {}
    for path in sorted(CORPUS.glob("*.txt")):
        (source,) = read_file(path)
        lines = path.read_bytes().decode("utf-8").split("\n")
        for i, doc in enumerate(parse_source(source), start=1):
            out[f"{path.name}#{i}"] = {"doc": doc, "file": path.name, "lines": lines}
    return out


def locate(text: str, ann: dict) -> int:
    quote = ann["quote"]
    if "context" in ann:
        ctx = ann["context"]
        if text.count(ctx) != 1:
            raise ValueError(f"context occurs {text.count(ctx)} times: {ctx!r}")
        base = text.index(ctx)
        if ctx.count(quote) != 1:
            raise ValueError(f"quote occurs {ctx.count(quote)} times in its context: {quote!r}")
        return base + ctx.index(quote)
    n = text.count(quote)
    if n == 0:
        raise ValueError(f"quote not in text: {quote!r}")
    if "occurrence" in ann:
        k = ann["occurrence"]
        pos = -1
        for _ in range(k):
            pos = text.index(quote, pos + 1)
        return pos
    if n > 1:
        raise ValueError(f"quote occurs {n} times; give context or occurrence: {quote!r}")
    return text.index(quote)


def node_at(doc, pos: int):
    found = None
    for node in doc.nodes:
        if node.start <= pos < node.end:
            found = node
    if found is None:
        raise ValueError(f"no node contains offset {pos}")
    return found


def _norm(ch: str) -> str:
    if ch == "\ue010":
        return "."
    return unicodedata.normalize("NFKC", ch).casefold()


def _seq(chars):
    """[(normalized char, payload)] without whitespace."""
    out = []
    for ch, payload in chars:
        for c in _norm(ch):
            if not c.isspace():
                out.append((c, payload))
    return out


def quote_lines(entry: dict, node, start: int, end: int) -> tuple[int, int]:
    """Original lines of the quote's first and last character (within one node)."""
    if node.line_start == node.line_end:
        return node.line_start, node.line_end
    doc = entry["doc"]
    orig = _seq(
        (ch, ln)
        for ln in range(node.line_start, node.line_end + 1)
        for ch in entry["lines"][ln - 1]
    )
    rest = _seq((doc.text[p], p) for p in range(node.start, node.end))
    sm = difflib.SequenceMatcher(None, [c for c, _ in rest], [c for c, _ in orig], autojunk=False)
    pos_line: dict[int, int] = {}
    for a, b, size in sm.get_matching_blocks():
        for k in range(size):
            pos_line.setdefault(rest[a + k][1], orig[b + k][1])
    mapped = sorted(pos_line)

    def first_at_or_after(p: int) -> int:
        for q in mapped:
            if q >= p:
                return pos_line[q]
        return node.line_end

    def last_at_or_before(p: int) -> int:
        for q in reversed(mapped):
            if q <= p:
                return pos_line[q]
        return node.line_start

    return first_at_or_after(start), last_at_or_before(end - 1)


def validate_fields(rec: dict) -> None:
    t = rec["type"]
    if t in ("target", "statistic"):
        assert rec["comparator"] in COMPARATORS, rec
        if rec["value"] is None:
            assert rec["unit"] is None or t == "target", rec
        else:
            assert isinstance(rec["value"], (int, float)) and rec["comparator"] is not None, rec
        b = rec["baseline"]
        assert b is None or set(b) == {"value", "unit", "year"}, rec
        assert isinstance(rec["aspirational"], bool), rec
    elif t == "duty":
        assert rec["lead"] and isinstance(rec["lead"], list) and isinstance(rec["support"], list), rec
    elif t == "benefit":
        assert rec["benefit_kind"] in BENEFIT_KINDS, rec
        for c in rec["conditions"]:
            assert list(c) == CONDITION_KEYS, c
            assert c["op"] in CONDITION_OPS, c
            assert not isinstance(c["value"], list) or c["op"] == "between", c
        a = rec["amount"]
        assert a is None or list(a) == ["min", "max", "unit"], rec
        cap = rec["cap"]
        assert cap is None or (list(cap) == ["value", "unit", "per"] and cap["per"] in CAP_PER), rec
        assert rec["agencies"] and isinstance(rec["agencies"], list), rec
    elif t == "project":
        for q in rec["quantities"]:
            assert list(q) == ["value", "unit", "text"], q
        inv = rec["investment"]
        assert inv is None or list(inv) == ["value", "unit"], rec
    elif t == "reference":
        assert rec["title"] or rec["doc_number"], rec
    elif t == "entity":
        assert rec["kind"] in ENTITY_KINDS, rec


def build(annotations: list[dict], docs: dict[str, dict]) -> list[dict]:
    records, errors = [], []
    for ann in annotations:
        try:
            records.append(build_one(ann, docs))
        except (ValueError, AssertionError, KeyError) as e:
            errors.append(f"{ann.get('doc_key')} {ann.get('quote')!r}: {e!r}")
    if errors:
        raise SystemExit("annotation errors:\n  " + "\n  ".join(errors))
    return records


def build_one(ann: dict, docs: dict[str, dict]) -> dict:
    t = ann["type"]
    if t not in FIELDS:
        raise ValueError(f"unknown type {t!r}")
    unknown = set(ann) - set(PROVENANCE) - {f for f, _ in FIELDS[t]} - ANNOTATION_ONLY
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)} in {ann['quote']!r}")
    entry = docs[ann["doc_key"]]
    doc = entry["doc"]
    start = locate(doc.text, ann)
    end = start + len(ann["quote"])
    node = node_at(doc, start)
    if end > node.end:
        end_node = node_at(doc, end - 1)
        ls, _ = quote_lines(entry, node, start, node.end)
        _, le = quote_lines(entry, end_node, end_node.start, end)
    else:
        ls, le = quote_lines(entry, node, start, end)
    rec = {
        "type": t,
        "doc": doc.title,
        "doc_key": ann["doc_key"],
        "node": node.id,
        "quote": ann["quote"],
        "span": [start, end],
        "line_start": ls,
        "line_end": le,
    }
    for field, default in FIELDS[t]:
        if field in ann:
            rec[field] = ann[field]
        elif default == "REQUIRED":
            raise ValueError(f"{t} {ann['quote']!r}: missing required field {field!r}")
        else:
            rec[field] = json.loads(json.dumps(default))
    validate_fields(rec)
    return rec


def render(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if the output would differ")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    annotations = json.loads(ANNOTATIONS.read_text(encoding="utf-8"))["records"]
    records = build(annotations, load_documents())
    out = render(records)
    counts = Counter(r["type"] for r in records)
    print(f"{len(records)} records: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=sys.stderr)
    if args.check:
        same = OUTPUT.exists() and OUTPUT.read_text(encoding="utf-8") == out
        print("up to date" if same else "extractions.jsonl is out of date", file=sys.stderr)
        return 0 if same else 1
    OUTPUT.write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
