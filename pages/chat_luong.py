"""Chất lượng dữ liệu: completeness, validation findings, reconciliation with the published Biểu, load history."""
import polars as pl
import streamlit as st

from dashboard import charts, data, export, filters, ui

state = filters.current()
st.title("Chất lượng dữ liệu")
tabs = st.tabs(["Mức đầy đủ", "Đối chiếu với Biểu đã công bố", "Lỗi khi nạp", "Lịch sử nạp"])

with tabs[0]:
    comp = data.completeness(state.scope)
    st.plotly_chart(charts.completeness_heatmap(comp), key="heat")
    c = comp.group_by("year").agg(pl.col("reported").sum().alias("reported"), pl.len().alias("expected"),
                                  pl.col("branches").sum().alias("branches")).sort("year")
    st.dataframe(c.rename({"year": "Năm", "reported": "Đơn vị đã nộp", "expected": "Đơn vị phải nộp",
                           "branches": "Số chi bộ"}), hide_index=True)

with tabs[1]:
    st.caption("Số liệu đã nạp cộng dồn theo mẫu Biểu 01–07 của Đề án 03-ĐA/TU, đặt cạnh số đã công bố. "
               "Chênh lệch chỉ được phép ở những ô mà chính bảng công bố tự mâu thuẫn (xem cột «Lý do»).")
    rec = data.reconciliation(state.scope)
    diff = rec.filter(pl.col("difference") != 0)
    st.metric("Ô số liệu đã đối chiếu", ui.fmt.num(rec.height), delta=f"{ui.fmt.num(diff.height)} ô chênh lệch",
              delta_color="off")
    cols = [export.Col("bieu", "Biểu"), export.Col("year", "Năm"), export.Col("level_code", "Cấp"),
            export.Col("type_code", "Loại hình"), export.Col("role_code", "Chức vụ"), export.Col("unit_code", "Đơn vị"),
            export.Col("measure", "Chỉ tiêu"), export.Col("published", "Công bố", "int"),
            export.Col("loaded", "Đã nạp", "int"), export.Col("difference", "Chênh lệch", "int"),
            export.Col("consistency_item", "Mục (CONSISTENCY)"), export.Col("reason", "Lý do")]
    only = st.toggle("Chỉ hiện các ô chênh lệch", value=True, key="rec_only")
    shown = diff if only else rec
    st.dataframe(shown.select([c.name for c in cols]).rename({c.name: c.header for c in cols}), hide_index=True,
                 width="stretch")
    ui.downloads(rec, cols, "doi-chieu-bieu", "Đối chiếu số liệu đã nạp với Biểu 01–07", state, key="rec")
    facts = data.published_facts().filter(pl.col("inconsistent"))
    st.markdown("**Tỉ lệ ghi trong văn bản không khớp với phép chia:**")
    st.dataframe(facts.select("fact_id", "subject", "value", "denominator", "pct_stated", "pct_computed", "quote"),
                 hide_index=True, width="stretch")

with tabs[2]:
    fnd = data.findings(state.scope)
    st.dataframe(fnd.select("load_id", "file", "sheet", "excel_row", "excel_column", "field", "severity", "message")
                 .rename({"load_id": "Lần nạp", "file": "Tệp", "sheet": "Trang", "excel_row": "Dòng",
                          "excel_column": "Cột", "field": "Tên cột", "severity": "Mức", "message": "Nội dung"}),
                 hide_index=True, width="stretch")

with tabs[3]:
    hist = data.load_history(state.scope)
    st.dataframe(hist.rename({"load_id": "Lần nạp", "started_at": "Bắt đầu", "finished_at": "Kết thúc",
                              "loaded_by": "Người nạp", "status": "Kết quả", "file_count": "Số tệp", "files": "Tệp",
                              "errors": "Lỗi", "warnings": "Cảnh báo", "snapshot": "Ảnh chụp dữ liệu"}),
                 hide_index=True, width="stretch")
    ret = data.returns(state.scope)
    st.markdown("**Nguồn gốc từng báo cáo trong dữ liệu hiện hành** (tệp, mã băm sha256, số dòng, thời điểm nạp):")
    st.dataframe(ret.select("year", "unit_code", "file_name", "sha256", "branches", "committee_members",
                            "loaded_at", "loaded_by"), hide_index=True, width="stretch")
