"""etl/text.py: folding for matching, NFC clean-up, TCVN3 (.VnTime) decoding and detection."""

from __future__ import annotations

import unicodedata

import pytest

from etl.excel import read_grids
from etl.text import decide_tcvn3, fold, from_tcvn3, key, looks_tcvn3, nfc, to_unicode
from tests import messy as m

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731

# Typed on a .VnTime keyboard, read back as Latin-1 code points (TCVN 5712:1993, the ABC table).
TCVN3 = {
    "Đảng bộ xã Hoà An": "§¶ng bé x· Hoµ An",
    "Hoàn thành tốt nhiệm vụ": "Hoµn thµnh tèt nhiÖm vô",
    "Chi bộ xóm Nà Rạ": "Chi bé xãm Nµ R¹",
    "Người lập biểu": "Ng\xadêi lËp biÓu",
}


def test_fold_drops_case_diacritics_and_punctuation():
    assert fold("Đảng bộ xã Hoà An") == "dang bo xa hoa an"
    assert fold("  Chi bộ   xóm Nà Rạ (số 2) ") == "chi bo xom na ra so 2"
    assert fold("ĐẢNG UỶ") == fold("Đảng ủy") == "dang uy"


def test_fold_makes_tone_placement_and_nfd_compare_equal():
    assert fold("Hoà") == fold("Hòa") == fold(NFD("Hòa")) == fold(NFD("Hoà")) == "hoa"
    assert fold("Thuỷ") == fold("Thủy") == "thuy"


def test_key_ignores_spacing():
    assert key("HTXS NV") == key("HTXSNV") == key(" htxs  nv ") == "htxsnv"
    assert key("Không HTNV") == "khonghtnv"


def test_nfc_composes_and_collapses_whitespace():
    assert nfc(NFD("  Chi  bộ\txóm\u00a0Nà Rạ ")) == "Chi bộ xóm Nà Rạ"
    assert nfc(NFD("Hoà")) == "Hoà" != "Hòa"  # tone placement is kept as typed (only matching ignores it)


@pytest.mark.parametrize("text", TCVN3)
def test_tcvn3_decodes_real_words(text):
    assert from_tcvn3(TCVN3[text]) == text
    assert looks_tcvn3(TCVN3[text]) and not looks_tcvn3(text)


@pytest.mark.parametrize("text", TCVN3)
def test_tcvn3_round_trip_through_the_test_encoder(text):
    assert m.to_tcvn3(text) == TCVN3[text]
    assert to_unicode(m.to_tcvn3(text), True) == text


def test_tcvn3_capitals_typed_in_the_upper_case_font():
    # .VnTimeH reuses the lower-case codes: a word whose plain letters are capitals is upper-case throughout.
    assert from_tcvn3("§¶NG VI£N") == "ĐẢNG VIÊN"
    assert from_tcvn3("DANH S¸CH CHI Bé") == "DANH SÁCH CHI Bộ"  # «BÉ»: one plain letter cannot tell


def test_looks_tcvn3_ignores_quote_marks_and_unicode_text():
    assert not looks_tcvn3("Trang «Chi bộ»: mỗi chi bộ một dòng.")
    assert not looks_tcvn3("Xã Hòa An")  # Latin-1 letters only, but real Vietnamese
    assert not looks_tcvn3("Cã")  # TCVN3 «Có», but «ã» is a Vietnamese letter too: proves nothing


def test_decide_tcvn3_for_a_whole_workbook():
    assert decide_tcvn3(["Chi bé xãm Nµ R¹", "Cã", "33"])
    assert not decide_tcvn3(["Chi bộ xóm Nà Rạ", "Chi bé xãm Nµ R¹"])  # mixed: only the proven cells
    assert not decide_tcvn3(["Xã Hòa An", "Có"])


def test_to_unicode_of_nfd_input():
    assert to_unicode(NFD("Đảng bộ xã Hoà An"), False) == "Đảng bộ xã Hoà An"


@pytest.fixture(scope="module")
def template_book(province) -> m.Book:
    rows = (
        [
            {
                "branch_code": "01654.001",
                "branch_name": "Chi bộ xóm Nà Rạ",
                "level": "co_so",
                "branch_type": "xom",
                "border": True,
                "members": 3,
                "resident_members": 3,
                "rating": "tot",
                "exempt": 0,
                "not_rated": 0,
                "excellent": 1,
                "good": 2,
                "completed": 0,
                "not_completed": 0,
                "admitted": 0,
                "internet": "on_dinh",
                "computer": True,
                "ehandbook": False,
            }
        ],
        [],
        [],
    )
    return m.read_book(m.clean_workbook(province, "01654", 2025, rows))


def test_read_grids_detects_a_tcvn3_workbook(template_book):
    grids, encoding = read_grids(m.write_xlsx(m.tcvn3(template_book)), "tcvn3.xlsx")
    assert encoding == "tcvn3"
    assert ["01654.001", "Chi bộ xóm Nà Rạ"] == grids["Chi bộ"].rows[6][1:3]
    assert grids["Thông tin"].rows[4][:2] == ["Tên đảng bộ", "Xã Hòa An"]


def test_read_grids_keeps_a_unicode_workbook(template_book):
    grids, encoding = read_grids(m.write_xlsx(m.nfd(template_book)), "nfd.xlsx")
    assert encoding == "unicode"
    assert ["01654.001", "Chi bộ xóm Nà Rạ"] == grids["Chi bộ"].rows[6][1:3]
    # The instructions' «…» quote marks are not TCVN3.
    assert any("«Chi bộ»" in v for r in grids["Hướng dẫn"].rows for v in r)
