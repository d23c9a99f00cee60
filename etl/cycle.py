"""The yearly reporting cycle («kỳ báo cáo»): a period per year opened by an admin with a deadline and the
committees expected to report, and each committee-year's status, changed only along the transitions below.

Everything is an event in one append-only JSON-lines log (`cycle_log`), read and appended under one exclusive lock
(etl/audit.py `locked`): a transition checks the state it reads and appends its event inside the same lock, so two
changes at the same moment are applied one after the other and never both judged against the same old state. A
write cut short leaves a torn last line, which readers skip: the earlier statuses stay as they were. Every change is
also in the audit log, with who, when and the comment.

Statuses (codes.csv, domain cycle_status): chưa nộp → đã nộp, có lỗi / đã nộp, hợp lệ → trả lại → đã duyệt; the
whole year is then locked («đã khoá»), which freezes every committee; only an admin unlocks, with a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from etl import audit
from etl.codes import code_list, label
from etl.province import ProvinceConfig, unit_words
from etl.roles import Role
from etl.settings import MAX_COMMENT_CHARS, PARQUET_DIR
from etl.text import too_long

NOT_SUBMITTED, SUBMITTED_ERRORS, SUBMITTED_VALID = "chua_nop", "nop_loi", "nop_hop_le"
RETURNED, APPROVED, LOCKED = "tra_lai", "da_duyet", "da_khoa"
STATUSES = tuple(code_list("cycle_status"))
ACTIONS = tuple(code_list("cycle_action"))

# The committee-level transitions: action -> (states it may start from, the roles that may take it). A
# submission's new state depends on its validation (errors or not); the others have one target.
UNIT_TRANSITIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "submit": (
        frozenset({NOT_SUBMITTED, SUBMITTED_ERRORS, SUBMITTED_VALID, RETURNED}),
        frozenset({Role.COMMUNE, Role.ADMIN}),
    ),
    "return": (frozenset({SUBMITTED_ERRORS, SUBMITTED_VALID, APPROVED}), frozenset({Role.PROVINCE, Role.ADMIN})),
    "approve": (frozenset({SUBMITTED_VALID}), frozenset({Role.PROVINCE, Role.ADMIN})),
}
TARGET = {"return": RETURNED, "approve": APPROVED}
# The states a committee's return can no longer be replaced in.
FROZEN = frozenset({APPROVED, LOCKED})


def cycle_log(root: Path = PARQUET_DIR) -> Path:
    """The cycle's event log, beside the audit log in the store's log folder (never part of a snapshot)."""
    return root / "log" / "cycle" / "cycle.jsonl"


def version_file(year: int, unit_code: str, load_id: str, root: Path = PARQUET_DIR) -> Path:
    """The branches of one submitted version of a committee's return (kept beside the log, never collected)."""
    return cycle_log(root).parent / "versions" / str(year) / unit_code / f"{load_id}.parquet"


@dataclass(frozen=True)
class Version:
    """A submission whose data the store wrote: its number among the committee's submissions, when, by whom."""

    number: int
    load_id: str
    at: str
    by: str
    file: str
    branches: int


@dataclass
class UnitState:
    unit_code: str
    status: str = NOT_SUBMITTED
    at: str = ""  # the last change
    by: str = ""
    version: int = 0  # submissions so far
    first_submitted: str = ""
    errors: int = 0
    warnings: list[str] = field(default_factory=list)  # the last submission's warnings (texts)
    comment: str = ""  # the last comment (the province's, when returned)
    versions: list[Version] = field(default_factory=list)  # the submissions whose data was written, in order


@dataclass
class Period:
    year: int
    deadline: dt.date
    expected: list[str]
    opened_by: str
    opened_at: str
    locked: bool = False
    locked_at: str = ""
    locked_by: str = ""
    units: dict[str, UnitState] = field(default_factory=dict)

    @property
    def locked_day(self) -> str:
        """The day the year was locked, as «dd/mm/yyyy» («Số liệu chốt ngày …»)."""
        return f"{dt.date.fromisoformat(self.locked_at[:10]):%d/%m/%Y}" if self.locked else ""

    def status(self, unit_code: str) -> str:
        """The committee's status as shown: «đã khoá» for every committee of a locked year."""
        return LOCKED if self.locked else self.units[unit_code].status


