"""Issue 26.1: every page of the app, reloaded and opened from a shared link (also through the log-in, with its
`?next=`), through the deployment users run (deploy/start.py: nginx, the gate, two app processes) in chromium. A
reload of any page but «/» showed a grey skeleton forever: nginx answered `/nop-bao-cao/_stcore/health` with a
redirect to the page, so Streamlit took «/nop-bao-cao» for its base path."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from dashboard import auth
from tests import deployment
from tests.conftest import ROOT
from tests.deployment import PAGES, request

pytestmark = pytest.mark.browser


def test_every_page_of_the_app_is_listed():
    files = {p.name for p in (ROOT / "pages").glob("*.py")}
    assert files == {f for f, _, _ in PAGES.values()}


def test_nested_health_checks_are_not_answered_with_a_page(sample_site):
    # Streamlit's client finds its base path by asking `<path>/_stcore/health` for each prefix of the address: only
    # the app's own «/_stcore/health» may answer 200, never a redirect to a page.
    _, headers, _ = deployment.log_in(sample_site.addr, "tinh", "demo")
    jar = deployment.cookie_of(headers)
    for path in PAGES:
        if path != "/":
            status, got, _ = request(sample_site.addr, "GET", f"{path}/_stcore/health", headers=jar)
            assert status == 404 and "Location" not in got, (path, status, got.get("Location"))
    assert request(sample_site.addr, "GET", "/_stcore/health", headers=jar)[0] == 200


def _log_in(page, user: str) -> None:
    deployment.log_in_page(page, user, "demo")


@pytest.mark.parametrize("user", ["quantri", "xa"])
def test_every_page_survives_a_reload_through_the_deployment(sample_site, browser, user):
    paths = [p for p, (_, _, who) in PAGES.items() if who == user]
    deployment.reload_every_page(
        browser, sample_site.url, user, "demo", paths, os.environ.get("PARTYDASH_SCREENSHOTS", "")
    )


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_from_a_shared_link_through_the_log_in(sample_site, browser, path):
    deployment.open_shared_link(browser, sample_site.url, path, PAGES[path][2], "demo")


def _menu(page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=name).click()  # the menu: page links (urlstate)


def _at_the_gate_in_vietnamese(page, sample_site) -> None:
    expect(page).to_have_url(
        re.compile(re.escape(sample_site.url) + r"/_gate/login\?next=.*&ly_do=het-phien"), timeout=90_000
    )
    expect(page.get_by_role("status")).to_have_text(re.compile("^Phiên làm việc đã kết thúc"))
    text = page.inner_text("body")
    assert "TypeError" not in text and "Failed to fetch" not in text, text


def test_log_out_in_one_tab_ends_the_other_open_tab(sample_site, browser):
    # issue 26.5: the other tab kept rendering pages, with an English «TypeError: Failed to fetch dynamically
    # imported module» beside them
    ctx = browser.new_context(viewport=deployment.VIEWPORT)
    a = ctx.new_page()
    a.goto(sample_site.url + "/chi-bo")
    _log_in(a, "quantri")
    deployment.shown(a, "/chi-bo")
    b = ctx.new_page()  # a second tab of the same browser: the same session
    b.goto(sample_site.url + "/bang-tong-hop")
    deployment.shown(b, "/bang-tong-hop")
    a.get_by_role("button", name="Đăng xuất").click()
    expect(a).to_have_url(f"{sample_site.url}/_gate/login?ly_do=dang-xuat", timeout=90_000)
    _menu(b, "Hạ tầng")  # the open tab, used again
    _at_the_gate_in_vietnamese(b, sample_site)
    assert parse_qs(urlsplit(b.url).query)["next"][0].startswith("/")
    ctx.close()


def test_a_user_disabled_meanwhile_is_sent_to_the_log_in_page(sample_site, browser):
    auth.set_user("can-bo-tinh", "mat-khau-dai-du", "province", root=sample_site.data / "users")
    ctx = browser.new_context(viewport=deployment.VIEWPORT)
    page = ctx.new_page()
    page.goto(sample_site.url + "/muc-tieu")
    page.get_by_label("Tên đăng nhập").fill("can-bo-tinh")
    page.get_by_label("Mật khẩu").fill("mat-khau-dai-du")
    page.get_by_role("button", name="Đăng nhập").click()
    deployment.shown(page, "/muc-tieu")
    out = subprocess.run(
        [sys.executable, "-m", "dashboard.users", "disable", "can-bo-tinh"],
        cwd=ROOT,
        env={**os.environ, "PARTYDASH_DATA": str(sample_site.data)},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    _menu(page, "Xếp loại chi bộ")
    _at_the_gate_in_vietnamese(page, sample_site)
    if shots := os.environ.get("PARTYDASH_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/dang-nhap-sau-khi-phien-bi-thu-hoi.png", full_page=True)
    # and the account cannot come back
    page.get_by_label("Tên đăng nhập").fill("can-bo-tinh")
    page.get_by_label("Mật khẩu").fill("mat-khau-dai-du")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text(auth.WRONG)
    ctx.close()
