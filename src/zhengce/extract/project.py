"""project: named projects in 专栏 boxes (名称：内容 entries or 、-separated lists)."""

from __future__ import annotations

import re

from ..model import Extraction
from .base import Context
from .numbers import quantities

_NAME_END = re.compile(r"(项目|工程|基地|园区|中心|平台|产业园|示范区)")
_INVEST = re.compile(r"(?:总投资|投资)\s*(?:约)?\s*(\d+(?:\.\d+)?)\s*(亿元|万元)")


def extract_projects(ctx: Context) -> list[Extraction]:
    out: list[Extraction] = []
    boxes = {n.id: n for n in ctx.doc.nodes if n.kind == "box"}
    for node in ctx.doc.nodes:
        if node.kind != "box_item":
            continue
        category = boxes[node.parent].title if node.parent in boxes else None
        text = node.text
        if re.fullmatch(r"[（(][^（）()]*[）)]", text.strip()):
            continue  # an editor's note left in the box, not a project
        m = re.match(r"^([^，。；：:]{2,40})[：:]", text)
        rest = text[m.end() :] if m else ""
        if m and not (rest.count("、") >= 1 and _NAME_END.search(rest.split("、")[0])):
            out.append(_project(ctx, node, node.start, node.end, m.group(1), category, text))
            continue
        # A list (糖尿病药物产业基地、化学原料药产业基地、…), perhaps after a group label (物流园区工程：…)
        base = m.end() if m else 0
        pos = base
        for part in re.split(r"([、；;。])", text[base:]):
            if part in ("、", "；", ";", "。") or not part.strip():
                pos += len(part)
                continue
            name = part.strip()
            if _NAME_END.search(name):
                s = node.start + pos + (len(part) - len(part.lstrip()))
                out.append(_project(ctx, node, s, s + len(name), name, category, name))
            pos += len(part)
    return out


def _place_in(name: str) -> str | None:
    from .entities import find_entities

    return next((e["name"] for e in find_entities(name) if e["kind"] == "place"), None)


def _project(ctx: Context, node, start: int, end: int, name: str, category: str | None, text: str) -> Extraction:
    qs = [
        {"value": q.value, "unit": q.unit, "text": q.text}
        for q in quantities(ctx.doc.text, start, end)
        if not (q.unit and q.unit.endswith("元")) and q.unit != "年"
    ]
    inv = _INVEST.search(text)
    name = re.sub(r"[（(][^（）()]*[）)]$", "", name)  # 产业基地（…产业园）: the alias is not the name
    return ctx.record(
        "project", node, start, end,
        name=name, category=category, location=_place_in(name), quantities=qs,
        investment={"value": float(inv.group(1)), "unit": inv.group(2)} if inv else None,
    )
