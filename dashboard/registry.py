"""The indicator registry (queries/indicators.toml): labels, polarity, definitions — one source for everything."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache

from etl.settings import QUERIES_DIR
from etl.views import indicator_aliases

# What a gap in units counts, by indicator group («cần thêm 37 chi bộ»); an indicator may name its own.
GAP_NOUNS = {
    "branch": "chi bộ",
    "grassroots": "tổ chức cơ sở đảng",
    "member": "đảng viên",
    "infrastructure": "chi bộ",
    "secretary": "đồng chí",
    "village": "chi bộ xóm",
    "meeting": "chi bộ",
}
GROUP_LABELS = {
    "branch": "Xếp loại chi bộ",
    "grassroots": "Tổ chức cơ sở đảng",
    "member": "Đảng viên",
    "infrastructure": "Hạ tầng",
    "secretary": "Bí thư và bồi dưỡng",
    "village": "Chi bộ xóm, tổ dân phố",
    "meeting": "Sinh hoạt chi bộ",
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
    subgroup_short: dict[str, str] = field(default_factory=dict)
    unit: str = "%"
    gap_noun: str = ""
    coverage: str = ""  # the indicator of how much of what this one rates was rated (shown beside it)
    villages: bool = False  # counts villages (xóm, tổ dân phố) or their branches only: none in a bloc's committees
    aliases: tuple[str, ...] = ()  # the ids it had before, still accepted from outside (`resolve`)

    @property
    def noun(self) -> str:
        """What one unit of the gap is: «chi bộ», «đảng viên», «xóm»…"""
        return self.gap_noun or GAP_NOUNS.get(self.group, "đơn vị")

    def gap_text(self, n: int) -> str:
        """The gap to a target in words: «cần thêm 37 chi bộ đạt yêu cầu» (higher is better) or «còn 9 chi bộ xóm
        cần khắc phục» (lower is better)."""
        from dashboard import fmt

        if self.polarity == 1:
            return f"cần thêm {fmt.num(n)} {self.noun} đạt yêu cầu"
        return f"còn {fmt.num(n)} {self.noun} cần khắc phục"

    @property
    def view(self) -> str:
        return f"ind_{self.id}"

    @property
    def has_rating_breaks(self) -> bool:
        return self.series == "rating"

    def short_for(self, sub: str | None = None) -> str:
        """The short name of what is counted for one subgroup (the default one if none): «Trưởng xóm là đảng
        viên», not the indicator's umbrella name, which would claim all six heads."""
        return self.subgroup_short.get(sub or self.default_subgroup or "", self.short)

    def label_for(self, sub: str | None = None) -> str:
        """The full label, naming the subgroup counted: «Người đứng đầu xóm, đoàn thể là đảng viên — Trưởng
        xóm, tổ trưởng TDP»."""
        name = self.subgroups.get(sub or self.default_subgroup or "")
        return f"{self.label} — {name}" if name else self.label


@cache
def indicators() -> dict[str, Indicator]:
    """id -> Indicator, in registry order."""
    data = tomllib.loads((QUERIES_DIR / "indicators.toml").read_text(encoding="utf-8"))
    return {d["id"]: Indicator(**d | {"aliases": tuple(d.get("aliases", ()))}) for d in data["indicator"]}


def resolve(indicator_id: str) -> str:
    """The indicator's id now for an id given from outside — a shared link's ?chi_tieu=, the command line — that
    may be an id it had before a rename (its `aliases` in indicators.toml); any other text unchanged, to be refused
    as before. The mapping is etl/views.py's, which the SQL joins too."""
    return indicator_aliases().get(indicator_id, indicator_id)


def get(indicator_id: str) -> Indicator:
    """The indicator with this id; KeyError (never SQL) for anything not in the registry."""
    return indicators()[indicator_id]


@dataclass(frozen=True)
class UnitMeasure:
    """A count per committee-year (not a rate per branch): what a per-unit target compares with its value."""

    id: str
    label: str
    short: str
    noun: str  # what is counted: «chi bộ»
    definition: str


@cache
def unit_measures() -> dict[str, UnitMeasure]:
    """id -> UnitMeasure, in registry order."""
    data = tomllib.loads((QUERIES_DIR / "indicators.toml").read_text(encoding="utf-8"))
    return {d["id"]: UnitMeasure(**d) for d in data.get("unit_measure", [])}
