"""Issue 26.4: `python -m etl backup OUT` while the app runs and a commit may be in progress, `python -m etl restore
IN` into a stopped deployment; a restore reproduces the board and the figures (etl/state.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import threading

import pytest

from dashboard import auth, data, reporting, session
from dashboard.scope import Filters, Scope
from etl import cycle, state, store
from etl.load import check_files
from tests.conftest import ROOT
from tests.fixtures import BRANCHES, COMMITTEE, HEADS, A, B, return_bytes

pytestmark = pytest.mark.slow  # backs up and restores whole stores, one built for each test

DEADLINE = dt.date(2026, 1, 15)
TODAY = dt.date(2026, 1, 20)


def _checked(province, unit: str):
    k = (2025, unit)
    workbook = return_bytes(province, unit, 2025, BRANCHES[k], COMMITTEE[k], HEADS[k])
    return check_files([(f"2025_{unit}.xlsx", workbook)], province, parallel=False, allowed_years=[2025])


@pytest.fixture
def deployment_data(tmp_path, tiny_store, province):
    """A deployment's data folder in the middle of its 2025 cycle: A submitted and approved, an admin and a
    commune user, one of them logged in at the gate."""
    d = tmp_path / "data"
    root = d / "parquet"
    shutil.copytree(tiny_store, root, symlinks=True)
    cycle.open_period(2025, DEADLINE, province, "quan-tri-tinh", "admin", root=root)
    reporting.submit_return(2025, _checked(province, A), "xa-a", "commune", A, province, root)
    cycle.approve(2025, A, "can-bo-tinh", "province", acknowledged=True, root=root)
    auth.set_user("quan-tri-tinh", "mat-khau-quan-tri", "admin", root=d / "users")
    auth.set_user("xa-b", "mat-khau-xa-b", "commune", unit_code=B, root=d / "users")
    session.issue("quan-tri-tinh", d / "users")
    return d


def _picture(d, province) -> dict:
    """What the users see of a data folder: the board, figures on every level, the users and their sessions."""
    root = d / "parquet"
    data.clear_cache()
    names = {u.code: u.full_name for u in province.units}
    board, counts = reporting.board(2025, names, "province", root=root, today=TODAY)
    f = Filters(years=(2024, 2025))
    figures = {
        ind: data.indicator(ind, f, Scope.province(), by=("year", "unit"), root=root).to_dicts()
        for ind in ("member_good", "branch_good", "internet_none")
    }
    return {
        "board": board.drop("at").to_dicts(),  # the time of day a change was made is the same: compared as is below
        "at": board["at"].to_list(),
        "counts": counts,
        "figures": figures,
        "branches": data.branches(Filters(years=(2025,)), Scope.province(), root=root).to_dicts(),
        "audit": (root / "log" / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines(),
        "users": sorted((u.username, u.role, u.unit_code, u.active) for u in auth.list_users(d / "users")),
        "sessions": sorted(p.name for p in (d / "users" / "sessions").iterdir()),
        "key": (d / "users" / "session.key").read_bytes(),
    }


def test_a_restore_reproduces_the_board_and_the_figures(deployment_data, tmp_path, province):
    before = _picture(deployment_data, province)
    assert before["counts"].approved == 1 and before["figures"]["member_good"]
    archive = tmp_path / "sao-luu" / "partydash.tar.gz"
    archive.parent.mkdir()
    manifest = state.backup(archive, deployment_data)
    assert archive.stat().st_mode & 0o777 == 0o600
    assert manifest["snapshot"] == store.current_snapshot(deployment_data / "parquet").name
    other = tmp_path / "may-moi"  # another server, or this one after a disk failure
    state.restore(archive, other)
    assert _picture(other, province) == before
    assert (other / "parquet").stat().st_mode & 0o077 == 0 and (other / "users").stat().st_mode & 0o077 == 0
    # the restored store goes on: the province approves B's return there after B submits it
    reporting.submit_return(2025, _checked(province, B), "xa-b", "commune", B, province, other / "parquet")
    assert cycle.period(2025, other / "parquet").status(B) == cycle.SUBMITTED_VALID


def test_a_backup_during_a_commit_holds_all_of_it(deployment_data, tmp_path, province, monkeypatch):
    # B's submission is in the middle of its commit (its snapshot written, not yet current, the store's writer lock
    # held) when the backup starts: the backup waits, and holds B's data and B's status together
    inside, go, backup_at_lock = threading.Event(), threading.Event(), threading.Event()
    write_versions, lock = store._write_versions, store._lock

    def paused(*a, **kw):
        write_versions(*a, **kw)
        inside.set()
        assert go.wait(120)

    @contextlib.contextmanager
    def watched(*a, **kw):
        if threading.current_thread().name == "backup":
            backup_at_lock.set()
        with lock(*a, **kw) as got:
            yield got

    monkeypatch.setattr(store, "_write_versions", paused)
    monkeypatch.setattr(store, "_lock", watched)
    root = deployment_data / "parquet"
    submit = threading.Thread(
        target=reporting.submit_return, args=(2025, _checked(province, B), "xa-b", "commune", B, province, root)
    )
    submit.start()
    assert inside.wait(120)
    archive = tmp_path / "giua-luc-ghi.tar"
    result = {}
    backup = threading.Thread(target=lambda: result.update(state.backup(archive, deployment_data)), name="backup")
    backup.start()
    assert backup_at_lock.wait(120)
    assert not archive.exists()  # it cannot have written anything while the commit holds the lock
    go.set()
    submit.join(120)
    backup.join(120)
    after = _picture(deployment_data, province)
    assert after["counts"].submitted == 2
    assert result["snapshot"] == store.current_snapshot(root).name  # B's snapshot, not the one before
    state.restore(archive, tmp_path / "khoi-phuc")
    restored = _picture(tmp_path / "khoi-phuc", province)
    assert {k: v for k, v in restored.items() if k != "audit"} == {k: v for k, v in after.items() if k != "audit"}
    assert after["audit"][: len(restored["audit"])] == restored["audit"]  # the audit log up to the backup


def test_a_restore_refuses_a_damaged_archive_and_changes_nothing(deployment_data, tmp_path, province):
    archive = tmp_path / "sao-luu.tar"
    state.backup(archive, deployment_data)
    raw = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        member = next(m for m in tar if m.name.endswith("CURRENT"))
        raw[member.offset_data] ^= 0x01  # one bit of the file that names the current snapshot
    damaged = tmp_path / "hong.tar"
    damaged.write_bytes(bytes(raw))
    target = tmp_path / "dich"
    with pytest.raises(state.StateError, match="bị hỏng hoặc đã bị sửa: tệp «parquet/CURRENT» không khớp"):
        state.restore(damaged, target)
    assert not target.exists() or not any(target.iterdir())
    with pytest.raises(state.StateError, match="không phải tệp tar"):
        state.restore(_junk(tmp_path), target)


def _junk(tmp_path):
    p = tmp_path / "rac.tar"
    p.write_bytes(b"khong phai tar" * 100)
    return p


def test_a_restore_over_data_needs_replace_and_keeps_what_was_there(deployment_data, tmp_path, province):
    archive = tmp_path / "sao-luu.tar"
    state.backup(archive, deployment_data)
    target = tmp_path / "dang-dung"
    shutil.copytree(deployment_data, target, symlinks=True)
    auth.set_user("nguoi-moi", "mat-khau-moi-moi", "province", root=target / "users")  # after the backup
    with pytest.raises(state.StateError, match="thêm --replace"):
        state.restore(archive, target)
    state.restore(archive, target, replace=True)
    assert "nguoi-moi" not in {u.username for u in auth.list_users(target / "users")}
    (aside,) = target.glob("before-restore-*")
    assert "nguoi-moi" in {u.username for u in auth.list_users(aside / "users")}


def test_a_restore_refuses_while_the_app_runs(deployment_data, tmp_path):
    archive = tmp_path / "sao-luu.tar"
    state.backup(archive, deployment_data)
    sock_dir = deployment_data / "run" / "sock"
    sock_dir.mkdir(parents=True)
    with socket.socket(socket.AF_UNIX) as gate:  # deploy/start.py's gate answering on its socket
        gate.bind(str(sock_dir / "gate.sock"))
        gate.listen()
        with pytest.raises(state.StateError, match="đang chạy"):
            state.restore(archive, deployment_data, replace=True)


def test_the_command_line_backs_up_and_restores_in_vietnamese(deployment_data, tmp_path, province):
    env = {**os.environ, "PARTYDASH_DATA": str(deployment_data)}

    def etl(*args, data_dir=deployment_data):
        return subprocess.run(
            [sys.executable, "-m", "etl", *args],
            cwd=ROOT,
            env={**env, "PARTYDASH_DATA": str(data_dir)},
            capture_output=True,
            text=True,
        )

    out = etl("backup", str(tmp_path / "b.tar.gz"))
    assert out.returncode == 0 and out.stdout.startswith("Đã sao lưu vào"), out.stderr
    out = etl("backup", str(deployment_data / "trong-thu-muc.tar"))
    assert out.returncode == 1 and "ra ngoài thư mục dữ liệu" in out.stderr
    out = etl("restore", str(tmp_path / "b.tar.gz"))
    assert out.returncode == 1 and "thêm --replace" in out.stderr and "Traceback" not in out.stderr
    out = etl("restore", str(tmp_path / "khong-co.tar"), data_dir=tmp_path / "moi")
    assert out.returncode == 1 and "Không có tệp" in out.stderr
    out = etl("restore", str(tmp_path / "b.tar.gz"), data_dir=tmp_path / "moi")
    assert out.returncode == 0 and "Đã khôi phục" in out.stdout, out.stderr
    assert _picture(tmp_path / "moi", province)["board"] == _picture(deployment_data, province)["board"]
    manifest = json.loads(tarfile.open(tmp_path / "b.tar.gz").extractfile("manifest.json").read())
    assert manifest["format"] == state.FORMAT and all(not n.startswith("/") for n in manifest["files"])


def test_the_tools_refuse_a_data_folder_of_another_user(tmp_path):
    # root running `python -m etl load` on the service's folder would leave files the app cannot read
    if os.geteuid() != 0:
        pytest.skip("needs root to give the folder to another user")
    d = tmp_path / "cua-dich-vu"
    d.mkdir()
    os.chown(d, 65534, 65534)  # the service's user
    env = {**os.environ, "PARTYDASH_DATA": str(d)}
    for argv in (
        ["-m", "etl", "load", "x.xlsx"],
        ["-m", "etl", "backup", str(tmp_path / "b.tar")],
        ["-m", "dashboard.users", "list"],
    ):
        out = subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True)
        assert out.returncode == 1 and "thuộc người dùng «nobody»" in out.stderr, (argv, out.stderr)
    assert list(d.iterdir()) == []  # nothing written


def test_git_keeps_the_configuration_and_never_the_state():
    # issue 26.4: data/run/ (nginx's configuration, sockets, temporary files) was not ignored
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout")
    state_paths = ["data/run/nginx.conf", "data/run/sock/gate.sock", "data/users/users.json", "data/parquet/CURRENT"]
    state_paths += ["data/parquet/snapshots/x/manifest.json", "data/samples/04/x.xlsx", "data/before-restore-1/x"]
    config_paths = ["data/provinces/04/province.toml", "data/geo/provinces.geojson", "data/parquet/.gitkeep"]
    out = subprocess.run(
        ["git", "check-ignore", "--no-index", *state_paths, *config_paths], cwd=ROOT, capture_output=True, text=True
    )
    assert sorted(out.stdout.split()) == sorted(state_paths)
