"""benefit: who gets what, under which conditions — the raw material of 政策直达.

One record per granting sentence (给予, 奖补, 免征, 减按…).  Conditions are the
thresholds and requirements in its 对…的 phrase, read legally (以上 includes,
超过 excludes); money after the grant verb is the amount, money after 每个…
(年度)最高 is the cap; a percentage with 按…的 is a rate on a base.
"""

from __future__ import annotations

import re

from ..model import Extraction, Node
from ..structure.outline import RESPONSIBILITY_TAG
from .base import Context, sentences
from .duty import parse_tag
from .numbers import Quantity, quantities

_GRANT = re.compile(r"给予|奖励|奖补|补贴|补助|贴息|免征|减按|减免|免收|免除|下调|优先安排|优先支持|直接安排")
_KIND = [
    ("奖补", "奖补"), ("奖励", "奖励"), ("补贴", "补贴"), ("贴息", "贴息"), ("补助", "补助"),
    ("免征", "税收减免"), ("减按", "税收减免"), ("税收减免", "税收减免"), ("免收", "费用减免"), ("免除", "费用减免"),
    ("下调", "费用减免"), ("降低", "费用减免"), ("用地", "用地"), ("出让底价", "用地"), ("优先", "优先支持"),
]
_FACTS = [
    ("固定资产投资", "fixed_asset_investment"), ("总投资", "total_investment"), ("投资", "investment"),
    ("新增销售收入", "annual_sales_increase"), ("主营业务收入", "annual_revenue"), ("营业收入", "annual_revenue"),
    ("销售收入", "annual_revenue"), ("销售款", "annual_revenue"), ("月销售额", "monthly_sales"), ("成交额", "transaction_volume"),
    ("交易额", "transaction_volume"), ("研发", "rd_expense_ratio"), ("裁员率", "layoff_rate"), ("职工", "employees"),
    ("员工", "employees"), ("贷款", "loan"),
]
_CERT = re.compile(
    r"((?:新)?(?:认定|获得|评为|入选|通过)[^，。；]{0,20}?(?:小巨人(?:企业)?|高新技术企业|专精特新[^，。；的]{0,12}|驰名商标|地理标志商标|技术转移示范机构|科技企业孵化器|重点实验室|新药证书|一致性评价))"
)
_TARGET = re.compile(r"对([^。；]{2,200}?)(?:，|,)?\s*(?:按照?|根据|依据|经|一次性|分别|均|可|由|在|给予|免征|减按)")
_VALID = re.compile(r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*(?:至|到|—|-)\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)?")
_CAP_PER = re.compile(r"每(?:个|家|户)?(企业|品种|项目|单位|人)(?:每年|年度|每年度)?(?:最高|累计)?(?:不超过|不高于)?$")
_RATE = re.compile(r"(?:按照?|按其)?([^，。；]{0,40}?)的?\s*(\d+(?:\.\d+)?)\s*%")
_DISCOUNT = re.compile(r"(\d(?:\.\d)?)\s*折")


def _fact(before: str) -> str:
    for word, fact in _FACTS:
        if word in before[-14:]:
            return fact
    return "threshold"


def _agencies(ctx: Context, node: Node) -> list[str]:
    for n in [node] + [a for a in ctx.ancestors(node) if a.kind == "item"][:1]:
        m = RESPONSIBILITY_TAG.search(n.text)
        if m:
            lead, support = parse_tag(m.group(0)[1:-1])
            return lead + support
    return []


def extract_benefits(ctx: Context) -> list[Extraction]:
    out: list[Extraction] = []
    for node in ctx.doc.nodes:
        if node.kind not in ("item", "paragraph", "bullet"):
            continue
        for s, e, sent in sentences(node.text, node.start):
            if not _GRANT.search(sent) or RESPONSIBILITY_TAG.fullmatch(sent.strip()):
                continue
            out.append(_benefit(ctx, node, s, e, sent))
    return out


def _benefit(ctx: Context, node: Node, s: int, e: int, sent: str) -> Extraction:
    text = ctx.doc.text
    grant = _GRANT.search(sent)
    g = s + grant.start()
    qs = quantities(text, s, e)
    conditions: list[dict] = []
    tm = _TARGET.search(sent)
    group = None
    if tm:
        phrase = tm.group(1)
        group = re.split(r"的", phrase)[-1].strip("，, ") or phrase
        group = group[-30:]
    for q in qs:
        if q.start >= g or q.unit in ("年", "月", "日"):
            continue
        before = text[max(s, q.start - 16) : q.start]
        op = q.comparator if q.comparator != "=" else (">=" if "首次" in before or "达到" in before else "=")
        conditions.append({"fact": _fact(before), "op": op, "value": q.value, "unit": q.unit, "text": text[max(s, q.start - 8) : q.end]})
    if "首次" in sent[: grant.start()]:
        conditions.append({"fact": "first_time", "op": "=", "value": True, "unit": None, "text": "首次"})
    for m in _CERT.finditer(sent[: grant.start()]):
        conditions.append({"fact": "certification", "op": "has", "value": m.group(1), "unit": None, "text": m.group(1)})
    if re.search(r"在我省|省内|我省", sent[: grant.start()]):
        conditions.append({"fact": "location", "op": "in", "value": "我省", "unit": None, "text": "我省"})

    amount = cap = None
    rate = rate_base = None
    for q in qs:
        if q.start < g and q.unit != "%":
            continue
        if q.unit and q.unit.endswith("元"):
            lead_in = text[max(s, q.start - 16) : q.start]
            per = _CAP_PER.search(lead_in.rstrip())
            if per and ("最高" in lead_in or "不超过" in lead_in or q.comparator == "<="):
                cap = {"value": q.value, "unit": q.unit, "per": per.group(1) + ("/年" if "年" in lead_in[per.start() :] else "")}
            elif amount is None:
                if q.comparator == "<=":
                    amount = {"min": None, "max": q.value, "unit": q.unit}
                else:
                    amount = {"min": q.value, "max": q.value_max if q.value_max is not None else q.value, "unit": q.unit}
        elif q.unit == "%" and rate is None and q.start > s:
            rate = q.value
            rm = _RATE.search(text[max(s, q.start - 50) : q.end])
            rate_base = rm.group(1).strip() or None if rm else None
    if rate is None:
        dm = _DISCOUNT.search(sent)
        if dm:
            rate = float(dm.group(1)) * 10
    kind = next((k for word, k in _KIND if word in sent[grant.start() :] or word == grant.group()), "其他")
    valid_from = valid_to = None
    vm = _VALID.search(sent)
    if vm:
        valid_from = f"{int(vm.group(1)):04d}-{int(vm.group(2)):02d}-{int(vm.group(3)):02d}"
        if vm.group(4):
            valid_to = f"{int(vm.group(4)):04d}-{int(vm.group(5)):02d}-{int(vm.group(6)):02d}"
    return ctx.record(
        "benefit", node, s, e,
        target_group=group, conditions=conditions, benefit_kind=kind, amount=amount, cap=cap,
        rate=rate, rate_base=rate_base, agencies=_agencies(ctx, node),
        valid_from=valid_from, valid_to=valid_to, where_to_apply=None,
    )
