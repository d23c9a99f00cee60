"""Export builders: CSV, formatted XLSX, PNG of charts (pure: data in, bytes out), and the official Biểu 01–07
(`bieu_workbook` reads them through the data layer with the caller's scope; `bieu_xlsx` writes them).

Every XLSX states the filters, the source, the date and «Tài liệu lưu hành nội bộ». Text that a spreadsheet would
run as a formula (=, +, -, @ at the start of the cell, or of a piece a spreadsheet may cut it into at «;», «,», a tab
or a line break) is neutralised in CSV and written as plain text in XLSX."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import xlsxwriter

from dashboard import data, fmt, reporting
from dashboard.notices import sample_notice
from dashboard.scope import Scope
from etl.codes import codes, label
from etl.province import load_province
from etl.schema import MEETINGS_FROM
from etl.settings import INTERNAL_MARK, PARQUET_DIR
from etl.text import vn_decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet that splits a CSV line on «;» (Excel with a Vietnamese list separator) or «,» without honouring
# quotes, or on a line break, starts a new cell inside the text: a formula start there (after spaces or a quote)
# runs too.
_INNER_FORMULA = re.compile(r"([;,\t\r\n][ \t\"]*)(?=[=+\-@])")
_png_lock = threading.Lock()
_png_server = {"started": False}


@dataclass(frozen=True)
class Col:
    """A column of an exported table: source column, Vietnamese header, kind ('text', 'int', 'pct', 'dec', or
    'year': a number written without thousands separators, 2025 not 2.025)."""

    name: str
    header: str
    kind: str = "text"


def neutralise(v):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection), and
    so does every piece of it that a spreadsheet splitting on «;», «,», a tab or a line break would make a cell of
    its own («Chi bộ A;=1+1» → «Chi bộ A;'=1+1»)."""
    if not isinstance(v, str):
        return v
    v = _INNER_FORMULA.sub(r"\1'", v)
    return "'" + v if v.startswith(FORMULA_START) else v


def table_csv(df: pl.DataFrame, cols: list[Col], meta: list[str] | None = None) -> bytes:
    """CSV with Vietnamese headers, UTF-8 with BOM (so Excel shows the diacritics). Counts and years are plain
    digits; percentages and decimals use the decimal comma («16,83», quoted), so a Vietnamese Excel reads them as
    numbers. `meta` lines (mark, filters, source, date) come first, then an empty line, then the table."""
    # Python functions applied in Python, never as a polars UDF (see dashboard/fmt.py `py_map`).
    out = pl.DataFrame(
        [
            fmt.py_map(df[c.name], _decimal_comma).alias(c.header)
            if c.kind in ("pct", "dec")
            else df[c.name].alias(c.header)
            for c in cols
        ]
    )
    # Only text is neutralised: a number written with its decimal comma («-0,1068») is a number, not a formula.
    text = {c.header for c in cols if c.kind == "text"}
    out = out.with_columns(
        fmt.py_map(out[c], neutralise) for c, t in out.schema.items() if t == pl.String and c in text
    )
    head = "".join(_csv_line(m) for m in meta or []) + ("\n" if meta else "")
    return ("\ufeff" + head + out.write_csv()).encode("utf-8")


def _decimal_comma(v) -> str | None:
    return None if v is None else vn_decimal(v)


def _csv_line(text: str) -> str:
    return '"' + neutralise(text).replace('"', '""') + '"\n'


def export_meta(
    title: str, filters_text: str, source: str, is_sample: bool, approval: str | None = None, year: int | None = None
) -> list[str]:
    """The lines every export carries: title, internal mark, filters, source, date, how approved the year is when it
    has a reporting period («… Số liệu chốt ngày …», dashboard/reporting.py), and the sample notice (of the year)."""
    lines = [
        title,
        INTERNAL_MARK,
        f"Bộ lọc: {filters_text}",
        f"Nguồn: {source}",
        f"Ngày xuất: {dt.date.today().strftime('%d/%m/%Y')}",
    ]
    return lines + ([approval] if approval else []) + ([sample_notice(year=year)] if is_sample else [])


