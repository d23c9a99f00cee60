"""Concurrent sessions measured at the server: `python -m benchmarks.wsload --sessions 1 5 10 20` (not a timed test).

benchmarks/load.py drives headless chromium; beyond one session its client core saturates and the browser is what
it measures. These light clients speak the app's own WebSocket protocol instead (benchmarks/wsclient.py: what a
session does and how a page is checked), so one core of light clients can load the server to its limit.

Server pinned to core 0 (taskset), clients (one asyncio process) to core 1; CPU from /proc (benchmarks/server.py
`Meter`). `--national` adds rows on the national synthetic store (synthetic/national.py, built once into
`--national-data`, default data/national/ws). `--uploads N`: then N committees submit their return at the same moment
(benchmarks/uploads.py).

Through the deployment (`--deploy N`): deploy/start.py with N app processes behind Debian's nginx and the log-in gate
(plain HTTP on 127.0.0.1, the whole tree on `--server-cpus`: core 0 for one process, every core for more). Each session
logs in at the gate as a browser does (its page, the form posted, the cookie kept, the redirect followed), then opens
the WebSocket through nginx with the cookie; the app resumes that session and draws the overview. Server CPU is the
whole tree's, split into each app process, the gate and nginx.

Prints the table and writes it as the «Concurrent sessions, WebSocket clients» section of docs/PERFORMANCE.md
(beside the browser section of benchmarks/load.py; `--out`, `--no-write`)."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import report
from benchmarks.report import load_average, log, log_run, markers, num, pct, trio, utc_now
from benchmarks.server import Meter, cpu_by_part, start_deployment, start_server, stop
from benchmarks.uploads import upload_block, upload_table, uploads
from benchmarks.wsclient import session

ROOT = Path(__file__).resolve().parent.parent
USERS = ["tinh", "xa", "quantri"]
NAME = "ws-sessions"
BEGIN, END = markers(NAME)


async def run_n(n: int, base: str, step_s: float, run_s: float, gate: str | None = None) -> dict:
    res: dict = {"n": n, "login": [], "page": [], "views": 0, "errors": 0, "timeouts": 0, "messages": [], "bytes": 0}
    res["by_page"] = {}
    deadline = time.time() + run_s
    t = time.perf_counter()
    await asyncio.gather(*(session(base, USERS[i % 3], res, step_s, deadline, gate) for i in range(n)))
    res["wall_s"] = time.perf_counter() - t
    return res


def measure(scale: str, data: Path, province: str, sessions: list[int], a) -> tuple[list[dict], str]:
    """The rows of one scale: one server (`--deploy` 0: streamlit alone; N: deploy/start.py with N app processes),
    warmed up, then each N of sessions at once."""
    if a.deploy:
        dep = start_deployment(data, province, a.deploy, a.server_cpus)
        server, base, gate = dep.proc, dep.base, dep.base
        # Each app process warmed up on its own address (one session per user, the cookie from the gate): the
        # proxy's hash would leave some of them cold.
        warm_targets = dep.apps
    else:
        server, base = start_server(data, a.server_cpus, province, log_to=data / "server.log")
        gate, warm_targets = None, [base]
    rows = []
    try:
        log(f"[wsload] {scale}: warm-up, one session per user and app process, not counted …")
        warm: dict = {"login": [], "page": [], "messages": []}
        for target in warm_targets:
            w = asyncio.run(run_n(3, target, a.step_timeout, a.run_timeout, gate))
            for k in warm:
                warm[k] += w[k]
        for m in warm["messages"]:
            log(f"  warm-up: {m}")
        note = f"{scale}: log-in → ready {num(pct(warm['login'], 1.0), 2)} s, slowest page {num(pct(warm['page'], 1.0), 2)} s"
        for n in sessions:
            log(f"[wsload] {scale} N = {n} …")
            with Meter(server.pid) as sm, Meter(os.getpid()) as cm:
                r = asyncio.run(run_n(n, base, a.step_timeout, a.run_timeout, gate))
            # The server is a child of this process: its tree is taken out of the client's.
            r.update(scale=scale, server_cpu_s=sm.cpu_s, server_rss=sm.peak_rss, client_cpu_s=cm.cpu_s - sm.cpu_s)
            r["parts"] = cpu_by_part(sm) if a.deploy else {}
            rows.append(r)
            log_run(table(rows[-1:]), r["by_page"], r["messages"], digits=2)
    finally:
        stop(server)
    return rows, note


def national_store(folder: Path, rebuild: bool) -> Path:
    """The national synthetic store (every commune of the 34 provinces), built once into folder/parquet."""
    marker = folder / "wsload-built.txt"
    if marker.exists() and not rebuild:
        return folder
    shutil.rmtree(folder / "parquet", ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PARTYDASH_DATA": str(folder), "PARTYDASH_PROVINCE": "00"}
    code = (
        "from etl.settings import PARQUET_DIR\n"
        "from synthetic.national import build_store, generate, national_config\n"
        "build_store(PARQUET_DIR, generate(national_config(None)))\n"
    )
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, stdout=sys.stderr)
    marker.write_text(f"built in {time.perf_counter() - t:.0f} s\n", encoding="utf-8")
    return folder


def parts(by_part: dict[str, float], total: float) -> str:
    """«40.1 + 35.2 / 1.3 / 0.9»: each app process (by port), the gate, nginx; the one process alone without them."""
    if not by_part:
        return f"{num(total)} / – / –"
    apps = " + ".join(num(v) for k, v in sorted(by_part.items()) if k.startswith("app"))
    return f"{apps or '–'} / {num(by_part.get('gate'))} / {num(by_part.get('nginx'))}"


def table(rows: list[dict]) -> str:
    head = ["scale", "N", "log-ins", "log-in → ready p50 / p95 / max (s)", "of which the gate's answer p50 / p95 (s)"]
    head += ["page views", "page-ready p50 / p95 / max (s)", "errors / time-outs", "wall (s)", "server CPU-s per view"]
    head += ["server CPU-s (cores used)", "of which apps / gate / nginx (CPU-s)", "client CPU-s (cores used)"]
    body = [
        [
            r["scale"],
            str(r["n"]),
            f"{len(r['login'])}/{r['n']}",
            trio(r["login"], 2),
            " / ".join(num(pct(r["gate"], q), 2) for q in (0.5, 0.95)) if r.get("gate") else "–",
            str(len(r["page"])),
            trio(r["page"], 2),
            f"{r['errors']} / {r['timeouts']}",
            num(r["wall_s"], 0),
            num(r["server_cpu_s"] / max(r["views"], 1), 2),
            f"{num(r['server_cpu_s'])} ({r['server_cpu_s'] / r['wall_s']:.2f})",
            parts(r.get("parts") or {}, r["server_cpu_s"]),
            f"{num(r['client_cpu_s'])} ({r['client_cpu_s'] / r['wall_s']:.2f})",
            num(r["server_rss"] / 1e6, 0),
            num(r["bytes"] / max(r["views"], 1) / 1e3, 0),
        ]
        for r in rows
    ]
    return report.table([*head, "server peak RSS (MB)", "received per view (kB)"], body)


def label_of(deploy: int) -> str:
    """The name of a configuration's block in the section: its rows are replaced by its next run only."""
    return f"deploy-{deploy}" if deploy else "one-process"


