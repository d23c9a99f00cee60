"""The main benchmark's report (`python -m benchmarks`): docs/PERFORMANCE.md as Markdown, every figure of each scale
next to its goal and «đạt» / «chưa đạt» (met / not met); the sections of the load benchmarks are kept
(benchmarks/report.py `keep_sections`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from benchmarks.goals import GOALS, first_start_goal, goal_of, goal_rows
from benchmarks.report import RESULTS_MARK, num, table, verdict

SCALES = ("province", "national", "tiny")
SCALE_TITLES = {
    "province": "Province (Cao Bằng calibrated sample)",
    "national": "National (34 provinces, synthetic)",
    "tiny": "Tiny (2 provinces, 2 years, 8 workbooks: the test suite's smoke run)",
}
SECTIONS = (
    "## Machine",
    "## Goals",
    "## Data sets",
    "## ETL",
    "## Query latency",
    "## Pages",
    "## Documents",
    "## Peak memory",
    "## Parquet store",
    "## First start",
    "## Notes",
)


NOTES = """\
- **How to run**: `.venv/bin/python -m benchmarks --scale province national` (≈ 10–15 min on 2 cores; the data of
  each scale is built once into `data/national/<scale>/`, git-ignored, and reused; `--rebuild` regenerates it).
  `--scale tiny` is the smoke run of the test suite (`tests/test_benchmark.py`, `--no-write`).
- **National data** (`synthetic/national.py`): every commune of the 34 provinces from `vietnam-provinces` as the units of one
  deployment (code «00»), plausible numpy-drawn distributions, deterministic (seed 20261124). Not calibrated: only the
  province sample reproduces published figures. Its reference tables (targets, published Biểu) are borrowed from
  Cao Bằng; the app runs as the national deployment (`PARTYDASH_PROVINCE=00`): the overview's map is the country by
  province (data/geo/provinces.geojson), a province's communes on a click.
- **ETL typing** (etl/annual_return/normalise.py `type_column`): a table's cells are typed a column at a time;
  only the cells that are not plain (a number typed as text, a fraction, an unknown code …) go through the per-cell
  path, whose messages are put back in reading order (tests/test_etl_column_typing.py). Parsing workers import
  etl/parse_worker.py: the readers and the schema, not the store.
- **Derived tables** (etl/views.py): what the views compute once per snapshot is written into the snapshot at load
  time, so a connection only creates views; the ETL figures include that step.
