"""The 2025 province situation report, generated from the calibrated sample, against the prose of the Đề án
(data/provinces/04/reference/facts.csv, source 000): every figure the data can compute appears in the report exactly as
the source prints it — «246/1.462 bằng 16,83%», «04 đảng uỷ trực thuộc» — except where the source's own percentage is
wrong (the report prints the right one), and every other fact is listed here with the reason."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import pytest
from docx import Document

from dashboard import data
from dashboard.scope import Scope
from etl.province import load_province
from reports import situation

FACTS_CSV = load_province("04").reference_dir / "facts.csv"
with FACTS_CSV.open(encoding="utf-8") as _f:
    FACTS = {r["fact_id"]: r for r in csv.DictReader(_f) if r["source_file"].startswith("000")}

# The source's way of printing: thousands with a dot, counts below ten with two digits, «bằng» before the percentage.
RATIO = "{r} bằng {p}"

# fact -> the words the report says it with; {v} the value, {r} value/denominator and {p} the percentage, each printed
# as the source prints them (from facts.csv itself, so nothing here restates a figure).
SAID = {
    "F000-001": "{v} đảng bộ cấp trên trực tiếp cấp cơ sở",
    "F000-002": "gồm {v} đảng bộ xã, phường",
    "F000-003": "{v} đảng uỷ trực thuộc (Đảng bộ: ",  # the four are named: test_the_affiliated_committees_are_named
    # the Đề án's count of grassroots organisations (§1), from the sample's sheet «Tổ chức cơ sở đảng» (issue 30)
    "F000-004": "với {v} tổ chức cơ sở đảng (",
    "F000-005": "({v} đảng bộ cơ sở, ",
    "F000-006": "đảng bộ cơ sở, {v} chi bộ cơ sở), ",
    "F000-007": "{v} chi bộ trực thuộc",
    "F000-008": "tổng số đảng viên toàn Đảng bộ tỉnh là {v} đảng viên",
    "F000-009": "gồm có {v} chi bộ thuộc loại hình cơ quan Đảng, MTTQ, tổ chức chính trị - xã hội",
    "F000-010": "{v} chi bộ thuộc loại hình cơ quan Nhà nước",
    "F000-011": "{v} chi bộ thuộc loại hình đơn vị sự nghiệp",
    "F000-014": "{v} chi bộ thuộc loại hình doanh nghiệp.",  # enterprises + cooperatives: 25 + 0
    "F000-015": "theo loại hình có {v} chi bộ xóm, tổ dân phố",
    "F000-022": "thuộc đảng bộ xã, phường có {v} chi bộ",
    "F000-023": "trong đó có {v} xóm biên giới",
    "F000-024": "trình độ chuyên môn: trung cấp " + RATIO,
    "F000-025": "cao đẳng " + RATIO,
    "F000-026": "; đại học " + RATIO,
    "F000-027": "trên đại học " + RATIO,
    "F000-028": "chưa qua đào tạo chuyên môn (kể cả sơ cấp) " + RATIO,
    "F000-029": "lý luận chính trị: trung cấp " + RATIO,
    "F000-030": "cao cấp, cử nhân " + RATIO,
    "F000-031": "sơ cấp hoặc chưa qua đào tạo lý luận chính trị " + RATIO,
    "F000-032": "đã được bồi dưỡng " + RATIO,
    "F000-033": "chưa được bồi dưỡng " + RATIO,
    "F000-034": "kiêm trưởng ban công tác Mặt trận " + RATIO,
    "F000-035": "kiêm trưởng xóm, tổ trưởng tổ dân phố " + RATIO,
    "F000-036": "kiêm nhiệm các chức danh khác " + RATIO,
    "F000-037": "trưởng xóm, tổ trưởng tổ dân phố " + RATIO,
    "F000-038": "trưởng ban công tác Mặt trận " + RATIO,
    "F000-040": "chi hội trưởng Hội Phụ nữ " + RATIO,
    "F000-041": "chi hội trưởng Hội Cựu chiến binh " + RATIO,
    "F000-042": "bí thư chi đoàn thanh niên " + RATIO,
    "F000-043": "còn có {v} chi bộ xóm, tổ dân phố có dưới 3 đảng viên tại chỗ",
    **{f"F000-{n:03d}": "Đảng bộ {commune}: {v} chi bộ (" for n in range(44, 52)},
    "F000-052": "còn {v} chi bộ chưa triển khai ứng dụng Sổ tay đảng viên điện tử",
    "F000-053": "không ổn định " + RATIO,
    "F000-054": "(trong đó có {v} chi bộ xóm, tổ dân phố",
    "F000-055": "; {v} chi bộ thuộc loại hình đơn vị sự nghiệp;",
    "F000-056": "; {v} chi bộ thuộc loại hình doanh nghiệp)",
    "F000-057": "chưa có mạng Internet " + RATIO,
}

# The source's percentage is not its own ratio (rec_facts, CONSISTENCY.md): the report prints the ratio, rounded.
WRONG_PERCENTAGE = {
    "F000-037": "H1: 1.364/1.462 = 93,297% is printed 93,29% (cut off); the report prints 93,30%",
    "F000-053": "D1: 368/1.946 = 18,91% is printed 18,96%; the report prints 18,91%",
}
# Same value, another way of writing it.
FORMAT = {"F000-038": "printed with one decimal (88,1%); the report writes every percentage with two: 88,10%"}

# The data cannot compute these: what the returns do not hold.
NOT_COMPUTABLE = {
    "F000-012": "army (55) and police (68) are one type in the returns and in Biểu 01 («lực lượng vũ trang»): the "
    "report prints «123 chi bộ thuộc loại hình lực lượng vũ trang» (55 + 68 = 123)",
    "F000-013": "police: see F000-012",
}

# The data computes another figure than the prose, because the prose contradicts the source's own table: the report
# prints the table's figure (what the sample reproduces), shown here with the arithmetic.
CONTRADICTED = {
    # CONSISTENCY A2: the prose splits the 2.590 subordinate branches by type unlike Biểu 01 rows 2–4.
    "F000-016": "72 chi bộ thuộc loại hình cơ quan Đảng",  # Biểu 01: 0 + 72 + 0 (prose 56)
    "F000-017": "211 chi bộ thuộc loại hình cơ quan Nhà nước",  # 0 + 200 + 11 (prose 216)
    "F000-018": "164 chi bộ thuộc loại hình lực lượng vũ trang",  # 0 + 145 + 19 (prose army 98 + police 80 = 178)
    "F000-019": "164 chi bộ thuộc loại hình lực lượng vũ trang",  # see F000-018
    "F000-020": "563 chi bộ thuộc loại hình đơn vị sự nghiệp",  # 459 + 74 + 30 (prose 581)
    "F000-021": "117 chi bộ thuộc loại hình doanh nghiệp; 01 chi bộ thuộc loại hình hợp tác xã",  # 25+92, 1 (prose 97)
    # CONSISTENCY F2, F3: Biểu 06 has more farmers' union heads than villages in Quang Hán (21 + 7 > 21) and Nùng Trí
    # Cao (26 + 5 > 30); the sample caps the non-members (−7, −1): 1.217 / (1.429 − 8) = 1.217/1.421 = 85,64%.
    "F000-039": "chi hội trưởng Hội Nông dân 1.217/1.421 bằng 85,64%",
}


def printed(x: str) -> str:
    """A count as the source prints it: 1462 -> «1.462», 4 -> «04»."""
    n = int(float(x))
    return f"{n:02d}" if 0 < n < 10 else f"{n:,}".replace(",", ".")


def percentage(fact: dict) -> str:
    """The percentage as the report must print it: the source's own, or the right one where the source is wrong."""
    if fact["fact_id"] in WRONG_PERCENTAGE or fact["fact_id"] in FORMAT:
        exact = float(fact["value"]) / float(fact["denominator"]) * 100
        return f"{exact:.2f}".replace(".", ",") + "%"
    return fact["pct_stated"].replace(".", ",") + "%"


