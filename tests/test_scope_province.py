"""A user scoped to one province in a national deployment sees that province's units only, through every public
function of dashboard/data.py (the table of tests/test_scope.py), whatever the filters ask for and whatever the
cache holds; the province benchmark it is shown is its own province's."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard import data
from dashboard.scope import Filters, Scope
from tests.test_scope import NO_UNIT_COLUMN, SCOPED, _entry, _same, units_in

OWN_P, OTHER_P = "04", "20"  # Cao Bằng, Lạng Sơn (tests/fixtures.py: NATIONAL_PROVINCES)
MINE, NATION = Scope.of_province(OWN_P), Scope.province()
# The data layer's functions of the branch meetings: the national synthetic store (2024–2025) has none, so here they
# can only be shown to return nothing of another province (tests/test_scope.py checks them on the demonstration).
NO_MEETINGS = ("meeting_gaps", "meeting_table", "unit_targets")


@pytest.fixture(scope="module")
def units_by_province(national_store) -> dict[str, set[str]]:
    u = data.units(NATION, root=national_store)
    return {p: set(u.filter(pl.col("province_code") == p)["unit_code"]) for p in (OWN_P, OTHER_P)}


def _one_other(units_by_province) -> str:
    return sorted(units_by_province[OTHER_P])[0]


@pytest.mark.parametrize("name", sorted(SCOPED))
def test_a_province_user_sees_only_its_province(national_store, units_by_province, name):
    call, filterable, _ = _entry(name)
    own, other = units_by_province[OWN_P], units_by_province[OTHER_P]
    assert len(own) == 56 and len(other) == 65
    got = call(national_store, MINE, ())
    seen = units_in(got, national_store)
    if name in NO_UNIT_COLUMN:
        assert seen == set()
    else:
        nation = units_in(call(national_store, NATION, ()), national_store)
        assert seen == nation & own, name  # what the nation sees of its province, none of another
        # not vacuous (the national store's one load has no findings, its 2024–2025 no branch meetings)
        assert seen or name in ("findings", *NO_MEETINGS), name
        # the nation sees both provinces through the same function (the published Biểu are Cao Bằng's only)
        assert nation & other or name in ("findings", "reconciliation", *NO_MEETINGS)
    if filterable:  # a unit of another province asked for by name: nothing
        asked = call(national_store, MINE, (_one_other(units_by_province),))
        frames = asked.values() if isinstance(asked, dict) else [asked]
        assert all(df.height == 0 for df in frames), name


@pytest.mark.parametrize("name", sorted(n for n, (_, f, *_) in SCOPED.items() if f))
def test_a_province_user_filtering_on_its_own_unit_gets_what_the_nation_gets(national_store, units_by_province, name):
    call, _, _ = _entry(name)
    unit = sorted(units_by_province[OWN_P])[0]
    if name == "unit_comparison":  # its benchmark is its province, the nation's is the country
        got, ref = call(national_store, MINE, (unit,)), call(national_store, NATION, (unit,))
        assert _same(
            got.drop("province", "judgement", "judgement_label"), ref.drop("province", "judgement", "judgement_label")
        )
        return
    if name == "coverage" or name == "progress_for":
        return  # both compare with the units of a province, checked below
    assert _same(call(national_store, MINE, (unit,)), call(national_store, NATION, (unit,)))


@pytest.mark.parametrize("name", sorted(SCOPED))
def test_the_cache_never_widens_a_province_user_result(national_store, units_by_province, name):
    data.clear_cache()
    call, _, _ = _entry(name)
    call(national_store, NATION, ())
    mine = call(national_store, MINE, ())  # identical arguments but the scope, right after the nation's
    assert units_in(mine, national_store) <= units_by_province[OWN_P]
    data.clear_cache()
    fresh = call(national_store, MINE, ())
    if not isinstance(fresh, bytes):
        assert _same(mine, fresh)


def test_the_province_benchmark_is_its_own_province(national_store):
    # Its benchmark equals the nation's figure for the province's units, never the country's.
    got = data.province_benchmark("member_good", Filters(), MINE, root=national_store)
    ref = data.indicator("member_good", Filters(provinces=(OWN_P,)), NATION, root=national_store)
    assert got.equals(ref)
    country = data.indicator("member_good", Filters(), NATION, root=national_store)
    assert not got.equals(country)


def test_a_communes_benchmark_in_a_national_deployment_is_its_own_province(national_store, units_by_province):
    # A commune's tiles say «Toàn tỉnh»: the figure is its province's (all its units), not the country's.
    mine = Scope.commune(sorted(units_by_province[OWN_P])[0])
    for by in (("year",), ("year", "type")):  # (one year at a time: a sum of years is no pre-defined grouping)
        got = data.province_benchmark("member_good", Filters(), mine, by=by, root=national_store)
        ref = data.indicator("member_good", Filters(provinces=(OWN_P,)), NATION, by=by, root=national_store)
        shown = got.filter(pl.col("withheld").is_null())
        assert shown.height > 0
        keys = [data.BY_COLUMNS[b] for b in by]
        joined = shown.join(ref, on=keys, suffix="_ref")
        assert joined.height == shown.height
        assert all(round(r, 2) == v for v, r in joined.select("value", "value_ref").rows())
        country = data.indicator("member_good", Filters(), NATION, by=by, root=national_store)
        other = shown.join(country, on=keys, suffix="_country")
        assert any(round(c, 2) != v for v, c in other.select("value", "value_country").rows())


def test_indicator_by_province_adds_up_to_the_country(national_store):
    by = data.indicator("internet_none", Filters(years=(2025,)), NATION, by=("province",), root=national_store)
    assert by["province_code"].to_list() == [OWN_P, OTHER_P]
    country = data.indicator("internet_none", Filters(years=(2025,)), NATION, by=(), root=national_store)
    assert (by["numerator"].sum(), by["denominator"].sum()) == (country["numerator"][0], country["denominator"][0])
    mine = data.indicator("internet_none", Filters(years=(2025,)), MINE, by=("province",), root=national_store)
    assert mine["province_code"].to_list() == [OWN_P]
    assert mine.row(0) == by.row(0)


def test_a_tampered_province_filter_is_data_not_sql(national_store):
    evil = "04') or ('1'='1"
    assert data.indicator("member_good", Filters(provinces=(evil,)), NATION, root=national_store).height == 0
    assert data.units(Scope.of_province(evil), root=national_store).height == 0
