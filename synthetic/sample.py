"""Calibrated sample data: deterministic synthetic returns whose roll-up reproduces the published Biểu 01–07.

Below the province level everything is invented (branch names, which commune a branch belongs to, who is
trained, …); rolled up, the loaded returns give the published figures exactly wherever the published tables are
internally consistent. Where they contradict themselves the choice is written in
`data/provinces/<code>/reference_corrections.csv`, and the reconciliation view shows the difference.
Years the tables do not cover (e.g. Internet before 2025) follow plausible, monotone trajectories."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from etl.codes import codes, resolve
from etl.province import ProvinceConfig
from etl.settings import YEARS
from forms.template import write_return

SEED = 20260528
# đảng bộ cơ sở in 2025 (Đề án 03-ĐA/TU §1: «411 tổ chức cơ sở đảng (102 đảng bộ cơ sở, 309 chi bộ cơ sở)»)
ORGS_2025 = 102
TYPES_ORDER = ("dang", "nha_nuoc", "llvt", "su_nghiep", "doanh_nghiep", "htx", "xom")
PRE_REFORM_LEVELS = ("co_so", "tt_co_so", "tt_bo_phan")
# Mean members per branch by type (sets the shape; totals come from Biểu 07).
TYPE_SIZE = {"xom": 16, "dang": 22, "nha_nuoc": 24, "llvt": 34, "su_nghiep": 19, "doanh_nghiep": 13, "htx": 6}
# How much more likely an HTXSNV member is in this type than in a village (shape only).
TYPE_EXCELLENCE = {
    "xom": 0.6,
    "dang": 1.6,
    "nha_nuoc": 1.5,
    "llvt": 1.7,
    "su_nghiep": 1.4,
    "doanh_nghiep": 1.0,
    "htx": 0.8,
}
# Share of 2025 state already reached in earlier years (infrastructure, e-handbook, training): invented trajectories.
REGRESS = {2024: 0.08, 2023: 0.17, 2022: 0.27, 2021: 0.38}
EHANDBOOK_SHARE = {2021: 0.36, 2022: 0.55, 2023: 0.70, 2024: 0.82}
UNDER3_EARLIER = {2021: 15, 2022: 14, 2023: 12, 2024: 11}
# Prose figures of the Đề án the sample follows (data/provinces/<code>/reference/facts.csv).
BORDER_FACT = "F000-023"  # 563 of the 1.462 village branches are border hamlets
EHANDBOOK_FACT = "F000-052"  # 252 branches have not deployed the e-handbook app
MEMBERS_2020 = 58_700  # members at the end of 2020 (not published; sets the 2021 admissions only)
ADMISSION_RATE = {2021: 0.031, 2022: 0.030, 2023: 0.029, 2024: 0.029, 2025: 0.027}
_HAMLET_A = ["Nà", "Bản", "Khuổi", "Lũng", "Pác", "Cốc", "Phja", "Nặm", "Keng", "Bó", "Slam", "Nà Lủng", "Co", "Pò"]
_HAMLET_B = [
    "Rạ",
    "Vàng",
    "Mường",
    "Lầy",
    "Gà",
    "Pàng",
    "Ngần",
    "Mạ",
    "Cáp",
    "Thin",
    "Piầu",
    "Đỏong",
    "Sliểm",
    "Khoang",
    "Luông",
    "Nưa",
    "Tấu",
    "Chang",
    "Hoi",
    "Pẻn",
]


@dataclass(eq=False)
class Branch:
    code: str
    unit: str
    name: str
    type: str
    level25: str | None  # None for branches dissolved before 2025
    border: bool = False
    size: float = 0.0
    years: set[int] = field(default_factory=set)
    level: dict[int, str] = field(default_factory=dict)
    members: dict[int, int] = field(default_factory=dict)
    resident: dict[int, int | None] = field(default_factory=dict)
    rating: dict[int, str | None] = field(default_factory=dict)
    counts: dict[int, dict[str, int]] = field(default_factory=dict)
    admitted: dict[int, int] = field(default_factory=dict)
    internet: dict[int, str] = field(default_factory=dict)
    computer: dict[int, bool] = field(default_factory=dict)
    ehandbook: dict[int, bool] = field(default_factory=dict)
    heads: dict[int, dict[str, str]] = field(default_factory=dict)
    u: float = 0.0  # fixed per-branch random numbers: who catches up first
    u_pc: float = 0.0
    u_app: float = 0.0
    growth: float = 0.0


@dataclass(eq=False)
class Person:
    pid: str
    branch: str
    role: str
    professional: str
    theory: str
    training_year: int | None
    it: str
    also_village_head: bool = False
    also_front_head: bool = False
    also_other: bool = False


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _int(v: str) -> int | None:
    return None if v in ("", None) else int(v)


def calibration(province: ProvinceConfig) -> dict[str, list[dict]]:
    """The published tables with the documented corrections applied (what the sample reproduces)."""
    ref = province.reference_dir
    if ref is None:
        raise FileNotFoundError(f"Tỉnh {province.name} chưa có bảng số liệu công bố để hiệu chỉnh dữ liệu mẫu.")
    t = {
        name: _read(ref / f"{name}.csv")
        for name in (
            "bieu01_branch_counts",
            "bieu02_committee_qualifications",
            "bieu03_branch_ratings",
            "bieu04_infrastructure",
            "bieu05_secretary_roles_by_commune",
            "bieu06_village_heads_by_commune",
            "bieu07_member_ratings",
            "facts",
        )
    }
    corr_path = province.folder / "reference_corrections.csv"
    for c in _read(corr_path) if corr_path.exists() else []:
        table = next(k for k in t if k.startswith(c["table"]))
        hits = [
            r
            for r in t[table]
            if all(not c[k] or k not in r or r[k] == c[k] for k in ("year", "level", "branch_type", "role", "commune"))
        ]
        assert len(hits) == 1, (c, len(hits))
        assert hits[0][c["column"]] == c["published"], (c, hits[0][c["column"]])
        hits[0][c["column"]] = c["sample"]
    return t


class SampleBuilder:
    """Builds every branch-year, committee member and village head of the sample for one province."""

    def __init__(self, province: ProvinceConfig, seed: int = SEED):
        self.p = province
        self.rng = np.random.default_rng(seed)
        self.cal = calibration(province)
        self.communes = [u for u in province.units if u.is_commune]
        self.affiliated = [u for u in province.units if not u.is_commune]
        self.branches: list[Branch] = []
        self.people: dict[int, list[Person]] = {}
        self._seq: dict[str, int] = defaultdict(int)
        self.village_by_commune = {
            self._commune(r["commune"]): int(r["village_branches"])
            for r in self.cal["bieu05_secretary_roles_by_commune"]
        }

    # -- helpers ----------------------------------------------------------------------------------------
    def _fact(self, fact_id: str) -> tuple[float, float | None]:
        """A prose figure of the source documents: (value, denominator)."""
        r = next(r for r in self.cal["facts"] if r["fact_id"] == fact_id)
        return float(r["value"]), float(r["denominator"]) if r["denominator"] else None

    def _commune(self, name: str) -> str:
        res = self.p.resolve(None, name, 2025)
        if res.code is None:
            raise ValueError(res.error)
        return res.code

    def _affiliated(self, word: str) -> str:
        from etl.text import fold

        hit = [u.code for u in self.affiliated if word in fold(u.name)]
        return hit[0] if hit else self.affiliated[0].code

    def _new_branch(self, unit: str, btype: str, level25: str | None) -> Branch:
        self._seq[unit] += 1
        code = f"{unit}.{self._seq[unit]:03d}"
        u = self.rng.random(3)
        b = Branch(
            code=code,
            unit=unit,
            name=self._name(unit, btype, self._seq[unit]),
            type=btype,
            level25=level25,
            u=float(u[0]),
            u_pc=float(u[1]),
            u_app=float(u[2]),
        )
        self.branches.append(b)
        return b

    def _name(self, unit: str, btype: str, seq: int) -> str:
        u = self.p.unit_by_code[unit]
        where = f"{u.kind} {u.name}" if u.is_commune else u.name.replace("Đảng bộ ", "")
        if btype == "xom":
            if u.kind == "phường":
                return f"Chi bộ tổ dân phố số {seq}"
            a = _HAMLET_A[int(self.rng.integers(len(_HAMLET_A)))]
            b = _HAMLET_B[int(self.rng.integers(len(_HAMLET_B)))]
            return f"Chi bộ xóm {a} {b}"
        return {
            "dang": f"Chi bộ cơ quan Đảng, MTTQ và đoàn thể số {seq} ({where})",
            "nha_nuoc": f"Chi bộ cơ quan Nhà nước số {seq} ({where})",
            "llvt": f"Chi bộ lực lượng vũ trang số {seq} ({where})",
            "su_nghiep": f"Chi bộ trường học, trạm y tế số {seq} ({where})",
            "doanh_nghiep": f"Chi bộ doanh nghiệp số {seq} ({where})",
            "htx": f"Chi bộ hợp tác xã số {seq} ({where})",
        }[btype]

    def _spread(self, total: int, weights: dict[str, float]) -> dict[str, int]:
        """Largest-remainder split of `total` over keys in proportion to weights."""
        keys = list(weights)
        w = np.array([weights[k] for k in keys], dtype=float)
        raw = total * w / w.sum()
        base = np.floor(raw).astype(int)
        rest = total - base.sum()
        order = np.argsort(-(raw - base) + self.rng.random(len(keys)) * 1e-9)
        base[order[:rest]] += 1
        return dict(zip(keys, base.tolist()))

    def _pick(self, items: list, k: int, weights: list[float] | None = None) -> list:
        """k items without replacement, weighted (Efraimidis–Spirakis keys)."""
        if k <= 0:
            return []
        if k >= len(items):
            return list(items)
        w = np.ones(len(items)) if weights is None else np.maximum(np.asarray(weights, dtype=float), 1e-9)
        keys = self.rng.random(len(items)) ** (1.0 / w)
        idx = np.argsort(-keys)[:k]
        return [items[i] for i in sorted(idx)]

    def _alloc(self, total: int, cap: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """Integer split of `total` over rows, proportional to cap×weight, never above cap."""
        out = np.zeros(len(cap), dtype=int)
        left = total
        while left > 0:
            room = cap - out
            w = np.where(room > 0, room * weight, 0.0)
            if w.sum() <= 0:
                raise ValueError(f"cannot place {left} of {total}")
            raw = left * w / w.sum()
            add = np.minimum(np.floor(raw).astype(int), room)
            rem = left - int(add.sum())
            if rem > 0:
                frac = raw - np.floor(raw) + self.rng.random(len(cap)) * 1e-6
                order = [i for i in np.argsort(-frac) if room[i] - add[i] > 0][:rem]
                add[order] += 1
            out += add
            left = total - int(out.sum())
        return out

    # -- 2025 universe ---------------------------------------------------------------------------------
    def build(self) -> SampleBuilder:
        self._universe_2025()
        self._history()
        self._ratings()
        self._members()
        self._infrastructure()
        self._committee()
        self._heads()
        return self

    def _universe_2025(self) -> None:
        counts = {}
        for r in self.cal["bieu01_branch_counts"]:
            counts[(resolve("level", r["level"]), resolve("branch_type", r["branch_type"]))] = int(r["count"])
        commune_codes = [u.code for u in self.communes]
        vill = {c: self.village_by_commune.get(c, 0) for c in commune_codes}
        assert sum(vill.values()) == counts[("tt_cap_tren", "xom")]
        party, state = self._affiliated("co quan dang"), self._affiliated("uy ban")
        police, army = self._affiliated("cong an"), self._affiliated("quan su")
        ordered = [commune_codes[i] for i in self.rng.permutation(len(commune_codes))]
        plan: dict[tuple[str, str], dict[str, int]] = {}
        plan[("tt_cap_tren", "xom")] = vill
        for t in ("su_nghiep", "doanh_nghiep"):
            plan[("tt_cap_tren", t)] = self._spread(counts[("tt_cap_tren", t)], {c: vill[c] + 5 for c in commune_codes})
        n = len(commune_codes)
        plan[("co_so", "nha_nuoc")] = self._spread(counts[("co_so", "nha_nuoc")], {c: 1 for c in commune_codes})
        k_dang = min(counts[("co_so", "dang")], n)
        plan[("co_so", "dang")] = {c: 1 for c in ordered[:k_dang]}
        # Communes without a grassroots branch of party agencies organise them as a đảng bộ with two branches.
        as_committee = {c: 2 for c in ordered[k_dang:]}
        plan[("tt_co_so", "dang")] = {**as_committee, party: counts[("tt_co_so", "dang")] - sum(as_committee.values())}
        llvt = counts[("co_so", "llvt")]
        to_communes = min(llvt, 2 * n - 1)
        per = {c: 2 for c in commune_codes}
        per[ordered[-1]] = 1
        plan[("co_so", "llvt")] = (
            {**per, police: llvt - to_communes} if llvt >= to_communes else self._spread(llvt, per)
        )
        plan[("co_so", "su_nghiep")] = {state: counts[("co_so", "su_nghiep")]}
        plan[("co_so", "doanh_nghiep")] = {state: counts[("co_so", "doanh_nghiep")]}
        ll = counts[("tt_co_so", "llvt")]
        plan[("tt_co_so", "llvt")] = {police: ll // 2, army: ll - ll // 2}
        for t in ("nha_nuoc", "su_nghiep", "doanh_nghiep", "htx"):
            plan[("tt_co_so", t)] = {state: counts[("tt_co_so", t)]}
        plan[("tt_bo_phan", "llvt")] = {police: counts[("tt_bo_phan", "llvt")]}
        for t in ("dang", "nha_nuoc", "su_nghiep", "doanh_nghiep", "htx", "xom"):
            plan.setdefault(("tt_bo_phan", t), {state: counts[("tt_bo_phan", t)]})
        for (lv, t), n_ in counts.items():
            plan.setdefault((lv, t), self._spread(n_, {c: vill[c] + 1 for c in commune_codes}) if n_ else {})
            assert sum(plan[(lv, t)].values()) == n_, (lv, t)
        for (lv, t), per_unit in sorted(plan.items()):
            for unit, k in per_unit.items():
                for _ in range(k):
                    self._new_branch(unit, t, lv)
        # Border hamlets: most villages of some communes (the share the Đề án states).
        villages = [b for b in self.branches if b.type == "xom"]
        border, of = self._fact(BORDER_FACT)
        target_border = round(len(villages) * border / of)
        chosen, acc = [], 0
        for c in ordered:
            if acc >= target_border / 0.8:
                break
            chosen.append(c)
            acc += vill[c]
        pool = [b for b in villages if b.unit in chosen]
        for b in self._pick(pool, target_border):
            b.border = True

    # -- history ---------------------------------------------------------------------------------------
    def _history(self) -> None:
        ratings = self.cal["bieu03_branch_ratings"]
        need = {(int(r["year"]), resolve("level", r["level"])): int(r["total"]) for r in ratings}
        base = list(self.branches)
        for b in base:
            b.years.add(2025)
            b.level[2025] = b.level25
        order = [base[i] for i in self.rng.permutation(len(base))]
        extras: list[Branch] = []
        missing_prev = 0
        for y in sorted((y for y in YEARS if y < 2025), reverse=True):
            total = sum(v for (yy, _), v in need.items() if yy == y)
            missing = max(missing_prev, len(base) - total)  # created later: absent in every earlier year
            missing_prev = missing
            alive = order[missing:]
            n_extra = total - len(alive)
            while len(extras) < n_extra:
                extras.append(self._extra_branch())
            for b in alive + extras[:n_extra]:
                b.years.add(y)
            self._fit_levels(y, alive, extras[:n_extra], {lv: need.get((y, lv), 0) for lv in PRE_REFORM_LEVELS})

    def _extra_branch(self) -> Branch:
        """A branch that existed before 2025 and was merged or dissolved in the 2025 reorganisation."""
        t = (
            "xom"
            if self.rng.random() < 0.55
            else str(self.rng.choice(["su_nghiep", "nha_nuoc", "doanh_nghiep", "dang"]))
        )
        if t in ("xom", "su_nghiep"):
            unit = str(self.rng.choice([u.code for u in self.communes]))
        else:
            unit = self._affiliated("uy ban")
        b = self._new_branch(unit, t, None)
        b.size = 0.0
        return b

    def _fit_levels(self, y: int, alive: list[Branch], extras: list[Branch], need: dict[str, int]) -> None:
        """Give every branch of year y a pre-reform level so that the counts per level equal Biểu 03."""
        for b in alive:
            b.level[y] = {"tt_cap_tren": "tt_co_so"}.get(b.level25, b.level25)
        have = defaultdict(int)
        for b in alive:
            have[b.level[y]] += 1
        for b in extras:
            if b.type == "xom":
                b.level[y] = "tt_co_so"
            else:
                b.level[y] = max(PRE_REFORM_LEVELS, key=lambda lv: need[lv] - have[lv])
            have[b.level[y]] += 1
        movable = sorted((b for b in alive + extras if b.type != "xom"), key=lambda b: b.u)
        for src in PRE_REFORM_LEVELS:
            for b in movable:
                if have[src] <= need[src]:
                    break
                if b.level[y] != src:
                    continue
                dst = max(PRE_REFORM_LEVELS, key=lambda lv: need[lv] - have[lv])
                if need[dst] - have[dst] <= 0:
                    break
                b.level[y] = dst
                have[src] -= 1
                have[dst] += 1
        assert all(have[lv] == need[lv] for lv in PRE_REFORM_LEVELS), (y, dict(have), need)

    # -- ratings ---------------------------------------------------------------------------------------
    def _ratings(self) -> None:
        for r in self.cal["bieu03_branch_ratings"]:
            y, lv = int(r["year"]), resolve("level", r["level"])
            pool = [b for b in self.branches if y in b.years and b.level[y] == lv]
            assert len(pool) == int(r["total"]), (y, lv, len(pool), r["total"])
            grades = {
                "xs": int(r["excellent"]),
                "tot": int(r["good"]),
                "ht": int(r["completed"]),
                "kht": int(r["not_completed"]),
            }
            assert sum(grades.values()) == int(r["rated"]), (y, lv, grades, r["rated"])
            unrated = self._pick(pool, len(pool) - int(r["rated"]), [3.0 if b.level25 is None else 1.0 for b in pool])
            for b in unrated:
                b.rating[y] = None
            rest = [b for b in pool if y not in b.rating]
            for g, w_village in (("kht", 2.0), ("ht", 1.8), ("xs", 0.6)):
                chosen = self._pick(rest, grades[g], [w_village if b.type == "xom" else 1.0 for b in rest])
                ids = {id(b) for b in chosen}
                for b in chosen:
                    b.rating[y] = g
                rest = [b for b in rest if id(b) not in ids]
            assert len(rest) == grades["tot"]
            for b in rest:
                b.rating[y] = "tot"

    # -- members ---------------------------------------------------------------------------------------
    def _members(self) -> None:
        b07 = {
            int(r["year"]): {k: int(v) for k, v in r.items() if k not in ("year", "transcriber_note")}
            for r in self.cal["bieu07_member_ratings"]
        }
        for b in self.branches:
            b.size = TYPE_SIZE[b.type] * float(np.exp(self.rng.normal(0, 0.38)))
            b.growth = float(self.rng.normal(0.012, 0.02))
        prev_total = MEMBERS_2020
        for y in YEARS:
            pool = [b for b in self.branches if y in b.years]
            w = np.array([b.size * (1 + b.growth) ** (y - 2025) for b in pool])
            total = b07[y]["present"]
            floor = 3 * len(pool)
            extra = self._alloc(total - floor, np.full(len(pool), 10**6), w / w.sum())
            for b, m in zip(pool, extra):
                b.members[y] = int(m) + 3
            members = np.array([b.members[y] for b in pool])
            cap = members.copy()
            village = np.array([b.type == "xom" for b in pool])
            exc = np.array([TYPE_EXCELLENCE[b.type] for b in pool])
            got: dict[str, np.ndarray] = {}
            grades = {
                "exempt": b07[y]["exempt"],
                "not_rated": b07[y]["not_rated"],
                "not_completed": b07[y]["not_completed"],
                "completed": b07[y]["completed"],
                "excellent": b07[y]["excellent"],
            }
            weights = {
                "exempt": np.where(village, 1.6, 0.6),
                "not_rated": np.ones(len(pool)),
                "not_completed": np.where(village, 1.5, 0.8),
                "completed": np.where(village, 1.5, 0.7),
                "excellent": exc,
            }
            for k, t in grades.items():
                got[k] = self._alloc(t, cap, weights[k])
                cap = cap - got[k]
            got["good"] = cap
            assert int(got["good"].sum()) == b07[y]["good_or_better"] - b07[y]["excellent"], y
            admitted_total = round(ADMISSION_RATE[y] * prev_total)
            adm = self._alloc(admitted_total, members // 3, np.where(village, 1.2, 1.0))
            prev_total = total
            for i, b in enumerate(pool):
                b.counts[y] = {
                    k: int(got[k][i])
                    for k in ("exempt", "not_rated", "excellent", "good", "completed", "not_completed")
                }
                b.admitted[y] = int(adm[i])
        self._residents()

    def _residents(self) -> None:
        b06 = {
            self._commune(r["commune"]): int(r["under_3_members"]) for r in self.cal["bieu06_village_heads_by_commune"]
        }
        for y in YEARS:
            villages = [b for b in self.branches if y in b.years and b.type == "xom"]
            if y == 2025:
                small = []
                for c, k in b06.items():
                    small += self._pick(
                        [b for b in villages if b.unit == c], k, [1 / b.members[y] for b in villages if b.unit == c]
                    )
            else:
                keep = [b for b in villages if b.resident.get(2025) is not None and b.resident[2025] < 3]
                others = [b for b in villages if b not in keep]
                small = keep + self._pick(others, UNDER3_EARLIER[y] - len(keep), [1 / b.members[y] for b in others])
            small_ids = {id(b) for b in small}
            for b in villages:
                m = b.members[y]
                if id(b) in small_ids:
                    b.resident[y] = int(self.rng.integers(1, 3))
                else:
                    away = int(self.rng.binomial(m, 0.18))
                    b.resident[y] = max(3, m - away)

    # -- infrastructure --------------------------------------------------------------------------------
    def _infrastructure(self) -> None:
        cells = defaultdict(list)
        for b in self.branches:
            if 2025 in b.years:
                t = None if b.level25 == "tt_bo_phan" else b.type
                cells[(b.level25, t)].append(b)
        for r in self.cal["bieu04_infrastructure"]:
            lv, t = resolve("level", r["level"]), resolve("branch_type", r["branch_type"])
            pool = cells.get((lv, t), [])
            assert len(pool) == int(r["total"]), (lv, t, len(pool), r["total"])
            remote = [2.5 if b.border else 1.0 for b in pool]
            none = set(self._pick(pool, int(r["internet_none"]), remote))
            rest = [b for b in pool if b not in none]
            unstable = set(self._pick(rest, int(r["internet_unstable"]), [2.0 if b.border else 1.0 for b in rest]))
            for b in pool:
                b.internet[2025] = "chua_co" if b in none else "khong_on_dinh" if b in unstable else "on_dinh"
            with_pc = set(
                self._pick(pool, int(r["has_computer"]), [3.0 if b.internet[2025] == "on_dinh" else 1.0 for b in pool])
            )
            for b in pool:
                b.computer[2025] = b in with_pc
        alive25 = [b for b in self.branches if 2025 in b.years]
        not_using = self._pick(
            alive25,
            len(alive25) - self._ehandbook_users_2025(len(alive25)),
            [{"chua_co": 6.0, "khong_on_dinh": 2.0}.get(b.internet[2025], 0.2) for b in alive25],
        )
        nu = {id(b) for b in not_using}
        for b in alive25:
            b.ehandbook[2025] = id(b) not in nu
        states = ("chua_co", "khong_on_dinh", "on_dinh")
        share25 = sum(b.ehandbook[2025] for b in alive25) / len(alive25)
        for y in (y for y in YEARS if y < 2025):
            p = REGRESS[y]
            for b in self.branches:
                if y not in b.years:
                    continue
                if 2025 not in b.years:  # dissolved before 2025: like the villages/agencies around it
                    r = self.rng.random(3)
                    s = 0 if (b.type == "xom" and r[0] < 0.45) else 1 if r[0] < 0.6 else 2
                    b.internet[y], b.computer[y] = states[s], b.type != "xom"
                    b.ehandbook[y] = bool(r[2] < EHANDBOOK_SHARE[y] * (0.7 if b.type == "xom" else 1.1))
                    continue
                # Going back in time, branches lose what they had in 2025, the same ones first (monotone).
                scale = 1.0 if b.type == "xom" else 0.25
                s = states.index(b.internet[2025])
                s = max(0, s - (b.u < p * scale) - (b.u < p * scale / 3))
                b.internet[y] = states[s]
                lose = 0.22 if b.type == "xom" else 0.03
                b.computer[y] = b.computer[2025] and b.u_pc >= lose * (2025 - y)
                b.ehandbook[y] = b.ehandbook[2025] and b.u_app < EHANDBOOK_SHARE[y] / share25

    def _ehandbook_users_2025(self, n: int) -> int:
        # The branches that have not deployed the e-handbook (Đề án 03, footnote 6), as a share of all branches of
        # Biểu 01 (scaled if the sample's branch count differs from the published one).
        not_using, _ = self._fact(EHANDBOOK_FACT)
        published = sum(int(r["count"]) for r in self.cal["bieu01_branch_counts"])
        return n - round(not_using * n / published)

    # -- committee members (Biểu 02, 05) ---------------------------------------------------------------
    def _committee(self) -> None:
        alive = [b for b in self.branches if 2025 in b.years]
        groups = defaultdict(list)
        for b in alive:
            t = None if b.level25 == "tt_bo_phan" else b.type
            groups[(b.level25, t)].append(b)
        published = defaultdict(dict)
        for r in self.cal["bieu02_committee_qualifications"]:
            lv, t = resolve("level", r["level"]), resolve("branch_type", r["branch_type"])
            published[(lv, t)][resolve("role", r["role"])] = r
        people: list[Person] = []
        for (lv, t), pool in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            rows = published.get((lv, t), {})
            n_sec = len(pool)
            n_dep = int(rows["pho_bi_thu"]["total"]) if "pho_bi_thu" in rows else round(0.85 * n_sec)
            n_mem = int(rows["chi_uy_vien"]["total"]) if "chi_uy_vien" in rows else round(1.6 * n_sec)
            if "bi_thu" in rows:
                assert int(rows["bi_thu"]["total"]) == n_sec, (lv, t)
            seats = {id(b): 1 for b in pool}
            dep = self._pick(pool, n_dep, [b.members[2025] for b in pool])
            for b in dep:
                seats[id(b)] += 1
            cap = np.array([max(0, min(b.members[2025], 9) - seats[id(b)]) for b in pool])
            mem = self._alloc(min(n_mem, int(cap.sum())), cap, np.array([b.members[2025] for b in pool], dtype=float))
            assert mem.sum() == n_mem, (lv, t, n_mem, cap.sum())
            for role, holders in (
                ("bi_thu", pool),
                ("pho_bi_thu", dep),
                ("chi_uy_vien", [b for b, k in zip(pool, mem) for _ in range(k)]),
            ):
                persons = []
                k_in_branch = defaultdict(int)
                for b in holders:
                    k_in_branch[b.code] += 1
                    abbrev = {"bi_thu": "BT", "pho_bi_thu": "PBT", "chi_uy_vien": "UV"}[role]
                    persons.append(Person(f"{b.code}-{abbrev}{k_in_branch[b.code]}", b.code, role, "", "", None, ""))
                self._qualify(persons, rows.get(role), lv, t, role)
                people += persons
        self._concurrent_roles(people)
        self.people[2025] = people
        by_branch = {b.code: b for b in self.branches}
        for y in (2024, 2023, 2022, 2021):
            ps = [Person(**{**x.__dict__}) for x in people if y in by_branch[x.branch].years]
            for x in ps:
                if x.training_year is not None and x.training_year > y:
                    x.training_year = None
            for b in self.branches:  # branches dissolved before 2025 get a committee like their peers
                if y in b.years and 2025 not in b.years:
                    peers = [x for x in people if by_branch[x.branch].type == b.type] or people
                    for role in ("bi_thu", "pho_bi_thu"):
                        src = peers[int(self.rng.integers(len(peers)))]
                        tr = src.training_year if src.training_year is not None and src.training_year <= y else None
                        ps.append(
                            Person(
                                f"{b.code}-{'BT' if role == 'bi_thu' else 'PBT'}1",
                                b.code,
                                role,
                                src.professional,
                                src.theory,
                                tr,
                                src.it,
                            )
                        )
            self.people[y] = ps

    def _qualify(self, persons: list[Person], row: dict | None, lv: str, t: str | None, role: str) -> None:
        """Give a group of people qualifications whose counts equal the published Biểu 02 row."""
        n = len(persons)

        def buckets(cols: list[str], default: list[float]) -> list[str]:
            vals = [_int(row[c]) for c in cols] if row else [None] * len(cols)
            if any(v is None for v in vals):  # not published: a plausible split
                vals = list(self._spread(n, dict(zip(cols, default))).values())
            assert sum(vals) == n, (lv, t, role, cols, vals, n)
            out = [c for c, v in zip(cols, vals) for _ in range(v)]
            return [out[i] for i in self.rng.permutation(n)]

        agency = t not in ("xom", "htx")
        prof = buckets(
            [
                "professional_post_graduate",
                "professional_university",
                "professional_college",
                "professional_intermediate",
                "professional_none",
            ],
            [0.2, 0.75, 0.02, 0.03, 0.0] if agency else [0.0, 0.12, 0.05, 0.17, 0.66],
        )
        theo = buckets(
            ["political_theory_advanced", "political_theory_intermediate", "political_theory_none"],
            [0.3, 0.6, 0.1] if agency else [0.02, 0.08, 0.9],
        )
        train = buckets(
            ["party_training_trained", "party_training_not_trained"], [0.45, 0.55] if agency else [0.3, 0.7]
        )
        it = buckets(["it_proficient", "it_basic", "it_none"], [0.9, 0.1, 0.0] if agency else [0.05, 0.3, 0.65])
        for x, p_, th, tr, i_ in zip(persons, prof, theo, train, it):
            x.professional = {
                "professional_post_graduate": "tren_dai_hoc",
                "professional_university": "dai_hoc",
                "professional_college": "cao_dang",
                "professional_intermediate": "trung_cap",
            }.get(p_, "so_cap" if self.rng.random() < 0.3 else "chua_dao_tao")
            x.theory = {"political_theory_advanced": "cao_cap", "political_theory_intermediate": "trung_cap"}.get(
                th, "so_cap" if self.rng.random() < 0.25 else "chua_co"
            )
            # Training year: about half before the period, the rest spread over 2021–2025 (the rising trend).
            x.training_year = (
                None
                if tr != "party_training_trained"
                else int(
                    self.rng.choice(
                        [2016, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025],
                        p=[0.1, 0.12, 0.12, 0.12, 0.1, 0.1, 0.11, 0.11, 0.12],
                    )
                )
            )
            x.it = {"it_proficient": "thanh_thao", "it_basic": "biet"}.get(i_, "chua_biet")

    def _concurrent_roles(self, people: list[Person]) -> None:
        """Village secretaries who are also village head / front head / other posts: Biểu 05 per commune."""
        by_branch = {b.code: b for b in self.branches}
        secs = defaultdict(list)
        for x in people:
            b = by_branch[x.branch]
            if x.role == "bi_thu" and b.type == "xom":
                secs[b.unit].append(x)
        for r in self.cal["bieu05_secretary_roles_by_commune"]:
            pool = secs[self._commune(r["commune"])]
            for attr, col in (
                ("also_front_head", "sec_also_front_head"),
                ("also_village_head", "sec_also_village_head"),
                ("also_other", "sec_other_roles"),
            ):
                for x in self._pick(pool, int(r[col])):
                    setattr(x, attr, True)

    # -- village heads (Biểu 06) -----------------------------------------------------------------------
    def _heads(self) -> None:
        roles = {c.code: c.published_key for c in codes()["head_role"]}  # role -> Biểu 06 column prefix
        for r in self.cal["bieu06_village_heads_by_commune"]:
            pool = [
                b
                for b in self.branches
                if 2025 in b.years and b.type == "xom" and b.unit == self._commune(r["commune"])
            ]
            assert len(pool) == int(r["village_branches"]), r["commune"]
            for b in pool:
                b.heads[2025] = {}
            for role, col in roles.items():
                m, nm = int(r[f"{col}_member"]), int(r[f"{col}_non_member"])
                members = set(self._pick(pool, m))
                rest = [b for b in pool if b not in members]
                non = set(self._pick(rest, nm))
                for b in pool:
                    b.heads[2025][role] = "dang_vien" if b in members else "khong" if b in non else "khong_co"
        for y in (2024, 2023, 2022, 2021):
            p = REGRESS[y] * 0.5
            for b in self.branches:
                if y not in b.years or b.type != "xom":
                    continue
                if 2025 in b.years:
                    b.heads[y] = {
                        k: ("khong" if v == "dang_vien" and self.rng.random() < p else v)
                        for k, v in b.heads[2025].items()
                    }
                else:
                    b.heads[y] = {
                        k: str(self.rng.choice(["dang_vien", "khong", "khong_co"], p=[0.75, 0.2, 0.05])) for k in roles
                    }

    # -- the organisation tree of 2025 (issue 30) ---------------------------------------------------------
    def organisations(self, year: int = 2025) -> dict[str, tuple[list[dict], dict[str, str]]]:
        """unit -> (its đảng bộ cơ sở and đảng bộ bộ phận, {branch code: the đảng bộ it names}) of `year`: the
        branches «trực thuộc đảng uỷ cơ sở» of each unit grouped, by type, into ORGS_2025 đảng bộ cơ sở (the Đề án's
        count, §1: 102), those «trực thuộc đảng bộ bộ phận» into đảng bộ bộ phận of 3–5 branches under one of the
        unit's đảng bộ cơ sở. Which branches, names and ratings are invented (the Đề án publishes no rating of a đảng
        bộ cơ sở): mostly HTTNV, a fifth HTXSNV, a few HTNV. Deterministic (its own seed)."""
        rng = np.random.default_rng(SEED + year)
        alive = [b for b in self.branches if year in b.years]
        under = defaultdict(list)
        for b in alive:
            if b.level[year] == "tt_co_so":
                under[b.unit].append(b)
        sizes = {u: len(bs) for u, bs in under.items()}
        total = sum(sizes.values())
        # one per commune that organises its party agencies as a đảng bộ; the rest over the other units by size
        share = {u: 1 for u in sizes if self.p.unit_by_code[u].is_commune}
        rest = {u: n for u, n in sizes.items() if u not in share}
        if rest:  # largest remainder, without the builder's own random numbers (its rows stay as they were)
            want = ORGS_2025 - len(share)
            raw = {u: want * n / sum(rest.values()) for u, n in rest.items()}
            got = {u: int(v) for u, v in raw.items()}
            for u in sorted(raw, key=lambda u: got[u] - raw[u])[: want - sum(got.values())]:
                got[u] += 1
            share.update(got)
        assert sum(share.values()) == ORGS_2025 and all(1 <= share[u] <= sizes[u] for u in sizes), (share, total)
        out: dict[str, tuple[list[dict], dict[str, str]]] = {}
        for u, bs in sorted(under.items()):
            bs = sorted(bs, key=lambda b: (TYPES_ORDER.index(b.type), b.code))
            k = share[u]
            cuts = [round(i * len(bs) / k) for i in range(k + 1)]
            orgs, parents = [], {}
            for i in range(k):
                group = bs[cuts[i] : cuts[i + 1]]
                code = f"{u}.D{i + 1:02d}"
                kind = max(TYPES_ORDER, key=lambda t: sum(b.type == t for b in group))
                rating = str(rng.choice(["xs", "tot", "ht", "kht"], p=[0.2, 0.72, 0.07, 0.01]))
                orgs.append(
                    {
                        "org_code": code,
                        "org_name": self._org_name(u, kind, i + 1),
                        "org_kind": "db_co_so",
                        "org_type": kind,
                        "rating": rating,
                    }
                )
                parents.update({b.code: code for b in group})
            out[u] = (orgs, parents)
        for u in sorted({b.unit for b in alive if b.level[year] == "tt_bo_phan"}):
            bs = sorted((b for b in alive if b.unit == u and b.level[year] == "tt_bo_phan"), key=lambda b: b.code)
            orgs, parents = out.get(u, ([], {}))
            if not orgs:
                raise ValueError(f"{u}: branches under a đảng bộ bộ phận but no đảng bộ cơ sở")
            n = max(1, round(len(bs) / 4))
            cuts = [round(i * len(bs) / n) for i in range(n + 1)]
            for i in range(n):
                group = bs[cuts[i] : cuts[i + 1]]
                host = orgs[i % len([o for o in orgs if o["org_kind"] == "db_co_so"])]
                code = f"{u}.P{i + 1:02d}"
                orgs.append(
                    {
                        "org_code": code,
                        "org_name": f"Đảng bộ bộ phận số {i + 1} ({host['org_name'].removeprefix('Đảng bộ ')})",
                        "org_kind": "db_bo_phan",
                        "parent_code": host["org_code"],
                        "org_type": host["org_type"],
                    }
                )
                parents.update({b.code: code for b in group})
            out[u] = (orgs, parents)
        return out

    def _org_name(self, unit: str, kind: str, n: int) -> str:
        u = self.p.unit_by_code[unit]
        if u.is_commune:
            return f"Đảng bộ các cơ quan Đảng {u.kind} {u.name}"
        what = {
            "dang": "cơ quan Đảng",
            "nha_nuoc": "cơ quan Nhà nước",
            "llvt": "đơn vị lực lượng vũ trang",
            "su_nghiep": "đơn vị sự nghiệp",
            "doanh_nghiep": "doanh nghiệp",
            "htx": "hợp tác xã",
        }.get(kind, "cơ quan")
        return f"Đảng bộ {what} số {n} ({u.name.removeprefix('Đảng bộ ')})"

    # -- output ----------------------------------------------------------------------------------------
    def returns(self) -> dict[tuple[str, int], tuple[list[dict], list[dict], list[dict]]]:
        """(unit, year) -> (branch rows, committee rows, head rows), as codes."""
        out: dict[tuple[str, int], tuple[list, list, list]] = {}
        by_branch = {b.code: b for b in self.branches}
        for u in self.p.units:
            for y in YEARS:
                out[(u.code, y)] = ([], [], [])
        for b in self.branches:
            for y in sorted(b.years):
                rows = out[(b.unit, y)]
                rows[0].append(
                    {
                        "branch_code": b.code,
                        "branch_name": b.name,
                        "level": b.level[y],
                        "branch_type": b.type,
                        "border": b.border,
                        "members": b.members[y],
                        "resident_members": b.resident.get(y),
                        "rating": b.rating[y],
                        **b.counts[y],
                        "admitted": b.admitted[y],
                        "internet": b.internet[y],
                        "computer": b.computer[y],
                        "ehandbook": b.ehandbook[y],
                    }
                )
                if b.type == "xom":
                    rows[2].append({"branch_code": b.code, "branch_name": b.name, **b.heads[y]})
        for y, ps in self.people.items():
            for x in ps:
                out[(by_branch[x.branch].unit, y)][1].append(
                    {
                        "person_id": x.pid,
                        "branch_code": x.branch,
                        "role": x.role,
                        "professional": x.professional,
                        "theory": x.theory,
                        "trained": x.training_year is not None,
                        "training_year": x.training_year,
                        "it": x.it,
                        "also_village_head": x.also_village_head,
                        "also_front_head": x.also_front_head,
                        "also_other": x.also_other,
                    }
                )
        return out


def write_sample(
    province: ProvinceConfig, out_dir: Path, seed: int = SEED, progress=None, illustrative: bool = False
) -> list[Path]:
    """Write one filled return per committee and year into out_dir; returns the paths. With `illustrative`, also
    the 2026 returns of synthetic/year2026.py (every figure invented, the meetings sheet filled) of the committees
    whose 2026 is in (the app's demonstration; the tests' sample is 2021–2025)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = SampleBuilder(province, seed).build()
    data = builder.returns()
    trees = builder.organisations(2025)
    paths = []
    for i, ((unit, year), (branches, committee, heads)) in enumerate(sorted(data.items())):
        if not branches:
            continue
        path = out_dir / f"{year}_{unit}.xlsx"
        # 2025 (the year the Đề án counts its đảng bộ cơ sở): the sheet «Tổ chức cơ sở đảng» of every unit
        orgs, parents = trees.get(unit, ([], {})) if year == 2025 else (None, {})
        write_return(
            path,
            province,
            province.unit_by_code[unit],
            year,
            [{**b, "parent_code": parents.get(b["branch_code"])} for b in branches],
            committee,
            heads,
            orgs=orgs,
            prepared_by="Văn phòng đảng uỷ (dữ liệu mẫu)",
            report_date=dt.date(year + 1, 1, 15),
            is_sample=True,
        )
        paths.append(path)
        if progress:
            progress(i + 1, len(data))
    if illustrative:
        from synthetic import year2026

        paths += year2026.write_returns(province, out_dir, data, trees)
    return paths
