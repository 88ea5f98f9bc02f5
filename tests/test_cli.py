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
