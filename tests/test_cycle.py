"""The reporting cycle (etl/cycle.py): every allowed transition and every forbidden one, the year's lock and its
unlock by an admin with a reason, concurrent submissions, and a torn last line of the log."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from etl import audit, cycle
from etl.codes import label

YEAR = 2026
A, B = "01273", "01279"
DEADLINE = dt.date(2027, 1, 15)


@pytest.fixture
def root(tmp_path, province) -> Path:
    r = tmp_path / "parquet"
    cycle.open_period(YEAR, DEADLINE, province, "quantri", "admin", root=r)
    return r


def status(root: Path, unit: str = A) -> str:
    p = cycle.period(YEAR, root)
    return p.status(unit)


def put(root: Path, state: str, unit: str = A) -> None:
    """Bring a committee to a state by allowed steps."""
    steps = {
        cycle.NOT_SUBMITTED: [],
        cycle.SUBMITTED_ERRORS: [
            lambda: cycle.submit(YEAR, unit, "xa", "commune", errors=2, user_unit=unit, root=root)
        ],
        cycle.SUBMITTED_VALID: [lambda: cycle.submit(YEAR, unit, "xa", "commune", user_unit=unit, root=root)],
    }
    steps[cycle.RETURNED] = steps[cycle.SUBMITTED_VALID] + [
        lambda: cycle.return_for_correction(YEAR, unit, "Sửa số đảng viên", "tinh", "province", root=root)
    ]
    steps[cycle.APPROVED] = steps[cycle.SUBMITTED_VALID] + [
        lambda: cycle.approve(YEAR, unit, "tinh", "province", root=root)
    ]
    steps[cycle.LOCKED] = steps[cycle.APPROVED] + [
        lambda: cycle.lock_year(YEAR, "quantri", "admin", root=root, confirmed=True)
    ]
    for step in steps[state]:
        step()
    assert status(root, unit) == state


def act(root: Path, action: str, unit: str = A, errors: int = 0) -> None:
    if action == "submit":
        cycle.submit(YEAR, unit, "xa", "commune", errors=errors, user_unit=unit, root=root)
    elif action == "return":
        cycle.return_for_correction(YEAR, unit, "Thiếu chi bộ xóm Nà Rụa", "tinh", "province", root=root)
    elif action == "approve":
        cycle.approve(YEAR, unit, "tinh", "province", root=root)


ALLOWED = [
    (cycle.NOT_SUBMITTED, "submit", 0, cycle.SUBMITTED_VALID),
    (cycle.NOT_SUBMITTED, "submit", 3, cycle.SUBMITTED_ERRORS),
    (cycle.SUBMITTED_ERRORS, "submit", 0, cycle.SUBMITTED_VALID),
    (cycle.SUBMITTED_ERRORS, "submit", 1, cycle.SUBMITTED_ERRORS),
    (cycle.SUBMITTED_VALID, "submit", 0, cycle.SUBMITTED_VALID),
    (cycle.SUBMITTED_VALID, "submit", 1, cycle.SUBMITTED_ERRORS),
    (cycle.RETURNED, "submit", 0, cycle.SUBMITTED_VALID),
    (cycle.RETURNED, "submit", 2, cycle.SUBMITTED_ERRORS),
    (cycle.SUBMITTED_ERRORS, "return", 0, cycle.RETURNED),
    (cycle.SUBMITTED_VALID, "return", 0, cycle.RETURNED),
    (cycle.APPROVED, "return", 0, cycle.RETURNED),
    (cycle.SUBMITTED_VALID, "approve", 0, cycle.APPROVED),
]
ALLOWED_PAIRS = {(s, a) for s, a, _, _ in ALLOWED}
FORBIDDEN = [(s, a) for s in cycle.STATUSES for a in ("submit", "return", "approve") if (s, a) not in ALLOWED_PAIRS]


def test_the_statuses_and_actions_are_the_codes_registry():
    assert cycle.STATUSES == ("chua_nop", "nop_loi", "nop_hop_le", "tra_lai", "da_duyet", "da_khoa")
    assert label("cycle_status", cycle.SUBMITTED_ERRORS) == "Đã nộp, có lỗi"
    assert set(cycle.UNIT_TRANSITIONS) | {"open", "lock", "unlock"} == set(cycle.ACTIONS)


@pytest.mark.parametrize(("start", "action", "errors", "end"), ALLOWED)
def test_allowed_transition(root, start, action, errors, end):
    put(root, start)
    act(root, action, errors=errors)
    assert status(root) == end
    assert status(root, B) == cycle.NOT_SUBMITTED  # the other committee is untouched
    last = json.loads(cycle.cycle_log(root).read_text(encoding="utf-8").splitlines()[-1])
    assert (last["from"], last["to"], last["action"]) == (start, end, action)
    ev = [json.loads(x) for x in (audit.audit_dir(root) / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    details = json.loads(ev[-1]["details"])
    assert ev[-1]["event"] == "cycle" and details["unit"] == A and details["to"] == end
    assert ev[-1]["user"] == {"submit": "xa", "return": "tinh", "approve": "tinh"}[action]


def test_every_pair_is_either_allowed_or_forbidden():
    assert len(FORBIDDEN) + len(ALLOWED_PAIRS) == len(cycle.STATUSES) * 3
    assert len(FORBIDDEN) == 10


@pytest.mark.parametrize(("start", "action"), FORBIDDEN)
def test_forbidden_transition(root, start, action):
    put(root, start)
    before = cycle.cycle_log(root).read_bytes()
    with pytest.raises(ValueError, match="Không thể|đã khoá") as e:
        act(root, action)
    assert label("cycle_status", start).lower() in str(e.value).lower() or "đã khoá" in str(e.value)
    assert cycle.cycle_log(root).read_bytes() == before
    assert status(root) == start


def test_roles_and_own_unit(root):
    with pytest.raises(ValueError, match="không phải đơn vị của bạn"):
        cycle.submit(YEAR, B, "xa", "commune", user_unit=A, root=root)
    with pytest.raises(ValueError, match="Vai trò"):
        cycle.submit(YEAR, A, "tinh", "province", root=root)
    put(root, cycle.SUBMITTED_VALID)
    with pytest.raises(ValueError, match="Vai trò"):
        cycle.approve(YEAR, A, "xa", "commune", root=root)
    with pytest.raises(ValueError, match="Vai trò"):
        cycle.return_for_correction(YEAR, A, "sửa", "xa", "commune", root=root)
    with pytest.raises(ValueError, match="ghi rõ nội dung"):
        cycle.return_for_correction(YEAR, A, "  ", "tinh", "province", root=root)
    with pytest.raises(ValueError, match="Chỉ quản trị viên"):
        cycle.lock_year(YEAR, "tinh", "province", root=root, confirmed=True)
    assert status(root) == cycle.SUBMITTED_VALID


def test_period_rules(root, province):
    with pytest.raises(ValueError, match="đã được mở"):
        cycle.open_period(YEAR, DEADLINE, province, "quantri", "admin", root=root)
    with pytest.raises(ValueError, match="Chỉ quản trị viên"):
        cycle.open_period(YEAR + 1, DEADLINE, province, "tinh", "province", root=root)
    with pytest.raises(ValueError, match="chưa được mở"):
        cycle.submit(YEAR + 1, A, "xa", "commune", user_unit=A, root=root)
    with pytest.raises(ValueError, match="Không có .* trong danh sách"):
        cycle.submit(YEAR, "99999", "quantri", "admin", root=root)
    p = cycle.period(YEAR, root)
    assert len(p.expected) == 60 and p.deadline == DEADLINE
    assert set(p.expected) == {u.code for u in province.units}


def test_comment_and_version_are_kept(root):
    put(root, cycle.RETURNED)
    s = cycle.period(YEAR, root).units[A]
    assert s.comment == "Sửa số đảng viên" and s.by == "tinh" and s.version == 1
    cycle.submit(YEAR, A, "xa", "commune", warnings=["Số đảng viên giảm 30%"], user_unit=A, root=root)
    s = cycle.period(YEAR, root).units[A]
    assert s.version == 2 and s.warnings == ["Số đảng viên giảm 30%"]


def test_approving_with_warnings_needs_them_acknowledged(root):
    cycle.submit(YEAR, A, "xa", "commune", warnings=["w1", "w2"], user_unit=A, root=root)
    with pytest.raises(ValueError, match="2 cảnh báo"):
        cycle.approve(YEAR, A, "tinh", "province", root=root)
    assert status(root) == cycle.SUBMITTED_VALID
    cycle.approve(YEAR, A, "tinh", "province", acknowledged=True, root=root)
    assert status(root) == cycle.APPROVED


def test_lock_freezes_every_committee_and_unlock_needs_admin_and_reason(root):
    put(root, cycle.APPROVED)
    put(root, cycle.SUBMITTED_VALID, B)
    cycle.lock_year(YEAR, "quantri", "admin", root=root, confirmed=True)
    assert status(root, A) == status(root, B) == cycle.LOCKED
    with pytest.raises(ValueError, match="đã khoá"):
        cycle.lock_year(YEAR, "quantri", "admin", root=root, confirmed=True)
    for role in ("province", "commune"):
        with pytest.raises(ValueError, match="Chỉ quản trị viên"):
            cycle.unlock_year(YEAR, "Sửa số liệu xã", "tinh", role, root=root)
    with pytest.raises(ValueError, match="lý do"):
        cycle.unlock_year(YEAR, "   ", "quantri", "admin", root=root)
    assert status(root, A) == cycle.LOCKED
    cycle.unlock_year(YEAR, "Sửa số liệu phường Nùng Trí Cao", "quantri", "admin", root=root)
    assert (status(root, A), status(root, B)) == (cycle.APPROVED, cycle.SUBMITTED_VALID)
    ev = [json.loads(x) for x in (audit.audit_dir(root) / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    details = json.loads(ev[-1]["details"])
    assert details["action"] == "unlock" and details["comment"] == "Sửa số liệu phường Nùng Trí Cao"
    with pytest.raises(ValueError, match="chưa khoá"):
        cycle.unlock_year(YEAR, "lý do", "quantri", "admin", root=root)


def test_replace_refusal(root):
    assert cycle.replace_refusal(YEAR, A, root) is None
    assert cycle.replace_refusal(YEAR - 1, A, root) is None  # no period: no cycle rule
    put(root, cycle.APPROVED)
    assert "đã được duyệt" in cycle.replace_refusal(YEAR, A, root)
    assert cycle.replace_refusal(YEAR, B, root) is None
    cycle.lock_year(YEAR, "quantri", "admin", root=root, confirmed=True)
    assert "đã khoá" in cycle.replace_refusal(YEAR, B, root)


# A separate interpreter per process (not multiprocessing: its spawn re-runs whatever __main__ is, e.g. the app of
# an earlier AppTest), each waiting for the same start file so both submit at the same moment.
_SUBMIT = """
import os, sys, time
from pathlib import Path
from etl import cycle
root, unit, go = sys.argv[1:4]
while not os.path.exists(go):
    time.sleep(0.001)
