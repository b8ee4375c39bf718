"""Health outcomes of a commissioner against its peers: its value, its rank
among the commissioners with a value (1 = best), the national average and
upper quartile (the value a quarter of commissioners do better than). No
Django. Who may be shown the rank and national figures is the small-numbers
rule's to decide (core.small_numbers, applied by assurance.selectors)."""

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, replace

HIGHER, LOWER = "higher", "lower"


@dataclass(frozen=True)
class Position:
    value: float | None
    rank: int | None  # 1 = best; ties share the better rank
    peers: int | None  # commissioners with a value, including this one
    national_average: float | None
    upper_quartile: float | None
    # Why rank, peers and the national figures are not shown (the
    # small-numbers rule), or None.
    withheld: str | None = None

    def withhold(self, reason: str) -> "Position":
        """The position without what the rule withholds: all but the value."""
        return replace(
            self,
            rank=None,
            peers=None,
            national_average=None,
            upper_quartile=None,
            withheld=reason,
        )


def position(values: Mapping[int, float], commissioner: int, direction: str) -> Position:
    """`values` maps commissioner id to its value for the metric and period.
    Neutral metrics have no rank or upper quartile."""
    present = [v for v in values.values() if v is not None]
    value = values.get(commissioner)
    average = national_average(present)
    if average is None or direction not in (HIGHER, LOWER):
        return Position(value, None, len(present), average, None)
    better = (lambda v: v > value) if direction == HIGHER else (lambda v: v < value)
    rank = None if value is None else 1 + sum(better(v) for v in present)
    return Position(value, rank, len(present), average, upper_quartile(present, direction))


def upper_quartile(values: list[float], direction: str) -> float:
    """The value a quarter of commissioners do better than: the inclusive
    75th percentile when higher is better, the 25th when lower is (cut points
    within the range of the values seen; one value is its own quartile)."""
    if len(values) == 1:
        return values[0]
    low, _, high = statistics.quantiles(values, n=4, method="inclusive")
    return high if direction == HIGHER else low


def national_average(values: list[float]) -> float | None:
    """The mean of every commissioner's value (None without any)."""
    return statistics.fmean(values) if values else None


IMPROVING, WORSENING, NO_CHANGE = "improving", "worsening", "no change"
# A change in the yearly mean smaller than this share of the year before's
# mean is "no change": monthly values move a little by chance.
NO_CHANGE_WITHIN = 0.05


def trend(before: list[float], during: list[float], direction: str) -> str | None:
    """Improving, worsening or no change: the mean of the commissioner's
    monthly values in the assessed year against the mean in the year before,
    by the metric's direction. None for a neutral metric or when either year
    has no value."""
    if direction not in (HIGHER, LOWER) or not before or not during:
        return None
    earlier, later = statistics.fmean(before), statistics.fmean(during)
    change = later - earlier
    if abs(change) <= NO_CHANGE_WITHIN * abs(earlier):
        return NO_CHANGE
    return IMPROVING if (change > 0) == (direction == HIGHER) else WORSENING
