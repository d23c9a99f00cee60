"""The documents (reports/): the words and numbers of the prose, the one-page PDF brief and the Word report on the
hand-made tiny store (every figure hand-computed from tests/fixtures.py), progress as of an earlier year, who may get
which document, and the command line."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile

import polars as pl
import pytest
from docx import Document
from pypdf import PdfReader

from dashboard import data, fmt, registry
from dashboard.scope import Filters, Scope
from forms import fonts
from reports import brief, figures, prose, situation
from reports.__main__ import main
from reports.figures import AccessDenied, Ratio, TargetRow, UnknownUnit
from tests.fixtures import A, B

YEAR = 2025


def target(**kw) -> TargetRow:
    base = dict(
        target_id="T000-03",
        text="Chi bộ dùng Sổ tay",
        issuer="Ban Thường vụ Tỉnh uỷ Cao Bằng (Đề án số 03-ĐA/TU, 28/5/2026)",
        indicator_id="ehandbook",
        subgroup=None,
        direction=1,
        target_value=100.0,
        comparator=">=",
        deadline=2030,
        is_annual=False,
        latest_year=2025,
        latest=91.30734736115902,
        latest_denominator=2899,
        observed_pace=13.7,
        required_pace=1.74,
        projection=100.0,
        status="on_track",
        gap_units=252,
    )
    return TargetRow(**{**base, **kw})


def flat(text: str) -> str:
    """Extracted PDF text as one line of single spaces (a table cell's dot and a line wrap are both whitespace)."""
    return " ".join(text.split())


# ------------------------------------------------------------------------------------------------ words


def test_counts_below_ten_have_two_digits():
    assert [fmt.count(n) for n in (0, 1, 4, 9, 10, 1462, 64139, None)] == [
        "0",
        "01",
        "04",
        "09",
        "10",
        "1.462",
        "64.139",
        "—",
    ]


def test_ratio_in_words():
    assert prose.ratio(Ratio(246, 1462)) == "246/1.462 bằng 16,83%"  # 246/1462 = 16,826%
    assert prose.ratio(Ratio(3, 1462)) == "03/1.462 bằng 0,21%"  # 3/1462 = 0,205%
    assert prose.ratio(Ratio(1364, 1462)) == "1.364/1.462 bằng 93,30%"  # 93,297% rounds up (the source cut it)
    assert prose.ratio(Ratio(0, 0)) == "0/0"  # no base, no percentage


def test_change_in_points():
    assert prose.change(1.2) == "tăng 1,20 điểm %"
    assert prose.change(-0.05) == "giảm 0,05 điểm %"
    assert prose.change(0.004) == "không đổi"  # 0,004 prints as 0,00: no change in the text either
    assert prose.change(None) == "—"


def test_dates_as_party_documents_write_them():
    # days below 10 and the months 1 and 2 with a leading zero
    assert prose.date_line("Cao Bằng", dt.date(2026, 2, 5)) == "Cao Bằng, ngày 05 tháng 02 năm 2026"
    assert prose.date_line("Cao Bằng", dt.date(2026, 3, 15)) == "Cao Bằng, ngày 15 tháng 3 năm 2026"
    assert prose.date_line("Thục Phán", dt.date(2026, 12, 2)) == "Thục Phán, ngày 02 tháng 12 năm 2026"


def test_targets_and_gaps_in_words():
    t = target()
    assert prose.target_words(t) == "từ 100% trở lên đến năm 2030"
    assert prose.target_short(t) == "≥ 100% (2030)"
    assert prose.gap(t) == "cần thêm 252 chi bộ triển khai ứng dụng Sổ tay đảng viên điện tử"
    small = target(indicator_id="small_branch", direction=-1, target_value=0.0, comparator="<=", gap_units=9)
    assert prose.target_words(small) == "0% đến năm 2030"
    assert prose.gap(small) == "cần giảm 09 chi bộ xóm có dưới 3 đảng viên tại chỗ"
    annual = target(indicator_id="member_good", target_value=90.0, is_annual=True, deadline=2026, gap_units=1)
    assert prose.target_words(annual) == "từ 90% trở lên hằng năm"
    assert prose.target_short(annual) == "≥ 90% (hằng năm)"
    assert prose.gap(annual) == "cần thêm 01 đảng viên hoàn thành tốt nhiệm vụ trở lên"
    heads = target(indicator_id="heads_member", subgroup="hoi_phu_nu", gap_units=356)
    assert prose.gap(heads) == "cần thêm 356 xóm, tổ dân phố có chi hội trưởng Hội Phụ nữ là đảng viên"
    # met, or nothing missing: nothing to say
    assert prose.gap(target(status="achieved", gap_units=0)) == ""
    assert prose.gap(target(status="on_track", gap_units=0)) == ""


def test_every_indicator_has_its_wording():
    assert set(prose.WORDING) == set(registry.indicators())


# ----------------------------------------------------------------------------------------- the brief


@pytest.fixture(scope="module")
def brief_pdf(tiny_store) -> bytes:
    return brief.build(YEAR, Scope.province(), A, root=tiny_store)


def test_brief_is_one_a4_page_with_the_font_embedded(brief_pdf):
    pdf = PdfReader(io.BytesIO(brief_pdf))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)  # A4 in mm
    names = []
    for f in pdf.pages[0]["/Resources"]["/Font"].values():
        f = f.get_object()
        descriptor = f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # embedded (a subset), not referenced
        names.append(str(f["/BaseFont"]).split("+")[-1])
    assert sorted(names) == [
        "LiberationSerif",
        "LiberationSerif-Bold",
        "LiberationSerif-BoldItalic",
        "LiberationSerif-Italic",
    ]


