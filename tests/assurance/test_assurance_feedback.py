"""360 feedback: the results arithmetic on hand-computed cases and as
properties; who may answer, once each, while the survey is open; answers
stored with no link to the person; results released only once the survey
has closed, and suppressed below the minimum."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from assurance import services
from assurance.feedback import summarise
from assurance.models import (
    FeedbackSurvey,
    SurveyAnswer,
    SurveyRespondent,
    SurveyResponse,
    SurveyStatement,
)
from assurance.selectors import has_answered, survey_results
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
    respondents_fixture,
    survey_fixture,
)

STATEMENTS = [(10, 1, "Leads the NHS"), (11, 2, "Listens to patients")]


def test_share_agreeing_hand_computed():
    # Statement 1: agree, strongly agree, neither, disagree, agree -> 3 of 5 = 60%.
    # Statement 2: four answers only, below the minimum of 5 -> suppressed.
    answers = [(10, 4), (10, 5), (10, 3), (10, 2), (10, 4), (11, 5), (11, 5), (11, 1), (11, 4)]
    first, second = summarise(STATEMENTS, answers, minimum=5)
    assert (first.responses, first.agreeing, first.share) == (5, 3, 60.0)
    assert (second.responses, second.agreeing, second.share) == (4, None, None)
    assert second.suppressed and not first.suppressed


def test_no_answers_is_suppressed_with_a_count_of_zero():
    assert [r.responses for r in summarise(STATEMENTS, [], minimum=5)] == [0, 0]


@given(st.lists(st.tuples(st.sampled_from([10, 11]), st.integers(1, 5))), st.integers(1, 8))
def test_results_properties(answers, minimum):
    for result, (statement_id, _, _) in zip(
        summarise(STATEMENTS, answers, minimum), STATEMENTS, strict=True
    ):
        given_here = [a for s, a in answers if s == statement_id]
        assert result.responses == len(given_here)
        assert result.suppressed == (len(given_here) < minimum)
        if not result.suppressed:
            assert 0 <= result.share <= 100
            assert result.agreeing == sum(a >= 4 for a in given_here)


def answer(survey, user, agreements=None, comment=""):
    return services.answer_feedback_survey(
        user=user, survey=survey, agreements=agreements or {1: 4, 2: 5}, comment=comment
    )


def test_opening_copies_the_frameworks_statements(system, survey):
    statements = list(survey.statements.all())
    assert len(statements) == 13  # the default measures assessed by 360 feedback or a mix
    assert statements[0].text.startswith("This commissioner leads the local NHS")
    assert survey.minimum_respondents == 5


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closes_at": dt.timedelta(days=-1)}, "closes_at"),
        ({"minimum_respondents": 2}, "minimum_respondents"),
        ({"title": " "}, "title"),
    ],
)
def test_opening_checks_its_input(system, assessment, changes, field):
    fields = {"title": "360", "closes_at": dt.timedelta(days=7), "minimum_respondents": 5}
    fields.update(changes)
    fields["closes_at"] = timezone.now() + fields["closes_at"]
    with pytest.raises(ValidationError) as error:
        services.open_feedback_survey(user=system.commissioner, round=assessment, **fields)
    assert field in error.value.message_dict
    assert not FeedbackSurvey.objects.exists() and not SurveyStatement.objects.exists()


@pytest.mark.parametrize("who", ["admin", "network_manager_a", "provider_a", "lay_partner"])
def test_only_the_commissioners_people_open_a_survey(system, assessment, who):
    with pytest.raises(PermissionDenied):
        services.open_feedback_survey(
            user=getattr(system, who),
            round=assessment,
            title="360",
            closes_at=timezone.now() + dt.timedelta(days=7),
        )


def test_partners_answer_once_each_and_the_answer_names_nobody(system, survey):
    response = answer(survey, system.provider_a, {1: 5, 3: 2}, "Good at listening.")
    assert has_answered(system.provider_a, survey)
    assert {f.name for f in SurveyResponse._meta.get_fields()} == {
        "id",
        "survey",
        "comment",
        "answers",
    }
    assert sorted(response.answers.values_list("statement__number", "agreement")) == [
        (1, 5),
        (3, 2),
    ]
    with pytest.raises(ValidationError) as error:
        answer(survey, system.provider_a)
    assert "already answered" in error.value.message_dict["survey"][0]
    assert SurveyResponse.objects.count() == 1 and SurveyAnswer.objects.count() == 2


@pytest.mark.parametrize("who", ["commissioner", "provider_b", "outsider", "admin"])
def test_people_it_does_not_work_with_cannot_answer(system, survey, who):
    with pytest.raises(PermissionDenied):
        answer(survey, getattr(system, who))
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    ("agreements", "field"),
    [({1: 6}, "statement_1"), ({99: 4}, "answers"), ({}, "answers"), ({1: 0}, "statement_1")],
)
def test_bad_answers_save_nothing(system, survey, agreements, field):
    with pytest.raises(ValidationError) as error:
        services.answer_feedback_survey(
            user=system.provider_a, survey=survey, agreements=agreements
        )
    assert field in error.value.message_dict
    assert not SurveyRespondent.objects.exists() and not SurveyResponse.objects.exists()


def test_a_closed_survey_takes_no_answers(system, survey):
    services.close_feedback_survey(user=system.commissioner, survey=survey)
    with pytest.raises(ValidationError) as error:
        answer(survey, system.provider_a)
    assert "closed" in error.value.message_dict["survey"][0]
    assert not SurveyRespondent.objects.exists()
    with pytest.raises(ValidationError):
        services.close_feedback_survey(user=system.commissioner, survey=survey)


def test_results_are_released_only_once_closed_with_the_minimum(system, survey, respondents):
    for person in respondents[:5]:
        answer(survey, person, {1: 4, 2: 1}, f"Comment from {person.username}")
    results = survey_results(survey)
    # Open, though five have answered: the count, and nothing of the answers.
    assert (results.respondents, results.closed, results.released) == (5, False, False)
    assert results.statements == [] and results.comments == []

    survey = services.close_feedback_survey(user=system.commissioner, survey=survey)
    results = survey_results(survey)
    assert (results.respondents, results.closed, results.released) == (5, True, True)
    first, second = results.statements[:2]
    assert (first.responses, first.share) == (5, 100.0)
    assert (second.responses, second.share) == (5, 0.0)
    assert results.statements[2].responses == 0 and results.statements[2].suppressed
    assert len(results.comments) == 5 and results.comments == sorted(results.comments)


def test_a_survey_closed_below_the_minimum_shows_counts_only(system, survey, respondents):
    for person in respondents[:4]:
        answer(survey, person, {1: 4, 2: 1}, f"Comment from {person.username}")
    survey = services.close_feedback_survey(user=system.commissioner, survey=survey)
    results = survey_results(survey)
    assert (results.respondents, results.closed, results.suppressed) == (4, True, True)
    assert not results.released
    assert [(s.responses, s.share) for s in results.statements[:2]] == [(4, None), (4, None)]
    assert results.comments == []


@pytest.mark.parametrize(
    ("who", "visible", "answerable"),
    [
        ("admin", True, False),
        ("commissioner", True, False),
        ("network_manager_a", True, True),
        ("provider_a", True, True),
        ("lay_partner", True, True),
        ("provider_b", False, False),
        ("outsider", False, False),
    ],
)
def test_who_sees_and_may_answer_a_survey(system, survey, who, visible, answerable):
    user = getattr(system, who)
    assert FeedbackSurvey.objects.visible_to(user).exists() == visible
    assert FeedbackSurvey.objects.answerable_by(user).exists() == answerable
