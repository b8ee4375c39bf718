"""The network manager's journey in headless Chromium: open this week's
tactical meeting, record attendance, log two actions (the second from the
keyboard alone), and mark an older action done; with axe-core checks."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dialogues.choices import ActionStatus, Attendance
from dialogues.models import Action
from dialogues.services import actions
from tests.browser.test_browser import serious_violations
from tests.dialogues.test_dialogues_services import make_series

pytestmark = pytest.mark.browser

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@pytest.fixture
def this_week(system):
    """A weekly tactical meeting on today's weekday at midnight (so today's
    has started whatever the time of the run), from three weeks ago, with an
    open action from last week's meeting."""
    today = timezone.localdate()
    series = make_series(
        system,
        rrule=f"FREQ=WEEKLY;BYDAY={WEEKDAYS[today.weekday()]}",
        start_time=dt.time(0, 0),
        starts_on=today - dt.timedelta(days=21),
        ends_on=today + dt.timedelta(days=14),
        now=timezone.now() - dt.timedelta(days=30),
    )
    meetings = list(series.meetings.order_by("starts_at"))
    last_week = meetings[2]
    older = actions.log_action(
        user=system.network_manager_a,
        meeting=last_week,
        title="Send the falls data",
        owner=system.provider_a,
        due_on=today + dt.timedelta(days=2),
    )
    return meetings[3], older


def test_network_manager_runs_the_weekly_meeting(system, page, live_server, sign_in, this_week):
    meeting, older = this_week
    due = timezone.localdate() + dt.timedelta(days=7)
    sign_in("nm_a")
    # On a narrow header the last items move under "More".
    dialogues = page.get_by_role("link", name="Dialogues", exact=True)
    expect(page.locator("body.nhsuk-frontend-supported")).to_have_count(1)  # the header JS ran
    if not dialogues.is_visible():
        page.get_by_role("button", name="Browse More").click()
    dialogues.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance dialogues")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Weekly tactical: Network A").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly tactical: Network A")
    expect(page).to_have_url(re.compile(f"/dialogues/meetings/{meeting.pk}/"))

    # Attendance.
    page.get_by_role("group", name="nm_a").get_by_label("Present").check()
    page.get_by_role("group", name="provider_a").get_by_label("Sent apologies").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("status")).to_have_text("Attendance saved.")

    # Two actions: the first with the mouse, the second from the keyboard.
    page.get_by_label("Action", exact=True).fill("Book the deep dive on falls")
    page.get_by_label("Owner").select_option(label="provider_a (Provider A1)")
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Log the action").click()
    expect(page.get_by_role("status")).to_have_text("Action logged: Book the deep dive on falls.")
    title = page.get_by_label("Action", exact=True)
    expect(title).to_be_focused()
    page.keyboard.type("Share the winter plan")
    page.keyboard.press("Tab")
    page.get_by_label("Owner").select_option(label="nm_a (Network A)")
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_label("Due date").press("Control+Enter")
    expect(page.get_by_role("status")).to_have_text("Action logged: Share the winter plan.")
    logged = page.get_by_role("table", name="Actions logged at this meeting")
    expect(logged.get_by_role("row")).to_have_count(3)  # header and two actions
    assert serious_violations(page) == []

    # Mark last week's action done.
    earlier = page.get_by_role(
        "table", name="Other open actions, from earlier meetings or raised outside one"
    )
    row = earlier.get_by_role("row", name=re.compile("Send the falls data"))
    row.get_by_label("New status for Send the falls data").select_option("done")
    row.get_by_role("button", name="Update").click()
    expect(page.get_by_role("status")).to_have_text("Send the falls data: now done.")
    expect(page.get_by_text("No other open actions.")).to_be_visible()

    older.refresh_from_db()
    assert older.status == ActionStatus.DONE
    assert set(Action.objects.filter(meeting=meeting).values_list("title", "owner__username")) == {
        ("Book the deep dive on falls", "provider_a"),
        ("Share the winter plan", "nm_a"),
    }
    assert dict(meeting.attendance.values_list("person__username", "status")) == {
        "nm_a": Attendance.PRESENT,
        "provider_a": Attendance.APOLOGIES,
    }


def test_action_log_page_is_accessible(system, page, live_server, sign_in, this_week):
    sign_in("nm_a")
    page.goto(f"{live_server.url}/dialogues/actions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Action log")
    page.get_by_label("Only my actions").check()
    page.get_by_role("button", name="Filter actions").click()
    expect(page.get_by_text("No actions match these filters.")).to_be_visible()
    assert serious_violations(page) == []


def test_series_form_and_preferences_are_accessible(system, page, live_server, sign_in, this_week):
    meeting, _ = this_week
    sign_in("nm_a")
    page.goto(f"{live_server.url}/dialogues/series/new/")
    page.get_by_label("Title").fill("Weekly tactical")
    page.get_by_label("Recurrence rule").fill("FREQ=SOMETIMES")
    page.get_by_role("button", name="Set up the series").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Select network or provider.")
    summary.get_by_role("link", name="Select chair.").click()
    expect(page.get_by_label("Chair")).to_be_focused()
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/dialogues/preferences/")
    page.get_by_role("button", name="Create my calendar feed").click()
    expect(page.get_by_label("Your calendar feed address")).to_have_value(
        re.compile(r"/dialogues/calendar/[\w-]+\.ics$")
    )
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/dialogues/meetings/{meeting.pk}/agenda/")
    page.get_by_label("Agenda item", exact=True).fill("Welcome and apologies")
    page.get_by_role("button", name="Add the item").click()
    expect(page.get_by_role("status")).to_have_text("Item added.")
    assert serious_violations(page) == []
