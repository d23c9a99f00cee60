"""Units against the province: the bars by unit, the funnel plot, the scorecard's province column, what the map cannot
draw, and the note when the comparison is withheld."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, data, filters, fmt, registry, urlstate
from dashboard.filters import State
from dashboard.scope import Scope
from dashboard.ui.downloads import downloads, indicator_cols
from dashboard.ui.frame import chart
from etl.settings import MIN_OTHER_BRANCHES, MIN_OTHER_UNITS


def map_province(state: State) -> str | None:
    """The province whose communes the overview's map shows in a national deployment (None: the country by
    province); in a provincial deployment always None."""
    if not filters.national():
        return None
    if state.scope.is_commune:
        return data.units(state.scope)["province_code"][0]
    return state.scope.province_code or (state.filters.provinces[0] if state.filters.provinces else None)


WITHHELD = {  # why a commune user is not shown the province figure (data.province_benchmark's `withheld`)
    "small": (
        "Không hiển thị số liệu toàn tỉnh để so sánh{where}: với bộ lọc đã chọn, ngoài đơn vị này chỉ còn dưới "
        f"{MIN_OTHER_UNITS} đơn vị hoặc dưới {MIN_OTHER_BRANCHES} chi bộ (hoặc con số này, trừ đi từ số toàn tỉnh "
        "cùng các loại hình khác, sẽ để lộ một nhóm nhỏ như thế), nên con số toàn tỉnh sẽ để lộ số liệu của đơn vị "
        "khác."
    ),
    "grouping": (
        "Không hiển thị số liệu toàn tỉnh để so sánh{where}: đơn vị được so sánh với toàn tỉnh theo từng năm, cho "
        "toàn bộ chi bộ hoặc cho một loại hình chi bộ. Khi lọc theo cấp chi bộ, hoặc nhiều loại hình cùng lúc, hai "
        "con số toàn tỉnh trừ cho nhau có thể để lộ số liệu của một nhóm nhỏ chi bộ thuộc đơn vị khác."
    ),
}


def withheld(benchmark: pl.DataFrame) -> bool:
    """Whether `data.province_benchmark` withheld a group of this benchmark."""
    return "withheld" in benchmark.columns and benchmark["withheld"].is_not_null().any()


def withheld_note(benchmark: pl.DataFrame, key: str) -> None:
    """Say why the province comparison is missing, for the groups (years) withheld."""
    if not withheld(benchmark):
        return
    for reason in sorted(set(benchmark["withheld"].drop_nulls())):
        rows = benchmark.filter(pl.col("withheld") == reason)
        years = rows["year"].to_list() if "year" in rows.columns and reason == "small" else []
        where = f" (năm {', '.join(str(y) for y in years)})" if years and benchmark.height > 1 else ""
        st.info(WITHHELD[reason].format(where=where), icon=":material/visibility_off:")


def off_map_units(values: pl.DataFrame, ind: registry.Indicator, scope: Scope) -> None:
    """The units the commune map cannot draw (the province-affiliated committees), with their values in words."""
    units = data.units(scope).filter(~pl.col("is_commune")).select("unit_code", "unit_full_name")
    if not units.height:
        return
    rows = units.join(values, on="unit_code", how="left").sort("unit_full_name")
    parts = [
        f"{r['unit_full_name']} {fmt.pct(r['value'])} ({fmt.ratio(r['numerator'], r['denominator'])})"
        if r["value"] is not None
        else f"{r['unit_full_name']}: không có số liệu"
        for r in rows.iter_rows(named=True)
    ]
    st.caption(
        f"Không có trên bản đồ (đảng uỷ trực thuộc tỉnh, không có ranh giới) — {ind.short_for()}: " + " · ".join(parts)
    )


def whole_name(state: State) -> str:
    """What the reference line stands for: the country in a national deployment with no province chosen, else
    the province (a commune's own province in a national deployment)."""
    return "Toàn quốc" if filters.national() and map_province(state) is None else "Toàn tỉnh"


def unit_bars(indicator_id: str, state: State, key: str, subgroup: str | None = None) -> str | None:
    """Bars by unit with the province line; clicking a bar returns its unit code (drill-down to branches). A
    national deployment with no province chosen shows one bar per province (not 3 000+ communes, which no one can
    read and which kept the browser busy for seconds); a click on a province opens its communes."""
    ind = registry.get(indicator_id)
    if state.scope.is_commune:  # one bar would say nothing: its own branches are listed instead
        return state.scope.unit_code
    by = "province" if filters.national() and map_province(state) is None else "unit"
    if by == "unit":  # the drill-down is kept in the URL (?xem=01273): a link or a reload lists the same branches
        urlstate.param(filters.DRILL, data.units(state.scope)["unit_code"].to_list(), what="đơn vị xem chi tiết")
        urlstate.narrowed_notice()
    df = data.indicator(indicator_id, state.filters, state.scope, by=(by,), subgroup=subgroup)
    prov = data.province_benchmark(indicator_id, state.filters, state.scope, by=(), subgroup=subgroup)
    p0 = prov["value"][0] if prov.height else None
    whole = whole_name(state)
    where = "tỉnh, thành phố" if by == "province" else "đơn vị"
    fig = charts.by_unit(
        df,
        ind,
        p0,
        title=f"{ind.short_for(subgroup)} theo {where}, năm {state.year}",
        label_col=f"{by}_name",
        key_col=f"{by}_code",
        whole=whole,
    )
    event = chart(fig, f"bars-{key}", on_select="rerun", selection_mode="points")
    withheld_note(prov, key)
    st.caption(
        f"Màu xanh đậm: tốt hơn {whole.lower()} có ý nghĩa thống kê; đỏ cam: kém hơn; xanh nhạt: tương đương "
        "(kiểm định giới hạn phễu 95%). "
        + (
            "Bấm vào một tỉnh để xem các xã, phường của tỉnh."
            if by == "province"
            else "Bấm vào một cột để xem danh sách chi bộ."
        )
    )
    downloads(
        df,
        indicator_cols(by),
        f"{indicator_id}-theo-{'tinh' if by == 'province' else 'don-vi'}-{state.year}",
        f"{ind.label} theo {where}",
        state,
        fig,
        key=f"u-{key}",
    )
    points = getattr(getattr(event, "selection", None), "points", None) or []
    if points and by == "province":  # the province's communes, kept in the URL (?tinh=12)
        filters.open_province(points[0]["customdata"][0])
    if by == "province":
        return None
    clicked = points[0]["customdata"][0] if points else None
    if urlstate.new_selection(f"bars-{key}", clicked):  # a new click, not the selection still on screen after Back
        st.session_state[filters.DRILL] = clicked
    return st.session_state.get(filters.DRILL)


def funnel(indicator_id: str, state: State, key: str, highlight: str | None = None) -> None:
    """Funnel plot of the units against the province (only units this scope may see are drawn)."""
    ind = registry.get(indicator_id)
    prov = data.province_benchmark(indicator_id, state.filters, state.scope, by=())
    withheld_note(prov, key)
    if not prov.height or prov["value"][0] is None:
        return
    df = data.indicator(indicator_id, state.filters.but(units=()), state.scope, by=("unit",))
    whole = whole_name(state)
    fig = charts.funnel(df, ind, prov["value"][0], highlight=highlight, whole=whole)
    chart(fig, f"funnel-{key}")
    downloads(
        df,
        indicator_cols("unit"),
        f"{indicator_id}-so-sanh-{state.year}",
        f"{ind.label}: so sánh với {whole.lower()}",
        state,
        fig,
        key=f"f-{key}",
    )
    dots = (
        "Chấm là đơn vị của bạn"
        if state.scope.is_commune and df.height == 1
        else "Mỗi chấm là một đơn vị" + ("; chấm cam là đơn vị đang xem" if highlight else "")
    )
    st.caption(
        f"{dots}; ngoài đường giới hạn là khác {whole.lower()} có ý nghĩa thống kê "
        "(đơn vị nhỏ dao động nhiều hơn nên giới hạn rộng hơn)."
    )


def attention(state: State, ids: list[str], profile, n: int = 5) -> None:
    """The units that need attention most: those with the most key indicators significantly worse than the province
    (funnel 95%, as the scorecard judges them), each with what is worse and a link to its profile."""
    from dashboard import scorecard

    columns = {i: scorecard_column(i, state, "funnel") for i in ids}
    values = {i: data.indicator(i, state.filters, state.scope, by=("unit",)) for i in columns}
    table = scorecard.sort(scorecard.build(data.units(state.scope), values, columns, "funnel"), "worse", columns)
    top = table.filter(pl.col("worse") > 0).head(n)
    st.markdown(f"**Đơn vị cần quan tâm nhất, năm {state.year}**")
    if not top.height:
        st.caption("Không đơn vị nào kém hơn toàn tỉnh có ý nghĩa thống kê ở các chỉ tiêu chính.")
        return
    st.caption(f"Nhiều chỉ tiêu chính kém hơn {whole_name(state).lower()} nhất (kiểm định phễu 95%); bấm để mở hồ sơ.")
    for r in top.iter_rows(named=True):
        worse = [c.ind.short_for() for i, c in columns.items() if r[f"{i}_judgement"] == "worse"]
        st.page_link(
            profile,
            label=f"{r['unit_full_name']}: {len(worse)} chỉ tiêu kém hơn",
            help="Kém hơn ở: " + "; ".join(worse),
            query_params=urlstate.params(carried_only=True) | {filters.PROFILE_UNIT: r["unit_code"]},
            icon=":material/priority_high:",
        )
        st.caption("; ".join(worse))


def scorecard_column(indicator_id: str, state: State, mode: str):
    """An indicator of the scorecard: the province value under the same filters, and the province's own target."""
    from dashboard import scorecard

    prov = data.province_benchmark(indicator_id, state.filters, state.scope, by=())
    p = data.province_targets(indicator_id)
    return scorecard.Column(
        registry.get(indicator_id),
        prov["value"][0] if prov.height else None,
        p["target_value"][0] if p.height else None,
    )
