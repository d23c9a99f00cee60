"""The organisation tree of the return (issue 30): a commune's sheet «Tổ chức cơ sở đảng» (each đảng bộ cơ sở with
its own rating, each đảng bộ bộ phận with its đảng bộ) and the column «Trực thuộc» of «Chi bộ» load as typed; the
tree's mistakes are refused at their cell (a parent that does not exist, a cycle, a level that does not fit, a code
taken by a branch, a đảng bộ without branches); a return without the sheet loads as before; the office layouts
the ETL reads on «Chi bộ» are read on the new sheet too.

The return is the app's own template for Xã Cần Yên (01366) with tests/fixtures.office_tree: 18 branches (6
villages and 2 chi bộ cơ sở directly under the commune), 3 đảng bộ cơ sở, 2 đảng bộ bộ phận."""

from __future__ import annotations

import copy

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from etl.annual_return import ParsedReturn, parse_return, parse_returns
from etl.findings import ReturnRejected
from etl.schema import BRANCHES, ORGS
from tests import messy as m
from tests.fixtures import office_tree

UNIT, YEAR = "01366", 2026
SHEET = "Tổ chức cơ sở đảng"
D01, D02, D03, P01, P02 = (f"{UNIT}.{k}" for k in ("D01", "D02", "D03", "P01", "P02"))


@pytest.fixture(scope="module")
def tree():
    return office_tree(UNIT)


def workbook(province, branches, orgs, year=YEAR) -> bytes:
    return m.clean_workbook(province, UNIT, year, (branches, [], [], None, None, orgs))


def errors(province, branches, orgs, year=YEAR) -> list[str]:
    result = parse_returns([("bc.xlsx", workbook(province, branches, orgs, year))], province)[0]
    assert isinstance(result, ReturnRejected), "the return was loaded"
    return [f.text() for f in result.findings if f.severity == "error"]


def at(sheet: str, row: int, col: str, field: str) -> str:
    return f"Tệp «bc.xlsx», trang «{sheet}», dòng {row}, cột {col} ({field})"


PARENT = "Trực thuộc (mã đảng bộ)"


@pytest.fixture(scope="module")
def clean(province, tree) -> ParsedReturn:
    parsed = parse_return(workbook(province, *tree), "sach.xlsx", province)
    assert parsed.warnings == []
    return parsed


# ---------------------------------------------------------------------------------------------- as typed


def test_an_office_return_loads_its_tree_as_typed(clean, tree):
    branches, orgs = tree
    got = clean.orgs.sort("excel_row")
    assert got.select("org_code", "org_name", "org_kind", "parent_code", "org_type", "rating").with_columns(
        pl.col("org_kind", "org_type", "rating").cast(pl.String)
    ).rows() == [
        (D01, "Đảng bộ các cơ quan Đảng xã", "db_co_so", None, "dang", "tot"),
        (D02, "Đảng bộ Uỷ ban nhân dân xã", "db_co_so", None, "nha_nuoc", "xs"),
        (D03, "Đảng bộ Trường Phổ thông dân tộc bán trú", "db_co_so", None, "su_nghiep", "ht"),
        (P01, "Đảng bộ bộ phận khối Tiểu học", "db_bo_phan", D03, "su_nghiep", None),
        (P02, "Đảng bộ bộ phận khối THCS", "db_bo_phan", D03, "su_nghiep", None),
    ]
    assert got["excel_row"].to_list() == [7, 8, 9, 10, 11]
    # every branch under a đảng bộ, with the đảng bộ it names; the 8 directly under the commune have no row
    assert sorted(clean.parents.select("branch_code", "parent_code").rows()) == sorted(
        (b["branch_code"], b["parent_code"]) for b in branches if b.get("parent_code")
    )
    assert clean.parents.height == 10 and set(clean.parents["unit_code"]) == {UNIT}
    assert "orgs" in clean.sheets_present


def test_the_summary_counts_the_sheets_rows(clean):
    (summary,) = [r.text() for r in clean.rows if r.sheet == SHEET]
    # (the header: one row, merged down over the second: the sheet has no group of columns)
    assert summary == f"Tệp «sach.xlsx», trang «{SHEET}»: đọc 9 dòng — 3 dòng tiêu đề trang, 1 dòng tên cột, 5 đảng bộ."


