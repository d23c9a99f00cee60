"""A province as configuration: its party committees (units), boundaries, old→new crosswalk and name matching."""

from __future__ import annotations

import csv
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from etl.settings import GEO_DIR, PROVINCE_CODE, PROVINCES_DIR
from etl.text import fold, nfc

COMMUNE_KINDS = ("xã", "phường", "đặc khu")
AFFILIATED_KIND = "đảng uỷ trực thuộc"
# Words that precede a unit's own name in returns ("Đảng bộ xã …", "BCH Đảng uỷ phường …").
_PREFIX = re.compile(
    r"^(?:(?:ban chap hanh|ban thuong vu|bch|btv|dang bo|dang uy|du|db|xa|phuong|thi tran|tt|dac khu)\s+)+"
)


@dataclass(frozen=True)
class Unit:
    """A party committee directly above the grassroots: a commune/ward committee or a province-affiliated one."""

    code: str
    name: str
    kind: str
    province_code: str
    label_lat: float | None = None
    label_lon: float | None = None
    area_km2: float | None = None
    population: int | None = None

    @property
    def is_commune(self) -> bool:
        return self.kind in COMMUNE_KINDS

    @property
    def full_name(self) -> str:
        if self.is_commune:
            return f"{self.kind.capitalize()} {self.name}"
        return self.name


@dataclass(frozen=True)
class OldUnit:
    kind: str
    name: str
    qualifier: str
    new_code: str
    province: str = ""  # the province it belonged to before 1 July 2025, where the crosswalk says (Hà Giang)


@dataclass(frozen=True)
class Resolution:
    """How a committee named in a return maps to a unit; `error` is a Vietnamese message when it does not."""

    code: str | None
    via: str = ""
    old_name: str = ""
    error: str = ""


@dataclass
class ProvinceConfig:
    code: str
    name: str
    folder: Path | None
    units: list[Unit]
    old_units: list[OldUnit] = field(default_factory=list)
    variants: dict[str, str] = field(default_factory=dict)  # fold(variant) -> code
    affiliated_aliases: dict[str, str] = field(default_factory=dict)  # fold(alias) -> code
    reference_source: str = ""
    meeting_day: int | None = None  # the day of the month every branch meets, where the province fixes one
    # The organisation's name where it is not the province's own (a folder for a document whose province is not
    # named); the unit of the demo account «xa» on the sample.
    title: str = ""
    demo_unit: str | None = None
    settings: dict = field(default_factory=dict)  # province.toml as read (the sample's own section, …)

    @property
    def targets_path(self) -> Path | None:
        """The organisation's targets (reference/targets.csv of its folder), None without a folder."""
        p = self.folder / "reference" / "targets.csv" if self.folder else None
        return p if p and p.exists() else None

    def units_from(self, old_province: str) -> list[str]:
        """The units every old unit of which belonged to `old_province` before 1 July 2025 (the crosswalk's
        «old_province»): the communes of Tuyên Quang that came from Hà Giang."""
        by_unit: dict[str, set[str]] = {}
        for o in self.old_units:
            by_unit.setdefault(o.new_code, set()).add(fold(o.province))
        want = fold(old_province)
        return sorted(c for c, ps in by_unit.items() if ps == {want} and c in self.unit_by_code)

    @cached_property
    def criteria(self):  # -> etl.criteria.Criteria: the levels and criteria of a branch meeting's rating
        from etl.criteria import load_criteria

        return load_criteria(self.folder)

    @cached_property  # once per configuration (a national one has 3,321 units; a return looks its unit up)
    def unit_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    @property
    def boundaries_path(self) -> Path | None:
        """The communes' boundaries: the province folder's own, else the shared set of every unit (data/geo/);
        None for a national deployment (its map starts from the provinces, `GEO_DIR/provinces.geojson`)."""
        own = self.folder / "communes.geojson" if self.folder else None
        if own and own.exists():
            return own
        if not any(u.is_commune for u in self.units):  # a bloc, committees without territory: no map
            return None
        shared = GEO_DIR / "communes" / f"{self.code}.geojson"
        return shared if self.code != NATIONAL_CODE and shared.exists() else None

    @property
    def reference_dir(self) -> Path | None:
        p = self.folder / "reference" if self.folder else None
        return p if p and p.exists() else None

    def resolve(self, code: str | None, name: str | None, year: int) -> Resolution:
        """Find the unit of a return from the code and/or name it gives; names of pre-2025 units are re-keyed."""
        code = (code or "").strip()
        if re.fullmatch(r"\d{1,5}(\.0)?", code):
            code = code.split(".")[0].zfill(5)  # Excel drops the leading zero of 01273
        by_code = self.unit_by_code
        by_name = self._match_name(name or "", year) if name else Resolution(None)
        if code:
            if code not in by_code:
                return Resolution(
                    None, error=f"Mã đơn vị «{code}» không có trong danh mục đơn vị của tỉnh {self.name}."
                )
            if by_name.code and by_name.code != code:
                return Resolution(
                    None,
                    error=(
                        f"Mã đơn vị «{code}» ({by_code[code].full_name}) không khớp với tên «{name}» "
                        f"({by_code[by_name.code].full_name})."
                    ),
                )
            return Resolution(code, via="code")
        if by_name.code or by_name.error:
            return by_name
        return Resolution(None, error="Không tìm thấy mã hoặc tên đảng bộ trong trang «Thông tin».")

    def _match_name(self, name: str, year: int) -> Resolution:
        k = strip_unit_prefix(name)
        new = self._new_index.get(k, set())
        old = self._old_index.get(k, set())
        if year >= 2025 and len(new) == 1:
            return Resolution(next(iter(new)), via="name")
        candidates = new | {o.new_code for o in old}
        if len(candidates) == 1:
            code = next(iter(candidates))
            if new:
                return Resolution(code, via="name")
            o = next(iter(old))
            return Resolution(
                code, via="old_name", old_name=f"{o.kind} {o.name}" + (f" ({o.qualifier})" if o.qualifier else "")
            )
        if len(candidates) > 1:
            names = ", ".join(sorted(self.unit_by_code[c].full_name for c in candidates))
            return Resolution(
                None,
                error=(f"Tên «{name}» ứng với nhiều đơn vị ({names}): ghi rõ mã đơn vị hoặc tên huyện cũ trong ngoặc."),
            )
        return Resolution(None, error=f"Không tìm thấy đơn vị có tên «{name}» trong danh mục của tỉnh {self.name}.")

    @cached_property
    def _new_index(self) -> dict[str, set[str]]:
        idx: dict[str, set[str]] = {}
        for u in self.units:
            for n in (u.name, u.full_name):
                idx.setdefault(strip_unit_prefix(n), set()).add(u.code)
        known = self.unit_by_code
        for k, c in {**self.variants, **self.affiliated_aliases}.items():
            if c in known:  # a spelling of a unit the configuration no longer lists matches nothing
                idx.setdefault(strip_unit_prefix(k), set()).add(c)
        return idx

    @cached_property
    def _old_index(self) -> dict[str, set[OldUnit]]:
        idx: dict[str, set[OldUnit]] = {}
        known = self.unit_by_code
        for o in self.old_units:
            if o.new_code not in known:
                continue
            idx.setdefault(fold(o.name), set()).add(o)
            if o.qualifier:
                idx.setdefault(fold(f"{o.name} {o.qualifier}"), set()).add(o)
        return idx

    def __hash__(self) -> int:  # a configuration is a cache key (functools.cache callers)
        return hash(self.code)


