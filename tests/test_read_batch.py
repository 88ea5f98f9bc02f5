"""Folders, zip archives, bad input: one InputError per bad file, the batch goes on."""

from __future__ import annotations

import random
import struct
import zipfile
from pathlib import Path

import docx
import pytest

from zhengce.model import InputError, Source
from zhengce.read import MAX_FILE_BYTES, SUPPORTED, iter_sources, limits, read_file

GOOD = "关于加快推进长春经济圈高质量发展的若干政策措施\n一、到2025年，经济圈地区生产总值突破1万亿元。\n"


def reason_of(path: Path) -> str:
    with pytest.raises(InputError) as err:
        read_file(path)
    assert path.name in str(err.value)  # the message names the file ...
    assert str(err.value) == f"{path}: {err.value.reason}"  # ... and is one line
    assert "\n" not in str(err.value)
    return err.value.reason


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_supported_and_limits_are_described():
    assert {"text", "markdown", "html", "docx", "pdf", "zip"} <= set(SUPPORTED)
    assert MAX_FILE_BYTES == 64 * 1024 * 1024


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("random.txt", random.Random(7).randbytes(4096), "binary file, not a document"),
    ("program", b"\x7fELF\x02\x01\x01\x00" + bytes(200), "binary file, not a document (ELF executable)"),
    ("图片.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(50), "binary file, not a document (PNG image)"),
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(100) + b"PE\x00\x00", "unsupported format: Windows executable"),
    ("旧表格.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
     "unsupported format: legacy Office file (.xls/.ppt); save it as .xlsx or .docx"),
    ("zeros.txt", bytes(100_000), "binary file, not a document"),  # valid UTF-8, still binary
    ("nul.txt", "财政收入\x00\x00预算".encode(), "binary file, not a document"),
    ("empty.txt", b"", "empty file"),
    ("blank.txt", " \n\t\r\n\u3000\u3000\n".encode(), "no text"),
    ("blank16.txt", "\ufeff  \n \n".encode("utf-16-le"), "no text"),
])
def test_bad_files(tmp_path, name, data, expected):
    assert reason_of(write(tmp_path / name, data)) == expected


def test_control_bytes_in_gbk_are_binary(tmp_path):
    data = GOOD.encode("gbk") + bytes(range(1, 9)) * 20
    assert reason_of(write(tmp_path / "mixed.txt", data)) == "binary file, not a document"


def test_file_too_large_is_refused_from_stat(tmp_path):
    path = tmp_path / "巨大.txt"
    with open(path, "wb") as f:
        f.write(GOOD.encode())
        f.truncate(200 * 1024 * 1024)  # sparse: no disk, no time
    assert reason_of(path) == "file too large: 200.0 MB > 64 MB limit"


def test_size_limit_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "two.txt"
    with open(path, "wb") as f:
        f.write(GOOD.encode())
        f.truncate(2 * 1024 * 1024)
    monkeypatch.setenv("ZHENGCE_MAX_FILE_MB", "1")
    assert reason_of(path) == "file too large: 2.0 MB > 1 MB limit"


def test_unsupported_zip_documents(tmp_path):
    path = tmp_path / "指标.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    assert reason_of(path) == "unsupported format: xlsx spreadsheet"


def docx_bytes(tmp_path: Path, text: str) -> bytes:
    d = docx.Document()
    d.add_heading(text, 1)
    d.add_paragraph("正文。")
    path = tmp_path / "tmp-docx.docx"
    d.save(path)
    data = path.read_bytes()
    path.unlink()
    return data


def test_folder_recursive_sorted_hidden_skipped_batch_goes_on(tmp_path):
    root = tmp_path / "收件箱"
    write(root / "b.txt", GOOD.encode("gbk"))
    write(root / "a" / "2.md", "# 标题\n".encode())
    write(root / "a" / "1.html", "<html><body><p>关于印发的通知</p></body></html>".encode())
    write(root / "a" / "坏.bin", random.Random(1).randbytes(1000))
    write(root / "a" / "空.txt", b"")
    write(root / "c.docx", docx_bytes(tmp_path, "总体要求"))
    write(root / ".hidden.txt", b"secret")
    write(root / ".git" / "config", b"[core]")
    write(root / "a" / ".DS_Store", bytes(100))
    write(root / "~$c.docx", bytes(162))  # Word lock file
    items = list(iter_sources([root, tmp_path / "missing.txt", root / "b.txt"]))
    got = [(Path(i.path).relative_to(tmp_path).as_posix() if not isinstance(i, InputError)
            else Path(i.path).relative_to(tmp_path).as_posix() + " ! " + i.reason) for i in items]
    assert got == [
        "收件箱/a/1.html",
        "收件箱/a/2.md",
        "收件箱/a/坏.bin ! binary file, not a document",
        "收件箱/a/空.txt ! empty file",
        "收件箱/b.txt",
        "收件箱/c.docx",
        "missing.txt ! no such file",
        "收件箱/b.txt",
    ]
    formats = [i.format for i in items if isinstance(i, Source)]
    assert formats == ["html", "markdown", "text", "docx", "text"]
    assert items[4].text == GOOD and items[4].encoding == "gb18030"


