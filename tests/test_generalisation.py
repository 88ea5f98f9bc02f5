"""Documents as other provinces and national bodies write them (fixtures written for these tests in
the wordings of real documents: decrees, joint signatures, notices printed above the policy they
issue, crawl copies, work reports, communiqués), and the one jurisdiction function."""

from __future__ import annotations

import pytest

from zhengce.extract import extract
from zhengce.lang import jurisdiction, province_named
from zhengce.model import Source
from zhengce.pipeline import parse_source
from zhengce.structure.elements import split_organs


def docs(text: str, fmt: str = "text"):
    return parse_source(Source(path="t.txt", text=text, format=fmt))


def one(text: str, fmt: str = "text"):
    (d,) = docs(text, fmt)
    return d


def records(text: str, *types: str):
    d = one(text)
    return [r.to_dict() for r in extract(d, "t.txt#1", types)]


def top_labels(d):
    return [n.label for n in d.nodes if n.label and n.parent is None and n.kind in ("heading", "chapter", "item", "part")]


# ------------------------------------------------------------------ official elements

DECREE = """浙江省人民政府令

第399号

《浙江省公共数据授权运营管理办法》已经2023年7月20日省人民政府第12次常务会议审议通过，现予公布，自2023年9月1日起施行。

省长　王浩

2023年8月1日

浙江省公共数据授权运营管理办法

第一章　总则

第一条　为了规范公共数据授权运营，制定本办法。

第二条　本省行政区域内的公共数据授权运营，适用本办法。

第二章　授权运营

第三条　省公共数据主管部门负责授权运营的统筹管理。
"""


def test_a_decree_gives_number_issuer_and_its_own_date():
    d = one(DECREE)
    assert d.title == "浙江省公共数据授权运营管理办法"
    assert (d.doc_number, d.issuer, d.date) == ("浙江省人民政府令第399号", "浙江省人民政府", "2023-08-01")
    assert sum(n.kind == "article" for n in d.nodes) == 3


JOINT = """四川省财政厅　四川省税务局关于支持小微企业发展的通知

川财税〔2024〕8号

各市（州）财政局、税务局：

现就有关事项通知如下。

一、对月销售额10万元以下的小规模纳税人，免征增值税。

四川省财政厅　　四川省税务局

二○二四年三月一日
"""


def test_a_signature_of_two_organs_and_a_date_written_with_o():
    d = one(JOINT)
    assert d.issuer == "四川省财政厅、四川省税务局"
    assert d.date == "2024-03-01"
    assert d.doc_number == "川财税〔2024〕8号"


def test_organs_run_together_are_split_where_a_name_ends():
    assert split_organs("中共中央国务院") == ["中共中央", "国务院"]
    assert split_organs("成都市财政局成都市住房和城乡建设局") == ["成都市财政局", "成都市住房和城乡建设局"]
    assert split_organs("国务院办公厅") == ["国务院办公厅"]
    assert split_organs("中共赣州市委赣州市人民政府") == ["中共赣州市委", "赣州市人民政府"]


NOTICE_ABOVE = """（武政办〔2023〕15号）

各区人民政府，市人民政府各部门：

现将《武汉市促进消费扩容提质若干措施》印发给你们，请认真贯彻执行。

武汉市人民政府办公厅

2023年6月1日

武汉市促进消费扩容提质若干措施

一、扩大汽车消费

（一）对购买新能源汽车的个人消费者，给予每辆车3000元补贴。

二、促进文旅消费

（二）对年接待游客超过50万人次的景区，给予一次性奖励20万元。
"""


def test_a_notice_printed_above_the_policy_it_issues():
    d = one(NOTICE_ABOVE)
    assert d.title is None  # the notice prints no title of its own
    assert (d.doc_number, d.issuer, d.date) == ("武政办〔2023〕15号", "武汉市人民政府办公厅", "2023-06-01")
    att = next(n for n in d.nodes if n.kind == "attachment")
    assert att.title == "武汉市促进消费扩容提质若干措施"
    under = [n.label for n in d.nodes if n.parent == att.id and n.label]
    assert under == ["一、", "二、"]


PARTY = """中共江西省委

江西省人民政府

关于全面推进美丽江西建设的实施意见

（2024年3月1日）

为深入贯彻落实党中央决策部署，现提出如下意见。

一、总体要求

二、重点任务
"""


