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
from ..lang import PROVINCE_PATTERN

_GRANT = re.compile(
    r"给予|奖励|奖补|补贴|补助|贴息|免征|减按|减免|免收|免除|下调|优先安排|优先支持|直接安排|"
    # a lower land-price floor (出让底价 … 按…最低价标准的70%执行), a fee cut (降低…注册费, 资费降低10%),
    # a toll discount (通行费7折优惠, 按…标准的75%计收), a free service (免费提速)
    r"出让底价|最低价标准》的?\s*\d+%执行|(?:降低|下调)[^，。；]{0,12}?(?<!消)费(?!负担)|费(?:降低|下降)|\d+%计收|折优惠|免费(?:提速|乘坐|使用|提供)|"
    # credit (担保贷款, a housing-fund loan ceiling raised), tax deductions (加计扣除, 减除费用, 定额扣除, 扣减),
    # refunds (返还…失业保险费), 以奖代补, 先建后补
    r"担保贷款|贴息贷款|(?:贷款|可贷)(?:最高)?额度|最高(?:可)?贷款额度|贷款最高额度|加计扣除|减除费用|定额扣除|扣减|"
    r"返还|以奖代补|先建后补"
)
# …14400元为限额 / 为上限 / 封顶: the amount is a ceiling.
_CEILING_AFTER = re.compile(r"\s*(?:为限额|为上限|封顶|为限)")
# A credit line: the amount is a ceiling one may borrow up to, not cash.
_CREDIT = re.compile(r"贷款|可贷")
# The value a clause raises something to (加计扣除比例提高至100%, 最高额度从60万元提高至80万元).
_NEW_VALUE = re.compile(r"(?:提高至|提高到|提升至|提升到|调整为|调整至|调整到|上调至|上调到|增加到|增加至|提至)\s*$")
_KIND = [
    ("奖补", "奖补"), ("奖励", "奖励"), ("补贴", "补贴"), ("贴息", "贴息"), ("补助", "补助"),
    ("免征", "税收减免"), ("减按", "税收减免"), ("税收减免", "税收减免"), ("免收", "费用减免"), ("免除", "费用减免"),
    ("下调", "费用减免"), ("降低", "费用减免"), ("计收", "费用减免"), ("折优惠", "费用减免"), ("免费", "费用减免"),
    ("用地", "用地"), ("出让底价", "用地"), ("最低价标准", "用地"), ("优先", "优先支持"),
    ("以奖代补", "奖补"), ("先建后补", "补助"), ("返还", "补贴"), ("加计扣除", "税收减免"), ("减除费用", "税收减免"),
    ("定额扣除", "税收减免"), ("扣减", "税收减免"), ("担保贷款", "融资"), ("贴息贷款", "融资"), ("额度", "融资"),
]
_FACTS = [
    ("固定资产投资", "fixed_asset_investment"), ("总投资", "total_investment"), ("投资", "investment"),
    ("新增销售收入", "annual_sales_increase"), ("主营业务收入", "annual_revenue"), ("营业收入", "annual_revenue"),
    ("销售收入", "annual_revenue"), ("销售款", "annual_revenue"), ("月销售额", "monthly_sales"), ("成交额", "transaction_volume"),
    ("交易额", "transaction_volume"), ("研发", "rd_expense_ratio"), ("裁员率", "layoff_rate"), ("职工", "employees"),
    ("员工", "employees"), ("从业人数", "employees"), ("从业人员", "employees"), ("贷款", "loan_amount"),
    ("应纳税所得额", "taxable_income"),
]
# Recognised titles a firm holds (认定/评为 …), as the certification's value.
_CERT_TITLE = (
    r"(?:(?:河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海)省)?"
    r"(?:国家级|省级|市级)?(?:中国驰名商标|地理标志商标|中国专利奖|专利奖|专精特新[“\"]?小巨人[”\"]?企业|[“\"]?专精特新[”\"]?中小企业|科技型?小巨人企业|小巨人企业|高新技术企业|"
    r"技术转移示范机构|科技企业孵化器|众创空间|大学科技园|重点实验室|企业技术中心|技术创新示范企业|制造业单项冠军企业)"
)
_CERT = re.compile(rf"(?P<neg>非)?(?P<title>{_CERT_TITLE})")
# Things a product obtained: 新药证书（生产批件）, 一致性评价, 注册认证 …
_PRODUCT = re.compile(
    r"(?:获得|取得|通过|完成)(?:质量和疗效)?(?P<obj>[^，。；、的]{0,48}?(?:证书(?:（[^）]{1,8}）)?|批件|批准文号|一致性评价|注册认证|再评价))"
)
# Industries, as policies name them (a domain vocabulary, not any one document's words).
_INDUSTRY = re.compile(
    r"(医药健康|生物医药|医疗器械|汽车|石化|化工|装备制造|食品(?!药品)|农产品加工|旅游|冰雪|文化|体育|数字经济|软件|信息技术|电子信息|"
    r"新能源|新材料|现代服务业|物流|建筑|钢铁|冶金|纺织|光电|航空航天|轨道交通|人参|医养|健康养老)(?:领域|产业|行业)?"
)
_PROVINCE = PROVINCE_PATTERN  # all 34 provincial-level divisions (lang.places)
# 在我省转化 / 到我省 / 在吉林省行政区域内; not a name that starts with a place (吉林省大型科学仪器共享服务平台).
_LOCATION = re.compile(rf"(?:在|到|落户)(我省|本省|省内|我区|本区|区内|我市|本市|市内|{_PROVINCE})|({_PROVINCE})(?=行政区域|内|且|[，、的]|$)")
# 在主板、创业板、科创板成功上市 / 在全国中小企业股份转让系统挂牌 (not 拟上市: a firm preparing to list)
_BOARD = r"(?:主板|创业板|科创板|中小板|北交所|北京证券交易所|新三板|A股|境内外|境外|区域性?股权市场|全国中小企业股份转让系统)"
_LISTING = re.compile(rf"(?<!拟)(?:在)?(?P<v>{_BOARD}(?:[、和及或]{_BOARD})*(?:成功|首发|首次公开发行股票并)?(?:上市|挂牌)(?:挂牌)?|成功上市)")
_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
# 自2021年4月1日至2022年12月31日 / 2019年1月1日至2021年12月31日 / 自2019年2月1日起; a sentence opening
# with 2021年12月31日前 is valid until then.
_VALID = re.compile(rf"自\s*{_DATE}(?:\s*(?:至|到|—|-)\s*{_DATE})?|{_DATE}\s*(?:至|到|—|-)\s*{_DATE}")
_VALID_TO = re.compile(rf"^\s*(?:\d+[．.、]\s*)?{_DATE}(?:前|以前|之前)")
_CAP_PER = re.compile(r"每(?:个|家|户)?(企业|品种|项目|单位|人)(?:每年|年度|每年度)?(?:最高|累计)?(?:不超过|不高于)?$")
# The base a percentage is of: the words before it in its clause (按其上年度研发费用的10% → 上年度研发费用).
_RATE = re.compile(r"(?:按照|按其|按)?([^，。；]{0,40}?)的?\s*(\d+(?:\.\d+)?)\s*%$")
_DISCOUNT = re.compile(r"(\d(?:\.\d)?)\s*折")
# Where to apply, when the clause says so: 向…申请 / 到…办理 / 在…申报
_WHERE = re.compile(r"(?:向|到|在|通过)([^，。；]{2,40}?)(?:提出申请|申请|申报|办理)")


