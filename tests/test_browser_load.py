"""The chromium load benchmark (`python -m benchmarks.load`) against the real server: a session finds the menu the
app draws (dashboard/urlstate.py's st.page_link links; Streamlit's own menu is hidden) and opens every page of it,
and page by page names each view by the page its click opened. Nothing is timed (the time-outs are bounds)."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from benchmarks import load, page_by_page
from benchmarks.browser import chromium
from benchmarks.server import start_server, stop

pytestmark = pytest.mark.browser
# The menu of each demo account (wsclient.TITLES names every page), the overview first.
TINH = ["tong-quan", "bang-tong-hop", "chi-bo", "dang-vien", "ha-tang", "bi-thu", "muc-tieu", "ho-so-xa"]
XA = ["tong-quan", "bang-tong-hop", "chi-bo", "dang-vien", "ha-tang", "bi-thu", "muc-tieu", "ho-so-xa", "nop-bao-cao"]


@pytest.fixture(scope="module")
def url(sample_store, tmp_path_factory):
    data = tmp_path_factory.mktemp("load-data")
    shutil.copytree(sample_store, data / "parquet", symlinks=True)
    proc, base = start_server(data, 0, "04", log_to=data / "server.log")
    yield base
    stop(proc)


def test_a_chromium_session_opens_every_page_of_its_menu(url):
    res = asyncio.run(load.run_n(1, url, 120_000, 600))  # one session: tinh
    assert res["messages"] == [] and res["errors"] == res["timeouts"] == 0 and len(res["login"]) == 1
    assert set(TINH[1:]) <= set(res["by_page"]) and "tong-quan" not in res["by_page"]  # the overview: the log-in's
    assert len(res["page"]) == len(res["by_page"]) == res["views"] - 1


def test_page_by_page_names_each_view_by_the_page_it_opened(url):
    async def run():
        async with chromium() as browser:
            return await page_by_page.page_by_page(browser, url, "xa", 1, 120_000, 0)

    views = asyncio.run(run())
    assert [v["error"] for v in views] == [""] * len(views)
    names = [v["page"] for v in views]
    # the log-in, then each page of the menu but the overview, then the overview, last
    assert names[0] == "log-in → tong-quan" and names[-1] == "tong-quan"
    assert set(XA) <= set(names[1:]) and len(names[1:]) == len(set(names[1:]))
