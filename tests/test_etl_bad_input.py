"""Every kind of bad input is refused with a Vietnamese message naming file, sheet, row and column, and the
store is left exactly as it was (same CURRENT snapshot, byte-identical Parquet); the refusal is logged."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import polars as pl
import pytest

from etl.findings import Finding
from etl.load import LoadReport, load_files
from synthetic.sample import SampleBuilder
from tests import messy as m

# (unit, year) of the returns already in the store, and of the one the bad files are made from.
STORED = [("01654", 2023), ("01414", 2023)]
UNIT, YEAR = "01366", 2023  # Xã Cần Yên


@pytest.fixture(scope="module")
def sample(province):
    return SampleBuilder(province).build().returns()


@pytest.fixture(scope="module")
def base_store(tmp_path_factory, sample, province) -> Path:
    root = tmp_path_factory.mktemp("store")
    files = [(f"{y}_{u}.xlsx", m.clean_workbook(province, u, y, sample[(u, y)])) for u, y in STORED]
    assert load_files(files, "test", province, root=root).ok
    return root


@pytest.fixture
def store(base_store, tmp_path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(base_store, root, symlinks=True)
    return root


@pytest.fixture
def rows(sample):
    """A fresh copy of the clean rows of (UNIT, YEAR), to break."""
    branches, committee, heads = sample[(UNIT, YEAR)]
    return [dict(r) for r in branches], [dict(r) for r in committee], [dict(r) for r in heads]


def workbook(province, rows, unit: str = UNIT, year: int = YEAR) -> bytes:
    return m.clean_workbook(province, unit, year, rows)


def state(root: Path) -> tuple[str, dict[str, str]]:
    """CURRENT and the sha256 of every file of every snapshot."""
    files = {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "snapshots").rglob("*"))
        if p.is_file()
    }
    assert any(f.endswith(".parquet") for f in files)
    return (root / "CURRENT").read_text(encoding="utf-8"), files


def refuse(store: Path, province, files: list[tuple[str, bytes]]) -> list[Finding]:
    """Load `files`, assert nothing changed and the refusal was logged; return the errors found."""
    before = state(store)
    logged = set((store / "log" / "loads").glob("*.parquet"))
    report: LoadReport = load_files(files, "test", province, root=store)
    assert report.ok is False
    assert state(store) == before
    new = [pl.read_parquet(p) for p in set((store / "log" / "loads").glob("*.parquet")) - logged]
    assert len(new) == 1 and new[0]["status"].to_list() == ["rejected"]
    assert set(new[0]["files"].item().split("; ")) == {name for name, _ in files}
    errors = [f for fs in report.refused.values() for f in fs if f.severity == "error"]
    assert errors and new[0]["errors"].item() == len(errors)
    return errors


def texts(findings: list[Finding]) -> list[str]:
    return [f.text() for f in findings]


# ---------------------------------------------------------------------------------------------- the file


def test_empty_file(store, province):
    assert texts(refuse(store, province, [("rong.xlsx", b"")])) == ["Tệp «rong.xlsx»: Tệp rỗng (0 byte)."]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "ghi_chu.xlsx",
            "Danh sách chi bộ: xem tệp đính kèm.\n".encode(),
            "Tệp có đuôi Excel nhưng nội dung là văn bản thuần, không phải bảng tính Excel (.xlsx, .xls). "
            "Nếu đây là tệp CSV, hãy đổi đuôi thành .csv.",
        ),
        (
            "bao_cao.xlsx",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
            "Đây là tệp PDF, không phải bảng tính Excel (.xlsx, .xls) hoặc .csv.",
        ),
        (
            "anh.xlsx",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
            "Đây là ảnh PNG, không phải bảng tính Excel (.xlsx, .xls) hoặc .csv.",
        ),
        ("nhi_phan.xls", bytes(range(256)) * 4, "Tệp không phải bảng tính Excel (.xlsx, .xls) hoặc .csv."),
    ],
    ids=["text", "pdf", "png", "binary"],
)
def test_not_an_excel_file(name, data, message, store, province):
    assert texts(refuse(store, province, [(name, data)])) == [f"Tệp «{name}»: {message}"]


def test_word_document_renamed_to_xlsx(store, province):
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert texts(refuse(store, province, [("bao_cao.xlsx", docx.getvalue())])) == [
        "Tệp «bao_cao.xlsx»: Tệp nén không phải bảng tính Excel (có thể là tệp Word .docx hoặc tệp .zip đã đổi đuôi)."
    ]


def test_truncated_xlsx(store, province, rows):
    data = workbook(province, rows)
    assert texts(refuse(store, province, [("cat.xlsx", data[: len(data) // 2])])) == [
        "Tệp «cat.xlsx»: Tệp .xlsx bị hỏng (không giải nén được)."
    ]


def test_workbook_without_the_branch_sheet(store, province, rows):
    book = m.read_book(workbook(province, rows))
    renamed = {f"Sheet{i + 1}": sh for i, sh in enumerate(book.values())}
    assert texts(refuse(store, province, [("sheet.xlsx", m.write_xlsx(renamed))])) == [
        "Tệp «sheet.xlsx»: Không có trang «Chi bộ» (tệp có: «Sheet1», «Sheet2», «Sheet3», «Sheet4», «Sheet5», "
        "«Sheet6»). Hãy dùng biểu mẫu tải từ hệ thống."
    ]


# ---------------------------------------------------------------------------------------------- «Thông tin»


def test_unknown_commune_name(store, province, rows):
    data = m.write_xlsx(m.unit_named("Xã Hoà Bình Xanh")(m.read_book(workbook(province, rows))))
    assert texts(refuse(store, province, [("ten.xlsx", data)])) == [
        "Tệp «ten.xlsx», trang «Thông tin», dòng 5, cột B (Tên đảng bộ): Không tìm thấy đơn vị có tên "
        "«Xã Hoà Bình Xanh» trong danh mục của tỉnh Cao Bằng."
    ]


def test_unknown_unit_code(store, province, rows):
    data = m.write_xlsx(m.unit_named("Xã Cần Yên", code="09999")(m.read_book(workbook(province, rows))))
    assert texts(refuse(store, province, [("ma.xlsx", data)])) == [
        "Tệp «ma.xlsx», trang «Thông tin», dòng 4, cột B (Mã đơn vị): "
        "Mã đơn vị «09999» không có trong danh mục đơn vị của tỉnh Cao Bằng."
    ]


def test_year_on_sheet_title_differs_from_info(store, province, rows):
    book = m.read_book(workbook(province, rows))
    title = book["Chi bộ"].rows[1]
    title[0] = title[0].replace(str(YEAR), str(YEAR - 1))
    assert texts(refuse(store, province, [("nam.xlsx", m.write_xlsx(book))])) == [
        f"Tệp «nam.xlsx», trang «Chi bộ», dòng 2, cột A: Tiêu đề trang ghi năm {YEAR - 1} nhưng trang «Thông tin» ghi năm "
        f"{YEAR}."
    ]


# ---------------------------------------------------------------------------------------------- «Chi bộ» rows


def test_members_do_not_add_up(store, province, rows):
    b = rows[0][2]
    b["members"] += 3  # row 9 of the sheet (data starts on row 7)
    parts = [b[k] for k in ("exempt", "not_rated", "excellent", "good", "completed", "not_completed")]
    assert texts(refuse(store, province, [("cong.xlsx", workbook(province, rows))])) == [
        f"Tệp «cong.xlsx», trang «Chi bộ», dòng 9, cột G (Tổng số đảng viên): Tổng số đảng viên ({b['members']}) khác "
        f"tổng miễn + chưa đánh giá + các mức xếp loại ({' + '.join(map(str, parts))} = {sum(parts)})."
    ]


def test_duplicate_branch_in_one_return(store, province, rows):
    rows[0].append(dict(rows[0][0]))  # the first branch pasted again below the last one
    code, last = rows[0][0]["branch_code"], 6 + len(rows[0])
    assert texts(refuse(store, province, [("trung.xlsx", workbook(province, rows))])) == [
        f"Tệp «trung.xlsx», trang «Chi bộ», dòng {r}, cột B (Mã chi bộ): Mã «{code}» xuất hiện nhiều lần "
        f"(các dòng 7, {last})."
        for r in (7, last)
    ]


def test_a_branch_of_another_unit_in_a_return_of_one_load(store, province, rows, sample):
    """Nguyên Bình's return names Cần Yên's first branch (issue 29.1): refused at its cell, whichever loads first."""
    other = sample[("01726", YEAR)]
    stolen = rows[0][0]["branch_code"]
    theirs = [dict(other[0][0], branch_code=stolen)] + [dict(r) for r in other[0][1:]]
    committee = [dict(r, branch_code=stolen) if r["branch_code"] == other[0][0]["branch_code"] else r for r in other[1]]
    heads = [dict(r, branch_code=stolen) if r["branch_code"] == other[0][0]["branch_code"] else r for r in other[2]]
    files = [
        ("can_yen.xlsx", workbook(province, rows)),
        ("nguyen_binh.xlsx", workbook(province, (theirs, committee, heads), unit="01726")),
    ]
    errors = refuse(store, province, files)
    assert {f.rule for f in errors} == {"foreign_branch"} and {f.file for f in errors} == {"nguyen_binh.xlsx"}
    # the branch's row and every row of the other sheets keyed by its code
    keyed = {"Cấp uỷ": committee, "Trưởng xóm, đoàn thể": heads}
    named = {sheet for sheet, rs in keyed.items() if any(r["branch_code"] == stolen for r in rs)}
    assert "Cấp uỷ" in named and {f.sheet for f in errors} == {"Chi bộ"} | named
    first = next(f for f in errors if f.sheet == "Chi bộ")
    assert (first.row, first.column) == (7, "B")
    assert first.message.startswith(
        f"Mã chi bộ «{stolen}» không thuộc đơn vị 01726: đây là mã của một chi bộ thuộc đơn vị 01366."
    )


def test_same_unit_twice_in_one_load(store, province, rows):
    data = workbook(province, rows)
    assert texts(refuse(store, province, [("a.xlsx", data), ("b.xlsx", data)])) == [
        "Tệp «b.xlsx»: Trùng báo cáo năm 2023 của cùng đơn vị với tệp «a.xlsx»."
    ]


def test_text_in_a_number_column(store, province, rows):
    book = m.read_book(workbook(province, rows))
    book["Chi bộ"].rows[7][6] = "ba mươi"  # row 8, column G
    assert texts(refuse(store, province, [("chu.xlsx", m.write_xlsx(book))])) == [
        "Tệp «chu.xlsx», trang «Chi bộ», dòng 8, cột G (Tổng số đảng viên): «ba mươi» không phải là số nguyên."
    ]


def test_unknown_rating_lists_the_valid_values(store, province, rows):
    book = m.read_book(workbook(province, rows))
    book["Chi bộ"].rows[6][8] = "Tốt lắm"  # row 7, column I
    assert texts(refuse(store, province, [("xl.xlsx", m.write_xlsx(book))])) == [
        "Tệp «xl.xlsx», trang «Chi bộ», dòng 7, cột I (Xếp loại chi bộ): Giá trị «Tốt lắm» không có trong danh mục. "
        "Giá trị hợp lệ: Hoàn thành xuất sắc nhiệm vụ; Hoàn thành tốt nhiệm vụ; Hoàn thành nhiệm vụ; "
        "Không hoàn thành nhiệm vụ."
    ]


def test_wrong_total_row_is_named(store, province, rows):
    book = m.total_row(wrong_by=5)(m.read_book(workbook(province, rows)))
    total = next(i for i, r in enumerate(book["Chi bộ"].rows) if "Tổng cộng" in r) + 1
    members = sum(r["members"] for r in rows[0])
    assert texts(refuse(store, province, [("tong.xlsx", m.write_xlsx(book))])) == [
        f"Tệp «tong.xlsx», trang «Chi bộ», dòng {total}, cột G (Tổng số đảng viên): Dòng «Tổng cộng» ghi "
        f"{members + 5} nhưng cộng các dòng được {members}."
    ]


def test_committee_member_of_a_branch_not_in_the_return(store, province, rows):
    rows[1][0]["branch_code"] = "01366.999"  # row 7 of «Cấp uỷ», column C
    assert texts(refuse(store, province, [("cu.xlsx", workbook(province, rows))])) == [
        "Tệp «cu.xlsx», trang «Cấp uỷ», dòng 7, cột C (Mã chi bộ): Mã chi bộ «01366.999» không có trong trang «Chi bộ»."
    ]


def test_two_secretaries_of_one_branch_are_named_with_their_rows(store, province, rows):
    committee = rows[1]  # «Cấp uỷ» from row 7 on
    first = next(i for i, r in enumerate(committee) if r["role"] == "bi_thu")
    code = committee[first]["branch_code"]
    other = next(i for i, r in enumerate(committee) if r["branch_code"] == code and r["role"] != "bi_thu")
    committee[other]["role"] = "bi_thu"
    a, b = sorted((first + 7, other + 7))
    (f,) = refuse(store, province, [("bt.xlsx", workbook(province, rows))])
    assert (f.sheet, f.row, f.field, f.rule) == ("Cấp uỷ", a, "Chức vụ", "two_secretaries")
    assert f.message == f"Chi bộ «{code}» có 2 bí thư (dòng {a}, {b})."


def test_a_village_head_of_a_branch_that_is_not_a_village(store, province, rows):
    branches, _, heads = rows
    office = next(r["branch_code"] for r in branches if r["branch_type"] != "xom")
    heads[0]["branch_code"] = office  # row 7 of «Trưởng xóm, đoàn thể»
    (f,) = refuse(store, province, [("tx.xlsx", workbook(province, rows))])
    assert (f.row, f.field, f.rule) == (7, "Mã chi bộ", "unknown_branch")
    assert f.message == f"«{office}» không phải chi bộ xóm, tổ dân phố trong trang «Chi bộ»."


def test_one_bad_file_stops_the_whole_load(store, province, rows, sample):
    good = workbook(province, [list(r) for r in sample[("01726", YEAR)]], unit="01726")
    rows[0][0]["rating"] = None
    rows[0][0]["members"] = -1
    errors = refuse(store, province, [("tot.xlsx", good), ("xau.xlsx", workbook(province, rows))])
    assert {f.file for f in errors} == {"xau.xlsx"}
    assert "Tệp «xau.xlsx», trang «Chi bộ», dòng 7, cột G (Tổng số đảng viên)" in [f.where() for f in errors]
