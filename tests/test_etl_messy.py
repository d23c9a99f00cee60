"""Every kind of mess in real returns (PRODUCT §3) parses to exactly what its clean twin gives.

Each test writes a clean return with the app's template, a messy twin of it as a real file, parses both with
`parse_return` and compares the three frames; only `excel_row` (and, for an old commune name, the committee key)
may differ."""

from __future__ import annotations

import csv
import unicodedata

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from etl.annual_return import ParsedReturn, parse_return
from etl.codes import resolve
from etl.load import load_files
from etl.schema import header_aliases
from etl.settings import MAPPINGS_DIR
from etl.store import current_snapshot
from etl.text import fold, key, looks_tcvn3
from synthetic.sample import SampleBuilder
from tests import messy as m

UNIT, YEAR = "01654", 2023  # Xã Hòa An: all three sheets, several levels and types, village branches
FRAMES = ("branches", "committee", "heads")


@pytest.fixture(scope="module")
def sample(province):
    return SampleBuilder(province).build().returns()


@pytest.fixture(scope="module")
def clean(province, sample) -> bytes:
    # One branch of 1.462 members, so counts typed as text need a thousands separator.
    return m.clean_workbook(province, UNIT, YEAR, m.with_big_branch(sample[(UNIT, YEAR)]))


@pytest.fixture(scope="module")
def clean_parsed(clean, province) -> ParsedReturn:
    parsed = parse_return(clean, "sach.xlsx", province)
    assert parsed.warnings == []
    assert parsed.branches.height == len(set(parsed.branches["branch_code"])) > 50
    assert parsed.committee.height > 100 and parsed.heads.height > 20
    return parsed


@pytest.fixture(scope="module")
def book(clean) -> m.Book:
    return m.read_book(clean)


def assert_same_data(clean: ParsedReturn, messy: ParsedReturn, frames=FRAMES) -> None:
    for name in frames:
        assert_frame_equal(getattr(clean, name).drop("excel_row"), getattr(messy, name).drop("excel_row"))
    assert (messy.year, messy.unit_code) == (clean.year, clean.unit_code)


def warnings(parsed: ParsedReturn) -> list[str]:
    return [w.text() for w in parsed.warnings]


# ------------------------------------------------------------------------------------------- layout and typing

EVERYTHING = m.compose(
    m.single_row_header(0),
    m.shifted,
    m.numbering_row,
    m.section_rows,
    m.total_row(),
    m.numbers_as_text,
    m.spelled_codes,
    m.tone_placement,
    m.nfd,
)

MESSES = {
    "header_not_on_row_1": m.shifted,  # title, date line, blank rows above; table from column C
    "two_row_header_single_row_aliases_first": m.single_row_header(0),
    "two_row_header_single_row_aliases_last": m.single_row_header(-1),
    "column_numbers_under_header": m.numbering_row,
    "total_row_at_bottom": m.total_row(),
    "section_title_rows": m.section_rows,
    "numbers_as_text": m.numbers_as_text,
    "codes_spelled_by_hand": m.spelled_codes,
    "nfd_everywhere": m.nfd,
    "old_and_new_tone_placement": m.tone_placement,
    "everything_at_once": EVERYTHING,
}


@pytest.mark.parametrize("mess", MESSES)
def test_messy_twin_parses_like_clean(mess, book, clean_parsed, province):
    messy = parse_return(m.write_xlsx(MESSES[mess](book)), f"{mess}.xlsx", province)
    assert_same_data(clean_parsed, messy)
    assert warnings(messy) == []


def test_the_messes_are_really_in_the_files(book):
    """Guard against a helper that silently does nothing: look for each mess in the written cells."""

    def cells(b: m.Book, sheet: str = "Chi bộ") -> list:
        return [v for r in next(s for n, s in b.items() if unicodedata.normalize("NFC", n) == sheet).rows for v in r]

    def where(b: m.Book, value: str, sheet: str = "Chi bộ") -> tuple[int, int]:
        rows = next(s for n, s in b.items() if n == sheet).rows
        return next((i, r.index(value)) for i, r in enumerate(rows) if value in r)

    assert where(m.read_book(m.write_xlsx(m.shifted(book))), "Mã chi bộ") == (9, 3)  # row 10, column D
    single = m.read_book(m.write_xlsx(m.single_row_header(0)(book)))
    assert "Mã CB" in cells(single) and "Đánh giá, xếp loại đảng viên" not in cells(single)
    assert "(1)" in cells(m.numbering_row(book))
    assert "Tổng cộng" in cells(m.total_row()(book)) and "I. Chi bộ cơ sở" in cells(m.section_rows(book))
    assert "1.462" in cells(m.numbers_as_text(book))
    spelled = m.spelled_codes(book)
    assert {"HTXS NV", "HTXS", "  xuất   sắc ", "Hoàn thành tốt nhiệm vụ", "  httnv ", "TỐT"} <= set(cells(spelled))
    assert "x" in cells(spelled, "Cấp uỷ")
    assert any(isinstance(v, str) and v != unicodedata.normalize("NFC", v) for v in cells(m.nfd(book), "Chi bộ"))
    assert "Cấp ủy" in m.tone_placement(book) and "Cấp uỷ" in book


