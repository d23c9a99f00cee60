"""The annual return (one workbook per party committee per year): read → normalise → validate → cross-check.

`parse_return` turns a workbook's bytes into validated Polars frames (branches, committee members, village heads
and, from 2026 or where a return has it, the branches' meetings and the committee's own meeting fields; where a
return has it, the đảng bộ between the committee and its branches) or raises
`ReturnRejected` with every problem found, in Vietnamese, by sheet, Excel row and column.

The verbs live in their own modules: `read` (sheets, «Thông tin», header, rows), `normalise` (cells to typed
values), `validate` (the schema rules of a batch of returns and their findings), `crosscheck` (rules across
sheets), `tree` (the organisation tree: parents, cycles, levels)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection
from dataclasses import dataclass, field, replace

import polars as pl

from etl.annual_return.branch_codes import check_own_branches, once_per_cell
from etl.annual_return.crosscheck import cross_checks, meeting_checks
from etl.annual_return.normalise import committee_frame, meetings_frame, parse_year, text
from etl.annual_return.read import find_sheets, read_info, read_table, read_unit_fields
from etl.annual_return.rows import SheetRows, Table
from etl.annual_return.tree import branch_parents, check_tree
from etl.annual_return.validate import validate_batch, year_refusal
from etl.excel import read_grids
from etl.findings import Finding, ReturnRejected
from etl.province import ProvinceConfig
from etl.schema import (
    BRANCHES,
    COMMITTEE,
    HEADS,
    INFO_FIELDS,
    ORGS,
    BranchParentSchema,
    BranchSchema,
    CommitteeSchema,
    HeadsSchema,
    MeetingSchema,
    OrgSchema,
    SheetSpec,
    UnitYearSchema,
    meetings_sheet,
)
from etl.settings import MAX_CODE_CHARS, MAX_NAME_CHARS
from etl.text import fold, too_long

__all__ = ["ParsedReturn", "parse_return", "parse_returns"]

_log = logging.getLogger(__name__)
INTERNAL_ERROR = (
    "Hệ thống gặp lỗi khi kiểm tra tệp này nên không nạp tệp. Đây không phải lỗi của tệp: hãy gửi tệp cho người "
    "quản trị để sửa."
)


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
    # The branches' meetings (sheet «Sinh hoạt chi bộ») and the committee's own meeting fields («Thông tin»): no
    # rows when the return does not have them (required from etl.schema.MEETINGS_FROM).
    meetings: pl.DataFrame = field(default_factory=MeetingSchema.create_empty)
    unit_year: pl.DataFrame = field(default_factory=UnitYearSchema.create_empty)
    # The đảng bộ cơ sở and đảng bộ bộ phận (sheet «Tổ chức cơ sở đảng»): no rows when the return does not have it.
    orgs: pl.DataFrame = field(default_factory=OrgSchema.create_empty)
    parents: pl.DataFrame = field(default_factory=BranchParentSchema.create_empty)  # the branches that name one
    rows: tuple[SheetRows, ...] = ()  # what was read of each table sheet, row by row (the load's summary)
    # Where the tables are in the file (sheet name and column letters by table), for messages of later checks.
    sheet_names: dict[str, str] = field(default_factory=dict)
    letters: dict[str, dict[str, str]] = field(default_factory=dict)


def parse_return(
    data: bytes, file_name: str, province: ProvinceConfig, allowed_years: Collection[int] | None = None
) -> ParsedReturn:
    """Read, normalise and validate one return; raise ReturnRejected listing every error."""
    result = parse_returns([(file_name, data)], province, allowed_years)[0]
    if isinstance(result, ReturnRejected):
        raise result
    return result


def parse_returns(
    items: list[tuple[str, bytes]], province: ProvinceConfig, allowed_years: Collection[int] | None = None
) -> list[ParsedReturn | ReturnRejected]:
    """Parse many returns, each on its own (a refused one refuses only itself), validating them in one pass per
    sheet: the schema checks cost the same for one workbook as for a hundred.

    `allowed_years`: the reporting periods open (None: any year up to the current one); a return for another
    year is refused."""
    drafts: list[_Draft | ReturnRejected] = []
    for name, data in items:
        try:
            drafts.append(_prepare(data, name, province, allowed_years))
        except ReturnRejected as e:
            drafts.append(e)
        except Exception:  # a fault of ours on an input nobody foresaw: refuse the file in words, not a traceback
            _log.debug("parsing %s failed", name, exc_info=True)
            drafts.append(ReturnRejected([Finding(name, INTERNAL_ERROR, rule="internal_error")]))
    ok = [d for d in drafts if isinstance(d, _Draft)]
    schemas = (
        ("branches", BranchSchema),
        ("committee", CommitteeSchema),
        ("heads", HeadsSchema),
        ("meetings", MeetingSchema),
        ("orgs", OrgSchema),
    )
    for sheet, schema in schemas:
        for d, frame in zip(ok, validate_batch([(d.tables[sheet], d.file_name, d.findings) for d in ok], schema)):
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
    tables: dict[str, Table]
    findings: list[Finding]
    is_commune: bool
    unit_year: pl.DataFrame
    valid: dict[str, pl.DataFrame] = field(default_factory=dict)


def _prepare(data: bytes, file_name: str, province: ProvinceConfig, allowed_years: Collection[int] | None) -> _Draft:
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
    sheets = find_sheets(grids)
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
    info = read_info(info_grid)
    is_sample = any("du lieu mau" in fold(str(v)) for r in info_grid.rows[:40] for v in r if isinstance(v, str))
    for fld, limit in (("unit_code", MAX_CODE_CHARS), ("unit_name", MAX_NAME_CHARS)):
        if len(typed := text(info.value(fld)) or "") > limit:
            where = INFO_FIELDS[fld].split(" (")[0].lower()
            raise ReturnRejected([info.finding(file_name, fld, too_long(typed, limit, f"ô {where}"), "text_too_long")])
    year = parse_year(info.value("year"))
    if year is None:
        raise ReturnRejected(
            [
                info.finding(
                    file_name, "year", f"Không đọc được năm báo cáo (ghi «{text(info.value('year')) or ''}»).", "year"
                )
            ]
        )
    refusal = year_refusal(year, allowed_years)
    if refusal:
        raise ReturnRejected([info.finding(file_name, "year", refusal, "year_out_of_range")])
    res = province.resolve(text(info.value("unit_code")), text(info.value("unit_name")), year)
    if res.code is None:
        where = "unit_code" if text(info.value("unit_code")) else "unit_name"
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

    tables: dict[str, Table] = {}
    for spec in (BRANCHES, COMMITTEE, HEADS, meetings_spec(province), ORGS):
        grid = sheets.get(spec.key)
        if grid is None and not spec.required:  # a part a return may leave out in any year, silently
            tables[spec.key] = Table(spec, spec.name, None)
            continue
        if grid is None and spec.from_year is not None:  # a sheet added later: required from its year, else none
            if year >= spec.from_year:
                one_sheet = " (tệp chỉ có một trang, như tệp .csv: hãy nộp tệp Excel có đủ các trang)" * (
                    len(grids) == 1
                )
                findings.append(
                    Finding(
                        file_name,
                        f"Không có trang «{spec.name}» (bắt buộc từ báo cáo năm {spec.from_year}){one_sheet}. Hãy "
                        f"dùng biểu mẫu năm {year} tải từ hệ thống.",
                        rule="missing_sheet",
                    )
                )
            tables[spec.key] = Table(spec, spec.name, None)
            continue
        if grid is None:
            findings.append(
                Finding(
                    file_name,
                    f"Không có trang «{spec.name}»: phần này coi như chưa báo cáo.",
                    rule="missing_sheet",
                    severity="warning",
                )
            )
            tables[spec.key] = Table(spec, spec.name, None)
            continue
        tables[spec.key] = read_table(grid, spec, file_name, year, res.code, findings)
    check_own_branches(tables, res.code, province.unit_by_code, file_name, findings)
    tables["committee"].frame = committee_frame(tables["committee"].frame)
    criteria = province.criteria
    tables["meetings"].frame = meetings_frame(tables["meetings"].frame, criteria)
    unit_year = read_unit_fields(info, file_name, year, res.code, findings)
    return _Draft(
        file_name,
        hashlib.sha256(data).hexdigest(),
        year,
        res,
        text(info.value("unit_name")) or "",
        encoding,
        is_sample,
        tables,
        findings,
        province.unit_by_code[res.code].is_commune,
        unit_year,
    )


def meetings_spec(province: ProvinceConfig) -> SheetSpec:
    """The province's «Sinh hoạt chi bộ» sheet: its levels (etl/criteria.py), its fixed meeting day if any."""
    return meetings_sheet(tuple(lv.name for lv in province.criteria.levels), province.meeting_day is not None)


def _finish(d: _Draft) -> ParsedReturn | ReturnRejected:
    """Cross-sheet checks on the validated frames; the return, or its refusal."""
    cross_checks(d.tables, d.valid["committee"], d.valid["heads"], d.file_name, d.year, d.findings)
    meeting_checks(d.tables, d.file_name, d.year, d.is_commune, d.findings)
    check_tree(d.tables, d.res.code, d.file_name, d.findings)
    d.findings[:] = once_per_cell(d.findings)
    rows = tuple(t.rows for t in d.tables.values() if t.rows is not None)
    if any(f.severity == "error" for f in d.findings):
        return ReturnRejected(d.findings, rows)
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
        meetings=d.valid["meetings"],
        unit_year=d.unit_year,
        orgs=d.valid["orgs"],
        parents=branch_parents(d.tables["branches"].frame, d.year, res.code),
        sheets_present=tuple(k for k, t in d.tables.items() if t.frame is not None),
        warnings=d.findings,
        rows=rows,
        sheet_names={k: t.sheet for k, t in d.tables.items() if t.frame is not None},
        letters={k: t.letters for k, t in d.tables.items() if t.frame is not None},
    )