cycle.submit(2026, unit, "xa", "commune", user_unit=unit, root=Path(root))
"""


def test_simultaneous_submissions_all_land(root, province):
    units = [u.code for u in province.units[:8]]
    start = threading.Barrier(len(units))

    def go(unit: str) -> None:
        start.wait()
        cycle.submit(YEAR, unit, "xa", "commune", user_unit=unit, root=root)

    threads = [threading.Thread(target=go, args=(u,)) for u in units]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # and two processes at the same moment
    go_file = root.parent / "go"
    pair = [u.code for u in province.units[8:10]]
    procs = [
        subprocess.Popen([sys.executable, "-c", _SUBMIT, str(root), u, str(go_file)], cwd=Path(__file__).parent.parent)
        for u in pair
    ]
    go_file.touch()
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    p = cycle.period(YEAR, root)
    assert all(p.status(u) == cycle.SUBMITTED_VALID for u in units + pair)
    assert sum(s.version for s in p.units.values()) == 10
    lines = cycle.cycle_log(root).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 11 and all(json.loads(x) for x in lines)


def test_a_torn_last_line_is_tolerated(root):
    put(root, cycle.SUBMITTED_VALID)
    with open(cycle.cycle_log(root), "ab") as f:  # a write cut short: half an approval, no newline
        f.write(b'{"time": "2027-01-02T10:00:00", "year": 2026, "unit": "01273", "action": "appr')
    assert status(root) == cycle.SUBMITTED_VALID  # the earlier status stands
    cycle.approve(YEAR, A, "tinh", "province", root=root)  # the next event starts on a line of its own
    assert status(root) == cycle.APPROVED
    lines = cycle.cycle_log(root).read_bytes().split(b"\n")
    assert lines[-3].endswith(b'"appr') and json.loads(lines[-2])["to"] == cycle.APPROVED


# ------------------------------------------------------------------------------ the load path refuses frozen years


def _fingerprint(root: Path) -> dict[str, bytes]:
    """CURRENT and every file of every snapshot."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "snapshots" in p.parts or p.name == "CURRENT"
    }


