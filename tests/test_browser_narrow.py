"""Readable on a phone and an iPad (issue 28.7), in chromium at 390 × 844 (a phone's browser) and 1024 × 768 (an
iPad's, the sidebar open): the overview, a topic page, the scorecard and the profile show no cut figure, nothing
wider than the screen, the map holds the whole province at load, and a wide table keeps its first column in view
while it scrolls sideways."""

from __future__ import annotations

import io
import time

import pytest
from playwright.sync_api import Page, expect

from benchmarks.browser import READY
from tests.test_browser import _sign_in, server  # noqa: F401  (fixtures)

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
PAGES = {"": "Tổng quan năm 2025", "chi-bo": "Xếp loại chi bộ", "bang-tong-hop": "Bảng tổng hợp", "ho-so-xa": "Hồ sơ"}

# Elements whose text is cut (ellipsis, hidden overflow) or that reach past the screen's right edge.
CUT = """() => {
  const main = document.querySelector('[data-testid="stMain"]').getBoundingClientRect();
  const cut = [...document.querySelectorAll('[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"] *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => 'cut: ' + e.textContent.trim());
  const wide = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stElementContainer"]')]
    .filter(e => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > Math.min(main.right, window.innerWidth) + 1)
    .map(e => 'past the edge: ' + (e.textContent || e.dataset.testid).trim().slice(0, 60));
  // a chart's title, its notes (the rating rule changes) and its bar values: none over another, none past its edges
  const clash = [];
  for (const g of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
    const svg = g.querySelector('svg.main-svg').getBoundingClientRect();
    const texts = [...g.querySelectorAll('.gtitle, .annotation-text, .bartext')].map(e => [e.textContent, e.getBoundingClientRect()])
      .filter(([, r]) => r.width > 0);
    for (const [t, r] of texts)
      if (r.left < svg.left - 1 || r.right > svg.right + 1) clash.push('past the chart: ' + t);
    const heads = texts.filter(([t]) => !/^[0-9,]+%$/.test(t));  // the title and the notes
    for (let i = 0; i < heads.length; i++) for (let j = i + 1; j < heads.length; j++) {
      const [a, r] = heads[i], [b, q] = heads[j];
      if (r.left < q.right - 1 && q.left < r.right - 1 && r.top < q.bottom - 1 && q.top < r.bottom - 1) clash.push(a + ' over ' + b);
    }
  }
  return cut.concat(wide, clash);
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
    # every chart drawn (a chart not drawn yet would have nothing to check); a chart below the fold is drawn when
    # it comes into view
    for chart in page.locator('[data-testid="stPlotlyChart"]').all():
        chart.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]"
        ".every(c => c.querySelector('.js-plotly-plot svg.main-svg .gtitle, .js-plotly-plot svg.main-svg .xtick, "
        ".js-plotly-plot svg.main-svg .legend'))",
        timeout=90_000,
    )
    time.sleep(1)  # the last layout pass after the run (fonts); the assertion itself does not wait
    assert page.evaluate(CUT) == []
    if path == "":
        expect(page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first).to_be_attached()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.js-plotly-plot')].some(g => g._fullLayout?.map?._subplot?.map?.loaded())",
            timeout=90_000,
        )
        fit = page.evaluate(MAP_FITS)
        assert fit["fits"], fit
    page.context.close()


@pytest.mark.parametrize("width", SCREENS)
@pytest.mark.parametrize("path", ["bang-tong-hop", "ho-so-xa"])
def test_a_wide_table_keeps_its_first_column_while_it_scrolls(server, browser, path, width):  # noqa: F811
    page = _open(browser, server, SCREENS[width], path, PAGES[path])
    first = page.locator('[data-testid="stDataFrameResizable"]').first
    first.scroll_into_view_if_needed()
    expect(first.locator('[data-testid="glide-cell-1-0"]')).to_be_attached()
    page.wait_for_timeout(1000)  # the grid's canvas is drawn after its cells exist: a redraw is no event to wait for
    before = _left_strip(first)
    first.evaluate(
        "g => { const s = g.querySelector('.dvn-scroller'); s.scrollLeft = s.scrollWidth; "
        "s.dispatchEvent(new Event('scroll')); }"
    )
    assert first.evaluate("g => g.querySelector('.dvn-scroller').scrollLeft") > 0  # it is wider than the screen
    page.wait_for_timeout(500)
    # scrolled to its last column, the grid's left edge still shows the same first column: whose figures they are
    assert _left_strip(first) == before
    page.context.close()


def _left_strip(grid) -> bytes:
    """The pixels of the grid's first 90 px (its first column's cells, under the header), as drawn now."""
    from PIL import Image

    shot = Image.open(io.BytesIO(grid.screenshot()))
    return shot.crop((0, 40, min(90, shot.width), min(300, shot.height))).tobytes()
