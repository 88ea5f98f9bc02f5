"""Word 97–2003 .doc and WPS Office .wps: converted to .docx by LibreOffice, then read as .docx.

Officers still receive most documents as .doc or .wps (WPS Office writes the same binary
format).  No maintained Python library reads that format's text with its paragraphs,
headings and tables; LibreOffice does (`soffice --headless --convert-to docx`), and the
.docx reader then gives the same lines, heading hints and table rows as for any .docx.

The conversion runs in a throwaway folder with its own LibreOffice profile (so that
conversions may run side by side), is bounded in time (ZHENGCE_CONVERT_SECONDS, default
120) and its output in size (the readers' per-file limit).  LibreOffice is installed by
scripts/setup-system.sh.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..model import InputError, Source
from . import limits

# The UTF-16 name of the Word stream inside the OLE container of a .doc (and a WPS Office .wps).
WORD_STREAM = "WordDocument".encode("utf-16-le")


def soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for path in ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice"):
        if os.path.exists(path):
            return path
    return None


def _seconds() -> float:
    try:
        return max(5.0, float(os.environ.get("ZHENGCE_CONVERT_SECONDS", "120")))
    except ValueError:
        return 120.0


def read_legacy(data: bytes, display: str, ext: str) -> Source:
    """A .doc/.wps file's text, through LibreOffice and the .docx reader."""
    exe = soffice()
    if exe is None:
        raise InputError(display, "无法读取 Word 97–2003/WPS 文件：本机未安装 LibreOffice（scripts/setup-system.sh 会安装）")
    suffix = ext if ext in (".doc", ".wps", ".dot", ".wpt") else ".doc"
    with tempfile.TemporaryDirectory(prefix="zhengce-convert-") as tmp:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        cmd = [exe, "--headless", "--norestore", "--nologo", f"-env:UserInstallation=file://{tmp}/profile",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(src)]
        try:
            subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=_seconds(), check=False, env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise InputError(display, f"转换超时（超过 {_seconds():.0f} 秒）：文件可能已损坏或过于复杂") from None
        converted = out / "in.docx"
        if not converted.exists():
            raise InputError(display, "无法读取：LibreOffice 不能打开此文件（已损坏、加密或不是 Word/WPS 文档）")
        size = converted.stat().st_size
        if size > limits.max_file_bytes():
            raise InputError(display, limits.too_large(size, limits.max_file_bytes()))
        docx_bytes = converted.read_bytes()
    from .docx import read_docx

    source = read_docx(docx_bytes, display)
    source.format = "doc" if suffix in (".doc", ".dot") else "wps"
    return source
