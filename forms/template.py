"""Write the annual return workbook: blank, pre-filled with last year's branch list, or filled (sample data)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from etl.annual_return.branch_codes import next_code, own_space
from etl.codes import label, labels
from etl.province import ProvinceConfig, Unit
from etl.schema import (
    BRANCHES,
    COMMITTEE,
    DATA_SHEETS,
    HEADS,
    INFO_FIELDS,
    MEETINGS_FROM,
    ORGS,
    ORGS_FROM,
    UNIT_FIELDS,
    SheetSpec,
)

SAMPLE_MARK = "DỮ LIỆU MẪU (giả lập dưới cấp tỉnh) – không phải số liệu thật"
HEADER_ROW = 4  # 0-based: group headers on row 5, column headers on row 6 of the sheet
FIRST_DATA_ROW = 6
BLANK_ROWS = 200  # rows with drop-downs in a blank template

INSTRUCTIONS = [
    "HƯỚNG DẪN ĐIỀN BIỂU BÁO CÁO HẰNG NĂM",
    "",
    "1. Mỗi đảng bộ (xã, phường, đảng uỷ trực thuộc Tỉnh uỷ) lập một tệp cho mỗi năm báo cáo.",
    "2. Trang «Thông tin»: ghi mã đơn vị (5 chữ số theo danh mục ĐVHC, hoặc mã đảng bộ trực thuộc), tên đảng bộ, năm báo cáo.",
    "3. Trang «Chi bộ»: mỗi chi bộ một dòng. Mã chi bộ giữ nguyên qua các năm; chi bộ mới thì đặt mã mới: mã đơn vị,",
    "   dấu chấm và số tiếp theo (ví dụ {example}). Chỉ ghi chi bộ của đơn vị mình: mã của đơn vị khác bị từ chối.",
    "   Tổng số đảng viên = Miễn đánh giá + Chưa đánh giá + HTXSNV + HTTNV + HTNV + Không HTNV.",
    "   «Xếp loại chi bộ» để trống nếu chi bộ chưa được đánh giá, xếp loại trong năm.",
    "   «Đảng viên tại chỗ» bắt buộc với chi bộ xóm, tổ dân phố (đảng viên đang sinh sống tại xóm).",
    "4. Trang «Cấp uỷ»: mỗi bí thư, phó bí thư, chi uỷ viên một dòng. KHÔNG ghi họ tên: dùng mã cán bộ ẩn danh.",
    "5. Trang «Trưởng xóm, đoàn thể»: chỉ các chi bộ xóm, tổ dân phố; chọn «Không có chức danh này» nếu xóm không có tổ chức đó.",
    "6. Các ô có danh sách chọn: chọn trong danh sách, không gõ tự do. Ô số: chỉ ghi số nguyên, không ghi chữ.",
    "7. Không thêm, bớt, đổi tên cột. Có thể thêm dòng «Tổng cộng» ở cuối: hệ thống sẽ đối chiếu, không nạp dòng này.",
    "8. Tệp có lỗi sẽ không được nạp; thông báo lỗi ghi rõ trang, dòng, cột cần sửa.",
]
# With the sheet «Sinh hoạt chi bộ» (returns from 2026, or a 2025 baseline).
MEETING_INSTRUCTIONS = [
    f"9. Trang «Sinh hoạt chi bộ» (bắt buộc từ báo cáo năm {MEETINGS_FROM}): mỗi chi bộ một dòng, cùng mã chi bộ với "
    "trang «Chi bộ». Số liệu cộng cả năm theo sổ biên bản họp chi bộ và sổ nghị quyết.",
    "   Ô để trống là «chưa báo cáo», không phải 0: nếu không có thì ghi 0 (hoặc «Không»). Riêng «Số tháng phải sinh "
    "hoạt» để trống là 12; «Năm ban hành quy chế làm việc» để trống là chưa ban hành; «Chi bộ điểm» để trống là không.",
    "   Lượt có mặt, vắng có lý do, vắng không lý do: cộng các kỳ sinh hoạt thường kỳ trong năm, không tính đảng viên "
    "được miễn công tác, sinh hoạt đảng.",
    "   Kỳ sinh hoạt chuyên đề tổ chức cùng buổi với sinh hoạt thường kỳ được tính cho cả hai; họp chi bộ kết hợp "
    "với cuộc họp khác không tính là kỳ sinh hoạt chi bộ; sinh hoạt trực tuyến theo quy định được tính.",
    "   Số kỳ được chấm điểm = cộng số kỳ ở các mức xếp loại (theo «Phiếu chấm điểm chất lượng sinh hoạt chi bộ» của "
    "tỉnh).",
    "10. Trang «Thông tin»: hai dòng cuối là việc của chính đảng bộ (biên soạn tài liệu sinh hoạt chi bộ thường kỳ, "
    "định hướng nội dung sinh hoạt chuyên đề).",
]
# With the sheet «Tổ chức cơ sở đảng» (the organisation tree).
ORG_INSTRUCTIONS = [
    "{n}. Trang «Tổ chức cơ sở đảng»: mỗi đảng bộ cơ sở, mỗi đảng bộ bộ phận một dòng (chi bộ cơ sở ghi ở trang «Chi "
    "bộ», cấp «Chi bộ cơ sở»). Đảng bộ cơ sở: để trống «Trực thuộc», ghi kết quả xếp loại của chính đảng bộ (do cấp "
    "uỷ cấp trên quyết định, không cộng từ các chi bộ). Đảng bộ bộ phận: «Trực thuộc» ghi mã đảng bộ cơ sở.",
    "   «Loại hình» của đảng bộ: chọn trong danh sách "
    + ", ".join(f"«{t}»" for t in labels("branch_type", ORGS.col("org_type").wording))
    + ".",
    "   Ở trang «Chi bộ», cột cuối «Trực thuộc (mã đảng bộ)»: chi bộ trực thuộc đảng uỷ cơ sở ghi mã đảng bộ cơ sở, chi "
    "bộ trực thuộc đảng bộ bộ phận ghi mã đảng bộ bộ phận; chi bộ cơ sở và chi bộ trực thuộc đảng uỷ xã, phường để "
    "trống. Mã tổ chức không trùng mã chi bộ.",
]


def write_return(
    target: str | Path | io.BytesIO,
    province: ProvinceConfig,
    unit: Unit,
    year: int,
    branches: Iterable[Mapping[str, Any]] = (),
    committee: Iterable[Mapping[str, Any]] = (),
    heads: Iterable[Mapping[str, Any]] = (),
    *,
    meetings: Iterable[Mapping[str, Any]] | None = None,
    unit_fields: Mapping[str, Any] | None = None,
    orgs: Iterable[Mapping[str, Any]] | None = None,
    prepared_by: str = "",
    report_date: dt.date | None = None,
    is_sample: bool = False,
) -> None:
    """Write one return workbook; row dicts hold codes (as in Parquet), written out as Vietnamese labels.

    The sheet «Sinh hoạt chi bộ» and the committee's meeting fields are there from MEETINGS_FROM, or for an earlier
    year when `meetings` is given (a 2025 baseline); without meeting rows it lists the branches, figures blank.
    The sheet «Tổ chức cơ sở đảng» is there from ORGS_FROM, or for an earlier year when `orgs` is given."""
    from etl.annual_return import meetings_spec

    branches = list(branches)
    with_meetings = meetings is not None or year >= MEETINGS_FROM
    with_orgs = orgs is not None or year >= ORGS_FROM
    if with_meetings and meetings is None:
        meetings = [{"branch_code": b["branch_code"], "branch_name": b.get("branch_name")} for b in branches]
    # Text from the store (branch names) must stay text, never become a live formula in the template.
    wb = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    f = _formats(wb)
    lists = _list_refs()
    space = own_space(unit.code)  # a new branch's code in the instructions: the unit's next free one
    example = next_code([str(b["branch_code"]) for b in branches if str(b["branch_code"]).startswith(space)], space)
    _write_instructions(wb, f, with_meetings, with_orgs, example)
    info = wb.add_worksheet("Thông tin")
    _print_setup(info, landscape=False)
    info.set_column(0, 0, 52)
    info.set_column(1, 1, 40)
    info.write(0, 0, f"ĐẢNG BỘ TỈNH {province.name.upper()}", f["bold"])
    info.write(1, 0, "BÁO CÁO CHẤT LƯỢNG TỔ CHỨC ĐẢNG VÀ ĐẢNG VIÊN HẰNG NĂM", f["title"])
    values = {
        "unit_code": unit.code,
        "unit_name": unit.full_name if unit.is_commune else unit.name,
        "year": year,
        "report_date": (report_date or dt.date(year + 1, 1, 15)).strftime("%d/%m/%Y"),
        "prepared_by": prepared_by,
    }
    for i, (k, text) in enumerate(INFO_FIELDS.items()):
        info.write(3 + i, 0, text, f["label"])
        info.write(3 + i, 1, values[k], f["input"])
    at = 3 + len(INFO_FIELDS)
    if with_meetings:
        for c in UNIT_FIELDS:
            info.write(at, 0, c.header, f["label"])
            v = (unit_fields or {}).get(c.key)
            if c.kind == "code" and isinstance(v, bool):
                v = label(c.domain, "co" if v else "khong")
            info.write(at, 1, v, f["input"])
            if c.kind == "code":
                info.data_validation(at, 1, at, 1, {"validate": "list", "source": lists[c.domain, c.wording]})
            if c.help:
                info.write_comment(at, 1, c.help)
            at += 1
    info.write(at + 1, 0, "Tài liệu lưu hành nội bộ", f["italic"])
    if is_sample:
        info.write(at + 2, 0, SAMPLE_MARK, f["warn"])
        # The same sample is the same bytes (and sha256) on every build: no "created now" in its properties.
        wb.set_properties({"created": dt.datetime(year + 1, 1, 15)})

    title_unit = unit.full_name if unit.is_commune else unit.name
    _write_table(wb, f, lists, BRANCHES, year, title_unit, [_cells(BRANCHES, r) for r in branches])
    _write_table(wb, f, lists, COMMITTEE, year, title_unit, [_cells(COMMITTEE, r) for r in committee])
    _write_table(wb, f, lists, HEADS, year, title_unit, [_cells(HEADS, r) for r in heads])
    if with_meetings:
        spec = meetings_spec(province)
        _write_table(wb, f, lists, spec, year, title_unit, [_cells(spec, r) for r in meetings])
    if with_orgs:
        _write_table(wb, f, lists, ORGS, year, title_unit, [_cells(ORGS, r) for r in orgs or ()])
    _write_lists(wb, f)
    wb.get_worksheet_by_name("Thông tin").activate()
    wb.close()


def _cells(spec: SheetSpec, row: Mapping[str, Any]) -> list[Any]:
    out = []
    for c in spec.columns:
        v = row.get(c.key)
        if c.key == "training" and v is None and "trained" in row:
            v = "da" if row["trained"] else "chua"
        if c.kind == "code" and isinstance(v, bool):
            v = "co" if v else "khong"
        if c.kind == "code" and v is not None:
            v = label(c.domain, v, c.wording)
        out.append(v)
    return out


def _print_setup(ws, landscape: bool, header_rows: tuple[int, int] | None = None) -> None:
    """Printed as an office prints a form: A4, one page wide (as many tall as needed), the column headers on every
    page, «Trang 1/3» below (a sheet of 20 columns split across six pages without it)."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    if header_rows:
        ws.repeat_rows(*header_rows)
    ws.set_footer("&CTrang &P/&N")


