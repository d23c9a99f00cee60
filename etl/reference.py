"""Reference inputs: the published tables (Biểu 01–07), targets and facts, and the units — as store tables."""

from __future__ import annotations

import polars as pl

from etl.codes import codes, resolve
from etl.province import ProvinceConfig
from etl.settings import MAPPINGS_DIR

# The format of the reference files (their header rows): a province without published tables gets empty tables of
# the same shape, so the SQL views always find them.
FORMAT_DIR = MAPPINGS_DIR / "reference"
# Optional columns of target_links.csv (a target's scope): blank = the whole deployment.
SCOPE_COLUMNS = ("units", "levels")
# target_links.csv's columns (etl/mappings/reference/target_links.csv): an old snapshot's table lacks the scope
LINK_COLUMNS = ("target_id", "indicator_id", "subgroup", "direction", "value", "deadline_year", "applies")
LINK_COLUMNS += (*SCOPE_COLUMNS, "note")

BIEU_FILES = {
    "ref_bieu01": "bieu01_branch_counts.csv",
    "ref_bieu02": "bieu02_committee_qualifications.csv",
    "ref_bieu03": "bieu03_branch_ratings.csv",
    "ref_bieu04": "bieu04_infrastructure.csv",
    "ref_bieu05": "bieu05_secretary_roles_by_commune.csv",
    "ref_bieu06": "bieu06_village_heads_by_commune.csv",
    "ref_bieu07": "bieu07_member_ratings.csv",
    "ref_targets": "targets.csv",
    "ref_facts": "facts.csv",
}


def _py_map(s: pl.Series, f) -> pl.Series:
    """f of every non-null value, in Python, as text. Not `map_elements`: this runs inside the server when a return
    is committed, and a polars UDF there can hang every session (dashboard/fmt.py `py_map` says how)."""
    return pl.Series(s.name, [None if v is None else f(v) for v in s.to_list()], dtype=pl.String)


def units_table(province: ProvinceConfig) -> pl.DataFrame:
    """The units (party committees directly above the grassroots) of the province, one row each."""
    from etl.province import province_names

    names = province_names()
    return pl.DataFrame(
        [
            {
                "unit_code": u.code,
                "unit_name": u.name,
                "unit_full_name": u.full_name,
                "unit_kind": u.kind,
                "is_commune": u.is_commune,
                "province_code": u.province_code,
                "province_name": names.get(u.province_code, province.name),
                "label_lat": u.label_lat,
                "label_lon": u.label_lon,
                "area_km2": u.area_km2,
                "population": u.population,
            }
            for u in province.units
        ],
        schema_overrides={
            "label_lat": pl.Float64,
            "label_lon": pl.Float64,
            "area_km2": pl.Float64,
            "population": pl.Int64,
        },
    )


def reference_tables(province: ProvinceConfig) -> dict[str, pl.DataFrame]:
    """units plus every published table the province folder holds, with level/type/role/unit as codes."""
    out = {"units": units_table(province), "codes": pl.DataFrame([c.__dict__ for cs in codes().values() for c in cs])}
    ref = province.reference_dir
    for name, file in BIEU_FILES.items():
        if ref is not None and (ref / file).exists():
            df = pl.read_csv(ref / file, infer_schema_length=0)  # all text: blanks stay null, codes keep zeros
        else:
            df = pl.read_csv(FORMAT_DIR / file, infer_schema_length=0).head(0)
        if "level" in df.columns:
            df = df.with_columns(level_code=_py_map(df["level"], lambda v: resolve("level", v)))
        if "branch_type" in df.columns:
            df = df.with_columns(type_code=_py_map(df["branch_type"], lambda v: resolve("branch_type", v)))
        if "role" in df.columns:
            df = df.with_columns(role_code=_py_map(df["role"], lambda v: resolve("role", v)))
        if "commune" in df.columns:
            df = df.with_columns(unit_code=_py_map(df["commune"], lambda v: province.resolve(None, v, 2025).code))
        numeric = [c for c in df.columns if c not in _TEXT_COLUMNS]
        df = df.with_columns(
            pl.col(c).cast(pl.Float64 if c in ("value", "denominator", "pct_stated") else pl.Int64, strict=False)
            for c in numeric
        )
        out[name] = df
    for name, file in (
        ("ref_target_links", "target_links.csv"),
        ("ref_target_unmeasured", "target_unmeasured.csv"),
        ("ref_corrections", "reference_corrections.csv"),
    ):
        own = province.folder / file if province.folder else None
        df = pl.read_csv(own if own and own.exists() else FORMAT_DIR / file, infer_schema_length=0)
        out[name] = df if own and own.exists() else df.head(0)
    out["ref_corrections"] = out["ref_corrections"].with_columns(pl.col("published", "sample").cast(pl.Int64))
    links = out["ref_target_links"]
    links = links.with_columns(pl.lit(None, pl.String).alias(c) for c in SCOPE_COLUMNS if c not in links.columns)
    out["ref_target_links"] = links
    out["ref_target_units"] = target_units(links, province)
    return out


def target_units(links: pl.DataFrame, province: ProvinceConfig) -> pl.DataFrame:
    """The units each target applies to, for the targets whose link names them (column «units» of
    target_links.csv): unit codes separated by spaces, or «from:<old province>» — the units that came whole from
    that province on 1 July 2025 (the crosswalk's «old_province»: Hà Giang's communes inside Tuyên Quang). A target
    without it applies to every unit of the deployment (no row here). A code the configuration does not know is a
    configuration error, said in words."""
    rows = []
    for target, spec in links.select("target_id", "units").iter_rows():
        for part in (spec or "").split():
            if part.startswith("from:"):
                codes = province.units_from(part.removeprefix("from:").replace("_", " "))
                if not codes:
                    raise ValueError(f"Mục tiêu {target}: không có đơn vị nào từ «{part[5:]}» trong bảng chuyển đổi.")
            elif part in province.unit_by_code:
                codes = [part]
            else:
                raise ValueError(f"Mục tiêu {target}: mã đơn vị «{part}» không có trong danh mục của {province.name}.")
            rows += [{"target_id": target, "unit_code": c} for c in codes]
    return pl.DataFrame(rows, schema={"target_id": pl.String, "unit_code": pl.String}).unique(maintain_order=True)


_TEXT_COLUMNS = {
    "level",
    "branch_type",
    "role",
    "commune",
    "kind",
    "commune_key",
    "transcriber_note",
    "note",
    "tt_source",
    "stt_source",
    "level_code",
    "type_code",
    "role_code",
    "unit_code",
    "target_id",
    "source_file",
    "issuer",
    "indicator",
    "indicator_en",
    "comparator",
    "unit",
    "deadline",
    "scope",
    "quote",
    "deadline_basis",
    "fact_id",
    "subject",
    "as_of",
    "qualifier",
}
