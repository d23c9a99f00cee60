"""The main benchmark's goals (the issue's, by scale) and its «Goals» table: each figure, its goal, its verdict."""

from __future__ import annotations

from benchmarks.report import NOT_MET, num, verdict

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


def goal_of(scale: str, key: str, unit: str = "", sign: str = "≤") -> tuple[str, float | None]:
    """(«≤ 5 s», or «» without a goal; the goal) of a figure at a scale."""
    g = GOALS.get(scale, {}).get(key)
    return (f"{sign} {g:g}{unit}" if g else ""), g


def first_start_goal(f: dict) -> list[str]:
    """The goal and verdict of a first start (a fresh data folder to a rendered overview)."""
    g = GOALS["first_start_s"]
    return [f"≤ {g:g} s", verdict(f["process_s"], g) if f["overview_rendered"] else NOT_MET]


def goal_rows(results: dict) -> list[list[str]]:
    """One row per goal of the issue: measured value, goal, verdict."""
    rows = []
    for scale in ("province", "national"):
        if r := results.get(scale):
            rows += scale_goal_rows(scale, r)
    fs = next(
        (results[s]["first_start"] for s in ("province", "national", "tiny") if results.get(s, {}).get("first_start")),
        None,
    )
    if fs:
        ok = fs["overview_rendered"]
        rows.append(
            [
                "First start: fresh data folder → `python -m etl sample` → rendered overview",
                f"{num(fs['process_s'])} s" + ("" if ok else " (overview NOT rendered)"),
                *first_start_goal(fs),
            ]
        )
        if a := fs.get("in_app"):
            failed = " — **failed**: " + (a.get("error") or "overview not rendered")[:120]
            rows.append(
                [
                    "First start inside the app (`streamlit run` on an empty data folder)",
                    f"{num(a['process_s'])} s" + ("" if a["overview_rendered"] else failed),
                    *first_start_goal(a),
                ]
            )
    return rows


def scale_goal_rows(scale: str, r: dict) -> list[list[str]]:
    g, etl = GOALS[scale], r["etl"]
    sp = r["baseline"]["wall_s_all"] / etl["wall_s"]
    worst = max(r["queries"]["queries"], key=lambda q: q["uncached"]["median"])
    worst_c = max(r["queries"]["queries"], key=lambda q: q["cached"]["median"])
    c = r["queries"]["connect_ms"]["median"] / 1000
    first = r["pages"]["pages"][0]  # the overview, first page of a fresh process (connection included)
    wp = max(r["pages"]["pages"], key=lambda p: p["warm"]["median"])
    rows = [
        [
            f"ETL one {scale} year (wall)",
            f"{num(etl['wall_s'], 2)} s",
            f"≤ {g['etl_s']:g} s",
            verdict(etl["wall_s"], g["etl_s"]),
        ],
        [
            f"ETL speed-up over pandas + openpyxl ({scale})",
            f"{num(sp)}×",
            f"≥ {g['speedup']:g}×",
            verdict(sp, g["speedup"], higher_is_better=True),
        ],
        [
            f"Slowest query warm, no result cache ({scale}, median)",
            f"{num(worst['uncached']['median'])} ms ({worst['query']})",
            f"≤ {g['query_ms']:g} ms",
            verdict(worst["uncached"]["median"], g["query_ms"]),
        ],
        [
            f"Slowest query warm, result cache ({scale}, median)",
            f"{num(worst_c['cached']['median'], 3)} ms",
            f"≤ {g['query_ms']:g} ms",
            verdict(worst_c["cached"]["median"], g["query_ms"]),
        ],
        [f"A new database connection ({scale}, median)", f"{num(c, 2)} s", "≤ 0.5 s", verdict(c, 0.5)],
        [
            f"First page after a start, server-side ({scale}: {first['page']}, connection included)",
            f"{num(first['first_ms'] / 1000, 2)} s",
            "≤ 2 s",
            verdict(first["first_ms"] / 1000, 2.0),
        ],
        [
            f"Slowest page warm ({scale}, median)",
            f"{num(wp['warm']['median'] / 1000, 2)} s ({wp['page']}, {wp['filters']})",
            f"≤ {g['page_s']:g} s",
            verdict(wp["warm"]["median"] / 1000, g["page_s"]),
        ],
        *document_goal_rows(scale, r),
    ]
    if "rss_mb" in g:
        rss = r["pages"]["rss_mb"]
        rows.append(
            [
                f"App peak RSS ({scale}, pages process)",
                f"{num(rss, 0)} MB",
                f"≤ {g['rss_mb']:,.0f} MB",
                verdict(rss, g["rss_mb"]),
            ]
        )
    return rows


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
