"""Command line of the ETL: `python -m etl init | sample | load FILE… | template | status | backup OUT | restore IN`.

A data folder (PARTYDASH_DATA, default data/) holds one store, of one kind for good (etl/store.py `kind`): `init`
creates the real one, empty; `sample` builds the synthetic sample, for demonstrations, in a folder without a real
store. A load never switches a store's kind: returns of the other kind are refused."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from etl import argparse_vi  # noqa: F401  (argparse's own words in Vietnamese)
from etl.findings import os_reason
from etl.load import load_files, read_paths
from etl.province import load_province
from etl.settings import PARQUET_DIR, SAMPLES_DIR
from etl.store import REAL, StoreError, create, kind, recover
from etl.text import vn_int, vn_num


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl", description="Nạp báo cáo hằng năm vào kho dữ liệu Parquet.")
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="LỆNH", title="các lệnh")
    sub.add_parser("init", help="tạo kho dữ liệu thật (trống) để nạp báo cáo thật; không bao giờ có dữ liệu mẫu")
    s = sub.add_parser(
        "sample",
        help="viết các báo cáo mẫu (giả lập) 2021–2025 và năm minh hoạ 2026, rồi nạp vào kho dữ liệu mẫu "
        "(không bao giờ vào kho thật)",
    )
    s.add_argument("--out", type=Path, default=None, metavar="THƯ_MỤC", help="thư mục ghi báo cáo mẫu")
    s.add_argument("--no-load", action="store_true", help="chỉ viết tệp, không nạp")
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
    b = sub.add_parser("backup", help="sao lưu kho dữ liệu và người dùng (được cả khi ứng dụng đang chạy)")
    b.add_argument("out", type=Path, metavar="TỆP", help="tệp sao lưu sẽ ghi (.tar hoặc .tar.gz)")
    r = sub.add_parser("restore", help="khôi phục từ một bản sao lưu (ứng dụng phải dừng)")
    r.add_argument("archive", type=Path, metavar="TỆP", help="tệp sao lưu")
    r.add_argument("--replace", action="store_true", help="thay dữ liệu đang có (chuyển sang before-restore-…)")
    a = ap.parse_args(argv)
    os.umask(0o077)  # what the ETL writes is the service's user's alone
    if a.cmd in ("sample", "load", "backup", "restore"):
        from etl import state
        from etl.settings import DATA_DIR

        try:
            state.check_owner(DATA_DIR)
        except state.StateError as e:
            print(e, file=sys.stderr)
            return 1
    if a.cmd in ("backup", "restore"):
        return _state(a)
    province = load_province()
    msg = recover()
    if msg:
        print(msg, file=sys.stderr)

    if a.cmd == "init":
        return init(province)
    if a.cmd == "sample":
        return build_sample(a.out, load=not a.no_load)
    if a.cmd == "load":
        if kind() is None:  # which store real returns go to is chosen by creating it, never by a load
            print(
                f"Chưa có kho dữ liệu ở {PARQUET_DIR}. Tạo kho dữ liệu thật trước: python -m etl init", file=sys.stderr
            )
            return 1
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
            f"Đã nạp {vn_int(r.returns)} báo cáo ({vn_int(r.branches)} chi bộ), thay thế {vn_int(r.replaced)} báo cáo cũ, "
            f"trong {vn_num(time.perf_counter() - t0, 2)} giây. Ảnh chụp dữ liệu: {r.snapshot}."
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
        from etl.status import status

        print("\n".join(status(units=len(province.units)).lines()))
        return 0
    return 2


def _state(a: argparse.Namespace) -> int:
    """backup / restore (etl/state.py)."""
    from etl import state

    try:
        if a.cmd == "backup":
            m = state.backup(a.out)
            print(
                f"Đã sao lưu vào {a.out.resolve()}: ảnh chụp {m['snapshot'] or '(kho trống)'}, {len(m['files'])} tệp."
            )
            return 0
        m = state.restore(a.archive, replace=a.replace)
    except state.StateError as e:
        print(e, file=sys.stderr)
        return 1
    print(
        f"Đã khôi phục bản sao lưu lúc {m['created_at']} (ảnh chụp {m['snapshot'] or '(kho trống)'}). "
        "Hãy khởi động lại ứng dụng."
    )
    return 0


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


def init(province) -> int:
    """Create the real store of this data folder, empty (the app then opens on it: first admin, loads)."""
    try:
        created = create(REAL, province, "cli")
    except (ValueError, StoreError) as e:
        print(e, file=sys.stderr)
        return 1
    print(
        (f"Đã tạo kho dữ liệu thật ở {PARQUET_DIR}." if created else f"Kho dữ liệu thật đã có ở {PARQUET_DIR}.")
        + " Tiếp theo: nạp lịch sử (python -m etl load …), tạo quản trị viên đầu tiên "
        "(python -m dashboard.users add TÊN --role admin)."
    )
    return 0


def build_sample(out: Path | None = None, load: bool = True, progress=None, parallel: bool = True) -> int:
    """Write the calibrated sample returns and (re)build the sample store from them; never into a real store."""
    from synthetic.sample import write_sample

    province = load_province()
    if load and kind() == REAL:
        print(
            f"Thư mục {PARQUET_DIR} là kho dữ liệu thật: dữ liệu mẫu không bao giờ được nạp vào đó. Để trình diễn, "
            "tạo kho mẫu ở thư mục khác: PARTYDASH_DATA=/thu-muc-khac python -m etl sample",
            file=sys.stderr,
        )
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
    print(f"Đã viết {vn_int(len(paths))} báo cáo mẫu vào {out} trong {vn_num(t1 - t0, 1)} giây.")
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
        f"Đã nạp {vn_int(rep.result.returns)} báo cáo ({vn_int(rep.result.branches)} chi bộ-năm) trong "
        f"{vn_num(time.perf_counter() - t1, 1)} giây."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
