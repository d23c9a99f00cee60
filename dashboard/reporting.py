"""The reporting cycle for the pages: the warnings of a submitted return (rules as data), and the province's board
of who has submitted, been returned, approved — one row per expected committee."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from dashboard import fmt, lookups
from etl import cycle
from etl.codes import label
from etl.roles import Role
from etl.schema import good_branch_share, good_member_share, good_members, rated_members
from etl.settings import MAPPINGS_DIR, PARQUET_DIR

WARNING_RULES = MAPPINGS_DIR / "warning_rules.csv"


@dataclass(frozen=True)
class Rule:
    rule: str
    threshold: float | None
    text: str


@dataclass(frozen=True)
class Flag:
    """A warning of a return: it does not block, the province acknowledges it when it approves."""

    rule: str
    text: str


@cache
def rules() -> dict[str, Rule]:
    """The warning rules, in file order: id, threshold, Vietnamese text with its {fields}."""
    with open(WARNING_RULES, encoding="utf-8", newline="") as f:
        return {
            r["rule"]: Rule(r["rule"], float(r["threshold"]) if r["threshold"] else None, r["text"])
            for r in csv.DictReader(f)
        }


def evaluate(
    current: pl.DataFrame,
    previous: pl.DataFrame,
    rule_set: dict[str, Rule] | None = None,
    meetings: pl.DataFrame | None = None,
    unit_year: pl.DataFrame | None = None,
    is_commune: bool = False,
) -> list[Flag]:
    """The warnings of a return's branches against the same committee's previous year (both with the store's
    branch columns), and of its meetings sheet and committee fields (when it has them). Without a previous return
    only the rules on the return itself apply. Each threshold is exceeded strictly: a change of exactly the
    threshold does not warn."""
    rs = rule_set or rules()
    cur = current.with_columns(pl.col("rating").cast(pl.String))
    prev = previous.with_columns(pl.col("rating").cast(pl.String))
    out: list[Flag] = []

    def flag(rule: str, **fields) -> None:
        r = rs[rule]
        t = fmt.num(r.threshold) if r.threshold is not None else ""
        out.append(Flag(rule, r.text.format(threshold=t, **fields)))

    names_now = dict(zip(cur["branch_code"].to_list(), cur["branch_name"].to_list()))
    names_before = dict(zip(prev["branch_code"].to_list(), prev["branch_name"].to_list()))
    for rule in rs:
        r = rs[rule]
        if rule == "members_change" and prev.height:
            before, after = int(prev["members"].sum()), int(cur["members"].sum())
            if before and abs(after - before) / before * 100 > r.threshold:
                change = (after - before) / before * 100
                flag(
                    rule,
                    change=("+" if change > 0 else "-") + fmt.pct(abs(change), 1),
                    before=fmt.num(before),
                    after=fmt.num(after),
                )
        elif rule == "branch_gone" and prev.height:
            for code in sorted(names_before.keys() - names_now.keys()):
                flag(rule, code=code, branch=names_before[code])
        elif rule == "branch_new" and prev.height:
            for code in sorted(names_now.keys() - names_before.keys()):
                flag(rule, code=code, branch=names_now[code])
        elif rule == "rating_mix" and prev.height:
            before, after = good_branch_share(prev), good_branch_share(cur)
            if before is not None and after is not None and abs(after - before) > r.threshold:
                flag(rule, change=fmt.points(after - before, 1), before=fmt.pct(before, 1), after=fmt.pct(after, 1))
        elif rule == "excellent_weak_members":
            weak = (
                cur.filter(pl.col("rating") == "xs")
                .with_columns(share=pl.when(rated_members() > 0).then(good_members() / rated_members() * 100))
                .filter(pl.col("share") < r.threshold)
                .sort("branch_code")
            )
            for code, name, share in weak.select("branch_code", "branch_name", "share").iter_rows():
                flag(rule, code=code, branch=name, share=fmt.pct(share, 1))
    if meetings is not None and meetings.height:
        _meeting_flags(cur, meetings, unit_year, is_commune, rs, flag)
    return out


def _meeting_flags(branches, meetings, unit_year, is_commune, rs, flag) -> None:
    """The warnings of «Sinh hoạt chi bộ» (MEETINGS.md W1–W6): plausible but worth a look, or a target's gap."""
    m = meetings.join(
        branches.select("branch_code", "branch_name", "branch_type", "members", "exempt"), on="branch_code", how="left"
    ).sort("branch_code")
    rows = m.to_dicts()
    for r in rows:
        held, due = r["regular_held"], (r["members"] or 0) - (r["exempt"] or 0)
        total = sum(r[k] or 0 for k in ("att_present", "att_excused", "att_unexcused"))
        expected = held * due
        if r["att_present"] is not None and expected:
            low = "attendance_low" in rs and total < rs["attendance_low"].threshold / 100 * expected
            high = "attendance_high" in rs and total > rs["attendance_high"].threshold / 100 * expected
            for rule in ("attendance_low",) * low + ("attendance_high",) * high:
                flag(
                    rule,
                    code=r["branch_code"],
                    branch=r["branch_name"],
                    total=fmt.num(total),
                    expected=fmt.num(expected),
                )
        if "no_resolution" in rs and held and held == r["months_due"] and r["res_assigned"] == 0:
            flag("no_resolution", code=r["branch_code"], branch=r["branch_name"], held=held)
    scored_rows = [r for r in rows if r["q_scored"] is not None]
    unscored = [r for r in scored_rows if r["q_scored"] < r["regular_held"]]
    if "meetings_unscored" in rs and unscored:
        held = sum(r["regular_held"] for r in scored_rows)
        scored = sum(r["q_scored"] for r in scored_rows)
        flag(
            "meetings_unscored",
            unscored=fmt.num(held - scored),
            held=fmt.num(held),
            branches=fmt.num(len(unscored)),
            scored=fmt.num(scored),
        )
    if is_commune:
        pilots = [str(r["pilot"]) for r in rows]
        regular = sum(p in ("thuong_ky", "ca_hai") for p in pilots)
        thematic = sum(p in ("chuyen_de", "ca_hai") for p in pilots)
        if "pilot_regular" in rs and not 2 <= regular <= 3:
            flag("pilot_regular", n=fmt.num(regular))
        if "pilot_thematic" in rs and not 1 <= thematic <= 2:
            flag("pilot_thematic", n=fmt.num(thematic))
    lonely = [r for r in rows if r["branch_type"] == "xom" and r["higher_quarters"] == 0]
    if "village_no_higher" in rs and lonely:
        names = ", ".join(r["branch_name"] for r in lonely[:5]) + (", …" if len(lonely) > 5 else "")
        flag("village_no_higher", n=fmt.num(len(lonely)), branches=names)
    bulletin = sum(r["bulletin_meetings"] or 0 for r in rows)
    months = unit_year["materials_months"].to_list()[0] if unit_year is not None and unit_year.height else None
    if "materials_none" in rs and months == 0 and bulletin > 0:
        flag("materials_none", bulletin=fmt.num(bulletin))


