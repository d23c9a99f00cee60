"""The yearly reporting cycle in a real browser (issue 10): the commune downloads its return, uploads one with an
error and sees it, fixes it and submits; the province sees it on the board and returns it with a comment; the
commune reads the comment and submits again; the province approves, acknowledging the warning; the admin locks the
year; a further upload is refused with a clear message — all with the demo accounts on the sample."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from etl import cycle
from forms.template import write_return
from tests.test_browser import _open, _wait, serve

pytestmark = pytest.mark.browser
UNIT, YEAR = "01273", 2025  # the demo account «xa»: phường Thục Phán
COMMENT = "Số chi bộ xuất sắc chưa khớp với biên bản; đề nghị rà soát lại chi bộ 01273.002."
expect.set_options(timeout=60_000)


@pytest.fixture(scope="module")
def server(sample_store, province, tmp_path_factory):
    """The app on a copy of the sample store whose 2025 reporting period is open (its own copy: it gets locked)."""
    data = tmp_path_factory.mktemp("cycle-data")
    shutil.copytree(sample_store, data / "parquet", symlinks=True)
    cycle.open_period(YEAR, dt.date(2026, 1, 15), province, "quantri", "admin", root=data / "parquet")
    with serve(data) as url:
        yield url, data / "parquet"


@pytest.fixture(scope="module")
def returns(province, tmp_path_factory) -> dict[str, Path]:
    """Phường Thục Phán's 2025 return as the sample has it, changed twice: with an error (a branch's members do not
    add up), and fixed but with a warning (a branch rated «xuất sắc» whose members are mostly not rated good)."""
    from synthetic.sample import SEED, SampleBuilder

    branches, committee, heads = SampleBuilder(province, SEED).build().returns()[(UNIT, YEAR)]
    weak = next(i for i, b in enumerate(branches) if b["rating"] != "xs" and b["excellent"] + b["good"] > 0)
    b = branches[weak]
    warned = [
        *branches[:weak],
        {**b, "rating": "xs", "completed": b["completed"] + b["excellent"] + b["good"], "excellent": 0, "good": 0},
        *branches[weak + 1 :],
    ]
    broken = [{**warned[0], "members": warned[0]["members"] + 5}, *warned[1:]]
    out = tmp_path_factory.mktemp("cycle-returns")
    files = {}
    for name, rows in (("loi", broken), ("sua", warned)):
        files[name] = out / f"bao-cao-{UNIT}-{YEAR}-{name}.xlsx"
        write_return(
            files[name],
            province,
            province.unit_by_code[UNIT],
            YEAR,
            rows,
            committee,
            heads,
            prepared_by="Văn phòng đảng uỷ (dữ liệu mẫu)",
            report_date=dt.date(YEAR + 1, 1, 10),
            is_sample=True,  # the demo accounts work on the sample only
        )
    files["weak_branch"] = b["branch_code"]
    return files


def go(page: Page, link: str, heading: str) -> None:
    page.get_by_role("link", name=link).first.click()
    expect(page.get_by_role("heading", name=heading).first).to_be_visible()
    _wait(page)


def upload(page: Page, path: Path) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))


def pick_unit(page: Page) -> None:
    """Choose the commune in the board's «Đơn vị» box (typed, as a user filters a long list)."""
    box = page.get_by_role("combobox", name="Đơn vị", exact=True)
    box.click()
    page.keyboard.type(UNIT)
    expect(page.get_by_role("option", name=f"({UNIT})")).to_have_count(1)  # the list filtered to it
    page.keyboard.press("Enter")  # not a click: the option may be re-drawn under the pointer by a rerun
    _wait(page)


