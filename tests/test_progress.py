"""prg_progress (docs/METHODS.md §1 in SQL) against dashboard.methods.progress (Python), on every row of the sample,
plus one hand-made case per status and the split of targets into measurable and unmeasurable."""

from __future__ import annotations

import csv
import math

import polars as pl
import pytest

from dashboard import data, methods
from dashboard.scope import Filters, Scope
from etl.province import load_province
from tests.fixtures import branch, build_store, province_of

TARGETS_CSV = load_province("04").reference_dir / "targets.csv"
LINKS_CSV = load_province("04").folder / "target_links.csv"
SCOPE_BY = {"province": (), "unit": ("unit",), "type": ("type",)}


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-9)


def _linked_targets() -> list[dict]:
    """Every target linked to an indicator with the value, comparator, deadline and direction the method needs, read
    from the CSV files themselves (not through the SQL); the per-unit targets (a committee-year measure, «unit_…»)
    have no progress over time (tests/test_meeting_targets.py)."""
    raw = {r["target_id"]: r for r in csv.DictReader(TARGETS_CSV.open(encoding="utf-8"))}
    out = []
    for link in csv.DictReader(LINKS_CSV.open(encoding="utf-8")):
        if link["indicator_id"].startswith("unit_"):
            continue
        t = raw[link["target_id"]]
        out.append(
            {
                "target_id": link["target_id"],
                "indicator_id": link["indicator_id"],
                "subgroup": link["subgroup"] or None,
                "direction": int(link["direction"]),
                "value": float(link["value"] or t["value"]),
                "comparator": t["comparator"],
                "deadline": None if link["deadline_year"] == "annual" else int(link["deadline_year"]),
                # a target of some branch levels only (T003-04: branches under a đảng uỷ cơ sở or bộ phận)
                "levels": tuple(link.get("levels", "").split()),
            }
        )
    return out


def _complete_years(root) -> set[int]:
    """Years in which at least 95% of the configured units reported (only those stand for the province)."""
    units = data.units(Scope.province(), root=root).height
    reported = data.returns(Scope.province(), root=root).group_by("year").agg(pl.col("unit_code").n_unique())
    return {y for y, n in reported.iter_rows() if n >= 0.95 * units}


def _series(
    root, indicator_id: str, subgroup: str | None, levels: tuple[str, ...] = ()
) -> dict[tuple[str, str], dict[int, tuple[float, int]]]:
    """(scope_kind, scope_code) -> {year: (value, denominator)} straight from data.indicator, years with data only
    (for the province and the branch types, complete years only); a target of some levels: those levels."""
    out: dict[tuple[str, str], dict[int, tuple[float, int]]] = {}
    complete = _complete_years(root)
    for kind, by in SCOPE_BY.items():
        df = data.indicator(
            indicator_id, Filters(levels=levels), Scope.province(), by=("year", *by), subgroup=subgroup, root=root
        )
        for r in df.iter_rows(named=True):
            if kind != "unit" and r["year"] not in complete:
                continue
            if r["denominator"] and r["denominator"] > 0:
                code = "province" if kind == "province" else r[data.BY_COLUMNS[by[0]]]
                out.setdefault((kind, code), {})[r["year"]] = (r["value"], r["denominator"])
    return out


def python_progress(root) -> dict[tuple[str, str, str], dict]:
    """What dashboard.methods says for every target × scope, keyed like prg_progress."""
    out = {}
    cache: dict[tuple[str, str | None], dict] = {}
    for t in _linked_targets():
        key = (t["indicator_id"], t["subgroup"], t["levels"])
        if key not in cache:
            cache[key] = _series(root, *key)
        for (kind, code), points in cache[key].items():
            latest_year = max(points)
            # Annual targets ("every year ≥ 90%") are judged against the next year.
            deadline = t["deadline"] if t["deadline"] is not None else latest_year + 1
            p = methods.progress(
                {y: v for y, (v, _) in points.items()},
                t["value"],
                deadline,
                t["direction"],
                t["comparator"],
                percent=True,
                method="linear",
            )
            gap = methods.gap_in_units(
                p.latest, t["value"], points[latest_year][1], t["direction"], t["comparator"] in (">", "<")
            )
            out[(t["target_id"], kind, code)] = {
                "status": p.status,
                "baseline_year": p.baseline_year,
                "baseline": p.baseline,
                "latest_year": p.latest_year,
                "latest": p.latest,
                "observed_pace": p.observed_pace,
                "required_pace": p.required_pace,
                "ratio": p.ratio_linear,
                "projection": p.projection,
                "deadline": deadline,
                "gap_units": gap,
            }
    return out