def _fold(events: list[dict]) -> dict[int, Period]:
    periods: dict[int, Period] = {}
    for e in events:
        year, action = e.get("year"), e.get("action")
        if action == "open":
            periods[year] = Period(
                year,
                dt.date.fromisoformat(e["deadline"]),
                list(e["expected"]),
                e["user"],
                e["time"],
                units={u: UnitState(u) for u in e["expected"]},
            )
            continue
        p = periods.get(year)
        if p is None:
            continue
        if action in ("lock", "unlock"):
            p.locked = action == "lock"
            p.locked_at, p.locked_by = (e["time"], e["user"]) if p.locked else ("", "")
            continue
        s = p.units.setdefault(e["unit"], UnitState(e["unit"]))
        s.status, s.at, s.by, s.comment = e["to"], e["time"], e["user"], e.get("comment", "")
        if action == "submit":
            s.version += 1
            s.first_submitted = s.first_submitted or e["time"]
            s.errors, s.warnings = e.get("errors", 0), list(e.get("warnings", []))
            if e.get("load_id"):
                s.versions.append(
                    Version(s.version, e["load_id"], e["time"], e["user"], e.get("file", ""), e.get("branches", 0))
                )
    return periods


def periods(root: Path = PARQUET_DIR) -> dict[int, Period]:
    """Every reporting period by year, with each committee's state (read under the log's lock)."""
    path = cycle_log(root)
    if not path.exists():
        return {}
    with audit.locked(path) as log:
        return _fold(log.records())


def period(year: int, root: Path = PARQUET_DIR) -> Period | None:
    return periods(root).get(year)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _stamp(at: dt.datetime | None) -> str:
    """The time of an event: now, or `at` (the sample's illustrative period has its own dates)."""
    return at.isoformat(timespec="seconds") if at else _now()


@dataclass
class Recording:
    """The cycle's log as read under its lock, and the events to append when the block ends."""

    records: list[dict]
    events: list[dict] = field(default_factory=list)

    @property
    def periods(self) -> dict[int, Period]:
        return _fold(self.records)


@contextmanager
def recording(root: Path = PARQUET_DIR, create: bool = True) -> Iterator[Recording]:
    """The cycle's state read under its lock, and a list the block fills with events: they are appended (and
    audited) when the block ends, inside the same lock; if the block raises, nothing is appended. The store makes a
    submitted return's data current inside this block, so the data and its status change together. Without
    `create`, a store that never had a period gets no log (and no state: nothing is to be recorded)."""
    if not create and not cycle_log(root).exists():
        yield Recording([])
        return
    with audit.locked(cycle_log(root)) as log:
        rec = Recording(log.records())
        yield rec
        for e in rec.events:
            log.append(e)
    for e in rec.events:
        _audit(e, root)


def _audit(event: dict, root: Path) -> None:
    details = {k: v for k, v in event.items() if k not in ("user", "time", "expected")}
    if "expected" in event:
        details["expected"] = len(event["expected"])  # the count, not 60 codes
    audit.record("cycle", event["user"], details, root)


def append_missing(events: list[dict], root: Path = PARQUET_DIR) -> int:
    """After a load killed between making its data current and recording its submissions: record those not yet
    in the log (by load id). How many were appended."""
    with recording(root) as rec:
        have = {r.get("load_id") for r in rec.records}
        rec.events.extend(e for e in events if e.get("load_id") not in have)
    return len(rec.events)


def _apply(root: Path, make_event) -> dict:
    """Read the state and append the event `make_event(periods)` returns (it raises ValueError to refuse), under
    one lock; then audit it."""
    with recording(root) as rec:
        rec.events.append(make_event(rec.periods))
    return rec.events[0]


def open_period(
    year: int,
    deadline: dt.date,
    province: ProvinceConfig,
    user: str,
    role: str,
    root: Path = PARQUET_DIR,
    expected: list[str] | None = None,
    at: dt.datetime | None = None,
) -> Period:
    """Open the year's reporting period (admins only). The committees expected to report: `expected` (units of the
    province's configuration, e.g. chosen on the board from last year's returns), or every configured unit."""
    if role != Role.ADMIN:
        raise ValueError("Chỉ quản trị viên được mở kỳ báo cáo.")
    codes = [u.code for u in province.units]
    chosen = codes if expected is None else [c for c in codes if c in set(expected)]
    if unknown := sorted(set(expected or ()) - set(codes)):
        raise ValueError(f"Đơn vị không có trong cấu hình của tỉnh: {', '.join(unknown)}.")
    if not chosen:
        raise ValueError("Hãy chọn ít nhất một đơn vị phải báo cáo.")

    def event(ps: dict[int, Period]) -> dict:
        if year in ps:
            raise ValueError(f"Kỳ báo cáo năm {year} đã được mở.")
        return {
            "time": _stamp(at),
            "year": year,
            "action": "open",
            "deadline": deadline.isoformat(),
            "expected": chosen,
            "user": user,
            "role": role,
        }

    _apply(root, event)
    return period(year, root)


