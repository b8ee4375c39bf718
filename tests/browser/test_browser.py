"""User journeys in headless Chromium (Debian's, driven by Playwright)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def serious_violations(page):
    results = Axe().run(page)
    return [
        (v["id"], v["impact"], v["help"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_commissioner_signs_in_and_sees_their_home_page(system, page, live_server, sign_in):
    sign_in("commissioner")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, commissioner")
    expect(page.get_by_text("For commissioners")).to_be_visible()
    expect(page.get_by_role("cell", name="CON-A")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in to Concord")).to_be_visible()


def test_wrong_password_is_explained(system, page, sign_in):
    sign_in("commissioner", "not-the-password")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/scorecards/", "/accounts/login/"])
def test_public_pages_pass_axe_with_no_serious_violations(page, live_server, path):
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("body.nhsuk-frontend-supported")).to_have_count(1)  # NHS.UK JS ran
    assert serious_violations(page) == []


def test_home_page_passes_axe_when_signed_in(system, page, sign_in):
    sign_in("nm_a")
    expect(page.get_by_text("For network managers")).to_be_visible()
    assert serious_violations(page) == []


@pytest.mark.django_db
def test_skip_link_moves_focus_to_the_main_content(page, live_server):
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "maincontent"


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy(client):
    header = client.get("/").headers["Content-Security-Policy"]
    policy = dict(directive.strip().split(" ", 1) for directive in header.split(";"))
    assert policy["script-src"] == "'self'"  # no inline or eval'd scripts
    assert policy["frame-ancestors"] == policy["object-src"] == "'none'"


def test_the_api_docs_run_under_the_policy(page, live_server):
    """Linked from every page's footer, so held to the same bar: ReDoc, whose
    page (with our template) passes axe; Swagger UI did not."""
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("Concord API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/scorecards/").first).to_be_attached()
    assert serious_violations(page) == []
