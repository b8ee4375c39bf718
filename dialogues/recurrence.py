"""Meeting dates from an RFC 5545 recurrence rule (python-dateutil's rrule),
in local wall-clock time: a 10:00 meeting stays at 10:00 in Europe/London
across the clock changes, so its UTC time moves. No Django here."""

import datetime as dt
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

# A rule must produce a date within this long of its start to be accepted.
LOOK_AHEAD = relativedelta(years=5)


class RuleError(ValueError):
    """The rule cannot be used: the message says why, in plain English."""


def parse(rule: str, first: dt.datetime) -> rrule:
    """The rule starting at `first` (naive local time). Only the RRULE part is
    accepted: the start comes from the series, not the rule."""
    text = (rule or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text:
        raise RuleError("Enter a recurrence rule, e.g. FREQ=WEEKLY;BYDAY=TU.")
    if any(part in text.upper() for part in ("DTSTART", "\n", "EXDATE", "RDATE")):
        raise RuleError(
            "Give one RRULE only (e.g. FREQ=MONTHLY;BYDAY=2WE); the start is set apart."
        )
    try:
        parsed = rrulestr(text, dtstart=first)
    except (ValueError, TypeError, KeyError) as exc:
        raise RuleError(f"This is not a valid RFC 5545 recurrence rule ({exc}).") from exc
    if not isinstance(parsed, rrule):
        raise RuleError("Give a single recurrence rule.")
    if parsed.between(first, first + LOOK_AHEAD, inc=True) == []:
        raise RuleError("This rule produces no meeting dates in the five years from the start.")
    return parsed


def occurrences(
    rule: str,
    first: dt.datetime,
    time_zone: str,
    window_start: dt.datetime,
    window_end: dt.datetime,
    last_day: dt.date | None = None,
) -> list[dt.datetime]:
    """The rule's meeting start times (aware, in `time_zone`) from
    window_start to window_end inclusive (both aware), none after `last_day`."""
    zone = ZoneInfo(time_zone)
    start = window_start.astimezone(zone).replace(tzinfo=None)
    end = window_end.astimezone(zone).replace(tzinfo=None)
    if last_day is not None:
        end = min(end, dt.datetime.combine(last_day, dt.time.max))
    if end < start:
        return []
    # rrule works in naive wall time; the zone is attached after, so each
    # date keeps its local time whatever the UTC offset is that day.
    return [
        moment.replace(tzinfo=zone) for moment in parse(rule, first).between(start, end, inc=True)
    ]
