"""规划实施监测: the status rule by hand, registers seeded from the corpus, review surviving re-ingest,
access control with its audit trail, versioned reports, imports, concurrency, accounts and sessions."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhengce import monitor as m
from zhengce.cli import app
from zhengce.monitor.registers import classify
from zhengce.monitor.status import band_width, judge
from zhengce.monitor.units import overlap
from zhengce.store import Store

from conftest import corpus_file

PW = "correct horse 1"
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def copy_db(src: Path, dst: Path) -> Path:
    """A private copy (sqlite backup: WAL and all)."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return dst


@pytest.fixture(scope="module")
def seeded(ingested_corpus_db, tmp_path_factory) -> Path:
    db = copy_db(ingested_corpus_db, tmp_path_factory.mktemp("monitor") / "seeded.db")
    with Store(db) as store:
        admin = m.add_user(store, "admin", PW, role="admin")
        m.add_user(store, "gxt", PW, role="department", units=["省工信厅"], by=admin)
        m.add_user(store, "czt", PW, role="department", units=["省财政厅"], by=admin)
        m.add_user(store, "mhk", PW, role="department", units=["梅河口市人民政府"], by=admin)
        m.add_user(store, "guest", PW, role="viewer", by=admin)
        m.seed(store, admin)
    return db


@pytest.fixture
def store(seeded, tmp_path):
    with Store(copy_db(seeded, tmp_path / "t.db")) as s:
        yield s


def user(store, name):
    return m.get_user(store, name)


def find(store, name, *, scope=None, year=None, value=None, doc=None) -> list[m.Indicator]:
    out = []
    for i in m.list_indicators(store, include=m.registers.REVIEWS):
        if i.name != name or (scope and i.scope != scope) or (year and i.target.get("year") != year):
            continue
        if value is not None and i.target.get("value") != value:
            continue
        if doc and i.body.get("doc") != doc:
            continue
        out.append(i)
    return out


def one(store, name, **kw) -> m.Indicator:
    (hit,) = find(store, name, **kw)
    return hit


# ------------------------------------------------------------------ the status rule, by hand

def test_status_higher_is_better_against_the_trajectory():
    # baseline 2020: 100, target 2025: 200 (>=): path 120, 140, 160, 180, 200; band = 10% of 100 = 10
    kw = dict(target=200, target_year=2025, direction="higher", comparator=">=", start=100)
    assert judge(2022, 140, expected=140, **kw) == "on_track"  # on the path
    assert judge(2022, 150, expected=140, **kw) == "on_track"  # ahead
    assert judge(2022, 135, expected=140, **kw) == "at_risk"  # behind, within the band
    assert judge(2022, 130, expected=140, **kw) == "at_risk"  # exactly at the band's edge
    assert judge(2022, 129.99, expected=140, **kw) == "off_track"  # just beyond it
    assert judge(2022, 205, expected=140, **kw) == "achieved"  # achieved early
    assert judge(2025, 199, expected=200, **kw) == "off_track"  # the target year: no band
    assert judge(2026, 201, expected=None, **kw) == "achieved"
    assert band_width(200, 100) == 10


def test_status_lower_is_better():
    # 煤电占比: 45% (2020) → ≤33.4% (2025): path falls 2.32 a year; band = 10% of 11.6 = 1.16
    kw = dict(target=33.4, target_year=2025, direction="lower", comparator="<=", start=45)
    expected_2022 = 45 + (33.4 - 45) * 2 / 5  # 40.36
    assert judge(2022, 40.0, expected=expected_2022, **kw) == "on_track"  # below the path: good
    assert judge(2022, 41.0, expected=expected_2022, **kw) == "at_risk"  # above by 0.64 < 1.16
    assert judge(2022, 40.36 + 1.16, expected=expected_2022, **kw) == "at_risk"  # the edge
    assert judge(2022, 41.6, expected=expected_2022, **kw) == "off_track"
    assert judge(2023, 33.0, expected=35.72, **kw) == "achieved"  # already under the ceiling
    assert judge(2025, 33.4, expected=33.4, **kw) == "achieved"  # 以下 includes the value
    assert judge(2025, 34.0, expected=33.4, **kw) == "off_track"


def test_status_qualitative_no_data_and_special_comparators():
    q = dict(expected=None, target=None, target_year=2025)
    assert judge(2023, None, assessment="on_track", **q) == "on_track"  # the department's assessment
    assert judge(2023, None, assessment=None, **q) == "no_data"
    assert judge(2023, 5.0, assessment=None, **q) == "no_data"  # a number does not judge a qualitative goal
    assert judge(2023, None, expected=10, target=20, target_year=2025) == "no_data"  # nothing reported
    # 年均增长6%: the rate must hold each year
    r = dict(target=6, target_year=2025, kind="annual_rate", expected=6)
    assert judge(2023, 6.5, **r) == "on_track"
    assert judge(2023, 5.5, **r) == "at_risk"  # band = 10% of 6 = 0.6
    assert judge(2023, 5.3, **r) == "off_track"
    assert judge(2025, 6.0, **r) == "achieved"
    # 997万千瓦左右: within the band below still counts; > is strict
    assert judge(2025, 990, expected=997, target=997, target_year=2025, comparator="~", start=900) == "achieved"
    assert judge(2025, 100, expected=100, target=100, target_year=2025, comparator=">") == "off_track"
    # a range 2-3个: the lower end when higher is better
    assert judge(2025, 2, expected=2, target=2, value_max=3, target_year=2025) == "achieved"
    # no target year and not met: no path to compare with
    assert judge(2023, 10, expected=None, target=20, target_year=None) == "at_risk"


