"""The shared types of a request for data: what the user selected (`Filters`), who is asking (`Scope`), and how
complete the data behind a selection is (`Coverage`). Plain values, no queries: the data layer
(`dashboard/data.py`) applies them to every query; the pages, exports and documents pass them along."""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from dashboard import fmt
from etl.roles import Role

NO_UNIT = "\x00none"  # a unit code that matches nothing


@dataclass(frozen=True)
class Filters:
    """What the user selected; an empty tuple means «all»."""

    years: tuple[int, ...] = ()
    units: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()  # a national deployment: the units of these provinces

    def but(self, **kw) -> Filters:
        return replace(self, **{k: tuple(v) for k, v in kw.items()})


@dataclass(frozen=True)
class Scope:
    """Who is asking: the province (all units), a commune (its own unit only) or an admin (all units); in a national
    deployment, a province user may be scoped to one province (`province_code`: its units only)."""

    role: str = Role.PROVINCE
    unit_code: str | None = None
    province_code: str | None = None

    @classmethod
    def province(cls) -> Scope:
        return cls(Role.PROVINCE)

    @classmethod
    def commune(cls, unit_code: str) -> Scope:
        return cls(Role.COMMUNE, unit_code)

    @classmethod
    def of_province(cls, province_code: str) -> Scope:
        """A user of one province in a national deployment."""
        return cls(Role.PROVINCE, None, province_code)

    @property
    def is_commune(self) -> bool:
        return self.role == Role.COMMUNE

    @property
    def is_one_province(self) -> bool:
        return self.province_code is not None and not self.is_commune

    def restrict(self, f: Filters) -> Filters:
        """The filters narrowed to what this scope may see."""
        if self.is_one_province:
            own = self.province_code
            return f.but(provinces=(own,) if (not f.provinces or own in f.provinces) else (NO_UNIT,))
        if not self.is_commune:
            return f
        allowed = (self.unit_code,) if (not f.units or self.unit_code in f.units) else (NO_UNIT,)
        return f.but(units=allowed)


@dataclass(frozen=True)
class Coverage:
    """How many of the units a view covers have reported in a year, and whether that is enough to speak for them."""

    reported: int
    expected: int
    complete: bool

    @property
    def text(self) -> str:
        """«57/60 đơn vị» (Vietnamese number format)."""
        return f"{fmt.num(self.reported)}/{fmt.num(self.expected)} đơn vị"

    @staticmethod
    def by_year(df: pl.DataFrame) -> dict[int, Coverage]:
        return {y: Coverage(n, e, c) for y, n, e, c in df.select("year", "reported", "expected", "complete").rows()}
