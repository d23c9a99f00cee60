"""Hand-computed tests for dashboard.methods (docs/METHODS.md worked examples, boundaries and degenerate inputs)."""

from __future__ import annotations

import math

import polars as pl
import pytest

from dashboard import methods, registry
from dashboard.methods import (
    FUNNEL_LABELS,
    FUNNEL_Z_998,
    RAG_LABELS,
    STATUS_LABELS,
    TREND_CRITICAL_95,
    TREND_CRITICAL_998,
    TREND_LABELS,
    TREND_YEARS,
    Progress,
    funnel_judgement,
    funnel_limits,
    funnel_position,
    gap_in_units,
    ols_slope,
    progress,
    rag,
    status_from_ratio,
    target_met,
    trend_test,
)

approx = pytest.approx


# --------------------------------------------------------------------------- labels


def test_labels_are_vietnamese_with_diacritics():
    assert STATUS_LABELS == {
        "achieved": "Đã đạt",
        "on_track": "Đúng lộ trình",
        "needs_acceleration": "Cần đẩy nhanh",
        "limited_progress": "Chuyển biến chậm",
        "deteriorating": "Đi xuống",
        "insufficient_data": "Chưa đủ số liệu để đánh giá tốc độ",
    }
    assert RAG_LABELS == {"green": "Đạt", "amber": "Gần đạt", "red": "Chưa đạt"}
    assert FUNNEL_LABELS == {"better": "Tốt hơn đáng kể", "worse": "Kém hơn đáng kể", "similar": "Tương đương tỉnh"}
    assert TREND_LABELS["na"] == "không tính được"
    assert TREND_CRITICAL_95 == 3.8415 and TREND_CRITICAL_998 == 9.5495


# --------------------------------------------------------------------------- ols_slope


def test_ols_slope_differs_from_endpoint_slope():
    # x̄ = 1.5, ȳ = 2; Sxy = (-1.5)(-2) + (-0.5)(1) + (0.5)(0) + (1.5)(1) = 4; Sxx = 2.25+0.25+0.25+2.25 = 5
    # slope = 4/5 = 0.8 (endpoint slope would be 3/3 = 1)
    assert ols_slope([(0, 0), (1, 3), (2, 2), (3, 3)]) == approx(0.8)


def test_ols_slope_years_scale():
    # (2021, 82), (2025, 86): (86 - 82)/(2025 - 2021) = 1.0
    assert ols_slope([(2021, 82), (2025, 86)]) == approx(1.0)


def test_ols_slope_needs_two_distinct_x():
    assert ols_slope([]) is None
    assert ols_slope([(2025, 86.0)]) is None
    assert ols_slope([(2025, 80.0), (2025, 90.0)]) is None  # one distinct x: Sxx = 0


# --------------------------------------------------------------------------- status_from_ratio


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (1.25, "on_track"),
        (0.95, "on_track"),  # boundary: R ≥ 0.95
        (0.9499, "needs_acceleration"),
        (0.60, "needs_acceleration"),  # boundary: 0.60 ≤ R
        (0.5999, "limited_progress"),
        (0.0, "limited_progress"),  # boundary: 0 ≤ R
        (-0.0001, "deteriorating"),
        (-2.0, "deteriorating"),
        (None, "insufficient_data"),
        (float("nan"), "insufficient_data"),
    ],
)
def test_status_from_ratio_boundaries(ratio, expected):
    assert status_from_ratio(ratio) == expected


# --------------------------------------------------------------------------- target_met


def test_target_met_comparators():
    assert target_met(90.0, 90.0, ">=", 1) is True  # 90 ≥ 90
    assert target_met(89.99, 90.0, ">=", 1) is False  # 89.99 < 90
    assert target_met(90.0, 90.0, ">", 1) is False  # 90 is not > 90
    assert target_met(90.01, 90.0, ">", 1) is True
    assert target_met(0.0, 0.0, "<=", -1) is True  # "≤ 0" target with value 0
    assert target_met(0.1, 0.0, "<=", -1) is False
    assert target_met(0.0, 0.0, "<", -1) is False  # 0 is not < 0
    # "=" means reaching the target in the desired direction
    assert target_met(100.0, 100.0, "=", 1) is True
    assert target_met(99.9, 100.0, "=", 1) is False
    assert target_met(0.0, 0.0, "=", -1) is True
    assert target_met(0.5, 0.0, "=", -1) is False
    # float noise: 0.1 + 0.2 = 0.30000000000000004 still meets "≤ 0.3" and 0.3 meets "≥ 0.1 + 0.2"
    assert target_met(0.1 + 0.2, 0.3, "<=", -1) is True
    assert target_met(0.3, 0.1 + 0.2, ">=", 1) is True


