"""Responsible units: one canonical name per unit, whatever the document or the user typed.

Register entries carry units canonicalized with `zhengce.extract.entities.canonical_org`
in the province of their document (`省工信厅` in a Jilin document → `吉林省工业和信息化厅`),
so 省工信厅 and 省工业和信息化厅 are one unit.  A name an administrator types for a user
(`省工信厅`) is resolved against the units the registers already know.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from ..extract.entities import _gaz, canonical_org, province_name
from ..lang import jurisdiction

_TAIL = re.compile(r"(?:等相关部门|等有关部门|等部门|等单位|等)$")
_BRACKETS = str.maketrans({"〔": "（", "〕": "）", "(": "（", ")": "）"})


def clean(name: str) -> str:
    return _TAIL.sub("", (name or "").strip().translate(_BRACKETS)).strip()


def canonical(name: str, province: str | None = None) -> str:
    """The canonical name of a unit written in a document of `province`."""
    n = clean(name)
    return canonical_org(n, province) if n else n


def canonical_all(names: Iterable[str], province: str | None = None) -> list[str]:
    out: list[str] = []
    for n in names:
        c = canonical(n, province)
        if c and c not in out:
            out.append(c)
    return out


def aliases(unit: str) -> set[str]:
    """A unit and the parts of a bracketed name (`X（Y）` is also X and Y: 省科技厅（省外国专家局）)."""
    out = {unit}
    m = re.fullmatch(r"(.+?)（(.+)）", unit)
    if m:
        out |= {m.group(1), m.group(2)}
    return out


def same_unit(a: str, b: str) -> bool:
    """One unit under two names: equal, a part of a bracketed name, or equal once the province of
    one is applied to the other (`省工业和信息化厅` typed without a province is `吉林省工业和信息化厅`
    in a Jilin register)."""
    pa, pb = province_of(a), province_of(b)
    for x in aliases(a):
        for y in aliases(b):
            if x == y:
                return True
            if pb and not pa and canonical(x, pb) == y:
                return True
            if pa and not pb and canonical(y, pa) == x:
                return True
    return False


def overlap(user_units: Iterable[str], item_units: Iterable[str]) -> bool:
    """Does any unit of the first list name a unit of the second?"""
    items = list(item_units)
    return any(same_unit(u, v) for u in user_units for v in items)


def province_of(unit: str) -> str | None:
    provinces = _gaz().provinces
    return next((p for p in provinces if unit.startswith(p)), None)


def doc_province(title: str | None, issuer: str | None, doc_number: str | None, head: str,
                 place_codes: Iterable[str]) -> str | None:
    """The province a document is of (lang.places.jurisdiction: its issuer, number, else its place codes)."""
    return jurisdiction(title, issuer, doc_number, head, place_codes).province


def known_units(store) -> set[str]:
    """Every unit named by an entry of either register."""
    import json

    out: set[str] = set()
    for table in ("monitor_indicators", "monitor_tasks"):
        for (body,) in store._db.all(f"SELECT body FROM {table}"):
            b = json.loads(body)
            out.update(b.get("units") or [])
            out.update(b.get("lead") or [])
            out.update(b.get("support") or [])
    return out


def _named_provinces(store) -> set[str]:
    """Provinces the stored documents are of (when the registers know no unit yet)."""
    out = set()
    for r in store._db.all("SELECT title, issuer, doc_number, SUBSTR(text, 1, 300) AS head FROM documents"):
        p = jurisdiction(r["title"], r["issuer"], r["doc_number"], r["head"]).province
        if p:
            out.add(p)
    return out


def canonical_unit(store, name: str, province: str | None = None) -> str:
    """A unit name typed by a person, resolved to the registers' canonical form.

    With `province` the name is read as written in that province.  Without it,
    the forms the name takes in each province the registers' units belong to
    are tried, and the one the registers know wins (`省工信厅` → `吉林省工业和信息化厅`
    in a Jilin register); a name the registers do not know stays in its
    province-less canonical form.
    """
    if province:
        return canonical(name, province)
    plain = canonical(name)
    known = known_units(store)
    if plain in known:
        return plain
    provinces = {p for p in (province_of(u) for u in known) if p} or _named_provinces(store)
    hits = {canonical(name, p) for p in provinces} & known
    if len(hits) == 1:
        return hits.pop()
    if len(provinces) == 1 and not hits:
        candidate = canonical(name, next(iter(provinces)))
        # Only when the province actually changed the name (省X厅 → 吉林省X厅): not for a city's unit.
        return candidate if candidate != plain else plain
    return plain
