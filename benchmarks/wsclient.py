"""The app's own WebSocket protocol, as a browser's frontend speaks it (Streamlit's `/_stcore/stream`: BackMsg
protobufs out, ForwardMsg protobufs in): the light client of `python -m benchmarks.wsload`, its log-in (the app's
form, or the gate of deploy/), and one user's session.

Each simulated session: connects (the app needs no cookie or header when it is not behind the gate of deploy/; the
subprotocol «streamlit» as the frontend sends it); its first run draws the log-in form, whose widget ids are read
from the deltas; a rerun carries the user name, the password and the submit button's trigger (as the browser sends
a submitted form); the session then visits every page of its role's menu in turn (each page's `page_script_hash`
from the navigation message), as the sidebar links do (no query string, no widget states: the server keeps the
filters' values of the last run). A step is timed from the BackMsg sent until the run's `script_finished`
(FINISHED_SUCCESSFULLY; a rerun the app asks for, as after log-in, is waited through): every delta of the run has
arrived by then, the server's queue being ordered. Each page is checked: its title (the first h1) is the page's, no
exception element, no error box of the app's guard, no «page not found»; a failed check is an error. Static files
(the frontend's JavaScript) are not fetched, nothing is rendered."""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from benchmarks.server import UNIX, request

PASSWORD = "demo"
COOKIE = "partydash_session"  # dashboard/session.py's cookie, issued by the gate
# The first heading of each page (url path -> prefix of its st.title); a page not listed needs a non-empty one.
TITLES = {
    "tong-quan": "Tổng quan năm",
    "bang-tong-hop": "Bảng tổng hợp",
    "chi-bo": "Xếp loại chi bộ",
    "dang-vien": "Xếp loại đảng viên",
    "ha-tang": "Hạ tầng",
    "bi-thu": "Bí thư",
    "muc-tieu": "Tiến độ thực hiện mục tiêu",
    "ho-so-xa": "Hồ sơ ",
    "bieu-thong-ke": "Biểu thống kê",
    "chat-luong": "Chất lượng dữ liệu",
    "nop-bao-cao": "Nộp báo cáo",
    "tien-do": "Tiến độ nộp báo cáo",
    "nap-du-lieu": "Nạp dữ liệu",
    "quan-tri": "Người dùng và nhật ký",
}
GUARD = "Trang gặp lỗi"  # dashboard/app.py's error box when a page run fails (deployed setting)


class CheckFailed(Exception):
    """A page arrived without what it must show, or with an error."""


@dataclass
class Run:
    """What one script run sent: timings, and the elements the checks and the next step need."""

    seconds: float = 0.0
    first_delta_s: float | None = None
    bytes: int = 0
    messages: int = 0
    headings: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    error_boxes: list[str] = field(default_factory=list)
    widgets: dict[str, str] = field(default_factory=dict)  # label -> widget id (text inputs and buttons)
    navigation: object | None = None
    links: list[str] = field(default_factory=list)  # the page links drawn (the menu: page_script_hash of each)
    page_hash: str = ""
    not_found: bool = False

    def check(self, url_path: str) -> str:
        """The page's title; raises CheckFailed when the page is not what was asked or shows an error."""
        if self.not_found:
            raise CheckFailed("page not found")
        if self.exceptions:
            raise CheckFailed(f"exception: {self.exceptions[0][:80]}")
        if bad := [b for b in self.error_boxes if GUARD in b]:
            raise CheckFailed(f"error box: {bad[0][:80]}")
        title = self.headings[0] if self.headings else ""
        want = TITLES.get(url_path, "")
        if not title.strip() or not title.startswith(want):
            raise CheckFailed(f"title {title!r}, expected {want!r}…")
        return title


