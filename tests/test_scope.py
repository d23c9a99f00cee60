"""A commune user sees only its own unit, through every public function of dashboard/data.py (and every export of
dashboard/export.py that reads through it with a scope) — whatever the filters ask for, however the result is
grouped, and whatever the cache already holds.

The functions are enumerated from the modules, so a new public function without an entry here fails the suite."""

from __future__ import annotations

import inspect
import io
import re

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from dashboard import data, export
from dashboard.scope import Filters, Scope
from tests.fixtures import branch, return_bytes

OWN, OTHER = "01273", "01279"
COMMUNE, PROVINCE = Scope.commune(OWN), Scope.province()
_CODE = re.compile(r"(?<![\d])(\d{5})(?![\d])")  # sample files are named <year>_<unit code>.xlsx


def _f(units=()) -> Filters:
    return Filters(units=tuple(units))


# name -> (call(root, scope, units), filterable[, store]): `units` are the units the caller asks for (() = all). A
# function is filterable when it takes a unit filter, so a commune asking for another unit must get nothing at all.
# The store is the sample unless named: the sample loads cleanly, so the load log and findings are checked on
# `logs_store` below.
SCOPED = {
    "indicator": (lambda root, s, u: data.indicator("member_good", _f(u), s, by=("year", "unit"), root=root), True),
    "province_benchmark": (lambda root, s, u: data.province_benchmark("member_good", _f(u), s, root=root), False),
    "units": (lambda root, s, u: data.units(s, root=root), False),
    "branches": (lambda root, s, u: data.branches(_f(u), s, root=root), True),
    "untrained_secretaries": (lambda root, s, u: data.untrained_secretaries(_f(u), s, root=root), True),
    "branch_gaps": (lambda root, s, u: data.branch_gaps(_f(u), s, root=root), True),
    "progress": (lambda root, s, u: data.progress(s, root=root), False),
    "completeness": (lambda root, s, u: data.completeness(s, root=root), False),
    "reconciliation": (lambda root, s, u: data.reconciliation(s, root=root), False),
    "load_history": (lambda root, s, u: data.load_history(s, root=root), False, "logs"),
    "findings": (lambda root, s, u: data.findings(s, root=root), False, "logs"),
    "returns": (lambda root, s, u: data.returns(s, root=root), False),
    "rating_mix": (lambda root, s, u: data.rating_mix(_f(u), s, root=root), True),
    # on the demonstration, whose 2026 has the meetings sheet (the sample's years have none); its latest year
    "bieu_tables": (lambda root, s, u: data.bieu_tables(s, u[0] if u else None, root=root), True, "demo"),
    "bieu_workbook": (
        lambda root, s, u: export.bieu_workbook(max(data.years(root=root)), s, u[0] if u else None, root=root),
        False,
        "demo",
    ),
    "coverage": (lambda root, s, u: data.coverage(_f(u), s, root=root), True),
    "reported_units": (lambda root, s, u: data.reported_units(2025, _f(u), s, root=root), True),
    # the published history of a unit (a real store without returns); a commune asks for its own unit's
    "published": (lambda root, s, u: data.published("heads_member", _f(u), s, root=root), True, "history"),
    # one unit at a time (the progress of a selection of several units names none of them)
    "progress_for": (
        lambda root, s, u: pl.concat(
            [data.progress_for(_f((x,)), s, root=root) for x in (u or data.units(s, root=root)["unit_code"])],
            how="diagonal_relaxed",
        ),
        True,
    ),
    "unit_comparison": (
        # one year, as the pages ask: a commune is given no province figure summed over years (issue 29.4)
        lambda root, s, u: data.unit_comparison(
            _f(u).but(years=(2025,)), s, ("member_good", "internet_none"), root=root
        ),
        True,
    ),
    # the branches' meetings: on the demonstration store (the calibrated sample has none)
    "meeting_years": (lambda root, s, u: pl.DataFrame({"year": data.meeting_years(s, root=root)}), False, "demo"),
    "meeting_gaps": (lambda root, s, u: data.meeting_gaps(_f(u), s, root=root), True, "demo"),
    "meeting_table": (lambda root, s, u: data.meeting_table(_f(u), s, root=root), True, "demo"),
    "unit_targets": (lambda root, s, u: data.unit_targets(2026, s, root=root), False, "demo"),
    # the organisation tree (the sample's 2025 lists every unit's đảng bộ)
    "org_tree": (lambda root, s, u: data.org_tree(_f(u), s, root=root), True),
    "grassroots_orgs": (lambda root, s, u: data.grassroots_orgs(_f(u), s, root=root), True),
}

