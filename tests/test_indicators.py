"""Every indicator of the registry on the hand-made two-commune store (tests/fixtures.py), computed by hand.

Each row is (grain…, numerator, denominator, value %); the arithmetic is in the comments and refers to the tables
in tests/fixtures.py (A = 01273, B = 01279)."""

from __future__ import annotations

import math
import re

import pytest

from dashboard import data, registry
from dashboard.scope import Filters, Scope
from etl.settings import QUERIES_DIR
from tests.fixtures import A, B, C, branch

ALL = Filters()
Y24, Y25 = Filters(years=(2024,)), Filters(years=(2025,))
COLUMNS = {
    "year": "year",
    "unit": "unit_code",
    "level": "level",
    "type": "branch_type",
    "branch": "branch_code",
    "subgroup": "subgroup",
}


def rows(root, indicator_id, by=("year",), filters=ALL, subgroup=None):
    """The indicator as a list of (grain…, numerator, denominator, value rounded to 4 decimals)."""
    df = data.indicator(indicator_id, filters, Scope.province(), by=by, subgroup=subgroup, root=root)
    out = []
    for r in df.iter_rows(named=True):
        v = r["value"]
        assert v is None or math.isfinite(v), r  # never NaN or inf
        out.append((*(r[COLUMNS[b]] for b in by), r["numerator"], r["denominator"], None if v is None else round(v, 4)))
    return out


# ------------------------------------------------------------------------------------------ branch ratings


def test_branch_good(tiny_store):
    # rated xs or tot / rated. 2024: A1 xs, A2 tot, A3 ht, B1 kht, B2 unrated → (1+1+0+0)/4; 2025: A1 tot, A2 xs,
    # A3 tot, B3 ht, B1 B2 unrated → 3/4
    assert rows(tiny_store, "branch_good") == [(2024, 2, 4, 50.0), (2025, 3, 4, 75.0)]
    # A 2024 2/3 = 66.67%, B 2024 0/1 (B1 kht; B2 unrated) = 0%; A 2025 3/3; B 2025 0/1 (B3 ht)
    assert rows(tiny_store, "branch_good", by=("year", "unit")) == [
        (2024, A, 2, 3, 66.6667),
        (2024, B, 0, 1, 0.0),
        (2025, A, 3, 3, 100.0),
        (2025, B, 0, 1, 0.0),
    ]
    # 2025 by type: dang A3 tot 1/1; nha_nuoc B2 unrated 0/0 → no value; xom A1 tot + A2 xs, B3 ht (B1 unrated) 2/3
    assert rows(tiny_store, "branch_good", by=("type",), filters=Y25) == [
        ("dang", 1, 1, 100.0),
        ("nha_nuoc", 0, 0, None),
        ("xom", 2, 3, 66.6667),
    ]


def test_branch_excellent(tiny_store):
    # xs / rated: 2024 A1 → 1/4 = 25%; 2025 A2 → 1/4 = 25%
    assert rows(tiny_store, "branch_excellent") == [(2024, 1, 4, 25.0), (2025, 1, 4, 25.0)]
    # A 2024 1/3, B 2024 0/1, A 2025 1/3, B 2025 0/1
    assert rows(tiny_store, "branch_excellent", by=("year", "unit")) == [
        (2024, A, 1, 3, 33.3333),
        (2024, B, 0, 1, 0.0),
        (2025, A, 1, 3, 33.3333),
        (2025, B, 0, 1, 0.0),
    ]
    # 2025 by level: co_so A3 tot (B2 unrated) 0/1; tt_cap_tren A1 tot, A2 xs, B3 ht (B1 unrated) 1/3
    assert rows(tiny_store, "branch_excellent", by=("level",), filters=Y25) == [
        ("co_so", 0, 1, 0.0),
        ("tt_cap_tren", 1, 3, 33.3333),
    ]


def test_branch_failed(tiny_store):
    # kht / rated: 2024 B1 → 1/4 = 25%; 2025 none → 0/4
    assert rows(tiny_store, "branch_failed") == [(2024, 1, 4, 25.0), (2025, 0, 4, 0.0)]
    assert rows(tiny_store, "branch_failed", by=("year", "unit")) == [
        (2024, A, 0, 3, 0.0),
        (2024, B, 1, 1, 100.0),
        (2025, A, 0, 3, 0.0),
        (2025, B, 0, 1, 0.0),
    ]
    # by year × level: 2024 co_so A3 ht (B2 unrated) 0/1; 2024 tt_co_so A1 xs, A2 tot, B1 kht 1/3;
    # 2025 co_so A3 tot 0/1; 2025 tt_cap_tren A1, A2, B3 0/3
    assert rows(tiny_store, "branch_failed", by=("year", "level")) == [
        (2024, "co_so", 0, 1, 0.0),
        (2024, "tt_co_so", 1, 3, 33.3333),
        (2025, "co_so", 0, 1, 0.0),
        (2025, "tt_cap_tren", 0, 3, 0.0),
    ]


# --------------------------------------------------------------------- grassroots organisations (issue 30)
# The tiny store describes no đảng bộ: its 2025 returns have no branch under a đảng uỷ cơ sở, so their chi bộ cơ sở
# are all their grassroots organisations; its 2024 returns (old communes: villages «trực thuộc đảng uỷ cơ sở») do
# not describe them, so 2024 has no row — «not reported», never 0. The tree store (tests/fixtures.py TREE_*) has
# đảng bộ cơ sở rated apart from their branches.


def test_grassroots_good(tiny_store, tree_store):
    # tiny 2025: the chi bộ cơ sở A3 tot (A) and B2 unrated (B) → 1/1; 2024 not described: no row
    assert rows(tiny_store, "grassroots_good") == [(2025, 1, 1, 100.0)]
    assert rows(tiny_store, "grassroots_good", by=("year", "unit")) == [(2025, A, 1, 1, 100.0), (2025, B, 0, 0, None)]
    # tree: A: D1 ht (its branches xs, tot, tot: counted as itself, not as them), D2 xs (its branch kht), A3 tot → 2/3;
    # B: a branch under a đảng uỷ cơ sở but no sheet → not described, B5 (a chi bộ cơ sở rated tot) not counted;
    # C: C1 xs, C2 unrated → 1/1. Province (2 + 1) / (3 + 1) = 75%
    assert rows(tree_store, "grassroots_good", by=("unit",)) == [(A, 2, 3, 66.6667), (C, 1, 1, 100.0)]
    assert rows(tree_store, "grassroots_good") == [(2025, 3, 4, 75.0)]
    # by kind: chi bộ cơ sở A3 tot, C1 xs (C2 unrated) 2/2; đảng bộ cơ sở D1 ht, D2 xs 1/2
    assert rows(tree_store, "grassroots_good", by=("level",)) == [("co_so", 2, 2, 100.0), ("db_co_so", 1, 2, 50.0)]
    # the branch indicator over the same store counts branches: A3, T1, T2, T3, V1 of A's 7 rated, B5, B6, C1 → 8/10
    assert rows(tree_store, "branch_good") == [(2025, 8, 10, 80.0)]


