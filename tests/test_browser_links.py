"""Addresses typed by one user stay text on another user's page (issue 29.8): a bare «http://…», «www.…» or
«ai@…» in a comment the province writes, or in a branch name a warning quotes, became a live link in Streamlit's
markdown (GFM autolinks, escaped or not). Checked in chromium: the page holds the text and no link to it."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from playwright.sync_api import expect

from etl import cycle
from tests.test_browser import _open, _wait, serve
from tests.test_browser_cycle import go, pick_unit

pytestmark = pytest.mark.browser
UNIT, YEAR = "01273", 2025  # the demo account «xa»
COMMENT = "Xem hướng dẫn tại http://evil.example/huong-dan, www.evil.example hoặc hỏi ai@evil.example."
WARNING = "Chi bộ «https://evil.example/chi-bo» (01273.002): xếp loại xuất sắc nhưng ít đảng viên tốt."
expect.set_options(timeout=60_000)


@pytest.fixture(scope="module")
def server(sample_store, province, tmp_path_factory):
    """xa has submitted its 2025 return with a warning quoting a branch name, and the province returned it with a
    comment: both hold bare addresses."""
    data = tmp_path_factory.mktemp("links-data")
    root = data / "parquet"
    shutil.copytree(sample_store, root, symlinks=True)
    cycle.open_period(YEAR, dt.date(2026, 1, 15), province, "quantri", "admin", root=root)
    cycle.submit(YEAR, UNIT, "xa", "commune", warnings=[WARNING], user_unit=UNIT, root=root)
    cycle.return_for_correction(YEAR, UNIT, COMMENT, "tinh", "province", root=root)
    with serve(data) as url:
        yield url


def _links_to_evil(page) -> list[str]:
    return page.eval_on_selector_all("a", "els => els.map(e => e.href).filter(h => h.includes('evil'))")


def test_a_comment_with_addresses_reads_as_text_for_the_commune(server, browser):  # noqa: F811
    xa = _open(browser, server, "xa")
    go(xa, "Nộp báo cáo", "Nộp báo cáo")
    expect(xa.get_by_text("Ban Tổ chức trả lại báo cáo").first).to_be_visible()
    shown = xa.get_by_text("Ban Tổ chức trả lại báo cáo").first.inner_text().replace("\u2060", "")
    assert "http://evil.example/huong-dan, www.evil.example hoặc hỏi ai@evil.example" in shown
    assert _links_to_evil(xa) == []
    xa.close()


def test_a_branch_name_with_an_address_reads_as_text_for_the_province(server, browser):  # noqa: F811
    tinh = _open(browser, server, "tinh")
    go(tinh, "Tiến độ nộp báo cáo", "Tiến độ nộp báo cáo")
    pick_unit(tinh)
    _wait(tinh)
    expect(tinh.get_by_text("xếp loại xuất sắc nhưng ít đảng viên tốt").first).to_be_visible()
    assert _links_to_evil(tinh) == []
    tinh.close()