def run_block(rows: list[dict], ups: list[dict], meta: dict) -> str:
    """This run's block: how it was measured, the table, the uploads."""
    label = meta["label"]
    if meta["deploy"]:
        title = f"Through the deployment: `deploy/start.py --apps {meta['deploy']}` (nginx, log-in gate, {meta['deploy']} app process{'es' if meta['deploy'] > 1 else ''})"
        server = (
            f"The deployment users run (`deploy/start.py --apps {meta['deploy']}`, plain HTTP on 127.0.0.1: Debian's "
            "nginx in front, `hash $cookie_partydash_session consistent` to the app processes, `auth_request` to the "
            "log-in gate for every request; start.py pins nothing), its whole process tree (launcher, gate, app "
            f"processes, nginx master and workers) allowed on CPUs {meta['server_cpus']} with taskset, every client "
            f"(one asyncio process) pinned to core {meta['client_core']}. Each session logs in at the gate as a "
            "browser does: GET of the log-in page, POST of its form (user tinh, xa or quantri in turn, password demo, "
            "the page's Origin), the 303 followed to the app's page with the session cookie, then the WebSocket "
            "`/_stcore/stream` through nginx with that cookie (and the Origin); the app resumes the gate's session "
            "from the cookie and draws the overview. Log-in → ready is timed from the form posted to the "
            "overview's `script_finished`; «the gate's answer»: from the form posted to the gate's answer (the 303 with the "
            "cookie; the rest is the app's page, the WebSocket and the overview's run). Server CPU: every process of the deployment's tree; «of which»: each "
            "app process, the gate, nginx (master + workers). Warm-up: three uncounted sessions (one per user) on "
            "each app process's own address, with a cookie from the gate, so that none is cold when the rows begin"
        )
    else:
        server = (
            "The server (`streamlit run dashboard/app.py` alone, its own log-in form) pinned to CPUs "
            f"{meta['server_cpus']}, every client (one asyncio process) to core {meta['client_core']}. Each session "
            "logs in as tinh, xa or quantri in turn (the log-in form's widgets filled and submitted). Warm-up: three "
            "uncounted sessions on the fresh server (one per user)"
        )
        title = "One Streamlit process, no proxy"
    lines = [
        f"<!-- {NAME}:{label}:begin -->",
        f"#### {title}" + (f" — {label}" if label != label_of(meta["deploy"]) else ""),
        "",
        f"`{meta['command']}` on {meta['date']}; load average before the run {meta['load']}, after "
        f"{meta['load_end']}. {server}: {meta['warm']}. Then each session opens every page of its role's menu in "
        f"turn. A step times out after {meta['step_s']:.0f} s, a run after {meta['run_s']:.0f} s.",
        "",
        table(rows),
        "",
    ]
    if ups:
        lines += upload_block(ups)
    lines.append(f"<!-- {NAME}:{label}:end -->")
    return "\n".join(lines)


