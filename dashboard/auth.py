"""Users, passwords and log-in: bcrypt hashes in a user store outside git, lock-out after repeated failures,
demo accounts that work on the sample data only.

The store is `data/users/users.json` (PARTYDASH_DATA moves it with the data). Manage it with
`python -m dashboard.users add|reset|disable|list`."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import bcrypt

from dashboard.session import IDLE_MINUTES
from etl import audit
from etl.province import is_province_code
from etl.roles import Role
from etl.settings import USERS_DIR

ROLES = {
    Role.PROVINCE: "Tỉnh uỷ (toàn tỉnh)",
    Role.COMMUNE: "Đảng uỷ xã, phường hoặc trực thuộc tỉnh (một đơn vị)",
    Role.ADMIN: "Quản trị (nạp dữ liệu, người dùng)",
}
MAX_FAILURES = 5  # wrong passwords in a row from one client for one account before it has to wait
MAX_CLIENT_FAILURES = 20  # wrong log-ins in a row from one client, whatever the accounts
LOCK_MINUTES = 15  # the first wait; each further failure doubles it
LOCK_MAX_MINUTES = 24 * 60
MAX_PASSWORD_BYTES = 72  # all bcrypt reads
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
SESSION_MINUTES = IDLE_MINUTES  # without activity, then log in again: its one home is session.py
MIN_PASSWORD = 8
# Documented demo accounts (README), password «demo»: they work only while the store holds the sample data.
DEMO_USERS = {"tinh": (Role.PROVINCE, None), "xa": (Role.COMMUNE, None), "quantri": (Role.ADMIN, None)}


def demo_account(username: str) -> tuple[str, str | None]:
    """(role, unit) of a demo account; «xa» is the unit the configuration names for it (`demo_unit` in
    province.toml: phường Thục Phán in Cao Bằng, xã Bình Lư in Lai Châu, the Khối in Quảng Trị)."""
    role, unit = DEMO_USERS[username]
    if role == Role.COMMUNE:
        from etl.province import load_province

        unit = load_province().demo_unit
    return role, unit


DEMO_PASSWORD = "demo"
BCRYPT_ROUNDS = 12


@dataclass
class User:
    username: str
    role: str
    unit_code: str | None = None
    password_hash: str = ""
    active: bool = True
    # Written by earlier versions, which locked an account whatever the client; lock-out now lives in
    # attempts.json, per client (see below). Kept so that existing user files still load.
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


def _check_unit(role: str, unit_code: str | None) -> None:
    """A commune user belongs to a unit of the province's configuration (its code, e.g. 01273)."""
    if role != Role.COMMUNE:
        return
    if not unit_code:
        raise ValueError("Người dùng cấp xã phải có mã đơn vị.")
    from etl.province import load_province

    province = load_province()
    if unit_code not in province.unit_by_code:
        raise ValueError(f"Không có đơn vị mã «{unit_code}» trong danh mục đơn vị của {province.name}.")


def check_new_user(username: str, role: str, unit_code: str | None, root: Path = USERS_DIR) -> None:
    """Why a user cannot be added (ValueError in Vietnamese): no name, a name taken, a role or unit unknown."""
    username = username.strip()
    if not username:
        raise ValueError("Hãy nhập tên đăng nhập.")
    if any(u.username == username for u in list_users(root)):
        raise ValueError(f"Đã có người dùng «{username}»: đặt lại mật khẩu bằng «Đặt lại mật khẩu» (lệnh reset).")
    if role not in ROLES:
        raise ValueError(f"Vai trò không hợp lệ: {role} (chọn: {', '.join(ROLES)}).")
    _check_unit(role, unit_code)


def set_user(
    username: str,
    password: str,
    role: str,
    unit_code: str | None = None,
    root: Path = USERS_DIR,
    province_code: str | None = None,
    new: bool = False,
) -> User:
    """Add a user or reset a password (and unlock); in a national deployment a province user may be limited to
    one province (`province_code`). With `new`, an existing name is refused (a password is changed by a reset,
    never by adding the user again)."""
    if new:
        check_new_user(username, role, unit_code, root)
        username = username.strip()
    if role not in ROLES:
        raise ValueError(f"Vai trò không hợp lệ: {role} (chọn: {', '.join(ROLES)}).")
    _check_unit(role, unit_code)
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    if too_long(password):
        raise ValueError(
            f"Mật khẩu dài quá {MAX_PASSWORD_BYTES} byte (chữ có dấu chiếm 2–3 byte mỗi chữ): hãy chọn mật khẩu ngắn hơn."
        )
    if username in DEMO_USERS:
        raise ValueError(f"«{username}» là tài khoản dùng thử, hãy chọn tên khác.")
    if province_code is not None and (role != Role.PROVINCE or not is_province_code(province_code)):
        raise ValueError("Chỉ người dùng cấp tỉnh mới gắn với một tỉnh (mã tỉnh hai chữ số, ví dụ 04).")
    user = User(
        username, role, unit_code if role == Role.COMMUNE else None, _hash(password), province_code=province_code
    )
    with _locked(root) as users:
        users[username] = asdict(user)
    if _attempts_path(root).exists():  # a reset also lifts every client's wait on this account
        with _attempts(root) as table:
            for k in [k for k in table if k.endswith(f"\t{username}")]:
                del table[k]
    from dashboard import session

    session.revoke_user(username, root)  # a new password ends the sessions opened with the old one
    return user


