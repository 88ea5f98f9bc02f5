"""Benefit conditions are requirements on the applicant, never budget amounts, and none is dropped.

Short texts in the register of other provinces' support policies (written for these
tests, not copied from the corpus).
"""

from __future__ import annotations

from zhengce.extract import extract
from zhengce.model import Source
from zhengce.pipeline import parse_source


def benefits(body: str) -> list[dict]:
    text = "某省关于支持中小企业发展的若干措施\n\n" + body
    (d,) = parse_source(Source(path="t.txt", text=text, format="text"))
    return [r.to_dict() for r in extract(d, "t.txt#1", ["benefit"])]


def conds(rec: dict) -> set[tuple]:
    return {(c["fact"], c["op"], str(c["value"]), c["unit"]) for c in rec["conditions"]}


def test_a_budget_before_the_phrase_is_not_a_condition():
    (b,) = benefits("1．培育专精特新企业。“十四五”期间，每年安排5000万元专项资金，对认定为国家级的专精特新“小巨人”企业，给予200万元奖励。（责任单位：省工信厅）")
    assert conds(b) == {("certification", "has", "国家级专精特新“小巨人”企业", None)}
    assert b["amount"] == {"min": 200, "max": 200, "unit": "万元"}


def test_unparsed_requirements_are_kept_in_their_own_words():
    (b,) = benefits("2．支持项目建设。对总投资1亿元以上、按期竣工投产且带动就业明显的先进制造业项目，给予30万元奖励。（责任单位：省发改委）")
    assert conds(b) == {
        ("total_investment", ">=", "1", "亿元"),
        ("requirement", "has", "按期竣工投产", None),
        ("requirement", "has", "带动就业明显", None),
    }


def test_a_comparator_written_once_covers_the_series_and_tiers_are_amounts():
    (b,) = benefits("3．鼓励企业做大。对年营业收入首次突破5亿元和10亿元以上的工业企业，分别给予20万元和50万元奖励。（责任单位：省工信厅）")
    assert ("annual_revenue", ">=", "5", "亿元") in conds(b)
    assert ("first_time", "=", "True", None) in conds(b)
    assert b["amount"] == {"min": 20, "max": 50, "unit": "万元"}


def test_a_tax_bracket_is_a_base_not_a_condition_and_dates_without_zi():
    recs = benefits(
        "4．落实税收优惠。2023年1月1日至2024年12月31日，对月销售额10万元以下（含本数）的增值税小规模纳税人，免征增值税。"
        "对小型微利企业年应纳税所得额不超过100万元的部分，减按25%计入应纳税所得额。（责任单位：省税务局）"
    )
    vat, cit = recs
    assert (vat["valid_from"], vat["valid_to"]) == ("2023-01-01", "2024-12-31")
    assert conds(vat) == {("monthly_sales", "<=", "10", "万元")}
    assert not any(c["fact"] == "taxable_income" for c in cit["conditions"])


def test_titles_in_a_list_are_alternatives_and_places_and_boards_are_typed():
    recs = benefits(
        "5．支持孵化载体。对国家级、省级科技企业孵化器和众创空间，给予10万元运营补贴。"
        "对总部和主营业务均在河南省且在主板、科创板首发上市的企业，给予500万元奖励。（责任单位：省科技厅）"
    )
    incubator, listing = recs
    (cert,) = incubator["conditions"]
    assert cert["fact"] == "certification" and set(cert["value"].split("、")) == {"国家级科技企业孵化器", "省级科技企业孵化器", "众创空间"}
    assert ("location", "in", "河南省", None) in conds(listing)
    assert not any(c["fact"] == "requirement" for c in listing["conditions"])


def test_land_price_floor_fee_cut_and_toll_discount_are_benefits():
    recs = benefits(
        "6．降低要素成本。对用地集约的先进制造业项目，在确定土地出让底价时，可按不低于所在地土地等别相对应《全国工业用地出让最低价标准》的70%执行。"
        "对合法装载的集装箱运输车辆，按照货车计重收费标准的80%计收通行费。（责任单位：省自然资源厅、省交通运输厅）"
    )
    land, toll = recs
    assert land["benefit_kind"] == "用地" and land["rate"] == 70
    assert ("requirement", "has", "用地集约", None) in conds(land)
    assert toll["benefit_kind"] == "费用减免" and toll["rate"] == 80


def test_a_run_in_title_is_not_a_second_record():
    recs = benefits("7．实施稳岗补贴政策。对不裁员或少裁员的参保企业，按其上年度实际缴纳失业保险费的60%给予稳岗补贴。（责任单位：省人社厅）")
    assert len(recs) == 1 and recs[0]["rate"] == 60
