"""Reads for the commissioner, network and provider dashboards (issue 6).

`select` turns the request's choices (contract, organisation, month) into a
`Selection` the user may see; `build` reads the stored scores of the
contract's current run and everything else the dashboard shows as pandas
frames, in a fixed number of queries whatever the number of months, metrics
and members (see tests/reporting/test_dashboard_queries.py for the count):

  contracts in scope, the organisations offered, dimensions, contract-metric
  versions (metric names, targets), aggregate scores, dimension scores,
  metric scores for the trend window, the SPC series (measurements, or the
  network's pooled scores), the contract's SPC rebases, completeness (five), open notices,
  overdue actions, and for the contract's two parties only (not a network's
  members) the latest settlement and the incentive position of the year in
  progress (incentives.selectors.projected_position, nine).

Scores are read only through `.visible_to(user).current()` and filtered by
`run__contract_id`, so the permission layer applies and a provider user sees
their own organisation only. Missing values stay missing (None/NaN)."""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import pandas as pd
from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.db.models import Exists, Q
from django.utils import timezone

from contracts.access import data_scope
from contracts.choices import Side
from contracts.models import Contract, Organisation, PerformanceNotice
from contracts.selectors import pending_deadline
from dialogues.models import Action
from incentives.explain import projection_rows
from incentives.models import Settlement
from incentives.querysets import party_contracts
from incentives.selectors import projected_position
from outcomes import selectors, series, spc
from outcomes.choices import Rating, SpcAssurance, Variation
from outcomes.models import (
    AggregateScore,
    ContractMetric,
    Dimension,
    DimensionScore,
    Measurement,
    MetricScore,
    SpcRebase,
)
from outcomes.selectors import Comparisons

TREND_MONTHS = 12  # months of trend, sparkline and member history shown
DUE_MONTHS = 3  # recent months searched for what is still to submit
SPC_CACHE_SECONDS = 24 * 60 * 60  # keyed by every input and spc.RULES_VERSION

COMPARISON_WORDS = {"better": "Better than", "similar": "Similar to", "worse": "Worse than"}
# What a metric's value is compared with: a network's member with the whole
# network, a single provider with every provider holding the metric.
COMPARATORS = {True: "the network", False: "comparable providers"}

METRIC_SCORE_FIELDS = [
    "organisation_id",
    "metric_id",
    "period_start",
    "value",
    "score",
    "rating",
    "improvement",
    "ci_lower",
    "ci_upper",
    "comparator",
    "comparison",
    "peer_rank",
    "peer_quintile",
    "peer_count",
    "peer_distinct",
    "peer_ids",
    "seen_contributors",
]


def parse_month(text) -> dt.date | None:
    """'2025-09' (or an ISO date) as the month's first day; None if not a month."""
    try:
        return dt.date.fromisoformat(f"{text}-01" if len(str(text)) == 7 else str(text)).replace(
            day=1
        )
    except (TypeError, ValueError):
        return None