def test_a_parent_typed_as_the_committees_own_code_is_a_blank_one(province, tree):
    branches = copy.deepcopy(tree[0])
    branches[0]["parent_code"] = UNIT  # a village branch «trực thuộc» the commune itself
    parsed = parse_return(workbook(province, branches, tree[1]), "bc.xlsx", province)
    assert branches[0]["branch_code"] not in parsed.parents["branch_code"].to_list()


# ---------------------------------------------------------------------------------------------- refused


def _changed(tree, branches=None, orgs=None):
    b, o = copy.deepcopy(tree[0]), copy.deepcopy(tree[1])
    if branches:
        branches(b)
    if orgs:
        orgs(o)
    return b, o


def test_a_parent_that_does_not_exist_is_named(province, tree):
    # the 9th branch (row 15) names a đảng bộ the sheet does not list
    b, o = _changed(tree, branches=lambda b: b[8].update(parent_code=f"{UNIT}.D09"))
    assert errors(province, b, o) == [
        f"{at('Chi bộ', 15, 'T', PARENT)}: Không có tổ chức mã «{UNIT}.D09» ở trang «{SHEET}»: ghi mã đảng bộ cơ sở "
        "mà nó trực thuộc."
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (  # a branch «trực thuộc đảng uỷ cơ sở» under a đảng bộ bộ phận
            lambda b, o: b[8].update(parent_code=P01),
            f"{at('Chi bộ', 15, 'T', PARENT)}: Chi bộ trực thuộc đảng uỷ cơ sở phải trực thuộc một đảng bộ cơ sở; "
            f"«{P01}» là đảng bộ bộ phận.",
        ),
        (  # a branch «trực thuộc đảng bộ bộ phận» under a đảng bộ cơ sở
            lambda b, o: b[13].update(parent_code=D03),
            f"{at('Chi bộ', 20, 'T', PARENT)}: Chi bộ trực thuộc đảng bộ bộ phận phải trực thuộc một đảng bộ bộ phận; "
            f"«{D03}» là đảng bộ cơ sở.",
        ),
        (  # a chi bộ cơ sở (the police's) that names a đảng bộ: its level or its parent is wrong
            lambda b, o: b[6].update(parent_code=D01),
            f"{at('Chi bộ', 13, 'T', PARENT)}: Chi bộ cơ sở trực thuộc trực tiếp đảng uỷ lập báo cáo này: để trống ô "
            f"này (đang ghi «{D01}», là đảng bộ cơ sở); nếu chi bộ thuộc đảng bộ đó thì sửa «Cấp chi bộ» cho đúng.",
        ),
        (  # a branch under a đảng uỷ cơ sở that names none
            lambda b, o: b[17].update(parent_code=None),
            f"{at('Chi bộ', 24, 'T', PARENT)}: Chi bộ trực thuộc đảng uỷ cơ sở phải ghi mã đảng bộ cơ sở mà nó trực "
            f"thuộc (trang «{SHEET}»).",
        ),
        (  # a đảng bộ bộ phận that names no đảng bộ cơ sở
            lambda b, o: o[3].update(parent_code=None),
            f"{at(SHEET, 10, 'E', PARENT)}: Đảng bộ bộ phận phải ghi mã đảng bộ cơ sở mà nó trực thuộc (trang "
            f"«{SHEET}»).",
        ),
        (  # a đảng bộ cơ sở under another one
            lambda b, o: o[1].update(parent_code=D01),
            f"{at(SHEET, 8, 'E', PARENT)}: Đảng bộ cơ sở trực thuộc trực tiếp đảng uỷ lập báo cáo này: để trống ô này "
            f"(đang ghi «{D01}», là đảng bộ cơ sở).",
        ),
    ],
    ids=[
        "branch under a đảng uỷ cơ sở hangs from a bộ phận",
        "branch under a bộ phận hangs from a đảng bộ cơ sở",
        "chi bộ cơ sở names a đảng bộ",
        "branch under a đảng uỷ cơ sở names none",
        "bộ phận names no đảng bộ cơ sở",
        "đảng bộ cơ sở under another",
    ],
)
def test_levels_that_do_not_fit_are_refused_at_their_cell(province, tree, change, expected):
    b, o = copy.deepcopy(tree[0]), copy.deepcopy(tree[1])
    change(b, o)
    assert errors(province, b, o) == [expected]


