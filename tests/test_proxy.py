"""Issue 16.3: no unauthenticated path to the app — the log-in gate, its session cookie, and Debian's nginx in front
(deploy/), started the way users run it; and log-in that survives a reload (issue 12)."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from dashboard import auth, gate, session
from etl import settings

ROOT = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"


@pytest.fixture(scope="module", autouse=True)
def _own_data_folder():
    assert settings.DATA_DIR.name.startswith("partydash-test-"), settings.DATA_DIR


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _free_pair() -> int:
    """A port p with p + 1 free as well (start.py numbers its app processes from p)."""
    while True:
        p = _free_port()
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", p + 1))
            return p
        except OSError:
            continue


# ---------------------------------------------------------------------------------------------- the cookie


def test_a_session_cookie_is_signed_expiring_and_revocable(tmp_path):
    t0 = 1_800_000_000.0
    token = session.issue("nguoi-a", tmp_path, now=t0)
    assert session.check(token, tmp_path, now=t0 + 60).username == "nguoi-a"
    sid, exp, sig = token.split(".")
    assert int(exp) == t0 + session.MAX_HOURS * 3600 and len(sid) == 32
    # tampered: a later expiry, another session id, another signature
    assert session.check(f"{sid}.{int(exp) + 3600}.{sig}", tmp_path, now=t0) is None
    assert session.check(f"{'0' * 32}.{exp}.{sig}", tmp_path, now=t0) is None
    assert session.check(f"{sid}.{exp}.{'0' * 64}", tmp_path, now=t0) is None
    for junk in (None, "", "a.b", "../../etc/passwd.1.2", f"{sid}.x.{sig}"):
        assert session.check(junk, tmp_path, now=t0) is None
    # idle: still valid at exactly 30 minutes without activity, not one second later
    assert session.check(token, tmp_path, now=t0 + session.IDLE_MINUTES * 60) is not None
    session.touch(token, tmp_path, now=t0 + 20 * 60)  # activity at 20 min moves the idle limit to 50 min
    assert session.check(token, tmp_path, now=t0 + 50 * 60) is not None
    assert session.check(token, tmp_path, now=t0 + 50 * 60 + 1) is None  # and it is revoked from then on
    assert session.check(token, tmp_path, now=t0 + 60) is None
    # absolute expiry, however active
    late = session.issue("nguoi-a", tmp_path, now=t0)
    session.touch(late, tmp_path, now=t0 + session.MAX_HOURS * 3600 - 1)
    assert session.check(late, tmp_path, now=t0 + session.MAX_HOURS * 3600) is None
    # log-out
    other = session.issue("nguoi-b", tmp_path)
    session.revoke(other, tmp_path)
    assert session.check(other, tmp_path) is None
    assert (tmp_path / "session.key").stat().st_mode & 0o777 == 0o600


def test_disabling_a_user_or_resetting_the_password_ends_their_sessions(tmp_path):
    auth.set_user("bi-khoa", "mat-khau-dung", "province", root=tmp_path)
    a, b = session.issue("bi-khoa", tmp_path), session.issue("bi-khoa", tmp_path)
    keep = session.issue("nguoi-khac", tmp_path)
    auth.disable("bi-khoa", root=tmp_path)
    assert session.check(a, tmp_path) is None and session.check(b, tmp_path) is None
    assert session.check(keep, tmp_path) is not None
    auth.set_user("nguoi-khac", "mat-khau-moi", "province", root=tmp_path)
    assert session.check(keep, tmp_path) is None


# ------------------------------------------------------------------------------------------------ the gate


@pytest.fixture
def gate_url(tmp_path):
    class TestGate(gate.Gate):
        users_root = tmp_path
        is_sample = staticmethod(lambda: True)

    auth.set_user("that", "mat-khau-dung", "admin", root=tmp_path)
    port = _free_port()
    server = gate.ThreadingHTTPServer(("127.0.0.1", port), TestGate)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield ("127.0.0.1", port), tmp_path
    server.shutdown()


def request(addr, method, path, body=None, headers=None):
    c = http.client.HTTPConnection(*addr, timeout=60)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict(r.getheaders()), data.decode("utf-8", errors="replace")


def log_in(addr, username, password, **headers):
    body = urlencode({"username": username, "password": password, "next": "/ho-so-xa"})
    return request(
        addr,
        "POST",
        "/_gate/login",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Host": f"{addr[0]}:{addr[1]}", **headers},
    )


def test_the_gate_issues_a_cookie_only_for_a_right_password(gate_url):
    addr, root = gate_url
    assert request(addr, "GET", "/_gate/auth")[0] == 401
    status, _, page = log_in(addr, "that", "sai")
    assert status == 401 and auth.WRONG in page and "<b>tinh</b>" in page
    status, headers, _ = log_in(addr, "that", "mat-khau-dung")
    assert status == 303 and headers["Location"] == "/ho-so-xa"
    set_cookie = headers["Set-Cookie"]
    assert set_cookie.startswith(f"{session.COOKIE}=")
    for attr in ("HttpOnly", "SameSite=Strict", "Path=/", f"Max-Age={session.MAX_HOURS * 3600}"):
        assert attr in set_cookie
    assert "Secure" not in set_cookie  # plain HTTP (a test); behind TLS the proxy says so and it is set:
    assert "; Secure" in log_in(addr, "that", "mat-khau-dung", **{"X-Forwarded-Proto": "https"})[1]["Set-Cookie"]
    token = set_cookie.split(";")[0].split("=", 1)[1]
    status, headers, _ = request(addr, "GET", "/_gate/auth", headers={"Cookie": f"{session.COOKIE}={token}"})
    assert status == 204 and headers["X-Partydash-User"] == "that"
    status, headers, _ = request(addr, "GET", "/_gate/logout", headers={"Cookie": f"{session.COOKIE}={token}"})
    assert status == 303 and "Max-Age=0" in headers["Set-Cookie"]
    assert request(addr, "GET", "/_gate/auth", headers={"Cookie": f"{session.COOKIE}={token}"})[0] == 401


def test_the_gates_first_start_on_a_real_store_names_the_server_command(tmp_path):
    """Issue 26.2/26.7: a real store without an admin showed a form asking for an 8-hex-character setup code with no
    attempt limit, kept in a file the README did not name. The first admin is made on the server; the page says
    how, and nothing can be tried from a browser."""

    class RealGate(gate.Gate):
        users_root = tmp_path
        is_sample = staticmethod(lambda: False)

    port = _free_port()
    server = gate.ThreadingHTTPServer(("127.0.0.1", port), RealGate)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        addr = ("127.0.0.1", port)
        status, _, page = request(addr, "GET", "/_gate/login")
        assert status == 200 and "python -m dashboard.users add TÊN --role admin" in page
        assert "<form" not in page and "Mã thiết lập" not in page and not list(tmp_path.glob("setup*"))
        form = {"Content-Type": "application/x-www-form-urlencoded", "Host": f"{addr[0]}:{addr[1]}"}
        body = urlencode({"code": "00000000", "username": "ke-la", "password": "mat-khau-8", "again": "mat-khau-8"})
        assert request(addr, "POST", "/_gate/setup", body, form)[0] == 404
        assert auth.list_users(tmp_path) == []
        auth.set_user("qt", "mat-khau-dung", "admin", root=tmp_path)  # on the server: the log-in page now
        status, _, page = request(addr, "GET", "/_gate/login")
        assert status == 200 and 'name="password"' in page and "<b>tinh</b>" not in page  # no demo hint
    finally:
        server.shutdown()


def test_the_gate_refuses_other_sites_and_open_redirects(gate_url):
    addr, _ = gate_url
    assert log_in(addr, "that", "mat-khau-dung", Origin="https://evil.example")[0] == 403
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example", "/_gate/logout"):
        assert gate.safe_next(target) == "/"
    assert gate.safe_next("/chi-bo") == "/chi-bo"
    status, headers, _ = request(addr, "GET", "/_gate/login?next=%3Cscript%3E")
    assert status == 200 and "<script>" not in _ and headers["Content-Security-Policy"].startswith("default-src")


def test_the_gate_locks_out_per_client(gate_url):
    addr, _ = gate_url
    for _ in range(auth.MAX_FAILURES):
        log_in(addr, "that", "sai", **{"X-Real-IP": "203.0.113.50"})
    status, _, page = log_in(addr, "that", "mat-khau-dung", **{"X-Real-IP": "203.0.113.50"})
    assert status == 401 and "tạm khoá" in page
    assert log_in(addr, "that", "mat-khau-dung", **{"X-Real-IP": "198.51.100.50"})[0] == 303


# --------------------------------------------------------------------------- nginx in front, as deployed


def test_the_rendered_tls_configuration_is_valid(tmp_path):
    if not Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed (apt-get install -y nginx; .ci/run installs it)")
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: no certificate to test with")
    sys.path.insert(0, str(ROOT / "deploy"))
    import start

    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-keyout", str(tmp_path / "k.pem"), "-out", str(tmp_path / "c.pem")],
        check=True,
        capture_output=True,
    )
    start.prepare_run_dir(tmp_path)
    conf = start.render(tmp_path, "443", [8501, 8502], 8600, str(tmp_path / "c.pem"), str(tmp_path / "k.pem"))
    assert "listen 443 ssl http2;" in conf and "ssl_protocols TLSv1.2 TLSv1.3;" in conf
    assert "Strict-Transport-Security" in conf and "return 301 https://$host$request_uri;" in conf
    assert "server 127.0.0.1:8501;" in conf and "server 127.0.0.1:8502;" in conf
    assert "hash $cookie_partydash_session consistent;" in conf
    (tmp_path / "nginx.conf").write_text(conf)
    out = subprocess.run(
        [NGINX, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", str(tmp_path / "e.log")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr


@pytest.fixture(scope="module")
def deployed(sample_store, tmp_path_factory):
    """deploy/start.py on a copy of the sample store: nginx on a free port, one gate, two app processes."""
    if not Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed (apt-get install -y nginx; .ci/run installs it)")
    data = tmp_path_factory.mktemp("deployed")
    shutil.copytree(sample_store, data / "parquet", symlinks=True)
    port, gate_port, app_port = _free_port(), _free_port(), _free_pair()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "deploy" / "start.py"), "--listen", f"127.0.0.1:{port}"]
        + ["--gate-port", str(gate_port), "--app-port", str(app_port), "--apps", "2", "--run-dir", str(data / "run")],
        cwd=ROOT,
        env={**os.environ, "PARTYDASH_DATA": str(data)},
        stdout=open(data / "start.log", "w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    ready = False
    while time.monotonic() < deadline and not ready:
        try:
            ready = request(("127.0.0.1", port), "GET", "/_gate/login")[0] == 200 and all(
                request(("127.0.0.1", p), "GET", "/_stcore/health")[0] == 200 for p in (app_port, app_port + 1)
            )
        except OSError:
            ready = False
        if not ready:
            time.sleep(0.5)
    assert ready, "the deployment did not start"
    yield {"addr": ("127.0.0.1", port), "apps": (app_port, app_port + 1), "data": data}
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)


def test_nothing_reaches_the_app_without_a_session(deployed):
    addr = deployed["addr"]
    for method, path in [("GET", "/"), ("GET", "/chi-bo"), ("GET", "/_stcore/health"), ("GET", "/static/x.js")]:
        status, headers, _ = request(addr, method, path)
        assert status == 302 and urlsplit(headers["Location"]).path == "/_gate/login", (method, path, status)
    # the issue's attack: PUTs of 20 MB to the upload endpoint from the log-in page
    body = bytes(20 * 1024 * 1024)
    status, _, _ = request(addr, "PUT", "/_stcore/upload_file/s/f", body, {"Content-Type": "application/octet-stream"})
    assert status == 302
    status, _, _ = request(addr, "GET", "/_stcore/stream", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
    assert status == 302
    assert request(addr, "GET", "/_gate/auth")[0] == 404  # the proxy's own question, not a public page


def test_a_nested_address_goes_to_its_first_part_not_to_a_blank_page(deployed):
    # issue 12: /abc/def loaded Streamlit's shell with its assets one folder too deep (a blank page)
    addr = deployed["addr"]
    _, headers, _ = log_in(addr, "tinh", "demo")
    jar = {"Cookie": headers["Set-Cookie"].split(";")[0]}
    for path, where in [
        ("/chi-bo/abc", "/chi-bo"),
        ("/abc/def/ghi", "/abc"),  # no such page: the app's own «Không tìm thấy trang»
        ("/muc-tieu/x?nam=2024", "/muc-tieu?nam=2024"),
        ("/%5Cevil.example/x", "/"),  # «/\evil.example» would be another site to a browser
        ("/trang%20c%C3%B3/x", "/"),
    ]:
        for cookies in ({}, jar):  # the same with or without a session: a redirect shows nothing
            status, got, _ = request(addr, "GET", path, headers=cookies)
            assert (status, got.get("Location", "").removeprefix(f"http://{addr[0]}:{addr[1]}")) == (302, where), path
    # Streamlit's own folders still reach the app (behind the gate)
    assert request(addr, "GET", "/_stcore/health", headers=jar)[0] == 200
    status, headers, _ = request(addr, "GET", "/static/js/none.js", headers=jar)
    assert status != 302 and "Location" not in headers  # the app answers, the proxy does not redirect


def test_with_a_session_the_app_is_served_and_uploads_are_capped(deployed):
    addr = deployed["addr"]
    _, headers, _ = log_in(addr, "tinh", "demo")
    jar = {"Cookie": headers["Set-Cookie"].split(";")[0]}
    status, headers, page = request(addr, "GET", "/", headers=jar)
    assert status == 200 and "<!doctype html>" in page.lower()
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    status, _, _ = request(addr, "PUT", "/_stcore/upload_file/s/f", bytes(22 * 1024 * 1024), jar)
    assert status == 413  # refused by the proxy before the app holds a byte


def test_the_app_processes_listen_on_this_machine_only(deployed):
    for port in deployed["apps"]:
        out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True)
        if out.returncode != 0:
            pytest.skip("ss is not available")
        addrs = {line.split()[3].rsplit(":", 1)[0] for line in out.stdout.splitlines() if line.strip()}
        assert addrs == {"127.0.0.1"}, addrs


def test_the_app_processes_run_without_file_watching_or_a_gc_after_every_run(deployed):
    # issue 15: two per-run costs measured under load are switched off: Streamlit's full gc.collect() after every
    # script run (the app's config, read beside dashboard/app.py whatever the working folder) and the file watcher
    # (deploy/start.py's command line). A renamed or mistyped option would be ignored by Streamlit in silence.
    import tomllib

    from streamlit import config

    conf = tomllib.loads((ROOT / "dashboard" / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert conf["runner"]["postScriptGC"] is False
    assert "runner.postScriptGC" in config._config_options_template
    assert "server.fileWatcherType" in config._config_options_template
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("ss is not available")
    pids = {
        int(line.split("pid=")[1].split(",")[0])
        for line in out.stdout.splitlines()
        if "pid=" in line and line.split()[3].rsplit(":", 1)[1] in {str(p) for p in deployed["apps"]}
    }
    assert len(pids) == 2, out.stdout
    for pid in pids:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        i = argv.index("--server.fileWatcherType")
        assert argv[i + 1] == "none", argv
        assert str(ROOT / "dashboard" / "app.py") in argv


@pytest.mark.browser
def test_log_in_survives_a_reload_and_log_out_ends_it(deployed):
    from playwright.sync_api import expect, sync_playwright

    from benchmarks.browser import CHROMIUM, FLAGS, READY

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: apt-get install -y chromium")
    url = f"http://{deployed['addr'][0]}:{deployed['addr'][1]}"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + "/")
        expect(page).to_have_url(f"{url}/_gate/login?next=/")
        page.get_by_label("Tên đăng nhập").fill("xa")
        page.get_by_label("Mật khẩu").fill("demo")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("heading", name="Tổng quan năm 2025")).to_be_visible(timeout=90_000)
        page.reload()  # F5: still logged in (issue 12)
        page.wait_for_selector(READY, timeout=90_000)
        expect(page.get_by_role("heading", name="Tổng quan năm 2025")).to_be_visible(timeout=90_000)
        assert not page.get_by_label("Mật khẩu").count()
        page.get_by_role("button", name="Đăng xuất").click()
        expect(page.get_by_role("link", name="Đăng nhập lại")).to_be_visible(timeout=60_000)
        page.reload()
        expect(page).to_have_url(f"{url}/_gate/login?next=/")
        b.close()
