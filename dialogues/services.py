"""Writes for performance dialogues, each checking who may make it
(dialogues.permissions) and the input, and saving nothing when a check fails: meeting series and the
meetings generated from them, contract management meetings from notices,
attendance, minutes, decisions, and the action log with its escalation.

`raise_action` is the entry point for other parts of Concord (incentive
support plans) that need an action tracked in a network's dialogues."""

import datetime as dt
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import NoticeStatus, OrganisationKind
from contracts.models import Contract, Membership, Organisation, PerformanceNotice
from core.history import bulk_create_as, save_as
from core.roles import is_admin
from dialogues import permissions, recurrence
from dialogues.choices import (
    ESCALATES_TO,
    LIVE_ACTION_STATUSES,
    UNPLACED_ESCALATES_TO,
    ActionStatus,
    AgendaSource,
    Attendance,
    MeetingType,
    SeriesLevel,
)
from dialogues.models import (
    Action,
    ActionEvidence,
    ActionMilestone,
    AgendaItem,
    AttendanceRecord,
    Decision,
    Meeting,
    MeetingSeries,
)
from outcomes.models import ContractMetric

# Meetings are generated this far ahead, so a year of dialogues is in the diary.
GENERATE_AHEAD = dt.timedelta(days=366)
CONTRACT_MEETING_TIME = dt.time(10, 0)
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    ".pdf": "PDF",
    ".docx": "Word",
    ".xlsx": "Excel",
    ".pptx": "PowerPoint",
    ".csv": "CSV",
    ".txt": "text",
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
}


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def aware(day: dt.date, time: dt.time, zone: str) -> dt.datetime:
    return recurrence.instant(dt.datetime.combine(day, time), ZoneInfo(zone))


def participating_org_ids(series: MeetingSeries) -> set[int]:
    return set(series.organisations.values_list("pk", flat=True))


def has_started(meeting: Meeting) -> bool:
    """Whether the meeting has begun: only then can anyone be recorded
    present or absent, or minutes and decisions be recorded."""
    return meeting.starts_at <= timezone.now()


# --- Meeting series and generation -------------------------------------------


def allowed_organisation_ids(provider: Organisation, contract: Contract | None) -> set[int]:
    """Who may take part: the network (or provider), its members, and the
    commissioner of the contract concerned."""
    allowed = {provider.pk}
    allowed |= set(provider.member_links.values_list("provider_id", flat=True))
    if contract is not None:
        allowed.add(contract.commissioner_id)
    return allowed


def _people_in(org_ids: set[int]) -> set[int]:
    return set(
        Membership.objects.filter(
            organisation_id__in=org_ids, role__in=PRIVATE_DATA_ROLES
        ).values_list("user_id", flat=True)
    )


SCHEDULE_FIELDS = ("rrule", "starts_on", "start_time", "ends_on", "is_active")
DETAIL_FIELDS = ("title", "duration_minutes", "location")


