"""The default outcomes framework for `manage.py seed_demo`: the five NW London
WSIC dimensions, population groups, outcomes and a small set of metrics
(fewer, better metrics beat many). Idempotent via reporting.demo.contracts.upsert."""

import datetime as dt

import numpy as np
from django.utils import timezone

from contracts.choices import Side
from contracts.models import PopulationGroup
from outcomes.choices import (
    Aggregation,
    Channel,
    Direction,
    Frequency,
    MetricType,
    ReviewStatus,
    SubmissionStatus,
)
from outcomes.models import Dimension, Measurement, Metric, Outcome, PeriodReview, Submission
from reporting.demo.contracts import upsert

DIMENSIONS = [
    (
        "Quality of life",
        "How people feel about their lives: independence, wellbeing and "
        "being able to do the things that matter to them.",
    ),
    (
        "Quality of care",
        "Whether care is safe, effective and joined up, and whether people "
        "have a good experience of it.",
    ),
    (
        "Operational performance",
        "Whether services are delivered on time and as planned: "
        "waiting times, responsiveness and reliability.",
    ),
    (
        "Professional experience",
        "How the staff who provide care experience their work: "
        "engagement, training and whether they would recommend the service.",
    ),
    (
        "Financial sustainability",
        "Whether the money is spent well and services can be afforded in the years ahead.",
    ),
]

POPULATION_GROUPS = [
    ("Older people (75 and over)", "People aged 75 and over living in the area."),
    (
        "People with long-term conditions",
        "Adults living with diabetes, COPD, heart failure or other long-term conditions.",
    ),
    (
        "Adults with musculoskeletal conditions",
        "Adults referred for back, joint and muscle problems.",
    ),
]

# code, name, description, dimension, outcome, population group, type, factor, unit,
# direction, aggregation, submitted by, national
METRICS = [
    (
        "QOL-IND",
        "People still at home 91 days after leaving hospital",
        "Of older people who went home from hospital to recover, the share still living at "
        "home three months later.",
        0,
        "People live independently at home",
        0,
        MetricType.PROPORTION,
        100,
        "%",
        Direction.HIGHER_IS_BETTER,
        True,
    ),
    (
        "QOL-WELL",
        "People reporting good wellbeing",
        "Share of people surveyed who rate their wellbeing as good or very good.",
        0,
        "People feel well and in control",
        0,
        MetricType.PROPORTION,
        100,
        "%",
        Direction.HIGHER_IS_BETTER,
        False,
    ),
    (
        "QOC-EMADM",
        "Emergency admissions per 1,000 people aged 75+",
        "How many older people are admitted to hospital in an emergency, for every 1,000 "
        "people aged 75 and over.",
        1,
        "Fewer avoidable crises",
        0,
        MetricType.RATE,
        1000,
        "per 1,000",
        Direction.LOWER_IS_BETTER,
        True,
    ),
    (
        "QOC-FALLS",
        "Falls-related admissions per 1,000 people aged 75+",
        "Hospital admissions after a fall, for every 1,000 people aged 75 and over.",
        1,
        "Fewer avoidable crises",
        0,
        MetricType.RATE,
        1000,
        "per 1,000",
        Direction.LOWER_IS_BETTER,
        False,
    ),
    (
        "QOC-CAREPLAN",
        "People with a shared care plan",
        "Share of people on the caseload who have a care plan they helped write.",
        1,
        "Care is planned with people",
        1,
        MetricType.PROPORTION,
        100,
        "%",
        Direction.HIGHER_IS_BETTER,
        False,
    ),
    (
        "OPS-RESP2H",
        "Urgent community response within 2 hours",
        "Share of urgent referrals to the community team seen within two hours.",
        2,
        "Help arrives quickly",
        0,
        MetricType.PROPORTION,
        100,
        "%",
        Direction.HIGHER_IS_BETTER,
        True,
    ),
    (
        "OPS-WAIT18",
        "Seen within 18 weeks of referral",
        "Share of people referred who started treatment within 18 weeks.",
        2,
        "Help arrives quickly",
        2,
        MetricType.PROPORTION,
        100,
        "%",
        Direction.HIGHER_IS_BETTER,
        True,
    ),
    (
        "PRO-RECOMMEND",
        "Staff who would recommend the service",
        "Share of staff who would recommend the service to friends and family needing care.",
        3,
        "Staff are engaged",
        0,
        MetricType.PROPORTION,
        100,
        "%",
        Direction.HIGHER_IS_BETTER,
        False,
    ),
    (
        "PRO-VACANCY",
        "Staff vacancy rate",
        "Share of funded posts that are empty.",
        3,
        "Staff are engaged",
        0,
        MetricType.PROPORTION,
        100,
        "%",
        Direction.LOWER_IS_BETTER,
        False,
    ),
    (
        "FIN-COST",
        "Cost per person on the caseload",
        "Average monthly cost of care for each person the service looks after.",
        4,
        "Money is spent well",
        0,
        MetricType.MONEY,
        1,
        "£",
        Direction.LOWER_IS_BETTER,
        False,
    ),
    (
        "FIN-DEMAND",
        "Demand plan accuracy (commissioner)",
        "How close the commissioner's activity plan came to the activity that happened: "
        "100% means the plan was exactly right.",
        4,
        "Money is spent well",
        0,
        MetricType.VALUE,
        1,
        "%",
        Direction.HIGHER_IS_BETTER,
        False,
    ),
]

