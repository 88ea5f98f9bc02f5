"""Restoration on short texts written for the tests (not from the corpus): the
rules must hold on any province's documents."""

from __future__ import annotations

import re

import opencc
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengce.model import Source
from zhengce.restore import restore

t2s = opencc.OpenCC("t2s").convert


def run(text: str, **kw):
    r = restore(Source(path="t.txt", text=text, format=kw.get("format", "text")))
    return r


def paras(text: str) -> list[str]:
    return run(text).mt.text.split("\n")


def test_page_break_inside_a_word_is_joined_without_space():
    text = (
        "（三）支持企业加大研发投入。鼓励企业建立研发准备金制度，对符合条件的科技型中小企业给予研\n\n"
        "发费用补助，每户最高不超过50万元。\n\n"
        "（四）优化审批服务。"
    )
    assert paras(text) == [
        "（三）支持企业加大研发投入。鼓励企业建立研发准备金制度，对符合条件的科技型中小企业给予研发费用补助，每户最高不超过50万元。",
        "（四）优化审批服务。",
    ]
    assert run(text).events.count(("page_break_joins", text.index("发费用"))) == 1


def test_signature_date_and_document_number_are_not_joined():
    text = "湖南省人民政府关于促进中小企业发展的意见\n\n湘政发〔2022〕5号\n\n各市州人民政府：\n\n现提出以下意见。\n\n湖南省人民政府\n\n2022年3月1日"
    assert paras(text) == ["湖南省人民政府关于促进中小企业发展的意见", "湘政发〔2022〕5号", "各市州人民政府：", "现提出以下意见。", "湖南省人民政府", "2022年3月1日"]


def test_hard_wrapped_pdf_text_is_reflowed_into_paragraphs():
    # Lines wrapped at 20 characters, a blank line after each, items numbered １．
    body = [
        "一、财税支持",
        "１\ue010对新认定的高新技术企业，给予一次性奖",
        "励３０万元，所需资金由市财政承担。对年研",
        "发投入超过５００万元的企业，按投入的５％",
        "给予补助。",
        "２\ue010对上市企业给予奖励，最高不超过２００",
        "万元，分阶段拨付到位，由市金融办牵头负责",
        "组织实施并做好政策解读和宣传推广工作。",
        "二、用地保障",
    ] * 3
    got = paras("\n\n".join(body))
    assert got[0] == "一、财税支持"
    assert got[1] == "1．对新认定的高新技术企业，给予一次性奖励30万元，所需资金由市财政承担。对年研发投入超过500万元的企业，按投入的5%给予补助。"
    assert got[2].startswith("2．对上市企业给予奖励，最高不超过200万元，分阶段拨付到位")
    assert got[3] == "二、用地保障"
    r = run("\n\n".join(body))
    assert sum(1 for n, _ in r.events if n == "line_wraps") == 15


def test_markup_residue_is_removed_and_heading_marks_kept_as_hints():
    text = "## 第一章 总体要求\n\n[bookmark: _Toc123]（一）指导思想\n\n面积达到 80 平方公里<sup>②</sup>，PM<sub>2.5</sub>浓度下降&nbsp;10%。"
    r = run(text)
    assert r.mt.text.split("\n") == ["第一章 总体要求", "（一）指导思想", "面积达到80平方公里②，PM2.5浓度下降10%。"]
    assert r.hints[1].heading == 2


def test_fullwidth_ascii_private_use_dot_and_chinese_punctuation():
    got = paras("１\ue010担保费率下调至１\ue010５％，ＰＰＰ模式；总投资１，０００万元。")
    assert got == ["1．担保费率下调至1.5%，PPP模式；总投资1，000万元。"]


def test_ascii_punctuation_in_chinese_text_becomes_full_width_but_not_in_numbers():
    got = paras("三次产业结构为7.8:48.9:43.3,比重提高;效益明显(见附表)。")
    assert got == ["三次产业结构为7.8:48.9:43.3，比重提高；效益明显（见附表）。"]


def test_stray_spaces_removed_but_real_ones_kept():
    got = paras("单户授信总额 1000 万元以下（含） 的贷款，“ 十四五 ” 期间建设 1 x 30MW 机组。\n\n第三章  推进城乡融合")
    assert got == ["单户授信总额1000万元以下（含）的贷款，“十四五”期间建设1 x 30MW机组。", "第三章 推进城乡融合"]


