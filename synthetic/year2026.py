"""The sample's illustrative 2026: the first year of the meetings sheet, and a reporting period still under way.

The calibrated sample stops at 2025 (the last year Biểu 01–07 publish) and invents no meeting history. This adds a
2026 that no published table stands behind — every figure of it, the province's totals included, is invented — to
show the year the product is built for: each committee's 2025 branches carried into 2026 (a few members more, a
few Internet connections and e-handbooks more), every branch's meetings as a commune office would report them (most
meet every month; attendance near 90%; part of the meetings scored, the province's tool being new; the committee
above missing some villages; some communes with too few or too many pilot branches), and the reporting period of
2026 on the board: most committees submitted, some returned for correction, one refused for errors, one late.

Deterministic (its own seed); `returns` gives the rows, `record_cycle` the period's events with their dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from etl import cycle
from etl.province import ProvinceConfig

YEAR = 2026
SEED = 20261205
DEADLINE = dt.date(2026, 12, 5)  # «số liệu tính đến 30/11», due five days later
MEMBER_COUNTS = ("exempt", "not_rated", "excellent", "good", "completed", "not_completed")
# The period's story (committees counted in the province's order, after a fixed shuffle).
LATE, REFUSED, RETURNED, APPROVED = 1, 1, 5, 30
RETURN_COMMENTS = (
    "Trang «Sinh hoạt chi bộ»: số lượt đảng viên dự của các chi bộ xóm chưa khớp sổ biên bản, đề nghị kiểm tra lại.",
    "Số kỳ được chấm điểm thấp hơn số kỳ sinh hoạt ở nhiều chi bộ: đề nghị bổ sung kết quả chấm điểm nếu đã chấm.",
    "Thiếu năm ban hành quy chế làm việc của một số chi bộ; đề nghị bổ sung.",
    "Chưa chọn đủ chi bộ điểm sinh hoạt chuyên đề theo Đề án 03-ĐA/TU; đề nghị báo cáo rõ.",
    "Số đảng viên tăng nhiều so với năm 2025: đề nghị kiểm tra lại số kết nạp mới.",
)


class Year2026:
    """The 2026 rows of every committee, from the calibrated sample's 2025."""

    def __init__(self, province: ProvinceConfig, rows_2025: dict[tuple[str, int], tuple[list, list, list]]):
        self.p = province
        self.rng = np.random.default_rng(SEED)
        self.rows25 = rows_2025
        # A committee's care for its branches' meetings: what makes one commune's figures differ from another's.
        self.care = {u.code: float(self.rng.beta(4, 2)) for u in province.units}
        self.scoring = {u.code: float(self.rng.uniform(0.25, 1.0)) for u in province.units}

    def returns(self) -> dict[str, tuple[list, list, list, list, dict]]:
        """unit -> (branches, committee, heads, meetings, committee fields) of 2026, for every unit with a 2025."""
        out = {}
        for u in self.p.units:
            branches25, committee25, heads25 = self.rows25.get((u.code, 2025), ([], [], []))
            if not branches25:
                continue
            branches = [self._branch(b) for b in branches25]
            meetings = [self._meetings(u.code, b) for b in branches]
            if u.is_commune:
                self._pilots(meetings, branches)
            out[u.code] = (branches, self._committee(committee25), self._heads(heads25), meetings, self._fields())
        return out

    # -- the other sheets: 2025 carried into 2026 ----------------------------------------------------------
    def org(self, o: dict) -> dict:
        """A đảng bộ of 2025 in 2026: a fifth of the đảng bộ cơ sở rated anew."""
        if o.get("rating") is not None and self.rng.random() < 0.2:
            return {**o, "rating": str(self.rng.choice(["xs", "tot", "tot", "ht"]))}
        return dict(o)

    def _branch(self, b: dict) -> dict:
        r = self.rng
        admitted = int(r.binomial(b["members"], 0.027))
        left = int(r.binomial(b["members"], 0.012))
        members = max(3, b["members"] + admitted - left)
        counts = self._spread(members, [b[k] + 0.2 for k in MEMBER_COUNTS])
        row = {**b, "members": members, "admitted": min(admitted, members), **dict(zip(MEMBER_COUNTS, counts))}
        if b["resident_members"] is not None:
            row["resident_members"] = min(members, max(0, b["resident_members"] + int(r.integers(-1, 2))))
        if b["rating"] is not None and r.random() < 0.2:
            row["rating"] = str(r.choice(["xs", "tot", "tot", "ht"]))
        if b["internet"] == "chua_co" and r.random() < 0.25:
            row["internet"] = "khong_on_dinh"
        elif b["internet"] == "khong_on_dinh" and r.random() < 0.2:
            row["internet"] = "on_dinh"
        row["computer"] = b["computer"] or bool(r.random() < 0.08)
        row["ehandbook"] = b["ehandbook"] or bool(r.random() < 0.3)
        return row

    def _spread(self, total: int, weights: list[float]) -> list[int]:
        w = np.array(weights) / sum(weights)
        raw = total * w
        base = np.floor(raw).astype(int)
        for i in np.argsort(-(raw - base))[: total - int(base.sum())]:
            base[i] += 1
        return base.tolist()

    def _committee(self, people: list[dict]) -> list[dict]:
        out = []
        for x in people:
            row = dict(x)
            if not row["trained"] and self.rng.random() < 0.2:  # the year's training courses
                row["trained"], row["training_year"] = True, YEAR
            out.append(row)
        return out

    def _heads(self, heads: list[dict]) -> list[dict]:
        return [
            {k: ("dang_vien" if v == "khong" and self.rng.random() < 0.05 else v) for k, v in h.items()} for h in heads
        ]

    def _fields(self) -> dict:
        r = self.rng
        months = 12 if r.random() < 0.62 else int(r.choice([6, 8, 9, 10, 10, 11, 11]))
        return {"materials_months": months, "thematic_orientation": bool(r.random() < 0.85)}

    # -- the meetings sheet --------------------------------------------------------------------------------
    def _meetings(self, unit: str, b: dict) -> dict:
        r, care = self.rng, self.care[unit]
        village = b["branch_type"] == "xom"
        held = 12 if r.random() < 0.8 + 0.18 * care else int(r.choice([10, 11, 11]))
        due = b["members"] - b["exempt"]
        rate = float(np.clip(r.normal(0.86 + 0.08 * care if village else 0.95, 0.035), 0.6, 1.0))
        present = round(held * due * rate)
        absent = held * due - present
        unexcused = int(round(absent * r.uniform(0.0, 0.3 if village else 0.1)))
        scored = min(held, int(round(held * float(np.clip(r.normal(self.scoring[unit], 0.12), 0.0, 1.0)))))
        good_share = float(np.clip(r.normal(0.72 + 0.25 * care, 0.08), 0.3, 1.0))
        levels = r.multinomial(
            scored, [good_share, (1 - good_share) * 0.8, (1 - good_share) * 0.17, (1 - good_share) * 0.03]
        )
        if village:
            higher = int(r.choice([0, 1, 1, 2, 2, 3, 4])) if r.random() > 0.12 * (1.2 - care) else 0
        elif b["level"] in ("tt_co_so", "tt_bo_phan"):
            higher = 4 if r.random() < 0.55 + 0.4 * care else int(r.choice([2, 3]))
        else:
            higher = int(r.choice([1, 2, 3, 4]))
        return {
            "branch_code": b["branch_code"],
            "branch_name": b["branch_name"],
            "regular_held": held,
            "thematic_quarters": 4 if r.random() < 0.45 + 0.45 * care else int(r.choice([2, 3, 3])),
            "forums": int(r.choice([0, 1, 1, 2])) if r.random() < 0.35 + 0.45 * care else 0,
            "att_present": present,
            "att_excused": absent - unexcused,
            "att_unexcused": unexcused,
            "q_scored": scored,
            **{f"q_level{i + 1}": int(n) for i, n in enumerate(levels)},
            "res_assigned": held if r.random() < 0.72 + 0.25 * care else held - int(r.choice([1, 2, 3])),
            "members_assigned": max(0, due - (0 if r.random() < 0.7 + 0.25 * care else int(r.choice([1, 2])))),
            "bulletin_meetings": held if r.random() < 0.5 + 0.45 * care else max(0, held - int(r.choice([2, 4, 6]))),
            "higher_quarters": higher,
            "rules_year": None if r.random() < 0.08 else int(r.choice([2025, 2025, 2025, 2026])),
            "term_docs": bool(r.random() < 0.8 + 0.18 * care),
            "year_programme": bool(r.random() < 0.88 + 0.1 * care),
            "procedure_ok": bool(r.random() < 0.6 + 0.35 * care),
            "pilot": None,
        }

    def _pilots(self, meetings: list[dict], branches: list[dict]) -> None:
        """The commune's pilot branches: mostly 2–3 regular and 1–2 thematic, some communes fewer or more."""
        r = self.rng
        regular = int(r.choice([1, 2, 2, 2, 3, 3, 3, 4]))
        thematic = int(r.choice([0, 1, 1, 1, 2, 2, 3]))
        order = sorted(range(len(meetings)), key=lambda i: (branches[i]["branch_type"] != "xom", r.random()))
        for i in order[:regular]:
            meetings[i]["pilot"] = "thuong_ky"
        for i in order[regular - 1 : regular - 1 + thematic] if regular else order[:thematic]:
            meetings[i]["pilot"] = "ca_hai" if meetings[i]["pilot"] == "thuong_ky" else "chuyen_de"


