"""Issue 16.1 and 16.6: a workbook crafted to make the reader allocate hundreds of gigabytes, or to cost a minute
and a gigabyte within every limit, is refused without harming anything else; the reader runs in worker processes
with memory, CPU and wall-time limits that die with their parent (etl/sandbox.py, etl/sheet_size.py)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from etl import settings
from tests.fixtures import branch, return_bytes

ROOT = Path(__file__).resolve().parent.parent
OWN = "01273"


@pytest.fixture(scope="module", autouse=True)
def _own_data_folder():
    assert settings.DATA_DIR.name.startswith("partydash-test-"), settings.DATA_DIR


def _with_sheet_xml(xlsx: bytes, member: str, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in src.infolist():
            body = src.read(i)
            z.writestr(i.filename, edit(body) if i.filename == member else body)
    return buf.getvalue()


def good(province, unit: str = OWN) -> bytes:
    return return_bytes(province, unit, 2025, branches=[branch(f"{unit}.S1", "co_so", "dang", good=3)])


def sparse(province) -> bytes:
    """The issue's file: a real return plus one cell at XFD1048576 of its «Chi bộ» sheet (sheet3.xml)."""
    far = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
    return _with_sheet_xml(good(province), "xl/worksheets/sheet3.xml", lambda b: b.replace(b"</sheetData>", far))


def tall(province, rows: int = 300_000) -> bytes:
    """Issue 16.6: many short rows, small once zipped, within the size limits."""
    extra = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(1000, 1000 + rows))
    return _with_sheet_xml(
        good(province), "xl/worksheets/sheet3.xml", lambda b: b.replace(b"</sheetData>", extra + b"</sheetData>")
    )


# -------------------------------------------------------------------------------- the declared sheet sizes


def test_the_far_cell_is_seen_without_reading_the_sheet(province):
    from etl.sheet_size import SheetSize, sheet_sizes

    sizes = {s.name: s for s in sheet_sizes(sparse(province))}
    assert sizes["Chi bộ"] == SheetSize("Chi bộ", 1_048_576, 16_384)
    assert len(sparse(province)) < 30 * 1024  # the whole attack fits in a few kilobytes


def test_sizes_of_a_real_return_are_its_cells(province):
    from etl.sheet_size import sheet_sizes

    sizes = {s.name: (s.rows, s.columns) for s in sheet_sizes(good(province))}
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(good(province)))
    read = {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}
    # exactly what the reader builds: rows from A1 to the last row, as wide as the widest
    assert sizes == {n: (len(r), max((len(x) for x in r), default=0)) for n, r in read.items()}


def test_cells_written_any_way_are_found(province):
    """Attribute order, namespace prefixes, cells and rows without a reference: the tag-by-tag path."""
    from etl.sheet_size import sheet_sizes

    body = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        b'<x:row r="1"><x:c t="n" r="A1"><x:v>1</x:v></x:c></x:row>'
        b"<x:row><x:c><x:v>2</x:v></x:c><x:c><x:v>3</x:v></x:c></x:row>"  # row 2, columns A and B
        b'<x:row r="40000"><x:c r="C40000" s="1"/></x:row>'  # a formatted empty cell: readers skip it
        b"<x:row><x:c/><x:c/><x:c><x:v>4</x:v></x:c></x:row>"  # row 40001, column C
        b"</x:sheetData></x:worksheet>"
    )
    xlsx = _with_sheet_xml(good(province), "xl/worksheets/sheet3.xml", lambda _: body)
    sizes = {s.name: (s.rows, s.columns) for s in sheet_sizes(xlsx)}
    assert sizes["Chi bộ"] == (40_001, 3)


def test_xls_cells_are_found():
    """A BIFF8 workbook (written by xlwt) with a cell at row 30.000, column 300 — over both limits."""
    import xlwt

    from etl.sheet_size import SheetSize, sheet_sizes

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Chi bộ")
    ws.write(0, 0, "Mã chi bộ")
    ws.write(29_999, 3, 7)
    wb.add_sheet("Khác").write(4, 1, "x")
    buf = io.BytesIO()
    wb.save(buf)
    assert sheet_sizes(buf.getvalue()) == [SheetSize("Chi bộ", 30_000, 4), SheetSize("Khác", 5, 2)]


