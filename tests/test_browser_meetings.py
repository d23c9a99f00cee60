"""The page «Sinh hoạt chi bộ» in chromium on the app's demonstration (the sample with its illustrative 2026), as the
province and a commune use it: the first year told honestly, the per-unit targets, the commune's own branches, a
year before the sheet existed saying «chưa có số liệu», and the score sheet downloaded."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser_truth import ENGLISH, _go, _login, app_server  # noqa: F401  (the app fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_store):
    yield from app_server(demo_store.parent)


def _no_english(page: Page) -> None:
    body = page.locator("body").inner_text()
    for text in ENGLISH:
        assert text not in body, text


def test_the_province_sees_the_first_year_and_the_per_unit_targets(server, browser):  # noqa: F811
    page = _login(browser, server, "tinh")
    expect(page.get_by_role("heading", name="Tổng quan năm 2026")).to_be_visible()
    expect(page.get_by_text("Năm 2026 là năm minh hoạ").first).to_be_visible()
    # the overview's tiles include the meetings, the meetings scored beside the meetings good
    expect(page.get_by_text("Kỳ sinh hoạt đạt tốt").first).to_be_visible()
    expect(page.get_by_text("kỳ được chấm điểm:").first).to_be_visible()
    _go(page, "Sinh hoạt chi bộ", "Sinh hoạt chi bộ năm 2026")
    expect(page.get_by_text("Năm 2026 là năm đầu tiên có số liệu sinh hoạt chi bộ").first).to_be_visible()
    expect(page.get_by_text("Chưa đủ số liệu để đánh giá tốc độ").first).to_be_visible()
    expect(page.get_by_text("cần thêm").first).to_be_visible()
    expect(page.get_by_text("T000-18 · Số chi bộ sinh hoạt định kỳ").first).to_be_visible()
    expect(page.get_by_text("đảng bộ xã, phường đạt").first).to_be_visible()
    expect(page.get_by_text("Biểu: tình hình sinh hoạt chi bộ năm 2026").first).to_be_visible()
    page.get_by_text("Phiếu chấm điểm một kỳ sinh hoạt").click()
    with page.expect_download() as got:
        page.get_by_role("button", name="Tải phiếu (PDF)").click()
    path = got.value.path()
    assert open(path, "rb").read(5) == b"%PDF-"
    _no_english(page)
    page.close()


def test_a_commune_sees_its_branches_and_no_figure_before_2026(server, browser):  # noqa: F811
    page = _login(browser, server, "xa")
    _go(page, "Sinh hoạt chi bộ", "Sinh hoạt chi bộ năm 2026")
    expect(page.get_by_text("Sinh hoạt của các chi bộ – Phường Thục Phán, năm 2026").first).to_be_visible()
    expect(page.get_by_text("chưa có cấp uỷ cấp trên dự sinh hoạt").first).to_be_visible()
    expect(page.get_by_text("chi bộ điểm sinh hoạt định kỳ (cần 02–03)").first).to_be_visible()
    _no_english(page)
    page.get_by_label("Năm báo cáo").click()
    page.get_by_role("option", name="2025", exact=True).click()
    expect(page.get_by_role("heading", name="Sinh hoạt chi bộ năm 2025")).to_be_visible(timeout=90_000)
    expect(page.get_by_text("Năm 2025: chưa có số liệu về sinh hoạt chi bộ").first).to_be_visible()
    page.close()
