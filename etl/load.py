"""Load returns into the store: parse every file, refuse what is wrong, commit the rest as one snapshot."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from etl import excel
from etl.annual_return import ParsedReturn
from etl.annual_return.rows import SheetRows
from etl.findings import Finding, ReturnRejected
from etl.parse_worker import READER_LIMITS, init_worker, parse_chunk
from etl.province import ProvinceConfig, load_province
from etl.sandbox import Died, Limits, Pool
from etl.settings import PARQUET_DIR
from etl.store import LoadResult, StoreError, commit, log_rejected


@dataclass
class Checked:
    """Every file parsed and validated: the returns that can be loaded, the refused files' findings, and what was
    read of each table sheet of every file (the summary: rows read and recognised as what)."""

    parsed: list[ParsedReturn]
    refused: dict[str, list[Finding]]  # file -> findings
    rows: list[SheetRows]


@dataclass
class LoadReport:
    result: LoadResult | None
    parsed: list[ParsedReturn] = field(default_factory=list)
    refused: dict[str, list[Finding]] = field(default_factory=dict)  # file -> findings
    rows: list[SheetRows] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None

    def messages(self) -> list[str]:
        out = [f.text() for fs in self.refused.values() for f in fs if f.severity == "error"]
        out += [w.text() for r in self.parsed for w in r.warnings]
        return out

    def summary(self) -> list[str]:
        """One line per file and table sheet: how many rows were read and what they were recognised as."""
        return [r.text() for r in self.rows]


# The workers run etl/parse_worker.py (a lean module: no store, no DuckDB to import in every worker).
_init_worker, _parse_chunk, _READER_LIMITS = init_worker, parse_chunk, READER_LIMITS
CHUNK = 40  # returns validated together (the schema checks cost the same for one or many)


_DIED = {
    "memory": "đọc tệp cần quá nhiều bộ nhớ (trên {mb} MB)",
    "cpu": "đọc tệp tốn quá nhiều thời gian xử lý (trên {cpu} giây)",
    "time": "đọc tệp quá lâu (trên {wall} giây)",
    "crash": "trình đọc bảng tính dừng đột ngột",
}


def _died(name: str, died: Died, limits: Limits) -> list[Finding]:
    reason = _DIED[died.cause].format(
        mb=limits.memory_bytes // 1024 // 1024, cpu=int(limits.cpu_seconds), wall=int(limits.wall_seconds)
    )
    return [
        Finding(
            name,
            f"Không đọc được tệp: {reason}. Tệp có thể bị hỏng hoặc được tạo để làm treo hệ thống (ví dụ một ô ở "
            "tận cuối trang tính); tệp bị từ chối, các tệp khác vẫn được kiểm tra.",
            rule=f"reader_{died.cause}",
        )
    ]


def _results(
    files: list[tuple[str, bytes]], province: ProvinceConfig, parallel: bool, allowed_years: Collection[int] | None
) -> Iterator:
    """(name, ParsedReturn or findings, rows read) per file, in order. Files are parsed in worker processes with memory and
    time limits (etl/sandbox.py), never in the caller: a file that kills its reader is refused, the others are
    judged as usual. One worker per core for a batch (`parallel`), one for an upload in the web server."""
    workers = min(os.cpu_count() or 1, 8, -(-len(files) // CHUNK)) if parallel else 1
    # Chunks of equal size when there are few (60 files on 2 workers: 30 + 30, not 40 + 20, which would make the
    # load wait for the worker with 40).
    size = max(1, min(CHUNK, -(-len(files) // max(workers, 1))))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    limits = Limits()
    reader = {name: getattr(excel, name) for name in _READER_LIMITS}
    with Pool(workers, (_init_worker, (province, reader)), limits) as pool:
        job = functools.partial(_parse_chunk, allowed_years=allowed_years)
        for (name, _), result in zip(files, pool.imap(job, chunks)):
            yield (name, _died(name, result, limits), ()) if isinstance(result, Died) else result


def parse_files(
    files: Iterable[tuple[str, bytes]],
    province: ProvinceConfig,
    progress: Callable[[int, int], None] | None = None,
    parallel: bool = True,
    allowed_years: Collection[int] | None = None,
) -> tuple[list[ParsedReturn], dict[str, list[Finding]]]:
    """Parse and validate every file; nothing is written."""
    checked = check_files(files, province, progress, parallel, allowed_years)
    return checked.parsed, checked.refused


def check_files(
    files: Iterable[tuple[str, bytes]],
    province: ProvinceConfig,
    progress: Callable[[int, int], None] | None = None,
    parallel: bool = True,
    allowed_years: Collection[int] | None = None,
) -> Checked:
    """Parse and validate every file, and count what was read; nothing is written. `allowed_years`: the
    reporting periods open (None: any year up to the current one)."""
    files = list(files)
    parsed, refused, rows = [], {}, []
    for i, (name, result, read) in enumerate(_results(files, province, parallel, allowed_years)):
        rows.extend(read)
        if isinstance(result, ParsedReturn):
            parsed.append(result)
        else:
            refused[name] = result
        if progress:
            progress(i + 1, len(files))
    seen: dict[tuple[int, str], str] = {}
    for r in list(parsed):
        k = (r.year, r.committee_key)
        if k in seen:
            refused[r.file_name] = [
                Finding(
                    r.file_name,
                    f"Trùng báo cáo năm {r.year} của cùng đơn vị với tệp «{seen[k]}».",
                    rule="duplicate_return",
                )
            ]
            parsed.remove(r)
        else:
            seen[k] = r.file_name
    return Checked(parsed, refused, rows)


def load_files(
    files: Iterable[tuple[str, bytes]],
    user: str,
    province: ProvinceConfig | None = None,
    root: Path = PARQUET_DIR,
    replace_all: bool = False,
    partial: bool = False,
    progress: Callable[[int, int], None] | None = None,
    parallel: bool = True,
    allowed_years: Collection[int] | None = None,
) -> LoadReport:
    """Parse then commit. Unless `partial`, one refused file means nothing is loaded."""
    province = province or load_province()
    started = dt.datetime.now().isoformat(timespec="seconds")
    checked = check_files(files, province, progress, parallel, allowed_years)
    parsed, refused, rows = checked.parsed, checked.refused, checked.rows
    if refused and not partial or not parsed:
        log_rejected([*refused, *(r.file_name for r in parsed)], [f for fs in refused.values() for f in fs], user, root)
        return LoadReport(None, parsed, refused, rows)
    try:
        result = commit(parsed, province, user, root, replace_all=replace_all, started_at=started)
    except ReturnRejected as e:  # commit has logged it
        by_file: dict[str, list[Finding]] = {}
        for f in e.findings:
            by_file.setdefault(f.file, []).append(f)
        return LoadReport(None, parsed, by_file | refused, rows)
    except StoreError as e:
        names = ", ".join(r.file_name for r in parsed)  # the message names the files that were not written
        return LoadReport(None, parsed, {names: [Finding(names, str(e), rule="store_error")]} | refused, rows)
    return LoadReport(result, parsed, refused, rows)


def read_paths(paths: Iterable[Path]) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in paths]
