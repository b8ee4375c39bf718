"""Celery tasks for outcomes: thin wrappers over outcomes.submissions."""

from celery import shared_task
from django.db import transaction

from outcomes import submissions
from outcomes.models import Submission


@shared_task(name="outcomes.process_submission", acks_late=True)
def process_submission(submission_id: int) -> str:
    """Validate and store one submission; finished ones are left alone."""
    submission = Submission.objects.select_related("submitted_by").get(pk=submission_id)
    return submissions.process(submission).status


def enqueue_processing(submission: Submission) -> None:
    """Process after the transaction that received the file commits, so the
    worker finds the row (eager mode runs it then, in this process)."""
    transaction.on_commit(lambda: process_submission.delay(submission.pk))