_RATIO_FACTS = {"rd_expense_ratio", "layoff_rate"}


def _fact(before: str, after: str = "", unit: str | None = None) -> str:
    if unit == "%":  # 研发费用占营业收入比重达到5%: a share, not the revenue
        for word, fact in _FACTS:
            if fact in _RATIO_FACTS and word in before[-14:]:
                return fact
        return "threshold"
    for word, fact in _FACTS:
        if word in before[-14:]:
            return fact
    if after.startswith(("贷款额度", "贷款")):  # 1000万元以内贷款额度
        return "loan_amount"
    return "threshold"


# What a support clause is given to, as policies name recipients.
_RECIPIENT = (
    r"(?:企业|单位|机构|项目|品种|产品|人才(?:（团队）)?|专家|孵化器(?:（众创空间）)?|纳税人|个体工商户|合作社|"
    r"药品|注射剂|医疗器械|中成药|化学药品|生物制品|学校|医院|园区|基地|车辆)"
)
# Greedy: 科技企业孵化器（众创空间） is the recipient, not 科技企业.
_RECIPIENT_AT = re.compile(rf"[^，、的且并和（）“”]{{0,18}}{_RECIPIENT}")
_LIST_SEP = re.compile(r"[、和及与或]|以及")


def _with_list(phrase: str, m: re.Match) -> str:
    """A recipient and the ones listed after it: 中成药、生物制品、化学药品."""
    end = m.end()
    while True:
        sep = _LIST_SEP.match(phrase, end)
        nxt = _RECIPIENT_AT.match(phrase, sep.end()) if sep else None
        # An item ends where the list goes on or the phrase does; 企业申报材料… opens a new clause.
        if not nxt or not re.match(r"$|[、和及与或，。；的（,;]", phrase[nxt.end() : nxt.end() + 1]):
            return phrase[m.start() : end]
        end = nxt.end()


