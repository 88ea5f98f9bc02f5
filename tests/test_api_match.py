"""政策直达 through the HTTP API and the pages (TestClient over a copy of the
ingested corpus): the hand-computed cases give the same status and amount as
the library, results equal `zhengce match --json`, saved profiles, push lists
and the reverse question over uploaded registers, and the review workflow."""

from __future__ import annotations

import re

import copy
import csv
import io
import json
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from web_fixtures import copy_db, corpus_db_template  # noqa: F401 (a fixture)
from zhengce.store import Store
from zhengce.web import create_app

HERE = Path(__file__).resolve().parent
CASES = yaml.safe_load((HERE / "match_cases.yaml").read_text(encoding="utf-8"))
LISTING_REF = "吉政发〔2021〕16号:n12:1"  # 上市奖励: 省级给予1000万元奖励 (the 发文字号 form of its id)
LISTING = LISTING_REF  # its canonical id (document uid:node:k), set by the db fixture
FIRM = {
    "name": "长春某药业股份有限公司", "kind": "企业", "province": "吉林省", "city": "长春市", "industries": ["医药健康"],
    "hq_in_province": True, "main_business_in_province": True, "listing": {"board": "科创板", "date": "2021-09-01"},
    "certifications": [], "facts": {"size": "medium", "industrial": True},
}
REGISTER = (
    "name,kind,province,hq_in_province,main_business_in_province,listing.board,vat_taxpayer,monthly_sales_wan,facts.size\n"
    "长春某药业,企业,吉林省,是,是,主板,general,,medium\n"
    "吉林市某商贸,企业,吉林省,,,,small_scale,12,micro\n"
    "沈阳某公司,企业,辽宁省,否,否,,general,,small\n"
)


@pytest.fixture(scope="module")
def db(corpus_db_template, tmp_path_factory):  # noqa: F811
    global LISTING
    path = copy_db(corpus_db_template, tmp_path_factory.mktemp("api_match") / "z.db")
    with Store(path) as store:
        LISTING = LISTING_REF.replace("吉政发〔2021〕16号", store.uid_of("吉政发〔2021〕16号"))
    return path


@pytest.fixture(scope="module")
def client(db):
    with TestClient(create_app(db)) as c:
        yield c


def error_of(r, status: int, code: str) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"} and body["error"]["code"] == code
    message = body["error"]["message"]
    assert message and "\n" not in message
    return message


def rule_url(rule_id: str, tail: str = "") -> str:
    return f"/api/v1/rules/{quote(rule_id, safe='')}{tail}"


def case_profile(spec: dict) -> dict:
    """The profile object of a hand case (its base, its own fields, merged facts, unset fields)."""
    spec = copy.deepcopy(spec)
    base = copy.deepcopy(CASES["bases"][spec.pop("base")]) if "base" in spec else {}
    unset = spec.pop("unset", [])
    facts = {**base.pop("facts", {}), **spec.pop("facts", {})}
    data = {**base, **spec, **({"facts": facts} if facts else {})}
    for k in unset:
        data.pop(k, None)
    return json.loads(json.dumps(data, default=str))  # YAML dates as text, as a client sends them


def find(results: list[dict], ref: dict) -> dict:
    hits = [r for r in results if ref["quote"] in r["source"]["quote"]
            and ref["doc"] in " ".join(str(r["source"].get(k) or "") for k in ("doc_number", "doc"))]
    assert len(hits) == 1, [r["rule"] for r in hits]
    return hits[0]


def match(client, profile: dict, as_of: str | None = None) -> dict:
    r = client.post("/api/v1/match", json={"profile": profile, **({"as_of": as_of} if as_of else {})})
    assert r.status_code == 200, r.text
    return r.json()


# ------------------------------------------------------------------ matching

MACHINE_CASES = [c for c in CASES["cases"] if not c.get("reviewed") and "amount" in c["expect"]]


