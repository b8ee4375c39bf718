"""Two submissions for the same organisation and period at the same moment
(on PostgreSQL, two connections): both end up as ordered revisions, nothing
lost or mixed, whether the period already had a value or not."""

import threading
import time

import pytest
from django.db import connection

from outcomes.choices import Channel, SubmissionStatus
from outcomes.models import Measurement
from outcomes.services.submissions import submit

HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"


def advisory_locks_held() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        return cursor.fetchone()[0]


def submit_together(user, contents: list[str]) -> list:
    """Submit each content from its own thread and connection, released at
    the same instant."""
    start = threading.Barrier(len(contents))
    results = [None] * len(contents)

    def run(index, content):
        try:
            start.wait()
            results[index] = submit(
                user=user,
                channel=Channel.API,
                name=f"{index}.csv",
                content=(HEADER + content).encode(),
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(contents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("existing", [False, True], ids=["new period", "revised period"])
def test_both_become_ordered_revisions(postgres_url, system, contract, existing):
    if existing:
        submit(
            user=system.provider_a,
            channel=Channel.API,
            name="first.csv",
            content=(HEADER + "EMADM,PA1,2025-09-01,20,1000,\n").encode(),
        )
    first, second = submit_together(
        system.provider_a,
        ["EMADM,PA1,2025-09-01,26,1000,\n", "EMADM,PA1,2025-09-01,31,1000,\n"],
    )
    assert (first.status, second.status) == (SubmissionStatus.STORED, SubmissionStatus.STORED)
    revisions = list(
        Measurement.objects.filter(organisation__code="PA1")
        .order_by("revision")
        .values_list("revision", "numerator", "is_current", "submission_id")
    )
    offset = 1 if existing else 0
    assert [revision for revision, *_ in revisions] == list(range(1, 3 + offset))
    assert [current for *_, current, _ in revisions] == [False] * (1 + offset) + [True]
    # The two new revisions are one from each submission, in the order stored.
    assert {submission for *_, submission in revisions[offset:]} == {first.pk, second.pk}
    later = max((first, second), key=lambda s: s.finished_at)
    assert revisions[-1][3] == later.pk


@pytest.mark.django_db(transaction=True)
def test_a_submission_being_processed_elsewhere_is_left_alone(postgres_url, system, contract):
    """A task published twice (the sweep republishing while a busy worker
    starts it): while one worker holds the submission, another leaves it."""
    import psycopg2

    from outcomes.locks import SUBMISSION_PROCESSING
    from outcomes.services.submissions import process, receive

    submission = receive(
        user=system.provider_a,
        channel=Channel.API,
        name="sep.csv",
        content=(HEADER + "EMADM,PA1,2025-09-01,26,1000,\n").encode(),
    )
    other_worker = psycopg2.connect(**connection.get_connection_params())
    try:
        with other_worker.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_lock(%s, %s)", [SUBMISSION_PROCESSING, submission.pk]
            )
        assert process(submission).status == SubmissionStatus.RECEIVED
        assert not Measurement.objects.exists()
    finally:
        other_worker.close()  # as if that worker died: the lock goes with it
    deadline = time.monotonic() + 30  # the server ends that session a moment later
    while advisory_locks_held() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert process(submission).status == SubmissionStatus.STORED
    assert process(submission).added == 1  # finished: left as it is
    assert Measurement.objects.count() == 1
