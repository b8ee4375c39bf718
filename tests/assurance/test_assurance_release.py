"""When 360 results are released (issue 29, item 3): reading a survey's
results while it is open, at 5 and then at 6 respondents, gave the sixth
person's answers and comment by difference. Now nothing of the answers
shows anywhere (API results and scorecard, the scorecard page, CSV and
Excel downloads, a published scorecard) until the survey closes: only the
number of responses so far. Once closed, the results of its final answers
are released once and for all (suppressed below the minimum): no answer is
taken after closing, a survey never reopens, and on PostgreSQL an answer in
flight at the closing time is stored before the results are read."""

import csv
import datetime as dt
import io
import threading
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assurance import services
from assurance.choices import RoundState
from assurance.downloads import NOT_YET
from assurance.models import AssessmentRound, FeedbackSurvey, SurveyAnswer
from assurance.selectors import survey_results
from contracts.choices import Role
from reporting import assurance_publishing
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
    respondents_fixture,
    survey_fixture,
)
from tests.factories import MembershipFactory, UserFactory

API = "/api/v1"
SIXTH = "Only the sixth person wrote this."


@pytest.fixture(name="people")
def people_fixture(system, respondents):
    """Seven people QCOM works with: the six respondents and a late one."""
    late = UserFactory(username="late_clinician")
    MembershipFactory(user=late, organisation=system.pa2, role=Role.PROVIDER_USER)
    return [*respondents, late]


def answer_api(api_client, person, survey, agreement, comment=""):
    api_client.force_authenticate(person)
    return api_client.post(
        f"{API}/feedback-surveys/{survey.pk}/answer/",
        {"answers": [{"statement": 1, "agreement": agreement}], "comment": comment},
        format="json",
    )


def channels(client, api_client, system, survey) -> SimpleNamespace:
    """What the commissioner sees of the survey in every live channel."""
    api_client.force_authenticate(system.commissioner)
    client.force_login(system.commissioner)
    results = api_client.get(f"{API}/feedback-surveys/{survey.pk}/results/")
    assert results.status_code == 200
    scorecard = api_client.get(f"{API}/assessment-rounds/{survey.round_id}/scorecard/")
    assert scorecard.status_code == 200
    page = client.get(reverse("assurance:scorecard", args=[survey.round_id]))
    assert page.status_code == 200
    url = reverse(
        "assurance:scorecard-download",
        kwargs={"pk": survey.round_id, "table": "feedback", "format": "csv"},
    )
    download = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    workbook = client.get(url.replace(".csv", ".xlsx"))
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    return SimpleNamespace(
        results=results.json(),
        scorecard=scorecard.json()["surveys"][0],
        page=page.content.decode(),
        csv=list(csv.reader(io.StringIO(download))),
        xlsx=[[cell.value for cell in row] for row in sheet.iter_rows()],
    )


def test_an_open_survey_shows_only_its_count_anywhere(client, api_client, system, survey, people):
    for number, person in enumerate(people[:6]):
        comment = SIXTH if number == 5 else "A shared view."
        assert answer_api(api_client, person, survey, 4 + number % 2, comment).status_code == 201
    seen = channels(client, api_client, system, survey)
    for results in (seen.results, seen.scorecard):
        assert (results["respondents"], results["closed"], results["released"]) == (6, False, False)
        assert results["statements"] == [] and results["comments"] == []
    assert "6 responses so far" in seen.page
    assert "Results are released once the survey has closed" in seen.page
    assert "Agree or strongly agree" not in seen.page  # no table of results
    assert seen.csv[1:] == [
        ["360 feedback 2026", "Open", seen.csv[1][2], "6", "5", NOT_YET, "", ""]
    ]
    assert seen.xlsx[1][3:] == [6, 5, NOT_YET, None, None]
    for shown in (str(seen.results), str(seen.scorecard), seen.page, str(seen.csv)):
        assert SIXTH not in shown and "A shared view." not in shown

    # Published while still open (the round final): the survey is left out.
    AssessmentRound.objects.filter(pk=survey.round_id).update(state=RoundState.FINAL)
    published = assurance_publishing.publish(
        user=system.commissioner, round=survey.round, summary="Our year."
    )
    assert published.snapshot["feedback"] == []
    public = client.get(published.get_absolute_url()).content.decode()
    assert "360 feedback 2026" not in public and SIXTH not in public


