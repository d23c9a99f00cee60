"""The forms of the province from the command line:

python -m forms phieu-cham-diem -o phieu.pdf      the score sheet of one branch meeting (PDF, A4)
python -m forms phieu-cham-diem -o phieu.xlsx     the same as an Excel workbook

Made from the province's criteria file (data/provinces/<code>/meeting_criteria.toml, etl/criteria.py). Messages are
Vietnamese; a problem (a criteria file breaking a rule, a missing font, a file that cannot be written) is one line
on stderr and exit code 1."""

from __future__ import annotations

import sys
from pathlib import Path

from etl.criteria import CriteriaError
from etl.findings import os_reason
from etl.province import load_province

USAGE = "Cách dùng: python -m forms phieu-cham-diem -o TỆP.pdf (hoặc TỆP.xlsx)"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3 or args[0] != "phieu-cham-diem" or args[1] not in ("-o", "--out"):
        print(USAGE, file=sys.stderr)
        return 2
    out = Path(args[2])
    if out.suffix.lower() not in (".pdf", ".xlsx"):
        print(f"Tệp phải có đuôi .pdf hoặc .xlsx. {USAGE}", file=sys.stderr)
        return 2
    from forms import score_sheet
    from forms.fonts import FontMissing

    try:
        province = load_province()
        data = score_sheet.pdf(province) if out.suffix.lower() == ".pdf" else score_sheet.xlsx(province)
        out.write_bytes(data)
    except (CriteriaError, FontMissing, ValueError) as e:
        print(str(e), file=sys.stderr)
        return 1
    except OSError as e:
        print(f"Không ghi được tệp «{out}»: {os_reason(e)}.", file=sys.stderr)
        return 1
    print(f"Đã viết {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
