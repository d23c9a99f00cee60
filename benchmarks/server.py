"""The one server helper of the benchmarks: start the app (`streamlit run`) or the whole deployment
(deploy/start.py: nginx, the gate, the app processes) on a data folder, wait until it answers, stop it; one HTTP
request to it (TCP or an app process's Unix socket); and the CPU and memory its process tree uses (/proc), the CPU
split into the deployment's parts (each app process, the gate, nginx)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CLK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
UNIX = "unix:"  # an app process's own address in the deployment: its Unix socket (deploy/app_server.py)


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, utime + stime in seconds, RSS bytes) of one process, None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    f = raw[raw.rindex(")") + 2 :].split()  # fields from the state on (the name may hold spaces)
    return int(f[1]), (int(f[11]) + int(f[12])) / CLK, int(f[21]) * PAGE


def tree(root: int) -> dict[int, tuple[float, int]]:
    """CPU seconds and RSS of root and all its descendants."""
    stats = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and (s := _stat(int(d))) is not None:
            stats[int(d)] = s
    kids: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in stats.items():
        kids.setdefault(ppid, []).append(pid)
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            out[pid] = stats[pid][1:]
            todo += kids.get(pid, [])
    return out


class Meter:
    """Samples a process tree every 0.25 s: the CPU of every process seen (last value kept, so a process that exits
    during the run still counts up to its last sample) and the peak summed RSS."""

    def __init__(self, root: int):
        self.root, self.cpu, self.peak_rss = root, {}, 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        now = tree(self.root)
        for pid, (cpu, _) in now.items():
            self.cpu[pid] = cpu
        self.peak_rss = max(self.peak_rss, sum(r for _, r in now.values()))

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self.sample()

    def __enter__(self) -> Meter:
        self.sample()
        self.start = dict(self.cpu)
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()
        self.sample()

    @property
    def cpu_s(self) -> float:
        return sum(v - self.start.get(pid, 0.0) for pid, v in self.cpu.items())


def part_of(pid: int) -> str:
    """What a process of the server's tree is: «app :8501», «gate», «nginx» or «launcher» (start.py, taskset)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return "gone"
    if "dashboard.gate" in argv:
        return "gate"
    if argv and argv[0].startswith("nginx"):  # the master and its workers rename themselves «nginx: …»
        return "nginx"
    if any(a.endswith("app_server.py") for a in argv):  # deploy/start.py's app process on its socket
        i = next(i for i, a in enumerate(argv) if a.endswith("app_server.py"))
        return "app " + Path(argv[i + 1]).stem if len(argv) > i + 1 else "app ?"
    if "streamlit" in argv:
        return "app :" + (argv[argv.index("--server.port") + 1] if "--server.port" in argv else "?")
    return "launcher"


def cpu_by_part(meter: Meter) -> dict[str, float]:
    """CPU-seconds of the run by part of the server (the meter's processes, still running at its end)."""
    parts: dict[str, float] = {}
    for pid, v in meter.cpu.items():
        part = part_of(pid)
        parts[part] = parts.get(part, 0.0) + v - meter.start.get(pid, 0.0)
    return parts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    data: Path,
    core: int | str,
    province: str = "04",
    script: Path | None = None,
    env: dict | None = None,
    log_to: Path | None = None,
) -> tuple[subprocess.Popen, str]:
    """`streamlit run` of the app (or of `script`) on `data`, pinned to `core` (a taskset CPU list); (process, base
    URL) once it answers its health check. `province` is PARTYDASH_PROVINCE («00»: the national deployment); its
    output goes to `log_to` (default: nowhere)."""
    port = free_port()
    env = {**os.environ, "PARTYDASH_DATA": str(data), "PARTYDASH_PROVINCE": province, **(env or {})}
    script = script or ROOT / "dashboard" / "app.py"
    cmd = ["taskset", "-c", str(core), sys.executable, "-m", "streamlit", "run", str(script)]
    cmd += ["--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    out = open(log_to, "wb") if log_to else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _wait(proc, [(base, "/_stcore/health")], 90, f"the Streamlit server{f' (see {log_to})' if log_to else ''}")
    return proc, base


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


def request(base: str, method: str, path: str, timeout: float, body: str | None = None, headers=None):
    """One HTTP request as the browser sends it (no redirect followed): (status, headers, body). `base` is an
    address (http://host:port) or an app process's own socket (unix:/…/app-0.sock, deploy/start.py)."""
    if base.startswith(UNIX):
        c, host = _UnixHTTPConnection(base.removeprefix(UNIX), timeout), "localhost"
    else:
        url = urlsplit(base)
        c, host = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout), url.netloc
    try:
        c.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8", errors="replace")
    finally:
        c.close()


def _healthy(base: str, path: str, timeout: float = 2) -> bool:
    try:
        return request(base, "GET", path, timeout)[0] == 200
    except OSError:
        return False


def _wait(proc: subprocess.Popen, checks: list[tuple[str, str]], seconds: float, what: str) -> None:
    """Until every (base, path) answers 200; else stop proc and exit naming `what`."""
    deadline = time.time() + seconds
    while time.time() < deadline and proc.poll() is None:
        if all(_healthy(base, path) for base, path in checks):
            return
        time.sleep(0.3)
    stop(proc)
    raise SystemExit(f"{what} was not healthy in {seconds:.0f} s")


@dataclass
class Deployment:
    """deploy/start.py running: nginx at `base`, the gate, the app processes at `apps` (their own Unix sockets,
    unix:/…)."""

    proc: subprocess.Popen
    base: str
    apps: list[str]


def start_deployment(data: Path, province: str, apps: int, cpus: str) -> Deployment:
    """The deployment users run (deploy/start.py: the gate, `apps` Streamlit processes, Debian's nginx in front with
    sticky sessions), plain HTTP on a free port of 127.0.0.1, the whole tree pinned to `cpus` (a taskset CPU list;
    start.py itself pins nothing: the kernel spreads its processes over the CPUs it may use)."""
    port = free_port()
    env = {**os.environ, "PARTYDASH_DATA": str(data), "PARTYDASH_PROVINCE": province}
    cmd = ["taskset", "-c", cpus, sys.executable, str(ROOT / "deploy" / "start.py"), "--listen", f"127.0.0.1:{port}"]
    cmd += ["--apps", str(apps), "--run-dir", str(data / "run")]
    out = open(data / "server.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    app_bases = [f"{UNIX}{data / 'run' / 'sock' / f'app-{i}.sock'}" for i in range(apps)]
    checks = [(base, "/_gate/login")] + [(a, "/_stcore/health") for a in app_bases]
    _wait(proc, checks, 120, f"the deployment (see {data / 'server.log'})")
    return Deployment(proc, base, app_bases)
