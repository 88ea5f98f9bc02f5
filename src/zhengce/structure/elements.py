"""Official document elements (GB/T 9704): 发文字号, 主送机关, 发文机关署名, 成文日期, 附件."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..numbering import CN, DOC_NUMBER, numeral, year_digits
from .paragraphs import Para

_ORG_END = re.compile(r"(人民政府|办公厅|办公室|委员会|管委会|政府|厅|局|部|委|院|署|办|中心|会)$")
_ADDRESSEE_WORDS = re.compile(r"(人民政府|管委会|厅|局|委|办|部门|单位|机构)")
_ATTACHMENT = re.compile(r"^附件\s*[:：]?\s*(\d+[.．、]?)?\s*(.*)$")
_ISSUER_PREFIX = re.compile(r"^(.{2,30}?(?:人民政府办公厅|人民政府|办公厅|委员会|厅|局|委))(?:关于|印发)")


@dataclass
class Elements:
    title_paras: list[int] = field(default_factory=list)
    doc_number: tuple[int, str] | None = None  # (paragraph, normalized number)
    addressee: int | None = None
    signature: int | None = None
    date: tuple[int, str] | None = None  # (paragraph, YYYY-MM-DD)
    attachments: list[int] = field(default_factory=list)
    issuer: str | None = None

    def element_paras(self) -> dict[int, str]:
        out = {i: "title" for i in self.title_paras}
        if self.doc_number:
            out[self.doc_number[0]] = "doc_number"
        if self.addressee is not None:
            out[self.addressee] = "addressee"
        if self.signature is not None:
            out[self.signature] = "signature"
        if self.date:
            out[self.date[0]] = "date"
        for i in self.attachments:
            out[i] = "attachment"
        return out


def normalize_doc_number(s: str) -> str:
    s = s.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    s = re.sub(r"\s+", "", s)
    return re.sub(r"[\[［(（](\d{4})[\]］)）]", r"〔\1〕", s)


def parse_date(s: str) -> str | None:
    m = re.search(rf"(\d{{4}}|[{CN}]{{4}})\s*年\s*([\d{CN}]{{1,3}})\s*月\s*([\d{CN}]{{1,3}})\s*日", s)
    if not m:
        return None
    y = m.group(1)
    year = int(y) if y.isdigit() else year_digits(y) or 0
    month, day = numeral(m.group(2)), numeral(m.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 2100):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def find_elements(paras: list[Para], first: int, last: int, title_paras: list[int], body_end: int) -> Elements:
    """Look for the elements around the title (head) and before `body_end` (foot)."""
    el = Elements(title_paras=title_paras)
    head_from = (title_paras[-1] + 1) if title_paras else first
    k = head_from
    for k in range(head_from, min(head_from + 3, last)):
        p = paras[k]
        if not p.text:
            continue
        if el.doc_number is None and p.is_doc_number:
            el.doc_number = (k, normalize_doc_number(DOC_NUMBER.fullmatch(p.text.strip()).group(1)))
            continue
        if el.addressee is None and p.text.endswith(("：", ":")) and len(p.text) < 300 and _ADDRESSEE_WORDS.search(p.text) and "。" not in p.text:
            el.addressee = k
        break
    # Foot: signature and date are the last lines of the main text.
    for k in range(body_end - 1, max(head_from, body_end - 6) - 1, -1):
        p = paras[k]
        if not p.text:
            continue
        if el.date is None and p.is_date:
            d = parse_date(p.text)
            if d:
                el.date = (k, d)
                prev = k - 1
                if prev >= head_from and _ORG_END.search(paras[prev].text) and len(paras[prev].text) <= 40 and paras[prev].marker is None:
                    el.signature = prev
                break
        elif el.date is None and k < body_end - 2:
            break
    for k in range(head_from, body_end):
        if _ATTACHMENT.match(paras[k].text) and paras[k].text.startswith("附件"):
            el.attachments.append(k)
    if el.signature is not None:
        el.issuer = paras[el.signature].text
    elif title_paras:
        m = _ISSUER_PREFIX.match("".join(paras[i].text for i in title_paras))
        if m:
            el.issuer = m.group(1)
    return el
