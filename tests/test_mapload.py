"""The national-map benchmark's bookkeeping (benchmarks/mapload.py): a map that never goes quiet is a time-out."""

from benchmarks.mapload import summarise, table


def probe(quiet: bool) -> dict:
    return {
        "frames": [[100.0, 500], [1000.0, 6_000_000], [1100.0, 40]],
        "long": [[900.0, 50.0], [1200.0, 3000.0]],
        "draws": [9, 4000.0, 40_000.0],
        "quiet": quiet,
    }


def test_summarise_times_from_the_largest_message():
    row = summarise(probe(True))
    assert row["payload"] == 6_000_540 and row["largest"] == 6_000_000 and row["arrive_ms"] == 1000.0
    assert row["first_draw_ms"] == 3000.0 and row["render_ms"] == 39_000.0
    assert row["long_ms"] == 3000.0 and row["timed_out"] is False


def test_a_load_that_is_not_quiet_is_a_time_out_in_the_table():
    row = summarise(probe(False)) | {"ready_s": 5.0, "busy_s": 120.0, "figure_json": 5_999_000}
    assert row["timed_out"] is True
    line = table([{"kind": "pydeck-all", "loads": [row], "error": "", "cap_s": 120.0, "click": "no"}]).splitlines()[2]
    assert "> 120 (time-out)" in line and "– (skipped)" in line and "| no |" in line


def test_a_quiet_map_reports_its_render_time():
    rows = [summarise(probe(True)) | {"ready_s": 5.0, "busy_s": 2.0, "figure_json": 1} for _ in range(3)]
    line = table([{"kind": "plotly-provinces", "loads": rows, "error": "", "cap_s": 120.0, "click": "48"}])
    assert "| 39.00 | 39.00 |" in line and "time-out" not in line
