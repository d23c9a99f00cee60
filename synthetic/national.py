"""National-scale synthetic data: every commune of the 34 provinces (3,321), ~270,000 branches, ~5.6 million
members, ~1.4 million branch-years 2021–2025 — for the performance benchmark (`python -m benchmarks`).

Unlike `synthetic/sample.py` nothing here is calibrated to published tables: plausible distributions drawn with numpy,
vectorised over all branches at once, deterministic for a seed. Two outputs:

* `write_workbooks(year, out_dir)`: one filled return (.xlsx, the template) per commune for one year, as the ETL
  benchmark reads them;
* `build_store(root)`: the 5-year store written directly (no Excel round-trip) for the query and page benchmarks.

The store holds one "province" configuration; `national_config()` is a `ProvinceConfig` whose units are all the
communes of the country. Its reference tables (targets, published Biểu) are borrowed from a province folder
(Cao Bằng by default): the SQL views read them, and progress needs targets."""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from vietnam_provinces import Ward

from etl.annual_return import ParsedReturn
from etl.province import NATIONAL_CODE, NATIONAL_NAME, ProvinceConfig, Unit
from etl.schema import HEAD_ROLES, MEMBER_COUNTS, BranchSchema, CommitteeSchema, HeadsSchema
from etl.settings import PROVINCES_DIR, YEARS
from etl.text import nfc

SEED = 20261124
TYPES = ("xom", "dang", "nha_nuoc", "llvt", "su_nghiep", "doanh_nghiep", "htx")
# Mean members per branch by type (shape only; the total is scaled to MEMBERS_2025).
TYPE_SIZE = np.array([19.0, 26.0, 28.0, 38.0, 22.0, 15.0, 7.0])
MEMBERS_2025 = 5_600_000
NEW_SHARE = 0.04  # branches alive in 2025 that were founded after 2021
DISSOLVED_SHARE = 0.15  # branches (mostly villages) merged away before 2025, relative to the 2025 count
MEMBER_P = {  # exempt, not_rated, excellent, good, completed, not_completed
    True: [0.07, 0.015, 0.10, 0.73, 0.08, 0.005],  # village branches
    False: [0.02, 0.010, 0.16, 0.76, 0.045, 0.005],  # others
}
RATING_CODES = ("xs", "tot", "ht", "kht", None)
RATING_P = {True: [0.13, 0.66, 0.16, 0.015, 0.035], False: [0.20, 0.67, 0.09, 0.005, 0.035]}
INTERNET_NONE = {True: [0.30, 0.26, 0.21, 0.16, 0.12], False: [0.05, 0.04, 0.03, 0.02, 0.01]}  # by year
INTERNET_UNSTABLE = {True: [0.25, 0.23, 0.20, 0.17, 0.15], False: [0.10, 0.09, 0.07, 0.06, 0.05]}
COMPUTER = {True: [0.35, 0.42, 0.50, 0.56, 0.62], False: [0.85, 0.88, 0.92, 0.95, 0.97]}
EHANDBOOK = [0.36, 0.55, 0.70, 0.82, 0.91]
HEAD_MEMBER = {  # share of each village head who is a party member, 2021 and 2025 (straight line between)
    "truong_xom": (0.70, 0.80),
    "truong_ban_ctmt": (0.80, 0.88),
    "hoi_nong_dan": (0.55, 0.62),
    "hoi_phu_nu": (0.45, 0.52),
    "hoi_ccb": (0.85, 0.90),
    "bi_thu_doan": (0.35, 0.42),
}
PROFESSIONAL = ("tren_dai_hoc", "dai_hoc", "cao_dang", "trung_cap", "so_cap", "chua_dao_tao")
PROFESSIONAL_P = {True: [0.15, 0.72, 0.04, 0.07, 0.01, 0.01], False: [0.0, 0.12, 0.05, 0.17, 0.16, 0.50]}
THEORY = ("cao_cap", "trung_cap", "so_cap", "chua_co")
THEORY_P = {True: [0.25, 0.60, 0.10, 0.05], False: [0.02, 0.10, 0.30, 0.58]}
IT = ("thanh_thao", "biet", "chua_biet")
IT_P = {True: [0.85, 0.14, 0.01], False: [0.08, 0.35, 0.57]}
TRAINING_YEARS = np.array([0, 2016, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025])  # 0 = never trained
TRAINING_P = {
    True: [0.40, 0.06, 0.07, 0.07, 0.07, 0.06, 0.06, 0.07, 0.07, 0.07],
    False: [0.55, 0.04, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.06],
}
TYPE_TITLE = {
    "dang": "cơ quan Đảng, MTTQ và đoàn thể",
    "nha_nuoc": "cơ quan Nhà nước",
    "llvt": "lực lượng vũ trang",
    "su_nghiep": "trường học, trạm y tế",
    "doanh_nghiep": "doanh nghiệp",
    "htx": "hợp tác xã",
}