def _recipient(head: str) -> str | None:
    """The 对… phrase's recipient: 对企业… → 企业; else the first recipient noun
    after a 的 (…的医药健康工业企业); else the last one named.  A list of
    recipients (A、B和C) is kept whole."""
    i = head.find("对")
    if i < 0:
        return None
    phrase = head[i + 1 :]
    first = phrase.split("，", 1)[0]
    if "的" not in first and re.search(rf"{_RECIPIENT}$", first):
        phrase = first  # 对医药健康企业，按规定享受…: the recipient is the first segment
    m = re.match(_RECIPIENT, phrase)
    if m and not re.match(rf"{_RECIPIENT}[\u4e00-\u9fff]{{0,2}}的", phrase):
        return _with_list(phrase, m)
    for d in re.finditer("的", phrase):
        m = _RECIPIENT_AT.match(phrase, d.end())
        if m:
            return _with_list(phrase, m)
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


# The recipient phrase opens with 对 (对于); not 针对/相对/面对/绝对/核对, nor 对外/对接/对标/对象/对比/对应…
_DUI = re.compile(r"(?<![针相面绝反核])对于?(?![外接标象比应称口话照待齐])")
# An applicant named first in the phrase (对企业新获得…的, 对医药健康企业通过…的, 对拥有自主品牌企业申请…).
_APPLICANT = re.compile(
    r"^(?P<who>[\u4e00-\u9fff]{0,8}?(?:企业|单位))(?=(?:新|已|经)?(?:获得|取得|通过|针对|完成|实施|在|与|以|开展|申请|引进|购买|拥有))"
)
# Words that only say a title named elsewhere in the phrase was granted (经认定的、…企业); 新认定
# (newly granted) is a condition of its own and is kept.
_QUALIFIER = re.compile(r"(?:经|已|被)?(?:认定|评定|备案)?(?:（备案）)?的?")
_PRODUCT_WORDS = re.compile(r"药品|中成药|生物制品|中药材|医疗器械|食品|配方颗粒|经典名方|注射剂|产品")
# 裁员率低于统筹区登记失业率: a measure compared with a reference that is not a number.
_COMPARED = re.compile(r"^(?P<what>[\u4e00-\u9fff]{2,10}?)(?P<cmp>不低于|不高于|不超过|低于|高于|超过|少于|多于)(?P<ref>[\u4e00-\u9fff]{2,20})$")
_CMP = {"不低于": ">=", "不高于": "<=", "不超过": "<=", "低于": "<", "高于": ">", "超过": ">", "少于": "<", "多于": ">"}


