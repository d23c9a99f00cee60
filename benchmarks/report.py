"""The benchmark's output: Markdown tables, every figure next to its goal and «đạt» / «chưa đạt» (met / not met)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import sys
from importlib import metadata
from pathlib import Path

MET, NOT_MET, NO_GOAL = "đạt", "chưa đạt", "—"
RESULTS_MARK = "benchmark-results:"
SCALES = ("province", "national", "tiny")
SCALE_TITLES = {
    "province": "Province (Cao Bằng calibrated sample)",
    "national": "National (34 provinces, synthetic)",
    "tiny": "Tiny (2 provinces, 2 years, 8 workbooks: the test suite's smoke run)",
}
# The goals of the issue, by scale (tiny has none: it only has to run).
GOALS = {
    "province": {
        "etl_s": 2.0,
        "speedup": 10.0,
        "query_ms": 20.0,
        "page_s": 0.3,
        "brief_s": 1.0,
        "briefs_s": 60.0,
        "report_s": 5.0,
    },
    "national": {"etl_s": 60.0, "speedup": 10.0, "query_ms": 200.0, "page_s": 1.5, "rss_mb": 2048.0},
    "first_start_s": 60.0,
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


def machine() -> dict:
    cpu = "?"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    ram = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    versions = {}
    for pkg in ("duckdb", "polars", "streamlit", "pandas", "openpyxl", "numpy", "python-calamine", "pyarrow"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "-"
    return {
        "date": dt.datetime.now().isoformat(timespec="minutes"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def verdict(value: float | None, goal: float | None, higher_is_better: bool = False) -> str:
    if goal is None or value is None:
        return NO_GOAL
    ok = value >= goal if higher_is_better else value <= goal
    return MET if ok else NOT_MET


def num(v: float | None, digits: int = 1) -> str:
    """A figure of the report (1,234.5; «–» when there is none): every benchmark's one number format."""
    return "–" if v is None else f"{v:,.{digits}f}"


def pct(xs: list[float], q: float) -> float | None:
    """The q-quantile of xs by the nearest rank (a value that was measured), None for no values."""
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * len(xs) + 0.5) - 1))]


def log(msg: str) -> None:
    """Progress goes to stderr; stdout is the report."""
    print(msg, file=sys.stderr, flush=True)


