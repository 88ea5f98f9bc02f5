"""政策直达 on the corpus: hand-computed cases, the review workflow, profiles, batch = one by one.

The cases are data (tests/match_cases.yaml), computed by reading each clause;
rules an officer had to correct are reviewed rule files (tests/match_rules/),
imported through the same `review` call the CLI uses.
"""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengce.match import (
    Batch, ProfileError, RuleBook, RuleError, RuleExists, dump_rules, evaluate, load_profiles, parse_profile,
    parse_profiles_text, parse_rules_text, review,
)
from zhengce.match.evaluate import match
from zhengce.match.synthetic import synthetic_profiles, synthetic_rules
from zhengce.store import Store

HERE = Path(__file__).resolve().parent
CASES = yaml.safe_load((HERE / "match_cases.yaml").read_text(encoding="utf-8"))
REVIEWED = HERE / "match_rules"


def copy_db(src: Path, dst: Path) -> Path:
    """A private copy of the session's corpus database (sqlite backup: WAL and all)."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return dst


@pytest.fixture(scope="module")
def reviewed_db(ingested_corpus_db, tmp_path_factory) -> Path:
    db = copy_db(ingested_corpus_db, tmp_path_factory.mktemp("match") / "m.db")
    with Store(db) as store:
        for f in sorted(REVIEWED.glob("*.yaml")):
            for rule in parse_rules_text(f.read_text(encoding="utf-8"), f.name):
                review(store, rule, reviewer="tests", note=f.name)
    return db


@pytest.fixture(scope="module")
def book(reviewed_db) -> RuleBook:
    with Store(reviewed_db) as store:
        return RuleBook.load(store)


def build_profile(spec: dict):
    spec = copy.deepcopy(spec)
    base = copy.deepcopy(CASES["bases"][spec.pop("base")]) if "base" in spec else {}
    unset = spec.pop("unset", [])
    facts = {**base.pop("facts", {}), **spec.pop("facts", {})}
    data = {**base, **spec}
    if facts:
        data["facts"] = facts
    for k in unset:
        data.pop(k, None)
    return parse_profile(data, "case")


def find_rule(book: RuleBook, ref: dict):
    hits = [r for r in book if ref["quote"] in r.source["quote"]
            and ref["doc"] in " ".join(str(r.source.get(k) or "") for k in ("doc_number", "doc"))]
    assert len(hits) == 1, f"{ref}: {len(hits)} rules match: {[r.id for r in hits]}"
    return hits[0]


def test_cases_are_many_and_varied():
    cases = CASES["cases"]
    assert len(cases) >= 40
    assert len({c["id"] for c in cases}) == len(cases)
    statuses = {c["expect"]["status"] for c in cases}
    assert statuses == {"eligible", "ineligible", "unknown"}


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["id"] for c in CASES["cases"]])
def test_hand_computed_case(case, book):
    rule = find_rule(book, case["rule"])
    assert rule.origin == ("reviewed" if case.get("reviewed") else "machine"), rule.id
    assert not rule.stale
    profile = build_profile(case["profile"])
    res = evaluate(rule, profile, str(case["as_of"]))
    want = case["expect"]
    assert res.status == want["status"], [e.explanation for e in res.explanation] + [res.validity]
    if "missing" in want:
        assert res.missing == want["missing"]
    if "amount" in want:
        lo, hi = want["amount"]
        assert (res.amount["min"], res.amount["max"]) == (pytest.approx(lo) if lo is not None else None, pytest.approx(hi) if hi is not None else None), res.amount
    if "cap_applied" in want:
        assert res.amount["cap"]["applied"] is want["cap_applied"]
    # the batch path computes the same status and amount
    b = Batch([profile], [rule], str(case["as_of"]))
    assert {2: "eligible", 1: "unknown", 0: "ineligible"}[int(b.status[0, 0])] == res.status
    row = b.row(0, 0)
    assert (row["amount_min"], row["amount_max"]) == (res.amount["min"], res.amount["max"])


def test_every_benefit_record_is_a_rule_and_ids_are_stable(ingested_corpus_db, tmp_path):
    with Store(ingested_corpus_db) as store:
        n_records = len(store.extractions(type_="benefit"))
        first = [r.id for r in RuleBook.load(store, machine_only=True)]
    assert len(first) == n_records == len(set(first))
    # Re-ingest every corpus file under the same paths (content changed by one trailing line): same ids.
    db = copy_db(ingested_corpus_db, tmp_path / "re.db")
    from zhengce.pipeline import parse_paths

    with Store(db) as store:
        paths = [Path(d.source_path) for d in store.list_documents()]
        for item in parse_paths(sorted(set(paths)), with_extractions=True):
            item.source.text += "\n"
            item.source.sha256 = item.source.sha256[::-1]
            assert store.ingest(item.source, item.documents, item.extractions).status == "replaced"
        again = [r.id for r in RuleBook.load(store, machine_only=True)]
    assert again == first


def test_no_condition_is_dropped(book):
    """Every machine rule has a condition (else everyone would be eligible) and every
    extracted condition left a trace: a typed fact, or a named requirement."""
    for r in book:
        assert r.conditions, r.id
    typed = sum(1 for r in book for c in r.conditions if not c.fact.startswith(("req:", "applies:", "num:")))
    assert typed > 100


# -- reviews ---------------------------------------------------------------------------


OTHER = """河南省人民政府办公厅关于支持中小企业发展的若干措施

