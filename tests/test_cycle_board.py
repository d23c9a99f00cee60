"""The province's board of the reporting cycle (dashboard/reporting.py `board`, page «Tiến độ nộp báo cáo»): one
row per expected committee and the counts, on a fixture; and the page's approve action through the app."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import fmt, notices, reporting
from etl import cycle, settings
from tests.conftest import signed_in

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
DEADLINE = dt.date(2027, 1, 15)


@pytest.fixture
def names(province) -> dict[str, str]:
    return {u.code: u.full_name for u in province.units}


def test_board_rows_and_counts(tmp_path, province, names, monkeypatch):
    root = tmp_path / "parquet"
    cycle.open_period(2026, DEADLINE, province, "quantri", "admin", root=root)
    a, b, c, d = (u.code for u in province.units[:4])
    clock = iter(
        [
            "2027-01-10T09:00:00",
            "2027-01-20T08:30:00",
            "2027-01-21T10:00:00",
            "2027-01-22T11:00:00",
            "2027-01-23T09:15:00",
            "2027-01-26T08:00:00",
        ]
    )
    monkeypatch.setattr(cycle, "_now", lambda: next(clock))
    cycle.submit(2026, a, "xa-a", "commune", user_unit=a, root=root)  # on time
    cycle.submit(2026, b, "xa-b", "commune", errors=3, user_unit=b, root=root)  # 5 days late
    cycle.submit(2026, c, "xa-c", "commune", warnings=["w"], user_unit=c, root=root)  # 6 days late
    cycle.approve(2026, a, "tinh", "province", root=root)
    cycle.return_for_correction(2026, c, "Thiếu 2 chi bộ", "tinh", "province", root=root)
    rows, counts = reporting.board(2026, names, "province", root=root, today=dt.date(2027, 1, 25))
    assert rows.height == 60 and rows["unit_code"].to_list() == [u.code for u in province.units]
    by = {r["unit_code"]: r for r in rows.iter_rows(named=True)}
    assert (by[a]["status_label"], by[a]["by"], by[a]["at"], by[a]["days_late"]) == (
        "Đã duyệt",
        "tinh",
        "2027-01-22 11:00:00",
        0,
    )
    assert (by[b]["status_label"], by[b]["errors"], by[b]["version"], by[b]["days_late"]) == ("Đã nộp, có lỗi", 3, 1, 5)
    assert (by[c]["status"], by[c]["comment"], by[c]["warnings"], by[c]["days_late"]) == (
        cycle.RETURNED,
        "Thiếu 2 chi bộ",
        1,
        6,
    )
    assert (by[d]["status"], by[d]["version"], by[d]["days_late"]) == (cycle.NOT_SUBMITTED, 0, 10)  # still late
    assert counts == reporting.BoardCounts(expected=60, submitted=3, approved=1, late=57)
    assert counts.text() == "3/60 đã nộp, 1 đã duyệt"
    # Locking with 57 committees missing and 2 not approved: refused unless confirmed, saying how many (issue 26.6)
    with pytest.raises(ValueError) as e:
        cycle.lock_year(2026, "quantri", "admin", root=root)
    assert str(e.value) == (
        "Năm 2026 còn 57/60 đơn vị chưa nộp báo cáo và 2 đơn vị đã nộp nhưng chưa được duyệt: khoá số liệu thì các "
        "đơn vị này không nộp, sửa được nữa, và số liệu năm chỉ gồm các báo cáo đã có. Hãy xác nhận trước khi khoá."
    )
    assert not cycle.period(2026, root).locked
    cycle.lock_year(2026, "quantri", "admin", root=root, confirmed=True)
    # A locked year keeps each committee's own status, the lock said beside it (issue 26.6: every row read «Đã
    # khoá», and which were approved was lost); the counts are the same.
    rows, counts = reporting.board(2026, names, "admin", root=root, today=dt.date(2027, 1, 25))
    by = {r["unit_code"]: r for r in rows.iter_rows(named=True)}
    assert [by[u]["status_label"] for u in (a, b, c, d)] == [
        "Đã duyệt (đã khoá)",
        "Đã nộp, có lỗi (đã khoá)",
        "Trả lại (đã khoá)",
        "Chưa nộp (đã khoá)",
    ]
    assert rows.filter(pl.col("status") == cycle.NOT_SUBMITTED).height == 57  # who never submitted
    assert counts.text() == "3/60 đã nộp, 1 đã duyệt"
    with pytest.raises(PermissionError):
        reporting.board(2026, names, "commune", root=root)
    with pytest.raises(ValueError, match="chưa được mở"):
        reporting.board(2027, names, "province", root=root)


@pytest.fixture
def shared_period(sample_store, province):
    """A period of a year the sample does not have, in the app's store; removed afterwards (other modules' pages
    read the same store)."""
    path = cycle.cycle_log(settings.PARQUET_DIR)
    assert settings.DATA_DIR.name.startswith("partydash-test-") and not path.exists()
    cycle.open_period(2026, dt.date(2027, 1, 15), province, "quantri", "admin")
    yield [u.code for u in province.units[:2]]
    shutil.rmtree(path.parent)  # the folder too: the store lists its tables by folder


def log_in(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input("demo")
    at.form_submit_button[0].click()
    at.run()
    at.switch_page("../pages/tien_do.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_province_approves_on_the_page(shared_period, names):
    a, b = shared_period
    for u in (a, b):
        cycle.submit(2026, u, "quantri", "admin")
    cycle.submit(2026, b, "quantri", "admin", warnings=["Tổng số đảng viên thay đổi +25,0%"])
    at = log_in("tinh")
    assert [t.value for t in at.title] == ["Tiến độ nộp báo cáo"]
    assert any("Số liệu năm 2026: 2/60 đã nộp, 0 đã duyệt" in m.value for m in at.markdown)
    assert not any(w.key in ("cycle_lock", "cycle_open") for w in at.button)  # admins' actions only
    at.selectbox(key="cycle_unit").set_value(b).run()
    assert at.warning[-1].value == fmt.plain("Tổng số đảng viên thay đổi +25,0%")  # typed text shown as typed
    at.button(key="cycle_approve").click().run()  # warnings not acknowledged: refused, nothing changes
    assert any("xác nhận đã xem xét các cảnh báo" in e.value for e in at.error)
    assert cycle.period(2026).status(b) == cycle.SUBMITTED_VALID
    at.checkbox(key="cycle_ack").check().run()
    at.button(key="cycle_approve").click().run()
    assert not at.exception
    assert cycle.period(2026).status(b) == cycle.APPROVED
    assert any(f"Đã duyệt báo cáo của {names[b]}." == s.value for s in at.success)
    assert any("2/60 đã nộp, 1 đã duyệt" in m.value for m in at.markdown)


def test_the_admin_locks_and_unlocks_on_the_page(shared_period):
    """Locking a year with committees missing says how many and waits for a confirmation (issue 26.6: one click,
    no question, with 58 of 60 missing); after the lock the board still lists who never submitted."""
    a, b = shared_period
    cycle.submit(2026, a, "quantri", "admin")
    cycle.approve(2026, a, "tinh", "province")
    at = log_in("quantri")
    assert at.button(key="cycle_lock").disabled
    assert (
        "Năm 2026 còn 59/60 đơn vị chưa nộp báo cáo: khoá số liệu thì các đơn vị này không nộp, sửa được nữa, và số "
        "liệu năm chỉ gồm các báo cáo đã có."
    ) in [w.value for w in at.warning]
    at.checkbox(key="cycle_lock_ok").check().run()
    at.button(key="cycle_lock").click().run()
    assert cycle.period(2026).locked
    assert at.button(key="cycle_approve").disabled and at.button(key="cycle_return").disabled  # nothing to refuse
    board = at.dataframe[0].value
    assert board.loc[board["Mã"] == a, "Trạng thái"].to_list() == ["Đã duyệt (đã khoá)"]
    at.toggle(key="cycle_remind").set_value(True).run()
    shown = at.dataframe[0].value
    assert shown.shape[0] == 59 and a not in shown["Mã"].to_list() and b in shown["Mã"].to_list()
    assert not any("Mọi đơn vị đã nộp" in c.value for c in at.caption)
    assert any("Số liệu chốt ngày" in i.value for i in at.info)
    at.button(key="cycle_unlock").click().run()  # no reason: refused
    assert any("lý do" in e.value for e in at.error) and cycle.period(2026).locked
    at.text_input(key="cycle_unlock_reason").input("Sửa số liệu một xã").run()
    at.button(key="cycle_unlock").click().run()
    assert not cycle.period(2026).locked


def test_the_committee_sees_its_status_and_the_province_comment(shared_period):
    a, _ = shared_period  # 01273, the demo commune user's unit
    cycle.submit(2026, a, "quantri", "admin")
    cycle.return_for_correction(2026, a, "Thiếu chi bộ xóm Nà Rụa", "tinh", "province")
    at = signed_in("xa", "nop_bao_cao")
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Nộp báo cáo"]
    assert any("Trạng thái: Trả lại" in m.value for m in at.markdown)
    assert any("Thiếu chi bộ xóm Nà Rụa" in w.value for w in at.warning)
    assert at.get("download_button") and at.get("file_uploader")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("../pages/tien_do.py")  # the board is the province's


def test_the_pages_say_how_approved_the_year_on_screen_is(tmp_path, province, sample_store):
    root = tmp_path / "parquet"
    assert reporting.approval_notice(2025, root) is None  # no period: nothing is said
    cycle.open_period(2025, DEADLINE, province, "quantri", "admin", root=root)
    cycle.submit(2025, "01273", "xa", "commune", user_unit="01273", root=root)
    cycle.approve(2025, "01273", "tinh", "province", root=root)
    assert reporting.approval_notice(2025, root) == (
        "Số liệu năm 2025: 1/60 đơn vị đã duyệt; các đơn vị chưa duyệt có thể còn sửa số liệu."
    )
    cycle.lock_year(2025, "quantri", "admin", root=root, confirmed=True)
    today = dt.date.today()
    assert (
        reporting.approval_notice(2025, root)
        == f"Số liệu năm 2025: 1/60 đơn vị đã duyệt. Số liệu chốt ngày {today:%d/%m/%Y}."
    )
    # and the app shows it on a page (the store's own cycle log, removed afterwards)
    path = cycle.cycle_log(settings.PARQUET_DIR)
    assert not path.exists()
    cycle.open_period(2025, DEADLINE, province, "quantri", "admin")
    try:
        cycle.lock_year(2025, "quantri", "admin", confirmed=True)
        at = log_in("tinh")
        at.switch_page("../pages/tong_quan.py")
        at.run()
        assert f"Số liệu năm 2025: 0/60 đơn vị đã duyệt. Số liệu chốt ngày {today:%d/%m/%Y}." in [
            c.value for c in at.caption
        ]
    finally:
        shutil.rmtree(path.parent)


def test_the_board_lists_who_to_remind_and_exports(shared_period):
    a, b = shared_period
    cycle.submit(2026, a, "quantri", "admin")
    at = log_in("tinh")
    assert at.dataframe[0].value.shape[0] == 60
    at.toggle(key="cycle_remind").set_value(True).run()
    shown = at.dataframe[0].value
    assert shown.shape[0] == 59 and a not in shown["Mã"].to_list() and b in shown["Mã"].to_list()
    assert {w.label for w in at.get("download_button")} >= {"Tải CSV", "Tải Excel"}


def test_the_committee_page_refuses_another_units_return(shared_period, province):
    from tests.fixtures import BRANCHES, COMMITTEE, HEADS, return_bytes

    a, b = shared_period
    k = (2025, b)
    other = return_bytes(province, b, 2026, BRANCHES[k], COMMITTEE[k], HEADS[k])
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input(key="login_user").input("xa")
    at.text_input(key="login_password").input("demo")
    at.form_submit_button[0].click()
    at.run()
    at.switch_page("../pages/nop_bao_cao.py")
    at.run()
    log_before = cycle.cycle_log(settings.PARQUET_DIR).read_bytes()
    snapshot_before = (settings.PARQUET_DIR / "CURRENT").read_bytes()
    at.file_uploader(key="submit_upload-0").set_value(
        [("bao-cao.xlsx", other, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"phường Nùng Trí Cao \\({b}\\), không phải của đơn vị bạn" in e.value for e in at.error), [
        d.value.to_dict() for d in at.dataframe
    ]
    assert not any(w.key == "submit_send" for w in at.button)  # no way to submit it
    assert cycle.cycle_log(settings.PARQUET_DIR).read_bytes() == log_before
    assert (settings.PARQUET_DIR / "CURRENT").read_bytes() == snapshot_before


def test_a_locked_year_is_dated_on_exports_the_bieu_and_the_documents(sample_store, tmp_path, province):
    """«Số liệu chốt ngày …» on every export of a locked year: the table exports' heading, the Biểu workbook, and
    the data line of the situation report and of the brief."""
    import io

    import openpyxl
    import polars as pl

    from dashboard import export
    from dashboard.scope import Scope
    from reports import figures, prose

    root = tmp_path / "parquet"
    shutil.copytree(sample_store, root, symlinks=True)
    assert reporting.approval_notice(2025, root) is None
    assert "chốt" not in prose.data_line(figures.situation(2025, Scope.province(), root=root).meta)
    cycle.open_period(2025, DEADLINE, province, "quantri", "admin", root=root)
    cycle.lock_year(2025, "quantri", "admin", root=root, confirmed=True)
    locked = f"Số liệu chốt ngày {dt.date.today():%d/%m/%Y}."
    notice = reporting.approval_notice(2025, root)
    assert notice.endswith(locked)

    cols = [export.Col("x", "X", "int")]
    xlsx = export.table_xlsx(pl.DataFrame({"x": [1]}), cols, "T", "toàn tỉnh", "nguồn", approval=notice)
    assert notice in [c.value for c in openpyxl.load_workbook(io.BytesIO(xlsx)).active["A"]]
    assert notice in export.table_csv(
        pl.DataFrame({"x": [1]}), cols, export.export_meta("T", "", "", False, notice)
    ).decode("utf-8-sig")
    wb = openpyxl.load_workbook(io.BytesIO(export.bieu_workbook(2025, Scope.province(), root=root)))
    assert all(locked in ws["A6"].value for ws in wb.worksheets) and len(wb.worksheets) == len(export.BIEU_SHEETS)
    assert prose.data_line(figures.situation(2025, Scope.province(), root=root).meta).endswith(
        f"{notice} {notices.sample_notice()}"
    )
    unit = province.units[0].code
    assert locked in prose.data_line(figures.brief(2025, Scope.commune(unit), unit, root=root).meta, sample=False)
