"""The criteria of a meeting's rating as data (issue 27.5): Cao Bằng's file (the default reading of HD 42, marked
not confirmed), the A4 score sheet made from it (PDF and Excel), a province that changes its criteria by editing the
file — the sheet and the return's level columns follow, and a return's counts are checked against its levels — and
a file that breaks a rule refused in Vietnamese."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from etl.annual_return import meetings_spec, parse_returns
from etl.criteria import DEFAULT, CriteriaError, load_criteria
from forms import score_sheet
from synthetic.sample import SampleBuilder
from tests import messy as m
from tests.fixtures import office_meetings

ROOT = Path(__file__).resolve().parent.parent
UNIT = "01366"

FIVE_LEVELS = """
confirmed = true
basis = "Quy định số 99-QĐ/TU ngày 01/12/2026 (tỉnh thử nghiệm)"
scale = 100

[[level]]
code = "xuat_sac"
name = "Xuất sắc"
min = 95
good = true

[[level]]
code = "tot"
name = "Tốt"
min = 85
good = true

[[level]]
code = "kha"
name = "Khá"
min = 70

[[level]]
code = "trung_binh"
name = "Trung bình"
min = 50

[[level]]
code = "yeu"
name = "Yếu"
min = 0

[[group]]
name = "Chuẩn bị"
items = [["Chuẩn bị nội dung", 40]]