def national_config(provinces: Iterable[str] | None = None, reference_from: str | None = "04") -> ProvinceConfig:
    """Every commune of the given provinces (default: all 34) as the units of one deployment, code «00».

    `reference_from` names the province folder whose reference tables (targets, published Biểu) the store gets:
    the SQL views read those files, so a store without them cannot be opened."""
    wanted = {int(p) for p in provinces} if provinces else None
    units = []
    for w in Ward.iter_all():
        if wanted is not None and int(w.province_code) not in wanted:
            continue
        name = nfc(re.sub(r"^(Xã|Phường|Đặc khu)\s+", "", w.name))
        units.append(
            Unit(
                code=f"{int(w.code):05d}",
                name=name,
                kind=w.division_type.value,
                province_code=f"{int(w.province_code):02d}",
            )
        )
    folder = PROVINCES_DIR / reference_from if reference_from else None
    return ProvinceConfig(
        code=NATIONAL_CODE, name=NATIONAL_NAME, folder=folder, units=sorted(units, key=lambda u: u.code)
    )


@dataclass
class NationalData:
    """Every branch-year, committee member-year and village-head row, as the parser would return them."""

    config: ProvinceConfig
    branches: pl.DataFrame
    committee: pl.DataFrame
    heads: pl.DataFrame

    def years(self) -> list[int]:
        return sorted(self.branches["year"].unique().to_list())


def _pick(rng: np.random.Generator, probs: dict[bool, list[float]], flag: np.ndarray) -> np.ndarray:
    """One category index per row, with the row's probabilities chosen by a boolean flag."""
    u = rng.random(len(flag))
    out = np.empty(len(flag), dtype=np.int64)
    for f in (True, False):
        sel = flag == f
        out[sel] = np.searchsorted(np.cumsum(probs[f])[:-1], u[sel], side="right")
    return out


def _expand(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row index, year) for every year from first to last of each row."""
    n = last - first + 1
    idx = np.repeat(np.arange(len(first)), n)
    start = np.repeat(np.cumsum(n) - n, n)
    return idx, first[idx] + (np.arange(n.sum()) - start)


def _conform(df: pl.DataFrame, schema) -> pl.DataFrame:
    """The frame with the schema's columns in its order and dtypes (what `parse_return` returns)."""
    return df.select(pl.col(name).cast(col.dtype) for name, col in schema.columns().items())


