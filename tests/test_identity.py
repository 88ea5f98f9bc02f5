"""One identity per document (store/identity.py): duplicates, excerpts and new versions never take
over another document's rules, reviews or register entries — via the store, an upload and the CLI;
rule ids and register keys survive re-ingest and new documents; old databases are carried over."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conftest import CORPUS
from web_fixtures import copy_db, corpus_db_template  # noqa: F401 (a fixture)
from zhengce import monitor as m
from zhengce.cli import app as cli_app
from zhengce.match import RuleBook, match, parse_profile, review
from zhengce.pipeline import parse_paths
from zhengce.store import Store
from zhengce.store.db import load_migrations, migrate, open_database
from zhengce.web import create_app

FULL = CORPUS / "000_9ddca78f5cc9fde1.txt"  # 吉政发〔2021〕14号 is its first document
SPECIALISED = parse_profile({  # the 长春 firm of the identity issue: 专精特新, small-scale taxpayer
    "name": "长春某精密制造有限公司", "kind": "enterprise", "province": "吉林省", "city": "长春市",
    "industries": ["制造业"], "certifications": ["省级专精特新"], "vat_taxpayer": "small_scale",
    "facts": {"size": "small", "ownership": "private", "industrial": True},
})


def _original():
    (item,) = list(parse_paths([FULL]))
    return item.documents[0]


def excerpt_docx(path: Path) -> Path:
    """A .docx excerpt of 吉政发〔2021〕14号 as people forward it: the head, then two of its clauses
    (税费 and 宽带) — the same 发文字号 and title, far fewer clauses."""
    lines = _original().text.split("\n")
    keep = [lines[0], lines[1], lines[2]] + [x for x in lines if x.startswith(("三、", "（十一）", "（十三）"))]
    d = docx.Document()
    for x in keep:
        d.add_paragraph(x)
    d.save(path)
    return path


def _benefit_rules(store, term):
    return [r for r in RuleBook.load(store) if term in r.source["quote"]]


# ------------------------------------------------------------------ the scenario of the issue

def test_an_uploaded_excerpt_leaves_the_originals_rules_alone(corpus_db_template, tmp_path):  # noqa: F811
    db = copy_db(corpus_db_template, tmp_path / "z.db")
    with Store(db) as store:
        before = {r.id: r.source["quote"] for r in RuleBook.load(store)}
        special = _benefit_rules(store, "专精特新")
        assert special, "the original has a 专精特新 rule"
        reviewed = special[0].to_dict()
        reviewed["title"] = "专精特新中小企业贷款贴息和奖补（已审核）"
        review(store, reviewed, reviewer="张三")
        original_id = store.resolve("吉政发〔2021〕14号")

    client = TestClient(create_app(db))
    data = excerpt_docx(tmp_path / "摘录.docx").read_bytes()
    r = client.post("/api/v1/documents", files={"files": ("吉政发14号摘录.docx", data)})
    assert r.status_code == 200, r.text
    (res,) = r.json()["results"]
    assert res["status"] == "added" and any("摘录" in n for n in res["notices"]), res
    excerpt_id = res["documents"][0]["id"]
    assert excerpt_id != original_id

    with Store(db) as store:
        after = {r.id: r.source["quote"] for r in RuleBook.load(store)}
        assert after == before  # no rule changed, none added for the excerpt's repeated clauses
        book = RuleBook.load(store)
        assert book.get(special[0].id).origin == "reviewed" and book.get(special[0].id).stale is None
        results = {x.rule.id: x for x in match(SPECIALISED, book, "2021-12-01")}
        assert special[0].id in results
        assert store.resolve("吉政发〔2021〕14号") == original_id  # the document of its own, not the excerpt
        ex = store.get_document(excerpt_id)
        assert ex.standing.relation == "excerpt" and ex.standing.related_uid == store.get_document(original_id).uid

    found = client.get("/api/v1/rules", params={"q": "专精特新"}).json()["rules"]
    assert special[0].id in [x["id"] for x in found]
    shown = client.get("/api/v1/documents/吉政发〔2021〕14号")
    assert shown.status_code == 200 and shown.json()["id"] == original_id

    cli = CliRunner().invoke(cli_app, ["--db", str(db), "show", "吉政发〔2021〕14号"], catch_exceptions=False)
    assert cli.exit_code == 0 and "着力培育创新发展新动能" in cli.stdout


def test_cli_ingest_says_what_a_duplicate_excerpt_or_version_is(tmp_path):
    db = tmp_path / "c.db"
    run = CliRunner()
    assert run.invoke(cli_app, ["--db", str(db), "ingest", str(FULL)], catch_exceptions=False).exit_code == 0
    out = run.invoke(cli_app, ["--db", str(db), "ingest", str(excerpt_docx(tmp_path / "摘录.docx"))],
                     catch_exceptions=False).output
    assert "摘录" in out and "原文件的规则与登记不变" in out

    # The same text under another name and wrapper (a web copy of the plain text): stored once.
    text = FULL.read_text(encoding="utf-8")
    copy = tmp_path / "web_copy.txt"
    copy.write_text(text + "\n\n\n", encoding="utf-8")
    out = run.invoke(cli_app, ["--db", str(db), "ingest", str(copy)], catch_exceptions=False).output
    assert "内容相同，未重复入库" in out
    with Store(db) as store:
        assert len([d for d in store.list_documents() if d.doc_number == "吉政发〔2021〕14号"]) == 2  # original + excerpt

    # A corrected copy of the notice with the same 发文字号 and title: a new version, the older kept.
    fixed = tmp_path / "corrected.txt"
    fixed.write_text(text.replace("力争到2025年底新增25000户", "力争到2025年底新增26000户"), encoding="utf-8")
    out = run.invoke(cli_app, ["--db", str(db), "ingest", str(fixed)], catch_exceptions=False).output
    assert "新版本（第2版）" in out
    with Store(db) as store:
        rows = [d for d in store.list_documents() if d.doc_number == "吉政发〔2021〕14号" and d.relation is None]
        assert sorted((d.version, d.is_current) for d in rows) == [(1, 0), (2, 1)]
        assert len({d.uid for d in rows}) == 1
        current = store.get_document("吉政发〔2021〕14号")
        assert "26000户" in current.text
        # Rules come from the version in force only, under the same ids.
        ids = [r.id for r in RuleBook.load(store) if r.source["doc_number"] == "吉政发〔2021〕14号"]
        assert ids and len(ids) == len(set(ids)) and all(i.startswith(current.uid + ":") for i in ids)


# ------------------------------------------------------------------ stability

def _ids(store):
    rules = sorted(r.id for r in RuleBook.load(store, machine_only=True))
    keys = sorted(e.key for e in m.list_indicators(store)) + sorted(t.key for t in m.list_tasks(store))
    return rules, keys


def test_rule_ids_and_register_keys_survive_reingest_and_new_documents(tmp_path):
    files = sorted(CORPUS.glob("*.txt"))

    def build(db, paths):
        with Store(db) as store:
            for item in parse_paths(paths, with_extractions=True):
                store.ingest(item.source, item.documents, item.extractions)
            try:
                admin = m.get_user(store, "admin")
            except m.NotFound:
                admin = m.add_user(store, "admin", "correct horse 1", role="admin")
            m.seed(store, admin)
            return _ids(store)

    first = build(tmp_path / "a.db", files)
    assert first[0] and first[1]
    assert build(tmp_path / "a.db", files) == first  # re-ingest: nothing changes
    # Another database built in another order gives the same ids: they depend on each document alone.
    assert build(tmp_path / "b.db", list(reversed(files))) == first
    # Adding documents (another province's notice, an excerpt) leaves every existing id in place.
    other = tmp_path / "henan.txt"
    other.write_text("河南省人民政府办公厅关于支持企业上市的通知\n\n豫政办〔2024〕9号\n\n各省辖市人民政府：\n\n"
                     "（一）支持企业上市。对在主板上市的企业，省财政给予一次性奖励500万元。\n\n河南省人民政府办公厅\n\n2024年3月1日\n",
                     encoding="utf-8")
    rules, keys = build(tmp_path / "a.db", [other, excerpt_docx(tmp_path / "摘录.docx")])
    assert set(first[0]) <= set(rules) and set(first[1]) <= set(keys)
    assert len(rules) == len(first[0]) + 1  # the new notice's one rule; the excerpt adds none


# ------------------------------------------------------------------ migration 0009 carries old databases over

def test_a_database_from_before_uids_keeps_its_reviews_and_registers(tmp_path):
    from zhengce.store import documents as docs

    path = tmp_path / "old.db"
    db = open_database(path, 5)
    migrate(db, [mig for mig in load_migrations() if mig.version < 9])
    (item,) = list(parse_paths([FULL], with_extractions=True))
    with db.transaction():
        sid = docs.insert_source(db, item.source)
        ids = [docs.insert_document(db, sid, i, d) for i, d in enumerate(item.documents)]
        for doc_id, recs in zip(ids, item.extractions):
            docs.insert_extractions(db, doc_id, recs)
        rec = next(r for r in item.extractions[0] if r.type == "benefit" and "专精特新" in r.quote)
        old_id = f"吉政发〔2021〕14号:{rec.node}:1"
        body = {"id": old_id, "title": "已审核", "source": {"doc": item.documents[0].title, "doc_number": "吉政发〔2021〕14号",
                "node": rec.node, "quote": rec.quote}, "conditions": [], "benefit": {"kind": "资金"}}
        db.execute("INSERT INTO rule_reviews (rule_id, version, doc_ident, node_id, quote, status, body, reviewer, note,"
                   " reviewed_at) VALUES (?, 1, ?, ?, ?, 'approved', ?, '张三', NULL, '2024-01-01T00:00:00+00:00')",
                   (old_id, "吉政发〔2021〕14号", rec.node, rec.quote, json.dumps(body, ensure_ascii=False)))
        db.execute("INSERT INTO monitor_indicators (item_key, origin, review, body, version, created_at, updated_at)"
                   " VALUES (?, 'machine', 'confirmed', ?, 1, 'x', 'x')",
                   ("T|吉政发〔2021〕14号||新增个转企企业|户|2025",
                    json.dumps({"name": "新增个转企企业", "sources": [{"doc_ident": "吉政发〔2021〕14号", "doc_id": ids[0]}]},
                               ensure_ascii=False)))
    db.close()

    with Store(path) as store:
        assert 9 in store.migrated
        uid = store.uid_of("吉政发〔2021〕14号")
        assert re.fullmatch(r"d[0-9a-f]{16}", uid)
        rule = RuleBook.load(store).get(f"{uid}:{rec.node}:1")
        assert rule.origin == "reviewed" and rule.title == "已审核"
        assert RuleBook.load(store).get(old_id) is rule or RuleBook.load(store).get(old_id).id == rule.id
    con = sqlite3.connect(path)
    key, body = con.execute("SELECT item_key, body FROM monitor_indicators").fetchone()
    assert key == f"T|{uid}||新增个转企企业|户|2025" and json.loads(body)["sources"][0]["doc_ident"] == uid
    con.close()


# ------------------------------------------------------------------ the store's rule, case by case

@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "s.db") as s:
        yield s


def _ingest(store, path: Path, text: str):
    path.write_text(text, encoding="utf-8")
    (item,) = list(parse_paths([path]))
    return store.ingest(item.source, item.documents)


NOTICE = ("湖南省人民政府办公厅关于印发《湖南省支持中小企业发展若干措施》的通知\n\n湘政办发〔2024〕12号\n\n"
          "各市州人民政府，省政府各厅委、各直属机构：\n\n"
          "一、对新认定的国家级专精特新“小巨人”企业，省财政给予一次性奖励50万元。\n\n"
          "二、对首次升规入统的工业企业，给予一次性奖励10万元。\n\n"
          "三、对中小企业购买公共服务平台服务的，按实际费用的30%给予补贴，最高不超过20万元。\n\n"
          "四、各地要加强组织领导，抓好政策落实。\n\n湖南省人民政府办公厅\n\n2024年5月6日\n")


def test_store_rule_duplicate_excerpt_version_same_number(store, tmp_path):
    a = _ingest(store, tmp_path / "a.txt", NOTICE)
    assert a.placements[0].kind == "new" and a.notices() == []
    dup = _ingest(store, tmp_path / "b.md", NOTICE.replace("\n\n", "\n\n\n"))  # other bytes, same document
    assert dup.placements[0].kind == "duplicate" and dup.document_ids == a.document_ids
    assert len(store.list_documents()) == 1
    lines = NOTICE.split("\n\n")
    ex = _ingest(store, tmp_path / "c.txt", "\n\n".join(lines[:4] + lines[-2:]))
    assert ex.placements[0].kind == "excerpt"
    ver = _ingest(store, tmp_path / "d.txt", NOTICE.replace("50万元", "100万元"))
    assert ver.placements[0].kind == "version" and ver.placements[0].uid == store.get_document(a.document_ids[0]).uid
    other = _ingest(store, tmp_path / "e.txt", NOTICE.replace("关于印发《湖南省支持中小企业发展若干措施》的通知", "关于做好惠企政策宣传解读工作的通知")
                    .replace("一、对新", "一、做好宣传。对新"))
    assert other.placements[0].kind == "same_number"
    assert store.resolve("湘政办发〔2024〕12号") == ver.document_ids[0]
    # A re-ingest of the version's file (edited) keeps its uid and version.
    again = _ingest(store, tmp_path / "d.txt", NOTICE.replace("50万元", "120万元"))
    assert again.status == "replaced" and again.placements[0].kind == "replaced"
    kept = store.get_document(again.document_ids[0])
    assert kept.uid == store.get_document(a.document_ids[0]).uid and kept.standing.version == 2 and kept.standing.current


def test_documents_without_number_or_title_are_each_their_own(store, tmp_path):
    r1 = _ingest(store, tmp_path / "x.txt", "一、对企业给予奖励10万元。\n\n二、对企业给予补贴5万元。\n")
    r2 = _ingest(store, tmp_path / "y.txt", "一、对企业给予奖励10万元。\n\n二、对企业给予补贴6万元。\n")
    assert [p.kind for p in r1.placements + r2.placements] == ["new", "new"]
    assert store.get_document(r1.document_ids[0]).uid != store.get_document(r2.document_ids[0]).uid


def test_upload_page_shows_the_notice(corpus_db_template, tmp_path):  # noqa: F811
    db = copy_db(corpus_db_template, tmp_path / "z.db")
    client = TestClient(create_app(db))
    buf = io.BytesIO(excerpt_docx(tmp_path / "摘录.docx").read_bytes())
    page = client.post("/upload", files=[("files", ("摘录.docx", buf.getvalue()))]).text
    assert "的摘录，作为单独文档入库" in page


def test_the_reader_shows_versions_and_excerpts(store, tmp_path):
    a = _ingest(store, tmp_path / "a.txt", NOTICE).document_ids[0]
    lines = NOTICE.split("\n\n")
    ex = _ingest(store, tmp_path / "c.txt", "\n\n".join(lines[:4] + lines[-2:])).document_ids[0]
    v2 = _ingest(store, tmp_path / "d.txt", NOTICE.replace("50万元", "100万元")).document_ids[0]
    assert {r["id"]: r["how"] for r in store.related(a)} == {ex: "本文的摘录", v2: "第2版（现行）"}
    assert {r["id"]: r["how"] for r in store.related(ex)}[a] == "原文件"
    client = TestClient(create_app(store.path))
    old_page = client.get(f"/doc/{a}").text
    assert "已被新版本取代" in old_page and f'href="/doc/{v2}"' in old_page
    assert "摘录（规则与登记以原文件为准）" in client.get(f"/doc/{ex}").text
