"""The benchmark's measurements, each run in a process of its own: `python -m benchmarks.steps STEP --scale S --out F`.

`benchmarks/__main__.py` starts these with PARTYDASH_DATA (and PARTYDASH_PROVINCE) set, so `etl.settings` points
at the scale's data folder from the first import; a fresh process per step also isolates peak memory (RSS) and
gives every ETL run a process whose worker pool has never been used."""

from __future__ import annotations

import time

T_START = time.perf_counter()  # before the project's imports: the first-start figure includes them

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from benchmarks.report import pct  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
PAGES = [
    "tong_quan.py",
    "chi_bo.py",
    "dang_vien.py",
    "ha_tang.py",
    "bi_thu.py",
    "muc_tieu.py",
    "ho_so_xa.py",
    "bieu_thong_ke.py",
    "chat_luong.py",
]
ADMIN_PAGES = ["nap_du_lieu.py", "quan_tri.py"]
TINY_PROVINCES = ("11", "12")  # Điện Biên and Lai Châu: 83 communes
ETL_YEAR = 2025
PREPARED_VERSION = 3  # bump when the generated data changes


def rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def data_dir() -> Path:
    from etl.settings import DATA_DIR

    return DATA_DIR


def config(scale: str):
    if scale == "province":
        from etl.province import load_province

        return load_province("04")
    from synthetic.national import national_config

    return national_config(TINY_PROVINCES if scale == "tiny" else None)


def summary(ms: list[float]) -> dict:
    return {"median": statistics.median(ms), "p95": pct(ms, 0.95), "n": len(ms)}


# ------------------------------------------------------------------------------------------------- prepare


def prepare(scale: str, rebuild: bool) -> dict:
    """The data the other steps use, built once per data folder: the 5-year store and one year of workbooks."""
    d = data_dir()
    marker = d / "prepared.json"
    if marker.exists() and not rebuild:
        info = json.loads(marker.read_text(encoding="utf-8"))
        if info.get("version") == PREPARED_VERSION and info.get("scale") == scale:
            info["reused"] = True
            return info
    import shutil

    from etl.settings import PARQUET_DIR

    shutil.rmtree(PARQUET_DIR, ignore_errors=True)
    info: dict = {"version": PREPARED_VERSION, "scale": scale, "reused": False}
    t0 = time.perf_counter()
    if scale == "province":
        from etl.__main__ import build_sample
        from etl.settings import SAMPLES_DIR

        shutil.rmtree(SAMPLES_DIR, ignore_errors=True)
        if build_sample() != 0:
            raise SystemExit("building the calibrated sample failed")
        files = sorted(str(p) for p in (SAMPLES_DIR / "04").glob(f"{ETL_YEAR}_*.xlsx"))
        info["store_built_by"] = "python -m etl sample (300 workbooks written, then loaded)"
    else:
        from synthetic.national import build_store, generate, write_workbooks

        years = (2024, 2025) if scale == "tiny" else None
        nd = generate(config(scale), **({"years": years} if years else {}))
        t1 = time.perf_counter()
        build_store(PARQUET_DIR, nd)
        t2 = time.perf_counter()
        out = d / "workbooks" / str(ETL_YEAR)
        shutil.rmtree(out, ignore_errors=True)
        units = sorted(nd.branches.filter(nd.branches["year"] == ETL_YEAR)["unit_code"].unique().to_list())
        paths = write_workbooks(ETL_YEAR, out, nd, units=units[:8] if scale == "tiny" else None)
        files = sorted(str(p) for p in paths)
        info.update(
            generate_s=t1 - t0,
            store_s=t2 - t1,
            workbooks_s=time.perf_counter() - t2,
            store_built_by="synthetic.national.build_store (generated frames committed directly)",
        )
        del nd
    info["prepare_s"] = time.perf_counter() - t0
    info["files"] = files
    info["rss_mb"] = rss_mb()
    marker.write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    return info


# ----------------------------------------------------------------------------------------------------- ETL


