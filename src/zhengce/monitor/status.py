"""Status of indicators (per year) and tasks, with the consistency findings beside them.

    judge(2023, 45.0, expected=42.0, target=60, target_year=2025)   # 'on_track'  (the pure rule)
    indicator_statuses(store, as_of="2024-06-30")   # [IndicatorStatus]; .to_dict() is the JSON contract
    task_statuses(store, as_of="2022-01-01")        # [TaskStatus] with overdue
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from ..store import Store
from .clock import as_date
from .registers import Indicator, Task, list_indicators, list_tasks
from .reporting import Actual, TaskReport, actuals, task_reports
from .trajectory import aim, annual_targets

STATUSES = ("achieved", "on_track", "at_risk", "off_track", "no_data")
LABELS = {"achieved": "已实现", "on_track": "正常推进", "at_risk": "存在风险", "off_track": "滞后", "no_data": "无数据"}
TOLERANCE = 0.10


def band_width(target: float, start: float | None, kind: str = "level", tolerance: float = TOLERANCE) -> float:
    """The tolerance band: a share of the planned change (start → target), or of the target itself
    when there is no change to measure (no start, start = target, or a yearly rate)."""
    if kind != "annual_rate" and start is not None and start != target:
        return tolerance * abs(target - start)
    return tolerance * abs(target)


def meets(value: float, target: float, *, direction: str = "higher", comparator: str | None = None,
          value_max: float | None = None, band: float = 0.0) -> bool:
    """Does `value` satisfy the target as the text states it?

    `>`/`<` are strict; `~` (左右) accepts a value within the band on the
    wrong side; otherwise (`>=`, `=`, `<=`, none) the value must reach the
    target in the good direction.  A range target counts from its lower end
    (higher is better) or up to its upper end (lower is better).
    """
    goal = aim({"value": target, "value_max": value_max}, direction)
    assert goal is not None
    eps = 1e-9 * max(1.0, abs(goal))
    if comparator == ">":
        return value > goal + eps
    if comparator == "<":
        return value < goal - eps
    slack = band if comparator == "~" else 0.0
    if direction == "lower":
        return value <= goal + slack + eps
    return value >= goal - slack - eps


def judge(
    year: int, value: float | None, *, expected: float | None, target: float | None, target_year: int | None,
    direction: str = "higher", comparator: str | None = None, kind: str = "level", start: float | None = None,
    value_max: float | None = None, assessment: str | None = None, tolerance: float = TOLERANCE,
) -> str:
    """The status of one indicator in one year: achieved | on_track | at_risk | off_track | no_data.

    The rule, in order:

    1. No value reported for the year → the reported assessment if there is
       one (qualitative indicators are judged by the reporting department:
       已实现/正常推进/存在风险/滞后), else **no_data**.  A qualitative
       indicator (no target value) takes only the assessment.
    2. The value meets the target as stated (`meets`: direction, comparator,
       range) → **achieved**, in any year — reaching it early counts.  For a
       yearly rate (`年均增长6%`) a year that meets the rate before the
       target year is **on_track** (the rate must hold every year).
    3. Not met in or after the target year → **off_track** (no band at the deadline).
    4. Otherwise compare with the year's annual target `expected` (the
       trajectory, linear from baseline to target unless entered by hand).
       gap = value − expected when higher is better, expected − value when
       lower is better; band = `band_width` (10% of the planned change
       baseline → target by default; 10% of the target when there is no
       change to measure, e.g. a rate):
       gap ≥ 0 → **on_track**; −band ≤ gap < 0 → **at_risk**;
       gap < −band → **off_track**.
    5. No annual target for the year (no target year) and not met → **at_risk**.

    `start` is where the path starts (the baseline value, else the first
    reported value) and only sets the band.
    """
    if value is None:
        return assessment if assessment in STATUSES else "no_data"
    if target is None:
        return assessment if assessment in STATUSES else "no_data"
    band = band_width(float(target), start, kind, tolerance)
    if meets(value, float(target), direction=direction, comparator=comparator, value_max=value_max, band=band):
        if kind == "annual_rate" and target_year is not None and year < target_year:
            return "on_track"
        return "achieved"
    if target_year is not None and year >= target_year:
        return "off_track"
    if expected is None:
        return "at_risk"
    gap = (value - expected) if direction != "lower" else (expected - value)
    eps = 1e-9 * max(1.0, abs(expected))
    if gap >= -eps:
        return "on_track"
    if gap >= -band - eps:
        return "at_risk"
    return "off_track"


# ------------------------------------------------------------------ indicators

@dataclass
class YearStatus:
    year: int
    expected: float | None
    actual: float | None
    assessment: str | None
    status: str

    def to_dict(self) -> dict:
        return {"year": self.year, "expected": self.expected, "actual": self.actual, "assessment": self.assessment,
                "status": self.status, "status_label": LABELS[self.status]}


@dataclass
class IndicatorStatus:
    indicator: Indicator
    actuals: list[Actual]
    years: list[YearStatus]
    status: str  # of `status_year`
    status_year: int | None
    annual_targets: dict[int, float]
    findings: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The `zhengce monitor status --json` object (docs/monitoring.md)."""
        i = self.indicator
        b = i.baseline or {}
        t = i.target
        return {
            "id": i.id, "name": i.name, "unit": i.unit, "scope": i.scope,
            "baseline": {"year": b.get("year"), "value": b.get("value")},
            "target": {"year": t.get("year"), "value": t.get("value"), "comparator": t.get("comparator")},
            "actuals": [{"year": a.year, "value": a.value, "assessment": a.assessment, "note": a.note,
                         "attachment": a.attachment, "version": a.version, "reported_by": a.reported_by,
                         "reported_at": a.reported_at} for a in self.actuals],
            "status": self.status, "status_label": LABELS[self.status], "status_year": self.status_year,
            "units": i.units, "sources": i.citations(),
            "kind": i.kind, "measure": i.measure, "direction": i.direction, "attribute": i.attribute,
            "aspirational": i.aspirational, "target_value_max": t.get("value_max"),
            "baseline_assumed": bool(b.get("assumed")),
            "annual_targets": {str(y): v for y, v in self.annual_targets.items()},
            "years": [y.to_dict() for y in self.years],
            "review": i.review, "stale": i.stale, "version": i.version, "findings": self.findings,
        }


