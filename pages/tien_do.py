"""Tiến độ nộp báo cáo (province, admin): the year's reporting period, one row per expected committee, and the
province's actions — return with a comment, approve (acknowledging the warnings) — and the admin's: open a
period, lock and unlock the year."""

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import data, export, filters, fmt, login, reporting
from dashboard.ui import downloads, tables
from etl import cycle
from etl.province import load_province
from etl.roles import Role
from etl.settings import MAX_COMMENT_CHARS

user = login.current_user()
province = load_province()
names = {u.code: u.full_name for u in province.units}
st.title("Tiến độ nộp báo cáo")
if done := st.session_state.pop("cycle_message", None):
    st.success(done)


def run(action, message: str) -> None:
    """Take an action of the cycle; a refusal is said in Vietnamese and nothing changes."""
    try:
        action()
    except ValueError as e:
        st.error(fmt.plain(str(e)))
    else:
        st.session_state["cycle_message"] = message
        st.rerun()


periods = cycle.periods()
if user.role == Role.ADMIN:
    with st.expander("Mở kỳ báo cáo mới", expanded=not periods, icon=":material/event:"):
        c1, c2 = st.columns(2)
        new_year = c1.number_input(
            "Năm báo cáo", min_value=2020, max_value=2100, value=max(periods, default=dt.date.today().year - 1) + 1
        )
        deadline = c2.date_input("Hạn nộp", value=dt.date(int(new_year) + 1, 1, 15), format="DD/MM/YYYY")
        before = data.returns(filters.current().scope).filter(pl.col("year") == int(new_year) - 1)
        codes, missing = reporting.expected_units(int(new_year), province, set(before["unit_code"]))
        if before.height:
            st.caption(
                f"Năm {int(new_year) - 1} có báo cáo của {fmt.num(len(codes) - len(missing))}/"
                f"{fmt.num(len(codes))} đơn vị"
                + (f"; chưa có: {', '.join(names.get(c, c) for c in missing)}." if missing else ".")
            )
        left_out = st.multiselect(
            "Đơn vị không phải báo cáo năm này (nếu có; mặc định mọi đơn vị trong cấu hình của tỉnh)",
            codes,
            format_func=lambda c: f"{names.get(c, c)} ({c})",
            key="cycle_left_out",
            placeholder="Không có",
            select_all=False,
        )
        chosen = [c for c in codes if c not in left_out]
        if st.button("Mở kỳ báo cáo", key="cycle_open", icon=":material/event_available:"):
            run(
                lambda: cycle.open_period(int(new_year), deadline, province, user.username, user.role, expected=chosen),
                f"Đã mở kỳ báo cáo năm {int(new_year)} cho {fmt.num(len(chosen))} đơn vị, hạn nộp {deadline:%d/%m/%Y}.",
            )
if not periods:
    st.info("Chưa có kỳ báo cáo nào được mở. Quản trị viên mở kỳ báo cáo của mỗi năm, với hạn nộp.")
    st.stop()

year = st.selectbox("Kỳ báo cáo năm", sorted(periods, reverse=True), key="cycle_year")
p = periods[year]
rows, counts = reporting.board(year, names, user.role)
rows = tables.local_time(rows, "at")
st.markdown(f"**Số liệu năm {year}: {counts.text()}** · hạn nộp {p.deadline:%d/%m/%Y}")
if p.locked:
    st.info(f"Số liệu chốt ngày {p.locked_day}.", icon=":material/lock:")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Đã nộp", f"{fmt.num(counts.submitted)}/{fmt.num(counts.expected)}")
c2.metric("Đã duyệt", fmt.num(counts.approved))
c3.metric("Chưa nộp", fmt.num(counts.expected - counts.submitted))
c4.metric("Chưa nộp, quá hạn", fmt.num(counts.late))
COLS = [
    export.Col("unit_code", "Mã"),
    export.Col("unit_name", "Đơn vị"),
    export.Col("status_label", "Trạng thái"),
    export.Col("at", "Thời điểm"),
    export.Col("by", "Người thực hiện"),
    export.Col("version", "Lần nộp", "int"),
    export.Col("errors", "Lỗi", "int"),
    export.Col("warnings", "Cảnh báo", "int"),
    export.Col("days_late", "Số ngày trễ", "int"),
    export.Col("comment", "Ý kiến"),
]
shown = rows
if st.toggle("Chỉ các đơn vị chưa nộp (cần nhắc)", key="cycle_remind"):
    shown = rows.filter(pl.col("status") == cycle.NOT_SUBMITTED)
tables.show_table(shown, COLS, height=400, empty="Mọi đơn vị đã nộp báo cáo.")
downloads.downloads(
    shown, COLS, f"tien-do-nop-bao-cao-{year}", f"Tiến độ nộp báo cáo năm {year}", filters.current(), key="tien-do"
)