def test_a_title_over_separate_lines_with_its_issuing_organs_and_the_date_under_it():
    d = one(PARTY)
    assert d.title == "中共江西省委江西省人民政府关于全面推进美丽江西建设的实施意见"
    assert d.issuer == "中共江西省委、江西省人民政府"
    assert d.date == "2024-03-01"
    assert top_labels(d) == ["一、", "二、"]


CRAWL = """# 关于促进民营经济发展壮大的若干措施

**发布日期**: 2024年5月10日
**发布机构**: 福建省人民政府
**来源**: https://www.fujian.gov.cn/zwgk/zxwj/

---

## 政策全文
福建省人民政府关于促进民营经济发展壮大的若干措施

闽政〔2024〕7号

各市、县（区）人民政府：

一、对首次入选“中国民营企业500强”的企业，给予一次性奖励100万元。

福建省人民政府

2024年5月6日
"""


def test_a_crawl_copy_is_one_document_titled_as_it_prints_itself():
    (d,) = docs(CRAWL, "markdown")
    assert d.title == "福建省人民政府关于促进民营经济发展壮大的若干措施"
    assert (d.doc_number, d.issuer, d.date) == ("闽政〔2024〕7号", "福建省人民政府", "2024-05-06")
    assert "发布日期" not in d.text and "https://" not in d.text
    assert d.repairs.get("web_furniture", 0) >= 3


REPORT = """政府工作

报告

——2024年1月20日在陕西省第十四届人民代表大会第二次会议上

陕西省省长　赵刚

各位代表：

现在，我代表省人民政府，向大会报告工作，请予审议。

一、2023年工作回顾

过去一年，全省生产总值达到3.38万亿元，增长4.3%。

二、2024年工作安排

今年经济社会发展的主要预期目标是：生产总值增长5.5%左右；城镇新增就业45万人以上；居民消费价格涨幅3%左右。
"""


def test_a_work_report_header_and_its_targets_for_the_year():
    d = one(REPORT)
    assert d.title == "政府工作报告"
    assert (d.date, d.issuer) == ("2024-01-20", "陕西省人民政府")
    recs = [r.to_dict() for r in extract(d, "t#1", ["target", "statistic"])]
    got = {(r["value"], r["unit"], r["year"]) for r in recs if r["type"] == "target"}
    assert {(5.5, "%", 2024), (45, "万人", 2024), (3, "%", 2024)} <= got
    stats = {(r["value"], r["unit"], r["year"]) for r in recs if r["type"] == "statistic"}
    assert {(3.38, "万亿元", 2023), (4.3, "%", 2023)} <= stats


TWO_ATTACHED = """广西壮族自治区人民政府办公厅关于印发《广西促进工业振兴若干政策》和《广西工业振兴行动方案》的通知

桂政办发〔2023〕20号

各市人民政府：

现将《广西促进工业振兴若干政策》和《广西工业振兴行动方案》印发给你们。

广西壮族自治区人民政府办公厅

2023年4月10日

广西促进工业振兴若干政策

一、对新认定的国家级企业技术中心，给予一次性奖励100万元。

二、对首次升规入统的工业企业，给予一次性奖励10万元。

广西工业振兴行动方案

一、总体目标

到2025年，全区规模以上工业企业达到1万家以上。

二、重点任务

附件

重点产业链名单

一、新能源汽车

二、新材料
"""


def test_a_notice_issuing_two_policies_and_an_annex_each_heads_its_own_part():
    d = one(TWO_ATTACHED)
    atts = [n for n in d.nodes if n.kind == "attachment" and any(m.parent == n.id for m in d.nodes)]
    assert [a.title for a in atts] == ["广西促进工业振兴若干政策", "广西工业振兴行动方案", "重点产业链名单"]
    for a in atts:
        assert [m.label for m in d.nodes if m.parent == a.id and m.label][:2] == ["一、", "二、"]
    assert (d.issuer, d.date) == ("广西壮族自治区人民政府办公厅", "2023-04-10")
    target = next(r for r in extract(d, "t#1", ["target"]) if r.fields.get("value") == 1)
    assert (target.fields["unit"], target.fields["year"]) == ("万家", 2025)


