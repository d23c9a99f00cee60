"""Command line of the ETL: `python -m etl sample | load FILE… | template | status`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from etl.load import load_files, read_paths
from etl.province import load_province
from etl.settings import PARQUET_DIR, SAMPLES_DIR
from etl.store import current_snapshot, recover


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl", description="Nạp báo cáo hằng năm vào kho dữ liệu Parquet.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample", help="viết các báo cáo mẫu (giả lập) 2021–2025 và nạp chúng")
    s.add_argument("--out", type=Path, default=None, help="thư mục ghi báo cáo mẫu")
    s.add_argument("--no-load", action="store_true", help="chỉ viết tệp, không nạp")
    s.add_argument("--force", action="store_true", help="thay cả dữ liệu thật đang có")
    ld = sub.add_parser("load", help="nạp một hoặc nhiều tệp báo cáo (.xlsx, .xls, .csv)")
    ld.add_argument("files", nargs="+", type=Path)
    ld.add_argument("--user", default="cli")
    ld.add_argument("--partial", action="store_true", help="nạp các tệp hợp lệ dù có tệp bị từ chối")
    t = sub.add_parser("template", help="viết biểu mẫu trống hoặc điền sẵn danh sách chi bộ năm trước")
    t.add_argument("--unit", required=True, help="mã đơn vị (ví dụ 01273)")
    t.add_argument("--year", type=int, required=True)
    t.add_argument("--prefill", action="store_true", help="điền sẵn danh sách chi bộ năm trước từ kho dữ liệu")
    t.add_argument("-o", "--output", type=Path, required=True)
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
        rep = load_files(read_paths(a.files), a.user, province, partial=a.partial)
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

        write_template(a.output, province, a.unit, a.year, prefill=a.prefill)
        print(f"Đã viết {a.output}")
        return 0
    if a.cmd == "status":
        snap = current_snapshot()
        print(f"Kho dữ liệu: {PARQUET_DIR}\nẢnh chụp hiện hành: {snap.name if snap else '(chưa có dữ liệu)'}")
        return 0
    return 2


def build_sample(
    out: Path | None = None, load: bool = True, force: bool = False, progress=None, parallel: bool = True
) -> int:
    """Write the calibrated sample returns and (re)build the store from them."""
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
    paths = write_sample(province, out, progress=(lambda i, n: progress(i, n, "write")) if progress else None)
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
    print(
        f"Đã nạp {rep.result.returns} báo cáo ({rep.result.branches} chi bộ-năm) trong "
        f"{time.perf_counter() - t1:.1f} giây."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
