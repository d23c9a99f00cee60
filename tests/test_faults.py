"""Faults during a load (PRODUCT §3: «what was loaded before stays intact and readable while a load runs»): a load
killed half-way, a full disk, and readers querying while loads commit."""

from __future__ import annotations

import errno
import hashlib
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest

import etl.store
from dashboard import db
from etl import settings
from etl.load import load_files, parse_files
from etl.store import StoreError, commit, current_snapshot, interrupted_load, recover
from tests.fixtures import branch, return_bytes

ROOT = Path(__file__).resolve().parent.parent
OWN = "01273"
USER = "nguoi-nap-thu"


@pytest.fixture(scope="module", autouse=True)
def _own_data_folder():
    assert settings.DATA_DIR.name.startswith("partydash-test-"), settings.DATA_DIR


@pytest.fixture
def store(sample_store, tmp_path) -> Path:
    root = tmp_path / "parquet"
    shutil.copytree(sample_store, root, symlinks=True)
    return root


def version(province, members: int) -> bytes:
    """The 2025 return of phường Thục Phán, cut down to one branch of `members` members (marked as the sample's:
    it goes into a copy of the sample store)."""
    return return_bytes(
        province,
        OWN,
        2025,
        branches=[branch(f"{OWN}.V-1", "co_so", "dang", excellent=1, good=members - 1)],
        is_sample=True,
    )


def fingerprint(root: Path) -> dict[str, str]:
    out = {"CURRENT": (root / "CURRENT").read_text(encoding="utf-8")}
    for p in sorted((root / "snapshots").rglob("*")):
        if p.is_file() and ".tmp-" not in str(p):
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def tables(snap: Path) -> dict[str, pl.DataFrame]:
    """Every Parquet file of a snapshot, read (so «readable» is checked, not just present)."""
    return {str(p.relative_to(snap)): pl.read_parquet(p) for p in sorted(snap.rglob("*.parquet"))}


def load_log(root: Path) -> pl.DataFrame:
    return pl.read_parquet(root / "log" / "loads" / "*.parquet")


def tmp_dirs(root: Path) -> list[Path]:
    return list((root / "snapshots").glob(".tmp-*"))


# ------------------------------------------------------------------------------------------ killed half-way

KILLER = r"""
import os, signal, sys
from pathlib import Path
import polars as pl
import etl.store
from etl.load import load_files
from etl.province import load_province

root, path, point = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
if point == "mid-write":            # the third Parquet file of the new snapshot
    write, calls = pl.DataFrame.write_parquet, []
    def write_then_die(self, file, *a, **k):
        if ".tmp-" in str(file):
            calls.append(file)
            if len(calls) == 3:
                die()
        return write(self, file, *a, **k)
    pl.DataFrame.write_parquet = write_then_die
elif point == "before-switch":      # the snapshot is complete, not yet renamed
    etl.store._fsync_tree = die
elif point == "before-current":     # renamed to its final name, CURRENT not yet replaced
    etl.store._swap_current = die
elif point == "after-current":      # CURRENT replaced, the load log not yet written
    fsync_dir = etl.store._fsync_dir
    etl.store._fsync_dir = lambda p: die() if Path(p) == root else fsync_dir(p)
load_files([(path.name, path.read_bytes())], "nguoi-bi-ngat", load_province("04"), root=root)
print("not killed")
"""


