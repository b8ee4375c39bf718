"""Confidence intervals and comparisons with a comparator, as OHID
Fingertips computes them (PHEindicatormethods): no Django, numpy arrays.

Wilson score interval for proportions; Byar's approximation for counts and
rates. An organisation is better or worse than the comparator when the
comparator lies outside its 95% interval (which way is better follows the
metric's direction), similar when inside."""

import numpy as np
import pandas as pd

Z95 = 1.959963984540054


def wilson(numerator, denominator, z: float = Z95):
    """(lower, upper) of a proportion's interval, as proportions (0-1)."""
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    centre = 2 * x + z**2
    spread = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
    scale = 2 * (n + z**2)
    return (centre - spread) / scale, (centre + spread) / scale


def byar(count, z: float = Z95):
    """(lower, upper) of a count's interval; divide by the denominator (and
    multiply by the factor) for a rate."""
    x = np.asarray(count, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(x > 0, x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3, 0.0)
    x1 = x + 1
    upper = x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3
    return lower, upper


def interval(metric_type: str, numerator, denominator, factor: float = 1.0):
    """The 95% interval of values of a metric, in the metric's units."""
    if metric_type == "proportion":
        lower, upper = wilson(numerator, denominator)
        return lower * factor, upper * factor
    lower, upper = byar(numerator)
    denominator = np.asarray(denominator, dtype=float) if denominator is not None else 1.0
    return lower / denominator * factor, upper / denominator * factor


def compare(lower, upper, comparator, direction: str) -> np.ndarray:
    """'better', 'similar' or 'worse' (for neutral metrics 'higher'/'lower')."""
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    comparator = np.asarray(comparator, dtype=float)
    above = comparator < lower  # the organisation is above the comparator
    below = comparator > upper
    high, low = {
        "higher": ("better", "worse"),
        "lower": ("worse", "better"),
    }.get(direction, ("higher", "lower"))
    return np.select([above, below], [high, low], default="similar")


def peer_ranks(values: pd.Series, directions: pd.Series, groups: list[pd.Series]) -> pd.DataFrame:
    """Rank (1 = best) and quintile (1 = best fifth) of each value among the
    others in its group (e.g. the members' values of one metric and month),
    best being highest or lowest by the metric's direction, and the group's
    size (how many were ranked)."""
    key = values.where(directions.eq("lower"), -values)
    grouped = key.groupby(groups)
    rank = grouped.rank(method="min")
    size = grouped.transform("size")
    quintile = (np.floor((rank - 1) / size * 5) + 1).clip(1, 5)
    return pd.DataFrame(
        {
            "rank": rank.astype("Int64"),
            "quintile": quintile.astype("Int64"),
            "size": size.astype("Int64"),
        },
        index=values.index,
    )


def pool_counts(values: pd.Series, groups: list[pd.Series]) -> pd.DataFrame:
    """How many values each group pools and how many different values they
    are (what the small-numbers rule needs to know of a comparator's
    contributors, core.small_numbers), by group."""
    grouped = values.groupby(groups)
    return pd.DataFrame({"count": grouped.size(), "different": grouped.nunique()})
