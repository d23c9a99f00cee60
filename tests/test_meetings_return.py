"""The sheet «Sinh hoạt chi bộ» and the committee's meeting fields of the return (issue 27): a 2026 return filled as
an office fills it loads, with every figure as typed; one with the mistakes offices make is refused with the cell
named; a 2025 baseline may have the sheet, partly filled; a 2021–2025 return without it loads as before; the office
layouts the ETL reads on «Chi bộ» (title rows, merged or single-row headers, subtotals, «Tổng cộng», the
signature block, TCVN3, .xls, LibreOffice) are read on this sheet too; and its warnings.

The return is the app's own template for Xã Cần Yên (48 branches, 33 of them villages) with the 2025 sample's
branches and meetings as tests/fixtures.office_meetings."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard import reporting
from etl.annual_return import ParsedReturn, parse_return, parse_returns
from etl.findings import ReturnRejected
from etl.schema import MEETINGS
from forms.template import write_return
from synthetic.sample import SampleBuilder
from tests import messy as m
from tests.fixtures import office_meetings

UNIT, YEAR = "01366", 2026  # Xã Cần Yên
POLICE = "04-CA"  # Đảng bộ Công an tỉnh: a province-affiliated committee, not a commune
SHEET = "Sinh hoạt chi bộ"
DATA = Path(__file__).resolve().parent / "data"
UNIT_FIELDS = {"materials_months": 10, "thematic_orientation": True}


@pytest.fixture(scope="module")
def rows(province):
    """Cần Yên's 2025 branches, committee and heads from the sample, carried into 2026, with its meetings."""
    branches, committee, heads = SampleBuilder(province).build().returns()[(UNIT, 2025)]
    return branches, committee, heads, office_meetings(branches), UNIT_FIELDS


def workbook(province, rows, year=YEAR, unit=UNIT) -> bytes:
    return m.clean_workbook(province, unit, year, rows)


def with_meetings(rows, change) -> tuple:
    """The rows with the meetings changed by `change(list of dicts)` (a copy)."""
    meetings = [dict(r) for r in rows[3]]
    change(meetings)
    return (*rows[:3], meetings, rows[4])


def errors(result) -> list[str]:
    assert isinstance(result, ReturnRejected), "the return was loaded"
    return [f.text() for f in result.findings if f.severity == "error"]


def at(col: str, row: int, field: str) -> str:
    return f"Tệp «bc.xlsx», trang «{SHEET}», dòng {row}, cột {col} ({field})"


@pytest.fixture(scope="module")
def book(province, rows) -> m.Book:
    return m.read_book(workbook(province, rows))


@pytest.fixture(scope="module")
def clean(province, rows) -> ParsedReturn:
    parsed = parse_return(workbook(province, rows), "sach.xlsx", province)
    assert parsed.warnings == []
    return parsed


# ---------------------------------------------------------------------------------------------- as typed


def test_an_office_return_loads_every_figure_as_typed(clean, rows):
    typed = rows[3]
    got = clean.meetings.sort("excel_row")
    assert got.height == 48 and got["excel_row"].to_list() == list(range(7, 55))
    assert got["branch_code"].to_list() == [r["branch_code"] for r in typed]
    # blank «Số tháng phải sinh hoạt» is 12; the branch founded in July (6th row) has 6
    assert got["months_due"].to_list() == [6 if i == 5 else 12 for i in range(48)]
    for col in ("regular_held", "att_present", "att_excused", "att_unexcused", "q_scored", "members_assigned"):
        assert got[col].to_list() == [r[col] for r in typed], col
    # «tốt trở lên» is the level «Tốt» (the province's criteria); the two other levels are blank = 0
    assert got["q_good"].to_list() == [r["q_level1"] for r in typed]
    assert got["q_level3"].to_list() == [0] * 48 and got["q_level5"].to_list() == [None] * 48
    # blank «Năm ban hành quy chế» is «not issued» (null), blank «Chi bộ điểm» is «Không»
    assert got["rules_year"].null_count() == sum(r["rules_year"] is None for r in typed) == 4
    pilots = got["pilot"].cast(pl.String).to_list()
    assert {i: p for i, p in enumerate(pilots) if p != "khong"} == {1: "thuong_ky", 8: "ca_hai", 20: "chuyen_de"}
    assert clean.unit_year.select("year", "unit_code", "materials_months", "thematic_orientation").row(0) == (
        2026,
        UNIT,
        10,
        True,
    )
    assert "meetings" in clean.sheets_present


