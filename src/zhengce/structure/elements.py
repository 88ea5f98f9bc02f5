"""Official document elements (GB/T 9704): 发文字号, 主送机关, 发文机关署名, 成文日期, 附件."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..lang.places import place_at
from ..numbering import CN, CN_DATE, DOC_NUMBER, numeral, year_digits
from .paragraphs import Para, bare_number

_ORG_END = re.compile(r"(人民政府|办公厅|办公室|委员会|管委会|政府|厅|局|部|委|院|署|办|中心|会|中央|小组|调查队|总局|银行|集团)$")
_ORG_WORD = re.compile(_ORG_END.pattern.rstrip("$"))
# A signature line may hold several organs side by side: 南宁市财政局　南宁市自然资源局.
_ORG_SEP = re.compile(r"[\s　、]+")
# A person signing (a decree, a report): 总理　李克强, 省长　马兴瑞, 国务院总理.
_PERSON = re.compile(r"^(?P<organ>[\u4e00-\u9fff]{0,20}?)(?P<title>总理|省长|市长|县长|区长|州长|盟长|旗长|主席|主任)\s*(?P<name>[\u4e00-\u9fff·]{2,5})?$")
_TITLE_ORGAN = {"总理": "国务院"}
_SPEAKERS = ("总理", "省长", "市长", "县长")  # who delivers a 政府工作报告 for a government
# A decree's header: 中华人民共和国国务院令 / 第707号, 广东省人民政府令 / （第290号）.
_DECREE = re.compile(r"^(?P<organ>[\u4e00-\u9fff]{2,30}?)令$")
_DECREE_NO = re.compile(r"^[（(]?\s*第\s*(?P<n>\d{1,5})\s*号\s*[）)]?$")
# A date printed under the title: （2021年1月4日）, or a report's ——2023年3月5日在…会议上.
_HEAD_DATE = re.compile(rf"^(?:[（(]\s*|——\s*)((?:\d{{4}}|[{CN_DATE}]{{4}})\s*年\s*[\d{CN}]{{1,3}}\s*月\s*[\d{CN}]{{1,3}}\s*日)(?:\s*[）)]\s*$|在|[^）)]{{0,60}}(?:通过|发布|印发|$))")
_AFTER_SIGNATURE = re.compile(r"^(?:附件|[（(]此件|抄送|\s*$)")
_ADDRESSEE_WORDS = re.compile(r"(人民政府|管委会|厅|局|委|办|部门|单位|机构)")
_ATTACHMENT = re.compile(r"^附件\s*[:：]?\s*(\d+[.．、]?)?\s*(.*)$")
_ISSUER_PREFIX = re.compile(
    r"^((?:[^关于，。]{2,40}?(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|中央|厅|局|委|部|署|院|中心)"
    r"(?:[\s　、]+|(?=关于|印发|转发)))+?)(?:关于|印发|转发)")


@dataclass
class Elements:
    title_paras: list[int] = field(default_factory=list)
    doc_number: tuple[int, str] | None = None  # (paragraph, normalized number)
    addressee: int | None = None
    signature: int | None = None
    date: tuple[int, str] | None = None  # (paragraph, YYYY-MM-DD)
    attachments: list[int] = field(default_factory=list)
    issuer: str | None = None
    signature_paras: list[int] = field(default_factory=list)  # every line of the signature (several organs)

    def element_paras(self) -> dict[int, str]:
        out = {i: "title" for i in self.title_paras}
        if self.doc_number and self.doc_number[0] is not None:
            out[self.doc_number[0]] = "doc_number"
        if self.addressee is not None:
            out[self.addressee] = "addressee"
        if self.signature is not None:
            out[self.signature] = "signature"
        for i in self.signature_paras:
            out[i] = "signature"
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
    m = re.search(rf"(\d{{4}}|[{CN_DATE}]{{4}})\s*年\s*([\d{CN}]{{1,3}})\s*月\s*([\d{CN}]{{1,3}})\s*日", s)
    if not m:
        return None
    y = m.group(1)
    year = int(y) if y.isdigit() else year_digits(y) or 0
    month, day = numeral(m.group(2)), numeral(m.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 2100):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


# Words no organ's name holds (a title line ending in 社会 or 委员会's work is not a signature).
_NOT_ORGAN = re.compile(r"关于|印发|转发|的|推动|加快|建设.{2,}社会|实施|促进|支持")
# What may open an organ's name: a party or state body, or a place (南宁市…, 柳河县…).
_ORGAN_HEAD = re.compile(r"中共|中国共产党|中央|国务院|国家|全国|最高|共青团|[\u4e00-\u9fff]{1,6}?(?:省|市|县|区|州|旗|盟|自治区)(?!委员会$)")


def split_organs(name: str) -> list[str]:
    """Organs written side by side with nothing between (their spaces lost):
    中共中央国务院 → 中共中央、国务院; 南宁市住房和城乡建设局南宁市财政局 → two.  A split
    is made only where a name ends and another can begin (never 国务院 | 办公厅)."""
    for m in _ORG_WORD.finditer(name):
        i = m.end()
        if 2 <= i < len(name) - 1 and (_ORGAN_HEAD.match(name, i) or place_at(name, i)) and not _ORG_END.fullmatch(name[i:]):
            rest = split_organs(name[i:])
            if all(_ORG_END.search(x) for x in rest):
                return [name[:i], *rest]
    return [name]


def organs_of(text: str) -> list[str] | None:
    """The organs a signature line names (one, or several side by side), else None."""
    t = text.strip()
    if not t or len(t) > 120 or any(c in t for c in "，。；：:！？“”《》") or _NOT_ORGAN.search(t):
        return None
    parts = [x for x in _ORG_SEP.split(t) if x]
    if all(_ORG_END.search(x) and 2 <= len(x) <= 40 for x in parts):
        return [y for x in parts for y in split_organs(x)]
    joined = re.sub(r"\s+", "", t)  # letter-spaced: 南 宁 市 财 政 局
    return split_organs(joined) if _ORG_END.search(joined) and len(joined) <= 40 else None


def _prev(paras: list[Para], k: int, lo: int) -> int | None:
    k -= 1
    while k >= lo and not paras[k].text.strip():
        k -= 1
    return k if k >= lo else None


def _next(paras: list[Para], k: int, hi: int) -> int | None:
    k += 1
    while k < hi and not paras[k].text.strip():
        k += 1
    return k if k < hi else None


def _signature_above(paras: list[Para], date_at: int, lo: int) -> tuple[list[int], list[str], bool]:
    """The signature lines right above a date line: (paragraphs, organs, signed by a person)."""
    lines, names, person = [], [], False
    k = _prev(paras, date_at, lo)
    while k is not None and len(lines) < 10 and paras[k].marker is None:
        t = paras[k].text.strip()
        found = organs_of(t)
        if found:
            lines.insert(0, k)
            names[:0] = found
        elif _PERSON.match(t.replace("　", " ")) and not names:
            lines.insert(0, k)
            person = True
        else:
            break
        k = _prev(paras, k, lo)
    return lines, names, person


def _foot_date(paras: list[Para], head_from: int, body_end: int) -> int | None:
    """The 成文日期 line: the last date among the last lines of the main text; else (a notice whose
    attachment follows it) the first date line under a signature, or followed by 附件/（此件…）."""
    for k in range(body_end - 1, max(head_from, body_end - 6) - 1, -1):
        p = paras[k]
        if not p.text:
            continue
        if p.is_date and parse_date(p.text):
            return k
        if k < body_end - 2:
            break
    for k in range(head_from, body_end):
        if not (paras[k].is_date and parse_date(paras[k].text)):
            continue
        lines, _names, _person = _signature_above(paras, k, head_from)
        nxt = _next(paras, k, body_end)
        if lines or nxt is None or _AFTER_SIGNATURE.match(paras[nxt].text):
            return k
    return None


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
            el.doc_number = (k, normalize_doc_number(DOC_NUMBER.fullmatch(bare_number(p.text)).group(1)))
            continue
        if el.addressee is None and p.text.endswith(("：", ":")) and len(p.text) < 300 and _ADDRESSEE_WORDS.search(p.text) and "。" not in p.text:
            el.addressee = k
        break
    # Foot: the signature and the date close the main text (or the notice, before its attachment).
    persons = False
    d = _foot_date(paras, head_from, body_end)
    if d is not None:
        el.date = (d, parse_date(paras[d].text))
        lines, names, persons = _signature_above(paras, d, head_from)
        if names:
            el.signature = lines[0]
            el.signature_paras = lines
            el.issuer = "、".join(names)
    # Head: a date printed under the title, a report's ——date在…会议上, a speaker line, a decree's header.
    for k in range(head_from, min(head_from + 8, body_end)):
        t = paras[k].text.strip()
        m = _HEAD_DATE.match(t)
        if m and el.date is None:
            el.date = (k, parse_date(m.group(1)))
            continue
        m = _PERSON.match(t.replace("\u3000", " "))
        if m and el.issuer is None and m.group("title") in _SPEAKERS:
            el.issuer = _speaker_organ(m.group("organ"), m.group("title"))
    decree = _decree(paras, first, body_end)
    if decree:
        organ, number = decree
        el.doc_number = el.doc_number or (None, number)  # type: ignore[assignment]
        if el.issuer is None or persons:
            el.issuer = re.sub(r"^中华人民共和国(?=国务院)", "", organ)
        # 总理 李克强 / 2018年12月18日 sit between the decree's header and the text it publishes; that date
        # is the decree's (a bracket under the title gives the regulation's history, not its signing).
        for k in range(first, title_paras[0] if title_paras else head_from):
            if paras[k].is_date and parse_date(paras[k].text):
                el.date = (k, parse_date(paras[k].text))
                break
    if el.date is None and el.issuer is None:
        # No date line: an organ alone on the last line of the text signs it (…本文自发布之日起施行。/ 福建省住房和城乡建设厅).
        k = _prev(paras, body_end, head_from)
        names = organs_of(paras[k].text) if k is not None else None
        if names and paras[k].marker is None:
            el.signature, el.signature_paras, el.issuer = k, [k], "、".join(names)
    for k in range(head_from, body_end):
        if _ATTACHMENT.match(paras[k].text) and paras[k].text.startswith("附件"):
            el.attachments.append(k)
    if el.issuer is None and title_paras:
        m = _ISSUER_PREFIX.match("".join(paras[i].text for i in title_paras))
        if m:
            el.issuer = "、".join(y for x in _ORG_SEP.split(m.group(1)) if x for y in split_organs(x))
    return el


def _speaker_organ(organ: str, title: str) -> str | None:
    """国务院总理 → 国务院; 湖南省省长 → 湖南省人民政府; 长沙市市长 → 长沙市人民政府."""
    if title in _TITLE_ORGAN:
        return _TITLE_ORGAN[title]
    return f"{organ}人民政府" if organ else None  # 市长 alone does not say which city


def _decree(paras: list[Para], first: int, hi: int) -> tuple[str, str] | None:
    """(organ, number) of a decree header (XX令 / 第N号) near the top: the decree publishes the text below it."""
    seen = 0
    for k in range(first, hi):
        t = paras[k].text.strip()
        if not t:
            continue
        seen += 1
        if seen > 8:
            return None
        m = _DECREE.match(t)
        if m and len(t) <= 32:
            n = _next(paras, k, hi)
            if n is not None:
                m2 = _DECREE_NO.match(paras[n].text.strip())
                if m2:
                    return m.group("organ"), f"{t}第{m2.group('n')}号"
    return None
