"""The column-at-once typing of a table (normalise.type_column) gives what the per-cell path (normalise.cell) gives,
value for value and message for message, and a return read with it reports its findings in the order reading row
by row reported them."""

from __future__ import annotations

import datetime as dt

import pytest

import etl.annual_return.read as read
from etl.annual_return import parse_return
from etl.annual_return.normalise import cell, type_column
from etl.codes import labels
from etl.findings import Finding, ReturnRejected
from etl.schema import BRANCHES, COMMITTEE, HEADS
from etl.text import fold
from tests import fixtures as fx
from tests import messy as m

# Cells as readers return them: good, bad, empty in every spelling, and the edges of what a count can be.
CELLS = [
    0, 0.0, -0.0, 1, 1.0, -1, -1.0, 7.0, 1462.0, 2**31 - 1, 2.0**31, 2**53, 2.0**53, 2.0**53 + 2, 2**63 - 1,
    2**63, 2.0**63, -(2.0**63), 1e20, -1e20, 1e308, 5e-324, 1.5, 0.5, -0.5, 1462.000001, float("nan"),
    float("inf"), float("-inf"), True, False, None, "", " ", "  \t", "-", "–", "—", " - ", "1.462", "1,462",
    "1.462.000", "12.0", "12,00", "12.5", "+7", "-3", " 7 ", "7\xa0000", "7 000", "1.4620", "0", "00", "abc",
    "1e3", "0x1F", "٣", "²", "99999999999999999999", dt.datetime(2024, 1, 15, 8, 30), dt.date(2024, 1, 15),
    dt.time(8, 30), dt.timedelta(days=2), "Có", "Không", "Cã", "Kh«ng", "co", "KHONG", "xyz", "HTXS NV",
]  # fmt: skip
COLUMNS = [c for spec in (BRANCHES, COMMITTEE, HEADS) for c in spec.columns if c.kind != "ignore"]


def cells_for(c) -> list:
    """The common cells, and for a coded column its labels as listed and as people type them."""
    if c.kind != "code":
        return CELLS
    typed = labels(c.domain)
    return [*CELLS, *typed, *(t.lower() for t in typed), *(fold(t) for t in typed), *(f"  {t} " for t in typed)]


def per_cell(values: list, c, rows: list[int]) -> tuple[list, list[tuple[int, Finding]]]:
    out, found = [], []
    for j, v in enumerate(values):
        fs: list[Finding] = []
        out.append(cell(v, c, "a.xlsx", "Chi bộ", rows[j], "E", fs))
        found += [(j, f) for f in fs]
    return out, found


def typed(values: list) -> list:
    """Values with their types (1 and 1.0 and True are equal in Python, not in a frame)."""
    return [(type(v).__name__, v) for v in values]


@pytest.mark.parametrize("c", COLUMNS, ids=lambda c: c.key)
def test_a_column_typed_at_once_equals_its_cells_typed_one_by_one(c):
    values = cells_for(c)
    rows = list(range(7, 7 + len(values)))
    fast, fast_found = type_column(values, c, rows, "a.xlsx", "Chi bộ", "E")
    slow, slow_found = per_cell(values, c, rows)
    assert typed(fast) == typed(slow)
    assert fast_found == slow_found
    if c.kind in ("int", "year"):  # the mix holds bad cells: each is reported once, at its own row
        assert {f.row for _, f in fast_found} >= {
            rows[j] for j, v in enumerate(values) if v is True or v in (1.5, "abc")
        }
    if c.kind == "code":
        assert any(f.rule == "unknown_code" for _, f in fast_found)


def _cell_by_cell(monkeypatch):
    """Make read_table type every cell through `cell` (the per-cell path) instead of the column fast path."""

    def slow(values, c, rows, file_name, sheet, col):
        out, found = [], []
        for j, v in enumerate(values):
            fs: list[Finding] = []
            out.append(cell(v, c, file_name, sheet, rows[j], col, fs))
            found += [(j, f) for f in fs]
        return out, found

    monkeypatch.setattr(read, "type_column", slow)