def strip_unit_prefix(name: str) -> str:
    """'Đảng bộ xã Hoà An' -> 'hoa an'; 'Xã Hưng Đạo (huyện Bảo Lạc)' -> 'hung dao huyen bao lac'."""
    return _PREFIX.sub("", fold(name)).strip()


UNIT_CORRECTIONS = "unit_corrections.csv"


def unit_corrections(province_code: str) -> dict[str, tuple[str, str]]:
    """The province folder's corrections of the `vietnam-provinces` package: code → (name, the package's name).

    The package can name a unit wrongly (2025.10.1 rotates three names of Cao Bằng: 01537, 01558, 01561); the
    official list (Công văn 1027/CTK-CSCL), the boundaries and the crosswalk are followed instead, each row with
    its source (`data/provinces/<code>/unit_corrections.csv`)."""
    path = PROVINCES_DIR / province_code / UNIT_CORRECTIONS
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        return {r["code"]: (nfc(r["name"]), nfc(r["package_name"])) for r in csv.DictReader(f)}


def _communes_from_package(province_code: str) -> list[Unit]:
    """The province's commune-level units from `vietnam-provinces`, with the province folder's corrections."""
    from vietnam_provinces import Ward  # a large module: imported when a configuration is built, not by workers

    fixes = unit_corrections(province_code)
    out = []
    for w in Ward.iter_all():
        if int(w.province_code) != int(province_code):
            continue
        kind = w.division_type.value
        code = f"{int(w.code):05d}"
        name = nfc(re.sub(r"^(Xã|Phường|Đặc khu)\s+", "", w.name))
        if code in fixes:
            right, wrong = fixes[code]
            if name not in (right, wrong):  # the package changed: the correction no longer says what it corrects
                raise ValueError(
                    f"{UNIT_CORRECTIONS} of {province_code}: {code} is «{name}» in the package, not «{wrong}»"
                )
            name = right
        out.append(Unit(code=code, name=name, kind=kind, province_code=province_code))
    return out


