"""One DuckDB database per data snapshot, with every view of queries/ created in layer order.

Streamlit serves each session on its own thread: callers take a fresh `cursor()` per query. When a load switches
the snapshot, the old snapshot's database is closed as soon as the last cursor taken from it is gone (closing a
DuckDB connection closes its cursors too, so a query still running on it must finish first)."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl import views
from etl.settings import PARQUET_DIR
from etl.store import current_snapshot

# Re-entrant: a cursor's finaliser (which takes the lock) may run during garbage collection inside a locked block.
_lock = threading.RLock()


@dataclass(eq=False)
class _Database:
    snapshot: Path
    con: duckdb.DuckDBPyConnection
    cursors: int = 0  # cursors taken and not yet garbage-collected
    retired: bool = False  # a newer snapshot is current: close when the last cursor is gone


_cache: dict[Path, _Database] = {}
_retired: set[_Database] = set()  # replaced by a newer snapshot, a cursor still in use


dependencies = views.dependencies  # the other views a view's SQL names (the contract tests read it here)


def connect(snapshot: Path, root: Path = PARQUET_DIR) -> duckdb.DuckDBPyConnection:
    """A new in-memory database whose views read the snapshot's Parquet, its derived tables (etl.views: computed
    when the snapshot was written, so opening is cheap) and the load log under root."""
    return views.open_database(snapshot, root)


def _current(root: Path) -> _Database:
    snap = current_snapshot(root)
    if snap is None:
        raise FileNotFoundError("Chưa có dữ liệu: hãy nạp báo cáo hoặc tạo dữ liệu mẫu (python -m etl sample).")
    with _lock:
        entry = _cache.get(snap)
        if entry is None:
            for old in [k for k in _cache if k.parent == snap.parent]:
                _retire(_cache.pop(old))
            entry = _cache[snap] = _Database(snap, connect(snap, root))
        return entry


def _retire(entry: _Database) -> None:
    with _lock:
        entry.retired = True
        _retired.add(entry)
        _close_if_unused(entry)


def _released(entry: _Database) -> None:
    with _lock:
        entry.cursors -= 1
        _close_if_unused(entry)


def _close_if_unused(entry: _Database) -> None:
    if entry.retired and entry.cursors == 0:
        entry.con.close()
        _retired.discard(entry)


def database(root: Path = PARQUET_DIR) -> duckdb.DuckDBPyConnection:
    """The shared database of the current snapshot (a new one when a load has switched the snapshot)."""
    return _current(root).con


def cursor(root: Path = PARQUET_DIR) -> duckdb.DuckDBPyConnection:
    """A cursor of the current database: one per query, never shared between threads."""
    with _lock:
        entry = _current(root)
        cur = entry.con.cursor()
        entry.cursors += 1
        weakref.finalize(cur, _released, entry)
    return cur


def open_databases(root: Path = PARQUET_DIR) -> int:
    """How many databases of root's snapshots are open: the current one, and older ones with a cursor in use."""
    with _lock:
        return sum(e.snapshot.parent == root / "snapshots" for e in [*_cache.values(), *_retired])


def reset() -> None:
    """Close every database (tests and benchmarks measure a cold connection)."""
    with _lock:
        for entry in _cache.values():
            _retire(entry)
        _cache.clear()
