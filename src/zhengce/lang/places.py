"""Places and jurisdiction: which government a document is of, for all 34 provincial-level divisions.

    jurisdiction(title="南宁市人民政府办公室关于…", issuer=None, doc_number=None, text="…")
      → Jurisdiction(level="prefecture", province="广西壮族自治区", province_code="450000",
                     city="南宁市", city_code="450100")
    province_named("在广西行政区域内") → "广西壮族自治区"
    PROVINCE_NAMES    # the 34 full names, for patterns (河北省 … 新疆维吾尔自治区, 香港特别行政区 …)

The one function that answers "whose document is this" for extraction (我省/本市), search
(region), 政策直达 (a province's firms) and 监测 (units).  Data: `data/cn_divisions.json`
(34 provinces, 333 prefecture-level divisions, from the national place-name database).

The rule, first that answers: (1) the organ that issued it — the issuer, else the organ
opening the title (`南宁市人民政府办公室关于…`), else an organ naming a place at the head of
the text; a central organ (国务院, 中共中央, a ministry, 国家…局) makes it national;
(2) the 发文字号: a central prefix (国发, 国办发, 中发 …) is national, a provincial one
(`黔府办发`, `湘政发`) gives the province; (3) the province most place codes of the text lie in.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

__all__ = ["Division", "Jurisdiction", "PROVINCE_NAMES", "PROVINCE_PATTERN", "division", "doc_jurisdiction", "place_at",
           "jurisdiction", "province_named", "province_of_code"]


@dataclass(frozen=True)
class Division:
    name: str  # 广西壮族自治区, 南宁市
    code: str  # 450000, 450100
    level: str  # province | prefecture
    province_code: str
    short: tuple[str, ...] = ()


@dataclass(frozen=True)
class Jurisdiction:
    """Whose document it is. level: national | province | prefecture | None (unknown)."""

    level: str | None = None
    province: str | None = None
    province_code: str | None = None
    city: str | None = None
    city_code: str | None = None

    @property
    def name(self) -> str | None:
        """The most specific place: the city, else the province, else 全国 for a national document."""
        return self.city or self.province or ("全国" if self.level == "national" else None)

    def to_dict(self) -> dict:
        return {"level": self.level, "province": self.province, "province_code": self.province_code,
                "city": self.city, "city_code": self.city_code}


@lru_cache(maxsize=1)
def _data() -> tuple[dict[str, Division], dict[str, Division], list[tuple[str, Division]]]:
    raw = json.loads(resources.files("zhengce.data").joinpath("cn_divisions.json").read_text(encoding="utf-8"))
    by_code: dict[str, Division] = {}
    provinces: dict[str, Division] = {}
    for r in raw["provinces"]:
        d = Division(r["name"], r["code"], "province", r["code"], tuple(r.get("short") or ()))
        by_code[d.code] = provinces[d.name] = d
    for r in raw["prefectures"]:
        by_code[r["code"]] = Division(r["name"], r["code"], "prefecture", r["province"], tuple(r.get("short") or ()))
    # Written forms, longest first, so 吉林省 wins over 吉林 and 南宁市 over 南宁.
    forms: list[tuple[str, Division]] = []
    for d in by_code.values():
        forms.append((d.name, d))
        forms.extend((s, d) for s in d.short if len(s) >= 2)
    forms.sort(key=lambda f: -len(f[0]))
    return by_code, provinces, forms


def _provinces() -> dict[str, Division]:
    return _data()[1]


PROVINCE_NAMES: tuple[str, ...] = tuple(_provinces())
# Any provincial-level division by its full name (for patterns elsewhere: 在…行政区域内, …省级).
PROVINCE_PATTERN = "(?:" + "|".join(sorted(map(re.escape, PROVINCE_NAMES), key=len, reverse=True)) + ")"

# One-character abbreviations opening a provincial 发文字号 (湘政发, 黔府办发, 桂政办发, 京政发 …).
_ABBR = {"京": "110000", "津": "120000", "冀": "130000", "晋": "140000", "蒙": "150000", "内蒙": "150000",
         "辽": "210000", "吉": "220000", "黑": "230000", "沪": "310000", "苏": "320000", "浙": "330000",
         "皖": "340000", "闽": "350000", "赣": "360000", "鲁": "370000", "豫": "410000", "鄂": "420000",
         "湘": "430000", "粤": "440000", "桂": "450000", "琼": "460000", "渝": "500000", "川": "510000",
         "黔": "520000", "滇": "530000", "云": "530000", "藏": "540000", "陕": "610000", "甘": "620000",
         "青": "630000", "宁": "640000", "新": "650000"}
# A provincial government's or its office's number: 湘政发, 黔府办发, 桂政办函, 新政发 (not 哈政规: a city's).
_PROVINCIAL_NUMBER = re.compile(r"^(内蒙|[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇云藏陕甘青宁新])(?:政|府)(?:办)?(?:发|函|规|电)?〔")
_NATIONAL_NUMBER = re.compile(r"^(?:国发|国办发|国函|国办函|国令|中发|中办发|厅字|国务院令|中华人民共和国国务院令)")
# Central organs: a document they issue is national.
_CENTRAL = re.compile(r"^(?:中共中央|中央|国务院|全国人民代表大会|全国人大|最高人民|国家(?!级)|中国人民银行|海关总署|"
                      r"(?:外交|国防|教育|科学技术|工业和信息化|公安|民政|司法|财政|人力资源和社会保障|自然资源|生态环境|"
                      r"住房和城乡建设|交通运输|水利|农业农村|商务|文化和旅游|退役军人事务|应急管理|审计)部|"
                      r"国家卫生健康委|中国证监会|中国银保监会|中国证券监督管理委员会|市场监管总局|税务总局|"
                      r"(?:工业和信息化部|财政部|教育部|科技部|人力资源社会保障部|商务部)等)")


def division(code: str | None) -> Division | None:
    return _data()[0].get(code or "")


def province_of_code(code: str | None) -> str | None:
    """`220102` / `220000` → 吉林省."""
    if not code or len(code) < 2:
        return None
    d = division(code[:2] + "0000")
    return d.name if d else None


def _place_at(s: str) -> Division | None:
    """The division whose name (or short form followed by an organ word) opens `s`."""
    for form, d in _data()[2]:
        if s.startswith(form):
            if form == d.name or re.match(r"(?:省|市|自治区|区|州|盟|地区)?(?:人民政府|政府|委|党委|人大|发展|财政|住房|教育|"
                                          r"科技|工业|商务|人力|自然|生态|交通|农业|卫生|市场|医疗|公安|民政|司法|文化|"
                                          r"应急|审计|统计|税务|金融|地方|数据|大数据|政务|经济|城乡|水利|林业|粮食|能源|"
                                          r"国资|国有|体育|退役|信访|机关|总工会|团|妇联|住房公积金)", s[len(form):]):
                return d
    return None


def place_at(s: str, i: int = 0) -> str | None:
    """The name of a province or prefecture (full or short: 南宁市, 南宁) written at s[i:], else None."""
    for form, _d in _data()[2]:
        if s.startswith(form, i):
            return form
    return None


def province_named(s: str | None) -> str | None:
    """The provincial-level division `s` names anywhere (its full name, or a short form such as 广西), else None."""
    if not s:
        return None
    for form, d in _data()[2]:
        if d.level == "province" and form in s:
            return d.name
    return None


def _from_division(d: Division) -> Jurisdiction:
    prov = division(d.province_code)
    if d.level == "province":
        return Jurisdiction("province", d.name, d.code)
    return Jurisdiction("prefecture", prov.name if prov else None, d.province_code, d.name, d.code)


def _organs(issuer: str | None, title: str | None, text: str) -> list[str]:
    """Organ names to try, best first: each issuer organ, the organ opening the title, the head's lines."""
    out = [o for o in re.split(r"[、，,\s]+", issuer or "") if o]
    if title:
        out.append(re.sub(r"\s+", "", title))
    out.extend(line.strip() for line in text[:300].split("\n")[:6] if line.strip())
    return out


