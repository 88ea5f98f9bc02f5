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
from .numbers import quantities

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
# Recognised titles a firm holds (认定/评为 …), as the certification's value.
_CERT_TITLE = (
    r"(?:国家级|省级|市级)?(?:专精特新[“\"]?小巨人[”\"]?企业|专精特新中小企业|科技小巨人企业|小巨人企业|高新技术企业|"
    r"技术转移示范机构|科技企业孵化器|众创空间|重点实验室|企业技术中心|技术创新示范企业|制造业单项冠军企业)"
)
_CERT = re.compile(rf"(?P<neg>非)?(?P<title>{_CERT_TITLE})")
# Things a product obtained: 新药证书（生产批件）, 一致性评价, 注册认证 …
_PRODUCT = re.compile(r"(?:获得|取得|通过|完成)(?:质量和疗效)?(?P<obj>[^，。；、的]{0,24}?(?:证书(?:（[^）]{1,8}）)?|批件|批准文号|一致性评价|注册认证))")
# Industries, as policies name them (a domain vocabulary, not any one document's words).
_INDUSTRY = re.compile(
    r"(医药健康|生物医药|医疗器械|汽车|石化|化工|装备制造|食品|农产品加工|旅游|冰雪|文化|体育|数字经济|软件|信息技术|电子信息|"
    r"新能源|新材料|现代服务业|物流|建筑|钢铁|冶金|纺织|光电|航空航天|轨道交通|人参|医养|健康养老)(?:领域|产业|行业)?"
)
_LOCATION = re.compile(r"(?:在|到)?(我省|本省|省内|我市|本市|市内)")
_VALID = re.compile(r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*(?:至|到|—|-)\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)?")
_CAP_PER = re.compile(r"每(?:个|家|户)?(企业|品种|项目|单位|人)(?:每年|年度|每年度)?(?:最高|累计)?(?:不超过|不高于)?$")
_RATE = re.compile(r"(?:按照?|按其)?([^，。；]{0,40}?)的?\s*(\d+(?:\.\d+)?)\s*%")
_DISCOUNT = re.compile(r"(\d(?:\.\d)?)\s*折")
# Where to apply, when the clause says so: 向…申请 / 到…办理 / 在…申报
_WHERE = re.compile(r"(?:向|到|在|通过)([^，。；]{2,40}?)(?:提出申请|申请|申报|办理)")


def _fact(before: str) -> str:
    for word, fact in _FACTS:
        if word in before[-14:]:
            return fact
    return "threshold"


# What a support clause is given to, as policies name recipients.
_RECIPIENT = (
    r"(?:企业|单位|机构|项目|品种|产品|人才(?:（团队）)?|专家|孵化器(?:（众创空间）)?|纳税人|个体工商户|合作社|"
    r"药品|注射剂|医疗器械|中成药|化学药品|生物制品|学校|医院|园区)"
)
_RECIPIENT_AT = re.compile(rf"[^，、的且并和（）“”]{{0,18}}?{_RECIPIENT}")


def _recipient(head: str) -> str | None:
    """The 对… phrase's recipient: 对企业… → 企业; else the first recipient noun
    after a 的 (…的医药健康工业企业); else the last one named."""
    i = head.find("对")
    if i < 0:
        return None
    phrase = head[i + 1 :]
    m = re.match(_RECIPIENT, phrase)
    if m and not re.match(rf"{_RECIPIENT}[\u4e00-\u9fff]{{0,2}}的", phrase):
        return m.group()
    for d in re.finditer("的", phrase):
        m = _RECIPIENT_AT.match(phrase, d.end())
        if m:
            return m.group()
    found = list(_RECIPIENT_AT.finditer(phrase))
    return found[-1].group() if found else None


def _where(sent: str) -> str | None:
    m = _WHERE.search(sent)
    return m.group(1) if m else None


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
    group = _recipient(sent[: grant.start()])
    prev_end = None
    for q in qs:
        if q.start >= g or q.unit in ("年", "月", "日"):
            continue
        if prev_end is not None and re.fullmatch(r"[、和及与]", text[prev_end : q.start]):
            prev_end = q.end  # a further tier (10亿元、20亿元…): the first threshold decides eligibility
            continue
        prev_end = q.end
        before = text[max(s, q.start - 16) : q.start]
        conditions.append({"fact": _fact(before), "op": q.comparator, "value": q.value, "unit": q.unit, "text": text[max(s, q.start - 8) : q.end]})
    head = sent[: grant.start()]
    if "首次" in head:
        conditions.append({"fact": "first_time", "op": "=", "value": True, "unit": None, "text": "首次"})
    for m in _CERT.finditer(head):
        op = "not_has" if m.group("neg") else "has"
        conditions.append({"fact": "certification", "op": op, "value": m.group("title"), "unit": None, "text": m.group(0)})
    for m in _PRODUCT.finditer(head):
        obj = m.group("obj")
        value = "一致性评价" if obj.endswith("一致性评价") else re.sub(r"^新", "", obj)
        conditions.append({"fact": "product", "op": "has", "value": value, "unit": None, "text": m.group(0)})
    loc = _LOCATION.search(head)
    if loc:
        conditions.append({"fact": "location", "op": "in", "value": loc.group(1), "unit": None, "text": loc.group(0)})
    ind = _INDUSTRY.search(head)
    if ind:
        conditions.append({"fact": "industry", "op": "in", "value": ind.group(1), "unit": None, "text": ind.group(0)})

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
        valid_from=valid_from, valid_to=valid_to, where_to_apply=_where(sent),
    )