class Client:
    """One browser session's worth of protocol: a WebSocket, one script run at a time."""

    def __init__(self, base: str, step_s: float, cookie: str | None = None):
        self.unix = base.removeprefix(UNIX) if base.startswith(UNIX) else None  # an app process's own socket
        http_base = "http://localhost" if self.unix else base
        self.ws_url = http_base.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.base, self.step_s, self.ws = http_base, step_s, None
        self.cookie = cookie  # «partydash_session=…» behind the gate: the proxy lets the WebSocket through with it
        self.query = ""

    async def __aenter__(self) -> Client:
        import websockets

        # No keep-alive pings: the frontend sends none either, and a server busy for 20 s must not be cut off by the
        # client; per-message deflate offered, as browsers do.
        # Behind the gate, the browser's handshake carries its cookie and its page's origin.
        headers = {"Cookie": self.cookie, "Origin": self.base} if self.cookie else None
        connect = functools.partial(websockets.unix_connect, self.unix) if self.unix else websockets.connect
        self.ws = await connect(
            self.ws_url,
            subprotocols=["streamlit"],
            max_size=None,
            ping_interval=None,
            open_timeout=self.step_s,
            additional_headers=headers,
        )
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def rerun(self, page_hash: str = "", widgets: list[tuple[str, str, object]] = (), query: str = "") -> Run:
        """Send a rerun (widgets: (id, WidgetState field, value)); read until the run finishes successfully."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = query
        cs.page_script_hash = page_hash
        cs.context_info.timezone = "Asia/Ho_Chi_Minh"
        cs.context_info.timezone_offset = -420
        cs.context_info.locale = "vi-VN"
        cs.context_info.url = self.base + "/"
        for wid, kind, value in widgets:
            w = cs.widget_states.widgets.add()
            w.id = wid
            setattr(w, kind, value)
        run = Run()
        t = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        finished = ForwardMsg.ScriptFinishedStatus
        while True:
            left = self.step_s - (time.perf_counter() - t)
            raw = await asyncio.wait_for(self.ws.recv(), timeout=max(left, 0.001))
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            run.bytes += len(raw)
            run.messages += 1
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                # A new run begins (the first, or the one st.rerun asked for): what the last one drew is gone.
                run.headings, run.exceptions, run.error_boxes, run.widgets = [], [], [], {}
                run.page_hash = fm.new_session.page_script_hash or run.page_hash
            elif kind == "delta":
                if run.first_delta_s is None:
                    run.first_delta_s = time.perf_counter() - t
                if fm.delta.WhichOneof("type") == "new_element":
                    _element(fm.delta.new_element, run)
            elif kind == "navigation":
                run.navigation = fm.navigation
                run.page_hash = fm.navigation.page_script_hash or run.page_hash
            elif kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string  # the browser echoes the URL's query back
            elif kind == "page_not_found":
                run.not_found = True
            elif kind == "script_finished":
                if fm.script_finished == finished.FINISHED_EARLY_FOR_RERUN:
                    continue
                if fm.script_finished == finished.FINISHED_WITH_COMPILE_ERROR:
                    raise CheckFailed("the script did not compile")
                run.seconds = time.perf_counter() - t
                return run


def _element(el, run: Run) -> None:
    kind = el.WhichOneof("type")
    if kind == "heading" and el.heading.tag == "h1":
        run.headings.append(el.heading.body)
    elif kind == "exception":
        run.exceptions.append(f"{el.exception.type}: {el.exception.message}")
    elif kind == "alert" and el.alert.format == el.alert.ERROR:
        run.error_boxes.append(el.alert.body)
    elif kind in ("text_input", "button"):
        w = getattr(el, kind)
        run.widgets[w.label] = w.id
    elif kind == "page_link" and el.page_link.page_script_hash:
        run.links.append(el.page_link.page_script_hash)


def menu(run: Run) -> list[tuple[str, str]]:
    """The pages of the menu the user sees — st.page_link's links (dashboard/urlstate.py draws the menu; st.navigation
    is hidden), none before log-in: (page_script_hash, url path), in the menu's order."""
    paths = {p.page_script_hash: p.url_pathname for p in run.navigation.app_pages} if run.navigation else {}
    return [(h, paths[h]) for h in dict.fromkeys(run.links) if h in paths]


