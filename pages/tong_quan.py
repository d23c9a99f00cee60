"""Tổng quan: headline indicators with change and target status, and a map of any indicator by commune."""
import polars as pl
import streamlit as st

from dashboard import data, filters, maps, registry, ui

state = filters.current()
st.title(f"Tổng quan năm {state.year}")
st.caption("Các chỉ tiêu chính toàn tỉnh (hoặc theo bộ lọc), mức thay đổi so với năm trước và tình trạng so với mục tiêu.")

HEADLINE = ["member_good", "branch_good", "sec_trained", "heads_member",
            "internet_none", "computer_none", "ehandbook", "small_branch"]
progress = data.progress(state.scope, scope_kind="unit" if state.scope.is_commune else "province")
if state.scope.is_commune:
    progress = progress.filter(pl.col("scope_code") == state.scope.unit_code)
for row in (HEADLINE[:4], HEADLINE[4:]):
    for col, ind_id in zip(st.columns(4), row):
        with col:
            own = progress.filter((pl.col("indicator_id") == ind_id) & (pl.col("applies") == "own"))
            ui.kpi(ind_id, state, own.sort("target_id").head(1) if own.height else None)

st.subheader("Bản đồ theo xã, phường")
ids = list(registry.indicators())
chosen = st.selectbox("Chỉ tiêu trên bản đồ", ids, index=ids.index("internet_none"), key="chi_tieu",
                      format_func=lambda i: registry.get(i).label, bind="query-params")
ind = registry.get(chosen)
now = data.indicator(chosen, state.filters, state.scope, by=("unit",))
hist = data.indicator(chosen, state.all_years, state.scope, by=("unit", "year"))
trends = {u: list(zip(g["year"].to_list(), g["value"].to_list())) for (u,), g in hist.group_by("unit_code")}
values = {r["unit_code"]: {**r, "trend": sorted(trends.get(r["unit_code"], []))}
          for r in now.filter(pl.col("denominator") > 0).iter_rows(named=True)}
boundaries = data.boundaries_path()
if boundaries is None:
    st.info("Tỉnh này chưa có tệp ranh giới xã, phường: bản đồ không hiển thị được.")
else:
    deck, legend = maps.commune_map(boundaries, values, ind)
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key="overview-map", height=560)
    st.markdown(maps.legend_html(legend, ind), unsafe_allow_html=True)
    st.caption("Ranh giới chỉ mang tính minh hoạ (gis.vn, đã đơn giản hoá); bấm vào một xã để mở hồ sơ.")
    code = maps.selected_code(event)
    if code:
        st.switch_page("pages/ho_so_xa.py", query_params={"dv": code, filters.YEAR: str(state.year)})
ui.about(chosen)
