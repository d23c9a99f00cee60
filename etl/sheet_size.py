"""How big each sheet of a workbook says it is, read from the file before any reader builds a grid.

A reader allocates a rectangle from A1 to the farthest cell that holds something: one cell at XFD1048576 in a
15 KB .xlsx asks calamine for ~512 GiB and aborts the process (issue 16.1), and 7.5 million rows of a 477 KB file
cost a minute and a gigabyte before any row limit could be checked (16.6). So the farthest cell is found here by
streaming the sheet's own records (.xlsx: the sheet XML; .xls: the BIFF cell records; .ods: rows and cells with
their repeat counts), without building anything, and an over-large sheet is refused before it is read. The
worker that reads uploads has memory and time limits as well (etl/sandbox.py): this check is what makes the
refusal quick and say which sheet and how big."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

from etl.findings import Finding, ReturnRejected
from etl.settings import MAX_COLUMNS_PER_SHEET

_CHUNK = 1 << 22  # bytes of sheet XML scanned at a time
_MAX_TAG = 1 << 20  # a single tag longer than this is not a spreadsheet any reader should be asked to open


@dataclass(frozen=True)
class SheetSize:
    name: str
    rows: int  # the last row that holds something (1-based), 0 for an empty sheet
    columns: int  # the last column that holds something (1-based)


def check_sheet_sizes(data: bytes, file_name: str, max_rows: int, max_columns: int = MAX_COLUMNS_PER_SHEET) -> None:
    """Refuse the file (ReturnRejected) if a sheet reaches beyond `max_rows` rows or `max_columns` columns; other
    files (CSV, unknown) pass through to the reader. Errors of a broken file propagate (the reader reports them)."""
    for s in sheet_sizes(data, (max_rows, max_columns)):
        if s.rows > max_rows or s.columns > max_columns:
            from etl.excel import col_letter

            what = (
                f"vượt giới hạn {max_rows} dòng"
                if s.rows > max_rows
                else f"vượt giới hạn {max_columns} cột (đến cột {col_letter(s.columns - 1)})"
            )
            rows = f"{s.rows:,}".replace(",", ".")  # Vietnamese thousands: 1.048.576
            raise ReturnRejected(
                [
                    Finding(
                        file_name,
                        f"Trang có dữ liệu đến dòng {rows}, cột {col_letter(max(s.columns, 1) - 1)}: {what}, "
                        "tệp bị từ chối trước khi đọc. Nếu trang chỉ có vài dòng, hãy xoá các dòng, cột thừa ở "
                        "cuối trang (hoặc chép bảng sang một tệp mới) rồi tải lên lại.",
                        sheet=s.name,
                        rule="too_many_rows" if s.rows > max_rows else "too_many_columns",
                    )
                ]
            )


def sheet_sizes(data: bytes, within: tuple[int, int] = (0, 0)) -> list[SheetSize]:
    """The declared size of every sheet of an .xlsx, .xls or .ods workbook ([] for anything else). An .xlsx sheet
    is bounded quickly by all its cells; only one whose bound exceeds `within` (rows, columns) is measured by its
    cells with content alone."""
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "content.xml" in names and b"opendocument.spreadsheet" in (
                z.read("mimetype") if "mimetype" in names else b""
            ):
                return _ods_sizes(z)
            if any(n.startswith("xl/") for n in names):
                return _xlsx_sizes(z, within)
        return []
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _xls_sizes(data)
    return []


# ----------------------------------------------------------------------------------------------------- .xlsx

_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# The fast path, for what every writer produces: each cell names its place first, <c r="B7" …>, without a
# namespace prefix. It bounds the sheet by every cell, also the self-closing <c r="B7" s="3"/> of a formatted empty
# cell; only a sheet that this bound puts over a limit, or that is written otherwise, is read tag by tag (any
# attribute order, any prefix, cells without a reference; formatted empty cells do not count, readers skip them).
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_PREFIXED_CELL = re.compile(rb"<[\w.-]+:c[\s/>]")
_TOKEN = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*?)(/?)>")
_REF = re.compile(rb'\sr="([A-Z]{0,3})([0-9]{0,7})"')


def _letters(col: bytes) -> int:
    n = 0
    for ch in col:
        n = n * 26 + ch - 64
    return n


def _sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet XML path -> tab name, from the workbook and its relationships."""
    try:
        targets = {}
        for _, el in ElementTree.iterparse(z.open("xl/_rels/workbook.xml.rels")):
            if el.tag.endswith("Relationship"):
                t = el.get("Target", "")
                targets[el.get("Id")] = t.lstrip("/") if t.startswith("/") else "xl/" + t
            el.clear()
        out = {}
        for _, el in ElementTree.iterparse(z.open("xl/workbook.xml")):
            if el.tag.endswith("}sheet") or el.tag == "sheet":
                path = targets.get(el.get(_REL_NS))
                if path:
                    out[path] = el.get("name", path)
            el.clear()
        return out
    except (KeyError, ElementTree.ParseError):
        return {}


