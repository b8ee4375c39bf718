"""Rules for what people type, shared by the browser forms (core.forms) and
the API (core.api), so a date, a piece of text or a file name meets the
same rule however it comes in. No Django.

- Dates lie in the years 2000 to 2100: outside them a date is a slip
  (0001-01-01, 9999-12-31), and arithmetic near either end of the calendar
  fails ("date value out of range").
- Concord holds aggregate data only, so text holding what looks like an NHS
  number (ten digits, together or in groups split by spaces or hyphens, whose
  last is the modulus-11 check digit of the others) is refused.
- A title is one line: line breaks and runs of spaces become one space (an
  email subject with a line break cannot be sent).
- A file name cut to fit its column keeps its extension.
"""

import datetime as dt
import re
from pathlib import PurePath

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
DATE_RANGE = "in the years 2000 to 2100"

NHS_NUMBER_MESSAGE = (
    "This looks like an NHS number. Concord holds aggregate data only: remove patient identifiers."
)
# Digits in groups split by single spaces or hyphens: "943 476 5919", "943-476-5919".
DIGIT_GROUPS = re.compile(r"\d+(?:[ -]\d+)*")
GROUP_SEPARATOR = re.compile(r"[ -]")


def date_in_range(value: dt.date) -> bool:
    """Whether a date (or the day of a datetime) lies in the years 2000 to 2100."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return EARLIEST_DATE <= value <= LATEST_DATE


def is_nhs_number(digits: str) -> bool:
    """Ten digits whose last is the modulus-11 check digit of the first nine
    (weights 10 down to 2; a check digit of 10 is never issued)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    remainder = (
        sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
        % 11
    )
    check = (11 - remainder) % 11
    return check != 10 and check == int(digits[9])


def holds_nhs_number(text: str) -> bool:
    """Whether `text` holds an NHS number: ten digits written together, or
    consecutive groups of digits split by spaces or hyphens that make ten
    ("ward 12 943 476 5919" holds one). Longer runs of digits (a phone
    number, 02079460958) are not one."""
    for run in DIGIT_GROUPS.finditer(text):
        groups = GROUP_SEPARATOR.split(run.group())
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) >= 10:
                    break
            if is_nhs_number(digits):
                return True
    return False


def one_line(text: str) -> str:
    """The text on one line: line breaks, tabs and runs of spaces become one
    space, and none is left at either end."""
    return " ".join(text.split())


def shortened_file_name(name: str, limit: int) -> str:
    """`name` cut to `limit` characters at most, keeping its extension:
    the part before it is shortened."""
    if len(name) <= limit:
        return name
    suffix = PurePath(name).suffix
    if not suffix or len(suffix) >= limit:
        return name[:limit]
    stem = name[: -len(suffix)]
    return stem[: limit - len(suffix)] + suffix
