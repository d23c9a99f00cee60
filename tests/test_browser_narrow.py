"""Readable on a phone and an iPad (issue 28.7), in chromium at 390 × 844 (a phone's browser) and 1024 × 768 (an
iPad's, the sidebar open): the overview, a topic page, the scorecard and the profile show no cut figure, nothing
wider than the screen, the map holds the whole province at load, and a wide table keeps its first column in view
while it scrolls sideways."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from benchmarks.browser import READY
from tests.test_browser import _sign_in, browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
expect.set_options(timeout=90_000)

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1",
}
# iPadOS's Safari says it is a Mac: the app cannot tell it from a desktop
IPAD = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
SCREENS = {"390": PHONE, "1024": IPAD}
PAGES = {"": "Tổng quan năm 2025", "ha-tang": "Hạ tầng", "bang-tong-hop": "Bảng tổng hợp", "ho-so-xa": "Hồ sơ"}

# Elements whose text is cut (ellipsis, hidden overflow) or that reach past the screen's right edge.
CUT = """() => {
  const main = document.querySelector('[data-testid="stMain"]').getBoundingClientRect();
  const cut = [...document.querySelectorAll('[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"] *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => 'cut: ' + e.textContent.trim());
  const wide = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stElementContainer"]')]
    .filter(e => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > Math.min(main.right, window.innerWidth) + 1)
    .map(e => 'past the edge: ' + (e.textContent || e.dataset.testid).trim().slice(0, 60));
  return cut.concat(wide);
}"""

# Whether the overview's map shows every unit's outline at load: MapLibre's view contains the outlines' extent.
MAP_FITS = """() => {
  const gd = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
    .find(g => g._fullLayout && g._fullLayout.map);
  const view = gd._fullLayout.map._subplot.map.getBounds();
  let w = 180, e = -180, s = 90, n = -90;
  const walk = c => { if (typeof c[0] === 'number') { w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]); } else c.forEach(walk); };
  gd.data.filter(t => t.type === 'choroplethmap').forEach(t => t.geojson.features.forEach(f => walk(f.geometry.coordinates)));
  return {fits: view.getWest() <= w && view.getEast() >= e && view.getSouth() <= s && view.getNorth() >= n,
          view: [view.getWest(), view.getEast(), view.getSouth(), view.getNorth()], units: [w, e, s, n]};
}"""


def _open(browser, server, screen: dict, path: str, heading: str) -> Page:  # noqa: F811
    page = browser.new_context(**screen).new_page()
    page.goto(f"{server}/{path}")
    page.wait_for_selector(READY, timeout=90_000)
    _sign_in(page, "tinh")
    expect(page.get_by_role("heading", name=heading).first).to_be_visible()
    page.wait_for_selector(READY, timeout=90_000)
    return page


@pytest.mark.parametrize("width", SCREENS)
@pytest.mark.parametrize("path", PAGES)
def test_nothing_is_cut_or_wider_than_the_screen(server, browser, path, width):  # noqa: F811
    page = _open(browser, server, SCREENS[width], path, PAGES[path])
    time.sleep(1)  # the last layout pass after the run (fonts, charts); the assertion itself does not wait
    assert page.evaluate(CUT) == []
    if path == "":
        expect(page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first).to_be_attached()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.js-plotly-plot')].some(g => g._fullLayout?.map?._subplot?.map?.loaded())"
        )
        fit = page.evaluate(MAP_FITS)
        assert fit["fits"], fit
    page.context.close()


@pytest.mark.parametrize("path", ["bang-tong-hop", "ho-so-xa"])
def test_a_wide_table_keeps_its_first_column_while_it_scrolls(server, browser, path):  # noqa: F811
    page = _open(browser, server, PHONE, path, PAGES[path])
    first = page.locator('[data-testid="stDataFrameResizable"]').first
    first.scroll_into_view_if_needed()
    expect(first.locator('[data-testid="glide-cell-1-0"]')).to_be_attached()
    name = first.locator('[data-testid="glide-cell-1-0"]').inner_text()
    first.evaluate(
        "g => { const s = g.querySelector('.dvn-scroller'); s.scrollLeft = s.scrollWidth; s.dispatchEvent(new Event('scroll')); }"
    )
    # scrolled to its last column, the row still says whose figures they are
    expect(first.locator('[data-testid="glide-cell-1-0"]')).to_have_text(name)
    assert first.evaluate("g => g.querySelector('.dvn-scroller').scrollLeft") > 0
    page.context.close()
