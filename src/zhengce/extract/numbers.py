"""Numbers, quantities and dates as Chinese official documents write them.

cn2an converts Chinese numerals; the rest — ranges with the unit on the second
number (50－200万元), the legal reading of 以上/以下/超过, deadlines such as
2021年底前 — is the register of these documents and is written here.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache

import cn2an

from ..numbering import year_digits

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
NUM = r"\d+(?:\.\d+)?"
_CN_NUM = rf"[{CN_DIGITS}]+"
_RANGE_SEP = r"\s*[－\-~～—至到]\s*"

# Units as written, longest first so 平方公里 beats 公里 and 万千瓦 beats 千瓦.  A countable unit also
# takes a magnitude (万/亿/万亿/千/百: 1.37万亿斤, 2.4万亿元, 3.5万家); a bare 万/亿 ends the list
# (农村贫困人口减少1386万).
_COUNTABLE = """元 美元 人 人次 户 家 个 项 所 座 条 处 件 台 套 辆 架 张 床 款 例 艘 名 间 栋 株 头 只 份 种 批 次 斤 吨
    亩 平方米 立方米 公里 千瓦 千瓦时 标准箱 吨标准煤 册 篇 部 支 对""".split()
_OTHER_UNITS = """吨/日 万吨/日 公顷 千米 米 MW kW GW 个工作日 天 日 个月 月 年 小时 分钟 % ‰ 倍 个百分点 百分点 人/千人 岁 Mbps
    平方公里 元/平方米 元/亩 元/人 元/月 元/年 元/人/夜 元/人/天 元/人/月 元/人次 元/套 元/户 元/吨 元/千瓦时 元/辆
    万元/年 万元/亩 元/平方米/月""".split()
UNITS = sorted(
    {u for base in _COUNTABLE for u in (base, *(p + base for p in ("万亿", "亿", "万", "千", "百") if not (p == "千" and base == "米")))}
    | set(_OTHER_UNITS),
    key=len,
    reverse=True,
) + ["万亿", "亿", "万"]
UNIT = "(?:" + "|".join(re.escape(u) for u in UNITS) + ")"

# comparator words after (以上…) or before (不低于…) a number
_AFTER = [("及以上", ">="), ("以上", ">="), ("以下", "<="), ("以内", "<="), ("左右", "~"), ("（含）", None)]
_BEFORE = [
    ("不低于", ">="), ("不少于", ">="), ("不超过", "<="), ("不高于", "<="), ("不多于", "<="), ("最高不超过", "<="),
    ("最高", "<="), ("超过", ">"), ("高于", ">"), ("大于", ">"), ("多于", ">"), ("不满", "<"), ("不足", "<"),
    ("未达", "<"), ("低于", "<"), ("少于", "<"), ("小于", "<"), ("约", "~"), ("达到", "="), ("达", "="),
]
_BEFORE.sort(key=lambda x: len(x[0]), reverse=True)


@dataclass(frozen=True)
class Quantity:
    value: float | None
    value_max: float | None
    unit: str | None
    comparator: str
    start: int  # span of the quantity (with its comparator words) in the searched text
    end: int
    text: str


@lru_cache(maxsize=4096)
def to_number(token: str) -> float | None:
    """'1.5', '二〇三五', '一千', '1万' (a bare 万/亿 multiplier stays in the unit) → float."""
    token = token.strip().replace(",", "").replace("，", "")
    if not token:
        return None
    try:
        return float(token)
    except ValueError:
        pass
    token = token.replace("两", "二")
    if token in ("百", "千"):  # 突破百项 (see _ROUND_GOAL): a bare hundred or thousand
        return 100.0 if token == "百" else 1000.0
    year = year_digits(token)  # 二〇三五
    if year is not None:
        return float(year)
    try:
        # strict: "一一个入选地区" is not a number
        return float(cn2an.cn2an(token, "strict"))
    except (ValueError, KeyError, IndexError):
        return None


def as_int_if_whole(x: float | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else x


_QTY = re.compile(
    rf"(?P<before>{'|'.join(b for b, _ in _BEFORE)})?\s*"
    rf"(?:(?P<times>\d{{1,3}})\s*[x×X]\s*)?"  # 2x0.9万千瓦: two units of 0.9
    rf"(?P<a>{NUM}|{_CN_NUM})(?:(?:\s*(?P<ua>{UNIT}))?{_RANGE_SEP}(?P<b>{NUM}|{_CN_NUM}))?\s*(?P<unit>{UNIT})"
    rf"(?P<after>{'|'.join(re.escape(a) for a, _ in _AFTER)})?"
)


# Round numbers policies set as goals: 突破百项关键技术, 打造百家领军企业, 培育千家专精特新企业.
_ROUND_GOAL = re.compile(r"(?:突破|形成|打造|开拓|制定|培育|建设|建成|引进|新增|推出|遴选|认定|创建)$")


def quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every number with a unit in text[start:end] (ranges, comparators, Chinese numerals)."""
    out: list[Quantity] = []
    end = len(text) if end is None else end
    for m in _QTY.finditer(text, start, end):
        a, b = to_number(m.group("a")), to_number(m.group("b")) if m.group("b") else None
        if a is None or (m.group("ua") and m.group("ua") != m.group("unit")):
            continue
        if re.fullmatch(_CN_NUM, m.group("a")) and len(m.group("a")) == 1 and not (
                m.group("a") in "百千" and _ROUND_GOAL.search(text, max(0, m.start() - 2), m.start() + 0)):
            continue  # 三个中心, 一张网: a single Chinese numeral is a counting word (but 突破百项, 打造百家 count)
        comp = "="
        if m.group("before"):
            comp = dict(_BEFORE)[m.group("before")]
        after = m.group("after")
        if after and dict(_AFTER)[after]:
            comp = dict(_AFTER)[after]
        if m.group("times"):
            n = int(m.group("times"))
            a, b = round(a * n, 6), (round(b * n, 6) if b is not None else None)
        lead = len(m.group(0)) - len(m.group(0).lstrip())
        out.append(
            Quantity(
                value=as_int_if_whole(a),
                value_max=as_int_if_whole(b),
                unit=m.group("unit"),
                comparator=comp,
                start=m.start() + lead,
                end=m.end(),
                text=m.group(0).strip(),
            )
        )
    return out