def test_trajectory_linear_manual_and_first_report():
    ind = m.Indicator(1, "k", "manual", "confirmed", None, {
        "name": "x", "kind": "level", "direction": "higher", "baseline": {"year": 2020, "value": 100},
        "target": {"year": 2025, "value": 200, "comparator": ">="}, "annual_targets": {"2023": 150}},
        None, None, 1, None, None, "", "")
    assert m.annual_targets(ind) == {2020: 100, 2021: 120, 2022: 140, 2023: 150, 2024: 180, 2025: 200}
    no_base = m.Indicator(2, "k2", "manual", "confirmed", None, {
        "name": "y", "kind": "level", "direction": "higher", "baseline": None,
        "target": {"year": 2025, "value": 1000, "comparator": "="}}, None, None, 1, None, None, "", "")
    assert m.annual_targets(no_base) == {2025: 1000}
    assert m.annual_targets(no_base, start=(2021, 600)) == {2021: 600, 2022: 700, 2023: 800, 2024: 900, 2025: 1000}
    st = m.evaluate(no_base, [_actual(2, 2021, 600), _actual(2, 2023, 790)])
    assert [(y.year, y.status) for y in st.years] == [(2021, "on_track"), (2022, "no_data"), (2023, "at_risk"),
                                                      (2024, "no_data"), (2025, "no_data")]
    assert (st.status, st.status_year) == ("at_risk", 2023)


def _actual(ind, year, value, assessment=None):
    return m.Actual(ind, year, 1, value, assessment, None, None, "manual", "t", "2024-01-01T00:00:00+00:00")


def test_direction_and_kind_from_wording():
    assert classify("化学需氧量排放总量下降8%", "化学需氧量排放总量", "=", 8, unit="%") == ("reduction", "higher")
    assert classify("逐步将平均担保费率降至1%以下", "平均担保费率", "<=", 1, unit="%") == ("level", "lower")
    assert classify("登记失业率控制在4.5%以内", "登记失业率", "=", 4.5, unit="%") == ("level", "lower")
    assert classify("单位GDP能耗达到0.5吨标准煤", "单位GDP能耗", "=", 0.5, unit="吨标准煤") == ("level", "lower")
    assert classify("外贸进出口总额年均增长6%", "外贸进出口总额年均", "=", 6, unit="%") == ("annual_rate", "higher")
    assert classify("城市生活垃圾资源化利用率控制在不低于60%", "城市生活垃圾资源化利用率", ">=", 60, unit="%") == ("level", "higher")
    assert classify("高标准市场体系基本建成", "高标准市场体系", None, None) == ("qualitative", "higher")
    assert classify("人口达到50万人", "人口", "=", 50, baseline_value=60, unit="万人") == ("level", "lower")


# ------------------------------------------------------------------ seeding from the corpus

def test_meihekou_revenue_from_both_documents_is_a_merge_candidate(store):
    a = one(store, "财政收入", scope="梅河口市", year=2025, value=60)
    b = one(store, "财政收入", scope="梅河口市", year=2025, value=80)
    assert a.body["doc"] == "吉政办发〔2021〕28号" and b.body["doc"] == "001_578be0ae33821603.txt#1"
    # the 2020 statistic of the same document is the baseline, cited beside the target
    assert a.baseline == {"year": 2020, "value": 28.56, "assumed": False}
    assert [s["role"] for s in a.sources] == ["target", "baseline"]
    assert a.sources[0]["quote"] == "财政收入翻一番，达到60亿元以上" and a.sources[0]["line_start"] == 333
    assert a.direction == "higher" and a.target["comparator"] == ">="
    cand = next(c for c in m.merge_candidates(store) if set(c.ids) == {a.id, b.id})
    assert cand.conflicting and sorted(cand.values) == [60, 80]
    # the consistency finding appears beside both indicators
    st = {s.indicator.id: s for s in m.indicator_statuses(store, ids=[a.id, b.id])}
    for i in (a.id, b.id):
        kinds = {f["kind"] for f in st[i].findings}
        assert "conflicting_target" in kinds
    # merging: one entry, both citations, the other marked merged
    admin = user(store, "admin")
    merged = m.merge(store, admin, [a.id, b.id], into=a.id, note="同一指标，以规划文本为准")
    assert merged.review == "confirmed" and {s["doc_key"] for s in merged.sources} >= {"000_9ddca78f5cc9fde1.txt#3", "001_578be0ae33821603.txt#1"}
    assert m.get_indicator(store, b.id).review == "merged" and m.get_indicator(store, b.id).merged_into == a.id
    assert b.id not in {i.id for i in m.list_indicators(store)}
    with pytest.raises(m.MonitorError, match=r"已并入指标 \d+：请到指标 \d+ 填报"):
        m.report_actual(store, admin, b.id, 2022, 40)


def test_units_are_canonical_and_come_from_the_clause(store):
    i = one(store, "省级“专精特新”中小企业", year=2025)
    assert i.units == ["吉林省工业和信息化厅", "吉林省财政厅"]  # from （责任单位：省工业和信息化厅、省财政厅）
    assert overlap(["省工信厅"], i.units) and overlap(["省工业和信息化厅"], i.units)
    assert not overlap(["省商务厅"], i.units)
    assert user(store, "gxt").units == ("吉林省工业和信息化厅",)  # resolved against the register


def test_duties_become_tasks_with_deadlines_and_overdue(store):
    tasks = [t for t in m.list_tasks(store) if t.body["doc"] == "吉政发〔2021〕14号"]
    by_name = {t.task: t for t in tasks}
    assert len(tasks) == 20  # 21 duty tags in 20 items: the two tags of （三十）加强组织协调 are one task
    t = by_name["持续支持“个转企”"]
    assert (t.lead, t.support, t.deadline) == (["吉林省市场监督管理厅"], [], "2021-12-31")
    assert len(by_name["加强组织协调"].lead) == 2 and len(by_name["加强组织协调"].sources) == 2
    overdue = {s.task.task for s in m.task_statuses(store, as_of="2022-01-01", overdue_only=True)
               if s.task.body["doc"] == "吉政发〔2021〕14号"}
    assert overdue == {"持续支持“个转企”", "推动“证照分离”改革迭代升级"}
    assert not [s for s in m.task_statuses(store, as_of="2021-12-31") if s.task.body["doc"] == "吉政发〔2021〕14号" and s.overdue]
    # reported done → no longer overdue; reported in progress → still overdue, shown as 滞后
    admin = user(store, "admin")
    m.report_task(store, admin, t.id, "已完成", evidence="吉市监发〔2021〕30号")
    m.report_task(store, admin, by_name["推动“证照分离”改革迭代升级"].id, "推进中")
    st = {s.task.id: s for s in m.task_statuses(store, as_of="2022-01-01")}
    assert (st[t.id].status, st[t.id].overdue) == ("已完成", False)
    late = st[by_name["推动“证照分离”改革迭代升级"].id]
    assert (late.status, late.reported, late.overdue, late.days_overdue) == ("滞后", "推进中", True, 1)
    assert st[t.id].to_dict()["evidence"][0]["evidence"] == "吉市监发〔2021〕30号"
    # 专栏 projects are tasks too
    assert any(t.kind == "project" and t.category == "生物医药产业重点项目" for t in m.list_tasks(store))


