"""Fixtures for commissioner assurance tests: the default framework and an
assessment round for the `system` fixture's commissioner QCOM."""

import datetime as dt

import pytest
from django.utils import timezone

from assurance import cycle, services
from assurance.choices import RoundState
from assurance.models import (
    AssessmentRound,
    GovernanceAnswer,
    GovernanceQuestion,
    Measure,
    MeasureRating,
)
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


def with_panel(round):
    """Put `round` in panel review directly, for tests of the panel's own
    steps (tests/assurance/test_assurance_cycle.py takes the checked route)."""
    AssessmentRound.objects.filter(pk=round.pk).update(state=RoundState.PANEL_REVIEW)
    round.refresh_from_db()
    return round


def complete_self_assessment(system, round, level=3):
    """The commissioner rates every measure and certifies every question."""
    for measure in Measure.objects.all():
        services.rate_measure(
            user=system.commissioner, round=round, measure=measure, level=level, evidence="Minutes"
        )
    for question in GovernanceQuestion.objects.all():
        services.certify_governance(
            user=system.commissioner,
            round=round,
            question=question,
            certification="in_place",
            evidence="Board papers",
        )


def finalise_with_levels(system, round, levels=None, level=3):
    """Take `round` through the whole cycle: every measure rated `level`
    (or `levels[measure code]`), submitted, confirmed by the panel, final."""
    levels = levels or {}
    complete_self_assessment(system, round, level)
    cycle.submit(user=system.commissioner, round=round)
    for rating in MeasureRating.objects.filter(round=round).select_related("measure__competency"):
        final = levels.get(rating.measure.code, rating.self_level)
        services.set_final_level(user=system.admin, rating=rating, level=final, reason="Panel")
    for answer in GovernanceAnswer.objects.filter(round=round):
        services.review_governance(user=system.admin, answer=answer, result="confirmed")
    return cycle.finalise(user=system.admin, round=round)
