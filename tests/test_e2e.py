"""The web app in a real browser: headless Chromium (Playwright) against a
uvicorn server on a free port over a copy of the ingested corpus.

Screenshots go to test-artifacts/.  Chromium comes from the system
(scripts/setup-system.sh, run by `make test`); without it these tests fail.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, expect, sync_playwright

from conftest import ROOT
from web_fixtures import copy_db, corpus_db_template  # noqa: F401 (a fixture)
from zhengce.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(db):
    """The real app on a free port in a background thread, for as long as the block runs; yields its URL."""
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(5)


@pytest.fixture(scope="module")
def server(corpus_db_template, tmp_path_factory):  # noqa: F811
    with serving(copy_db(corpus_db_template, tmp_path_factory.mktemp("e2e") / "z.db")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup-system.sh (make test does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    ctx = browser.new_context(base_url=server, viewport={"width": 1400, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # A page that needed something the CSP refuses would be broken for real users.
    pg.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield pg
    ctx.close()
    assert not errors, f"JavaScript errors: {errors}"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_library_lists_the_corpus_and_filters(page: Page):
    page.goto("/")
    expect(page.locator("table.docs tbody tr")).to_have_count(16)
    expect(page.get_by_role("link", name=re.compile("进一步支持民营经济"))).to_be_visible()
    shot(page, "01-library")
    page.locator("select[name=issuer]").select_option("吉林省人民政府")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table.docs tbody tr")).to_have_count(2)
    expect(page.locator("p.count")).to_contain_text("符合条件 2 件")


def test_search_opens_the_clause_in_the_reader(page: Page):
    page.goto("/search")
    page.get_by_label("关键词").fill("上市奖励")
    page.get_by_label("关键词").press("Enter")
    hits = page.locator("li.hit")
    expect(hits.first).to_be_visible()
    expect(hits.first.locator(".snippet mark").first).to_be_visible()
    shot(page, "02-search")
    hit = hits.filter(has_text="吉政发〔2021〕16号").first
    hit.locator("a.hit-title").click()
    page.wait_for_url(re.compile(r"/doc/\d+\?hl=n\d+#node-n\d+"))
    node_id = re.search(r"hl=(n\d+)", page.url).group(1)
    node = page.locator(f"#node-{node_id}")
    expect(node).to_be_visible()
    expect(node).to_have_class(re.compile(r"\bhl\b"))
    expect(node).to_contain_text("上市")
    assert node.bounding_box()["y"] < 900  # scrolled into view
    shot(page, "03-reader-highlight")

    # A highlighted extraction shows its fields and citation in the side panel.
    node.locator("mark.x-benefit, mark.x-duty").first.click()
    expect(page.locator("#info .rec").first).to_contain_text("出处：原文第")
    # Switching a type off uncolours its marks.
    page.locator(".legend input[data-type=duty]").uncheck()
    expect(page.locator("#text-view mark.x-duty")).to_have_count(0)

    page.get_by_role("tab", name="原文").click()
    expect(page.locator("#original-view")).to_be_visible()
    expect(page.locator("#text-view")).to_be_hidden()
    assert "view=original" in page.url
    expect(page.locator("table.orig tr.s-repaired").first).to_be_attached()
    shot(page, "04-reader-original")


def test_ask_answers_with_a_citation_link(page: Page):
    page.goto("/ask")
    page.get_by_label("问题").fill("企业在创业板上市奖励多少？")
    page.get_by_role("button", name="提问").click()
    cite = page.locator("a.cite").first
    expect(cite).to_be_visible()
    expect(cite).to_contain_text("行")
    shot(page, "05-ask")
    cite.click()
    page.wait_for_url(re.compile(r"/doc/\d+\?hl="))
    expect(page.locator(".node.hl")).to_be_visible()


def test_extraction_browser_and_downloads(page: Page):
    page.goto("/extractions")
    page.locator(".type-tabs a.x-duty").click()
    page.wait_for_url(re.compile(r"type=duty"))
    rows = page.locator("table.records tbody tr")
    expect(rows.first).to_contain_text("责任单位")
    expect(page.locator("table.records thead")).to_contain_text("牵头单位")
    shot(page, "06-extractions")
    with page.expect_download() as dl:
        page.get_by_role("link", name="下载 CSV").click()
    assert dl.value.suggested_filename == "duty.csv"
    rows.first.locator("td.cite a").click()
    expect(page.locator(".node.hl")).to_be_visible()


def test_upload_a_file_from_the_library(page: Page, tmp_path):
    f = tmp_path / "示例政策.txt"
    f.write_text(
        "某某市人民政府关于支持首台套装备推广应用的通知\n\n某政发〔2024〕7号\n\n各区人民政府：\n\n"
        "一、支持措施\n\n（一）首台套奖励。对首台套装备给予销售额10%的奖励，最高200万元。（责任单位：市工业和信息化局）\n\n"
        "某某市人民政府\n\n2024年3月1日\n",
        encoding="utf-8",
    )
    page.goto("/")
    page.locator("details.upload summary").click()
    page.locator("input[type=file]").set_input_files(str(f))
    page.get_by_role("button", name="导入", exact=True).click()
    result = page.locator("#upload-results li").first
    expect(result).to_contain_text("已导入")
    shot(page, "07-upload")
    result.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("首台套装备推广应用")


def test_concurrent_reads_and_an_upload_on_the_real_server(server):
    """Each request opens its own Store: parallel readers and a writer do not trip over one connection."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx2 as httpx

    policy = ("某县人民政府关于促进消费的通知\n\n某政发〔2024〕9号\n\n各乡镇人民政府：\n\n"
              "一、消费券\n\n（一）发放消费券。对参与活动的商户给予补贴。（责任单位：县商务局）\n\n某县人民政府\n\n2024年6月1日\n")

    def get(url: str):
        r = httpx.get(server + url, timeout=30)
        return r.status_code if r.status_code == 200 else (url, r.status_code, r.text[:300])  # the cause, if it fails

    def post():
        r = httpx.post(server + "/api/v1/documents", files={"files": ("并发.txt", policy.encode())}, timeout=30)
        return r.status_code if r.status_code == 200 else (r.status_code, r.text[:300])

    urls = ["/doc/2", "/api/v1/search?q=上市奖励", "/api/v1/documents", "/extractions?type=duty", "/api/v1/ask?q=上市奖励多少"] * 4
    with ThreadPoolExecutor(8) as pool:
        writes = pool.submit(post)
        reads = list(pool.map(get, urls))
    assert reads == [200] * len(urls) and writes.result() == 200
    assert httpx.get(server + "/api/v1/search", params={"q": "消费券"}).json()["hits"][0]["doc"] == "某县人民政府关于促进消费的通知"


