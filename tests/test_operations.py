"""Issue 26 «Done means»: docs/OPERATIONS.md done on this machine, step by step, as an IT officer would — the service
started from an empty state folder exactly as deploy/partydash.service starts it (TLS, the HTTP redirect), the first
administrator and the province's returns brought in with the `partydash` command, every page reloaded through nginx
in browser and opened from a shared link through the log-in, a backup taken while a load commits, the service
stopped, the backup restored, the figures compared, the service started again.

The service runs as an unprivileged account when this machine's Python may be run by one (a Debian server's
/usr/bin/python3); where the interpreter lives in root's home (pyenv under /root, 0700) it runs as root, nginx's
workers as www-data. The install itself is .ci/run's (requirements.txt on a fresh clone)."""

from __future__ import annotations

import json
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from tests import deployment
from tests.conftest import ROOT
from tests.deployment import PAGES, Deployment, request
from tests.fixtures import TINY_RETURNS, return_bytes
from tools.release_fixture import picture

DEPLOY = ROOT / "deploy"
ADMIN, ADMIN_PASSWORD = "quan-tri-tinh", "mat-khau-quan-tri-tinh"
COMMUNE, COMMUNE_PASSWORD = "xa-thuc-phan", "mat-khau-xa-thuc-phan"


def _unit(name: str) -> dict[str, str]:
    """The [Service] settings of one of deploy/'s systemd units."""
    out = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip()
    return out


