"""The audit log: log-ins (also failed), exports and loads — append-only JSON lines in the store's log folder."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etl.settings import PARQUET_DIR

EVENTS = (
    "login",
    "login_failed",
    "logout",
    "session_expired",
    "export",
    "load",
    "load_refused",
    "user_change",
    "cycle",
    "store_created",
)


def audit_dir(root: Path = PARQUET_DIR) -> Path:
    return root / "log" / "audit"


def _open(root: Path) -> int:
    """The log file opened for appending, created private (0600): it names users and what they looked at."""
    return _open_private(audit_dir(root) / "audit.jsonl")


def _open_private(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    if os.fstat(fd).st_mode & 0o077:  # created before by a process with a laxer umask
        os.fchmod(fd, 0o600)
    return fd


class JsonLog:
    """An append-only JSON-lines file held under an exclusive lock (see `locked`)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def records(self) -> list[dict]:
        """Every whole record, in order; a torn line (a write cut short) is skipped."""
        size = os.fstat(self._fd).st_size
        out = []
        for raw in os.pread(self._fd, size, 0).split(b"\n"):
            if not raw.strip():
                continue
            try:
                r = json.loads(raw)
            except ValueError:
                continue
            if isinstance(r, dict):
                out.append(r)
        return out

    def append(self, record: dict) -> None:
        """Add one line, on a line of its own even after a torn one, and flush it to disk."""
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        size = os.fstat(self._fd).st_size
        if size and os.pread(self._fd, 1, size - 1) != b"\n":
            line = b"\n" + line
        os.write(self._fd, line)
        os.fsync(self._fd)


@contextmanager
def locked(path: Path) -> Iterator[JsonLog]:
    """The log at path, created private, under an exclusive lock (across threads and processes) while the block
    runs: what is read in the block is what the block's appends follow. Lines are only ever added (O_APPEND)."""
    fd = _open_private(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield JsonLog(fd)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def ensure(root: Path = PARQUET_DIR) -> None:
    """Create the log with an empty file, so readers find the table before the first event."""
    os.close(_open(root))


def record(event: str, user: str, details: dict | None = None, root: Path = PARQUET_DIR) -> None:
    """Append one event; lines are only ever added (O_APPEND under an exclusive lock), never rewritten.

    A write cut short (a full disk, a kill) leaves a last line without its newline: the next event starts on a
    line of its own, and readers skip the torn line (`damaged_lines` counts them)."""
    if event not in EVENTS:
        raise ValueError(event)
    with locked(audit_dir(root) / "audit.jsonl") as log:
        log.append(
            {
                "time": dt.datetime.now().isoformat(timespec="seconds"),
                "event": event,
                "user": user,
                "details": json.dumps(details or {}, ensure_ascii=False),
            }
        )


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
