"""The performance benchmark runs end to end at a tiny scale (it must run, not meet the times), and the national
generator's workbooks read back as exactly the rows it generated."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest

from tests.conftest import ROOT


def test_national_workbooks_read_back_as_generated(tmp_path):
    from etl.annual_return import parse_return
    from synthetic.national import generate, national_config, write_workbooks

    config = national_config(["12"])  # Lai Châu: 38 communes
    nd = generate(config, years=(2024, 2025), log=None)
    assert nd.years() == [2024, 2025]
    units = sorted(nd.branches["unit_code"].unique().to_list())[:2]
    paths = write_workbooks(2025, tmp_path, nd, units=units, workers=1, log=None)
    assert [p.name for p in paths] == [f"2025_{u}.xlsx" for u in units]
    for p, unit in zip(paths, units):
        r = parse_return(p.read_bytes(), p.name, config)
        assert (r.unit_code, r.year, r.is_sample, r.warnings) == (unit, 2025, True, [])
        mine = (pl.col("year") == 2025) & (pl.col("unit_code") == unit)
        assert r.branches.equals(nd.branches.filter(mine))
        assert r.committee.equals(nd.committee.filter(mine))
        assert r.heads.equals(nd.heads.filter(mine))


@pytest.mark.slow  # the whole benchmark, at its smallest scale
def test_benchmark_tiny_scale_prints_every_section(tmp_path):
    from benchmarks.scale_report import SECTIONS

    doc = ROOT / "docs" / "PERFORMANCE.md"
    before = doc.stat().st_mtime_ns if doc.exists() else None
    cmd = [sys.executable, "-m", "benchmarks", "--scale", "tiny", "--data", str(tmp_path), "--no-write"]
    # No time limit of its own: on a loaded machine the run may be slow, and CI has its own limit.
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    for section in SECTIONS:
        assert f"\n{section}\n" in out, section
    for figure in (
        "Wall time, one year",
        "Speed-up",
        "progress · all targets and scopes",
        "tong_quan.py",
        "app (pages process)",
        "Briefs of 4 of",
        "Province report, median of 1",
        "committee_member",
    ):
        assert figure in out, figure
    assert "| Overview rendered | yes |" in out
    assert (doc.stat().st_mtime_ns if doc.exists() else None) == before, "--no-write must not touch the report"


def test_the_page_by_page_table_keeps_the_other_runs():
    """benchmarks/page_by_page.py: one row per (page, role); a run replaces its own label's table, keeps the others."""
    from benchmarks import page_by_page as pages
    from benchmarks import report

    views = [
        {"page": "muc-tieu", "user": "tinh", "error": "", "ready": r, "settled": r + 0.1, "server": 0.2, "browser": r}
        for r in (1.0, 3.0, 2.0)
    ] + [{"page": "muc-tieu", "user": "xa", "error": "TimeoutError", "server": 0.1, "browser": 0.1}]
    table = pages.page_table(views)
    assert "| muc-tieu | province | 3 | 2.00 | 3.00 | 3.00 | 2.10 | 0.20 | 2.00 | 0 |" in table
    assert "| muc-tieu | commune | 1 | – | – | – | – | – | – | 1 (TimeoutError) |" in table
    meta = {"date": "d", "load": "1", "load_end": "2", "visits": 3}
    first = pages.page_section(views, meta, "before", "")
    second = pages.page_section(
        views[:1], meta, "after", report.splice("# P\n", first, pages.PAGES_BEGIN, pages.PAGES_END)
    )
    again = pages.page_section(views[:2], meta, "after", second)
    assert again.count("page-by-page:before:begin") == 1 and again.count("page-by-page:after:begin") == 1
    assert "| muc-tieu | province | 2 |" in again and "| muc-tieu | province | 3 |" in again  # after, before


def test_load_national_option_plumbing(tmp_path):
    """benchmarks/load.py --scale national: needs a store in --data, runs no concurrent rows by default, serves the
    national deployment; its table judges the fresh log-in against 3 s and the warm rounds against 2 s."""
    import pytest

    from benchmarks import load
    from benchmarks import page_by_page as pages

    with pytest.raises(SystemExit):
        load.parse_args(["--scale", "national"])
    (tmp_path / "parquet").mkdir()
    (tmp_path / "parquet" / "CURRENT").write_text("x")
    a = load.parse_args(["--scale", "national", "--data", str(tmp_path)])
    assert (a.province, a.sessions, a.data) == ("00", [], tmp_path)
    assert load.parse_args([]).sessions == [1, 5, 10]
    v = lambda page, rnd, r: {"page": page, "user": "tinh", "error": "", "round": rnd, "ready": r, "settled": r}  # noqa: E731
    views = [v(pages.FRESH, -1, 3.5), v("chi-bo", 0, 9.0), v("chi-bo", 1, 1.0), v("chi-bo", 2, 3.0)]
    table = pages.national_table(views)
    assert f"| {pages.FRESH} | province | 3.50 | 1 | 3.50 |" in table and "≤ 3 | chưa đạt" in table
    assert "| chi-bo | province | 9.00 | 2 | 3.00 | 3.00 |" in table
    sec = pages.national_section(
        views, {"date": "d", "load": "1", "load_end": "2", "visits": 3, "server_core": 0, "client_core": 1}
    )
    assert sec.startswith(pages.NATIONAL_BEGIN) and sec.endswith(pages.NATIONAL_END)
