"""Blank or pre-filled returns: the template for one committee and year, with last year's branches and
organisations (the tree: each branch's đảng bộ, each đảng bộ's own)."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from etl.province import ProvinceConfig
from etl.settings import PARQUET_DIR
from etl.store import current_snapshot
from forms.template import write_return

KEEP = ("branch_code", "branch_name", "level", "branch_type", "border")
KEEP_ORGS = ("org_code", "org_name", "org_kind", "parent_code", "org_type")  # not the rating: this year's to give


def _table(snap: Path, name: str, unit_code: str, year: int) -> pl.DataFrame | None:
    """A stored table's rows of the unit in one year; None when the snapshot has no such table (written before it
    was stored: the organisations of the tree) or no file of that year."""
    if not any((snap / name).glob(f"year={year}/*.parquet")):
        return None
    return pl.read_parquet(snap / name / f"year={year}" / "*.parquet").filter(pl.col("unit_code") == unit_code)


def previous_return(unit_code: str, year: int, root: Path = PARQUET_DIR) -> tuple[list[dict], list[dict]]:
    """The unit's branches and organisations (sheet «Tổ chức cơ sở đảng») in the latest loaded year before `year`,
    identity columns only, no figures, no rating: each branch with the đảng bộ it belonged to (parent_code), each
    đảng bộ with its own; no organisation when that year's return did not list them."""
    snap = current_snapshot(root)
    if snap is None or not any((snap / "branch_year").glob("year=*")):
        return [], []
    df = pl.read_parquet(snap / "branch_year" / "*" / "*.parquet", hive_partitioning=True).filter(
        (pl.col("unit_code") == unit_code) & (pl.col("year") < year) & (pl.col("year") > 0)
    )
    if df.is_empty():
        return [], []
    last = df["year"].max()
    branches = df.filter(pl.col("year") == last).sort("branch_code").select(KEEP)
    parents = _table(snap, "branch_parent", unit_code, last)
    if parents is not None:
        branches = branches.join(parents.select("branch_code", "parent_code"), on="branch_code", how="left")
    orgs = _table(snap, "org_year", unit_code, last)
    if orgs is None:
        return branches.to_dicts(), []
    # each đảng bộ cơ sở followed by its đảng bộ bộ phận
    own = pl.when(pl.col("org_kind") == "db_co_so").then(pl.col("org_code")).otherwise(pl.col("parent_code"))
    orgs = orgs.sort(own, pl.col("parent_code").is_not_null(), "org_code").select(KEEP_ORGS)
    return branches.to_dicts(), orgs.to_dicts()


def template_bytes(
    province: ProvinceConfig, unit_code: str, year: int, prefill: bool = False, root: Path = PARQUET_DIR
) -> bytes:
    """The return workbook as bytes (for a download button)."""
    if unit_code not in province.unit_by_code:
        raise ValueError(f"Mã đơn vị «{unit_code}» không có trong danh mục của tỉnh {province.name}.")
    rows, orgs = previous_return(unit_code, year, root) if prefill else ([], [])
    buf = io.BytesIO()
    # orgs only when there are some: a year before the sheet's gets it from last year's tree, not as an empty sheet
    write_return(buf, province, province.unit_by_code[unit_code], year, rows, orgs=orgs or None)
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
