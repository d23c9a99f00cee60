"""The audit log: log-ins (also failed), exports and loads — append-only JSON lines in the store's log folder."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path

from etl.settings import PARQUET_DIR

EVENTS = ("login", "login_failed", "logout", "session_expired", "export", "load", "load_refused", "user_change")


def audit_dir(root: Path = PARQUET_DIR) -> Path:
    return root / "log" / "audit"


def _open(root: Path) -> int:
    """The log file opened for appending, created private (0600): it names users and what they looked at."""
    d = audit_dir(root)
    d.mkdir(parents=True, exist_ok=True)
    fd = os.open(d / "audit.jsonl", os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    if os.fstat(fd).st_mode & 0o077:  # created before by a process with a laxer umask
        os.fchmod(fd, 0o600)
    return fd


def ensure(root: Path = PARQUET_DIR) -> None:
    """Create the log with an empty file, so readers find the table before the first event."""
    os.close(_open(root))


def record(event: str, user: str, details: dict | None = None, root: Path = PARQUET_DIR) -> None:
    """Append one event; lines are only ever added (O_APPEND under an exclusive lock), never rewritten.

    A write cut short (a full disk, a kill) leaves a last line without its newline: the next event starts on a
    line of its own, and readers skip the torn line (`damaged_lines` counts them)."""
    if event not in EVENTS:
        raise ValueError(event)
    line = (
        json.dumps(
            {
                "time": dt.datetime.now().isoformat(timespec="seconds"),
                "event": event,
                "user": user,
                "details": json.dumps(details or {}, ensure_ascii=False),
            },
            ensure_ascii=False,
        )
        + "\n"
    ).encode("utf-8")
    fd = _open(root)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line
        os.write(fd, line)
        os.fsync(fd)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def damaged_lines(root: Path = PARQUET_DIR) -> int:
    """How many lines of the log are not a whole event (torn writes); readers skip them."""
    path = audit_dir(root) / "audit.jsonl"
    if not path.exists():
        return 0
    bad = 0
    with open(path, "rb") as f:
        for raw in f:
            if not raw.strip():
                continue
            try:
                e = json.loads(raw)
                bad += not (isinstance(e, dict) and {"time", "event", "user", "details"} <= e.keys())
            except ValueError:
                bad += 1
    return bad
