"""Pure formulas from docs/METHODS.md (progress, RAG, funnel limits, trend test) so every number on the dashboard is
testable."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Direction = Literal[1, -1]  # +1 higher is better, -1 lower is better

# Absolute tolerance for "reached the target / band edge" comparisons: inputs are percentages rounded to
# two decimals, so 1e-9 only absorbs binary float noise (e.g. 90.1 - 5 != 85.1) and never a real difference.
_EPS = 1e-9

# docs/METHODS.md §1: a zero value is replaced by 0.001 before taking ratios in the compound version.
_ZERO_SUBSTITUTE = 0.001

STATUS_LABELS: dict[str, str] = {
    "achieved": "Đã đạt",
    "on_track": "Đúng lộ trình",
    "needs_acceleration": "Cần đẩy nhanh",
    "limited_progress": "Chuyển biến chậm",
    "deteriorating": "Đi xuống",
    "insufficient_data": "Chưa đủ số liệu để đánh giá tốc độ",
}

# Most urgent first: the order the targets page lists them in.
STATUS_ORDER: tuple[str, ...] = (
    "deteriorating",
    "limited_progress",
    "needs_acceleration",
    "insufficient_data",
    "on_track",
    "achieved",
)

RAG_LABELS: dict[str, str] = {"green": "Đạt", "amber": "Gần đạt", "red": "Chưa đạt"}

FUNNEL_LABELS: dict[str, str] = {"better": "Tốt hơn đáng kể", "worse": "Kém hơn đáng kể", "similar": "Tương đương tỉnh"}

TREND_LABELS: dict[str, str] = {"up": "tăng", "down": "giảm", "none": "không thay đổi đáng kể", "na": "không tính được"}

# The progress statuses' thresholds on R = observed pace / required pace (docs/METHODS.md §1): «đúng lộ trình» from
# 0,95, «cần đẩy nhanh» from 0,60. The SQL of every page (prg_progress.sql) states them too; tests/test_one_home.py and the
# boundary cases of tests/test_progress_boundaries.py hold the two equal, and every text says them from here.
ON_TRACK_RATIO = 0.95
ACCELERATE_RATIO = 0.60


def ratio_pct(r: float) -> str:
    """A threshold of R in words: 0.95 → «95%»."""
    return f"{round(r * 100)}%"


TREND_CRITICAL_95 = 3.8415  # chi-squared, 1 df, p = 0.05
TREND_CRITICAL_998 = 9.5495  # chi-squared, 1 df, p = 0.002
TREND_YEARS = 5  # the trend test's years: the five most recent comparable ones, never more (as Fingertips)

# Funnel limits (docs/METHODS.md §3): two-sided normal quantiles. 99.8% is z = 3.0902 (Φ⁻¹(0.999)); 3.29 would be 99.9%.
FUNNEL_Z_95 = 1.96
FUNNEL_Z_998 = 3.0902

COMPARATORS: tuple[str, ...] = (">=", ">", "<=", "<", "=")
METHODS: tuple[str, ...] = ("linear", "compound")


def _finite(x: float | None) -> float | None:
    """Return x, or None if it is missing, NaN or infinite (callers must never see nan/inf)."""
    if x is None or not math.isfinite(x):
        return None
    return x


def _check_direction(direction: int) -> int:
    """Validate the polarity; a wrong value is a programming error, not bad data."""
    if direction not in (1, -1):
        raise ValueError(f"direction must be 1 or -1, got {direction!r}")
    return int(direction)


def _check_comparator(comparator: str, direction: int) -> None:
    """Reject unknown comparators and ones that contradict the polarity.

    A ">=" target on a lower-is-better indicator would silently report 'achieved' for almost any value,
    so the mismatch is raised rather than guessed.
    """
    if comparator not in COMPARATORS:
        raise ValueError(f"comparator must be one of {COMPARATORS}, got {comparator!r}")
    if (direction == 1 and comparator in ("<=", "<")) or (direction == -1 and comparator in (">=", ">")):
        raise ValueError(f"comparator {comparator!r} contradicts direction {direction}")


# docs/METHODS.md §1: progress.


def ols_slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of y on x; None if fewer than 2 distinct x or the result is not finite."""
    if len({x for x, _ in points}) < 2:
        return None
    n = len(points)
    x_mean = sum(x for x, _ in points) / n
    y_mean = sum(y for _, y in points) / n
    # Centred sums: years are ~2000, so raw Σx² would lose precision.
    sxx = sum((x - x_mean) ** 2 for x, _ in points)
    sxy = sum((x - x_mean) * (y - y_mean) for x, y in points)
    if sxx == 0:
        return None
    return _finite(sxy / sxx)


