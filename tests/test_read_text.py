"""Text and markdown in every common encoding; the Jilin corpus byte-exact."""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengce.read import read_file
from zhengce.read.encoding import decode

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "jilin"

SIMPLIFIED = (
    "关于进一步支持专精特新中小企业高质量发展的若干措施\n"
    "\n"
    "一、总体目标\n"
    "　　到2025年，全省培育省级专精特新中小企业1000户以上，国家级专精特新“小巨人”企业达到80户，"
    "地方一般公共预算收入年均增长6%左右，财政收入突破800亿元。\n"
    "二、支持措施\n"
    "（一）对首次认定的专精特新中小企业，由省级财政给予一次性奖励50万元。  \n"
    "\t（二）各地要落实减税降费政策，确保应享尽享。\n"
)
TRADITIONAL = (
    "關於進一步支持專精特新中小企業高質量發展的若干措施\n"
    "一、總體目標\n"
    "到2025年，全省培育專精特新中小企業1000戶以上，財政收入年均增長6%左右。\n"
    "（一）對首次認定的企業，由省級財政給予一次性獎勵50萬元。\n"
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("gb18030", b"", "gb18030"),
        ("gbk", b"", "gb18030"),
        ("gb2312", b"", "gb18030"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
        ("utf-16-le", b"", "utf-16-le"),  # no BOM: found by the NUL pattern
        ("utf-16-be", b"", "utf-16-be"),
        ("utf-32-le", codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_simplified_chinese_in_each_encoding(tmp_path, encoding, bom, expected):
    path = write(tmp_path, "policy.txt", bom + SIMPLIFIED.encode(encoding))
    [src] = read_file(path)
    assert src.text == SIMPLIFIED  # exact: indentation and trailing spaces kept, BOM gone
    assert src.encoding == expected
    assert src.format == "text"
    assert src.path == str(path)
    assert src.hints == {}


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("big5", b"", "big5"),
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
        ("gb18030", b"", "gb18030"),  # Traditional characters in a GB file
    ],
)
def test_traditional_chinese(tmp_path, encoding, bom, expected):
    [src] = read_file(write(tmp_path, "zh-hant.txt", bom + TRADITIONAL.encode(encoding)))
    assert src.text == TRADITIONAL
    assert src.encoding == expected


def test_short_texts_are_not_confused():
    # Short snippets are where detectors guess cp949/euc-jp/big5 for GBK.
    for text in ["财政收入", "专精特新企业", "關於財政收入", "第一章 总则", "（一）"]:
        for encoding in ("gb18030", "big5", "utf-8"):
            try:
                data = text.encode(encoding)
            except UnicodeEncodeError:
                continue
            assert decode(data)[0] == text, (text, encoding)


def test_newlines_normalised_nothing_else(tmp_path):
    raw = "第一行  \r\n\r\n　　第二行\t\r第三行\n  \n末行无换行"
    [src] = read_file(write(tmp_path, "crlf.txt", raw.encode("gb18030")))
    assert src.text == "第一行  \n\n　　第二行\t\n第三行\n  \n末行无换行"


def test_markdown_by_extension_or_headings(tmp_path):
    [md] = read_file(write(tmp_path, "notes.md", "关于促进民营经济发展的意见\n".encode()))
    assert md.format == "markdown"
    [txt_md] = read_file(write(tmp_path, "ocr.txt", "# 吉林省人民政府公报\n\n## 目录\n".encode()))
    assert txt_md.format == "markdown"
    assert txt_md.text == "# 吉林省人民政府公报\n\n## 目录\n"
    [plain] = read_file(write(tmp_path, "plain.txt", "第1号 #不是标题\n".encode()))
    assert plain.format == "text"


def test_detection_is_by_content_not_extension(tmp_path):
    [src] = read_file(write(tmp_path, "misnamed.pdf", SIMPLIFIED.encode("gbk")))
    assert src.format == "text" and src.text == SIMPLIFIED


def test_display_path_and_sha(tmp_path):
    import hashlib

    [src] = read_file(write(tmp_path, "a.txt", "财政收入".encode()), display="batch/a.txt")
    assert src.path == "batch/a.txt"
    assert src.sha256 == hashlib.sha256("财政收入".encode()).hexdigest()


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name)
def test_jilin_corpus_is_byte_exact(path):
    raw = path.read_bytes()
    [src] = read_file(path)
    assert src.encoding == "utf-8"
    assert src.text == raw.decode("utf-8")
    assert src.text.encode("utf-8") == raw


def test_corpus_has_five_files():
    assert len(sorted(CORPUS.glob("*.txt"))) == 5


def test_100kb_text_reads_fast(tmp_path):
    path = write(tmp_path, "big.txt", (SIMPLIFIED * 200).encode()[: 100 * 1024 - 3] + "。\n".encode())
    best = min(_timed(read_file, path) for _ in range(5))
    assert best < 0.010, f"{best * 1000:.1f} ms"


def test_large_gbk_text_reads_reasonably_fast(tmp_path):
    path = write(tmp_path, "big-gbk.txt", (SIMPLIFIED * 2000).encode("gbk"))
    best = min(_timed(read_file, path) for _ in range(3))
    assert best < 0.5, f"{best * 1000:.1f} ms"


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start

# Any text without C0 controls (other than TAB/LF/VT/FF) or DEL, with some non-space.
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(
        chr(c) for c in list(range(0, 9)) + list(range(14, 32)) + [0x7F])),
    min_size=1, max_size=200,
).filter(lambda s: s.replace("\ufeff", "").strip() and "\r" not in s)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT | _TEXT.map(lambda s: "\ufeff" + s), bom=st.sampled_from([None, "utf-8-sig", "utf-16"]))
def test_unicode_text_round_trips_exactly(tmp_path_factory, text, bom):
    path = tmp_path_factory.mktemp("prop") / "x.txt"
    path.write_bytes(text.encode(bom or "utf-8"))
    [src] = read_file(path)
    # Without a BOM, a leading U+FEFF *is* read as one and dropped.
    assert src.text == (text.removeprefix("\ufeff") if bom is None else text)
