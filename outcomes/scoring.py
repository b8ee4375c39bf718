"""Scoring by the rules of docs/scoring.md: no Django here, pandas over
whole frames. Missing data stays missing (NaN), never zero.

Metric score (0-10), for minimum threshold m and aspirational target t:
  higher is better: 10 x clamp((v - m) / (t - m), 0, 1)
  lower is better:  10 x clamp((m - v) / (m - t), 0, 1)
Rating (Procurement Act 2023 KPI scale): Good when the target is met;
Approaching target when the score is 5 or more; Requires improvement when
the minimum is met (a value exactly at the minimum meets it) but the score
is under 5; Inadequate when the minimum is not met.
Improvement: share of the baseline-to-target gap closed, signed.
Dimension score: weight-averaged metric scores over metrics with data; no
score below 50% coverage of weight. Aggregate (0-100): 10 x weight-averaged
dimension scores over dimensions with a score; none below 60% coverage."""

import numpy as np
import pandas as pd

RULE_VERSION = "2026.3"  # bump when a rule below changes; stored with every score
DIMENSION_MIN_COVERAGE = 0.5
AGGREGATE_MIN_COVERAGE = 0.6

GOOD, APPROACHING, REQUIRES_IMPROVEMENT, INADEQUATE = (
    "good",
    "approaching",
    "requires_improvement",
    "inadequate",
)


def score_metrics(frame: pd.DataFrame) -> pd.DataFrame:
    """Add score, rating and improvement to rows with columns value, minimum,
    target, baseline (may be NaN) and direction (higher, lower, neutral)."""
    value = frame["value"].astype(float)
    minimum = frame["minimum"].astype(float)
    target = frame["target"].astype(float)
    baseline = frame["baseline"].astype(float)
    higher = frame["direction"].eq("higher")
    lower = frame["direction"].eq("lower")
    scored = (higher | lower) & value.notna()

    progress = np.where(
        higher, (value - minimum) / (target - minimum), (minimum - value) / (minimum - target)
    )
    score = pd.Series(10 * np.clip(progress, 0, 1), index=frame.index).where(scored)

    met_target = np.where(higher, value >= target, value <= target)
    met_minimum = np.where(higher, value >= minimum, value <= minimum)
    rating = pd.Series(
        np.select(
            [met_target, score >= 5, met_minimum],
            [GOOD, APPROACHING, REQUIRES_IMPROVEMENT],
            default=INADEQUATE,
        ),
        index=frame.index,
    ).where(scored)

    gap = target - baseline
    improvement = ((value - baseline) / gap).where(scored & baseline.notna() & gap.ne(0))
    return frame.assign(score=score, rating=rating, improvement=improvement)


def _weighted(frame: pd.DataFrame, keys: list[str], score: str, weight: str) -> pd.DataFrame:
    has = frame[score].notna()
    weights = frame[weight].astype(float)
    grouped = frame.assign(
        _w=weights,
        _wd=weights.where(has, 0.0),
        _ws=(frame[score] * weights).where(has, 0.0),
    ).groupby(keys, sort=True)
    totals = grouped[["_w", "_wd", "_ws"]].sum()
    coverage = (totals["_wd"] / totals["_w"]).where(totals["_w"] > 0, 0.0)
    mean = (totals["_ws"] / totals["_wd"]).where(totals["_wd"] > 0)
    return pd.DataFrame({"score": mean, "coverage": coverage})


def dimension_scores(metrics: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per `keys` + dimension_id: score (0-10) and coverage of metric weight.
    Rows need score, weight and dimension_id; neutral metrics carry no weight."""
    counted = metrics[metrics["direction"].ne("neutral")]
    result = _weighted(counted, [*keys, "dimension_id"], "score", "weight")
    result["score"] = result["score"].where(result["coverage"] >= DIMENSION_MIN_COVERAGE)
    return result


def aggregate_scores(dimensions: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per `keys`: aggregate outcome score (0-100) and coverage of dimension
    weight. Give a row for every dimension, with a NaN score where it has
    none, so the coverage counts them; rows need score and dimension_weight."""
    result = _weighted(dimensions, keys, "score", "dimension_weight")
    result["score"] = (10 * result["score"]).where(result["coverage"] >= AGGREGATE_MIN_COVERAGE)
    return result