def status_from_ratio(r: float | None) -> str:
    """Map a progress ratio R to a status code (docs/METHODS.md §1 thresholds)."""
    if r is None or not math.isfinite(r):
        return "insufficient_data"
    if r >= ON_TRACK_RATIO:
        return "on_track"
    if r >= ACCELERATE_RATIO:
        return "needs_acceleration"
    if r >= 0:
        return "limited_progress"
    return "deteriorating"


def target_met(value: float, target: float, comparator: str, direction: int) -> bool:
    """Whether value satisfies the target.

    "=" means reaching the target value in the desired direction counts (d=+1: value ≥ target;
    d=-1: value ≤ target). Inclusive comparisons tolerate float noise of _EPS.
    """
    d = _check_direction(direction)
    _check_comparator(comparator, d)
    if comparator == "=":
        comparator = ">=" if d == 1 else "<="
    if comparator == ">=":
        return value >= target - _EPS
    if comparator == ">":
        return value > target + _EPS
    if comparator == "<=":
        return value <= target + _EPS
    return value < target - _EPS  # "<"


@dataclass(frozen=True)
class Progress:
    """Progress of one indicator toward its target (docs/METHODS.md §1)."""

    baseline_year: int | None
    baseline: float | None
    latest_year: int | None
    latest: float | None
    target: float
    deadline: int
    direction: int
    gap: float | None  # d·(target − latest) clipped at 0, in the indicator's unit
    observed_pace: float | None  # OLS slope, units/year, signed as observed
    required_pace: float | None  # (target − latest)/(deadline − latest_year), signed
    ratio_linear: float | None  # (d·observed)/(d·required)
    cagr_observed: float | None
    cagr_required: float | None
    ratio_compound: float | None  # d·CAGR_o/|CAGR_r|
    projection: float | None  # latest + observed_pace·(deadline − latest_year)
    status: str
    method: str


def _compound(
    t0: int, y0: float, ti: int, yi: float, target: float, deadline: int, d: int
) -> tuple[float | None, float | None, float | None]:
    """CAGR_o, CAGR_r and R = d·CAGR_o/|CAGR_r|, each None where undefined."""
    if min(y0, yi, target) < 0:
        return None, None, None  # fractional powers of negative ratios are not real numbers
    a, b, c = (v if v != 0 else _ZERO_SUBSTITUTE for v in (y0, yi, target))
    cagr_o = _finite((b / a) ** (1 / (ti - t0)) - 1) if ti > t0 else None
    cagr_r = _finite((c / a) ** (1 / (deadline - t0)) - 1) if deadline > t0 else None
    ratio = None
    if cagr_o is not None and cagr_r is not None and abs(cagr_r) > 1e-12:
        ratio = _finite(d * cagr_o / abs(cagr_r))
    return cagr_o, cagr_r, ratio


