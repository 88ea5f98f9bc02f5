"""reference: documents the text cites — 《title》, its 发文字号, or a bare number."""

from __future__ import annotations

import re

from ..model import Extraction
from ..structure.elements import normalize_doc_number
from .base import Context

_TITLE = re.compile(r"《([^《》\n]{2,120})》")
# 发文字号 in running text: an issuer abbreviation of at most 8 characters
# (吉政发, 国办发, 吉工信电力) before 〔year〕number号.
_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,8}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,4}(?:\s*[-—－]\s*\d{1,4})?\s*号)")
_NUMBER_AFTER = re.compile(r"\s*[（(]\s*" + _NUMBER.pattern + r"\s*[）)]")
# Words that run into an issuer abbreviation in prose ("根据吉政发〔2018〕35号").
_LEAD_WORDS = re.compile(r"^(?:根据|依据|按照|落实|执行|贯彻|参照|对照|详见|见|和|及|与|或|以及)+")


def extract_references(ctx: Context) -> list[Extraction]:
    out: list[Extraction] = []
    for node in ctx.doc.nodes:
        if node.kind in ("doc_number", "toc"):
            continue
        text = node.text
        covered: list[tuple[int, int]] = []
        for m in _TITLE.finditer(text):
            end, number = m.end(), None
            after = _NUMBER_AFTER.match(text, end)
            if after:
                number = normalize_doc_number(after.group(1))
                end = after.end()
            covered.append((m.start(), end))
            out.append(ctx.record("reference", node, node.start + m.start(), node.start + end, title=m.group(1), doc_number=number, resolved=None))
        for m in _NUMBER.finditer(text):
            if any(s <= m.start() < e for s, e in covered):
                continue
            lead = _LEAD_WORDS.match(m.group(1))
            start = m.start() + (lead.end() if lead else 0)
            number = normalize_doc_number(text[start : m.end()])
            out.append(ctx.record("reference", node, node.start + start, node.start + m.end(), title=None, doc_number=number, resolved=None))
    return out
