"""Messy twins of clean returns: the same data written the way real returns arrive (PRODUCT §3).

A return is read back from the clean template as a `Book` of grids; each mess is a pure function Book -> Book;
`write_xlsx` / `write_xls` / `write_csv` turn a Book into the bytes of a real file."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import functools
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import python_calamine as pc

from etl.codes import codes
from etl.province import ProvinceConfig
from etl.schema import BRANCHES, COMMITTEE, DATA_SHEETS, INFO_FIELDS, MEETINGS_FROM, SheetSpec
from etl.settings import MAPPINGS_DIR
from etl.text import _TCVN3, _UNICODE
from forms.template import FIRST_DATA_ROW, HEADER_ROW, write_return

Merge = tuple[tuple[int, int], tuple[int, int]]  # ((first row, first col), (last row, last col)), 0-based


@dataclass
class Sheet:
    """One sheet's cells; for a table sheet, where its header and data start and which spec it follows."""

    rows: list[list[Any]]
    merged: list[Merge] = field(default_factory=list)
    spec: SheetSpec | None = None
    header: int = 0  # first header row
    first: int = 0  # first data row
    col0: int = 0  # column of the table's first column (STT)


Book = dict[str, Sheet]  # sheet name -> sheet, in workbook order
Mess = Callable[[Book], Book]


# ---------------------------------------------------------------------------------------------- clean twin


def clean_workbook(province: ProvinceConfig, unit_code: str, year: int, rows: tuple) -> bytes:
    """The clean return of one unit-year, exactly as the app's template writes it: (branches, committee, heads)
    and, from 2026 or for a 2025 baseline, (…, meetings, unit fields) and the sheet «Tổ chức cơ sở đảng» (…, orgs);
    a return from 2026 given without meetings has every branch's meetings as tests/fixtures.full_meetings."""
    from tests.fixtures import FULL_UNIT_FIELDS, full_meetings

    out = io.BytesIO()
    branches, committee, heads = rows[:3]
    meetings, unit_fields = rows[3:5] if len(rows) > 3 else (None, None)
    orgs = rows[5] if len(rows) > 5 else None
    if meetings is None and year >= MEETINGS_FROM:
        meetings, unit_fields = full_meetings(branches), FULL_UNIT_FIELDS
    write_return(
        out,
        province,
        province.unit_by_code[unit_code],
        year,
        branches,
        committee,
        heads,
        meetings=meetings,
        unit_fields=unit_fields,
        orgs=orgs,
        prepared_by="Văn phòng đảng uỷ",
        report_date=dt.date(year + 1, 1, 15),
    )
    return out.getvalue()


def with_big_branch(rows: tuple[list, list, list], members: int = 1462) -> tuple[list, list, list]:
    """The same rows with the first branch grown to `members` (so its counts need thousands separators)."""
    branches = [dict(r) for r in rows[0]]
    extra = members - branches[0]["members"]
    branches[0].update(members=members, good=branches[0]["good"] + extra)
    return branches, rows[1], rows[2]


def read_book(data: bytes) -> Book:
    """A template workbook as grids (integral numbers as int), with the table sheets' layout filled in."""
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    specs = {s.name: s for s in DATA_SHEETS}
    book: Book = {}
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        rows = [
            [int(v) if isinstance(v, float) and v.is_integer() else v for v in r]
            for r in sheet.to_python(skip_empty_area=False)
        ]
        book[name] = Sheet(rows, list(sheet.merged_cell_ranges or []), specs.get(name), HEADER_ROW, FIRST_DATA_ROW)
    return book


# ---------------------------------------------------------------------------------------------- writers


def write_xlsx(book: Book) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, sh in book.items():
        ws = wb.add_worksheet(name)
        merged_cells = _merged_cells(sh)
        for (r0, c0), (r1, c1) in sh.merged:
            ws.merge_range(r0, c0, r1, c1, _value(sh, r0, c0))
        for r, row in enumerate(sh.rows):
            for c, v in enumerate(row):
                if v not in ("", None) and (r, c) not in merged_cells:
                    ws.write(r, c, v)
    wb.close()
    return out.getvalue()