def test_numbers_with_thousands_separators_are_read(book, clean_parsed, province):
    messy = parse_return(m.write_xlsx(m.numbers_as_text(book)), "so.xlsx", province)
    big = messy.branches.filter(pl.col("members") == 1462)  # typed «1.462»
    assert big.height == 1 and big["excel_row"].item() == 7


def test_total_row_is_checked_and_not_loaded(book, clean_parsed, province):
    twin = m.total_row()(book)
    total_at = next(i for i, r in enumerate(twin["Chi bộ"].rows) if "Tổng cộng" in r)
    messy = parse_return(m.write_xlsx(twin), "tong.xlsx", province)
    assert messy.branches.height == clean_parsed.branches.height
    assert total_at + 1 not in messy.branches["excel_row"].to_list()


# ------------------------------------------------------------------------------------------- spellings


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("HTXS NV", "xs"),
        ("  htxsnv ", "xs"),
        ("Hoàn thành tốt nhiệm vụ", "tot"),
        ("HOÀN THÀNH  TỐT NHIỆM VỤ", "tot"),
        ("HT NV", "ht"),
        ("Không HTNV", "kht"),
        ("Không   hoàn thành nhiệm vụ", "kht"),
        (unicodedata.normalize("NFD", "Không HTNV"), "kht"),
    ],
)
def test_rating_spellings(text, code):
    assert resolve("rating", text) == code


