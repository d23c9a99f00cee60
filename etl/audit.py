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


def ensure(root: Path = PARQUET_DIR) -> None:
    """Create the log with an empty file, so readers find the table before the first event."""
    d = audit_dir(root)
    d.mkdir(parents=True, exist_ok=True)
    (d / "audit.jsonl").touch(exist_ok=True)


def record(event: str, user: str, details: dict | None = None, root: Path = PARQUET_DIR) -> None:
    """Append one event; lines are only ever added (O_APPEND under an exclusive lock), never rewritten."""
    if event not in EVENTS:
        raise ValueError(event)
    ensure(root)
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
    )
    fd = os.open(audit_dir(root) / "audit.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
