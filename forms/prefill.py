"""Blank or pre-filled returns: the template for one committee and year, with what it reported the year before.

Every sheet is pre-filled the same way: last year's rows, read through the staging views by the one query per sheet
in dashboard/lookups.py (`PREFILL`, bound parameters), go to that sheet of the template. A new sheet of the return
is pre-filled by adding its query there."""

from __future__ import annotations

import io
from pathlib import Path

from etl.province import ProvinceConfig
from etl.settings import PARQUET_DIR
from etl.store import SAMPLE, kind
from forms.template import write_return


def previous_rows(unit_code: str, year: int, root: Path = PARQUET_DIR) -> dict[str, list[dict]]:
    """Each sheet's rows of the unit's latest loaded year before `year` (none when it never reported)."""
    from dashboard import lookups

    try:
        return lookups.last_year_rows(unit_code, year, root)
    except FileNotFoundError:  # nothing loaded yet
        return {}


def template_bytes(
    province: ProvinceConfig, unit_code: str, year: int, prefill: bool = False, root: Path = PARQUET_DIR
) -> bytes:
    """The return workbook as bytes (for a download button). A sample store's templates say they are the sample,
    so what a demonstration fills in goes back into the sample store (and never into a real one)."""
    if unit_code not in province.unit_by_code:
        raise ValueError(f"Mã đơn vị «{unit_code}» không có trong danh mục của tỉnh {province.name}.")
    rows = previous_rows(unit_code, year, root) if prefill else {}
    # orgs only when there are some: a year before the sheet's gets it from last year's tree, not as an empty sheet
    orgs = rows.pop("orgs", []) or None
    buf = io.BytesIO()
    write_return(
        buf, province, province.unit_by_code[unit_code], year, **rows, orgs=orgs, is_sample=kind(root) == SAMPLE
    )
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