def test_target_met_rejects_contradictory_or_unknown_comparator():
    with pytest.raises(ValueError):
        target_met(17.9, 0.0, ">=", -1)  # would call 17.9 % without Internet "achieved"
    with pytest.raises(ValueError):
        target_met(80.0, 90.0, "<=", 1)
    with pytest.raises(ValueError):
        target_met(80.0, 90.0, "==", 1)
    with pytest.raises(ValueError):
        target_met(80.0, 90.0, ">=", 0)


# --------------------------------------------------------------------------- progress: docs/METHODS.md worked examples


def test_members_good_or_better_compound_worked_example():
    p = progress({2021: 82.0, 2025: 86.0}, target=90.0, deadline=2030, direction=1, method="compound")
    # CAGR_o = (86/82)^(1/4) - 1 = 1.04878^0.25 - 1 = 0.011978 → 1.198 %/yr
    assert p.cagr_observed == approx(0.011978, abs=5e-6)
    # CAGR_r = (90/82)^(1/(2030-2021)) - 1 = 1.09756^(1/9) - 1 = 0.010397 → 1.040 %/yr
    assert p.cagr_required == approx(0.010397, abs=5e-6)
    # R = +1 · 0.011978 / |0.010397| = 1.152 → 1.15 ≥ 0.95 → on track
    assert p.ratio_compound == approx(1.152, abs=5e-4)
    assert round(p.ratio_compound, 2) == 1.15
    assert p.status == "on_track"
    assert p.method == "compound"


def test_members_good_or_better_linear_numbers():
    p = progress({2021: 82.0, 2025: 86.0}, target=90.0, deadline=2030, direction=1)
    assert p.observed_pace == approx(1.0)  # (86 - 82)/(2025 - 2021) = 1.0 pp/yr
    assert p.required_pace == approx(0.8)  # (90 - 86)/(2030 - 2025) = 0.8 pp/yr
    assert p.ratio_linear == approx(1.25)  # 1.0/0.8 = 1.25 → on track
    assert p.gap == approx(4.0)  # 90 - 86 = 4 pp
    assert p.projection == approx(91.0)  # 86 + 1.0·5 = 91
    assert p.status == "on_track"
    assert p.method == "linear"
    assert (p.baseline_year, p.baseline, p.latest_year, p.latest) == (2021, 82.0, 2025, 86.0)
    # compound fields are filled in the linear method too
    assert p.ratio_compound == approx(1.152, abs=5e-4)


def test_secretaries_trained_compound_worked_example():
    p = progress({2021: 70.0, 2025: 85.0}, target=100.0, deadline=2030, direction=1, method="compound")
    # CAGR_o = (85/70)^(1/4) - 1 = 1.21429^0.25 - 1 = 0.049736 → 4.97 %/yr
    assert p.cagr_observed == approx(0.049736, abs=5e-6)
    # CAGR_r = (100/70)^(1/9) - 1 = 1.42857^(1/9) - 1 = 0.040426 → 4.04 %/yr
    assert p.cagr_required == approx(0.040426, abs=5e-6)
    # R = 0.049736/0.040426 = 1.2303 → 1.23 → on track
    assert p.ratio_compound == approx(1.2303, abs=5e-4)
    assert round(p.ratio_compound, 2) == 1.23
    assert p.status == "on_track"


def test_secretaries_trained_linear_numbers():
    p = progress({2021: 70.0, 2025: 85.0}, target=100.0, deadline=2030, direction=1)
    assert p.observed_pace == approx(3.75)  # (85 - 70)/4 = 3.75 pp/yr
    assert p.required_pace == approx(3.0)  # (100 - 85)/5 = 3.0 pp/yr
    assert p.ratio_linear == approx(1.25)  # 3.75/3.0 = 1.25 → on track
    assert p.projection == approx(100.0)  # 85 + 3.75·5 = 103.75, clipped to 100
    assert p.status == "on_track"


def test_projection_not_clipped_when_not_percent():
    p = progress({2021: 70.0, 2025: 85.0}, target=100.0, deadline=2030, direction=1, percent=False)
    assert p.projection == approx(103.75)  # 85 + 3.75·5 = 103.75, no clipping for counts


# --------------------------------------------------------------------------- progress: status boundaries via the linear ratio