def progress(
    series: Mapping[int, float | None],
    target: float,
    deadline: int,
    direction: int,
    comparator: str = ">=",
    percent: bool = True,
    method: str = "linear",
) -> Progress:
    """Baseline, latest, paces, ratios, projection and status of a yearly series against a target.

    Missing (None / non-finite) years are skipped. Never raises on data and never returns nan/inf;
    raises ValueError only for an invalid direction, comparator or method.
    """
    d = _check_direction(direction)
    _check_comparator(comparator, d)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")

    points = sorted(
        (int(year), float(value)) for year, value in series.items() if value is not None and math.isfinite(value)
    )
    if not points:
        return Progress(
            None,
            None,
            None,
            None,
            target,
            deadline,
            d,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "insufficient_data",
            method,
        )

    t0, y0 = points[0]
    ti, yi = points[-1]
    met = target_met(yi, target, comparator, d)
    gap = _finite(max(0.0, d * (target - yi)))

    observed = ols_slope(points)
    required = _finite((target - yi) / (deadline - ti)) if deadline > ti else None

    ratio_linear = None
    # Only a required pace pointing the desired way gives a meaningful ratio (it is ≤ 0 once met).
    if observed is not None and required is not None and d * required > 0:
        ratio_linear = _finite((d * observed) / (d * required))

    cagr_o, cagr_r, ratio_compound = _compound(t0, y0, ti, yi, target, deadline, d)

    projection = None
    if observed is not None and deadline >= ti:
        projection = _finite(yi + observed * (deadline - ti))
        if projection is not None and percent:
            projection = min(100.0, max(0.0, projection))

    if met:
        status = "achieved"
    elif len(points) < 2:
        status = "insufficient_data"
    elif method == "compound":
        status = status_from_ratio(ratio_compound)
    elif ratio_linear is not None:
        status = status_from_ratio(ratio_linear)
    elif observed is not None:
        # Not met, yet no finite ratio: the deadline has passed (required pace → ∞, so R → 0 with the
        # sign of the observed pace) or a strict target sits exactly at the latest value (required
        # pace → 0+, so R → ±∞). Use those limits rather than pretend data are missing.
        moving = d * observed
        if deadline <= ti:
            status = "deteriorating" if moving < 0 else "limited_progress"
        elif moving > 0:
            status = "on_track"
        elif moving < 0:
            status = "deteriorating"
        else:
            status = "limited_progress"
    else:
        status = "insufficient_data"

    return Progress(
        baseline_year=t0,
        baseline=y0,
        latest_year=ti,
        latest=yi,
        target=target,
        deadline=deadline,
        direction=d,
        gap=gap,
        observed_pace=observed,
        required_pace=required,
        ratio_linear=ratio_linear,
        cagr_observed=cagr_o,
        cagr_required=cagr_r,
        ratio_compound=ratio_compound,
        projection=projection,
        status=status,
        method=method,
    )


def gap_in_units(
    latest: float | None, target: float, denominator: int | None, direction: int, strict: bool = False
) -> int | None:
    """Branches/members still needed: ceil(d·(target − latest)/100 · denominator), floored at 0; for a strict
    target («trên 95%»), the smallest count that passes it: at exactly 95% one more is needed, not none.

    None if latest or denominator is missing, or denominator ≤ 0 (a unit with nobody in it has no
    meaningful gap, and 0 would read as 'nothing left to do').
    """
    d = _check_direction(direction)
    if latest is None or denominator is None or denominator <= 0:
        return None
    raw = d * (target - latest) / 100 * denominator
    if not math.isfinite(raw):
        return None
    # round() first: 29.9 % of 1000 is 299.00000000000006 in floats and must not become 300.
    raw = round(raw, 9)
    if strict:
        return math.floor(raw) + 1 if raw >= 0 else 0
    return max(0, math.ceil(raw))


@dataclass(frozen=True)
class Stated:
    """A target's figures in its own words and direction."""

    latest: float | None
    target: float
    comparator: str  # ">=", ">", "<=", "<" (a plain "=" already read by the polarity)
    observed_pace: float | None
    required_pace: float | None


_MIRROR = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}