def _check_series(series: MeetingSeries, organisations, participants) -> None:
    errors = {}
    provider = series.provider
    if series.level == SeriesLevel.NETWORK_MEMBERS and provider.kind != OrganisationKind.NETWORK:
        errors["provider"] = "A network-with-members series must be about a provider network."
    if series.contract_id and series.contract.provider_id != provider.pk:
        errors["contract"] = f"This contract is not held by {provider.name}."
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
    with their minutes and actions, are never touched."""
    creating = series is None
    series = series or MeetingSeries(created_by=user)
    before = {name: getattr(series, name) for name in SCHEDULE_FIELDS + DETAIL_FIELDS}
    for name, value in fields.items():
        setattr(series, name, value)
    if not series.provider_id:
        raise ValidationError({"provider": "Choose the network or provider."})
    permissions.require_series_manager(user, series.provider)
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


# --- Attendance, minutes, decisions -------------------------------------------


def person_organisation(person, org_ids: set[int]) -> int | None:
    """The participating organisation a person belongs to (their first)."""
    return (
        Membership.objects.filter(
            user=person, organisation_id__in=org_ids, role__in=PRIVATE_DATA_ROLES
        )
        .order_by("organisation__name")
        .values_list("organisation_id", flat=True)
        .first()
    )


@transaction.atomic
def record_attendance(*, user, meeting: Meeting, entries) -> list[AttendanceRecord]:
    """Record who was present, sent apologies or was absent: `entries` is a
    list of (person, status). Recording a person again corrects it."""
    permissions.require_attendance_recorder(user, meeting)
    org_ids = participating_org_ids(meeting.series)
    started = has_started(meeting)
    records, errors = [], []
    for person, status in entries:
        if status not in Attendance.values:
            errors.append(f"{person.username}: '{status}' is not an attendance status.")
            continue
        if status != Attendance.APOLOGIES and not started:
            errors.append(
                f"{person.get_full_name() or person.username}: the meeting has not started, "
                "so only apologies can be recorded yet."
            )
            continue
        organisation_id = person_organisation(person, org_ids)
        named = meeting.series.participants.filter(pk=person.pk).exists()
        if organisation_id is None and not named and person.pk != meeting.chair_id_effective:
            errors.append(
                f"{person.get_full_name() or person.username} is not in any organisation "
                "taking part in this meeting."
            )
            continue
        record = AttendanceRecord.objects.filter(meeting=meeting, person=person).first()
        record = record or AttendanceRecord(meeting=meeting, person=person)
        if record.pk and record.status == status:
            records.append(record)
            continue
        record.status, record.organisation_id = status, organisation_id
        records.append(save_as(record, user))
    if errors:
        raise ValidationError({"attendance": errors})
    return records


def require_started(meeting, what: str, field: str) -> None:
    if not has_started(meeting):
        held_on = local_date(meeting.starts_at)
        raise ValidationError(
            {field: f"The meeting has not started: {what} from {held_on:%-d %B %Y}."}
        )


@transaction.atomic
def save_minutes(*, user, meeting: Meeting, minutes: str) -> Meeting:
    permissions.require_recorder(user, meeting, "edit the minutes")
    require_started(meeting, "the minutes can be recorded", "minutes")
    meeting.minutes = (minutes or "").strip()
    return save_as(meeting, user)


@transaction.atomic
def add_decision(*, user, meeting: Meeting, text: str) -> Decision:
    permissions.require_recorder(user, meeting, "record the decisions")
    require_started(meeting, "decisions can be recorded", "text")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Enter the decision."})
    return save_as(Decision(meeting=meeting, text=text, recorded_by=user), user)


# --- The action log -------------------------------------------------------------


def _owner_organisation(owner, owner_organisation, org_ids: set[int], where: str):
    """Check the owner belongs to a participating organisation; when no
    organisation is given, use theirs."""
    if owner is None:
        raise ValidationError({"owner": "Choose who owns the action."})
    name = owner.get_full_name() or owner.username
    if owner_organisation is not None:
        if owner_organisation.pk not in org_ids:
            raise ValidationError(
                {"owner_organisation": f"{owner_organisation.name} is not taking part in {where}."}
            )
        if person_organisation(owner, {owner_organisation.pk}) is None:
            raise ValidationError(
                {"owner": f"{name} does not belong to {owner_organisation.name}."}
            )
        return owner_organisation.pk
    organisation_id = person_organisation(owner, org_ids)
    if organisation_id is None:
        raise ValidationError(
            {"owner": f"{name} is not in any organisation taking part in {where}."}
        )
    return organisation_id


def linkable_organisation_ids(provider: Organisation) -> set[int]:
    """What an action can be about: the network, its members and the
    commissioners of its contracts."""
    return allowed_organisation_ids(provider, None) | set(
        provider.contracts_held.values_list("commissioner_id", flat=True)
    )


def action_contracts(provider: Organisation, meeting: Meeting | None):
    """The contracts an action concerns: that of the series of the meeting
    that raised it, or (no meeting, or a series about no one contract) every
    contract the network holds."""
    if meeting is not None and meeting.series.contract_id:
        return Contract.objects.filter(pk=meeting.series.contract_id)
    return provider.contracts_held.all()


def linkable_metric_ids(provider: Organisation, meeting: Meeting | None) -> set[int]:
    """What metric an action can be about: one in the terms of its contracts."""
    contracts = action_contracts(provider, meeting)
    return set(
        ContractMetric.objects.filter(contract__in=contracts).values_list("metric_id", flat=True)
    )


def _check_links(
    provider: Organisation, meeting: Meeting | None, metric, organisation, notice
) -> None:
    """An action can be about the metrics of its contracts and the network's
    own organisations and notices only."""
    errors = {}
    if metric is not None and metric.pk not in linkable_metric_ids(provider, meeting):
        references = list(action_contracts(provider, meeting).values_list("reference", flat=True))
        contracts = (
            f"{'contract' if len(references) == 1 else 'contracts'} {', '.join(references)}"
            if references
            else f"any contract {provider.name} holds"
        )
        errors["metric"] = f"{metric.code} is not a metric of {contracts}."
    if organisation is not None and organisation.pk not in linkable_organisation_ids(provider):
        errors["organisation"] = f"{organisation.name} is not part of {provider.name}'s dialogues."
    if notice is not None and notice.contract.provider_id != provider.pk:
        errors["notice"] = f"That notice is not on a contract held by {provider.name}."
    if errors:
        raise ValidationError(errors)


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Enter what needs to be done."})
    return title


def owner_organisation_ids(provider: Organisation, meeting: Meeting | None) -> set[int]:
    """Whom an action's owner can act for: the participating organisations of
    the meeting that raised it, or for an action raised outside a meeting the
    network and its members."""
    if meeting is None:
        return allowed_organisation_ids(provider, None)
    return participating_org_ids(meeting.series)


def _checked_action_fields(
    provider: Organisation,
    meeting: Meeting | None,
    raised_on: dt.date,
    *,
    title: str,
    detail: str,
    owner,
    owner_organisation: Organisation | None,
    due_on: dt.date,
    metric,
    organisation: Organisation | None,
    notice: PerformanceNotice | None,
) -> dict:
    """The rules an action keeps when it is logged and whenever it is edited:
    a title, a due date not before the meeting that raised it (or the day it
    was raised), an owner for one of `owner_organisation_ids` (theirs when no
    organisation is given), links within the network and its contracts.
    Returns the fields to save, with `owner_organisation_id`."""
    title = _title(title)
    if due_on is None:
        raise ValidationError({"due_on": "Enter the due date."})
    if due_on < raised_on:
        when = "the day the action was raised" if meeting is None else "the meeting"
        raise ValidationError(
            {"due_on": f"The due date cannot be before {when} ({raised_on:%-d %B %Y})."}
        )
    where = provider.name if meeting is None else "this meeting"
    org_ids = owner_organisation_ids(provider, meeting)
    owner_organisation_id = _owner_organisation(owner, owner_organisation, org_ids, where)
    _check_links(provider, meeting, metric, organisation, notice)
    return {
        "title": title,
        "detail": (detail or "").strip(),
        "owner": owner,
        "owner_organisation_id": owner_organisation_id,
        "due_on": due_on,
        "metric": metric,
        "organisation": organisation,
        "notice": notice,
    }


@transaction.atomic
def log_action(
    *,
    user,
    meeting: Meeting,
    title: str,
    owner,
    due_on: dt.date,
    owner_organisation: Organisation | None = None,
    detail: str = "",
    metric=None,
    organisation: Organisation | None = None,
    notice: PerformanceNotice | None = None,
) -> Action:
    """Log an action at a meeting. The owner must belong to one of the
    meeting's participating organisations; it cannot fall due before the
    meeting."""
    permissions.require_contributor(user, meeting)
    provider = meeting.series.provider
    fields = _checked_action_fields(
        provider,
        meeting,
        local_date(meeting.starts_at),
        title=title,
        detail=detail,
        owner=owner,
        owner_organisation=owner_organisation,
        due_on=due_on,
        metric=metric,
        organisation=organisation,
        notice=notice or meeting.notice,
    )
    action = Action(provider=provider, meeting=meeting, created_by=user, **fields)
    _set_history_reason(action, f"Logged at {meeting}")
    return save_as(action, user)


@transaction.atomic
def raise_action(
    *,
    network: Organisation,
    title: str,
    owner,
    due_on: dt.date,
    owner_organisation: Organisation | None = None,
    detail: str = "",
    metric=None,
    organisation: Organisation | None = None,
    notice: PerformanceNotice | None = None,
    raised_by=None,
) -> Action:
    """Raise an action in `network`'s dialogues from elsewhere in Concord,
    e.g. an incentive scheme's support plan for an under-performing network.

    - network: the provider network (or sole provider) it belongs to;
    - owner: the person responsible; owner_organisation: theirs, which must be
      the network or one of its members (found from the owner when omitted);
    - due_on: not in the past; metric/organisation/notice: optional links;
    - raised_by: the person acting, or None when Concord acts on its own.

    Returns the saved Action (status open). It appears in the action log and
    API, gets reminders, and when overdue escalates to the network's next
    monthly meeting. Raises ValidationError naming the field on bad input."""
    fields = _checked_action_fields(
        network,
        None,
        timezone.localdate(),
        title=title,
        detail=detail,
        owner=owner,
        owner_organisation=owner_organisation,
        due_on=due_on,
        metric=metric,
        organisation=organisation,
        notice=notice,
    )
    action = Action(provider=network, created_by=raised_by, **fields)
    action._change_reason = "Raised by Concord" if raised_by is None else "Raised"
    return save_as(action, raised_by)


def raised_on(action: Action) -> dt.date:
    """The day of the meeting that raised the action, or the day it was raised
    outside a meeting: nothing about it can fall due before."""
    return local_date(action.meeting.starts_at if action.meeting_id else action.created_at)


# What edit_action can change, and how its history names each.
EDITABLE_ACTION_FIELDS = {
    "title": "title",
    "detail": "detail",
    "owner": "owner",
    "owner_organisation": "owner's organisation",
    "due_on": "due date",
    "metric": "metric",
    "organisation": "organisation it is about",
    "notice": "notice",
}


@transaction.atomic
def edit_action(*, user, action: Action, **changes) -> Action:
    """Change what an open or in-progress action is: any of
    EDITABLE_ACTION_FIELDS, under the rules it was logged with. A new owner
    given without an organisation acts for theirs. A done or dropped action
    must be reopened first. The history names the fields changed; a change
    to nothing saves and records nothing."""
    permissions.require_action_editor(user, action)
    if not action.is_live:
        raise ValidationError(
            {
                "status": f"The action is {action.get_status_display().lower()}: "
                "reopen it to edit it."
            }
        )
    current = {name: getattr(action, name) for name in EDITABLE_ACTION_FIELDS}
    if "owner_organisation" not in changes and changes.get("owner", action.owner) != action.owner:
        current["owner_organisation"] = None  # a new owner acts for theirs
    fields = _checked_action_fields(
        action.provider, action.meeting, raised_on(action), **{**current, **changes}
    )
    changed = [name for name, value in fields.items() if getattr(action, name) != value]
    if not changed:
        return action
    for name in changed:
        setattr(action, name, fields[name])
    labels = [EDITABLE_ACTION_FIELDS[name.removesuffix("_id")] for name in changed]
    _set_history_reason(action, f"Edited: {', '.join(labels)}")
    return save_as(action, user)


@transaction.atomic
def set_action_status(
    *, user, action: Action, status: str, reason: str = "", on: dt.date | None = None
) -> Action:
    """Move an action to a new status. Dropping, and reopening a closed
    action, need a reason; every change is kept in the action's history."""
    permissions.require_action_editor(user, action)
    if status not in ActionStatus.values:
        raise ValidationError({"status": f"'{status}' is not an action status."})
    if status == action.status:
        raise ValidationError({"status": f"The action is already {action.get_status_display()}."})
    reason = (reason or "").strip()
    reopening = action.status not in LIVE_ACTION_STATUSES
    if (status == ActionStatus.DROPPED or reopening) and not reason:
        what = "dropping the action" if status == ActionStatus.DROPPED else "reopening it"
        raise ValidationError({"reason": f"Give the reason for {what}."})
    action.status = status
    action.status_reason = reason
    action.completed_on = (on or timezone.localdate()) if status == ActionStatus.DONE else None
    _set_history_reason(action, reason or f"Marked {ActionStatus(status).label.lower()}")
    return save_as(action, user)


