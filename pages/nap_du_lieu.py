"""Nạp dữ liệu (admin): templates to download; upload returns, see the validation report and the preview, commit."""

import datetime as dt
import hashlib

import polars as pl
import streamlit as st

from dashboard import admin, data, export, filters, fmt, login, reporting
from dashboard.ui import downloads, tables
from etl.annual_return.rows import summary_frame
from etl.findings import ReturnRejected
from etl.load import check_files
from etl.province import load_province
from etl.settings import MAX_FILE_BYTES
from etl.store import StoreError, commit, log_rejected, refusals
from forms.prefill import templates_zip

state = filters.current()
user = login.current_user()
province = load_province()
st.title("Nạp dữ liệu")

st.header("1. Tải biểu mẫu báo cáo")
names = {u.code: u.full_name for u in province.units}
c1, c2 = st.columns([3, 1])
unit = c1.selectbox("Đơn vị", list(names), format_func=lambda c: f"{names[c]} ({c})", key="tpl_unit")
last = max(data.years(), default=dt.date.today().year - 1)  # a real store's first days: no year loaded yet
year = c2.number_input("Năm báo cáo", min_value=2020, max_value=2100, value=last + 1, key="tpl_year")
prefill = st.checkbox("Điền sẵn danh sách chi bộ, đảng bộ năm trước", value=True, key="tpl_prefill")
downloads.template_button(province, unit, year, prefill, "Tải biểu mẫu", "tpl_download")
st.download_button(
    f"Tải biểu mẫu của cả {len(names)} đơn vị (tệp nén)",
    lambda: templates_zip(province, int(year), prefill),
    f"bao-cao-{province.code}-{year}.zip",
    "application/zip",
    on_click="ignore",
    icon=":material/folder_zip:",
    key="tpl_download_all",
)

st.header("2. Tải lên báo cáo đã điền")
if done := st.session_state.pop("commit_message", None):  # the last commit's result, after the page was cleared
    st.success(done)
# A new uploader after each commit (its key changes): the committed files are gone and cannot be committed twice.
upload_round = st.session_state.get("upload_round", 0)
files = st.file_uploader(
    "Chọn một hoặc nhiều tệp (.xlsx, .xls, .ods, .csv; tối đa 20 MB mỗi tệp)",
    accept_multiple_files=True,
    key="upload" if upload_round == 0 else f"upload-{upload_round}",
    max_upload_size=MAX_FILE_BYTES // 1024 // 1024,  # the app's own limit, whatever the server was started with
)
if not files:
    st.stop()
batch = [(f.name, f.getvalue()) for f in files]
key = hashlib.sha256(b"".join(hashlib.sha256(d).digest() for _, d in batch)).hexdigest()
if st.session_state.get("parsed_key") != key:
    with st.spinner("Đang kiểm tra các tệp…"):
        # One worker process with memory and time limits: a hostile file kills it, not the server (etl/sandbox.py).
        st.session_state["parsed"] = check_files(batch, province, parallel=False)
        st.session_state["parsed_key"] = key
        if refused_now := st.session_state["parsed"].refused:  # a refused upload is logged too, once per batch
            log_rejected(list(refused_now), [f for fs in refused_now.values() for f in fs], user.username)
checked = st.session_state["parsed"]
# Valid files this store will not take (a sample return in the real store or the other way round, a committee-year
# approved or locked) are said now, with the files that have errors, never after «Ghi».
blocked = refusals(checked.parsed)
refused = checked.refused | {f.file: [f] for f in blocked}
parsed = [r for r in checked.parsed if r.file_name not in refused]

st.header("3. Kết quả kiểm tra")
if refused:
    st.error(f"{len(refused)} tệp có lỗi và sẽ không được nạp. Sửa theo hướng dẫn dưới đây rồi tải lên lại.")
    rows = [f.as_dict() for fs in refused.values() for f in fs if f.severity == "error"]
    tables.show_table(
        pl.DataFrame(rows),
        [
            export.Col("file", "Tệp"),
            export.Col("sheet", "Trang"),
            export.Col("row", "Dòng"),
            export.Col("column", "Cột"),
            export.Col("field", "Tên cột"),
            export.Col("message", "Nội dung lỗi"),
        ],
        wrap=True,
    )
