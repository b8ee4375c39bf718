"""The commissioner's decision on an organisation's data for a contract and
period: accept (the period is locked against resubmission), query it with a
comment, or unlock an accepted period with a reason. Every decision is kept
in PeriodReview's history, attributed to the person who made it."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from contracts.permissions import require_commissioner_of
from core.history import save_as
from outcomes.choices import ReviewStatus
from outcomes.models import PeriodReview
from outcomes.selectors import contract_months, expected_organisations

DECISIONS = {
    "accept": ReviewStatus.ACCEPTED,
    "query": ReviewStatus.QUERIED,
    "unlock": ReviewStatus.UNLOCKED,
}


def review_period(
    user, contract, organisation, period_start: dt.date, decision: str, comment: str = ""
) -> PeriodReview:
    """Record `decision` ("accept", "query" or "unlock") on `organisation`'s
    data for `contract` and the month starting `period_start`."""
    require_commissioner_of(user, contract)
    status = DECISIONS.get(decision)
    if status is None:
        raise ValidationError({"decision": "Choose accept, query or unlock."})
    comment = (comment or "").strip()
    if status == ReviewStatus.QUERIED and not comment:
        raise ValidationError({"comment": "Enter a comment saying what needs to be looked at."})
    if status == ReviewStatus.UNLOCKED and not comment:
        raise ValidationError({"comment": "Enter the reason for unlocking the period."})
    providers, commissioner = expected_organisations(contract)
    if organisation.pk not in {org.pk for org in [*providers, commissioner]}:
        raise ValidationError(
            {"organisation": f"{organisation.name} does not submit data for this contract."}
        )
    if period_start not in contract_months(contract):
        raise ValidationError({"period_start": "Choose a month of the contract that has started."})
    with transaction.atomic():
        review = (
            PeriodReview.objects.select_for_update()
            .filter(contract=contract, organisation=organisation, period_start=period_start)
            .first()
        )
        current = review.status if review else None
        if status == ReviewStatus.UNLOCKED and current != ReviewStatus.ACCEPTED:
            raise ValidationError(
                {"decision": "Only an accepted period can be unlocked; this one is not locked."}
            )
        if status == ReviewStatus.ACCEPTED and current == ReviewStatus.ACCEPTED:
            raise ValidationError({"decision": "This period is already accepted."})
        if status == ReviewStatus.QUERIED and current == ReviewStatus.ACCEPTED:
            raise ValidationError(
                {"decision": "This period is accepted and locked: unlock it first."}
            )
        if review is None:
            review = PeriodReview(
                contract=contract, organisation=organisation, period_start=period_start
            )
        review.status = status
        review.comment = comment
        review.reviewed_by = user
        return save_as(review, user)
