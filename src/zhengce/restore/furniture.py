"""Page furniture: folios, page numbers, running headers, page marks, TOC leaders.

Only lines that are furniture as a whole are removed; a page number is never
cut out of a sentence.  Removed lines leave an empty line behind so that the
reflow pass still sees the page break they stood for.
"""

from __future__ import annotations

import re
from collections import Counter

from ..model import LineHint
from ..textmap import Edit, non_overlapping
from .context import PassContext

_DIGIT = "0-9０-９"
_FOLIO = re.compile(
    rf"^[ \t\u3000]*(?:[—\-–－―]{{1,2}}[ \t\u3000]*[{_DIGIT}]{{1,4}}[ \t\u3000]*[—\-–－―]{{1,2}}"
    rf"|第[ \t]*[{_DIGIT}]{{1,4}}[ \t]*页(?:[ \t]*[,，/]?[ \t]*共[ \t]*[{_DIGIT}]{{1,4}}[ \t]*页)?"
    rf"|[{_DIGIT}]{{1,4}}[ \t]*/[ \t]*[{_DIGIT}]{{1,4}}"
    rf"|[-—][ \t]*[{_DIGIT}]{{1,4}}[ \t]*[-—]"
    rf")[ \t\u3000]*$",
    re.M,
)
_FORM_FEED = re.compile(r"\f")
_BARE_NUMBER = re.compile(rf"^[ \t]*[{_DIGIT}]{{1,4}}[ \t]*$", re.M)
# A TOC entry: title, a run of leader dots, a page number ("(一) 发展基础.....\t5").
# (Starts at the dots, not at optional blanks: a leading [ \t]* is tried at every position.)
_TOC_LEADER = re.compile(rf"(?:[.．…·•。]{{3,}}|…{{2,}})[ \t]*\(?[ \t]*([{_DIGIT}]{{1,4}})[ \t]*\)?[ \t]*$", re.M)


def page_furniture(ctx: PassContext) -> list[Edit]:
    text = ctx.text
    edits: list[Edit] = [(m.start(), m.end(), "") for m in _FOLIO.finditer(text)]
    edits += [(m.start(), m.end(), "") for m in _FORM_FEED.finditer(text)]
    if "\f" in text:
        # With real page marks a bare number next to one is a page number.
        for m in _BARE_NUMBER.finditer(text):
            before = text.rfind("\n", 0, max(m.start() - 1, 0))
            window = text[max(before - 2, 0) : m.end() + 3]
            if "\f" in window:
                edits.append((m.start(), m.end(), ""))
    edits += _running_headers(ctx)
    return non_overlapping(edits)


def _running_headers(ctx: PassContext) -> list[Edit]:
    """Short lines repeated at page boundaries (needs page marks to be sure)."""
    text = ctx.text
    if text.count("\f") < 3:
        return []
    pages = text.split("\f")
    firsts: Counter[str] = Counter()
    lasts: Counter[str] = Counter()
    for page in pages:
        lines = [ln.strip() for ln in page.split("\n") if ln.strip()]
        if lines:
            firsts[lines[0]] += 1
            lasts[lines[-1]] += 1
    need = max(3, len(pages) // 2)
    repeated = {s for s, n in (firsts + lasts).items() if n >= need and len(s) <= 40}
    edits: list[Edit] = []
    if repeated:
        pos = 0
        for line in text.split("\n"):
            if line.strip().strip("\f") in repeated:
                edits.append((pos, pos + len(line), ""))
            pos += len(line) + 1
    return edits


def toc_leaders(ctx: PassContext) -> list[Edit]:
    text = ctx.text
    edits: list[Edit] = []
    for m in _TOC_LEADER.finditer(text):
        start = m.start()
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        line_start = text.rfind("\n", 0, start) + 1
        if start == line_start:
            continue  # nothing before the dots: not an entry
        page = int(m.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
        ctx.hints.setdefault(ctx.src_line(start), LineHint()).toc_page = page
        edits.append((start, m.end(), ""))
    return edits


# Web and database copies wrap the document in lines of their own: a crawler's metadata
# (**发布日期**: …, - **文件编号**：…, ## 政策全文, ---), a legal database's header
# (【法宝引证码】, 原文链接：…), a news dateline (新华社北京2月21日电), bare URLs, and the code of
# the page that carried the text (a mini-program's `Page({ data: { text: \`` …).  Whole lines
# only: a sentence that mentions 来源 or a URL is never touched.
_META_LINE = re.compile(
    r"^[ \t\u3000]*(?:[-*+][ \t]*)?(?:\*\*)?(?:发布日期|发布时间|成文日期|发文日期|发布机构|发文机关|来源|信息来源|分类|主题分类|"
    r"文档类型|原文链接|原文地址|文件名称|文件编号|检索时间|检索关键词|索引号|浏览次数|访问量|责任编辑)(?:\*\*)?[ \t]*[:：].*$"
    r"|^[ \t\u3000]*【法宝引证码】.*$"
    r"|^[ \t]*(?:-{2,}|\*{3,}|#{1,6}[ \t]*(?:政策全文|基本信息|正文|全文|原文|附件下载))[ \t]*$"
    r"|^[ \t\u3000]*<?https?://\S+>?[ \t]*$"
    r"|^[ \t\u3000]*新华社[\u4e00-\u9fff]{2,6}\d{1,2}月\d{1,2}日电[ \t\u3000]*$",
    re.M,
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_CODE_CHARS = re.compile(r"[{}();=`]|=>|^\s*[\w$]+\s*:\s*$")


def web_furniture(ctx: PassContext) -> list[Edit]:
    text = ctx.text
    edits: list[Edit] = [(m.start(), m.end(), "") for m in _META_LINE.finditer(text)]
    pos = 0
    for line in text.split("\n"):
        s = line.strip()
        if s and (s.startswith("//") or (not _CJK.search(s) and _CODE_CHARS.search(s) and _code_like(s))):
            edits.append((pos, pos + len(line), ""))
        pos += len(line) + 1
    return non_overlapping(sorted(edits))


def _code_like(s: str) -> bool:
    """ASCII that reads as program text (`data: {`, `});`, a template opening), not a number or a Latin word."""
    letters = sum(c.isalpha() for c in s)
    return letters == 0 or bool(re.search(r"[A-Za-z_$][\w$]*\s*(?:[:(]|=)", s)) or s in ("`", "`,", "});", "})", "},")
