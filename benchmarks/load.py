"""Concurrent sessions against the real server: `python -m benchmarks.load --sessions 1 5 10` (not a timed test).

Builds the province sample (`python -m etl sample`) in a temporary data folder, starts `streamlit run
dashboard/app.py` pinned with taskset to core 0 and drives it from this process pinned to core 1: one headless
Debian chromium, N browser contexts at once, each logging in as a demo account (tinh, xa, quantri in turn) and then
visiting every page of its role's sidebar. Measures log-in → overview ready and page-ready (ready: the app connected,
its script no longer running, the page's first heading visible), errors and time-outs, the server's CPU-seconds per
page view (utime + stime of its process tree, /proc), the client's CPU-seconds (this process, the Playwright driver
and chromium), and the server's peak RSS. Bounded: a time-out per step and per run; an error is counted, never fatal.
Prints the table and writes it as the «Concurrent sessions» section of docs/PERFORMANCE.md (`--out`, `--no-write`);
the main benchmark's report keeps that section when it rewrites the file."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from benchmarks import report
from benchmarks.browser import CHROMIUM, FLAGS, READY
from benchmarks.report import log, markers, num, pct, write_section
from benchmarks.server import Meter, start_server, stop, tree

ROOT = Path(__file__).resolve().parent.parent
USERS = ["tinh", "xa", "quantri"]
BEGIN, END = markers("concurrent-sessions")
PAGES_BEGIN, PAGES_END = markers("page-by-page")
NATIONAL_BEGIN, NATIONAL_END = markers("national-pages")


# --- the sessions -------------------------------------------------------------------------------------------------


async def _ready(page, timeout_ms: int, previous: str | None = None) -> str:
    """Wait until the app is idle with a first heading (different from `previous`, the page left); its text."""
    await page.wait_for_function(
        """([sel, prev]) => {
            if (!document.querySelector(sel)) return false;
            const h = document.querySelector('[data-testid="stMain"] h1');
            return !!h && h.innerText.trim() !== '' && h.innerText !== prev;
        }""",
        arg=[READY, previous],
        timeout=timeout_ms,
    )
    return await page.locator('[data-testid="stMain"] h1').first.inner_text()


async def session(browser, url: str, user: str, res: dict, step_ms: int, deadline: float) -> None:
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    try:
        await page.goto(url, timeout=step_ms)
        await page.wait_for_selector(READY, timeout=step_ms)
        await page.get_by_label("Tên đăng nhập").fill(user)
        await page.get_by_label("Mật khẩu").fill("demo")
        form = page.locator('[data-testid="stMain"] h1')
        before = await form.first.inner_text() if await form.count() else None
        t = time.perf_counter()
        await page.get_by_role("button", name="Đăng nhập").click()
        title = await _ready(page, step_ms, before)
        await page.wait_for_selector('[data-testid="stSidebarNav"] a', timeout=step_ms)
        res["login"].append(time.perf_counter() - t)
        res["views"] += 1
        links = page.locator('[data-testid="stSidebarNav"] a')
        hrefs = [await links.nth(i).get_attribute("href") for i in range(await links.count())]
        for href in [h for h in hrefs if h][1:]:  # the first is the overview, already shown
            if time.time() > deadline:
                res["timeouts"] += 1
                return
            try:
                t = time.perf_counter()
                await page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').first.click()
                title = await _ready(page, step_ms, title)
                res["page"].append(time.perf_counter() - t)
                res["by_page"].setdefault(href.rsplit("/", 1)[-1] or "/", []).append(res["page"][-1])
                res["views"] += 1
                if await page.locator('[data-testid="stException"]').count():
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
    from playwright.async_api import async_playwright

    res: dict = {"n": n, "login": [], "page": [], "views": 0, "errors": 0, "timeouts": 0, "messages": [], "by_page": {}}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        deadline = time.time() + run_s
        t = time.perf_counter()
        await asyncio.gather(*(session(browser, url, USERS[i % 3], res, step_ms, deadline) for i in range(n)))
        res["wall_s"] = time.perf_counter() - t
        await browser.close()
    return res


# --- page by page: one session at a time, every page of each role ------------------------------------------------

ROLES = {"tinh": "province", "xa": "commune", "quantri": "admin"}
# resolves once the renderer's main thread has nothing left to do (the page drawn), or after 15 s
IDLE_JS = "() => new Promise(r => requestIdleCallback(() => r(), {timeout: 15000}))"


def _cpu(pid: int) -> float:
    return sum(cpu for cpu, _ in tree(pid).values())


async def _busy(cdp) -> float:
    """Seconds the page's renderer has spent running tasks so far (Chromium's Performance.getMetrics)."""
    metrics = (await cdp.send("Performance.getMetrics"))["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def _page_name(href: str | None) -> str:
    """A sidebar link's page: the last part of its path (the default page, at «/», is the overview)."""
    return urllib.parse.urlparse(href or "").path.strip("/").rsplit("/", 1)[-1] or "tong-quan"


