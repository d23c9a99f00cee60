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

Prints the table and writes it as the «Concurrent sessions, WebSocket clients» section of docs/PERFORMANCE.md
(beside the browser section of benchmarks/load.py; `--out`, `--no-write`)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.load import END as BROWSER_END
from benchmarks.load import Meter, pct

ROOT = Path(__file__).resolve().parent.parent
USERS = ["tinh", "xa", "quantri"]
PASSWORD = "demo"
BEGIN, END = "<!-- ws-sessions:begin -->", "<!-- ws-sessions:end -->"
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


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


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

    def __init__(self, base: str, step_s: float):
        self.ws_url = base.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.base, self.step_s, self.ws = base, step_s, None
        self.query = ""

    async def __aenter__(self) -> Client:
        import websockets

        # No keep-alive pings: the frontend sends none either, and a server busy for 20 s must not be cut off by the
        # client; per-message deflate offered, as browsers do.
        self.ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, ping_interval=None, open_timeout=self.step_s
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


def menu(nav) -> list[tuple[str, str]]:
    """The pages of the menu (hidden ones left out; none while the menu is hidden): (page_script_hash, url path)."""
    if nav.position == nav.HIDDEN:
        return []
    return [(p.page_script_hash, p.url_pathname) for p in nav.app_pages if not p.is_hidden and not p.external_url]


async def log_in(c: Client, user: str) -> tuple[Run, Run]:
    """The form's run, then the submitted form's run (the overview)."""
    form = await c.rerun()
    ids = [form.widgets.get(label) for label in ("Tên đăng nhập", "Mật khẩu", "Đăng nhập")]
    if None in ids:
        raise CheckFailed(f"no log-in form (widgets {sorted(form.widgets)})")
    values = [(ids[0], "string_value", user), (ids[1], "string_value", PASSWORD), (ids[2], "trigger_value", True)]
    return form, await c.rerun(form.page_hash, values, c.query)


async def session(base: str, user: str, res: dict, step_s: float, deadline: float) -> None:
    step = "connect"
    try:
        async with Client(base, step_s) as c:
            step = "log-in"
            _, home = await log_in(c, user)
            if home.navigation is None:
                raise CheckFailed("no menu after log-in")
            here = dict((h, p) for h, p in menu(home.navigation)).get(home.page_hash, "tong-quan")
            home.check(here)
            res["login"].append(home.seconds)
            res["views"] += 1
            res["bytes"] += home.bytes
            for page_hash, path in menu(home.navigation):
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


async def run_n(n: int, base: str, step_s: float, run_s: float) -> dict:
    res: dict = {"n": n, "login": [], "page": [], "views": 0, "errors": 0, "timeouts": 0, "messages": [], "bytes": 0}
    res["by_page"] = {}
    deadline = time.time() + run_s
    t = time.perf_counter()
    await asyncio.gather(*(session(base, USERS[i % 3], res, step_s, deadline) for i in range(n)))
    res["wall_s"] = time.perf_counter() - t
    return res


# --- the server ---------------------------------------------------------------------------------------------------


