"""Write the office-saved return fixtures of tests/test_etl_office_formats.py (needs LibreOffice; CI does not run it).

A return of Xã Canh Tân (01789) for 2023 from the calibrated sample, typed the way a commune office does it (the
party-document header, a section title and a «Cộng» row per group of branches, «Tổng cộng», a note, the signature
block), written with the project's own template writer, then opened and saved by LibreOffice as .ods, .xls and
.xlsx:

    .venv/bin/python -m tests.data.make_office_files      # apt-get install -y libreoffice-calc
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from etl.province import load_province
from synthetic.sample import SampleBuilder
from tests import messy as m

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


def main() -> None:
    province = load_province("04")
    rows = SampleBuilder(province).build().returns()[(UNIT, YEAR)]
    SOURCE.write_bytes(m.write_xlsx(OFFICE(m.read_book(m.clean_workbook(province, UNIT, YEAR, rows)))))
    for convert, target in SAVED.items():
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(
                ["soffice", "--headless", "--convert-to", convert, "--outdir", out, str(SOURCE)],
                check=True,
                capture_output=True,
            )
            (written,) = Path(out).iterdir()
            shutil.move(written, target)
        print(f"{target.name}: {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
