"""The sample's illustrative 2026 (synthetic/year2026.py), as the app's demonstration builds it: the calibrated years
invent no meeting history and stay as they were; 2026 has the meetings sheet, 58 of the 60 committees, a reporting
period under way with its board; every target the meetings sheet makes measurable has its status; and the app
says 2026 is illustrative."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import polars as pl
import pytest

from dashboard import data, db, filters, notices, reporting
from dashboard.scope import Coverage, Filters, Scope
from etl import cycle
from synthetic import year2026


def test_the_calibrated_years_invent_no_meeting_history(sample_store, demo_store):
    assert data.meeting_years(Scope.province(), root=sample_store) == []
    assert data.meeting_years(Scope.province(), root=demo_store) == [2026]
    # the reconciliation with the published Biểu 01–07 (2021–2025) is what it was without 2026
    before = data.reconciliation(Scope.province(), root=sample_store)
    after = data.reconciliation(Scope.province(), root=demo_store).select(before.columns)
    assert after.filter(pl.col("year") == 2026).height == 0  # nothing published to compare 2026 with
    assert after.sort(before.columns, nulls_last=True).equals(before.sort(before.columns, nulls_last=True))


def test_2026_is_58_of_60_and_the_default_year(demo_store, sample_store, province):
    cov = Coverage.by_year(data.coverage(Filters(), Scope.province(), root=demo_store))
    assert (cov[2026].reported, cov[2026].expected, cov[2026].complete) == (58, 60, True)  # 96,7% ≥ 95%
    assert filters.default_year(cov) == 2026
    # the tests' calibrated sample opens on 2025 as the README says
    assert filters.default_year(Coverage.by_year(data.coverage(Filters(), Scope.province(), root=sample_store))) == 2025
    missing = set(u.code for u in province.units) - set(year2026.with_data(province))
    story = year2026.story(province)
    assert {story[c] for c in missing} == {"late", "refused"}


def test_the_reporting_period_is_under_way(demo_store, province):
    p = cycle.period(2026, demo_store)
    assert p.deadline == dt.date(2026, 12, 5) and not p.locked
    assert Counter(p.status(u) for u in p.units) == {
        cycle.APPROVED: 30,
        cycle.SUBMITTED_VALID: 23,
        cycle.RETURNED: 5,
        cycle.SUBMITTED_ERRORS: 1,
        cycle.NOT_SUBMITTED: 1,
    }
    returned = [s for s in p.units.values() if s.status == cycle.RETURNED]
    assert sorted(s.comment for s in returned) == sorted(year2026.RETURN_COMMENTS)
    # the submissions carry the warnings of their returns (acknowledged when approved)
    assert sum(bool(s.warnings) for s in p.units.values()) > 20
    names = dict(data.units(Scope.province(), root=demo_store).select("unit_code", "unit_full_name").iter_rows())
    rows, counts = reporting.board(2026, names, "province", root=demo_store, today=dt.date(2026, 12, 7))
    assert (counts.expected, counts.submitted, counts.approved) == (60, 59, 30)
    # late: the committee not in (two days after the 5/12 deadline), and the submissions after it are counted late
    assert counts.late == 1
    assert rows.filter(pl.col("days_late") > 0).height > counts.late
    assert reporting.approval_notice(2026, demo_store) == (
        "Số liệu năm 2026: 30/60 đơn vị đã duyệt; các đơn vị chưa duyệt có thể còn sửa số liệu."
    )


def test_every_target_the_meetings_sheet_measures_has_its_status(demo_store):
    targets = data.targets(root=demo_store)
    meeting = targets.filter(pl.col("indicator_id").str.starts_with("meet_"))
    per_unit = targets.filter(pl.col("is_unit_target").fill_null(False))
    assert (meeting.height, per_unit.height) == (17, 5)  # 22 targets newly measured
    progress = data.progress(Scope.province(), scope_kind="province", root=demo_store)
    assert set(meeting["target_id"]) <= set(progress["target_id"])
    # one year: each is achieved, or not judged for want of a pace — never on track or off it
    statuses = set(progress.filter(pl.col("indicator_id").str.starts_with("meet_"))["status"])
    assert statuses <= {"achieved", "insufficient_data"}
    status = data.unit_target_status(2026, root=demo_store)
    assert sorted(status["target_id"]) == sorted(per_unit["target_id"])
    assert status.filter(pl.col("measure_id") != "unit_materials")["units_expected"].unique().to_list() == [56]


def test_the_app_says_2026_is_illustrative():
    assert notices.sample_notice(year=2026).endswith(
        "Năm 2026 là năm minh hoạ: mọi số liệu của năm này, kể cả tổng số toàn tỉnh, là giả lập, không phải số liệu "
        "công bố."
    )
    assert "minh hoạ: mọi số liệu" not in notices.sample_notice(year=2025)


@pytest.mark.parametrize("view", ["stg_branch_meeting", "int_branch_meeting", "tbl_meetings", "prg_unit_targets"])
def test_the_meeting_views_have_rows_on_the_demonstration(demo_store, view):
    assert db.cursor(demo_store).sql(f"select count(*) from {view}").fetchall()[0][0] > 0
