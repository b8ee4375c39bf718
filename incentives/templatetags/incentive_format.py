"""Money and percentages on incentive pages: £1,234.56 and −£1,234.56; 25%
rather than 25.000%."""

from decimal import Decimal, InvalidOperation

from django import template

from contracts.views.finance import money as format_money
from incentives.settlement import plain

register = template.Library()


@register.filter
def money(value) -> str:
    if value in (None, ""):
        return ""
    try:
        return format_money(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


@register.filter
def number(value) -> str:
    """A decimal without trailing zeros; 'none' for a missing value."""
    if value in (None, "", "none"):
        return "none"
    try:
        return str(plain(Decimal(str(value))))
    except InvalidOperation:
        return str(value)
