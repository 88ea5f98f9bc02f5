"""The vocabulary of facts a rule can ask about an enterprise, and their units.

Every condition of a rule names one fact.  The profile's own fields are facts
(`annual_revenue_wan`, `certifications` …); anything else an officer can answer
goes into the profile's `facts` mapping under a name from this list, or under a
name a rule made for a requirement the vocabulary cannot type:

    req:<words>     a requirement in the clause's own words (`req:按期投产`), true/false
    num:<measure>   a threshold on a measure named only in the clause (`num:入孵率`), a number
    count:<what>    how many units (品种, 项目) a per-unit grant is claimed for this year
    applies:<rule>  the clause names no recipient: does it apply to this enterprise at all?

Money is in 万元 in a profile (the `_wan` suffix); a rule states thresholds in the
unit as written (10亿元), converted when compared.  Why 万元: it is the unit these
documents count support in, so amounts need no conversion to be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from ..lang import PROVINCE_PATTERN

NUMBER, BOOL, TEXT, ENUM, SET, DATE = "number", "bool", "text", "enum", "set", "date"
# The kinds a requirement's own name can take (see the module docstring).
PREFIXES = {"req:": BOOL, "num:": NUMBER, "count:": NUMBER, "applies:": BOOL}


@dataclass(frozen=True)
class Fact:
    name: str
    type: str  # number | bool | text | enum | set | date
    label: str  # 中文名
    description: str = ""
    unit: str | None = None  # numbers: 万元, %, 人, 项 …
    choices: tuple[str, ...] = ()  # enums
    profile_field: bool = False  # a top-level profile field (else under `facts`)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "type": self.type, "label": self.label, "unit": self.unit,
            "choices": list(self.choices), "profile_field": self.profile_field, "description": self.description,
        }


def _f(name, type_, label, description="", unit=None, choices=(), profile=False) -> Fact:
    return Fact(name, type_, label, description, unit, tuple(choices), profile)


KINDS = ("enterprise", "individual_business", "institution")
SIZES = ("large", "medium", "small", "micro")
BOARDS = ("主板", "创业板", "科创板", "北交所", "新三板", "区域股权市场", "境外")

FACTS: dict[str, Fact] = {f.name: f for f in [
    # -- the profile's own fields
    _f("name", TEXT, "企业名称", profile=True),
    _f("kind", ENUM, "主体类型", "enterprise 企业 / individual_business 个体工商户 / institution 事业单位、社会组织", choices=KINDS, profile=True),
    _f("province", TEXT, "所在省份", "注册地省份，如 吉林省", profile=True),
    _f("city", TEXT, "所在市（州）", profile=True),
    _f("county", TEXT, "所在县（市、区）", profile=True),
    _f("industries", SET, "所属行业", "如 医药健康、汽车、医药流通", profile=True),
    _f("annual_revenue_wan", NUMBER, "年营业收入（主营业务收入、销售收入）", unit="万元", profile=True),
    _f("rd_expense_ratio", NUMBER, "研发费用占营业收入比重", unit="%", profile=True),
    _f("employees", NUMBER, "从业人数", unit="人", profile=True),
    _f("total_investment_wan", NUMBER, "项目总投资（投资额）", unit="万元", profile=True),
    _f("fixed_asset_investment_wan", NUMBER, "固定资产投资（已完成）", unit="万元", profile=True),
    _f("vat_taxpayer", ENUM, "增值税纳税人类型", "small_scale 小规模纳税人 / general 一般纳税人", choices=("small_scale", "general"), profile=True),
    _f("monthly_sales_wan", NUMBER, "月销售额", unit="万元", profile=True),
    _f("taxable_income_wan", NUMBER, "年应纳税所得额", unit="万元", profile=True),
    _f("certifications", SET, "资质称号", "如 高新技术企业、省级专精特新中小企业、国家级专精特新“小巨人”企业、省级科技小巨人企业", profile=True),
    _f("listing_board", ENUM, "上市（挂牌）板块", "profile 的 listing.board；未上市写 listing: null", choices=BOARDS, profile=True),
    _f("listing_date", DATE, "上市（挂牌）日期", "profile 的 listing.date", profile=True),
    _f("hq_in_province", BOOL, "总部在本省", profile=True),
    _f("main_business_in_province", BOOL, "主营业务在本省", profile=True),
    # -- further facts, answered under `facts`
    _f("size", ENUM, "企业规模", "large 大型 / medium 中型 / small 小型 / micro 微型（工信部统计上大中小微型企业划分办法）", choices=SIZES),
    _f("ownership", ENUM, "所有制", "private 民营 / state 国有 / foreign 外资 / collective 集体", choices=("private", "state", "foreign", "collective")),
    _f("industrial", BOOL, "工业企业", "从事工业生产（采矿业、制造业、电力热力燃气及水生产和供应业）"),
    _f("small_low_profit", BOOL, "小型微利企业", "符合企业所得税法规定的小型微利企业条件"),
    _f("annual_sales_increase_wan", NUMBER, "年新增销售收入（单个品种）", unit="万元"),
    _f("transaction_volume_wan", NUMBER, "年成交额（技术合同交易额）", unit="万元"),
    _f("loan_amount_wan", NUMBER, "贷款额度", unit="万元"),
    _f("layoff_rate", NUMBER, "裁员率", unit="%"),
    _f("registered_unemployment_rate", NUMBER, "统筹地区城镇登记失业率", unit="%"),
    _f("products", SET, "产品已获证照、评价", "如 新药证书（生产批件）、一致性评价、再评价、批准文号、FDA注册认证"),
    _f("product_types", SET, "产品类别", "如 2类化学药品、第三类医疗器械、中成药、保健食品"),
    _f("prior_max_annual_revenue_wan", NUMBER, "此前年度最高年营业收入", "判断“首次超过/达到”", unit="万元"),
    _f("prior_max_transaction_volume_wan", NUMBER, "此前年度最高年成交额", "判断“首次超过/达到”", unit="万元"),
    _f("prior_max_annual_sales_increase_wan", NUMBER, "此前年度最高年新增销售收入", "判断“首次超过/达到”", unit="万元"),
    # bases of rate × base grants
    _f("unemployment_insurance_paid_wan", NUMBER, "上年度实际缴纳失业保险费", unit="万元"),
    _f("loan_interest_wan", NUMBER, "年度新增贷款利息", unit="万元"),
    _f("rd_expense_wan", NUMBER, "上年度研发费用", unit="万元"),
    _f("registered_capital_paid_wan", NUMBER, "注册资本实缴现金额", unit="万元"),
    _f("rd_equipment_investment_wan", NUMBER, "新购研发仪器设备实际投资额", unit="万元"),
    _f("foreign_expert_salary_wan", NUMBER, "合同约定支付外国专家的年度工薪", unit="万元"),
    _f("land_price_standard_wan", NUMBER, "地块按《全国工业用地出让最低价标准》计的价款", unit="万元"),
    _f("toll_wan", NUMBER, "按正常标准应缴的年度车辆通行费", unit="万元"),
    _f("registration_fee_wan", NUMBER, "按原标准应缴的产品注册费", unit="万元"),
    _f("technology_contract_wan", NUMBER, "单份技术合同实际发生交易额", unit="万元"),
    _f("capital_investment_wan", NUMBER, "政府资本投入", unit="万元"),
]}

# What a rate in a clause is a rate *of*, as the clause words it → the fact holding it.
RATE_BASES = [
    ("失业保险费", "unemployment_insurance_paid_wan"),
    ("贷款利息", "loan_interest_wan"),
    ("注册资本实缴", "registered_capital_paid_wan"),
    ("研发仪器设备", "rd_equipment_investment_wan"),
    ("研发费用", "rd_expense_wan"),
    ("工薪", "foreign_expert_salary_wan"),
    ("最低价标准", "land_price_standard_wan"),
    ("计重收费标准", "toll_wan"),
    ("通行费", "toll_wan"),
    ("注册费", "registration_fee_wan"),
    ("应纳税所得额", "taxable_income_wan"),
    ("月销售额", "monthly_sales_wan"),
    ("资本投入", "capital_investment_wan"),
]

# The extractor's condition facts (docs/extraction.md) → profile facts.
EXTRACTED = {
    "total_investment": "total_investment_wan",
    "investment": "total_investment_wan",
    "fixed_asset_investment": "fixed_asset_investment_wan",
    "annual_revenue": "annual_revenue_wan",
    "annual_sales_increase": "annual_sales_increase_wan",
    "monthly_sales": "monthly_sales_wan",
    "transaction_volume": "transaction_volume_wan",
    "rd_expense_ratio": "rd_expense_ratio",
    "employees": "employees",
    "layoff_rate": "layoff_rate",
    "taxable_income": "taxable_income_wan",
    "loan_amount": "loan_amount_wan",
    "certification": "certifications",
    "product": "products",
    "product_type": "product_types",
    "industry": "industries",
}

# -- units ---------------------------------------------------------------------

# Factor to a base unit per dimension; a unit not listed converts only to itself.
_UNIT_FACTORS = {
    "元": ("money", 1e-4), "千元": ("money", 1e-1), "万元": ("money", 1.0), "亿元": ("money", 1e4),
    "%": ("ratio", 1.0), "人": ("people", 1.0), "万人": ("people", 1e4),
}


def convert(value: float, unit: str | None, to: str | None) -> float:
    """`value` in `unit` expressed in `to` (10 亿元 → 100000 万元); ValueError when they differ in kind."""
    if unit == to or unit is None or to is None:
        return value
    a, b = _UNIT_FACTORS.get(unit), _UNIT_FACTORS.get(to)
    if a is None or b is None or a[0] != b[0]:
        raise ValueError(f"cannot convert {unit} to {to}")
    return value * a[1] / b[1]


def fact(name: str) -> Fact | None:
    """The known fact, or the one a rule's own name implies (req:…, num:…), or None."""
    if name in FACTS:
        return FACTS[name]
    for prefix, type_ in PREFIXES.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            words = name[len(prefix):]
            label = {"req:": words, "num:": words, "count:": f"本年度申请的{words}数量", "applies:": f"条款 {words} 适用于本主体"}[prefix]
            return Fact(name, type_, label)
    return None


