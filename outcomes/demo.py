"""The default outcomes framework for `manage.py seed_demo`: the five NW London
WSIC dimensions, population groups, outcomes and a small set of metrics
(fewer, better metrics beat many). Idempotent via contracts.demo.upsert."""

from contracts.demo import upsert
from outcomes.choices import Aggregation, Direction, Frequency, MetricType, Side
from outcomes.models import Dimension, Metric, Outcome, PopulationGroup

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
