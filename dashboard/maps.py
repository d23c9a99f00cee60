"""Map builders: communes coloured by an indicator with the real boundaries, offline (a blank «white-bg» map
style, no tile server), a classed legend, «no data» shown as such, labels and a tooltip with the trend.

Plotly's choropleth_map (MapLibre, WebGL) draws every map, not the client's suggested pydeck (deck.gl): measured in
chromium (`python -m benchmarks.mapload`, docs/PERFORMANCE.md «National map (Plotly against pydeck, in chromium)»),
the app never sends the 3,321 communes at once — a national deployment opens on the 34 provinces (0.19 MB, ≈ 4 s to
draw in software WebGL) and a click opens one province's communes (≈ 0.15 MB, ≈ 5 s); for all 3,321 communes Plotly
(7.2 MB, ≈ 12 s) still drew faster than a pydeck deck of the same units (6.5 MB, ≈ 31–34 s); a deck's click did not
reach the app (`on_select`) while Plotly's selects the unit; and the same figure exports to PNG."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import plotly.graph_objects as go

from dashboard import fmt
from dashboard.charts import FONT
from dashboard.registry import Indicator

# ColorBrewer «OrRd», 5 classes (sequential, readable for colour-blind users; the legend also states every class in
# words). Darker always means «needs attention», whichever way the indicator points: high for «chưa có Internet»,
# low for «đảng viên HTTNV».
CLASS_COLORS = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"]
# A class spans at least this many points: quantiles of a 0,6-point spread would paint noise as light versus dark.
MIN_CLASS_WIDTH = 2.0
NO_DATA_COLOR = "#d9d9d9"
NO_DATA = "Không có số liệu"


KEEP_PROPERTIES = ("code", "name", "full_name", "label_lat", "label_lon")


@cache
def _geojson(path: str) -> dict:
    """The boundaries with only the properties the map needs (smaller to send, nothing else to leak)."""
    gj = json.loads(Path(path).read_text(encoding="utf-8"))
    for f in gj["features"]:
        f["properties"] = {k: f["properties"][k] for k in KEEP_PROPERTIES}
    return gj


def classes(values: list[float], k: int = 5, min_width: float = MIN_CLASS_WIDTH) -> list[float]:
    """Class breaks (k-1 inner limits) at quantiles, rounded to a readable step; a break closer than `min_width`
    to the lowest value or to the break before it is dropped (so a narrow spread is one class)."""
    v = sorted(x for x in values if x is not None)
    if not v or v[0] == v[-1]:
        return []
    raw = [v[min(len(v) - 1, int(len(v) * i / k))] for i in range(1, k)]
    step = 1 if v[-1] - v[0] > 10 else 0.5 if v[-1] - v[0] > 2 else 0.1
    rounded = sorted({round(round(b / step) * step, 1) for b in raw})
    out: list[float] = []
    for b in rounded:
        if v[0] < b <= v[-1] and b - (out[-1] if out else v[0]) >= min_width:
            out.append(b)
    return out


def class_of(value: float | None, breaks: list[float]) -> int | None:
    if value is None:
        return None
    return sum(value >= b for b in breaks)


def legend(breaks: list[float], values: list[float] = (), polarity: int = -1) -> list[tuple[str, str]]:
    """(colour, label) per class in value order, plus «no data»; the worse end is the darkest; with a single class
    its label is the value (range) and its colour a light neutral one."""
    n = len(breaks) + 1
    shades = (
        [CLASS_COLORS[round(i * (len(CLASS_COLORS) - 1) / max(1, n - 1))] for i in range(n)]
        if n > 1
        else [CLASS_COLORS[1]]
    )
    colors = shades if polarity == -1 else shades[::-1]
    bounds = [None, *breaks, None]
    out = []
    for i in range(n):
        lo, hi = bounds[i], bounds[i + 1]
        text = (
            f"dưới {fmt.pct(hi, 1)}"
            if lo is None and hi is not None
            else f"từ {fmt.pct(lo, 1)}"
            if hi is None and lo is not None
            else f"{fmt.pct(lo, 1)} – dưới {fmt.pct(hi, 1)}"
            if lo is not None
            else _span(values)
        )
        out.append((colors[i], text))
    out.append((NO_DATA_COLOR, NO_DATA))
    return out


def _span(values) -> str:
    v = [x for x in values if x is not None]
    if not v:
        return "mọi giá trị"
    return fmt.pct(v[0], 1) if min(v) == max(v) else f"{fmt.pct(min(v), 1)} – {fmt.pct(max(v), 1)}"


UNIT_HINT = "Bấm để xem hồ sơ đơn vị"
PROVINCE_HINT = "Bấm để xem các xã, phường của tỉnh"


def commune_map(
    boundaries: Path,
    values: dict[str, dict],
    ind: Indicator,
    height: int = 560,
    only: set[str] | None = None,
    hint: str = UNIT_HINT,
    names: Mapping[str, tuple[str, str]] | None = None,
    width: int = 1000,
) -> go.Figure:
    """The communes (or, on a national deployment's country map, the provinces) coloured by class; values:
    code -> {value, numerator, denominator, trend, target}; names: code -> (name, full name) as the app spells
    them (the boundary file's own spelling may differ, «Đàm Thủy» against «Đàm Thuỷ»: the map says what every
    other page says).

    Areas without a row in `values` are drawn as «no data»; `only` limits the map to some units (a commune user
    sees its own). One trace per class, so the legend is the classes; each trace carries only its own units'
    outlines, so the boundaries are sent once, not once per class."""
    full = _geojson(str(boundaries))
    gj = (
        full if only is None else {**full, "features": [f for f in full["features"] if f["properties"]["code"] in only]}
    )
    props = [
        {**f["properties"], **dict(zip(("name", "full_name"), (names or {}).get(f["properties"]["code"], ())))}
        for f in gj["features"]
    ]
    shown = [values[p["code"]]["value"] for p in props if values.get(p["code"], {}).get("value") is not None]
    breaks = classes(shown)
    items = legend(breaks, shown, ind.polarity)
    fig = go.Figure()
    for i, (color, text) in enumerate(items):
        is_none = i == len(items) - 1
        members = [
            p
            for p in props
            if (class_of(values.get(p["code"], {}).get("value"), breaks) is None) == is_none
            and (is_none or class_of(values[p["code"]]["value"], breaks) == i)
        ]
        if not members:
            continue
        codes = {p["code"] for p in members}
        fig.add_trace(
            go.Choroplethmap(
                geojson={**gj, "features": [f for f in gj["features"] if f["properties"]["code"] in codes]},
                featureidkey="properties.code",
                locations=[p["code"] for p in members],
                z=[i] * len(members),
                colorscale=[[0, color], [1, color]],
                showscale=False,
                name=text,
                showlegend=True,
                marker={"line": {"color": "#5a5a5a", "width": 0.8}, "opacity": 0.9},
                customdata=[tooltip(p, values.get(p["code"], {}), ind, hint) for p in members],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scattermap(
            lat=[p["label_lat"] for p in props],
            lon=[p["label_lon"] for p in props],
            mode="text",
            text=[p["name"] for p in props],
            textfont={"size": 11, "color": "#1a1a1a"},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    points = [c for f in gj["features"] for c in _outer_points(f["geometry"])]
    lats, lons = [c[1] for c in points], [c[0] for c in points]
    fig.update_layout(
        # The zoom that fits the units' bounds into the map's width: Plotly's own «fitbounds» is off whenever a
        # choroplethmap trace is drawn, and a zoom computed for 1.000 px left six border communes off-screen on a
        # phone or an iPad (the page draws the map at most MAP_WIDTH wide, narrower on a phone).
        map={
            "style": "white-bg",
            "center": {"lat": (min(lats) + max(lats)) / 2, "lon": (min(lons) + max(lons)) / 2},
            "zoom": fit_zoom(max(lons) - min(lons), max(lats) - min(lats), width, height),
        },
        height=height,
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
        separators=",.",
        font={"family": FONT},
        legend={
            "orientation": "h",
            "y": 1.0,
            "yanchor": "bottom",
            "x": 0,
            "title": {
                "text": f"{ind.short_for()} ({'cao là tốt' if ind.polarity == 1 else 'thấp là tốt'}; "
                "màu càng đậm càng cần quan tâm):"
            },
        },
        clickmode="event+select",
    )
    return fig


def _outer_points(geometry: dict) -> list[list[float]]:
    """The points of a Polygon's or MultiPolygon's outer rings (for the map's extent)."""
    if geometry["type"] == "Polygon":
        return geometry["coordinates"][0]
    return [c for poly in geometry["coordinates"] for c in poly[0]]


def fit_zoom(dlon: float, dlat: float, width: int, height: int) -> float:
    """The web-mercator zoom that fits a lon/lat box into width × height pixels (with a margin)."""
    zx = math.log2(width * 360 / (512 * max(dlon, 1e-6)))
    zy = math.log2(height * 360 / (512 * max(dlat, 1e-6) * 1.1))
    return round(min(zx, zy) - 0.2, 2)


# The overview's map is drawn at most this wide (beside the list of units that need attention), and a phone's is
# about this wide: the zoom is fitted to the width the map will have.
MAP_WIDTH, PHONE_WIDTH = 560, 340


def tooltip(p: dict, v: dict, ind: Indicator, hint: str = UNIT_HINT) -> str:
    """The hover text: unit, value with numerator/denominator, the 2021–2025 trend, the target."""
    head = f"<b>{p['full_name']}</b><br>{ind.short_for()}: "
    if v.get("value") is None:
        return head + "không có số liệu"
    trend = " → ".join(f"{y}: {fmt.pct(x, 1)}" for y, x in v.get("trend", []) if x is not None)
    target = f"<br>Mục tiêu: {v['target']}" if v.get("target") else ""
    return (
        f"{head}<b>{fmt.pct(v['value'])}</b> ({fmt.ratio(v.get('numerator'), v.get('denominator'))})"
        f"<br>Diễn biến: {trend}{target}<br><i>{hint}</i>"
    )


def selected_code(event) -> str | None:
    """The unit code of the clicked commune in a plotly_chart selection event, if any."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    for pt in points:
        if pt.get("location"):
            return pt["location"]
    return None
