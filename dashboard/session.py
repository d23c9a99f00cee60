"""Log-in sessions that outlive a page: a signed, expiring session cookie, backed by a file per session.

Issued by the log-in gate (dashboard/gate.py) in front of the app, sent by the browser on every request (HttpOnly:
no script of the page can read it), checked by the proxy before any request reaches the app (deploy/), and by the
app when a new browser session starts — so a reload (F5) keeps the user logged in, and several app processes can
serve the same users. The cookie holds a random session id, its absolute expiry and an HMAC of both; the session
file (users/sessions/<id>, 0600) holds who, and its modification time is the last activity: deleting it revokes
the session at once (log-out, expiry, a disabled user)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from etl.settings import USERS_DIR

IDLE_MINUTES = 30  # without activity, then log in again: the one limit, the gate's cookie and the app's check

COOKIE = "partydash_session"
MAX_HOURS = 10  # a working day: after that, log in again whatever the activity


@dataclass(frozen=True)
class Session:
    sid: str
    username: str
    expires: int  # unix time


def _dir(root: Path) -> Path:
    d = root / "sessions"
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    os.chmod(d, 0o700)
    return d


def _key(root: Path) -> bytes:
    """The signing key, made on first use (32 random bytes, readable by the server's user only)."""
    path = root / "session.key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        root.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_bytes()
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
        return path.read_bytes()


def _sign(root: Path, sid: str, expires: int) -> str:
    return hmac.new(_key(root), f"{sid}.{expires}".encode(), hashlib.sha256).hexdigest()


def issue(username: str, root: Path = USERS_DIR, now: float | None = None) -> str:
    """Open a session for a user who has just logged in; returns the cookie's value."""
    now = time.time() if now is None else now
    sid = secrets.token_hex(16)
    expires = int(now + MAX_HOURS * 3600)
    path = _dir(root) / sid
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"username": username, "created": dt.datetime.fromtimestamp(now).isoformat()}, f)
    os.utime(path, (now, now))
    return f"{sid}.{expires}.{_sign(root, sid, expires)}"


def check(token: str | None, root: Path = USERS_DIR, now: float | None = None) -> Session | None:
    """The session a cookie value stands for, if it is genuine, not expired, not idle too long and not revoked."""
    now = time.time() if now is None else now
    try:
        sid, expires_text, sig = (token or "").split(".")
        expires = int(expires_text)
    except ValueError:
        return None
    if len(sid) != 32 or not all(c in "0123456789abcdef" for c in sid):  # a file name: never a path
        return None
    if not hmac.compare_digest(sig, _sign(root, sid, expires)) or expires <= now:
        return None
    path = _dir(root) / sid
    try:
        last = path.stat().st_mtime
        username = json.loads(path.read_text(encoding="utf-8"))["username"]
    except (OSError, ValueError, KeyError):
        return None
    if now - last > IDLE_MINUTES * 60:
        revoke(token, root)
        return None
    return Session(sid, username, expires)


def touch(token: str | None, root: Path = USERS_DIR, now: float | None = None) -> None:
    """Record activity (every page run of the app does this)."""
    s = check(token, root, now)
    if s:
        t = time.time() if now is None else now
        os.utime(_dir(root) / s.sid, (t, t))


def revoke(token: str | None, root: Path = USERS_DIR) -> None:
    """End a session at once (log-out, inactivity): the cookie is worthless from now on."""
    sid = (token or "").split(".")[0]
    if len(sid) == 32 and all(c in "0123456789abcdef" for c in sid):
        (_dir(root) / sid).unlink(missing_ok=True)


def revoke_user(username: str, root: Path = USERS_DIR) -> int:
    """End every session of a user (disabled, password reset); returns how many."""
    n = 0
    for path in _dir(root).iterdir():
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("username") == username:
                path.unlink(missing_ok=True)
                n += 1
        except (OSError, ValueError):
            continue
    return n


def prune(root: Path = USERS_DIR, now: float | None = None) -> None:
    """Forget sessions idle past the limit (their cookies are refused anyway)."""
    now = time.time() if now is None else now
    for path in _dir(root).iterdir():
        try:
            if now - path.stat().st_mtime > IDLE_MINUTES * 60:
                path.unlink(missing_ok=True)
        except OSError:
            continue
