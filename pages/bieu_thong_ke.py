"""Biểu thống kê: the official Biểu 01–07 regenerated from the loaded data, for the province or one unit."""

import streamlit as st

from dashboard import data, export, filters
from dashboard.ui import downloads, frame, meetings

state = filters.current()
st.title("Biểu thống kê 01–07")
st.caption(
    f"Tạo lại các biểu theo bố cục đã công bố{frame.bieu_source()}, từ số liệu đã nạp; Biểu 03a (kết quả xếp loại tổ "
    "chức cơ sở đảng: đảng bộ cơ sở theo xếp loại của chính đảng bộ, chi bộ cơ sở) theo bố cục Biểu 03, gồm các đơn "
    "vị có báo cáo liệt kê đảng bộ cơ sở."
)
units = data.units(state.scope)
names = dict(zip(units["unit_code"].to_list(), units["unit_full_name"].to_list()))
options = [None] + list(names) if not state.scope.is_commune else [state.scope.unit_code]
unit = st.selectbox("Phạm vi", options, format_func=lambda c: "Toàn tỉnh" if c is None else names[c], key="bieu_dv")
scope_text = "toàn tỉnh" if unit is None else names[unit]
st.download_button(
    f"Tải Biểu 01–07 ({scope_text}, năm {state.year})",
    downloads.audited(
        lambda: export.bieu_workbook(state.year, state.scope, unit),
        f"Biểu 01–07 ({scope_text})",
        "xlsx",
        filters.describe(state),
    ),
    f"bieu-01-07-{unit or 'toan-tinh'}-{state.year}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
    icon=":material/download:",
    type="primary",
    key="bieu-xlsx",
)
st.markdown("Các biểu: " + ", ".join(export.BIEU_SHEETS) + ". Biểu 03, 03a và 07 gồm mọi năm đã nạp.")

# The meetings sheet (from the 2026 return) has no published Biểu: its table in the same spirit, by committee.
if state.year in data.meeting_years(state.scope):
    meetings.meeting_table(state)
else:
    st.caption(meetings.no_data_text(state.year, data.meeting_years(state.scope)))

# A preview on screen of one Biểu, as the workbook lays it out (the same layout: export.bieu_layouts).
layouts = export.bieu_layouts(data.bieu_tables(state.scope, unit), state.year, data.unit_names())
st.header("Xem trước một biểu")
shown = st.selectbox(
    "Biểu", range(len(layouts)), format_func=lambda i: f"{layouts[i].sheet}: {layouts[i].title}", key="bieu_xem"
)
if layouts[shown].note:
    st.caption(layouts[shown].note)
if layouts[shown].rows:
    preview = export.bieu_preview(layouts[shown])
    st.dataframe(
        preview,
        hide_index=True,
        width="stretch",
        height=min(620, 38 + 35 * preview.height),
        # the row's number and name stay in view while the figures scroll sideways
        column_config={c: st.column_config.TextColumn(pinned=True) for c in preview.columns[:2]},
    )
st.caption(
    f"Phạm vi: {scope_text}; năm {state.year}. Tệp Excel in khổ A4 ngang, vừa chiều rộng trang, dòng tiêu đề lặp lại "
    "trên mỗi trang."
)
