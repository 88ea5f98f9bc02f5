"""PDF text layer: lines in reading order, page marks, ruled tables as rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib import colors, pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from zhengce.model import InputError, LineHint
from zhengce.read import read_file

# Adobe's CID font ships with reportlab (no font file needed) and PDFium maps
# it back to Unicode through the predefined UniGB-UCS2-H CMap.
pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
FONT = "STSong-Light"
ROW = LineHint(table_row=True)

PAGE1 = [
    "吉林省人民政府关于进一步支持专精特新中小企业发展的通知",
    "吉政发〔2021〕14号",
    "一、到2025年，全省财政收入达到800亿元以上。",
    "二、新培育国家级专精特新“小巨人”企业50户。",
]
PAGE2 = ["三、各地要抓好落实。", "吉林省人民政府", "2021年7月22日"]


def text_pdf(path: Path, pages: list[list[str]], **kwargs) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4, **kwargs)
    for lines in pages:
        c.setFont(FONT, 14)
        for i, line in enumerate(lines):
            c.drawString(72, 760 - 28 * i, line)
        c.showPage()
    c.save()
    return path


def test_chinese_lines_and_page_marks(tmp_path):
    [src] = read_file(text_pdf(tmp_path / "通知.pdf", [PAGE1, PAGE2]))
    assert src.format == "pdf"
    assert src.text.split("\n") == PAGE1 + ["\f"] + PAGE2
    assert src.hints == {}


def test_reading_order_across_many_pages(tmp_path):
    pages = [[f"Page {p} line {i}: 2025 target {p * 10 + i}" for i in range(5)] for p in range(1, 4)]
    [src] = read_file(text_pdf(tmp_path / "order.pdf", pages))
    chunks = src.text.split("\n\f\n")
    assert [chunk.split("\n") for chunk in chunks] == pages


def test_empty_page_is_an_empty_line_between_marks(tmp_path):
    [src] = read_file(text_pdf(tmp_path / "gap.pdf", [["第一页"], [], ["第三页"]]))
    assert src.text.split("\n") == ["第一页", "\f", "", "\f", "第三页"]


def table_pdf(path: Path, rows: list[list], font: str = FONT) -> Path:
    style = ParagraphStyle("body", fontName=font, fontSize=12, leading=16)
    table = Table(rows)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("SPAN", (0, len(rows) - 1), (1, len(rows) - 1)),  # last row: first two cells merged
    ]))
    story = [Paragraph("表1 “十四五”时期主要指标", style), Spacer(1, 8), table, Spacer(1, 8),
             Paragraph("以上指标由省统计局负责监测。", style)]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def test_ruled_table_becomes_rows_once_in_place(tmp_path):
    rows = [
        ["指标", "2020年", "2025年"],
        ["地方级财政收入（亿元）", "600", "800"],
        ["专精特新企业（户）", "120", "1000"],
        ["合计", "", "1800"],
    ]
    [src] = read_file(table_pdf(tmp_path / "table.pdf", rows))
    lines = src.text.split("\n")
    assert lines == [
        "表1 “十四五”时期主要指标",
        "指标\t2020年\t2025年",
        "地方级财政收入（亿元）\t600\t800",
        "专精特新企业（户）\t120\t1000",
        "合计\t\t1800",  # merged slot: an empty field, columns stay aligned
        "以上指标由省统计局负责监测。",
    ]
    assert src.hints == {2: ROW, 3: ROW, 4: ROW, 5: ROW}
    assert src.text.count("专精特新企业") == 1  # table text is not duplicated


def test_latin_table_and_wrapped_cell(tmp_path):
    cell = Paragraph("Fiscal revenue target for 2025 in the province, wrapped over lines",
                     ParagraphStyle("c", fontName="Helvetica", fontSize=9, leading=11))
    rows = [["Item", "2020", "2025"], ["Revenue", "600", cell], ["Firms", "120", "1000"], ["Total", "", "1800"]]
    table = Table(rows, colWidths=[120, 60, 120])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("SPAN", (0, 3), (1, 3))]))
    path = tmp_path / "latin.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph("Before the table."), table, Paragraph("After.")])
    [src] = read_file(path)
    assert src.text.split("\n") == [
        "Before the table.",
        "Item\t2020\t2025",
        "Revenue\t600\tFiscal revenue target for 2025 in the province, wrapped over lines",
        "Firms\t120\t1000",
        "Total\t\t1800",
        "After.",
    ]


def test_decorative_line_is_not_a_table(tmp_path):
    # The red rule under a government letterhead is a path, not a table.
    path = tmp_path / "redhead.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(FONT, 20)
    c.drawString(150, 780, "吉林省人民政府文件")
    c.setStrokeColor(colors.red)
    c.line(72, 760, 523, 760)
    c.setFont(FONT, 14)
    c.drawString(72, 730, "吉政发〔2021〕14号")
    c.save()
    [src] = read_file(path)
    assert src.text.split("\n") == ["吉林省人民政府文件", "吉政发〔2021〕14号"]
    assert src.hints == {}


def test_encrypted_pdf(tmp_path):
    path = text_pdf(tmp_path / "加密.pdf", [PAGE1], encrypt="secret")
    with pytest.raises(InputError) as err:
        read_file(path)
    assert err.value.reason == "encrypted PDF"
    assert "加密.pdf" in str(err.value)


def test_owner_password_only_is_readable(tmp_path):
    enc = pdfencrypt.StandardEncryption("", ownerPassword="owner", canPrint=0, canCopy=0)
    [src] = read_file(text_pdf(tmp_path / "restricted.pdf", [PAGE1], encrypt=enc))
    assert src.text.split("\n") == PAGE1


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_pdf(tmp_path, cut):
    data = text_pdf(tmp_path / "full.pdf", [PAGE1, PAGE2]).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(InputError) as err:
        read_file(path)
    assert err.value.reason.startswith("corrupt or truncated PDF")
    assert "cut.pdf" in str(err.value)


def test_garbage_after_header(tmp_path):
    path = tmp_path / "bad.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n")
    with pytest.raises(InputError, match="corrupt or truncated PDF"):
        read_file(path)


def test_scanned_pdf_without_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.rect(72, 72, 400, 600, fill=1)  # stands in for a page image
    c.showPage()
    c.rect(72, 72, 400, 600, fill=1)
    c.save()
    with pytest.raises(InputError) as err:
        read_file(path)
    assert err.value.reason == "no text layer (scanned PDF?)"