def table_xlsx(
    df: pl.DataFrame,
    cols: list[Col],
    title: str,
    filters_text: str,
    source: str,
    is_sample: bool = False,
    sheet: str = "Số liệu",
    approval: str | None = None,
    year: int | None = None,
) -> bytes:
    """A formatted workbook: title, internal mark, filters, source and date above a Vietnamese-headed table."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    f = _formats(wb)
    ws = wb.add_worksheet(sheet[:31])
    row = _preamble(ws, f, export_meta(title, filters_text, source, is_sample, approval, year))
    shown = df.select([c.name for c in cols])
    for j, c in enumerate(cols):
        ws.write_string(row, j, c.header, f["head"])
        ws.set_column(j, j, _width(c, shown.get_column(c.name)))
    for i, r in enumerate(shown.iter_rows(), start=row + 1):
        for j, (c, v) in enumerate(zip(cols, r)):
            _cell(ws, i, j, v, c.kind, f)
    ws.freeze_panes(row + 1, 0)
    wb.close()
    return buf.getvalue()


def _width(c: Col, values: pl.Series) -> int:
    """A column as wide as its header (which wraps past 45) and its longest text (up to 60 characters: a commune's
    or a branch's name is read whole, not cut at the header's width); numbers fit in the header's width."""
    longest = 0
    if c.kind not in ("int", "pct", "year") and values.len():
        longest = values.cast(pl.String).str.len_chars().max() or 0
    return max(10, min(45, len(c.header) + 4), min(60, longest + 2))


def _cell(ws, i: int, j: int, v, kind: str, f) -> None:
    if v is None:
        ws.write_blank(i, j, None)
    elif kind == "year":
        ws.write_number(i, j, int(v), f["year"])
    elif kind == "int":
        ws.write_number(i, j, v, f["int"])
    elif kind == "pct":
        ws.write_number(i, j, v / 100, f["pct"])
    elif isinstance(v, (int, float)) and not isinstance(v, bool):
        ws.write_number(i, j, v)
    else:
        ws.write_string(i, j, str(v))


def _preamble(ws, f, lines: list[str]) -> int:
    for i, text in enumerate(lines):
        fmt_ = (
            f["title"] if i == 0 else f["mark"] if text == INTERNAL_MARK or text.startswith(sample_notice()) else None
        )
        ws.write_string(i, 0, text, fmt_) if fmt_ else ws.write_string(i, 0, text)
    return len(lines) + 1


def _formats(wb) -> dict:
    return {
        "title": wb.add_format({"bold": True, "font_size": 13}),
        "mark": wb.add_format({"italic": True, "font_color": "#9C0006"}),
        "head": wb.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
                "border": 1,
                "bg_color": "#DDEBF7",
            }
        ),
        "int": wb.add_format({"num_format": "#,##0", "border": 1}),
        "year": wb.add_format({"num_format": "0", "border": 1}),
        "pct": wb.add_format({"num_format": "0.00%", "border": 1}),
        "text": wb.add_format({"border": 1}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "wrapbold": wb.add_format({"text_wrap": True, "valign": "top", "bold": True}),
        "centre": wb.add_format({"border": 1, "align": "center"}),  # a word among figures («Có»)
        "bold": wb.add_format({"bold": True, "border": 1}),
        "boldint": wb.add_format({"bold": True, "num_format": "#,##0", "border": 1}),
    }


def png_figure(fig: go.Figure, meta: list[str] | None = None) -> go.Figure:
    """The chart as it is exported: the axis labels get the room they need (commune names are never cut) and the
    `meta` lines (mark, year and filters, source, date) are printed under the title."""
    out = go.Figure(fig)
    out.update_xaxes(automargin=True)
    out.update_yaxes(automargin=True)
    height = out.layout.height or 420
    if meta:
        # under the title (the legend and the axis labels are below the plot): one small line each
        extra = 18 * len(meta) + 30
        out.update_layout(
            title={"subtitle": {"text": "<br>".join(meta), "font": {"size": 11, "color": "#555555"}}},
            margin={"t": (out.layout.margin.t or 50) + extra},
            height=height + extra,
        )
    return out


def figure_png(fig: go.Figure, width: int = 1100, height: int | None = None, meta: list[str] | None = None) -> bytes:
    """PNG of a chart (png_figure) through kaleido; one persistent browser, serialised (its server is not safe in
    parallel)."""
    import kaleido

    out = png_figure(fig, meta)
    with _png_lock:
        if not _png_server["started"]:
            kaleido.start_sync_server(mathjax=False, silence_warnings=True)
            _png_server["started"] = True
        return out.to_image(format="png", width=width, height=height or out.layout.height or 420, scale=2)


