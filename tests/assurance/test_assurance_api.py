"""Assurance API round trips: the framework, rounds, governance
certification and panel review, and 360 surveys (answer once, results only
for the commissioner and the panel, released once closed, suppressed below
the minimum)."""

import datetime as dt

import pytest
from django.utils import timezone

from assurance.models import AssessmentRound, GovernanceAnswer, SurveyResponse
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
    respondents_fixture,
    strategy_answer_fixture,
    survey_fixture,
    with_panel,
)

API = "/api/v1"


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_the_framework_is_readable_by_anyone_signed_in(api_client, system, framework):
    response = as_user(api_client, system.provider_a).get(f"{API}/assessment-framework/")
    assert response.status_code == 200
    assert len(response.json()) == 11
    measure = response.json()[0]["measures"][0]
    assert (measure["code"], measure["method"]) == ("1a", "360")
    assert api_client.post(f"{API}/assessment-framework/", {}).status_code in (403, 405)
    api_client.force_authenticate(None)
    assert api_client.get(f"{API}/assessment-framework/").status_code in (401, 403)


def test_rounds_round_trip_and_scope(api_client, system, framework):
    client = as_user(api_client, system.commissioner)
    body = {"commissioner": system.commissioner_org.pk, "year": 2026}
    created = client.post(f"{API}/assessment-rounds/", body, format="json")
    assert created.status_code == 201 and created.json()["commissioner_code"] == "QCOM"
    again = client.post(f"{API}/assessment-rounds/", body, format="json")
    assert again.status_code == 400 and "year" in again.json()
    other = {"commissioner": system.other_commissioner_org.pk, "year": 2026}
    assert client.post(f"{API}/assessment-rounds/", other, format="json").status_code == 403
    assert AssessmentRound.objects.count() == 1
    round_id = created.json()["id"]
    nm = as_user(api_client, system.network_manager_a)
    assert nm.get(f"{API}/assessment-rounds/{round_id}/").status_code == 404
    assert nm.post(f"{API}/assessment-rounds/", body, format="json").status_code == 403


def test_certify_and_review_round_trip(api_client, system, assessment):
    client = as_user(api_client, system.commissioner)
    body = {"round": assessment.pk, "question_number": 3, "certification": "in_place"}
    missing = client.post(f"{API}/governance-answers/", {**body, "evidence": ""}, format="json")
    assert missing.status_code == 400 and "evidence" in missing.json()
    created = client.post(
        f"{API}/governance-answers/", {**body, "evidence": "Board assurance framework"}
    )
    assert created.status_code == 201 and created.json()["panel_result"] == ""
    answer_id = created.json()["id"]
    review = f"{API}/governance-answers/{answer_id}/review/"
    with_panel(assessment)
    assert client.post(review, {"panel_result": "confirmed"}).status_code == 403

    panel = as_user(api_client, system.admin)
    no_reason = panel.post(review, {"panel_result": "challenged"}, format="json")
    assert no_reason.status_code == 400 and "panel_reason" in no_reason.json()
    done = panel.post(
        review, {"panel_result": "challenged", "panel_reason": "No risk register."}, format="json"
    )
    assert done.status_code == 200 and done.json()["panel_reason"] == "No risk register."
    assert GovernanceAnswer.objects.get().reviewed_by == system.admin

    outsider = as_user(api_client, system.provider_a)
    assert outsider.get(f"{API}/governance-answers/{answer_id}/").status_code == 404
    assert outsider.post(f"{API}/governance-answers/", body).status_code == 403


def test_open_answer_once_and_results(api_client, system, assessment, respondents):
    client = as_user(api_client, system.commissioner)
    closes = (timezone.now() + dt.timedelta(days=7)).isoformat()
    created = client.post(
        f"{API}/feedback-surveys/",
        {"round": assessment.pk, "title": "360 2026", "closes_at": closes},
        format="json",
    )
    assert created.status_code == 201 and len(created.json()["statements"]) == 13
    survey = created.json()["id"]

    body = {"answers": [{"statement": 1, "agreement": 4}], "comment": "Fair"}
    for person in respondents[:5]:
        response = as_user(api_client, person).post(
            f"{API}/feedback-surveys/{survey}/answer/", body, format="json"
        )
        assert response.status_code == 201 and response.data is None  # nothing echoed back
    again = api_client.post(f"{API}/feedback-surveys/{survey}/answer/", body, format="json")
    assert again.status_code == 400 and "already answered" in again.json()["survey"][0]
    bad = as_user(api_client, respondents[5]).post(
        f"{API}/feedback-surveys/{survey}/answer/",
        {"answers": [{"statement": 1, "agreement": 7}]},
        format="json",
    )
    assert bad.status_code == 400 and "statement_1" in bad.json()
    assert SurveyResponse.objects.count() == 5

    # A respondent sees the survey but not the results.
    assert api_client.get(f"{API}/feedback-surveys/{survey}/").status_code == 200
    assert api_client.get(f"{API}/feedback-surveys/{survey}/results/").status_code == 403
    commissioner = as_user(api_client, system.commissioner)
    results = commissioner.get(f"{API}/feedback-surveys/{survey}/results/")
    assert results.status_code == 200
    # Open: how many have answered so far, and nothing of what they said.
    assert results.json() == {
        "survey": survey,
        "respondents": 5,
        "minimum_respondents": 5,
        "closed": False,
        "suppressed": False,
        "released": False,
        "statements": [],
        "comments": [],
    }

    closed = api_client.post(f"{API}/feedback-surveys/{survey}/close/")
    assert closed.status_code == 200
    results = commissioner.get(f"{API}/feedback-surveys/{survey}/results/").json()
    assert (results["closed"], results["released"]) == (True, True)
    first = results["statements"][0]
    assert (first["responses"], first["share"]) == (5, 100.0)
    assert results["statements"][1]["share"] is None
    assert results["comments"] == ["Fair"] * 5
    late = as_user(api_client, respondents[5]).post(
        f"{API}/feedback-surveys/{survey}/answer/", body, format="json"
    )
    assert late.status_code == 400 and "closed" in late.json()["survey"][0]


@pytest.mark.parametrize("who", ["provider_b", "outsider"])
def test_surveys_are_hidden_from_people_the_commissioner_does_not_work_with(
    api_client, system, survey, who
):
    client = as_user(api_client, getattr(system, who))
    assert client.get(f"{API}/feedback-surveys/{survey.pk}/").status_code == 404
    body = {"answers": [{"statement": 1, "agreement": 4}]}
    response = client.post(f"{API}/feedback-surveys/{survey.pk}/answer/", body, format="json")
    assert response.status_code in (403, 404)
    assert not SurveyResponse.objects.exists()
