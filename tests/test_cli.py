"""The CLI end to end: real files, a real SQLite database, the JSON contract."""

from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest
from typer.testing import CliRunner

from conftest import CORPUS
from zhengce.cli import app

runner = CliRunner()

POLICY = "浙江省人民政府关于促进民营经济发展的意见\n\n浙政发〔2024〕3号\n\n各市人民政府：\n\n一、总体要求\n\n（一）优化营商环境。推进一网通办，压缩审批时限。（责任单位：省发展改革委）\n\n浙江省人民政府\n\n2024年2月1日\n"


def cli(*args, db=None):
    argv = (["--db", str(db)] if db else []) + list(args)
    return runner.invoke(app, argv, catch_exceptions=False)


def test_parse_json_contract(tmp_path):
    f = tmp_path / "policy.txt"
    f.write_text(POLICY, encoding="gb18030")
    r = cli("parse", str(f), "--json")
    assert r.exit_code == 0, r.output
    (line,) = [x for x in r.stdout.splitlines() if x.strip()]
    doc = json.loads(line)
    assert set(doc) >= {"title", "doc_number", "issuer", "date", "text", "source", "repairs", "notes", "nodes"}
    assert (doc["doc_number"], doc["issuer"], doc["date"]) == ("浙政发〔2024〕3号", "浙江省人民政府", "2024-02-01")
    assert doc["source"] == {"path": str(f), "line_start": 1, "line_end": 13}
    item = next(n for n in doc["nodes"] if n["label"] == "（一）")
    assert set(item) >= {"id", "parent", "kind", "label", "title", "text", "line_start", "line_end"}
    assert (item["kind"], item["title"], item["line_start"]) == ("item", "优化营商环境", 9)
    parent = next(n for n in doc["nodes"] if n["id"] == item["parent"])
    assert parent["label"] == "一、"
    assert "\n\n" not in doc["text"]


def test_ingest_is_idempotent_and_lists_documents(tmp_path):
    db = tmp_path / "z.db"
    r = cli("ingest", *map(str, sorted(CORPUS.glob("*.txt"))), db=db)
    assert r.exit_code == 0, r.output
    con = sqlite3.connect(db)
    before = con.execute("select count(*) from documents").fetchone()[0]
    nodes = con.execute("select count(*) from nodes").fetchone()[0]
    assert before == 16
    r = cli("ingest", str(CORPUS), db=db)  # the folder: same files, plus the README
    assert "unchanged" in r.output
    assert con.execute("select count(*) from nodes where doc_id <= 16").fetchone()[0] == nodes
    r = cli("docs", db=db)
    assert "吉政发〔2021〕14号" in r.stdout
    r = cli("show", "吉政发[2021]14号", "--outline", db=db)
    assert r.exit_code == 0 and "（二十二）" in r.stdout and "责任单位" in r.stdout
    r = cli("show", "吉政发〔2021〕16号", "--original", db=db)
    assert "吉政发〔2021〕16号" in r.stdout and " │ " in r.stdout
    r = cli("repairs", "吉政办发〔2021〕28号", db=db)
    assert "page_break_joins" in r.stdout and "lost_text" in r.stdout
    r = cli("show", "没有这个文件", db=db)
    assert r.exit_code == 2 and "没有这个文件" in r.output


def test_batch_goes_on_past_bad_files_and_stores_nothing_partial(tmp_path):
    good = tmp_path / "a_good.txt"
    good.write_text(POLICY, encoding="utf-8")
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "c_binary.bin").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "d_truncated.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    with zipfile.ZipFile(tmp_path / "e_bundle.zip", "w") as z:
        z.writestr("inner/policy.txt", POLICY.replace("3号", "4号"))
    db = tmp_path.parent / f"{tmp_path.name}.db"
    r = cli("ingest", str(tmp_path), db=db)
    assert r.exit_code == 1  # some files failed
    errors = [ln for ln in r.output.splitlines() if ln.startswith("error:")]
    assert len(errors) == 3
    assert any("b_empty.txt" in e and "empty" in e for e in errors)
    assert any("c_binary.bin" in e for e in errors)
    assert any("d_truncated.docx" in e for e in errors)
    con = sqlite3.connect(db)
    numbers = sorted(x for (x,) in con.execute("select doc_number from documents"))
    assert numbers == ["浙政发〔2024〕3号", "浙政发〔2024〕4号"]
    paths = [x for (x,) in con.execute("select path from sources")]
    assert not any("empty" in p or "binary" in p or "truncated" in p for p in paths)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_any_common_encoding_parses_the_same(tmp_path, encoding):
    f = tmp_path / "p.txt"
    f.write_text(POLICY, encoding=encoding)
    r = cli("parse", str(f), "--json")
    doc = json.loads(r.stdout.splitlines()[0])
    assert doc["title"] == "浙江省人民政府关于促进民营经济发展的意见"


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "z.db"
    r = cli("ingest", *map(str, sorted(CORPUS.glob("*.txt"))), db=db)
    assert r.exit_code == 0, r.output
    return db


