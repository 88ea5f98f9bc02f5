"""What the monitoring pages, the API and the evaluation report show, computed once from the library.

Status labels are the library's (zhengce.monitor.status.LABELS): 已实现 / 正常推进 /
存在风险 / 滞后 / 无数据 — the CLI, the JSON and the pages say the same words.
"""

from __future__ import annotations

from ..present import inert_workbook

from collections import Counter, defaultdict
from datetime import date
from io import BytesIO
from typing import Any

from .. import monitor as m
from ..monitor.clock import as_date
from ..monitor.status import findings_for
from ..store import Store

STATUS_LABELS = m.LABELS  # achieved/on_track/at_risk/off_track/no_data → Chinese, defined in the library
TASK_STATUSES = ("未开始", "推进中", "已完成", "滞后")
TASK_CSS = {"未开始": "no_data", "推进中": "on_track", "已完成": "achieved", "滞后": "off_track"}
REPORT_KINDS = {"mid": "中期评估报告", "final": "总结评估报告"}


def docs_of(entries) -> list[tuple[int, str]]:
    """(doc_id, name) of every document cited by the entries, for the document filter."""
    seen: dict[int, str] = {}
    for e in entries:
        for s in e.sources:
            if s.get("doc_id") is not None:
                seen.setdefault(int(s["doc_id"]), s.get("doc") or s.get("doc_key") or str(s["doc_id"]))
    return sorted(seen.items(), key=lambda x: x[1])


def cites_doc(entry, doc: int | None) -> bool:
    return doc is None or any(s.get("doc_id") == doc for s in entry.sources)


def target_text(i: m.Indicator) -> str:
    t = i.target or {}
    if t.get("value") is None:
        return "定性目标"
    comp = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "~": "约", "=": ""}.get(t.get("comparator") or "=", "")
    v = _num(t["value"]) + (f"–{_num(t['value_max'])}" if t.get("value_max") is not None else "")
    return f"{t.get('year') or ''}年 {comp}{v}{i.unit or ''}".strip()