# Public functions that take no scope, and why they need none.
UNSCOPED = {
    "cached": "the memoising decorator itself",
    "clear_cache": "empties the cache; returns nothing",
    "years": "the years loaded, the same for everybody",
    "targets": "targets of the source documents: no unit data",
    "series_breaks": "regulation changes by year: no unit data",
    "published_facts": "figures printed in the source documents: no unit data",
    "is_sample": "whether the store is the sample",
    "store_status": "the store's kind and how many units reported each year (counts, no unit named)",
    "boundaries_path": "public commune boundaries (the map shows every commune's outline)",
    "province_name": "a province's name (public: the official list of provinces)",
    "unit_names": "every unit's name (public: the official list of units, every commune outlined on the map)",
    "province_coverage": "how many of the province's units reported each year: counts that name no unit",
    "province_targets": "the province's own targets (values and deadlines of the source documents): no unit data",
    "unit_target_status": "how many units meet each per-unit target: counts over the province that name no unit",
    "target_filters": "narrows the caller's own filters to a target's scope (units and levels of the configuration)",
    "has_territory": "whether the configuration's units have territory (a map): no unit data",
}

# Results that carry no unit column by design (aggregates); they are checked by comparing with the province's
# own view of the commune instead.
NO_UNIT_COLUMN = {"rating_mix", "province_benchmark", "coverage", "meeting_years", "published"}


@pytest.fixture(scope="module")
def logs_store(tmp_path_factory):
    """Three loads: both communes' 2024 returns together (each with a warning), then the other commune's 2025
    return, then a refused file of the other commune."""
    from etl.load import load_files
    from etl.province import load_province

    province = load_province("04")
    root = tmp_path_factory.mktemp("logs")

    def ret(unit, year, members_ok=True):
        # tt_cap_tren before 2025 is accepted with a warning (level_before_reform)
        b = branch(f"{unit}.1", "tt_cap_tren" if year == 2024 else "co_so", "dang", good=2)
        if not members_ok:
            b["members"] = 99  # members must add up: the file is refused
        return f"{year}_{unit}.xlsx", return_bytes(province, unit, year, [b])

    assert load_files([ret(OWN, 2024), ret(OTHER, 2024)], "test", province, root=root).ok
    assert load_files([ret(OTHER, 2025)], "test", province, root=root).ok
    assert not load_files([ret(OTHER, 2023, members_ok=False)], "test", province, root=root).ok
    return root


@pytest.fixture(scope="module")
def history_store(tmp_path_factory):
    """A real store before its first return: its history is the published Biểu's."""
    from etl import store
    from etl.province import load_province

    root = tmp_path_factory.mktemp("history") / "parquet"
    store.create(store.REAL, load_province("04"), "cli", root)
    return root


@pytest.fixture
def stores(sample_store, logs_store, demo_store, history_store):
    return {"sample": sample_store, "logs": logs_store, "demo": demo_store, "history": history_store}


def _entry(name):
    call, filterable, *store = SCOPED[name]
    return call, filterable, (store[0] if store else "sample")


def _public_functions() -> dict[str, object]:
    """The public functions of the data layer, and those of the exports that take a scope (they read through it)."""
    return {
        n: o
        for m in (data, export)
        for n, o in vars(m).items()
        if inspect.isfunction(o)
        and o.__module__ == m.__name__
        and not n.startswith("_")
        and (m is data or "scope" in inspect.signature(o).parameters)
    }


def _units_named(root) -> dict[str, str]:
    return dict(data.units(PROVINCE, root=root).select("unit_full_name", "unit_code").iter_rows())


