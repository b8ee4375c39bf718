"""The one way Concord writes a number: on pages, in chart text, in
downloads' words and in plain-language explanations. No Django here.

- `fmt(value, digits, unit)`: a measured value, rounded half up (91.35 is
  91.4 everywhere, as Django's floatformat rounds), thousands separators,
  the unit after it (91.4%, 12.3 per 1,000) and money in pounds and pence;
  'no data' when missing.
- `money(amount)`: £1,234.56, with a true minus sign for a negative amount
  (−£1,234.56); `drop_zero_pence=True` writes whole pounds bare (£1,200,000)
  where prose reads better without '.00'.
- `plain(decimal)`: a rule's figure as it was written (50, not 50.000).
"""

import math
from decimal import ROUND_HALF_UP, Decimal

MINUS = "\u2212"


def is_missing(value) -> bool:
    """None, NaN and pandas' NA (checked by name, so pandas need not be imported)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ == "NAType"


def clean(value):
    """A number for JSON: None for missing."""
    return None if is_missing(value) else float(value)


def money(amount, *, drop_zero_pence: bool = False) -> str:
    """£1,234.56 and −£1,234.56, rounded half up to the penny; '' for None."""
    if amount is None:
        return ""
    pence = Decimal(str(amount)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    sign = MINUS if pence < 0 else ""
    pence = abs(pence)
    if drop_zero_pence and pence == pence.to_integral():
        return f"{sign}£{pence:,.0f}"
    return f"{sign}£{pence:,.2f}"


def fmt(value, digits: int = 1, unit: str = "") -> str:
    """A number as every page writes it, 'no data' when missing: rounded
    half up, with thousands separators; money in pounds and pence (£1,429.70)."""
    if is_missing(value):
        return "no data"
    if unit == "£":
        return money(Decimal(str(float(value))))
    exact = Decimal(str(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    text = f"{exact:,.{digits}f}"
    return f"{text}{unit}" if unit in ("%", "") else f"{text} {unit}"


def plain(value: Decimal | None) -> Decimal | None:
    """50.000 as 50 and 0.100 as 0.1, so rules read as they were written."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def as_shown(value, unit: str = "", digits: int = 1) -> Decimal | None:
    """A figure as the pages show it, still a number: rounded half up (as
    fmt and floatformat round) to one decimal place, or two
    for money; None when missing. A Decimal keeps its places in a CSV
    (1416.10, not 1416.1) and is a typed number in a workbook."""
    if is_missing(value):
        return None
    if unit == "£":
        digits = 2
    return Decimal(str(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
