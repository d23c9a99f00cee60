"""The app through its entry script (AppTest): every page renders, filters set by key change the shown numbers."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")
PAGES = sorted(p.name for p in (ROOT / "pages").glob("*.py"))
ADMIN_PAGES = {"nap_du_lieu.py", "quan_tri.py"}
COMMUNE_PAGES = {"nop_bao_cao.py"}  # a committee's own user only (tests/test_access.py checks every role)


def login(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input("demo")
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"../pages/{page}")  # relative to dashboard/app.py
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


@pytest.fixture
def tinh(sample_store) -> AppTest:
    return login("tinh")


def test_every_page_is_registered_in_the_entry_script():
    app = (ROOT / "dashboard" / "app.py").read_text(encoding="utf-8")
    assert PAGES and all(f'"{p}"' in app for p in PAGES), PAGES


def test_login_is_required(sample_store):
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert [t.value for t in at.title] == ["Đăng nhập"]
    assert not at.metric and not at.dataframe


@pytest.mark.parametrize("user", ["tinh", "quantri"])
def test_every_page_renders(sample_store, user):
    at = login(user)
    for page in PAGES:
        if page in ADMIN_PAGES and user != "quantri" or page in COMMUNE_PAGES:
            continue
        goto(at, page)
        assert at.title, page


def test_overview_member_good_2024(tinh):
    tinh.selectbox(key="nam").select(2024)
    tinh.run()
    m = metric(tinh, "Đảng viên HTTNV trở lên")
    # Biểu 07, 2024: 54.581 / 56.709 = 96,2475% -> "96,25%"
    assert m.value == "96,25%"
    # change from 2023: 53.010 / 55.422 = 95,6480%; 96,2475 - 95,6480 = +0,5995 -> "+0,60 điểm %"
    assert m.delta == "+0,60 điểm %"
    assert any("54.581/56.709" in c.value for c in tinh.caption)


def test_no_change_is_measured_across_a_rating_rule_change(tinh):
    # issue 12.4: the rating rules changed in 2023 and 2025 (prg_series_breaks); a tile's change and its sparkline
    # stay within one rule. 2025: no change from 2024, no line; 2024: the change from 2023, a line of 2023–2024.
    m = metric(tinh, "Đảng viên HTTNV trở lên")
    assert m.value == "96,70%" and not m.proto.delta and not m.proto.chart_data
    note = "không so với năm 2024: cách xếp loại đổi năm 2025 theo Quy định 366-QĐ/TW (thang điểm 100)"
    assert any("56.034/57.945 · năm 2025" in c.value and note in c.value for c in tinh.caption)
    internet = metric(tinh, "Chưa có Internet")  # no rating rule in it: its change and its five years stay
    assert internet.proto.delta == "-2,68 điểm %" and len(internet.proto.chart_data) == 5
    tinh.selectbox(key="nam").select(2024)
    tinh.run()
    m = metric(tinh, "Đảng viên HTTNV trở lên")
    assert m.proto.delta == "+0,60 điểm %"
    # 53.010 / 55.422 and 54.581 / 56.709 (Biểu 07): the 2023 rule's two years
    assert [round(v, 4) for v in m.proto.chart_data] == [95.6479, 96.2475]
    assert not any("không so với năm" in c.value for c in tinh.caption)


def test_overview_village_branches_without_internet(tinh):
    tinh.multiselect(key="loai").select("xom")
    tinh.run()
    # Biểu 04, 2025, chi bộ xóm: 343 of 1.462 without Internet = 23,4610% -> "23,46%"
    assert metric(tinh, "Chưa có Internet").value == "23,46%"
    assert any("343/1.462" in c.value for c in tinh.caption)


def test_secretaries_page_village_training(tinh):
    goto(tinh, "bi_thu.py")
    tinh.multiselect(key="loai").select("xom")
    tinh.run()
    # Biểu 02, village branches: 613 of 1.462 secretaries trained = 41,9289% -> "41,93%"
    assert metric(tinh, "Bí thư được bồi dưỡng").value == "41,93%"
    # with deputies: (613 + 291) / (1.462 + 1.376) = 904 / 2.838 = 31,8534% -> "31,85%"
    assert metric(tinh, "BT, PBT được bồi dưỡng").value == "31,85%"
    # the roster lists the untrained: (1.462 - 613) + (1.376 - 291) = 849 + 1.085 = 1.934
    assert metric(tinh, "Số người cần bồi dưỡng").value == "1.934"


def test_a_link_with_an_old_indicator_id_opens_it_under_its_id_now(sample_store):
    # a link shared before the rename (registry aliases): the overview's map, ?chi_tieu=sec_trained
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["chi_tieu"] = "sec_trained"
    at.run()
    at.text_input(key="login_user").input("tinh")
    at.text_input(key="login_password").input("demo")
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="chi_tieu").value == "secretary_deputy_trained"
    assert at.query_params["chi_tieu"] == "secretary_deputy_trained"  # the link rewritten with the id now
    assert not [i.value for i in at.info if "Liên kết chọn chỉ tiêu" in i.value]  # not dropped as unknown
    # the secretaries' page, ?chi_tieu=sec_it: «Bí thư biết tin học», not the page's first indicator
    at.query_params["chi_tieu"] = "sec_it"
    goto(at, "bi_thu.py")
    assert at.session_state["chi_tieu"] == "secretary_it"
    assert at.query_params["chi_tieu"] == "secretary_it"
    assert not [i.value for i in at.info if "Liên kết chọn chỉ tiêu" in i.value]
    # an unknown id behaves as before: dropped, said, the page's first indicator
    at.query_params["chi_tieu"] = "sec_nothing"
    goto(at, "bi_thu.py")
    assert at.session_state["chi_tieu"] == "secretary_deputy_trained"
    assert [i.value for i in at.info if "Liên kết chọn chỉ tiêu" in i.value]


def test_reset_restores_the_defaults(tinh):
    tinh.selectbox(key="nam").select(2022)
    tinh.multiselect(key="loai").select("xom")
    tinh.run()
    tinh.button(key=[b.key for b in tinh.button if b.label == "Đặt lại bộ lọc"][0]).click()
    tinh.run()
    assert tinh.selectbox(key="nam").value == 2025
    assert tinh.multiselect(key="loai").value == []
    assert [t.value for t in tinh.title] == ["Tổng quan năm 2025"]


def test_drill_down_from_a_bar_to_the_branch_list(tinh):
    goto(tinh, "chi_bo.py")
    # AppTest cannot click a chart: preset the selection the click would store.
    tinh.session_state["xem"] = "01273"  # filters.DRILL, kept in the URL
    tinh.run()
    assert any(s.value == "Chi bộ của Thục Phán, năm 2025" for s in tinh.header)


def test_commune_user_sees_its_own_profile(sample_store):
    at = login("xa")
    goto(at, "ho_so_xa.py")
    assert [t.value for t in at.title] == ["Hồ sơ Phường Thục Phán"]
    # the unit filter is not offered to a commune user
    assert not [w for w in at.multiselect if w.key == "xa"]


def test_targets_page_states_status_in_words(tinh):
    goto(tinh, "muc_tieu.py")
    text = " ".join(m.value for m in tinh.markdown)
    assert re.search(r"Đúng lộ trình|Cần đẩy nhanh|Chuyển biến chậm|Đi xuống|Đã đạt", text)
    assert "T000-16" in text


def test_a_commune_without_an_open_period_is_told_what_comes_next(sample_store):
    at = goto(login("xa"), "nop_bao_cao.py")
    (info,) = [i.value for i in at.info]
    assert (
        info.startswith("Chưa có kỳ báo cáo nào được mở cho đơn vị.")
        and "quản trị viên của Tỉnh uỷ mở kỳ báo cáo" in info
    )
    assert not at.get("file_uploader")