LEVELS = [c.code for c in codes()["level"]]
TYPES = [c.code for c in codes()["branch_type"]]
ROLES = [c.code for c in codes()["role"]]
ROMAN = ["I", "II", "III", "IV", "V"]
B02_GROUPS = [
    (
        "Trình độ chuyên môn",
        [
            ("professional_post_graduate", "Trên ĐH"),
            ("professional_university", "Đại học"),
            ("professional_college", "Cao đẳng"),
            ("professional_intermediate", "Trung cấp"),
            ("professional_none", "Chưa qua đào tạo"),
        ],
    ),
    (
        "Lý luận chính trị",
        [
            ("political_theory_advanced", "Cao cấp, cử nhân"),
            ("political_theory_intermediate", "Trung cấp"),
            ("political_theory_none", "Sơ cấp, chưa có"),
        ],
    ),
    (
        "Bồi dưỡng nghiệp vụ công tác Đảng",
        [("party_training_trained", "Đã bồi dưỡng"), ("party_training_not_trained", "Chưa bồi dưỡng")],
    ),
    ("Tin học", [("it_proficient", "Thành thạo"), ("it_basic", "Biết sử dụng"), ("it_none", "Chưa biết")]),
]
B03_MEASURES = [
    ("total", "Tổng số"),
    ("rated", "Được ĐG, XL"),
    ("excellent", "HTXSNV"),
    ("good", "HTTNV"),
    ("completed", "HTNV"),
    ("not_completed", "Không HTNV"),
]
B04_MEASURES = [
    ("total", "Tổng số"),
    ("internet_stable", "Internet ổn định"),
    ("internet_unstable", "Không ổn định"),
    ("internet_none", "Chưa có Internet"),
    ("has_computer", "Có máy tính"),
    ("no_computer", "Chưa có máy tính"),
]
B05_MEASURES = [
    ("village_branches", "Tổng số chi bộ xóm, TDP"),
    ("sec_also_front_head", "Bí thư kiêm trưởng ban CTMT"),
    ("sec_also_village_head", "Bí thư kiêm trưởng xóm, tổ trưởng TDP"),
    ("sec_other_roles", "Bí thư kiêm nhiệm chức danh khác"),
]
B06_ROLES = [(c.published_key, c.label) for c in codes()["head_role"]]  # (Biểu 06 column prefix, label)
B07_MEASURES = [
    ("present", "Số có mặt"),
    ("exempt", "Miễn ĐG, XL"),
    ("not_rated", "Chưa ĐG, XL"),
    ("rated", "Đã ĐG, XL"),
    ("good_or_better", "HTTNV trở lên"),
    ("excellent", "Trong đó: HTXSNV"),
    ("completed", "HTNV"),
    ("not_completed", "Không HTNV"),
]
B06_MEASURES = [
    ("village_branches", "Tổng số chi bộ xóm, TDP"),
    ("under_3_members", "Chi bộ có dưới 3 đảng viên tại chỗ"),
    *[
        (f"{k}_{s}", f"{lab}: {'là đảng viên' if s == 'member' else 'không là đảng viên'}")
        for k, lab in B06_ROLES
        for s in ("member", "non_member")
    ],
]


