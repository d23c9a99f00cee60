"""The annual return (one workbook per party committee per year): read → normalise → validate.

`parse_return` turns a workbook's bytes into three validated Polars frames (branches, committee members, village
heads) or raises `ReturnRejected` with every problem found, in Vietnamese, by sheet, Excel row and column."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Any

import dataframely as dy
import polars as pl

from etl.codes import label, labels, resolve
from etl.excel import Grid, col_letter, read_grids
from etl.findings import Finding, ReturnRejected
from etl.province import ProvinceConfig
from etl.schema import (
    BRANCHES,
    COMMITTEE,
    HEADS,
    INFO_FIELDS,
    MEMBER_COUNTS,
    RULE_MESSAGES,
    BranchSchema,
    Column,
    CommitteeSchema,
    HeadsSchema,
    SheetSpec,
    header_aliases,
)
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


@dataclass
class ParsedReturn:
    """A validated return, ready to be written to the store."""

    file_name: str
    sha256: str
    year: int
    unit_code: str
    committee_key: str  # what a re-load of the same return replaces (unit, or old unit before 2025)
    reported_name: str
    via: str
    encoding: str
    is_sample: bool
    branches: pl.DataFrame
    committee: pl.DataFrame
    heads: pl.DataFrame
    sheets_present: tuple[str, ...]
    warnings: list[Finding] = field(default_factory=list)


def parse_return(data: bytes, file_name: str, province: ProvinceConfig) -> ParsedReturn:
    """Read, normalise and validate one return; raise ReturnRejected listing every error."""
    result = parse_returns([(file_name, data)], province)[0]
    if isinstance(result, ReturnRejected):
        raise result
    return result


def parse_returns(items: list[tuple[str, bytes]], province: ProvinceConfig) -> list[ParsedReturn | ReturnRejected]:
    """Parse many returns, each on its own (a refused one refuses only itself), validating them in one pass per
    sheet: the schema checks cost the same for one workbook as for a hundred."""
    drafts: list[_Draft | ReturnRejected] = []
    for name, data in items:
        try:
            drafts.append(_prepare(data, name, province))
        except ReturnRejected as e:
            drafts.append(e)
    ok = [d for d in drafts if isinstance(d, _Draft)]
    for sheet, schema in (("branches", BranchSchema), ("committee", CommitteeSchema), ("heads", HeadsSchema)):
        for d, frame in zip(ok, _validate_batch(ok, sheet, schema)):
            d.valid[sheet] = frame
    return [d if isinstance(d, ReturnRejected) else _finish(d) for d in drafts]


@dataclass
class _Draft:
    """A return read and normalised, waiting for validation."""

    file_name: str
    sha256: str
    year: int
    res: object
    reported_name: str
    encoding: str
    is_sample: bool
    tables: dict[str, _Table]
    findings: list[Finding]
    valid: dict[str, pl.DataFrame] = field(default_factory=dict)


def _prepare(data: bytes, file_name: str, province: ProvinceConfig) -> _Draft:
    """Read and normalise one return (everything but the schema checks); raise ReturnRejected when it is unusable."""
    grids, encoding = read_grids(data, file_name)
    findings: list[Finding] = []
    if encoding == "tcvn3":
        findings.append(
            Finding(
                file_name,
                "Văn bản gõ bằng bảng mã TCVN3 (.VnTime) đã được chuyển sang Unicode.",
                rule="tcvn3",
                severity="warning",
            )
        )
    sheets = _find_sheets(grids)
    if "branches" not in sheets:
        names = ", ".join(f"«{n}»" for n in grids) or "không có trang nào"
        raise ReturnRejected(
            [
                Finding(
                    file_name,
                    f"Không có trang «{BRANCHES.name}» (tệp có: {names}). Hãy dùng biểu mẫu tải từ hệ thống.",
                    rule="missing_sheet",
                )
            ]
        )
    info_grid = sheets.get("info", sheets["branches"])
    info = _read_info(info_grid)
    is_sample = any("du lieu mau" in fold(str(v)) for r in info_grid.rows[:40] for v in r if isinstance(v, str))
    year = _parse_year(info.value("year"))
    if year is None:
        raise ReturnRejected(
            [
                info.finding(
                    file_name, "year", f"Không đọc được năm báo cáo (ghi «{_text(info.value('year')) or ''}»).", "year"
                )
            ]
        )
    res = province.resolve(_text(info.value("unit_code")), _text(info.value("unit_name")), year)
    if res.code is None:
        where = "unit_code" if _text(info.value("unit_code")) else "unit_name"
        raise ReturnRejected([info.finding(file_name, where, res.error, "unknown_unit")])
    if res.via == "old_name":
        findings.append(
            replace(
                info.finding(
                    file_name,
                    "unit_name",
                    f"Tên đơn vị cũ «{res.old_name}» được quy về "
                    f"{province.unit_by_code[res.code].full_name} (mã {res.code}).",
                    "crosswalk",
                ),
                severity="warning",
            )
        )

    tables: dict[str, _Table] = {}
    for spec in (BRANCHES, COMMITTEE, HEADS):
        grid = sheets.get(spec.key)
        if grid is None:
            findings.append(
                Finding(
                    file_name,
                    f"Không có trang «{spec.name}»: phần này coi như chưa báo cáo.",
                    rule="missing_sheet",
                    severity="warning",
                )
            )
            tables[spec.key] = _Table(spec, spec.name, None)
            continue
        tables[spec.key] = _read_table(grid, spec, file_name, year, res.code, findings)
    tables["committee"].frame = _committee_frame(tables["committee"].frame)
    return _Draft(
        file_name,
        hashlib.sha256(data).hexdigest(),
        year,
        res,
        _text(info.value("unit_name")) or "",
        encoding,
        is_sample,
        tables,
        findings,
    )


def _finish(d: _Draft) -> ParsedReturn | ReturnRejected:
    """Cross-sheet checks on the validated frames; the return, or its refusal."""
    _cross_checks(d.tables, d.valid["committee"], d.valid["heads"], d.file_name, d.year, d.findings)
    if any(f.severity == "error" for f in d.findings):
        return ReturnRejected(d.findings)
    res = d.res
    committee_key = res.code if res.via != "old_name" else f"{res.code}/{fold(res.old_name)}"
    return ParsedReturn(
        file_name=d.file_name,
        sha256=d.sha256,
        year=d.year,
        unit_code=res.code,
        committee_key=committee_key,
        reported_name=d.reported_name,
        via=res.via,
        encoding=d.encoding,
        is_sample=d.is_sample,
        branches=d.valid["branches"],
        committee=d.valid["committee"],
        heads=d.valid["heads"],
        sheets_present=tuple(k for k, t in d.tables.items() if t.frame is not None),
        warnings=d.findings,
    )


# ---------------------------------------------------------------------------------------------------- read


def _find_sheets(grids: dict[str, Grid]) -> dict[str, Grid]:
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
class _Info:
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


def _read_info(g: Grid) -> _Info:
    """Label → value pairs: a label cell, its value after a colon or in the next non-empty cell to the right."""
    out = _Info(g.name)
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


def _parse_year(v: Any) -> int | None:
    if isinstance(v, (int, float)) and float(v).is_integer() and 2000 <= v <= 2100:
        return int(v)
    m = re.fullmatch(r"\s*(?:năm\s*)?(\d{4})(?:\.0)?\s*", str(v or ""), re.I)
    return int(m.group(1)) if m and 2000 <= int(m.group(1)) <= 2100 else None


def _text(v: Any) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


@dataclass
class _Header:
    rows: tuple[int, ...]
    columns: dict[str, int]  # column key -> 0-based index

    @property
    def data_start(self) -> int:
        return self.rows[-1] + 1


def _locate_header(g: Grid, spec: SheetSpec) -> _Header | None:
    """The header row (or two rows, merged groups above names) that names most of the sheet's columns."""
    aliases = header_aliases(spec.key)
    best: _Header | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(g.rows))):
        one = _match_columns(g, (r,), aliases)
        if best is None or len(one) > len(best.columns):
            best = _Header((r,), one)
        if r + 1 < len(g.rows) and not any(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in g.rows[r + 1]
        ):
            two = _match_columns(g, (r, r + 1), aliases)
            if len(two) > max(len(one), len(best.columns)):
                best = _Header((r, r + 1), two)
    required = [c.key for c in spec.columns if c.required]
    if best is None or len([k for k in required if k in best.columns]) < max(2, len(required) // 2):
        return None
    return best


def _match_columns(g: Grid, rows: tuple[int, ...], aliases: dict[str, str]) -> dict[str, int]:
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


def _is_numbering_row(row: list[Any]) -> bool:
    """The row of column numbers under a header ('1 2 3 …' or '(1) (2) …') found in many official forms."""
    cells = [
        str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip() for v in row if v not in ("", None)
    ]
    if len(cells) < 5 or not all(re.fullmatch(r"\(?[0-9A-Za-z]{1,2}\)?|\(?\d+\s*[=+\-*].*\)?", c) for c in cells):
        return False
    nums = [int(re.sub(r"\D", "", c)) for c in cells if re.fullmatch(r"\(?\d{1,2}\)?", c)]
    return all(a < b for a, b in zip(nums, nums[1:]))


@dataclass
class _Table:
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


def _read_table(g: Grid, spec: SheetSpec, file_name: str, year: int, unit_code: str, findings: list[Finding]) -> _Table:
    """Parse the rows under the header into typed values (codes resolved), checking a «Tổng cộng» row."""
    hdr = _locate_header(g, spec)
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
        return _Table(spec, g.name, None)
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
    if start < len(g.rows) and _is_numbering_row(g.rows[start]):
        start += 1
    cols = [c for c in spec.columns if c.key in hdr.columns and c.kind != "ignore"]
    rows = _decode_columns(g, start, hdr.columns.values())
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
        if not _is_data_row(cells, cols):
            continue
        rec: dict[str, Any] = {"excel_row": i + 1}
        for c in cols:
            rec[c.key] = _cell(cells[c.key], c, file_name, g.name, i + 1, letters[c.key], findings)
        records.append(rec)
    if total is not None:
        _check_total(records, total, cols, hdr, file_name, g.name, findings)
    if not records:
        if spec is BRANCHES:
            findings.append(Finding(file_name, "Trang không có chi bộ nào.", sheet=g.name, rule="empty_sheet"))
        return _Table(spec, g.name, _empty(spec, year, unit_code), letters)
    df = pl.DataFrame(records, infer_schema_length=None)
    for c in spec.columns:
        if c.kind != "ignore" and c.key not in df.columns:
            df = df.with_columns(pl.lit(None).alias(c.key))
    df = df.with_columns(pl.lit(year).alias("year"), pl.lit(unit_code).alias("unit_code"))
    return _Table(spec, g.name, df, letters)


def _is_data_row(cells: dict[str, Any], cols: list[Column]) -> bool:
    """False for a section title («I. Chi bộ cơ sở»), a note or a signature line typed inside the table.

    A data row has a count, or a branch code and at least one other value, or a coded value the row's
    columns know; a row missing its code but holding such values is data (and is refused for the missing code)."""
    filled = [k for k, v in cells.items() if v not in ("", None)]
    if len(filled) <= 1 and all(c.kind != "int" for c in cols if c.key in filled):
        return False
    if any(c.kind == "int" for c in cols if c.key in filled) or cells.get("branch_code") not in ("", None):
        return True
    return any(c.kind == "code" and resolve(c.domain, str(cells[c.key])) for c in cols if c.key in filled)


def _decode_columns(g: Grid, start: int, columns) -> list[list[Any]]:
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


def _empty(spec: SheetSpec, year: int, unit_code: str) -> pl.DataFrame:
    cols = {c.key: pl.Series([], dtype=pl.String) for c in spec.columns if c.kind != "ignore"}
    return pl.DataFrame({**cols, "excel_row": pl.Series([], dtype=pl.Int32)}).with_columns(
        pl.lit(year).alias("year"), pl.lit(unit_code).alias("unit_code")
    )


_INT_TEXT = re.compile(r"[+-]?\d{1,3}(?:[.,]\d{3})+|[+-]?\d+|[+-]?\d+[.,]0+")


def _cell(v: Any, c: Column, file_name: str, sheet: str, row: int, col: str, findings: list[Finding]) -> Any:
    """One cell as its typed value; a problem becomes a finding and the value None."""
    empty = v is None or (isinstance(v, str) and v.strip() in ("", "-", "–"))
    if c.kind == "text":
        return None if empty else _text(v)
    if c.kind in ("int", "year"):
        if empty:
            return None if (c.required or c.key in ("resident_members", "training_year")) else 0
        if isinstance(v, bool):
            n = None
        elif isinstance(v, (int, float)):
            n = int(v) if float(v).is_integer() else None
        else:
            s = str(v).replace("\xa0", "").replace(" ", "")
            # Vietnamese writes 1.462 for one thousand four hundred sixty-two; counts never have decimals.
            n = int(re.sub(r"[.,]0+$", "", s).replace(".", "").replace(",", "")) if _INT_TEXT.fullmatch(s) else None
        if n is None:
            findings.append(
                Finding(
                    file_name,
                    f"«{v}» không phải là số nguyên.",
                    sheet=sheet,
                    row=row,
                    column=col,
                    field=c.header,
                    rule="not_integer",
                )
            )
        return n
    if c.kind == "code":
        if empty:
            if c.domain == "yes_no" and not c.required:
                return "khong"
            return None
        text = _text(v) or ""
        code = resolve(c.domain, text)
        if code is None:
            findings.append(
                Finding(
                    file_name,
                    f"Giá trị «{text}» không có trong danh mục. Giá trị hợp lệ: " + "; ".join(labels(c.domain)) + ".",
                    sheet=sheet,
                    row=row,
                    column=col,
                    field=c.header,
                    rule="unknown_code",
                )
            )
        return code
    return None


def _check_total(records, total, cols, hdr, file_name, sheet, findings) -> None:
    """A «Tổng cộng» row is checked against the rows above it and never loaded."""
    i, cells = total
    for c in cols:
        if c.kind != "int" or cells[c.key] in ("", None):
            continue
        scratch: list[Finding] = []
        stated = _cell(cells[c.key], c, file_name, sheet, i + 1, col_letter(hdr.columns[c.key]), scratch)
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


# ------------------------------------------------------------------------------------------------ normalise


def _committee_frame(df: pl.DataFrame | None) -> pl.DataFrame | None:
    if df is None:
        return None
    df = df.with_columns(trained=pl.col("training") == "da")
    # Rows without an anonymous id get one from their branch, role and order (never a name).
    seq = pl.int_range(pl.len()).over("branch_code", "role") + 1
    pid = pl.format("{}#{}#{}", pl.col("branch_code"), pl.col("role"), seq)
    return df.with_columns(person_id=pl.coalesce(pl.col("person_id").cast(pl.String), pid))


# In a batch, rows of the i-th return get excel_row + i * ROW_STRIDE and a key prefix, so that one schema pass
# keeps every return's rows (and its duplicate-code check) apart. ROW_STRIDE > MAX_ROWS_PER_SHEET.
ROW_STRIDE = 100_000
_KEY_OF = {"branches": "branch_code", "committee": "person_id", "heads": "branch_code"}
_PREFIX = 7  # "000042|"


def _cast(table: _Table, schema: type[dy.Schema]) -> pl.DataFrame | None:
    """The sheet's frame with the schema's columns and dtypes (values that do not fit become null)."""
    df = table.frame
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


def _validate_batch(drafts: list[_Draft], key: str, schema: type[dy.Schema]) -> list[pl.DataFrame]:
    """Apply the schema's rules to one sheet of every draft in one pass; failed rows become findings of their
    return; returns each draft's valid rows."""
    pk = _KEY_OF[key]
    casted = [_cast(d.tables[key], schema) for d in drafts]
    parts = [
        df.with_columns(
            pl.col("excel_row") + i * ROW_STRIDE, pl.format("{}|{}", pl.lit(f"{i:06d}"), pl.col(pk)).alias(pk)
        )
        for i, df in enumerate(casted)
        if df is not None and not df.is_empty()
    ]
    empty = schema.create_empty()  # dataframely builds it slowly: once per batch
    out = [empty if df is None else schema.cast(df) if df.is_empty() else None for df in casted]
    if not parts:
        return out
    valid, failure = schema.filter(pl.concat(parts), cast=False)
    restore = [(pl.col("excel_row") % ROW_STRIDE).cast(pl.Int32), pl.col(pk).str.slice(_PREFIX)]
    index = (pl.col("excel_row") // ROW_STRIDE).alias("_i")
    groups = valid.with_columns(index).with_columns(restore).partition_by("_i", as_dict=True, include_key=False)
    for i in range(len(casted)):
        if out[i] is None:
            out[i] = groups.get((i,), empty)
    if failure.counts():
        details = failure.details().with_columns(index).with_columns(restore)
        for i in sorted(set(details["_i"].to_list())):
            d = drafts[i]
            _report(details.filter(pl.col("_i") == i).drop("_i"), schema, d.tables[key], d.file_name, d.findings)
    return out


def _report(
    details: pl.DataFrame, schema: type[dy.Schema], table: _Table, file_name: str, findings: list[Finding]
) -> None:
    """Every failed rule of every row, as a Vietnamese finding."""
    # A cell already reported (not a number, unknown value) is empty now: don't report it twice.
    reported = {(f.sheet, f.row, f.column) for f in findings}
    for row in details.iter_rows(named=True):
        for rule, status in row.items():
            if status != "invalid" or rule in schema.columns():
                continue
            f = _rule_finding(rule, row, table, file_name, details)
            if not (rule.endswith("|nullability") and (f.sheet, f.row, f.column) in reported):
                findings.append(f)


# Schema columns computed from a sheet column: a finding names the column the user typed in.
_DERIVED_FROM = {"trained": "training"}


def _rule_finding(rule: str, row: dict, table: _Table, file_name: str, details: pl.DataFrame) -> Finding:
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


def _cross_checks(
    tables: dict[str, _Table],
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