def test_a_survey_closed_with_four_is_suppressed(client, api_client, system, survey, people):
    for person in people[:4]:
        assert answer_api(api_client, person, survey, 5, "Four of us.").status_code == 201
    api_client.force_authenticate(system.commissioner)
    assert api_client.post(f"{API}/feedback-surveys/{survey.pk}/close/").status_code == 200
    seen = channels(client, api_client, system, survey)
    for results in (seen.results, seen.scorecard):
        assert (results["respondents"], results["closed"]) == (4, True)
        assert (results["suppressed"], results["released"]) == (True, False)
        assert results["statements"][0] == {
            "number": 1,
            "text": results["statements"][0]["text"],
            "responses": 4,
            "agreeing": None,
            "share": None,
        }
        assert results["comments"] == []
    assert "Fewer than 5 people answered" in seen.page and "Four of us." not in seen.page
    assert seen.csv[1][5:] == [seen.csv[1][5], "Too few responses", "4"]
    # No share is written (all four agreed: it would be 100%). A cell, not a
    # substring: an id or a date in the download may hold "100".
    assert not any(cell.rstrip("%") in {"100", "100.0"} for row in seen.csv for cell in row)


def test_a_survey_closed_with_five_is_released(client, api_client, system, survey, people):
    for number, person in enumerate(people[:5]):
        assert (
            answer_api(api_client, person, survey, 5 - number % 2, "We agree.").status_code == 201
        )
    api_client.force_authenticate(system.commissioner)
    assert api_client.post(f"{API}/feedback-surveys/{survey.pk}/close/").status_code == 200
    seen = channels(client, api_client, system, survey)
    for results in (seen.results, seen.scorecard):
        assert (results["respondents"], results["closed"], results["released"]) == (5, True, True)
        first = results["statements"][0]
        assert (first["responses"], first["agreeing"], first["share"]) == (5, 5, 100.0)
        assert results["comments"] == ["We agree."] * 5
    assert "5 responses." in seen.page and "100%" in seen.page and "We agree." in seen.page
    assert seen.csv[1][6:] == ["100", "5"]
    assert seen.xlsx[1][6:] == [100, 5]


def test_the_differencing_attack_of_the_issue_fails(api_client, system, survey, people):
    """Read at 5 and at 6 respondents, then after closing, then after a late
    answer and an attempt to reopen: no two readings differ by an answer."""
    results_url = f"{API}/feedback-surveys/{survey.pk}/results/"

    def read():
        api_client.force_authenticate(system.commissioner)
        response = api_client.get(results_url)
        assert response.status_code == 200
        return response.json()

    for person in people[:5]:
        assert answer_api(api_client, person, survey, 4, "Fine.").status_code == 201
    at_five = read()
    assert answer_api(api_client, people[5], survey, 1, SIXTH).status_code == 201
    at_six = read()
    # The difference is that one more person answered, and nothing of what they said.
    assert {key: (at_five[key], at_six[key]) for key in at_five if at_five[key] != at_six[key]} == {
        "respondents": (5, 6)
    }
    assert at_six["statements"] == [] and at_six["comments"] == []

    api_client.force_authenticate(system.commissioner)
    assert api_client.post(f"{API}/feedback-surveys/{survey.pk}/close/").status_code == 200
    released = read()
    assert released["respondents"] == 6 and SIXTH in released["comments"]

    # Nothing changes the released results afterwards: a late answer is refused,
    # the survey cannot be closed again, reopened or given a later closing time.
    late = answer_api(api_client, people[6], survey, 5, "Late.")
    assert late.status_code == 400 and "closed" in late.json()["survey"][0]
    api_client.force_authenticate(system.commissioner)
    again = api_client.post(f"{API}/feedback-surveys/{survey.pk}/close/")
    assert again.status_code == 400 and "already closed" in again.json()["closes_at"][0]
    later = (timezone.now() + dt.timedelta(days=7)).isoformat()
    for method in ("put", "patch"):
        reopen = getattr(api_client, method)(
            f"{API}/feedback-surveys/{survey.pk}/", {"closes_at": later}, format="json"
        )
        assert reopen.status_code == 405
    assert read() == released