def test_a_cycle_is_refused_once_with_its_path(province, tree):
    cycle = "Một tổ chức không thể trực thuộc chính nó hay cấp dưới của nó."
    # a đảng bộ bộ phận under itself
    b, o = _changed(tree, orgs=lambda o: o[4].update(parent_code=P02))
    assert errors(province, b, o) == [f"{at(SHEET, 11, 'E', PARENT)}: Vòng lặp trực thuộc: «{P02}» → «{P02}». {cycle}"]
    # the school's đảng bộ under its own bộ phận, which is under it: one message for the two rows
    b, o = _changed(tree, orgs=lambda o: o[2].update(parent_code=P01))
    assert errors(province, b, o) == [
        f"{at(SHEET, 9, 'E', PARENT)}: Vòng lặp trực thuộc: «{D03}» → «{P01}» → «{D03}». {cycle}"
    ]


def test_a_code_taken_by_a_branch_is_refused(province, tree):
    taken = tree[0][6]["branch_code"]  # the police's chi bộ cơ sở, row 13 of «Chi bộ»

    def rename(b, o):
        o[1]["org_code"] = taken
        for x in b:
            if x.get("parent_code") == D02:
                x["parent_code"] = taken

    b, o = copy.deepcopy(tree[0]), copy.deepcopy(tree[1])
    rename(b, o)
    assert errors(province, b, o) == [
        f"{at(SHEET, 8, 'B', 'Mã tổ chức')}: Mã «{taken}» trùng với mã một chi bộ (dòng 13 trang «Chi bộ»): mỗi tổ "
        "chức đảng một mã riêng."
    ]


def test_a_dang_bo_without_a_branch_is_refused(province, tree):
    # the People's Committee's two branches typed under the party agencies' đảng bộ
    b, o = _changed(tree, branches=lambda b: [x.update(parent_code=D01) for x in b[11:13]])
    assert errors(province, b, o) == [
        f"{at(SHEET, 8, 'B', 'Mã tổ chức')}: Đảng bộ cơ sở «Đảng bộ Uỷ ban nhân dân xã» không có chi bộ nào ghi trực "
        f"thuộc nó ở trang «Chi bộ» (cột «{PARENT}»)."
    ]


def test_a_parent_without_the_sheet_is_refused(province, tree):
    # a 2025 return (no sheet in its template) whose branches name their đảng bộ: the đảng bộ are nowhere listed
    found = errors(province, tree[0], None, year=2025)
    assert len(found) == 10 and found[0] == (
        f"{at('Chi bộ', 15, 'T', PARENT)}: Chi bộ ghi trực thuộc «{D01}» nhưng báo cáo không có trang «{SHEET}» liệt kê "
        f"đảng bộ đó. Hãy thêm trang «{SHEET}» (có trong biểu mẫu tải từ hệ thống) hoặc để trống ô này."
    )


def test_the_sheet_without_the_parent_column_on_chi_bo_is_refused_once(province, tree):
    book = m.read_book(workbook(province, *tree))
    sh = m._table(book, m.BRANCHES)
    j = m._col(sh, "parent_code")
    for row in sh.rows:
        del row[j:]
    sh.merged = [r for r in sh.merged if r[0][1] < j]
    result = parse_returns([("bc.xlsx", m.write_xlsx(book))], province)[0]
    assert [f.text() for f in result.findings] == [
        f"Tệp «bc.xlsx», trang «Chi bộ»: Trang «Chi bộ» thiếu cột «{PARENT}»: khi báo cáo có trang «{SHEET}», mỗi chi "
        "bộ trực thuộc đảng uỷ cơ sở hoặc đảng bộ bộ phận phải ghi mã đảng bộ của mình."
    ]


def test_a_bad_cell_of_the_sheet_is_named(province, tree):
    b, o = _changed(tree, orgs=lambda o: o[0].update(org_kind=None))
    assert errors(province, b, o) == [f"{at(SHEET, 7, 'D', 'Loại tổ chức')}: Ô bắt buộc đang để trống."]


