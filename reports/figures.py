"""The figures of the documents, computed through the data-access layer (dashboard.data) with the reader's scope
applied: the same functions, filters and caches the pages use, so a document and a page never disagree.

A document is about the province (unit None) or one unit. A commune user's documents are about its own unit only:
`resolve_unit` refuses any other, and every figure is read with the commune's scope as well."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dashboard import data, fmt, methods, registry, reporting
from dashboard.scope import Filters, Scope
from etl.codes import codes
from etl.province import COMMUNE_KINDS
from etl.settings import PARQUET_DIR
from etl.store import current_snapshot

RATING_IDS = (
    "branch_good",
    "branch_excellent",
    "branch_failed",
    "grassroots_good",
    "grassroots_excellent",
    "grassroots_failed",
    "member_good",
    "member_excellent",
    "member_failed",
)
# The key indicators of the commune brief, in the order it lists them.
BRIEF_IDS = (
    "branch_good",
    "branch_failed",
    "member_good",
    "admission_rate",
    "secretary_deputy_trained",
    "secretary_it",
    "heads_member",
    "village_secretary_post",
    "small_branch",
    "internet_none",
    "computer_none",
    "ehandbook",
)


class AccessDenied(Exception):
    """A document the reader's scope may not see (the message is for the user, in Vietnamese)."""


class UnknownUnit(ValueError):
    """A unit code that is not one of the province's units (the message is for the user, in Vietnamese)."""


@dataclass(frozen=True)
class Ratio:
    """A count out of a base; `value` in % (None when the base is 0)."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator * 100 if self.denominator > 0 else None

    @property
    def rest(self) -> int:
        return self.denominator - self.numerator


@dataclass(frozen=True)
class Meta:
    """What a document is about and which data it was computed from."""

    year: int
    province: str
    unit_code: str | None
    unit_name: str | None  # «Phường Thục Phán»; None for the province
    committee: str  # «Đảng bộ phường Thục Phán» / «Đảng bộ tỉnh Cao Bằng»
    returns: int  # returns of that year in the document's scope
    loaded_on: dt.date | None  # the latest load of those returns
    snapshot: str
    is_sample: bool
    years: tuple[int, ...]  # the years with data up to `year`
    made_on: dt.date
    approval: str | None = None  # the year's reporting cycle: «… đơn vị đã duyệt», «Số liệu chốt ngày …»


@dataclass(frozen=True)
class TargetRow:
    """Progress toward one target as of the document's year (prg_progress, or the same method on the years up to
    it when later years are loaded)."""

    target_id: str
    text: str
    issuer: str
    indicator_id: str
    subgroup: str | None
    direction: int
    target_value: float
    comparator: str
    deadline: int
    is_annual: bool
    latest_year: int
    latest: float
    latest_denominator: int
    observed_pace: float | None
    required_pace: float | None
    projection: float | None
    status: str
    gap_units: int
    stated_complement: bool = False  # stated as the share that has what the indicator counts the lack of

    @property
    def stated(self) -> methods.Stated:
        """The target's figures in its own words and direction (prg_targets.stated_complement)."""
        return methods.stated(
            self.latest,
            self.target_value,
            self.comparator,
            self.stated_complement,
            self.observed_pace,
            self.required_pace,
        )

    @property
    def latest_ratio(self) -> Ratio:
        """What the stated figure counts, of its denominator (those with, not those without, when stated so)."""
        return Ratio(round(self.stated.latest / 100 * self.latest_denominator), self.latest_denominator)


