"""etl/text.py's TCVN3 decoding checked against the whole code table, every character, capitals included.

TCVN 5712:1993 defines the 8-bit Vietnamese code tables; the ABC fonts offices used (.VnTime and its upper-case
twin .VnTimeH) follow its table VN3. Below is that table written out byte by byte from the standard (independently
of etl/text.py): in .VnTime each byte is the lower-case letter (and 0xA1–0xA7 the seven base capitals); .VnTimeH
draws the same bytes as capitals. Every other byte of 0xA0–0xFF is a hole of VN3 (VN1 puts the accented capitals
there, which .VnTime text never holds) and must be left as it is.

Capitals typed in .VnTimeH are told by the word's plain letters (two or more, all capitals); a word with fewer
(«BÍ», «VỤ») reads as lower case — a known limit, pinned in tests/test_text.py."""

from __future__ import annotations

import unicodedata

import pytest

from etl.text import from_tcvn3, looks_tcvn3, to_unicode
from tests import messy as m

# byte: (.VnTime, .VnTimeH)
VN3 = {
    0xA1: ("Ă", "Ă"),
    0xA2: ("Â", "Â"),
    0xA3: ("Ê", "Ê"),
    0xA4: ("Ô", "Ô"),
    0xA5: ("Ơ", "Ơ"),
    0xA6: ("Ư", "Ư"),
    0xA7: ("Đ", "Đ"),
    0xA8: ("ă", "Ă"),
    0xA9: ("â", "Â"),
    0xAA: ("ê", "Ê"),
    0xAB: ("ô", "Ô"),
    0xAC: ("ơ", "Ơ"),
    0xAD: ("ư", "Ư"),
    0xAE: ("đ", "Đ"),
    0xB5: ("à", "À"),
    0xB6: ("ả", "Ả"),
    0xB7: ("ã", "Ã"),
    0xB8: ("á", "Á"),
    0xB9: ("ạ", "Ạ"),
    0xBB: ("ằ", "Ằ"),
    0xBC: ("ẳ", "Ẳ"),
    0xBD: ("ẵ", "Ẵ"),
    0xBE: ("ắ", "Ắ"),
    0xC6: ("ặ", "Ặ"),
    0xC7: ("ầ", "Ầ"),
    0xC8: ("ẩ", "Ẩ"),
    0xC9: ("ẫ", "Ẫ"),
    0xCA: ("ấ", "Ấ"),
    0xCB: ("ậ", "Ậ"),
    0xCC: ("è", "È"),
    0xCE: ("ẻ", "Ẻ"),
    0xCF: ("ẽ", "Ẽ"),
    0xD0: ("é", "É"),
    0xD1: ("ẹ", "Ẹ"),
    0xD2: ("ề", "Ề"),
    0xD3: ("ể", "Ể"),
    0xD4: ("ễ", "Ễ"),
    0xD5: ("ế", "Ế"),
    0xD6: ("ệ", "Ệ"),
    0xD7: ("ì", "Ì"),
    0xD8: ("ỉ", "Ỉ"),
    0xDC: ("ĩ", "Ĩ"),
    0xDD: ("í", "Í"),
    0xDE: ("ị", "Ị"),
    0xDF: ("ò", "Ò"),
    0xE1: ("ỏ", "Ỏ"),
    0xE2: ("õ", "Õ"),
    0xE3: ("ó", "Ó"),
    0xE4: ("ọ", "Ọ"),
    0xE5: ("ồ", "Ồ"),
    0xE6: ("ổ", "Ổ"),
    0xE7: ("ỗ", "Ỗ"),
    0xE8: ("ố", "Ố"),
    0xE9: ("ộ", "Ộ"),
    0xEA: ("ờ", "Ờ"),
    0xEB: ("ở", "Ở"),
    0xEC: ("ỡ", "Ỡ"),
    0xED: ("ớ", "Ớ"),
    0xEE: ("ợ", "Ợ"),
    0xEF: ("ù", "Ù"),
    0xF1: ("ủ", "Ủ"),
    0xF2: ("ũ", "Ũ"),
    0xF3: ("ú", "Ú"),
    0xF4: ("ụ", "Ụ"),
    0xF5: ("ừ", "Ừ"),
    0xF6: ("ử", "Ử"),
    0xF7: ("ữ", "Ữ"),
    0xF8: ("ứ", "Ứ"),
    0xF9: ("ự", "Ự"),
    0xFA: ("ỳ", "Ỳ"),
    0xFB: ("ỷ", "Ỷ"),
    0xFC: ("ỹ", "Ỹ"),
    0xFD: ("ý", "Ý"),
    0xFE: ("ỵ", "Ỵ"),
}
HOLES = [b for b in range(0xA0, 0x100) if b not in VN3]


