"""The load test's WebSocket client (benchmarks/wsclient.py) against the real server: it logs in through the form's
widgets — or at the log-in gate of deploy/, served here in-process, with its cookie on the WebSocket —, gets its
role's menu and pages, and its checks catch a page that is not the one asked for. Nothing is timed (the time-outs
are generous bounds, not measurements)."""

from __future__ import annotations

import asyncio
import re
import shutil
import threading
import time

import pytest

from benchmarks import report, wsclient, wsload
from benchmarks.server import free_port, part_of
from dashboard import auth, gate, session


@pytest.fixture(scope="module")
def server(sample_store, tmp_path_factory):
    data = tmp_path_factory.mktemp("wsload-data")
    shutil.copytree(sample_store, data / "parquet", symlinks=True)
    proc, url = wsload.start_server(data, 0, "04", log_to=data / "server.log")
    yield url, data
    wsload.stop(proc)


@pytest.fixture(scope="module")
def base(server):
    return server[0]


@pytest.fixture
def gate_url(server):
    """dashboard/gate.py in this process, its sessions where the server's app looks for them (its data folder's
    users/): the app resumes a session the gate opened, as behind the proxy of deploy/."""

    class ServerGate(gate.Gate):
        users_root = server[1] / "users"
        is_sample = staticmethod(lambda: True)

    httpd = gate.serve(free_port())
    httpd.RequestHandlerClass = ServerGate
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _res() -> dict:
    return {"login": [], "page": [], "views": 0, "errors": 0, "timeouts": 0, "messages": [], "bytes": 0, "by_page": {}}


def test_a_commune_session_logs_in_and_sees_every_page_of_its_menu(base):
    res = _res()
    asyncio.run(wsclient.session(base, "xa", res, 120, time.time() + 600))
    assert res["messages"] == [] and res["errors"] == res["timeouts"] == 0
    assert len(res["login"]) == 1
    # the commune's own page is in its menu, the admin's are not (the menu came from the server's navigation)
    assert "nop-bao-cao" in res["by_page"] and "nap-du-lieu" not in res["by_page"]
    assert {"chi-bo", "ho-so-xa", "chat-luong"} <= set(res["by_page"])
    assert res["views"] == len(res["page"]) + 1 and res["bytes"] > 0


def test_a_wrong_password_and_a_wrong_page_fail_the_checks(base):
    async def go():
        async with wsclient.Client(base, 120) as c:
            form = await c.rerun()
            ids = [form.widgets[label] for label in ("Tên đăng nhập", "Mật khẩu", "Đăng nhập")]
            bad = [(ids[0], "string_value", "tinh"), (ids[1], "string_value", "sai"), (ids[2], "trigger_value", True)]
            refused = await c.rerun(form.page_hash, bad)
            with pytest.raises(wsclient.CheckFailed, match="title 'Đăng nhập'"):
                refused.check("tong-quan")  # still the log-in form: no overview
            assert refused.navigation is not None and not wsclient.menu(refused)  # no menu before log-in
            _, home = await wsclient.log_in(c, "tinh")
            assert home.check("tong-quan").startswith("Tổng quan năm")
            pages = dict((p, h) for h, p in wsclient.menu(home))
            chi_bo = await c.rerun(pages["chi-bo"])
            with pytest.raises(wsclient.CheckFailed):
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
    text = report.keep_sections(fresh, old)
    assert text.index("new figures") < text.index("chromium table") < text.index("ws table") < text.index("## Notes")
    assert text.count(wsload.BEGIN) == text.count(load.BEGIN) == 1
    # a new run of either replaces its own section only
    again = report.splice(text, f"{wsload.BEGIN}\nws table 2\n{wsload.END}", wsload.BEGIN, wsload.END)
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


