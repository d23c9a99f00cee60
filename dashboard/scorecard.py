"""The one-look scorecard (pure: data in, table out): units × key indicators, each cell the value with a text mark of
its judgement — significantly better / similar / worse than the province (funnel, docs/METHODS.md §3) or against the
target (red/amber/green, docs/METHODS.md §2) — so colour is never the only sign."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboard import fmt, methods
from dashboard.registry import Indicator

# the mark and the background of each judgement (colour-blind safe tints of the Okabe–Ito blue and vermilion)
FUNNEL_STYLE = {"better": ("▲", "#cfe2f3"), "similar": ("●", ""), "worse": ("▼", "#f8d3c0")}
RAG_STYLE = {"green": ("✓", "#cde8d6"), "amber": ("◐", "#fbe7b5"), "red": ("✗", "#f8c9b8")}
MODES = {"funnel": "So với toàn tỉnh (kiểm định phễu 95%)", "rag": "So với mục tiêu (đạt / gần đạt / chưa đạt)"}


@dataclass(frozen=True)
class Column:
    """One indicator of the scorecard: its registry entry, the province value and (for «rag») its target."""

    ind: Indicator
    province: float | None
    target: float | None = None


def judge(mode: str, c: Column, numerator: int, denominator: int) -> str | None:
    """The judgement code of one cell (None when it cannot be judged)."""
    if not denominator:
        return None
    value = numerator / denominator * 100
    if mode == "rag":
        return methods.rag(value, c.target, c.ind.polarity) if c.target is not None else None
    if c.province is None:
        return None
    return methods.funnel_against(numerator, denominator, c.province, c.ind.polarity)


def build(units: pl.DataFrame, values: dict[str, pl.DataFrame], columns: dict[str, Column], mode: str) -> pl.DataFrame:
    """One row per unit: `<id>` the value (%), `<id>_text` «96,70% ▲», `<id>_judgement` its code, and
    `worse` the number of its cells judged worse (or red), for sorting.

    `values`: indicator id → data.indicator(…, by=("unit",)) of the year on screen."""
    styles = FUNNEL_STYLE if mode == "funnel" else RAG_STYLE
    bad = "worse" if mode == "funnel" else "red"
    out = units.select("unit_code", "unit_full_name")
    for i, c in columns.items():
        v = values[i].select("unit_code", "numerator", "denominator", "value")
        j = [judge(mode, c, n, d) for n, d in zip(v["numerator"], v["denominator"])]
        v = v.with_columns(pl.Series(f"{i}_judgement", j, dtype=pl.String)).rename({"value": i})
        out = out.join(v.drop("numerator", "denominator"), on="unit_code", how="left")
        text = [
            fmt.pct(x) + (f" {styles[j][0]}" if j else "") for x, j in zip(out[i], out[f"{i}_judgement"], strict=True)
        ]
        out = out.with_columns(pl.Series(f"{i}_text", text, dtype=pl.String))
    flags = [pl.col(f"{i}_judgement").fill_null("") == bad for i in columns]
    return out.with_columns(pl.sum_horizontal(*flags).alias("worse"))


def sort(table: pl.DataFrame, by: str, columns: dict[str, Column]) -> pl.DataFrame:
    """By the number of bad cells (most first), or by one indicator, worst value first."""
    if by == "worse":
        return table.sort("worse", "unit_full_name", descending=[True, False], nulls_last=True)
    return table.sort(by, descending=columns[by].ind.polarity == -1, nulls_last=True)


def background(table: pl.DataFrame, columns: dict[str, Column], mode: str) -> list[list[str]]:
    """The CSS background of every shown cell (unit name first), row by row."""
    styles = FUNNEL_STYLE if mode == "funnel" else RAG_STYLE
    rows = []
    for r in table.iter_rows(named=True):
        cells = [""]
        for i in columns:
            j = r[f"{i}_judgement"]
            cells.append(f"background-color: {styles[j][1]}" if j and styles[j][1] else "")
        rows.append(cells)
    return rows