def test_brief_text_is_the_expected_vietnamese(brief_pdf):
    text = PdfReader(io.BytesIO(brief_pdf)).pages[0].extract_text()
    assert unicodedata.is_normalized("NFC", text)
    lines = [flat(x) for x in text.splitlines()]
    today = dt.date.today()
    month = f"{today.month:02d}" if today.month < 3 else str(today.month)
    for line in (
        "TỈNH UỶ CAO BẰNG",
        "Tài liệu lưu hành nội bộ",
        f"Cao Bằng, ngày {today.day:02d} tháng {month} năm {today.year}",
        "BẢN TÓM TẮT TÌNH HÌNH TỔ CHỨC ĐẢNG NĂM 2025",
        "Đảng bộ phường Thục Phán",
        # A1, A2 (villages, A1 a border hamlet) and A3; members 11 + 3 + 22 = 36
        # A's grassroots organisation is its chi bộ cơ sở A3 (no branch under a đảng uỷ cơ sở: all are known)
        "Quy mô năm 2025: 01 tổ chức cơ sở đảng (01 chi bộ cơ sở); 03 chi bộ (trong đó 02 chi bộ xóm, tổ dân phố; 01 "
        "xóm biên giới); 36 đảng viên.",
        "1. Các chỉ tiêu chính năm 2025 so với toàn tỉnh",
        # A rated A1 tốt, A2 xs, A3 tốt: 3/3; the province adds B3 ht (B1, B2 not rated): 3/4 = 75%. Funnel n = 3,
        # p0 = 0,75: upper limit (4,5 + 3,8416 + 1,96·√6,0916)/13,6832 = 0,963 < 1 → better. 2024: A1 xs, A2 tốt,
        # A3 ht → 2/3 = 66,7%.
        "Chi bộ HTTNV trở lên 3/3 100,00% 75,00% Tốt hơn đáng kể 66,7% → 100,0%",
        # members rated 10 + 2 + 20 = 32, good 9 + 2 + 17 = 28; the province 28 + 27 (B2) + 1 (B3) = 56 of 64;
        # 2024: (8 + 3 + 14)/(9 + 4 + 17) = 25/30 = 83,3%
        "Đảng viên HTTNV trở lên 28/32 87,50% 87,50% Tương đương tỉnh 83,3% → 87,5%",
        # A2 without Internet: 1/3; the province A2, B1: 2/6; 2024 A1: 1/3
        "Chưa có Internet 1/3 33,33% 33,33% Tương đương tỉnh 33,3% → 33,3%",
        # e-handbook A1, A3 of A: 2/3; the province A1, A3, B1: 3/6 = 50%; 2024 A2, A3: 2/3
        "Dùng Sổ tay điện tử 2/3 66,67% 50,00% Tương đương tỉnh 66,7% → 66,7%",
        # villages with fewer than 3 resident members: A2 of A1, A2; the province A2, B3 of 4; 2024 A2 of 2
        "Chi bộ xóm < 3 ĐV tại chỗ 1/2 50,00% 50,00% Tương đương tỉnh 50,0% → 50,0%",
        "2. Tiến độ các mục tiêu (Đề án số 03-ĐA/TU, 28/5/2026)",
        "Trưởng xóm là đảng viên ≥ 100% (2030) 100,00% Đã đạt —",  # A1 DV, A2 DV in 2025
        "3. Sinh hoạt chi bộ năm 2025",
        "4. Ba khoảng cách cần nhiều đơn vị nhất để thu hẹp",
    ):
        assert line in lines, line
    whole = flat(text)
    # The gaps needing the most units. Monthly resolutions (T000-13, the 2025 meetings baseline): A1 only of A1–A3
    # → 1/3, two more branches; one year, no pace. Trained secretaries and deputies (T000-16): 2025 A1-BT, A1-PBT,
    # A3-BT of 5 = 60%, 2024 also 3 of 5: no progress (limited); gap ceil((100 − 60)/100 · 5) = 2. Then the 1-unit
    # gaps by target id: working rules (T000-01), A1 and A3 of 3.
    assert (
        "1. Cần thêm 02 chi bộ ban hành nghị quyết (kết luận) phân công đảng viên hằng tháng để đạt mục tiêu «Chi bộ "
        "ban hành nghị quyết hoặc kết luận thực hiện nhiệm vụ hằng tháng; có phân công đảng viên thực hiện» (từ 100% "
        "trở lên hằng năm); hiện đạt 33,33% (01/03 chi bộ), chưa đủ số liệu để đánh giá tốc độ." in whole
    )
    assert (
        "2. Cần thêm 02 bí thư, phó bí thư được bồi dưỡng nghiệp vụ công tác Đảng để đạt mục tiêu «Bí thư, phó bí thư "
        "chi bộ được bồi dưỡng kỹ năng, nghiệp vụ công tác Đảng, cập nhật kiến thức mới» (từ 100% trở lên đến năm "
        "2030); hiện đạt 60,00% (03/05 bí thư, phó bí thư), chuyển biến chậm." in whole
    )
    assert "3. Cần thêm 01 chi bộ ban hành quy chế làm việc để đạt mục tiêu" in whole
    assert "So với toàn tỉnh, Đảng bộ phường Thục Phán tốt hơn đáng kể ở 02 chỉ tiêu" in whole
    assert "Dữ liệu mẫu" not in whole  # the tiny store is not the sample


