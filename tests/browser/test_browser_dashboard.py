"""Dashboards and scorecards in headless Chromium: a commissioner reviews a
network, opens a metric's SPC chart and rebases it; publishes and withdraws
a scorecard; an anonymous visitor reads a scorecard on a phone; a provider
user sees their own organisation only. Every page passes an axe scan with
no serious or critical violations, and works from the keyboard."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from reporting import contract_publishing
from tests.browser.test_browser import serious_violations
from tests.browser.test_browser_submissions import screenshot
from tests.dashboard_data import seed

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def scored(system, contract):
    return seed(system, contract, metrics=3, months=14)


def charts_drawn(page, count):
    expect(page.locator("[data-chart-drawn=true]")).to_have_count(count)


def test_commissioner_reviews_a_network_and_rebases_an_spc_chart(
    system, contract, scored, page, live_server, sign_in
):
    sign_in("commissioner")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Network A: May 2025")
    charts_drawn(page, 3)  # trend, dimensions, members compared
    expect(page.get_by_role("table", name="Quality of care")).to_be_visible()
    expect(page.get_by_text("Provider A1: 25.0 (95% interval")).to_be_visible()
    screenshot(page, "dashboard-network")
    assert serious_violations(page) == []

    # A member's page, then its metric's SPC chart.
    page.get_by_label("Organisation").select_option(label="Provider A1")
    page.get_by_role("button", name="Show dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Provider A1: May 2025")
    page.get_by_role("link", name="Emergency admissions per 1,000 people aged 75+").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Emergency admissions")
    charts_drawn(page, 1)
    expect(page.get_by_role("table", name="EMADM by month, with its limits")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_label("First month of the new limits").select_option(label="October 2024")
    page.get_by_label("Reason for rebasing").fill("Falls service started in October")
    page.get_by_role("button", name="Rebase the limits").click()
    expect(page.get_by_text("The limits are recalculated from October 2024.")).to_be_visible()
    expect(page.get_by_text("Calculation period 2 has 8 points")).to_be_visible()
    expect(page.get_by_role("cell", name="Falls service started in October")).to_be_visible()
    charts_drawn(page, 1)
    screenshot(page, "dashboard-metric-rebased")
    assert serious_violations(page) == []


def test_commissioner_publishes_and_withdraws_a_scorecard(
    system, contract, scored, page, live_server, sign_in
):
    sign_in("commissioner")
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("link", name="Publish the scorecard for May 2025").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Publish the scorecard for Network A, May 2025"
    )
    page.get_by_role("button", name="Publish the scorecard").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Summary for lay readers").fill("Fewer emergency admissions this spring.")
    page.get_by_role("button", name="Publish the scorecard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Network A: scorecard for May 2025")
    expect(page.get_by_text("Fewer emergency admissions this spring.")).to_be_visible()
    charts_drawn(page, 3)

    page.get_by_role("link", name="Withdraw this scorecard").click()
    page.get_by_label("Reason for withdrawing").fill("The March data was wrong.")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Withdraw the scorecard").click()
    expect(page.get_by_text("This scorecard has been withdrawn")).to_be_visible()
    expect(page.get_by_text("Reason: The March data was wrong.")).to_be_visible()


def test_anonymous_visitor_reads_a_scorecard_on_a_phone(system, contract, page, live_server):
    # Four members with network A's pooled figures (tests/dashboard_data.seed):
    # enough for the small-numbers rule to let anyone read them.
    seed(system, contract, metrics=3, months=14, twins=True)
    contract_publishing.publish(
        user=system.commissioner,
        contract=contract,
        organisation=system.network_a,
        period=dt.date(2025, 5, 1),
        summary="Fewer older people were admitted to hospital in an emergency.",
    )
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/scorecards/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Network A: scorecard for May 2025").click()
    expect(page.get_by_text("In May 2025 Network A scored 54 out of 100 overall.")).to_be_visible()
    charts_drawn(page, 3)
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "scorecard-phone")
    assert serious_violations(page) == []
    # The keyboard opens a measure's values by month.
    page.locator("summary", has_text="Values by month for Emergency admissions").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Apr 2025 30.5, May 2025 30.0")).to_be_visible()
    page.get_by_role("link", name="What the words on this page mean").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What the scorecard words mean")
    assert serious_violations(page) == []


def test_provider_user_sees_their_own_organisation_only(
    system, contract, scored, page, live_server, sign_in
):
    sign_in("provider_a")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Provider A1: May 2025")
    expect(page.get_by_label("Organisation").locator("option")).to_have_text(["Provider A1"])
    expect(page.get_by_text("Provider A2")).to_have_count(0)
    expect(page.get_by_role("link", name="Publish the scorecard for May 2025")).to_have_count(0)
    # Asking for another provider by address shows their own data instead.
    page.goto(f"{live_server.url}/dashboard/?contract={contract.pk}&organisation={system.pa2.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Provider A1: May 2025")
    assert serious_violations(page) == []


def test_dashboard_works_from_the_keyboard(system, contract, scored, page, live_server, sign_in):
    sign_in("nm_a")
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_label("Month").focus()
    page.keyboard.press("ArrowDown")  # one month earlier
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Show dashboard"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Network A: May 2025")
    expect(page.get_by_role("heading", name="What you must submit next")).to_be_visible()
    assert serious_violations(page) == []