# -- titles, industries, products ------------------------------------------------

_LEVELS = {"国家级": 3, "国家": 3, "省级": 2, "市级": 1}
_PROVINCES = PROVINCE_PATTERN  # all 34 provincial-level divisions (lang.places)


@dataclass(frozen=True)
class Title:
    """A certification as (level, base): 省级以上“专精特新”中小企业 → (2, 专精特新中小, or_above)."""

    level: int | None
    base: str
    or_above: bool = False


def title(text: str) -> Title:
    s = re.sub(r"[“”\"'‘’\s]", "", text)
    level, or_above = None, False
    m = re.match(rf"{_PROVINCES}", s)
    if m:  # 吉林省技术转移示范机构: a province's title is a provincial one
        level, s = 2, s[m.end():]
    m = re.match(r"(国家级|国家|省级|市级)(及?以上)?", s)
    if m and not s.startswith("国家备案"):
        level, or_above, s = _LEVELS[m.group(1)], bool(m.group(2)), s[m.end():]
    s = s.replace("国家备案", "").replace("科技型", "科技").replace("型小巨人", "小巨人")
    s = re.sub(r"(?:企业|机构)$", "", s) or s
    return Title(level, s, or_above)


def title_matches(rule: Title, held: Title) -> bool:
    if rule.base != held.base:
        return False
    if rule.level is None:
        return True
    if held.level is None:
        return False
    return held.level >= rule.level if rule.or_above else held.level == rule.level