@pytest.mark.parametrize(
    ("latest", "target", "ratio", "expected"),
    [
        # p_o = (latest - 50)/4, p_r = (target - latest)/5
        (69.0, 94.0, 0.95, "on_track"),  # p_o = 19/4 = 4.75, p_r = 25/5 = 5 → R = 0.95 exactly
        (68.0, 93.0, 0.90, "needs_acceleration"),  # p_o = 18/4 = 4.5, p_r = 25/5 = 5 → R = 0.90
        (62.0, 87.0, 0.60, "needs_acceleration"),  # p_o = 12/4 = 3, p_r = 25/5 = 5 → R = 0.60 exactly
        (61.0, 86.0, 0.55, "limited_progress"),  # p_o = 11/4 = 2.75, p_r = 5 → R = 0.55
        (50.0, 75.0, 0.0, "limited_progress"),  # p_o = 0, p_r = 5 → R = 0
        (46.0, 71.0, -0.2, "deteriorating"),  # p_o = -4/4 = -1, p_r = 5 → R = -0.2
    ],
)
def test_progress_status_boundaries(latest, target, ratio, expected):
    p = progress({2021: 50.0, 2025: latest}, target=target, deadline=2030, direction=1)
    assert p.ratio_linear == approx(ratio, abs=1e-12)
    assert p.status == expected


# --------------------------------------------------------------------------- progress: direction −1


def test_branches_without_internet_direction_down():
    p = progress({2021: 23.5, 2025: 17.9}, target=0.0, deadline=2030, direction=-1, comparator="<=")
    assert p.observed_pace == approx(-1.4)  # (17.9 - 23.5)/4 = -1.4 pp/yr (signed as observed)
    assert p.required_pace == approx(-3.58)  # (0 - 17.9)/5 = -3.58 pp/yr
    assert p.ratio_linear == approx(0.391061, abs=1e-6)  # (-1·-1.4)/(-1·-3.58) = 1.4/3.58 = 0.3911
    assert p.gap == approx(17.9)  # -1·(0 - 17.9) = 17.9 pp still to remove
    assert p.projection == approx(10.9)  # 17.9 + (-1.4)·5 = 10.9
    assert p.status == "limited_progress"  # 0 ≤ 0.391 < 0.60
    # compound: CAGR_o = (17.9/23.5)^(1/4) - 1 = 0.76170^0.25 - 1 = -0.065786
    assert p.cagr_observed == approx(-0.065786, abs=1e-6)
    # target 0 → 0.001: CAGR_r = (0.001/23.5)^(1/9) - 1 = (4.2553e-5)^(1/9) - 1 = -0.673167
    assert p.cagr_required == approx(-0.673167, abs=1e-6)
    # R = -1·(-0.065786)/0.673167 = 0.09773 → limited progress
    assert p.ratio_compound == approx(0.097726, abs=1e-6)
    pc = progress({2021: 23.5, 2025: 17.9}, target=0.0, deadline=2030, direction=-1, comparator="<=", method="compound")
    assert pc.status == "limited_progress"


def test_direction_down_getting_worse_is_deteriorating():
    p = progress({2021: 17.9, 2025: 23.5}, target=0.0, deadline=2030, direction=-1, comparator="<=")
    assert p.required_pace == approx(-4.7)  # (0 - 23.5)/5 = -4.7 pp/yr
    assert p.ratio_linear == approx(-0.297872, abs=1e-6)  # (-1·1.4)/(-1·-4.7) = -1.4/4.7 = -0.2979
    assert p.status == "deteriorating"
    assert p.gap == approx(23.5)  # -1·(0 - 23.5)


def test_direction_down_contradictory_default_comparator_raises():
    with pytest.raises(ValueError):
        progress({2021: 23.5, 2025: 17.9}, target=0.0, deadline=2030, direction=-1)  # default ">="


# --------------------------------------------------------------------------- progress: target already met


def test_target_already_met_direction_up():
    p = progress({2021: 85.0, 2025: 92.0}, target=90.0, deadline=2030, direction=1)
    assert p.status == "achieved"  # 92 ≥ 90
    assert p.gap == 0.0  # max(0, 90 - 92) = 0
    assert p.required_pace == approx(-0.4)  # (90 - 92)/5 = -0.4: already past the target
    assert p.ratio_linear is None  # no meaningful ratio against a pace pointing backwards
    assert p.observed_pace == approx(1.75)  # (92 - 85)/4


def test_target_already_met_direction_down_zero_target():
    p = progress({2021: 3.0, 2025: 0.0}, target=0.0, deadline=2030, direction=-1, comparator="<=")
    assert p.status == "achieved"  # 0 ≤ 0
    assert p.gap == 0.0  # -1·(0 - 0) = 0
    assert p.required_pace == 0.0  # (0 - 0)/5
    assert p.ratio_linear is None  # division by zero guarded
    # compound: 0 → 0.001, CAGR_o = (0.001/3)^(1/4) - 1 = -0.9240; CAGR_r same base → (0.001/3)^(1/9) - 1 = -0.5898
    assert p.cagr_observed == approx((0.001 / 3) ** 0.25 - 1)
    assert p.cagr_required == approx((0.001 / 3) ** (1 / 9) - 1)


def test_single_point_already_met_is_achieved():
    p = progress({2025: 100.0}, target=100.0, deadline=2030, direction=1, comparator="=")
    assert p.status == "achieved"
    assert p.observed_pace is None and p.projection is None