# ------------------------------------------------------------------ review survives re-ingest

def _ingest(store: Store, path: Path):
    from zhengce.pipeline import parse_paths

    (item,) = list(parse_paths([path], with_extractions=True))
    return store.ingest(item.source, item.documents, item.extractions)


def test_review_survives_reingest(tmp_path):
    src = tmp_path / corpus_file("000").name
    shutil.copy(corpus_file("000"), src)
    with Store(tmp_path / "r.db") as store:
        _ingest(store, src)
        admin = m.add_user(store, "admin", PW, role="admin")
        m.seed(store, admin)
        zjtx = one(store, "省级“专精特新”中小企业")
        gzq = one(store, "新增“个转企”企业")
        sdh = one(store, "新增中小企业“首贷户”")
        fk = one(store, "国家级创业孵化示范基地")
        m.edit_indicator(store, admin, zjtx.id, {"target": {"value": 1100}, "attribute": "约束性"})
        m.confirm(store, admin, gzq.id)
        m.reject(store, admin, fk.id, note="不是本部门指标")
        m.report_actual(store, admin, gzq.id, 2022, 12000)

        text = src.read_text(encoding="utf-8")
        for old, new in (("新增25000户", "新增26000户"), ("“首贷户”15000 户", "“首贷户”16000 户")):
            assert old in text
            text = text.replace(old, new)
        src.write_text(text, encoding="utf-8")
        assert _ingest(store, src).status == "replaced"
        report = m.seed(store, admin)
        assert report.indicators.added == 0 and report.indicators.updated == 1  # only the unreviewed 首贷户

        after = m.get_indicator(store, zjtx.id)  # edited, clause unchanged: kept, not stale, citation re-anchored
        assert (after.review, after.target["value"], after.attribute, after.stale) == ("edited", 1100, "约束性", None)
        assert after.sources[0]["doc_id"] != zjtx.sources[0]["doc_id"]  # the re-ingested document's new id
        gzq2 = m.get_indicator(store, gzq.id)  # confirmed, but its clause now says 26000: kept, flagged stale
        assert gzq2.review == "confirmed" and gzq2.target["value"] == 25000
        assert gzq2.machine["target"]["value"] == 26000 and "出处条文已变动" in gzq2.stale and "中已找不到“" in gzq2.stale
        assert [a.value for a in m.actuals(store, gzq.id)] == [12000]
        sdh2 = m.get_indicator(store, sdh.id)  # nobody reviewed it: updated in place, same id
        assert (sdh2.review, sdh2.target["value"], sdh2.version) == ("suggested", 16000, 2)
        assert m.get_indicator(store, fk.id).review == "rejected"
        assert [v.action for v in m.history(store, "indicator", gzq.id)][-1] == "sources"


# ------------------------------------------------------------------ access control and audit

def test_department_writes_only_its_own_indicators(store):
    gxt, guest, admin = user(store, "gxt"), user(store, "guest"), user(store, "admin")
    own = one(store, "省级“专精特新”中小企业")
    other = one(store, "财政收入", scope="梅河口市", year=2025, value=60)
    m.report_actual(store, gxt, own.id, 2022, 400)
    with pytest.raises(m.AccessDenied, match=r"^无权填报：指标 \d+“财政收入”没有明确的责任单位，仅管理员可以填报$"):
        m.report_actual(store, gxt, other.id, 2022, 40)
    with pytest.raises(m.AccessDenied):
        m.edit_indicator(store, gxt, other.id, {"target": {"value": 1}})
    with pytest.raises(m.AccessDenied, match="guest 是只读账号"):
        m.report_actual(store, guest, own.id, 2022, 400)
    with pytest.raises(m.AccessDenied, match=r"无权生成台账：仅管理员可以生成台账（gxt 是部门用户）"):
        m.seed(store, gxt)
    with pytest.raises(m.AccessDenied):  # a department may not hand its indicator to another unit
        m.edit_indicator(store, gxt, own.id, {"units": ["省商务厅"]})
    m.edit_indicator(store, gxt, own.id, {"annual_targets": {"2023": 700}})  # its own: allowed
    # bad input is named by the field's label on the page, with the value as typed
    with pytest.raises(m.MonitorError, match="^目标值：“abc”不是数字$"):
        m.edit_indicator(store, gxt, own.id, {"target": {"value": "abc"}})
    with pytest.raises(m.MonitorError, match="^基期年：“二〇二〇”不是年份$"):
        m.edit_indicator(store, gxt, own.id, {"baseline": {"year": "二〇二〇"}})
    with pytest.raises(m.MonitorError, match="^不能修改：review（可修改的字段："):
        m.edit_indicator(store, gxt, own.id, {"review": "confirmed"})
    assert m.can(gxt, "view", other) and not m.can(gxt, "report", other) and m.can(admin, "report", other)
    assert [a.value for a in m.actuals(store, other.id)] == []  # nothing written
    refused = m.audit_log(store, outcome="refused", user="gxt")
    assert {(e.action, e.item_id) for e in refused} >= {("report", str(other.id)), ("edit", str(other.id)),
                                                        ("seed", None), ("edit", str(own.id))}
    assert "没有明确的责任单位" in next(e for e in refused if e.action == "report").detail["reason"]
    assert m.audit_log(store, user="guest", outcome="refused")[0].detail["reason"].endswith("是只读账号，只能查看")
    ok = m.audit_log(store, user="gxt", outcome="ok", action="report_actual")
    assert ok[0].item_id == str(own.id) and ok[0].detail["value"] == 400


