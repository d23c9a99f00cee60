"""The targets: status words and badges, the province's own target in words, progress rows most urgent first, and the
units × targets matrix."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, data, export, fmt, methods, registry
from dashboard.scope import Scope


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
        charts.YELLOW: "yellow",
        charts.VERMILION: "red",
    }.get(hex_color, "gray")


def sign(comparator: str) -> str:
    return comparator.replace(">=", "≥").replace("<=", "≤")


def target_text(indicator_id: str) -> str:
    """The province's own target for an indicator in words ('≥ 100% (2030)'), the nearest deadline first, or '' if
    it has none."""
    p = data.province_targets(indicator_id)
    if not p.height:
        return ""
    r = p.row(0, named=True)
    return (
        f"{sign(r['comparator'])} {fmt.pct(r['target_value'], 0)} ({'hằng năm' if r['is_annual'] else r['deadline']})"
    )


PROGRESS_COLS = [  # the code first: it is the column a narrow screen keeps in view
    export.Col("target_id", "Mã"),
    export.Col("status_label", "Tình trạng"),
    export.Col("target_text", "Mục tiêu"),
    export.Col("indicator", "Chỉ tiêu đo"),
    export.Col("stated_latest", "Hiện tại (%)", "pct"),
    export.Col("latest_year", "Năm", "year"),
    export.Col("stated_goal", "Mức mục tiêu"),
    export.Col("han", "Thời hạn"),
    export.Col("stated_observed", "Tốc độ thực tế (điểm %/năm)", "dec"),
    export.Col("stated_required", "Tốc độ cần (điểm %/năm)", "dec"),
    export.Col("gap_units", "Còn thiếu (chi bộ/người)", "int"),
    export.Col("history", "Năm chưa có báo cáo: số liệu đã công bố"),
]


def by_urgency(p: pl.DataFrame) -> pl.DataFrame:
    """Progress rows most urgent first (deteriorating → achieved), with the words the tables show."""
    if not p.height:
        return p
    order = {s: i for i, s in enumerate(methods.STATUS_ORDER)}
    short = {r: registry.get(r[0]).short_for(r[1]) for r in p.select("indicator_id", "subgroup").unique().rows()}
    if "published_source" not in p.columns:  # a selection computed from the loaded returns alone
        p = p.with_columns(published_source=pl.lit(None, pl.String), published_until=pl.lit(None, pl.Int32))
    complement = p["stated_complement"].fill_null(False).to_list() if "stated_complement" in p.columns else []
    complement = complement or [False] * p.height
    said = [
        methods.stated(r["latest"], r["target_value"], r["comparator"], c, r["observed_pace"], r["required_pace"])
        for r, c in zip(p.iter_rows(named=True), complement, strict=True)
    ]
    return (
        p.with_columns(
            history=pl.when(pl.col("published_source").is_not_null()).then(
                pl.format("{} (đến năm {})", "published_source", "published_until")
            ),
            # the target in its own words and direction («≥ 100%» of those with at least 3 members, not «≤ 0%» of
            # those with fewer), and what measures it
            indicator=pl.Series(
                [
                    f"100% trừ «{short[r]}»" if c else short[r]
                    for r, c in zip(zip(p["indicator_id"], p["subgroup"], strict=True), complement, strict=True)
                ],
                dtype=pl.String,
            ),
            stated_latest=pl.Series([x.latest for x in said], dtype=pl.Float64),
            stated_goal=pl.Series([f"{sign(x.comparator)} {fmt.pct(x.target, 0)}" for x in said], dtype=pl.String),
            stated_observed=pl.Series([x.observed_pace for x in said], dtype=pl.Float64),
            stated_required=pl.Series([x.required_pace for x in said], dtype=pl.Float64),
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
    st.caption(STATUS_SCALE)


# The statuses in the order of their pace (docs/METHODS.md §1): two near-synonyms («chuyển biến chậm», «cần đẩy
# nhanh») told apart by how far the pace is from the one needed.
_LOW, _HIGH = methods.ratio_pct(methods.ACCELERATE_RATIO), methods.ratio_pct(methods.ON_TRACK_RATIO)
STATUS_SCALE = (
    f"Từ kém đến tốt: Đi xuống (tốc độ ngược chiều mục tiêu) · Chuyển biến chậm (tốc độ dưới {_LOW} mức cần) · "
    f"Cần đẩy nhanh ({_LOW} đến dưới {_HIGH} mức cần) · Đúng lộ trình (từ {_HIGH} mức cần) · Đã đạt."
)


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
    # a column says what its target measures, not only its code («T000-03 · Dùng Sổ tay điện tử»)
    short = {
        t: registry.get(i).short_for(g) for t, i, g in p.select("target_id", "indicator_id", "subgroup").unique().rows()
    }
    cols = [export.Col("unit_name", "Đơn vị"), export.Col("urgent", "Số mục tiêu đi xuống/chậm", "int")]
    return wide, cols + [export.Col(t, f"{t} · {short[t]}") for t in sorted(short)]
