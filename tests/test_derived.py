"""The tables stored with each snapshot (etl/views.py) are exactly what their views compute from the snapshot's
data; a database opens them under the views' names; a snapshot without them still opens (computed then)."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from etl import views
from etl.store import current_snapshot


def _computed(snapshot, root, name: str) -> pl.DataFrame:
    """The view computed from its SQL over the snapshot's tables, nothing stored read (every view plain)."""
    con = views.connect(snapshot, root)
    for path in views.sql_files():
        if path.stem in views.upstream((name,)):
            con.execute(f"create view {path.stem} as\n{views.body(path)}")
    return con.sql(f"select * from {name}").pl()


def _sorted(df: pl.DataFrame) -> pl.DataFrame:
    return df.sort(df.columns, nulls_last=True)


@pytest.fixture(params=["sample", "tiny"])
def store(request, sample_store, tiny_store):
    return {"sample": sample_store, "tiny": tiny_store}[request.param]


@pytest.mark.parametrize("name", views.DERIVED)
def test_each_stored_table_equals_its_view(store, name, sample_store):
    snap = current_snapshot(store)
    stored = pl.read_parquet(views.derived_path(snap, name))
    computed = _computed(snap, store, name)
    # not vacuous: the stores have data for every derived view (the sample's 2021–2025 have no meetings; the tiny
    # store's 2025 baseline has)
    assert stored.height > 0 or (name == "tbl_meetings" and store == sample_store), name
    assert stored.schema == computed.schema, name
    assert _sorted(stored).equals(_sorted(computed)), name


def test_the_database_reads_the_stored_tables(sample_store):
    from dashboard import db

    con = db.database(sample_store)
    for name in views.DERIVED:
        sql = con.sql("select sql from duckdb_views() where view_name = $n", params={"n": name}).fetchall()[0][0]
        assert f"derived/{name}.parquet" in sql, name


def test_a_snapshot_without_stored_tables_computes_them(sample_store, tmp_path):
    root = tmp_path / "parquet"
    shutil.copytree(sample_store, root)
    snap = current_snapshot(root)
    shutil.rmtree(snap / views.DERIVED_DIR)
    con = views.open_database(snap, root)
    for name in views.DERIVED:
        got = con.sql(f"select * from {name}").pl()
        assert _sorted(got).equals(_sorted(pl.read_parquet(views.derived_path(current_snapshot(sample_store), name))))


def _reads_stored(con, name: str) -> bool:
    sql = con.sql("select sql from duckdb_views() where view_name = $n", params={"n": name}).fetchall()
    return bool(sql) and f"derived/{name}.parquet" in sql[0][0]


def test_a_table_stored_by_other_sql_is_computed_again(sample_store, tmp_path):
    # After an upgrade that changes a derived view's SQL, an older snapshot's stored table is not read (it would be
    # stale, or miss a column): the database computes it from today's SQL; the others are still read.
    import json

    root = tmp_path / "parquet"
    shutil.copytree(sample_store, root)
    snap = current_snapshot(root)
    good = pl.read_parquet(views.derived_path(snap, "prg_indicator_sum"))
    good.drop("branches").head(3).write_parquet(views.derived_path(snap, "prg_indicator_sum"))  # «the old table»
    prints_file = snap / views.DERIVED_DIR / views.FINGERPRINTS
    prints = json.loads(prints_file.read_text(encoding="utf-8"))
    assert set(prints) == set(views.DERIVED)
    prints["prg_indicator_sum"] = "written by an older version"
    prints_file.write_text(json.dumps(prints), encoding="utf-8")
    con = views.open_database(snap, root)
    assert not _reads_stored(con, "prg_indicator_sum")
    assert _sorted(con.sql("select * from prg_indicator_sum").pl()).equals(_sorted(good))
    assert all(_reads_stored(con, n) for n in views.DERIVED if n != "prg_indicator_sum")


def test_a_snapshot_without_fingerprints_trusts_no_stored_table(sample_store, tmp_path):
    root = tmp_path / "parquet"
    shutil.copytree(sample_store, root)
    snap = current_snapshot(root)
    (snap / views.DERIVED_DIR / views.FINGERPRINTS).unlink()
    con = views.open_database(snap, root)
    assert not any(_reads_stored(con, n) for n in views.DERIVED)
    assert con.sql("select count(*) from prg_indicator_sum").fetchall()[0][0] > 0


