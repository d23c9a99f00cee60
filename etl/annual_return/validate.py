"""The schema checks (etl/schema.py) of a batch of returns in one pass, reported as Vietnamese findings that name
file, sheet, Excel row and column; and the checks of subtotal and total rows against the rows they sum."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import Any

import dataframely as dy
import polars as pl

from etl.annual_return.normalise import cast_to, cell
from etl.annual_return.rows import Label, Table, section_label, subtotal_ref
from etl.findings import Finding
from etl.schema import ATTENDANCE, LEVEL_SLOTS, MEMBER_COUNTS, RULE_COLUMNS, RULE_MESSAGES, Column
from etl.text import fold

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
    pk = _key_column(table.spec.key)
    for row in details.iter_rows(named=True):
        for rule, status in row.items():
            if status != "invalid" or rule in schema.columns() or rule == BATCH:
                continue
            if rule == "primary_key" and row.get(pk) is None:
                continue  # rows without a code are «the same key» only as nulls: the empty cell is reported
            f = _rule_finding(rule, row, table, file_name, details)
            if not (rule.endswith("|nullability") and (f.sheet, f.row, f.column) in reported):
                findings.append(f)


def _key_column(sheet: str) -> str:
    """The column that identifies a row of the sheet (its code)."""
    return {"committee": "person_id", "orgs": "org_code"}.get(sheet, "branch_code")


# Schema columns computed from a sheet column: a finding names the column the user typed in.
_DERIVED_FROM = {"trained": "training"}


def _rule_finding(rule: str, row: dict, table: Table, file_name: str, details: pl.DataFrame) -> Finding:
    spec = table.spec
    column = (
        rule.split("|")[0]
        if "|" in rule
        else RULE_COLUMNS.get(rule, spec.columns[1].key if rule == "primary_key" else "")
    )
    column = _DERIVED_FROM.get(column, column)
    kind = rule.split("|")[1] if "|" in rule else rule
    values = {k: v for k, v in row.items() if not isinstance(v, str) or k in ("branch_code", "person_id", "org_code")}
    if rule == "members_add_up":
        values["parts"] = (
            " + ".join(str(row[k]) for k in MEMBER_COUNTS) + f" = {sum(row[k] or 0 for k in MEMBER_COUNTS)}"
        )
    if rule == "levels_add_up":
        levels = [c for c in spec.columns if c.key in LEVEL_SLOTS]
        values["parts"] = " + ".join(f"{c.header} {row[c.key] or 0}" for c in levels) + (
            f" = {sum(row[c.key] or 0 for c in levels)}"
        )
        values["q_scored"] = "để trống" if row.get("q_scored") is None else row["q_scored"]
    if rule.startswith("attendance"):
        values["attendance"] = sum(row.get(k) or 0 for k in ATTENDANCE)
    if rule == "primary_key":
        pk = _key_column(spec.key)
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
            msg = RULE_MESSAGES.get(rule, "Giá trị không hợp lệ.")
    return table.finding(file_name, msg, row.get("excel_row"), column, rule)


def year_refusal(year: int, allowed_years: Collection[int] | None, this_year: int | None = None) -> str | None:
    """Why a return's year cannot be loaded (a year not yet come, or outside the reporting periods opened), or
    None. `allowed_years` None: any year up to this one."""
    this_year = this_year or dt.date.today().year
    if year > this_year:
        return f"Năm báo cáo {year} chưa đến (năm nay là {this_year}): hãy kiểm tra lại năm báo cáo."
    if allowed_years is not None and year not in allowed_years:
        opened = sorted(allowed_years)
        if not opened:
            return f"Chưa mở kỳ báo cáo nào: không nhận báo cáo năm {year}."
        years = f"năm {opened[0]}" if len(opened) == 1 else "các năm " + ", ".join(map(str, opened))
        return f"Kỳ báo cáo năm {year} chưa được mở hoặc đã đóng: hiện chỉ nhận báo cáo {years}."
    return None


@dataclass(frozen=True)
class Mark:
    """A row of a table that is not data but frames it: a section title, a subtotal, a group title carrying its
    group's sums, a total; `text` is its first text cell (what tells its kind and label), `cells` its values."""

    i: int  # 0-based row
    kind: str  # section | subtotal | group_sums | total
    text: str
    cells: dict[str, Any]
    title: str = ""  # the row's text as the user reads it («II Các chi bộ trực thuộc»), for messages


