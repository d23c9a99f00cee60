"""Text clean-up for Vietnamese returns: Unicode normalisation, folding for matching, legacy TCVN3 decoding; the
Vietnamese number format."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from babel.numbers import get_decimal_symbol, get_group_symbol

_DECIMAL = get_decimal_symbol("vi_VN")
_TO_VI = str.maketrans({",": get_group_symbol("vi_VN"), ".": _DECIMAL})

# TCVN3 (ABC, the ".VnTime" fonts) puts Vietnamese letters on Latin-1 code points. Lowercase letters in
# alphabetical order; upper-case fonts (.VnTimeH) reuse the same codes, so only the 7 base capitals differ.
_TCVN3 = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦"
_UNICODE = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
assert len(_TCVN3) == len(_UNICODE) == 74
_TCVN3_TABLE = str.maketrans(_TCVN3, _UNICODE)
# Every letter of the Vietnamese alphabet that is not ASCII, both cases, precomposed (NFC).
VIETNAMESE_LETTERS = frozenset(_UNICODE.lower() + _UNICODE.upper())
# Code points that TCVN3 uses but that never occur in Unicode Vietnamese text (the others, such as "Ê" or "ã",
# are real Vietnamese letters too, so they cannot prove the encoding). "«" and "»" are left out: they are also
# quote marks.
_TCVN3_ONLY = set(_TCVN3) - set(_UNICODE) - set("ÊÈÉÌÒÕÓÔÝãáâèéêíìóòôõùúý«»")
_LATIN1_VI = set("àáãâèéêìíòóôõùúýÀÁÃÂÈÉÊÌÍÒÓÔÕÙÚÝ")


def vn_num(x: float, decimals: int = 0) -> str:
    """The Vietnamese number format, its one home (dashboard/fmt.py shows it, the ETL's messages use it):
    1462 → «1.462», 17239.15 with decimals=2 → «17.239,15». The separators are babel's vi_VN locale data; the
    formatting is Python's, ~20× faster than babel's for tables of thousands of cells."""
    return f"{x:,.{decimals}f}".translate(_TO_VI)


def vn_int(n: int) -> str:
    """A count in a Vietnamese message: 1.048.576 (a dot between thousands)."""
    return vn_num(n)


def vn_decimal(x: float) -> str:
    """A decimal as a Vietnamese spreadsheet or form reads it, with its decimal comma, no thousands separator and no
    trailing zeros (at most 4 places): 8.5 → «8,5», 10.0 → «10», -0.10684 → «-0,1068»."""
    return f"{round(float(x), 4):.4f}".rstrip("0").rstrip(".").replace(".", _DECIMAL)


def too_long(t: str, limit: int, where: str) -> str:
    """The message for a text longer than its limit (etl/settings.py): it quotes the start only."""
    return f"Nội dung «{t[:30]}…» dài {vn_int(len(t))} ký tự, vượt giới hạn {vn_int(limit)} ký tự của {where}."


def nfc(s: str) -> str:
    """NFC-normalise and collapse whitespace (returns come in NFD from some Mac and web tools)."""
    if s.isascii():  # most cells (codes, numbers typed as text): nothing to normalise
        return " ".join(s.split())
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


@lru_cache(maxsize=1 << 16)  # the same labels, headers and names come back in every return
def fold(s: str) -> str:
    """Lower-case, no diacritics, words separated by one space: 'Đảng bộ xã Hoà An' -> 'dang bo xa hoa an'.

    Folding makes old/new tone placement (Hoà/Hòa), NFD input and missing diacritics compare equal."""
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[^0-9a-z]+", " ", s).strip()


@lru_cache(maxsize=1 << 16)  # every header cell of every row searched for a table's header, in every return
def key(s: str) -> str:
    """`fold` without spaces, for codes and labels typed with odd spacing ('HTXS NV' -> 'htxsnv')."""
    return fold(s).replace(" ", "")


def looks_tcvn3(s: str) -> bool:
    """True if the text holds code points that only the TCVN3 encoding produces (and no Unicode Vietnamese
    letter, which TCVN3 text never has: «Chi bộ «Nà Rạ»» is Unicode with quote marks)."""
    return not s.isascii() and not _TCVN3_ONLY.isdisjoint(s) and not has_unicode_vietnamese(s)


def has_unicode_vietnamese(s: str) -> bool:
    """True if the text holds Vietnamese letters outside Latin-1 (so it is Unicode, not TCVN3)."""
    if s.isascii():
        return False
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    return any(ord(c) > 0xFF and unicodedata.category(c).startswith("L") for c in s)


def from_tcvn3(s: str) -> str:
    """Decode TCVN3 text that was read as Latin-1 code points; restore capitals typed with an upper-case font."""
    out = s.translate(_TCVN3_TABLE)
    # A word typed in .VnTimeH comes back as 'ĐảNG': its ASCII letters are capitals, its accented ones not.
    return re.sub(r"\w+", lambda m: m.group(0).upper() if _typed_in_capitals(m.group(0)) else m.group(0), out)


def _typed_in_capitals(word: str) -> bool:
    ascii_letters = [c for c in word if c.isascii() and c.isalpha()]
    return len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters)


def decide_tcvn3(texts: list[str]) -> bool:
    """Whether a whole workbook (or one table column) was typed in TCVN3: some cells prove it and none is
    Unicode Vietnamese."""
    proof = False
    for t in texts:
        if t.isascii():  # proves nothing either way
            continue
        if has_unicode_vietnamese(t):
            return False
        proof = proof or not _TCVN3_ONLY.isdisjoint(t)
    return proof


def to_unicode(s: str, whole_workbook_tcvn3: bool) -> str:
    """One cell's text as NFC Unicode; TCVN3 cells are decoded (all of them if the workbook is TCVN3)."""
    if whole_workbook_tcvn3 or looks_tcvn3(s):
        s = from_tcvn3(s)
    return nfc(s)


def when(iso: str | None) -> str:
    """An ISO time as a Vietnamese sentence says it: «2026-03-01T09:00:00» -> «09:00 ngày 01/03/2026» (an
    unreadable one: «(không rõ thời điểm)»)."""
    import datetime as dt

    try:
        t = dt.datetime.fromisoformat(iso or "")
    except ValueError:
        return "(không rõ thời điểm)"
    return f"{t:%H:%M} ngày {t:%d/%m/%Y}"


# Old-style tone placement on the second vowel of a word-final «oa», «oe», «uy» (Hoà, Thuỷ), and the new style's on
# the first (Hòa, Thủy): two spellings of one name. Not after «q» (in «Quý» the «u» belongs to «qu»).
_OLD_TONES = {
    f"{v}{m}": f"{t}{v2}"
    for v, v2, marks, firsts in (
        ("o", "a", "àáảãạ", "òóỏõọ"),
        ("o", "e", "èéẻẽẹ", "òóỏõọ"),
        ("u", "y", "ỳýỷỹỵ", "ùúủũụ"),
    )
    for m, t in zip(marks, firsts, strict=True)
}
_OLD_TONE = re.compile(r"(?<![qQ])(" + "|".join(_OLD_TONES) + r")\b")


def new_tones(s: str) -> str:
    """A name with its tone marks placed the new way: «Đàm Thuỷ» → «Đàm Thủy», «Hoà An» → «Hòa An»; every other
    letter and tone as it was (so «Lý Quốc» and «Vinh Quý» stay different names)."""
    s = unicodedata.normalize("NFC", s)
    return _OLD_TONE.sub(lambda m: _OLD_TONES[m.group(1)], s)