def test_the_summary_counts_the_sheets_rows(clean):
    (summary,) = [r.text() for r in clean.rows if r.sheet == SHEET]
    assert summary == (
        f"Tệp «sach.xlsx», trang «{SHEET}»: đọc 53 dòng — 3 dòng tiêu đề trang, 2 dòng tên cột, 48 chi bộ."
    )


# ---------------------------------------------------------------------------------------------- refused


def test_an_office_return_with_the_usual_mistakes_is_refused_cell_by_cell(province, rows):
    def mistakes(ms):
        ms[0]["regular_held"] = 13  # months held > 12 (row 7)
        ms[1]["q_level1"] = ms[1]["q_scored"] + 2  # more «Tốt» than meetings scored (row 8)
        for k in ("att_present", "att_excused", "att_unexcused"):  # attendance missing (row 9)
            ms[2][k] = None
        del ms[3]  # a branch missing from the sheet (01366.004, row 10 of «Chi bộ»)

    r = rows[3]
    got = errors(parse_returns([("bc.xlsx", workbook(province, with_meetings(rows, mistakes)))], province)[0])
    assert got == [
        f"{at('E', 7, 'Số tháng có sinh hoạt')}: Số tháng có sinh hoạt (13) lớn hơn số tháng phải sinh hoạt (12).",
        f"{at('K', 8, 'Số kỳ được chấm điểm')}: Số kỳ theo các mức xếp loại (Tốt {r[1]['q_scored'] + 2} + Khá "
        f"{r[1]['q_level2']} + Trung bình 0 + Kém 0 = {r[1]['q_scored'] + 2 + r[1]['q_level2']}) khác số kỳ được "
        f"chấm điểm ({r[1]['q_scored']}).",
        f"{at('H', 9, 'Có mặt')}: Chi bộ có sinh hoạt ({r[2]['regular_held']} tháng) nhưng không ghi lượt đảng viên dự "
        "(có mặt, vắng có lý do, vắng không lý do): hãy cộng các kỳ trong sổ biên bản.",
        f"Tệp «bc.xlsx», trang «{SHEET}», cột B (Mã chi bộ): Chi bộ «{r[3]['branch_name']}» (mã 01366.004, dòng 10 "
        f"trang «Chi bộ») chưa có dòng ở trang «{SHEET}»: từ báo cáo năm 2026 mỗi chi bộ phải có một dòng.",
    ]


