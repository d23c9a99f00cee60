"""Bí thư & bồi dưỡng: training coverage of secretaries and deputies, and the roster of those not yet trained."""

import streamlit as st

from dashboard import data, export, filters, fmt
from dashboard.ui import comparisons, downloads, frame, tables, tiles, trends

state = filters.current()
st.title("Bí thư, phó bí thư và bồi dưỡng nghiệp vụ")
ids = [
    "secretary_deputy_trained",
    "secretary_trained",
    "secretary_deputy_theory",
    "secretary_it",
    "village_secretary_post",
]
tiles.kpi_row(ids, state)
choice = frame.choose(ids)
trends.trend_chart(choice, state, key="bt")
comparisons.unit_bars(choice, state, key="bt")

st.header(f"Danh sách bí thư, phó bí thư chưa được bồi dưỡng, năm {state.year}")
st.caption(
    "Dùng làm danh sách triệu tập bồi dưỡng. Không có họ tên: mỗi người được nhận diện bằng mã cán bộ ẩn danh "
    "do đảng bộ cấp."
)
roster = data.untrained_secretaries(state.filters, state.scope)
cols = [
    export.Col("unit_name", "Đơn vị"),
    export.Col("branch_code", "Mã chi bộ"),
    export.Col("branch_name", "Tên chi bộ"),
    export.Col("role_label", "Chức vụ"),
    export.Col("person_id", "Mã cán bộ"),
    export.Col("type_label", "Loại hình"),
]
st.metric("Số người cần bồi dưỡng", fmt.num(roster.height))
tables.show_table(roster, cols, height=320)
downloads.downloads(
    roster,
    cols,
    f"danh-sach-chua-boi-duong-{state.year}",
    "Danh sách bí thư, phó bí thư chưa bồi dưỡng",
    state,
    key="roster",
)
frame.about(choice)
