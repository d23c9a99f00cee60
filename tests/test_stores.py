"""The sample and the real data never mix (issue 26.2): a store's kind is fixed when it is created — the sample
(demonstrations, demo accounts) or the province's real returns — and a load of the other kind is refused, whoever
loads it (command line, the admin's upload, a committee's submission). A real deployment starts from an empty
real store (`python -m etl init`), loads its history, and says at any moment what it holds."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl import store
from etl.load import load_files
from etl.status import status
from forms.template import write_return
from synthetic.sample import SampleBuilder
from tests.conftest import ROOT

UNITS = ("01273", "01279")


@pytest.fixture(scope="module")
def rows(province):
    return SampleBuilder(province).build().returns()


def workbook(province, rows, unit: str, year: int, sample: bool) -> bytes:
    """A return as the product's template writes it: the sample's say so on «Thông tin», real ones do not."""
    buf = io.BytesIO()
    write_return(buf, province, province.unit_by_code[unit], year, *rows[(unit, year)], is_sample=sample)
    return buf.getvalue()


def etl(data: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m etl …` on the data folder `data`, as the IT officer runs it."""
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PARTYDASH_DATA": str(data)},
        timeout=600,
    )


@pytest.mark.slow
def test_a_real_store_refuses_the_sample_and_the_sample_refuses_real_returns(province, rows, tmp_path):
    """Issue 26.2: the first real return used to turn the sample store «real», keeping 299 synthetic returns beside
    it under no banner. Now each store refuses the other kind, in Vietnamese, and nothing is written."""
    real, sample = tmp_path / "real", tmp_path / "sample"
    assert store.create(store.REAL, province, "cli", real) and store.kind(real) == store.REAL
    assert (
        load_files([("mau.xlsx", workbook(province, rows, UNITS[0], 2025, True))], "t", province, root=real).ok is False
    )
    assert status(real).returns == {}  # nothing was written
    rep = load_files([("mau.xlsx", workbook(province, rows, UNITS[0], 2025, True))], "t", province, root=sample)
    assert rep.ok and store.kind(sample) == store.SAMPLE  # a new store takes the kind of its first load
    before = store.current_snapshot(sample)
    rep = load_files([("that.xlsx", workbook(province, rows, UNITS[1], 2025, False))], "t", province, root=sample)
    assert not rep.ok and store.current_snapshot(sample) == before and store.kind(sample) == store.SAMPLE
    assert [f.text() for f in rep.refused["that.xlsx"]] == [
        "Tệp «that.xlsx»: Báo cáo này là báo cáo thật, còn đây là kho dữ liệu mẫu để trình diễn: số liệu thật không "
        "bao giờ được ghi lẫn với dữ liệu giả lập. Hãy nạp vào kho dữ liệu thật (tạo bằng lệnh `python -m etl init`, "
        "xem README). Không có gì được ghi."
    ]
    # and the other way round, also in a batch with a valid real return: the whole batch is refused
    batch = [
        ("that.xlsx", workbook(province, rows, UNITS[1], 2025, False)),
        ("mau.xlsx", workbook(province, rows, UNITS[0], 2025, True)),
    ]
    rep = load_files(batch, "t", province, root=real)
    assert not rep.ok and status(real).returns == {}
    assert "kho dữ liệu thật không nhận dữ liệu mẫu" in rep.refused["mau.xlsx"][0].message
    with pytest.raises(ValueError, match="đã có kho dữ liệu mẫu: một kho không bao giờ đổi loại"):
        store.create(store.REAL, province, "cli", sample)


def test_a_first_batch_of_both_kinds_is_refused(province, rows, tmp_path):
    batch = [
        ("that.xlsx", workbook(province, rows, UNITS[1], 2025, False)),
        ("mau.xlsx", workbook(province, rows, UNITS[0], 2025, True)),
    ]
    rep = load_files(batch, "t", province, root=tmp_path / "new")
    assert not rep.ok and store.kind(tmp_path / "new") is None and list(rep.refused) == ["mau.xlsx"]