@dataclass(frozen=True)
class Meetings:
    """The branches' meetings of the document's year and scope (the return's sheet «Sinh hoạt chi bộ»): the year's
    totals over the branches reporting them, and the per-unit targets (pilots, materials)."""

    units: int  # committees whose return has the sheet
    branches: int
    every_month: Ratio  # branches meeting every month due
    months: Ratio  # months held / due
    thematic: Ratio  # branches with a thematic meeting every quarter
    attendance: Ratio  # member-meetings attended / due
    unexcused: int  # member-meetings missed without a reason
    scored: Ratio  # meetings scored / held
    good: Ratio  # meetings good or better / scored
    resolutions: Ratio  # branches with a resolution assigning members every month
    tasks: Ratio  # members given tasks / members due
    villages: Ratio  # village branches the committee above visited at least once
    rules: Ratio  # branches with working rules
    pilots_regular: int  # a unit's own pilots (the province: the sum)
    pilots_thematic: int
    # per-unit targets: target id -> (units meeting it, units it applies to, units reported); the province only
    unit_targets: dict[str, tuple[int, int, int]]
    first_year: bool  # no year before with meetings: no pace to judge
    targets: list[TargetRow]  # the meeting targets' progress (the province's own documents)


@dataclass(frozen=True)
class Situation:
    """Every figure of the situation report («Thực trạng») for one year and scope."""

    meta: Meta
    communes: int
    commune_kinds: tuple[str, ...]
    affiliated: tuple[str, ...]
    branches: dict[tuple[str, str], int]  # (level, type) -> branches (Biểu 01)
    members: int  # Biểu 07 «Số có mặt»
    villages: int
    border: int
    village_secretaries: dict[str, int]  # Biểu 02 buckets of the village branches' secretaries, plus «total»
    concurrent: dict[str, Ratio]  # village_secretary_post by subgroup
    heads: dict[str, Ratio]  # heads_member by subgroup
    ehandbook: Ratio
    unstable_below: Ratio  # branches under the commune-level committees (tt_cap_tren)
    unstable_below_by_type: dict[str, int]
    no_internet_below: Ratio
    unstable: Ratio
    no_internet: Ratio
    no_computer: Ratio
    small: Ratio
    small_by_unit: list[tuple[str, list[str]]]  # (committee, branch names)
    ratings: dict[str, dict[int, Ratio]]  # indicator -> year -> ratio (grassroots_good: the years described)
    breaks: dict[int, str]
    targets: list[TargetRow]
    meetings: Meetings | None
    bieu: dict[str, pl.DataFrame] = field(repr=False)
    unit_names: dict[str, str] = field(repr=False)
    # figures that the source document printed otherwise: key (as in PUBLISHED_FACTS) -> what it printed and why
    published: dict[tuple[str, str | None], Published] = field(default_factory=dict)
    # The year's grassroots organisations by kind (db_co_so: đảng bộ cơ sở, co_so: chi bộ cơ sở), when every unit in
    # the report's scope lists its đảng bộ (the Đề án's «411 tổ chức cơ sở đảng (102 đảng bộ cơ sở, 309 chi bộ cơ
    # sở)»); None when some do not (then only branches are counted, as before).
    grassroots: dict[str, int] | None = None


@dataclass(frozen=True)
class Published:
    """A figure as the source document printed it, where the report's differs, and why."""

    ratio: Ratio
    pct: float
    reason: str

    def note(self, source: str) -> str:
        return (
            f"{source} ghi {fmt.count(self.ratio.numerator)}/{fmt.count(self.ratio.denominator)} "
            f"({fmt.pct(self.pct)}); {self.reason}"
        )


# The report's figures that the Đề án's prose prints too (reference/facts.csv): key -> fact. Where the report's figure
# differs (a documented correction of the published tables, or a percentage that is not its own ratio), a note under
# the report gives the published figure and the reason.
PUBLISHED_FACTS: dict[tuple[str, str | None], str] = {
    ("heads", "truong_xom"): "F000-037",
    ("heads", "truong_ban_ctmt"): "F000-038",
    ("heads", "hoi_nong_dan"): "F000-039",
    ("heads", "hoi_phu_nu"): "F000-040",
    ("heads", "hoi_ccb"): "F000-041",
    ("heads", "bi_thu_doan"): "F000-042",
    ("unstable_below", None): "F000-053",
    ("no_internet_below", None): "F000-057",
}


