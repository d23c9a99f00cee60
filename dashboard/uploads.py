"""What the app's server holds of uploaded files (issue 29.5).

Streamlit keeps every file PUT to `/_stcore/upload_file/<session>/<id>` in memory until its session ends, for any id
and any session, with or without a widget: ten PUTs of 20 MB held 202 MB. Here its upload store takes a file only
for a browser session whose user is logged in with a role that has an upload page (a commune submitting its return,
an admin loading returns), and holds at most MAX_USER_BYTES per user across their sessions: a new file over that
drops the user's oldest ones first (a page uses the files of its latest upload; a batch of real returns is a few MB).

The app says who a session's user is on every run (`allow`, from dashboard/login.py) and forgets it at log-out
(`forget`). `install` hooks Streamlit's upload store class: deploy/app_server.py calls it before the server starts,
and the app's entry script again for `streamlit run`."""

from __future__ import annotations

import itertools
import threading

from etl.roles import Role
from etl.settings import MAX_FILE_BYTES

MAX_USER_BYTES = 3 * MAX_FILE_BYTES
UPLOAD_ROLES = frozenset({Role.COMMUNE, Role.ADMIN})

_lock = threading.Lock()
_owner: dict[str, str] = {}  # Streamlit session id -> the user logged in there (upload roles only)
_held: dict[tuple[str, str], tuple[int, int]] = {}  # (session id, file id) -> (order of arrival, bytes)
_order = itertools.count()


def allow(session_id: str, username: str, role: str) -> None:
    """The session's user, as the app's run found it logged in."""
    with _lock:
        if role in UPLOAD_ROLES:
            _owner[session_id] = username
        else:
            _owner.pop(session_id, None)


def forget(session_id: str) -> None:
    """The session's user logged out (or the session was revoked): no more uploads there, and its files go."""
    with _lock:
        _owner.pop(session_id, None)
    mgr = _manager()
    if mgr is not None:
        mgr.remove_session_files(session_id)


def _manager():
    from streamlit import runtime

    return runtime.get_instance().uploaded_file_mgr if runtime.exists() else None


def _refuse(status: int, detail: str):
    from starlette.exceptions import HTTPException

    return HTTPException(status_code=status, detail=detail)


def install() -> None:
    """Hook Streamlit's in-memory upload store (once per process)."""
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager as M

    if getattr(M, "_partydash", False):
        return
    add_file, remove_file, remove_session_files = M.add_file, M.remove_file, M.remove_session_files

    def limited_add_file(self, session_id, file) -> None:
        size = len(file.data)
        with _lock:
            user = _owner.get(session_id)
            if user is None:
                raise _refuse(403, "upload refused: no logged-in user with an upload page in this session")
            mine = sorted(
                (order, key, n)
                for key, (order, n) in _held.items()
                if _owner.get(key[0]) == user and key[1] != file.file_id
            )
            total = sum(n for _, _, n in mine) + size
            evict = []
            for _, key, n in mine:
                if total <= MAX_USER_BYTES:
                    break
                evict.append(key)
                total -= n
            _held[(session_id, file.file_id)] = (next(_order), size)
        for sid, fid in evict:
            self.remove_file(sid, fid)
        add_file(self, session_id, file)

    def tracked_remove_file(self, session_id, file_id) -> None:
        with _lock:
            _held.pop((session_id, file_id), None)
        remove_file(self, session_id, file_id)

    def tracked_remove_session_files(self, session_id) -> None:
        with _lock:
            _owner.pop(session_id, None)
            for key in [k for k in _held if k[0] == session_id]:
                del _held[key]
        remove_session_files(self, session_id)

    M.add_file, M.remove_file, M.remove_session_files = (
        limited_add_file,
        tracked_remove_file,
        tracked_remove_session_files,
    )
    M._partydash = True


def held_bytes(username: str) -> int:
    """What the server holds for a user now (tests)."""
    with _lock:
        return sum(n for (sid, _), (_, n) in _held.items() if _owner.get(sid) == username)
