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
    assert frame["special_cause_type"].iat[-1] == "7 points in a row above the mean"
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
        "2 of 3 points near the upper process limit",
        "Common cause",
        "2 of 3 points near the upper process limit",
    ]
    opposite = spc.analyse(FLAT + [12.5, 10, 12.5], FIXED)  # middle point below the mean
    assert set(opposite["special_cause_type"]) == {"Common cause"}


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


# --- Improvement or concern of a trend: the run's direction, not the side -----

# FLAT (limits fixed from it: mean 10.5, process limits 7.84 to 13.16, lines
# near them at 8.727 and 12.273) then 7 points falling strictly from 12 to 9.2:
# the first 3 sit above the mean, the last 4 below it. No point is outside the
# limits or near them, and the run above the mean (11, 12, 11.8, 10.9) is 4
# long, so the trend is the only rule that flags the 7 points.
FALLING = FLAT + [12, 11.8, 10.9, 10.2, 9.9, 9.5, 9.2]


def test_the_falling_run_is_flagged_by_the_trend_alone():
    frame = spc.analyse(FALLING, FIXED)
    assert frame["relative_to_mean"].tolist()[-7:] == [1, 1, 1, -1, -1, -1, -1]
    assert frame["trend"].tolist() == [0] * 12 + [-1] * 7
    assert frame["outside_limits"].abs().sum() == 0
    assert frame["two_of_three"].sum() == 0 and frame["shift"].sum() == 0
    assert (
        frame["special_cause_type"].tolist()
        == ["Common cause"] * 12 + ["7 points in a row falling"] * 7
    )


@pytest.mark.parametrize(
    "direction,trend_type,icon",
    [
        ("increase", "special_cause_concern", "concern_low"),  # higher is better
        ("decrease", "special_cause_improvement", "improvement_low"),  # lower is better
        ("neutral", "special_cause_neutral", "neutral_low"),
    ],
)
def test_a_falling_run_above_then_below_the_mean_takes_the_runs_direction(
    direction, trend_type, icon
):
    options = spc.Options(improvement_direction=direction, fix_after_n_points=12)
    frame = spc.analyse(FALLING, options)
    # Before the fix the 3 points above the mean were the opposite of the 4 below.
    assert frame["point_type"].tolist() == ["common_cause"] * 12 + [trend_type] * 7
    assert spc.summary(frame, options)["variation"] == icon


def test_a_rising_run_below_then_above_the_mean_takes_the_runs_direction():
    rising = FLAT + [9, 9.2, 9.9, 10.2, 10.9, 11.8, 12]  # 10 -> 9 falls, then 7 rising
    for direction, trend_type, icon in [
        ("increase", "special_cause_improvement", "improvement_high"),
        ("decrease", "special_cause_concern", "concern_high"),
        ("neutral", "special_cause_neutral", "neutral_high"),
    ]:
        options = spc.Options(improvement_direction=direction, fix_after_n_points=12)
        frame = spc.analyse(rising, options)
        assert frame["special_cause_type"].tolist()[-7:] == ["7 points in a row rising"] * 7
        assert frame["point_type"].tolist() == ["common_cause"] * 12 + [trend_type] * 7
        assert spc.summary(frame, options)["variation"] == icon


def test_a_point_outside_the_limits_takes_its_side_over_a_trend():
    # 7 points rising from below the lower process limit (7.84): the first is
    # outside the limits (labelled and typed by its side), the rest by the trend.
    values = FLAT + [7, 8, 9, 9.5, 10, 10.2, 10.4]
    frame = spc.analyse(values, FIXED)
    assert frame["trend"].tolist()[-7:] == [1] * 7 and frame["outside_limits"].iat[12] == -1
    assert (
        frame["special_cause_type"].tolist()[-7:]
        == ["Below the lower process limit"] + ["7 points in a row rising"] * 6
    )
    assert (
        frame["point_type"].tolist()[-7:]
        == ["special_cause_concern"] + ["special_cause_improvement"] * 6
    )


def test_a_trend_takes_precedence_over_a_run_on_one_side():
    # 7 points falling, all above the mean: a trend (falling: concern on a
    # higher-is-better metric) and a shift (above: improvement). The label
    # names the trend, so the type and the icon follow the trend.
    values = FLAT + [13, 12.9, 12.2, 11.9, 11.6, 11.3, 11]
    frame = spc.analyse(values, FIXED)
    assert frame["trend"].tolist()[-7:] == [-1] * 7 and frame["shift"].tolist()[-7:] == [1] * 7
    assert frame["special_cause_type"].tolist()[-7:] == ["7 points in a row falling"] * 7
    assert frame["point_type"].tolist()[-7:] == ["special_cause_concern"] * 7
    assert spc.variation_icon(frame) == "concern_low"


def test_labels_are_plain_english_in_sentence_case():
    assert [
        spc.label(1, 0, 0, 0, 1),
        spc.label(-1, 0, 0, 0, -1),
        spc.label(0, 1, 0, 0, -1),
        spc.label(0, -1, 0, 0, 1),
        spc.label(0, 0, 1, 0, 1),
        spc.label(0, 0, 1, 0, -1),
        spc.label(0, 0, 0, 1, 1),
        spc.label(0, 0, 0, 1, -1),
        spc.label(0, 0, 0, 0, 1),
    ] == [
        "Above the upper process limit",
        "Below the lower process limit",
        "7 points in a row rising",
        "7 points in a row falling",
        "2 of 3 points near the upper process limit",
        "2 of 3 points near the lower process limit",
        "7 points in a row above the mean",
        "7 points in a row below the mean",
        "Common cause",
    ]


@st.composite
def series_with_a_trend(draw):
    """Noise, then a strictly monotone run of 7 to 10 points, then noise."""
    noise = st.lists(st.floats(-100, 100, allow_nan=False), max_size=20)
    before, after = draw(noise), draw(noise)
    steps = draw(st.lists(st.floats(0.01, 50), min_size=6, max_size=9))
    sign = draw(st.sampled_from([1, -1]))
    start = draw(st.floats(-100, 100))
    run = [start]
    for step in steps:
        run.append(run[-1] + sign * step)
    return before + run + after


@given(series_with_a_trend(), st.sampled_from(spc.DIRECTIONS))
def test_a_point_flagged_by_the_trend_alone_takes_the_runs_direction(values, direction):
    frame = spc.analyse(values, spc.Options(improvement_direction=direction))
    trend_only = (
        (frame["trend"] != 0)
        & (frame["outside_limits"] == 0)
        & (frame["two_of_three"] == 0)
        & (frame["shift"] == 0)
    )
    good = {"increase": 1, "decrease": -1}.get(direction)
    for run_direction, point_type in zip(
        frame.loc[trend_only, "trend"], frame.loc[trend_only, "point_type"], strict=True
    ):
        if good is None:
            assert point_type == "special_cause_neutral"
        elif run_direction == good:
            assert point_type == "special_cause_improvement"
        else:
            assert point_type == "special_cause_concern"
