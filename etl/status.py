"""What a data folder holds, in words, wherever someone may ask (`python -m etl status`, the app's status line, the
admin page): the kind of store — the synthetic sample or the province's real returns (etl/store.py `kind`) —, the
returns loaded year by year, and the years whose history comes from the published Biểu instead."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl.settings import PARQUET_DIR
from etl.store import REAL, SAMPLE, current_snapshot, kind

# The published tables that give a figure per year (Biểu 03: branch ratings, Biểu 07: member ratings); Biểu 04–06
# give one year, the latest of Biểu 03 (queries/40_progress/prg_published.sql).
_YEARLY = ("ref_bieu03", "ref_bieu07")


@dataclass(frozen=True)
class Status:
    root: Path
    kind: str | None
    returns: dict[int, int]  # year -> units with a return loaded
    sample_returns: int  # returns that say they are the sample (all of a sample store's, none of a real one's)
    published: tuple[int, ...]  # years of the published Biểu without any return loaded: the history shown from them
    units: int  # units of the province's configuration
    tables_year: int | None = None  # the year of the published tables without a year column (Biểu 04–06)

    def headline(self) -> str:
        """One line: which store this is."""
        if self.kind is None:
            return "Chưa có kho dữ liệu."
        if self.kind == SAMPLE:
            return "Kho dữ liệu mẫu (trình diễn): số liệu dưới cấp tỉnh là giả lập."
        return "Kho dữ liệu thật: chỉ có báo cáo thật của các đơn vị, không có dữ liệu mẫu."

    def short(self) -> str:
        """The app's status line: the kind, the years loaded, the years from published tables."""
        if self.kind != REAL:
            return self.headline()
        loaded = ", ".join(f"{y} ({n}/{self.units} đơn vị)" for y, n in self.returns.items()) or "chưa có"
        text = f"Dữ liệu thật · báo cáo đã nạp: {loaded}"
        if self.published:
            text += f" · {_span(self.published)}: số liệu toàn tỉnh đã công bố (Biểu)"
        return text + "."

    def lines(self) -> list[str]:
        """Everything `python -m etl status` says about the store."""
        out = [self.headline(), f"Thư mục kho: {self.root}"]
        if self.kind is None:
            out.append(
                "Tạo kho dữ liệu thật: python -m etl init · hoặc kho dữ liệu mẫu để trình diễn: python -m etl sample"
            )
            return out
        what = "Báo cáo mẫu" if self.kind == SAMPLE else "Báo cáo đã nạp"
        out.append(f"{what}: " + ("chưa có." if not self.returns else ""))
        out += [f"  năm {y}: {n}/{self.units} đơn vị" for y, n in self.returns.items()]
        if self.kind == REAL and self.published:
            infra = (
                f"; Internet, máy tính năm {self.tables_year}: Biểu 04" if self.tables_year in self.published else ""
            )
            out.append(
                f"Lịch sử {_span(self.published)}: chưa nạp báo cáo; xu hướng và năm gốc của mục tiêu toàn tỉnh dùng số "
                f"liệu đã công bố (xếp loại chi bộ: Biểu 03; xếp loại đảng viên: Biểu 07{infra}), ghi rõ là số liệu đã "
                "công bố."
            )
        if self.kind == REAL and self.tables_year and self.returns.get(self.tables_year, 0) < self.units:
            out.append(
                f"Các xã chưa nạp báo cáo năm {self.tables_year}: năm đó dùng số liệu đã công bố của từng xã (Biểu 05, "
                "06: trưởng xóm và đoàn thể là đảng viên, chi bộ xóm dưới 3 đảng viên, bí thư kiêm nhiệm)."
            )
        if self.kind == REAL and self.sample_returns:
            out.append(
                f"CẢNH BÁO: kho thật này có {self.sample_returns} báo cáo mẫu (giả lập), nạp trước khi kho mẫu và kho "
                "thật được tách riêng: hãy tạo kho thật mới (python -m etl init ở thư mục khác) và nạp lại báo cáo thật."
            )
        return out


def _span(years: tuple[int, ...]) -> str:
    """(2021, 2022, 2023) -> «2021–2023»; years with gaps are listed."""
    if len(years) > 1 and years == tuple(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def status(root: Path = PARQUET_DIR, units: int | None = None) -> Status:
    """The store under root as it is now (read from its current snapshot; nothing is written)."""
    if units is None:
        from etl.province import load_province

        units = len(load_province().units)
    snap = current_snapshot(root)
    returns, sample, published, tables_year = {}, 0, (), None
    if snap is not None:
        df = pl.read_parquet(snap / "returns" / "*" / "*.parquet", hive_partitioning=True)
        df = df.filter(pl.col("year") > 0)
        returns = {int(y): n for y, n in df.group_by("year").agg(pl.col("unit_code").n_unique()).sort("year").rows()}
        sample = int(df["is_sample"].sum())
        yearly = set()
        for name in _YEARLY:
            if (snap / f"{name}.parquet").exists():
                yearly |= set(pl.read_parquet(snap / f"{name}.parquet")["year"].cast(pl.Int64).to_list())
        published = tuple(sorted(y for y in yearly if y not in returns))
        tables_year = max(yearly, default=None)
    return Status(root, kind(root), returns, sample, published, units, tables_year)
