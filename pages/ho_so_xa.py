"""Hồ sơ xã: one unit — every indicator against the province, a funnel comparison, and its branches."""

import streamlit as st

from dashboard import charts, data, export, filters, registry, ui

state = filters.current()
units = data.units(state.scope)
codes = units["unit_code"].to_list()
names = dict(zip(codes, units["unit_full_name"].to_list()))
if state.scope.is_commune:
    unit = state.scope.unit_code
else:
    if st.session_state.get(filters.PROFILE_UNIT) not in codes:  # opened from the menu, not from the map
        st.session_state[filters.PROFILE_UNIT] = state.filters.units[0] if state.filters.units else codes[0]
    unit = st.selectbox("Đơn vị", codes, format_func=lambda c: names[c], key=filters.PROFILE_UNIT)
st.title(f"Hồ sơ {names.get(unit, unit)}")
ui.brief_download(unit, state)
f_unit = state.filters.but(units=(unit,))

table = data.unit_comparison(f_unit, state.scope)
cols = [
    export.Col("indicator", "Chỉ tiêu"),
    export.Col("numerator", "Tử số", "int"),
    export.Col("denominator", "Mẫu số", "int"),
    export.Col("value", "Đơn vị (%)", "pct"),
    export.Col("province", "Toàn tỉnh (%)", "pct"),
    export.Col("judgement_label", "So với toàn tỉnh (phễu 95%)"),
]
st.subheader(f"Các chỉ tiêu năm {state.year} so với toàn tỉnh")
ui.show_table(table, cols)
ui.downloads(table, cols, f"ho-so-{unit}-{state.year}", f"Hồ sơ {names.get(unit, unit)}", state, key="hs")

choice = st.selectbox(
    "Chỉ tiêu để so sánh", table["id"].to_list(), format_func=lambda i: registry.get(i).label, key="hs_chi_tieu"
)
ind = registry.get(choice)
left, right = st.columns(2)
with left:
    trend = data.indicator(choice, state.all_years.but(units=(unit,)), state.scope)
    prov = data.province_benchmark(choice, state.all_years, state.scope)
    fig = charts.trend(trend, ind, prov, data.series_breaks() if ind.has_rating_breaks else None)
    ui.chart(fig, "hs-trend")
    ui.downloads(
        trend,
        ui.indicator_cols("year"),
        f"{choice}-{unit}-theo-nam",
        f"{ind.label} – {names.get(unit, unit)}",
        state,
        fig,
        key="hs-trend",
    )
with right:
    ui.funnel(choice, state, key="hs", highlight=unit)
ui.branch_list(unit, state, key="hs")
ui.branch_gaps(unit, state, key="hs")
