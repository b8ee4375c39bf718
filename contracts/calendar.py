"""Operational days: Monday to Friday except England and Wales bank holidays
(from the maintained `holidays` package, not a hand-written list)."""

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=1)
def _bank_holidays():
    # Subdivision ENG carries the England and Wales bank holidays.
    return holidays.country_holidays("GB", subdiv="ENG")


def is_operational_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays()


def add_operational_days(start: dt.date, days: int) -> dt.date:
    """The date `days` operational days after `start` (start itself not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_operational_day(day):
            remaining -= 1
    return day


def operational_days_between(start: dt.date, end: dt.date) -> int:
    """Operational days after `start` up to and including `end` (negative if end < start)."""
    if end < start:
        return -operational_days_between(end, start)
    return sum(
        is_operational_day(start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1)
    )
