"""The reconciliation with the published Biểu 01–07 on a real store that lacks the published years' returns (its first
year is 2026, or only some communes sent their 2025 return): a cell is compared only when the returns behind it are
loaded — a commune's Biểu 05/06 cell with that commune's 2025 return, a province cell with every unit's return of its
year — and any other cell says why it is not compared instead of reading 0 and showing as a new difference.

Cell counts (tests/test_reconciliation.py): Biểu 01 28, 02 358, 04 96 (the tables' year, 2025); Biểu 03 by year: 3
levels × 6 measures = 18 in 2021–2024 and 4 levels × 6 = 24 in 2025; Biểu 07 8 a year; Biểu 05 56 communes × 4,
Biểu 06 56 × 14. In all 28 + 358 + 96 + 18 × 4 + 24 + 8 × 5 + 224 + 784 = 1.626."""

from __future__ import annotations

import functools
import io

import polars as pl
import pytest

from dashboard import data
from dashboard.scope import Scope
from dashboard.ui import tables
from etl import store
from etl.load import load_files
from forms.template import write_return
from synthetic.sample import SampleBuilder
from tests.conftest import signed_in
from tests.fixtures import BRANCHES, COMMITTEE, HEADS, A, return_bytes

THUC_PHAN, NUNG_TRI_CAO, QUANG_HAN = "01273", "01279", "01456"
ALL_CELLS = 1626
PROVINCE_2025 = 28 + 358 + 96 + 24 + 8  # Biểu 01, 02, 04 and the 2025 rows of Biểu 03, 07
PROVINCE_EARLIER = 18 + 8  # a year 2021–2024: its Biểu 03 and Biểu 07 rows
UNIT_CELLS = 4 + 14  # one commune's Biểu 05 and Biểu 06 cells


def _real_store(root, files, province):
    store.create(store.REAL, province, "cli", root)
    rep = load_files(files, "t", province, root=root)
    assert rep.ok, rep.messages()
    return root


@pytest.fixture(scope="module")
def only_2026(province, tmp_path_factory):
    """A real store in its first year: phường Thục Phán's 2026 return, nothing of 2021–2025."""
    k = (2025, A)
    workbook = return_bytes(province, A, 2026, BRANCHES[k], COMMITTEE[k], HEADS[k])
    return _real_store(tmp_path_factory.mktemp("only2026") / "parquet", [("a-2026.xlsx", workbook)], province)


@pytest.fixture(scope="module")
def some_2025(province, tmp_path_factory):
    """A real store with the 2025 returns of two communes only (2 of 60 units), as their offices typed them from the
    calibrated sample; Thục Phán's office marked one village head (trưởng xóm) as not a party member where the
    published Biểu 06 counts all 60 of its village heads as members."""
    rows = SampleBuilder(province).build().returns()
    branches, committee, heads = rows[(THUC_PHAN, 2025)]
    first = next(i for i, h in enumerate(heads) if h["truong_xom"] == "dang_vien")
    heads = [{**h, "truong_xom": "khong"} if i == first else h for i, h in enumerate(heads)]
    files = []
    for unit, sheets in ((THUC_PHAN, (branches, committee, heads)), (NUNG_TRI_CAO, rows[(NUNG_TRI_CAO, 2025)])):
        buf = io.BytesIO()
        write_return(buf, province, province.unit_by_code[unit], 2025, *sheets)
        files.append((f"{unit}-2025.xlsx", buf.getvalue()))
    return _real_store(tmp_path_factory.mktemp("some2025") / "parquet", files, province)


def _why(rec: pl.DataFrame) -> dict[str, int]:
    """Cells not compared, counted by the reason the page gives."""
    left = rec.filter(pl.col("kind") == tables.NOT_COMPARED)
    return dict(left.group_by("status").len().iter_rows())


def _view(root) -> pl.DataFrame:
    """The cells as the page sorts them into kinds."""
    return tables.reconciliation_kinds(data.reconciliation(Scope.province(), root=root))


def test_a_first_year_store_compares_nothing_and_flags_nothing(only_2026):
    rec = data.reconciliation(Scope.province(), root=only_2026)
    assert rec.height == ALL_CELLS
    assert not rec["compared"].any()
    assert rec["loaded"].null_count() == rec["difference"].null_count() == ALL_CELLS
    view = _view(only_2026)
    assert set(view["kind"]) == {tables.NOT_COMPARED}
    assert _why(view) == {
        "chưa nạp báo cáo nào của năm 2025": PROVINCE_2025,  # 514
        **{f"chưa nạp báo cáo nào của năm {y}": PROVINCE_EARLIER for y in (2021, 2022, 2023, 2024)},
        "chưa nạp báo cáo năm 2025 của đơn vị": 56 * UNIT_CELLS,  # 1.008
    }
    assert PROVINCE_2025 + 4 * PROVINCE_EARLIER + 56 * UNIT_CELLS == ALL_CELLS
    assert tables.not_compared_note(view) == (
        "Đã đối chiếu 0 trên 1.626 ô số liệu đã công bố. 1.626 ô chưa đối chiếu được (không tính là chênh lệch) vì "
        "chưa nạp đủ các báo cáo làm nên số liệu đó:\n\n"
        "- 514 ô: chưa nạp báo cáo nào của năm 2025;\n"
        "- 1.008 ô: chưa nạp báo cáo năm 2025 của đơn vị;\n"
        "- 26 ô: chưa nạp báo cáo nào của năm 2024;\n"
        "- 26 ô: chưa nạp báo cáo nào của năm 2023;\n"
        "- 26 ô: chưa nạp báo cáo nào của năm 2022;\n"
        "- 26 ô: chưa nạp báo cáo nào của năm 2021."
    )


