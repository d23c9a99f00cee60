"""The warnings of a return (dashboard/reporting.py, rules in etl/mappings/warning_rules.csv) on hand-made returns:
the exact list, and each threshold's boundary (a change of exactly the threshold does not warn)."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard import reporting

SCHEMA = {
    "branch_code": pl.String,
    "branch_name": pl.String,
    "members": pl.Int64,
    "rating": pl.String,
    "excellent": pl.Int64,
    "good": pl.Int64,
    "completed": pl.Int64,
    "not_completed": pl.Int64,
}


def frame(*rows: tuple) -> pl.DataFrame:
    """(code, members, rating, excellent, good, completed, not_completed) per branch."""
    return pl.DataFrame(
        [(c, f"Chi bộ {c}", m, r, e, g, h, k) for c, m, r, e, g, h, k in rows], schema=SCHEMA, orient="row"
    )


PREVIOUS = frame(("X1", 40, "tot", 5, 20, 10, 0), ("X2", 30, "ht", 2, 10, 15, 1), ("X3", 30, "tot", 4, 16, 8, 0))


def test_the_rules_are_data():
    rs = reporting.rules()
    assert list(rs) == [
        "members_change",
        "branch_gone",
        "branch_new",
        "rating_mix",
        "excellent_weak_members",
        # of the sheet «Sinh hoạt chi bộ» (tests/test_meetings_return.py)
        "attendance_low",
        "attendance_high",
        "no_resolution",
        "meetings_unscored",
        "pilot_regular",
        "pilot_thematic",
        "village_no_higher",
        "materials_none",
    ]
    assert rs["members_change"].threshold == 20 and rs["branch_gone"].threshold is None


def test_the_exact_warnings_of_a_hand_made_return():
    current = frame(
        ("X1", 50, "xs", 2, 2, 4, 0),  # excellent, 4/8 = exactly 50% rated good or better: no warning
        ("X2", 40, "xs", 1, 1, 3, 0),  # excellent, 2/5 = 40%: warns
        ("X4", 31, "ht", 0, 10, 20, 1),  # new; X3 is gone
    )  # members 100 → 121 (+21%); branches rated good or better 2/3 → 2/3 (no shift)
    assert [(f.rule, f.text) for f in reporting.evaluate(current, PREVIOUS)] == [
        ("members_change", "Tổng số đảng viên thay đổi +21,0% so với năm trước (100 → 121), quá ngưỡng 20%."),
        ("branch_gone", "Chi bộ «Chi bộ X3» (mã X3) có trong báo cáo năm trước nhưng không có trong báo cáo này."),
        ("branch_new", "Chi bộ «Chi bộ X4» (mã X4) mới có trong báo cáo này, không có trong báo cáo năm trước."),
        (
            "excellent_weak_members",
            "Chi bộ «Chi bộ X2» (mã X2) được xếp loại hoàn thành xuất sắc nhiệm vụ nhưng chỉ 40,0% đảng viên của "
            "chi bộ được xếp loại hoàn thành tốt nhiệm vụ trở lên (dưới 50%).",
        ),
    ]


@pytest.mark.parametrize(("after", "warns"), [(120, False), (121, True), (80, False), (79, True)])
def test_members_change_boundary(after, warns):
    current = frame(("X1", after - 60, "tot", 0, 0, 0, 0), ("X2", 30, "ht", 0, 0, 0, 0), ("X3", 30, "tot", 0, 0, 0, 0))
    got = [f.rule for f in reporting.evaluate(current, PREVIOUS)]
    assert got == (["members_change"] if warns else [])


@pytest.mark.parametrize(("good_now", "warns"), [(13, False), (14, True), (7, False), (6, True)])
def test_rating_mix_boundary(good_now, warns):
    """20 rated branches, 10 rated good or better last year (50%): 65% and 35% are exactly 15 points away."""
    before = frame(*[(f"B{i:02d}", 10, "tot" if i < 10 else "ht", 0, 0, 0, 0) for i in range(20)])
    now = frame(*[(f"B{i:02d}", 10, "tot" if i < good_now else "ht", 0, 0, 0, 0) for i in range(20)])
    got = reporting.evaluate(now, before)
    assert [f.rule for f in got] == (["rating_mix"] if warns else [])
    if good_now == 14:
        assert got[0].text == (
            "Tỷ lệ chi bộ hoàn thành tốt nhiệm vụ trở lên thay đổi +20,0 điểm % so với năm trước (50,0% → 70,0%), "
            "quá ngưỡng 15 điểm %."
        )


def test_without_a_previous_return_only_the_return_itself_is_checked():
    current = frame(("X1", 10, "xs", 0, 1, 9, 0), ("X2", 10, "tot", 0, 1, 9, 0))
    assert [f.rule for f in reporting.evaluate(current, PREVIOUS.head(0))] == ["excellent_weak_members"]


def test_the_previous_year_comes_from_the_store(tiny_store):
    from tests.fixtures import BRANCHES, A

    prev = reporting.previous_branches(A, 2025, tiny_store)
    assert prev["branch_code"].to_list() == sorted(b["branch_code"] for b in BRANCHES[(2024, A)])
    assert prev["members"].sum() == sum(b["members"] for b in BRANCHES[(2024, A)])
    assert reporting.previous_branches(A, 2024, tiny_store).height == 0  # no 2023 in the tiny store
