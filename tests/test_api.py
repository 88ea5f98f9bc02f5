"""The JSON API and the pages' server side, through FastAPI's TestClient, over
a real SQLite database with the bundled corpus ingested (no mocks)."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from fastapi.testclient import TestClient

from web_fixtures import copy_db, corpus_db_template  # noqa: F401 (a fixture)
from zhengce.web import create_app

MAX_UPLOAD = 64 * 1024  # small caps, so the limits can be tested with small bodies
MAX_REQUEST = 1024 * 1024

POLICY = (
    "海东市人民政府关于支持企业上市挂牌的若干措施\n\n海政发〔2024〕5号\n\n各县（区）人民政府：\n\n"
    "一、奖励政策\n\n（一）上市奖励。对在沪深北交易所首发上市的企业，一次性给予奖励300万元。（责任单位：市金融办）\n\n"
    "（二）挂牌奖励。对在新三板挂牌的企业，给予奖励50万元。（责任单位：市金融办、市财政局）\n\n"
    "海东市人民政府\n\n2024年5月6日\n"
)


def _client(template, folder):
    db = copy_db(template, folder / "z.db")
    return TestClient(create_app(db, max_upload_bytes=MAX_UPLOAD, max_request_bytes=MAX_REQUEST))


@pytest.fixture(scope="module")
def client(corpus_db_template, tmp_path_factory):  # noqa: F811
    """Over the corpus as ingested: tests with it only read."""
    with _client(corpus_db_template, tmp_path_factory.mktemp("api")) as c:
        yield c


@pytest.fixture(scope="module")
def writer(corpus_db_template, tmp_path_factory):  # noqa: F811
    """Over its own copy, for the tests that upload."""
    with _client(corpus_db_template, tmp_path_factory.mktemp("api_write")) as c:
        yield c


def error_of(r, status: int, code: str) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body["error"]) == {"code", "message"} and body["error"]["code"] == code
    message = body["error"]["message"]
    assert message and "\n" not in message
    return message


# ------------------------------------------------------------------ documents

def test_documents_list_with_counts_and_filters(client):
    r = client.get("/api/v1/documents")
    assert r.status_code == 200
    body = r.json()
    assert body["total"] >= 16 and len(body["documents"]) == body["total"]
    first = body["documents"][0]
    assert first["doc_number"] == "吉政发〔2021〕14号" and first["issuer"] == "吉林省人民政府"
    assert first["extractions"]["duty"] == 21 and first["node_count"] > 0

    by_issuer = client.get("/api/v1/documents", params={"issuer": "吉林省人民政府"}).json()
    assert {d["doc_number"] for d in by_issuer["documents"]} == {"吉政发〔2021〕14号", "吉政发〔2021〕16号"}
    assert client.get("/api/v1/documents", params={"year": "2021", "q": "梅河口"}).json()["total"] == 1
    assert client.get("/api/v1/documents", params={"year": "1999"}).json()["total"] == 0
    page = client.get("/api/v1/documents", params={"limit": 2, "offset": 1}).json()
    assert [d["id"] for d in page["documents"]] == [d["id"] for d in body["documents"][1:3]]


def test_document_by_id_or_doc_number(client):
    r = client.get("/api/v1/documents/吉政发[2021]14号")  # brackets as a keyboard types them
    assert r.status_code == 200
    doc = r.json()
    assert doc["title"].startswith("吉林省人民政府关于进一步支持民营经济")
    assert client.get(f"/api/v1/documents/{doc['id']}").json() == doc
    assert doc["elements"]["addressee"].startswith("各市（州）人民政府")
    assert doc["repairs"] and all(isinstance(n, int) and n > 0 for n in doc["repairs"].values())
    assert doc["repairs_total"] == sum(doc["repairs"].values())
    noted = client.get("/api/v1/documents/吉政办发〔2021〕28号").json()
    assert any(n["kind"] == "lost_text" and n["line"] == 647 for n in noted["notes"])


def test_nodes_text_and_one_node(client):
    text = client.get("/api/v1/documents/1/text")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    nodes = client.get("/api/v1/documents/1/nodes").json()
    assert len(nodes) == 34
    assert all(text.text[n["span"][0] : n["span"][1]] == n["text"] for n in nodes)
    items = client.get("/api/v1/documents/1/nodes", params={"kind": "item,heading"}).json()
    assert {n["kind"] for n in items} == {"item", "heading"} and len(items) < len(nodes)

    item = next(n for n in nodes if n["label"] == "（一）")
    one = client.get(f"/api/v1/documents/1/nodes/{item['id']}").json()
    assert one["text"] == item["text"] and one["doc_id"] == 1
    assert [p["label"] for p in one["path"]] == ["一、"]
    duty = next(e for e in one["extractions"] if e["type"] == "duty")
    assert duty["lead"] == ["省市场监管厅"] and duty["node"] == item["id"]
    heading = client.get(f"/api/v1/documents/1/nodes/{one['parent']}").json()
    assert item["id"] in [c["id"] for c in heading["children"]]


# --------------------------------------------------------------------- errors

def test_unknown_documents_and_nodes_are_404_json(client):
    assert "99999" in error_of(client.get("/api/v1/documents/99999"), 404, "not_found")
    assert "没有这个文件" in error_of(client.get("/api/v1/documents/没有这个文件/nodes"), 404, "not_found")
    assert "n9999" in error_of(client.get("/api/v1/documents/1/nodes/n9999"), 404, "not_found")
    assert "/api/v1/nothing" in error_of(client.get("/api/v1/nothing"), 404, "not_found")
    assert "99999" in error_of(client.get("/api/v1/extractions", params={"doc": "99999"}), 404, "not_found")


def test_bad_parameters_are_400_json_naming_the_parameter(client):
    assert "limit" in error_of(client.get("/api/v1/documents", params={"limit": 0}), 400, "bad_request")
    assert "year" in error_of(client.get("/api/v1/documents", params={"year": "20x1"}), 400, "bad_request")
    assert "type" in error_of(client.get("/api/v1/extractions", params={"type": "nonsense"}), 400, "bad_request")
    assert "q" in error_of(client.get("/api/v1/search"), 400, "bad_request")
    assert "q" in error_of(client.get("/api/v1/search", params={"q": "  "}), 400, "bad_request")
    assert "offset" in error_of(client.get("/api/v1/search", params={"q": "奖励", "offset": -1}), 400, "bad_request")
    r = client.put("/api/v1/documents")
    assert r.status_code == 405 and r.json()["error"]["code"] == "bad_request"


# ---------------------------------------------------------------------- upload

def _upload(client, *files):
    return client.post("/api/v1/documents", files=[("files", f) for f in files])


def test_upload_is_stored_searchable_and_readable(writer):
    r = _upload(writer, ("海东上市.txt", POLICY.encode("gb18030"), "text/plain"))
    assert r.status_code == 200, r.text
    (res,) = r.json()["results"]
    assert res["status"] == "added" and res["file"] == "upload/海东上市.txt" and res["error"] is None
    (stored,) = res["documents"]
    assert stored["doc_number"] == "海政发〔2024〕5号"

    doc = writer.get(f"/api/v1/documents/{stored['id']}").json()
    assert (doc["issuer"], doc["date"], doc["source_path"]) == ("海东市人民政府", "2024-05-06", "upload/海东上市.txt")
    assert doc["extractions"].get("duty") == 2
    hits = writer.get("/api/v1/search", params={"q": "首发上市奖励", "doc": stored["id"]}).json()["hits"]
    assert hits and hits[0]["doc_id"] == stored["id"] and "300万元" in hits[0]["snippet"]
    page = writer.get(f"/doc/{stored['id']}")
    assert page.status_code == 200 and "海东市人民政府关于支持企业上市挂牌的若干措施" in page.text

    again = _upload(writer, ("海东上市.txt", POLICY.encode("gb18030"), "text/plain")).json()["results"][0]
    assert again["status"] == "unchanged" and again["documents"] == res["documents"]


def test_delete_removes_the_source_and_search_forgets_it(writer):
    r = _upload(writer, ("删除测试.txt", POLICY.replace("海政发〔2024〕5号", "海政发〔2024〕9号").encode(), "text/plain"))
    (stored,) = r.json()["results"][0]["documents"]
    assert writer.get("/api/v1/search", params={"q": "首发上市奖励", "doc": stored["id"]}).json()["hits"]
    r = writer.delete(f"/api/v1/documents/{stored['id']}")
    assert r.status_code == 200, r.text
    assert r.json() == {"source": "upload/删除测试.txt", "documents": [stored["id"]]}
    error_of(writer.get(f"/api/v1/documents/{stored['id']}"), 404, "not_found")
    hits = writer.get("/api/v1/search", params={"q": "首发上市奖励 300万元"}).json()["hits"]
    assert all(h["doc_id"] != stored["id"] for h in hits)
    error_of(writer.delete(f"/api/v1/documents/{stored['id']}"), 404, "not_found")


def test_a_bad_file_in_a_batch_fails_alone(writer):
    before = writer.get("/api/v1/documents").json()["total"]
    other = POLICY.replace("5号", "6号").replace("海东", "海西")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a/政策.txt", other.replace("6号", "8号").replace("海西", "海南"))
        z.writestr("b/空.txt", "")
    r = _upload(
        writer,
        ("good.txt", other.encode(), "text/plain"),
        ("empty.txt", b"", "text/plain"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png"),
        ("huge.txt", "政策".encode() * MAX_UPLOAD, "text/plain"),
        ("binary.txt", b"\x7fELF" + bytes(range(256)) * 4, "text/plain"),
        ("bundle.zip", archive.getvalue(), "application/zip"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    status = {x["file"]: (x["status"], x["error"] and x["error"]["code"]) for x in body["results"]}
    assert status == {
        "upload/good.txt": ("added", None),
        "upload/empty.txt": ("failed", "unprocessable"),
        "upload/photo.png": ("failed", "unsupported_type"),
        "upload/huge.txt": ("failed", "too_large"),
        "upload/binary.txt": ("failed", "unprocessable"),
        "upload/bundle.zip!a/政策.txt": ("added", None),
        "upload/bundle.zip!b/空.txt": ("failed", "unprocessable"),
    }
    assert body["counts"] == {"added": 2, "replaced": 0, "unchanged": 0, "failed": 5}
    for x in body["results"]:
        if x["error"]:  # one line naming the file
            assert x["error"]["message"].startswith(x["file"]) and "\n" not in x["error"]["message"]
    assert writer.get("/api/v1/documents").json()["total"] == before + 2


@pytest.mark.parametrize(
    "name, data, status, code",
    [
        ("big.txt", b"x" * (MAX_UPLOAD + 1), 413, "too_large"),
        ("scan.tiff", b"II*\x00" + b"\0" * 64, 415, "unsupported_type"),
        ("noext", b"text", 415, "unsupported_type"),
        ("empty.md", b"", 422, "unprocessable"),
        ("broken.docx", b"PK\x03\x04" + b"\0" * 50, 422, "unprocessable"),
    ],
)
def test_a_request_whose_files_all_fail_is_an_error(writer, name, data, status, code):
    before = writer.get("/api/v1/documents").json()["total"]
    message = error_of(_upload(writer, (name, data, "application/octet-stream")), status, code)
    assert name in message
    assert writer.get("/api/v1/documents").json()["total"] == before


def test_request_size_and_form_errors(writer):
    big = b"x" * (MAX_REQUEST + 1)
    assert "too large" in error_of(_upload(writer, ("a.txt", big, "text/plain")), 413, "too_large")
    assert "files" in error_of(writer.post("/api/v1/documents", data={"x": "1"}), 400, "bad_request")


# ----------------------------------------------------------------- extractions

def test_extractions_by_type_and_document_are_grounded(client):
    r = client.get("/api/v1/extractions", params={"type": "duty", "doc": "吉政发〔2021〕14号"}).json()
    assert r["total"] == 21 and len(r["records"]) == 21
    text = client.get("/api/v1/documents/1/text").text
    for rec in r["records"]:
        assert rec["type"] == "duty" and rec["doc_id"] == 1
        assert text[rec["span"][0] : rec["span"][1]] == rec["quote"]
        assert {"task", "lead", "support", "deadline"} <= set(rec)
    page = client.get("/api/v1/extractions", params={"type": "duty", "doc": "1", "limit": 5, "offset": 20}).json()
    assert page["total"] == 21 and [x["quote"] for x in page["records"]] == [r["records"][20]["quote"]]
    every = client.get("/api/v1/extractions", params={"limit": 1000}).json()
    assert {x["type"] for x in every["records"]} >= {"target", "duty", "benefit", "entity"}


def test_csv_and_xlsx_downloads_carry_citations(client):
    r = client.get("/extractions.csv", params={"type": "duty", "doc": "1"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="duty.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 21 and all("责任单位" in x["citation"] or "负责" in x["citation"] for x in rows)
    assert rows[0]["line_start"] == "77" and rows[0]["lead"] == '["省市场监管厅"]'

    r = client.get("/extractions.xlsx", params={"doc": "吉政发〔2021〕14号"})
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert {"duty", "benefit", "target"} <= set(wb.sheetnames)
    header = [c.value for c in wb["duty"][1]]
    assert "citation" in header and wb["duty"].max_row == 22  # header + 21 duties
    assert client.get("/extractions.csv", params={"type": "bogus"}).status_code == 400


# ------------------------------------------------------------------ search, ask

def test_search_finds_the_listing_reward_clause(client):
    r = client.get("/api/v1/search", params={"q": "上市奖励", "limit": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "上市奖励" and body["total"] >= len(body["hits"]) > 0
    hit = next(h for h in body["hits"] if h["doc_number"] == "吉政发〔2021〕16号")
    assert "1000万元" in hit["snippet"] and hit["line_start"] == 179
    for a, b in hit["highlights"]:
        assert hit["snippet"][a:b] in ("上市", "奖励")
    node = client.get(f"/api/v1/documents/{hit['doc_id']}/nodes/{hit['node']}").json()
    assert node["line_start"] == hit["line_start"]

    second = client.get("/api/v1/search", params={"q": "上市奖励", "limit": 2, "offset": 2}).json()
    assert [h["node"] for h in second["hits"]] == [h["node"] for h in body["hits"][2:4]]
    filtered = client.get("/api/v1/search", params={"q": "上市奖励", "year": "2021", "issuer": "吉林省人民政府"}).json()
    assert filtered["hits"] and all(h["doc_number"] for h in filtered["hits"])
    assert client.get("/api/v1/search", params={"q": "上市奖励", "doc": "不存在的文件"}).status_code == 404


def test_ask_answers_with_citations_or_says_not_found(client):
    r = client.get("/api/v1/ask", params={"q": "企业上市奖励多少"})
    assert r.status_code == 200
    ans = r.json()
    assert ans["found"] and "1000万元" in ans["answer"]
    cite = ans["citations"][0]
    node = client.get(f"/api/v1/documents/{cite['doc_id']}/nodes/{cite['node']}").json()
    assert cite["quote"] in node["text"]
    none = client.get("/api/v1/ask", params={"q": "火星移民补贴标准"}).json()
    assert none["found"] is False and none["citations"] == []


# ----------------------------------------------------------------------- pages

def test_pages_render_the_real_data(client):
    lib = client.get("/")
    assert lib.status_code == 200 and lib.text.count('href="/doc/') >= 16 and "导入文件" in lib.text
    assert client.get("/", params={"issuer": "吉林省人民政府"}).text.count('<td class="title">') == 2

    reader = client.get("/doc/2", params={"hl": "n12"})
    assert reader.status_code == 200
    assert 'id="node-n12" class="node k-item outline-node d1 hl"' in reader.text
    assert reader.text.count("<mark") > 20 and 'href="#node-n12"' in reader.text  # marks and outline
    assert 'id="line-179"' in reader.text and "s-repaired" in reader.text  # the original lines

    noted = client.get("/doc/吉政办发〔2021〕28号", params={"view": "original"}).text
    assert '<tr id="line-647" class="s-' in noted and "疑似缺文" in noted

    search = client.get("/search", params={"q": "上市奖励"})
    assert "<mark>上市</mark>" in search.text and "/doc/2?hl=n12#node-n12" in search.text
    assert "没有找到" in client.get("/search", params={"q": "火星移民"}).text
    ask = client.get("/ask", params={"q": "企业上市奖励多少"})
    assert 'class="cite" href="/doc/2?hl=n12#node-n12"' in ask.text
    ext = client.get("/extractions", params={"type": "duty", "doc": "1"})
    assert ext.text.count('<td class="cite">') == 21 and "/extractions.csv?type=duty&amp;doc=1" in ext.text


def test_page_errors_are_chinese_html(client):
    r = client.get("/doc/99999")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html") and "没有找到" in r.text
    r = client.get("/extractions", params={"type": "nonsense"})
    assert r.status_code == 400 and "请求有误" in r.text
    assert client.get("/no/such/page").status_code == 404


def test_upload_through_the_page_form(writer):
    r = writer.post("/upload", files=[("files", ("页面上传.txt", POLICY.replace("海东", "海北").encode(), "text/plain"))])
    assert r.status_code == 200 and "已导入" in r.text and "海北市人民政府" in r.text
    r = writer.post("/upload", files=[("files", ("bad.exe", b"MZ\0\0", "application/octet-stream"))])
    assert r.status_code == 415 and "失败" in r.text and "bad.exe" in r.text


def test_the_document_view_reads_one_document_and_nodes_come_in_pages(writer):
    """Security finding 13: the document view no longer loads every summary of the library or the
    document's text map; nodes are paged."""
    docs = writer.get("/api/v1/documents").json()["documents"]
    doc = next(d for d in docs if d.get("doc_number") == "吉政发〔2021〕14号")["id"]
    detail = writer.get(f"/api/v1/documents/{doc}").json()
    assert detail["id"] == doc and detail["doc_number"] == "吉政发〔2021〕14号" and "elements" in detail
    every = writer.get(f"/api/v1/documents/{doc}/nodes").json()
    page = writer.get(f"/api/v1/documents/{doc}/nodes", params={"offset": 3, "limit": 5}).json()
    assert [n["id"] for n in page] == [n["id"] for n in every[3:8]]
    assert writer.get(f"/api/v1/documents/{doc}/nodes", params={"limit": 0}).status_code == 400