# Metrics the commissioner, not the provider, reports and is accountable for.
COMMISSIONER_METRICS = {"FIN-DEMAND"}


def seed_framework() -> dict[str, Metric]:
    dimensions = []
    for order, (name, description) in enumerate(DIMENSIONS):
        dimension, _ = upsert(
            Dimension, name=name, defaults={"description": description, "order": order}
        )
        dimensions.append(dimension)
    groups = [
        upsert(PopulationGroup, name=name, defaults={"description": description})[0]
        for name, description in POPULATION_GROUPS
    ]
    metrics = {}
    for (
        code,
        name,
        description,
        dim,
        outcome_name,
        group,
        metric_type,
        factor,
        unit,
        direction,
        national,
    ) in METRICS:
        outcome, _ = upsert(
            Outcome, name=outcome_name, dimension=dimensions[dim], population_group=groups[group]
        )
        is_ratio = metric_type in (MetricType.PROPORTION, MetricType.RATE)
        metrics[code], _ = upsert(
            Metric,
            code=code,
            defaults={
                "name": name,
                "description": description,
                "dimension": dimensions[dim],
                "outcome": outcome,
                "metric_type": metric_type,
                "factor": factor,
                "unit": unit,
                "direction": direction,
                "frequency": Frequency.MONTHLY,
                "aggregation": Aggregation.POOLED if is_ratio else Aggregation.MEAN,
                "data_source": "Commissioner finance returns"
                if code in COMMISSIONER_METRICS
                else "Provider monthly return",
                "submitted_by": Side.COMMISSIONER
                if code in COMMISSIONER_METRICS
                else Side.PROVIDER,
                "is_national": national,
            },
        )
    return metrics


def population_group(name: str) -> PopulationGroup:
    return PopulationGroup.objects.get(name=name)


# --- Three years of monthly measurements -------------------------------------

REFERENCE_DATE = dt.date(2026, 11, 1)  # the demo's "today": data runs to October 2026
MONTHS = 36
SEED = 20261101

# code: (typical value, spread between organisations, month-to-month noise,
#        denominator range) -- the denominator is people (or, for rates, the
#        population aged 75+); None for single-value metrics.
SERIES = {
    "QOL-IND": (82, 3, 0, (60, 160)),
    "QOL-WELL": (60, 4, 0, (80, 200)),
    "QOC-EMADM": (29, 2.5, 0, (2500, 9000)),
    "QOC-FALLS": (8.5, 1, 0, (2500, 9000)),
    "QOC-CAREPLAN": (48, 5, 0, (150, 400)),
    "OPS-RESP2H": (76, 4, 0, (40, 140)),
    "OPS-WAIT18": (86, 3, 0, (100, 300)),
    "PRO-RECOMMEND": (64, 5, 0, (30, 90)),
    "PRO-VACANCY": (10, 2, 0, (80, 400)),
    "FIN-COST": (1380, 60, 35, None),
    "FIN-DEMAND": (90, 2, 2.5, None),
}

