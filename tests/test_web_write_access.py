"""Writes to the library (文库 uploads and deletes, 政策直达 reviews and profiles): open while no account
exists, then only for a logged-in admin or department account (cookie + CSRF, or a Bearer API token);
refusals are 401/403 and in the audit log."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from web_fixtures import copy_db, corpus_db_template  # noqa: F401 (a fixture)
from zhengce import monitor as m
from zhengce.store import Store
from zhengce.web import create_app

PW = "correct horse 1"
NOTICE = "关于支持海北市企业发展的通知\n\n一、对新认定的高新技术企业给予一次性奖励10万元。\n".encode()
PROFILE = {"name": "测试企业", "kind": "企业", "province": "吉林省", "facts": {"size": "small"}}


@pytest.fixture
def db(corpus_db_template, tmp_path):  # noqa: F811
    return copy_db(corpus_db_template, tmp_path / "w.db")


def with_accounts(db):
    with Store(db) as store:
        admin = m.add_user(store, "admin", PW, role="admin")
        m.add_user(store, "gxt", PW, role="department", units=["省工信厅"], by=admin)
        m.add_user(store, "guest", PW, role="viewer", by=admin)
        return {n: m.create_api_token(store, m.get_user(store, n), "t").token for n in ("admin", "guest")}


def login(client, name) -> str:
    token = re.search(r'name="form_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"username": name, "password": PW, "next": "/", "form_token": token}, follow_redirects=False)
    assert r.status_code == 303
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)


def refusals(db, action):
    with Store(db) as store:
        return m.audit_log(store, action=action, outcome="refused")


def upload(client, name="海北.txt", **kw):
    return client.post("/upload", files=[("files", (name, NOTICE, "text/plain"))], **kw)


def test_open_while_no_account_exists(db):
    c = TestClient(create_app(db))
    page = c.get("/").text
    assert 'action="/upload"' in page and "csrf_token" not in page
    assert upload(c).status_code == 200
    assert c.put("/api/v1/profiles/甲", json=PROFILE).status_code == 200
    assert c.delete("/api/v1/profiles/甲").status_code == 200
    assert "保存档案</button>" in c.get("/match").text


def test_page_upload_needs_a_writer_with_csrf(db):
    with_accounts(db)
    c = TestClient(create_app(db))
    page = c.get("/").text
    assert 'action="/upload"' not in page and 'href="/login?next=' in page  # the form is replaced by a login link
    r = upload(c)
    assert r.status_code == 401 and "请先登录" in r.text
    assert refusals(db, "library_upload")[0].username is None
    csrf = login(c, "guest")
    assert "只读账号" in c.get("/").text
    r = upload(c, data={"csrf_token": csrf})
    assert r.status_code == 403 and "只读账号" in r.text
    assert refusals(db, "library_upload")[0].username == "guest"
    csrf = login(c, "admin")
    page = c.get("/").text
    assert 'action="/upload"' in page and f'name="csrf_token" value="{csrf}"' in page
    r = upload(c)  # no CSRF token: refused, nothing stored
    assert r.status_code == 403 and "CSRF" in r.text
    r = upload(c, data={"csrf_token": csrf})
    assert r.status_code == 200 and "海北" in r.text
    with Store(db) as store:
        assert sum(1 for d in store.list_documents() if "海北" in (d.title or "")) == 1
    assert len(refusals(db, "library_upload")) == 3


def test_api_writes_need_a_writer_token_or_cookie_with_csrf(db):
    tokens = with_accounts(db)
    c = TestClient(create_app(db))
    r = c.post("/api/v1/documents", files=[("files", ("海北.txt", NOTICE, "text/plain"))])
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert c.put("/api/v1/profiles/甲", json=PROFILE).status_code == 401
    rule = c.get("/api/v1/rules?limit=1").json()["rules"][0]["id"]
    assert c.post(f"/api/v1/rules/{rule}/review", json={"reviewer": "x"}).status_code == 401
    assert c.delete(f"/api/v1/rules/{rule}/review").status_code == 401
    guest = {"Authorization": f"Bearer {tokens['guest']}"}
    r = c.put("/api/v1/profiles/甲", json=PROFILE, headers=guest)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert c.delete("/api/v1/documents/1", headers=guest).status_code == 403
    assert {e.action for e in refusals(db, None) if e.username == "guest"} >= {"profile_save", "library_delete"}
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    r = c.post("/api/v1/documents", files=[("files", ("海北.txt", NOTICE, "text/plain"))], headers=admin)
    assert r.status_code == 200 and r.json()["counts"]["added"] == 1
    assert c.put("/api/v1/profiles/甲", json=PROFILE, headers=admin).status_code == 200
    assert c.post(f"/api/v1/rules/{rule}/review", json={"reviewer": "admin"}, headers=admin).status_code == 200
    assert c.delete(f"/api/v1/rules/{rule}/review", headers=admin).status_code == 200
    # reads stay open
    assert c.get("/api/v1/profiles").status_code == 200 and c.get("/api/v1/documents").status_code == 200
    # a browser session: the cookie needs X-CSRF-Token
    csrf = login(c, "gxt")
    assert c.delete("/api/v1/profiles/甲").status_code == 403
    assert c.delete("/api/v1/profiles/甲", headers={"X-CSRF-Token": csrf}).status_code == 200


def test_match_page_saves_profiles_only_for_writers(db):
    with_accounts(db)
    c = TestClient(create_app(db))
    page = c.get("/match").text
    assert "登录后保存" in page and 'value="save"' not in page
    form = {"name": "乙企业", "action": "save", "save_name": "乙", "as_of": "2022-01-01"}
    assert c.post("/match", data=form).status_code == 401
    assert c.post("/match", data={k: v for k, v in form.items() if k != "action"}).status_code == 200  # matching stays open
    csrf = login(c, "gxt")
    assert c.post("/match", data=form).status_code == 403  # no CSRF token
    r = c.post("/match", data=form | {"csrf_token": csrf})
    assert r.status_code == 200 and "已保存档案“乙”" in r.text
    assert f'name="csrf_token" value="{csrf}"' in c.get("/match").text
    assert c.post("/match/delete", data={"load": "乙"}, follow_redirects=False).status_code == 403
    r = c.post("/match/delete", data={"load": "乙", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert refusals(db, "profile_save") and refusals(db, "profile_delete")