def _unit_event(
    ps: dict[int, Period],
    year: int,
    unit_code: str,
    action: str,
    user: str,
    role: str,
    comment: str,
    at: dt.datetime | None = None,
) -> dict:
    p = ps.get(year)
    if p is None:
        raise ValueError(f"Kỳ báo cáo năm {year} chưa được mở.")
    if unit_code not in p.units:
        raise ValueError(f"Không có {unit_words(unit_code)} trong danh sách đơn vị phải báo cáo năm {year}.")
    if p.locked:
        raise ValueError(
            f"Số liệu năm {year} đã khoá ngày {p.locked_day}: không thể {label('cycle_action', action).lower()}; "
            "chỉ quản trị viên mở khoá được (ghi rõ lý do)."
        )
    current = p.units[unit_code].status
    starts, roles = UNIT_TRANSITIONS[action]
    if current not in starts:
        raise ValueError(
            f"Không thể {label('cycle_action', action).lower()} báo cáo năm {year} của {unit_words(unit_code)} "
            f"khi báo cáo đang ở trạng thái «{label('cycle_status', current)}»."
        )
    if role not in roles:
        raise ValueError(f"Vai trò của bạn không được {label('cycle_action', action).lower()} báo cáo.")
    return {
        "time": _stamp(at),
        "year": year,
        "unit": unit_code,
        "action": action,
        "from": current,
        "user": user,
        "role": role,
        "comment": _comment(comment),
    }


def _comment(text: str) -> str:
    """A comment or reason as recorded: without surrounding spaces, and no longer than a comment may be."""
    text = text.strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise ValueError(too_long(text, MAX_COMMENT_CHARS, "một ý kiến") + " Hãy viết ngắn hơn.")
    return text


@dataclass(frozen=True)
class Submission:
    """How the store records a valid return of a year with a period when it writes it: in which role it was sent,
    the committee user's own unit, and the warnings the province will acknowledge."""

    role: str = Role.ADMIN
    warnings: tuple[str, ...] = ()
    user_unit: str | None = None


def submit_event(
    ps: dict[int, Period],
    year: int,
    unit_code: str,
    user: str,
    role: str,
    errors: int = 0,
    warnings: tuple[str, ...] | list[str] = (),
    user_unit: str | None = None,
    at: dt.datetime | None = None,
) -> dict:
    """The event of a submission judged against the state `ps` (raises ValueError to refuse). A commune user
    submits for its own unit only."""
    if role == Role.COMMUNE and unit_code != user_unit:
        raise ValueError(
            f"Báo cáo ghi {unit_words(unit_code)}, không phải đơn vị của bạn: không thể nộp thay đơn vị khác."
        )
    e = _unit_event(ps, year, unit_code, "submit", user, role, "", at)
    return {**e, "to": SUBMITTED_ERRORS if errors else SUBMITTED_VALID, "errors": errors, "warnings": list(warnings)}


def submit(
    year: int,
    unit_code: str,
    user: str,
    role: str,
    errors: int = 0,
    warnings: list[str] | None = None,
    user_unit: str | None = None,
    root: Path = PARQUET_DIR,
    at: dt.datetime | None = None,
) -> UnitState:
    """A committee's submission without data to write: «đã nộp, có lỗi» if its validation found errors, else «đã
    nộp, hợp lệ» (a valid return with data is recorded by the store as it writes it: etl/store.py `commit`)."""
    _apply(root, lambda ps: submit_event(ps, year, unit_code, user, role, errors, warnings or [], user_unit, at))
    return period(year, root).units[unit_code]


def return_for_correction(
    year: int,
    unit_code: str,
    comment: str,
    user: str,
    role: str,
    root: Path = PARQUET_DIR,
    at: dt.datetime | None = None,
) -> UnitState:
    """The province sends a return back, saying what to correct (the comment is required: the committee reads it)."""
    if not comment.strip():
        raise ValueError("Hãy ghi rõ nội dung cần sửa khi trả lại báo cáo.")
    _apply(root, lambda ps: {**_unit_event(ps, year, unit_code, "return", user, role, comment, at), "to": RETURNED})
    return period(year, root).units[unit_code]