def _messy_return(province) -> bytes:
    """A tiny return with good and bad cells mixed in «Chi bộ» and «Cấp uỷ»: a fraction, text in a count, a
    boolean, an unknown rating, a count at the edge of 64 bits, numbers as text, a dash for an empty cell, and an
    unreadable row between two bad ones (its message is reported while reading, the cells' ones after)."""
    unit, year, b, c, h = fx.TINY_RETURNS[-1]
    book = m.read_book(fx.return_bytes(province, unit, year, b, c, h))
    sh = m._table(book, BRANCHES)
    rows = m._data_rows(sh)
    sh.rows[rows[0]][m._col(sh, "good")] = 2.5
    sh.rows[rows[0]][m._col(sh, "admitted")] = "mười"
    sh.rows[rows[1]][m._col(sh, "level")] = "Cấp lạ"
    sh.rows[rows[1]][m._col(sh, "excellent")] = "1.000"
    sh.rows[rows[-1]][m._col(sh, "resident_members")] = "-"
    sh.rows[rows[-1]][m._col(sh, "admitted")] = 2**63
    m.insert_rows(sh, rows[1], [[""] * (m._col(sh, "branch_name")) + ["một dòng không ai đọc được"]])
    cm = m._table(book, COMMITTEE)
    crow = m._data_rows(cm)
    cm.rows[crow[0]][m._col(cm, "training_year")] = "năm ngoái"
    cm.rows[crow[-1]][m._col(cm, "theory")] = "Tiến sĩ lý luận"
    return m.write_xlsx(book)


def _outcome(result) -> tuple:
    if isinstance(result, ReturnRejected):
        return ("refused", result.findings, result.rows)
    frames = tuple((df.schema, df.rows()) for df in (result.branches, result.committee, result.heads))
    return ("loaded", frames, result.warnings, result.rows)


def _parse(data: bytes, province):
    try:
        return parse_return(data, "hon_hop.xlsx", province)
    except ReturnRejected as e:
        return e


def test_a_return_with_good_and_bad_cells_reads_the_same_both_ways(province, monkeypatch):
    data = _messy_return(province)
    fast = _parse(data, province)
    with monkeypatch.context() as mp:
        _cell_by_cell(mp)
        slow = _parse(data, province)
    assert _outcome(fast) == _outcome(slow)
    assert isinstance(fast, ReturnRejected)
    found = [(f.sheet, f.row, f.rule) for f in fast.findings if f.severity == "error"]
    # Row by row as the sheet reads: the first branch's two bad cells, the unreadable row, the next branch's
    # unknown level (the «1.000» beside it is a count), then the members' cells; the counts that no longer add up
    # come from the schema checks, after reading.
    first = next(r for s, r, rule in found if rule == "not_integer")
    assert found[:4] == [
        ("Chi bộ", first, "not_integer"),
        ("Chi bộ", first, "not_integer"),
        ("Chi bộ", first + 1, "unknown_row"),
        ("Chi bộ", first + 2, "unknown_code"),
    ]
    rules = [rule for _, _, rule in found]
    assert "unknown_code" in rules[4:] and "not_integer" in rules[4:]  # the committee sheet's two bad cells
    assert [
        f.row for f in fast.findings if f.sheet == "Chi bộ" and f.rule in ("not_integer", "unknown_code", "unknown_row")
    ] == sorted(
        f.row for f in fast.findings if f.sheet == "Chi bộ" and f.rule in ("not_integer", "unknown_code", "unknown_row")
    )


def test_a_clean_return_reads_the_same_both_ways(province, monkeypatch):
    unit, year, b, c, h = fx.TINY_RETURNS[0]
    data = fx.return_bytes(province, unit, year, b, c, h)
    fast = _parse(data, province)
    with monkeypatch.context() as mp:
        _cell_by_cell(mp)
        slow = _parse(data, province)
    assert not isinstance(fast, ReturnRejected)
    assert _outcome(fast) == _outcome(slow)
