"""Hồ sơ xã: one unit — every indicator against the province, a funnel comparison, its grassroots organisations
(the organisation tree) and its branches."""

import streamlit as st

from dashboard import charts, data, export, filters, fmt, registry, urlstate
from dashboard.ui import comparisons, downloads, frame, meetings, tables, tree
from reports import panel

state = filters.current()
units = data.units(state.scope)
codes = units["unit_code"].to_list()
names = dict(zip(codes, units["unit_full_name"].to_list()))
if state.scope.is_commune:  # its own unit; another's in a link is dropped, and the page says so
    urlstate.param(filters.PROFILE_UNIT, codes, default=state.scope.unit_code, what="đơn vị")
    unit = state.scope.unit_code
else:  # opened from the menu: the sidebar's first unit, or the first of the list
    first = state.filters.units[0] if state.filters.units else codes[0]
    urlstate.param(filters.PROFILE_UNIT, codes, default=first, what="đơn vị")
    unit = st.selectbox("Đơn vị", codes, format_func=lambda c: names[c], key=filters.PROFILE_UNIT)
urlstate.narrowed_notice()
st.title(f"Hồ sơ {fmt.plain(names.get(unit, unit))}")
panel.brief_download(unit, state)
f_unit = state.filters.but(units=(unit,))
mine = state.of_unit(unit)  # what the exports say they hold: this unit, not the sidebar's selection

table = data.unit_comparison(f_unit, state.scope)  # the profile's rows, as the brief prints them
hidden = set(table["withheld"].drop_nulls())  # why a benchmark is withheld for a commune user
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
    st.header(f"Các chỉ tiêu năm {state.year} so với toàn tỉnh")
    tables.show_table(table, cols)
    for reason in sorted(hidden):
        st.info(comparisons.WITHHELD[reason].format(where=" ở một số chỉ tiêu"), icon=":material/visibility_off:")
    downloads.downloads(table, cols, f"ho-so-{unit}-{state.year}", f"Hồ sơ {names.get(unit, unit)}", mine, key="hs")

    urlstate.param(
        "so_sanh", table["id"].to_list(), default=table["id"][0], what="chỉ tiêu so sánh", resolve=registry.resolve
    )
    choice = st.selectbox(
        "Chỉ tiêu để so sánh", table["id"].to_list(), format_func=lambda i: registry.get(i).label, key="so_sanh"
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
            mine,
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
