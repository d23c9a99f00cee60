"""Hạ tầng: Internet, computers and the e-handbook app — trends, map and the gap in branches."""

import streamlit as st

from dashboard import charts, data, filters, registry
from dashboard.ui import comparisons, downloads, frame, tables, tiles, trends

state = filters.current()
st.title("Hạ tầng phục vụ sinh hoạt chi bộ")
ids = ["internet_none", "internet_unstable", "computer_none", "ehandbook"]
tiles.kpi_row(ids, state)
choice = frame.choose(ids)
ind = registry.get(choice)
trends.trend_chart(choice, state, key="ht")

by_type = data.indicator(choice, state.filters, state.scope, by=("type",))
fig2 = charts.by_unit(
    by_type.rename({"type_label": "label"}),
    ind,
    None,
    title=f"{ind.short_for()} theo loại hình, năm {state.year}",
    label_col="label",
    key_col="branch_type",
)
frame.chart(fig2, "by-type")
downloads.downloads(
    by_type,
    downloads.indicator_cols("type"),
    f"{choice}-theo-loai-hinh-{state.year}",
    ind.label,
    state,
    fig2,
    key="ht-type",
)

unit = comparisons.unit_bars(choice, state, key="ht")
if unit:
    tables.branch_list(unit, state, key="ht")
frame.about(choice)