def test_a_communes_return_gets_its_own_cells_compared_and_no_other(some_2025):
    rec = data.reconciliation(Scope.province(), root=some_2025)
    assert rec.height == ALL_CELLS
    compared = rec.filter(pl.col("compared"))
    # the two communes' Biểu 05 and 06 cells, nothing else: 2 × 18 = 36
    assert compared.height == 2 * UNIT_CELLS
    assert set(compared["unit_code"]) == {THUC_PHAN, NUNG_TRI_CAO}
    assert set(compared["bieu"]) == {"bieu05", "bieu06"}
    # every other cell: no loaded figure, no difference
    left = rec.filter(~pl.col("compared"))
    assert left["loaded"].null_count() == left["difference"].null_count() == ALL_CELLS - 2 * UNIT_CELLS
    differing = compared.filter(pl.col("difference") != 0).sort("unit_code", "measure")
    assert differing.select("unit_code", "measure", "published", "loaded", "difference", "consistency_item").rows() == [
        # Thục Phán: 60 village heads members published; one typed «không»: 59 members (−1), 1 non-member (+1)
        (THUC_PHAN, "village_head_member", 60, 59, -1, None),
        (THUC_PHAN, "village_head_non_member", 0, 1, 1, None),
        # Nùng Trí Cao: F3, the documented contradiction (26 + 5 farmers' union heads > 30 villages): 4, not 5
        (NUNG_TRI_CAO, "farmers_union_head_non_member", 5, 4, -1, "F3"),
    ]
    view = _view(some_2025)
    assert view.filter(pl.col("kind") == "Mới — cần kiểm tra").height == 2  # the one real difference, two cells
    assert view.filter(pl.col("kind") == "Đã giải thích").height == 1
    assert view.filter(pl.col("kind") == "Khớp").height == 2 * UNIT_CELLS - 3
    assert _why(view) == {
        "chưa nạp đủ báo cáo năm 2025 (2/60 đơn vị)": PROVINCE_2025,
        **{f"chưa nạp báo cáo nào của năm {y}": PROVINCE_EARLIER for y in (2021, 2022, 2023, 2024)},
        "chưa nạp báo cáo năm 2025 của đơn vị": 54 * UNIT_CELLS,  # 972
    }
    # F2 (Quang Hán, not loaded) keeps its documented reason, but is not compared
    f2 = rec.filter(pl.col("consistency_item") == "F2").row(0, named=True)
    assert (f2["unit_code"], f2["compared"], f2["loaded"], f2["difference"]) == (QUANG_HAN, False, None, None)


def test_a_commune_user_sees_its_own_cells_compared_or_why_not(some_2025):
    own = data.reconciliation(Scope.commune(THUC_PHAN), root=some_2025)
    assert own.height == UNIT_CELLS and own["compared"].all()
    other = data.reconciliation(Scope.commune(QUANG_HAN), root=some_2025)
    assert other.height == UNIT_CELLS and not other["compared"].any()
    assert other["difference"].null_count() == UNIT_CELLS


def _page(monkeypatch, root):
    """The page as the province's user: the app on the session's store (the sample, for the log-in), the
    reconciliation read from `root`."""
    monkeypatch.setattr(data, "reconciliation", functools.partial(data.reconciliation, root=root))
    at = signed_in("tinh", "chat_luong")
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_on_a_first_year_store_raises_no_alarm_and_says_what_was_not_compared(
    sample_store, only_2026, monkeypatch
):
    at = _page(monkeypatch, only_2026)
    assert not [e.value for e in at.error if "chênh lệch" in e.value]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Ô số liệu đã đối chiếu"] == "0"
    assert metrics["Chênh lệch mới, cần kiểm tra"] == "0"
    info = [i.value for i in at.info if "chưa đối chiếu được" in i.value]
    assert len(info) == 1 and info[0].startswith("Đã đối chiếu 0 trên 1.626 ô số liệu đã công bố. 1.626 ô chưa")


def test_the_page_with_two_communes_flags_only_their_real_difference(sample_store, some_2025, monkeypatch):
    at = _page(monkeypatch, some_2025)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Ô số liệu đã đối chiếu"], metrics["Chênh lệch đã giải thích"]) == ("36", "1")
    assert metrics["Chênh lệch mới, cần kiểm tra"] == "2"
    assert [e.value for e in at.error if "chênh lệch" in e.value] == [
        "2 ô chênh lệch chưa có trong danh mục đã giải thích: xem các dòng «Mới»."
    ]
    info = [i.value for i in at.info if "chưa đối chiếu được" in i.value]
    assert len(info) == 1 and "1.590 ô chưa đối chiếu được" in info[0]
    assert "- 514 ô: chưa nạp đủ báo cáo năm 2025 (2/60 đơn vị);" in info[0]
