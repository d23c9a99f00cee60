"""The shared filters (year, units, levels, types): widgets in the sidebar, kept in the URL, read by every page.

The URL is kept in step by dashboard/urlstate.py (a copied link reproduces the view: ?nam=2024&xa=01273&loai=xom);
widgets' own `bind="query-params"` is not used: bound parameters cannot be carried by st.switch_page (a click on the
map would fail once a filter is set), and a bound multiselect writes its display labels, not codes."""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from dashboard import data, fmt, urlstate
from dashboard.scope import Coverage, Filters, Scope
from etl.codes import codes

YEAR, PROVINCE, UNITS, LEVELS, TYPES = "nam", "tinh", "xa", "cap", "loai"
KEYS = (YEAR, PROVINCE, UNITS, LEVELS, TYPES)
# Page-level state also kept in the URL (declared by the pages): the page's indicator (the map's, or the one chosen on
# a page), the profile's unit, and the unit whose branches a page lists (the drill-down).
INDICATOR, PROFILE_UNIT, DRILL = "chi_tieu", "dv", "xem"


@dataclass(frozen=True)
class State:
    """What the pages need: the reporting year, the filters for that year, and the same filters over all years."""

    year: int | None  # None only before the store has any return
    filters: Filters  # point-in-time views (maps, tables): the selected year
    all_years: Filters  # trends: every year
    scope: Scope
    coverage: Coverage | None = None  # how many of the selected units reported in `year`

    @property
    def complete(self) -> bool:
        return self.coverage is None or self.coverage.complete

    def of_unit(self, unit: str) -> State:
        """The same state narrowed to one unit (a profile's unit, whatever the sidebar selects): what its exports
        say they hold."""
        return replace(self, filters=self.filters.but(units=(unit,)), all_years=self.all_years.but(units=(unit,)))

    @property
    def until_year(self) -> Filters:
        """The filters over every year up to the selected one (progress as of that year): all years when it is the
        latest loaded."""
        years = data.years()
        if not years or self.year >= max(years):
            return self.all_years
        return self.all_years.but(years=tuple(y for y in years if y <= self.year))


def national() -> bool:
    """A national deployment (PARTYDASH_PROVINCE=00): the country, its provinces, their communes."""
    from etl.province import NATIONAL_CODE, load_province

    return load_province().code == NATIONAL_CODE


