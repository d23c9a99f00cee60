"""Read a return's sheets: which sheet is which, the «Thông tin» fields, where a table's header is, and its rows."""

from __future__ import annotations

import operator
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from etl.annual_return.normalise import cell, empty_frame, is_number, type_column
from etl.annual_return.rows import (
    DATA_NOUN,
    Table,
    is_note,
    is_signature,
    is_total,
    looks_like_section,
    section_label,
    sheet_rows,
    subtotal_ref,
    texts_of,
)
from etl.annual_return.validate import Mark, check_totals
from etl.codes import resolve
from etl.excel import Grid
from etl.findings import Finding, col_letter
from etl.schema import (
    BRANCHES,
    INFO_FIELDS,
    RULE_MESSAGES,
    UNIT_FIELDS,
    Column,
    SheetSpec,
    UnitYearSchema,
    header_aliases,
)
from etl.text import decide_tcvn3, from_tcvn3, key, looks_tcvn3, to_unicode

HEADER_SEARCH_ROWS = 30
# A date line above a table ("Cao Bằng, ngày 15 tháng 01 năm 2024") names a year that is not the report's.
_DATE_PHRASE = re.compile(r"(?:ngày\s*\d{1,2}\s*)?tháng\s*\d{1,2}\s*năm\s*\d{4}", re.I)
_INFO_LABELS = {  # key(label) -> field; a label may go on with an explanation («Mã đơn vị (mã ĐVHC …)»)
    "madonvi": "unit_code",
    "madangbo": "unit_code",
    "madv": "unit_code",
    "maso": "unit_code",
    "tendangbo": "unit_name",
    "tendonvi": "unit_name",
    "donvibaocao": "unit_name",
    "donvi": "unit_name",
    "dangbo": "unit_name",
    "nambaocao": "year",
    "nam": "year",
    "ngaylap": "report_date",
    "bophanlap": "prepared_by",
    # the committee's own meeting fields (etl.schema.UNIT_FIELDS), from 2026
    "sothangdangbobiensoan": "materials_months",
    "sothangbiensoan": "materials_months",
    "biensoantailieu": "materials_months",
    "dadinhhuongnoidung": "thematic_orientation",
    "dinhhuongnoidungsinhhoatchuyende": "thematic_orientation",
}
_UNIT_KEYS = {c.key for c in UNIT_FIELDS}
# Short labels must be the whole label: «ĐẢNG BỘ TỈNH CAO BẰNG» heading a party document is not «Đảng bộ: …».
_WHOLE_LABEL = {"madv", "maso", "donvi", "dangbo", "nam"}