def _ods(rows_xml: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(
            "content.xml",
            '<?xml version="1.0"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
            f'<table:table table:name="Chi bộ">{rows_xml}</table:table>'
            "</office:spreadsheet></office:body></office:document-content>",
        )
    return buf.getvalue()


def test_ods_repeats_are_counted():
    from etl.sheet_size import SheetSize, sheet_sizes

    cell = '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
    empty_tail = (  # what LibreOffice writes to the end of every sheet: empty, so it does not count
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    assert sheet_sizes(_ods(f"<table:table-row>{cell}{cell}</table:table-row>{empty_tail}")) == [
        SheetSize("Chi bộ", 1, 2)
    ]
    repeated = (  # a value repeated over 500.000 rows and 300 columns
        '<table:table-row table:number-rows-repeated="500000">'
        f'<table:table-cell table:number-columns-repeated="299"/>{cell}</table:table-row>'
    )
    assert sheet_sizes(_ods(f"<table:table-row>{cell}</table:table-row>{repeated}")) == [
        SheetSize("Chi bộ", 500_001, 300)
    ]


def test_a_sheet_over_the_column_limit(province):
    from etl.excel import read_grids
    from etl.findings import ReturnRejected

    wide = b'<row r="20"><c r="JA20" t="n"><v>1</v></c></row></sheetData>'  # column JA = 10×26 + 1 = 261 > 256
    xlsx = _with_sheet_xml(good(province), "xl/worksheets/sheet1.xml", lambda b: b.replace(b"</sheetData>", wide))
    with pytest.raises(ReturnRejected) as e:
        read_grids(xlsx, "rong.xlsx")
    f = e.value.findings[0]
    assert f.sheet == "Hướng dẫn" and f.rule == "too_many_columns"
    assert "vượt giới hạn 256 cột (đến cột JA)" in f.message


@pytest.mark.slow  # worker processes with limits
def test_the_row_limit_is_checked_before_reading(province, monkeypatch):
    """16.6: a sheet declaring more rows than the limit is refused before the reader builds a single row."""
    import etl.excel
    from etl.excel import read_grids
    from etl.findings import ReturnRejected

    def no_reading(*a, **k):
        raise AssertionError("the sheet was read")

    monkeypatch.setattr(etl.excel, "_read_excel", no_reading)
    with pytest.raises(ReturnRejected) as e:
        read_grids(tall(province), "cao.xlsx")
    f = e.value.findings[0]
    assert (f.file, f.sheet, f.rule) == ("cao.xlsx", "Chi bộ", "too_many_rows")
    # column T: «Trực thuộc (mã đảng bộ)», the last of «Chi bộ»
    assert "có dữ liệu đến dòng 300.999, cột T" in f.message and "vượt giới hạn 20000 dòng" in f.message


# ------------------------------------------------------------------------------- the command line goes on


@pytest.mark.slow  # worker processes with limits
def test_the_command_line_refuses_the_file_and_judges_the_others(province, tmp_path):
    (tmp_path / "sparse.xlsx").write_bytes(sparse(province))
    (tmp_path / "cao.xlsx").write_bytes(tall(province))
    (tmp_path / "tot.xlsx").write_bytes(good(province, "01279"))
    from etl import store  # here, not at the top: the workers import this module and stay lean (no DuckDB)

    data = tmp_path / "data"
    store.create(store.REAL, province, "cli", data / "parquet")  # `python -m etl init`
    env = {**os.environ, "PARTYDASH_DATA": str(data)}
    names = [str(tmp_path / n) for n in ("sparse.xlsx", "cao.xlsx", "tot.xlsx")]
    out = subprocess.run(
        [sys.executable, "-m", "etl", "load", *names, "--partial", "--user", "tho"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, (out.returncode, out.stderr[-2000:])  # not 134 (SIGABRT): the batch went on
    assert "Traceback" not in out.stderr and "memory allocation" not in out.stderr
    assert "Tệp «sparse.xlsx», trang «Chi bộ»: Trang có dữ liệu đến dòng 1.048.576, cột XFD" in out.stderr
    assert "Tệp «cao.xlsx», trang «Chi bộ»" in out.stderr
    assert "Đã nạp 1 báo cáo" in out.stdout  # the good file was judged and loaded
    lines = (data / "parquet" / "log" / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    events = [json.loads(x) for x in lines]
    assert [(e["event"], e["user"]) for e in events] == [("store_created", "cli"), ("load", "tho")]
    assert json.loads(events[1]["details"])["files"] == ["tot.xlsx"]


@pytest.mark.slow  # worker processes with limits
def test_a_refused_batch_is_audited_with_the_hostile_file(province, tmp_path):
    from etl import store

    (tmp_path / "sparse.xlsx").write_bytes(sparse(province))
    store.create(store.REAL, province, "cli", tmp_path / "data" / "parquet")  # `python -m etl init`
    env = {**os.environ, "PARTYDASH_DATA": str(tmp_path / "data")}
    out = subprocess.run(
        [sys.executable, "-m", "etl", "load", str(tmp_path / "sparse.xlsx")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=600,
    )
    assert out.returncode == 1
    lines = (tmp_path / "data" / "parquet" / "log" / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    (_, event) = [json.loads(x) for x in lines]
    assert event["event"] == "load_refused" and json.loads(event["details"])["files"] == ["sparse.xlsx"]


# ------------------------------------------------------------------------------------------- the workers


def read_raw(items: list[bytes]) -> list[int]:
    """A job that reads with calamine directly, skipping every check (what an unknown trick would reach)."""
    from etl.excel import _read_excel

    return [len(_read_excel(d)) for d in items]


def spin(items):
    while True:
        pass


def sleep(items):
    time.sleep(3600)


def hog(items):
    return [len(bytearray(64 * 1024**3)) for _ in items]


def kill_on(items):
    """Dies on the item 'x', answers the others."""
    if "x" in items:
        os.abort()
    return [f"ok {i}" for i in items]


def fails(items):
    raise ValueError("a bug, not a file")


def _pool(size=1, **limits):
    from etl.sandbox import Limits, Pool

    return Pool(size, (int, ()), Limits(**limits))


def test_the_reader_dies_in_its_worker_not_here(province):
    from etl.sandbox import Died

    with _pool() as pool:
        got = list(pool.imap(read_raw, [[sparse(province)], [good(province)]]))
    assert got == [Died("memory"), 6]  # the allocation of ~512 GiB killed the worker; a fresh one read the next


@pytest.mark.slow  # worker processes with limits
def test_cpu_wall_and_memory_limits():
    from etl.sandbox import Died

    with _pool(cpu_seconds=1) as pool:
        assert list(pool.imap(spin, [["a"]])) == [Died("cpu")]
    with _pool(wall_seconds=1, start_seconds=0) as pool:
        assert list(pool.imap(sleep, [["a"]])) == [Died("time")]
    with _pool(memory_bytes=512 * 1024**2) as pool:
        assert list(pool.imap(hog, [["a"]])) == [Died("memory")]


def test_only_the_item_that_kills_is_lost():
    from etl.sandbox import Died

    with _pool(size=2) as pool:
        got = list(pool.imap(kill_on, [["a", "x", "b"], ["c"], ["x"], ["d", "e"]]))
    assert got == ["ok a", Died("memory"), "ok b", "ok c", Died("memory"), "ok d", "ok e"]


def test_a_bug_in_the_job_is_raised_not_hidden():
    from etl.sandbox import WorkerError

    with _pool() as pool, pytest.raises(WorkerError, match="a bug, not a file"):
        list(pool.imap(fails, [["a"]]))


def _children(pid: int) -> set[int]:
    out = set()
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                stat = (p / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(p.name))
    return out


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_die_with_a_killed_load(sample_dir, tmp_path):
    """kill -9 of a load: its workers go too. They are stopped first (SIGSTOP), so they cannot finish their work
    and leave on their own: only the kernel's death signal can end them."""
    from etl import store
    from etl.province import load_province

    env = {**os.environ, "PARTYDASH_DATA": str(tmp_path / "data")}
    store.create(store.SAMPLE, load_province(), "t", tmp_path / "data" / "parquet")  # sample returns: a sample store
    # Each workbook ten times over (the copies are parsed, then refused as duplicates): the sample alone parses in
    # about 1.5 s of CPU per worker on a fast machine, under the 2 s this test waits for; ten times that leaves the
    # workers at work whatever the machine (CI failed on a fast one: the load ended before the test saw a worker).
    files = [str(p) for p in sorted(sample_dir.glob("*.xlsx"))] * 10
    load = subprocess.Popen(
        [sys.executable, "-m", "etl", "load", *files],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    everyone: set[int] = set()
    try:
        # Wait until a worker is at work (2 s of CPU: well past its start, where it asks for the death signal).
        deadline = time.monotonic() + 300
        while not workers and time.monotonic() < deadline and load.poll() is None:
            time.sleep(0.2)
            workers = {w for w in _children(load.pid) if _cpu_seconds(w) >= 2}
        assert workers, "the load started no worker process"
        for w in workers:
            os.kill(w, signal.SIGSTOP)
        everyone = _children(load.pid)
        load.kill()
        load.wait()
        deadline = time.monotonic() + 60
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [w for w in workers if _alive(w)]
        assert not left, f"worker processes left behind: {left}"
    finally:
        for w in workers | everyone:
            if _alive(w):
                os.kill(w, signal.SIGKILL)
        if load.poll() is None:
            load.kill()
