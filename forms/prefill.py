"""Blank or pre-filled returns: the template for one committee and year, with what it reported the year before.

Every sheet is pre-filled the same way: its line in PREFILL reads last year's rows through the staging views
(queries/10_staging, bound parameters), and the rows go to that sheet of the template. A new sheet of the return
pre-fills by adding its line."""

from __future__ import annotations

import io
from pathlib import Path

from etl.province import ProvinceConfig
from etl.settings import PARQUET_DIR
from etl.store import SAMPLE, kind
from forms.template import write_return

# What a committee keeps from one year to the next, by sheet (write_return's keyword): its branches (names, level,
# type, border; never last year's figures), its committee members (anonymous ids, qualifications, concurrent posts)
# and whether each village head is a party member. Each query names `year` and `unit_code` for the filter below.
PREFILL = {
    "branches": (
        "select year, unit_code, branch_code, branch_name, level, branch_type, border from stg_branch_year",
        "branch_code",
    ),
    "committee": (
        "select year, unit_code, person_id, branch_code, role, professional, theory, trained, training_year, it, "
        "also_village_head, also_front_head, also_other from stg_committee_member",
        "branch_code, case role when 'bi_thu' then 1 when 'pho_bi_thu' then 2 else 3 end, person_id",
    ),
    "heads": (
        "select h.year, h.unit_code, h.branch_code, b.branch_name, h.truong_xom, h.truong_ban_ctmt, h.hoi_nong_dan, "
        "h.hoi_phu_nu, h.hoi_ccb, h.bi_thu_doan from stg_village_head as h "
        "left join stg_branch_year as b on h.year = b.year and h.branch_code = b.branch_code",
        "branch_code",
    ),
}


def previous_rows(unit_code: str, year: int, root: Path = PARQUET_DIR) -> dict[str, list[dict]]:
    """Each sheet's rows of the unit's latest loaded year before `year` (none when it never reported)."""
    from dashboard import db

    try:
        cur = db.cursor(root)
    except FileNotFoundError:  # nothing loaded yet
        return {}
    params = {"unit": unit_code, "year": year}
    last = cur.execute(
        "select max(year) from stg_branch_year where unit_code = $unit and year < $year", params
    ).fetchone()[0]
    if last is None:
        return {}
    out = {}
    for sheet, (sql, order) in PREFILL.items():
        rel = db.cursor(root).sql(
            f"select * exclude (year, unit_code) from ({sql}) where unit_code = $unit and year = $year "
            f"order by {order}",
            params={"unit": unit_code, "year": last},
        )
        out[sheet] = rel.pl().to_dicts()
    return out


def template_bytes(
    province: ProvinceConfig, unit_code: str, year: int, prefill: bool = False, root: Path = PARQUET_DIR
) -> bytes:
    """The return workbook as bytes (for a download button). A sample store's templates say they are the sample,
    so what a demonstration fills in goes back into the sample store (and never into a real one)."""
    if unit_code not in province.unit_by_code:
        raise ValueError(f"Mã đơn vị «{unit_code}» không có trong danh mục của tỉnh {province.name}.")
    rows = previous_rows(unit_code, year, root) if prefill else {}
    buf = io.BytesIO()
    write_return(buf, province, province.unit_by_code[unit_code], year, **rows, is_sample=kind(root) == SAMPLE)
    return buf.getvalue()


def templates_zip(province: ProvinceConfig, year: int, prefill: bool = True, root: Path = PARQUET_DIR) -> bytes:
    """Every committee's return for a year in one zip (bao-cao-<mã>-<năm>.xlsx each), for the yearly campaign."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for unit in province.units:
            z.writestr(f"bao-cao-{unit.code}-{year}.xlsx", template_bytes(province, unit.code, year, prefill, root))
    return buf.getvalue()


def write_template(path: Path, province: ProvinceConfig, unit_code: str, year: int, prefill: bool = False) -> None:
    path.write_bytes(template_bytes(province, unit_code, year, prefill))
