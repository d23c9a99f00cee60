"""Start the app for its users: `.venv/bin/python deploy/start.py --cert fullchain.pem --key privkey.pem`.

One command for the whole deployment (docs/OPERATIONS.md; deploy/partydash.service runs it at boot): the log-in gate
(dashboard/gate.py) and N Streamlit processes (deploy/app_server.py) on Unix sockets in a folder only this user and
nginx's workers may enter, and Debian's nginx in front (deploy/nginx.conf.template) — the only thing listening on the
network, with TLS. It returns «Đang chạy» only once every part answers; a part that cannot start is a Vietnamese
message and exit status 1. Afterwards a part that dies is started again while the others go on serving; one that
keeps dying (5 times in 5 minutes) stops everything with status 1, for systemd to restart the whole. Ctrl+C or
SIGTERM stops everything (status 0). Without --cert it serves plain HTTP on --listen (127.0.0.1:8080 by default):
for a TLS terminator in front, or for trying it out. Port 80 is bound only when asked (--redirect-http).

A real deployment starts on an empty store (the first administrator, then the province's returns: docs/OPERATIONS.md);
`--demo` builds the synthetic sample into an empty store for a demonstration. `streamlit run dashboard/app.py` alone
still works for local use (its own log-in form, no proxy)."""

from __future__ import annotations

import argparse
import ctypes
import errno
import grp
import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
NGINX = "/usr/sbin/nginx"
START_SECONDS = 180  # a part's own start (Streamlit imports) on a loaded machine
RESTARTS, RESTART_WINDOW = 5, 300  # a part dying this often in this many seconds is not coming back by itself
WORKER_USER = "www-data"  # nginx's workers when started as root (Debian's nginx user); else they run as this user


class StartError(Exception):
    """A part of the deployment could not start: the message says which and why, in Vietnamese."""


def split_listen(listen: str) -> tuple[str, int]:
    """«443», «127.0.0.1:8080», «[::]:443» → (host, port); the host "" is every IPv4 address (nginx's reading)."""
    host, sep, port = listen.rpartition(":")
    if not sep:
        host, port = "", listen
    try:
        n = int(port)
    except ValueError:
        raise StartError(
            f"Địa chỉ «{listen}» không hợp lệ: cần dạng CỔNG hoặc ĐỊA_CHỈ:CỔNG (ví dụ 443, 10.0.0.5:443)."
        ) from None
    if not 0 < n < 65536:
        raise StartError(f"Cổng {n} không hợp lệ.")
    return host.strip("[]"), n


def render(
    run: Path,
    listen: str,
    apps: int,
    cert: str = "",
    key: str = "",
    redirect_http: str = "",
    real_ip_from: tuple[str, ...] = (),
) -> str:
    """The proxy's configuration: TLS when a certificate is given; a redirect from plain HTTP only where asked."""
    tls = bool(cert)
    _, port = split_listen(listen)
    if tls:
        listen_lines = (
            f"        listen {listen} ssl http2;\n"
            f"        ssl_certificate {cert};\n        ssl_certificate_key {key};\n"
            "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_session_cache shared:tls:10m;\n"
        )
    else:
        listen_lines = f"        listen {listen};\n"
    redirect = ""
    if redirect_http:
        redirect = (
            f"\n    server {{\n        listen {redirect_http};\n"
            f"        return 301 https://$$host{'' if port == 443 else f':{port}'}$$request_uri;\n    }}\n"
        )
    real_ip = "".join(f"    set_real_ip_from {a};\n" for a in real_ip_from)
    if real_ip:  # a TLS terminator or load balancer in front: the browser's address is the one it passes on
        real_ip += "    real_ip_header X-Forwarded-For;\n    real_ip_recursive on;\n"
    user = f"user {WORKER_USER} {grp.getgrgid(worker_ids()[1]).gr_name};" if os.geteuid() == 0 else ""
    from etl.settings import MAX_FILE_BYTES  # the one upload limit; nginx adds the multipart envelope

    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        user_line=user,
        run=str(run),
        app_servers="\n".join(f"        server unix:{run}/sock/app-{i}.sock;" for i in range(apps)),
        redirect_server=Template(redirect).substitute() if redirect else "",
        listen_lines=listen_lines.rstrip("\n"),
        hsts_line='        add_header Strict-Transport-Security "max-age=31536000" always;' if tls else "",
        real_ip_lines=real_ip,
        max_body=f"{MAX_FILE_BYTES // 1024 // 1024 + 1}m",
    )


