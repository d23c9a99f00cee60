"""Small Streamlit building blocks shared by the pages: KPI tiles, status words, downloads, indicator notes."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import charts, data, export, fmt, login, methods, registry
from dashboard.filters import State, describe
from etl import audit
from etl.settings import MIN_OTHER_BRANCHES, MIN_OTHER_UNITS, SAMPLE_NOTICE

SOURCE = "Báo cáo hằng năm của các đảng bộ, tổng hợp trên hệ thống theo dõi chất lượng tổ chức đảng"


def sample_notice() -> None:
    """Say so when the data below the province level is synthetic (it must be visible on every page)."""
    if data.is_sample():
        st.warning(SAMPLE_NOTICE, icon=":material/science:")


def status_badge(status: str | None) -> str:
    """A status in words with a colour dot (colour never alone)."""
    if not status:
        return ""
    color = charts.STATUS_COLORS.get(status, charts.GREY)
    return f":{_md_color(color)}[●] **{methods.STATUS_LABELS.get(status, status)}**"


def _md_color(hex_color: str) -> str:
    return {
        charts.GREEN: "green",
        charts.BLUE: "blue",
        charts.ORANGE: "orange",
        charts.PURPLE: "violet",
        charts.VERMILION: "red",
    }.get(hex_color, "gray")


def kpi(indicator_id: str, state: State, progress: pl.DataFrame | None = None, subgroup: str | None = None) -> None:
    """A tile: latest value, change from last year (in points), numerator/denominator, target status."""
    ind = registry.get(indicator_id)
    df = data.indicator(indicator_id, state.all_years, state.scope, by=("year",), subgroup=subgroup)
    now = df.filter(pl.col("year") == state.year)
    before = df.filter(pl.col("year") == state.year - 1)
    v = now["value"][0] if now.height else None
    v0 = before["value"][0] if before.height else None
    delta = fmt.points(v - v0) if v is not None and v0 is not None else None
    st.metric(
        ind.short,
        fmt.pct(v),
        delta=delta,
        delta_color="normal" if ind.polarity == 1 else "inverse",
        help=ind.definition,
        border=True,
        chart_data=[x for x in df["value"].to_list() if x is not None] or None,
    )
    if now.height:
        st.caption(f"{fmt.ratio(now['numerator'][0], now['denominator'][0])} · năm {state.year}")
    if progress is not None and progress.height:
        p = progress.row(0, named=True)
        st.markdown(
            f"{status_badge(p['status'])} · mục tiêu {p['comparator'].replace('>=', '≥').replace('<=', '≤')} "
            f"{fmt.pct(p['target_value'], 0)} ({p['deadline'] if not p['is_annual'] else 'hằng năm'})"
        )


def about(indicator_id: str) -> None:
    """«Về chỉ tiêu này»: definition, numerator, denominator, linked targets — from the registry."""
    ind = registry.get(indicator_id)
    with st.expander(f"Về chỉ tiêu: {ind.label}", icon=":material/info:"):
        st.markdown(
            f"{ind.definition}\n\n- **Tử số:** {ind.numerator}\n- **Mẫu số:** {ind.denominator}\n"
            f"- **Cách cộng dồn:** tổng tử số / tổng mẫu số (không lấy trung bình các tỉ lệ)"
        )
        t = data.targets().filter(pl.col("indicator_id") == indicator_id)
        for r in t.iter_rows(named=True):
            own = "Mục tiêu của tỉnh" if r["applies"] == "own" else "Tham khảo (văn bản khác)"
            st.markdown(f"- {own}: *{r['target_text']}* — {r['issuer']} ({r['target_id']})")
        if ind.has_rating_breaks:
            st.caption(
                "Lưu ý: cách đánh giá, xếp loại thay đổi năm 2023 (Quy định 124-QĐ/TW) và 2025 "
                "(Quy định 366-QĐ/TW): so sánh qua các mốc này cần thận trọng."
            )


def downloads(
    df: pl.DataFrame,
    cols: list[export.Col],
    name: str,
    title: str,
    state: State,
    fig: go.Figure | None = None,
    key: str = "",
) -> None:
    """CSV, XLSX (filters, source, date, internal mark) and PNG of the chart, side by side."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    filters_text = describe(state)
    c = st.columns(3 if fig is not None else 2)
    c[0].download_button(
        "Tải CSV",
        audited(lambda: export.table_csv(df, cols), title, "csv", filters_text),
        f"{slug}.csv",
        "text/csv",
        on_click="ignore",
        icon=":material/download:",
        key=f"csv-{key or slug}",
    )
    c[1].download_button(
        "Tải Excel",
        audited(
            lambda: export.table_xlsx(df, cols, title, filters_text, SOURCE, data.is_sample()),
            title,
            "xlsx",
            filters_text,
        ),
        f"{slug}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/table:",
        key=f"xlsx-{key or slug}",
    )
    if fig is not None:
        c[2].download_button(
            "Tải ảnh PNG",
            audited(lambda: export.figure_png(fig), title, "png", filters_text),
            f"{slug}.png",
            "image/png",
            on_click="ignore",
            icon=":material/image:",
            key=f"png-{key or slug}",
        )