def test_a_survey_past_its_closing_time_is_released_without_being_closed(
    api_client, system, survey, people
):
    for person in people[:5]:
        answer_api(api_client, person, survey, 4)
    FeedbackSurvey.objects.filter(pk=survey.pk).update(
        closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    api_client.force_authenticate(system.commissioner)
    results = api_client.get(f"{API}/feedback-surveys/{survey.pk}/results/").json()
    assert (results["closed"], results["released"], results["statements"][0]["share"]) == (
        True,
        True,
        100.0,
    )


# --- On PostgreSQL: an answer in flight when the survey closes ----------------


def answer_held_open(survey, person, entered: threading.Event, proceed: threading.Event):
    """A thread answering `survey` that stops, after the check that the survey
    is open and before its answers are stored, until `proceed` is set."""
    store = SurveyAnswer.objects.bulk_create

    def held(*args, **kwargs):
        entered.set()
        assert proceed.wait(60)
        return store(*args, **kwargs)

    def run():
        try:
            with mock.patch.object(SurveyAnswer.objects, "bulk_create", held):
                services.answer_feedback_survey(user=person, survey=survey, agreements={1: 1})
        finally:
            connection.close()

    return threading.Thread(target=run)


def in_thread(function, found: list):
    def run():
        try:
            found.append(function())
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_results_read_after_closing_time_wait_for_an_answer_in_flight(
    postgres_url, system, survey, people
):
    for person in people[:4]:
        services.answer_feedback_survey(user=person, survey=survey, agreements={1: 5})
    entered, proceed = threading.Event(), threading.Event()
    answering = answer_held_open(survey, people[4], entered, proceed)
    answering.start()
    assert entered.wait(60)  # accepted while open, not yet stored
    # The closing time passes (the results are read as if a second after it).
    after = SimpleNamespace(now=lambda: survey.closes_at + dt.timedelta(seconds=1))
    found = []
    with mock.patch("assurance.selectors.timezone", after):
        reading = in_thread(lambda: survey_results(survey), found)
        reading.start()
        reading.join(1)
        assert reading.is_alive(), "results were read while an answer was still being stored"
        proceed.set()
        answering.join(60)
        reading.join(60)
        [results] = found
        assert (results.closed, results.respondents) == (True, 5)
        assert results.statements[0].agreeing == 4  # the fifth answer is in
        assert survey_results(survey) == results  # and nothing changes later


@pytest.mark.django_db(transaction=True)
def test_closing_waits_for_an_answer_in_flight(postgres_url, system, survey, people):
    for person in people[:4]:
        services.answer_feedback_survey(user=person, survey=survey, agreements={1: 5})
    entered, proceed = threading.Event(), threading.Event()
    answering = answer_held_open(survey, people[4], entered, proceed)
    answering.start()
    assert entered.wait(60)
    found = []

    def close_and_read():
        closed = services.close_feedback_survey(user=system.commissioner, survey=survey)
        return survey_results(closed)

    closing = in_thread(close_and_read, found)
    closing.start()
    closing.join(1)
    assert closing.is_alive(), "the survey closed while an answer was still being stored"
    proceed.set()
    answering.join(60)
    closing.join(60)
    [results] = found
    assert (results.closed, results.respondents, results.statements[0].agreeing) == (True, 5, 4)
    assert survey_results(FeedbackSurvey.objects.get(pk=survey.pk)) == results