@pytest.mark.parametrize("case", MACHINE_CASES, ids=[c["id"] for c in MACHINE_CASES])
def test_hand_case_through_the_api(client, case):
    body = match(client, case_profile(case["profile"]), str(case["as_of"]))
    res = find(body["results"], case["rule"])
    want = case["expect"]
    assert res["status"] == want["status"], res["explanation"]
    assert [res["amount"]["min"], res["amount"]["max"]] == [x if x is None else pytest.approx(x) for x in want["amount"]], res["amount"]
    if "missing" in want:
        assert res["missing"] == want["missing"]
    if "cap_applied" in want:
        assert res["amount"]["cap"]["applied"] is want["cap_applied"]


def test_match_groups_and_explains_the_listing_award(client):
    body = match(client, FIRM, "2021-10-01")
    assert body["as_of"] == "2021-10-01" and body["profile"]["kind"] == "enterprise"
    statuses = [r["status"] for r in body["results"]]
    assert body["counts"] == {s: statuses.count(s) for s in ("eligible", "unknown", "ineligible")}
    order = {"eligible": 0, "unknown": 1, "ineligible": 2}
    assert statuses == sorted(statuses, key=order.get)  # eligible first, then unknown, then ineligible
    listing = next(r for r in body["results"] if r["rule"] == LISTING)
    assert listing["status"] == "eligible" and listing["missing"] == []
    assert listing["amount"] == {"min": 1000, "max": 1000, "unit": "万元", "cap": None, "formula": "1000万元"}
    assert [e["result"] for e in listing["explanation"]] == ["true"] * 4
    assert listing["explanation"][0]["explanation"] == "总部在本省：是（需为“是”）→ 符合"
    src = listing["source"]
    assert (src["doc_number"], src["doc_id"], src["node"], src["line_start"]) == ("吉政发〔2021〕16号", 2, "n12", 179)
    assert "省财政厅" in listing["agencies"] and listing["origin"] == "machine" and listing["stale"] is None
    unknown = next(r for r in body["results"] if r["status"] == "unknown")
    assert unknown["missing"] and all(e["result"] != "false" for e in unknown["explanation"])


def test_results_are_the_cli_json(client, db, tmp_path):
    from zhengce.cli import app

    (tmp_path / "firm.json").write_text(json.dumps(FIRM, ensure_ascii=False), encoding="utf-8")
    out = CliRunner().invoke(app, ["--db", str(db), "match", "--profile", str(tmp_path / "firm.json"), "--as-of", "2021-10-01", "--json"])
    assert out.exit_code == 0, out.output
    cli = [json.loads(line) for line in out.stdout.splitlines()]
    api = match(client, FIRM, "2021-10-01")["results"]
    assert api == cli


def test_invalid_profiles_are_422_with_the_librarys_line(client):
    msg = error_of(client.post("/api/v1/match", json={"profile": {"revenue": 1}}), 422, "unprocessable")
    assert msg.startswith("profile: revenue: unknown field (known: name, kind, province,") and "annual_revenue_wan" in msg
    msg = error_of(client.post("/api/v1/match", json={"profile": {"kind": "company"}}), 422, "unprocessable")
    assert msg == "profile: kind: 'company' is not one of enterprise, individual_business, institution"
    msg = error_of(client.post("/api/v1/match", json={"profile": {"annual_revenue_wan": "30人"}}), 422, "unprocessable")
    assert msg == "profile: annual_revenue_wan: '30人' is not an amount in 万元"
    assert "facts.profit: unknown fact (known: size, ownership" in error_of(
        client.post("/api/v1/match", json={"profile": {"facts": {"profit": 1}}}), 422, "unprocessable")
    assert "as_of" in error_of(client.post("/api/v1/match", json={"profile": FIRM, "as_of": "2021-13-01"}), 400, "bad_request")
    assert "profile" in error_of(client.post("/api/v1/match", json={}), 400, "bad_request")
    assert "profile" in error_of(client.post("/api/v1/match", json={"profile": FIRM, "saved": "x"}), 400, "bad_request")
    assert "nobody" in error_of(client.post("/api/v1/match", json={"saved": "nobody"}), 404, "not_found")


