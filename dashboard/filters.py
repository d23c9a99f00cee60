"""The shared filters (year, units, levels, types): widgets in the sidebar, kept in the URL, read by every page.

The URL is synchronised here rather than with widgets' `bind="query-params"`: bound parameters cannot be carried
by st.switch_page (a click on the map would fail once a filter is set), and a bound multiselect writes its display
labels, not codes. A copied link reproduces the view: ?nam=2024&xa=01273&loai=xom&chi_tieu=internet_none"""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from dashboard import data, fmt, registry
from dashboard.scope import Coverage, Filters, Scope
from etl.codes import codes

YEAR, PROVINCE, UNITS, LEVELS, TYPES = "nam", "tinh", "xa", "cap", "loai"
KEYS = (YEAR, PROVINCE, UNITS, LEVELS, TYPES)
# Page-level state that is also kept in the URL: the page's indicator (the map's, or the one chosen on a page), the
# profile's unit, and the unit whose branches a page lists (the drill-down).
INDICATOR, PROFILE_UNIT, DRILL = "chi_tieu", "dv", "xem"
PAGE_KEYS = (INDICATOR, PROFILE_UNIT, DRILL)
MULTI = (UNITS, LEVELS, TYPES)


@dataclass(frozen=True)
class State:
    """What the pages need: the reporting year, the filters for that year, and the same filters over all years."""

    year: int
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


def _allowed(scope: Scope) -> dict[str, list]:
    units = data.units(scope)["unit_code"].to_list()
    provinces = sorted(set(data.units(scope)["province_code"])) if national() and not scope.is_commune else []
    return {
        YEAR: data.years(),
        PROVINCE: [] if scope.is_one_province else provinces,
        UNITS: [] if scope.is_commune else units,
        LEVELS: [c.code for c in codes()["level"]],
        TYPES: [c.code for c in codes()["branch_type"]],
        INDICATOR: list(registry.indicators()),
        PROFILE_UNIT: units,
        DRILL: units,
    }


def _from_url(scope: Scope, page: str) -> None:
    """Start the widgets from the URL on a session's first run, and again whenever the URL was changed by the
    browser rather than by the app (Back, Forward, an edited address): the page then shows what its URL says.
    A link to another page of the menu carries no parameters: the filters stay as they are. Values outside what
    the user may see are dropped (a tampered link cannot select another commune)."""
    url = st.query_params.to_dict()
    switched = st.session_state.get("_page") not in (None, page)
    if st.session_state.get("_url_read") and (url == st.session_state.get("_url_written") or (switched and not url)):
        return
    for key, ok in _allowed(scope).items():
        raw = url.get(key)
        if raw is None:  # not in the URL: the default
            if st.session_state.get("_url_read"):
                if key in MULTI:
                    st.session_state[key] = []
                else:
                    st.session_state.pop(key, None)
            continue
        if key in MULTI:
            st.session_state[key] = [v for v in raw.split(",") if v in ok]
        elif key == YEAR:
            # Compared as text: int() of a 5,000-digit year raises (Python caps digits), «²» is a digit too.
            by_text = {str(v): v for v in ok}
            if raw in by_text:
                st.session_state[key] = by_text[raw]
        elif raw in ok:
            st.session_state[key] = raw
    st.session_state["_url_read"] = True
    st.session_state["_url_written"] = url
    st.session_state.pop(KEPT, None)  # what the URL says wins over the values kept from the last run


def url_params() -> dict[str, str | list[str]]:
    """The current state as URL parameters (codes, only what differs from the defaults: the default year and a
    page's default indicator are left out, so opening a page adds nothing to the browser's history)."""
    out: dict[str, str | list[str]] = {}
    defaults = {YEAR: st.session_state.get("_default_year"), INDICATOR: st.session_state.get("_default_indicator")}
    for key in (*KEYS, *PAGE_KEYS):
        v = st.session_state.get(key)
        if v in (None, [], "") or v == defaults.get(key):
            continue
        out[key] = ",".join(v) if key in MULTI else str(v)
    return out


def write_url(page: str) -> None:
    """Put the state in the URL (the entry script calls this after the page ran). Right after a switch of page the
    browser has already added the new page to its history: writing again would need two presses of «Back»."""
    switched = st.session_state.get("_page") not in (None, page)
    st.session_state["_page"] = page
    params = url_params()
    if not switched and st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    st.session_state["_url_written"] = st.query_params.to_dict()


# The filters' values as of the last run, in a key of no widget: Streamlit drops the state of widgets the browser
# did not report when a page switch interrupts a run (quick navigation), which reset the year and the filters
# (issue 16.9). Widgets are given these values back whenever their own state is gone.
KEPT = "_kept_filters"


