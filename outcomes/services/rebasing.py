"""Rebasing an SPC series (docs/scoring.md): the one place the rules live.
A rebase belongs to a contract: its commissioner (and admins) rebase the
contract's chart of an organisation's metric, at a period of the series,
with a reason, so that chart's limits are recalculated from there; another
contract's charts of the same series are untouched. The creator or an
admin withdraws it (simple_history keeps it). outcomes.series reads the
contract's rebases back."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.permissions import require
from outcomes.models import SpcRebase
from outcomes.permissions import can_rebase, can_withdraw_rebase
from outcomes.series import current_measurements


@transaction.atomic
def add_rebase(
    *, user, contract, metric, organisation, period_start: dt.date, reason: str
) -> SpcRebase:
    """Recalculate the limits of `contract`'s chart of the series from
    `period_start` on."""
    require(
        can_rebase(user, contract, metric, organisation),
        "Only the commissioner of an agreed contract holding this metric and organisation, "
        "or an admin, may rebase the contract's SPC limits.",
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for rebasing, e.g. a service change."})
    periods = current_measurements(metric, organisation).order_by("period_start")
    first = periods.values_list("period_start", flat=True).first()
    if not periods.filter(period_start=period_start).exists():
        raise ValidationError(
            {
                "period_start": f"{period_start:%Y-%m-%d} is not a period of the "
                f"{metric.code} series for {organisation.code}: rebase at a period with a "
                "current measurement."
            }
        )
    if period_start == first:
        raise ValidationError(
            {"period_start": "The series already starts here: rebase at a later period."}
        )
    if SpcRebase.objects.filter(
        contract=contract, metric=metric, organisation=organisation, period_start=period_start
    ).exists():
        raise ValidationError(
            {"period_start": f"The series is already rebased from {period_start:%Y-%m-%d}."}
        )
    rebase = SpcRebase(
        contract=contract,
        metric=metric,
        organisation=organisation,
        period_start=period_start,
        reason=reason,
        created_by=user,
    )
    rebase._history_user = user
    try:
        with transaction.atomic():
            rebase.save()
    except IntegrityError as exc:  # a concurrent request rebased the same period
        raise ValidationError(
            {"period_start": f"The series is already rebased from {period_start:%Y-%m-%d}."}
        ) from exc
    return rebase


@transaction.atomic
def withdraw_rebase(*, user, rebase: SpcRebase) -> None:
    """Delete a rebase (its history keeps it): its creator or an admin."""
    require(
        can_withdraw_rebase(user, rebase),
        "Only the person who rebased the series, or an admin, may withdraw it.",
    )
    rebase._history_user = user
    rebase.delete()