def test_strict_target_at_exact_value_is_not_achieved():
    # target "> 90" with latest 90: not met; p_r = (90 - 90)/5 = 0 → no ratio; rising at 1 pp/yr
    p = progress({2021: 86.0, 2025: 90.0}, target=90.0, deadline=2030, direction=1, comparator=">")
    assert p.status == "on_track"
    assert p.ratio_linear is None
    assert p.required_pace == 0.0


# --------------------------------------------------------------------------- progress: degenerate inputs


def test_empty_series():
    for series in ({}, {2021: None, 2025: None}):
        p = progress(series, target=90.0, deadline=2030, direction=1)
        assert p.status == "insufficient_data"
        assert p.baseline is None and p.latest is None and p.gap is None
        assert p.observed_pace is None and p.required_pace is None and p.projection is None
        assert p.ratio_linear is None and p.ratio_compound is None


def test_single_point_not_met_is_insufficient():
    p = progress({2025: 86.0}, target=90.0, deadline=2030, direction=1)
    assert p.status == "insufficient_data"
    assert p.observed_pace is None and p.ratio_linear is None and p.projection is None
    assert p.cagr_observed is None and p.ratio_compound is None
    assert p.required_pace == approx(0.8)  # (90 - 86)/5
    assert p.gap == approx(4.0)  # 90 - 86
    # baseline = latest = 2025, so only the required growth is defined: (90/86)^(1/5) - 1 = 0.009134
    assert p.cagr_required == approx(0.009134, abs=1e-6)


def test_missing_year_inside_series_is_skipped():
    p = progress({2021: 80.0, 2022: None, 2023: 84.0, 2024: 84.0, 2025: 86.0}, target=90.0, deadline=2030, direction=1)
    # years 2021, 2023, 2024, 2025: x̄ = 2023.25, dev = -2.25, -0.25, 0.75, 1.75, Sxx = 8.75
    # ȳ = 83.5, dev = -3.5, 0.5, 0.5, 2.5; Sxy = 7.875 - 0.125 + 0.375 + 4.375 = 12.5
    # slope = 12.5/8.75 = 1.428571 (endpoint slope 6/4 = 1.5; ranks 1..4 would give 9/5 = 1.8)
    assert p.observed_pace == approx(10 / 7)
    assert p.ratio_linear == approx((10 / 7) / 0.8)  # 1.428571/0.8 = 1.7857 → on track
    assert p.projection == approx(86 + 5 * 10 / 7)  # 86 + 1.428571·5 = 93.142857
    assert (p.baseline_year, p.latest_year) == (2021, 2025)
    assert p.status == "on_track"


def test_nan_value_is_skipped_like_none():
    p = progress({2021: 82.0, 2023: float("nan"), 2025: 86.0}, target=90.0, deadline=2030, direction=1)
    assert p.observed_pace == approx(1.0)  # only (2021, 82) and (2025, 86)


def test_deadline_passed_not_met_has_no_required_pace():
    p = progress({2021: 80.0, 2025: 84.0}, target=90.0, deadline=2025, direction=1)
    assert p.required_pace is None  # deadline - latest_year = 0
    assert p.ratio_linear is None
    assert p.status == "limited_progress"  # R → 0+ as the required pace → ∞ while rising 1 pp/yr
    p = progress({2021: 84.0, 2025: 80.0}, target=90.0, deadline=2024, direction=1)
    assert p.status == "deteriorating"  # falling by 1 pp/yr with the deadline behind us
    assert p.projection is None  # no projection back in time


def test_compound_zero_baseline_is_replaced():
    p = progress({2021: 0.0, 2025: 10.0}, target=100.0, deadline=2030, direction=1, method="compound")
    assert p.cagr_observed == approx(9.0)  # (10/0.001)^(1/4) - 1 = 10000^0.25 - 1 = 10 - 1 = 9
    assert p.cagr_required == approx(10 ** (5 / 9) - 1)  # (100/0.001)^(1/9) - 1 = 10^(5/9) - 1 = 2.59381
    assert p.ratio_compound == approx(3.469794, abs=1e-6)  # 9/2.59381 = 3.4698
    assert p.status == "on_track"


def test_compound_zero_required_growth_gives_no_ratio():
    # target equals the baseline: CAGR_r = (80/80)^(1/9) - 1 = 0 → ratio None
    p = progress({2021: 80.0, 2025: 78.0}, target=80.0, deadline=2030, direction=1, method="compound")
    assert p.cagr_required == 0.0
    assert p.ratio_compound is None
    assert p.status == "insufficient_data"
    # the linear ratio is still defined: (-2/4)/((80 - 78)/5) = -0.5/0.4 = -1.25
    assert p.ratio_linear == approx(-1.25)