@pytest.mark.slow  # loads five years of history through the command line, one process a step
def test_a_real_deployment_starts_empty_and_loads_its_history_from_the_command_line(province, rows, tmp_path):
    """The README's path: `etl init` (an empty real store), `etl load` of the real 2021–2025 returns, `etl status`
    at any moment; `etl sample` never goes into a real store, and `etl load` never creates one."""
    data = tmp_path / "data"
    nowhere = etl(data, "load", "x.xlsx")
    assert nowhere.returncode == 1 and "Tạo kho dữ liệu thật trước: python -m etl init" in nowhere.stderr
    empty = etl(data, "status")
    assert empty.returncode == 0 and empty.stdout.splitlines()[0] == "Chưa có kho dữ liệu."
    done = etl(data, "init")
    assert done.returncode == 0 and done.stdout.startswith(f"Đã tạo kho dữ liệu thật ở {data / 'parquet'}."), done
    assert etl(data, "init").stdout.startswith("Kho dữ liệu thật đã có")  # twice is harmless
    refused = etl(data, "sample")
    assert refused.returncode == 1 and "dữ liệu mẫu không bao giờ được nạp vào đó" in refused.stderr
    history = tmp_path / "lich-su"
    history.mkdir()
    for unit in UNITS:
        for year in range(2021, 2026):
            (history / f"{unit}-{year}.xlsx").write_bytes(workbook(province, rows, unit, year, False))
    loaded = etl(data, "load", *sorted(str(p) for p in history.iterdir()))
    assert loaded.returncode == 0 and loaded.stdout.splitlines()[-1].startswith("Đã nạp 10 báo cáo"), loaded.stderr
    said = etl(data, "status").stdout.splitlines()
    assert said[:3] == [
        "Kho dữ liệu thật: chỉ có báo cáo thật của các đơn vị, không có dữ liệu mẫu.",
        f"Thư mục kho: {data / 'parquet'}",
        "Báo cáo đã nạp: ",
    ]
    assert said[3:8] == [f"  năm {y}: 2/60 đơn vị" for y in range(2021, 2026)]
    assert said[8:] == [
        "Các xã chưa nạp báo cáo năm 2025: năm đó dùng số liệu đã công bố của từng xã (Biểu 05, 06: trưởng xóm và "
        "đoàn thể là đảng viên, chi bộ xóm dưới 3 đảng viên, bí thư kiêm nhiệm)."
    ]
    assert store.kind(data / "parquet") == store.REAL


@pytest.mark.slow
def test_status_says_which_years_come_from_the_published_tables(province, rows, tmp_path):
    """A real store with only 2025 loaded: 2021–2024 are the published Biểu's (and the app's line says so)."""
    root = tmp_path / "parquet"
    store.create(store.REAL, province, "cli", root)
    assert (
        status(root).short()
        == "Dữ liệu thật · báo cáo đã nạp: chưa có · 2021–2025: số liệu toàn tỉnh đã công bố (Biểu)."
    )
    assert load_files([("a.xlsx", workbook(province, rows, UNITS[0], 2025, False))], "t", province, root=root).ok
    s = status(root)
    assert (s.kind, s.returns, s.published, s.sample_returns) == (store.REAL, {2025: 1}, (2021, 2022, 2023, 2024), 0)
    assert s.short() == (
        "Dữ liệu thật · báo cáo đã nạp: 2025 (1/60 đơn vị) · 2021–2024: số liệu toàn tỉnh đã công bố (Biểu)."
    )
    assert s.lines()[4:] == [
        "Lịch sử 2021–2024: chưa nạp báo cáo; xu hướng và năm gốc của mục tiêu toàn tỉnh dùng số liệu đã công bố "
        "(xếp loại chi bộ: Biểu 03; xếp loại đảng viên: Biểu 07), ghi rõ là số liệu đã công bố.",
        "Các xã chưa nạp báo cáo năm 2025: năm đó dùng số liệu đã công bố của từng xã (Biểu 05, 06: trưởng xóm và "
        "đoàn thể là đảng viên, chi bộ xóm dưới 3 đảng viên, bí thư kiêm nhiệm).",
    ]


def test_the_sample_store_says_what_it_is(sample_store):
    s = status(sample_store)
    assert (s.kind, s.published, s.returns) == (store.SAMPLE, (), {y: 60 for y in range(2021, 2026)})
    assert s.lines()[0] == "Kho dữ liệu mẫu (trình diễn): số liệu dưới cấp tỉnh là giả lập."


def test_a_sample_store_hands_out_sample_templates(province, sample_store, tmp_path):
    """A demonstration's committee downloads its return from the sample store and submits it back: the template
    says it is the sample, so the demo's cycle goes on (a real store's templates never say so)."""
    import python_calamine as pc

    from forms.prefill import template_bytes
    from forms.template import SAMPLE_MARK

    def marked(xlsx: bytes) -> bool:
        info = pc.CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).get_sheet_by_name("Thông tin").to_python()
        return any(c == SAMPLE_MARK for r in info for c in r)

    real = tmp_path / "real"
    store.create(store.REAL, province, "cli", real)
    assert not marked(template_bytes(province, UNITS[0], 2026, root=real))
    assert marked(template_bytes(province, UNITS[0], 2026, prefill=True, root=sample_store))