def typed(b: int) -> str:
    """The byte as Excel reads a .VnTime cell: the Latin-1 character of that code."""
    return bytes([b]).decode("latin-1")


def test_the_table_is_the_whole_vietnamese_alphabet():
    """67 accented lower-case letters, each once, and the 7 base capitals; .VnTimeH: the 67 capitals."""
    vowels = "aăâeêioôơuưy"
    accented = {unicodedata.normalize("NFC", v + t) for v in vowels for t in "\u0300\u0301\u0303\u0309\u0323"}
    lower = accented | set("ăâêôơưđ")
    assert len(lower) == 67 and len(VN3) == 74 and len(HOLES) == 96 - 74
    assert sorted(v for v, _ in VN3.values()) == sorted(lower | set("ĂÂÊÔƠƯĐ"))
    assert {h for _, h in VN3.values()} == {c.upper() for c in lower}


@pytest.mark.parametrize("b", VN3, ids=lambda b: f"{b:02X}")
def test_every_vntime_character(b):
    lower, upper = VN3[b]
    assert from_tcvn3(typed(b)) == lower
    assert from_tcvn3(f"x{typed(b)}y") == f"x{lower}y"  # inside a word
    # .VnTimeH: a word whose plain letters are capitals was typed in capitals throughout
    assert from_tcvn3(f"TH{typed(b)}NG") == f"TH{upper}NG"
    assert to_unicode(f"TH{typed(b)}NG", True) == f"TH{upper}NG"


@pytest.mark.parametrize("b", HOLES, ids=lambda b: f"{b:02X}")
def test_holes_of_the_table_are_left_alone(b):
    assert from_tcvn3(f"a{typed(b)}b") == f"a{typed(b)}b"


@pytest.mark.parametrize(
    ("unicode", "vntime"),
    [
        ("Đảng bộ xã Cần Yên", "§¶ng bé x· CÇn Y\xaan"),
        ("ĐẢNG CỘNG SẢN VIỆT NAM", "§¶NG CéNG S¶N VIÖT NAM"),  # .VnTimeH
        ("Độc lập - Tự do - Hạnh phúc", "§éc lËp - Tù do - H¹nh phóc"),
        ("Người lập biểu", "Ng\xadêi lËp biÓu"),
        ("THƯỜNG TRỰC", "TH¦êNG TRùC"),
        ("Ưu tiên", "¦u ti\xaan"),
        ("Ơn", "¥n"),
        ("Ăn ở", "¡n ë"),
        ("Âm", "¢m"),
        ("Ông", "¤ng"),
        ("Ê-đê", "£-®\xaa"),
        ("HOÀN THÀNH XUẤT SẮC", "HOµN THµNH XUÊT S¾C"),
    ],
)
def test_whole_phrases_both_fonts(unicode, vntime):
    assert from_tcvn3(vntime) == unicode
    assert m.to_tcvn3(unicode) == vntime  # the tests' own encoder agrees with the table


def test_every_letter_round_trips_through_the_tests_encoder():
    for b, (lower, upper) in VN3.items():
        assert m.to_tcvn3(lower) == typed(b) or lower.isupper()
        assert from_tcvn3(m.to_tcvn3(f"TH{upper}NG")) == f"TH{upper}NG"


def test_a_vntime_cell_is_recognised():
    assert looks_tcvn3("Chi bé x·m Nµ R¹") and not looks_tcvn3("Chi bộ xóm Nà Rạ")
