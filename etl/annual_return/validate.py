"""The schema checks (etl/schema.py) of a batch of returns in one pass, reported as Vietnamese findings that name
file, sheet, Excel row and column; and the check of a «Tổng cộng» row against the rows it sums."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import dataframely as dy
import polars as pl

from etl.annual_return.normalise import cast_to, cell
from etl.excel import col_letter
from etl.findings import Finding
from etl.schema import COMMITTEE, MEMBER_COUNTS, RULE_MESSAGES, Column

if TYPE_CHECKING:
    from etl.annual_return.read import Header, Table

BATCH = "batch"  # the index of a row's return in a batch: a column of the check, never of the data


@cache
def batched(schema: type[dy.Schema]) -> type[dy.Schema]:
    """The schema for many returns checked at once: the batch index joins the primary key, so a code must be
    unique within its return (a code in two returns of one year is the store's to refuse, with its own message)."""
    return type(f"{schema.__name__}Batch", (schema,), {BATCH: dy.UInt32(primary_key=True)})


def validate_batch(items: list[tuple[Table, str, list[Finding]]], schema: type[dy.Schema]) -> list[pl.DataFrame]:
    """Apply the schema's rules to one sheet of every return (its table, file name and findings) in one pass;
    failed rows become findings of their return; returns each return's valid rows."""
    casted = [cast_to(table.frame, schema) for table, _, _ in items]
    parts = [
        df.with_columns(pl.lit(i, pl.UInt32).alias(BATCH))
        for i, df in enumerate(casted)
        if df is not None and not df.is_empty()
    ]
    empty = schema.create_empty()  # dataframely builds it slowly: once per batch
    out = [empty if df is None else schema.cast(df) if df.is_empty() else None for df in casted]
    if not parts:
        return out
    valid, failure = batched(schema).filter(pl.concat(parts), cast=False)
    groups = valid.partition_by(BATCH, as_dict=True, include_key=False)
    for i in range(len(casted)):
        if out[i] is None:
            out[i] = groups.get((i,), empty)
    if failure.counts():
        details = failure.details()
        for (i,), rows in details.partition_by(BATCH, as_dict=True, include_key=False).items():
            table, file_name, findings = items[i]
            _report(rows, schema, table, file_name, findings)
    return out


def _report(
    details: pl.DataFrame, schema: type[dy.Schema], table: Table, file_name: str, findings: list[Finding]
) -> None:
    """Every failed rule of every row, as a Vietnamese finding."""
    # A cell already reported (not a number, unknown value) is empty now: don't report it twice.
    reported = {(f.sheet, f.row, f.column) for f in findings}
    for row in details.iter_rows(named=True):
        for rule, status in row.items():
            if status != "invalid" or rule in schema.columns() or rule == BATCH:
                continue
            f = _rule_finding(rule, row, table, file_name, details)
            if not (rule.endswith("|nullability") and (f.sheet, f.row, f.column) in reported):
                findings.append(f)


# Schema columns computed from a sheet column: a finding names the column the user typed in.
_DERIVED_FROM = {"trained": "training"}


def _rule_finding(rule: str, row: dict, table: Table, file_name: str, details: pl.DataFrame) -> Finding:
    spec = table.spec
    column = (
        rule.split("|")[0]
        if "|" in rule
        else {
            "members_add_up": "members",
            "resident_le_members": "resident_members",
            "village_has_resident": "resident_members",
            "admitted_le_members": "admitted",
            "training_year_not_after_report": "training_year",
            "primary_key": spec.columns[1].key,
        }.get(rule, "")
    )
    column = _DERIVED_FROM.get(column, column)
    kind = rule.split("|")[1] if "|" in rule else rule
    values = {k: v for k, v in row.items() if not isinstance(v, str) or k in ("branch_code", "person_id")}
    if rule == "members_add_up":
        values["parts"] = (
            " + ".join(str(row[k]) for k in MEMBER_COUNTS) + f" = {sum(row[k] or 0 for k in MEMBER_COUNTS)}"
        )
    if rule == "primary_key":
        pk = "branch_code" if "branch_code" in details.columns and spec is not COMMITTEE else "person_id"
        others = details.filter(pl.col(pk) == row[pk])["excel_row"].to_list()
        msg = f"Mã «{row[pk]}» xuất hiện nhiều lần (các dòng {', '.join(map(str, sorted(others)))})."
        column = pk
    elif kind == "nullability":
        msg = RULE_MESSAGES["nullability"]
    elif kind in ("min", "max"):
        msg = f"Giá trị {row.get(column)} không hợp lệ (số âm hoặc ngoài khoảng cho phép)."
    else:
        try:
            msg = RULE_MESSAGES[rule].format(**values)
        except (KeyError, IndexError):
            msg = RULE_MESSAGES.get(rule, rule)
    return table.finding(file_name, msg, row.get("excel_row"), column, rule)


def check_total(
    records: list[dict[str, Any]],
    total: tuple[int, dict[str, Any]],
    cols: list[Column],
    hdr: Header,
    file_name: str,
    sheet: str,
    findings: list[Finding],
) -> None:
    """A «Tổng cộng» row is checked against the rows above it and never loaded."""
    i, cells = total
    for c in cols:
        if c.kind != "int" or cells[c.key] in ("", None):
            continue
        scratch: list[Finding] = []
        stated = cell(cells[c.key], c, file_name, sheet, i + 1, col_letter(hdr.columns[c.key]), scratch)
        summed = sum(r.get(c.key) or 0 for r in records)
        if stated is not None and stated != summed:
            findings.append(
                Finding(
                    file_name,
                    f"Dòng «Tổng cộng» ghi {stated} nhưng cộng các dòng được {summed}.",
                    sheet=sheet,
                    row=i + 1,
                    column=col_letter(hdr.columns[c.key]),
                    field=c.header,
                    rule="total_mismatch",
                )
            )
