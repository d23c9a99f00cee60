"""Chất lượng dữ liệu: completeness, reconciliation with the published Biểu (new differences apart from the documented
ones), validation findings, load history — every code, status and time in Vietnamese."""

import polars as pl
import streamlit as st

from dashboard import charts, data, filters, fmt
from dashboard.export import Col
from dashboard.ui import comparisons, downloads, frame, tables

state = filters.current()
st.title("Chất lượng dữ liệu")
tabs = st.tabs(["Mức đầy đủ", "Đối chiếu với Biểu đã công bố", "Lỗi khi nạp", "Lịch sử nạp"])

with tabs[0]:
    comp = data.completeness(state.scope)
    province = comparisons.map_province(state)
    if filters.national() and province is None:  # the country: one row per province, not 3 000+ communes
        places = data.units(state.scope).select("unit_code", "province_code")
        comp = comp.join(places, on="unit_code", how="left").with_columns(
            province_name=pl.col("province_code").replace_strict(
                {c: data.province_name(c) for c in places["province_code"].unique()}, default=None
            )
        )
        heat = charts.completeness_by_province(comp)
        caption = (
            "Mỗi ô: tỉ lệ đơn vị của tỉnh, thành phố nộp báo cáo đầy đủ trong năm (xanh lá: tất cả; đỏ cam: không "
            "đơn vị nào). Di chuột lên ô để xem số đơn vị thiếu trang, ít chi bộ hơn năm trước, chưa nộp; chọn một "
            "tỉnh ở «Tỉnh, thành phố» để xem từng xã, phường."
        )
    else:
        if province:
            comp = comp.join(
                data.units(state.scope).filter(pl.col("province_code") == province).select("unit_code"), on="unit_code"
            )
        heat = charts.completeness_heatmap(comp)
        caption = (
            "Xanh lá: đầy đủ · Vàng: thiếu (hoặc để trống) trang «Cấp uỷ», «Trưởng xóm, đoàn thể» · Cam: số chi bộ "
            "ít hơn 90% năm trước · Đỏ cam: chưa nộp. Di chuột lên ô để xem số chi bộ."
        )
    frame.chart(heat, "heat")
    st.caption(caption)
    cols = [
        Col("unit_code", "Mã đơn vị"),
        Col("unit_name", "Đơn vị"),
        Col("year", "Năm", "year"),
        Col("status", "Tình trạng"),
        Col("branches", "Số chi bộ", "int"),
        Col("branches_previous_year", "Số chi bộ năm trước", "int"),
        Col("committee_members", "Cấp uỷ viên", "int"),
    ]
    downloads.downloads(
        tables.decoded(comp, status="completeness"),
        cols,
        "muc-day-du",
        "Mức đầy đủ của báo cáo",
        state,
        heat,
        key="heat",
    )
    years = tables.coverage_table(state)
    tables.show_table(
        years,
        [
            Col("year", "Năm", "year"),
            Col("reported", "Đơn vị đã nộp", "int"),
            Col("expected", "Đơn vị phải nộp", "int"),
            Col("complete_text", "Đủ để tính toàn tỉnh?"),
        ],
    )

