"""Tổng quan: headline indicators with change and target status, and a map of any indicator by commune."""

from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import data, filters, maps, registry, urlstate
from dashboard.ui import comparisons, downloads, figures, frame, tables, tiles
from reports import panel

state = filters.current()
st.title(f"Tổng quan năm {state.year}")
st.caption(tiles.overview_caption(state))
progress = data.progress(state.scope, scope_kind="unit" if state.scope.is_commune else "province")
if state.scope.is_commune:
    progress = progress.filter(pl.col("scope_code") == state.scope.unit_code)


def tile(ind_id: str) -> None:
    own = progress.filter((pl.col("indicator_id") == ind_id) & (pl.col("applies") == "own"))
    tiles.kpi(ind_id, state, own.sort("deadline", "target_id").head(1) if own.height else None)


tiles.grid(tiles.headline(), tile)

if state.scope.is_commune:
    tables.branch_gaps(state.scope.unit_code, state, key="tq")
ids = list(registry.indicators())
urlstate.param(filters.INDICATOR, ids, default="internet_none", what="chỉ tiêu", resolve=registry.resolve)
# A national deployment opens on the country by province; a click on a province opens its communes.
province = comparisons.map_province(state)
by_province = filters.national() and province is None
st.header("Bản đồ theo tỉnh, thành phố" if by_province else "Bản đồ theo xã, phường")
chosen = st.selectbox("Chỉ tiêu trên bản đồ", ids, key=filters.INDICATOR, format_func=lambda i: registry.get(i).label)
ind = registry.get(chosen)
now = data.indicator(chosen, state.filters, state.scope, by=("province" if by_province else "unit",))
phone = frame.phone()
width = maps.PHONE_WIDTH if phone else maps.MAP_WIDTH  # the map's zoom fits the width it is drawn at
fig = figures.overview_map(chosen, state.filters, state.all_years, state.scope, by_province, province, width=width)
if fig is None:  # no boundaries: the map is absent, said in words (a bloc's units have no territory at all)
    st.info(figures.no_map_reason(), icon=":material/map:")
else:
    # The map at the width its zoom was fitted to; beside it (below it on a narrow screen) the units that need
    # attention most.
    with st.container(horizontal=True, gap="medium"):
        with st.container(width="stretch" if phone else width):
            event = frame.chart(
                fig, "overview-map", on_select="rerun", selection_mode="points", config={"scrollZoom": True}
            )
        if not by_province and not state.scope.is_commune:
            with st.container(key="attention"):
                comparisons.attention(state, tiles.headline(), Path(__file__).with_name("ho_so_xa.py"))
    st.caption(
        "Ranh giới chỉ mang tính minh hoạ (gis.vn qua lamngockhuong/vietnam-3d-map, đã đơn giản hoá; "
        "mã ĐVHC: Công văn 1027/CTK-CSCL). "
        + (
            "Bấm vào một tỉnh để xem các xã, phường."
            if by_province
            else "Bấm vào đơn vị để mở hồ sơ."
            if state.scope.is_commune
            else "Bấm vào một xã để mở hồ sơ."
        )
    )
    if not by_province:
        comparisons.off_map_units(now, ind, state.scope)
    downloads.downloads(
        now,
        downloads.indicator_cols("province" if by_province else "unit"),
        f"ban-do-{chosen}-{state.year}",
        f"{ind.label} theo {'tỉnh' if by_province else 'đơn vị'}",
        state,
        fig,
        key="map",
    )
    code = maps.selected_code(event)
    if code and by_province:  # the province's communes, the province kept in the URL (?tinh=12)
        filters.open_province(code)
    elif code:
        # The profile opens on the clicked commune; the filters travel in the URL.
        urlstate.switch(Path(__file__).with_name("ho_so_xa.py"), **{filters.PROFILE_UNIT: code})
frame.about(chosen)
panel.documents(state)
