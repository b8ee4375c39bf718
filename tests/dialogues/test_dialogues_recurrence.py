"""Properties of meeting dates from recurrence rules (dialogues.recurrence,
no Django): whatever the rule, the start and the window, every meeting keeps
its local start time, falls on an allowed day, lies in the window, and they
come in order without repeats."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogues import recurrence

LONDON = ZoneInfo("Europe/London")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

starts = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))
# Meeting hours: 01:00-02:00 on the spring Sunday does not exist in London.
times = st.builds(dt.time, st.integers(6, 21), st.sampled_from([0, 15, 30, 45]))
weekdays = st.sets(st.sampled_from(DAYS), min_size=1, max_size=7)


@given(starts, times, weekdays, st.integers(1, 4), st.integers(0, 400), st.integers(1, 400))
def test_weekly_meetings_keep_their_day_and_local_time(first, time, days, interval, skip, span):
    rule = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={','.join(sorted(days))}"
    window_start = dt.datetime.combine(first + dt.timedelta(days=skip), dt.time(0), LONDON)
    window_end = window_start + dt.timedelta(days=span)
    found = recurrence.occurrences(
        rule, dt.datetime.combine(first, time), "Europe/London", window_start, window_end
    )
    local = [moment.astimezone(LONDON) for moment in found]
    assert all(m.time() == time for m in local)
    assert all(DAYS[m.weekday()] in days for m in local)
    assert all(window_start <= m <= window_end for m in found)
    assert all(a < b for a, b in zip(found, found[1:], strict=False))
    assert all(m.date() >= first for m in local)


@given(starts, times, st.integers(1, 28))
def test_monthly_meetings_fall_on_their_day_each_month(first, time, day):
    found = recurrence.occurrences(
        f"FREQ=MONTHLY;BYMONTHDAY={day}",
        dt.datetime.combine(first, time),
        "Europe/London",
        dt.datetime.combine(first, dt.time(0), LONDON),
        dt.datetime.combine(first, dt.time(0), LONDON) + dt.timedelta(days=366),
    )
    assert len(found) in (12, 13)
    assert {m.astimezone(LONDON).day for m in found} == {day}
    assert all(m.astimezone(LONDON).time() == time for m in found)


def test_the_last_day_stops_the_series():
    found = recurrence.occurrences(
        "FREQ=DAILY",
        dt.datetime(2026, 3, 1, 9),
        "Europe/London",
        dt.datetime(2026, 3, 1, tzinfo=LONDON),
        dt.datetime(2026, 4, 1, tzinfo=LONDON),
        last_day=dt.date(2026, 3, 5),
    )
    assert [m.day for m in found] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "Enter a recurrence rule"),
        ("DTSTART:20260101T090000\nRRULE:FREQ=DAILY", "Give one RRULE only"),
        ("FREQ=DAILY;COUNT=0", "produces no meeting dates"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a valid RFC 5545"),
        ("RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "produces no meeting dates"),
        ("every tuesday", "NAME=VALUE parts separated by semicolons"),
        ("FREQ=HOURLY;BYHOUR=8,9,10", "at most daily"),
        ("FREQ=MINUTELY", "at most daily"),
    ],
)
def test_unusable_rules_say_why(rule, message):
    with pytest.raises(recurrence.RuleError, match=message):
        recurrence.parse(rule, dt.datetime(2026, 1, 1, 9))


def test_an_rrule_prefix_is_accepted():
    rule = recurrence.parse("RRULE:FREQ=WEEKLY;BYDAY=MO", dt.datetime(2026, 1, 5, 9))
    assert rule.after(dt.datetime(2026, 1, 5, 9)) == dt.datetime(2026, 1, 12, 9)


def test_a_utc_until_from_a_calendar_is_accepted_as_uk_time():
    """Outlook and Google write UNTIL in UTC; 23:30 UTC on 30 June is 00:30 on
    1 July in London (BST), so a meeting at 00:15 on 1 July is the last."""
    rule = recurrence.parse("FREQ=DAILY;UNTIL=20260630T233000Z", dt.datetime(2026, 6, 28, 0, 15))
    assert list(rule) == [dt.datetime(2026, 6, day, 0, 15) for day in (28, 29, 30)] + [
        dt.datetime(2026, 7, 1, 0, 15)
    ]
