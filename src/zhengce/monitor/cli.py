"""Commands: zhengce monitor … and zhengce user … (registered by zhengce.cli).

The CLI is the operator's console on the server: it acts as the user named
by `--as USER` without a password (whoever runs it can read the database
file anyway); the web app authenticates with passwords and sessions.
Exit status: 0 done, 1 refused input (an import with errors), 2 bad usage or
unknown item, 3 access denied (logged), 4 conflict (someone changed it first).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

monitor_app = typer.Typer(no_args_is_help=True, help="规划实施监测: indicator and task registers, reports, status.")
user_app = typer.Typer(no_args_is_help=True, help="Accounts: add, list, disable (admin, department, viewer).")

AsUser = Annotated[Optional[str], typer.Option("--as", help="Act as this user (its role and units decide what is allowed).")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON on stdout.")]
TaskFlag = Annotated[bool, typer.Option("--task", help="The id is a task's, not an indicator's.")]
AsOf = Annotated[Optional[str], typer.Option("--as-of", help="As of this date (YYYY-MM-DD; default today).")]


def register(app: typer.Typer) -> None:
    app.add_typer(monitor_app, name="monitor")
    app.add_typer(user_app, name="user")


def _cli():
    from .. import cli  # the main module: its --db, console and error line

    return cli


def _fail(msg: str, code: int = 2) -> None:
    _cli()._error(msg)
    raise typer.Exit(code)


def _run(fn):
    """Map the library's errors to one error line and the exit status."""
    from .errors import AccessDenied, AuthError, ConflictError, MonitorError, NotFound
    from .reporting import ImportFailed

    try:
        return fn()
    except AccessDenied as e:
        _fail(str(e), 3)  # "无权…": the reason, as the pages show it
    except ConflictError as e:
        _fail(str(e), 4)
    except ImportFailed as e:
        _fail(str(e), 1)
    except (NotFound, AuthError) as e:
        _fail(str(e), 2)
    except MonitorError as e:
        _fail(str(e), 2)


def _user(store, name: Optional[str], *, required: bool = True):
    from .errors import NotFound
    from .users import get_user

    if name is None:
        if required:
            _fail("name the acting user with --as USER")
        return None
    try:
        user = get_user(store, name)
    except NotFound:
        _fail(f"--as {name}: no such user")
    if user.disabled:
        from . import audit

        audit.log(store, user, "cli", "user", name, outcome="refused", detail={"reason": f"账号 {name} 已停用"})
        _fail(f"--as {name}: account disabled", 3)
    return user


def _emit(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _date(text: Optional[str]) -> Optional[str]:
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        _fail(f"--as-of: {text!r} is not a date YYYY-MM-DD")


def _num(v) -> str:
    if v is None:
        return "—"
    return f"{v:g}" if isinstance(v, float) else str(v)


# ---------------------------------------------------------------------- users

@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name (no spaces).")],
    role: Annotated[str, typer.Option("--role", help="admin, department or viewer.")],
    units: Annotated[Optional[list[str]], typer.Option("--unit", help="A unit the department user belongs to (repeatable): 省工信厅 or its full name.")] = None,
    password: Annotated[Optional[str], typer.Option("--password", help="Password (asked for when omitted).")] = None,
    display_name: Annotated[Optional[str], typer.Option("--name", help="Display name.")] = None,
    as_user: AsUser = None,
):
    """Add an account.  The first account must be an admin and needs no --as; later ones need --as ADMIN."""
    from .users import add_user

    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with _cli()._store() as store:
        by = _user(store, as_user, required=False)
        user = _run(lambda: add_user(store, username, password, role=role, units=units or [], display_name=display_name, by=by))
    _cli().err.print(f"added {user.username} ({user.role}{': ' + '、'.join(user.units) if user.units else ''})", highlight=False)


@user_app.command("list")
def user_list(as_json: AsJson = False):
    """Accounts with their roles and units."""
    from .users import list_users

    with _cli()._store() as store:
        users = list_users(store)
    if as_json:
        for u in users:
            _emit(u.to_dict())
        return
    for u in users:
        state = " (disabled)" if u.disabled else ""
        _cli().out.print(f"{u.username}\t{u.role}{state}\t{'、'.join(u.units)}", highlight=False, markup=False)


