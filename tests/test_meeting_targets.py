"""The meeting targets on a hand-made 2026 store, at their boundaries: the per-unit count targets of the Đề án (2–3
regular and 1–2 thematic pilot branches per commune, materials compiled by every committee) with exactly 2 and
exactly 3 pilots, and the rate targets at exactly 85% attendance (T003-13: «trên 85%») and exactly 95% of meetings
good (T004-09: «trên 95%»). One year of data: a level and a distance, never a pace.

Five committees of a province cut down to them (so 2026 is complete): four communes and Đảng bộ Công an tỉnh. Each
branch has 10 members (none exempted), 12 meetings held, 12 scored; the columns below are what differs.

  unit  pilots (branch 1–5)          present/120 per branch  «Tốt»/12 per branch     materials  themes
  C1    TK TK CĐ – –  → 2 reg, 1 thm  102 each → 510/600 = 85%   12 12 12 12 9 → 57/60 = 95%   12       Có
  C2    CH TK TK CĐ – → 3 reg, 2 thm  103 each → 515/600         12 12 12 12 10 → 58/60        12       Không
  C3    TK – – – –    → 1 reg, 0 thm  110 each                   12 each                        11       Có
  C4    CH CH CH TK – → 4 reg, 3 thm  110 each                   12 each                        12       Có
  CA    – (not a commune: no pilot)   110 each                   12 each                        12       Có

(TK thường kỳ, CĐ chuyên đề, CH cả hai.) CA's branches are chi bộ trực thuộc đảng uỷ cơ sở: the committee above sat
at their meetings in 4, 4, 3, 4, 4 quarters."""

from __future__ import annotations

import pytest

from dashboard import data, db
from dashboard.data import Scope
from tests.fixtures import build_store, full_meetings, province_of

C1, C2, C3, C4, CA = "01273", "01279", "01366", "01789", "04-CA"
PILOTS = {
    C1: ["thuong_ky", "thuong_ky", "chuyen_de", None, None],
    C2: ["ca_hai", "thuong_ky", "thuong_ky", "chuyen_de", None],
    C3: ["thuong_ky", None, None, None, None],
    C4: ["ca_hai", "ca_hai", "ca_hai", "thuong_ky", None],
    CA: [None] * 5,
}
PRESENT = {C1: [102] * 5, C2: [103] * 5}
GOOD = {C1: [12, 12, 12, 12, 9], C2: [12, 12, 12, 12, 10]}
MATERIALS = {C1: (12, True), C2: (12, False), C3: (11, True), C4: (12, True), CA: (12, True)}
HIGHER = {CA: [4, 4, 3, 4, 4]}


def _branch(unit: str, i: int) -> dict:
    from tests.fixtures import branch

    level, btype = ("tt_co_so", "llvt") if unit == CA else ("tt_cap_tren", "su_nghiep")
    return branch(f"{unit}.{i}", level, btype, good=10)


def _return(unit: str) -> tuple:
    branches = [_branch(unit, i) for i in range(5)]
    meetings = full_meetings(branches)
    for i, m in enumerate(meetings):
        present = PRESENT.get(unit, [110] * 5)[i]
        good = GOOD.get(unit, [12] * 5)[i]
        m.update(
            att_present=present,
            att_excused=120 - present,
            q_level1=good,
            q_level2=12 - good,
            pilot=PILOTS[unit][i],
            higher_quarters=HIGHER.get(unit, [4] * 5)[i],
        )
    months, themes = MATERIALS[unit]
    return unit, 2026, branches, (), (), meetings, {"materials_months": months, "thematic_orientation": themes}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    units = (C1, C2, C3, C4, CA)
    return build_store(tmp_path_factory.mktemp("meeting_targets"), [_return(u) for u in units], province_of(units))


def _sql(store, query: str, **params) -> list[tuple]:
    return db.cursor(store).sql(query, params=params).fetchall()


# ---------------------------------------------------------------------------------------------- per unit


