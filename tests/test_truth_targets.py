"""Targets in their own words and direction, and the nearest deadline (issue 28.3), on hand-made stores.

The two-commune province of tests/fixtures.py (every year complete) has these village branches (chi bộ xóm) and
resident members: 2024 A1 8, A2 2, B1 3 → 1 of 3 with fewer than 3 (33,33%); 2025 A1 9, A2 2, B1 6, B3 2 → 2 of 4
(50%). T000-05 says «100% chi bộ xóm có ít nhất 3 đảng viên tại chỗ» (2030) and is measured by small_branch ≤ 0%;
T000-06 says «xoá chi bộ xóm có dưới 3 đảng viên tại chỗ» (2026), small_branch ≤ 0% too."""

from __future__ import annotations

import polars as pl
from pytest import approx

from dashboard import data, methods
from dashboard.scope import Scope
from dashboard.ui import targets
from reports import prose
from reports.figures import TargetRow


def test_a_target_stated_as_the_complement_reads_in_its_own_terms():
    # 0,62% with fewer than 3 → 99,38% with at least 3; «≤ 0%» → «≥ 100%»; paces change sign
    s = methods.stated(0.62, 0.0, "<=", True, observed_pace=0.1, required_pace=-0.124)
    assert (s.latest, s.target, s.comparator) == (approx(99.38), 100.0, ">=")
    assert (s.observed_pace, s.required_pace) == (-0.1, 0.124)
    same = methods.stated(0.62, 0.0, "<=", False, 0.1, -0.124)
    assert (same.latest, same.target, same.comparator, same.observed_pace) == (0.62, 0.0, "<=", 0.1)
    assert (
        methods.stated(None, 0.0, "<", True).latest is None and methods.stated(None, 0.0, "<", True).comparator == ">"
    )


def test_t000_05_is_shown_as_the_share_with_at_least_three_members(tiny_province_store):
    p = data.progress(Scope.province(), scope_kind="province", root=tiny_province_store)
    assert dict(p.select("target_id", "stated_complement").unique().iter_rows()) == {
        t: t == "T000-05" for t in p["target_id"].unique()
    }
    rows = {r["target_id"]: r for r in targets.by_urgency(p).iter_rows(named=True)}
    five = rows["T000-05"]
    assert five["latest"] == approx(50.0)  # small_branch 2025: 2 of 4
    # in its own words: 2 of 4 have at least 3 resident members (50%), the goal ≥ 100%; the share with fewer rose
    # 33,33 → 50 (+16,67 points a year), so the share with at least 3 fell by 16,67; it needs +10 a year to 2030
    assert (five["stated_latest"], five["stated_goal"]) == (approx(50.0), "≥ 100%")
    assert five["stated_observed"] == approx(-50 / 3) and five["stated_required"] == approx(10.0)
    assert five["indicator"].startswith("100% trừ «") and five["status"] == "deteriorating"
    six = rows["T000-06"]  # «xoá … dưới 3 đảng viên»: already in the indicator's terms
    assert (six["stated_latest"], six["stated_goal"], six["stated_required"]) == (approx(50.0), "≤ 0%", approx(-50.0))


def test_the_nearest_deadline_comes_first(tiny_province_store):
    """The small-branch tile and the map's hover state T000-06 (2026), not T000-05 (2030)."""
    first = data.province_targets("small_branch", root=tiny_province_store).row(0, named=True)
    assert (first["target_id"], first["deadline"]) == ("T000-06", 2026)


def test_the_documents_state_the_target_in_its_own_words():
    t = TargetRow(
        target_id="T000-05",
        text="Chi bộ xóm trực thuộc các đảng bộ xã có ít nhất 3 đảng viên tại chỗ",
        issuer="",
        indicator_id="small_branch",
        subgroup=None,
        direction=-1,
        target_value=0.0,
        comparator="<=",
        deadline=2030,
        is_annual=False,
        latest_year=2025,
        latest=25.0,  # 1 of 4 with fewer than 3
        latest_denominator=4,
        observed_pace=5.0,
        required_pace=-5.0,
        projection=50.0,
        status="deteriorating",
        gap_units=1,
        stated_complement=True,
    )
    text = prose.target_sentence(t)
    # 3 of 4 have at least 3 resident members (a party document writes counts below 10 with a leading zero)
    assert "(mục tiêu từ 100% trở lên đến năm 2030): năm 2025 đạt 75,00% (03/04 chi bộ xóm)" in text
    assert "tốc độ thực tế -5,00 điểm %/năm, tốc độ cần thiết +5,00 điểm %/năm" in text
    assert prose.target_short(t) == "≥ 100% (2030)"


def test_progress_follows_the_year_chosen(tiny_province_store):
    """Mục tiêu 2030 with 2024 chosen (issue 28.4): the series up to 2024 only, so T000-05 stands as of 2024 (1 of 3
    village branches with fewer than 3 resident members, 33,33%), not 2025's 50%."""
    from dashboard.scope import Filters

    as_of_2024 = data.progress_for(Filters(years=(2021, 2022, 2023, 2024)), Scope.province(), root=tiny_province_store)
    five = as_of_2024.filter(pl.col("target_id") == "T000-05").row(0, named=True)
    assert (five["latest_year"], five["latest"], five["status"]) == (2024, approx(100 / 3), "insufficient_data")
    latest = data.progress_for(Filters(), Scope.province(), root=tiny_province_store)
    assert latest.filter(pl.col("target_id") == "T000-05")["latest_year"][0] == 2025
