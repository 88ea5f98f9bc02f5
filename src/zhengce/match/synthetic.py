"""Synthetic enterprises and rules for the benchmark and the property tests (seeded, reproducible)."""

from __future__ import annotations

import random

from .facts import BOARDS
from .profile import Profile
from .rules import Benefit, Condition, Rule

INDUSTRIES = ["医药健康", "汽车", "石化", "食品", "旅游", "信息技术", "装备制造", "医药流通", "新材料", "物流"]
CERTS = ["高新技术企业", "省级专精特新中小企业", "国家级专精特新“小巨人”企业", "省级科技小巨人企业", "市级专精特新中小企业",
         "省级技术转移示范机构", "省级科技企业孵化器"]
PROVINCES = ["吉林省", "辽宁省", "黑龙江省", "河南省"]
# Numeric facts with plausible ranges (万元, %, 人).
NUMBERS = {
    "annual_revenue_wan": (0, 500000), "employees": (1, 5000), "total_investment_wan": (0, 100000),
    "fixed_asset_investment_wan": (0, 80000), "monthly_sales_wan": (0, 100), "taxable_income_wan": (0, 2000),
    "rd_expense_ratio": (0, 20), "prior_max_annual_revenue_wan": (0, 500000), "loan_interest_wan": (0, 500),
    "unemployment_insurance_paid_wan": (0, 200), "layoff_rate": (0, 10), "registered_unemployment_rate": (2, 5),
}


def synthetic_profiles(n: int, seed: int = 1, unknown: float = 0.1) -> list[Profile]:
    """n enterprises; each fact is left unknown with probability `unknown`."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        v: dict = {"name": f"企业{i:05d}", "kind": rnd.choice(["enterprise"] * 8 + ["individual_business", "institution"])}
        for name, (lo, hi) in NUMBERS.items():
            if rnd.random() >= unknown:
                v[name] = round(rnd.uniform(lo, hi), 2)
        if rnd.random() >= unknown:
            v["province"] = rnd.choice(PROVINCES)
        if rnd.random() >= unknown:
            v["industries"] = frozenset(rnd.sample(INDUSTRIES, rnd.randint(1, 2)))
        if rnd.random() >= unknown:
            v["certifications"] = frozenset(rnd.sample(CERTS, rnd.randint(0, 2)))
        if rnd.random() >= unknown:
            v["vat_taxpayer"] = rnd.choice(["small_scale", "general"])
        if rnd.random() >= unknown:
            v["size"] = rnd.choice(["large", "medium", "small", "micro"])
        if rnd.random() >= unknown:
            v["ownership"] = rnd.choice(["private", "state", "foreign"])
        for b in ("hq_in_province", "main_business_in_province", "industrial", "small_low_profit"):
            if rnd.random() >= unknown:
                v[b] = rnd.random() < 0.5
        if rnd.random() >= unknown:
            v["listing_board"] = rnd.choice([None, None, None] + list(BOARDS))
        for k in range(3):
            if rnd.random() >= unknown:
                v[f"req:要求{k}"] = rnd.random() < 0.5
        out.append(Profile(v))
    return out


def synthetic_rules(n: int, seed: int = 2) -> list[Rule]:
    """n rules of 1–5 conditions over the profile facts, with amounts, rates, tiers and caps."""
    rnd = random.Random(seed)
    out = []
    for j in range(n):
        conds = []
        for _ in range(rnd.randint(1, 5)):
            kind = rnd.random()
            if kind < 0.45:
                name = rnd.choice([k for k in NUMBERS if not k.startswith("prior_")])
                lo, hi = NUMBERS[name]
                op = rnd.choice([">=", ">", "<=", "<"])
                if name == "annual_revenue_wan" and rnd.random() < 0.3:
                    tiers = sorted(rnd.sample(range(10, 50), 3))
                    conds.append(Condition(name, rnd.choice([">", ">="]), tiers, "亿元", first_time=True))
                else:
                    conds.append(Condition(name, op, round(rnd.uniform(lo, hi), 1)))
            elif kind < 0.6:
                conds.append(Condition("industries", "has", [rnd.choice(INDUSTRIES)]))
            elif kind < 0.7:
                conds.append(Condition("certifications", rnd.choice(["has", "has", "not_has"]), [rnd.choice(CERTS)]))
            elif kind < 0.78:
                conds.append(Condition("province", "in", [rnd.choice(PROVINCES)]))
            elif kind < 0.86:
                conds.append(Condition(rnd.choice(["hq_in_province", "industrial", "small_low_profit"]), "=", True))
            elif kind < 0.93:
                conds.append(Condition("size", "in", rnd.sample(["medium", "small", "micro"], 2)))
            else:
                conds.append(Condition(f"req:要求{rnd.randint(0, 3)}", "=", True))
        b = Benefit(kind="奖补")
        r = rnd.random()
        if r < 0.4:
            lo = rnd.choice([10, 20, 50, 100])
            b.amount = {"min": lo, "max": lo * rnd.choice([1, 2, 4]), "unit": "万元"}
        elif r < 0.7:
            b.rate = rnd.choice([1, 10, 20, 50])
            b.base_fact = rnd.choice(["loan_interest_wan", "unemployment_insurance_paid_wan", "fixed_asset_investment_wan"])
            b.amount = {"min": None, "max": rnd.choice([50, 100, 200]), "unit": "万元"}
        if rnd.random() < 0.2:
            b.cap = {"value": 300, "unit": "万元", "per": "企业/年"}
        tiered = next((c for c in conds if isinstance(c.value, list) and c.fact == "annual_revenue_wan"), None)
        if tiered is not None and rnd.random() < 0.5:
            b.tier_amounts = [{"min": 50 * (i + 1), "max": 50 * (i + 1)} for i in range(len(tiered.value))]
        year = rnd.choice([2019, 2020, 2021, 2022])
        valid = rnd.random() < 0.3
        out.append(Rule(
            id=f"synthetic:{j}", title=f"合成规则{j}", source={"doc": "合成", "node": "n0", "quote": f"合成条款{j}"},
            conditions=conds, benefit=b, valid_from=f"{year}-01-01" if valid else None, valid_to=f"{year + 2}-12-31" if valid else None,
        ))
    return out
