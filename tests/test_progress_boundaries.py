"""The status thresholds of the progress method at their exact boundaries, in SQL (prg_progress) as in Python:
R = 0,95 is «đúng lộ trình», R = 0,60 is «cần đẩy nhanh» (docs/METHODS.md §1: R ≥ 0,95; 0,60 ≤ R < 0,95)."""

from __future__ import annotations

import pytest

from dashboard import data, methods
from dashboard.scope import Scope
from tests.fixtures import branch, build_store, province_of

AT_095, AT_060 = "01273", "01279"


def _uses(unit: str, year: int, using: int, total: int) -> tuple:
    rows = [branch(f"{unit}.{year}-{i}", "co_so", "dang", good=1, ehandbook=i < using) for i in range(total)]
    return unit, year, rows, (), ()


# e-handbook (T000-03: 100% by 2030). Paces are exact in binary floating point, so R is exactly 0,95 and 0,60:
#   AT_095: 2024 81/200 = 40,5%, 2025 2/4 = 50% → observed 9,5/yr, required (100 − 50)/5 = 10/yr, R = 9,5/10
#   AT_060: 2024 44/100 = 44%,  2025 2/4 = 50% → observed 6/yr,   required 10/yr,                 R = 6/10
RETURNS = [
    _uses(AT_095, 2024, 81, 200),
    _uses(AT_095, 2025, 2, 4),
    _uses(AT_060, 2024, 44, 100),
    _uses(AT_060, 2025, 2, 4),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("boundaries"), RETURNS, province_of((AT_095, AT_060)))


@pytest.mark.parametrize(
    ("unit", "ratio", "status"), [(AT_095, 0.95, "on_track"), (AT_060, 0.60, "needs_acceleration")]
)
def test_a_ratio_exactly_at_a_threshold(store, unit, ratio, status):
    p = data.progress(Scope.province(), target_id="T000-03", scope_kind="unit", root=store)
    row = p.filter(p["scope_code"] == unit).row(0, named=True)
    assert (row["ratio"], row["status"]) == (ratio, status)
    assert methods.status_from_ratio(row["ratio"]) == status  # the Python method agrees
