"""One app process of the deployment on a Unix socket: `python deploy/app_server.py SOCKET [streamlit run options]`
(started by deploy/start.py).

Streamlit 1.67 listens on TCP only (its `unix://` address is refused: «Unix sockets are not supported with Starlette
currently»), and a port on 127.0.0.1 is open to every account of the machine: anyone logged in on the server could
talk to the app without the log-in gate (issue 26.4, 29.5). Here Streamlit's own server runs unchanged, but the
socket it binds is a Unix socket in a folder only the service's user and nginx may enter (deploy/start.py). The hook
is one private function of Streamlit's server (`_bind_server_socket`, pinned with Streamlit in requirements.txt);
if a release renames it, this process stops with a Vietnamese message instead of opening a TCP port.

Uploads are held to what the app's pages need (dashboard/uploads.py) before the first session can send one."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"


def unix_binder(path: Path):
    """A stand-in for Streamlit's `_bind_server_socket(server_address, bind_address, port, backlog)`."""

    def bind(server_address: str, bind_address: str, port: int, backlog: int) -> tuple[socket.socket, str]:
        path.unlink(missing_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(str(path))
            os.chmod(path, 0o600)  # the folder decides who enters; deploy/start.py may open it to nginx's group
            sock.listen(backlog)
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
        return sock, server_address

    return bind


def main(argv: list[str]) -> int:
    if not argv:
        print("cách dùng: python deploy/app_server.py SOCKET [tuỳ chọn của streamlit run]", file=sys.stderr)
        return 2
    path, options = Path(argv[0]).resolve(), argv[1:]
    try:
        from streamlit.web.server.starlette import starlette_server
    except ImportError:
        starlette_server = None
    if starlette_server is None or not callable(getattr(starlette_server, "_bind_server_socket", None)):
        print(
            "Phiên bản Streamlit này không có chỗ gắn Unix socket mà deploy/app_server.py dùng: hãy cài đúng phiên "
            "bản ghi trong requirements.txt. Ứng dụng không mở cổng TCP thay thế.",
            file=sys.stderr,
        )
        return 1
    starlette_server._bind_server_socket = unix_binder(path)
    from streamlit.web import bootstrap

    if callable(getattr(bootstrap, "_print_url", None)):  # it would print an address where nothing listens
        bootstrap._print_url = lambda *_: print(f"Tiến trình ứng dụng sẵn sàng trên {path}", flush=True)

    from dashboard import uploads

    uploads.install()

    from streamlit.web import cli

    # Streamlit wants an address and a port; nothing listens there.
    sys.argv = ["streamlit", "run", str(APP), "--server.address", "127.0.0.1", "--server.port", "8501", *options]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
