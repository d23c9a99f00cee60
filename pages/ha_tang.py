"""Hạ tầng: Internet, computers and the e-handbook app — trends, map and the gap in branches."""
import streamlit as st

from dashboard import charts, data, filters, registry, ui

state = filters.current()
st.title("Hạ tầng phục vụ sinh hoạt chi bộ")
ids = ["internet_none", "internet_unstable", "computer_none", "ehandbook"]
for col, i in zip(st.columns(4), ids):
    with col:
        ui.kpi(i, state)

choice = st.segmented_control("Chỉ tiêu", ids, default="internet_none", format_func=lambda i: registry.get(i).short,
                              key="ht_chi_tieu", required=True)
ind = registry.get(choice)
trend = data.indicator(choice, state.all_years, state.scope)
fig = charts.trend(trend, ind)
st.plotly_chart(fig, key="trend")
ui.downloads(trend, ui.indicator_cols("year"), f"{choice}-theo-nam", ind.label, state, fig, key="ht-trend")

by_type = data.indicator(choice, state.filters, state.scope, by=("type",))
fig2 = charts.by_unit(by_type.rename({"type_label": "label"}), ind, None, title=f"{ind.short} theo loại hình, năm {state.year}",
                      label_col="label", key_col="branch_type")
st.plotly_chart(fig2, key="by-type")
ui.downloads(by_type, ui.indicator_cols("type"), f"{choice}-theo-loai-hinh-{state.year}", ind.label, state, fig2, key="ht-type")

unit = ui.unit_bars(choice, state, key="ht")
if unit:
    ui.branch_list(unit, state, key="ht")
ui.about(choice)
