"""Returns laid out the way commune offices type them (issue 14): subtotal rows per group, «Tổng cộng» at the bottom
or the top, a branch typed below the total, the signature block, the party-document header, notes. Every branch is
loaded or the return is refused with the exact row and column; no row is passed over unseen, and the summary says
what each row was.

Each input is the app's own template for Xã Cần Yên 2023 (the case of the issue: 48 branches, 33 of them villages)
with the office's rows added by tests/messy.py."""

from __future__ import annotations

import io
import json

import polars as pl
import pytest
import python_calamine as pc
from polars.testing import assert_frame_equal

from etl.annual_return import ParsedReturn, parse_return, parse_returns
from etl.findings import ReturnRejected
from etl.load import load_files
from synthetic.sample import SampleBuilder
from tests import messy as m

UNIT, YEAR = "01366", 2023  # Xã Cần Yên
FRAMES = ("branches", "committee", "heads")
# Branch rows of the sample in template order, by type: (level co_so) dang 1, llvt 2, nha_nuoc 1; (tt_co_so)
# doanh_nghiep 1, su_nghiep 10, xom 33. The row numbers in the messages below follow from these sizes.
GROUPS = [("dang", 1), ("llvt", 2), ("nha_nuoc", 1), ("doanh_nghiep", 1), ("su_nghiep", 10), ("xom", 33)]
SHEETS = ("Chi bộ", "Cấp uỷ", "Trưởng xóm, đoàn thể")


@pytest.fixture(scope="module")
def rows(province):
    branches, committee, heads = SampleBuilder(province).build().returns()[(UNIT, YEAR)]
    types = [r["branch_type"] for r in branches]
    assert [(t, types.count(t)) for t in dict.fromkeys(types)] == GROUPS
    return branches, committee, heads


@pytest.fixture(scope="module")
def book(province, rows) -> m.Book:
    return m.read_book(m.clean_workbook(province, UNIT, YEAR, rows))


@pytest.fixture(scope="module")
def clean(province, book) -> ParsedReturn:
    parsed = parse_return(m.write_xlsx(book), "sach.xlsx", province)
    assert parsed.warnings == [] and parsed.branches.height == 48
    return parsed


def parse(province, mess, name="bao_cao.xlsx", book=None, **kw) -> ParsedReturn | ReturnRejected:
    return parse_returns([(name, m.write_xlsx(mess(book)))], province, **kw)[0]


def assert_same_data(clean: ParsedReturn, messy: ParsedReturn) -> None:
    assert isinstance(messy, ParsedReturn), [f.text() for f in messy.findings]
    for frame in FRAMES:
        assert_frame_equal(getattr(clean, frame).drop("excel_row"), getattr(messy, frame).drop("excel_row"))
    assert (messy.year, messy.unit_code, messy.reported_name) == (clean.year, clean.unit_code, clean.reported_name)
    assert messy.warnings == []


def counts(parsed, sheet: str = "Chi bộ") -> dict[str, int]:
    return dict(next(r for r in parsed.rows if r.sheet == sheet).counts)


def errors(result: ReturnRejected) -> list[str]:
    assert isinstance(result, ReturnRejected)
    return [f.text() for f in result.findings if f.severity == "error"]


def total(rows, key: str, where=lambda r: True) -> int:
    return sum(r[key] or 0 for r in rows[0] if where(r))


# Above the table: unit name, title, «Tài liệu lưu hành nội bộ»; the header on two rows (groups over names).
TEMPLATE = {"title": 3, "header": 2}


# ---------------------------------------------------------------------------------------------- subtotals


def test_a_subtotal_under_each_group_loses_no_branch(province, book, clean):
    """The issue's case: the table used to end at the first «Cộng» and the 33 village branches were gone."""
    messy = parse(province, m.subtotals(), book=book)
    assert_same_data(clean, messy)
    assert messy.branches.filter(pl.col("branch_type") == "xom").height == 33
    assert counts(messy) == {**TEMPLATE, "data": 48, "subtotal": 6}
    assert counts(messy, "Cấp uỷ") == {**TEMPLATE, "data": clean.committee.height}


def test_sections_subtotals_named_after_them_and_total(province, book, clean):
    messy = parse(province, m.compose(m.subtotals(titles=True), m.grand_total()), book=book)
    assert_same_data(clean, messy)
    assert counts(messy) == {**TEMPLATE, "data": 48, "section": 6, "subtotal": 6, "total": 1}