# ---------------------------------------------------------------------------------------------- as before


def test_a_return_without_the_sheet_loads_as_before(province, tree):
    branches = [{k: v for k, v in b.items() if k != "parent_code"} for b in tree[0]]
    data = workbook(province, branches, None, year=2025)
    parsed = parse_return(data, "2025.xlsx", province)
    assert parsed.warnings == [] and parsed.sheets_present == ("branches", "committee", "heads")
    assert parsed.orgs.height == 0 and parsed.parents.height == 0
    assert SHEET not in m.read_book(data)  # the 2025 template has no such sheet
    # the branches as ever (their levels say «trực thuộc đảng uỷ cơ sở», their đảng bộ untold)
    assert parsed.branches.height == 18 and "parent_code" not in parsed.branches.columns


def test_the_2026_template_has_the_sheet_and_the_column(province):
    import io

    from forms.template import write_return

    buf = io.BytesIO()
    write_return(buf, province, province.unit_by_code[UNIT], YEAR)
    book = m.read_book(buf.getvalue())
    assert SHEET in book
    assert book[SHEET].rows[4][:7] == [c.header for c in ORGS.columns]  # one header row, merged over two
    assert book["Chi bộ"].rows[4][-1] == PARENT  # the last column of «Chi bộ» (beside the groups' row)


# ---------------------------------------------------------------------------------------------- a đảng bộ's type

# A đảng bộ's «Loại hình» as the return offers it: codes.csv's short labels, none saying «Chi bộ».
DANG_BO_TYPES = [
    "Cơ quan Đảng, MTTQ, đoàn thể",
    "Cơ quan Nhà nước",
    "Lực lượng vũ trang",
    "Đơn vị sự nghiệp",
    "Doanh nghiệp",
    "Hợp tác xã",
    "Xóm, tổ dân phố",
]


def drop_downs(data: bytes, sheet: str) -> dict[str, list[str]]:
    """Each header of the sheet with a drop-down -> the values it offers (its range on the hidden «Danh mục»)."""
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    out = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        col = next(iter(dv.sqref.ranges)).min_col
        head = ws.cell(5, col).value or ws.cell(6, col).value
        where, cells = dv.formula1.rsplit("!", 1)
        out[head] = [c.value for (c,) in wb[where.strip("='")][cells.replace("$", "")]]
    return out


def test_the_templates_organisation_sheet_offers_a_dang_bos_type_without_chi_bo(province):
    import io

    from forms.template import write_return

    buf = io.BytesIO()
    write_return(buf, province, province.unit_by_code[UNIT], YEAR)
    lists = drop_downs(buf.getvalue(), SHEET)
    assert lists["Loại hình"] == DANG_BO_TYPES
    assert lists["Loại tổ chức"] == ["Đảng bộ cơ sở", "Đảng bộ bộ phận"]
    assert not [v for vs in lists.values() for v in vs if v.startswith("Chi bộ")]
    # the branches keep the branch wording
    assert drop_downs(buf.getvalue(), "Chi bộ")["Loại hình"][1] == "Chi bộ thuộc loại hình cơ quan Nhà nước"
    # and the instructions name the same list
    (line,) = [r[0] for r in m.read_book(buf.getvalue())["Hướng dẫn"].rows if "«Loại hình» của đảng bộ" in r[0]]
    assert "«Cơ quan Nhà nước», «Lực lượng vũ trang»" in line and "Chi bộ thuộc" not in line


