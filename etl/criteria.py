"""The province's criteria for rating one branch meeting (Đề án 03-ĐA/TU asks for «bộ công cụ, tiêu chí đánh giá
chất lượng sinh hoạt chi bộ»): the levels and their score thresholds, the criteria groups and their points.

Data, not code: `data/provinces/<code>/meeting_criteria.toml`, else the default `etl/mappings/meeting_criteria.toml`.
The score sheet (forms/score_sheet.py) and the level columns of the return's «Sinh hoạt chi bộ» sheet are made from
it, and a return's counts by level are checked against it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from etl.settings import MAPPINGS_DIR
from etl.text import vn_decimal

FILE_NAME = "meeting_criteria.toml"
DEFAULT = MAPPINGS_DIR / FILE_NAME
MAX_LEVELS = 6  # the store keeps a meeting count per level in this many columns (q_level1 … q_level6)


class CriteriaError(ValueError):
    """The criteria file breaks a rule (the message is Vietnamese and names the file)."""


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    min: float  # lowest score of the level (inclusive); the level above starts where this one ends
    good: bool  # counts as «tốt trở lên»


@dataclass(frozen=True)
class Item:
    text: str
    points: float


@dataclass(frozen=True)
class Group:
    name: str
    items: tuple[Item, ...]

    @property
    def points(self) -> float:
        return sum(i.points for i in self.items)


@dataclass(frozen=True)
class Criteria:
    scale: float
    levels: tuple[Level, ...]  # highest first
    groups: tuple[Group, ...]
    confirmed: bool  # False: the default reading, not yet confirmed by the province
    basis: str
    path: Path

    def level_of(self, score: float) -> Level:
        """The level of a score (a score on a threshold belongs to the level it opens: exactly 90 is «Tốt»)."""
        return next(lv for lv in self.levels if score >= lv.min)

    def range_text(self, level: Level) -> str:
        """«từ 90 điểm trở lên», «từ 70 đến dưới 90 điểm», «dưới 50 điểm»."""
        i = self.levels.index(level)
        if i == 0:
            return f"từ {vn_decimal(level.min)} điểm trở lên"
        upper = self.levels[i - 1].min
        if level.min <= 0:
            return f"dưới {vn_decimal(upper)} điểm"
        return f"từ {vn_decimal(level.min)} đến dưới {vn_decimal(upper)} điểm"

    @property
    def good_names(self) -> str:
        """«Tốt» (or «Xuất sắc, Tốt»): the levels that count as «tốt trở lên»."""
        return ", ".join(lv.name for lv in self.levels if lv.good)


@cache
def load_criteria(folder: Path | None = None) -> Criteria:
    """The province folder's criteria, else the default; raises CriteriaError when the file breaks a rule."""
    path = folder / FILE_NAME if folder is not None and (folder / FILE_NAME).exists() else DEFAULT
    where = f"Tệp tiêu chí «{path}»"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise CriteriaError(f"{where} không đúng định dạng TOML ({e}).") from e
    try:
        levels = tuple(
            Level(str(lv["code"]), str(lv["name"]), float(lv["min"]), bool(lv.get("good"))) for lv in raw["level"]
        )
        groups = tuple(
            Group(str(g["name"]), tuple(Item(str(t), float(p)) for t, p in g["items"])) for g in raw["group"]
        )
        scale = float(raw.get("scale", 100))
    except (KeyError, TypeError, ValueError) as e:
        raise CriteriaError(f"{where}: thiếu hoặc sai mục {e} (xem tệp mặc định {DEFAULT.name}).") from e
    mins = [lv.min for lv in levels]
    if not 2 <= len(levels) <= MAX_LEVELS:
        raise CriteriaError(f"{where}: cần từ 2 đến {MAX_LEVELS} mức xếp loại (có {len(levels)}).")
    if any(a <= b for a, b in zip(mins, mins[1:])) or mins[-1] != 0:
        raise CriteriaError(f"{where}: ngưỡng điểm các mức phải giảm dần và mức cuối bắt đầu từ 0.")
    goods = [lv.good for lv in levels]
    if not goods[0] or any(not a and b for a, b in zip(goods, goods[1:])):
        raise CriteriaError(f"{where}: các mức «tốt trở lên» (good = true) phải là các mức trên cùng.")
    if len({lv.code for lv in levels}) != len(levels):
        raise CriteriaError(f"{where}: mã mức xếp loại bị trùng.")
    total = sum(g.points for g in groups)
    if abs(total - scale) > 1e-9:
        raise CriteriaError(
            f"{where}: điểm các nhóm tiêu chí cộng được {vn_decimal(total)}, khác thang điểm {vn_decimal(scale)}."
        )
    return Criteria(scale, levels, groups, bool(raw.get("confirmed", False)), str(raw.get("basis", "")), path)
