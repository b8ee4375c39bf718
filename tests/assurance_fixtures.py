"""Fixtures for commissioner assurance tests: the default framework and an
assessment round for the `system` fixture's commissioner QCOM."""

import datetime as dt

import pytest
from django.utils import timezone

from assurance import services
from assurance.models import GovernanceQuestion
from contracts.choices import Role
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(name="framework")
def framework_fixture(db):
    services.load_default_framework()


@pytest.fixture(name="assessment")
def assessment_fixture(system, framework):
    return services.open_assessment_round(
        user=system.commissioner, commissioner=system.commissioner_org, year=2026
    )


@pytest.fixture(name="strategy_answer")
def strategy_answer_fixture(system, assessment):
    return services.certify_governance(
        user=system.commissioner,
        round=assessment,
        question=GovernanceQuestion.objects.get(number=1),
        certification="in_place",
        evidence="Five-year strategy approved by the board in March.",
    )


@pytest.fixture(name="survey")
def survey_fixture(system, assessment):
    return services.open_feedback_survey(
        user=system.commissioner,
        round=assessment,
        title="360 feedback 2026",
        closes_at=timezone.now() + dt.timedelta(days=14),
    )


@pytest.fixture(name="respondents")
def respondents_fixture(system):
    """Six people QCOM works with: NETA's manager, provider_a (PA1, a member
    of NETA), QCOM's lay partner, and three clinicians at PA2."""
    clinicians = []
    for number in range(1, 4):
        user = UserFactory(username=f"clinician_{number}")
        MembershipFactory(user=user, organisation=system.pa2, role=Role.PROVIDER_USER)
        clinicians.append(user)
    return [system.network_manager_a, system.provider_a, system.lay_partner, *clinicians]
