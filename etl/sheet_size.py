"""How big each sheet of a workbook says it is, read from the file before any reader builds a grid.

A reader allocates a rectangle from A1 to the farthest cell that holds something: one cell at XFD1048576 in a
15 KB .xlsx asks calamine for ~512 GiB and aborts the process (issue 16.1), and 7.5 million rows of a 477 KB file
cost a minute and a gigabyte before any row limit could be checked (16.6). So the farthest cell is found here by
streaming the sheet's own records (.xlsx: the sheet XML; .xls: the BIFF cell records; .ods: rows and cells with
their repeat counts), without building anything, and an over-large sheet is refused before it is read. The
worker that reads uploads has memory and time limits as well (etl/sandbox.py): this check is what makes the
refusal quick and say which sheet and how big.

Text the same way (issue 29.2): a 188 KB .xlsx can hold one 150 MB string, which a reader builds whole and an
upload then carried into the app. The same streams measure the bytes each cell takes (.xlsx: also the shared
strings; .ods: the cells of content.xml, and the spaces a «text:s» stands for), and a cell whose XML is far beyond
what the longest text a cell may hold (`MAX_COMMENT_CHARS`) needs is refused, holding one block of XML at a time;
`etl.excel.read_grids` then checks every text's exact length. An .xls or .csv is not compressed: its text is bounded by the file size limit (and an .xls cell by
the format, 65.535 characters), so their cells are checked once read."""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

from etl.findings import Finding, ReturnRejected, col_letter
from etl.settings import MAX_COLUMNS_PER_SHEET, MAX_COMMENT_CHARS
from etl.text import vn_int

_CHUNK = 1 << 22  # bytes of sheet XML scanned at a time
_MAX_TAG = 1 << 20  # a single tag longer than this is not a spreadsheet any reader should be asked to open
# The most XML a cell within the character limit needs: at most 4 bytes a character in UTF-8 (a few more for an
# entity such as &quot;), the rest for rich-text runs. Anything bigger is refused before a reader builds it; a
# text between the limit and this is refused with its exact length once read (etl/excel.py).
TEXT_BYTES = 8 * MAX_COMMENT_CHARS
_SHARED_STRING = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_ODS_CELL = re.compile(rb"(<table:table[\s>]|</table:table>|<table:(?:covered-)?table-cell[\s>/])")
_ODS_SPACES = re.compile(rb'<text:s\s[^>]*?text:c="(\d{1,12})"')
_TABLE_NAME = re.compile(rb'table:name="([^"]*)"')


@dataclass(frozen=True)
class SheetSize:
    name: str  # "" for the workbook's shared strings when no cell shows the one too long
    rows: int  # the last row that holds something (1-based), 0 for an empty sheet
    columns: int  # the last column that holds something (1-based)
    long_cell: str | None = None  # the first cell whose text takes more than TEXT_BYTES ("" if it has no address)


def check_sheet_sizes(data: bytes, file_name: str, max_rows: int, max_columns: int = MAX_COLUMNS_PER_SHEET) -> None:
    """Refuse the file (ReturnRejected) if a sheet reaches beyond `max_rows` rows or `max_columns` columns, or a cell
    holds text far beyond what a cell may (TEXT_BYTES); other files (CSV, unknown) pass through to the reader.
    Errors of a broken file propagate (the reader reports them)."""
    for s in sheet_sizes(data, (max_rows, max_columns)):
        if s.long_cell is not None:
            raise ReturnRejected([_long_text(file_name, s)])
        if s.rows > max_rows or s.columns > max_columns:
            what = (
                f"vượt giới hạn {max_rows} dòng"
                if s.rows > max_rows
                else f"vượt giới hạn {max_columns} cột (đến cột {col_letter(s.columns - 1)})"
            )
            rows = vn_int(s.rows)
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