def etl(scale: str, files: list[str]) -> dict:
    """One load of one year's workbooks into an empty store (read the files, parse, validate, commit)."""
    import shutil
    import tempfile

    from etl.load import load_files, read_paths

    cfg = config(scale)
    root = Path(tempfile.mkdtemp(prefix="etl-", dir=data_dir()))
    try:
        t0 = time.perf_counter()
        blobs = read_paths([Path(f) for f in files])
        t1 = time.perf_counter()
        rep = load_files(blobs, "benchmark", cfg, root=root, replace_all=True)
        t2 = time.perf_counter()
        if not rep.ok:
            raise SystemExit("ETL refused files: " + "; ".join(rep.messages()[:5]))
        rows = {
            "branches": sum(r.branches.height for r in rep.parsed),
            "committee": sum(r.committee.height for r in rep.parsed),
            "heads": sum(r.heads.height for r in rep.parsed),
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {
        "files": len(files),
        "read_s": t1 - t0,
        "load_s": t2 - t1,
        "wall_s": t2 - t0,
        "rows": rows,
        "rss_mb": rss_mb(),
        "rss_children_mb": rss_mb(resource.RUSAGE_CHILDREN),
    }


def baseline(files: list[str], subset: int | None, seed: int = 1) -> dict:
    """The pandas + openpyxl reader on the same files (a fixed random subset at national scale)."""
    import random
    import shutil
    import tempfile

    from benchmarks import baseline as bl

    chosen = sorted(random.Random(seed).sample(files, subset)) if subset and subset < len(files) else files
    out = Path(tempfile.mkdtemp(prefix="baseline-", dir=data_dir()))
    try:
        res = bl.run([Path(f) for f in chosen], out)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    factor = len(files) / len(chosen)
    res.update(
        total_files=len(files),
        extrapolated=factor != 1,
        wall_s_all=res["wall_s"] * factor,
        rows_all={k: round(v * factor) for k, v in res["rows"].items()},
        rss_mb=rss_mb(),
    )
    return res


# -------------------------------------------------------------------------------------------------- queries


def queries(scale: str, reps: int) -> dict:
    """Cold and warm latency of every registry indicator (two shapes) and of progress."""
    from dashboard import data, db, registry
    from dashboard.scope import Filters, Scope
    from etl.settings import PARQUET_DIR

    root = PARQUET_DIR
    years = data.years(root=root)
    last = years[-1]
    calls = []
    for ind in registry.indicators():
        calls.append(
            (
                f"{ind} · by year (all years)",
                lambda i=ind: data.indicator(i, Filters(), Scope.province(), by=("year",), root=root),
            )
        )
        calls.append(
            (
                f"{ind} · by unit ({last})",
                lambda i=ind: data.indicator(i, Filters(years=(last,)), Scope.province(), by=("unit",), root=root),
            )
        )
    # The other queries the pages run (the list: reconciliation, roster, completeness, rating mix, one
    # unit's branches), each as its page calls it.
    unit = data.units(Scope.province(), root=root)["unit_code"][0]
    one = Filters(years=(last,), units=(unit,))
    calls += [
        ("units (sidebar)", lambda: data.units(Scope.province(), root=root)),
        ("coverage (every page)", lambda: data.coverage(Filters(), Scope.province(), root=root)),
        ("rating mix (chi_bo)", lambda: data.rating_mix(Filters(), Scope.province(), root=root)),
        (
            "untrained secretaries (bi_thu)",
            lambda: data.untrained_secretaries(Filters(years=(last,)), Scope.province(), root=root),
        ),
        ("one unit's branches (drill-down)", lambda: data.branches(one, Scope.province(), root=root)),
        ("one unit's branch gaps (ho_so_xa)", lambda: data.branch_gaps(one, Scope.province(), root=root)),
        ("completeness (chat_luong)", lambda: data.completeness(Scope.province(), root=root)),
        ("reconciliation (chat_luong)", lambda: data.reconciliation(Scope.province(), root=root)),
        ("Biểu 01–07 tables (bieu_thong_ke)", lambda: data.bieu_tables(Scope.province(), root=root)),
        (
            f"{'member_good'} · by province ({last})",
            lambda: data.indicator(
                "member_good", Filters(years=(last,)), Scope.province(), by=("province",), root=root
            ),
        ),
    ]
    calls.append(("progress · all targets and scopes", lambda: data.progress(Scope.province(), root=root)))
    calls.append(
        (
            "progress · province only (overview)",
            lambda: data.progress(Scope.province(), scope_kind="province", root=root),
        )
    )
    out, connects = [], []
    for name, fn in calls:
        db.reset()
        data.clear_cache()
        t = time.perf_counter()
        db.database(root)
        connects.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        fn()
        cold = (time.perf_counter() - t) * 1000
        cached = []
        for _ in range(reps):
            t = time.perf_counter()
            fn()
            cached.append((time.perf_counter() - t) * 1000)
        uncached = []
        for _ in range(reps):
            data.clear_cache()
            t = time.perf_counter()
            fn()
            uncached.append((time.perf_counter() - t) * 1000)
        out.append({"query": name, "cold_ms": cold, "cached": summary(cached), "uncached": summary(uncached)})
    return {"queries": out, "connect_ms": summary(connects), "reps": reps, "rss_mb": rss_mb()}


# ---------------------------------------------------------------------------------------------------- pages


def _login(username: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=900)
    at.run()
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input("demo")
    at.button[0].click()
    at.run()
    if at.exception:
        raise SystemExit(f"log-in failed: {[e.value for e in at.exception]}")
    return at


def _timed_run(at) -> float:
    t = time.perf_counter()
    at.run()
    ms = (time.perf_counter() - t) * 1000
    if at.exception:
        raise SystemExit(f"page failed: {[e.value for e in at.exception][:1]}")
    return ms


def pages(scale: str, reps: int) -> dict:
    """Server-side time of every page through the entry script (AppTest): the first visit and warm reruns, with the
    default filters and with one commune selected in the sidebar."""
    from dashboard import data

    units = data.units(data.Scope.province())["unit_code"].to_list()
    commune = "01273" if "01273" in units else units[0]
    out = []
    for user, names in (("tinh", PAGES), ("quantri", ADMIN_PAGES)):
        at = _login(user)
        for label, select in (("default", False), ("commune", True)):
            if select:
                at.multiselect(key="xa").select(commune)
                _timed_run(at)
            for page in names:
                at.switch_page(f"../pages/{page}")
                first = _timed_run(at)
                warm = [_timed_run(at) for _ in range(reps)]
                title = at.title[0].value if len(at.title) else ""
                if not title:
                    raise SystemExit(f"page {page} rendered no title")
                out.append(
                    {
                        "page": page,
                        "user": user,
                        "filters": label,
                        "title": title,
                        "first_ms": first,
                        "warm": summary(warm),
                    }
                )
    return {"pages": out, "commune": commune, "reps": reps, "rss_mb": rss_mb()}


# ------------------------------------------------------------------------------------------------ documents


def documents(scale: str, reps: int, briefs: int | None) -> dict:
    """Building the documents as a click would (result caches emptied before each): one brief, the brief of every
    unit (or of the first `briefs` units; none when 0) and the province's situation report. The first brief and the
    first report of the process also pay for the database connection and, for the brief, loading the font."""
    from dashboard import data
    from dashboard.scope import Scope
    from reports import brief, situation

    year = data.years()[-1]
    units = brief.units_of(Scope.province(), year)
    unit = "01273" if "01273" in units else units[0]

    def timed(fn) -> float:
        data.clear_cache()
        t = time.perf_counter()
        fn()
        return time.perf_counter() - t

    out: dict = {"year": year, "unit": unit, "units": len(units)}
    out["brief_first_s"] = timed(lambda: brief.build(year, Scope.province(), unit))
    out["brief"] = summary([timed(lambda: brief.build(year, Scope.province(), unit)) for _ in range(reps)])
    if briefs != 0:
        chosen = units[:briefs] if briefs else units
        data.clear_cache()
        t = time.perf_counter()
        for u in chosen:
            brief.build(year, Scope.province(), u)
        out["briefs_s"], out["briefs_n"] = time.perf_counter() - t, len(chosen)
    if scale != "national":  # a national «province report» would list all 3,321 communes in Biểu 05/06
        out["report_first_s"] = timed(lambda: situation.build(year, Scope.province()))
        out["report"] = summary([timed(lambda: situation.build(year, Scope.province())) for _ in range(reps)])
    out["rss_mb"] = rss_mb()
    return out


def first_start(in_app: bool) -> dict:
    """The first start on a fresh data folder, rendered up to the overview.

    in_app: the folder is empty and the app's first run builds the calibrated sample itself (`ensure_data`);
    otherwise `python -m etl sample` has just built it and this is the app's first render."""
    from streamlit.testing.v1 import AppTest

    from etl.store import current_snapshot

    if in_app and current_snapshot() is not None:
        raise SystemExit("the in-app first start needs an empty data folder")
    at = AppTest.from_file(APP, default_timeout=900)
    t0 = time.perf_counter()
    error = ""
    try:
        at.run()
    except Exception as e:  # noqa: BLE001 - reported, not raised: the figure says the start failed
        error = f"{type(e).__name__}: {e}"
    t1 = time.perf_counter()
    titles: list[str] = []
    if not error and not at.exception:
        try:
            at.text_input(key="login_user").input("tinh")
            at.text_input(key="login_password").input("demo")
            at.button[0].click()
            at.run()
            titles = [t.value for t in at.title]
        except Exception as e:  # noqa: BLE001
            error = f"{type(e).__name__}: {e}"
    if at.exception:
        error = error or str(at.exception[0].value).splitlines()[0][:300]
    t2 = time.perf_counter()
    ok = not error and any(t.startswith("Tổng quan") for t in titles)
    return {
        "imports_s": t0 - T_START,
        "first_run_s": t1 - t0,
        "login_overview_s": t2 - t1,
        "total_in_process_s": t2 - T_START,
        "overview_rendered": ok,
        "titles": titles,
        "error": error,
        "rss_mb": rss_mb(),
        "rss_children_mb": rss_mb(resource.RUSAGE_CHILDREN),
    }


# ------------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.steps")
    ap.add_argument(
        "step", choices=["prepare", "etl", "baseline", "queries", "pages", "documents", "first_start", "first_render"]
    )
    ap.add_argument("--scale", default="province")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--subset", type=int, default=0)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--briefs", type=int, default=None, help="documents: briefs of the first N units (0: none)")
    a = ap.parse_args(argv)
    if a.step == "prepare":
        res = prepare(a.scale, a.rebuild)
    elif a.step in ("etl", "baseline"):
        files = json.loads((data_dir() / "prepared.json").read_text(encoding="utf-8"))["files"]
        res = etl(a.scale, files) if a.step == "etl" else baseline(files, a.subset or None)
    elif a.step == "queries":
        res = queries(a.scale, a.reps)
    elif a.step == "pages":
        res = pages(a.scale, a.reps)
    elif a.step == "documents":
        res = documents(a.scale, a.reps, a.briefs)
    else:
        res = first_start(in_app=a.step == "first_start")
    a.out.write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    sys.stdout.flush()
    os._exit(0)  # don't wait for Streamlit's or DuckDB's background threads


if __name__ == "__main__":
    main()
