"""Chinese names the pages show for kinds, types and fields (the data keeps the English keys)."""

from __future__ import annotations

from ..viewer import COLORS, LABELS as TYPE_LABELS

__all__ = ["COLORS", "TYPE_LABELS", "NODE_KINDS", "FIELD_LABELS", "KEY_FIELDS", "OUTLINE_KINDS", "REPAIR_PASSES", "NOTE_KINDS"]

NODE_KINDS = {
    "title": "标题", "doc_number": "发文字号", "addressee": "主送机关", "signature": "落款", "date": "成文日期",
    "attachment": "附件", "toc": "目录", "part": "篇", "chapter": "章", "section": "节", "article": "条",
    "heading": "标题", "item": "条目", "box": "专栏", "box_item": "专栏条目", "paragraph": "段落",
    "bullet": "要点", "footnote": "脚注", "endnote": "尾注", "caption": "图表标题",
}

# The outline shows the numbered skeleton, not every paragraph.
OUTLINE_KINDS = {"part", "chapter", "section", "article", "heading", "item", "box", "attachment"}

FIELD_LABELS = {
    "indicator": "指标", "value": "数值", "value_max": "上限值", "unit": "单位", "comparator": "比较",
    "year": "年份", "baseline": "基期", "scope": "范围", "attribute": "属性", "aspirational": "预期性",
    "task": "任务", "lead": "牵头单位", "support": "配合单位", "deadline": "完成时限",
    "target_group": "支持对象", "conditions": "条件", "benefit_kind": "支持方式", "amount": "金额",
    "cap": "最高", "rate": "比例", "rate_base": "比例基数", "agencies": "主管部门",
    "valid_from": "起始日期", "valid_to": "截止日期", "where_to_apply": "申报途径",
    "name": "名称", "category": "类别", "location": "地点", "quantities": "规模", "investment": "投资",
    "title": "文件名称", "doc_number": "发文字号", "resolved": "库内文件", "kind": "类别",
    "canonical": "规范名称", "code": "代码",
}

# The columns the extraction browser shows for each type (all fields are in the downloads).
KEY_FIELDS = {
    "target": ["indicator", "value", "unit", "year", "scope"],
    "statistic": ["indicator", "value", "unit", "year", "scope"],
    "duty": ["task", "lead", "support", "deadline"],
    "benefit": ["target_group", "benefit_kind", "amount", "cap", "rate", "agencies"],
    "project": ["name", "category", "location", "investment"],
    "reference": ["title", "doc_number", "resolved"],
    "entity": ["name", "kind", "canonical"],
}

REPAIR_PASSES = {
    "markup": "标记清理", "pinyin": "拼音注音", "traditional": "繁简转换", "private_use": "私用区字符",
    "fullwidth": "全角转半角", "brackets": "括号修复", "punctuation": "标点", "toc_leaders": "目录引导符",
    "page_furniture": "页眉页脚", "spaces": "多余空格", "page_break_joins": "跨页拼接", "line_wraps": "断行拼接",
    "footnote_moved": "脚注归位",
}

NOTE_KINDS = {
    "lost_text": "疑似缺文", "foreign_word": "外文词", "editor_note": "编者注", "missing_figure": "缺图",
    "missing_table": "缺表", "variant": "异体字", "toc_mismatch": "目录不符", "unreferenced_note": "无引用注释",
    "garbled": "乱码未复原",
}
