"""The performance benchmark: `python -m benchmarks --scale province national` (not a timed test).

Builds the data of each scale once (the calibrated province sample; the national synthetic set of synthetic/national.py),
then measures in separate processes: the ETL of one year against a pandas + openpyxl baseline, the latency of every
indicator and progress query, the server-side time of every page, peak memory, the store's size and the first start
on a fresh data folder. Prints a Markdown report and writes it to docs/PERFORMANCE.md (`--out`, `--no-write`).

Options: --scale province|national|tiny (several allowed) · --data DIR (default data/national, git-ignored: one
folder per scale inside) · --rebuild (regenerate the data) · --no-first-start · --render (re-render the report
from the figures embedded in it, measuring nothing). The concurrent-sessions load test is `python -m benchmarks.load`
(benchmarks/load.py, headless chromium), its WebSocket-client twin `python -m benchmarks.wsload`
(benchmarks/wsload.py); this report (benchmarks/scale_report.py) keeps the sections they write."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _data_arg(argv: list[str]) -> Path:
    for i, a in enumerate(argv):
        if a == "--data" and i + 1 < len(argv):
            return Path(argv[i + 1])
        if a.startswith("--data="):
            return Path(a.split("=", 1)[1])
    return ROOT / "data" / "national"


# Before any project module is imported: etl.settings reads the data folder once, at import.
DATA = _data_arg(sys.argv[1:]).resolve()
os.environ["PARTYDASH_DATA"] = str(DATA)
os.environ.setdefault("PARTYDASH_PROVINCE", "04")

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from importlib import metadata  # noqa: E402

from benchmarks.report import keep_sections, log  # noqa: E402
from benchmarks.scale_report import previous_results, render  # noqa: E402

PARAMS = {  # per scale: ETL runs (each in a fresh process), baseline subset (0 = all files), repetitions; the briefs
    # of how many units are built in a row (None = every unit, 0 = none)
    "province": {"etl_runs": 3, "subset": 0, "query_reps": 20, "page_reps": 3, "doc_reps": 5, "briefs": None},
    "national": {"etl_runs": 1, "subset": 300, "query_reps": 10, "page_reps": 3, "doc_reps": 3, "briefs": 0},
    "tiny": {"etl_runs": 1, "subset": 0, "query_reps": 2, "page_reps": 1, "doc_reps": 1, "briefs": 4},
}


def machine_info() -> dict:
    cpu = "?"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    ram = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    versions = {}
    for pkg in ("duckdb", "polars", "streamlit", "pandas", "openpyxl", "numpy", "python-calamine", "pyarrow"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "-"
    return {
        "date": dt.datetime.now().isoformat(timespec="minutes"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def run_step(step: str, scale: str, data: Path, *args: str) -> dict:
    """Run one measurement in a process of its own, with the scale's data folder; its figures as a dict."""
    fd, out = tempfile.mkstemp(prefix=f"bench-{step}-", suffix=".json")
    os.close(fd)
    # The national data is a deployment of its own (code «00»: every commune, no boundaries).
    env = {**os.environ, "PARTYDASH_DATA": str(data), "PARTYDASH_PROVINCE": "04" if scale == "province" else "00"}
    cmd = [sys.executable, "-m", "benchmarks.steps", step, "--scale", scale, "--out", out, *args]
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=sys.stderr, stderr=sys.stderr)
    wall = time.perf_counter() - t
    try:
        if proc.returncode != 0:
            raise SystemExit(f"benchmark step {step} ({scale}) failed with exit code {proc.returncode}")
        res = json.loads(Path(out).read_text(encoding="utf-8"))
    finally:
        os.unlink(out)
    res["process_s"] = wall
    return res


def store_stats(parquet: Path) -> dict:
    import polars as pl

    from etl.store import current_snapshot

    snap = current_snapshot(parquet)
    if snap is None:
        raise SystemExit(f"no store in {parquet}")
    by_table: dict[str, int] = {}
    files = [p for p in snap.rglob("*") if p.is_file()]
    for p in files:
        top = p.relative_to(snap).parts[0].removesuffix(".parquet")
        by_table[top] = by_table.get(top, 0) + p.stat().st_size
    glob = lambda t: str(snap / t / "*" / "*.parquet")  # noqa: E731
    by = (
        pl.scan_parquet(glob("branch_year"), hive_partitioning=True)
        .filter(pl.col("year") > 0)
        .group_by("year")
        .agg(pl.len().alias("n"), pl.col("members").sum().alias("members"))
        .sort("year")
        .collect()
    )
    count = lambda t: pl.scan_parquet(glob(t), hive_partitioning=True).select(pl.len()).collect().item()  # noqa: E731
    last = by.row(-1, named=True)
    return {
        "snapshot": snap.name,
        "bytes": sum(p.stat().st_size for p in files),
        "files": len(files),
        "by_table": dict(sorted(by_table.items(), key=lambda kv: -kv[1])[:4]),
        "units": pl.read_parquet(snap / "units.parquet").height,
        "years": by["year"].to_list(),
        "branch_years": int(by["n"].sum()),
        "last_year": last["year"],
        "branches_last": last["n"],
        "members_last": int(last["members"]),
        "committee_rows": count("committee_member"),
        "head_rows": count("village_head"),
    }


