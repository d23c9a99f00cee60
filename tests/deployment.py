"""The deployment users run (deploy/start.py: nginx, the log-in gate, the app processes), started for a test on a
data folder of its own, and what its tests share: plain HTTP requests, a log-in at the gate, every page of the app
with the heading it shows."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"

# Every page of pages/ by its address, with the start of the heading it draws (the default page lives at «/»), and
# the demo account whose menu has it. tests/test_browser_pages.py checks that no page of pages/ is missing here.
PAGES = {
    "/": ("tong_quan.py", r"Tổng quan năm \d{4}", "quantri"),
    "/bang-tong-hop": ("bang_tong_hop.py", r"Bảng tổng hợp theo đơn vị, năm \d{4}", "quantri"),
    "/chi-bo": ("chi_bo.py", r"Xếp loại chi bộ", "quantri"),
    "/dang-vien": ("dang_vien.py", r"Xếp loại đảng viên", "quantri"),
    "/ha-tang": ("ha_tang.py", r"Hạ tầng phục vụ sinh hoạt chi bộ", "quantri"),
    "/bi-thu": ("bi_thu.py", r"Bí thư, phó bí thư và bồi dưỡng nghiệp vụ", "quantri"),
    "/sinh-hoat": ("sinh_hoat.py", r"Sinh hoạt chi bộ năm \d{4}", "quantri"),
    "/muc-tieu": ("muc_tieu.py", r"Tiến độ thực hiện mục tiêu", "quantri"),
    "/ho-so-xa": ("ho_so_xa.py", r"Hồ sơ ", "quantri"),
    "/bieu-thong-ke": ("bieu_thong_ke.py", r"Biểu thống kê 01–07", "quantri"),
    "/chat-luong": ("chat_luong.py", r"Chất lượng dữ liệu", "quantri"),
    "/tien-do": ("tien_do.py", r"Tiến độ nộp báo cáo", "quantri"),
    "/nap-du-lieu": ("nap_du_lieu.py", r"Nạp dữ liệu", "quantri"),
    "/quan-tri": ("quan_tri.py", r"Người dùng và nhật ký", "quantri"),
    "/nop-bao-cao": ("nop_bao_cao.py", r"Nộp báo cáo", "xa"),
}


def heading(path: str) -> re.Pattern:
    return re.compile("^" + PAGES[path][1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket (the gate's and the app processes' in the deployment)."""

    def __init__(self, path: Path, timeout: float = 60) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(str(self.path))


def request(addr, method, path, body=None, headers=None, tls=False):
    """One plain HTTP request (no redirect followed) to (host, port) or a Unix socket's path: status, headers, body
    as text. With `tls`, HTTPS, any certificate accepted (the tests' own, self-signed)."""
    if isinstance(addr, Path):
        c = UnixHTTPConnection(addr)
    elif tls:
        c = http.client.HTTPSConnection(*addr, timeout=60, context=ssl._create_unverified_context())
    else:
        c = http.client.HTTPConnection(*addr, timeout=60)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict(r.getheaders()), data.decode("utf-8", errors="replace")


def log_in(addr, username, password, next_="/ho-so-xa", **headers):
    """The gate's log-in form posted as a browser does."""
    body = urlencode({"username": username, "password": password, "next": next_})
    host = "localhost" if isinstance(addr, Path) else f"{addr[0]}:{addr[1]}"
    return request(
        addr,
        "POST",
        "/_gate/login",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Host": host, **headers},
    )


def cookie_of(headers: dict) -> dict[str, str]:
    """The session cookie a log-in answer set, as request headers."""
    return {"Cookie": headers["Set-Cookie"].split(";")[0]}


@dataclass
class Deployment:
    proc: subprocess.Popen | None
    addr: tuple[str, int]
    data: Path
    log: Path
    run: Path
    scheme: str = "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.addr[0]}:{self.addr[1]}"

    @property
    def sockets(self) -> Path:
        return self.run / "sock"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.run != self.data / "run":
            shutil.rmtree(self.run, ignore_errors=True)


