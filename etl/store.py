"""The Parquet store: immutable snapshots, switched atomically, with a load log.

Layout of `data/parquet/`:
  CURRENT                      name of the snapshot readers use (replaced atomically, never edited)
  snapshots/<id>/<table>/year=<y>/data.parquet   partitioned tables (one file per year)
  snapshots/<id>/<table>.parquet                 small tables (units, reference, targets)
  snapshots/<id>/manifest.json
  snapshots/<id>/derived/<view>.parquet          what a view computes once per snapshot (etl/views.py)
  log/loads/<load_id>.parquet  one row per load attempt (also refused ones), append-only
  log/findings/<load_id>.parquet  the validation findings of that attempt
  LOADING.json                 present only while a load runs: a crash leaves it, the next start reports it
  KIND                         «sample» or «real»: what the store holds, fixed when it is created (see `kind`)

A load writes a complete new snapshot (unchanged year partitions are hard links), then swaps CURRENT; readers
keep the snapshot they opened, so nobody ever sees half of a load."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl import audit, cycle, views
from etl.annual_return import ParsedReturn
from etl.findings import Finding, ReturnRejected, os_reason
from etl.province import ProvinceConfig
from etl.reference import reference_tables
from etl.settings import PARQUET_DIR
from etl.text import when

PARTITIONED = (
    "branch_year",
    "committee_member",
    "village_head",
    "branch_meeting",
    "unit_year",
    "org_year",
    "branch_parent",
    "returns",
)
KEEP_SNAPSHOTS = 3


@dataclass
class LoadResult:
    load_id: str
    snapshot: str
    returns: int
    branches: int
    replaced: int
    warnings: list[Finding]


def current_snapshot(root: Path = PARQUET_DIR) -> Path | None:
    """The snapshot readers should use now, or None if nothing was ever loaded."""
    try:
        name = (root / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    snap = root / "snapshots" / name
    return snap if snap.is_dir() else None


# What a store holds, fixed when the store is created and never changed by a load: the synthetic sample (a
# demonstration, with its demo accounts) or the province's real returns. A store of one kind refuses returns of
# the other, so real figures never sit beside invented ones (and a real store never opens the demo accounts).
SAMPLE, REAL = "sample", "real"
KIND_FILE = "KIND"


def kind(root: Path = PARQUET_DIR) -> str | None:
    """«sample» or «real»; None where no store was created yet. A store written before kinds were recorded is the
    sample's when all its data is (its manifest says so), else real."""
    try:
        text = (root / KIND_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        snap = current_snapshot(root)
        if snap is None:
            return None
        return SAMPLE if json.loads((snap / "manifest.json").read_text(encoding="utf-8")).get("is_sample") else REAL
    return SAMPLE if text == SAMPLE else REAL  # anything else is never taken for the sample (no demo accounts)


def _mark(root: Path, kind_: str) -> None:
    tmp = root / f"{KIND_FILE}.{uuid.uuid4().hex[:6]}"
    tmp.write_text(kind_ + "\n", encoding="utf-8")
    os.replace(tmp, root / KIND_FILE)


def kind_refusal(store_kind: str | None, is_sample: bool) -> str | None:
    """Why a return cannot go into a store of this kind (None: it can; a store not created yet takes any)."""
    if store_kind == REAL and is_sample:
        return (
            "Báo cáo này là dữ liệu mẫu (giả lập, ghi «DỮ LIỆU MẪU»): kho dữ liệu thật không nhận dữ liệu mẫu. "
            "Không có gì được ghi."
        )
    if store_kind == SAMPLE and not is_sample:
        return (
            "Báo cáo này là báo cáo thật, còn đây là kho dữ liệu mẫu để trình diễn: số liệu thật không bao giờ "
            "được ghi lẫn với dữ liệu giả lập. Hãy nạp vào kho dữ liệu thật (tạo bằng lệnh `python -m etl init`, "
            "xem README). Không có gì được ghi."
        )
    return None


def create(kind_: str, province: ProvinceConfig, user: str, root: Path = PARQUET_DIR) -> bool:
    """Create an empty store of this kind: its mark and a first snapshot without returns (the reference tables,
    the units), so the app opens on it. False when a store of this kind is already there; ValueError (in
    Vietnamese) when one of the other kind is."""
    have = kind(root)
    if have == kind_:
        return False
    if have is not None:
        what = "dữ liệu mẫu" if have == SAMPLE else "dữ liệu thật"
        raise ValueError(
            f"Thư mục {root} đã có kho {what}: một kho không bao giờ đổi loại. Hãy dùng một thư mục dữ liệu khác "
            "(biến môi trường PARTYDASH_DATA)."
        )
    root.mkdir(parents=True, exist_ok=True)
    with _lock(root):
        _mark(root, kind_)
        if current_snapshot(root) is None:  # a first snapshot without returns: every view has its tables
            load_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
            tmp = root / "snapshots" / f".tmp-{load_id}"
            try:
                _write_snapshot(tmp, [], province, None, load_id, user)
                os.rename(tmp, root / "snapshots" / load_id)
            except OSError as e:
                shutil.rmtree(tmp, ignore_errors=True)
                raise StoreError(f"Không tạo được kho dữ liệu ({os_reason(e)}).") from e
            _empty_logs(root)
            _swap_current(root, load_id)
    audit.record("store_created", user, {"kind": kind_}, root)
    return True


def interrupted_load(root: Path = PARQUET_DIR) -> dict | None:
    """What a load that was killed half-way left behind (its marker), if any."""
    try:
        return json.loads((root / "LOADING.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {"started_at": "?", "user": "?", "files": []} if (root / "LOADING.json").exists() else None


def recover(root: Path = PARQUET_DIR) -> str | None:
    """Clean up after a killed load; return a Vietnamese message saying what happened (None if nothing did).

    Every page run calls this: while a load is running (it holds the writer lock) its marker is no sign of a crash,
    so nothing is done and nobody waits."""
    if interrupted_load(root) is None:
        return None
    with _lock(root, wait=False) as got:
        marker = interrupted_load(root) if got else None  # read again under the lock: the load may have ended
        if marker is None:
            return None
        load_id = marker.get("load_id") or uuid.uuid4().hex[:12]
        cur = current_snapshot(root)
        done = cur is not None and cur.name == load_id  # killed after the switch: the data is complete
        for tmp in (root / "snapshots").glob(".tmp-*"):
            shutil.rmtree(tmp, ignore_errors=True)
        if not done:  # renamed but never made current
            shutil.rmtree(root / "snapshots" / load_id, ignore_errors=True)
        if done and marker.get("cycle"):  # the submissions of a load made current but not yet recorded
            cycle.append_missing(marker["cycle"], root)
        if not (root / "log" / "loads" / f"{load_id}.parquet").exists():
            _append_log(
                root,
                load_id,
                marker.get("user", "?"),
                "ok" if done else "interrupted",
                marker.get("files", []),
                [],
                marker.get("started_at"),
                snapshot=load_id if done else None,
            )
        (root / "LOADING.json").unlink(missing_ok=True)
    n = len(marker.get("files", []))
    head = (
        f"Lần nạp dữ liệu bắt đầu lúc {when(marker.get('started_at'))} ({n} tệp, người nạp: "
        f"{marker.get('user', '?')}) đã bị gián đoạn"
    )
    if done:
        return head + " ở bước cuối, nhưng dữ liệu đã được ghi đầy đủ và đang được sử dụng."
    return head + " và không được ghi. Dữ liệu trước đó vẫn nguyên vẹn; hãy nạp lại các tệp đó."


class StoreError(Exception):
    """Writing a snapshot failed (disk full, permissions…); the previous data is untouched."""


def commit(
    returns: list[ParsedReturn],
    province: ProvinceConfig,
    user: str,
    root: Path = PARQUET_DIR,
    replace_all: bool = False,
    started_at: str | None = None,
    submissions: dict[tuple[int, str], cycle.Submission] | None = None,
) -> LoadResult:
    """Write the returns as a new snapshot and make it current; a re-loaded return replaces its earlier version.

    With replace_all the new snapshot holds only these returns (used to rebuild the sample). A failure before the
    switch leaves the current snapshot as it was (ReturnRejected for data problems, StoreError otherwise).

    A return of a year with a reporting period (etl/cycle.py) is that committee's submission: its status changes in
    the same step that makes the data current, under the cycle's lock (`submissions` says in which role and with
    which warnings; an admin's load without warnings otherwise). A committee-year approved or locked is refused."""
    root.mkdir(parents=True, exist_ok=True)
    load_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    started_at = started_at or dt.datetime.now().isoformat(timespec="seconds")
    files = [r.file_name for r in returns]
    marker = {"load_id": load_id, "started_at": started_at, "user": user, "files": files}
    with _lock(root):
        (root / "LOADING.json").write_text(json.dumps(marker, ensure_ascii=False), encoding="utf-8")
        tmp = root / "snapshots" / f".tmp-{load_id}"
        final = root / "snapshots" / load_id
        try:
            if findings := refusals(returns, root=root):  # early, before the costly write
                raise ReturnRejected(findings)
            new_kind = _new_kind(returns, root)
            replaced = _write_snapshot(
                tmp, returns, province, None if replace_all else current_snapshot(root), load_id, user
            )
            _write_versions(returns, root, load_id)
            os.rename(tmp, final)
            # The cycle's lock is held only for the check and the switch: pages reading the cycle never wait
            # for a snapshot being written.
            with cycle.recording(root, create=False) as rec:
                _check_not_frozen(returns, rec.periods)
                rec.events.extend(_submission_events(returns, rec.periods, user, submissions or {}, load_id))
                if rec.events:  # a kill after the switch leaves them for `recover` to record
                    marker["cycle"] = rec.events
                    (root / "LOADING.json").write_text(json.dumps(marker, ensure_ascii=False), encoding="utf-8")
                _swap_current(root, load_id)
            if new_kind:
                _mark(root, new_kind)
        except ReturnRejected as e:
            shutil.rmtree(final, ignore_errors=True)
            _abandon(root, tmp, load_id, user, files, e.findings, started_at, "rejected")
            raise
        except Exception as e:
            if current_snapshot(root) != final:
                shutil.rmtree(final, ignore_errors=True)
            _abandon(root, tmp, load_id, user, files, [], started_at, "failed")
            reason = os_reason(e)  # the exception itself stays in the chain, for the log
            full = getattr(e, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
            advice = "hãy kiểm tra dung lượng đĩa" if full else "hãy báo người quản trị máy chủ"
            raise StoreError(
                f"Không ghi được dữ liệu ({reason}). Dữ liệu trước đó vẫn nguyên vẹn; {advice} rồi nạp lại."
            ) from e
        warnings = [w for r in returns for w in r.warnings]
        _append_log(
            root, load_id, user, "ok", files, warnings, started_at, sha=[r.sha256 for r in returns], snapshot=load_id
        )
        (root / "LOADING.json").unlink(missing_ok=True)
        _gc(root, keep=load_id)
    return LoadResult(load_id, load_id, len(returns), sum(r.branches.height for r in returns), replaced, warnings)


def refusals(returns: list[ParsedReturn], root: Path = PARQUET_DIR) -> list[Finding]:
    """Why some of these valid returns cannot be written into this store now — a return of the other kind than
    the store's, a committee-year approved or locked — one finding each (none: all can). Said before anyone is
    offered to write them; `commit` checks again under its locks."""
    have = kind(root)
    if have is None and len({r.is_sample for r in returns}) > 1:
        have = REAL  # a new store's first batch of both kinds: the sample returns are the ones refused
    periods = cycle.periods(root)
    return [
        Finding(r.file_name, why, rule=rule)
        for r in returns
        for rule, why in (
            ("store_kind", kind_refusal(have, r.is_sample)),
            ("cycle_frozen", cycle.frozen_reason(periods, r.year, r.unit_code)),
        )
        if why
    ]


def _new_kind(returns: list[ParsedReturn], root: Path) -> str | None:
    """The kind a store not created yet takes from its first load (None when it has one)."""
    if kind(root) is not None or not returns:
        return None
    return SAMPLE if returns[0].is_sample else REAL


def _check_not_frozen(returns: list[ParsedReturn], periods: dict) -> None:
    """A return of a committee-year that is approved or whose year is locked (etl/cycle.py) is not replaced."""
    findings = [
        Finding(r.file_name, why, rule="cycle_frozen")
        for r in returns
        if (why := cycle.frozen_reason(periods, r.year, r.unit_code))
    ]
    if findings:
        raise ReturnRejected(findings)


def _in_period(r: ParsedReturn, periods: dict) -> bool:
    return r.year in periods and r.unit_code in periods[r.year].units


def _submission_events(
    returns: list[ParsedReturn],
    periods: dict,
    user: str,
    submissions: dict[tuple[int, str], cycle.Submission],
    load_id: str,
) -> list[dict]:
    events = []
    for r in returns:
        if not _in_period(r, periods):
            continue
        sub = submissions.get((r.year, r.unit_code), cycle.Submission())
        try:
            e = cycle.submit_event(periods, r.year, r.unit_code, user, sub.role, 0, sub.warnings, sub.user_unit)
        except ValueError as err:
            raise ReturnRejected([Finding(r.file_name, str(err), rule="cycle_refused")]) from err
        events.append({**e, "load_id": load_id, "file": r.file_name, "branches": r.branches.height})
    return events


def _write_versions(returns: list[ParsedReturn], root: Path, load_id: str) -> None:
    """Keep each submitted return's branches (no names of people: codes, counts, ratings), one file per version,
    for the board's «what changed between two versions». A version whose load never lands is never listed (its
    load id is in no cycle event)."""
    periods = cycle.periods(root)
    for r in returns:
        if _in_period(r, periods):
            dest = cycle.version_file(r.year, r.unit_code, load_id, root)
            dest.parent.mkdir(parents=True, exist_ok=True)
            b = r.branches.drop("excel_row", strict=False)
            b.with_columns(pl.col(c).cast(pl.String) for c in b.columns if isinstance(b.schema[c], pl.Enum)).pipe(
                _write_atomically, dest
            )


def _abandon(
    root: Path,
    tmp: Path,
    load_id: str,
    user: str,
    files: list[str],
    findings: list[Finding],
    started_at: str,
    status: str,
) -> None:
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _append_log(root, load_id, user, status, files, findings, started_at)
    except OSError:
        pass  # the disk may be full; the refusal itself is what matters
    (root / "LOADING.json").unlink(missing_ok=True)


def _write_snapshot(
    tmp: Path, returns: list[ParsedReturn], province: ProvinceConfig, cur: Path | None, load_id: str, user: str
) -> int:
    """Write a complete snapshot into tmp (unchanged year partitions are hard links); returns how many returns
    it replaced."""
    tmp.mkdir(parents=True)
    new = _new_rows(returns, load_id, user)
    years = {r.year for r in returns}
    keys = {(r.year, r.committee_key) for r in returns}
    replaced = 0
    for table in PARTITIONED:
        old_years = _partition_years(cur / table) if cur else set()
        for y in sorted(old_years | years):
            dest = tmp / table / f"year={y}" / "data.parquet"
            dest.parent.mkdir(parents=True, exist_ok=True)
            if y not in years:
                _link(cur / table / f"year={y}" / "data.parquet", dest)
                continue
            parts = [new[table].filter(pl.col("year") == y)]
            if y in old_years:
                old = pl.read_parquet(cur / table / f"year={y}" / "data.parquet").with_columns(
                    pl.lit(y, pl.Int16).alias("year")
                )
                kept = old.filter(~pl.col("committee_key").is_in([k for yy, k in keys if yy == y]))
                if table == "returns":
                    replaced += old.height - kept.height
                # An empty new part (a return without village heads, e.g. Đảng bộ Công an tỉnh) may list its
                # columns in another order than the stored ones: keep only the stored rows then. A table whose
                # columns grew since the stored year was written: the stored rows have none of the new ones.
                if not parts[0].height:
                    parts = [kept]
                elif set(kept.columns) == set(parts[0].columns):
                    parts = [kept.select(parts[0].columns), parts[0]]
                else:
                    parts = [pl.concat([kept, parts[0]], how="diagonal_relaxed").select(parts[0].columns)]
            df = pl.concat(parts, how="vertical_relaxed")
            if table == "branch_year":
                _check_unique_branches(df, returns)
            df.drop("year").write_parquet(dest)
        if not any((tmp / table).glob("year=*/data.parquet")):  # readers need a schema even when empty
            (tmp / table / "year=0").mkdir(parents=True, exist_ok=True)
            new[table].head(0).drop("year").write_parquet(tmp / table / "year=0" / "data.parquet")
    for name, df in reference_tables(province).items():
        df.write_parquet(tmp / f"{name}.parquet")
    all_returns = pl.read_parquet(tmp / "returns" / "*" / "*.parquet", hive_partitioning=True)
    manifest = {
        "snapshot": load_id,
        "created_at": dt.datetime.now().isoformat(timespec="seconds"),
        "province": province.code,
        "parent": cur.name if cur else None,
        "returns": all_returns.height,
        "is_sample": bool(all_returns["is_sample"].all()) if all_returns.height else False,
        "kind": kind(tmp.parent.parent),
        "years": sorted(int(y) for y in all_returns["year"].unique().to_list() if y) if all_returns.height else [],
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    # What the views compute once per snapshot is stored with it (before the switch: a killed load leaves the
    # previous snapshot, derived tables included, as it was).
    views.write_derived(tmp, tmp.parent.parent)
    _fsync_tree(tmp)
    return replaced


def log_rejected(files: list[str], findings: list[Finding], user: str, root: Path = PARQUET_DIR) -> str:
    """Record a refused load (nothing was written to the data) and its findings."""
    root.mkdir(parents=True, exist_ok=True)
    load_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    with _lock(root):
        _append_log(root, load_id, user, "rejected", files, findings, None)
    return load_id


_RETURNS_SCHEMA = {
    "year": pl.Int16,
    "committee_key": pl.String,
    "unit_code": pl.String,
    "reported_name": pl.String,
    "via": pl.String,
    "file_name": pl.String,
    "sha256": pl.String,
    "branches": pl.Int64,
    "committee_members": pl.Int64,
    "village_heads": pl.Int64,
    "sheets": pl.String,
    "encoding": pl.String,
    "is_sample": pl.Boolean,
    "loaded_at": pl.String,
    "loaded_by": pl.String,
    "load_id": pl.String,
}


def _new_rows(returns: list[ParsedReturn], load_id: str, user: str) -> dict[str, pl.DataFrame]:
    from etl.schema import (
        BranchParentSchema,
        BranchSchema,
        CommitteeSchema,
        HeadsSchema,
        MeetingSchema,
        OrgSchema,
        UnitYearSchema,
    )

    now = dt.datetime.now().isoformat(timespec="seconds")
    meta = lambda key: [pl.lit(key, pl.String).alias("committee_key"), pl.lit(load_id).alias("load_id")]  # noqa: E731
    # Each table starts from its empty schema: a snapshot without any return (a new store) has its columns too.
    tables = {
        "branch_year": (BranchSchema, "branches"),
        "committee_member": (CommitteeSchema, "committee"),
        "village_head": (HeadsSchema, "heads"),
        "branch_meeting": (MeetingSchema, "meetings"),
        "unit_year": (UnitYearSchema, "unit_year"),
        "org_year": (OrgSchema, "orgs"),
        "branch_parent": (BranchParentSchema, "parents"),
    }
    out = {
        table: pl.concat(
            [
                schema.create_empty().with_columns(*meta(None)),
                *(getattr(r, frame).with_columns(*meta(r.committee_key)) for r in returns),
            ],
            how="vertical_relaxed",
        )
        for table, (schema, frame) in tables.items()
    }
    out["returns"] = pl.DataFrame(
        [
            {
                "year": r.year,
                "committee_key": r.committee_key,
                "unit_code": r.unit_code,
                "reported_name": r.reported_name,
                "via": r.via,
                "file_name": r.file_name,
                "sha256": r.sha256,
                "branches": r.branches.height,
                "committee_members": r.committee.height,
                "village_heads": r.heads.height,
                "sheets": ",".join(r.sheets_present),
                "encoding": r.encoding,
                "is_sample": r.is_sample,
                "loaded_at": now,
                "loaded_by": user,
                "load_id": load_id,
            }
            for r in returns
        ],
        schema=_RETURNS_SCHEMA,
    )
    return {
        k: v.with_columns(pl.col(c).cast(pl.String) for c in v.columns if isinstance(v.schema[c], pl.Enum))
        for k, v in out.items()
    }


def _check_unique_branches(df: pl.DataFrame, returns: list[ParsedReturn]) -> None:
    """A branch appears once per year in its unit, not just within one return: two returns of one unit (before
    2025, the communes merged into it) do not both name it. A branch is its unit's and its code together (codes
    are in their unit's space, etl/annual_return/branch_codes.py): a code another unit's return named before that
    rule refuses nobody's own return."""
    dup = (
        df.group_by("unit_code", "branch_code")
        .agg(pl.col("committee_key").unique())
        .filter(pl.col("committee_key").list.len() > 1)
    )
    if dup.height:
        by_key = {r.committee_key: r for r in returns}
        findings = []
        for _, code, keys in dup.sort("unit_code", "branch_code").head(20).iter_rows():
            keys = sorted(keys)
            r = next((by_key[k] for k in keys if k in by_key), None)
            # The row of that branch in the file being loaded, so the message names the cell to correct.
            at = r.branches.filter(pl.col("branch_code") == code)["excel_row"].to_list()[:1] if r else []
            findings.append(
                Finding(
                    r.file_name if r else "",
                    f"Mã chi bộ «{code}» đã có trong một báo cáo khác của đơn vị cùng năm ({', '.join(keys)}).",
                    sheet=r.sheet_names.get("branches", "Chi bộ") if r else "Chi bộ",
                    row=at[0] if at else None,
                    column=r.letters.get("branches", {}).get("branch_code", "") if r else "",
                    field="Mã chi bộ",
                    rule="duplicate_across_returns",
                )
            )
        raise ReturnRejected(findings)


def _partition_years(path: Path) -> set[int]:
    return {int(p.name.split("=")[1]) for p in path.glob("year=*") if p.name != "year=0"} if path.exists() else set()


def _link(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def _swap_current(root: Path, name: str) -> None:
    tmp = root / f"CURRENT.{uuid.uuid4().hex[:6]}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(name)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / "CURRENT")
    _fsync_dir(root)


def _fsync_tree(path: Path) -> None:
    for p in path.rglob("*"):
        if p.is_file():
            with open(p, "rb") as f:
                os.fsync(f.fileno())
    for d in [path, *[p for p in path.rglob("*") if p.is_dir()]]:
        _fsync_dir(d)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _gc(root: Path, keep: str) -> None:
    """Drop old snapshots, keeping the newest few (a reader may still hold one open)."""
    snaps = sorted(
        (p for p in (root / "snapshots").iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name
    )
    for p in snaps[:-KEEP_SNAPSHOTS]:
        if p.name != keep:
            shutil.rmtree(p, ignore_errors=True)


def _append_log(
    root: Path,
    load_id: str,
    user: str,
    status: str,
    files: list[str],
    findings: list[Finding],
    started_at: str | None,
    sha: list[str] | None = None,
    snapshot: str | None = None,
) -> None:
    audit.record(
        "load" if status == "ok" else "load_refused",
        user,
        {"load_id": load_id, "status": status, "files": files, "errors": sum(f.severity == "error" for f in findings)},
        root,
    )
    (root / "log" / "loads").mkdir(parents=True, exist_ok=True)
    (root / "log" / "findings").mkdir(parents=True, exist_ok=True)
    errors = sum(f.severity == "error" for f in findings)
    pl.DataFrame(
        [
            {
                "load_id": load_id,
                "started_at": started_at or "",
                "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
                "user": user,
                "status": status,
                "files": "; ".join(files),
                "file_count": len(files),
                "errors": errors,
                "warnings": len(findings) - errors,
                "sha256": "; ".join(sha or []),
                "snapshot": snapshot or "",
            }
        ],
        schema=_LOAD_LOG,
    ).pipe(_write_atomically, root / "log" / "loads" / f"{load_id}.parquet")
    # Written even when empty: readers need the table to exist.
    pl.DataFrame([f.as_dict() for f in findings], schema=_FINDINGS).with_columns(pl.lit(load_id).alias("load_id")).pipe(
        _write_atomically, root / "log" / "findings" / f"{load_id}.parquet"
    )


_LOAD_LOG = {
    "load_id": pl.String,
    "started_at": pl.String,
    "finished_at": pl.String,
    "user": pl.String,
    "status": pl.String,
    "files": pl.String,
    "file_count": pl.Int64,
    "errors": pl.Int64,
    "warnings": pl.Int64,
    "sha256": pl.String,
    "snapshot": pl.String,
}
_FINDINGS = {
    "file": pl.String,
    "message": pl.String,
    "sheet": pl.String,
    "row": pl.Int32,
    "column": pl.String,
    "field": pl.String,
    "rule": pl.String,
    "severity": pl.String,
}


def _empty_logs(root: Path) -> None:
    """A new store's load log and findings, without any row: the views read them before the first load."""
    for folder, schema in (("loads", _LOAD_LOG), ("findings", {**_FINDINGS, "load_id": pl.String})):
        (root / "log" / folder).mkdir(parents=True, exist_ok=True)
        pl.DataFrame(schema=schema).pipe(_write_atomically, root / "log" / folder / "0-none.parquet")


def _write_atomically(df: pl.DataFrame, dest: Path) -> None:
    """Write a log file under a name no reader's glob matches, then rename it into place: a reader that opens its
    views while a load is being logged never meets a half-written Parquet file."""
    tmp = dest.parent / ".tmp" / dest.name
    tmp.parent.mkdir(exist_ok=True)
    df.write_parquet(tmp)
    os.replace(tmp, dest)


@contextmanager
def _lock(root: Path, wait: bool = True) -> Iterator[bool]:
    """One writer at a time (across processes); with wait=False, yields False at once if another holds it."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
