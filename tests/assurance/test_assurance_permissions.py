"""assurance.permissions: what each can_ function grants, and on whose
assessment: speaking for one commissioner gives nothing on another's, the
panel (admins) reviews everyone's but speaks for no one, and the people a
commissioner works with answer its survey but never see the results."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from assurance import cycle, permissions, services
from assurance.choices import RoundAction
from assurance.models import Measure, MeasureRating
from contracts.choices import Role
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
    with_panel,
)
from tests.factories import SYSTEM_PEOPLE as PEOPLE
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def other(system, framework):
    """QOTH's commissioner, its round for 2026 and an open 360 survey."""
    person = UserFactory(username="commissioner_other")
    MembershipFactory(
        user=person, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    round = services.open_assessment_round(
        user=person, commissioner=system.other_commissioner_org, year=2026
    )
    survey = services.open_feedback_survey(
        user=person,
        round=round,
        title="360 feedback 2026",
        closes_at=timezone.now() + dt.timedelta(days=14),
    )
    return dict(person=person, round=round, survey=survey)


def who(system, other, check) -> set[str]:
    people = {name: getattr(system, name) for name in PEOPLE} | {"other": other["person"]}
    return {name for name, person in people.items() if check(person)}


def test_a_commissioners_people_speak_for_it_alone(system, other):
    assert who(system, other, lambda p: permissions.can_speak_for(p, system.commissioner_org)) == {
        "commissioner"
    }
    assert who(
        system, other, lambda p: permissions.can_speak_for(p, system.other_commissioner_org)
    ) == {"other"}
    assert list(permissions.commissioners_spoken_for(system.commissioner)) == [
        system.commissioner_org
    ]
    assert not permissions.commissioners_spoken_for(system.admin).exists()


def test_admins_open_any_round_and_commissioners_their_own(system, other):
    assert who(system, other, lambda p: permissions.can_open_round(p, system.commissioner_org)) == {
        "admin",
        "commissioner",
    }
    with pytest.raises(PermissionDenied, match="Only Other ICB's commissioners"):
        services.open_assessment_round(
            user=system.commissioner, commissioner=system.other_commissioner_org, year=2027
        )


def test_the_panel_is_the_admins(system, other):
    assert who(system, other, permissions.can_review) == {"admin"}


def test_each_move_is_made_by_its_side_of_its_own_round(system, other, assessment):
    theirs = other["round"]
    submit = {
        round_name: who(system, other, lambda p, r=round: permissions.can_make(p, r, "submit"))
        for round_name, round in (("mine", assessment), ("theirs", theirs))
    }
    assert submit == {"mine": {"commissioner"}, "theirs": {"other"}}
    for action in (RoundAction.RETURN, RoundAction.FINALISE):
        assert who(system, other, lambda p, a=action: permissions.can_make(p, theirs, a)) == {
            "admin"
        }
    with pytest.raises(PermissionDenied, match="Only Other ICB's commissioners can do that."):
        cycle.submit(user=system.commissioner, round=theirs)
    with pytest.raises(PermissionDenied, match="assessment panel"):
        cycle.finalise(user=other["person"], round=with_panel(theirs))


def test_one_commissioner_cannot_rate_another_commissioners_measure(system, other):
    measure = Measure.objects.order_by("pk").first()
    with pytest.raises(PermissionDenied, match="Only Other ICB's commissioners"):
        services.rate_measure(
            user=system.commissioner,
            round=other["round"],
            measure=measure,
            level=4,
            evidence="Ours",
        )
    assert not MeasureRating.objects.filter(round=other["round"]).exists()
    rating = services.rate_measure(
        user=other["person"], round=other["round"], measure=measure, level=2, evidence="Theirs"
    )
    with_panel(other["round"])
    with pytest.raises(PermissionDenied, match="assessment panel"):
        services.set_final_level(user=other["person"], rating=rating, level=4, reason="Ours")
    services.set_final_level(user=system.admin, rating=rating, level=3, reason="Panel")
    rating.refresh_from_db()
    assert (rating.self_level, rating.final_level) == (2, 3)


def test_one_commissioner_cannot_close_another_commissioners_survey(system, other):
    with pytest.raises(PermissionDenied, match="Only Other ICB's commissioners"):
        services.close_feedback_survey(user=system.commissioner, survey=other["survey"])
    other["survey"].refresh_from_db()
    assert other["survey"].is_open(timezone.now())


def test_those_a_commissioner_works_with_answer_its_survey_but_not_its_own(
    system, other, assessment
):
    ours = services.open_feedback_survey(
        user=system.commissioner,
        round=assessment,
        title="360 feedback 2026",
        closes_at=timezone.now() + dt.timedelta(days=14),
    )
    assert who(system, other, lambda p: permissions.can_answer_survey(p, ours)) == {
        "network_manager_a",
        "provider_a",
        "lay_partner",
    }
    assert who(system, other, lambda p: permissions.can_answer_survey(p, other["survey"])) == {
        "provider_b"
    }
    with pytest.raises(PermissionDenied, match="works with answer its survey"):
        services.answer_feedback_survey(
            user=system.provider_b, survey=ours, agreements={1: 5}, comment=""
        )


def test_results_are_for_the_commissioner_and_the_panel_not_respondents(system, other, assessment):
    ours = services.open_feedback_survey(
        user=system.commissioner,
        round=assessment,
        title="360 feedback 2026",
        closes_at=timezone.now() + dt.timedelta(days=14),
    )
    assert who(system, other, lambda p: permissions.can_see_results(p, ours)) == {
        "admin",
        "commissioner",
    }
    assert who(system, other, lambda p: permissions.can_see_results(p, other["survey"])) == {
        "admin",
        "other",
    }