def _xlsx_sizes(z: zipfile.ZipFile, within: tuple[int, int]) -> list[SheetSize]:
    paths = _sheet_paths(z)
    members = [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    out = []
    for m in members:
        size = _scan_fast(z.open(m))
        if size is None or size[0] > within[0] or size[1] > within[1]:
            size = _scan_exact(z.open(m))
        out.append(SheetSize(paths.get(m, m.rsplit("/", 1)[-1]), *size))
    return out


def _chunks(stream) -> Iterator[bytes]:
    """The XML in pieces that each end at a tag's end, so no tag is cut in two."""
    tail = b""
    while block := stream.read(_CHUNK):
        buf = tail + block
        cut = buf.rfind(b">") + 1
        buf, tail = buf[:cut], buf[cut:]
        if len(tail) > _MAX_TAG:
            raise ValueError("tag too long")
        yield buf
    if tail:
        yield tail


def _scan_fast(stream) -> tuple[int, int] | None:
    """(last row, last column) of any cell, empty or not, when every cell names its place first; None when some
    cell does not, and the sheet must be read tag by tag."""
    rows = cols = 0
    for buf in _chunks(stream):
        found = _CELL.findall(buf)  # (column letters, row digits) of each cell, in one pass
        if len(found) != buf.count(b"<c ") + buf.count(b"<c>") + buf.count(b"<c/") or _PREFIXED_CELL.search(buf):
            return None
        if found:
            letters, digits = zip(*found)
            rows = max(rows, *map(int, set(digits)))
            cols = max(cols, *map(_letters, set(letters)))
    return rows, cols


def _scan_exact(stream) -> tuple[int, int]:
    """The same, tag by tag: rows and cells without a reference take their place from the previous one."""
    rows = cols = 0
    row = col = 0
    for buf in _chunks(stream):
        for closing, tag, attrs, empty in _TOKEN.findall(buf):
            if closing:
                continue
            ref = _REF.search(b" " + attrs)
            if tag == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                col = 0
                continue
            col = _letters(ref.group(1)) if ref and ref.group(1) else col + 1
            r = int(ref.group(2)) if ref and ref.group(2) else row
            if not empty:
                rows, cols = max(rows, r), max(cols, col)
    return rows, cols


# ------------------------------------------------------------------------------------------------------ .xls

# BIFF records that put a value in a cell (row and column are the first two 16-bit fields); blanks are skipped
# like the reader skips them. MULRK holds several columns: first at offset 2, last in the record's last 2 bytes.
_XLS_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6, 0x0206, 0x0406}
_MULRK, _BOF, _EOF, _BOUNDSHEET = 0x00BD, 0x0809, 0x000A, 0x0085


def _xls_sizes(data: bytes) -> list[SheetSize]:
    import olefile

    with olefile.OleFileIO(data) as ole:
        stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
        if stream is None:
            return []
        book = ole.openstream(stream).read()
    names: dict[int, str] = {}
    sizes: dict[int, list[int]] = {}
    current, depth = None, 0  # the sheet being read; substreams nested in it (a chart) are not its cells
    pos, n = 0, len(book)
    while pos + 4 <= n:
        kind, length = struct.unpack_from("<HH", book, pos)
        body = pos + 4
        if kind == _BOUNDSHEET and length >= 7:
            offset = struct.unpack_from("<I", book, body)[0]
            chars = book[body + 6]
            if stream == "Book":  # BIFF5: 8-bit name right after its length
                raw, enc = book[body + 7 : body + 7 + chars], "cp1252"
            else:  # BIFF8: a flag byte says 8-bit or UTF-16
                wide = book[body + 7] & 1 if length >= 8 else 0
                raw, enc = book[body + 8 : body + 8 + chars * (2 if wide else 1)], "utf-16-le" if wide else "latin-1"
            names[offset] = raw.decode(enc, errors="replace")
        elif kind == _BOF:
            if pos in names:
                current, depth = pos, 0
                sizes[current] = [0, 0]
            elif current is not None:
                depth += 1
        elif kind == _EOF and current is not None:
            if depth:
                depth -= 1
            else:
                current = None
        elif current is not None and not depth and length >= 4 and (kind in _XLS_CELLS or kind == _MULRK):
            row, first = struct.unpack_from("<HH", book, body)
            last = struct.unpack_from("<H", book, body + length - 2)[0] if kind == _MULRK and length >= 6 else first
            s = sizes[current]
            s[0], s[1] = max(s[0], row + 1), max(s[1], last + 1)
        pos = body + length
    return [SheetSize(names[o], *sizes.get(o, (0, 0))) for o in names]


# ------------------------------------------------------------------------------------------------------ .ods

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _ods_sizes(z: zipfile.ZipFile) -> list[SheetSize]:
    """Rows and cells repeat (number-rows-repeated, number-columns-repeated): an empty run at the end of a sheet is
    normal (LibreOffice writes one to the last row), a run that holds a value counts to its end."""
    out: list[SheetSize] = []
    name, rows, cols = "", 0, 0
    row = col = 0
    row_repeat = 1
    row_has = False
    stack: list[ElementTree.Element] = []
    for event, el in ElementTree.iterparse(z.open("content.xml"), events=("start", "end")):
        tag = el.tag
        if event == "start":
            stack.append(el)
            if tag == _T + "table":
                name, rows, cols, row = el.get(_T + "name", ""), 0, 0, 0
            elif tag == _T + "table-row":
                row_repeat = int(el.get(_T + "number-rows-repeated", "1"))
                col, row_has = 0, False
            continue
        stack.pop()
        if tag in (_T + "table-cell", _T + "covered-table-cell"):
            repeat = int(el.get(_T + "number-columns-repeated", "1"))
            if el.get(_O + "value-type") or el.find(_TEXT + "p") is not None:
                cols, row_has = max(cols, col + repeat), True
            col += repeat
        elif tag == _T + "table-row":
            if row_has:
                rows = row + row_repeat
            row += row_repeat
        elif tag == _T + "table":
            out.append(SheetSize(name, rows, cols))
        else:
            continue
        if stack:  # done with it: drop it from its parent, so a sheet of a million rows is never held whole
            stack[-1].remove(el)
    return out