def test_match_a_profile_and_follow_the_citation(page: Page):
    """政策直达: a listed enterprise qualifies for the listing award (吉政发〔2021〕16号); the
    citation opens the clause highlighted in the reader."""
    page.goto("/match")
    page.get_by_label("企业名称").fill("长春某药业股份有限公司")
    page.get_by_label("主体类型").select_option(label="企业")
    page.get_by_label("所在省份").fill("吉林省")
    page.get_by_label("所在市（州）").fill("长春市")
    page.get_by_label("所属行业").fill("医药健康")
    page.get_by_label("年营业收入（主营业务收入、销售收入）（万元）").fill("1.2亿元")
    page.get_by_label("上市（挂牌）板块").select_option("科创板")
    page.get_by_label("上市（挂牌）日期").fill("2021-09-01")
    page.get_by_label("总部在本省").select_option("是")
    page.get_by_label("主营业务在本省").select_option("是")
    page.get_by_label("高新技术企业").check()
    page.get_by_label("评估日期").last.fill("2021-10-01")
    shot(page, "08-match-form")
    page.get_by_role("button", name="匹配", exact=True).click()

    eligible = page.locator("details#eligible")
    card = eligible.locator("article.rule-card", has_text="鼓励市场化运营")
    expect(card).to_be_visible()
    expect(card.locator(".amount")).to_contain_text("1000万元")
    expect(card.locator("ul.conditions li.res-true")).to_have_count(4)
    expect(page.locator("details#unknown .fact-chip").first).to_be_visible()
    card.scroll_into_view_if_needed()
    shot(page, "09-match-results")

    # 需补充 takes the reader to the field to fill.
    chip = page.locator("details#unknown .fact-chip", has_text="企业规模").first
    chip.click()
    expect(page.get_by_label("企业规模")).to_be_focused()

    card.locator("a.cite").click()
    page.wait_for_url(re.compile(r"/doc/2\?hl=n12#node-n12"))
    node = page.locator("#node-n12")
    expect(node).to_have_class(re.compile(r"\bhl\b"))
    expect(node).to_contain_text("科创板成功上市")
    assert 0 <= node.bounding_box()["y"] < 900  # scrolled into view
    shot(page, "10-match-citation")


