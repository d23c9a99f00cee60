"""Nothing technical reaches the user: no Python warning, traceback or English text on the command line or in a
message, and a message names the file, sheet, row and column of the cell at fault — cross-return checks included.

Every test of the ETL's inputs (test_etl_*.py, test_upload.py, test_text.py, test_tcvn3_tables.py) runs with
warnings turned into errors (tests/conftest.py)."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import etl.store
from etl.annual_return import parse_returns
from etl.load import load_files
from tests import messy as m
from tests.conftest import ROOT, WARNINGS_ARE_ERRORS
from tests.fixtures import branch, return_bytes

A, B = "01273", "01279"  # phường Thục Phán, phường Nùng Trí Cao


def test_warnings_are_errors_in_every_input_test(request):
    with pytest.raises(UserWarning):
        warnings.warn("một cảnh báo", UserWarning, stacklevel=1)
    marked = {
        item.path.name
        for item in request.session.items
        if item.path.name in WARNINGS_ARE_ERRORS and item.get_closest_marker("filterwarnings")
    }
    assert {i.path.name for i in request.session.items if i.path.name in WARNINGS_ARE_ERRORS} == marked
    assert "test_etl_bad_input.py" in WARNINGS_ARE_ERRORS and "test_etl_messy.py" in WARNINGS_ARE_ERRORS


def two_branch_return(province, unit: str, codes: tuple[str, str]) -> bytes:
    return return_bytes(province, unit, 2025, branches=[branch(c, "co_so", "dang", excellent=1, good=4) for c in codes])


@pytest.mark.slow  # runs the command line as a process
def test_a_code_of_another_communes_return_names_its_row_and_column(province, tmp_path):
    assert load_files(
        [("a.xlsx", two_branch_return(province, A, (f"{A}.001", f"{A}.002")))], "t", province, root=tmp_path
    ).ok
    rep = load_files(
        [("b.xlsx", two_branch_return(province, B, (f"{B}.001", f"{A}.002")))], "t", province, root=tmp_path
    )
    assert not rep.ok
    # «01273.002» is the second branch of b.xlsx: row 8 (data from row 7), column B
    assert rep.messages() == [
        "Tệp «b.xlsx», trang «Chi bộ», dòng 8, cột B (Mã chi bộ): Mã chi bộ «01273.002» không thuộc đơn vị 01279: "
        "đây là mã của một chi bộ thuộc đơn vị 01273. Mỗi chi bộ chỉ thuộc một đảng bộ: báo cáo của đơn vị chỉ ghi "
        "chi bộ của đơn vị, mã bắt đầu bằng «01279.» (chi bộ mới: mã tiếp theo, ví dụ «01279.002»; chi bộ từ đơn vị "
        "khác chuyển về cũng đặt mã mới như vậy)."
    ]


@pytest.mark.slow  # runs the command line as a process
def test_two_codes_of_other_returns_are_both_named(province, tmp_path):
    assert load_files(
        [("a.xlsx", two_branch_return(province, A, (f"{A}.001", f"{A}.002")))], "t", province, root=tmp_path
    ).ok
    rep = load_files(
        [("b.xlsx", two_branch_return(province, B, (f"{A}.001", f"{A}.002")))], "t", province, root=tmp_path
    )
    assert [m.split(" không thuộc")[0] for m in rep.messages()] == [
        f"Tệp «b.xlsx», trang «Chi bộ», dòng {row}, cột B (Mã chi bộ): Mã chi bộ «{code}»"
        for row, code in ((7, f"{A}.001"), (8, f"{A}.002"))
    ]


def test_rows_without_a_code_give_no_warning(province):
    """Two rows with numbers but no code: the empty cells are named, without a Python warning about nulls."""
    rows = [branch(f"{A}.001", "co_so", "dang", good=3), branch(None, "co_so", "dang", good=2)]
    rows.append(branch(None, "co_so", "dang", good=4))
    (result,) = parse_returns([("ma.xlsx", return_bytes(province, A, 2025, branches=rows))], province)
    assert [f.text() for f in result.findings] == [
        f"Tệp «ma.xlsx», trang «Chi bộ», dòng {r}, cột B (Mã chi bộ): Ô bắt buộc đang để trống." for r in (8, 9)
    ]


def test_store_error_in_words(province, tmp_path, monkeypatch):
    def refuse(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    monkeypatch.setattr(etl.store, "_write_snapshot", refuse)
    rep = load_files(
        [("a.xlsx", two_branch_return(province, A, (f"{A}.001", f"{A}.002")))], "t", province, root=tmp_path
    )
    assert rep.messages() == [
        "Tệp «a.xlsx»: Không ghi được dữ liệu (không có quyền truy cập). Dữ liệu trước đó vẫn nguyên vẹn; hãy báo "
        "người quản trị máy chủ rồi nạp lại."
    ]


# ---------------------------------------------------------------------------------------------- command line


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -W error -m etl …` in a data folder of its own: any Python warning would end it with a traceback."""
    env = {**os.environ, "PARTYDASH_DATA": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "etl", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow  # runs the command line as a process
def test_command_line_load_of_an_office_return(province, tmp_path):
    signed = m.compose(m.subtotals(), m.grand_total(), m.signature_block(place="Thục Phán"))
    book = m.read_book(two_branch_return(province, A, (f"{A}.001", f"{A}.002")))
    (tmp_path / "thuc_phan.xlsx").write_bytes(m.write_xlsx(signed(book)))
    assert cli(tmp_path, "init").returncode == 0  # the real store, created before its first load
    proc = cli(tmp_path, "load", "thuc_phan.xlsx")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[:3] == [
        # 3 + 2 above the table; two branches, their «Cộng», «Tổng cộng», the signature block (5 rows with text)
        "Tệp «thuc_phan.xlsx», trang «Chi bộ»: đọc 14 dòng — 3 dòng tiêu đề trang, 2 dòng tên cột, 2 chi bộ, "
        "1 dòng cộng nhóm, 1 dòng tổng cộng, 5 dòng phần ký tên.",
        "Tệp «thuc_phan.xlsx», trang «Cấp uỷ»: đọc 10 dòng — 3 dòng tiêu đề trang, 2 dòng tên cột, 5 dòng phần ký tên.",
        "Tệp «thuc_phan.xlsx», trang «Trưởng xóm, đoàn thể»: đọc 10 dòng — 3 dòng tiêu đề trang, 2 dòng tên cột, "
        "5 dòng phần ký tên.",
    ]
    assert lines[3].startswith("Đã nạp 1 báo cáo (2 chi bộ), thay thế 0 báo cáo cũ, trong ") and len(lines) == 4
    assert re.fullmatch(r".*, trong \d+,\d\d giây\. Ảnh chụp dữ liệu: .*", lines[3])  # 2,19 giây, not 2.19


@pytest.mark.slow  # runs the command line as a process
def test_command_line_refusals_in_plain_words(province, tmp_path):
    book = m.read_book(two_branch_return(province, A, (f"{A}.001", f"{A}.002")))
    book["Chi bộ"].rows[6][6] = "năm"  # G7: members typed in words
    (tmp_path / "chu.xlsx").write_bytes(m.write_xlsx(book))
    (tmp_path / "anh.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (tmp_path / "vni.csv").write_bytes("Teân ñaûng boä,Ñaûng boä phöôøng Thuïc Phaùn,Naêm,2025\n".encode("cp1252"))
    assert cli(tmp_path, "init").returncode == 0
    proc = cli(tmp_path, "load", "chu.xlsx", "anh.xlsx", "vni.csv")
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "Tệp «chu.xlsx», trang «Chi bộ», dòng 7, cột G (Tổng số đảng viên): «năm» không phải là số nguyên.",
        "Tệp «anh.xlsx»: Đây là ảnh PNG, không phải bảng tính Excel (.xlsx, .xls) hoặc .csv.",
        "Tệp «vni.csv»: Tệp CSV được gõ bằng bảng mã VNI (phông VNI-Times): hệ thống chưa đọc được bảng mã này. "
        "Hãy chuyển sang Unicode (ví dụ bằng công cụ chuyển mã của Unikey) hoặc lưu thành tệp Excel .xlsx rồi tải "
        "lên lại.",
        "Không nạp: 3 tệp bị từ chối; dữ liệu không thay đổi.",
    ]
    assert proc.stdout.splitlines()[0].startswith("Tệp «chu.xlsx», trang «Chi bộ»: đọc 7 dòng")


@pytest.mark.slow  # runs the command line as a process
def test_command_line_missing_file_and_mistyped_command(tmp_path):
    assert cli(tmp_path, "init").returncode == 0
    proc = cli(tmp_path, "load", "khong_co.xlsx")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.splitlines() == [
        "Không đọc được tệp «khong_co.xlsx»: không có tệp hoặc thư mục này.",
        "Không nạp: có tệp không đọc được; dữ liệu không thay đổi.",
    ]
    proc = cli(tmp_path, "nap", "a.xlsx")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "cách dùng: python -m etl [-h] LỆNH ...",
        "python -m etl: lỗi: tham số LỆNH: không có lệnh 'nap' (chọn một trong: 'init', 'sample', 'load', "
        "'template', 'status', 'backup', 'restore')",
    ]


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "etl", "load"],
        ["-m", "dashboard.users"],
        ["-m", "reports", "situation"],
        ["deploy/start.py"],  # its help was argparse's English («usage», «options», «show this help message»)
    ],
    ids=["etl", "users", "reports", "start"],
)
def test_no_english_in_the_command_line_help(command):
    proc = subprocess.run([sys.executable, "-W", "error", *command, "--help"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    english = {"usage", "usage:", "options", "options:", "positional", "arguments", "show", "help", "message", "exit"}
    assert english.isdisjoint(proc.stdout.replace("-h, --help", "").lower().split()), proc.stdout


def test_a_fault_of_ours_refuses_the_file_in_words(province, monkeypatch):
    import etl.annual_return as ar

    def broken(*a, **k):
        raise RuntimeError("index out of range")

    monkeypatch.setattr(ar, "read_table", broken)
    good = two_branch_return(province, A, (f"{A}.001", f"{A}.002"))
    result = parse_returns([("a.xlsx", good)], province)[0]
    assert [f.text() for f in result.findings] == [f"Tệp «a.xlsx»: {ar.INTERNAL_ERROR}"]
