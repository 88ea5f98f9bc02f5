"""The Chinese words the monitoring library's messages use: field labels (as the pages label them),
actions, roles, review states, and the helpers that name an item or quote a value in one line.

Every message a person can see (errors, refusals, conflicts, import row problems) is built from these,
so the pages, the API and the CLI say the same thing in the same words.
"""

from __future__ import annotations

from typing import Any

# Indicator and task fields (indicator.html, task.html, import.html); dotted keys for nested ones.
FIELDS = {
    "name": "指标名称", "unit": "单位", "direction": "方向", "kind": "类型", "measure": "口径", "scope": "范围",
    "baseline": "基期", "baseline.year": "基期年", "baseline.value": "基期值",
    "target": "目标", "target.year": "目标年", "target.value": "目标值", "target.value_max": "目标上限",
    "target.comparator": "目标比较符", "attribute": "属性", "aspirational": "力争", "units": "责任单位",
    "annual_targets": "年度目标", "tolerance": "容差", "note": "备注",
    "task": "任务内容", "category": "类别", "lead": "牵头单位", "support": "配合单位", "deadline": "完成时限",
    "year": "年度", "value": "实际值", "assessment": "评估", "status": "状态", "progress": "进展",
    "evidence": "佐证", "attachment": "附件",
}

ACTIONS = {"view": "查看", "report": "填报", "edit": "修改", "review": "审核", "seed": "生成台账",
           "users": "管理账号", "audit": "查看审计日志", "user_add": "添加账号", "user_disable": "停用账号",
           "user_enable": "启用账号", "password_change": "修改密码", "user_units": "修改账号单位"}

# What a history row or an audit entry records (its `action` code) — shown beside the code on the pages.
HISTORY = {"seed": "生成", "reseed": "按原文更新", "sources": "出处核对", "confirm": "确认", "reject": "驳回",
           "edit": "修改", "add": "手工添加", "merge": "合并", "merged": "被合并"}
AUDIT = {**ACTIONS, **HISTORY, "seed": "生成台账", "attach": "上传附件", "cli": "命令行", "import_actuals": "批量导入",
         "login": "登录", "report_actual": "填报实际值", "report_task": "填报任务进展", "session_create": "登录会话",
         "session_revoke": "退出登录", "token_create": "生成 API 令牌", "library_delete": "删除文件",
         "library_upload": "上传文件", "profile_delete": "删除企业档案", "profile_save": "保存企业档案", "match_batch": "批量匹配",
         "rule_review": "审核政策规则", "rule_withdraw": "撤回政策规则"}

FINDINGS = {"conflicting_target": "目标不一致", "doubling": "翻一番不符", "duplicate_project": "项目重复",
            "duty_without_unit": "未写明责任单位", "parts_exceed_total": "分项超过总数",
            "parts_differ_from_total": "分项与总数不符"}


def origin(code: str | None) -> str:
    """Where a reported value came from: 'import:a.csv' → 批量导入（a.csv）."""
    if not code or code == "manual":
        return "页面填报"
    if code.startswith("import:"):
        return f"批量导入（{code[7:]}）"
    return code


ROLES = {"admin": "管理员", "department": "部门用户", "viewer": "只读用户"}

REVIEW = {"suggested": "待审核", "confirmed": "已确认", "edited": "已修改", "rejected": "已驳回", "merged": "已合并"}

KINDS = {"indicator": "指标", "task": "任务"}

INDICATOR_KINDS = {"level": "水平值", "reduction": "降低幅度", "annual_rate": "年均增速", "qualitative": "定性"}

ASSESSMENTS = {"achieved": "已实现", "on_track": "正常推进", "at_risk": "存在风险", "off_track": "滞后"}

DIRECTIONS = {"higher": "越高越好", "lower": "越低越好"}


def field(key: str) -> str:
    """The page label of a field key ('target.value' → 目标值); annual_targets.2023 → 2023 年度目标."""
    if key in FIELDS:
        return FIELDS[key]
    head, _, tail = key.partition(".")
    if head == "annual_targets" and tail:
        return f"{tail} 年度目标"
    return key


def fields(keys) -> str:
    return "、".join(field(k) for k in keys)


def quoted(v: Any) -> str:
    """A value as the user typed it, in Chinese quotes: “abc”."""
    return f"“{v}”"


def item(kind: str, item_id: Any, name: str | None = None, *, width: int = 30) -> str:
    """指标 12“省级专精特新中小企业” — the id and (shortened) name of an indicator or task."""
    label = f"{KINDS.get(kind, kind)} {item_id}"
    if name:
        name = str(name).strip()
        label += quoted(name if len(name) <= width else name[: width - 1] + "…")
    return label


def entry(e: Any) -> str:
    """item() of a register entry (Indicator: its name; Task: its task text)."""
    name = getattr(e, "name", None) if e.item_kind == "indicator" else (getattr(e, "body", {}) or {}).get("task")
    return item(e.item_kind, e.id, name)


def when(stamp: str | None) -> str:
    """'2024-05-01T08:30:00+00:00' → '2024-05-01 08:30' (UTC, as stored)."""
    if not stamp:
        return ""
    return str(stamp)[:16].replace("T", " ")
