"""The deployment's state: what it writes and must keep — the store (its current snapshot, the load, cycle and audit
logs, the submitted versions) and the users (accounts, sessions, the session key). Private to the service's user,
backed up while the app runs (`python -m etl backup OUT`), restored into a stopped deployment (`python -m etl restore
IN`).

Configuration is in git (data/provinces/, data/geo/, etl/mappings/); state is in PARTYDASH_DATA (data/ of the
checkout by default, where git ignores it; /var/lib/partydash in a deployment: docs/OPERATIONS.md).

A backup is consistent while loads, submissions, approvals and log-ins go on: it takes the store's writer lock (a
load in progress finishes first, the next one waits), then the cycle log's lock and the audit log's lock while it
copies them, in the order the writers take them, so it holds either all of a load — its snapshot, its load log, its
submissions in the cycle log — or none of it. Snapshot files are never changed once written; the logs are copied
under their locks. The archive is a tar file (gzip-compressed when its name ends in .gz) with a manifest naming
every file with its SHA-256, checked when it is written and again before a restore changes anything."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import uuid
from contextlib import ExitStack
from pathlib import Path

from etl.settings import DATA_DIR, ROOT

FORMAT = 1  # the archive's layout; a restore refuses a later one
MANIFEST = "manifest.json"
STORE, USERS = "parquet", "users"
# What of the users' folder is kept: accounts, the key that signs session cookies, the sessions themselves (the
# lock-out counters and a pending first-admin code are not).
USER_FILES = ("users.json", "session.key")


class StateError(Exception):
    """A backup or restore that cannot be done; the message says why, in Vietnamese."""


def make_private(data_dir: Path = DATA_DIR, traverse: bool = False) -> None:
    """Only the service's user may enter the state's folders (the store was world-readable, issue 26.4). The data
    folder of a checkout (data/) also holds configuration kept in git: there, its state folders only. With
    `traverse` the data folder itself may be passed through (not listed) by others: nginx's workers, when they run
    as another user, reach their sockets in run/ (deploy/start.py guards that folder)."""
    for d in (data_dir / STORE, data_dir / USERS):
        if d.exists():
            os.chmod(d, 0o700)
    if data_dir.resolve() != (ROOT / "data").resolve() and data_dir.exists():
        os.chmod(data_dir, 0o711 if traverse else 0o700)


def check_owner(data_dir: Path = DATA_DIR) -> None:
    """Refuse to write a data folder that belongs to another user (root running `python -m etl load` on the
    service's folder would leave files the app cannot read): the service's tools run as its user, e.g. through
    deploy/partydash (docs/OPERATIONS.md)."""
    try:
        owner = data_dir.stat().st_uid
    except FileNotFoundError:
        return
    if owner != os.geteuid():
        import pwd

        try:
            name = pwd.getpwuid(owner).pw_name
        except KeyError:
            name = str(owner)
        raise StateError(
            f"Thư mục dữ liệu {data_dir} thuộc người dùng «{name}»: hãy chạy lệnh bằng người dùng đó, ví dụ "
            f"«partydash etl …» hoặc «runuser -u {name} -- …» (docs/OPERATIONS.md), để mọi tệp vẫn thuộc về dịch vụ."
        )


def service_running(data_dir: Path = DATA_DIR) -> bool:
    """Whether deploy/start.py serves this data folder now (its log-in gate answers on its socket)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(data_dir / "run" / "sock" / "gate.sock"))
            return True
        except OSError:
            return False


def _commit_of_code() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


