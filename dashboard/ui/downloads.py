"""Downloads: the CSV, Excel and PNG buttons of a table or chart (marked, audited, built on click), the export columns
of an indicator table, and the return template."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import data, export, login, reporting
from dashboard.filters import State, describe
from etl import audit

SOURCE = "Báo cáo hằng năm của các đảng bộ, tổng hợp trên hệ thống theo dõi chất lượng tổ chức đảng"


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
    slug = file_slug(name)
    filters_text = filters_text_of(df, state)
    approval = reporting.approval_notice(state.year)
    meta = export.export_meta(title, filters_text, SOURCE, data.is_sample(), approval, state.year)
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
            lambda: export.table_xlsx(
                df, cols, title, filters_text, SOURCE, data.is_sample(), approval=approval, year=state.year
            ),
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


def file_slug(name: str) -> str:
    """A file name in the user's words: an indicator's id in it becomes its short label without diacritics
    («branch_good-theo-nam» → «chi-bo-httnv-tro-len-theo-nam»)."""
    from dashboard import registry
    from etl.text import fold

    for i in sorted(registry.indicators(), key=len, reverse=True):  # a longer id before any id it contains
        name = name.replace(i, fold(registry.get(i).short_for()))
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def filters_text_of(df: pl.DataFrame, state: State) -> str:
    """The filters an export holds, in words: a table over several years says those years (a trend export of
    2021–2025 is not «năm 2025»)."""
    years = sorted(df["year"].unique().drop_nulls().to_list()) if "year" in df.columns else []
    if len(years) > 1:
        return f"các năm {years[0]}–{years[-1]}; {describe(state, year=False)}"
    return describe(state)


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