def _write_table(wb, f, lists, spec: SheetSpec, year: int, unit_title: str, rows: list[list[Any]]) -> None:
    ws = wb.add_worksheet(spec.name)
    _print_setup(ws, landscape=True, header_rows=(HEADER_ROW, HEADER_ROW + 1))
    n = len(spec.columns)
    ws.merge_range(0, 0, 0, n - 1, unit_title.upper(), f["bold"])
    ws.merge_range(1, 0, 1, n - 1, spec.title.format(year=year), f["title"])
    ws.merge_range(2, 0, 2, n - 1, "Tài liệu lưu hành nội bộ", f["italic"])
    col = 0
    # Text columns are formatted as text: a code typed into a new row stays «01273.084» (not the number 1273.084).
    width = {i: (c.width, f["text"] if c.kind == "text" else None) for i, c in enumerate(spec.columns)}
    while col < n:
        c = spec.columns[col]
        ws.set_column(col, col, *width[col])
        if c.group:
            end = col
            while end + 1 < n and spec.columns[end + 1].group == c.group:
                end += 1
            ws.merge_range(HEADER_ROW, col, HEADER_ROW, end, c.group, f["head"])
            for j in range(col, end + 1):
                ws.set_column(j, j, *width[j])
                ws.write(HEADER_ROW + 1, j, spec.columns[j].header, f["head"])
            col = end + 1
        else:
            ws.merge_range(HEADER_ROW, col, HEADER_ROW + 1, col, c.header, f["head"])
            col += 1
    for i, c in enumerate(spec.columns):
        if c.help:
            ws.write_comment(HEADER_ROW + (1 if c.group else 0), i, c.help)
    for r, values in enumerate(rows):
        for i, v in enumerate(values):
            if v is not None:
                ws.write(FIRST_DATA_ROW + r, i, v)
    last = FIRST_DATA_ROW + max(len(rows), BLANK_ROWS)
    for i, c in enumerate(spec.columns):
        if c.kind == "code":
            ws.data_validation(
                FIRST_DATA_ROW,
                i,
                last,
                i,
                {
                    "validate": "list",
                    "source": lists[c.domain, c.wording],
                    "error_title": "Giá trị không hợp lệ",
                    "error_message": "Chọn một giá trị trong danh sách.",
                },
            )
        elif c.kind in ("int", "year"):
            lo, hi = (1960, 2100) if c.kind == "year" else (0, 1_000_000)
            ws.data_validation(
                FIRST_DATA_ROW,
                i,
                last,
                i,
                {
                    "validate": "integer",
                    "criteria": "between",
                    "minimum": lo,
                    "maximum": hi,
                    "error_title": "Giá trị không hợp lệ",
                    "error_message": "Ghi số nguyên không âm.",
                },
            )
    ws.freeze_panes(FIRST_DATA_ROW, 3)


