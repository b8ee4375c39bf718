"""Making Data Count XmR charts (NHS England), as the NHS-R Community's
NHSRplotthedots computes them: no Django here, numpy over whole series.

For each calculation period (the series is split where it is rebased):
mean; moving ranges |x_i - x_{i-1}|, with those of 3.267 x their mean or
more screened out once before the mean moving range is taken; process
limits mean +/- 2.66 x mean moving range; 2-sigma lines at 2/3 of that.
Special cause: a point outside the limits; 7 points in a row on one side of
the mean (a point on the mean breaks the run); 7 points in a row strictly
rising or falling (ties break it); 2 of 3 points beyond a 2-sigma line on
the same side. Every point of a pattern is flagged.

Labels are plain English ("Below the lower process limit", "7 points in a
row rising"); NHSRplotthedots's own ("Below LCL", "7 Point Trend
(Increasing)") map one to one. Improvement or concern is read from the rule
that labels a point (`_point_types`): NHSRplotthedots reads every rule by
the point's side of the mean, which gives the points of a trend that
crosses the mean opposite types; here a trend is read by its direction."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Bump when a rule, a point type or a label below changes: the dashboard's
# cached SPC summaries (reporting.dashboards.spc_by_metric) are keyed by it.
RULES_VERSION = "2026.2"
LIMIT_FACTOR = 2.66
NEAR_FACTOR = 2.66 * 2 / 3  # 1.773: the 2-sigma lines
SCREEN_FACTOR = 3.267
RUN_LENGTH = 7
MIN_POINTS = 12  # fewer points in a calculation period earn a warning
DIRECTIONS = ("increase", "decrease", "neutral")

COMMON_CAUSE = "Common cause"


@dataclass(frozen=True)
class Options:
    improvement_direction: str = "increase"
    target: float | None = None
    rebase_at: tuple[int, ...] = ()  # positions where a new calculation period starts
    fix_after_n_points: int | None = None
    screen_outliers: bool = True

    def __post_init__(self):
        if self.improvement_direction not in DIRECTIONS:
            raise ValueError(f"improvement_direction must be one of {', '.join(DIRECTIONS)}")
        fix = self.fix_after_n_points
        if fix is not None and (
            isinstance(fix, bool) or not isinstance(fix, int | np.integer) or fix < MIN_POINTS
        ):
            raise ValueError(
                f"fix_after_n_points must be a single whole number of at least {MIN_POINTS}"
            )
        if self.target is not None and not np.isfinite(self.target):
            raise ValueError("target must be a finite number")


# --- The single rules, each over one calculation period ---------------------


def shift_ends(side: np.ndarray) -> np.ndarray:
    """1 at each point that is the 7th or later of a run on one side of the
    mean. `side` is -1, 0 (on the mean: breaks the run) or 1."""
    out = np.zeros(len(side), dtype=int)
    run = 0
    for i, s in enumerate(side):
        if s == 0:
            run = 0
        elif i > 0 and s == side[i - 1]:
            run += 1
        else:
            run = 1
        out[i] = 1 if run >= RUN_LENGTH else 0
    return out


def trend_ends(y: np.ndarray) -> np.ndarray:
    """+1 (or -1) at each point ending 7 points in a row strictly rising (or
    falling); a tie breaks the run."""
    out = np.zeros(len(y), dtype=int)
    run, direction = 1, 0
    for i in range(1, len(y)):
        step = int(np.sign(y[i] - y[i - 1]))
        if step != 0 and step == direction:
            run += 1
        else:
            run, direction = (2, step) if step else (1, 0)
        if run >= RUN_LENGTH:
            out[i] = direction
    return out


def spread_back(ends: np.ndarray) -> np.ndarray:
    """Mark every point of a 7-point pattern given the points that end one."""
    out = np.zeros(len(ends), dtype=int)
    for i in np.flatnonzero(ends):
        out[max(0, i - RUN_LENGTH + 1) : i + 1] = 1
    return out


def two_of_three_windows(near: np.ndarray, side: np.ndarray) -> np.ndarray:
    """1 for every point of a window of 3 consecutive points all on the same
    side of the mean, 2 or more of them beyond the 2-sigma line."""
    n = len(near)
    side = np.pad(np.asarray(side, dtype=int)[:n], (0, max(0, n - len(side))))
    near = np.asarray(near, dtype=int)
    out = np.zeros(n, dtype=int)
    for i in range(n - 2):
        if abs(side[i : i + 3].sum()) == 3 and near[i : i + 3].sum() >= 2:
            out[i : i + 3] = 1
    return out


def two_of_three_points(near: np.ndarray, side: np.ndarray) -> np.ndarray:
    """The points beyond the 2-sigma line that make up a 2-of-3 pattern."""
    return two_of_three_windows(near, side) * np.asarray(near, dtype=int)


# --- Whole series ---------------------------------------------------------


def segments_of(n: int, rebase_at) -> np.ndarray:
    """Calculation-period number of each point (rebasing starts a new one)."""
    flags = np.zeros(n, dtype=int)
    for position in rebase_at:
        if 0 < position < n:
            flags[position] = 1
    return np.cumsum(flags)


def rebase_positions(dates, rebase_dates) -> tuple[int, ...]:
    """Positions of the series' dates at which to rebase; dates not in the
    series are ignored."""
    wanted = set(pd.to_datetime(list(rebase_dates)))
    return tuple(i for i, d in enumerate(pd.to_datetime(list(dates))) if d in wanted)


def _limits(y: np.ndarray, options: Options) -> tuple[float, float]:
    basis = y[: options.fix_after_n_points] if options.fix_after_n_points else y
    mean = float(np.mean(basis))
    ranges = np.abs(np.diff(basis))
    if len(ranges) == 0:
        return mean, 0.0
    mean_range = float(np.mean(ranges))
    if options.screen_outliers:
        kept = ranges[ranges < SCREEN_FACTOR * mean_range]
        mean_range = float(np.mean(kept)) if len(kept) else mean_range
    return mean, mean_range


def analyse(values, options: Options | None = None) -> pd.DataFrame:
    """One row per point: segment, mean, limits, side of the mean, the rule
    flags, the rule that labels it and its point type."""
    options = options or Options()
    y = np.asarray(values, dtype=float)
    if np.isnan(y).any():
        raise ValueError("values must not be missing: leave missing periods out")
    segment = segments_of(len(y), options.rebase_at)
    frame = pd.DataFrame({"y": y, "segment": segment})
    parts = []
    for _, part in frame.groupby("segment", sort=True):
        yy = part["y"].to_numpy()
        mean, mean_range = _limits(yy, options)
        side = np.sign(yy - mean).astype(int)
        upl, lpl = mean + LIMIT_FACTOR * mean_range, mean - LIMIT_FACTOR * mean_range
        nupl, nlpl = mean + NEAR_FACTOR * mean_range, mean - NEAR_FACTOR * mean_range
        outside = np.where(yy > upl, 1, np.where(yy < lpl, -1, 0))
        near = ((outside == 0) & ((yy > nupl) | (yy < nlpl))).astype(int)
        trend = trend_ends(yy)
        parts.append(
            part.assign(
                mean=mean,
                mean_moving_range=mean_range,
                lpl=lpl,
                upl=upl,
                nlpl=nlpl,
                nupl=nupl,
                relative_to_mean=side,
                outside_limits=outside,
                near_limits=near,
                trend=spread_back(trend) * _trend_direction(trend),
                shift=spread_back(shift_ends(side)),
                two_of_three=two_of_three_points(near, side),
            )
        )
    frame = pd.concat(parts)
    frame["special_cause_type"] = [
        label(r.outside_limits, r.trend, r.two_of_three, r.shift, r.relative_to_mean)
        for r in frame.itertuples()
    ]
    frame["point_type"] = _point_types(frame, options.improvement_direction)
    return frame.reset_index(drop=True)


def _trend_direction(ends: np.ndarray) -> np.ndarray:
    """Spread each trend's direction back over its points."""
    out = np.zeros(len(ends), dtype=int)
    for i in np.flatnonzero(ends):
        out[max(0, i - RUN_LENGTH + 1) : i + 1] = ends[i]
    return out


