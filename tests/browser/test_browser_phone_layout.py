"""Layout on a phone (375 px wide) and on a desktop, in headless Chromium: a
public scorecard and the commissioner's dashboard never make the page
scroll sideways (wide dashboard tables scroll inside a labelled, focusable
region instead), and every label of every Plotly chart (tick labels, axis
and chart titles, legend, bar labels) lies inside the chart."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from reporting import contract_publishing
from tests.browser.test_browser import serious_violations
from tests.browser.test_browser_dashboard import PHONE, charts_drawn
from tests.dashboard_data import seed

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}

# Each drawn chart's text outside the chart's own box, as
# [chart id, label class, label text, how far out in px].
LABELS_OUTSIDE = """() => {
  const outside = [];
  document.querySelectorAll("[data-chart-drawn=true]").forEach((chart) => {
    const box = chart.getBoundingClientRect();
    const labels = chart.querySelectorAll(
      ".xtick text, .ytick text, .g-xtitle text, .g-ytitle text, .gtitle, .legend text, .bartext"
    );
    if (!chart.querySelector(".xtick text, .ytick text")) {
      outside.push([chart.id, "no tick labels drawn", "", 0]);
    }
    labels.forEach((label) => {
      const r = label.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return;
      const by = Math.max(
        box.left - r.left, r.right - box.right, box.top - r.top, r.bottom - box.bottom
      );
      if (by > 0.5) {
        outside.push([chart.id, label.getAttribute("class"), label.textContent, Math.round(by)]);
      }
    });
  });
  return outside;
}"""


# A drawn chart's plot area (inside the axes) in px, and the boxes of its
# category (y) tick labels, top to bottom.
PLOT_AREA = """(id) => {
  const chart = document.getElementById(id);
  const size = chart._fullLayout._size;
  const ticks = Array.from(chart.querySelectorAll(".ytick text")).map((t) => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, top: r.top, bottom: r.bottom};
  });
  ticks.sort((a, b) => a.top - b.top);
  const legend = Array.from(chart.querySelectorAll(".legend .legendtext")).map(
    (t) => t.textContent
  );
  return {width: Math.round(size.w), height: Math.round(size.h), ticks: ticks, legend: legend};
}"""


@pytest.fixture
def scored(system, contract):
    return seed(system, contract, metrics=3, months=14)


def page_width(page):
    return page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )


def assert_fits(page, charts):
    charts_drawn(page, charts)
    width = page_width(page)
    assert width["scroll"] <= width["inner"], f"the page scrolls sideways: {width}"
    assert page.evaluate(LABELS_OUTSIDE) == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_scorecard_fits_the_screen(system, contract, scored, page, live_server, viewport):
    scorecard = contract_publishing.publish(
        user=system.commissioner,
        contract=contract,
        organisation=system.network_a,
        period=dt.date(2025, 5, 1),
        summary="Fewer older people were admitted to hospital in an emergency.",
    )
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/scorecards/{scorecard.pk}/")
    assert_fits(page, 3)
    assert serious_violations(page) == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_dashboard_fits_the_screen_and_wide_tables_scroll_in_a_region(
    system, contract, scored, page, live_server, sign_in, viewport
):
    sign_in("commissioner")
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Network A: May 2025")
    assert_fits(page, 3)
    assert serious_violations(page) == []
    # The members compared on one metric: a plot tall enough to read.
    assert page.evaluate(PLOT_AREA, "chart-comparison")["height"] >= 150

    region = page.get_by_role("region", name="Quality of care", exact=True)
    expect(region.get_by_role("table", name="Quality of care")).to_be_visible()
    scrolls = region.evaluate("element => element.scrollWidth > element.clientWidth")
    assert scrolls == (viewport is PHONE)  # the metrics table is wider than a phone
    if scrolls:
        # The keyboard reaches the region and scrolls the table along.
        region.focus()
        expect(region).to_be_focused()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.activeElement.scrollLeft > 0")

    # A metric's SPC chart and its table of limits fit as well.
    page.get_by_role("link", name="Emergency admissions per 1,000 people aged 75+").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Emergency admissions")
    assert_fits(page, 1)
    assert serious_violations(page) == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_members_compared_chart_is_readable_with_long_names(
    system, contract, page, live_server, sign_in, viewport
):
    """Real trusts have long names: the chart of members compared on one
    metric keeps a plot tall enough to read the intervals, names each row
    (best first, lower is better here) without overlap, and its legend
    explains the colours."""
    system.pa1.name = "Northumbria Healthcare NHS Foundation Trust Community Services"
    system.pa1.save()
    system.pa2.name = "Sheffield Teaching Hospitals NHS Foundation Trust"
    system.pa2.save()
    seed(system, contract, metrics=3, months=14)
    sign_in("commissioner")
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/dashboard/")
    charts_drawn(page, 3)
    plot = page.evaluate(PLOT_AREA, "chart-comparison")
    assert plot["height"] >= 150, plot
    assert_fits(page, 3)
    ticks = plot["ticks"]
    assert [tick["text"][:10] for tick in ticks] == ["Northumbri", "Sheffield "], ticks
    assert all(a["bottom"] <= b["top"] for a, b in zip(ticks, ticks[1:], strict=False)), ticks
    # The legend explains the colours: the groups that occur, and the line.
    assert plot["legend"] == ["Similar to the network", "Network value"], plot["legend"]