def evaluate(ind: Indicator, reported: list[Actual], *, as_of: date | None = None, year: int | None = None,
             tolerance: float | None = None) -> IndicatorStatus:
    """Status per year and overall for one indicator, from its current actuals."""
    reported = sorted(reported, key=lambda a: a.year)
    first = next(((a.year, a.value) for a in reported if a.value is not None), None)
    path = annual_targets(ind, first)
    t = ind.target
    base = ind.baseline or {}
    start = base.get("value") if base.get("value") is not None else (first[1] if first else None)
    tol = tolerance if tolerance is not None else (ind.tolerance if ind.tolerance is not None else TOLERANCE)
    by_year = {a.year: a for a in reported}
    years_span = set(path) | set(by_year)
    if base.get("year") is not None and int(base["year"]) not in by_year:
        years_span.discard(int(base["year"]))  # the baseline year is where the path starts, not a goal
    out: list[YearStatus] = []
    for y in sorted(years_span):
        a = by_year.get(y)
        status = judge(
            y, a.value if a else None, expected=path.get(y), target=t.get("value"), target_year=t.get("year"),
            direction=ind.direction, comparator=t.get("comparator"), kind=ind.kind, start=start,
            value_max=t.get("value_max"), assessment=a.assessment if a else None, tolerance=tol,
        ) if a is not None else "no_data"
        out.append(YearStatus(y, path.get(y), a.value if a else None, a.assessment if a else None, status))
    if year is not None:
        chosen = next((s for s in out if s.year == year), None)
        status, status_year = (chosen.status, year) if chosen else ("no_data", year)
    else:
        limit = as_of.year if as_of else None
        done = [s for s in out if s.status != "no_data" and (limit is None or s.year <= limit)]
        status, status_year = (done[-1].status, done[-1].year) if done else ("no_data", None)
    return IndicatorStatus(ind, reported, out, status, status_year, path)


