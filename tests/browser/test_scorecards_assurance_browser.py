"""An assurance scorecard in headless Chromium: the commissioner publishes a
final round, and an anonymous reader on a phone opens it from the public
scorecards. Every page passes axe and nothing is wider than the phone."""

import pytest
from playwright.sync_api import expect

from tests.assurance.test_assurance_outcomes import emadm_fixture  # noqa: F401 (fixture)
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
    respondents_fixture,
)
from tests.browser.test_browser import serious_violations
from tests.browser.test_browser_dashboard import PHONE, charts_drawn
from tests.reporting.test_scorecards_assurance import assessed_fixture  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def test_commissioner_publishes_and_the_public_reads_it(assessed, page, live_server, sign_in):
    sign_in("commissioner")
    page.goto(f"{live_server.url}/assurance/rounds/{assessed.pk}/")
    page.get_by_role("link", name="Publish to the public scorecards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Publish the assurance scorecard 2026"
    )
    assert serious_violations(page) == []
    page.get_by_label("Summary for lay readers").fill(
        "Emergency admissions fell and our partners rate us better."
    )
    page.get_by_role("button", name="Publish the scorecard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Test ICB: commissioner assurance 2026"
    )
    page.get_by_role("button", name="Sign out").click()

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/scorecards/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Test ICB: commissioner assurance 2026").click()
    expect(page.get_by_text("Emergency admissions fell and our partners")).to_be_visible()
    expect(page.get_by_role("heading", name="The four levels")).to_be_visible()
    expect(page.get_by_text("3 of 5 commissioners")).to_be_visible()
    charts_drawn(page, 1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_violations(page) == []
    page.locator("summary", has_text="Values by month").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("cell", name="Jun 2025")).to_be_visible()
    expect(page.get_by_role("link", name="Withdraw this scorecard")).to_have_count(0)
