"""The documents from the command line:

python -m reports situation --year 2025 [--unit CODE] -o FILE.docx    the situation report (Word)
python -m reports brief --unit CODE --year 2025 -o FILE.pdf           the one-page brief on a unit (PDF)
python -m reports briefs --year 2025 -o DIR                           the brief of every unit, with progress

Runs with the province's rights, or a commune's with --scope-commune CODE. Messages are in Vietnamese; a problem
(unknown unit or year, missing font, no data) is one line on stderr and exit code 1, never a traceback."""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from dashboard import data
from dashboard.scope import Scope
from etl import argparse_vi  # noqa: F401  (argparse's own words in Vietnamese)
from etl.settings import PARQUET_DIR
from forms import fonts
from reports import brief, situation
from reports.figures import AccessDenied, UnknownUnit

USAGE = """Cách dùng:
  python -m reports situation --year 2025 [--unit MÃ] -o TỆP.docx
  python -m reports brief --unit MÃ --year 2025 -o TỆP.pdf
  python -m reports briefs --year 2025 -o THƯ_MỤC"""


class _Parser(argparse.ArgumentParser):
    """argparse, with its error in Vietnamese (etl/argparse_vi.py: its own message names the wrong or missing
    option) and the usage written out."""

    def error(self, message: str):
        self.exit(2, f"Lệnh không đúng ({message}).\n{USAGE}\n")


def main(argv: list[str] | None = None) -> int:
    ap = _Parser(prog="python -m reports", description="Lập báo cáo thực trạng và bản tóm tắt.")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, text in (
        ("situation", "báo cáo thực trạng (Word)"),
        ("brief", "bản tóm tắt một đơn vị (PDF)"),
        ("briefs", "bản tóm tắt của mọi đơn vị (PDF)"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("--year", type=int, required=True, help="năm báo cáo")
        if name != "briefs":
            p.add_argument("--unit", required=name == "brief", default=None, help="mã đơn vị (mặc định: toàn tỉnh)")
        p.add_argument("-o", "--out", type=Path, required=True, help="tệp (hoặc thư mục với «briefs») để ghi")
        p.add_argument("--scope-commune", default=None, help="chạy với quyền của một đảng bộ xã (mã đơn vị)")
        p.add_argument("--root", type=Path, default=PARQUET_DIR, help=argparse.SUPPRESS)  # another store (tests)
    a = ap.parse_args(argv)
    scope = Scope.commune(a.scope_commune) if a.scope_commune else Scope.province()
    try:
        return _run(a, scope)
    except (AccessDenied, UnknownUnit, fonts.FontMissing) as e:
        print(str(e), file=sys.stderr)
        return 1
    except OSError as e:
        why = {errno.ENOENT: "thư mục không tồn tại", errno.EACCES: "không có quyền ghi", errno.ENOSPC: "đĩa đầy"}
        print(f"Không ghi được «{e.filename or a.out}» ({why.get(e.errno, 'lỗi ghi tệp')}).", file=sys.stderr)
        return 1


def _run(a: argparse.Namespace, scope: Scope) -> int:
    years = data.years(root=a.root)
    if a.year not in years:
        have = ", ".join(map(str, years)) or "chưa có năm nào"
        print(f"Không có số liệu năm {a.year} (dữ liệu đã nạp: {have}).", file=sys.stderr)
        return 1
    if a.command == "situation":
        blob = situation.build(a.year, scope, a.unit, root=a.root)
        a.out.write_bytes(blob)
        print(f"Đã ghi báo cáo thực trạng năm {a.year} vào {a.out}.")
        return 0
    if a.command == "brief":
        fonts.font_dir()  # say so before any work if the PDF cannot be made
        a.out.write_bytes(brief.build(a.year, scope, a.unit, root=a.root))
        print(f"Đã ghi bản tóm tắt của đơn vị {a.unit} năm {a.year} vào {a.out}.")
        return 0
    fonts.font_dir()
    a.out.mkdir(parents=True, exist_ok=True)
    n = 0
    for i, total, u, pdf in brief.each(a.year, scope, root=a.root):
        (a.out / brief.file_name(a.year, u)).write_bytes(pdf)
        print(f"[{i}/{total}] {brief.file_name(a.year, u)}", file=sys.stderr, flush=True)
        n = total
    print(f"Đã ghi {n} bản tóm tắt năm {a.year} vào {a.out}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
