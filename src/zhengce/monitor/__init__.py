"""规划实施监测: indicator and task registers, reporting, status, users, access control and audit.

The library API the CLI and the web layer call (every function takes a
`Store`; writes take the acting `User` and refuse with AccessDenied, logged):

    from zhengce import monitor as m

    # registers (registers.py)
    m.seed(store, admin) -> SeedReport                      # build / refresh from stored extractions
    m.list_indicators(store, unit=None, scope=None) -> [Indicator]     .to_dict()
    m.get_indicator(store, id) -> Indicator;  m.history(store, "indicator", id) -> [Version]
    m.confirm / m.reject / m.edit_indicator / m.merge / m.add_indicator (store, user, …) -> Indicator
    m.merge_candidates(store) -> [MergeCandidate]
    m.list_tasks / m.get_task / m.edit_task / m.confirm_task / m.reject_task / m.merge_tasks

    # reporting (reporting.py)
    m.report_actual(store, user, id, year, value, assessment=…, expected_version=…) -> Actual
    m.actuals(store, id=None) -> [Actual];  m.actual_history(store, id, year=None) -> [Actual]
    m.report_task(store, user, task_id, status, progress=…, evidence=…) -> TaskReport
    # attachments (attachments.py): report_actual/report_task(files=[(name, bytes)]), or later:
    m.attach(store, user, "indicator"|"task", id, name, data, year=…) -> Attachment
    m.list_attachments(store, kind, id, year=…) -> [Attachment];  m.get_attachment(store, att_id) -> (Attachment, bytes)
    m.import_actuals(store, user, path) -> ImportResult   (ImportFailed(errors=[RowError]))
    m.write_template(store, user, path) / m.template_rows(store, user)

    # status (status.py; the rule is status.judge)
    m.indicator_statuses(store, as_of=…, year=…, unit=…) -> [IndicatorStatus]   .to_dict(): the JSON contract
    m.task_statuses(store, as_of=…, overdue_only=…) -> [TaskStatus]

    # users, sessions, access, audit
    m.add_user / m.list_users / m.get_user / m.disable_user / m.enable_user / m.set_password / m.set_units
    m.authenticate(store, name, password) -> User
    m.create_session(store, user) -> Session(token, csrf_token, expires_at);  m.verify_session(store, token) -> Session
    m.check_csrf(store, token, csrf) -> bool;  m.revoke_session;  m.expire_sessions;  m.create_api_token
    m.can(user, action, item) -> bool;  m.require(store, user, action, item)   # raises AccessDenied, logged
    m.audit_log(store, user=…, action=…, outcome=…, limit=…) -> [AuditEntry]
"""

from .access import ACTIONS, can, require
from .attachments import Attachment, AttachmentRefused, attach, get_attachment, list_attachments
from .audit import AuditEntry, audit_log
from .errors import AccessDenied, AuthError, ConflictError, MonitorError, NotFound
from .registers import (
    Indicator, MergeCandidate, SeedReport, Task, Version, add_indicator, classify, confirm, confirm_task, edit_indicator,
    edit_task, get_indicator, get_task, history, list_indicators, list_tasks, merge, merge_candidates, merge_tasks,
    reject, reject_task, seed,
)
from .reporting import (
    Actual, ImportFailed, ImportResult, RowError, TaskReport, actual_history, actuals, import_actuals, report_actual,
    report_task, task_reports, template_rows, write_template,
)
from .status import (
    LABELS, STATUSES, IndicatorStatus, TaskStatus, YearStatus, evaluate, indicator_statuses, judge, task_statuses,
)
from .trajectory import annual_targets, linear
from .users import (
    ROLES, LoginLocked, Session, User, add_user, authenticate, check_csrf, create_api_token, create_session, disable_user,
    enable_user, expire_sessions, get_user, hash_password, list_users, revoke_session, set_password, set_units,
    verify_password, verify_session,
)

__all__ = [
    "Attachment", "AttachmentRefused", "attach", "get_attachment", "list_attachments",
    "ACTIONS", "LABELS", "LoginLocked", "ROLES", "STATUSES", "AccessDenied", "Actual", "AuditEntry", "AuthError", "ConflictError",
    "ImportFailed", "ImportResult", "Indicator", "IndicatorStatus", "MergeCandidate", "MonitorError", "NotFound",
    "RowError", "SeedReport", "Session", "Task", "TaskReport", "TaskStatus", "User", "Version", "YearStatus",
    "actual_history", "actuals", "add_indicator", "add_user", "annual_targets", "audit_log", "authenticate", "can",
    "check_csrf", "classify", "confirm", "confirm_task", "create_api_token", "create_session", "disable_user",
    "edit_indicator", "edit_task", "enable_user", "evaluate", "expire_sessions", "get_indicator", "get_task",
    "get_user", "hash_password", "history", "import_actuals", "indicator_statuses", "judge", "linear",
    "list_indicators", "list_tasks", "list_users", "merge", "merge_candidates", "merge_tasks", "reject",
    "reject_task", "report_actual", "report_task", "require", "revoke_session", "seed", "set_password", "set_units",
    "task_reports", "task_statuses", "template_rows", "verify_password", "verify_session", "write_template",
]