def check_totals(
    records: list[dict[str, Any]],
    marks: list[Mark],
    cols: list[Column],
    letters: dict[str, str],
    file_name: str,
    sheet: str,
    noun: str,
    findings: list[Finding],
) -> None:
    """Every subtotal and total row against the data rows it sums; none of them is loaded.

    A «Tổng cộng» sums every data row of the table, wherever it stands (top, bottom, or above a branch typed below
    it). A «Cộng» row closes a group: the rows since the section title it names («Cộng I» → «I. …»), else since
    the last section title or subtotal, else since the last subtotal — whichever adds up. A section title with
    numbers («I. Chi bộ cơ sở | 120 | …») sums the rows under it, down to the next title of its level or a
    subtotal."""
    ints = [c for c in cols if c.kind == "int"]
    if not marks or not ints:
        return
    headers = {c.key: c.header for c in cols}
    rows = [r["excel_row"] - 1 for r in records]

    def covered(lo: int, hi: int) -> list[dict[str, Any]]:
        return records[bisect.bisect_right(rows, lo) : bisect.bisect_left(rows, hi)]

    for n, m in enumerate(marks):
        if m.kind == "section":
            continue
        stated = _stated(m, ints, file_name, sheet, letters)
        if not stated:
            continue
        if m.kind == "total":
            _compare(m, stated, [records], letters, file_name, sheet, noun, findings, headers)
            continue
        if m.kind == "group_sums":
            label, _ = section_label(m.text)
            end = next(
                (
                    k.i
                    for k in marks[n + 1 :]
                    if k.kind in ("subtotal", "total") or _same_or_higher(section_label(k.text)[0], label)
                ),
                len(rows) and rows[-1] + 1,
            )
            _compare(m, stated, [covered(m.i, end)], letters, file_name, sheet, noun, findings, headers)
            continue
        before = marks[:n]
        last_break = max((k.i for k in before if k.kind in ("subtotal", "total")), default=-1)
        last_title = max((k.i for k in before if k.kind in ("section", "group_sums")), default=-1)
        ref = subtotal_ref(m.text) or ""
        named = max((k.i for k in before if ref and k.kind != "subtotal" and ref in _names(k.text)), default=None)
        starts = dict.fromkeys(s for s in (named, max(last_break, last_title), last_break) if s is not None)
        _compare(m, stated, [covered(s, m.i) for s in starts], letters, file_name, sheet, noun, findings, headers)


def _stated(m: Mark, ints: list[Column], file_name: str, sheet: str, letters: dict[str, str]) -> dict[str, int]:
    """The numbers a subtotal or total row states, by column (cells that are no number are not checked)."""
    out = {}
    for c in ints:
        if m.cells.get(c.key) in ("", None):
            continue
        v = cell(m.cells[c.key], c, file_name, sheet, m.i + 1, letters[c.key], [])
        if v is not None:
            out[c.key] = v
    return out


def _compare(
    m: Mark,
    stated: dict[str, int],
    candidates: list[list[dict[str, Any]]],
    letters: dict[str, str],
    file_name: str,
    sheet: str,
    noun: str,
    findings: list[Finding],
    headers: dict[str, str],
) -> None:
    """Accept the row if one candidate set of data rows adds up to it; else report it against the first."""

    def sums(rows: list[dict[str, Any]]) -> dict[str, int]:
        return {k: sum(r.get(k) or 0 for r in rows) for k in stated}

    if any(sums(rows) == stated for rows in candidates):
        return
    rows = candidates[0]
    summed = sums(rows)
    for k, v in stated.items():
        if summed[k] == v:
            continue
        if m.kind == "total":
            below = [r["excel_row"] for r in rows if r["excel_row"] > m.i + 1]
            message = f"Dòng «Tổng cộng» ghi {v} nhưng cộng các dòng được {summed[k]}."
            if below and len(below) < len(rows):
                message = message[:-1] + (
                    f" (kể cả {noun} ở dòng {', '.join(map(str, below))}, ghi dưới dòng «Tổng cộng»)."
                )
        elif rows:
            first, last = rows[0]["excel_row"], rows[-1]["excel_row"]
            span = f"dòng {first}" if first == last else f"các dòng {first}–{last}"
            message = f"Dòng «{m.title or m.text}» ghi {v} nhưng cộng các {noun} ở {span} được {summed[k]}."
        else:
            message = f"Dòng «{m.title or m.text}» ghi {v} nhưng không có {noun} nào trong nhóm để cộng."
        field = headers[k]
        findings.append(
            Finding(
                file_name,
                message,
                sheet=sheet,
                row=m.i + 1,
                column=letters[k],
                field=field,
                rule="total_mismatch" if m.kind == "total" else "subtotal_mismatch",
            )
        )


def _names(text: str) -> set[str]:
    """What a «Cộng …» row may call a section: its label («i») or its title («chi bo xom»)."""
    label, rest = section_label(text)
    return {fold(label.text)} | {fold(rest)} if label else {fold(text)}


_LEVEL = {"letter": 0, "roman": 1, "arabic": 2, "lower": 3}


def _same_or_higher(label: Label | None, of: Label | None) -> bool:
    """Whether a section with `label` closes the group of a section with label `of` (an unlabelled one does)."""
    if label is None or of is None:
        return True
    return _LEVEL[label.style] <= _LEVEL[of.style]