# ------------------------------------------------------------------ rules and facts

def test_rules_list_filters_and_detail(client):
    every = client.get("/api/v1/rules", params={"limit": 1000}).json()
    assert every["total"] == len(every["rules"]) > 100 and every["counts"]["machine"] == every["total"]
    assert every["counts"]["needs_review"] > 0 and every["counts"]["reviewed"] == 0
    listing = next(r for r in every["rules"] if r["id"] == LISTING)
    assert listing["status"] == "machine" and listing["amount"] == {"min": 1000, "max": 1000, "unit": "万元"}
    assert listing["source"]["doc_id"] == 2 and listing["source"]["node"] == "n12"
    of16 = client.get("/api/v1/rules", params={"doc": "吉政发〔2021〕16号"}).json()
    assert of16["total"] < every["total"] and all(r["source"]["doc_id"] == 2 for r in of16["rules"])
    assert LISTING in [r["id"] for r in client.get("/api/v1/rules", params={"q": "科创板成功上市"}).json()["rules"]]
    assert client.get("/api/v1/rules", params={"status": "stale"}).json()["total"] == 0
    page = client.get("/api/v1/rules", params={"limit": 2, "offset": 3}).json()
    assert [r["id"] for r in page["rules"]] == [r["id"] for r in every["rules"][3:5]]

    detail = client.get(rule_url(LISTING)).json()
    assert detail["rule"]["id"] == LISTING and detail["history"] == []
    assert [c["fact"] for c in detail["rule"]["conditions"]] == ["hq_in_province", "main_business_in_province", "listing_board", "kind"]
    assert yaml.safe_load(detail["yaml"])[0]["benefit"]["amount"]["max"] == 1000
    # Every id is its document's uid (no 发文字号 or title in it), also an untitled document's.
    assert all(re.fullmatch(r"d[0-9a-f]{16}:n\d+:\d+", r["id"]) for r in every["rules"])
    untitled = next(r["id"] for r in every["rules"] if not r["source"]["doc"])
    assert client.get(rule_url(untitled)).json()["rule"]["id"] == untitled
    # The 发文字号 form of an id opens the same rule.
    assert client.get(rule_url(LISTING_REF)).json()["rule"]["id"] == LISTING


def test_unknown_rules_are_404(client):
    assert "no rule" in error_of(client.get(rule_url("吉政发〔2021〕16号:n99:1")), 404, "not_found")
    files = {"file": ("firms.csv", REGISTER.encode(), "text/csv")}
    error_of(client.post(rule_url("nope:n1:1", "/enterprises"), files=files), 404, "not_found")
    error_of(client.post(rule_url("nope:n1:1", "/review"), json={"reviewer": "张三"}), 404, "not_found")
    assert "no review" in error_of(client.delete(rule_url(LISTING, "/review")), 404, "not_found")
    error_of(client.get("/api/v1/rules", params={"doc": "没有这个文件"}), 404, "not_found")
    error_of(client.get("/api/v1/rules", params={"status": "nonsense"}), 400, "bad_request")


def test_facts_are_the_vocabulary(client):
    body = client.get("/api/v1/facts").json()
    facts = {f["name"]: f for f in body["facts"]}
    assert body["total"] == len(facts)
    assert facts["hq_in_province"]["label"] == "总部在本省" and facts["hq_in_province"]["profile_field"]
    assert facts["annual_revenue_wan"]["unit"] == "万元" and facts["size"]["choices"] == ["large", "medium", "small", "micro"]
    assert facts["listing_board"]["rules"] >= 1
    assert any(n.startswith("req:") and f["rules"] >= 1 for n, f in facts.items())  # the rules' own requirements


# ------------------------------------------------------------------ saved profiles