def test_groups_within_groups(province, book, clean):
    """«I. CHI BỘ CƠ SỞ» › «1.» per type › «Cộng» per type, «Cộng I» per level, «Tổng cộng»."""
    messy = parse(province, m.two_level_groups(), book=book)
    assert_same_data(clean, messy)
    # 2 levels and 6 types: 8 titles, 8 subtotals
    assert counts(messy) == {**TEMPLATE, "data": 48, "section": 8, "subtotal": 8, "total": 1}


def test_group_sums_on_the_title_rows(province, book, clean):
    """No «Cộng» rows: each group's title carries its sums («VI | CHI BỘ XÓM… | 587 | …»)."""
    messy = parse(province, m.subtotals(on_titles=True), book=book)
    assert_same_data(clean, messy)
    assert counts(messy) == {**TEMPLATE, "data": 48, "subtotal": 6}


def test_a_wrong_subtotal_is_named_with_the_rows_it_sums(province, book, rows):
    # Rows: data from row 7; after each group its «Cộng»: dang 7 (8), llvt 9–10 (11), nha_nuoc 12 (13),
    # doanh_nghiep 14 (15), su_nghiep 16–25 (26), xom 27–59 and its «Cộng» on row 60.
    xom = total(rows, "members", lambda r: r["branch_type"] == "xom")
    assert errors(parse(province, m.subtotals(wrong_by=2), "cong.xlsx", book)) == [
        f"Tệp «cong.xlsx», trang «Chi bộ», dòng 60, cột G (Tổng số đảng viên): Dòng «Cộng» ghi {xom + 2} nhưng "
        f"cộng các chi bộ ở các dòng 27–59 được {xom}."
    ]


def test_a_wrong_level_subtotal_names_its_group(province, book, rows):
    # «I. CHI BỘ CƠ SỞ» on row 7; «1.» 8, branch 9, «Cộng» 10; «2.» 11, branches 12–13, «Cộng» 14; «3.» 15,
    # branch 16, «Cộng» 17; «Cộng I» 18 sums rows 9–16: the four co_so branches.
    co_so = total(rows, "members", lambda r: r["level"] == "co_so")
    assert errors(parse(province, m.two_level_groups(wrong_by=3), "cap.xlsx", book)) == [
        f"Tệp «cap.xlsx», trang «Chi bộ», dòng 18, cột G (Tổng số đảng viên): Dòng «Cộng I» ghi {co_so + 3} nhưng "
        f"cộng các chi bộ ở các dòng 9–16 được {co_so}."
    ]


def test_a_wrong_sum_on_a_title_row(province, book, rows):
    # Titles before each group: dang (7) 8, llvt (9) 10–11, nha_nuoc (12) 13, doanh_nghiep (14) 15,
    # su_nghiep (16) 17–26, xom title on row 27, its branches 28–60.
    xom = total(rows, "members", lambda r: r["branch_type"] == "xom")
    assert errors(parse(province, m.subtotals(on_titles=True, wrong_by=1), "nhom.xlsx", book)) == [
        f"Tệp «nhom.xlsx», trang «Chi bộ», dòng 27, cột G (Tổng số đảng viên): Dòng «VI CHI BỘ XÓM, TỔ DÂN PHỐ» "
        f"ghi {xom + 1} nhưng cộng các chi bộ ở các dòng 28–60 được {xom}."
    ]


# ---------------------------------------------------------------------------------------------- totals


def test_total_on_top_is_checked_and_the_branches_under_it_loaded(province, book, clean):
    messy = parse(province, m.total_on_top(), book=book)
    assert_same_data(clean, messy)
    assert counts(messy) == {**TEMPLATE, "data": 48, "total": 1}


def test_total_on_top_that_is_wrong(province, book, rows):
    members = total(rows, "members")
    twin = m.total_on_top()(book)
    twin["Chi bộ"].rows[6][6] = members - 1  # the «Tổng số» row is row 7, column G
    result = parse_returns([("tren.xlsx", m.write_xlsx(twin))], province)[0]
    assert errors(result) == [
        f"Tệp «tren.xlsx», trang «Chi bộ», dòng 7, cột G (Tổng số đảng viên): Dòng «Tổng cộng» ghi {members - 1} "
        f"nhưng cộng các dòng được {members}."
    ]


def test_branch_typed_below_the_total_and_counted_in_it_is_loaded(province, book, clean):
    messy = parse(province, m.compose(m.grand_total(), m.branch_below_total(in_total=True)), book=book)
    assert_same_data(clean, messy)
    # rows 7–53: 47 branches, «Tổng cộng» on row 54, the 48th branch on row 55
    last = messy.branches.row(-1, named=True)
    assert (last["branch_code"], last["excel_row"]) == ("01366.048", 55)
    assert counts(messy) == {**TEMPLATE, "data": 48, "total": 1}


