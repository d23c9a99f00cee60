"""An indicator over the years: the trend chart with the province line and the rating-rule breaks, the trend test, the
years not every unit reported."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, data, fmt, methods, registry
from dashboard.filters import State
from dashboard.scope import Coverage
from dashboard.ui.comparisons import withheld_note
from dashboard.ui.downloads import downloads, indicator_cols
from dashboard.ui.frame import chart


def trend_test_note(trend: pl.DataFrame, ind: registry.Indicator, state: State | None = None) -> None:
    """The 5-point trend test (docs/METHODS.md §4), stated honestly: only over years that are complete and that no
    change of the rating regulation separates (docs/METHODS.md §5), saying which years it spans."""
    complete = set(data.coverage(state.all_years, state.scope).filter("complete")["year"]) if state else None
    counts = {
        r["year"]: (r["numerator"], r["denominator"])
        for r in trend.iter_rows(named=True)
        if r["denominator"] and (complete is None or r["year"] in complete)
    }
    breaks = data.series_breaks() if ind.has_rating_breaks else {}
    runs = methods.segments(list(counts), list(breaks))
    span = runs[-1] if runs else []
    if len(runs) > 1 and len(span) < 3:
        cut = ", ".join(str(b) for b in sorted(breaks) if min(counts) < b <= max(counts))
        latest = f"{span[0]}–{span[-1]}" if len(span) > 1 else str(span[0])
        st.caption(
            f"Kiểm định xu hướng: **không tính được** — cách đánh giá, xếp loại thay đổi năm {cut}, nên không có "
            f"đủ 3 năm liền nhau cùng một cách xếp loại (các năm so sánh được gần nhất: {latest})."
        )
        return
    counts = {y: counts[y] for y in span}
    t = methods.trend_test(counts)
    t95 = methods.trend_test(counts, methods.TREND_CRITICAL_95)
    years = f"{t.years[0]}–{t.years[-1]}" if t.years else ""  # the years tested: the five most recent at most
    chi = fmt.num(t.chi2, 2) if t.chi2 is not None else "—"
    text = f"Kiểm định xu hướng {years}: **{t.label}** ở mức tin cậy 99,8% (χ² = {chi})"
    if not t.significant and t95.significant:
        text += f"; ở mức 95% thì {t95.label}"
    st.caption(text + ".")


def incomplete_years(state: State) -> dict[int, str]:
    """Years in which only some of the selected units reported: year → «1/60 đơn vị»."""
    cov = Coverage.by_year(data.coverage(state.all_years, state.scope))
    return {y: c.text for y, c in cov.items() if not c.complete}


def trend_chart(indicator_id: str, state: State, key: str) -> pl.DataFrame:
    """The indicator by year (the province line when a unit is selected, the rating breaks where they apply),
    with its exports; returns the series. Years not every unit reported are marked, and the province line shows
    only the province's complete years."""
    ind = registry.get(indicator_id)
    trend = data.indicator(indicator_id, state.all_years, state.scope)
    prov = None
    if state.filters.units or state.scope.is_commune:
        prov = data.province_benchmark(indicator_id, state.all_years, state.scope)
        full = [y for y, c in data.province_coverage().items() if c.complete]
        prov = prov.filter(pl.col("year").is_in(full))
    breaks = data.series_breaks() if ind.has_rating_breaks else None
    published = data.published(indicator_id, state.all_years, state.scope)  # years without returns
    fig = charts.trend(trend, ind, prov, breaks, incomplete=incomplete_years(state), published=published)
    chart(fig, f"trend-{key}")
    if prov is not None:
        withheld_note(prov, key)
    downloads(trend, indicator_cols("year"), f"{indicator_id}-theo-nam", ind.label, state, fig, key=f"t-{key}")
    return trend
