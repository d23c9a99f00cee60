"""The load test's WebSocket client (benchmarks/wsload.py) against the real server: it logs in through the form's
widgets, gets its role's menu and pages, and its checks catch a page that is not the one asked for. Nothing is timed
(the time-outs are generous bounds, not measurements)."""

from __future__ import annotations

import asyncio
import re
import shutil
import time

import pytest

from benchmarks import wsload


@pytest.fixture(scope="module")
def base(sample_store, tmp_path_factory):
    data = tmp_path_factory.mktemp("wsload-data")
    shutil.copytree(sample_store, data / "parquet", symlinks=True)
    proc, url = wsload.start_server(data, "04", 0)
    yield url
    wsload.stop(proc)


def _res() -> dict:
    return {"login": [], "page": [], "views": 0, "errors": 0, "timeouts": 0, "messages": [], "bytes": 0, "by_page": {}}


def test_a_commune_session_logs_in_and_sees_every_page_of_its_menu(base):
    res = _res()
    asyncio.run(wsload.session(base, "xa", res, 120, time.time() + 600))
    assert res["messages"] == [] and res["errors"] == res["timeouts"] == 0
    assert len(res["login"]) == 1
    # the commune's own page is in its menu, the admin's are not (the menu came from the server's navigation)
    assert "nop-bao-cao" in res["by_page"] and "nap-du-lieu" not in res["by_page"]
    assert {"chi-bo", "ho-so-xa", "chat-luong"} <= set(res["by_page"])
    assert res["views"] == len(res["page"]) + 1 and res["bytes"] > 0


def test_a_wrong_password_and_a_wrong_page_fail_the_checks(base):
    async def go():
        async with wsload.Client(base, 120) as c:
            form = await c.rerun()
            ids = [form.widgets[label] for label in ("Tên đăng nhập", "Mật khẩu", "Đăng nhập")]
            bad = [(ids[0], "string_value", "tinh"), (ids[1], "string_value", "sai"), (ids[2], "trigger_value", True)]
            refused = await c.rerun(form.page_hash, bad)
            with pytest.raises(wsload.CheckFailed, match="title 'Đăng nhập'"):
                refused.check("tong-quan")  # still the log-in form: no overview
            assert refused.navigation is not None and not wsload.menu(refused.navigation)  # no menu before log-in
            _, home = await wsload.log_in(c, "tinh")
            assert home.check("tong-quan").startswith("Tổng quan năm")
            pages = dict((p, h) for h, p in wsload.menu(home.navigation))
            chi_bo = await c.rerun(pages["chi-bo"])
            with pytest.raises(wsload.CheckFailed):
                chi_bo.check("dang-vien")  # another page's title
            assert chi_bo.check("chi-bo") == "Xếp loại chi bộ"

    asyncio.run(go())


def test_the_main_report_keeps_both_concurrent_sections(tmp_path):
    from benchmarks import load

    old = tmp_path / "PERFORMANCE.md"
    browser = f"{load.BEGIN}\n## Concurrent sessions\nchromium table\n{load.END}"
    ws = f"{wsload.BEGIN}\n### WebSocket clients\nws table\n{wsload.END}"
    old.write_text(f"# Performance\n\n{browser}\n\n{ws}\n\n## Notes\n\n- a note\n", encoding="utf-8")
    fresh = "# Performance\n\n## Pages\n\nnew figures\n\n## Notes\n\n- a note\n"
    text = wsload.keep_section(load.keep_section(fresh, old), old)
    assert text.index("new figures") < text.index("chromium table") < text.index("ws table") < text.index("## Notes")
    assert text.count(wsload.BEGIN) == text.count(load.BEGIN) == 1
    # a new run of either replaces its own section only
    again = wsload.splice(text, f"{wsload.BEGIN}\nws table 2\n{wsload.END}")
    assert "ws table 2" in again and "ws table\n" not in again and "chromium table" in again


def test_no_polars_udf_in_the_app():
    """A polars UDF (map_elements, map_batches) in the server's code hung every session when five ran at once on one
    core (dashboard/fmt.py `py_map` says how); Python functions are applied in Python there."""
    from tests.conftest import ROOT

    found = [
        f"{p.relative_to(ROOT)}:{i}"
        for folder in ("dashboard", "pages", "etl", "reports")
        for p in sorted((ROOT / folder).rglob("*.py"))
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.map_(elements|batches|groups)\(", line)
    ]
    assert found == []