def _long_text(file_name: str, s: SheetSize) -> Finding:
    ref = re.fullmatch(r"([A-Z]+)([0-9]+)", s.long_cell or "")
    what = "Ô này" if ref else "Trang này" if s.name else "Tệp"
    return Finding(
        file_name,
        f"{what} chứa một đoạn chữ quá dài (chiếm hơn {vn_int(TEXT_BYTES // 1000)} KB trong tệp), trong khi một ô chỉ "
        f"được ghi tối đa {vn_int(MAX_COMMENT_CHARS)} ký tự: tệp bị từ chối trước khi đọc. Hãy rút ngắn nội dung ô "
        "đó rồi tải lên lại.",
        sheet=s.name,
        row=int(ref.group(2)) if ref else None,
        column=ref.group(1) if ref else "",
        rule="text_too_long",
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
                long = _ods_long_cell(z.open("content.xml"))  # before a parser builds the text
                return [SheetSize(long, 0, 0, "")] if long is not None else _ods_sizes(z)
            if any(n.startswith("xl/") for n in names):
                return _xlsx_sizes(z, within)
        return []
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _xls_sizes(data)
    return []


_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# The fast path, for what every writer produces: each cell names its place first, <c r="B7" …>, without a
# namespace prefix. It bounds the sheet by every cell, also the self-closing <c r="B7" s="3"/> of a formatted empty
# cell; only a sheet that this bound puts over a limit, or that is written otherwise, is read tag by tag (any
# attribute order, any prefix, cells without a reference; formatted empty cells do not count, readers skip them).
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')  # (groups: split gives the text between cells too)
_PREFIXED_CELL = re.compile(rb"<[\w.-]+:c[\s/>]")
_TOKEN = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c|sheetData)(?=[\s/>])([^>]*?)(/?)>")
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
    names = z.namelist()
    members = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    shared = next((n for n in names if n.lower().endswith("sharedstrings.xml")), None)
    index = _long_item(z.open(shared), _SHARED_STRING.split, b"</sst>") if shared else None
    if index is not None:  # the first cell that shows it, or the workbook
        shows = re.compile(rb"<(?:[\w.-]+:)?c\s([^>]*)>\s*<(?:[\w.-]+:)?v>%d</" % index)
        for m in members:
            for attrs in shows.findall(z.read(m)):
                if re.search(rb"""\bt=["']s["']""", attrs) and (ref := _REF.search(b" " + attrs)):
                    return [SheetSize(paths.get(m, m), 0, 0, (ref.group(1) + ref.group(2)).decode())]
        return [SheetSize("", 0, 0, "")]
    out = []
    for m in members:
        size = _scan_fast(z.open(m))
        if size is None or size[0] > within[0] or size[1] > within[1]:
            size = _scan_exact(z.open(m))
        out.append(SheetSize(paths.get(m, m.rsplit("/", 1)[-1]), *size))
    return out


def _chunks(stream) -> Iterator[bytes]:
    """The XML in pieces that never cut a tag in two: a piece ends before a tag still open at its end (text is
    never held back, however long)."""
    tail = b""
    while block := stream.read(_CHUNK):
        buf = tail + block
        cut = buf.rfind(b"<")
        if cut < 0 or cut < buf.rfind(b">"):  # no tag open at the end
            cut = len(buf)
        buf, tail = buf[:cut], buf[cut:]
        if len(tail) > _MAX_TAG:
            raise ValueError("tag too long")
        if buf:
            yield buf
    if tail:
        yield tail


class _Extent:
    """How many bytes each cell of a sheet takes, from its start to the next cell's (or the end of the sheet's data),
    over the blocks of a stream: the first cell bigger than TEXT_BYTES is `long` (its address)."""

    def __init__(self) -> None:
        self.size, self.ref, self.long, self.done = -1, b"", None, False

    def add(self, sizes: list[int], ref: Callable[[int], bytes]) -> None:
        """`sizes`: the bytes before the first cell that starts in this block, then each of those cells' bytes;
        `ref(k)`: the address of the k-th of those cells (asked for only when one is reported)."""
        if self.long is not None or self.done:
            return
        if self.size >= 0:
            self.size += sizes[0]
        if len(sizes) > 1:
            if self.size > TEXT_BYTES:
                self.long = self.ref.decode()
                return
            whole = sizes[1:-1]
            if whole and max(whole) > TEXT_BYTES:
                self.long = ref(next(k for k, n in enumerate(whole) if n > TEXT_BYTES)).decode()
                return
            self.size, self.ref = sizes[-1], ref(len(sizes) - 2)
        if self.size > TEXT_BYTES:
            self.long = self.ref.decode()