def test_every_rule_of_the_sheet_names_its_cell(province, rows):
    def mistakes(ms):
        ms[0]["months_due"] = 0  # E1: 1–12
        ms[1]["bulletin_meetings"] = ms[1]["regular_held"] + 1  # E2
        ms[2]["res_assigned"] = ms[2]["regular_held"] + 1  # E2
        ms[3]["q_scored"], ms[3]["q_level1"], ms[3]["q_level2"] = 13, 13, 0  # E2 (scored ≤ held)
        ms[4]["thematic_quarters"] = 5  # E4
        ms[5]["higher_quarters"] = 6  # E4
        ms[6]["forums"] = 13  # E4
        ms[7]["att_present"], ms[7]["att_excused"], ms[7]["att_unexcused"] = 3, 0, 0  # E5: fewer than meetings
        ms[8]["regular_held"], ms[8]["res_assigned"], ms[8]["bulletin_meetings"] = 0, 0, 0  # E5: none held,
        ms[8]["q_scored"], ms[8]["q_level1"], ms[8]["q_level2"] = 0, 0, 0  # … yet attendance typed
        ms[9]["members_assigned"] = 999  # E7: more than the members not exempted
        ms[10]["rules_year"] = 2027  # E8: after the report year
        ms[11]["branch_code"] = "01366.999"  # E9: not on «Chi bộ» (and 01366.012 has no row)
        ms[12]["procedure_ok"] = None  # a blank that is required from 2026
        ms[13]["members_assigned"] = "mười"  # not a number (one message, not two)

    r = rows[3]
    got = errors(parse_returns([("bc.xlsx", workbook(province, with_meetings(rows, mistakes)))], province)[0])
    held = [x["regular_held"] for x in r]
    eligible9 = rows[0][9]["members"] - rows[0][9]["exempt"]
    assert got == [
        f"{at('Q', 20, 'Số đảng viên được phân công nhiệm vụ')}: «mười» không phải là số nguyên.",
        f"{at('D', 7, 'Số tháng phải sinh hoạt')}: Số tháng phải sinh hoạt (0) phải từ 1 đến 12 (để trống là 12).",
        f"{at('E', 7, 'Số tháng có sinh hoạt')}: Số tháng có sinh hoạt ({held[0]}) lớn hơn số tháng phải sinh hoạt (0).",
        f"{at('R', 8, 'Số kỳ sử dụng Bản tin Thông báo nội bộ')}: Số kỳ sử dụng Bản tin Thông báo nội bộ "
        f"({held[1] + 1}) lớn hơn số tháng có sinh hoạt ({held[1]}).",
        f"{at('P', 9, 'Số tháng có nghị quyết (kết luận) phân công đảng viên')}: Số tháng có nghị quyết (kết luận) "
        f"phân công đảng viên ({held[2] + 1}) lớn hơn số tháng có sinh hoạt ({held[2]}).",
        f"{at('K', 10, 'Số kỳ được chấm điểm')}: Số kỳ được chấm điểm (13) lớn hơn số tháng có sinh hoạt ({held[3]}).",
        f"{at('F', 11, 'Số quý có sinh hoạt chuyên đề')}: Số quý có sinh hoạt chuyên đề phải từ 0 đến 4 (ghi 5).",
        f"{at('S', 12, 'Số quý có cấp uỷ viên cấp trên dự sinh hoạt')}: Số quý có cấp uỷ viên cấp trên dự sinh hoạt "
        "phải từ 0 đến 4 (ghi 6).",
        f"{at('G', 13, 'Số diễn đàn đã tổ chức')}: Số diễn đàn trong năm phải từ 0 đến 12 (ghi 13).",
        f"{at('H', 14, 'Có mặt')}: Tổng lượt có mặt, vắng có lý do, vắng không lý do (3) ít hơn số tháng có sinh "
        f"hoạt ({held[7]}).",
        f"{at('H', 15, 'Có mặt')}: Không có tháng nào có sinh hoạt nhưng có ghi lượt đảng viên dự "
        f"({r[8]['att_present'] + r[8]['att_excused'] + r[8]['att_unexcused']}).",
        f"{at('T', 17, 'Năm ban hành (sửa đổi) quy chế làm việc')}: Năm ban hành quy chế làm việc (2027) phải từ 1990 "
        "đến năm báo cáo (2026).",
        f"{at('B', 18, 'Mã chi bộ')}: Mã chi bộ «01366.999» không có trong trang «Chi bộ».",
        f"Tệp «bc.xlsx», trang «{SHEET}», cột B (Mã chi bộ): Chi bộ «{r[11]['branch_name']}» (mã 01366.012, dòng 18 "
        f"trang «Chi bộ») chưa có dòng ở trang «{SHEET}»: từ báo cáo năm 2026 mỗi chi bộ phải có một dòng.",
        f"{at('Q', 16, 'Số đảng viên được phân công nhiệm vụ')}: Số đảng viên được phân công nhiệm vụ (999) lớn hơn "
        f"số đảng viên phải phân công ({eligible9}: tổng số đảng viên trừ số miễn đánh giá ở trang «Chi bộ»).",
        f"{at('W', 19, 'Đầy đủ nội dung, đúng quy trình sinh hoạt')}: Ô này bắt buộc từ báo cáo năm 2026: ghi số liệu "
        "(ghi 0 hoặc «Không» nếu không có); để trống là chưa báo cáo.",
    ]