def expected(fact: dict) -> str:
    commune = fact["subject"].split(": ", 1)[-1]
    return SAID[fact["fact_id"]].format(
        v=printed(fact["value"]),
        r=f"{printed(fact['value'])}/{printed(fact['denominator'] or '0')}",
        p=percentage(fact) if fact["pct_stated"] else "",
        commune=commune,
    )


@pytest.fixture(scope="module")
def report(sample_store) -> str:
    doc = Document(io.BytesIO(situation.build(2025, Scope.province(), root=sample_store)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert unicodedata.is_normalized("NFC", text)
    return text


def test_every_fact_of_the_source_is_accounted_for_once():
    groups = [set(SAID), set(NOT_COMPUTABLE), set(CONTRADICTED)]
    assert set().union(*groups) == set(FACTS)
    assert sum(len(g) for g in groups) == len(FACTS) == 57
    assert set(WRONG_PERCENTAGE) | set(FORMAT) <= set(SAID)


@pytest.mark.parametrize("fact_id", sorted(SAID))
def test_fact_appears_as_the_source_prints_it(report, fact_id):
    want = expected(FACTS[fact_id])
    assert want in report, want


def test_the_worked_example_of_the_issue(report):
    assert "trung cấp 246/1.462 bằng 16,83%" in report  # 246/1462 = 16,826%
    assert "trên đại học 03/1.462 bằng 0,21%" in report  # 3/1462 = 0,205%


def test_wrong_percentages_of_the_source_are_exactly_the_inconsistent_facts(sample_store, report):
    flagged = data.published_facts(root=sample_store)
    flagged = set(flagged.filter(flagged["inconsistent"] & flagged["fact_id"].str.starts_with("F000"))["fact_id"])
    assert flagged == set(WRONG_PERCENTAGE)
    # the report prints the right percentage, and the source's wrong one only in the note that says so (issue 28.5)
    assert "1.364/1.462 bằng 93,30%" in report and "bằng 93,29%" not in report
    assert "368/1.946 bằng 18,91%" in report and "bằng 18,96%" not in report
    assert "1.288/1.462 bằng 88,10%" in report


@pytest.mark.parametrize("fact_id", sorted(CONTRADICTED))
def test_contradicted_prose_figures_print_the_tables_figure(report, fact_id):
    assert CONTRADICTED[fact_id] in report
    fact = FACTS[fact_id]
    # …and not the prose's own figure in the same words
    if fact_id != "F000-039":
        prose_figure = re.sub(r"^\d+", printed(fact["value"]), CONTRADICTED[fact_id])
        assert prose_figure not in report, prose_figure


def test_the_affiliated_committees_are_named(report):
    # «04 đảng uỷ trực thuộc (Đảng bộ: các cơ quan Đảng tỉnh, Uỷ ban nhân dân tỉnh, Công an tỉnh, Quân sự tỉnh)»
    named = re.search(r"04 đảng uỷ trực thuộc \(Đảng bộ: ([^)]*)\)", report).group(1).split(", ")
    assert sorted(named) == sorted(["các cơ quan Đảng tỉnh", "Uỷ ban nhân dân tỉnh", "Công an tỉnh", "Quân sự tỉnh"])


def test_the_armed_forces_are_one_type(report):
    assert "123 chi bộ thuộc loại hình lực lượng vũ trang" in report  # 55 army + 68 police (F000-012, F000-013)


def test_small_branches_are_named_by_commune(report, sample_store):
    names = data.branches(data.Filters(years=(2025,)), Scope.province(), root=sample_store)
    small = names.filter(names["is_village"] & (names["resident_members"] < 3))
    assert small.height == 9
    for r in small.iter_rows(named=True):
        assert r["branch_name"] in report


def test_a_figure_that_differs_from_the_published_one_says_so_in_a_note(report):
    """Issue 28.5: the report prints 1.217/1.421 where the Đề án printed 1.217/1.429 (CONSISTENCY F2, F3 corrected):
    right to correct, wrong to be silent. A marked figure, and a note with the published figure and the reason."""
    marked = re.search(r"chi hội trưởng Hội Nông dân 1\.217/1\.421 bằng 85,64% \[(\d)\]", report)
    assert marked, "the corrected figure carries a note mark"
    n = marked.group(1)
    note = re.search(rf"^\[{n}\] (.*)$", report, re.M).group(1)
    assert note.startswith("Đề án 03-ĐA/TU ngày 28/5/2026 của Ban Thường vụ Tỉnh uỷ Cao Bằng ghi 1.217/1.429 (85,16%)")
    assert "Quang Hán" in note and "Nùng Trí Cao" in note  # the two cells corrected, with their reasons
    # a percentage printed otherwise than its own ratio is noted too (H1, D1)
    assert re.search(r"1\.364/1\.462 bằng 93,30% \[\d\]", report)
    assert "ghi 1.364/1.462 (93,29%); tỉ lệ in trong văn bản không đúng phép chia: 1.364/1.462 = 93,297%." in report
    assert "ghi 368/1.946 (18,96%)" in report
    # a figure printed the same (88,1% = 88,10%) has none
    assert not re.search(r"1\.288/1\.462 bằng 88,10% \[", report)


def test_a_document_does_not_print_the_stores_internal_snapshot_id(report, sample_store):
    from etl.store import current_snapshot

    assert current_snapshot(sample_store).name not in report and "bản dữ liệu" not in report
