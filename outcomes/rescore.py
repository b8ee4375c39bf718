"""Computing and storing a contract's scores (DOMAIN.md section 4).

`rescore_contract` gathers the inputs in a fixed number of queries, computes
every metric, dimension and aggregate score with outcomes.scoring over whole
frames, and writes a new ScoreRun, swapping it in for the previous one, all
in one transaction with the contract row locked: two rescores of the same
contract queue up rather than interleave, and a crash leaves the previous
scores intact. Scores are per month, for each organisation expected to
submit and, for a network, for the network as a whole (ratios pooled)."""

import hashlib
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from contracts.models import Contract, ContractMetric
from outcomes import benchmark, scoring
from outcomes.bulk import insert_rows
from outcomes.choices import RATIO_TYPES, Aggregation, Side
from outcomes.models import (
    AggregateScore,
    Dimension,
    DimensionScore,
    Measurement,
    MetricScore,
    ScoreRun,
)
from outcomes.selectors import contract_months, expected_organisations, starts_a_period

VERSION_FIELDS = {
    "pk": "version_id",
    "metric_id": "metric_id",
    "effective_from": "effective_from",
    "minimum_threshold": "minimum",
    "target": "target",
    "baseline": "baseline",
    "weight": "weight",
    "metric__direction": "direction",
    "metric__metric_type": "metric_type",
    "metric__factor": "factor",
    "metric__aggregation": "aggregation",
    "metric__frequency": "frequency",
    "metric__submitted_by": "submitted_by",
    "metric__dimension_id": "dimension_id",
}


def _versions(contract) -> pd.DataFrame:
    rows = ContractMetric.objects.filter(contract=contract).values_list(*VERSION_FIELDS)
    frame = pd.DataFrame.from_records(list(rows), columns=list(VERSION_FIELDS.values()))
    for column in ("minimum", "target", "baseline", "weight", "factor"):
        frame[column] = frame[column].astype(float)
    return frame


def _grid(contract, versions: pd.DataFrame, today, only_months=None) -> pd.DataFrame:
    """(metric version in force, organisation, month) for every expected value
    (in `only_months`, when given)."""
    providers, commissioner = expected_organisations(contract)
    months = sorted(contract_months(contract, today))
    if only_months is not None:
        months = [month for month in months if month in set(only_months)]
    cells = []
    metrics = versions.drop_duplicates("metric_id").set_index("metric_id")
    for metric_id, metric in metrics.iterrows():
        submitters = [commissioner] if metric["submitted_by"] == Side.COMMISSIONER else providers
        spec = SimpleNamespace(frequency=metric["frequency"])
        for month in months:
            if starts_a_period(spec, month):
                cells.extend((metric_id, org.pk, month) for org in submitters)
    grid = pd.DataFrame(cells, columns=["metric_id", "organisation_id", "period_start"])
    if grid.empty:
        return grid
    # The version in force on the period's first day.
    grid["_day"] = pd.to_datetime(grid["period_start"])
    by_date = versions.assign(_day=pd.to_datetime(versions["effective_from"]))
    grid = pd.merge_asof(
        grid.sort_values("_day"),
        by_date.sort_values("_day").drop(columns="effective_from"),
        on="_day",
        by="metric_id",
        direction="backward",
    )
    return grid.dropna(subset=["version_id"]).drop(columns="_day")


def _measurements(grid: pd.DataFrame) -> pd.DataFrame:
    rows = Measurement.objects.filter(
        is_current=True,
        metric_id__in=grid["metric_id"].unique().tolist(),
        organisation_id__in=grid["organisation_id"].unique().tolist(),
        period_start__gte=grid["period_start"].min(),
        period_start__lte=grid["period_start"].max(),
    ).values_list(
        "pk", "metric_id", "organisation_id", "period_start", "numerator", "denominator", "value"
    )
    return pd.DataFrame.from_records(
        list(rows),
        columns=[
            "measurement_id",
            "metric_id",
            "organisation_id",
            "period_start",
            "numerator",
            "denominator",
            "measured",
        ],
    )


