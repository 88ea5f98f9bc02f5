"""The search gold set (tests/gold/queries.json) against the ingested corpus.

The set is only useful if every answer still points at one real node: a
structurer change that splits or merges nodes must show up here, not as a
silent drop in the relevance benchmark.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from collections import Counter

import pytest

from conftest import CORPUS, ROOT

_spec = importlib.util.spec_from_file_location("gold_queries", ROOT / "tests" / "gold" / "queries.py")
gold = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gold)

QUERIES = gold.load_queries()
INTENTS = {"number", "amount", "duty", "deadline", "clause"}


def _longest_common_substring(a: str, b: str) -> int:
    best = 0
    for i in range(len(a)):
        j = i + best + 1
        while j <= len(a) and a[i:j] in b:
            best, j = j - i, j + 1
    return best


def test_size_and_ids():
    ids = [q["id"] for q in QUERIES]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert len(QUERIES) >= 45
    assert sum(not q["answerable"] for q in QUERIES) >= 4


@pytest.mark.parametrize("q", QUERIES, ids=[q["id"] for q in QUERIES])
def test_format(q):
    assert set(q) == {"id", "query", "intent", "relevant", "answerable", "note"}
    assert q["query"].strip() and q["note"].strip()
    assert q["intent"] in INTENTS
    # Unanswerable exactly when nothing is relevant: the ask tests rely on it.
    assert q["answerable"] is bool(q["relevant"])
    for r in q["relevant"]:
        assert set(r) == {"doc", "quote", "grade"}
        assert r["grade"] in (1, 2)
        assert 8 <= len(r["quote"]) <= 40, r["quote"]
        # Written as a user would ask, not pasted from the clause.
        assert _longest_common_substring(q["query"], r["quote"]) < 8, (q["query"], r["quote"])
    if q["answerable"]:
        assert any(r["grade"] == 2 for r in q["relevant"]), "an answerable query needs a direct answer"


def test_every_answer_resolves_to_one_node(ingested_corpus_db):
    resolved = gold.resolve_all(ingested_corpus_db, QUERIES)
    conn = sqlite3.connect(ingested_corpus_db)
    try:
        for q in QUERIES:
            nodes = resolved[q["id"]]
            assert len(nodes) == len(q["relevant"])
            # Two quotes of one query naming the same node would count it twice.
            assert len({(d, n) for d, n, _ in nodes}) == len(nodes), q["id"]
            for (doc_id, node_id, _), r in zip(nodes, q["relevant"]):
                (text,) = conn.execute("SELECT text FROM nodes WHERE doc_id = ? AND node_id = ?", (doc_id, node_id)).fetchone()
                assert r["quote"] in text
        # The set covers every corpus file and most documents, not one favourite.
        files = {
            row[0].rsplit("/", 1)[-1]
            for q in QUERIES
            for d, _, _ in resolved[q["id"]]
            for row in conn.execute("SELECT s.path FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = ?", (d,))
        }
        assert files == {p.name for p in CORPUS.glob("*.txt")}
        docs = {d for nodes in resolved.values() for d, _, _ in nodes}
        (total,) = conn.execute("SELECT count(*) FROM documents").fetchone()
        assert len(docs) == total
    finally:
        conn.close()


def test_resolver_rejects_what_does_not_identify_a_node(ingested_corpus_db):
    with pytest.raises(gold.GoldError):  # not in the document
        gold.resolve(ingested_corpus_db, {"relevant": [{"doc": "吉政发〔2021〕14号", "quote": "这句话不在文件里", "grade": 2}]})
    with pytest.raises(gold.GoldError):  # a title substring shared by several documents
        gold.resolve(ingested_corpus_db, {"relevant": [{"doc": "若干政策", "quote": "支持企业上市融资", "grade": 2}]})
    # 发文字号 with other brackets, as people type them, still finds the document.
    typed = {"relevant": [{"doc": "吉政发[2021]14号", "quote": "持续支持“个转企”", "grade": 2}]}
    canonical = {"relevant": [{"doc": "吉政发〔2021〕14号", "quote": "持续支持“个转企”", "grade": 2}]}
    assert gold.resolve(ingested_corpus_db, typed) == gold.resolve(ingested_corpus_db, canonical)
