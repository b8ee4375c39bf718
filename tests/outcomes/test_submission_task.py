"""Submissions are processed by a Celery task enqueued on commit, eagerly in
tests and through a real worker against Redis."""

import pytest
from django.db import transaction

from outcomes.choices import Channel, SubmissionStatus
from outcomes.services.submissions import receive
from outcomes.tasks import enqueue_processing
from tests.factories import MetricFactory

CSV = (
    b"metric_code,organisation_code,period_start,numerator,denominator,value\n"
    b"EMADM,PA1,2025-09-01,3,1500,\n"
)


def test_processing_waits_for_the_commit(system, django_capture_on_commit_callbacks):
    MetricFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submission = receive(user=system.provider_a, content=CSV, name="a.csv", channel=Channel.WEB)
        enqueue_processing(submission)
        submission.refresh_from_db()
        assert submission.status == SubmissionStatus.RECEIVED
    assert len(callbacks) == 1
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.STORED


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_stores_a_submission(system, celery_worker_process):
    from outcomes.tasks import process_submission

    MetricFactory()
    with transaction.atomic():
        submission = receive(user=system.provider_a, content=CSV, name="a.csv", channel=Channel.API)
    result = process_submission.apply_async(args=[submission.pk], queue=celery_worker_process)
    assert result.get(timeout=60) == SubmissionStatus.STORED
    submission.refresh_from_db()
    assert submission.added == 1