# django-simple-history keeps a change's reason in 100 characters.
REASON_LENGTH = 100


def _set_history_reason(action: Action, reason: str) -> None:
    """The reason the action's next history row gives, cut to what the
    history keeps (a longer one fails to save on PostgreSQL). A status
    reason is kept whole in `status_reason`, which the history records."""
    if len(reason) > REASON_LENGTH:
        reason = reason[: REASON_LENGTH - 1] + "…"
    action._change_reason = reason


def _record_on_action(action: Action, user, reason: str) -> None:
    """Milestones and evidence are rows of their own: a history row on the
    action (no field changed, the reason saying what happened) puts them in
    the action's history with its other changes."""
    _set_history_reason(action, reason)
    save_as(action, user)


@transaction.atomic
def add_milestone(*, user, action: Action, description: str, due_on: dt.date) -> ActionMilestone:
    permissions.require_action_editor(user, action)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Describe the milestone."})
    if due_on is None:
        raise ValidationError({"due_on": "Enter the milestone's date."})
    earliest = raised_on(action)
    if due_on < earliest:
        when = (
            "the day the action was raised"
            if action.meeting_id is None
            else "the meeting that raised the action"
        )
        raise ValidationError(
            {"due_on": f"The milestone's date cannot be before {when} ({earliest:%-d %B %Y})."}
        )
    milestone = save_as(
        ActionMilestone(action=action, description=description, due_on=due_on), user
    )
    _record_on_action(action, user, f"Milestone for {due_on:%-d %B %Y} added: {description}")
    return milestone


