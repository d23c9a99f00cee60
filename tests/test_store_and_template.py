"""The province as configuration, the return template, and the store's load semantics (replace, lineage)."""

from __future__ import annotations

import io
import re
import zipfile

import polars as pl
import pytest
import python_calamine as pc

from etl.load import load_files
from etl.province import load_province
from etl.store import current_snapshot
from forms.prefill import template_bytes, templates_zip
from forms.template import write_return
from synthetic.sample import SampleBuilder


@pytest.fixture(scope="module")
def sample(province):
    return SampleBuilder(province).build().returns()


def _return_bytes(province, unit: str, year: int, rows) -> bytes:
    buf = io.BytesIO()
    write_return(buf, province, province.unit_by_code[unit], year, *rows, is_sample=True)
    return buf.getvalue()


def test_cao_bang_configuration(province):
    communes = [u for u in province.units if u.is_commune]
    assert province.name == "Cao Bằng" and len(communes) == 56 and len(province.units) == 60
    assert {u.kind for u in communes} == {"xã", "phường"} and sum(u.kind == "phường" for u in communes) == 3
    assert all(re.fullmatch(r"\d{5}", u.code) for u in communes)
    assert province.boundaries_path is not None and len(province.old_units) == 161


def test_a_second_province_needs_no_code():
    """Lai Châu has no folder: its communes come from vietnam-provinces, its boundaries from the national set in
    data/geo/, and names resolve."""
    lai_chau = load_province("12")
    assert lai_chau.name == "Lai Châu" and all(u.is_commune for u in lai_chau.units) and len(lai_chau.units) > 30
    assert lai_chau.boundaries_path is not None and lai_chau.boundaries_path.name == "12.geojson"
    assert lai_chau.resolve(None, "Đảng bộ xã Bình Lư", 2025).code == "03390"


@pytest.mark.parametrize(
    "name,year,code",
    [
        ("Đảng bộ xã Hoà An", 2025, "01654"),
        ("Nguyễn Bình", 2025, "01726"),
        ("Tông Cọt", 2025, "01414"),
        ("Cản Yên", 2025, "01366"),
        ("Xã Thể Dục", 2023, "01726"),
        ("Thị trấn Nước Hai", 2022, "01654"),
        ("Xã Hưng Đạo (huyện Nguyên Bình)", 2023, "01774"),
        ("Công an tỉnh", 2025, "04-CA"),
    ],
)
def test_unit_names_resolve_through_variants_and_the_crosswalk(province, name, year, code):
    assert province.resolve(None, name, year).code == code


def test_an_ambiguous_old_name_asks_for_the_code(province):
    res = province.resolve(None, "Xã Hưng Đạo", 2023)
    assert res.code is None and "ghi rõ mã đơn vị" in res.error and "Xã Tam Kim" in res.error


def test_blank_template_has_sheets_instructions_and_drop_downs(province):
    data = template_bytes(province, "01273", 2026)
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert wb.sheet_names[:5] == ["Hướng dẫn", "Thông tin", "Chi bộ", "Cấp uỷ", "Trưởng xóm, đoàn thể"]
    info = wb.get_sheet_by_name("Thông tin").to_python()
    assert ["Năm báo cáo", 2026.0] in [r[:2] for r in info] and ["Tên đảng bộ", "Phường Thục Phán"] in [
        r[:2] for r in info
    ]
    # data validation: a list for every coded column of «Chi bộ» (level, type, border, rating, internet, computer, app)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet3.xml").decode()
    assert sheet.count('type="list"') == 7 and "Danh mục" in sheet


