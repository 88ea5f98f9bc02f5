"""Extraction on short texts in other provinces' register, and the grounding invariant on the corpus."""

from __future__ import annotations

import pytest

from conftest import parsed
from zhengce.extract import extract
from zhengce.extract.duty import parse_tag, split_units
from zhengce.extract.numbers import deadline, period_end, quantities
from zhengce.model import Source
from zhengce.pipeline import parse_source

NO_ENTITIES = ("target", "statistic", "duty", "benefit", "project", "reference")


def doc_of(text: str):
    (d,) = parse_source(Source(path="t.txt", text=text, format="text"))
    return d


def records(text: str, *types: str):
    return [r.to_dict() for r in extract(doc_of(text), "t.txt#1", types or NO_ENTITIES)]


# ---- numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, want",
    [
        ("达到600亿元以上", (600, None, "亿元", ">=")),
        ("给予每个品种50－200万元奖补", (50, 200, "万元", "=")),
        ("最高不超过300万元", (300, None, "万元", "<=")),
        ("年营业收入超过1000万元", (1000, None, "万元", ">")),
        ("不低于1.5%", (1.5, None, "%", ">=")),
        ("控制在5%左右", (5, None, "%", "~")),
        ("新增一千五百户", (1500, None, "户", "=")),
        ("月销售额不满10万元", (10, None, "万元", "<")),
    ],
)
def test_quantities_read_legally(text, want):
    (q,) = quantities(text)
    assert (q.value, q.value_max, q.unit, q.comparator) == want


def test_deadlines_and_plan_periods():
    assert deadline("2023年底前出台实施细则") == "2023-12-31"
    assert deadline("2024年6月底前完成清理") == "2024-06-30"
    assert deadline("在2022年3月31日前全面完成") == "2022-03-31"
    assert deadline("2022年12月31日前小规模纳税人减按1%征收") is None  # a validity period, not a task deadline
    assert period_end("到“十四五”期末") == 2025 and period_end("“十三五”期间") == 2020


# ---- duty ---------------------------------------------------------------------


def test_responsibility_tags_of_every_style():
    assert parse_tag("责任单位：省发展改革委、省财政厅") == (["省发展改革委", "省财政厅"], [])
    assert parse_tag("省商务厅负责，省财政厅、省税务局配合") == (["省商务厅"], ["省财政厅", "省税务局"])
    assert parse_tag("省住房城乡建设厅、各市州政府按职责分工负责") == (["省住房城乡建设厅", "各市州政府"], [])
    assert split_units("省科技厅（省外国专家局）、省财政厅") == ["省科技厅（省外国专家局）", "省财政厅"]
    assert split_units("省商务厅等部门及开发区所在地市〔州〕、县〔市〕政府") == ["省商务厅", "开发区所在地市〔州〕、县〔市〕政府"]
    assert split_units("长沙市、株洲市、湘潭市政府") == ["长沙市政府", "株洲市政府", "湘潭市政府"]


def test_duties_from_items_and_prose():
    text = (
        "湖南省人民政府关于支持中小企业发展的意见\n\n湘政发〔2023〕5号\n\n一、优化服务\n\n"
        "（一）建设服务平台。2023年底前建成全省中小企业服务平台。（责任单位：省工业和信息化厅、省政务局）\n\n"
        "（二）强化融资支持。由省财政厅牵头，省地方金融监管局配合，设立中小企业发展基金。\n\n"
        "（三）减轻企业负担。（省税务局负责，省财政厅配合）"
    )
    duties = records(text, "duty")
    assert [(d["task"], d["lead"], d["support"], d["deadline"]) for d in duties] == [
        ("建设服务平台", ["省工业和信息化厅", "省政务局"], [], "2023-12-31"),
        ("强化融资支持", ["省财政厅"], ["省地方金融监管局"], None),
        ("减轻企业负担", ["省税务局"], ["省财政厅"], None),
    ]
    assert duties[0]["quote"] == "（责任单位：省工业和信息化厅、省政务局）"


