"""Redis down: pages and submissions keep working, and no scoring work is
lost. The work is kept in PostgreSQL (a submission waiting, months marked
for rescoring) and done by the sweep once the broker is back.

The fault is injected where the app meets the broker: publishing a task
raises kombu's OperationalError, as it does when Redis refuses connections."""

import datetime as dt

import pytest
from celery.app.task import Task
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from outcomes import tasks
from outcomes.choices import Channel, RescoreStatus, SubmissionStatus
from outcomes.models import MetricScore, PendingRescore, RescoreRequest, Submission
from outcomes.services import rescore_requests
from outcomes.services.submissions import submit

HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"
SEPTEMBER = dt.date(2025, 9, 1)


@pytest.fixture
def broker_down(monkeypatch):
    """Every publish fails until `broker_down.restore()`."""
    real = Task.apply_async

    def refused(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refused)

    class Switch:
        @staticmethod
        def restore():
            monkeypatch.setattr(Task, "apply_async", real)

    return Switch


def age(queryset, field):
    """Make queued work look older than the sweep's grace period."""
    queryset.update(**{field: timezone.now() - tasks.SWEEP_AFTER - dt.timedelta(seconds=1)})


def scores_for(contract):
    return MetricScore.objects.current().filter(run__contract=contract)


def test_an_upload_is_kept_while_the_broker_is_down_and_done_when_it_returns(
    client, system, contract, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(system.provider_a)
    upload = SimpleUploadedFile(
        "sep.csv", (HEADER + "EMADM,PA1,2025-09-01,26,1000,\n").encode(), "text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outcomes:submission-create"), {"file": upload})
    assert response.status_code == 302  # the person is not shown an error
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.RECEIVED
    assert client.get(response.url).status_code == 200  # pages keep working

    age(Submission.objects.all(), "created_at")
    assert tasks.sweep.apply().get() == {"submissions": 1, "contracts": 0, "requests": 0}
    assert Submission.objects.get().status == SubmissionStatus.RECEIVED  # still down

    broker_down.restore()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep.apply()
    assert Submission.objects.get().status == SubmissionStatus.STORED
    assert scores_for(contract).get(organisation__code="PA1", period_start=SEPTEMBER).score == 5


def test_months_marked_in_the_storing_transaction_survive_a_lost_publish(
    system, contract, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(
            user=system.network_manager_a,
            channel=Channel.COMMAND,
            name="sep.csv",
            content=(HEADER + "EMADM,PA1,2025-09-01,26,1000,\n").encode(),
        )
        tasks.enqueue_rescore_after(submission)  # the publish fails: logged, not raised
    assert submission.status == SubmissionStatus.STORED
    assert list(PendingRescore.objects.values_list("contract_id", "period_start")) == [
        (contract.pk, SEPTEMBER)
    ]
    assert not scores_for(contract).exists()

    broker_down.restore()
    age(PendingRescore.objects.all(), "marked_at")
    assert tasks.sweep.apply().get()["contracts"] == 1
    assert not PendingRescore.objects.exists()
    assert scores_for(contract).get(organisation__code="PA1", period_start=SEPTEMBER).score == 5


def test_a_recalculation_asked_for_while_the_broker_is_down_runs_later(
    system, contract, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = rescore_requests.request_rescore(system.commissioner, contract)
    assert RescoreRequest.objects.get().status == RescoreStatus.QUEUED
    broker_down.restore()
    age(RescoreRequest.objects.all(), "requested_at")
    tasks.sweep.apply()
    request.refresh_from_db()
    assert request.status == RescoreStatus.DONE


def test_a_mark_renewed_during_a_rescore_is_kept_for_the_next(system, contract, monkeypatch):
    from outcomes.services import rescore

    submit(
        user=system.network_manager_a,
        channel=Channel.COMMAND,
        name="sep.csv",
        content=(HEADER + "EMADM,PA1,2025-09-01,26,1000,\n").encode(),
    )
    real = rescore.rescore_contract

    def a_newer_submission_arrives(*args, **kwargs):
        result = real(*args, **kwargs)
        PendingRescore.objects.update(marked_at=timezone.now() + dt.timedelta(seconds=1))
        return result

    monkeypatch.setattr(rescore, "rescore_contract", a_newer_submission_arrives)
    assert rescore.rescore_pending(contract.pk).written == [SEPTEMBER]
    assert PendingRescore.objects.count() == 1  # renewed: done by the next run
    monkeypatch.setattr(rescore, "rescore_contract", real)
    rescore.rescore_pending(contract.pk)
    assert not PendingRescore.objects.exists()
    assert rescore.rescore_pending(contract.pk) is None