def test_grassroots_excellent(tiny_store, tree_store):
    # tiny 2025: A3 tot → 0/1
    assert rows(tiny_store, "grassroots_excellent") == [(2025, 0, 1, 0.0)]
    # tree: A: D2 xs of D1, D2, A3 → 1/3; C: C1 xs → 1/1; province 2/4 = 50%
    assert rows(tree_store, "grassroots_excellent", by=("unit",)) == [(A, 1, 3, 33.3333), (C, 1, 1, 100.0)]
    assert rows(tree_store, "grassroots_excellent") == [(2025, 2, 4, 50.0)]


def test_grassroots_failed(tiny_store, tree_store):
    # tiny 2025: 0/1
    assert rows(tiny_store, "grassroots_failed") == [(2025, 0, 1, 0.0)]
    # tree: no grassroots organisation failed — T4 (kht) is a branch of D2 (xs), which counts as itself → 0/4
    assert rows(tree_store, "grassroots_failed") == [(2025, 0, 4, 0.0)]
    assert rows(tree_store, "branch_failed") == [(2025, 1, 10, 10.0)]


def test_suborg_good(tiny_store, tree_store):
    # the organisations directly under the unit: its đảng bộ cơ sở, chi bộ cơ sở and branches «trực thuộc đảng uỷ
    # cấp trên trực tiếp cơ sở». tiny 2025: A: A1 tot, A2 xs, A3 tot → 3/3; B: B3 ht (B1, B2 unrated) → 0/1
    assert rows(tiny_store, "suborg_good", by=("year", "unit")) == [(2025, A, 3, 3, 100.0), (2025, B, 0, 1, 0.0)]
    # tree: A: D1 ht, D2 xs, A3 tot, V1 tot, V2 ht → 3/5 (T1–T4 count in their đảng bộ); B not described; C: 1/1
    assert rows(tree_store, "suborg_good", by=("unit",)) == [(A, 3, 5, 60.0), (C, 1, 1, 100.0)]


# ------------------------------------------------------------------------------------------- member ratings


def test_member_good(tiny_store):
    # (xs+tot) / (xs+tot+ht+kht). 2024: A1 (3+5)/9, A2 3/4, A3 14/17, B1 4/6, B2 26/28
    #   → (8+3+14+4+26)/(9+4+17+6+28) = 55/64 = 85.9375%
    # 2025: A1 9/10, A2 2/2, A3 17/20, B1 0/0, B2 27/30, B3 1/2 → 56/64 = 87.5%
    assert rows(tiny_store, "member_good") == [(2024, 55, 64, 85.9375), (2025, 56, 64, 87.5)]
    # A 2024 (8+3+14)/(9+4+17) = 25/30; B 2024 (4+26)/(6+28) = 30/34; A 2025 28/32; B 2025 28/32
    assert rows(tiny_store, "member_good", by=("year", "unit")) == [
        (2024, A, 25, 30, 83.3333),
        (2024, B, 30, 34, 88.2353),
        (2025, A, 28, 32, 87.5),
        (2025, B, 28, 32, 87.5),
    ]
    # 2025 by type: dang A3 17/20 = 85%; nha_nuoc B2 27/30 = 90%; xom (9+2+0+1)/(10+2+0+2) = 12/14 = 85.71%
    assert rows(tiny_store, "member_good", by=("type",), filters=Y25) == [
        ("dang", 17, 20, 85.0),
        ("nha_nuoc", 27, 30, 90.0),
        ("xom", 12, 14, 85.7143),
    ]


def test_member_excellent(tiny_store):
    # xs / rated: 2024 (3+0+4+0+6)/64 = 13/64 = 20.3125%; 2025 (4+1+5+0+5+0)/64 = 15/64 = 23.4375%
    assert rows(tiny_store, "member_excellent") == [(2024, 13, 64, 20.3125), (2025, 15, 64, 23.4375)]
    # A 2024 (3+0+4)/30; B 2024 (0+6)/34; A 2025 (4+1+5)/32; B 2025 (0+5+0)/32
    assert rows(tiny_store, "member_excellent", by=("year", "unit")) == [
        (2024, A, 7, 30, 23.3333),
        (2024, B, 6, 34, 17.6471),
        (2025, A, 10, 32, 31.25),
        (2025, B, 5, 32, 15.625),
    ]
    # 2024 by level: co_so A3 4/17 + B2 6/28 → 10/45 = 22.22%; tt_co_so A1 3/9 + A2 0/4 + B1 0/6 → 3/19 = 15.79%
    assert rows(tiny_store, "member_excellent", by=("level",), filters=Y24) == [
        ("co_so", 10, 45, 22.2222),
        ("tt_co_so", 3, 19, 15.7895),
    ]


def test_member_failed(tiny_store):
    # kht / rated: 2024 A3 1 + B1 1 → 2/64 = 3.125%; 2025 A3 1 + B2 1 → 2/64
    assert rows(tiny_store, "member_failed") == [(2024, 2, 64, 3.125), (2025, 2, 64, 3.125)]
    assert rows(tiny_store, "member_failed", by=("year", "unit")) == [
        (2024, A, 1, 30, 3.3333),
        (2024, B, 1, 34, 2.9412),
        (2025, A, 1, 32, 3.125),
        (2025, B, 1, 32, 3.125),
    ]
    # 2024 by type: dang A3 1/17 = 5.88%; nha_nuoc B2 0/28; xom A1 0/9 + A2 0/4 + B1 1/6 → 1/19 = 5.26%
    assert rows(tiny_store, "member_failed", by=("type",), filters=Y24) == [
        ("dang", 1, 17, 5.8824),
        ("nha_nuoc", 0, 28, 0.0),
        ("xom", 1, 19, 5.2632),
    ]


