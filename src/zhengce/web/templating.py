"""The Jinja2 environment of the pages, with the few filters they share."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from ..monitor import labels as monitor_labels  # history actions, roles, review states in Chinese
from ..present import amount_range, json_for_html, number
from ..viewer import type_css
from . import labels

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def show_value(v: Any) -> str:
    """A field value as a person reads it: lists joined with 、, amounts with their unit, nothing for null."""
    if v is None or v == [] or v == {}:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return number(v)
    if isinstance(v, list):
        return "、".join(x for x in map(show_value, v) if x)
    if isinstance(v, dict):
        return _show_object(v)
    return str(v)


def _show_object(v: dict) -> str:
    unit = v.get("unit") or ""
    if v.get("text"):  # conditions and quantities carry their own wording
        return str(v["text"])
    if "min" in v or "max" in v:  # an amount: {min, max, unit}
        return amount_range(v)
    if "value" in v:  # a cap {value, unit, per} or a baseline {value, unit, year}
        out = f"{show_value(v['value'])}{unit}"
        if v.get("per"):
            out += f"（每{v['per']}）"
        if v.get("year"):
            out += f"（{v['year']}年）"
        return out
    return "，".join(f"{labels.FIELD_LABELS.get(k, k)}{show_value(x)}" for k, x in v.items() if show_value(x))


def mark_snippet(snippet: str, highlights: list) -> Markup:
    """The snippet HTML-escaped, with <mark> around each [start, end) highlight (overlaps merged)."""
    out, pos = [], 0
    for a, b in sorted((max(0, int(a)), min(len(snippet), int(b))) for a, b in highlights or []):
        a = max(a, pos)
        if b <= a:
            continue
        out.append(escape(snippet[pos:a]))
        out.append(Markup("<mark>") + escape(snippet[a:b]) + Markup("</mark>"))
        pos = b
    out.append(escape(snippet[pos:]))
    return Markup("").join(out)


def node_url(doc_id: int | None, node: str | None) -> str:
    if doc_id is None:
        return "#"
    if not node:
        return f"/doc/{doc_id}"
    return f"/doc/{doc_id}?hl={node}#node-{node}"


def lines(start: int | None, end: int | None = None) -> str:
    """'第12行' or '第12–15行': the original lines a citation points at."""
    if start is None:
        return ""
    return f"第{start}行" if end in (None, start) else f"第{start}–{end}行"


def untitled(path: str) -> str:
    """What stands for a document without a title: its file name, as the CLI shows it."""
    return f"（无标题）{Path(path).name}"


def rule_url(rule_id: str) -> str:
    """The 规则库 page of a rule (its id percent-encoded: ids may hold '#' or '/')."""
    return "/rules/" + quote(rule_id, safe="")


def to_json(v: Any) -> Markup:
    """Data for a <script type="application/json"> block: <, >, & and ' escaped, so no text can close it."""
    return Markup(json_for_html(v))


def show_detail(detail: Any) -> str:
    """An audit entry's detail as text a person reads ('路径：/x；原因：尚未登录'); escaped by the template like any text."""
    if not isinstance(detail, dict):
        return show_value(detail)
    return "；".join(f"{_DETAIL_LABELS.get(k, monitor_labels.FIELDS.get(k, k))}：{show_value(v)}"
                    for k, v in detail.items() if show_value(v))


_DETAIL_LABELS = {"path": "路径", "method": "方法", "reason": "原因", "role": "角色", "kind": "类型", "file": "文件",
                  "rows": "行数", "rule": "规则", "doc": "文件", "profile": "档案", "expires_at": "有效期至",
                  "version": "版本", "indicators": "指标", "tasks": "任务", "counts": "结果", "documents": "文档数",
                  "uploader": "上传者", "address": "地址"}


templates.env.filters.update(amount=amount_range, value=show_value, snippet=mark_snippet, lines=lines, tojson_safe=to_json, detail=show_detail, untitled=untitled)
templates.env.globals.update(
    mlabels=monitor_labels, node_url=node_url, rule_url=rule_url, labels=labels, type_labels=labels.TYPE_LABELS, field_labels=labels.FIELD_LABELS,
    kind_labels=labels.NODE_KINDS, type_css=Markup(type_css()),
)
