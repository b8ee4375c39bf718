"""Celery tasks for outcomes: thin wrappers over outcomes.services.submissions and
outcomes.services.rescore. Once a rescore has committed, the months it wrote are
announced with outcomes.signals.scores_committed (incentives recomputes the
draft settlements of the years holding them).

PostgreSQL holds the work to do (a submission waiting to be processed, a
month marked for rescoring, see outcomes.models.PendingRescore); Celery is
only told about it. If the broker is down when a task is published, the
publish is logged and skipped, the page or API call still succeeds, and the
sweep (every minute, config/beat.py) publishes the work again once the
broker is back."""

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from contracts.models import Contract
from core.tasks import publish, publish_on_commit
from outcomes.choices import RescoreStatus, RunTrigger, SubmissionStatus
from outcomes.models import PendingRescore, RescoreRequest, Submission
from outcomes.services import rescore, rescore_requests, submissions
from outcomes.signals import scores_committed

logger = logging.getLogger(__name__)

# Work older than this is published again by the sweep: long enough for the
# first publish to have been taken up by a worker in the normal case.
SWEEP_AFTER = dt.timedelta(minutes=1)


@shared_task(name="outcomes.process_submission", acks_late=True)
def process_submission(submission_id: int) -> str:
    """Validate and store one submission; finished ones are left alone."""
    submission = Submission.objects.select_related("submitted_by").get(pk=submission_id)
    submissions.process(submission)
    enqueue_rescore_after(submission)
    return submission.status


def enqueue_processing(submission: Submission) -> None:
    publish_on_commit(process_submission, submission.pk)


@shared_task(name="outcomes.rescore_pending", acks_late=True)
def rescore_pending(contract_id: int) -> int:
    """Rescore a contract's months marked by stored submissions; returns how
    many months were written (0 when another run had already done them)."""
    done = rescore.rescore_pending(contract_id)
    if done:
        scores_committed.send(Contract, contract_id=contract_id, months=done.written + done.removed)
    return len(done.written) if done else 0


def enqueue_rescore_after(submission: Submission) -> None:
    """Once a stored submission commits, rescore the months it marked in the
    contracts it touches."""
    if submission.status != SubmissionStatus.STORED or not (submission.added or submission.revised):
        return
    for contract_id in rescore.contracts_for_submission(submission):
        publish_on_commit(rescore_pending, contract_id)


@shared_task(name="outcomes.rescore_contract", acks_late=True)
def rescore_contract(contract_id: int, trigger: str = RunTrigger.NIGHTLY) -> dict:
    """Recompute one contract's scores; returns how many months were written
    and left unchanged. The nightly run rewrites only the months whose
    inputs changed."""
    done = rescore.rescore_contract(
        contract_id, trigger, only_if_changed=trigger == RunTrigger.NIGHTLY
    )
    scores_committed.send(Contract, contract_id=contract_id, months=done.written + done.removed)
    return {"written": len(done.written), "unchanged": len(done.unchanged)}


@shared_task(name="outcomes.rescore_all")
def rescore_all() -> int:
    """The nightly full rescore: every binding contract, one task each."""
    ids = list(Contract.objects.binding().values_list("pk", flat=True))
    for contract_id in ids:
        rescore_contract.delay(contract_id, RunTrigger.NIGHTLY)
    return len(ids)


@shared_task(name="outcomes.sweep")
def sweep() -> dict:
    """Publish again the work PostgreSQL holds that no worker has taken up:
    submissions still waiting, contracts with months marked for rescoring,
    and recalculations asked for. Safe to repeat: each task skips work
    already done."""
    before = timezone.now() - SWEEP_AFTER
    waiting = list(
        Submission.objects.filter(
            status=SubmissionStatus.RECEIVED, created_at__lt=before
        ).values_list("pk", flat=True)
    )
    marked = list(
        PendingRescore.objects.filter(marked_at__lt=before)
        .values_list("contract_id", flat=True)
        .distinct()
    )
    asked = list(
        RescoreRequest.objects.filter(
            status=RescoreStatus.QUEUED, requested_at__lt=before
        ).values_list("pk", flat=True)
    )
    for pk in waiting:
        publish(process_submission, pk)
    for pk in marked:
        publish(rescore_pending, pk)
    for pk in asked:
        publish(run_rescore_request, pk)
    return {"submissions": len(waiting), "contracts": len(marked), "requests": len(asked)}


@shared_task(name="outcomes.run_rescore_request", acks_late=True)
def run_rescore_request(request_id: int) -> str:
    """A recalculation asked for in the browser or the API."""
    return rescore_requests.run_request(request_id).status


def score_accepted_contract(sender, contract, **kwargs) -> None:
    """contracts.signals.contract_accepted: score the newly binding contract
    (sent after the accepting transaction commits). If the broker is down
    the nightly rescore scores it."""
    publish(rescore_contract, contract.pk, RunTrigger.AGREEMENT)