def jurisdiction(title: str | None = None, issuer: str | None = None, doc_number: str | None = None,
                 text: str = "", place_codes: Iterable[str] = ()) -> Jurisdiction:
    """Whose document this is (the module's rule): national, a province, or a prefecture-level city."""
    for organ in _organs(issuer, title, text):
        organ = re.sub(r"^(?:中共)(?=[\u4e00-\u9fff]{2,}(?:省|市|自治区|州|县|区)委)", "", organ)
        if _CENTRAL.match(organ):
            return Jurisdiction("national")
        d = _place_at(organ)
        if d is not None:
            return _from_division(d)
    number = re.sub(r"\s+", "", doc_number or "")
    if _NATIONAL_NUMBER.match(number):
        return Jurisdiction("national")
    m = _PROVINCIAL_NUMBER.match(number)
    if m:
        return _from_division(division(_ABBR[m.group(1)]))
    votes = Counter(c[:2] for c in place_codes if c and len(c) >= 2)
    if votes:
        (top, n), *rest = votes.most_common(2)
        if not rest or n > rest[0][1]:
            d = division(top + "0000")
            if d:
                return _from_division(d)
    return Jurisdiction()


def doc_jurisdiction(doc, place_codes: Iterable[str] = ()) -> Jurisdiction:
    """`jurisdiction` of a Document (or anything with title, issuer, doc_number and text)."""
    return jurisdiction(doc.title, doc.issuer, doc.doc_number, (doc.text or "")[:300], place_codes)
