"""What departments report: actual values of indicators, progress of tasks, and bulk imports.

    report_actual(store, user, 12, 2023, 41.5, note="统计快报")   # a new version of 2023's value
    actuals(store, 12)                   # current value per year  → [Actual]
    actual_history(store, 12, 2023)      # every version, oldest first, with who and when
    report_task(store, user, 7, "推进中", progress="已完成招标", evidence="吉工信函〔2022〕3号")
    import_actuals(store, user, "actuals.xlsx")   # all rows or nothing; ImportFailed lists row errors

Nothing is ever overwritten: each report is a new row with the next version
number for its (indicator, year) or task, taken inside one write
transaction, so two departments reporting at the same moment both land (one
after the other, both kept in the history).  A caller that shows a value and
lets the user change it passes `expected_version` (the version it showed):
if someone reported in between, ConflictError is raised and nothing is
written — the web form then shows the newer value instead of silently
replacing it.
"""

from __future__ import annotations

from ..present import inert_row, inert_workbook

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..store import Store
from . import attachments, audit
from .access import can, reason, require
from .clock import stamp
from . import labels as L
from .errors import ConflictError, MonitorError
from .registers import Indicator, get_indicator, get_task, list_indicators

ASSESSMENTS = ("achieved", "on_track", "at_risk", "off_track")
_ASSESSMENT_WORDS = {
    "achieved": "achieved", "已实现": "achieved", "已完成": "achieved", "已达到": "achieved", "实现": "achieved",
    "on_track": "on_track", "on track": "on_track", "正常推进": "on_track", "按计划推进": "on_track", "进度正常": "on_track",
    "at_risk": "at_risk", "at risk": "at_risk", "存在风险": "at_risk", "有风险": "at_risk",
    "off_track": "off_track", "off track": "off_track", "滞后": "off_track", "严重滞后": "off_track", "未实现": "off_track",
}
TASK_STATUSES = ("未开始", "推进中", "已完成", "滞后")
_TASK_WORDS = {"not_started": "未开始", "in_progress": "推进中", "done": "已完成", "delayed": "滞后",
               "进行中": "推进中", "完成": "已完成"}


def normalize_assessment(text: str | None) -> str | None:
    """achieved | on_track | at_risk | off_track from English or Chinese words; None for blank; MonitorError else."""
    if text is None or not str(text).strip():
        return None
    key = str(text).strip().lower()
    if key not in _ASSESSMENT_WORDS:
        raise MonitorError(f"评估：{L.quoted(text)}无效，应为 已实现、正常推进、存在风险、滞后 之一")
    return _ASSESSMENT_WORDS[key]


def normalize_task_status(text: str) -> str:
    s = (text or "").strip()
    s = _TASK_WORDS.get(s.lower(), s)
    if s not in TASK_STATUSES:
        raise MonitorError(f"状态：{L.quoted(text)}无效，应为 {'、'.join(TASK_STATUSES)} 之一")
    return s


_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def parse_number(v: Any) -> float:
    """A number from a cell: 1234.5, '1,234.5', '１２.５', ' 12 '; ValueError else."""
    if isinstance(v, bool):
        raise ValueError(v)
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).strip().translate({0xFF0C: ",", 0xFF0E: "."}).replace(",", "")
    s = "".join(chr(ord(c) - 0xFEE0) if "０" <= c <= "９" else c for c in s)
    if not _NUMBER.match(s):
        raise ValueError(v)
    return float(s)


@dataclass(frozen=True)
class Actual:
    indicator_id: int
    year: int
    version: int
    value: float | None
    assessment: str | None
    note: str | None
    attachment: str | None
    origin: str
    reported_by: str
    reported_at: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TaskReport:
    task_id: int
    version: int
    status: str
    progress: str | None
    evidence: str | None
    attachment: str | None
    reported_by: str
    reported_at: str

    def to_dict(self) -> dict:
        return asdict(self)