@transaction.atomic
def complete_milestone(*, user, milestone: ActionMilestone, on: dt.date | None = None):
    permissions.require_action_editor(user, milestone.action)
    if milestone.completed_on:
        raise ValidationError({"milestone": "This milestone is already complete."})
    milestone.completed_on = on or timezone.localdate()
    save_as(milestone, user)
    _record_on_action(
        milestone.action,
        user,
        f"Milestone done {milestone.completed_on:%-d %B %Y}: {milestone.description}",
    )
    return milestone


# What an accepted file's contents start with, by its name's ending. Office
# files are ZIP packages holding their own folder; text and CSV are UTF-8.
ZIP_MAGIC = b"PK\x03\x04"
EVIDENCE_MAGIC = {
    ".pdf": b"%PDF-",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".docx": ZIP_MAGIC,
    ".xlsx": ZIP_MAGIC,
    ".pptx": ZIP_MAGIC,
}
OFFICE_FOLDER = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
TEXT_TYPES = {".csv", ".txt"}


def _contents_match(upload, suffix: str) -> bool:
    """Whether the file's bytes are of the type its name says (a program
    renamed evil.pdf is not a PDF)."""
    upload.seek(0)
    try:
        if suffix in TEXT_TYPES:
            data = upload.read()
            if b"\x00" in data:
                return False
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return False
            return True
        if upload.read(len(EVIDENCE_MAGIC[suffix])) != EVIDENCE_MAGIC[suffix]:
            return False
        if suffix in OFFICE_FOLDER:
            upload.seek(0)
            try:
                with zipfile.ZipFile(upload) as package:
                    names = package.namelist()
            except zipfile.BadZipFile:
                return False
            folder = OFFICE_FOLDER[suffix]
            return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
        return True
    finally:
        upload.seek(0)


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "AEIOU" else f"a {kind}"


