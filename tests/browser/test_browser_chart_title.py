"""The overall score chart's title on a phone (375 px), in headless
Chromium: it stands clear of the y axis's top tick label ("100"), which
half overhangs the plot area, on the public scorecard and the dashboard."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from reporting import contract_publishing
from tests.browser.test_browser_dashboard import PHONE, charts_drawn
from tests.dashboard_data import seed

pytestmark = pytest.mark.browser

# The title's box and each y tick label's box of the trend chart, in px.
TITLE_AND_TICKS = """() => {
  const chart = document.getElementById("chart-trend");
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return {text: element.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  };
  return {
    title: box(chart.querySelector(".gtitle")),
    ticks: Array.from(chart.querySelectorAll(".ytick text")).map(box),
  };
}"""


@pytest.fixture
def scored(system, contract):
    return seed(system, contract, metrics=3, months=14)


def assert_title_clear_of_ticks(page, title):
    drawn = page.evaluate(TITLE_AND_TICKS)
    assert drawn["title"]["text"] == title
    assert "100" in [tick["text"] for tick in drawn["ticks"]]
    t = drawn["title"]
    for tick in drawn["ticks"]:
        apart = (
            t["bottom"] <= tick["top"]
            or tick["bottom"] <= t["top"]
            or t["right"] <= tick["left"]
            or tick["right"] <= t["left"]
        )
        assert apart, f"the title {t} overlaps the tick label {tick}"


def test_scorecard_trend_title_clears_the_axis_on_a_phone(
    system, contract, scored, page, live_server
):
    scorecard = contract_publishing.publish(
        user=system.commissioner,
        contract=contract,
        organisation=system.network_a,
        period=dt.date(2025, 5, 1),
        summary="How the network is doing.",
    )
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/scorecards/{scorecard.pk}/")
    charts_drawn(page, 3)
    assert_title_clear_of_ticks(page, "Overall outcome score (0-100)")


def test_dashboard_trend_title_clears_the_axis_on_a_phone(
    system, contract, scored, page, live_server, sign_in
):
    sign_in("commissioner")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Network A: May 2025")
    charts_drawn(page, 3)
    assert_title_clear_of_ticks(page, "Aggregate outcome score (0-100)")