def _actual(r) -> Actual:
    return Actual(int(r["indicator_id"]), int(r["year"]), int(r["version"]),
                  None if r["reported_value"] is None else float(r["reported_value"]), r["assessment"], r["note"],
                  r["attachment"], r["origin"], r["reported_by"], r["reported_at"])


def _task_report(r) -> TaskReport:
    return TaskReport(int(r["task_id"]), int(r["version"]), r["status"], r["progress"], r["evidence"], r["attachment"],
                      r["reported_by"], r["reported_at"])


# ------------------------------------------------------------------ actuals

def actuals(store: Store, indicator_id: int | None = None) -> list[Actual]:
    """The current (latest) value per indicator and year, by indicator then year."""
    where, args = "", ()
    if indicator_id is not None:
        where, args = " WHERE indicator_id = ?", (int(indicator_id),)
    rows = store._db.all(
        "SELECT a.* FROM monitor_actuals a JOIN (SELECT indicator_id AS i, year AS y, MAX(version) AS v"
        f" FROM monitor_actuals{where} GROUP BY indicator_id, year) m"
        " ON m.i = a.indicator_id AND m.y = a.year AND m.v = a.version ORDER BY a.indicator_id, a.year", args)
    return [_actual(r) for r in rows]


def actual_history(store: Store, indicator_id: int, year: int | None = None) -> list[Actual]:
    """Every reported version (of one year, or all), oldest first."""
    q = "SELECT * FROM monitor_actuals WHERE indicator_id = ?"
    args: tuple = (int(indicator_id),)
    if year is not None:
        q += " AND year = ?"
        args += (int(year),)
    return [_actual(r) for r in store._db.all(q + " ORDER BY year, version", args)]


def _current_version(db, indicator_id: int, year: int) -> int:
    return int(db.scalar("SELECT MAX(version) FROM monitor_actuals WHERE indicator_id = ? AND year = ?",
                         (indicator_id, year)) or 0)


def _validate_actual(ind: Indicator, year: Any, value: Any, assessment: Any) -> tuple[int, float | None, str | None]:
    try:
        y = int(str(year).strip())
    except (TypeError, ValueError):
        raise MonitorError(f"年度：{L.quoted(year)}不是年份") from None
    if not 1949 <= y <= 2100:
        raise MonitorError(f"年度：{y} 不是有效年份（应在 1949 至 2100 之间）")
    v = None
    if value is not None and str(value).strip() != "":
        try:
            v = parse_number(value)
        except ValueError:
            raise MonitorError(f"实际值：{L.quoted(value)}不是数字") from None
    a = normalize_assessment(assessment)
    if ind.qualitative:
        if a is None:
            raise MonitorError(f"{L.entry(ind)}是定性指标：请选择评估（已实现、正常推进、存在风险、滞后）")
    elif v is None:
        raise MonitorError(f"{L.entry(ind)}：请填写实际值")
    return y, v, a


def _reportable(ind) -> None:
    if ind.review == "merged":
        raise MonitorError(f"{L.entry(ind)}已并入指标 {ind.merged_into}：请到指标 {ind.merged_into} 填报")
    if ind.review == "rejected":
        raise MonitorError(f"{L.entry(ind)}已被驳回，不再监测，不能填报")