def published_differences(
    meta: Meta, figures: dict[tuple[str, str | None], Ratio], scope: Scope, root: Path
) -> dict[tuple[str, str | None], Published]:
    """The figures of a province report of the published tables' year that the source printed otherwise."""
    if meta.unit_code is not None or scope.is_commune:
        return {}
    rec = data.reconciliation(scope, root=root)
    if rec.filter(pl.col("bieu") == "bieu03")["year"].max() != meta.year:  # the Đề án describes that year only
        return {}
    facts = {r["fact_id"]: r for r in data.published_facts(root=root).iter_rows(named=True)}
    names = data.unit_names(root=root)
    heads = {c.code: c.published_key for c in codes()["head_role"]}  # a role's Biểu 06 columns (codes.csv)
    out = {}
    for key, fact_id in PUBLISHED_FACTS.items():
        f, ours = facts.get(fact_id), figures.get(key)
        if f is None or ours is None or not ours.denominator:
            continue
        theirs = Ratio(int(f["value"]), int(f["denominator"]))
        if theirs == ours and not f["inconsistent"]:
            continue
        if theirs == ours:
            reason = (
                f"tỉ lệ in trong văn bản không đúng phép chia: {fmt.count(ours.numerator)}/"
                f"{fmt.count(ours.denominator)} = {fmt.num(ours.numerator / ours.denominator * 100, 3)}%."
            )
        else:
            fixed = rec.filter(
                pl.col("reason").is_not_null()
                & (pl.col("difference") != 0)
                & (pl.col("bieu") == "bieu06")
                & pl.col("measure").str.starts_with(heads.get(key[1] or "", "(none)"))
            )
            why = "; ".join(
                f"{names.get(r['unit_code'], r['unit_code'])}: {r['reason']}" for r in fixed.iter_rows(named=True)
            )
            reason = "số liệu ở đây theo các biểu đã sửa những ô không thể đúng của biểu công bố" + (
                f" ({why})." if why else "."
            )
        out[key] = Published(theirs, float(f["pct_stated"]), reason)
    return out


@dataclass(frozen=True)
class Brief:
    """Every figure of the one-page brief on a unit."""

    meta: Meta
    branches: int
    villages: int
    border: int
    members: int
    comparison: pl.DataFrame  # data.unit_comparison rows of BRIEF_IDS
    trends: dict[str, dict[int, float | None]]  # indicator -> year -> value (%)
    targets: list[TargetRow]  # but the meeting targets (in `meetings`)
    meetings: Meetings | None
    grassroots: dict[str, int] | None = None  # its grassroots organisations by kind, when its return lists its đảng bộ


def resolve_unit(scope: Scope, unit_code: str | None, root: Path = PARQUET_DIR) -> str | None:
    """The unit a document is about (None = the province). A commune scope may have only its own unit: no unit means
    its own, another unit is refused. An unknown code is refused with the list's own words."""
    if scope.is_commune:
        if unit_code not in (None, scope.unit_code):
            raise AccessDenied("Tài khoản của đảng bộ xã chỉ được lập tài liệu của chính đơn vị mình.")
        unit_code = scope.unit_code
    if unit_code is None:
        return None
    if unit_code not in set(data.units(scope, root=root)["unit_code"]):
        raise UnknownUnit(f"Không có đơn vị mã «{unit_code}» trong danh mục đơn vị của tỉnh.")
    return unit_code


def committee_name(full_name: str) -> str:
    """«Xã Hưng Đạo» -> «Đảng bộ xã Hưng Đạo»; names that already say «Đảng bộ …» stay as they are."""
    if full_name.startswith(("Đảng bộ", "Đảng uỷ")):
        return full_name
    return f"Đảng bộ {full_name[:1].lower()}{full_name[1:]}"