@user_app.command("disable")
def user_disable(username: Annotated[str, typer.Argument()], as_user: AsUser = None):
    """Disable an account (its sessions and tokens end; history keeps its name)."""
    from .users import disable_user

    with _cli()._store() as store:
        by = _user(store, as_user)
        _run(lambda: disable_user(store, username, by=by))
    _cli().err.print(f"disabled {username}", highlight=False)


@user_app.command("enable")
def user_enable(username: Annotated[str, typer.Argument()], as_user: AsUser = None):
    """Enable a disabled account again."""
    from .users import enable_user

    with _cli()._store() as store:
        by = _user(store, as_user)
        _run(lambda: enable_user(store, username, by=by))
    _cli().err.print(f"enabled {username}", highlight=False)


@user_app.command("passwd")
def user_passwd(
    username: Annotated[str, typer.Argument()],
    password: Annotated[Optional[str], typer.Option("--password", help="New password (asked for when omitted).")] = None,
    as_user: AsUser = None,
):
    """Set a password (an admin for anyone, a user for itself)."""
    from .users import set_password

    if password is None:
        password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
    with _cli()._store() as store:
        by = _user(store, as_user)
        current = None
        if by is not None and by.username == username:  # one's own password: the current one first
            current = typer.prompt("current password", hide_input=True)
        _run(lambda: set_password(store, username, password, by=by, current=current))
    _cli().err.print(f"password of {username} set", highlight=False)


# ------------------------------------------------------------------ registers

@monitor_app.command("seed")
def seed_cmd(as_user: AsUser = None, as_json: AsJson = False):
    """Build or refresh the registers from the stored extractions (reviewed entries are kept)."""
    from .registers import seed

    with _cli()._store() as store:
        user = _user(store, as_user)
        report = _run(lambda: seed(store, user))
    if as_json:
        _emit(report.to_dict())
        return
    for name, c in (("indicators", report.indicators), ("tasks", report.tasks)):
        _cli().out.print(f"{name}: added {c.added} updated {c.updated} unchanged {c.unchanged} "
                         f"reviewed kept {c.reviewed_kept} stale {c.stale}", highlight=False)


@monitor_app.command("indicators")
def indicators_cmd(
    as_json: AsJson = False,
    all_: Annotated[bool, typer.Option("--all", help="Also rejected and merged entries.")] = False,
    unit: Annotated[Optional[str], typer.Option("--unit", help="Only entries this unit is responsible for.")] = None,
    scope: Annotated[Optional[str], typer.Option("--scope", help="Only entries for this place (湘潭市, 全省…).")] = None,
):
    """The indicator register."""
    from .registers import REVIEWS, list_indicators

    with _cli()._store() as store:
        items = list_indicators(store, include=REVIEWS if all_ else None, unit=unit, scope=scope)
    if as_json:
        for i in items:
            _emit(i.to_dict())
        return
    out = _cli().out
    for i in items:
        t = i.target
        goal = f"{t.get('comparator') or ''}{_num(t.get('value'))}{i.unit or ''}" if t.get("value") is not None else "定性"
        flags = (" [stale]" if i.stale else "") + ("" if i.review == "suggested" else f" [{i.review}]")
        out.print(f"{i.id}\t{i.scope or ''}\t{i.name}\t{t.get('year') or ''} {goal}\t{'、'.join(i.units)}{flags}",
                  highlight=False, markup=False)
    out.print(f"{len(items)} indicators", highlight=False)


