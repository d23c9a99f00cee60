"""The SQL views of queries/ (one file each, created in dependency order), and the ones stored with each snapshot.

A view whose result changes only with a load (DERIVED) is computed when the snapshot is written — by its own SQL
file, the one definition — and kept inside the snapshot as `derived/<view>.parquet`; a database of that snapshot
then reads the file under the view's name. So opening a database costs nothing but creating views, and a killed
load, which never switches CURRENT, leaves the previous snapshot whole (its derived tables included).

Each stored table is kept with a fingerprint of the SQL it was computed from (its own and every view it reads,
`derived/fingerprints.json`): after an upgrade that changes that SQL, a snapshot written before it computes the
table again when opened (slower, never stale) until the next load writes it anew.

Every database also has the table `indicator_alias` (an indicator's old ids, from the registry): the staging of
target links resolves an old id through it."""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from etl.settings import QUERIES_DIR

DERIVED_DIR = "derived"
# Computed once per snapshot (the benchmark's national figures say why each): the branch-year fact every page
# filters (a self-join for start-of-year members), the committee fact (4.8 million rows joined to their branch),
# the sums every indicator query reads, the progress of every target and scope, the data-quality views, the
# training roster (committee rows joined to their branches), the Biểu 01–07 roll-ups (6 s a call nationally) and
# the workbook's meetings sheet with the units expected beside it (each the slowest of the workbook's reads).
DERIVED = (
    "int_branch_year",
    "int_committee_member",
    "int_year_coverage",
    "int_branch_gaps",
    "int_untrained_secretary",
    "prg_indicator_sum",
    "prg_progress",
    "dq_completeness",
    "rec_all",
    "tbl_bieu01",
    "tbl_bieu02",
    "tbl_bieu03",
    "tbl_bieu04",
    "tbl_bieu05",
    "tbl_bieu06",
    "tbl_bieu07",
    "tbl_meetings",
    "int_unit_reported",
)


def sql_files() -> list[Path]:
    """Every view definition, in an order where each view comes after the views it reads."""
    files = _files()
    graph = {name: dependencies(name, files) for name in files}
    return [files[n] for n in TopologicalSorter(graph).static_order()]


def _files() -> dict[str, Path]:
    return {p.stem: p for p in sorted(QUERIES_DIR.glob("*/*.sql"))}


@cache
def body(path: Path) -> str:
    """A view's SQL without its final semicolon."""
    return re.sub(r";\s*$", "", path.read_text(encoding="utf-8").strip())


def dependencies(name: str, files: dict[str, Path]) -> set[str]:
    """The other views a view's SQL names (comments ignored)."""
    sql = re.sub(r"--[^\n]*", "", body(files[name]))
    words = set(re.findall(r"\b[a-z_][a-z0-9_]*\b", sql))
    return {w for w in words if w in files and w != name}


def upstream(names: tuple[str, ...] | list[str]) -> set[str]:
    """The views `names` read, directly or through other views, and the names themselves."""
    files = _files()
    seen: set[str] = set()
    todo = list(names)
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(dependencies(n, files))
    return seen


def derived_path(snapshot: Path, name: str) -> Path:
    return snapshot / DERIVED_DIR / f"{name}.parquet"


FINGERPRINTS = "fingerprints.json"


def fingerprint(name: str) -> str:
    """A digest of the SQL a view's result depends on: its own file and every view it reads, and the indicator
    aliases where one of them reads their table (an alias added later links an old snapshot's targets anew)."""
    files = _files()
    h = hashlib.sha256()
    for n in sorted(upstream((name,))):
        h.update(f"{n}\n{body(files[n])}\n".encode())
        if re.search(rf"\b{ALIAS_TABLE}\b", body(files[n])):
            h.update(json.dumps(sorted(indicator_aliases().items())).encode())
    return h.hexdigest()