def write_xls(book: Book) -> bytes:
    """The legacy Excel 97–2003 format (what old machines still save)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for name, sh in book.items():
        ws = wb.add_sheet(name, cell_overwrite_ok=True)
        merged_cells = _merged_cells(sh)
        for (r0, c0), (r1, c1) in sh.merged:
            ws.write_merge(r0, r1, c0, c1, _value(sh, r0, c0))
        for r, row in enumerate(sh.rows):
            for c, v in enumerate(row):
                if v not in ("", None) and (r, c) not in merged_cells:
                    ws.write(r, c, v)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_csv(book: Book, delimiter: str = ",", encoding: str = "utf-8-sig") -> bytes:
    """A CSV return: the «Thông tin» label/value lines, a blank line, then the «Chi bộ» sheet as it stands."""
    info = _sheet(book, "Thông tin")
    branches = _table(book, BRANCHES)
    lines = [[v for v in r if v not in ("", None)] for r in info.rows]
    lines = [r for r in lines if len(r) == 2] + [[]] + branches.rows
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(lines)
    return out.getvalue().encode(encoding)


def _merged_cells(sh: Sheet) -> set[tuple[int, int]]:
    return {(r, c) for (r0, c0), (r1, c1) in sh.merged for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}


def _value(sh: Sheet, r: int, c: int) -> Any:
    return sh.rows[r][c] if r < len(sh.rows) and c < len(sh.rows[r]) else ""


# ---------------------------------------------------------------------------------------------- layout edits


def _sheet(book: Book, name: str) -> Sheet:
    return next(sh for n, sh in book.items() if unicodedata.normalize("NFC", n) == name)


def _table(book: Book, spec: SheetSpec) -> Sheet:
    return next(sh for sh in book.values() if sh.spec is not None and sh.spec.key == spec.key)


def _col(sh: Sheet, key: str) -> int:
    """Column index of a column of the sheet's spec (tables keep the template's column order)."""
    return sh.col0 + [c.key for c in sh.spec.columns].index(key)


def _data_rows(sh: Sheet) -> list[int]:
    """Indices of the branch/member rows: those with a value in the «Mã chi bộ» column (on «Tổ chức cơ sở đảng»,
    «Mã tổ chức»)."""
    j = _col(sh, "org_code" if sh.spec.key == "orgs" else "branch_code")
    return [i for i in range(sh.first, len(sh.rows)) if j < len(sh.rows[i]) and sh.rows[i][j] not in ("", None)]


def insert_rows(sh: Sheet, at: int, rows: list[list[Any]]) -> None:
    width = max((len(r) for r in sh.rows), default=0)
    sh.rows[at:at] = [r + [""] * (width - len(r)) for r in rows]
    n = len(rows)
    sh.merged = [
        ((r0 + n if r0 >= at else r0, c0), (r1 + n if r1 >= at else r1, c1)) for (r0, c0), (r1, c1) in sh.merged
    ]
    if sh.spec is not None:
        sh.header += n if sh.header >= at else 0
        sh.first += n if sh.first >= at else 0


def insert_cols(sh: Sheet, n: int) -> None:
    sh.rows = [[""] * n + r for r in sh.rows]
    sh.merged = [((r0, c0 + n), (r1, c1 + n)) for (r0, c0), (r1, c1) in sh.merged]
    sh.col0 += n


def _copy(book: Book) -> Book:
    return copy.deepcopy(book)


def delete_row(sh: Sheet, at: int) -> None:
    if at >= len(sh.rows):  # an empty sheet read back ends at its header (a header merged down over nothing)
        return
    del sh.rows[at]
    sh.merged = [
        ((r0 - (r0 > at), c0), (r1 - (r1 >= at), c1)) for (r0, c0), (r1, c1) in sh.merged if not r0 == r1 == at
    ]
    if sh.spec is not None:
        sh.header -= sh.header > at
        sh.first -= sh.first > at


def _strings(
    book: Book, f: Callable[[str], str], names: bool = True, where: Callable[[str, Sheet, int, int], bool] | None = None
) -> Book:
    """Apply f to every text cell the predicate selects (and to the sheet names)."""
    out: Book = {}
    for name, sh in book.items():
        for r, row in enumerate(sh.rows):
            for c, v in enumerate(row):
                if isinstance(v, str) and v and (where is None or where(name, sh, r, c)):
                    row[c] = f(v)
        out[f(name) if names else name] = sh
    return out


# ---------------------------------------------------------------------------------------------- the messes


def shifted(book: Book) -> Book:
    """Header far from row 1: national motto, a date line and blank rows above, and two empty columns at left."""
    book = _copy(book)
    year = _info_value(book, "year")
    for name, sh in book.items():
        if sh.spec is None and name != "Thông tin":
            continue
        # The date line names the year after the report year: it is not the report's year.
        insert_rows(
            sh,
            0,
            [
                ["CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
                ["Độc lập - Tự do - Hạnh phúc"],
                ["", "", "", f"Cao Bằng, ngày 15 tháng 01 năm {year + 1}"],
                [],
                [],
            ],
        )
        insert_cols(sh, 2)
    return book


def _info_value(book: Book, field_key: str) -> Any:
    for row in _sheet(book, "Thông tin").rows:
        if INFO_FIELDS[field_key] in row:
            return row[row.index(INFO_FIELDS[field_key]) + 1]
    raise KeyError(field_key)


def single_row_header(pick: int = 0) -> Mess:
    """One header row (no merged groups) using the alternative spellings of `column_aliases.csv` (alias number `pick`)."""
    aliases: dict[tuple[str, str], list[str]] = {}
    with open(MAPPINGS_DIR / "column_aliases.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            aliases.setdefault((r["sheet"], r["column"]), []).append(r["alias"])

    def mess(book: Book) -> Book:
        book = _copy(book)
        for sh in book.values():
            if sh.spec is None:
                continue
            names = []
            for c in sh.spec.columns:
                options = aliases.get((sh.spec.key, c.key), [c.header])
                names.append(options[pick % len(options)])
            sh.rows[sh.header] = [""] * sh.col0 + names + sh.rows[sh.header][sh.col0 + len(names) :]
            sh.merged = [m for m in sh.merged if m[0][0] not in (sh.header, sh.header + 1)]
            delete_row(sh, sh.header + 1)
        return book

    return mess


def numbering_row(book: Book) -> Book:
    """A row of column numbers under each table's header: (1) (2) (3) … as text, or 1 2 3 … as numbers."""
    book = _copy(book)
    for i, sh in enumerate(s for s in book.values() if s.spec is not None):
        n = len(sh.spec.columns)
        nums: list[Any] = [f"({k + 1})" for k in range(n)] if i % 2 == 0 else list(range(1, n + 1))
        insert_rows(sh, sh.first, [[""] * sh.col0 + nums])  # moves `first` past it
    return book


