"""Người dùng và nhật ký (admin): the users and the audit log (log-ins, exports, loads), exportable."""

import streamlit as st

from dashboard import admin, auth, export, filters, ui
from etl import audit

state = filters.current()
st.title("Người dùng và nhật ký")
st.subheader("Người dùng")
st.caption(
    "Thêm, đặt lại mật khẩu, khoá: `python -m dashboard.users add|reset|disable|list` trên máy chủ "
    "(mật khẩu không bao giờ đi qua trình duyệt hay dòng lệnh)."
)
users = auth.list_users()
if not users:
    st.info("Chưa có người dùng nào ngoài các tài khoản dùng thử (chỉ hoạt động với dữ liệu mẫu).")
else:
    st.dataframe(
        [
            {
                "Tên đăng nhập": u.username,
                "Vai trò": u.label,
                "Đơn vị": u.unit_code or "",
                "Trạng thái": "hoạt động" if u.active else "đã khoá",
            }
            for u in users
        ],
        hide_index=True,
    )

st.subheader("Nhật ký")
log = ui.decoded(admin.audit_log(state.scope), event="audit_event")
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
ui.show_table(log, cols, height=420)
ui.downloads(log, cols, "nhat-ky", "Nhật ký hệ thống", state, key="audit")
