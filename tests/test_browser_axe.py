"""Accessibility (issue 28.14): axe-core (tests/vendor/axe-core, from the npm registry) on every page of the three
roles, in chromium: no critical and no serious violation of WCAG 2.1 A/AA in the project's own markup.

What is Streamlit's own markup and cannot be changed from the app is listed in STREAMLIT_OWN with the reason; each
such finding must match one of those entries, so a new one fails the test until it is fixed or explained."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from benchmarks.browser import READY
from tests.test_browser import _sign_in, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
expect.set_options(timeout=90_000)
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")

PAGES = {
    "tinh": [
        "Tổng quan",
        "Bảng tổng hợp",
        "Xếp loại chi bộ",
        "Xếp loại đảng viên",
        "Hạ tầng",
        "Bí thư & bồi dưỡng",
        "Mục tiêu 2030",
        "Hồ sơ xã",
        "Biểu thống kê",
        "Chất lượng dữ liệu",
        "Tiến độ nộp báo cáo",
    ],
    "xa": ["Tổng quan", "Hồ sơ xã", "Mục tiêu 2030", "Nộp báo cáo"],
    "quantri": ["Nạp dữ liệu", "Người dùng và nhật ký"],
}

# (rule, a piece of the offending element's HTML) → why it is Streamlit's and not the app's to fix
STREAMLIT_OWN: dict[tuple[str, str], str] = {}

RUN = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
    .flatMap(v => v.nodes.map(n => ({rule: v.id, impact: v.impact, html: n.html.slice(0, 200),
                                    target: n.target.join(' ')})));
}"""


def _page(browser, server, user: str) -> Page:  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server)
    page.wait_for_selector(READY, timeout=90_000)
    _sign_in(page, user)
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    page.wait_for_selector(READY, timeout=90_000)
    return page


def _own(found: list[dict]) -> list[dict]:
    return [f for f in found if not any(r == f["rule"] and piece in f["html"] for r, piece in STREAMLIT_OWN)]


@pytest.mark.parametrize("user", PAGES)
def test_no_critical_or_serious_violation_of_the_projects_markup(server, browser, user):  # noqa: F811
    page = _page(browser, server, user)
    found = {}
    for link in PAGES[user]:
        page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]').filter(has_text=link).first.click()
        page.wait_for_selector(READY, timeout=90_000)
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        time.sleep(1)  # the last elements drawn after the run (charts); axe then reads the page as it is
        page.wait_for_selector(READY, timeout=90_000)
        page.evaluate(AXE)
        if own := _own(page.evaluate(RUN)):
            found[link] = own
    assert found == {}
    page.close()
