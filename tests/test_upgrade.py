"""Issue 26.4: an upgrade keeps the deployment's state. Each folder of tests/data/releases/ is a data folder as an
earlier release wrote it, with what its users saw (tools/release_fixture.py, run with that release's code; a new
release adds its own). This code must open it — command line, figures, the board, users, sessions — and see the
same, then go on with the cycle and back it up (the upgrade procedure of docs/OPERATIONS.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile

import pytest

from dashboard import auth, session
from etl import cycle, state
from tests.conftest import ROOT
from tools.release_fixture import picture

RELEASES = sorted(p for p in (ROOT / "tests" / "data" / "releases").iterdir() if p.is_dir())


def test_there_is_a_store_of_an_earlier_release():
    assert RELEASES


def corrected(picture: dict) -> dict:
    """A picture recorded before a unit's name was corrected, with the corrected names (unit_corrections.csv)."""
    import csv

    path = ROOT / "data" / "provinces" / "04" / "unit_corrections.csv"
    fixes = {r["code"]: (r["package_name"], r["name"]) for r in csv.DictReader(path.open(encoding="utf-8"))}
    for row in picture.get("board", []):
        old, new = fixes.get(row["unit_code"], (None, None))
        if old and row["unit_name"].endswith(f" {old}"):
            row["unit_name"] = row["unit_name"].removesuffix(old) + new
    return picture


@pytest.mark.slow  # opens a store of the previous release
@pytest.mark.parametrize("release", RELEASES, ids=[p.name for p in RELEASES])
def test_a_store_written_by_an_earlier_release_opens_with_this_code(release, tmp_path):
    expected = json.loads((release / "expected.json").read_text(encoding="utf-8"))
    with tarfile.open(release / "data.tar.gz") as tar:
        tar.extractall(tmp_path, filter="data")
    d = tmp_path / "data"
    out = subprocess.run(
        [sys.executable, "-m", "etl", "status"],
        cwd=ROOT,
        env={**os.environ, "PARTYDASH_DATA": str(d)},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Kho dữ liệu thật" in out.stdout and "năm 2025: 2/60 đơn vị" in out.stdout, out.stdout  # its kind inferred
    # what the users saw, the same (figures, board, branches, users), through JSON as it was recorded
    # (but three units' names, corrected since: the package rotated 01537/01558/01561, data/provinces/04/
    # unit_corrections.csv — the data under each code is the same)
    assert json.loads(json.dumps(picture(d), ensure_ascii=False, default=str)) == corrected(expected["picture"])
    for name, password in expected["passwords"].items():
        assert auth.authenticate(name, password, lambda: False, root=d / "users").user is not None, name
    s = expected["session"]
    assert session.check(s["token"], d / "users", now=s["issued"] + 60).username == "quan-tri-tinh"
    # the cycle goes on where that release left it, and the state backs up and restores
    root = d / "parquet"
    cycle.approve(2025, "01279", "can-bo-tinh", "province", acknowledged=True, root=root)
    assert cycle.period(2025, root).status("01279") == cycle.APPROVED
    state.backup(tmp_path / "sau-nang-cap.tar", d)
    state.restore(tmp_path / "sau-nang-cap.tar", tmp_path / "khoi-phuc")
    assert cycle.period(2025, tmp_path / "khoi-phuc" / "parquet").status("01279") == cycle.APPROVED


def test_an_earlier_releases_target_links_name_their_indicators_by_the_ids_now(tmp_path):
    """Release d350906 wrote T000-16's link as «sec_trained» (the indicator's id before the rename, now its alias):
    opened with this code, the target is measured by «secretary_deputy_trained», with that indicator's values."""
    import polars as pl

    from dashboard import data
    from dashboard.scope import Filters, Scope
    from etl.store import current_snapshot

    with tarfile.open(ROOT / "tests" / "data" / "releases" / "d350906" / "data.tar.gz") as tar:
        tar.extractall(tmp_path, filter="data")
    root = tmp_path / "data" / "parquet"
    links = pl.read_parquet(current_snapshot(root) / "ref_target_links.parquet")
    assert links.filter(pl.col("target_id") == "T000-16")["indicator_id"].to_list() == ["sec_trained"]  # as written
    data.clear_cache()
    target = data.targets(root=root).filter(pl.col("target_id") == "T000-16")
    assert target.select("indicator_id", "direction").rows() == [("secretary_deputy_trained", 1)]
    # its progress per unit (2 of 60 units reported: no province figure): A 2025 3/5 = 60%, B 2/3 = 66.67%
    p = data.progress(Scope.province(), target_id="T000-16", scope_kind="unit", root=root).sort("scope_code")
    assert p.select("indicator_id", "scope_code", "latest_year").rows() == [
        ("secretary_deputy_trained", "01273", 2025),
        ("secretary_deputy_trained", "01279", 2025),
    ]
    assert p["latest"].round(4).to_list() == [60.0, 66.6667]
    now = data.indicator("secretary_deputy_trained", Filters(years=(2025,)), Scope.province(), by=("unit",), root=root)
    assert p["latest"].to_list() == now.sort("unit_code")["value"].to_list()