def test_brief_of_the_sample_says_it_is_synthetic(sample_store):
    text = flat(
        PdfReader(io.BytesIO(brief.build(YEAR, Scope.province(), A, root=sample_store))).pages[0].extract_text()
    )
    assert "Dữ liệu mẫu: số liệu dưới cấp tỉnh là giả lập" in text and "Tài liệu lưu hành nội bộ" in text


def test_every_sample_brief_fits_one_page(sample_store):
    blob = brief.zip_all(YEAR, Scope.province(), root=sample_store)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        names = z.namelist()
        pages = {n: len(PdfReader(io.BytesIO(z.read(n))).pages) for n in names}
    units = data.units(Scope.province(), root=sample_store)["unit_code"].to_list()
    assert sorted(names) == sorted(brief.file_name(YEAR, u) for u in units)  # 56 communes + 4 committees
    assert set(pages.values()) == {1}


def test_a_long_brief_shrinks_to_one_page(tiny_store):
    c = brief.content(figures.brief(YEAR, Scope.province(), A, root=tiny_store))
    c["gaps"] = [c["gaps"][0] * 3] * 3  # three very long sentences
    assert len(PdfReader(io.BytesIO(brief.render(c))).pages) == 1


def test_brief_comparison_equals_the_profile_page(tiny_store):
    b = figures.brief(YEAR, Scope.province(), A, root=tiny_store)
    page = data.unit_comparison(Filters(years=(YEAR,), units=(A,)), Scope.province(), root=tiny_store)
    assert b.comparison.sort("id").equals(page.filter(page["id"].is_in(list(figures.BRIEF_IDS))).sort("id"))


def test_unit_comparison_rows(tiny_store):
    got = data.unit_comparison(Filters(years=(YEAR,)), Scope.province(), ("ehandbook", "heads_member"), root=tiny_store)
    assert got.select("unit_code", "id", "numerator", "denominator", "value", "province", "judgement").rows() == [
        # e-handbook: A1, A3 of A; B1 of B; the province 3/6. Funnel n = 3, p0 = 0,5: limits
        # (3 + 3,8416 ∓ 1,96·√6,8416)/13,6832 = 0,125 … 0,875: both similar
        (A, "ehandbook", 2, 3, 2 / 3 * 100, 50.0, "similar"),
        (B, "ehandbook", 1, 3, 1 / 3 * 100, 50.0, "similar"),
        # village heads who are members: A1, A2 of A; none of B1, B3; the province 2/4. Funnel n = 2, p0 = 0,5:
        # limits (2 + 3,8416 ∓ 1,96·√5,8416)/11,6832 = 0,095 … 0,905: A above → better, B below → worse
        (A, "heads_member", 2, 2, 100.0, 50.0, "better"),
        (B, "heads_member", 0, 2, 0.0, 50.0, "worse"),
    ]
    assert got["judgement_label"].to_list() == [
        "Tương đương tỉnh",
        "Tương đương tỉnh",
        "Tốt hơn đáng kể",
        "Kém hơn đáng kể",
    ]