def _items(phrase: str, base: int) -> list[tuple[int, int, str]]:
    """(start, end, separator before it) of the phrase's items, offsets + base: split at ，/且,
    and at 、 outside brackets (an 、 list is one alternative-list when nothing types its parts)."""
    out: list[tuple[int, int, str]] = []
    depth, start, sep = 0, 0, ""
    i = 0
    text = phrase + "，"
    while i < len(text):
        ch = text[i]
        if ch in "（(《“":
            depth += 1
        elif ch in "）)》”":
            depth = max(0, depth - 1)
        width = 0
        if depth == 0:
            if ch == "、" and re.search(rf"{_BOARD}$", text[:i]) and re.match(_BOARD, text[i + 1 :]):
                width = 0  # 在主板、创业板、科创板成功上市: one list of boards
            elif ch in "，、":
                width = 1
            elif text.startswith("并且", i):
                width = 2
            elif ch == "且":
                width = 1
        if width:
            if i > start:
                out.append((base + start, base + i, sep))
            sep = "、" if ch == "、" else "，"
            start = i + width
            i += width
            continue
        i += 1
    return out


def _phrase(head: str) -> tuple[int, int, int] | None:
    """The 对… phrase of a clause head as (start, end of its modifiers, end of its recipient).

    The phrase runs to the first comma segment whose words after its last 的
    name a recipient (…的医药健康企业); its modifiers stop at that 的.  Without
    a 的 the phrase is all recipient (对整车合法装载鲜活农产品车辆免收…).
    """
    m = _DUI.search(head)
    if not m:
        return None
    start = m.end()
    first = None
    for seg in re.finditer(r"[^，]+", head[start:]):
        a, b = start + seg.start(), start + seg.end()
        first = first or (a, b)
        body = seg.group()
        if "的" in body and re.search(_RECIPIENT, body.rsplit("的", 1)[1]):
            return start, a + body.rindex("的"), b
    for seg in re.finditer(r"[^，]+", head[start:]):  # …且符合…方向的“双创”基地: the segment with the 的
        if "的" in seg.group():
            a, b = start + seg.start(), start + seg.end()
            return start, a + seg.group().rindex("的"), b
    a, b = first or (start, start)
    return start, start, b


def _cond(fact: str, op: str, value, text: str, unit: str | None = None) -> dict:
    return {"fact": fact, "op": op, "value": value, "unit": unit, "text": text}


