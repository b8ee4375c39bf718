"""Celery tasks for incentives: thin wrappers over incentives.services."""

import logging

from celery import shared_task
from django.utils import timezone

from incentives import services

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
