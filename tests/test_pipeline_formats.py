"""Whole pipeline on real PDF, .docx and HTML files made by the tests."""

from __future__ import annotations

import docx
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from zhengce.pipeline import parse_source
from zhengce.read import read_file

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))

WRAP = 20  # full-width characters per printed line (ASCII counts half, as typeset)


def _wrap(paragraph: str) -> list[str]:
    lines, cur, width = [], "", 0.0
    for ch in paragraph:
        w = 0.5 if ch.isascii() else 1.0
        if width + w > WRAP:
            lines.append(cur)
            cur, width = "", 0.0
        cur += ch
        width += w
    return lines + [cur]


def test_pdf_hard_wraps_page_breaks_and_folios(tmp_path):
    paras = [
        "山东省人民政府关于支持数字经济发展的若干措施",
        "一、加大资金支持",
        "1．对新认定的数字经济重点企业给予一次性奖励50万元，所需资金由省级财政承担，各市按规定配套落实。",
        "2．对年度研发投入超过1000万元的企业，按投入增量的10%给予补助，单个企业最高不超过300万元。",
        "二、强化人才保障",
        "3．对引进的高层次人才给予安家补贴。",
    ]
    lines = [paras[0]] + [ln for p in paras[1:] for ln in _wrap(p)]
    pages = [lines[:5] + ["- 1 -"], lines[5:] + ["- 2 -"]]
    path = tmp_path / "措施.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for page in pages:
        c.setFont("STSong-Light", 12)
        for i, ln in enumerate(page):
            c.drawString(72, 760 - 24 * i, ln)
        c.showPage()
    c.save()

    (source,) = read_file(path)
    (doc,) = parse_source(source)
    assert doc.title == paras[0]
    assert doc.text.split("\n") == paras
    assert doc.repairs["page_furniture"] >= 2
    items = [n for n in doc.nodes if n.attrs.get("style") == "num_dot"]
    assert [i.label for i in items] == ["1.", "2.", "3."]
    # The item that crosses the page break maps back to lines on both pages.
    second = items[1]
    assert second.line_end > second.line_start


def test_docx_headings_tables_and_items(tmp_path):
    d = docx.Document()
    d.add_heading("江苏省人民政府办公厅关于印发中小企业纾困措施的通知", level=1)
    d.add_paragraph("苏政办发〔2023〕9号")
    d.add_paragraph("各设区市人民政府：")
    d.add_paragraph("一、减轻税费负担")
    d.add_paragraph("（一）落实减税政策。对月销售额10万元以下的小规模纳税人免征增值税。（责任单位：省税务局）")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "目标值"
    table.cell(1, 0).text, table.cell(1, 1).text = "新增市场主体", "10万户"
    d.add_paragraph("江苏省人民政府办公厅")
    d.add_paragraph("2023年4月6日")
    path = tmp_path / "纾困.docx"
    d.save(path)

    (doc,) = parse_source(read_file(path)[0])
    assert (doc.doc_number, doc.date, doc.issuer) == ("苏政办发〔2023〕9号", "2023-04-06", "江苏省人民政府办公厅")
    assert "指标\t目标值\n新增市场主体\t10万户" in doc.text
    item = next(n for n in doc.nodes if n.kind == "item")
    assert item.attrs["responsibility"] == ["责任单位：省税务局"]


def test_html_article_without_navigation(tmp_path):
    html = """<html><head><meta charset="gbk"><title>政策</title><style>p{}</style></head><body>
    <div class="nav"><a href="/">首页</a> <a href="/zc">政策</a></div>
    <div class="article"><h1>河北省人民政府关于促进民营经济发展的意见</h1>
    <p>冀政字〔2022〕18号</p><p>各市人民政府：</p>
    <p>一、优化发展环境</p>
    <p>（一）降低准入门槛。全面实施市场准入负面清单制度，推进一网通办。</p>
    <p>（二）加强要素保障。优先保障民营企业用地需求。</p></div>
    <script>var x = 1;</script><div class="footer">版权所有</div></body></html>"""
    path = tmp_path / "page.html"
    path.write_bytes(html.encode("gbk"))
    (doc,) = parse_source(read_file(path)[0])
    assert doc.title == "河北省人民政府关于促进民营经济发展的意见"
    assert doc.doc_number == "冀政字〔2022〕18号"
    assert [n.label for n in doc.nodes if n.kind == "item"] == ["（一）", "（二）"]
    assert "首页" not in doc.text and "版权所有" not in doc.text and "var x" not in doc.text
