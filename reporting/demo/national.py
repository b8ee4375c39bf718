"""A synthetic national system for scale testing (`manage.py generate_national`,
docs/scaling.md): integrated care boards commissioning acute trusts on
contracts of their own and provider networks of practices, every contract
holding `metrics` monthly metrics with `years` of measurements.

Proportions of England's system: for 5,000 organisations, 42 ICBs, 210
trusts, 396 networks and 4,352 member practices. Trusts and networks hold
metrics of their own sector (an acute and a primary-care catalogue of
`metrics` each), so a trust's peers are the other trusts. The same seed and
last month give the same rows. Measurements are written with COPY
(outcomes.bulk) in transactions of a few hundred thousand rows."""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from contracts.choices import CommissionerType, OrganisationKind
from contracts.models import Contract, NetworkMember, Organisation
from outcomes.bulk import insert_frame
from outcomes.choices import Channel, Direction, Frequency, MetricType, SubmissionStatus
from outcomes.models import ContractMetric, Dimension, Measurement, Metric, Submission
from reporting.demo.outcomes import DIMENSIONS

# England: 42 ICBs and about 210 NHS trusts per 5,000 organisations.
COMMISSIONERS_PER_5000, TRUSTS_PER_5000, NETWORK_SIZE = 42, 210, 12
ROWS_PER_TRANSACTION = 300_000
LOADER = "national-loader"

# (metric type, factor, unit, direction, minimum, target, baseline, lowest
# and highest typical rate): cycled through the catalogue.
KINDS = [
    (MetricType.PROPORTION, 100, "%", Direction.HIGHER_IS_BETTER, 60, 90, 70, 0.55, 0.97),
    (MetricType.PROPORTION, 100, "%", Direction.LOWER_IS_BETTER, 25, 5, 15, 0.03, 0.30),
    (MetricType.RATE, 1000, "per 1,000", Direction.LOWER_IS_BETTER, 12, 4, 9, 0.002, 0.016),
]
SECTORS = {
    # sector: (metric code prefix, denominators from, to)
    "acute": ("NA", 800, 6000),
    "primary": ("NP", 60, 600),
}


@dataclass(frozen=True)
class Shape:
    """How many of each kind of organisation, metrics and months."""

    commissioners: int
    trusts: int
    networks: int
    practices: int
    metrics: int
    months: int

    @property
    def organisations(self) -> int:
        return self.commissioners + self.trusts + self.networks + self.practices

    @property
    def contracts(self) -> int:
        return self.trusts + self.networks

    @property
    def measurements(self) -> int:
        return (self.trusts + self.practices) * self.metrics * self.months


def shape(organisations: int, metrics: int, years: int) -> Shape:
    """England's proportions scaled to `organisations` (at least 6: one ICB,
    two trusts, one network of two practices)."""
    commissioners = min(42, max(1, round(organisations * COMMISSIONERS_PER_5000 / 5000)))
    trusts = max(2, round(organisations * TRUSTS_PER_5000 / 5000))
    rest = organisations - commissioners - trusts
    networks = max(1, round(rest / NETWORK_SIZE))
    practices = rest - networks
    if practices < 2 * networks or metrics < 1 or years < 1:
        raise ValueError(
            "Need at least 6 organisations (an ICB, two trusts, a network of two), "
            "one metric and one year."
        )
    return Shape(commissioners, trusts, networks, practices, metrics, years * 12)


def has_data() -> bool:
    return Organisation.objects.exists() or Metric.objects.exists()


def generate(size: Shape, seed: int, last_month: dt.date, progress=None) -> dict:
    """Write the whole system; returns the counts written."""
    first = last_month - relativedelta(months=size.months - 1)
    months = [first + relativedelta(months=i) for i in range(size.months)]
    with transaction.atomic():
        catalogue = _catalogue(size.metrics)
        trusts, networks, practices_of = _organisations(size, catalogue, first, last_month)
        loader, _ = get_user_model().objects.get_or_create(username=LOADER)
        submission = Submission.objects.create(
            submitted_by=loader,
            channel=Channel.COMMAND,
            original_name="generate_national",
            sha256="0" * 64,
            status=SubmissionStatus.STORED,
            row_count=size.measurements,
            added=size.measurements,
        )
    submitters = [(org, "acute") for org in trusts] + [
        (org, "primary") for network in networks for org in practices_of[network.pk]
    ]
    chunk = max(1, ROWS_PER_TRANSACTION // (size.metrics * size.months))
    for start in range(0, len(submitters), chunk):
        frame = pd.concat(
            [
                _measurements(seed, org, catalogue[sector], months, submission.pk)
                for org, sector in submitters[start : start + chunk]
            ],
            ignore_index=True,
        )
        with transaction.atomic():
            insert_frame(Measurement, frame)
        if progress:
            progress(min(start + chunk, len(submitters)), len(submitters))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "organisations": Organisation.objects.count(),
        "contracts": Contract.objects.count(),
        "contract metrics": ContractMetric.objects.count(),
        "measurements": Measurement.objects.count(),
    }


