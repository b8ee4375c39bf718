"""Scored data for the dashboard and scorecard tests: contract CON-A (network
A: PA1 and PA2) with `metrics` metrics over `months` months from April 2024,
submitted as CSV by the network manager and rescored, with every month
accepted by the commissioner when `accept` is set.

Values are deterministic. The first metric is the emergency-admissions
rate (lower is better); PA1's series shifts down in its last 8 months, a
special cause improvement. The others are proportions (higher is better)."""

import datetime as dt

from dateutil.relativedelta import relativedelta

from outcomes.choices import Channel, Direction, MetricType, RunTrigger, SubmissionStatus
from outcomes.models import ContractMetric, PeriodReview
from outcomes.services import rescore
from outcomes.services.submissions import submit
from tests.factories import DimensionFactory, MetricFactory, OrganisationFactory, add_member

HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"
FIRST = dt.date(2024, 4, 1)


def months_from(first: dt.date, count: int) -> list[dt.date]:
    return [first + relativedelta(months=n) for n in range(count)]


def make_metrics(count: int) -> list:
    care = DimensionFactory(name="Quality of care", order=2)
    life = DimensionFactory(
        name="Quality of life", order=1, description="How people feel about their lives."
    )
    metrics = [MetricFactory(dimension=care)]
    for n in range(1, count):
        metrics.append(
            MetricFactory(
                code=f"PROP{n}",
                name=f"People seen within two weeks ({n})",
                description="Of the people referred, how many were seen within two weeks.",
                dimension=life if n % 2 else care,
                metric_type=MetricType.PROPORTION,
                factor=100,
                unit="%",
                direction=Direction.HIGHER_IS_BETTER,
            )
        )
    return metrics


def lines_for(metrics, organisations, months) -> list[str]:
    lines = []
    for m, metric in enumerate(metrics):
        for o, org in enumerate(organisations):
            for i, month in enumerate(months):
                wobble = (i * 7 + o * 3 + m * 5) % 5
                if metric.metric_type == MetricType.RATE:
                    shift = -6 if (o == 0 and i >= len(months) - 8) else 0
                    numerator = 30 + wobble + shift + o
                    denominator = 1000
                else:
                    numerator = 60 + 3 * wobble + 4 * o
                    denominator = 100
                lines.append(
                    f"{metric.code},{org.code},{month:%Y-%m-%d},{numerator},{denominator},"
                )
    return lines


def seed(system, contract, *, metrics=3, months=14, accept=True, today=None, twins=False):
    """Returns (metrics, months). `contract` is CON-A (the `contract` fixture
    already attaches EMADM with minimum 30, target 22). With `twins`,
    network A also has PA3 and PA4, reporting exactly as PA1 and PA2: the
    network's pooled figures are the same, but pool four members, enough
    for each member's people (who see their own) to be shown them under the
    small-numbers rule (a published scorecard, which anyone may read)."""
    chosen = make_metrics(metrics)
    for metric in chosen[1:]:
        ContractMetric.objects.create(
            contract=contract,
            metric=metric,
            effective_from=FIRST,
            minimum_threshold=55,
            target=75,
            baseline=60,
        )
    periods = months_from(FIRST, months)
    today = today or periods[-1] + relativedelta(months=2)
    lines = lines_for(chosen, [system.pa1, system.pa2], periods)
    members = [system.pa1, system.pa2]
    if twins:
        for twin, of in (("PA3", "PA1"), ("PA4", "PA2")):
            members.append(OrganisationFactory(code=twin, name=f"Provider A{twin[-1]}"))
            add_member(system.network_a, members[-1])
            lines += [line.replace(f",{of},", f",{twin},") for line in lines if f",{of}," in line]
    content = (HEADER + "".join(f"{line}\n" for line in lines)).encode()
    submission = submit(
        user=system.network_manager_a,
        channel=Channel.COMMAND,
        name="data.csv",
        content=content,
        today=today,
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors[:3]
    if accept:
        PeriodReview.objects.bulk_create(
            PeriodReview(
                contract=contract,
                organisation=org,
                period_start=month,
                status="accepted",
                reviewed_by=system.commissioner,
            )
            for org in members
            for month in periods
        )
    rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=today)
    return chosen, periods