def test_a_2026_return_without_the_sheet_or_the_committee_fields_is_refused(province, rows):
    book = m.read_book(workbook(province, rows))
    del book[SHEET]
    info = book["Thông tin"]
    for row in info.rows:  # the committee's two fields left blank
        if row and isinstance(row[0], str) and row[0].startswith(("Số tháng đảng bộ", "Đã định hướng")):
            row[1] = ""
    got = errors(parse_returns([("bc.xlsx", m.write_xlsx(book))], province)[0])
    assert got == [
        f"Tệp «bc.xlsx»: Không có trang «{SHEET}» (bắt buộc từ báo cáo năm 2026). Hãy dùng biểu mẫu năm 2026 tải từ "
        "hệ thống.",
        "Tệp «bc.xlsx», trang «Thông tin», dòng 9, cột B (Số tháng đảng bộ biên soạn, phát hành tài liệu sinh hoạt "
        "chi bộ thường kỳ): Ô này bắt buộc từ báo cáo năm 2026: ghi số liệu (ghi 0 hoặc «Không» nếu không có); để "
        "trống là chưa báo cáo.",
        "Tệp «bc.xlsx», trang «Thông tin», dòng 10, cột B (Đã định hướng nội dung sinh hoạt chuyên đề cho từng loại "
        "hình chi bộ trực thuộc): Ô này bắt buộc từ báo cáo năm 2026: ghi số liệu (ghi 0 hoặc «Không» nếu không có); "
        "để trống là chưa báo cáo.",
    ]


def test_a_2026_csv_cannot_carry_the_sheet_and_says_so(province, rows):
    (result,) = parse_returns([("bc.csv", m.write_csv(m.read_book(workbook(province, rows))))], province)
    assert (
        f"Tệp «bc.csv»: Không có trang «{SHEET}» (bắt buộc từ báo cáo năm 2026) (tệp chỉ có một trang, như tệp "
        ".csv: hãy nộp tệp Excel có đủ các trang). Hãy dùng biểu mẫu năm 2026 tải từ hệ thống." in errors(result)
    )


@pytest.mark.slow
def test_pilot_branches_are_a_communes_choice(province, rows):
    branches, committee, heads = SampleBuilder(province).build().returns()[(POLICE, 2025)]
    meetings = [{**r, "pilot": "thuong_ky" if i == 1 else None} for i, r in enumerate(office_meetings(branches))]
    data = m.clean_workbook(province, POLICE, YEAR, (branches, committee, heads, meetings, UNIT_FIELDS))
    got = errors(parse_returns([("bc.xlsx", data)], province)[0])
    assert got == [
        f"{at('X', 8, 'Chi bộ điểm chỉ đạo')}: Chỉ đảng bộ xã, phường chọn chi bộ điểm chỉ đạo (Đề án: mỗi đảng bộ "
        "xã, phường chọn 02–03 chi bộ sinh hoạt định kỳ, 01–02 chi bộ sinh hoạt chuyên đề): hãy để trống cột này."
    ]


# ---------------------------------------------------------------------------------------------- years


def test_a_2025_baseline_may_have_the_sheet_partly_filled(province, rows):
    """Copied from the minute books: what did not exist in 2025 (scoring, pilots, the bulletin count, the committee
    above's judgement) left blank, some branches not copied: it loads, blanks stay «not reported» and the missing
    branches are a warning."""
    later = ("q_scored", "q_level1", "q_level2", "bulletin_meetings", "term_docs", "year_programme", "procedure_ok")

    def baseline(ms):
        for r in ms:
            for k in later:
                r[k] = None
            r["pilot"] = None
        del ms[40:]

    b2025 = with_meetings(rows, baseline)
    data = m.clean_workbook(province, UNIT, 2025, (*b2025[:4], None))
    parsed = parse_return(data, "2025.xlsx", province)
    assert parsed.meetings.height == 40
    assert parsed.meetings.select(pl.col("q_scored", "q_good", "bulletin_meetings", "procedure_ok").null_count()).row(
        0
    ) == (40, 40, 40, 40)
    assert parsed.meetings["regular_held"].to_list() == [r["regular_held"] for r in rows[3][:40]]
    assert parsed.unit_year.height == 0  # the committee's fields left blank: not reported
    missing = ", ".join(r["branch_code"] for r in rows[3][40:48][:8])
    assert [f.text() for f in parsed.warnings] == [
        f"Tệp «2025.xlsx», trang «{SHEET}», cột B (Mã chi bộ): 8 chi bộ của trang «Chi bộ» không có dòng ở trang "
        f"«{SHEET}» ({missing}): số liệu sinh hoạt năm 2025 của các chi bộ này coi như chưa báo cáo."
    ]


def test_a_2025_return_without_the_sheet_loads_as_before(province, rows):
    data = m.clean_workbook(province, UNIT, 2025, rows[:3])
    parsed = parse_return(data, "2025.xlsx", province)
    assert parsed.warnings == [] and parsed.sheets_present == ("branches", "committee", "heads")
    assert parsed.meetings.height == 0 and parsed.unit_year.height == 0
    assert SHEET not in m.read_book(data)  # the 2025 template has no such sheet


