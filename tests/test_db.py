"""The database of a snapshot: a load switches to a new one and the old one is closed once nothing uses it."""

from __future__ import annotations

import gc

import duckdb
import pytest

from dashboard import db
from tests.fixtures import TINY_RETURNS, build_store

pytestmark = pytest.mark.slow  # opens and closes snapshot databases under many cursors


def test_a_load_closes_the_previous_snapshots_database(tmp_path, province):
    root = tmp_path / "parquet"
    build_store(root, TINY_RETURNS[:1], province)
    first = db.database(root)
    held = db.cursor(root)  # a query still running on the first snapshot when the loads come
    for _ in range(2):  # the store keeps the last 3 snapshots' files (etl.store.KEEP_SNAPSHOTS)
        build_store(root, TINY_RETURNS[:1], province)
        assert db.cursor(root).sql("select count(*) from stg_branch_year").fetchall() == [(3,)]
        # the current database, and the first one (its cursor is in use); none of the ones in between
        assert db.open_databases(root) == 2
    assert held.sql("select count(*) from stg_branch_year").fetchall() == [(3,)]  # still answers
    del held
    gc.collect()
    assert db.open_databases(root) == 1
    with pytest.raises(duckdb.ConnectionException):
        first.cursor()


def test_cursors_dropped_at_once_leave_one_database(tmp_path, province):
    root = tmp_path / "parquet"
    for _ in range(3):
        build_store(root, TINY_RETURNS[:1], province)
        db.cursor(root).sql("select 1").fetchall()
    assert db.open_databases(root) == 1
    db.reset()
    assert db.open_databases(root) == 0