def disable(username: str, root: Path = USERS_DIR) -> None:
    from dashboard import session

    with _locked(root) as users:
        if username not in users:
            raise KeyError(username)
        users[username]["active"] = False
    session.revoke_user(username, root)  # logged out everywhere, at once


def enable(username: str, root: Path = USERS_DIR) -> None:
    """Let a disabled user log in again (with the password it had)."""
    with _locked(root) as users:
        if username not in users:
            raise KeyError(username)
        users[username]["active"] = True


def set_scope(username: str, role: str, unit_code: str | None = None, root: Path = USERS_DIR) -> None:
    """Change what a user may see (its role, and for a commune user its unit); its sessions end at once, so the
    new scope applies from its next log-in."""
    from dashboard import session

    if role not in ROLES:
        raise ValueError(f"Vai trò không hợp lệ: {role} (chọn: {', '.join(ROLES)}).")
    _check_unit(role, unit_code)
    with _locked(root) as users:
        if username not in users:
            raise KeyError(username)
        users[username]["role"] = role
        users[username]["unit_code"] = unit_code if role == Role.COMMUNE else None
    session.revoke_user(username, root)


# The first admin of a real store is created on the server, by whoever runs the service there:
# `python -m dashboard.users add NAME --role admin`. No browser path: nothing to guess from outside.
FIRST_ADMIN_COMMAND = "python -m dashboard.users add TÊN --role admin"


def needs_first_admin(is_sample: Callable[[], bool], root: Path = USERS_DIR) -> bool:
    """True on a real store while no active admin exists: the first start of a deployment (on the sample, the demo
    admin «quantri» works)."""
    if is_sample():
        return False
    return not any(u.role == Role.ADMIN and u.active for u in list_users(root))


def list_users(root: Path = USERS_DIR) -> list[User]:
    path = _store(root)
    users = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return [User(**u) for u in users.values()]


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str = ""


# Failures are counted per (client, account), never per account alone: someone who types wrong passwords for an
# account from their own machine locks only themselves out of it, not its owner (issue 16.4). A client that
# fails on many accounts (password spraying) is slowed down as a whole. Each failure past the limit doubles
# the wait, up to a day. The counters live in a file of their own, rewritten under a lock that is held for a
# read and a write, never while bcrypt runs: log-ins do not wait for each other.


def _attempts_path(root: Path) -> Path:
    return root / "attempts.json"