# ---------------------------------------------------------------------------------------------- office layouts


MEETINGS_OFFICE = {
    "party header, title rows shifted, two columns at left": m.compose(m.party_header(), m.shifted),
    "one header row with other spellings": m.single_row_header(1),
    "a row of column numbers": m.numbering_row,
    "subtotals per type of branch and «Tổng cộng»": m.compose(
        m.subtotals(spec=MEETINGS, count="regular_held", titles=True),
        m.grand_total(spec=MEETINGS, count="regular_held"),
    ),
    "«Tổng số» at the top": m.total_on_top(spec=MEETINGS),
    "numbered blank rows, notes and the signature block": m.compose(
        m.numbered_blank_rows(spec=MEETINGS), lambda b: m.note_lines(b, MEETINGS), m.signature_block()
    ),
    "counts typed as text, codes typed by hand": m.compose(m.numbers_as_text, m.spelled_codes),
    "NFD and the other tone placement": m.compose(m.nfd, m.tone_placement),
    "typed in TCVN3 on a .VnTime machine": m.tcvn3_tabs,
    "TCVN3 typed into the Unicode template": m.tcvn3_typed,
}


@pytest.mark.parametrize("mess", list(MEETINGS_OFFICE.values()), ids=list(MEETINGS_OFFICE))
def test_office_layouts_of_the_sheet_read_the_same_meetings(province, book, clean, mess):
    messy = parse_returns([("bc.xlsx", m.write_xlsx(mess(book)))], province)[0]
    assert isinstance(messy, ParsedReturn), [f.text() for f in messy.findings][:5]
    tcvn3 = [f for f in messy.warnings if f.rule == "tcvn3"]
    assert [f for f in messy.warnings if f.rule != "tcvn3"] == []
    for frame in ("branches", "meetings", "unit_year"):
        assert_frame_equal(
            getattr(clean, frame).drop("excel_row", strict=False), getattr(messy, frame).drop("excel_row", strict=False)
        )
    assert len(tcvn3) <= 1


def test_saved_as_xls_reads_the_same_meetings(province, book, clean):
    messy = parse_return(m.write_xls(m.compose(m.party_header(), m.signature_block())(book)), "bc.xls", province)
    assert_frame_equal(clean.meetings.drop("excel_row"), messy.meetings.drop("excel_row"))


def test_a_wrong_total_of_the_sheet_is_named(province, book, rows):
    held = sum(r["regular_held"] for r in rows[3])
    mess = m.grand_total(wrong_by=2, spec=MEETINGS, count="regular_held")
    assert errors(parse_returns([("bc.xlsx", m.write_xlsx(mess(book)))], province)[0]) == [
        f"{at('E', 55, 'Số tháng có sinh hoạt')}: Dòng «Tổng cộng» ghi {held + 2} nhưng cộng các dòng được {held}."
    ]


@pytest.mark.parametrize("ext", ["ods", "xls", "xlsx"])
def test_saved_by_libreoffice_reads_like_the_original(province, ext):
    """tests/data/can_yen_2026.xlsx (the office layout on every sheet) as LibreOffice saves it
    (tests/data/make_office_files.py)."""
    source = parse_return((DATA / "can_yen_2026.xlsx").read_bytes(), "can_yen_2026.xlsx", province)
    saved = parse_return((DATA / f"can_yen_2026_libreoffice.{ext}").read_bytes(), f"lo.{ext}", province)
    assert source.meetings.height == 48 and source.warnings == []
    for frame in ("branches", "meetings", "unit_year"):
        assert_frame_equal(
            getattr(source, frame).drop("excel_row", strict=False),
            getattr(saved, frame).drop("excel_row", strict=False),
        )


# ---------------------------------------------------------------------------------------------- warnings


def _branches(*rows) -> pl.DataFrame:
    """(code, type, members, exempt) per branch."""
    return pl.DataFrame(
        [
            {
                "branch_code": c,
                "branch_name": f"Chi bộ {c}",
                "branch_type": t,
                "members": n,
                "exempt": e,
                "rating": None,
                **dict.fromkeys(("excellent", "good", "completed", "not_completed"), 0),
            }
            for c, t, n, e in rows
        ]
    )


