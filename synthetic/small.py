"""A small synthetic sample of an organisation's folder (issue 30): every unit of its configuration with a few
branches, their organisation tree (đảng bộ cơ sở, đảng bộ bộ phận, chi bộ cơ sở), committee members, village heads
and, where the folder asks, the meetings sheet — for a province or an organisation whose published tables the
calibrated sample (synthetic/sample.py) cannot reproduce. Every figure is invented; nothing is calibrated to a
published table. Deterministic for a folder (its seed).

The folder's province.toml says what to build in its [sample] section:

    [sample]
    years = [2025, 2026]       # the report years
    seed = 12                  # the random numbers' seed
    meetings = true            # the sheet «Sinh hoạt chi bộ» in every year (false: only from 2026, as asked)
    villages = [4, 8]          # a commune's village branches (min, max); its other organisations as DEFAULT_COMMUNE
    [[sample.unit]]            # a unit described as its documents describe it (overrides the defaults)
    code = "03390"
    villages = 35              # village branches directly under the committee
    direct = {su_nghiep = 9}   # other branches directly under it, by type
    chi_bo_co_so = {llvt = 2}  # chi bộ cơ sở, by type
    first_ratings = {xs = 11, tot = 43}   # the organisations directly under it, first year (a document's figures)
    [[sample.unit.dang_bo]]    # each đảng bộ cơ sở: its name, type, branches directly under it, đảng bộ bộ phận
    name = "Đảng bộ các cơ quan Đảng xã"
    type = "dang"
    branches = 5
    bo_phan = [3, 2]           # sizes of its đảng bộ bộ phận

`python -m etl sample` builds it for the configured folder (PARTYDASH_PROVINCE)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from etl.province import ProvinceConfig, Unit
from etl.schema import HEAD_ROLES, MEETINGS_FROM, MEMBER_COUNTS

# A commune's organisations where the folder does not describe it: villages, a police and a military chi bộ cơ sở,
# the party agencies' đảng bộ with two branches; a committee that is not a commune: two đảng bộ of three branches,
# one of them with a đảng bộ bộ phận, and two chi bộ cơ sở.
DEFAULT_COMMUNE = {"chi_bo_co_so": {"llvt": 2}, "dang_bo": [{"type": "dang", "branches": 2}]}
DEFAULT_COMMITTEE = {
    "chi_bo_co_so": {"nha_nuoc": 2},
    "dang_bo": [{"type": "nha_nuoc", "branches": 3}, {"type": "su_nghiep", "branches": 1, "bo_phan": [2]}],
}
RATINGS = ("xs", "tot", "ht", "kht")
RATING_P = (0.18, 0.72, 0.08, 0.02)
TYPE_NAMES = {
    "dang": "cơ quan Đảng, đoàn thể",
    "nha_nuoc": "cơ quan Nhà nước",
    "llvt": "lực lượng vũ trang",
    "su_nghiep": "đơn vị sự nghiệp",
    "doanh_nghiep": "doanh nghiệp",
    "htx": "hợp tác xã",
}
_HAMLETS = ("Nà", "Bản", "Pá", "Nậm", "Sì", "Hồ", "Phìn", "Lả", "Tà", "Xà", "Cốc", "Khau")
_SECOND = ("Sang", "Hon", "Lùng", "Chản", "Pao", "Mú", "Cang", "Tẩu", "Sử", "Vàng", "Đông", "Mới")


@dataclass
class Node:
    """An organisation of the tree: a branch («chi bộ», with its level) or a đảng bộ (cơ sở or bộ phận)."""

    code: str
    name: str
    kind: str  # chi_bo | db_co_so | db_bo_phan
    type: str
    level: str | None = None  # a branch's level
    parent: str | None = None  # the đảng bộ above it (None: the unit)
    size: float = 0.0
    rating: dict[int, str | None] = field(default_factory=dict)


class SmallSample:
    """The rows of every return of a folder's small sample."""

    def __init__(self, province: ProvinceConfig):
        self.p = province
        self.spec = province.settings.get("sample", {})
        self.years = tuple(self.spec.get("years", (2025,)))
        self.rng = np.random.default_rng(self.spec.get("seed", 1))
        self.described = {u["code"]: u for u in self.spec.get("unit", [])}
        unknown = set(self.described) - set(province.unit_by_code)
        if unknown:
            raise ValueError(f"[sample] của {province.name} mô tả đơn vị không có trong danh mục: {sorted(unknown)}")
        self.trees = {u.code: self._tree(u) for u in province.units}

    # -- the tree -------------------------------------------------------------------------------------------
    def _tree(self, unit: Unit) -> list[Node]:
        own = self.described.get(unit.code, {})
        base = DEFAULT_COMMUNE if unit.is_commune else DEFAULT_COMMITTEE
        lo, hi = self.spec.get("villages", (4, 8))
        villages = own.get("villages", int(self.rng.integers(lo, hi + 1)) if unit.is_commune else 0)
        nodes: list[Node] = []

        def branch(kind_type: str, level: str, parent: str | None = None, name: str = "") -> Node:
            code = f"{unit.code}.{sum(n.kind == 'chi_bo' for n in nodes) + 1:03d}"
            n = Node(code, name or self._branch_name(kind_type, len(nodes) + 1), "chi_bo", kind_type, level, parent)
            n.size = float(self.rng.lognormal(np.log(22 if kind_type == "xom" else 14), 0.35))
            nodes.append(n)
            return n

        for _ in range(villages):
            branch("xom", "tt_cap_tren", name=self._hamlet(unit))
        for t, k in own.get("direct", {}).items():
            for _ in range(k):
                branch(t, "tt_cap_tren")
        for t, k in own.get("chi_bo_co_so", base["chi_bo_co_so"]).items():
            for _ in range(k):
                branch(t, "co_so")
        p = 0
        for i, d in enumerate(own.get("dang_bo", base["dang_bo"]), 1):
            code = f"{unit.code}.D{i:02d}"
            name = d.get("name") or f"Đảng bộ {TYPE_NAMES[d['type']]} số {i}"
            nodes.append(Node(code, name, "db_co_so", d["type"]))
            for _ in range(d.get("branches", 2)):
                branch(d["type"], "tt_co_so", code)
            for size in d.get("bo_phan", []):
                p += 1
                sub = f"{unit.code}.P{p:02d}"
                nodes.append(Node(sub, f"Đảng bộ bộ phận số {p} ({name})", "db_bo_phan", d["type"], parent=code))
                for _ in range(size):
                    branch(d["type"], "tt_bo_phan", sub)
        self._rate(nodes, own.get("first_ratings"))
        return nodes

    def _branch_name(self, t: str, n: int) -> str:
        return f"Chi bộ {TYPE_NAMES.get(t, 'cơ quan')} số {n}"

    def _hamlet(self, unit: Unit) -> str:
        a, b = self.rng.choice(_HAMLETS), self.rng.choice(_SECOND)
        return f"Chi bộ {'tổ dân phố' if unit.kind == 'phường' else 'bản'} {a} {b}"

    def _rate(self, nodes: list[Node], first: dict[str, int] | None) -> None:
        """Ratings every year (a đảng bộ bộ phận is not rated); each year keeps most of the year before. `first`:
        the ratings of the organisations directly under the unit in the first year, as a document gives them."""
        direct = [n for n in nodes if n.kind == "db_co_so" or n.level in ("co_so", "tt_cap_tren")]
        for y in self.years:
            for n in nodes:
                if n.kind == "db_bo_phan":
                    n.rating[y] = None
                    continue
                before = n.rating.get(y - 1)
                keep = before is not None and self.rng.random() < 0.7
                n.rating[y] = before if keep else str(self.rng.choice(RATINGS, p=RATING_P))
            if first and y == self.years[0]:
                ratings = [r for r, k in first.items() for _ in range(k)]
                if len(ratings) != len(direct):
                    raise ValueError(f"first_ratings: {len(ratings)} xếp loại cho {len(direct)} tổ chức trực thuộc")
                for n, r in zip(direct, [ratings[i] for i in self.rng.permutation(len(ratings))]):
                    n.rating[y] = r

    # -- the rows of one return ----------------------------------------------------------------------------
    def rows(self, unit: Unit, year: int) -> dict:
        """The keyword arguments of `forms.template.write_return` for one unit-year (branches, committee, heads,
        and the orgs and meetings sheets)."""
        nodes = self.trees[unit.code]
        branches, committee, heads, meetings = [], [], [], []
        growth = 1 + 0.015 * (year - self.years[0])
        for n in (n for n in nodes if n.kind == "chi_bo"):
            b = self._branch(n, year, growth)
            branches.append(b)
            committee += self._committee(n, b, year)
            if n.type == "xom":
                heads.append(self._heads(n))
            meetings.append(self._meetings(unit, n, b, year))
        orgs = [
            {
                "org_code": n.code,
                "org_name": n.name,
                "org_kind": n.kind,
                "parent_code": n.parent,
                "org_type": n.type,
                "rating": n.rating[year],
            }
            for n in nodes
            if n.kind != "chi_bo"
        ]
        if unit.is_commune and year >= MEETINGS_FROM:  # the Đề án's pilots: 2 regular, 1 thematic per commune
            for m, pilot in zip(meetings, ("thuong_ky", "ca_hai")):
                m["pilot"] = pilot
        with_meetings = self.spec.get("meetings", False) or year >= MEETINGS_FROM
        return {
            "branches": branches,
            "committee": committee,
            "heads": heads,
            "orgs": orgs,
            "meetings": meetings if with_meetings else None,
            "unit_fields": {
                "materials_months": int(self.rng.choice([12, 12, 12, 10])),
                "thematic_orientation": bool(self.rng.random() < 0.9),
            }
            if with_meetings
            else None,
        }

    def _branch(self, n: Node, year: int, growth: float) -> dict:
        r = self.rng
        members = max(3, int(round(n.size * growth)))
        shares = np.array([0.05, 0.01, 0.17, 0.70, 0.06, 0.01])
        counts = r.multinomial(members, shares / shares.sum())
        row = {
            "branch_code": n.code,
            "branch_name": n.name,
            "level": n.level,
            "parent_code": n.parent,
            "branch_type": n.type,
            "border": False,
            "members": members,
            "resident_members": max(1, members - int(r.integers(0, 4))) if n.type == "xom" else None,
            "rating": n.rating[year],
            **dict(zip(MEMBER_COUNTS, (int(c) for c in counts))),
            "admitted": int(r.binomial(members, 0.03)),
            "internet": str(r.choice(["on_dinh", "khong_on_dinh", "chua_co"], p=[0.6, 0.25, 0.15]))
            if n.type == "xom"
            else "on_dinh",
            "computer": bool(r.random() < (0.6 if n.type == "xom" else 0.97)),
            "ehandbook": bool(r.random() < 0.85),
        }
        return row

    def _committee(self, n: Node, b: dict, year: int) -> list[dict]:
        r = self.rng
        village = n.type == "xom"
        roles = ["bi_thu"] + (["pho_bi_thu"] if b["members"] >= 10 else [])
        out = []
        for role in roles:
            trained = bool(r.random() < (0.55 if village else 0.8))
            out.append(
                {
                    "person_id": f"{n.code}-{'BT' if role == 'bi_thu' else 'PBT'}",
                    "branch_code": n.code,
                    "role": role,
                    "professional": str(r.choice(["dai_hoc", "trung_cap", "chua_dao_tao"], p=[0.4, 0.3, 0.3]))
                    if village
                    else "dai_hoc",
                    "theory": str(r.choice(["trung_cap", "so_cap", "chua_co"], p=[0.2, 0.4, 0.4]))
                    if village
                    else "trung_cap",
                    "trained": trained,
                    "training_year": int(r.integers(2019, year + 1)) if trained else None,
                    "it": str(r.choice(["thanh_thao", "biet", "chua_biet"], p=[0.2, 0.5, 0.3])),
                    "also_village_head": bool(village and role == "bi_thu" and r.random() < 0.45),
                    "also_front_head": bool(village and role == "bi_thu" and r.random() < 0.3),
                    "also_other": False,
                }
            )
        return out

    def _heads(self, n: Node) -> dict:
        p_member = (0.85, 0.8, 0.7, 0.6, 0.75, 0.6)  # per village head, in HEAD_ROLES' order
        return {
            "branch_code": n.code,
            "branch_name": n.name,
            **{
                role: "dang_vien" if self.rng.random() < p else "khong" if self.rng.random() < 0.95 else "khong_co"
                for role, p in zip(HEAD_ROLES, p_member, strict=True)
            },
        }

    def _meetings(self, unit: Unit, n: Node, b: dict, year: int) -> dict:
        r = self.rng
        held = 12 if r.random() < 0.85 else 11
        due = b["members"] - b["exempt"]
        unexcused = int(r.random() < 0.2)
        present = min(held * due - unexcused, int(round(held * due * float(np.clip(r.normal(0.9, 0.04), 0.7, 1.0)))))
        scored = held if r.random() < 0.6 else held - 2
        good = scored - int(r.integers(0, 3))
        row = {
            "branch_code": n.code,
            "branch_name": n.name,
            "regular_held": held,
            "thematic_quarters": 4 if r.random() < 0.8 else 3,
            "forums": int(r.random() < 0.6),
            "att_present": present,
            "att_excused": held * due - present - unexcused,
            "att_unexcused": unexcused,
            "q_scored": scored,
            "q_level1": good,
            "q_level2": scored - good,
            "res_assigned": held,
            "members_assigned": due - int(r.random() < 0.15),
            "bulletin_meetings": held - int(r.integers(0, 2)),
            "higher_quarters": int(r.integers(1, 5)) if n.type == "xom" else int(r.integers(2, 5)),
            "rules_year": int(r.integers(2020, year + 1)) if r.random() < 0.95 else None,
            "term_docs": bool(r.random() < 0.9),
            "year_programme": bool(r.random() < 0.95),
            "procedure_ok": bool(r.random() < 0.9),
        }
        if self.p.meeting_day is not None:
            row["on_fixed_day"] = held - int(r.random() < 0.25)
        return row


def write_small_sample(province: ProvinceConfig, out_dir: Path, progress=None) -> list[Path]:
    """Write one return per unit and year of the folder's small sample into out_dir; returns the paths."""
    from forms.template import write_return

    out_dir.mkdir(parents=True, exist_ok=True)
    sample = SmallSample(province)
    jobs = [(u, y) for y in sample.years for u in province.units]
    paths = []
    for i, (unit, year) in enumerate(jobs, 1):
        path = out_dir / f"{year}_{unit.code}.xlsx"
        write_return(
            path,
            province,
            unit,
            year,
            **sample.rows(unit, year),
            prepared_by="Văn phòng đảng uỷ (dữ liệu mẫu)",
            report_date=dt.date(year + 1, 1, 15) if year < MEETINGS_FROM else dt.date(year, 12, 1),
            is_sample=True,
        )
        paths.append(path)
        if progress:
            progress(i, len(jobs))
    return paths
