"""zhengce match / zhengce rules on the corpus: the JSON contract, push list, review round trip."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from zhengce.cli import app

PROFILE = {
    "name": "长春某药业股份有限公司", "kind": "enterprise", "province": "吉林省", "industries": ["医药健康"],
    "annual_revenue_wan": "12亿元", "listing": {"board": "科创板", "date": "2021-09-01"},
    "hq_in_province": True, "main_business_in_province": True,
    "facts": {"industrial": True, "size": "medium", "ownership": "private", "prior_max_annual_revenue_wan": 90000},
}


@pytest.fixture(scope="module")
def db(ingested_corpus_db, tmp_path_factory) -> Path:
    dst = tmp_path_factory.mktemp("cli") / "m.db"
    with sqlite3.connect(ingested_corpus_db) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return dst


def run(db: Path, *args: str):
    return CliRunner().invoke(app, ["--db", str(db), *args])


def test_match_json_contract(db, tmp_path):
    p = tmp_path / "firm.yaml"
    p.write_text(yaml.safe_dump(PROFILE, allow_unicode=True), encoding="utf-8")
    r = run(db, "match", "--profile", str(p), "--as-of", "2021-10-01", "--json")
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(rows) > 100
    for row in rows:
        assert {"rule", "title", "status", "explanation", "missing", "amount", "agencies", "where_to_apply", "source"} <= set(row)
        assert {"min", "max", "unit", "cap"} <= set(row["amount"])
        assert {"doc", "doc_number", "node", "quote", "line_start", "line_end"} <= set(row["source"])
        assert row["status"] in ("eligible", "ineligible", "unknown")
        assert (row["status"] == "unknown") == bool(row["missing"])
    listing = next(x for x in rows if "科创板成功上市" in x["source"]["quote"])
    assert listing["status"] == "eligible" and listing["amount"]["max"] == 1000
    assert listing["source"]["doc_number"] == "吉政发〔2021〕16号" and listing["source"]["line_start"] == 179
    text = run(db, "match", "--profile", str(p), "--as-of", "2021-10-01")
    assert text.exit_code == 0 and "符合 eligible" in text.stdout and "待补充 unknown" in text.stdout


def test_profile_errors_are_one_line(db, tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"name": "x", "revenue": 5}), encoding="utf-8")
    r = run(db, "match", "--profile", str(p))
    assert r.exit_code == 2
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(f"error: {p}: revenue: unknown field (known: name, kind,")
    p.write_text(json.dumps({"annual_revenue_wan": "30人"}), encoding="utf-8")
    r = run(db, "match", "--profile", str(p))
    assert r.exit_code == 2 and "'30人' is not an amount in 万元" in r.stderr


def test_list_facts(db):
    r = run(db, "match", "--list-facts", "--json")
    facts = {json.loads(x)["name"]: json.loads(x) for x in r.stdout.splitlines()}
    assert facts["annual_revenue_wan"]["unit"] == "万元" and facts["annual_revenue_wan"]["profile_field"]
    assert any(n.startswith("req:") for n in facts)  # the requirements rules ask, by name
    assert facts["prior_max_annual_revenue_wan"]["rules"] >= 2


def test_push_list_and_reverse_files(db, tmp_path):
    reg = tmp_path / "firms.csv"
    reg.write_text(
        "name,kind,province,industries,annual_revenue_wan,listing.board,hq_in_province,main_business_in_province,vat_taxpayer,monthly_sales_wan\n"
        "甲药业,enterprise,吉林省,医药健康,12亿元,主板,是,是,general,\n"
        "乙商贸,enterprise,吉林省,,,,,,small_scale,12\n", encoding="utf-8")
    out = tmp_path / "push.xlsx"
    r = run(db, "match", "--enterprises", str(reg), "--as-of", "2022-01-01", "-o", str(out))
    assert r.exit_code == 0, r.output
    from openpyxl import load_workbook

    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    header = rows[0]
    firms = {row[header.index("enterprise")] for row in rows[1:]}
    assert firms == {"甲药业", "乙商贸"}
    rule_id = next(row[header.index("rule")] for row in rows[1:] if "科创板成功上市" in row[header.index("quote")])
    rev = run(db, "match", "--enterprises", str(reg), "--rule", rule_id, "--json")
    got = [json.loads(x) for x in rev.stdout.splitlines()]
    assert [(g["enterprise"], g["status"]) for g in got] == [("甲药业", "eligible"), ("乙商贸", "unknown")]
    assert "hq_in_province" in got[1]["missing"]


def test_rules_export_review_import(db, tmp_path):
    folder = tmp_path / "rules"
    r = run(db, "rules", "export", str(folder), "--doc", "吉政发〔2021〕14号")
    assert r.exit_code == 0, r.output
    (f,) = folder.glob("*.yaml")
    rules = yaml.safe_load(f.read_text(encoding="utf-8"))
    vat = next(x for x in rules if "月销售额15万元以下" in x["source"]["quote"])
    vat["benefit"].update({"rate": 3, "rate_base": "月销售额（免征3%征收率的增值税）", "base_fact": "monthly_sales_wan", "period": "月"})
    one = tmp_path / "vat.yaml"
    one.write_text(yaml.safe_dump([vat], allow_unicode=True), encoding="utf-8")
    assert run(db, "rules", "import", str(one), "--reviewer", "王五").exit_code == 0
    shown = yaml.safe_load(run(db, "rules", "show", vat["id"]).stdout)[0]
    assert shown["origin"] == "reviewed" and shown["review"]["by"] == "王五" and shown["benefit"]["rate"] == 3
    vat["benefit"]["rate"] = 2
    one.write_text(yaml.safe_dump([vat], allow_unicode=True), encoding="utf-8")
    again = run(db, "rules", "import", str(one))
    assert again.exit_code == 1 and "differs" in again.stderr  # never overwritten silently
    assert run(db, "rules", "import", str(one), "--replace").exit_code == 0
    assert [h["version"] for h in map(json.loads, run(db, "rules", "history", vat["id"]).stdout.splitlines())] == [1, 2]
    shop = tmp_path / "shop.yaml"
    shop.write_text(yaml.safe_dump({"name": "丙", "vat_taxpayer": "small_scale", "monthly_sales_wan": 10}, allow_unicode=True), encoding="utf-8")
    got = [json.loads(x) for x in run(db, "match", "--profile", str(shop), "--as-of", "2022-03-01", "--json").stdout.splitlines()]
    row = next(x for x in got if x["rule"] == vat["id"])
    assert row["status"] == "eligible" and row["amount"]["max"] == pytest.approx(0.2)  # 2% × 10万元
    assert run(db, "rules", "withdraw", vat["id"]).exit_code == 0
    assert yaml.safe_load(run(db, "rules", "show", vat["id"]).stdout)[0]["origin"] == "machine"


def test_saved_profiles(db):
    from zhengce.match import delete_profile, get_profile, list_profiles, parse_profile, save_profile
    from zhengce.store import Store

    with Store(db) as store:
        save_profile(store, "某药业", parse_profile(PROFILE))
        save_profile(store, "某药业", parse_profile(dict(PROFILE, employees=900)))  # saving again replaces it
        assert [p["name"] for p in list_profiles(store)] == ["某药业"]
        assert get_profile(store, "某药业").get("employees") == 900
    r = run(db, "match", "--saved", "某药业", "--as-of", "2021-10-01", "--json")
    assert r.exit_code == 0 and any(json.loads(x)["status"] == "eligible" for x in r.stdout.splitlines())
    assert run(db, "match", "--saved", "无此企业").exit_code == 2
    with Store(db) as store:
        assert delete_profile(store, "某药业") and list_profiles(store) == []