def test_tasks_are_writable_by_lead_and_support_units(store):
    gxt, czt = user(store, "gxt"), user(store, "czt")
    t = next(t for t in m.list_tasks(store) if t.task == "支持“专精特新”企业加快发展")
    m.report_task(store, gxt, t.id, "推进中", progress="已认定第一批")
    m.report_task(store, czt, t.id, "推进中", progress="资金已拨付")
    other = next(t for t in m.list_tasks(store) if t.task == "持续支持“个转企”")
    with pytest.raises(m.AccessDenied):
        m.report_task(store, gxt, other.id, "已完成")
    assert [(r.version, r.reported_by) for r in m.task_reports(store, t.id)] == [(1, "gxt"), (2, "czt")]
    # merging two tasks keeps both histories, the merged one's reports renumbered after the kept one's
    admin = user(store, "admin")
    m.report_task(store, admin, other.id, "推进中", progress="另一份文件的同一任务")
    m.merge_tasks(store, admin, [other.id], into=t.id)
    assert [(r.version, r.reported_by) for r in m.task_reports(store, t.id)] == [(1, "gxt"), (2, "czt"), (3, "admin")]
    assert m.get_task(store, other.id).review == "merged" and "吉林省市场监督管理厅" in m.get_task(store, t.id).lead


# ------------------------------------------------------------------ versions

def test_every_change_is_versioned_with_who_and_when(store):
    gxt, czt, admin = user(store, "gxt"), user(store, "czt"), user(store, "admin")
    i = one(store, "省级“专精特新”中小企业")
    m.report_actual(store, gxt, i.id, 2022, 400, note="快报", now=T0)
    m.report_actual(store, czt, i.id, 2022, 410, note="年报修正", attachment="年报.pdf", now=T0 + timedelta(days=30))
    hist = m.actual_history(store, i.id, 2022)
    assert [(a.version, a.value, a.reported_by, a.reported_at) for a in hist] == [
        (1, 400, "gxt", "2024-03-01T09:00:00+00:00"), (2, 410, "czt", "2024-03-31T09:00:00+00:00")]
    assert [a.value for a in m.actuals(store, i.id)] == [410]  # the current value is the latest version
    m.edit_indicator(store, admin, i.id, {"baseline": {"year": 2020, "value": 350}}, note="基期据统计公报", now=T0)
    versions = m.history(store, "indicator", i.id)
    assert [(v.version, v.action, v.changed_by) for v in versions] == [(1, "seed", None), (2, "edit", "admin")]
    assert versions[0].body["baseline"] is None and versions[1].body["baseline"]["value"] == 350
    assert versions[1].changed_at == "2024-03-01T09:00:00+00:00" and versions[1].note == "基期据统计公报"
    st = m.indicator_statuses(store, ids=[i.id], as_of="2024-06-30")[0].to_dict()
    # 350 (2020) → 1000 (2025): 2022 expects 610; 410 is 200 behind, band 65 → off track
    assert (st["status"], st["status_year"], st["annual_targets"]["2022"]) == ("off_track", 2022, 610.0)


def test_stale_edit_is_refused_with_a_conflict(store):
    admin, gxt = user(store, "admin"), user(store, "gxt")
    i = one(store, "省级“专精特新”中小企业")
    m.edit_indicator(store, gxt, i.id, {"note": "first"}, expected_version=1)
    with pytest.raises(m.ConflictError, match=r"^指标 \d+ 已被 gxt 于 .+ 修改（当前第 2 版，表单为第 1 版）：请刷新后再操作$"):
        m.edit_indicator(store, admin, i.id, {"note": "second"}, expected_version=1)
    assert m.get_indicator(store, i.id).note == "first"


# ------------------------------------------------------------------ import

def _indicator_ids(store):
    own = one(store, "省级“专精特新”中小企业")
    other = one(store, "财政收入", scope="梅河口市", year=2025, value=60)
    return own, other


def test_malformed_sheet_gives_row_errors_and_imports_nothing(store, tmp_path):
    gxt = user(store, "gxt")
    own, other = _indicator_ids(store)
    csv_text = (
        "指标编号,指标名称,单位,年度,实际值,说明\n"
        f"{own.id},专精特新,户,2022,450,ok\n"  # row 2: fine
        f"{own.id},专精特新,户,2023,四百,\n"  # row 3: not a number
        f"{own.id},专精特新,个,2024,500,\n"  # row 4: unit differs
        f"99999,?,户,2022,1,\n"  # row 5: no such indicator
        f"{other.id},财政收入,亿元,2022,40,\n"  # row 6: not the user's unit
        f"{own.id},专精特新,户,20x2,1,\n"  # row 7: bad year
        f"{own.id},专精特新,户,2022,460,\n"  # row 8: same indicator and year as row 2
    )
    path = tmp_path / "bad.csv"
    path.write_text(csv_text, encoding="utf-8-sig")
    with pytest.raises(m.ImportFailed) as e:
        m.import_actuals(store, gxt, path)
    errors = {(err.row, err.column): err.message for err in e.value.errors}
    assert set(errors) == {(3, "实际值"), (4, "单位"), (5, "指标编号"), (6, "指标编号"), (7, "年度"), (8, "年度")}
    assert errors[(3, "实际值")] == "“四百”不是数字" and errors[(4, "单位")] == "“个”与指标的单位“户”不一致"
    assert errors[(6, "指标编号")] == f"无权填报：指标 {other.id}“财政收入”没有明确的责任单位，仅管理员可以填报"
    assert errors[(7, "年度")] == "“20x2”不是有效年份" and errors[(8, "年度")] == f"指标 {own.id} 的 2022 年已在第 2 行填写过"
    assert m.actuals(store) == []  # all or nothing
    refusal = m.audit_log(store, action="import_actuals", outcome="refused")[0]
    assert refusal.detail["refused"][0]["row"] == 6
    bad_header = tmp_path / "header.csv"
    bad_header.write_text("编号,年份,数量\n1,2022,3\n", encoding="utf-8")
    with pytest.raises(m.ImportFailed, match="第 1 行“数量”列：无法识别的列名"):
        m.import_actuals(store, gxt, bad_header)


