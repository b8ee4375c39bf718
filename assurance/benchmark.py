"""Health outcomes of a commissioner against its peers: its value, its rank
among the commissioners with a value (1 = best), the national average and
upper quartile (the value a quarter of commissioners do better than), when
at least MIN_PEERS commissioners have a value. No Django."""

import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from outcomes.benchmark import MIN_PEERS

HIGHER, LOWER = "higher", "lower"

# National figures (rank, average, upper quartile) need at least MIN_PEERS
# commissioners with a value: the rule for every comparison across contracts.


@dataclass(frozen=True)
class Position:
    value: float | None
    rank: int | None  # 1 = best; ties share the better rank
    peers: int  # commissioners with a value, including this one
    national_average: float | None
    upper_quartile: float | None


def position(values: Mapping[int, float], commissioner: int, direction: str) -> Position:
    """`values` maps commissioner id to its value for the metric and period.
    Neutral metrics have no rank or upper quartile; with fewer than
    MIN_PEERS commissioners there are no national figures at all."""
    present = [v for v in values.values() if v is not None]
    value = values.get(commissioner)
    average = national_average(present)
    if average is None:
        return Position(value, None, len(present), None, None)
    if direction not in (HIGHER, LOWER):
        return Position(value, None, len(present), average, None)
    better = (lambda v: v > value) if direction == HIGHER else (lambda v: v < value)
    rank = None if value is None else 1 + sum(better(v) for v in present)
    # Inclusive quartiles: cut points within the range of the values seen.
    low, _, high = statistics.quantiles(present, n=4, method="inclusive")
    quartile = high if direction == HIGHER else low
    return Position(value, rank, len(present), average, quartile)


def national_average(values: list[float]) -> float | None:
    """The mean of every commissioner's value, or None below MIN_PEERS."""
    return statistics.fmean(values) if len(values) >= MIN_PEERS else None


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