_YEAR = re.compile(r"(\d{4}|[〇零一二三四五六七八九]{4})\s*年")
_DEADLINE = re.compile(
    rf"(?P<y>\d{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*"
    rf"(?:(?P<m>\d{{1,2}}|[{CN_DIGITS}]{{1,3}})\s*月\s*(?:(?P<d>\d{{1,2}}|[{CN_DIGITS}]{{1,3}})\s*日|(?P<mend>底|末))?|(?P<yend>底|末))?\s*"
    # 前 and then an action: 2021年底前出台…; not a validity period (12月31日前增值税…)
    rf"(?:前|之前|以前)[，,]?\s*(?=出台|完成|建成|实现|制定|建立|印发|启动|推出|落实|开展|上线|形成|覆盖|全面|基本|率先|达到|新增|培育|引进|组建|取消|清理|修订|发布|编制|全部|所有|各)"
)


def year_of(token: str) -> int | None:
    v = to_number(token)
    return int(v) if v and 1900 <= v <= 2100 else None


def deadline(text: str) -> str | None:
    """'2021年底前' → '2021-12-31'; '2022年6月底前' → '2022-06-30'; '2021年12月31日前' → '2021-12-31'."""
    m = _DEADLINE.search(text)
    if not m:
        return None
    y = year_of(m.group("y"))
    if y is None:
        return None
    if m.group("m"):
        month = int(to_number(m.group("m")) or 0)
        if not 1 <= month <= 12:
            return None
        if m.group("d"):
            day = int(to_number(m.group("d")) or 0)
        else:
            day = calendar.monthrange(y, month)[1]
        return f"{y:04d}-{month:02d}-{day:02d}"
    return f"{y:04d}-12-31"


_PERIOD = re.compile(r"“?\s*(十[一二三四五六七八九]五)\s*”?\s*(?:期末|末期|时期|期间|末)")
# The Five-Year Plans' last years: 十三五 → 2020, 十四五 → 2025, 十五五 → 2030 …
_PLAN_END = {f"十{c}五": 2010 + 5 * i for i, c in enumerate("一二三四五六七八九")}


_PLAN_TITLE = re.compile(r"第\s*(十[一二三四五六七八九])\s*个\s*五年|“?(十[一二三四五六七八九]五)”?\s*规划")


def plan_start(text: str) -> int | None:
    """'第十四个五年规划' / '“十四五”规划' → 2021, the plan period's first year."""
    m = _PLAN_TITLE.search(text)
    if not m:
        return None
    key = m.group(2) or (m.group(1) + "五")
    end = _PLAN_END.get(key)
    return end - 4 if end else None


def plan_period(text: str) -> tuple[int, int] | None:
    """The five-year plan period a text names anywhere (“十四五”节能减排实施方案 → (2021, 2025))."""
    m = re.search(r"十[一二三四五六七八九]五", text)
    if not m:
        return None
    end = _PLAN_END[m.group()]
    return end - 4, end


def period_ends(text: str) -> list[int]:
    """The last years of every plan period the text names (“十三五”时期成就和“十四五”时期目标 → [2020, 2025])."""
    return [_PLAN_END[m.group(1)] for m in _PERIOD.finditer(text) if m.group(1) in _PLAN_END]


def period_end(text: str) -> int | None:
    """'“十四五”期末' → 2025."""
    m = _PERIOD.search(text)
    return _PLAN_END.get(m.group(1)) if m else None


def years_in(text: str) -> list[tuple[int, int, int]]:
    """(year, start, end) for every 'YYYY年' in text."""
    out = []
    for m in _YEAR.finditer(text):
        y = year_of(m.group(1))
        if y:
            out.append((y, m.start(), m.end()))
    return out
