"""Concurrent sessions measured at the server: `python -m benchmarks.wsload --sessions 1 5 10 20` (not a timed test).

benchmarks/load.py drives headless chromium; beyond one session its client core saturates and the browser is what
it measures. This client speaks the app's own WebSocket protocol instead (Streamlit's `/_stcore/stream`: BackMsg
protobufs out, ForwardMsg protobufs in, as the browser's frontend does), so one core of light clients can load the
server to its limit.

Each simulated session: connects (the app needs no cookie or header when it is not behind the gate of deploy/; the
subprotocol «streamlit» as the frontend sends it); its first run draws the log-in form, whose widget ids are read
from the deltas; a rerun carries the user name, the password and the submit button's trigger (as the browser sends
a submitted form); the session then visits every page of its role's menu in turn (each page's `page_script_hash`
from the navigation message), as the sidebar links do (no query string, no widget states: the server keeps the
filters' values of the last run). A step is timed from the BackMsg sent until the run's `script_finished`
(FINISHED_SUCCESSFULLY; a rerun the app asks for, as after log-in, is waited through): every delta of the run has
arrived by then, the server's queue being ordered. Each page is checked: its title (the first h1) is the page's, no
exception element, no error box of the app's guard, no «page not found»; a failed check is an error.

Static files (the frontend's JavaScript) are not fetched, nothing is rendered. Server pinned to core 0 (taskset),
clients (one asyncio process) to core 1; CPU from /proc (benchmarks/load.py `Meter`). `--national` adds rows on the
national synthetic store (synthetic/national.py, built once into `--national-data`, default data/national/ws).

Concurrent uploads (`--uploads 20`): on the province store, a reporting period 2025 opened, N committees submit
their 2025 return at the same moment through `dashboard.reporting.submit_return` (the «Nộp báo cáo» page's path:
etl/store.py commit under its writer lock, then the cycle's event log under its lock), N-1 with their own file and one
with another committee's file (it must be refused). Run in threads (the server's model: one process, a thread per
session) and in processes. Counted: landed (the final snapshot holds that committee's return as loaded by that
user, the cycle says «đã nộp, hợp lệ»), refused with a message (nothing written for it), lost (neither).

Through the deployment (`--deploy N`): deploy/start.py with N app processes behind Debian's nginx and the log-in gate
(plain HTTP on 127.0.0.1, the whole tree on `--server-cpus`: core 0 for one process, every core for more). Each session
logs in at the gate as a browser does (its page, the form posted, the cookie kept, the redirect followed), then opens
the WebSocket through nginx with the cookie; the app resumes that session and draws the overview. Server CPU is the
whole tree's, split into each app process, the gate and nginx.

Prints the table and writes it as the «Concurrent sessions, WebSocket clients» section of docs/PERFORMANCE.md
(beside the browser section of benchmarks/load.py; `--out`, `--no-write`)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from benchmarks import report
from benchmarks.report import log, markers, num, pct
from benchmarks.server import UNIX, Meter, request, start_deployment, start_server, stop

ROOT = Path(__file__).resolve().parent.parent
USERS = ["tinh", "xa", "quantri"]
PASSWORD = "demo"
NAME = "ws-sessions"
BEGIN, END = markers(NAME)
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


# --- the protocol -------------------------------------------------------------------------------------------------


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


async def run_n(n: int, base: str, step_s: float, run_s: float, gate: str | None = None) -> dict:
    res: dict = {"n": n, "login": [], "page": [], "views": 0, "errors": 0, "timeouts": 0, "messages": [], "bytes": 0}
    res["by_page"] = {}
    deadline = time.time() + run_s
    t = time.perf_counter()
    await asyncio.gather(*(session(base, USERS[i % 3], res, step_s, deadline, gate) for i in range(n)))
    res["wall_s"] = time.perf_counter() - t
    return res


# --- the server ---------------------------------------------------------------------------------------------------


def part_of(pid: int) -> str:
    """What a process of the server's tree is: «app :8501», «gate», «nginx» or «launcher» (start.py, taskset)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return "gone"
    if "dashboard.gate" in argv:
        return "gate"
    if argv and argv[0].startswith("nginx"):  # the master and its workers rename themselves «nginx: …»
        return "nginx"
    if any(a.endswith("app_server.py") for a in argv):  # deploy/start.py's app process on its socket
        i = next(i for i, a in enumerate(argv) if a.endswith("app_server.py"))
        return "app " + Path(argv[i + 1]).stem if len(argv) > i + 1 else "app ?"
    if "streamlit" in argv:
        return "app :" + (argv[argv.index("--server.port") + 1] if "--server.port" in argv else "?")
    return "launcher"


