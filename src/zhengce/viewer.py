"""A self-contained HTML page of one document with every extraction highlighted
by type; hovering a highlight shows its fields and citation (no CDN, no server)."""

from __future__ import annotations

import html
import json

from .model import Document, Extraction

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
</style></head><body>
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


def render(doc: Document, records: list[Extraction]) -> str:
    text = doc.text
    cuts = {0, len(text)}
    for r in records:
        cuts.update((r.start, r.end))
    points = sorted(cuts)
    parts: list[str] = []
    for a, b in zip(points, points[1:]):
        covering = [i for i, r in enumerate(records) if r.start <= a and b <= r.end]
        chunk = html.escape(text[a:b])
        if not covering:
            parts.append(chunk)
            continue
        inner = min(covering, key=lambda i: records[i].end - records[i].start)  # the most specific colours it
        cls = "nested" if len(covering) > 1 else ""
        parts.append(
            f'<mark class="{cls}" style="background:{COLORS.get(records[inner].type, "#eee")}" '
            f'data-r="{",".join(map(str, covering))}">{chunk}</mark>'
        )
    legend = "".join(f'<span style="background:{c}">{LABELS[t]}</span>' for t, c in COLORS.items())
    data = json.dumps([r.to_dict() for r in records], ensure_ascii=False).replace("</", "<\\/")
    title = html.escape(doc.title or doc.source_path)
    return _PAGE.format(title=title, legend=legend, body="".join(parts), records=data)