def sidebar(scope: Scope, page: str = "") -> State:
    """Draw the filters (the entry script calls this, so they are shared by all pages) and return the state."""
    years = data.years()
    if not years:  # a real store before its first returns: nothing to filter (app.no_data says so)
        st.session_state["_filter_state"] = State(None, Filters(), Filters(), scope)
        return st.session_state["_filter_state"]
    cov = Coverage.by_year(data.coverage(Filters(), scope))
    units = data.units(scope)
    lab = {d: {c.code: c.short for c in cs} for d, cs in codes().items()}
    # A year in which only some units have reported is never the default (it is not the province's year): judged
    # on the province's units for every user, so a commune that has submitted does not open on a year the
    # province has not (its own single unit would make any year «complete»).
    urlstate.param(YEAR, years, default=default_year(data.province_coverage()), keep=True, carry=True, what="năm")
    many_provinces = national() and not scope.is_commune and not scope.is_one_province
    provinces = sorted(set(units["province_code"])) if many_provinces else []
    urlstate.param(PROVINCE, provinces, keep=True, carry=True, what="tỉnh, thành phố")
    all_units = [] if scope.is_commune else units["unit_code"].to_list()
    urlstate.param(UNITS, all_units, many=True, keep=True, carry=True, what="đơn vị")
    urlstate.param(LEVELS, list(lab["level"]), many=True, keep=True, carry=True, what="cấp chi bộ")
    urlstate.param(TYPES, list(lab["branch_type"]), many=True, keep=True, carry=True, what="loại hình")
    with st.sidebar:
        st.markdown("### Bộ lọc")
        year = st.selectbox("Năm báo cáo", years, key=YEAR, format_func=lambda y: _year_label(y, cov))
        province = None
        if scope.is_one_province:
            st.caption(f"Tỉnh, thành phố: **{data.province_name(scope.province_code)}**")
        elif many_provinces:
            province = st.selectbox(
                "Tỉnh, thành phố",
                [None, *provinces],
                format_func=lambda c: "Toàn quốc" if c is None else data.province_name(c),
                key=PROVINCE,
                on_change=_province_changed,
            )
        if province:  # the communes of the province chosen
            units = units.filter(units["province_code"] == province)
        names = dict(zip(units["unit_code"].to_list(), units["unit_full_name"].to_list()))
        if st.session_state.get(UNITS):  # a link's communes of another province than the one chosen
            st.session_state[UNITS] = [u for u in st.session_state[UNITS] if u in names]
        if scope.is_commune:
            st.caption(f"Đơn vị: **{fmt.plain(names.get(scope.unit_code, scope.unit_code))}**")
            chosen_units: list[str] = []
        else:
            chosen_units = st.multiselect(
                "Đơn vị (xã, phường, đảng uỷ trực thuộc)",
                list(names),
                format_func=lambda c: names.get(c, c),
                key=UNITS,
                placeholder="Toàn quốc" if national() and not province else "Toàn tỉnh",
                select_all=False,  # Streamlit's «Select all» option is English
            )
        levels = st.multiselect(
            "Cấp chi bộ",
            list(lab["level"]),
            format_func=lambda c: lab["level"][c],
            key=LEVELS,
            placeholder="Tất cả",
            select_all=False,
        )
        types = st.multiselect(
            "Loại hình",
            list(lab["branch_type"]),
            format_func=lambda c: lab["branch_type"][c],
            key=TYPES,
            placeholder="Tất cả",
            select_all=False,
        )
        st.button("Đặt lại bộ lọc", on_click=reset, icon=":material/restart_alt:", width="stretch")
    base = Filters(
        units=tuple(chosen_units), levels=tuple(levels), types=tuple(types), provinces=(province,) if province else ()
    )
    coverage = Coverage.by_year(data.coverage(base, scope)).get(int(year))
    state = State(int(year), base.but(years=(int(year),)), base, scope, coverage)
    st.session_state["_filter_state"] = state
    return state


def default_year(cov: dict[int, Coverage]) -> int | None:
    """The year a page opens on: the latest complete year (the latest year if none is complete)."""
    complete = [y for y, c in cov.items() if c.complete]
    return max(complete or cov or [None])


def _year_label(year: int, cov: dict[int, Coverage]) -> str:
    c = cov.get(year)
    return str(year) if c is None or c.complete else f"{year} (chưa đủ: {c.text})"


def open_province(code: str) -> None:
    """Show one province (a click on the country map): its communes, none chosen, no drill-down."""
    urlstate.set_next_run({PROVINCE: code, UNITS: [], DRILL: None})


def _province_changed() -> None:
    """Another province: the communes chosen and the drill-down belong to the previous one."""
    st.session_state[UNITS] = []
    st.session_state.pop(DRILL, None)


def reset() -> None:
    """Back to the defaults: the default year, whole province, all levels and types. The widgets are given their
    default values (not forgotten), so no chip of a removed filter stays on screen."""
    urlstate.forget((*KEYS, DRILL))


def current() -> State:
    """The state the entry script computed for this run."""
    return st.session_state["_filter_state"]


def describe(state: State, year: bool = True) -> str:
    """The active filters in words, for exports (and, without the year, for pages that span every year)."""
    units = data.units(state.scope)
    names = dict(zip(units["unit_code"].to_list(), units["unit_full_name"].to_list()))
    lab = {d: {c.code: c.short for c in cs} for d, cs in codes().items()}
    f = state.filters
    parts = [f"năm {state.year}"] if year and state.year is not None else []
    if state.scope.is_commune:
        parts.append(names.get(state.scope.unit_code, state.scope.unit_code))
    else:
        province = state.scope.province_code or (f.provinces[0] if f.provinces else None)
        whole = data.province_name(province) if province else "toàn quốc" if national() else "toàn tỉnh"
        parts.append(", ".join(names.get(u, u) for u in f.units) if f.units else whole)
    parts.append("cấp: " + (", ".join(lab["level"][x] for x in f.levels) if f.levels else "tất cả"))
    parts.append("loại hình: " + (", ".join(lab["branch_type"][x] for x in f.types) if f.types else "tất cả"))
    return "; ".join(parts)
