"""Real-browser tests: the app served by Streamlit, driven by Playwright in Debian's chromium."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from benchmarks.browser import READY
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(data: Path) -> Iterator[str]:
    """The app served by Streamlit on the store under `data` (PARTYDASH_DATA); yields its URL."""
    port = _free_port()
    env = {**os.environ, "PARTYDASH_DATA": str(data)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard" / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(sample_store, tmp_path_factory):
    """The app on a copy of the sample store (the upload test changes it)."""
    data = tmp_path_factory.mktemp("browser-data")
    shutil.copytree(sample_store, data / "parquet", symlinks=True)
    with serve(data) as url:
        yield url


def _sign_in(page: Page, user: str, password: str = "demo") -> None:
    """Fill in and submit the app's log-in form (the page is on it)."""
    page.get_by_label("Tên đăng nhập").fill(user)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def _open(browser, url: str, user: str) -> Page:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)
    _sign_in(page, user)
    expect(page.get_by_role("heading", name="Tổng quan năm 2025")).to_be_visible(timeout=60_000)
    return page


def _wait(page: Page) -> None:
    page.wait_for_selector(READY, timeout=60_000)


PAGES = [
    ("Xếp loại chi bộ", "Xếp loại chi bộ"),
    ("Xếp loại đảng viên", "Xếp loại đảng viên"),
    ("Hạ tầng", "Hạ tầng phục vụ sinh hoạt chi bộ"),
    ("Bí thư & bồi dưỡng", "Bí thư, phó bí thư và bồi dưỡng nghiệp vụ"),
    ("Mục tiêu 2030", "Tiến độ thực hiện mục tiêu"),
    ("Hồ sơ xã", "Hồ sơ"),
    ("Biểu thống kê", "Biểu thống kê 01–07"),
    ("Chất lượng dữ liệu", "Chất lượng dữ liệu"),
    ("Tổng quan", "Tổng quan năm"),
]


def test_pages_filter_map_click_and_export(server, browser):
    page = _open(browser, server, "tinh")
    # the sample notice is on the page
    expect(page.get_by_text("Dữ liệu mẫu: số liệu dưới cấp tỉnh là giả lập").first).to_be_visible()
    for link, heading in PAGES:
        page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=60_000)
        _wait(page)
        errors = [e.inner_text() for e in page.locator('[data-testid="stException"]').all()]
        assert not errors, (link, errors)

    # change a filter: the year, kept in the URL
    page.get_by_label("Năm báo cáo").click()
    page.get_by_role("option", name="2024").click()
    expect(page.get_by_role("heading", name="Tổng quan năm 2024")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("96,25%").first).to_be_visible()  # 54.581 / 56.709
    _wait(page)
    expect(page).to_have_url(re.compile(r"nam=2024"))

    # a copied link reproduces the view
    other = browser.new_page()
    other.goto(page.url)
    _wait(other)

    # click a commune on the map: lands on its profile
    canvas = page.locator('[data-testid="stPlotlyChart"]').filter(has=page.locator("canvas")).first
    canvas.scroll_into_view_if_needed()
    _wait(page)
    box = canvas.bounding_box()
    profile = page.get_by_role("heading", name="Hồ sơ").first
    # The deck draws after the page settles: click near the middle of the province until a commune is hit.
    for dx, dy in [(0, 0), (0.05, 0.05), (-0.08, 0.02), (0.1, -0.05), (-0.03, 0.1), (0.15, 0.1)]:
        page.mouse.click(box["x"] + box["width"] * (0.5 + dx), box["y"] + box["height"] * (0.5 + dy))
        try:
            expect(profile).to_be_visible(timeout=8_000)
            break
        except AssertionError:
            _wait(page)
    expect(profile).to_be_visible(timeout=30_000)
    _wait(page)
    title = page.get_by_role("heading", level=1).first.inner_text()
    assert title.startswith("Hồ sơ Xã") or title.startswith("Hồ sơ Phường"), title

    # download an export and check its content
    with page.expect_download() as dl:
        page.get_by_role("button", name="Tải CSV").first.click()
    content = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    # the mark, filters, source and date first (the dashboard issue, item 7), then the table
    # the year chosen above travels to the profile (issue 16.9: a page switch no longer resets it to the default)
    assert rows[1] == ["Tài liệu lưu hành nội bộ"] and rows[2][0].startswith("Bộ lọc: năm 2024")
    head = rows.index([]) + 1
    assert rows[head][:3] == ["Chỉ tiêu", "Tử số", "Mẫu số"], rows[head]
    assert len(rows) - head > 10
    page.close()


