"""Cells as typed values: counts typed as text (1.462), coded values spelled by hand, the committee's anonymous ids,
and a sheet's frame cast to its schema's dtypes."""

from __future__ import annotations

import re
from typing import Any

import dataframely as dy
import polars as pl

from etl.codes import labels, resolve
from etl.criteria import Criteria
from etl.findings import Finding
from etl.schema import ATTENDANCE, Column, SheetSpec
from etl.text import too_long

_INT_TEXT = re.compile(r"[+-]?\d{1,3}(?:[.,]\d{3})+|[+-]?\d+|[+-]?\d+[.,]0+")
_NUMBER_TEXT = re.compile(r"[+-]?[\d.,]*\d[\d.,]*")


def is_number(v: Any) -> bool:
    """Whether a cell holds a number (typed as one or as text such as «1.462»): what tells a row of data."""
    if isinstance(v, (int, float)):
        return not isinstance(v, bool)
    return isinstance(v, str) and bool(_NUMBER_TEXT.fullmatch(v.replace("\xa0", "").replace(" ", "")))


def text(v: Any) -> str | None:
    """A cell as stripped text (a whole float as an integer: Excel stores codes typed as numbers as 1.0)."""
    if v is None or v == "":
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def parse_year(v: Any) -> int | None:
    """A report year (2000–2100) from a number or «2024», «Năm 2024»; None if it is not one."""
    if isinstance(v, (int, float)) and float(v).is_integer() and 2000 <= v <= 2100:
        return int(v)
    m = re.fullmatch(r"\s*(?:năm\s*)?(\d{4})(?:\.0)?\s*", str(v or ""), re.I)
    return int(m.group(1)) if m and 2000 <= int(m.group(1)) <= 2100 else None


_BLANK_IS_NO = ("yes_no", "pilot")  # an optional code column of these domains: empty means «Không»


def blank(c: Column) -> Any:
    """What an empty cell of the column means: nothing (a required or «not reported» cell), 0, or «Không»."""
    if c.required or c.nullable:
        return None
    if c.kind == "int":
        return 0
    if c.kind == "code" and c.domain in _BLANK_IS_NO:
        return "khong"
    return None


def cell(v: Any, c: Column, file_name: str, sheet: str, row: int, col: str, findings: list[Finding]) -> Any:
    """One cell as its typed value; a problem becomes a finding and the value None."""
    empty = v is None or (isinstance(v, str) and v.strip() in ("", "-", "–"))

    def wrong(message: str, rule: str) -> None:
        findings.append(Finding(file_name, message, sheet=sheet, row=row, column=col, field=c.header, rule=rule))

    if c.kind == "text":
        t = None if empty else text(v)
        if t is not None and len(t) > c.max_chars:
            wrong(too_long(t, c.max_chars, f"cột «{c.header}»"), "text_too_long")
            return None
        return t
    if c.kind in ("int", "year"):
        if empty:
            return blank(c)
        if isinstance(v, bool):
            n = None
        elif isinstance(v, (int, float)):
            n = int(v) if float(v).is_integer() else None
        else:
            s = str(v).replace("\xa0", "").replace(" ", "")
            # Vietnamese writes 1.462 for one thousand four hundred sixty-two; counts never have decimals.
            n = int(re.sub(r"[.,]0+$", "", s).replace(".", "").replace(",", "")) if _INT_TEXT.fullmatch(s) else None
        if n is None:
            wrong(f"«{v}» không phải là số nguyên.", "not_integer")
        return n
    if c.kind == "code":
        if empty:
            return blank(c)
        typed = text(v) or ""
        code = resolve(c.domain, typed)
        if code is None:
            valid = "; ".join(labels(c.domain))
            wrong(f"Giá trị «{typed}» không có trong danh mục. Giá trị hợp lệ: {valid}.", "unknown_code")
        return code
    return None


_EMPTY = ("", "-", "–")


