"""Read a workbook (.xlsx, .xls, LibreOffice .ods) or .csv into plain grids, keeping the row and column numbers a
user sees. A CSV's text encoding is found from its bytes (UTF-8, UTF-16, Windows-1258, TCVN3) or the file is
refused with a message naming it."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

import python_calamine as pc  # calamine, as pl.read_excel uses, but this binding keeps empty leading rows/columns

from etl.findings import Finding, ReturnRejected, col_letter
from etl.settings import MAX_COMMENT_CHARS, MAX_FILE_BYTES, MAX_ROWS_PER_SHEET, MAX_UNZIPPED_BYTES, MAX_ZIP_MEMBERS
from etl.sheet_size import check_sheet_sizes
from etl.text import VIETNAMESE_LETTERS, decide_tcvn3, from_tcvn3, looks_tcvn3, nfc, to_unicode, too_long, vn_int

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's «Unicode Text» starts with one
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Other OpenDocument files, named so the message can say what the file is.
ODF_OTHER = {b"application/vnd.oasis.opendocument.text": "văn bản LibreOffice Writer (.odt)"}
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
    as a whole (see `annual_return.read.decode_columns`)."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    raw: list[list[Any]] = field(default_factory=list)
    tcvn3_text: bool = True  # whether some text cell of `raw` looks like TCVN3 (False: no column to decode)


def file_kind(data: bytes) -> str:
    """'xlsx', 'ods', 'xls' or 'csv' by content, never by file name; '' if it is none of them."""
    if data.startswith(XLSX_MAGIC):
        return "ods" if _zip_mimetype(data) == ODS_MIMETYPE else "xlsx"
    if data.startswith(XLS_MAGIC):
        return "xls"
    if data.startswith(UTF16_BOMS):
        return "csv"
    head = data[:4096]
    if b"\x00" in head:
        return "csv" if _utf16_without_bom(head) else ""
    try:
        head.decode("utf-8")
        return "csv"
    except UnicodeDecodeError:
        # Legacy 8-bit text (Windows-1258, or TCVN3 typed in Excel, saved as CSV): printable bytes only.
        return "csv" if all(b >= 0x20 or b in (9, 10, 13) for b in head) else ""


def _zip_mimetype(data: bytes) -> bytes:
    """The `mimetype` member an OpenDocument zip starts with (b"" if there is none).

    OpenDocument stores it first and uncompressed, so it is read from the first local header even when the rest
    of the file is cut off (then the message can say «tệp .ods bị hỏng»)."""
    # stored (method 0), name length 8, no extra field
    if data[8:10] == b"\x00\x00" and data[26:30] == b"\x08\x00\x00\x00" and data[30:38] == b"mimetype":
        return data[38 : 38 + int.from_bytes(data[18:22], "little")].strip()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            info = z.getinfo("mimetype")
            return z.read(info).strip() if info.file_size < 200 else b""
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return b""


def _utf16_without_bom(head: bytes) -> bool:
    """UTF-16 text without its byte-order mark: the high byte of most characters (ASCII, and Latin letters) is zero,
    the low byte almost never."""
    even, odd = head[0 : len(head) // 2 * 2 : 2], head[1 : len(head) // 2 * 2 : 2]
    if len(even) < 4:
        return False
    return any(hi.count(0) >= 0.5 * len(hi) and lo.count(0) <= 0.05 * len(lo) for hi, lo in ((odd, even), (even, odd)))


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
    if kind in ("xlsx", "ods"):
        _check_zip(data, file_name, kind)
    try:
        # before a reader allocates the declared grid, or builds a text of megabytes
        check_sheet_sizes(data, file_name, MAX_ROWS_PER_SHEET)
        raw = _read_csv(data, file_name) if kind == "csv" else _read_excel(data)
    except ReturnRejected:
        raise
    except Exception as e:  # calamine's errors on corrupt files are many and terse
        # The reader's own (English) error stays in the exception chain for the log, not in the message.
        raise ReturnRejected(
            [Finding(file_name, "Không đọc được tệp (tệp hỏng hoặc không đúng định dạng).", rule="unreadable")]
        ) from e
    # Each distinct text once (labels and codes repeat on every row): whether the workbook is TCVN3 does not
    # depend on the order of its texts.
    distinct = [{v for r in g.rows for v in r if v.__class__ is str} for g in raw]
    for g, strings in zip(raw, distinct):
        _check_text_lengths(g, strings, file_name)
    texts = {v for d in distinct for v in d if not v.isascii()}
    tcvn3 = decide_tcvn3(list(texts))
    legacy = {t for t in texts if looks_tcvn3(t)}  # each text judged once, not once per use

    def clean(v: str) -> str:  # `to_unicode(v, tcvn3)`, with the judgement above
        if v.isascii():  # TCVN3 decoding leaves ASCII as it is
            return " ".join(v.split())
        return nfc(from_tcvn3(v) if tcvn3 or v in legacy else v)

    grids = {}
    for g, strings in zip(raw, distinct):
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
        changed = {v: c for v in strings if (c := clean(v)) != v}
        # Most sheets hold clean NFC text already: then the rows as read are the rows (nothing to copy).
        rows = [[changed.get(v, v) if v.__class__ is str else v for v in r] for r in g.rows] if changed else g.rows
        # Tab names show in the system font, so a TCVN3 name reads as garbage on screen too: decode it only when
        # the name itself proves TCVN3, and let sheet matching try the decoding.
        name = to_unicode(g.name, False)
        grids[name] = Grid(name, rows, g.merged, g.rows, not legacy.isdisjoint(strings))
    return grids, ("tcvn3" if tcvn3 or legacy else "unicode")


def _check_text_lengths(g: Grid, strings: set[str], file_name: str) -> None:
    """No text of a sheet is longer than a comment, the most a cell may hold (etl/settings.py); the columns of a
    table have their own, shorter limits (etl/schema.py)."""
    longest = max(strings, key=len, default="")
    if len(longest) <= MAX_COMMENT_CHARS:
        return
    i, j = next((i, j) for i, r in enumerate(g.rows) for j, v in enumerate(r) if v is longest)
    raise ReturnRejected(
        [
            Finding(
                file_name,
                too_long(longest, MAX_COMMENT_CHARS, "một ô (kể cả ô ghi chú)"),
                sheet=g.name,
                row=i + 1,
                column=col_letter(j),
                rule="text_too_long",
            )
        ]
    )


def _check_zip(data: bytes, file_name: str, kind: str = "xlsx") -> None:
    """An .xlsx (or .ods) is a zip: refuse archives that are broken or expand far beyond any real return (zip
    bombs)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except zipfile.BadZipFile as e:
        raise ReturnRejected(
            [Finding(file_name, f"Tệp .{kind} bị hỏng (không giải nén được).", rule="unreadable")]
        ) from e
    other = ODF_OTHER.get(_zip_mimetype(data))
    if other:
        raise ReturnRejected(
            [
                Finding(
                    file_name, f"Đây là {other}, không phải bảng tính Excel (.xlsx, .xls) hoặc .csv.", rule="not_excel"
                )
            ]
        )
    book = "content.xml" if kind == "ods" else "xl/workbook."
    if not any(i.filename.startswith(book) for i in infos):  # a .docx or .zip renamed to .xlsx
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
    if len(infos) > MAX_ZIP_MEMBERS:
        what = f"Tệp nén chứa {vn_int(len(infos))} thành phần, vượt giới hạn {vn_int(MAX_ZIP_MEMBERS)} thành phần"
    elif total > MAX_UNZIPPED_BYTES:
        mb = vn_int(total // 1024 // 1024)
        what = f"Tệp giải nén ra {mb} MB, vượt giới hạn {vn_int(MAX_UNZIPPED_BYTES // 1024 // 1024)} MB"
    else:
        return
    raise ReturnRejected([Finding(file_name, what + ": tệp bị từ chối.", rule="zip_bomb")])


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


def _read_csv(data: bytes, file_name: str) -> list[Grid]:
    """A CSV return holds the «Thông tin» lines and then the «Chi bộ» table in one sheet."""
    text = decode_text(data, file_name)
    # The separator that occurs most often up front (csv.Sniffer gives up on rows of mostly empty cells).
    delimiter = max(",;\t", key=text[:4096].count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = [list(r) for r in reader]
    except csv.Error as e:  # a field over the csv module's limit (131.072 characters)
        if "field limit" not in str(e):
            raise
        raise ReturnRejected(
            [
                Finding(
                    file_name,
                    f"Một ô ở dòng {reader.line_num} dài quá giới hạn {vn_int(MAX_COMMENT_CHARS)} ký tự của một ô.",
                    sheet="Chi bộ",
                    row=reader.line_num,
                    rule="text_too_long",
                )
            ]
        ) from e
    width = max((len(r) for r in rows), default=0)
    return [Grid("Chi bộ", [r + [""] * (width - len(r)) for r in rows])]


# Punctuation a Vietnamese text may hold besides letters (quote marks only between words, not inside one:
# TCVN3's «ô» is the byte of «« »).
_PUNCTUATION = set("–—…°•·₫€\xa0“”‘’×²³½¼¾§©®±")
_QUOTES = re.compile(r"(?<![^\W\d_])[«»]|[«»](?![^\W\d_])")
# VNI (the VNI-Windows fonts) writes a tone as a Latin-1 letter after the vowel: «Vieät», «ñaûng».
_TONED = {
    ch for ch in VIETNAMESE_LETTERS if set(unicodedata.normalize("NFD", ch)) & set("\u0300\u0301\u0303\u0309\u0323")
}
_VNI = re.compile(r"[aeiouyAEIOUY][øùûõïâáàåãäêéèúüëØÙÛÕÏÂÁÀÅÃÄÊÉÈÚÜË]|[ñÑ][aeiouAEIOU]")


def decode_text(data: bytes, file_name: str) -> str:
    """A CSV's bytes as text: UTF-8 (with or without BOM), UTF-16 (Excel's «Unicode Text», with or without BOM),
    Windows-1258 (Excel's «CSV» on a Vietnamese Windows; its tone marks are combining characters, composed here
    to NFC) or 8-bit TCVN3 (decoded later, cell by cell). Anything else is refused, naming the encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig", errors="replace")
    if data.startswith(UTF16_BOMS) or _utf16_without_bom(data[:4096]):
        enc = "utf-16" if data.startswith(UTF16_BOMS) else "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(enc)
        except UnicodeDecodeError as e:
            raise ReturnRejected(
                [Finding(file_name, "Tệp CSV mã UTF-16 bị hỏng (không đọc được hết chữ).", rule="encoding")]
            ) from e
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    latin = data.decode("latin-1")
    try:
        win = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        win = None
    # Score each reading by the characters it cannot explain; TCVN3 text read as Windows-1258 is full of symbols
    # («µ», «¸», «¶»), Windows-1258 read as TCVN3 of holes of the TCVN3 table («à», «đ»).
    bad_win = _unexplained(win) if win is not None else None
    bad_tcvn3 = _unexplained(from_tcvn3(latin)) if decide_tcvn3(latin.split()) else None
    if bad_win is not None and (bad_tcvn3 is None or bad_win <= bad_tcvn3) and _few(bad_win, win):
        return win
    if bad_tcvn3 is not None and _few(bad_tcvn3, latin):
        try:
            return data.decode("cp1252")  # the TCVN3 cells are decoded with the rest of the workbook
        except UnicodeDecodeError:
            return latin
    if len(_VNI.findall(latin)) >= 3:
        message = (
            "Tệp CSV được gõ bằng bảng mã VNI (phông VNI-Times): hệ thống chưa đọc được bảng mã này. Hãy chuyển "
            "sang Unicode (ví dụ bằng công cụ chuyển mã của Unikey) hoặc lưu thành tệp Excel .xlsx rồi tải lên lại."
        )
    else:
        message = (
            "Không nhận ra bảng mã chữ của tệp CSV (không phải UTF-8, UTF-16, Windows-1258 hay TCVN3). Hãy mở tệp "
            "bằng Excel và lưu lại dưới dạng «CSV UTF-8» hoặc tệp Excel .xlsx."
        )
    raise ReturnRejected([Finding(file_name, message, rule="encoding")])


def _unexplained(text: str) -> int:
    """How many characters of a decoded text are neither ASCII, nor a Vietnamese letter, nor usual punctuation,
    plus the words with two tone marks (a Vietnamese syllable has one: VNI read as TCVN3 gives «ủụn»)."""
    text = _QUOTES.sub("", text)
    odd = sum(1 for ch in text if not ch.isascii() and ch not in VIETNAMESE_LETTERS and ch not in _PUNCTUATION)
    return odd + sum(1 for w in re.findall(r"\w+", text) if sum(ch in _TONED for ch in w) > 1)


def _few(bad: int, text: str) -> bool:
    """At most one unexplained character in a hundred non-ASCII ones (a stray symbol, not a wrong encoding)."""
    return bad * 100 <= max(1, sum(1 for ch in text if not ch.isascii()))
