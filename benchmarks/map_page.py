"""Benchmark-only Streamlit script (not part of the app): one national map per run, chosen by `?map=`, for
`python -m benchmarks.mapload` to time in chromium.

- `plotly-provinces`: the overview's country map by province, built by the app (`figures.overview_map`);
- `plotly-province&p=04`: the overview's map of one province's communes, built by the app;
- `plotly-all`: the same Plotly builder (`maps.commune_map`) over all 3,321 communes at once (the app never draws
  it: a national deployment opens on the provinces);
- `pydeck-all`: the same 3,321 units, the same classes and colours, the same labels and tooltip, as a pydeck deck
  (`st.pydeck_chart`, a GeoJsonLayer and a TextLayer, no base map), with click selection on. Its JSON is
  compact (`CompactDeck`: pydeck's own serialiser without its `indent=2`, which made the spec 4-5 times larger), and
  its constant string props are quoted (pydeck reads every bare string as an accessor expression: a bare
  `line_width_units="pixels"` becomes `"@@=pixels"`, undefined in the browser, so the 0,8 width fell back to metres
  and the boundaries vanished).

Run by the benchmark with PARTYDASH_PROVINCE=00, PARTYDASH_DATA at the national store and MAPBENCH_ALL at a
GeoJSON of every commune (the 34 files of data/geo/communes merged). After the map it writes a line «đã chọn: CODE»
when a unit was clicked (the selection reached the app) and the figure's size in bytes (what the server sends)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import data, maps, registry
from dashboard.scope import Filters, Scope
from dashboard.ui import figures, frame, targets

IND, YEAR = "internet_none", 2025
kind = st.query_params.get("map", "plotly-provinces")
scope = Scope.province()
now_f, all_f = Filters(years=(YEAR,)), Filters()
ind = registry.get(IND)


@st.cache_data
def values_all() -> dict[str, dict]:
    """Every unit's value, trend and target, as `figures.overview_map` computes them for a province's communes."""
    now = data.indicator(IND, now_f, scope, by=("unit",))
    hist = data.indicator(IND, all_f, scope, by=("unit", "year"))
    trends = {u: list(zip(g["year"].to_list(), g["value"].to_list())) for (u,), g in hist.group_by("unit_code")}
    target = targets.target_text(IND)
    return {
        r["unit_code"]: {**r, "trend": sorted(trends.get(r["unit_code"], [])), "target": target}
        for r in now.filter(pl.col("denominator") > 0).iter_rows(named=True)
    }


def _compact_deck():
    import pydeck as pdk
    from pydeck.bindings.json_tools import default_serialize

    class CompactDeck(pdk.Deck):
        """A deck whose JSON (what `st.pydeck_chart` sends: it calls `to_json()`) has no indentation."""

        def to_json(self) -> str:
            return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))

    return CompactDeck


def _rgba(color: str, alpha: int) -> list[int]:
    return [int(color[i : i + 2], 16) for i in (1, 3, 5)] + [alpha]


@st.cache_resource
def deck_of(path: str):
    """The pydeck deck of every unit, coloured and labelled as `maps.commune_map` does."""
    import pydeck as pdk

    gj = maps._geojson(path)
    values = values_all()
    props = [f["properties"] for f in gj["features"]]
    shown = [values[p["code"]]["value"] for p in props if values.get(p["code"], {}).get("value") is not None]
    breaks = maps.classes(shown)
    items = maps.legend(breaks, shown, ind.polarity)
    features = []
    for f in gj["features"]:
        p = f["properties"]
        v = values.get(p["code"], {})
        k = maps.class_of(v.get("value"), breaks)
        color = items[-1][0] if k is None else items[k][0]
        features.append(
            {
                "type": "Feature",
                "geometry": f["geometry"],
                "properties": {
                    "code": p["code"],
                    "fill": _rgba(color, 230),  # opacity 0.9, as the Plotly map
                    "tip": maps.tooltip(p, v, ind),
                },
            }
        )
    shapes = pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": features},
        id="units",
        pickable=True,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color=[90, 90, 90, 255],
        line_width_units="'pixels'",  # quoted: a constant, not an accessor
        get_line_width=0.8,
        line_width_min_pixels=0.8,
        auto_highlight=True,
    )
    labels = pdk.Layer(
        "TextLayer",
        [{"pos": [p["label_lon"], p["label_lat"]], "name": p["name"]} for p in props],
        id="labels",
        get_position="pos",
        get_text="name",
        get_size=11,
        get_color=[26, 26, 26, 255],
        character_set="'auto'",  # every character the names use (Vietnamese), detected from the data
        # Overlapping labels hidden, as MapLibre does for the Plotly map's text (else 3,321 names are one black mass).
        extensions=[{"@@type": "CollisionFilterExtension"}],
    )
    view = pdk.ViewState(latitude=16.0, longitude=106.0, zoom=4.6)
    return _compact_deck()(
        layers=[shapes, labels], initial_view_state=view, map_provider=None, map_style=None, tooltip={"html": "{tip}"}
    )


st.title(f"Bản đồ thử: {kind}")
if kind == "pydeck-all":
    deck = deck_of(os.environ["MAPBENCH_ALL"])
    event = st.pydeck_chart(deck, height=700, on_select="rerun", selection_mode="single-object", key="deck")
    objects = (getattr(event, "selection", None) or {}).get("objects", {}) if event else {}
    picked = [o.get("properties", o).get("code") for o in objects.get("units", [])]
    size = len(deck.to_json().encode())
    code = picked[0] if picked else None
else:
    if kind == "plotly-all":
        fig = maps.commune_map(Path(os.environ["MAPBENCH_ALL"]), values_all(), ind, height=700)
    else:
        province = st.query_params.get("p") if kind == "plotly-province" else None
        fig = figures.overview_map(IND, now_f, all_f, scope, by_province=province is None, province=province)
    event = frame.chart(fig, "bench-map", on_select="rerun", selection_mode="points", config={"scrollZoom": True})
    code = maps.selected_code(event)
    size = len(fig.to_json().encode())
st.markdown(f"kích thước hình: {size} byte")
if code:
    st.markdown(f"đã chọn: {code}")
st.caption(json.dumps({"map": kind}))
