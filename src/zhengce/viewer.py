"""A self-contained HTML page of one document with every extraction highlighted
by type; hovering a highlight shows its fields and citation (no CDN, no server)."""

from __future__ import annotations

import html

from .model import Document, Extraction
from .present import json_for_html

COLORS = {
    "target": "#ffd54f", "statistic": "#b3e5fc", "duty": "#c5e1a5", "benefit": "#f8bbd0",
    "project": "#d1c4e9", "reference": "#ffe0b2", "entity": "#e0e0e0",
}
LABELS = {"target": "目标", "statistic": "统计", "duty": "职责", "benefit": "惠企条款", "project": "项目", "reference": "引用文件", "entity": "实体"}

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: "Noto Serif CJK SC", "Source Han Serif SC", serif; margin: 0; display: flex; }}
main {{ flex: 3; padding: 2em 3em; line-height: 2; white-space: pre-wrap; }}
aside {{ flex: 1; position: sticky; top: 0; height: 100vh; overflow: auto; background: #fafafa; padding: 1em;
        border-left: 1px solid #ddd; font-family: sans-serif; font-size: 13px; white-space: pre-wrap; }}
mark {{ border-radius: 3px; cursor: help; padding: 0 1px; }}
mark.nested {{ border-bottom: 2px solid #555; }}
.legend span {{ display: inline-block; margin: 0 .5em .3em 0; padding: 0 .4em; border-radius: 3px; }}
h1 {{ font-size: 1.3em; white-space: normal; }}
{type_css}</style></head><body>
<main><h1>{title}</h1><div class="legend">{legend}</div>{body}</main>
<aside id="info">把鼠标移到高亮处查看抽取字段和出处。</aside>
<script>
const R = {records};
document.querySelectorAll("mark").forEach(m => m.addEventListener("mouseenter", () => {{
  const ids = m.dataset.r.split(",").map(Number);
  document.getElementById("info").textContent = ids.map(i => JSON.stringify(R[i], null, 1)).join("\\n\\n");
}}));
</script></body></html>
"""


def marks(text: str, records: list[tuple[int, Extraction]], start: int = 0, end: int | None = None) -> str:
    """HTML of `text[start:end]` with every stretch that records cover in a <mark>.

    `records` are (number, record) pairs; a mark's `data-r` lists the numbers of
    all records covering it and `data-t` their types, most specific (shortest)
    first; the most specific one colours it (class `x-TYPE`).  Records may
    overlap and nest, so the text is cut at every record boundary.
    """
    end = len(text) if end is None else end
    inside = [(n, r) for n, r in records if r.start < end and r.end > start and r.end > r.start]
    inside.sort(key=lambda p: p[1].end - p[1].start)
    cuts = {start, end}
    for _n, r in inside:
        cuts.update((max(r.start, start), min(r.end, end)))
    points = sorted(cuts)
    parts: list[str] = []
    for a, b in zip(points, points[1:]):
        chunk = html.escape(text[a:b])
        covering = [(n, r) for n, r in inside if r.start <= a and b <= r.end]
        if not covering:
            parts.append(chunk)
            continue
        nested = " nested" if len(covering) > 1 else ""
        types = " ".join(dict.fromkeys(r.type for _n, r in covering))
        parts.append(
            f'<mark class="x-{covering[0][1].type}{nested}" data-t="{types}" '
            f'data-r="{",".join(str(n) for n, _r in covering)}">{chunk}</mark>'
        )
    return "".join(parts)


def type_css() -> str:
    """One background rule per extraction type (class `x-TYPE`)."""
    return "".join(f".x-{t} {{ background: {c}; }}\n" for t, c in COLORS.items())


def render(doc: Document, records: list[Extraction]) -> str:
    legend = "".join(f'<span class="x-{t}">{LABELS[t]}</span>' for t in COLORS)
    data = json_for_html([r.to_dict() for r in records])
    title = html.escape(doc.title or doc.source_path)
    body = marks(doc.text, list(enumerate(records)))
    return _PAGE.format(title=title, legend=legend, body=body, records=data, type_css=type_css())
