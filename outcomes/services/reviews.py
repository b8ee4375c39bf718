"""The commissioner's decision on an organisation's data for a contract and
period: accept (the period is locked for this contract), query it with a
comment, or unlock an accepted period with a reason. A lock is the
contract's own (outcomes.services.period_locks): a correction that arrives
while another contract holding the metric is open to it is stored, and this
contract keeps scoring the revision it accepted until it unlocks the month,
which takes the correction and rescores the month. Every decision is kept
in PeriodReview's history, attributed to the person who made it."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from contracts.models import Organisation
from contracts.permissions import require_commissioner_of
from core.history import save_as
from core.tasks import publish_on_commit
from outcomes.choices import ReviewStatus
from outcomes.models import PeriodReview
from outcomes.selectors import contract_months, expected_organisations
from outcomes.services import period_locks

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
    if not contract.is_binding:
        raise ValidationError(
            {"contract": f"{contract.reference} is not agreed: its data is not reviewed yet."}
        )
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
        # Queue up with submissions storing the organisation's values
        # (outcomes.services.submissions.store locks the same row), so an
        # acceptance covers exactly the revisions current when it commits.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
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
        save_as(review, user)
        if status == ReviewStatus.UNLOCKED and period_locks.release(review, user):
            from outcomes.tasks import rescore_pending

            publish_on_commit(rescore_pending, contract.pk)
        return review