def report_actual(
    store: Store, user, indicator_id: int, year: int, value: float | str | None = None, *,
    assessment: str | None = None, note: str | None = None, attachment: str | None = None,
    expected_version: int | None = None, files: list[tuple[str, bytes]] | None = None, now: datetime | None = None,
) -> Actual:
    """Record an actual value (or, for a qualitative indicator, an assessment) for a year.

    `expected_version`: the version of this year's value the user was shown
    (0 = none yet); ConflictError if it is no longer the latest.  `files`:
    [(name, bytes)] stored with this version (attachments.py; checked first).
    """
    ind = get_indicator(store, indicator_id)
    _reportable(ind)
    require(store, user, "report", ind, detail={"year": year, "value": value})
    y, v, a = _validate_actual(ind, year, value, assessment)
    checked = attachments.checked_files(files)
    if checked and not attachment:
        attachment = "、".join(f[0] for f in checked)
    db = store._db
    with db.transaction():
        current = _current_version(db, ind.id, y)
        if expected_version is not None and int(expected_version) != current:
            last = actual_history(store, ind.id, y)[-1]
            shown = _shown_value(last, ind)
            raise ConflictError(
                f"{L.item('indicator', ind.id)} 的 {y} 年实际值已被 {last.reported_by} 于 {L.when(last.reported_at)} 填报为 {shown}"
                f"（当前第 {current} 版，表单为第 {expected_version} 版）：请刷新后再填报", current)
        db.execute(
            "INSERT INTO monitor_actuals (indicator_id, year, version, reported_value, assessment, note, attachment,"
            " origin, reported_by, reported_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'manual', ?, ?)",
            (ind.id, y, current + 1, v, a, note or None, attachment or None, user.username, stamp(now)))
        att_ids = attachments.insert(db, user, "indicator", ind.id, y, current + 1, checked, now)
        audit.log(store, user, "report_actual", "indicator", ind.id,
                  detail={"year": y, "value": v, "assessment": a, "version": current + 1}
                  | ({"attachments": att_ids} if att_ids else {}), now=now)
        row = db.one("SELECT * FROM monitor_actuals WHERE indicator_id = ? AND year = ? AND version = ?",
                     (ind.id, y, current + 1))
    return _actual(row)


# -------------------------------------------------------------------- tasks

def task_reports(store: Store, task_id: int | None = None) -> list[TaskReport]:
    """Every progress report (of one task, or all), oldest first."""
    if task_id is None:
        rows = store._db.all("SELECT * FROM monitor_task_reports ORDER BY task_id, version")
    else:
        rows = store._db.all("SELECT * FROM monitor_task_reports WHERE task_id = ? ORDER BY version", (int(task_id),))
    return [_task_report(r) for r in rows]


def report_task(
    store: Store, user, task_id: int, status: str, *, progress: str | None = None, evidence: str | None = None,
    attachment: str | None = None, expected_version: int | None = None, files: list[tuple[str, bytes]] | None = None,
    now: datetime | None = None,
) -> TaskReport:
    """Record a task's status (未开始/推进中/已完成/滞后) with what was done and the evidence (`files`: attached)."""
    task = get_task(store, task_id)
    if task.review in ("merged", "rejected"):
        raise MonitorError(f"{L.entry(task)}" + (f"已并入任务 {task.merged_into}：请到任务 {task.merged_into} 填报" if task.merged_into else f"{L.REVIEW.get(task.review, task.review)}，不能填报"))
    require(store, user, "report", task, detail={"status": status})
    s = normalize_task_status(status)
    checked = attachments.checked_files(files)
    if checked and not attachment:
        attachment = "、".join(f[0] for f in checked)
    db = store._db
    with db.transaction():
        current = int(db.scalar("SELECT MAX(version) FROM monitor_task_reports WHERE task_id = ?", (task.id,)) or 0)
        if expected_version is not None and int(expected_version) != current:
            last = task_reports(store, task.id)[-1]
            raise ConflictError(f"{L.item('task', task.id)} 的进展已被 {last.reported_by} 于 {L.when(last.reported_at)} 填报为"
                                f"“{last.status}”（当前第 {current} 版，表单为第 {expected_version} 版）：请刷新后再填报", current)
        db.execute(
            "INSERT INTO monitor_task_reports (task_id, version, status, progress, evidence, attachment, reported_by,"
            " reported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (task.id, current + 1, s, progress or None, evidence or None, attachment or None, user.username, stamp(now)))
        att_ids = attachments.insert(db, user, "task", task.id, None, current + 1, checked, now)
        audit.log(store, user, "report_task", "task", task.id, detail={"status": s, "version": current + 1}
                  | ({"attachments": att_ids} if att_ids else {}), now=now)
    return task_reports(store, task.id)[-1]


# ------------------------------------------------------------------- import

# Template columns (docs/monitoring.md): the header names accepted for each, first = the template's.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("指标编号", "id", "编号", "indicator_id"),
    "name": ("指标名称", "name", "指标", "indicator"),
    "scope": ("范围", "scope", "地区"),
    "unit": ("单位", "unit"),
    "year": ("年度", "year", "年份"),
    "value": ("实际值", "value", "actual", "数值"),
    "assessment": ("评估", "assessment", "定性评估"),
    "note": ("说明", "note", "备注"),
    "attachment": ("附件", "attachment"),
}
REQUIRED = ("id", "year")


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based row of the sheet (the header is row 1)
    column: str | None  # the header as written in the file, or the template's name
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f"“{self.column}”列" if self.column else "")
        return f"{where}：{self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