def _meta(year: int, scope: Scope, unit: str | None, root: Path) -> Meta:
    from etl.province import load_province

    province = load_province().name
    units = data.units(scope, root=root)
    name = units.filter(pl.col("unit_code") == unit)["unit_full_name"][0] if unit else None
    rets = data.returns(scope, root=root).filter(pl.col("year") == year)
    if unit:
        rets = rets.filter(pl.col("unit_code") == unit)
    loaded = rets["loaded_at"].max() if rets.height else None
    snap = current_snapshot(root)
    return Meta(
        year=year,
        province=province,
        unit_code=unit,
        unit_name=name,
        committee=committee_name(name) if name else f"Đảng bộ tỉnh {province}",
        returns=rets.height,
        loaded_on=dt.date.fromisoformat(str(loaded)[:10]) if loaded else None,
        snapshot=snap.name if snap else "",
        is_sample=data.is_sample(root=root),
        years=tuple(y for y in data.years(root=root) if y <= year),
        made_on=dt.date.today(),
        approval=reporting.approval_notice(year, root),
    )


def _filters(meta: Meta, **kw) -> Filters:
    return Filters(years=(meta.year,), units=(meta.unit_code,) if meta.unit_code else (), **kw)


def _ratio(indicator_id: str, f: Filters, scope: Scope, root: Path, subgroup: str | None = None) -> Ratio:
    df = data.indicator(indicator_id, f, scope, by=(), subgroup=subgroup, root=root)
    row = df.row(0, named=True) if df.height else {}
    return Ratio(int(row.get("numerator") or 0), int(row.get("denominator") or 0))


def target_progress(meta: Meta, scope: Scope, root: Path, applies: str = "own") -> list[TargetRow]:
    """Progress toward each target (of the province's own documents by default) at the document's scope, as of its
    year: the dashboard's own figures (data.progress_for) for the latest year; for an earlier year the same method on
    the years up to it (the data layer's computed progress), so a 2024 report never uses 2025 figures."""
    units = (meta.unit_code,) if meta.unit_code else ()
    latest = meta.years and meta.years[-1] == data.years(root=root)[-1]
    p = data.progress_for(Filters(years=() if latest else meta.years, units=units), scope, root=root)
    if p.is_empty():
        return []
    out = []
    for r in p.filter(pl.col("applies") == applies).sort("target_id").iter_rows(named=True):
        out.append(
            TargetRow(
                target_id=r["target_id"],
                text=r["target_text"],
                issuer=r["issuer"],
                indicator_id=r["indicator_id"],
                subgroup=r["subgroup"],
                direction=int(r["direction"]),
                target_value=float(r["target_value"]),
                comparator=r["comparator"],
                deadline=int(r["deadline"]),
                is_annual=bool(r["is_annual"]),
                latest_year=int(r["latest_year"]),
                latest=float(r["latest"]),
                latest_denominator=int(r["latest_denominator"]),
                observed_pace=r["observed_pace"],
                required_pace=r["required_pace"],
                projection=r["projection"],
                status=r["status"],
                gap_units=int(r["gap_units"] or 0),
                stated_complement=bool(r.get("stated_complement")),
            )
        )
    return out


def meetings(meta: Meta, scope: Scope, root: Path, targets: list[TargetRow]) -> Meetings | None:
    """The year's meetings at the document's scope, or None when the year has none (the return asks from 2026)."""
    units = (meta.unit_code,) if meta.unit_code else ()
    t = data.meeting_table(Filters(years=(meta.year,), units=units), scope, root=root)
    if not t.height:
        return None

    def total(col: str) -> int:
        return int(t[col].fill_null(0).sum())

    def ratio(num: str, den: str) -> Ratio:
        return Ratio(total(num), total(den))

    f = Filters(years=(meta.year,), units=units)
    per_unit = {}
    if meta.unit_code is None:
        s = data.unit_target_status(meta.year, root=root)
        per_unit = {
            r["target_id"]: (r["units_met"], r["units_expected"], r["units_reported"]) for r in s.iter_rows(named=True)
        }
    return Meetings(
        units=t.height,
        branches=total("branches"),
        every_month=ratio("branches_every_month", "branches"),
        months=ratio("months_held", "months_due"),
        thematic=_ratio("meet_thematic", f, scope, root),
        attendance=ratio("attended", "attendance_due"),
        unexcused=total("absent_unexcused"),
        scored=_ratio("meet_scored", f, scope, root),
        good=_ratio("meet_quality", f, scope, root),
        resolutions=_ratio("meet_resolution", f, scope, root),
        tasks=_ratio("meet_tasks_members", f, scope, root),
        villages=ratio("villages_visited", "village_branches"),
        rules=_ratio("meet_rules", f, scope, root),
        pilots_regular=total("pilots_regular"),
        pilots_thematic=total("pilots_thematic"),
        unit_targets=per_unit,
        first_year=data.meeting_years(scope, root=root)[:1] == [meta.year],
        targets=[r for r in targets if registry.get(r.indicator_id).group == "meeting"],
    )