with tabs[1]:
    st.caption(
        "Số liệu đã nạp cộng dồn theo mẫu Biểu 01–07 của Đề án 03-ĐA/TU, đặt cạnh số đã công bố. Chênh lệch chỉ "
        "được giải thích ở những ô mà chính bảng công bố tự mâu thuẫn (cột «Lý do»); mọi chênh lệch khác là mới "
        "và cần kiểm tra."
    )
    rec = tables.reconciliation_view(state.scope)
    diff = rec.filter(pl.col("difference") != 0)  # a cell not compared has no difference
    new = diff.filter(pl.col("consistency_item").is_null())
    c1, c2, c3 = st.columns(3)
    c1.metric("Ô số liệu đã đối chiếu", fmt.num(rec["compared"].sum()))
    c2.metric("Chênh lệch đã giải thích", fmt.num(diff.height - new.height))
    c3.metric("Chênh lệch mới, cần kiểm tra", fmt.num(new.height))
    if note := tables.not_compared_note(rec):
        st.info(note)
    if new.height:
        st.error(f"{fmt.num(new.height)} ô chênh lệch chưa có trong danh mục đã giải thích: xem các dòng «Mới».")
    cols = [
        Col("kind", "Loại"),
        *([Col("status", "Vì sao chưa đối chiếu")] if note else []),
        Col("bieu", "Biểu"),
        Col("year", "Năm", "year"),
        Col("level_code", "Cấp"),
        Col("type_code", "Loại hình"),
        Col("role_code", "Chức vụ"),
        Col("unit_code", "Đơn vị"),
        Col("measure", "Chỉ tiêu"),
        Col("published", "Công bố", "int"),
        Col("loaded", "Đã nạp", "int"),
        Col("difference", "Chênh lệch", "int"),
        Col("consistency_item", "Mục (CONSISTENCY)"),
        Col("reason", "Lý do"),
    ]
    only = st.toggle("Chỉ hiện các ô chênh lệch", value=True, key="rec_only")
    shown = [c for c in cols if c.name != "status"] if only else cols  # a difference is a compared cell
    tables.show_table(diff if only else rec, shown, empty="Không có ô nào chênh lệch.")
    downloads.downloads(rec, cols, "doi-chieu-bieu", "Đối chiếu số liệu đã nạp với Biểu 01–07", state, key="rec")
    facts = data.published_facts().filter(pl.col("inconsistent"))
    st.markdown("**Tỉ lệ ghi trong văn bản không khớp với phép chia:**")
    tables.show_table(
        facts,
        [
            Col("fact_id", "Mã"),
            Col("value", "Tử số", "int"),
            Col("denominator", "Mẫu số", "int"),
            Col("pct_stated", "Tỉ lệ ghi trong văn bản", "pct"),
            Col("pct_computed", "Tỉ lệ tính lại", "pct"),
            Col("quote", "Trích dẫn"),
        ],
    )

with tabs[2]:
    fnd = tables.decoded(data.findings(state.scope), severity="severity")
    tables.show_table(
        fnd,
        [
            Col("load_id", "Lần nạp"),
            Col("file", "Tệp"),
            Col("sheet", "Trang"),
            Col("excel_row", "Dòng", "year"),
            Col("excel_column", "Cột"),
            Col("field", "Tên cột"),
            Col("severity", "Mức"),
            Col("message", "Nội dung"),
        ],
        empty="Chưa có lỗi hay ghi chú nào khi nạp.",
    )

with tabs[3]:
    hist = tables.local_time(
        tables.decoded(data.load_history(state.scope), status="load_status"), "started_at", "finished_at"
    )
    tables.show_table(
        hist,
        [
            Col("load_id", "Lần nạp"),
            Col("started_at", "Bắt đầu"),
            Col("finished_at", "Kết thúc"),
            Col("loaded_by", "Người nạp"),
            Col("status", "Kết quả"),
            Col("file_count", "Số tệp", "int"),
            Col("errors", "Lỗi", "int"),
            Col("warnings", "Ghi chú", "int"),
            Col("files", "Tệp"),
        ],
    )
    ret = tables.local_time(data.returns(state.scope), "loaded_at")
    st.markdown("**Nguồn gốc từng báo cáo trong dữ liệu hiện hành** (tệp, mã băm sha256, số dòng, thời điểm nạp):")
    tables.show_table(
        ret,
        [
            Col("year", "Năm", "year"),
            Col("unit_code", "Mã đơn vị"),
            Col("file_name", "Tệp"),
            Col("sha256", "sha256"),
            Col("branches", "Chi bộ", "int"),
            Col("committee_members", "Cấp uỷ viên", "int"),
            Col("loaded_at", "Thời điểm nạp"),
            Col("loaded_by", "Người nạp"),
        ],
    )
