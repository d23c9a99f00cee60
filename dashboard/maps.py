"""pydeck map builders: communes coloured by an indicator, offline (no tile server), with a classed legend."""
from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import pydeck as pdk

from dashboard import fmt
from dashboard.registry import Indicator

# ColorBrewer «Blues», 5 classes (readable for colour-blind users; the legend also states every class).
CLASS_COLORS = [[239, 243, 255], [189, 215, 231], [107, 174, 214], [49, 130, 189], [8, 81, 156]]
NO_DATA_COLOR = [217, 217, 217]
LAYER_ID = "communes"


@cache
def _geojson(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def classes(values: list[float], k: int = 5) -> list[float]:
    """Class breaks (k-1 inner limits) at quantiles, rounded to a readable step; equal values give one class."""
    v = sorted(x for x in values if x is not None)
    if not v or v[0] == v[-1]:
        return []
    raw = [v[min(len(v) - 1, int(len(v) * i / k))] for i in range(1, k)]
    step = 1 if v[-1] - v[0] > 10 else 0.5 if v[-1] - v[0] > 2 else 0.1
    out = sorted({round(round(b / step) * step, 1) for b in raw if v[0] < round(round(b / step) * step, 1) <= v[-1]})
    return out


def class_of(value: float | None, breaks: list[float]) -> int | None:
    if value is None:
        return None
    return sum(value >= b for b in breaks)


def legend(breaks: list[float], ind: Indicator) -> list[tuple[list[int], str]]:
    """(colour, label) per class, plus «no data»."""
    n = len(breaks) + 1
    colors = [CLASS_COLORS[round(i * (len(CLASS_COLORS) - 1) / max(1, n - 1))] for i in range(n)]
    bounds = [None, *breaks, None]
    out = []
    for i in range(n):
        lo, hi = bounds[i], bounds[i + 1]
        text = (f"dưới {fmt.pct(hi, 1)}" if lo is None and hi is not None else
                f"từ {fmt.pct(lo, 1)}" if hi is None and lo is not None else
                f"{fmt.pct(lo, 1)} – dưới {fmt.pct(hi, 1)}" if lo is not None else "mọi giá trị")
        out.append((colors[i], text))
    out.append((NO_DATA_COLOR, "Không có số liệu"))
    return out


def legend_html(items: list[tuple[list[int], str]], ind: Indicator) -> str:
    note = "cao là tốt" if ind.polarity == 1 else "thấp là tốt"
    cells = "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:14px">'
        f'<span style="width:16px;height:16px;background:rgb({c[0]},{c[1]},{c[2]});border:1px solid #888;'
        f'margin-right:6px;display:inline-block"></span>{t}</span>' for c, t in items)
    return f'<div style="font-size:0.9rem"><b>{ind.short}</b> ({note}): {cells}</div>'


def commune_map(boundaries: Path, values: dict[str, dict], ind: Indicator, selected: str | None = None,
                height: int = 560) -> tuple[pdk.Deck, list[tuple[list[int], str]]]:
    """A deck of the communes; values: unit_code -> {value, numerator, denominator, trend: [(year, value)], target}.

    Units without a row in `values` are drawn as «no data». Returns the deck and its legend items."""
    gj = copy.deepcopy(_geojson(str(boundaries)))
    breaks = classes([v["value"] for v in values.values() if v.get("value") is not None])
    items = legend(breaks, ind)
    lons, lats, labels = [], [], []
    for ft in gj["features"]:
        p = ft["properties"]
        v = values.get(p["code"], {})
        c = class_of(v.get("value"), breaks)
        p["fill"] = items[c][0] + [215] if c is not None else NO_DATA_COLOR + [200]
        p["line"] = [230, 97, 0, 255] if p["code"] == selected else [90, 90, 90, 200]
        p["tooltip"] = _tooltip(p, v, ind)
        for ring in ft["geometry"]["coordinates"]:
            for lon, lat in ring:
                lons.append(lon)
                lats.append(lat)
        labels.append({"name": p["name"], "position": [p["label_lon"], p["label_lat"]]})
    fill = pdk.Layer("GeoJsonLayer", gj, id=LAYER_ID, pickable=True, stroked=True, filled=True,
                     get_fill_color="properties.fill", get_line_color="properties.line", line_width_min_pixels=1,
                     auto_highlight=True, highlight_color=[230, 97, 0, 120])
    text = pdk.Layer("TextLayer", labels, id="labels", get_position="position", get_text="name", get_size=12,
                     get_color=[30, 30, 30, 255],
                     # pydeck turns bare strings into accessors (so no string options here); quoted ones stay
                     # literal. deck.gl draws only the characters in its set: list the Vietnamese letters.
                     character_set=_literal("".join(sorted({ch for lb in labels for ch in lb["name"]}))),
                     font_family=_literal("DejaVu Sans, Arial, sans-serif"), font_weight=600)
    view = pdk.ViewState(latitude=(min(lats) + max(lats)) / 2, longitude=(min(lons) + max(lons)) / 2,
                         zoom=fit_zoom(max(lons) - min(lons), max(lats) - min(lats), 1000, height))
    deck = pdk.Deck(layers=[fill, text], initial_view_state=view, map_provider=None, height=height,
                    tooltip={"html": "{tooltip}", "style": {"backgroundColor": "white", "color": "#222",
                                                            "fontSize": "13px", "border": "1px solid #999"}})
    return deck, items


def _literal(text: str) -> str:
    return "'" + text.replace("'", "") + "'"


def fit_zoom(dlon: float, dlat: float, width: int, height: int) -> float:
    """The web-mercator zoom that fits a lon/lat box into width × height pixels (with a margin)."""
    import math
    # deck.gl's world is 512 px wide at zoom 0.
    zx = math.log2(width * 360 / (512 * max(dlon, 1e-6)))
    zy = math.log2(height * 360 / (512 * max(dlat, 1e-6) * 1.1))
    return round(min(zx, zy) - 0.15, 2)


def _tooltip(p: dict, v: dict, ind: Indicator) -> str:
    head = f"<b>{p['full_name']}</b><br/>{ind.short}: "
    if v.get("value") is None:
        return head + "không có số liệu"
    trend = " → ".join(f"{y}: {fmt.pct(x, 1)}" for y, x in v.get("trend", []) if x is not None)
    target = f"<br/>Mục tiêu: {v['target']}" if v.get("target") else ""
    return (f"{head}<b>{fmt.pct(v['value'])}</b> ({fmt.ratio(v.get('numerator'), v.get('denominator'))})"
            f"<br/>2021–2025: {trend}{target}<br/><i>Bấm để xem hồ sơ đơn vị</i>")


def selected_code(event) -> str | None:
    """The unit code of the clicked commune in a pydeck selection event, if any."""
    try:
        objs = event.selection.objects.get(LAYER_ID) or []
    except AttributeError:
        return None
    if not objs:
        return None
    o = objs[0]
    return (o.get("properties") or {}).get("code") or o.get("code")