def total_row(wrong_by: int = 0) -> Mess:
    """A «Tổng cộng» row under the branches (its member total off by `wrong_by`), typed after the last branch."""

    def mess(book: Book) -> Book:
        book = _copy(book)
        sh = _table(book, BRANCHES)
        rows = _data_rows(sh)
        total: list[Any] = [""] * (sh.col0 + len(BRANCHES.columns))
        total[sh.col0] = "Tổng cộng"
        for c in BRANCHES.columns:
            if c.kind == "int":
                j = _col(sh, c.key)
                total[j] = sum(_as_int(sh.rows[i][j]) for i in rows) + (wrong_by if c.key == "members" else 0)
        at = rows[-1] + 1
        insert_rows(sh, at, [total])
        sh.merged.append(((at, sh.col0), (at, sh.col0 + 2)))
        insert_rows(sh, at + 1, [[], [""] * sh.col0 + ["", "", "Người lập biểu"]])
        return book

    return mess


def _as_int(v: Any) -> int:
    if isinstance(v, (int, float)):
        return int(v)
    s = str(v).replace(".", "").replace("\xa0", "").replace(" ", "")
    return int(s) if s else 0


def section_rows(book: Book) -> Book:
    """Section titles inside the tables: «I. Chi bộ cơ sở» (in the STT cell, merged across) and «II» + text."""
    book = _copy(book)
    for sh in (_table(book, BRANCHES), _table(book, COMMITTEE)):
        rows = _data_rows(sh)
        mid = rows[len(rows) // 2]
        insert_rows(sh, mid, [[""] * sh.col0 + ["II", "", "Các chi bộ trực thuộc khác"]])
        insert_rows(sh, rows[0], [[""] * sh.col0 + ["I. Chi bộ cơ sở"]])
        sh.merged.append(((rows[0], sh.col0), (rows[0], sh.col0 + 4)))
        sh.first = rows[0]  # the section row is where the table's body starts
    return book


def numbers_as_text(book: Book) -> Book:
    """Counts typed as text: Vietnamese thousands separators (1.462), stray and non-breaking spaces."""
    book = _copy(book)
    for sh in book.values():
        if sh.spec is None:
            continue
        for c in sh.spec.columns:
            if c.kind not in ("int", "year"):
                continue
            j = _col(sh, c.key)
            for k, i in enumerate(range(sh.first, len(sh.rows))):
                v = sh.rows[i][j]
                if isinstance(v, int) and not isinstance(v, bool):
                    text = f"{v:,}".replace(",", ".") if c.kind == "int" else str(v)
                    sh.rows[i][j] = [text, f" {text} ", f"{text}\xa0", f"\xa0 {text}"][k % 4]
    return book


def spelled_codes(book: Book) -> Book:
    """Coded cells typed by hand: the label, the abbreviation and the aliases of `aliases.csv` in turn, in odd
    case and spacing; optional yes/no columns ticked with «x» (blank = no)."""
    spellings: dict[tuple[str, str], list[str]] = {}
    for domain, cs in codes().items():
        for c in cs:
            spellings[(domain, c.code)] = [c.label, c.short]
    with open(MAPPINGS_DIR / "aliases.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            spellings[(r["domain"], r["code"])].append(r["alias"])
    inverse = {(d, k): code for (d, code), ss in spellings.items() for k in ss[:1]}  # label -> code

    book = _copy(book)
    for sh in book.values():
        if sh.spec is None:
            continue
        for c in sh.spec.columns:
            if c.kind != "code":
                continue
            j = _col(sh, c.key)
            for k, i in enumerate(range(sh.first, len(sh.rows))):
                v = sh.rows[i][j]
                code = inverse.get((c.domain, v)) if isinstance(v, str) else None
                if code is None:
                    continue
                if c.domain == "yes_no" and not c.required and not c.nullable:
                    sh.rows[i][j] = "x" if code == "co" else ""
                    continue
                options = spellings[(c.domain, code)]
                text = options[k % len(options)]
                sh.rows[i][j] = [
                    text,
                    text.upper(),
                    "  " + text.lower().replace(" ", "   ") + " ",
                    text.replace("HTXSNV", "HTXS NV").replace("HTNV", "HT NV"),
                ][k % 4]
    return book


def nfd(book: Book) -> Book:
    """Every text cell and sheet name in decomposed Unicode (as some Mac and web tools save it)."""
    return _strings(_copy(book), lambda s: unicodedata.normalize("NFD", s))


_OLD_NEW = (
    [("o" + n, o + "a") for o, n in zip("òóỏõọ", "àáảãạ")]
    + [("o" + n, o + "e") for o, n in zip("òóỏõọ", "èéẻẽẹ")]
    + [("u" + n, u + "y") for u, n in zip("ùúủũụ", "ỳýỷỹỵ")]
)


def swap_tone_placement(s: str) -> str:
    """Old ↔ new tone placement: 'Hoà' ↔ 'Hòa', 'uỷ' ↔ 'ủy' (both are correct Vietnamese)."""
    s = unicodedata.normalize("NFC", s)
    out, i = [], 0
    while i < len(s):
        pair = s[i : i + 2]
        hit = next(((a, b) for a, b in _OLD_NEW if pair.lower() == a or pair.lower() == b), None)
        if hit and (i + 2 == len(s) or not s[i + 2].isalpha()):
            new = hit[1] if pair.lower() == hit[0] else hit[0]
            out.append(new.upper() if pair.isupper() else new[0].upper() + new[1] if pair[0].isupper() else new)
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def tone_placement(book: Book) -> Book:
    """Old vs new tone placement in everything the ETL matches (sheet names, headers, coded values, unit name);
    free text (branch names) is stored as typed, so it is left alone."""

    def matched(name: str, sh: Sheet, r: int, c: int) -> bool:
        free = (
            sh.spec is not None
            and r >= sh.first
            and c - sh.col0 < len(sh.spec.columns)
            and sh.spec.columns[c - sh.col0].key in ("branch_name", "org_name")
        )
        return not free

    return _strings(_copy(book), swap_tone_placement, where=matched)


def unit_named(name: str, code: str = "") -> Mess:
    """The «Thông tin» sheet names the unit by `name` (and `code`, blank by default) instead of the official code."""

    def mess(book: Book) -> Book:
        book = _copy(book)
        info = _sheet(book, "Thông tin")
        for row in info.rows:
            labels = [v for v in row if isinstance(v, str) and v]
            if INFO_FIELDS["unit_code"] in labels:
                row[row.index(INFO_FIELDS["unit_code"]) + 1] = code
            elif INFO_FIELDS["unit_name"] in labels:
                row[row.index(INFO_FIELDS["unit_name"]) + 1] = name
        return book

    return mess


# ---------------------------------------------------------------------------------------------- TCVN3

_TO_TCVN3 = str.maketrans(_UNICODE, _TCVN3)
_LOWER_TO_TCVN3 = {u: t for u, t in zip(_UNICODE, _TCVN3) if u.islower()}


def to_tcvn3(s: str) -> str:
    """Unicode text as a .VnTime typist's keyboard produced it, read back as Latin-1 code points.

    Accented capitals other than Ă Â Đ Ê Ô Ơ Ư have no code of their own: they are typed in the upper-case
    font .VnTimeH, which reuses the lower-case codes."""
    s = unicodedata.normalize("NFC", s)
    out = []
    for ch in s:
        if ch in _LOWER_TO_TCVN3 or ch in "ĂÂĐÊÔƠƯ":
            out.append(ch.translate(_TO_TCVN3))
        elif ch.isupper() and ch.lower() in _LOWER_TO_TCVN3:
            out.append(_LOWER_TO_TCVN3[ch.lower()])
        else:
            out.append(ch)
    return "".join(out)


def tcvn3(book: Book, tabs: bool = False) -> Book:
    """The whole workbook typed in TCVN3 (an old workbook of the unit's own, not the app's template); with
    `tabs`, the sheet tabs were renamed on that machine too («Th«ng tin», «Chi bé»)."""
    return _strings(_copy(book), to_tcvn3, names=tabs)


def tcvn3_tabs(book: Book) -> Book:
    return tcvn3(book, tabs=True)


def tcvn3_typed(book: Book) -> Book:
    """The app's Unicode template, with everything the user typed (data cells and «Thông tin» values) in TCVN3."""
    book = _copy(book)

    def typed(name: str, sh: Sheet, r: int, c: int) -> bool:
        if sh.spec is not None:
            return r >= sh.first
        return name == "Thông tin" and c >= 1 and r >= 3

    return _strings(book, to_tcvn3, names=False, where=typed)


def compose(*messes: Mess) -> Mess:
    def mess(book: Book) -> Book:
        for m in messes:
            book = m(book)
        return book

    return mess


# ---------------------------------------------------------------------------------------------- as offices type them
# Layouts of real returns around the table: subtotal rows per group, a grand total, branches typed below it, the
# signature block, the party-document header block. Sums are computed from the cells, as an office's Excel would.

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _sums(sh: Sheet, rows: list[int]) -> dict[str, int]:
    """The count columns summed over the given rows of a table sheet."""
    return {c.key: sum(_as_int(sh.rows[i][_col(sh, c.key)]) for i in rows) for c in sh.spec.columns if c.kind == "int"}


def _sum_row(sh: Sheet, text: str, sums: dict[str, int], at_col: int = 0) -> list[Any]:
    row: list[Any] = [""] * (sh.col0 + len(sh.spec.columns))
    row[sh.col0 + at_col] = text
    for k, v in sums.items():
        row[_col(sh, k)] = v
    return row


def _last_row(sh: Sheet) -> int:
    """Index of the last non-empty row of a sheet."""
    return max(i for i, r in enumerate(sh.rows) if any(v not in ("", None) for v in r))


def groups_of(sh: Sheet, by: str, book: Book | None = None) -> list[list[int]]:
    """Runs of consecutive branch rows with the same value in column `by` (the template lists branches by level
    and type; a sheet without that column, such as «Sinh hoạt chi bộ», takes each branch's value from «Chi bộ»
    of `book`)."""
    out: list[list[int]] = []
    value = _by_value(sh, by, book)
    for i in _data_rows(sh):
        if out and value(out[-1][-1]) == value(i) and out[-1][-1] == i - 1:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def _by_value(sh: Sheet, by: str, book: Book | None) -> Callable[[int], Any]:
    """The value of column `by` for a row of the sheet: its own cell, or its branch's cell on «Chi bộ»."""
    if by in [c.key for c in sh.spec.columns]:
        j = _col(sh, by)
        return lambda i: sh.rows[i][j]
    branches = _table(book, BRANCHES)
    code, by_code = _col(branches, "branch_code"), _col(branches, by)
    values = {branches.rows[i][code]: branches.rows[i][by_code] for i in _data_rows(branches)}
    own = _col(sh, "branch_code")
    return lambda i: values.get(sh.rows[i][own])


def subtotals(
    by: str = "branch_type",
    titles: bool = False,
    label: str = "Cộng",
    wrong_by: int = 0,
    on_titles: bool = False,
    spec: SheetSpec = BRANCHES,
    count: str = "members",
) -> Mess:
    """A subtotal row under each group of branches (consecutive rows of one `by` value), its counts summed over the
    group; with `titles` a section title above each group («I» and «CHI BỘ XÓM») and the subtotal named after it
    («Cộng I»); with `on_titles` the group's sums on its title row instead, and no subtotal rows. The last
    group's `count` (member count) is off by `wrong_by`. Of «Chi bộ», or of another table sheet (`spec`)."""

    def mess(book: Book) -> Book:
        book = _copy(book)
        sh = _table(book, spec)
        groups = groups_of(sh, by, book)
        value = _by_value(sh, by, book)
        for g, rows in reversed(list(enumerate(groups))):
            sums = _sums(sh, rows)
            if g == len(groups) - 1 and wrong_by:
                sums[count] += wrong_by
            if not on_titles:
                insert_rows(sh, rows[-1] + 1, [_sum_row(sh, f"{label} {ROMAN[g]}" if titles else label, sums)])
                sh.merged.append(((rows[-1] + 1, sh.col0), (rows[-1] + 1, sh.col0 + 2)))
            if titles or on_titles:
                title = f"CHI BỘ {value(rows[0])}".upper().replace("CHI BỘ CHI BỘ", "CHI BỘ")
                row = _sum_row(sh, ROMAN[g], sums if on_titles else {})
                row[sh.col0 + 2] = title
                insert_rows(sh, rows[0], [row])
        return book

    return mess


def two_level_groups(wrong_by: int = 0) -> Mess:
    """Groups within groups, as a commune lists its branches: «I. CHI BỘ CƠ SỞ» over «1. Chi bộ …» per type,
    a «Cộng» under each type and «Cộng I» under each level (its member count off by `wrong_by`), then
    «Tổng cộng»."""

    def mess(book: Book) -> Book:
        book = _copy(book)
        sh = _table(book, BRANCHES)
        levels = groups_of(sh, "level")
        types = groups_of(sh, "branch_type")
        inserts: list[tuple[int, list[Any]]] = []  # (row to insert before, row), applied bottom-up
        for g, lv in enumerate(levels):
            sums = _sums(sh, lv)
            sums["members"] += wrong_by if g == 0 else 0
            inserts.append((lv[0], [""] * sh.col0 + [f"{ROMAN[g]}. {sh.rows[lv[0]][_col(sh, 'level')]}".upper()]))
            for k, t in enumerate(tt for tt in types if lv[0] <= tt[0] <= lv[-1]):
                inserts.append((t[0], [""] * sh.col0 + [f"{k + 1}.", "", sh.rows[t[0]][_col(sh, "branch_type")]]))
                inserts.append((t[-1] + 1, _sum_row(sh, "Cộng", _sums(sh, t))))
            inserts.append((lv[-1] + 1, _sum_row(sh, f"Cộng {ROMAN[g]}", sums)))
        total = _sum_row(sh, "Tổng cộng", _sums(sh, _data_rows(sh)))
        # bottom-up; rows inserted at one place are inserted last-first, so they end up in list order
        for _, (at, row) in sorted(enumerate(inserts), key=lambda x: (x[1][0], x[0]), reverse=True):
            insert_rows(sh, at, [row])
        insert_rows(sh, _last_row(sh) + 1, [total])
        return book

    return mess


def grand_total(
    wrong_by: int = 0, label: str = "Tổng cộng", spec: SheetSpec = BRANCHES, count: str = "members"
) -> Mess:
    """A «Tổng cộng» row under everything typed in the table (after the subtotals, if any), summing every branch
    (its `count` off by `wrong_by`)."""

    def mess(book: Book) -> Book:
        book = _copy(book)
        sh = _table(book, spec)
        sums = _sums(sh, _data_rows(sh))
        if wrong_by:
            sums[count] += wrong_by
        at = _last_row(sh) + 1
        insert_rows(sh, at, [_sum_row(sh, label, sums)])
        sh.merged.append(((at, sh.col0), (at, sh.col0 + 2)))
        return book

    return mess


def total_on_top(label: str = "Tổng số", spec: SheetSpec = BRANCHES) -> Mess:
    """The total row typed first, right under the header (as in many statistical forms), the branches below it."""

    def mess(book: Book) -> Book:
        book = _copy(book)
        sh = _table(book, spec)
        rows = _data_rows(sh)
        insert_rows(sh, rows[0], [_sum_row(sh, label, _sums(sh, rows), at_col=2)])
        return book

    return mess


def numbered_blank_rows(n: int = 12, spec: SheetSpec = BRANCHES) -> Mess:
    """Rows numbered in advance in the STT column and left empty (a form printed with more rows than branches)."""

    def mess(book: Book) -> Book:
        book = _copy(book)
        sh = _table(book, spec)
        rows = _data_rows(sh)
        start = len(rows) + 1
        insert_rows(sh, rows[-1] + 1, [[""] * sh.col0 + [start + k] for k in range(n)])
        return book

    return mess


def typed_in_table(at: int, cells: dict[int, Any], spec: SheetSpec = BRANCHES) -> Mess:
    """One row typed into «Chi bộ» (or another table, `spec`) before its `at`-th branch row (-1: after the last),
    `cells` by column of the table (0 = STT)."""

    def mess(book: Book) -> Book:
        book = _copy(book)
        sh = _table(book, spec)
        rows = _data_rows(sh)
        row: list[Any] = [""] * (sh.col0 + len(sh.spec.columns))
        for j, v in cells.items():
            row[sh.col0 + j] = v
        insert_rows(sh, rows[-1] + 1 if at == -1 else rows[at], [row])
        return book

    return mess


def branch_below_total(in_total: bool) -> Mess:
    """The last branch row cut out and typed again under the «Tổng cộng» row (a branch the office forgot);
    `in_total`: whether the office also added it into the total."""

    def mess(book: Book) -> Book:
        book = _copy(book)
        sh = _table(book, BRANCHES)
        last = _data_rows(sh)[-1]
        row = sh.rows[last]
        total_at = next(i for i, r in enumerate(sh.rows) if "Tổng cộng" in r)
        if not in_total:
            for c in sh.spec.columns:
                if c.kind == "int":
                    j = _col(sh, c.key)
                    sh.rows[total_at][j] -= _as_int(row[j])
        insert_rows(sh, total_at + 1, [list(row)])
        delete_row(sh, last)
        # the subtotals between it and the total counted it: take it out of the groups it left
        for i in range(last, total_at - 1):
            if isinstance(sh.rows[i][sh.col0], str) and sh.rows[i][sh.col0].startswith("Cộng"):
                for c in sh.spec.columns:
                    if c.kind == "int":
                        j = _col(sh, c.key)
                        sh.rows[i][j] -= _as_int(row[j])
        return book

    return mess


def _two_sided(left: int, right: int, a: str, b: str) -> list[Any]:
    """A line of a document with text on the left and on the right (as under and above a table)."""
    row: list[Any] = [""] * (right + 1)
    row[left], row[right] = a, b
    return row


SIGNERS = ("Nông Văn Lợi", "Hoàng Thị Mai")  # invented names, as the signature block carries them


def signature_block(place: str = "Cần Yên", names: tuple[str, str] = SIGNERS) -> Mess:
    """Under every table: the place and date line, «Người lập biểu» and «T/M Ban Thường vụ / Bí thư», the
    «(Ký, ghi rõ họ tên)» hints and the two signers' names — on the left under the branch names, on the right
    under the count columns."""

    def mess(book: Book) -> Book:
        book = _copy(book)
        year = _info_value(book, "year")
        for sh in book.values():
            if sh.spec is None:
                continue
            left, right = sh.col0 + 2, sh.col0 + min(11, len(sh.spec.columns) - 2)
            line = functools.partial(_two_sided, left, right)
            at = _last_row(sh) + 1
            insert_rows(
                sh,
                at,
                [
                    [],
                    line("", f"{place}, ngày 15 tháng 01 năm {year + 1}"),
                    line("Người lập biểu", "T/M BAN THƯỜNG VỤ"),
                    line("", "BÍ THƯ"),
                    line("(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)"),
                    [],
                    [],
                    line(*names),
                ],
            )
        return book

    return mess


def note_lines(book: Book, spec: SheetSpec = BRANCHES) -> Book:
    """Notes typed under the branch table (or another, `spec`): «Ghi chú: …» and a line that continues it."""
    book = _copy(book)
    sh = _table(book, spec)
    at = _last_row(sh) + 1
    insert_rows(
        sh,
        at,
        [
            [],
            [""] * sh.col0 + ["Ghi chú: chi bộ xóm Phja Tấu và xóm Nà Pjạ hợp nhất từ tháng 7."],
            [""] * sh.col0 + ["- Số liệu đảng viên tính đến ngày 31/12."],
        ],
    )
    return book


def party_header(province_name: str = "Cao Bằng", unit: str = "xã Cần Yên") -> Mess:
    """The header block of a party document above «Thông tin» and above each table: «ĐẢNG BỘ TỈNH …», the unit,
    «Số …-BC/ĐU» on the left; «ĐẢNG CỘNG SẢN VIỆT NAM» and the place and date on the right."""

    def mess(book: Book) -> Book:
        book = _copy(book)
        year = _info_value(book, "year")
        for name, sh in book.items():
            if sh.spec is None and name != "Thông tin":
                continue
            right = 3 if sh.spec is None else sh.col0 + 9
            place = unit.split(" ", 1)[1]
            line = functools.partial(_two_sided, sh.col0, right)

            insert_rows(
                sh,
                0,
                [
                    line(f"ĐẢNG BỘ TỈNH {province_name.upper()}", "ĐẢNG CỘNG SẢN VIỆT NAM"),
                    line(f"ĐẢNG UỶ {unit.upper()}", ""),
                    line("*", f"{place}, ngày 15 tháng 01 năm {year + 1}"),
                    line(f"Số {12 + year % 10}-BC/ĐU", ""),
                    [],
                ],
            )
        return book

    return mess


def to_cp1258(s: str) -> bytes:
    """Text as Excel's «CSV» writes it on a Vietnamese Windows (code page 1258): letters the code page has are one
    byte; the others are a base letter and a combining tone mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", s):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += (base + tones).encode("cp1258")
    return bytes(out)


def write_csv_cp1258(book: Book) -> bytes:
    """The CSV of `write_csv`, in Windows-1258 (Excel «CSV (Comma delimited)» on a Vietnamese Windows)."""
    return to_cp1258(write_csv(book, ",", "utf-8").decode("utf-8"))


def write_unicode_text(book: Book) -> bytes:
    """Excel's «Unicode Text»: UTF-16 little-endian with a byte-order mark, cells separated by tabs."""
    return write_csv(book, "\t", "utf-16")