def test_good_csv_and_xlsx_imports(store, tmp_path):
    from openpyxl import Workbook, load_workbook

    gxt, admin = user(store, "gxt"), user(store, "admin")
    own, other = _indicator_ids(store)
    path = tmp_path / "good.csv"
    path.write_text(f"指标编号,年度,实际值,单位,说明\n{own.id},2022,\"1,050\",户,统计快报\n{own.id},2023,1200,,\n",
                    encoding="utf-8")
    r = m.import_actuals(store, gxt, path)
    assert (r.rows, r.written, r.unchanged) == (2, 2, 0)
    assert [(a.year, a.value, a.origin) for a in m.actuals(store, own.id)] == [(2022, 1050, "import:good.csv"), (2023, 1200, "import:good.csv")]
    assert m.import_actuals(store, gxt, path).unchanged == 2  # the same file again: nothing new

    # the template written for the user, filled in and read back as .xlsx
    tpl = tmp_path / "tpl.xlsx"
    n = m.write_template(store, gxt, tpl)
    assert n == len([i for i in m.list_indicators(store) if m.can(gxt, "report", i)])
    wb = load_workbook(tpl)
    ws = wb["实际值"]
    assert [c.value for c in ws[1]] == ["指标编号", "指标名称", "范围", "单位", "年度", "实际值", "评估", "说明", "附件"]
    assert "说明" in wb.sheetnames
    wb2 = Workbook()
    ws2 = wb2.active
    ws2.append(["id", "year", "value", "note"])  # English headers are accepted too
    ws2.append([other.id, 2022, 31.5, "全口径"])
    ws2.append([other.id, 2023, 36, None])
    xlsx = tmp_path / "admin.xlsx"
    wb2.save(xlsx)
    r = m.import_actuals(store, admin, xlsx)
    assert r.written == 2 and [a.value for a in m.actuals(store, other.id)] == [31.5, 36]
    st = m.indicator_statuses(store, ids=[other.id], as_of="2024-01-01")[0]
    # 28.56 (2020) → 60 (2025): 2023 expects 47.42; 36 is 11.4 behind, band 3.14 → off track
    assert (st.status, st.status_year) == ("off_track", 2023)


def test_qualitative_indicator_takes_an_assessment(store):
    admin = user(store, "admin")
    q = next(i for i in m.list_indicators(store) if i.name == "高标准市场体系")
    assert q.qualitative
    with pytest.raises(m.MonitorError, match="“高标准市场体系”是定性指标：请选择评估"):
        m.report_actual(store, admin, q.id, 2023, 1)
    m.report_actual(store, admin, q.id, 2023, assessment="正常推进")
    st = m.indicator_statuses(store, ids=[q.id])[0]
    assert st.status == "on_track" and st.to_dict()["actuals"][0]["assessment"] == "on_track"


# ------------------------------------------------------------------ concurrency

def test_concurrent_reports_by_two_departments_lose_no_update(store):
    """gxt and czt (both responsible) report the same indicator and year at once, each from its own connection."""
    i = one(store, "省级“专精特新”中小企业")
    path = store.path
    n = 15
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(name: str, base: int) -> None:
        try:
            with Store(path) as s:
                u = m.get_user(s, name)
                barrier.wait()
                for k in range(n):
                    m.report_actual(s, u, i.id, 2023, base + k)
        except BaseException as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=("gxt", 1000)), threading.Thread(target=worker, args=("czt", 2000))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    hist = m.actual_history(store, i.id, 2023)
    assert [a.version for a in hist] == list(range(1, 2 * n + 1))  # contiguous: nothing overwritten
    assert sorted(a.value for a in hist) == sorted([1000 + k for k in range(n)] + [2000 + k for k in range(n)])
    assert {a.reported_by for a in hist} == {"gxt", "czt"}