def _conditions(sent: str, s: int, gi: int, qs: list) -> list[dict]:
    """Every requirement on the applicant in the clause head (sent[:gi], the words before the grant).

    Only the 对… phrase holds conditions (an amount budgeted before it — 累计安排1亿元… — is
    not one); without a 对 phrase, the head's "…的" clauses do.  Thresholds are read with
    the legal comparators; a titled status (认定为…) is a certification, 获得…证书 a product, 在我省…
    a location; what is left is kept as a `requirement` in its own words, so that no
    condition is dropped (a dropped condition would make every applicant eligible).
    """
    head = sent[:gi]
    ph = _phrase(head)
    if ph is not None:
        p0, mods_end, p1 = ph
        items = _items(head[p0:mods_end], p0)
        n0 = mods_end + 1 if head[mods_end : mods_end + 1] == "的" else mods_end
        if n0 == p0:  # no 的: 对拥有自主品牌企业申请国际商标注册
            am = _APPLICANT.match(head[p0:p1])
            if am:
                items, n0 = [(p0 + am.end(), p1, "")], p0
                who = re.sub(r"(?:企业|单位)$", "", am.group("who"))
                if len(who) >= 2 and not _INDUSTRY.fullmatch(who):
                    items.insert(0, (p0, p0 + len(who), ""))
                p1 = p0 + am.end("who")
        inner = re.match(r"^(.+)的([\u4e00-\u9fff]{0,8}?(?:企业|单位))(?:实施|开展|建设|申报)$", head[p0:mods_end])
        project = inner and re.search(r"项目$", head[n0:p1])
        if project:
            # 对招商引资、兼并重组的医药健康企业实施的技术提升改造…项目: the firm's conditions, its sector,
            # and the kind of project as a requirement
            items = _items(inner.group(1), p0) + [(p0 + inner.start(2), p0 + inner.end(2), "，"), (n0, p1, "，")]
            n0 = p1
        noun = (n0, p1)
    else:
        items = []
        for seg in re.finditer(r"[^，]+", head):
            if seg.group().endswith("的"):
                items += _items(seg.group()[:-1], seg.start())
        noun = None
    local = [q for q in qs if q.start < s + gi and q.unit not in ("年", "月", "日")]
    out: list[dict] = []
    pending: list[tuple[int, int]] = []  # untyped items of one 、 list

    def flush() -> None:
        if pending:
            value = "、".join(head[a:b] for a, b in pending).rstrip("的")
            out.append(_cond("requirement", "has", value, value))
            pending.clear()

    certs: list[dict] = []  # an 、 list of titles is one condition: any of them
    level = ""  # 认定为省级以上的“专精特新”中小企业: the level goes with the title in the recipient
    levels: list[str] = []
    for k, (a, b, sep) in enumerate(items):
        if sep != "、":
            flush()
        if k == 0 and ph is not None:
            am = _APPLICANT.match(head[a:b])
            if am:
                a += am.end()
        item = head[a:b]
        numeric = _numeric(sent, s, a, b, local)
        if numeric is not None:
            flush()
            out.extend(numeric)
            continue
        typed = _typed(item)
        if typed is None:
            lv = re.fullmatch(r"(?:(?:经|被)?认定为?)?((?:国家级|省级|市级)(?:及?以上)?)的?", item.strip())
            if lv and sep != "、" and not re.fullmatch(r"国家级|省级|市级", item.strip()):
                level = lv.group(1)
            elif lv:
                levels.append(lv.group(1))  # 国家级、省级科技企业孵化器: either level of the title
            elif not _QUALIFIER.fullmatch(item.strip()):
                pending.append((a, b))
            continue
        if sep == "、" and pending and typed and typed[-1]["fact"] == "requirement":
            # 通过外包研发成果、引进关键技术或购买核心专利在我省转化: one list of alternatives
            joined = "、".join(head[x:y] for x, y in pending) + "、" + typed[-1]["value"]
            typed[-1]["value"] = typed[-1]["text"] = joined
            pending.clear()
        flush()
        if levels and typed[0]["fact"] == "certification":
            lv = re.match(r"国家级|省级|市级", typed[0]["value"])
            if lv:
                first = typed[0]["value"].split("、")[0]
                extra = [x + first[lv.end() :] for x in levels]
                typed[0]["value"] = "、".join(extra + [typed[0]["value"]])
            levels.clear()
        if sep == "、" and certs and all(c["fact"] == "certification" for c in typed) and len(typed) == 1:
            certs[-1]["value"] += "、" + typed[0]["value"]
            certs[-1]["text"] += "、" + typed[0]["text"]
            continue
        out.extend(typed)
        certs = [c for c in typed if c["fact"] == "certification"] if len(typed) == 1 else []
    flush()
    if noun is not None and noun[1] > noun[0]:
        numeric = _numeric(sent, s, noun[0], noun[1], local, noun=True) or []
        out.extend(numeric)
        for c in _typed(head[noun[0] : noun[1]], noun_part=True) or []:
            if level and c["fact"] == "certification" and not re.match(r"国家级|省级|市级", c["value"]):
                c["value"], level = level + c["value"], ""
            out.append(c)
    if level:
        out.append(_cond("requirement", "has", "认定为" + level, "认定为" + level))
    if ph is not None:
        # 对A的X，以及B的Y: an alternative recipient; its conditions are kept too (a reviewer splits the rule)
        alt = re.match(r"，\s*(?:以及|及|和|或)([^，]+的)[^，]*", head[ph[2] :])
        if alt:
            a0 = ph[2] + alt.start(1)
            for a, b, _sep in _items(alt.group(1)[:-1], a0):
                numeric = _numeric(sent, s, a, b, local)
                if numeric:
                    out.extend(numeric)
                else:
                    out.extend(_typed(head[a:b]) or [_cond("requirement", "has", head[a:b], head[a:b])])
    if any(q.start < s + gi and "首次" in sent[max(0, q.start - s - 4) : q.start - s] for q in local) or "首次" in head:
        out.append(_cond("first_time", "=", True, "首次"))
    if not any(c["fact"] == "industry" for c in out):
        # The sector may be named around the phrase: 围绕我省医药健康产业发展需求，对…
        where = head[ph[0] : ph[2]] if ph is not None else head
        ind = _INDUSTRY.search(where) or (re.search(r"围绕|面向|聚焦", head) and _INDUSTRY.search(head))
        if ind and not any(c["fact"] == "product_type" for c in out):
            out.append(_cond("industry", "in", ind.group(1), ind.group(0)))
    return _dedupe(out)


