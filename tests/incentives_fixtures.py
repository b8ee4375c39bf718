"""Fixtures for the incentives tests: CON-A's first contract year (April
2024 to March 2025) fully costed and scored through the real submission and
rescoring code, and the default scheme (incentives.defaults, as in
docs/incentives.md).

Network A's members each report emergency admissions of 24.8 per 1,000 every
month (EMADM: lower is better, minimum 30, target 22), so the network's
pooled value is 24.8, its metric score 10 x (30 - 24.8) / 8 = 6.5 and, with
the one dimension, its aggregate score 65. Actual cost is £950,000 a month
against a £12m budget: savings of £600,000."""

import datetime as dt
from decimal import Decimal

import pytest

from contracts.models import ActualCost
from incentives import defaults, services
from outcomes.choices import Channel, RunTrigger, SubmissionStatus
from outcomes.services import rescore
from outcomes.services.submissions import submit

D = Decimal
HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"
YEAR_ONE = [dt.date(2024 + (m + 3) // 12, (m + 3) % 12 + 1, 1) for m in range(12)]
MONTHLY_COST = D("950000.00")

DEFAULT_BANDS = defaults.bands()
DEFAULT_CORRIDORS = defaults.corridors()


def scheme_fields(metric, **changes):
    """The default scheme with one quality indicator (EMADM, the whole pot)."""
    fields = {
        "effective_from_year": 1,
        "bands": DEFAULT_BANDS,
        "corridors": DEFAULT_CORRIDORS,
        "indicators": [{"metric": metric, "minimum": 30, "maximum": 20, "weight": "1.25"}],
        "at_risk_percents": ["0", "10", "10", "15", "15"],
    }
    return {**fields, **changes}


def submit_rates(user, organisations, per_thousand: str, months=YEAR_ONE):
    """Each organisation reports `per_thousand` (to one decimal) every month."""
    numerator = int(D(per_thousand) * 10)
    lines = [
        f"EMADM,{org.code},{month},{numerator},10000," for month in months for org in organisations
    ]
    submission = submit(
        user=user,
        channel=Channel.COMMAND,
        name="data.csv",
        content=(HEADER + "\n".join(lines) + "\n").encode(),
        today=dt.date(2025, 4, 20),
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors
    return submission


def rescore_year(contract):
    rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=dt.date(2025, 4, 20))


@pytest.fixture(name="year_one")
def year_one_fixture(system, contract):
    """CON-A year 1, costed and scored (aggregate 65), with the default scheme."""
    for month in YEAR_ONE:
        ActualCost.objects.create(contract=contract, month=month, amount=MONTHLY_COST)
    submit_rates(system.network_manager_a, [system.pa1, system.pa2], "24.8")
    rescore_year(contract)
    services.create_scheme_version(
        user=system.commissioner,
        contract=contract,
        **scheme_fields(contract.metric_versions.get().metric),
    )
    return contract.years.get(number=1)