def generate(
    config: ProvinceConfig | None = None,
    years: Iterable[int] = YEARS,
    seed: int = SEED,
    log: Callable[[str], None] | None = print,
) -> NationalData:
    """Draw the whole data set (vectorised; ~1.4 M branch-years in well under a minute on 2 cores)."""
    t0 = time.perf_counter()
    config = config or national_config()
    years = sorted(years)
    y0, y1 = years[0], years[-1]
    rng = np.random.default_rng(seed)
    communes = [u for u in config.units if u.is_commune]
    n_units = len(communes)
    unit_codes = np.array([u.code for u in communes])
    is_ward = np.array([u.kind == "phường" for u in communes])

    # -- the branches alive in the last year, per commune and type ------------------------------------
    counts = np.stack(
        [
            np.maximum(3, np.round(rng.lognormal(np.log(44.0), 0.5, n_units))),  # xom
            1 + rng.poisson(1.5, n_units),  # dang
            1 + rng.poisson(3.0, n_units),  # nha_nuoc
            1 + rng.poisson(1.0, n_units),  # llvt
            rng.poisson(np.where(is_ward, 16.0, 10.0)),  # su_nghiep
            rng.poisson(np.where(is_ward, rng.lognormal(np.log(25.0), 0.6, n_units), 5.0)),  # doanh_nghiep
            rng.poisson(2.0, n_units),  # htx
        ],
        axis=1,
    ).astype(np.int64)
    # Dissolved before the last year (merged villages, closed enterprises): extra branches per commune.
    dissolved = rng.binomial(counts[:, 0], DISSOLVED_SHARE * 0.8)
    dissolved_other = rng.binomial(counts[:, 5], DISSOLVED_SHARE * 0.8)
    per_unit_type = np.concatenate([counts, dissolved[:, None], dissolved_other[:, None]], axis=1)
    kinds = np.array([*range(7), 0, 5])  # type index of each column
    alive_col = np.array([True] * 7 + [False, False])
    n_cells = per_unit_type.ravel()
    b_unit = np.repeat(np.repeat(np.arange(n_units), per_unit_type.shape[1]), n_cells)
    b_type = np.repeat(np.tile(kinds, n_units), n_cells)
    b_alive = np.repeat(np.tile(alive_col, n_units), n_cells)
    n_b = len(b_unit)
    # Sequence number of each branch within its commune (branch codes «01273.001»).
    order = np.lexsort((b_type, b_unit))
    b_unit, b_type, b_alive = b_unit[order], b_type[order], b_alive[order]
    unit_start = np.searchsorted(b_unit, np.arange(n_units))
    b_seq = np.arange(n_b) - unit_start[b_unit] + 1
    # Lifetimes.
    first = np.full(n_b, y0)
    newer = b_alive & (rng.random(n_b) < NEW_SHARE)
    first[newer] = rng.integers(min(y0 + 1, y1), y1 + 1, newer.sum())
    last = np.full(n_b, y1)
    gone = ~b_alive
    last[gone] = rng.integers(y0, max(y0, y1 - 1) + 1, gone.sum()) if y1 > y0 else y1
    village = b_type == 0
    # Size: lognormal around the type's mean, scaled so that the last year has MEMBERS_2025 members.
    size = TYPE_SIZE[b_type] * rng.lognormal(-0.5 * 0.4**2, 0.4, n_b)
    size *= MEMBERS_2025 * (len(communes) / 3321) / size[b_alive].sum()
    growth = rng.normal(0.012, 0.02, n_b)
    u_net, u_pc, u_app = rng.random(n_b), rng.random(n_b), rng.random(n_b)
    border_unit = rng.random(n_units) < 0.10
    border = village & border_unit[b_unit] & (rng.random(n_b) < 0.8)
    # Levels: the 2025 reform puts most branches directly under the commune committee (tt_cap_tren).
    lv_u = rng.random(n_b)
    agency = np.isin(b_type, [1, 2, 3])
    level_last = np.where(
        village,
        np.where(lv_u < 0.95, "tt_cap_tren", "tt_bo_phan"),
        np.where(agency, np.where(lv_u < 0.6, "co_so", "tt_cap_tren"), np.where(lv_u < 0.85, "tt_cap_tren", "co_so")),
    )
    level_before = np.where(level_last == "tt_cap_tren", "tt_co_so", level_last)
    codes = [f"{unit_codes[u]}.{s:03d}" for u, s in zip(b_unit.tolist(), b_seq.tolist())]
    ward_b = is_ward[b_unit]
    names = [
        (f"Chi bộ tổ dân phố số {s}" if w else f"Chi bộ xóm {s}") if t == 0 else f"Chi bộ {TYPE_TITLE[TYPES[t]]} số {s}"
        for t, s, w in zip(b_type.tolist(), b_seq.tolist(), ward_b.tolist())
    ]
    if log:
        log(
            f"  {n_units} communes, {int(b_alive.sum()):,} branches alive in {y1} "
            f"(+{int(gone.sum()):,} dissolved earlier) [{time.perf_counter() - t0:.1f} s]"
        )

    # -- branch-years -----------------------------------------------------------------------------------
    bi, year = _expand(first, last)
    keep = np.isin(year, years)
    bi, year = bi[keep], year[keep]
    yi = np.searchsorted(np.array(YEARS), year)  # index into the by-year tables (2021 = 0)
    vil = village[bi]
    members = 3 + rng.poisson(np.maximum(size[bi] * (1 + growth[bi]) ** (year - 2025) - 3, 0.3))
    p = np.where(vil[:, None], np.array(MEMBER_P[True]), np.array(MEMBER_P[False]))
    parts = rng.multinomial(members, p)
    rating = _pick(rng, RATING_P, vil)
    away = rng.binomial(members, 0.18)
    resident = np.where(vil, np.clip(members - away, 1, None), -1)
    admitted = rng.binomial(members, 0.028)
    p_none = np.where(vil, np.array(INTERNET_NONE[True])[yi], np.array(INTERNET_NONE[False])[yi])
    p_uns = np.where(vil, np.array(INTERNET_UNSTABLE[True])[yi], np.array(INTERNET_UNSTABLE[False])[yi])
    u = u_net[bi]
    internet = np.where(u < p_none, "chua_co", np.where(u < p_none + p_uns, "khong_on_dinh", "on_dinh"))
    computer = u_pc[bi] < np.where(vil, np.array(COMPUTER[True])[yi], np.array(COMPUTER[False])[yi])
    ehandbook = u_app[bi] < np.array(EHANDBOOK)[yi]
    level = np.where(year >= 2025, level_last[bi], level_before[bi])
    rating_codes = np.array(RATING_CODES, dtype=object)[rating]
    codes_s = pl.Series("branch_code", codes, dtype=pl.String)
    branches = pl.DataFrame(
        {
            "year": year.astype(np.int16),
            "branch_code": codes_s.gather(bi),
            "unit_code": pl.Series(unit_codes).gather(b_unit[bi]),
            "branch_name": pl.Series(names, dtype=pl.String).gather(bi),
            "level": level,
            "branch_type": np.array(TYPES)[b_type[bi]],
            "border": border[bi],
            "members": members,
            "resident_members": pl.Series(resident).replace(-1, None),
            "rating": pl.Series(rating_codes.tolist(), dtype=pl.String),
            **{k: parts[:, i] for i, k in enumerate(MEMBER_COUNTS)},
            "admitted": admitted,
            "internet": internet,
            "computer": computer,
            "ehandbook": ehandbook,
        }
    ).sort("year", "branch_code")
    branches = branches.with_columns(excel_row=pl.int_range(pl.len()).over("year", "unit_code") + 7)
    branches = _conform(branches, BranchSchema)
    if log:
        log(
            f"  {branches.height:,} branch-years, {int(branches.filter(pl.col('year') == y1)['members'].sum()):,} "
            f"members in {y1} [{time.perf_counter() - t0:.1f} s]"
        )

    # -- committee members: fixed people per branch, present in every year the branch is -------------------
    agency_b = ~np.isin(b_type, [0, 6])
    n_dep = (size >= 9) & (rng.random(n_b) < 0.85)
    n_mem = np.minimum(rng.poisson(size / 12), np.minimum(7, np.floor(size / 4))).astype(np.int64)
    per = 1 + n_dep.astype(np.int64) + n_mem
    pb = np.repeat(np.arange(n_b), per)
    k = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)  # 0 = secretary, 1 = deputy if any, …
    role = np.where(k == 0, 0, np.where((k == 1) & n_dep[pb], 1, 2))
    role_k = np.where(role == 2, k - n_dep[pb].astype(np.int64), 1)  # number within the role
    ag = agency_b[pb]
    prof, theo, it = _pick(rng, PROFESSIONAL_P, ag), _pick(rng, THEORY_P, ag), _pick(rng, IT_P, ag)
    train_year = TRAINING_YEARS[_pick(rng, TRAINING_P, ag)]
    sec_village = (role == 0) & village[pb]
    also = rng.random((len(pb), 3)) < np.array([0.30, 0.45, 0.20])
    abbr = np.array(["BT", "PBT", "UV"])[role]
    pids = [f"{codes[b]}-{a}{j}" for b, a, j in zip(pb.tolist(), abbr.tolist(), role_k.tolist())]
    people = pl.DataFrame(
        {
            "pi": np.arange(len(pb)),
            "b": pb,
            "person_id": pids,
            "role": np.array(["bi_thu", "pho_bi_thu", "chi_uy_vien"])[role],
            "professional": np.array(PROFESSIONAL)[prof],
            "theory": np.array(THEORY)[theo],
            "it": np.array(IT)[it],
            "ty": train_year,
            "also_village_head": sec_village & also[:, 0],
            "also_front_head": sec_village & also[:, 1],
            "also_other": sec_village & also[:, 2],
        }
    )
    people = people.with_columns(branch_code=codes_s.gather(pb), unit_code=pl.Series(unit_codes).gather(b_unit[pb]))
    committee = (
        pl.DataFrame({"b": bi, "year": year.astype(np.int16)})
        .join(people, on="b", how="inner")
        .with_columns(trained=(pl.col("ty") > 0) & (pl.col("ty") <= pl.col("year")))
        .with_columns(training_year=pl.when(pl.col("trained")).then(pl.col("ty")).otherwise(None))
        .sort("year", "unit_code", "b", "pi")
    )
    committee = committee.with_columns(excel_row=pl.int_range(pl.len()).over("year", "unit_code") + 7)
    committee = _conform(committee, CommitteeSchema)
    if log:
        log(f"  {committee.height:,} committee member-years [{time.perf_counter() - t0:.1f} s]")

    # -- village heads ------------------------------------------------------------------------------------
    vb = bi[vil]
    vy = year[vil]
    share = (vy - 2021) / 4.0
    cols = {}
    u_head = rng.random((n_b, len(HEAD_ROLES)))
    none = rng.random((n_b, len(HEAD_ROLES))) < 0.03
    for j, r in enumerate(HEAD_ROLES):
        lo, hi = HEAD_MEMBER[r]
        p_dv = lo + (hi - lo) * share
        cols[r] = np.where(none[vb, j], "khong_co", np.where(u_head[vb, j] < p_dv, "dang_vien", "khong"))
    heads = pl.DataFrame(
        {
            "year": vy.astype(np.int16),
            "branch_code": codes_s.gather(vb),
            "unit_code": pl.Series(unit_codes).gather(b_unit[vb]),
            **cols,
        }
    ).sort("year", "branch_code")
    heads = heads.with_columns(excel_row=pl.int_range(pl.len()).over("year", "unit_code") + 7)
    heads = _conform(heads, HeadsSchema)
    if log:
        log(f"  {heads.height:,} village-head rows; generated in {time.perf_counter() - t0:.1f} s")
    return NationalData(config, branches, committee, heads)