def test_branch_typed_below_a_total_that_leaves_it_out_is_refused(province, book, rows):
    """Not dropped in silence any more: the total disagrees with the branches, and the message says why."""
    below = rows[0][-1]  # 01366.048, moved under «Tổng cộng» (row 54) to row 55
    letters = {"members": "G", "resident_members": "H", "exempt": "J", "not_rated": "K", "excellent": "L"}
    letters |= {"good": "M", "completed": "N", "not_completed": "O", "admitted": "P"}
    headers = {"members": "Tổng số đảng viên", "resident_members": "Đảng viên tại chỗ", "exempt": "Miễn đánh giá"}
    headers |= {"not_rated": "Chưa đánh giá", "excellent": "HTXSNV", "good": "HTTNV", "completed": "HTNV"}
    headers |= {"not_completed": "Không HTNV", "admitted": "Kết nạp mới trong năm"}
    expected = [
        f"Tệp «duoi.xlsx», trang «Chi bộ», dòng 54, cột {letters[k]} ({headers[k]}): Dòng «Tổng cộng» ghi "
        f"{total(rows, k) - below[k]} nhưng cộng các dòng được {total(rows, k)} (kể cả chi bộ ở dòng 55, ghi dưới "
        "dòng «Tổng cộng»)."
        for k in letters
        if below[k]
    ]
    assert len(expected) >= 2  # a village branch: members and residents at least
    result = parse(province, m.compose(m.grand_total(), m.branch_below_total(in_total=False)), "duoi.xlsx", book)
    assert errors(result) == expected


# ---------------------------------------------------------------------------------------------- around the table


def test_signature_block_is_recognised_and_skipped(province, book, clean):
    """Place and date, «Người lập biểu», «T/M BAN THƯỜNG VỤ», «BÍ THƯ», «(Ký, ghi rõ họ tên)», the names: under
    every table. It used to be refused with a Python warning; in «Cấp uỷ» the left column is «Mã chi bộ»."""
    messy = parse(province, m.signature_block(), book=book)
    assert_same_data(clean, messy)
    for sheet in SHEETS:
        assert counts(messy, sheet)["signature"] == 5  # date, titles, «BÍ THƯ», hints, names (blank rows: none)


@pytest.mark.slow
def test_no_signer_name_reaches_the_store_or_its_logs(province, book, tmp_path):
    signed = m.write_xlsx(m.signature_block()(book))
    broken = m.signature_block()(book)
    broken["Chi bộ"].rows[7][6] = "ba mươi"  # and an error, so the refusal is logged with its findings
    assert load_files([("ky.xlsx", signed)], "test", province, root=tmp_path).ok
    assert not load_files([("loi.xlsx", m.write_xlsx(broken))], "test", province, root=tmp_path).ok
    texts = [p.read_bytes().decode("utf-8") for p in tmp_path.rglob("*.jsonl")]
    for p in tmp_path.rglob("*.parquet"):
        df = pl.read_parquet(p)
        texts += [str(v) for c in df.columns if df.schema[c] == pl.String for v in df[c].to_list()]
    assert any("ba mươi" in t for t in texts)  # the logs are read: the error's own text is there
    assert [t for t in texts for name in m.SIGNERS if name in t] == []


def test_party_document_header_is_not_the_committee_name(province, book, clean):
    """«ĐẢNG BỘ TỈNH CAO BẰNG» on the left, «ĐẢNG CỘNG SẢN VIỆT NAM» on the right, above «Thông tin»."""
    messy = parse(province, m.party_header(), book=book)
    assert_same_data(clean, messy)
    assert messy.reported_name == "Xã Cần Yên"
    assert counts(messy) == {"title": 3 + 4, "header": 2, "data": 48}  # 4 header lines (a blank one)


def test_party_document_header_on_a_return_named_not_coded(province, book, clean):
    messy = parse(province, m.compose(m.unit_named("Xã Cần Yên"), m.party_header()), book=book)
    assert (messy.unit_code, messy.via, messy.reported_name) == (UNIT, "name", "Xã Cần Yên")
    assert_frame_equal(clean.branches, messy.branches.with_columns(pl.col("excel_row") - 5))


def test_notes_under_the_table(province, book, clean):
    messy = parse(province, m.note_lines, book=book)
    assert_same_data(clean, messy)
    assert counts(messy) == {**TEMPLATE, "data": 48, "note": 2}