def start_server(data: Path, province: str, core: int) -> tuple[subprocess.Popen, str]:
    from benchmarks.load import _free_port

    port = _free_port()
    env = {**os.environ, "PARTYDASH_DATA": str(data), "PARTYDASH_PROVINCE": province}
    cmd = ["taskset", "-c", str(core), sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py")]
    cmd += ["--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    out = open(data / "server.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"the Streamlit server was not healthy in 90 s (see {data / 'server.log'})")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def measure(scale: str, data: Path, province: str, sessions: list[int], a) -> tuple[list[dict], str]:
    server, base = start_server(data, province, a.server_core)
    rows = []
    try:
        log(f"[wsload] {scale}: warm-up, one session per user, not counted …")
        warm = asyncio.run(run_n(3, base, a.step_timeout, a.run_timeout))
        for m in warm["messages"]:
            log(f"  warm-up: {m}")
        note = f"{scale}: log-in → ready {_f(pct(warm['login'], 1.0), 2)} s, slowest page {_f(pct(warm['page'], 1.0), 2)} s"
        for n in sessions:
            log(f"[wsload] {scale} N = {n} …")
            with Meter(server.pid) as sm, Meter(os.getpid()) as cm:
                r = asyncio.run(run_n(n, base, a.step_timeout, a.run_timeout))
            # The server is a child of this process: its tree is taken out of the client's.
            r.update(scale=scale, server_cpu_s=sm.cpu_s, server_rss=sm.peak_rss, client_cpu_s=cm.cpu_s - sm.cpu_s)
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


def _f(v: float | None, digits: int = 1) -> str:
    return "–" if v is None else f"{v:,.{digits}f}"


def table(rows: list[dict]) -> str:
    head = [
        "scale",
        "N",
        "log-ins",
        "log-in → ready p50 / p95 / max (s)",
        "page views",
        "page-ready p50 / p95 / max (s)",
        "errors / time-outs",
        "wall (s)",
        "server CPU-s per view",
        "server CPU-s (cores used)",
        "client CPU-s (cores used)",
        "server peak RSS (MB)",
        "received per view (kB)",
    ]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    trio = lambda xs: " / ".join(_f(pct(xs, q), 2) for q in (0.5, 0.95, 1.0))  # noqa: E731
    for r in rows:
        views = max(r["views"], 1)
        cells = [
            r["scale"],
            str(r["n"]),
            f"{len(r['login'])}/{r['n']}",
            trio(r["login"]),
            str(len(r["page"])),
            trio(r["page"]),
            f"{r['errors']} / {r['timeouts']}",
            _f(r["wall_s"], 0),
            _f(r["server_cpu_s"] / views, 2),
            f"{_f(r['server_cpu_s'])} ({r['server_cpu_s'] / r['wall_s']:.2f})",
            f"{_f(r['client_cpu_s'])} ({r['client_cpu_s'] / r['wall_s']:.2f})",
            _f(r["server_rss"] / 1e6, 0),
            _f(r["bytes"] / views / 1e3, 0),
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
            f"| {_f(r['wall_s'], 1)} |"
        )
    return "\n".join(out)


def section(rows: list[dict], ups: list[dict], meta: dict) -> str:
    lines = [
        BEGIN,
        "### WebSocket clients (the server measured)",
        "",
        f"`{meta['command']}` on {meta['date']} (benchmarks/wsload.py). Light clients that speak the app's own "
        "WebSocket protocol (Streamlit's `/_stcore/stream`, BackMsg / ForwardMsg protobufs, as the browser's "
        "frontend) instead of chromium: nothing is rendered and no static file fetched, so the client core is no "
        "longer the limit and the figures are the server's. The server (`streamlit run dashboard/app.py`) pinned to "
        f"core {meta['server_core']}, every client (one asyncio process) to core {meta['client_core']}; load average "
        f"before the run {meta['load']}. Each session logs in as tinh, xa or quantri in turn (the log-in form's "
        "widgets filled and submitted), then opens every page of its role's menu in turn. Ready: the run's "
        "`script_finished` received (every delta of the run has arrived by then), from the message sent. Every page "
        "checked: its title arrived, no exception element, no error box, no «page not found» — a failed check counts "
        f"as an error. A step times out after {meta['step_s']:.0f} s, a run after {meta['run_s']:.0f} s. Server CPU: "
        "utime + stime of the server's process tree (/proc); client CPU: the client process (the server's tree, its child, "
        "taken out); «cores used» = CPU-s "
        "/ wall. Before the rows, three uncounted warm-up sessions on the fresh server (one per user): "
        f"{meta['warm']}.",
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
    if meta.get("reading"):
        lines += [meta["reading"], ""]
    lines.append(END)
    return "\n".join(lines)


def splice(text: str, sec: str) -> str:
    """Replace the section in text, or put it right after the browser section of benchmarks/load.py (or before
    «## Notes», or at the end)."""
    if BEGIN in text and END in text:
        return re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: sec, text, flags=re.S)
    i = text.find(BROWSER_END)
    if i >= 0:
        i += len(BROWSER_END)
        return text[:i] + "\n\n" + sec + text[i:]
    i = text.find("\n## Notes")
    if i >= 0:
        return text[: i + 1] + sec + "\n\n" + text[i + 1 :]
    return text.rstrip("\n") + "\n\n" + sec + "\n"


def keep_section(text: str, old: Path) -> str:
    """The main report `text` with this section of the file `old` kept (benchmarks/__main__.py rewrites the file)."""
    if not old.exists():
        return text
    m = re.search(re.escape(BEGIN) + ".*?" + re.escape(END), old.read_text(encoding="utf-8"), re.S)
    return splice(text, m.group(0)) if m else text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.wsload", description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20])
    ap.add_argument("--national", type=int, nargs="*", default=None, help="session counts on the national store")
    ap.add_argument("--national-data", type=Path, default=ROOT / "data" / "national" / "ws")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the national store")
    ap.add_argument("--uploads", type=int, default=20, help="concurrent submissions (0: none)")
    ap.add_argument("--step-timeout", type=float, default=120.0, help="seconds per log-in or page")
    ap.add_argument("--run-timeout", type=float, default=600.0, help="seconds per N")
    ap.add_argument("--server-core", type=int, default=0)
    ap.add_argument("--client-core", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    data = Path(tempfile.mkdtemp(prefix="wsload-"))
    # Before any project module is imported (etl.settings reads it once): the uploads run on this folder's store.
    os.environ["PARTYDASH_DATA"], os.environ["PARTYDASH_PROVINCE"] = str(data), "04"
    rows: list[dict] = []
    ups: list[dict] = []
    notes = []
    try:
        log(f"[wsload] python -m etl sample into {data} …")
        subprocess.run([sys.executable, "-m", "etl", "sample"], env=os.environ, cwd=ROOT, check=True, stdout=sys.stderr)
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
    if a.national:
        cmd += " --national " + " ".join(map(str, a.national))
    cmd += f" --uploads {a.uploads}" if a.uploads != 20 else ""
    meta = {
        "command": cmd,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "server_core": a.server_core,
        "client_core": a.client_core,
        "load": load,
        "step_s": a.step_timeout,
        "run_s": a.run_timeout,
        "warm": "; ".join(notes),
    }
    sec = section(rows, ups, meta)
    print(sec)
    if not a.no_write:
        a.out.write_text(splice(a.out.read_text(encoding="utf-8"), sec), encoding="utf-8")
        log(f"wrote {a.out}")
    lost = sum(r["lost"] + r["wrong"] for r in ups)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