# ---- target / statistic --------------------------------------------------------


def test_targets_with_year_comparator_baseline_and_aspiration():
    text = (
        "某某市国民经济发展规划\n\n一、发展目标\n\n"
        "到2025年，地区生产总值翻一番，达到800亿元以上；城镇化率达到65%；力争新增市场主体5万户。"
    )
    got = {r["indicator"]: r for r in records(text, "target")}
    gdp = got["地区生产总值"]
    assert (gdp["value"], gdp["unit"], gdp["comparator"], gdp["year"]) == (800, "亿元", ">=", 2025)
    assert gdp["baseline"] == {"value": 400, "unit": "亿元", "year": None}
    assert gdp["scope"] == "某某市"
    assert (got["城镇化率"]["value"], got["城镇化率"]["unit"]) == (65, "%")
    assert got["新增市场主体"]["aspirational"] is True


def test_statistics_and_shared_indicators():
    text = "某县发展规划\n\n一、发展基础\n\n2022年，地区生产总值和一般公共预算收入分别达到290.09亿元和18.5亿元。"
    stats = records(text, "statistic")
    assert [(s["indicator"], s["value"], s["year"]) for s in stats] == [("地区生产总值", 290.09, 2022), ("一般公共预算收入", 18.5, 2022)]
    assert records(text, "target") == []


def test_statistic_years_from_paragraph_heading_or_plan_period():
    text = (
        "某市国民经济和社会发展第十四个五年规划纲要\n\n第一章 发展基础\n\n"
        "一、综合实力稳步提升\n\n城镇和农村居民人均可支配收入分别达到35000元和17000元。企业开办时间压缩至2个工作日。\n\n"
        "二、“十三五”时期改革成效\n\n累计实施120项改革。\n\n"
        "三、开放合作\n\n2019年，实际利用外资增长到3.5亿美元。\n"
    )
    stats = {(s["indicator"], s["value"], s["unit"]): s["year"] for s in records(text, "statistic")}
    # No year in the sentence or the headings: a 2021–2025 plan reports the end of 2020.
    assert stats[("城镇居民人均可支配收入", 35000, "元")] == 2020
    assert stats[("农村居民人均可支配收入", 17000, "元")] == 2020
    assert stats[("企业开办时间", 2, "个工作日")] == 2020
    assert [y for (i, v, u), y in stats.items() if v == 120] == [2020]  # from the heading's 十三五
    assert stats[("实际利用外资", 3.5, "亿美元")] == 2019  # the sentence's own year wins


@pytest.mark.parametrize("tag,lead,support", [
    ("省工业和信息化厅牵头，省发展改革委、省生态环境厅配合", ["省工业和信息化厅"], ["省发展改革委", "省生态环境厅"]),
    ("由省财政厅牵头，各市县政府配合", ["省财政厅"], ["各市县政府"]),
    ("省财政厅牵头负责，省商务厅等部门参与", ["省财政厅"], ["省商务厅"]),
    ("省商务厅牵头", ["省商务厅"], []),
])
def test_lead_and_support_written_with_qiantou(tag, lead, support):
    assert parse_tag(tag) == (lead, support)
    text = f"某省实施方案\n\n一、重点任务\n（一）推进数字化改造。2025年底前完成。（{tag}）\n"
    (duty,) = records(text, "duty")
    assert (duty["lead"], duty["support"], duty["deadline"]) == (lead, support, "2025-12-31")


# ---- benefit -------------------------------------------------------------------