def approve(
    year: int,
    unit_code: str,
    user: str,
    role: str,
    acknowledged: bool = False,
    comment: str = "",
    root: Path = PARQUET_DIR,
    at: dt.datetime | None = None,
) -> UnitState:
    """The province approves a valid return; a return with warnings needs them acknowledged."""

    def event(ps: dict[int, Period]) -> dict:
        e = _unit_event(ps, year, unit_code, "approve", user, role, comment, at)
        n = len(ps[year].units[unit_code].warnings)
        if n and not acknowledged:
            raise ValueError(f"Báo cáo có {n} cảnh báo: hãy xem và xác nhận đã xem xét các cảnh báo trước khi duyệt.")
        return {**e, "to": APPROVED, "acknowledged": n}

    _apply(root, event)
    return period(year, root).units[unit_code]


def unfinished(p: Period) -> tuple[int, int]:
    """How many committees of a period have not submitted at all, and how many have submitted without being
    approved yet (what a lock would freeze unfinished)."""
    missing = sum(s.status == NOT_SUBMITTED for s in p.units.values())
    pending = sum(s.status not in (NOT_SUBMITTED, APPROVED) for s in p.units.values())
    return missing, pending


def unfinished_text(p: Period) -> str | None:
    """What locking the year now would leave unfinished, in words (None: every committee is approved)."""
    missing, pending = unfinished(p)
    if not missing and not pending:
        return None
    n = len(p.expected)
    parts = [f"{missing}/{n} đơn vị chưa nộp báo cáo"] if missing else []
    parts += [f"{pending} đơn vị đã nộp nhưng chưa được duyệt"] if pending else []
    return (
        f"Năm {p.year} còn {' và '.join(parts)}: khoá số liệu thì các đơn vị này không nộp, sửa được nữa, và số "
        "liệu năm chỉ gồm các báo cáo đã có."
    )


def lock_year(
    year: int, user: str, role: str, comment: str = "", root: Path = PARQUET_DIR, confirmed: bool = False
) -> Period:
    """Freeze the whole year («chốt số liệu»): admins only; no committee's return can then change. While some
    committees have not submitted or are not approved, only with `confirmed` (the admin was told how many)."""
    if role != Role.ADMIN:
        raise ValueError("Chỉ quản trị viên được khoá số liệu năm.")

    def event(ps: dict[int, Period]) -> dict:
        p = ps.get(year)
        if p is None:
            raise ValueError(f"Kỳ báo cáo năm {year} chưa được mở.")
        if p.locked:
            raise ValueError(f"Số liệu năm {year} đã khoá.")
        if (text := unfinished_text(p)) and not confirmed:
            raise ValueError(f"{text} Hãy xác nhận trước khi khoá.")
        missing, pending = unfinished(p)
        return {
            "time": _now(),
            "year": year,
            "action": "lock",
            "user": user,
            "role": role,
            "comment": _comment(comment),
            "missing": missing,
            "pending": pending,
        }

    _apply(root, event)
    return period(year, root)


def unlock_year(year: int, reason: str, user: str, role: str, root: Path = PARQUET_DIR) -> Period:
    """Unfreeze a locked year: admins only, with a reason (audited); every committee returns to its status."""
    if role != Role.ADMIN:
        raise ValueError("Chỉ quản trị viên được mở khoá số liệu năm.")
    if not reason.strip():
        raise ValueError("Hãy ghi lý do mở khoá số liệu năm.")

    def event(ps: dict[int, Period]) -> dict:
        p = ps.get(year)
        if p is None or not p.locked:
            raise ValueError(f"Số liệu năm {year} chưa khoá.")
        return {
            "time": _now(),
            "year": year,
            "action": "unlock",
            "user": user,
            "role": role,
            "comment": _comment(reason),
        }

    _apply(root, event)
    return period(year, root)


def replace_refusal(year: int, unit_code: str, root: Path = PARQUET_DIR) -> str | None:
    """Why a return of this committee-year may not replace the stored one (approved or locked), or None."""
    return frozen_reason(periods(root), year, unit_code)


def frozen_reason(ps: dict[int, Period], year: int, unit_code: str) -> str | None:
    """`replace_refusal` on a state already read."""
    p = ps.get(year)
    if p is None or unit_code not in p.units:
        return None
    if p.locked:
        return (
            f"Số liệu năm {year} đã khoá ngày {p.locked_day} (chốt số liệu): báo cáo của {unit_words(unit_code)} "
            "không thể thay thế. Chỉ quản trị viên mở khoá được, và phải ghi lý do."
        )
    if p.units[unit_code].status == APPROVED:
        return (
            f"Báo cáo năm {year} của {unit_words(unit_code)} đã được duyệt: không thể thay thế. Nếu cần sửa, Ban Tổ chức "
            "Tỉnh uỷ trả lại báo cáo trước."
        )
    return None
