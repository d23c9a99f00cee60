"""Concurrent uploads (`python -m benchmarks.wsload --uploads 20`): on the province store, a reporting period 2025
opened, N committees submit their 2025 return at the same moment through `dashboard.reporting.submit_return` (the
«Nộp báo cáo» page's path: etl/store.py commit under its writer lock, then the cycle's event log under its lock), N-1
with their own file and one with another committee's file (it must be refused). Run in threads (the server's model:
one process, a thread per session) and in processes. Counted: landed (the final snapshot holds that committee's
return as loaded by that user, the cycle says «đã nộp, hợp lệ»), refused with a message (nothing written for it),
lost (neither)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import shutil
import threading
import time
from pathlib import Path

from benchmarks.report import num, table


def _submit(job: tuple[str, str, str, str], barrier) -> tuple[str, str, str, float, float]:
    """One committee's submission: its file checked first (as the page does on upload), then, once every worker is
    ready, `submit_return` (as the page's button does). (unit, outcome, message, sent at, done at)."""
    unit, file, root, user = job
    from dashboard import reporting
    from etl.load import check_files
    from etl.province import load_province

    province = load_province()
    checked = check_files([(Path(file).name, Path(file).read_bytes())], province, parallel=False, allowed_years=[2025])
    barrier.wait(timeout=300)
    t = time.time()
    try:
        outcome = unit, "ok", reporting.submit_return(2025, checked, user, "commune", unit, province, Path(root))
    except ValueError as e:
        outcome = unit, "refused", str(e)
    except Exception as e:  # neither landed nor refused cleanly
        outcome = unit, "failed", f"{type(e).__name__}: {e}"
    return (*outcome, t, time.time())


def _process_entry(job, barrier, queue) -> None:
    try:
        queue.put((job[0], _submit(job, barrier)))
    except BaseException as e:  # always an answer: the parent waits for one per worker
        queue.put((job[0], (job[0], "failed", f"{type(e).__name__}: {e}", 0.0, 0.0)))
        raise


def uploads(n: int, data: Path, mode: str) -> dict:
    """n committees submit at once on a copy of the store; what landed, was refused, was lost."""
    import polars as pl

    from etl import cycle
    from etl.province import load_province
    from etl.store import current_snapshot

    work = data / f"uploads-{mode}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(data / "parquet", work, symlinks=True)
    province = load_province()
    if cycle.period(2025, work) is None:
        cycle.open_period(2025, dt.date(2026, 3, 31), province, "wsload", "admin", work)
    files = {p.stem.split("_", 1)[1]: p for p in sorted((data / "samples" / province.code).glob("2025_*.xlsx"))}
    units = sorted(files)[:n]
    jobs = [(u, str(files[u]), str(work), f"wsload-{u}") for u in units]
    jobs[-1] = (units[-1], str(files[units[0]]), str(work), f"wsload-{units[-1]}")  # another committee's file
    if mode == "threads":
        barrier, results = threading.Barrier(n), {}

        def run(job):
            try:
                results[job[0]] = _submit(job, barrier)
            except Exception as e:
                results[job[0]] = (job[0], "failed", f"{type(e).__name__}: {e}", 0.0, 0.0)

        workers = [threading.Thread(target=run, args=(j,)) for j in jobs]
    else:
        ctx = multiprocessing.get_context("spawn")
        barrier, queue, results = ctx.Barrier(n), ctx.Queue(), {}
        workers = [ctx.Process(target=_process_entry, args=(j, barrier, queue)) for j in jobs]
    for w in workers:
        w.start()
    if mode != "threads":
        for _ in jobs:
            unit, r = queue.get(timeout=600)
            results[unit] = r
    for w in workers:
        w.join(timeout=600)
    out = [results.get(j[0], (j[0], "failed", "no answer", 0.0, 0.0)) for j in jobs]
    sent = [o[3] for o in out if o[3]]
    wall = max(o[4] for o in out) - min(sent) if sent else 0.0
    snap = current_snapshot(work)
    returns = pl.read_parquet(snap / "returns" / "**" / "*.parquet", hive_partitioning=True)
    returns = returns.filter(pl.col("year") == 2025)
    by_unit = {r["unit_code"]: r for r in returns.iter_rows(named=True)}
    p = cycle.period(2025, work)
    res = {"mode": mode, "n": n, "landed": 0, "refused": 0, "lost": 0, "wrong": 0, "messages": [], "wall_s": wall}
    for (unit, status, message, _, _), job in zip(out, jobs, strict=True):
        in_store = by_unit.get(unit, {}).get("loaded_by") == job[3]
        submitted = p.status(unit) == cycle.SUBMITTED_VALID
        if status == "ok" and in_store and submitted:
            res["landed"] += 1
        elif status == "refused" and not in_store and p.status(unit) == cycle.NOT_SUBMITTED:
            res["refused"] += 1
            res["messages"].append(f"{unit} refused: {message}")
        else:
            res["lost"] += 1
            res["messages"].append(f"{unit} {status} (in store: {in_store}, cycle: {p.status(unit)}): {message}")
    # the one that sent another unit's file must be refused, all the others land
    res["wrong"] = int(out[-1][1] != "refused") + sum(o[1] != "ok" for o in out[:-1])
    shutil.rmtree(work, ignore_errors=True)
    return res


def upload_block(ups: list[dict]) -> list[str]:
    """The uploads' lines of the ws-sessions section: how they were run, their table."""
    return [
        f"Concurrent uploads: {ups[0]['n']} committees submit their 2025 return at the same moment through "
        "`dashboard.reporting.submit_return` (the «Nộp báo cáo» page's path: the store's commit under its writer "
        "lock, then the reporting cycle's event log), on a copy of the province store with the 2025 period open; "
        f"{ups[0]['n'] - 1} with their own file, one with another committee's file, which must be refused. "
        "Landed: the final snapshot holds the committee's return as loaded by that committee's user and the cycle "
        "says «đã nộp, hợp lệ»; refused cleanly: a Vietnamese message, nothing written for it; lost: neither.",
        "",
        upload_table(ups),
        "",
    ]


def upload_table(rows: list[dict]) -> str:
    head = ["workers", "submissions at once", "landed", "refused cleanly", "lost", "unexpected outcome", "wall (s)"]
    return table(
        head, [[r["mode"], r["n"], r["landed"], r["refused"], r["lost"], r["wrong"], num(r["wall_s"], 1)] for r in rows]
    )
