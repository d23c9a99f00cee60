"""Nộp báo cáo (a committee's own user): download its pre-filled return, upload it, read the validation report and
the warnings, submit; see the status and the province's comment."""

import hashlib

import polars as pl
import streamlit as st

from dashboard import data, export, fmt, login, reporting
from dashboard.ui import downloads, tables
from etl import cycle
from etl.codes import label
from etl.load import check_files
from etl.province import load_province, unit_words
from etl.settings import MAX_FILE_BYTES
from etl.store import refusals

user = login.current_user()
province = load_province()
unit = user.unit_code
st.title("Nộp báo cáo")
if done := st.session_state.pop("submit_message", None):
    st.success(done)

periods = {y: p for y, p in cycle.periods().items() if unit in p.units}
if not periods:
    st.info(
        "Chưa có kỳ báo cáo nào được mở cho đơn vị. Khi quản trị viên của Tỉnh uỷ mở kỳ báo cáo của năm (kèm hạn "
        "nộp), trang này cho tải biểu mẫu đã điền sẵn danh sách chi bộ, đảng bộ và nộp báo cáo của đơn vị.",
        icon=":material/event_busy:",
    )
    st.stop()
year = st.selectbox("Kỳ báo cáo năm", sorted(periods, reverse=True), key="submit_year")
p = periods[year]
s = p.units[unit]
st.markdown(
    f"**Trạng thái: {label('cycle_status', p.status(unit))}** · hạn nộp {p.deadline:%d/%m/%Y} · "
    f"số lần đã nộp: {fmt.num(s.version)}"
)
if s.status == cycle.RETURNED:
    st.warning(f"Ban Tổ chức trả lại báo cáo: {fmt.plain(s.comment)}", icon=":material/undo:")
if refusal := cycle.replace_refusal(year, unit):
    st.info(refusal, icon=":material/lock:")
    st.stop()

st.header("1. Tải biểu mẫu của đơn vị")
downloads.template_button(
    province, unit, year, True, "Tải biểu mẫu (điền sẵn danh sách chi bộ, đảng bộ năm trước)", "submit_template"
)

st.header("2. Tải lên báo cáo đã điền")
upload_round = st.session_state.get("submit_round", 0)
f = st.file_uploader(
    "Chọn tệp báo cáo (.xlsx, .xls, .ods, .csv; tối đa 20 MB)",
    key=f"submit_upload-{upload_round}",
    max_upload_size=MAX_FILE_BYTES // 1024 // 1024,
)
if f is None:
    st.stop()
batch = [(f.name, f.getvalue())]
key = hashlib.sha256(batch[0][1]).hexdigest() + str(year)
if st.session_state.get("submit_key") != key:
    with st.spinner("Đang kiểm tra tệp…"):
        st.session_state["submit_checked"] = check_files(batch, province, parallel=False, allowed_years=[int(year)])
        st.session_state["submit_key"] = key
checked = st.session_state["submit_checked"]

st.header("3. Kết quả kiểm tra")
if checked.refused:
    rows = [x.as_dict() for fs in checked.refused.values() for x in fs if x.severity == "error"]
    st.error(f"Tệp có {fmt.num(len(rows))} lỗi. Sửa theo hướng dẫn dưới đây rồi tải lên lại.")
    tables.show_table(
        pl.DataFrame(rows),
        [
            export.Col("sheet", "Trang"),
            export.Col("row", "Dòng"),
            export.Col("column", "Cột"),
            export.Col("field", "Tên cột"),
            export.Col("message", "Nội dung lỗi"),
        ],
        wrap=True,
    )
else:
    r = checked.parsed[0]
    if r.unit_code != unit:
        st.error(f"Tệp là báo cáo của {fmt.plain(unit_words(r.unit_code))}, không phải của đơn vị bạn: không nộp được.")
        st.stop()
    if blocked := refusals([r]):  # e.g. a real return sent to a demonstration (the sample store)
        st.error(fmt.plain(blocked[0].message))
        st.stop()
    st.success(f"Tệp hợp lệ: {fmt.num(r.branches.height)} chi bộ.")
    for w in reporting.return_warnings(unit, int(year), r.branches, meetings=r.meetings, unit_year=r.unit_year):
        st.warning(fmt.plain(w.text), icon=":material/report:")
if checked.refused:
    st.caption("Tệp có lỗi không nộp được: sửa các lỗi trên rồi tải tệp lên lại.")
if st.button("Nộp báo cáo", type="primary", key="submit_send", icon=":material/send:", disabled=bool(checked.refused)):
    try:
        message = reporting.submit_return(int(year), checked, user.username, user.role, unit, province)
    except ValueError as e:
        st.error(fmt.plain(str(e)))
    else:
        st.session_state["submit_message"] = message
        st.session_state["submit_round"] = upload_round + 1
        for k in ("submit_checked", "submit_key"):
            st.session_state.pop(k, None)
        data.clear_cache()
        st.rerun()