def signal(outside: int, trend: int, two_of_three: int, shift: int, side: int) -> int:
    """Which way the rule that labels a point (see `label`) points: +1 high,
    -1 low, 0 for common cause. A trend points the way it runs; the other
    rules the way the point sits from the mean."""
    if outside:
        return 1 if outside > 0 else -1
    if trend:
        return 1 if trend > 0 else -1
    if two_of_three or shift:
        return 1 if side > 0 else -1
    return 0


def label(outside: int, trend: int, two_of_three: int, shift: int, side: int) -> str:
    """The rule that labels a point. Precedence (as NHSRplotthedots): outside
    the limits, trend, 2 of 3 near a limit, shift; `trend` carries the
    trend's direction."""
    where = "above" if side > 0 else "below"
    if outside:
        return "Above the upper process limit" if side > 0 else "Below the lower process limit"
    if trend:
        return f"7 points in a row {'rising' if trend > 0 else 'falling'}"
    if two_of_three:
        return f"2 of 3 points near the {'upper' if side > 0 else 'lower'} process limit"
    if shift:
        return f"7 points in a row {where} the mean"
    return COMMON_CAUSE


def _point_types(frame: pd.DataFrame, direction: str) -> list[str]:
    """Improvement or concern by the metric's direction, read from the one
    rule that labels the point (`label`'s precedence: outside the limits,
    trend, 2 of 3 near a limit, shift), as `signal` points it: a point
    outside the limits, near a limit or in a run on one side of the mean by
    its side of the mean, as Making Data Count reads those rules; a point of
    a trend by the trend's direction (rising is improvement when higher is
    better, concern when lower is better; falling the reverse), whichever
    side of the mean it sits.

    A point flagged by rules that disagree takes the labelling rule's
    reading, so its type always agrees with the label shown beside it: a
    point outside the limits is read by its side even within a trend the
    other way (a single point beyond the limits is the strongest signal),
    and a trend outranks the 2-of-3 and shift rules (7 points falling while
    above the mean is a concern when higher is better). With a neutral
    direction every special cause is neutral."""
    good = {"increase": 1, "decrease": -1}.get(direction)
    types = []
    for r in frame.itertuples():
        way = signal(r.outside_limits, r.trend, r.two_of_three, r.shift, r.relative_to_mean)
        if way == 0:
            types.append("common_cause")
        elif good is None:
            types.append("special_cause_neutral")
        else:
            types.append("special_cause_improvement" if way == good else "special_cause_concern")
    return types


