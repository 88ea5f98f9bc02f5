"""Search: segmentation, ranking, filters, snippets, incremental index; ask: cited answers.

Corpus tests read the session database (`ingested_corpus_db`); the rules are
also checked on short texts in the same register from another province, so
nothing here depends on the Jilin files' wording.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from typer.testing import CliRunner

from zhengce.ask import ask, intent_of
from zhengce.cli import app
from zhengce.search import Filters, SearchEngine, make_snippet
from zhengce.search import terms as T
from zhengce.store import DocumentLookupError, Store

runner = CliRunner()

# A short notice in the register of a provincial policy, not from the corpus.
HUNAN = """湖南省人民政府关于支持中小企业高质量发展的若干措施

湘政发〔2024〕7号

各市州人民政府，省政府各厅委、各直属机构：

一、加大融资支持
（一）支持首贷户扩面。对当年新增的首贷户，按贷款金额的1%给予银行奖励，单户最高不超过50万元。（责任单位：省地方金融监管局、人民银行长沙中心支行）
（二）支持企业上市。对在沪深北交易所成功上市的企业，省级给予800万元奖励。（责任单位：省财政厅、湖南证监局）
二、强化创新驱动
（三）培育专精特新企业。对新认定的国家级专精特新“小巨人”企业，由省工信厅给予一次性奖励100万元，2025年底前完成首批认定。（责任单位：省工业和信息化厅）
（四）推进数字化转型。到2025年，全省规模以上工业企业数字化转型比例达到80%。（省工业和信息化厅负责）

