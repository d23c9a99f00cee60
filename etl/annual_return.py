"""The annual return (one workbook per party committee per year): read → normalise → validate.

`parse_return` turns a workbook's bytes into three validated Polars frames (branches, committee members, village
heads) or raises `ReturnRejected` with every problem found, in Vietnamese, by sheet, Excel row and column."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import dataframely as dy
import polars as pl

from etl.codes import code_list, label, labels, resolve
from etl.excel import Grid, col_letter, read_grids
from etl.findings import Finding, ReturnRejected
from etl.province import ProvinceConfig
from etl.schema import (BRANCHES, COMMITTEE, HEADS, INFO_FIELDS, MEMBER_COUNTS, RULE_MESSAGES, BranchSchema,
                        Column, CommitteeSchema, HeadsSchema, SheetSpec, header_aliases)
from etl.text import fold, key

HEADER_SEARCH_ROWS = 30
_TOTAL_WORDS = ("tong cong", "tong so", "cong", "tong")
_INFO_LABELS = {  # key(label) prefixes in «Thông tin» -> field
    "madonvi": "unit_code", "madangbo": "unit_code", "madv": "unit_code", "maso": "unit_code",
    "tendangbo": "unit_name", "tendonvi": "unit_name", "donvi": "unit_name", "dangbo": "unit_name",
    "nambaocao": "year", "nam": "year", "ngaylap": "report_date", "bophanlap": "prepared_by",
}


@dataclass
class ParsedReturn:
    """A validated return, ready to be written to the store."""

    file_name: str
    sha256: str
    year: int
    unit_code: str
    committee_key: str          # what a re-load of the same return replaces (unit, or old unit before 2025)
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
    grids, encoding = read_grids(data, file_name)
    findings: list[Finding] = []
    if encoding == "tcvn3":
        findings.append(Finding(file_name, "Văn bản gõ bằng bảng mã TCVN3 (.VnTime) đã được chuyển sang Unicode.",
                                rule="tcvn3", severity="warning"))
    sheets = _find_sheets(grids)
    if "branches" not in sheets:
        names = ", ".join(f"«{n}»" for n in grids) or "không có trang nào"
        raise ReturnRejected([Finding(file_name, f"Không có trang «{BRANCHES.name}» (tệp có: {names}). "
                                                 "Hãy dùng biểu mẫu tải từ hệ thống.", rule="missing_sheet")])
    info_grid = sheets.get("info", sheets["branches"])
    info = _read_info(info_grid)
    is_sample = any("du lieu mau" in fold(str(v)) for r in info_grid.rows[:40] for v in r if isinstance(v, str))
    year = _parse_year(info.get("year"))
    if year is None:
        raise ReturnRejected([Finding(file_name, f"Không đọc được năm báo cáo (ghi «{info.get('year', '')}»).",
                                      sheet=info_grid.name, field=INFO_FIELDS["year"], rule="year")])
    res = province.resolve(_text(info.get("unit_code")), _text(info.get("unit_name")), year)
    if res.code is None:
        raise ReturnRejected([Finding(file_name, res.error, sheet=info_grid.name, rule="unknown_unit")])
    if res.via == "old_name":
        findings.append(Finding(file_name, f"Tên đơn vị cũ «{res.old_name}» được quy về "
                                           f"{province.unit_by_code[res.code].full_name} (mã {res.code}).",
                                sheet=info_grid.name, rule="crosswalk", severity="warning"))

    frames = {}
    for spec in (BRANCHES, COMMITTEE, HEADS):
        grid = sheets.get(spec.key)
        if grid is None:
            findings.append(Finding(file_name, f"Không có trang «{spec.name}»: phần này coi như chưa báo cáo.",
                                    rule="missing_sheet", severity="warning"))
            frames[spec.key] = None
            continue
        frames[spec.key] = _read_table(grid, spec, file_name, year, res.code, findings)

    branches = _validate(frames["branches"], BranchSchema, BRANCHES, file_name, findings)
    committee = _validate(_committee_frame(frames["committee"]), CommitteeSchema, COMMITTEE, file_name, findings)
    heads = _validate(frames["heads"], HeadsSchema, HEADS, file_name, findings)
    _cross_checks(branches, committee, heads, file_name, year, findings)
    if any(f.severity == "error" for f in findings):
        raise ReturnRejected(findings)
    committee_key = res.code if res.via != "old_name" else f"{res.code}/{fold(res.old_name)}"
    return ParsedReturn(
        file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), year=year, unit_code=res.code,
        committee_key=committee_key, reported_name=_text(info.get("unit_name")) or "", via=res.via,
        encoding=encoding, is_sample=is_sample, branches=branches, committee=committee, heads=heads,
        sheets_present=tuple(k for k in ("branches", "committee", "heads") if frames.get(k) is not None),
        warnings=findings,
    )


# ---------------------------------------------------------------------------------------------------- read


def _find_sheets(grids: dict[str, Grid]) -> dict[str, Grid]:
    out: dict[str, Grid] = {}
    for name, g in grids.items():
        k = key(name)
        if "thongtin" in k:
            out.setdefault("info", g)
        elif "capuy" in k:
            out.setdefault("committee", g)
        elif "truongxom" in k or "doanthe" in k:
            out.setdefault("heads", g)
        elif k.startswith("chibo") or "danhsachchibo" in k:
            out.setdefault("branches", g)
    return out


def _read_info(g: Grid) -> dict[str, Any]:
    """Label → value pairs: a label cell, its value in the next non-empty cell to the right."""
    out: dict[str, Any] = {}
    for row in g.rows[:HEADER_SEARCH_ROWS]:
        for j, v in enumerate(row):
            if not isinstance(v, str) or not v.strip():
                continue
            k = key(v.split(":")[0])
            fld = next((f for p, f in _INFO_LABELS.items() if k.startswith(p)), None)
            if fld is None or fld in out:
                continue
            inline = v.split(":", 1)[1].strip() if ":" in v else ""
            value = inline or next((x for x in row[j + 1:] if x not in ("", None)), None)
            if value not in ("", None):
                out[fld] = value
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
    columns: dict[str, int]   # column key -> 0-based index

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
        if r + 1 < len(g.rows) and not any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in g.rows[r + 1]):
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
    cells = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip() for v in row if v not in ("", None)]
    if len(cells) < 5 or not all(re.fullmatch(r"\(?[0-9A-Za-z]{1,2}\)?|\(?\d+\s*[=+\-*].*\)?", c) for c in cells):
        return False
    nums = [int(re.sub(r"\D", "", c)) for c in cells if re.fullmatch(r"\(?\d{1,2}\)?", c)]
    return all(a < b for a, b in zip(nums, nums[1:]))


def _read_table(g: Grid, spec: SheetSpec, file_name: str, year: int, unit_code: str,
                findings: list[Finding]) -> pl.DataFrame | None:
    """Parse the rows under the header into typed values (codes resolved), checking a «Tổng cộng» row."""
    hdr = _locate_header(g, spec)
    if hdr is None:
        findings.append(Finding(file_name, "Không tìm thấy dòng tiêu đề của bảng (các cột "
                                + ", ".join(f"«{c.header}»" for c in spec.columns if c.required) + ").",
                                sheet=g.name, rule="no_header"))
        return None
    for c in spec.columns:
        if c.required and c.key not in hdr.columns:
            findings.append(Finding(file_name, f"Thiếu cột «{c.header}».", sheet=g.name, rule="missing_column"))
    for r in range(hdr.rows[0]):
        m = re.search(r"năm\s+(\d{4})", " ".join(str(v) for v in g.rows[r] if isinstance(v, str)), re.I)
        if m and int(m.group(1)) != year:
            findings.append(Finding(file_name, f"Tiêu đề trang ghi năm {m.group(1)} nhưng trang «Thông tin» ghi năm "
                                               f"{year}.", sheet=g.name, row=r + 1, rule="year_mismatch"))
    start = hdr.data_start
    if start < len(g.rows) and _is_numbering_row(g.rows[start]):
        start += 1
    cols = [c for c in spec.columns if c.key in hdr.columns and c.kind != "ignore"]
    records, total = [], None
    for i in range(start, len(g.rows)):
        row = g.rows[i]
        cells = {c.key: row[hdr.columns[c.key]] if hdr.columns[c.key] < len(row) else "" for c in cols}
        if all(v in ("", None) for v in cells.values()):
            continue
        lead = [row[j] for j in range(min(4, len(row))) if isinstance(row[j], str) and row[j].strip()]
        if lead and any(fold(lead[0]).startswith(w) for w in _TOTAL_WORDS) and not cells.get("branch_code"):
            total = (i, cells)
            break
        numbers = [cells[c.key] for c in cols if c.kind == "int" and cells[c.key] not in ("", None)]
        if cells.get("branch_code") in ("", None) and not numbers:
            continue  # a section title ("I. Chi bộ cơ sở") or a signature line, not a branch
        rec: dict[str, Any] = {"excel_row": i + 1}
        for c in cols:
            rec[c.key] = _cell(cells[c.key], c, file_name, g.name, i + 1, col_letter(hdr.columns[c.key]), findings)
        records.append(rec)
    if total is not None:
        _check_total(records, total, cols, hdr, file_name, g.name, findings)
    if not records:
        if spec is BRANCHES:
            findings.append(Finding(file_name, "Trang không có chi bộ nào.", sheet=g.name, rule="empty_sheet"))
        return _empty(spec, year, unit_code)
    df = pl.DataFrame(records, infer_schema_length=None)
    for c in spec.columns:
        if c.kind != "ignore" and c.key not in df.columns:
            df = df.with_columns(pl.lit(None).alias(c.key))
    return df.with_columns(pl.lit(year).alias("year"), pl.lit(unit_code).alias("unit_code"))


def _empty(spec: SheetSpec, year: int, unit_code: str) -> pl.DataFrame:
    cols = {c.key: pl.Series([], dtype=pl.String) for c in spec.columns if c.kind != "ignore"}
    return pl.DataFrame({**cols, "excel_row": pl.Series([], dtype=pl.Int32)}).with_columns(
        pl.lit(year).alias("year"), pl.lit(unit_code).alias("unit_code"))


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
            findings.append(Finding(file_name, f"«{v}» không phải là số nguyên.", sheet=sheet, row=row, column=col,
                                    field=c.header, rule="not_integer"))
        return n
    if c.kind == "code":
        if empty:
            if c.domain == "yes_no" and not c.required:
                return "khong"
            return None
        text = _text(v) or ""
        code = resolve(c.domain, text)
        if code is None:
            findings.append(Finding(file_name, f"Giá trị «{text}» không có trong danh mục. Giá trị hợp lệ: "
                                    + "; ".join(labels(c.domain)) + ".", sheet=sheet, row=row, column=col,
                                    field=c.header, rule="unknown_code"))
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
            findings.append(Finding(file_name, f"Dòng «Tổng cộng» ghi {stated} nhưng cộng các dòng được {summed}.",
                                    sheet=sheet, row=i + 1, column=col_letter(hdr.columns[c.key]), field=c.header,
                                    rule="total_mismatch"))


# ------------------------------------------------------------------------------------------------ normalise


def _committee_frame(df: pl.DataFrame | None) -> pl.DataFrame | None:
    if df is None:
        return None
    df = df.with_columns(trained=pl.col("training") == "da")
    # Rows without an anonymous id get one from their branch, role and order (never a name).
    seq = pl.int_range(pl.len()).over("branch_code", "role") + 1
    pid = pl.format("{}#{}#{}", pl.col("branch_code"), pl.col("role"), seq)
    return df.with_columns(person_id=pl.coalesce(pl.col("person_id").cast(pl.String), pid))


def _validate(df: pl.DataFrame | None, schema: type[dy.Schema], spec: SheetSpec, file_name: str,
              findings: list[Finding]) -> pl.DataFrame:
    """Cast to the schema and apply its rules; every failed row becomes a Vietnamese finding."""
    if df is None:
        return schema.create_empty()
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
    df = df.select(casts)
    if df.is_empty():
        return schema.cast(df)
    valid, failure = schema.filter(df, cast=False)
    if failure.counts():
        details = failure.details()
        letter = {c.key: c for c in spec.columns}
        for row in details.iter_rows(named=True):
            for rule, status in row.items():
                if status != "invalid" or rule in schema.columns():
                    continue
                findings.append(_rule_finding(rule, row, spec, letter, file_name, details))
    return valid


def _rule_finding(rule: str, row: dict, spec: SheetSpec, cols: dict[str, Column], file_name: str,
                  details: pl.DataFrame) -> Finding:
    column = rule.split("|")[0] if "|" in rule else {
        "members_add_up": "members", "resident_le_members": "resident_members",
        "village_has_resident": "resident_members", "admitted_le_members": "admitted",
        "training_year_not_after_report": "training_year", "primary_key": spec.columns[1].key}.get(rule, "")
    kind = rule.split("|")[1] if "|" in rule else rule
    values = {k: v for k, v in row.items() if not isinstance(v, str) or k in ("branch_code", "person_id")}
    if rule == "members_add_up":
        values["parts"] = " + ".join(str(row[k]) for k in MEMBER_COUNTS) + f" = {sum(row[k] or 0 for k in MEMBER_COUNTS)}"
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
    c = cols.get(column)
    return Finding(file_name, msg, sheet=spec.name, row=row.get("excel_row"), field=c.header if c else column,
                   rule=rule)


def _cross_checks(branches: pl.DataFrame, committee: pl.DataFrame, heads: pl.DataFrame, file_name: str, year: int,
                  findings: list[Finding]) -> None:
    """Rules across sheets: committee members and heads belong to a branch of the same return."""
    codes = set(branches["branch_code"].to_list())
    villages = set(branches.filter(pl.col("branch_type") == "xom")["branch_code"].to_list())
    for r in committee.filter(~pl.col("branch_code").is_in(list(codes))).iter_rows(named=True):
        findings.append(Finding(file_name, f"Mã chi bộ «{r['branch_code']}» không có trong trang «{BRANCHES.name}».",
                                sheet=COMMITTEE.name, row=r["excel_row"], field="Mã chi bộ", rule="unknown_branch"))
    dup = committee.filter(pl.col("role") == "bi_thu").group_by("branch_code").agg(pl.col("excel_row")).filter(
        pl.col("excel_row").list.len() > 1)
    for r in dup.iter_rows(named=True):
        findings.append(Finding(file_name, f"Chi bộ «{r['branch_code']}» có {len(r['excel_row'])} bí thư "
                                           f"(dòng {', '.join(map(str, sorted(r['excel_row'])))}).",
                                sheet=COMMITTEE.name, row=min(r["excel_row"]), field="Chức vụ", rule="two_secretaries"))
    for r in heads.filter(~pl.col("branch_code").is_in(list(villages))).iter_rows(named=True):
        findings.append(Finding(file_name, f"«{r['branch_code']}» không phải chi bộ xóm, tổ dân phố trong trang "
                                           f"«{BRANCHES.name}».", sheet=HEADS.name, row=r["excel_row"],
                                field="Mã chi bộ", rule="unknown_branch"))
    if year < 2025 and not branches.filter(pl.col("level") == "tt_cap_tren").is_empty():
        findings.append(Finding(file_name, f"Cấp «{label('level', 'tt_cap_tren')}» chỉ có từ tháng 7/2025; "
                                           f"năm {year} các chi bộ này thường là «{label('level', 'tt_co_so')}».",
                                sheet=BRANCHES.name, field="Cấp chi bộ", rule="level_before_reform",
                                severity="warning"))