def _network_rows(values: pd.DataFrame, network_id: int) -> pd.DataFrame:
    """The network as a whole: ratios pooled over members (sum of numerators
    over sum of denominators), other metrics by their aggregation."""
    provider_side = values[values["submitted_by"] == Side.PROVIDER]
    if provider_side.empty:
        return provider_side
    keys = ["metric_id", "period_start"]
    has = provider_side[provider_side["measurement_id"].notna()]
    pooled = (
        has.groupby(keys)
        .agg(
            numerator=("numerator", "sum"),
            denominator=("denominator", "sum"),
            mean=("measured", "mean"),
            total=("measured", "sum"),
            measurement_ids=("measurement_id", lambda ids: sorted(int(i) for i in ids)),
        )
        .reset_index()
    )
    first = provider_side.drop_duplicates(keys).drop(
        columns=[
            "organisation_id",
            "numerator",
            "denominator",
            "measured",
            "measurement_id",
            "measurement_ids",
        ]
    )
    network = first.merge(pooled, on=keys, how="left")
    ratio = network["metric_type"].isin(list(RATIO_TYPES))
    network["measured"] = np.select(
        [ratio, network["aggregation"].eq(Aggregation.SUM)],
        [network["numerator"] / network["denominator"] * network["factor"], network["total"]],
        default=network["mean"],
    )
    network.loc[~ratio, ["numerator", "denominator"]] = np.nan
    network["measurement_ids"] = [
        ids if isinstance(ids, list) else [] for ids in network["measurement_ids"]
    ]
    network["organisation_id"] = network_id
    return network.drop(columns=["mean", "total"])


def _benchmarks(metrics: pd.DataFrame, network_id: int | None) -> pd.DataFrame:
    """95% intervals for ratio metrics; each member compared with the network
    as a whole and ranked among the members, per metric and month."""
    metrics = metrics.assign(
        ci_lower=np.nan,
        ci_upper=np.nan,
        comparator=np.nan,
        comparison="",
        peer_rank=pd.NA,
        peer_quintile=pd.NA,
    )
    for metric_type in RATIO_TYPES:
        rows = metrics["metric_type"].eq(metric_type) & metrics["denominator"].gt(0)
        lower, upper = benchmark.interval(
            metric_type,
            metrics.loc[rows, "numerator"],
            metrics.loc[rows, "denominator"],
            metrics.loc[rows, "factor"],
        )
        metrics.loc[rows, "ci_lower"], metrics.loc[rows, "ci_upper"] = lower, upper
    if network_id is None:
        return metrics
    keys = ["metric_id", "period_start"]
    network = metrics[metrics["organisation_id"] == network_id].set_index(keys)["value"]
    members = metrics["organisation_id"].ne(network_id)
    comparator = pd.Series(
        network.reindex(pd.MultiIndex.from_frame(metrics.loc[members, keys])).to_numpy(),
        index=metrics.index[members],
    )
    metrics.loc[members, "comparator"] = comparator
    compared = members & metrics["ci_lower"].notna() & metrics["comparator"].notna()
    for direction, rows in metrics[compared].groupby("direction").groups.items():
        metrics.loc[rows, "comparison"] = benchmark.compare(
            metrics.loc[rows, "ci_lower"],
            metrics.loc[rows, "ci_upper"],
            metrics.loc[rows, "comparator"],
            direction,
        )
    ranked = metrics[members & metrics["value"].notna() & metrics["direction"].ne("neutral")]
    places = benchmark.peer_ranks(
        ranked["value"], ranked["direction"], [ranked["metric_id"], ranked["period_start"]]
    )
    metrics.loc[ranked.index, "peer_rank"] = places["rank"]
    metrics.loc[ranked.index, "peer_quintile"] = places["quintile"]
    return metrics


