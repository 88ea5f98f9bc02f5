"""Time in one format: ISO 8601 UTC to the second, as `zhengce.store.db.utc_now` writes it (comparable as text)."""

from __future__ import annotations

from datetime import date, datetime, timezone


def now_utc(now: datetime | None = None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc).replace(microsecond=0)


def stamp(now: datetime | None = None) -> str:
    return now_utc(now).isoformat(timespec="seconds")


def parse_stamp(text: str) -> datetime:
    return now_utc(datetime.fromisoformat(text))


def as_date(value: str | date | datetime | None) -> date:
    """A day: today (UTC) for None, else the date given (YYYY-MM-DD or a date/datetime)."""
    if value is None:
        return now_utc().date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