def test_concurrent_edits_of_the_same_version_one_wins_one_conflicts(store):
    """Both read version 0 of 2024's value and submit: exactly one lands, the other gets a clear conflict."""
    i = one(store, "省级“专精特新”中小企业")
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def worker(name: str, value: int) -> None:
        with Store(store.path) as s:
            u = m.get_user(s, name)
            barrier.wait()
            try:
                m.report_actual(s, u, i.id, 2024, value, expected_version=0)
                results[name] = "ok"
            except m.ConflictError as e:
                results[name] = str(e)

    threads = [threading.Thread(target=worker, args=(n, v)) for n, v in (("gxt", 800), ("czt", 810))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(v == "ok" for v in results.values()) == [False, True]
    loser = next(v for v in results.values() if v != "ok")
    assert loser.endswith("（当前第 1 版，表单为第 0 版）：请刷新后再填报") and "的 2024 年实际值已被 " in loser
    assert len(m.actual_history(store, i.id, 2024)) == 1


# ------------------------------------------------------------------ accounts and sessions

def test_password_hashing():
    from zhengce.monitor import users

    h = m.hash_password(PW)
    assert h.startswith(f"scrypt${users.SCRYPT_N}$8$1$") and PW not in h
    # The production cost is OWASP's (N=2**17); the suite lowers it in conftest.py, so check the
    # real one once: it hashes and verifies within hashlib's memory limit.
    strong = m.hash_password(PW, n=2**17)
    assert strong.startswith("scrypt$131072$8$1$") and m.verify_password(PW, strong)
    assert m.hash_password(PW) != h  # a fresh salt each time
    assert m.verify_password(PW, h) and not m.verify_password(PW + "x", h)
    assert not m.verify_password(PW, "garbage") and not m.verify_password(PW, "md5$1$2$3$4$5")


def test_accounts_login_and_disable(tmp_path):
    with Store(tmp_path / "u.db") as store:
        with pytest.raises(m.MonitorError, match="第一个账号必须是管理员"):
            m.add_user(store, "x", PW, role="viewer")
        admin = m.add_user(store, "admin", PW, role="admin")
        with pytest.raises(m.AccessDenied):
            m.add_user(store, "sneaky", PW, role="admin")  # no acting admin once one exists
        with pytest.raises(m.MonitorError, match="部门用户至少要属于一个单位"):
            m.add_user(store, "d", PW, role="department", by=admin)
        with pytest.raises(m.MonitorError, match="密码至少 12 个字符"):
            m.add_user(store, "d", "short", role="viewer", by=admin)
        d = m.add_user(store, "d", PW, role="department", units=["省工信厅", "省工业和信息化厅"], by=admin)
        assert d.units == ("省工业和信息化厅",)  # one unit under two names
        with pytest.raises(m.AccessDenied):
            m.add_user(store, "e", PW, role="viewer", by=d)
        assert m.authenticate(store, "d", PW).username == "d"
        with pytest.raises(m.AuthError):
            m.authenticate(store, "d", "wrong password")
        with pytest.raises(m.AuthError):
            m.authenticate(store, "nobody", PW)
        s = m.create_session(store, d)
        m.disable_user(store, "d", by=admin)
        with pytest.raises(m.AuthError, match="账号 d 已停用"):
            m.authenticate(store, "d", PW)
        with pytest.raises(m.AuthError):
            m.verify_session(store, s.token)  # disabling ends the sessions
        with pytest.raises(m.MonitorError, match="admin 是最后一个管理员"):
            m.disable_user(store, "admin", by=admin)
        assert {(e.username, e.outcome, e.detail.get("reason")) for e in m.audit_log(store, action="login", outcome="refused")} >= {
            ("d", "refused", "bad credentials"), ("nobody", "refused", "bad credentials"), ("d", "refused", "disabled")}


def test_sessions_expire_revoke_and_csrf(tmp_path):
    with Store(tmp_path / "s.db") as store:
        admin = m.add_user(store, "admin", PW, role="admin")
        s = m.create_session(store, admin, ttl=timedelta(hours=8), now=T0)
        assert s.expires_at == "2024-03-01T17:00:00+00:00" and s.csrf_token and s.token not in s.csrf_token
        assert m.verify_session(store, s.token, now=T0 + timedelta(hours=7)).user.username == "admin"
        with pytest.raises(m.AuthError, match="登录已过期"):
            m.verify_session(store, s.token, now=T0 + timedelta(hours=8))
        assert m.check_csrf(store, s.token, s.csrf_token, now=T0)
        assert not m.check_csrf(store, s.token, "forged", now=T0)
        assert not m.check_csrf(store, s.token, s.csrf_token, now=T0 + timedelta(hours=9))  # expired session
        s2 = m.create_session(store, admin, now=T0)
        assert not m.check_csrf(store, s2.token, s.csrf_token, now=T0)  # one session's token is not another's
        assert m.revoke_session(store, s2.token, now=T0) and not m.revoke_session(store, s2.token, now=T0)
        with pytest.raises(m.AuthError, match="已退出登录"):
            m.verify_session(store, s2.token, now=T0)
        api = m.create_api_token(store, admin, "etl", now=T0)
        assert api.kind == "api" and api.csrf_token is None
        assert m.verify_session(store, api.token, now=T0 + timedelta(days=89)).kind == "api"
        with pytest.raises(m.AuthError):
            m.verify_session(store, "not-a-token")
        raw = store._db.all("SELECT token_hash FROM monitor_sessions")
        assert all(r[0] not in (s.token, s2.token, api.token) for r in raw)  # only hashes are stored
        assert m.expire_sessions(store, now=T0 + timedelta(hours=9)) == 2  # the expired one and the revoked one
        assert store._db.scalar("SELECT COUNT(*) FROM monitor_sessions") == 1


# ------------------------------------------------------------------ another province's plan

HUNAN = """湖南省人民政府关于印发《湖南省“十四五”节能减排实施方案》的通知
湘政发〔2022〕12号
各市州人民政府，省政府各厅委、各直属机构：
现将《湖南省“十四五”节能减排实施方案》印发给你们，请认真贯彻执行。
湖南省人民政府
2022年5月20日
一、主要目标
到2025年，全省单位地区生产总值能源消耗比2020年下降14%（约束性），能源消费总量得到合理控制。化学需氧量排放总量下降8%（约束性）。城市生活污水集中收集率达到70%以上（预期性）。全省森林覆盖率稳定在59.98%以上。
二、重点任务
（一）推进重点行业节能降碳。到2025年，规模以上工业单位增加值能耗下降14%，重点行业能效基准水平以下产能基本清零。2023年底前完成重点用能单位能耗在线监测系统建设。（省工业和信息化厅负责，省发展改革委、省生态环境厅配合）
（二）推进城镇污水处理提质增效。到2025年，新增污水处理能力40万吨/日，城市生活垃圾资源化利用率控制在不低于60%。（省住房城乡建设厅负责）
"""


def test_another_provinces_plan(tmp_path):
    path = tmp_path / "hunan.txt"
    path.write_text(HUNAN, encoding="utf-8")
    with Store(tmp_path / "h.db") as store:
        _ingest(store, path)
        admin = m.add_user(store, "admin", PW, role="admin")
        m.seed(store, admin)
        hn = m.add_user(store, "hngxt", PW, role="department", units=["省工信厅"], by=admin)
        assert hn.units == ("湖南省工业和信息化厅",)
        energy = next(i for i in m.list_indicators(store) if i.name.startswith("单位地区生产总值能源消耗"))
        assert (energy.kind, energy.direction, energy.attribute, energy.measure) == ("reduction", "higher", "约束性", "下降幅度")
        assert energy.baseline == {"year": 2020, "value": 0, "assumed": False}  # 比2020年下降14%
        assert energy.target == {"year": 2025, "value": 14, "value_max": None, "comparator": "="}
        cod = next(i for i in m.list_indicators(store) if i.name == "化学需氧量排放总量")
        assert (cod.kind, cod.attribute, cod.baseline["year"], cod.baseline["assumed"]) == ("reduction", "约束性", 2020, True)
        sewage = next(i for i in m.list_indicators(store) if i.name == "城市生活污水集中收集率")
        assert (sewage.attribute, sewage.direction, sewage.target["comparator"]) == ("预期性", "higher", ">=")
        industry = next(i for i in m.list_indicators(store) if i.name == "规模以上工业单位增加值能耗")
        assert industry.units == ["湖南省工业和信息化厅", "湖南省发展和改革委员会", "湖南省生态环境厅"]
        assert m.can(hn, "report", industry) and not m.can(hn, "report", sewage)
        # a fall of 14% by 2025 from 2020: 2023 expects 8.4; 9% reported → on track; 2025 at 13% → off track
        m.report_actual(store, hn, industry.id, 2023, 9)
        m.report_actual(store, hn, industry.id, 2025, 13)
        years = {y.year: y for y in m.indicator_statuses(store, ids=[industry.id])[0].years}
        assert round(years[2023].expected, 6) == 8.4 and years[2023].status == "on_track"
        assert years[2025].status == "off_track"
        task = next(t for t in m.list_tasks(store) if t.task == "推进重点行业节能降碳")
        assert (task.lead, task.deadline) == (["湖南省工业和信息化厅"], "2023-12-31")
        assert [s.task.task for s in m.task_statuses(store, as_of="2024-01-01", overdue_only=True)] == ["推进重点行业节能降碳"]


# ------------------------------------------------------------------ CLI

def test_cli_contract(seeded, tmp_path):
    db = str(copy_db(seeded, tmp_path / "cli.db"))
    run = CliRunner().invoke

    def ok(*args):
        r = run(app, ["--db", db, *args], catch_exceptions=False)
        assert r.exit_code == 0, r.output
        return r.stdout

    r = run(app, ["--db", db, "monitor", "seed", "--as", "gxt"])
    assert r.exit_code == 3 and "无权生成台账：仅管理员可以生成台账" in r.stderr
    assert "indicators: added 0" in ok("monitor", "seed", "--as", "admin")
    ok("user", "add", "shangwu", "--role", "department", "--unit", "省商务厅", "--password", PW, "--as", "admin")
    users = [json.loads(line) for line in ok("user", "list", "--json").splitlines()]
    assert {"username": "shangwu", "role": "department", "units": ["吉林省商务厅"]}.items() <= next(
        u for u in users if u["username"] == "shangwu").items()
    ok("user", "disable", "shangwu", "--as", "admin")
    assert run(app, ["--db", db, "monitor", "report", "1", "--year", "2022", "--value", "1", "--as", "shangwu"]).exit_code == 3

    with Store(db) as store:
        own = one(store, "省级“专精特新”中小企业")
    csv_path = tmp_path / "a.csv"
    csv_path.write_text(f"指标编号,年度,实际值\n{own.id},2022,500\n{own.id},2023,abc\n", encoding="utf-8")
    r = run(app, ["--db", db, "monitor", "import-actuals", str(csv_path), "--as", "gxt"])
    assert r.exit_code == 1 and "第 3 行“实际值”列：“abc”不是数字" in r.stderr and "a.csv：发现 1 处错误，未导入任何数据" in r.stderr
    csv_path.write_text(f"指标编号,年度,实际值\n{own.id},2022,500\n{own.id},2023,700\n", encoding="utf-8")
    ok("monitor", "import-actuals", str(csv_path), "--as", "gxt")
    r = run(app, ["--db", db, "monitor", "report", str(own.id), "--year", "2023", "--value", "720", "--version", "0", "--as", "czt"])
    assert r.exit_code == 4 and "的 2023 年实际值已被 gxt 于" in r.stderr and "请刷新后再填报" in r.stderr

    lines = [json.loads(x) for x in ok("monitor", "status", "--json", "--as-of", "2024-01-01").splitlines()]
    st = next(x for x in lines if x["id"] == own.id)
    for key in ("id", "name", "unit", "scope", "baseline", "target", "actuals", "status", "units", "sources"):
        assert key in st
    assert set(st["baseline"]) == {"year", "value"} and set(st["target"]) == {"year", "value", "comparator"}
    assert [(a["year"], a["value"]) for a in st["actuals"]] == [(2022, 500), (2023, 700)]
    assert st["status"] == "on_track" and st["units"] == ["吉林省工业和信息化厅", "吉林省财政厅"]
    assert {"doc", "node", "quote", "line_start", "line_end"} <= set(st["sources"][0])
    assert st["sources"][0]["quote"] == "培育1000户省级“专精特新”中小企业"

    tasks = [json.loads(x) for x in ok("monitor", "tasks", "--json", "--as-of", "2022-01-01", "--overdue").splitlines()]
    assert {"持续支持“个转企”", "推动“证照分离”改革迭代升级"} <= {t["task"] for t in tasks}
    assert all(t["overdue"] and t["status"] == "滞后" for t in tasks)

    ok("monitor", "edit", str(own.id), "--set", "target.value=1100", "--set", "attribute=约束性", "--as", "gxt", "--note", "据年度计划")
    hist = json.loads(ok("monitor", "history", str(own.id), "--json"))
    assert [v["action"] for v in hist["versions"]] == ["seed", "edit"] and hist["versions"][1]["changed_by"] == "gxt"
    assert [r["version"] for r in hist["reports"]] == [1, 1]
    ok("monitor", "reject", str(own.id + 1), "--as", "admin", "--note", "重复")
    audit = [json.loads(x) for x in ok("monitor", "audit", "--as", "admin", "--json", "--outcome", "refused").splitlines()]
    assert {a["username"] for a in audit} >= {"gxt", "shangwu"}
    assert run(app, ["--db", db, "monitor", "audit", "--as", "gxt"]).exit_code == 3
    assert "1 indicators" not in ok("monitor", "indicators", "--unit", "省工信厅")


# ------------------------------------------------------------------ both storage backends

def test_workflow_and_concurrency_on_both_backends(db_target, tmp_path):
    """The library on SQLite and PostgreSQL: seed, review, report with conflicts, import, two writers at once."""
    with Store(db_target) as store:
        _ingest(store, corpus_file("000"))
        admin = m.add_user(store, "admin", PW, role="admin")
        gxt = m.add_user(store, "gxt", PW, role="department", units=["省工信厅"], by=admin)
        m.add_user(store, "czt", PW, role="department", units=["省财政厅"], by=admin)
        first = m.seed(store, admin)
        assert first.indicators.added > 20 and first.tasks.added == 43  # 20 items of 吉政发〔2021〕14号, 23 of 〔2021〕16号
        assert m.seed(store, admin).indicators.unchanged == first.indicators.added
        i = one(store, "省级“专精特新”中小企业")
        other = one(store, "财政收入", scope="梅河口市", year=2025, value=60)
        m.edit_indicator(store, gxt, i.id, {"baseline": {"year": 2020, "value": 400}}, expected_version=1)
        with pytest.raises(m.ConflictError):
            m.edit_indicator(store, admin, i.id, {"note": "x"}, expected_version=1)
        with pytest.raises(m.AccessDenied):
            m.report_actual(store, gxt, other.id, 2022, 30)
        assert m.audit_log(store, outcome="refused")[0].item_id == str(other.id)
        path = tmp_path / "a.csv"
        path.write_text(f"指标编号,年度,实际值\n{i.id},2022,640\n{i.id},2021,520\n", encoding="utf-8")
        assert m.import_actuals(store, gxt, path).written == 2
        st = m.indicator_statuses(store, ids=[i.id], as_of="2023-01-01")[0]
        assert (st.status, st.status_year, st.annual_targets[2022]) == ("on_track", 2022, 640.0)
        s = m.create_session(store, gxt, now=T0)
        assert m.check_csrf(store, s.token, s.csrf_token, now=T0)
        assert len(m.task_statuses(store, as_of="2022-01-01", overdue_only=True)) >= 2
        path_ = store.path

    n = 8
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(name: str, base: int) -> None:
        try:
            with Store(path_) as s:
                u = m.get_user(s, name)
                barrier.wait()
                for k in range(n):
                    m.report_actual(s, u, i.id, 2023, base + k)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=("gxt", 100)), threading.Thread(target=worker, args=("czt", 200))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with Store(db_target) as store:
        hist = m.actual_history(store, i.id, 2023)
        assert [a.version for a in hist] == list(range(1, 2 * n + 1))
        assert {a.reported_by for a in hist} == {"gxt", "czt"}