@pytest.mark.parametrize("clause,group", [
    ("对年销售收入首次超过1亿元的中成药、生物制品和化学药品，给予一次性奖励50万元。", "中成药、生物制品和化学药品"),
    ("对新认定的省级科技企业孵化器（众创空间），给予一次性补助30万元。", "省级科技企业孵化器（众创空间）"),
    ("对纳入培育计划的拟上市企业、拟上市企业申报材料被受理的，给予补助20万元。", "拟上市企业"),
])
def test_benefit_recipient_lists_and_longest_names(clause, group):
    text = f"某省若干政策\n\n1．支持产业发展。{clause}（责任单位：省财政厅）\n"
    (b,) = records(text, "benefit")
    assert b["target_group"] == group


def test_benefit_amount_cap_conditions_and_agencies():
    text = (
        "关于支持生物医药产业发展的若干政策\n\n"
        "1．支持新药研发。对在我省转化生产的一类新药，一次性给予每个品种100－300万元奖励，每个企业年度最高不超过500万元。（责任单位：省科技厅、省财政厅）\n\n"
        "2．支持企业做大。对年主营业务收入首次超过10亿元的医药工业企业，一次性给予50万元奖补。（省工业和信息化厅负责）\n\n"
        "3．稳岗补贴。对裁员率低于统筹地区城镇登记失业率的企业，按其上年度实际缴纳失业保险费的50%给予稳岗补贴。（责任单位：省人力资源社会保障厅）"
    )
    b = records(text, "benefit")
    first = next(r for r in b if "一类新药" in r["quote"])
    assert first["amount"] == {"min": 100, "max": 300, "unit": "万元"}
    assert first["cap"] == {"value": 500, "unit": "万元", "per": "企业/年"}
    assert first["benefit_kind"] == "奖励"
    assert first["agencies"] == ["省科技厅", "省财政厅"]
    assert {"fact": "location", "op": "in", "value": "我省"} .items() <= next(c for c in first["conditions"] if c["fact"] == "location").items()
    second = next(r for r in b if "10亿元" in r["quote"])
    revenue = next(c for c in second["conditions"] if c["fact"] == "annual_revenue")
    assert (revenue["op"], revenue["value"], revenue["unit"]) == (">", 10, "亿元")
    assert any(c["fact"] == "first_time" for c in second["conditions"])
    third = next(r for r in b if "稳岗" in r["quote"] and "50%" in r["quote"])
    assert third["rate"] == 50 and "失业保险费" in third["rate_base"]


# ---- project / reference ---------------------------------------------------------


def test_box_projects_and_references():
    text = (
        "某市交通规划\n\n专栏1 重大交通项目\n\n城际铁路项目：建设线路全长40公里，总投资120亿元。\n\n"
        "环城高速工程：新建4车道高速公路25公里。\n\n"
        "一、总体要求\n\n贯彻《某某省综合交通运输体系规划》（某政发〔2021〕9号），落实湘政办发〔2022〕3号要求。"
    )
    projects = records(text, "project")
    assert [(p["name"], p["category"]) for p in projects] == [("城际铁路项目", "重大交通项目"), ("环城高速工程", "重大交通项目")]
    assert projects[0]["quantities"][0]["value"] == 40 and projects[0]["investment"] == {"value": 120.0, "unit": "亿元"}
    refs = records(text, "reference")
    assert [(r["title"], r["doc_number"]) for r in refs] == [("某某省综合交通运输体系规划", "某政发〔2021〕9号"), (None, "湘政办发〔2022〕3号")]


# ---- the corpus -------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_record_on_the_corpus_is_grounded(prefix):
    _restored, docs = parsed(prefix)
    for i, d in enumerate(docs, 1):
        for r in extract(d, f"{prefix}#{i}", NO_ENTITIES):
            assert d.text[r.start : r.end] == r.quote
            node = next(n for n in d.nodes if n.id == r.node)
            assert node.start <= r.start and r.end <= node.end
            assert node.line_start <= r.line_start <= r.line_end <= node.line_end


