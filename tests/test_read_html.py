"""HTML pages: main content only, headings, tables as rows, charsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhengce.model import LineHint
from zhengce.read import read_file

GOV_PAGE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>关于印发若干措施的通知_吉林省人民政府</title>
<script>var tip = "脚本里的文字不要";</script><style>.title{color:red}</style></head>
<body>
<div class="top"><a href="/">首页</a> <a href="/zw">政务公开</a> <a href="/hd">互动交流</a></div>
<div class="nav"><ul><li><a href="#">省政府文件</a></li><li><a href="#">省政府办公厅文件</a></li></ul></div>
<div class="main">
 <div class="left">
  <div class="article">
   <h1>吉林省人民政府关于进一步支持专精特新中小企业发展的通知</h1>
   <div class="info">发布时间：2021-08-01 来源：<a href="#">省政府办公厅</a></div>
   <div id="zoom" class="TRS_Editor">
    <p>各市（州）人民政府，长白山管委会，省政府各厅委办、各直属机构：</p>
    <p>　　为深入贯彻落实党中央、国务院决策部署，加快培育专精特新“小巨人”企业，
       现提出如下措施。</p>
    <h2>一、总体目标</h2>
    <p>到2025年，全省专精特新中小企业达到1000户以上，财政收入年均增长6%&nbsp;左右&hellip;&lt;注&gt;</p>
    <table border="1"><caption>表1 主要指标</caption>
     <tr><th>指标</th><th>2020年</th><th>2025年</th></tr>
     <tr><td rowspan="2">企业数（户）</td><td>120</td><td>300</td></tr>
     <tr><td>150</td><td>400</td></tr>
     <tr><td colspan="2"><p>合计</p></td><td>700</td></tr>
    </table>
    <h3>（一）加大财政支持</h3>
    <div>第一行<br>第二行<br/><br/>第三行</div>
    <p style="display:none">隐藏的文字</p>
    <form><input value="搜索"><button>提交</button></form>
   </div>
  </div>
 </div>
 <div class="right"><h3>相关文件</h3><ul><li><a href="#">关于某某的通知</a></li><li><a href="#">关于另一个的通知</a></li></ul></div>
</div>
<div class="footer">主办：吉林省人民政府办公厅　地址：长春市人民大街　网站标识码：2200000001</div>
<footer>版权所有</footer>
</body></html>"""

EXPECTED = [
    ("吉林省人民政府关于进一步支持专精特新中小企业发展的通知", LineHint(heading=1)),
    ("各市（州）人民政府，长白山管委会，省政府各厅委办、各直属机构：", None),
    ("　　为深入贯彻落实党中央、国务院决策部署，加快培育专精特新“小巨人”企业， 现提出如下措施。", None),
    ("一、总体目标", LineHint(heading=2)),
    ("到2025年，全省专精特新中小企业达到1000户以上，财政收入年均增长6% 左右…<注>", None),
    ("表1 主要指标", None),
    ("指标\t2020年\t2025年", LineHint(table_row=True)),
    ("企业数（户）\t120\t300", LineHint(table_row=True)),
    ("\t150\t400", LineHint(table_row=True)),  # the rowspan slot stays an empty cell
    ("合计\t\t700", LineHint(table_row=True)),  # colspan: written once, column kept
    ("（一）加大财政支持", LineHint(heading=3)),
    ("第一行", None),
    ("第二行", None),
    ("第三行", None),
]


def check(src, expected):
    lines = src.text.split("\n")
    assert lines == [text for text, _ in expected]
    assert src.hints == {i: hint for i, (_, hint) in enumerate(expected, 1) if hint}


def test_government_page_in_gbk(tmp_path):
    path = tmp_path / "t20210801_123.html"
    path.write_bytes(GOV_PAGE.encode("gbk"))
    [src] = read_file(path)
    assert src.format == "html"
    assert src.encoding == "gb18030"  # gb2312 label, read with the superset
    check(src, EXPECTED)
    for furniture in ("首页", "省政府文件", "相关文件", "主办", "版权所有", "脚本", "隐藏", "搜索", "发布时间"):
        assert furniture not in src.text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "gb18030"])