NATIONAL_CODE, NATIONAL_NAME = "00", "Toàn quốc"


def is_province_code(code: str) -> bool:
    """A province's official code: two ASCII digits («04»), nothing else (it becomes part of a path and a scope)."""
    return len(code) == 2 and code.isascii() and code.isdigit()


@cache
def province_names() -> dict[str, str]:
    """The 34 provinces by official 2-digit code: «04» → «Cao Bằng» (without «Tỉnh» / «Thành phố»)."""
    from vietnam_provinces import Province as VnProvince

    return {f"{int(p.code):02d}": nfc(re.sub(r"^(Tỉnh|Thành phố)\s+", "", str(p.name))) for p in VnProvince.iter_all()}


def unit_words(code: str) -> str:
    """A unit as a sentence names it: «phường Thục Phán (01273)», «Đảng bộ Công an tỉnh (04-CA)»; a code the
    deployment's province does not have stays a code («đơn vị «99999»»)."""
    unit = load_province().unit_by_code.get(code)
    if unit is None:
        return f"đơn vị «{code}»"
    return f"{unit.kind if unit.is_commune else ''} {unit.name} ({code})".strip()


@cache
def load_province(code: str = PROVINCE_CODE) -> ProvinceConfig:
    """The province's configuration: communes from `vietnam-provinces`, the rest from `data/provinces/<code>/`.

    Code «00» is a national deployment: every commune of the 34 provinces, no boundaries. A folder whose name is
    not a province's code (an organisation whose province a document does not name) says in its province.toml
    which province's communes are its units (`code`), or none (`communes = false`) and lists its own units."""
    from vietnam_provinces import Province as VnProvince

    if code.isdigit():
        code = f"{int(code):02d}"
    if code == NATIONAL_CODE:
        units = [u for p in VnProvince.iter_all() for u in _communes_from_package(f"{int(p.code):02d}")]
        return ProvinceConfig(code=code, name=NATIONAL_NAME, folder=None, units=sorted(units, key=lambda u: u.code))
    folder = PROVINCES_DIR / code
    conf = tomllib.loads((folder / "province.toml").read_text(encoding="utf-8")) if folder.exists() else {}
    package = conf.get("code", code if code.isdigit() else None)
    pname = province_names().get(package, "") if package else ""
    units = _communes_from_package(package) if package and conf.get("communes", True) else []
    if not folder.exists():
        return ProvinceConfig(code=code, name=pname, folder=None, units=sorted(units, key=lambda u: u.code))
    geo = {}
    if (folder / conf.get("boundaries", "communes.geojson")).exists():
        for ft in json.loads((folder / conf["boundaries"]).read_text(encoding="utf-8"))["features"]:
            geo[ft["properties"]["code"]] = ft["properties"]
    units = [
        Unit(
            u.code,
            u.name,
            u.kind,
            code,
            label_lat=geo.get(u.code, {}).get("label_lat"),
            label_lon=geo.get(u.code, {}).get("label_lon"),
            area_km2=geo.get(u.code, {}).get("area_km2_published"),
            population=geo.get(u.code, {}).get("population_published"),
        )
        for u in units
    ]
    aff_aliases = {}
    for a in conf.get("affiliated", []) + conf.get("unit", []):  # a folder's own units (a bloc, placeholders)
        units.append(Unit(a["code"], a["name"], a.get("kind", AFFILIATED_KIND), code))
        for al in a.get("aliases", []):
            aff_aliases[fold(al)] = a["code"]
    old_units, variants = [], {}
    if (folder / conf.get("crosswalk", "crosswalk.csv")).exists():
        with open(folder / conf.get("crosswalk", "crosswalk.csv"), encoding="utf-8", newline="") as f:
            old_units = [
                OldUnit(r["old_kind"], r["old_name"], r["old_qualifier"], r["new_code"], r.get("old_province") or "")
                for r in csv.DictReader(f)
            ]
    if (folder / conf.get("name_variants", "unit_name_variants.csv")).exists():
        with open(folder / conf.get("name_variants", "unit_name_variants.csv"), encoding="utf-8", newline="") as f:
            variants = {fold(r["variant"]): r["code"] for r in csv.DictReader(f)}
    units = sorted(units, key=lambda u: (not u.is_commune, u.code))
    return ProvinceConfig(
        code=code,
        name=conf.get("name", pname),
        folder=folder,
        units=units,
        old_units=old_units,
        variants=variants,
        affiliated_aliases=aff_aliases,
        reference_source=conf.get("reference_source", ""),
        meeting_day=conf.get("meetings", {}).get("day"),
        title=conf.get("title", ""),
        demo_unit=conf.get(
            "demo_unit", next((u.code for u in units if u.is_commune), units[0].code if units else None)
        ),
        settings=conf,
    )