[[group]]
name = "Tiến hành"
items = [["Đúng quy trình", 35], ["Kết luận rõ ràng", 25]]
"""


def test_cao_bang_has_the_default_levels_marked_not_confirmed(province):
    c = province.criteria
    assert c.path == ROOT / "data" / "provinces" / "04" / "meeting_criteria.toml"
    assert [(lv.name, c.range_text(lv), lv.good) for lv in c.levels] == [
        ("Tốt", "từ 90 điểm trở lên", True),
        ("Khá", "từ 70 đến dưới 90 điểm", False),
        ("Trung bình", "từ 50 đến dưới 70 điểm", False),
        ("Kém", "dưới 50 điểm", False),
    ]
    assert not c.confirmed and c.scale == 100
    assert [(g.name, g.points) for g in c.groups] == [
        ("Thời gian, thời lượng", 5),
        ("Đảng viên dự sinh hoạt", 5),
        ("Chuẩn bị sinh hoạt", 10),
        ("Tiến hành sinh hoạt", 30),
        ("Điều hành của bí thư", 10),
        ("Nguyên tắc sinh hoạt Đảng", 5),
        ("Kết quả thực hiện nghị quyết, kết luận kỳ trước", 30),
        ("Kết thúc sinh hoạt", 5),
    ]
    # a score on a threshold belongs to the level it opens
    assert [c.level_of(x).name for x in (100, 90, 89.9, 70, 69.5, 50, 49, 0)] == [
        "Tốt", "Tốt", "Khá", "Khá", "Trung bình", "Trung bình", "Kém", "Kém"
    ]  # fmt: skip
    # the province's file is a copy of the default, with its own header
    assert load_criteria(None).path == DEFAULT and load_criteria(None).levels == c.levels


def test_the_pdf_is_one_a4_page_in_vietnamese(province):
    pdf = PdfReader(io.BytesIO(score_sheet.pdf(province)))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = " ".join(pdf.pages[0].extract_text().split())
    for expected in (
        "PHIẾU CHẤM ĐIỂM CHẤT LƯỢNG SINH HOẠT CHI BỘ",
        "ĐẢNG BỘ TỈNH CAO BẰNG",
        "chưa được Tỉnh uỷ xác nhận",
        "Kết quả thực hiện nghị quyết, kết luận kỳ trước",
        "Tốt (từ 90 điểm trở lên)",
        "Kém (dưới 50 điểm)",
        "CẤP UỶ VIÊN CẤP TRÊN DỰ SINH HOẠT",
        "Tài liệu lưu hành nội bộ",
    ):
        assert expected in text, expected


def test_the_workbook_adds_up_by_formula(province):
    wb = openpyxl.load_workbook(io.BytesIO(score_sheet.xlsx(province)))
    ws = wb["Phiếu chấm điểm"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    total = cells["Tổng cộng"]
    assert ws.cell(total.row, 3).value == 100
    # the total sums the eight groups; each group sums its items
    groups = "D12,D15,D18,D22,D28,D31,D33,D36"  # the rows of the eight groups
    assert ws.cell(total.row, 4).value == f'=IF(COUNT({groups}),SUM({groups}),"")'
    assert [ws.cell(int(ref[1:]), 2).value for ref in groups.split(",")][:2] == [
        "Thời gian, thời lượng",
        "Đảng viên dự sinh hoạt",
    ]
    first = cells["Thời gian, thời lượng"]
    assert (
        ws.cell(first.row, 4).value
        == f'=IF(COUNT(D{first.row + 1}:D{first.row + 2}),SUM(D{first.row + 1}:D{first.row + 2}),"")'
    )
    assert ws.page_setup.paperSize == 9  # A4


@pytest.mark.slow  # writes PDF and Excel
def test_a_province_changes_its_criteria_by_editing_the_file(province, tmp_path):
    (tmp_path / "meeting_criteria.toml").write_text(FIVE_LEVELS, encoding="utf-8")
    load_criteria.cache_clear()
    other = replace(province, folder=tmp_path)
    other.__dict__.pop("criteria", None)
    try:
        c = other.criteria
        assert [lv.name for lv in c.levels] == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
        assert c.good_names == "Xuất sắc, Tốt" and c.confirmed
        content = score_sheet.content(other)
        assert content["unconfirmed"] == ""
        assert [r["text"] for r in content["rows"]] == [
            "Chuẩn bị", "Chuẩn bị nội dung", "Tiến hành", "Đúng quy trình", "Kết luận rõ ràng"
        ]  # fmt: skip
        assert content["levels"][:2] == ["Xuất sắc (từ 95 điểm trở lên)", "Tốt (từ 85 đến dưới 95 điểm)"]
        # the return's sheet has a column per level, and «tốt trở lên» is the first two
        headers = [col.header for col in meetings_spec(other).columns if col.key.startswith("q_level")]
        assert headers == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
        branches, committee, heads = SampleBuilder(province).build().returns()[(UNIT, 2025)]
        meetings = office_meetings(branches)
        for r in meetings:  # the office's «Tốt» split into «Xuất sắc» 2 and «Tốt» the rest
            r["q_level1"], r["q_level2"], r["q_level3"] = 2, r["q_level1"] - 2, r["q_level2"]
        meetings[0]["q_level5"] = 1  # one «Yếu» more than the meetings scored
        rows = (branches, committee, heads, meetings, {"materials_months": 12, "thematic_orientation": True})
        data = m.write_xlsx(m.read_book(m.clean_workbook(other, UNIT, 2026, rows)))
        (refused,) = parse_returns([("bc.xlsx", data)], other)
        s = meetings[0]
        assert [f.message for f in refused.findings] == [
            f"Số kỳ theo các mức xếp loại (Xuất sắc 2 + Tốt {s['q_level2']} + Khá {s['q_level3']} + Trung bình 0 + "
            f"Yếu 1 = {s['q_scored'] + 1}) khác số kỳ được chấm điểm ({s['q_scored']})."
        ]
        meetings[0]["q_level5"] = None
        data = m.write_xlsx(m.read_book(m.clean_workbook(other, UNIT, 2026, rows)))
        (parsed,) = parse_returns([("bc.xlsx", data)], other)
        assert parsed.meetings["q_good"].to_list() == [r["q_level1"] + r["q_level2"] for r in meetings]
    finally:
        load_criteria.cache_clear()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.replace("min = 0", "min = 10"), "ngưỡng điểm các mức phải giảm dần và mức cuối bắt đầu từ 0."),
        (lambda s: s.replace("min = 85", "min = 99"), "ngưỡng điểm các mức phải giảm dần và mức cuối bắt đầu từ 0."),
        (
            lambda s: s.replace('["Chuẩn bị nội dung", 40]', '["Chuẩn bị nội dung", 30]'),
            "điểm các nhóm tiêu chí cộng được 90, khác thang điểm 100.",
        ),  # fmt: skip
        (
            lambda s: s.replace('name = "Khá"\nmin = 70', 'name = "Khá"\nmin = 70\ngood = true').replace(
                'name = "Tốt"\nmin = 85\ngood = true', 'name = "Tốt"\nmin = 85'
            ),
            "các mức «tốt trở lên» (good = true) phải là các mức trên cùng.",
        ),  # fmt: skip
        (lambda s: s.replace("[[level]]", "[[level]"), "không đúng định dạng TOML"),
    ],
)
def test_a_criteria_file_that_breaks_a_rule_is_refused_in_words(tmp_path, change, message):
    (tmp_path / "meeting_criteria.toml").write_text(change(FIVE_LEVELS), encoding="utf-8")
    load_criteria.cache_clear()
    try:
        with pytest.raises(CriteriaError) as e:
            load_criteria(tmp_path)
        assert str(e.value).startswith(f"Tệp tiêu chí «{tmp_path / 'meeting_criteria.toml'}»")
        assert message in str(e.value)
    finally:
        load_criteria.cache_clear()


def test_the_command_line_writes_both(tmp_path):
    for name in ("phieu.pdf", "phieu.xlsx"):
        done = subprocess.run(
            [sys.executable, "-m", "forms", "phieu-cham-diem", "-o", str(tmp_path / name)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"Đã viết {tmp_path / name}"
    bad = subprocess.run([sys.executable, "-m", "forms", "phieu"], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.startswith("Cách dùng: python -m forms phieu-cham-diem")