def returns_of(nd: NationalData) -> list[ParsedReturn]:
    """One ParsedReturn per commune and year, as `parse_return` would have produced from the workbooks."""
    by_unit = nd.config.unit_by_code
    parts = {}
    for name, df in (("branches", nd.branches), ("committee", nd.committee), ("heads", nd.heads)):
        parts[name] = df.partition_by("year", "unit_code", as_dict=True)
    empty = {"committee": CommitteeSchema.create_empty(), "heads": HeadsSchema.create_empty()}
    out = []
    for (year, unit), branches in sorted(parts["branches"].items()):
        year = int(year)
        u = by_unit[unit]
        name = f"{year}_{unit}.xlsx"
        out.append(
            ParsedReturn(
                file_name=name,
                sha256=hashlib.sha256(f"national:{name}".encode()).hexdigest(),
                year=year,
                unit_code=unit,
                committee_key=unit,
                reported_name=u.full_name,
                via="code",
                encoding="unicode",
                is_sample=True,
                branches=branches,
                committee=parts["committee"].get((year, unit), empty["committee"]),
                heads=parts["heads"].get((year, unit), empty["heads"]),
                sheets_present=("branches", "committee", "heads"),
            )
        )
    return out


def build_store(
    root: Path, nd: NationalData | None = None, user: str = "national-sample", log: Callable[[str], None] | None = print
):
    """Write the whole national data set as one snapshot of the store at root (replacing what is there)."""
    from etl.store import commit

    nd = nd or generate(log=log)
    t0 = time.perf_counter()
    rets = returns_of(nd)
    t1 = time.perf_counter()
    result = commit(rets, nd.config, user, root, replace_all=True)
    if log:
        log(f"  store: {len(rets):,} returns split in {t1 - t0:.1f} s, committed in {time.perf_counter() - t1:.1f} s")
    return result