def compute(contract, today=None, only_months=None) -> dict[str, pd.DataFrame]:
    """Every score of a contract (in `only_months`, when given), as frames (no
    writes). A month's scores depend on that month's inputs alone, so a part
    computed alone equals the same part of a full computation."""
    versions = _versions(contract)
    grid = _grid(contract, versions, today, only_months) if not versions.empty else pd.DataFrame()
    if grid.empty:
        empty = pd.DataFrame()
        return {"metrics": empty, "dimensions": empty, "aggregates": empty, "digest": ""}
    measured = _measurements(grid)
    values = grid.merge(measured, on=["metric_id", "organisation_id", "period_start"], how="left")
    for column in ("numerator", "denominator", "measured"):
        values[column] = values[column].astype(float)
    values["measurement_ids"] = [[] if pd.isna(i) else [int(i)] for i in values["measurement_id"]]
    if contract.provider.is_network:
        values = pd.concat([values, _network_rows(values, contract.provider_id)], ignore_index=True)
    metrics = scoring.score_metrics(values.rename(columns={"measured": "value"}))
    metrics = _benchmarks(metrics, contract.provider_id if contract.provider.is_network else None)
    keys = ["organisation_id", "period_start"]
    dimensions = scoring.dimension_scores(metrics, keys).reset_index()
    weights = dict(Dimension.objects.values_list("pk", "weight"))
    every = pd.MultiIndex.from_product(
        [metrics["organisation_id"].unique(), metrics["period_start"].unique(), list(weights)],
        names=[*keys, "dimension_id"],
    ).to_frame(index=False)
    dimensions = every.merge(dimensions, on=[*keys, "dimension_id"], how="left")
    dimensions["coverage"] = dimensions["coverage"].fillna(0.0)
    dimensions["dimension_weight"] = dimensions["dimension_id"].map(weights).astype(float)
    aggregates = scoring.aggregate_scores(dimensions, keys).reset_index()
    digest = _digest(versions, measured, grid, weights)
    return {
        "metrics": metrics,
        "dimensions": dimensions,
        "aggregates": aggregates,
        "digest": digest,
    }


