"""The Biểu 01–07 workbook prints as the published annex (issue 28.13): A4 landscape, one page wide, the header rows
on every page, page numbers; and a Biểu can be read on screen (its leaf headers as columns)."""

from __future__ import annotations

import io

import openpyxl

from dashboard import data, export
from dashboard.scope import Scope


def test_every_biểu_prints_landscape_one_page_wide_with_its_header_repeated(tiny_province_store):
    wb = openpyxl.load_workbook(io.BytesIO(export.bieu_workbook(2025, Scope.province(), root=tiny_province_store)))
    # Biểu 03a: the grassroots organisations' ratings in Biểu 03's layout (issue 30); the meetings table after Biểu 07
    assert wb.sheetnames == [
        "Biểu 01",
        "Biểu 02",
        "Biểu 03",
        "Biểu 03a",
        "Biểu 04",
        "Biểu 05",
        "Biểu 06",
        "Biểu 07",
        "Sinh hoạt chi bộ",
    ]
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9, ws.title  # A4
        # fit to pages: 1 wide (the file format's default, left out when written), as many tall as needed
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1), ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_title_rows in ("$8:$8", "$8:$9"), (ws.title, ws.print_title_rows)  # the header rows
        assert "Trang &P/&N" in ws.oddFooter.center.text


def test_the_lines_above_a_biểu_print_within_its_width_and_its_header_uncut(demo_store):
    """A line wider than the table would print past it and shrink the whole page to fit; a header of five wrapped
    lines in a row of three is cut. On the demonstration's 2026 (its approval line and the illustrative-year notice
    make the longest line)."""
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(io.BytesIO(export.bieu_workbook(2026, Scope.province(), root=demo_store)))
    for ws in wb.worksheets:
        last = get_column_letter(ws.max_column)
        assert f"A6:{last}6" in ws.merged_cells, ws.title  # wrapped over the table's width
        line = ws["A6"].value
        assert ".." not in line and "Năm 2026 là năm minh hoạ" in line, ws.title  # the sample's illustrative year
        assert (ws.row_dimensions[6].height or 15) >= 15 * (len(line) // 400 + 1), ws.title  # 15: the default
    b05 = wb["Biểu 05"]  # «Bí thư kiêm trưởng xóm, tổ trưởng TDP» wraps to five lines
    assert b05.row_dimensions[8].height > 4 * 14  # five lines of 14 pt (69,75: rounded to whole pixels)
    b02 = wb["Biểu 02"]  # TT, Nội dung, Tổng số stand over both header rows
    assert {"A8:A9", "B8:B9", "C8:C9"} <= {str(r) for r in b02.merged_cells.ranges}


def test_a_biểu_on_screen_has_one_column_per_leaf_of_its_header(tiny_province_store):
    tables = data.bieu_tables(Scope.province(), None, root=tiny_province_store)
    layouts = {b.number: b for b in export.bieu_layouts(tables, 2025, data.unit_names(root=tiny_province_store))}
    b02 = export.bieu_preview(layouts["02"])
    assert b02.columns[:5] == [
        "TT",
        "Nội dung",
        "Tổng số",
        "Trình độ chuyên môn: Trên ĐH",
        "Trình độ chuyên môn: Đại học",
    ]
    assert b02.width == layouts["02"].width and b02.height == len(layouts["02"].rows)
    b01 = export.bieu_preview(layouts["01"])
    assert b01.columns[:3] == ["TT", "Cấp chi bộ", "Tổng số"]
