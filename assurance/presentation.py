"""How the assurance scorecard's outcome trends are shown, on the
commissioner's page and on a published scorecard alike: a Plotly chart of
the commissioner's monthly values against the national average, built from
a pandas frame, with its text alternative, the same data as table rows, and
the trend word as a tag. Works on plain values (dates or ISO dates), so a
published snapshot renders the same way as live data."""

import datetime as dt

import pandas as pd

from assurance.choices import Trend
from core.numbers import clean
from core.views import chart
from outcomes import charts

TREND_MEANING = (
    "Improving or worsening compares the mean of the commissioner's monthly values in "
    "the assessed year with the mean in the year before, by which way is better for the "
    "measure. A change of 5% or less of the year before's mean is shown as no change. "
    "Measures where neither higher nor lower is better have no trend."
)


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def outcome_trend(code: str, name: str, unit: str, months: list[dict], trend: str | None) -> dict:
    """The chart (for templates/_chart.html), table rows and trend
    tag of one outcome. `months`: period_start, value, national_average and
    (live, and snapshots since version 4) `withheld`: why the small-numbers
    rule left the month's national average out, if it did."""
    frame = pd.DataFrame(
        {
            "period_start": [_day(m["period_start"]) for m in months],
            "value": pd.Series([m["value"] for m in months], dtype="float64"),
            "national_average": pd.Series([m["national_average"] for m in months], dtype="float64"),
        }
    )
    label = f"{name} by month"
    return {
        "chart": chart(
            f"trend-{code.lower()}",
            charts.peer_trend_figure(frame, label, unit),
            charts.peer_trend_text(frame, name, unit, trend),
        ),
        "table": [
            {
                "period_start": row.period_start,
                "value": clean(row.value),
                "national_average": clean(row.national_average),
                "withheld": month.get("withheld"),
            }
            for row, month in zip(frame.itertuples(), months, strict=True)
        ],
        "trend_tag": Trend(trend).tag if trend else None,
    }