def test_zip_archive_members(tmp_path):
    path = tmp_path / "政策包.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("政策/02.txt", GOOD.encode("gb18030"))
        z.writestr("政策/01.docx", docx_bytes(tmp_path, "一、总体要求"))
        z.writestr("政策/", b"")
        z.writestr("__MACOSX/政策/._01.docx", b"\x00\x05\x16\x07")
        z.writestr("政策/empty.txt", b"")
        z.writestr("政策/坏.bin", random.Random(2).randbytes(500))
    items = list(iter_sources([path]))
    assert [(i.path, getattr(i, "reason", None)) for i in items] == [
        (f"{path}!政策/01.docx", None),
        (f"{path}!政策/02.txt", None),
        (f"{path}!政策/empty.txt", "empty file"),
        (f"{path}!政策/坏.bin", "binary file, not a document"),
    ]
    assert items[0].format == "docx" and items[0].text == "一、总体要求\n正文。"
    assert items[1].text == GOOD
    with pytest.raises(InputError) as err:  # read_file is strict: the first problem raises
        read_file(path)
    assert err.value.path == f"{path}!政策/empty.txt"


def test_zip_with_gbk_member_names(tmp_path):
    # Zips made on Chinese Windows store GBK names without the UTF-8 flag.
    path = tmp_path / "gbk.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("XXXX.txt", GOOD.encode())
    path.write_bytes(path.read_bytes().replace(b"XXXX.txt", "政策.txt".encode("gbk")))
    [src] = read_file(path)
    assert src.path == f"{path}!政策.txt"
    assert src.text == GOOD


def test_nested_zip_depth(tmp_path):
    def zipped(name: str, data: bytes) -> bytes:
        inner = tmp_path / "tmp.zip"
        with zipfile.ZipFile(inner, "w") as z:
            z.writestr(name, data)
        out = inner.read_bytes()
        inner.unlink()
        return out

    level2 = zipped("b.zip", zipped("c.txt", GOOD.encode()))
    write(tmp_path / "a.zip", level2)
    [src] = read_file(tmp_path / "a.zip")
    assert src.path == f"{tmp_path / 'a.zip'}!b.zip!c.txt"
    assert src.text == GOOD
    write(tmp_path / "deep.zip", zipped("x.zip", level2))
    [err] = list(iter_sources([tmp_path / "deep.zip"]))
    assert isinstance(err, InputError)
    assert err.path.endswith("deep.zip!x.zip!b.zip")
    assert err.reason == "archive nested too deep (more than 2 levels)"


@pytest.fixture(scope="module")
def gigabyte_bomb(tmp_path_factory) -> Path:
    """A real zip bomb: 1 GiB of zeros in a ~5 MB archive, streamed (no 1 GiB in memory)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("readme.txt", GOOD.encode())
        with z.open("zeros.txt", "w", force_zip64=True) as f:
            for _ in range(1024):
                f.write(chunk)
        z.writestr("zz-after.txt", GOOD.encode())
    return path


def test_gigabyte_zip_bomb_is_refused_and_batch_goes_on(gigabyte_bomb, tmp_path):
    after = write(tmp_path / "after.txt", GOOD.encode())
    items = list(iter_sources([gigabyte_bomb, after]))
    assert [(Path(i.path).name, getattr(i, "reason", None)) for i in items] == [
        ("bomb.zip!readme.txt", None),
        ("bomb.zip!zeros.txt", "file too large: 1024.0 MB > 64 MB limit"),
        ("bomb.zip!zz-after.txt", None),
        ("after.txt", None),
    ]


def test_zip_bomb_by_ratio_below_size_limit(tmp_path):
    path = tmp_path / "ratio.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", bytes(20 * 1024 * 1024))
    [err] = list(iter_sources([path]))
    assert err.path == f"{path}!zeros.txt"
    assert err.reason.startswith("compression ratio ") and err.reason.endswith("(zip bomb?)")


def test_zip_member_with_lying_size_header(tmp_path):
    # Declares 1,000 bytes, holds 30 MB: reading stops at the declared size
    # and the CRC check fails; nothing big is ever held in memory.
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", bytes(30 * 1024 * 1024))
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, 1000)
    struct.pack_into("<I", data, central + 24, 1000)
    path.write_bytes(bytes(data))
    [err] = list(iter_sources([path]))
    assert err.path == f"{path}!zeros.txt"
    assert err.reason.startswith("corrupt archive member")


def test_archive_caps(tmp_path, monkeypatch):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(5):
            z.writestr(f"{i}.txt", GOOD.encode())
    monkeypatch.setattr(limits, "MAX_ARCHIVE_MEMBERS", 3)
    [err] = list(iter_sources([path]))
    assert err.path == str(path) and err.reason == "too many archive members: 5 > 3"
    monkeypatch.setattr(limits, "MAX_ARCHIVE_MEMBERS", 100)
    monkeypatch.setattr(limits, "MAX_ARCHIVE_BYTES", 2 * len(GOOD.encode()))
    items = list(iter_sources([path]))
    assert [isinstance(i, Source) for i in items] == [True, True, False, False, False]
    assert "zip bomb?" in items[2].reason


def test_truncated_zip(tmp_path):
    path = tmp_path / "cut.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", GOOD.encode() * 100)
    path.write_bytes(path.read_bytes()[:200])
    assert reason_of(path).startswith("corrupt or truncated zip archive")
