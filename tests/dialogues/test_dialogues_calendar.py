"""The iCalendar feed, parsed back with the icalendar library: a person's
meetings in Europe/London time, cancelled ones marked, a private URL that
can be renewed or turned off, and nothing for people not invited."""

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from icalendar import Calendar

from contracts import notices
from contracts.choices import Role
from dialogues import calendar
from dialogues.models import Meeting
from dialogues.services import meetings
from tests.dialogues.test_dialogues_services import make_series
from tests.factories import MembershipFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def series(system):
    today = timezone.localdate()
    return make_series(
        system,
        rrule="FREQ=WEEKLY",
        starts_on=today - dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=21),
        location="Microsoft Teams",
        now=timezone.now() - dt.timedelta(days=10),
    )


def fetch(client, person):
    feed = (
        calendar.renew_feed(person)
        if calendar.feed_of(person) is None
        else calendar.feed_of(person)
    )
    response = client.get(f"/dialogues/calendar/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_feed_lists_the_persons_meetings_in_london_time(system, client, series):
    parsed = fetch(client, system.provider_a)  # a named participant
    events = parsed.walk("VEVENT")
    meetings = list(series.meetings.order_by("starts_at"))
    assert len(events) == len(meetings) == 5
    first = events[0]
    assert str(first["SUMMARY"]) == "Weekly tactical: Network A"
    assert str(first["LOCATION"]) == "Microsoft Teams"
    assert str(first["UID"]) == f"concord-meeting-{meetings[0].pk}"
    start = first.decoded("DTSTART")
    assert start == meetings[0].starts_at
    assert str(start.tzinfo) == "Europe/London"
    assert start.astimezone(LONDON).hour == 10
    assert first.decoded("DURATION") == dt.timedelta(hours=1)
    assert f"/dialogues/meetings/{meetings[0].pk}/" in str(first["URL"])
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/London"]


def test_cancelled_meetings_are_marked(system, client, series):
    meeting = series.meetings.order_by("starts_at").last()
    meeting.is_cancelled = True
    meeting.save()
    statuses = [str(e["STATUS"]) for e in fetch(client, system.network_manager_a).walk("VEVENT")]
    assert statuses == ["CONFIRMED"] * 4 + ["CANCELLED"]


def test_people_not_invited_get_an_empty_calendar(system, client, series):
    # The commissioner can see the series, but is not invited; provider_b cannot see it.
    for person in (system.commissioner, system.provider_b):
        assert fetch(client, person).walk("VEVENT") == []


def test_someone_taken_off_the_series_loses_its_meetings(system, client, series):
    meetings.save_series(
        user=system.network_manager_a,
        series=series,
        organisations=[system.network_a],
        participants=[system.network_manager_a],
    )
    assert fetch(client, system.provider_a).walk("VEVENT") == []


def test_the_address_can_be_renewed_and_turned_off(system, client, series):
    old = calendar.renew_feed(system.provider_a).token
    new = calendar.renew_feed(system.provider_a).token
    assert old != new
    assert client.get(f"/dialogues/calendar/{old}.ics").status_code == 404
    assert client.get(f"/dialogues/calendar/{new}.ics").status_code == 200
    calendar.revoke_feed(system.provider_a)
    assert client.get(f"/dialogues/calendar/{new}.ics").status_code == 404
    assert client.get("/dialogues/calendar/guess.ics").status_code == 404


def test_the_preferences_page_creates_renews_and_turns_off_the_feed(system, client, series):
    client.force_login(system.provider_a)
    assert "Create my calendar feed" in client.get("/dialogues/preferences/").content.decode()
    client.post("/dialogues/preferences/", {"op": "renew-feed"})
    token = calendar.feed_of(system.provider_a).token
    page = client.get("/dialogues/preferences/").content.decode()
    assert f"http://testserver/dialogues/calendar/{token}.ics" in page
    client.post("/dialogues/preferences/", {"op": "renew-feed"})
    assert calendar.feed_of(system.provider_a).token != token
    client.post("/dialogues/preferences/", {"op": "revoke-feed"})
    assert calendar.feed_of(system.provider_a) is None


def raise_notice_today(system, contract, metric):
    return notices.raise_notice(
        user=system.commissioner,
        contract=contract,
        title="Emergency admissions above threshold",
        concern="Three months above the minimum threshold.",
        raised_on=timezone.localdate(),
        metrics=[metric],
    )


def test_contract_management_meetings_reach_both_parties_feeds(system, client, contract, metric):
    """Not only the commissioner who raised the notice (its chair): their
    colleagues and the network's people are named in the series too."""
    colleague = UserFactory(username="commissioner_2")
    MembershipFactory(user=colleague, organisation=system.commissioner_org, role=Role.COMMISSIONER)
    notice = raise_notice_today(system, contract, metric)
    meetings.create_notice_meetings()
    meeting = Meeting.objects.get(notice=notice)
    uid = f"concord-meeting-{meeting.pk}"
    for person in (system.commissioner, colleague, system.network_manager_a):
        assert [str(e["UID"]) for e in fetch(client, person).walk("VEVENT")] == [uid]
    for person in (system.provider_b, system.lay_partner):
        assert fetch(client, person).walk("VEVENT") == []
    assert set(meeting.series.organisations.all()) == {system.commissioner_org, system.network_a}


def test_the_migration_names_the_parties_of_earlier_contract_management_series(
    system, contract, metric
):
    notice = raise_notice_today(system, contract, metric)
    meetings.create_notice_meetings()
    series = Meeting.objects.get(notice=notice).series
    series.participants.clear()  # as such series were made before
    migration = importlib.import_module(
        "dialogues.migrations.0003_contract_management_participants"
    )
    migration.name_the_parties(django_apps, None)
    assert set(series.participants.values_list("username", flat=True)) == {
        "commissioner",
        "nm_a",
    }


def autumn_sunday_meeting(system):
    """A one-hour meeting at 01:30 on 31 October 2027, when the clocks go back."""
    series = make_series(
        system,
        rrule="FREQ=WEEKLY;COUNT=1",
        starts_on=dt.date(2027, 10, 31),
        start_time=dt.time(1, 30),
        now=dt.datetime(2027, 10, 1, tzinfo=LONDON),
    )
    return series.meetings.get()


def test_a_meeting_across_the_autumn_clock_change_keeps_its_length(system, client):
    """01:30 BST to 01:30 GMT on 31 October 2027: an hour, not zero. The feed
    gives the length; the meeting page names the zones."""
    meeting = autumn_sunday_meeting(system)
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(hours=1)
    body = calendar.build([meeting], url_for=lambda m: "https://concord.test/m")
    assert b"DTEND" not in body
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    # In UTC: Python compares and adds times in the repeated hour by the wall clock.
    start = event.decoded("DTSTART").astimezone(dt.UTC)
    assert start == meeting.starts_at == dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC)
    assert event.decoded("DURATION") == dt.timedelta(hours=1)
    assert start + event.decoded("DURATION") == meeting.ends_at

    client.force_login(system.provider_a)
    page = client.get(f"/dialogues/meetings/{meeting.pk}/").content.decode()
    assert "Sunday 31 October 2027, 01:30 BST to 01:30 GMT" in page


def test_a_meeting_in_the_repeated_hour_starts_in_utc(system):
    """The second 01:30 of the autumn Sunday written as local time would read
    as the first (BST): it is written in UTC instead."""
    meeting = autumn_sunday_meeting(system)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=dt.datetime(2027, 10, 31, 1, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 10, 31, 2, 30, tzinfo=dt.UTC),
    )
    meeting.refresh_from_db()
    body = calendar.build([meeting], url_for=lambda m: "https://concord.test/m")
    assert b"DTSTART:20271031T013000Z" in body
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DURATION") == dt.timedelta(hours=1)


def test_lay_partners_cannot_reach_preferences_or_make_a_feed(system, client):
    """Lay partners see no dialogues: not the preferences page, nor a feed."""
    client.force_login(system.lay_partner)
    assert client.get("/dialogues/preferences/").status_code == 403
    assert client.post("/dialogues/preferences/", {"op": "renew-feed"}).status_code == 403
    assert calendar.feed_of(system.lay_partner) is None
    client.force_login(system.provider_a)
    assert client.get("/dialogues/preferences/").status_code == 200
    assert client.post("/dialogues/preferences/", {"op": "renew-feed"}).status_code == 302
    assert calendar.feed_of(system.provider_a) is not None
