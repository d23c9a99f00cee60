"""The branches' meetings in the leaders' documents: the Biểu workbook's sheet «Sinh hoạt chi bộ» and the Word report's
annex after Biểu 07 hold the meetings table (tbl_meetings, as the page «Sinh hoạt chi bộ» shows it) for a year whose
returns carry the sheet, say «chưa có số liệu» for a year before it (never zeros), and hold only a commune's own row
for a commune.

The hand-built store: the tiny store's 2025 returns and meeting rows (tests/fixtures.py, TINY_MEETINGS, whose table
lets every figure below be redone by hand) filed as 2026, and its 2024 returns (no meetings sheet), in a province of
A and B only. Per committee (members due: A1 10, A2 3, A3 20; B1 6, B2 30, B3 2):

  unit branches held/due every-month thematic forum present/due unexc scored good res assigned/due village visited
  A    3        35/36    2 (A1,A3)   2 (A1,A3) 2     342/393      2     35     33   1   32/33         2 (A1,A2) 1 (A1)
  B    3        30/30    3           2 (B2,B3) 1     402/444      2     0      0    3   38/38         2 (B1,B3) 2

  rules: A 2 (A1, A3), B 2 (B1, B2); pilots regular A 2 (A1 thường kỳ, A2 cả hai), B 3; thematic A 1 (A2), B 0;
  materials A 12 months, B 10; thematic orientation both «Có». B's 2025 baseline left the scoring blank; 2026 asks
  every cell, so B's return says 0 (and «Không» for the start-of-term documents).
  Thematic quarters due: ceil(months / 3) — B3's 6 months owe 2, and it held 2. A's resolutions: A1 only (A2 held
  11 of 12, A3 issued 11)."""

from __future__ import annotations

import io

import openpyxl
import polars as pl
import pytest
from docx import Document

from dashboard import data, db, export
from dashboard.scope import Scope
from etl.text import vn_num
from reports import situation
from tests.fixtures import BRANCHES, COMMITTEE, HEADS, TINY_MEETINGS, A, B, build_store, province_of

SHEET = "Sinh hoạt chi bộ"
HEADER_ROWS = 2  # group headings, then the columns
FIRST = 7 + HEADER_ROWS  # the first body row (0-based), under the title lines and the header
# fmt: off
HAND = {  # (A, B, total): the table above; None where nothing was reported
    "branches": (3, 3, 6), "months_held": (35, 30, 65), "months_due": (36, 30, 66), "branches_every_month": (2, 3, 5),
    "branches_thematic_quarterly": (2, 2, 4), "branches_with_forum": (2, 1, 3), "attended": (342, 402, 744),
    "attendance_due": (393, 444, 837), "absent_unexcused": (2, 2, 4), "meetings_scored": (35, 0, 35),
    "meetings_good": (33, 0, 33), "branches_resolutions": (1, 3, 4), "members_assigned": (32, 38, 70),
    "members_due": (33, 38, 71), "village_branches": (2, 2, 4), "villages_visited": (1, 2, 3),
    "branches_with_rules": (2, 2, 4), "pilots_regular": (2, 3, 5), "pilots_thematic": (1, 0, 1),
    "materials_months": (12, 10, None), "orientation_text": ("Có", "Có", None),
}
# fmt: on
COLS = list(HAND)  # the sheet's columns after TT and Đơn vị, in order


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    returns = [(u, y, BRANCHES[(y, u)], COMMITTEE[(y, u)], HEADS[(y, u)]) for u in (A, B) for y in (2024,)]
    returns += [(u, 2026, BRANCHES[(2025, u)], COMMITTEE[(2025, u)], HEADS[(2025, u)]) for u in (A, B)]
    meetings = {(2026, u): TINY_MEETINGS[(2025, u)] for u in (A, B)}
    # 2026 asks every cell: B, which copied no scoring into its 2025 baseline, scored no meeting (0, typed)
    rows, fields = meetings[(2026, B)]
    filled = {"q_scored": 0, "q_level1": 0, "q_level2": 0, "term_docs": False, "year_programme": True}
    meetings[(2026, B)] = ([{**r, **filled, "procedure_ok": True} for r in rows], fields)
    return build_store(tmp_path_factory.mktemp("bieu_meetings"), returns, province_of((A, B)), meetings=meetings)