def test_the_whole_reporting_cycle(server, browser, returns, province):  # noqa: F811
    url, root = server
    from dashboard import reporting
    from etl.load import check_files

    fixed = check_files([(returns["sua"].name, returns["sua"].read_bytes())], province, parallel=False)
    flags = reporting.return_warnings(UNIT, YEAR, fixed.parsed[0].branches, root)  # against the sample's 2024
    assert "excellent_weak_members" in [f.rule for f in flags]
    n = len(flags)
    xa = _open(browser, url, "xa")
    go(xa, "Nộp báo cáo", "Nộp báo cáo")
    expect(xa.get_by_text("Trạng thái: Chưa nộp").first).to_be_visible()

    # 1. the commune downloads its own pre-filled return
    with xa.expect_download() as dl:
        xa.get_by_role("button", name="Tải biểu mẫu").click()
    wb = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
    cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert UNIT in cells and "Thục Phán" in cells

    # 2. uploads a return with an error: told where it is (the message whole, not cut), nothing written, and not
    # offered to submit it (issue 26.7: it was, and counted as «lần nộp 1»)
    upload(xa, returns["loi"])
    expect(xa.get_by_text("Tệp có 1 lỗi").first).to_be_visible()
    expect(xa.locator('[data-testid="stTable"]').filter(has_text="Tổng số đảng viên").first).to_be_visible()
    expect(xa.get_by_role("button", name="Nộp báo cáo")).to_be_disabled()

    # 3. fixes it: valid, with its warning shown before submitting; submits
    upload(xa, returns["sua"])
    expect(xa.get_by_text("Tệp hợp lệ: 83 chi bộ.").first).to_be_visible()
    expect(xa.get_by_text(returns["weak_branch"]).first).to_be_visible()  # the warning names the branch
    xa.get_by_role("button", name="Nộp báo cáo").click()
    expect(xa.get_by_text(f"Đã nộp báo cáo năm 2025 ({n} cảnh báo để Ban Tổ chức xem xét).").first).to_be_visible()
    expect(xa.get_by_text("Trạng thái: Đã nộp, hợp lệ").first).to_be_visible()

    # 4. the province sees it on the board and returns it with a comment
    tinh = _open(browser, url, "tinh")
    go(tinh, "Tiến độ nộp báo cáo", "Tiến độ nộp báo cáo")
    expect(tinh.get_by_text("Số liệu năm 2025: 1/60 đã nộp, 0 đã duyệt").first).to_be_visible()
    pick_unit(tinh)
    expect(tinh.get_by_text("Trạng thái: Đã nộp, hợp lệ · lần nộp: 1").first).to_be_visible()
    tinh.get_by_label("Ý kiến của Ban Tổ chức (bắt buộc khi trả lại)").fill(COMMENT)
    tinh.get_by_role("button", name="Trả lại để sửa").click()
    expect(tinh.get_by_text("Đã trả lại báo cáo của Phường Thục Phán.").first).to_be_visible()

    # 5. the commune reads the comment and submits again
    go(xa, "Tổng quan", "Tổng quan năm")
    go(xa, "Nộp báo cáo", "Nộp báo cáo")
    expect(xa.get_by_text("Trạng thái: Trả lại").first).to_be_visible()
    expect(xa.get_by_text(f"Ban Tổ chức trả lại báo cáo: {COMMENT}").first).to_be_visible()
    upload(xa, returns["sua"])
    expect(xa.get_by_text("Tệp hợp lệ: 83 chi bộ.").first).to_be_visible()
    xa.get_by_role("button", name="Nộp báo cáo").click()
    expect(xa.get_by_text("Đã nộp báo cáo năm 2025").first).to_be_visible()
    expect(xa.get_by_text("số lần đã nộp: 2").first).to_be_visible()

    # 6. the province approves: refused until the warning is acknowledged
    go(tinh, "Tổng quan", "Tổng quan năm")
    go(tinh, "Tiến độ nộp báo cáo", "Tiến độ nộp báo cáo")
    pick_unit(tinh)
    expect(tinh.get_by_text("Trạng thái: Đã nộp, hợp lệ · lần nộp: 2").first).to_be_visible()
    expect(tinh.get_by_text(returns["weak_branch"]).first).to_be_visible()
    tinh.get_by_role("button", name="Duyệt").click()
    expect(tinh.get_by_text(f"Báo cáo có {n} cảnh báo").first).to_be_visible()
    tinh.get_by_role("checkbox", name="Đã xem xét các cảnh báo").check(force=True)
    _wait(tinh)
    tinh.get_by_role("button", name="Duyệt").click()
    expect(tinh.get_by_text("Đã duyệt báo cáo của Phường Thục Phán.").first).to_be_visible()
    expect(tinh.get_by_text("Số liệu năm 2025: 1/60 đã nộp, 1 đã duyệt").first).to_be_visible()
    # its two versions, and that they do not differ
    tinh.get_by_text("Các lần nộp có số liệu (2)").click()
    expect(tinh.get_by_text("Hai lần nộp không khác nhau ở chi bộ nào.").first).to_be_visible()

    # 7. the admin locks the year, after confirming with 59 units missing (issue 26.6); the board still says who was
    # approved and who never submitted; every page says the year is locked
    quantri = _open(browser, url, "quantri")
    go(quantri, "Tiến độ nộp báo cáo", "Tiến độ nộp báo cáo")
    expect(quantri.get_by_text("Năm 2025 còn 59/60 đơn vị chưa nộp báo cáo").first).to_be_visible()
    expect(quantri.get_by_role("button", name="Khoá số liệu năm 2025")).to_be_disabled()
    quantri.get_by_role("checkbox", name="Tôi xác nhận khoá số liệu năm 2025 khi chưa đủ đơn vị").check(force=True)
    _wait(quantri)
    quantri.get_by_role("button", name="Khoá số liệu năm 2025").click()
    expect(quantri.get_by_text("Đã khoá số liệu năm 2025.").first).to_be_visible()
    cells = quantri.locator('[data-testid^="glide-cell"]')
    expect(cells.filter(has_text="Đã duyệt (đã khoá)")).to_have_count(1)
    quantri.get_by_text("Chỉ các đơn vị chưa nộp (cần nhắc)").click()
    _wait(quantri)
    expect(cells.filter(has_text="Chưa nộp (đã khoá)").first).to_be_attached()  # the grid's accessible cells
    expect(quantri.get_by_text("Mọi đơn vị đã nộp báo cáo.")).to_have_count(0)
    today = f"{dt.date.today():%d/%m/%Y}"
    go(quantri, "Tổng quan", "Tổng quan năm 2025")
    expect(quantri.get_by_text(f"Số liệu chốt ngày {today}.").first).to_be_visible()

    # 8. a further upload is refused, with the reason: on the commune's page, and on the admin's load
    go(xa, "Tổng quan", "Tổng quan năm")
    go(xa, "Nộp báo cáo", "Nộp báo cáo")
    expect(xa.get_by_text(f"Số liệu năm 2025 đã khoá ngày {today} (chốt số liệu)").first).to_be_visible()
    assert xa.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    go(quantri, "Nạp dữ liệu", "Nạp dữ liệu")
    upload(quantri, returns["sua"])
    # refused with the files that cannot be loaded, never offered to write (issue 26.7: «1 tệp hợp lệ» and «Ghi»)
    expect(quantri.get_by_text("1 tệp có lỗi và sẽ không được nạp").first).to_be_visible()
    refusal = quantri.locator('[data-testid="stTable"]').filter(
        has_text=f"Số liệu năm 2025 đã khoá ngày {today} (chốt số liệu): báo cáo của phường Thục Phán (01273)"
    )
    expect(refusal).to_have_count(1)
    expect(quantri.get_by_role("button", name="Ghi vào dữ liệu")).to_have_count(0)
    expect(quantri.get_by_text("1 tệp hợp lệ")).to_have_count(0)

    p = cycle.period(YEAR, root)
    s = p.units[UNIT]
    assert p.locked and (s.status, s.version, len(s.versions)) == (cycle.APPROVED, 2, 2)
    for page in (xa, tinh, quantri):
        errors = [e.inner_text() for e in page.locator('[data-testid="stException"]').all()]
        assert not errors, errors
        page.close()