# Sectors and the words that name them; a profile's industry matches a rule's when
# both fall in one sector (生物医药 is 医药健康), or one names the other.
SECTORS = {
    "医药健康": ("医药健康", "生物医药", "医药", "中药", "化学药", "医疗器械", "医药流通", "健康"),
    "汽车": ("汽车", "新能源汽车", "汽车零部件"),
    "石化": ("石化", "化工", "石油化工"),
    "旅游": ("旅游", "冰雪", "文旅", "避暑"),
    "食品": ("食品", "农产品加工"),
    "信息技术": ("信息技术", "软件", "电子信息", "数字经济"),
}


def industry_matches(rule_value: str, held: str) -> bool:
    if rule_value == held or rule_value in held or (len(held) >= 2 and held in rule_value):
        return True
    if rule_value == "医药流通" or held == "医药流通":  # a narrower sector: only itself
        return False
    for words in SECTORS.values():
        if any(w in rule_value for w in words) and any(w in held for w in words):
            return True
    return False


_CLASS = re.compile(r"(?:第)?([一二三四五六七八九十\d]+)(?:[－\-~～至]([一二三四五六七八九十\d]+))?类")
_CN = {c: i for i, c in enumerate("〇一二三四五六七八九十")}


def _num(s: str) -> int:
    return int(s) if s.isdigit() else _CN.get(s, 0)


@dataclass(frozen=True)
class Kind:
    """A product kind with its class range: 1－2类化学药品 → (化学药品, 1, 2)."""

    base: str
    lo: int | None = None
    hi: int | None = None


def product_kinds(text: str) -> list[Kind]:
    """'国家1－6类中成药、1－2类化学药品（不包括原料药）和第三类医疗器械' → the kinds it lists."""
    text = re.sub(r"（[^）]*）|\([^)]*\)", "", text)
    out = []
    for part in re.split(r"[、，和及与或]", text):
        part = re.sub(r"^(?:国家|新|仿制)", "", part.strip())
        if not part:
            continue
        m = _CLASS.search(part)
        if m:
            lo = _num(m.group(1))
            hi = _num(m.group(2)) if m.group(2) else lo
            out.append(Kind(part[m.end():], lo, hi))
        else:
            out.append(Kind(part))
    return out


def kind_matches(rule: Kind, held: Kind) -> bool | None:
    """True/False, or None when the kind matches but the held product's class is not stated."""
    if not (rule.base in held.base or held.base in rule.base):
        return False
    if rule.lo is None:
        return True
    if held.lo is None:
        return None
    return rule.lo <= held.lo <= (rule.hi or rule.lo)


def product_matches(rule_value: str, held: str) -> bool:
    a = re.sub(r"[（(][^）)]*[）)]", "", rule_value)
    b = re.sub(r"[（(][^）)]*[）)]", "", held)
    return rule_value == held or (len(b) >= 2 and b in a) or (len(a) >= 2 and a in b)


@dataclass
class Vocabulary:
    """The known facts plus the ones a set of rules adds (req:…, num:…), for --list-facts."""

    facts: dict[str, Fact] = field(default_factory=lambda: dict(FACTS))
    used_by: dict[str, list[str]] = field(default_factory=dict)  # fact → rule ids

    def add(self, name: str, rule_id: str) -> None:
        if name not in self.facts:
            f = fact(name)
            if f is not None:
                self.facts[name] = f
        self.used_by.setdefault(name, []).append(rule_id)

    def to_list(self) -> list[dict[str, Any]]:
        return [dict(f.to_dict(), rules=len(self.used_by.get(n, []))) for n, f in self.facts.items()]
