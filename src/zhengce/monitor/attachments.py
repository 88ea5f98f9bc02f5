"""Files attached to reports: the evidence of an actual value or of a task's progress.

    attach(store, user, "indicator", 12, "快报.pdf", data, year=2023)   # to the latest version of 2023's value
    attach(store, user, "task", 7, "验收报告.docx", data)               # to the task's latest progress report
    list_attachments(store, "indicator", 12, year=2023) -> [Attachment]  # without the bytes
    get_attachment(store, 5) -> (Attachment, bytes)

`report_actual(..., files=[(name, bytes)])` and `report_task(..., files=…)`
store files together with the new version, in the same transaction.  Who may
attach is who may report on the item (access.py; a refusal is logged).  Files
are at most MAX_BYTES (20 MB) and of the types in TYPES, checked by suffix and
by their first bytes; anything else is refused with AttachmentRefused (its
`code` is ``too_large`` or ``unsupported_type``) and nothing is stored.
Anyone who may view the registers may download.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath

from ..store import Store
from . import audit
from . import labels as L
from .access import require
from .clock import stamp
from .errors import MonitorError, NotFound

MAX_BYTES = 20 * 1024 * 1024
TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
ALLOWED = "pdf、docx、xlsx、csv、txt、jpg、png"


class AttachmentRefused(MonitorError):
    """A file that may not be attached: too large (code too_large) or not an allowed type (unsupported_type)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Attachment:
    id: int
    item_kind: str
    item_id: int
    year: int | None
    version: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: str

    def to_dict(self) -> dict:
        return asdict(self)


_COLUMNS = "id, item_kind, item_id, year, version, filename, content_type, size, sha256, uploaded_by, uploaded_at"


def _attachment(r) -> Attachment:
    return Attachment(int(r["id"]), r["item_kind"], int(r["item_id"]), None if r["year"] is None else int(r["year"]),
                      int(r["version"]), r["filename"], r["content_type"], int(r["size"]), r["sha256"],
                      r["uploaded_by"], r["uploaded_at"])


def clean_filename(raw: str | None) -> str:
    name = PureWindowsPath(raw or "").name  # no folders, whichever separator the client used
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|*?:').strip()
    if len(name) > 200:
        stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
        name = stem[: 200 - len(suffix)] + suffix
    return name


def _looks_like(suffix: str, data: bytes) -> bool:
    head = data[:8]
    if suffix == ".pdf":
        return data.startswith(b"%PDF-")
    if suffix == ".png":
        return head == b"\x89PNG\r\n\x1a\n"
    if suffix in (".jpg", ".jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if suffix in (".docx", ".xlsx"):
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return False
        return any(n.startswith("word/" if suffix == ".docx" else "xl/") for n in names)
    # .csv, .txt: text, not a binary renamed
    return b"\x00" not in data[:65536]


def check_file(filename: str | None, data: bytes, *, max_bytes: int = MAX_BYTES) -> tuple[str, str]:
    """(clean name, content type) of a file that may be attached; AttachmentRefused otherwise."""
    name = clean_filename(filename)
    if not name:
        raise AttachmentRefused("附件没有文件名", "unsupported_type")
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in TYPES:
        raise AttachmentRefused(f"{name}：不支持的附件类型 {suffix or '（无扩展名）'}，只接受 {ALLOWED}", "unsupported_type")
    if len(data) > max_bytes:
        raise AttachmentRefused(f"{name}：附件过大（{len(data) / 1048576:.1f} MB），上限 {max_bytes / 1048576:g} MB",
                                "too_large")
    if not data:
        raise AttachmentRefused(f"{name}：空文件", "unsupported_type")
    if not _looks_like(suffix, data):
        raise AttachmentRefused(f"{name}：文件内容不是 {suffix[1:]} 格式（只接受 {ALLOWED}）", "unsupported_type")
    return name, TYPES[suffix]


def checked_files(files, max_bytes: int = MAX_BYTES) -> list[tuple[str, str, bytes]]:
    """[(name, content type, bytes)] for [(name, bytes)]; the first bad file refuses them all."""
    return [(*check_file(name, data, max_bytes=max_bytes), data) for name, data in files or ()]


def insert(db, user, kind: str, item_id: int, year: int | None, version: int, files, now: datetime | None = None
           ) -> list[int]:
    """Store checked files (checked_files) for one report version, inside the caller's transaction."""
    ids = []
    ts = stamp(now)
    for name, ctype, data in files:
        db.execute(
            "INSERT INTO monitor_attachments (item_kind, item_id, year, version, filename, content_type, size, sha256,"
            " data, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, item_id, year, version, name, ctype, len(data), hashlib.sha256(data).hexdigest(), data,
             user.username, ts))
        ids.append(int(db.scalar(
            "SELECT MAX(id) FROM monitor_attachments WHERE item_kind = ? AND item_id = ? AND version = ?",
            (kind, item_id, version))))
    return ids