def test_rows_numbered_in_advance_and_left_empty(province, book, clean):
    messy = parse(province, m.numbered_blank_rows(12), book=book)
    assert_same_data(clean, messy)
    assert counts(messy) == {**TEMPLATE, "data": 48, "blank": 12}


def test_an_unlabelled_heading_naming_a_type_of_branch(province, book, clean):
    """«Chi bộ xóm, tổ dân phố» typed above the villages, with no «I.»: a heading (it names a type), not a branch."""
    messy = parse(province, m.typed_in_table(15, {2: "Chi bộ xóm, tổ dân phố"}), book=book)  # above branch 16
    assert_same_data(clean, messy)
    assert counts(messy) == {**TEMPLATE, "data": 48, "section": 1}


UNKNOWN = (
    "Dòng này có chữ nhưng không có mã và số liệu của chi bộ, cũng không phải tiêu đề nhóm, dòng cộng, ghi chú hay "
    "phần ký tên. Nếu là chi bộ, hãy ghi đủ mã và số liệu; nếu không, hãy xoá dòng này hoặc ghi «Ghi chú:» ở đầu "
    "dòng."
)


def test_a_branch_with_only_its_name_is_refused_not_skipped(province, book):
    result = parse(province, m.typed_in_table(5, {2: "Chi bộ xóm Nà Rạ"}), "ten.xlsx", book)  # before branch 6
    assert errors(result) == [f"Tệp «ten.xlsx», trang «Chi bộ», dòng 12, cột C (Tên chi bộ): {UNKNOWN}"]
    assert dict(result.rows[0].counts) == {**TEMPLATE, "data": 48, "unknown": 1}


def test_an_unknown_line_is_refused_without_quoting_it(province, book):
    """A name typed under the table with no signature block around it: an error that does not repeat it."""
    result = parse(province, m.typed_in_table(-1, {2: "Nguyễn Văn An"}), "ten.xlsx", book)
    assert errors(result) == [f"Tệp «ten.xlsx», trang «Chi bộ», dòng 55, cột C (Tên chi bộ): {UNKNOWN}"]


def test_everything_at_once_and_every_row_counted_once(province, book, clean):
    office = m.compose(
        m.party_header(),
        m.two_level_groups(),
        m.branch_below_total(in_total=True),
        m.numbered_blank_rows(3),
        m.note_lines,
        m.signature_block(),
    )
    data = m.write_xlsx(office(book))
    messy = parse_return(data, "tat_ca.xlsx", province)
    assert_frame_equal(clean.branches.drop("excel_row"), messy.branches.drop("excel_row"))
    assert counts(messy) == {
        "title": 7,
        "header": 2,
        "data": 48,
        "blank": 3,
        "section": 8,
        "subtotal": 8,
        "total": 1,
        "signature": 5,
        "note": 2,
    }
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    for r in messy.rows:
        grid = wb.get_sheet_by_name(r.sheet).to_python(skip_empty_area=False)
        assert r.read == sum(1 for row in grid if any(str(v).strip() for v in row))  # every non-empty row
    assert messy.rows[0].text() == (
        "Tệp «tat_ca.xlsx», trang «Chi bộ»: đọc 84 dòng — 7 dòng tiêu đề trang, 2 dòng tên cột, 48 chi bộ, "
        "3 dòng trống chỉ có số thứ tự, 8 dòng tên nhóm, 8 dòng cộng nhóm, 1 dòng tổng cộng, 5 dòng phần ký tên, "
        "2 dòng ghi chú."
    )


@pytest.mark.slow
def test_load_report_carries_the_summary(province, book, tmp_path):
    rep = load_files([("cy.xlsx", m.write_xlsx(m.subtotals()(book)))], "test", province, root=tmp_path)
    assert rep.ok
    assert rep.summary() == [
        "Tệp «cy.xlsx», trang «Chi bộ»: đọc 59 dòng — 3 dòng tiêu đề trang, 2 dòng tên cột, 48 chi bộ, "
        "6 dòng cộng nhóm.",
        "Tệp «cy.xlsx», trang «Cấp uỷ»: đọc 163 dòng — 3 dòng tiêu đề trang, 2 dòng tên cột, 158 cấp uỷ viên.",
        "Tệp «cy.xlsx», trang «Trưởng xóm, đoàn thể»: đọc 38 dòng — 3 dòng tiêu đề trang, 2 dòng tên cột, "
        "33 chi bộ xóm (tổ dân phố).",
    ]
    stored = json.loads((tmp_path / "snapshots" / rep.result.snapshot / "manifest.json").read_text(encoding="utf-8"))
    assert stored["returns"] == 1
