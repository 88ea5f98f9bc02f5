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