def test_admission_rate_first_year_and_new_branch(tiny_store):
    # admitted / members at the start of the year (= the branch's members in last year's return).
    # 2024 is the first year loaded: no branch has a start-of-year count → 0/0, no value (not 0%, not NaN).
    # 2025: A1 1/10, A2 0/4, A3 2/20, B1 0/6, B2 0/30; B3 is new (no 2024 row) and is left out, its 2 admitted
    # included → (1+0+2+0+0)/(10+4+20+6+30) = 3/70 = 4.2857%
    assert rows(tiny_store, "admission_rate") == [(2024, 0, 0, None), (2025, 3, 70, 4.2857)]
    # A 2025 3/34 = 8.82%; B 2025 0/36 (B3's 2 admissions do not count without a start-of-year base)
    assert rows(tiny_store, "admission_rate", by=("year", "unit")) == [
        (2024, A, 0, 0, None),
        (2024, B, 0, 0, None),
        (2025, A, 3, 34, 8.8235),
        (2025, B, 0, 36, 0.0),
    ]
    # 2025 by type: dang A3 2/20 = 10%; nha_nuoc B2 0/30; xom A1 1/10 + A2 0/4 + B1 0/6 (B3 out) → 1/20 = 5%
    assert rows(tiny_store, "admission_rate", by=("type",), filters=Y25) == [
        ("dang", 2, 20, 10.0),
        ("nha_nuoc", 0, 30, 0.0),
        ("xom", 1, 20, 5.0),
    ]
    # The new branch itself: 0/0 in 2025, no value
    assert rows(tiny_store, "admission_rate", by=("branch",), filters=Y25.but(units=(B,))) == [
        ("01279.B1", 0, 6, 0.0),
        ("01279.B2", 0, 30, 0.0),
        ("01279.B3", 0, 0, None),
    ]


# ------------------------------------------------------------------------------------------ infrastructure


def test_internet_none(tiny_store):
    # chua_co / branches: 2024 A1, B1 → 2/5 = 40%; 2025 A2, B1 → 2/6 = 33.33%
    assert rows(tiny_store, "internet_none") == [(2024, 2, 5, 40.0), (2025, 2, 6, 33.3333)]
    assert rows(tiny_store, "internet_none", by=("year", "unit")) == [
        (2024, A, 1, 3, 33.3333),
        (2024, B, 1, 2, 50.0),
        (2025, A, 1, 3, 33.3333),
        (2025, B, 1, 3, 33.3333),
    ]
    # by year × level: 2024 co_so A3, B2 stable 0/2; 2024 tt_co_so A1 chua_co, A2 unstable, B1 chua_co 2/3;
    # 2025 co_so 0/2; 2025 tt_cap_tren A1 unstable, A2 chua_co, B1 chua_co, B3 stable 2/4
    assert rows(tiny_store, "internet_none", by=("year", "level")) == [
        (2024, "co_so", 0, 2, 0.0),
        (2024, "tt_co_so", 2, 3, 66.6667),
        (2025, "co_so", 0, 2, 0.0),
        (2025, "tt_cap_tren", 2, 4, 50.0),
    ]


def test_internet_unstable(tiny_store):
    # khong_on_dinh / branches: 2024 A2 → 1/5 = 20%; 2025 A1 → 1/6 = 16.67%
    assert rows(tiny_store, "internet_unstable") == [(2024, 1, 5, 20.0), (2025, 1, 6, 16.6667)]
    assert rows(tiny_store, "internet_unstable", by=("year", "unit")) == [
        (2024, A, 1, 3, 33.3333),
        (2024, B, 0, 2, 0.0),
        (2025, A, 1, 3, 33.3333),
        (2025, B, 0, 3, 0.0),
    ]
    # 2025 by type: dang 0/1, nha_nuoc 0/1, xom A1 of A1 A2 B1 B3 → 1/4 = 25%
    assert rows(tiny_store, "internet_unstable", by=("type",), filters=Y25) == [
        ("dang", 0, 1, 0.0),
        ("nha_nuoc", 0, 1, 0.0),
        ("xom", 1, 4, 25.0),
    ]


def test_computer_none(tiny_store):
    # no computer / branches: 2024 A1, A2, B1 → 3/5 = 60%; 2025 A2, B1, B3 → 3/6 = 50%
    assert rows(tiny_store, "computer_none") == [(2024, 3, 5, 60.0), (2025, 3, 6, 50.0)]
    assert rows(tiny_store, "computer_none", by=("year", "unit")) == [
        (2024, A, 2, 3, 66.6667),
        (2024, B, 1, 2, 50.0),
        (2025, A, 1, 3, 33.3333),
        (2025, B, 2, 3, 66.6667),
    ]
    # 2025 by type: dang A3 has one 0/1; nha_nuoc B2 has one 0/1; xom A2, B1, B3 of 4 → 3/4 = 75%
    assert rows(tiny_store, "computer_none", by=("type",), filters=Y25) == [
        ("dang", 0, 1, 0.0),
        ("nha_nuoc", 0, 1, 0.0),
        ("xom", 3, 4, 75.0),
    ]


def test_ehandbook(tiny_store):
    # using / branches: 2024 A2, A3 → 2/5 = 40%; 2025 A1, A3, B1 → 3/6 = 50%
    assert rows(tiny_store, "ehandbook") == [(2024, 2, 5, 40.0), (2025, 3, 6, 50.0)]
    assert rows(tiny_store, "ehandbook", by=("year", "unit")) == [
        (2024, A, 2, 3, 66.6667),
        (2024, B, 0, 2, 0.0),
        (2025, A, 2, 3, 66.6667),
        (2025, B, 1, 3, 33.3333),
    ]
    # 2024 by type: dang A3 1/1; nha_nuoc B2 0/1; xom A2 of A1 A2 B1 → 1/3
    assert rows(tiny_store, "ehandbook", by=("type",), filters=Y24) == [
        ("dang", 1, 1, 100.0),
        ("nha_nuoc", 0, 1, 0.0),
        ("xom", 1, 3, 33.3333),
    ]


# ---------------------------------------------------------------------------------------------- secretaries


