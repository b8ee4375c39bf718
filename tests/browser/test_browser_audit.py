"""The audit trail in headless Chromium: a commissioner filters it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_browser import serious_violations
from tests.outcomes.test_contract_pages import add_terms

pytestmark = pytest.mark.browser


def test_commissioner_filters_the_audit_trail(system, page, live_server, sign_in):
    contract = add_terms(system)
    metric = contract.metric_versions.get().metric

    sign_in("commissioner")
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    page.get_by_label("Kind of record").select_option(label="Contract metric terms")
    page.get_by_label("Contract", exact=True).select_option(label=contract.reference)
    page.get_by_role("button", name="Filter changes").click()

    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(re.compile(f"{contract.reference} {metric.code} terms"))
    expect(rows.first).to_contain_text("commissioner")
    expect(rows.first).to_contain_text("QCOM")
    expect(rows.first).to_contain_text("Created")
    assert serious_violations(page) == []