def previous_branches(unit_code: str, year: int, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """The committee's branches of the year before, as stored."""
    try:
        return lookups.unit_branches(year - 1, unit_code, root)
    except FileNotFoundError:  # nothing loaded yet
        return pl.DataFrame(
            schema={
                "branch_code": pl.String,
                "branch_name": pl.String,
                "members": pl.Int64,
                "rating": pl.String,
                "excellent": pl.Int64,
                "good": pl.Int64,
                "completed": pl.Int64,
                "not_completed": pl.Int64,
            }
        )


def return_warnings(
    unit_code: str,
    year: int,
    branches: pl.DataFrame,
    root: Path = PARQUET_DIR,
    meetings: pl.DataFrame | None = None,
    unit_year: pl.DataFrame | None = None,
) -> list[Flag]:
    """The warnings of a committee's return for a year against what the store holds for the year before (and
    of its meetings sheet, when given)."""
    from etl.province import load_province

    unit = load_province().unit_by_code.get(unit_code)
    return evaluate(
        branches,
        previous_branches(unit_code, year, root),
        meetings=meetings,
        unit_year=unit_year,
        is_commune=bool(unit and unit.is_commune),
    )


def expected_units(year: int, province, reported_before: set[str]) -> tuple[list[str], list[str]]:
    """Who is expected to report in a year: every unit of the province's configuration (it follows the merger of
    units), and of those the ones without a return the year before (`reported_before`: the units with one) — shown
    to the admin opening the period, who may leave out a unit that no longer reports."""
    codes = [u.code for u in province.units]
    return codes, [c for c in codes if c not in reported_before] if reported_before else []


@dataclass(frozen=True)
class BoardCounts:
    expected: int
    submitted: int
    approved: int
    late: int  # not submitted and past the deadline

    def text(self) -> str:
        """«52/60 đã nộp, 47 đã duyệt»."""
        return f"{fmt.num(self.submitted)}/{fmt.num(self.expected)} đã nộp, {fmt.num(self.approved)} đã duyệt"


def _require_province(role: str) -> None:
    if role not in (Role.PROVINCE, Role.ADMIN):
        raise PermissionError("Chỉ Ban Tổ chức Tỉnh uỷ và quản trị viên xem được tiến độ nộp báo cáo.")


def _days_late(deadline: dt.date, submitted: str, today: dt.date) -> int:
    day = dt.date.fromisoformat(submitted[:10]) if submitted else today
    return max(0, (day - deadline).days)


def board(
    year: int, unit_names: dict[str, str], role: str, root: Path = PARQUET_DIR, today: dt.date | None = None
) -> tuple[pl.DataFrame, BoardCounts]:
    """One row per committee expected to report in the year — its status (on a locked year too, with the lock
    said), last change (when, by whom), version, errors, warnings, the last comment, days late (of the first
    submission, or till today) — and the counts at the top."""
    _require_province(role)
    p = cycle.period(year, root)
    if p is None:
        raise ValueError(f"Kỳ báo cáo năm {year} chưa được mở.")
    today = today or dt.date.today()
    rows = []
    for code in p.expected:
        s = p.units[code]
        # Each committee keeps its own status on a locked year (who was approved, who never submitted stays
        # visible); the lock is said beside it.
        locked = f" ({label('cycle_status', cycle.LOCKED).lower()})" if p.locked else ""
        rows.append(
            {
                "unit_code": code,
                "unit_name": unit_names.get(code, code),
                "status": s.status,
                "status_label": label("cycle_status", s.status) + locked,
                "at": s.at.replace("T", " "),
                "by": s.by,
                "version": s.version,
                "errors": s.errors,
                "warnings": len(s.warnings),
                "comment": s.comment,
                "days_late": _days_late(p.deadline, s.first_submitted, today),
            }
        )
    df = pl.DataFrame(
        rows,
        schema={
            "unit_code": pl.String,
            "unit_name": pl.String,
            "status": pl.String,
            "status_label": pl.String,
            "at": pl.String,
            "by": pl.String,
            "version": pl.Int64,
            "errors": pl.Int64,
            "warnings": pl.Int64,
            "comment": pl.String,
            "days_late": pl.Int64,
        },
    )
    units = p.units.values()
    counts = BoardCounts(
        expected=len(p.expected),
        submitted=sum(s.status != cycle.NOT_SUBMITTED for s in units),
        approved=sum(s.status == cycle.APPROVED for s in units),
        late=sum(s.status == cycle.NOT_SUBMITTED and today > p.deadline for s in units),
    )
    return df, counts


def submit_return(
    year: int, checked, username: str, role: str, user_unit: str | None, province, root: Path = PARQUET_DIR
) -> str:
    """A commune user submits the one file it uploaded (`checked`: etl.load.check_files of it) for its own unit.

    A valid return naming the user's unit is written to the store and the committee becomes «đã nộp, hợp lệ» (with
    its warnings). A file with errors, or a return naming any other unit, is refused and nothing changes (it is not
    a submission: the page does not offer to send it). Returns a Vietnamese sentence; raises ValueError with one."""
    from etl.findings import ReturnRejected
    from etl.store import StoreError, commit

    if role != Role.COMMUNE or not user_unit:
        raise PermissionError("Chỉ tài khoản của đơn vị được nộp báo cáo của đơn vị.")
    if len(checked.parsed) + len(checked.refused) != 1:
        raise ValueError("Hãy tải lên đúng một tệp: báo cáo của đơn vị mình.")
    p = cycle.period(year, root)
    if p is None:
        raise ValueError(f"Kỳ báo cáo năm {year} chưa được mở.")
    if user_unit not in p.units:
        raise ValueError(f"Đơn vị của bạn không có trong danh sách đơn vị phải báo cáo năm {year}.")
    status = p.status(user_unit)
    if p.locked or status not in cycle.UNIT_TRANSITIONS["submit"][0]:
        raise ValueError(
            cycle.replace_refusal(year, user_unit, root)
            or f"Báo cáo đang ở trạng thái «{label('cycle_status', status)}»: chưa nộp lại được."
        )
    if checked.refused:  # never a submission: nothing is recorded, the committee corrects and uploads again
        errors = sum(f.severity == "error" for fs in checked.refused.values() for f in fs)
        raise ValueError(
            f"Tệp có {fmt.num(errors)} lỗi nên không nộp được (và không được tính là một lần nộp): hãy sửa theo "
            "hướng dẫn rồi tải tệp lên lại."
        )
    r = checked.parsed[0]
    if r.unit_code != user_unit:
        named = province.unit_by_code[r.unit_code].full_name if r.unit_code in province.unit_by_code else r.unit_code
        mine = province.unit_by_code[user_unit].full_name if user_unit in province.unit_by_code else user_unit
        raise ValueError(
            f"Tệp «{r.file_name}» là báo cáo của {named} ({r.unit_code}), không phải của {mine}: "
            "mỗi đơn vị chỉ nộp báo cáo của chính mình. Không có gì được ghi."
        )
    if r.year != year:
        raise ValueError(f"Tệp «{r.file_name}» là báo cáo năm {r.year}, không phải năm {year}. Không có gì được ghi.")
    flags = return_warnings(user_unit, year, r.branches, root, r.meetings, r.unit_year)
    sub = cycle.Submission(role, tuple(f.text for f in flags), user_unit)
    try:  # the data and the status change in one step (etl/store.py)
        commit([r], province, username, root, submissions={(year, user_unit): sub})
    except (ReturnRejected, StoreError) as e:
        raise ValueError(str(e)) from e
    return f"Đã nộp báo cáo năm {year}" + (
        f" ({fmt.num(len(flags))} cảnh báo để Ban Tổ chức xem xét)." if flags else "."
    )


def submissions_of(returns: list, root: Path = PARQUET_DIR) -> dict[tuple[int, str], cycle.Submission]:
    """For an admin's load: each return of a year with an open period is its committee's submission, with its
    warnings, so the board shows returns that arrived by e-mail too (the store records them as it writes them)."""
    ps = cycle.periods(root)
    return {
        (r.year, r.unit_code): cycle.Submission(
            Role.ADMIN,
            tuple(f.text for f in return_warnings(r.unit_code, r.year, r.branches, root, r.meetings, r.unit_year)),
        )
        for r in returns
        if r.year in ps and r.unit_code in ps[r.year].units
    }


def approval_notice(year: int | None, root: Path = PARQUET_DIR) -> str | None:
    """What the pages say about the year on screen when it has a reporting period: how many committees are
    approved, and the date the year was locked («Số liệu chốt ngày …»). No period: None (the pages say nothing).

    What is shown: the store holds every return loaded, approved or not (a committee's valid submission is
    written when it is submitted), so a year still in its cycle is shown with this count beside it; once locked,
    the figures are the frozen ones."""
    p = cycle.period(year, root) if year is not None else None
    if p is None:
        return None
    approved = sum(s.status == cycle.APPROVED for s in p.units.values())
    text = f"Số liệu năm {year}: {fmt.num(approved)}/{fmt.num(len(p.expected))} đơn vị đã duyệt"
    if p.locked:
        return f"{text}. Số liệu chốt ngày {p.locked_day}."
    return f"{text}; các đơn vị chưa duyệt có thể còn sửa số liệu."


def version_branches(year: int, unit_code: str, load_id: str, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """The branches of one submitted version of a committee's return (etl/store.py keeps them)."""
    return pl.read_parquet(cycle.version_file(year, unit_code, load_id, root))


def _indicators(df: pl.DataFrame) -> dict[str, tuple[float | None, str]]:
    """A version's headline figures: (value, kind) with kind «num» or «pct»."""
    share = lambda n, d: n / d * 100 if d else None  # noqa: E731
    return {
        "Số chi bộ": (df.height, "num"),
        "Tổng số đảng viên": (int(df["members"].sum()), "num"),
        "Chi bộ hoàn thành tốt nhiệm vụ trở lên (%)": (good_branch_share(df), "pct"),
        "Đảng viên hoàn thành tốt nhiệm vụ trở lên (%)": (good_member_share(df), "pct"),
        "Chi bộ có Internet ổn định (%)": (share(df.filter(pl.col("internet") == "on_dinh").height, df.height), "pct"),
        "Chi bộ có máy tính (%)": (share(int(df["computer"].sum()), df.height), "pct"),
    }


def compare_versions(before: pl.DataFrame, after: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What changed between two versions of a return: the headline figures (before, after, change in words) and
    every branch added, removed or changed (dashboard/admin.py `branch_changes`)."""
    from dashboard.admin import branch_changes

    a, b = _indicators(before), _indicators(after)
    rows = []
    for name, (old, kind) in a.items():
        new = b[name][0]
        if kind == "pct":
            change = fmt.points(new - old) if old is not None and new is not None else fmt.NO_DATA
            rows.append((name, fmt.pct(old), fmt.pct(new), change))
        else:
            rows.append((name, fmt.num(old), fmt.num(new), ("+" if new > old else "") + fmt.num(new - old)))
    figures = pl.DataFrame(rows, schema=["indicator", "before", "after", "change"], orient="row")
    return figures, branch_changes(before, after)