def audited(build, what: str, fmt_: str, filters_text: str):
    """A download's data, built only when clicked, and recorded in the audit log (who, what, which filters)."""
    user = login.current_user()
    name = user.username if user else "?"

    def run() -> bytes:
        audit.record("export", name, {"what": what, "format": fmt_, "filters": filters_text})
        return build()

    return run


INDICATOR_COLS = [
    export.Col("numerator", "Tử số", "int"),
    export.Col("denominator", "Mẫu số", "int"),
    export.Col("value", "Tỉ lệ (%)", "pct"),
]


def indicator_cols(by: str) -> list[export.Col]:
    """Export columns of an indicator table grouped by year / unit / level / type / branch."""
    first = {
        "year": [export.Col("year", "Năm", "int")],
        "unit": [export.Col("unit_code", "Mã đơn vị"), export.Col("unit_name", "Đơn vị")],
        "level": [export.Col("level_label", "Cấp chi bộ")],
        "type": [export.Col("type_label", "Loại hình")],
    }[by]
    return first + INDICATOR_COLS


WITHHELD = (
    "Không hiển thị số liệu toàn tỉnh để so sánh{where}: với bộ lọc đã chọn, ngoài đơn vị này chỉ còn dưới "
    f"{MIN_OTHER_UNITS} đơn vị hoặc dưới {MIN_OTHER_BRANCHES} chi bộ, nên con số toàn tỉnh sẽ để lộ số liệu "
    "của đơn vị khác."
)


def withheld(benchmark: pl.DataFrame) -> bool:
    """Whether `data.province_benchmark` withheld a group of this benchmark (too few other units or branches)."""
    return benchmark.height > 0 and benchmark["denominator"].is_null().any()


def withheld_note(benchmark: pl.DataFrame, key: str) -> None:
    """Say why the province comparison is missing, for the groups (years) withheld."""
    if not withheld(benchmark):
        return
    years = benchmark.filter(pl.col("denominator").is_null())["year"].to_list() if "year" in benchmark.columns else []
    where = f" (năm {', '.join(str(y) for y in years)})" if years and benchmark.height > 1 else ""
    st.info(WITHHELD.format(where=where), icon=":material/visibility_off:")


def unit_bars(indicator_id: str, state: State, key: str, subgroup: str | None = None) -> str | None:
    """Bars by unit with the province line; clicking a bar returns its unit code (drill-down to branches)."""
    ind = registry.get(indicator_id)
    df = data.indicator(indicator_id, state.filters, state.scope, by=("unit",), subgroup=subgroup)
    prov = data.province_benchmark(indicator_id, state.filters, state.scope, by=(), subgroup=subgroup)
    p0 = prov["value"][0] if prov.height else None
    fig = charts.by_unit(df, ind, p0, title=f"{ind.short} theo đơn vị, năm {state.year}")
    event = st.plotly_chart(fig, on_select="rerun", selection_mode="points", key=f"bars-{key}")
    withheld_note(prov, key)
    st.caption(
        "Màu xanh đậm: tốt hơn toàn tỉnh có ý nghĩa thống kê; đỏ cam: kém hơn; xanh nhạt: tương đương "
        "(kiểm định giới hạn phễu 95%). Bấm vào một cột để xem danh sách chi bộ."
    )
    downloads(
        df,
        indicator_cols("unit"),
        f"{indicator_id}-theo-don-vi-{state.year}",
        f"{ind.label} theo đơn vị",
        state,
        fig,
        key=f"u-{key}",
    )
    points = getattr(getattr(event, "selection", None), "points", None) or []
    if points:
        st.session_state[f"drill-{key}"] = points[0]["customdata"][0]
    return st.session_state.get(f"drill-{key}")


BRANCH_COLS = [
    export.Col("year", "Năm", "int"),
    export.Col("unit_name", "Đơn vị"),
    export.Col("branch_code", "Mã chi bộ"),
    export.Col("branch_name", "Tên chi bộ"),
    export.Col("level_label", "Cấp chi bộ"),
    export.Col("type_label", "Loại hình"),
    export.Col("members", "Đảng viên", "int"),
    export.Col("rating_label", "Xếp loại chi bộ"),
    export.Col("internet_label", "Internet"),
]


def branch_list(unit_code: str, state: State, key: str) -> None:
    """The branches of one unit (the last drill-down level), exportable."""
    df = data.branches(state.filters.but(units=(unit_code,)), state.scope)
    if df.is_empty():
        st.info("Không có chi bộ nào theo bộ lọc đã chọn.")
        return
    name = df["unit_name"][0]
    st.subheader(f"Chi bộ của {fmt.plain(name)}, năm {state.year}")
    show_table(df, BRANCH_COLS)
    downloads(df, BRANCH_COLS, f"chi-bo-{unit_code}-{state.year}", f"Danh sách chi bộ – {name}", state, key=f"b-{key}")