湖南省人民政府
2024年3月1日
"""


@pytest.fixture(scope="module")
def engine(ingested_corpus_db):
    e = SearchEngine(ingested_corpus_db)
    yield e
    e.close()


@pytest.fixture
def hunan_db(tmp_path):
    path = tmp_path / "hunan.txt"
    path.write_text(HUNAN, encoding="utf-8")
    db = tmp_path / "h.db"
    r = runner.invoke(app, ["--db", str(db), "ingest", str(path)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return db, path


# ------------------------------------------------------------------ terms


def test_abbreviations_and_full_names_are_one_term():
    assert "工业和信息化厅" in T.terms("省工信厅负责")
    assert "工业和信息化厅" in T.terms("省工业和信息化厅负责")
    assert "发展和改革委员会" in T.terms("市发改委")
    # A generic two-character word is not an abbreviation: 政府 is not always 人民政府.
    assert "政府" in T.terms("数字政府建设") or "数字政府" in T.terms("数字政府建设")
    assert "人民政府" not in T.terms("数字政府建设")


def test_numbers_with_units_are_single_terms_whatever_the_width_and_separators():
    assert "1000万元" in T.terms("给予1,000 万元奖励")
    assert "1000万元" in T.terms("给予１０００万元奖励")
    assert "1.5%" in T.terms("不低于１．５％")


def test_question_words_are_not_terms():
    heads = [g.head for g in T.query_groups("上市奖励是多少呢")]
    assert "多少" not in heads and "是" not in heads
    assert heads == ["上市奖励"]


def test_phrases_are_the_quoted_parts():
    assert T.phrases('首贷户 "信息库"') == ["信息库"]
    assert T.phrases("“一网通办”改革") == ["一网通办"]


# ------------------------------------------------------------------ ranking on the corpus


def _top(engine, q, n=3, **filters):
    return engine.search(q, limit=n, filters=Filters(**filters)).hits


def test_amount_query_finds_the_clause_with_the_amount(engine):
    hits = _top(engine, "上市奖励1000万元", n=1)
    assert hits and "1000万元" in hits[0].text and "上市" in hits[0].text


def test_place_year_indicator_query(engine):
    hits = _top(engine, "梅河口2025年财政收入目标", n=3)
    assert any("财政收入" in h.text and "2025" in h.text for h in hits)
    assert all(h.doc_id for h in hits)


def test_hits_carry_path_lines_and_exact_snippets(engine, ingested_corpus_db):
    with Store(ingested_corpus_db) as store:
        for h in _top(engine, "首贷户", n=5):
            assert h.path.split(" › ")[0] in (h.doc_number, ) or h.doc and h.path.startswith(h.doc[:10])
            assert 1 <= h.line_start <= h.line_end
            node = next(n for n in store.get_document(h.doc_id).nodes if n.id == h.node)
            assert (node.line_start, node.line_end) == (h.line_start, h.line_end)
            assert h.highlights, "a hit shows why it matched"
            for a, b in h.highlights:
                assert "首贷" in h.snippet[a:b]
            # The snippet is made of pieces of the node's own text.
            for piece in h.snippet.split("…"):
                assert piece in node.text


def test_synonym_query_finds_the_full_name(engine):
    hits = _top(engine, "工信厅", n=10)
    assert hits and any("工业和信息化厅" in h.text for h in hits)


def test_filters_restrict_every_hit(engine, ingested_corpus_db):
    with Store(ingested_corpus_db) as store:
        doc_id = store.resolve("吉政发〔2021〕16号")
    assert {h.doc_id for h in _top(engine, "企业", n=50, doc="吉政发〔2021〕16号")} == {doc_id}
    assert {h.kind for h in _top(engine, "企业", n=50, kind="item")} == {"item"}
    for h in _top(engine, "企业", n=50, extraction="benefit"):
        with Store(ingested_corpus_db) as store:
            assert any(r.node == h.node and r.type == "benefit" for _d, r in store.extractions(h.doc_id))
    region_hits = _top(engine, "医药", n=50, region="梅河口")
    assert region_hits and all("梅河口" in (h.doc or "") + h.text or h.doc is None for h in region_hits)
    assert {h.doc_number for h in _top(engine, "企业", n=50, year=2021, issuer="人民政府")} <= {
        "吉政发〔2021〕14号", "吉政发〔2021〕16号", "吉政办发〔2021〕28号"}
    with pytest.raises(DocumentLookupError):
        engine.search("企业", filters=Filters(doc="没有这个文件"))


def test_unknown_words_find_nothing_and_total_counts_matches(engine):
    assert engine.search("量子引力波").total == 0
    res = engine.search("企业", limit=5)
    assert res.total > 5 and len(res.hits) == 5
    assert [h.score for h in res.hits] == sorted((h.score for h in res.hits), reverse=True)
    page2 = engine.search("企业", limit=5, offset=5).hits
    assert not {(h.doc_id, h.node) for h in page2} & {(h.doc_id, h.node) for h in res.hits}


def test_phrase_query_requires_the_literal_text(engine):
    hits = engine.search('"首贷户"信息库', limit=20).hits
    assert hits and all("首贷户" in T.normalize(h.text) for h in hits)


def test_facets_list_filter_values_with_counts(engine):
    f = engine.facets()
    assert {"issuer", "year", "region", "kind", "extraction"} <= set(f)
    assert any(v["value"] == "梅河口市" for v in f["region"])
    assert any(v["value"] == 2021 for v in f["year"])
    assert all(v["count"] > 0 for vs in f.values() for v in vs)


def test_snippet_prefers_rare_terms_and_marks_them():
    text = "甲" * 200 + "首贷户" + "乙" * 200
    snippet, marks = make_snippet(text, {"首贷户": 5.0})
    assert len(snippet) < 150
    assert [snippet[a:b] for a, b in marks] == ["首贷户"]


# ------------------------------------------------------------------ incremental index, other province


def test_ingest_makes_a_new_document_searchable_and_deletion_removes_it(hunan_db, tmp_path):
    db, path = hunan_db
    with SearchEngine(db) as engine:
        hits = engine.search("首贷户银行奖励", limit=3).hits
        assert hits and hits[0].doc_number == "湘政发〔2024〕7号" and "首贷户" in hits[0].text
        assert hits[0].path.startswith("湘政发〔2024〕7号 › 一、 › （一）")
        # Synonyms hold for another province's departments too.
        assert any("省工信厅" in h.text for h in engine.search("工业和信息化厅 小巨人", limit=3).hits)
        # A second source arrives while the engine is alive: it is picked up.
        other = tmp_path / "other.txt"
        other.write_text("关于推进冰雪旅游的通知\n\n一、建设滑雪场\n（一）新建高山滑雪场3个。\n", encoding="utf-8")
        assert runner.invoke(app, ["--db", str(db), "ingest", str(other)]).exit_code == 0
        assert engine.search("滑雪场").hits
        with Store(db) as store:
            assert store.delete_source(str(path))
        assert engine.search("首贷户").total == 0
        assert engine.search("滑雪场").total >= 1


def test_index_rows_are_written_with_the_document(hunan_db):
    db, _ = hunan_db
    with Store(db) as store:
        n_nodes = store._db.scalar("SELECT count(*) FROM nodes WHERE kind <> 'toc'")
        n_rows = store._db.scalar("SELECT count(*) FROM search_nodes")
        assert n_rows == n_nodes > 5
        assert store._db.scalar("SELECT region FROM search_docs") == "湖南省"


def test_search_cli_json_contract(hunan_db):
    db, _ = hunan_db
    r = runner.invoke(app, ["--db", str(db), "search", "上市奖励", "--json", "--limit", "2"])
    assert r.exit_code == 0, r.output
    hits = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert hits
    assert set(hits[0]) >= {"doc", "doc_number", "node", "label", "path", "snippet", "score", "line_start", "line_end"}
    assert "800万元" in hits[0]["snippet"]
    r = runner.invoke(app, ["--db", str(db), "search", "企业", "--doc", "不存在的文件"])
    assert r.exit_code == 2 and "error:" in r.stderr


# ------------------------------------------------------------------ ask


@pytest.mark.parametrize("q,intent", [
    ("上市奖励多少", "amount"), ("谁负责个转企", "duty"), ("个转企什么时候完成", "deadline"),
    ("2025年城镇化率目标是多少", "number"), ("数字政府建设", "clause"),
])
def test_intent(q, intent):
    assert intent_of(q)[0] == intent


def _grounded(store: Store, a):
    for c in a.citations:
        doc = store.get_document(c.doc_id)
        assert c.quote in doc.text
        node = next(n for n in doc.nodes if n.id == c.node)
        assert node.line_start <= c.line_start <= c.line_end <= node.line_end


def test_ask_amount_from_benefit_facts(hunan_db):
    db, _ = hunan_db
    with SearchEngine(db) as engine:
        a = ask(engine, "上市奖励多少")
        assert a.found and "800万元" in a.answer
        assert a.facts and a.facts[0]["type"] == "benefit"
        assert "〔1〕" in a.answer and a.citations[0].line_start > 0
        _grounded(engine.store, a)


def test_ask_duty_and_deadline(hunan_db):
    db, _ = hunan_db
    with SearchEngine(db) as engine:
        a = ask(engine, "小巨人奖励由谁负责")
        assert a.found and "工业和信息化厅" in a.answer
        _grounded(engine.store, a)
        a = ask(engine, "数字化转型比例目标是多少")
        assert a.found and "80%" in a.answer and a.facts[0]["type"] == "target"


def test_ask_says_so_when_nothing_answers(hunan_db):
    db, _ = hunan_db
    with SearchEngine(db) as engine:
        a = ask(engine, "火星移民补贴多少")
        assert not a.found and not a.citations and "没有找到" in a.answer


def test_ask_on_corpus_cites_each_document_when_they_disagree(engine, ingested_corpus_db):
    a = ask(engine, "梅河口2025年财政收入目标是多少")
    # Two documents state this target differently: both are shown, each cited.
    assert a.found and "不一致" in a.answer and "60亿元" in a.answer and "80亿元" in a.answer
    assert len({c.doc_id for c in a.citations}) == 2
    assert all(f["fields"]["year"] == 2025 if "fields" in f else f.get("year") == 2025 for f in a.facts)
    _grounded(engine.store, a)


def test_ask_cli(hunan_db):
    db, _ = hunan_db
    r = runner.invoke(app, ["--db", str(db), "ask", "上市奖励多少", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["found"] and d["citations"] and set(d["citations"][0]) >= {"doc", "node", "quote", "line_start", "line_end"}
    r = runner.invoke(app, ["--db", str(db), "ask", "火星移民补贴多少"])
    assert r.exit_code == 1 and "没有找到" in r.stdout


def test_on_disk_copy_is_used_by_the_next_process_and_only_for_its_database(hunan_db, tmp_path, monkeypatch):
    db, _ = hunan_db
    monkeypatch.setattr(SearchEngine, "COPY_MIN_ROWS", 1)
    with SearchEngine(db) as first:
        expected = [(h.node, h.score) for h in first.search("上市奖励").hits]
    copy = db.with_name(db.name + ".search")
    assert (copy / "meta.json").exists()
    with SearchEngine(db) as second:
        second._load_copy()
        assert second._max_id > 0 and isinstance(second._segments[0].post_pos, np.memmap)
        assert [(h.node, h.score) for h in second.search("上市奖励").hits] == expected
    # The same copy next to another database (other instance id) is ignored.
    other = tmp_path / "other.db"
    shutil.copy(db, other)
    with Store(other) as s, s._db.transaction():
        s._db.execute("UPDATE search_meta SET value = 'someone-else' WHERE key = 'instance'")
    shutil.copytree(copy, other.with_name(other.name + ".search"))
    with SearchEngine(other) as third:
        third._load_copy()
        assert not third._segments


def test_quoted_coinages_are_learned_from_the_documents(tmp_path):
    """A document's own quoted term is indexed whole, and a query spelling it is read as that term."""
    path = tmp_path / "snow.txt"
    path.write_text(
        "关于发展冰雪经济的若干措施\n\n一、金融支持\n（一）推出“雪融通”信贷产品，对冰雪企业给予贴息。\n"
        "（二）雪地摩托租赁融资，通过银行渠道办理。\n", encoding="utf-8")
    db = tmp_path / "s.db"
    assert runner.invoke(app, ["--db", str(db), "ingest", str(path)]).exit_code == 0
    assert "雪融通" in T.terms("推出“雪融通”信贷产品")
    with SearchEngine(db) as engine:
        engine.refresh()
        heads = [g.head for g in engine._merge_known(T.query_groups("雪融通怎么办理"))]
        assert "雪融通" in heads
        assert "雪融通" in engine.search("雪融通怎么办理", limit=1).hits[0].text