async def log_in(c: Client, user: str) -> tuple[Run, Run]:
    """The form's run, then the submitted form's run (the overview)."""
    form = await c.rerun()
    ids = [form.widgets.get(label) for label in ("Tên đăng nhập", "Mật khẩu", "Đăng nhập")]
    if None in ids:
        raise CheckFailed(f"no log-in form (widgets {sorted(form.widgets)})")
    values = [(ids[0], "string_value", user), (ids[1], "string_value", PASSWORD), (ids[2], "trigger_value", True)]
    return form, await c.rerun(form.page_hash, values, c.query)


def gate_log_in(
    base: str, user: str, timeout: float, password: str = PASSWORD, app: str | None = None, marks: dict | None = None
) -> str:
    """Log in at the gate of deploy/ as a browser does: its log-in page, the form posted (with the page's origin),
    the redirect followed to the app's page (at `app`, by default through the same address); the session cookie
    («partydash_session=…») it set. `marks` gets the perf_counter of the form posted and of the gate's answer."""
    marks = {} if marks is None else marks
    status, _, page = request(base, "GET", "/_gate/login?next=/", timeout)
    if status != 200 or 'name="password"' not in page:
        raise CheckFailed(f"no log-in page at the gate (HTTP {status})")
    form = urlencode({"next": "/", "username": user, "password": password})
    form_headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": base}
    marks["posted"] = time.perf_counter()
    status, headers, page = request(base, "POST", "/_gate/login", timeout, form, form_headers)
    marks["answered"] = time.perf_counter()
    cookie = headers.get("set-cookie", "").split(";")[0]
    if status != 303 or not cookie.startswith(COOKIE + "=") or cookie == COOKIE + "=":
        alert = page.split('role="alert">', 1)[1].split("<", 1)[0] if 'role="alert">' in page else ""
        raise CheckFailed(f"log-in refused at the gate (HTTP {status}) {alert}".strip())
    status, _, page = request(app or base, "GET", headers.get("location", "/"), timeout, headers={"Cookie": cookie})
    if status != 200 or "<!doctype html>" not in page.lower():
        raise CheckFailed(f"the app's page not served after log-in (HTTP {status})")
    return cookie


async def session(base: str, user: str, res: dict, step_s: float, deadline: float, gate: str | None = None) -> None:
    """One user's session: log-in, then every page of the menu. With `gate` (the deployment's address), log-in is
    the gate's form and the WebSocket carries its cookie; log-in → ready is timed from the form posted."""
    step = "connect"
    try:
        cookie, marks = None, {}
        if gate:
            step = "log-in at the gate"
            log_in_at_gate = asyncio.to_thread(gate_log_in, gate, user, step_s, PASSWORD, base, marks)
            cookie = await asyncio.wait_for(log_in_at_gate, step_s)
            res.setdefault("gate", []).append(marks["answered"] - marks["posted"])  # the gate's answer to the form
        async with Client(base, step_s, cookie) as c:
            step = "log-in"
            if gate:
                home = await c.rerun()  # the app resumes the gate's session from the cookie: the overview
                home.seconds = time.perf_counter() - marks["posted"]
            else:
                _, home = await log_in(c, user)
            if home.navigation is None:
                raise CheckFailed("no menu after log-in")
            here = dict((h, p) for h, p in menu(home)).get(home.page_hash, "tong-quan")
            home.check(here)
            res["login"].append(home.seconds)
            res["views"] += 1
            res["bytes"] += home.bytes
            for page_hash, path in menu(home):
                if page_hash == home.page_hash:
                    continue  # the overview, shown after log-in
                if time.time() > deadline:
                    res["timeouts"] += 1
                    return
                step = path
                try:
                    r = await c.rerun(page_hash)
                    r.check(path)
                    res["page"].append(r.seconds)
                    res["by_page"].setdefault(path, []).append(r.seconds)
                    res["views"] += 1
                    res["bytes"] += r.bytes
                except CheckFailed as e:
                    res["errors"] += 1
                    res["messages"].append(f"{user} {path}: {e}")
    except TimeoutError:
        res["timeouts"] += 1
        res["messages"].append(f"{user} {step}: time-out")
    except Exception as e:  # counted, the other sessions go on
        res["errors"] += 1
        res["messages"].append(f"{user} {step}: {type(e).__name__}: {e}")