def sql_progress(root, **kw) -> dict[tuple[str, str, str], dict]:
    df = data.progress(Scope.province(), root=root, **kw)
    return {(r["target_id"], r["scope_kind"], r["scope_code"]): r for r in df.iter_rows(named=True)}


def _same(expected: dict, got: dict) -> None:
    for field, want in expected.items():
        have = got[field]
        if want is None or isinstance(want, str):
            assert have == want, field
        else:
            assert have == approx(want), field


def test_sql_progress_equals_python_methods_on_every_row_of_the_sample(sample_store):
    py = python_progress(sample_store)
    sql = sql_progress(sample_store)
    assert len(py) > 2000  # 38 targets × (province + 60 units + 7 types), less the scopes without data
    assert set(sql) == set(py)
    wrong = []
    for key, expected in py.items():
        try:
            _same(expected, sql[key])
        except AssertionError as e:
            wrong.append((key, str(e).splitlines()[0], expected, {k: sql[key][k] for k in expected}))
    assert not wrong, wrong[:3]
    # every status occurs on the sample, so the comparison above exercised each branch of the method
    assert {v["status"] for v in py.values()} >= {
        "achieved",
        "on_track",
        "needs_acceleration",
        "limited_progress",
        "deteriorating",
    }


# ------------------------------------------------------------------------------------- one case per status

U_ACHIEVED, U_ON_TRACK, U_ACCELERATE = "01273", "01279", "01288"
U_LIMITED, U_DOWN, U_ONE_YEAR = "01290", "01294", "01297"


def _uses(unit: str, year: int, using: int, total: int) -> tuple:
    """A return whose `total` branches (chi bộ cơ sở, Đảng) include `using` with the e-handbook app."""
    rows = [branch(f"{unit}.{i}", "co_so", "dang", good=1, ehandbook=i < using) for i in range(total)]
    return unit, year, rows, (), ()


# ehandbook (target T000-03: 100% by 2030, higher is better), by unit:
#   U_ACHIEVED    2024 1/2 = 50%      2025 2/2 = 100%
#   U_ON_TRACK    2024 0/4 = 0%       2025 3/4 = 75%
#   U_ACCELERATE  2024 3/7 = 42.857%  2025 1/2 = 50%
#   U_LIMITED     2024 1/2 = 50%      2025 1/2 = 50%
#   U_DOWN        2024 2/2 = 100%     2025 1/2 = 50%
#   U_ONE_YEAR                        2025 1/2 = 50%
PROGRESS_RETURNS = [
    _uses(U_ACHIEVED, 2024, 1, 2),
    _uses(U_ACHIEVED, 2025, 2, 2),
    _uses(U_ON_TRACK, 2024, 0, 4),
    _uses(U_ON_TRACK, 2025, 3, 4),
    _uses(U_ACCELERATE, 2024, 3, 7),
    _uses(U_ACCELERATE, 2025, 1, 2),
    _uses(U_LIMITED, 2024, 1, 2),
    _uses(U_LIMITED, 2025, 1, 2),
    _uses(U_DOWN, 2024, 2, 2),
    _uses(U_DOWN, 2025, 1, 2),
    _uses(U_ONE_YEAR, 2025, 1, 2),
]


@pytest.fixture(scope="module")
def progress_store(tmp_path_factory):
    # a province of exactly these six units (2025: all six report; 2024: five, U_ONE_YEAR starts in 2025)
    return build_store(
        tmp_path_factory.mktemp("progress"), PROGRESS_RETURNS, province_of({r[0] for r in PROGRESS_RETURNS})
    )


def _unit_rows(root) -> dict[str, dict]:
    rows = sql_progress(root, target_id="T000-03", scope_kind="unit")
    return {code: r for (_, _, code), r in rows.items()}