def test_a_gazette_masthead_over_its_contents_is_no_document():
    text = "海南省人民政府公报\n\n目录\n\n海南省人民政府关于印发海南省优化营商环境行动方案的通知\n\n琼府〔2023〕9号\n\n各市、县人民政府：\n\n现印发给你们。\n\n海南省人民政府\n\n2023年2月1日\n"
    (d,) = docs(text)
    assert d.doc_number == "琼府〔2023〕9号"


# ------------------------------------------------------------------ extraction in other wordings

def test_communique_statistics_take_the_year_in_its_title():
    text = ("德阳市2023年国民经济和社会发展统计公报\n\n德阳市统计局\n\n一、综合\n\n"
            "全年实现地区生产总值3014.3亿元，按可比价格计算，比上年增长6.3%。全年粮食总产量190.6万吨。")
    got = {(r["value"], r["unit"], r["year"]) for r in records(text, "target", "statistic") if r["type"] == "statistic"}
    assert {(3014.3, "亿元", 2023), (6.3, "%", 2023), (190.6, "万吨", 2023)} <= got


@pytest.mark.parametrize("tag, lead, support", [
    ("（负责部门：商务部、海关总署）", ["商务部", "海关总署"], []),
    ("〔牵头单位：市住房城乡建设局；配合单位：市财政局〕", ["市住房城乡建设局"], ["市财政局"]),
    ("（财政部、税务总局负责。列第一位者为牵头单位，下同）", ["财政部", "税务总局"], []),
    ("（农业农村部、文化和旅游部等和各有关省级人民政府负责）", ["农业农村部", "文化和旅游部", "各有关省级人民政府"], []),
])
def test_responsibility_tags_in_other_provinces_wordings(tag, lead, support):
    text = f"关于促进消费的若干措施\n\n一、扩大消费\n\n（一）开展促消费活动。组织开展系列促消费活动。{tag}\n"
    (duty,) = [r for r in records(text, "duty")]
    assert (duty["lead"], duty["support"]) == (lead, support)


def test_prose_duties_and_what_is_not_one():
    text = ("关于加强粮食应急工作的意见\n\n一、职责分工\n\n财政部负责安排应急所需经费。"
            "公安部负责维护粮食供应场所的治安秩序。各地要建立由政府负责、部门协同的工作机制。\n")
    leads = [r["lead"] for r in records(text, "duty")]
    assert ["财政部"] in leads and ["公安部"] in leads
    assert not any("政府" == x[0] or "建立" in x[0] for x in leads)


def test_inline_labelled_tag():
    text = "考评指标\n\n一、政务服务\n\n1.推进一窗受理，6月底完成，牵头考核单位：市政务服务局、市大数据中心。\n"
    (duty,) = records(text, "duty")
    assert duty["lead"] == ["市政务服务局", "市大数据中心"]


@pytest.mark.parametrize("sentence, amount, rate, kind", [
    ("（一）支持创业。对符合条件的个人，可申请最高不超过20万元的创业担保贷款。", {"min": None, "max": 20, "unit": "万元"}, None, "融资"),
    ("（二）稳定就业。对不裁员或少裁员的企业，返还其上年度实际缴纳失业保险费的50%。", None, 50, "补贴"),
    ("（三）支持研发。将制造业企业研发费用加计扣除比例提高至100%。", None, 100, "税收减免"),
    ("（四）支持购房。对购买新建商品住房的家庭，按每套2万元给予购房补贴。", {"min": 2, "max": 2, "unit": "万元"}, None, "补贴"),
    ("（五）提高额度。住房公积金贷款最高额度从60万元提高至80万元。", {"min": None, "max": 80, "unit": "万元"}, None, "融资"),
    ("（六）奖励农户。对新增流转土地的经营主体，一次性奖励100元/亩。", {"min": 100, "max": 100, "unit": "元/亩"}, None, "奖励"),
])
def test_benefits_of_other_kinds(sentence, amount, rate, kind):
    text = f"关于支持企业发展的若干措施\n\n一、政策措施\n\n{sentence}\n"
    (b,) = records(text, "benefit")
    assert (b["amount"], b["rate"], b["benefit_kind"]) == (amount, rate, kind)


def test_a_section_heading_is_not_a_benefit():
    text = "关于支持企业发展的若干措施\n\n一、奖励政策\n\n（一）上市奖励。对在主板上市的企业，给予一次性奖励300万元。\n"
    assert len(records(text, "benefit")) == 1


# ------------------------------------------------------------------ jurisdiction

