"""Numbers on pages, written by core.numbers as every chart text and
download writes them: `{% load figures %}`.

- `{{ value|measure:unit }}`: 91.4%, 12.3 per 1,000, £1,429.70;
- `{{ amount|money }}`: £1,234.56 and −£1,234.56;
- `{{ rate|number }}`: a rule's figure as written (25, not 25.000); 'none' when missing."""

from decimal import Decimal, InvalidOperation

from django import template

from core import numbers

register = template.Library()


@register.filter
def measure(value, unit=""):
    return numbers.fmt(value, 1, unit or "")


@register.filter
def money(value) -> str:
    if value in (None, ""):
        return ""
    try:
        return numbers.money(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


@register.filter
def number(value) -> str:
    if value in (None, "", "none"):
        return "none"
    try:
        return str(numbers.plain(Decimal(str(value))))
    except InvalidOperation:
        return str(value)
