"""Start the app for its users: `.venv/bin/python deploy/start.py --cert fullchain.pem --key privkey.pem`.

One command for the whole deployment: the log-in gate (dashboard/gate.py) and N Streamlit processes on 127.0.0.1,
and Debian's nginx in front (deploy/nginx.conf.template) — the only thing listening on the network, with TLS.
Everything runs in the foreground and stops together (Ctrl+C, SIGTERM, or any part dying). Without --cert it
serves plain HTTP on --listen (127.0.0.1:8080 by default): for a TLS terminator in front, or for trying it out.
`streamlit run dashboard/app.py` alone still works for local use (its own log-in form, no proxy)."""

from __future__ import annotations

import argparse
import ctypes
import os
import pwd
import signal
import subprocess
import sys
import time
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
NGINX = "/usr/sbin/nginx"


def render(run: Path, listen: str, app_ports: list[int], gate_port: int, cert: str = "", key: str = "") -> str:
    """The proxy's configuration: TLS when a certificate is given (and port 80 redirected to it)."""
    tls = bool(cert)
    if tls:
        port = listen.rsplit(":", 1)[-1]
        listen_lines = (
            f"        listen {listen} ssl http2;\n"
            f"        ssl_certificate {cert};\n        ssl_certificate_key {key};\n"
            "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_session_cache shared:tls:10m;\n"
        )
        redirect = (
            "\n    server {\n        listen 80;\n"
            f"        return 301 https://$$host{'' if port == '443' else ':' + port}$$request_uri;\n    }}\n"
        )
    else:
        listen_lines, redirect = f"        listen {listen};\n", ""
    user = ""
    if os.geteuid() == 0:  # nginx's workers must not run as root: they drop to nobody
        user = "user nobody nogroup;"
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        user_line=user,
        run=str(run),
        app_servers="\n".join(f"        server 127.0.0.1:{p};" for p in app_ports),
        gate_port=gate_port,
        redirect_server=Template(redirect).substitute() if redirect else "",
        listen_lines=listen_lines.rstrip("\n"),
        hsts_line='        add_header Strict-Transport-Security "max-age=31536000" always;' if tls else "",
    )


def _die_with_me() -> None:
    """In each child, before it runs: killed when this launcher dies, however it dies."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG


def prepare_run_dir(run: Path) -> None:
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for p in (run / "tmp", *(run / "tmp").iterdir()):
            os.chown(p, nobody.pw_uid, nobody.pw_gid)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="deploy/start.py", description="Chạy ứng dụng sau cổng đăng nhập và nginx.")
    ap.add_argument("--listen", default=None, help="địa chỉ:cổng của nginx (mặc định 443 với TLS, 127.0.0.1:8080)")
    ap.add_argument("--cert", default="", help="chứng chỉ TLS (PEM, cả chuỗi)")
    ap.add_argument("--key", default="", help="khoá riêng của chứng chỉ")
    ap.add_argument("--apps", type=int, default=1, help="số tiến trình ứng dụng (mặc định 1)")
    ap.add_argument("--app-port", type=int, default=8501, help="cổng của tiến trình ứng dụng đầu tiên")
    ap.add_argument("--gate-port", type=int, default=8600)
    ap.add_argument("--run-dir", type=Path, default=None, help="thư mục cấu hình và tệp tạm của nginx")
    a = ap.parse_args(argv)
    if bool(a.cert) != bool(a.key):
        ap.error("--cert và --key phải đi cùng nhau")
    if not Path(NGINX).exists():
        print("Chưa cài nginx: apt-get install -y nginx", file=sys.stderr)
        return 1
    from etl.settings import DATA_DIR

    listen = a.listen or ("443" if a.cert else "127.0.0.1:8080")
    run = (a.run_dir or DATA_DIR / "run").resolve()
    prepare_run_dir(run)
    ports = [a.app_port + i for i in range(a.apps)]
    conf = run / "nginx.conf"
    conf.write_text(render(run, listen, ports, a.gate_port, a.cert, a.key), encoding="utf-8")

    py = sys.executable
    env = {**os.environ, "PARTYDASH_GATE": "1"}
    from etl.store import current_snapshot

    if current_snapshot() is None:  # built once here, not by each app process at its first start
        subprocess.run([py, "-m", "etl", "sample"], cwd=ROOT, env=env, check=True)
    cmds = [[py, "-m", "dashboard.gate", "--port", str(a.gate_port)]]
    cmds += [
        [py, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.port", str(p)]
        + ["--server.address", "127.0.0.1", "--server.headless", "true"]
        # A server's sources do not change under it: no watching of every module's file at each run (issue 15).
        + ["--server.fileWatcherType", "none"]
        for p in ports
    ]
    cmds.append([NGINX, "-c", str(conf), "-p", str(run), "-e", str(run / "error.log")])
    procs = [subprocess.Popen(c, cwd=ROOT, env=env, preexec_fn=_die_with_me) for c in cmds]

    def stop(*_):
        for p in procs:
            if p.poll() is None:
                p.terminate()

    signal.signal(signal.SIGTERM, stop)
    scheme = "https" if a.cert else "http"
    print(f"Đang chạy: {scheme}://{listen} (nginx), {len(ports)} tiến trình ứng dụng. Ctrl+C để dừng.", flush=True)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