def test_every_duty_of_14hao():
    _restored, docs = parsed("000")
    d14 = docs[0]
    duties = [r for r in extract(d14, "000#1", ["duty"])]
    tagged = [r for r in duties if r.quote.startswith("（责任单位：")]
    assert len(tagged) == d14.text.count("（责任单位：") == 19
    assert all(r.fields["lead"] for r in duties)
    # Item （二十） names its units in prose: 领导小组负责…, 领导小组办公室（省工业和信息化厅）负责…
    prose = [r.fields["lead"][0] for r in duties if r not in tagged]
    assert prose == ["省促进中小企业（民营经济）发展工作领导小组", "领导小组办公室（省工业和信息化厅）"]


def test_consistency_checks_on_other_provinces_text():
    from zhengce.extract.check import arithmetic, check, duties_without_unit

    a = doc_of("某市发展规划\n\n一、发展目标\n\n到2025年，地区生产总值达到500亿元，财政收入翻一番，达到50亿元以上。")
    b = doc_of("某市融入都市圈实施方案\n\n一、发展目标\n\n到2025年，财政收入翻一番，达到60亿元以上。")
    c = doc_of("某市发展规划\n\n一、发展基础\n\n2020年，地区生产总值和财政收入分别达到300亿元和20亿元。")
    recs = extract(a, "a#1", NO_ENTITIES) + extract(b, "b#1", NO_ENTITIES) + extract(c, "c#1", NO_ENTITIES)
    kinds = {f.kind: f for f in check(recs)}
    conflict = kinds["conflicting_target"]
    assert {r.doc_key for r in conflict.citations} == {"a#1", "b#1"} and "50" in conflict.message and "60" in conflict.message
    doubling = kinds["doubling"]
    assert "20" in doubling.message and {r.type for r in doubling.citations} == {"target", "statistic"}

    roads = doc_of("某县交通规划\n\n专栏1 道路项目\n\n环城路项目：全长30公里，其中新建段18公里，改建段15公里。")
    (finding,) = arithmetic(roads, "r#1")
    assert finding.kind == "parts_exceed_total" and "33" in finding.message
    assert [c.quote for c in finding.citations] == ["30公里", "18公里", "15公里"]
    ok = doc_of("某县交通规划\n\n专栏1 道路项目\n\n环城路项目：全长30公里，其中新建段18公里，改建段12公里。")
    assert arithmetic(ok, "r#1") == []

    items = "".join(f"（{n}）任务{n}。推进工作。（责任单位：省财政厅）\n\n" for n in "一二三") + "（四）任务四。推进工作。\n\n"
    d = doc_of("某省关于推进某工作的意见\n\n一、重点任务\n\n" + items)
    (missing,) = duties_without_unit(d, extract(d, "d#1", ["duty"]))
    assert missing.kind == "duty_without_unit" and "（四）" in missing.message


def test_where_to_apply_when_stated():
    text = "关于支持人才发展的若干政策\n\n1．人才补贴。对新引进的博士，给予每人10万元安家补贴，由本人向市人才服务中心申请。（责任单位：市人社局）"
    (b,) = [r for r in records(text, "benefit") if "博士" in r["quote"]]
    assert b["where_to_apply"] == "市人才服务中心"
    assert b["amount"] == {"min": 10, "max": 10, "unit": "万元"}


def test_quality_against_the_gold_set_does_not_regress():
    """Record-level F1 on the hand-built gold set (benchmarks/extract_eval.py prints the full table)."""
    import importlib.util
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("extract_eval", root / "benchmarks" / "extract_eval.py")
    ev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ev)
    gold = [json.loads(x) for x in (root / "tests" / "gold" / "extractions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    pred, grounded = ev.predict()
    stats, _ = ev.evaluate(gold, pred)
    assert grounded == 1.0
    floors = {"target": 0.93, "duty": 0.97, "benefit": 0.94, "statistic": 0.85, "project": 0.95, "reference": 0.99}
    assert {t: round(stats[t]["f1"], 2) >= f for t, f in floors.items()} == {t: True for t in floors}, {t: stats[t]["f1"] for t in floors}
