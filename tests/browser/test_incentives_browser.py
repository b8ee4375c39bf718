"""The commissioner's incentives journey in headless Chromium: run a year's
settlement, try a what-if (recomputed through the API as the score is typed,
nothing saved), sign it off; the network manager then sees it. The current
year's position on the dashboard, and the plain-words explanation on a
public scorecard. Each page is checked with axe-core."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incentives import services
from incentives.models import Settlement
from outcomes.models import PeriodReview
from reporting import contract_publishing
from tests.browser.test_browser import serious_violations
from tests.incentives_fixtures import YEAR_ONE, year_one_fixture  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def test_commissioner_settles_a_year_and_the_network_sees_it(
    system, year_one, page, live_server, sign_in
):
    sign_in("commissioner")
    page.goto(f"{live_server.url}/incentives/")
    page.get_by_role("link", name=re.compile("CON-A")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incentive scheme and settlements")
    assert serious_violations(page) == []

    page.get_by_role("link", name="Make a new version").click()
    expect(page.get_by_label("Quality gateway (score)")).to_have_value("40")
    assert serious_violations(page) == []
    page.go_back()

    page.get_by_role("button", name="Run settlement for year 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settlement of year 1")
    expect(page.get_by_role("status")).to_contain_text("Year 1 settled as a draft")
    expect(page.get_by_text("£378,000.00").first).to_be_visible()
    expect(page.locator("#retained-share[data-chart-drawn]")).to_have_count(1)
    assert serious_violations(page) == []

    page.get_by_label("Aggregate score").fill("92")
    result = page.locator("#what-if-result")
    expect(result).to_contain_text("What if: net transfer £558,000.00")
    expect(result).to_contain_text("the network keeps 80% of savings")
    marker = page.evaluate("document.getElementById('retained-share').data[2].x")
    assert marker == [92]
    page.get_by_label("Actual cost (£)").fill("12600000")
    expect(result).to_contain_text("Overspend")
    assert serious_violations(page) == []
    assert Settlement.objects.get().net_transfer == 378000  # nothing saved

    page.get_by_role("button", name="Sign off the settlement").click()
    expect(page.get_by_role("status")).to_contain_text("Settlement signed off")
    expect(page.locator(".nhsuk-tag", has_text="Signed off")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in("nm_a")
    page.goto(f"{live_server.url}/incentives/")
    page.get_by_role("link", name="Year 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settlement of year 1")
    expect(page.locator(".nhsuk-tag", has_text="Signed off")).to_be_visible()
    expect(page.get_by_text("Comments closed when the settlement was signed off.")).to_be_visible()
    assert serious_violations(page) == []


def test_the_year_so_far_on_the_dashboard_and_the_payment_on_a_scorecard(
    system, contract, year_one, page, live_server, sign_in, monkeypatch
):
    settlement = services.compute_settlement(contract_year=year_one, user=system.commissioner)
    services.sign_off(user=system.commissioner, settlement=settlement)
    PeriodReview.objects.bulk_create(
        PeriodReview(
            contract=contract,
            organisation=org,
            period_start=month,
            status="accepted",
            reviewed_by=system.commissioner,
        )
        for org in (system.pa1, system.pa2)
        for month in YEAR_ONE
    )
    scorecard = contract_publishing.publish(
        user=system.commissioner,
        contract=contract,
        organisation=system.network_a,
        period=dt.date(2025, 3, 1),
        summary="Fewer older people were admitted to hospital in an emergency.",
    )
    # 20 November 2024: year 1 in progress, every month costed and scored.
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2024, 11, 20))
    sign_in("commissioner")
    page.goto(f"{live_server.url}/dashboard/?contract={contract.pk}")
    expect(page.get_by_role("heading", name=re.compile("Year 1 so far"))).to_be_visible()
    expect(page.locator("#incentive-projection")).to_contain_text(
        "The network would keep 50% of the savings"
    )
    expect(page.get_by_role("table", name=re.compile("Quality payments on track"))).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{live_server.url}{scorecard.get_absolute_url()}")
    expect(
        page.get_by_role("heading", name="How the payment depends on the results")
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile("which earned it 50% of the £600,000 saved"))
    ).to_be_visible()
    assert serious_violations(page) == []
