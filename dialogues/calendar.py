"""A person's meetings as an iCalendar feed (RFC 5545, with the `icalendar`
package), for Outlook or Google Calendar to subscribe to at a private URL.
Times are in Europe/London with its VTIMEZONE, so calendars show them right
across the clock changes; each event gives its length (DURATION), so one
spanning the autumn change is not read as ending at its start."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from dialogues.models import CalendarFeed, Meeting, new_feed_token

PAST = dt.timedelta(days=90)
AHEAD = dt.timedelta(days=400)


def feed_of(person) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(person=person).first()


@transaction.atomic
def renew_feed(person) -> CalendarFeed:
    """Create the person's feed, or give it a new address: the old one stops
    working at once (e.g. when a link was shared by mistake)."""
    feed = feed_of(person) or CalendarFeed(person=person)
    feed.token = new_feed_token()
    feed.save()
    return feed


def revoke_feed(person) -> None:
    CalendarFeed.objects.filter(person=person).delete()


def meetings_for(person, now: dt.datetime):
    """The meetings the person is invited to and may still see, from three
    months ago to a year ahead."""
    return (
        Meeting.objects.visible_to(person)
        .filter(pk__in=Meeting.objects.for_person(person).values("pk"))
        .filter(starts_at__gte=now - PAST, starts_at__lte=now + AHEAD)
        .select_related("series")
        .order_by("starts_at")
    )


def _unambiguous(moment: dt.datetime) -> dt.datetime:
    """UK local time, or UTC for the second pass through the hour the
    autumn clock change repeats: a local time there reads as the first."""
    local = timezone.localtime(moment)
    if local.replace(fold=0).utcoffset() != local.utcoffset():
        return moment.astimezone(dt.UTC)
    return local


def build(meetings, *, url_for, now: dt.datetime | None = None) -> bytes:
    """The calendar as bytes; `url_for(meeting)` gives each meeting's page."""
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Concord//Performance dialogues//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Concord meetings")
    calendar.add("x-wr-timezone", "Europe/London")
    for meeting in meetings:
        event = Event()
        event.add("uid", f"concord-meeting-{meeting.pk}")
        event.add("dtstamp", now)
        event.add("dtstart", _unambiguous(meeting.starts_at))
        # A length, not an end time: an end in the hour the autumn clock
        # change repeats (01:30 GMT after 01:30 BST) written as local time
        # would read as the first 01:30, a zero-length event.
        event.add("duration", meeting.ends_at - meeting.starts_at)
        event.add("summary", meeting.title)
        if meeting.location:
            event.add("location", meeting.location)
        event.add(
            "description", f"{meeting.series.get_meeting_type_display()}.\n{url_for(meeting)}"
        )
        event.add("url", url_for(meeting))
        event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
