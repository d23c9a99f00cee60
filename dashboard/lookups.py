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
        "select b.branch_code, b.members, m.numerator as good_members, m.denominator as rated_members, b.internet "
        "from int_branch_year as b join ind_member_good as m using (year, unit_code, branch_code) "
        "where b.year = $y and (b.unit_code, b.branch_code) in "
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


# What a committee keeps from one year to the next, by sheet of the return (forms/prefill.py writes each to its
# sheet): its branches (names, level, type, border, the đảng bộ each belongs to; never last year's figures), its
# đảng bộ (the tree, without last year's rating), its committee members (anonymous ids, qualifications, concurrent
# posts) and whether each village head is a party member. A new sheet of the return
# is pre-filled by adding its query here.
PREFILL = {
    "branches": (  # with the đảng bộ each belonged to (column «Trực thuộc»; null: directly under the committee)
        "select b.branch_code, b.branch_name, b.level, b.branch_type, b.border, p.parent_code "
        "from stg_branch_year as b left join stg_branch_parent as p "
        "on p.year = b.year and p.unit_code = b.unit_code and p.branch_code = b.branch_code "
        "where b.unit_code = $unit and b.year = $year order by b.branch_code"
    ),
    "committee": (
        "select person_id, branch_code, role, professional, theory, trained, training_year, it, also_village_head, "
        "also_front_head, also_other from stg_committee_member where unit_code = $unit and year = $year "
        "order by branch_code, case role when 'bi_thu' then 1 when 'pho_bi_thu' then 2 else 3 end, person_id"
    ),
    "orgs": (  # sheet «Tổ chức cơ sở đảng»: each đảng bộ cơ sở followed by its đảng bộ bộ phận; not the rating
        "select org_code, org_name, org_kind, parent_code, org_type from stg_org_year "
        "where unit_code = $unit and year = $year "
        "order by case when org_kind = 'db_co_so' then org_code else parent_code end, parent_code is not null, org_code"
    ),
    "heads": (
        "select h.branch_code, b.branch_name, h.truong_xom, h.truong_ban_ctmt, h.hoi_nong_dan, h.hoi_phu_nu, "
        "h.hoi_ccb, h.bi_thu_doan from stg_village_head as h "
        "left join stg_branch_year as b on h.year = b.year and h.unit_code = b.unit_code and h.branch_code = b.branch_code "
        "where h.unit_code = $unit and h.year = $year order by h.branch_code"
    ),
}


def last_year_rows(unit_code: str, year: int, root: Path) -> dict[str, list[dict]]:
    """Each sheet's rows (PREFILL) of the unit's latest loaded year before `year`; {} when it never reported."""
    last = (
        db.cursor(root)
        .sql(
            "select max(year) from stg_branch_year where unit_code = $unit and year < $year",
            params={"unit": unit_code, "year": year},
        )
        .fetchall()[0][0]
    )
    if last is None:
        return {}
    return {sheet: _rows(sql, {"unit": unit_code, "year": last}, root).to_dicts() for sheet, sql in PREFILL.items()}
