"""Assurance pages through Django's test client: who reaches each page, the
board's certification and the panel's review (bad input shown on the page,
nothing saved), opening and answering a 360 survey, and the scorecard's
results with a fixed number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assurance import services
from assurance.models import FeedbackSurvey, GovernanceAnswer, SurveyResponse
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
    respondents_fixture,
    strategy_answer_fixture,
    survey_fixture,
    with_panel,
)

HOME = reverse("assurance:home")


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("commissioner", 200),
        ("network_manager_a", 404),
        ("provider_a", 404),
        ("lay_partner", 404),
        ("outsider", 404),
    ],
)
def test_scorecard_per_role(client, system, strategy_answer, who, status):
    url = reverse("assurance:scorecard", args=[strategy_answer.round_id])
    assert get(client, getattr(system, who), url).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, assessment):
    response = client.get(reverse("assurance:scorecard", args=[assessment.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_home_links_to_the_assessment_and_the_surveys_to_answer(client, system, survey):
    content = get(client, system.commissioner, HOME).content.decode()
    assert "Scorecard 2026" in content and "Open an assessment for Test ICB" in content
    content = get(client, system.provider_a, HOME).content.decode()
    assert reverse("assurance:survey-answer", args=[survey.pk]) in content
    assert "Scorecard 2026" not in content
    assert "nothing for you to do" in get(client, system.provider_b, HOME).content.decode()
    assert reverse("assurance:home") in get(client, system.provider_a, "/").content.decode()


def test_a_commissioner_opens_a_round_and_a_repeat_is_an_error(client, system, framework):
    client.force_login(system.commissioner)
    response = client.post(HOME, {"commissioner": system.commissioner_org.pk, "year": 2026})
    assert response.status_code == 302
    response = client.post(HOME, {"commissioner": system.commissioner_org.pk, "year": 2026})
    assert "already has an assessment for 2026" in response.content.decode()
    client.force_login(system.network_manager_a)
    response = client.post(HOME, {"commissioner": system.commissioner_org.pk, "year": 2027})
    assert response.status_code == 403


def test_the_board_certifies_on_the_page(client, system, assessment):
    url = reverse("assurance:certify", args=[assessment.pk, 2])
    client.force_login(system.commissioner)
    assert "long-term financial plan" in client.get(url).content.decode()
    response = client.post(url, {"certification": "partly", "evidence": " "})
    assert "There is a problem" in response.content.decode()
    assert "Enter evidence" in response.content.decode()
    assert not GovernanceAnswer.objects.exists()
    response = client.post(url, {"certification": "partly", "evidence": "Draft plan only."})
    assert response.status_code == 302
    assert GovernanceAnswer.objects.get().certification == "partly"
    # The panel cannot certify, and a provider cannot reach the page.
    assert get(client, system.admin, url).status_code == 200
    client.post(url, {"certification": "in_place", "evidence": "x"})
    assert GovernanceAnswer.objects.get().certification == "partly"
    assert get(client, system.provider_a, url).status_code == 403


def test_the_panel_reviews_on_the_page(client, system, strategy_answer):
    url = reverse("assurance:review", args=[strategy_answer.pk])
    with_panel(strategy_answer.round)
    client.force_login(system.admin)
    response = client.post(url, {"result": "challenged", "reason": ""})
    assert "Say why the panel challenges" in response.content.decode()
    response = client.post(url, {"result": "challenged", "reason": "No outcome ambitions."})
    assert response.status_code == 302
    scorecard = get(
        client, system.commissioner, reverse("assurance:scorecard", args=[strategy_answer.round_id])
    )
    assert "Challenged" in scorecard.content.decode()
    assert "No outcome ambitions." in scorecard.content.decode()
    assert get(client, system.commissioner, url).status_code == 403


def test_a_commissioner_opens_a_survey_on_the_page(client, system, assessment):
    url = reverse("assurance:survey-open", args=[assessment.pk])
    client.force_login(system.commissioner)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(url, {"title": "360", "closes_on": yesterday, "minimum_respondents": 5})
    assert "closing time must be in the future" in response.content.decode()
    assert not FeedbackSurvey.objects.exists()
    next_week = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(url, {"title": "360", "closes_on": next_week, "minimum_respondents": 5})
    assert response.status_code == 302
    assert FeedbackSurvey.objects.get().statements.count() == 13


def test_a_partner_answers_once_and_sees_their_answers_once(client, system, survey):
    url = reverse("assurance:survey-answer", args=[survey.pk])
    client.force_login(system.provider_a)
    response = client.post(url, {"comment": "Nothing to add"})
    assert "Answer at least one statement" in response.content.decode()
    response = client.post(url, {"statement_1": "5", "statement_2": "2", "comment": "Helpful."})
    assert response.url == reverse("assurance:survey-sent", args=[survey.pk])
    sent = client.get(response.url).content.decode()
    assert "Strongly agree" in sent and "Helpful." in sent
    assert "You have answered this survey" in client.get(url).content.decode()
    client.post(url, {"statement_1": "1"})
    assert SurveyResponse.objects.count() == 1
    # Someone else's session never shows these answers.
    client.force_login(system.network_manager_a)
    assert "Helpful." not in client.get(response.url).content.decode()
    assert get(client, system.commissioner, url).status_code == 404
    assert get(client, system.provider_b, url).status_code == 404


def test_scorecard_shows_results_once_closed_with_five_in_fixed_queries(
    client, system, survey, respondents, strategy_answer, django_assert_max_num_queries
):
    url = reverse("assurance:scorecard", args=[survey.round_id])
    client.force_login(system.commissioner)

    def answer(people):
        for person in people:
            services.answer_feedback_survey(
                user=person, survey=survey, agreements={1: 4, 2: 2}, comment="A comment"
            )

    answer(respondents[:4])
    # Session and user, the round, the commissioner check, outcomes (2, and
    # the person's data scope for the small-numbers rule), competencies (3),
    # governance (2), the surveys' results (the counts; once closed, also the
    # wait for answers being stored (a savepoint, the lock, its release), the
    # statements, answers and comments), and the assessment cycle (the moves
    # offered, the steps so far, the previous final round, notices against
    # the commissioner): the same whatever the number of responses.
    with django_assert_max_num_queries(24):
        content = client.get(url).content.decode()
    assert "4 responses so far" in content
    assert "Results are released once the survey has closed" in content
    assert "A comment" not in content and "Too few responses" not in content
    answer(respondents[4:6])
    content = client.get(url).content.decode()
    assert "6 responses so far" in content
    assert "A comment" not in content and "100%" not in content
    client.post(url, {"close_survey": survey.pk})
    with django_assert_max_num_queries(24):
        content = client.get(url).content.decode()
    assert "6 responses." in content and "Close 360 feedback 2026 now" not in content
    assert "100%" in content and "0%" in content and "A comment" in content
