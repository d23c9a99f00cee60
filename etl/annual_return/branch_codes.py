"""A branch belongs to one committee (issue 29.1): a return names only branches of its own unit.

A branch's code is its unit's code, a dot and the branch's own part — «01273.046», «04-UBND.220» — as the template
pre-fills them from last year and the sample writes them; an office adding a branch types the next one after the
last («01273.084»). So a code is the unit's if it starts with the unit's code and a dot: a return of 01273 that
names «01279.001» names a branch of 01279 and is refused, on every sheet keyed by «Mã chi bộ» (branches, committee
members, village heads, and any sheet added later), with its file, sheet, row and column. Without this rule a
commune could take another's branch code first: the owner's own return was then refused, and the taker's figures
joined the owner's previous year.

Excel turns a code typed into a cell not formatted as text into a number (01273.046 → 1273.046, shown without its
leading zero): such a code is read back as typed (the template formats the column as text, so this is rare)."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING

import polars as pl

from etl.findings import Finding

if TYPE_CHECKING:
    from etl.annual_return.rows import Table

_AS_NUMBER = re.compile(r"(\d{1,5})\.(\d+)")


def own_space(unit_code: str) -> str:
    """How the codes of a unit's branches begin: «01273.»."""
    return unit_code + "."


def as_typed(code: str, unit_code: str) -> str:
    """A code Excel stored as a number, as the office typed it: «1273.046» → «01273.046» for unit 01273."""
    m = _AS_NUMBER.fullmatch(code)
    if m and unit_code.isdigit() and int(m.group(1)) == int(unit_code):
        return f"{unit_code}.{m.group(2)}"
    return code


def check_own_branches(
    tables: dict[str, Table], unit_code: str, units: Collection[str], file_name: str, findings: list[Finding]
) -> None:
    """Every code of every sheet keyed by «Mã chi bộ» read as typed (in place) and in the unit's own code space;
    a code of another unit (of `units`, the province's: the message names it), or of none, is an error at its
    cell."""
    space = own_space(unit_code)
    keyed = [t for t in tables.values() if t.frame is not None and "branch_code" in t.frame.columns]
    # A return's sheets are tens to hundreds of rows: plain Python lists, not a Polars call per row or rule.
    codes: dict[int, list[str | None]] = {}
    for k, t in enumerate(keyed):
        read = t.frame.get_column("branch_code").to_list()
        codes[k] = [c if c is None or c.startswith(space) else as_typed(c, unit_code) for c in read]
        if codes[k] != read:
            t.frame = t.frame.with_columns(pl.Series("branch_code", codes[k], dtype=pl.String))
    bad = {
        k: [i for i, c in enumerate(cs) if c is not None and not (c.startswith(space) and c != space)]
        for k, cs in codes.items()
    }
    if not any(bad.values()):
        return
    example = next_code([c for cs in codes.values() for c in cs if c and c.startswith(space)], space)
    for k, t in enumerate(keyed):
        rows = t.frame.get_column("excel_row").to_list() if bad[k] else []
        for i in bad[k]:
            code = codes[k][i]
            whose = as_typed(code, code.split(".")[0].zfill(5)).split(".")[0]  # «1279.001» is 01279's too
            other = f": đây là mã của một chi bộ thuộc đơn vị {whose}" if whose in units else ""
            findings.append(
                t.finding(
                    file_name,
                    f"Mã chi bộ «{code}» không thuộc đơn vị {unit_code}{other}. Mỗi chi bộ chỉ thuộc một đảng bộ: "
                    f"báo cáo của đơn vị chỉ ghi chi bộ của đơn vị, mã bắt đầu bằng «{space}» (chi bộ mới: mã tiếp "
                    f"theo, ví dụ «{example}»; chi bộ từ đơn vị khác chuyển về cũng đặt mã mới như vậy).",
                    rows[i],
                    "branch_code",
                    "foreign_branch",
                )
            )


def once_per_cell(findings: list[Finding]) -> list[Finding]:
    """The findings without «not on the branches sheet» for a code already refused as another unit's at that cell
    (any sheet keyed by «Mã chi bộ»: one message per cell, the one that says what to do)."""
    foreign = {(f.sheet, f.row) for f in findings if f.rule == "foreign_branch"}
    return [f for f in findings if not (f.rule == "unknown_branch" and (f.sheet, f.row) in foreign)]


def next_code(codes: list[str], space: str) -> str:
    """The code after the highest numbered one of the unit («01273.084»): the example of a message or of the
    template's instructions."""
    numbers = [int(c[len(space) :]) for c in codes if c[len(space) :].isdigit()]
    return f"{space}{max(numbers, default=0) + 1:03d}"
