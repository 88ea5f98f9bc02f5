"""Consistency checks across extraction records, each finding citing both sides.

- conflicting_target: the same indicator, place and year with different values
  in two documents (or two places of one);
- doubling: 翻一番 to a value that is not twice the reported base value;
- duplicate_project: the same project named in more than one place;
- duty_without_unit: a numbered item with no responsible unit in a document
  whose other items name theirs;
- parts_exceed_total / parts_differ_from_total: 总长X公里，其中A…B… where the
  parts add up to more than the total (or, for a stated 全长/总长/合计, to
  anything but it); shares listed after 其中 adding up to more than 100%.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from ..model import Document, Extraction
from .numbers import quantities

_SYNONYMS = [("地区生产总值", "经济总量"), ("一般公共预算收入", "财政收入"), ("GDP", "经济总量")]


@dataclass
class Finding:
    kind: str
    message: str
    citations: list[Extraction] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "message": self.message,
            "citations": [
                {"doc": r.doc, "doc_key": r.doc_key, "node": r.node, "quote": r.quote, "line_start": r.line_start, "line_end": r.line_end}
                for r in self.citations
            ],
        }


def indicator_key(name: str) -> str:
    key = re.sub(r"[\s“”\"'《》（）()的]", "", name)
    for a, b in _SYNONYMS:
        key = key.replace(a, b)
    return key


def _same_scale(a: Extraction, b: Extraction) -> bool:
    return a.fields.get("unit") == b.fields.get("unit")


def check(records: list[Extraction]) -> list[Finding]:
    findings: list[Finding] = []
    targets = [r for r in records if r.type == "target" and r.fields.get("value") is not None]
    groups: dict[tuple, list[Extraction]] = defaultdict(list)
    for r in targets:
        groups[(indicator_key(r.fields["indicator"]), r.fields.get("scope"), r.fields.get("year"), r.fields.get("unit"))].append(r)
    for (ind, scope, year, unit), rs in groups.items():
        values = {r.fields["value"] for r in rs}
        if len(values) > 1:
            shown = "、".join(f"{v}{unit}" for v in sorted(values))
            findings.append(Finding("conflicting_target", f"{scope or ''}{year or ''}年{ind}目标不一致：{shown}", rs))

    stats = [r for r in records if r.type == "statistic" and r.fields.get("value") is not None]
    for t in targets:
        base = t.fields.get("baseline")
        if not base or base.get("value") is None:
            continue
        key = indicator_key(t.fields["indicator"])
        for s in stats:
            if indicator_key(s.fields["indicator"]) == key and _same_scale(s, t) and s.fields.get("scope") == t.fields.get("scope"):
                if abs(s.fields["value"] * 2 - t.fields["value"]) > 0.05 * t.fields["value"]:
                    findings.append(
                        Finding(
                            "doubling",
                            f"{key}“翻一番”到{t.fields['value']}{t.fields['unit']}，但基数为{s.fields['value']}{s.fields['unit']}（两倍为{s.fields['value'] * 2:g}）",
                            [t, s],
                        )
                    )
                break

    projects: dict[str, list[Extraction]] = defaultdict(list)
    for r in records:
        if r.type == "project":
            projects[re.sub(r"\s", "", r.fields["name"])].append(r)
    for name, rs in projects.items():
        if len(rs) > 1:
            findings.append(Finding("duplicate_project", f"项目重复出现：{name}（{len(rs)}处）", rs))
    return findings


def duties_without_unit(doc, records: list[Extraction]) -> list[Finding]:
    """Numbered items with no duty record in a document where most items have one."""
    items = [n for n in doc.nodes if n.kind == "item"]
    if len(items) < 3:
        return []
    with_duty = {r.node for r in records if r.type == "duty"}
    children = defaultdict(set)
    for n in doc.nodes:
        if n.parent:
            children[n.parent].add(n.id)
    covered = [i for i in items if i.id in with_duty or children[i.id] & with_duty]
    if len(covered) < 0.6 * len(items):
        return []
    out = []
    for i in items:
        if i not in covered:
            cite = _quote(doc, records[0].doc_key, i.start, i.start + min(40, len(i.text)))
            out.append(Finding("duty_without_unit", f"{i.label}{i.title or ''}：未写明责任单位", [cite]))
    return out


_TOTAL_WORD = re.compile(r"(?:全长|总长|合计|共计|总计|总面积|总规模|总投资)\s*[:：]?\s*$")


def arithmetic(doc: Document, key: str) -> list[Finding]:
    """Totals against their parts: '全长67公里，其中…21公里，…46公里'."""
    out: list[Finding] = []
    text = doc.text
    for m in re.finditer(r"其中", text):
        start = max(text.rfind(c, 0, m.start()) for c in "。\n；") + 1
        end_marks = [j for j in (text.find(c, m.end()) for c in "。\n") if j >= 0]
        end = min(end_marks) if end_marks else len(text)
        before = [q for q in quantities(text, start, m.start()) if q.value is not None]
        after = [q for q in quantities(text, m.end(), end) if q.value is not None]
        shares = [q for q in after if q.unit == "%" and "占比" in text[max(m.end(), q.start - 12) : q.start]]
        if len(shares) >= 2 and sum(q.value for q in shares) > 100.001:
            cite = [_quote(doc, key, q.start, q.end) for q in shares]
            out.append(Finding("parts_exceed_total", f"其中各项占比之和为{sum(q.value for q in shares):g}%，超过100%", cite))
        if not before or before[-1].unit == "%":
            continue
        total = before[-1]
        parts = [q for q in after if q.unit == total.unit]
        if len(parts) < 2:
            continue
        s = round(sum(p.value for p in parts), 6)
        stated = bool(_TOTAL_WORD.search(text[max(start, total.start - 8) : total.start]))
        if s > total.value * 1.001 or (stated and abs(s - total.value) > total.value * 0.001):
            kind = "parts_exceed_total" if s > total.value else "parts_differ_from_total"
            cite = [_quote(doc, key, total.start, total.end)] + [_quote(doc, key, p.start, p.end) for p in parts]
            out.append(Finding(kind, f"分项之和{s:g}{total.unit}与总数{total.value:g}{total.unit}不符", cite))
    return out


def _quote(doc: Document, key: str, start: int, end: int) -> Extraction:
    node = next((n for n in doc.nodes if n.start <= start < n.end), doc.nodes[0])
    return Extraction("quantity", doc.title, key, node.id, doc.text[start:end], start, end, doc.line_of(start), doc.line_of(end - 1))