# ---------------------------------------------------------------------------------------- the report


@pytest.fixture(scope="module")
def tiny_report(tiny_store) -> str:
    doc = Document(io.BytesIO(situation.build(YEAR, Scope.province(), root=tiny_store)))
    return "\n".join(p.text for p in doc.paragraphs)


def test_report_paragraphs_of_the_tiny_store(tiny_report):
    assert (
        # 2 units, both phường; co_so A3, B2; subordinate A1, A2, B1, B3; members 11+3+22 + 6+30+2 = 74. Neither has
        # a branch under a đảng uỷ cơ sở: their grassroots organisations are their 2 chi bộ cơ sở (as the Đề án counts)
        "Năm 2025, Đảng bộ tỉnh Cao Bằng có 02 đảng bộ cấp trên trực tiếp cấp cơ sở, gồm 02 đảng bộ phường với 02 tổ "
        "chức cơ sở đảng (02 chi bộ cơ sở), 04 chi bộ trực thuộc (tổng số 06 chi bộ); tổng số đảng viên toàn Đảng bộ "
        "tỉnh là 74 đảng viên."
    ) in tiny_report
    # rated 2024: A1 xs, A2 tốt, A3 ht, B1 kht → 2/4; 2025: A1 tốt, A2 xs, A3 tốt, B3 ht → 3/4; +25 points;
    # 2025 excellent A2: 1/4, failed none: 0/4
    assert (
        "Tỉ lệ chi bộ hoàn thành tốt nhiệm vụ trở lên (trên số chi bộ được đánh giá, xếp loại): năm 2024: 02/04 bằng "
        "50,00%; năm 2025: 03/04 bằng 75,00%. Năm 2025 so với năm 2024 tăng 25,00 điểm %. Năm 2025 có 01 chi bộ hoàn "
        "thành xuất sắc nhiệm vụ (01/04 bằng 25,00%) và 0 chi bộ không hoàn thành nhiệm vụ (0/04 bằng 0,00%)."
    ) in tiny_report
    # villages with fewer than 3 resident members: A2 (A) and B3 (B) of 4
    assert "còn có 02 chi bộ xóm, tổ dân phố có dưới 3 đảng viên tại chỗ (02/04 bằng 50,00% chi bộ xóm" in tiny_report
    assert "Đảng bộ phường Thục Phán: 01 chi bộ (Chi bộ A2)" in tiny_report
    assert "Đảng bộ phường Nùng Trí Cao: 01 chi bộ (Chi bộ B3)" in tiny_report
    assert "Tài liệu lưu hành nội bộ" not in tiny_report  # it is in the page header, not the body: see below


