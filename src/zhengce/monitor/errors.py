"""Errors the monitoring library raises; the CLI and the web layer map them to exit codes / HTTP statuses."""

from __future__ import annotations


class MonitorError(Exception):
    """Base class: a request the register cannot carry out (bad input, unknown item)."""


class NotFound(MonitorError, LookupError):
    """No indicator / task / user with that id or name."""


class AccessDenied(MonitorError, PermissionError):
    """The user may not do this; the refusal has been written to the audit log."""


class ConflictError(MonitorError):
    """Someone else changed the item after the caller read it (its version moved on)."""

    def __init__(self, message: str, current_version: int | None = None):
        super().__init__(message)
        self.current_version = current_version


class AuthError(MonitorError):
    """Wrong user name or password, a disabled account, an expired or revoked session."""
