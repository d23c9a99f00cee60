"""Paths and constants of the project, named once (STYLE rule 9)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# One environment variable may point the whole product at another data folder.
DATA_DIR = Path(os.environ.get("PARTYDASH_DATA", ROOT / "data")).resolve()
PARQUET_DIR = DATA_DIR / "parquet"
SAMPLES_DIR = DATA_DIR / "samples"
USERS_DIR = DATA_DIR / "users"
PROVINCES_DIR = ROOT / "data" / "provinces"
GEO_DIR = ROOT / "data" / "geo"  # boundaries of every unit and province (tools/import_geo.py)
MAPPINGS_DIR = ROOT / "etl" / "mappings"
QUERIES_DIR = ROOT / "queries"

# The deployment's province (official 2-digit code); another province is a folder in PROVINCES_DIR.
PROVINCE_CODE = os.environ.get("PARTYDASH_PROVINCE", "04")

# The years of the calibrated sample. (Rating-regulation breaks are data: queries/40_progress/prg_series_breaks.sql.)
YEARS = (2021, 2022, 2023, 2024, 2025)

# Limits on what the ETL accepts (bytes, rows).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 1000  # parts inside an .xlsx/.ods (a return has about 15)
MAX_ROWS_PER_SHEET = 20_000
# The return's widest sheet has 31 columns; Excel 2003 stopped at 256. With the row limit a grid stays below
# 5 million cells, whatever the file declares (etl/sheet_size.py checks before reading).
MAX_COLUMNS_PER_SHEET = 256
# The longest text a cell may hold (issue 29.2), by what it is: a code (a branch, a person, a unit: «04-UBND.220»),
# a name (a branch, a committee, who prepared the return), a comment (a note under a table, the province's comment
# on a return, any other text). A comment is the most any cell of a workbook may hold at all: a longer one is
# refused with the file, before the workbook is read (etl/sheet_size.py), so no upload can carry megabytes of text.
MAX_CODE_CHARS = 40
MAX_NAME_CHARS = 200
MAX_COMMENT_CHARS = 2_000

# Uploaded workbooks are parsed in worker processes (etl/sandbox.py) that cannot take the caller down: each has
# this much address space on top of what it uses once started (a real return needs ~100 MB), this much CPU time
# and wall time per file, and dies with the process that started it.
WORKER_MEMORY_BYTES = 2 * 1024**3
WORKER_CPU_SECONDS_PER_FILE = 60
WORKER_WALL_SECONDS_PER_FILE = 120
WORKER_START_SECONDS = 120  # a worker's own start (imports) on a loaded machine

# Small-group suppression (issue 16.2; issue 29.4 for what subtraction yields: dashboard/data.py, README «Small
# groups»): a comparison a commune user sees (the «Toàn tỉnh» benchmark, a funnel) is withheld when, besides the
# user's own unit, it covers fewer than this many units or branches, and so are the groups whose figures would let
# one be had by subtracting them from the province's. The user knows
# its own figures and can subtract them: one other unit would be disclosed exactly, and two others would each be
# disclosed to the other (both are commune users), hence three — the usual threshold rule of statistical offices.
# Ten branches: below that a rate says little (one branch moves it by 10 points or more) and a 0% or 100% would
# tell how every one of those few branches stands.
MIN_OTHER_UNITS = 3
MIN_OTHER_BRANCHES = 10

INTERNAL_MARK = "Tài liệu lưu hành nội bộ"
