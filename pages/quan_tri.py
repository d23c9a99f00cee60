"""Người dùng và nhật ký (admin): the users and the audit log (log-ins, exports, loads), exportable."""

import streamlit as st

from dashboard import admin, auth, data, export, filters, login
from dashboard.ui import downloads, tables
from etl import audit

state = filters.current()
st.title("Người dùng và nhật ký")
st.header("Người dùng")
st.caption(
    "Mỗi thay đổi được ghi vào nhật ký (ai, lúc nào). Cũng làm được trên máy chủ: "
    "`python -m dashboard.users add|reset|disable|list`."
)
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
    empty="Chưa có người dùng nào ngoài các tài khoản dùng thử (chỉ hoạt động với dữ liệu mẫu).",
)
actor = login.current_user().username
names = [u.username for u in users]
tabs = st.tabs(["Thêm người dùng", "Đặt lại mật khẩu", "Khoá, mở khoá", "Vai trò, đơn vị"])


def run(action: str, **kw) -> None:
    try:
        st.success(admin.manage_user(state.scope, actor, action, **kw))
    except ValueError as e:
        st.error(str(e))


def role_and_unit(prefix: str) -> tuple[str, str | None]:
    role = st.selectbox("Vai trò", list(auth.ROLES), format_func=auth.ROLES.get, key=f"{prefix}_role")
    # (a form sends its widgets together: the unit is offered always, and kept only for a commune user)
    unit = st.selectbox(
        "Đơn vị (chỉ với vai trò cấp xã: xã, phường hoặc đảng uỷ trực thuộc)",
        list(unit_names),
        format_func=unit_names.get,
        key=f"{prefix}_unit",
    )
    return role, unit if role == "commune" else None


with tabs[0], st.form("user_add"):
    username = st.text_input("Tên đăng nhập", key="add_user")
    role, unit = role_and_unit("add")
    pw, again = (
        st.text_input(t, type="password", key=k)
        for t, k in (("Mật khẩu (ít nhất 8 ký tự)", "add_pw"), ("Nhập lại mật khẩu", "add_again"))
    )
    if st.form_submit_button("Thêm", type="primary"):
        if pw != again:
            st.error("Hai lần nhập mật khẩu không giống nhau.")
        else:
            run("add", username=username, password=pw, role=role, unit_code=unit)
with tabs[1], st.form("user_reset"):
    who = st.selectbox("Người dùng", names, key="reset_user")
    pw, again = (
        st.text_input(t, type="password", key=k)
        for t, k in (("Mật khẩu mới", "reset_pw"), ("Nhập lại mật khẩu", "reset_again"))
    )
    if st.form_submit_button("Đặt lại mật khẩu", type="primary") and who:
        if pw != again:
            st.error("Hai lần nhập mật khẩu không giống nhau.")
        else:
            run("reset", username=who, password=pw)
with tabs[2], st.form("user_lock"):
    who = st.selectbox("Người dùng", names, key="lock_user")
    c1, c2 = st.columns(2)
    if c1.form_submit_button("Khoá") and who:
        run("disable", username=who)
    if c2.form_submit_button("Mở khoá") and who:
        run("enable", username=who)
with tabs[3], st.form("user_scope"):
    who = st.selectbox("Người dùng", names, key="scope_user")
    role, unit = role_and_unit("scope")
    if st.form_submit_button("Lưu", type="primary") and who:
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
