"""Chất lượng dữ liệu: completeness, validation findings, reconciliation with the published Biểu, load history."""

import polars as pl
import streamlit as st

from dashboard import charts, data, export, filters, ui

state = filters.current()
st.title("Chất lượng dữ liệu")
tabs = st.tabs(["Mức đầy đủ", "Đối chiếu với Biểu đã công bố", "Lỗi khi nạp", "Lịch sử nạp"])

with tabs[0]:
    comp = data.completeness(state.scope)
    heat = charts.completeness_heatmap(comp)
    st.plotly_chart(heat, key="heat")
    st.caption(
        "Xanh lá: đầy đủ · Vàng: thiếu trang «Cấp uỷ» hoặc «Trưởng xóm, đoàn thể» · Cam: số chi bộ ít hơn 90% "
        "năm trước · Đỏ cam: chưa nộp. Di chuột lên ô để xem số chi bộ."
    )
    ui.downloads(
        comp,
        [
            export.Col("unit_code", "Mã đơn vị"),
            export.Col("unit_name", "Đơn vị"),
            export.Col("year", "Năm", "int"),
            export.Col("status", "Tình trạng"),
            export.Col("branches", "Số chi bộ", "int"),
            export.Col("branches_previous_year", "Số chi bộ năm trước", "int"),
            export.Col("committee_members", "Cấp uỷ viên", "int"),
        ],
        "muc-day-du",
        "Mức đầy đủ của báo cáo",
        state,
        heat,
        key="heat",
    )
    c = (
        comp.group_by("year")
        .agg(
            pl.col("reported").sum().alias("reported"),
            pl.len().alias("expected"),
            pl.col("branches").sum().alias("branches"),
        )
        .sort("year")
    )
    ui.show_table(
        c,
        [
            export.Col("year", "Năm"),
            export.Col("reported", "Đơn vị đã nộp", "int"),
            export.Col("expected", "Đơn vị phải nộp", "int"),
            export.Col("branches", "Số chi bộ", "int"),
        ],
    )

with tabs[1]:
    st.caption(
        "Số liệu đã nạp cộng dồn theo mẫu Biểu 01–07 của Đề án 03-ĐA/TU, đặt cạnh số đã công bố. "
        "Chênh lệch chỉ được phép ở những ô mà chính bảng công bố tự mâu thuẫn (xem cột «Lý do»)."
    )
    rec = data.reconciliation(state.scope)
    diff = rec.filter(pl.col("difference") != 0)
    st.metric(
        "Ô số liệu đã đối chiếu",
        ui.fmt.num(rec.height),
        delta=f"{ui.fmt.num(diff.height)} ô chênh lệch",
        delta_color="off",
    )
    cols = [
        export.Col("bieu", "Biểu"),
        export.Col("year", "Năm"),
        export.Col("level_code", "Cấp"),
        export.Col("type_code", "Loại hình"),
        export.Col("role_code", "Chức vụ"),
        export.Col("unit_code", "Đơn vị"),
        export.Col("measure", "Chỉ tiêu"),
        export.Col("published", "Công bố", "int"),
        export.Col("loaded", "Đã nạp", "int"),
        export.Col("difference", "Chênh lệch", "int"),
        export.Col("consistency_item", "Mục (CONSISTENCY)"),
        export.Col("reason", "Lý do"),
    ]
    only = st.toggle("Chỉ hiện các ô chênh lệch", value=True, key="rec_only")
    shown = diff if only else rec
    ui.show_table(shown, cols)
    ui.downloads(rec, cols, "doi-chieu-bieu", "Đối chiếu số liệu đã nạp với Biểu 01–07", state, key="rec")
    facts = data.published_facts().filter(pl.col("inconsistent"))
    st.markdown("**Tỉ lệ ghi trong văn bản không khớp với phép chia:**")
    ui.show_table(
        facts,
        [
            export.Col("fact_id", "Mã"),
            export.Col("value", "Tử số", "int"),
            export.Col("denominator", "Mẫu số", "int"),
            export.Col("pct_stated", "Tỉ lệ ghi trong văn bản", "pct"),
            export.Col("pct_computed", "Tỉ lệ tính lại", "pct"),
            export.Col("quote", "Trích dẫn"),
        ],
    )

with tabs[2]:
    fnd = data.findings(state.scope)
    ui.show_table(
        fnd,
        [
            export.Col("load_id", "Lần nạp"),
            export.Col("file", "Tệp"),
            export.Col("sheet", "Trang"),
            export.Col("excel_row", "Dòng"),
            export.Col("excel_column", "Cột"),
            export.Col("field", "Tên cột"),
            export.Col("severity", "Mức"),
            export.Col("message", "Nội dung"),
        ],
    )

with tabs[3]:
    hist = data.load_history(state.scope)
    ui.show_table(
        hist,
        [
            export.Col("load_id", "Lần nạp"),
            export.Col("started_at", "Bắt đầu"),
            export.Col("finished_at", "Kết thúc"),
            export.Col("loaded_by", "Người nạp"),
            export.Col("status", "Kết quả"),
            export.Col("file_count", "Số tệp", "int"),
            export.Col("errors", "Lỗi", "int"),
            export.Col("warnings", "Cảnh báo", "int"),
            export.Col("files", "Tệp"),
        ],
    )
    ret = data.returns(state.scope)
    st.markdown("**Nguồn gốc từng báo cáo trong dữ liệu hiện hành** (tệp, mã băm sha256, số dòng, thời điểm nạp):")
    ui.show_table(
        ret,
        [
            export.Col("year", "Năm"),
            export.Col("unit_code", "Mã đơn vị"),
            export.Col("file_name", "Tệp"),
            export.Col("sha256", "sha256"),
            export.Col("branches", "Chi bộ", "int"),
            export.Col("committee_members", "Cấp uỷ viên", "int"),
            export.Col("loaded_at", "Thời điểm nạp"),
            export.Col("loaded_by", "Người nạp"),
        ],
    )