def test_profile_save_load_delete_round_trip(client):
    assert client.get("/api/v1/profiles").json() == {"profiles": []}
    r = client.put("/api/v1/profiles/长春某药业", json=FIRM)
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["name"] == "长春某药业" and saved["profile"]["kind"] == "enterprise" and saved["profile"]["certifications"] == []
    assert client.get("/api/v1/profiles/长春某药业").json() == saved
    assert [p["name"] for p in client.get("/api/v1/profiles").json()["profiles"]] == ["长春某药业"]
    by_name = client.post("/api/v1/match", json={"saved": "长春某药业", "as_of": "2021-10-01"}).json()
    assert by_name["results"] == match(client, FIRM, "2021-10-01")["results"]

    client.put("/api/v1/profiles/长春某药业", json=dict(FIRM, listing=None))  # save again: replaces
    assert client.get("/api/v1/profiles/长春某药业").json()["profile"]["listing"] is None
    assert "revenue" in error_of(client.put("/api/v1/profiles/坏档案", json={"revenue": 1}), 422, "unprocessable")
    assert "坏档案" not in [p["name"] for p in client.get("/api/v1/profiles").json()["profiles"]]

    r = client.delete("/api/v1/profiles/长春某药业")
    assert r.status_code == 200 and r.json()["name"] == "长春某药业"
    error_of(client.get("/api/v1/profiles/长春某药业"), 404, "not_found")
    error_of(client.delete("/api/v1/profiles/长春某药业"), 404, "not_found")


# ------------------------------------------------------------------ push list, reverse

