"""The indicator registry (queries/indicators.toml): labels, polarity, definitions — one source for everything."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache

from etl.settings import QUERIES_DIR

GROUP_LABELS = {
    "branch": "Xếp loại chi bộ",
    "member": "Đảng viên",
    "infrastructure": "Hạ tầng",
    "secretary": "Bí thư và bồi dưỡng",
    "village": "Chi bộ xóm, tổ dân phố",
}


@dataclass(frozen=True)
class Indicator:
    id: str
    group: str
    label: str
    short: str
    polarity: int
    numerator: str
    denominator: str
    definition: str
    series: str = ""
    default_subgroup: str | None = None
    subgroups: dict[str, str] = field(default_factory=dict)
    unit: str = "%"

    @property
    def view(self) -> str:
        return f"ind_{self.id}"

    @property
    def has_rating_breaks(self) -> bool:
        return self.series == "rating"

    def subgroup_label(self, sub: str | None) -> str:
        return self.subgroups.get(sub or self.default_subgroup or "", "")


@cache
def indicators() -> dict[str, Indicator]:
    """id -> Indicator, in registry order."""
    data = tomllib.loads((QUERIES_DIR / "indicators.toml").read_text(encoding="utf-8"))
    return {d["id"]: Indicator(**d) for d in data["indicator"]}


def get(indicator_id: str) -> Indicator:
    """The indicator with this id; KeyError (never SQL) for anything not in the registry."""
    return indicators()[indicator_id]
