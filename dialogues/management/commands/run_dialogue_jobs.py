"""Run the dialogue jobs that Celery beat runs (config/beat.py), now and in
order: for a missed run, a machine without beat, or the demo."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dialogues import tasks

JOBS = {
    "generate": tasks.generate_meetings,
    "escalate": tasks.escalate_overdue_actions,
    "agendas": tasks.draft_agendas,
    "reminders": tasks.send_reminders,
}


class Command(BaseCommand):
    help = (
        "Generate meetings, escalate overdue actions, draft the agendas falling due and "
        "send reminders, as the scheduled jobs do. Each job is idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", help=f"which jobs (default: {', '.join(JOBS)})")
        parser.add_argument(
            "--now",
            help="the moment to run as, an ISO datetime (default: now), e.g. 2026-12-07T08:00",
        )

    def handle(self, *args, jobs, now, **options):
        unknown = [name for name in jobs if name not in JOBS]
        if unknown:
            raise CommandError(f"No job {', '.join(unknown)}: choose from {', '.join(JOBS)}.")
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError as error:
                raise CommandError(f"--now: {error}") from error
            if timezone.is_naive(moment):  # UK time, as people write it
                moment = timezone.make_aware(moment)
            now = moment.isoformat()
        for name in jobs or JOBS:
            self.stdout.write(f"{name}: {JOBS[name](now=now)}")
        self.stdout.write(self.style.SUCCESS("Done."))