def type_column(
    values: list[Any], c: Column, rows: list[int], file_name: str, sheet: str, col: str
) -> tuple[list[Any], list[tuple[int, Finding]]]:
    """A whole column of a table typed at once: the values `cell` gives and, by position in the column, the
    findings it reports. The usual cells (a number typed as a number, an empty cell, a code spelled as in the
    list, text) are typed here in one pass; every other cell (a number typed as text, a fraction, an unknown
    value, anything odd) goes through `cell` itself, so its value and message are the per-cell path's own.

    One pass in Python rather than Polars: a column of one return holds tens to hundreds of cells, where building
    a Series costs more than typing them (see docs/PERFORMANCE.md)."""
    out: list[Any] = []
    found: list[tuple[int, Finding]] = []

    def slow(j: int, v: Any) -> Any:
        fs: list[Finding] = []
        typed = cell(v, c, file_name, sheet, rows[j], col, fs)
        found.extend((j, f) for f in fs)
        return typed

    append = out.append
    if c.kind == "text":
        limit = c.max_chars
        for j, v in enumerate(values):
            if v.__class__ is str and len(v) <= limit:
                t = v.strip()
                append(None if t in _EMPTY else t)
            else:
                append(None if v is None else slow(j, v))
    elif c.kind in ("int", "year"):
        empty = blank(c)
        for j, v in enumerate(values):
            k = v.__class__
            if k is float:
                append(int(v) if v.is_integer() else slow(j, v))
            elif k is int:
                append(v)
            elif v is None or (k is str and v.strip() in _EMPTY):
                append(empty)
            else:
                append(slow(j, v))
    elif c.kind == "code":
        empty = blank(c)
        for j, v in enumerate(values):
            if v.__class__ is str:
                t = v.strip()
                code = empty if t in _EMPTY else resolve(c.domain, t)
                append(code if code is not None or t in _EMPTY else slow(j, v))
            else:
                append(empty if v is None else slow(j, v))
    else:
        out = [None] * len(values)
    return out, found


def empty_frame(spec: SheetSpec, year: int, unit_code: str) -> pl.DataFrame:
    """A sheet without rows, with the sheet's columns."""
    cols = {c.key: pl.Series([], dtype=pl.String) for c in spec.columns if c.kind != "ignore"}
    return pl.DataFrame({**cols, "excel_row": pl.Series([], dtype=pl.Int32)}).with_columns(
        pl.lit(year).alias("year"), pl.lit(unit_code).alias("unit_code")
    )


def committee_frame(df: pl.DataFrame | None) -> pl.DataFrame | None:
    """«Cấp uỷ» rows with `trained` and an anonymous id for every member."""
    if df is None:
        return None
    # Rows without an anonymous id get one from their branch, role and order (never a name).
    seq = pl.int_range(pl.len()).over("branch_code", "role") + 1
    pid = pl.format("{}#{}#{}", pl.col("branch_code"), pl.col("role"), seq)
    return df.with_columns(
        trained=pl.col("training") == "da", person_id=pl.coalesce(pl.col("person_id").cast(pl.String), pid)
    )


def meetings_frame(df: pl.DataFrame | None, criteria: Criteria) -> pl.DataFrame | None:
    """«Sinh hoạt chi bộ» rows as the year's facts: months due 12 where left blank; the attendance counts of a
    branch that typed any of them, blanks as 0; «tốt trở lên» = the meetings of the province's good levels."""
    if df is None or df.is_empty():
        return df
    att = [c for c in ATTENDANCE if c in df.columns]
    typed = pl.any_horizontal(*(pl.col(c).is_not_null() for c in att)) if att else pl.lit(False)
    good = [f"q_level{i + 1}" for i, lv in enumerate(criteria.levels) if lv.good and f"q_level{i + 1}" in df.columns]
    return df.with_columns(
        pl.col("months_due").fill_null(12) if "months_due" in df.columns else pl.lit(12).alias("months_due"),
        *(pl.when(typed).then(pl.col(c).fill_null(0)).otherwise(pl.col(c)).alias(c) for c in att),
        (
            pl.when(pl.col("q_scored").is_not_null()).then(pl.sum_horizontal(*(pl.col(c).fill_null(0) for c in good)))
            if "q_scored" in df.columns and good
            else pl.lit(None, pl.Int32)
        ).alias("q_good"),
    )


def cast_to(df: pl.DataFrame | None, schema: type[dy.Schema]) -> pl.DataFrame | None:
    """The sheet's frame with the schema's columns and dtypes (values that do not fit become null)."""
    if df is None:
        return None
    casts = []
    for name, col in schema.columns().items():
        if name not in df.columns:
            df = df.with_columns(pl.lit(None).alias(name))
        dtype = col.dtype
        if isinstance(dtype, pl.Enum):
            casts.append(pl.col(name).cast(pl.String).cast(dtype, strict=False))
        elif dtype == pl.Boolean and df.schema[name] == pl.String:  # yes/no codes
            casts.append(pl.when(pl.col(name).is_null()).then(None).otherwise(pl.col(name) == "co").alias(name))
        else:
            casts.append(pl.col(name).cast(dtype, strict=False))
    return df.select(casts)
