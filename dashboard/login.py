"""The log-in gate of the app: every page runs behind it; sessions expire after inactivity."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import auth, data
from dashboard.auth import User
from dashboard.data import Scope
from etl import audit


def scope_of(user: User) -> Scope:
    """What a user may see: a commune user only its own unit, a province user of a national deployment its own
    province (when the account names one), everyone else the whole province (or country)."""
    if user.role == "commune":
        return Scope.commune(user.unit_code)
    if user.role == "province" and user.province_code:
        return Scope.of_province(user.province_code)
    return Scope(user.role)


def current_user() -> User | None:
    return st.session_state.get("user")


def logout(reason: str = "logout") -> None:
    user = current_user()
    if user:
        audit.record(reason, user.username)
    for k in list(st.session_state):
        del st.session_state[k]


def require() -> User:
    """The logged-in user; otherwise draw the log-in form and stop the run."""
    user = current_user()
    now = dt.datetime.now()
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
        return user
    _form()
    st.stop()


def _form() -> None:
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
        res = auth.authenticate(username, password, data.is_sample)
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
        st.caption(f"Đăng nhập: **{user.username}** ({auth.ROLES[user.role]}{unit})")
        if st.button("Đăng xuất", icon=":material/logout:", width="stretch", key="logout"):
            logout()
            st.rerun()