def test_a_fingerprint_follows_the_sql_upstream(monkeypatch):
    # Changing prg_indicator_sum's SQL invalidates it and prg_progress (which reads it), not a table that does not.
    names = ("prg_progress", "prg_indicator_sum", "tbl_bieu01")
    assert [n for n in names if "prg_indicator_sum" in views.upstream((n,))] == ["prg_progress", "prg_indicator_sum"]
    before = {n: views.fingerprint(n) for n in names}
    path, real = views._files()["prg_indicator_sum"], views.body
    monkeypatch.setattr(views, "body", lambda p: real(p) + "\n-- changed" if p == path else real(p))
    after = {n: views.fingerprint(n) for n in names}
    assert [n for n in names if after[n] != before[n]] == ["prg_progress", "prg_indicator_sum"]


def test_derived_views_never_read_the_load_log():
    # The load log changes after the snapshot is written (this load's own entry): a stored table must not hold it.
    log_views = {"stg_load_log", "stg_load_findings", "stg_audit", "dq_load_history"}
    assert views.upstream(views.DERIVED) & log_views == set()


@pytest.mark.slow  # rebuilds a snapshot's derived tables
def test_a_failed_derived_step_leaves_the_previous_snapshot(tmp_path, province, monkeypatch):
    from etl import store as store_mod
    from tests.fixtures import TINY_RETURNS, build_store

    root = tmp_path / "parquet"
    build_store(root, TINY_RETURNS[:1], province)
    before = current_snapshot(root)

    def boom(snapshot, root):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_mod.views, "write_derived", boom)
    from etl.load import load_files
    from tests.fixtures import return_bytes

    unit, year, b, c, h = TINY_RETURNS[1]
    rep = load_files(
        [(f"{year}_{unit}.xlsx", return_bytes(province, unit, year, b, c, h))], "test", province, root=root
    )
    assert not rep.ok
    assert any("dung lượng đĩa" in f.message for fs in rep.refused.values() for f in fs)
    assert current_snapshot(root) == before
    assert [p.name for p in (root / "snapshots").iterdir() if p.name.startswith(".tmp")] == []


def test_the_stored_roster_is_the_join_it_replaced(sample_store):
    # data.untrained_secretaries used to join the committee and branch facts on every call; it now reads
    # int_untrained_secretary. The same rows, column for column.
    from dashboard import data
    from dashboard.scope import Filters, Scope

    con = views.open_database(current_snapshot(sample_store), sample_store)
    old = con.sql(
        "select m.year, m.unit_code, m.branch_code, b.branch_name, m.level, m.branch_type, m.role, m.person_id, "
        "m.professional, m.theory, m.it from int_committee_member as m "
        "join int_branch_year as b on m.year = b.year and m.branch_code = b.branch_code "
        "where m.role in ('bi_thu', 'pho_bi_thu') and not m.trained and m.year = 2025"
    ).pl()
    data.clear_cache()
    new = data.untrained_secretaries(Filters(years=(2025,)), Scope.province(), root=sample_store)
    assert old.height > 100
    assert _sorted(new.select(old.columns)).equals(_sorted(old))


@pytest.mark.slow  # rebuilds a snapshot's derived tables
def test_a_snapshot_from_before_the_meetings_sheet_opens(tiny_store, tmp_path):
    """A store written before the tables of the meetings sheet existed (no branch_meeting/, no unit_year/ in its
    snapshot) opens after the upgrade: their views read empty tables (etl/views.py), «not reported», and every view
    computes — the stored ones again, their SQL having changed."""
    root = tmp_path / "parquet"
    shutil.copytree(tiny_store, root)
    snap = current_snapshot(root)
    for table in ("branch_meeting", "unit_year"):
        shutil.rmtree(snap / table)
    shutil.rmtree(snap / views.DERIVED_DIR)
    con = views.open_database(snap, root)
    assert con.sql("select count(*) from int_branch_meeting").fetchall() == [(0,)]
    assert con.sql("select count(*) from stg_unit_year").fetchall() == [(0,)]
    assert con.sql("select count(*) from ind_meet_regular").fetchall() == [(0,)]
    # the rest as before: the branch-year facts of 2024 and 2025
    assert con.sql("select count(*) from int_branch_year").fetchall() == [(11,)]
    for path in views.sql_files():  # every view runs
        con.sql(f"select * from {path.stem} limit 1").fetchall()
