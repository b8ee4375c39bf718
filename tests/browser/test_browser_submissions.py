"""Submitting data and reviewing it, in headless Chromium: a network manager
uploads a file with a bad row, fixes it and uploads again; the commissioner
accepts the period. Each page passes an axe scan."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from outcomes.choices import MetricType
from outcomes.models import ContractMetric
from tests.browser.test_browser import serious_violations
from tests.factories import MetricFactory

pytestmark = pytest.mark.browser

HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"


def last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def seen_metric(system):
    metric = MetricFactory(
        code="SEEN2W",
        name="People seen within 2 weeks",
        metric_type=MetricType.PROPORTION,
        factor=100,
    )
    ContractMetric.objects.create(
        contract=system.contract_a,
        metric=metric,
        effective_from=system.contract_a.start_date,
        minimum_threshold=50,
        target=40,
    )
    return metric


def screenshot(page, name):
    """Full-page screenshots for review when SCREENSHOT_DIR is set."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def choose_file(page, name, text):
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )


def test_upload_fix_and_accept_journey(system, seen_metric, page, live_server, sign_in):
    period = f"{last_month():%Y-%m-%d}"
    sign_in("nm_a")
    page.get_by_role("link", name="Submit data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit data")
    expect(page.locator("body.nhsuk-frontend-supported")).to_have_count(1)
    assert serious_violations(page) == []
    screenshot(page, "upload")

    # One bad row (row 3: the denominator is 0).
    choose_file(page, "bad.csv", HEADER + f"SEEN2W,PA1,{period},45,50,\nSEEN2W,PA2,{period},3,0,\n")
    page.get_by_role("button", name="Upload and check").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem: nothing was stored")
    expect(summary.get_by_role("link")).to_contain_text(["Row 3, column denominator"])
    problems = page.get_by_role("table")
    expect(problems.get_by_role("row").nth(1)).to_contain_text("3")
    expect(problems).to_contain_text("denominator")
    expect(page.get_by_text("Rejected: nothing stored").first).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "rejected")

    # Fixed and sent again.
    page.get_by_role("link", name="Upload a corrected file").click()
    choose_file(
        page, "fixed.csv", HEADER + f"SEEN2W,PA1,{period},45,50,\nSEEN2W,PA2,{period},3,4,\n"
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("2 rows added, 0 revised and 0 unchanged")).to_be_visible()
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    screenshot(page, "stored")
    page.get_by_role("button", name="Sign out").click()

    # The commissioner accepts Provider A1's month.
    sign_in("commissioner")
    page.goto(f"{live_server.url}/contracts/{system.contract_a.pk}/")
    page.get_by_role("link", name="Data submitted and its review").click()
    month = f"{last_month():%B %Y}"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Data submitted for {month}")
    table = page.get_by_role("table", name=f"Completeness and timeliness, {month}")
    expect(table.get_by_role("row", name="Provider A1")).to_contain_text("100%")
    expect(page.locator("body.nhsuk-frontend-supported")).to_have_count(1)
    assert serious_violations(page) == []
    screenshot(page, "data-review")
    section = page.locator("section", has=page.get_by_role("heading", name="Provider A1 (PA1)"))
    section.get_by_label("Accept and lock the period").check()
    section.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text(f"Provider A1, {month}: accepted (locked).")).to_be_visible()
    expect(table.get_by_role("row", name="Provider A1")).to_contain_text("Accepted (locked)")


def test_an_unfinished_submission_reloads_itself_when_finished(
    system, seen_metric, page, live_server, sign_in
):
    """static/js/status-poll.js polls status.json and reloads."""
    from outcomes.services.submissions import process, receive

    submission = receive(
        user=system.provider_a,
        content=(HEADER + f"SEEN2W,PA1,{last_month():%Y-%m-%d},1,2,\n").encode(),
        name="slow.csv",
        channel="web",
    )
    sign_in("provider_a")
    with page.expect_request(lambda r: r.url.endswith("/status.json")):
        page.goto(f"{live_server.url}/submissions/{submission.pk}/")
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    process(submission)
    expect(page.get_by_text("1 row added, 0 revised and 0 unchanged")).to_be_visible()
