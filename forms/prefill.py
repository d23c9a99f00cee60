"""Blank or pre-filled returns: the template for one committee and year, with last year's branch list."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from etl.province import ProvinceConfig
from etl.settings import PARQUET_DIR
from etl.store import current_snapshot
from forms.template import write_return

KEEP = ("branch_code", "branch_name", "level", "branch_type", "border")


def previous_branches(unit_code: str, year: int, root: Path = PARQUET_DIR) -> list[dict]:
    """The unit's branches in the latest loaded year before `year` (identity columns only, no figures)."""
    snap = current_snapshot(root)
    if snap is None or not any((snap / "branch_year").glob("year=*")):
        return []
    df = pl.read_parquet(snap / "branch_year" / "*" / "*.parquet", hive_partitioning=True).filter(
        (pl.col("unit_code") == unit_code) & (pl.col("year") < year) & (pl.col("year") > 0)
    )
    if df.is_empty():
        return []
    last = df["year"].max()
    return df.filter(pl.col("year") == last).sort("branch_code").select(KEEP).to_dicts()


def template_bytes(
    province: ProvinceConfig, unit_code: str, year: int, prefill: bool = False, root: Path = PARQUET_DIR
) -> bytes:
    """The return workbook as bytes (for a download button)."""
    if unit_code not in province.unit_by_code:
        raise ValueError(f"Mã đơn vị «{unit_code}» không có trong danh mục của tỉnh {province.name}.")
    rows = previous_branches(unit_code, year, root) if prefill else []
    buf = io.BytesIO()
    write_return(buf, province, province.unit_by_code[unit_code], year, rows)
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