def test_prefilled_template_lists_last_years_branches(province, sample_store):
    data = template_bytes(province, "01273", 2026, prefill=True, root=sample_store)
    rows = pc.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Chi bộ").to_python()
    codes = [r[1] for r in rows[6:] if r[1]]
    snap = current_snapshot(sample_store)
    expected = (
        pl.read_parquet(snap / "branch_year" / "year=2025" / "data.parquet")
        .filter(pl.col("unit_code") == "01273")["branch_code"]
        .sort()
        .to_list()
    )
    assert codes == expected and len(codes) > 20
    assert all(r[6] == "" for r in rows[6:] if r[1])  # identity only: no figures carried over


def test_prefilled_template_carries_last_years_committee_and_village_heads(province, sample_store):
    """Issue 26.7: «Cấp uỷ» and «Trưởng xóm, đoàn thể» were left empty every year; they are pre-filled from last
    year like «Chi bộ» (the committee corrects what changed): every member and village branch of 2025, in words."""
    from etl.codes import label

    data = template_bytes(province, "01273", 2026, prefill=True, root=sample_store)
    snap = current_snapshot(sample_store)
    stored = lambda t: pl.read_parquet(snap / t / "year=2025" / "data.parquet").filter(pl.col("unit_code") == "01273")  # noqa: E731
    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = lambda name: [r for r in book.get_sheet_by_name(name).to_python()[6:] if r[1]]  # noqa: E731

    committee = stored("committee_member")
    assert committee.height > 20
    # columns: STT, Mã cán bộ, Mã chi bộ, Chức vụ, …, Bồi dưỡng nghiệp vụ, Năm bồi dưỡng, Tin học
    got = sorted((r[1], r[2], r[3], r[6], r[8]) for r in rows("Cấp uỷ"))
    expected = sorted(
        (
            m["person_id"],
            m["branch_code"],
            label("role", m["role"]),
            label("training", "da" if m["trained"] else "chua"),
            label("it", m["it"]),
        )
        for m in committee.iter_rows(named=True)
    )
    assert got == expected

    heads = stored("village_head")
    names = dict(stored("branch_year").select("branch_code", "branch_name").iter_rows())
    assert heads.height > 10
    got = [tuple(r[1:9]) for r in rows("Trưởng xóm, đoàn thể")]
    roles = ("truong_xom", "truong_ban_ctmt", "hoi_nong_dan", "hoi_phu_nu", "hoi_ccb", "bi_thu_doan")
    expected = [
        (h["branch_code"], names[h["branch_code"]], *(label("head_status", h[k]) for k in roles))
        for h in heads.sort("branch_code").iter_rows(named=True)
    ]
    assert got == expected


@pytest.mark.slow
def test_reloading_a_return_replaces_it_and_records_lineage(province, sample, tmp_path):
    a = _return_bytes(province, "01273", 2025, sample[("01273", 2025)])
    b = _return_bytes(province, "01279", 2025, sample[("01279", 2025)])
    assert load_files([("a.xlsx", a), ("b.xlsx", b)], "t", province, root=tmp_path).ok
    first = pl.read_parquet(current_snapshot(tmp_path) / "branch_year" / "*" / "*.parquet")
    rep = load_files([("a-lan-2.xlsx", a)], "t", province, root=tmp_path)
    assert rep.ok and rep.result.replaced == 1
    snap = current_snapshot(tmp_path)
    again = pl.read_parquet(snap / "branch_year" / "*" / "*.parquet")
    assert again.height == first.height  # replaced, not doubled
    returns = pl.read_parquet(snap / "returns" / "*" / "*.parquet")
    assert sorted(returns["file_name"].to_list()) == ["a-lan-2.xlsx", "b.xlsx"]
    row = returns.filter(pl.col("file_name") == "a-lan-2.xlsx").row(0, named=True)
    import hashlib

    assert row["sha256"] == hashlib.sha256(a).hexdigest() and row["loaded_by"] == "t" and row["branches"] > 0


