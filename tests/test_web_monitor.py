"""监测评估 web pages and API (TestClient over a seeded copy of the corpus): login, setup, CSRF,
unit-scoped writes via form and API (refusals in the audit log), review, import, reports, expiry."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from web_fixtures import copy_db, corpus_db_template  # noqa: F401 (a fixture)
from zhengce import monitor as m
from zhengce.store import Store
from zhengce.web import create_app

PW = "correct horse 1"
OWN = "省级“专精特新”中小企业"  # 吉林省工业和信息化厅 is responsible


@pytest.fixture(scope="module")
def seeded(corpus_db_template, tmp_path_factory):  # noqa: F811
    db = copy_db(corpus_db_template, tmp_path_factory.mktemp("webmon") / "seeded.db")
    with Store(db) as store:
        admin = m.add_user(store, "admin", PW, role="admin")
        m.add_user(store, "gxt", PW, role="department", units=["省工信厅"], by=admin)
        m.add_user(store, "guest", PW, role="viewer", by=admin)
        m.seed(store, admin)
    return db


@pytest.fixture
def db(seeded, tmp_path):
    return copy_db(seeded, tmp_path / "t.db")


@pytest.fixture
def client(db):
    return TestClient(create_app(db))


def ids(db):
    """(own, other): an indicator gxt reports, and one it may not (another unit's)."""
    with Store(db) as store:
        gxt = m.get_user(store, "gxt")
        inds = m.list_indicators(store)
        own = next(i for i in inds if i.name == OWN)
        other = next(i for i in inds if i.units and not m.can(gxt, "report", i))
        return own.id, other.id


def form_token(client, path: str = "/login") -> str:
    """The login/setup form's own token (double-submit: its cookie is set by the same GET)."""
    return re.search(r'name="form_token" value="([^"]+)"', client.get(path).text).group(1)


def login(client, name) -> str:
    """Log in through the form; returns the session's CSRF token (from a page's hidden field)."""
    r = client.post("/login", data={"username": name, "password": PW, "next": "/monitor", "form_token": form_token(client)},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/monitor"
    page = client.get("/monitor/account").text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def actual_values(db, ind_id):
    with Store(db) as store:
        return [(a.year, a.value) for a in m.actuals(store, ind_id)]


def refused(db, user, action="report"):
    with Store(db) as store:
        return m.audit_log(store, user=user, outcome="refused", action=action)


# ------------------------------------------------------------------ login, logout, setup, expiry

def test_pages_need_a_login_and_the_cookie_is_httponly_lax(client, db):
    r = client.get("/monitor?unit=x", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fmonitor%3Funit%3Dx"
    bad = client.post("/login", data={"username": "gxt", "password": "wrong password", "form_token": form_token(client)},
                      follow_redirects=False)
    assert bad.status_code == 401 and "用户名或密码错误" in bad.text
    assert refused(db, "gxt", "login")
    r = client.post("/login", data={"username": "gxt", "password": PW, "next": "//evil.example", "form_token": form_token(client)},
                    follow_redirects=False)
    assert r.headers["location"] == "/monitor"  # never an open redirect
    cookie = r.headers["set-cookie"]
    assert "zhengce_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    page = client.get("/monitor")
    assert page.status_code == 200 and "责任矩阵" in page.text and "监测评估" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/logout", data={}, follow_redirects=False).status_code == 403  # no CSRF token: refused
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/monitor", follow_redirects=False).status_code == 303


def test_setup_creates_the_first_admin_only_while_no_user_exists(tmp_path):
    c = TestClient(create_app(tmp_path / "empty.db"))
    assert c.get("/login", follow_redirects=False).headers["location"] == "/setup"
    assert "创建首个管理员" in c.get("/setup").text
    token = form_token(c, "/setup")
    r = c.post("/setup", data={"username": "root", "password": "short", "password2": "short"})
    assert r.status_code == 403  # without the form's token: refused before anything is created
    r = c.post("/setup", data={"username": "root", "password": "short", "password2": "short", "form_token": token})
    assert r.status_code == 400 and "密码至少 12 个字符" in r.text
    r = c.post("/setup", data={"username": "root", "password": PW, "password2": PW, "form_token": token}, follow_redirects=False)
    assert r.status_code == 303 and "zhengce_session=" in r.headers["set-cookie"]
    assert c.get("/monitor/users").status_code == 200  # logged in as that admin
    c2 = TestClient(create_app(tmp_path / "empty.db"))
    assert c2.get("/setup").status_code == 403
    r = c2.post("/setup", data={"username": "evil", "password": PW, "password2": PW, "form_token": token}, follow_redirects=False)
    assert r.status_code == 403
    with Store(tmp_path / "empty.db") as store:
        assert [u.username for u in m.list_users(store)] == ["root"]


def test_an_expired_session_is_sent_to_the_login_page(client, db):
    with Store(db) as store:
        s = m.create_session(store, m.get_user(store, "gxt"), now=datetime.now(timezone.utc) - timedelta(hours=9))
    client.cookies.set("zhengce_session", s.token)
    r = client.get("/monitor/indicators", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert client.get("/api/v1/monitor/indicators").json()["error"]["code"] == "unauthorized"


# ------------------------------------------------------------------ reporting and access control (UI)

def test_a_form_post_without_the_csrf_token_is_refused_and_writes_nothing(client, db):
    own, _ = ids(db)
    login(client, "gxt")
    r = client.post(f"/monitor/indicators/{own}/report", data={"year": "2022", "value": "500"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post(f"/monitor/indicators/{own}/report", data={"year": "2022", "value": "500", "csrf_token": "x" * 43})
    assert r.status_code == 403
    assert actual_values(db, own) == []


def test_department_reports_its_own_indicator_and_is_refused_another_units(client, db):
    own, other = ids(db)
    csrf = login(client, "gxt")
    page = client.get(f"/monitor/indicators/{own}").text
    assert 'id="chart-data"' in page and "/static/vendor/echarts/echarts.min.js" in page
    assert "填报实际值" in page and 'href="/doc/' in page  # report form, cited clause linked into the reader
    r = client.post(f"/monitor/indicators/{own}/report", follow_redirects=False,
                    data={"csrf_token": csrf, "year": "2022", "value": "520", "note": "统计快报",
                          "attachment": "快报.pdf", "version_2022": "0"})
    assert r.status_code == 303
    assert actual_values(db, own) == [(2022, 520.0)]
    shown = client.get(r.headers["location"]).text
    assert "已保存 2022 年实际值" in shown and "统计快报" in shown and "gxt" in shown
    # a stale form (it showed version 0 of 2022): the conflict is shown plainly, nothing written
    r = client.post(f"/monitor/indicators/{own}/report",
                    data={"csrf_token": csrf, "year": "2022", "value": "530", "version_2022": "0"})
    assert r.status_code == 409 and "填报冲突：指标 " in r.text and "（当前第 1 版，表单为第 0 版）：请刷新后再填报" in r.text
    assert actual_values(db, own) == [(2022, 520.0)]
    # another unit's indicator: read-only page, and a forged POST is refused and logged
    assert "填报实际值" not in client.get(f"/monitor/indicators/{other}").text
    r = client.post(f"/monitor/indicators/{other}/report", data={"csrf_token": csrf, "year": "2022", "value": "1"})
    assert r.status_code == 403 and re.search(
        r"无权填报：指标 \d+“.+?”的责任单位是 [^，<]+，你属于 吉林省工业和信息化厅（已记入审计日志）", r.text)
    assert actual_values(db, other) == []
    assert any(e.item_id == str(other) for e in refused(db, "gxt"))


def test_viewer_cannot_write(client, db):
    own, _ = ids(db)
    csrf = login(client, "guest")
    assert "只读账号" in client.get(f"/monitor/indicators/{own}").text
    r = client.post(f"/monitor/indicators/{own}/report", data={"csrf_token": csrf, "year": "2022", "value": "1"})
    assert r.status_code == 403
    assert client.get("/monitor/audit").status_code == 403 and client.get("/monitor/users").status_code == 403
    assert actual_values(db, own) == [] and refused(db, "guest")


def test_admin_reviews_confirm_edit_reject_with_versions(client, db):
    own, other = ids(db)
    csrf = login(client, "admin")
    with Store(db) as store:
        v = m.get_indicator(store, own).version
    r = client.post(f"/monitor/indicators/{own}/review", follow_redirects=False,
                    data={"csrf_token": csrf, "action": "confirm", "expected_version": str(v)})
    assert r.status_code == 303
    r = client.post(f"/monitor/indicators/{own}/review",
                    data={"csrf_token": csrf, "action": "edit", "target_value": "1200", "expected_version": str(v)})
    assert r.status_code == 409 and "冲突" in r.text  # the form showed the version before the confirm
    r = client.post(f"/monitor/indicators/{own}/review", follow_redirects=False,
                    data={"csrf_token": csrf, "action": "edit", "target_value": "1200", "expected_version": str(v + 1)})
    assert r.status_code == 303
    r = client.post(f"/monitor/indicators/{other}/review", follow_redirects=False,
                    data={"csrf_token": csrf, "action": "reject", "note": "误识别"})
    assert r.status_code == 303
    with Store(db) as store:
        i = m.get_indicator(store, own)
        assert (i.review, i.target["value"]) == ("edited", 1200)
        assert m.get_indicator(store, other).review == "rejected"
        assert [h.action for h in m.history(store, "indicator", own)][-2:] == ["confirm", "edit"]
    audit = client.get("/monitor/audit?action=edit").text
    assert "admin" in audit and f"指标 {own}" in audit


def test_task_progress_is_reported_on_the_task_page(client, db):
    csrf = login(client, "gxt")
    with Store(db) as store:
        gxt = m.get_user(store, "gxt")
        mine = next(t for t in m.list_tasks(store) if m.can(gxt, "report", t))
        theirs = next(t for t in m.list_tasks(store) if t.units and not m.can(gxt, "report", t))
    r = client.post(f"/monitor/tasks/{mine.id}/report", follow_redirects=False,
                    data={"csrf_token": csrf, "status": "推进中", "progress": "已认定第一批", "expected_version": "0"})
    assert r.status_code == 303
    assert "已认定第一批" in client.get(f"/monitor/tasks/{mine.id}").text
    r = client.post(f"/monitor/tasks/{theirs.id}/report", data={"csrf_token": csrf, "status": "已完成"})
    assert r.status_code == 403
    assert "逾期" in client.get("/monitor/tasks?overdue=1&as_of=2022-01-01").text


# ------------------------------------------------------------------ import

def test_a_malformed_sheet_shows_row_errors_and_imports_nothing(client, db):
    own, other = ids(db)
    csrf = login(client, "gxt")
    template = client.get("/monitor/template.csv")
    assert template.status_code == 200 and template.text.lstrip("\ufeff").startswith("指标编号")
    buf = BytesIO()
    rows = [["指标编号", "年度", "实际值", "说明"], [own, 2022, "520", "ok"], [own, 2023, "abc", ""],
            [other, 2022, "5", ""], [99999, 2022, "1", ""]]
    text = "\n".join(",".join(map(str, r)) for r in rows)
    buf.write(text.encode("utf-8"))
    r = client.post("/monitor/import", data={"csrf_token": csrf},
                    files={"file": ("actuals.csv", buf.getvalue(), "text/csv")})
    assert r.status_code == 422 and "未导入任何数据" in r.text
    assert "<td>“abc”不是数字</td>" in r.text and 'class="records row-errors"' in r.text
    assert f"<td>没有指标 99999</td>" in r.text and "的责任单位是" in r.text
    assert len(re.findall(r"<tr><td class=\"num\">(\d+)</td>", r.text)) >= 3  # rows 3, 4, 5
    assert actual_values(db, own) == []
    assert any(e.action in ("report", "import_actuals") for e in refused(db, "gxt", None))
    good = "指标编号,年度,实际值\n%d,2022,520\n" % own
    r = client.post("/monitor/import", data={"csrf_token": csrf}, files={"file": ("ok.csv", good.encode(), "text/csv")})
    assert r.status_code == 200 and "新写入 1 个版本" in r.text
    assert actual_values(db, own) == [(2022, 520.0)]


# ------------------------------------------------------------------ API

def test_api_bearer_token_unit_scope_and_csrf_for_cookie_callers(client, db):
    own, other = ids(db)
    assert client.get("/api/v1/monitor/indicators").status_code == 401
    with Store(db) as store:
        token = m.create_api_token(store, m.get_user(store, "gxt"), "test").token
        admin_token = m.create_api_token(store, m.get_user(store, "admin"), "test").token
    h = {"Authorization": f"Bearer {token}"}
    r = client.post(f"/api/v1/monitor/indicators/{own}/actuals", headers=h,
                    json={"year": 2022, "value": 520, "expected_version": 0})
    assert r.status_code == 201 and r.json()["version"] == 1
    r = client.post(f"/api/v1/monitor/indicators/{own}/actuals", headers=h, json={"year": 2022, "value": 9, "expected_version": 0})
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    r = client.post(f"/api/v1/monitor/indicators/{other}/actuals", headers=h, json={"year": 2022, "value": 1})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert any(e.item_id == str(other) for e in refused(db, "gxt"))
    listing = client.get("/api/v1/monitor/indicators", headers=h).json()
    mine = next(x for x in listing if x["id"] == own)
    assert {"id", "name", "unit", "scope", "baseline", "target", "actuals", "status", "units", "sources"} <= set(mine)
    assert mine["actuals"][0]["value"] == 520 and mine["sources"][0]["line_start"]
    detail = client.get(f"/api/v1/monitor/indicators/{own}", headers=h).json()
    assert detail["can_report"] and detail["reports"][0]["reported_by"] == "gxt"
    assert client.get("/api/v1/monitor/indicators/999999", headers=h).json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/monitor/audit", headers=h).status_code == 403
    audit = client.get("/api/v1/monitor/audit?outcome=refused", headers={"Authorization": f"Bearer {admin_token}"}).json()
    assert any(e["username"] == "gxt" and e["item_id"] == str(other) for e in audit)
    tasks = client.get("/api/v1/monitor/tasks?overdue=true&as_of=2022-01-01", headers=h).json()
    assert tasks and all(t["overdue"] for t in tasks)
    bad = "指标编号,年度,实际值\n%d,2023,abc\n" % own
    r = client.post("/api/v1/monitor/import", headers=h, files={"file": ("x.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422 and r.json()["error"]["rows"][0]["row"] == 2
    # a browser session: the cookie alone is not enough for a POST
    csrf = login(client, "gxt")
    r = client.post(f"/api/v1/monitor/indicators/{own}/actuals", json={"year": 2023, "value": 640})
    assert r.status_code == 403 and "CSRF" in r.json()["error"]["message"]
    r = client.post(f"/api/v1/monitor/indicators/{own}/actuals", json={"year": 2023, "value": 640},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201


# ------------------------------------------------------------------ dashboard and reports

def test_dashboard_counts_matrix_and_filters(client, db):
    own, _ = ids(db)
    login(client, "admin")
    page = client.get("/monitor?as_of=2022-01-01").text
    for label in m.LABELS.values():
        assert label in page
    assert "逾期任务" in page and "has-overdue" in page and "吉林省工业和信息化厅" in page
    unit = client.get("/monitor", params={"unit": "吉林省工业和信息化厅"}).text
    assert f'href="/monitor/indicators/{own}"' in unit


def test_evaluation_report_html_and_xlsx_cite_every_figure(client, db):
    own, _ = ids(db)
    csrf = login(client, "gxt")
    client.post(f"/monitor/indicators/{own}/report", data={"csrf_token": csrf, "year": "2023", "value": "640"})
    html = client.get("/monitor/report?kind=mid").text
    assert "中期评估报告" in html and "640" in html and "report-charts" in html
    assert re.search(r"第\d+行", html) and "吉林省人民政府关于进一步支持民营经济" in html
    assert "总结评估报告" in client.get("/monitor/report?kind=final").text
    r = client.get("/monitor/report.xlsx?kind=mid")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(r.content))
    assert wb.sheetnames == ["摘要", "指标", "实际值", "任务", "一致性问题"]
    head = [c.value for c in wb["实际值"][1]]
    row = next(r for r in wb["实际值"].iter_rows(min_row=2, values_only=True) if r[0] == own)
    assert row[3] == 640 and re.search(r"第\d+行", row[head.index("指标出处")])
    assert all(r[-1] for r in wb["指标"].iter_rows(min_row=2, values_only=True) if r[-1] is not None)


def _pdf_text(data: bytes) -> tuple[int, str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf), "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def test_evaluation_report_as_pdf_with_text_citations_and_drawn_charts(client, db, monkeypatch):
    own, _ = ids(db)
    csrf = login(client, "gxt")
    client.post(f"/monitor/indicators/{own}/report", data={"csrf_token": csrf, "year": "2023", "value": "640"})
    assert 'href="/monitor/report.pdf?kind=mid"' in client.get("/monitor/report?kind=mid").text
    r = client.get("/monitor/report.pdf?kind=mid")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    pages, text = _pdf_text(r.content)
    text = re.sub(r"\s+", "", text)
    assert pages >= 1
    from zhengce.web import monitor_views as mv
    from zhengce.web.report_pdf import standalone_html

    with Store(db) as store:
        html = standalone_html(mv.report_data(store, "mid"))
    assert "<script src" not in html and "<link" not in html and "echarts" in html  # nothing fetched
    assert "中期评估报告" in text and OWN in text and "640" in text  # the heading and the cited figure
    assert re.search(r"第\d+行", text) and "吉林省人民政府关于进一步支持民营经济" in text
    # the charts were drawn by the inlined ECharts: their titles and legends exist only as chart text
    assert "指标状态分布" in text and "规划路径" in text and "实际值" in text
    # logged out: no report; no converter: 501 with a Chinese message, nothing else breaks
    monkeypatch.setenv("ZHENGCE_CHROMIUM", "/nonexistent/chromium")
    r = client.get("/monitor/report.pdf?kind=final")
    assert r.status_code == 501 and "Chromium" in r.text and "未找到" in r.text
    anon = TestClient(client.app)
    assert anon.get("/monitor/report.pdf", follow_redirects=False).status_code == 303


# ------------------------------------------------------------------ attachments

def test_attachments_upload_download_scope_size_and_type(client, db):
    own, other = ids(db)
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
    csrf = login(client, "gxt")
    page = client.get(f"/monitor/indicators/{own}").text
    assert 'enctype="multipart/form-data"' in page and 'type="file" name="files"' in page
    r = client.post(f"/monitor/indicators/{own}/report", follow_redirects=False,
                    data={"csrf_token": csrf, "year": "2022", "value": "520", "version_2022": "0"},
                    files=[("files", ("统计快报.pdf", pdf, "application/pdf"))])
    assert r.status_code == 303
    shown = client.get(f"/monitor/indicators/{own}").text
    att_id = int(re.search(r'href="/monitor/attachments/(\d+)">统计快报.pdf</a>', shown).group(1))
    got = client.get(f"/monitor/attachments/{att_id}")
    assert got.status_code == 200 and got.content == pdf and got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;") and "nosniff" in got.headers["x-content-type-options"]
    # oversize and wrong type: refused with a clear message, nothing stored
    big = b"%PDF-" + b"0" * (20 * 1024 * 1024)
    r = client.post(f"/monitor/indicators/{own}/report", data={"csrf_token": csrf, "year": "2023", "value": "640"},
                    files=[("files", ("big.pdf", big, "application/pdf"))])
    assert r.status_code == 413 and "附件过大" in r.text and "20 MB" in r.text
    r = client.post(f"/monitor/indicators/{own}/report", data={"csrf_token": csrf, "year": "2023", "value": "640"},
                    files=[("files", ("tool.exe", b"MZ\x90\x00", "application/octet-stream"))])
    assert r.status_code == 415 and "不支持的附件类型" in r.text and "pdf" in r.text
    assert actual_values(db, own) == [(2022, 520.0)]
    # another unit's indicator: 403 and in the audit log (form and API)
    r = client.post(f"/monitor/indicators/{other}/report", data={"csrf_token": csrf, "year": "2022", "value": "1"},
                    files=[("files", ("x.pdf", pdf, "application/pdf"))])
    assert r.status_code == 403
    with Store(db) as store:
        token = m.create_api_token(store, m.get_user(store, "gxt"), "t").token
        guest_token = m.create_api_token(store, m.get_user(store, "guest"), "t").token
    h = {"Authorization": f"Bearer {token}"}
    r = client.post(f"/api/v1/monitor/indicators/{other}/attachments", headers=h, data={"year": "2022"},
                    files=[("files", ("x.pdf", pdf, "application/pdf"))])
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert sum(e.item_id == str(other) for e in refused(db, "gxt")) >= 2
    # the API: attach to the reported value, 415 / 413 codes, download with a token
    xlsx = client.get("/monitor/template.xlsx").content
    r = client.post(f"/api/v1/monitor/indicators/{own}/attachments", headers=h, data={"year": "2022"},
                    files=[("files", ("明细.xlsx", xlsx, "application/octet-stream"))])
    assert r.status_code == 201 and r.json()[0]["version"] == 1 and r.json()[0]["size"] == len(xlsx)
    r2 = client.post(f"/api/v1/monitor/indicators/{own}/attachments", headers=h, data={"year": "2022"},
                     files=[("files", ("a.txt", b"\x00\x01binary", "text/plain"))])
    assert r2.status_code == 415 and r2.json()["error"]["code"] == "unsupported_type"
    detail = client.get(f"/api/v1/monitor/indicators/{own}", headers=h).json()
    assert [f["filename"] for f in detail["attachments"]] == ["统计快报.pdf", "明细.xlsx"]
    # a viewer may download; nobody logged out may
    got = client.get(f"/api/v1/monitor/attachments/{r.json()[0]['id']}", headers={"Authorization": f"Bearer {guest_token}"})
    assert got.status_code == 200 and got.content == xlsx
    anon = TestClient(client.app)
    assert anon.get(f"/monitor/attachments/{att_id}", follow_redirects=False).status_code == 303
    assert anon.get(f"/api/v1/monitor/attachments/{att_id}").status_code == 401
    # a task report with a file
    with Store(db) as store:
        gxt = m.get_user(store, "gxt")
        mine = next(t for t in m.list_tasks(store) if m.can(gxt, "report", t))
    r = client.post(f"/monitor/tasks/{mine.id}/report", follow_redirects=False,
                    data={"csrf_token": csrf, "status": "推进中", "expected_version": "0"},
                    files=[("files", ("进展.txt", "已完成招标".encode(), "text/plain"))])
    assert r.status_code == 303
    t_page = client.get(f"/monitor/tasks/{mine.id}").text
    t_id = re.search(r'href="/monitor/attachments/(\d+)">进展.txt</a>', t_page).group(1)
    assert client.get(f"/monitor/attachments/{t_id}").content == "已完成招标".encode()


def test_first_setup_builds_the_registers_and_admins_refresh_them_from_the_page(corpus_db_template, tmp_path):
    db = copy_db(corpus_db_template, tmp_path / "fresh.db")
    c = TestClient(create_app(db))
    r = c.post("/setup", data={"username": "root", "password": PW, "password2": PW, "form_token": form_token(c, "/setup")})
    assert r.status_code == 200 and "已从入库文件生成登记册" in r.text
    with Store(db) as store:
        n = len(m.list_indicators(store))
        root = m.get_user(store, "root")
        m.add_user(store, "gxt", PW, role="department", units=["省工信厅"], by=root)
    assert n > 100
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/monitor").text).group(1)
    assert "从入库文件更新登记册" in c.get("/monitor").text
    r = c.post("/monitor/seed", data={"csrf_token": token})
    assert r.status_code == 200 and f"指标新增 0、更新 0" in r.text  # nothing new since setup
    assert c.post("/monitor/seed", data={}).status_code == 403  # no CSRF token: refused
    dept = TestClient(create_app(db))
    dept_token = login(dept, "gxt")
    assert "从入库文件更新登记册" not in dept.get("/monitor").text
    assert dept.post("/monitor/seed", data={"csrf_token": dept_token}).status_code == 403
    assert refused(db, "gxt", action="seed")


def test_the_login_form_refuses_a_post_without_its_own_token(client, db):
    """Login CSRF: another site can make a browser post the form, but not read the token it must echo."""
    r = client.post("/login", data={"username": "gxt", "password": PW}, follow_redirects=False)
    assert r.status_code == 403 and "zhengce_session" not in r.headers.get("set-cookie", "")
    token = form_token(client)
    other = TestClient(create_app(db))  # a browser that never loaded the form: no cookie to match
    assert other.post("/login", data={"username": "gxt", "password": PW, "form_token": token},
                      follow_redirects=False).status_code == 403
    cookie = client.get("/login").headers["set-cookie"]
    assert "zhengce_form=" in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