@pytest.mark.parametrize("kw, level, province, city", [
    ({"title": "国务院办公厅关于印发某方案的通知"}, "national", None, None),
    ({"title": "工业和信息化部等七部门关于推动未来产业创新发展的实施意见"}, "national", None, None),
    ({"title": "广西壮族自治区人民政府关于促进工业振兴的意见"}, "province", "广西壮族自治区", None),
    ({"issuer": "新疆维吾尔自治区住房和城乡建设厅"}, "province", "新疆维吾尔自治区", None),
    ({"title": "上海市人民政府办公厅关于印发某计划的通知"}, "province", "上海市", None),
    ({"title": "南宁市人民政府关于稳定房地产市场的通知"}, "prefecture", "广西壮族自治区", "南宁市"),
    ({"title": "吉林市人民政府关于某事项的通知"}, "prefecture", "吉林省", "吉林市"),
    ({"title": "阿坝州人民政府办公室关于印发某办法的通知"}, "prefecture", "四川省", "阿坝藏族羌族自治州"),
    ({"doc_number": "黔府办发〔2022〕17号"}, "province", "贵州省", None),
    ({"doc_number": "国办函〔2005〕57号"}, "national", None, None),
    ({"title": "中共湖北省委关于制定规划的建议"}, "province", "湖北省", None),
])
def test_jurisdiction_of_all_kinds_of_issuers(kw, level, province, city):
    j = jurisdiction(**kw)
    assert (j.level, j.province, j.city) == (level, province, city)


def test_all_34_provincial_level_divisions_are_known():
    from zhengce.lang import PROVINCE_NAMES

    assert len(PROVINCE_NAMES) == 34
    for short, full in (("宁夏", "宁夏回族自治区"), ("西藏", "西藏自治区"), ("内蒙古", "内蒙古自治区"), ("重庆", "重庆市"), ("香港", "香港特别行政区")):
        assert province_named(f"在{short}行政区域内注册") == full


# ------------------------------------------------------------------ script and spun copies

def test_traditional_zhe_becomes_the_particle_where_simplified_writes_it():
    d = one("關於支持民營經濟發展的若干措施\n\n一、著力培育創新發展新動能。著眼長遠，著手解決突出問題，著重支持中小企業。"
            "隨著改革深入，取得顯著成效，湧現一批著名企業。\n")
    assert "着力培育" in d.text and "着眼长远" in d.text and "着手解决" in d.text and "着重支持" in d.text
    assert "随着改革" in d.text and "显著成效" in d.text and "著名企业" in d.text  # 显著, 著名 keep 著


def test_a_spun_copy_is_reported_not_fixed():
    d = one("关于推进经济成长的实行看法\n\n一、加鼎支持力度。对中小企业给予补助。（卖力单位：省生长改造委）\n")
    (note,) = [n for n in d.notes if n.kind == "spun_text"]
    assert "加鼎（应为加大）" in note.text and "生长改造委（应为发展改革委）" in note.text
    assert "加鼎" in d.text  # never "fixed" by guess
    clean = one("关于推进经济发展的实施意见\n\n一、加大支持力度。（责任单位：省发展改革委）\n")
    assert not [n for n in clean.notes if n.kind == "spun_text"]


def test_a_reference_resolves_to_a_policy_attached_to_a_notice(tmp_path):
    from zhengce.store import Store

    with Store(tmp_path / "r.db") as store:
        (d,) = docs(TWO_ATTACHED)
        store.ingest(Source(path="a.txt", text=TWO_ATTACHED, format="text"), [d], [extract(d, "a.txt#1")])
        citing = "关于做好工业振兴工作的通知\n\n各市人民政府：\n\n请按照《广西工业振兴行动方案》抓好落实。\n"
        (c,) = docs(citing)
        store.ingest(Source(path="b.txt", text=citing, format="text"), [c], [extract(c, "b.txt#1", ["reference"])])
        refs = [r for _i, r in store.extractions(type_="reference") if r.fields["title"] == "广西工业振兴行动方案"]
        cited = next(r for r in refs if r.doc_key == "b.txt#1")
        assert cited.fields["resolved"] == "a.txt#1"
        node = next(n for n in d.nodes if n.id == cited.fields["resolved_node"])
        assert node.kind == "attachment" and node.title == "广西工业振兴行动方案"