def _numeric(sent: str, s: int, a: int, b: int, local: list, noun: bool = False) -> list[dict] | None:
    """The threshold an item states (年主营业务收入首次超过10亿元), or None if it states none."""
    item = sent[a:b]
    in_item = [q for q in local if s + a <= q.start < s + b]
    if not in_item:
        m = _COMPARED.match(item)
        if m and not noun and _fact(m.group("what")) != "threshold":
            return [_cond(_fact(m.group("what")), _CMP[m.group("cmp")], m.group("ref"), item)]
        return None
    q = in_item[0]
    after = sent[q.end - s : q.end - s + 4]
    if sent[b:].startswith("的部分") or after.startswith("的部分") or re.match(r"[／/]", after):
        return []  # a bracket of a tax base (…不超过100万元的部分), or a ratio (万元／平方米)
    rest = item
    for x in in_item:
        rest = rest.replace(x.text, "")
    if re.fullmatch(r"[\s、和及与]*", rest) and not noun:
        return []  # a further tier of a series (…10亿元、20亿元): the first threshold decides
    op = q.comparator
    if op == "=":  # 5000万元和1亿元以上: a comparator written once applies to the series
        for later in local:
            between = sent[q.end - s : later.start - s]
            if later.start > q.start and later.comparator != "=" and re.fullmatch(r"[\s、和及与]*", between):
                op = later.comparator
                break
            if later.start > q.start and not re.fullmatch(r"[\s、和及与]*", between):
                break
    before = sent[max(a, q.start - s - 16) : q.start - s]
    fact = _fact(before, sent[q.end - s : b], q.unit)
    if noun and fact == "threshold":
        return []
    # the words run on through the series of tiers (…超过10亿元、20亿元和50亿元), so the tiers stay readable
    series = re.match(r"(?:\s*[、和及与]\s*\d+(?:\.\d+)?\s*(?:亿元|万元|元|%)?)+(?:及?以上|以下)?", sent[b:])
    text = item + (series.group(0) if series else "")
    return [_cond(fact, op, q.value, re.sub(r"^(?:经认定的|已认定的)", "", text), q.unit)]


