"""Attacks kept as tests (docs/SECURITY.md): stored script injection through the audit log,
JSON data blocks that text could close, and the security headers on every route."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from web_fixtures import copy_db, corpus_db_template  # noqa: F401 (a fixture)
from zhengce import monitor as m
from zhengce.present import json_for_html
from zhengce.store import Store
from zhengce.web import create_app

PW = "correct horse 1"
# No "/" in it: it travels as one path segment of a protected route.
PAYLOAD = '<img src=x onerror="window.__xss=1"><svg onload="window.__xss=2">'

TEMPLATES = Path(__file__).parents[1] / "src" / "zhengce" / "web" / "templates"


@pytest.fixture(scope="module")
def accounts_db(corpus_db_template, tmp_path_factory):  # noqa: F811
    db = copy_db(corpus_db_template, tmp_path_factory.mktemp("security") / "z.db")
    with Store(db) as store:
        m.add_user(store, "admin", PW, role="admin")
    return db


def _login(client: TestClient) -> None:
    token = re.search(r'name="form_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"username": "admin", "password": PW, "next": "/monitor", "form_token": token},
                    follow_redirects=False)
    assert r.status_code == 303


def test_a_script_in_a_refused_request_is_shown_as_text_in_the_audit_log(accounts_db, tmp_path):
    """Finding 1 (critical): the logged path of an anonymous request was spliced into the page as JSON."""
    db = copy_db(accounts_db, tmp_path / "t.db")
    client = TestClient(create_app(db))
    r = TestClient(create_app(db)).delete("/api/v1/documents/" + quote(PAYLOAD, safe=""))
    assert r.status_code == 401
    _login(client)
    page = client.get("/monitor/audit").text
    assert "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;img src=x onerror=" in page  # the attempt is still there to read, as text
    assert "路径：/api/v1/documents/" in page and "原因：" in page


@given(st.recursive(st.text() | st.integers() | st.none(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)))
def test_json_for_html_is_inert_and_reads_back(value):
    out = json_for_html(value)
    assert not set(out) & set("<>&'\u2028\u2029")
    assert json.loads(out) == value


def test_templates_have_no_inline_handlers_or_unnonced_inline_code():
    """The CSP forbids inline handlers and scripts: a template that used one would silently stop working."""
    for path in TEMPLATES.glob("*.html"):
        if path.name == "report_standalone.html":  # a file printed offline, never served (no CSP applies)
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\son[a-z]+\s*=", text), f"{path.name}: inline event handler"
        assert not re.search(r"\sstyle\s*=", text), f"{path.name}: inline style attribute"
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
            assert "src=" in tag or "application/json" in tag or "nonce=" in tag, f"{path.name}: {tag}"


def _routes(routes):
    for route in routes:
        inner = getattr(route, "original_router", None)  # an included router (FastAPI ≥ 0.130)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def _paths(app) -> list[str]:
    """Every GET route of the app with its path parameters filled in (a wrong id still gets a response)."""
    return sorted({re.sub(r"\{[^}]+\}", "1", r.path) for r in _routes(app.routes)
                   if "GET" in (getattr(r, "methods", None) or ())})


def _assert_headers(r, path):
    csp = r.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, path
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
    assert r.headers.get("x-content-type-options") == "nosniff", path
    assert r.headers.get("referrer-policy") == "same-origin", path
    assert r.headers.get("x-frame-options") == "DENY", path


def test_every_route_sends_the_security_headers_and_a_fresh_nonce(accounts_db, tmp_path):
    db = copy_db(accounts_db, tmp_path / "t.db")
    app = create_app(db)
    client = TestClient(app, raise_server_exceptions=False)
    _login(client)
    paths = _paths(app)
    assert len(paths) > 40
    for path in paths + ["/static/style.css", "/no/such/page", "/api/v1/no-such"]:
        r = client.get(path)
        _assert_headers(r, path)
    first, second = client.get("/"), client.get("/")
    nonces = [re.search(r"'nonce-([^']+)'", r.headers["content-security-policy"]).group(1) for r in (first, second)]
    assert nonces[0] != nonces[1]
    assert f'<style nonce="{nonces[0]}">' in first.text
    _assert_headers(client.post("/api/v1/documents", content=b"x" * 10), "POST /api/v1/documents")


def test_an_unhandled_error_still_carries_the_headers(accounts_db, tmp_path):
    app = create_app(copy_db(accounts_db, tmp_path / "t.db"))

    def boom():
        raise RuntimeError("boom")

    app.add_api_route("/boom", boom)
    r = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert r.status_code == 500
    _assert_headers(r, "/boom")


# ------------------------------------------------------------------ finding 3: formula injection, open batch matching

EVIL = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@given(st.lists(st.text(max_size=12) | st.sampled_from(EVIL) | st.integers() | st.none(), max_size=8))
def test_every_exported_cell_is_inert(row):
    from zhengce.present import inert_row

    for v in inert_row(row):
        assert not (isinstance(v, str) and v[:1] and v[:1] in "=+-@\t\r")


def test_exports_write_formula_like_text_as_text(tmp_path):
    """A document titled =HYPERLINK(…) and a firm named +cmd stay text in XLSX and CSV exports."""
    import csv

    from openpyxl import load_workbook

    from zhengce.export import export_csv, export_xlsx
    from zhengce.match.batch import write_rows
    from zhengce.model import Extraction

    rec = Extraction(type="reference", doc=EVIL[0], doc_key="x#1", node="n1", quote="-《办法》", start=0, end=5,
                     line_start=1, line_end=1, fields={"title": "@办法", "doc_number": None, "resolved": None})
    (xlsx,) = export_xlsx([rec], tmp_path / "e.xlsx")
    cells = [c.value for ws in load_workbook(xlsx).worksheets for row in ws.iter_rows() for c in row]
    assert EVIL[0] not in cells and "'" + EVIL[0] in cells
    assert all(not (isinstance(v, str) and v[:1] in "=+-@") for v in cells)
    (path,) = export_csv([rec], tmp_path / "csv")
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert all(not v[:1] in ("=", "+", "-", "@") for row in rows for v in row if v)
    write_rows([{"enterprise": "+cmd|' /C calc'!A0", "rule": "r", "title": "=1+1"}], tmp_path / "push.xlsx")
    cells = [c.value for row in load_workbook(tmp_path / "push.xlsx").active.iter_rows() for c in row]
    assert "'+cmd|' /C calc'!A0" in cells and "'=1+1" in cells


def test_batch_matching_needs_a_writer_once_accounts_exist(accounts_db, tmp_path):
    db = copy_db(accounts_db, tmp_path / "t.db")
    register = "name,kind,province\n长春某企业,enterprise,吉林省\n".encode()
    anon = TestClient(create_app(db))
    assert anon.post("/api/v1/match/batch", files={"file": ("firms.csv", register, "text/csv")}).status_code == 401
    with Store(db) as store:
        assert m.audit_log(store, action="match_batch", outcome="refused")
    token = None
    with Store(db) as store:
        token = m.create_api_token(store, m.get_user(store, "admin"), "t").token
    ok = anon.post("/api/v1/match/batch", files={"file": ("firms.csv", register, "text/csv")},
                   headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json()["enterprises"] == 1


# ------------------------------------------------------------------ finding 7: /setup raced by parallel requests

def test_parallel_first_runs_create_one_admin(tmp_path):
    """Eight first-run requests at once (threads, each its own connection): exactly one admin."""
    import threading

    db = tmp_path / "race.db"
    Store(db).close()
    results: list[str] = []
    barrier = threading.Barrier(8)

    def first_run(i: int) -> None:
        with Store(db) as store:
            barrier.wait()
            try:
                m.add_user(store, f"admin{i}", PW, role="admin")
                results.append("ok")
            except m.MonitorError:
                results.append("refused")

    threads = [threading.Thread(target=first_run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["ok"] + ["refused"] * 7
    with Store(db) as store:
        assert [u.role for u in m.list_users(store)] == ["admin"]


# ------------------------------------------------------------------ finding 2: password hashing bounded

def test_password_hashing_runs_one_at_a_time_however_many_logins_arrive(monkeypatch):
    """32 wrong logins at once: the scrypt calls (128 MiB each at full cost) never overlap beyond the cap."""
    import hashlib
    import threading

    from zhengce.monitor import users

    encoded = users.hash_password("correct horse 1")
    active, peak, lock = [0], [0], threading.Lock()
    real = hashlib.scrypt

    def counting(*a, **k):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            return real(*a, **k)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(users.hashlib, "scrypt", counting)
    threads = [threading.Thread(target=users.verify_password, args=(f"wrong {i}", encoded)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert peak[0] == 1  # ZHENGCE_HASH_WORKERS, default 1


def test_a_stored_hash_asking_for_too_much_memory_is_refused_not_run():
    from zhengce.monitor import users

    greedy = "scrypt$1048576$8$1$" + "AAAA" * 4 + "$" + "AAAA" * 8
    assert users.verify_password("x", greedy) is False


# ------------------------------------------------------------------ findings 6 and 9: zip containers and paths

def test_a_docx_of_many_small_compressible_parts_is_refused_before_parsing(tmp_path):
    """Each part passes the per-member ratio (under 1 MiB), together they unpack like a bomb."""
    import zipfile

    from zhengce.read import InputError, read_file

    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
        for i in range(100):  # 90 MB in all: under the size caps, so the overall ratio is what refuses it
            zf.writestr(f"word/media/p{i}.xml", b"<a>" + b" " * 900_000 + b"</a>")
    with pytest.raises(InputError) as e:
        read_file(path)
    assert "overall" in str(e.value) and "zip bomb" in str(e.value) and "\n" not in str(e.value)


def test_a_zip_member_climbing_out_is_reported_not_skipped(tmp_path):
    import zipfile

    from zhengce.read import InputError, iter_sources

    path = tmp_path / "paths.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../etc/evil.txt", "关于某事项的通知\n\n一、内容。")
        zf.writestr("/abs.txt", "关于某事项的通知\n\n一、内容。")
        zf.writestr("ok.txt", "关于某事项的通知\n\n一、内容。")
    items = list(iter_sources([path]))
    errors = [i for i in items if isinstance(i, InputError)]
    assert sorted(e.path.split("!")[1] for e in errors) == ["../../etc/evil.txt", "/abs.txt"]
    assert all("路径不安全" in e.reason for e in errors)
    assert [i.path for i in items if not isinstance(i, InputError)] == [f"{path}!ok.txt"]


# ------------------------------------------------------------------ finding 8 (part): password policy and changes

@pytest.mark.parametrize("weak, why", [("12345678", "至少 12 个字符"), ("123456789012", "太常见"), ("aaaaaaaaaaaa", "太常见"),
                                       ("Password1234", "太常见"), ("xiaoming2024!", "用户名")])
def test_weak_passwords_are_refused(tmp_path, weak, why):
    with Store(tmp_path / "p.db") as store:
        with pytest.raises(m.MonitorError, match=why):
            m.add_user(store, "xiaoming", weak, role="admin")


def test_changing_ones_own_password_needs_the_current_one(accounts_db, tmp_path):
    db = copy_db(accounts_db, tmp_path / "t.db")
    client = TestClient(create_app(db))
    _login(client)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/monitor/account").text).group(1)
    r = client.post("/monitor/account", data={"csrf_token": csrf, "action": "password", "password": "another horse 22",
                                              "current": "wrong horse 1"})
    assert r.status_code == 400 and "当前密码不对" in r.text
    with Store(db) as store:
        assert m.audit_log(store, action="password_change", outcome="refused")
        assert m.authenticate(store, "admin", PW)  # unchanged
    r = client.post("/monitor/account", data={"csrf_token": csrf, "action": "password", "password": "another horse 22",
                                              "current": PW})
    assert r.status_code == 200


# ------------------------------------------------------------------ finding 8 (part): login throttling

def test_wrong_logins_lock_the_account_for_a_while(accounts_db, tmp_path):
    from datetime import datetime, timedelta, timezone

    db = copy_db(accounts_db, tmp_path / "t.db")
    t0 = datetime(2026, 12, 8, 1, 0, tzinfo=timezone.utc)
    with Store(db) as store:
        for k in range(m.users.MAX_ACCOUNT_FAILURES):
            with pytest.raises(m.AuthError):
                m.authenticate(store, "admin", "wrong horse 99", now=t0 + timedelta(seconds=k))
        # Locked: even the right password is refused, without being checked.
        with pytest.raises(m.LoginLocked, match="锁定"):
            m.authenticate(store, "admin", PW, now=t0 + timedelta(minutes=1))
        # The window passes: the right password works again, and resets the count.
        assert m.authenticate(store, "admin", PW, now=t0 + timedelta(minutes=20)).username == "admin"
        assert m.authenticate(store, "admin", PW, now=t0 + timedelta(minutes=21)).username == "admin"


def test_many_wrong_logins_from_one_address_are_throttled_across_accounts(accounts_db, tmp_path):
    db = copy_db(accounts_db, tmp_path / "t.db")
    client = TestClient(create_app(db))
    codes = []
    for i in range(m.users.MAX_ADDRESS_FAILURES + 1):
        token = re.search(r'name="form_token" value="([^"]+)"', client.get("/login").text).group(1)
        r = client.post("/login", data={"username": f"nobody{i}", "password": "wrong horse 99", "form_token": token})
        codes.append(r.status_code)
    assert codes[:-1] == [401] * m.users.MAX_ADDRESS_FAILURES and codes[-1] == 429


# ------------------------------------------------------------------ finding 4: nested HTML

def test_deeply_nested_html_is_refused_before_the_tree_walks(tmp_path):
    from zhengce.read import InputError, read_file

    bomb = tmp_path / "nested.html"
    bomb.write_text("<html><body>" + "<div>" * 200_000 + "正文" + "</div>" * 200_000 + "</body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="嵌套过深"):
        read_file(bomb)
    # Real pages: thousands of unclosed <p>/<li>, and a hundred levels of tables, are read.
    ok = tmp_path / "ok.html"
    ok.write_text("<html><body><div>" + "<p>关于支持企业发展的通知" * 3000 + "<table><tr><td>" * 100 + "正文"
                  + "</td></tr></table>" * 100 + "</div></body></html>", encoding="utf-8")
    (src,) = read_file(ok)
    assert "正文" in src.text


# ------------------------------------------------------------------ finding 5: huge text

def test_a_text_past_the_character_cap_is_refused_with_one_line(tmp_path, monkeypatch):
    from zhengce.pipeline import parse_paths

    monkeypatch.setenv("ZHENGCE_MAX_TEXT_MCHARS", "0.1")  # the real cap is 8 M characters; the rule is the same
    big, small = tmp_path / "big.txt", tmp_path / "small.txt"
    big.write_text("关于支持企业发展的通知\n\n" + "一、对企业给予奖励。\n" * 20_000, encoding="utf-8")
    small.write_text("关于支持企业发展的通知\n\n一、对企业给予奖励。\n", encoding="utf-8")
    first, second = list(parse_paths([big, small]))
    assert first.error is not None and "文本过长" in str(first.error) and "\n" not in str(first.error)
    assert second.error is None and second.documents


# ------------------------------------------------------------------ finding 10 (part): scoped and audited library writes

def test_departments_delete_only_their_units_uploads_and_writes_are_audited(accounts_db, tmp_path):
    db = copy_db(accounts_db, tmp_path / "t.db")
    with Store(db) as store:
        admin = m.get_user(store, "admin")
        m.add_user(store, "gxt", PW, role="department", units=["省工信厅"], by=admin)
        m.add_user(store, "kjt", PW, role="department", units=["省科技厅"], by=admin)
        tokens = {n: m.create_api_token(store, m.get_user(store, n), "t").token for n in ("gxt", "kjt", "admin")}
    client = TestClient(create_app(db))
    auth = {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()}
    text = "海北市人民政府关于支持企业上市的通知\n\n海政发〔2024〕5号\n\n一、对上市企业给予奖励100万元。\n".encode()
    up = client.post("/api/v1/documents", files=[("files", ("海北.txt", text, "text/plain"))], headers=auth["gxt"]).json()
    doc = up["results"][0]["documents"][0]["id"]
    # Another unit's department may not delete it, nor the operator's corpus files.
    assert client.delete(f"/api/v1/documents/{doc}", headers=auth["kjt"]).status_code == 403
    assert client.delete("/api/v1/documents/吉政发〔2021〕14号", headers=auth["gxt"]).status_code == 403
    assert client.delete(f"/api/v1/documents/{doc}", headers=auth["gxt"]).status_code == 200
    assert client.delete("/api/v1/documents/吉政发〔2021〕16号", headers=auth["admin"]).status_code == 200
    with Store(db) as store:
        ok = {(e.username, e.action) for e in m.audit_log(store, outcome="ok")}
        assert {("gxt", "library_upload"), ("gxt", "library_delete"), ("admin", "library_delete")} <= ok
        refused = m.audit_log(store, action="library_delete", outcome="refused")
        assert {e.username for e in refused} == {"kjt", "gxt"}
