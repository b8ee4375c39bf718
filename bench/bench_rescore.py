"""Rescore benchmark: a full rescore of every contract over 100k, 1M and 3M
measurements, next to one SQL GROUP BY over the same table (the floor), the
peak memory of the rescore (in one process, and the time in two, as two
Celery worker processes), and an incremental rescore after one
organisation's monthly submission.

200 providers in 20 networks of 10, one contract per network holding 60
monthly proportion metrics; months = measurements / 12,000 (84 for 1M).
Runs in a scratch database (`concord_bench`, created and dropped here).
Reproduce with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench BENCH_ARGS=rescore

BENCH_SIZES (default 100000,1000000,3000000) chooses the sizes.
"""

import datetime as dt
import io
import multiprocessing
import os
import time
import tracemalloc

from dateutil.relativedelta import relativedelta

COMMAND = "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench BENCH_ARGS=rescore"
SCRATCH_DB = "concord_bench"
NETWORKS, MEMBERS, METRICS = 20, 10, 60
WORKERS = 2  # this machine's cores
LAST_MONTH = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 11, 23)


def _setup(months: int):
    from django.contrib.auth import get_user_model

    from contracts.models import Contract, NetworkMember, Organisation
    from outcomes.models import ContractMetric, Dimension, Metric

    first = LAST_MONTH - relativedelta(months=months - 1)
    commissioner = Organisation.objects.create(code="BCOM", name="Bench ICB", kind="commissioner")
    dimensions = [
        Dimension.objects.create(name=f"Dimension {d}", description="bench") for d in range(5)
    ]
    metrics = Metric.objects.bulk_create(
        Metric(
            code=f"BM{m:02d}",
            name=f"Bench metric {m}",
            description="bench",
            dimension=dimensions[m % 5],
            metric_type="proportion",
            factor=100,
            direction="higher",
            frequency="monthly",
            data_source="bench",
        )
        for m in range(METRICS)
    )
    providers = []
    for n in range(NETWORKS):
        network = Organisation.objects.create(
            code=f"BN{n:02d}", name=f"Network {n}", kind="network"
        )
        members = Organisation.objects.bulk_create(
            Organisation(code=f"BP{n:02d}{m}", name=f"Provider {n}-{m}", kind="provider")
            for m in range(MEMBERS)
        )
        NetworkMember.objects.bulk_create(
            NetworkMember(network=network, provider=p) for p in members
        )
        providers.extend(members)
        contract = Contract.objects.create(
            reference=f"BENCH-{n:02d}",
            title="Bench",
            commissioner=commissioner,
            provider=network,
            service="bench",
            start_date=first,
            end_date=LAST_MONTH + relativedelta(years=1),  # every month loaded is scored
            payment_model="capitated_outcomes",
        )
        ContractMetric.objects.bulk_create(
            ContractMetric(
                contract=contract,
                metric=metric,
                effective_from=first,
                minimum_threshold=60,
                target=90,
                baseline=65,
                weight=1,
            )
            for metric in metrics
        )
    user = get_user_model().objects.create(username="bench", is_staff=True, is_superuser=True)
    return user, providers, metrics, first


def _load(providers, metrics, first, months: int, user) -> float:
    """COPY the measurements straight into the table; returns seconds."""
    from django.db import connection

    from outcomes.models import Submission

    submission = Submission.objects.create(
        submitted_by=user, channel="command", sha256="0" * 64, status="stored"
    )
    buffer = io.StringIO()
    for p_index, provider in enumerate(providers):
        for m_index, metric in enumerate(metrics):
            for month in range(months):
                period = first + relativedelta(months=month)
                den = 200 + (p_index * 7 + month) % 50
                num = min(den, int(den * (0.55 + ((p_index + m_index * 3 + month) % 40) / 100)))
                buffer.write(
                    f"{metric.pk}\t{provider.pk}\t{period}\t{num}\t{den}\t"
                    f"{100 * num / den:.8f}\t1\tt\t{submission.pk}\n"
                )
    buffer.seek(0)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            "COPY outcomes_measurement (metric_id, organisation_id, period_start, numerator,"
            " denominator, value, revision, is_current, submission_id) FROM STDIN",
            buffer,
        )
        cursor.execute("ANALYZE outcomes_measurement")
    return time.perf_counter() - start