HAND = {
    # 100% ≥ 100% → achieved; required pace (100−100)/(2030−2025) = 0, so no ratio; projection 100+50·5 → 100
    U_ACHIEVED: dict(
        status="achieved",
        baseline=50.0,
        latest=100.0,
        observed_pace=50.0,
        required_pace=0.0,
        ratio=None,
        projection=100.0,
        gap_units=0,
    ),
    # observed 75−0 = 75/yr; required (100−75)/5 = 5/yr; R = 75/5 = 15 ≥ 0.95; projection 75+75·5 → 100;
    # gap ceil((100−75)/100 · 4) = 1 branch
    U_ON_TRACK: dict(
        status="on_track",
        baseline=0.0,
        latest=75.0,
        observed_pace=75.0,
        required_pace=5.0,
        ratio=15.0,
        projection=100.0,
        gap_units=1,
    ),
    # observed 50 − 300/7 = 50/7 = 7.142857/yr; required (100−50)/5 = 10/yr; R = 0.7142857 in [0.60, 0.95);
    # projection 50 + 5·50/7 = 85.714286; gap ceil(0.5 · 2) = 1
    U_ACCELERATE: dict(
        status="needs_acceleration",
        baseline=300 / 7,
        latest=50.0,
        observed_pace=50 / 7,
        required_pace=10.0,
        ratio=5 / 7,
        projection=50 + 250 / 7,
        gap_units=1,
    ),
    # observed 0/yr; R = 0/10 = 0 in [0, 0.60)
    U_LIMITED: dict(
        status="limited_progress",
        baseline=50.0,
        latest=50.0,
        observed_pace=0.0,
        required_pace=10.0,
        ratio=0.0,
        projection=50.0,
        gap_units=1,
    ),
    # observed 50−100 = −50/yr; R = −50/10 = −5 < 0; projection 50−50·5 = −200 → clipped to 0
    U_DOWN: dict(
        status="deteriorating",
        baseline=100.0,
        latest=50.0,
        observed_pace=-50.0,
        required_pace=10.0,
        ratio=-5.0,
        projection=0.0,
        gap_units=1,
    ),
    # one year only: no pace, no ratio, no projection
    U_ONE_YEAR: dict(
        status="insufficient_data",
        baseline=50.0,
        latest=50.0,
        observed_pace=None,
        required_pace=10.0,
        ratio=None,
        projection=None,
        gap_units=1,
    ),
}


@pytest.mark.parametrize("unit", list(HAND))
def test_each_status_by_hand(progress_store, unit):
    got = _unit_rows(progress_store)[unit]
    assert (got["target_value"], got["comparator"], got["deadline"]) == (100.0, ">=", 2030)
    assert (got["baseline_year"], got["latest_year"]) == ((2025, 2025) if unit == U_ONE_YEAR else (2024, 2025))
    _same(HAND[unit], got)


def test_hand_made_store_agrees_with_python_too(progress_store):
    py = {k: v for k, v in python_progress(progress_store).items() if k[0] == "T000-03"}
    sql = sql_progress(progress_store, target_id="T000-03")
    assert set(sql) == set(py)
    for key, expected in py.items():
        _same(expected, sql[key])
    # the province: 2024 (1+0+3+1+2)/(2+4+7+2+2) = 7/17 comes from 5 of the 6 units (83% < 95%: not the
    # province's year), so its series is 2025 alone, (2+3+1+1+1+1)/(2+4+2+2+2+2) = 9/14: one year, no pace
    prov = sql[("T000-03", "province", "province")]
    assert (prov["baseline_year"], prov["latest"], prov["status"]) == (2025, approx(900 / 14), "insufficient_data")
    raw = data.indicator("ehandbook", Filters(), Scope.province(), root=progress_store)
    assert raw.select("year", "numerator", "denominator").rows() == [(2024, 7, 17), (2025, 9, 14)]


# ----------------------------------------------------------------------------------- measurable or not


def test_targets_linked_and_unmeasurable(sample_store):
    t = data.targets(root=sample_store)
    with TARGETS_CSV.open(encoding="utf-8") as f:
        all_ids = [r["target_id"] for r in csv.DictReader(f)]
    with LINKS_CSV.open(encoding="utf-8") as f:
        linked = {r["target_id"]: r["indicator_id"] for r in csv.DictReader(f)}
    assert t.height == len(all_ids) == 67  # one row per target, none lost or doubled by the link join
    assert sorted(t["target_id"].to_list()) == sorted(all_ids)
    measured = dict(t.filter(pl.col("indicator_id").is_not_null()).select("target_id", "indicator_id").iter_rows())
    assert measured == linked
    unmeasurable = set(t.filter(pl.col("indicator_id").is_null())["target_id"])
    assert unmeasurable == set(all_ids) - set(linked)
    # 60 of the 67 are measured from the 2026 return on (38 before the meetings sheet); the 7 others say why
    assert (len(linked), len(unmeasurable)) == (60, 7)
    assert unmeasurable == {"T001-08", "T001-09", "T001-10", "T002-01", "T004-12", "T004-13", "T004-14"}
    # "Chi bộ ban hành và thực hiện nghiêm quy chế làm việc = 100%": measured by the meetings sheet from 2026
    assert linked["T000-01"] == "meet_rules"
    row = t.filter(pl.col("target_id") == "T000-16").row(0, named=True)
    assert (row["indicator_id"], row["direction"]) == ("secretary_deputy_trained", 1)
    # progress over time is computed for the targets linked to an indicator (the per-unit ones: prg_unit_targets);
    # on the calibrated sample (2021–2025, no meetings) the meeting targets have no point yet
    by_indicator = {k for k, v in linked.items() if not v.startswith("unit_")}
    with_points = set(data.progress(Scope.province(), root=sample_store)["target_id"])
    assert with_points == {k for k in by_indicator if not linked[k].startswith("meet_")}
    assert data.progress(Scope.province(), target_id="T000-01", root=sample_store).height == 0