def stated(
    latest: float | None,
    target: float,
    comparator: str,
    complement: bool,
    observed_pace: float | None = None,
    required_pace: float | None = None,
) -> Stated:
    """A target measured by the complement of what it states («100% có ít nhất 3 đảng viên» measured by «dưới 3
    đảng viên ≤ 0%») in its own terms: 100 − value, the comparator mirrored, the paces negated. Other targets as
    they are. The status and the gap do not change: they are the same distance on the other side of 100%."""
    if not complement:
        return Stated(latest, target, comparator, observed_pace, required_pace)
    return Stated(
        None if latest is None else 100 - latest,
        100 - target,
        _MIRROR.get(comparator, comparator),
        None if observed_pace is None else -observed_pace,
        None if required_pace is None else -required_pace,
    )


# docs/METHODS.md §2: RAG.


def rag(value: float | None, target: float, direction: int, band: float = 5.0) -> str | None:
    """Red/amber/green against a target; amber is within `band` units on the wrong side."""
    d = _check_direction(direction)
    if value is None or not math.isfinite(value):
        return None
    # Multiplying by d mirrors polarity down onto polarity up.
    shortfall = d * (target - value)
    if shortfall <= _EPS:
        return "green"
    if shortfall <= band + _EPS:
        return "amber"
    return "red"


# docs/METHODS.md §3: funnel.


def funnel_limits(n: float, p0: float, z: float) -> tuple[float, float] | None:
    """Lower and upper funnel limits (proportions) for denominator n around province proportion p0.

    None if n ≤ 0 or p0 is outside [0, 1].
    """
    if not (n > 0 and 0 <= p0 <= 1 and math.isfinite(n) and math.isfinite(z)):
        return None
    e = n * p0
    z2 = z * z
    root = math.sqrt(max(0.0, z2 + 4 * e * (1 - e / n)))  # max(): p0 = 0 or 1 can give -0.0 noise
    denom = 2 * (n + z2)
    return (2 * e + z2 - z * root) / denom, (2 * e + z2 + z * root) / denom


def funnel_position(numerator: float, denominator: float, p0: float, z: float = 1.96) -> str | None:
    """'higher' / 'lower' / 'similar' versus the province; None if denominator ≤ 0."""
    limits = funnel_limits(denominator, p0, z)
    if limits is None:
        return None
    lower, upper = limits
    p = numerator / denominator
    if p > upper:
        return "higher"
    if p < lower:
        return "lower"
    return "similar"


def funnel_judgement(position: str | None, direction: int) -> str | None:
    """Translate higher/lower into better/worse by the indicator's polarity."""
    d = _check_direction(direction)
    if position is None:
        return None
    if position == "similar":
        return "similar"
    if position not in ("higher", "lower"):
        return None
    return "better" if (position == "higher") == (d == 1) else "worse"


def funnel_against(numerator: float, denominator: float, province_pct: float | None, direction: int) -> str | None:
    """A unit against the province by the funnel test (95%): better / worse / similar by the indicator's polarity;
    None without a province value (withheld) or a denominator. `province_pct` is in percent (16.83)."""
    position = funnel_position(numerator, denominator, province_pct / 100) if province_pct is not None else None
    return funnel_judgement(position, direction)


# docs/METHODS.md §4: trend.


@dataclass(frozen=True)
class Trend:
    """Result of the chi-squared test for linear trend in proportions (docs/METHODS.md §4)."""

    chi2: float | None
    significant: bool
    direction: str  # "up" / "down" / "none" / "na"
    label: str
    years: tuple[int, ...]


def _logit_slope(rows: Sequence[tuple[float, float, float]]) -> float | None:
    """The plain (unweighted) least-squares slope of ln(r/(n − r)) on t for rows of (t, r, n), as Fingertips checks
    a trend's direction: every year counts once, whatever its size, so one year cannot hide that it drives the trend.
    A year with r = 0 or r = n has no logit: then every year's is taken as ln((r + ½)/(n − r + ½)) (the empirical
    logit), so the check still runs."""
    half = 0.5 if any(r in (0, n) for _, r, n in rows) else 0.0
    return ols_slope([(t, math.log((r + half) / (n - r + half))) for t, r, n in rows])


def _sign(x: float) -> int:
    """-1, 0 or +1."""
    return (x > 0) - (x < 0)