def test_secretary_deputy_trained(tiny_store):
    # trained / (bí thư + phó bí thư); chi uỷ viên left out.
    # 2024: A1-BT y, A1-PBT n, A2-BT n, A3-BT y, A3-PBT y, B1-BT y, B2-BT n, B2-PBT1 y, B2-PBT2 n → 5/9 = 55.56%
    # 2025: A1-BT y, A1-PBT y, A2-BT n, A3-BT y, A3-PBT n, B1-BT n, B2-BT y, B2-PBT1 y → 5/8 = 62.5%
    assert rows(tiny_store, "secretary_deputy_trained") == [(2024, 5, 9, 55.5556), (2025, 5, 8, 62.5)]
    assert rows(tiny_store, "secretary_deputy_trained", by=("year", "unit")) == [
        (2024, A, 3, 5, 60.0),
        (2024, B, 2, 4, 50.0),
        (2025, A, 3, 5, 60.0),
        (2025, B, 2, 3, 66.6667),
    ]
    # 2025 by level: co_so A3-BT y, A3-PBT n, B2-BT y, B2-PBT1 y → 3/4; tt_cap_tren A1-BT y, A1-PBT y, A2-BT n,
    # B1-BT n → 2/4
    assert rows(tiny_store, "secretary_deputy_trained", by=("level",), filters=Y25) == [
        ("co_so", 3, 4, 75.0),
        ("tt_cap_tren", 2, 4, 50.0),
    ]


def test_secretary_trained(tiny_store):
    # trained / bí thư only: 2024 A1 y, A2 n, A3 y, B1 y, B2 n → 3/5; 2025 A1 y, A2 n, A3 y, B1 n, B2 y → 3/5
    assert rows(tiny_store, "secretary_trained") == [(2024, 3, 5, 60.0), (2025, 3, 5, 60.0)]
    assert rows(tiny_store, "secretary_trained", by=("year", "unit")) == [
        (2024, A, 2, 3, 66.6667),
        (2024, B, 1, 2, 50.0),
        (2025, A, 2, 3, 66.6667),
        (2025, B, 1, 2, 50.0),
    ]
    # 2024 by type: dang A3 y 1/1; nha_nuoc B2 n 0/1; xom A1 y, A2 n, B1 y → 2/3
    assert rows(tiny_store, "secretary_trained", by=("type",), filters=Y24) == [
        ("dang", 1, 1, 100.0),
        ("nha_nuoc", 0, 1, 0.0),
        ("xom", 2, 3, 66.6667),
    ]


def test_secretary_deputy_theory(tiny_store):
    # trung_cap or cao_cap / (bí thư + phó bí thư) of chi bộ cơ sở only (A3, B2); A1-BT's trung_cap does not count.
    # 2024: A3-BT cao, A3-PBT trung, B2-BT so, B2-PBT1 trung, B2-PBT2 so → 3/5 = 60%
    # 2025: A3-BT cao, A3-PBT trung, B2-BT trung, B2-PBT1 so → 3/4 = 75%
    assert rows(tiny_store, "secretary_deputy_theory") == [(2024, 3, 5, 60.0), (2025, 3, 4, 75.0)]
    assert rows(tiny_store, "secretary_deputy_theory", by=("year", "unit")) == [
        (2024, A, 2, 2, 100.0),
        (2024, B, 1, 3, 33.3333),
        (2025, A, 2, 2, 100.0),
        (2025, B, 1, 2, 50.0),
    ]
    # by year × level: only chi bộ cơ sở appear
    assert rows(tiny_store, "secretary_deputy_theory", by=("year", "level")) == [
        (2024, "co_so", 3, 5, 60.0),
        (2025, "co_so", 3, 4, 75.0),
    ]


def test_secretary_it(tiny_store):
    # thanh_thao or biet / bí thư: 2024 A1 biet, A2 thanh_thao, A3 thanh_thao, B1 chua_biet, B2 biet → 4/5
    # 2025 A1 biet, A2 chua_biet, A3 thanh_thao, B1 biet, B2 thanh_thao → 4/5 (B3 has no secretary)
    assert rows(tiny_store, "secretary_it") == [(2024, 4, 5, 80.0), (2025, 4, 5, 80.0)]
    assert rows(tiny_store, "secretary_it", by=("year", "unit")) == [
        (2024, A, 3, 3, 100.0),
        (2024, B, 1, 2, 50.0),
        (2025, A, 2, 3, 66.6667),
        (2025, B, 2, 2, 100.0),
    ]
    # 2025 by type: dang A3 1/1; nha_nuoc B2 1/1; xom A1 y, A2 n, B1 y → 2/3
    assert rows(tiny_store, "secretary_it", by=("type",), filters=Y25) == [
        ("dang", 1, 1, 100.0),
        ("nha_nuoc", 1, 1, 100.0),
        ("xom", 2, 3, 66.6667),
    ]


# ----------------------------------------------------------------------------------------- village branches


def test_small_branch(tiny_store):
    # resident < 3 / village branches: 2024 A1 8, A2 2, B1 3 (the limit: not counted) → 1/3; 2025 A1 9, A2 2, B1 6, B3 2 → 2/4
    assert rows(tiny_store, "small_branch") == [(2024, 1, 3, 33.3333), (2025, 2, 4, 50.0)]
    assert rows(tiny_store, "small_branch", by=("year", "unit")) == [
        (2024, A, 1, 2, 50.0),
        (2024, B, 0, 1, 0.0),
        (2025, A, 1, 2, 50.0),
        (2025, B, 1, 2, 50.0),
    ]
    # by year × type: only village branches are counted (A3, B2 are not in the denominator)
    assert rows(tiny_store, "small_branch", by=("year", "type")) == [
        (2024, "xom", 1, 3, 33.3333),
        (2025, "xom", 2, 4, 50.0),
    ]


