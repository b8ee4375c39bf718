"""Meeting series and the meetings generated from them: saving a series
(checked against who may take part) generates its meetings a year ahead, a
change regenerates future meetings only; contract management meetings are
made from performance notices awaiting one."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import NoticeStatus, OrganisationKind
from contracts.models import Membership, PerformanceNotice
from core.history import bulk_create_as, save_as
from core.roles import is_admin
from dialogues import permissions, recurrence
from dialogues.choices import MeetingType, SeriesLevel
from dialogues.models import Meeting, MeetingSeries
from dialogues.services.common import allowed_organisation_ids

# Meetings are generated this far ahead, so a year of dialogues is in the diary.
GENERATE_AHEAD = dt.timedelta(days=366)
CONTRACT_MEETING_TIME = dt.time(10, 0)


def aware(day: dt.date, time: dt.time, zone: str) -> dt.datetime:
    return recurrence.instant(dt.datetime.combine(day, time), ZoneInfo(zone))


def _people_in(org_ids: set[int]) -> set[int]:
    return set(
        Membership.objects.filter(
            organisation_id__in=org_ids, role__in=PRIVATE_DATA_ROLES
        ).values_list("user_id", flat=True)
    )


SCHEDULE_FIELDS = ("rrule", "starts_on", "start_time", "ends_on", "is_active")
DETAIL_FIELDS = ("title", "duration_minutes", "location")


def _check_contract(series: MeetingSeries) -> None:
    """A series is about a binding contract of its own network (or
    provider), if about one."""
    contract = series.contract if series.contract_id else None
    if contract is None:
        return
    if contract.provider_id != series.provider_id:
        raise ValidationError({"contract": f"This contract is not held by {series.provider.name}."})
    if not contract.is_binding:
        raise ValidationError(
            {
                "contract": f"{contract.reference} is not agreed: a series can be about a "
                "contract only once its provider has accepted it."
            }
        )


def _check_series(series: MeetingSeries, organisations, participants) -> None:
    errors = {}
    provider = series.provider
    if series.level == SeriesLevel.NETWORK_MEMBERS and provider.kind != OrganisationKind.NETWORK:
        errors["provider"] = "A network-with-members series must be about a provider network."
    if series.level == SeriesLevel.COMMISSIONER_NETWORK and not series.contract_id:
        errors["contract"] = "Choose the contract a commissioner-with-network series is about."
    allowed = allowed_organisation_ids(provider, series.contract if series.contract_id else None)
    strangers = [org.name for org in organisations if org.pk not in allowed]
    if strangers:
        errors["organisations"] = (
            f"{', '.join(strangers)} cannot take part: only {provider.name}, its members and "
            "the contract's commissioner can."
        )
    elif not organisations:
        errors["organisations"] = "Choose at least one participating organisation."
    org_ids = {org.pk for org in organisations}
    people = _people_in(org_ids)
    outsiders = [p.get_full_name() or p.username for p in participants if p.pk not in people]
    if outsiders:
        errors["participants"] = (
            f"{', '.join(outsiders)} must belong to a participating organisation."
        )
    if series.chair_id and series.chair_id not in people and not is_admin(series.chair):
        errors["chair"] = "The chair must belong to a participating organisation."
    # Contract management meetings come from notices; every other series,
    # custom ones too, gets its meetings only from its rule.
    if series.meeting_type != MeetingType.CONTRACT_MANAGEMENT or series.rrule:
        first = dt.datetime.combine(series.starts_on, series.start_time)
        try:
            recurrence.parse(series.rrule, first, series.time_zone)
        except recurrence.RuleError as exc:
            errors["rrule"] = str(exc)
    if series.ends_on and series.starts_on and series.ends_on < series.starts_on:
        errors["ends_on"] = "The end date must be on or after the first meeting's date."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_series(
    *,
    user,
    series: MeetingSeries | None = None,
    organisations,
    participants=(),
    now: dt.datetime | None = None,
    **fields,
) -> MeetingSeries:
    """Create a series (or change one) and generate its meetings ahead. A
    change to the schedule regenerates future meetings only; past meetings,
    with their minutes and actions, are never touched. Whoever changes a
    series must be allowed to manage it as it is and as it would become;
    its contract never changes."""
    creating = series is None
    if not creating:
        permissions.require_series_manager(user, series)
    series = series or MeetingSeries(created_by=user)
    before = {name: getattr(series, name) for name in SCHEDULE_FIELDS + DETAIL_FIELDS}
    contract_before = series.contract_id
    for name, value in fields.items():
        setattr(series, name, value)
    if not creating and series.contract_id != contract_before:
        raise ValidationError(
            {
                "contract": "A series belongs to its contract for its whole life: set up a "
                "new series for another contract."
            }
        )
    if not series.provider_id:
        raise ValidationError({"provider": "Choose the network or provider."})
    _check_contract(series)
    permissions.require_series_manager(user, series)
    organisations, participants = list(organisations), list(participants)
    series.full_clean(exclude=["organisations", "participants"])
    _check_series(series, organisations, participants)
    save_as(series, user)
    series.organisations.set(organisations)
    series.participants.set(participants)
    changed = {n for n, v in before.items() if getattr(series, n) != v}
    if creating or changed:
        generate_meetings(series, now=now)
    return series


def _meeting_fields(series: MeetingSeries, starts_at: dt.datetime) -> dict:
    """`starts_at` is an instant in UTC (recurrence.instant), so the end is
    the real duration later, across a clock change too."""
    return {
        "title": series.title,
        "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(minutes=series.duration_minutes),
        "location": series.location,
    }


def _has_work(meeting: Meeting) -> bool:
    """Something was prepared or recorded for the meeting: its agenda
    (drafted, or items the chair added), attendance, minutes, decisions,
    actions logged at it or escalated to it."""
    return bool(meeting.minutes or meeting.agenda_drafted_at) or any(
        related.exists()
        for related in (
            meeting.agenda_items,
            meeting.attendance,
            meeting.decisions,
            meeting.actions,
            meeting.escalated_actions,
        )
    )


def _update(meeting: Meeting, fields: dict) -> None:
    changed = [name for name, value in fields.items() if getattr(meeting, name) != value]
    if changed:
        for name in changed:
            setattr(meeting, name, fields[name])
        meeting.save(update_fields=changed)


@transaction.atomic
def generate_meetings(series: MeetingSeries, *, now=None, since=None) -> int:
    """Create the series' meetings from `since` (default now) to a year ahead;
    returns how many were created. Idempotent: a meeting exists once per
    recurrence instance. Future meetings the rule still produces take the
    series' current details. A future meeting the rule no longer produces
    is deleted if nothing was done for it yet; if something was (see
    `_has_work`), it moves, with its page, agenda and records, to the
    nearest new time that has no meeting, or is cancelled when there is none."""
    now = now or timezone.now()
    future = {
        m.occurrence: m
        for m in series.meetings.filter(occurrence__isnull=False, starts_at__gte=now)
    }
    wanted = []
    if series.is_active and series.rrule:
        first = dt.datetime.combine(series.starts_on, series.start_time)
        wanted = recurrence.occurrences(
            series.rrule,
            first,
            series.time_zone,
            max(since or now, aware(series.starts_on, series.start_time, series.time_zone)),
            now + GENERATE_AHEAD,
            series.ends_on,
        )
    wanted_set = set(wanted)
    taken = set(series.meetings.filter(occurrence__in=wanted).values_list("occurrence", flat=True))
    free = sorted(wanted_set - taken)
    for occurrence, meeting in sorted(future.items()):
        if occurrence in wanted_set:
            _update(meeting, _meeting_fields(series, occurrence))
        elif not _has_work(meeting):
            meeting.delete()
        elif free:
            # The chair's agenda and anything recorded go with the meeting to
            # its new time, and the email links to it keep working.
            slot = min(free, key=lambda moment: abs(moment - occurrence))
            free.remove(slot)
            _update(
                meeting,
                {"occurrence": slot, "is_cancelled": False, **_meeting_fields(series, slot)},
            )
        else:
            _update(meeting, {"is_cancelled": True})
    existing = set(
        series.meetings.filter(occurrence__in=wanted).values_list("occurrence", flat=True)
    )
    new = [
        Meeting(series=series, occurrence=moment, **_meeting_fields(series, moment))
        for moment in wanted
        if moment not in existing
    ]
    bulk_create_as(Meeting, new, None)
    return len(new)


def generate_all_meetings(*, now=None) -> int:
    """The beat job: every active series, then contract management meetings."""
    created = 0
    for series in MeetingSeries.objects.active().exclude(rrule=""):
        created += generate_meetings(series, now=now)
    return created + create_notice_meetings(now=now)


def contract_management_series(notice: PerformanceNotice) -> MeetingSeries:
    """The contract's series of contract management meetings (made on first
    use), between the commissioner and the network. Their people are named
    as participants, as they are at each notice, since the calendar feed
    lists the meetings a person is named in (not every meeting they can see)."""
    contract = notice.contract
    series = MeetingSeries.objects.filter(
        contract=contract, meeting_type=MeetingType.CONTRACT_MANAGEMENT
    ).first()
    if series is None:
        series = save_as(
            MeetingSeries(
                title=f"Contract management: {contract.reference}",
                level=SeriesLevel.COMMISSIONER_NETWORK,
                meeting_type=MeetingType.CONTRACT_MANAGEMENT,
                provider=contract.provider,
                contract=contract,
                starts_on=notice.raised_on,
                start_time=CONTRACT_MEETING_TIME,
                chair=notice.raised_by,
            ),
            None,
        )
        series.organisations.set([contract.commissioner_id, contract.provider_id])
    series.participants.add(*_people_in({contract.commissioner_id, contract.provider_id}))
    return series


def create_notice_meetings(*, now=None) -> int:
    """A contract management meeting on the due date of every notice awaiting
    one that has none yet, chaired by whoever raised the notice. Idempotent:
    a notice has at most one meeting (a unique key), so a second run, or two
    at once, adds nothing."""
    waiting = PerformanceNotice.objects.filter(
        status=NoticeStatus.RAISED, dialogue_meeting__isnull=True
    ).select_related("contract", "raised_by")
    created = 0
    for notice in waiting:
        series = contract_management_series(notice)
        starts_at = aware(notice.meeting_due, series.start_time, series.time_zone)
        meeting = Meeting(
            series=series,
            notice=notice,
            chair=notice.raised_by,
            **_meeting_fields(series, starts_at),
        )
        meeting.title = f"Contract management meeting: {notice.title}"
        try:
            with transaction.atomic():
                save_as(meeting, None)
        except IntegrityError:  # another run made it first
            continue
        created += 1
    return created
