"""Assurance journeys in headless Chromium: a provider user answers a 360
survey, the commissioner closes it and reads the resulting scorecard, and
the panel challenges a governance answer; each page passes axe."""

import pytest
from playwright.sync_api import expect

from assurance import services
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    complete_self_assessment,
    framework_fixture,
    respondents_fixture,
    strategy_answer_fixture,
    survey_fixture,
    with_panel,
)
from tests.browser.test_browser import serious_violations

pytestmark = pytest.mark.browser


def test_a_provider_answers_and_the_commissioner_reads_the_scorecard(
    system, survey, respondents, strategy_answer, page, live_server, sign_in
):
    others = [person for person in respondents if person != system.provider_a][:4]
    for person in others:
        services.answer_feedback_survey(user=person, survey=survey, agreements={1: 2})

    sign_in("provider_a")
    page.get_by_role("link", name="Commissioner assurance").click()
    page.get_by_role("link", name="360 feedback 2026 for Test ICB").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("360 feedback 2026")
    assert serious_violations(page) == []
    page.get_by_role("group", name="1. This commissioner leads the local NHS").get_by_label(
        "Strongly agree"
    ).check()
    page.get_by_label("Anything else you would like to tell the commissioner").fill(
        "Clear direction this year."
    )
    page.get_by_role("button", name="Send your answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your answers are sent")
    expect(page.get_by_text("Clear direction this year.")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Sign out").click()

    sign_in("commissioner")
    page.goto(f"{live_server.url}/assurance/")
    page.get_by_role("link", name="Scorecard 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assurance scorecard 2026")
    # Open: the number of responses, nothing of the answers, until it closes.
    expect(page.get_by_text("5 responses so far")).to_be_visible()
    expect(page.get_by_text("Clear direction this year.")).to_have_count(0)
    page.get_by_role("button", name="Close 360 feedback 2026 now").click()
    expect(page.get_by_text("360 feedback 2026 is closed.")).to_be_visible()
    first = page.get_by_role("row").filter(has_text="1. This commissioner leads the local NHS")
    expect(first).to_contain_text("20%")  # one of five agrees
    expect(first).to_contain_text("5")
    expect(page.get_by_text("Awaiting review")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Sign out").click()

    with_panel(survey.round)
    sign_in("admin")
    page.goto(f"{live_server.url}/assurance/rounds/{survey.round_id}/")
    page.get_by_role("link", name="Review strategy").click()
    assert serious_violations(page) == []
    page.get_by_label("Challenged").check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Reason").fill("The strategy has no outcome ambitions.")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("The strategy has no outcome ambitions.")).to_be_visible()
    expect(page.get_by_text("Challenged", exact=True)).to_be_visible()


def test_the_commissioner_submits_and_the_panel_returns_the_assessment(
    system, assessment, page, live_server, sign_in
):
    complete_self_assessment(system, assessment)
    url = f"{live_server.url}/assurance/rounds/{assessment.pk}/"
    sign_in("commissioner")
    page.goto(url)
    expect(page.get_by_text("Baseline assessment")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("is submitted to the panel for review")).to_be_visible()
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)
    assert serious_violations(page) == []
    page.get_by_role("button", name="Sign out").click()

    sign_in("admin")
    page.goto(url)
    page.get_by_role("button", name="Finalise the assessment").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Set the final level of 1a")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Reason for returning it").fill("Give evidence for 4b.")
    page.get_by_role("button", name="Return to the commissioner").click()
    expect(page.get_by_text("is returned to the commissioner")).to_be_visible()
    page.get_by_text("Steps so far (2)").click()
    expect(page.get_by_text("Give evidence for 4b.")).to_be_visible()
    assert serious_violations(page) == []