def test_report_layout(tiny_store):
    doc = Document(io.BytesIO(situation.build(YEAR, Scope.province(), root=tiny_store)))
    body, annex = doc.sections
    assert (round(body.page_width.cm, 1), round(body.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(annex.page_width.cm, 1), round(annex.page_height.cm, 1)) == (29.7, 21.0)  # landscape annex
    assert round(body.left_margin.cm, 1) == 3.0 and round(body.right_margin.cm, 1) == 1.5
    for sec in doc.sections:  # the internal mark on every page
        assert sec.header.paragraphs[0].text == "Tài liệu lưu hành nội bộ"
    normal = doc.styles["Normal"].font
    assert (normal.name, normal.size.pt) == ("Times New Roman", 14)
    letterhead = doc.tables[0].rows[0].cells
    assert letterhead[0].paragraphs[0].text == "TỈNH UỶ CAO BẰNG"
    assert letterhead[1].paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert doc.paragraphs[0].text == "BÁO CÁO"
    # the annex: Biểu 01–07 as Word tables, and 03a (the grassroots organisations' ratings in Biểu 03's layout)
    titles = [p.text for p in doc.paragraphs if p.text.startswith("Biểu số")]
    assert titles == [f"Biểu số {n}" for n in ("01", "02", "03", "03a", "04", "05", "06", "07")]
    b01 = doc.tables[1]
    assert [c.text for c in b01.rows[1].cells[:3]] == ["1", "Chi bộ cơ sở", "2"]  # A3 and B2
    assert [c.text for c in b01.rows[-1].cells[:3]] == ["", "TỔNG CỘNG", "6"]


def test_report_of_a_commune_and_of_the_sample(sample_store):
    doc = Document(io.BytesIO(situation.build(YEAR, Scope.commune(A), root=sample_store)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "thực trạng tổ chức cơ sở đảng, đảng viên của Đảng bộ phường Thục Phán năm 2025" in text
    assert "Dữ liệu mẫu: số liệu dưới cấp tỉnh là giả lập" in text
    assert doc.sections[0].header.paragraphs[1].text == prose.SAMPLE_MARK
    assert doc.tables[0].rows[0].cells[0].paragraphs[1].text == "ĐẢNG UỶ PHƯỜNG THỤC PHÁN"
    # Biểu 03 of five years (2 + 5 × 6 columns) is too wide for a page: two tables, 2021–2023 and 2024–2025
    titles = [p.text for p in doc.paragraphs if p.text.startswith("KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHI BỘ")]
    assert titles == ["KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHI BỘ", "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHI BỘ (tiếp theo, phần 2)"]
    b03 = [t for t in doc.tables if len(t.columns) > 2 and t.rows[0].cells[2].text == "Năm 2021"][0]
    assert len(b03.columns) == 2 + 3 * 6


def test_progress_as_of_an_earlier_year_uses_no_later_data(tiny_store):
    s = figures.situation(2024, Scope.province(), A, root=tiny_store)
    t = {r.target_id: r for r in s.targets}["T000-03"]
    # e-handbook of A in 2024: A2, A3 of A1, A2, A3 → 2/3; one year only → not enough data for a pace;
    # gap ceil((100 − 66,67)/100 · 3) = 1. (In 2025 the unit has 2 years: see the brief.)
    assert (t.latest_year, round(t.latest, 2), t.latest_denominator, t.status, t.gap_units) == (
        2024,
        66.67,
        3,
        "insufficient_data",
        1,
    )
    latest = {r.target_id: r for r in figures.situation(2025, Scope.province(), A, root=tiny_store).targets}
    assert (latest["T000-03"].latest_year, latest["T000-03"].status) == (2025, "limited_progress")


def test_progress_of_the_latest_year_is_the_dashboards(sample_store):
    rows = figures.target_progress(
        figures._meta(YEAR, Scope.province(), None, sample_store), Scope.province(), sample_store
    )
    page = data.progress_for(Filters(), Scope.province(), root=sample_store).filter(pl.col("applies") == "own")
    assert [(t.target_id, t.status, t.gap_units) for t in rows] == page.sort("target_id").select(
        "target_id", "status", "gap_units"
    ).rows()


# --------------------------------------------------------------------------------------------- access


@pytest.mark.slow
def test_a_commune_gets_only_its_own_documents(tiny_store):
    own = Scope.commune(A)
    for build in (
        lambda: brief.build(YEAR, own, B, root=tiny_store),
        lambda: situation.build(YEAR, own, B, root=tiny_store),
        lambda: figures.brief(YEAR, own, B, root=tiny_store),
    ):
        with pytest.raises(AccessDenied, match="chỉ được lập tài liệu của chính đơn vị mình"):
            build()
    # no unit = its own unit
    text = "\n".join(p.text for p in Document(io.BytesIO(situation.build(YEAR, own, root=tiny_store))).paragraphs)
    assert "Đảng bộ phường Thục Phán" in text and "Nùng Trí Cao" not in text and "Chi bộ B" not in text
    # every brief of its scope: one
    with zipfile.ZipFile(io.BytesIO(brief.zip_all(YEAR, own, root=tiny_store))) as z:
        assert z.namelist() == [f"tom-tat-{A}-{YEAR}.pdf"]
        assert "Nùng Trí Cao" not in PdfReader(io.BytesIO(z.read(z.namelist()[0]))).pages[0].extract_text()
    with zipfile.ZipFile(io.BytesIO(brief.zip_all(YEAR, Scope.province(), root=tiny_store))) as z:
        assert sorted(z.namelist()) == [f"tom-tat-{A}-{YEAR}.pdf", f"tom-tat-{B}-{YEAR}.pdf"]


def test_unknown_units_are_refused_in_vietnamese(tiny_store):
    with pytest.raises(UnknownUnit, match="Không có đơn vị mã «99999»"):
        brief.build(YEAR, Scope.province(), "99999", root=tiny_store)
    with pytest.raises(UnknownUnit, match="hãy chọn đơn vị"):
        figures.brief(YEAR, Scope.province(), None, root=tiny_store)


# ------------------------------------------------------------------------------------------ command line


def run(capsys, *argv) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_writes_the_three_documents(tiny_store, tmp_path, capsys):
    root = ("--root", str(tiny_store))
    rc, out, _ = run(capsys, "situation", "--year", "2025", "-o", str(tmp_path / "r.docx"), *root)
    assert rc == 0 and out == f"Đã ghi báo cáo thực trạng năm 2025 vào {tmp_path / 'r.docx'}.\n"
    assert "Năm 2025, Đảng bộ tỉnh Cao Bằng có 02" in "\n".join(
        p.text for p in Document(tmp_path / "r.docx").paragraphs
    )
    rc, out, _ = run(capsys, "brief", "--unit", A, "--year", "2025", "-o", str(tmp_path / "b.pdf"), *root)
    assert rc == 0 and len(PdfReader(tmp_path / "b.pdf").pages) == 1
    rc, out, err = run(capsys, "briefs", "--year", "2025", "-o", str(tmp_path / "all"), *root)
    assert rc == 0 and sorted(p.name for p in (tmp_path / "all").iterdir()) == [
        f"tom-tat-{A}-2025.pdf",
        f"tom-tat-{B}-2025.pdf",
    ]
    # progress, in the order of the unit list (by name: Nùng Trí Cao, Thục Phán)
    assert err.splitlines() == [f"[1/2] tom-tat-{B}-2025.pdf", f"[2/2] tom-tat-{A}-2025.pdf"]
    assert out == f"Đã ghi 2 bản tóm tắt năm 2025 vào {tmp_path / 'all'}.\n"


def test_cli_problems_are_one_vietnamese_line(tiny_store, tmp_path, capsys, monkeypatch):
    root = ("--root", str(tiny_store))
    cases = [
        (("situation", "--year", "2019", "-o", str(tmp_path / "x.docx")), "Không có số liệu năm 2019"),
        (("brief", "--unit", "99999", "--year", "2025", "-o", str(tmp_path / "x.pdf")), "Không có đơn vị mã «99999»"),
        (
            ("brief", "--unit", B, "--year", "2025", "-o", str(tmp_path / "x.pdf"), "--scope-commune", A),
            "chỉ được lập tài liệu của chính đơn vị mình",
        ),
        (("situation", "--year", "2025", "-o", str(tmp_path / "no" / "x.docx")), "thư mục không tồn tại"),
    ]
    for argv, message in cases:
        rc, out, err = run(capsys, *argv, *root)
        assert (rc, out) == (1, "") and message in err and len(err.splitlines()) == 1, (argv, err)
    monkeypatch.setattr(fonts, "FONT_DIRS", (tmp_path,))  # no font there
    rc, out, err = run(capsys, "brief", "--unit", A, "--year", "2025", "-o", str(tmp_path / "x.pdf"), *root)
    assert rc == 1 and "chưa có phông chữ Liberation Serif" in err and "fonts-liberation2" in err
    assert not (tmp_path / "x.pdf").exists()
    with pytest.raises(SystemExit) as e:
        main(["brief", "--year", "2025", "-o", str(tmp_path / "x.pdf")])
    err = capsys.readouterr().err
    assert e.value.code == 2 and re.match(r"Lệnh không đúng \(thiếu tham số bắt buộc: --unit\)\.\nCách dùng:", err)


def test_a_font_without_vietnamese_is_not_used(tmp_path):
    # a folder whose files are not fonts, or fonts without «ặ», «ệ» … (Liberation 1.x), does not count
    for f in fonts.FILES:
        (tmp_path / f).write_bytes(b"not a font")
    with pytest.raises(fonts.FontMissing, match="apt-get install fonts-liberation2"):
        fonts.font_dir((tmp_path,))
    old = fonts.FONT_DIRS[1] / fonts.FILES[0]  # bookworm's fonts-liberation 1.07, when installed
    if old.exists() and "1.07" in open(old, "rb").read().decode("latin-1"):
        assert not fonts._covers(old)
    assert fonts._covers(fonts.font_dir() / fonts.FILES[0])
