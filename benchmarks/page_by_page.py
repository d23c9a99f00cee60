"""Page by page in chromium (part of `python -m benchmarks.load`): one session at a time — tinh, xa, quantri — each
logging in, then visiting every page of its sidebar `--visits` rounds, one view at a time, then making the filter
changes a user makes on the overview. For each view: seconds to ready and to settled, the server's CPU-seconds and
the renderer's busy seconds. Writes the «Page by page» section (province) or the «Page by page, national» section
(`--scale national`: judged against the goals of issue 13.5) of docs/PERFORMANCE.md."""

from __future__ import annotations

import asyncio
import time
import urllib.parse

from benchmarks import report
from benchmarks.browser import (
    IDLE_JS,
    READY,
    SIDEBAR_LINKS,
    busy,
    chromium,
    fill_log_in,
    has_exception,
    ready,
    sidebar_links,
)
from benchmarks.report import errors, log, markers, num, pct, verdict
from benchmarks.server import tree

USERS = ["tinh", "xa", "quantri"]
ROLES = {"tinh": "province", "xa": "commune", "quantri": "admin"}
PAGES_BEGIN, PAGES_END = markers("page-by-page")
NATIONAL_BEGIN, NATIONAL_END = markers("national-pages")
FRESH = "log-in → tong-quan (fresh server start)"
# Issue 13.5: log-in → overview ready after a fresh start, every page ready warm, a filter change.
GOAL_FRESH_S, GOAL_WARM_S = 3.0, 2.0
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


def _cpu(pid: int) -> float:
    return sum(cpu for cpu, _ in tree(pid).values())


def page_name(href: str | None) -> str:
    """A sidebar link's page: the last part of its path (the default page, at «/», is the overview)."""
    return urllib.parse.urlparse(href or "").path.strip("/").rsplit("/", 1)[-1] or "tong-quan"


async def _choose(page, label: str, option: str) -> None:
    """Open a sidebar select box and type an option's text (Enter, the timed part, picks it)."""
    await page.get_by_role("combobox", name=label).click()
    await page.keyboard.type(option)


async def _rerun_done(page, timeout_ms: int, text: str) -> str:
    """Wait until the app has run its script again (after WATCH_RUN_JS), is idle and shows `text`; the heading."""
    await page.wait_for_function(
        """([sel, text]) => window.__ran && !!document.querySelector(sel)
            && document.querySelector('[data-testid="stMain"]').innerText.includes(text)""",
        arg=[READY, text],
        timeout=timeout_ms,
    )
    return await page.locator('[data-testid="stMain"] h1').first.inner_text()


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
        c0, b0, t = _cpu(server_pid), await busy(cdp), time.perf_counter()
        row = {"page": name, "user": user, "error": "", "round": rnd}
        try:
            await action()
            title = await (ready(page, step_ms, previous) if shows is None else _rerun_done(page, step_ms, shows))
            row["ready"] = time.perf_counter() - t
            await page.evaluate(IDLE_JS)
            row["settled"] = time.perf_counter() - t
            if await has_exception(page):
                row["error"] = "exception on the page"
        except Exception as e:  # counted, the session goes on
            row["error"], title = type(e).__name__, previous
        row["server"], row["browser"] = _cpu(server_pid) - c0, await busy(cdp) - b0
        views.append(row)
        return title

    try:
        title = await fill_log_in(page, url, user, step_ms, settle=True)
        title = await view(first, page.get_by_role("button", name="Đăng nhập").click, title, -1)
        hrefs = await sidebar_links(page, step_ms)
        for rnd in range(visits):
            for i in [*range(1, len(hrefs)), 0]:  # the overview, already shown, last
                title = await view(page_name(hrefs[i]), page.locator(SIDEBAR_LINKS).nth(i).click, title, rnd)
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
    out: list[dict] = []
    async with chromium() as browser:
        for i, user in enumerate(USERS):
            log(f"[load] page by page as {user} …")
            kw = {"changes": (CHANGES if national else PROVINCE_CHANGES).get(user, [])}
            if national and i == 0:
                kw["first"] = FRESH
            out += await page_by_page(browser, url, user, visits, step_ms, server_pid, **kw)
            log(national_table(out) if national else page_table(out))
    return out


def run_pages_logged(url: str, visits: int, step_ms: int, server_pid: int, national: bool = False) -> list[dict]:
    views = asyncio.run(run_pages(url, visits, step_ms, server_pid, national))
    log(national_table(views) if national else page_table(views))
    return views


def _by_page(views: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """The views by (page or action, user), in the order first met."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for v in views:
        groups.setdefault((v["page"], v["user"]), []).append(v)
    return groups


def _col(views: list[dict], key: str) -> list[float]:
    return [v[key] for v in views if key in v]


def national_table(views: list[dict]) -> str:
    """One row per (page or filter change, role), in the order first met: the first visit, then the warm visits
    (later rounds) median and p95 of ready, their settled median, server CPU-s and renderer busy-s (medians), the
    goal and its verdict (on the warm median; the log-ins on their one view)."""
    head = ["page / action", "role", "first visit ready (s)", "warm views", "warm ready median (s)"]
    head += ["warm ready p95 (s)", "warm settled median (s)", "server CPU-s (median)", "browser busy-s (median)"]
    rows = []
    for (name, user), vs in _by_page(views).items():
        login = name.startswith("log-in")
        first = [v for v in vs if v.get("round", 0) <= 0 and "ready" in v]
        warm = [v for v in vs if (login or v.get("round", 0) > 0) and "ready" in v]
        goal = GOAL_FRESH_S if name == FRESH else GOAL_WARM_S
        median = pct(_col(warm, "ready"), 0.5)
        rows.append(
            [
                name,
                ROLES.get(user, user),
                num(first[0]["ready"], 2) if first else "–",
                str(len(warm)),
                num(median, 2),
                num(pct(_col(warm, "ready"), 0.95), 2),
                *(num(pct(_col(warm, k), 0.5), 2) for k in ("settled", "server", "browser")),
                f"≤ {goal:g}",
                "–" if median is None else verdict(median, goal),
                errors(vs),
            ]
        )
    return report.table([*head, "goal (s)", "met", "errors"], rows)


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
    head = ["page", "role", "views", "ready p50 (s)", "ready p95 (s)", "ready max (s)", "settled p50 (s)"]
    rows = []
    for (name, user), vs in _by_page(views).items():
        ok = [v for v in vs if "ready" in v]
        ready_s = [num(pct(_col(ok, "ready"), q), 2) for q in (0.5, 0.95, 1.0)]
        p50 = [num(pct(_col(ok, k), 0.5), 2) for k in ("settled", "server", "browser")]
        rows.append([name, ROLES.get(user, user), str(len(vs)), *ready_s, *p50, errors(vs)])
    return report.table([*head, "server CPU-s p50", "browser busy-s p50", "errors"], rows)


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
