"""The outline markers of Chinese official documents, shared by reflow and structure.

GB/T 9704 and common practice number levels as 第一篇 / 第一章 / 第一节 / 第一条,
一、 / （一） / 1. / （1） / ①, with 专栏 boxes, —— bullets and footnote marks.
Written here (not taken from a library) because no maintained package parses
Chinese outline markers; cn2an converts the numerals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cn2an

CN = "一二三四五六七八九十百零〇两"
# Years and dates are also written with ○ (U+25CB) or a letter O for zero: 二○一二年一月九日.
ZEROS = "〇零○Ｏ"
CN_DATE = CN + "○Ｏ"
_DIGITS_FW = str.maketrans("０１２３４５６７８９", "0123456789")

# Order matters: the first pattern that matches a line wins.
MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("pian", re.compile(rf"第([{CN}\d]+)篇")),
    ("zhang", re.compile(rf"第([{CN}\d]+)章")),
    ("jie", re.compile(rf"第([{CN}\d]+)节")),
    ("tiao", re.compile(rf"第([{CN}\d]+)条")),
    ("box", re.compile(r"专栏\s*([0-9０-９]+|[" + CN + r"]+)")),
    ("cn_dun", re.compile(rf"([{CN}]{{1,3}})、")),
    ("cn_paren", re.compile(rf"[（(]\s*([{CN}]+)\s*[）)]")),
    ("num_dot", re.compile(r"([0-9０-９]{1,3})\s*[.．、\ue010](?![0-9０-９])")),
    ("num_paren", re.compile(r"[（(]\s*([0-9０-９]{1,3})\s*[）)]")),
    ("circled", re.compile(r"([①-⑳])")),
]

# Nesting rank used when a document does not reveal its own order; lower = outer.
DEFAULT_RANK = {k: i for i, (k, _) in enumerate(MARKERS)}

# A footnote printed at the foot of a page: "¹ 三横三纵：…".
SUPERSCRIPT_NOTE = re.compile(r"^([¹²³⁴⁵⁶⁷⁸⁹⁰]+)\s*(?=\S)")
# "名称：内容" lines (box entries, definition lists): a short run-in label and a colon.
RUN_IN_LABEL = re.compile(r"^([^，。；：:\s]{2,30})[：:]")
# A caption standing alone (its figure or table was lost, or follows).
CAPTION = re.compile(r"^[^\n。；，,]{4,40}(?:图|示意图|表|一览表|主要指标|指标表)$", re.M)
DATE_LINE = re.compile(
    rf"^\s*(\d{{4}}|[{CN_DATE}]{{4}})\s*年\s*([\d{CN}]{{1,3}})\s*月\s*([\d{CN}]{{1,3}})\s*日\s*$"
)
DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,12}[〔\[［(（]\s*(\d{4})\s*[〕\]］)）]\s*(\d{1,4})(?:\s*[-—－]\s*\d{1,4})?\s*号)"
)


@dataclass(frozen=True)
class Marker:
    style: str
    label: str  # normalized: full-width brackets, ASCII digits
    value: int
    end: int  # length of the marker text at the start of the line


def year_digits(token: str) -> int | None:
    """A year written digit by digit: 二〇二一 / 二零二一 → 2021 (cn2an reads these as one number)."""
    if len(token) != 4 or any(c not in ZEROS + "一二三四五六七八九" for c in token):
        return None
    return int("".join("0" if c in ZEROS else str("〇一二三四五六七八九".index(c)) for c in token))


@lru_cache(maxsize=4096)
def numeral(token: str) -> int:
    token = token.translate(_DIGITS_FW)
    if len(token) == 1 and "①" <= token <= "⑳":
        return ord(token) - ord("①") + 1
    if token.isascii() and token.isdigit():
        return int(token)
    try:
        return int(cn2an.cn2an(token.replace("〇", "零").replace("两", "二"), "smart"))
    except (ValueError, KeyError):
        return 0


def _label(style: str, tok: str) -> str:
    n = tok.translate(_DIGITS_FW)
    return {
        "pian": f"第{tok}篇",
        "zhang": f"第{tok}章",
        "jie": f"第{tok}节",
        "tiao": f"第{tok}条",
        "box": f"专栏{n}",
        "cn_dun": f"{tok}、",
        "cn_paren": f"（{tok}）",
        "num_dot": f"{n}.",
        "num_paren": f"（{n}）",
        "circled": tok,
    }[style]


# Every marker starts with one of these; most lines of prose do not (a cheap first test).
_FIRST = frozenset("第专（(" + CN + "0123456789０１２３４５６７８９①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳")


def match_marker(line: str) -> Marker | None:
    """The outline marker at the start of `line`, if any."""
    s = line.lstrip()
    if not s or s[0] not in _FIRST:
        return None
    skip = len(line) - len(s)
    for style, pat in MARKERS:
        m = pat.match(s)
        if not m:
            continue
        tok = m.group(1)
        value = numeral(tok)
        if value <= 0:
            continue
        return Marker(style, _label(style, tok), value, skip + m.end())
    return None


def is_heading_like(line: str, marker: Marker | None = None) -> bool:
    """A short numbered line with no sentence inside it: a heading, not a run-in item."""
    marker = marker or match_marker(line)
    if marker is None:
        return False
    rest = line[marker.end:].strip()
    if len(rest) > 40:
        return False
    body = rest.rstrip("。．.")
    return not any(p in body for p in "。；;！？")