@pytest.mark.slow
def test_a_province_without_published_tables_loads_and_answers(tmp_path):
    """Lai Châu (no published tables, only xã Bình Lư's targets): empty reference tables keep every view working."""
    from dashboard import data
    from dashboard.scope import Filters, Scope

    lai_chau = load_province("12")
    branches = [
        {
            "branch_code": f"03390.{i:03d}",
            "branch_name": f"Chi bộ bản {i}",
            "level": "tt_cap_tren",
            "branch_type": "xom",
            "border": False,
            "members": 10,
            "resident_members": 8,
            "rating": "tot",
            "exempt": 1,
            "not_rated": 0,
            "excellent": 2,
            "good": 6,
            "completed": 1,
            "not_completed": 0,
            "admitted": 1,
            "internet": "chua_co" if i == 1 else "on_dinh",
            "computer": False,
            "ehandbook": True,
        }
        for i in (1, 2, 3, 4)
    ]
    data_bytes = _return_bytes(lai_chau, "03390", 2025, (branches, [], []))
    rep = load_files([("binh-lu.xlsx", data_bytes)], "t", lai_chau, root=tmp_path)
    assert rep.ok, rep.messages()
    df = data.indicator("internet_none", Filters(years=(2025,)), Scope.province(), by=(), root=tmp_path)
    # 1 of 4 village branches without Internet = 25%
    assert df.row(0, named=True)["numerator"] == 1 and df.row(0, named=True)["denominator"] == 4
    assert data.reconciliation(Scope.province(), root=tmp_path).is_empty()
    # the folder's targets are xã Bình Lư's (document 001), over Bình Lư (03390) alone: no published history
    progress = data.progress(Scope.province(), root=tmp_path)
    assert progress.height and set(progress["target_id"].str.slice(0, 5)) == {"T001-"}
    assert progress["published_source"].is_null().all()


def test_every_committees_return_in_one_zip(province, sample_store):
    """Issue 10.7: one file per unit of the province, each its own unit's pre-filled return."""
    import zipfile

    z = zipfile.ZipFile(io.BytesIO(templates_zip(province, 2026, root=sample_store)))
    assert sorted(z.namelist()) == sorted(f"bao-cao-{u.code}-2026.xlsx" for u in province.units)
    assert len(z.namelist()) == 60
    one = z.read("bao-cao-01279-2026.xlsx")
    alone = template_bytes(province, "01279", 2026, prefill=True, root=sample_store)
    sheet = lambda b, name: pc.CalamineWorkbook.from_filelike(io.BytesIO(b)).get_sheet_by_name(name).to_python()  # noqa: E731
    assert sheet(one, "Chi bộ") == sheet(alone, "Chi bộ") and len([r for r in sheet(one, "Chi bộ")[6:] if r[1]]) > 10
    info = sheet(one, "Thông tin")
    assert ["Tên đảng bộ", "Phường Nùng Trí Cao"] in [r[:2] for r in info]


def test_the_return_prints_one_page_wide_with_its_headers_on_every_page(province):
    """A return printed (or saved as PDF) by the office: each table sheet A4 landscape, one page wide, its column
    headers (rows 5–6) repeated, page numbers; «Thông tin» A4 one page wide. Without it a 20-column sheet was cut
    into six pages of columns."""
    import openpyxl

    from forms.template import write_return

    buf = io.BytesIO()
    write_return(buf, province, province.unit_by_code["01273"], 2026)
    wb = openpyxl.load_workbook(buf)
    tables = [ws for ws in wb.worksheets if ws.title not in ("Hướng dẫn", "Thông tin", "Danh mục")]
    assert {ws.title for ws in tables} >= {"Chi bộ", "Cấp uỷ", "Sinh hoạt chi bộ", "Tổ chức cơ sở đảng"}
    for ws in tables:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1), ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_title_rows == "$5:$6", ws.title
        assert "Trang &P/&N" in ws.oddFooter.center.text, ws.title
    info = wb["Thông tin"]
    assert info.page_setup.paperSize == 9 and info.sheet_properties.pageSetUpPr.fitToPage