def _item(store: Store, kind: str, item_id: int):
    from .registers import get_indicator, get_task

    if kind == "indicator":
        return get_indicator(store, item_id)
    if kind == "task":
        return get_task(store, item_id)
    raise MonitorError(f"附件只能附在指标或任务上，不能附在{L.quoted(kind)}上")


def attach(store: Store, user, kind: str, item_id: int, filename: str | None, data: bytes, *,
           year: int | None = None, version: int | None = None, max_bytes: int = MAX_BYTES,
           now: datetime | None = None) -> Attachment:
    """Attach a file to an existing report: an indicator's value of `year`, or a task's progress report.

    `version`: the report version (default: the latest).  Only a user who may
    report on the item may attach (a refusal is logged, AccessDenied).
    """
    item = _item(store, kind, item_id)
    require(store, user, "report", item, detail={"attach": clean_filename(filename), "year": year})
    if kind == "indicator" and year is None:
        raise MonitorError(f"{L.entry(item)}：请选择附件所属的年度")
    files = checked_files([(filename, data)], max_bytes)
    db = store._db
    with db.transaction():
        if kind == "indicator":
            latest = db.scalar("SELECT MAX(version) FROM monitor_actuals WHERE indicator_id = ? AND year = ?",
                               (item.id, int(year)))
        else:
            latest = db.scalar("SELECT MAX(version) FROM monitor_task_reports WHERE task_id = ?", (item.id,))
        if latest is None:
            what = f"{L.entry(item)}的 {year} 年实际值" if kind == "indicator" else f"{L.entry(item)}的进展"
            raise MonitorError(f"{what}尚未填报，附件无处可附：请先填报")
        v = int(latest) if version is None else int(version)
        if not 1 <= v <= int(latest):
            raise MonitorError(f"没有第 {v} 版填报（最新为第 {latest} 版）")
        y = int(year) if kind == "indicator" else None
        (att_id,) = insert(db, user, kind, item.id, y, v, files, now)
        audit.log(store, user, "attach", kind, item.id,
                  detail={"attachment": att_id, "file": files[0][0], "year": y, "version": v, "size": len(data)},
                  now=now)
    return get_attachment(store, att_id)[0]


def list_attachments(store: Store, kind: str | None = None, item_id: int | None = None, *,
                     year: int | None = None) -> list[Attachment]:
    """Attachments (without their bytes), oldest first."""
    where, args = [], []
    for col, val in (("item_kind", kind), ("item_id", item_id), ("year", year)):
        if val is not None:
            where.append(f"{col} = ?")
            args.append(val)
    rows = store._db.all(f"SELECT {_COLUMNS} FROM monitor_attachments"
                         + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id", tuple(args))
    return [_attachment(r) for r in rows]


def get_attachment(store: Store, attachment_id: int) -> tuple[Attachment, bytes]:
    """The attachment and its bytes; NotFound if there is none."""
    r = store._db.one(f"SELECT {_COLUMNS}, data FROM monitor_attachments WHERE id = ?", (int(attachment_id),))
    if r is None:
        raise NotFound(f"没有附件 {attachment_id}")
    return _attachment(r), bytes(r["data"])
