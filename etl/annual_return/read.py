"""Read a return's sheets: which sheet is which, the «Thông tin» fields, where a table's header is, and its rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from etl.annual_return.normalise import cell, empty_frame
from etl.annual_return.validate import check_total
from etl.codes import resolve
from etl.excel import Grid, col_letter
from etl.findings import Finding
from etl.schema import BRANCHES, INFO_FIELDS, Column, SheetSpec, header_aliases
from etl.text import decide_tcvn3, fold, from_tcvn3, key, looks_tcvn3, to_unicode

HEADER_SEARCH_ROWS = 30
_TOTAL_WORDS = ("tong cong", "tong so", "cong", "tong")
# A date line above a table ("Cao Bằng, ngày 15 tháng 01 năm 2024") names a year that is not the report's.
_DATE_PHRASE = re.compile(r"(?:ngày\s*\d{1,2}\s*)?tháng\s*\d{1,2}\s*năm\s*\d{4}", re.I)
_INFO_LABELS = {  # key(label) prefixes in «Thông tin» -> field
    "madonvi": "unit_code",
    "madangbo": "unit_code",
    "madv": "unit_code",
    "maso": "unit_code",
    "tendangbo": "unit_name",
    "tendonvi": "unit_name",
    "donvi": "unit_name",
    "dangbo": "unit_name",
    "nambaocao": "year",
    "nam": "year",
    "ngaylap": "report_date",
    "bophanlap": "prepared_by",
}


def find_sheets(grids: dict[str, Grid]) -> dict[str, Grid]:
    """Each sheet's role (info, branches, committee, heads) by its tab name, in the first sheet that has it."""
    out: dict[str, Grid] = {}
    for name, g in grids.items():
        for k in (key(name), key(from_tcvn3(name))):  # a tab renamed in TCVN3 reads «Th«ng tin», «Chi bé»
            role = (
                "info"
                if "thongtin" in k
                else "committee"
                if "capuy" in k
                else "heads"
                if "truongxom" in k or "doanthe" in k
                else "branches"
                if k.startswith("chibo") or "danhsachchibo" in k
                else None
            )
            if role:
                out.setdefault(role, g)
                break
    return out


@dataclass
class Info:
    """The «Thông tin» values by field, with the 0-based (row, column) of the cell each was read from."""

    sheet: str
    cells: dict[str, tuple[Any, int, int]] = field(default_factory=dict)

    def value(self, fld: str) -> Any:
        return self.cells.get(fld, (None, 0, 0))[0]

    def finding(self, file_name: str, fld: str, message: str, rule: str) -> Finding:
        name = INFO_FIELDS[fld].split(" (")[0]  # «Mã đơn vị», without the template's explanation
        if fld not in self.cells:
            return Finding(file_name, message, sheet=self.sheet, field=name, rule=rule)
        _, r, c = self.cells[fld]
        return Finding(file_name, message, sheet=self.sheet, row=r + 1, column=col_letter(c), field=name, rule=rule)


def read_info(g: Grid) -> Info:
    """Label → value pairs: a label cell, its value after a colon or in the next non-empty cell to the right."""
    out = Info(g.name)
    for i, row in enumerate(g.rows[:HEADER_SEARCH_ROWS]):
        for j, v in enumerate(row):
            if not isinstance(v, str) or not v.strip():
                continue
            k = key(v.split(":")[0])
            fld = next((f for p, f in _INFO_LABELS.items() if k.startswith(p)), None)
            if fld is None or fld in out.cells:
                continue
            inline = v.split(":", 1)[1].strip() if ":" in v else ""
            if inline:
                out.cells[fld] = (inline, i, j)
            else:
                at = next((c for c in range(j + 1, len(row)) if row[c] not in ("", None)), None)
                if at is not None:
                    out.cells[fld] = (row[at], i, at)
            break
    return out


@dataclass
class Header:
    """Where a table's header is: its 0-based row(s) and the column of each column key."""

    rows: tuple[int, ...]
    columns: dict[str, int]  # column key -> 0-based index

    @property
    def data_start(self) -> int:
        return self.rows[-1] + 1


