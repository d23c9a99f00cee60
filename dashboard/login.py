"""The log-in gate of the app: every page runs behind it; sessions expire after inactivity."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

import streamlit as st

from dashboard import auth, data, fmt, session
from dashboard.auth import User
from dashboard.scope import Scope
from etl import audit


def scope_of(user: User) -> Scope:
    """What a user may see: a commune user only its own unit, a province user of a national deployment its own
    province (when the account names one), everyone else the whole province (or country)."""
    if user.role == "commune":
        return Scope.commune(user.unit_code)
    if user.role == "province" and user.province_code:
        return Scope.of_province(user.province_code)
    return Scope(user.role)


def client_address() -> str:
    """The browser's address: as the proxy saw it when the app runs behind it (deploy/), else the peer's."""
    peer = st.context.ip_address
    peer = peer if isinstance(peer, str) else ""  # None (and a stand-in under AppTest) without a web request
    headers = st.context.headers
    forwarded = headers.get("X-Real-IP", "") if hasattr(headers, "get") else ""
    forwarded = forwarded if isinstance(forwarded, str) else ""
    return forwarded if forwarded and (peer in ("::1", "") or peer.startswith("127.")) else peer


# Set by deploy/start.py: the app runs behind the log-in gate and its proxy, which log users in and out.
BEHIND_GATE = os.environ.get("PARTYDASH_GATE") == "1"


def _cookie() -> str | None:
    """The session cookie the browser sent when this session started (issued by the gate)."""
    cookies = st.context.cookies
    value = cookies.get(session.COOKIE) if hasattr(cookies, "get") else None
    return value if isinstance(value, str) else None


def current_user() -> User | None:
    return st.session_state.get("user")


def logout(reason: str = "logout") -> None:
    user = current_user()
    if user:
        audit.record(reason, user.username)
    session.revoke(st.session_state.get("session_token"))  # a reload does not bring the session back
    for k in list(st.session_state):
        del st.session_state[k]


def _resume() -> User | None:
    """A new browser session (a reload, a second tab) of someone logged in at the gate: no password again."""
    token = _cookie()
    s = session.check(token)
    user = auth.active_user(s.username, data.is_sample) if s else None
    if user is not None:
        st.session_state["user"], st.session_state["session_token"] = user, token
        st.session_state["last_seen"] = dt.datetime.now()
    return user


def require(before_form: Callable[[], None] | None = None) -> User:
    """The logged-in user; otherwise draw the log-in form and stop the run. `before_form` runs just before the form
    is drawn (the entry script registers the pages there, so the page a link asked for is still the page after
    log-in)."""
    user = current_user()
    now = dt.datetime.now()
    if user is None and "login_message" not in st.session_state:
        user = _resume()
    if user is not None:
        if auth.session_expired(st.session_state.get("last_seen"), now):
            logout("session_expired")
            st.session_state["login_message"] = "Phiên làm việc đã hết hạn do không hoạt động; hãy đăng nhập lại."
            user = None
        elif user.demo and not data.is_sample():
            logout()
            st.session_state["login_message"] = "Tài khoản dùng thử chỉ dùng được với dữ liệu mẫu."
            user = None
    if user is not None:
        st.session_state["last_seen"] = now
        session.touch(st.session_state.get("session_token"))
        return user
    if before_form is not None:
        before_form()
    _gate_link() if BEHIND_GATE else _form()
    st.stop()


def _gate_link() -> None:
    """Behind the gate, log-in happens on its page (it alone can set the HttpOnly cookie)."""
    st.title("Đăng nhập")
    if msg := st.session_state.pop("login_message", None):
        st.warning(msg)
    else:
        st.info("Phiên làm việc đã kết thúc.")
    # A plain link: after log-out the proxy serves nothing more of the app, not even a widget's script.
    st.markdown("[Đăng nhập lại](/_gate/login)")


def _first_admin() -> None:
    """The first start of a real deployment: no admin yet. It is created on the server (dashboard/users.py)."""
    st.title("Thiết lập lần đầu: tài khoản quản trị")
    st.info(
        "Chưa có tài khoản quản trị nào. Người quản trị máy chủ tạo tài khoản quản trị đầu tiên trên máy chủ, bằng "
        f"lệnh `{auth.FIRST_ADMIN_COMMAND}` (lệnh hỏi mật khẩu), rồi tải lại trang này để đăng nhập. Các tài khoản "
        "khác được thêm sau đó ở trang «Người dùng và nhật ký».",
        icon=":material/admin_panel_settings:",
    )


def _form() -> None:
    if auth.needs_first_admin(data.is_sample):
        _first_admin()
        return
    st.title("Đăng nhập")
    st.caption("Hệ thống theo dõi chất lượng tổ chức đảng và đảng viên · Tài liệu lưu hành nội bộ")
    if msg := st.session_state.pop("login_message", None):
        st.warning(msg)
    with st.form("login", border=True):
        username = st.text_input("Tên đăng nhập", key="login_user")
        password = st.text_input("Mật khẩu", type="password", key="login_password")
        ok = st.form_submit_button("Đăng nhập", type="primary")
    if data.is_sample():
        st.info(
            "Dữ liệu mẫu: có thể dùng các tài khoản dùng thử **tinh** (toàn tỉnh), **xa** (phường Thục Phán) "
            "và **quantri** (quản trị), mật khẩu **demo**."
        )
    if ok:
        res = auth.authenticate(username, password, data.is_sample, client=client_address())
        if res.user is None:
            st.error(res.message)
            return
        st.session_state["user"] = res.user
        st.session_state["last_seen"] = dt.datetime.now()
        st.rerun()


def sidebar(user: User) -> None:
    with st.sidebar:
        st.divider()
        unit = f" · {data.units(scope_of(user))['unit_full_name'][0]}" if user.role == "commune" else ""
        st.caption(f"Đăng nhập: **{fmt.plain(user.username)}** ({auth.ROLES[user.role]}{fmt.plain(unit)})")
        if st.button("Đăng xuất", icon=":material/logout:", width="stretch", key="logout"):
            logout()
            st.session_state["login_message"] = "Đã đăng xuất."
            st.rerun()
