"""The action log: logging an action at a meeting, raising one from
elsewhere in Concord (`raise_action`, the entry point for incentive support
plans that need an action tracked in a network's dialogues), editing it under
the rules it was logged with, moving its status, and its milestones. Every
change is kept in the action's history, with a reason (`set_history_reason`,
`record_on_action`, also used by evidence and escalation)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.models import Contract, Organisation, PerformanceNotice
from core.history import save_as
from core.inputs import one_line
from dialogues import permissions
from dialogues.choices import LIVE_ACTION_STATUSES, ActionStatus
from dialogues.models import Action, ActionMilestone, Meeting
from dialogues.services.common import (
    allowed_organisation_ids,
    local_date,
    participating_org_ids,
    person_organisation,
)
from outcomes.models import ContractMetric


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
        provider.contracts_held.binding().values_list("commissioner_id", flat=True)
    )


def action_contracts(provider: Organisation, meeting: Meeting | None):
    """The contracts an action concerns: that of the series of the meeting
    that raised it, or (no meeting, or a series about no one contract) every
    contract the network holds."""
    if meeting is not None and meeting.series.contract_id:
        return Contract.objects.filter(pk=meeting.series.contract_id)
    return provider.contracts_held.binding()


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
    """One line: a line break in a title would break its reminder emails'
    subject (and reads as nothing on a page)."""
    title = one_line(title or "")
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
    set_history_reason(action, f"Logged at {meeting}")
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


def check_not_before_raised(action: Action, day: dt.date, field: str, what: str) -> None:
    """Nothing about an action (a milestone, the day it was done) is dated
    before it was raised: 0001-01-01 is a slip, refused naming `field`."""
    earliest = raised_on(action)
    if day < earliest:
        when = (
            "the day the action was raised"
            if action.meeting_id is None
            else "the meeting that raised the action"
        )
        raise ValidationError({field: f"{what} cannot be before {when} ({earliest:%-d %B %Y})."})


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
    set_history_reason(action, f"Edited: {', '.join(labels)}")
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
    done_on = (on or timezone.localdate()) if status == ActionStatus.DONE else None
    if done_on is not None:
        check_not_before_raised(action, done_on, "on", "The day it was done")
    action.status = status
    action.status_reason = reason
    action.completed_on = done_on
    set_history_reason(action, reason or f"Marked {ActionStatus(status).label.lower()}")
    return save_as(action, user)


# django-simple-history keeps a change's reason in 100 characters.
REASON_LENGTH = 100


def set_history_reason(action: Action, reason: str) -> None:
    """The reason the action's next history row gives, cut to what the
    history keeps (a longer one fails to save on PostgreSQL). A status
    reason is kept whole in `status_reason`, which the history records."""
    if len(reason) > REASON_LENGTH:
        reason = reason[: REASON_LENGTH - 1] + "…"
    action._change_reason = reason


def record_on_action(action: Action, user, reason: str) -> None:
    """Milestones and evidence are rows of their own: a history row on the
    action (no field changed, the reason saying what happened) puts them in
    the action's history with its other changes."""
    set_history_reason(action, reason)
    save_as(action, user)


@transaction.atomic
def add_milestone(*, user, action: Action, description: str, due_on: dt.date) -> ActionMilestone:
    permissions.require_action_editor(user, action)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Describe the milestone."})
    if due_on is None:
        raise ValidationError({"due_on": "Enter the milestone's date."})
    check_not_before_raised(action, due_on, "due_on", "The milestone's date")
    milestone = save_as(
        ActionMilestone(action=action, description=description, due_on=due_on), user
    )
    record_on_action(action, user, f"Milestone for {due_on:%-d %B %Y} added: {description}")
    return milestone


@transaction.atomic
def complete_milestone(*, user, milestone: ActionMilestone, on: dt.date | None = None):
    permissions.require_action_editor(user, milestone.action)
    if milestone.completed_on:
        raise ValidationError({"milestone": "This milestone is already complete."})
    done_on = on or timezone.localdate()
    check_not_before_raised(milestone.action, done_on, "on", "The day it was done")
    milestone.completed_on = done_on
    save_as(milestone, user)
    record_on_action(
        milestone.action,
        user,
        f"Milestone done {milestone.completed_on:%-d %B %Y}: {milestone.description}",
    )
    return milestone
