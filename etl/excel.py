"""Read a workbook (.xlsx, .xls) or .csv into plain grids, keeping the row and column numbers a user sees."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import python_calamine as pc  # calamine, as pl.read_excel uses, but this binding keeps empty leading rows/columns

from etl.findings import Finding, ReturnRejected
from etl.settings import MAX_FILE_BYTES, MAX_ROWS_PER_SHEET, MAX_UNZIPPED_BYTES
from etl.text import decide_tcvn3, to_unicode

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Grid:
    """One sheet as a rectangle of cells from A1; text cells are NFC Unicode (TCVN3 already decoded)."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def file_kind(data: bytes) -> str:
    """'xlsx', 'xls' or 'csv' by content, never by file name; '' if it is none of them."""
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(XLS_MAGIC):
        return "xls"
    head = data[:4096]
    if b"\x00" in head:
        return ""
    try:
        head.decode("utf-8")
        return "csv"
    except UnicodeDecodeError:
        # Legacy 8-bit text (TCVN3 typed in Excel, saved as CSV): printable bytes only.
        return "csv" if all(b >= 0x20 or b in (9, 10, 13) for b in head) else ""


def read_grids(data: bytes, file_name: str) -> tuple[dict[str, Grid], str]:
    """All sheets as grids, and the text encoding found ('unicode' or 'tcvn3'); raises ReturnRejected."""
    if len(data) == 0:
        raise ReturnRejected([Finding(file_name, "Tệp rỗng (0 byte).", rule="empty_file")])
    if len(data) > MAX_FILE_BYTES:
        raise ReturnRejected([Finding(file_name, f"Tệp quá lớn ({len(data) // 1024 // 1024} MB, tối đa "
                                                 f"{MAX_FILE_BYTES // 1024 // 1024} MB).", rule="too_large")])
    kind = file_kind(data)
    if not kind:
        raise ReturnRejected([Finding(file_name, "Tệp không phải bảng tính Excel (.xlsx, .xls) hoặc .csv.",
                                      rule="not_excel")])
    if kind == "xlsx":
        _check_zip(data, file_name)
    try:
        raw = _read_csv(data) if kind == "csv" else _read_excel(data)
    except ReturnRejected:
        raise
    except Exception as e:  # calamine's errors on corrupt files are many and terse
        raise ReturnRejected([Finding(file_name, f"Không đọc được tệp (tệp hỏng hoặc không đúng định dạng): {e}",
                                      rule="unreadable")]) from e
    texts = [v for g in raw for r in g.rows for v in r if isinstance(v, str) and v]
    tcvn3 = decide_tcvn3(texts)
    grids = {}
    for g in raw:
        if len(g.rows) > MAX_ROWS_PER_SHEET:
            raise ReturnRejected([Finding(file_name, f"Trang có {len(g.rows)} dòng, vượt giới hạn "
                                                     f"{MAX_ROWS_PER_SHEET} dòng.", sheet=g.name, rule="too_many_rows")])
        rows = [[to_unicode(v, tcvn3) if isinstance(v, str) else v for v in r] for r in g.rows]
        name = to_unicode(g.name, tcvn3)
        grids[name] = Grid(name, rows, g.merged)
    return grids, ("tcvn3" if tcvn3 else "unicode")


def _check_zip(data: bytes, file_name: str) -> None:
    """An .xlsx is a zip: refuse archives that are broken or expand far beyond any real return (zip bombs)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except zipfile.BadZipFile as e:
        raise ReturnRejected([Finding(file_name, "Tệp .xlsx bị hỏng (không giải nén được).", rule="unreadable")]) from e
    total = sum(i.file_size for i in infos)
    if len(infos) > 1000 or total > MAX_UNZIPPED_BYTES:
        raise ReturnRejected([Finding(file_name, f"Tệp giải nén ra {total // 1024 // 1024} MB, vượt giới hạn "
                                                 f"{MAX_UNZIPPED_BYTES // 1024 // 1024} MB: tệp bị từ chối.",
                                      rule="zip_bomb")])


def _read_excel(data: bytes) -> list[Grid]:
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    out = []
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        try:
            merged = list(sheet.merged_cell_ranges or [])
        except Exception:
            merged = []
        out.append(Grid(name, sheet.to_python(skip_empty_area=False), merged))
    return out


def _read_csv(data: bytes) -> list[Grid]:
    """A CSV return holds the «Thông tin» lines and then the «Chi bộ» table in one sheet."""
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    width = max((len(r) for r in rows), default=0)
    return [Grid("Chi bộ", [r + [""] * (width - len(r)) for r in rows])]


def col_letter(i: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 27 -> AB)."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s
