"""Concurrent sessions against the real server: `python -m benchmarks.load --sessions 1 5 10` (not a timed test).

Builds the province sample (`python -m etl sample`) in a temporary data folder, starts `streamlit run
dashboard/app.py` pinned with taskset to core 0 and drives it from this process pinned to core 1: one headless
Debian chromium, N browser contexts at once, each logging in as a demo account (tinh, xa, quantri in turn) and then
visiting every page of its role's sidebar. Measures log-in → overview ready and page-ready (ready: the app connected,
its script no longer running, the page's first heading visible), errors and time-outs, the server's CPU-seconds per
page view (utime + stime of its process tree, /proc), the client's CPU-seconds (this process, the Playwright driver
and chromium), and the server's peak RSS. Bounded: a time-out per step and per run; an error is counted, never fatal.
Prints the table and writes it as the «Concurrent sessions» section of docs/PERFORMANCE.md (`--out`, `--no-write`);
the main benchmark's report keeps that section when it rewrites the file. Then (`--visits`) the page-by-page part,
benchmarks/page_by_page.py; at `--scale national` that part alone, on the national store."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import page_by_page as pages
from benchmarks import report
from benchmarks.browser import CHROMIUM, SIDEBAR_LINKS, chromium, fill_log_in, has_exception, ready, sidebar_links
from benchmarks.report import load_average, log, log_run, markers, num, pct, publish, reading, trio, utc_now
from benchmarks.server import Meter, start_server, stop

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = markers("concurrent-sessions")


async def session(browser, url: str, user: str, res: dict, step_ms: int, deadline: float) -> None:
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    try:
        before = await fill_log_in(page, url, user, step_ms)
        t = time.perf_counter()
        await page.get_by_role("button", name="Đăng nhập").click()
        title = await ready(page, step_ms, before)
        await page.wait_for_selector(SIDEBAR_LINKS, timeout=step_ms)
        res["login"].append(time.perf_counter() - t)
        res["views"] += 1
        hrefs = await sidebar_links(page, step_ms)
        for i, href in list(enumerate(hrefs))[1:]:  # the first is the overview, already shown
            if time.time() > deadline:
                res["timeouts"] += 1
                return
            try:
                t = time.perf_counter()
                await page.locator(SIDEBAR_LINKS).nth(i).click()
                title = await ready(page, step_ms, title)
                res["page"].append(time.perf_counter() - t)
                res["by_page"].setdefault(pages.page_name(href), []).append(res["page"][-1])
                res["views"] += 1
                if await has_exception(page):
                    res["errors"] += 1
                    res["messages"].append(f"{user} {href}: exception on the page")
            except Exception as e:  # counted, the session goes on
                kind = "timeouts" if "Timeout" in type(e).__name__ else "errors"
                res[kind] += 1
                res["messages"].append(f"{user} {href}: {type(e).__name__}")
    except Exception as e:
        kind = "timeouts" if "Timeout" in type(e).__name__ else "errors"
        res[kind] += 1
        res["messages"].append(f"{user} log-in or sidebar: {type(e).__name__}")
    finally:
        await ctx.close()


async def run_n(n: int, url: str, step_ms: int, run_s: float) -> dict:
    res: dict = {"n": n, "login": [], "page": [], "views": 0, "errors": 0, "timeouts": 0, "messages": [], "by_page": {}}
    async with chromium() as browser:
        deadline = time.time() + run_s
        t = time.perf_counter()
        await asyncio.gather(*(session(browser, url, pages.USERS[i % 3], res, step_ms, deadline) for i in range(n)))
        res["wall_s"] = time.perf_counter() - t
    return res


def table(rows: list[dict]) -> str:
    head = ["N", "log-ins", "log-in → ready p50 / p95 / max (s)", "page views", "page-ready p50 / p95 / max (s)"]
    head += ["errors / time-outs", "wall (s)", "server CPU-s per view", "server CPU-s (cores used)", "client CPU-s"]
    body = [
        [
            str(r["n"]),
            f"{len(r['login'])}/{r['n']}",
            trio(r["login"]),
            str(len(r["page"])),
            trio(r["page"]),
            f"{r['errors']} / {r['timeouts']}",
            num(r["wall_s"], 0),
            num(r["server_cpu_s"] / max(r["views"], 1), 2),
            f"{num(r['server_cpu_s'])} ({r['server_cpu_s'] / r['wall_s']:.2f})",
            num(r["client_cpu_s"]),
            num(r["server_rss"] / 1e6, 0),
        ]
        for r in rows
    ]
    return report.table([*head, "server peak RSS (MB)"], body)


def section(rows: list[dict], meta: dict) -> str:
    return "\n".join(
        [
            BEGIN,
            "## Concurrent sessions",
            "",
            f"`python -m benchmarks.load --sessions {' '.join(str(r['n']) for r in rows)}` on {meta['date']}, "
            f"province scale (the calibrated sample of `python -m etl sample`). The real server (`streamlit run "
            f"dashboard/app.py`) pinned to core {meta['server_core']}, the clients (one headless chromium, one browser "
            f"context per session) to core {meta['client_core']}; load average before the run {meta['load']}. "
            "Each session logs in as tinh, xa or quantri in turn, then visits every page of its sidebar. Ready: "
            "the app connected, its script not running, the page's first heading shown. A step times out after "
            f"{meta['step_s']:.0f} s, a run after {meta['run_s']:.0f} s. Server CPU: utime + stime of the server's "
            "process tree over the run (/proc); client CPU: this process, the Playwright driver and chromium. "
            f"{meta['warm']}",
            "",
            table(rows),
            "",
            END,
        ]
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n")[0])
    ap.add_argument("--scale", choices=["province", "national"], default="province")
    ap.add_argument(
        "--data",
        type=Path,
        default=None,
        help="the data folder to serve (holding parquet/; required with --scale national, never deleted); "
        "province default: a fresh `python -m etl sample` in a temporary folder",
    )
    ap.add_argument(
        "--sessions",
        type=int,
        nargs="*",
        default=None,
        help="N of each row (none: no rows; default 1 5 10 at province scale, none at national scale)",
    )
    ap.add_argument("--visits", type=int, default=3, help="page by page: rounds of every page per role (0: none)")
    ap.add_argument("--label", default="latest", help="page by page: the name of this run's table (before, after…)")
    ap.add_argument("--reading", type=Path, default=None, help="national: a file whose text follows the table")
    ap.add_argument("--step-timeout", type=float, default=120.0, help="seconds per log-in or page")
    ap.add_argument("--run-timeout", type=float, default=600.0, help="seconds per N")
    ap.add_argument("--server-core", type=int, default=0)
    ap.add_argument("--client-core", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    if a.scale == "national" and a.data is None:
        ap.error("--scale national needs --data DIR (the national store, e.g. data/national/national)")
    if a.data is not None and not (a.data / "parquet" / "CURRENT").exists():
        ap.error(f"{a.data} holds no store (parquet/CURRENT)")
    if a.sessions is None:
        a.sessions = [1, 5, 10] if a.scale == "province" else []
    a.province = "04" if a.scale == "province" else "00"
    return a


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit("Debian chromium is missing: apt-get install -y chromium")
    national = a.scale == "national"
    load = load_average()
    tmp = None if a.data else Path(tempfile.mkdtemp(prefix="load-"))
    data = a.data or tmp
    rows: list[dict] = []
    views: list[dict] = []
    warm_note = ""
    step_ms = int(a.step_timeout * 1000)
    try:
        if tmp is not None:
            log(f"[load] python -m etl sample into {data} …")
            env = {**os.environ, "PARTYDASH_DATA": str(data), "PARTYDASH_PROVINCE": a.province}
            subprocess.run([sys.executable, "-m", "etl", "sample"], env=env, cwd=ROOT, check=True, stdout=sys.stderr)
        os.sched_setaffinity(0, {a.client_core})  # chromium and the driver inherit it
        server, url = start_server(data, a.server_core, a.province)
        try:
            if national and a.visits:  # first, on the fresh server: the log-in after a start is one of the figures
                views = pages.run_pages_logged(url, a.visits, step_ms, server.pid, national=True)
            if a.sessions or not national:
                log("[load] warm-up: one session, not counted …")
                warm = asyncio.run(run_n(1, url, step_ms, a.run_timeout))
                warm_note = (
                    f"Before the rows, one uncounted warm-up session on the fresh server: log-in → ready "
                    f"{num(pct(warm['login'], 1.0))} s, slowest page {num(pct(warm['page'], 1.0))} s."
                )
            for n in a.sessions:
                log(f"[load] N = {n} …")
                with Meter(server.pid) as sm, Meter(os.getpid()) as cm:
                    r = asyncio.run(run_n(n, url, step_ms, a.run_timeout))
                r["server_cpu_s"], r["server_rss"], r["client_cpu_s"] = sm.cpu_s, sm.peak_rss, cm.cpu_s
                rows.append(r)
                log_run(table(rows[-1:]), r["by_page"], r["messages"])
            if not national and a.visits:
                views = pages.run_pages_logged(url, a.visits, step_ms, server.pid)
        finally:
            stop(server)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    meta = {"date": utc_now(), "server_core": a.server_core, "client_core": a.client_core, "load": load}
    meta |= {"step_s": a.step_timeout, "run_s": a.run_timeout, "warm": warm_note, "load_end": load_average()}
    meta["visits"] = a.visits
    secs = []  # (section, begin, end) of this run
    if rows and not national:  # the concurrent-sessions section is the province's
        secs.append((section(rows, meta), BEGIN, END))
    elif rows:
        log(table(rows))
    if views and national:
        secs.append((pages.national_section(views, meta, reading(a.reading)), pages.NATIONAL_BEGIN, pages.NATIONAL_END))
    elif views:
        old = a.out.read_text(encoding="utf-8") if a.out.exists() else ""
        secs.append((pages.page_section(views, meta, a.label, old), pages.PAGES_BEGIN, pages.PAGES_END))
    for sec, begin, end in secs:
        publish(sec, a.out, a.no_write, begin, end)
    return 0


if __name__ == "__main__":
    sys.exit(main())
