""".docx: body order, heading styles, tables as rows, numbering, footnotes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from zhengce.model import InputError, LineHint
from zhengce.read import read_file
from zhengce.read.docx import format_number

H = LineHint
MC_NS = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
WPS_NS = 'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
ROW = LineHint(table_row=True)


def lines_and_hints(src):
    lines = src.text.split("\n")
    return [(line, src.hints.get(i)) for i, line in enumerate(lines, 1)]


def build_policy_docx(path: Path) -> None:
    d = docx.Document()
    d.add_heading("关于支持专精特新中小企业高质量发展的若干措施", 0)
    d.add_paragraph("各市（州）人民政府，省政府各厅委办：")
    d.add_paragraph("")  # layout: kept as an empty line
    d.add_heading("一、总体要求", 1)
    p = d.add_paragraph("到2025年，全省地方级财政收入达到")
    p.add_run("1200亿元").bold = True
    p.add_run("以上，专精特新企业超过1000户。")
    d.add_heading("（一）培育目标", 2)
    t = d.add_table(rows=4, cols=3)
    for r, row in enumerate([["指标", "2020年", "2025年"], ["专精特新企业（户）", "120", "1000"],
                             ["“小巨人”企业（户）", "12", "80"]]):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    merged = t.cell(3, 0).merge(t.cell(3, 1))  # horizontal merge (gridSpan)
    merged.text = "合计"
    t.cell(3, 2).text = "1080"
    d.add_heading("（二）保障措施", 2)
    t2 = d.add_table(rows=2, cols=2)
    v = t2.cell(0, 0).merge(t2.cell(1, 0))  # vertical merge (vMerge)
    v.text = "省财政厅"
    t2.cell(0, 1).text = "牵头负责"
    t2.cell(1, 1).text = "按年度考核"
    d.add_paragraph("第一行")
    p = d.paragraphs[-1]
    p.add_run().add_break()  # soft line break → new line
    p.add_run("第二行\t附表")
    d.add_heading("附则", 3)
    d.add_paragraph("本措施自印发之日起施行。")
    d.save(path)


def test_paragraphs_headings_tables_in_body_order(tmp_path):
    path = tmp_path / "措施.docx"
    build_policy_docx(path)
    [src] = read_file(path)
    assert src.format == "docx"
    assert lines_and_hints(src) == [
        ("关于支持专精特新中小企业高质量发展的若干措施", H(heading=1)),  # Title style
        ("各市（州）人民政府，省政府各厅委办：", None),
        ("", None),
        ("一、总体要求", H(heading=1)),
        ("到2025年，全省地方级财政收入达到1200亿元以上，专精特新企业超过1000户。", None),
        ("（一）培育目标", H(heading=2)),
        ("指标\t2020年\t2025年", ROW),
        ("专精特新企业（户）\t120\t1000", ROW),
        ("“小巨人”企业（户）\t12\t80", ROW),
        ("合计\t\t1080", ROW),  # merged cell once, its second grid column empty
        ("（二）保障措施", H(heading=2)),
        ("省财政厅\t牵头负责", ROW),
        ("\t按年度考核", ROW),  # vertical continuation: empty, not repeated
        ("第一行", None),
        ("第二行\t附表", None),
        ("附则", H(heading=3)),
        ("本措施自印发之日起施行。", None),
    ]


def test_chinese_heading_style_names_and_outline_levels(tmp_path):
    d = docx.Document()
    styles = d.styles
    from docx.enum.style import WD_STYLE_TYPE

    cn = styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)  # WPS names its styles in Chinese
    custom = styles.add_style("公文一级标题", WD_STYLE_TYPE.PARAGRAPH)
    custom.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    derived = styles.add_style("我的标题", WD_STYLE_TYPE.PARAGRAPH)
    derived.base_style = styles["Heading 3"]
    d.add_paragraph("第一章 总则", style=custom)
    d.add_paragraph("第一节 目标", style=cn)
    d.add_paragraph("一、主要任务", style=derived)
    d.add_paragraph("正文。")
    path = tmp_path / "styles.docx"
    d.save(path)
    [src] = read_file(path)
    assert src.hints == {1: H(heading=1), 2: H(heading=2), 3: H(heading=3)}


def _add_abstract_num(d, abstract_id: int, num_id: int, levels: list[tuple[str, str]]) -> None:
    numbering = d.part.numbering_part.element
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        f'<w:suff w:val="nothing"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    absn = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>')
    first_num = numbering.find(qn("w:num"))
    first_num.addprevious(absn)  # abstractNum elements come before num elements
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'))


def _numbered(d, text: str, num_id: int, ilvl: int):
    p = d.add_paragraph(text)
    p._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return p


def test_automatic_chinese_numbering_is_rendered(tmp_path):
    d = docx.Document()
    _add_abstract_num(d, 90, 90, [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")])
    for text, lvl in [("总体要求", 0), ("指导思想", 1), ("发展目标", 1), ("到2025年", 2), ("到2035年", 2),
                      ("重点任务", 0), ("培育企业", 1)]:
        _numbered(d, text, 90, lvl)
    d.add_paragraph("正文段落。", style="List Number")  # the template's decimal list via the style
    path = tmp_path / "numbered.docx"
    d.save(path)
    [src] = read_file(path)
    assert src.text.split("\n") == [
        "一、总体要求", "（一）指导思想", "（二）发展目标", "1.到2025年", "2.到2035年",
        "二、重点任务", "（一）培育企业", "1.\t正文段落。",
    ]


@pytest.mark.parametrize(("n", "fmt", "expected"), [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
    (21, "chineseCountingThousand", "二十一"), (105, "chineseCounting", "一百零五"),
    (110, "chineseCounting", "一百一十"), (3, "chineseLegalSimplified", "叁"), (2, "ideographTraditional", "乙"),
    (3, "decimalEnclosedCircle", "③"), (4, "upperRoman", "IV"), (28, "lowerLetter", "bb"),
    (7, "decimalFullWidth", "７"), (5, "decimal", "5"),
])
def test_number_formats(n, fmt, expected):
    assert format_number(n, fmt) == expected


def _add_footnotes_part(path: Path, notes: dict[int, str]) -> None:
    """python-docx cannot write footnotes: add word/footnotes.xml by hand."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join(
        f'<w:footnote w:id="{i}"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote>'
        for i, text in notes.items()
    )
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {w}>'
           f'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>{body}</w:footnotes>')
    src = zipfile.ZipFile(path)
    members = {name: src.read(name) for name in src.namelist()}
    src.close()
    members["word/footnotes.xml"] = xml.encode()
    rels = members["word/_rels/document.xml.rels"].decode()
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdFn" Type="http://schemas.openxmlformats.org/'
                        'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>')
    members["word/_rels/document.xml.rels"] = rels.encode()
    ct = members["[Content_Types].xml"].decode()
    ct = ct.replace("</Types>", '<Override PartName="/word/footnotes.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>')
    members["[Content_Types].xml"] = ct.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)