def test_progress_never_returns_nan_or_inf():
    p = progress({2021: 0.0, 2025: 0.0}, target=0.0, deadline=2030, direction=1, comparator=">")
    for value in (
        p.gap,
        p.observed_pace,
        p.required_pace,
        p.ratio_linear,
        p.cagr_observed,
        p.cagr_required,
        p.ratio_compound,
        p.projection,
    ):
        assert value is None or math.isfinite(value)


def test_progress_is_frozen():
    p = progress({2021: 82.0, 2025: 86.0}, target=90.0, deadline=2030, direction=1)
    assert isinstance(p, Progress)
    with pytest.raises(AttributeError):
        p.status = "achieved"  # type: ignore[misc]


def test_progress_rejects_unknown_method():
    with pytest.raises(ValueError):
        progress({2021: 82.0, 2025: 86.0}, target=90.0, deadline=2030, direction=1, method="log")


# --------------------------------------------------------------------------- gap_in_units


def test_gap_in_units_village_branches():
    # 1462·(100 - 76.54)/100 = 1462·0.2346 = 342.9852 → ceil = 343 branches
    assert gap_in_units(76.54, 100.0, 1462, 1) == 343


def test_gap_in_units_float_noise_exact_integer():
    # 1000·(100 - 70.1)/100 = 299 exactly; floats give 299.00000000000006, which must not round up to 300
    assert gap_in_units(70.1, 100.0, 1000, 1) == 299
    # 1000·(90 - 85)/100 = 50
    assert gap_in_units(85.0, 90.0, 1000, 1) == 50


def test_gap_in_units_direction_down_and_met():
    # -1·(0 - 17.9)/100·200 = 35.8 → 36 branches still without Internet to connect
    assert gap_in_units(17.9, 0.0, 200, -1) == 36
    assert gap_in_units(92.0, 90.0, 1000, 1) == 0  # 1000·(90 - 92)/100 = -20 → floored at 0
    assert gap_in_units(0.0, 0.0, 200, -1) == 0
    # a strict target («trên 95%»): at exactly 95% of 60 one more is needed; at 57,5 of 60 (= 95.8%) none
    assert gap_in_units(95.0, 95.0, 60, 1, strict=True) == 1
    assert gap_in_units(95.0, 95.0, 60, 1) == 0  # «từ 95% trở lên» is met at 95%
    assert gap_in_units(90.0, 95.0, 60, 1, strict=True) == 4  # 54 → 58 of 60 (57 is exactly 95%)
    assert gap_in_units(96.0, 95.0, 60, 1, strict=True) == 0


def test_gap_in_units_missing_inputs():
    assert gap_in_units(None, 100.0, 1462, 1) is None
    assert gap_in_units(76.54, 100.0, None, 1) is None
    assert gap_in_units(76.54, 100.0, 0, 1) is None  # zero denominator


# --------------------------------------------------------------------------- RAG


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (95.0, "green"),
        (90.0, "green"),  # = target
        (89.99, "amber"),
        (85.0, "amber"),  # = target - band = 90 - 5
        (84.99, "red"),
        (50.0, "red"),
    ],
)
def test_rag_polarity_up(value, expected):
    assert rag(value, 90.0, 1) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5.0, "green"),
        (10.0, "green"),  # = target
        (10.01, "amber"),
        (15.0, "amber"),  # = target + band = 10 + 5
        (15.01, "red"),
        (40.0, "red"),
    ],
)
def test_rag_polarity_down(value, expected):
    assert rag(value, 10.0, -1) == expected


def test_rag_custom_band_float_edge_and_none():
    assert rag(88.0, 90.0, 1, band=2.0) == "amber"  # 88 = 90 - 2
    assert rag(87.9, 90.0, 1, band=2.0) == "red"
    assert rag(85.1, 90.1, 1) == "amber"  # 90.1 - 5 = 85.1 (in floats 85.09999999999999)
    assert rag(None, 90.0, 1) is None


# --------------------------------------------------------------------------- funnel


def test_funnel_limits_hand_computed():
    # N = 200, P0 = 0.8, z = 1.96: E = 160, z² = 3.8416
    # root = sqrt(3.8416 + 4·160·(1 - 160/200)) = sqrt(3.8416 + 128) = sqrt(131.8416) = 11.482230
    # z·root = 22.505170; 2E + z² = 323.8416; 2(N + z²) = 407.6832
    # lower = (323.8416 - 22.505170)/407.6832 = 301.336430/407.6832 = 0.739144
    # upper = (323.8416 + 22.505170)/407.6832 = 346.346770/407.6832 = 0.849549
    lower, upper = funnel_limits(200, 0.8, 1.96)
    assert lower == approx(0.739144, abs=1e-6)
    assert upper == approx(0.849549, abs=1e-6)


