"""Vietnamese number formats: 1.462 (thousands with a dot), 16,83% (decimal comma), «—» for no data."""
from __future__ import annotations

import math

from babel.numbers import format_decimal, format_percent

LOCALE = "vi_VN"
NO_DATA = "—"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


def num(x: float | int | None, decimals: int = 0) -> str:
    """1462 -> '1.462'; 17239.15 with decimals=2 -> '17.239,15'."""
    if _missing(x):
        return NO_DATA
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(x, format=pattern, locale=LOCALE)


def pct(x: float | None, decimals: int = 2) -> str:
    """A percentage given on the 0–100 scale: 16.83 -> '16,83%'."""
    if _missing(x):
        return NO_DATA
    return format_percent(x / 100, format="#,##0." + "0" * decimals + "%" if decimals else "#,##0%", locale=LOCALE)


def points(x: float | None, decimals: int = 2) -> str:
    """A change in percentage points, signed: 1.2 -> '+1,20 điểm %'."""
    if _missing(x):
        return NO_DATA
    sign = "+" if x > 0 else "-" if x < 0 else "±"  # ASCII minus: Streamlit reads the sign of a delta from it
    return f"{sign}{num(abs(x), decimals)} điểm %"


def ratio(numerator: int | None, denominator: int | None) -> str:
    """'343/1.462'."""
    if _missing(numerator) or _missing(denominator):
        return NO_DATA
    return f"{num(numerator)}/{num(denominator)}"
