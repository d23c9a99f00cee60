"""Small Streamlit building blocks shared by the pages: KPI tiles, status words, downloads, indicator notes."""

from __future__ import annotations

import re
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import charts, data, export, filters, fmt, login, maps, methods, registry, reporting
from dashboard.filters import State, describe
from dashboard.scope import NO_UNIT, Coverage, Filters, Scope
from etl import audit, settings
from etl.codes import codes
from etl.settings import MAX_FILE_BYTES, MIN_OTHER_BRANCHES, MIN_OTHER_UNITS, PARQUET_DIR

# The key indicators: the overview's tiles and the scorecard's columns.
HEADLINE = [
    "member_good",
    "branch_good",
    "sec_trained",
    "heads_member",
    "internet_none",
    "computer_none",
    "ehandbook",
    "small_branch",
]
SOURCE = "Báo cáo hằng năm của các đảng bộ, tổng hợp trên hệ thống theo dõi chất lượng tổ chức đảng"


def house_style() -> None:
    """Streamlit's own English texts hidden or said in Vietnamese, and its toolbars hidden: every export goes
    through the page's own buttons (marked, audited), never through the chart's camera or the table's CSV."""
    limit = MAX_FILE_BYTES // 1024 // 1024
    st.html(
        "<style>"
        '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] {display: none}'
        '[data-testid="stFileUploaderDropzone"] button > div::after {content: "Chọn tệp"}'
        '[data-testid="stFileUploaderDropzoneInstructions"] span {display: none}'
        f'[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{content: "Kéo thả tệp vào đây · tối đa '
        f'{limit} MB mỗi tệp"; font-size: 0.875rem}}'
        '[data-testid="InputInstructions"] {display: none}'
        '[data-testid="stElementToolbar"] {display: none}'
        "</style>"
    )


def chart(fig: go.Figure, key: str, **kw):
    """st.plotly_chart without Plotly's mode bar (English, and an export without mark or audit)."""
    return st.plotly_chart(fig, key=key, config={"displayModeBar": False, **kw.pop("config", {})}, **kw)


def template_button(province, unit: str, year: int, prefill: bool, label: str, key: str) -> None:
    """The download of one unit's return template for a year (built only when clicked), on the admin's load page and
    the commune's submission page alike."""
    from forms.prefill import template_bytes

    st.download_button(
        label,
        lambda: template_bytes(province, unit, int(year), prefill),
        f"bao-cao-{unit}-{year}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/download:",
        key=key,
    )


def sample_notice() -> None:
    """Say so when the data below the province level is synthetic (it must be visible on every page)."""
    if data.is_sample():
        st.warning(settings.sample_notice(), icon=":material/science:")


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
    # A rating rule change (METHODS §5) between last year and this one: no change is measured across it, and the
    # sparkline starts at the last change (a line across it would read as a trend).
    breaks = data.series_breaks() if ind.has_rating_breaks else {}
    crossed = next((b for b in sorted(breaks) if state.year - 1 < b <= state.year), None)
    since = max((b for b in breaks if b <= state.year), default=None)
    delta = fmt.points(v - v0) if v is not None and v0 is not None and crossed is None else None
    cov = Coverage.by_year(data.coverage(state.all_years, state.scope))
    # the sparkline: years up to the one on screen, over the same units (or complete years only)
    spark = [
        r["value"]
        for r in df.iter_rows(named=True)
        if r["value"] is not None
        and r["year"] <= state.year
        and (since is None or r["year"] >= since)
        and (not state.complete or cov[r["year"]].complete)
    ]
    st.metric(
        ind.short_for(subgroup),
        fmt.pct(v),
        delta=delta,
        delta_color="normal" if ind.polarity == 1 else "inverse",
        help=ind.definition,
        border=True,
        chart_data=spark if len(spark) > 1 else None,
    )
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
        st.caption(f"{fmt.ratio(now['numerator'][0], now['denominator'][0])} · năm {state.year}{prov}{same}{rule}")
    if progress is not None and progress.height:
        p = progress.row(0, named=True)
        as_of = f", tính đến năm {p['latest_year']}" if p["latest_year"] != state.year else ""
        st.markdown(
            f"{status_badge(p['status'])} · mục tiêu {p['comparator'].replace('>=', '≥').replace('<=', '≤')} "
            f"{fmt.pct(p['target_value'], 0)} ({p['deadline'] if not p['is_annual'] else 'hằng năm'}{as_of})"
        )


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


