"""The figures built once per (snapshot, arguments, scope) and shared by the sessions that ask the same: the overview's
map and the targets' glide paths (the scope is part of the key)."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from dashboard import charts, data, filters, maps, registry
from dashboard.scope import Filters, Scope
from dashboard.ui.targets import by_urgency, target_text
from etl.settings import PARQUET_DIR


@data.cached
def overview_map(
    indicator_id: str,
    filters_: Filters,
    all_years: Filters,
    scope: Scope,
    by_province: bool = False,
    province: str | None = None,
    root: Path = PARQUET_DIR,
    width: int = maps.MAP_WIDTH,
) -> go.Figure | None:
    """The overview's map of one indicator, built once per (snapshot, indicator, filters, scope) and shared by the
    sessions that ask the same: the scope is part of the key, so no session gets a map built for another. In a
    national deployment: the provinces (by_province), or the communes of `province`."""
    ind = registry.get(indicator_id)
    level, key = ("province", "province_code") if by_province else ("unit", "unit_code")
    now = data.indicator(indicator_id, filters_, scope, by=(level,), root=root)
    hist = data.indicator(indicator_id, all_years, scope, by=(level, "year"), root=root)
    trends = {u: list(zip(g["year"].to_list(), g["value"].to_list())) for (u,), g in hist.group_by(key)}
    target = target_text(indicator_id)
    values = {
        r[key]: {**r, "trend": sorted(trends.get(r[key], [])), "target": target}
        for r in now.filter(pl.col("denominator") > 0).iter_rows(named=True)
    }
    boundaries = data.boundaries_path(province) if filters.national() else data.boundaries_path()
    if boundaries is None:
        return None
    if by_province:  # the provinces this deployment covers
        only = set(data.units(scope, root=root)["province_code"])
        return maps.commune_map(boundaries, values, ind, only=only, hint=maps.PROVINCE_HINT, width=width)
    units = data.units(scope, root=root)
    names = {r[0]: (r[1], r[2]) for r in units.select("unit_code", "unit_name", "unit_full_name").iter_rows()}
    only = {scope.unit_code} if scope.is_commune else None
    return maps.commune_map(boundaries, values, ind, only=only, names=names, width=width)


def no_map_reason() -> str:
    """Why the overview has no map: units without territory (a bloc's, committees'), or a province without a file of
    its communes' boundaries."""
    if not data.has_territory():
        return (
            "Không có bản đồ: các đơn vị ở đây (đảng bộ khối, đảng uỷ trực thuộc và các tổ chức cơ sở đảng trong cơ "
            "quan, doanh nghiệp) không gắn với địa bàn xã, phường. Số liệu theo đơn vị ở các trang chỉ tiêu và ở trang "
            "«Hồ sơ xã» (hồ sơ từng đơn vị)."
        )
    return "Tỉnh này chưa có tệp ranh giới xã, phường: bản đồ không hiển thị được."


@data.cached
def glide_paths(all_years: Filters, scope: Scope, own_only: bool, root: Path = PARQUET_DIR) -> dict[str, tuple]:
    """Each target's glide path for what the filters select: target id → (series over the complete years, figure),
    built once per (snapshot, filters, scope) and shared by the sessions that ask the same — the scope is part of
    the key, so no session gets a figure built for another."""
    p = data.progress_for(all_years, scope, root=root)
    if own_only and p.height:
        p = p.filter(pl.col("applies") == "own")
    out = {}
    for r in by_urgency(p).iter_rows(named=True):
        ind = registry.get(r["indicator_id"])
        # a target of some units or levels (Bình Lư's, the Khối's): its own scope within what is on screen
        f = data.target_filters(all_years, r["target_id"], root=root) or all_years
        complete = data.coverage(f, scope, root=root).filter("complete")["year"].to_list()
        series = data.indicator(r["indicator_id"], f, scope, subgroup=r["subgroup"], root=root)
        series = series.filter(pl.col("year").is_in(complete))
        title = f"{r['target_id']} · {ind.label_for(r['subgroup'])}"
        published = data.published(r["indicator_id"], all_years, scope, r["subgroup"], root=root)
        out[r["target_id"]] = (series, charts.glide_path(series, r, ind, title=title, published=published))
    return out
