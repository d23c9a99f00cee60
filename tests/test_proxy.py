"""Issue 16.3: no unauthenticated path to the app — the log-in gate, its session cookie, and Debian's nginx in front
(deploy/), started the way users run it; and log-in that survives a reload (issue 12)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from dashboard import auth, gate, session
from etl import settings
from tests import deployment
from tests.deployment import NGINX, ROOT, cookie_of, log_in, request


@pytest.fixture(scope="module", autouse=True)
def _own_data_folder():
    assert settings.DATA_DIR.name.startswith("partydash-test-"), settings.DATA_DIR


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
    """The gate as deployed: on a Unix socket (only nginx reaches it, so it believes nginx's X-Real-IP)."""

    class TestGate(gate.Gate):
        users_root = tmp_path
        is_sample = staticmethod(lambda: True)

    auth.set_user("that", "mat-khau-dung", "admin", root=tmp_path)
    server = gate.serve_unix(tmp_path / "gate.sock", TestGate)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path / "gate.sock", tmp_path
    server.shutdown()
    server.server_close()


@pytest.mark.slow  # starts the gate as a process
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

    server = gate.serve_unix(tmp_path / "gate.sock", RealGate)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        addr = tmp_path / "gate.sock"
        status, _, page = request(addr, "GET", "/_gate/login")
        assert status == 200 and "python -m dashboard.users add TÊN --role admin" in page
        assert "<form" not in page and "Mã thiết lập" not in page and not list(tmp_path.glob("setup*"))
        form = {"Content-Type": "application/x-www-form-urlencoded", "Host": "127.0.0.1"}
        body = urlencode({"code": "00000000", "username": "ke-la", "password": "mat-khau-8", "again": "mat-khau-8"})
        assert request(addr, "POST", "/_gate/setup", body, form)[0] == 404
        assert auth.list_users(tmp_path) == []
        auth.set_user("qt", "mat-khau-dung", "admin", root=tmp_path)  # on the server: the log-in page now
        status, _, page = request(addr, "GET", "/_gate/login")
        assert status == 200 and 'name="password"' in page and "<b>tinh</b>" not in page  # no demo hint
    finally:
        server.shutdown()
        server.server_close()


def test_the_gate_refuses_other_sites_and_open_redirects(gate_url):
    addr, _ = gate_url
    assert log_in(addr, "that", "mat-khau-dung", Origin="https://evil.example")[0] == 403
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example", "/_gate/logout"):
        assert gate.safe_next(target) == "/"
    assert gate.safe_next("/chi-bo") == "/chi-bo"
    status, headers, _ = request(addr, "GET", "/_gate/login?next=%3Cscript%3E")
    assert status == 200 and "<script>" not in _ and headers["Content-Security-Policy"].startswith("default-src")


def test_a_next_address_never_leaves_the_site_nor_breaks_a_header():
    # issue 29.7: a browser drops a tab from a URL, so «/\t/evil.example/» is «//evil.example/»: another site
    for target in ("/\t/evil.example/", "/\n/evil.example", "/\r//evil.example", "/ /evil.example", "/\x00x", "/\x7f"):
        assert gate.safe_next(target) == "/", repr(target)
    # issue 29.3: a CR/LF would end the Location header and start another (Set-Cookie)
    assert gate.safe_next("/a\r\nSet-Cookie: partydash_session=X") == "/"
    # what stays percent-encoded is a path of this site; a Vietnamese filter value is encoded for the header
    assert gate.safe_next("/%09/evil.example/") == "/%09/evil.example/"
    assert gate.safe_next("/chi-bo?nam=2024&xa=01273") == "/chi-bo?nam=2024&xa=01273"
    assert gate.safe_next("/ho-so-xa?ten=Thục Phán".replace(" ", "%20")) == "/ho-so-xa?ten=Th%E1%BB%A5c%20Ph%C3%A1n"
    assert gate.safe_next("/_stcore/stream") == "/"  # Streamlit's own addresses are no page to come back to
    assert gate.safe_next("/" + "a" * gate.MAX_NEXT_CHARS) == "/"


def test_a_logged_in_user_is_not_sent_off_site_by_a_next_with_a_tab(gate_url):
    addr, _ = gate_url
    jar = cookie_of(log_in(addr, "that", "mat-khau-dung")[1])
    for query in ("next=/%09/evil.example/", "next=%2F%09%2Fevil.example%2F", "next=/%0d%0aSet-Cookie:%20a=b"):
        status, headers, _ = request(addr, "GET", f"/_gate/login?{query}", headers=jar)
        assert status == 303 and headers["Location"] == "/" and "Set-Cookie" not in headers, query


def test_a_negative_or_false_content_length_does_not_hold_the_gate(gate_url):
    # issue 29.6: «Content-Length: -1» read until the client hung up, holding one of the gate's threads
    addr, _ = gate_url
    form = {"Content-Type": "application/x-www-form-urlencoded", "Host": "localhost"}
    for length in ("-1", "abc", "-0x10"):
        c = deployment.UnixHTTPConnection(addr, timeout=60)
        c.putrequest("POST", "/_gate/login")
        for k, v in {**form, "Content-Length": length}.items():
            c.putheader(k, v)
        c.endheaders()  # and no body: the connection stays open, as the attacker's did
        assert c.getresponse().status == 400, length
        c.close()
    assert log_in(addr, "that", "mat-khau-dung")[0] == 303  # and the gate still answers


@pytest.mark.slow  # starts the gate as a process
def test_the_gate_locks_out_per_client(gate_url):
    addr, _ = gate_url
    for _ in range(auth.MAX_FAILURES):
        log_in(addr, "that", "sai", **{"X-Real-IP": "203.0.113.50"})
    status, _, page = log_in(addr, "that", "mat-khau-dung", **{"X-Real-IP": "203.0.113.50"})
    assert status == 401 and "tạm khoá" in page
    assert log_in(addr, "that", "mat-khau-dung", **{"X-Real-IP": "198.51.100.50"})[0] == 303


@pytest.mark.slow  # starts the gate as a process
def test_on_a_tcp_port_the_gate_ignores_a_forwarded_address(tmp_path):
    # issue 29.6: on a port any local account reaches, a made-up X-Real-IP per attempt dodged the lock-out
    class TestGate(gate.Gate):
        users_root = tmp_path
        is_sample = staticmethod(lambda: True)

    auth.set_user("that", "mat-khau-dung", "admin", root=tmp_path)
    server = gate.serve(deployment.free_port(), handler=TestGate)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        addr = server.server_address
        for i in range(auth.MAX_FAILURES):
            log_in(addr, "that", "sai", **{"X-Real-IP": f"203.0.113.{i}"})
        status, _, page = log_in(addr, "that", "mat-khau-dung", **{"X-Real-IP": "198.51.100.7"})
        assert status == 401 and "tạm khoá" in page
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- nginx in front, as deployed


def _certificate(tmp_path: Path) -> tuple[str, str]:
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: no certificate to test with")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-keyout", str(tmp_path / "k.pem"), "-out", str(tmp_path / "c.pem")],
        check=True,
        capture_output=True,
    )
    return str(tmp_path / "c.pem"), str(tmp_path / "k.pem")