# «Tình hình sinh hoạt chi bộ» (tbl_meetings, the return's sheet «Sinh hoạt chi bộ» from 2026): one row per committee,
# its branches' year summed; the page's table and the workbook's sheet both read their columns here. The committee's
# own fields (materials, thematic orientation) close the row and are not summed into the total.
MEETING_BRANCHES = ("branches", "Số chi bộ báo cáo")
MEETING_GROUPS = [
    (
        "Sinh hoạt thường kỳ",
        [
            ("months_held", "Tháng có sinh hoạt"),
            ("months_due", "Tháng phải sinh hoạt"),
            ("branches_every_month", "Chi bộ sinh hoạt đủ hằng tháng"),
        ],
    ),
    (
        "Chuyên đề, diễn đàn",
        [("branches_thematic_quarterly", "Chi bộ chuyên đề mỗi quý"), ("branches_with_forum", "Chi bộ có diễn đàn")],
    ),
    (
        "Dự sinh hoạt",
        [
            ("attended", "Lượt đảng viên có mặt"),
            ("attendance_due", "Lượt phải dự"),
            ("absent_unexcused", "Lượt vắng không lý do"),
        ],
    ),
    ("Chấm điểm", [("meetings_scored", "Kỳ được chấm điểm"), ("meetings_good", "Kỳ đạt tốt trở lên")]),
    (
        "Nghị quyết, phân công",
        [
            ("branches_resolutions", "Chi bộ có nghị quyết hằng tháng"),
            ("members_assigned", "Đảng viên được phân công"),
            ("members_due", "Đảng viên phải phân công"),
        ],
    ),
    ("Cấp trên dự", [("village_branches", "Chi bộ xóm"), ("villages_visited", "Chi bộ xóm có cấp trên dự")]),
    (
        "Quy chế, chi bộ điểm",
        [
            ("branches_with_rules", "Chi bộ có quy chế làm việc"),
            ("pilots_regular", "Chi bộ điểm thường kỳ"),
            ("pilots_thematic", "Chi bộ điểm chuyên đề"),
        ],
    ),
    (
        "Của đảng bộ",
        [("materials_months", "Tháng có tài liệu sinh hoạt"), ("orientation_text", "Định hướng chuyên đề")],
    ),
]
MEETING_OWN = ("materials_months", "orientation_text")  # the committee's own fields: no total
MEETING_TOTAL = "Tổng cộng"
MEETING_SHEET = "Sinh hoạt chi bộ"


def meeting_rows(df: pl.DataFrame) -> pl.DataFrame:
    """tbl_meetings of one year (with `unit_name`) as the page and the workbook show it: the committee's thematic
    orientation as «Có»/«Không» and, for more than one committee, the total row «Tổng cộng» (the counts summed; a
    count no committee reported stays empty, never 0)."""
    df = df.with_columns(
        orientation_text=pl.when(pl.col("thematic_orientation")).then(pl.lit("Có")).otherwise(pl.lit("Không"))
    )
    if df.height < 2:
        return df
    summed = [MEETING_BRANCHES[0], *[c for _, g in MEETING_GROUPS for c, _ in g if c not in MEETING_OWN]]
    total = df.select(pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(c) for c in summed)
    return pl.concat([df, total.with_columns(unit_name=pl.lit(MEETING_TOTAL))], how="diagonal_relaxed")


def meeting_no_data(year: int) -> str:
    """Why a year's meetings table has no row: before the sheet, or no committee in scope has reported it yet."""
    if year < MEETINGS_FROM:
        return f"Năm {year}: chưa có số liệu (biểu sinh hoạt chi bộ áp dụng từ năm {MEETINGS_FROM})."
    return f"Năm {year}: chưa có số liệu (chưa nạp báo cáo nào có trang «{MEETING_SHEET}» trong phạm vi này)."


def measure_label(bieu: str, measure: str) -> str:
    """The Vietnamese name of one measure of a Biểu, as its column or row is headed («Lý luận chính trị: Sơ cấp,
    chưa có»), for the reconciliation table."""
    names = {
        "bieu01": {"count": "Số chi bộ"},
        "bieu02": {"total": "Tổng số", **{c: f"{g}: {lab}" for g, cols in B02_GROUPS for c, lab in cols}},
        "bieu03": dict(B03_MEASURES),
        "bieu04": dict(B04_MEASURES),
        "bieu05": dict(B05_MEASURES),
        "bieu06": dict(B06_MEASURES),
        "bieu07": dict(B07_MEASURES),
    }
    return names.get(bieu, {}).get(measure, measure)


BIEU_SHEETS = ["Biểu 01", "Biểu 02", "Biểu 03", "Biểu 03a", "Biểu 04", "Biểu 05", "Biểu 06", "Biểu 07", MEETING_SHEET]
GRASSROOTS_KINDS = (("db_co_so", "Đảng bộ cơ sở"), ("co_so", "Chi bộ cơ sở"))


@dataclass(frozen=True)
class HeadCell:
    """A header cell of a Biểu: its text, the columns it spans, and whether it spans both header rows."""

    text: str
    span: int = 1
    tall: bool = False  # the cell stands over both header rows (TT, Nội dung, …) of a two-row header


@dataclass(frozen=True)
class BieuRow:
    tt: str
    label: str
    values: tuple[int | str | None, ...] = ()  # empty for a section or group heading; None: not reported
    bold: bool = False


