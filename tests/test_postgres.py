"""PostgreSQL end to end: the CLI, search and the web app over a postgresql:// URL.

The storage tests themselves run on both backends (test_store.py); this file
covers what sits on top of the store, plus PostgreSQL-only behaviour.  Each
test gets a fresh database from conftest's `pg_url`.
"""

from __future__ import annotations

import json
import threading

import pytest
from typer.testing import CliRunner

from zhengce.cli import app
from zhengce.search import SearchEngine
from zhengce.store import Store

runner = CliRunner()

NOTICE = """湖南省人民政府关于支持中小企业高质量发展的若干措施

湘政发〔2024〕7号

各市州人民政府，省政府各厅委、各直属机构：

一、加大融资支持
（一）支持首贷户扩面。对当年新增的首贷户，按贷款金额的1%给予银行奖励，单户最高不超过50万元。（责任单位：省地方金融监管局）
（二）支持企业上市。对在沪深北交易所成功上市的企业，省级给予800万元奖励。（责任单位：省财政厅）
二、强化创新驱动
（三）培育专精特新企业。对新认定的国家级专精特新“小巨人”企业，由省工信厅给予一次性奖励100万元。（责任单位：省工业和信息化厅）

湖南省人民政府
2024年3月1日
"""


@pytest.fixture
def notice_file(tmp_path):
    path = tmp_path / "hunan.txt"
    path.write_text(NOTICE, encoding="utf-8")
    return path


def test_cli_ingest_docs_search_on_postgres(pg_url, notice_file, tmp_path, monkeypatch):
    r = runner.invoke(app, ["--db", pg_url, "ingest", str(notice_file)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "added 1" in r.output
    r = runner.invoke(app, ["--db", pg_url, "ingest", str(notice_file)], catch_exceptions=False)
    assert r.exit_code == 0 and "unchanged 1" in r.output  # same content: nothing written
    r = runner.invoke(app, ["--db", pg_url, "docs"], catch_exceptions=False)
    assert r.exit_code == 0 and "湘政发〔2024〕7号" in r.output
    r = runner.invoke(app, ["--db", pg_url, "search", "首贷户 银行奖励", "--json", "--limit", "1"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    hit = json.loads(r.output.splitlines()[0])
    assert hit["doc_number"] == "湘政发〔2024〕7号" and "首贷户" in hit["snippet"]
    # $ZHENGCE_DATABASE_URL names the database when --db is absent (and wins over $ZHENGCE_DB).
    monkeypatch.setenv("ZHENGCE_DATABASE_URL", pg_url)
    monkeypatch.setenv("ZHENGCE_DB", str(tmp_path / "not-this.db"))
    r = runner.invoke(app, ["show", "湘政发[2024]7号", "--outline"], catch_exceptions=False)
    assert r.exit_code == 0 and "加大融资支持" in r.output
    assert not (tmp_path / "not-this.db").exists()
    r = runner.invoke(app, ["delete", "湘政发〔2024〕7号"], catch_exceptions=False)
    assert r.exit_code == 0
    with Store(pg_url) as s:
        assert s.list_documents() == []


def test_search_engine_follows_another_session(pg_url, notice_file, tmp_path):
    assert runner.invoke(app, ["--db", pg_url, "ingest", str(notice_file)]).exit_code == 0
    with SearchEngine(pg_url) as engine:
        hits = engine.search("首贷户银行奖励", limit=3).hits
        assert hits and hits[0].doc_number == "湘政发〔2024〕7号" and "首贷户" in hits[0].text
        assert hits[0].path.startswith("湘政发〔2024〕7号 › 一、 › （一）")
        assert engine._copy_folder() is None  # no on-disk index copy for a server database
        # Another session (another process, as far as the engine can tell) adds a document…
        other = tmp_path / "snow.txt"
        other.write_text("关于推进冰雪旅游的通知\n\n一、建设滑雪场\n（一）新建高山滑雪场3个。\n", encoding="utf-8")
        assert runner.invoke(app, ["--db", pg_url, "ingest", str(other)]).exit_code == 0
        assert engine.search("滑雪场").hits
        # …and deletes one: both are followed before the next query (change_token).
        with Store(pg_url) as store:
            assert store.delete_source(str(notice_file))
        assert engine.search("首贷户").total == 0
        assert engine.search("滑雪场").total >= 1
        facets = engine.facets()
        assert facets["kind"] and sum(f["count"] for f in facets["kind"]) == engine.size


def test_search_index_streams_from_a_server_cursor(pg_url, notice_file):
    assert runner.invoke(app, ["--db", pg_url, "ingest", str(notice_file)]).exit_code == 0
    with Store(pg_url) as store:
        db = store._db
        n = db.scalar("SELECT count(*) FROM search_nodes")
        with db.transaction(write=False):
            assert len(list(db.stream("SELECT id FROM search_nodes WHERE id > ? ORDER BY id", (0,)))) == n
        assert len(list(db.stream("SELECT id, body FROM search_nodes"))) == n  # outside a transaction too (WITH HOLD)
        with SearchEngine(store) as engine:
            seg, _ = engine._build_all()
            assert len(seg) == n


def test_web_app_over_postgres(pg_url, notice_file):
    from fastapi.testclient import TestClient

    from zhengce.web import create_app

    client = TestClient(create_app(pg_url))
    with notice_file.open("rb") as f:
        r = client.post("/api/v1/documents", files=[("files", ("hunan.txt", f, "text/plain"))])
    assert r.status_code == 200, r.text
    docs = client.get("/api/v1/documents").json()
    assert docs["total"] == 1 and docs["documents"][0]["doc_number"] == "湘政发〔2024〕7号"
    r = client.get("/api/v1/search", params={"q": "专精特新 小巨人"})
    assert r.status_code == 200 and "专精特新" in json.dumps(r.json(), ensure_ascii=False)
    assert client.get("/api/v1/documents/湘政发〔2024〕7号/text").text.startswith("湖南省人民政府")


def test_unlocked_read_modify_write_does_lose_updates(pg_url):
    """The control for test_store's no-lost-update tests: without FOR UPDATE the race is real.

    Both sessions read the counter before either writes (a barrier), so one
    increment overwrites the other, which is what select_for_update prevents.
    """
    with Store(pg_url) as s, s._db.transaction():
        s._db.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        s._db.execute("INSERT INTO counter VALUES (1, 0)")
    barrier = threading.Barrier(2)

    def bump() -> None:
        with Store(pg_url) as st, st._db.transaction(lock="rows"):
            n = st._db.scalar("SELECT n FROM counter WHERE id = 1")  # no FOR UPDATE
            barrier.wait()
            st._db.execute("UPDATE counter SET n = ? WHERE id = 1", (n + 1,))

    threads = [threading.Thread(target=bump) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Store(pg_url) as s:
        assert s._db.scalar("SELECT n FROM counter WHERE id = 1") == 1  # one of the two increments is lost


def test_writer_waits_for_writer_then_times_out_as_busy(pg_url):
    """The database-wide writer lock queues writers; past the timeout the error is 'busy' (retryable)."""
    with Store(pg_url) as holder, Store(pg_url, timeout=1) as waiter:
        with holder._db.transaction():
            with pytest.raises(Exception) as exc:
                with waiter._db.transaction():
                    pass
            assert waiter._db.dialect.is_busy(exc.value)
        with waiter._db.transaction():  # free again once the holder committed
            pass
        # Reads never wait for a writer.
        with holder._db.transaction():
            assert waiter._db.scalar("SELECT count(*) FROM documents") == 0
