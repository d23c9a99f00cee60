"""What a parsing worker (etl/sandbox.py) runs: the returns of one chunk parsed and validated.

A module of its own so that a worker imports the readers and the schema only, not the store (DuckDB, the
snapshot writer) that etl/load.py needs in the caller: a worker's start-up is part of every load."""

from __future__ import annotations

from collections.abc import Collection

from etl import excel
from etl.annual_return import ParsedReturn, parse_returns
from etl.annual_return.rows import SheetRows
from etl.findings import Finding, ReturnRejected
from etl.province import ProvinceConfig

_province: ProvinceConfig | None = None
# The reader's limits a worker applies: the caller's, as etl.excel holds them (a caller, e.g. a test, may tighten
# them; a worker is a new process and would otherwise start from etl/settings.py).
READER_LIMITS = ("MAX_FILE_BYTES", "MAX_UNZIPPED_BYTES", "MAX_ROWS_PER_SHEET")


def init_worker(province: ProvinceConfig, limits: dict[str, int] | None = None) -> None:
    global _province
    _province = province
    for name, value in (limits or {}).items():
        setattr(excel, name, value)


def parse_chunk(
    items: list[tuple[str, bytes]], allowed_years: Collection[int] | None = None
) -> list[tuple[str, ParsedReturn | list[Finding], tuple[SheetRows, ...]]]:
    results = parse_returns(items, _province, allowed_years)
    return [(name, r.findings if isinstance(r, ReturnRejected) else r, r.rows) for (name, _), r in zip(items, results)]