def parse_id(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


@dataclass
class Selection:
    """What the dashboard shows: a contract the user can see, one of its
    organisations in the user's data scope, and a month."""

    contracts: list
    contract: Contract | None = None
    organisations: list = field(default_factory=list)
    organisation: Organisation | None = None
    months: list = field(default_factory=list)  # newest first
    period: dt.date | None = None
    period_chosen: bool = False
    notes: list = field(default_factory=list)  # why a choice asked for was replaced

    @property
    def is_network(self) -> bool:
        return bool(self.organisation and self.organisation.is_network)

    @property
    def offers_commissioner(self) -> bool:
        return any(org.pk == self.contract.commissioner_id for org in self.organisations)

    @property
    def side(self) -> str:
        """Whose metrics the page shows: the commissioner's own obligations
        when the commissioner is chosen, else the providers'."""
        if self.organisation and self.organisation.pk == self.contract.commissioner_id:
            return Side.COMMISSIONER
        return Side.PROVIDER

    def query(self, **extra) -> dict:
        """The GET parameters that reproduce this selection."""
        params = {}
        if self.contract:
            params["contract"] = self.contract.pk
        if self.organisation:
            params["organisation"] = self.organisation.pk
        if self.period:
            params["period"] = f"{self.period:%Y-%m}"
        params.update(extra)
        return params


def select(
    user, contract=None, organisation=None, period=None, today=None, shown_contract=None
) -> Selection:
    """The selection for the request's GET values (ids and 'YYYY-MM'), falling
    back to the first contract, its provider (or the user's own organisation)
    and the latest month. The commissioner is offered only when the contract
    holds it to metrics of its own. Two queries.

    A choice asked for that cannot be shown is replaced and `notes` says so,
    except when the dashboard's form changed the contract: the form carries
    the contract its organisations and months were listed for
    (`shown_contract`), and when that is not the contract asked for, the
    organisation and month it resubmits belong to the previous contract, so
    they are kept if the new contract has them and quietly replaced if not."""
    today = today or timezone.localdate()
    contracts = list(
        Contract.objects.visible_to(user)
        .select_related("provider", "commissioner")
        .order_by("reference")
    )
    selection = Selection(contracts=contracts)
    if not contracts:
        return selection
    wanted = parse_id(contract)
    selection.contract = next((c for c in contracts if c.pk == wanted), contracts[0])
    chosen = selection.contract
    if contract not in (None, "") and chosen.pk != wanted:
        selection.notes.append(
            f"The contract asked for is not one you can see: showing {chosen.reference}."
        )
    # The form's organisation and month were listed for another contract.
    switched = shown_contract not in (None, "") and parse_id(shown_contract) != chosen.pk
    commissioner_metrics = ContractMetric.objects.filter(
        contract_id=chosen.pk, metric__submitted_by=Side.COMMISSIONER
    )
    selection.organisations = sorted(
        Organisation.objects.filter(
            Q(pk=chosen.provider_id)
            | Q(network_links__network_id=chosen.provider_id)
            | Q(Exists(commissioner_metrics), pk=chosen.commissioner_id),
            pk__in=data_scope(user).values("id"),
        ).distinct(),
        key=lambda org: (
            org.pk != chosen.provider_id,
            org.pk == chosen.commissioner_id,
            org.name,
        ),
    )
    wanted = parse_id(organisation)
    selection.organisation = next(
        (o for o in selection.organisations if o.pk == wanted),
        selection.organisations[0] if selection.organisations else None,
    )
    if (
        organisation not in (None, "")
        and not switched
        and selection.organisation
        and (selection.organisation.pk != wanted)
    ):
        selection.notes.append(
            f"The organisation asked for is not one of {chosen.reference}'s that you can see: "
            f"showing {selection.organisation.name}."
        )
    selection.months = selectors.contract_months(chosen, today)
    month = parse_month(period)
    if month in selection.months:
        selection.period, selection.period_chosen = month, True
    elif selection.months:
        selection.period = selection.months[0]
        if period not in (None, "") and not switched:
            selection.notes.append(
                f"{chosen.reference} has no month {period} so far: showing the latest month."
            )
    return selection


@dataclass
class Dashboard:
    selection: Selection
    today: dt.date
    aggregate: dict | None = None  # score, coverage of the selected month
    trend: pd.DataFrame | None = None  # period_start, score, coverage
    dimensions: list = field(default_factory=list)
    metric_groups: list = field(default_factory=list)  # [(dimension, [row, ...])]
    # Every organisation's metric scores over the trend window, and the month's.
    scores: pd.DataFrame | None = None
    members: pd.DataFrame | None = None
    member_aggregates: pd.DataFrame | None = None
    compare_metric: dict | None = None
    completeness: list = field(default_factory=list)
    due_next: list = field(default_factory=list)
    notices: list = field(default_factory=list)  # open; `deadline`: pending_deadline
    overdue_actions: list = field(default_factory=list)
    # Incentives are between the contract's two parties (a network's members
    # are not): whether the user is one, and if so what they see.
    is_party: bool = False
    settlement: object = None  # the latest incentive settlement, if any
    projection: object = None  # the incentive position of the year in progress, if any
    projection_rows: list = field(default_factory=list)  # it in words (incentives.explain)
    metrics: dict = field(default_factory=dict)  # metric id -> info
    other_side_metrics: int = 0  # metrics of the contract the other party submits
    # When nothing of the month is due yet (every metric expected in it is due
    # after today): {"first", "last"} due dates, for the aggregate and
    # dimensions to say so rather than call the month short of data.
    month_not_due: dict | None = None

    @property
    def metric_rows(self) -> list:
        return [row for _, rows in self.metric_groups for row in rows]


def _frame(queryset, fields: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(queryset.values_list(*fields)), columns=fields)


def as_value(value):
    """NaN and pandas' NA as None, for templates and JSON."""
    return None if value is None or pd.isna(value) else value


def as_int(value) -> int | None:
    """A stored count or place (NA when absent) as an int or None."""
    return None if value is None or pd.isna(value) else int(value)


def metric_info(contract, period: dt.date) -> dict[int, dict]:
    """Each contract metric's definition and the thresholds in force at the
    end of `period` (one query over every version)."""
    versions = ContractMetric.objects.filter(contract_id=contract.pk).select_related(
        "metric__dimension"
    )
    end = period + relativedelta(day=31)
    info: dict[int, dict] = {}
    for version in sorted(versions, key=lambda v: v.effective_from):
        if version.effective_from > end and version.metric_id in info:
            continue
        metric = version.metric
        info[metric.pk] = {
            "id": metric.pk,
            "metric": metric,
            "code": metric.code,
            "name": metric.name,
            "description": metric.description,
            "unit": metric.unit,
            "direction": metric.direction,
            "dimension_id": metric.dimension_id,
            "dimension": metric.dimension.name,
            "dimension_order": metric.dimension.order,
            "submitted_by": metric.submitted_by,
            "target": float(version.target) if version.target is not None else None,
            "minimum": float(version.minimum_threshold),
            "weight": float(version.weight),
            "in_force": version.effective_from <= end,
        }
    return {pk: item for pk, item in info.items() if item["in_force"]}


def spc_values(user, selection: Selection, metric_ids, until: dt.date) -> pd.DataFrame:
    """(metric_id, period_start, value) of the selected organisation's series
    from the contract's first month, in one query: the measurements the
    contract scores (the current ones, but the revisions it kept in months
    it accepted before a correction arrived: Measurement.objects.scored_by),
    or for a network (which submits nothing itself) its pooled monthly
    values from the current scores. Values from before the contract (a
    provider's history) are left out: limits describe the contract's process."""
    org = selection.organisation
    first = selectors.month_start(selection.contract.start_date)
    if org.is_network:
        queryset = (
            MetricScore.objects.visible_to(user)
            .current()
            .filter(
                run__contract_id=selection.contract.pk,
                organisation_id=org.pk,
                metric_id__in=metric_ids,
                period_start__gte=first,
                period_start__lte=until,
                value__isnull=False,
            )
        )
    else:
        queryset = (
            Measurement.objects.visible_to(user)
            .scored_by(selection.contract.pk)
            .filter(
                organisation_id=org.pk,
                metric_id__in=metric_ids,
                period_start__gte=first,
                period_start__lte=until,
            )
        )
    frame = _frame(
        queryset.order_by("metric_id", "period_start"), ["metric_id", "period_start", "value"]
    )
    frame["value"] = frame["value"].astype(float)
    return frame


def spc_by_metric(
    values: pd.DataFrame, rebases: pd.DataFrame, info: dict, summaries_only: bool = False
) -> dict[int, dict]:
    """The XmR analysis of every series in `values`, no queries: metric id ->
    {points, summary} (outcomes.series.analyse_rows per series). With
    `summaries_only` (the dashboard's table), {n, summary} instead, cached
    under a digest of every input, so an unchanged series is not re-analysed."""
    results = {}
    rebase_dates = {
        metric_id: sorted(group["period_start"])
        for metric_id, group in rebases.groupby("metric_id")
    }
    for metric_id, group in values.groupby("metric_id", sort=False):
        metric = info.get(metric_id)
        if metric is None:
            continue
        rows = list(zip(group["period_start"], group["value"].tolist(), strict=True))
        inputs = (rows, rebase_dates.get(metric_id, []), metric["direction"], metric["target"])
        if not summaries_only:
            results[metric_id] = series.analyse_rows(*inputs)
            continue
        digest = hashlib.sha256(repr(inputs).encode()).hexdigest()
        key = f"spc-summary:{spc.RULES_VERSION}:{digest}"
        result = cache.get(key)
        if result is None:
            analysed = series.analyse_rows(*inputs)
            result = {"n": len(analysed["points"]), "summary": analysed["summary"]}
            cache.set(key, result, SPC_CACHE_SECONDS)
        results[metric_id] = result
    return results


def metric_spc(user, selection: Selection, metric: dict) -> dict:
    """{points, summary} of one metric's series for the selected organisation
    up to the selected month (three queries)."""
    values = spc_values(user, selection, [metric["id"]], selection.period)
    rebases = _frame(
        SpcRebase.objects.visible_to(user).filter(
            contract_id=selection.contract.pk,
            organisation_id=selection.organisation.pk,
            metric_id=metric["id"],
        ),
        ["metric_id", "period_start"],
    )
    result = spc_by_metric(values, rebases, {metric["id"]: metric}).get(metric["id"])
    if result is None:
        org = selection.organisation
        return series.empty_series(
            metric["direction"],
            metric["target"],
            [],
            f"There are no values of {metric['code']} for {org.name} up to "
            f"{selection.period:%B %Y}.",
        )
    return result


def _window(period: dt.date, first: dt.date) -> list[dt.date]:
    """The TREND_MONTHS months ending with `period`, oldest first, none
    before `first` (the contract's first month)."""
    months = [period - relativedelta(months=n) for n in range(TREND_MONTHS - 1, -1, -1)]
    return [month for month in months if month >= first]


def build(user, selection: Selection, compare=None, today=None) -> Dashboard:
    """Everything the dashboard shows for `selection` (see the module doc)."""
    today = today or timezone.localdate()
    board = Dashboard(selection=selection, today=today)
    contract, org = selection.contract, selection.organisation
    if contract is None or org is None or selection.period is None:
        return board
    scores = {"run__contract_id": contract.pk}

    aggregates = _frame(
        AggregateScore.objects.visible_to(user).current().filter(**scores).order_by("period_start"),
        ["organisation_id", "period_start", "score", "coverage"],
    )
    if not selection.period_chosen:
        # Default to the latest month the organisation has an aggregate score,
        # else any data (a commissioner's few obligations may never cover
        # enough of the dimensions for an aggregate score).
        own_rows = aggregates[aggregates["organisation_id"].eq(org.pk)]
        scored = own_rows[own_rows["score"].notna()]
        if scored.empty:
            scored = own_rows[own_rows["coverage"].gt(0)]
        if not scored.empty:
            selection.period = max(scored["period_start"])
    period = selection.period
    window = _window(period, selectors.month_start(contract.start_date))

    own = aggregates[aggregates["organisation_id"].eq(org.pk)].set_index("period_start")
    board.trend = pd.DataFrame({"period_start": window}).merge(
        own[["score", "coverage"]], left_on="period_start", right_index=True, how="left"
    )
    if period in own.index:
        row = own.loc[period]
        board.aggregate = {"score": as_value(row["score"]), "coverage": as_value(row["coverage"])}
    # The commissioner's own aggregate (its obligations) is not a member's.
    board.member_aggregates = aggregates[
        aggregates["period_start"].eq(period)
        & aggregates["organisation_id"].ne(contract.commissioner_id)
    ]

    dimensions = list(Dimension.objects.order_by("order", "name"))
    dimension_scores = _frame(
        DimensionScore.objects.visible_to(user)
        .current()
        .filter(**scores, organisation_id=org.pk, period_start=period),
        ["dimension_id", "score", "coverage"],
    ).set_index("dimension_id")
    for dimension in dimensions:
        found = dimension.pk in dimension_scores.index
        board.dimensions.append(
            {
                "dimension": dimension,
                "score": as_value(dimension_scores.at[dimension.pk, "score"]) if found else None,
                "coverage": as_value(dimension_scores.at[dimension.pk, "coverage"])
                if found
                else None,
            }
        )

    every_metric = metric_info(contract, period)
    side = selection.side
    info = board.metrics = {
        pk: metric for pk, metric in every_metric.items() if metric["submitted_by"] == side
    }
    board.other_side_metrics = len(every_metric) - len(info)
    metric_scores = _frame(
        MetricScore.objects.visible_to(user)
        .current()
        .filter(**scores, period_start__gte=window[0], period_start__lte=period)
        .with_seen_contributors(user, period=period),
        METRIC_SCORE_FIELDS,
    )
    for column in ("value", "score", "improvement", "ci_lower", "ci_upper", "comparator"):
        metric_scores[column] = metric_scores[column].astype(float)
    for column in ("peer_rank", "peer_quintile", "peer_count"):
        metric_scores[column] = metric_scores[column].astype("Int64")
    withhold_comparisons(metric_scores, Comparisons(user))
    board.scores = metric_scores
    board.members = metric_scores[metric_scores["period_start"].eq(period)]

    values = spc_values(user, selection, list(info), period)
    rebases = _frame(
        SpcRebase.objects.visible_to(user).filter(
            contract_id=contract.pk, organisation_id=org.pk, metric_id__in=list(info)
        ),
        ["metric_id", "period_start"],
    )
    spc_results = spc_by_metric(values, rebases, info, summaries_only=True)

    own_scores = metric_scores[metric_scores["organisation_id"].eq(org.pk)]
    history = {
        metric_id: dict(zip(group["period_start"], group["value"], strict=True))
        for metric_id, group in own_scores.groupby("metric_id")
    }
    current = own_scores[own_scores["period_start"].eq(period)].set_index("metric_id")
    comparator = COMPARATORS[contract.provider.is_network]
    groups: dict[int, list] = {}
    for metric_id, metric in sorted(
        info.items(), key=lambda i: (i[1]["dimension_order"], i[1]["code"])
    ):
        record = current.loc[metric_id] if metric_id in current.index else None
        result = spc_results.get(metric_id)
        value = as_value(record["value"]) if record is not None else None
        # Variation and assurance describe the month's value: none without one.
        summary = result["summary"] if result and value is not None else None
        due = selectors.due_date(metric["metric"], period)
        row = {
            **metric,
            "expected": record is not None,
            "due": due,
            # Expected this month, but its data is not due yet.
            "not_due_yet": record is not None and value is None and due >= today,
            "value": value,
            "score": as_value(record["score"]) if record is not None else None,
            "rating": (as_value(record["rating"]) or None) if record is not None else None,
            "improvement": as_value(record["improvement"]) if record is not None else None,
            "ci_lower": as_value(record["ci_lower"]) if record is not None else None,
            "ci_upper": as_value(record["ci_upper"]) if record is not None else None,
            "comparator": as_value(record["comparator"]) if record is not None else None,
            "comparison": (as_value(record["comparison"]) or None) if record is not None else None,
            "peer_rank": as_int(record["peer_rank"]) if record is not None else None,
            "peer_quintile": as_int(record["peer_quintile"]) if record is not None else None,
            "peer_count": as_int(record["peer_count"]) if record is not None else None,
            "comparison_withheld": record["comparison_withheld"] if record is not None else None,
            "variation": summary["variation"] if summary else None,
            "assurance": summary["assurance"] if summary else None,
            "spc_points": result["n"] if result else 0,
            "spc_warnings": summary["warnings"] if summary else [],
            "sparkline": [as_value(history.get(metric_id, {}).get(month)) for month in window],
        }
        row["ranked"] = bool(row["peer_rank"] and row["peer_count"] and row["peer_count"] > 1)
        row["rating_label"] = Rating(row["rating"]).label if row["rating"] else None
        row["variation_label"] = (
            Variation(row["variation"]).description if row["variation"] else None
        )
        row["assurance_label"] = (
            SpcAssurance(row["assurance"]).description if row["assurance"] else None
        )
        row["comparison_label"] = (
            f"{COMPARISON_WORDS[row['comparison']]} {comparator}" if row["comparison"] else None
        )
        groups.setdefault(metric["dimension_id"], []).append(row)
    by_id = {d.pk: d for d in dimensions}
    board.metric_groups = [(by_id[pk], rows) for pk, rows in groups.items()]
    # Nothing of the month due yet (as each row's not_due_yet: due on or after
    # today), so a missing score is not a shortage of data.
    dues = [row["due"] for row in board.metric_rows if row["expected"]]
    if dues and min(dues) >= today:
        board.month_not_due = {"first": min(dues), "last": max(dues)}
    # A dimension without a score whose metrics are not all due yet is not
    # short of data either (yet).
    for item in board.dimensions:
        pending = any(row["not_due_yet"] for row in groups.get(item["dimension"].pk, []))
        item["not_due"] = item["score"] is None and bool(board.month_not_due or pending)
    board.compare_metric = _compare_metric(board, parse_id(compare))

    months = sorted({period, *selection.months[:DUE_MONTHS]}, reverse=True)
    in_scope = {o.pk for o in selection.organisations}
    shown = in_scope if org.is_network else {org.pk}
    board.completeness = [
        item
        for item in selectors.completeness(contract, months, today)
        if item.organisation.pk in shown
    ]
    board.due_next = sorted(
        (
            {"organisation": item.organisation, "period_start": item.period_start, "expected": e}
            for item in board.completeness
            for e in item.items
            if not e.arrived
        ),
        key=lambda d: (d["expected"].due, d["organisation"].name, d["expected"].metric.code),
    )
    board.notices = list(
        PerformanceNotice.objects.visible_to(user)
        .open()
        .filter(contract_id=contract.pk)
        .with_next_milestone()
        .order_by("raised_on", "pk")
    )
    for notice in board.notices:
        notice.deadline = pending_deadline(notice, today)
    board.overdue_actions = list(
        Action.objects.visible_to(user)
        .overdue(today)
        # The network's actions, and those its members own or are about.
        .filter(
            Q(provider_id__in=shown)
            | Q(owner_organisation_id__in=shown)
            | Q(organisation_id__in=shown)
        )
        .select_related("provider", "owner_organisation")
        .order_by("due_on", "pk")
    )
    board.is_party = party_contracts(user).filter(pk=contract.pk).exists()
    if board.is_party:
        board.settlement = (
            Settlement.objects.filter(contract_id=contract.pk)
            .select_related("contract_year")
            .order_by("-contract_year__number")
            .first()
        )
        board.projection = projected_position(contract, today)
        if board.projection is not None:
            board.projection_rows = projection_rows(board.projection)
    return board


def withhold_comparisons(metric_scores: pd.DataFrame, comparisons: Comparisons) -> None:
    """Empty, in place, the comparisons the small-numbers rule withholds
    from the person (outcomes.selectors.Comparisons), saying why in
    `comparison_withheld`: every table, chart and download built from the
    frame then has them empty."""
    metric_scores["comparison_withheld"] = [
        comparisons.withheld(*row)
        for row in metric_scores[
            ["comparator", "peer_count", "peer_distinct", "peer_ids", "seen_contributors"]
        ].itertuples(index=False, name=None)
    ]
    withheld = metric_scores["comparison_withheld"].notna()
    metric_scores.loc[withheld, "comparator"] = float("nan")
    metric_scores.loc[withheld, "comparison"] = ""
    for column in ("peer_rank", "peer_quintile", "peer_count"):
        metric_scores.loc[withheld, column] = pd.NA


def _compare_metric(board: Dashboard, wanted: int | None) -> dict | None:
    """The metric whose members are compared: the one asked for, else the
    first with intervals. Its rows: each organisation's value and interval."""
    members = board.members
    if members is None or members.empty:
        return None
    with_values = members[members["value"].notna()]
    candidates = [
        metric_id for metric_id in board.metrics if with_values["metric_id"].eq(metric_id).sum() > 1
    ]
    if not candidates:
        return None
    with_intervals = [
        m
        for m in candidates
        if with_values[with_values["metric_id"].eq(m)]["ci_lower"].notna().any()
    ]
    metric_id = wanted if wanted in candidates else (with_intervals or candidates)[0]
    rows = members[members["metric_id"].eq(metric_id)]
    return {
        "metric": board.metrics[metric_id],
        "rows": rows,
        "candidates": [board.metrics[m] for m in candidates],
    }