def _sheet(xlsx: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    return wb, wb[SHEET] if SHEET in wb.sheetnames else None


def _body(ws) -> list[list]:
    """The table's rows as written: TT, Đơn vị, then the figures (empty cells as None)."""
    return [list(r) for r in ws.iter_rows(min_row=FIRST + 1, max_col=2 + len(COLS), values_only=True)]


def test_the_2026_sheet_holds_the_hand_computed_table(store):
    wb, ws = _sheet(export.bieu_workbook(2026, Scope.province(), root=store))
    assert wb.sheetnames == export.BIEU_SHEETS and wb.sheetnames[-1] == SHEET  # after Biểu 07
    assert "không phải biểu số chính thức" in ws["A2"].value and ws["A3"].value == "TÌNH HÌNH SINH HOẠT CHI BỘ"
    assert ws["A7"].value.startswith("Đơn vị có số liệu: 2/2")  # how complete: every committee of the province
    names = data.unit_names(root=store)
    rows = _body(ws)
    assert [r[:2] for r in rows] == [["1", names[A]], ["2", names[B]], ["", "Tổng cộng"]]
    for j, col in enumerate(COLS):
        assert tuple(r[2 + j] for r in rows) == HAND[col], col
    # the header: the branches reported over both header rows, then the groups over their columns
    assert ws.cell(8, 3).value == "Số chi bộ báo cáo" and "C8:C9" in ws.merged_cells
    assert ws.cell(8, 4).value == "Sinh hoạt thường kỳ" and ws.cell(9, 4).value == "Tháng có sinh hoạt"
    # printed as the other sheets: A4 landscape, one page wide, its two header rows repeated
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$8:$9"


def test_each_row_is_named_as_its_unit_whatever_order_the_view_gives(store):
    tables = dict(data.bieu_tables(Scope.province(), root=store))
    tables["tbl_meetings"] = tables["tbl_meetings"].sort("unit_code", descending=True)  # B before A
    names = data.unit_names(root=store)
    ws = _sheet(export.bieu_xlsx(tables, 2026, "Cao Bằng", "toàn tỉnh", names))[1]
    rows = _body(ws)
    assert [(r[1], r[2 + COLS.index("attended")]) for r in rows] == [
        (names[A], 342),
        (names[B], 402),
        ("Tổng cộng", 744),
    ]


def test_the_sheet_equals_the_view_and_the_pages_table(store):
    ws = _sheet(export.bieu_workbook(2026, Scope.province(), root=store))[1]
    view = db.cursor(store).sql("select * from tbl_meetings where year = 2026 order by unit_code").pl()
    page = export.meeting_rows(data.meeting_table(data.Filters(years=(2026,)), Scope.province(), root=store))
    rows = _body(ws)
    for j, col in enumerate(COLS):
        if col != "orientation_text":
            assert [r[2 + j] for r in rows[:2]] == view[col].to_list(), col
        assert [r[2 + j] for r in rows] == page[col].to_list(), col


def test_a_year_before_the_sheet_says_so_and_shows_no_figure(store):
    wb, ws = _sheet(export.bieu_workbook(2024, Scope.province(), root=store))
    assert wb.sheetnames == export.BIEU_SHEETS
    assert ws["A7"].value == "Năm 2024: chưa có số liệu (biểu sinh hoạt chi bộ áp dụng từ năm 2026)."
    cells = [v for r in ws.iter_rows(min_row=8, values_only=True) for v in r if v is not None]
    assert cells == []  # no header, no zeros
    assert ws.print_title_rows is None


def test_a_commune_workbook_holds_its_own_row_only(store):
    names = data.unit_names(root=store)
    for asked in (None, B):  # asking for another unit gives its own
        ws = _sheet(export.bieu_workbook(2026, Scope.commune(A), asked, root=store))[1]
        rows = _body(ws)
        assert [r[:2] for r in rows] == [["1", names[A]]]  # no total row: it would be its own row again
        assert tuple(rows[0][2:]) == tuple(HAND[c][0] for c in COLS)
        assert ws["A7"].value.startswith("Đơn vị có số liệu: 1/1")
        text = " ".join(str(v) for r in ws.iter_rows(values_only=True) for v in r if v is not None)
        assert names[B] not in text


def _annex_tables(doc) -> list:
    """The annex's tables whose first header cell is «TT» and whose second is «Đơn vị»: the meetings table's parts."""
    return [t for t in doc.tables if len(t.columns) > 2 and [c.text for c in t.rows[0].cells[:2]] == ["TT", "Đơn vị"]]


def test_the_report_annex_holds_the_table_after_biểu_07(store):
    doc = Document(io.BytesIO(situation.build(2026, Scope.province(), root=store)))
    texts = [p.text for p in doc.paragraphs]
    headings = [t for t in texts if t.startswith("Biểu")]
    after = headings[headings.index("Biểu số 07") + 1 :]  # the table, in as many parts as the page's width needs
    assert after and all(h.startswith("Biểu «Sinh hoạt chi bộ» (không phải biểu số chính thức") for h in after)
    assert any(t.startswith("Đơn vị có số liệu: 2/2") for t in texts)
    parts = _annex_tables(doc)
    assert len(parts) == len(after)
    names = data.unit_names(root=store)
    # the parts side by side: the row labels once, then each part's figures (after its two header rows)
    got: dict[str, list[str]] = {}
    for t in parts:
        for row in t.rows[HEADER_ROWS:]:
            cells = [c.text for c in row.cells]
            got.setdefault(cells[1], []).extend(cells[2:])
    assert list(got) == [names[A], names[B], "Tổng cộng"]

    def text(v):
        return "—" if v is None else v if isinstance(v, str) else vn_num(v)

    for i, name in enumerate(got):
        assert got[name] == [text(HAND[c][i]) for c in COLS], name


def test_the_report_of_a_year_before_the_sheet_says_so(store):
    doc = Document(io.BytesIO(situation.build(2024, Scope.province(), root=store)))
    texts = [p.text for p in doc.paragraphs]
    assert "Năm 2024: chưa có số liệu (biểu sinh hoạt chi bộ áp dụng từ năm 2026)." in texts
    assert _annex_tables(doc) == []


def test_a_communes_report_annex_holds_its_own_row(store):
    doc = Document(io.BytesIO(situation.build(2026, Scope.commune(A), root=store)))
    names = data.unit_names(root=store)
    labels = [row.cells[1].text for t in _annex_tables(doc) for row in t.rows[HEADER_ROWS:]]
    assert set(labels) == {names[A]}


def test_the_samples_2026_sheet_equals_the_view_and_2025_says_no_data(demo_store):
    ws = _sheet(export.bieu_workbook(2026, Scope.province(), root=demo_store))[1]
    view = db.cursor(demo_store).sql("select * from tbl_meetings where year = 2026 order by unit_code").pl()
    rows = _body(ws)
    assert len(rows) == view.height + 1 and rows[-1][1] == "Tổng cộng"
    names = data.unit_names(root=demo_store)
    assert [r[1] for r in rows[:-1]] == [names[c] for c in view["unit_code"]]  # each row named as its unit
    units = data.coverage(data.Filters(years=(2026,)), Scope.province(), root=demo_store).row(0, named=True)
    assert ws["A7"].value.startswith(f"Đơn vị có số liệu: {view.height}/{units['expected']}")
    for j, col in enumerate(COLS):
        if col == "orientation_text":
            continue
        assert [r[2 + j] for r in rows[:-1]] == view[col].to_list(), col
        if col != "materials_months":
            assert rows[-1][2 + j] == view[col].sum(), col
    assert "Năm 2026 là năm minh hoạ" in ws["A6"].value  # the illustrative year says so on the sheet
    ws25 = _sheet(export.bieu_workbook(2025, Scope.province(), root=demo_store))[1]
    assert ws25["A7"].value == "Năm 2025: chưa có số liệu (biểu sinh hoạt chi bộ áp dụng từ năm 2026)."


def test_a_baseline_left_blank_is_empty_not_zero(tiny_province_store):
    """The tiny store's 2025 baseline: B copied no scoring (blank), so its cells are empty in the workbook and «—» in
    the annex; the total counts A's only."""
    ws = _sheet(export.bieu_workbook(2025, Scope.province(), root=tiny_province_store))[1]
    rows = _body(ws)
    j = 2 + COLS.index("meetings_scored")
    assert [r[1] for r in rows][-1] == "Tổng cộng" and [r[j] for r in rows] == [35, None, 35]
    doc = Document(io.BytesIO(situation.build(2025, Scope.province(), root=tiny_province_store)))
    cells = {row.cells[1].text: row.cells[j].text for t in _annex_tables(doc)[:1] for row in t.rows[HEADER_ROWS:]}
    names = data.unit_names(root=tiny_province_store)
    assert (cells[names[A]], cells[names[B]], cells["Tổng cộng"]) == ("35", "—", "35")


def test_a_table_with_text_and_unreported_cells_writes_them_as_such():
    """A cell not reported is empty (never 0) in the workbook and «—» on screen and in the annex."""
    assert export.cell_text(None) == "—" and export.cell_text("Có") == "Có" and export.cell_text(1462) == "1.462"
    d = pl.DataFrame(
        {"unit_code": ["X"], "unit_name": ["X"], "thematic_orientation": [False], "meetings_scored": [None]}
    )
    assert export.meeting_rows(d)["orientation_text"].to_list() == ["Không"]