def situation(year: int, scope: Scope, unit_code: str | None = None, root: Path = PARQUET_DIR) -> Situation:
    """The figures of the situation report of `year` for the province (unit None) or one unit."""
    unit = resolve_unit(scope, unit_code, root)
    meta = _meta(year, scope, unit, root)
    f = _filters(meta)
    units = data.units(scope, root=root)
    names = dict(zip(units["unit_code"].to_list(), units["unit_full_name"].to_list()))
    bieu = data.bieu_tables(scope, unit, root=root)
    at = {t: d.filter(pl.col("year") == year) for t, d in bieu.items()}

    b01 = at["tbl_bieu01"]
    summed = b01.group_by("level_code", "type_code").agg(pl.col("count").sum())
    branches = {(lv, t): int(n) for lv, t, n in summed.iter_rows()}
    with_branches = set(b01["unit_code"])
    present = units.filter(pl.col("unit_code").is_in(list(with_branches)))
    communes = present.filter(pl.col("is_commune"))
    kinds = tuple(k for k in COMMUNE_KINDS if k in set(communes["unit_kind"]))
    affiliated = tuple(present.filter(~pl.col("is_commune"))["unit_full_name"].to_list()) if unit is None else ()

    sec = at["tbl_bieu02"].filter((pl.col("type_code") == "xom") & (pl.col("role_code") == "bi_thu"))
    buckets = [c for c in sec.columns if c not in ("year", "unit_code", "level_code", "type_code", "role_code")]
    village_secretaries = {c: int(sec[c].sum()) for c in buckets}

    village_rows = data.branches(_filters(meta, types=("xom",)), scope, root=root)
    below = _filters(meta, levels=("tt_cap_tren",))
    unstable_by_type = data.indicator("internet_unstable", below, scope, by=("type",), root=root)

    small = data.indicator("small_branch", f, scope, by=("unit", "branch"), root=root).filter(pl.col("numerator") > 0)
    branch_names = {
        (u, b): name
        for u, b, name in data.branches(f, scope, root=root)
        .select("unit_code", "branch_code", "branch_name")
        .iter_rows()
    }
    small_names: dict[str, list[str]] = {}
    for u, b in small.select("unit_code", "branch_code").iter_rows():
        small_names.setdefault(u, []).append(branch_names[u, b])
    small_by_unit = [(committee_name(names[u]), sorted(small_names[u])) for u in names if u in small_names]

    progress = target_progress(meta, scope, root)
    all_years = Filters(years=meta.years, units=f.units)
    ratings = {}
    for i in RATING_IDS:
        df = data.indicator(i, all_years, scope, by=("year",), root=root)
        ratings[i] = {
            int(r["year"]): Ratio(int(r["numerator"]), int(r["denominator"]))
            for r in df.iter_rows(named=True)
            if r["denominator"]
        }

    heads = {s: _ratio("heads_member", f, scope, root, s) for s in registry.get("heads_member").subgroups}
    unstable_below = _ratio("internet_unstable", below, scope, root)
    no_internet_below = _ratio("internet_none", below, scope, root)
    shown = {("heads", k): v for k, v in heads.items()} | {
        ("unstable_below", None): unstable_below,
        ("no_internet_below", None): no_internet_below,
    }
    gr = at["tbl_grassroots"]
    described = set(gr["unit_code"]) >= with_branches if with_branches else False
    grassroots = (
        {k: int(gr.filter(pl.col("org_kind") == k)["total"].sum()) for k in ("db_co_so", "co_so")}
        if described
        else None
    )
    return Situation(
        meta=meta,
        communes=communes.height if unit is None else 0,
        commune_kinds=kinds,
        affiliated=affiliated,
        branches=branches,
        members=int(at["tbl_bieu07"]["present"].sum()),
        villages=village_rows.height,
        border=int(village_rows["border"].sum()) if village_rows.height else 0,
        village_secretaries={"total": int(sec["total"].sum()), **village_secretaries},
        concurrent={
            s: _ratio("village_secretary_post", f, scope, root, s)
            for s in registry.get("village_secretary_post").subgroups
        },
        heads=heads,
        ehandbook=_ratio("ehandbook", f, scope, root),
        unstable_below=unstable_below,
        unstable_below_by_type={
            r["branch_type"]: int(r["numerator"]) for r in unstable_by_type.iter_rows(named=True) if r["numerator"]
        },
        no_internet_below=no_internet_below,
        unstable=_ratio("internet_unstable", f, scope, root),
        no_internet=_ratio("internet_none", f, scope, root),
        no_computer=_ratio("computer_none", f, scope, root),
        small=_ratio("small_branch", f, scope, root),
        small_by_unit=small_by_unit,
        ratings=ratings,
        breaks={y: t for y, t in data.series_breaks(root=root).items() if y in meta.years},
        targets=progress,
        meetings=meetings(meta, scope, root, progress),
        bieu=bieu,
        unit_names=names,
        published=published_differences(meta, shown, scope, root),
        grassroots=grassroots,
    )


