"""Issue 29.5: uploads without a widget. Streamlit kept every file PUT to `/_stcore/upload_file/<session>/<id>` in
memory until the session ended — any id, any session, with or without an upload page (10 × 20 MB: +202 MB). Now
only a session whose user is logged in with an upload page (commune, admin) may upload, and a user holds at most
dashboard.uploads.MAX_USER_BYTES, the oldest files going first."""

from __future__ import annotations

import uuid

import pytest
from starlette.exceptions import HTTPException
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from dashboard import uploads
from etl.settings import MAX_FILE_BYTES

MB20 = MAX_FILE_BYTES  # the largest file a page takes


@pytest.fixture
def mgr():
    uploads.install()
    m = MemoryUploadedFileManager("/_stcore/upload_file")
    yield m
    for sid in list(m.file_storage):
        m.remove_session_files(sid)


def _put(mgr, sid: str, size: int, file_id: str | None = None) -> str:
    file_id = file_id or str(uuid.uuid4())
    mgr.add_file(
        sid, UploadedFileRec(file_id=file_id, name="x.xlsx", type="application/octet-stream", data=bytes(size))
    )
    return file_id


def test_no_upload_into_a_session_without_a_user_with_an_upload_page(mgr):
    with pytest.raises(HTTPException) as e:
        _put(mgr, "phien-la", 10)  # a session nobody logged in to (the app's own port, a fresh WebSocket)
    assert e.value.status_code == 403
    uploads.allow("phien-tinh", "tinh", "province")  # the province's role has no upload page
    with pytest.raises(HTTPException):
        _put(mgr, "phien-tinh", 10)
    assert mgr.file_storage.get("phien-la") is None and mgr.file_storage.get("phien-tinh") is None


def test_a_user_holds_at_most_three_largest_files_the_oldest_going_first(mgr):
    uploads.allow("s1", "xa", "commune")
    uploads.allow("s2", "xa", "commune")  # a second tab of the same user counts with the first
    first = _put(mgr, "s1", MB20)
    second = _put(mgr, "s2", MB20)
    third = _put(mgr, "s1", MB20)
    assert uploads.held_bytes("xa") == 3 * MB20 == uploads.MAX_USER_BYTES  # exactly at the limit: all kept
    fourth = _put(mgr, "s2", 1)  # one byte over: the oldest goes
    assert uploads.held_bytes("xa") == 2 * MB20 + 1
    assert [f.file_id for f in mgr.get_files("s1", [first, third])] == [third]
    assert [f.file_id for f in mgr.get_files("s2", [second, fourth])] == [second, fourth]
    for _ in range(7):  # the attack: ten PUTs of 20 MB in all
        _put(mgr, "s1", MB20)
    assert uploads.held_bytes("xa") <= uploads.MAX_USER_BYTES
    assert sum(len(f.data) for s in mgr.file_storage.values() for f in s.values()) <= uploads.MAX_USER_BYTES
    # another user is not pushed out by xa's files
    uploads.allow("s3", "quantri", "admin")
    mine = _put(mgr, "s3", MB20)
    _put(mgr, "s1", MB20)
    assert [f.file_id for f in mgr.get_files("s3", [mine])] == [mine]


def test_the_same_file_sent_again_replaces_itself(mgr):
    uploads.allow("s1", "xa", "commune")
    fid = _put(mgr, "s1", MB20)
    for _ in range(5):
        _put(mgr, "s1", MB20, fid)
    assert uploads.held_bytes("xa") == MB20 and len(mgr.file_storage["s1"]) == 1


def test_log_out_drops_the_sessions_files_and_its_right_to_upload(mgr, monkeypatch):
    monkeypatch.setattr(uploads, "_manager", lambda: mgr)
    uploads.allow("s1", "xa", "commune")
    _put(mgr, "s1", 100)
    uploads.forget("s1")
    assert uploads.held_bytes("xa") == 0 and not mgr.file_storage.get("s1")
    with pytest.raises(HTTPException):
        _put(mgr, "s1", 100)
