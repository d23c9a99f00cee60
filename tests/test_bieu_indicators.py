"""The Biểu tables and the indicators count the same things: every quantity both compute agrees, per year and unit.

The indicator tests hold the hand-computed values (tests/test_indicators.py) and the reconciliation holds the
published ones (tests/test_reconciliation.py); this ties the two SQL paths together, so a rule changed in one place
(a threshold, a role, a status) cannot pass unnoticed."""

from __future__ import annotations

import pytest

from dashboard import data, db
from dashboard.scope import Filters, Scope

# indicator (subgroup) -> (Biểu table, numerator expression, denominator expression, filter on the table)
TIES = {
    ("branch_good", None): ("tbl_bieu03", "excellent + good", "rated", "true"),
    ("branch_excellent", None): ("tbl_bieu03", "excellent", "rated", "true"),
    ("branch_failed", None): ("tbl_bieu03", "not_completed", "rated", "true"),
    ("internet_none", None): ("tbl_bieu04", "internet_none", "total", "true"),
    ("internet_unstable", None): ("tbl_bieu04", "internet_unstable", "total", "true"),
    ("computer_none", None): ("tbl_bieu04", "no_computer", "total", "true"),
    ("member_good", None): ("tbl_bieu07", "good_or_better", "rated", "true"),
    ("member_excellent", None): ("tbl_bieu07", "excellent", "rated", "true"),
    ("member_failed", None): ("tbl_bieu07", "not_completed", "rated", "true"),
    ("secretary_deputy_trained", None): (
        "tbl_bieu02",
        "party_training_trained",
        "total",
        "role_code in ('bi_thu', 'pho_bi_thu')",
    ),
    ("secretary_trained", None): ("tbl_bieu02", "party_training_trained", "total", "role_code = 'bi_thu'"),
    ("secretary_deputy_theory", None): (
        "tbl_bieu02",
        "political_theory_advanced + political_theory_intermediate",
        "total",
        "role_code in ('bi_thu', 'pho_bi_thu') and level_code = 'co_so'",
    ),
    ("secretary_it", None): ("tbl_bieu02", "it_proficient + it_basic", "total", "role_code = 'bi_thu'"),
    ("village_secretary_post", "truong_xom"): ("tbl_bieu05", "sec_also_village_head", "village_branches", "true"),
    ("village_secretary_post", "truong_ban_ctmt"): ("tbl_bieu05", "sec_also_front_head", "village_branches", "true"),
    ("village_secretary_post", "khac"): ("tbl_bieu05", "sec_other_roles", "village_branches", "true"),
}
# Biểu 06 is one measure per row: (numerator measure, denominator measures)
TIES_06 = {
    ("small_branch", None): ("under_3_members", ("village_branches",)),
    **{
        ("heads_member", role): (f"{key}_member", (f"{key}_member", f"{key}_non_member"))
        for role, key in [
            ("truong_xom", "village_head"),
            ("truong_ban_ctmt", "front_head"),
            ("hoi_nong_dan", "farmers_union_head"),
            ("hoi_phu_nu", "womens_union_head"),
            ("hoi_ccb", "veterans_head"),
            ("bi_thu_doan", "youth_union_secretary"),
        ]
    },
}


def _bieu(root, sql: str) -> dict:
    rows = db.cursor(root).sql(sql).fetchall()
    return {(int(y), u): (int(n), int(d)) for y, u, n, d in rows}


def _indicator(root, indicator_id: str, subgroup: str | None) -> dict:
    df = data.indicator(indicator_id, Filters(), Scope.province(), by=("year", "unit"), subgroup=subgroup, root=root)
    return {(r["year"], r["unit_code"]): (r["numerator"], r["denominator"]) for r in df.iter_rows(named=True)}


def _nonzero(d: dict) -> dict:
    return {k: v for k, v in d.items() if v[1]}


@pytest.mark.parametrize("store", ["tiny_store", "sample_store"])
@pytest.mark.parametrize(("indicator_id", "subgroup"), list(TIES))
def test_indicator_equals_its_bieu_table(request, store, indicator_id, subgroup):
    root = request.getfixturevalue(store)
    table, num, den, where = TIES[(indicator_id, subgroup)]
    sql = (
        f"select year, unit_code, sum({num})::bigint, sum({den})::bigint from {table} where {where} "
        "group by year, unit_code"
    )
    bieu = _nonzero(_bieu(root, sql))
    assert bieu, "the store must hold something to compare"
    assert _nonzero(_indicator(root, indicator_id, subgroup)) == bieu


@pytest.mark.parametrize("store", ["tiny_store", "sample_store"])
@pytest.mark.parametrize(("indicator_id", "subgroup"), list(TIES_06))
def test_indicator_equals_bieu06(request, store, indicator_id, subgroup):
    root = request.getfixturevalue(store)
    num, dens = TIES_06[(indicator_id, subgroup)]
    names = ", ".join(f"'{d}'" for d in dens)
    sql = (
        f"select year, unit_code, sum(value) filter (where measure = '{num}')::bigint, "
        f"sum(value) filter (where measure in ({names}))::bigint from tbl_bieu06 group by year, unit_code"
    )
    bieu = _nonzero(_bieu(root, sql))
    assert bieu
    assert _nonzero(_indicator(root, indicator_id, subgroup)) == bieu


def test_bieu06_on_the_tiny_store_by_hand(tiny_store):
    # 2024: A has villages A1 (8 resident), A2 (2); B has B1 (3: exactly the limit, not «fewer than 3»)
    # 2025: A1 9, A2 2 → 1 of 2; B1 6, B3 2 → 1 of 2
    rows = (
        db.cursor(tiny_store)
        .sql("select year, unit_code, value from tbl_bieu06 where measure = 'under_3_members' order by all")
        .fetchall()
    )
    assert rows == [(2024, "01273", 1), (2024, "01279", 0), (2025, "01273", 1), (2025, "01279", 1)]
