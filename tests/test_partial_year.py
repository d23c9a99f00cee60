"""A year in which only some units have reported (the first returns of a new year): it is marked, it is never the
default, it is not the province's year in progress, and comparisons with the year before are like-for-like."""

from __future__ import annotations

import io
import shutil

import polars as pl
import pytest

from dashboard import data, filters
from dashboard.scope import Filters, Scope
from etl.load import load_files
from forms.template import write_return
from tests.fixtures import branch, meetings_of

OWN = "01273"


def partial_year_store(sample_store, province, dest):
    """The sample (2021–2025, 60 of 60 units) and one commune's 2026 return: 1 of 60 units."""
    shutil.copytree(sample_store, dest, symlinks=True)
    buf = io.BytesIO()
    rows = [branch(f"{OWN}.9{i:02d}", "tt_cap_tren", "dang", good=4, excellent=1) for i in range(3)]
    write_return(buf, province, province.unit_by_code[OWN], 2026, branches=rows, is_sample=True, **meetings_of(rows))
    assert load_files([("2026_01273.xlsx", buf.getvalue())], "test", province, root=dest).ok
    return dest


@pytest.fixture(scope="module")
def store(sample_store, province, tmp_path_factory):
    return partial_year_store(sample_store, province, tmp_path_factory.mktemp("partial") / "parquet")


def test_the_year_is_marked_with_its_count(store):
    cov = data.Coverage.by_year(data.coverage(Filters(), Scope.province(), root=store))
    assert cov[2025] == data.Coverage(60, 60, True)
    assert cov[2026] == data.Coverage(1, 60, False)
    assert cov[2026].text == "1/60 đơn vị"
    assert filters._year_label(2026, cov) == "2026 (chưa đủ: 1/60 đơn vị)"
    assert filters._year_label(2025, cov) == "2025"


def test_the_default_year_is_the_latest_complete_one(store):
    cov = data.Coverage.by_year(data.coverage(Filters(), Scope.province(), root=store))
    assert filters.default_year(cov) == 2025
    # Every user opens on the province's year (issue 26.7: the commune that had reported opened on 2026, its own
    # single unit making the year «complete», beside «2/60 đơn vị đã duyệt»), the one that has not reported too.
    whole = data.province_coverage(root=store)
    assert whole[2026] == data.Coverage(1, 60, False) and filters.default_year(whole) == 2025


def test_the_boundary_of_complete_is_95_percent(sample_store, province, tmp_path):
    # 57 of 60 = 95%: complete; 56 of 60: not
    dest = tmp_path / "parquet"
    shutil.copytree(sample_store, dest, symlinks=True)
    communes = [u.code for u in province.units][:57]
    files = []
    for i, code in enumerate(communes):
        buf = io.BytesIO()
        b = branch(f"{code}.8{i:02d}", "tt_cap_tren", "dang", good=1)
        write_return(buf, province, province.unit_by_code[code], 2026, branches=[b], is_sample=True, **meetings_of([b]))
        files.append((f"2026_{code}.xlsx", buf.getvalue()))
    assert load_files(files[:56], "test", province, root=dest).ok
    assert data.Coverage.by_year(data.coverage(Filters(), Scope.province(), root=dest))[2026] == data.Coverage(
        56, 60, False
    )
    assert load_files(files[56:], "test", province, root=dest).ok
    assert data.Coverage.by_year(data.coverage(Filters(), Scope.province(), root=dest))[2026] == data.Coverage(
        57, 60, True
    )


def test_progress_of_the_province_stops_at_the_last_complete_year(store, sample_store):
    p = data.progress(Scope.province(), scope_kind="province", root=store)
    assert set(p["latest_year"]) == {2025}
    before = data.progress(Scope.province(), scope_kind="province", root=sample_store)
    cols = ["target_id", "latest", "status", "gap_units"]
    assert p.select(cols).sort("target_id").equals(before.select(cols).sort("target_id"))
    # the commune itself has its 2026 (its return has branches but no committee sheet rows: the secretaries'
    # targets stay at 2025)
    own = data.progress(Scope.province(), scope_kind="unit", root=store).filter(pl.col("scope_code") == OWN)
    latest = dict(own.select("target_id", "latest_year").iter_rows())
    assert latest["T000-03"] == 2026 and latest["T000-16"] == 2025


def test_the_change_is_measured_on_the_same_units(store):
    # 2026: 3 branches of 01273, all with Internet (on_dinh) → 0/3; the like-for-like 2025 is 01273's own year
    reported = tuple(data.reported_units(2026, Filters(), Scope.province(), root=store)["unit_code"])
    assert reported == (OWN,)
    same = data.indicator("internet_none", Filters(units=reported), Scope.province(), root=store)
    own_2025 = data.indicator(
        "internet_none", Filters(years=(2025,), units=(OWN,)), Scope.province(), by=(), root=store
    )
    assert same.filter(pl.col("year") == 2025)["numerator"].to_list() == own_2025["numerator"].to_list()
    assert same.filter(pl.col("year") == 2026).select("numerator", "denominator").row(0) == (0, 3)


def test_the_provinces_progress_takes_a_year_from_95_percent(sample_store, province, tmp_path):
    # the same boundary where the province's progress is computed (prg_series reads int_year_coverage)
    dest = tmp_path / "parquet"
    shutil.copytree(sample_store, dest, symlinks=True)
    files = []
    for i, code in enumerate([u.code for u in province.units][:57]):
        buf = io.BytesIO()
        b = branch(f"{code}.8{i:02d}", "tt_cap_tren", "dang", good=1)
        write_return(buf, province, province.unit_by_code[code], 2026, branches=[b], is_sample=True, **meetings_of([b]))
        files.append((f"2026_{code}.xlsx", buf.getvalue()))

    def latest() -> int:
        p = data.progress(Scope.province(), target_id="T000-03", scope_kind="province", root=dest)
        return p["latest_year"][0]

    assert load_files(files[:56], "test", province, root=dest).ok
    assert latest() == 2025  # 56 of 60: the province's progress stops at 2025
    assert load_files(files[56:], "test", province, root=dest).ok
    assert latest() == 2026  # 57 of 60 = 95%: 2026 is the province's year
