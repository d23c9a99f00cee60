"""The first real deployment in a real browser (issue 26.2): an empty real store (`python -m etl init`) → the
first-start screen naming the server's command → the first admin made on the server → the admin's first page says
there are no figures yet and that the data is real → real returns loaded in the browser → a commune user added (the
table shows it at once) → that user logs in and sees its commune. No sample, no demo account, at any step."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from benchmarks.browser import FLAGS, READY
from tests.conftest import ROOT
from tests.fixtures import BRANCHES, COMMITTEE, HEADS, A, B, return_bytes
from tests.test_browser import _free_port

pytestmark = pytest.mark.browser


def cli(data, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PARTYDASH_DATA": str(data)},
        timeout=300,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("deploy-data")
    created = cli(data, "etl", "init")
    assert created.returncode == 0, created.stderr
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


def sign_in(page, username: str, password: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_a_real_deployment_from_its_first_start(server, province, tmp_path):
    from playwright.sync_api import sync_playwright

    url, data = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(90_000)  # a loaded machine: each rerun may take a while (no speed is tested here)
        page.goto(url)
        page.wait_for_selector(READY, timeout=120_000)
        # the first start: no admin yet, made on the server; nothing to type here, no sample built
        expect(page.get_by_role("heading", name="Thiết lập lần đầu: tài khoản quản trị")).to_be_visible(timeout=90_000)
        expect(page.get_by_text("python -m dashboard.users add TÊN --role admin")).to_be_visible()
        assert page.get_by_label("Mật khẩu").count() == 0 and not (data / "samples").exists()
        made = cli(
            data,
            "dashboard.users",
            "add",
            "quan-tri-tinh",
            "--role",
            "admin",
            "--password-stdin",
            stdin="mat-khau-manh\n",
        )
        assert made.returncode == 0, made.stderr

        # log in: the real store before its first return
        page.reload()
        page.wait_for_selector(READY, timeout=120_000)
        expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible(timeout=90_000)
        assert "tài khoản dùng thử" not in page.locator("body").inner_text()
        sign_in(page, "quan-tri-tinh", "mat-khau-manh")
        expect(page.get_by_role("heading", name="Chưa có số liệu")).to_be_visible(timeout=90_000)
        expect(
            page.get_by_text("Dữ liệu thật · báo cáo đã nạp: chưa có · 2021–2025: số liệu toàn tỉnh đã công bố (Biểu).")
        ).to_be_visible()
        assert "Dữ liệu mẫu" not in page.locator("body").inner_text()

        # the admin loads two real returns in the browser
        files = []
        for unit in (A, B):
            k = (2025, unit)
            path = tmp_path / f"bao-cao-{unit}-2025.xlsx"
            path.write_bytes(return_bytes(province, unit, 2025, BRANCHES[k], COMMITTEE[k], HEADS[k]))
            files.append(str(path))
        page.get_by_role("link", name="Nạp dữ liệu").click()
        expect(page.get_by_role("heading", name="Nạp dữ liệu")).to_be_visible(timeout=90_000)
        page.wait_for_selector(READY, timeout=90_000)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(files)
        expect(page.get_by_text("2 tệp hợp lệ.")).to_be_visible(timeout=90_000)
        page.get_by_role("button", name="Ghi vào dữ liệu").click()
        expect(page.get_by_text("Đã nạp 2 báo cáo")).to_be_visible(timeout=90_000)

        # the admin adds a commune user: the unit box only for that role, the new row in the table at once
        page.get_by_role("link", name="Người dùng và nhật ký").click()
        expect(page.get_by_role("heading", name="Người dùng và nhật ký")).to_be_visible(timeout=90_000)
        page.wait_for_selector(READY, timeout=90_000)
        expect(page.get_by_text("Kho dữ liệu thật: chỉ có báo cáo thật của các đơn vị").first).to_be_visible()
        unit_box = "Đơn vị (xã, phường hoặc đảng uỷ trực thuộc)"
        assert page.get_by_label(unit_box, exact=True).count() == 0  # province role: no unit box
        page.get_by_label("Tên đăng nhập").fill("can-bo-thuc-phan")
        page.get_by_label("Tên đăng nhập").press("Enter")  # its rerun now, not on the blur (it closed the list)
        page.wait_for_selector(READY, timeout=90_000)
        commune_role = page.get_by_role("option", name="Đảng uỷ xã, phường hoặc trực thuộc tỉnh (một đơn vị)")
        for attempt in range(3):  # a rerun that lands after the click closes the list: open it again
            page.get_by_label("Vai trò", exact=True).first.click()
            try:
                commune_role.click(timeout=30_000)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
        page.wait_for_selector(READY, timeout=90_000)
        page.get_by_label(unit_box, exact=True).click()
        page.keyboard.type("Thục Phán")  # the list is long: type to narrow it
        expect(page.get_by_role("option", name="Phường Thục Phán")).to_have_count(1)
        page.keyboard.press("Enter")
        page.wait_for_selector(READY, timeout=90_000)
        page.get_by_label("Mật khẩu (ít nhất 8 ký tự)").fill("mat-khau-xa-1")
        page.get_by_label("Nhập lại mật khẩu").first.fill("mat-khau-xa-1")
        page.get_by_role("button", name="Thêm", exact=True).click()
        expect(page.get_by_text("Đã thêm can-bo-thuc-phan.")).to_be_visible(timeout=60_000)
        name_cell = page.locator('[data-testid^="glide-cell"]').filter(has_text=re.compile("^can-bo-thuc-phan$"))
        expect(name_cell).to_have_count(1)  # in the users' table (the audit log names it inside a longer text)

        # the new user logs in and sees its own commune only
        other = browser.new_page(viewport={"width": 1400, "height": 1000})
        other.set_default_timeout(90_000)
        other.goto(url)
        other.wait_for_selector(READY, timeout=120_000)
        sign_in(other, "can-bo-thuc-phan", "mat-khau-xa-1")
        expect(other.get_by_text("Các chỉ tiêu chính của Phường Thục Phán, so với toàn tỉnh").first).to_be_visible(
            timeout=90_000
        )
        for p_ in (page, other):
            errors = [e.inner_text() for e in p_.locator('[data-testid="stException"]').all()]
            assert not errors, errors
        browser.close()