@monitor_app.command("show")
def show_cmd(item_id: Annotated[int, typer.Argument(help="Indicator id (or task id with --task).")], task: TaskFlag = False,
             as_json: AsJson = False):
    """One entry with its history (who changed what, when) and, for an indicator, every reported version."""
    from .registers import get_indicator, get_task, history
    from .reporting import actual_history, task_reports

    kind = "task" if task else "indicator"
    with _cli()._store() as store:
        entry = _run(lambda: get_task(store, item_id) if task else get_indicator(store, item_id))
        obj = entry.to_dict()
        obj["history"] = [v.to_dict() for v in history(store, kind, item_id)]
        if task:
            obj["reports"] = [r.to_dict() for r in task_reports(store, item_id)]
        else:
            obj["actual_history"] = [a.to_dict() for a in actual_history(store, item_id)]
    if as_json:
        _emit(obj)
        return
    out = _cli().out
    out.print(json.dumps({k: v for k, v in obj.items() if k not in ("history", "machine")}, ensure_ascii=False, indent=2),
              highlight=False, markup=False)
    for v in obj["history"]:
        out.print(f"v{v['version']} {v['changed_at']} {v['changed_by'] or '(seed)'} {v['action']} → {v['review']}"
                  + (f"  {v['note']}" if v["note"] else ""), highlight=False, markup=False)
    for a in obj.get("actual_history", []):
        out.print(f"{a['year']} v{a['version']} {_num(a['value'])} {a['assessment'] or ''} {a['reported_by']} {a['reported_at']}"
                  f" {a['origin']}", highlight=False, markup=False)


@monitor_app.command("candidates")
def candidates_cmd(as_json: AsJson = False):
    """Indicators that look like one across documents (same name, place, unit, year): merge candidates."""
    from .registers import get_indicator, merge_candidates

    with _cli()._store() as store:
        cands = merge_candidates(store)
        shown = [(c, [get_indicator(store, i) for i in c.ids]) for c in cands]
    if as_json:
        for c, _ in shown:
            _emit(c.to_dict())
        return
    for c, items in shown:
        mark = " 目标值不一致" if c.conflicting else ""
        _cli().out.print(f"{' + '.join(map(str, c.ids))}{mark}", highlight=False)
        for i in items:
            src = i.sources[0] if i.sources else {}
            _cli().out.print(f"    {i.id} {i.name} {_num(i.target.get('value'))}{i.unit or ''} · {src.get('doc') or src.get('doc_key')}"
                             f" L{src.get('line_start')}：{src.get('quote')}", highlight=False, markup=False)


@monitor_app.command("confirm")
def confirm_cmd(item_id: Annotated[int, typer.Argument()], task: TaskFlag = False, as_user: AsUser = None,
                version: Annotated[Optional[int], typer.Option("--version", help="Refuse if the entry is no longer at this version.")] = None,
                note: Annotated[Optional[str], typer.Option("--note")] = None):
    """Confirm a machine suggestion as it stands."""
    from .registers import confirm

    with _cli()._store() as store:
        user = _user(store, as_user)
        e = _run(lambda: confirm(store, user, item_id, kind="task" if task else "indicator", expected_version=version, note=note))
    _cli().err.print(f"{e.item_kind} {e.id} confirmed (version {e.version})", highlight=False)


@monitor_app.command("reject")
def reject_cmd(item_id: Annotated[int, typer.Argument()], task: TaskFlag = False, as_user: AsUser = None,
               note: Annotated[Optional[str], typer.Option("--note", help="Why (kept in the history).")] = None,
               version: Annotated[Optional[int], typer.Option("--version")] = None):
    """Reject a machine suggestion (it stays rejected through re-seeding)."""
    from .registers import reject

    with _cli()._store() as store:
        user = _user(store, as_user)
        e = _run(lambda: reject(store, user, item_id, kind="task" if task else "indicator", note=note, expected_version=version))
    _cli().err.print(f"{e.item_kind} {e.id} rejected", highlight=False)


def _changes(pairs: list[str]) -> dict:
    """`target.value=80`, `units=省工信厅,省财政厅`, `annual_targets.2023=40` → a nested dict."""
    out: dict = {}
    for p in pairs:
        if "=" not in p:
            _fail(f"--set {p!r}: write FIELD=VALUE (target.value=80)")
        path, value = p.split("=", 1)
        parts = path.strip().split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = None if value.strip().lower() in ("null", "none") else value.strip()
    return out


