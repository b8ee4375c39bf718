"""Recalculating a contract's scores on request, from the browser or the
API: the commissioner (or an admin) asks, a Celery task does the work, and
the request records its state so the page can follow it until done.

One open request per contract: asking again while one waits or runs returns
that one rather than queueing another (the rescore itself is also locked per
contract, see outcomes.services.rescore)."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.models import Contract
from contracts.permissions import require_commissioner_of
from core.tasks import publish_on_commit
from outcomes.choices import OPEN_RESCORE_STATUSES, RescoreStatus, RunTrigger
from outcomes.models import RescoreRequest
from outcomes.services.rescore import rescore_contract
from outcomes.signals import scores_committed

logger = logging.getLogger(__name__)


def request_rescore(user, contract) -> RescoreRequest:
    """Queue a recalculation of `contract`'s scores, or return the one already
    waiting or running."""
    require_commissioner_of(user, contract)
    open_request = contract.rescore_requests.filter(status__in=OPEN_RESCORE_STATUSES).first()
    if open_request is not None:
        return open_request
    try:
        with transaction.atomic():
            request = RescoreRequest.objects.create(contract=contract, requested_by=user)
    except IntegrityError:  # someone else asked at the same moment
        return contract.rescore_requests.get(status__in=OPEN_RESCORE_STATUSES)
    from outcomes.tasks import run_rescore_request

    publish_on_commit(run_rescore_request, request.pk)
    return request


def run_request(request_id: int) -> RescoreRequest:
    """Do a queued (or, after a worker was lost, a running) request; a
    finished one is left alone. A failure is recorded on the request."""
    request = RescoreRequest.objects.get(pk=request_id)
    if request.is_finished:
        return request
    RescoreRequest.objects.filter(pk=request.pk).update(
        status=RescoreStatus.RUNNING, started_at=timezone.now()
    )
    try:
        result = rescore_contract(request.contract_id, RunTrigger.MANUAL)
    except Exception as exc:
        logger.exception("Rescore request %s failed", request.pk)
        _finish(request, RescoreStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:1000])
    else:
        _finish(request, RescoreStatus.DONE, months_written=len(result.written))
        scores_committed.send(
            Contract, contract_id=request.contract_id, months=result.written + result.removed
        )
    request.refresh_from_db()
    return request


def _finish(request, status, **fields) -> None:
    RescoreRequest.objects.filter(pk=request.pk).update(
        status=status, finished_at=timezone.now(), **fields
    )
