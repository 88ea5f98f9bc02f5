"""project: named projects in 专栏 boxes (名称：内容 entries or 、-separated lists)."""

from __future__ import annotations

import re

from ..model import Extraction
from .base import Context
from .numbers import quantities

_NAME_END = re.compile(r"(项目|工程|基地|园区|中心|平台|产业园|示范区)")
_INVEST = re.compile(r"(?:总投资|投资)\s*(?:约)?\s*(\d+(?:\.\d+)?)\s*(亿元|万元)")
_LOCATION = re.compile(r"([\u4e00-\u9fff]{2,6}?(?:市|县|区|镇|乡|街道))")


def extract_projects(ctx: Context) -> list[Extraction]:
    out: list[Extraction] = []
    boxes = {n.id: n for n in ctx.doc.nodes if n.kind == "box"}
    for node in ctx.doc.nodes:
        if node.kind != "box_item":
            continue
        category = boxes[node.parent].title if node.parent in boxes else None
        text = node.text
        m = re.match(r"^([^，。；：:]{2,40})[：:]", text)
        if m:
            out.append(_project(ctx, node, node.start, node.end, m.group(1), category, text))
            continue
        # A list: 糖尿病药物产业基地、化学原料药产业基地、…
        pos = 0
        for part in re.split(r"([、；;。])", text):
            if part in ("、", "；", ";", "。") or not part.strip():
                pos += len(part)
                continue
            name = part.strip()
            if _NAME_END.search(name):
                s = node.start + pos + (len(part) - len(part.lstrip()))
                out.append(_project(ctx, node, s, s + len(name), name, category, name))
            pos += len(part)
    return out


def _project(ctx: Context, node, start: int, end: int, name: str, category: str | None, text: str) -> Extraction:
    qs = [
        {"value": q.value, "unit": q.unit, "text": q.text}
        for q in quantities(ctx.doc.text, start, end)
        if not (q.unit and q.unit.endswith("元")) and q.unit != "年"
    ]
    inv = _INVEST.search(text)
    loc = _LOCATION.search(name)
    return ctx.record(
        "project", node, start, end,
        name=name, category=category, location=loc.group(1) if loc else None, quantities=qs,
        investment={"value": float(inv.group(1)), "unit": inv.group(2)} if inv else None,
    )
