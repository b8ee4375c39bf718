"""Confidence intervals against published worked values, comparisons, ranks."""

import numpy as np
import pandas as pd
import pytest

from outcomes import benchmark

Z = benchmark.Z95


def test_wilson_interval_matches_the_formula_by_hand():
    # 45 of 50: (2x + z^2 +/- z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)), z = 1.96
    lower, upper = benchmark.wilson(45, 50, z=1.96)
    z = 1.96
    root = z * np.sqrt(z**2 + 4 * 45 * (1 - 45 / 50))
    assert lower == pytest.approx((90 + z**2 - root) / (2 * (50 + z**2)))
    assert upper == pytest.approx((90 + z**2 + root) / (2 * (50 + z**2)))
    assert lower == pytest.approx(0.7864, abs=1e-4)  # the textbook Wilson interval
    assert upper == pytest.approx(0.9565, abs=1e-4)


def test_wilson_handles_zero_and_all():
    lower, upper = benchmark.wilson(np.array([0, 20]), np.array([20, 20]))
    assert lower[0] == pytest.approx(0) and upper[1] == pytest.approx(1)
    assert 0 < upper[0] < 0.2 and 0.8 < lower[1] < 1


def test_byar_interval_by_hand():
    lower, upper = benchmark.byar(100, z=1.96)
    assert lower == pytest.approx(100 * (1 - 1 / 900 - 1.96 / 30) ** 3)
    assert upper == pytest.approx(101 * (1 - 1 / 909 + 1.96 / (3 * np.sqrt(101))) ** 3)
    assert (lower, upper) == pytest.approx((81.36, 121.63), abs=0.01)
    zero_lower, zero_upper = benchmark.byar(0)
    assert zero_lower == 0 and zero_upper == pytest.approx(1 * (1 - 1 / 9 + Z / 3) ** 3)


def test_rate_interval_scales_by_denominator_and_factor():
    lower, upper = benchmark.interval("rate", 100, 50_000, factor=1000)
    assert (lower, upper) == pytest.approx((81.36 / 50, 121.63 / 50), abs=1e-3)


@pytest.mark.parametrize(
    "comparator,direction,expected",
    [
        (0.7, "higher", "better"),
        (0.7, "lower", "worse"),
        (0.95, "higher", "worse"),
        (0.85, "higher", "similar"),
        (0.7, "neutral", "higher"),
    ],
)
def test_comparison_follows_the_direction(comparator, direction, expected):
    assert benchmark.compare(0.8, 0.9, comparator, direction) == expected


def test_rank_and_quintile_among_peers_by_group_and_direction():
    values = pd.Series([90, 80, 70, 60, 50, 40, 30, 20, 10, 0] * 2, dtype=float)
    directions = pd.Series(["higher"] * 10 + ["lower"] * 10)
    groups = [pd.Series(["a"] * 10 + ["b"] * 10)]
    places = benchmark.peer_ranks(values, directions, groups)
    # rank, quintile and how many were ranked in the group
    assert places.loc[0].tolist() == [1, 1, 10] and places.loc[9].tolist() == [10, 5, 10]
    assert places.loc[19].tolist() == [1, 1, 10] and places.loc[12].tolist() == [8, 4, 10]
