"""Governance: a commissioner's board self-certifies each of the four
questions with evidence, per assessment round; the panel (admins) confirms
or challenges it with a reason; history is kept; nobody else can do either,
and bad input is a clear error with nothing saved."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assurance import cycle, services
from assurance.models import AssessmentRound, GovernanceAnswer, GovernanceQuestion
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
    strategy_answer_fixture,
    with_panel,
)


def question(number):
    return GovernanceQuestion.objects.get(number=number)


def test_a_commissioner_opens_one_round_per_year(system, assessment):
    assert assessment.commissioner == system.commissioner_org
    with pytest.raises(ValidationError) as error:
        services.open_assessment_round(
            user=system.commissioner, commissioner=system.commissioner_org, year=2026
        )
    assert "already has an assessment for 2026" in error.value.message_dict["year"][0]
    assert AssessmentRound.objects.count() == 1


@pytest.mark.parametrize("who", ["network_manager_a", "provider_a", "lay_partner", "outsider"])
def test_only_its_commissioners_or_admins_open_a_round(system, framework, who):
    with pytest.raises(PermissionDenied):
        services.open_assessment_round(
            user=getattr(system, who), commissioner=system.commissioner_org, year=2026
        )
    assert AssessmentRound.objects.count() == 0


def test_an_implausible_year_is_refused(system, framework):
    with pytest.raises(ValidationError) as error:
        services.open_assessment_round(
            user=system.admin, commissioner=system.commissioner_org, year=1
        )
    assert "not a plausible assessment year" in error.value.message_dict["year"][0]
    assert AssessmentRound.objects.count() == 0


def test_a_round_is_for_a_commissioner(system, framework):
    with pytest.raises(ValidationError) as error:
        services.open_assessment_round(user=system.admin, commissioner=system.network_a, year=2026)
    assert "not a commissioner" in error.value.message_dict["commissioner"][0]


def test_the_board_certifies_with_evidence(system, strategy_answer):
    assert strategy_answer.certification == "in_place"
    assert strategy_answer.certified_by == system.commissioner
    assert strategy_answer.panel_result == ""


@pytest.mark.parametrize(
    ("certification", "evidence", "field"),
    [("in_place", "  ", "evidence"), ("yes", "Board minutes", "certification")],
)
def test_certification_needs_a_valid_answer_and_evidence(
    system, assessment, certification, evidence, field
):
    with pytest.raises(ValidationError) as error:
        services.certify_governance(
            user=system.commissioner,
            round=assessment,
            question=question(2),
            certification=certification,
            evidence=evidence,
        )
    assert field in error.value.message_dict
    assert not GovernanceAnswer.objects.exists()


@pytest.mark.parametrize("who", ["admin", "network_manager_a", "provider_a", "lay_partner"])
def test_nobody_else_certifies_for_the_commissioner(system, assessment, who):
    with pytest.raises(PermissionDenied):
        services.certify_governance(
            user=getattr(system, who),
            round=assessment,
            question=question(1),
            certification="in_place",
            evidence="x",
        )


def test_the_panel_confirms_or_challenges_with_a_reason(system, strategy_answer):
    with_panel(strategy_answer.round)
    with pytest.raises(ValidationError) as error:
        services.review_governance(user=system.admin, answer=strategy_answer, result="challenged")
    assert "reason" in error.value.message_dict
    strategy_answer.refresh_from_db()
    assert strategy_answer.panel_result == ""

    services.review_governance(
        user=system.admin,
        answer=strategy_answer,
        result="challenged",
        reason="The strategy has no outcome ambitions for older people.",
    )
    strategy_answer.refresh_from_db()
    assert strategy_answer.panel_result == "challenged"
    assert strategy_answer.reviewed_by == system.admin

    with pytest.raises(ValidationError) as error:
        services.review_governance(user=system.admin, answer=strategy_answer, result="maybe")
    assert "result" in error.value.message_dict


@pytest.mark.parametrize("who", ["commissioner", "network_manager_a", "lay_partner"])
def test_only_the_panel_reviews(system, strategy_answer, who):
    with pytest.raises(PermissionDenied):
        services.review_governance(
            user=getattr(system, who), answer=strategy_answer, result="confirmed"
        )


def test_recertifying_clears_the_review_and_history_keeps_both(system, strategy_answer):
    with_panel(strategy_answer.round)
    services.review_governance(user=system.admin, answer=strategy_answer, result="confirmed")
    cycle.return_to_commissioner(
        user=system.admin, round=strategy_answer.round, reason="Refresh the strategy."
    )
    services.certify_governance(
        user=system.commissioner,
        round=strategy_answer.round,
        question=strategy_answer.question,
        certification="partly",
        evidence="The strategy is being refreshed after the panel's visit.",
    )
    strategy_answer.refresh_from_db()
    assert (strategy_answer.certification, strategy_answer.panel_result) == ("partly", "")
    history = list(strategy_answer.history.order_by("history_date"))
    assert [h.panel_result for h in history] == ["", "confirmed", ""]
    assert [h.history_user for h in history] == [
        system.commissioner,
        system.admin,
        system.commissioner,
    ]


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("admin", True),
        ("commissioner", True),
        ("network_manager_a", False),
        ("provider_a", False),
        ("lay_partner", False),
        ("outsider", False),
    ],
)
def test_answers_are_visible_to_the_commissioner_and_the_panel(
    system, strategy_answer, who, visible
):
    user = getattr(system, who)
    assert GovernanceAnswer.objects.visible_to(user).exists() == visible
    assert AssessmentRound.objects.visible_to(user).exists() == visible
