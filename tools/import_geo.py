"""Boundaries of all 3,321 commune-level units and of the 34 provinces, from the team's shared folder into data/geo/.

`python -m tools.import_geo ../shared` (needs shapely, a tools-only dependency of requirements-dev.txt). The output
is committed, so the app runs without ../shared and without shapely:

  data/geo/communes/<province code>.geojson   one Feature per unit (code, name, full_name, province_code,
                                              label_lat/lon), simplified for a choropleth
  data/geo/provinces.geojson                  one Feature per province (its units dissolved), for the country map
  data/geo/missing_units.csv                  units of `vietnam-provinces` without a boundary (header only: none)
  data/geo/rekeyed_units.csv                  units the source keys by another code (re-keyed by kind and name)
  data/geo/PROVENANCE.md                      source, licence, processing, sizes and checksums"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

from etl.settings import GEO_DIR, ROOT
from etl.text import fold, nfc

COMMUNE_TOLERANCE = 0.001  # degrees (≈ 100 m): the shared files are already simplified at 0.0005°
PROVINCE_TOLERANCE = 0.01  # ≈ 1 km: a province at country scale
DECIMALS = 4  # ≈ 11 m
KINDS = {"Xã": "xã", "Phường": "phường", "Đặc khu": "đặc khu"}


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _rounded(geom) -> dict:
    from shapely.geometry import mapping

    def r(coords):
        return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in coords]

    g = mapping(geom)
    if g["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [r(ring) for ring in g["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[r(ring) for ring in poly] for poly in g["coordinates"]]}


def _shape(rings: list):
    from shapely.geometry import MultiPolygon, Polygon
    from shapely.validation import make_valid

    polys = [make_valid(Polygon(ring)) for ring in rings if len(ring) >= 4]
    parts = [p for g in polys for p in (g.geoms if hasattr(g, "geoms") else [g]) if p.geom_type == "Polygon"]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _feature(code: str, props: dict, geom) -> dict:
    from shapely.geometry.polygon import orient

    if geom.geom_type == "Polygon":
        geom = orient(geom, 1.0)
    else:
        from shapely.geometry import MultiPolygon

        geom = MultiPolygon([orient(p, 1.0) for p in geom.geoms])
    label = geom.representative_point()
    props = {**props, "label_lat": round(label.y, 5), "label_lon": round(label.x, 5)}
    return {"type": "Feature", "id": code, "properties": props, "geometry": _rounded(geom)}


def _write(path: Path, features: list[dict], name: str) -> None:
    fc = {"type": "FeatureCollection", "name": name, "features": features}
    path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def main(shared: Path) -> None:
    from shapely.ops import unary_union

    from etl.province import NATIONAL_CODE, load_province, province_names

    src = shared / "geo" / "vn-wards-2025"
    (GEO_DIR / "communes").mkdir(parents=True, exist_ok=True)
    provinces = province_names()
    # The units as the app knows them: `vietnam-provinces` with the province folders' corrections (unit_corrections.csv)
    units = {u.code: u for u in load_province(NATIONAL_CODE).units}
    wanted = {c: u.province_code for c, u in units.items()}
    by_name = {(u.province_code, fold(u.full_name)): c for c, u in units.items()}
    name_of = {c: fold(u.full_name) for c, u in units.items()}
    found: set[str] = set()
    rekeyed: list[tuple[str, str, str]] = []
    province_features = []
    inputs = sorted(src.glob("[0-9][0-9].json"))
    for path in inputs:
        doc = json.loads(path.read_text(encoding="utf-8"))
        pc = f"{int(doc['provinceId']):02d}"
        feats, shapes = [], []
        for w in doc["wards"]:
            code = f"{int(w['id']):05d}"
            full = fold(f"{w['type']} {w['name']}")
            if name_of.get(code) != full:
                # gis.vn keys some units by another code than Công văn 1027 (one of the merged communes' codes,
                # sometimes the official code of a neighbour): the unit of the same kind and name in the same
                # province is the one meant.
                new = by_name.get((pc, full))
                if new is not None and new not in found:
                    rekeyed.append((code, new, nfc(w["name"])))
                    code = new
            geom = _shape(w["polygons"])
            shapes.append(geom)
            simple = geom.simplify(COMMUNE_TOLERANCE, preserve_topology=True)
            # the app's spelling of the name (the source's may differ in tone placement, dashes or apostrophes)
            name = units[code].name if code in units else nfc(w["name"])
            kind = KINDS.get(nfc(w["type"]), nfc(w["type"]).lower())
            feats.append(
                _feature(
                    code,
                    {
                        "code": code,
                        "name": name,
                        "full_name": f"{kind.capitalize()} {name}",
                        "province_code": pc,
                        "area_km2_published": w.get("area"),
                        "population_published": w.get("population"),
                    },
                    simple,
                )
            )
            found.add(code)
        _write(GEO_DIR / "communes" / f"{pc}.geojson", sorted(feats, key=lambda f: f["id"]), f"communes_{pc}")
        # The units were simplified one by one upstream: close the slivers between neighbours before dissolving.
        outline = unary_union([s.buffer(0.002) for s in shapes]).buffer(-0.002)
        outline = outline.simplify(PROVINCE_TOLERANCE, preserve_topology=True)
        province_features.append(
            _feature(pc, {"code": pc, "name": provinces.get(pc, nfc(doc["provinceName"])), "full_name": ""}, outline)
        )
        print(f"{pc} {provinces.get(pc)}: {len(feats)} units")
    for f in province_features:
        f["properties"]["full_name"] = f["properties"]["name"]
    _write(GEO_DIR / "provinces.geojson", sorted(province_features, key=lambda f: f["id"]), "provinces")
    missing = sorted(set(wanted) - found)
    extra = sorted(found - set(wanted))
    with open(GEO_DIR / "missing_units.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["unit_code", "province_code"])
        w.writerows([c, wanted[c]] for c in missing)
    with open(GEO_DIR / "rekeyed_units.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["source_code", "unit_code", "name"])
        w.writerows(sorted(rekeyed, key=lambda r: r[1]))
    _provenance(inputs, src, missing, extra, len(rekeyed))
    print(f"{len(found)} units with a boundary, {len(missing)} missing, {len(extra)} not in vietnam-provinces")


def _provenance(inputs: list[Path], src: Path, missing: list[str], extra: list[str], rekeyed: int) -> None:
    outputs = sorted(GEO_DIR.glob("*.geojson")) + sorted((GEO_DIR / "communes").glob("*.geojson"))
    lines = [
        "# Boundaries of the commune-level units (from 1 July 2025) and of the 34 provinces",
        "",
        f"Written by `python -m tools.import_geo ../shared` on {dt.date.today().isoformat()}; do not edit by hand.",
        "",
        "## Source",
        "",
        "`../shared/geo/vn-wards-2025/` (the team's shared folder; its README): repository "
        "`lamngockhuong/vietnam-3d-map`, folder `public/wards/`, commit `dc6095c45a49279d6c24f4de6cf00f4b2b04a90d` "
        "(2025-12-07), derived from the 3,321-unit map of gis.vn («Bản đồ hành chính Việt Nam»); unit codes are the "
        "official ones of Công văn 1027/CTK-CSCL, the codes of `vietnam-provinces` as corrected by the province folders' "
        "`unit_corrections.csv`; names as the app spells them.",
        "",
        "## Licence — read before publishing a map",
        "",
        "The repository's MIT licence covers its code; for the map data it says only «Geographic data is used from "
        "public sources», and gis.vn states no licence. Internal use (a party committee's own dashboard) is the "
        "low-risk use; before publishing maps, confirm terms with gis.vn or use the provinces' official boundary "
        "files. These are not legal boundaries (không phải địa giới pháp lý). Attribution shown under every map: "
        "«Ranh giới ĐVHC cấp xã (từ 01/7/2025): gis.vn, qua lamngockhuong/vietnam-3d-map (đã đơn giản hoá)».",
        "",
        "## Processing",
        "",
        f"- Units: each unit's rings as one (Multi)Polygon, made valid, simplified (Douglas–Peucker, "
        f"{COMMUNE_TOLERANCE}°, topology preserved), exterior rings counter-clockwise, coordinates rounded to "
        f"{DECIMALS} decimals; a label point inside each unit (shapely `representative_point`).",
        f"- Provinces: the province's units dissolved (buffered by 0.002° and back, closing the slivers left by "
        f"simplifying each unit on its own upstream), simplified at {PROVINCE_TOLERANCE}°.",
        "- Not a coverage: neighbouring units were simplified independently, so borders may overlap or leave gaps of "
        "up to ~100 m; fine for a choropleth, not for placing a point near a border.",
        "",
        "## Check against `vietnam-provinces`",
        "",
        f"{rekeyed} units are keyed in the source by another code than the official one of Công văn 1027 (the "
        "code of one of the communes merged into it); each is re-keyed to the unit of the same kind and name in the "
        "same province, listed in `rekeyed_units.csv` (source code → unit code).",
        "",
        f"Units of `vietnam-provinces` without a boundary: {len(missing)} (listed in `missing_units.csv`); "
        f"boundaries whose code `vietnam-provinces` does not know: {len(extra)}"
        + (f" ({', '.join(extra)})" if extra else "")
        + ". `tests/test_geo.py` keeps this true.",
        "",
        "## Files",
        "",
        "| file | bytes | sha256 |",
        "|---|---|---|",
    ]
    lines += [f"| `{p.relative_to(GEO_DIR)}` | {p.stat().st_size:,} | `{_sha(p)}` |" for p in outputs]
    lines += ["", "Inputs:", "", "| file | sha256 |", "|---|---|"]
    lines += [f"| `vn-wards-2025/{p.name}` | `{_sha(p)}` |" for p in inputs]
    (GEO_DIR / "PROVENANCE.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared"))
