"""Real browser, national deployment (PARTYDASH_PROVINCE=00) on a small national store: the country map by
province, a click opens that province's communes (the province kept in the URL), a click on a commune opens its
profile. No timing is asserted (the benchmark measures it)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.test_browser import _free_port, _open, _wait

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def national_server(national_store, tmp_path_factory):
    data = tmp_path_factory.mktemp("national-browser")
    shutil.copytree(national_store, data / "parquet", symlinks=True)
    port = _free_port()
    env = {**os.environ, "PARTYDASH_DATA": str(data), "PARTYDASH_PROVINCE": "00"}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--server.headless", "true"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


def _click_map_until(page, target, offsets) -> None:
    """Click the map near its middle until `target` shows (the map draws after the page settles)."""
    canvas = page.locator('[data-testid="stPlotlyChart"]').filter(has=page.locator("canvas")).first
    canvas.scroll_into_view_if_needed()
    _wait(page)
    box = canvas.bounding_box()
    for dx, dy in offsets:
        page.mouse.click(box["x"] + box["width"] * (0.5 + dx), box["y"] + box["height"] * (0.5 + dy))
        try:
            _wait(page)  # the rerun a click starts (slow on a loaded machine)
            expect(target).to_be_visible(timeout=15_000)
            return
        except AssertionError:
            _wait(page)
            box = canvas.bounding_box()
    expect(target).to_be_visible(timeout=60_000)


OFFSETS = [(0, 0), (0.05, 0.05), (-0.08, 0.02), (0.1, -0.05), (-0.03, 0.1), (0.15, 0.1), (-0.15, -0.1)]


def test_country_province_commune_profile(national_server, browser):  # noqa: F811
    page = _open(browser, national_server, "tinh")
    expect(page.get_by_role("heading", name="Bản đồ theo tỉnh, thành phố")).to_be_visible()
    # the national store is calibrated to nothing: its notice does not claim Cao Bằng's published totals
    notice = page.get_by_text("Dữ liệu mẫu:").first.inner_text()
    assert "không khớp với số liệu đã công bố" in notice and "Cao Bằng" not in notice, notice
    # a province: its communes, the province in the URL and in the sidebar
    communes = page.get_by_role("heading", name="Bản đồ theo xã, phường")
    _click_map_until(page, communes, OFFSETS)
    _wait(page)
    assert "tinh=" in page.url
    chosen = page.url.split("tinh=")[1][:2]
    assert chosen in ("04", "20")
    name = {"04": "Cao Bằng", "20": "Lạng Sơn"}[chosen]
    expect(page.get_by_role("combobox", name="Tỉnh, thành phố")).to_have_value(name)
    # a commune: its profile
    profile = page.get_by_role("heading", name="Hồ sơ").first
    _click_map_until(page, profile, OFFSETS)
    _wait(page)
    title = page.get_by_role("heading", level=1).first.inner_text()
    assert title.startswith("Hồ sơ Xã") or title.startswith("Hồ sơ Phường"), title
    assert f"tinh={chosen}" in page.url  # the province travels with the profile
    page.close()


def test_the_country_is_compared_by_province_and_a_bar_opens_the_province(national_server, browser):  # noqa: F811
    # issue 13.5: at the country level the «by unit» bars are one per province (not every commune, which kept the
    # browser busy for 8–10 s at national scale), the reference line is the country; a bar opens the province.
    page = _open(browser, national_server, "tinh")
    page.get_by_role("link", name="Xếp loại chi bộ").click()
    expect(page.get_by_role("heading", name="Xếp loại chi bộ").first).to_be_visible(timeout=60_000)
    _wait(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="theo tỉnh, thành phố, năm 2025")
    expect(chart).to_have_count(1, timeout=60_000)
    bars = chart.locator(".bars .point")
    expect(bars).to_have_count(2)  # the two provinces of the store, no commune
    expect(chart.get_by_text("Toàn quốc").first).to_be_attached()
    expect(page.get_by_text("Bấm vào một tỉnh để xem các xã, phường của tỉnh.")).to_be_visible()
    bars.first.locator("path").click(force=True)
    _wait(page)
    expect(page).to_have_url(re.compile(r"tinh=(04|20)"), timeout=60_000)
    units = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="theo đơn vị, năm 2025")
    expect(units).to_have_count(1, timeout=60_000)
    expect(units.get_by_text("Toàn tỉnh").first).to_be_attached()
    assert units.locator(".bars .point").count() in (56, 65)  # the communes of the province opened
    # the data-quality page: completeness by province, not one row per commune
    page.get_by_role("link", name="Chất lượng dữ liệu").click()
    expect(page.get_by_role("heading", name="Chất lượng dữ liệu").first).to_be_visible(timeout=60_000)
    _wait(page)
    page.get_by_role("combobox", name="Tỉnh, thành phố").click()
    page.get_by_role("option", name="Toàn quốc").click()
    _wait(page)
    heat = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="theo tỉnh, thành phố")
    expect(heat).to_have_count(1, timeout=60_000)
    expect(heat.get_by_text("Lạng Sơn").first).to_be_attached()
    page.close()
