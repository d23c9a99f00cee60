"""The key-indicator tiles: latest value, change, numerator/denominator, target status; the overview's caption of what
they describe."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, fmt, registry
from dashboard.filters import State, describe
from dashboard.scope import NO_UNIT, Coverage
from dashboard.ui.frame import has_communes
from dashboard.ui.targets import status_badge

# The key indicators: the overview's tiles and the scorecard's columns.
HEADLINE = [
    "member_good",
    "branch_good",
    "grassroots_good",
    "secretary_deputy_trained",
    "heads_member",
    "internet_none",
    "computer_none",
    "ehandbook",
    "small_branch",
    # the branches' meetings (the return's sheet from 2026)
    "meet_regular",
    "meet_attendance",
    "meet_quality",
    "meet_higher_village",
]


def headline() -> list[str]:
    """The key indicators of this deployment: without communes (a bloc's committees: agencies and enterprises)
    none that counts villages — «chưa có số liệu» there would say a figure is missing, not that none can exist."""
    villages = has_communes()
    return [i for i in HEADLINE if villages or not registry.get(i).villages]


def kpi(indicator_id: str, state: State, progress: pl.DataFrame | None = None, subgroup: str | None = None) -> None:
    """A tile: latest value, change from last year (in points), numerator/denominator, target status.

    In a year only some units have reported, the change is measured on those same units in both years (never
    against the whole province's previous year), and the tile says so."""
    ind = registry.get(indicator_id)
    f = state.all_years
    if not state.complete:
        # (no unit reported: an empty tuple would mean «every unit»)
        reported = tuple(data.reported_units(state.year, state.filters, state.scope)["unit_code"])
        f = f.but(units=reported or (NO_UNIT,))
    df = data.indicator(indicator_id, f, state.scope, by=("year",), subgroup=subgroup)
    now = df.filter(pl.col("year") == state.year)
    before = df.filter(pl.col("year") == state.year - 1)
    v = now["value"][0] if now.height else None
    v0 = before["value"][0] if before.height else None
    # A rating rule change (docs/METHODS.md §5) between last year and this one: no change is measured across it, and the
    # sparkline starts at the last change (a line across it would read as a trend).
    breaks = data.series_breaks() if ind.has_rating_breaks else {}
    crossed = next((b for b in sorted(breaks) if state.year - 1 < b <= state.year), None)
    since = max((b for b in breaks if b <= state.year), default=None)
    change = v - v0 if v is not None and v0 is not None and crossed is None else None
    cov = Coverage.by_year(data.coverage(state.all_years, state.scope))
    # the sparkline: years up to the one on screen, over the same units (or complete years only)
    points = [
        (r["year"], r["value"])
        for r in df.iter_rows(named=True)
        if r["value"] is not None
        and r["year"] <= state.year
        and (since is None or r["year"] >= since)
        and (not state.complete or cov[r["year"]].complete)
    ]
    spark = [v for _, v in points]
    st.metric(
        ind.short_for(subgroup),
        fmt.pct(v),
        **metric_delta(change, ind.polarity),
        help=ind.definition,
        border=True,
        chart_data=spark if len(spark) > 1 else None,
    )
    if not now.height or not now["denominator"][0]:
        st.caption(f"Năm {state.year}: chưa có số liệu.")  # never a 0 for a year the return did not ask
    if now.height:
        same = f" · so sánh trên cùng {state.coverage.text} đã nộp" if not state.complete else ""
        prov = ""
        if state.scope.is_commune or state.filters.units:  # a unit on screen: the province beside it
            full = data.province_coverage().get(state.year)
            p0 = data.province_benchmark(indicator_id, state.filters, state.scope, by=(), subgroup=subgroup)
            if full is not None and not full.complete:
                prov = f" · toàn tỉnh năm {state.year}: chưa đủ số liệu ({full.text})"
            elif p0.height and p0["value"][0] is not None:
                prov = f" · toàn tỉnh {fmt.pct(p0['value'][0])}"
        rule = (
            f" · không so với năm {state.year - 1}: cách xếp loại đổi năm {crossed} theo {breaks[crossed]}"
            if crossed is not None and v0 is not None
            else ""
        )
        # the sparkline in words (the chart itself is decorative for a screen reader)
        (y0, v0_), (y1, v1_) = (points[0], points[-1]) if len(points) > 1 else ((None, None), (None, None))
        path = f" · {y0}–{y1}: {fmt.pct(v0_, 1)} → {fmt.pct(v1_, 1)}" if y0 is not None else ""
        st.caption(
            f"{fmt.ratio(now['numerator'][0], now['denominator'][0])} · năm {state.year}{prov}{same}{rule}{path}"
            + _coverage(ind, state, f)
        )
    if progress is not None and progress.height:
        p = progress.row(0, named=True)
        as_of = f", tính đến năm {p['latest_year']}" if p["latest_year"] != state.year else ""
        # with one year there is no pace: the gap in branches (people, meetings) says what the status cannot
        gap = f" · {ind.gap_text(p['gap_units'])}" if p["status"] != "achieved" and p["gap_units"] else ""
        if p.get("published_until") == p["latest_year"]:  # that year's figure is a published table's (no returns)
            as_of += f", số liệu đã công bố ({p['published_source']})"
        st.markdown(
            f"{status_badge(p['status'])} · mục tiêu {p['comparator'].replace('>=', '≥').replace('<=', '≤')} "
            f"{fmt.pct(p['target_value'], 0)} ({p['deadline'] if not p['is_annual'] else 'hằng năm'}{as_of}){gap}"
        )


def _coverage(ind: registry.Indicator, state: State, f) -> str:
    """How much of what the indicator rates was rated (the meetings scored beside the meetings good), when the
    registry names such a companion."""
    if not ind.coverage:
        return ""
    c = data.indicator(ind.coverage, f.but(years=(state.year,)), state.scope, by=())
    if not c.height or not c["denominator"][0]:
        return ""
    r = c.row(0, named=True)
    return f" · {registry.get(ind.coverage).short.lower()}: {fmt.ratio(r['numerator'], r['denominator'])} ({fmt.pct(r['value'])})"


def overview_caption(state: State) -> str:
    """What the overview's tiles describe: the province, the filtered selection, one commune, or the units that
    have reported so far."""
    if state.scope.is_commune:
        name = data.units(state.scope)["unit_full_name"].to_list()
        who = f"Các chỉ tiêu chính của {name[0] if name else 'đơn vị'}, so với toàn tỉnh"
    elif not state.complete:
        who = f"Các chỉ tiêu của {state.coverage.text} đã nộp (chưa phải toàn tỉnh)"
    elif state.filters.units or state.filters.levels or state.filters.types:
        who = f"Các chỉ tiêu chính theo bộ lọc ({describe(state, year=False)})"
    else:
        who = "Các chỉ tiêu chính toàn tỉnh"
    return who + ", mức thay đổi so với năm trước và tình trạng so với mục tiêu."


TILE = "tile-"  # the key prefix of a tile's container: frame.house_style gives it a minimum width


def grid(ids: list[str], draw) -> None:
    """Tiles side by side that wrap onto more rows when the screen is narrow (a phone, an iPad with the sidebar
    open) instead of being cut («96,7…», «Đảng viên …»): each at least 10rem wide (two side by side on a phone), sharing what is left."""
    with st.container(horizontal=True, gap="small"):
        for i in ids:
            with st.container(key=f"{TILE}{i}"):
                draw(i)


def kpi_row(ids: list[str], state: State) -> None:
    grid(ids, lambda i: kpi(i, state))


def metric_delta(change: float | None, polarity: int) -> dict:
    """st.metric's delta for a change in points: green when it goes the good way, red the bad way; no change
    (as shown, to 2 decimals) is grey, without an arrow (not a red «↑ ±0,00 điểm %»)."""
    text = fmt.points(change) if change is not None else None
    if text is not None and text.startswith("±"):
        return {"delta": text, "delta_color": "off", "delta_arrow": "off"}
    return {"delta": text, "delta_color": "normal" if polarity == 1 else "inverse"}
