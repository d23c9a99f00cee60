"""Bí thư & bồi dưỡng: training coverage of secretaries and deputies, and the roster of those not yet trained."""
import streamlit as st

from dashboard import charts, data, export, filters, registry, ui

state = filters.current()
st.title("Bí thư, phó bí thư và bồi dưỡng nghiệp vụ")
ids = ["sec_trained", "secretary_trained", "sec_theory", "sec_it", "sec_concurrent"]
for col, i in zip(st.columns(5), ids):
    with col:
        ui.kpi(i, state)

choice = st.segmented_control("Chỉ tiêu", ids, default="sec_trained", format_func=lambda i: registry.get(i).short,
                              key="bt_chi_tieu", required=True)
ind = registry.get(choice)
trend = data.indicator(choice, state.all_years, state.scope)
fig = charts.trend(trend, ind)
st.plotly_chart(fig, key="trend")
ui.downloads(trend, ui.indicator_cols("year"), f"{choice}-theo-nam", ind.label, state, fig, key="bt-trend")
ui.unit_bars(choice, state, key="bt")

st.subheader(f"Danh sách bí thư, phó bí thư chưa được bồi dưỡng, năm {state.year}")
st.caption("Dùng làm danh sách triệu tập bồi dưỡng. Không có họ tên: mỗi người được nhận diện bằng mã cán bộ ẩn danh "
           "do đảng bộ cấp.")
roster = data.untrained_secretaries(state.filters, state.scope)
cols = [export.Col("unit_name", "Đơn vị"), export.Col("branch_code", "Mã chi bộ"), export.Col("branch_name", "Tên chi bộ"),
        export.Col("role_label", "Chức vụ"), export.Col("person_id", "Mã cán bộ"), export.Col("type_label", "Loại hình")]
st.metric("Số người cần bồi dưỡng", ui.fmt.num(roster.height))
ui.show_table(roster, cols, height=320)
ui.downloads(roster, cols, f"danh-sach-chua-boi-duong-{state.year}", "Danh sách bí thư, phó bí thư chưa bồi dưỡng",
             state, key="roster")
ui.about(choice)
