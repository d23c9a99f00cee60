"""Users, passwords and log-in (PRODUCT §7): bcrypt hashes, lock-out, session expiry, demo accounts that work on
the sample only, and every attempt in the audit log."""

from __future__ import annotations

import datetime as dt
import io
import json
import stat
import sys
import uuid

import pytest

from dashboard import auth, users
from etl import audit, settings

GENERIC = "Tên đăng nhập hoặc mật khẩu không đúng."
T0 = dt.datetime(2026, 3, 1, 9, 0, 0)


@pytest.fixture(autouse=True, scope="module")
def _own_data_folder():
    # conftest points PARTYDASH_DATA at a temporary folder: never write to a developer's data/
    assert settings.DATA_DIR.name.startswith("partydash-test-"), settings.DATA_DIR


@pytest.fixture
def root(tmp_path):
    return tmp_path / "users"


def name(prefix: str = "u") -> str:
    """A user name no other test uses (the audit log is shared by the test session)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def events(username: str) -> list[dict]:
    path = audit.audit_dir() / "audit.jsonl"
    if not path.exists():  # no test of the session has logged anything yet (alone, or first in the fast lane)
        return []
    out = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{**e, "details": json.loads(e["details"])} for e in out if e["user"] == username]


def clock(t: dt.datetime):
    return lambda: t


def real(**_):
    return False


def sample(**_):
    return True


@pytest.mark.slow  # bcrypt hashing and lock-out waits
def test_success_wrong_password_unknown_user(root):
    u = name()
    auth.set_user(u, "mật-khẩu-dài", "province", root=root)
    ok = auth.authenticate(u, "mật-khẩu-dài", real, root=root)
    assert ok.user is not None and ok.user.username == u and ok.user.role == "province" and not ok.user.demo
    wrong = auth.authenticate(u, "sai-mat-khau", real, root=root)
    unknown = auth.authenticate(name("nobody"), "mật-khẩu-dài", real, root=root)
    assert wrong.user is None and unknown.user is None
    assert wrong.message == unknown.message == GENERIC  # no user enumeration by message
    # surrounding spaces typed in the user name do not matter
    assert auth.authenticate(f"  {u} ", "mật-khẩu-dài", real, root=root).user is not None


@pytest.mark.slow  # bcrypt hashing and lock-out waits
def test_commune_user_keeps_its_unit(root):
    u = name()
    auth.set_user(u, "12345678", "commune", "01273", root=root)
    user = auth.authenticate(u, "12345678", real, root=root).user
    assert (user.role, user.unit_code) == ("commune", "01273")
    with pytest.raises(ValueError, match="mã đơn vị"):
        auth.set_user(name(), "12345678", "commune", None, root=root)
    with pytest.raises(ValueError, match="Vai trò không hợp lệ"):
        auth.set_user(name(), "12345678", "superuser", root=root)
    # a province or admin user never carries a unit (it would not restrict them anyway)
    assert auth.set_user(name(), "12345678", "province", "01273", root=root).unit_code is None


@pytest.mark.slow  # bcrypt hashing and lock-out waits
def test_lock_out_after_five_failures_and_unlock_later(root):
    u = name()
    auth.set_user(u, "dung-mat-khau", "province", root=root)
    for i in range(auth.MAX_FAILURES):
        r = auth.authenticate(u, f"sai-{i}", real, root=root, now=clock(T0 + dt.timedelta(seconds=i)))
        assert r.user is None and r.message == GENERIC
    # locked: even the right password is refused, with a message saying until when
    locked = auth.authenticate(u, "dung-mat-khau", real, root=root, now=clock(T0 + dt.timedelta(minutes=1)))
    assert locked.user is None and "tạm khoá" in locked.message
    until = T0 + dt.timedelta(seconds=auth.MAX_FAILURES - 1, minutes=auth.LOCK_MINUTES)
    assert until.strftime("%H:%M") in locked.message
    still = auth.authenticate(u, "dung-mat-khau", real, root=root, now=clock(until - dt.timedelta(seconds=1)))
    assert still.user is None
    after = auth.authenticate(u, "dung-mat-khau", real, root=root, now=clock(until + dt.timedelta(seconds=1)))
    assert after.user is not None
    stored = json.loads((root / "users.json").read_text(encoding="utf-8"))[u]
    assert stored["failures"] == 0 and stored["locked_until"] == ""
    reasons = [e["details"].get("reason") for e in events(u) if e["event"] == "login_failed"]
    assert reasons == ["wrong password"] * auth.MAX_FAILURES + ["locked", "locked"]


@pytest.mark.slow  # bcrypt hashing and lock-out waits
def test_failures_below_the_limit_reset_on_success(root):
    u = name()
    auth.set_user(u, "dung-mat-khau", "province", root=root)
    for _ in range(auth.MAX_FAILURES - 1):
        auth.authenticate(u, "sai", real, root=root, now=clock(T0))
    assert auth.authenticate(u, "dung-mat-khau", real, root=root, now=clock(T0)).user is not None
    for _ in range(auth.MAX_FAILURES - 1):
        auth.authenticate(u, "sai", real, root=root, now=clock(T0))
    assert auth.authenticate(u, "dung-mat-khau", real, root=root, now=clock(T0)).user is not None


@pytest.mark.slow  # bcrypt hashing and lock-out waits
def test_disabled_user_refused_like_an_unknown_one(root):
    u = name()
    auth.set_user(u, "dung-mat-khau", "admin", root=root)
    auth.disable(u, root=root)
    r = auth.authenticate(u, "dung-mat-khau", real, root=root)
    assert r.user is None and r.message == GENERIC
    assert [x.active for x in auth.list_users(root) if x.username == u] == [False]
    with pytest.raises(KeyError):
        auth.disable(name("nobody"), root=root)
    # a reset sets a new password and re-enables the account (documented in `users reset`)
    auth.set_user(u, "mat-khau-moi", "admin", root=root)
    assert auth.authenticate(u, "mat-khau-moi", real, root=root).user is not None


@pytest.mark.slow  # bcrypt hashing and lock-out waits
def test_passwords_stored_as_bcrypt_hashes_only(root):
    secrets = {name(): f"bí-mật-{uuid.uuid4().hex}" for _ in range(3)}
    for u, pw in secrets.items():
        auth.set_user(u, pw, "province", root=root)
    raw = (root / "users.json").read_text(encoding="utf-8")
    stored = json.loads(raw)
    for u, pw in secrets.items():
        assert pw not in raw
        h = stored[u]["password_hash"]
        assert h.startswith(("$2b$", "$2a$", "$2y$")) and len(h) == 60
        assert int(h.split("$")[2]) >= 12  # cost factor
    # the store is readable by its owner only
    assert stat.S_IMODE((root / "users.json").stat().st_mode) == 0o600
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert not list(root.glob("*.tmp"))


def test_unknown_user_costs_as_much_as_a_real_check(root):
    """Unknown names are checked against a dummy hash of the same cost, so timing does not reveal who exists."""
    u = name()
    auth.set_user(u, "12345678", "province", root=root)
    real_cost = json.loads((root / "users.json").read_text(encoding="utf-8"))[u]["password_hash"].split("$")[2]
    assert auth._dummy_hash().decode().split("$")[2] == real_cost


@pytest.mark.parametrize("pw", ["", "1234567", "demo"])
def test_short_password_refused(root, pw):
    with pytest.raises(ValueError, match=f"ít nhất {auth.MIN_PASSWORD} ký tự"):
        auth.set_user(name(), pw, "province", root=root)
    assert not (root / "users.json").exists()


def test_demo_names_cannot_be_taken(root):
    for demo in auth.DEMO_USERS:
        with pytest.raises(ValueError, match="tài khoản dùng thử"):
            auth.set_user(demo, "12345678", "province", root=root)


def test_session_expires_after_30_minutes():
    assert not auth.session_expired(None, T0)
    assert not auth.session_expired(T0, T0 + dt.timedelta(minutes=29, seconds=59))
    assert not auth.session_expired(T0, T0 + dt.timedelta(minutes=auth.SESSION_MINUTES))
    assert auth.session_expired(T0, T0 + dt.timedelta(minutes=auth.SESSION_MINUTES, seconds=1))
    assert auth.session_expired(T0, T0 + dt.timedelta(hours=5))


@pytest.mark.parametrize(
    "username, role, unit", [("tinh", "province", None), ("xa", "commune", "01273"), ("quantri", "admin", None)]
)
def test_demo_accounts_on_sample_only(root, username, role, unit):
    before = len(events(username))
    ok = auth.authenticate(username, "demo", sample, root=root)
    assert ok.user is not None and ok.user.demo and (ok.user.role, ok.user.unit_code) == (role, unit)
    assert auth.authenticate(username, "sai", sample, root=root).user is None
    refused = auth.authenticate(username, "demo", real, root=root)
    assert refused.user is None and refused.message == "Tài khoản dùng thử chỉ dùng được với dữ liệu mẫu."
    new = events(username)[before:]
    assert [(e["event"], e["details"].get("reason")) for e in new] == [
        ("login", None),
        ("login_failed", "wrong password"),
        ("login_failed", "demo account on real data"),
    ]
    assert not (root / "users.json").exists()  # demo accounts live in no user store


@pytest.mark.slow  # bcrypt hashing and lock-out waits
def test_every_attempt_is_audited(root):
    u, ghost = name(), name("ghost")
    auth.set_user(u, "dung-mat-khau", "commune", "01279", root=root)
    auth.authenticate(u, "sai", real, root=root)
    auth.authenticate(u, "dung-mat-khau", real, root=root)
    auth.authenticate(ghost, "bat-ky", real, root=root)
    mine = events(u)
    assert [e["event"] for e in mine] == ["login_failed", "login"]
    assert mine[1]["details"] == {"role": "commune", "unit_code": "01279"}
    assert [e["event"] for e in events(ghost)] == ["login_failed"]
    for e in mine + events(ghost):
        dt.datetime.fromisoformat(e["time"])
        assert "dung-mat-khau" not in json.dumps(e, ensure_ascii=False)  # passwords never reach the log


# ------------------------------------------------------------------------------------------ the command line


def run_cli(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = users.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.slow  # bcrypt hashing and lock-out waits
def test_cli_add_reset_disable_list(monkeypatch, capsys):
    u = name("cli")
    code, out, _ = run_cli(
        monkeypatch, capsys, ["add", u, "--role", "commune", "--unit", "01273", "--password-stdin"], "mat-khau-cli-1\n"
    )
    assert code == 0 and u in out
    assert auth.authenticate(u, "mat-khau-cli-1", real).user.unit_code == "01273"
    assert "mat-khau-cli-1" not in (settings.USERS_DIR / "users.json").read_text(encoding="utf-8")

    code, _, _ = run_cli(monkeypatch, capsys, ["reset", u, "--password-stdin"], "mat-khau-cli-2\n")
    assert code == 0
    assert auth.authenticate(u, "mat-khau-cli-1", real).user is None
    user = auth.authenticate(u, "mat-khau-cli-2", real).user
    assert (user.role, user.unit_code) == ("commune", "01273")  # reset keeps role and unit

    code, out, _ = run_cli(monkeypatch, capsys, ["list"])
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith(u + "\t"))
    assert line.split("\t") == [u, "commune", "01273", "hoạt động"]
    assert "$2b$" not in out  # hashes are not listed

    code, _, _ = run_cli(monkeypatch, capsys, ["disable", u])
    assert code == 0 and auth.authenticate(u, "mat-khau-cli-2", real).user is None
    _, out, _ = run_cli(monkeypatch, capsys, ["list"])
    assert next(x for x in out.splitlines() if x.startswith(u + "\t")).endswith("đã khoá")

    changes = [e["details"] for e in events("cli") if e["event"] == "user_change" and e["details"]["username"] == u]
    assert [c["action"] for c in changes] == ["add", "reset", "disable"]


def test_cli_refusals(monkeypatch, capsys):
    u = name("cli")
    code, _, err = run_cli(monkeypatch, capsys, ["add", u, "--role", "province", "--password-stdin"], "ngan\n")
    assert code == 1 and "ít nhất" in err
    code, _, err = run_cli(monkeypatch, capsys, ["add", u, "--role", "commune", "--password-stdin"], "12345678\n")
    assert code == 1 and "mã đơn vị" in err
    code, _, err = run_cli(monkeypatch, capsys, ["reset", name("nobody"), "--password-stdin"], "12345678\n")
    assert code == 1 and "Không có người dùng" in err
    code, _, _ = run_cli(monkeypatch, capsys, ["disable", name("nobody")])
    assert code == 1
    with pytest.raises(SystemExit):  # passwords are never taken from the command line
        users.main(["add", u, "--role", "province", "--password", "12345678"])
    assert u not in {x.username for x in auth.list_users()}