@dataclass(frozen=True)
class Bieu:
    """One Biểu in its published layout, independent of the file format: header rows, then body rows. A table that
    is not an official Biểu has no number but a `name` (its sheet's); `note` says how complete it is, or why it has
    no rows («chưa có số liệu», never zeros)."""

    number: str
    title: str
    head: tuple[tuple[HeadCell, ...], ...]
    rows: tuple[BieuRow, ...]
    name: str = ""
    note: str = ""

    @property
    def width(self) -> int:
        return sum(c.span for c in self.head[0])

    @property
    def sheet(self) -> str:
        return self.name or f"Biểu {self.number}"

    @property
    def heading(self) -> str:
        """The line above the title: «Biểu số 01», or what an unnumbered table is."""
        if self.number:
            return f"Biểu số {self.number}"
        return f"Biểu «{self.name}» (không phải biểu số chính thức: tổng hợp trang «{self.name}» của báo cáo hằng năm)"


def _cells(*texts: str, tall: bool = False) -> tuple[HeadCell, ...]:
    return tuple(HeadCell(t, tall=tall) for t in texts)


def bieu_layouts(tables: dict[str, pl.DataFrame], year: int, unit_names: dict[str, str]) -> list[Bieu]:
    """Biểu 01–07 laid out as published, from the loaded roll-ups (tbl_bieu01…07, already scoped), then the
    meetings table (tbl_meetings; not an official Biểu): the one layout the XLSX workbook and the Word annex of the
    situation report both render."""
    at = lambda t: tables[t].filter(pl.col("year") == year)  # noqa: E731
    out: list[Bieu] = []

    # Biểu 01
    d = at("tbl_bieu01")
    rows, grand = [], [0] * (1 + len(TYPES))
    for i, lv in enumerate(LEVELS):
        vals = [int(d.filter((pl.col("level_code") == lv) & (pl.col("type_code") == t))["count"].sum()) for t in TYPES]
        row = [sum(vals), *vals]
        grand = [a + b for a, b in zip(grand, row)]
        rows.append(BieuRow(str(i + 1), label("level", lv), tuple(row)))
    rows.append(BieuRow("", "TỔNG CỘNG", tuple(grand), bold=True))
    head = (_cells("TT", "Cấp chi bộ", "Tổng số", *[label("branch_type", t) for t in TYPES]),)
    out.append(Bieu("01", "SỐ LƯỢNG CHI BỘ THEO CẤP VÀ LOẠI HÌNH", head, tuple(rows)))

    # Biểu 02
    cols = [c for _, g in B02_GROUPS for c in g]
    head = (
        (*_cells("TT", "Nội dung", "Tổng số", tall=True), *[HeadCell(n, len(g)) for n, g in B02_GROUPS]),
        tuple(HeadCell(lab) for _, lab in cols),
    )
    d = at("tbl_bieu02")
    rows = []
    for i, lv in enumerate(LEVELS):
        dl = d.filter(pl.col("level_code") == lv)
        rows.append(BieuRow(ROMAN[i], label("level", lv).upper(), bold=True))
        types = [None] if lv == "tt_bo_phan" else TYPES
        for j, t in enumerate(types):
            dt_ = dl.filter(pl.col("type_code").is_null() if t is None else pl.col("type_code") == t)
            if dt_.is_empty():
                continue
            if t is not None:
                rows.append(BieuRow(str(j + 1), label("branch_type", t), bold=True))
            for k, role in enumerate(ROLES):
                x = dt_.filter(pl.col("role_code") == role)
                vals = (int(x["total"].sum()), *[int(x[c].sum()) for c, _ in cols])
                rows.append(BieuRow(f"{j + 1}.{k + 1}" if t is not None else str(k + 1), label("role", role), vals))
    out.append(Bieu("02", "TRÌNH ĐỘ CỦA BÍ THƯ, PHÓ BÍ THƯ, CHI UỶ VIÊN", head, tuple(rows)))

    # Biểu 03 (all years side by side, as published)
    d = tables["tbl_bieu03"]
    years = sorted(d["year"].unique().to_list())
    head = (
        (*_cells("TT", "Cấp chi bộ", tall=True), *[HeadCell(f"Năm {y}", len(B03_MEASURES)) for y in years]),
        tuple(HeadCell(lab) for _ in years for _, lab in B03_MEASURES),
    )
    rows, grand = [], [0] * (len(years) * len(B03_MEASURES))
    for i, lv in enumerate(LEVELS):
        vals = [
            int(d.filter((pl.col("year") == y) & (pl.col("level_code") == lv))[m].sum())
            for y in years
            for m, _ in B03_MEASURES
        ]
        grand = [a + b for a, b in zip(grand, vals)]
        rows.append(BieuRow(str(i + 1), label("level", lv), tuple(vals)))
    rows.append(BieuRow("", "TỔNG CỘNG", tuple(grand), bold=True))
    out.append(Bieu("03", "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHI BỘ", head, tuple(rows)))

    # Biểu 03a: the grassroots organisations in Biểu 03's layout (the units whose return lists their đảng bộ)
    d = tables["tbl_grassroots"]
    years = sorted(d["year"].unique().to_list())
    head = (
        (*_cells("TT", "Tổ chức cơ sở đảng", tall=True), *[HeadCell(f"Năm {y}", len(B03_MEASURES)) for y in years]),
        tuple(HeadCell(lab) for _ in years for _, lab in B03_MEASURES),
    )
    rows, grand = [], [0] * (len(years) * len(B03_MEASURES))
    for i, (kind, text) in enumerate(GRASSROOTS_KINDS):
        vals = [
            int(d.filter((pl.col("year") == y) & (pl.col("org_kind") == kind))[m].sum())
            for y in years
            for m, _ in B03_MEASURES
        ]
        grand = [a + b for a, b in zip(grand, vals)]
        rows.append(BieuRow(str(i + 1), text, tuple(vals)))
    rows.append(BieuRow("", "TỔNG CỘNG (TỔ CHỨC CƠ SỞ ĐẢNG)", tuple(grand), bold=True))
    out.append(Bieu("03a", "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI TỔ CHỨC CƠ SỞ ĐẢNG", head, tuple(rows)))

    # Biểu 04
    d = at("tbl_bieu04")
    rows = []
    for i, lv in enumerate(LEVELS):
        dl = d.filter(pl.col("level_code") == lv)
        rows.append(
            BieuRow(ROMAN[i], label("level", lv).upper(), tuple(int(dl[m].sum()) for m, _ in B04_MEASURES), True)
        )
        if lv == "tt_bo_phan":
            continue
        for j, t in enumerate(TYPES):  # every type, zeros included, as the published table lists them
            x = dl.filter(pl.col("type_code") == t)
            rows.append(BieuRow(str(j + 1), label("branch_type", t), tuple(int(x[m].sum()) for m, _ in B04_MEASURES)))
    head = (_cells("TT", "Cấp, loại hình chi bộ", *[lab for _, lab in B04_MEASURES]),)
    out.append(Bieu("04", "HẠ TẦNG INTERNET, MÁY TÍNH CỦA CHI BỘ", head, tuple(rows)))

    # Biểu 05 and 06 (by commune)
    for n, table, measures, title in (
        ("05", "tbl_bieu05", B05_MEASURES, "BÍ THƯ CHI BỘ XÓM, TỔ DÂN PHỐ KIÊM NHIỆM"),
        ("06", "tbl_bieu06", B06_MEASURES, "NGƯỜI ĐỨNG ĐẦU XÓM, ĐOÀN THỂ LÀ ĐẢNG VIÊN"),
    ):
        d = _by_unit(at(table)).sort("unit_code")
        rows, total = [], [0] * len(measures)
        for i, row in enumerate(d.iter_rows(named=True)):
            vals = [int(row[m] or 0) for m, _ in measures]
            total = [a + b for a, b in zip(total, vals)]
            rows.append(BieuRow(str(i + 1), unit_names.get(row["unit_code"], row["unit_code"]), tuple(vals)))
        rows.append(BieuRow("", "Tổng", tuple(total), bold=True))
        head = (_cells("Stt", "Đảng bộ xã, phường", *[lab for _, lab in measures]),)
        out.append(Bieu(n, title, head, tuple(rows)))

    # Biểu 07 (years as columns)
    d = tables["tbl_bieu07"]
    years7 = sorted(d["year"].unique().to_list())
    rows = [
        BieuRow(str(i + 1), lab, tuple(int(d.filter(pl.col("year") == y)[m].sum()) for y in years7))
        for i, (m, lab) in enumerate(B07_MEASURES)
    ]
    head = (_cells("TT", "Nội dung", *[f"Năm {y}" for y in years7]),)
    out.append(Bieu("07", "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI ĐẢNG VIÊN", head, tuple(rows)))
    out.append(_meetings_bieu(at("tbl_meetings"), at("int_unit_reported").height, year, unit_names))
    return out