@monitor_app.command("edit")
def edit_cmd(item_id: Annotated[int, typer.Argument()],
             sets: Annotated[list[str], typer.Option("--set", help="FIELD=VALUE, repeatable: name, unit, direction, kind, target.value, target.year, target.comparator, baseline.value, baseline.year, attribute, scope, units, annual_targets.2023, tolerance, note (tasks: task, lead, support, deadline, category, note).")],
             task: TaskFlag = False, as_user: AsUser = None,
             version: Annotated[Optional[int], typer.Option("--version", help="Refuse if the entry is no longer at this version.")] = None,
             note: Annotated[Optional[str], typer.Option("--note")] = None):
    """Edit fields of an entry (it becomes 'edited' and is never overwritten by seeding)."""
    from .registers import edit_indicator, edit_task

    changes = _changes(sets)
    with _cli()._store() as store:
        user = _user(store, as_user)
        fn = edit_task if task else edit_indicator
        e = _run(lambda: fn(store, user, item_id, changes, expected_version=version, note=note))
    _cli().err.print(f"{e.item_kind} {e.id} edited (version {e.version})", highlight=False)


@monitor_app.command("merge")
def merge_cmd(ids: Annotated[list[int], typer.Argument(help="Entries to merge.")],
              into: Annotated[int, typer.Option("--into", help="The entry that stays (keeps its fields).")],
              task: TaskFlag = False, as_user: AsUser = None, note: Annotated[Optional[str], typer.Option("--note")] = None):
    """Merge duplicates into one entry: its citations and units are joined, reported values move to it."""
    from .registers import merge

    with _cli()._store() as store:
        user = _user(store, as_user)
        e = _run(lambda: merge(store, user, ids, into=into, kind="task" if task else "indicator", note=note))
    _cli().err.print(f"merged into {e.item_kind} {e.id} ({len(e.sources)} sources)", highlight=False)


# ------------------------------------------------------------------ reporting

@monitor_app.command("report")
def report_cmd(indicator_id: Annotated[int, typer.Argument()],
               year: Annotated[int, typer.Option("--year")],
               value: Annotated[Optional[str], typer.Option("--value", help="The actual value, in the indicator's unit.")] = None,
               assessment: Annotated[Optional[str], typer.Option("--assessment", help="已实现/正常推进/存在风险/滞后 (qualitative indicators).")] = None,
               note: Annotated[Optional[str], typer.Option("--note")] = None,
               attachment: Annotated[Optional[str], typer.Option("--attachment", help="File name or link of the evidence.")] = None,
               version: Annotated[Optional[int], typer.Option("--version", help="The version you saw (0 = none): refuse if someone reported since.")] = None,
               as_user: AsUser = None):
    """Report an indicator's actual value for a year (a new version; the history keeps the old ones)."""
    from .reporting import report_actual

    with _cli()._store() as store:
        user = _user(store, as_user)
        a = _run(lambda: report_actual(store, user, indicator_id, year, value, assessment=assessment, note=note,
                                       attachment=attachment, expected_version=version))
    _cli().err.print(f"indicator {a.indicator_id} {a.year}: {_num(a.value) if a.value is not None else a.assessment}"
                     f" (version {a.version})", highlight=False)


@monitor_app.command("import-actuals")
def import_cmd(path: Annotated[Path, typer.Argument(help="A .csv or .xlsx in the template's layout (zhengce monitor template).")],
               as_user: AsUser = None, as_json: AsJson = False):
    """Import actual values: every row or nothing; errors name the row and column."""
    from .reporting import import_actuals

    if not path.is_file():
        _fail(f"{path}: no such file")
    with _cli()._store() as store:
        user = _user(store, as_user)
        result = _run(lambda: import_actuals(store, user, path))
    if as_json:
        _emit(result.to_dict())
        return
    _cli().err.print(f"{path}: {result.rows} rows, {result.written} written, {result.unchanged} unchanged", highlight=False)


@monitor_app.command("template")
def template_cmd(path: Annotated[Path, typer.Argument(help="FILE.csv or FILE.xlsx to write.")], as_user: AsUser = None):
    """Write the import template with the indicators the user may report (all of them for an admin or without --as)."""
    from .reporting import write_template

    with _cli()._store() as store:
        user = _user(store, as_user, required=False)
        if user is None:
            from .users import User

            user = User(0, "(template)", "admin")
        n = _run(lambda: write_template(store, user, path))
    _cli().err.print(f"{n} indicators → {path}", highlight=False)


