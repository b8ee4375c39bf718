"""Measurement values on pages, written as the public scorecards and text
alternatives write them (outcomes.charts.fmt)."""

from django import template

from outcomes.charts import fmt

register = template.Library()


@register.filter
def measure(value, unit=""):
    """`{{ value|measure:unit }}`: 91.4%, 12.3 per 1,000, £1,429.70."""
    return fmt(value, 1, unit or "")