def test_login_upload_with_error_then_good_upload_and_commit(server, browser, sample_dir, tmp_path):
    page = _open(browser, server, "quantri")
    page.get_by_role("link", name="Nạp dữ liệu").click()
    expect(page.get_by_role("heading", name="Nạp dữ liệu")).to_be_visible(timeout=60_000)
    _wait(page)

    bad = tmp_path / "bao-cao-loi.xlsx"
    bad.write_bytes(b"day khong phai la tep Excel")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    expect(page.get_by_text("tệp có lỗi và sẽ không được nạp").first).to_be_visible(timeout=60_000)
    # the message whole, wrapped in its column (issue 26.7: the grid cut it)
    expect(page.locator('[data-testid="stTable"]').filter(has_text="nội dung là văn bản").first).to_be_visible()

    # remove the refused file from the uploader, then upload a good return
    page.locator('[data-testid="stFileChipDeleteBtn"] button, button[data-testid="stFileChipDeleteBtn"]').first.click()
    _wait(page)
    good = sample_dir / "2025_01273.xlsx"
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(good))
    expect(page.get_by_text("1 tệp hợp lệ").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Xem trước thay đổi").first).to_be_visible()
    page.get_by_role("button", name="Ghi vào dữ liệu").click()
    expect(page.get_by_text("Đã nạp 1 báo cáo").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("thay thế 1 báo cáo cũ").first).to_be_visible()
    page.close()


def test_quick_navigation_keeps_the_commune_users_filters(server, browser):
    """Issue 16.9: clicking through the pages faster than they load must not reset the year or the filters."""
    page = _open(browser, server, "xa")
    page.get_by_label("Năm báo cáo").click()
    page.get_by_role("option", name="2023").click()
    expect(page.get_by_role("heading", name="Tổng quan năm 2023")).to_be_visible(timeout=60_000)
    _wait(page)
    links = ["Xếp loại chi bộ", "Xếp loại đảng viên", "Hạ tầng", "Bí thư & bồi dưỡng", "Mục tiêu 2030", "Tổng quan"]
    for _ in range(4):
        for link in links:  # each click lands while the previous page is still running
            page.get_by_role("link", name=link).first.click(no_wait_after=True)
            page.wait_for_timeout(120)
        _wait(page)
        # the page's heading shows the year of the filters' state
        expect(page.get_by_role("heading", name="Tổng quan năm 2023")).to_be_visible(timeout=60_000)
    page.close()


def test_a_crafted_sparse_workbook_is_refused_while_another_session_works(server, browser, province, tmp_path):
    """Issue 16.1: the 15 KB file with a cell at XFD1048576, uploaded by an admin, is refused in Vietnamese; the
    server stays up: another user's open session keeps working, before and after."""
    from tests.test_sandbox import sparse

    other = _open(browser, server, "tinh")
    admin = _open(browser, server, "quantri")
    admin.get_by_role("link", name="Nạp dữ liệu").click()
    expect(admin.get_by_role("heading", name="Nạp dữ liệu")).to_be_visible(timeout=60_000)
    _wait(admin)
    path = tmp_path / "thua-thot.xlsx"
    path.write_bytes(sparse(province))
    admin.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    expect(admin.get_by_text("tệp có lỗi và sẽ không được nạp").first).to_be_visible(timeout=120_000)
    expect(
        admin.locator('[data-testid="stTable"]').filter(has_text="có dữ liệu đến dòng 1.048.576").first
    ).to_be_visible()
    # the other session was not disconnected: it still answers a change of filter
    other.get_by_label("Năm báo cáo").click()
    other.get_by_role("option", name="2023").click()
    expect(other.get_by_role("heading", name="Tổng quan năm 2023")).to_be_visible(timeout=60_000)
    assert other.locator('[data-testid="stApp"][data-test-connection-state="CONNECTED"]').count() == 1
    admin.close()
    other.close()


def test_the_overview_by_its_name_lands_on_the_overview(server, browser):
    """«/tong-quan» typed in the address bar (the overview lives at «/»): the overview, the URL's filters kept,
    never Streamlit's English «Page not found»."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/tong-quan?nam=2024")
    page.wait_for_selector(READY, timeout=60_000)
    _sign_in(page, "tinh")
    expect(page.get_by_role("heading", name="Tổng quan năm 2024")).to_be_visible(timeout=60_000)
    _wait(page)
    expect(page).to_have_url(re.compile(r"/\?nam=2024$"))
    assert "not found" not in page.locator("body").inner_text().lower()
    # the sidebar's «Tổng quan» is the page shown (the menu's links carry the filters: dashboard/urlstate.py)
    first = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]').first
    assert first.get_attribute("href").split("?")[0].rstrip("/") in (server, "")
    assert first.inner_text().strip().endswith("Tổng quan")  # after its icon
    # another role's page typed in: a Vietnamese sentence, not the page, not Streamlit's English «Page not found»
    page.goto(server + "/nap-du-lieu")
    page.wait_for_selector(READY, timeout=60_000)
    _sign_in(page, "tinh")
    expect(page.get_by_role("heading", name="Trang không dành cho tài khoản này")).to_be_visible(timeout=60_000)
    _wait(page)
    assert "not found" not in page.locator("body").inner_text().lower()
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    # an address no page has (a typo, an old link): a Vietnamese sentence, before and after log-in
    page.goto(server + "/trang-khong-co")
    page.wait_for_selector(READY, timeout=60_000)
    _sign_in(page, "xa")
    expect(page.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible(timeout=60_000)
    _wait(page)
    assert "not found" not in page.locator("body").inner_text().lower()
    # the menu still works from there
    page.get_by_role("link", name="Xếp loại chi bộ").click()
    expect(page.get_by_role("heading", name=re.compile("Xếp loại chi bộ"))).to_be_visible(timeout=60_000)
    page.close()