def failed_summary(path: str, n: int) -> str:
    """'a.csv：发现 3 处错误，未导入任何数据' — the first line of an import refusal (file name only)."""
    return f"{Path(str(path)).name}：发现 {n} 处错误，未导入任何数据"


def _shown_value(a: Actual, ind: Indicator) -> str:
    if a.value is None:
        return f"“{L.ASSESSMENTS.get(a.assessment, a.assessment)}”"
    v = f"{a.value:g}" if isinstance(a.value, float) else str(a.value)
    return v + (ind.unit or "")


class ImportFailed(MonitorError):
    """The file was refused as a whole; `errors` names every bad row and column.  Nothing was written."""

    def __init__(self, path: str, errors: list[RowError]):
        self.path, self.errors = path, errors
        super().__init__(failed_summary(path, len(errors)) + "\n" + "\n".join(f"  {e}" for e in errors))


@dataclass
class ImportResult:
    path: str
    rows: int  # data rows read
    written: int  # new versions stored
    unchanged: int  # rows equal to the current value (nothing stored)
    indicators: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def read_table(path: str | Path) -> list[tuple[int, list[Any]]]:
    """(row number, cells) of a .csv (UTF-8, with or without BOM; GB18030 accepted) or .xlsx (first sheet)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(p, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises several kinds for a bad file
            raise MonitorError(f"{p.name}：无法读取，不是有效的 .xlsx 文件（{type(e).__name__}）") from None
        ws = wb["实际值"] if "实际值" in wb.sheetnames else wb.worksheets[0]
        rows = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
        wb.close()
        return rows
    if suffix in (".csv", ".txt"):
        raw = p.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise MonitorError(f"{p.name}：不是 UTF-8 或 GB18030 编码的文本")
        return [(i, r) for i, r in enumerate(csv.reader(io.StringIO(text)), start=1)]
    raise MonitorError(f"{p.name}：只能导入 .csv 或 .xlsx 文件（请按模板填写）")


def _blank(v: Any) -> bool:
    return v is None or str(v).strip() == ""


def _header(cells: list[Any]) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    cols: dict[str, int] = {}
    names: dict[str, str] = {}
    errors: list[RowError] = []
    lookup = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    for i, cell in enumerate(cells):
        if _blank(cell):
            continue
        text = str(cell).strip()
        key = lookup.get(text.lower())
        if key is None:
            errors.append(RowError(1, text, f"无法识别的列名（可用的列：{'、'.join(a[0] for a in COLUMNS.values())}）"))
        elif key in cols:
            errors.append(RowError(1, text, f"与另一列重复，都是“{COLUMNS[key][0]}”列"))
        else:
            cols[key], names[key] = i, text
    for key in REQUIRED:
        if key not in cols:
            errors.append(RowError(1, COLUMNS[key][0], "缺少这一必填列"))
    if "value" not in cols and "assessment" not in cols:
        errors.append(RowError(1, COLUMNS["value"][0], "缺少“实际值”列或“评估”列（至少要有其中一列）"))
    return cols, names, errors


def import_actuals(store: Store, user, path: str | Path, *, now: datetime | None = None) -> ImportResult:
    """Import actual values from a sheet in the template's layout: every row, or none.

    Each row is checked (indicator exists and is monitored, the user may
    report it, year, number, unit equal to the indicator's, assessment words,
    no (indicator, year) twice); any error → ImportFailed listing all of
    them and nothing is stored.  A refused row (not the user's unit) is also
    written to the audit log.  Rows equal to the current value are skipped.
    """
    path_s = str(path)
    table = [(n, cells) for n, cells in read_table(path) if any(not _blank(c) for c in cells)]
    if not table:
        raise ImportFailed(path_s, [RowError(1, None, "文件是空的：没有表头行")])
    (_, header), body = table[0], table[1:]
    cols, names, errors = _header(header)
    if errors:
        audit.log(store, user, "import_actuals", "file", Path(path_s).name, outcome="failed",
                  detail={"errors": [str(e) for e in errors]}, now=now)
        raise ImportFailed(path_s, errors)
    if not body:
        raise ImportFailed(path_s, [RowError(2, None, "只有表头，没有数据行")])

    def cell(cells: list[Any], key: str) -> Any:
        i = cols.get(key)
        return cells[i] if i is not None and i < len(cells) else None

    indicators = {i.id: i for i in list_indicators(store, include=("suggested", "confirmed", "edited", "rejected", "merged"))}
    seen: dict[tuple[int, int], int] = {}
    planned: list[tuple[Indicator, int, float | None, str | None, str | None, str | None]] = []
    refused: list[dict] = []
    for n, cells in body:
        col = names.get
        raw_id = cell(cells, "id")
        try:
            ind_id = int(parse_number(raw_id))
        except (ValueError, TypeError):
            errors.append(RowError(n, col("id"), f"{L.quoted(raw_id)}不是指标编号" if not _blank(raw_id) else "未填写指标编号"))
            continue
        ind = indicators.get(ind_id)
        if ind is None:
            errors.append(RowError(n, col("id"), f"没有指标 {ind_id}"))
            continue
        try:
            _reportable(ind)
        except MonitorError as e:
            errors.append(RowError(n, col("id"), str(e)))
            continue
        if not can(user, "report", ind):
            why = reason(user, "report", ind)
            errors.append(RowError(n, col("id"), why))
            refused.append({"row": n, "indicator": ind_id, "reason": why})
            continue
        raw_year = cell(cells, "year")
        try:
            year = int(parse_number(raw_year))
            if not 1949 <= year <= 2100 or float(parse_number(raw_year)) != year:
                raise ValueError
        except (ValueError, TypeError):
            errors.append(RowError(n, col("year"), f"{L.quoted(raw_year)}不是有效年份" if not _blank(raw_year) else "未填写年度"))
            continue
        unit = cell(cells, "unit")
        if not _blank(unit) and ind.unit and str(unit).strip() != ind.unit:
            errors.append(RowError(n, col("unit"), f"{L.quoted(str(unit).strip())}与指标的单位“{ind.unit}”不一致"))
            continue
        raw_value = cell(cells, "value")
        value = None
        if not _blank(raw_value):
            try:
                value = parse_number(raw_value)
            except ValueError:
                errors.append(RowError(n, col("value"), f"{L.quoted(raw_value)}不是数字"))
                continue
        try:
            assessment = normalize_assessment(cell(cells, "assessment"))
        except MonitorError as e:
            errors.append(RowError(n, col("assessment"), str(e)))
            continue
        if ind.qualitative and assessment is None:
            errors.append(RowError(n, col("assessment") or COLUMNS["assessment"][0],
                                   f"{L.entry(ind)}是定性指标：请填写评估（已实现、正常推进、存在风险、滞后）"))
            continue
        if not ind.qualitative and value is None:
            errors.append(RowError(n, col("value") or COLUMNS["value"][0], "未填写实际值"))
            continue
        if (ind_id, year) in seen:
            errors.append(RowError(n, col("year"), f"指标 {ind_id} 的 {year} 年已在第 {seen[(ind_id, year)]} 行填写过"))
            continue
        seen[(ind_id, year)] = n
        note, attachment = cell(cells, "note"), cell(cells, "attachment")
        planned.append((ind, year, value, assessment, None if _blank(note) else str(note).strip(),
                        None if _blank(attachment) else str(attachment).strip()))
    name = Path(path_s).name
    if refused:
        audit.log(store, user, "import_actuals", "file", name, outcome="refused", detail={"refused": refused}, now=now)
    if errors:
        if not refused:
            audit.log(store, user, "import_actuals", "file", name, outcome="failed",
                      detail={"errors": [str(e) for e in errors[:50]]}, now=now)
        raise ImportFailed(path_s, errors)

    ts = stamp(now)
    written = unchanged = 0
    db = store._db
    with db.transaction():
        for ind, year, value, assessment, note, attachment in planned:
            cur = db.one("SELECT * FROM monitor_actuals WHERE indicator_id = ? AND year = ? ORDER BY version DESC LIMIT 1",
                         (ind.id, year))
            if cur is not None and (cur["reported_value"], cur["assessment"], cur["note"], cur["attachment"]) == (
                    value, assessment, note, attachment):
                unchanged += 1
                continue
            version = (int(cur["version"]) if cur is not None else 0) + 1
            db.execute(
                "INSERT INTO monitor_actuals (indicator_id, year, version, reported_value, assessment, note, attachment,"
                " origin, reported_by, reported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ind.id, year, version, value, assessment, note, attachment, f"import:{name}", user.username, ts))
            written += 1
        ids = sorted({p[0].id for p in planned})
        audit.log(store, user, "import_actuals", "file", name,
                  detail={"rows": len(planned), "written": written, "unchanged": unchanged, "indicators": ids}, now=now)
    return ImportResult(path_s, len(planned), written, unchanged, ids)


def template_rows(store: Store, user) -> list[list[Any]]:
    """The template: a header row, then one row per active indicator the user may report (year/value empty)."""
    rows: list[list[Any]] = [[aliases[0] for aliases in COLUMNS.values()]]
    for ind in list_indicators(store):
        if can(user, "report", ind):
            rows.append([ind.id, ind.name, ind.scope or "", ind.unit or "", "", "", "", "", ""])
    return rows


def write_template(store: Store, user, path: str | Path) -> int:
    """Write the import template (.csv or .xlsx, with a 说明 sheet); returns the number of indicator rows."""
    rows = template_rows(store, user)
    p = Path(path)
    if p.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "实际值"
        for r in rows:
            ws.append(r)
        help_ws = wb.create_sheet("说明")
        for line in TEMPLATE_HELP:
            help_ws.append(list(line))
        inert_workbook(wb).save(p)
    elif p.suffix.lower() == ".csv":
        with p.open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows(inert_row(r) for r in rows)
    else:
        raise MonitorError(f"{p}: the template is written as .csv or .xlsx")
    return len(rows) - 1


TEMPLATE_HELP = (
    ("列", "必填", "说明"),
    ("指标编号", "是", "登记册中的指标编号（zhengce monitor indicators 中的 id）"),
    ("指标名称", "否", "仅供核对，导入时不读取"),
    ("范围", "否", "仅供核对"),
    ("单位", "否", "填写时须与指标单位一致"),
    ("年度", "是", "实际值所属年份，如 2023"),
    ("实际值", "定量指标必填", "数字，按指标单位填写；可带千分位逗号"),
    ("评估", "定性指标必填", "已实现 / 正常推进 / 存在风险 / 滞后"),
    ("说明", "否", "数据来源、口径等"),
    ("附件", "否", "佐证材料的文件名或链接"),
)
