"""Rules across the sheets of one return: committee members and village heads belong to its branches."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from etl.codes import label
from etl.findings import Finding

if TYPE_CHECKING:
    from etl.annual_return.read import Table


def cross_checks(
    tables: dict[str, Table],
    committee: pl.DataFrame,
    heads: pl.DataFrame,
    file_name: str,
    year: int,
    findings: list[Finding],
) -> None:
    """Rules across sheets: committee members and heads belong to a branch of the same return.

    Branch codes are taken from every row of «Chi bộ» as read, so a branch refused for another reason does not
    also make its committee members «unknown»."""
    read = tables["branches"].frame
    if read is None or "branch_code" not in read.columns:
        return
    # A return's tables are tens to hundreds of rows: plain Python here, not a Polars call per rule (each costs
    # more than the rows it would look at). A null code is no finding here (its own rule reports it).
    read_codes = read["branch_code"].cast(pl.String).to_list()
    codes = {c for c in read_codes if c is not None}
    villages = {
        c for c, t in zip(read_codes, read["branch_type"].cast(pl.String).to_list()) if c is not None and t == "xom"
    }
    branches_sheet = tables["branches"].sheet
    secretaries: dict[str | None, list[int]] = {}
    for code, row, role in committee.select("branch_code", "excel_row", "role").iter_rows():
        if code is not None and code not in codes:
            findings.append(
                tables["committee"].finding(
                    file_name,
                    f"Mã chi bộ «{code}» không có trong trang «{branches_sheet}».",
                    row,
                    "branch_code",
                    "unknown_branch",
                )
            )
        if role == "bi_thu":
            secretaries.setdefault(code, []).append(row)
    for code, rows in secretaries.items():  # in the order the branches first appear
        if len(rows) > 1:
            findings.append(
                tables["committee"].finding(
                    file_name,
                    f"Chi bộ «{code}» có {len(rows)} bí thư (dòng {', '.join(map(str, sorted(rows)))}).",
                    min(rows),
                    "role",
                    "two_secretaries",
                )
            )
    for code, row in heads.select("branch_code", "excel_row").iter_rows():
        if code is not None and code not in villages:
            findings.append(
                tables["heads"].finding(
                    file_name,
                    f"«{code}» không phải chi bộ xóm, tổ dân phố trong trang «{branches_sheet}».",
                    row,
                    "branch_code",
                    "unknown_branch",
                )
            )
    if year < 2025 and "tt_cap_tren" in read["level"].cast(pl.String).to_list():
        findings.append(
            tables["branches"].finding(
                file_name,
                f"Cấp «{label('level', 'tt_cap_tren')}» chỉ có từ tháng 7/2025; năm {year} các chi bộ này "
                f"thường là «{label('level', 'tt_co_so')}».",
                None,
                "level",
                "level_before_reform",
                severity="warning",
            )
        )