def find_sheets(grids: dict[str, Grid]) -> dict[str, Grid]:
    """Each sheet's role (info, branches, committee, heads, meetings, orgs) by its tab name, in the first sheet that has
    it."""
    out: dict[str, Grid] = {}
    for name, g in grids.items():
        for k in (key(name), key(from_tcvn3(name))):  # a tab renamed in TCVN3 reads «Th«ng tin», «Chi bé»
            role = (
                "orgs"
                if "tochuccoso" in k or "dangbocoso" in k
                else "meetings"
                if "sinhhoat" in k
                else "info"
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


def info_label(fld: str) -> str:
    """The label of a «Thông tin» field in the template."""
    return INFO_FIELDS.get(fld) or next(c.header for c in UNIT_FIELDS if c.key == fld)


@dataclass
class Info:
    """The «Thông tin» values by field, with the 0-based (row, column) of the cell each was read from."""

    sheet: str
    cells: dict[str, tuple[Any, int, int]] = field(default_factory=dict)

    def value(self, fld: str) -> Any:
        return self.cells.get(fld, (None, 0, 0))[0]

    def finding(self, file_name: str, fld: str, message: str, rule: str) -> Finding:
        name = info_label(fld).split(" (")[0]  # «Mã đơn vị», without the template's explanation
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
            whole = key(v.split(":")[0].split("(")[0])
            fld = next(
                (f for p, f in _INFO_LABELS.items() if (whole == p if p in _WHOLE_LABEL else k.startswith(p))), None
            )
            if fld is None or fld in out.cells:
                continue
            inline = v.split(":", 1)[1].strip() if ":" in v else ""
            if inline:
                out.cells[fld] = (inline, i, j)
            else:
                at = next((c for c in range(j + 1, len(row)) if row[c] not in ("", None)), None)
                if at is not None:
                    out.cells[fld] = (row[at], i, at)
                elif fld in _UNIT_KEYS:  # the label with its value left blank: a message names the cell beside it
                    out.cells[fld] = (None, i, j + 1)
            break
    return out


def read_unit_fields(info: Info, file_name: str, year: int, unit_code: str, findings: list[Finding]) -> pl.DataFrame:
    """The committee's own meeting fields of «Thông tin» (etl.schema.UNIT_FIELDS): one row when the return gives
    any of them or they are required (from their year), none otherwise; a blank required field, a value out of
    range or not understood is an error naming its cell."""
    values: dict[str, Any] = {}
    for c in UNIT_FIELDS:
        found: list[Finding] = []
        _, r, j = info.cells.get(c.key, (None, -1, 0))
        v = cell(info.value(c.key), c, file_name, info.sheet, r + 1, col_letter(j), found)
        findings.extend(found)  # (a value is only read beside a label: its cell is known)
        if not found and v is None and c.required_from is not None and year >= c.required_from:
            findings.append(
                info.finding(
                    file_name, c.key, RULE_MESSAGES["required_from"].format(year=c.required_from), "required_from"
                )
            )
        if c.key == "materials_months" and v is not None and not 0 <= v <= 12:
            findings.append(
                info.finding(file_name, c.key, f"Số tháng phải từ 0 đến 12 (ghi {v}).", "materials_months_range")
            )
            v = None
        values[c.key] = v
    if all(v is None for v in values.values()):
        return UnitYearSchema.create_empty()
    row = {
        "year": year,
        "unit_code": unit_code,
        **{k: (v == "co" if isinstance(v, str) else v) for k, v in values.items()},
    }
    return UnitYearSchema.cast(pl.DataFrame([row]))


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
    aliases = header_aliases(spec)
    every = len(set(aliases.values()))  # a header that names every column: no later row can name more
    best: Header | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(g.rows))):
        if best is not None and len(best.columns) == every:
            break
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
    out: dict[str, int] = {}
    if len(rows) == 1:  # each cell's text alone (every row of a sheet's top is tried: the quick way)
        for j, v in enumerate(g.rows[rows[0]]):
            text = v if v.__class__ is str else "" if v is None else str(v)
            k = aliases.get(key(text)) if text.strip() else None
            if k:
                out.setdefault(k, j)
        return out
    top = [str(v) if v not in (None, "") else "" for v in g.rows[rows[0]]]
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


