"""Data access for the app: typed functions over the SQL views, every value bound, the user's scope always applied.

A commune user's scope is applied here, in every function, so no page, export or cache can widen it: a commune
scope replaces any unit filter by the user's own unit; functions that compare with the province return only the
province aggregate, never another unit by name, only for groupings no subtraction can turn into a small group,
and not for a small group (small-group suppression, `province_benchmark`). A national deployment has a level above: a user scoped to one
province sees that province's units only (its filters are narrowed to the province the same way), and compares
with its own province's aggregate. Results are cached per (snapshot, arguments) — the scope is an
argument, so two users with different scopes never share an entry."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import polars as pl

from dashboard import db, registry
from dashboard.scope import NO_UNIT, Coverage, Filters, Scope
from etl.codes import code_list, codes, labels
from etl.schema import ORGS
from etl.settings import MIN_OTHER_BRANCHES, MIN_OTHER_UNITS, PARQUET_DIR
from etl.store import current_snapshot

# The units of some provinces (stg_units: one row per unit, 3,321 at most).
_IN_PROVINCES = "{col} in (select unit_code from stg_units where province_code = any(${param}))"


def _units_sql(scope: Scope, column: str = "unit_code") -> tuple[str, dict]:
    """A condition on a unit column: the units this scope may see (bound parameters)."""
    if scope.is_commune:
        return f"{column} = $scope_unit", {"scope_unit": scope.unit_code or NO_UNIT}
    if scope.is_one_province:
        return _IN_PROVINCES.format(col=column, param="scope_province"), {"scope_province": [scope.province_code]}
    return "true", {}


BY_COLUMNS = {  # the only grouping columns a caller may ask for
    "year": "year",
    "unit": "unit_code",
    "level": "level",
    "type": "branch_type",
    "branch": "branch_code",
    "subgroup": "subgroup",
    "province": "province_code",
}


def _snapshot_key(root: Path) -> str:
    snap = current_snapshot(root)
    return snap.name if snap else ""


_CACHED: list[Callable] = []  # every memoised function, for clear_cache


def cached(fn: Callable) -> Callable:
    """Memoise per snapshot and arguments (scope included): a new load makes every entry stale."""
    inner = functools.lru_cache(maxsize=512)(lambda snap, *a, **kw: fn(*a, **kw))
    _CACHED.append(inner)

    @functools.wraps(fn)
    def wrapper(*args, root: Path = PARQUET_DIR, **kwargs):
        return inner(_snapshot_key(root), *args, root=root, **kwargs)

    wrapper.cache_clear = inner.cache_clear  # type: ignore[attr-defined]
    return wrapper


def _where(f: Filters, alias: str = "") -> tuple[str, dict]:
    """A WHERE clause from a closed set of templates; every value goes in as a bound parameter."""
    parts, params = ["true"], {}
    for name, col, values in (
        ("years", "year", f.years),
        ("units", "unit_code", f.units),
        ("levels", "level", f.levels),
        ("types", "branch_type", f.types),
    ):
        if values:
            parts.append(f"{alias}{col} = any(${name})")
            params[name] = list(values)
    if f.provinces:
        parts.append(_IN_PROVINCES.format(col=f"{alias}unit_code", param="provinces"))
        params["provinces"] = list(f.provinces)
    return " and ".join(parts), params


def _query(sql: str, params: dict, root: Path) -> pl.DataFrame:
    return db.cursor(root).sql(sql, params=params).pl()


@functools.cache
def _labels() -> dict[str, dict[str, str]]:
    return {d: {c.code: c.label for c in cs} for d, cs in codes().items()}


def _with_labels(df: pl.DataFrame, root: Path) -> pl.DataFrame:
    """Add Vietnamese labels next to code columns."""
    lab = _labels()
    if "province_code" in df.columns and "province_name" not in df.columns:
        from etl.province import province_names

        df = df.with_columns(
            province_name=pl.col("province_code").replace_strict(province_names(), default=None, return_dtype=pl.String)
        )
    if "unit_code" in df.columns:
        names = units(Scope.province(), root=root).select("unit_code", "unit_name")
        df = df.join(names, on="unit_code", how="left")
    # a grassroots organisation's «level» is its kind (đảng bộ cơ sở, or the chi bộ cơ sở's own level)
    kinds = {**lab["org_kind"], **lab["level"], "chi_bo": "Chi bộ"}
    lab = {**lab, "level": {**lab["level"], **lab["org_kind"]}, "kind": kinds}
    for col, domain, out in (
        ("level", "level", "level_label"),
        ("org_kind", "kind", "kind_label"),
        ("node_kind", "kind", "kind_label"),
        ("branch_type", "branch_type", "type_label"),
        ("rating", "rating", "rating_label"),
        ("internet", "internet", "internet_label"),
        ("role", "role", "role_label"),
    ):
        if col in df.columns:
            df = df.with_columns(
                pl.col(col).replace_strict(lab[domain], default=None, return_dtype=pl.String).alias(out)
            )
    # A đảng bộ's type in the wording of its sheet in the return (etl/schema.py ORGS): «Cơ quan Nhà nước», never
    # «Chi bộ thuộc loại hình cơ quan Nhà nước»; so the tree's đảng bộ (int_org_tree; its branches keep the branch
    # wording) and every row of a list of grassroots organisations (int_grassroots_org: its kind said beside it).
    if "branch_type" in df.columns and ("node_kind" in df.columns or "org_kind" in df.columns):
        org_type = dict(zip(code_list("branch_type"), labels("branch_type", ORGS.col("org_type").wording), strict=True))
        org = pl.col("node_kind").is_in(code_list("org_kind")) if "node_kind" in df.columns else pl.lit(True)
        df = df.with_columns(
            type_label=pl.when(org)
            .then(pl.col("branch_type").replace_strict(org_type, default=None, return_dtype=pl.String))
            .otherwise(pl.col("type_label"))
        )
    return df


def _value(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        pl.when(pl.col("denominator") > 0)
        .then(pl.col("numerator") / pl.col("denominator") * 100)
        .otherwise(None)
        .alias("value")
    )


@cached
def indicator(
    indicator_id: str,
    filters: Filters,
    scope: Scope,
    by: tuple[str, ...] = ("year",),
    subgroup: str | None = None,
    root: Path = PARQUET_DIR,
) -> pl.DataFrame:
    """Numerator, denominator and value (%) of one indicator, grouped by `by` (year, unit, level, type, branch)."""
    ind = registry.get(indicator_id)
    f = scope.restrict(filters)
    where, params = _where(f)
    sub = subgroup or ind.default_subgroup
    if sub is not None and "subgroup" not in by:
        where += " and subgroup = $subgroup"
        params["subgroup"] = sub
    cols = [BY_COLUMNS[b] for b in by]
    if "branch" in by and "unit" not in by:  # a branch is its unit's and its code together
        cols.insert(by.index("branch"), BY_COLUMNS["unit"])
    select = ", ".join(cols)
    # Above branch level the pre-summed table answers (small); a branch breakdown reads the indicator's view.
    source = ind.view if "branch" in by else "prg_indicator_sum"
    if source == "prg_indicator_sum":
        where += " and indicator_id = $indicator"
        params["indicator"] = ind.id
    if "province" in by:  # units grouped by their province (a national deployment's country map)
        source = f"(select s.*, u.province_code from {source} as s join stg_units as u using (unit_code))"
    sql = (
        f"select {select}{',' if cols else ''} sum(numerator)::bigint as numerator, "
        f"sum(denominator)::bigint as denominator from {source} where {where}"
        + (f" group by {select} order by {select}" if cols else "")
    )
    return _with_labels(_value(_query(sql, params, root)), root)


@cached
def province_benchmark(
    indicator_id: str,
    filters: Filters,
    scope: Scope,
    by: tuple[str, ...] = ("year",),
    subgroup: str | None = None,
    root: Path = PARQUET_DIR,
) -> pl.DataFrame:
    """The province-wide value (all units) for comparison; it names no unit.

    A commune user gets less (`_as_a_commune_sees_it`): the value only, rounded as the pages show it, and only for
    the groupings that cannot be subtracted from one another to single out another unit's branches — a year's
    whole province, or one branch type of it — and not for a small group or for what would let one be had by
    subtraction. Its `withheld` column says why a value is missing («small», «grouping»; null when shown, or when
    there is nothing to show: a group without any branch)."""
    if any(b in ("unit", "branch", "province") for b in by):
        raise ValueError("the province benchmark is never broken down by unit or branch")
    # the user's own province in a national deployment (a commune's is its unit's), or the provinces filtered on
    if scope.is_one_province:
        own = (scope.province_code,)
    elif scope.is_commune:
        own = tuple(units(scope, root=root)["province_code"].unique().to_list()) or (NO_UNIT,)
    else:
        own = filters.provinces
    whole = filters.but(units=(), provinces=own)
    out = indicator(indicator_id, whole, Scope.province(), by, subgroup, root=root)
    if not scope.is_commune:
        return out
    return _as_a_commune_sees_it(out, indicator_id, whole, scope.unit_code, by, subgroup, root)


BENCHMARK_DECIMALS = 2  # the precision every page shows a percentage with (fmt.pct): none more leaves the server


def _as_a_commune_sees_it(
    out: pl.DataFrame,
    indicator_id: str,
    f: Filters,
    own: str | None,
    by: tuple[str, ...],
    subgroup: str | None,
    root: Path,
) -> pl.DataFrame:
    """The benchmark a commune user is shown (issue 29.4; README «Security» says why this method).

    Pre-defined groupings only: a year's whole province, or one branch type of it. A level, several types at once, a
    level and a type together, several years summed are not given: two such answers differ by a group the user
    never asked for (cấp tt_co_so minus «every type but cooperatives» was the province's one cooperative branch).
    Within a year the branch types partition the whole, so the withheld types are completed until together they
    are no small group (`methods.withheld_parts`): the whole minus every type shown is their sum. Numerator and
    denominator are dropped and the value rounded as shown, so the page's data carries no more than its screen."""
    from dashboard import methods

    ind = registry.get(indicator_id)
    sub = subgroup or ind.default_subgroup
    predefined = not f.levels and len(f.types) <= 1 and "level" not in by and ("year" in by or len(f.years) == 1)
    parts: dict[tuple, dict[str, dict[str, int]]] = {}
    if predefined:
        for year, sg, btype, unit, n in _other_branches_by_type(ind.id, f, own, sub, "subgroup" in by, root).rows():
            parts.setdefault((year, sg), {}).setdefault(btype, {})[unit] = n
    hidden = {k: methods.withheld_parts(v, MIN_OTHER_UNITS, MIN_OTHER_BRANCHES) for k, v in parts.items()}

    def why(year: int, sg: str | None, btype: str | None, empty: bool) -> str | None:
        if empty:
            return None  # no branch at all: nothing to hide, and 0/0 is not «withheld»
        if not predefined:
            return "grouping"
        # no other unit's branch in the group: the «province» would be the user's own figure
        types, whole = hidden.get((year, sg), (set(), True))
        others = btype is None or btype in parts.get((year, sg), {})
        return "small" if whole or btype in types or not others else None

    rows = out.to_dicts()
    reasons = [
        why(
            r["year"] if "year" in by else (f.years[0] if f.years else None),
            r["subgroup"] if "subgroup" in by else sub,
            r["branch_type"] if "type" in by else (f.types[0] if f.types else None),
            not r["denominator"],
        )
        for r in rows
    ]
    return out.with_columns(
        pl.lit(None, pl.Int64).alias("numerator"),
        pl.lit(None, pl.Int64).alias("denominator"),
        pl.Series("withheld", reasons, dtype=pl.String),
    ).with_columns(pl.when(pl.col("withheld").is_null()).then(pl.col("value").round(BENCHMARK_DECIMALS)).alias("value"))


def _other_branches_by_type(
    indicator_id: str, f: Filters, own: str | None, subgroup: str | None, by_subgroup: bool, root: Path
) -> pl.DataFrame:
    """(year, subgroup, branch type, unit, branches) of every unit but `own` whose branches count in the
    indicator's denominator, within the filters' years and provinces (all types, all levels: the partition)."""
    where, params = _where(Filters(years=f.years, provinces=f.provinces))
    if subgroup is not None and not by_subgroup:
        where += " and subgroup = $subgroup"
        params["subgroup"] = subgroup
    params |= {"own": own or NO_UNIT, "indicator": indicator_id}
    sql = (
        "select year, subgroup, branch_type, unit_code, sum(branches)::bigint as branches from prg_indicator_sum "
        f"where {where} and indicator_id = $indicator and unit_code <> $own and branches > 0 "
        "group by year, subgroup, branch_type, unit_code"
    )
    return _query(sql, params, root)


@cached
def units(scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """The units this scope may see (a commune user: only its own; a province's user: its province's)."""
    where, params = _units_sql(scope)
    return _query(f"select * from stg_units where {where} order by not is_commune, unit_name", params, root)


def unit_names(root: Path = PARQUET_DIR) -> dict[str, str]:
    """Every unit's full name by its code, whatever the caller's scope: a name is not a figure (codes in the audit
    log and the tables' headers are shown in words)."""
    return dict(units(Scope.province(), root=root).select("unit_code", "unit_full_name").iter_rows())


@cached
def years(root: Path = PARQUET_DIR) -> list[int]:
    """The years with loaded data."""
    return [r[0] for r in db.cursor(root).sql("select distinct year from stg_branch_year order by 1").fetchall()]


@cached
def coverage(filters: Filters, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Per loaded year: of the units the filters select (within the scope), how many reported (int_unit_reported);
    complete when at least the share of int_year_coverage did (the one home of that rule; `complete_share` says it).
    Names no unit."""
    f = scope.restrict(filters)
    where, params = _where(Filters(units=f.units, provinces=f.provinces))
    sql = (
        "select year, count(*) filter (where reported) as reported, count(*) as expected, "
        "count(*) filter (where reported) >= any_value(complete_share) * count(*) as complete, "
        "any_value(complete_share) as complete_share "
        f"from int_unit_reported join int_year_coverage using (year) where {where} group by year order by year"
    )
    return _query(sql, params, root)


def province_coverage(root: Path = PARQUET_DIR) -> dict[int, Coverage]:
    """Per year, how complete the whole province's data is, whatever the caller's scope (it names no unit): the
    years a province figure or line beside a unit may speak for."""
    return Coverage.by_year(coverage(Filters(), Scope.province(), root=root))


@cached
def reported_units(year: int, filters: Filters, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """The units (within the scope, and among the filters' units) whose return for the year is loaded."""
    where, params = _where(scope.restrict(filters.but(years=(year,), levels=(), types=())))
    return _query(f"select distinct unit_code from stg_returns where {where} order by 1", params, root)


@cached
def branches(filters: Filters, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Branch-year rows (the drill-down to branch level) with labels, and the name of the đảng bộ each belongs to
    where its return says (`parent_name`, from the organisation tree; empty: directly under the unit)."""
    where, params = _where(scope.restrict(filters))
    sql = f"select * from int_branch_year where {where} order by unit_code, branch_code, year"
    df = _with_labels(_query(sql, params, root), root)
    tree = org_tree(filters, scope, root=root)
    key = ("year", "unit_code", "node_code")
    parents = tree.select(*key, "parent_code").join(
        tree.select(*key[:2], pl.col("node_code").alias("parent_code"), pl.col("node_name").alias("parent_name")),
        on=[*key[:2], "parent_code"],
        how="inner",
    )
    return df.join(
        parents.select(*key[:2], pl.col("node_code").alias("branch_code"), "parent_name"),
        on=["year", "unit_code", "branch_code"],
        how="left",
    ).with_columns(pl.col("parent_name").fill_null(""))


@cached
def org_tree(filters: Filters, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Every node of the units' organisation trees (int_org_tree: đảng bộ cơ sở, đảng bộ bộ phận, branches with their
    parent and grassroots organisation) for the filters' years and units (levels and types are the branches': the
    tree is shown whole), with labels; a commune: its own tree."""
    where, params = _where(scope.restrict(filters.but(levels=(), types=())))
    sql = f"select * from int_org_tree where {where} order by unit_code, year, node_code"
    return _with_labels(_query(sql, params, root), root)


@cached
def grassroots_orgs(filters: Filters, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """The grassroots organisations (int_grassroots_org: each đảng bộ cơ sở with its own rating, each chi bộ cơ sở)
    of the filters' years and units, with the branches and members below each; a commune: its own."""
    where, params = _where(scope.restrict(filters.but(levels=(), types=())))
    sql = f"select * from int_grassroots_org where {where} order by unit_code, year, org_kind desc, org_code"
    return _with_labels(_query(sql, params, root), root)


@cached
def branch_gaps(filters: Filters, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """The branches that lack something (int_branch_gaps: Internet, a computer, the e-handbook, a trained
    secretary, 3 resident members), most gaps first: the list a commune acts on."""
    where, params = _where(scope.restrict(filters))
    sql = f"select * from int_branch_gaps where gaps > 0 and {where} order by gaps desc, unit_code, branch_code"
    return _with_labels(_query(sql, params, root), root)


@cached
def untrained_secretaries(filters: Filters, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """The training roster: secretaries and deputies not yet trained in party work (anonymous ids, no names)."""
    where, params = _where(scope.restrict(filters))
    sql = f"select * from int_untrained_secretary where {where} order by unit_code, branch_code, role, person_id"
    return _with_labels(_query(sql, params, root), root)


@cached
def meeting_years(scope: Scope, root: Path = PARQUET_DIR) -> list[int]:
    """The years with branch meetings reported (the sheet «Sinh hoạt chi bộ»: from 2026, a 2025 baseline), within
    the scope: the others have «chưa có số liệu», never 0."""
    cond, params = _units_sql(scope)
    sql = f"select distinct year from stg_branch_meeting where {cond} order by year"
    return [r[0] for r in db.cursor(root).sql(sql, params=params).fetchall()]


@cached
def meeting_gaps(filters: Filters, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Every branch's meetings of the filters' years with what they lacked (int_meeting_gaps), most gaps first."""
    where, params = _where(scope.restrict(filters))
    sql = f"select * from int_meeting_gaps where {where} order by gaps desc, unit_code, branch_code"
    return _with_labels(_query(sql, params, root), root)


@cached
def meeting_table(filters: Filters, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """«Tình hình sinh hoạt chi bộ» by committee (tbl_meetings) for the filters' years and units (level and type
    filters do not apply: it is the committees' table); a commune, its own row only."""
    where, params = _where(scope.restrict(filters.but(levels=(), types=())))
    return _with_labels(
        _query(f"select * from tbl_meetings where {where} order by year, unit_code", params, root), root
    )


@cached
def unit_targets(year: int, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Each committee's per-unit targets in a year (pilots per commune, materials per committee: prg_unit_targets)
    with the target's text: «đạt / chưa đạt» for each unit this scope may see (a commune: its own)."""
    cond, params = _units_sql(scope, "u.unit_code")
    sql = (
        "select u.*, t.target_text, t.issuer, t.applies from prg_unit_targets as u "
        f"inner join prg_targets as t on u.target_id = t.target_id where u.year = $year and {cond} "
        "order by u.target_id, u.unit_code"
    )
    return _with_labels(_query(sql, {**params, "year": year}, root), root)


@cached
def unit_target_status(year: int, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """The province's status of each per-unit target in a year: units it applies to, reported, meeting it (counts
    only, no unit named: what a commune may see beside its own status)."""
    sql = (
        "select s.*, t.target_text, t.comparator, t.target_value, t.applies from prg_unit_target_status as s "
        "inner join prg_targets as t on s.target_id = t.target_id where s.year = $year order by s.target_id"
    )
    return _query(sql, {"year": year}, root)


@cached
def progress(
    scope: Scope, target_id: str | None = None, scope_kind: str | None = None, root: Path = PARQUET_DIR
) -> pl.DataFrame:
    """Progress toward every measurable target (prg_progress); a commune sees its own unit only."""
    parts, params = ["true"], {}
    if target_id:
        parts.append("p.target_id = $target")
        params["target"] = target_id
    if scope_kind:
        parts.append("p.scope_kind = $kind")
        params["kind"] = scope_kind
    if scope.is_commune:
        # Only its own unit: the province's progress is computed over every other unit, a figure no commune page
        # compares with, and a target measured on a few units' branches would disclose them.
        parts.append("p.scope_kind = 'unit' and p.scope_code = $own")
        params["own"] = scope.unit_code
    elif scope.is_one_province:  # its units only: the national and per-type rows sum other provinces
        cond, more = _units_sql(scope, "p.scope_code")
        parts.append(f"p.scope_kind = 'unit' and {cond}")
        params |= more
    # The 38 targets' texts are joined here, not in SQL: repeated on 100 000+ rows they cost more than the query.
    sql = f"select p.* from prg_progress as p where {' and '.join(parts)} order by p.target_id, p.scope_kind, p.scope_code"
    texts = _query(
        "select target_id, issuer, target_text, quote, target_scope, note as link_note, stated_complement from prg_targets",
        {},
        root,
    )
    return _query(sql, params, root).join(texts, on="target_id", how="left")


def progress_for(filters: Filters, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Progress toward every measurable target for exactly what the filters select (the page's units, levels and
    types), so the status, the projection and «cần thêm N» describe the same view as the chart beside them.

    A selection that is one of the scopes followed in prg_progress (the province, one unit, one branch type) reads
    it; any other is computed from its own series by dashboard.methods (the SQL mirrors it, and the tests hold the
    two equal). Aggregates use complete years only (int_year_coverage), a unit every year it reported. Years in the
    filters limit the series (progress as of an earlier year: the years up to it)."""
    f = scope.restrict(filters)
    if (
        not f.years
        and not f.levels
        and not f.types
        and len(f.units) <= 1
        and f.units != (NO_UNIT,)
        and not (f.provinces and not f.units)
    ):
        if f.units:
            kind, code = "unit", f.units[0]
        else:
            kind, code = "province", "province"
        return progress(scope, scope_kind=kind, root=root).filter(pl.col("scope_code") == code)
    if not f.years and not f.units and not f.levels and not f.provinces and len(f.types) == 1 and not scope.is_commune:
        return progress(scope, scope_kind="type", root=root).filter(pl.col("scope_code") == f.types[0])
    return _progress_computed(f, scope, root=root)


@cached
def _progress_computed(f: Filters, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    from dashboard import methods

    rows = []
    scopes = _target_units(root=root)
    for t in _query("select * from prg_targets where not is_unit_target order by target_id", {}, root).iter_rows(
        named=True
    ):
        ft = _within_target(f, t, scopes.get(t["target_id"]))
        if ft is None:  # the selection and the target's scope have no unit or level in common
            continue
        complete = set(coverage(ft, scope, root=root).filter("complete")["year"])
        series = indicator(t["indicator_id"], ft, scope, by=("year",), subgroup=t["subgroup"], root=root)
        series = series.filter(pl.col("year").is_in(list(complete)) & (pl.col("denominator") > 0))
        if not series.height:
            continue
        latest_year = series["year"].max()
        deadline = latest_year + 1 if t["is_annual"] else t["deadline"]
        p = methods.progress(
            dict(zip(series["year"], series["value"])), t["target_value"], deadline, t["direction"], t["comparator"]
        )
        denominator = int(series.filter(pl.col("year") == latest_year)["denominator"][0])
        rows.append(
            {
                **{k: t[k] for k in ("target_id", "indicator_id", "subgroup", "direction", "target_value")},
                **{k: t[k] for k in ("comparator", "is_annual", "applies", "issuer", "target_text", "quote")},
                "stated_complement": t["stated_complement"],
                "target_scope": t["target_scope"],
                "is_scoped": t["is_scoped"],
                "link_note": t["note"],
                "scope_kind": "selection",
                "scope_code": "selection",
                "deadline": deadline,
                "baseline_year": p.baseline_year,
                "baseline": p.baseline,
                "latest_year": p.latest_year,
                "latest": p.latest,
                "latest_denominator": denominator,
                "years_with_data": series.height,
                "observed_pace": p.observed_pace,
                "required_pace": p.required_pace,
                "ratio": p.ratio_linear,
                "projection": p.projection,
                "status": p.status,
                "gap_units": methods.gap_in_units(
                    p.latest, t["target_value"], denominator, t["direction"], t["comparator"] in (">", "<")
                ),
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


@cached
def _target_units(root: Path = PARQUET_DIR) -> dict[str, tuple[str, ...]]:
    """target -> the units it applies to, for the targets whose link names them (stg_ref_target_units)."""
    df = _query("select target_id, unit_code from stg_ref_target_units order by unit_code", {}, root)
    out: dict[str, tuple[str, ...]] = {}
    for t, u in df.iter_rows():
        out[t] = (*out.get(t, ()), u)
    return out


def _within_target(f: Filters, target: dict, units: tuple[str, ...] | None) -> Filters | None:
    """The selection narrowed to a scoped target's units and levels (None when they share none): its progress
    for what is on screen counts only what the target counts."""
    if units is not None:
        units = tuple(u for u in units if not f.units or u in f.units)
        if not units:
            return None
        f = f.but(units=units)
    if target.get("levels") is not None:
        levels = tuple(lv for lv in target["levels"] if not f.levels or lv in f.levels)
        if not levels:
            return None
        f = f.but(levels=levels)
    return f


def target_filters(f: Filters, target_id: str, root: Path = PARQUET_DIR) -> Filters | None:
    """The selection narrowed to one target's scope (its units and levels: a scoped target counts only those; None
    when the selection has none of them); the selection itself for a target of the whole deployment."""
    t = _query("select target_id, levels from prg_targets where target_id = $t", {"t": target_id}, root)
    if not t.height:
        return f
    return _within_target(f, t.row(0, named=True), _target_units(root=root).get(target_id))


def province_targets(indicator_id: str, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """The province's own targets measured by an indicator (those it follows in prg_progress), first by target id:
    what a tile, a scorecard column or a map's hover states as «mục tiêu», whatever the caller's scope. The
    target only: no figure of the province's progress. The nearest deadline first (T000-06's 2026 before T000-05's
    2030), then by target id."""
    return (
        progress(Scope.province(), scope_kind="province", root=root)
        # a target of some units or levels only (Bình Lư's, the Khối's) is not the province's
        .filter((pl.col("indicator_id") == indicator_id) & (pl.col("applies") == "own") & ~pl.col("is_scoped"))
        .sort("deadline", "target_id")
        .select("target_id", "target_value", "comparator", "is_annual", "deadline")
    )


@cached
def published(
    indicator_id: str, filters: Filters, scope: Scope, subgroup: str | None = None, root: Path = PARQUET_DIR
) -> pl.DataFrame:
    """The published Biểu's points of an indicator for what the filters select, in the years no return was loaded
    (prg_published): the whole province's (public totals of an official document), or one unit's — a commune user
    gets its own. Nothing for a level, a type or several units together (the tables give no such figure). Columns
    year, numerator, denominator, value, source (the table)."""
    f = scope.restrict(filters)
    if f.levels or f.types or len(f.units) > 1 or (f.provinces and not f.units):
        kind, code = "unit", NO_UNIT
    elif f.units:
        kind, code = "unit", f.units[0]
    else:
        kind, code = "province", "province"
    ind = registry.get(indicator_id)
    sql = (
        "select year, numerator, denominator, source from prg_published where indicator_id = $ind "
        "and subgroup is not distinct from $sub and scope_kind = $kind and scope_code = $code order by year"
    )
    params = {"ind": ind.id, "sub": subgroup or ind.default_subgroup, "kind": kind, "code": code}
    return _value(_query(sql, params, root))


@cached
def targets(root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Every target of the source documents, with the indicator it is measured by (null when it cannot be)."""
    return _query("select * from int_targets order by target_id", {}, root)


@cached
def series_breaks(root: Path = PARQUET_DIR) -> dict[int, str]:
    """Years in which the rating regulation changed."""
    return dict(db.cursor(root).sql("select year, regulation from prg_series_breaks").fetchall())


@cached
def completeness(scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Returns expected vs reported per unit and year."""
    where, params = _where(scope.restrict(Filters()))
    return _query(f"select * from dq_completeness where {where} order by unit_code, year", params, root)


@cached
def reconciliation(scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Loaded figures against every published cell of Biểu 01–07. The province-level tables are for the
    province and admins; a commune user sees only its own rows of the per-commune tables (Biểu 05, 06)."""
    if scope.is_commune:  # the province-wide cells by level and type would disclose small groups of other units
        sql = "select * from rec_all where unit_code = $own"
        return _query(sql, {"own": scope.unit_code}, root)
    if scope.is_one_province:  # the tables by level and type sum every province: its own units' rows only
        cond, params = _units_sql(scope)
        return _query(f"select * from rec_all where {cond}", params, root)
    return _query("select * from rec_all", {}, root)


@cached
def published_facts(root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Percentages stated in the source documents, recomputed."""
    return _query("select * from rec_facts order by fact_id", {}, root)


@cached
def load_history(scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Every load attempt; file names name units, so a commune user sees only the loads of its own returns, and
    of each only its own files and their findings (a load of all communes' returns lists every file)."""
    if scope.is_commune or scope.is_one_province:
        cond, params = _units_sql(scope)
        sql = (
            "with own as (select load_id, string_agg(file_name, '; ' order by file_name) as files, "
            "count(*) as file_count, sum(errors)::bigint as errors, sum(warnings)::bigint as warnings "
            f"from dq_return_findings where {cond} group by load_id) "
            "select h.* replace (o.file_count as file_count, o.files as files, o.errors as errors, "
            "o.warnings as warnings) from dq_load_history as h join own as o on h.load_id = o.load_id "
            "order by h.finished_at desc"
        )
        return _query(sql, params, root)
    return _query("select * from dq_load_history", {}, root)


@cached
def findings(scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Validation findings of the loads (province and admin only: they quote other units' files)."""
    if scope.is_commune or scope.is_one_province:
        cond, params = _units_sql(scope, "r.unit_code")
        sql = (
            "select f.* from stg_load_findings as f join stg_returns as r "
            f"on f.load_id = r.load_id and f.file = r.file_name where {cond}"
        )
        return _query(sql, params, root)
    return _query("select * from stg_load_findings order by load_id desc", {}, root)


@cached
def returns(scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Lineage of the returns in the current data."""
    where, params = _where(scope.restrict(Filters()))
    return _query(f"select * from stg_returns where {where} order by year, unit_code", params, root)


@cached
def is_sample(root: Path = PARQUET_DIR) -> bool:
    """Whether this store is the synthetic sample's (etl.store.kind: fixed when the store was created; the UI must
    then say so, and only then do the demo accounts work)."""
    from etl.store import SAMPLE, kind

    return kind(root) == SAMPLE


@cached
def store_status(root: Path = PARQUET_DIR):
    """What the store holds, in words (etl/status.py): its kind, the years loaded, the years from published tables."""
    from etl.status import status

    return status(root)


def province_name(code: str | None) -> str:
    """A province's name («Lai Châu»; the deployment's own name when code is None)."""
    from etl.province import load_province, province_names

    if code is None:
        return load_province().name
    return province_names().get(code, code)


def has_territory() -> bool:
    """Whether any unit of the configuration is a commune or ward (a bloc's committees have no territory: no map)."""
    from etl.province import load_province

    return any(u.is_commune for u in load_province().units)


def boundaries_path(province_code: str | None = None) -> Path | None:
    """The commune boundaries of the configured province (None if the province has none); in a national
    deployment, those of one province, or the provinces themselves (the country map) when none is given."""
    from etl.province import NATIONAL_CODE, is_province_code, load_province
    from etl.settings import GEO_DIR

    conf = load_province()
    if conf.code != NATIONAL_CODE:
        return conf.boundaries_path
    if province_code is not None and not is_province_code(province_code):
        return None  # nothing else becomes part of a path
    path = GEO_DIR / "communes" / f"{province_code}.geojson" if province_code else GEO_DIR / "provinces.geojson"
    return path if path.exists() else None


@cached
def rating_mix(filters: Filters, scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Branches by year and rating (None = not rated)."""
    where, params = _where(scope.restrict(filters))
    return _query(
        f"select year, rating, sum(branches)::bigint as branches from int_rating_mix where {where} "
        "group by year, rating order by year, rating",
        params,
        root,
    )


BIEU_TABLES = (
    "tbl_bieu01",
    "tbl_bieu02",
    "tbl_bieu03",
    "tbl_grassroots",  # the grassroots organisations' ratings in the layout of Biểu 03 (no published table)
    "tbl_bieu04",
    "tbl_bieu05",
    "tbl_bieu06",
    "tbl_bieu07",
    "tbl_meetings",  # the branches' meetings (the sheet «Sinh hoạt chi bộ» from 2026): no published Biểu
    "int_unit_reported",  # the units expected to report: how complete the meetings table is
)


@cached
def bieu_tables(scope: Scope, unit_code: str | None = None, root: Path = PARQUET_DIR) -> dict[str, pl.DataFrame]:
    """The loaded data rolled up in the layout of Biểu 01–07, for the province or one unit (within the scope)."""
    f = scope.restrict(Filters(units=(unit_code,) if unit_code else ()))
    where, params = _where(Filters(units=f.units, provinces=f.provinces))
    return {t: _query(f"select * from {t} where {where}", params, root) for t in BIEU_TABLES}


def clear_cache() -> None:
    """Forget every cached result (tests; a new snapshot makes entries stale anyway)."""
    for inner in _CACHED:
        inner.cache_clear()


def unit_comparison(
    filters: Filters, scope: Scope, ids: tuple[str, ...] = (), root: Path = PARQUET_DIR
) -> pl.DataFrame:
    """Each unit's value of each indicator (all of the registry, or `ids`) against the province, with the funnel
    judgement (docs/METHODS.md §3, 95%): the rows of the commune profile and of the commune brief. Units whose
    denominator is 0 are left out; the province value is the benchmark this scope is shown (null when it is withheld, and
    `withheld` says why: `province_benchmark`)."""
    from dashboard import methods

    rows = []
    for ind in [registry.get(i) for i in ids] if ids else list(registry.indicators().values()):
        mine = indicator(ind.id, filters, scope, by=("unit",), root=root)
        prov = province_benchmark(ind.id, filters, scope, by=(), root=root)
        p0 = prov["value"][0] if prov.height else None
        why = prov["withheld"][0] if prov.height and "withheld" in prov.columns else None
        for m in mine.filter(pl.col("denominator") > 0).iter_rows(named=True):
            judgement = methods.funnel_against(m["numerator"], m["denominator"], p0, ind.polarity)
            rows.append(
                {
                    "unit_code": m["unit_code"],
                    "unit_name": m["unit_name"],
                    "id": ind.id,
                    "indicator": ind.short_for(),
                    "numerator": m["numerator"],
                    "denominator": m["denominator"],
                    "value": m["value"],
                    "province": p0,
                    "withheld": why,
                    "judgement": judgement,
                    "judgement_label": methods.FUNNEL_LABELS.get(judgement or "", "—"),
                }
            )
    schema = {
        "unit_code": pl.String,
        "unit_name": pl.String,
        "id": pl.String,
        "indicator": pl.String,
        "numerator": pl.Int64,
        "denominator": pl.Int64,
        "value": pl.Float64,
        "province": pl.Float64,
        "withheld": pl.String,
        "judgement": pl.String,
        "judgement_label": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)
