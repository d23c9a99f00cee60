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