def _typed(item: str, noun_part: bool = False) -> list[dict] | None:
    """The typed conditions an item states (certification, product, location, listing, industry),
    with any words before a location kept as a requirement; None when it states none of them."""
    out: list[dict] = []
    rest = item
    titles = [m for m in _CERT.finditer(item)]
    for m in titles:
        rest = rest.replace(m.group(0), "")
    has = []
    for m in titles:
        if m.group("neg"):
            continue
        lv = re.match(r"国家级|省级|市级", m.group("title"))
        pre = re.search(r"((?:(?:国家级|省级|市级)、)+)$", item[: m.start()]) if lv else None
        if pre:  # 国家级、省级科技企业孵化器: the title at either level
            has += [x + m.group("title")[lv.end() :] for x in pre.group(1).split("、") if x]
        has.append(m.group("title"))
    if has:  # 省级科技企业孵化器（众创空间）: either title
        out.append(_cond("certification", "has", "、".join(has), "、".join(m.group(0) for m in titles if not m.group("neg"))))
    out += [_cond("certification", "not_has", m.group("title"), m.group(0)) for m in titles if m.group("neg")]
    for m in _PRODUCT.finditer(item):
        obj = m.group("obj")
        value = "一致性评价" if obj.endswith("一致性评价") else "再评价" if obj.endswith("再评价") else obj
        out.append(_cond("product", "has", value, m.group(0)))
        # 针对自有品种完成…一致性评价: what precedes the product's verb is a condition too
        lead = re.sub(r"^(?:的|且|并|由|经|新|已)+|(?:的|新|已)+$", "", item[: m.start()])
        if len(lead) >= 2 and not noun_part and not _INDUSTRY.fullmatch(lead) and not _CERT.search(lead):
            out.append(_cond("requirement", "has", lead, lead))
        rest = rest.replace(m.group(0), "")
    for m in _LISTING.finditer(rest):
        out.append(_cond("listing", "has", m.group("v"), m.group(0)))
        rest = rest.replace(m.group(0), "")
    loc = _LOCATION.search(rest)
    if loc:
        out.append(_cond("location", "in", loc.group(1) or loc.group(2), item))
        before = re.sub(r"^(?:的|且|并|由)+", "", rest[: loc.start()])
        # 总部和主营业务均在吉林省: what is located there stays in the location's text
        if len(before) >= 2 and not _INDUSTRY.search(before) and not noun_part and not re.search(r"总部|主营业务|注册地|生产经营|住所", before):
            out.append(_cond("requirement", "has", before, before))  # 经盘活在我省生产上市
        rest = ""
    product_list = noun_part and "、" in item and _PRODUCT_WORDS.search(item) and not re.search(r"企业|单位|机构", item)
    if product_list:
        out.append(_cond("product_type", "in", item, item))
    else:
        ind = _INDUSTRY.search(rest if not noun_part else item)
        # in a product's name (新药和高端医疗器械, 保健食品) 医疗器械/食品 name the product, not the sector
        if ind and not (noun_part and ind.group(1) in ("医疗器械", "食品") and _PRODUCT_WORDS.search(item)):
            out.append(_cond("industry", "in", ind.group(1), ind.group(0)))
    return out if out or noun_part else None


def _dedupe(conds: list[dict]) -> list[dict]:
    seen, out = set(), []
    for c in conds:
        key = (c["fact"], c["op"], str(c["value"]))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _money(unit: str | None) -> bool:
    """万元, 元, 元/亩, 万元/年: an amount of money (per something or not)."""
    return bool(unit) and unit.split("/")[0].endswith("元")


def _before_grant(text: str, q, g: int) -> bool:
    """An amount written before the grant word, in the same clause: 按每套2万元给予购房补贴,
    安排5000万元奖励, 最高不超过20万元的创业担保贷款 (never a threshold: those are read apart)."""
    between = text[q.end:g]
    return _money(q.unit) and len(between) <= 12 and not any(c in between for c in "，。；,;") and (
        "的" not in between or bool(re.fullmatch(r"的[\u4e00-\u9fff]{0,6}", between)))


def extract_benefits(ctx: Context) -> list[Extraction]:
    out: list[Extraction] = []
    for node in ctx.doc.nodes:
        if node.kind not in ("item", "paragraph", "bullet", "article", "heading", "box_item"):
            continue
        if node.kind == "heading" and not re.search(r"[，,].{4,}", node.text):
            continue  # 一、奖励政策 names a section; 一、对…的企业，给予…奖励 grants
        found = []
        for s, e, sent in sentences(node.text, node.start):
            if not _GRANT.search(sent) or RESPONSIBILITY_TAG.fullmatch(sent.strip()):
                continue
            if re.search(r"累计[^，。；]{0,20}(?:获得|发放)[^，。；]{0,12}(?:奖励|补贴)", sent):
                continue  # an achievement reported (累计获得…科技奖励233项), not a grant
            found.append(_benefit(ctx, node, s, e, sent))
        if len(found) > 1 and node.title and _is_title(found[0].quote, node.title):
            found = found[1:]  # 28．实施稳岗补贴政策。 heads the clause that grants it: one record, the clause
        out += found
    return out


