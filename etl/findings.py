"""Validation findings: what is wrong, where (file, sheet, Excel row and column), in Vietnamese."""

from __future__ import annotations

import errno
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    file: str
    message: str
    sheet: str = ""
    row: int | None = None  # 1-based Excel row
    column: str = ""  # Excel column letter
    field: str = ""  # the column's Vietnamese header
    rule: str = ""
    severity: str = "error"  # "error" blocks the load, "warning" is reported only

    def where(self) -> str:
        parts = [f"Tệp «{self.file}»"]
        if self.sheet:
            parts.append(f"trang «{self.sheet}»")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột {self.column}" + (f" ({self.field})" if self.field else ""))
        elif self.field:
            parts.append(f"cột «{self.field}»")
        return ", ".join(parts)

    def text(self) -> str:
        return f"{self.where()}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


class ReturnRejected(Exception):
    """A workbook that cannot be loaded; nothing of it is loaded. `rows` counts what was read of its sheets
    (`annual_return.rows.SheetRows`), when it got that far."""

    def __init__(self, findings: list[Finding], rows: tuple = ()):
        self.findings = findings
        self.rows = rows
        errors = [f for f in findings if f.severity == "error"]
        super().__init__("\n".join(f.text() for f in errors[:20]))


# An operating-system error in words a user can act on (the exception's own English text is never shown).
_OS_REASONS = {
    errno.ENOENT: "không có tệp hoặc thư mục này",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ENOTDIR: "đường dẫn có phần không phải thư mục",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EDQUOT: "đã hết hạn mức dung lượng đĩa",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không có quyền truy cập",
    errno.EROFS: "ổ đĩa chỉ cho phép đọc",
    errno.EIO: "lỗi đọc ghi ổ đĩa",
}


def os_reason(e: BaseException) -> str:
    """Why a file operation failed, in Vietnamese."""
    return _OS_REASONS.get(getattr(e, "errno", None), "lỗi hệ thống khi đọc hoặc ghi tệp")


def col_letter(i: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 27 -> AB)."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s
