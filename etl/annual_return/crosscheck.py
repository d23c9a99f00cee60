"""Rules across the sheets of one return: committee members, village heads and meetings belong to its branches."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from etl.codes import label
from etl.findings import Finding
from etl.schema import RULE_MESSAGES

if TYPE_CHECKING:
    from etl.annual_return.rows import Table


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


def meeting_checks(
    tables: dict[str, Table], file_name: str, year: int, is_commune: bool, findings: list[Finding]
) -> None:
    """Rules of «Sinh hoạt chi bộ» across sheets and years: every row is a branch of «Chi bộ» and, from the sheet's
    year, every branch has a row; members given tasks are at most the members not exempted; only a commune's
    committee picks pilot branches; from the year a column is required, none of its cells is blank."""
    table, branches = tables.get("meetings"), tables["branches"].frame
    if table is None or table.frame is None or branches is None or "branch_code" not in branches.columns:
        return
    read = table.frame
    spec = table.spec
    on_sheet = read["branch_code"].cast(pl.String).to_list() if read.height else []
    b_codes = branches["branch_code"].cast(pl.String).to_list()
    known = {c for c in b_codes if c is not None}
    rows = read["excel_row"].to_list() if read.height else []
    for code, row in zip(on_sheet, rows):
        if code is not None and code not in known:
            findings.append(
                table.finding(
                    file_name,
                    f"Mã chi bộ «{code}» không có trong trang «{tables['branches'].sheet}».",
                    row,
                    "branch_code",
                    "unknown_branch",
                )
            )
    listed = set(on_sheet)
    missing = [
        (c, n, r)
        for c, n, r in zip(b_codes, branches["branch_name"].to_list(), branches["excel_row"].to_list())
        if c is not None and c not in listed
    ]
    if missing and spec.from_year is not None and year >= spec.from_year:
        for code, name, row in missing:
            findings.append(
                table.finding(
                    file_name,
                    f"Chi bộ «{name}» (mã {code}, dòng {row} trang «{tables['branches'].sheet}») chưa có dòng ở trang "
                    f"«{table.sheet}»: từ báo cáo năm {spec.from_year} mỗi chi bộ phải có một dòng.",
                    None,
                    "branch_code",
                    "meetings_missing_branch",
                )
            )
    elif missing and read.height:
        codes = ", ".join(c for c, _, _ in missing[:10]) + (", …" if len(missing) > 10 else "")
        findings.append(
            table.finding(
                file_name,
                f"{len(missing)} chi bộ của trang «{tables['branches'].sheet}» không có dòng ở trang «{table.sheet}» "
                f"({codes}): số liệu sinh hoạt năm {year} của các chi bộ này coi như chưa báo cáo.",
                None,
                "branch_code",
                "meetings_partial",
                severity="warning",
            )
        )
    if not read.height:
        return
    eligible = {
        c: (m - (e or 0)) if m is not None else None
        for c, m, e in zip(b_codes, branches["members"].to_list(), branches["exempt"].to_list())
    }
    reported = {(f.sheet, f.row, f.column) for f in findings}
    for r in read.iter_rows(named=True):
        code, row = r["branch_code"], r["excel_row"]
        due = eligible.get(code)
        if r.get("members_assigned") is not None and due is not None and r["members_assigned"] > due:
            findings.append(
                table.finding(
                    file_name,
                    f"Số đảng viên được phân công nhiệm vụ ({r['members_assigned']}) lớn hơn số đảng viên phải phân "
                    f"công ({due}: tổng số đảng viên trừ số miễn đánh giá ở trang «{tables['branches'].sheet}»).",
                    row,
                    "members_assigned",
                    "assigned_le_members",
                )
            )
        if r.get("pilot") not in (None, "khong") and not is_commune:
            findings.append(
                table.finding(
                    file_name,
                    "Chỉ đảng bộ xã, phường chọn chi bộ điểm chỉ đạo (Đề án: mỗi đảng bộ xã, phường chọn 02–03 chi bộ "
                    "sinh hoạt định kỳ, 01–02 chi bộ sinh hoạt chuyên đề): hãy để trống cột này.",
                    row,
                    "pilot",
                    "pilot_not_commune",
                )
            )
    for c in spec.columns:
        if c.required_from is None or year < c.required_from:
            continue
        if c.key not in table.letters:
            findings.append(
                Finding(
                    file_name,
                    f"Thiếu cột «{c.header}» (bắt buộc từ báo cáo năm {c.required_from}).",
                    sheet=table.sheet,
                    rule="missing_column",
                )
            )
            continue
        for v, row in zip(read[c.key].to_list(), rows):
            if v is None and (table.sheet, row, table.letters[c.key]) not in reported:
                findings.append(
                    table.finding(
                        file_name,
                        RULE_MESSAGES["required_from"].format(year=c.required_from),
                        row,
                        c.key,
                        "required_from",
                    )
                )