# --- Summaries ------------------------------------------------------------


def assurance(lpl: float, upl: float, target: float | None, direction: str) -> str | None:
    """Whether the process will meet the target, from the latest limits."""
    if target is None or direction == "neutral":
        return None
    if direction == "increase":
        if target > upl:
            return "consistent_fail"
        if target < lpl:
            return "consistent_pass"
    else:
        if target > upl:
            return "consistent_pass"
        if target < lpl:
            return "consistent_fail"
    return "inconsistent"


def variation_icon(frame: pd.DataFrame) -> str:
    """The variation icon is the last point's type, high or low as the rule
    that labels it points (`signal`): by its side of the mean, or for a
    trend by the trend's direction, so the icon agrees with the type
    (improvement is high when higher is better)."""
    last = frame.iloc[-1]
    if last["point_type"] == "common_cause":
        return "common_cause"
    kind = last["point_type"].removeprefix("special_cause_")
    way = signal(
        last["outside_limits"],
        last["trend"],
        last["two_of_three"],
        last["shift"],
        last["relative_to_mean"],
    )
    return f"{kind}_{'high' if way > 0 else 'low'}"


def summary(frame: pd.DataFrame, options: Options) -> dict:
    last = frame.iloc[-1]
    sizes = frame.groupby("segment").size()
    return {
        "segments": [
            {
                "segment": int(s),
                "n": int(sizes[s]),
                "mean": float(g["mean"].iat[0]),
                "lpl": float(g["lpl"].iat[0]),
                "upl": float(g["upl"].iat[0]),
            }
            for s, g in frame.groupby("segment", sort=True)
        ],
        "variation": variation_icon(frame),
        "assurance": assurance(
            last["lpl"], last["upl"], options.target, options.improvement_direction
        ),
        "warnings": [
            f"Calculation period {int(s) + 1} has {int(n)} points: limits from fewer than "
            f"{MIN_POINTS} points are unreliable."
            for s, n in sizes.items()
            if n < MIN_POINTS
        ],
    }