@pytest.mark.parametrize(
    ("target", "values", "met"),
    [
        # at least 2 regular pilots: exactly 2 (C1) and exactly 3 (C2) meet it; 1 (C3) does not
        ("T000-18", {C1: 2, C2: 3, C3: 1, C4: 4}, {C1: True, C2: True, C3: False, C4: True}),
        # at most 3 regular pilots: exactly 3 (C2) meets it; 4 (C4) does not
        ("T000-19", {C1: 2, C2: 3, C3: 1, C4: 4}, {C1: True, C2: True, C3: True, C4: False}),
        # at least 1 thematic pilot: exactly 1 (C1) meets it, 0 (C3) does not
        ("T000-20", {C1: 1, C2: 2, C3: 0, C4: 3}, {C1: True, C2: True, C3: False, C4: True}),
        # at most 2 thematic pilots: exactly 2 (C2) meets it, 3 (C4) does not
        ("T000-21", {C1: 1, C2: 2, C3: 0, C4: 3}, {C1: True, C2: True, C3: True, C4: False}),
    ],
)
def test_pilot_branches_per_commune_at_their_boundaries(store, target, values, met):
    got = _sql(store, "select unit_code, value, met from prg_unit_targets where target_id = $t order by 1", t=target)
    # Công an tỉnh is no commune: the pilot targets do not apply to it (no row, not a «chưa đạt»)
    assert got == [(u, values[u], met[u]) for u in (C1, C2, C3, C4)]


def test_materials_are_every_committees_duty(store):
    # 12 months and the themes set: C1 ✓, C2 themes not set ✗, C3 11 months ✗, C4 ✓, CA ✓ (affiliated too)
    got = _sql(store, "select unit_code, value, met from prg_unit_targets where target_id = 'T000-15' order by 1")
    assert got == [(C1, 1, True), (C2, 0, False), (C3, 0, False), (C4, 1, True), (CA, 1, True)]


def test_the_provinces_status_is_how_many_units_meet_it(store):
    got = _sql(
        store,
        "select target_id, units_expected, units_reported, units_met, units_not_met, met "
        "from prg_unit_target_status where year = 2026 order by target_id",
    )
    assert got == [
        ("T000-15", 5, 5, 3, 2, False),  # 3 of the 5 committees
        ("T000-18", 4, 4, 3, 1, False),  # 3 of the 4 communes: C3 chưa đạt
        ("T000-19", 4, 4, 3, 1, False),  # C4 chưa đạt
        ("T000-20", 4, 4, 3, 1, False),
        ("T000-21", 4, 4, 3, 1, False),
    ]


# ---------------------------------------------------------------------------------------------- rate targets


def _progress(store, target: str, unit: str) -> dict:
    p = data.progress(Scope.province(), target_id=target, scope_kind="unit", root=store)
    return p.filter(p["scope_code"] == unit).row(0, named=True)


@pytest.mark.parametrize(("unit", "latest", "met"), [(C1, 85.0, False), (C2, 515 / 600 * 100, True)])
def test_attendance_exactly_85_percent_is_not_above_85(store, unit, latest, met):
    row = _progress(store, "T003-13", unit)
    assert row["latest"] == pytest.approx(latest) and row["met"] is met
    # one year: achieved if met, else no pace to judge («chưa đủ số liệu để đánh giá tốc độ»)
    assert row["status"] == ("achieved" if met else "insufficient_data")
    assert row["observed_pace"] is None


@pytest.mark.parametrize(("unit", "latest", "met"), [(C1, 95.0, False), (C2, 58 / 60 * 100, True)])
def test_meetings_good_exactly_95_percent_is_not_above_95(store, unit, latest, met):
    row = _progress(store, "T004-09", unit)
    assert row["latest"] == pytest.approx(latest) and row["met"] is met
    # 57 of 60 good: one more meeting rated good would pass 95%
    assert row["gap_units"] == (0 if met else 1)


def test_the_committee_above_at_every_quarter(store):
    # T003-17 (≥ 1 visit a quarter) over CA's 5 branches under a grassroots committee: 4 of 5 → 80%
    row = _progress(store, "T003-17", CA)
    assert (row["latest"], row["met"], row["gap_units"]) == (80.0, False, 1)
