"""Exports that say what they hold (issue 28.6): the profile's unit, not the sidebar's; the years of a trend; negative
numbers as numbers."""

from __future__ import annotations

import polars as pl

from dashboard import export
from dashboard.filters import State
from dashboard.scope import Coverage, Filters, Scope
from dashboard.ui.downloads import filters_text_of

CAN_YEN, CO_BA = "01366", "01327"


def test_a_negative_number_in_a_csv_is_a_number_not_text():
    """«-0,1068» (a pace of −0,1068 points a year) was written «'-0,1068»: Excel read it as text. Text that starts
    like a formula is still neutralised."""
    df = pl.DataFrame({"pace": [-0.1068, 0.5], "name": ["-cmd", "Chi bộ"], "n": [-3, 4]})
    cols = [export.Col("pace", "Tốc độ", "dec"), export.Col("name", "Tên"), export.Col("n", "Số", "int")]
    lines = export.table_csv(df, cols).decode("utf-8-sig").splitlines()
    assert lines[1] == '"-0,1068",\'-cmd,-3'  # quoted for its decimal comma, as every percentage
    assert lines[2] == '"0,5",Chi bộ,4'


def _state(units=()) -> State:
    f = Filters(units=units)
    return State(2025, f.but(years=(2025,)), f, Scope.province(), Coverage(60, 60, True))


def test_the_profiles_export_names_the_profiles_unit(sample_store):
    """Cần Yên chosen in the sidebar, Cô Ba's profile on screen: its exports say «Xã Cô Ba»."""
    text = filters_text_of(pl.DataFrame({"x": [1]}), _state((CAN_YEN,)).of_unit(CO_BA))
    assert "Xã Cô Ba" in text and "Cần Yên" not in text
    assert text.startswith("năm 2025; ")


def test_a_trend_export_says_its_years(sample_store):
    trend = pl.DataFrame({"year": [2021, 2022, 2023, 2024, 2025], "value": [1.0] * 5})
    text = filters_text_of(trend, _state())
    assert text.startswith("các năm 2021–2025; toàn tỉnh") and "năm 2025;" not in text
    assert filters_text_of(trend.head(1), _state()).startswith("năm 2025; ")  # one year: that year


def test_an_excel_tables_text_columns_are_as_wide_as_their_longest_name():
    """A branch's or commune's name was cut at its header's width (a 4-letter header gave 10 characters): the
    column now fits its longest text up to 60 characters; numbers keep the header's width."""
    import io

    from openpyxl import load_workbook

    name = "Chi bộ Trường Trung học phổ thông Nội trú tỉnh"  # 46 characters
    df = pl.DataFrame({"name": [name, "Xóm Nà Mạ"], "n": [1462, 3], "note": ["x" * 90, None]})
    cols = [export.Col("name", "Tên"), export.Col("n", "Số", "int"), export.Col("note", "Ghi chú")]
    ws = load_workbook(io.BytesIO(export.table_xlsx(df, cols, "Bảng", "Toàn tỉnh", "Thử"))).active
    widths = {c: int(ws.column_dimensions[c].width) for c in "ABC"}  # xlsxwriter adds the padding (48 → 48,71)
    assert widths["A"] == len(name) + 2  # 48: the whole name
    assert widths["B"] == 10  # a number: the smallest width
    assert widths["C"] == 60  # the longest text capped
