"""Demo dialogues for `manage.py seed_demo`: the four default series for each
demo network (docs/dialogues.md), their meetings from 1 October 2026 on,
contract management meetings for open notices, and a few actions at the
Riverside network's first weekly meeting. Idempotent: series and actions are
found by their natural keys, and generation never duplicates a meeting."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from contracts.choices import Role
from contracts.models import Contract, Organisation
from dialogues import agenda
from dialogues.choices import ActionStatus, MeetingType, SeriesLevel
from dialogues.models import Action, Meeting, MeetingSeries
from dialogues.services import actions, common, meetings

HISTORY_FROM = dt.datetime(2026, 10, 1, tzinfo=ZoneInfo("Europe/London"))

# (type, level, rule, first date, time, minutes, commissioner takes part)
DEFAULT_SERIES = [
    (MeetingType.ANNUAL, SeriesLevel.COMMISSIONER_NETWORK, "FREQ=YEARLY;BYMONTH=3;BYDAY=2TH",
     dt.date(2026, 4, 1), dt.time(10, 0), 180, True),
    (MeetingType.QUARTERLY, SeriesLevel.COMMISSIONER_NETWORK,
     "FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=3WE", dt.date(2026, 4, 1), dt.time(14, 0), 120, True),
    (MeetingType.MONTHLY, SeriesLevel.NETWORK_MEMBERS, "FREQ=MONTHLY;BYDAY=2TU",
     dt.date(2026, 4, 1), dt.time(13, 30), 90, False),
    (MeetingType.WEEKLY, SeriesLevel.NETWORK_MEMBERS, "FREQ=WEEKLY;BYDAY=MO",
     dt.date(2026, 4, 1), dt.time(9, 30), 45, False),
]  # fmt: skip

# (title, status, days after the meeting it is due); the network manager owns them.
DEMO_ACTIONS = [
    ("Confirm weekend rota for rapid response", ActionStatus.DONE, 7),
    ("Chase missing falls data from the hospice", ActionStatus.OPEN, 14),
    ("Draft the winter pressures plan", ActionStatus.IN_PROGRESS, 70),
]


def _series_for(network, contract, manager, commissioner_user):
    members = list(network.members.order_by("code"))
    member_people = list(
        get_user_model().objects.filter(
            memberships__organisation__in=members, memberships__role=Role.PROVIDER_USER
        )
    )
    made = []
    for meeting_type, level, rule, first, time, minutes, with_commissioner in DEFAULT_SERIES:
        title = f"{MeetingType(meeting_type).label}: {network.name}"
        if with_commissioner:
            organisations = [network, contract.commissioner]
            participants = [manager, commissioner_user]
            chair = commissioner_user
        elif meeting_type == MeetingType.WEEKLY:
            organisations, participants, chair = [network], [manager], manager
        else:
            organisations = [network, *members]
            participants, chair = [manager, *member_people], manager
        fields = {
            "title": title,
            "level": level,
            "meeting_type": meeting_type,
            "provider": network,
            "contract": contract,
            "rrule": rule,
            "starts_on": first,
            "start_time": time,
            "duration_minutes": minutes,
            "location": "Microsoft Teams",
            "chair": chair,
        }
        series = MeetingSeries.objects.filter(provider=network, title=title).first()
        if series is None:
            series = meetings.save_series(
                user=chair, organisations=organisations, participants=participants, **fields
            )
        meetings.generate_meetings(series, since=HISTORY_FROM)
        made.append(series)
    return made


def seed_dialogues(contracts: dict[str, Contract]) -> None:
    User = get_user_model()
    commissioner_user = User.objects.get(username="commissioner")
    for contract in contracts.values():
        network = contract.provider
        if not network.is_network:
            continue
        manager = (
            User.objects.filter(
                memberships__organisation=network, memberships__role=Role.NETWORK_MANAGER
            )
            .order_by("username")
            .first()
        )
        _series_for(network, contract, manager, commissioner_user)
    meetings.create_notice_meetings()
    _seed_actions()
    # Each network's next weekly meeting has its agenda drafted (once), so the
    # demo shows an agenda from the data whatever day it is loaded.
    weekly = Meeting.objects.filter(
        series__meeting_type=MeetingType.WEEKLY, starts_at__gte=timezone.now()
    ).order_by("series", "starts_at")
    for series_id in weekly.values_list("series", flat=True).distinct():
        meeting = weekly.filter(series_id=series_id).first()
        if meeting.agenda_drafted_at is None:
            agenda.draft_agenda(meeting)


def _seed_actions() -> None:
    network = Organisation.objects.get(code="NWK01")
    weekly = MeetingSeries.objects.get(provider=network, meeting_type=MeetingType.WEEKLY)
    meeting = weekly.meetings.filter(starts_at__gte=HISTORY_FROM).order_by("starts_at").first()
    User = get_user_model()
    manager = User.objects.get(username="network_manager")
    if meeting is None or Action.objects.filter(meeting=meeting).exists():
        return
    held_on = common.local_date(meeting.starts_at)
    for title, status, days in DEMO_ACTIONS:
        action = actions.log_action(
            user=manager,
            meeting=meeting,
            title=title,
            owner=manager,
            due_on=held_on + dt.timedelta(days=days),
        )
        if status != ActionStatus.OPEN:
            actions.set_action_status(
                user=manager,
                action=action,
                status=status,
                on=held_on + dt.timedelta(days=days - 1),
            )
