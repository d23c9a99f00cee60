"""Command line of the ETL: `python -m etl sample | load FILE… | template | status`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from etl.findings import os_reason
from etl.load import load_files, read_paths
from etl.province import load_province
from etl.settings import PARQUET_DIR, SAMPLES_DIR
from etl.store import current_snapshot, recover

# argparse's own words (usage, errors) in Vietnamese: nothing in English reaches the user.
_ARGPARSE_VI = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tuỳ chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "không hiểu tham số: %s",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "không có lệnh %(value)r (chọn một trong: %(choices)s)",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s": "tuỳ chọn chưa rõ: %(option)s có thể là %(matches)s",
    "not allowed with argument %s": "không dùng được cùng %s",
    "ignored explicit argument %r": "bỏ qua giá trị %r",
    "one of the arguments %s is required": "cần một trong các tham số %s",
}
argparse._ = lambda text: _ARGPARSE_VI.get(text, text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl", description="Nạp báo cáo hằng năm vào kho dữ liệu Parquet.")
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="LỆNH", title="các lệnh")
    s = sub.add_parser("sample", help="viết các báo cáo mẫu (giả lập) 2021–2025 và năm minh hoạ 2026, rồi nạp chúng")
    s.add_argument("--out", type=Path, default=None, metavar="THƯ_MỤC", help="thư mục ghi báo cáo mẫu")
    s.add_argument("--no-load", action="store_true", help="chỉ viết tệp, không nạp")
    s.add_argument("--force", action="store_true", help="thay cả dữ liệu thật đang có")
    ld = sub.add_parser("load", help="nạp một hoặc nhiều tệp báo cáo (.xlsx, .xls, .ods, .csv)")
    ld.add_argument("files", nargs="+", type=Path, metavar="TỆP", help="tệp báo cáo")
    ld.add_argument("--user", default="cli", metavar="TÊN", help="người nạp, ghi vào nhật ký (mặc định: cli)")
    ld.add_argument("--partial", action="store_true", help="nạp các tệp hợp lệ dù có tệp bị từ chối")
    t = sub.add_parser("template", help="viết biểu mẫu trống hoặc điền sẵn danh sách chi bộ, đảng bộ năm trước")
    t.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị (ví dụ 01273)")
    t.add_argument("--year", type=int, required=True, metavar="NĂM", help="năm báo cáo")
    t.add_argument("--prefill", action="store_true", help="điền sẵn danh sách chi bộ, đảng bộ năm trước từ kho dữ liệu")
    t.add_argument("-o", "--output", type=Path, required=True, metavar="TỆP", help="tệp .xlsx sẽ viết")
    sub.add_parser("status", help="trạng thái kho dữ liệu")
    a = ap.parse_args(argv)
    province = load_province()
    msg = recover()
    if msg:
        print(msg, file=sys.stderr)

    if a.cmd == "sample":
        return build_sample(a.out, load=not a.no_load, force=a.force)
    if a.cmd == "load":
        t0 = time.perf_counter()
        files = _read_files(a.files)
        if files is None:
            return 1
        rep = load_files(files, a.user, province, partial=a.partial)
        for line in rep.summary():
            print(line)
        for m in rep.messages():
            print(m, file=sys.stderr)
        if not rep.ok:
            print(f"Không nạp: {len(rep.refused)} tệp bị từ chối; dữ liệu không thay đổi.", file=sys.stderr)
            return 1
        r = rep.result
        print(
            f"Đã nạp {r.returns} báo cáo ({r.branches} chi bộ), thay thế {r.replaced} báo cáo cũ, "
            f"trong {time.perf_counter() - t0:.2f} giây. Ảnh chụp dữ liệu: {r.snapshot}."
        )
        return 0
    if a.cmd == "template":
        from forms.prefill import write_template

        try:
            write_template(a.output, province, a.unit, a.year, prefill=a.prefill)
        except ValueError as e:  # an unknown unit: the message is Vietnamese
            print(e, file=sys.stderr)
            return 1
        except OSError as e:
            print(f"Không ghi được tệp «{a.output}»: {os_reason(e)}.", file=sys.stderr)
            return 1
        print(f"Đã viết {a.output}")
        return 0
    if a.cmd == "status":
        snap = current_snapshot()
        print(f"Kho dữ liệu: {PARQUET_DIR}\nẢnh chụp hiện hành: {snap.name if snap else '(chưa có dữ liệu)'}")
        return 0
    return 2


def _read_files(paths: list[Path]) -> list[tuple[str, bytes]] | None:
    """The files' bytes; None (and a message for each) if one cannot be read: then nothing is loaded."""
    out, failed = [], False
    for p in paths:
        try:
            out.append((p.name, p.read_bytes()))
        except OSError as e:
            print(f"Không đọc được tệp «{p}»: {os_reason(e)}.", file=sys.stderr)
            failed = True
    if failed:
        print("Không nạp: có tệp không đọc được; dữ liệu không thay đổi.", file=sys.stderr)
        return None
    return out


def build_sample(
    out: Path | None = None, load: bool = True, force: bool = False, progress=None, parallel: bool = True
) -> int:
    """Write the sample returns and (re)build the store from them: the calibrated sample of a province with
    published tables (synthetic/sample.py), or the small one a folder describes in its [sample] (synthetic/small.py)."""
    import json

    from etl.store import current_snapshot as cur
    from synthetic.sample import write_sample

    province = load_province()
    snap = cur()
    if load and snap and not force:
        manifest = json.loads((snap / "manifest.json").read_text(encoding="utf-8"))
        if not manifest.get("is_sample"):
            print("Kho đang có dữ liệu thật: dùng --force nếu thật sự muốn thay bằng dữ liệu mẫu.", file=sys.stderr)
            return 1
    out = out or SAMPLES_DIR / province.code
    t0 = time.perf_counter()
    write_progress = (lambda i, n: progress(i, n, "write")) if progress else None
    small = "sample" in province.settings  # a folder without published tables: its small synthetic sample
    if small:
        from synthetic.small import write_small_sample

        paths = write_small_sample(province, out, progress=write_progress)
    else:
        paths = write_sample(province, out, progress=write_progress, illustrative=True)
    t1 = time.perf_counter()
    print(f"Đã viết {len(paths)} báo cáo mẫu vào {out} trong {t1 - t0:.1f} giây.")
    if not load:
        return 0
    rep = load_files(
        read_paths(paths),
        "sample",
        province,
        replace_all=True,
        progress=(lambda i, n: progress(i, n, "load")) if progress else None,
        parallel=parallel,
    )
    if not rep.ok:
        for fs in rep.refused.values():
            for f in fs:
                print(f.text(), file=sys.stderr)
        return 1
    from synthetic import year2026

    if not small and year2026.cycle.period(year2026.YEAR) is None:  # the illustrative 2026's reporting period, once
        year2026.record_cycle(province, PARQUET_DIR)
    print(
        f"Đã nạp {rep.result.returns} báo cáo ({rep.result.branches} chi bộ-năm) trong "
        f"{time.perf_counter() - t1:.1f} giây."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
