"""The shared filters (year, units, levels, types): widgets in the sidebar, kept in the URL, read by every page."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard import data
from dashboard.data import Filters, Scope
from etl.codes import codes

# URL parameter names (a copied link reproduces the view). Streamlit writes a multiselect's displayed labels into
# the URL: ?nam=2025&xa=Phường+Thục+Phán&cap=CB+cơ+sở&loai=Xóm%2C+tổ+dân+phố
YEAR, UNITS, LEVELS, TYPES = "nam", "xa", "cap", "loai"
KEYS = (YEAR, UNITS, LEVELS, TYPES)


@dataclass(frozen=True)
class State:
    """What the pages need: the reporting year, the filters for that year, and the same filters over all years."""

    year: int
    filters: Filters          # point-in-time views (maps, tables): the selected year
    all_years: Filters        # trends: every year
    scope: Scope


def sidebar(scope: Scope) -> State:
    """Draw the filters (the entry script calls this, so they are shared by all pages) and return the state."""
    years = data.years()
    units = data.units(scope)
    names = dict(zip(units["unit_code"].to_list(), units["unit_full_name"].to_list()))
    lab = {d: {c.code: c.short for c in cs} for d, cs in codes().items()}
    with st.sidebar:
        st.markdown("### Bộ lọc")
        year = st.selectbox("Năm báo cáo", years, index=len(years) - 1, key=YEAR, bind="query-params")
        if scope.is_commune:
            st.caption(f"Đơn vị: **{names.get(scope.unit_code, scope.unit_code)}**")
            chosen_units: list[str] = []
        else:
            chosen_units = st.multiselect("Đơn vị (xã, phường, đảng uỷ trực thuộc)", list(names),
                                          format_func=lambda c: names.get(c, c), key=UNITS, bind="query-params",
                                          placeholder="Toàn tỉnh")
        levels = st.multiselect("Cấp chi bộ", list(lab["level"]), format_func=lambda c: lab["level"][c], key=LEVELS,
                                bind="query-params", placeholder="Tất cả")
        types = st.multiselect("Loại hình", list(lab["branch_type"]), format_func=lambda c: lab["branch_type"][c],
                               key=TYPES, bind="query-params", placeholder="Tất cả")
        st.button("Đặt lại bộ lọc", on_click=reset, icon=":material/restart_alt:", width="stretch")
    base = Filters(units=tuple(chosen_units), levels=tuple(levels), types=tuple(types))
    state = State(int(year), base.but(years=(int(year),)), base, scope)
    st.session_state["_filter_state"] = state
    return state


def reset() -> None:
    """Back to the defaults: latest year, whole province, all levels and types."""
    for k in KEYS:
        st.session_state.pop(k, None)
        if k in st.query_params:
            del st.query_params[k]


def current() -> State:
    """The state the entry script computed for this run."""
    return st.session_state["_filter_state"]


def describe(state: State) -> str:
    """The active filters in words, for exports."""
    units = data.units(state.scope)
    names = dict(zip(units["unit_code"].to_list(), units["unit_full_name"].to_list()))
    lab = {d: {c.code: c.short for c in cs} for d, cs in codes().items()}
    f = state.filters
    parts = [f"năm {state.year}"]
    if state.scope.is_commune:
        parts.append(names.get(state.scope.unit_code, state.scope.unit_code))
    else:
        parts.append(", ".join(names.get(u, u) for u in f.units) if f.units else "toàn tỉnh")
    parts.append("cấp: " + (", ".join(lab["level"][x] for x in f.levels) if f.levels else "tất cả"))
    parts.append("loại hình: " + (", ".join(lab["branch_type"][x] for x in f.types) if f.types else "tất cả"))
    return "; ".join(parts)