@contextmanager
def _attempts(root: Path) -> Iterator[dict[str, dict]]:
    """Read-modify-write the failure counters under their own exclusive lock (held for microseconds)."""
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    fd = os.open(root / ".attempts.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        path = _attempts_path(root)
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            table = {}
        yield table
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        os.close(fd)


def _keys(client: str, username: str) -> tuple[str, str]:
    return f"{client}\t{username}", f"{client}\t*"


def lock_minutes(failures: int, limit: int = MAX_FAILURES) -> float:
    """How long a (client, account) waits after its n-th failure in a row: nothing below the limit, then
    LOCK_MINUTES, doubling with every further failure, at most LOCK_MAX_MINUTES."""
    if failures < limit:
        return 0
    return min(LOCK_MINUTES * 2 ** (failures - limit), LOCK_MAX_MINUTES)


def _locked_until(client: str, username: str, root: Path, t: dt.datetime) -> dt.datetime | None:
    """When this client may try this account again, if it has to wait."""
    path = _attempts_path(root)
    try:
        table = json.loads(path.read_text(encoding="utf-8"))  # replaced atomically: no lock needed to read
    except (FileNotFoundError, ValueError):
        return None
    until = [
        dt.datetime.fromisoformat(table[k]["until"]) for k in _keys(client, username) if table.get(k, {}).get("until")
    ]
    later = [u for u in until if u > t]
    return max(later) if later else None


def _failed(client: str, username: str, root: Path, t: dt.datetime) -> None:
    account, whole = _keys(client, username)
    with _attempts(root) as table:
        for k, limit in ((account, MAX_FAILURES), (whole, MAX_CLIENT_FAILURES)):
            e = table.setdefault(k, {"failures": 0, "until": "", "last": ""})
            e["failures"] += 1
            e["last"] = t.isoformat(timespec="seconds")
            wait = lock_minutes(e["failures"], limit)
            e["until"] = (t + dt.timedelta(minutes=wait)).isoformat(timespec="seconds") if wait else ""
        horizon = t - dt.timedelta(minutes=LOCK_MAX_MINUTES)
        for k in [k for k, e in table.items() if e["last"] and dt.datetime.fromisoformat(e["last"]) < horizon]:
            del table[k]  # forgotten after a quiet day: the file cannot grow without bound


def _succeeded(client: str, username: str, root: Path) -> None:
    account, whole = _keys(client, username)
    if not _attempts_path(root).exists():
        return
    with _attempts(root) as table:
        table.pop(account, None)
        table.pop(whole, None)


def _read_users(root: Path) -> dict[str, dict]:
    path = _store(root)
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # replaced atomically by _locked: always whole
    except FileNotFoundError:
        return {}


def too_long(password: str) -> bool:
    """bcrypt reads at most 72 bytes (a Vietnamese letter with its marks takes 2 or 3)."""
    return len(password.encode("utf-8")) > MAX_PASSWORD_BYTES


def authenticate(
    username: str,
    password: str,
    is_sample: Callable[[], bool],
    root: Path = USERS_DIR,
    now: Callable[[], dt.datetime] = dt.datetime.now,
    client: str = "",
) -> LoginResult:
    """Check a log-in from `client` (the browser's address as the proxy saw it); every attempt (also failed ones)
    goes to the audit log. No lock is held while bcrypt runs."""
    username = (username or "").strip()
    password = password or ""
    t = now()
    where = {"client": client} if client else {}
    if username not in DEMO_USERS and (until := _locked_until(client, username, root, t)) is not None:
        # Before anything else, whatever the password (a long one skipped the lock-out, issue 29.10): no bcrypt.
        audit.record("login_failed", username, {"reason": "locked", **where})
        return LoginResult(
            None, f"Tài khoản tạm khoá do đăng nhập sai nhiều lần; thử lại sau {until.strftime('%H:%M')}."
        )
    if too_long(password):
        # Refused before the user is looked up and without bcrypt (it cost a full check each, issue 29.10): the
        # answer and its time say only that the password is too long, which the sender knows.
        audit.record("login_failed", username, {"reason": "password too long", **where})
        if username not in DEMO_USERS:
            _failed(client, username, root, t)
        return LoginResult(None, WRONG)
    if username in DEMO_USERS:
        role, unit = demo_account(username)
        if not is_sample():
            audit.record("login_failed", username, {"reason": "demo account on real data", **where})
            return LoginResult(None, "Tài khoản dùng thử chỉ dùng được với dữ liệu mẫu.")
        if bcrypt.checkpw(password.encode("utf-8"), _demo_hash()):
            audit.record("login", username, {"role": role, "demo": True, **where})
            return LoginResult(User(username, role, unit, demo=True))
        audit.record("login_failed", username, {"reason": "wrong password", **where})
        return LoginResult(None, WRONG)
    u = _read_users(root).get(username)
    if u is None or not u.get("active", True):
        bcrypt.checkpw(b"x", _dummy_hash())  # same work as a real check: no user enumeration by timing
        _failed(client, username, root, t)
        audit.record("login_failed", username, {"reason": "unknown or disabled user", **where})
        return LoginResult(None, WRONG)
    if not bcrypt.checkpw(password.encode("utf-8"), u["password_hash"].encode("ascii")):
        _failed(client, username, root, t)
        audit.record("login_failed", username, {"reason": "wrong password", **where})
        return LoginResult(None, WRONG)
    _succeeded(client, username, root)
    user = User(**u)
    audit.record("login", username, {"role": user.role, "unit_code": user.unit_code, **where})
    return LoginResult(user)


def active_user(username: str, is_sample: Callable[[], bool], root: Path = USERS_DIR) -> User | None:
    """The user a session stands for, if it may still work: an active account, or a demo account while the
    store holds the sample."""
    if username in DEMO_USERS:
        role, unit = demo_account(username)
        return User(username, role, unit, demo=True) if is_sample() else None
    u = _read_users(root).get(username)
    return User(**u) if u and u.get("active", True) else None


def session_expired(last_seen: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """True after SESSION_MINUTES without activity."""
    if last_seen is None:
        return False
    return (now or dt.datetime.now()) - last_seen > dt.timedelta(minutes=SESSION_MINUTES)