class _Archive:
    """A tar being written, with the SHA-256 of every file added."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar, self.files = tar, {}

    def add_bytes(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(data), 0o600, int(dt.datetime.now().timestamp())
        self.tar.addfile(info, io.BytesIO(data))
        if name != MANIFEST:
            self.files[name] = hashlib.sha256(data).hexdigest()

    def add_tree(self, folder: Path, name: str) -> None:
        for p in sorted(folder.rglob("*")):
            rel = p.relative_to(folder)
            if p.is_file() and not any(part.startswith(".") for part in rel.parts):  # .tmp/, .lock
                self.add_bytes(f"{name}/{rel.as_posix()}", p.read_bytes())


def backup(out: Path, data_dir: Path = DATA_DIR) -> dict:
    """Write a consistent copy of the state to `out` (0600); returns its manifest."""
    from etl import audit, cycle
    from etl.store import KIND_FILE, _lock, current_snapshot

    store, users = data_dir / STORE, data_dir / USERS
    out = out.resolve()
    if out.is_relative_to(data_dir.resolve()):
        raise StateError(
            f"Hãy ghi bản sao lưu ra ngoài thư mục dữ liệu {data_dir} (một bản sao lưu nằm trong chính nó)."
        )
    if out.exists() and out.is_dir():
        raise StateError(f"«{out}» là một thư mục: hãy cho tên tệp, ví dụ {out / 'partydash.tar.gz'}.")
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:6]}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        raise StateError(f"Không ghi được bản sao lưu vào «{out}»: {os.strerror(e.errno or 0)}.") from e
    try:
        with os.fdopen(fd, "wb") as f, tarfile.open(fileobj=f, mode="w:gz" if out.suffix == ".gz" else "w") as tar:
            arc = _Archive(tar)
            with _lock(store):  # no load writes meanwhile: the current snapshot and the load log stand still
                snap = current_snapshot(store)
                if (store / KIND_FILE).exists():  # sample or real: a restored store stays what it was
                    arc.add_bytes(f"{STORE}/{KIND_FILE}", (store / KIND_FILE).read_bytes())
                if snap is not None:
                    arc.add_bytes(f"{STORE}/CURRENT", snap.name.encode("utf-8"))
                    arc.add_tree(snap, f"{STORE}/snapshots/{snap.name}")
                log = store / "log"
                for sub in ("loads", "findings", "cycle/versions"):
                    if (log / sub).exists():
                        arc.add_tree(log / sub, f"{STORE}/log/{sub}")
                # The cycle log, then the audit log, each read under its lock, the cycle's held over both: an approval
                # is in both or in neither (it writes the cycle's line, then the audit's).
                with ExitStack() as held:
                    for name, path in (
                        ("cycle", cycle.cycle_log(store)),
                        ("audit", audit.audit_dir(store) / "audit.jsonl"),
                    ):
                        if path.exists():
                            log = held.enter_context(audit.locked(path))
                            arc.add_bytes(f"{STORE}/log/{name}/{path.name}", _whole_lines(log))
            for name in USER_FILES:
                if (users / name).exists():
                    arc.add_bytes(f"{USERS}/{name}", (users / name).read_bytes())
            for p in sorted((users / "sessions").glob("*")) if (users / "sessions").exists() else []:
                try:
                    arc.add_bytes(f"{USERS}/sessions/{p.name}", p.read_bytes())
                except FileNotFoundError:  # logged out meanwhile
                    continue
            manifest = {
                "format": FORMAT,
                "created_at": dt.datetime.now().isoformat(timespec="seconds"),
                "snapshot": snap.name if snap is not None else None,
                "code": _commit_of_code(),
                "files": arc.files,
            }
            arc.add_bytes(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        verify(tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return manifest


def _whole_lines(log) -> bytes:
    """A JSON-lines log as whole records (a torn last line of a write cut short is left out, as readers do)."""
    return b"".join((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8") for r in log.records())


def verify(archive: Path) -> dict:
    """The archive's manifest, once every file it names is there with its SHA-256 and nothing else is."""
    try:
        with tarfile.open(archive) as tar:
            try:
                manifest = json.loads(tar.extractfile(MANIFEST).read())
            except (KeyError, AttributeError, ValueError) as e:
                raise StateError(f"«{archive}» không phải bản sao lưu của ứng dụng (không có {MANIFEST}).") from e
            if manifest.get("format", 0) > FORMAT:
                raise StateError(
                    f"Bản sao lưu «{archive}» được ghi bởi phiên bản mới hơn (định dạng {manifest.get('format')}): "
                    "hãy khôi phục bằng phiên bản đó hoặc mới hơn."
                )
            seen = set()
            for m in tar:
                if m.name == MANIFEST:
                    continue
                want = manifest["files"].get(m.name)
                f = tar.extractfile(m) if m.isfile() else None
                if want is None or f is None or hashlib.sha256(f.read()).hexdigest() != want:
                    raise StateError(f"Bản sao lưu «{archive}» bị hỏng hoặc đã bị sửa: tệp «{m.name}» không khớp.")
                seen.add(m.name)
            if missing := set(manifest["files"]) - seen:
                raise StateError(f"Bản sao lưu «{archive}» thiếu {len(missing)} tệp (ví dụ «{sorted(missing)[0]}»).")
    except (tarfile.TarError, EOFError, OSError) as e:
        if isinstance(e, FileNotFoundError):
            raise StateError(f"Không có tệp «{archive}».") from e
        raise StateError(f"Không đọc được bản sao lưu «{archive}»: tệp bị hỏng hoặc không phải tệp tar.") from e
    return manifest


def restore(archive: Path, data_dir: Path = DATA_DIR, replace: bool = False) -> dict:
    """Put a backup's state in place of this data folder's, once it is checked whole. The deployment must be stopped.
    With `replace`, the state there now is moved aside (before-restore-<time>/, never deleted); without it a data
    folder that holds a store or users is refused."""
    if service_running(data_dir):
        raise StateError(
            "Ứng dụng đang chạy trên thư mục dữ liệu này: hãy dừng nó trước (systemctl stop partydash), rồi khôi phục."
        )
    manifest = verify(archive)
    now = [data_dir / d for d in (STORE, USERS) if (data_dir / d).exists() and any((data_dir / d).iterdir())]
    if now and not replace:
        raise StateError(
            f"Thư mục dữ liệu {data_dir} đang có dữ liệu ({', '.join(p.name for p in now)}): thêm --replace để thay "
            "(dữ liệu hiện có được chuyển sang một thư mục before-restore-…, không bị xoá)."
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f".restore-{uuid.uuid4().hex[:6]}"
    tmp.mkdir(mode=0o700)
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, members=[m for m in tar if m.name != MANIFEST], filter="data")
        for p in tmp.rglob("*"):
            os.chmod(p, 0o700 if p.is_dir() else 0o600)
        if now:
            aside = data_dir / f"before-restore-{dt.datetime.now().strftime('%Y%m%dT%H%M%S')}"
            aside.mkdir(mode=0o700)
            for p in now:
                p.rename(aside / p.name)
        for d in (STORE, USERS):
            if (tmp / d).exists():
                (tmp / d).rename(data_dir / d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    make_private(data_dir)
    return manifest