if checked.rows:
    st.markdown(
        "**Các dòng đã đọc** (mỗi dòng có chữ hoặc số của mỗi trang bảng: được nạp, được nhận ra, hoặc báo lỗi)"
    )
    tables.show_table(
        summary_frame(checked.rows),
        [
            export.Col("file", "Tệp"),
            export.Col("sheet", "Trang"),
            export.Col("read", "Số dòng đã đọc", "int"),
            export.Col("parts", "Gồm"),
        ],
    )
if parsed:
    st.success(f"{len(parsed)} tệp hợp lệ.")
    warnings = [w.as_dict() for r in parsed for w in r.warnings]
    if warnings:
        with st.expander(f"{len(warnings)} ghi chú (không phải lỗi)"):
            tables.show_table(
                pl.DataFrame(warnings), [export.Col("file", "Tệp"), export.Col("message", "Nội dung")], wrap=True
            )
    st.header("4. Xem trước thay đổi")
    changes = admin.load_changes(parsed, state.scope)
    st.markdown(f"**Từng chi bộ thay đổi** ({fmt.num(changes.height)} chi bộ thêm, bớt hoặc có ô thay đổi):")
    tables.show_table(
        changes,
        [
            export.Col("file_name", "Tệp"),
            export.Col("branch_code", "Mã chi bộ"),
            export.Col("branch_name", "Tên chi bộ"),
            export.Col("change", "Thay đổi"),
            export.Col("details", "Ô thay đổi (trước → sau)"),
        ],
        height=300,
        empty="Không chi bộ nào thay đổi so với số liệu hiện có.",
    )
    st.markdown("**Tổng hợp theo báo cáo** (trước và sau khi ghi):")
    preview = admin.load_preview(parsed, state.scope)
    tables.show_table(
        preview,
        [
            export.Col("file_name", "Tệp"),
            export.Col("year", "Năm", "year"),
            export.Col("unit_code", "Đơn vị"),
            export.Col("branches_before", "Chi bộ trước", "int"),
            export.Col("branches_after", "Chi bộ sau", "int"),
            export.Col("added", "Thêm", "int"),
            export.Col("removed", "Bớt", "int"),
            export.Col("members_before", "Đảng viên trước", "int"),
            export.Col("members_after", "Đảng viên sau", "int"),
            export.Col("member_good_before", "ĐV HTTNV+ trước", "pct"),
            export.Col("member_good_after", "ĐV HTTNV+ sau", "pct"),
            export.Col("internet_none_before", "Chưa có Internet trước", "pct"),
            export.Col("internet_none_after", "Chưa có Internet sau", "pct"),
        ],
    )
    partial = st.checkbox("Nạp các tệp hợp lệ, bỏ qua tệp có lỗi", value=False, key="partial") if refused else True
    c1, c2 = st.columns(2)
    if c1.button("Ghi vào dữ liệu", type="primary", disabled=not partial, key="commit", icon=":material/save:"):
        try:
            with st.spinner("Đang ghi…"):
                # a return of a year in its reporting cycle is its committee's submission (with its warnings)
                result = commit(parsed, province, user.username, submissions=reporting.submissions_of(parsed))
        except (ReturnRejected, StoreError) as e:
            st.error(fmt.plain(str(e)))  # names files and branch codes typed by others
        else:
            for k in ("parsed", "parsed_key"):
                st.session_state.pop(k, None)
            st.session_state["upload_round"] = upload_round + 1
            st.session_state["commit_message"] = (
                f"Đã nạp {result.returns} báo cáo ({fmt.num(result.branches)} chi bộ); "
                f"thay thế {result.replaced} báo cáo cũ."
            )
            data.clear_cache()
            st.rerun()
    if c2.button("Huỷ", key="cancel", icon=":material/close:"):
        for k in ("parsed", "parsed_key"):
            st.session_state.pop(k, None)
        st.session_state["upload_round"] = upload_round + 1
        st.rerun()
