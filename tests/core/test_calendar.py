"""Operational-day arithmetic, hand-checked against the England and Wales
bank holiday calendar."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.calendar import add_operational_days, is_operational_day, operational_days_between

D = dt.date


@pytest.mark.parametrize(
    "start,days,expected",
    [
        (D(2026, 3, 2), 10, D(2026, 3, 16)),  # Monday, two plain weeks
        (D(2026, 3, 6), 1, D(2026, 3, 9)),  # Friday -> Monday over a weekend
        (D(2026, 3, 7), 1, D(2026, 3, 9)),  # raised on a Saturday
        (D(2025, 12, 19), 10, D(2026, 1, 7)),  # Christmas, Boxing Day, New Year's Day
        (D(2026, 4, 1), 10, D(2026, 4, 17)),  # Good Friday 3 Apr, Easter Monday 6 Apr
        (D(2025, 8, 22), 1, D(2025, 8, 26)),  # summer bank holiday 25 Aug
        (D(2026, 5, 1), 5, D(2026, 5, 11)),  # early May bank holiday 4 May
        (D(2026, 3, 2), 0, D(2026, 3, 2)),
    ],
)
def test_add_operational_days_hand_checked(start, days, expected):
    assert add_operational_days(start, days) == expected


def test_bank_holidays_and_weekends_are_not_operational():
    assert not is_operational_day(D(2026, 12, 25))
    assert not is_operational_day(D(2026, 12, 28))  # Boxing Day substitute (26th is a Saturday)
    assert not is_operational_day(D(2026, 3, 7))
    assert is_operational_day(D(2026, 3, 9))


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_operational_days(D(2026, 3, 2), -1)


@given(
    start=st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31)),
    days=st.integers(min_value=0, max_value=60),
)
def test_counting_back_the_days_added_gives_the_same_number(start, days):
    due = add_operational_days(start, days)
    assert operational_days_between(start, due) == days
    assert days == 0 or is_operational_day(due)
