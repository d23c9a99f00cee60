"""Tables: Vietnamese headers and number formats, codes and times in words, the branch lists of the drill-down, and the
data-quality tables."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, export, fmt
from dashboard.filters import State
from dashboard.scope import Filters, Scope
from dashboard.ui.downloads import downloads
from etl.codes import codes

BRANCH_COLS = [
    export.Col("year", "Năm", "year"),
    export.Col("unit_name", "Đơn vị"),
    export.Col("branch_code", "Mã chi bộ"),
    export.Col("branch_name", "Tên chi bộ"),
    export.Col("level_label", "Cấp chi bộ"),
    export.Col("parent_name", "Trực thuộc"),
    export.Col("type_label", "Loại hình"),
    export.Col("members", "Đảng viên", "int"),
    export.Col("rating_label", "Xếp loại chi bộ"),
    export.Col("internet_label", "Internet"),
]


def branch_list(unit_code: str, state: State, key: str) -> None:
    """The branches of one unit (the last drill-down level), with the đảng bộ each belongs to where the return says
    (the organisation tree), exportable."""
    f = state.filters.but(units=(unit_code,))
    df = data.branches(f, state.scope)
    if df.is_empty():
        st.info("Không có chi bộ nào theo bộ lọc đã chọn.")
        return
    name = df["unit_name"][0]
    st.header(f"Chi bộ của {fmt.plain(name)}, năm {state.year}")
    show_table(df, BRANCH_COLS)
    downloads(
        df,
        BRANCH_COLS,
        f"chi-bo-{unit_code}-{state.year}",
        f"Danh sách chi bộ – {name}",
        state.of_unit(unit_code),
        key=f"b-{key}",
    )


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
    st.header(f"Chi bộ cần hỗ trợ của {name[0] if name else unit_code}, năm {state.year}")
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
        state.of_unit(unit_code),
        key=f"gaps-{key}",
    )


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


def show_table(
    df: pl.DataFrame, cols: list[export.Col], height: int | None = None, empty: str = "", wrap: bool = False
) -> None:
    """A table with Vietnamese headers and Vietnamese number formats (1.462; 16,83%; years as 2025); missing values
    as «—»; no rows: a sentence saying so, not an empty grid. `wrap`: long texts (error messages) are read whole,
    wrapped in their column, never cut."""
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
    if wrap:  # a static table wraps its cells (the interactive grid shows one line of each)
        st.table(
            out.select(pl.all().cast(pl.String).fill_null(fmt.NO_DATA)), hide_index=True, height=height or "content"
        )
        return
    config = {c.header: st.column_config.TextColumn(alignment="right") for c in cols if c.kind in ("int", "pct", "dec")}
    # The first column (the unit, the branch, the target) stays in view while a wide table scrolls sideways: on a
    # phone a row still says whose figures it shows.
    first = cols[0]
    right = "right" if first.kind in ("int", "pct", "dec") else None
    config[first.header] = st.column_config.TextColumn(pinned=True, alignment=right)
    st.dataframe(
        out,
        hide_index=True,
        width="stretch",
        column_config=config,
        placeholder=fmt.NO_DATA,
        **({"height": height} if height else {}),
    )


def coverage_table(state: State) -> pl.DataFrame:
    """Per year: units reported of those expected, and whether that is enough to stand for the province."""
    cov = data.coverage(Filters(), state.scope)
    short = f"Chưa đủ (dưới {fmt.num((cov['complete_share'].max() or 0) * 100)}%)"  # int_year_coverage's share
    return cov.with_columns(complete_text=pl.when(pl.col("complete")).then(pl.lit("Đủ")).otherwise(pl.lit(short)))


NOT_COMPARED = "Chưa đối chiếu"


def _why_not_compared(unit_code: str | None, year: int, reported: int | None, expected: int | None) -> str:
    """Why a published cell was not compared (rec_all: the returns behind it are not all loaded)."""
    if unit_code is not None:
        return f"chưa nạp báo cáo năm {year} của đơn vị"
    if not reported:
        return f"chưa nạp báo cáo nào của năm {year}"
    return f"chưa nạp đủ báo cáo năm {year} ({fmt.ratio(reported, expected)} đơn vị)"


def reconciliation_view(scope: Scope) -> pl.DataFrame:
    """The reconciliation in words: Biểu, level, type, role, unit and measure by their Vietnamese names, and what
    kind of cell it is (reconciliation_kinds)."""
    rec = reconciliation_kinds(data.reconciliation(scope))
    return decoded(rec, bieu="bieu", level_code="level", type_code="branch_type", role_code="role", unit_code="unit")


def reconciliation_kinds(rec: pl.DataFrame) -> pl.DataFrame:
    """The cells of data.reconciliation with their measure in words and their kind — matching, a documented
    difference, a new one to check, or not compared because the returns behind it are not all loaded (`status`
    says which) — new differences first."""
    rec = rec.with_columns(
        measure=pl.Series(
            [export.measure_label(b, m) for b, m in zip(rec["bieu"], rec["measure"], strict=True)], dtype=pl.String
        ),
        kind=pl.when(~pl.col("compared"))
        .then(pl.lit(NOT_COMPARED))
        .when(pl.col("difference") == 0)
        .then(pl.lit("Khớp"))
        .when(pl.col("consistency_item").is_not_null())
        .then(pl.lit("Đã giải thích"))
        .otherwise(pl.lit("Mới — cần kiểm tra")),
        status=pl.Series(
            [
                None if compared else _why_not_compared(unit, year, reported, expected)
                for compared, unit, year, reported, expected in rec.select(
                    "compared", "unit_code", "basis_year", "units_reported", "units_expected"
                ).iter_rows()
            ],
            dtype=pl.String,
        ),
    )
    order = {"Mới — cần kiểm tra": 0, "Đã giải thích": 1, "Khớp": 2, NOT_COMPARED: 3}
    return rec.sort(pl.col("kind").replace_strict(order, return_dtype=pl.Int8), "bieu")


def not_compared_note(rec: pl.DataFrame) -> str | None:
    """In words (markdown), how many cells of the reconciliation (reconciliation_kinds) were compared and how many
    could not be, by why: the latest year first, a year's province cells before its communes'. None when every cell
    was compared."""
    left = rec.filter(pl.col("kind") == NOT_COMPARED)
    if left.is_empty():
        return None
    why = (
        left.group_by("status")
        .agg(n=pl.len(), year=pl.col("basis_year").first(), of_unit=pl.col("unit_code").is_not_null().first())
        .sort(["year", "of_unit"], descending=[True, False])
    )
    lines = "\n".join(f"- {fmt.num(n)} ô: {status};" for status, n, *_ in why.iter_rows())
    return (
        f"Đã đối chiếu {fmt.num(rec.height - left.height)} trên {fmt.num(rec.height)} ô số liệu đã công bố. "
        f"{fmt.num(left.height)} ô chưa đối chiếu được (không tính là chênh lệch) vì chưa nạp đủ các báo cáo làm nên "
        f"số liệu đó:\n\n{lines[:-1]}."
    )