def _fresh(snapshot: Path) -> set[str]:
    """The derived tables stored in the snapshot that were computed by today's SQL."""
    try:
        stored = json.loads((snapshot / DERIVED_DIR / FINGERPRINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()  # written before fingerprints were kept: none is trusted
    return {n for n in DERIVED if stored.get(n) == fingerprint(n) and derived_path(snapshot, n).exists()}


def _stored(name: str) -> str:
    # Relative to the database's file_search_path (the snapshot first), like the staging views' files.
    return f"create or replace view {name} as select * from read_parquet('{DERIVED_DIR}/{name}.parquet')"


def open_database(snapshot: Path, root: Path) -> duckdb.DuckDBPyConnection:
    """A new in-memory database whose views read the snapshot's Parquet (and the load log under root). Derived
    views read the tables stored with the snapshot; a snapshot written before they were stored, or by other SQL
    (an older version of the app), computes them here, once, as tables (slower to open, the same results)."""
    con = connect(snapshot, root)
    fresh = _fresh(snapshot)
    for path in sql_files():
        name = path.stem
        if name in fresh:
            con.execute(_stored(name))
        elif name in DERIVED:
            con.execute(f"create or replace table {name} as\n{body(path)}")
        else:
            con.execute(f"create or replace view {name} as\n{body(path)}")
    return con


def write_derived(snapshot: Path, root: Path) -> dict[str, float]:
    """Compute every derived view over a snapshot being written and store it there; the seconds each took.

    Only the views the derived ones read are created (the load log may not exist yet on a first load)."""
    import time

    needed = upstream(DERIVED)
    (snapshot / DERIVED_DIR).mkdir(exist_ok=True)
    con = connect(snapshot, root)
    took: dict[str, float] = {}
    try:
        for path in sql_files():
            name = path.stem
            if name not in needed:
                continue
            if name not in DERIVED:
                con.execute(f"create or replace view {name} as\n{body(path)}")
                continue
            t = time.perf_counter()
            out = derived_path(snapshot, name)
            con.execute(f"copy (\n{body(path)}\n) to '{_quoted(out)}' (format parquet, compression zstd)")
            con.execute(_stored(name))  # later derived views read the stored result, not the SQL again
            took[name] = time.perf_counter() - t
    finally:
        con.close()
    prints = {n: fingerprint(n) for n in DERIVED}
    (snapshot / DERIVED_DIR / FINGERPRINTS).write_text(json.dumps(prints, indent=1), encoding="utf-8")
    return took


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


@cache
def _added_tables() -> Path:
    """Empty versions of the tables the store has gained since its first snapshots (the meetings of 2026, the
    reasons a target is not measurable, the organisations of the tree): a snapshot written before has none of them,
    and its views read these instead (DuckDB's search path tries the snapshot first). Written once per process, in a
    folder of its own."""
    import atexit
    import shutil
    import tempfile

    import polars as pl

    from etl.reference import LINK_COLUMNS
    from etl.schema import BranchParentSchema, MeetingSchema, OrgSchema, UnitYearSchema

    out = Path(tempfile.mkdtemp(prefix="partydash-added-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    meta = {"committee_key": pl.String, "load_id": pl.String}
    for table, schema in (
        ("branch_meeting", MeetingSchema),
        ("unit_year", UnitYearSchema),
        ("org_year", OrgSchema),
        ("branch_parent", BranchParentSchema),
    ):
        empty = schema.create_empty()
        df = empty.with_columns(
            *(pl.col(c).cast(pl.String) for c in empty.columns if isinstance(empty.schema[c], pl.Enum)),
            *(pl.lit(None, t).alias(k) for k, t in meta.items()),
        ).drop("year")
        (out / table / "year=0").mkdir(parents=True)
        df.write_parquet(out / table / "year=0" / "data.parquet")
    # Reference tables added since (why a target is not measurable, the units a target names): an old snapshot has
    # none of them.
    pl.DataFrame(schema={"target_id": pl.String, "reason": pl.String}).write_parquet(
        out / "ref_target_unmeasured.parquet"
    )
    pl.DataFrame(schema={"target_id": pl.String, "unit_code": pl.String}).write_parquet(
        out / "ref_target_units.parquet"
    )
    # Columns added since to a reference table (a target's scope): stg_ref_target_links reads its table by name
    # together with this empty one, so an old snapshot's links have them, empty.
    pl.DataFrame(schema=dict.fromkeys(LINK_COLUMNS, pl.String)).write_parquet(out / "ref_target_links_columns.parquet")
    return out


def search_path(snapshot: Path, root: Path) -> str:
    """Where the views' relative paths are looked for: the snapshot, the store's root (its logs), the empty tables
    an older snapshot lacks."""
    return f"{snapshot},{root},{_added_tables()}"


# The table of the indicators' old ids (alias, indicator_id) that the views may join: the registry's `aliases`
# (queries/indicators.toml), created in every database, so a target link of a deployment's own target_links.csv or
# of an earlier release's snapshot still names its indicator (stg_ref_target_links). Not stored in a snapshot: it is
# this release's, whatever release wrote the snapshot.
ALIAS_TABLE = "indicator_alias"


@cache
def indicator_aliases() -> dict[str, str]:
    """Old indicator id -> its id now, from the registry's `aliases`; an alias that is a current id or that two
    indicators claim is an error of the registry. dashboard/registry.py `resolve` reads it too: one mapping."""
    import tomllib

    records = tomllib.loads((QUERIES_DIR / "indicators.toml").read_text(encoding="utf-8"))["indicator"]
    ids = {r["id"] for r in records}
    out: dict[str, str] = {}
    for r in records:
        for alias in r.get("aliases", []):
            if alias in ids or alias in out:
                raise ValueError(f"indicators.toml: alias {alias!r} of {r['id']!r} is already an id or an alias")
            out[alias] = r["id"]
    return out


def connect(snapshot: Path, root: Path) -> duckdb.DuckDBPyConnection:
    """A new in-memory database on the snapshot (no view created yet), with the indicator aliases' table."""
    search = search_path(snapshot, root)
    con = duckdb.connect(config={"file_search_path": search, "threads": os.cpu_count() or 2})
    con.execute("set enable_progress_bar = false")
    con.execute(f"create table {ALIAS_TABLE} (alias varchar primary key, indicator_id varchar not null)")
    if aliases := [list(kv) for kv in indicator_aliases().items()]:
        con.executemany(f"insert into {ALIAS_TABLE} values (?, ?)", aliases)
    return con