def _num(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return f"{v:g}" if isinstance(v, float) else str(v)


def cite(source: dict) -> str:
    """'湘政发〔2024〕7号 第79行': a figure's citation as the report prints it."""
    where = source.get("doc") or source.get("doc_key") or ""
    a, b = source.get("line_start"), source.get("line_end")
    lines = "" if a is None else (f"第{a}行" if b in (None, a) else f"第{a}–{b}行")
    return f"{where} {lines}".strip()


def chart_data(s: m.IndicatorStatus) -> dict:
    """The ECharts input of one indicator: years, the planned path, actuals, baseline and target points."""
    i = s.indicator
    b, t = i.baseline or {}, i.target or {}
    years = {y.year for y in s.years} | set(s.annual_targets)
    if b.get("year") is not None:
        years.add(int(b["year"]))
    if t.get("year") is not None:
        years.add(int(t["year"]))
    years_l = sorted(years)
    path = {int(y): v for y, v in s.annual_targets.items()}
    if b.get("year") is not None and b.get("value") is not None:
        path.setdefault(int(b["year"]), b["value"])
    actual = {a.year: a.value for a in s.actuals if a.value is not None}
    return {
        "id": i.id, "name": i.name, "unit": i.unit or "", "years": [str(y) for y in years_l],
        "path": [path.get(y) for y in years_l], "actual": [actual.get(y) for y in years_l],
        "baseline": [str(b["year"]), b["value"]] if b.get("year") is not None and b.get("value") is not None else None,
        "target": [str(t["year"]), t["value"]] if t.get("year") is not None and t.get("value") is not None else None,
        "assumed": bool(b.get("assumed")),
    }


def indicator_status(store: Store, ind: m.Indicator, as_of: date | str | None = None) -> m.IndicatorStatus:
    """The status of one entry, whatever its review state (indicator_statuses lists active ones only)."""
    s = m.evaluate(ind, m.actuals(store, ind.id), as_of=as_date(as_of))
    s.findings = findings_for(store, [ind]).get(ind.id, [])
    return s


def dashboard(store: Store, *, as_of: str | None = None, unit: str | None = None, doc: int | None = None) -> dict:
    """Counts by status, the indicator table with status per year, tasks, overdue tasks, the responsibility matrix."""
    all_st = m.indicator_statuses(store, as_of=as_of, unit=unit, with_findings=False)
    all_tasks = m.task_statuses(store, as_of=as_of, unit=unit)
    docs = docs_of([s.indicator for s in all_st] + [t.task for t in all_tasks])
    st = [s for s in all_st if cites_doc(s.indicator, doc)]
    tasks = [t for t in all_tasks if cites_doc(t.task, doc)]
    counts = Counter(s.status for s in st)
    years = sorted({y.year for s in st for y in s.years})
    task_counts = Counter(t.status for t in tasks)
    # responsibility matrix: unit × (indicators by status, tasks, overdue tasks)
    matrix: dict[str, dict] = defaultdict(lambda: {"ind": Counter(), "ind_total": 0, "tasks": 0, "overdue": 0,
                                                   "task_ids": [], "overdue_ids": []})
    for s in st:
        for u in s.indicator.units:
            matrix[u]["ind"][s.status] += 1
            matrix[u]["ind_total"] += 1
    for t in tasks:
        for u in t.task.units:
            row = matrix[u]
            row["tasks"] += 1
            if t.overdue:
                row["overdue"] += 1
                row["overdue_ids"].append(t.task.id)
    rows = sorted(matrix.items(), key=lambda kv: (-kv[1]["overdue"], -kv[1]["ind_total"] - kv[1]["tasks"], kv[0]))
    return {
        "statuses": st, "counts": {k: counts.get(k, 0) for k in STATUS_LABELS}, "years": years,
        "tasks": tasks, "task_counts": {k: task_counts.get(k, 0) for k in TASK_STATUSES},
        "overdue": sorted((t for t in tasks if t.overdue), key=lambda t: -t.days_overdue),
        "matrix": rows, "docs": docs,
        "units": sorted({u for s in all_st for u in s.indicator.units} | {u for t in all_tasks for u in t.task.units}),
    }


# ------------------------------------------------------------------ evaluation report

def report_data(store: Store, kind: str, *, as_of: str | None = None) -> dict:
    """Mid-term (status of the latest reported year) or final (status of each indicator's target year)."""
    st = m.indicator_statuses(store, as_of=as_of)
    if kind == "final":  # the final evaluation judges each indicator in its target year
        st = [m.evaluate(s.indicator, s.actuals, year=s.indicator.target.get("year")) if s.indicator.target.get("year")
              else s for s in st]
        attach = findings_for(store, [s.indicator for s in st])
        for s in st:
            s.findings = attach.get(s.indicator.id, [])
    tasks = m.task_statuses(store, as_of=as_of)
    counts = Counter(s.status for s in st)
    findings: list[tuple[m.Indicator, dict]] = []
    seen = set()
    for s in st:
        for f in s.findings:
            key = (f.get("kind"), f.get("message"))
            if key not in seen:
                seen.add(key)
                findings.append((s.indicator, f))
    return {
        "kind": kind, "title": REPORT_KINDS[kind], "as_of": str(as_date(as_of)), "statuses": st,
        "counts": {k: counts.get(k, 0) for k in STATUS_LABELS}, "total": len(st),
        "reported": sum(1 for s in st if s.actuals), "tasks": tasks,
        "task_counts": {k: sum(1 for t in tasks if t.status == k) for k in TASK_STATUSES},
        "overdue": sorted((t for t in tasks if t.overdue), key=lambda t: -t.days_overdue),
        "findings": findings, "charts": [chart_data(s) for s in st if s.actuals],
    }


def report_xlsx(data: dict) -> bytes:
    """The report as a workbook: 摘要, 指标, 实际值, 任务, 一致性问题 — every figure with its 出处 column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "摘要"
    ws.append([data["title"], f"评估基准日 {data['as_of']}"])
    ws.append(["指标总数", data["total"]])
    ws.append(["已填报实际值的指标", data["reported"]])
    for k, label in STATUS_LABELS.items():
        ws.append([f"指标：{label}", data["counts"][k]])
    ws.append(["任务总数", len(data["tasks"])])
    for k, n in data["task_counts"].items():
        ws.append([f"任务：{k}", n])
    ws.append(["逾期任务", len(data["overdue"])])
    ws.append(["一致性问题", len(data["findings"])])

    wi = wb.create_sheet("指标")
    wi.append(["编号", "指标", "范围", "单位", "基期年", "基期值", "目标年", "目标值", "最新实际年", "最新实际值",
               "状态", "评估年度", "责任单位", "出处"])
    for s in data["statuses"]:
        i, b, t = s.indicator, s.indicator.baseline or {}, s.indicator.target or {}
        last = s.actuals[-1] if s.actuals else None
        wi.append([i.id, i.name, i.scope, i.unit, b.get("year"), b.get("value"), t.get("year"), t.get("value"),
                   last.year if last else None, last.value if last else None, STATUS_LABELS[s.status], s.status_year,
                   "、".join(i.units), "；".join(cite(c) for c in i.citations())])
    wa = wb.create_sheet("实际值")
    wa.append(["指标编号", "指标", "年度", "实际值", "评估", "计划值", "年度状态", "说明", "附件", "版本", "填报人",
               "填报时间", "指标出处"])
    for s in data["statuses"]:
        by_year = {y.year: y for y in s.years}
        for a in s.actuals:
            y = by_year.get(a.year)
            wa.append([s.indicator.id, s.indicator.name, a.year, a.value, a.assessment, y.expected if y else None,
                       STATUS_LABELS[y.status] if y else None, a.note, a.attachment, a.version, a.reported_by,
                       a.reported_at, "；".join(cite(c) for c in s.indicator.citations())])
    wt = wb.create_sheet("任务")
    wt.append(["编号", "任务", "牵头单位", "配合单位", "完成时限", "状态", "逾期天数", "最新进展", "出处"])
    for t in data["tasks"]:
        wt.append([t.task.id, t.task.task, "、".join(t.task.lead), "、".join(t.task.support), t.task.deadline,
                   t.status, t.days_overdue or None, t.reports[-1].progress if t.reports else None,
                   "；".join(cite(c) for c in t.task.citations())])
    wf = wb.create_sheet("一致性问题")
    wf.append(["指标编号", "指标", "类型", "说明", "出处"])
    for ind, f in data["findings"]:
        wf.append([ind.id, ind.name, f.get("kind"), f.get("message"),
                   "；".join(cite({"doc": c.get("doc") or c.get("doc_key"), "line_start": c.get("line_start"),
                                  "line_end": c.get("line_end")}) for c in f.get("citations") or [])])
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out = BytesIO()
    inert_workbook(wb).save(out)
    return out.getvalue()
