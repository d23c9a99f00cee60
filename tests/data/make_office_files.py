"""Write the office-saved return fixtures of tests/test_etl_office_formats.py and tests/test_meetings_return.py (needs
LibreOffice; CI does not run it).

A return of Xã Canh Tân (01789) for 2023 from the calibrated sample, typed the way a commune office does it (the
party-document header, a section title and a «Cộng» row per group of branches, «Tổng cộng», a note, the signature
block), written with the project's own template writer, then opened and saved by LibreOffice as .ods, .xls and
.xlsx; and the same return whose note runs to 2.500 characters (over the 2.000 a cell may hold), saved as .xls:

    .venv/bin/python -m tests.data.make_office_files      # apt-get install -y libreoffice-calc

The same for Xã Cần Yên's 2026 return with its sheet «Sinh hoạt chi bộ» (the 2025 sample's branches, meetings as
tests/fixtures.office_meetings), the office layout on that sheet too (can_yen_2026*).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from etl.province import load_province
from etl.schema import MEETINGS
from synthetic.sample import SampleBuilder
from tests import messy as m
from tests.fixtures import office_meetings

HERE = Path(__file__).resolve().parent
UNIT, YEAR = "01789", 2023
SOURCE = HERE / "canh_tan_2023.xlsx"
SAVED = {  # LibreOffice filter -> the fixture it writes
    "ods": HERE / "canh_tan_2023_libreoffice.ods",
    "xls:MS Excel 97": HERE / "canh_tan_2023_libreoffice.xls",
    "xlsx:Calc MS Excel 2007 XML": HERE / "canh_tan_2023_libreoffice.xlsx",
}

OFFICE = m.compose(
    m.party_header(unit="xã Canh Tân"),
    m.subtotals(titles=True),
    m.grand_total(),
    m.note_lines,
    m.signature_block(place="Canh Tân"),
)


LONG_NOTE = HERE / "canh_tan_2023_ghi_chu_dai.xls"
LONG_NOTE_CHARS = 2_500

MEETINGS_UNIT = "01366"
MEETINGS_OFFICE = m.compose(
    OFFICE,
    m.party_header(unit="xã Cần Yên"),
    m.subtotals(spec=MEETINGS, count="regular_held", titles=True),
    m.grand_total(spec=MEETINGS, count="regular_held"),
)


def main() -> None:
    province = load_province("04")
    sample = SampleBuilder(province).build().returns()
    rows = sample[(UNIT, YEAR)]
    SOURCE.write_bytes(m.write_xlsx(OFFICE(m.read_book(m.clean_workbook(province, UNIT, YEAR, rows)))))
    save_with_libreoffice(SOURCE, SAVED)
    branches, committee, heads = sample[(MEETINGS_UNIT, 2025)]
    meetings = (
        branches,
        committee,
        heads,
        office_meetings(branches),
        {"materials_months": 10, "thematic_orientation": True},
    )
    source = HERE / "can_yen_2026.xlsx"
    source.write_bytes(
        m.write_xlsx(MEETINGS_OFFICE(m.read_book(m.clean_workbook(province, MEETINGS_UNIT, 2026, meetings))))
    )
    save_with_libreoffice(source, {k: HERE / f"can_yen_2026_libreoffice.{v.suffix[1:]}" for k, v in SAVED.items()})
    write_long_note()


def write_long_note() -> None:
    """The return of SOURCE with its note made longer than a cell may hold, saved by LibreOffice as .xls."""
    import openpyxl

    wb = openpyxl.load_workbook(SOURCE)
    note = next(c for ws in wb for r in ws.iter_rows() for c in r if str(c.value or "").startswith("Ghi chú"))
    note.value = (note.value + " Nội dung kiểm điểm chi tiết." * 100)[:LONG_NOTE_CHARS]
    with tempfile.TemporaryDirectory() as tmp:
        long_source = Path(tmp) / LONG_NOTE.with_suffix(".xlsx").name
        wb.save(long_source)
        save_with_libreoffice(long_source, {"xls:MS Excel 97": LONG_NOTE})


def save_with_libreoffice(source: Path, saved: dict[str, Path]) -> None:
    for convert, target in saved.items():
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(
                ["soffice", "--headless", "--convert-to", convert, "--outdir", out, str(source)],
                check=True,
                capture_output=True,
            )
            (written,) = Path(out).iterdir()
            shutil.move(written, target)
        print(f"{target.name}: {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