def brief(year: int, scope: Scope, unit_code: str, root: Path = PARQUET_DIR) -> Brief:
    """The figures of the one-page brief on one unit (a commune user: its own only)."""
    unit = resolve_unit(scope, unit_code, root)
    if unit is None:
        raise UnknownUnit("Bản tóm tắt được lập cho một đơn vị: hãy chọn đơn vị.")
    meta = _meta(year, scope, unit, root)
    f = _filters(meta)
    rows = data.branches(f, scope, root=root)
    villages = rows.filter(pl.col("is_village"))
    all_years = Filters(years=meta.years, units=(unit,))
    progress = target_progress(meta, scope, root)
    trends = {}
    for i in BRIEF_IDS:
        df = data.indicator(i, all_years, scope, by=("year",), root=root)
        trends[i] = {int(r["year"]): r["value"] for r in df.iter_rows(named=True)}
    return Brief(
        meta=meta,
        branches=rows.height,
        villages=villages.height,
        border=int(villages["border"].sum()) if villages.height else 0,
        members=int(rows["members"].sum()) if rows.height else 0,
        comparison=data.unit_comparison(f, scope, BRIEF_IDS, root=root),
        trends=trends,
        targets=[r for r in progress if registry.get(r.indicator_id).group != "meeting"],
        meetings=meetings(meta, scope, root, progress),
        grassroots=grassroots_counts(f, scope, root),
    )


def grassroots_counts(f: Filters, scope: Scope, root: Path) -> dict[str, int] | None:
    """The grassroots organisations of the selection by kind (db_co_so, co_so), or None when a unit's return in it
    does not list its đảng bộ (int_org_tree.described): a count the Đề án gives, never half of one."""
    tree = data.org_tree(f, scope, root=root)
    if not tree.height or not tree["described"].all():
        return None
    orgs = data.grassroots_orgs(f, scope, root=root)
    return {k: orgs.filter(pl.col("org_kind") == k).height for k in ("db_co_so", "co_so")}


def type_label(code: str) -> str:
    """A branch type as prose names it: «chi bộ thuộc loại hình cơ quan Nhà nước» (codes.csv, first letter lower)."""
    lab = {c.code: c.label for c in codes()["branch_type"]}[code]
    return lab[:1].lower() + lab[1:]