def _start_module():
    sys.path.insert(0, str(ROOT / "deploy"))
    import start

    return start


def test_nginx_takes_its_body_limit_from_the_one_upload_limit(tmp_path, monkeypatch):
    """nginx's client_max_body_size is the app's per-file limit (etl/settings.py) plus 1 MB for the multipart
    envelope, never a number of its own: lowering the limit lowers nginx's."""
    start = _start_module()
    assert "client_max_body_size 21m;" in start.render(tmp_path, "127.0.0.1:8080", 1)
    monkeypatch.setattr(settings, "MAX_FILE_BYTES", 5 * 1024 * 1024)
    assert "client_max_body_size 6m;" in start.render(tmp_path, "127.0.0.1:8080", 1)


def test_the_rendered_tls_configuration_is_valid(tmp_path):
    if not Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed (apt-get install -y nginx; .ci/run installs it)")
    start = _start_module()
    cert, key = _certificate(tmp_path)
    start.prepare_run_dir(tmp_path)
    conf = start.render(tmp_path, "443", 2, cert, key)
    assert "listen 443 ssl http2;" in conf and "ssl_protocols TLSv1.2 TLSv1.3;" in conf
    assert "Strict-Transport-Security" in conf
    assert f"server unix:{tmp_path}/sock/app-0.sock;" in conf and f"server unix:{tmp_path}/sock/app-1.sock;" in conf
    assert "hash $cookie_partydash_session consistent;" in conf
    # issue 26.3: port 80 only when asked, and where told
    assert "listen 80" not in conf and "return 301" not in conf
    conf = start.render(tmp_path, "10.0.0.5:8443", 1, cert, key, redirect_http="10.0.0.5:8080")
    assert "listen 10.0.0.5:8080;" in conf and "return 301 https://$host:8443$request_uri;" in conf
    conf = start.render(tmp_path, "443", 1, cert, key, redirect_http="80")
    assert "listen 80;" in conf and "return 301 https://$host$request_uri;" in conf
    # a TLS terminator in front: the browsers' addresses from its X-Forwarded-For, for the lock-out
    plain = start.render(tmp_path, "127.0.0.1:8080", 1, real_ip_from=("10.0.0.0/8", "192.0.2.7"))
    assert "set_real_ip_from 10.0.0.0/8;" in plain and "set_real_ip_from 192.0.2.7;" in plain
    assert "real_ip_header X-Forwarded-For;" in plain and "real_ip_header" not in conf
    for text in (plain, conf):  # nginx itself accepts both
        (tmp_path / "nginx.conf").write_text(text)
        out = subprocess.run(
            [NGINX, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", str(tmp_path / "e.log")],
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr


def _start_fails(tmp_path: Path, *args: str) -> str:
    """deploy/start.py that must not start: its exit status (non-zero) and what it said (Vietnamese)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "start.py"), *args, "--run-dir", str(tmp_path / "run")],
        cwd=ROOT,
        env={**os.environ, "PARTYDASH_DATA": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode != 0, out.stdout + out.stderr
    assert "Đang chạy" not in out.stdout, out.stdout
    return out.stderr


@pytest.mark.slow  # starts the gate as a process
def test_a_port_taken_is_a_vietnamese_error_and_a_non_zero_exit(tmp_path):
    # issue 26.3: with nginx's default site on port 80, start.py said «Đang chạy», died after ~6 s with nginx's
    # English error and exited 0
    if not Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed")
    cert, key = _certificate(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = _start_fails(tmp_path, "--listen", f"127.0.0.1:{port}")
        assert "cổng đang được chương trình khác dùng" in err and "Traceback" not in err, err
        free = deployment.free_port()
        err = _start_fails(
            tmp_path,
            "--listen",
            f"127.0.0.1:{free}",
            "--cert",
            cert,
            "--key",
            key,
            "--redirect-http",
            f"127.0.0.1:{port}",
        )
        assert "cổng chuyển hướng HTTP" in err and f"cổng {port}" in err, err
    err = _start_fails(tmp_path, "--listen", f"127.0.0.1:{deployment.free_port()}", "--cert", cert, "--key", "/nope")
    assert "Không đọc được khoá TLS «/nope»" in err, err
    (tmp_path / "bad.pem").write_text("not a certificate")
    err = _start_fails(
        tmp_path, "--listen", f"127.0.0.1:{deployment.free_port()}", "--cert", str(tmp_path / "bad.pem"), "--key", key
    )
    assert "chứng chỉ hoặc khoá TLS" in err, err


@pytest.mark.slow  # starts the gate as a process
def test_a_low_port_without_the_right_to_bind_it_is_a_vietnamese_error(tmp_path):
    # the README's own advice, run as an unprivileged user: port 443 refused, said plainly (exit 1)
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root to run start.py as another user (setpriv)")
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="partydash-nobody-"))  # pytest's own folders are root's alone
    try:
        home.chmod(0o777)
        as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all"]
        out = subprocess.run(
            as_nobody + [sys.executable, str(ROOT / "deploy" / "start.py"), "--listen", "443"],
            cwd=ROOT,
            env={**os.environ, "PARTYDASH_DATA": str(home / "data")},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert out.returncode == 1 and "không được mở cổng dưới 1024" in out.stderr, out.stdout + out.stderr
        # a data folder this user may not enter: said plainly too, no traceback
        out = subprocess.run(
            as_nobody + [sys.executable, str(ROOT / "deploy" / "start.py"), "--listen", "127.0.0.1:0"],
            cwd=ROOT,
            env={**os.environ, "PARTYDASH_DATA": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert out.returncode == 1 and "Traceback" not in out.stderr and "quyền" in out.stderr, out.stderr
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def deployed(sample_site):
    return sample_site


def test_nothing_reaches_the_app_without_a_session(deployed):
    addr = deployed.addr
    for method, path in [("GET", "/"), ("GET", "/chi-bo"), ("GET", "/_stcore/health"), ("GET", "/static/x.js")]:
        status, headers, _ = request(addr, method, path)
        assert status == 302 and urlsplit(headers["Location"]).path == "/_gate/login", (method, path, status)
    # the issue's attack: PUTs of 20 MB to the upload endpoint from the log-in page
    body = bytes(20 * 1024 * 1024)
    status, _, _ = request(addr, "PUT", "/_stcore/upload_file/s/f", body, {"Content-Type": "application/octet-stream"})
    assert status == 302
    status, _, _ = request(addr, "GET", "/_stcore/stream", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
    assert status == 302
    assert request(addr, "GET", "/_gate/auth")[0] == 404  # the proxy's own questions, not public pages
    assert request(addr, "GET", "/_gate/redirect", headers={"X-Original-URI": "/x"})[0] == 404


def test_a_link_keeps_its_filters_through_the_log_in(deployed):
    # issue 26.1: the proxy sent «/chi-bo?nam=2024» to «/_gate/login?next=/chi-bo»: the filters were lost
    addr = deployed.addr
    status, headers, _ = request(addr, "GET", "/chi-bo?nam=2024&loai=xom")
    assert status == 302
    login = urlsplit(headers["Location"])
    assert login.path == "/_gate/login" and parse_qs(login.query) == {"next": ["/chi-bo?nam=2024&loai=xom"]}
    body = urlencode({"username": "tinh", "password": "demo", "next": "/chi-bo?nam=2024&loai=xom"})
    form = {"Content-Type": "application/x-www-form-urlencoded", "Host": f"{addr[0]}:{addr[1]}"}
    status, headers, _ = request(addr, "POST", "/_gate/login", body, form)
    assert status == 303 and headers["Location"] == "/chi-bo?nam=2024&loai=xom"


def test_no_header_can_be_injected_through_the_proxy(deployed):
    # issue 29.3: «GET /a%0d%0aSet-Cookie:%20partydash_session=X» came back with that Set-Cookie (nginx's redirect to
    # the log-in page used the decoded $uri), and the gate's `next` let CR/LF through the same way
    addr = deployed.addr
    for path in (
        "/a%0d%0aSet-Cookie:%20partydash_session=X",
        "/chi-bo%0D%0ASet-Cookie:%20partydash_session=X?nam=2024",
        "/a%0aLocation:%20https://evil.example/",
        "/_gate/login?next=/a%0d%0aSet-Cookie:%20partydash_session=X",
    ):
        status, headers, _ = request(addr, "GET", path)
        assert "Set-Cookie" not in headers, (path, headers)
        assert status in (200, 302), (path, status)
        assert "\r" not in headers.get("Location", "") and "\n" not in headers.get("Location", "")
        assert urlsplit(headers.get("Location", "/")).netloc in ("", f"{addr[0]}:{addr[1]}"), headers["Location"]
    jar = cookie_of(log_in(addr, "tinh", "demo")[1])
    status, headers, _ = request(
        addr, "GET", "/_gate/login?next=/x%0d%0aSet-Cookie:%20partydash_session=X", headers=jar
    )
    assert status == 303 and headers["Location"] == "/" and "Set-Cookie" not in headers


def test_a_logged_in_user_stays_on_the_site_through_the_proxy(deployed):
    # issue 29.7: «next=/%09/evil.example/» sent a logged-in user to evil.example
    addr = deployed.addr
    jar = cookie_of(log_in(addr, "tinh", "demo")[1])
    for next_ in ("/%09/evil.example/", "%2F%09%2Fevil.example%2F", "/%5Cevil.example", "//evil.example"):
        status, headers, _ = request(addr, "GET", f"/_gate/login?next={next_}", headers=jar)
        assert (status, headers["Location"]) == (303, "/"), next_
    # and a log-in posted with such a next lands on «/»
    status, headers, _ = log_in(addr, "tinh", "demo", next_="/\t/evil.example/")
    assert (status, headers["Location"]) == (303, "/")


def test_a_nested_address_goes_to_its_first_part_not_to_a_blank_page(deployed):
    # issue 12: /abc/def loaded Streamlit's shell with its assets one folder too deep (a blank page)
    addr = deployed.addr
    jar = cookie_of(log_in(addr, "tinh", "demo")[1])
    for path, where in [
        ("/chi-bo/abc", "/chi-bo"),
        ("/abc/def/ghi", "/abc"),  # no such page: the app's own «Không tìm thấy trang»
        ("/muc-tieu/x?nam=2024", "/muc-tieu?nam=2024"),
        ("/%5Cevil.example/x", "/"),  # «/\evil.example» would be another site to a browser
        ("/trang%20c%C3%B3/x", "/"),
    ]:
        for cookies in ({}, jar):  # the same with or without a session: a redirect shows nothing
            status, got, _ = request(addr, "GET", path, headers=cookies)
            assert (status, got.get("Location", "").removeprefix(deployed.url)) == (302, where), path
    # Streamlit's own folders still reach the app (behind the gate)
    assert request(addr, "GET", "/_stcore/health", headers=jar)[0] == 200
    status, headers, _ = request(addr, "GET", "/static/js/none.js", headers=jar)
    assert status != 302 and "Location" not in headers  # the app answers, the proxy does not redirect


def test_with_a_session_the_app_is_served_and_uploads_are_capped(deployed):
    addr = deployed.addr
    jar = cookie_of(log_in(addr, "tinh", "demo")[1])
    status, headers, page = request(addr, "GET", "/", headers=jar)
    assert status == 200 and "<!doctype html>" in page.lower()
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    status, _, _ = request(addr, "PUT", "/_stcore/upload_file/s/f", bytes(22 * 1024 * 1024), jar)
    assert status == 413  # refused by the proxy before the app holds a byte


def _processes_of(deployed) -> dict[int, list[str]]:
    """Every process of the deployment's tree (start.py's children, nginx's workers), by pid: its argv."""
    out: dict[int, list[str]] = {}
    todo = [deployed.proc.pid]
    while todo:
        pid = todo.pop()
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        out[pid] = argv
        todo += [int(c) for c in children]
    return out


def _inodes_listening_on_tcp() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                inodes.add(fields[9])
    return inodes


def test_only_nginx_listens_on_the_network_the_rest_on_private_sockets(deployed):
    # issues 26.4, 29.5: the app's and the gate's ports (127.0.0.1:8501, :8600) were open to every local account,
    # which could upload to the app with no session at all
    listening = _inodes_listening_on_tcp()
    procs = _processes_of(deployed)
    parts = {
        pid: argv for pid, argv in procs.items() if "dashboard.gate" in argv or any("app_server" in a for a in argv)
    }
    assert len(parts) == 3, procs  # the gate and two app processes
    for pid, argv in parts.items():
        sockets = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        tcp = {s.removeprefix("socket:[").rstrip("]") for s in sockets if s.startswith("socket:[")} & listening
        assert not tcp, (argv, tcp)
    socks = deployed.sockets
    assert sorted(p.name for p in socks.iterdir()) == ["app-0.sock", "app-1.sock", "gate.sock"]
    assert socks.stat().st_mode & 0o007 == 0  # no one else may enter the sockets' folder
    if os.geteuid() == 0 and shutil.which("setpriv"):  # and another account of the machine indeed cannot connect
        for sock in socks.iterdir():
            probe = "import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])"
            out = subprocess.run(
                [
                    "setpriv",
                    "--reuid=nobody",
                    "--regid=nogroup",
                    "--clear-groups",
                    sys.executable,
                    "-c",
                    probe,
                    str(sock),
                ],
                capture_output=True,
                text=True,
            )
            assert out.returncode != 0 and "PermissionError" in out.stderr, (sock, out.stderr)


def test_the_store_is_private_to_the_service_user(deployed):
    # issue 26.4: the store was world-readable
    for d in (deployed.data / "parquet", deployed.data / "users"):
        assert d.stat().st_mode & 0o077 == 0, d
    for p in (deployed.data / "users").rglob("*"):
        assert p.stat().st_mode & 0o077 == 0, p
    if os.geteuid() == 0 and shutil.which("setpriv"):
        probe = "import pathlib, sys; print(list(pathlib.Path(sys.argv[1]).iterdir()))"
        for d in ("parquet", "users"):
            out = subprocess.run(
                ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable, "-c", probe]
                + [str(deployed.data / d)],
                capture_output=True,
                text=True,
            )
            assert out.returncode != 0 and "PermissionError" in out.stderr, (d, out.stdout)


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
    apps = [argv for argv in _processes_of(deployed).values() if any("app_server" in a for a in argv)]
    assert len(apps) == 2
    for argv in apps:
        i = argv.index("--server.fileWatcherType")
        assert argv[i + 1] == "none", argv


def test_a_part_that_dies_is_started_again_while_the_site_serves(deployed):
    # issue 26.4: a part that dies does not take the site down
    addr = deployed.addr
    jar = cookie_of(log_in(addr, "tinh", "demo")[1])
    procs = _processes_of(deployed)
    (gate_pid,) = [pid for pid, argv in procs.items() if "dashboard.gate" in argv]
    os.kill(gate_pid, 9)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        now = [pid for pid, argv in _processes_of(deployed).items() if "dashboard.gate" in argv]
        if now and now != [gate_pid] and (deployed.sockets / "gate.sock").exists():
            try:
                if request(addr, "GET", "/_stcore/health", headers=jar)[0] == 200:
                    break
            except OSError:
                pass
        time.sleep(0.3)
    else:
        raise AssertionError(deployed.log.read_text())
    assert deployed.proc.poll() is None
    assert "Cổng đăng nhập đã dừng" in deployed.log.read_text()
    assert request(addr, "GET", "/_gate/login")[0] == 200  # the same session still valid: the gate's state is on disk


@pytest.mark.browser
def test_log_in_survives_a_reload_and_log_out_ends_it(deployed):
    from playwright.sync_api import expect, sync_playwright

    from benchmarks.browser import CHROMIUM, FLAGS, READY

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: apt-get install -y chromium")
    url = deployed.url
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + "/")
        expect(page).to_have_url(f"{url}/_gate/login?next=%2F")
        page.get_by_label("Tên đăng nhập").fill("xa")
        page.get_by_label("Mật khẩu").fill("demo")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("heading", name="Tổng quan năm 2025")).to_be_visible(timeout=90_000)
        page.reload()  # F5: still logged in (issue 12)
        page.wait_for_selector(READY, timeout=90_000)
        expect(page.get_by_role("heading", name="Tổng quan năm 2025")).to_be_visible(timeout=90_000)
        assert not page.get_by_label("Mật khẩu").count()
        page.get_by_role("button", name="Đăng xuất").click()
        # the gate's log-in page, saying so; its cookie forgotten
        expect(page).to_have_url(f"{url}/_gate/login?ly_do=dang-xuat", timeout=60_000)
        expect(page.get_by_text("Đã đăng xuất.")).to_be_visible()
        assert not [c for c in page.context.cookies() if c["name"] == session.COOKIE and c["value"]]
        page.goto(url + "/")
        expect(page).to_have_url(f"{url}/_gate/login?next=%2F")
        b.close()