@pytest.mark.parametrize(
    "wording",
    [
        {  # the templates before: the branches' labels
            "dang": "Chi bộ thuộc loại hình cơ quan Đảng, MTTQ, tổ chức chính trị - xã hội",
            "nha_nuoc": "Chi bộ thuộc loại hình cơ quan Nhà nước",
            "su_nghiep": "Chi bộ thuộc loại hình đơn vị sự nghiệp",
        },
        {"dang": "Cơ quan Đảng, MTTQ, đoàn thể", "nha_nuoc": "Cơ quan Nhà nước", "su_nghiep": "Đơn vị sự nghiệp"},
        {"dang": "Cơ quan Đảng", "nha_nuoc": "Nhà nước", "su_nghiep": "Chi bộ loại hình sự nghiệp"},  # by hand
    ],
    ids=["old long labels", "new labels", "typed by hand"],
)
def test_a_dang_bos_type_in_any_wording_loads_to_its_code(province, book, clean, wording):
    from etl.codes import resolve

    typed = copy.deepcopy(book)
    sh = m._table(typed, ORGS)
    j = m._col(sh, "org_type")
    for i in m._data_rows(sh):
        sh.rows[i][j] = wording[resolve("branch_type", sh.rows[i][j])]
    got = parse_return(m.write_xlsx(typed), "bc.xlsx", province)
    assert got.warnings == []
    assert got.orgs.sort("excel_row")["org_type"].cast(pl.String).to_list() == [
        "dang",
        "nha_nuoc",
        "su_nghiep",
        "su_nghiep",
        "su_nghiep",
    ]
    assert_frame_equal(clean.orgs, got.orgs)


def test_every_spelling_of_a_type_the_reader_took_still_resolves():
    """The one domain keeps every wording: label, short label and each alias of aliases.csv, to its code."""
    import csv

    from etl.codes import codes, resolve
    from etl.settings import MAPPINGS_DIR

    with open(MAPPINGS_DIR / "aliases.csv", encoding="utf-8", newline="") as f:
        spellings = [(r["alias"], r["code"]) for r in csv.DictReader(f) if r["domain"] == "branch_type"]
    spellings += [(s, c.code) for c in codes()["branch_type"] for s in (c.label, c.short, c.code)]
    assert len(spellings) > 40
    assert [(s, resolve("branch_type", s)) for s, _ in spellings] == spellings


# ---------------------------------------------------------------------------------------------- office layouts


ORGS_OFFICE = {
    "party header, title rows shifted, two columns at left": m.compose(m.party_header(), m.shifted),
    "one header row with other spellings": m.single_row_header(1),
    "a row of column numbers": m.numbering_row,
    "a title and «Cộng» per kind, «Tổng cộng»": m.compose(
        m.subtotals(spec=ORGS, by="org_kind", titles=True), m.grand_total(spec=ORGS)
    ),
    "numbered blank rows, notes and the signature block": m.compose(
        m.numbered_blank_rows(spec=ORGS), lambda b: m.note_lines(b, ORGS), m.signature_block()
    ),
    "codes typed by hand": m.spelled_codes,
    "NFD and the other tone placement": m.compose(m.nfd, m.tone_placement),
    "typed in TCVN3 on a .VnTime machine": m.tcvn3_tabs,
    "TCVN3 typed into the Unicode template": m.tcvn3_typed,
}


@pytest.fixture(scope="module")
def book(province, tree) -> m.Book:
    return m.read_book(workbook(province, *tree))


@pytest.mark.parametrize("mess", list(ORGS_OFFICE.values()), ids=list(ORGS_OFFICE))
def test_office_layouts_of_the_sheet_read_the_same_tree(province, book, clean, mess):
    messy = parse_returns([("bc.xlsx", m.write_xlsx(mess(book)))], province)[0]
    assert isinstance(messy, ParsedReturn), [f.text() for f in messy.findings][:5]
    assert [f for f in messy.warnings if f.rule != "tcvn3"] == []
    for frame in ("branches", "orgs", "parents"):
        got, want = getattr(messy, frame), getattr(clean, frame)
        assert_frame_equal(want.drop("excel_row", strict=False), got.drop("excel_row", strict=False))


def test_saved_as_xls_reads_the_same_tree(province, book, clean):
    messy = parse_return(m.write_xls(m.compose(m.party_header(), m.signature_block())(book)), "bc.xls", province)
    assert_frame_equal(clean.orgs.drop("excel_row"), messy.orgs.drop("excel_row"))
    assert_frame_equal(clean.parents, messy.parents)


# ---------------------------------------------------------------------------------------------- pre-filled


def _prefilled(unit: str, root) -> m.Book:
    from forms.prefill import template_bytes
    from tests.fixtures import A, B, C, province_of

    return m.read_book(template_bytes(province_of((A, B, C)), unit, YEAR, prefill=True, root=root))