def check_evidence_file(upload) -> None:
    """Evidence files: common document and image types, 10 MB at most, whose
    contents are of the type their name says."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        kinds = ", ".join(sorted(set(EVIDENCE_TYPES.values())))
        raise ValidationError({"file": f"{upload.name} is not an accepted type ({kinds})."})
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                "file": f"{upload.name} is {upload.size / 1024 / 1024:.1f} MB: "
                f"files can be {EVIDENCE_MAX_BYTES // 1024 // 1024} MB at most."
            }
        )
    if not _contents_match(upload, suffix):
        kind = EVIDENCE_TYPES[suffix]
        if suffix in TEXT_TYPES:
            what = "plain text" if kind == "text" else _a(kind)
            why = "its contents are not UTF-8 text (it holds binary data)"
        else:
            what, why = _a(kind), "its contents are those of another kind of file"
        raise ValidationError({"file": f"The file {upload.name} is not {what}: {why}."})


@transaction.atomic
def add_evidence(*, user, action: Action, note: str = "", upload=None) -> ActionEvidence:
    permissions.require_action_editor(user, action)
    note = (note or "").strip()
    if not note and upload is None:
        raise ValidationError({"note": "Write a note or attach a file."})
    evidence = ActionEvidence(action=action, note=note, added_by=user)
    if upload is not None:
        check_evidence_file(upload)
        evidence.file = upload
        evidence.file_name = upload.name[:200]
        evidence.file_size = upload.size
    save_as(evidence, user)
    added = []
    if note:
        added.append("a note")
    if upload is not None:
        added.append(f"file {evidence.file_name}")
    _record_on_action(action, user, f"Evidence added: {' and '.join(added)}")
    return evidence


# --- Escalation -------------------------------------------------------------------


def next_meeting_of(provider_id: int, meeting_type: str, now: dt.datetime) -> Meeting | None:
    return (
        Meeting.objects.filter(
            series__provider_id=provider_id,
            series__meeting_type=meeting_type,
            series__is_active=True,
            is_cancelled=False,
            starts_at__gt=now,
        )
        .order_by("starts_at", "pk")
        .first()
    )


def escalation_target(action: Action, now: dt.datetime) -> Meeting | None:
    """The next meeting up from where the action was last discussed, or None
    when it is still waiting for that meeting or is at the top already."""
    current = action.escalated_to or action.meeting
    if current is None:
        next_type = UNPLACED_ESCALATES_TO
    elif action.escalated_to is not None and current.starts_at > now:
        return None  # the forum it was escalated to has not met yet
    else:
        next_type = ESCALATES_TO.get(current.series.meeting_type)
    if next_type is None:
        return None
    return next_meeting_of(action.provider_id, next_type, now)


def escalate_overdue_actions(*, now=None) -> int:
    """Put each overdue action on the agenda of the next meeting up (weekly ->
    monthly -> quarterly). Idempotent: an action waits at the meeting it was
    escalated to until that meeting has been held, so a second run the same
    day moves nothing. Returns how many actions moved."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    moved = 0
    overdue = Action.objects.overdue(today).select_related(
        "meeting__series", "escalated_to__series"
    )
    for action in overdue:
        target = escalation_target(action, now)
        if target is None:
            continue
        with transaction.atomic():
            # Claim the row: a concurrent run that moved it first wins.
            claimed = Action.objects.filter(
                pk=action.pk, escalated_to=action.escalated_to_id
            ).update(escalated_to=target)
            if not claimed:
                continue
            action.escalated_to = target
            _set_history_reason(
                action, f"Overdue since {action.due_on:%-d %B %Y}: escalated to {target}"
            )
            save_as(action, None)
            if target.agenda_drafted_at:
                _add_escalated_item(target, action)
        moved += 1
    return moved


def _add_escalated_item(meeting: Meeting, action: Action) -> None:
    if meeting.agenda_items.filter(action=action).exists():
        return
    position = meeting.agenda_items.count() + 1
    save_as(
        AgendaItem(
            meeting=meeting,
            position=position,
            title=f"Escalated: {action.title}",
            detail=f"Owner {action.owner.get_full_name() or action.owner.username}, "
            f"due {action.due_on:%-d %B %Y}.",
            source=AgendaSource.ESCALATED_ACTION,
            action=action,
            organisation_id=action.owner_organisation_id,
        ),
        None,
    )
