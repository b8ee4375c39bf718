"""Contract management in headless Chromium: notices run both ways, and each
party sees the other's."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contracts.calendar import add_operational_days
from contracts.models import PerformanceNotice
from tests.browser.test_browser import serious_violations
from tests.outcomes.test_contract_pages import add_terms, drafted

pytestmark = pytest.mark.browser


def long_date(day):
    return f"{day.day} {day:%B %Y}"


def test_commissioner_raises_a_notice_and_the_network_sees_it(system, page, live_server, sign_in):
    contract = add_terms(system)
    metric = contract.metric_versions.get().metric
    due = add_operational_days(timezone.localdate(), contract.meeting_due_days)

    sign_in("commissioner")
    page.get_by_role("link", name="Contracts", exact=True).click()
    page.get_by_role("link", name="CON-A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(contract.title)
    page.get_by_role("link", name="Raise a Contract Performance Notice").click()
    page.get_by_label("Title").fill("Emergency admissions above threshold")
    page.get_by_label("The performance concern").fill("Three months below the minimum.")
    page.get_by_label(f"{metric.code}: {metric.name}").check()
    page.get_by_role("button", name="Raise the notice").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Emergency admissions above threshold"
    )
    expect(page.get_by_role("status")).to_contain_text(f"is due by {long_date(due)}")
    meeting = page.locator(".nhsuk-summary-list__row", has_text="Contract management meeting due")
    expect(meeting).to_contain_text(long_date(due))
    expect(meeting.locator(".nhsuk-tag")).to_have_text("Due")
    assert serious_violations(page) == []
    assert PerformanceNotice.objects.get().raised_by_organisation == system.commissioner_org

    page.get_by_role("button", name="Sign out").click()
    sign_in("nm_a")
    page.get_by_role("link", name="Contracts", exact=True).click()
    page.get_by_role("link", name="CON-A").click()
    open_notices = page.get_by_role("table", name="Open notices on this contract")
    row = open_notices.get_by_role("row", name=re.compile("Emergency admissions above threshold"))
    expect(row).to_contain_text(f"Contract management meeting: {long_date(due)}")
    expect(row).to_contain_text("Test ICB")
    expect(page.get_by_role("cell", name=f"{metric.code}: {metric.name}")).to_be_visible()
    assert serious_violations(page) == []

    row.get_by_role("link", name="Emergency admissions above threshold").click()
    expect(page.locator(".nhsuk-summary-list__row", has_text="Raised against")).to_contain_text(
        "Network A"
    )
    # The network may record the meeting, but only the raiser may withdraw.
    expect(page.get_by_text("Record the contract management meeting")).to_be_visible()
    expect(page.get_by_text("Withdraw the notice")).to_have_count(0)


def test_error_summary_is_accessible_and_names_the_field(system, page, live_server, sign_in):
    contract = drafted(add_terms(system))  # a draft's terms are set on its page
    sign_in("commissioner")
    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    form = page.locator("form", has=page.get_by_role("button", name="Save metric terms"))
    form.get_by_label("Metric", exact=True).select_option(index=1)
    form.get_by_label("Minimum threshold").fill("70")
    form.get_by_label("Target").fill("70")
    form.get_by_label("Weight within its dimension").fill("-1")
    form.get_by_role("button", name="Save metric terms").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The weight cannot be negative.")
    summary.get_by_role("link", name="The weight cannot be negative.").click()
    expect(page.get_by_label("Weight within its dimension")).to_be_focused()
    assert serious_violations(page) == []


def test_commissioner_offers_a_contract_and_the_network_accepts_it(
    system, page, live_server, sign_in
):
    """The agreement (docs/contracts.md): the draft is invisible to the
    network, the offer waits on its home page, and accepting agrees it."""
    from contracts.choices import ContractStatus
    from tests.factories import ContractFactory

    contract = ContractFactory(
        reference="CON-FALLS",
        title="Falls prevention",
        commissioner=system.commissioner_org,
        provider=system.network_a,
        status=ContractStatus.DRAFT,
    )
    sign_in("commissioner")
    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    expect(page.locator("#agreement")).to_contain_text("A draft")
    page.get_by_role("link", name="The agreement and its history").click()
    page.get_by_role("button", name="Offer the contract to Network A").click()
    expect(page.get_by_role("status")).to_contain_text("Offered to Network A")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Sign out").click()
    sign_in("nm_a")
    offers = page.locator("#offers")
    expect(offers).to_contain_text("CON-FALLS: Falls prevention")
    offers.get_by_role("link", name="CON-FALLS: Falls prevention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreement")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Accept the offer").click()
    expect(page.get_by_role("status")).to_contain_text("Accepted: the contract is agreed")
    history = page.get_by_role("table", name="Steps of the agreement, newest first")
    expect(history).to_contain_text("Accepted by Network A")
    expect(history).to_contain_text("Offered to Network A")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACCEPTED


def test_the_network_proposes_a_target_change_and_the_commissioner_agrees(
    system, page, live_server, sign_in
):
    """A variation (docs/contracts.md): the network proposes new terms for a
    metric from a month; nothing changes until the commissioner agrees."""
    from outcomes.models import ContractMetric

    contract = add_terms(system)
    version = contract.metric_versions.get()
    sign_in("nm_a")
    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    page.get_by_role("link", name="Propose a variation").click()
    page.get_by_label("Metric", exact=True).select_option(str(version.metric_id))
    page.get_by_label("From the month").fill("2026-04")
    page.get_by_label("Minimum threshold").fill("65")
    page.get_by_label("Target", exact=True).fill("85")
    page.get_by_label("Why should the terms change?").fill("Two teams start in April")
    page.get_by_role("button", name="Propose the variation").click()
    expect(page.get_by_role("status")).to_contain_text("changes nothing until the other party")
    assert serious_violations(page) == []
    assert contract.metric_versions.count() == 1

    page.get_by_role("button", name="Sign out").click()
    sign_in("commissioner")
    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    page.get_by_role("table", name="Variations of this contract, newest first").get_by_role(
        "link"
    ).first.click()
    page.get_by_role("button", name="Agree the variation").click()
    expect(page.get_by_role("status")).to_contain_text("new terms apply from April 2026")
    assert serious_violations(page) == []
    agreed = ContractMetric.objects.get(contract=contract, effective_from=dt.date(2026, 4, 1))
    assert (agreed.minimum_threshold, agreed.target) == (65, 85)
