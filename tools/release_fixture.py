"""A deployment's state as a release wrote it, kept for the upgrade test (tests/test_upgrade.py, docs/OPERATIONS.md).

Run it with the release's own code, once per release, and commit what it writes:

    git worktree add --detach /tmp/release <commit>
    PYTHONPATH=/tmp/release .venv/bin/python tools/release_fixture.py tests/data/releases/<commit>
    git worktree remove /tmp/release

It builds the tiny two-commune store of the tests (tests/fixtures.py) through that release's ETL, runs a piece of the
2025 reporting cycle (a period opened, a commune's return submitted and approved, another's submitted), adds users
and a session, and records what the users see of it (`picture`: the board, figures, branches, users) as that release
computed it (expected.json), beside the data folder as it wrote it (data.tar.gz; its earlier snapshots left out). The upgrade test opens the folder with the new code and expects the same picture: a store written by
an earlier release opens, its figures unchanged. Only the release's public functions are used here; `picture` is
imported by the test, so both sides compute the same things."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

DEADLINE = dt.date(2026, 1, 15)
TODAY = dt.date(2026, 1, 20)
PASSWORDS = {"quan-tri-tinh": "mat-khau-quan-tri", "xa-a": "mat-khau-xa-a"}
INDICATORS = ("member_good", "branch_good", "internet_none", "secretary_trained")


def picture(data_dir: Path) -> dict:
    """What the users see of a data folder, as plain JSON values."""
    from dashboard import auth, data, reporting
    from etl.province import load_province

    try:
        from dashboard.scope import Filters, Scope
    except ImportError:  # releases before dashboard/scope.py
        from dashboard.data import Filters, Scope

    from etl import cycle

    root = data_dir / "parquet"
    data.clear_cache()
    names = {u.code: u.full_name for u in load_province("04").units}
    board, counts = None, None
    if cycle.period(2025, root) is not None:  # a store with the 2025 reporting cycle
        board, counts = reporting.board(2025, names, "province", root=root, today=TODAY)
    f = Filters(years=(2024, 2025))
    return {
        "years": data.years(root=root),
        "board": board.to_dicts() if board is not None else None,
        "counts": [counts.expected, counts.submitted, counts.approved, counts.late] if counts else None,
        "figures": {
            ind: data.indicator(ind, f, Scope.province(), by=("year", "unit"), root=root).to_dicts()
            for ind in INDICATORS
        },
        "commune": data.indicator("member_good", f, Scope.commune("01273"), root=root).to_dicts(),
        "branches": data.branches(Filters(years=(2025,)), Scope.province(), root=root)
        .select("year", "unit_code", "branch_code", "members")
        .to_dicts(),
        "users": sorted([u.username, u.role, u.unit_code, u.active] for u in auth.list_users(data_dir / "users")),
    }


def build(out: Path) -> None:
    from dashboard import auth, reporting, session
    from etl import cycle
    from etl.load import check_files
    from etl.province import load_province
    from tests.fixtures import BRANCHES, COMMITTEE, HEADS, TINY_RETURNS, A, B, build_store, return_bytes

    province = load_province("04")
    if out.exists():
        shutil.rmtree(out)
    data_dir = out / "data"
    root = data_dir / "parquet"
    build_store(root, TINY_RETURNS)

    def checked(unit: str):
        k = (2025, unit)
        workbook = return_bytes(province, unit, 2025, BRANCHES[k], COMMITTEE[k], HEADS[k])
        return check_files([(f"2025_{unit}.xlsx", workbook)], province, parallel=False, allowed_years=[2025])

    cycle.open_period(2025, DEADLINE, province, "quan-tri-tinh", "admin", root=root)
    reporting.submit_return(2025, checked(A), "xa-a", "commune", A, province, root)
    cycle.approve(2025, A, "can-bo-tinh", "province", acknowledged=True, root=root)
    reporting.submit_return(2025, checked(B), "xa-b", "commune", B, province, root)
    auth.set_user("quan-tri-tinh", PASSWORDS["quan-tri-tinh"], "admin", root=data_dir / "users")
    auth.set_user("xa-a", PASSWORDS["xa-a"], "commune", unit_code=A, root=data_dir / "users")
    issued = dt.datetime.now().timestamp()
    token = session.issue("quan-tri-tinh", data_dir / "users", now=issued)
    current = (root / "CURRENT").read_text(encoding="utf-8").strip()
    for snap in (root / "snapshots").iterdir():  # the earlier ones a real store keeps are never read again
        if snap.name != current:
            shutil.rmtree(snap)
    code = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=Path(session.__file__).parent
    )
    expected = {
        "release": code.stdout.strip(),
        "written": dt.datetime.now().isoformat(timespec="seconds"),
        "passwords": PASSWORDS,
        "session": {"token": token, "issued": issued},
        "picture": picture(data_dir),
    }
    (out / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    with tarfile.open(out / "data.tar.gz", "w:gz") as tar:  # one file in git; unpacked by the test
        tar.add(data_dir, arcname="data")
    shutil.rmtree(data_dir)


if __name__ == "__main__":
    build(Path(sys.argv[1]).resolve())
    print(f"Đã ghi {sys.argv[1]}")