def funnel(indicator_id: str, state: State, key: str, highlight: str | None = None) -> None:
    """Funnel plot of the units against the province (only units this scope may see are drawn)."""
    ind = registry.get(indicator_id)
    prov = data.province_benchmark(indicator_id, state.filters, state.scope, by=())
    withheld_note(prov, key)
    if not prov.height or prov["value"][0] is None:
        return
    df = data.indicator(indicator_id, state.filters.but(units=()), state.scope, by=("unit",))
    fig = charts.funnel(df, ind, prov["value"][0], highlight=highlight)
    st.plotly_chart(fig, key=f"funnel-{key}")
    downloads(
        df,
        indicator_cols("unit"),
        f"{indicator_id}-so-sanh-{state.year}",
        f"{ind.label}: so sánh với toàn tỉnh",
        state,
        fig,
        key=f"f-{key}",
    )
    st.caption(
        "Mỗi chấm là một đơn vị; ngoài đường giới hạn là khác toàn tỉnh có ý nghĩa thống kê "
        "(đơn vị nhỏ dao động nhiều hơn nên giới hạn rộng hơn)."
    )


def trend_test_note(trend: pl.DataFrame, ind: registry.Indicator) -> None:
    """The 5-point trend test (METHODS §4), stated honestly."""
    counts = {r["year"]: (r["numerator"], r["denominator"]) for r in trend.iter_rows(named=True) if r["denominator"]}
    t = methods.trend_test(counts)
    t95 = methods.trend_test(counts, methods.TREND_CRITICAL_95)
    years = f"{min(counts)}–{max(counts)}" if counts else ""
    chi = fmt.num(t.chi2, 2) if t.chi2 is not None else "—"
    text = f"Kiểm định xu hướng {years}: **{t.label}** ở mức tin cậy 99,8% (χ² = {chi})"
    if not t.significant and t95.significant:
        text += f"; ở mức 95% thì {t95.label}"
    st.caption(text + ".")


def show_table(df: pl.DataFrame, cols: list[export.Col], height: int | None = None) -> None:
    """A table with Vietnamese headers and Vietnamese number formats (1.462; 16,83%)."""
    out = df.select(
        [
            (
                pl.col(c.name).map_elements(fmt.num, return_dtype=pl.String)
                if c.kind == "int"
                else pl.col(c.name).map_elements(fmt.pct, return_dtype=pl.String)
                if c.kind == "pct"
                else pl.col(c.name).map_elements(lambda v: fmt.num(v, 2), return_dtype=pl.String)
                if c.kind == "dec"
                else pl.col(c.name)
            ).alias(c.header)
            for c in cols
        ]
    )
    config = {c.header: st.column_config.TextColumn(alignment="right") for c in cols if c.kind in ("int", "pct", "dec")}
    st.dataframe(out, hide_index=True, width="stretch", column_config=config, **({"height": height} if height else {}))


def target_text(indicator_id: str) -> str:
    """The province's own target for an indicator in words ('≥ 100% (2030)'), or '' if it has none."""
    from dashboard.data import Scope

    p = (
        data.progress(Scope.province(), scope_kind="province")
        .filter((pl.col("indicator_id") == indicator_id) & (pl.col("applies") == "own"))
        .sort("target_id")
    )
    if not p.height:
        return ""
    r = p.row(0, named=True)
    sign = r["comparator"].replace(">=", "≥").replace("<=", "≤")
    return f"{sign} {fmt.pct(r['target_value'], 0)} ({'hằng năm' if r['is_annual'] else r['deadline']})"


def trend_chart(indicator_id: str, state: State, key: str) -> pl.DataFrame:
    """The indicator by year (the province line when a unit is selected, the rating breaks where they apply),
    with its exports; returns the series."""
    ind = registry.get(indicator_id)
    trend = data.indicator(indicator_id, state.all_years, state.scope)
    prov = (
        data.province_benchmark(indicator_id, state.all_years, state.scope)
        if state.filters.units or state.scope.is_commune
        else None
    )
    fig = charts.trend(trend, ind, prov, data.series_breaks() if ind.has_rating_breaks else None)
    st.plotly_chart(fig, key=f"trend-{key}")
    if prov is not None:
        withheld_note(prov, key)
    downloads(trend, indicator_cols("year"), f"{indicator_id}-theo-nam", ind.label, state, fig, key=f"t-{key}")
    return trend


def choose(ids: list[str], key: str) -> str:
    """The indicator shown below, picked among a page's indicators."""
    return st.segmented_control(
        "Chỉ tiêu", ids, default=ids[0], format_func=lambda i: registry.get(i).short, key=key, required=True
    )


def kpi_row(ids: list[str], state: State) -> None:
    for col, i in zip(st.columns(len(ids)), ids):
        with col:
            kpi(i, state)