# Shifts and trends, (code, organisation or None for all) -> f(month index 0..35)
# added to the typical value.
CHANGES = {
    # Urgent response at the community trust drops in June 2026 (index 31): the
    # commissioner's notice of September 2026 follows.
    ("OPS-RESP2H", "RVA"): lambda i: -13.0 if i >= 31 else 0.0,
    # Shared care plans improve steadily across the long-term conditions network.
    ("QOC-CAREPLAN", None): lambda i: 0.6 * i,
    # Emergency admissions fall slowly as integrated care beds in.
    ("QOC-EMADM", "RVB"): lambda i: -0.08 * i,
    # A recruitment drive halves the hospice's vacancies from April 2025 (index 17).
    ("PRO-VACANCY", "RVE"): lambda i: -5.0 if i >= 17 else 0.0,
    # A course of physiotherapy costs a fraction of a year of community care:
    # the physiotherapy provider's costs sit around its £260 to £320 range.
    ("FIN-COST", "RSP"): lambda i: -960.0,
    # Physiotherapy waits improve once the new contract starts (April 2025).
    ("OPS-WAIT18", "RSP"): lambda i: 5.0 if i >= 17 else 0.0,
}

# A few months of data the commissioner queried: (organisation, period, comment).
QUERIES = [
    (
        "RVA",
        dt.date(2026, 8, 1),
        "Two-hour response fell again: please confirm the referral "
        "count, which looks lower than your activity return.",
    ),
    (
        "RVC",
        dt.date(2026, 9, 1),
        "Wellbeing survey sample is half the usual size: was the survey run for the whole month?",
    ),
    (
        "DLC",
        dt.date(2026, 8, 1),
        "Care plan numerator includes plans not yet signed off; "
        "please resubmit with signed plans only.",
    ),
    ("RSP", dt.date(2026, 9, 1), "Cost per person rose sharply: please explain or correct."),
]
ACCEPTED_UNTIL = dt.date(2026, 7, 1)  # periods up to here are accepted and locked