def _lists() -> list[tuple[str, str]]:
    """The drop-down lists: each code domain in each wording a column writes it in."""
    return sorted({(c.domain, c.wording) for s in DATA_SHEETS for c in s.columns if c.kind == "code"})


def _list_refs() -> dict[tuple[str, str], str]:
    """Where each (domain, wording)'s drop-down list sits on the hidden «Danh mục» sheet."""
    refs = {}
    for j, (d, w) in enumerate(_lists()):
        colname = xl_col_to_name(j)
        refs[d, w] = f"='Danh mục'!${colname}$2:${colname}${1 + len(labels(d, w))}"
    return refs


def _write_lists(wb, f) -> None:
    """A hidden sheet with one column per drop-down list; data validations point at its ranges."""
    ws = wb.add_worksheet("Danh mục")
    for j, (d, w) in enumerate(_lists()):
        ws.write(0, j, d if w == "label" else f"{d} ({w})", f["bold"])
        for i, v in enumerate(labels(d, w)):
            ws.write(1 + i, j, v)
    ws.hide()


def _write_instructions(wb, f, with_meetings: bool, with_orgs: bool, example: str) -> None:
    ws = wb.add_worksheet("Hướng dẫn")
    _print_setup(ws, landscape=True)
    ws.set_column(0, 0, 120)
    orgs = [ORG_INSTRUCTIONS[0].format(n=11 if with_meetings else 9), *ORG_INSTRUCTIONS[1:]] if with_orgs else []
    for i, line in enumerate(INSTRUCTIONS + MEETING_INSTRUCTIONS * with_meetings + orgs):
        ws.write(i, 0, line.replace("{example}", example), f["title"] if i == 0 else None)


def _formats(wb) -> dict[str, Any]:
    return {
        "bold": wb.add_format({"bold": True}),
        "title": wb.add_format({"bold": True, "font_size": 13}),
        "italic": wb.add_format({"italic": True}),
        "label": wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1}),
        "input": wb.add_format({"border": 1}),
        "text": wb.add_format({"num_format": "@"}),
        "warn": wb.add_format({"bold": True, "font_color": "#9C0006"}),
        "head": wb.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
                "border": 1,
                "bg_color": "#DDEBF7",
            }
        ),
    }