def locate_header(g: Grid, spec: SheetSpec) -> Header | None:
    """The header row (or two rows, merged groups above names) that names most of the sheet's columns."""
    aliases = header_aliases(spec.key)
    best: Header | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(g.rows))):
        one = match_columns(g, (r,), aliases)
        if best is None or len(one) > len(best.columns):
            best = Header((r,), one)
        if r + 1 < len(g.rows) and not any(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in g.rows[r + 1]
        ):
            two = match_columns(g, (r, r + 1), aliases)
            if len(two) > max(len(one), len(best.columns)):
                best = Header((r, r + 1), two)
    required = [c.key for c in spec.columns if c.required]
    if best is None or len([k for k in required if k in best.columns]) < max(2, len(required) // 2):
        return None
    return best


def match_columns(g: Grid, rows: tuple[int, ...], aliases: dict[str, str]) -> dict[str, int]:
    """Column key -> index for the header in `rows` (one row, or a group row above a row of names)."""
    top = [str(v) if v not in (None, "") else "" for v in g.rows[rows[0]]]
    if len(rows) == 1:
        cands = [[t] for t in top]
    else:
        sub = [str(v) if v not in (None, "") else "" for v in g.rows[rows[1]]]
        group = list(top)
        spans = [(c0, c1) for (r0, c0), (r1, c1) in g.merged if r0 == rows[0] and c1 > c0]
        for c0, c1 in spans:
            for j in range(c0 + 1, min(c1 + 1, len(group))):
                group[j] = top[c0]
        if not spans:  # no merge information (.csv, some .xls): carry a group title over its sub-headers
            for j in range(1, len(group)):
                if not group[j] and sub[j] and group[j - 1] and sub[j - 1]:
                    group[j] = group[j - 1]
        cands = [[f"{gr} {s}", s] if s else [gr] for gr, s in zip(group, sub)]
    out: dict[str, int] = {}
    for j, options in enumerate(cands):
        for text in options:
            k = aliases.get(key(text)) if text.strip() else None
            if k:
                out.setdefault(k, j)
                break
    return out


def is_numbering_row(row: list[Any]) -> bool:
    """The row of column numbers under a header ('1 2 3 …' or '(1) (2) …') found in many official forms."""
    cells = [
        str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip() for v in row if v not in ("", None)
    ]
    if len(cells) < 5 or not all(re.fullmatch(r"\(?[0-9A-Za-z]{1,2}\)?|\(?\d+\s*[=+\-*].*\)?", c) for c in cells):
        return False
    nums = [int(re.sub(r"\D", "", c)) for c in cells if re.fullmatch(r"\(?\d{1,2}\)?", c)]
    return all(a < b for a, b in zip(nums, nums[1:]))


@dataclass
class Table:
    """One sheet as read: its typed rows (None if the sheet is missing), the sheet's own name and the Excel
    column letter of each column found, so that later checks can name the cell."""

    spec: SheetSpec
    sheet: str
    frame: pl.DataFrame | None
    letters: dict[str, str] = field(default_factory=dict)

    def finding(
        self, file_name: str, message: str, row: int | None, column: str, rule: str, severity: str = "error"
    ) -> Finding:
        header = next((c.header for c in self.spec.columns if c.key == column), column)
        return Finding(
            file_name,
            message,
            sheet=self.sheet,
            row=row,
            column=self.letters.get(column, ""),
            field=header,
            rule=rule,
            severity=severity,
        )


def read_table(g: Grid, spec: SheetSpec, file_name: str, year: int, unit_code: str, findings: list[Finding]) -> Table:
    """Parse the rows under the header into typed values (codes resolved), checking a «Tổng cộng» row."""
    hdr = locate_header(g, spec)
    if hdr is None:
        findings.append(
            Finding(
                file_name,
                "Không tìm thấy dòng tiêu đề của bảng (các cột "
                + ", ".join(f"«{c.header}»" for c in spec.columns if c.required)
                + ").",
                sheet=g.name,
                rule="no_header",
            )
        )
        return Table(spec, g.name, None)
    letters = {k: col_letter(j) for k, j in hdr.columns.items()}
    for c in spec.columns:
        if c.required and c.key not in hdr.columns:
            findings.append(Finding(file_name, f"Thiếu cột «{c.header}».", sheet=g.name, rule="missing_column"))
    for r in range(hdr.rows[0]):
        for j, v in enumerate(g.rows[r]):
            m = re.search(r"năm\s+(\d{4})", _DATE_PHRASE.sub("", v), re.I) if isinstance(v, str) else None
            if m and int(m.group(1)) != year:
                findings.append(
                    Finding(
                        file_name,
                        f"Tiêu đề trang ghi năm {m.group(1)} nhưng trang «Thông tin» ghi năm {year}.",
                        sheet=g.name,
                        row=r + 1,
                        column=col_letter(j),
                        rule="year_mismatch",
                    )
                )
    start = hdr.data_start
    if start < len(g.rows) and is_numbering_row(g.rows[start]):
        start += 1
    cols = [c for c in spec.columns if c.key in hdr.columns and c.kind != "ignore"]
    rows = decode_columns(g, start, hdr.columns.values())
    first_col = min(hdr.columns.values())
    records, total = [], None
    for i in range(start, len(rows)):
        row = rows[i]
        cells = {c.key: row[hdr.columns[c.key]] if hdr.columns[c.key] < len(row) else "" for c in cols}
        if all(v in ("", None) for v in cells.values()):
            continue
        lead = [v for v in row[first_col : first_col + 4] if isinstance(v, str) and v.strip()]
        if lead and any(fold(lead[0]).startswith(w) for w in _TOTAL_WORDS) and not cells.get("branch_code"):
            total = (i, cells)
            break
        if not is_data_row(cells, cols):
            continue
        rec: dict[str, Any] = {"excel_row": i + 1}
        for c in cols:
            rec[c.key] = cell(cells[c.key], c, file_name, g.name, i + 1, letters[c.key], findings)
        records.append(rec)
    if total is not None:
        check_total(records, total, cols, hdr, file_name, g.name, findings)
    if not records:
        if spec is BRANCHES:
            findings.append(Finding(file_name, "Trang không có chi bộ nào.", sheet=g.name, rule="empty_sheet"))
        return Table(spec, g.name, empty_frame(spec, year, unit_code), letters)
    df = pl.DataFrame(records, infer_schema_length=None)
    for c in spec.columns:
        if c.kind != "ignore" and c.key not in df.columns:
            df = df.with_columns(pl.lit(None).alias(c.key))
    df = df.with_columns(pl.lit(year).alias("year"), pl.lit(unit_code).alias("unit_code"))
    return Table(spec, g.name, df, letters)


def is_data_row(cells: dict[str, Any], cols: list[Column]) -> bool:
    """False for a section title («I. Chi bộ cơ sở»), a note or a signature line typed inside the table.

    A data row has a count, or a branch code and at least one other value, or a coded value the row's
    columns know; a row missing its code but holding such values is data (and is refused for the missing code)."""
    filled = [k for k, v in cells.items() if v not in ("", None)]
    if len(filled) <= 1 and all(c.kind != "int" for c in cols if c.key in filled):
        return False
    if any(c.kind == "int" for c in cols if c.key in filled) or cells.get("branch_code") not in ("", None):
        return True
    return any(c.kind == "code" and resolve(c.domain, str(cells[c.key])) for c in cols if c.key in filled)


def decode_columns(g: Grid, start: int, columns) -> list[list[Any]]:
    """The grid's rows, with every table column that was typed in TCVN3 decoded as a whole.

    In the app's Unicode template a user on a .VnTime machine types TCVN3 under Unicode headers: cell by cell,
    short words such as «Cã» (Có) or «Chi bé xãm Co» prove nothing, but one column is typed by one hand."""
    if not g.raw:
        return g.rows
    # Only a table holding some TCVN3-only character can have a column to decode (the usual case: none).
    if not any(looks_tcvn3(v) for v in {v for r in g.raw[start:] for v in r if isinstance(v, str) and not v.isascii()}):
        return g.rows
    rows = g.rows
    for j in columns:
        texts = [r[j] for r in g.raw[start:] if j < len(r) and isinstance(r[j], str) and r[j].strip()]
        if not decide_tcvn3(texts):
            continue
        if rows is g.rows:
            rows = [list(r) for r in g.rows]
        for i in range(start, len(rows)):
            v = g.raw[i][j] if j < len(g.raw[i]) else None
            if isinstance(v, str):
                rows[i][j] = to_unicode(v, True)
    return rows
