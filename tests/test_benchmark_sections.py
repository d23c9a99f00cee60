"""Every table and section the benchmarks write into docs/PERFORMANCE.md, fed fixed recorded rows, gives the text
main's code gave for them before benchmarks/ was split into modules (tests/data/benchmark_sections.json, written by
that code): a split or a clean-up of the writers changes no byte of the report."""

from __future__ import annotations

import copy
import functools
import json

import pytest

from benchmarks import load, mapload, page_by_page, scale_report, wsload
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
GOLDEN = json.loads((DATA / "benchmark_sections.json").read_text(encoding="utf-8"))
# The figures embedded in docs/PERFORMANCE.md on 2026-12-04 (province, national, machine).
RESULTS = json.loads((DATA / "benchmark_results.json").read_text(encoding="utf-8"))


def results_variants() -> dict[str, dict]:
    """The recorded figures, and variants that take the other branches: one scale kept from an earlier run, data
    built in this run, no documents, a failed first start inside the app, tiny only."""
    full = copy.deepcopy(RESULTS)
    other = copy.deepcopy(RESULTS)
    other["national"]["machine_date"] = "2026-01-01T00:00"
    other["national"]["prepare"]["reused"] = False
    other["province"]["prepare"]["reused"] = False
    del other["province"]["documents"]["report"], other["province"]["documents"]["briefs_s"]
    del other["national"]["documents"]
    fs = other["province"]["first_start"]
    fs["sample_ok"] = fs["overview_rendered"] = fs["render"]["overview_rendered"] = False
    fs["render"]["error"] = "boom"
    fs["in_app"] |= {"overview_rendered": False, "error": "x" * 200}
    no_fs = copy.deepcopy(RESULTS)
    del no_fs["province"]["first_start"]["in_app"]
    nat = {"machine": RESULTS["machine"], "national": copy.deepcopy(RESULTS["national"])}
    tiny = {"machine": RESULTS["machine"], "tiny": copy.deepcopy(RESULTS["province"])}
    tiny["tiny"]["baseline"] |= {"extrapolated": True, "files": 7, "total_files": 60}
    return {"full": full, "other": other, "no-in-app": no_fs, "national": nat, "tiny": tiny}


def view(page, user, rnd, ready=None, error="", settled=0.1, server=0.2, browser=0.3):
    v = {"page": page, "user": user, "error": error, "round": rnd, "server": server, "browser": browser}
    return v | ({} if ready is None else {"ready": ready, "settled": ready + settled})


VIEWS = [
    view(page_by_page.FRESH, "tinh", -1, 3.4),
    *(view("chi-bo", "tinh", r, x) for r, x in ((0, 4.0), (1, 1.25), (2, 2.5))),
    view("chi-bo", "tinh", 2, error="TimeoutError"),
    *(view("muc-tieu", "xa", r, x, server=r / 3) for r, x in ((0, 0.9), (1, 0.5), (2, 0.7))),
    view("muc-tieu", "xa", 1, 0.6, error="exception on the page"),
    view("log-in → tong-quan", "xa", -1, 1.1),
    *(view("filter: year 2024", "xa", r, x) for r, x in ((0, 0.8), (1, 0.4), (2, 0.45))),
    view("log-in or sidebar", "quantri", -1, error="TimeoutError"),
]
LOAD_ROWS = [
    {"n": 1, "login": [2.1], "page": [0.5, 1.25, 0.8], "views": 4, "errors": 0, "timeouts": 0, "wall_s": 12.0},
    {"n": 5, "login": [], "page": [], "views": 0, "errors": 2, "timeouts": 3, "wall_s": 600.5},
]
for _r, _x in zip(LOAD_ROWS, ((3.2, 4.1, 6.5e8), (0.0, 9.9, 1.2e9))):
    _r["server_cpu_s"], _r["client_cpu_s"], _r["server_rss"] = _x
LOAD_META = {"date": "2026-12-04 01:46 UTC", "server_core": 0, "client_core": 1, "load": "1.0 / 2.0 / 3.0"}
LOAD_META |= {"load_end": "2.0 / 2.0 / 2.0", "step_s": 120.0, "run_s": 600.0, "warm": "Warm-up: 2 s.", "visits": 3}
OLD_PAGES = (
    "# P\n\n<!-- page-by-page:begin -->\nintro\n<!-- page-by-page:before:begin -->\nbefore table\n"
    "<!-- page-by-page:before:end -->\n<!-- page-by-page:reading:begin -->\nmy reading\n"
    "<!-- page-by-page:reading:end -->\n<!-- page-by-page:after:begin -->\nold after\n<!-- page-by-page:after:end -->\n"
    "<!-- page-by-page:end -->\n"
)

