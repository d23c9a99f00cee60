"""Issue 16, tried as an attacker would: each numbered finding of the issue has its test here (the sparse
workbook, the upload worker and the proxy have theirs in test_sandbox.py and test_proxy.py)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from etl import audit, settings


@pytest.fixture(scope="module", autouse=True)
def _own_data_folder():
    assert settings.DATA_DIR.name.startswith("partydash-test-"), settings.DATA_DIR


# ------------------------------------------------------------------------- 8. the audit log: torn lines, 0600


def _lines(root):
    return (audit.audit_dir(root) / "audit.jsonl").read_text(encoding="utf-8").splitlines()


def test_audit_log_is_private_from_its_first_event(tmp_path):
    os.umask(0o022)  # the usual umask: a plain touch/open would make the file world-readable
    audit.ensure(tmp_path)
    path = audit.audit_dir(tmp_path) / "audit.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    other = tmp_path / "other"
    audit.record("login", "a", root=other)
    assert stat.S_IMODE((audit.audit_dir(other) / "audit.jsonl").stat().st_mode) == 0o600
    # a log left world-readable by an earlier version is made private on the next event
    os.chmod(path, 0o644)
    audit.record("login", "a", root=tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_torn_last_line_does_not_swallow_the_next_event(tmp_path):
    audit.record("login", "truoc", root=tmp_path)
    path = audit.audit_dir(tmp_path) / "audit.jsonl"
    with open(path, "ab") as f:  # what a full disk leaves: the start of a line, no newline
        f.write(b'{"time": "2026-03-01T09:00:00", "event": "exp')
    audit.record("logout", "sau", root=tmp_path)
    lines = _lines(tmp_path)
    assert len(lines) == 3
    assert json.loads(lines[0])["user"] == "truoc" and json.loads(lines[2])["user"] == "sau"
    assert audit.damaged_lines(tmp_path) == 1


def test_the_audit_page_reads_a_log_with_a_torn_line(tiny_store, tmp_path):
    import shutil

    from dashboard import admin
    from dashboard.data import Scope

    root = tmp_path / "parquet"
    shutil.copytree(tiny_store, root, symlinks=True)
    audit.record("login", "mot", root=root)
    with open(audit.audit_dir(root) / "audit.jsonl", "ab") as f:
        f.write(b'{"time": "2026-03-01T09:0')
    audit.record("login", "hai", root=root)
    log = admin.audit_log(Scope("admin"), root=root)
    users = log["username"].to_list()
    assert "mot" in users and "hai" in users and None not in users
    assert audit.damaged_lines(root) == 1