def _rows(book: m.Book, spec, *keys: str) -> list[tuple]:
    sh = m._table(book, spec)
    return [tuple(sh.rows[i][m._col(sh, k)] or None for k in keys) for i in m._data_rows(sh)]


def test_a_prefilled_return_lists_last_years_tree(tree_store):
    """Tree store: commune A's 2025 return listed D1 (with its đảng bộ bộ phận P1) and D2, and named each branch's
    đảng bộ; its 2026 template has them all, the ratings left for this year."""
    from etl.codes import label
    from tests.fixtures import TREE_RETURNS, A

    book = _prefilled(A, tree_store)
    db, bp = label("org_kind", "db_co_so"), label("org_kind", "db_bo_phan")
    school, state = "Đơn vị sự nghiệp", "Cơ quan Nhà nước"  # a đảng bộ's type: no «Chi bộ thuộc loại hình …»
    assert _rows(book, ORGS, "org_code", "org_name", "org_kind", "parent_code", "org_type", "rating") == [
        (f"{A}.D1", "Đảng bộ Trường THPT", db, None, school, None),
        (f"{A}.P1", "Đảng bộ bộ phận Tổ chuyên môn", bp, f"{A}.D1", school, None),
        (f"{A}.D2", "Đảng bộ UBND xã", db, None, state, None),
    ]
    branches = next(r[2] for r in TREE_RETURNS if r[0] == A)
    assert _rows(book, BRANCHES, "branch_code", "parent_code", "rating", "members") == sorted(
        (b["branch_code"], b.get("parent_code"), None, None) for b in branches
    )


@pytest.mark.parametrize("unit", ["B", "C"])
def test_a_unit_without_a_tree_gets_no_organisation_and_none_of_anothers(tree_store, unit):
    """B has a branch under a đảng uỷ cơ sở but listed no đảng bộ, C none: no row of the sheet, no parent, and
    nothing of A's tree anywhere in the workbook."""
    from tests import fixtures

    code = getattr(fixtures, unit)
    book = _prefilled(code, tree_store)
    assert _rows(book, ORGS, "org_code") == []
    branches = _rows(book, BRANCHES, "branch_code", "parent_code")
    assert branches and {b for b, _ in branches} == {
        b["branch_code"] for r in fixtures.TREE_RETURNS if r[0] == code for b in r[2]
    }
    assert {p for _, p in branches} == {None}
    cells = {str(v) for sh in book.values() for row in sh.rows for v in row}
    assert not any(fixtures.A in v for v in cells)


def test_an_older_store_prefills_the_branches_as_before(tree_store, tmp_path):
    """A snapshot written before the tree was stored (no org_year, no branch_parent): branches, no tree."""
    import shutil

    from etl.store import current_snapshot
    from tests.fixtures import A

    root = tmp_path / "old"
    shutil.copytree(tree_store, root, symlinks=True)
    snap = current_snapshot(root)
    for table in ("org_year", "branch_parent"):
        shutil.rmtree(snap / table)
    book = _prefilled(A, root)
    assert _rows(book, ORGS, "org_code") == []
    assert [p for _, p in _rows(book, BRANCHES, "branch_code", "parent_code")] == [None] * 7