def test_cli_evaluation_report_html_xlsx_pdf(seeded, tmp_path, monkeypatch):
    db = str(copy_db(seeded, tmp_path / "ev.db"))
    run = CliRunner().invoke
    with Store(db) as store:
        own = one(store, "省级“专精特新”中小企业")
        m.report_actual(store, user(store, "gxt"), own.id, 2023, 640)
    for fmt in ("html", "xlsx", "pdf"):
        out = tmp_path / f"r.{fmt}"
        r = run(app, ["--db", db, "monitor", "evaluation", "-o", str(out), "--kind", "final"])
        assert r.exit_code == 0, r.output
        data = out.read_bytes()
        if fmt == "html":
            assert "总结评估报告" in data.decode() and "<script src" not in data.decode()
        elif fmt == "xlsx":
            assert data.startswith(b"PK")
        else:
            assert data.startswith(b"%PDF")
    monkeypatch.setenv("ZHENGCE_CHROMIUM", "/nonexistent/chromium")
    r = run(app, ["--db", db, "monitor", "evaluation", "-o", str(tmp_path / "x.pdf")])
    assert r.exit_code == 5 and r.stderr.count("\n") == 1 and "Chromium" in r.stderr
    r = run(app, ["--db", db, "monitor", "evaluation", "-o", str(tmp_path / "x.doc")])
    assert r.exit_code == 2 and "--format" in r.stderr


