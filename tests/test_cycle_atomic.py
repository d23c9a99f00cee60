"""A committee's submission writes its data and changes its status in one step (etl/store.py `commit` under the
cycle's lock): killed half-way it leaves the previous data and status, or — killed after the switch — the new data
whose status `recover` then records; an approval that lands while the data is being written is not overtaken."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

import etl.store
from dashboard import db, reporting
from etl import cycle
from etl.load import check_files
from etl.store import current_snapshot, recover
from tests.fixtures import BRANCHES, COMMITTEE, HEADS, A, open_period_root, return_bytes  # noqa: F401  (root)

pytestmark = pytest.mark.slow  # processes racing on the store's and the cycle's locks, and killed mid-write

ROOT = Path(__file__).resolve().parent.parent


def own_return(province, more: int = 0) -> bytes:
    """A's 2025 return, with `more` members rated good in its first branch."""
    k = (2025, A)
    first, *rest = BRANCHES[k]
    return return_bytes(
        province,
        A,
        2025,
        [{**first, "good": first["good"] + more, "members": first["members"] + more}, *rest],
        COMMITTEE[k],
        HEADS[k],
    )


def members(root: Path) -> int:
    return (
        db.cursor(root)
        .sql("select sum(members)::bigint from stg_branch_year where year = 2025 and unit_code = $u", params={"u": A})
        .fetchall()[0][0]
    )


KILLER = r"""
import os, signal, sys
from pathlib import Path
import etl.store
from dashboard import reporting
from etl.load import check_files
from etl.province import load_province

root, path, point, unit = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
if point == "before-current":       # data written, not yet current; the status not yet recorded
    etl.store._swap_current = die
elif point == "after-current":      # data current; the status not yet recorded (the cycle's block not ended)
    fsync_dir = etl.store._fsync_dir
    etl.store._fsync_dir = lambda p: die() if Path(p) == root else fsync_dir(p)
province = load_province("04")
checked = check_files([(path.name, path.read_bytes())], province, parallel=False, allowed_years=[2025])
print(reporting.submit_return(2025, checked, "xa", "commune", unit, province, root))
print("not killed")
"""


def submit_and_kill(root: Path, file: Path, point: str) -> None:
    r = subprocess.run(
        [sys.executable, "-c", KILLER, str(root), str(file), point, A],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == -9, (r.returncode, r.stdout, r.stderr[-2000:])


def test_killed_before_the_switch_leaves_data_and_status_as_they_were(root, province, tmp_path):
    before_members, before_snap = members(root), current_snapshot(root)
    file = tmp_path / "a.xlsx"
    file.write_bytes(own_return(province, 7))
    submit_and_kill(root, file, "before-current")
    assert current_snapshot(root) == before_snap and members(root) == before_members
    s = cycle.period(2025, root).units[A]
    assert (s.status, s.version, s.versions) == (cycle.NOT_SUBMITTED, 0, [])
    msg = recover(root)
    assert msg and "Dữ liệu trước đó vẫn nguyên vẹn" in msg
    assert cycle.period(2025, root).units[A].status == cycle.NOT_SUBMITTED and members(root) == before_members


def test_killed_after_the_switch_the_status_follows_the_data(root, province, tmp_path):
    before = members(root)
    file = tmp_path / "a.xlsx"
    file.write_bytes(own_return(province, 7))
    submit_and_kill(root, file, "after-current")
    assert members(root) == before + 7
    assert cycle.period(2025, root).units[A].status == cycle.NOT_SUBMITTED  # not yet recorded…
    msg = recover(root)
    assert msg and "đã được ghi đầy đủ" in msg
    s = cycle.period(2025, root).units[A]  # …recorded by the recovery, once
    assert (s.status, s.by, s.version, len(s.versions)) == (cycle.SUBMITTED_VALID, "xa", 1, 1)
    assert s.versions[0].load_id == current_snapshot(root).name
    assert recover(root) is None and cycle.period(2025, root).units[A].version == 1


def test_an_approval_during_the_write_is_not_overtaken(root, province, monkeypatch):
    """The province approves A's first return while A's second is being written: the second is refused, its data
    is not made current, and the approval stands."""
    first = check_files([("a1.xlsx", own_return(province))], province, parallel=False, allowed_years=[2025])
    reporting.submit_return(2025, first, "xa", "commune", A, province, root)
    approved_members, snap = members(root), current_snapshot(root)
    snaps = sorted(p.name for p in (root / "snapshots").iterdir())

    write = etl.store._write_snapshot

    def write_then_approve(*a, **k):
        out = write(*a, **k)
        t = threading.Thread(
            target=cycle.approve, args=(2025, A, "tinh", "province"), kwargs={"root": root, "acknowledged": True}
        )
        t.start()
        t.join()  # the approval lands between the early check and the switch
        return out

    monkeypatch.setattr(etl.store, "_write_snapshot", write_then_approve)
    second = check_files([("a2.xlsx", own_return(province, 7))], province, parallel=False, allowed_years=[2025])
    with pytest.raises(ValueError, match="đã được duyệt"):
        reporting.submit_return(2025, second, "xa", "commune", A, province, root)
    assert current_snapshot(root) == snap and members(root) == approved_members
    s = cycle.period(2025, root).units[A]
    assert (s.status, s.version) == (cycle.APPROVED, 1)
    assert sorted(p.name for p in (root / "snapshots").iterdir()) == snaps  # the refused one left nothing behind


def test_two_committees_submitting_at_the_same_moment_both_land(root, province):
    """A and B submit their returns at once (two threads, as two sessions of the server): both returns are in the
    store and both committees «đã nộp, hợp lệ», each with its one version."""
    from tests.fixtures import B

    files = {}
    for unit in (A, B):
        k = (2025, unit)
        data = return_bytes(province, unit, 2025, BRANCHES[k], COMMITTEE[k], HEADS[k])
        files[unit] = check_files([(f"{unit}.xlsx", data)], province, parallel=False, allowed_years=[2025])
    gate, out = threading.Barrier(2), {}

    def send(unit: str) -> None:
        gate.wait()
        out[unit] = reporting.submit_return(2025, files[unit], f"xa-{unit}", "commune", unit, province, root)

    threads = [threading.Thread(target=send, args=(u,)) for u in (A, B)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(out) == [A, B] and all(m.startswith("Đã nộp báo cáo năm 2025") for m in out.values())
    p = cycle.period(2025, root)
    for unit in (A, B):
        s = p.units[unit]
        assert (s.status, s.by, len(s.versions)) == (cycle.SUBMITTED_VALID, f"xa-{unit}", 1)
    stored = db.cursor(root).sql("select unit_code, file_name from stg_returns where year = 2025 order by 1").fetchall()
    assert stored == [(A, f"{A}.xlsx"), (B, f"{B}.xlsx")]
