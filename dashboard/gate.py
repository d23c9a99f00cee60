"""The log-in gate in front of the app: `python -m dashboard.gate --socket PATH` (started by deploy/start.py).

The proxy (deploy/nginx.conf.template) asks it about every request (`auth_request`): nothing reaches Streamlit —
no page, no WebSocket, no upload — without a valid session cookie (issue 16.3). It serves the log-in page, checks
passwords (dashboard.auth: per-client lock-out, audit) and issues the cookie (dashboard.session); a request without
a valid session is sent to the log-in page with the address it asked for (`next`, percent-encoded). Standard
library only. Deployed, it listens on a Unix socket in a folder only the service's user (and nginx) can enter:
only the proxy reaches it, and only then does it believe the browser's address the proxy sends (X-Real-IP); on a
TCP port (tests) it takes the peer's address (issue 29.6)."""

from __future__ import annotations

import argparse
import html
import socket
import socketserver
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from dashboard import auth, session
from etl import audit
from etl.settings import USERS_DIR

PREFIX = "/_gate"
MAX_FORM_BYTES = 4096
MAX_NEXT_CHARS = 2000  # a page's address with its filters; anything longer goes to «/»
# Why the log-in page is shown again (`ly_do`, set by the app and by log-out): said on the page.
REASONS = {
    "het-phien": "Phiên làm việc đã kết thúc (đã đăng xuất ở cửa sổ khác, quá thời hạn hoặc tài khoản đã thay đổi). "
    "Hãy đăng nhập lại.",
    "dang-xuat": "Đã đăng xuất.",
}
# Streamlit's own addresses: a request for one of them without a session is no page to come back to.
APP_INTERNALS = ("/_stcore/", "/static/", "/media/", "/component/", "/app/static/")