def test_same_page_other_encodings_and_no_extension(tmp_path, encoding):
    page = GOV_PAGE.replace("charset=gb2312", f"charset={encoding}")
    path = tmp_path / "page"  # no extension: sniffed from the content
    path.write_bytes(page.encode(encoding))
    [src] = read_file(path)
    assert src.format == "html"
    check(src, EXPECTED)


def test_lying_meta_charset_falls_back_to_content(tmp_path):
    # Declared GBK, actually UTF-8: valid UTF-8 wins.
    path = tmp_path / "a.htm"
    path.write_bytes(GOV_PAGE.encode("utf-8"))
    [src] = read_file(path)
    assert src.encoding == "utf-8"
    check(src, EXPECTED)


def test_big5_page_without_meta(tmp_path):
    page = "<html><body><p>關於促進中小企業發展的若干措施</p><p>財政收入年均增長百分之六。</p></body></html>"
    path = tmp_path / "tw.html"
    path.write_bytes(page.encode("big5"))
    [src] = read_file(path)
    assert src.encoding == "big5"
    assert src.text == "關於促進中小企業發展的若干措施\n財政收入年均增長百分之六。"


def test_old_style_layout_table_page(tmp_path):
    # 2000s government site: layout tables, <font>, <br> paragraphs, no <p>.
    page = """<html><head><meta charset="gbk"></head><body>
    <table width="100%"><tr><td><a href="/">首页</a></td><td><a href="/a">机构</a></td></tr></table>
    <table width="980"><tr><td width="200"><a href="#">导航一</a><br><a href="#">导航二</a></td>
    <td class="bt"><table><tr><td><b>关于做好2022年财政预算工作的通知</b></td></tr>
    <tr><td class="content"><font size="3">　　各县（市、区）财政局：<br>　　为做好2022年财政预算编制工作，现将有关事项通知如下。<br>
    　　一、全面落实过紧日子要求，压减一般性支出。<br>　　二、强化预算绩效管理。</font></td></tr></table></td></tr></table>
    <table><tr><td>版权所有 某某市财政局</td></tr></table></body></html>"""
    path = tmp_path / "old.html"
    path.write_bytes(page.encode("gbk"))
    [src] = read_file(path)
    assert src.text.split("\n") == [
        "关于做好2022年财政预算工作的通知",
        "　　各县（市、区）财政局：",
        "　　为做好2022年财政预算编制工作，现将有关事项通知如下。",
        "　　一、全面落实过紧日子要求，压减一般性支出。",
        "　　二、强化预算绩效管理。",
    ]
    assert src.hints == {}


def test_article_element_with_own_header(tmp_path):
    page = """<!doctype html><html><body><header>网站头部导航文字很多很多</header>
    <article><header><h1>发展规划</h1></header><p>第一段内容，推动高质量发展。</p>
    <ul><li>目标一</li><li>目标二</li></ul><pre>  代码  保留
  第二行</pre><footer>（此件公开发布）</footer></article></body></html>"""
    path = tmp_path / "a.html"
    path.write_text(page, encoding="utf-8")
    [src] = read_file(path)
    assert src.text.split("\n") == [
        "发展规划", "第一段内容，推动高质量发展。", "目标一", "目标二", "  代码  保留", "  第二行", "（此件公开发布）",
    ]
    assert src.hints == {1: LineHint(heading=1)}


def test_html_without_text_is_an_error(tmp_path):
    from zhengce.model import InputError

    path = tmp_path / "empty.html"
    path.write_text("<html><body><script>x()</script><nav><a href='/'>首页</a></nav></body></html>")
    with pytest.raises(InputError) as err:
        read_file(path)
    assert err.value.reason == "no text"
    assert "empty.html" in str(err.value)


def test_markdown_with_inline_html_stays_text(tmp_path):
    path = tmp_path / "gazette.txt"
    path.write_text("# 公报\n\n注释<sup>①</sup>见文末。\n", encoding="utf-8")
    [src] = read_file(path)
    assert src.format == "markdown"
    assert src.text == "# 公报\n\n注释<sup>①</sup>见文末。\n"


def test_fixture_file_is_written(tmp_path: Path):
    # Guard for the tests above: the page is GBK-encodable as written.
    assert GOV_PAGE.encode("gbk").decode("gbk") == GOV_PAGE