def _meetings_bieu(d: pl.DataFrame, expected: int, year: int, unit_names: dict[str, str]) -> Bieu:
    """The meetings table (tbl_meetings of the year, already scoped) in the layout of Biểu 05/06: a row per committee
    and the total, the committees that reported it of those expected, or why there is none."""
    head = (
        (
            *_cells("TT", "Đơn vị", MEETING_BRANCHES[1], tall=True),
            *[HeadCell(g, len(cols)) for g, cols in MEETING_GROUPS],
        ),
        tuple(HeadCell(lab) for _, cols in MEETING_GROUPS for _, lab in cols),
    )
    title = "TÌNH HÌNH SINH HOẠT CHI BỘ"
    if d.is_empty():
        return Bieu("", title, head, (), MEETING_SHEET, meeting_no_data(year))
    name = pl.col("unit_code").replace_strict(unit_names, default=pl.col("unit_code"), return_dtype=pl.String)
    body = meeting_rows(d.sort("unit_code").with_columns(unit_name=name))
    cols = [MEETING_BRANCHES[0], *[c for _, g in MEETING_GROUPS for c, _ in g]]
    rows = [
        BieuRow(str(i + 1), r["unit_name"], tuple(r[c] for c in cols)) for i, r in enumerate(body.iter_rows(named=True))
    ]
    if body.height > d.height:  # the total row
        rows[-1] = BieuRow("", MEETING_TOTAL, rows[-1].values, bold=True)
    note = (
        f"Đơn vị có số liệu: {fmt.num(d.height)}/{fmt.num(expected)} (số liệu cả năm theo sổ biên bản của các chi bộ; "
        "đơn vị chưa nạp báo cáo không có dòng)."
    )
    return Bieu("", title, head, tuple(rows), MEETING_SHEET, note)


