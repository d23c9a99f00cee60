"""Hạ tầng: Internet, computers and the e-handbook app — trends, map and the gap in branches."""

import streamlit as st

from dashboard import charts, data, filters, registry, ui

state = filters.current()
st.title("Hạ tầng phục vụ sinh hoạt chi bộ")
ids = ["internet_none", "internet_unstable", "computer_none", "ehandbook"]
ui.kpi_row(ids, state)
choice = ui.choose(ids)
ind = registry.get(choice)
ui.trend_chart(choice, state, key="ht")

by_type = data.indicator(choice, state.filters, state.scope, by=("type",))
fig2 = charts.by_unit(
    by_type.rename({"type_label": "label"}),
    ind,
    None,
    title=f"{ind.short_for()} theo loại hình, năm {state.year}",
    label_col="label",
    key_col="branch_type",
)
ui.chart(fig2, "by-type")
ui.downloads(
    by_type, ui.indicator_cols("type"), f"{choice}-theo-loai-hinh-{state.year}", ind.label, state, fig2, key="ht-type"
)

unit = ui.unit_bars(choice, state, key="ht")
if unit:
    ui.branch_list(unit, state, key="ht")
ui.about(choice)