def _meetings(*rows) -> pl.DataFrame:
    """(code, held, present, excused, unexcused, scored, resolutions, higher quarters, bulletin, pilot)."""
    keys = (
        "branch_code",
        "regular_held",
        "att_present",
        "att_excused",
        "att_unexcused",
        "q_scored",
        "res_assigned",
        "higher_quarters",
        "bulletin_meetings",
        "pilot",
    )
    return pl.DataFrame([dict(zip(keys, r)) | {"months_due": 12} for r in rows])


def flags(branches, meetings, months=None, commune=True) -> list[tuple[str, str]]:
    unit = pl.DataFrame({"materials_months": [months]}) if months is not None else None
    got = reporting.evaluate(branches, branches.head(0), meetings=meetings, unit_year=unit, is_commune=commune)
    return [(f.rule, f.text) for f in got]


def test_the_warnings_of_the_sheet():
    # X1: 10 members, 0 exempt, 12 meetings → 120 member-meetings due; 59 recorded: below 50% (60) — warns.
    # X2: 10 members, 2 exempt → 8 × 12 = 96; 97 recorded, no resolution in a full year; pilot both kinds.
    # X3: village, 5 members → 60 due, 60 recorded; no visit from the committee above; 6 of 12 scored.
    b = _branches(("X1", "su_nghiep", 10, 0), ("X2", "dang", 10, 2), ("X3", "xom", 5, 0))
    mt = _meetings(
        ("X1", 12, 50, 9, 0, 12, 12, 4, 0, "khong"),
        ("X2", 12, 90, 7, 0, 12, 0, 4, 0, "ca_hai"),
        ("X3", 12, 58, 2, 0, 6, 12, 0, 3, "khong"),
    )
    assert flags(b, mt, months=0) == [
        (
            "attendance_low",
            "Chi bộ «Chi bộ X1» (mã X1): tổng lượt có mặt và vắng (59) chưa bằng 50% của số tháng có "
            "sinh hoạt × số đảng viên phải dự (120): kiểm tra lại lượt đảng viên dự hoặc số đảng viên.",
        ),
        (
            "no_resolution",
            "Chi bộ «Chi bộ X2» (mã X2) sinh hoạt đủ 12 tháng nhưng không tháng nào có nghị quyết (kết "
            "luận) phân công đảng viên: kiểm tra lại.",
        ),
        (
            "meetings_unscored",
            "6/36 kỳ sinh hoạt thường kỳ (1 chi bộ) chưa được chấm điểm, xếp loại: tỉ lệ kỳ đạt mức "
            "tốt trở lên chỉ tính trên 30 kỳ đã chấm.",
        ),
        (
            "pilot_regular",
            "Đảng bộ có 1 chi bộ điểm sinh hoạt thường kỳ; Đề án 03-ĐA/TU: mỗi đảng bộ xã, phường chọn "
            "từ 02 đến 03 chi bộ mỗi năm.",
        ),
        (
            "village_no_higher",
            "1 chi bộ xóm, tổ dân phố cả năm chưa có cấp uỷ viên cấp trên trực tiếp dự sinh hoạt "
            "(Chi bộ X3); Đề án 03-ĐA/TU: mỗi chi bộ ít nhất một lần mỗi năm.",
        ),
        (
            "materials_none",
            "Đảng bộ ghi 0 tháng biên soạn tài liệu sinh hoạt chi bộ thường kỳ, trong khi các chi bộ "
            "ghi 3 kỳ sử dụng Bản tin Thông báo nội bộ: kiểm tra lại (không mâu thuẫn, nhưng nên xem).",
        ),
    ]


@pytest.mark.parametrize(
    ("present", "rule"), [(60, None), (59, "attendance_low"), (144, None), (145, "attendance_high")]
)
def test_attendance_warnings_at_their_boundaries(present, rule):
    # 10 members × 12 meetings = 120: exactly 50% (60) and exactly 120% (144) do not warn
    b = _branches(("X1", "su_nghiep", 10, 0))
    got = [r for r, _ in flags(b, _meetings(("X1", 12, present, 0, 0, 12, 12, 4, 0, "khong")), commune=False)]
    assert got == ([rule] if rule else [])


