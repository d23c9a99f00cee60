"""Xếp loại đảng viên: member ratings and admissions, trend and comparison of units with the province."""
import streamlit as st

from dashboard import charts, data, filters, registry, ui

state = filters.current()
st.title("Xếp loại đảng viên")
breaks = data.series_breaks()
choice = st.segmented_control("Chỉ tiêu", ["member_good", "member_excellent", "member_failed", "admission_rate"],
                              default="member_good", format_func=lambda i: registry.get(i).short, key="dv_chi_tieu",
                              required=True)
ind = registry.get(choice)
trend = data.indicator(choice, state.all_years, state.scope)
prov = data.province_benchmark(choice, state.all_years, state.scope) if state.filters.units or state.scope.is_commune else None
fig = charts.trend(trend, ind, prov, breaks if ind.has_rating_breaks else None)
st.plotly_chart(fig, key="trend")
ui.downloads(trend, ui.indicator_cols("year"), f"{choice}-theo-nam", ind.label, state, fig, key="dv-trend")
ui.trend_test_note(trend, ind)

left, right = st.columns(2)
with left:
    unit = ui.unit_bars(choice, state, key="dv")
with right:
    ui.funnel(choice, state, key="dv")
if unit:
    ui.branch_list(unit, state, key="dv")
ui.about(choice)
