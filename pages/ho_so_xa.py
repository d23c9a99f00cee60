"""Hồ sơ xã: one unit — every indicator against the province, a funnel comparison, its grassroots organisations
(the organisation tree) and its branches."""

import streamlit as st

from dashboard import charts, data, export, filters, fmt, registry
from dashboard.ui import comparisons, documents, downloads, frame, meetings, tables, tree

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
st.title(f"Hồ sơ {fmt.plain(names.get(unit, unit))}")
documents.brief_download(unit, state)
f_unit = state.filters.but(units=(unit,))

table = data.unit_comparison(f_unit, state.scope)  # the profile's rows, as the brief prints them
hidden = table.height > 0 and table["province"].is_null().any()  # a benchmark withheld (too few other units)
cols = [
    export.Col("indicator", "Chỉ tiêu"),
    export.Col("numerator", "Tử số", "int"),
    export.Col("denominator", "Mẫu số", "int"),
    export.Col("value", "Đơn vị (%)", "pct"),
    export.Col("province", "Toàn tỉnh (%)", "pct"),
    export.Col("judgement_label", "So với toàn tỉnh (phễu 95%)"),
]
if not table.height:  # the level or type filters leave this unit without a branch
    st.info(
        f"{fmt.plain(names.get(unit, unit))} không có chi bộ nào theo bộ lọc đã chọn (năm {state.year}). "
        "Hãy bỏ bớt bộ lọc cấp chi bộ hoặc loại hình."
    )
else:
    st.subheader(f"Các chỉ tiêu năm {state.year} so với toàn tỉnh")
    tables.show_table(table, cols)
    if hidden:
        st.info(comparisons.WITHHELD.format(where=" ở một số chỉ tiêu"), icon=":material/visibility_off:")
    downloads.downloads(table, cols, f"ho-so-{unit}-{state.year}", f"Hồ sơ {names.get(unit, unit)}", state, key="hs")

    choice = st.selectbox(
        "Chỉ tiêu để so sánh", table["id"].to_list(), format_func=lambda i: registry.get(i).label, key="hs_chi_tieu"
    )
    ind = registry.get(choice)
    left, right = st.columns(2)
    with left:
        trend = data.indicator(choice, state.all_years.but(units=(unit,)), state.scope)
        prov = data.province_benchmark(choice, state.all_years, state.scope)
        fig = charts.trend(trend, ind, prov, data.series_breaks() if ind.has_rating_breaks else None)
        frame.chart(fig, "hs-trend")
        comparisons.withheld_note(prov, "hs-trend")
        downloads.downloads(
            trend,
            downloads.indicator_cols("year"),
            f"{choice}-{unit}-theo-nam",
            f"{ind.label} – {names.get(unit, unit)}",
            state,
            fig,
            key="hs-trend",
        )
    with right:
        comparisons.funnel(choice, state, key="hs", highlight=unit)
    tree.grassroots(unit, state, key="hs")
    tables.branch_list(unit, state, key="hs")
    tables.branch_gaps(unit, state, key="hs")
    if state.year in data.meeting_years(state.scope):  # the return's meetings sheet, from 2026
        meetings.branch_meetings(unit, state, key="hs-sh")
