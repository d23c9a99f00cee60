"""Command line over the data-access layer, for scripting and checking:

python -m dashboard.query member_good --year 2024
python -m dashboard.query internet_none --year 2025 --type xom --by commune
python -m dashboard.query --list
python -m dashboard.query progress [--target T000-16] [--scope province|unit|type]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from dashboard import data, registry
from dashboard.scope import Filters, Scope
from etl.settings import PARQUET_DIR

BY = {
    "commune": "unit",
    "unit": "unit",
    "level": "level",
    "type": "type",
    "year": "year",
    "branch": "branch",
    "subgroup": "subgroup",
}
LABEL_OF = {"unit_code": "unit_name", "level": "level_label", "branch_type": "type_label"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["progress"]:
        return _progress(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m dashboard.query", description="In chỉ tiêu ra CSV.")
    ap.add_argument("indicator", nargs="?", help="mã chỉ tiêu (xem --list)")
    ap.add_argument("--list", action="store_true", help="liệt kê các chỉ tiêu")
    ap.add_argument("--year", type=int, action="append", default=[])
    ap.add_argument("--commune", action="append", default=[], help="mã đơn vị (lặp lại để chọn nhiều)")
    ap.add_argument("--level", action="append", default=[])
    ap.add_argument("--type", action="append", default=[])
    ap.add_argument("--by", action="append", choices=sorted(BY), default=[])
    ap.add_argument("--subgroup", default=None)
    ap.add_argument("--scope-commune", default=None, help="chạy với quyền của một đảng bộ xã (mã đơn vị)")
    ap.add_argument("--root", type=Path, default=PARQUET_DIR, help=argparse.SUPPRESS)  # another store (tests)
    a = ap.parse_args(argv)
    if a.list or not a.indicator:
        for ind in registry.indicators().values():
            subs = f" [{', '.join(ind.subgroups)}]" if ind.subgroups else ""
            print(f"{ind.id}\t{ind.label}\t{ind.numerator} / {ind.denominator}{subs}")
        return 0
    a.indicator = registry.resolve(a.indicator)  # an old id (a script written before a rename) still works
    if a.indicator not in registry.indicators():
        print(f"Không có chỉ tiêu «{a.indicator}». Dùng --list để xem danh sách.", file=sys.stderr)
        return 2
    scope = Scope.commune(a.scope_commune) if a.scope_commune else Scope.province()
    f = Filters(tuple(a.year), tuple(a.commune), tuple(a.level), tuple(a.type))
    by = tuple(dict.fromkeys(BY[b] for b in a.by)) or ("year",)
    df = data.indicator(a.indicator, f, scope, by=by, subgroup=a.subgroup, root=a.root)
    grain = [data.BY_COLUMNS[b] for b in by]
    cols = []
    for g in grain:
        cols.append(g)
        if g in LABEL_OF:
            cols.append(LABEL_OF[g])
    sys.stdout.write(df.select(*cols, "numerator", "denominator", pl.col("value").round(4)).write_csv())
    return 0


def _progress(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.query progress", description="Tiến độ đạt mục tiêu.")
    ap.add_argument("--target", default=None)
    ap.add_argument("--scope", choices=["province", "unit", "type"], default="province")
    ap.add_argument("--root", type=Path, default=PARQUET_DIR, help=argparse.SUPPRESS)  # another store (tests)
    a = ap.parse_args(argv)
    df = data.progress(Scope.province(), target_id=a.target, scope_kind=a.scope, root=a.root)
    cols = [
        "target_id",
        "indicator_id",
        "subgroup",
        "scope_kind",
        "scope_code",
        "target_value",
        "comparator",
        "deadline",
        "baseline_year",
        "baseline",
        "latest_year",
        "latest",
        "observed_pace",
        "required_pace",
        "ratio",
        "projection",
        "status",
        "gap_units",
    ]
    sys.stdout.write(df.select(cols).with_columns(pl.col(pl.Float64).round(4)).write_csv())
    return 0


if __name__ == "__main__":
    sys.exit(main())
