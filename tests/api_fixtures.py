"""A realistic system for tests that go through the whole API: the `system`
fixture with a scored and costed contract year, an incentive scheme and its
settlement, a notice, a meeting series with an action and a published
scorecard (tests/config/test_api_schemathesis.py,
tests/config/test_hostile_input.py)."""

import datetime as dt

import pytest

from dialogues.services.actions import log_action
from incentives import services as incentive_services
from outcomes.choices import ReviewStatus
from outcomes.models import PeriodReview
from reporting import contract_publishing
from tests.dialogues.test_dialogues_services import make_series


@pytest.fixture(name="api_data")
def api_data_fixture(system, year_one, notice_in):
    """Rows for every resource, made through the services as people would
    (a module using it imports tests.incentives_fixtures.year_one_fixture)."""
    contract = year_one.contract
    settlement = incentive_services.compute_settlement(contract_year=year_one)
    incentive_services.add_comment(
        user=system.commissioner, settlement=settlement, text="Agreed at the board."
    )
    notice_in("plan_agreed")
    series = make_series(system, ends_on=dt.date(2026, 3, 31))
    meeting = series.meetings.order_by("starts_at").first()
    log_action(
        user=system.network_manager_a,
        meeting=meeting,
        title="Chase the missing months",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 20),
    )
    march = dt.date(2025, 3, 1)
    PeriodReview.objects.bulk_create(
        PeriodReview(
            contract=contract,
            organisation=org,
            period_start=march,
            status=ReviewStatus.ACCEPTED,
            reviewed_by=system.commissioner,
        )
        for org in (system.pa1, system.pa2)
    )
    contract_publishing.publish(
        user=system.commissioner,
        contract=contract,
        organisation=system.network_a,
        period=march,
        summary="Admissions are steady below the threshold.",
    )
    return system