def bieu_workbook(year: int, scope: Scope, unit_code: str | None = None, root: Path = PARQUET_DIR) -> bytes:
    """Biểu 01–07 of a year as one XLSX in the published layout, and the meetings sheet, for the province or one unit
    (a commune user: its own), read through the data layer with the caller's scope."""
    names = data.unit_names(root=root)
    if scope.is_commune:
        unit_code = scope.unit_code
    whole = data.province_name(scope.province_code) if scope.is_one_province else "toàn tỉnh"
    text = names.get(unit_code, whole) if unit_code else whole
    return bieu_xlsx(
        data.bieu_tables(scope, unit_code, root=root),
        year,
        load_province().name,
        text,
        names,
        data.is_sample(root=root),
        reporting.approval_notice(year, root),
    )


def bieu_xlsx(
    tables: dict[str, pl.DataFrame],
    year: int,
    province_name: str,
    scope_text: str,
    unit_names: dict[str, str],
    is_sample: bool = False,
    approval: str | None = None,
) -> bytes:
    """Biểu 01–07 in their published layout and the meetings sheet, from the loaded roll-ups (data.bieu_tables,
    already scoped); a sheet without rows says why («chưa có số liệu»)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    f = _formats(wb)
    for b in bieu_layouts(tables, year, unit_names):
        ws = wb.add_worksheet(b.sheet)
        ws.write_string(0, 0, f"ĐẢNG BỘ TỈNH {province_name.upper()}", f["title"])
        ws.write_string(1, 0, b.heading, f["title"])
        ws.write_string(2, 0, b.title, f["title"])
        ws.write_string(3, 0, f"Phạm vi: {scope_text}; năm {year}")
        ws.write_string(4, 0, INTERNAL_MARK, f["mark"])
        ws.set_column(0, 0, 6)
        ws.set_column(1, 1, 48)
        ws.set_column(2, b.width, 11)
        made = f"Tổng hợp từ báo cáo đã nạp, ngày {dt.date.today().strftime('%d/%m/%Y')}."  # each part a sentence
        _wrapped(ws, 5, made + "".join(f" {x}" for x in (approval, is_sample and sample_notice(year=year)) if x), b, f)
        if b.note:
            _wrapped(ws, 6, b.note, b, f, "wrapbold" if not b.rows else "wrap")
        _print_setup(ws, first=7, head=len(b.head) if b.rows else 0)
        if not b.rows:  # «chưa có số liệu»: no empty table that reads as zeros
            continue
        r = 7
        for i, cells in enumerate(b.head):
            c = 0 if i == 0 else sum(x.span for x in b.head[0] if x.tall)
            # as many lines as the longest wrapped header of a figure's column («Bí thư kiêm trưởng xóm, tổ trưởng
            # TDP»: five), three at least, never one cut line; a bold line holds about 9 characters of a column
            starts = itertools.accumulate((x.span for x in cells), initial=c)
            lines = [-(-len(x.text) // (9 * x.span)) for x, at in zip(cells, starts) if at >= 2 and not x.tall]
            ws.set_row(r + i, 14 * max([3, *lines]))
            for cell in cells:
                down = len(b.head) - 1 if cell.tall else 0  # TT, Nội dung, … stand over both header rows
                if cell.span > 1 or down:
                    ws.merge_range(r + i, c, r + i + down, c + cell.span - 1, cell.text, f["head"])
                else:
                    ws.write_string(r + i, c, cell.text, f["head"])
                c += cell.span
        r += len(b.head)
        for i, row in enumerate(b.rows):
            _row(ws, r + i, row.tt, row.label, list(row.values), f, bold=row.bold)
    wb.close()
    return buf.getvalue()


def _wrapped(ws, row: int, text: str, b: Bieu, f, kind: str = "wrap") -> None:
    """A line over the table's width, wrapped and as tall as its lines: a long line would print past the table and
    shrink the page to fit it."""
    chars = 6 + 48 + 11 * (b.width - 2)  # the columns' widths (set_column), in characters
    ws.merge_range(row, 0, row, b.width - 1, text, f[kind])
    ws.set_row(row, 15 * -(-len(text) // int(chars * 1.1)))


def _print_setup(ws, first: int, head: int) -> None:
    """Print a Biểu as the published annex prints: A4 landscape, every column on the page's width, the header rows
    repeated on each page, the page number below («Trang 2/5»)."""
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as the rows need
    if head:
        ws.repeat_rows(first, first + head - 1)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&CTrang &P/&N")


def bieu_preview(b: Bieu) -> pl.DataFrame:
    """A Biểu as a table for the screen: one column per leaf of its header («Chi bộ xóm, tổ dân phố: Tổng số»), the
    TT and content columns first, the rows as laid out (a heading row without figures)."""
    top, sub = b.head[0], (b.head[1] if len(b.head) > 1 else ())
    names, k = [], 0
    for cell in top:
        if cell.tall or not sub:
            names.append(cell.text)
        else:
            names += [f"{cell.text}: {c.text}" for c in sub[k : k + cell.span]]
            k += cell.span
    names = [n if names.count(n) == 1 else f"{n} ({i + 1})" for i, n in enumerate(names)]
    rows = [[r.tt, r.label, *map(cell_text, r.values), *[""] * (len(names) - 2 - len(r.values))] for r in b.rows]
    return pl.DataFrame(rows, schema=names, orient="row")


def cell_text(v: int | str | None) -> str:
    """A Biểu cell as text: a count in Vietnamese format (1.462), text as it is, «—» for a figure not reported."""
    return v if isinstance(v, str) else fmt.num(v)


def _by_unit(d: pl.DataFrame) -> pl.DataFrame:
    """One row per unit: Biểu 06 arrives one measure per row (tbl_bieu06), Biểu 05 already wide."""
    if "measure" not in d.columns or d.is_empty():
        return d
    return d.pivot("measure", index="unit_code", values="value", aggregate_function="sum")


def _row(ws, r: int, tt: str, text: str, values: list, f, bold: bool = False, first: int = 2) -> None:
    ws.write_string(r, 0, tt, f["bold"] if bold else f["text"])
    ws.write_string(r, 1, text, f["bold"] if bold else f["text"])
    for j, v in enumerate(values):
        if isinstance(v, str):
            ws.write_string(r, first + j, v, f["centre"])
        elif v is None:  # not reported: empty, never 0
            ws.write_blank(r, first + j, None, f["boldint"] if bold else f["int"])
        else:
            ws.write_number(r, first + j, v, f["boldint"] if bold else f["int"])