WS_ROWS = [
    {"scale": "province", "n": 1, "login": [0.5], "page": [0.3, 0.25], "views": 3, "errors": 0, "timeouts": 0},
    {"scale": "national", "n": 5, "login": [2.0, 3.5], "gate": [0.1, 0.3], "page": [], "views": 0, "errors": 1},
]
WS_ROWS[0] |= {"wall_s": 2.0, "server_cpu_s": 1.0, "client_cpu_s": 0.1, "server_rss": 5e8, "bytes": 123456}
WS_ROWS[0]["parts"] = {}
WS_ROWS[1] |= {"timeouts": 2, "wall_s": 40.0, "server_cpu_s": 30.5, "client_cpu_s": 2.2, "server_rss": 9e8}
WS_ROWS[1] |= {"bytes": 0, "parts": {"app :8502": 12.0, "app :8501": 17.25, "gate": 0.5, "nginx": 0.75}}
UPS = [
    {"mode": "threads", "n": 20, "landed": 19, "refused": 1, "lost": 0, "wrong": 0, "wall_s": 12.34},
    {"mode": "processes", "n": 20, "landed": 18, "refused": 1, "lost": 1, "wrong": 1, "wall_s": 20.0},
]
WS_META = {"command": "python -m benchmarks.wsload --sessions 1 5", "date": "2026-12-03 07:45 UTC", "load": "0.2"}
WS_META |= {"load_end": "9.8", "step_s": 120.0, "run_s": 600.0, "warm": "province: log-in → ready 2.34 s"}
WS_META |= {"server_cpus": "0", "client_core": 1, "deploy": 0, "label": "one-process"}
N = wsload.NAME
OLD_WS = (
    f"{wsload.BEGIN}\nintro\n<!-- {N}:one-process:begin -->\nbefore rows\n<!-- {N}:one-process:end -->\n"
    f"<!-- {N}:deploy-2:begin -->\nold rows\n<!-- {N}:deploy-2:end -->\n"
    f"<!-- {N}:reading:begin -->\nmy reading\n<!-- {N}:reading:end -->\n{wsload.END}"
)


def map_load(ready, render, timed_out=False, figure_json=5_999_000):
    row = {"payload": 6_000_540, "largest": 6_000_000, "arrive_ms": 1000.0, "first_draw_ms": 300.0, "draws": 9}
    row |= {"render_ms": render, "long_ms": 30.0, "timed_out": timed_out, "ready_s": ready, "busy_s": 2.5}
    return row | {"figure_json": figure_json}


MAPS = [
    {"kind": "plotly-provinces", "loads": [map_load(5.0, 4000.0), map_load(1.0, 900.0), map_load(1.2, 1100.0)]},
    {"kind": "plotly-province", "loads": [map_load(3.0, 2000.0), map_load(1.0, None, True, None)], "error": ""},
    {"kind": "plotly-all", "loads": [map_load(9.0, None, True)], "error": "", "click": "no"},
    {"kind": "pydeck-all", "loads": [], "error": "the kind's 420 s budget ran out"},
]
MAPS[0] |= {"error": "", "cap_s": 120.0, "click": "04"}
MAPS[1] |= {"cap_s": 60.0}
MAP_META = {"date": "2026-12-03 10:39 UTC", "loads": 3, "load": "0.8 / 1.9 / 2.2", "load_end": "1.8 / 2.0 / 2.1"}


@functools.cache
def cases() -> dict[str, str]:
    out = {f"render:{k}": scale_report.render(v) for k, v in results_variants().items()}
    for k in out.keys() - {"render:full"}:  # the figures embedded at the end: once is enough
        out[k] = out[k].split("\n<!-- benchmark-results:")[0]
    out |= {
        "load.table": load.table(LOAD_ROWS),
        "load.section": load.section(LOAD_ROWS, LOAD_META),
        "load.page_table": page_by_page.page_table(VIEWS),
        "load.page_section:new": page_by_page.page_section(VIEWS, LOAD_META, "latest", ""),
        "load.page_section:kept": page_by_page.page_section(VIEWS[1:6], LOAD_META, "after", OLD_PAGES),
        "load.national_table": page_by_page.national_table(VIEWS),
        "load.national_section": page_by_page.national_section(VIEWS, LOAD_META),
        "load.national_section:reading": page_by_page.national_section(VIEWS[:4], LOAD_META, "My reading."),
        "wsload.table": wsload.table(WS_ROWS),
        "wsload.upload_table": wsload.upload_table(UPS),
        "wsload.run_block:one-process": wsload.run_block(WS_ROWS, UPS, WS_META),
        "wsload.run_block:deploy-1": wsload.run_block(WS_ROWS[1:], [], WS_META | {"deploy": 1, "label": "x"}),
        "wsload.section:deploy-2": wsload.section(WS_ROWS, [], WS_META | {"deploy": 2, "label": "deploy-2"}, OLD_WS),
        "wsload.section:new": wsload.section(WS_ROWS, UPS, WS_META | {"label": "after"}, OLD_WS),
        "wsload.section:empty": wsload.section(WS_ROWS[:1], [], WS_META, ""),
        "mapload.table": mapload.table(MAPS),
        "mapload.section": mapload.section(MAPS, MAP_META, "The decision."),
    }
    return out


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_a_section_is_the_text_it_was(name):
    assert cases()[name] == GOLDEN[name], name


def test_every_section_is_compared():
    assert sorted(cases()) == sorted(GOLDEN)


def test_the_hand_written_etl_profile_survives_every_writer(tmp_path):
    # docs/PERFORMANCE.md's «ETL profile» is written by hand: the load benchmark replacing its section and the main
    # benchmark rewriting the report both keep it (it once sat inside the load benchmark's markers, to be erased)
    from benchmarks import report

    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text((ROOT / "docs" / "PERFORMANCE.md").read_text(encoding="utf-8"), encoding="utf-8")
    profile = report.marked(doc.read_text(encoding="utf-8"), *report.markers("etl-profile"))
    assert profile is not None and "## ETL profile" in profile
    begin, end = report.markers("concurrent-sessions")
    report.write_section(doc, f"{begin}\n## Concurrent sessions\nnew figures\n{end}", begin, end)
    after = doc.read_text(encoding="utf-8")
    assert profile in after and "new figures" in after
    assert profile in report.keep_sections("# Performance\n\n## Notes\n", doc)
