"""The committed boundaries (data/geo/, written by tools/import_geo.py) against the unit list of `vietnam-provinces`:
every unit resolves to exactly one boundary in its province's file, or is listed as missing."""

from __future__ import annotations

import csv
import json
from functools import cache

import pytest
from vietnam_provinces import Province, Ward

from etl.settings import GEO_DIR, PROVINCES_DIR


@cache
def _features(province_code: str) -> list[dict]:
    path = GEO_DIR / "communes" / f"{province_code}.geojson"
    return json.loads(path.read_text(encoding="utf-8"))["features"] if path.exists() else []


def _package_units() -> dict[str, str]:
    return {f"{int(w.code):05d}": f"{int(w.province_code):02d}" for w in Ward.iter_all()}


def _listed_missing() -> set[str]:
    with open(GEO_DIR / "missing_units.csv", encoding="utf-8", newline="") as f:
        return {r["unit_code"] for r in csv.DictReader(f)}


def test_every_unit_has_one_boundary_or_is_listed_missing():
    units = _package_units()
    assert len(units) == 3321
    counts: dict[str, int] = {}
    for pc in set(units.values()):
        for f in _features(pc):
            counts[f["properties"]["code"]] = counts.get(f["properties"]["code"], 0) + 1
    missing = {c for c in units if c not in counts}
    assert missing == _listed_missing()  # today: none (the file holds its header only)
    assert {c: n for c, n in counts.items() if n > 1} == {}


def test_every_boundary_is_a_unit_of_its_province():
    units = _package_units()
    for pc in set(units.values()):
        for f in _features(pc):
            p = f["properties"]
            assert units.get(p["code"]) == pc == p["province_code"], p
            assert f["id"] == p["code"]
            assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
            assert p["full_name"].endswith(p["name"]) and p["label_lat"] and p["label_lon"]


def test_the_country_map_has_every_province():
    doc = json.loads((GEO_DIR / "provinces.geojson").read_text(encoding="utf-8"))
    codes = sorted(f["properties"]["code"] for f in doc["features"])
    assert codes == sorted(f"{int(p.code):02d}" for p in Province.iter_all())
    assert len(codes) == 34
    names = {f["properties"]["code"]: f["properties"]["name"] for f in doc["features"]}
    assert names["04"] == "Cao Bằng" and names["01"] == "Hà Nội"


def test_a_province_without_its_own_folder_gets_the_shared_boundaries():
    from etl.province import load_province

    lang_son = load_province("20")  # no data/provinces/20/
    assert lang_son.folder is None
    assert lang_son.boundaries_path == GEO_DIR / "communes" / "20.geojson"
    # a folder without a boundaries file of its own (Lai Châu: targets only) gets the shared ones too
    assert load_province("12").boundaries_path == GEO_DIR / "communes" / "12.geojson"
    # Cao Bằng keeps its own cleaned coverage (data/provinces/04/communes.geojson)
    assert load_province("04").boundaries_path.parent.name == "04"


def _boundary_names(path) -> dict[str, str]:
    return {f["properties"]["code"]: f["properties"]["name"] for f in json.loads(path.read_text("utf-8"))["features"]}


def _misnamed(units, boundaries: dict[str, str]) -> list[tuple[str, str, str]]:
    """Units whose name differs from their boundary's (tone placement aside: «Đàm Thuỷ» is «Đàm Thủy»)."""
    from etl.text import new_tones

    return [
        (u.code, u.name, boundaries[u.code])
        for u in units
        if u.code in boundaries and new_tones(u.name) != new_tones(boundaries[u.code])
    ]


@pytest.mark.parametrize("folder", sorted(p.name for p in PROVINCES_DIR.iterdir() if p.is_dir()))
def test_every_unit_is_named_as_its_boundary_in_every_province_folder(folder):
    """A unit's code and name in the app are those of its boundary: 01537 is Lý Quốc on the map and in every table
    (vietnam-provinces 2025.10.1 called it Vinh Quý, so the map painted Vinh Quý's figures on Lý Quốc)."""
    from etl.province import load_province

    conf = load_province(folder)
    if conf.boundaries_path is None:  # no territory to agree with: a bloc's committees (44), placeholder units (ct50)
        assert folder in {"44", "ct50"}
        return
    own = _boundary_names(conf.boundaries_path)
    communes = [u for u in conf.units if u.is_commune]
    assert {u.code for u in communes} == set(own)
    assert _misnamed(communes, own) == []
    names = {u.code: u.name for u in communes}
    if folder == "04":
        assert (names["01537"], names["01558"], names["01561"]) == ("Lý Quốc", "Hạ Lang", "Vinh Quý")
        assert names["01501"] == "Đàm Thuỷ"  # one spelling: the map's label is the app's name


def test_every_unit_of_the_country_is_named_as_its_shared_boundary():
    from etl.province import load_province

    units = load_province("00").units
    wrong = []
    for pc in sorted({u.province_code for u in units}):
        path = GEO_DIR / "communes" / f"{pc}.geojson"
        wrong += _misnamed([u for u in units if u.province_code == pc], _boundary_names(path))
    assert wrong == []


def test_a_correction_that_no_longer_matches_the_package_is_refused(monkeypatch, tmp_path):
    """A correction says what it corrects: if the package changes the name it is refused rather than applied blindly."""
    from etl import province

    (tmp_path / "04").mkdir()
    (tmp_path / "04" / province.UNIT_CORRECTIONS).write_text(
        "code,name,package_name,source\n01537,Lý Quốc,Bình Lư,test\n", encoding="utf-8"
    )
    monkeypatch.setattr(province, "PROVINCES_DIR", tmp_path)
    with pytest.raises(ValueError, match="01537"):
        province._communes_from_package("04")


@pytest.mark.parametrize("folder, title", [("04", "Hồ sơ xã"), ("12", "Hồ sơ xã"), ("44", "Hồ sơ đơn vị")])
def test_a_units_profile_is_named_for_what_the_units_are(folder, title, monkeypatch):
    """The menu says «Hồ sơ xã» where units are communes and wards, «Hồ sơ đơn vị» for the Khối's committees."""
    from dashboard.ui import frame
    from etl import province

    real = province.load_province
    monkeypatch.setattr(province, "load_province", lambda code=None: real(folder))
    assert frame.profile_title() == title


@pytest.mark.parametrize("folder", ["04", "44"])
def test_a_bloc_has_no_village_indicator_among_its_key_ones(folder, monkeypatch):
    """The Khối's committees (agencies, enterprises) have no villages: its overview and scorecard show no village
    indicator (they read «chưa có số liệu» for a figure that cannot exist); Cao Bằng keeps every key indicator."""
    from dashboard import registry
    from dashboard.ui import tiles
    from etl import province

    real = province.load_province
    monkeypatch.setattr(province, "load_province", lambda code=None: real(folder))
    villages = {i for i in tiles.HEADLINE if registry.get(i).villages}
    assert villages == {"heads_member", "small_branch", "meet_higher_village"}
    expected = tiles.HEADLINE if folder == "04" else [i for i in tiles.HEADLINE if i not in villages]
    assert tiles.headline() == expected