豫政办〔2024〕9号

1．支持企业上市。对总部和主营业务均在河南省且在主板、创业板、科创板首发上市的企业，给予500万元奖励。（责任单位：省财政厅、省地方金融监管局）

2．鼓励研发投入。对研发费用占营业收入比重达到5%以上的中小企业，按其上年度研发费用的10%给予补助，每个企业年度最高不超过200万元。（责任单位：省科技厅）

3．稳定就业岗位。对依法参加失业保险、裁员率低于统筹地区城镇登记失业率的企业，按其上年度实际缴纳失业保险费的60%给予返还。（责任单位：省人力资源社会保障厅）

4．减轻税费负担。自2023年1月1日至2027年12月31日，对月销售额10万元以下（含本数）的增值税小规模纳税人，免征增值税。（责任单位：省税务局）
"""


def _ingest_text(store: Store, path: Path, text: str):
    from zhengce.pipeline import parse_paths

    path.write_text(text, encoding="utf-8")
    (item,) = list(parse_paths([path], with_extractions=True))
    return store.ingest(item.source, item.documents, item.extractions)


def test_another_provinces_notice(tmp_path):
    with Store(tmp_path / "o.db") as store:
        _ingest_text(store, tmp_path / "henan.txt", OTHER)
        book = RuleBook.load(store)
        uid = store.uid_of("豫政办〔2024〕9号")
    ids = [r.id for r in book]
    assert ids == [f"{uid}:{n}:1" for n in ("n3", "n4", "n5", "n6")], ids
    # The 发文字号 form of an id names the same rule (what people type and old rule files carry).
    assert book.get("豫政办〔2024〕9号:n4:1").id == f"{uid}:n4:1" and book.get("豫政办[2024]9号:n4:1").id == f"{uid}:n4:1"
    firm = parse_profile({
        "name": "郑州某科技有限公司", "kind": "enterprise", "province": "河南省", "hq_in_province": True,
        "main_business_in_province": True, "listing": {"board": "创业板", "date": "2024-03-01"}, "rd_expense_ratio": 5,
        "vat_taxpayer": "general", "facts": {"size": "small", "rd_expense_wan": 1500, "registered_unemployment_rate": 3.2,
                                             "unemployment_insurance_paid_wan": 25, "req:依法参加失业保险": True},
    })
    res = {r.rule.id.replace(uid, "豫政办〔2024〕9号"): r for r in match(firm, book, "2024-06-30")}
    listing = res["豫政办〔2024〕9号:n3:1"]
    assert listing.status == "eligible" and (listing.amount["min"], listing.amount["max"]) == (500, 500)
    rd = res["豫政办〔2024〕9号:n4:1"]
    assert rd.status == "eligible"  # 达到5%以上 includes 5%
    assert (rd.amount["min"], rd.amount["max"]) == (150, 150) and not rd.amount["cap"]["applied"]  # 10% × 1500
    jobs = res["豫政办〔2024〕9号:n5:1"]
    assert jobs.status == "unknown" and jobs.missing == ["layoff_rate"]
    assert (jobs.amount["min"], jobs.amount["max"]) == (15, 15)  # 60% × 25, once the layoff rate is known to be lower
    bigger = parse_profile(dict(firm.to_dict(), facts=dict(firm.to_dict()["facts"], rd_expense_wan=3000, layoff_rate=1.0)))
    res2 = {r.rule.id.replace(uid, "豫政办〔2024〕9号"): r for r in match(bigger, book, "2024-06-30")}
    assert res2["豫政办〔2024〕9号:n4:1"].amount["max"] == 200 and res2["豫政办〔2024〕9号:n4:1"].amount["cap"]["applied"]
    assert res2["豫政办〔2024〕9号:n5:1"].status == "eligible"
    vat = res["豫政办〔2024〕9号:n6:1"]
    assert vat.status == "ineligible"  # a general taxpayer
    assert (book.get("豫政办〔2024〕9号:n6:1").valid_from, book.get("豫政办〔2024〕9号:n6:1").valid_to) == ("2023-01-01", "2027-12-31")


def test_review_is_kept_apart_never_overwritten_and_goes_stale(tmp_path):
    db = tmp_path / "r.db"
    src = tmp_path / "henan.txt"
    with Store(db) as store:
        _ingest_text(store, src, OTHER)
        rule = RuleBook.load(store).get("豫政办〔2024〕9号:n4:1")
        d = rule.to_dict()
        d["benefit"]["base_fact"] = "rd_equipment_investment_wan"
        assert review(store, d, reviewer="张三") == 1
        assert review(store, d, reviewer="张三") == 1  # the same again: nothing new
        d2 = copy.deepcopy(d)
        d2["benefit"]["rate"] = 12
        with pytest.raises(RuleExists):
            review(store, d2)
        assert review(store, d2, replace=True) == 2
        got = RuleBook.load(store).get("豫政办〔2024〕9号:n4:1")
        assert got.origin == "reviewed" and got.benefit.rate == 12 and got.review["version"] == 2 and got.stale is None
        # Re-ingest the same text (other path content): the review survives.
        _ingest_text(store, src, OTHER + "\n")
        assert RuleBook.load(store).get("豫政办〔2024〕9号:n4:1").origin == "reviewed"
        # The clause changes: the review is flagged, not silently dropped or replaced.
        _ingest_text(store, src, OTHER.replace("按其上年度研发费用的10%", "按其上年度研发费用的8%"))
        stale = RuleBook.load(store).get("豫政办〔2024〕9号:n4:1")
        assert stale.origin == "reviewed" and stale.stale and "changed" in stale.stale


def test_rule_files_round_trip_and_errors(book):
    rules = book.rules[:20]
    assert [r.to_dict() for r in parse_rules_text(dump_rules(rules))] == [r.to_dict() for r in rules]
    bad = dump_rules(rules[:1]).replace("fact: ", "fact: no_such_", 1)
    with pytest.raises(RuleError, match="unknown fact 'no_such_"):
        parse_rules_text(bad, "r.yaml")
    with pytest.raises(RuleError, match="does not convert"):
        parse_rules_text("- {id: x, source: {doc: d, quote: q}, conditions: [{fact: annual_revenue_wan, op: '>', value: 1, unit: 人}]}")


# -- profiles ----------------------------------------------------------------------------


def test_profile_units_and_errors(tmp_path):
    p = parse_profile({"annual_revenue_wan": "1.5亿元", "monthly_sales_wan": "80000元", "rd_expense_ratio": "4.5%", "employees": "300人",
                       "listing": None, "vat_taxpayer": "小规模纳税人", "certifications": "高新技术企业、省级专精特新中小企业"})
    assert p.get("annual_revenue_wan") == 15000 and p.get("monthly_sales_wan") == 8 and p.get("rd_expense_ratio") == 4.5
    assert p.get("employees") == 300 and p.get("vat_taxpayer") == "small_scale" and len(p.get("certifications")) == 2
    assert p.known("listing_board") and p.get("listing_board") is None and not p.known("province")
    with pytest.raises(ProfileError, match=r"annual_revenue_wan: '30人' is not an amount in 万元"):
        parse_profile({"annual_revenue_wan": "30人"})
    with pytest.raises(ProfileError, match=r"revenue: unknown field \(known: name, kind, .*annual_revenue_wan"):
        parse_profile({"revenue": 1})
    with pytest.raises(ProfileError, match=r"kind: 'company' is not one of enterprise, individual_business, institution"):
        parse_profile({"kind": "company"})
    with pytest.raises(ProfileError, match=r"facts.profit: unknown fact \(known: size, ownership"):
        parse_profile({"facts": {"profit": 1}})
    with pytest.raises(ProfileError, match=r"hq_in_province: 'maybe' is not true/false"):
        parse_profile({"hq_in_province": "maybe"})
    csv_file = tmp_path / "firms.csv"
    csv_file.write_text("name,kind,annual_revenue_wan,listing.board,facts.size\n甲,enterprise,1亿元,科创板,small\n乙,enterprise,30人,,\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"firms.csv:3: annual_revenue_wan: '30人'"):
        load_profiles(csv_file)
    ok = parse_profiles_text("name,annual_revenue_wan,listing,facts.req:按期投产\n甲,2亿元,无,是\n", "csv", "x.csv")
    assert ok[0].get("annual_revenue_wan") == 20000 and ok[0].get("listing_board") is None and ok[0].get("req:按期投产") is True
    # round trip through the file form
    again = parse_profile(p.to_dict())
    assert again.values == p.values


# -- batch = one by one; the property ------------------------------------------------------


def test_batch_agrees_with_one_by_one(book):
    rules = book.active() + synthetic_rules(150, seed=5)
    profiles = synthetic_profiles(60, seed=6, unknown=0.2) + [build_profile({"base": "pharma"}), build_profile({"base": "shop"})]
    b = Batch(profiles, rules, "2021-10-01")
    names = {2: "eligible", 1: "unknown", 0: "ineligible"}
    for j, rule in enumerate(b.rules):
        amounts = b.amounts(j)
        for i, p in enumerate(profiles):
            res = evaluate(rule, p, "2021-10-01")
            assert names[int(b.status[j, i])] == res.status, (rule.id, p.name)
            row = b.row(i, j, amounts)
            assert (row["amount_min"], row["amount_max"]) == (res.amount["min"], res.amount["max"]), (rule.id, p.name)
            if res.status == "unknown":
                assert b.missing(i, j) == res.missing


def _monotone_facts(rule):
    """Facts every condition of the rule asks to be at least something (>=, >)."""
    ops: dict[str, set] = {}
    for c in rule.conditions:
        for sub in (c.group or [c]):
            for f in sub.facts():
                ops.setdefault(f, set()).add(sub.op if f == sub.fact and not sub.value_fact else "other")
    return [f for f, o in ops.items() if o <= {">=", ">"} and not f.startswith("prior_")]


_PROPERTY_RULES = [r for r in synthetic_rules(400, seed=11) if _monotone_facts(r)]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(_PROPERTY_RULES) - 1), st.integers(0, 10_000), st.floats(0.01, 1e6), st.data())
def test_stronger_on_a_threshold_never_loses_eligibility(j, seed, delta, data):
    rule = _PROPERTY_RULES[j]
    (p,) = synthetic_profiles(1, seed=seed, unknown=0.05)
    name = data.draw(st.sampled_from(_monotone_facts(rule)))
    before = evaluate(rule, p, "2021-06-01").status
    stronger = copy.deepcopy(p)
    stronger.values[name] = (p.values.get(name) or 0.0) + delta
    after = evaluate(rule, stronger, "2021-06-01").status
    assert not (before == "eligible" and after == "ineligible"), (rule.id, name)
    if before == "eligible":
        assert after == "eligible"


def test_push_list_and_reverse(book, tmp_path):
    firms = [build_profile({"base": "pharma", "annual_revenue_wan": 120000, "listing": {"board": "主板"},
                            "facts": {"prior_max_annual_revenue_wan": 90000}}),
             build_profile({"base": "shop", "monthly_sales_wan": 12})]
    b = Batch(firms, book.active(), "2021-10-01")
    rows = b.push_list()
    by_firm = {}
    for r in rows:
        by_firm.setdefault(r["enterprise"], []).append(r)
    assert any("科创板成功上市" in r["quote"] and r["amount_max"] == 1000 for r in by_firm["长春某药业股份有限公司"])
    assert any("月销售额15万元以下" in r["quote"] for r in by_firm["吉林市某商贸有限公司"])
    listing = next(r for r in book if "科创板成功上市" in r.source["quote"])
    rev = b.reverse(listing.id)
    assert [r["status"] for r in rev] == ["eligible", "unknown"]  # the shop did not say whether it is listed
    from zhengce.match.batch import write_rows

    write_rows(rows, tmp_path / "push.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "push.xlsx").active
    assert ws.max_row == len(rows) + 1 and ws.cell(1, 1).value == "enterprise"


def test_stronger_is_never_worse_on_the_corpus_rules(book):
    """The same property over every corpus rule with a >=/> threshold, from profiles that meet it."""
    import random

    rnd = random.Random(3)
    checked = 0
    for rule in book.active():
        names = [n for n in _monotone_facts(rule) if not n.startswith(("req:", "applies:"))]
        if not names:
            continue
        for p in synthetic_profiles(30, seed=rnd.randint(0, 10**6), unknown=0.0):
            for c in rule.conditions:  # answer the rule's named requirements, so that it can be eligible
                for f in c.facts():
                    if f.startswith(("req:", "applies:")):
                        p.values[f] = True
            for name in names:
                p.values.setdefault(name, rnd.uniform(0, 1e6))
            before = evaluate(rule, p, "2021-06-01").status
            for name in names:
                stronger = copy.deepcopy(p)
                stronger.values[name] = p.values[name] + rnd.uniform(0.01, 1e6)
                after = evaluate(rule, stronger, "2021-06-01").status
                assert not (before == "eligible" and after != "eligible"), (rule.id, name)
                checked += before == "eligible"
    assert checked > 0