def test_funnel_limits_match_textbook_wilson_form():
    # Wilson: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), a different algebraic form
    n, p, z = 57, 0.31, 3.29
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lower, upper = funnel_limits(n, p, z)
    assert lower == approx((centre - half) / (1 + z * z / n))
    assert upper == approx((centre + half) / (1 + z * z / n))


def test_funnel_limits_symmetric_at_half():
    # P0 = 0.5: lower + upper = 2(2E + z²)/(2(N + z²)) = (100 + 3.8416)/(100 + 3.8416) = 1
    lower, upper = funnel_limits(100, 0.5, 1.96)
    assert lower + upper == approx(1.0)
    assert upper == approx(0.596170, abs=1e-6)  # (103.8416 + 1.96·sqrt(103.8416))/207.6832 = 123.81453/207.6832


def test_funnel_limits_invalid():
    assert funnel_limits(0, 0.8, 1.96) is None
    assert funnel_limits(-5, 0.8, 1.96) is None
    assert funnel_limits(100, 1.2, 1.96) is None


def test_funnel_position_around_limits():
    # limits for N = 200, P0 = 0.8, z = 1.96 are 0.739144 (147.83/200) and 0.849549 (169.91/200)
    assert funnel_position(170, 200, 0.8) == "higher"  # 0.850 > 0.8495
    assert funnel_position(169, 200, 0.8) == "similar"  # 0.845 ≤ 0.8495
    assert funnel_position(148, 200, 0.8) == "similar"  # 0.740 ≥ 0.7391
    assert funnel_position(147, 200, 0.8) == "lower"  # 0.735 < 0.7391
    # wider 99.8 % limits (z = 3.0902): upper = 0.872806, so 170/200 is no longer unusual
    assert funnel_position(170, 200, 0.8, z=FUNNEL_Z_998) == "similar"
    assert funnel_position(10, 0, 0.8) is None


def test_funnel_judgement_by_polarity():
    assert funnel_judgement("higher", 1) == "better"
    assert funnel_judgement("lower", 1) == "worse"
    assert funnel_judgement("higher", -1) == "worse"
    assert funnel_judgement("lower", -1) == "better"
    assert funnel_judgement("similar", -1) == "similar"
    assert funnel_judgement(None, 1) is None


# --------------------------------------------------------------------------- trend test

_WORKED = {2021: (410.0, 500.0), 2022: (417.5, 500.0), 2023: (425.0, 500.0), 2024: (432.5, 500.0), 2025: (440.0, 500.0)}


def test_trend_worked_example_not_significant_at_998():
    # 82, 83.5, 85, 86.5, 88 % of 500: r = 410, 417.5, 425, 432.5, 440; N = 2500, R = 2125
    # Σr·t = 410 + 835 + 1275 + 1730 + 2200 = 6450; Σn·t = 500·15 = 7500; Σn·t² = 500·55 = 27500
    # N·Σr·t - R·Σn·t = 16 125 000 - 15 937 500 = 187 500
    # χ² = 2500·187500² / (2125·375·(2500·27500 - 7500²)) = 8.7890625e13 / (796875·12 500 000) = 150/17 = 8.8235
    t = trend_test(_WORKED)
    assert t.chi2 == approx(150 / 17)
    assert round(t.chi2, 2) == 8.82
    assert t.significant is False  # 8.82 < 9.5495
    assert t.direction == "none"
    assert t.label == "không thay đổi đáng kể"
    assert t.years == (2021, 2022, 2023, 2024, 2025)


def test_trend_worked_example_significant_at_95():
    t = trend_test(_WORKED, critical=TREND_CRITICAL_95)
    assert t.significant is True  # 8.82 > 3.8415 and every leave-one-out slope stays positive
    assert t.direction == "up"
    assert t.label == "tăng"


def test_trend_decreasing():
    # mirror of the worked example: good-or-better falls 88 → 82 %; same χ² = 150/17, slope negative
    mirrored = {
        2021: (440.0, 500.0),
        2022: (432.5, 500.0),
        2023: (425.0, 500.0),
        2024: (417.5, 500.0),
        2025: (410.0, 500.0),
    }
    t = trend_test(mirrored, critical=TREND_CRITICAL_95)
    assert t.chi2 == approx(150 / 17)
    assert (t.significant, t.direction, t.label) == (True, "down", "giảm")


def test_trend_single_year_driving_the_slope_is_not_significant():
    # r = 520, 510, 500, 490, 900 of 1000: N = 5000, R = 2920, Σr·t = 9500, Σn·t = 15000, Σn·t² = 55000
    # N·Σr·t - R·Σn·t = 47 500 000 - 43 800 000 = 3 700 000
    # χ² = 5000·3.7e6² / (2920·2080·(5000·55000 - 15000²)) = 6.845e16 / (6 073 600·5e7) = 225.40
    # leaving out 2025: N = 4000, R = 2020, Σr·t = 5000, Σn·t = 10000 → 2e7 - 2.02e7 = -200 000 < 0: sign flips
    counts = {2021: (520, 1000), 2022: (510, 1000), 2023: (500, 1000), 2024: (490, 1000), 2025: (900, 1000)}
    t = trend_test(counts)
    assert t.chi2 == approx(225.4017, abs=1e-4)
    assert t.significant is False
    assert t.direction == "none"