# heads_member: dang_vien / (dang_vien + khong); villages without the post (khong_co) are left out.
HEADS_BY_YEAR = {
    # 2024 A1 DV, A2 KH, B1 DV → 2/3; 2025 A1 DV, A2 DV, B1 KH, B3 KH → 2/4
    "truong_xom": [(2024, 2, 3, 66.6667), (2025, 2, 4, 50.0)],
    # 2024 A1 KH, A2 DV, B1 DV → 2/3; 2025 A1 DV, A2 KH, B1 DV, B3 KH → 2/4
    "truong_ban_ctmt": [(2024, 2, 3, 66.6667), (2025, 2, 4, 50.0)],
    # 2024 A1 DV, A2 KH, B1 KC → 1/2; 2025 A1 DV, A2 KC, B1 DV, B3 KC → 2/2
    "hoi_nong_dan": [(2024, 1, 2, 50.0), (2025, 2, 2, 100.0)],
    # 2024 A1 KC, A2 KH, B1 DV → 1/2; 2025 A1 DV, A2 KH, B1 KC, B3 KC → 1/2
    "hoi_phu_nu": [(2024, 1, 2, 50.0), (2025, 1, 2, 50.0)],
    # 2024 A1 DV, A2 KC, B1 KH → 1/2; 2025 A1 DV, A2 DV, B1 KC, B3 KC → 2/2
    "hoi_ccb": [(2024, 1, 2, 50.0), (2025, 2, 2, 100.0)],
    # 2024 A1 KH, A2 KC, B1 DV → 1/2; 2025 A1 KH, A2 KC, B1 KH, B3 KC → 0/2
    "bi_thu_doan": [(2024, 1, 2, 50.0), (2025, 0, 2, 0.0)],
}
HEADS_BY_UNIT = {
    "truong_xom": [(2024, A, 1, 2, 50.0), (2024, B, 1, 1, 100.0), (2025, A, 2, 2, 100.0), (2025, B, 0, 2, 0.0)],
    "truong_ban_ctmt": [(2024, A, 1, 2, 50.0), (2024, B, 1, 1, 100.0), (2025, A, 1, 2, 50.0), (2025, B, 1, 2, 50.0)],
    # B 2024: B1 has no farmers' union → 0/0, no value
    "hoi_nong_dan": [(2024, A, 1, 2, 50.0), (2024, B, 0, 0, None), (2025, A, 1, 1, 100.0), (2025, B, 1, 1, 100.0)],
    # B 2025: neither B1 nor B3 has a women's union → 0/0
    "hoi_phu_nu": [(2024, A, 0, 1, 0.0), (2024, B, 1, 1, 100.0), (2025, A, 1, 2, 50.0), (2025, B, 0, 0, None)],
    "hoi_ccb": [(2024, A, 1, 1, 100.0), (2024, B, 0, 1, 0.0), (2025, A, 2, 2, 100.0), (2025, B, 0, 0, None)],
    "bi_thu_doan": [(2024, A, 0, 1, 0.0), (2024, B, 1, 1, 100.0), (2025, A, 0, 1, 0.0), (2025, B, 0, 1, 0.0)],
}


@pytest.mark.parametrize("subgroup", sorted(HEADS_BY_YEAR))
def test_heads_member_each_subgroup(tiny_store, subgroup):
    assert rows(tiny_store, "heads_member", subgroup=subgroup) == HEADS_BY_YEAR[subgroup]
    assert rows(tiny_store, "heads_member", by=("year", "unit"), subgroup=subgroup) == HEADS_BY_UNIT[subgroup]


def test_heads_member_default_subgroup_and_by_level(tiny_store):
    # Without a subgroup the registry's default (trưởng xóm) is shown, never the sum over the six posts.
    assert registry.get("heads_member").default_subgroup == "truong_xom"
    assert rows(tiny_store, "heads_member") == HEADS_BY_YEAR["truong_xom"]
    # 2025 by level × subgroup: all four villages are tt_cap_tren, so each row is the 2025 province figure
    assert rows(tiny_store, "heads_member", by=("level", "subgroup"), filters=Y25) == [
        ("tt_cap_tren", "bi_thu_doan", 0, 2, 0.0),
        ("tt_cap_tren", "hoi_ccb", 2, 2, 100.0),
        ("tt_cap_tren", "hoi_nong_dan", 2, 2, 100.0),
        ("tt_cap_tren", "hoi_phu_nu", 1, 2, 50.0),
        ("tt_cap_tren", "truong_ban_ctmt", 2, 4, 50.0),
        ("tt_cap_tren", "truong_xom", 2, 4, 50.0),
    ]


# village_secretary_post: village branches whose bí thư also holds the post / village branches (a village without a
# secretary counts in the denominator). Secretaries' posts (village head, front head, other):
#   2024 A1 (y, n, n), A2 (n, y, y), B1 (y, y, n); 2025 A1 (y, y, n), A2 (n, n, n), B1 (n, y, y), B3 no secretary
SEC_BY_YEAR = {
    "either": [(2024, 3, 3, 100.0), (2025, 2, 4, 50.0)],  # 2024 A1 A2 B1; 2025 A1 B1
    "truong_xom": [(2024, 2, 3, 66.6667), (2025, 1, 4, 25.0)],  # 2024 A1 B1; 2025 A1
    "truong_ban_ctmt": [(2024, 2, 3, 66.6667), (2025, 2, 4, 50.0)],  # 2024 A2 B1; 2025 A1 B1
    "khac": [(2024, 1, 3, 33.3333), (2025, 1, 4, 25.0)],  # 2024 A2; 2025 B1
}
SEC_BY_UNIT = {
    "either": [(2024, A, 2, 2, 100.0), (2024, B, 1, 1, 100.0), (2025, A, 1, 2, 50.0), (2025, B, 1, 2, 50.0)],
    "truong_xom": [(2024, A, 1, 2, 50.0), (2024, B, 1, 1, 100.0), (2025, A, 1, 2, 50.0), (2025, B, 0, 2, 0.0)],
    "truong_ban_ctmt": [(2024, A, 1, 2, 50.0), (2024, B, 1, 1, 100.0), (2025, A, 1, 2, 50.0), (2025, B, 1, 2, 50.0)],
    "khac": [(2024, A, 1, 2, 50.0), (2024, B, 0, 1, 0.0), (2025, A, 0, 2, 0.0), (2025, B, 1, 2, 50.0)],
}


@pytest.mark.parametrize("subgroup", sorted(SEC_BY_YEAR))
def test_village_secretary_post_each_subgroup(tiny_store, subgroup):
    assert rows(tiny_store, "village_secretary_post", subgroup=subgroup) == SEC_BY_YEAR[subgroup]
    assert rows(tiny_store, "village_secretary_post", by=("year", "unit"), subgroup=subgroup) == SEC_BY_UNIT[subgroup]