def _is_title(quote: str, title: str) -> bool:
    """The sentence is only the item's run-in title (a label, with no 对… phrase of its own)."""
    body = re.sub(r"^\s*(?:\d+[．.、]|[（(][一二三四五六七八九十\d]+[）)])\s*", "", quote).rstrip("。；")
    return body == title.rstrip("。；") and "对" not in body


def _benefit(ctx: Context, node: Node, s: int, e: int, sent: str) -> Extraction:
    text = ctx.doc.text
    grant = _GRANT.search(sent)
    g = s + grant.start()
    qs = quantities(text, s, e)
    group = _recipient(sent[: grant.start()])
    conditions = _conditions(sent, s, grant.start(), qs)

    amount = cap = None
    last_amount = None
    rate = rate_base = None
    ph = _phrase(sent[: grant.start()])
    in_phrase = (s + ph[0], s + ph[2]) if ph else (s, s)
    credit = bool(_CREDIT.search(grant.group()) or _CREDIT.search(sent[max(0, grant.start() - 8): grant.end() + 8]))
    for q in qs:
        lead_in = text[max(s, q.start - 16) : q.start]
        raised_to = bool(_NEW_VALUE.search(lead_in))
        if q.start < g and q.unit != "%" and not (raised_to or _before_grant(text, q, g)):
            continue
        if q.comparator in (">=", ">") or in_phrase[0] <= q.start < in_phrase[1]:
            continue  # a threshold (投资额达到10亿元以上的…), never an amount or a rate
        if raised_to and q.unit == "%":
            rate = q.value  # 分别从50%、75%提高至100%: the rate granted is the new one
            continue
        if raised_to and _money(q.unit):
            amount = {"min": None if credit else q.value, "max": q.value, "unit": q.unit}
            last_amount = q
            continue
        if _money(q.unit):
            per = _CAP_PER.search(lead_in.rstrip())
            if per and ("最高" in lead_in or "不超过" in lead_in or q.comparator == "<="):
                cap = {"value": q.value, "unit": q.unit, "per": per.group(1) + ("/年" if "年" in lead_in[per.start() :] else "")}
            elif q.comparator == "<=" and re.search(r"年度[^，。；]{0,6}?(?:最高)?$", lead_in.rstrip()) and cap is None:
                cap = {"value": q.value, "unit": q.unit, "per": "年"}  # 年度资助经费不超过60万元
            elif amount is None:
                if q.comparator == "<=" or (credit and q.comparator != "=") or _CEILING_AFTER.match(text, q.end):
                    amount = {"min": None, "max": q.value, "unit": q.unit}
                elif credit and re.search(r"(?:最高|额度为|额度按照?|可贷)[^，。；]{0,6}$", lead_in):
                    amount = {"min": None, "max": q.value, "unit": q.unit}
                else:
                    amount = {"min": q.value, "max": q.value_max if q.value_max is not None else q.value, "unit": q.unit}
                last_amount = q
            elif last_amount is not None and q.unit == amount["unit"] and re.fullmatch(r"[、和及与或]", text[last_amount.end : q.start]):
                # 分别给予50万元和80万元: tiers of one grant, from the lowest to the highest
                amount = {"min": amount["min"], "max": max(amount["max"], q.value_max or q.value), "unit": amount["unit"]}
                last_amount = q
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
        d = [x for x in vm.groups() if x is not None]
        valid_from = f"{int(d[0]):04d}-{int(d[1]):02d}-{int(d[2]):02d}"
        if len(d) == 6:
            valid_to = f"{int(d[3]):04d}-{int(d[4]):02d}-{int(d[5]):02d}"
    else:
        vt = _VALID_TO.search(sent)
        if vt:
            valid_to = f"{int(vt.group(1)):04d}-{int(vt.group(2)):02d}-{int(vt.group(3)):02d}"
    return ctx.record(
        "benefit", node, s, e,
        target_group=group, conditions=conditions, benefit_kind=kind, amount=amount, cap=cap,
        rate=rate, rate_base=rate_base, agencies=_agencies(ctx, node),
        valid_from=valid_from, valid_to=valid_to, where_to_apply=_where(sent),
    )
