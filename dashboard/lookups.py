"""The parameterised one-off lookups of the store that no view fits — a committee's branches in a year, the last
load that wrote, the audit log — each one constant SQL text with its values bound as $parameters.

Every figure is computed by the SQL views of queries/; these only fetch rows. They apply no scope: their callers
check who is asking (`dashboard/admin.py`: admins only; `dashboard/reporting.py`: the committee's own return)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dashboard import db


def _rows(sql: str, params: dict, root: Path) -> pl.DataFrame:
    return db.cursor(root).sql(sql, params=params).pl()


def audit_events(root: Path) -> pl.DataFrame:
    """Every audited event, newest first."""
    return _rows("select * from stg_audit order by event_time desc", {}, root)


def last_writing_load(root: Path) -> tuple | None:
    """(started_at, loaded_by, file_count, status) of the last load that tried to write the store, or None."""
    rows = (
        db.cursor(root)
        .sql(
            "select started_at, loaded_by, file_count, status from stg_load_log "
            "where status in ('ok', 'interrupted', 'failed') order by finished_at desc limit 1"
        )
        .fetchall()
    )
    return rows[0] if rows else None


def committee_branches(year: int, committee_key: str, root: Path) -> pl.DataFrame:
    """A committee's branches of a year, as stored."""
    return _rows(
        "select * from stg_branch_year where year = $y and committee_key = $k", {"y": year, "k": committee_key}, root
    )


def committee_branch_figures(year: int, committee_key: str, root: Path) -> pl.DataFrame:
    """A committee's branches of a year with the figures a load's preview compares: members, members rated good or
    better, members rated, Internet."""
    return _rows(
        "select branch_code, members, excellent + good as good_members, rated_members, internet "
        "from int_branch_year where year = $y and (unit_code, branch_code) in "
        "(select (unit_code, branch_code) from stg_branch_year where year = $y and committee_key = $k)",
        {"y": year, "k": committee_key},
        root,
    )


def unit_branches(year: int, unit_code: str, root: Path) -> pl.DataFrame:
    """A unit's branches of a year with their members and ratings, as stored."""
    return _rows(
        "select branch_code, branch_name, members, rating, excellent, good, completed, not_completed "
        "from stg_branch_year where year = $y and unit_code = $u order by branch_code",
        {"y": year, "u": unit_code},
        root,
    )