def cpu_by_part(meter: Meter) -> dict[str, float]:
    """CPU-seconds of the run by part of the server (the meter's processes, still running at its end)."""
    parts: dict[str, float] = {}
    for pid, v in meter.cpu.items():
        part = part_of(pid)
        parts[part] = parts.get(part, 0.0) + v - meter.start.get(pid, 0.0)
    return parts


def measure(scale: str, data: Path, province: str, sessions: list[int], a) -> tuple[list[dict], str]:
    """The rows of one scale: one server (`--deploy` 0: streamlit alone; N: deploy/start.py with N app processes),
    warmed up, then each N of sessions at once."""
    if a.deploy:
        dep = start_deployment(data, province, a.deploy, a.server_cpus)
        server, base, gate = dep.proc, dep.base, dep.base
        # Each app process warmed up on its own address (one session per user, the cookie from the gate): the
        # proxy's hash would leave some of them cold.
        warm_targets = dep.apps
    else:
        server, base = start_server(data, a.server_cpus, province, log_to=data / "server.log")
        gate, warm_targets = None, [base]
    rows = []
    try:
        log(f"[wsload] {scale}: warm-up, one session per user and app process, not counted …")
        warm: dict = {"login": [], "page": [], "messages": []}
        for target in warm_targets:
            w = asyncio.run(run_n(3, target, a.step_timeout, a.run_timeout, gate))
            for k in warm:
                warm[k] += w[k]
        for m in warm["messages"]:
            log(f"  warm-up: {m}")
        note = f"{scale}: log-in → ready {num(pct(warm['login'], 1.0), 2)} s, slowest page {num(pct(warm['page'], 1.0), 2)} s"
        for n in sessions:
            log(f"[wsload] {scale} N = {n} …")
            with Meter(server.pid) as sm, Meter(os.getpid()) as cm:
                r = asyncio.run(run_n(n, base, a.step_timeout, a.run_timeout, gate))
            # The server is a child of this process: its tree is taken out of the client's.
            r.update(scale=scale, server_cpu_s=sm.cpu_s, server_rss=sm.peak_rss, client_cpu_s=cm.cpu_s - sm.cpu_s)
            r["parts"] = cpu_by_part(sm) if a.deploy else {}
            rows.append(r)
            log(table(rows[-1:]))
            slow = sorted(((max(v), k) for k, v in r["by_page"].items()), reverse=True)[:4]
            log("  slowest pages: " + ", ".join(f"{k} {v:.2f} s" for v, k in slow))
            for m in r["messages"][:10]:
                log(f"  {m}")
    finally:
        stop(server)
    return rows, note


# --- concurrent uploads -------------------------------------------------------------------------------------------


def _submit(job: tuple[str, str, str, str], barrier) -> tuple[str, str, str, float, float]:
    """One committee's submission: its file checked first (as the page does on upload), then, once every worker is
    ready, `submit_return` (as the page's button does). (unit, outcome, message, sent at, done at)."""
    unit, file, root, user = job
    from dashboard import reporting
    from etl.load import check_files
    from etl.province import load_province

    province = load_province()
    checked = check_files([(Path(file).name, Path(file).read_bytes())], province, parallel=False, allowed_years=[2025])
    barrier.wait(timeout=300)
    t = time.time()
    try:
        outcome = unit, "ok", reporting.submit_return(2025, checked, user, "commune", unit, province, Path(root))
    except ValueError as e:
        outcome = unit, "refused", str(e)
    except Exception as e:  # neither landed nor refused cleanly
        outcome = unit, "failed", f"{type(e).__name__}: {e}"
    return (*outcome, t, time.time())


