"""Zip archives: each member is read with the same content detection.

A member's display path is "archive.zip!inner/path.docx" (nested archives
chain: "a.zip!b.zip!c.txt").  Archive members are untrusted, so before
anything is decompressed the declared sizes are checked (member count, total
unpacked bytes, per-member size, compression ratio), and while a member is
streamed its real byte count is checked again, so a lying header cannot get
past the caps either.  Members are read one at a time: memory stays bounded by
the per-file limit times the nesting depth.

Also used by the .docx reader to vet the container before python-docx unpacks
it (check_container).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator
from io import BytesIO

from ..model import InputError, Source
from . import limits

ReadMember = Callable[[bytes, str, str, int], Iterator["Source | InputError"]]
CHUNK = 1 << 20


def open_zip(data: bytes, display: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError) as e:
        what = "docx" if b"word/document.xml" in data else "zip archive"
        raise InputError(display, f"corrupt or truncated {what}: {e}") from None


def member_name(info: zipfile.ZipInfo) -> str:
    """The real name: zips made on Chinese Windows store GBK names unflagged."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", "replace")
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            pass
    return info.filename


def _skipped(name: str) -> bool:
    """Directories, hidden files, macOS resource forks, Office lock files."""
    parts = name.rstrip("/").split("/")
    return (
        name.endswith("/")
        or any(p.startswith(".") or p == "__MACOSX" for p in parts)
        or parts[-1].startswith("~$")
    )


def _unsafe(name: str) -> bool:
    """A member path that climbs out of the archive (../x) or is absolute (/etc/x, C:\\x)."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


def _aggregate_reason(infos: list[zipfile.ZipInfo]) -> str | None:
    """Many small members can each pass the per-member ratio yet together unpack like a bomb."""
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > limits.RATIO_FLOOR_BYTES and total / max(packed, 1) > limits.MAX_COMPRESSION_RATIO:
        return f"archive unpacks {total / max(packed, 1):.0f}:1 overall > {limits.MAX_COMPRESSION_RATIO}:1 (zip bomb?)"
    return None


def _ratio_reason(info: zipfile.ZipInfo) -> str | None:
    # Tiny members can have odd ratios; a bomb needs size to do harm.
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > limits.RATIO_FLOOR_BYTES and ratio > limits.MAX_COMPRESSION_RATIO:
        return f"compression ratio {ratio:.0f}:1 > {limits.MAX_COMPRESSION_RATIO}:1 (zip bomb?)"
    return None


def check_container(zf: zipfile.ZipFile, display: str) -> None:
    """Declared-size checks for a zip that a library will unpack (docx)."""
    infos = zf.infolist()
    # A document container (.docx, OFD) is parsed whole by a library: tighter caps than a plain archive.
    if len(infos) > limits.MAX_CONTAINER_MEMBERS:
        raise InputError(display, f"too many zip members: {len(infos)} > {limits.MAX_CONTAINER_MEMBERS}")
    total = sum(i.file_size for i in infos)
    cap = min(limits.MAX_CONTAINER_BYTES, limits.max_archive_bytes())
    if total > cap:
        raise InputError(display, f"unpacks to {limits.mb(total)} > {limits.mb(cap)} limit (zip bomb?)")
    if reason := _aggregate_reason(infos):
        raise InputError(display, reason)
    for info in infos:
        if reason := _ratio_reason(info):
            raise InputError(display, f"{member_name(info)}: {reason}")


def read_zip(data: bytes, display: str, depth: int, read_member: ReadMember) -> Iterator[Source | InputError]:
    """Yield a Source or an InputError per member; never raise for a member."""
    if depth >= limits.MAX_ARCHIVE_DEPTH:
        yield InputError(display, f"archive nested too deep (more than {limits.MAX_ARCHIVE_DEPTH} levels)")
        return
    try:
        zf = open_zip(data, display)
    except InputError as e:
        yield e
        return
    with zf:
        all_infos = zf.infolist()
        if len(all_infos) > limits.MAX_ARCHIVE_MEMBERS:
            yield InputError(display, f"too many archive members: {len(all_infos)} > {limits.MAX_ARCHIVE_MEMBERS}")
            return
        for info in all_infos:
            if _unsafe(member_name(info)):  # said, not skipped silently: someone made this archive on purpose
                yield InputError(f"{display}!{member_name(info)}", "压缩包内的路径不安全（含 ../ 或绝对路径），未读取")
        infos = sorted(((member_name(i), i) for i in all_infos if not _skipped(member_name(i)) and not _unsafe(member_name(i))),
                       key=lambda pair: pair[0])
        budget = limits.max_archive_bytes()  # unpacked bytes left for this archive
        for name, info in infos:
            where = f"{display}!{name}"
            try:
                blob = _unpack(zf, info, where, budget)
            except InputError as e:
                yield e
                continue
            budget -= len(blob)
            yield from read_member(blob, where, name, depth + 1)


def _unpack(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, budget: int) -> bytes:
    max_file = limits.max_file_bytes()
    if info.flag_bits & 0x1:
        raise InputError(where, "encrypted archive member")
    if info.file_size > max_file:
        raise InputError(where, limits.too_large(info.file_size, max_file))
    if info.file_size > budget:
        raise InputError(where, f"archive unpacks to more than {limits.mb(limits.max_archive_bytes())} (zip bomb?)")
    if reason := _ratio_reason(info):
        raise InputError(where, reason)
    if info.file_size == 0:
        raise InputError(where, "empty file")
    # Count what really comes out: the header may lie.  (zipfile also stops at
    # the declared size and then fails the CRC check.)
    cap = min(max_file, budget)
    ratio_cap = max(limits.RATIO_FLOOR_BYTES, limits.MAX_COMPRESSION_RATIO * max(info.compress_size, 1))
    chunks, size = [], 0
    try:
        with zf.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                if size > cap:
                    raise InputError(where, f"unpacks to more than {limits.mb(cap)} (zip bomb?)")
                if size > ratio_cap:
                    raise InputError(where, f"unpacks past {limits.MAX_COMPRESSION_RATIO}:1 compression ratio (zip bomb?)")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as e:
        raise InputError(where, f"corrupt archive member: {e}") from None
    return b"".join(chunks)
