"""What each row of a table sheet is. A row is data (a branch, a committee member, a village), or one of the rows
offices type around the data — numbering, section title, subtotal («Cộng»), total («Tổng cộng»), the signature
block, a note — or a row nobody can read, which is an error. No non-empty row is passed over unseen, and each
sheet's rows are counted by kind for the load's summary.

Text in the signature block (place and date, «Người lập biểu», «T/M Ban Thường vụ», the signers' names) is
recognised and skipped, never quoted in a message: the store holds no personal names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from etl.codes import resolve
from etl.findings import Finding
from etl.schema import SheetSpec
from etl.text import fold, vn_int

# Row kinds in the order the summary lists them, with their Vietnamese names; "data" is named by the sheet.
KINDS = {
    "title": "dòng tiêu đề trang",
    "header": "dòng tên cột",
    "numbering": "dòng đánh số cột",
    "data": "",
    "blank": "dòng trống chỉ có số thứ tự",
    "section": "dòng tên nhóm",
    "subtotal": "dòng cộng nhóm",
    "total": "dòng tổng cộng",
    "signature": "dòng phần ký tên",
    "note": "dòng ghi chú",
    "unknown": "dòng không đọc được (báo lỗi)",
}
DATA_NOUN = {
    "branches": "chi bộ",
    "committee": "cấp uỷ viên",
    "heads": "chi bộ xóm (tổ dân phố)",
    "meetings": "chi bộ",
    "orgs": "đảng bộ",
}


@dataclass(frozen=True)
class SheetRows:
    """How many non-empty rows one sheet of one file has, by kind."""

    file: str
    sheet: str
    table: str  # the sheet's role: branches, committee, heads
    counts: tuple[tuple[str, int], ...]  # (kind, rows), in KINDS order, kinds with rows only

    @property
    def read(self) -> int:
        return sum(n for _, n in self.counts)

    def count(self, kind: str) -> int:
        return dict(self.counts).get(kind, 0)

    def parts(self) -> str:
        """«48 chi bộ, 3 dòng cộng nhóm, 1 dòng tổng cộng»."""
        return ", ".join(f"{vn_int(n)} {KINDS[k] or DATA_NOUN[self.table]}" for k, n in self.counts)

    def text(self) -> str:
        return f"Tệp «{self.file}», trang «{self.sheet}»: đọc {vn_int(self.read)} dòng — {self.parts()}."


def sheet_rows(file: str, sheet: str, table: str, kinds: dict[str, int]) -> SheetRows:
    return SheetRows(file, sheet, table, tuple((k, kinds[k]) for k in KINDS if kinds.get(k)))


def summary_frame(rows: list[SheetRows]) -> pl.DataFrame:
    """The summary as a table: file, sheet, rows read, what they were."""
    return pl.DataFrame(
        {
            "file": [r.file for r in rows],
            "sheet": [r.sheet for r in rows],
            "read": [r.read for r in rows],
            "parts": [r.parts() for r in rows],
        },
        schema={"file": pl.String, "sheet": pl.String, "read": pl.Int64, "parts": pl.String},
    )


# All matched on `fold` (no case, no diacritics) unless said otherwise; cells are NFC already.

_TOTAL = re.compile(r"(tong cong|tong so|cong chung|cong toan|toan dang bo)\b.*|tong")
# «Cộng» with its diacritics (folded, «Công an…», «Công ty…» would read the same); typed without them, only
# «Cong» alone or followed by a label.
_SUBTOTAL = re.compile(r"cộng(?!\s*(hoà|hòa|đồng|sản|tác))\b\s*[:.]?\s*(.*)", re.I)
_SUBTOTAL_ASCII = re.compile(r"cong(?: (?:muc |nhom |khoi )?([ivx]+|[a-z]|\d{1,2}))?")
_ROMAN = r"[IVX]+"
_LABEL = re.compile(rf"\(?({_ROMAN}|[A-Z]|\d{{1,2}}(?:\.\d{{1,2}})*|[a-z])\s*[.):\-–]\s*(.*)", re.S)
_LABEL_ALONE = re.compile(rf"\(?({_ROMAN}|[A-Z]|[a-z])\)?")
_GROUP_WORDS = re.compile(r"(khoi|cac chi bo|chi bo truc thuoc|dang bo bo phan|nhom|loai hinh)\b")
_DATE = re.compile(r"\bngay\b.*\bthang\b.*\bnam\b")
_ROLE = re.compile(
    r"(t m|tm|k t|kt|t l|tl|thay mat|ky thay|thua lenh)\b"
    r"|(nguoi|can bo) (lap|tong hop|bao cao|kiem tra|duyet)\b"
    r"|(pho )?bi thu\b|chu tich\b|thu truong\b|xac nhan\b|ban thuong vu\b|thuong truc\b"
)
_SIGN_HINT = re.compile(r"\b(ky|ky ten|ky va)( ghi ro)? ho (va )?ten\b|\bda ky\b|\bky ten\b|\bdong dau\b")
_NOTE = re.compile(r"(ghi chu|chu thich|chu y|luu y|noi nhan|nguon so lieu)\b")


def is_total(text: str) -> bool:
    return bool(_TOTAL.fullmatch(fold(text)))


def subtotal_ref(text: str) -> str | None:
    """For a «Cộng …» cell the folded rest («i», «khoi dang», or «» for a plain «Cộng»); None if it is not one."""
    m = _SUBTOTAL.match(text.strip())
    if m:
        return fold(m.group(2) or "")
    if text.isascii():
        m = _SUBTOTAL_ASCII.fullmatch(fold(text))
        if m:
            return m.group(1) or ""
    return None


@dataclass(frozen=True)
class Label:
    """A section's label («I», «A», «1.2», «a») and its style, which gives the section's level."""

    text: str
    style: str  # roman | letter | arabic | lower


def section_label(text: str) -> tuple[Label | None, str]:
    """The label at the start of a section title and the title after it («II. Chi bộ xóm» -> II, «Chi bộ xóm»)."""
    s = text.strip()
    m = _LABEL_ALONE.fullmatch(s) or _LABEL.fullmatch(s)
    if not m:
        return None, s
    lab = m.group(1)
    style = (
        "roman"
        if re.fullmatch(_ROMAN, lab)
        else "letter"
        if re.fullmatch(r"[A-Z]", lab)
        else "lower"
        if re.fullmatch(r"[a-z]", lab)
        else "arabic"
    )
    return Label(lab, style), (m.group(2).strip() if m.lastindex and m.lastindex >= 2 else "")


def is_signature(texts: list[str]) -> bool:
    """A line of the signature block: place and date, a signer's title (a short line: «Bí thư chi bộ kiêm trưởng
    xóm: 12» is no signature), «(Ký, ghi rõ họ tên)»."""
    for t in texts:
        f = fold(t)
        if _DATE.search(f) or _SIGN_HINT.search(f) or (_ROLE.match(f) and len(f.split()) <= 8):
            return True
    return False


def is_note(text: str) -> bool:
    return text.lstrip().startswith(("*", "(*)")) or bool(_NOTE.match(fold(text)))


def looks_like_section(text: str, merged_wide: bool) -> bool:
    """A title typed inside the table: labelled («I. …», «II» alone), in capitals, merged across the table,
    starting with a group word («Khối …», «Các chi bộ …»), or the name of a level or a type of branch
    («Chi bộ cơ sở», «Chi bộ xóm, tổ dân phố»)."""
    if section_label(text)[0] is not None:
        return True
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 3 and all(c.isupper() for c in letters):
        return True
    return (
        merged_wide
        or bool(_GROUP_WORDS.match(fold(text)))
        or resolve("level", text) is not None
        or resolve("branch_type", text) is not None
    )


def texts_of(row: list[Any]) -> list[tuple[int, str]]:
    """The row's non-empty text cells with their column."""
    return [(j, v) for j, v in enumerate(row) if isinstance(v, str) and v.strip()]


@dataclass
class Table:
    """One sheet as read: its typed rows (None if the sheet is missing), the sheet's own name, the Excel column
    letter of each column found (so that later checks can name the cell) and its rows counted by kind."""

    spec: SheetSpec
    sheet: str
    frame: pl.DataFrame | None
    letters: dict[str, str] = field(default_factory=dict)
    rows: SheetRows | None = None

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
