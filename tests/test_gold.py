"""The hand-built extraction gold set (tests/gold/) is consistent with the corpus.

These checks validate the gold file itself, not the extractor: every quote is
where its span says in the restored text, its node holds it, each record has the
fields docs/extraction.md asks for, and the duties of 吉政发〔2021〕14号 are complete.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "jilin"
GOLD = ROOT / "tests" / "gold"
GOLD_FILE = GOLD / "extractions.jsonl"

DOC_14 = "000_9ddca78f5cc9fde1.txt#1"

PROVENANCE = ["type", "doc", "doc_key", "node", "quote", "span", "line_start", "line_end"]
FIELDS = {
    "target": ["indicator", "value", "value_max", "unit", "comparator", "year", "baseline", "scope", "attribute", "aspirational"],
    "statistic": ["indicator", "value", "value_max", "unit", "comparator", "year", "baseline", "scope", "attribute", "aspirational"],
    "duty": ["task", "lead", "support", "deadline"],
    "benefit": [
        "target_group", "conditions", "benefit_kind", "amount", "cap", "rate", "rate_base", "agencies",
        "valid_from", "valid_to", "where_to_apply",
    ],
    "project": ["name", "category", "location", "quantities", "investment"],
    "reference": ["title", "doc_number", "resolved"],
    "entity": ["name", "kind", "canonical", "code"],
}
# Fields that may never be null / empty.
NON_EMPTY = {
    "target": ["indicator"],
    "statistic": ["indicator", "value", "unit", "comparator"],
    "duty": ["task", "lead"],
    "benefit": ["target_group", "benefit_kind", "agencies"],
    "project": ["name"],
    "reference": [],
    "entity": ["name", "kind", "canonical"],
}
COMPARATORS = {">=", "<=", ">", "<", "~", "="}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@lru_cache(maxsize=None)
def documents() -> dict:
    from zhengce.pipeline import parse_source
    from zhengce.read import read_file

    out = {}
    for path in sorted(CORPUS.glob("*.txt")):
        (source,) = read_file(path)
        for i, doc in enumerate(parse_source(source), start=1):
            out[f"{path.name}#{i}"] = doc
    return out


@lru_cache(maxsize=None)
def records() -> tuple[dict, ...]:
    lines = GOLD_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def ids(recs):
    return [f"{r['type']}:{r['doc_key']}:{r['span'][0]}" for r in recs]


def test_gold_file_size_and_types():
    recs = records()
    assert len(recs) >= 150
    counts = Counter(r["type"] for r in recs)
    assert set(counts) <= set(FIELDS)
    for t in ("duty", "benefit", "target", "project", "reference", "entity"):
        assert counts[t] > 0, t
    assert counts["statistic"] >= 20
    assert counts["entity"] >= 20


@pytest.mark.parametrize("rec", records(), ids=ids(records()))
def test_record_is_anchored(rec):
    docs = documents()
    assert rec["doc_key"] in docs
    doc = docs[rec["doc_key"]]
    assert rec["doc"] == doc.title
    start, end = rec["span"]
    assert 0 <= start < end <= len(doc.text)
    assert doc.text[start:end] == rec["quote"]
    nodes = {n.id: n for n in doc.nodes}
    assert rec["node"] in nodes
    node = nodes[rec["node"]]
    assert node.start <= start and end <= node.end, "the node must contain the quote"
    # the recorded node is the innermost (last) node containing the quote's start
    last = [n.id for n in doc.nodes if n.start <= start < n.end][-1]
    assert rec["node"] == last
    assert node.line_start <= rec["line_start"] <= rec["line_end"] <= node.line_end


@pytest.mark.parametrize("rec", records(), ids=ids(records()))
def test_record_fields(rec):
    t = rec["type"]
    assert list(rec) == PROVENANCE + FIELDS[t], "fields exactly as in docs/extraction.md, in a stable order"
    for f in NON_EMPTY[t]:
        assert rec[f] not in (None, "", []), f
    if t in ("target", "statistic"):
        if rec["value"] is not None:
            assert isinstance(rec["value"], (int, float)) and rec["comparator"] in COMPARATORS
            assert rec["unit"]
        else:
            assert rec["unit"] is None and rec["comparator"] in COMPARATORS | {None}
        assert rec["year"] is None or isinstance(rec["year"], int)
        assert rec["baseline"] is None or set(rec["baseline"]) == {"value", "unit", "year"}
        assert isinstance(rec["aspirational"], bool)
    elif t == "duty":
        assert all(isinstance(u, str) and u for u in rec["lead"] + rec["support"])
        assert rec["deadline"] is None or DATE.match(rec["deadline"])
    elif t == "benefit":
        for c in rec["conditions"]:
            assert list(c) == ["fact", "op", "value", "unit", "text"]
            assert re.fullmatch(r"[a-z_]+", c["fact"])
            assert not isinstance(c["value"], list) or c["op"] == "between"
        if rec["amount"] is not None:
            assert list(rec["amount"]) == ["min", "max", "unit"]
            lo, hi = rec["amount"]["min"], rec["amount"]["max"]
            assert lo is None or hi is None or lo <= hi
        if rec["cap"] is not None:
            assert list(rec["cap"]) == ["value", "unit", "per"]
        for f in ("valid_from", "valid_to"):
            assert rec[f] is None or DATE.match(rec[f])
        # a benefit quote is one sentence: it ends at its 。 and holds no other 。
        assert rec["quote"].endswith("。") and "。" not in rec["quote"][:-1]
    elif t == "project":
        for q in rec["quantities"]:
            assert list(q) == ["value", "unit", "text"] and q["text"] in rec["quote"]
    elif t == "reference":
        assert rec["title"] or rec["doc_number"]
        if rec["title"]:
            assert f"《{rec['title']}" in rec["quote"]
        assert rec["resolved"] is None or rec["resolved"] in documents()
    elif t == "entity":
        assert rec["kind"] in {"organization", "place", "platform"}
        assert rec["name"] == rec["quote"]


def responsibility_tags(text: str) -> list[tuple[int, int]]:
    """Spans of every `（责任单位：…）` tag, brackets balanced (units may hold （…）)."""
    spans = []
    for m in re.finditer("（责任单位：", text):
        depth, i = 0, m.start()
        while i < len(text):
            if text[i] == "（":
                depth += 1
            elif text[i] in "）)":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        spans.append((m.start(), i + 1))
    return spans


def test_every_duty_of_jizhengfa_2021_14_is_present():
    doc = documents()[DOC_14]
    assert doc.doc_number == "吉政发〔2021〕14号"
    tags = responsibility_tags(doc.text)
    assert len(tags) == 19  # items （一）–（十九）
    duties = [r for r in records() if r["type"] == "duty" and r["doc_key"] == DOC_14]
    tagged = sorted(tuple(r["span"]) for r in duties if r["quote"].startswith("（责任单位："))
    assert tagged == sorted(tags)
    # the lead units are exactly the tag's units
    for r in duties:
        if r["quote"].startswith("（责任单位："):
            units = re.split("[、，]", r["quote"][len("（责任单位：") : -1])
            assert r["lead"] == units and r["support"] == []


def test_every_tag_of_the_medical_package_is_a_duty():
    key = "003_e2dd2b49d853fc19.txt#3"
    doc = documents()[key]
    tags = responsibility_tags(doc.text)
    spans = sorted(tuple(r["span"]) for r in records() if r["type"] == "duty" and r["doc_key"] == key)
    assert spans == sorted(tags)


def test_benefit_agencies_match_their_tag():
    """A benefit's agencies are the units of the first responsibility tag after it."""
    for r in records():
        if r["type"] != "benefit":
            continue
        text = documents()[r["doc_key"]].text
        tag = next(s for s in responsibility_tags(text) if s[0] >= r["span"][1])
        units = re.split("[、，](?![^（]*）)", text[tag[0] + len("（责任单位：") : tag[1] - 1])
        assert r["agencies"] == units, r["quote"]


def test_gold_file_is_built_from_annotations():
    spec = importlib.util.spec_from_file_location("build_gold", GOLD / "build_gold.py")
    build_gold = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_gold)
    annotations = json.loads((GOLD / "annotations.json").read_text(encoding="utf-8"))["records"]
    rebuilt = build_gold.render(build_gold.build(annotations, build_gold.load_documents()))
    assert rebuilt == GOLD_FILE.read_text(encoding="utf-8"), "run tests/gold/build_gold.py"