INTRO = (
    "Light clients that speak the app's own WebSocket protocol (Streamlit's `/_stcore/stream`, BackMsg / ForwardMsg "
    "protobufs, as the browser's frontend) instead of chromium: nothing is rendered and no static file fetched, so "
    "the client core is not the limit and the figures are the server's. Ready: the run's `script_finished` received "
    "(every delta of the run has arrived by then), from the message sent. Every page checked: its title arrived, no "
    "exception element, no error box, no «page not found» — a failed check counts as an error. Server CPU: utime + "
    "stime of the server's process tree (/proc); client CPU: the client process (the server's tree, its child, taken "
    "out); «cores used» = CPU-s / wall. Each configuration's block is replaced by its own next run "
    "(`python -m benchmarks.wsload`, `--deploy N` for the deployment); the others are kept."
)


def section(rows: list[dict], ups: list[dict], meta: dict, old: str = "") -> str:
    """The ws-sessions section: this run's block in its place (or after the others), every other block of `old`
    (other configurations, readings) kept as it was."""
    block = run_block(rows, ups, meta)
    blocks = report.labelled_blocks(NAME, old)
    if meta["label"] in dict(blocks):
        blocks = [(k, block if k == meta["label"] else b) for k, b in blocks]
    else:
        blocks.append((meta["label"], block))
    return "\n".join(
        [BEGIN, "### WebSocket clients (the server measured)", "", INTRO, ""] + [b + "\n" for _, b in blocks] + [END]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.wsload", description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20])
    ap.add_argument("--national", type=int, nargs="*", default=None, help="session counts on the national store")
    ap.add_argument("--national-data", type=Path, default=ROOT / "data" / "national" / "ws")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the national store")
    ap.add_argument("--uploads", type=int, default=20, help="concurrent submissions (0: none)")
    ap.add_argument("--step-timeout", type=float, default=120.0, help="seconds per log-in or page")
    ap.add_argument("--run-timeout", type=float, default=600.0, help="seconds per N")
    ap.add_argument("--deploy", type=int, default=0, help="N app processes behind deploy/start.py (0: streamlit alone)")
    ap.add_argument("--label", default=None, help="this run's block in the section (default: its configuration)")
    ap.add_argument("--server-core", type=int, default=0, help="the server's core (one process)")
    ap.add_argument(
        "--server-cpus",
        default=None,
        help="taskset CPU list of the server (default: --server-core; with --deploy 2 or more: every CPU)",
    )
    ap.add_argument("--client-core", type=int, default=1)
    ap.add_argument("--scratch", type=Path, default=None, help="where the run's data folder is made (default: /tmp)")
    ap.add_argument(
        "--sample-from",
        type=Path,
        default=None,
        help="a data folder holding `python -m etl sample`'s store and workbooks, copied instead of building them again",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    if a.server_cpus is None:
        a.server_cpus = f"0-{os.cpu_count() - 1}" if a.deploy > 1 else str(a.server_core)
    load = load_average()
    if a.scratch:
        a.scratch.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="wsload-", dir=a.scratch))
    # Before any project module is imported (etl.settings reads it once): the uploads run on this folder's store.
    os.environ["PARTYDASH_DATA"], os.environ["PARTYDASH_PROVINCE"] = str(data), "04"
    rows: list[dict] = []
    ups: list[dict] = []
    notes = []
    try:
        if a.sample_from:
            log(f"[wsload] the sample of {a.sample_from} copied into {data} …")
            for sub in ("parquet", "samples"):
                shutil.copytree(a.sample_from / sub, data / sub, symlinks=True)
        else:
            log(f"[wsload] python -m etl sample into {data} …")
            cmd = [sys.executable, "-m", "etl", "sample"]
            subprocess.run(cmd, env=os.environ, cwd=ROOT, check=True, stdout=sys.stderr)
        os.sched_setaffinity(0, {a.client_core})
        got, note = measure("province", data, "04", a.sessions, a)
        rows += got
        notes.append(note)
        if a.national:
            log(f"[wsload] national store in {a.national_data} …")
            nat = national_store(a.national_data, a.rebuild)
            got, note = measure("national", nat, "00", a.national, a)
            rows += got
            notes.append(note)
        if a.uploads:
            for mode in ("threads", "processes"):
                log(f"[wsload] {a.uploads} concurrent submissions ({mode}) …")
                ups.append(uploads(a.uploads, data, mode))
                log(upload_table(ups[-1:]))
                for m in ups[-1]["messages"][:5]:
                    log(f"  {m}")
    finally:
        shutil.rmtree(data, ignore_errors=True)
    cmd = "python -m benchmarks.wsload --sessions " + " ".join(map(str, a.sessions))
    cmd += f" --deploy {a.deploy}" if a.deploy else ""
    cmd += f" --label {a.label}" if a.label else ""
    if a.national:
        cmd += " --national " + " ".join(map(str, a.national))
    cmd += f" --uploads {a.uploads}" if a.uploads != 20 else ""
    meta = {
        "command": cmd,
        "date": utc_now(),
        "deploy": a.deploy,
        "label": a.label or label_of(a.deploy),
        "server_cpus": a.server_cpus,
        "client_core": a.client_core,
        "load": load,
        "load_end": load_average(),
        "step_s": a.step_timeout,
        "run_s": a.run_timeout,
        "warm": "; ".join(notes),
    }
    text = a.out.read_text(encoding="utf-8") if a.out.exists() else "# Performance\n"
    sec = section(rows, ups, meta, text)
    print(run_block(rows, ups, meta))
    if not a.no_write:
        report.write_section(a.out, sec, BEGIN, END)
    lost = sum(r["lost"] + r["wrong"] for r in ups)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