def write_returns(province: ProvinceConfig, out_dir: Path, rows_2025: dict, trees: dict | None = None) -> list[Path]:
    """Write the 2026 return of every committee whose 2026 is in (`with_data`), as the sample's other returns; with
    `trees` (SampleBuilder.organisations: the 2025 đảng bộ of each unit), the same đảng bộ, a few rated anew."""
    from forms.template import write_return

    y = Year2026(province, rows_2025)
    rows = y.returns()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for unit in with_data(province):
        if unit not in rows:
            continue
        branches, committee, heads, meetings, fields = rows[unit]
        orgs, parents = (trees or {}).get(unit, ([], {}))
        path = out_dir / f"{YEAR}_{unit}.xlsx"
        write_return(
            path,
            province,
            province.unit_by_code[unit],
            YEAR,
            [{**b, "parent_code": parents.get(b["branch_code"])} for b in branches],
            committee,
            heads,
            meetings=meetings,
            unit_fields=fields,
            orgs=[y.org(o) for o in orgs],
            prepared_by="Văn phòng đảng uỷ (dữ liệu mẫu, minh hoạ)",
            report_date=dt.date(YEAR, 12, 1),
            is_sample=True,
        )
        paths.append(path)
    return paths


def _time(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, 0)


def story(province: ProvinceConfig) -> dict[str, str]:
    """What happened to each committee's 2026 return: «approved», «submitted» (valid, awaiting approval),
    «returned», «refused» (submitted with errors: no data), «late» (not submitted by the deadline)."""
    rng = np.random.default_rng(SEED + 1)
    codes = [u.code for u in province.units]
    order = [codes[i] for i in rng.permutation(len(codes))]
    kinds = ["late"] * LATE + ["refused"] * REFUSED + ["returned"] * RETURNED + ["approved"] * APPROVED
    return {c: kinds[i] if i < len(kinds) else "submitted" for i, c in enumerate(order)}


