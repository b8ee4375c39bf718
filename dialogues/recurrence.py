"""Meeting dates from an RFC 5545 recurrence rule (python-dateutil's rrule),
in local wall-clock time: a 10:00 meeting stays at 10:00 in Europe/London
across the clock changes, so its UTC time moves. Each wall-clock time is
turned into an instant (`instant`) before anything is added to it. No Django
here."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

# A rule must produce a date within this long of its start to be accepted.
LOOK_AHEAD = relativedelta(years=5)
# Calendars (Outlook, Google) write UNTIL in UTC: 20271231T235959Z.
UTC_UNTIL = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)
TOO_OFTEN = re.compile(r"(?:^|;)\s*FREQ=(HOURLY|MINUTELY|SECONDLY)\b", re.IGNORECASE)


class RuleError(ValueError):
    """The rule cannot be used: the message says why, in plain English."""


def instant(wall: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The moment (in UTC) a naive wall-clock time in `zone` names, as
    zoneinfo reads it (fold=0): a time the clocks skip (01:30 on the spring
    Sunday in London) takes the offset from before the change, so it falls
    after it (02:30 BST); a time they repeat (01:30 on the autumn Sunday) is
    the first (BST) one. In UTC, adding a duration adds real time, so a
    meeting across a clock change keeps its length."""
    return wall.replace(tzinfo=zone).astimezone(dt.UTC)


def _local_until(text: str, zone: ZoneInfo) -> str:
    """A UTC UNTIL as wall-clock time in `zone`, as the naive start is."""

    def local(match: re.Match) -> str:
        moment = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
        return f"UNTIL={moment.astimezone(zone):%Y%m%dT%H%M%S}"

    return UTC_UNTIL.sub(local, text)


def parse(rule: str, first: dt.datetime, time_zone: str = "Europe/London") -> rrule:
    """The rule starting at `first` (naive local time in `time_zone`). Only
    the RRULE part is accepted: the start comes from the series, not the
    rule. Meetings repeat at most daily."""
    text = (rule or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text:
        raise RuleError("Enter a recurrence rule, e.g. FREQ=WEEKLY;BYDAY=TU.")
    if any(part in text.upper() for part in ("DTSTART", "\n", "EXDATE", "RDATE")):
        raise RuleError(
            "Give one RRULE only (e.g. FREQ=MONTHLY;BYDAY=2WE); the start is set apart."
        )
    if any("=" not in part for part in text.split(";") if part.strip()):
        raise RuleError(
            "Write the rule as NAME=VALUE parts separated by semicolons, e.g. FREQ=WEEKLY;BYDAY=TU."
        )
    if TOO_OFTEN.search(text):
        raise RuleError("Meetings can repeat at most daily (FREQ=DAILY).")
    try:
        parsed = rrulestr(_local_until(text, ZoneInfo(time_zone)), dtstart=first)
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
    """The rule's meeting start times (instants in UTC) from
    window_start to window_end inclusive (both aware), none after `last_day`."""
    zone = ZoneInfo(time_zone)
    start = window_start.astimezone(zone).replace(tzinfo=None)
    end = window_end.astimezone(zone).replace(tzinfo=None)
    if last_day is not None:
        end = min(end, dt.datetime.combine(last_day, dt.time.max))
    if end < start:
        return []
    # rrule works in naive wall time; the zone is applied after, so each
    # date keeps its local time whatever the UTC offset is that day.
    return [
        instant(moment, zone)
        for moment in parse(rule, first, time_zone).between(start, end, inc=True)
    ]
