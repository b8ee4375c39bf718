"""Computing and storing a contract's scores (docs/scoring.md).

`rescore_contract` gathers the inputs in a fixed number of queries, computes
every metric, dimension and aggregate score with outcomes.scoring over whole
frames, and writes one new ScoreRun per month computed, replacing that
month's run, all in one transaction with the contract row locked: two
rescores of the same contract queue up rather than interleave, and a crash
leaves the previous scores intact. A month's scores depend on its own inputs
alone, so a rescore after a submission computes and writes only the months
the submission touched. Scores are per month, for each organisation expected
to submit and, for a network, for the network as a whole (ratios pooled)."""

import hashlib
import json
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import FloatField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from contracts.choices import OrganisationKind, Side
from contracts.models import Contract
from outcomes import benchmark, scoring
from outcomes.bulk import insert_frame, read_frame
from outcomes.choices import RATIO_TYPES, Aggregation, RunTrigger
from outcomes.models import (
    AggregateScore,
    ContractMetric,
    Dimension,
    DimensionScore,
    Measurement,
    MetricScore,
    PendingRescore,
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
    parts = []
    metrics = versions.drop_duplicates("metric_id")
    for metric_id, submitted_by, frequency in metrics[
        ["metric_id", "submitted_by", "frequency"]
    ].itertuples(index=False):
        submitters = [commissioner] if submitted_by == Side.COMMISSIONER else providers
        spec = SimpleNamespace(frequency=frequency)
        starts = [month for month in months if starts_a_period(spec, month)]
        parts.append(
            pd.MultiIndex.from_product(
                [[metric_id], [org.pk for org in submitters], starts],
                names=["metric_id", "organisation_id", "period_start"],
            ).to_frame(index=False)
        )
    grid = pd.concat(parts, ignore_index=True)
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


def _measurements(contract, grid: pd.DataFrame) -> pd.DataFrame:
    """The measurements the contract scores (the current ones, but the
    revisions it kept in months it accepted before a correction arrived:
    Measurement.objects.scored_by) of the grid's metrics, organisations and
    months; numbers read as floats in the database (scores use floats), which
    spares building a Decimal per value."""
    rows = (
        Measurement.objects.scored_by(contract.pk)
        .filter(
            metric_id__in=grid["metric_id"].unique().tolist(),
            organisation_id__in=grid["organisation_id"].unique().tolist(),
            period_start__gte=grid["period_start"].min(),
            period_start__lte=grid["period_start"].max(),
        )
        .annotate(
            numerator_f=Cast("numerator", FloatField()),
            denominator_f=Cast("denominator", FloatField()),
            value_f=Cast("value", FloatField()),
        )
        .values_list(
            "pk",
            "metric_id",
            "organisation_id",
            "period_start",
            "numerator_f",
            "denominator_f",
            "value_f",
        )
    )
    return read_frame(
        rows,
        [
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
    has = has.assign(measurement_id=has["measurement_id"].astype("int64")).sort_values(
        [*keys, "measurement_id"]
    )
    pooled = (
        has.groupby(keys)
        .agg(
            numerator=("numerator", "sum"),
            denominator=("denominator", "sum"),
            mean=("measured", "mean"),
            total=("measured", "sum"),
        )
        .reset_index()
    )
    # Each group's ids, in order: has is sorted by the group keys, as pooled is.
    group_starts = np.flatnonzero(np.diff(has.groupby(keys).ngroup().to_numpy())) + 1
    pooled["measurement_ids"] = (
        [ids.tolist() for ids in np.split(has["measurement_id"].to_numpy(), group_starts)]
        if len(has)
        else []
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


PEER_CTE = """
WITH holder AS (
    SELECT DISTINCT cm.metric_id, COALESCE(nm.provider_id, c.provider_id) AS organisation_id
    FROM {contract_metric} cm
    JOIN {contract} c ON c.id = cm.contract_id
    LEFT JOIN {network_member} nm ON nm.network_id = c.provider_id
    WHERE cm.metric_id IN ({metrics})
), peer AS (
    SELECT m.metric_id, m.period_start, m.organisation_id,
        CAST(m.numerator AS DOUBLE PRECISION) AS numerator,
        CAST(m.denominator AS DOUBLE PRECISION) AS denominator,
        CAST(m.value AS DOUBLE PRECISION) AS measured
    FROM {measurement} m
    JOIN holder h ON h.metric_id = m.metric_id AND h.organisation_id = m.organisation_id
    WHERE m.id IN ({scored})
)
"""
PEER_SQL = (
    PEER_CTE
    + """
SELECT p.metric_id, p.period_start, COUNT(*), COUNT(DISTINCT p.measured),
    SUM(p.numerator), SUM(p.denominator), AVG(p.measured),
    SUM(CASE WHEN p.measured < own.measured THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.measured > own.measured THEN 1 ELSE 0 END)
FROM peer p
JOIN peer own ON own.metric_id = p.metric_id AND own.period_start = p.period_start
    AND own.organisation_id = %s
GROUP BY p.metric_id, p.period_start
HAVING COUNT(*) > 1
"""
)
# Who the peers are, in months when they are few.
PEER_IDS_SQL = (
    PEER_CTE
    + """
SELECT p.metric_id, p.period_start, p.organisation_id
FROM peer p
JOIN (
    SELECT metric_id, period_start FROM peer
    GROUP BY metric_id, period_start
    HAVING COUNT(*) <= %s
) few ON few.metric_id = p.metric_id AND few.period_start = p.period_start
ORDER BY p.metric_id, p.period_start, p.organisation_id
"""
)
# A single provider's peers are named with its comparison when there are at
# most this many (a network's members always are): the small-numbers rule
# then knows exactly whom a person sees among them, where it matters (a
# person seeing most of the peers). Above it, it counts (selectors.Comparisons).
PEER_IDS_UP_TO = 50
PEER_COLUMNS = [
    "metric_id",
    "organisation_id",
    "period_start",
    "comparator",
    "rank",
    "quintile",
    "size",
    "different",
    "ids",
]


def _peers(contract, values: pd.DataFrame) -> pd.DataFrame:
    """For a single provider's contract: per provider-side metric and month
    in which the provider and at least one other reported, the peers' pooled
    value (ratios: sum of numerators over sum of denominators; others: the
    mean), the provider's rank (1 = best, ties share the best place) and
    quintile among them, how many they are and how many different values
    they reported, and who they are when they are few (`ids`, a tuple; for
    the small-numbers rule, which decides per person who is shown these:
    core.small_numbers). Peers are every provider holding the metric, on a
    contract of its own or as a member of a network on one (the provider
    included), each by the revision this contract scores
    (Measurement.objects.scored_by: the provider's own value is the one the
    contract accepted, the others' their current ones). Two queries, which
    aggregate in the database: a provider's peers can be every trust in the
    country, and only these figures are needed."""
    from contracts.models import NetworkMember

    own = values[values["submitted_by"] == Side.PROVIDER]
    if own.empty:
        return pd.DataFrame(columns=PEER_COLUMNS)
    metric_ids = [int(m) for m in own["metric_id"].unique()]
    months = sorted(own["period_start"].unique())
    scored, scored_params = (
        Measurement.objects.scored_by(contract.pk)
        .filter(metric_id__in=metric_ids, period_start__in=months)
        .values("pk")
        .query.sql_with_params()
    )
    names = {
        "contract_metric": ContractMetric._meta.db_table,
        "contract": Contract._meta.db_table,
        "network_member": NetworkMember._meta.db_table,
        "measurement": Measurement._meta.db_table,
        "metrics": ", ".join(["%s"] * len(metric_ids)),
        "scored": scored,
    }
    provider_id = int(own["organisation_id"].iloc[0])
    pooled = [*metric_ids, *scored_params]
    with connection.cursor() as cursor:
        cursor.execute(PEER_SQL.format(**names), [*pooled, provider_id])
        rows = cursor.fetchall()
        cursor.execute(PEER_IDS_SQL.format(**names), [*pooled, PEER_IDS_UP_TO])
        named = cursor.fetchall()
    keys = ["metric_id", "period_start"]
    ids: dict[tuple, list] = {}
    for metric_id, period, organisation_id in named:
        ids.setdefault((metric_id, pd.Timestamp(period).date()), []).append(organisation_id)
    found = pd.DataFrame.from_records(
        rows,
        columns=[*keys, "size", "different", "numerator", "denominator", "mean", "below", "above"],
    )
    found["period_start"] = pd.to_datetime(found["period_start"]).dt.date
    found = found.merge(
        own[[*keys, "metric_type", "factor", "direction"]].drop_duplicates(keys), on=keys
    )
    ratio = found["metric_type"].isin(list(RATIO_TYPES))
    found["comparator"] = np.where(
        ratio,
        found["numerator"].astype(float) / found["denominator"].astype(float) * found["factor"],
        found["mean"].astype(float),
    )
    better = np.where(found["direction"].eq("lower"), found["below"], found["above"])
    rank = pd.Series(better + 1, index=found.index).where(found["direction"].ne("neutral"))
    quintile = (np.floor((rank - 1) / found["size"] * 5) + 1).clip(1, 5)
    found["rank"], found["quintile"] = rank.astype("Int64"), quintile.astype("Int64")
    found["organisation_id"] = provider_id
    found["ids"] = [
        tuple(ids[key]) if key in ids else None
        for key in zip(found["metric_id"], found["period_start"], strict=True)
    ]
    return found[PEER_COLUMNS]


def _benchmarks(metrics: pd.DataFrame, network_id: int | None, peers: pd.DataFrame) -> pd.DataFrame:
    """95% intervals for ratio metrics, and a comparison per metric and month:
    each member of a network with the network as a whole and ranked among
    the members; a single provider with the pooled value of its peers (see
    `_peers`) and ranked among them. With each comparator, how many it pools
    (`peer_count`; the rank, where there is one, is out of these), how many
    different values they are (`peer_distinct`) and who they are
    (`peer_ids`: a network's members; a single provider's peers when few):
    what the small-numbers rule needs when the scores are shown."""
    metrics = metrics.assign(
        ci_lower=np.nan,
        ci_upper=np.nan,
        comparator=np.nan,
        comparison="",
        peer_rank=pd.NA,
        peer_quintile=pd.NA,
        peer_count=pd.NA,
        peer_distinct=pd.NA,
        peer_ids=None,
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
    keys = ["metric_id", "period_start"]
    if network_id is not None:
        network = metrics[metrics["organisation_id"] == network_id].set_index(keys)["value"]
        compared = metrics["organisation_id"].ne(network_id)
        metrics.loc[compared, "comparator"] = network.reindex(
            pd.MultiIndex.from_frame(metrics.loc[compared, keys])
        ).to_numpy()
        ranked = metrics[compared & metrics["value"].notna() & metrics["direction"].ne("neutral")]
        places = benchmark.peer_ranks(
            ranked["value"], ranked["direction"], [ranked["metric_id"], ranked["period_start"]]
        )
        metrics.loc[ranked.index, "peer_rank"] = places["rank"]
        metrics.loc[ranked.index, "peer_quintile"] = places["quintile"]
        # The network's value pools its members with a value.
        pooled = metrics[compared & metrics["value"].notna()]
        groups = [pooled["metric_id"], pooled["period_start"]]
        counts = benchmark.pool_counts(pooled["value"], groups)
        counts["ids"] = (
            pooled["organisation_id"].groupby(groups).agg(lambda ids: sorted(int(i) for i in ids))
        )
        counts = counts.reindex(pd.MultiIndex.from_frame(metrics[keys]))
        has = (compared & metrics["comparator"].notna()).to_numpy()
        metrics.loc[has, "peer_count"] = counts["count"].to_numpy()[has]
        metrics.loc[has, "peer_distinct"] = counts["different"].to_numpy()[has]
        metrics["peer_ids"] = [
            ids if compared_here else None
            for ids, compared_here in zip(counts["ids"], has, strict=True)
        ]
    elif not peers.empty:
        index = pd.MultiIndex.from_frame(metrics[[*keys, "organisation_id"]])
        found = peers.set_index([*keys, "organisation_id"]).reindex(index)
        metrics["comparator"] = found["comparator"].to_numpy()
        metrics["peer_rank"] = found["rank"].to_numpy()
        metrics["peer_quintile"] = found["quintile"].to_numpy()
        metrics["peer_count"] = found["size"].to_numpy()
        metrics["peer_distinct"] = found["different"].to_numpy()
        metrics["peer_ids"] = [
            list(ids) if isinstance(ids, tuple) else None for ids in found["ids"]
        ]
    compared = metrics["ci_lower"].notna() & metrics["comparator"].notna()
    for direction, rows in metrics[compared].groupby("direction").groups.items():
        metrics.loc[rows, "comparison"] = benchmark.compare(
            metrics.loc[rows, "ci_lower"],
            metrics.loc[rows, "ci_upper"],
            metrics.loc[rows, "comparator"],
            direction,
        )
    return metrics


def compute(contract, today=None, only_months=None) -> dict:
    """Every score of a contract (in `only_months`, when given), as frames (no
    writes), with a digest of each month's inputs. A month's scores depend on
    that month's inputs alone, so a part computed alone equals the same part
    of a full computation."""
    versions = _versions(contract)
    grid = _grid(contract, versions, today, only_months) if not versions.empty else pd.DataFrame()
    if grid.empty:
        empty = pd.DataFrame()
        return {"metrics": empty, "dimensions": empty, "aggregates": empty, "digests": {}}
    measured = _measurements(contract, grid)
    values = grid.merge(measured, on=["metric_id", "organisation_id", "period_start"], how="left")
    for column in ("numerator", "denominator", "measured"):
        values[column] = values[column].astype(float)
    weights = dict(Dimension.objects.values_list("pk", "weight"))
    network_id = contract.provider_id if contract.provider.is_network else None
    peers = _peers(contract, values) if network_id is None else pd.DataFrame()
    digests = _digests(values, peers, weights)
    values["measurement_ids"] = [
        [int(i)] if i == i else []
        for i in values["measurement_id"].to_numpy()  # NaN != NaN
    ]
    if network_id is not None:
        values = pd.concat([values, _network_rows(values, network_id)], ignore_index=True)
    metrics = scoring.score_metrics(values.rename(columns={"measured": "value"}))
    metrics = _benchmarks(metrics, network_id, peers)
    keys = ["organisation_id", "period_start"]
    dimensions = scoring.dimension_scores(metrics, keys).reset_index()
    every = pd.MultiIndex.from_product(
        [metrics["organisation_id"].unique(), metrics["period_start"].unique(), list(weights)],
        names=[*keys, "dimension_id"],
    ).to_frame(index=False)
    dimensions = every.merge(dimensions, on=[*keys, "dimension_id"], how="left")
    dimensions["coverage"] = dimensions["coverage"].fillna(0.0)
    dimensions["dimension_weight"] = dimensions["dimension_id"].map(weights).astype(float)
    aggregates = scoring.aggregate_scores(dimensions, keys).reset_index()
    return {
        "metrics": metrics,
        "dimensions": dimensions,
        "aggregates": aggregates,
        "digests": digests,
    }


def _digests(values: pd.DataFrame, peers: pd.DataFrame, weights: dict) -> dict:
    """SHA-256 of each month's inputs: every expected cell with the contract
    metric version in force (thresholds, weight, metric attributes) and the
    measurement revision found, the peer comparison (pooled value, rank and
    quintile: what the scores use of the peers), the rule version and the
    dimension weights. Rows are hashed with pandas' fixed-key row hash, in a
    fixed order."""
    common = json.dumps(
        [scoring.RULE_VERSION, sorted((k, str(v)) for k, v in weights.items())]
    ).encode()
    parts = {}
    for frame in (values, peers):
        if frame.empty:
            continue
        rows = frame.sort_values(["period_start", "metric_id", "organisation_id"])
        hashes = pd.util.hash_pandas_object(rows[sorted(rows.columns)], index=False).to_numpy()
        months = rows["period_start"].to_numpy()
        starts = np.flatnonzero(np.r_[True, months[1:] != months[:-1]])
        ends = np.r_[starts[1:], len(months)]
        for a, b in zip(starts, ends, strict=True):
            parts.setdefault(months[a], []).append(hashes[a:b].tobytes())
    scored_months = set(values["period_start"])
    return {
        month: hashlib.sha256(common + b"|".join(chunks)).hexdigest()
        for month, chunks in parts.items()
        if month in scored_months
    }


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
    "peer_count",
    "peer_distinct",
    "peer_ids",
]
DIMENSION_SCORE_FIELDS = ["dimension_id", "organisation_id", "period_start", "score", "coverage"]
AGGREGATE_SCORE_FIELDS = ["organisation_id", "period_start", "score", "coverage"]
INT_FIELDS = {
    "contract_metric_id",
    "metric_id",
    "organisation_id",
    "dimension_id",
    "peer_rank",
    "peer_quintile",
    "peer_count",
    "peer_distinct",
}


def _rows_of(frame: pd.DataFrame, fields: list[str], run_of: dict) -> pd.DataFrame:
    """The rows of `frame` in the months of `run_of` (month -> run id), with
    their run, ready for insert_frame."""
    if frame.empty:
        return frame
    frame = frame[frame["period_start"].isin(list(run_of))]
    rows = frame[fields].assign(run_id=frame["period_start"].map(run_of))[["run_id", *fields]]
    return rows.astype(dict.fromkeys(INT_FIELDS & set(fields), "Int64") | {"run_id": "int64"})


@dataclass(frozen=True)
class Rescored:
    """What a rescore did to a contract's monthly runs."""

    contract_id: int
    written: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    removed: list = field(default_factory=list)


@transaction.atomic
def rescore_contract(
    contract_id: int, trigger: str, today=None, only_if_changed: bool = False, months=None
) -> Rescored:
    """Compute the contract's scores (only `months`, when given) and swap in a
    new run for each month computed, replacing that month's run. With
    `only_if_changed`, months whose inputs are identical to their current
    run's (same digest) are left as they are. A full rescore also removes the
    runs of months the contract no longer expects."""
    contract = Contract.objects.select_for_update().select_related("provider").get(pk=contract_id)
    result = compute(contract, today or timezone.localdate(), months)
    digests = result["digests"]
    current = dict(
        ScoreRun.objects.filter(contract=contract, is_current=True).values_list(
            "period_start", "inputs_digest"
        )
    )
    asked = set(months) if months is not None else set(current)
    removed = sorted(asked - set(digests))
    unchanged = sorted(
        m for m, digest in digests.items() if only_if_changed and current.get(m) == digest
    )
    written = sorted(set(digests) - set(unchanged))
    ScoreRun.objects.filter(contract=contract, period_start__in=written + removed).delete()
    runs = ScoreRun.objects.bulk_create(
        ScoreRun(
            contract=contract,
            period_start=month,
            trigger=trigger,
            rule_version=scoring.RULE_VERSION,
            inputs_digest=digests[month],
            is_current=True,
        )
        for month in written
    )
    run_of = {run.period_start: run.pk for run in runs}
    metrics = result["metrics"].rename(columns={"version_id": "contract_metric_id"})
    if not metrics.empty:
        metrics["rating"] = metrics["rating"].fillna("")
    for model, frame, fields in (
        (MetricScore, metrics, METRIC_SCORE_FIELDS),
        (DimensionScore, result["dimensions"], DIMENSION_SCORE_FIELDS),
        (AggregateScore, result["aggregates"], AGGREGATE_SCORE_FIELDS),
    ):
        insert_frame(model, _rows_of(frame, fields, run_of))
    return Rescored(contract.pk, written, unchanged, removed)


def mark_pending(submission) -> list[int]:
    """Record, in the caller's transaction, the months of each contract whose
    scores a stored submission changed. Returns the contracts marked."""
    months = affected_months(submission)
    contract_ids = contracts_for_submission(submission)
    now = timezone.now()
    PendingRescore.objects.bulk_create(
        [
            PendingRescore(contract_id=pk, period_start=month, marked_at=now)
            for pk in contract_ids
            for month in months
        ],
        update_conflicts=True,
        unique_fields=["contract", "period_start"],
        update_fields=["marked_at"],
    )
    return contract_ids


@transaction.atomic
def rescore_pending(contract_id: int) -> Rescored | None:
    """Rescore the months marked pending for a contract and clear the marks it
    covered. A mark renewed while this ran (a newer submission) stays for the
    next run. None when nothing was pending."""
    Contract.objects.select_for_update().filter(pk=contract_id).first()
    marks = list(
        PendingRescore.objects.filter(contract_id=contract_id).values_list(
            "pk", "period_start", "marked_at"
        )
    )
    if not marks:
        return None
    result = rescore_contract(
        contract_id, RunTrigger.SUBMISSION, months=sorted({month for _, month, _ in marks})
    )
    covered = Q()
    for pk, _, marked_at in marks:
        covered |= Q(pk=pk, marked_at=marked_at)
    PendingRescore.objects.filter(covered).delete()
    return result


def affected_months(submission) -> list:
    """The periods a stored submission wrote."""
    return sorted(set(submission.measurements.values_list("period_start", flat=True)))


def contracts_for_submission(submission) -> list[int]:
    """Contracts whose scores a stored submission can change: those holding
    one of its metrics with one of its organisations as provider, member of
    the provider network, or commissioner; and every single provider's
    contract holding one of its metrics, whose peer comparison it changes."""
    rows = submission.measurements.values_list("metric_id", "organisation_id").distinct()
    metrics = {m for m, _ in rows}
    organisations = {o for _, o in rows}
    candidates = (
        Contract.objects.binding().filter(metric_versions__metric_id__in=metrics).distinct()
    )
    return list(
        candidates.filter(
            Q(provider_id__in=organisations)
            | Q(provider__member_links__provider_id__in=organisations)
            | Q(commissioner_id__in=organisations)
            | ~Q(provider__kind=OrganisationKind.NETWORK)
        )
        .distinct()
        .values_list("pk", flat=True)
    )
