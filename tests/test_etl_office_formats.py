"""Every way an office saves a return is read, or refused in plain words naming what the file is: LibreOffice .ods
(and .xls/.xlsx saved by LibreOffice), CSV in UTF-8 with or without BOM, Windows-1258 (Excel's «CSV» on a
Vietnamese Windows), UTF-16 (Excel's «Unicode Text»), TCVN3; VNI and other encodings are refused by name.

The LibreOffice files in tests/data/ were written by tests/data/make_office_files.py (CI has no LibreOffice)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from etl.annual_return import ParsedReturn, parse_return, parse_returns
from etl.excel import file_kind
from etl.findings import ReturnRejected
from synthetic.sample import SampleBuilder
from tests import messy as m

DATA = Path(__file__).resolve().parent / "data"
SOURCE = DATA / "canh_tan_2023.xlsx"  # Xã Canh Tân 2023, typed as an office does (see make_office_files.py)
SAVED = [DATA / f"canh_tan_2023_libreoffice.{ext}" for ext in ("ods", "xls", "xlsx")]
FRAMES = ("branches", "committee", "heads")
UNIT, YEAR = "01366", 2023  # Xã Cần Yên, for the CSVs


def texts(result) -> list[str]:
    assert isinstance(result, ReturnRejected)
    return [f.text() for f in result.findings if f.severity == "error"]


# ---------------------------------------------------------------------------------------------- LibreOffice


@pytest.fixture(scope="module")
def source(province) -> ParsedReturn:
    parsed = parse_return(SOURCE.read_bytes(), SOURCE.name, province)
    assert (parsed.unit_code, parsed.year, parsed.reported_name, parsed.warnings) == ("01789", 2023, "Xã Canh Tân", [])
    return parsed


def test_the_office_return_itself(source):
    # 20 branches in 5 groups (dang 1, llvt 2, nha_nuoc 1, su_nghiep 4, xom 12), each with a title and a «Cộng»,
    # then «Tổng cộng» (390 members), a note of two lines and the signature block.
    assert (source.branches.height, source.branches["members"].sum()) == (20, 390)
    assert (source.committee.height, source.heads.height) == (67, 12)
    assert [r.text() for r in source.rows] == [
        "Tệp «canh_tan_2023.xlsx», trang «Chi bộ»: đọc 47 dòng — 7 dòng tiêu đề trang, 2 dòng tên cột, 20 chi bộ, "
        "5 dòng tên nhóm, 5 dòng cộng nhóm, 1 dòng tổng cộng, 5 dòng phần ký tên, 2 dòng ghi chú.",
        "Tệp «canh_tan_2023.xlsx», trang «Cấp uỷ»: đọc 81 dòng — 7 dòng tiêu đề trang, 2 dòng tên cột, "
        "67 cấp uỷ viên, 5 dòng phần ký tên.",
        "Tệp «canh_tan_2023.xlsx», trang «Trưởng xóm, đoàn thể»: đọc 26 dòng — 7 dòng tiêu đề trang, 2 dòng tên cột, "
        "12 chi bộ xóm (tổ dân phố), 5 dòng phần ký tên.",
    ]


@pytest.mark.parametrize("path", SAVED, ids=lambda p: p.suffix)
def test_saved_by_libreoffice_reads_like_the_original(path, source, province):
    data = path.read_bytes()
    assert file_kind(data) == path.suffix[1:]
    saved = parse_return(data, path.name, province)
    for frame in FRAMES:  # the same rows, even on the same Excel rows
        assert_frame_equal(getattr(source, frame), getattr(saved, frame))
    assert [r.counts for r in saved.rows] == [r.counts for r in source.rows]
    assert (saved.reported_name, saved.warnings) == (source.reported_name, [])


def test_ods_is_known_by_content_not_by_name(province, source):
    data = SAVED[0].read_bytes()
    assert file_kind(data) == "ods" and file_kind(SOURCE.read_bytes()) == "xlsx"
    renamed = parse_return(data, "bao_cao.xlsx", province)  # an .ods named .xlsx
    assert_frame_equal(source.branches, renamed.branches)


def test_a_cut_off_ods(province):
    data = SAVED[0].read_bytes()
    (result,) = parse_returns([("cat.ods", data[: len(data) // 2])], province)
    assert texts(result) == ["Tệp «cat.ods»: Tệp .ods bị hỏng (không giải nén được)."]


def test_a_libreoffice_text_document_is_named(province):
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    (result,) = parse_returns([("bao_cao.ods", odt.getvalue())], province)
    assert texts(result) == [
        "Tệp «bao_cao.ods»: Đây là văn bản LibreOffice Writer (.odt), không phải bảng tính Excel (.xlsx, .xls) hoặc .csv."
    ]


# ---------------------------------------------------------------------------------------------- CSV encodings


@pytest.fixture(scope="module")
def book(province) -> m.Book:
    rows = SampleBuilder(province).build().returns()[(UNIT, YEAR)]
    return m.read_book(m.clean_workbook(province, UNIT, YEAR, rows))


@pytest.fixture(scope="module")
def clean(province, book) -> ParsedReturn:
    return parse_return(m.write_xlsx(book), "sach.xlsx", province)


MISSING = [  # a CSV holds «Thông tin» and «Chi bộ» only
    "Tệp «bao_cao.csv»: Không có trang «Cấp uỷ»: phần này coi như chưa báo cáo.",
    "Tệp «bao_cao.csv»: Không có trang «Trưởng xóm, đoàn thể»: phần này coi như chưa báo cáo.",
]


def test_windows_1258_is_what_excel_writes(book):
    """A Vietnamese Windows writes «ầ» as «â» and a combining grave: bytes the CSV reader must compose again."""
    assert m.to_cp1258("Cần Yên") == b"C\xe2\xccn Y\xean"
    data = m.write_csv_cp1258(book)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b"\xcc" in data and b"\xd2" in data and b"\xf2" in data  # grave, hook above, dot below as marks


@pytest.mark.parametrize(
    "write",
    [
        m.write_csv_cp1258,
        m.write_unicode_text,  # UTF-16 LE with BOM, tabs
        lambda b: m.write_csv(b, "\t", "utf-16-le"),  # the same without its BOM
        lambda b: m.write_csv(b, ",", "utf-8"),
        lambda b: m.write_csv(b, ";", "utf-8-sig"),
        lambda b: m.write_csv(m.tcvn3(b), ",", "latin-1"),  # 8-bit TCVN3 from a .VnTime machine
    ],
    ids=["windows-1258", "unicode-text", "utf-16-no-bom", "utf-8", "utf-8-bom", "tcvn3"],
)
def test_csv_encodings_read_to_the_same_branches(write, book, clean, province):
    messy = parse_return(write(book), "bao_cao.csv", province)
    assert_frame_equal(clean.branches.drop("excel_row"), messy.branches.drop("excel_row"))
    names = messy.branches["branch_name"].to_list()
    assert "Chi bộ xóm Phja Tấu" in names and all(n == pl.Series([n]).str.normalize("NFC")[0] for n in names)
    tcvn3 = "Tệp «bao_cao.csv»: Văn bản gõ bằng bảng mã TCVN3 (.VnTime) đã được chuyển sang Unicode."
    assert [w.text() for w in messy.warnings] == ([tcvn3] if messy.encoding == "tcvn3" else []) + MISSING


# VNI-Windows writes «Đảng bộ xã Cần Yên» as «Ñaûng boä xaõ Caàn Yeân»: tone and hat as Latin-1 letters after the vowel.
VNI_CSV = "Mã đơn vị,01366\nTên đảng bộ,Ñaûng boä xaõ Caàn Yeân\nNăm báo cáo,2023\n\nSTT,Mã chi bộ,Tên chi bộ\n"
VNI_CSV = VNI_CSV.replace("Mã đơn vị", "Maõ ñôn vò").replace("Tên đảng bộ", "Teân ñaûng boä")
VNI_CSV = VNI_CSV.replace("Năm báo cáo", "Naêm baùo caùo").replace("Mã chi bộ", "Maõ chi boä")
VNI_CSV = VNI_CSV.replace("Tên chi bộ", "Teân chi boä") + "1,01366.001,Chi boä xoùm Phja Taáu\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            VNI_CSV.encode("cp1252"),
            "Tệp CSV được gõ bằng bảng mã VNI (phông VNI-Times): hệ thống chưa đọc được bảng mã này. Hãy chuyển "
            "sang Unicode (ví dụ bằng công cụ chuyển mã của Unikey) hoặc lưu thành tệp Excel .xlsx rồi tải lên lại.",
        ),
        (
            "Größe,Ärger,Übung\nÄÖÜ,äöü,ß\n".encode("cp1252"),
            "Không nhận ra bảng mã chữ của tệp CSV (không phải UTF-8, UTF-16, Windows-1258 hay TCVN3). Hãy mở tệp "
            "bằng Excel và lưu lại dưới dạng «CSV UTF-8» hoặc tệp Excel .xlsx.",
        ),
    ],
    ids=["vni", "western"],
)
def test_an_encoding_it_cannot_read_is_named(data, message, province):
    (result,) = parse_returns([("bao_cao.csv", data)], province)
    assert texts(result) == [f"Tệp «bao_cao.csv»: {message}"]
