"""A link is the view (issue 28.9, 28.10), in chromium: the filters travel with a menu click in one history entry,
Back from a drill-down keeps the year, a page's own choices (tab, toggle, mode, comparison, the map's indicator)
are in its URL, and a link narrowed to the user's own scope says so."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from benchmarks.browser import READY
from tests.test_browser import _sign_in, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
expect.set_options(timeout=60_000)


def _wait(page: Page) -> None:
    page.wait_for_selector(READY, timeout=90_000)


def _login(browser, server, user: str, path: str = "") -> Page:  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/{path}")
    _wait(page)
    _sign_in(page, user)
    expect(page.get_by_role("heading", level=1).first).to_be_visible(timeout=90_000)
    _wait(page)
    return page


def _year(page: Page, year: str, heading: str) -> None:
    page.get_by_label("Năm báo cáo").click()
    page.get_by_role("option", name=year).click()
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=90_000)
    _wait(page)


def _menu(page: Page, link: str, heading: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=90_000)
    _wait(page)


def test_a_menu_click_keeps_the_filters_in_the_url_and_back_keeps_the_year(server, browser):  # noqa: F811
    page = _login(browser, server, "tinh")
    _year(page, "2024", "Tổng quan năm 2024")
    expect(page).to_have_url(re.compile(r"/\?nam=2024$"))
    before = page.evaluate("history.length")
    _menu(page, "Hạ tầng", "Hạ tầng phục vụ sinh hoạt chi bộ")
    expect(page).to_have_url(re.compile(r"/ha-tang\?nam=2024$"))  # the copied link opens 2024, not 2025
    assert page.evaluate("history.length") == before + 1  # one entry: one «Back»
    # a drill-down, then Back: the page as it was, still 2024 (Back returned to 2025)
    _menu(page, "Xếp loại chi bộ", "Xếp loại chi bộ")
    expect(page).to_have_url(re.compile(r"/chi-bo\?nam=2024$"))
    bars = page.locator('[data-testid="stMain"] .js-plotly-plot').filter(has_text="theo đơn vị").locator(".bars .point")
    bars.nth(3).locator("path").click(force=True)
    expect(page).to_have_url(re.compile(r"xem=\d{5}"))
    _wait(page)
    page.go_back()
    _wait(page)
    expect(page).to_have_url(re.compile(r"/chi-bo\?nam=2024$"))
    expect(page.get_by_text("theo đơn vị, năm 2024").first).to_be_attached()
    page.go_back()
    _wait(page)
    expect(page).to_have_url(re.compile(r"/ha-tang\?nam=2024$"))
    expect(page.get_by_text(re.compile(r"theo loại hình, năm 2024")).first).to_be_attached()
    page.close()


def test_a_pages_own_choices_are_in_its_link(server, browser):  # noqa: F811
    page = _login(browser, server, "tinh", "muc-tieu?nam=2024&chi_de_an=False&tab=Theo+%C4%91%C6%A1n+v%E1%BB%8B")
    expect(page.get_by_role("heading", name="Tiến độ thực hiện mục tiêu").first).to_be_visible()
    expect(page.get_by_role("switch", name=re.compile("Chỉ mục tiêu của Đề án"))).not_to_be_checked()
    expect(page.get_by_role("tab", name="Theo đơn vị")).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(re.compile(r"chi_de_an=False"))
    page.close()
    # the scorecard's mode and the profile's comparison (a new tab is a new session: it logs in, the link kept)
    page = _login(browser, server, "tinh", "bang-tong-hop?danh_gia=rag")
    expect(page.get_by_role("radio", name=re.compile("mục tiêu", re.I))).to_be_checked()
    page.close()
    page = _login(browser, server, "tinh", "ho-so-xa?dv=01273&so_sanh=internet_none")
    expect(page.get_by_role("heading", name="Hồ sơ Phường Thục Phán")).to_be_visible()
    expect(page.get_by_text(re.compile("Chưa có Internet")).first).to_be_attached()
    # the map's indicator
    page.close()
    page = _login(browser, server, "tinh", "?chi_tieu=computer_none")
    expect(page.get_by_role("combobox", name="Chỉ tiêu trên bản đồ")).to_have_value("Chi bộ chưa có máy tính")
    page.close()
    # a link shared before an indicator was renamed (its old id, a registry alias): the indicator under its id now
    page = _login(browser, server, "tinh", "?chi_tieu=sec_concurrent")
    expect(page.get_by_role("combobox", name="Chỉ tiêu trên bản đồ")).to_have_value(
        "Bí thư chi bộ xóm kiêm trưởng xóm hoặc trưởng ban công tác Mặt trận"
    )
    expect(page).to_have_url(re.compile(r"chi_tieu=village_secretary_post"))
    page.close()


def test_a_link_narrowed_to_the_users_own_commune_says_so(server, browser):  # noqa: F811
    page = _login(browser, server, "xa", "ho-so-xa?dv=01366")
    expect(page.get_by_role("heading", name="Hồ sơ Phường Thục Phán")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Liên kết chọn đơn vị ngoài phạm vi")).first).to_be_visible()
    page.close()