def with_data(province: ProvinceConfig) -> list[str]:
    """The committees whose 2026 return is in the store (every one but the late and the refused)."""
    return [c for c, s in story(province).items() if s not in ("late", "refused")]


def record_cycle(province: ProvinceConfig, root: Path) -> None:
    """The 2026 period's events, dated: opened on 2/11; the returns in the store submitted from 20/11 (those still
    waiting for approval up to 7/12, some after the 5/12 deadline), each with the warnings its return has; five
    returned with the province's comment and thirty approved, after a day to three; one refused for errors; one
    not in. Run after the returns are loaded (a load into an open period would date them today)."""
    rng = np.random.default_rng(SEED + 2)
    flags = _warnings(province, root)
    cycle.open_period(YEAR, DEADLINE, province, "quantri", "admin", root=root, at=_time(dt.date(2026, 11, 2), 8))
    comments = iter(RETURN_COMMENTS)
    for code, what in sorted(story(province).items()):
        if what == "late":
            continue
        waiting = what in ("submitted", "refused")
        sent = dt.date(2026, 11, 20 if not waiting else 22) + dt.timedelta(
            days=int(rng.integers(0, 16 if waiting else 14))
        )
        errors = int(rng.integers(3, 12)) if what == "refused" else 0
        cycle.submit(YEAR, code, "quantri", "admin", errors, flags.get(code, []), root=root, at=_time(sent, 9))
        later = _time(sent + dt.timedelta(days=int(rng.integers(1, 4))), 15)
        if what == "returned":
            cycle.return_for_correction(YEAR, code, next(comments), "tinh", "province", root=root, at=later)
        elif what == "approved":
            cycle.approve(YEAR, code, "tinh", "province", acknowledged=True, root=root, at=later)


def _warnings(province: ProvinceConfig, root: Path) -> dict[str, list[str]]:
    """Each stored 2026 return's warnings, as the committee's submission would have shown them."""
    import polars as pl

    from dashboard import reporting
    from etl.store import current_snapshot

    snap = current_snapshot(root)

    def table(name: str) -> pl.DataFrame:
        path = snap / name / f"year={YEAR}" / "data.parquet"
        return pl.read_parquet(path) if path.exists() else pl.DataFrame()

    branches, meetings, fields = table("branch_year"), table("branch_meeting"), table("unit_year")
    out = {}
    for code in with_data(province):
        mine = branches.filter(pl.col("unit_code") == code)
        flags = reporting.evaluate(
            mine,
            reporting.previous_branches(code, YEAR, root),
            meetings=meetings.filter(pl.col("unit_code") == code),
            unit_year=fields.filter(pl.col("unit_code") == code),
            is_commune=province.unit_by_code[code].is_commune,
        )
        out[code] = [f.text for f in flags]
    return out
