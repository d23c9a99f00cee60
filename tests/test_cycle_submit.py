"""A committee submits its own return (dashboard/reporting.py `submit_return`, page «Nộp báo cáo»): a valid return
of its own unit is written and «đã nộp, hợp lệ»; a file with errors is «đã nộp, có lỗi» and not written; a return
naming another unit is refused and nothing changes; an approved return cannot be submitted again."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from dashboard import reporting
from etl import cycle
from etl.load import check_files
from tests.fixtures import BRANCHES, COMMITTEE, HEADS, A, B, return_bytes


def snapshot_files(root: Path) -> dict[str, bytes]:
    out = {"CURRENT": (root / "CURRENT").read_bytes()}
    out |= {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "snapshots").rglob("*")) if p.is_file()}
    return out


@pytest.fixture
def root(tiny_store, tmp_path, province) -> Path:
    r = tmp_path / "parquet"
    shutil.copytree(tiny_store, r, symlinks=True)
    cycle.open_period(2025, dt.date(2026, 1, 15), province, "quantri", "admin", root=r)
    return r


def checked(province, unit: str, name: str = ""):
    k = (2025, unit)
    data = return_bytes(province, unit, 2025, BRANCHES[k], COMMITTEE[k], HEADS[k])
    return check_files([(name or f"2025_{unit}.xlsx", data)], province, parallel=False, allowed_years=[2025])


def test_own_valid_return_is_written_and_submitted(root, province):
    before = snapshot_files(root)
    msg = reporting.submit_return(2025, checked(province, A), "xa", "commune", A, province, root)
    assert msg.startswith("Đã nộp báo cáo năm 2025")
    assert snapshot_files(root)["CURRENT"] != before["CURRENT"]  # a new snapshot
    s = cycle.period(2025, root).units[A]
    assert (s.status, s.version, s.by) == (cycle.SUBMITTED_VALID, 1, "xa")


def test_a_return_of_another_unit_is_refused_and_nothing_changes(root, province):
    before = snapshot_files(root)
    log_before = cycle.cycle_log(root).read_bytes()
    with pytest.raises(ValueError, match="không phải của Phường Thục Phán") as e:
        reporting.submit_return(2025, checked(province, B), "xa", "commune", A, province, root)
    assert "Phường Nùng Trí Cao (01279)" in str(e.value)
    assert snapshot_files(root) == before and cycle.cycle_log(root).read_bytes() == log_before
    assert cycle.period(2025, root).status(B) == cycle.NOT_SUBMITTED


def test_a_file_with_errors_is_recorded_not_written(root, province):
    before = snapshot_files(root)
    bad = check_files([("bao-cao.xlsx", b"not a workbook")], province, parallel=False, allowed_years=[2025])
    assert bad.refused
    msg = reporting.submit_return(2025, bad, "xa", "commune", A, province, root)
    assert "lỗi" in msg
    assert snapshot_files(root) == before
    s = cycle.period(2025, root).units[A]
    assert (s.status, s.errors) == (cycle.SUBMITTED_ERRORS, sum(len(v) for v in bad.refused.values()))


def test_an_approved_return_cannot_be_submitted_again(root, province):
    reporting.submit_return(2025, checked(province, A), "xa", "commune", A, province, root)
    cycle.approve(2025, A, "tinh", "province", acknowledged=True, root=root)
    before = snapshot_files(root)
    with pytest.raises(ValueError, match="đã được duyệt"):
        reporting.submit_return(2025, checked(province, A), "xa", "commune", A, province, root)
    assert snapshot_files(root) == before


def test_only_a_committee_user_submits(root, province):
    with pytest.raises(PermissionError):
        reporting.submit_return(2025, checked(province, A), "tinh", "province", None, province, root)


def test_an_admin_load_counts_as_the_committee_submission(root, province):
    from etl.load import load_files

    k = (2025, B)
    files = [("b.xlsx", return_bytes(province, B, 2025, BRANCHES[k], COMMITTEE[k], HEADS[k]))]
    rep = load_files(files, "quantri", province, root=root, parallel=False)
    assert rep.ok
    assert reporting.record_loaded(rep.parsed, "quantri", root) == 1
    s = cycle.period(2025, root).units[B]
    assert (s.status, s.by, s.version) == (cycle.SUBMITTED_VALID, "quantri", 1)
    assert s.warnings == [f.text for f in reporting.return_warnings(B, 2025, rep.parsed[0].branches, root)]
    assert cycle.period(2025, root).status(A) == cycle.NOT_SUBMITTED
