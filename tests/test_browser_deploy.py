"""The first real deployment in a real browser: real data and no user → the first-start screen → the first admin
(with the server's setup code) → a commune user added in the browser → that user logs in and sees its commune."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from benchmarks.browser import FLAGS, READY
from tests.conftest import ROOT
from tests.test_browser import _free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tiny_store, tmp_path_factory):
    data = tmp_path_factory.mktemp("deploy-data")
    shutil.copytree(tiny_store, data / "parquet", symlinks=True)  # real returns (not the sample): no demo account
    port = _free_port()
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
        env={**os.environ, "PARTYDASH_DATA": str(data)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}", data
    proc.terminate()
    proc.wait(timeout=20)


def test_first_admin_then_a_commune_user_added_in_the_browser(server):
    from playwright.sync_api import sync_playwright

    url, data = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_selector(READY, timeout=120_000)
        expect(page.get_by_role("heading", name="Thiết lập lần đầu: tài khoản quản trị")).to_be_visible(timeout=90_000)
        code = (data / "users" / "setup-code").read_text(encoding="utf-8").strip()
        # a wrong code is refused in words
        page.get_by_label("Mã thiết lập").fill("sai")
        page.get_by_label("Tên đăng nhập của quản trị viên").fill("quan-tri-tinh")
        page.get_by_label("Mật khẩu (ít nhất 8 ký tự)").fill("mat-khau-manh")
        page.get_by_label("Nhập lại mật khẩu").fill("mat-khau-manh")
        page.get_by_role("button", name="Tạo tài khoản quản trị").click()
        expect(page.get_by_text("Mã thiết lập không đúng.")).to_be_visible(timeout=60_000)
        page.get_by_label("Mã thiết lập").fill(code)
        page.get_by_role("button", name="Tạo tài khoản quản trị").click()
        expect(page.get_by_role("heading", name=re_title("Tổng quan năm"))).to_be_visible(timeout=90_000)
        assert not (data / "users" / "setup-code").exists()

        # the admin adds a commune user in the browser
        page.get_by_role("link", name="Người dùng và nhật ký").click()
        expect(page.get_by_role("heading", name="Người dùng và nhật ký")).to_be_visible(timeout=90_000)
        page.wait_for_selector(READY, timeout=90_000)
        form = page.locator('[data-testid="stForm"]').first
        form.get_by_label("Tên đăng nhập").fill("can-bo-thuc-phan")
        form.get_by_label("Vai trò", exact=True).click()
        page.get_by_role("option", name="Đảng uỷ xã, phường hoặc trực thuộc tỉnh (một đơn vị)").click()
        form.get_by_label(re_title("Đơn vị")).fill("Thục Phán")  # the list is long: type to narrow it
        page.get_by_role("option", name="Phường Thục Phán").click()
        form.get_by_label("Mật khẩu (ít nhất 8 ký tự)").fill("mat-khau-xa-1")
        form.get_by_label("Nhập lại mật khẩu").fill("mat-khau-xa-1")
        form.get_by_role("button", name="Thêm").click()
        expect(page.get_by_text("Đã thêm can-bo-thuc-phan.")).to_be_visible(timeout=60_000)

        # the new user logs in and sees its own commune only
        other = browser.new_page(viewport={"width": 1400, "height": 1000})
        other.goto(url)
        other.wait_for_selector(READY, timeout=120_000)
        other.get_by_label("Tên đăng nhập").fill("can-bo-thuc-phan")
        other.get_by_label("Mật khẩu").fill("mat-khau-xa-1")
        other.get_by_role("button", name="Đăng nhập").click()
        expect(other.get_by_text("Các chỉ tiêu chính của Phường Thục Phán, so với toàn tỉnh").first).to_be_visible(
            timeout=90_000
        )
        browser.close()


def re_title(prefix: str):
    import re

    return re.compile("^" + re.escape(prefix))