def _upload_through_a_session_of_my_own(deployed, username: str, sizes: list[int]) -> list[int]:
    """The issue's attack: log in at the gate, open the app's WebSocket (a Streamlit session of one's own), then PUT
    files to /_stcore/upload_file/<that session>/<any id> with no upload widget involved. The statuses."""
    import asyncio
    import uuid

    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    addr = deployed.addr
    jar = cookie_of(log_in(addr, username, "demo")[1])
    xsrf = request(addr, "GET", "/_stcore/health", headers=jar)[1]["set-cookie"].split(";")[0]
    cookies = f"{jar['Cookie']}; {xsrf}"

    async def attack() -> list[int]:
        ws_url = deployed.url.replace("http://", "ws://") + "/_stcore/stream"
        headers = {"Cookie": cookies, "Origin": deployed.url}
        async with websockets.connect(
            ws_url, subprotocols=["streamlit"], additional_headers=headers, max_size=None
        ) as ws:
            msg = BackMsg()
            msg.rerun_script.context_info.url = deployed.url + "/"
            await ws.send(msg.SerializeToString())
            sid = None
            while True:
                fm = ForwardMsg()
                fm.ParseFromString(await asyncio.wait_for(ws.recv(), 120))
                if fm.WhichOneof("type") == "new_session":
                    sid = fm.new_session.initialize.session_id
                if fm.WhichOneof("type") == "script_finished":
                    break
            out = []
            for size in sizes:
                body = (
                    b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.xlsx"\r\n'
                    b"Content-Type: application/octet-stream\r\n\r\n" + bytes(size) + b"\r\n--b--\r\n"
                )
                head = {"Cookie": cookies, "X-Xsrftoken": xsrf.split("=", 1)[1]}
                head["Content-Type"] = "multipart/form-data; boundary=b"
                path = f"/_stcore/upload_file/{sid}/{uuid.uuid4()}"
                out.append((await asyncio.to_thread(request, addr, "PUT", path, body, head))[0])
            return out

    return asyncio.run(attack())


def test_an_upload_needs_a_logged_in_user_with_an_upload_page(deployed):
    # issue 29.5: with a session of one's own, ten PUTs of 20 MB were held (+202 MB). The province's account has
    # no upload page: refused. A commune's account may upload (its return), within dashboard.uploads' limit
    # (tests/test_uploads.py: at most three largest files per user, the oldest going first).
    mb = 1024 * 1024
    assert _upload_through_a_session_of_my_own(deployed, "tinh", [20 * mb - 4096, 10]) == [403, 403]
    assert _upload_through_a_session_of_my_own(deployed, "xa", [10, 20 * mb - 4096]) == [204, 204]
