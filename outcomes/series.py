"""SPC series of one metric for one organisation (docs/scoring.md), split
into calculation periods at its rebases.

`spc_series` reads the organisation's current measurements in period order
(given a contract, the revisions it scores) and, when a contract is given,
the contract's rebases of the series (a
rebase belongs to one contract: without a contract there are none) and the
target of the contract metric in force for the latest period, and runs
outcomes.spc over them. Reads only: the rebasing decisions that split a
series (adding and withdrawing a rebase, with their rules) are written by
outcomes.services.rebasing."""

import datetime as dt

from outcomes import spc
from outcomes.choices import Direction
from outcomes.models import Measurement, SpcRebase

SPC_DIRECTIONS = {
    Direction.HIGHER_IS_BETTER: "increase",
    Direction.LOWER_IS_BETTER: "decrease",
    Direction.NEUTRAL: "neutral",
}

POINT_COLUMNS = (
    "segment",
    "mean",
    "lpl",
    "upl",
    "nlpl",
    "nupl",
    "relative_to_mean",
    "outside_limits",
    "near_limits",
    "special_cause_type",
    "point_type",
)
INT_COLUMNS = {"segment", "relative_to_mean", "outside_limits", "near_limits"}
FLOAT_COLUMNS = {"mean", "lpl", "upl", "nlpl", "nupl"}


def current_measurements(metric, organisation, contract=None):
    """The organisation's current measurements of `metric`; given a contract,
    the revisions it scores (Measurement.objects.scored_by: in a month it
    accepted before a correction arrived, the one it accepted)."""
    measurements = (
        Measurement.objects.scored_by(contract.pk) if contract else Measurement.objects.current()
    )
    return measurements.filter(metric=metric, organisation=organisation)


def contract_target(contract, metric, day: dt.date) -> float | None:
    """The target of the contract metric in force on `day`, if any."""
    from outcomes.models import ContractMetric

    version = (
        ContractMetric.objects.filter(contract=contract, metric=metric)
        .in_force_on(day)
        .values_list("target", flat=True)
        .first()
    )
    return None if version is None else float(version)


def spc_series(metric, organisation, contract=None) -> dict:
    """{points, summary} of the XmR analysis of the organisation's current
    measurements of `metric`, split at `contract`'s rebases of the series
    (none without a contract). The summary has the
    segments (mean, limits, n), the variation and assurance icons, the
    improvement direction, the target used and warnings (a calculation
    period of fewer than 12 points, or no data at all)."""
    rows = list(
        current_measurements(metric, organisation, contract)
        .order_by("period_start")
        .values_list("period_start", "value")
    )
    rebases = (
        list(
            SpcRebase.objects.filter(contract=contract, metric=metric, organisation=organisation)
            .order_by("period_start")
            .values_list("period_start", flat=True)
        )
        if contract
        else []
    )
    dates = [period for period, _ in rows]
    target = contract_target(contract, metric, dates[-1]) if contract and dates else None
    if not rows:
        return empty_series(
            metric.direction,
            target,
            rebases,
            f"There are no current measurements of {metric.code} for {organisation.code}.",
        )
    return analyse_rows(rows, rebases, metric.direction, target)


def empty_series(direction: str, target, rebases, warning: str) -> dict:
    """The {points, summary} of a series with no data, saying why."""
    return {
        "points": [],
        "summary": {
            "segments": [],
            "variation": None,
            "assurance": None,
            "improvement_direction": SPC_DIRECTIONS[direction],
            "target": target,
            "rebases": list(rebases),
            "warnings": [warning],
        },
    }


def analyse_rows(rows, rebases, direction: str, target: float | None) -> dict:
    """{points, summary} of the XmR analysis of (period_start, value) rows in
    period order (no missing values), split at the `rebases` dates, for a
    metric `direction` (Direction) and an optional target. No queries: the
    dashboard runs it over many series read in one query."""
    spc_direction = SPC_DIRECTIONS[direction]
    dates = [period for period, _ in rows]
    options = spc.Options(
        improvement_direction=spc_direction,
        target=target,
        rebase_at=spc.rebase_positions(dates, rebases),
    )
    frame = spc.analyse([float(value) for _, value in rows], options)
    points = []
    for period, (_, value), record in zip(
        dates, rows, frame[list(POINT_COLUMNS)].to_dict("records"), strict=True
    ):
        point = {"period_start": period, "value": float(value)}
        for column in POINT_COLUMNS:
            cell = record[column]
            if column in INT_COLUMNS:
                cell = int(cell)
            elif column in FLOAT_COLUMNS:
                cell = float(cell)
            point[column] = cell
        points.append(point)
    summary = spc.summary(frame, options)
    summary.update(
        improvement_direction=spc_direction,
        target=target,
        rebases=[d for d in rebases if d in set(dates)],
    )
    for segment in summary["segments"]:
        first = next(p for p in points if p["segment"] == segment["segment"])
        segment["period_from"] = first["period_start"]
    return {"points": points, "summary": summary}
