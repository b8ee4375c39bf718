"""Escalation: each overdue action is put on the agenda of the next meeting
up (weekly -> monthly -> quarterly), once per meeting it waits at."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.history import save_as
from dialogues.choices import ESCALATES_TO, UNPLACED_ESCALATES_TO, AgendaSource
from dialogues.models import Action, AgendaItem, Meeting
from dialogues.services.actions import set_history_reason


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
            set_history_reason(
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
