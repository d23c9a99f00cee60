"""Plausibility of a return's year: a year that has not come yet is refused, and so is a year outside the reporting
periods the province has opened (`allowed_years`, passed by whoever opens them; None means no restriction)."""

from __future__ import annotations

import datetime as dt

import pytest

import etl.load
from etl.annual_return import parse_returns
from etl.annual_return.validate import year_refusal
from etl.load import check_files, load_files, parse_files
from synthetic.sample import SampleBuilder
from tests import messy as m

UNIT = "01366"
WHERE = "trang «Thông tin», dòng 6, cột B (Năm báo cáo)"  # the template's «Năm báo cáo» value


@pytest.fixture(scope="module")
def rows(province):
    """The sample's rows of Xã Cần Yên by year (2021–2025)."""
    sample = SampleBuilder(province).build().returns()
    return {y: sample[(UNIT, y)] for y in range(2021, 2026)}


def workbook(province, rows, year: int) -> bytes:
    """The year's return (the 2025 rows for a later year)."""
    return m.clean_workbook(province, UNIT, year, rows.get(year, rows[2025]))


@pytest.mark.parametrize(
    ("year", "allowed", "message"),
    [
        (2027, None, "Năm báo cáo 2027 chưa đến (năm nay là 2026): hãy kiểm tra lại năm báo cáo."),
        (2031, {2031}, "Năm báo cáo 2031 chưa đến (năm nay là 2026): hãy kiểm tra lại năm báo cáo."),
        (2026, None, None),  # the current year itself: a return may be made in December
        (2000, None, None),
        (
            2024,
            {2025, 2026},
            "Kỳ báo cáo năm 2024 chưa được mở hoặc đã đóng: hiện chỉ nhận báo cáo các năm 2025, 2026.",
        ),
        (2025, {2025, 2026}, None),
        (2026, {2026, 2025}, None),
        (2024, {2025}, "Kỳ báo cáo năm 2024 chưa được mở hoặc đã đóng: hiện chỉ nhận báo cáo năm 2025."),
        (2024, set(), "Chưa mở kỳ báo cáo nào: không nhận báo cáo năm 2024."),
    ],
)
def test_year_refusal(year, allowed, message):
    assert year_refusal(year, allowed, this_year=2026) == message


def test_a_year_not_yet_come_is_refused(province, rows):
    future = dt.date.today().year + 1
    (result,) = parse_returns([("sau.xlsx", workbook(province, rows, future))], province)
    assert [f.text() for f in result.findings] == [
        f"Tệp «sau.xlsx», {WHERE}: Năm báo cáo {future} chưa đến (năm nay là {future - 1}): hãy kiểm tra lại năm "
        "báo cáo."
    ]


def test_this_year_is_accepted(province, rows):
    this = dt.date.today().year
    (result,) = parse_returns([("nay.xlsx", workbook(province, rows, this))], province)
    assert result.year == this and result.branches.height == len(rows[2025][0])


@pytest.mark.slow
def test_allowed_years_through_parse_and_load(province, rows, tmp_path):
    files = [("2024.xlsx", workbook(province, rows, 2024)), ("2025.xlsx", workbook(province, rows, 2025))]
    refusal = (
        f"Tệp «2024.xlsx», {WHERE}: Kỳ báo cáo năm 2024 chưa được mở hoặc đã đóng: hiện chỉ nhận báo cáo năm 2025."
    )

    parsed, refused = parse_files(files, province, allowed_years={2025})
    assert [r.file_name for r in parsed] == ["2025.xlsx"]
    assert {k: [f.text() for f in v] for k, v in refused.items()} == {"2024.xlsx": [refusal]}

    checked = check_files(files, province, allowed_years=[2025])
    assert [r.file_name for r in checked.parsed] == ["2025.xlsx"] and list(checked.refused) == ["2024.xlsx"]
    # the refused return was not read past «Thông tin»: only the loaded one has rows to count
    assert {r.file for r in checked.rows} == {"2025.xlsx"}

    rep = load_files(files, "test", province, root=tmp_path, allowed_years={2025})
    assert not rep.ok and rep.messages() == [refusal]
    rep = load_files(files, "test", province, root=tmp_path, partial=True, allowed_years={2025})
    assert rep.ok and rep.result.returns == 1

    assert parse_files(files, province)[1] == {}  # no restriction by default


def test_allowed_years_reach_the_worker_processes(province, rows):
    """What each worker process runs (a chunk of files) gets the allowed years too."""
    etl.load._init_worker(province)
    out = etl.load._parse_chunk([("2024.xlsx", workbook(province, rows, 2024))], allowed_years=(2025,))
    ((name, findings, read),) = out
    assert name == "2024.xlsx" and [f.rule for f in findings] == ["year_out_of_range"] and read == ()
