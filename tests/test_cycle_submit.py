"""A committee submits its own return (dashboard/reporting.py `submit_return`, page «Nộp báo cáo»): a valid return
of its own unit is written and «đã nộp, hợp lệ»; a file with errors is no submission at all; a return naming
another unit is refused and nothing changes; an approved return cannot be submitted again."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import reporting
from etl import cycle
from etl.load import check_files
from etl.store import commit
from tests.fixtures import BRANCHES, COMMITTEE, HEADS, A, B, open_period_root, return_bytes  # noqa: F401  (root)

pytestmark = pytest.mark.slow  # each test commits returns into its own store


def snapshot_files(root: Path) -> dict[str, bytes]:
    out = {"CURRENT": (root / "CURRENT").read_bytes()}
    out |= {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "snapshots").rglob("*")) if p.is_file()}
    return out


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


def test_a_file_with_errors_is_not_a_submission(root, province):
    """Issue 26.7: a file with errors was «submitted» (counted as «lần nộp 1»); it is refused, and nothing of the
    data or the cycle changes (the page does not offer «Nộp báo cáo» for it either)."""
    before = snapshot_files(root)
    log_before = cycle.cycle_log(root).read_bytes()
    bad = check_files([("bao-cao.xlsx", b"not a workbook")], province, parallel=False, allowed_years=[2025])
    assert bad.refused
    with pytest.raises(ValueError) as e:
        reporting.submit_return(2025, bad, "xa", "commune", A, province, root)
    assert str(e.value) == (
        "Tệp có 1 lỗi nên không nộp được (và không được tính là một lần nộp): hãy sửa theo hướng dẫn rồi tải tệp "
        "lên lại."
    )
    assert snapshot_files(root) == before and cycle.cycle_log(root).read_bytes() == log_before
    s = cycle.period(2025, root).units[A]
    assert (s.status, s.version, s.errors) == (cycle.NOT_SUBMITTED, 0, 0)


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
    checked = check_files(files, province, parallel=False)
    subs = reporting.submissions_of(checked.parsed, root)
    assert list(subs) == [(2025, B)]
    commit(checked.parsed, province, "quantri", root, submissions=subs)
    s = cycle.period(2025, root).units[B]
    assert (s.status, s.by, s.version) == (cycle.SUBMITTED_VALID, "quantri", 1)
    assert s.warnings == list(subs[(2025, B)].warnings)
    assert [v.number for v in s.versions] == [1]

    # the CLI's load (no warnings given) is recorded too: the board never says «chưa nộp» over loaded data
    rep = load_files(files, "quantri", province, root=root, parallel=False)
    assert rep.ok
    s = cycle.period(2025, root).units[B]
    assert (s.status, s.version, len(s.versions)) == (cycle.SUBMITTED_VALID, 2, 2)
    assert cycle.period(2025, root).status(A) == cycle.NOT_SUBMITTED


def test_two_versions_and_what_changed_between_them(root, province):
    """Hand-computed: version 1 is A's fixture (3 branches, 36 members; 28 of 32 rated members good or better =
    87,50%; all 3 branches good or better); version 2 adds 7 members rated good to A1 (43 members; 35/39 = 89,74%,
    +2,24 points) and rates A3 «hoàn thành nhiệm vụ» (2/3 branches = 66,67%, -33,33 points)."""
    k = (2025, A)
    a1, a2, a3 = BRANCHES[k]
    second = [{**a1, "good": 12, "members": 18}, a2, {**a3, "rating": "ht"}]
    reporting.submit_return(2025, checked(province, A), "xa", "commune", A, province, root)
    data = return_bytes(province, A, 2025, second, COMMITTEE[k], HEADS[k])
    again = check_files([("2025_A_lan2.xlsx", data)], province, parallel=False, allowed_years=[2025])
    reporting.submit_return(2025, again, "xa", "commune", A, province, root)

    s = cycle.period(2025, root).units[A]
    assert [(v.number, v.file, v.branches, v.by) for v in s.versions] == [
        (1, f"2025_{A}.xlsx", 3, "xa"),
        (2, "2025_A_lan2.xlsx", 3, "xa"),
    ]
    v1, v2 = (reporting.version_branches(2025, A, v.load_id, root) for v in s.versions)
    figures, changes = reporting.compare_versions(v1, v2)
    assert figures.rows() == [
        ("Số chi bộ", "3", "3", "0"),
        ("Tổng số đảng viên", "36", "43", "+7"),
        ("Chi bộ hoàn thành tốt nhiệm vụ trở lên (%)", "100,00%", "66,67%", "-33,33 điểm %"),
        ("Đảng viên hoàn thành tốt nhiệm vụ trở lên (%)", "87,50%", "89,74%", "+2,24 điểm %"),
        ("Chi bộ có Internet ổn định (%)", "33,33%", "33,33%", "±0,00 điểm %"),
        ("Chi bộ có máy tính (%)", "66,67%", "66,67%", "±0,00 điểm %"),
    ]
    assert changes["branch_code"].to_list() == ["01273.A1", "01273.A3"] and set(changes["change"]) == {"thay đổi"}
    assert "11 → 18" in changes["details"][0] and "5 → 12" in changes["details"][0]
    assert "→" in changes["details"][1] and "Xếp loại" in changes["details"][1]
    # a version file holds no people: only the branch columns
    assert "excel_row" not in v1.columns and not any("name" in c for c in v1.columns if c != "branch_name")


def test_a_user_of_a_province_affiliated_committee_submits_its_own_return(root, province):
    affiliated = next(u.code for u in province.units if not u.is_commune)
    k = (2025, A)
    own = lambda code: f"{affiliated}.{code.split('.')[-1]}"  # noqa: E731  (its own codes: «04-CQD.A1»)
    t = lambda rows: [{**r, "branch_code": own(r["branch_code"])} for r in rows]  # noqa: E731
    data = return_bytes(province, affiliated, 2025, t(BRANCHES[k]), t(COMMITTEE[k]), t(HEADS[k]))
    mine = check_files([("tt.xlsx", data)], province, parallel=False, allowed_years=[2025])
    assert not mine.refused, mine.refused
    msg = reporting.submit_return(2025, mine, "dangbo-tt", "commune", affiliated, province, root)
    assert msg.startswith("Đã nộp báo cáo năm 2025")
    assert cycle.period(2025, root).status(affiliated) == cycle.SUBMITTED_VALID
    with pytest.raises(ValueError, match="không phải của"):
        reporting.submit_return(2025, checked(province, A), "dangbo-tt", "commune", affiliated, province, root)