def _scan_fast(stream) -> tuple[int, int, str | None] | None:
    """(last row, last column) of any cell, empty or not, and the first cell too long, when every cell names its
    place first; None when some cell does not, and the sheet must be read tag by tag."""
    rows = cols = 0
    extent = _Extent()
    for buf in _chunks(stream):
        parts = _CELL.split(buf)  # text, then (column letters, row digits, text) of each cell: one pass
        letters, digits = parts[1::3], parts[2::3]
        if len(letters) != buf.count(b"<c ") + buf.count(b"<c>") + buf.count(b"<c/") or _PREFIXED_CELL.search(buf):
            return None
        if letters:
            rows = max(rows, *map(int, set(digits)))
            cols = max(cols, *map(_letters, set(letters)))
        sizes = list(map(len, parts[0::3]))
        end = parts[-1].rfind(b"</sheetData>")
        if end >= 0:
            sizes[-1] = end
        extent.add(sizes, lambda k, a=letters, d=digits: a[k] + d[k])
        extent.done = extent.done or end >= 0
    return rows, cols, extent.long


def _scan_exact(stream) -> tuple[int, int, str | None]:
    """The same, tag by tag: rows and cells without a reference take their place from the previous one."""
    rows = cols = 0
    row = col = 0
    extent = _Extent()
    for buf in _chunks(stream):
        starts, refs = [0], []
        for m in _TOKEN.finditer(buf):
            closing, tag, attrs, empty = m.groups()
            if closing:
                if tag == b"sheetData":
                    starts.append(m.start())
                    refs.append(b"")
                    extent.add([b - a for a, b in zip(starts, starts[1:])], refs.__getitem__)
                    extent.done, starts = True, []
                    break
                continue
            ref = _REF.search(b" " + attrs)
            if tag == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                col = 0
                continue
            if tag != b"c":
                continue
            col = _letters(ref.group(1)) if ref and ref.group(1) else col + 1
            r = int(ref.group(2)) if ref and ref.group(2) else row
            if not empty:
                rows, cols = max(rows, r), max(cols, col)
            starts.append(m.start())
            refs.append(f"{_column_letters(col)}{r}".encode())
        if starts:
            starts.append(len(buf))
            extent.add([b - a for a, b in zip(starts, starts[1:])], refs.__getitem__)
    return rows, cols, extent.long


def _column_letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


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


def _long_item(stream, split, stop: bytes) -> int | None:
    """The index of the first item of an XML stream bigger than TEXT_BYTES, holding one block at a time: items
    start where `split` cuts (the bytes before the first are no item) and the last ends at `stop`. An item bigger
    than that is reported as soon as that many bytes of it are read."""
    index, size = -1, 0  # the item open at the end of the last block, and its bytes so far
    for buf in _chunks(stream):
        end = buf.find(stop)
        pieces = split(buf[:end] if end >= 0 else buf)
        size += len(pieces[0])
        if len(pieces) > 1:
            if index >= 0 and size > TEXT_BYTES:
                return index
            whole = pieces[1:-1]  # items that start and end in this block
            if whole and max(map(len, whole)) > TEXT_BYTES:
                return index + 1 + next(k for k, p in enumerate(whole) if len(p) > TEXT_BYTES)
            index, size = index + len(whole) + 1, len(pieces[-1])
        if index >= 0 and size > TEXT_BYTES:
            return index
        if end >= 0:
            return None
    return None


def _ods_long_cell(stream) -> str | None:
    """The sheet of the first cell of content.xml whose text is too long: its XML, or the spaces its «text:s»
    elements stand for (a reader expands «<text:s text:c="100000000"/>» into that many); None if there is none."""
    sheet, in_cell, size, spaces = "", False, 0, 0
    for buf in _chunks(stream):
        parts = _ODS_CELL.split(buf)  # text, then (delimiter, text) pairs
        for k, part in enumerate(parts):
            if k % 2:  # a delimiter: a sheet starts or ends, or a cell starts
                if in_cell and (size > TEXT_BYTES or spaces > MAX_COMMENT_CHARS):
                    return sheet
                in_cell, size, spaces = part.startswith((b"<table:table-", b"<table:covered")), 0, 0
                if not in_cell and part != b"</table:table>":
                    name = _TABLE_NAME.search(parts[k + 1] if k + 1 < len(parts) else b"")
                    sheet = html.unescape(name.group(1).decode("utf-8", "replace")) if name else ""
            elif in_cell:
                size += len(part)
                if b"text:c=" in part:
                    spaces += sum(int(c) for c in _ODS_SPACES.findall(part))
        if in_cell and (size > TEXT_BYTES or spaces > MAX_COMMENT_CHARS):
            return sheet
    return None
