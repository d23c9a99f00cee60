"""Users, passwords and log-in: bcrypt hashes in a user store outside git, lock-out after repeated failures,
demo accounts that work on the sample data only.

The store is `data/users/users.json` (PARTYDASH_DATA moves it with the data). Manage it with
`python -m dashboard.users add|reset|disable|list`."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import bcrypt

from etl import audit
from etl.settings import USERS_DIR

ROLES = {
    "province": "Tỉnh uỷ (toàn tỉnh)",
    "commune": "Đảng uỷ xã, phường (một đơn vị)",
    "admin": "Quản trị (nạp dữ liệu, người dùng)",
}
MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_MINUTES = 30
MIN_PASSWORD = 8
# Documented demo accounts (README), password «demo»: they work only while the store holds the sample data.
DEMO_USERS = {"tinh": ("province", None), "xa": ("commune", "01273"), "quantri": ("admin", None)}
DEMO_PASSWORD = "demo"
BCRYPT_ROUNDS = 12


@dataclass
class User:
    username: str
    role: str
    unit_code: str | None = None
    password_hash: str = ""
    active: bool = True
    failures: int = 0
    locked_until: str = ""
    demo: bool = False
    province_code: str | None = None  # a national deployment: a province user of this province only

    @property
    def label(self) -> str:
        return ROLES.get(self.role, self.role)


def _store(root: Path) -> Path:
    return root / "users.json"


@contextmanager
def _locked(root: Path) -> Iterator[dict[str, dict]]:
    """Read-modify-write the user store under an exclusive lock."""
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = _store(root)
        users = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        yield users
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(users, ensure_ascii=False, indent=1), encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)


def _hash(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode("ascii")


@cache
def _demo_hash() -> bytes:
    return bcrypt.hashpw(DEMO_PASSWORD.encode(), bcrypt.gensalt(rounds=10))


@cache
def _dummy_hash() -> bytes:
    """Checked for unknown users: the same cost as a stored hash, so timing does not tell who exists."""
    return bcrypt.hashpw(b"-", bcrypt.gensalt(rounds=BCRYPT_ROUNDS))


def set_user(
    username: str,
    password: str,
    role: str,
    unit_code: str | None = None,
    root: Path = USERS_DIR,
    province_code: str | None = None,
) -> User:
    """Add a user or reset a password (and unlock); in a national deployment a province user may be limited to
    one province (`province_code`)."""
    if role not in ROLES:
        raise ValueError(f"Vai trò không hợp lệ: {role} (chọn: {', '.join(ROLES)}).")
    if role == "commune" and not unit_code:
        raise ValueError("Người dùng cấp xã phải có mã đơn vị.")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    if username in DEMO_USERS:
        raise ValueError(f"«{username}» là tài khoản dùng thử, hãy chọn tên khác.")
    if province_code is not None and (role != "province" or not re.fullmatch(r"\d{2}", province_code)):
        raise ValueError("Chỉ người dùng cấp tỉnh mới gắn với một tỉnh (mã tỉnh hai chữ số, ví dụ 04).")
    user = User(username, role, unit_code if role == "commune" else None, _hash(password), province_code=province_code)
    with _locked(root) as users:
        users[username] = asdict(user)
    return user


def disable(username: str, root: Path = USERS_DIR) -> None:
    with _locked(root) as users:
        if username not in users:
            raise KeyError(username)
        users[username]["active"] = False


def list_users(root: Path = USERS_DIR) -> list[User]:
    path = _store(root)
    users = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return [User(**u) for u in users.values()]


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str = ""


def authenticate(
    username: str,
    password: str,
    is_sample: Callable[[], bool],
    root: Path = USERS_DIR,
    now: Callable[[], dt.datetime] = dt.datetime.now,
) -> LoginResult:
    """Check a log-in; every attempt (also failed ones) goes to the audit log."""
    username = (username or "").strip()
    t = now()
    if username in DEMO_USERS:
        role, unit = DEMO_USERS[username]
        if not is_sample():
            audit.record("login_failed", username, {"reason": "demo account on real data"})
            return LoginResult(None, "Tài khoản dùng thử chỉ dùng được với dữ liệu mẫu.")
        if bcrypt.checkpw(password.encode("utf-8"), _demo_hash()):
            audit.record("login", username, {"role": role, "demo": True})
            return LoginResult(User(username, role, unit, demo=True))
        audit.record("login_failed", username, {"reason": "wrong password"})
        return LoginResult(None, "Tên đăng nhập hoặc mật khẩu không đúng.")
    with _locked(root) as users:
        u = users.get(username)
        if u is None or not u.get("active", True):
            audit.record("login_failed", username, {"reason": "unknown or disabled user"})
            bcrypt.checkpw(b"x", _dummy_hash())  # same work as a real check: no user enumeration by timing
            return LoginResult(None, "Tên đăng nhập hoặc mật khẩu không đúng.")
        if u.get("locked_until") and dt.datetime.fromisoformat(u["locked_until"]) > t:
            audit.record("login_failed", username, {"reason": "locked"})
            return LoginResult(
                None,
                f"Tài khoản tạm khoá do đăng nhập sai nhiều lần; thử lại sau "
                f"{dt.datetime.fromisoformat(u['locked_until']).strftime('%H:%M')}.",
            )
        if not bcrypt.checkpw(password.encode("utf-8"), u["password_hash"].encode("ascii")):
            u["failures"] = u.get("failures", 0) + 1
            if u["failures"] >= MAX_FAILURES:
                u["locked_until"] = (t + dt.timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds")
                u["failures"] = 0
            audit.record("login_failed", username, {"reason": "wrong password"})
            return LoginResult(None, "Tên đăng nhập hoặc mật khẩu không đúng.")
        u["failures"], u["locked_until"] = 0, ""
        user = User(**u)
    audit.record("login", username, {"role": user.role, "unit_code": user.unit_code})
    return LoginResult(user)


def session_expired(last_seen: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """True after SESSION_MINUTES without activity."""
    if last_seen is None:
        return False
    return (now or dt.datetime.now()) - last_seen > dt.timedelta(minutes=SESSION_MINUTES)
