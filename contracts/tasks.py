"""Celery tasks for contracts: thin wrappers over contracts.notices."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from contracts import notices


@shared_task(name="contracts.retain_overdue_withholdings")
def retain_overdue_withholdings(today: str | None = None) -> int:
    """Retain withheld payments left unremedied past the contract's limit.
    `today` (ISO date) is for re-running a missed day; by default, today."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return notices.retain_all_overdue_withholdings(day)
