"""Issue 16, tried as an attacker would: each numbered finding of the issue has its test here (the sparse
workbook, the upload worker and the proxy have theirs in test_sandbox.py and test_proxy.py)."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import stat
import threading
from pathlib import Path

import bcrypt
import pytest

from dashboard import auth
from etl import audit, settings

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture(scope="module", autouse=True)
def _own_data_folder():
    assert settings.DATA_DIR.name.startswith("partydash-test-"), settings.DATA_DIR


def audit_events(user: str, event: str) -> list[dict]:
    lines = (audit.audit_dir() / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    out = [json.loads(x) for x in lines if x.strip()]
    return [{**e, "details": json.loads(e["details"])} for e in out if e["user"] == user and e["event"] == event]


# ------------------------------------------------------------------------- 8. the audit log: torn lines, 0600


def _lines(root):
    return (audit.audit_dir(root) / "audit.jsonl").read_text(encoding="utf-8").splitlines()


def test_audit_log_is_private_from_its_first_event(tmp_path):
    os.umask(0o022)  # the usual umask: a plain touch/open would make the file world-readable
    audit.ensure(tmp_path)
    path = audit.audit_dir(tmp_path) / "audit.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    other = tmp_path / "other"
    audit.record("login", "a", root=other)
    assert stat.S_IMODE((audit.audit_dir(other) / "audit.jsonl").stat().st_mode) == 0o600
    # a log left world-readable by an earlier version is made private on the next event
    os.chmod(path, 0o644)
    audit.record("login", "a", root=tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_torn_last_line_does_not_swallow_the_next_event(tmp_path):
    audit.record("login", "truoc", root=tmp_path)
    path = audit.audit_dir(tmp_path) / "audit.jsonl"
    with open(path, "ab") as f:  # what a full disk leaves: the start of a line, no newline
        f.write(b'{"time": "2026-03-01T09:00:00", "event": "exp')
    audit.record("logout", "sau", root=tmp_path)
    lines = _lines(tmp_path)
    assert len(lines) == 3
    assert json.loads(lines[0])["user"] == "truoc" and json.loads(lines[2])["user"] == "sau"
    assert audit.damaged_lines(tmp_path) == 1


def test_the_audit_page_reads_a_log_with_a_torn_line(tiny_store, tmp_path):
    import shutil

    from dashboard import admin
    from dashboard.data import Scope

    root = tmp_path / "parquet"
    shutil.copytree(tiny_store, root, symlinks=True)
    audit.record("login", "mot", root=root)
    with open(audit.audit_dir(root) / "audit.jsonl", "ab") as f:
        f.write(b'{"time": "2026-03-01T09:0')
    audit.record("login", "hai", root=root)
    log = admin.audit_log(Scope("admin"), root=root)
    users = log["username"].to_list()
    assert "mot" in users and "hai" in users and None not in users
    assert audit.damaged_lines(root) == 1


# ------------------------------------------------------------- 4. lock-out per client and account, no queue

T0 = dt.datetime(2026, 3, 1, 9, 0, 0)


def _clock(t):
    return lambda: t


def _real():
    return False


def test_an_attacker_cannot_lock_the_owner_out(tmp_path):
    root = tmp_path / "users"
    auth.set_user("chu-tk", "mat-khau-that", "admin", root=root)
    for i in range(auth.MAX_FAILURES * 3):  # the attacker's machine fails 15 times in a row
        r = auth.authenticate("chu-tk", f"doan-{i}", _real, root=root, now=_clock(T0), client="203.0.113.9")
        assert r.user is None
    locked = auth.authenticate("chu-tk", "mat-khau-that", _real, root=root, now=_clock(T0), client="203.0.113.9")
    assert locked.user is None and "tạm khoá" in locked.message  # the attacker waits, even with the password
    # the owner, on their own machine, logs in at once
    ok = auth.authenticate("chu-tk", "mat-khau-that", _real, root=root, now=_clock(T0), client="198.51.100.4")
    assert ok.user is not None and ok.user.username == "chu-tk"


def test_back_off_doubles_with_every_further_failure():
    # nothing before the 5th failure; 15 min at the 5th, then 30, 60, 120 …; never more than a day
    assert [auth.lock_minutes(n) for n in range(1, 9)] == [0, 0, 0, 0, 15, 30, 60, 120]
    assert auth.lock_minutes(20) == 24 * 60  # 15 × 2^15 minutes, capped


def test_back_off_from_one_client(tmp_path):
    root = tmp_path / "users"
    auth.set_user("nguoi-a", "mat-khau-dung", "province", root=root)
    c = "192.0.2.1"
    t = T0
    for i in range(auth.MAX_FAILURES):
        auth.authenticate("nguoi-a", "sai", _real, root=root, now=_clock(t + dt.timedelta(seconds=i)), client=c)
    t5 = T0 + dt.timedelta(seconds=4)  # the 5th failure: 15 minutes
    assert "tạm khoá" in auth.authenticate("nguoi-a", "sai", _real, root=root, now=_clock(t5), client=c).message
    # after the wait, one more wrong password: 30 minutes this time (09:15:04 + 30 min = 09:45)
    t6 = t5 + dt.timedelta(minutes=15, seconds=1)
    assert auth.authenticate("nguoi-a", "sai", _real, root=root, now=_clock(t6), client=c).message == auth.WRONG
    r = auth.authenticate("nguoi-a", "mat-khau-dung", _real, root=root, now=_clock(t6), client=c)
    assert r.user is None and "09:45" in r.message
    later = t6 + dt.timedelta(minutes=30, seconds=1)
    assert auth.authenticate("nguoi-a", "mat-khau-dung", _real, root=root, now=_clock(later), client=c).user
    # a success starts the count again
    assert auth.authenticate("nguoi-a", "sai", _real, root=root, now=_clock(later), client=c).message == auth.WRONG


def test_unknown_names_lock_like_real_ones(tmp_path):
    """The lock message does not tell an attacker which names exist."""
    root = tmp_path / "users"
    auth.set_user("co-that", "mat-khau-dung", "province", root=root)
    out = {}
    for who in ("co-that", "khong-co"):
        for _ in range(auth.MAX_FAILURES):
            auth.authenticate(who, "sai", _real, root=root, now=_clock(T0), client="192.0.2.7")
        out[who] = auth.authenticate(who, "sai", _real, root=root, now=_clock(T0), client="192.0.2.7").message
    assert out["co-that"] == out["khong-co"] and "tạm khoá" in out["co-that"]


def test_a_client_spraying_many_accounts_is_slowed_down(tmp_path):
    root = tmp_path / "users"
    auth.set_user("nan-nhan", "mat-khau-dung", "province", root=root)
    c = "192.0.2.99"
    for i in range(auth.MAX_CLIENT_FAILURES):  # one failure each on 20 different names
        auth.authenticate(f"ten-{i}", "sai", _real, root=root, now=_clock(T0), client=c)
    r = auth.authenticate("nan-nhan", "mat-khau-dung", _real, root=root, now=_clock(T0), client=c)
    assert r.user is None and "tạm khoá" in r.message
    assert auth.authenticate("nan-nhan", "mat-khau-dung", _real, root=root, now=_clock(T0), client="192.0.2.100").user


def test_a_reset_lifts_the_wait(tmp_path):
    root = tmp_path / "users"
    auth.set_user("quen-mk", "mat-khau-cu", "province", root=root)
    for _ in range(auth.MAX_FAILURES):
        auth.authenticate("quen-mk", "sai", _real, root=root, now=_clock(T0), client="192.0.2.3")
    auth.set_user("quen-mk", "mat-khau-moi", "province", root=root)
    assert auth.authenticate("quen-mk", "mat-khau-moi", _real, root=root, now=_clock(T0), client="192.0.2.3").user


def test_no_lock_is_held_while_bcrypt_runs(tmp_path, monkeypatch):
    """Log-ins do not queue behind each other: every lock file of the user store is free while a hash is checked."""
    root = tmp_path / "users"
    auth.set_user("song-song", "mat-khau-dung", "province", root=root)
    real_check = bcrypt.checkpw
    held = []

    def spy(password, hashed):
        for lock in root.glob(".*lock"):
            with open(lock, "a") as f:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(f, fcntl.LOCK_UN)
                except BlockingIOError:
                    held.append(lock.name)
        return real_check(password, hashed)

    monkeypatch.setattr(auth.bcrypt, "checkpw", spy)
    for pw in ("sai", "mat-khau-dung"):
        auth.authenticate("song-song", pw, _real, root=root, client="192.0.2.5")
    auth.authenticate("khong-ai", "sai", _real, root=root, client="192.0.2.5")
    assert held == []


def test_attackers_threads_do_not_block_a_real_log_in(tmp_path):
    root = tmp_path / "users"
    auth.set_user("bi-tan-cong", "mat-khau-dung", "admin", root=root)
    results = []

    def attack(i):
        for j in range(3):
            auth.authenticate("bi-tan-cong", f"x{i}{j}", _real, root=root, client=f"203.0.113.{i}")

    threads = [threading.Thread(target=attack, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    results.append(auth.authenticate("bi-tan-cong", "mat-khau-dung", _real, root=root, client="198.51.100.1"))
    for th in threads:
        th.join()
    assert results[0].user is not None
    counters = json.loads((root / "attempts.json").read_text(encoding="utf-8"))
    assert counters["203.0.113.0\tbi-tan-cong"]["failures"] == 3  # no lost update under concurrency
    assert sum(v["failures"] for k, v in counters.items() if k.endswith("\tbi-tan-cong")) == 24


# ------------------------------------------------------------------------ 5. passwords longer than 72 bytes

LONG = "ẫ" * 25  # 25 × 3 bytes = 75 bytes > 72


def test_a_long_password_is_refused_like_a_wrong_one(tmp_path):
    root = tmp_path / "users"
    auth.set_user("co-that-2", "mat-khau-dung", "province", root=root)
    assert len(LONG.encode()) == 75
    known = auth.authenticate("co-that-2", LONG, _real, root=root, client="192.0.2.8")
    unknown = auth.authenticate("khong-co-2", LONG, _real, root=root, client="192.0.2.8")
    demo = auth.authenticate("tinh", LONG, lambda: True, root=root, client="192.0.2.8")
    assert known.user is None and unknown.user is None and demo.user is None
    assert known.message == unknown.message == demo.message == auth.WRONG  # no enumeration
    for who in ("co-that-2", "khong-co-2", "tinh"):
        assert audit_events(who, "login_failed")[-1]["details"]["reason"] == "password too long"
    # exactly 72 bytes is an ordinary (wrong) password: 24 × 3 bytes
    assert auth.authenticate("co-that-2", "ẫ" * 24, _real, root=root).message == auth.WRONG


def test_a_long_password_cannot_be_set(tmp_path):
    with pytest.raises(ValueError, match="dài quá 72 byte"):
        auth.set_user("nguoi-moi", LONG, "province", root=tmp_path / "users")
    assert not (tmp_path / "users" / "users.json").exists()
    auth.set_user("nguoi-moi", "ẫ" * 24, "province", root=tmp_path / "users")  # 72 bytes: allowed


def test_a_long_password_through_the_log_in_form(sample_store):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input(key="login_user").input("quantri")
    at.text_input(key="login_password").input(LONG)
    at.form_submit_button[0].click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [auth.WRONG]