@pytest.mark.slow
def test_an_approved_or_locked_committee_year_cannot_be_replaced_by_a_load(tiny_store, tmp_path, province):
    import shutil

    from etl.findings import ReturnRejected
    from etl.load import load_files
    from etl.store import commit
    from tests.fixtures import BRANCHES, COMMITTEE, HEADS, return_bytes

    root = tmp_path / "parquet"
    shutil.copytree(tiny_store, root, symlinks=True)
    cycle.open_period(2025, DEADLINE, province, "quantri", "admin", root=root)
    cycle.submit(2025, A, "xa", "commune", user_unit=A, root=root)
    cycle.approve(2025, A, "tinh", "province", root=root)

    def file(unit: str) -> tuple[str, bytes]:
        k = (2025, unit)
        return f"2025_{unit}.xlsx", return_bytes(province, unit, 2025, BRANCHES[k], COMMITTEE[k], HEADS[k])

    before = _fingerprint(root)
    rep = load_files([file(A)], "quantri", province, root=root, parallel=False)
    assert not rep.ok
    [msg] = rep.messages()
    assert "đã được duyệt: không thể thay thế" in msg and A in msg
    assert _fingerprint(root) == before
    # the refusal is in the load log, the approval stands
    assert cycle.period(2025, root).status(A) == cycle.APPROVED
    # another committee of the same year is not frozen: its return loads
    assert load_files([file(B)], "quantri", province, root=root, parallel=False).ok
    # once the year is locked, no committee's return loads, through either entry (load_files, the page's commit)
    cycle.lock_year(2025, "quantri", "admin", root=root, confirmed=True)
    before = _fingerprint(root)
    rep = load_files([file(B)], "quantri", province, root=root, parallel=False)
    assert not rep.ok and "Số liệu năm 2025 đã khoá" in rep.messages()[0]
    with pytest.raises(ReturnRejected, match="đã khoá"):
        commit(rep.parsed, province, "quantri", root)
    assert _fingerprint(root) == before
    # a year without a period (2024) loads as before
    k = (2024, A)
    old = ("2024_A.xlsx", return_bytes(province, A, 2024, BRANCHES[k], COMMITTEE[k], HEADS[k]))
    assert load_files([old], "quantri", province, root=root, parallel=False).ok