def test_ingest_stores_grounded_extractions(corpus_db):
    con = sqlite3.connect(corpus_db)
    rows = con.execute(
        "SELECT d.text, e.quote, e.span_start, e.span_end, e.type FROM extractions e JOIN documents d ON d.id = e.doc_id"
    ).fetchall()
    assert {t for *_, t in rows} >= {"target", "statistic", "duty", "benefit", "project", "reference", "entity"}
    assert all(text[s:e] == quote for text, quote, s, e, _t in rows)


def test_extract_stored_document_as_json(corpus_db):
    r = cli("extract", "吉政发〔2021〕14号", "--type", "duty", "--json", db=corpus_db)
    assert r.exit_code == 0, r.output
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(recs) == 21 and {x["type"] for x in recs} == {"duty"}  # 19 tags and 2 prose duties
    assert recs[0]["doc_key"] == "000_9ddca78f5cc9fde1.txt#1"
    assert set(recs[0]) >= {"type", "doc", "node", "quote", "span", "line_start", "line_end", "task", "lead", "support", "deadline"}
    r = cli("extract", "吉政发〔2021〕14号", "--type", "nonsense", db=corpus_db)
    assert r.exit_code == 2 and "known:" in r.output


def test_check_reports_conflicting_targets_with_citations(corpus_db):
    r = cli("check", "--json", db=corpus_db)
    findings = [json.loads(x) for x in r.stdout.splitlines()]
    conflict = next(f for f in findings if f["kind"] == "conflicting_target" and "财政收入" in f["message"])
    assert "60亿元" in conflict["message"] and "80亿元" in conflict["message"]
    quotes = {(c["doc_key"], c["line_start"]) for c in conflict["citations"]}
    assert quotes == {("000_9ddca78f5cc9fde1.txt#3", 333), ("001_578be0ae33821603.txt#1", 26)}


def test_export_xlsx_and_csv_with_citations(corpus_db, tmp_path):
    import openpyxl

    r = cli("export", str(tmp_path / "x.xlsx"), db=corpus_db)
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert {"duty", "benefit", "target"} <= set(wb.sheetnames)
    header = [c.value for c in wb["duty"][1]]
    assert "citation" in header and "lead" in header
    cite = wb["duty"].cell(row=2, column=header.index("citation") + 1).value
    assert "L" in cite and "责任单位" in cite
    r = cli("export", str(tmp_path / "csv"), "--type", "benefit", db=corpus_db)
    assert (tmp_path / "csv" / "benefit.csv").read_text(encoding="utf-8-sig").startswith("doc,doc_key,node")
    assert not (tmp_path / "csv" / "duty.csv").exists()


def test_view_writes_a_self_contained_page(corpus_db, tmp_path):
    out = tmp_path / "v.html"
    r = cli("view", "吉政发〔2021〕14号", "-o", str(out), db=corpus_db)
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert page.count("<mark") > 19 and "http" not in page.split("<script>")[0]
    assert "责任单位" in page and "data-r=" in page


def test_references_resolve_to_stored_documents(tmp_path):
    cited = tmp_path / "cited.txt"
    cited.write_text(POLICY, encoding="utf-8")
    citing = tmp_path / "citing.txt"
    citing.write_text(
        "浙江省人民政府办公厅关于落实民营经济政策的通知\n\n浙政办发〔2024〕9号\n\n各市人民政府：\n\n"
        "一、抓好落实\n\n（一）认真贯彻《浙江省人民政府关于促进民营经济发展的意见》（浙政发〔2024〕3号），参照《国务院关于某事项的通知》执行。（责任单位：省发展改革委）\n",
        encoding="utf-8",
    )
    db = tmp_path.parent / f"{tmp_path.name}-refs.db"
    assert cli("ingest", str(citing), str(cited), db=db).exit_code == 0
    from zhengce.store import Store

    want = {"浙江省人民政府关于促进民营经济发展的意见": "cited.txt#1", "国务院关于某事项的通知": None}
    with Store(db) as store:
        refs = [rec for _i, rec in store.extractions(type_="reference")]
    assert {rec.fields["title"]: rec.fields["resolved"] for rec in refs} == want
    r = cli("extract", "浙政办发〔2024〕9号", "--type", "reference", "--json", db=db)
    assert r.exit_code == 0
    assert {x["title"]: x["resolved"] for x in map(json.loads, r.stdout.splitlines())} == want