def worker_ids() -> tuple[int, int]:
    """The uid and gid nginx's workers run as: this process's own, or www-data's when started as root."""
    if os.geteuid() != 0:
        return os.geteuid(), os.getegid()
    try:
        pw = pwd.getpwnam(WORKER_USER)
    except KeyError:
        pw = pwd.getpwnam("nobody")
    return pw.pw_uid, pw.pw_gid


def prepare_run_dir(run: Path) -> Path:
    """nginx's temporary folders and the sockets' folder: this user's alone (0700); when started as root, nginx's
    workers' group may enter the sockets' folder (0710), nobody else. Returns the sockets' folder."""
    run.mkdir(parents=True, exist_ok=True)
    os.chmod(run, 0o711 if os.geteuid() == 0 else 0o700)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    sock = run / "sock"
    sock.mkdir(exist_ok=True)
    os.chmod(sock, 0o700)
    if os.geteuid() == 0:
        uid, gid = worker_ids()
        for p in (run / "tmp", *(run / "tmp").iterdir()):
            os.chown(p, uid, gid)
        os.chown(sock, 0, gid)
        os.chmod(sock, 0o710)
    return sock


def check_reachable(run: Path) -> None:
    """Started as root, nginx's workers run as another user: they must pass through every folder above their
    sockets' folder."""
    if os.geteuid() != 0:
        return
    uid, gid = worker_ids()
    for d in run.parents:
        st = d.stat()
        if not (st.st_mode & 0o001 or (st.st_mode & 0o010 and st.st_gid == gid) or st.st_uid == uid):
            raise StartError(
                f"Các tiến trình nginx ({WORKER_USER}) không đi qua được thư mục «{d}» để tới {run}: hãy chọn "
                "--run-dir ở nơi khác, hoặc chạy bằng người dùng riêng của dịch vụ (docs/OPERATIONS.md)."
            )


def open_to_workers(path: Path) -> None:
    """A socket nginx's workers must connect to, when they run as another user (started as root)."""
    if os.geteuid() == 0:
        os.chown(path, 0, worker_ids()[1])
        os.chmod(path, 0o660)


def check_address_free(listen: str, what: str) -> None:
    """Bind the address for a moment: a port taken (nginx's default site on 80) or not allowed (below 1024 without
    the capability) is said plainly, before nginx says it in English and gives up."""
    host, port = split_listen(listen)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host or ("::" if family == socket.AF_INET6 else "0.0.0.0"), port))
        except OSError as e:
            where = f"{host or 'mọi địa chỉ'}, cổng {port}"
            if e.errno == errno.EADDRINUSE:
                raise StartError(
                    f"Không mở được {what} ({where}): cổng đang được chương trình khác dùng (trên Debian thường là "
                    "trang mặc định của nginx: «systemctl disable --now nginx» hoặc xoá /etc/nginx/sites-enabled/"
                    "default), hoặc chọn cổng khác."
                ) from e
            if e.errno == errno.EACCES:
                raise StartError(
                    f"Không mở được {what} ({where}): người dùng này không được mở cổng dưới 1024. Chạy bằng dịch vụ "
                    "systemd (deploy/partydash.service cấp quyền CAP_NET_BIND_SERVICE) hoặc chọn cổng từ 1024 trở "
                    "lên (ví dụ --listen 8443)."
                ) from e
            if e.errno == errno.EADDRNOTAVAIL:
                raise StartError(f"Không mở được {what}: máy này không có địa chỉ {host}.") from e
            raise StartError(f"Không mở được {what} ({where}): {os.strerror(e.errno or 0)}.") from e