def start(data: Path, *args: str, apps: int = 1, env: dict | None = None, timeout: float = 240) -> Deployment:
    """deploy/start.py on the data folder `data` (PARTYDASH_DATA), plain HTTP on a free port; returns once nginx
    answers and the gate's log-in page comes through it."""
    if not Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed (apt-get install -y nginx; .ci/run installs it)")
    port = free_port()
    log = data / "start.log"
    run = data / "run"
    if os.geteuid() == 0:  # nginx's workers run as www-data: their sockets' folder where they can reach it
        run = Path(tempfile.mkdtemp(prefix="partydash-run-"))
        run.chmod(0o711)
    argv = [sys.executable, str(ROOT / "deploy" / "start.py"), "--listen", f"127.0.0.1:{port}", "--apps", str(apps)]
    env = {**os.environ, "PARTYDASH_DATA": str(data), **(env or {})}
    return launch(
        argv + ["--run-dir", str(run), *args], env, Deployment(None, ("127.0.0.1", port), data, log, run), timeout
    )


def launch(argv: list[str], env: dict, dep: Deployment, timeout: float = 240, **popen) -> Deployment:
    """Run a deployment's command line (deploy/start.py, maybe as another user); return once it says «Đang chạy»
    and the gate's log-in page comes through nginx."""
    dep.proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdout=open(dep.log, "w"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
        **popen,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dep.proc.poll() is not None:
            raise AssertionError(f"deploy/start.py ended ({dep.proc.returncode}): {dep.log.read_text()}")
        if "Đang chạy" in dep.log.read_text(encoding="utf-8", errors="replace"):
            try:
                if request(dep.addr, "GET", "/_gate/login", tls=dep.scheme == "https")[0] == 200:
                    return dep
            except OSError:
                pass
        time.sleep(0.3)
    dep.stop()
    raise AssertionError(f"the deployment did not start: {dep.log.read_text()}")


# ------------------------------------------------------------------------------------------ in chromium

VIEWPORT = {"width": 1400, "height": 1000}


def log_in_page(page, user: str, password: str) -> None:
    """Fill and post the gate's log-in form on the page shown."""
    page.get_by_label("Tên đăng nhập").fill(user)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def shown(page, path: str) -> None:
    """The app connected, its run finished, and the page's own heading drawn (not a grey skeleton)."""
    from playwright.sync_api import expect

    from benchmarks.browser import READY

    page.wait_for_selector(READY, timeout=120_000)
    expect(page.get_by_role("heading", name=heading(path)).first).to_be_visible(timeout=120_000)


def reload_every_page(browser, url: str, user: str, password: str, paths, shots: str = "", **context) -> None:
    """Log in, then open each page by its address and reload it (F5): each shows its heading, at its address."""
    from urllib.parse import urlsplit

    ctx = browser.new_context(viewport=VIEWPORT, **context)
    page = ctx.new_page()
    page.goto(url + "/")
    log_in_page(page, user, password)
    shown(page, "/")
    for path in paths:
        page.goto(url + path)  # the address typed, or a bookmark
        shown(page, path)
        page.reload()
        shown(page, path)
        assert urlsplit(page.url).path == path
        if shots and path == "/chi-bo":
            page.screenshot(path=f"{shots}/trang-con-tai-lai-qua-nginx.png", full_page=True)
    ctx.close()


def open_shared_link(browser, url: str, path: str, user: str, password: str, **context) -> None:
    """Someone sends a link with its filters; the receiver is not logged in: the gate's log-in page (the link kept
    in `next`), then that page with those filters; reloaded, it stays."""
    from urllib.parse import parse_qs, quote, urlsplit

    from playwright.sync_api import expect

    ctx = browser.new_context(viewport=VIEWPORT, **context)
    page = ctx.new_page()
    page.goto(f"{url}{path}?nam=2024")
    expect(page).to_have_url(f"{url}/_gate/login?next=" + quote(f"{path}?nam=2024", safe=""))
    log_in_page(page, user, password)
    shown(page, path)
    got = urlsplit(page.url)
    assert got.path == path and parse_qs(got.query).get("nam") == ["2024"], page.url
    if r"\d{4}" in PAGES[path][1]:
        expect(page.get_by_role("heading", name=heading(path)).first).to_contain_text("2024")
    page.reload()
    shown(page, path)
    ctx.close()


# ------------------------------------------------------------------------------------------ shared fixtures


@pytest.fixture(scope="module")
def sample_site(sample_store, tmp_path_factory):
    """deploy/start.py on a copy of the sample store (the demo accounts work): nginx on a free port, the gate, two
    app processes; one per test module that asks."""
    import shutil as sh

    data = tmp_path_factory.mktemp("deployed")
    sh.copytree(sample_store, data / "parquet", symlinks=True)
    dep = start(data, apps=2)
    yield dep
    dep.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, one per test module that asks."""
    from playwright.sync_api import sync_playwright

    from benchmarks.browser import CHROMIUM, FLAGS

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()
