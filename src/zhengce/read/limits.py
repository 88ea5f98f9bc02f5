"""Caps that keep memory and work bounded on hostile or huge input.

Change them by assigning the module attributes, or set ZHENGCE_MAX_FILE_MB
(read at call time) for the per-file limit.
"""

from __future__ import annotations

import os

MiB = 1024 * 1024
MAX_FILE_BYTES = 64 * MiB  # one file, or one archive member once unpacked
MAX_ARCHIVE_BYTES = 512 * MiB  # all members of one archive, unpacked
MAX_ARCHIVE_MEMBERS = 10_000
MAX_COMPRESSION_RATIO = 200  # text ~3-10:1, docx XML ~10-30:1; zeros ~1000:1
RATIO_FLOOR_BYTES = 1 * MiB  # the ratio cap applies to members larger than this
MAX_CONTAINER_MEMBERS = 2_000  # a .docx or OFD: parts a library parses whole (real ones have tens to hundreds)
MAX_CONTAINER_BYTES = 256 * MiB  # all parts of one .docx/OFD, unpacked
MAX_ARCHIVE_DEPTH = 2  # a zip inside a zip is read; one level deeper is refused


def max_file_bytes() -> int:
    env = os.environ.get("ZHENGCE_MAX_FILE_MB", "").strip()
    if env:
        try:
            return max(int(float(env) * MiB), 1)
        except ValueError:
            pass
    return MAX_FILE_BYTES


# Restoring, structuring and extracting hold about 80 bytes per character at their peak (measured:
# 4.2 M characters → 320 MB without extraction), so a file's text is capped in characters too, whatever
# its size on disk: 8 M characters (some 4,000 pages) is far above any policy document.
MAX_TEXT_CHARS = 8_000_000


def max_text_chars() -> int:
    env = os.environ.get("ZHENGCE_MAX_TEXT_MCHARS", "").strip()
    if env:
        try:
            return max(int(float(env) * 1_000_000), 1)
        except ValueError:
            pass
    return MAX_TEXT_CHARS


def max_archive_bytes() -> int:
    return MAX_ARCHIVE_BYTES


def mb(n: int) -> str:
    return f"{n / MiB:.1f} MB"


def too_large(size: int, limit: int) -> str:
    return f"file too large: {size / MiB:.1f} MB > {limit / MiB:g} MB limit"
