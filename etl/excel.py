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
from etl.sheet_size import check_sheet_sizes
from etl.text import decide_tcvn3, looks_tcvn3, to_unicode

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# What people upload by mistake, named so the message can say what the file is.
OTHER_MAGIC = {
    b"%PDF": "tệp PDF",
    b"\x89PNG": "ảnh PNG",
    b"\xff\xd8\xff": "ảnh JPEG",
    b"GIF8": "ảnh GIF",
    b"{\\rtf": "văn bản RTF",
}


@dataclass
class Grid:
    """One sheet as a rectangle of cells from A1; text cells are NFC Unicode (TCVN3 already decoded).

    `raw` holds the cells as read, so a table column typed in TCVN3 inside a Unicode template can be decoded
    as a whole (see `annual_return._decode_columns`)."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    raw: list[list[Any]] = field(default_factory=list)


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
    """All sheets as grids, and the text encoding found ('tcvn3' if any text was typed in TCVN3, else
    'unicode'); raises ReturnRejected."""
    if len(data) == 0:
        raise ReturnRejected([Finding(file_name, "Tệp rỗng (0 byte).", rule="empty_file")])
    if len(data) > MAX_FILE_BYTES:
        raise ReturnRejected(
            [
                Finding(
                    file_name,
                    f"Tệp quá lớn ({len(data) // 1024 // 1024} MB, tối đa {MAX_FILE_BYTES // 1024 // 1024} MB).",
                    rule="too_large",
                )
            ]
        )
    other = next((what for magic, what in OTHER_MAGIC.items() if data.startswith(magic)), None)
    if other:
        raise ReturnRejected(
            [
                Finding(
                    file_name, f"Đây là {other}, không phải bảng tính Excel (.xlsx, .xls) hoặc .csv.", rule="not_excel"
                )
            ]
        )
    kind = file_kind(data)
    if not kind:
        raise ReturnRejected(
            [Finding(file_name, "Tệp không phải bảng tính Excel (.xlsx, .xls) hoặc .csv.", rule="not_excel")]
        )
    if kind == "csv" and file_name.lower().endswith(EXCEL_SUFFIXES):
        # Plain text renamed to .xlsx/.xls: say so rather than fail later on a missing table.
        raise ReturnRejected(
            [
                Finding(
                    file_name,
                    "Tệp có đuôi Excel nhưng nội dung là văn bản thuần, không phải bảng "
                    "tính Excel (.xlsx, .xls). Nếu đây là tệp CSV, hãy đổi đuôi thành .csv.",
                    rule="not_excel",
                )
            ]
        )
    if kind == "xlsx":
        _check_zip(data, file_name)
    try:
        check_sheet_sizes(data, file_name, MAX_ROWS_PER_SHEET)  # before a reader allocates the declared grid
        raw = _read_csv(data) if kind == "csv" else _read_excel(data)
    except ReturnRejected:
        raise
    except Exception as e:  # calamine's errors on corrupt files are many and terse
        # The reader's own (English) error stays in the exception chain for the log, not in the message.
        raise ReturnRejected(
            [Finding(file_name, "Không đọc được tệp (tệp hỏng hoặc không đúng định dạng).", rule="unreadable")]
        ) from e
    texts = [v for g in raw for r in g.rows for v in r if isinstance(v, str) and v and not v.isascii()]
    tcvn3 = decide_tcvn3(texts)

    seen: dict[str, str] = {}

    def clean(v: str) -> str:
        """Labels repeat on every row: each distinct text is normalised once."""
        out = seen.get(v)
        if out is None:
            out = seen[v] = " ".join(v.split()) if v.isascii() and not tcvn3 else to_unicode(v, tcvn3)
        return out

    grids = {}
    for g in raw:
        if len(g.rows) > MAX_ROWS_PER_SHEET:
            raise ReturnRejected(
                [
                    Finding(
                        file_name,
                        f"Trang có {len(g.rows)} dòng, vượt giới hạn {MAX_ROWS_PER_SHEET} dòng.",
                        sheet=g.name,
                        rule="too_many_rows",
                    )
                ]
            )
        rows = [[clean(v) if isinstance(v, str) else v for v in r] for r in g.rows]
        # Tab names show in the system font, so a TCVN3 name reads as garbage on screen too: decode it only when
        # the name itself proves TCVN3, and let sheet matching try the decoding.
        name = to_unicode(g.name, False)
        grids[name] = Grid(name, rows, g.merged, g.rows)
    return grids, ("tcvn3" if tcvn3 or any(looks_tcvn3(t) for t in set(texts)) else "unicode")


def _check_zip(data: bytes, file_name: str) -> None:
    """An .xlsx is a zip: refuse archives that are broken or expand far beyond any real return (zip bombs)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except zipfile.BadZipFile as e:
        raise ReturnRejected([Finding(file_name, "Tệp .xlsx bị hỏng (không giải nén được).", rule="unreadable")]) from e
    if not any(i.filename.startswith("xl/workbook.") for i in infos):  # a .docx or .zip renamed to .xlsx
        raise ReturnRejected(
            [
                Finding(
                    file_name,
                    "Tệp nén không phải bảng tính Excel (có thể là tệp Word .docx hoặc tệp .zip đã đổi đuôi).",
                    rule="not_excel",
                )
            ]
        )
    total = sum(i.file_size for i in infos)
    if len(infos) > 1000 or total > MAX_UNZIPPED_BYTES:
        raise ReturnRejected(
            [
                Finding(
                    file_name,
                    f"Tệp giải nén ra {total // 1024 // 1024} MB, vượt giới hạn "
                    f"{MAX_UNZIPPED_BYTES // 1024 // 1024} MB: tệp bị từ chối.",
                    rule="zip_bomb",
                )
            ]
        )


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
    # The separator that occurs most often up front (csv.Sniffer gives up on rows of mostly empty cells).
    delimiter = max(",;\t", key=text[:4096].count)
    rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
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
