"""Người dùng và nhật ký (admin): what the store holds (the sample or real returns, etl/status.py), the users, and
the audit log (log-ins, exports, loads), exportable."""

import streamlit as st

from dashboard import admin, auth, data, export, filters, fmt, login
from dashboard.ui import downloads, tables
from etl import audit
from etl.roles import Role

state = filters.current()
st.title("Người dùng và nhật ký")
st.header("Kho dữ liệu")
store = data.store_status()
st.markdown("\n".join(f"{'    ' if line.startswith(' ') else ''}- {fmt.plain(line.strip())}" for line in store.lines()))

st.header("Người dùng")
st.caption(
    "Mỗi thay đổi được ghi vào nhật ký (ai, lúc nào). Cũng làm được trên máy chủ: "
    "`python -m dashboard.users add|reset|disable|enable|list`."
)
if done := st.session_state.pop("user_message", None):  # the last change, after the table was drawn again
    st.success(done)
users = auth.list_users()
units = data.units(state.scope)
unit_names = dict(units.select("unit_code", "unit_full_name").iter_rows())
tables.show_table(
    admin.users_table(users, unit_names),
    [
        export.Col("username", "Tên đăng nhập"),
        export.Col("role", "Vai trò"),
        export.Col("unit", "Đơn vị"),
        export.Col("status", "Trạng thái"),
    ],
    empty="Chưa có người dùng nào ngoài các tài khoản dùng thử (chỉ hoạt động với dữ liệu mẫu)."
    if data.is_sample()
    else "Chưa có người dùng nào.",
)
actor = login.current_user().username
names = [u.username for u in users]
tabs = st.tabs(["Thêm người dùng", "Đặt lại mật khẩu", "Khoá, mở khoá", "Vai trò, đơn vị"])


def run(action: str, **kw) -> None:
    """Make the change; the page is drawn again (the table with it), the result said above the table."""
    try:
        st.session_state["user_message"] = admin.manage_user(state.scope, actor, action, **kw)
    except ValueError as e:
        st.error(str(e))
    else:
        st.rerun()


def role_and_unit(prefix: str) -> tuple[str, str | None]:
    """The role, and for a commune user only, its unit (no unit box for the other roles)."""
    role = st.selectbox("Vai trò", list(auth.ROLES), format_func=auth.ROLES.get, key=f"{prefix}_role")
    if role != Role.COMMUNE:
        return role, None
    unit = st.selectbox(
        "Đơn vị (xã, phường hoặc đảng uỷ trực thuộc)",
        list(unit_names),
        format_func=unit_names.get,
        key=f"{prefix}_unit",
    )
    return role, unit


def passwords(prefix: str, first: str) -> tuple[str, str]:
    return tuple(
        st.text_input(t, type="password", key=f"{prefix}_{k}")
        for t, k in ((first, "pw"), ("Nhập lại mật khẩu", "again"))
    )


# No forms: a form would send the role and the unit together, so the unit box could not follow the role chosen.
with tabs[0]:
    username = st.text_input("Tên đăng nhập", key="add_user")
    role, unit = role_and_unit("add")
    pw, again = passwords("add", "Mật khẩu (ít nhất 8 ký tự)")
    if st.button("Thêm", type="primary", key="add_go"):
        if pw != again:
            st.error("Hai lần nhập mật khẩu không giống nhau.")
        else:
            run("add", username=username, password=pw, role=role, unit_code=unit)
with tabs[1]:
    who = st.selectbox("Người dùng", names, key="reset_user")
    pw, again = passwords("reset", "Mật khẩu mới")
    if st.button("Đặt lại mật khẩu", type="primary", key="reset_go") and who:
        if pw != again:
            st.error("Hai lần nhập mật khẩu không giống nhau.")
        else:
            run("reset", username=who, password=pw)
with tabs[2]:
    who = st.selectbox("Người dùng", names, key="lock_user")
    c1, c2 = st.columns(2)
    if c1.button("Khoá", key="lock_go") and who:
        run("disable", username=who)
    if c2.button("Mở khoá", key="unlock_go") and who:
        run("enable", username=who)
with tabs[3]:
    who = st.selectbox("Người dùng", names, key="scope_user")
    role, unit = role_and_unit("scope")
    if st.button("Lưu", type="primary", key="scope_go") and who:
        run("scope", username=who, role=role, unit_code=unit)

st.header("Nhật ký")
log = tables.decoded(admin.audit_log(state.scope), event="audit_event")
log = log.with_columns(log["event_time"].dt.strftime("%d/%m/%Y %H:%M:%S"))
if damaged := audit.damaged_lines():
    st.warning(
        f"{damaged} dòng nhật ký bị hỏng (ghi dở, ví dụ khi ổ đĩa đầy) đã được bỏ qua; các sự kiện khác vẫn đầy đủ."
    )
cols = [
    export.Col("event_time", "Thời điểm"),
    export.Col("event", "Sự kiện"),
    export.Col("username", "Người dùng"),
    export.Col("details_text", "Chi tiết"),
]
tables.show_table(log, cols, height=420)
downloads.downloads(log, cols, "nhat-ky", "Nhật ký hệ thống", state, key="audit")
