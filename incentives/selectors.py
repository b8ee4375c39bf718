"""Gathering a contract year's settlement inputs from the contract's finances
and its stored scores, in a fixed number of queries.

- Budget and actual cost: contracts.selectors.financial_position. Every month
  of the year needs an actual cost; a missing month is an error, never zero.
- Aggregate score: the mean of the monthly aggregate scores of the contract's
  provider (for a network, the network as a whole) in the current score run;
  coverage is the % of the year's months with a score, and below the
  scheme's minimum coverage the year has no score.
- Quality indicators: the year's value of the indicator's metric for the
  same organisation: ratios pooled (sum of numerators / sum of denominators
  x factor), other metrics by their aggregation (mean, sum or last).

`projected_position` applies the same gathering and the same settlement
maths to the year in progress; `public_settlements` gives the signed-off
settlements' figures and plain words that published scorecards freeze (see
docs/incentives.md)."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone

from contracts.selectors import YearPosition, financial_position
from core.numbers import plain
from incentives import explain
from incentives import settlement as maths
from incentives.choices import SettlementStatus
from incentives.models import IncentiveScheme, QualityIndicator, Settlement
from outcomes.choices import RATIO_TYPES, Aggregation
from outcomes.models import AggregateScore, MetricScore

TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


def _round(value: float | Decimal, places: Decimal) -> Decimal:
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


@dataclass
class Gathered:
    """The inputs of a contract year as settle() takes them, and as stored
    on the settlement (plain strings, so the digest is stable)."""

    inputs: maths.Inputs
    record: dict
    digest: str


def year_score(contract, months: list) -> tuple[list[dict], Decimal | None, Decimal]:
    """Monthly aggregate scores of the contract's provider, their mean and
    the coverage (% of months with a score)."""
    rows = dict(
        AggregateScore.objects.current()
        .filter(
            run__contract_id=contract.pk,
            organisation_id=contract.provider_id,
            period_start__in=months,
        )
        .values_list("period_start", "score")
    )
    monthly = [{"month": str(month), "score": rows.get(month)} for month in months]
    scored = [row["score"] for row in monthly if row["score"] is not None]
    coverage = (
        _round(Decimal(100) * len(scored) / len(months), TWO_PLACES) if months else Decimal(0)
    )
    mean = _round(sum(scored) / len(scored), TWO_PLACES) if scored else None
    return monthly, mean, coverage


def indicator_values(contract, indicators, months: list) -> dict[str, Decimal | None]:
    """The year's value of each indicator's metric (one query)."""
    metrics = {indicator.metric_id: indicator.metric for indicator in indicators}
    rows = (
        MetricScore.objects.current()
        .filter(
            run__contract_id=contract.pk,
            organisation_id=contract.provider_id,
            metric_id__in=list(metrics),
            period_start__in=months,
            value__isnull=False,
        )
        .order_by("period_start")
        .values_list("metric_id", "numerator", "denominator", "value")
    )
    by_metric: dict[int, list] = {}
    for metric_id, numerator, denominator, value in rows:
        by_metric.setdefault(metric_id, []).append((numerator, denominator, value))
    values: dict[str, Decimal | None] = {}
    for metric_id, metric in metrics.items():
        found = by_metric.get(metric_id, [])
        values[metric.code] = _year_value(metric, found)
    return values


def _year_value(metric, rows: list) -> Decimal | None:
    if not rows:
        return None
    if metric.metric_type in RATIO_TYPES:
        numerator = sum(Decimal(r[0]) for r in rows if r[0] is not None and r[1] is not None)
        denominator = sum(Decimal(r[1]) for r in rows if r[0] is not None and r[1] is not None)
        if not denominator:
            return None
        return _round(numerator / denominator * metric.factor, FOUR_PLACES)
    values = [Decimal(str(r[2])) for r in rows]
    if metric.aggregation == Aggregation.SUM:
        return _round(sum(values), FOUR_PLACES)
    if metric.aggregation == Aggregation.LAST:
        return _round(values[-1], FOUR_PLACES)
    return _round(sum(values) / len(values), FOUR_PLACES)


def gather(contract_year, scheme) -> Gathered:
    """Everything a settlement of `contract_year` under `scheme` depends on.
    Raises ValidationError when a month's actual cost is missing."""
    contract = contract_year.contract
    position = next(p for p in financial_position(contract) if p.number == contract_year.number)
    months = [row.month for row in position.months]
    missing = [row.month for row in position.months if not row.has_actual]
    if missing:
        names = ", ".join(f"{month:%B %Y}" for month in missing)
        raise ValidationError(
            {"actual_cost": f"Year {contract_year.number} has no actual cost for {names}."}
        )
    monthly, mean, coverage = year_score(contract, months)
    score = mean if coverage >= scheme.minimum_coverage else None
    indicators = list(scheme.indicators.all())
    performance = indicator_values(contract, indicators, months)
    inputs = maths.Inputs(
        budget=position.planned_total,
        actual_cost=position.actual_total,
        contract_value=contract_year.contract_value,
        score=score,
        coverage=coverage,
        performance=performance,
    )
    record = {
        "contract_year": contract_year.number,
        "scheme_version": scheme.version,
        "scheme_id": scheme.pk,
        "budget": str(inputs.budget),
        "actual_cost": str(inputs.actual_cost),
        "contract_value": str(inputs.contract_value),
        "score": None if score is None else str(score),
        "mean_score": None if mean is None else str(mean),
        "coverage": str(coverage),
        "minimum_coverage": str(scheme.minimum_coverage),
        "monthly_scores": monthly,
        "performance": {code: _str(value) for code, value in performance.items()},
    }
    digest = hashlib.sha256(
        json.dumps({"rules": maths.RULE_VERSION, **record}, sort_keys=True, default=str).encode()
    ).hexdigest()
    return Gathered(inputs=inputs, record=record, digest=digest)