def test_the_audit_log_says_each_change_in_words(root):
    from dashboard.admin import details_text

    put(root, cycle.RETURNED)
    ev = [json.loads(x) for x in (audit.audit_dir(root) / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["event"] for e in ev] == ["cycle"] * 3 and [e["user"] for e in ev] == ["quantri", "xa", "tinh"]
    assert json.loads(ev[0]["details"])["expected"] == 60
    assert details_text(ev[-1]["details"]) == (
        "năm: 2026 · đơn vị: 01273 · thao tác: trả lại để sửa · từ: đã nộp, hợp lệ · vai trò: toàn tỉnh · "
        "ý kiến: Sửa số đảng viên · sang: trả lại"
    )


def test_the_expected_committees_follow_the_configuration_and_last_year(tmp_path, province):
    root = tmp_path / "parquet"
    from dashboard import reporting

    codes = [u.code for u in province.units]
    everyone, missing = reporting.expected_units(2026, province, set(codes[1:]))
    assert everyone == codes and missing == [codes[0]]  # the one without a return the year before is named
    assert reporting.expected_units(2026, province, set()) == (codes, [])  # no year before: nothing to say
    p = cycle.open_period(2026, dt.date(2027, 1, 15), province, "quantri", "admin", root=root, expected=codes[1:])
    assert p.expected == codes[1:] and codes[0] not in p.units
    with pytest.raises(ValueError, match="Không có .* trong danh sách"):
        cycle.submit(2026, codes[0], "xa", "commune", user_unit=codes[0], root=root)
    with pytest.raises(ValueError, match="không có trong cấu hình"):
        cycle.open_period(2027, dt.date(2028, 1, 15), province, "quantri", "admin", root=root, expected=["99999"])
    with pytest.raises(ValueError, match="ít nhất một"):
        cycle.open_period(2027, dt.date(2028, 1, 15), province, "quantri", "admin", root=root, expected=[])