@pytest.mark.parametrize(
    ("pilots", "expected"),
    [
        (["thuong_ky", "thuong_ky", "chuyen_de"], []),  # exactly 2 regular, 1 thematic
        (["thuong_ky", "ca_hai", "ca_hai"], []),  # exactly 3 regular, 2 thematic
        (["thuong_ky", "chuyen_de"], ["pilot_regular"]),  # 1 regular
        (["ca_hai"] * 3 + ["thuong_ky"], ["pilot_regular", "pilot_thematic"]),  # 4 regular, 3 thematic
        (["khong"] * 2, ["pilot_regular", "pilot_thematic"]),  # none
    ],
)
def test_pilot_warnings_at_their_boundaries(pilots, expected):
    codes = [f"X{i}" for i in range(len(pilots))]
    b = _branches(*((c, "dang", 10, 0) for c in codes))
    mt = _meetings(*((c, 12, 120, 0, 0, 12, 12, 4, 0, p) for c, p in zip(codes, pilots)))
    assert [r for r, _ in flags(b, mt)] == expected
    assert [r for r, _ in flags(b, mt, commune=False)] == []  # a province-affiliated committee picks none


def test_the_template_of_2026_lists_last_years_branches_on_the_sheet(province, rows):
    buf = io.BytesIO()
    write_return(buf, province, province.unit_by_code[UNIT], YEAR, rows[0], rows[1], rows[2])
    sheet = m.read_book(buf.getvalue())[SHEET]
    codes = [r[1] for r in sheet.rows[6:] if len(r) > 1 and r[1]]
    assert codes == [b["branch_code"] for b in rows[0]]
    figures = [v for r in sheet.rows[6:] for v in r[3:] if v not in ("", None)]
    assert figures == []  # the figures are the office's to fill
    # and as such it is refused: every figure of 2026 is still to be filled in
    result = parse_returns([("trong.xlsx", buf.getvalue())], province)[0]
    assert isinstance(result, ReturnRejected)
    assert {f.rule for f in result.findings} == {"regular_held|nullability", "required_from"}


def test_subtotals_and_total_of_the_sheet_are_recognised_not_loaded(province, book, clean):
    mess = m.compose(
        m.subtotals(spec=MEETINGS, count="regular_held", titles=True),
        m.grand_total(spec=MEETINGS, count="regular_held"),
    )
    messy = parse_return(m.write_xlsx(mess(book)), "bc.xlsx", province)
    # the template's 3 title rows and 2 header rows; 6 groups by the branches' type, each with a title and a «Cộng»
    assert dict(next(r for r in messy.rows if r.sheet == SHEET).counts) == {
        "title": 3,
        "header": 2,
        "data": 48,
        "section": 6,
        "subtotal": 6,
        "total": 1,
    }
    assert_frame_equal(clean.meetings.drop("excel_row"), messy.meetings.drop("excel_row"))


def test_a_province_that_fixes_a_meeting_day_asks_for_it(province, rows):
    """[meetings] day = 3 in province.toml (the province of document 002): the sheet gains «Số kỳ đúng ngày sinh hoạt
    thống nhất», required from 2026 and at most the months held."""
    from dataclasses import replace

    from etl.annual_return import meetings_spec

    fixed = replace(province, meeting_day=3)
    assert "on_fixed_day" in [c.key for c in meetings_spec(fixed).columns]
    assert "on_fixed_day" not in [c.key for c in meetings_spec(province).columns]  # Cao Bằng fixes none

    def on_day(ms):
        for r in ms:
            r["on_fixed_day"] = r["regular_held"]
        ms[0]["on_fixed_day"] = ms[0]["regular_held"] + 1
        ms[1]["on_fixed_day"] = None

    data = m.clean_workbook(fixed, UNIT, YEAR, with_meetings(rows, on_day))
    held = rows[3][0]["regular_held"]
    assert errors(parse_returns([("bc.xlsx", data)], fixed)[0]) == [
        f"{at('F', 7, 'Số kỳ đúng ngày sinh hoạt thống nhất')}: Số kỳ đúng ngày sinh hoạt thống nhất ({held + 1}) lớn "
        f"hơn số tháng có sinh hoạt ({held}).",
        f"{at('F', 8, 'Số kỳ đúng ngày sinh hoạt thống nhất')}: Ô này bắt buộc từ báo cáo năm 2026: ghi số liệu (ghi 0 "
        "hoặc «Không» nếu không có); để trống là chưa báo cáo.",
    ]