def test_village_secretary_post_default_subgroup_and_by_level(tiny_store):
    assert registry.get("village_secretary_post").default_subgroup == "either"
    assert rows(tiny_store, "village_secretary_post") == SEC_BY_YEAR["either"]
    # 2024 by level × subgroup: the three villages are tt_co_so in 2024 (tt_cap_tren exists only from 2025)
    assert rows(tiny_store, "village_secretary_post", by=("level", "subgroup"), filters=Y24) == [
        ("tt_co_so", "either", 3, 3, 100.0),
        ("tt_co_so", "khac", 1, 3, 33.3333),
        ("tt_co_so", "truong_ban_ctmt", 2, 3, 66.6667),
        ("tt_co_so", "truong_xom", 2, 3, 66.6667),
    ]
    # B3 (no secretary) is a village branch in the denominator with numerator 0
    assert rows(tiny_store, "village_secretary_post", by=("branch",), filters=Y25.but(units=(B,))) == [
        ("01279.B1", 1, 1, 100.0),
        ("01279.B3", 0, 1, 0.0),
    ]


# -------------------------------------------------------------------------------- aggregation and edge cases


def test_sum_over_sum_never_mean_of_ratios(tiny_store):
    # member_good 2024: A 25/30 = 83.33%, B 30/34 = 88.24%; province (25+30)/(30+34) = 55/64 = 85.9375%,
    # while the mean of the two ratios would be (83.333+88.235)/2 = 85.784%
    (prov,) = rows(tiny_store, "member_good", filters=Y24)
    units = rows(tiny_store, "member_good", by=("unit",), filters=Y24)
    assert prov == (2024, 55, 64, 85.9375)
    assert units == [(A, 25, 30, 83.3333), (B, 30, 34, 88.2353)]
    assert abs(prov[3] - (units[0][3] + units[1][3]) / 2) > 0.1
    # secretary_deputy_trained 2025: A 3/5 = 60%, B 2/3 = 66.67%; (3+2)/(5+3) = 62.5%, not (60+66.67)/2 = 63.33%
    assert rows(tiny_store, "secretary_deputy_trained", by=(), filters=Y25) == [(5, 8, 62.5)]


@pytest.mark.parametrize("indicator_id", sorted(registry.indicators()))
def test_branch_rows_add_up_to_the_province(tiny_store, indicator_id):
    """Re-aggregating the branch drill-down (sum of numerators / sum of denominators) gives the province row."""
    for sub in registry.get(indicator_id).subgroups or [None]:
        prov = {r[0]: r[1:3] for r in rows(tiny_store, indicator_id, subgroup=sub)}
        branch_rows = rows(tiny_store, indicator_id, by=("year", "branch"), subgroup=sub)
        summed: dict[int, list[int]] = {}
        for year, _, num, den, _ in branch_rows:
            acc = summed.setdefault(year, [0, 0])
            acc[0] += num
            acc[1] += den
        assert {y: tuple(v) for y, v in summed.items()} == prov, (indicator_id, sub)


def test_zero_denominator_is_none_not_nan(tiny_store):
    # branch_good 2025, nha_nuoc: B2 is the only branch of that type and it is unrated → 0/0
    df = data.indicator("branch_good", Y25.but(types=("nha_nuoc",)), Scope.province(), by=("year",), root=tiny_store)
    assert df.select("year", "numerator", "denominator").rows() == [(2025, 0, 0)]
    assert df["value"].to_list() == [None]
    assert df["value"].null_count() == 1  # a real null, not a float NaN


def test_year_without_data_is_empty(tiny_store):
    # 2023 was never loaded: no row at all rather than a row of zeros
    assert rows(tiny_store, "member_good", filters=Filters(years=(2023,))) == []


def test_filters_combine(tiny_store):
    # member_good, B's village branches in 2024 and 2025: B1 4/6 (2024), B1 0/0 + B3 1/2 (2025)
    assert rows(tiny_store, "member_good", filters=Filters(units=(B,), types=("xom",))) == [
        (2024, 4, 6, 66.6667),
        (2025, 1, 2, 50.0),
    ]
    # level filter: chi bộ cơ sở only, 2025: A3 17/20 + B2 27/30 = 44/50 = 88%
    assert rows(tiny_store, "member_good", filters=Filters(years=(2025,), levels=("co_so",))) == [(2025, 44, 50, 88.0)]


def test_labels_next_to_codes(tiny_store):
    df = data.indicator("ehandbook", Y25, Scope.province(), by=("unit", "level", "type"), root=tiny_store)
    got = sorted(set(df.select("unit_code", "unit_name", "level_label", "type_label").rows()))
    assert got == [
        (A, "Thục Phán", "Chi bộ cơ sở", "Chi bộ thuộc loại hình cơ quan Đảng, MTTQ, tổ chức chính trị - xã hội"),
        (A, "Thục Phán", "Chi bộ trực thuộc đảng uỷ cấp trên trực tiếp cơ sở", "Chi bộ xóm, tổ dân phố"),
        (B, "Nùng Trí Cao", "Chi bộ cơ sở", "Chi bộ thuộc loại hình cơ quan Nhà nước"),
        (B, "Nùng Trí Cao", "Chi bộ trực thuộc đảng uỷ cấp trên trực tiếp cơ sở", "Chi bộ xóm, tổ dân phố"),
    ]


def test_unknown_indicator_is_refused_before_any_sql(tiny_store):
    with pytest.raises(KeyError):
        data.indicator("ind_member_good; drop view ind_member_good", ALL, Scope.province(), root=tiny_store)


# ------------------------------------------------------------------------------------------------ registry


def _views(prefix: str) -> set[str]:
    return {p.stem for p in QUERIES_DIR.glob(f"*/{prefix}*.sql")}


def test_registry_and_indicator_views_match():
    ids = set(registry.indicators())
    assert {registry.get(i).view for i in ids} == _views("ind_")
    long_sql = (QUERIES_DIR / "40_progress" / "prg_indicator_long.sql").read_text(encoding="utf-8")
    unioned = dict(re.findall(r"select '(\w+)' as indicator_id\b.*?\bfrom (ind_\w+)", long_sql))
    assert set(unioned) == ids
    assert all(view == f"ind_{i}" for i, view in unioned.items())  # each id reads its own view