def _xlsx_rows(data: bytes) -> list[dict]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_batch_push_list_as_xlsx_csv_and_json(client):
    files = {"file": ("firms.csv", REGISTER.encode(), "text/csv")}
    r = client.post("/api/v1/match/batch", files=files, data={"as_of": "2021-10-01", "format": "xlsx"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats") and "push_list.xlsx" in r.headers["content-disposition"]
    rows = _xlsx_rows(r.content)
    listing = [x for x in rows if x["rule"] == LISTING]
    assert [(x["enterprise"], x["amount_max"], x["status"]) for x in listing] == [("长春某药业", 1000, "eligible")]
    assert any(x["enterprise"] == "吉林市某商贸" and "月销售额15万元以下" in x["quote"] for x in rows)
    assert {x["status"] for x in rows} == {"eligible"}

    body = client.post("/api/v1/match/batch", files=files, data={"as_of": "2021-10-01", "format": "json"}).json()
    assert body["enterprises"] == 3 and body["rules"] > 100
    assert [(x["enterprise"], x["rule"], x["amount_max"]) for x in body["rows"]] == [(x["enterprise"], x["rule"], x["amount_max"]) for x in rows]
    assert sum(body["counts"].values()) == 3 * body["rules"]

    r = client.post("/api/v1/match/batch", files=files, data={"as_of": "2021-10-01", "format": "csv", "include_unknown": "true"})
    table = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(table) > len(rows) and all(x["missing"] for x in table if x["status"] == "unknown")


def test_batch_reads_an_xlsx_register_and_reports_bad_rows(client):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in csv.reader(io.StringIO(REGISTER)):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    files = {"file": ("firms.xlsx", buf.getvalue(), "application/octet-stream")}
    body = client.post("/api/v1/match/batch", files=files, data={"as_of": "2021-10-01"}).json()
    assert body["enterprises"] == 3 and any(x["rule"] == LISTING for x in body["rows"])

    bad = REGISTER + "某公司,企业,吉林省,是,是,,,30人,\n"
    msg = error_of(client.post("/api/v1/match/batch", files={"file": ("firms.csv", bad.encode("gb18030"))}), 422, "unprocessable")
    assert msg == "firms.csv 第5行：月销售额：“30人”不是以万元计的金额。"
    error_of(client.post("/api/v1/match/batch", files={"file": ("firms.pdf", b"%PDF")}), 415, "unsupported_type")
    error_of(client.post("/api/v1/match/batch", files={"file": ("firms.xlsx", b"not a workbook")}), 422, "unprocessable")
    assert "format" in error_of(client.post("/api/v1/match/batch", files=files, data={"format": "pdf"}), 400, "bad_request")


def test_reverse_which_enterprises_qualify(client):
    files = {"file": ("firms.csv", REGISTER.encode(), "text/csv")}
    body = client.post(rule_url(LISTING, "/enterprises"), files=files, data={"as_of": "2021-10-01"}).json()
    assert body["rule"] == LISTING and body["counts"] == {"eligible": 1, "unknown": 1, "ineligible": 1}
    assert [(x["enterprise"], x["status"]) for x in body["rows"]] == [("长春某药业", "eligible"), ("吉林市某商贸", "unknown"), ("沈阳某公司", "ineligible")]
    assert "hq_in_province" in body["rows"][1]["missing"]
    r = client.post(rule_url(LISTING, "/enterprises"), files=files, data={"format": "xlsx"})
    assert [x["status"] for x in _xlsx_rows(r.content)] == ["eligible", "unknown", "ineligible"]


# ------------------------------------------------------------------ review

@pytest.fixture
def writer(corpus_db_template, tmp_path):  # noqa: F811
    with TestClient(create_app(copy_db(corpus_db_template, tmp_path / "z.db"))) as c:
        yield c


def test_review_replace_reject_withdraw(writer):
    rule = writer.get(rule_url(LISTING)).json()["rule"]
    corrected = copy.deepcopy(rule)
    corrected["benefit"]["amount"] = {"min": 800, "max": 800, "unit": "万元"}
    r = writer.post(rule_url(LISTING, "/review"), json={"rule": corrected, "reviewer": "张三", "note": "按新文件"})
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["status"], r.json()["rule"]["origin"]) == (1, "approved", "reviewed")
    res = next(x for x in match(writer, FIRM, "2021-10-01")["results"] if x["rule"] == LISTING)
    assert (res["origin"], res["amount"]["max"], res["source"]["doc_id"]) == ("reviewed", 800, 2)

    # The same again is a no-op; a different one needs replace (never overwritten silently).
    assert writer.post(rule_url(LISTING, "/review"), json={"rule": corrected, "reviewer": "张三"}).json()["version"] == 1
    other = copy.deepcopy(corrected)
    other["benefit"]["amount"] = {"min": 500, "max": 500, "unit": "万元"}
    msg = error_of(writer.post(rule_url(LISTING, "/review"), json={"rule": other}), 409, "conflict")
    assert "replace" in msg and "version 1" in msg
    assert writer.post(rule_url(LISTING, "/review"), json={"rule": other, "replace": True, "reviewer": "李四"}).json()["version"] == 2
    detail = writer.get(rule_url(LISTING)).json()
    assert [(h["version"], h["status"], h["reviewer"]) for h in detail["history"]] == [(1, "approved", "张三"), (2, "approved", "李四")]
    assert detail["rule"]["review"]["version"] == 2 and detail["rule"]["benefit"]["amount"]["max"] == 500
    assert writer.get("/api/v1/rules", params={"status": "reviewed"}).json()["total"] == 1

    # Rejected: left out of matching, listed as rejected.
    r = writer.post(rule_url(LISTING, "/review"), json={"reject": True, "replace": True, "reviewer": "李四"})
    assert (r.json()["version"], r.json()["status"]) == (3, "rejected")
    assert LISTING not in [x["rule"] for x in match(writer, FIRM, "2021-10-01")["results"]]
    assert [x["id"] for x in writer.get("/api/v1/rules", params={"status": "rejected"}).json()["rules"]] == [LISTING]
    error_of(writer.post(rule_url(LISTING, "/enterprises"), files={"file": ("f.csv", REGISTER.encode())}), 404, "not_found")

    # Withdrawn: the machine rule applies again; the history stays.
    r = writer.delete(rule_url(LISTING, "/review"), params={"reviewer": "李四"})
    assert r.status_code == 200 and (r.json()["version"], r.json()["status"], r.json()["rule"]["origin"]) == (4, "withdrawn", "machine")
    res = next(x for x in match(writer, FIRM, "2021-10-01")["results"] if x["rule"] == LISTING)
    assert (res["origin"], res["amount"]["max"]) == ("machine", 1000)
    assert len(writer.get(rule_url(LISTING)).json()["history"]) == 4
    error_of(writer.delete(rule_url(LISTING, "/review")), 404, "not_found")


def test_review_errors(writer):
    rule = writer.get(rule_url(LISTING)).json()["rule"]
    assert "is not the rule of this address" in error_of(
        writer.post(rule_url("吉政发〔2021〕16号:n12:2", "/review"), json={"rule": rule}), 400, "bad_request")
    bad = copy.deepcopy(rule)
    bad["conditions"][0]["fact"] = "no_such_fact"
    assert "unknown fact 'no_such_fact'" in error_of(writer.post(rule_url(LISTING, "/review"), json={"rule": bad}), 422, "unprocessable")
    assert "whatever" in error_of(writer.post(rule_url(LISTING, "/review"), json={"rule": rule, "whatever": 1}), 400, "bad_request")


def test_a_reviewed_case_through_the_api(writer):
    """A rule file of tests/match_rules/ imported through the API gives its hand-computed case."""
    (rule,) = yaml.safe_load((HERE / "match_rules" / "vat_reduced_rate.yaml").read_text(encoding="utf-8"))
    case = next(c for c in CASES["cases"] if c["id"] == "vat-1pct-20wan")
    rule = json.loads(json.dumps(rule, default=str))
    r = writer.post(rule_url(rule["id"], "/review"), json={"rule": rule, "reviewer": "tests"})
    assert r.status_code == 200, r.text
    res = find(match(writer, case_profile(case["profile"]), str(case["as_of"]))["results"], case["rule"])
    assert res["origin"] == "reviewed" and res["status"] == "eligible"
    assert (res["amount"]["min"], res["amount"]["max"]) == (pytest.approx(0.4), pytest.approx(0.4))
    assert res["source"]["doc_id"] == 1  # the reviewed file names the document; the link is found


POLICY = (
    "海东市人民政府关于支持企业上市挂牌的若干措施\n\n海政发〔2024〕5号\n\n各县（区）人民政府：\n\n"
    "一、奖励政策\n\n（一）上市奖励。对总部和主营业务均在青海省且在主板、创业板、科创板首发上市的企业，一次性给予奖励300万元。（责任单位：市金融办）\n\n"
    "海东市人民政府\n\n2024年5月6日\n"
)


def test_a_reviewed_rule_goes_stale_when_its_clause_changes(writer):
    up = writer.post("/api/v1/documents", files=[("files", ("海东上市.txt", POLICY.encode(), "text/plain"))]).json()
    doc_id = up["results"][0]["documents"][0]["id"]
    (summary,) = writer.get("/api/v1/rules", params={"doc": doc_id}).json()["rules"]
    rule = writer.get(rule_url(summary["id"])).json()["rule"]
    assert writer.post(rule_url(rule["id"], "/review"), json={"rule": rule, "reviewer": "张三"}).json()["version"] == 1
    assert writer.get("/api/v1/rules", params={"status": "stale"}).json()["total"] == 0

    changed = POLICY.replace("奖励300万元", "奖励200万元")
    up = writer.post("/api/v1/documents", files=[("files", ("海东上市.txt", changed.encode(), "text/plain"))]).json()
    assert up["results"][0]["status"] == "replaced"
    new_id = up["results"][0]["documents"][0]["id"]
    (stale,) = writer.get("/api/v1/rules", params={"status": "stale"}).json()["rules"]
    assert stale["id"] == rule["id"] and "no longer holds the reviewed quote" in stale["stale"]
    assert stale["source"]["doc_id"] == new_id  # still links to the document as it is now
    firm = {"kind": "企业", "hq_in_province": True, "main_business_in_province": True, "listing": {"board": "主板"}}
    res = next(x for x in match(writer, firm)["results"] if x["rule"] == rule["id"])
    assert res["stale"] == stale["stale"] and res["amount"]["max"] == 300  # the reviewed rule still applies, and says so
    page = writer.get("/match", params={"as_of": "2024-06-01"})
    assert page.status_code == 200
    # withdrawing the stale review brings back the machine rule of the new text
    writer.delete(rule_url(rule["id"], "/review"))
    res = next(x for x in match(writer, firm)["results"] if x["rule"] == rule["id"])
    assert res["stale"] is None and res["amount"]["max"] == 200


# ------------------------------------------------------------------ pages

def _form(**over) -> dict:
    base = {"name": "长春某药业", "kind": "enterprise", "province": "吉林省", "hq_in_province": "是", "main_business_in_province": "是",
            "listing_board": "科创板", "listing_date": "2021-09-01", "as_of": "2021-10-01", "action": "match",
            "fact_name": ["size", ""], "fact_value": ["medium", ""]}
    return base | over


def test_match_page_form_results_save_and_load(writer):
    page = writer.get("/match")
    assert page.status_code == 200 and "政策直达" in page.text and "高新技术企业" in page.text and "匹配" in page.text
    r = writer.post("/match", data=_form())
    assert r.status_code == 200
    eligible = r.text.split('id="eligible"')[1].split('id="unknown"')[0]
    assert "鼓励市场化运营" in eligible and "1000万元" in eligible and "/doc/2?hl=n12#node-n12" in eligible
    assert "待补充信息" in r.text and "需补充" in r.text

    r = writer.post("/match", data=_form(action="save", save_name="药业档案", certifications=["高新技术企业"]))
    assert "已保存档案“药业档案”" in r.text
    saved = writer.get("/api/v1/profiles/药业档案").json()["profile"]
    assert saved["certifications"] == ["高新技术企业"] and saved["facts"] == {"size": "medium"} and saved["listing"]["board"] == "科创板"
    r = writer.get("/match", params={"load": "药业档案", "as_of": "2021-10-01"})
    assert 'value="高新技术企业" checked' in r.text and '<option value="科创板" selected>' in r.text and "鼓励市场化运营" in r.text

    bad = writer.post("/match", data=_form(annual_revenue_wan="30人"))
    assert bad.status_code == 422 and "年营业收入（主营业务收入、销售收入）：“30人”不是以万元计的金额" in bad.text and 'value="30人"' in bad.text
    bad = writer.post("/match", data=_form(fact_name=["req:按期投产"], fact_value=["也许"]))
    assert bad.status_code == 422 and "按期投产（req:按期投产）：“也许”应填“是”或“否”" in bad.text
    r = writer.post("/match/delete", data={"load": "药业档案"}, follow_redirects=False)
    assert r.status_code == 303
    assert writer.get("/api/v1/profiles").json()["profiles"] == []


def test_push_list_download_from_the_page(client):
    r = client.post("/match/push", files={"file": ("firms.csv", REGISTER.encode())}, data={"as_of": "2021-10-01"})
    assert r.status_code == 200 and "push_list.xlsx" in r.headers["content-disposition"]
    assert any(x["rule"] == LISTING for x in _xlsx_rows(r.content))
    r = client.post("/match/push", files={"file": ("firms.pdf", b"%PDF")})
    assert r.status_code == 415 and "firms.pdf" in r.text and "<html" in r.text


def test_rules_pages(client):
    r = client.get("/rules")
    assert r.status_code == 200 and "规则库" in r.text and "鼓励市场化运营" in r.text
    assert client.get("/rules", params={"status": "needs_review"}).status_code == 200
    r = client.get("/rules/" + quote(LISTING, safe=""))
    assert r.status_code == 200 and "hq_in_province" in r.text and "尚未审核" in r.text and "/doc/2?hl=n12#node-n12" in r.text
    assert client.get("/rules/" + quote("nope:n1:1", safe="")).status_code == 404