def _table(head: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------ sections


def goal_rows(results: dict) -> list[list[str]]:
    """One row per goal of the issue: measured value, goal, verdict."""
    rows = []
    for scale in ("province", "national"):
        r = results.get(scale)
        if not r:
            continue
        g = GOALS[scale]
        etl = r["etl"]
        rows.append(
            [
                f"ETL one {scale} year (wall)",
                f"{num(etl['wall_s'], 2)} s",
                f"≤ {g['etl_s']:g} s",
                verdict(etl["wall_s"], g["etl_s"]),
            ]
        )
        sp = r["baseline"]["wall_s_all"] / etl["wall_s"]
        rows.append(
            [
                f"ETL speed-up over pandas + openpyxl ({scale})",
                f"{num(sp)}×",
                f"≥ {g['speedup']:g}×",
                verdict(sp, g["speedup"], higher_is_better=True),
            ]
        )
        worst = max(r["queries"]["queries"], key=lambda q: q["uncached"]["median"])
        rows.append(
            [
                f"Slowest query warm, no result cache ({scale}, median)",
                f"{num(worst['uncached']['median'])} ms ({worst['query']})",
                f"≤ {g['query_ms']:g} ms",
                verdict(worst["uncached"]["median"], g["query_ms"]),
            ]
        )
        worst_c = max(r["queries"]["queries"], key=lambda q: q["cached"]["median"])
        rows.append(
            [
                f"Slowest query warm, result cache ({scale}, median)",
                f"{num(worst_c['cached']['median'], 3)} ms",
                f"≤ {g['query_ms']:g} ms",
                verdict(worst_c["cached"]["median"], g["query_ms"]),
            ]
        )
        c = r["queries"]["connect_ms"]["median"] / 1000
        rows.append([f"A new database connection ({scale}, median)", f"{num(c, 2)} s", "≤ 0.5 s", verdict(c, 0.5)])
        first = r["pages"]["pages"][0]  # the overview, first page of a fresh process (connection included)
        rows.append(
            [
                f"First page after a start, server-side ({scale}: {first['page']}, connection included)",
                f"{num(first['first_ms'] / 1000, 2)} s",
                "≤ 2 s",
                verdict(first["first_ms"] / 1000, 2.0),
            ]
        )
        wp = max(r["pages"]["pages"], key=lambda p: p["warm"]["median"])
        rows.append(
            [
                f"Slowest page warm ({scale}, median)",
                f"{num(wp['warm']['median'] / 1000, 2)} s ({wp['page']}, {wp['filters']})",
                f"≤ {g['page_s']:g} s",
                verdict(wp["warm"]["median"] / 1000, g["page_s"]),
            ]
        )
        rows += document_goal_rows(scale, r)
        if "rss_mb" in g:
            rows.append(
                [
                    f"App peak RSS ({scale}, pages process)",
                    f"{num(r['pages']['rss_mb'], 0)} MB",
                    f"≤ {g['rss_mb']:,.0f} MB",
                    verdict(r["pages"]["rss_mb"], g["rss_mb"]),
                ]
            )
    fs = next((results[s]["first_start"] for s in SCALES if results.get(s, {}).get("first_start")), None)
    if fs:
        ok = fs["overview_rendered"]
        rows.append(
            [
                "First start: fresh data folder → `python -m etl sample` → rendered overview",
                f"{num(fs['process_s'])} s" + ("" if ok else " (overview NOT rendered)"),
                f"≤ {GOALS['first_start_s']:g} s",
                verdict(fs["process_s"], GOALS["first_start_s"]) if ok else NOT_MET,
            ]
        )
        a = fs.get("in_app")
        if a:
            rows.append(
                [
                    "First start inside the app (`streamlit run` on an empty data folder)",
                    f"{num(a['process_s'])} s"
                    + (
                        ""
                        if a["overview_rendered"]
                        else " — **failed**: " + (a.get("error") or "overview not rendered")[:120]
                    ),
                    f"≤ {GOALS['first_start_s']:g} s",
                    verdict(a["process_s"], GOALS["first_start_s"]) if a["overview_rendered"] else NOT_MET,
                ]
            )
    return rows


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
    return _table(["", ""], rows)


def etl_section(scale: str, r: dict) -> str:
    g = GOALS.get(scale, {})
    e, b = r["etl"], r["baseline"]
    rows_e = sum(e["rows"].values())
    rows_b = sum(b["rows_all"].values())
    sp = b["wall_s_all"] / e["wall_s"]
    runs = ", ".join(num(x, 2) for x in r.get("etl_runs", [e["wall_s"]]))
    out = [
        _table(
            ["", "this ETL (polars + calamine)", "baseline (pandas + openpyxl)", "goal", "met"],
            [
                [
                    "Files",
                    f"{e['files']:,}",
                    f"{b['files']:,} of {b['total_files']:,}" if b["extrapolated"] else f"{b['files']:,}",
                    "",
                    "",
                ],
                [
                    "Rows (branches + committee + heads)",
                    f"{rows_e:,} ({e['rows']['branches']:,} branches)",
                    f"{rows_b:,}" + (" (extrapolated)" if b["extrapolated"] else ""),
                    "",
                    "",
                ],
                [
                    "Wall time, one year",
                    f"{num(e['wall_s'], 2)} s (runs: {runs})",
                    f"{num(b['wall_s_all'], 2)} s"
                    + (f" (extrapolated from {num(b['wall_s'], 2)} s)" if b["extrapolated"] else ""),
                    f"≤ {g['etl_s']:g} s" if g else "",
                    verdict(e["wall_s"], g.get("etl_s")),
                ],
                ["  of which reading the files", f"{num(e['read_s'], 2)} s", "", "", ""],
                [
                    "  of which parse + validate + commit",
                    f"{num(e['load_s'], 2)} s",
                    f"read {num(b['read_s'], 2)} s, write {num(b['write_s'], 2)} s",
                    "",
                    "",
                ],
                ["Rows/s", f"{rows_e / e['wall_s']:,.0f}", f"{rows_b / b['wall_s_all']:,.0f}", "", ""],
                [
                    "Speed-up",
                    f"{num(sp)}×",
                    "1×",
                    f"≥ {g['speedup']:g}×" if g else "",
                    verdict(sp, g.get("speedup"), higher_is_better=True),
                ],
                [
                    "Peak RSS",
                    f"{num(e['rss_mb'], 0)} MB (+ workers {num(e['rss_children_mb'], 0)} MB)",
                    f"{num(b['rss_mb'], 0)} MB",
                    "",
                    "",
                ],
            ],
        )
    ]
    if b["extrapolated"]:
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
    g = GOALS.get(scale, {}).get("query_ms")
    q = r["queries"]
    rows = []
    for x in q["queries"]:
        rows.append(
            [
                x["query"],
                num(x["cold_ms"]),
                num(x["cached"]["median"], 3),
                num(x["cached"]["p95"], 3),
                num(x["uncached"]["median"]),
                num(x["uncached"]["p95"]),
                f"≤ {g:g}" if g else "",
                verdict(x["uncached"]["median"], g),
            ]
        )
    head = [
        "query",
        "cold ms",
        "warm (result cache) median ms",
        "p95",
        "warm (no result cache) median ms",
        "p95",
        "goal ms",
        "met",
    ]
    c = q["connect_ms"]
    rows.insert(
        0,
        [
            "*connect: a new database for the snapshot (views, materialised tables)*",
            num(c["median"]),
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    )
    return (
        f"{q['reps']} repetitions per figure. *Cold*: first call on a freshly connected database with empty "
        f"result caches (connecting — first row — not included; the operating system's file cache is warm). "
        f"*Warm (result cache)*: repeated calls served by "
        f"`dashboard.data`'s per-snapshot cache. *Warm (no result cache)*: `data.clear_cache()` before each call, "
        f"database open — the honest figure, judged against the goal.\n\n" + _table(head, rows)
    )


def page_section(scale: str, r: dict) -> str:
    g = GOALS.get(scale, {}).get("page_s")
    p = r["pages"]
    rows = []
    for x in p["pages"]:
        rows.append(
            [
                x["page"],
                x["user"],
                "one commune" if x["filters"] == "commune" else "default",
                num(x["first_ms"] / 1000, 2),
                num(x["warm"]["median"] / 1000, 2),
                num(x["warm"]["p95"] / 1000, 2),
                f"≤ {g:g}" if g else "",
                verdict(x["warm"]["median"] / 1000, g),
            ]
        )
    head = ["page", "user", "filters", "first visit s", "warm median s", "warm p95 s", "goal s", "met"]
    return (
        f"`AppTest` through `dashboard/app.py` (log-in, sidebar filters, navigation included), one process; "
        f"*first visit* = the first run of the page in the session (result caches filled by earlier pages only), "
        f"*warm* = {p['reps']} reruns of the same page. «One commune» = {p['commune']} selected in the sidebar "
        f"filter «xa».\n\n" + _table(head, rows)
    )


def document_goal_rows(scale: str, r: dict) -> list[list[str]]:
    """The documents' goals (province scale): one brief, every unit's brief, one report."""
    g, d = GOALS.get(scale, {}), r.get("documents")
    if not d or "brief_s" not in g:
        return []
    rows = [
        [
            f"One brief (PDF), warm, result cache emptied ({scale}, median)",
            f"{num(d['brief']['median'], 2)} s",
            f"≤ {g['brief_s']:g} s",
            verdict(d["brief"]["median"], g["brief_s"]),
        ]
    ]
    if "briefs_s" in d:
        rows.append(
            [
                f"Every unit's brief in a row ({d['briefs_n']} units, {scale})",
                f"{num(d['briefs_s'], 1)} s",
                f"≤ {g['briefs_s']:g} s",
                verdict(d["briefs_s"], g["briefs_s"]),
            ]
        )
    if "report" in d:
        rows.append(
            [
                f"Province situation report (Word), warm, result cache emptied ({scale}, median)",
                f"{num(d['report']['median'], 2)} s",
                f"≤ {g['report_s']:g} s",
                verdict(d["report"]["median"], g["report_s"]),
            ]
        )
    return rows


def document_section(scale: str, r: dict) -> str:
    d = r.get("documents")
    if not d:
        return "(not measured in this run)"
    g = GOALS.get(scale, {})
    rows = [
        ["One brief, first in the process (connection, font)", f"{num(d['brief_first_s'], 2)} s", "", ""],
        [
            f"One brief ({d['unit']}), median of {d['brief']['n']}",
            f"{num(d['brief']['median'], 2)} s",
            f"≤ {g['brief_s']:g} s" if "brief_s" in g else "",
            verdict(d["brief"]["median"], g.get("brief_s")),
        ],
    ]
    if "briefs_s" in d:
        rows.append(
            [
                f"Briefs of {d['briefs_n']} of {d['units']} units in a row",
                f"{num(d['briefs_s'], 1)} s",
                f"≤ {g['briefs_s']:g} s" if "briefs_s" in g else "",
                verdict(d["briefs_s"], g.get("briefs_s")),
            ]
        )
    if "report" in d:
        rows += [
            ["Province report, first in the process", f"{num(d['report_first_s'], 2)} s", "", ""],
            [
                f"Province report, median of {d['report']['n']}",
                f"{num(d['report']['median'], 2)} s",
                f"≤ {g['report_s']:g} s" if "report_s" in g else "",
                verdict(d["report"]["median"], g.get("report_s")),
            ],
        ]
    return (
        f"`python -m benchmarks.steps documents`: building the documents of {d['year']} as a click does, the result "
        "cache emptied before each build (figures through `dashboard/data.py`, then python-docx or Typst).\n\n"
        + _table(["", "time", "goal", "met"], rows)
    )


def memory_rows(scale: str, r: dict) -> list[list[str]]:
    g = GOALS.get(scale, {}).get("rss_mb")
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
            f"{num(r['etl']['rss_mb'], 0)} / {num(r['etl']['rss_children_mb'], 0)} MB",
            "",
            "",
        ],
        [scale, "baseline", f"{num(r['baseline']['rss_mb'], 0)} MB", "", ""],
    ]