def _str(value) -> str | None:
    return None if value is None else str(value)


def inputs_from_record(record: dict) -> maths.Inputs:
    """The settle() inputs stored on a settlement (for what-if scenarios)."""

    def dec(value):
        return None if value is None else Decimal(value)

    return maths.Inputs(
        budget=Decimal(record["budget"]),
        actual_cost=Decimal(record["actual_cost"]),
        contract_value=Decimal(record["contract_value"]),
        score=dec(record["score"]),
        coverage=Decimal(record["coverage"]),
        performance={code: dec(value) for code, value in record["performance"].items()},
    )


def schemes_with_rules():
    """Schemes with everything as_rules() reads, prefetched."""
    return IncentiveScheme.objects.prefetch_related(
        "bands",
        "corridors",
        Prefetch("indicators", queryset=QualityIndicator.objects.select_related("metric")),
    )


@dataclass
class IndicatorPosition:
    """A quality indicator so far: its value over the months to date, the
    share of its weight that value earns and the amount that would be paid."""

    indicator: maths.Indicator
    performance: Decimal | None
    achieved: Decimal  # 0 to 1
    on_track: Decimal
    available: Decimal


@dataclass
class Projection:
    """The contract year in progress settled as it stands on `today`: the
    score of the months ended so far, the cost so far with the months not yet
    costed at plan, and the indicators' values to date."""

    year: YearPosition
    scheme: IncentiveScheme
    rules: maths.Scheme
    today: dt.date
    months_ended: int
    months_scored: int
    mean_score: Decimal | None
    inputs: maths.Inputs
    result: maths.Result
    indicators: list[IndicatorPosition] = field(default_factory=list)

    @property
    def points_below_support(self) -> Decimal:
        """How far the score is below the support threshold (0 if not)."""
        score = self.inputs.score
        if score is None:
            return Decimal(0)
        return max(self.rules.support_threshold - score, Decimal(0))

    @property
    def points_below_penalty(self) -> Decimal:
        score = self.inputs.score
        if score is None:
            return Decimal(0)
        return max(self.rules.penalty_threshold - score, Decimal(0))


def ended_months(months: list[dt.date], today: dt.date) -> list[dt.date]:
    """The months (first days) that have ended by `today`."""
    return [month for month in months if month + relativedelta(months=1) <= today]


