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
MAX_ROWS_PER_SHEET = 20_000

SAMPLE_NOTICE = (
    "Dữ liệu mẫu: số liệu dưới cấp tỉnh là giả lập, chỉ dùng để minh hoạ; "
    "các tổng số cấp tỉnh khớp với Biểu 01–07 của Đề án 03-ĐA/TU (Tỉnh uỷ Cao Bằng)."
)
INTERNAL_MARK = "Tài liệu lưu hành nội bộ"