def test_trend_uses_rank_of_year_as_score():
    # years 2021, 2022, 2025 → t = 1, 2, 3; r = 50, 60, 70 of 100
    # N = 300, R = 180, Σr·t = 50 + 120 + 210 = 380, Σn·t = 600, Σn·t² = 1400
    # numerator: 300·380 - 180·600 = 6000; χ² = 300·6000² / (180·120·(300·1400 - 600²)) = 1.08e10/1.296e9 = 8.3333
    # (with t = 1, 2, 5 it would be different: the scores are ranks, not calendar offsets)
    t = trend_test({2021: (50, 100), 2022: (60, 100), 2025: (70, 100)})
    assert t.chi2 == approx(25 / 3)
    assert t.years == (2021, 2022, 2025)
    assert trend_test({2021: (50, 100), 2022: (60, 100), 2025: (70, 100)}, critical=TREND_CRITICAL_95).direction == "up"


@pytest.mark.parametrize(
    "counts",
    [
        {2024: (40, 100), 2025: (60, 100)},  # fewer than 3 years
        {2021: (0, 0), 2022: (0, 0), 2023: (0, 0)},  # N = 0
        {2021: (0, 100), 2022: (0, 100), 2023: (0, 100)},  # R = 0
        {2021: (100, 100), 2022: (80, 80), 2023: (90, 90)},  # R = N
        {2021: (10, 100), 2022: (0, 0), 2023: (30, 100)},  # only 2 years with n > 0
        {2021: (10, 100), 2022: (120, 100), 2023: (30, 100)},  # r > n is invalid
    ],
)
def test_trend_not_computable(counts):
    t = trend_test(counts)
    assert t.chi2 is None
    assert t.significant is False
    assert (t.direction, t.label) == ("na", "không tính được")


# --------------------------------------------------------------------------- issue 28.2: the peers' formulas


def test_the_998_funnel_limit_is_z_3_0902_not_3_29():
    """99,8% two-sided is Φ⁻¹(0,999) = 3,0902 (3,29 is 99,9%). N = 200, P0 = 0,8, z² = 9,549336:
    root = sqrt(9,549336 + 4·160·0,2) = 11,728143; z·root = 36,242307; 2E + z² = 329,549336; 2(N + z²) = 419,098672
    lower = 293,307029/419,098672 = 0,699852; upper = 365,791643/419,098672 = 0,872806."""
    from statistics import NormalDist

    from dashboard import charts

    assert FUNNEL_Z_998 == approx(NormalDist().inv_cdf(0.999), abs=5e-5)
    assert funnel_limits(200, 0.8, FUNNEL_Z_998) == (approx(0.699852, abs=1e-6), approx(0.872806, abs=1e-6))
    # the funnel chart's dotted 99,8% curve is drawn with it
    units = pl.DataFrame({"unit_code": ["a"], "unit_name": ["A"], "denominator": [200], "value": [80.0]})
    fig = charts.funnel(units, registry.get("member_good"), 80.0)
    lower, upper = [t for t in fig.data if t.line.dash == "dot"]
    at_200 = list(lower.x).index(200.0)
    assert (lower.y[at_200], upper.y[at_200]) == (approx(69.9852, abs=1e-4), approx(87.2806, abs=1e-4))


def test_the_trend_test_takes_the_five_most_recent_years_never_more():
    """A long run: 60, 65, then 80% five years running (of 1.000). Over seven years that is a rise (χ² ≫ 9,55); the
    five most recent (2021–2025, all 80%) show none: χ² = 0."""
    counts = {2019: (600, 1000), 2020: (650, 1000)} | {y: (800, 1000) for y in range(2021, 2026)}
    t = trend_test(counts)
    assert TREND_YEARS == 5
    assert t.years == (2021, 2022, 2023, 2024, 2025)
    assert t.chi2 == approx(0.0)
    assert (t.significant, t.direction) == (False, "none")