def test_footnotes_text_boxes_fields_and_tracked_changes(tmp_path):
    d = docx.Document()
    p = d.add_paragraph("城镇化率达到67%")
    p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:footnoteReference w:id="7"/></w:r>'))
    p.add_run("以上。")
    # tracked changes: the deletion is gone, the insertion is kept
    p2 = d.add_paragraph("财政收入")
    p2._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="a"><w:r><w:delText>60</w:delText></w:r></w:del>'))
    p2._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="2" w:author="a"><w:r><w:t>80</w:t></w:r></w:ins>'))
    p2.add_run("亿元")
    # a field: the code is hidden, the result shown
    p3 = d.add_paragraph("见第")
    p3._p.append(parse_xml(
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>'))
    p3._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:instrText> PAGEREF _Toc1 \\h </w:instrText></w:r>'))
    p3._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>'))
    p3._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>5</w:t></w:r>'))
    p3._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'))
    p3.add_run("页")
    # a text box anchored in a paragraph (with the VML fallback copy, read once)
    box = ('<w:p><w:r><w:t>专栏1 重点项目</w:t></w:r></w:p><w:p><w:r><w:t>长春新区产业园</w:t></w:r></w:p>')
    anchor = d.add_paragraph("正文")
    anchor._p.append(parse_xml(
        f'<w:r {nsdecls("w")} {MC_NS} {WPS_NS} xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        f'<wps:txbx><w:txbxContent>{box}</w:txbxContent></wps:txbx></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><v:textbox><w:txbxContent>{box}</w:txbxContent></v:textbox></w:pict></mc:Fallback>'
        f'</mc:AlternateContent></w:r>'))
    path = tmp_path / "notes.docx"
    d.save(path)
    _add_footnotes_part(path, {7: "按常住人口计算。"})
    [src] = read_file(path)
    assert src.text.split("\n") == [
        "城镇化率达到67%¹以上。",
        "财政收入80亿元",
        "见第5页",
        "正文",
        "专栏1 重点项目",
        "长春新区产业园",
        "",
        "¹ 按常住人口计算。",
    ]


def test_truncated_docx(tmp_path):
    good = tmp_path / "good.docx"
    build_policy_docx(good)
    data = good.read_bytes()
    bad = tmp_path / "半截.docx"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as err:
        read_file(bad)
    assert "半截.docx" in str(err.value)
    assert err.value.reason.startswith("corrupt or truncated docx")


def test_docx_without_text(tmp_path):
    d = docx.Document()
    d.add_paragraph("")
    d.add_paragraph("   ")
    path = tmp_path / "blank.docx"
    d.save(path)
    with pytest.raises(InputError, match="no text"):
        read_file(path)


def test_docx_detected_by_content(tmp_path):
    path = tmp_path / "download.bin"
    build_policy_docx(path)
    [src] = read_file(path)
    assert src.format == "docx"
