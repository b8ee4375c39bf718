"""Fixtures shared by the contract tests: contract CON-A with five years and
a metric, and a helper that walks a notice to any status through the services."""

import datetime as dt
from decimal import Decimal

import pytest

from contracts import notices
from contracts.choices import MeetingOutcome, NoticeStatus
from outcomes.models import ContractMetric
from tests.factories import MetricFactory, add_contract_years

D = dt.date
YEAR_VALUE = Decimal("12000000.00")  # £1m a month: 2% withheld is £20,000.00


@pytest.fixture
def metric(db):
    return MetricFactory()


@pytest.fixture
def contract(system, metric):
    contract = system.contract_a
    add_contract_years(contract, [YEAR_VALUE + n * 1200 for n in range(5)], YEAR_VALUE)
    ContractMetric.objects.create(
        contract=contract,
        metric=metric,
        effective_from=D(2024, 4, 1),
        minimum_threshold=30,
        target=22,
        baseline=31,
    )
    return contract


RAISED_ON = D(2026, 3, 2)
MILESTONE_DUE = D(2026, 4, 30)


@pytest.fixture
def notice_in(system, contract, metric):
    """notice_in(status) -> a commissioner's notice walked to that status."""

    def walk(status):
        user = system.commissioner
        notice = notices.raise_notice(
            user=user,
            contract=contract,
            title="Emergency admissions above threshold",
            concern="Three months above the minimum threshold.",
            raised_on=RAISED_ON,
            metrics=[metric],
        )
        if status == NoticeStatus.RAISED:
            return notice
        if status == NoticeStatus.WITHDRAWN:
            return notices.withdraw(user=user, notice=notice, on=D(2026, 3, 3), reason="Error")
        outcome = (
            MeetingOutcome.JOINT_INVESTIGATION
            if status == NoticeStatus.INVESTIGATING
            else MeetingOutcome.REMEDIAL_PLAN
        )
        notice = notices.record_meeting(
            user=user, notice=notice, held_on=D(2026, 3, 12), outcome=outcome, reason="Met"
        )
        if status in (NoticeStatus.INVESTIGATING, NoticeStatus.PLAN_DUE):
            return notice
        notice = notices.agree_plan(
            user=system.network_manager_a,
            notice=notice,
            agreed_on=D(2026, 3, 18),
            milestones=[
                {
                    "description": "Falls service in every care home",
                    "owner": "Nadia Network",
                    "owner_organisation": system.network_a,
                    "due_on": MILESTONE_DUE,
                }
            ],
            reason="Plan agreed at the meeting",
        )
        if status == NoticeStatus.PLAN_AGREED:
            return notice
        notice = notices.raise_exception(
            user=user, notice=notice, on=D(2026, 5, 5), reason="Milestone 1 missed"
        )
        if status == NoticeStatus.EXCEPTION:
            return notice
        return notices.mark_remedied(user=user, notice=notice, on=D(2026, 6, 1), reason="Fixed")

    return walk
