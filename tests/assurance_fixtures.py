"""Fixtures for commissioner assurance tests: the default framework and an
assessment round for the `system` fixture's commissioner QCOM."""

import pytest

from assurance import services
from assurance.models import GovernanceQuestion


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