def test_page_folios_and_page_marks_removed():
    text = "（一）加强统筹。建立联席会议制度，定期研究解决\n\n—１２—\n\n重大问题。\n\n- 13 -\n\n第 14 页 共 20 页\n\n（二）强化考核。"
    assert paras(text) == ["（一）加强统筹。建立联席会议制度，定期研究解决重大问题。", "（二）强化考核。"]


def test_toc_leaders_removed_and_page_kept_as_hint():
    r = run("目 录\n一、总体要求.......\t3\n（一）指导思想......... 4\n一、总体要求\n正文。")
    assert r.mt.text.split("\n")[:3] == ["目录", "一、总体要求", "（一）指导思想"]
    assert r.hints[2].toc_page == 3 and r.hints[3].toc_page == 4


def test_bang_and_quote_brackets_restored():
    assert paras('（责任单位：市科技局!市外国专家局"、市财政局）') == ["（责任单位：市科技局（市外国专家局）、市财政局）"]


def test_traditional_document_is_simplified_and_variants_reported():
    trad = "推進數字政府建設，優化營商環境，擴大對外開放。" * 3
    assert paras(trad)[0].startswith("推进数字政府建设，优化营商环境")
    filler = "坚持新发展理念，推动高质量发展，深化改革开放，增进民生福祉，建设现代化经济体系。" * 3
    r = run("推动延边朝鲜族自治州琿春市口岸建设，完善全麵开放的基础设施。" + filler)
    assert r.mt.text == "推动延边朝鲜族自治州珲春市口岸建设，完善全面开放的基础设施。" + filler
    assert {n.kind for n in r.notes} == {"variant"}


def test_noise_is_reported_not_fixed():
    text = "推进行政管理 and 城镇化相匹配。\n\n（待核实）\n\n智慧城市项目：建设数据中心。\n\n全市交通规划示意图\n\n交通网络不断完善，道路里程持续增长。"
    r = run(text)
    kinds = [n.kind for n in r.notes]
    assert "foreign_word" in kinds and "editor_note" in kinds and "missing_figure" in kinds
    assert "and" in r.mt.text and "（待核实）" in r.mt.text


def test_footnote_inside_split_paragraph_is_moved_after_it():
    text = (
        "加快建设“两横两纵”¹骨干路网，推进城乡交通一体化，完善\n\n"
        "¹ 两横两纵：两横即北线和南线；两纵即东线和西线。\n\n"
        "农村公路网络，提升服务水平。"
    )
    assert paras(text) == [
        "加快建设“两横两纵”¹骨干路网，推进城乡交通一体化，完善农村公路网络，提升服务水平。",
        "¹两横两纵：两横即北线和南线；两纵即东线和西线。",
    ]


def test_lost_text_before_a_heading_is_reported():
    r = run("加强人才培养。推进校企合作，建立实训基地，深化产教融合，积极承办各类职业技能竞赛和学术交流活\n\n二、保障措施")
    assert [n.kind for n in r.notes] == ["lost_text"]
    assert r.notes[0].line == 1


# ---- properties -----------------------------------------------------------

CJK_TEXT = st.text(alphabet="发展改革委员会财政厅推进建设数字政府优化营商环境企业项目", min_size=1, max_size=30)
PIECE = st.one_of(
    CJK_TEXT,
    st.sampled_from(["，", "。", "、", "；", " ", "  ", "\n", "\n\n", "（一）", "一、", "1.", "第二章 ", "2021年", " 300 万元", "——", "\t", "１５％", "专栏1 "]),
)
DOC = st.lists(PIECE, min_size=1, max_size=40).map("".join)


def _cjk(s: str) -> list[str]:
    return sorted(re.findall(r"[\u4e00-\u9fff]", s))


@settings(max_examples=150, deadline=None)
@given(DOC)
def test_character_map_is_monotonic(text):
    r = run(text)
    o = r.mt.origin
    assert len(o) == len(r.mt.text) + 1
    assert all(o[i] <= o[i + 1] for i in range(len(o) - 1))
    assert all(0 <= x <= len(text) for x in o)


@settings(max_examples=150, deadline=None)
@given(DOC)
def test_restoration_never_drops_a_chinese_character(text):
    r = run(text)
    assert _cjk(r.mt.text) == _cjk(t2s(text))


@settings(max_examples=100, deadline=None)
@given(DOC)
def test_every_restored_cjk_character_maps_to_itself_in_the_source(text):
    r = run(text)
    for i, ch in enumerate(r.mt.text):
        if "\u4e00" <= ch <= "\u9fff":
            assert t2s(text[r.mt.origin[i]]) == ch
