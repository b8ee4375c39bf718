"""Celery tasks for dialogues: thin wrappers over dialogues.services. Each is
idempotent, so a retried or doubled run changes nothing more. `now` (an ISO
datetime) is for re-running a missed run; by default, now."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from dialogues import agenda, reminders
from dialogues.services import escalation, meetings


def _moment(now: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat(now) if now else timezone.now()


@shared_task(name="dialogues.generate_meetings")
def generate_meetings(now: str | None = None) -> int:
    """Meetings a year ahead from every active series, and a contract
    management meeting for each notice awaiting one."""
    return meetings.generate_all_meetings(now=_moment(now))


@shared_task(name="dialogues.escalate_overdue_actions")
def escalate_overdue_actions(now: str | None = None) -> int:
    return escalation.escalate_overdue_actions(now=_moment(now))


@shared_task(name="dialogues.draft_agendas")
def draft_agendas(now: str | None = None) -> int:
    """Draft each agenda falling due (once per meeting), then tell the chairs;
    returns how many were drafted."""
    moment = _moment(now)
    drafted = agenda.draft_due_agendas(now=moment)
    reminders.agenda_reminders(moment)
    return len(drafted)


@shared_task(name="dialogues.send_reminders")
def send_reminders(now: str | None = None) -> dict:
    """Owners, chairs and submitters; nothing is sent twice."""
    return reminders.send_reminders(now=_moment(now))
