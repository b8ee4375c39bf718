"""The contract-management process (docs/contracts.md): every state change
of a Contract Performance Notice goes through one function here, which checks
the transition, the person's right to make it (contracts.permissions) and the
inputs, then records a dated, authored, reasoned step. Nothing is saved when a check fails."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.calendar import add_operational_days
from contracts.choices import (
    MeetingOutcome,
    NoticeStatus,
    NoticeStep,
    WithholdingStatus,
)
from contracts.models import (
    Contract,
    NoticeEvent,
    Organisation,
    PerformanceNotice,
    RemedialMilestone,
    Withholding,
)
from contracts.permissions import NOTICE_PARTIES_ONLY, acting_party, require_notice_step
from core.history import bulk_create_as, save_as, update_as
from core.permissions import require

PENNY = Decimal("0.01")

# Which steps each status allows. Anything else is out of order.
ALLOWED_STEPS = {
    NoticeStatus.RAISED: {NoticeStep.MEETING_HELD, NoticeStep.WITHDRAWN},
    NoticeStatus.INVESTIGATING: {NoticeStep.INVESTIGATION_CONCLUDED, NoticeStep.WITHDRAWN},
    NoticeStatus.PLAN_DUE: {NoticeStep.PLAN_AGREED, NoticeStep.WITHDRAWN},
    NoticeStatus.PLAN_AGREED: {
        NoticeStep.MILESTONE_COMPLETED,
        NoticeStep.EXCEPTION_RAISED,
        NoticeStep.REMEDIED,
    },
    NoticeStatus.EXCEPTION: {
        NoticeStep.MILESTONE_COMPLETED,
        NoticeStep.WITHHELD,
        NoticeStep.RETAINED,
        NoticeStep.ESCALATED,
        NoticeStep.REMEDIED,
    },
    NoticeStatus.REMEDIED: set(),
    NoticeStatus.WITHDRAWN: set(),
}

MEETING_OUTCOME_STATUS = {
    MeetingOutcome.WITHDRAWN: NoticeStatus.WITHDRAWN,
    MeetingOutcome.JOINT_INVESTIGATION: NoticeStatus.INVESTIGATING,
    MeetingOutcome.REMEDIAL_PLAN: NoticeStatus.PLAN_DUE,
}


def require_actor(user, notice, step: NoticeStep) -> Organisation:
    """The party `user` acts for, if they may take `step` on `notice`
    (contracts.permissions.NOTICE_STEP_TAKERS); else PermissionDenied. The API
    asks before reading the request body, so that someone who may not act is
    refused (403), not told what to fix (400)."""
    return require_notice_step(user, notice, step)


def _require_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Give a reason for this step."})
    return reason.strip()


def _check_allowed(notice, step) -> None:
    if step not in ALLOWED_STEPS[NoticeStatus(notice.status)]:
        raise ValidationError(
            {
                "step": f"{NoticeStep(step).label} is not possible while the notice is "
                f"'{notice.get_status_display()}'."
            }
        )


def _step(notice, step, user, on, reason, *, status=None, **changes) -> NoticeEvent:
    """Check `step` is allowed now, apply the changes, and record the event."""
    reason = _require_reason(reason)
    _check_allowed(notice, step)
    if on < notice.raised_on:
        raise ValidationError({"on": "A step cannot be dated before the notice was raised."})
    if status:
        notice.status = status
    for field, value in changes.items():
        setattr(notice, field, value)
    notice.full_clean()
    save_as(notice, user)
    return NoticeEvent.objects.create(
        notice=notice,
        step=step,
        on=on,
        author=user,
        reason=_require_reason(reason),
        status_after=notice.status,
    )


def _locked(notice: PerformanceNotice) -> PerformanceNotice:
    """Re-read the notice under a row lock so concurrent steps queue up."""
    return PerformanceNotice.objects.select_for_update().get(pk=notice.pk)


@transaction.atomic
def raise_notice(
    *,
    user,
    contract: Contract,
    title: str,
    concern: str,
    raised_on: dt.date,
    metrics=(),
    obligations: str = "",
) -> PerformanceNotice:
    """Either party raises a notice against the other; the meeting falls due
    `contract.meeting_due_days` operational days later."""
    party = acting_party(user, contract)
    require(party is not None, NOTICE_PARTIES_ONLY)
    if not contract.is_binding:
        raise ValidationError(
            {"contract": "Notices are raised on contracts in force: this one is not agreed."}
        )
    metrics = list(metrics)
    if not metrics and not obligations.strip():
        raise ValidationError({"metrics": "Name the metrics or obligations concerned."})
    attached = set(contract.metric_versions.values_list("metric_id", flat=True))
    strangers = [m.code for m in metrics if m.pk not in attached]
    if strangers:
        raise ValidationError(
            {"metrics": f"Not metrics of this contract: {', '.join(sorted(strangers))}."}
        )
    if raised_on > timezone.localdate():
        raise ValidationError({"raised_on": "A notice cannot be raised in the future."})
    notice = PerformanceNotice(
        contract=contract,
        raised_by_organisation=party,
        raised_by=user,
        raised_on=raised_on,
        title=title,
        concern=concern,
        obligations=obligations,
        meeting_due=add_operational_days(raised_on, contract.meeting_due_days),
    )
    notice.full_clean()
    save_as(notice, user)
    notice.metrics.set(metrics)
    NoticeEvent.objects.create(
        notice=notice,
        step=NoticeStep.RAISED,
        on=raised_on,
        author=user,
        reason=_require_reason(concern),
        status_after=notice.status,
    )
    return notice


@transaction.atomic
def record_meeting(*, user, notice, held_on: dt.date, outcome: str, reason: str):
    """Record the contract management meeting and what it decided."""
    require_actor(user, notice, NoticeStep.MEETING_HELD)
    notice = _locked(notice)
    outcome = MeetingOutcome(outcome)
    status = MEETING_OUTCOME_STATUS[outcome]
    changes = {"meeting_held_on": held_on, "meeting_outcome": outcome}
    if status == NoticeStatus.PLAN_DUE:
        changes["plan_due"] = add_operational_days(held_on, notice.contract.plan_due_days)
    if status == NoticeStatus.WITHDRAWN:
        changes["closed_on"] = held_on
    _step(notice, NoticeStep.MEETING_HELD, user, held_on, reason, status=status, **changes)
    return notice


@transaction.atomic
def conclude_investigation(*, user, notice, on: dt.date, plan_needed: bool, reason: str):
    """A joint investigation ends with a remedial plan or the notice withdrawn."""
    require_actor(user, notice, NoticeStep.INVESTIGATION_CONCLUDED)
    notice = _locked(notice)
    if plan_needed:
        _step(
            notice,
            NoticeStep.INVESTIGATION_CONCLUDED,
            user,
            on,
            reason,
            status=NoticeStatus.PLAN_DUE,
            plan_due=add_operational_days(on, notice.contract.plan_due_days),
        )
    else:
        _step(
            notice,
            NoticeStep.INVESTIGATION_CONCLUDED,
            user,
            on,
            reason,
            status=NoticeStatus.WITHDRAWN,
            closed_on=on,
        )
    return notice


@transaction.atomic
def agree_plan(*, user, notice, agreed_on: dt.date, milestones: list[dict], reason: str):
    """Agree the remedial action plan: milestones with owners and dates."""
    require_actor(user, notice, NoticeStep.PLAN_AGREED)
    notice = _locked(notice)
    if not milestones:
        raise ValidationError(
            {"milestones": "A remedial action plan needs at least one milestone."}
        )
    parties = {notice.contract.commissioner_id, notice.contract.provider_id}
    errors = {}
    rows = []
    for number, spec in enumerate(milestones, start=1):
        milestone = RemedialMilestone(notice=notice, **spec)
        if milestone.owner_organisation_id not in parties:
            errors[f"milestones[{number}].owner_organisation"] = (
                "The owner must belong to one of the parties to the contract."
            )
        if milestone.due_on and milestone.due_on < agreed_on:
            errors[f"milestones[{number}].due_on"] = "A milestone cannot be due before the plan."
        try:
            milestone.full_clean(exclude=["notice"])
        except ValidationError as exc:
            errors.update({f"milestones[{number}].{k}": v for k, v in exc.message_dict.items()})
        rows.append(milestone)
    if errors:
        raise ValidationError(errors)
    _step(notice, NoticeStep.PLAN_AGREED, user, agreed_on, reason, status=NoticeStatus.PLAN_AGREED)
    bulk_create_as(RemedialMilestone, rows, user)
    return notice


@transaction.atomic
def complete_milestone(*, user, milestone: RemedialMilestone, completed_on: dt.date, reason: str):
    require_actor(user, milestone.notice, NoticeStep.MILESTONE_COMPLETED)
    _require_reason(reason)
    notice = _locked(milestone.notice)
    if milestone.completed_on:
        raise ValidationError({"milestone": "This milestone is already complete."})
    _step(notice, NoticeStep.MILESTONE_COMPLETED, user, completed_on, f"{milestone}: {reason}")
    milestone.completed_on = completed_on
    save_as(milestone, user)
    return milestone


@transaction.atomic
def raise_exception(*, user, notice, on: dt.date, reason: str):
    """A missed milestone raises an Exception Notice."""
    require_actor(user, notice, NoticeStep.EXCEPTION_RAISED)
    notice = _locked(notice)
    if not any(m.is_missed(on) for m in notice.milestones.all()):
        raise ValidationError(
            {"step": "An exception notice needs a milestone that has been missed."}
        )
    _step(notice, NoticeStep.EXCEPTION_RAISED, user, on, reason, status=NoticeStatus.EXCEPTION)
    return notice


def withholding_amount(contract: Contract, month: dt.date, percent: Decimal) -> Decimal:
    """`percent` of the monthly contract value of the year containing `month`."""
    year = contract.years.filter(start_date__lte=month, end_date__gte=month).first()
    if year is None:
        raise ValidationError({"month": "The month is outside the contract's years."})
    return (year.contract_value / 12 * percent / 100).quantize(PENNY, ROUND_HALF_UP)


@transaction.atomic
def withhold(
    *, user, notice, on: dt.date, month: dt.date, percent: Decimal, reason: str
) -> Withholding:
    """The commissioner withholds up to the contract's cap of the monthly value
    for a month while the exception stands unremedied."""
    require_actor(user, notice, NoticeStep.WITHHELD)
    _require_reason(reason)
    notice = _locked(notice)
    contract = notice.contract
    month = month.replace(day=1)
    percent = Decimal(percent)
    if percent <= 0:
        raise ValidationError({"percent": "Withhold a positive percentage."})
    if percent > contract.withholding_percent:
        raise ValidationError(
            {
                "percent": f"At most {contract.withholding_percent}% of the monthly contract "
                "value may be withheld."
            }
        )
    if notice.withholdings.filter(month=month).exists():
        raise ValidationError({"month": f"A payment is already withheld for {month:%B %Y}."})
    amount = withholding_amount(contract, month, percent)
    _step(notice, NoticeStep.WITHHELD, user, on, f"£{amount} for {month:%B %Y}: {reason}")
    return save_as(Withholding(notice=notice, month=month, percent=percent, amount=amount), user)


@transaction.atomic
def retain_overdue_withholdings(*, notice, today: dt.date, user=None) -> int:
    """Withheld sums unremedied for `retain_after_months` are retained for good.
    `user` None means Concord's daily job; a person must be the commissioner.
    Idempotent: a second run on the same day finds nothing left to retain."""
    if user is not None:
        require_actor(user, notice, NoticeStep.RETAINED)
    notice = _locked(notice)
    _check_allowed(notice, NoticeStep.RETAINED)
    cutoff = today - relativedelta(months=notice.contract.retain_after_months)
    due = notice.withholdings.filter(status=WithholdingStatus.WITHHELD, month__lte=cutoff)
    total = sum((w.amount for w in due), Decimal(0))
    count = len(due)
    if count:
        _step(
            notice,
            NoticeStep.RETAINED,
            user,
            today,
            f"£{total} over {count} month(s) retained: unremedied for "
            f"{notice.contract.retain_after_months} months.",
        )
        update_as(due, user, status=WithholdingStatus.RETAINED, settled_on=today)
    return count


def retain_all_overdue_withholdings(today: dt.date) -> int:
    """The daily job: retain what is due on every notice in exception, each
    notice in its own transaction so one failure does not undo the others."""
    candidates = PerformanceNotice.objects.filter(
        status=NoticeStatus.EXCEPTION, withholdings__status=WithholdingStatus.WITHHELD
    ).distinct()
    return sum(retain_overdue_withholdings(notice=notice, today=today) for notice in candidates)


@transaction.atomic
def escalate(*, user, notice, on: dt.date, reason: str):
    """Flag the notice for escalation towards termination."""
    require_actor(user, notice, NoticeStep.ESCALATED)
    notice = _locked(notice)
    if notice.escalated:
        raise ValidationError({"step": "The notice is already escalated."})
    _step(notice, NoticeStep.ESCALATED, user, on, reason, escalated=True)
    return notice


@transaction.atomic
def mark_remedied(*, user, notice, on: dt.date, reason: str):
    """The breach is remedied: close the notice and repay what is still withheld."""
    require_actor(user, notice, NoticeStep.REMEDIED)
    notice = _locked(notice)
    _step(notice, NoticeStep.REMEDIED, user, on, reason, status=NoticeStatus.REMEDIED, closed_on=on)
    update_as(
        notice.withholdings.filter(status=WithholdingStatus.WITHHELD),
        user,
        status=WithholdingStatus.REPAID,
        settled_on=on,
    )
    return notice


@transaction.atomic
def withdraw(*, user, notice, on: dt.date, reason: str):
    """The party that raised the notice withdraws it."""
    require_actor(user, notice, NoticeStep.WITHDRAWN)
    notice = _locked(notice)
    _step(
        notice, NoticeStep.WITHDRAWN, user, on, reason, status=NoticeStatus.WITHDRAWN, closed_on=on
    )
    return notice