def segments(years: Sequence[int], breaks: Sequence[int]) -> list[list[int]]:
    """The years cut into runs that no series break crosses (docs/METHODS.md §5): a break in year b separates the years
    before b from b and after. [2021..2025] with breaks 2023, 2025 → [[2021, 2022], [2023, 2024], [2025]]."""
    out: list[list[int]] = []
    for y in sorted(years):
        if not out or any(out[-1][-1] < b <= y for b in breaks):
            out.append([y])
        else:
            out[-1].append(y)
    return out


def trend_test(counts: Mapping[int, tuple[float, float]], critical: float = TREND_CRITICAL_998) -> Trend:
    """Chi-squared test for trend with scores t = rank of the year over the five most recent years (never more: a
    long unbroken run would test another question), plus a leave-one-year-out check that the sign of the plain
    least-squares slope of the logit stays the same (docs/METHODS.md §4).

    Years with n ≤ 0 carry no information and are dropped before ranking. Invalid counts (r < 0, r > n,
    non-finite) make the result "na" rather than raising.
    """
    usable = sorted((int(y), float(r), float(n)) for y, (r, n) in counts.items() if n is not None and n > 0)
    usable = usable[-TREND_YEARS:]
    years = tuple(y for y, _, _ in usable)

    def na() -> Trend:
        return Trend(None, False, "na", TREND_LABELS["na"], years)

    if len(usable) < 3:
        return na()
    if any(not (math.isfinite(r) and math.isfinite(n)) or r < 0 or r > n for _, r, n in usable):
        return na()

    rows = [(float(rank), r, n) for rank, (_, r, n) in enumerate(usable, start=1)]
    big_n = sum(n for _, _, n in rows)
    big_r = sum(r for _, r, _ in rows)
    s_nt = sum(n * t for t, _, n in rows)
    s_ntt = sum(n * t * t for t, _, n in rows)
    slope = big_n * sum(r * t for t, r, _ in rows) - big_r * s_nt
    denom = big_r * (big_n - big_r) * (big_n * s_ntt - s_nt**2)
    if big_n == 0 or big_r == 0 or big_r == big_n or denom <= 0:
        return na()
    chi2 = _finite(big_n * slope**2 / denom)
    if chi2 is None:
        return na()

    # Scores of the full series are kept when a year is left out, so the real spacing is preserved.
    sign = _sign(slope)
    stable = sign != 0 and all(_sign(_logit_slope(rows[:i] + rows[i + 1 :]) or 0.0) == sign for i in range(len(rows)))
    significant = chi2 > critical and stable
    direction = ("up" if sign > 0 else "down") if significant else "none"
    return Trend(chi2, significant, direction, TREND_LABELS[direction], years)


def withheld_parts(parts: Mapping[str, Mapping[str, int]], min_units: int, min_branches: int) -> tuple[set[str], bool]:
    """Which parts of a whole a commune user may not see, and whether the whole is withheld too.

    `parts`: each part of a partition of the whole (a branch type) → the other units' branches in it (unit →
    branches; the user's own unit left out: it knows its own). A group is small when it covers fewer than
    `min_units` other units or `min_branches` other branches; a group without other branches is nothing to hide.
    Primary suppression withholds every small part; secondary suppression then withholds the parts with the
    fewest other branches until the withheld parts together are no small group, because the whole minus every
    part shown is their sum. The whole is withheld when it is itself small, or when no part is left to add."""

    def union(names) -> dict[str, int]:
        out: dict[str, int] = {}
        for name in names:
            for unit, n in parts[name].items():
                out[unit] = out.get(unit, 0) + n
        return out

    def small(group: Mapping[str, int]) -> bool:
        return bool(group) and (len(group) < min_units or sum(group.values()) < min_branches)

    withheld = {name for name, group in parts.items() if small(group)}
    while small(union(withheld)):
        rest = sorted((sum(g.values()), name) for name, g in parts.items() if name not in withheld)
        if not rest:
            break
        withheld.add(rest[0][1])
    return withheld, small(union(parts)) or small(union(withheld))