def test_one_year_driving_the_trend_is_caught_by_the_plain_logit_slope():
    """The issue's numbers: 76,0 / 78,7 / 76,1 / 76,8 / 85,5% of ~1.000 a year (752/990, 779/990, 761/1.000,
    776/1.010, 855/1.000). N = 4.990, R = 3.923, Σr·t = 11.972, Σn·t = 15.010, Σn·t² = 55.110:
    χ² = 4.990·(4.990·11.972 − 3.923·15.010)² / (3.923·1.067·(4.990·55.110 − 15.010²)) = 4.990·856.050² /
    (4.185.841·49.698.800) = 17,578 > 9,5495. Left out 2025, the count-weighted numerator stays positive
    (N·Σr·t − R·Σn·t over 2021–2024 = 3.990·... = +350: the old check said «tăng»), but the plain least-squares slope of the logits 1,150466,
    1,306153, 1,158170, 1,198831 over t = 1..4 is (−1,5·1,150466 − 0,5·1,306153 + 0,5·1,158170 + 1,5·1,198831)/5
    = −0,000289 < 0: the sign flips, so the trend is one year's: no trend (as Fingertips says)."""
    counts = {2021: (752, 990), 2022: (779, 990), 2023: (761, 1000), 2024: (776, 1010), 2025: (855, 1000)}
    t = trend_test(counts)
    assert t.chi2 == approx(17.578029, abs=1e-5)
    assert (t.significant, t.direction, t.label) == (False, "none", "không thay đổi đáng kể")


def test_a_year_at_zero_still_gets_its_logit_checked():
    """r = 0 in a year has no logit; the check then takes ln((r + ½)/(n − r + ½)) for every year: 0, 10, 20, 30, 40%
    of 100 rise in every leave-one-out (χ² = 62,5: N = 500, R = 100, Σr·t = 400, Σn·t = 1.500, Σn·t² = 5.500;
    (500·400 − 100·1.500)² · 500 / (100·400·(500·5.500 − 1.500²)) = 500·50.000²/(40.000·500.000) = 62,5)."""
    t = trend_test({2021: (0, 100), 2022: (10, 100), 2023: (20, 100), 2024: (30, 100), 2025: (40, 100)})
    assert t.chi2 == approx(62.5)
    assert (t.significant, t.direction) == (True, "up")


# ----------------------------------------------------------------------- small-group suppression (issue 29.4)


def _part(*branches: int, first: int = 0) -> dict[str, int]:
    """A part of the whole: other units (u0, u1, …) with so many branches each."""
    return {f"u{first + i}": n for i, n in enumerate(branches)}


def test_withheld_parts_none_when_every_part_is_large():
    parts = {"xom": _part(5, 5, 5), "dang": _part(4, 3, 3)}  # 3 units and 10 branches: exactly large
    assert methods.withheld_parts(parts, 3, 10) == (set(), False)


def test_withheld_parts_completes_a_small_part_with_the_smallest_other():
    """One cooperative branch: withheld, and with it the part with the fewest other branches (12, not 15 or 40),
    since the whole minus the parts shown would be that one branch; together 13 branches in 4 units."""
    parts = {
        "htx": _part(1),
        "dang": _part(4, 4, 4, first=1),
        "llvt": _part(5, 5, 5, first=1),
        "xom": _part(10, 10, 10, 10),
    }
    assert methods.withheld_parts(parts, 3, 10) == ({"htx", "dang"}, False)


def test_withheld_parts_keeps_adding_until_the_withheld_are_no_small_group():
    """Two small parts of the same two units are still 2 units together (4 + 5 = 9 branches): a third part is needed
    (the fewest other branches: 12, then 3 units and 21 branches)."""
    parts = {"a": _part(2, 2), "b": _part(3, 2), "c": _part(4, 4, 4), "d": _part(5, 5, 5), "e": _part(20, 20, 20)}
    assert methods.withheld_parts(parts, 3, 10) == ({"a", "b", "c"}, False)


def test_withheld_parts_at_the_boundaries():
    assert methods.withheld_parts({"a": _part(4, 3, 3), "b": _part(50, 50, 50)}, 3, 10) == (set(), False)
    # 9 branches are small; the only other part goes with them, and the whole (159 branches) is still shown
    assert methods.withheld_parts({"a": _part(3, 3, 3), "b": _part(50, 50, 50)}, 3, 10) == ({"a", "b"}, False)
    # 2 units are small; adding the other part makes 5 units
    assert methods.withheld_parts({"a": _part(5, 5), "b": _part(50, 50, 50)}, 3, 10) == ({"a", "b"}, False)
    # ties on branches go by name: «b» before «c»
    tie = {"a": _part(1), "c": _part(4, 3, 3, first=1), "b": _part(4, 3, 3, first=1), "z": _part(9, 9, 9)}
    assert methods.withheld_parts(tie, 3, 10) == ({"a", "b"}, False)


def test_withheld_parts_nothing_to_hide_is_not_small_and_a_small_whole_is_withheld():
    assert methods.withheld_parts({"a": {}, "b": _part(5, 5, 5)}, 3, 10) == (set(), False)
    assert methods.withheld_parts({"a": _part(3), "b": _part(4, first=1)}, 3, 10) == ({"a", "b"}, True)