def check_readable(path: str, what: str) -> None:
    try:
        with open(path, "rb"):
            pass
    except OSError as e:
        raise StartError(f"Không đọc được {what} «{path}»: {os.strerror(e.errno or 0)}.") from e


def check_nginx_config(conf: Path, run: Path) -> None:
    out = subprocess.run(
        [NGINX, "-t", "-q", "-c", str(conf), "-p", str(run), "-e", str(run / "error.log")],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        detail = " ".join(out.stderr.split())
        if "certificate" in detail or "PEM" in detail or "key" in detail.lower():
            raise StartError(f"nginx không nạp được chứng chỉ hoặc khoá TLS (--cert, --key). Chi tiết: {detail}")
        raise StartError(f"Cấu hình nginx không hợp lệ ({conf}). Chi tiết: {detail}")


def _child_setup(keep_caps: bool):
    def setup() -> None:
        """In each child, before it runs: killed when this launcher dies, however it dies; only nginx keeps the
        capability to bind ports below 1024 (the unit grants it to the launcher)."""
        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
        if not keep_caps:
            libc.prctl(47, 4, 0, 0, 0)  # PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL

    return setup


@dataclass
class Part:
    name: str  # in Vietnamese, for messages
    cmd: list[str]
    env: dict[str, str]
    sock: Path | None = None  # where it answers when it is up (nginx: its error log's «start worker process»)
    proc: subprocess.Popen | None = None
    deaths: list[float] = field(default_factory=list)
    log_offset: int = 0

    def start(self, run: Path) -> None:
        if self.sock is not None:
            self.sock.unlink(missing_ok=True)
        else:
            log = run / "error.log"
            self.log_offset = log.stat().st_size if log.exists() else 0
        self.proc = subprocess.Popen(
            self.cmd, cwd=ROOT, env=self.env, preexec_fn=_child_setup(keep_caps=self.sock is None)
        )

    def up(self, run: Path) -> bool:
        if self.sock is not None:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                try:
                    s.connect(str(self.sock))
                    return True
                except OSError:
                    return False
        try:
            with open(run / "error.log", "rb") as f:
                f.seek(self.log_offset)
                return b"start worker process" in f.read()
        except FileNotFoundError:
            return False

    def wait_up(self, run: Path, stopping: list[bool]) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if stopping:
                raise StartError("đã được yêu cầu dừng trong lúc khởi động.")
            if self.proc.poll() is not None:
                raise StartError(f"{self.name} không khởi động được (mã thoát {self.proc.returncode}).{why(self, run)}")
            if self.up(run):
                if self.sock is not None:
                    open_to_workers(self.sock)
                return
            time.sleep(0.2)
        raise StartError(f"{self.name} không sẵn sàng sau {START_SECONDS} giây.{why(self, run)}")


def why(part: Part, run: Path) -> str:
    """nginx's own reason, from its error log (English, for the administrator), after the Vietnamese sentence."""
    if part.sock is not None:
        return " Xem các dòng phía trên trong nhật ký."
    try:
        with open(run / "error.log", encoding="utf-8", errors="replace") as f:
            f.seek(part.log_offset)
            lines = [ln.strip() for ln in f if "[emerg]" in ln or "[alert]" in ln or "[crit]" in ln]
    except FileNotFoundError:
        lines = []
    return f" Chi tiết của nginx: {lines[-1]}" if lines else f" Xem {run / 'error.log'}."


def stop_all(parts: list[Part]) -> None:
    for p in reversed(parts):  # nginx first: no request meets a part that is going away
        if p.proc is not None and p.proc.poll() is None:
            p.proc.terminate()
    for p in parts:
        if p.proc is None:
            continue
        try:
            p.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.proc.kill()
            p.proc.wait()


def supervise(parts: list[Part], run: Path, stopping: list[bool]) -> int:
    """Keep the parts running: one that dies is started again at once (nginx goes on serving meanwhile); one that
    dies too often stops everything with status 1."""
    starting: set[int] = set()  # parts started again whose socket is not opened to nginx's workers yet
    while not stopping:
        for i, p in enumerate(parts):
            if stopping:
                break
            if p.proc.poll() is None:
                if i in starting and p.up(run):
                    if p.sock is not None:
                        open_to_workers(p.sock)
                    starting.discard(i)
                continue
            now = time.monotonic()
            p.deaths = [t for t in p.deaths if now - t < RESTART_WINDOW] + [now]
            if len(p.deaths) >= RESTARTS:
                print(
                    f"{p.name} đã dừng {RESTARTS} lần trong {RESTART_WINDOW // 60} phút (lần cuối mã thoát "
                    f"{p.proc.returncode}): dừng toàn bộ.{why(p, run)}",
                    file=sys.stderr,
                    flush=True,
                )
                return 1
            print(f"{p.name} đã dừng (mã thoát {p.proc.returncode}); đang khởi động lại.", file=sys.stderr, flush=True)
            p.start(run)
            starting.add(i)
        time.sleep(0.5)
    return 0


def parse(argv: list[str] | None) -> argparse.Namespace:
    from etl import argparse_vi  # noqa: F401  (argparse's own words in Vietnamese)

    ap = argparse.ArgumentParser(prog="deploy/start.py", description="Chạy ứng dụng sau cổng đăng nhập và nginx.")
    ap.add_argument("--listen", default=None, help="địa chỉ:cổng của nginx (mặc định 443 với TLS, 127.0.0.1:8080)")
    ap.add_argument("--cert", default="", help="chứng chỉ TLS (PEM, cả chuỗi)")
    ap.add_argument("--key", default="", help="khoá riêng của chứng chỉ")
    ap.add_argument(
        "--redirect-http",
        default="",
        metavar="ĐỊA_CHỈ",
        help="cũng nghe HTTP ở đây và chuyển sang HTTPS (ví dụ 80; chỉ khi có --cert)",
    )
    ap.add_argument("--apps", type=int, default=1, help="số tiến trình ứng dụng (mặc định 1)")
    ap.add_argument("--run-dir", type=Path, default=None, help="thư mục cấu hình, socket và tệp tạm của nginx")
    ap.add_argument(
        "--real-ip-from",
        action="append",
        default=[],
        metavar="MẠNG",
        help="địa chỉ của bộ kết thúc TLS phía trước (tin X-Forwarded-For của nó), có thể lặp lại",
    )
    ap.add_argument("--demo", action="store_true", help="trình diễn: tạo dữ liệu mẫu (giả lập) nếu kho còn trống")
    a = ap.parse_args(argv)
    if bool(a.cert) != bool(a.key):
        ap.error("--cert và --key phải đi cùng nhau")
    if a.redirect_http and not a.cert:
        ap.error("--redirect-http chỉ dùng cùng --cert")
    if a.apps < 1:
        ap.error("--apps phải từ 1 trở lên")
    return a


def prepare(a: argparse.Namespace) -> tuple[Path, list[Part]]:
    """Everything checked and written before any part starts; the parts to start, in order."""
    if not Path(NGINX).exists():
        raise StartError("Chưa cài nginx: apt-get install -y nginx")
    from etl import state
    from etl.settings import DATA_DIR
    from etl.store import current_snapshot, recover

    state.make_private(traverse=os.geteuid() == 0)
    if msg := recover():
        print(msg, file=sys.stderr, flush=True)
    listen = a.listen or ("443" if a.cert else "127.0.0.1:8080")
    if a.cert:
        check_readable(a.cert, "chứng chỉ TLS")
        check_readable(a.key, "khoá TLS")
    check_address_free(listen, "cổng của trang web")
    if a.redirect_http:
        check_address_free(a.redirect_http, "cổng chuyển hướng HTTP")
    if current_snapshot() is None:
        if a.demo:
            env = {**os.environ, "PARTYDASH_GATE": "1"}
            if subprocess.run([sys.executable, "-m", "etl", "sample"], cwd=ROOT, env=env).returncode != 0:
                raise StartError("Không tạo được dữ liệu mẫu cho bản trình diễn.")
        else:  # a real deployment starts from an empty real store, never from the sample (issue 26.2)
            from etl.province import load_province
            from etl.store import REAL, StoreError, create

            try:
                create(REAL, load_province(), "start.py")
            except (OSError, ValueError, StoreError) as e:
                raise StartError(f"Không tạo được kho dữ liệu thật: {e}") from e
            print(
                "Kho dữ liệu còn trống: hãy tạo tài khoản quản trị đầu tiên và nạp số liệu của tỉnh "
                "(docs/OPERATIONS.md). Bản trình diễn với dữ liệu mẫu: --demo.",
                flush=True,
            )
    run = (a.run_dir or DATA_DIR / "run").resolve()
    sock = prepare_run_dir(run)
    conf = run / "nginx.conf"
    conf.write_text(
        render(run, listen, a.apps, a.cert, a.key, a.redirect_http, tuple(a.real_ip_from)), encoding="utf-8"
    )
    check_nginx_config(conf, run)
    check_reachable(run)

    py, env = sys.executable, {**os.environ, "PARTYDASH_GATE": "1"}
    parts = [
        Part(
            "Cổng đăng nhập", [py, "-m", "dashboard.gate", "--socket", str(sock / "gate.sock")], env, sock / "gate.sock"
        )
    ]
    for i in range(a.apps):
        s = sock / f"app-{i}.sock"
        # A server's sources do not change under it: no watching of every module's file at each run (issue 15).
        cmd = [py, str(ROOT / "deploy" / "app_server.py"), str(s), "--server.headless", "true"]
        cmd += ["--server.fileWatcherType", "none"]
        parts.append(Part(f"Tiến trình ứng dụng {i + 1}", cmd, env, s))
    parts.append(Part("nginx", [NGINX, "-c", str(conf), "-p", str(run), "-e", str(run / "error.log")], env))
    return run, parts


def main(argv: list[str] | None = None) -> int:
    a = parse(argv)
    os.umask(0o077)  # everything this deployment writes is its user's alone
    stopping: list[bool] = []
    parts: list[Part] = []

    def stop(*_) -> None:
        stopping.append(True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        run, parts = prepare(a)
        for p in parts[:-1]:
            p.start(run)
        for p in parts[:-1]:
            p.wait_up(run, stopping)
        parts[-1].start(run)
        parts[-1].wait_up(run, stopping)
    except StartError as e:
        print(f"Không khởi động được: {e}", file=sys.stderr, flush=True)
        stop_all(parts)
        return 1
    except OSError as e:  # the data folder, the run folder: not this user's, a full disk
        print(
            f"Không khởi động được: không dùng được «{e.filename or ''}» ({os.strerror(e.errno or 0)}). Hãy chạy bằng "
            "người dùng của dịch vụ, chủ của thư mục dữ liệu, và kiểm tra quyền và dung lượng đĩa (docs/OPERATIONS.md).",
            file=sys.stderr,
            flush=True,
        )
        stop_all(parts)
        return 1
    host, port = split_listen(a.listen or ("443" if a.cert else "127.0.0.1:8080"))
    where = f"{'https' if a.cert else 'http'}://{f'[{host}]' if ':' in host else host or '*'}:{port}"
    print(f"Đang chạy: {where} (nginx), {a.apps} tiến trình ứng dụng. Ctrl+C để dừng.", flush=True)
    status = supervise(parts, run, stopping)
    stop_all(parts)
    return status


if __name__ == "__main__":
    sys.exit(main())