def read_table(g: Grid, spec: SheetSpec, file_name: str, year: int, unit_code: str, findings: list[Finding]) -> Table:
    """Parse the rows under the header into typed values (codes resolved). Every other non-empty row is
    recognised (rows.py) — subtotals and totals checked against the rows they sum — or reported as an error."""
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
        unread = sum(1 for r in g.rows if _filled(r))
        return Table(spec, g.name, None, rows=sheet_rows(file_name, g.name, spec.key, {"unknown": unread}))
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
    kinds: Counter[str] = Counter()
    kinds["title"] = sum(1 for r in g.rows[: hdr.rows[0]] if _filled(r))
    kinds["header"] = sum(1 for r in hdr.rows if _filled(g.rows[r]))
    start = hdr.data_start
    while start < len(g.rows) and not _filled(g.rows[start]):  # a header merged down over an empty row
        start += 1
    if start < len(g.rows) and is_numbering_row(g.rows[start]):
        kinds["numbering"] += 1
        start += 1
    cols = [c for c in spec.columns if c.key in hdr.columns and c.kind != "ignore"]
    rows = decode_columns(g, start, hdr.columns.values())
    sheet = _Sheet(g, spec, hdr, cols)
    at_col = [(c.key, hdr.columns[c.key]) for c in cols]  # each column's cell of a row, quickly
    keys = [k for k, _ in at_col]
    widest = max((j for _, j in at_col), default=-1)
    pick = operator.itemgetter(*[j for _, j in at_col]) if len(at_col) > 1 else lambda r: [r[j] for _, j in at_col]
    raw: dict[str, list[Any]] = {c.key: [] for c in cols}  # the data rows' cells as read, by column
    excel_rows: list[int] = []
    at: list[int] = []  # where each data row's cell findings go in `findings` (as if reported while reading it)
    marks: list[Mark] = []
    zone = ""  # "signature" or "note" once such a row is read: the text-only rows after it belong to it
    for i in range(start, len(rows)):
        row = rows[i]
        if not _filled(row):
            continue
        cells = (
            dict(zip(keys, pick(row))) if len(row) > widest else {k: row[j] if j < len(row) else "" for k, j in at_col}
        )
        kind, lead = sheet.kind(i, row, cells, zone)
        kinds["subtotal" if kind == "group_sums" else kind] += 1
        if kind == "data":
            zone = ""
            excel_rows.append(i + 1)
            at.append(len(findings))
            for c in cols:
                raw[c.key].append(cells[c.key])
        elif kind in ("signature", "note"):
            zone = "signature" if kind == "signature" else zone or "note"
        elif kind == "unknown":
            findings.append(sheet.unknown(file_name, i, row))
        else:
            zone = ""
            if kind in ("section", "subtotal", "total", "group_sums"):
                marks.append(Mark(i, kind, lead, cells, sheet.title(row)))
    typed = _type_columns(raw, cols, excel_rows, at, file_name, g.name, letters, findings)
    records = [dict(zip(typed, r)) for r in zip(*typed.values())] if marks else []
    check_totals(records, marks, cols, letters, file_name, g.name, DATA_NOUN[spec.key], findings)
    summary = sheet_rows(file_name, g.name, spec.key, kinds)
    if not excel_rows:
        if spec is BRANCHES:
            findings.append(Finding(file_name, "Trang không có chi bộ nào.", sheet=g.name, rule="empty_sheet"))
        return Table(spec, g.name, empty_frame(spec, year, unit_code), letters, summary)
    df = _frame(typed, cols)
    missing = [pl.lit(None).alias(c.key) for c in spec.columns if c.kind != "ignore" and c.key not in typed]
    df = df.with_columns(*missing, pl.lit(year).alias("year"), pl.lit(unit_code).alias("unit_code"))
    return Table(spec, g.name, df, letters, summary)


def _type_columns(
    raw: dict[str, list[Any]],
    cols: list[Column],
    excel_rows: list[int],
    at: list[int],
    file_name: str,
    sheet: str,
    letters: dict[str, str],
    findings: list[Finding],
) -> dict[str, list[Any]]:
    """The data rows typed column by column («excel_row» first, then the columns in order). The findings of their
    cells go where reading row by row put them: after what was reported before the row was read, a row's cells
    in column order."""
    typed: dict[str, list[Any]] = {"excel_row": excel_rows}
    by_row: dict[int, list[Finding]] = {}
    for c in cols:
        typed[c.key], found = type_column(raw[c.key], c, excel_rows, file_name, sheet, letters[c.key])
        for j, f in found:
            by_row.setdefault(j, []).append(f)
    for j in sorted(by_row, reverse=True):  # from the last, so that the earlier places stay where they are
        findings[at[j] : at[j]] = by_row[j]
    return typed


_I64 = (-(2**63), 2**63)


def _frame(typed: dict[str, list[Any]], cols: list[Column]) -> pl.DataFrame:
    """The typed columns as a frame, with the dtypes Polars infers from the rows as dicts."""
    ints = [c.key for c in cols if c.kind in ("int", "year")]
    if any(v is not None and not _I64[0] <= v < _I64[1] for k in ints for v in typed[k]):
        # A count of 20 digits typed as text: rows as dicts make it Int128 (a column of lists would refuse it).
        return pl.DataFrame([dict(zip(typed, r)) for r in zip(*typed.values())], infer_schema_length=None)
    return pl.DataFrame(typed)


def _filled(row: list[Any]) -> bool:
    """Whether any cell of the row holds something (`_has`, without a call per cell)."""
    for v in row:
        if v.__class__ is str:
            if v.strip():
                return True
        elif v is not None and not (isinstance(v, str) and not v.strip()):
            return True
    return False


def _has(v: Any) -> bool:
    return v not in ("", None) and not (isinstance(v, str) and not v.strip())


