"""Validation findings: what is wrong, where (file, sheet, Excel row and column), in Vietnamese."""

from __future__ import annotations

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
    """A workbook that cannot be loaded; nothing of it is loaded."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        errors = [f for f in findings if f.severity == "error"]
        super().__init__("\n".join(f.text() for f in errors[:20]))