_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đăng nhập · Chất lượng tổ chức đảng</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f5f6f8; margin: 0; }}
main {{ max-width: 24rem; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: .5rem;
        box-shadow: 0 1px 4px #0002; }}
h1 {{ font-size: 1.5rem; margin: 0 0 .25rem; }} p.sub {{ color: #555; margin: 0 0 1.5rem; font-size: .9rem; }}
label {{ display: block; margin: .75rem 0 .25rem; }}
input {{ width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }}
button {{ margin-top: 1.25rem; width: 100%; padding: .6rem; font-size: 1rem; background: #c0392b; color: #fff;
         border: 0; border-radius: .3rem; cursor: pointer; }}
.error {{ background: #fdecea; color: #8a1c12; padding: .6rem; border-radius: .3rem; }}
.info {{ background: #e8f1fb; color: #124a8a; padding: .6rem; border-radius: .3rem; font-size: .9rem; }}
</style></head>
<body><main>
<h1>Đăng nhập</h1>
<p class="sub">Hệ thống theo dõi chất lượng tổ chức đảng và đảng viên · Tài liệu lưu hành nội bộ</p>
{message}
<form method="post" action="{prefix}/login">
<input type="hidden" name="next" value="{next}">
<label for="u">Tên đăng nhập</label><input id="u" name="username" autocomplete="username" required autofocus>
<label for="p">Mật khẩu</label>
<input id="p" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Đăng nhập</button>
</form>
{hint}
</main></body></html>
"""
_SETUP = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Thiết lập lần đầu · Chất lượng tổ chức đảng</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f5f6f8; margin: 0; }}
main {{ max-width: 26rem; margin: 8vh auto; background: #fff; padding: 2rem; border-radius: .5rem;
        box-shadow: 0 1px 4px #0002; }}
h1 {{ font-size: 1.4rem; margin: 0 0 .75rem; }}
.info {{ background: #e8f1fb; color: #124a8a; padding: .6rem; border-radius: .3rem; font-size: .9rem; }}
</style></head>
<body><main>
<h1>Thiết lập lần đầu: tài khoản quản trị</h1>
<p class="info">Chưa có tài khoản quản trị nào. Người quản trị máy chủ tạo tài khoản quản trị đầu tiên trên máy
chủ, bằng lệnh <code>{command}</code> (lệnh hỏi mật khẩu), rồi tải lại trang này để đăng nhập. Các tài khoản khác
được thêm sau đó ở trang «Người dùng và nhật ký».</p>
</main></body></html>
"""
_HINT = (
    '<p class="info">Dữ liệu mẫu: có thể dùng các tài khoản dùng thử <b>tinh</b> (toàn tỉnh), <b>xa</b> (phường '
    "Thục Phán) và <b>quantri</b> (quản trị), mật khẩu <b>demo</b>.</p>"
)
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _is_sample() -> bool:
    from dashboard import data

    return data.is_sample()


def safe_next(target: str | None) -> str:
    """Where to go after log-in: a path of this site only (no open redirect to another one), as an ASCII string a
    header can carry. A browser drops tabs and line breaks from a URL and reads «\\» as «/», so «/%09/evil.example»
    would be «//evil.example», another site (issue 29.7): any control character, space or backslash sends to «/»;
    so does a CR/LF, which would otherwise end the header (issue 29.3)."""
    t = target or "/"
    if (
        not t.startswith("/")
        or t.startswith("//")
        or t.startswith(PREFIX)
        or len(t) > MAX_NEXT_CHARS
        or any(c <= " " or c in "\\\x7f" for c in t)
    ):
        return "/"
    parts = urlsplit(t)
    if parts.scheme or parts.netloc or parts.path.startswith(APP_INTERNALS):
        return "/"
    # Non-ASCII (a Vietnamese name in a filter) percent-encoded; what is already encoded is kept.
    return quote(t, safe="/?&=%:@!$'()*+,;-._~")


def cookie(value: str, secure: bool, max_age: int) -> str:
    return f"{session.COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}" + (
        "; Secure" if secure else ""
    )


class Gate(BaseHTTPRequestHandler):
    server_version = "partydash-gate"
    sys_version = ""
    timeout = 30  # seconds a client may take to send its request: a slow one does not hold a thread for ever
    users_root: Path = USERS_DIR
    is_sample = staticmethod(_is_sample)

    def log_message(self, *args) -> None:  # the audit log says who logged in; no access log of passwords' pages
        pass

    def _token(self) -> str | None:
        for part in (self.headers.get("Cookie") or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == session.COOKIE:
                return value
        return None

    def _client(self) -> str:
        """The browser's address: the proxy's X-Real-IP when the request came through the Unix socket (only the
        proxy can reach it), never from a TCP peer, which may be any local account (issue 29.6)."""
        if self.server.socket.family == socket.AF_UNIX:
            return self.headers.get("X-Real-IP") or "?"
        return self.client_address[0]

    def _secure(self) -> bool:
        return self.headers.get("X-Forwarded-Proto") == "https"

    def _send(self, status: int, body: str = "", headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        for k, v in {**_HEADERS, **(headers or {})}.items():
            self.send_header(k, v)
        if body:
            self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the browser (or nginx) hung up: nothing to answer
                pass

    def _page(self, status: int, next_: str, message: str = "", info: str = "") -> None:
        if auth.needs_first_admin(self.is_sample, self.users_root):  # the first start of a real deployment
            return self._send(status, _SETUP.format(command=html.escape(auth.FIRST_ADMIN_COMMAND)))
        body = _PAGE.format(
            prefix=PREFIX,
            next=html.escape(next_, quote=True),
            message=f'<p class="error" role="alert">{html.escape(message)}</p>'
            if message
            else (f'<p class="info" role="status">{html.escape(info)}</p>' if info else ""),
            hint=_HINT if self.is_sample() else "",
        )
        self._send(status, body)

    def _same_origin(self) -> bool:
        """A log-in form posted from another site is refused (the cookie is SameSite=Strict as well)."""
        origin = self.headers.get("Origin")
        if not origin or origin == "null":
            return origin is None
        return urlsplit(origin).netloc == self.headers.get("Host", "")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == PREFIX + "/auth":
            return self._auth()
        if url.path == PREFIX + "/redirect":
            return self._to_login()
        if url.path == PREFIX + "/login":
            query = parse_qs(url.query)
            next_ = safe_next(query.get("next", ["/"])[0])
            if self._valid():
                return self._send(303, headers={"Location": next_})
            return self._page(200, next_, info=REASONS.get(query.get("ly_do", [""])[0], ""))
        if url.path == PREFIX + "/logout":
            return self._logout()
        self._send(404)

    do_HEAD = do_GET

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path == PREFIX + "/logout":
            return self._logout()
        if url.path != PREFIX + "/login":
            return self._send(404)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:  # «-1» would read until the client hangs up, holding a thread (issue 29.6)
            return self._send(400)
        if length > MAX_FORM_BYTES:
            return self._send(413)
        # The (small) form is read before any answer: a refusal sent while the client is still writing its body,
        # then the connection closed, reaches the client as a broken pipe instead of the 403.
        body = self.rfile.read(length)
        if not self._same_origin():
            return self._send(403)
        form = parse_qs(body.decode("utf-8", errors="replace"))
        next_ = safe_next(form.get("next", ["/"])[0])
        username, password = form.get("username", [""])[0], form.get("password", [""])[0]
        res = auth.authenticate(username, password, self.is_sample, root=self.users_root, client=self._client())
        if res.user is None:
            return self._page(401, next_, res.message)
        token = session.issue(res.user.username, self.users_root)
        self._send(
            303, headers={"Location": next_, "Set-Cookie": cookie(token, self._secure(), session.MAX_HOURS * 3600)}
        )

    def _valid(self) -> session.Session | None:
        s = session.check(self._token(), self.users_root)
        if s and auth.active_user(s.username, self.is_sample, self.users_root) is None:
            session.revoke(self._token(), self.users_root)  # disabled since, or a demo account on real data
            return None
        return s

    def _to_login(self) -> None:
        """A request without a valid session (the proxy's `error_page 401`): to the log-in page, with the address
        the browser asked for (the raw request URI the proxy passes, filters included) to come back to."""
        next_ = safe_next(self.headers.get("X-Original-URI"))
        self._send(302, headers={"Location": f"{PREFIX}/login?" + urlencode({"next": next_})})

    def _auth(self) -> None:
        """The proxy's question for each request: 204 lets it through, 401 sends the browser to the log-in page."""
        s = self._valid()
        if s is None:
            return self._send(401)
        session.touch(self._token(), self.users_root)
        self._send(204, headers={"X-Partydash-User": s.username})

    def _logout(self) -> None:
        s = session.check(self._token(), self.users_root)
        session.revoke(self._token(), self.users_root)
        if s:
            audit.record("logout", s.username, {"client": self._client()})
        self._send(
            303, headers={"Location": PREFIX + "/login?ly_do=dang-xuat", "Set-Cookie": cookie("", self._secure(), 0)}
        )


def serve(port: int, host: str = "127.0.0.1", handler: type[Gate] = Gate) -> ThreadingHTTPServer:
    """The gate on a TCP port (tests): the browser's address is the peer's."""
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    # A page's first load asks the gate about dozens of scripts at once (HTTP/2): on a Unix socket a full backlog is
    # no wait but an immediate refusal (EAGAIN, a 502 for that script), so the queue is the system's longest.
    request_queue_size = socket.SOMAXCONN


def serve_unix(path: Path, handler: type[Gate] = Gate) -> UnixServer:
    """The gate on a Unix socket (deployed): reachable by whoever may enter its folder (deploy/start.py makes it
    the service's user's and nginx's only)."""
    Path(path).unlink(missing_ok=True)
    return UnixServer(str(path), handler)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.gate", description="Cổng đăng nhập trước ứng dụng.")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--socket", type=Path, help="Unix socket (triển khai: deploy/start.py)")
    where.add_argument("--port", type=int, help="cổng TCP trên 127.0.0.1 (chỉ để thử)")
    a = ap.parse_args(argv)
    session.prune()
    server = serve_unix(a.socket) if a.socket else serve(a.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