# ------------------------------------------------------------------ 监测评估

MONITOR_PW = "correct horse 1"


@pytest.fixture(scope="module")
def monitor_server(corpus_db_template, tmp_path_factory):  # noqa: F811
    """A server over a copy with the registers seeded, an admin and a department user of 省工信厅."""
    from zhengce import monitor as m
    from zhengce.store import Store

    db = copy_db(corpus_db_template, tmp_path_factory.mktemp("e2e_monitor") / "z.db")
    with Store(db) as store:
        admin = m.add_user(store, "admin", MONITOR_PW, role="admin")
        m.add_user(store, "gxt", MONITOR_PW, role="department", units=["省工信厅"], display_name="省工信厅填报员", by=admin)
        m.seed(store, admin)
        own = next(i for i in m.list_indicators(store) if i.name == "省级“专精特新”中小企业")
    with serving(db) as url:
        yield url, own.id


def test_department_user_reports_a_value_and_the_dashboard_status_changes(browser, monitor_server):
    base, ind = monitor_server
    ctx = browser.new_context(base_url=base, viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)

    page.goto("/monitor")
    page.wait_for_url(re.compile(r"/login\?next="))
    page.get_by_label("用户名").fill("gxt")
    page.get_by_label("密码").fill(MONITOR_PW)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/monitor$"))
    row = page.locator(f"table.monitor tr[data-id='{ind}']")
    expect(row.locator("td").nth(4)).to_contain_text("无数据")

    row.get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/monitor/indicators/{ind}$"))
    page.get_by_label("年度").select_option("2022")
    page.get_by_role("textbox", name=re.compile("实际值")).fill("520")
    page.get_by_label("说明").fill("统计快报")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("p.ok")).to_contain_text("已保存 2022 年实际值")
    expect(page.locator("#status-badge")).to_have_text("正常推进")
    chart = page.locator("#chart[data-rendered='1'] svg")
    expect(chart).to_be_visible()
    expect(page.locator("#chart")).to_contain_text("实际值")
    page.locator("#chart").scroll_into_view_if_needed()
    shot(page, "11-monitor-indicator-chart")

    page.get_by_role("link", name="总览").click()
    page.wait_for_url(re.compile(r"/monitor$"))
    row = page.locator(f"table.monitor tr[data-id='{ind}']")
    expect(row.locator("td").nth(4)).to_contain_text("正常推进")
    expect(row.locator("td.st-on_track")).to_contain_text("520")
    shot(page, "12-monitor-dashboard")
    ctx.close()
    assert not errors, f"JavaScript errors: {errors}"


def test_a_script_logged_in_the_audit_log_does_not_run_when_an_admin_opens_it(browser, monitor_server):
    """Security finding 1 (critical): stored XSS through a refused anonymous request's path."""
    from urllib.parse import quote

    import httpx2 as httpx

    base, _ind = monitor_server
    payload = '<img src=x onerror="window.__xss=1"><svg onload="window.__xss=2">'
    assert httpx.delete(f"{base}/api/v1/documents/{quote(payload, safe='')}").status_code == 401

    ctx = browser.new_context(base_url=base, viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto("/login?next=/monitor/audit")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(MONITOR_PW)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/monitor/audit$"))
    expect(page.locator("td.detail", has_text="onerror=").first).to_be_visible()  # shown as text
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.locator("td.detail img, td.detail svg").count() == 0
    shot(page, "13-audit-log-escaped")
    page.goto("/monitor")  # the charts and scripts still work under the CSP
    expect(page.locator("table.monitor")).to_be_visible()
    ctx.close()
    assert not violations, violations