@monitor_app.command("evaluation")
def evaluation_cmd(output: Annotated[Path, typer.Option("-o", "--output", help="The file to write (.html, .xlsx or .pdf).")],
                   fmt: Annotated[Optional[str], typer.Option("--format", help="html | xlsx | pdf (default: from the file's suffix).")] = None,
                   kind: Annotated[str, typer.Option("--kind", help="mid (中期评估) or final (总结评估).")] = "mid",
                   as_of: Annotated[Optional[str], typer.Option("--as-of", help="Evaluation date YYYY-MM-DD (default today).")] = None):
    """Write the evaluation report (中期/总结评估报告) as self-contained HTML, XLSX or PDF (PDF needs Chromium)."""
    fmt = (fmt or output.suffix.lstrip(".")).lower()
    if fmt not in ("html", "xlsx", "pdf"):
        _fail(f"--format: html, xlsx or pdf (got {fmt or 'nothing'!r})")
    if kind not in ("mid", "final"):
        _fail(f"--kind: mid or final (got {kind!r})")
    from ..web import monitor_views as mv
    from ..web import report_pdf as rp

    with _cli()._store() as store:
        data = _run(lambda: mv.report_data(store, kind, as_of=as_of))
    if fmt == "xlsx":
        output.write_bytes(mv.report_xlsx(data))
    elif fmt == "html":
        output.write_text(rp.standalone_html(data), encoding="utf-8")
    else:
        try:
            output.write_bytes(rp.report_pdf(data))
        except rp.PdfUnavailable as e:
            _fail(str(e), 5)
    _cli().err.print(f"{data['title']} ({data['total']} indicators, {len(data['tasks'])} tasks) → {output}", highlight=False)


@monitor_app.command("task-report")
def task_report_cmd(task_id: Annotated[int, typer.Argument()],
                    status: Annotated[str, typer.Option("--status", help="未开始/推进中/已完成/滞后")],
                    progress: Annotated[Optional[str], typer.Option("--progress", help="What was done.")] = None,
                    evidence: Annotated[Optional[str], typer.Option("--evidence", help="The evidence (文件, 链接).")] = None,
                    attachment: Annotated[Optional[str], typer.Option("--attachment")] = None,
                    version: Annotated[Optional[int], typer.Option("--version")] = None,
                    as_user: AsUser = None):
    """Report a task's progress."""
    from .reporting import report_task

    with _cli()._store() as store:
        user = _user(store, as_user)
        r = _run(lambda: report_task(store, user, task_id, status, progress=progress, evidence=evidence,
                                     attachment=attachment, expected_version=version))
    _cli().err.print(f"task {r.task_id}: {r.status} (version {r.version})", highlight=False)


# --------------------------------------------------------------------- status

@monitor_app.command("status")
def status_cmd(as_json: AsJson = False, as_of: AsOf = None,
               year: Annotated[Optional[int], typer.Option("--year", help="Status of this year (default: the latest reported).")] = None,
               unit: Annotated[Optional[str], typer.Option("--unit")] = None,
               scope: Annotated[Optional[str], typer.Option("--scope")] = None,
               reported: Annotated[bool, typer.Option("--reported", help="Only indicators with a reported value.")] = False):
    """Status per indicator: achieved / on track / at risk / off track / no data, with sources and findings."""
    from .status import LABELS, indicator_statuses

    day = _date(as_of)
    with _cli()._store() as store:
        items = indicator_statuses(store, as_of=day, year=year, unit=unit, scope=scope)
    if reported:
        items = [s for s in items if s.actuals]
    if as_json:
        for s in items:
            _emit(s.to_dict())
        return
    out = _cli().out
    counts: dict[str, int] = {}
    for s in items:
        i = s.indicator
        counts[s.status] = counts.get(s.status, 0) + 1
        last = s.actuals[-1] if s.actuals else None
        got = f"{last.year}: {_num(last.value) if last.value is not None else last.assessment}" if last else "—"
        t = i.target
        flag = f"  ⚠ {len(s.findings)} finding(s)" if s.findings else ""
        out.print(f"{i.id}\t{LABELS[s.status]}\t{i.scope or ''}\t{i.name}\t目标 {t.get('year') or ''} "
                  f"{t.get('comparator') or ''}{_num(t.get('value'))}{i.unit or ''}\t实际 {got}{flag}",
                  highlight=False, markup=False)
    out.print("  ".join(f"{LABELS[k]} {v}" for k, v in sorted(counts.items())), highlight=False)