_writer_config: ProvinceConfig | None = None


def _init_writer(config: ProvinceConfig) -> None:
    global _writer_config
    _writer_config = config


def _write_one(task: tuple[str, str, int, list[dict], list[dict], list[dict]]) -> str:
    from forms.template import write_return

    path, unit, year, branches, committee, heads = task
    write_return(
        path,
        _writer_config,
        _writer_config.unit_by_code[unit],
        year,
        branches,
        committee,
        heads,
        prepared_by="Văn phòng đảng uỷ (dữ liệu giả lập toàn quốc)",
        report_date=dt.date(year + 1, 1, 15),
        is_sample=True,
    )
    return path


def _tasks(nd: NationalData, year: int, out_dir: Path, units: list[str] | None):
    b = nd.branches.filter(pl.col("year") == year)
    c = nd.committee.filter(pl.col("year") == year)
    h = nd.heads.filter(pl.col("year") == year).join(b.select("branch_code", "branch_name"), on="branch_code")
    keep = set(units) if units is not None else None

    def cast(df: pl.DataFrame) -> pl.DataFrame:
        return df.with_columns(
            pl.col(col).cast(pl.String) for col, dt_ in df.schema.items() if isinstance(dt_, pl.Enum)
        )

    parts = {k: cast(df).partition_by("unit_code", as_dict=True) for k, df in (("b", b), ("c", c), ("h", h))}
    for (unit,), bdf in sorted(parts["b"].items()):
        if keep is not None and unit not in keep:
            continue
        cdf, hdf = parts["c"].get((unit,)), parts["h"].get((unit,))
        yield (
            str(out_dir / f"{year}_{unit}.xlsx"),
            unit,
            year,
            bdf.to_dicts(),
            cdf.to_dicts() if cdf is not None else [],
            hdf.to_dicts() if hdf is not None else [],
        )


def write_workbooks(
    year: int,
    out_dir: Path,
    nd: NationalData | None = None,
    units: list[str] | None = None,
    workers: int = 2,
    log: Callable[[str], None] | None = print,
) -> list[Path]:
    """One filled return per commune for one year (the template, as communes would send it)."""
    nd = nd or generate(log=log)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    tasks = list(_tasks(nd, year, out_dir, units))
    if workers > 1 and len(tasks) > 8:
        # spawn, never fork: this process has used Polars, whose thread pool does not survive a fork.
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_writer, initargs=(nd.config,)) as pool:
            paths = list(pool.map(_write_one, tasks, chunksize=16))
    else:
        _init_writer(nd.config)
        paths = [_write_one(t) for t in tasks]
    if log:
        log(f"  wrote {len(paths):,} workbooks for {year} in {time.perf_counter() - t0:.1f} s")
    return [Path(p) for p in paths]


if __name__ == "__main__":  # a quick look: python -m synthetic.national
    generate()
