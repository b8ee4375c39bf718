"""manage.py import_measurements FILE --user USERNAME [--today YYYY-MM-DD]

Submits a CSV file of measurements as USERNAME through the same service and
validation as the browser and the API (outcomes.services.submissions.submit), at once
rather than in a Celery task. Prints what was stored, or every error as
"row N, column C: message" on stderr and exits non-zero; nothing of a
rejected file is stored."""

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from outcomes.choices import Channel, SubmissionStatus
from outcomes.services import submissions
from outcomes.tasks import enqueue_rescore_after
from outcomes.validation import redact


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--today must be a date in the form YYYY-MM-DD (got '{text}')."
        ) from None


def describe(error: dict) -> str:
    """An error as "row N, column C: message"; file-level errors have neither."""
    place = []
    if error.get("row") is not None:
        place.append(f"row {error['row']}")
    if error.get("column"):
        place.append(f"column {error['column']}")
    return (", ".join(place) + ": " if place else "") + error["message"]


class Command(BaseCommand):
    help = (
        "Import a CSV file of measurements (metric_code, organisation_code, period_start, "
        "numerator, denominator, value) as a user, with the same validation as the web."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="Path to a UTF-8 CSV file.")
        parser.add_argument(
            "--user", required=True, metavar="USERNAME", help="Username of the submitter."
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="Treat this date (YYYY-MM-DD) as today when checking for future periods.",
        )

    def handle(self, *args, file, user, today=None, **options):
        today = iso_date(today) if today else None
        try:
            submitter = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user '{user}'.") from None
        path = Path(file)
        shown = redact(path.name)  # a file's name is repeated only redacted, as on the web
        if not path.is_file():
            raise CommandError(f"There is no file '{redact(file)}'.")
        size = path.stat().st_size
        if size > submissions.max_upload_bytes():
            raise CommandError(submissions.too_big(size))  # as the web says, without reading it
        try:
            submission = submissions.submit(
                user=submitter,
                content=path.read_bytes(),
                name=path.name,
                channel=Channel.COMMAND,
                today=today,
            )
        except PermissionDenied as exc:
            raise CommandError(f"{user}: {exc}") from None

        if submission.status != SubmissionStatus.STORED:
            for error in submission.errors:
                self.stderr.write(describe(error))
            count = len(submission.errors)
            raise CommandError(
                f"Submission {submission.pk} {submission.get_status_display().lower()}: "
                f"{count} error{'s' if count != 1 else ''} in {shown}."
            )
        enqueue_rescore_after(submission)
        self.stdout.write(
            self.style.SUCCESS(
                f"Submission {submission.pk} stored {submission.row_count} row(s) from "
                f"{shown}: {submission.added} added, {submission.revised} revised, "
                f"{submission.unchanged} unchanged."
            )
        )
        for warning in submission.warnings:
            self.stdout.write(
                self.style.WARNING(f"Warning: row {warning['row']}: {warning['message']}")
            )
