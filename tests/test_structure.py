"""Structure on documents written for the tests, in the register of other provinces."""

from __future__ import annotations

from zhengce.model import Source
from zhengce.pipeline import parse_source

BUNDLE = """# 广东省人民政府公报

目 录

广东省人民政府关于支持制造业高质量发展的若干措施.....3

## 广东省人民政府关于支持制造业高质量发展的若干措施

粤府〔2023〕12号

各地级以上市人民政府，省政府各部门：

现将有关措施通知如下：

### 一、加大财政支持

（一）支持企业技术改造。对总投资5000万元以上的技改项目，按设备投资额的10%给予补助，最高不超过1000万元。（责任单位：省工业和信息化厅、省财政厅）

（二）支持首台套应用。对首台套装备给予保费补贴。（省工业和信息化厅负责，省财政厅配合）

### 二、强化要素保障

（三）保障项目用地。优先安排重大项目用地指标。（各地级以上市人民政府按职责分工负责）

广东省人民政府

2023年5月8日

## 广东省人民政府办公厅关于印发广州都市圈发展规划（2023—2035年）的通知

粤府办〔2023〕7号

各地级以上市人民政府：

《广州都市圈发展规划（2023—2035年）》已经省人民政府同意，现印发给你们，请认真组织实施。

广东省人民政府办公厅

2023年6月1日

### 广州都市圈发展规划（2023—2035年）

第一章 发展基础

第一节 主要成就

一、经济实力显著增强

地区生产总值稳步增长。2022年地区生产总值达到3.2万亿元<sup>①</sup>，年均增长6%。

专栏1 重大交通项目

广佛城际铁路项目：建设线路全长40公里。

佛莞城际铁路项目：建设线路全长37公里。

第二节 发展环境

——机遇。新一轮科技革命深入发展。

注：①数据来源于统计年鉴。
"""


def parse(text: str, fmt: str = "markdown"):
    return parse_source(Source(path="bundle.md", text=text, format=fmt))


def test_bundle_split_with_elements():
    docs = parse(BUNDLE)
    assert [(d.doc_number, d.date, d.issuer) for d in docs] == [
        ("粤府〔2023〕12号", "2023-05-08", "广东省人民政府"),
        ("粤府办〔2023〕7号", "2023-06-01", "广东省人民政府办公厅"),
    ]
    assert docs[0].title == "广东省人民政府关于支持制造业高质量发展的若干措施"
    assert docs[0].elements["addressee"] == "各地级以上市人民政府，省政府各部门："
    assert docs[0].elements["signature"] == "广东省人民政府"
    # The cover and its contents are not part of any document.
    assert "公报" not in docs[0].text
    assert docs[1].elements["attachments"] == ["广州都市圈发展规划（2023—2035年）"]


def test_items_headings_and_responsibility_tags():
    d = parse(BUNDLE)[0]
    kinds = [(n.kind, n.label) for n in d.nodes if n.label]
    assert kinds == [("heading", "一、"), ("item", "（一）"), ("item", "（二）"), ("heading", "二、"), ("item", "（三）")]
    items = [n for n in d.nodes if n.kind == "item"]
    assert [i.title for i in items] == ["支持企业技术改造", "支持首台套应用", "保障项目用地"]
    assert items[0].attrs["responsibility"] == ["责任单位：省工业和信息化厅、省财政厅"]
    assert items[1].attrs["responsibility"] == ["省工业和信息化厅负责，省财政厅配合"]
    assert items[2].attrs["responsibility"] == ["各地级以上市人民政府按职责分工负责"]
    heads = {n.id: n for n in d.nodes if n.kind == "heading"}
    assert heads[items[2].parent].label == "二、"


def test_attached_plan_outline_boxes_bullets_and_notes():
    plan = parse(BUNDLE)[1]
    nodes = {n.id: n for n in plan.nodes}
    (attached,) = [n for n in plan.nodes if n.kind == "attachment"]
    chapter = next(n for n in plan.nodes if n.kind == "chapter")
    section = next(n for n in plan.nodes if n.kind == "section")
    heading = next(n for n in plan.nodes if n.kind == "heading")
    assert (chapter.parent, section.parent, heading.parent) == (attached.id, chapter.id, section.id)
    lead = next(n for n in plan.nodes if n.kind == "paragraph" and n.title)
    assert lead.title == "地区生产总值稳步增长"
    box = next(n for n in plan.nodes if n.kind == "box")
    assert (box.label, box.title) == ("专栏1", "重大交通项目")
    items = [n for n in plan.nodes if n.kind == "box_item"]
    assert [i.title for i in items] == ["广佛城际铁路项目", "佛莞城际铁路项目"]
    assert all(i.parent == box.id for i in items)
    bullet = next(n for n in plan.nodes if n.kind == "bullet")
    assert bullet.title == "机遇"
    (note,) = [n for n in plan.nodes if n.kind == "endnote"]
    assert nodes[note.attrs["ref_node"]].title == "地区生产总值稳步增长"
    # Spans are exact: a node's text is the document text at its span.
    for n in plan.nodes:
        assert plan.text[n.start : n.end] == n.text


def test_toc_checked_against_body():
    text = "目 录\n\n一、总体要求.....1\n\n二、重点任务.....3\n\n三、保障措施.....5\n\n某某市数字经济发展规划\n\n一、总体要求\n\n正文内容，坚持创新驱动。\n\n二、主要任务\n\n正文内容。\n\n三、保障措施\n\n加强领导。"
    (d,) = parse(text, "text")
    assert [(e["label"], e["title"], e["page"], bool(e["node"])) for e in d.toc] == [
        ("一、", "总体要求", 1, True),
        ("二、", "重点任务", 3, False),
        ("三、", "保障措施", 5, True),
    ]
    assert [n.kind for n in d.notes] == ["toc_mismatch"]


def test_single_document_without_title_keeps_all_text():
    (d,) = parse("一、发展基础\n\n近年来综合实力持续增强。\n\n二、发展目标\n\n到2025年，地区生产总值达到500亿元。", "text")
    assert d.title is None and d.doc_number is None
    assert d.text.startswith("一、发展基础") and d.text.endswith("500亿元。")
    assert d.line_start == 1 and d.line_end == 7