def test_attachments_stored_and_read_back_on_both_backends(db_target):
    """Evidence files with a report: the same bytes back (BLOB / BYTEA), unit-scoped, size and type checked."""
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    with Store(db_target) as store:
        _ingest(store, corpus_file("000"))
        admin = m.add_user(store, "admin", PW, role="admin")
        gxt = m.add_user(store, "gxt", PW, role="department", units=["省工信厅"], by=admin)
        guest = m.add_user(store, "guest", PW, role="viewer", by=admin)
        m.seed(store, admin)
        i = one(store, "省级“专精特新”中小企业")
        other = next(x for x in m.list_indicators(store) if x.units and not m.can(gxt, "report", x))
        a = m.report_actual(store, gxt, i.id, 2022, 520, files=[("快报.pdf", pdf)])
        assert a.attachment == "快报.pdf"
        (att,) = m.list_attachments(store, "indicator", i.id, year=2022)
        assert (att.version, att.filename, att.content_type, att.size) == (1, "快报.pdf", "application/pdf", len(pdf))
        assert m.get_attachment(store, att.id)[1] == pdf
        csv_bytes = "年度,户数\n2022,520\n".encode()
        later = m.attach(store, gxt, "indicator", i.id, "明细.csv", csv_bytes, year=2022)
        assert later.version == 1 and m.get_attachment(store, later.id)[1] == csv_bytes
        task = next(t for t in m.list_tasks(store) if m.can(gxt, "report", t))
        m.report_task(store, gxt, task.id, "推进中", files=[("图.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)])
        assert [f.filename for f in m.list_attachments(store, "task", task.id)] == ["图.png"]
        with pytest.raises(m.AccessDenied):
            m.report_actual(store, gxt, other.id, 2022, 1, files=[("x.pdf", pdf)])
        with pytest.raises(m.AccessDenied):
            m.attach(store, guest, "indicator", i.id, "x.pdf", pdf, year=2022)
        assert {e.username for e in m.audit_log(store, outcome="refused")} == {"gxt", "guest"}
        with pytest.raises(m.AttachmentRefused, match="附件过大") as big:
            m.report_actual(store, gxt, i.id, 2023, 640, files=[("big.pdf", b"%PDF-" + b"0" * m.attachments.MAX_BYTES)])
        assert big.value.code == "too_large"
        for name, data in (("run.exe", b"MZ\x90\x00"), ("fake.pdf", b"not a pdf"), ("t.docx", b"PK\x03\x04junk")):
            with pytest.raises(m.AttachmentRefused) as bad:
                m.report_actual(store, gxt, i.id, 2023, 640, files=[(name, data)])
            assert bad.value.code == "unsupported_type"
        assert [x.year for x in m.actuals(store, i.id)] == [2022]  # nothing of a refused report was stored
        assert len(m.list_attachments(store)) == 3
