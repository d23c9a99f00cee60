"""Sinh hoạt chi bộ: the branches' meetings (the return's sheet from 2026) — the first year told honestly, the key
indicators against their targets, the map, the units against the province and the drill-down to branches, the
per-unit targets, the Biểu-style table and the score sheet to print."""

import polars as pl
import streamlit as st

from dashboard import data, filters, maps, registry
from dashboard.ui import comparisons, downloads, figures, frame, meetings, tiles

state = filters.current()
st.title(f"Sinh hoạt chi bộ năm {state.year}")
years = data.meeting_years(state.scope)
if state.year not in years:
    st.info(meetings.no_data_text(state.year, years), icon=":material/event_busy:")
    meetings.score_sheet_downloads("none")
    st.stop()
meetings.first_year_note(state, years)

progress = meetings.progress_rows(state)


def tile(ind_id: str) -> None:
    rows = progress.filter(pl.col("indicator_id") == ind_id).sort("applies", "target_id", descending=[True, False])
    tiles.kpi(ind_id, state, rows.head(1) if rows.height else None)


tiles.grid(meetings.KEY, tile)  # tiles that wrap on a narrow screen

choice = frame.choose(meetings.IDS)
ind = registry.get(choice)
if not state.scope.is_commune:
    st.header("Bản đồ theo xã, phường")
    width = maps.PHONE_WIDTH if frame.phone() else maps.MAP_WIDTH  # the zoom fits the width the map has
    fig = figures.overview_map(choice, state.filters, state.all_years, state.scope, width=width)
    if fig is not None:
        frame.chart(fig, "sh-map", config={"scrollZoom": True})
        now = data.indicator(choice, state.filters, state.scope, by=("unit",))
        comparisons.off_map_units(now, ind, state.scope)
        downloads.downloads(
            now, downloads.indicator_cols("unit"), f"ban-do-{choice}-{state.year}", ind.label, state, fig, key="sh-map"
        )
unit = comparisons.unit_bars(choice, state, key="sh")
comparisons.funnel(choice, state, key="sh", highlight=unit if state.scope.is_commune else None)
if unit:
    meetings.branch_meetings(unit, state, key="sh-branches")
meetings.unit_targets(state)
meetings.meeting_table(state)
with st.expander("Phiếu chấm điểm một kỳ sinh hoạt", icon=":material/print:"):
    meetings.score_sheet_downloads("page")
frame.about(choice)
