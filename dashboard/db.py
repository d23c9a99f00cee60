"""One DuckDB database per data snapshot, with every view of queries/ created in layer order.

Streamlit serves each session on its own thread: callers take a fresh `cursor()` per query. When a load switches
the snapshot, the old snapshot's database is closed as soon as the last cursor taken from it is gone (closing a
DuckDB connection closes its cursors too, so a query still running on it must finish first)."""

from __future__ import annotations

import os
import re
import threading
import weakref
from dataclasses import dataclass
from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from etl.settings import PARQUET_DIR, QUERIES_DIR
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


def sql_files() -> list[Path]:
    """Every view definition, in an order where each view comes after the views it reads."""
    files = {p.stem: p for p in sorted(QUERIES_DIR.glob("*/*.sql"))}
    graph = {name: dependencies(name, files) for name in files}
    return [files[n] for n in TopologicalSorter(graph).static_order()]


@cache
def _body(path: Path) -> str:
    return re.sub(r";\s*$", "", path.read_text(encoding="utf-8").strip())


def dependencies(name: str, files: dict[str, Path]) -> set[str]:
    """The other views a view's SQL names (comments ignored)."""
    sql = re.sub(r"--[^\n]*", "", _body(files[name]))
    words = set(re.findall(r"\b[a-z_][a-z0-9_]*\b", sql))
    return {w for w in words if w in files and w != name}


def view_name(path: Path) -> str:
    return path.stem


# Views whose result only changes with a load: computed once per snapshot into a table of the same name, so the
# indicator and progress queries read small tables instead of re-aggregating every branch-year (national scale).
MATERIALISED = ("prg_indicator_sum", "prg_progress")


def connect(snapshot: Path, root: Path = PARQUET_DIR) -> duckdb.DuckDBPyConnection:
    """A new in-memory database whose views read the snapshot's Parquet (and the load log under root)."""
    con = duckdb.connect(config={"file_search_path": f"{snapshot},{root}", "threads": os.cpu_count() or 2})
    con.execute("set enable_progress_bar = false")
    for path in sql_files():
        name = view_name(path)
        if name in MATERIALISED:  # dependency order guarantees what it reads exists already
            con.execute(f"create or replace table {name} as\n{_body(path)}")
        else:
            con.execute(f"create or replace view {name} as\n{_body(path)}")
    return con


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
