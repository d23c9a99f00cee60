"""Xếp loại chi bộ: ratings of branches and of grassroots organisations, by unit with drill-down to the branch list
or, for the grassroots organisations, to the unit's đảng bộ and their branches."""

import streamlit as st

from dashboard import charts, data, export, filters
from dashboard.ui import comparisons, downloads, frame, tables, tree, trends
from etl.codes import label

state = filters.current()
st.title("Xếp loại chi bộ")
breaks = data.series_breaks()

mix = data.rating_mix(state.all_years, state.scope)
mix_fig = charts.rating_mix(mix, breaks=breaks)
frame.chart(mix_fig, "mix")
labels = {c: label("rating", c) for c in ("xs", "tot", "ht", "kht")}
downloads.downloads(
    mix.with_columns(mix["rating"].replace_strict(labels, default="Chưa xếp loại")),
    [export.Col("year", "Năm", "year"), export.Col("rating", "Xếp loại"), export.Col("branches", "Số chi bộ", "int")],
    "co-cau-xep-loai",
    "Cơ cấu xếp loại chi bộ",
    state,
    mix_fig,
    key="mix",
)

# branches, and the grassroots organisations (đảng bộ cơ sở by their own rating, chi bộ cơ sở) the Đề án counts
GRASSROOTS = ["grassroots_good", "grassroots_excellent", "grassroots_failed", "suborg_good"]
choice = frame.choose(["branch_good", "branch_excellent", "branch_failed", *GRASSROOTS])
trends.trend_chart(choice, state, key="cb")

unit = comparisons.unit_bars(choice, state, key="cb")
if unit and choice in GRASSROOTS:  # the drill-down follows the tree: the unit's đảng bộ, then their branches
    tree.grassroots(unit, state, key="cb")
elif unit:
    tables.branch_list(unit, state, key="cb")
frame.about(choice)