def _group_by_floor() -> float:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT metric_id, organisation_id, date_trunc('year', period_start),"
            " sum(numerator), sum(denominator), avg(value) FROM outcomes_measurement"
            " WHERE is_current GROUP BY 1, 2, 3"
        )
        cursor.fetchall()
    return time.perf_counter() - start


def _rescore_each(ids) -> None:
    from outcomes.services.rescore import rescore_contract

    for pk in ids:
        rescore_contract(pk, "manual", today=TODAY)


def _full_rescore() -> tuple[float, float, float]:
    """Seconds for a rescore of every contract in one process, then in two
    processes (as two Celery worker processes take the nightly run's tasks),
    then (in a separate pass, since tracing slows Python down) the peak
    traced memory in MiB of one process."""
    from django.db import connection

    from contracts.models import Contract

    ids = list(Contract.objects.values_list("pk", flat=True))
    start = time.perf_counter()
    _rescore_each(ids)
    one = time.perf_counter() - start
    connection.close()  # each forked process opens its own connection
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        start = time.perf_counter()
        pool.map(_rescore_each, [ids[i::WORKERS] for i in range(WORKERS)])
        parallel = time.perf_counter() - start
    tracemalloc.start()
    _rescore_each(ids)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return one, parallel, peak / 2**20


def _incremental(user, provider, metrics) -> tuple[float, float]:
    """One organisation's monthly return (60 rows), then its contract's rescore."""
    from outcomes.services.rescore import (
        affected_months,
        contracts_for_submission,
        rescore_contract,
    )
    from outcomes.services.submissions import submit

    month = LAST_MONTH + relativedelta(months=1)
    lines = [f"{m.code},{provider.code},{month},150,220," for m in metrics]
    content = (
        "metric_code,organisation_code,period_start,numerator,denominator,value\n"
        + "\n".join(lines)
        + "\n"
    ).encode()
    start = time.perf_counter()
    submission = submit(
        user=user, content=content, name="month.csv", channel="command", today=TODAY
    )
    submitted = time.perf_counter() - start
    start = time.perf_counter()
    months = affected_months(submission)
    for pk in contracts_for_submission(submission):
        rescore_contract(pk, "submission", today=TODAY, months=months)
    return submitted, time.perf_counter() - start


def run():
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "100000,1000000,3000000").split(",")]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = SCRATCH_DB
    print(f"scratch database {SCRATCH_DB} (created for each size, dropped at the end)")
    rows = []
    for size in sizes:
        months = max(1, size // (NETWORKS * MEMBERS * METRICS))
        created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        try:
            user, providers, metrics, first = _setup(months)
            load = _load(providers, metrics, first, months, user)
            floor = _group_by_floor()
            full, parallel, peak = _full_rescore()
            submitted, incremental = _incremental(user, providers[0], metrics)
        finally:
            teardown_databases(created, verbosity=0)
        measurements = NETWORKS * MEMBERS * METRICS * months
        rows.append(
            (measurements, months, load, floor, full, parallel, peak, submitted, incremental)
        )
        print(
            f"{measurements:>9,} measurements ({months} months): COPY load {load:.1f} s; "
            f"GROUP BY floor {floor:.2f} s; full rescore {full:.1f} s in one process "
            f"({full / floor:.0f}x the floor), {parallel:.1f} s in {WORKERS}, "
            f"peak {peak:.0f} MiB; one organisation's "
            f"month: submit {submitted:.2f} s + rescore {incremental:.2f} s"
        )
    print(f"\nreproduce: {COMMAND}")
    return rows