st.header("Xử lý báo cáo của một đơn vị")
unit = st.selectbox("Đơn vị", p.expected, format_func=lambda c: f"{names.get(c, c)} ({c})", key="cycle_unit")
s = p.units[unit]
st.caption(f"Trạng thái: {rows.filter(pl.col('unit_code') == unit)['status_label'][0]} · lần nộp: {s.version}")
for w in s.warnings:
    st.warning(fmt.plain(w), icon=":material/report:")
if s.versions:
    with st.expander(f"Các lần nộp có số liệu ({fmt.num(len(s.versions))})", icon=":material/history:"):
        versions = pl.DataFrame(
            [(v.number, v.at, v.by, v.file, v.branches) for v in s.versions],
            schema=["number", "at", "by", "file", "branches"],
            orient="row",
        ).pipe(tables.local_time, "at")
        tables.show_table(
            versions,
            [
                export.Col("number", "Lần nộp", "int"),
                export.Col("at", "Thời điểm"),
                export.Col("by", "Người nộp"),
                export.Col("file", "Tệp"),
                export.Col("branches", "Số chi bộ", "int"),
            ],
        )
        if len(s.versions) > 1:
            by_number = {v.number: v for v in s.versions}
            numbers = list(by_number)
            c1, c2 = st.columns(2)
            old = c1.selectbox("So sánh lần nộp", numbers, index=len(numbers) - 2, key="cycle_v_old")
            new = c2.selectbox("với lần nộp", numbers, index=len(numbers) - 1, key="cycle_v_new")
            figures, changes = reporting.compare_versions(
                reporting.version_branches(year, unit, by_number[old].load_id),
                reporting.version_branches(year, unit, by_number[new].load_id),
            )
            tables.show_table(
                figures,
                [
                    export.Col("indicator", "Chỉ tiêu"),
                    export.Col("before", f"Lần {old}"),
                    export.Col("after", f"Lần {new}"),
                    export.Col("change", "Thay đổi"),
                ],
            )
            tables.show_table(
                changes,
                [
                    export.Col("branch_code", "Mã chi bộ"),
                    export.Col("branch_name", "Chi bộ"),
                    export.Col("change", "Thay đổi"),
                    export.Col("details", "Chi tiết"),
                ],
                empty="Hai lần nộp không khác nhau ở chi bộ nào.",
            )
if p.locked:  # nothing can change until an admin unlocks: no action is offered that would be refused
    st.caption(f"Số liệu năm {year} đã khoá: không trả lại, duyệt được nữa (quản trị viên mở khoá, ghi lý do).")
comment = st.text_area(
    "Ý kiến của Ban Tổ chức (bắt buộc khi trả lại)", key="cycle_comment", max_chars=MAX_COMMENT_CHARS, disabled=p.locked
)
ack = st.checkbox("Đã xem xét các cảnh báo", key="cycle_ack", disabled=p.locked) if s.warnings else False
c1, c2 = st.columns(2)
if c1.button("Trả lại để sửa", key="cycle_return", icon=":material/undo:", disabled=p.locked):
    run(
        lambda: cycle.return_for_correction(year, unit, comment, user.username, user.role),
        f"Đã trả lại báo cáo của {names.get(unit, unit)}.",
    )
if c2.button("Duyệt", key="cycle_approve", type="primary", icon=":material/check:", disabled=p.locked):
    run(
        lambda: cycle.approve(year, unit, user.username, user.role, acknowledged=ack, comment=comment),
        f"Đã duyệt báo cáo của {names.get(unit, unit)}.",
    )

if user.role == Role.ADMIN:
    st.header("Chốt số liệu năm")
    if not p.locked:
        confirmed = True
        if unfinished := cycle.unfinished_text(p):  # said before the click, and confirmed
            st.warning(unfinished, icon=":material/warning:")
            confirmed = st.checkbox(f"Tôi xác nhận khoá số liệu năm {year} khi chưa đủ đơn vị", key="cycle_lock_ok")
        if st.button(f"Khoá số liệu năm {year}", key="cycle_lock", icon=":material/lock:", disabled=not confirmed):
            run(
                lambda: cycle.lock_year(year, user.username, user.role, confirmed=confirmed),
                f"Đã khoá số liệu năm {year}.",
            )
    else:
        reason = st.text_input("Lý do mở khoá (bắt buộc)", key="cycle_unlock_reason", max_chars=MAX_COMMENT_CHARS)
        if st.button(f"Mở khoá số liệu năm {year}", key="cycle_unlock", icon=":material/lock_open:"):
            run(lambda: cycle.unlock_year(year, reason, user.username, user.role), f"Đã mở khoá số liệu năm {year}.")
