"""Completeness of the returns (dq_completeness): one unit of each status, and the 90% boundary of «fewer branches»."""

from __future__ import annotations

import pytest

from dashboard import data
from dashboard.scope import Scope
from tests.fixtures import DV, KH, branch, build_store, heads, member

pytestmark = pytest.mark.slow  # a store of one unit of each status, built for the module

A, B, C, D = "01273", "01279", "01288", "01290"  # four communes of Cao Bằng


def _branches(unit: str, n: int, villages: int = 0) -> list[dict]:
    out = [branch(f"{unit}.{i}", "co_so", "dang", good=1) for i in range(n - villages)]
    out += [branch(f"{unit}.X{i}", "tt_cap_tren", "xom", good=2, resident_members=2) for i in range(villages)]
    return out


def _secretaries(rows: list[dict]) -> list[dict]:
    return [member(f"{r['branch_code']}-BT", r["branch_code"], "bi_thu", "so_cap", True, "biet") for r in rows]


def _ret(unit: str, year: int, rows: list[dict], with_heads: int | None = None, with_committee: bool = True):
    villages = [r for r in rows if r["branch_type"] == "xom"]
    n_heads = len(villages) if with_heads is None else with_heads
    hs = [heads(v["branch_code"], DV, DV, DV, KH, KH, KH) for v in villages[:n_heads]]
    return (unit, year, rows, _secretaries(rows) if with_committee else [], hs)


@pytest.fixture(scope="module")
def statuses(tmp_path_factory, province) -> dict[tuple[str, int], str]:
    returns = [
        _ret(A, 2024, _branches(A, 10)),
        _ret(B, 2024, _branches(B, 10)),
        _ret(C, 2024, _branches(C, 10)),
        _ret(D, 2024, _branches(D, 4, villages=2)),
        # 2025: A 9 of last year's 10 = exactly 90% (not «fewer»); B 8 < 9 (fewer); C does not report;
        # D's heads sheet lists 1 of its 2 villages (partial)
        _ret(A, 2025, _branches(A, 9)),
        _ret(B, 2025, _branches(B, 8)),
        _ret(D, 2025, _branches(D, 4, villages=2), with_heads=1),
    ]
    root = build_store(tmp_path_factory.mktemp("completeness") / "parquet", returns, province)
    df = data.completeness(Scope.province(), root=root)
    return {(r["unit_code"], r["year"]): r["status"] for r in df.iter_rows(named=True)}


def test_one_unit_of_each_status(statuses):
    assert {k: v for k, v in statuses.items() if k[0] in (A, B, C, D)} == {
        (A, 2024): "complete",
        (B, 2024): "complete",
        (C, 2024): "complete",
        (D, 2024): "complete",
        (A, 2025): "complete",  # 9 = 0.9 × 10: the boundary is not «fewer»
        (B, 2025): "fewer_branches",  # 8 < 0.9 × 10
        (C, 2025): "missing",
        (D, 2025): "partial",  # 1 head row for 2 villages
    }


def test_units_that_never_reported_are_missing_every_year(statuses):
    others = {v for (u, _), v in statuses.items() if u not in (A, B, C, D)}
    assert others == {"missing"}


def test_a_return_without_committee_members_is_partial(tmp_path, province):
    root = build_store(tmp_path / "parquet", [_ret(A, 2025, _branches(A, 3), with_committee=False)], province)
    df = data.completeness(Scope.province(), root=root)
    assert df.filter(df["unit_code"] == A)["status"].to_list() == ["partial"]
