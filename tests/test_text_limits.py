"""No text of a return is longer than it needs to be (issue 29.2): a 188 KB workbook with one 150 MB string passed as
a valid return, and each upload of it grew the app by ~300 MB. Every text cell has a limit (etl/settings.py: a code
40, a name 200, a comment — the most any cell may hold — 2.000 characters); a text far beyond the limit is refused
while the file is streamed, before a reader builds it, and every other one by its exact length with its cell."""

from __future__ import annotations

import io
import pickle
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from etl import cycle
from etl.excel import read_grids
from etl.findings import ReturnRejected
from etl.load import check_files, parse_files
from etl.settings import MAX_CODE_CHARS, MAX_COMMENT_CHARS, MAX_NAME_CHARS
from tests.fixtures import branch, return_bytes
from tests.test_upload import OWN, assert_refused, store  # noqa: F401  (the store fixture)

DATA = Path(__file__).resolve().parent / "data"
NAME = "Chi bộ thử độ dài"


def one_branch(province, code: str = f"{OWN}.001", name: str = NAME) -> bytes:
    return return_bytes(
        province, OWN, 2025, branches=[branch(code, "co_so", "dang", excellent=1, good=8, branch_name=name)]
    )


def swelled(zipped: bytes, member: str, old: bytes, size: int, new: bytes = b"", close: bytes = b"") -> bytes:
    """The zip with `old` in `member` replaced by `new`, `size` bytes of text (written in pieces, never held whole)
    and `close`: small on disk, huge once read."""
    src = zipfile.ZipFile(io.BytesIO(zipped))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename != member:
                z.writestr(info, body)
                continue
            before, after = body.split(old, 1)
            with z.open(info.filename, "w", force_zip64=True) as f:
                f.write(before + new)
                piece = "Nội dung dài ".encode() * (1 << 16)
                for _ in range(size // len(piece)):
                    f.write(piece)
                f.write(close + after)
    return out.getvalue()


def _messages(e: ReturnRejected) -> list[str]:
    return [f.text() for f in e.findings]


# ------------------------------------------------------------------------------------- streamed: never built


@pytest.fixture(scope="module")
def huge_shared(province) -> bytes:
    """The attack of the issue: a valid return whose branch name is a 150 MB shared string."""
    data = swelled(one_branch(province), "xl/sharedStrings.xml", NAME.encode(), 150 * 1024 * 1024)
    assert len(data) < 1024 * 1024  # small on disk
    return data


def test_a_huge_shared_string_is_refused_before_it_is_built(huge_shared):
    tracemalloc.start()
    try:
        with pytest.raises(ReturnRejected) as e:
            read_grids(huge_shared, "ten-dai.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the 150 MB string was never built: what was held is a block of the zip or two (a reader building it: >150 MB)
    assert peak < 32 * 1024 * 1024, peak
    (msg,) = _messages(e.value)
    assert msg.startswith("Tệp «ten-dai.xlsx», trang «Chi bộ», dòng 7, cột C: Ô này chứa một đoạn chữ quá dài"), msg
    assert f"tối đa {MAX_COMMENT_CHARS:,} ký tự".replace(",", ".") in msg


def test_the_huge_string_is_refused_through_the_load_and_nothing_changes(huge_shared, store, province):  # noqa: F811
    assert_refused(store, [("ten-dai.xlsx", huge_shared)], province, "dòng 7, cột C: Ô này chứa một đoạn chữ quá dài")


def test_an_upload_hands_the_app_no_big_result(huge_shared, province):
    """What the upload pages keep in the session (etl.load.check_files, parsed in a worker) is the refusal, a few
    hundred bytes, not the string (each upload grew the app by ~300 MB)."""
    checked = check_files([("ten-dai.xlsx", huge_shared)], province, parallel=False, allowed_years=[2025])
    assert not checked.parsed and [f.rule for f in checked.refused["ten-dai.xlsx"]] == ["text_too_long"]
    assert len(pickle.dumps(checked)) < 64 * 1024


@pytest.mark.parametrize("ref", [b'r="C7" ', b""], ids=["with-its-address", "placed-by-the-one-before"])
def test_a_huge_inline_string_in_a_sheet_is_refused_with_its_cell(province, ref):
    """The same text written in the cell itself (t="inlineStr", as some tools write), not in the shared strings;
    also in a cell without its address (a writer may leave it out: it follows the cell before)."""
    data = one_branch(province)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet3.xml")  # «Chi bộ»
    cell = next(c for c in sheet.split(b"<c ") if c.startswith(b'r="C7"'))
    old = b"<c " + cell[: cell.index(b"</c>") + 4]
    start, end = b"<c " + ref + b't="inlineStr"><is><t>', b"</t></is></c>"
    data = swelled(data, "xl/worksheets/sheet3.xml", old, 40 * 1024 * 1024, start, end)
    assert len(data) < 1024 * 1024
    with pytest.raises(ReturnRejected) as e:
        read_grids(data, "noi-dong.xlsx")
    assert "dòng 7, cột C: Ô này chứa một đoạn chữ quá dài" in _messages(e.value)[0]


def test_a_huge_text_in_an_ods_is_refused_with_its_sheet():
    ods = (DATA / "canh_tan_2023_libreoffice.ods").read_bytes()
    note = "Ghi chú: chi bộ xóm Phja Tấu".encode()
    with pytest.raises(ReturnRejected) as e:
        read_grids(swelled(ods, "content.xml", note, 60 * 1024 * 1024, note), "dai.ods")
    (msg,) = _messages(e.value)
    assert msg.startswith("Tệp «dai.ods», trang «Chi bộ»: Trang này chứa một đoạn chữ quá dài"), msg


def test_an_ods_space_run_that_expands_to_megabytes_is_refused():
    """«<text:s text:c="100000000"/>» is 28 bytes that a reader expands into 100 million spaces."""
    ods = (DATA / "canh_tan_2023_libreoffice.ods").read_bytes()
    src = zipfile.ZipFile(io.BytesIO(ods))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "content.xml":
                body = body.replace(b'<text:s text:c="3"/>', b'<text:s text:c="100000000"/>', 1)
            z.writestr(info, body)
    assert len(out.getvalue()) < 64 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ReturnRejected) as e:
            read_grids(out.getvalue(), "khoang-trang.ods")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 1024 * 1024, peak
    assert "chứa một đoạn chữ quá dài" in _messages(e.value)[0]


# ------------------------------------------------------------------------------- read: by its exact length


@pytest.mark.slow
def test_a_note_of_the_comment_limit_is_read_and_one_character_more_is_refused(province):
    """A «Ghi chú» row under the table holds up to 2.000 characters (the boundary loads); 2.001 do not."""
    from etl.schema import BRANCHES
    from tests import messy as m

    def with_note(n: int) -> bytes:
        book = m.read_book(one_branch(province))
        sh = m._table(book, BRANCHES)
        text = ("Ghi chú: " + "chi bộ hợp nhất từ tháng 7. " * 100)[:n]
        m.insert_rows(sh, m._last_row(sh) + 1, [[], [""] * sh.col0 + [text]])
        return m.write_xlsx(book)

    parsed, refused = parse_files([("ghi-chu.xlsx", with_note(MAX_COMMENT_CHARS))], province, parallel=False)
    assert not refused and parsed[0].branches.height == 1
    parsed, refused = parse_files([("ghi-chu.xlsx", with_note(MAX_COMMENT_CHARS + 1))], province, parallel=False)
    (msg,) = [f.text() for f in refused["ghi-chu.xlsx"]]
    assert "trang «Chi bộ»" in msg and "dài 2.001 ký tự, vượt giới hạn 2.000 ký tự của một ô" in msg, msg


def test_a_long_note_in_an_xls_saved_by_libreoffice_names_its_cell(province):
    """An .xls is not compressed (its text is bounded by the 20 MB file limit): its cells are checked once read."""
    path = DATA / "canh_tan_2023_ghi_chu_dai.xls"
    _, refused = parse_files([(path.name, path.read_bytes())], province, parallel=False)
    (msg,) = [f.text() for f in refused[path.name]]
    assert msg.startswith(f"Tệp «{path.name}», trang «Chi bộ», dòng 44, cột A: Nội dung «Ghi chú:"), msg
    assert "dài 2.500 ký tự" in msg


def test_a_csv_field_over_any_limit_is_refused_with_its_line(province):
    head = "Mã đơn vị;01273\nNăm báo cáo;2025\n"
    for size, says in ((MAX_COMMENT_CHARS + 1, "dài 2.001 ký tự"), (200_000, "dòng 3")):
        raw = (head + "Ghi chú;" + "x" * size + "\n").encode("utf-8")
        with pytest.raises(ReturnRejected) as e:
            read_grids(raw, "dai.csv")
        (msg,) = _messages(e.value)
        assert says in msg and "2.000 ký tự" in msg, msg


@pytest.mark.slow
@pytest.mark.parametrize(
    ("field", "limit"), [("branch_name", MAX_NAME_CHARS), ("branch_code", MAX_CODE_CHARS)], ids=["name", "code"]
)
def test_a_column_takes_text_up_to_its_limit(province, field, limit):
    """A branch's name up to 200 characters, its code up to 40 (both boundaries load; one more is refused with the
    row and column)."""
    prefix = f"{OWN}." if field == "branch_code" else "Chi bộ "

    def make(n: int) -> bytes:
        value = (prefix + "x" * n)[:n]
        return one_branch(province, **{"code" if field == "branch_code" else "name": value})

    parsed, refused = parse_files([("dung.xlsx", make(limit))], province, parallel=False)
    assert not refused, refused
    _, refused = parse_files([("dai.xlsx", make(limit + 1))], province, parallel=False)
    msgs = [f.text() for f in refused["dai.xlsx"] if f.rule == "text_too_long"]
    column = "B" if field == "branch_code" else "C"
    assert len(msgs) == 1 and f"dòng 7, cột {column}" in msgs[0], refused
    assert f"dài {limit + 1} ký tự, vượt giới hạn {limit} ký tự" in msgs[0]


def test_a_unit_name_longer_than_a_name_is_refused(province):
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(one_branch(province)))
    wb["Thông tin"]["B5"] = "Đảng bộ phường Thục Phán " * 20
    buf = io.BytesIO()
    wb.save(buf)
    _, refused = parse_files([("ten-don-vi.xlsx", buf.getvalue())], province, parallel=False)
    (msg,) = [f.text() for f in refused["ten-don-vi.xlsx"]]
    assert "trang «Thông tin», dòng 5, cột B" in msg and "vượt giới hạn 200 ký tự" in msg, msg


def test_a_comment_on_a_return_is_at_most_a_comment_long(sample_store, province, tmp_path):
    import datetime as dt
    import shutil

    root = tmp_path / "parquet"
    shutil.copytree(sample_store, root, symlinks=True)
    cycle.open_period(2025, dt.date(2026, 1, 15), province, "quantri", "admin", root=root)
    cycle.submit(2025, OWN, "xa", "commune", user_unit=OWN, root=root)
    with pytest.raises(ValueError, match="vượt giới hạn 2.000 ký tự"):
        cycle.return_for_correction(2025, OWN, "x" * (MAX_COMMENT_CHARS + 1), "tinh", "province", root=root)
    s = cycle.return_for_correction(2025, OWN, "x" * MAX_COMMENT_CHARS, "tinh", "province", root=root)
    assert len(s.comment) == MAX_COMMENT_CHARS
