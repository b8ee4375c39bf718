"""Real data through the real submission path: NHS England's monthly A&E
attendances (April 2016 to March 2019, from ../shared/data, never copied into
the repository) submitted as "% seen within 4 hours" for every type 1
department, and the stored figures checked against pandas."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from contracts.choices import OrganisationKind
from contracts.models import Organisation, ods_code_validator
from outcomes.choices import Channel, Direction, Frequency, MetricType, SubmissionStatus
from outcomes.models import Measurement
from outcomes.services.submissions import submit
from tests.conftest import require
from tests.factories import MetricFactory, UserFactory
from tests.paths import SHARED_DATA

AE_CSV = SHARED_DATA / "ae_attendances.csv"
COLUMNS = ["metric_code", "organisation_code", "period_start", "numerator", "denominator", "value"]


@pytest.fixture(scope="module")
def type_1():
    require(AE_CSV.exists(), f"{AE_CSV} is not there")
    frame = pd.read_csv(AE_CSV, dtype={"type": str, "org_code": str, "period": str})
    return frame[frame["type"] == "1"].reset_index(drop=True)


def as_submission_csv(type_1: pd.DataFrame) -> bytes:
    rows = pd.DataFrame(
        {
            "metric_code": "AE4HR",
            "organisation_code": type_1["org_code"],
            "period_start": type_1["period"],
            "numerator": type_1["attendances"] - type_1["breaches"],
            "denominator": type_1["attendances"],
            "value": "",
        },
        columns=COLUMNS,
    )
    return rows.to_csv(index=False).encode()


@pytest.fixture
def stored(db, type_1):
    for code in type_1["org_code"].unique():
        ods_code_validator(code)  # raises ValidationError for a code Concord would refuse
    Organisation.objects.bulk_create(
        Organisation(code=code, name=f"Trust {code}", kind=OrganisationKind.PROVIDER)
        for code in sorted(type_1["org_code"].unique())
    )
    MetricFactory(
        code="AE4HR",
        name="% seen within 4 hours",
        description="Share of A&E attendances admitted, transferred or discharged within 4 hours.",
        metric_type=MetricType.PROPORTION,
        factor=100,
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        frequency=Frequency.MONTHLY,
        data_source="NHS England A&E Attendances and Emergency Admissions",
    )
    admin = UserFactory(username="ae-admin", is_staff=True, is_superuser=True)
    return submit(
        user=admin,
        content=as_submission_csv(type_1),
        name="ae_attendances_type1.csv",
        channel=Channel.COMMAND,
        today=dt.date(2019, 4, 30),
    )


def current(code: str, period: str) -> Measurement:
    return Measurement.objects.get(
        metric__code="AE4HR",
        organisation__code=code,
        period_start=dt.date.fromisoformat(period),
        is_current=True,
    )


def expected(type_1: pd.DataFrame, code: str, period: str) -> Decimal:
    row = type_1[(type_1["org_code"] == code) & (type_1["period"] == period)].iloc[0]
    seen = int(row["attendances"]) - int(row["breaches"])
    return (Decimal(seen) / Decimal(int(row["attendances"])) * 100).quantize(Decimal("1e-8"))


def test_every_type_1_org_month_is_stored(stored, type_1):
    assert stored.status == SubmissionStatus.STORED, stored.errors[:3]
    assert len(type_1) == 4932  # the file's own count of type 1 rows
    assert type_1["org_code"].nunique() == 140
    assert stored.row_count == len(type_1)
    assert (stored.added, stored.revised, stored.unchanged) == (len(type_1), 0, 0)
    assert Measurement.objects.filter(submission=stored, is_current=True).count() == len(type_1)


def test_values_match_pandas(stored, type_1):
    # RRK, March 2019: 32,017 attendances, 10,670 breaches.
    rrk = current("RRK", "2019-03-01")
    assert (rrk.numerator, rrk.denominator) == (32017 - 10670, 32017)
    assert rrk.value == expected(type_1, "RRK", "2019-03-01")
    assert round(rrk.value, 2) == Decimal("66.67")
    # First and last month of two trusts with a full 36 months.
    for code in ("RRK", "RF4"):
        months = sorted(type_1.loc[type_1["org_code"] == code, "period"])
        assert len(months) == 36
        for period in (months[0], months[-1]):
            assert current(code, period).value == expected(type_1, code, period), (code, period)


def test_england_type_1_pooled_over_36_months(stored, type_1):
    numerators, denominators = zip(
        *Measurement.objects.filter(metric__code="AE4HR", is_current=True).values_list(
            "numerator", "denominator"
        ),
        strict=True,
    )
    pooled = sum(numerators) / sum(denominators) * 100
    independent = (1 - type_1["breaches"].sum() / type_1["attendances"].sum()) * 100
    assert round(pooled, 2) == Decimal("82.52")  # the figure the data's README gives
    assert float(pooled) == pytest.approx(independent, rel=1e-12)
    assert (
        Measurement.objects.filter(is_current=True).values("period_start").distinct().count() == 36
    )