def test_old_ids_are_aliases_never_current_ids():
    ids = set(registry.indicators())
    aliases = [a for ind in registry.indicators().values() for a in ind.aliases]
    assert len(aliases) == len(set(aliases))  # no alias claimed twice
    assert not set(aliases) & ids  # an old id never names another indicator now
    assert {a: registry.resolve(a) for a in aliases} == {
        "sec_trained": "secretary_deputy_trained",
        "sec_theory": "secretary_deputy_theory",
        "sec_it": "secretary_it",
        "sec_concurrent": "village_secretary_post",
    }
    assert registry.resolve("secretary_trained") == "secretary_trained"  # a current id is itself
    assert registry.resolve("sec_nothing") == "sec_nothing"  # anything else unchanged, refused where it was


def test_an_alias_that_is_a_current_id_is_refused(tmp_path, monkeypatch):
    from etl import views

    toml = (QUERIES_DIR / "indicators.toml").read_text(encoding="utf-8")
    (tmp_path / "indicators.toml").write_text(
        toml.replace('aliases = ["sec_it"]', 'aliases = ["sec_it", "secretary_trained"]'), encoding="utf-8"
    )
    monkeypatch.setattr(views, "QUERIES_DIR", tmp_path)
    with pytest.raises(ValueError, match="secretary_trained"):
        views.indicator_aliases.__wrapped__()
    (tmp_path / "indicators.toml").write_text(
        toml.replace('aliases = ["sec_it"]', 'aliases = ["sec_it", "sec_trained"]'), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="sec_trained"):  # claimed by two indicators
        views.indicator_aliases.__wrapped__()


# Indicators whose branches the tiny store does not have (tested on tests/test_meeting_targets.py's store).
EMPTY_ON_TINY = {
    "meet_higher_quarterly": "no branch under a grassroots committee in 2025, the year with meetings",
    "meet_fixed_day": "Cao Bằng fixes no meeting day: its returns have no such column (test_meet_fixed_day)",
}


def test_registry_subgroups_are_the_views_subgroups(tiny_store):
    from dashboard import db

    cur = db.cursor(tiny_store)
    for ind in registry.indicators().values():
        found = {r[0] for r in cur.sql(f"select distinct subgroup from {ind.view}").fetchall()}
        if ind.id in EMPTY_ON_TINY:
            assert found == set(), ind.id
            continue
        assert found == (set(ind.subgroups) or {None}), ind.id
        assert ind.default_subgroup is None or ind.default_subgroup in ind.subgroups


def test_branch_gaps_by_hand(tiny_store):
    # 2025 A: A2 no Internet, no computer, no e-handbook, untrained secretary, 2 resident → 5; A1 unstable
    # Internet → 1; A3 lacks nothing (not listed)
    got = data.branch_gaps(Filters(years=(2025,), units=(A,)), Scope.province(), root=tiny_store)
    assert got.select("branch_code", "gaps").rows() == [("01273.A2", 5), ("01273.A1", 1)]
    a2 = got.row(0, named=True)
    assert (a2["no_internet"], a2["unstable_internet"], a2["no_computer"], a2["no_ehandbook"]) == (
        True,
        False,
        True,
        True,
    )
    assert (a2["secretary_untrained"], a2["small_village"], a2["internet_label"]) == (True, True, "Chưa có")
    # 2025 B: B1 no Internet, no computer, untrained secretary → 3; B3 no computer, no e-handbook, 2 resident → 3
    # (no secretary listed: not counted as untrained); B2 no e-handbook → 1
    got = data.branch_gaps(Filters(years=(2025,), units=(B,)), Scope.province(), root=tiny_store)
    assert got.select("branch_code", "gaps").rows() == [("01279.B1", 3), ("01279.B3", 3), ("01279.B2", 1)]


# ---------------------------------------------------------------------------------------- branch meetings
# Only 2025 has meetings in the tiny store (a baseline: tests/fixtures.py TINY_MEETINGS); 2024 has none, so no
# 2024 row at all — «chưa có số liệu», never 0. A branch whose figure is blank (B's scoring, documents,
# judgement) counts in neither part.


def test_meet_regular(tiny_store):
    # held = due: A1 12/12 ✓, A2 11/12 ✗, A3 ✓, B1 ✓, B2 ✓, B3 6/6 (founded mid-year) ✓ → 5/6
    assert rows(tiny_store, "meet_regular") == [(2025, 5, 6, 83.3333)]
    assert rows(tiny_store, "meet_regular", by=("year", "unit")) == [(2025, A, 2, 3, 66.6667), (2025, B, 3, 3, 100.0)]


def test_meet_months(tiny_store):
    # Σ held / Σ due = (12+11+12+12+12+6)/(12+12+12+12+12+6) = 65/66
    assert rows(tiny_store, "meet_months") == [(2025, 65, 66, 98.4848)]
    assert rows(tiny_store, "meet_months", by=("year", "unit")) == [
        (2025, A, 35, 36, 97.2222),
        (2025, B, 30, 30, 100.0),
    ]


def test_meet_thematic(tiny_store):
    # quarters with a thematic meeting ≥ quarters due (ceil(months due / 3)): A1 4 ✓, A2 3 ✗, A3 ✓, B1 2 ✗, B2 ✓,
    # B3 2 of its 2 quarters ✓ → 4/6
    assert rows(tiny_store, "meet_thematic") == [(2025, 4, 6, 66.6667)]
    assert rows(tiny_store, "meet_thematic", by=("branch",), filters=Y25.but(units=(B,))) == [
        ("01279.B1", 0, 1, 0.0),
        ("01279.B2", 1, 1, 100.0),
        ("01279.B3", 1, 1, 100.0),
    ]