@pytest.mark.slow
def test_a_prefilled_return_filled_in_loads_with_its_tree(tree_store, tmp_path):
    """Commune A's office fills in its pre-filled 2026 return (last year's figures again, the đảng bộ's ratings,
    the meetings sheet) and touches nothing else (no «Trực thuộc» typed): the ETL loads it, its tree checked, as
    last year's tree."""
    from etl.annual_return import meetings_spec
    from etl.codes import label
    from etl.load import load_files
    from etl.schema import UNIT_FIELDS
    from etl.store import current_snapshot
    from forms.template import _cells
    from tests.fixtures import FULL_UNIT_FIELDS, TREE_ORGS, TREE_RETURNS, A, B, C, full_meetings, province_of

    province = province_of((A, B, C))
    book = _prefilled(A, tree_store)
    branches = next(r[2] for r in TREE_RETURNS if r[0] == A)
    figures = {
        BRANCHES.key: {b["branch_code"]: b for b in branches},
        ORGS.key: {o["org_code"]: o for o in TREE_ORGS},
        "meetings": {r["branch_code"]: r for r in full_meetings(branches)},
    }
    for spec in (BRANCHES, ORGS, meetings_spec(province)):
        sh = m._table(book, spec)
        key = m._col(sh, "org_code" if spec is ORGS else "branch_code")
        for i in m._data_rows(sh):
            full = _cells(spec, figures[spec.key][sh.rows[i][key]])
            sh.rows[i] = [
                v if v not in ("", None) or spec.columns[j].key == "parent_code" else full[j]
                for j, v in enumerate(sh.rows[i])
            ]
    info = m._sheet(book, "Thông tin")
    for c in UNIT_FIELDS:
        row = next(r for r in info.rows if r[0] == c.header)
        v = FULL_UNIT_FIELDS[c.key]
        row[1] = label(c.domain, "co" if v else "khong") if c.kind == "code" else v

    rep = load_files([("bc-2026.xlsx", m.write_xlsx(book))], "test", province, root=tmp_path)
    assert rep.ok, rep.messages()
    snap = current_snapshot(tmp_path)
    orgs = pl.read_parquet(snap / "org_year" / f"year={YEAR}" / "*.parquet")
    assert sorted(orgs.select("org_code", "parent_code", pl.col("rating").cast(pl.String)).rows()) == sorted(
        (o["org_code"], o.get("parent_code"), o.get("rating")) for o in TREE_ORGS
    )
    parents = pl.read_parquet(snap / "branch_parent" / f"year={YEAR}" / "*.parquet")
    assert sorted(parents.select("branch_code", "parent_code").rows()) == sorted(
        (b["branch_code"], b["parent_code"]) for b in branches if b.get("parent_code")
    )


# ---------------------------------------------------------------------------------------------- on the dashboard


def test_the_dashboards_tree_shows_a_dang_bos_type_without_chi_bo(tree_store):
    """Commune A (2025): its đảng bộ read «Đơn vị sự nghiệp», «Cơ quan Nhà nước»; in the tree its branches, the chi
    bộ cơ sở among them, keep the branch wording (as on the return's sheet «Chi bộ»); the list of its grassroots
    organisations, which says «Đảng bộ cơ sở» or «Chi bộ cơ sở» beside each, words every type alike."""
    from dashboard import data
    from dashboard.scope import Filters, Scope
    from tests.fixtures import A

    f = Filters(years=(2025,), units=(A,))
    tree = data.org_tree(f, Scope.province(), root=tree_store)
    assert sorted(tree.select("node_code", "type_label").rows()) == [
        (f"{A}.A3", "Chi bộ thuộc loại hình cơ quan Đảng, MTTQ, tổ chức chính trị - xã hội"),
        (f"{A}.D1", "Đơn vị sự nghiệp"),
        (f"{A}.D2", "Cơ quan Nhà nước"),
        (f"{A}.P1", "Đơn vị sự nghiệp"),
        (f"{A}.T1", "Chi bộ thuộc loại hình đơn vị sự nghiệp"),
        (f"{A}.T2", "Chi bộ thuộc loại hình đơn vị sự nghiệp"),
        (f"{A}.T3", "Chi bộ thuộc loại hình đơn vị sự nghiệp"),
        (f"{A}.T4", "Chi bộ thuộc loại hình cơ quan Nhà nước"),
        (f"{A}.V1", "Chi bộ xóm, tổ dân phố"),
        (f"{A}.V2", "Chi bộ xóm, tổ dân phố"),
    ]
    orgs = data.grassroots_orgs(f, Scope.province(), root=tree_store)
    assert orgs.select("org_code", "kind_label", "type_label").rows() == [
        (f"{A}.D1", "Đảng bộ cơ sở", "Đơn vị sự nghiệp"),
        (f"{A}.D2", "Đảng bộ cơ sở", "Cơ quan Nhà nước"),
        (f"{A}.A3", "Chi bộ cơ sở", "Cơ quan Đảng, MTTQ, đoàn thể"),  # its kind said beside: one wording
    ]
