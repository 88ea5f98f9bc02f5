"""Decode the bytes of a text-like file, choosing the encoding carefully.

charset-normalizer alone is unreliable on short Chinese texts (it happily
calls GBK "cp949" or Big5 "gb2312"), and it is slow on large input.  So:

1. a BOM decides (UTF-8, UTF-16 LE/BE, UTF-32);
2. NUL bytes suggest BOM-less UTF-16 (every ASCII character, newlines
   included, has a zero byte): LE or BE, whichever decodes plausibly;
   otherwise NULs or many control bytes mean a binary file;
3. valid UTF-8 is UTF-8 (GBK/Big5 text essentially never is);
4. an encoding declared by the document itself (HTML <meta charset>);
5. strict gb18030 and big5 decodes compete on plausibility: the share of
   non-ASCII characters that are *common* characters (GB2312 level 1 for
   Simplified, the Big5 "frequently used" block for Traditional) or ordinary
   CJK punctuation.  Decoding with the wrong one of the two yields rare
   characters, kana, box drawing, private-use characters or fails outright;
6. charset-normalizer's best guess as the last resort.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

BOMS = [  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

# Names documents declare, mapped to the codec we decode with: GB2312 and GBK
# are subsets of GB18030 (pages labelled gb2312 routinely use GBK characters).
ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "gb18030": "gb18030", "big5": "big5", "big5-hkscs": "big5hkscs", "x-big5": "big5",
    "cp950": "cp950", "utf8": "utf-8", "utf-8": "utf-8", "unicode": "utf-16",
}


class UndecodableError(ValueError):
    """The bytes are not a text in any encoding we can tell (message = reason)."""


# Bytes that never occur in text in any of our byte encodings (GBK/Big5 trail
# bytes are >= 0x40): C0 controls other than TAB LF VT FF CR, and DEL.
_CONTROL = bytes(range(0, 9)) + bytes(range(14, 32)) + b"\x7f"
_NOT_CONTROL = bytes(sorted(set(range(256)) - set(_CONTROL)))
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")  # the same, decoded


def looks_binary(sample: bytes) -> bool:
    """True for bytes that are not text (NULs, or more than 1% control bytes).

    Call it only after ruling out UTF-16/32, whose ASCII characters contain NULs.
    """
    if b"\0" in sample:
        return True
    controls = len(sample.translate(None, _NOT_CONTROL))
    return controls > max(2, len(sample) // 100)


def bom_encoding(data: bytes) -> str | None:
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    return None


def utf16_without_bom(data: bytes, sample: bytes) -> tuple[str, str] | None:
    """(text, codec) if the bytes read as plausible UTF-16 LE or BE.

    Only tried when there are NULs: every ASCII character (newlines, digits)
    has a zero byte in UTF-16, and so do common hanzi like 一 (U+4E00), so the
    NUL parity alone is not decisive; the plausibility of the two decodings is.
    """
    if sample.count(0) < 2:
        return None
    best = None
    for codec in ("utf-16-le", "utf-16-be"):
        text = _strict(data, codec)
        if text is not None:
            head = text[:20000]
            if len(_CONTROL_CHARS.findall(head)) > len(head) // 100:
                continue  # zeros or binary that happens to pair up
            score = plausibility(head)
            if score >= 0.5 and (best is None or score > best[0]):
                best = (score, text, codec)
    return (best[1], best[2]) if best else None


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    """Common hanzi (Simplified and Traditional) and CJK punctuation."""
    chars: set[str] = set()

    def block(codec: str, leads: range, trails: list[int]) -> None:
        for lead in leads:
            for trail in trails:
                try:
                    chars.add(bytes((lead, trail)).decode(codec))
                except UnicodeDecodeError:
                    pass

    gb_trails = list(range(0xA1, 0xFF))
    block("gb2312", range(0xB0, 0xD8), gb_trails)  # level 1: 3,755 most used hanzi
    block("gb2312", range(0xA1, 0xA2), gb_trails)  # 、。·—～‖…‘’“”〔〕《》「」【】 …
    block("gb2312", range(0xA3, 0xA4), gb_trails)  # full-width ASCII
    big5_trails = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))
    block("big5", range(0xA4, 0xC7), big5_trails)  # 常用字: 5,401 frequent hanzi
    block("big5", range(0xA1, 0xA2), big5_trails)  # punctuation
    chars.update("\u00a0\u00b7\u2014\u2018\u2019\u201c\u201d\u2026\u3000")
    return frozenset(chars)


def plausibility(text: str) -> float:
    """Share of non-ASCII characters that are common hanzi or punctuation."""
    common = _common()
    non_ascii = [c for c in text if c >= "\x80"]
    if not non_ascii:
        return 1.0
    return sum(c in common for c in non_ascii) / len(non_ascii)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding name).  The BOM is removed; nothing else is."""
    bom = bom_encoding(data)
    if bom:
        bom_len = 4 if bom.startswith("utf-32") else 3 if bom == "utf-8-sig" else 2
        text = _strict(data[bom_len:], bom.removesuffix("-sig"))
        if text is not None:
            return text, bom
        raise UndecodableError(f"invalid {bom} text")
    sample = data[:65536]
    if utf16 := utf16_without_bom(data, sample):
        return utf16
    # Before the UTF-8 test: NULs and most control bytes are valid UTF-8.
    if looks_binary(sample):
        raise UndecodableError("binary file, not a document")
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    if declared:
        codec = ALIASES.get(declared.lower().strip(), declared.lower().strip())
        if (text := _strict(data, codec)) is not None and plausibility(text[:20000]) >= 0.5:
            return text, codecs.lookup(codec).name
    # gb18030 vs big5 (cp950 is Microsoft's Big5 with a few extra characters).
    candidates = []
    for codec in ("gb18030", "big5", "cp950"):
        text = _strict(data, codec)
        if text is not None:
            # Score a bounded sample: the share is stable long before 20k chars.
            candidates.append((plausibility(text[:20000]), -len(candidates), codec, text))
    if candidates:
        score, _, codec, text = max(candidates)
        if score >= 0.6:
            return text, codec
    from charset_normalizer import from_bytes  # slow import; rarely needed

    best = from_bytes(data[:1 << 20]).best()
    if best is not None and (text := _strict(data, best.encoding)) is not None:
        return text, codecs.lookup(best.encoding).name
    if candidates:  # poor but valid; better than nothing
        return candidates[0][3], candidates[0][2]
    raise UndecodableError("cannot determine the text encoding")