def _process_entry(job, barrier, queue) -> None:
    try:
        queue.put((job[0], _submit(job, barrier)))
    except BaseException as e:  # always an answer: the parent waits for one per worker
        queue.put((job[0], (job[0], "failed", f"{type(e).__name__}: {e}", 0.0, 0.0)))
        raise


def uploads(n: int, data: Path, mode: str) -> dict:
    """n committees submit at once on a copy of the store; what landed, was refused, was lost."""
    import polars as pl

    from etl import cycle
    from etl.province import load_province
    from etl.store import current_snapshot

    work = data / f"uploads-{mode}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(data / "parquet", work, symlinks=True)
    province = load_province()
    if cycle.period(2025, work) is None:
        cycle.open_period(2025, dt.date(2026, 3, 31), province, "wsload", "admin", work)
    files = {p.stem.split("_", 1)[1]: p for p in sorted((data / "samples" / province.code).glob("2025_*.xlsx"))}
    units = sorted(files)[:n]
    jobs = [(u, str(files[u]), str(work), f"wsload-{u}") for u in units]
    jobs[-1] = (units[-1], str(files[units[0]]), str(work), f"wsload-{units[-1]}")  # another committee's file
    if mode == "threads":
        barrier, results = threading.Barrier(n), {}

        def run(job):
            try:
                results[job[0]] = _submit(job, barrier)
            except Exception as e:
                results[job[0]] = (job[0], "failed", f"{type(e).__name__}: {e}", 0.0, 0.0)

        workers = [threading.Thread(target=run, args=(j,)) for j in jobs]
    else:
        ctx = multiprocessing.get_context("spawn")
        barrier, queue, results = ctx.Barrier(n), ctx.Queue(), {}
        workers = [ctx.Process(target=_process_entry, args=(j, barrier, queue)) for j in jobs]
    for w in workers:
        w.start()
    if mode != "threads":
        for _ in jobs:
            unit, r = queue.get(timeout=600)
            results[unit] = r
    for w in workers:
        w.join(timeout=600)
    out = [results.get(j[0], (j[0], "failed", "no answer", 0.0, 0.0)) for j in jobs]
    sent = [o[3] for o in out if o[3]]
    wall = max(o[4] for o in out) - min(sent) if sent else 0.0
    snap = current_snapshot(work)
    returns = pl.read_parquet(snap / "returns" / "**" / "*.parquet", hive_partitioning=True)
    returns = returns.filter(pl.col("year") == 2025)
    by_unit = {r["unit_code"]: r for r in returns.iter_rows(named=True)}
    p = cycle.period(2025, work)
    res = {"mode": mode, "n": n, "landed": 0, "refused": 0, "lost": 0, "wrong": 0, "messages": [], "wall_s": wall}
    for (unit, status, message, _, _), job in zip(out, jobs, strict=True):
        in_store = by_unit.get(unit, {}).get("loaded_by") == job[3]
        submitted = p.status(unit) == cycle.SUBMITTED_VALID
        if status == "ok" and in_store and submitted:
            res["landed"] += 1
        elif status == "refused" and not in_store and p.status(unit) == cycle.NOT_SUBMITTED:
            res["refused"] += 1
            res["messages"].append(f"{unit} refused: {message}")
        else:
            res["lost"] += 1
            res["messages"].append(f"{unit} {status} (in store: {in_store}, cycle: {p.status(unit)}): {message}")
    # the one that sent another unit's file must be refused, all the others land
    res["wrong"] = int(out[-1][1] != "refused") + sum(o[1] != "ok" for o in out[:-1])
    shutil.rmtree(work, ignore_errors=True)
    return res


# --- national store -----------------------------------------------------------------------------------------------