def indicator_statuses(
    store: Store, *, as_of: str | date | None = None, year: int | None = None, unit: str | None = None,
    scope: str | None = None, ids: list[int] | None = None, with_findings: bool = True,
) -> list[IndicatorStatus]:
    """One IndicatorStatus per active indicator (filters: unit, scope, ids).

    The overall `status` is that of `year` if given, else of the latest year
    with a report on or before `as_of` (default: today), else no_data.
    """
    day = as_date(as_of)
    inds = list_indicators(store, unit=unit, scope=scope)
    if ids is not None:
        wanted = {int(i) for i in ids}
        inds = [i for i in inds if i.id in wanted]
    by_ind: dict[int, list[Actual]] = defaultdict(list)
    for a in actuals(store):
        by_ind[a.indicator_id].append(a)
    out = [evaluate(i, by_ind.get(i.id, []), as_of=day, year=year) for i in inds]
    if with_findings and out:
        attach = findings_for(store, [s.indicator for s in out])
        for s in out:
            s.findings = attach.get(s.indicator.id, [])
    return out


def findings_for(store: Store, entries: list) -> dict[int, list[dict]]:
    """Consistency findings (zhengce.extract.check) attached to the entries whose sources they cite.

    A finding is attached when one of its citations lies in the same
    document as one of the entry's sources and their spans overlap.
    """
    from ..extract.check import arithmetic, check

    records = [r for _doc_id, r in store.extractions() if r.type in ("target", "statistic", "project", "duty")]
    findings = check(records)
    wanted_docs = {s.get("doc_id") for e in entries for s in e.sources if s.get("doc_id") is not None}
    keys = {r.doc_key: doc_id for doc_id, r in store.extractions(type_="target")}
    for doc_key, doc_id in keys.items():
        if doc_id in wanted_docs:
            findings += arithmetic(store.get_document(doc_id), doc_key)
    index: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for e in entries:
        for s in e.sources:
            span = s.get("span") or [None, None]
            if s.get("doc_key") and span[0] is not None:
                index[s["doc_key"]].append((int(span[0]), int(span[1]), e.id))
    out: dict[int, list[dict]] = defaultdict(list)
    for f in findings:
        hit: set[int] = set()
        for c in f.citations:
            for start, end, eid in index.get(c.doc_key, []):
                if c.start < end and start < c.end:
                    hit.add(eid)
        for eid in sorted(hit):
            out[eid].append(f.to_dict())
    return dict(out)


# ------------------------------------------------------------------ tasks

@dataclass
class TaskStatus:
    task: Task
    reported: str  # the latest reported status, 未开始 if none
    status: str  # what to show: 滞后 when overdue, else the reported status
    overdue: bool
    days_overdue: int
    reports: list[TaskReport]

    def to_dict(self) -> dict:
        last = self.reports[-1] if self.reports else None
        return {
            **self.task.to_dict(),
            "status": self.status, "reported_status": self.reported, "overdue": self.overdue,
            "days_overdue": self.days_overdue,
            "progress": last.progress if last else None,
            "evidence": [{"version": r.version, "evidence": r.evidence, "attachment": r.attachment,
                          "reported_by": r.reported_by, "reported_at": r.reported_at}
                         for r in self.reports if r.evidence or r.attachment],
            "reports": [r.to_dict() for r in self.reports],
        }


def task_status(task: Task, reports: list[TaskReport], as_of: date) -> TaskStatus:
    """Overdue: a deadline before `as_of` and not reported 已完成.  Shown status: 滞后 when overdue."""
    reported = reports[-1].status if reports else "未开始"
    overdue = bool(task.deadline) and date.fromisoformat(task.deadline) < as_of and reported != "已完成"
    days = (as_of - date.fromisoformat(task.deadline)).days if overdue else 0
    return TaskStatus(task, reported, "滞后" if overdue else reported, overdue, days, reports)


def task_statuses(store: Store, *, as_of: str | date | None = None, unit: str | None = None,
                  overdue_only: bool = False) -> list[TaskStatus]:
    day = as_date(as_of)
    by_task: dict[int, list[TaskReport]] = defaultdict(list)
    for r in task_reports(store):
        by_task[r.task_id].append(r)
    out = [task_status(t, by_task.get(t.id, []), day) for t in list_tasks(store, unit=unit)]
    return [s for s in out if s.overdue] if overdue_only else out
