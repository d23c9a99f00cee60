"""The log-in gate of the app: every page runs behind it; sessions expire after inactivity."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import streamlit as st

from dashboard import auth, data, fmt, session, uploads
from dashboard.auth import User
from dashboard.scope import Scope
from etl import audit
from etl.roles import Role


def scope_of(user: User) -> Scope:
    """What a user may see: a commune user only its own unit, a province user of a national deployment its own
    province (when the account names one), everyone else the whole province (or country)."""
    if user.role == Role.COMMUNE:
        return Scope.commune(user.unit_code)
    if user.role == Role.PROVINCE and user.province_code:
        return Scope.of_province(user.province_code)
    return Scope(user.role)


def client_address() -> str:
    """The browser's address: as the proxy saw it when the app runs behind it (deploy/), else the peer's."""
    peer = st.context.ip_address
    peer = peer if isinstance(peer, str) else ""  # None (and a stand-in under AppTest) without a web request
    headers = st.context.headers
    forwarded = headers.get("X-Real-IP", "") if hasattr(headers, "get") else ""
    forwarded = forwarded if isinstance(forwarded, str) else ""
    # Behind the gate the app listens on a Unix socket only nginx reaches (no peer address): nginx's X-Real-IP is
    # the browser's. Otherwise a header is anyone's to send (issue 29.6): the peer's address.
    return forwarded if BEHIND_GATE and forwarded else peer


# Set by deploy/start.py: the app runs behind the log-in gate and its proxy, which log users in and out.
BEHIND_GATE = os.environ.get("PARTYDASH_GATE") == "1"


def _cookie() -> str | None:
    """The session cookie the browser sent when this session started (issued by the gate)."""
    cookies = st.context.cookies
    value = cookies.get(session.COOKIE) if hasattr(cookies, "get") else None
    return value if isinstance(value, str) else None


def current_user() -> User | None:
    return st.session_state.get("user")


def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else None


def logout(reason: str = "logout") -> None:
    user = current_user()
    if user:
        audit.record(reason, user.username)
    session.revoke(st.session_state.get("session_token"))  # a reload does not bring the session back
    if sid := _session_id():
        uploads.forget(sid)
    for k in list(st.session_state):
        del st.session_state[k]


def ended(user: User, now: dt.datetime) -> str | None:
    """Why this browser session may not go on (a Vietnamese sentence), or None. Asked on every run (issue 26.5):
    behind the gate the session must still be valid there — not logged out (in any tab), not past its 10 hours,
    not idle, not revoked by a disabled account or a new password —; and the account must still be active (a demo
    account only on the sample)."""
    if BEHIND_GATE:
        s = session.check(st.session_state.get("session_token"))
        if s is None or s.username != user.username:
            return "Phiên làm việc đã kết thúc; hãy đăng nhập lại."
    if auth.session_expired(st.session_state.get("last_seen"), now):
        return "Phiên làm việc đã hết hạn do không hoạt động; hãy đăng nhập lại."
    started = st.session_state.get("logged_in_at")
    if started is not None and now - started >= dt.timedelta(hours=session.MAX_HOURS):
        return f"Phiên làm việc đã quá {session.MAX_HOURS} giờ; hãy đăng nhập lại."
    now_user = auth.active_user(user.username, data.is_sample)
    if now_user is None:
        if user.demo:
            return "Tài khoản dùng thử chỉ dùng được với dữ liệu mẫu."
        return "Tài khoản đã bị khoá hoặc thay đổi; hãy đăng nhập lại."
    if _grant(now_user) != _grant(user):  # a new password or a new scope: from the next log-in
        return "Mật khẩu hoặc quyền của tài khoản đã thay đổi; hãy đăng nhập lại."
    return None


def _grant(user: User) -> tuple:
    return user.role, user.unit_code, user.province_code, user.password_hash


def _here() -> str:
    """This page's address with its filters: where to come back to after logging in again."""
    url = st.context.url
    path = urlsplit(url).path if isinstance(url, str) and url else "/"
    query = urlencode(st.query_params.to_dict())
    return path + (f"?{query}" if query else "")


def to_gate(path: str) -> None:
    """Send the browser to an address of the gate (its log-in page, log-out): the way Streamlit's own st.logout
    sends it to its provider, a redirect message the browser follows at once; a plain link in case it does not."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None:
        msg = ForwardMsg()
        msg.auth_redirect.url = path
        ctx.enqueue(msg)
    st.markdown(f"[Đăng nhập lại]({path})")


def _resume() -> User | None:
    """A new browser session (a reload, a second tab) of someone logged in at the gate: no password again."""
    token = _cookie()
    s = session.check(token)
    user = auth.active_user(s.username, data.is_sample) if s else None
    if user is not None:
        st.session_state["user"], st.session_state["session_token"] = user, token
        st.session_state["last_seen"] = dt.datetime.now()
        st.session_state["logged_in_at"] = dt.datetime.fromtimestamp(s.expires) - dt.timedelta(hours=session.MAX_HOURS)
    return user


def require(before_form: Callable[[], None] | None = None) -> User:
    """The logged-in user; otherwise draw the log-in form and stop the run. `before_form` runs just before the form
    is drawn (the entry script registers the pages there, so the page a link asked for is still the page after
    log-in)."""
    user = current_user()
    now = dt.datetime.now()
    if user is None and "login_message" not in st.session_state:
        user = _resume()
    if user is not None and (why := ended(user, now)) is not None:
        here = _here()
        logout("session_expired")
        if BEHIND_GATE:  # to the gate's log-in page, and back here after it
            to_gate("/_gate/login?" + urlencode({"next": here, "ly_do": "het-phien"}))
            st.stop()
        st.session_state["login_message"] = why
        user = None
    if user is not None:
        st.session_state["last_seen"] = now
        session.touch(st.session_state.get("session_token"))
        if sid := _session_id():
            uploads.allow(sid, user.username, user.role)
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
        st.session_state["last_seen"] = st.session_state["logged_in_at"] = dt.datetime.now()
        st.rerun()


def sidebar(user: User) -> None:
    with st.sidebar:
        st.divider()
        unit = f" · {data.units(scope_of(user))['unit_full_name'][0]}" if user.role == Role.COMMUNE else ""
        st.caption(f"Đăng nhập: **{fmt.plain(user.username)}** ({auth.ROLES[user.role]}{fmt.plain(unit)})")
        if st.button("Đăng xuất", icon=":material/logout:", width="stretch", key="logout"):
            logout()
            if BEHIND_GATE:  # the gate forgets the cookie too and shows its log-in page
                to_gate("/_gate/logout")
                st.stop()
            st.session_state["login_message"] = "Đã đăng xuất."
            st.rerun()