def _catalogue(metrics: int) -> dict[str, list[Metric]]:
    """Per sector, `metrics` monthly metrics cycling through KINDS."""
    dimensions = Dimension.objects.bulk_create(
        Dimension(name=name, description=description, order=order)
        for order, (name, description) in enumerate(DIMENSIONS)
    )
    catalogue = {}
    for sector, (prefix, _, _) in SECTORS.items():
        catalogue[sector] = Metric.objects.bulk_create(
            Metric(
                code=f"{prefix}{m + 1:03d}",
                name=f"Synthetic {sector} metric {m + 1}",
                description=f"A synthetic {sector} metric for scale testing.",
                dimension=dimensions[m % len(dimensions)],
                metric_type=KINDS[m % len(KINDS)][0],
                factor=KINDS[m % len(KINDS)][1],
                unit=KINDS[m % len(KINDS)][2],
                direction=KINDS[m % len(KINDS)][3],
                frequency=Frequency.MONTHLY,
                data_source="generate_national",
                is_national=True,
            )
            for m in range(metrics)
        )
    return catalogue


def _organisations(size: Shape, catalogue, first: dt.date, last_month: dt.date):
    """ICBs, trusts, networks and their practices, and one contract per
    trust and per network; returns (trusts, networks, practices by network id)."""

    def create(kind, prefix, count, label, **extra):
        return Organisation.objects.bulk_create(
            Organisation(code=f"{prefix}{i + 1:05d}", name=f"{label} {i + 1}", kind=kind, **extra)
            for i in range(count)
        )

    icbs = create(
        OrganisationKind.COMMISSIONER,
        "Q",
        size.commissioners,
        "Synthetic ICB",
        commissioner_type=CommissionerType.ICB,
    )
    trusts = create(OrganisationKind.PROVIDER, "R", size.trusts, "Synthetic trust")
    networks = create(OrganisationKind.NETWORK, "U", size.networks, "Synthetic network")
    practices = create(OrganisationKind.PROVIDER, "P", size.practices, "Synthetic practice")
    NetworkMember.objects.bulk_create(
        NetworkMember(network=networks[i % len(networks)], provider=practice)
        for i, practice in enumerate(practices)
    )
    practices_of = {network.pk: practices[i :: len(networks)] for i, network in enumerate(networks)}
    end = last_month + relativedelta(years=1) - dt.timedelta(days=1)
    holders = [(org, "acute", "Acute services") for org in trusts] + [
        (org, "primary", "Primary care network services") for org in networks
    ]
    contracts = Contract.objects.bulk_create(
        Contract(
            reference=f"NAT-{org.code}",
            title=f"{org.name}: outcomes contract",
            commissioner=icbs[i % len(icbs)],
            provider=org,
            service=service,
            start_date=first,
            end_date=end,
            payment_model=Contract.PaymentModel.CAPITATED_OUTCOMES,
        )
        for i, (org, _, service) in enumerate(holders)
    )
    ContractMetric.objects.bulk_create(
        (
            ContractMetric(
                contract=contract,
                metric=metric,
                effective_from=first,
                minimum_threshold=KINDS[m % len(KINDS)][4],
                target=KINDS[m % len(KINDS)][5],
                baseline=KINDS[m % len(KINDS)][6],
                weight=1,
                is_national=True,
            )
            for contract, (_, sector, _) in zip(contracts, holders, strict=True)
            for m, metric in enumerate(catalogue[sector])
        ),
        batch_size=5000,
    )
    return trusts, networks, practices_of


def _measurements(seed: int, org, metrics: list[Metric], months: list, submission_id: int):
    """One organisation's monthly values of its metrics: a level of its own
    per metric, a gentle trend, seasonality and binomial noise; drawn from
    a generator seeded by (seed, organisation code), so a row does not depend
    on the sizes around it."""
    rng = np.random.default_rng([seed, int(org.code[1:]), ord(org.code[0])])
    n_metrics, n_months = len(metrics), len(months)
    low = np.array([KINDS[m % len(KINDS)][7] for m in range(n_metrics)])
    high = np.array([KINDS[m % len(KINDS)][8] for m in range(n_metrics)])
    factor = np.array([float(metric.factor) for metric in metrics])
    _, den_low, den_high = SECTORS["acute" if org.code[0] == "R" else "primary"]
    level = rng.uniform(low, high)[:, None]
    trend = rng.normal(0, 0.002, n_metrics)[:, None] * np.arange(n_months)
    season = 0.05 * np.sin(2 * np.pi * (np.array([m.month for m in months]) / 12))
    rate = np.clip(level * (1 + trend + season), 0.001, 0.999)
    size = rng.integers(den_low, den_high, n_metrics)[:, None]
    denominator = np.maximum(1, np.round(size * rng.normal(1, 0.05, (n_metrics, n_months))))
    numerator = rng.binomial(denominator.astype(np.int64), rate)
    rows = n_metrics * n_months
    value = numerator.ravel() / denominator.ravel() * np.repeat(factor, n_months)
    return pd.DataFrame(
        {
            "metric_id": np.repeat([metric.pk for metric in metrics], n_months),
            "organisation_id": np.full(rows, org.pk),
            "period_start": np.tile(np.array([m.isoformat() for m in months]), n_metrics),
            "numerator": numerator.ravel(),
            "denominator": denominator.astype(np.int64).ravel(),
            "value": np.round(value, 8),
            "revision": np.ones(rows, dtype=np.int64),
            "is_current": np.full(rows, True),
            "submission_id": np.full(rows, submission_id),
        }
    )