def test_delete_command_removes_the_whole_source(hunan_db):
    db, path = hunan_db
    r = runner.invoke(app, ["--db", str(db), "delete", "湘政发〔2024〕7号"])
    assert r.exit_code == 0, r.output
    assert str(path) in r.stderr and "document(s) 1" in r.stderr
    assert runner.invoke(app, ["--db", str(db), "search", "首贷户"]).stdout.strip() == ""
    r = runner.invoke(app, ["--db", str(db), "delete", "湘政发〔2024〕7号"])
    assert r.exit_code == 2 and "error:" in r.stderr


def test_one_engine_shared_by_threads(hunan_db):
    """The web app shares one engine: concurrent searches and answers must not share a transaction."""
    from concurrent.futures import ThreadPoolExecutor

    db, _ = hunan_db
    with SearchEngine(db) as engine:
        questions = ["上市奖励多少", "小巨人奖励由谁负责", "首贷户", "数字化转型比例目标是多少"] * 10

        def one(q: str) -> bool:
            return ask(engine, q).found and bool(engine.search(q).hits)

        with ThreadPoolExecutor(8) as pool:
            assert all(pool.map(one, questions))


def test_a_document_committed_while_the_engine_indexes_is_not_missed(hunan_db, tmp_path, monkeypatch):
    """Another connection commits between the engine's indexing and the end of its refresh: the next search sees it."""
    from zhengce.search import engine as engine_mod

    db, _ = hunan_db
    late = tmp_path / "late.txt"
    late.write_text("关于发展冰雪旅游的通知\n\n一、建设雪场\n（一）新建高山滑雪场3个。\n", encoding="utf-8")
    real_update = engine_mod.indexer.update
    done = []

    def update_then_someone_ingests(dbh, *a, **k):
        n = real_update(dbh, *a, **k)
        if not done:
            done.append(1)
            # As the web upload does: the document is stored; indexing is left to the engine.
            from zhengce.pipeline import parse_paths

            with Store(db) as other:
                (item,) = parse_paths([late], with_extractions=True)
                other.ingest(item.source, item.documents, item.extractions)
        return n

    monkeypatch.setattr(engine_mod.indexer, "update", update_then_someone_ingests)
    with SearchEngine(db) as engine:
        engine.search("首贷户")  # this refresh races with the ingest
        assert engine.search("高山滑雪场").hits, "the document committed during the refresh was taken as seen"