def store_rows(scale: str, r: dict) -> list[list[str]]:
    st = r["store"]
    return [
        [
            scale,
            f"{st['bytes'] / 1e6:,.1f} MB",
            f"{st['files']:,}",
            ", ".join(f"{k} {v / 1e6:,.1f} MB" for k, v in st["by_table"].items()),
        ]
    ]


def render(results: dict) -> str:
    """The whole report as Markdown (results: scale -> figures, plus 'machine')."""
    m = results["machine"]
    scales = [s for s in SCALES if s in results]
    out = [
        "# Performance",
        "",
        "Measured by `python -m benchmarks --scale province national` (see `benchmarks/`); this file is written by "
        "that command. Figures of the goals in the issue, each with its verdict: **đạt** (met) / **chưa đạt** "
        "(not met).",
        "",
    ]
    out += [
        "## Machine",
        "",
        _table(
            ["", ""],
            [
                ["Date", m["date"]],
                ["CPU", m["cpu"]],
                ["Cores", str(m["cores"])],
                ["RAM", m["ram"]],
                ["OS", m["os"]],
                ["Python", m["python"]],
                ["Packages", ", ".join(f"{k} {v}" for k, v in m["versions"].items())],
            ],
        ),
    ]
    for s in scales:
        if results[s].get("machine_date") and results[s]["machine_date"] != m["date"]:
            out.append(f"\n({s} scale measured on {results[s]['machine_date']}, kept from an earlier run.)")
    out += ["", "## Goals", "", _table(["goal", "measured", "target", "met"], goal_rows(results)) or "(none)", ""]
    out += ["## Data sets", ""]
    for s in scales:
        out += [f"### {SCALE_TITLES[s]}", "", data_section(s, results[s]), ""]
    out += ["## ETL", "", "One year of returns (the workbooks of the last year), loaded into an empty store.", ""]
    for s in scales:
        out += [f"### {SCALE_TITLES[s]}", "", etl_section(s, results[s]), ""]
    out += ["## Query latency", ""]
    for s in scales:
        out += [f"### {SCALE_TITLES[s]}", "", query_section(s, results[s]), ""]
    out += ["## Pages", ""]
    for s in scales:
        out += [f"### {SCALE_TITLES[s]}", "", page_section(s, results[s]), ""]
    out += ["## Documents", ""]
    for s in scales:
        out += [f"### {SCALE_TITLES[s]}", "", document_section(s, results[s]), ""]
    out += [
        "## Peak memory",
        "",
        "Peak resident set size (`ru_maxrss`) of each measuring process.",
        "",
        _table(
            ["scale", "process", "peak RSS", "goal", "met"], [r for s in scales for r in memory_rows(s, results[s])]
        ),
        "",
    ]
    out += [
        "## Parquet store",
        "",
        "Size of the current snapshot (all years, all tables, reference tables included).",
        "",
        _table(["scale", "size", "files", "largest tables"], [r for s in scales for r in store_rows(s, results[s])]),
        "",
    ]
    out += ["## First start", ""]
    fs = next(((s, results[s]["first_start"]) for s in scales if results[s].get("first_start")), None)
    if fs:
        s, f = fs
        r = f["render"]
        rows = [
            [
                "Fresh data folder → `python -m etl sample` → app → log-in → overview rendered",
                f"{num(f['process_s'])} s",
                f"≤ {GOALS['first_start_s']:g} s",
                verdict(f["process_s"], GOALS["first_start_s"]) if f["overview_rendered"] else NOT_MET,
            ],
            [
                "  `python -m etl sample` (write 300 workbooks, load them)",
                f"{num(f['sample_s'])} s" + ("" if f["sample_ok"] else " (FAILED)"),
                "",
                "",
            ],
            ["  app process: start, imports", f"{num(r['imports_s'])} s", "", ""],
            ["  app: first run (log-in page)", f"{num(r['first_run_s'])} s", "", ""],
            ["  app: log in → overview", f"{num(r['login_overview_s'])} s", "", ""],
            ["Overview rendered", "yes" if f["overview_rendered"] else f"no: {r.get('error') or r['titles']}", "", ""],
        ]
        a = f.get("in_app")
        if a:
            rows.append(
                [
                    "In-app first start (the app's `ensure_data` builds the sample): process wall time",
                    f"{num(a['process_s'])} s",
                    f"≤ {GOALS['first_start_s']:g} s",
                    verdict(a["process_s"], GOALS["first_start_s"]) if a["overview_rendered"] else NOT_MET,
                ]
            )
            rows.append(
                [
                    "  overview rendered",
                    "yes" if a["overview_rendered"] else f"**no**: {a.get('error') or a['titles']}",
                    "",
                    "",
                ]
            )
        out.append(_table(["", "", "goal", "met"], rows))
        out.append("\nThe dependency install (`pip install -r requirements.txt`) is not included.")
    else:
        out.append("(not measured in this run)")
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