- **Pages** are timed server-side only (the script run in `AppTest`, including Streamlit's element serialisation);
  the browser's rendering and the websocket transfer of large tables or figures are not included.
- **Cold** query figures are on a freshly connected database, but with the operating system's file cache warm.
- Every step runs in a fresh process (`benchmarks/steps.py`), so peak RSS is per step; the ETL figure is one load of
  one year's workbooks into an empty store, including the worker start-up of `etl/load.py`.
- The baseline (`benchmarks/baseline.py`) is deliberately plain: a loop over files with `pd.read_excel(engine=
  "openpyxl")`, header found by matching the template's headers, labels mapped to codes, the same checks, one
  Parquet file per table. At national scale it reads a fixed random subset and is extrapolated linearly.
- **Concurrent sessions**: `python -m benchmarks.load` drives headless chromium (what a user's browser waits for; beyond
  one session the client core is the limit) and `python -m benchmarks.wsload` light clients of the app's WebSocket
  protocol (the server's own capacity, and concurrent submissions of returns); each writes its own section, which
  this report keeps when it rewrites the file."""


def data_section(scale: str, r: dict) -> str:
    p, st = r["prepare"], r["store"]
    rows = [
        ["Units (party committees)", f"{st['units']:,}"],
        ["Branch-years (all years)", f"{st['branch_years']:,}"],
        [f"Branches in {st['last_year']}", f"{st['branches_last']:,}"],
        [f"Members in {st['last_year']}", f"{st['members_last']:,}"],
        ["Committee member-years", f"{st['committee_rows']:,}"],
        ["Village-head rows", f"{st['head_rows']:,}"],
        ["Years", ", ".join(map(str, st["years"]))],
        ["Workbooks of one year (ETL input)", f"{p['files']:,} ({num(r['workbook_mb'])} MB)"],
        ["Store built by", p.get("store_built_by", "")],
    ]
    if not p.get("reused"):
        t = f"{num(p['prepare_s'])} s"
        if "generate_s" in p:
            t += (
                f" (generate {num(p['generate_s'])} s, write store {num(p['store_s'])} s, "
                f"write workbooks {num(p['workbooks_s'])} s)"
            )
        rows.append(["Preparation time (this run)", t])
    else:
        rows.append(["Preparation", "reused from an earlier run (same generator version)"])
    return table(["", ""], rows)


def etl_section(scale: str, r: dict) -> str:
    goal, g = goal_of(scale, "etl_s", " s")
    sp_goal, sp = goal_of(scale, "speedup", "×", "≥")
    e, b = r["etl"], r["baseline"]
    rows_e, rows_b = sum(e["rows"].values()), sum(b["rows_all"].values())
    speedup = b["wall_s_all"] / e["wall_s"]
    runs = ", ".join(num(x, 2) for x in r.get("etl_runs", [e["wall_s"]]))
    x = b["extrapolated"]
    rows = [
        ["Files", f"{e['files']:,}", f"{b['files']:,} of {b['total_files']:,}" if x else f"{b['files']:,}"],
        [
            "Rows (branches + committee + heads)",
            f"{rows_e:,} ({e['rows']['branches']:,} branches)",
            f"{rows_b:,}" + (" (extrapolated)" if x else ""),
        ],
        [
            "Wall time, one year",
            f"{num(e['wall_s'], 2)} s (runs: {runs})",
            f"{num(b['wall_s_all'], 2)} s" + (f" (extrapolated from {num(b['wall_s'], 2)} s)" if x else ""),
            goal,
            verdict(e["wall_s"], g),
        ],
        ["  of which reading the files", f"{num(e['read_s'], 2)} s"],
        [
            "  of which parse + validate + commit",
            f"{num(e['load_s'], 2)} s",
            f"read {num(b['read_s'], 2)} s, write {num(b['write_s'], 2)} s",
        ],
        ["Rows/s", f"{rows_e / e['wall_s']:,.0f}", f"{rows_b / b['wall_s_all']:,.0f}"],
        ["Speed-up", f"{num(speedup)}×", "1×", sp_goal, verdict(speedup, sp, higher_is_better=True)],
        [
            "Peak RSS",
            f"{num(e['rss_mb'], 0)} MB (+ workers {num(e['rss_children_mb'], 0)} MB)",
            f"{num(b['rss_mb'], 0)} MB",
        ],
    ]
    head = ["", "this ETL (polars + calamine)", "baseline (pandas + openpyxl)", "goal", "met"]
    out = [table(head, rows)]
    if x:
        out.append(
            f"\nThe baseline read a fixed random subset of {b['files']} of the {b['total_files']:,} workbooks "
            "(seed 1); its time is scaled linearly to all files."
        )
    out.append(
        "\nThe ETL uses a process per core for ≥ 32 files (etl/load.py); the baseline is a plain loop, one "
        "file after another."
    )
    return "\n".join(out)


def query_section(scale: str, r: dict) -> str:
    goal, g = goal_of(scale, "query_ms")
    q = r["queries"]
    rows = [["*connect: a new database for the snapshot (views, materialised tables)*", num(q["connect_ms"]["median"])]]
    rows += [
        [
            x["query"],
            num(x["cold_ms"]),
            num(x["cached"]["median"], 3),
            num(x["cached"]["p95"], 3),
            num(x["uncached"]["median"]),
            num(x["uncached"]["p95"]),
            goal,
            verdict(x["uncached"]["median"], g),
        ]
        for x in q["queries"]
    ]
    head = ["query", "cold ms", "warm (result cache) median ms", "p95", "warm (no result cache) median ms", "p95"]
    return (
        f"{q['reps']} repetitions per figure. *Cold*: first call on a freshly connected database with empty "
        f"result caches (connecting — first row — not included; the operating system's file cache is warm). "
        f"*Warm (result cache)*: repeated calls served by "
        f"`dashboard.data`'s per-snapshot cache. *Warm (no result cache)*: `data.clear_cache()` before each call, "
        f"database open — the honest figure, judged against the goal.\n\n" + table([*head, "goal ms", "met"], rows)
    )


def page_section(scale: str, r: dict) -> str:
    goal, g = goal_of(scale, "page_s")
    p = r["pages"]
    rows = [
        [
            x["page"],
            x["user"],
            "one commune" if x["filters"] == "commune" else "default",
            num(x["first_ms"] / 1000, 2),
            num(x["warm"]["median"] / 1000, 2),
            num(x["warm"]["p95"] / 1000, 2),
            goal,
            verdict(x["warm"]["median"] / 1000, g),
        ]
        for x in p["pages"]
    ]
    head = ["page", "user", "filters", "first visit s", "warm median s", "warm p95 s", "goal s", "met"]
    return (
        f"`AppTest` through `dashboard/app.py` (log-in, sidebar filters, navigation included), one process; "
        f"*first visit* = the first run of the page in the session (result caches filled by earlier pages only), "
        f"*warm* = {p['reps']} reruns of the same page. «One commune» = {p['commune']} selected in the sidebar "
        f"filter «xa».\n\n" + table(head, rows)
    )


def document_section(scale: str, r: dict) -> str:
    d = r.get("documents")
    if not d:
        return "(not measured in this run)"
    brief, bg = goal_of(scale, "brief_s", " s")
    rows = [
        ["One brief, first in the process (connection, font)", f"{num(d['brief_first_s'], 2)} s"],
        [
            f"One brief ({d['unit']}), median of {d['brief']['n']}",
            f"{num(d['brief']['median'], 2)} s",
            brief,
            verdict(d["brief"]["median"], bg),
        ],
    ]
    if "briefs_s" in d:
        goal, g = goal_of(scale, "briefs_s", " s")
        rows.append(
            [
                f"Briefs of {d['briefs_n']} of {d['units']} units in a row",
                f"{num(d['briefs_s'], 1)} s",
                goal,
                verdict(d["briefs_s"], g),
            ]
        )
    if "report" in d:
        goal, g = goal_of(scale, "report_s", " s")
        rows += [
            ["Province report, first in the process", f"{num(d['report_first_s'], 2)} s"],
            [
                f"Province report, median of {d['report']['n']}",
                f"{num(d['report']['median'], 2)} s",
                goal,
                verdict(d["report"]["median"], g),
            ],
        ]
    return (
        f"`python -m benchmarks.steps documents`: building the documents of {d['year']} as a click does, the result "
        "cache emptied before each build (figures through `dashboard/data.py`, then python-docx or Typst).\n\n"
        + table(["", "time", "goal", "met"], rows)
    )


def memory_rows(scale: str, r: dict) -> list[list[str]]:
    g = GOALS.get(scale, {}).get("rss_mb")
    e = r["etl"]
    return [
        [
            scale,
            "app (pages process)",
            f"{num(r['pages']['rss_mb'], 0)} MB",
            f"≤ {g:,.0f} MB" if g else "",
            verdict(r["pages"]["rss_mb"], g),
        ],
        [scale, "queries process", f"{num(r['queries']['rss_mb'], 0)} MB", "", ""],
        [
            scale,
            "ETL (main process / largest worker)",
            f"{num(e['rss_mb'], 0)} / {num(e['rss_children_mb'], 0)} MB",
            "",
            "",
        ],
        [scale, "baseline", f"{num(r['baseline']['rss_mb'], 0)} MB", "", ""],
    ]


def store_rows(scale: str, r: dict) -> list[list[str]]:
    st = r["store"]
    largest = ", ".join(f"{k} {v / 1e6:,.1f} MB" for k, v in st["by_table"].items())
    return [[scale, f"{st['bytes'] / 1e6:,.1f} MB", f"{st['files']:,}", largest]]


def first_start_section(f: dict) -> str:
    r = f["render"]
    rows = [
        [
            "Fresh data folder → `python -m etl sample` → app → log-in → overview rendered",
            f"{num(f['process_s'])} s",
            *first_start_goal(f),
        ],
        [
            "  `python -m etl sample` (write 300 workbooks, load them)",
            f"{num(f['sample_s'])} s" + ("" if f["sample_ok"] else " (FAILED)"),
        ],
        ["  app process: start, imports", f"{num(r['imports_s'])} s"],
        ["  app: first run (log-in page)", f"{num(r['first_run_s'])} s"],
        ["  app: log in → overview", f"{num(r['login_overview_s'])} s"],
        ["Overview rendered", "yes" if f["overview_rendered"] else f"no: {r.get('error') or r['titles']}"],
    ]
    if a := f.get("in_app"):
        rows.append(
            [
                "In-app first start (the app's `ensure_data` builds the sample): process wall time",
                f"{num(a['process_s'])} s",
                *first_start_goal(a),
            ]
        )
        rows.append(
            ["  overview rendered", "yes" if a["overview_rendered"] else f"**no**: {a.get('error') or a['titles']}"]
        )
    return (
        table(["", "", "goal", "met"], rows)
        + "\n\nThe dependency install (`pip install -r requirements.txt`) is not included."
    )


def render(results: dict) -> str:
    """The whole report as Markdown (results: scale -> figures, plus 'machine')."""
    m = results["machine"]
    scales = [s for s in SCALES if s in results]
    packages = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    out = [
        "# Performance",
        "",
        "Measured by `python -m benchmarks --scale province national` (see `benchmarks/`); this file is written by "
        "that command. Figures of the goals in the issue, each with its verdict: **đạt** (met) / **chưa đạt** "
        "(not met).",
        "",
        "## Machine",
        "",
        table(
            ["", ""],
            [
                ["Date", m["date"]],
                ["CPU", m["cpu"]],
                ["Cores", str(m["cores"])],
                ["RAM", m["ram"]],
                ["OS", m["os"]],
                ["Python", m["python"]],
                ["Packages", packages],
            ],
        ),
    ]
    for s in scales:
        if results[s].get("machine_date") and results[s]["machine_date"] != m["date"]:
            out.append(f"\n({s} scale measured on {results[s]['machine_date']}, kept from an earlier run.)")
    out += ["", "## Goals", "", table(["goal", "measured", "target", "met"], goal_rows(results)), ""]
    etl_intro = ["One year of returns (the workbooks of the last year), loaded into an empty store.", ""]
    for title, intro, section in (
        ("## Data sets", [], data_section),
        ("## ETL", etl_intro, etl_section),
        ("## Query latency", [], query_section),
        ("## Pages", [], page_section),
        ("## Documents", [], document_section),
    ):
        out += [title, "", *intro]
        for s in scales:
            out += [f"### {SCALE_TITLES[s]}", "", section(s, results[s]), ""]
    memory = [r for s in scales for r in memory_rows(s, results[s])]
    out += [
        "## Peak memory",
        "",
        "Peak resident set size (`ru_maxrss`) of each measuring process.",
        "",
        table(["scale", "process", "peak RSS", "goal", "met"], memory),
        "",
        "## Parquet store",
        "",
        "Size of the current snapshot (all years, all tables, reference tables included).",
        "",
        table(["scale", "size", "files", "largest tables"], [r for s in scales for r in store_rows(s, results[s])]),
        "",
        "## First start",
        "",
    ]
    fs = next((results[s]["first_start"] for s in scales if results[s].get("first_start")), None)
    out.append(first_start_section(fs) if fs else "(not measured in this run)")
    out += ["", "## Notes", "", NOTES, ""]
    compact = json.dumps(_rounded(results), ensure_ascii=False, separators=(",", ":"), default=str)
    out += ["", f"<!-- {RESULTS_MARK} {compact} -->", ""]
    return "\n".join(out)


def _rounded(x):
    if isinstance(x, float):
        return round(x, 3)
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_rounded(v) for v in x]
    return x


def previous_results(path: Path) -> dict:
    """The figures embedded in an earlier report (so a run of one scale keeps the other's)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    m = re.search(r"<!-- " + re.escape(RESULTS_MARK) + r" (.*) -->", text)
    if not m:
        return {}
    try:
        return json.loads(m.group(1))
    except json.JSONDecodeError:
        return {}