def test_the_units_are_valid_for_systemd(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    me = pwd.getpwuid(os.geteuid()).pw_name
    (tmp_path / "partydash.env").write_text((DEPLOY / "partydash.env.example").read_text(encoding="utf-8"))
    for name in ("partydash.service", "partydash-backup.service", "partydash-backup.timer"):
        text = (DEPLOY / name).read_text(encoding="utf-8")
        text = text.replace("/opt/partydash/.venv/bin/python", sys.executable).replace("/opt/partydash", str(ROOT))
        text = text.replace("/etc/partydash/partydash.env", str(tmp_path / "partydash.env"))
        text = text.replace("User=partydash", f"User={me}").replace("Group=partydash", f"Group={me}")
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = subprocess.run(
        [
            "systemd-analyze",
            "verify",
            "--man=no",
            *(str(tmp_path / n) for n in ("partydash.service", "partydash-backup.service", "partydash-backup.timer")),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and "Unknown" not in out.stderr and "ignoring" not in out.stderr, out.stderr
    unit = _unit("partydash.service")
    assert unit["User"] == "partydash" and unit["UMask"] == "0077" and unit["Restart"] == "on-failure"
    assert unit["AmbientCapabilities"] == "CAP_NET_BIND_SERVICE"
    assert "--redirect-http 80" in unit["ExecStart"] and "--demo" not in unit["ExecStart"]
    assert _unit("partydash-backup.service")["ExecStart"].count("etl backup") == 1


def test_the_apps_install_needs_no_test_tool():
    app = (ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
    assert not re.search(r"^(pytest|playwright|ruff|sqlfluff|pypdf|openpyxl)\b", app, re.M)


@pytest.mark.slow  # runs every command of the guide
def test_every_command_of_the_guide_exists():
    """Each `partydash MODULE COMMAND` of docs/OPERATIONS.md is a command of that module (its --help answers)."""
    guide = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    found = set(re.findall(r"partydash ((?:etl|dashboard\.users)) ([a-z]+)", guide))
    assert {("etl", "load"), ("etl", "backup"), ("etl", "restore"), ("dashboard.users", "add")} <= found
    for module, command in sorted(found):
        out = subprocess.run(
            [sys.executable, "-m", module, command, "--help"], cwd=ROOT, capture_output=True, text=True
        )
        assert out.returncode == 0, (module, command, out.stderr)


def _unprivileged_python() -> bool:
    """Whether an unprivileged account may run this machine's Python (and so be the service's user here)."""
    probe = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "sh", "-c", f"{sys.executable} -c 0"]
    return shutil.which("setpriv") is not None and subprocess.run(probe, capture_output=True).returncode == 0


@pytest.mark.browser
def test_from_an_empty_server_to_a_restored_backup(browser):
    if os.geteuid() != 0:
        pytest.skip("the guide's steps are an administrator's (root)")
    if not Path(deployment.NGINX).exists() or not shutil.which("openssl"):
        pytest.skip("Debian's nginx and openssl are needed (.ci/run installs them)")
    user = "nobody" if _unprivileged_python() else "root"
    uid, gid = pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid
    server = Path(tempfile.mkdtemp(prefix="partydash-server-"))  # this machine's /etc/partydash, /var/lib/partydash…
    server.chmod(0o755)
    try:
        _the_guide(server, user, uid, gid, browser)
    finally:
        shutil.rmtree(server, ignore_errors=True)


def _the_guide(server: Path, user: str, uid: int, gid: int, browser) -> None:
    # ---- 1. The service's account, settings, state folder, backups folder and certificate (OPERATIONS.md §2–4)
    data, backups, tls, incoming = server / "var-lib-partydash", server / "backups", server / "tls", server / "nhap"
    for d in (data, backups, incoming):
        d.mkdir(mode=0o700)
        os.chown(d, uid, gid)
    tls.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem")],
        check=True,
        capture_output=True,
    )
    os.chown(tls / "privkey.pem", uid, gid)
    os.chmod(tls / "privkey.pem", 0o600)
    env_file = server / "partydash.env"
    settings = (DEPLOY / "partydash.env.example").read_text(encoding="utf-8")
    settings = settings.replace("/var/lib/partydash", str(data)).replace("/var/backups/partydash", str(backups))
    env_file.write_text(settings, encoding="utf-8")
    service_env = dict(
        line.split("=", 1) for line in settings.splitlines() if line.strip() and not line.startswith("#")
    )
    wrapper = {**os.environ, "PARTYDASH_ENV": str(env_file), "PARTYDASH_HOME": str(ROOT), "PARTYDASH_USER": user}
    wrapper["PATH"] = f"{Path(sys.executable).parent}:{wrapper['PATH']}"

    def partydash(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """The guide's `partydash …` (deploy/partydash: the tools as the service's user)."""
        out = subprocess.run(
            [str(DEPLOY / "partydash"), *args], cwd=server, env=wrapper, input=stdin, capture_output=True, text=True
        )
        assert not check or out.returncode == 0, (args, out.stdout, out.stderr)
        return out

    # ---- 2. The service, started from the empty folder as the unit starts it (OPERATIONS.md §5)
    port, redirect = deployment.free_port(), deployment.free_port()
    argv = shlex.split(_unit("partydash.service")["ExecStart"])
    argv = [
        a.replace("/opt/partydash/.venv/bin/python", sys.executable).replace("/opt/partydash", str(ROOT)) for a in argv
    ]
    argv = [a.replace("/etc/partydash/tls", str(tls)) for a in argv]
    argv[argv.index("--listen") + 1] = f"127.0.0.1:{port}"  # 443 and 80 on a server; free ports here
    argv[argv.index("--redirect-http") + 1] = f"127.0.0.1:{redirect}"
    run = data / "run"
    if user == "root":  # nginx's workers (www-data) must reach their sockets: the state folder is root's
        run = server / "run"
        argv += ["--run-dir", str(run)]
    as_user = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups"] if user != "root" else []
    env = {**os.environ, **service_env, "HOME": str(data)}

    def start() -> Deployment:
        dep = Deployment(None, ("127.0.0.1", port), data, server / "service.log", run, scheme="https")
        return deployment.launch(as_user + argv, env, dep, umask=0o077)

    dep = start()
    try:
        log = dep.log.read_text(encoding="utf-8")
        assert "Kho dữ liệu còn trống" in log and "Dữ liệu mẫu" not in log  # a real deployment starts empty
        status, _, page = request(dep.addr, "GET", "/_gate/login", tls=True)
        assert status == 200 and "Thiết lập lần đầu" in page  # no administrator yet
        status, headers, _ = request(("127.0.0.1", redirect), "GET", "/chi-bo?nam=2024")
        assert (status, headers["Location"]) == (301, f"https://127.0.0.1:{port}/chi-bo?nam=2024")
        assert (data / "parquet" / "KIND").read_text(encoding="utf-8").strip() == "real"  # created real and empty
        for p in (data / "parquet", data / "users"):
            assert not p.exists() or p.stat().st_mode & 0o077 == 0

        # ---- 3. The first administrator and a commune's account (OPERATIONS.md §6)
        partydash("dashboard.users", "add", ADMIN, "--role", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
        partydash(
            "dashboard.users", "add", COMMUNE, "--role", "commune", "--unit", "01273", "--password-stdin",
            stdin=COMMUNE_PASSWORD + "\n",
        )  # fmt: skip

        # ---- 4. The province's returns (OPERATIONS.md §7; the real 2021–2025 history goes here)
        files = _write_returns(incoming, uid, gid)
        later = files.pop()  # one return kept for the backup taken during a load (step 6)
        out = partydash("etl", "load", *map(str, files))
        assert "Đã nạp 3 báo cáo" in out.stdout, out.stdout
        for p in data.rglob("*"):
            assert p.stat().st_uid == uid, p  # everything the tools wrote is the service's
        assert (data / "parquet").stat().st_mode & 0o077 == 0

        # ---- 5. Log in; every page reloaded through nginx, and opened from a shared link through the log-in
        https = {"ignore_https_errors": True}
        admin_pages = [p for p, (_, _, who) in PAGES.items() if who == "quantri"]
        deployment.reload_every_page(browser, dep.url, ADMIN, ADMIN_PASSWORD, admin_pages, **https)
        deployment.reload_every_page(browser, dep.url, COMMUNE, COMMUNE_PASSWORD, ["/nop-bao-cao"], **https)
        for path in admin_pages:
            deployment.open_shared_link(browser, dep.url, path, ADMIN, ADMIN_PASSWORD, **https)
        deployment.open_shared_link(browser, dep.url, "/nop-bao-cao", COMMUNE, COMMUNE_PASSWORD, **https)

        # ---- 6. A backup while a load commits (the nightly timer's command, OPERATIONS.md §8)
        before = picture_of(data)
        load = subprocess.Popen(
            [str(DEPLOY / "partydash"), "etl", "load", str(later)], cwd=server, env=wrapper, stdout=subprocess.PIPE
        )
        archive = backups / "partydash-giua-luc-nap.tar.gz"
        partydash("etl", "backup", str(archive))
        assert load.wait(600) == 0
        after = picture_of(data)
        assert after != before  # the load changed the figures
        with tarfile.open(archive) as tar:
            held = json.loads(tar.extractfile("manifest.json").read())["snapshot"]
        assert held in {before["snapshot"], after["snapshot"]}
        expected = after if held == after["snapshot"] else before
    finally:
        dep.stop()

    # ---- 7. Restore into the stopped service, compare, start again (OPERATIONS.md §9)
    out = partydash("etl", "restore", str(archive), check=False)
    assert out.returncode == 1 and "--replace" in out.stderr  # over data: said, nothing done
    partydash("etl", "restore", str(archive), "--replace")
    assert picture_of(data) == expected
    assert list(data.glob("before-restore-*"))  # what was there is kept aside
    dep = start()
    try:
        deployment.reload_every_page(browser, dep.url, ADMIN, ADMIN_PASSWORD, ["/", "/bang-tong-hop"], **https)
    finally:
        dep.stop()


def picture_of(data: Path) -> dict:
    """The figures, branches and users of a state folder, and the snapshot they come from."""
    from etl.store import current_snapshot

    pic = picture(data) if (data / "parquet" / "CURRENT").exists() else {}
    return {**pic, "snapshot": current_snapshot(data / "parquet").name}


def _write_returns(folder: Path, uid: int, gid: int) -> list[Path]:
    """The two communes' returns of 2024 and 2025 as workbooks (tests/fixtures.py: typed as an office would),
    readable by the service; the last is 01279's 2025 return."""
    from etl.province import load_province

    province = load_province("04")
    out = []
    for unit, year, branches, committee, heads in sorted(TINY_RETURNS, key=lambda r: (r[1], r[0])):
        p = folder / f"{year}_{unit}.xlsx"
        p.write_bytes(return_bytes(province, unit, year, branches, committee, heads))
        os.chown(p, uid, gid)
        out.append(p)
    assert out[-1].name == "2025_01279.xlsx"
    return out
