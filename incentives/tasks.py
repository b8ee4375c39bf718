"""Celery tasks for incentives: thin wrappers over incentives.services.

`recompute_drafts_after_rescore` answers outcomes.signals.scores_committed
(connected in IncentivesConfig.ready): once a rescore has committed, it
enqueues a recompute of each draft settlement whose year holds one of the
months written (see docs/incentives.md)."""

import logging

from celery import shared_task
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.tasks import publish_on_commit
from incentives import services
from incentives.choices import SettlementStatus
from incentives.models import Settlement

logger = logging.getLogger(__name__)


@shared_task(name="incentives.run_settlements")
def run_settlements(year: int | None = None) -> dict[str, int]:
    """Settle the contract years that ended in `year` (by default this
    calendar year and the last, so a year ending in March is settled in the
    following months however late its last costs arrive). Idempotent: signed
    off years are left alone, unchanged drafts stay as they are. Returns how
    many contract years had each outcome."""
    today = timezone.localdate()
    years = [year] if year else [today.year - 1, today.year]
    counts: dict[str, int] = {}
    for calendar_year in years:
        for contract_year, outcome in services.run_settlements(calendar_year, today=today):
            key = "skipped" if outcome.startswith("skipped") else outcome
            if key == "skipped":
                logger.warning("Settlement of %s %s", contract_year, outcome)
            counts[key] = counts.get(key, 0) + 1
    return counts


@shared_task(name="incentives.recompute_draft", acks_late=True)
def recompute_draft(settlement_id: int) -> str:
    """Recompute a draft settlement from the current scores and costs, as a
    scheduled run does. A signed-off settlement is never touched (the
    service refuses it under the year's lock, so a sign-off in between wins).
    Returns "recomputed", "unchanged", "signed off", "gone" or why it was
    skipped."""
    settlement = Settlement.objects.select_related("contract_year").filter(pk=settlement_id).first()
    if settlement is None:
        return "gone"
    if settlement.is_signed_off:
        return "signed off"
    try:
        after = services.compute_settlement(contract_year=settlement.contract_year)
    except ValidationError as exc:
        if Settlement.objects.filter(pk=settlement_id, status=SettlementStatus.SIGNED_OFF).exists():
            return "signed off"
        outcome = "skipped: " + " ".join(exc.messages)
        logger.warning("Recompute of %s %s", settlement, outcome)
        return outcome
    return "unchanged" if after.inputs_digest == settlement.inputs_digest else "recomputed"


def recompute_drafts_after_rescore(contract_id: int, months, **signal) -> list[int]:
    """After a rescore of `contract_id` committed the scores of `months`
    (first days), enqueue on commit a recompute of every draft settlement of
    the contract whose year holds one of those months. Returns the ids."""
    months = sorted(months)
    if not months:
        return []
    drafts = Settlement.objects.filter(
        contract_id=contract_id,
        status=SettlementStatus.DRAFT,
        contract_year__start_date__lt=months[-1] + relativedelta(months=1),
        contract_year__end_date__gte=months[0],
    ).values_list("pk", "contract_year__start_date", "contract_year__end_date")
    ids = [
        pk
        for pk, start, end in drafts
        if any(month <= end and month + relativedelta(months=1) > start for month in months)
    ]
    for pk in ids:
        publish_on_commit(recompute_draft, pk)
    return ids