def coverage_notice(state: State) -> None:
    """How complete the year on screen is, on every page: a warning when only some units have reported."""
    if approval := reporting.approval_notice(state.year):  # the year's reporting cycle, when it has one
        st.caption(approval)
    c = state.coverage
    if c is None:
        return
    if c.complete:
        st.caption(f"Số liệu năm {state.year}: {c.text} đã nộp báo cáo.")
    else:
        st.warning(
            f"Số liệu năm {state.year} chưa đầy đủ: mới có {c.text} nộp báo cáo. Các số liệu năm {state.year} chỉ "
            "tính trên các đơn vị đã nộp, không phải của toàn tỉnh; so sánh với năm trước chỉ trên cùng các đơn vị "
            "đó; tiến độ mục tiêu tính đến năm có đủ số liệu gần nhất.",
            icon=":material/hourglass_top:",
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
    approval = reporting.approval_notice(state.year)
    meta = export.export_meta(title, filters_text, SOURCE, data.is_sample(), approval)
    c = st.columns(3 if fig is not None else 2)
    c[0].download_button(
        "Tải CSV",
        audited(lambda: export.table_csv(df, cols, meta), title, "csv", filters_text),
        f"{slug}.csv",
        "text/csv",
        on_click="ignore",
        icon=":material/download:",
        key=f"csv-{key or slug}",
    )
    c[1].download_button(
        "Tải Excel",
        audited(
            lambda: export.table_xlsx(df, cols, title, filters_text, SOURCE, data.is_sample(), approval=approval),
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
            audited(lambda: export.figure_png(fig, meta=meta[1:]), title, "png", filters_text),
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
        "year": [export.Col("year", "Năm", "year")],
        "unit": [export.Col("unit_code", "Mã đơn vị"), export.Col("unit_name", "Đơn vị")],
        "level": [export.Col("level_label", "Cấp chi bộ")],
        "type": [export.Col("type_label", "Loại hình")],
        "province": [export.Col("province_code", "Mã tỉnh"), export.Col("province_name", "Tỉnh, thành phố")],
    }[by]
    return first + INDICATOR_COLS


def map_province(state: State) -> str | None:
    """The province whose communes the overview's map shows in a national deployment (None: the country by
    province); in a provincial deployment always None."""
    if not filters.national():
        return None
    if state.scope.is_commune:
        return data.units(state.scope)["province_code"][0]
    return state.scope.province_code or (state.filters.provinces[0] if state.filters.provinces else None)


@data.cached
def overview_map(
    indicator_id: str,
    filters_: Filters,
    all_years: Filters,
    scope: Scope,
    by_province: bool = False,
    province: str | None = None,
    root: Path = PARQUET_DIR,
) -> go.Figure | None:
    """The overview's map of one indicator, built once per (snapshot, indicator, filters, scope) and shared by the
    sessions that ask the same: the scope is part of the key, so no session gets a map built for another. In a
    national deployment: the provinces (by_province), or the communes of `province`."""
    ind = registry.get(indicator_id)
    level, key = ("province", "province_code") if by_province else ("unit", "unit_code")
    now = data.indicator(indicator_id, filters_, scope, by=(level,), root=root)
    hist = data.indicator(indicator_id, all_years, scope, by=(level, "year"), root=root)
    trends = {u: list(zip(g["year"].to_list(), g["value"].to_list())) for (u,), g in hist.group_by(key)}
    target = target_text(indicator_id)
    values = {
        r[key]: {**r, "trend": sorted(trends.get(r[key], [])), "target": target}
        for r in now.filter(pl.col("denominator") > 0).iter_rows(named=True)
    }
    boundaries = data.boundaries_path(province) if filters.national() else data.boundaries_path()
    if boundaries is None:
        return None
    if by_province:  # the provinces this deployment covers
        only = set(data.units(scope, root=root)["province_code"])
        return maps.commune_map(boundaries, values, ind, only=only, hint=maps.PROVINCE_HINT)
    return maps.commune_map(boundaries, values, ind, only={scope.unit_code} if scope.is_commune else None)


@data.cached
def glide_paths(all_years: Filters, scope: Scope, own_only: bool, root: Path = PARQUET_DIR) -> dict[str, tuple]:
    """Each target's glide path for what the filters select: target id → (series over the complete years, figure),
    built once per (snapshot, filters, scope) and shared by the sessions that ask the same — the scope is part of
    the key, so no session gets a figure built for another."""
    p = data.progress_for(all_years, scope, root=root)
    if own_only and p.height:
        p = p.filter(pl.col("applies") == "own")
    complete = data.coverage(all_years, scope, root=root).filter("complete")["year"].to_list()
    out = {}
    for r in by_urgency(p).iter_rows(named=True):
        ind = registry.get(r["indicator_id"])
        series = data.indicator(r["indicator_id"], all_years, scope, subgroup=r["subgroup"], root=root)
        series = series.filter(pl.col("year").is_in(complete))
        title = f"{r['target_id']} · {ind.label_for(r['subgroup'])}"
        out[r["target_id"]] = (series, charts.glide_path(series, r, ind, title=title))
    return out


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
    if points:  # the drill-down is kept in the URL (?xem=01273): a link or a reload lists the same branches
        st.session_state[filters.DRILL] = points[0]["customdata"][0]
    return st.session_state.get(filters.DRILL)


BRANCH_COLS = [
    export.Col("year", "Năm", "year"),
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


GAP_COLS = [
    export.Col("branch_code", "Mã chi bộ"),
    export.Col("branch_name", "Tên chi bộ"),
    export.Col("type_label", "Loại hình"),
    export.Col("members", "Đảng viên", "int"),
    export.Col("internet_text", "Internet"),
    export.Col("computer_text", "Máy tính"),
    export.Col("ehandbook_text", "Sổ tay ĐV điện tử"),
    export.Col("secretary_text", "Bí thư được bồi dưỡng"),
    export.Col("small_text", "Xóm dưới 3 ĐV tại chỗ"),
]


def branch_gaps(unit_code: str, state: State, key: str) -> None:
    """The unit's branches that lack Internet, a computer, the e-handbook, a trained secretary or 3 resident
    members, in the year on screen: what each lacks in words, exportable."""
    df = data.branch_gaps(state.filters.but(units=(unit_code,)), state.scope)
    name = data.units(state.scope).filter(pl.col("unit_code") == unit_code)["unit_full_name"].to_list()
    st.subheader(f"Chi bộ cần hỗ trợ của {name[0] if name else unit_code}, năm {state.year}")
    if not df.height:
        st.success("Không có chi bộ nào thiếu Internet, máy tính, Sổ tay đảng viên điện tử hay bí thư được bồi dưỡng.")
        return
    lack = lambda flag, text: pl.when(pl.col(flag)).then(pl.lit(text)).otherwise(pl.lit(""))  # noqa: E731
    df = df.with_columns(
        internet_text=pl.when(pl.col("no_internet") | pl.col("unstable_internet"))
        .then(pl.col("internet_label"))
        .otherwise(pl.lit("")),
        computer_text=lack("no_computer", "Chưa có"),
        ehandbook_text=lack("no_ehandbook", "Chưa dùng"),
        secretary_text=lack("secretary_untrained", "Chưa"),
        small_text=lack("small_village", "Có"),
    )
    st.caption(
        f"{fmt.num(df.height)} chi bộ; ô trống là chi bộ không thiếu điều đó. Mỗi dòng là một việc cần làm: "
        "lắp Internet, trang bị máy tính, hướng dẫn dùng Sổ tay, cử bí thư đi bồi dưỡng, kiện toàn chi bộ."
    )
    show_table(df, GAP_COLS, height=360)
    downloads(
        df,
        GAP_COLS,
        f"chi-bo-can-ho-tro-{unit_code}-{state.year}",
        f"Chi bộ cần hỗ trợ – {name[0] if name else unit_code}",
        state,
        key=f"gaps-{key}",
    )


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
    st.caption(
        f"Mỗi chấm là một đơn vị; ngoài đường giới hạn là khác {whole.lower()} có ý nghĩa thống kê "
        "(đơn vị nhỏ dao động nhiều hơn nên giới hạn rộng hơn)."
    )


def trend_test_note(trend: pl.DataFrame, ind: registry.Indicator, state: State | None = None) -> None:
    """The 5-point trend test (METHODS §4), stated honestly: only over years that are complete and that no change
    of the rating regulation separates (METHODS §5), saying which years it spans."""
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
    years = f"{min(counts)}–{max(counts)}" if counts else ""
    chi = fmt.num(t.chi2, 2) if t.chi2 is not None else "—"
    text = f"Kiểm định xu hướng {years}: **{t.label}** ở mức tin cậy 99,8% (χ² = {chi})"
    if not t.significant and t95.significant:
        text += f"; ở mức 95% thì {t95.label}"
    st.caption(text + ".")


def decoded(df: pl.DataFrame, **domains: str) -> pl.DataFrame:
    """Code columns replaced by their Vietnamese labels (etl/mappings/codes.csv): decoded(df, status="load_status").
    A unit code column may be decoded with the domain "unit" (its full name)."""
    out = []
    for col, domain in domains.items():
        if col not in df.columns:
            continue
        if domain == "unit":
            names = data.unit_names()
        else:
            names = {c.code: c.label for c in codes()[domain]}
        out.append(pl.col(col).replace_strict(names, default=pl.col(col), return_dtype=pl.String))
    return df.with_columns(out) if out else df


def local_time(df: pl.DataFrame, *cols: str) -> pl.DataFrame:
    """ISO timestamps (text or datetime) as Vietnamese read them: 02/12/2026 14:05."""

    def fmt_(c: str) -> pl.Expr:
        ts = pl.col(c) if df.schema[c] != pl.String else pl.col(c).str.to_datetime(strict=False)
        return ts.dt.strftime("%d/%m/%Y %H:%M").alias(c)

    return df.with_columns(fmt_(c) for c in cols if c in df.columns)


def show_table(df: pl.DataFrame, cols: list[export.Col], height: int | None = None, empty: str = "") -> None:
    """A table with Vietnamese headers and Vietnamese number formats (1.462; 16,83%; years as 2025); missing values
    as «—»; no rows: a sentence saying so, not an empty grid."""
    if not df.height:
        st.caption(empty or "Không có dòng nào.")
        return
    formats = {
        "int": fmt.num,
        "pct": fmt.pct,
        "dec": lambda v: fmt.num(v, 2),
        "year": lambda v: fmt.NO_DATA if v is None else str(int(v)),
    }
    out = pl.DataFrame(
        [
            fmt.py_map(df[c.name], formats[c.kind], skip_nulls=False).alias(c.header)
            if c.kind in formats
            else df[c.name].alias(c.header)
            for c in cols
        ]
    )
    config = {c.header: st.column_config.TextColumn(alignment="right") for c in cols if c.kind in ("int", "pct", "dec")}
    st.dataframe(
        out,
        hide_index=True,
        width="stretch",
        column_config=config,
        placeholder=fmt.NO_DATA,
        **({"height": height} if height else {}),
    )


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


def target_text(indicator_id: str) -> str:
    """The province's own target for an indicator in words ('≥ 100% (2030)'), or '' if it has none."""
    p = data.province_targets(indicator_id)
    if not p.height:
        return ""
    r = p.row(0, named=True)
    sign = r["comparator"].replace(">=", "≥").replace("<=", "≤")
    return f"{sign} {fmt.pct(r['target_value'], 0)} ({'hằng năm' if r['is_annual'] else r['deadline']})"


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
    fig = charts.trend(trend, ind, prov, breaks, incomplete=incomplete_years(state))
    chart(fig, f"trend-{key}")
    if prov is not None:
        withheld_note(prov, key)
    downloads(trend, indicator_cols("year"), f"{indicator_id}-theo-nam", ind.label, state, fig, key=f"t-{key}")
    return trend


def choose(ids: list[str]) -> str:
    """The indicator shown below, picked among a page's indicators; kept in the URL (?chi_tieu=…), so a link or a
    reload opens the same one. An indicator of another page is replaced by this page's first."""
    st.session_state["_default_indicator"] = ids[0]
    if st.session_state.get(filters.INDICATOR) not in ids:
        st.session_state[filters.INDICATOR] = ids[0]
    return st.segmented_control(
        "Chỉ tiêu", ids, format_func=lambda i: registry.get(i).short_for(), key=filters.INDICATOR, required=True
    )


def kpi_row(ids: list[str], state: State) -> None:
    for col, i in zip(st.columns(len(ids)), ids):
        with col:
            kpi(i, state)


# --------------------------------------------------------------------------------------------------- targets

PROGRESS_COLS = [
    export.Col("status_label", "Tình trạng"),
    export.Col("target_id", "Mã"),
    export.Col("target_text", "Mục tiêu"),
    export.Col("indicator", "Chỉ tiêu đo"),
    export.Col("latest", "Hiện tại (%)", "pct"),
    export.Col("latest_year", "Năm", "year"),
    export.Col("target_value", "Mục tiêu (%)", "pct"),
    export.Col("han", "Thời hạn"),
    export.Col("observed_pace", "Tốc độ thực tế (điểm %/năm)", "dec"),
    export.Col("required_pace", "Tốc độ cần (điểm %/năm)", "dec"),
    export.Col("gap_units", "Còn thiếu (chi bộ/người)", "int"),
]


def by_urgency(p: pl.DataFrame) -> pl.DataFrame:
    """Progress rows most urgent first (deteriorating → achieved), with the words the tables show."""
    if not p.height:
        return p
    order = {s: i for i, s in enumerate(methods.STATUS_ORDER)}
    short = {r: registry.get(r[0]).short_for(r[1]) for r in p.select("indicator_id", "subgroup").unique().rows()}
    return (
        p.with_columns(
            indicator=pl.Series(
                [short[r] for r in zip(p["indicator_id"], p["subgroup"], strict=True)], dtype=pl.String
            ),
            status_label=pl.col("status").replace_strict(methods.STATUS_LABELS, default=""),
            han=pl.when(pl.col("is_annual")).then(pl.lit("hằng năm")).otherwise(pl.col("deadline").cast(pl.String)),
            _order=pl.col("status").replace_strict(order, default=len(order), return_dtype=pl.Int8),
        )
        .sort("_order", "target_id")
        .drop("_order")
    )


def status_counts(table: pl.DataFrame) -> None:
    """One line with how many targets are in each status (coloured dot and word), most urgent first."""
    counts = dict(table.group_by("status").len().iter_rows())
    parts = [f"{status_badge(s)}: {counts[s]}" for s in methods.STATUS_ORDER if counts.get(s)]
    st.markdown(f"**{table.height} mục tiêu** — " + " · ".join(parts))


def unit_status_matrix(scope: Scope, own_only: bool) -> tuple[pl.DataFrame, list[export.Col]]:
    """Units × targets, each cell the status in words; the units with most urgent statuses first."""
    p = data.progress(scope, scope_kind="unit")
    if own_only:
        p = p.filter(pl.col("applies") == "own")
    names = dict(data.units(scope).select("unit_code", "unit_full_name").iter_rows())
    urgent = ("deteriorating", "limited_progress")
    wide = (
        p.with_columns(pl.col("status").replace_strict(methods.STATUS_LABELS, default="").alias("label"))
        .pivot("target_id", index="scope_code", values="label", sort_columns=True)
        .join(
            p.group_by("scope_code").agg(
                pl.col("status").is_in(urgent).sum().alias("urgent"), pl.len().alias("measured")
            ),
            on="scope_code",
        )
        .with_columns(pl.col("scope_code").replace_strict(names, default=None).alias("unit_name"))
        .sort("urgent", "unit_name", descending=[True, False])
    )
    targets = sorted(p["target_id"].unique().to_list())
    cols = [export.Col("unit_name", "Đơn vị"), export.Col("urgent", "Số mục tiêu đi xuống/chậm", "int")]
    return wide, cols + [export.Col(t, t) for t in targets]


# ------------------------------------------------------------------------------------------------ data quality


def coverage_table(state: State) -> pl.DataFrame:
    """Per year: units reported of those expected, and whether that is enough to stand for the province."""
    cov = data.coverage(Filters(), state.scope)
    return cov.with_columns(
        complete_text=pl.when(pl.col("complete")).then(pl.lit("Đủ")).otherwise(pl.lit("Chưa đủ (dưới 95%)"))
    )


def reconciliation_view(scope: Scope) -> pl.DataFrame:
    """The reconciliation in words: Biểu, level, type, role, unit and measure by their Vietnamese names, and what
    kind of cell it is — matching, a documented difference, or a new one to check."""
    rec = data.reconciliation(scope)
    rec = rec.with_columns(
        measure=pl.Series(
            [export.measure_label(b, m) for b, m in zip(rec["bieu"], rec["measure"], strict=True)], dtype=pl.String
        ),
        kind=pl.when(pl.col("difference") == 0)
        .then(pl.lit("Khớp"))
        .when(pl.col("consistency_item").is_not_null())
        .then(pl.lit("Đã giải thích"))
        .otherwise(pl.lit("Mới — cần kiểm tra")),
    )
    order = {"Mới — cần kiểm tra": 0, "Đã giải thích": 1, "Khớp": 2}
    rec = rec.sort(pl.col("kind").replace_strict(order, return_dtype=pl.Int8), "bieu")
    return decoded(rec, bieu="bieu", level_code="level", type_code="branch_type", role_code="role", unit_code="unit")


# ------------------------------------------------------------------------------------------------ documents


def _document_unit(state: State) -> str | None:
    """The unit the overview's documents are about: a commune user's own; one unit chosen in the sidebar; else the
    province (None)."""
    if state.scope.is_commune:
        return state.scope.unit_code
    return state.filters.units[0] if len(state.filters.units) == 1 else None


def _unit_text(unit: str | None, state: State) -> str:
    units = data.units(state.scope)
    names = dict(zip(units["unit_code"].to_list(), units["unit_full_name"].to_list()))
    return names.get(unit, unit) if unit else "toàn tỉnh"


def brief_download(unit: str, state: State) -> None:
    """The one-page brief (PDF) on a unit, built on click and audited; a Vietnamese note if the font is missing."""
    from reports import brief, fonts

    try:
        fonts.font_dir()
    except fonts.FontMissing as e:
        st.warning(str(e), icon=":material/font_download_off:")
        return
    what = f"Bản tóm tắt năm {state.year} ({_unit_text(unit, state)})"
    st.download_button(
        "Tải bản tóm tắt một trang (PDF)",
        audited(lambda: brief.build(state.year, state.scope, unit), what, "pdf", describe(state)),
        brief.file_name(state.year, unit),
        brief.PDF_MIME,
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        key="brief-pdf",
    )


def documents(state: State) -> None:
    """The situation report (Word) of the view; for the province, every unit's brief as one zip (with progress)."""
    from etl.store import current_snapshot
    from reports import brief, fonts, situation

    unit = _document_unit(state)
    what = f"Báo cáo thực trạng năm {state.year} ({_unit_text(unit, state)})"
    st.subheader("Tài liệu")
    c = st.columns(2)
    c[0].download_button(
        f"Tải báo cáo thực trạng năm {state.year}, {_unit_text(unit, state)} (Word)",
        audited(lambda: situation.build(state.year, state.scope, unit), what, "docx", describe(state)),
        situation.file_name(state.year, unit),
        situation.DOCX_MIME,
        on_click="ignore",
        icon=":material/description:",
        key="situation-docx",
        help="Các đoạn viết sẵn từ số liệu đã nạp và Biểu 01–07 ở phụ lục (không theo bộ lọc cấp, loại hình).",
    )
    if state.scope.is_commune:
        return
    try:
        fonts.font_dir()
    except fonts.FontMissing as e:
        c[1].warning(str(e), icon=":material/font_download_off:")
        return
    snap = current_snapshot()
    key = f"briefs-zip-{snap.name if snap else ''}-{state.year}"
    with c[1]:
        if st.button("Lập bản tóm tắt của mọi đơn vị (tệp nén)", icon=":material/folder_zip:", key="briefs-build"):
            bar = st.progress(0.0, text="Đang lập bản tóm tắt…")
            st.session_state[key] = brief.zip_all(
                state.year,
                state.scope,
                progress=lambda i, n, u: bar.progress(
                    i / n, text=f"Đã lập {i}/{n} bản tóm tắt: {_unit_text(u, state)}"
                ),
            )
            bar.empty()
        if key in st.session_state:
            blob = st.session_state[key]
            st.download_button(
                f"Tải bản tóm tắt năm {state.year} của mọi đơn vị (.zip)",
                audited(lambda: blob, f"Bản tóm tắt năm {state.year} của mọi đơn vị", "zip", describe(state)),
                f"tom-tat-{state.year}.zip",
                "application/zip",
                on_click="ignore",
                icon=":material/download:",
                key="briefs-zip",
            )
