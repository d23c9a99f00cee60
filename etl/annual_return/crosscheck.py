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
    read = read.with_columns(pl.col("branch_code").cast(pl.String), pl.col("branch_type").cast(pl.String))
    codes = read["branch_code"].drop_nulls().to_list()
    villages = read.filter(pl.col("branch_type") == "xom")["branch_code"].drop_nulls().to_list()
    branches_sheet = tables["branches"].sheet
    for r in committee.filter(~pl.col("branch_code").is_in(codes)).iter_rows(named=True):
        findings.append(
            tables["committee"].finding(
                file_name,
                f"Mã chi bộ «{r['branch_code']}» không có trong trang «{branches_sheet}».",
                r["excel_row"],
                "branch_code",
                "unknown_branch",
            )
        )
    dup = (
        committee.filter(pl.col("role") == "bi_thu")
        .group_by("branch_code")
        .agg(pl.col("excel_row"))
        .filter(pl.col("excel_row").list.len() > 1)
    )
    for r in dup.iter_rows(named=True):
        findings.append(
            tables["committee"].finding(
                file_name,
                f"Chi bộ «{r['branch_code']}» có {len(r['excel_row'])} bí thư "
                f"(dòng {', '.join(map(str, sorted(r['excel_row'])))}).",
                min(r["excel_row"]),
                "role",
                "two_secretaries",
            )
        )
    for r in heads.filter(~pl.col("branch_code").is_in(villages)).iter_rows(named=True):
        findings.append(
            tables["heads"].finding(
                file_name,
                f"«{r['branch_code']}» không phải chi bộ xóm, tổ dân phố trong trang «{branches_sheet}».",
                r["excel_row"],
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