def units_in(result, root) -> set[str]:
    """Every unit a result names: unit_code, a unit-scope scope_code, unit codes in file names, unit names in a
    workbook."""
    if isinstance(result, dict):
        return set().union(*(units_in(v, root) for v in result.values()))
    if isinstance(result, bytes):
        wb = CalamineWorkbook.from_filelike(io.BytesIO(result))
        text = "\n".join(
            v for n in wb.sheet_names for row in wb.get_sheet_by_name(n).to_python() for v in row if isinstance(v, str)
        )
        return {code for name, code in _units_named(root).items() if re.search(rf"\b{re.escape(name)}\b", text)}
    assert isinstance(result, pl.DataFrame), type(result)
    found: set[str] = set()
    if "unit_code" in result.columns:
        found |= set(result["unit_code"].drop_nulls())
    if "scope_code" in result.columns:
        found |= set(result.filter(pl.col("scope_kind") == "unit")["scope_code"])
    for col in ("file", "file_name", "files"):
        if col in result.columns:
            found |= {c for v in result[col].drop_nulls() for c in _CODE.findall(v)}
    return found


def _same(a, b) -> bool:
    """Equal frames, whatever the row order."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a.sort(a.columns, nulls_last=True).equals(b.sort(b.columns, nulls_last=True))


def test_every_public_function_has_a_scope_check():
    public = _public_functions()
    assert set(SCOPED) | set(UNSCOPED) == set(public)
    assert not set(SCOPED) & set(UNSCOPED)
    for name in UNSCOPED:
        assert "scope" not in inspect.signature(public[name]).parameters, f"{name} takes a scope: test it in SCOPED"
    for name in SCOPED:
        assert "scope" in inspect.signature(public[name]).parameters, name


@pytest.mark.parametrize("name", sorted(SCOPED))
def test_commune_sees_only_its_own_unit(stores, name):
    call, filterable, store = _entry(name)
    root = stores[store]
    got = call(root, COMMUNE, ())
    seen = units_in(got, root)
    if name in NO_UNIT_COLUMN:
        assert seen == set()
    else:
        assert seen == {OWN}  # its own data is there (the check is not vacuous), nobody else's
    if filterable:  # exactly what the province sees when it filters on this commune
        province = call(root, PROVINCE, (OWN,))
        if name == "unit_comparison":  # but the province's figure, which a commune gets as the pages show it
            province = province.with_columns(pl.col("province").round(data.BENCHMARK_DECIMALS))
        assert _same(got, province)
    # …and the province itself sees other units through the same function
    if name not in NO_UNIT_COLUMN:
        assert OTHER in units_in(call(root, PROVINCE, ()), root)


@pytest.mark.parametrize("name", sorted(n for n, (_, filterable, *_) in SCOPED.items() if filterable))
def test_commune_asking_for_another_unit_gets_nothing(sample_store, name):
    call, _, _ = _entry(name)
    got = call(sample_store, COMMUNE, (OTHER,))
    frames = got.values() if isinstance(got, dict) else [got]
    assert all(df.height == 0 for df in frames), name
    # asking for both keeps only its own
    both = call(sample_store, COMMUNE, (OWN, OTHER))
    assert units_in(both, sample_store) <= {OWN}


@pytest.mark.parametrize("name", sorted(SCOPED))
def test_cache_never_widens_a_commune_result(stores, name):
    data.clear_cache()
    call, _, store = _entry(name)
    root = stores[store]
    province = call(root, PROVINCE, ())
    commune = call(root, COMMUNE, ())  # identical arguments but the scope, right after the province
    assert units_in(commune, root) <= {OWN}
    if name not in NO_UNIT_COLUMN:
        assert units_in(province, root) > {OWN}
    data.clear_cache()
    fresh = call(root, COMMUNE, ())
    if not isinstance(fresh, bytes):  # a workbook carries today's date; frames must be identical
        assert _same(commune, fresh)


@pytest.mark.parametrize("by", [("unit",), ("branch",), ("year", "unit"), ("unit", "branch"), ("level", "type")])
def test_indicator_grouped_by_unit_or_branch_stays_in_the_commune(sample_store, by):
    own_branches = set(data.branches(Filters(units=(OWN,)), PROVINCE, root=sample_store)["branch_code"])
    for units in ((), (OTHER,), (OWN, OTHER)):
        df = data.indicator("internet_none", Filters(units=units), COMMUNE, by=by, root=sample_store)
        if "unit_code" in df.columns:
            assert set(df["unit_code"]) <= {OWN}
        if "branch_code" in df.columns:
            assert set(df["branch_code"]) <= own_branches
        if units == (OTHER,):
            assert df.height == 0
        else:  # the commune total, whatever the grouping
            total = data.indicator("internet_none", Filters(units=(OWN,)), PROVINCE, by=(), root=sample_store)
            assert (df["numerator"].sum(), df["denominator"].sum()) == (total["numerator"][0], total["denominator"][0])


def test_subgroup_indicator_by_unit_stays_in_the_commune(sample_store):
    df = data.indicator("heads_member", Filters(units=(OTHER,)), COMMUNE, by=("unit", "subgroup"), root=sample_store)
    assert df.height == 0
    df = data.indicator("heads_member", Filters(), COMMUNE, by=("unit", "subgroup"), root=sample_store)
    assert set(df["unit_code"]) == {OWN} and df.height == 6


@pytest.mark.parametrize("by", [("unit",), ("branch",), ("year", "unit"), ("year", "branch")])
@pytest.mark.parametrize("scope", [COMMUNE, PROVINCE])
def test_province_benchmark_refuses_unit_and_branch(sample_store, by, scope):
    with pytest.raises(ValueError):
        data.province_benchmark("member_good", Filters(), scope, by=by, root=sample_store)


def test_province_benchmark_is_the_province_aggregate(sample_store):
    # A commune sees the province figure (it names no unit), the value the province sees unfiltered, rounded as the
    # pages show it (no counts: data.province_benchmark).
    whole = data.indicator("member_good", Filters(), PROVINCE, root=sample_store)
    for f in (Filters(), Filters(units=(OTHER,))):
        got = data.province_benchmark("member_good", f, COMMUNE, root=sample_store)
        assert got.select("year", "value").equals(whole.select("year", pl.col("value").round(2)))
        assert "unit_code" not in got.columns and got["numerator"].null_count() == got.height


def test_filter_values_are_data_not_sql(sample_store):
    # A quote in a filter value is just a unit code that does not exist.
    evil = "01273' or '1'='1"
    for scope in (PROVINCE, COMMUNE):
        assert data.indicator("member_good", Filters(units=(evil,)), scope, root=sample_store).height == 0
        assert data.branches(Filters(units=(evil,)), scope, root=sample_store).height == 0
    assert data.units(Scope.commune(evil), root=sample_store).height == 0


def test_a_commune_scope_without_a_unit_sees_nothing(sample_store):
    nobody = Scope("commune", None)
    assert data.branches(Filters(), nobody, root=sample_store).height == 0
    assert data.indicator("member_good", Filters(), nobody, root=sample_store).height == 0


def test_load_log_of_a_commune_names_only_its_own_files(logs_store):
    prov = data.load_history(PROVINCE, root=logs_store)
    assert sorted(prov["status"]) == ["ok", "ok", "rejected"]
    first = prov.filter(pl.col("files").str.contains(OWN))
    assert first.select("file_count", "warnings").row(0) == (2, 2)  # both 2024 returns, one warning each
    # The commune sees the one load that holds its return, with only its own file and its own finding.
    own = data.load_history(COMMUNE, root=logs_store)
    assert own.select("load_id", "status", "file_count", "files", "errors", "warnings").rows() == [
        (first["load_id"][0], "ok", 1, f"2024_{OWN}.xlsx", 0, 1)
    ]
    assert own.columns == prov.columns
    found = data.findings(COMMUNE, root=logs_store)
    assert found.select("file", "rule").rows() == [(f"2024_{OWN}.xlsx", "level_before_reform")]
    assert set(data.findings(PROVINCE, root=logs_store)["file"]) >= {
        f"2024_{OWN}.xlsx",
        f"2024_{OTHER}.xlsx",
        f"2023_{OTHER}.xlsx",
    }