@pytest.mark.slow  # builds a store of its own
def test_meet_fixed_day(tiny_store, tmp_path):
    # Cao Bằng fixes no meeting day: its returns have no such column, nothing is reported → no row, never 0
    from dataclasses import replace

    from tests.fixtures import FULL_UNIT_FIELDS, build_store, full_meetings, province_of

    assert rows(tiny_store, "meet_fixed_day") == []
    # a province that meets on the 3rd (document 002), 2026: A1 held 12, 12 on the day; A2 held 11, 9 on the day;
    # A3 held none → 0/0. (12 + 9) / (12 + 11) = 21/23 = 91.3043%
    branches = [
        branch(f"{A}.A1", "tt_cap_tren", "xom", good=5, resident_members=5),
        branch(f"{A}.A2", "co_so", "dang", good=8),
    ]
    branches.append(branch(f"{A}.A3", "co_so", "nha_nuoc", good=4))
    meetings = full_meetings(branches)
    for m, held, on_day in zip(meetings, (12, 11, 0), (12, 9, 0)):
        m.update(regular_held=held, on_fixed_day=on_day, res_assigned=min(held, 12), bulletin_meetings=held)
        m.update(q_scored=held, q_level1=held, att_present=held * (m["att_present"] // 12), att_excused=0)
    day3 = replace(province_of((A,)), meeting_day=3)
    root = build_store(tmp_path / "parquet", [(A, 2026, branches, [], [], meetings, FULL_UNIT_FIELDS)], day3)
    assert rows(root, "meet_fixed_day") == [(2026, 21, 23, 91.3043)]
    assert rows(root, "meet_fixed_day", by=("branch",)) == [
        (f"{A}.A1", 12, 12, 100.0),
        (f"{A}.A2", 9, 11, 81.8182),
        (f"{A}.A3", 0, 0, None),
    ]


def test_meet_forum(tiny_store):
    # forums ≥ 1: A1 1, A3 2, B2 1 → 3/6
    assert rows(tiny_store, "meet_forum") == [(2025, 3, 6, 50.0)]


def test_meet_attendance(tiny_store):
    # present / (present + excused + unexcused): (108+30+204+60+330+12)/(120+33+240+72+360+12) = 744/837 = 88.889%
    assert rows(tiny_store, "meet_attendance") == [(2025, 744, 837, 88.8889)]
    # A (108+30+204)/(120+33+240) = 342/393; B (60+330+12)/(72+360+12) = 402/444
    assert rows(tiny_store, "meet_attendance", by=("year", "unit")) == [
        (2025, A, 342, 393, 87.0229),
        (2025, B, 402, 444, 90.5405),
    ]


def test_meet_unexcused(tiny_store):
    # absent without reason: A1 2, B1 2 → 4/837
    assert rows(tiny_store, "meet_unexcused") == [(2025, 4, 837, 0.4779)]
    # by type: xom A1 2 + B1 2 of (120+33+72+12) = 4/237; dang 0/240; nha_nuoc 0/360
    assert rows(tiny_store, "meet_unexcused", by=("type",), filters=Y25) == [
        ("dang", 0, 240, 0.0),
        ("nha_nuoc", 0, 360, 0.0),
        ("xom", 4, 237, 1.6878),
    ]


def test_meet_quality(tiny_store):
    # «Tốt» / scored, where scored is given (B left it blank: not in either part): (11+10+12)/(12+11+12) = 33/35
    assert rows(tiny_store, "meet_quality") == [(2025, 33, 35, 94.2857)]
    assert rows(tiny_store, "meet_quality", by=("year", "unit")) == [(2025, A, 33, 35, 94.2857), (2025, B, 0, 0, None)]


def test_meet_scored(tiny_store):
    # scored / held, where scored is given: A (12+11+12)/(12+11+12) = 35/35; B blank → 0/0, no value (not 0%)
    assert rows(tiny_store, "meet_scored") == [(2025, 35, 35, 100.0)]
    assert rows(tiny_store, "meet_scored", by=("year", "unit")) == [(2025, A, 35, 35, 100.0), (2025, B, 0, 0, None)]


def test_meet_resolution(tiny_store):
    # a resolution every month due, and every month held: A1 12 ✓, A2 held 11 < 12 ✗, A3 res 11 ✗, B1 ✓, B2 ✓,
    # B3 6/6 ✓ → 4/6
    assert rows(tiny_store, "meet_resolution") == [(2025, 4, 6, 66.6667)]


def test_meet_tasks_branch(tiny_store):
    # assigned ≥ members − exempt: A1 10 ≥ 10 ✓, A2 3 ✓, A3 19 < 20 ✗, B1 6 ✓, B2 30 ✓, B3 2 ✓ → 5/6
    assert rows(tiny_store, "meet_tasks_branch") == [(2025, 5, 6, 83.3333)]


def test_meet_tasks_members(tiny_store):
    # Σ assigned / Σ (members − exempt) = (10+3+19+6+30+2)/(10+3+20+6+30+2) = 70/71
    assert rows(tiny_store, "meet_tasks_members") == [(2025, 70, 71, 98.5915)]


def test_meet_bulletin(tiny_store):
    # the bulletin at every meeting held: A1 12/12 ✓, A2 11/11 ✓, A3 ✓, B1 5/12 ✗, B2 ✓, B3 6/6 ✓ → 5/6
    assert rows(tiny_store, "meet_bulletin") == [(2025, 5, 6, 83.3333)]


def test_meet_higher_village(tiny_store):
    # village branches only (A3, B2 are not): A1 2 quarters ✓, A2 0 ✗, B1 1 ✓, B3 1 ✓ → 3/4
    assert rows(tiny_store, "meet_higher_village") == [(2025, 3, 4, 75.0)]
    assert rows(tiny_store, "meet_higher_village", by=("branch",), filters=Y25.but(units=(A,))) == [
        ("01273.A1", 1, 1, 100.0),
        ("01273.A2", 0, 1, 0.0),
    ]


def test_meet_higher_quarterly(tiny_store):
    # branches under a grassroots committee (tt_co_so, tt_bo_phan): none in 2025 → no row (the branches of the
    # boundary store in tests/test_meeting_targets.py have them)
    assert rows(tiny_store, "meet_higher_quarterly") == []


def test_meet_rules(tiny_store):
    # a year given: A1 2025, A3 2021, B1 2025, B2 2020 → 4/6 (A2, B3 blank: not issued)
    assert rows(tiny_store, "meet_rules") == [(2025, 4, 6, 66.6667)]


def test_meet_term_docs(tiny_store):
    # A1 Có, A2 Không, A3 Có; B blank (not reported) → 2/3
    assert rows(tiny_store, "meet_term_docs") == [(2025, 2, 3, 66.6667)]


def test_meet_programme(tiny_store):
    # A1, A2, A3 Có; B blank → 3/3
    assert rows(tiny_store, "meet_programme") == [(2025, 3, 3, 100.0)]


def test_meet_procedure(tiny_store):
    # A1 Có, A2 Không, A3 Có; B blank → 2/3
    assert rows(tiny_store, "meet_procedure") == [(2025, 2, 3, 66.6667)]
