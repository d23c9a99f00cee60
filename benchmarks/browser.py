"""What every real-browser run of the app shares (the browser tests and the chromium benchmarks): Debian's
chromium, its flags, the selector of an app that is connected and idle; for the benchmarks, chromium started, the
log-in form filled, a page waited for, the renderer's busy time."""

from __future__ import annotations

import contextlib

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The app connected to its server and its script not running (a page run finished).
READY = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
HEADING = '[data-testid="stMain"] h1'
# The menu's links: dashboard/urlstate.py draws it with st.page_link (Streamlit's own menu, stSidebarNav, is hidden).
SIDEBAR_LINKS = '[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]'
# resolves once the renderer's main thread has nothing left to do (the page drawn), or after 15 s
IDLE_JS = "() => new Promise(r => requestIdleCallback(() => r(), {timeout: 15000}))"


@contextlib.asynccontextmanager
async def chromium():
    """Headless Debian chromium (Playwright), closed on leaving."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        await browser.close()


async def busy(cdp) -> float:
    """Seconds the page's renderer has spent running tasks so far (Chromium's Performance.getMetrics)."""
    metrics = (await cdp.send("Performance.getMetrics"))["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


async def ready(page, timeout_ms: int, previous: str | None = None) -> str:
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
    return await page.locator(HEADING).first.inner_text()


async def fill_log_in(page, url: str, user: str, step_ms: int, settle: bool = False) -> str | None:
    """Open the app, wait for its log-in form (and, with `settle`, the browser idle), type user and password «demo»;
    the form's heading (the page the log-in leaves). The click on «Đăng nhập» is the caller's (it times it)."""
    await page.goto(url, timeout=step_ms)
    await page.wait_for_selector(READY, timeout=step_ms)
    if settle:
        await page.evaluate(IDLE_JS)
    await page.get_by_label("Tên đăng nhập").fill(user)
    await page.get_by_label("Mật khẩu").fill("demo")
    form = page.locator(HEADING)
    return await form.first.inner_text() if await form.count() else None


async def sidebar_links(page, step_ms: int) -> list[str]:
    """The hrefs of the sidebar's page links, once there are any (after log-in), in the menu's order (the overview
    first, its href «»); a link is clicked by its place, `page.locator(SIDEBAR_LINKS).nth(i)`, as its href carries
    the filters."""
    await page.wait_for_selector(SIDEBAR_LINKS, timeout=step_ms)
    links = page.locator(SIDEBAR_LINKS)
    return [await links.nth(i).get_attribute("href") or "" for i in range(await links.count())]


async def has_exception(page) -> bool:
    return bool(await page.locator('[data-testid="stException"]').count())