def test_every_committed_alias_resolves_to_its_code():
    with open(MAPPINGS_DIR / "aliases.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r for r in rows if resolve(r["domain"], r["alias"]) != r["code"]] == []
    assert [r for r in rows if resolve(r["domain"], m.swap_tone_placement(r["alias"])) != r["code"]] == []


def test_every_committed_header_alias_names_its_column():
    with open(MAPPINGS_DIR / "column_aliases.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r for r in rows if header_aliases(r["sheet"]).get(key(r["alias"])) != r["column"]] == []


# ------------------------------------------------------------------------------------------- unit names


@pytest.mark.parametrize(
    ("unit", "year", "name"),
    [
        ("01654", 2025, "Hòa An"),
        ("01654", 2025, "xã Hòa An"),
        ("01654", 2023, "Đảng bộ xã Hoà An"),  # old tone placement, «Đảng bộ xã» prefix
        ("01654", 2025, "ĐẢNG UỶ XÃ HOÀ AN"),
        ("01654", 2025, unicodedata.normalize("NFD", "Xã Hòa An")),
        ("01501", 2025, "Đảng bộ xã Đàm Thủy"),  # official «Đàm Thuỷ»
        ("01414", 2025, "Xã Tông Cọt"),  # misspellings seen in real returns
        ("01366", 2024, "Cản Yên"),
        ("01726", 2025, "Đảng bộ xã Nguyễn Bình"),  # for Nguyên Bình
    ],
    ids=lambda v: fold(v).replace(" ", "_") if isinstance(v, str) else str(v),
)
def test_unit_named_without_code(unit, year, name, sample, province):
    clean = m.clean_workbook(province, unit, year, sample[(unit, year)])
    messy = parse_return(m.write_xlsx(m.unit_named(name)(m.read_book(clean))), "ten.xlsx", province)
    assert messy.via == "name" and messy.committee_key == unit and warnings(messy) == []
    assert_same_data(parse_return(clean, "sach.xlsx", province), messy)


def test_pre_2025_commune_name_is_rekeyed_through_the_crosswalk(book, clean_parsed, province):
    messy = parse_return(m.write_xlsx(m.unit_named("Xã Hồng Việt")(book)), "cu.xlsx", province)
    assert (messy.unit_code, messy.via) == (UNIT, "old_name")
    # One new unit took several old communes whole: each old commune's return is its own committee.
    assert messy.committee_key == "01654/xa hong viet" != clean_parsed.committee_key
    assert_same_data(clean_parsed, messy)
    assert warnings(messy) == [
        "Tệp «cu.xlsx», trang «Thông tin», dòng 5, cột B (Tên đảng bộ): Tên đơn vị cũ "
        "«xã Hồng Việt» được quy về Xã Hòa An (mã 01654)."
    ]


# ------------------------------------------------------------------------------------------- TCVN3

TCVN3_WARNING = "Tệp «{}»: Văn bản gõ bằng bảng mã TCVN3 (.VnTime) đã được chuyển sang Unicode."


@pytest.mark.parametrize("mess", [m.tcvn3, m.tcvn3_tabs])
def test_workbook_typed_in_tcvn3(mess, book, clean_parsed, province):
    twin = mess(book)
    assert ("Th«ng tin" in twin) is (mess is m.tcvn3_tabs)
    table = next(s for s in twin.values() if s.spec is not None and s.spec.key == "branches")
    assert "M· chi bé" in table.rows[table.header]
    messy = parse_return(m.write_xlsx(twin), "tcvn3.xlsx", province)
    assert messy.encoding == "tcvn3"
    assert_same_data(clean_parsed, messy)
    assert warnings(messy) == [TCVN3_WARNING.format("tcvn3.xlsx")]


def test_tcvn3_typed_into_the_unicode_template(book, clean_parsed, province):
    """Headers stay Unicode; what the user typed is TCVN3, including words that prove nothing on their own."""
    twin = m.tcvn3_typed(book)
    names = [r[2] for r in twin["Chi bộ"].rows[twin["Chi bộ"].first :] if r[1]]
    assert any(not looks_tcvn3(n) for n in names)  # e.g. «Chi bé xãm Co Thin»: decoded by its column
    assert {"Cã", "Kh«ng"} <= {v for r in twin["Chi bộ"].rows for v in r}  # «Có», «Không»: no proof at all
    messy = parse_return(m.write_xlsx(twin), "tcvn3.xlsx", province)
    assert messy.encoding == "tcvn3"
    assert_same_data(clean_parsed, messy)
    assert warnings(messy) == [TCVN3_WARNING.format("tcvn3.xlsx")]


def test_unicode_workbook_is_not_taken_for_tcvn3(clean_parsed):
    assert clean_parsed.encoding == "unicode"


# ------------------------------------------------------------------------------------------- file formats


@pytest.mark.parametrize("mess", [lambda b: b, EVERYTHING, m.tcvn3], ids=["clean", "everything", "tcvn3"])
def test_same_return_saved_as_xls(mess, book, clean_parsed, province):
    data = m.write_xls(mess(book))
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    assert_same_data(clean_parsed, parse_return(data, "bao_cao.xls", province))


MISSING_SHEETS = [
    "Tệp «{0}»: Không có trang «Cấp uỷ»: phần này coi như chưa báo cáo.",
    "Tệp «{0}»: Không có trang «Trưởng xóm, đoàn thể»: phần này coi như chưa báo cáo.",
]


@pytest.mark.parametrize(
    ("mess", "delimiter", "encoding"),
    [
        (lambda b: b, ",", "utf-8-sig"),
        (m.compose(m.shifted, m.numbers_as_text, m.spelled_codes, m.total_row(), m.nfd), ";", "utf-8"),
        (m.compose(m.single_row_header(-1), m.tcvn3), ",", "latin-1"),  # an 8-bit CSV from a .VnTime machine
    ],
    ids=["clean", "messy", "tcvn3"],
)
def test_same_return_saved_as_csv(mess, delimiter, encoding, book, clean_parsed, province):
    """A CSV holds the «Thông tin» lines and the «Chi bộ» table only: the other sheets count as not reported."""
    messy = parse_return(m.write_csv(mess(book), delimiter, encoding), "bao_cao.csv", province)
    assert_same_data(clean_parsed, messy, frames=("branches",))
    assert messy.committee.height == messy.heads.height == 0
    expected = [w.format("bao_cao.csv") for w in MISSING_SHEETS]
    if encoding == "latin-1":
        expected.insert(0, TCVN3_WARNING.format("bao_cao.csv"))
    assert warnings(messy) == expected


# ------------------------------------------------------------------------------------------- end to end


def _tables(root) -> dict[str, pl.DataFrame]:
    snap = current_snapshot(root)
    out = {}
    for table in ("branch_year", "committee_member", "village_head"):
        df = pl.read_parquet(snap / table / "*" / "*.parquet", hive_partitioning=True)
        out[table] = df.drop("load_id", "excel_row").sort(df.columns[:3])
    out["returns"] = (
        pl.read_parquet(snap / "returns" / "*" / "*.parquet", hive_partitioning=True)
        .select("year", "committee_key", "unit_code", "branches", "committee_members", "village_heads", "sheets")
        .sort("year")
    )
    for p in sorted(snap.glob("*.parquet")):
        out[p.stem] = pl.read_parquet(p)
    return out


@pytest.mark.slow
def test_messy_returns_load_to_the_same_parquet(sample, province, tmp_path):
    """Two clean returns into one store, their messy twins (.xlsx and .xls, unit named not coded) into another."""
    picks = [("01654", 2023, "Đảng bộ xã Hoà An"), ("01414", 2025, "Xã Tông Cọt")]
    clean, messy = [], []
    for unit, year, name in picks:
        data = m.clean_workbook(province, unit, year, sample[(unit, year)])
        clean.append((f"{year}_{unit}.xlsx", data))
        twin = m.compose(m.unit_named(name), EVERYTHING)(m.read_book(data))
        messy.append((f"{name}.xlsx", m.write_xlsx(twin)) if unit == "01654" else (f"{name}.xls", m.write_xls(twin)))
    a = load_files(clean, "test", province, root=tmp_path / "a")
    b = load_files(messy, "test", province, root=tmp_path / "b")
    assert a.ok and b.ok, b.messages()
    ta, tb = _tables(tmp_path / "a"), _tables(tmp_path / "b")
    assert ta.keys() == tb.keys() and {"branch_year", "committee_member", "village_head"} <= ta.keys()
    for table in ta:
        assert_frame_equal(ta[table], tb[table])
    assert ta["branch_year"].height == sum(len(sample[(u, y)][0]) for u, y, _ in picks)