# --- the sections the load benchmarks write -----------------------------------------------------------------------

# docs/PERFORMANCE.md is the main benchmark's report (`render`) followed by the sections of the load benchmarks, in
# this order, each between `<!-- name:begin -->` and `<!-- name:end -->`: each program replaces its own section
# (`write_section`), and the main benchmark, which rewrites the rest, keeps them all (`keep_sections`).
KEPT = (
    "concurrent-sessions",  # benchmarks/load.py, chromium
    "ws-sessions",  # benchmarks/wsload.py, WebSocket clients
    "page-by-page",  # benchmarks/load.py --visits
    "national-pages",  # benchmarks/load.py --scale national
    "national-map",  # benchmarks/mapload.py
)


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def marked(text: str, begin: str, end: str) -> str | None:
    """The block of text from the marker begin to the marker end (both included), None when there is none."""
    m = re.search(re.escape(begin) + ".*?" + re.escape(end), text, re.S)
    return m.group(0) if m else None


def splice(text: str, sec: str, begin: str, end: str) -> str:
    """Replace the block between begin and end in text by sec; without one, put sec right after the last kept
    section before it in KEPT's order, else before «## Notes», else before the embedded figures, else at the end."""
    if begin in text and end in text:
        return re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: sec, text, flags=re.S)
    names = [n for n in KEPT if markers(n)[0] == begin]
    earlier = KEPT[: KEPT.index(names[0])] if names else ()
    for name in reversed(earlier):
        if (i := text.find(markers(name)[1])) >= 0:
            i += len(markers(name)[1])
            return text[:i] + "\n\n" + sec + text[i:]
    for anchor in ("\n## Notes", "\n<!-- " + RESULTS_MARK):
        i = text.find(anchor)
        if i >= 0:
            return text[: i + 1] + sec + "\n\n" + text[i + 1 :]
    return text.rstrip("\n") + "\n\n" + sec + "\n"


def keep_sections(text: str, old: Path) -> str:
    """The report `text` with every section of KEPT that the file `old` holds kept as it was there."""
    if not old.exists():
        return text
    previous = old.read_text(encoding="utf-8")
    for name in KEPT:
        if (block := marked(previous, *markers(name))) is not None:
            text = splice(text, block, *markers(name))
    return text


def write_section(out: Path, sec: str, begin: str, end: str) -> None:
    """Put the section sec (from begin to end) into the report file out, in its place; the rest stays."""
    text = out.read_text(encoding="utf-8") if out.exists() else "# Performance\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(splice(text, sec, begin, end), encoding="utf-8")
    log(f"wrote {out}")


def labelled_blocks(name: str, old: str) -> list[tuple[str, str]]:
    """The labelled sub-blocks (`<!-- name:label:begin -->` … `<!-- name:label:end -->`) inside the block `name`
    of old, in order: (label, block)."""
    outer = marked(old, *markers(name)) or ""
    pattern = rf"<!-- {re.escape(name)}:([^:]+):begin -->.*?<!-- {re.escape(name)}:\1:end -->"
    return [(m.group(1), m.group(0)) for m in re.finditer(pattern, outer, re.S)]
