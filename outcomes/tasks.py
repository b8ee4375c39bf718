"""Celery tasks for outcomes: thin wrappers over outcomes.submissions and
outcomes.rescore."""

import datetime as dt

from celery import shared_task
from django.db import transaction

from contracts.models import Contract
from outcomes import rescore, rescore_requests, submissions
from outcomes.choices import RunTrigger, SubmissionStatus
from outcomes.models import Submission


@shared_task(name="outcomes.process_submission", acks_late=True)
def process_submission(submission_id: int) -> str:
    """Validate and store one submission; finished ones are left alone."""
    submission = Submission.objects.select_related("submitted_by").get(pk=submission_id)
    submissions.process(submission)
    enqueue_rescore_after(submission)
    return submission.status


def enqueue_processing(submission: Submission) -> None:
    """Process after the transaction that received the file commits, so the
    worker finds the row (eager mode runs it then, in this process)."""
    transaction.on_commit(lambda: process_submission.delay(submission.pk))


@shared_task(name="outcomes.rescore_contract", acks_late=True)
def rescore_contract(
    contract_id: int, trigger: str = RunTrigger.SUBMISSION, months: list[str] | None = None
) -> dict:
    """Recompute one contract's scores (only `months`, ISO dates, when given);
    returns how many months were written and left unchanged. The nightly run
    rewrites only the months whose inputs changed."""
    done = rescore.rescore_contract(
        contract_id,
        trigger,
        only_if_changed=trigger == RunTrigger.NIGHTLY,
        months=[dt.date.fromisoformat(m) for m in months] if months else None,
    )
    return {"written": len(done.written), "unchanged": len(done.unchanged)}


@shared_task(name="outcomes.rescore_all")
def rescore_all() -> int:
    """The nightly full rescore: every contract, one task each."""
    ids = list(Contract.objects.values_list("pk", flat=True))
    for contract_id in ids:
        rescore_contract.delay(contract_id, RunTrigger.NIGHTLY)
    return len(ids)


def enqueue_rescore_after(submission: Submission) -> None:
    """Once a stored submission commits, rescore the months it wrote in the
    contracts it touches."""
    if submission.status != SubmissionStatus.STORED or not (submission.added or submission.revised):
        return
    months = [m.isoformat() for m in rescore.affected_months(submission)]
    for contract_id in rescore.contracts_for_submission(submission):
        transaction.on_commit(
            lambda pk=contract_id: rescore_contract.delay(pk, RunTrigger.SUBMISSION, months)
        )


@shared_task(name="outcomes.run_rescore_request", acks_late=True)
def run_rescore_request(request_id: int) -> str:
    """A recalculation asked for in the browser or the API."""
    return rescore_requests.run_request(request_id).status
