"""Issue 26.5: an open tab ends with its session. Every run of the app checks it: logged out (in another tab), past
its 10 hours however active, idle, revoked by a disabled account or a new password; a revoked one goes to the
log-in page (the gate's, behind the proxy) in Vietnamese. In the app under AppTest here; in chromium through the
deployment in tests/test_browser_pages.py."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, login, session
from etl import settings
from tests.test_app import APP

PASSWORD = "mat-khau-dai-du"


def _log_in(username: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith("Tổng quan năm"), [t.value for t in at.title]
    return at


def _logged_out(at: AppTest, why: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Đăng nhập"]
    assert why in [w.value for w in at.warning], [w.value for w in at.warning]
    assert not at.metric and not at.dataframe


def test_a_user_disabled_meanwhile_is_logged_out_at_the_next_run(sample_store):
    auth.set_user("can-bo-tinh-a", PASSWORD, "province")
    at = _log_in("can-bo-tinh-a", PASSWORD)
    auth.disable("can-bo-tinh-a")
    at.run()  # any click, any page
    _logged_out(at, "Tài khoản đã bị khoá hoặc thay đổi; hãy đăng nhập lại.")


@pytest.mark.parametrize(
    "change",
    [
        lambda name: auth.set_user(name, "mat-khau-moi-hon", "province"),  # a new password
        lambda name: auth.set_scope(name, "commune", "01273"),  # from the whole province to one commune
    ],
    ids=["password", "scope"],
)
def test_a_new_password_or_scope_logs_the_user_out(sample_store, change):
    auth.set_user("can-bo-tinh-b", PASSWORD, "province")
    at = _log_in("can-bo-tinh-b", PASSWORD)
    change("can-bo-tinh-b")
    at.run()
    _logged_out(at, "Mật khẩu hoặc quyền của tài khoản đã thay đổi; hãy đăng nhập lại.")


def test_an_active_session_ends_after_ten_hours(sample_store):
    at = _log_in("tinh", "demo")
    at.session_state["logged_in_at"] = dt.datetime.now() - dt.timedelta(hours=session.MAX_HOURS, seconds=1)
    at.run()  # active a minute ago (last_seen is now): still over
    _logged_out(at, f"Phiên làm việc đã quá {session.MAX_HOURS} giờ; hãy đăng nhập lại.")


@pytest.fixture
def behind_gate(monkeypatch, sample_store):
    """The app as deploy/start.py runs it: its sessions are the gate's."""
    monkeypatch.setattr(login, "BEHIND_GATE", True)


def _gate_session(username: str, token: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["user"] = auth.active_user(username, lambda: True)
    at.session_state["session_token"] = token
    at.session_state["last_seen"] = dt.datetime.now()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sent_to_the_gate(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.title and not at.metric and not at.dataframe
    (link,) = [m.value for m in at.markdown if "Đăng nhập lại" in m.value]
    assert "(/_gate/login?next=%2F&ly_do=het-phien)" in link, link
    assert "user" not in at.session_state


def test_behind_the_gate_a_logged_out_session_ends_the_open_tab(behind_gate):
    token = session.issue("tinh", settings.USERS_DIR)
    at = _gate_session("tinh", token)
    assert at.title[0].value.startswith("Tổng quan năm")
    session.revoke(token)  # log-out in another tab, or the gate's idle limit
    at.run()
    _sent_to_the_gate(at)


def test_behind_the_gate_a_disabled_account_ends_the_open_tab(behind_gate):
    auth.set_user("can-bo-tinh-c", PASSWORD, "province")
    token = session.issue("can-bo-tinh-c", settings.USERS_DIR)
    at = _gate_session("can-bo-tinh-c", token)
    assert at.title[0].value.startswith("Tổng quan năm")
    auth.disable("can-bo-tinh-c")
    at.run()
    _sent_to_the_gate(at)


def test_behind_the_gate_an_active_tab_does_not_outlive_ten_hours(behind_gate):
    # a session opened 10 hours and a second ago, active until now (its file touched): its cookie has expired
    opened = time.time() - session.MAX_HOURS * 3600 - 1
    token = session.issue("tinh", settings.USERS_DIR, now=opened)
    session.touch(token, settings.USERS_DIR, now=time.time() - 60)
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["user"] = auth.active_user("tinh", lambda: True)
    at.session_state["session_token"] = token
    at.session_state["last_seen"] = dt.datetime.now()
    at.run()
    _sent_to_the_gate(at)