def bench_scale(scale: str, rebuild: bool) -> dict:
    p = PARAMS[scale]
    data = DATA / scale
    data.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    log(f"[{scale}] preparing the data in {data} …")
    prep = run_step("prepare", scale, data, *(["--rebuild"] if rebuild else []))
    res: dict = {
        "prepare": prep,
        "store": store_stats(data / "parquet"),
        "workbook_mb": sum(Path(f).stat().st_size for f in prep["files"]) / 1e6,
    }
    prep["files"] = len(prep["files"])  # the count is enough for the report
    log(f"[{scale}] ETL of {prep['files']:,} workbooks ({p['etl_runs']} run(s)) …")
    runs = [run_step("etl", scale, data) for _ in range(p["etl_runs"])]
    runs.sort(key=lambda r: r["wall_s"])
    res["etl"] = runs[len(runs) // 2]
    res["etl_runs"] = [r["wall_s"] for r in runs]
    log(f"[{scale}] baseline (pandas + openpyxl) …")
    res["baseline"] = run_step("baseline", scale, data, "--subset", str(p["subset"]))
    log(f"[{scale}] query latency ({p['query_reps']} repetitions) …")
    res["queries"] = run_step("queries", scale, data, "--reps", str(p["query_reps"]))
    log(f"[{scale}] pages …")
    res["pages"] = run_step("pages", scale, data, "--reps", str(p["page_reps"]))
    log(f"[{scale}] documents …")
    briefs = [] if p["briefs"] is None else ["--briefs", str(p["briefs"])]
    res["documents"] = run_step("documents", scale, data, "--reps", str(p["doc_reps"]), *briefs)
    res["bench_s"] = time.perf_counter() - t0
    log(f"[{scale}] done in {res['bench_s']:.0f} s")
    return res


def first_start(in_app: bool) -> dict:
    """A fresh data folder to a rendered overview: `python -m etl sample` then the app's first render (the figure
    judged against the goal); with in_app, also the app's own first start (it builds the sample in `ensure_data`)."""
    out: dict = {}
    fresh = Path(tempfile.mkdtemp(prefix="first-start-", dir=DATA))
    try:
        log("[first start] fresh data folder: python -m etl sample, then the overview …")
        env = {**os.environ, "PARTYDASH_DATA": str(fresh), "PARTYDASH_PROVINCE": "04"}
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "etl", "sample"], env=env, cwd=ROOT, stdout=sys.stderr, stderr=sys.stderr
        )
        out["sample_s"] = time.perf_counter() - t
        out["sample_ok"] = proc.returncode == 0
        out["render"] = run_step("first_render", "province", fresh)
        out["process_s"] = out["sample_s"] + out["render"]["process_s"]
        out["overview_rendered"] = out["sample_ok"] and out["render"]["overview_rendered"]
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    if in_app:
        fresh = Path(tempfile.mkdtemp(prefix="first-start-app-", dir=DATA))
        try:
            log("[first start] fresh data folder: the app builds the sample itself …")
            out["in_app"] = run_step("first_start", "province", fresh)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--scale", nargs="+", choices=list(PARAMS), default=["province"])
    ap.add_argument("--data", type=Path, default=DATA, help="data folder (one sub-folder per scale)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    ap.add_argument("--no-write", action="store_true", help="print the report only")
    ap.add_argument("--rebuild", action="store_true", help="regenerate the data even if it exists")
    ap.add_argument("--no-first-start", action="store_true")
    ap.add_argument("--render", action="store_true", help="only re-render --out from the figures it embeds")
    a = ap.parse_args(argv)
    if a.render:
        results = previous_results(a.out)
        if not results:
            raise SystemExit(f"{a.out} holds no benchmark figures")
        text = keep_sections(render(results), a.out)
        print(text)
        if not a.no_write:
            a.out.write_text(text, encoding="utf-8")
        return 0
    DATA.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    machine = machine_info()
    new: dict = {}
    for scale in dict.fromkeys(a.scale):
        new[scale] = bench_scale(scale, a.rebuild)
        new[scale]["machine_date"] = machine["date"]
    if not a.no_first_start:
        new[a.scale[0]]["first_start"] = first_start(in_app=set(a.scale) != {"tiny"})
    results: dict = {}
    if not a.no_write:  # keep the other scales' figures from the last report
        prev = previous_results(a.out)
        results.update({s: v for s, v in prev.items() if s in PARAMS and s not in new and s != "tiny"})
        if any("first_start" in v for v in new.values()):  # the newest first-start figure only
            for v in results.values():
                v.pop("first_start", None)
    results.update(new)
    results["machine"] = machine
    text = keep_sections(render(results), a.out)
    print(text)
    (DATA / f"results-{'-'.join(new)}.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    if not a.no_write:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(text, encoding="utf-8")
        log(f"wrote {a.out}")
    log(f"benchmark finished in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