def projected_position(contract, today: dt.date, user=None) -> Projection | None:
    """The current contract year's position on `today` under the scheme in
    force, settled by settlement.settle like a year end: None when no year is
    in progress or no scheme applies (or, given `user`, `user` is not a party
    to the contract). Budget and contract value are the whole year's; the
    actual cost is the months costed so far plus the plan for the rest, so
    the savings are those made to date; the score is the mean over the months
    ended so far, with coverage counted against them and the scheme's minimum
    coverage applying. Nine queries at most, whatever the size."""
    year = next(
        (p for p in financial_position(contract) if p.start_date <= today <= p.end_date), None
    )
    if year is None:
        return None
    schemes = schemes_with_rules()
    if user is not None:
        schemes = schemes.visible_to(user)
    scheme = schemes.in_force_for(contract, year.number)
    if scheme is None:
        return None
    months = ended_months([row.month for row in year.months], today)
    monthly, mean, coverage = year_score(contract, months)
    score = mean if months and coverage >= scheme.minimum_coverage else None
    indicators = list(scheme.indicators.all())
    inputs = maths.Inputs(
        budget=year.planned_total,
        actual_cost=year.planned_total - year.variance_to_date,
        contract_value=year.contract_value,
        score=score,
        coverage=coverage,
        performance=indicator_values(contract, indicators, months),
    )
    rules = scheme.as_rules(year.number)
    result = maths.settle(rules, inputs)
    return Projection(
        year=year,
        scheme=scheme,
        rules=rules,
        today=today,
        months_ended=len(months),
        months_scored=sum(row["score"] is not None for row in monthly),
        mean_score=mean,
        inputs=inputs,
        result=result,
        indicators=[
            IndicatorPosition(
                indicator=indicator,
                performance=inputs.performance.get(indicator.code),
                achieved=maths.achievement(indicator, inputs.performance.get(indicator.code)),
                on_track=result.line(f"quality_{indicator.code}").amount,
                available=maths.percent_of(inputs.contract_value, indicator.weight),
            )
            for indicator in rules.indicators
        ],
    )


def public_settlements(contract, name: str) -> list[dict]:
    """The contract's signed-off settlements, newest year first, as the plain
    values a published scorecard freezes: the figures a lay reader needs and
    the sentences explaining them (`name`: the network or provider). Drafts
    never appear. Two queries."""
    settlements = (
        Settlement.objects.filter(contract_id=contract.pk, status=SettlementStatus.SIGNED_OFF)
        .select_related("contract_year", "scheme")
        .prefetch_related("lines")
        .order_by("-contract_year__number")
    )
    return [public_settlement(settlement, name) for settlement in settlements]


def public_settlement(settlement, name: str) -> dict:
    lines = {line.key: line for line in settlement.lines.all()}

    def amount(key) -> str:
        line = lines.get(key)
        return str(line.amount) if line is not None else "0.00"

    def used(key, input_name):
        line = lines.get(key)
        return line.inputs.get(input_name) if line is not None else None

    year, scheme = settlement.contract_year, settlement.scheme
    overspend_share = sum(
        (
            line.amount
            for key, line in lines.items()
            if key.startswith("risk_share_") and key.endswith("_network")
        ),
        Decimal("0.00"),
    )
    figures = {
        "contract_year": year.number,
        "start_date": year.start_date.isoformat(),
        "end_date": year.end_date.isoformat(),
        "signed_off_on": timezone.localdate(settlement.signed_off_at).isoformat(),
        "scheme_version": scheme.version,
        "score": _str(settlement.score),
        "gateway": str(plain(scheme.gateway_score)),
        "support_threshold": str(plain(scheme.support_threshold)),
        "penalty_threshold": str(plain(scheme.penalty_threshold)),
        "savings": str(settlement.savings),
        "network_share_percent": used("gain_share_network", "network_share_percent") or "0",
        "network_savings_share": amount("gain_share_network"),
        "network_overspend_share": str(overspend_share),
        "support_plan": settlement.support_plan,
        "penalty": amount("penalty"),
        "quality_payment": amount("quality_total"),
        "quality_available": used("quality_total", "pot"),
        "outcome_payment": amount("outcome_payment"),
        "at_risk": used("outcome_payment", "at_risk"),
        "net_transfer": str(settlement.net_transfer),
    }
    return {**figures, "text": explain.sentences(figures, name)}


def signed_off_years_refusal(sender, contract, effective_from, **kwargs) -> dict:
    """outcomes.signals.checking_variation: a variation may not reach back
    into a contract year whose settlement is signed off (docs/incentives.md):
    the signed statement would no longer match the terms."""
    last = (
        Settlement.objects.filter(
            contract_id=contract.pk,
            status=SettlementStatus.SIGNED_OFF,
            contract_year__end_date__gte=effective_from,
        )
        .select_related("contract_year")
        .order_by("-contract_year__end_date")
        .first()
    )
    if last is None:
        return {}
    year = last.contract_year
    return {
        "effective_from": f"Year {year.number} ({year.start_date:%B %Y} to "
        f"{year.end_date:%B %Y}) is signed off: a variation cannot change it. Choose a "
        f"month after {year.end_date:%B %Y}."
    }