def test_a_session_logs_in_at_the_gate_and_carries_its_cookie(server, gate_url):
    """The deployment's log-in path without nginx: the gate's form posted, its cookie on the app's WebSocket; the
    app opens the overview of that user (its menu) without its own log-in form."""
    base, data = server
    cookie = wsclient.gate_log_in(gate_url, "xa", 60, app=base)
    name, _, value = cookie.partition("=")
    assert name == session.COOKIE and session.check(value, data / "users").username == "xa"
    res = _res()
    asyncio.run(wsclient.session(base, "xa", res, 120, time.time() + 600, gate=gate_url))
    assert res["messages"] == [] and res["errors"] == res["timeouts"] == 0 and len(res["login"]) == 1
    assert "nop-bao-cao" in res["by_page"] and "nap-du-lieu" not in res["by_page"]  # the commune's menu

    async def first_run(cookie):
        async with wsclient.Client(base, 120, cookie) as c:
            return await c.rerun()

    assert asyncio.run(first_run(None)).headings[:1] == ["Đăng nhập"]  # without the cookie: the app's own form
    assert asyncio.run(first_run(cookie)).check("tong-quan").startswith("Tổng quan năm")


def test_a_wrong_password_at_the_gate_is_refused_with_its_message(base, gate_url):
    with pytest.raises(wsclient.CheckFailed, match=re.escape(f"log-in refused at the gate (HTTP 401) {auth.WRONG}")):
        wsclient.gate_log_in(gate_url, "tinh", 60, password="sai", app=base)
    res = _res()
    asyncio.run(wsclient.session(base, "quantri", res, 120, time.time() + 600, gate=gate_url))
    assert res["errors"] == 0 and "nap-du-lieu" in res["by_page"]  # a right one still works from this address


def test_the_server_tree_is_split_into_its_parts():
    """The deployment's CPU by part: each app process by its port, the gate, nginx (its processes rename
    themselves), anything else the launcher."""
    import os

    assert part_of(os.getpid()) == "launcher"
    assert part_of(2**22 + 12345) == "gone"
    assert wsload.parts({"app :8502": 2.0, "app :8501": 10.0, "gate": 0.5, "nginx": 0.3, "launcher": 0.0}, 12.8) == (
        "10.0 + 2.0 / 0.5 / 0.3"
    )
    assert wsload.parts({}, 3.0) == "3.0 / – / –"


def test_a_run_replaces_its_own_configuration_block_only():
    """docs/PERFORMANCE.md's ws-sessions section: a block per configuration (one process, --deploy N) and hand-written
    readings; a run replaces its own block where it stands and keeps every other one."""
    row = {"scale": "province", "n": 1, "login": [0.5], "gate": [0.1], "page": [0.3], "views": 2, "errors": 0}
    row |= {"timeouts": 0, "wall_s": 2.0, "server_cpu_s": 1.0, "client_cpu_s": 0.1, "server_rss": 5e8, "bytes": 1000}
    row["parts"] = {"app :8501": 0.9, "gate": 0.1}
    meta = {"command": "c", "date": "d", "load": "1", "load_end": "2", "step_s": 1.0, "run_s": 2.0, "warm": "w"}
    meta |= {"server_cpus": "0", "client_core": 1}
    name = wsload.NAME
    old = f"{wsload.BEGIN}\nintro\n<!-- {name}:one-process:begin -->\nbefore rows\n<!-- {name}:one-process:end -->\n"
    old += f"<!-- {name}:deploy-2:begin -->\nold rows\n<!-- {name}:deploy-2:end -->\n"
    old += f"<!-- {name}:reading:begin -->\nmy reading\n<!-- {name}:reading:end -->\n{wsload.END}"
    sec = wsload.section([row], [], {**meta, "deploy": 2, "label": wsload.label_of(2)}, old)
    assert "before rows" in sec and "my reading" in sec and "old rows" not in sec
    assert sec.index("before rows") < sec.index("`deploy/start.py --apps 2`") < sec.index("my reading")
    assert "| 0.50 / 0.50 / 0.50 | 0.10 / 0.10 |" in sec and "| 0.9 / 0.1 / – |" in sec
    sec = wsload.section([row], [], {**meta, "deploy": 1, "label": wsload.label_of(1)}, sec)
    assert sec.index("my reading") < sec.index(f"<!-- {name}:deploy-1:begin -->")  # a new configuration: at the end
    assert sec.count(wsload.BEGIN) == 1 and "--apps 2" in sec