def _restore() -> None:
    for key, value in st.session_state.get(KEPT, {}).items():
        if key not in st.session_state:
            st.session_state[key] = value
    # Set again through the Session State API, so that each widget is sent its value: a widget the browser mounts
    # afresh after a quick page switch otherwise shows its first option (the year 2021) while the pages use 2025.
    for key in (*KEYS, *PAGE_KEYS):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def sidebar(scope: Scope, page: str = "") -> State:
    """Draw the filters (the entry script calls this, so they are shared by all pages) and return the state."""
    _from_url(scope, page)
    _restore()
    years = data.years()
    cov = Coverage.by_year(data.coverage(Filters(), scope))
    units = data.units(scope)
    lab = {d: {c.code: c.short for c in cs} for d, cs in codes().items()}
    # A year in which only some units have reported is never the default (it is not the province's year).
    st.session_state["_default_year"] = default_year(cov)
    if st.session_state.get(YEAR) not in years:
        st.session_state[YEAR] = st.session_state["_default_year"]
    with st.sidebar:
        st.markdown("### Bộ lọc")
        year = st.selectbox("Năm báo cáo", years, key=YEAR, format_func=lambda y: _year_label(y, cov))
        province = None
        if scope.is_one_province:
            st.caption(f"Tỉnh, thành phố: **{data.province_name(scope.province_code)}**")
        elif national() and not scope.is_commune:
            codes_ = sorted(set(units["province_code"]))
            if st.session_state.get(_PENDING_PROVINCE) in codes_:
                st.session_state[PROVINCE] = st.session_state.pop(_PENDING_PROVINCE)
                _province_changed()
            province = st.selectbox(
                "Tỉnh, thành phố",
                [None, *codes_],
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
            )
        levels = st.multiselect(
            "Cấp chi bộ", list(lab["level"]), format_func=lambda c: lab["level"][c], key=LEVELS, placeholder="Tất cả"
        )
        types = st.multiselect(
            "Loại hình",
            list(lab["branch_type"]),
            format_func=lambda c: lab["branch_type"][c],
            key=TYPES,
            placeholder="Tất cả",
        )
        st.button("Đặt lại bộ lọc", on_click=reset, icon=":material/restart_alt:", width="stretch")
    st.session_state[KEPT] = (
        {YEAR: year, LEVELS: list(levels), TYPES: list(types)}
        | ({} if scope.is_commune else {UNITS: list(chosen_units)})
        | ({PROVINCE: province} if province else {})
    )
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


_PENDING_PROVINCE = "_pending_province"


def open_province(code: str) -> None:
    """Show one province (a click on the country map): set before the sidebar's widget on the next run."""
    st.session_state[_PENDING_PROVINCE] = code
    st.rerun()


def _province_changed() -> None:
    """Another province: the communes chosen and the drill-down belong to the previous one."""
    st.session_state[UNITS] = []
    st.session_state.pop(DRILL, None)


def reset() -> None:
    """Back to the defaults: the default year, whole province, all levels and types. The widgets are given their
    default values (not forgotten), so no chip of a removed filter stays on screen."""
    st.session_state[YEAR] = st.session_state.get("_default_year")
    st.session_state.pop(PROVINCE, None)
    for k in MULTI:
        st.session_state[k] = []
    st.session_state.pop(DRILL, None)
    st.session_state.pop(KEPT, None)


def current() -> State:
    """The state the entry script computed for this run."""
    return st.session_state["_filter_state"]


def describe(state: State, year: bool = True) -> str:
    """The active filters in words, for exports (and, without the year, for pages that span every year)."""
    units = data.units(state.scope)
    names = dict(zip(units["unit_code"].to_list(), units["unit_full_name"].to_list()))
    lab = {d: {c.code: c.short for c in cs} for d, cs in codes().items()}
    f = state.filters
    parts = [f"năm {state.year}"] if year else []
    if state.scope.is_commune:
        parts.append(names.get(state.scope.unit_code, state.scope.unit_code))
    else:
        province = state.scope.province_code or (f.provinces[0] if f.provinces else None)
        whole = data.province_name(province) if province else "toàn quốc" if national() else "toàn tỉnh"
        parts.append(", ".join(names.get(u, u) for u in f.units) if f.units else whole)
    parts.append("cấp: " + (", ".join(lab["level"][x] for x in f.levels) if f.levels else "tất cả"))
    parts.append("loại hình: " + (", ".join(lab["branch_type"][x] for x in f.types) if f.types else "tất cả"))
    return "; ".join(parts)