def national_store(folder: Path, rebuild: bool) -> Path:
    """The national synthetic store (every commune of the 34 provinces), built once into folder/parquet."""
    marker = folder / "wsload-built.txt"
    if marker.exists() and not rebuild:
        return folder
    shutil.rmtree(folder / "parquet", ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PARTYDASH_DATA": str(folder), "PARTYDASH_PROVINCE": "00"}
    code = (
        "from etl.settings import PARQUET_DIR\n"
        "from synthetic.national import build_store, generate, national_config\n"
        "build_store(PARQUET_DIR, generate(national_config(None)))\n"
    )
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, stdout=sys.stderr)
    marker.write_text(f"built in {time.perf_counter() - t:.0f} s\n", encoding="utf-8")
    return folder


# --- the report ---------------------------------------------------------------------------------------------------


def parts(by_part: dict[str, float], total: float) -> str:
    """«40.1 + 35.2 / 1.3 / 0.9»: each app process (by port), the gate, nginx; the one process alone without them."""
    if not by_part:
        return f"{num(total)} / – / –"
    apps = " + ".join(num(v) for k, v in sorted(by_part.items()) if k.startswith("app"))
    return f"{apps or '–'} / {num(by_part.get('gate'))} / {num(by_part.get('nginx'))}"


def table(rows: list[dict]) -> str:
    head = [
        "scale",
        "N",
        "log-ins",
        "log-in → ready p50 / p95 / max (s)",
        "of which the gate's answer p50 / p95 (s)",
        "page views",
        "page-ready p50 / p95 / max (s)",
        "errors / time-outs",
        "wall (s)",
        "server CPU-s per view",
        "server CPU-s (cores used)",
        "of which apps / gate / nginx (CPU-s)",
        "client CPU-s (cores used)",
        "server peak RSS (MB)",
        "received per view (kB)",
    ]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    trio = lambda xs: " / ".join(num(pct(xs, q), 2) for q in (0.5, 0.95, 1.0))  # noqa: E731
    for r in rows:
        views = max(r["views"], 1)
        cells = [
            r["scale"],
            str(r["n"]),
            f"{len(r['login'])}/{r['n']}",
            trio(r["login"]),
            " / ".join(num(pct(r["gate"], q), 2) for q in (0.5, 0.95)) if r.get("gate") else "–",
            str(len(r["page"])),
            trio(r["page"]),
            f"{r['errors']} / {r['timeouts']}",
            num(r["wall_s"], 0),
            num(r["server_cpu_s"] / views, 2),
            f"{num(r['server_cpu_s'])} ({r['server_cpu_s'] / r['wall_s']:.2f})",
            parts(r.get("parts") or {}, r["server_cpu_s"]),
            f"{num(r['client_cpu_s'])} ({r['client_cpu_s'] / r['wall_s']:.2f})",
            num(r["server_rss"] / 1e6, 0),
            num(r["bytes"] / views / 1e3, 0),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def upload_table(rows: list[dict]) -> str:
    out = [
        "| workers | submissions at once | landed | refused cleanly | lost | unexpected outcome | wall (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['mode']} | {r['n']} | {r['landed']} | {r['refused']} | {r['lost']} | {r['wrong']} "
            f"| {num(r['wall_s'], 1)} |"
        )
    return "\n".join(out)


def label_of(deploy: int) -> str:
    """The name of a configuration's block in the section: its rows are replaced by its next run only."""
    return f"deploy-{deploy}" if deploy else "one-process"


def run_block(rows: list[dict], ups: list[dict], meta: dict) -> str:
    """This run's block: how it was measured, the table, the uploads."""
    label = meta["label"]
    if meta["deploy"]:
        title = f"Through the deployment: `deploy/start.py --apps {meta['deploy']}` (nginx, log-in gate, {meta['deploy']} app process{'es' if meta['deploy'] > 1 else ''})"
        server = (
            f"The deployment users run (`deploy/start.py --apps {meta['deploy']}`, plain HTTP on 127.0.0.1: Debian's "
            "nginx in front, `hash $cookie_partydash_session consistent` to the app processes, `auth_request` to the "
            "log-in gate for every request; start.py pins nothing), its whole process tree (launcher, gate, app "
            f"processes, nginx master and workers) allowed on CPUs {meta['server_cpus']} with taskset, every client "
            f"(one asyncio process) pinned to core {meta['client_core']}. Each session logs in at the gate as a "
            "browser does: GET of the log-in page, POST of its form (user tinh, xa or quantri in turn, password demo, "
            "the page's Origin), the 303 followed to the app's page with the session cookie, then the WebSocket "
            "`/_stcore/stream` through nginx with that cookie (and the Origin); the app resumes the gate's session "
            "from the cookie and draws the overview. Log-in → ready is timed from the form posted to the "
            "overview's `script_finished`; «the gate's answer»: from the form posted to the gate's answer (the 303 with the "
            "cookie; the rest is the app's page, the WebSocket and the overview's run). Server CPU: every process of the deployment's tree; «of which»: each "
            "app process, the gate, nginx (master + workers). Warm-up: three uncounted sessions (one per user) on "
            "each app process's own address, with a cookie from the gate, so that none is cold when the rows begin"
        )
    else:
        server = (
            "The server (`streamlit run dashboard/app.py` alone, its own log-in form) pinned to CPUs "
            f"{meta['server_cpus']}, every client (one asyncio process) to core {meta['client_core']}. Each session "
            "logs in as tinh, xa or quantri in turn (the log-in form's widgets filled and submitted). Warm-up: three "
            "uncounted sessions on the fresh server (one per user)"
        )
        title = "One Streamlit process, no proxy"
    lines = [
        f"<!-- {NAME}:{label}:begin -->",
        f"#### {title}" + (f" — {label}" if label != label_of(meta["deploy"]) else ""),
        "",
        f"`{meta['command']}` on {meta['date']}; load average before the run {meta['load']}, after "
        f"{meta['load_end']}. {server}: {meta['warm']}. Then each session opens every page of its role's menu in "
        f"turn. A step times out after {meta['step_s']:.0f} s, a run after {meta['run_s']:.0f} s.",
        "",
        table(rows),
        "",
    ]
    if ups:
        lines += [
            f"Concurrent uploads: {ups[0]['n']} committees submit their 2025 return at the same moment through "
            "`dashboard.reporting.submit_return` (the «Nộp báo cáo» page's path: the store's commit under its writer "
            "lock, then the reporting cycle's event log), on a copy of the province store with the 2025 period open; "
            f"{ups[0]['n'] - 1} with their own file, one with another committee's file, which must be refused. "
            "Landed: the final snapshot holds the committee's return as loaded by that committee's user and the cycle "
            "says «đã nộp, hợp lệ»; refused cleanly: a Vietnamese message, nothing written for it; lost: neither.",
            "",
            upload_table(ups),
            "",
        ]
    lines.append(f"<!-- {NAME}:{label}:end -->")
    return "\n".join(lines)


INTRO = (
    "Light clients that speak the app's own WebSocket protocol (Streamlit's `/_stcore/stream`, BackMsg / ForwardMsg "
    "protobufs, as the browser's frontend) instead of chromium: nothing is rendered and no static file fetched, so "
    "the client core is not the limit and the figures are the server's. Ready: the run's `script_finished` received "
    "(every delta of the run has arrived by then), from the message sent. Every page checked: its title arrived, no "
    "exception element, no error box, no «page not found» — a failed check counts as an error. Server CPU: utime + "
    "stime of the server's process tree (/proc); client CPU: the client process (the server's tree, its child, taken "
    "out); «cores used» = CPU-s / wall. Each configuration's block is replaced by its own next run "
    "(`python -m benchmarks.wsload`, `--deploy N` for the deployment); the others are kept."
)


def section(rows: list[dict], ups: list[dict], meta: dict, old: str = "") -> str:
    """The ws-sessions section: this run's block in its place (or after the others), every other block of `old`
    (other configurations, readings) kept as it was."""
    block = run_block(rows, ups, meta)
    blocks = report.labelled_blocks(NAME, old)
    if meta["label"] in dict(blocks):
        blocks = [(k, block if k == meta["label"] else b) for k, b in blocks]
    else:
        blocks.append((meta["label"], block))
    return "\n".join(
        [BEGIN, "### WebSocket clients (the server measured)", "", INTRO, ""] + [b + "\n" for _, b in blocks] + [END]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.wsload", description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20])
    ap.add_argument("--national", type=int, nargs="*", default=None, help="session counts on the national store")
    ap.add_argument("--national-data", type=Path, default=ROOT / "data" / "national" / "ws")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the national store")
    ap.add_argument("--uploads", type=int, default=20, help="concurrent submissions (0: none)")
    ap.add_argument("--step-timeout", type=float, default=120.0, help="seconds per log-in or page")
    ap.add_argument("--run-timeout", type=float, default=600.0, help="seconds per N")
    ap.add_argument("--deploy", type=int, default=0, help="N app processes behind deploy/start.py (0: streamlit alone)")
    ap.add_argument("--label", default=None, help="this run's block in the section (default: its configuration)")
    ap.add_argument("--server-core", type=int, default=0, help="the server's core (one process)")
    ap.add_argument(
        "--server-cpus",
        default=None,
        help="taskset CPU list of the server (default: --server-core; with --deploy 2 or more: every CPU)",
    )
    ap.add_argument("--client-core", type=int, default=1)
    ap.add_argument("--scratch", type=Path, default=None, help="where the run's data folder is made (default: /tmp)")
    ap.add_argument(
        "--sample-from",
        type=Path,
        default=None,
        help="a data folder holding `python -m etl sample`'s "
        "store and workbooks, copied instead of building them again",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    if a.server_cpus is None:
        a.server_cpus = f"0-{os.cpu_count() - 1}" if a.deploy > 1 else str(a.server_core)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    if a.scratch:
        a.scratch.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="wsload-", dir=a.scratch))
    # Before any project module is imported (etl.settings reads it once): the uploads run on this folder's store.
    os.environ["PARTYDASH_DATA"], os.environ["PARTYDASH_PROVINCE"] = str(data), "04"
    rows: list[dict] = []
    ups: list[dict] = []
    notes = []
    try:
        if a.sample_from:
            log(f"[wsload] the sample of {a.sample_from} copied into {data} …")
            for sub in ("parquet", "samples"):
                shutil.copytree(a.sample_from / sub, data / sub, symlinks=True)
        else:
            log(f"[wsload] python -m etl sample into {data} …")
            cmd = [sys.executable, "-m", "etl", "sample"]
            subprocess.run(cmd, env=os.environ, cwd=ROOT, check=True, stdout=sys.stderr)
        os.sched_setaffinity(0, {a.client_core})
        got, note = measure("province", data, "04", a.sessions, a)
        rows += got
        notes.append(note)
        if a.national:
            log(f"[wsload] national store in {a.national_data} …")
            nat = national_store(a.national_data, a.rebuild)
            got, note = measure("national", nat, "00", a.national, a)
            rows += got
            notes.append(note)
        if a.uploads:
            for mode in ("threads", "processes"):
                log(f"[wsload] {a.uploads} concurrent submissions ({mode}) …")
                ups.append(uploads(a.uploads, data, mode))
                log(upload_table(ups[-1:]))
                for m in ups[-1]["messages"][:5]:
                    log(f"  {m}")
    finally:
        shutil.rmtree(data, ignore_errors=True)
    cmd = "python -m benchmarks.wsload --sessions " + " ".join(map(str, a.sessions))
    cmd += f" --deploy {a.deploy}" if a.deploy else ""
    cmd += f" --label {a.label}" if a.label else ""
    if a.national:
        cmd += " --national " + " ".join(map(str, a.national))
    cmd += f" --uploads {a.uploads}" if a.uploads != 20 else ""
    meta = {
        "command": cmd,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "deploy": a.deploy,
        "label": a.label or label_of(a.deploy),
        "server_cpus": a.server_cpus,
        "client_core": a.client_core,
        "load": load,
        "load_end": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        "step_s": a.step_timeout,
        "run_s": a.run_timeout,
        "warm": "; ".join(notes),
    }
    text = a.out.read_text(encoding="utf-8") if a.out.exists() else "# Performance\n"
    sec = section(rows, ups, meta, text)
    print(run_block(rows, ups, meta))
    if not a.no_write:
        report.write_section(a.out, sec, BEGIN, END)
    lost = sum(r["lost"] + r["wrong"] for r in ups)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