def demo_months() -> list[dt.date]:
    """The 36 months ending with the last complete month before REFERENCE_DATE."""
    last = (REFERENCE_DATE.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    months = []
    year, month = last.year, last.month
    for _ in range(MONTHS):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def expected_series(contracts) -> list[tuple[str, str]]:
    """(metric code, organisation code) for every demo metric attached to a
    demo contract and every organisation expected to submit it: each member of
    a network, the provider of a provider contract, or the commissioner for
    commissioner-submitted metrics. Sorted, so generation is deterministic."""
    from contracts.choices import OrganisationKind

    series = set()
    for contract in contracts.values():
        providers = (
            [member.code for member in contract.provider.members.order_by("code")]
            if contract.provider.kind == OrganisationKind.NETWORK
            else [contract.provider.code]
        )
        for code in contract.metric_versions.values_list("metric__code", flat=True).distinct():
            if Metric.objects.get(code=code).submitted_by == Side.COMMISSIONER:
                series.add((code, contract.commissioner.code))
            else:
                series.update((code, provider) for provider in providers)
    return sorted(series)


def generate(series: list[tuple[str, str]], months: list[dt.date]) -> dict:
    """(organisation code, month) -> [(metric code, numerator, denominator, value)]
    as CSV text, drawn from numpy's default_rng(SEED): the same every run."""
    rng = np.random.default_rng(SEED)
    types = dict(Metric.objects.values_list("code", "metric_type"))
    rows: dict[tuple[str, dt.date], list[tuple[str, str, str, str]]] = {}
    for code, organisation in series:
        typical, spread, noise, denominators = SERIES[code]
        level = typical + rng.normal(0, spread)
        low, high = denominators or (0, 0)
        size = rng.integers(low, high + 1) if denominators else 0
        change = CHANGES.get((code, organisation)) or CHANGES.get((code, None)) or (lambda i: 0)
        for i, month in enumerate(months):
            target = level + change(i)
            if types[code] == MetricType.PROPORTION:
                denominator = max(int(size * rng.uniform(0.85, 1.15)), 10)
                share = float(np.clip(target / 100, 0.01, 0.99))
                numerator = int(rng.binomial(denominator, share))
                row = (code, str(numerator), str(denominator), "")
            elif types[code] == MetricType.RATE:
                population = int(size + 3 * i)  # the population slowly grows
                numerator = int(rng.poisson(max(target, 0.1) * population / 1000))
                row = (code, str(numerator), str(population), "")
            else:
                row = (code, "", "", f"{target + rng.normal(0, noise):.2f}")
            rows.setdefault((organisation, month), []).append(row)
    return rows


def _submitted_at(rng, month: dt.date, due_days: int, late: bool) -> dt.datetime:
    """A plausible time of day some days after the month ends: most returns
    arrive before the due date, a few after it."""
    month_end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    days = (
        int(rng.integers(due_days + 2, due_days + 25)) if late else int(rng.integers(4, due_days))
    )
    moment = dt.datetime.combine(
        month_end + dt.timedelta(days=days),
        dt.time(int(rng.integers(8, 18)), int(rng.integers(0, 60))),
    )
    return timezone.make_aware(moment)


def seed_measurements(contracts) -> None:
    """One submission per organisation per month, through
    outcomes.services.submissions, sent by that organisation's submitter; then the
    commissioners' reviews: older periods accepted, a few recent ones queried."""
    from django.contrib.auth import get_user_model

    from outcomes.services.submissions import process, receive
    from reporting.demo.contracts import submitters

    months = demo_months()
    series = expected_series(contracts)
    rows = generate(series, months)
    users = {u.username: u for u in get_user_model().objects.all()}
    by_org = submitters()
    rng = np.random.default_rng(SEED + 1)
    done = set(Submission.objects.values_list("original_name", flat=True))
    header = "metric_code,organisation_code,period_start,numerator,denominator,value\n"
    for month in months:
        for organisation in sorted({org for org, m in rows if m == month}):
            late = rng.random() < 0.08
            when = _submitted_at(rng, month, 20, late)
            name = f"{organisation}-{month:%Y-%m}.csv"
            if name in done:
                continue
            content = header + "".join(
                f"{code},{organisation},{month:%Y-%m-%d},{num},{den},{value}\n"
                for code, num, den, value in rows[(organisation, month)]
            )
            submission = receive(
                user=users[by_org[organisation]],
                content=content.encode(),
                name=name,
                channel=Channel.WEB,
            )
            process(submission, today=when.date())
            if submission.status != SubmissionStatus.STORED:
                raise RuntimeError(f"demo data for {name} refused: {submission.errors[:3]}")
            stored = when + dt.timedelta(seconds=40)
            Submission.objects.filter(pk=submission.pk).update(created_at=when, finished_at=stored)
            Measurement.objects.filter(submission=submission).update(recorded_at=stored)
    seed_reviews(contracts, months)


def seed_reviews(contracts, months) -> None:
    """Accepted (locked) periods up to ACCEPTED_UNTIL for every provider that
    submits under each contract; a few later periods queried with a comment."""
    from django.contrib.auth import get_user_model

    from contracts.choices import OrganisationKind
    from reporting.demo.contracts import submitters

    User = get_user_model()
    by_org = submitters()
    queries = {(org, period): comment for org, period, comment in QUERIES}
    for contract in contracts.values():
        reviewer = User.objects.get(username=by_org[contract.commissioner.code])
        providers = (
            list(contract.provider.members.order_by("code"))
            if contract.provider.kind == OrganisationKind.NETWORK
            else [contract.provider]
        )
        for provider in providers:
            for month in months:
                if month < contract.start_date:
                    continue
                comment = queries.get((provider.code, month))
                if comment:
                    status = ReviewStatus.QUERIED
                elif month <= ACCEPTED_UNTIL:
                    status, comment = ReviewStatus.ACCEPTED, ""
                else:
                    continue
                upsert(
                    PeriodReview,
                    contract=contract,
                    organisation=provider,
                    period_start=month,
                    defaults={"status": status, "comment": comment, "reviewed_by": reviewer},
                )


# What each demo network contract's commissioner writes for lay readers,
# and why the earlier month was withdrawn: about what each contract measures.
# Every claim must hold in both months' published figures, whatever the
# generated data: each rests on a deterministic CHANGES entry or on a target
# far from the measure's typical value. tests/reporting/test_seed_demo.py checks each
# claim against the seeded snapshots (SCORECARD_CLAIMS).
SCORECARD_TEXT = {
    "QNW-OPC-2024": (
        "Emergency admissions and falls among older people have not come down yet: "
        "neither shows a significant change over the last year, and neither has reached "
        "its target. Staff vacancies are still too high: the network has agreed a plan "
        "with us to fill them, and we will report on it here.",
        "The falls figures for one member were submitted twice; corrected.",
    ),
    "QNW-LTC-2024": (
        "More people with long-term conditions now have a care plan they helped write, and "
        "emergency admissions are steady. Too few people are seen within 18 weeks of "
        "referral: the network has agreed a plan with us to shorten waits, and we will "
        "report on it here.",
        "One member's care plan figures counted the same people twice; corrected.",
    ),
}
# What each summary above says of the published figures: contract reference ->
# {metric code: {snapshot field: the values the claim allows}}.
NOT_MET = {"approaching", "requires_improvement", "inadequate"}
SCORECARD_CLAIMS = {
    "QNW-OPC-2024": {
        "QOC-EMADM": {"trend": {"no significant change"}, "rating": NOT_MET},
        "QOC-FALLS": {"trend": {"no significant change"}, "rating": NOT_MET},
        "PRO-VACANCY": {"rating": NOT_MET},
    },
    "QNW-LTC-2024": {
        "QOC-CAREPLAN": {"trend": {"improving"}},
        "QOC-EMADM": {"trend": {"no significant change"}},
        "OPS-WAIT18": {"rating": NOT_MET},
    },
}
GENERIC_TEXT = (
    "How the network is doing on the outcomes we agreed, month by month. Where it falls "
    "short, it has agreed a plan with us, and we will report on it here.",
    "Figures for one member were submitted twice; corrected.",
)


def seed_scorecards(contracts) -> None:
    """For each network contract, a published scorecard for the last accepted
    month and, withdrawn with its reason, one for the month before (so the
    public list shows both). Idempotent: months already published are skipped."""
    from django.contrib.auth import get_user_model

    from contracts.choices import OrganisationKind
    from reporting import contract_publishing, publishing
    from reporting.demo.contracts import submitters
    from reporting.models import PublishedScorecard

    User = get_user_model()
    by_org = submitters()
    earlier = (ACCEPTED_UNTIL - dt.timedelta(days=1)).replace(day=1)
    for contract in contracts.values():
        if contract.provider.kind != OrganisationKind.NETWORK:
            continue
        commissioner = User.objects.get(username=by_org[contract.commissioner.code])
        summary, reason = SCORECARD_TEXT.get(contract.reference, GENERIC_TEXT)
        for month, withdrawal in ((earlier, reason), (ACCEPTED_UNTIL, "")):
            if PublishedScorecard.objects.filter(contract=contract, period_start=month).exists():
                continue
            scorecard = contract_publishing.publish(
                user=commissioner,
                contract=contract,
                organisation=contract.provider,
                period=month,
                summary=summary,
            )
            if withdrawal:
                publishing.withdraw(user=commissioner, scorecard=scorecard, reason=withdrawal)
