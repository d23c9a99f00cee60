"""Vietnamese number formats for the pages: 1.462 (thousands with a dot), 16,83% (decimal comma), «—» for no data.

The number format itself is etl/text.py's `vn_num` (its one home: the ETL's messages use it too); this module adds
what a page needs around it (no data, percentages, points, ratios, safe markdown)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import polars as pl

from etl.text import vn_num

NO_DATA = "—"


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$:="})
# Streamlit's markdown turns a bare «http://…», «www.…» or «ai@…» into a live link after parsing, escaped or not
# (GFM autolink literals; entities are decoded first too): an invisible word joiner inside the pattern keeps it
# text that reads the same (issue 29.8).
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """Text typed by someone (a file name, a branch code or name, a comment, a user name) made safe inside
    Streamlit markdown: every markdown sign is escaped and bare addresses are kept from becoming links, so it
    shows as typed (no link, image, HTML or colour is drawn)."""
    return _AUTOLINK.sub(WORD_JOINER, str(text)).translate(_MARKDOWN)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


def num(x: float | int | None, decimals: int = 0) -> str:
    """1462 -> '1.462'; 17239.15 with decimals=2 -> '17.239,15'."""
    if _missing(x):
        return NO_DATA
    return vn_num(x, decimals)


def count(n: int | None) -> str:
    """A count as administrative prose writes it: two digits below ten (4 -> '04', 9 -> '09'), else like num."""
    if _missing(n):
        return NO_DATA
    return f"{n:02d}" if 0 < n < 10 else num(n)


def pct(x: float | None, decimals: int = 2) -> str:
    """A percentage given on the 0–100 scale: 16.83 -> '16,83%'."""
    if _missing(x):
        return NO_DATA
    return num(x, decimals) + "%"


def points(x: float | None, decimals: int = 2) -> str:
    """A change in percentage points, signed: 1.2 -> '+1,20 điểm %'; a change that rounds to nothing is «±0,00»
    (never «+0,00»)."""
    if _missing(x):
        return NO_DATA
    x = round(x, decimals)
    sign = "+" if x > 0 else "-" if x < 0 else "±"  # ASCII minus: Streamlit reads the sign of a delta from it
    return f"{sign}{num(abs(x), decimals)} điểm %"


def ratio(numerator: int | None, denominator: int | None) -> str:
    """'343/1.462'."""
    if _missing(numerator) or _missing(denominator):
        return NO_DATA
    return f"{num(numerator)}/{num(denominator)}"


def py_map(s: pl.Series, f: Callable, skip_nulls: bool = True) -> pl.Series:
    """f applied to every value of s (nulls kept as nulls unless skip_nulls=False), in Python: a text column.

    Never `map_elements`: a polars UDF runs on polars' thread pool and must take the GIL there. On the server the
    sessions' scripts are threads of one process; with the pool busy in such a UDF while another thread holds the GIL
    and waits for the pool (polars' `to_pandas`), every session hung for good — benchmarks/wsload.py found it at five
    concurrent sessions on one core (tests/test_wsload.py keeps map_elements out of dashboard/, pages/ and etl/)."""
    return pl.Series(s.name, [None if v is None and skip_nulls else f(v) for v in s.to_list()], dtype=pl.String)