@pytest.mark.slow  # a store built for this test
def test_a_target_links_csv_with_an_old_indicator_id_still_links_its_target(tiny_province_store, tmp_path):
    # A deployment's own target_links.csv written before the rename: T000-16 → «sec_trained» (now an alias of
    # «secretary_deputy_trained»). Loaded, the target is measured as with the id now: 2024 5/9, 2025 5/8
    # (tests/test_query_cli.py works the progress out by hand).
    import shutil
    from dataclasses import replace

    from tests.fixtures import TINY_MEETINGS, TINY_RETURNS, A, B

    folder = tmp_path / "04"
    shutil.copytree(LINKS_CSV.parent, folder)
    links = (folder / "target_links.csv").read_text(encoding="utf-8")
    assert "\nT000-16,secretary_deputy_trained," in links
    links = links.replace("\nT000-16,secretary_deputy_trained,", "\nT000-16,sec_trained,")
    (folder / "target_links.csv").write_text(links, encoding="utf-8")
    province = replace(province_of((A, B)), folder=folder)
    root = build_store(tmp_path / "parquet", TINY_RETURNS, province, meetings=TINY_MEETINGS)
    prov = data.progress(Scope.province(), target_id="T000-16", scope_kind="province", root=root)
    assert prov.select("indicator_id", "baseline", "latest").rows() == [
        ("secretary_deputy_trained", approx(500 / 9), 62.5)
    ]
    # every scope (province, units, branch types) the same as the store whose link names the id now
    old = data.progress(Scope.province(), target_id="T000-16", root=root)
    assert old.height > 1 and old.equals(data.progress(Scope.province(), target_id="T000-16", root=tiny_province_store))


# ------------------------------------------------------------------------------- progress of a selection

PROGRESS_FIELDS = ("baseline_year", "baseline", "latest_year", "latest", "observed_pace", "required_pace", "ratio")
PROGRESS_FIELDS += ("projection", "status", "gap_units", "deadline")


@pytest.mark.parametrize(
    "selection", [Filters(), Filters(types=("xom",)), Filters(units=("01273",)), Filters(types=("llvt",))]
)
def test_a_selection_computed_by_methods_equals_prg_progress(sample_store, selection):
    """What the targets page computes for an arbitrary filter is what the SQL holds for the scopes it follows."""
    sql = data.progress_for(selection, Scope.province(), root=sample_store)
    assert sql.height and set(sql["scope_kind"]) <= {"province", "unit", "type"}
    py = data._progress_computed(selection, Scope.province(), root=sample_store)
    assert sorted(sql["target_id"]) == sorted(py["target_id"])
    got = {r["target_id"]: r for r in py.iter_rows(named=True)}
    for want in sql.iter_rows(named=True):
        _same({k: want[k] for k in PROGRESS_FIELDS}, got[want["target_id"]])


def test_a_type_filter_changes_the_status_text_and_the_gap(sample_store):
    """Item 3 of the dashboard issue: with «Loại hình: Xóm» the progress is the villages', not the province's."""
    prov = data.progress_for(Filters(), Scope.province(), root=sample_store).filter(pl.col("target_id") == "T000-03")
    xom = data.progress_for(Filters(types=("xom",)), Scope.province(), root=sample_store).filter(
        pl.col("target_id") == "T000-03"
    )
    # e-handbook 2025: province 2.647/2.899; village branches only: their own numerator/denominator
    villages = data.indicator(
        "ehandbook", Filters(years=(2025,), types=("xom",)), Scope.province(), by=(), root=sample_store
    )
    assert xom["latest"][0] == approx(villages["value"][0])
    assert prov["latest"][0] == approx(2647 / 2899 * 100)
    assert xom["gap_units"][0] == math.ceil(round((100 - villages["value"][0]) / 100 * villages["denominator"][0], 9))
    assert xom["gap_units"][0] != prov["gap_units"][0]


def test_two_types_are_computed_from_their_own_series(sample_store):
    two = Filters(types=("xom", "dang"))
    got = data.progress_for(two, Scope.province(), root=sample_store).filter(pl.col("target_id") == "T000-03")
    assert got["scope_kind"].to_list() == ["selection"]
    both = data.indicator("ehandbook", two.but(years=(2025,)), Scope.province(), by=(), root=sample_store)
    assert got["latest"][0] == approx(both["value"][0])
