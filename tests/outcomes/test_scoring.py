"""Scoring rules (docs/scoring.md): hand-computed cases for every branch,
and properties that must hold for any input."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from outcomes import scoring


def one(value, minimum, target, direction, baseline=np.nan):
    frame = pd.DataFrame(
        [
            {
                "value": value,
                "minimum": minimum,
                "target": target,
                "baseline": baseline,
                "direction": direction,
            }
        ]
    )
    return scoring.score_metrics(frame).iloc[0]


@pytest.mark.parametrize(
    "value,minimum,target,direction,score,rating",
    [
        (85, 70, 90, "higher", 7.5, "approaching"),  # between: 10 x 15/20
        (90, 70, 90, "higher", 10, "good"),  # at target
        (95, 70, 90, "higher", 10, "good"),  # above target: clamped
        (70, 70, 90, "higher", 0, "requires_improvement"),  # at the minimum: met, score 0
        (72, 70, 90, "higher", 1, "requires_improvement"),
        (60, 70, 90, "higher", 0, "inadequate"),  # below the minimum
        (26, 30, 22, "lower", 5, "approaching"),  # 10 x 4/8
        (22, 30, 22, "lower", 10, "good"),
        (20, 30, 22, "lower", 10, "good"),
        (30, 30, 22, "lower", 0, "requires_improvement"),
        (31, 30, 22, "lower", 0, "inadequate"),
        (28, 30, 22, "lower", 2.5, "requires_improvement"),
    ],
)
def test_metric_score_and_rating(value, minimum, target, direction, score, rating):
    row = one(value, minimum, target, direction)
    assert row["score"] == pytest.approx(score)
    assert row["rating"] == rating


def test_missing_values_and_neutral_metrics_have_no_score():
    assert math.isnan(one(np.nan, 70, 90, "higher")["score"])
    assert pd.isna(one(np.nan, 70, 90, "higher")["rating"])
    assert math.isnan(one(80, 70, 90, "neutral")["score"])


@pytest.mark.parametrize(
    "value,baseline,target,expected",
    [(80, 70, 90, 0.5), (65, 70, 90, -0.25), (90, 70, 90, 1.0), (26, 30, 22, 0.5)],
)
def test_improvement_is_the_share_of_the_gap_closed(value, baseline, target, expected):
    direction = "higher" if target > baseline else "lower"
    assert one(value, 60 if direction == "higher" else 35, target, direction, baseline)[
        "improvement"
    ] == pytest.approx(expected)


def test_dimension_score_weights_metrics_with_data_and_needs_half_the_weight():
    metrics = pd.DataFrame(
        {
            "org": ["A", "A", "A", "B", "B", "B"],
            "dimension_id": [1] * 6,
            "score": [8.0, 2.0, np.nan, 8.0, np.nan, np.nan],
            "weight": [2.0, 1.0, 1.0, 1.0, 2.0, 1.0],
            "direction": ["higher"] * 6,
        }
    )
    result = scoring.dimension_scores(metrics, ["org"])
    a, b = result.loc[("A", 1)], result.loc[("B", 1)]
    assert a["score"] == pytest.approx((8 * 2 + 2 * 1) / 3)  # 6.0 over 3 of 4 weight
    assert a["coverage"] == pytest.approx(0.75)
    assert b["coverage"] == pytest.approx(0.25)
    assert math.isnan(b["score"])  # "insufficient data", not zero


def test_aggregate_is_out_of_100_and_needs_60_percent_of_dimension_weight():
    dims = pd.DataFrame(
        {
            "org": ["A"] * 5 + ["B"] * 5,
            "score": [8, 6, 4, np.nan, 10, 8, np.nan, np.nan, 5, np.nan],
            "dimension_weight": [20.0] * 10,
        }
    )
    result = scoring.aggregate_scores(dims, ["org"])
    assert result.loc["A", "score"] == pytest.approx(70.0)  # 10 x mean(8, 6, 4, 10)
    assert result.loc["A", "coverage"] == pytest.approx(0.8)
    assert result.loc["B", "coverage"] == pytest.approx(0.4)
    assert math.isnan(result.loc["B", "score"])


def test_aggregate_weights_dimensions():
    dims = pd.DataFrame({"org": ["A"] * 2, "score": [10.0, 0.0], "dimension_weight": [30.0, 10.0]})
    assert scoring.aggregate_scores(dims, ["org"]).loc["A", "score"] == pytest.approx(75.0)


finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(value=finite, minimum=finite, gap=st.floats(1e-3, 1e6), lower=st.booleans())
def test_score_is_between_0_and_10(value, minimum, gap, lower):
    target = minimum - gap if lower else minimum + gap
    score = one(value, minimum, target, "lower" if lower else "higher")["score"]
    assert 0 <= score <= 10


@given(a=finite, b=finite, minimum=finite, gap=st.floats(1e-3, 1e6), lower=st.booleans())
def test_score_is_monotone_in_the_metrics_direction(a, b, minimum, gap, lower):
    target = minimum - gap if lower else minimum + gap
    direction = "lower" if lower else "higher"
    worse, better = sorted([a, b], reverse=lower)
    assert (
        one(better, minimum, target, direction)["score"]
        >= one(worse, minimum, target, direction)["score"]
    )


@given(
    st.lists(st.tuples(st.floats(0, 10), st.floats(0.1, 5)), min_size=1, max_size=12), st.randoms()
)
def test_dimension_score_ignores_row_order(rows, rnd):
    frame = pd.DataFrame(rows, columns=["score", "weight"]).assign(
        dimension_id=1, org="A", direction="higher"
    )
    shuffled = frame.sample(frac=1, random_state=rnd.randint(0, 10_000))
    a = scoring.dimension_scores(frame, ["org"])
    b = scoring.dimension_scores(shuffled, ["org"])
    assert a["score"].iat[0] == pytest.approx(b["score"].iat[0])