@dataclass
class _Sheet:
    """What a table sheet's columns are, to tell one row's kind."""

    g: Grid
    spec: SheetSpec
    hdr: Header
    cols: list[Column]

    def __post_init__(self) -> None:
        self.first_col = min(self.hdr.columns.values())
        self.ids = [k for k in ("branch_code", "person_id", "org_code") if k in self.hdr.columns]
        ignored = {c.key for c in self.spec.columns if c.kind == "ignore"}
        self.ignored = {j for k, j in self.hdr.columns.items() if k in ignored}
        self.wide = {r0 for (r0, c0), (_, c1) in self.g.merged if c1 - c0 >= 2}  # rows a title is merged across

    def kind(self, i: int, row: list[Any], cells: dict[str, Any], zone: str) -> tuple[str, str]:
        """The row's kind (rows.KINDS, or "group_sums" for a section title that carries its group's sums) and the
        text it is known by (its first text cell)."""
        ids = [str(cells[k]) for k in self.ids if _has(cells[k])]
        # A code has digits (the usual row: decided here); a name or a title typed in the code column has none.
        if any(ch.isdigit() for s in ids for ch in s):
            return "data", ""
        counts = any(c.kind == "int" and is_number(cells[c.key]) for c in self.cols)
        if ids and (counts or zone != "signature" and sum(1 for v in cells.values() if _has(v)) > len(ids)):
            return "data", ""  # text in the code column alone in its row (or in the signature block) is no data
        texts = texts_of(row)
        lead = next((v for j, v in texts if self.first_col <= j < self.first_col + 4), texts[0][1] if texts else "")
        if not ids and lead and is_total(lead):
            return "total", lead
        if not ids and lead and subtotal_ref(lead) is not None:
            return "subtotal", lead
        if counts:
            label, _ = section_label(lead) if lead else (None, "")
            if label is not None and label.style in ("roman", "letter"):
                return "group_sums", lead
            return "data", lead
        filled = [j for j, v in enumerate(row) if _has(v)]
        if set(filled) <= self.ignored and all(is_number(row[j]) for j in filled):
            return "blank", lead
        if zone == "signature" or is_signature([v for _, v in texts]):
            return "signature", lead
        if (lead and is_note(lead)) or zone == "note":
            return "note", lead
        if any(c.kind == "code" and resolve(c.domain, str(cells[c.key])) for c in self.cols if _has(cells[c.key])):
            return "data", lead
        if lead and looks_like_section(lead, i in self.wide):
            return "section", lead
        if len(match_columns(self.g, (i,), header_aliases(self.spec))) >= max(3, len(self.hdr.columns) // 2):
            return "header", lead
        return "unknown", lead

    def title(self, row: list[Any]) -> str:
        """The text of a title, subtotal or total row as read across its first columns."""
        return " ".join(v.strip() for j, v in texts_of(row) if self.first_col <= j < self.first_col + 4)

    def unknown(self, file_name: str, i: int, row: list[Any]) -> Finding:
        """A row that is none of the known kinds; its text is not quoted (it may be a person's name)."""
        j = next(j for j, v in enumerate(row) if _has(v))
        key = next((k for k, c in self.hdr.columns.items() if c == j), "")
        noun = DATA_NOUN[self.spec.key]
        return Finding(
            file_name,
            f"Dòng này có chữ nhưng không có mã và số liệu của {noun}, cũng không phải tiêu đề nhóm, dòng cộng, "
            f"ghi chú hay phần ký tên. Nếu là {noun}, hãy ghi đủ mã và số liệu; nếu không, hãy xoá dòng này "
            "hoặc ghi «Ghi chú:» ở đầu dòng.",
            sheet=self.g.name,
            row=i + 1,
            column=col_letter(j),
            field=self.spec.col(key).header if key else "",
            rule="unknown_row",
        )


def decode_columns(g: Grid, start: int, columns) -> list[list[Any]]:
    """The grid's rows, with every table column that was typed in TCVN3 decoded as a whole.

    In the app's Unicode template a user on a .VnTime machine types TCVN3 under Unicode headers: cell by cell,
    short words such as «Cã» (Có) or «Chi bé xãm Co» prove nothing, but one column is typed by one hand."""
    if not g.raw or not g.tcvn3_text:
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