async def _choose(page, label: str, option: str) -> None:
    """Open a sidebar select box and type an option's text (Enter, the timed part, picks it)."""
    await page.get_by_role("combobox", name=label).click()
    await page.keyboard.type(option)


# Marks the next run of the app's script: set once the app reports «running» after this point.
WATCH_RUN_JS = """() => {
    window.__ran = false;
    const app = document.querySelector('[data-testid="stApp"]');
    if (window.__obs) window.__obs.disconnect();
    window.__obs = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__ran = true;
    });
    window.__obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


async def _rerun_done(page, timeout_ms: int, text: str) -> str:
    """Wait until the app has run its script again (after WATCH_RUN_JS), is idle and shows `text`; the heading."""
    await page.wait_for_function(
        """([sel, text]) => window.__ran && !!document.querySelector(sel)
            && document.querySelector('[data-testid="stMain"]').innerText.includes(text)""",
        arg=[READY, text],
        timeout=timeout_ms,
    )
    return await page.locator('[data-testid="stMain"] h1').first.inner_text()


# A filter change as a user makes it on the overview: (name, select box, option typed, text the page then shows).
CHANGES = {
    "tinh": [
        ("filter: province Cao Bằng", "Tỉnh, thành phố", "Cao Bằng", "Bản đồ theo xã, phường"),
        ("filter: year 2024", "Năm báo cáo", "2024", "Tổng quan năm 2024"),
        ("filter: year 2025", "Năm báo cáo", "2025", "Tổng quan năm 2025"),
        ("filter: province Toàn quốc", "Tỉnh, thành phố", "Toàn quốc", "Bản đồ theo tỉnh, thành phố"),
    ],
    "xa": [
        ("filter: year 2024", "Năm báo cáo", "2024", "Tổng quan năm 2024"),
        ("filter: year 2025", "Năm báo cáo", "2025", "Tổng quan năm 2025"),
    ],
}
# At province scale (issue 12: a filter change ≤ 1 s): the year changes, the filter every page follows.
PROVINCE_CHANGES = {user: CHANGES["xa"] for user in ("tinh", "xa")}


async def page_by_page(
    browser,
    url: str,
    user: str,
    visits: int,
    step_ms: int,
    server_pid: int,
    changes: list[tuple[str, str, str, str]] = (),
    first: str = "log-in → tong-quan",
) -> list[dict]:
    """One session alone: log in as `user`, then every page of its sidebar, `visits` rounds, one view at a time,
    then (on the overview) each filter change of `changes`, `visits` times. For each view: seconds to ready (as
    the load rows), to settled (ready, then the browser idle), the server's CPU-seconds and the renderer main
    thread's busy seconds while it happened (nothing else runs meanwhile); `round` is the visit's round (0: the
    page's first visit in the session, -1: the log-in)."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    cdp = await ctx.new_cdp_session(page)
    await cdp.send("Performance.enable")
    views: list[dict] = []

    async def view(name: str, action, previous: str | None, rnd: int, shows: str | None = None) -> str | None:
        if shows is not None:
            await page.evaluate(WATCH_RUN_JS)
        c0, b0, t = _cpu(server_pid), await _busy(cdp), time.perf_counter()
        row = {"page": name, "user": user, "error": "", "round": rnd}
        try:
            await action()
            title = await (_ready(page, step_ms, previous) if shows is None else _rerun_done(page, step_ms, shows))
            row["ready"] = time.perf_counter() - t
            await page.evaluate(IDLE_JS)
            row["settled"] = time.perf_counter() - t
            if await page.locator('[data-testid="stException"]').count():
                row["error"] = "exception on the page"
        except Exception as e:  # counted, the session goes on
            row["error"], title = type(e).__name__, previous
        row["server"], row["browser"] = _cpu(server_pid) - c0, await _busy(cdp) - b0
        views.append(row)
        return title

    try:
        await page.goto(url, timeout=step_ms)
        await page.wait_for_selector(READY, timeout=step_ms)
        await page.evaluate(IDLE_JS)
        await page.get_by_label("Tên đăng nhập").fill(user)
        await page.get_by_label("Mật khẩu").fill("demo")
        form = page.locator('[data-testid="stMain"] h1')
        title = await form.first.inner_text() if await form.count() else None
        title = await view(first, page.get_by_role("button", name="Đăng nhập").click, title, -1)
        await page.wait_for_selector('[data-testid="stSidebarNav"] a', timeout=step_ms)
        links = page.locator('[data-testid="stSidebarNav"] a')
        hrefs = [h for i in range(await links.count()) if (h := await links.nth(i).get_attribute("href"))]
        for rnd in range(visits):
            for href in hrefs[1:] + hrefs[:1]:  # the overview, already shown, last
                link = page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').first
                title = await view(_page_name(href), link.click, title, rnd)
        for rnd in range(visits if changes else 0):
            for name, label, option, shows in changes:
                await _choose(page, label, option)
                title = await view(name, lambda: page.keyboard.press("Enter"), title, rnd, shows)
    except Exception as e:
        views.append({"page": "log-in or sidebar", "user": user, "error": type(e).__name__, "round": -1})
    finally:
        await ctx.close()
    return views


async def run_pages(url: str, visits: int, step_ms: int, server_pid: int, national: bool = False) -> list[dict]:
    """Every role's page-by-page session in turn, then its filter changes (CHANGES, PROVINCE_CHANGES); at national
    scale the first log-in is named as the one after a fresh server start (no warm-up session runs before it)."""
    from playwright.async_api import async_playwright

    out: list[dict] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for i, user in enumerate(USERS):
            log(f"[load] page by page as {user} …")
            kw = {"changes": (CHANGES if national else PROVINCE_CHANGES).get(user, [])}
            if national and i == 0:
                kw["first"] = FRESH
            out += await page_by_page(browser, url, user, visits, step_ms, server_pid, **kw)
            log(national_table(out) if national else page_table(out))
        await browser.close()
    return out


FRESH = "log-in → tong-quan (fresh server start)"
# Issue 13.5: log-in → overview ready after a fresh start, every page ready warm, a filter change.
GOAL_FRESH_S, GOAL_WARM_S = 3.0, 2.0


def national_table(views: list[dict]) -> str:
    """One row per (page or filter change, role), in the order first met: the first visit, then the warm visits
    (later rounds) median and p95 of ready, their settled median, server CPU-s and renderer busy-s (medians), the
    goal and its verdict (on the warm median; the log-ins on their one view)."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for v in views:
        groups.setdefault((v["page"], v["user"]), []).append(v)
    head = [
        "page / action",
        "role",
        "first visit ready (s)",
        "warm views",
        "warm ready median (s)",
        "warm ready p95 (s)",
        "warm settled median (s)",
        "server CPU-s (median)",
        "browser busy-s (median)",
        "goal (s)",
        "met",
        "errors",
    ]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (name, user), vs in groups.items():
        login = name.startswith("log-in")
        first = [v for v in vs if v.get("round", 0) <= 0 and "ready" in v]
        warm = [v for v in vs if (login or v.get("round", 0) > 0) and "ready" in v]
        col = lambda k, xs=warm: [v[k] for v in xs if k in v]  # noqa: E731
        goal = GOAL_FRESH_S if name == FRESH else GOAL_WARM_S
        verdict = pct(col("ready"), 0.5)
        errors = sorted({v["error"] for v in vs if v["error"]})
        out.append(
            "| "
            + " | ".join(
                [
                    name,
                    ROLES.get(user, user),
                    num(first[0]["ready"], 2) if first else "–",
                    str(len(warm)),
                    num(verdict, 2),
                    num(pct(col("ready"), 0.95), 2),
                    num(pct(col("settled"), 0.5), 2),
                    num(pct(col("server"), 0.5), 2),
                    num(pct(col("browser"), 0.5), 2),
                    f"≤ {goal:g}",
                    "–" if verdict is None else "đạt" if verdict <= goal else "chưa đạt",
                    f"{len([v for v in vs if v['error']])} {'(' + ', '.join(errors) + ')' if errors else ''}".strip(),
                ]
            )
            + " |"
        )
    return "\n".join(out)


def national_section(views: list[dict], meta: dict, reading: str = "") -> str:
    """The «Page by page, national» section: what a national user waits for in chromium (issue 13.5)."""
    warm = [v["ready"] for v in views if "ready" in v and v.get("round", 0) > 0 and not v["page"].startswith("filter")]
    changes = [v["ready"] for v in views if "ready" in v and v["page"].startswith("filter") and v.get("round", 0) > 0]
    fresh = [v["ready"] for v in views if v["page"] == FRESH and "ready" in v]
    trio = lambda xs: f"median {num(pct(xs, 0.5), 2)} s, p95 {num(pct(xs, 0.95), 2)} s, max {num(pct(xs, 1.0), 2)} s"  # noqa: E731
    return "\n".join(
        [
            NATIONAL_BEGIN,
            "## Page by page, national (what a national user waits for, in chromium)",
            "",
            f"`python -m benchmarks.load --scale national --data DIR --sessions --visits {meta['visits']}` on "
            f"{meta['date']}: the national synthetic store (34 provinces, 3,321 communes; PARTYDASH_PROVINCE=00), "
            f"the real server (`streamlit run dashboard/app.py`) started fresh, pinned to core {meta['server_core']}, "
            f"headless Debian chromium on core {meta['client_core']} (no GPU: WebGL by SwiftShader). Load average "
            f"before the run {meta['load']}, after {meta['load_end']}. No warm-up session: the first log-in (tinh) "
            "is the first request of the fresh server. Then one session at a time — tinh, xa, quantri — each "
            f"visiting every page of its sidebar {meta['visits']} times in turn (the overview last in each round); "
            "*first visit* = round 1, *warm* = the later rounds. Then, on the overview, the filter changes a user "
            "makes in the sidebar (a province chosen in «Tỉnh, thành phố», back to «Toàn quốc», a year changed in "
            f"«Năm báo cáo»; the option typed, the timed part is the Enter that picks it), {meta['visits']} rounds, "
            "warm = the later rounds. *Ready*: the app connected, its script run and finished, the page's heading "
            "(or, for a filter change, the text it then shows) on screen; *settled*: ready and then the browser "
            "idle (`requestIdleCallback`). Goals (issue 13.5): log-in → overview ≤ 3 s after a fresh start, every "
            "page ≤ 2 s warm, a filter change ≤ 2 s.",
            "",
            f"Log-in → overview after a fresh start: {num(pct(fresh, 1.0), 2)} s. Every page, warm: {trio(warm)}. "
            f"Filter changes, warm: {trio(changes)}.",
            "",
            national_table(views),
            "",
            *([reading, ""] if reading else []),
            NATIONAL_END,
        ]
    )


def page_table(views: list[dict]) -> str:
    """One row per (page, role), in the order first visited: views, ready p50 / p95 / max, settled p50, server CPU-s
    and renderer busy-s (p50), errors."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for v in views:
        groups.setdefault((v["page"], v["user"]), []).append(v)
    head = [
        "page",
        "role",
        "views",
        "ready p50 (s)",
        "ready p95 (s)",
        "ready max (s)",
        "settled p50 (s)",
        "server CPU-s p50",
        "browser busy-s p50",
        "errors",
    ]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (name, user), vs in groups.items():
        ok = [v for v in vs if "ready" in v]
        col = lambda k, ok=ok: [v[k] for v in ok if k in v]  # noqa: E731
        errors = sorted({v["error"] for v in vs if v["error"]})
        out.append(
            "| "
            + " | ".join(
                [
                    name,
                    ROLES.get(user, user),
                    str(len(vs)),
                    num(pct(col("ready"), 0.5), 2),
                    num(pct(col("ready"), 0.95), 2),
                    num(pct(col("ready"), 1.0), 2),
                    num(pct(col("settled"), 0.5), 2),
                    num(pct(col("server"), 0.5), 2),
                    num(pct(col("browser"), 0.5), 2),
                    f"{len([v for v in vs if v['error']])} {'(' + ', '.join(errors) + ')' if errors else ''}".strip(),
                ]
            )
            + " |"
        )
    return "\n".join(out)


def page_section(views: list[dict], meta: dict, label: str, old: str) -> str:
    """The page-by-page block with this run's table under `label`; the tables of other labels in `old` kept."""
    sub_begin, sub_end = f"<!-- page-by-page:{label}:begin -->", f"<!-- page-by-page:{label}:end -->"
    ready = [v["ready"] for v in views if "ready" in v and not v["page"].startswith("log-in")]
    sub = "\n".join(
        [
            sub_begin,
            f"### {label} ({meta['date']}; load average before the run {meta['load']}, after the page-by-page part "
            f"{meta['load_end']})",
            "",
            f"All page views: ready p50 {num(pct(ready, 0.5), 2)} s, p95 {num(pct(ready, 0.95), 2)} s, max "
            f"{num(pct(ready, 1.0), 2)} s.",
            "",
            page_table(views),
            "",
            sub_end,
        ]
    )
    kept = [block for other, block in report.labelled_blocks("page-by-page", old) if other != label]
    return "\n".join(
        [
            PAGES_BEGIN,
            "## Page by page",
            "",
            f"`python -m benchmarks.load` (the page-by-page part, `--visits {meta['visits']}`): the same server and "
            "client cores as above, but one session at a time — tinh, then xa, then quantri — each logging in, then "
            f"visiting every page of its sidebar {meta['visits']} times in turn (the overview last in each round), "
            "one view at a time after one uncounted warm-up session. *Ready*: as above (connected, script not "
            "running, the page's own heading shown); *settled*: ready and then the browser idle "
            "(`requestIdleCallback`: the page drawn). *Server CPU-s*: the server's process tree during the view; "
            "*browser busy-s*: the renderer's main-thread task time during the view (Chromium's "
            "`Performance.getMetrics` TaskDuration) — where the time goes, server or browser. Then, on the "
            "overview, the year changed as a user changes it (tinh and xa: «Năm báo cáo» opened, the year typed, the "
            f"timed part the Enter that picks it), {meta['visits']} rounds; ready for a filter change: the script "
            "run again and the new title shown. Target: ready ≤ 1 s warm for every page and every filter change.",
            "",
            *[k + "\n" for k in kept],
            sub,
            PAGES_END,
        ]
    )


# --- the report ---------------------------------------------------------------------------------------------------


def table(rows: list[dict]) -> str:
    head = [
        "N",
        "log-ins",
        "log-in → ready p50 / p95 / max (s)",
        "page views",
        "page-ready p50 / p95 / max (s)",
        "errors / time-outs",
        "wall (s)",
        "server CPU-s per view",
        "server CPU-s (cores used)",
        "client CPU-s",
        "server peak RSS (MB)",
    ]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        trio = lambda xs: " / ".join(num(pct(xs, q)) for q in (0.5, 0.95, 1.0))  # noqa: E731
        views = max(r["views"], 1)
        out.append(
            "| "
            + " | ".join(
                [
                    str(r["n"]),
                    f"{len(r['login'])}/{r['n']}",
                    trio(r["login"]),
                    str(len(r["page"])),
                    trio(r["page"]),
                    f"{r['errors']} / {r['timeouts']}",
                    num(r["wall_s"], 0),
                    num(r["server_cpu_s"] / views, 2),
                    f"{num(r['server_cpu_s'])} ({r['server_cpu_s'] / r['wall_s']:.2f})",
                    num(r["client_cpu_s"]),
                    num(r["server_rss"] / 1e6, 0),
                ]
            )
            + " |"
        )
    return "\n".join(out)


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
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    tmp = None if a.data else Path(tempfile.mkdtemp(prefix="load-"))
    data = a.data or tmp
    rows: list[dict] = []
    views: list[dict] = []
    warm_note = ""
    try:
        if tmp is not None:
            log(f"[load] python -m etl sample into {data} …")
            env = {**os.environ, "PARTYDASH_DATA": str(data), "PARTYDASH_PROVINCE": a.province}
            subprocess.run([sys.executable, "-m", "etl", "sample"], env=env, cwd=ROOT, check=True, stdout=sys.stderr)
        os.sched_setaffinity(0, {a.client_core})  # chromium and the driver inherit it
        server, url = start_server(data, a.server_core, a.province)
        try:
            if national and a.visits:  # first, on the fresh server: the log-in after a start is one of the figures
                views = run_pages_logged(url, a.visits, int(a.step_timeout * 1000), server.pid, national=True)
            if a.sessions or not national:
                log("[load] warm-up: one session, not counted …")
                warm = asyncio.run(run_n(1, url, int(a.step_timeout * 1000), a.run_timeout))
                warm_note = (
                    f"Before the rows, one uncounted warm-up session on the fresh server: log-in → ready "
                    f"{num(pct(warm['login'], 1.0))} s, slowest page {num(pct(warm['page'], 1.0))} s."
                )
            for n in a.sessions:
                log(f"[load] N = {n} …")
                with Meter(server.pid) as sm, Meter(os.getpid()) as cm:
                    r = asyncio.run(run_n(n, url, int(a.step_timeout * 1000), a.run_timeout))
                r["server_cpu_s"], r["server_rss"], r["client_cpu_s"] = sm.cpu_s, sm.peak_rss, cm.cpu_s
                rows.append(r)
                log(table(rows[-1:]))
                slow = sorted(((max(v), k) for k, v in r["by_page"].items()), reverse=True)[:4]
                log("  slowest pages: " + ", ".join(f"{k} {v:.1f} s" for v, k in slow))
                for m in r["messages"][:10]:
                    log(f"  {m}")
            if not national and a.visits:
                views = run_pages_logged(url, a.visits, int(a.step_timeout * 1000), server.pid)
        finally:
            stop(server)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "server_core": a.server_core,
        "client_core": a.client_core,
        "load": load,
        "step_s": a.step_timeout,
        "run_s": a.run_timeout,
        "warm": warm_note,
        "load_end": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        "visits": a.visits,
    }
    secs = []  # (section, begin, end) of this run
    if rows and not national:  # the concurrent-sessions section is the province's
        secs.append((section(rows, meta), BEGIN, END))
    elif rows:
        log(table(rows))
    if views and national:
        reading = a.reading.read_text(encoding="utf-8").strip() if a.reading else ""
        secs.append((national_section(views, meta, reading), NATIONAL_BEGIN, NATIONAL_END))
    elif views:
        old = a.out.read_text(encoding="utf-8") if a.out.exists() else ""
        secs.append((page_section(views, meta, a.label, old), PAGES_BEGIN, PAGES_END))
    for sec, begin, end in secs:
        print(sec)
        if not a.no_write:
            write_section(a.out, sec, begin, end)
    return 0


def run_pages_logged(url: str, visits: int, step_ms: int, server_pid: int, national: bool = False) -> list[dict]:
    views = asyncio.run(run_pages(url, visits, step_ms, server_pid, national))
    log(national_table(views) if national else page_table(views))
    return views


if __name__ == "__main__":
    sys.exit(main())
