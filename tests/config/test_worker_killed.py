"""A worker killed in the middle of a rescore: the task is redelivered (late
acknowledgement, reject on worker lost), completes once, and the previous
scores stay readable throughout.

The rescore is held mid-run by a lock the test takes on the contract's row
(rescore_contract locks it first thing, inside its transaction), so the
worker's child process is killed while the task is certainly in flight."""

import datetime as dt
import os
import signal
import subprocess
import time

import psycopg2
import pytest
from django.db import connection

from outcomes.choices import Channel, RunTrigger
from outcomes.models import MetricScore, PendingRescore, ScoreRun
from outcomes.services import rescore
from outcomes.services.submissions import submit
from outcomes.tasks import rescore_pending

HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"
SEPTEMBER = dt.date(2025, 9, 1)


def wait_for(condition, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def lock_waiters(admin) -> int:
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
            "WHERE NOT l.granted AND a.datname = current_database()"
        )
        return cursor.fetchone()[0]


def pa1_september():
    return MetricScore.objects.current().get(organisation__code="PA1", period_start=SEPTEMBER)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("celery_worker_process", ["prefork"], indirect=True)
def test_a_rescore_survives_its_worker_being_killed(
    request, postgres_url, system, contract, celery_worker_process
):
    def send(line):
        submit(
            user=system.network_manager_a,
            channel=Channel.COMMAND,
            name="data.csv",
            content=(HEADER + line).encode(),
        )

    send("EMADM,PA1,2025-09-01,26,1000,\n")
    rescore.rescore_contract(contract.pk, RunTrigger.MANUAL)
    PendingRescore.objects.all().delete()
    assert pa1_september().score == 5.0
    send("EMADM,PA1,2025-09-01,24,1000,\n")  # marks September for rescoring

    worker = request.node.celery_worker
    admin = psycopg2.connect(**connection.get_connection_params())
    try:
        with admin.cursor() as cursor:  # hold the rescore at its first step
            cursor.execute(
                "SELECT id FROM contracts_contract WHERE id = %s FOR UPDATE", [contract.pk]
            )
        result = rescore_pending.apply_async(args=[contract.pk], queue=celery_worker_process)
        wait_for(lambda: lock_waiters(admin) == 1, "the rescore to wait on the lock")
        children = subprocess.run(
            ["pgrep", "-P", str(worker.process.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) == 1
        os.kill(int(children[0]), signal.SIGKILL)  # the pool process dies mid-task
        wait_for(
            lambda: "WorkerLostError" in worker.log.read_text(), "the worker to notice the loss"
        )
        # Redelivered to the new pool process, which waits on the lock in turn
        # (beside the killed process's server session, which goes with it).
        wait_for(lambda: lock_waiters(admin) >= 1, "the redelivered rescore")
        assert pa1_september().score == 5.0  # the previous scores are readable meanwhile
        admin.rollback()  # release the lock
        assert result.get(timeout=60) == 1  # September written, once
    finally:
        admin.close()
    assert pa1_september().score == 7.5  # 10 x (30 - 24) / 8
    assert ScoreRun.objects.filter(contract=contract, period_start=SEPTEMBER).count() == 1
    assert not PendingRescore.objects.exists()