def kill_load(root: Path, file: Path, point: str) -> None:
    r = subprocess.run(
        [sys.executable, "-c", KILLER, str(root), str(file), point],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == -9, (r.returncode, r.stdout, r.stderr[-2000:])


@pytest.mark.parametrize("point", ["mid-write", "before-switch", "before-current"])
def test_killed_load_leaves_previous_data_intact(store, province, tmp_path, point):
    before = fingerprint(store)
    snap = current_snapshot(store)
    old = tables(snap)
    file = tmp_path / "2025_01273_sua.xlsx"
    file.write_bytes(version(province, 77))

    kill_load(store, file, point)

    # readers still get the previous snapshot, every file readable and equal
    now = fingerprint(store)
    assert {k: now.get(k) for k in before} == before
    assert current_snapshot(store) == snap
    new = tables(current_snapshot(store))
    assert new.keys() == old.keys() and all(new[k].equals(old[k]) for k in old)
    members = (
        db.cursor(store)
        .sql("select sum(members)::bigint from stg_branch_year where year = 2025 and unit_code = $u", params={"u": OWN})
        .fetchall()[0][0]
    )
    assert members != 77

    marker = interrupted_load(store)
    assert marker and marker["files"] == [file.name] and marker["user"] == "nguoi-bi-ngat"
    if point != "before-current":
        assert tmp_dirs(store)
    msg = recover(store)
    assert msg and "bị gián đoạn" in msg and "nguoi-bi-ngat" in msg and "Dữ liệu trước đó vẫn nguyên vẹn" in msg
    assert not tmp_dirs(store) and interrupted_load(store) is None
    assert not (store / "snapshots" / marker["load_id"]).exists()  # no half-made snapshot left behind
    assert fingerprint(store) == before
    row = load_log(store).filter(pl.col("load_id") == marker["load_id"]).row(0, named=True)
    assert row["status"] == "interrupted" and row["user"] == "nguoi-bi-ngat"
    assert recover(store) is None  # reported once

    # and the next load works
    rep = load_files([(file.name, file.read_bytes())], USER, province, root=store)
    assert rep.ok, rep.messages()
    assert (
        db.cursor(store)
        .sql("select sum(members)::bigint from stg_branch_year where year = 2025 and unit_code = $u", params={"u": OWN})
        .fetchall()[0][0]
        == 77
    )


def test_killed_after_the_switch_keeps_the_new_data(store, province, tmp_path):
    """Killed after CURRENT was replaced: the load is complete, and recovery must say so (not «not written»)."""
    file = tmp_path / "2025_01273_sua.xlsx"
    file.write_bytes(version(province, 66))
    old = current_snapshot(store)
    kill_load(store, file, "after-current")
    marker = interrupted_load(store)
    assert marker and current_snapshot(store).name == marker["load_id"] != old.name
    msg = recover(store)
    assert msg and "không được ghi" not in msg and "đã được ghi" in msg
    assert interrupted_load(store) is None and not tmp_dirs(store)
    assert current_snapshot(store).name == marker["load_id"]
    row = load_log(store).filter(pl.col("load_id") == marker["load_id"]).row(0, named=True)
    assert row["status"] == "ok"
    assert (
        db.cursor(store)
        .sql("select sum(members)::bigint from stg_branch_year where year = 2025 and unit_code = $u", params={"u": OWN})
        .fetchall()[0][0]
        == 66
    )


# ---------------------------------------------------------------------------------------------- disk full


def disk_full_after(monkeypatch, n: int, only_snapshot: bool = True) -> list[str]:
    """Parquet writes fail with ENOSPC after n successful ones (only inside the new snapshot: removing it frees
    the space again, so the load log can still be written)."""
    write, calls = pl.DataFrame.write_parquet, []

    def full(self, file, *a, **k):
        if not only_snapshot or ".tmp-" in str(file):
            calls.append(str(file))
            if len(calls) > n:
                raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return write(self, file, *a, **k)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    return calls


@pytest.mark.parametrize("n", [0, 5])
def test_disk_full_during_a_load(store, province, monkeypatch, n):
    before = fingerprint(store)
    logged = set(load_log(store)["load_id"])
    calls = disk_full_after(monkeypatch, n)
    rep = load_files([("2025_01273.xlsx", version(province, 55))], USER, province, root=store)
    assert len(calls) == n + 1
    assert not rep.ok
    (msg,) = rep.messages()
    assert "ổ đĩa đã đầy" in msg and "Dữ liệu trước đó vẫn nguyên vẹn" in msg and "2025_01273.xlsx" in msg
    assert fingerprint(store) == before and not tmp_dirs(store) and interrupted_load(store) is None
    new = load_log(store).filter(~pl.col("load_id").is_in(list(logged)))
    assert new["status"].to_list() == ["failed"] and new["user"].to_list() == [USER]
    monkeypatch.undo()
    assert load_files([("2025_01273.xlsx", version(province, 55))], USER, province, root=store).ok


def test_disk_full_everywhere_raises_store_error(store, province, monkeypatch):
    parsed, refused = parse_files([("2025_01273.xlsx", version(province, 55))], province)
    assert parsed and not refused
    before = fingerprint(store)
    disk_full_after(monkeypatch, 2, only_snapshot=False)
    with pytest.raises(StoreError, match="ổ đĩa đã đầy") as e:
        commit(parsed, province, USER, root=store)
    assert "Dữ liệu trước đó vẫn nguyên vẹn" in str(e.value)
    assert fingerprint(store) == before and not tmp_dirs(store) and interrupted_load(store) is None
    # the log's Parquet could not be written either; the audit line says what happened
    last = json.loads((store / "log" / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert last["event"] == "load_refused" and json.loads(last["details"])["status"] == "failed"


# -------------------------------------------------------------------------------------------- concurrency

PAIR = (
    "select (select sum(members)::bigint from stg_branch_year where year = 2025), "
    "(select string_agg(load_id, ',') from stg_returns where year = 2025 and unit_code = $u)"
)


def read_pair(root: Path) -> tuple[int, str]:
    return tuple(db.cursor(root).sql(PAIR, params={"u": OWN}).fetchall()[0])


def run_readers(root: Path, province, n_readers: int, members=(7, 9, 12)):
    """Readers query continuously while one writer commits successive versions; returns (the committed states in
    order, what the readers saw, their errors)."""
    total0, load0 = read_pair(root)
    own0 = (
        db.cursor(root)
        .sql("select sum(members)::bigint from stg_branch_year where year = 2025 and unit_code = $u", params={"u": OWN})
        .fetchall()[0][0]
    )
    files = [version(province, m) for m in members]
    started, done = threading.Barrier(n_readers + 1, timeout=60), threading.Event()
    seen: list[tuple[int, str]] = []
    errors: list[str] = []

    def reader():
        started.wait()
        deadline = time.monotonic() + 60
        while not done.is_set() and time.monotonic() < deadline:
            try:
                seen.append(read_pair(root))
            except Exception as e:  # noqa: BLE001 - every failure is a finding here
                errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(n_readers)]
    for t in threads:
        t.start()
    started.wait()
    states = [(total0, load0)]
    try:
        for m, blob in zip(members, files):
            rep = load_files([("2025_01273.xlsx", blob)], USER, province, root=root)
            assert rep.ok, rep.messages()
            states.append((total0 - own0 + m, rep.result.load_id))
    finally:
        done.set()
        for t in threads:
            t.join(timeout=60)
    seen.append(read_pair(root))
    return states, seen, errors


def test_readers_never_see_a_mixed_state(store, province):
    states, seen, errors = run_readers(store, province, n_readers=1)
    assert not errors, errors[:3]
    assert len(set(states)) == 4 and len(seen) >= 2
    assert set(seen) <= set(states), set(seen) - set(states)  # every answer is one committed state, never a mix
    assert seen[-1] == states[-1]


def test_many_readers_during_commits(store, province):
    states, seen, errors = run_readers(store, province, n_readers=4)
    assert set(seen) <= set(states)
    assert not errors, errors[:3]


def test_recover_while_a_load_runs_is_a_no_op(store, province, monkeypatch):
    """Every page run calls recover(); during a running load it must not report (or log, or clean up) anything."""
    in_commit, release = threading.Event(), threading.Event()
    fsync_tree = etl.store._fsync_tree

    def slow_fsync(path):  # hold the load inside commit until the reader has tried
        in_commit.set()
        release.wait(timeout=60)
        return fsync_tree(path)

    monkeypatch.setattr(etl.store, "_fsync_tree", slow_fsync)
    result: dict = {}
    writer = threading.Thread(
        target=lambda: result.update(
            rep=load_files([("2025_01273.xlsx", version(province, 31))], USER, province, root=store)
        )
    )
    writer.start()
    assert in_commit.wait(timeout=60)
    assert interrupted_load(store) is not None  # the marker of the running load is there
    answers = []
    t = threading.Thread(target=lambda: answers.append(recover(store)))
    t.start()
    t.join(timeout=30)  # generous on a loaded machine; a recover() that waited for the lock would still be here
    blocked = t.is_alive()
    release.set()
    writer.join(timeout=60)
    t.join(timeout=60)
    assert not blocked, "recover() waited for the running load (every page view would hang during a load)"
    assert answers == [None]
    assert result["rep"].ok, result["rep"].messages()
    assert "interrupted" not in load_log(store)["status"].to_list()
    assert interrupted_load(store) is None
