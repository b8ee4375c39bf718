"""Hand-built SPC cases for each rule and its edge cases."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from outcomes import spc

FLAT = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11]  # mean 10.5, mean moving range 1


def types(values, **options):
    return spc.analyse(values, spc.Options(**options))["point_type"].tolist()


def test_limits_by_hand():
    row = spc.analyse(FLAT).iloc[0]
    assert row["mean"] == 10.5
    assert row["upl"] == pytest.approx(10.5 + 2.66)
    assert row["lpl"] == pytest.approx(10.5 - 2.66)
    assert row["nupl"] == pytest.approx(10.5 + 2.66 * 2 / 3)


def test_a_point_outside_the_limits_is_special_with_the_direction():
    values = FLAT + [20]
    assert types(values)[-1] == "special_cause_improvement"
    assert types(values, improvement_direction="decrease")[-1] == "special_cause_concern"
    assert types(values, improvement_direction="neutral")[-1] == "special_cause_neutral"


FIXED = spc.Options(fix_after_n_points=12)  # limits from FLAT alone: mean 10.5, range 1


def test_seven_on_one_side_flags_the_whole_run_and_a_point_on_the_mean_breaks_it():
    frame = spc.analyse(FLAT + [11] * 7, FIXED)  # FLAT ends above the mean: a run of 8
    assert frame["shift"].tolist()[-9:] == [0] + [1] * 8
    assert frame["special_cause_type"].iat[-1] == "7 Points Above CL"
    broken = spc.analyse(FLAT + [11] * 3 + [10.5] + [11] * 3, FIXED)
    assert broken["shift"].sum() == 0


def test_shift_helper_edges():
    assert spc.shift_ends(np.array([1] * 6)).tolist() == [0] * 6
    assert spc.shift_ends(np.array([1] * 3 + [0] + [1] * 4)).tolist() == [0] * 8


def test_ties_break_a_trend():
    assert spc.trend_ends(np.array([1, 2, 3, 4, 5, 6, 7])).tolist()[-1] == 1
    assert spc.trend_ends(np.array([1, 2, 3, 3, 4, 5, 6, 7])).tolist() == [0] * 8


def test_large_moving_ranges_are_screened_before_the_limits():
    values = [10, 11] * 6 + [40] + [10, 11] * 3
    screened = spc.analyse(values).iloc[0]
    unscreened = spc.analyse(values, spc.Options(screen_outliers=False)).iloc[0]
    assert screened["mean_moving_range"] < unscreened["mean_moving_range"]
    assert screened["mean"] == unscreened["mean"]  # points are never dropped from the mean


def test_rebasing_starts_new_limits():
    values = [10, 11] * 6 + [30, 31] * 6
    frame = spc.analyse(values, spc.Options(rebase_at=(12,)))
    assert frame["segment"].tolist() == [0] * 12 + [1] * 12
    assert frame["mean"].iat[0] == 10.5 and frame["mean"].iat[-1] == 30.5
    assert set(frame["point_type"]) == {"common_cause"}


def test_fewer_than_twelve_points_warn():
    frame = spc.analyse(FLAT[:8])
    assert spc.summary(frame, spc.Options())["warnings"]
    assert not spc.summary(spc.analyse(FLAT), spc.Options())["warnings"]


def test_two_of_three_beyond_two_sigma_on_the_same_side():
    frame = spc.analyse(FLAT + [12.5, 11, 12.5], FIXED)  # 2-sigma line at 12.27
    assert frame["special_cause_type"].tolist()[-3:] == [
        "2 in 3 Above CL",
        "Common Cause",
        "2 in 3 Above CL",
    ]
    opposite = spc.analyse(FLAT + [12.5, 10, 12.5], FIXED)  # middle point below the mean
    assert set(opposite["special_cause_type"]) == {"Common Cause"}


@pytest.mark.parametrize(
    "direction,target,expected",
    [
        ("increase", 20, "consistent_fail"),
        ("increase", 5, "consistent_pass"),
        ("increase", 10.5, "inconsistent"),
        ("decrease", 20, "consistent_pass"),
        ("decrease", 5, "consistent_fail"),
        ("neutral", 20, None),
        ("increase", None, None),
    ],
)
def test_assurance(direction, target, expected):
    options = spc.Options(improvement_direction=direction, target=target)
    assert spc.summary(spc.analyse(FLAT, options), options)["assurance"] == expected


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=60))
def test_limits_bracket_the_mean_and_every_point_has_a_type(values):
    frame = spc.analyse(values)
    assert (frame["lpl"] <= frame["mean"] + 1e-6).all()
    assert (frame["upl"] >= frame["mean"] - 1e-6).all()
    assert (
        frame["point_type"]
        .isin(["common_cause", "special_cause_improvement", "special_cause_concern"])
        .all()
    )
