"""Where no return was loaded (a real deployment that starts from 2026), the history is the published Biểu
(issue 26.2): queries/40_progress/prg_published.sql turns them into indicator points, labelled with their table,
for the province and for each commune they give, in trends and in the progress toward the targets."""

from __future__ import annotations

import io

import polars as pl
import pytest

from dashboard import charts, data, db, registry
from dashboard.scope import Filters, Scope
from dashboard.ui import targets
from etl import store
from etl.load import load_files
from forms.template import write_return
from synthetic.sample import SampleBuilder

OWN = "01273"


@pytest.fixture(scope="module")
def empty(province, tmp_path_factory):
    """A real store just created: no return at all."""
    root = tmp_path_factory.mktemp("empty") / "parquet"
    store.create(store.REAL, province, "cli", root)
    return root


@pytest.fixture(scope="module")
def first_year(province, tmp_path_factory):
    """A real store whose only returns are two communes' 2025 (2 of 60 units: not the province's year)."""
    root = tmp_path_factory.mktemp("first") / "parquet"
    store.create(store.REAL, province, "cli", root)
    rows = SampleBuilder(province).build().returns()
    files = []
    for unit in (OWN, "01279"):
        buf = io.BytesIO()
        write_return(buf, province, province.unit_by_code[unit], 2025, *rows[(unit, 2025)])
        files.append((f"{unit}.xlsx", buf.getvalue()))
    assert load_files(files, "t", province, root=root).ok
    return root


def points(root, **where) -> pl.DataFrame:
    df = db.cursor(root).sql("select * from prg_published").pl()
    for k, v in where.items():
        df = df.filter(pl.col(k).is_null() if v is None else pl.col(k) == v)
    return df


def test_published_figures_by_hand(empty):
    """Biểu 03 and 07 summed over their levels, the documented corrections of contradictory cells applied."""
    prov = points(empty, scope_kind="province", subgroup=None)
    at = lambda ind, year: prov.filter((pl.col("indicator_id") == ind) & (pl.col("year") == year)).row(0, named=True)  # noqa: E731
    # 2021: (53+225) + (489+1940) + (2+7) = 2716 of 316+2555+9 = 2880 branches rated
    assert (at("branch_good", 2021)["numerator"], at("branch_good", 2021)["denominator"]) == (2716, 2880)
    # 2024, with C1 (rated 1.778 printed for 2.778) and C2 (263 HTXSNV printed for 211): (211+52)+(503+2111)+(1+6)
    # = 2884 of 276+2778+9 = 3063; the printed cells would give 2936/2063, above 100%
    assert (at("branch_good", 2024)["numerator"], at("branch_good", 2024)["denominator"]) == (2884, 3063)
    assert (at("branch_excellent", 2024)["numerator"], at("branch_failed", 2024)["numerator"]) == (211 + 503 + 1, 6)
    assert at("branch_good", 2024)["source"] == "Biểu 03"
    # Biểu 07, 2025: 56.034 members HTTNV or better of 57.945 rated
    m = at("member_good", 2025)
    assert (m["numerator"], m["denominator"], m["source"]) == (56034, 57945, "Biểu 07")
    # Biểu 04 (2025): 343+6 branches without Internet... of 2.899 (every row of the table summed)
    assert (at("internet_none", 2025)["numerator"], at("internet_none", 2025)["denominator"]) == (349, 2899)
    assert sorted(prov.filter(pl.col("indicator_id") == "branch_good")["year"]) == [2021, 2022, 2023, 2024, 2025]
    # Biểu 06 per commune: Quảng Lâm (23 village branches): 21 village heads members of 21+2
    ql = points(empty, scope_kind="unit", indicator_id="heads_member", subgroup="truong_xom")
    code = data.units(Scope.province(), root=empty).filter(pl.col("unit_name") == "Quảng Lâm")["unit_code"][0]
    assert ql.filter(pl.col("scope_code") == code).select("year", "numerator", "denominator").rows() == [(2025, 21, 23)]


def test_the_published_history_is_what_the_calibrated_sample_loads(empty, sample_store):
    """The sample reproduces the published tables (with the same corrections): every point the tables give equals
    the sample's own figure for that scope and year — each table column is read as the indicator counts it."""
    published = points(empty)
    loaded = db.cursor(sample_store).sql("select * from prg_series where source is null").pl()
    keys = ["indicator_id", "subgroup", "scope_kind", "scope_code", "year"]
    both = published.join(loaded, on=keys, how="left", nulls_equal=True, suffix="_loaded")
    assert published.height > 500 and both.height == published.height
    differ = both.filter(
        (pl.col("numerator") != pl.col("numerator_loaded")) | (pl.col("denominator") != pl.col("denominator_loaded"))
    )
    assert differ.height == 0 and both["numerator_loaded"].null_count() == 0
    assert points(sample_store).height == 0  # returns for every year: nothing is taken from the tables


def test_only_where_no_return_exists(first_year):
    prov = points(first_year, scope_kind="province", indicator_id="branch_good")
    assert sorted(prov["year"]) == [2021, 2022, 2023, 2024]  # 2025 has returns (2 of 60): not the tables'
    units = set(points(first_year, scope_kind="unit")["scope_code"])
    assert OWN not in units and "01279" not in units and len(units) > 40  # their own 2025 is loaded


def test_progress_starts_from_the_published_years_and_says_so(first_year):
    p = data.progress(Scope.province(), "T000-14", "province", root=first_year).row(0, named=True)  # member_good
    assert (p["baseline_year"], p["latest_year"], p["years_with_data"]) == (2021, 2024, 4)
    assert (p["published_source"], p["published_until"]) == ("Biểu 07", 2024)
    assert p["latest"] == pytest.approx(54581 / 56709 * 100)
    table = targets.by_urgency(data.progress(Scope.province(), scope_kind="province", root=first_year))
    assert "Biểu 07 (đến năm 2024)" in table["history"].to_list()
    own = data.progress(Scope.commune(OWN), root=first_year)
    assert own.height and own["published_source"].null_count() == own.height  # its own years: its returns


def test_a_commune_sees_its_own_published_figures_only(empty):
    commune, own, other = Scope.commune(OWN), Filters(units=(OWN,)), Filters(units=("01279",))
    mine = data.published("heads_member", Filters(), commune, root=empty)
    assert mine.height == 1 and mine["source"][0] == "Biểu 06"
    assert mine.equals(data.published("heads_member", own, Scope.province(), root=empty))
    assert data.published("heads_member", other, commune, root=empty).height == 0
    assert data.published("heads_member", other, Scope.province(), root=empty).height == 1
    # the province's totals; nothing for a type, a level or several units (the tables give no such figure)
    assert data.published("member_good", Filters(), Scope.province(), root=empty).height == 5
    for f in (Filters(types=("xom",)), Filters(levels=("co_so",)), Filters(units=(OWN, "01279"))):
        assert data.published("member_good", f, Scope.province(), root=empty).height == 0


def test_trend_charts_name_the_published_points(empty):
    ind = registry.get("member_good")
    pub = data.published("member_good", Filters(), Scope.province(), root=empty)
    fig = charts.trend(data.indicator("member_good", Filters(), Scope.province(), root=empty), ind, published=pub)
    (trace,) = [t for t in fig.data if t.name.startswith("Số liệu đã công bố")]
    assert trace.name == "Số liệu đã công bố (Biểu 07)" and list(trace.x) == [2021, 2022, 2023, 2024, 2025]
    assert "đã công bố" in trace.hovertemplate