def _digest(versions, measured, grid, weights) -> str:
    """SHA-256 of everything the scores depend on."""
    payload = {
        "rules": scoring.RULE_VERSION,
        "versions": versions.sort_values("version_id").astype(str).values.tolist(),
        "measurements": measured.sort_values("measurement_id").astype(str).values.tolist(),
        "cells": grid[["metric_id", "organisation_id", "period_start"]]
        .astype(str)
        .sort_values(["metric_id", "organisation_id", "period_start"])
        .values.tolist(),
        "dimension_weights": sorted((k, str(v)) for k, v in weights.items()),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


METRIC_SCORE_FIELDS = [
    "contract_metric_id",
    "metric_id",
    "organisation_id",
    "period_start",
    "numerator",
    "denominator",
    "value",
    "score",
    "rating",
    "improvement",
    "measurement_ids",
    "ci_lower",
    "ci_upper",
    "comparator",
    "comparison",
    "peer_rank",
    "peer_quintile",
]
DIMENSION_SCORE_FIELDS = ["dimension_id", "organisation_id", "period_start", "score", "coverage"]
AGGREGATE_SCORE_FIELDS = ["organisation_id", "period_start", "score", "coverage"]
ID_FIELDS = {"contract_metric_id", "metric_id", "organisation_id", "dimension_id"}


def _records(frame: pd.DataFrame, fields: list[str], run_id: int):
    """Row tuples for insert_rows: ids as ints, missing values as None."""
    if frame.empty:
        return []
    columns = frame[fields].astype({f: int for f in fields if f in ID_FIELDS})
    columns = columns.astype(object).where(columns.notna(), None)
    return [(run_id, *row) for row in columns.itertuples(index=False, name=None)]


@transaction.atomic
def rescore_contract(
    contract_id: int, trigger: str, today=None, only_if_changed: bool = False, months=None
) -> ScoreRun:
    """Compute the contract's scores and swap them in as its current run.
    With `months` (after a submission), only those months are computed and the
    current run's other rows are carried over inside the database. With
    `only_if_changed`, inputs identical to the current run's (same digest)
    leave it as it is. Runs older than the one replaced are removed."""
    contract = Contract.objects.select_for_update().select_related("provider").get(pk=contract_id)
    current = ScoreRun.objects.filter(contract=contract, is_current=True).first()
    partial = months is not None and current is not None
    result = compute(contract, today or timezone.localdate(), months if partial else None)
    if partial:
        # Chained: the digest of the carried-over rows' run, then this part's inputs.
        result["digest"] = hashlib.sha256(
            f"{current.inputs_digest}:{sorted(map(str, months))}:{result['digest']}".encode()
        ).hexdigest()
    if only_if_changed and current and current.inputs_digest == result["digest"]:
        return current
    run = ScoreRun.objects.create(
        contract=contract,
        trigger=trigger,
        rule_version=scoring.RULE_VERSION,
        inputs_digest=result["digest"],
    )
    if partial:
        for model in (MetricScore, DimensionScore, AggregateScore):
            _carry_over(model, current.pk, run.pk, months)
    metrics = result["metrics"].rename(columns={"version_id": "contract_metric_id"})
    if not metrics.empty:
        metrics["rating"] = metrics["rating"].fillna("")
    insert_rows(
        MetricScore,
        ["run_id", *METRIC_SCORE_FIELDS],
        _records(metrics, METRIC_SCORE_FIELDS, run.pk),
    )
    insert_rows(
        DimensionScore,
        ["run_id", *DIMENSION_SCORE_FIELDS],
        _records(result["dimensions"], DIMENSION_SCORE_FIELDS, run.pk),
    )
    insert_rows(
        AggregateScore,
        ["run_id", *AGGREGATE_SCORE_FIELDS],
        _records(result["aggregates"], AGGREGATE_SCORE_FIELDS, run.pk),
    )
    stale = ScoreRun.objects.filter(contract=contract, is_current=False).exclude(pk=run.pk)
    if current:
        stale = stale.exclude(pk=current.pk)
        ScoreRun.objects.filter(pk=current.pk).update(is_current=False)
    stale.delete()
    ScoreRun.objects.filter(pk=run.pk).update(is_current=True)
    run.is_current = True
    return run


def _carry_over(model, from_run: int, to_run: int, months) -> None:
    """Copy a run's rows outside `months` into another run, in one statement."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [
        connection.ops.quote_name(f.column)
        for f in model._meta.concrete_fields
        if f.name not in ("id", "run")
    ]
    names = ", ".join(columns)
    placeholders = ", ".join(["%s"] * len(months))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (run_id, {names}) SELECT %s, {names} FROM {table} "
            f"WHERE run_id = %s AND period_start NOT IN ({placeholders})",
            [to_run, from_run, *months],
        )


def affected_months(submission) -> list:
    """The periods a stored submission wrote."""
    return sorted(set(submission.measurements.values_list("period_start", flat=True)))


def contracts_for_submission(submission) -> list[int]:
    """Contracts whose scores a stored submission can change: those holding
    one of its metrics with one of its organisations as provider, member of
    the provider network, or commissioner."""
    rows = submission.measurements.values_list("metric_id", "organisation_id").distinct()
    metrics = {m for m, _ in rows}
    organisations = {o for _, o in rows}
    candidates = Contract.objects.filter(metric_versions__metric_id__in=metrics).distinct()
    return list(
        candidates.filter(
            Q(provider_id__in=organisations)
            | Q(provider__member_links__provider_id__in=organisations)
            | Q(commissioner_id__in=organisations)
        )
        .distinct()
        .values_list("pk", flat=True)
    )