@monitor_app.command("tasks")
def tasks_cmd(as_json: AsJson = False, as_of: AsOf = None,
              overdue: Annotated[bool, typer.Option("--overdue", help="Only tasks past their deadline and not done.")] = False,
              unit: Annotated[Optional[str], typer.Option("--unit")] = None):
    """The task register with status; overdue = past the deadline and not 已完成 (shown as 滞后)."""
    from .status import task_statuses

    day = _date(as_of)
    with _cli()._store() as store:
        items = task_statuses(store, as_of=day, unit=unit, overdue_only=overdue)
    if as_json:
        for s in items:
            _emit(s.to_dict())
        return
    out = _cli().out
    for s in items:
        t = s.task
        late = f" 逾期{s.days_overdue}天" if s.overdue else ""
        out.print(f"{t.id}\t{s.status}{late}\t{t.task}\t{t.deadline or ''}\t牵头 {'、'.join(t.lead)}"
                  + (f"\t配合 {'、'.join(t.support)}" if t.support else ""), highlight=False, markup=False)
    out.print(f"{len(items)} tasks, {sum(s.overdue for s in items)} overdue", highlight=False)


@monitor_app.command("history")
def history_cmd(item_id: Annotated[int, typer.Argument()], task: TaskFlag = False,
                year: Annotated[Optional[int], typer.Option("--year", help="Reported values of this year only.")] = None,
                as_json: AsJson = False):
    """Every version of an entry and of its reported values, with who and when."""
    from .registers import history
    from .reporting import actual_history, task_reports

    with _cli()._store() as store:
        versions = history(store, "task" if task else "indicator", item_id)
        reports = task_reports(store, item_id) if task else actual_history(store, item_id, year)
    if not versions:
        _fail(f"no {'task' if task else 'indicator'} {item_id}")
    if as_json:
        _emit({"versions": [v.to_dict() for v in versions], "reports": [r.to_dict() for r in reports]})
        return
    out = _cli().out
    for v in versions:
        out.print(f"v{v.version} {v.changed_at} {v.changed_by or '(seed)'} {v.action} → {v.review}"
                  + (f"  {v.note}" if v.note else ""), highlight=False, markup=False)
    for r in reports:
        d = r.to_dict()
        what = d.get("status") or (_num(d.get("value")) if d.get("value") is not None else d.get("assessment"))
        year_s = f"{d['year']} " if "year" in d else ""
        out.print(f"{year_s}v{d['version']} {what} {d['reported_by']} {d['reported_at']}", highlight=False, markup=False)


@monitor_app.command("audit")
def audit_cmd(as_user: AsUser = None, as_json: AsJson = False,
              user: Annotated[Optional[str], typer.Option("--user", help="Entries of this user.")] = None,
              action: Annotated[Optional[str], typer.Option("--action")] = None,
              outcome: Annotated[Optional[str], typer.Option("--outcome", help="ok, refused or failed.")] = None,
              limit: Annotated[int, typer.Option("--limit", min=1, max=100000)] = 50):
    """The audit log, newest first (admins)."""
    from .access import require
    from .audit import audit_log

    with _cli()._store() as store:
        me = _user(store, as_user)
        _run(lambda: require(store, me, "audit", None, item_kind="audit"))
        entries = audit_log(store, user=user, action=action, outcome=outcome, limit=limit)
    if as_json:
        for e in entries:
            _emit(e.to_dict())
        return
    for e in entries:
        _cli().out.print(f"{e.at} {e.username or '-'} {e.action} {e.item_kind or ''} {e.item_id or ''} {e.outcome}"
                         f" {json.dumps(e.detail, ensure_ascii=False)}", highlight=False, markup=False)
