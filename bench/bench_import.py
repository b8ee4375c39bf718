"""Import benchmark: 100,000 valid rows through outcomes.services.submissions.submit
(validate + store) against PostgreSQL's own COPY of the same rows.

Runs in a scratch database (`concord_bench`, created with Django's test
database machinery and dropped afterwards), so the developer's data is never
touched. Reproduce with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench BENCH_ARGS=import

BENCH_ROWS (default 100000) and BENCH_REPEAT (default 3) change the size and
the number of timed runs; BENCH_PROFILE=1 prints a cProfile of one import.
"""

import datetime as dt
import io
import multiprocessing
import os
import resource
import statistics
import time
import tracemalloc

ORGANISATIONS = 200
COMMAND = "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench BENCH_ARGS=import"
SCRATCH_DB = "concord_bench"
TODAY = dt.date(2026, 11, 23)
HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"


def make_csv(rows: int) -> bytes:
    """`rows` valid proportion rows: ORGANISATIONS organisations x consecutive months."""
    per_org = -(-rows // ORGANISATIONS)
    months = []
    year, month = TODAY.year, TODAY.month
    for _ in range(per_org):
        months.append(f"{year:04d}-{month:02d}-01")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    lines = [
        f"BENCH,BX{n:03d},{period},{(n * 7 + i) % 97},{97 + n % 13},"
        for n in range(ORGANISATIONS)
        for i, period in enumerate(months)
    ][:rows]
    return (HEADER + "\n".join(lines) + "\n").encode()


def _setup():
    from django.contrib.auth import get_user_model

    from contracts.models import Organisation
    from outcomes.choices import Direction, Frequency, MetricType
    from outcomes.models import Dimension, Metric

    Organisation.objects.bulk_create(
        Organisation(code=f"BX{n:03d}", name=f"Bench provider {n}", kind="provider")
        for n in range(ORGANISATIONS)
    )
    dimension = Dimension.objects.create(name="Bench", description="Benchmark")
    Metric.objects.create(
        code="BENCH",
        name="Bench proportion",
        description="Benchmark metric",
        dimension=dimension,
        metric_type=MetricType.PROPORTION,
        factor=100,
        direction=Direction.HIGHER_IS_BETTER,
        frequency=Frequency.MONTHLY,
        data_source="bench",
    )
    return get_user_model().objects.create(username="bench", is_staff=True, is_superuser=True)


def _reset():
    from outcomes.models import Measurement, Submission

    Measurement.objects.all().delete()
    Submission.objects.all().delete()


def _import(user, content):
    from outcomes.choices import Channel, SubmissionStatus
    from outcomes.services.submissions import submit

    submission = submit(
        user=user, content=content, name="bench.csv", channel=Channel.COMMAND, today=TODAY
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors[:3]
    return submission


def _vm_rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _child_import(user_pk, content, pipe):
    """In a forked child: one import; send back (RSS before, peak RSS) in kB."""
    from django.contrib.auth import get_user_model
    from django.db import connections

    for conn in connections.all():
        conn.close()  # never share the parent's socket
    before = _vm_rss_kb()
    _import(get_user_model().objects.get(pk=user_pk), content)
    pipe.send((before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    pipe.close()


def _copy_floor(content: bytes) -> float:
    """Seconds PostgreSQL's COPY takes to load the same CSV into a plain temp table."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_copy (metric_code text, organisation_code text, "
            "period_start date, numerator numeric, denominator numeric, value numeric) "
            "ON COMMIT DROP"
        )
        start = time.perf_counter()
        cursor.cursor.copy_expert(
            "COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)", io.BytesIO(content)
        )
        elapsed = time.perf_counter() - start
        cursor.execute("SELECT count(*) FROM bench_copy")
        assert cursor.fetchone()[0] == content.count(b"\n") - 1
    return elapsed


def _copy_into_measurements() -> float:
    """Seconds to COPY the rows an import stored back into the measurement
    table itself (its indexes and deferred foreign keys), commit included:
    the floor for this table, as opposed to a plain one."""
    from django.db import connection, transaction

    from outcomes.models import Measurement

    table = Measurement._meta.db_table
    columns = (
        "metric_id, organisation_id, period_start, numerator, denominator, value, "
        "revision, is_current, submission_id"
    )
    dump = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY (SELECT {columns} FROM {table}) TO STDOUT", dump)
    Measurement.objects.all().delete()
    dump.seek(0)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", dump)
    return time.perf_counter() - start


def run():
    from django.db import connection, connections
    from django.test.utils import setup_databases, teardown_databases

    rows = int(os.environ.get("BENCH_ROWS", 100_000))
    repeat = int(os.environ.get("BENCH_REPEAT", 3))
    connection.settings_dict.setdefault("TEST", {})["NAME"] = SCRATCH_DB
    print(f"scratch database {SCRATCH_DB} (created now, dropped at the end)")
    created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        user = _setup()
        content = make_csv(rows)
        print(f"{rows:,} rows, {ORGANISATIONS} organisations, {len(content):,} bytes of CSV")

        if os.environ.get("BENCH_PROFILE") == "1":
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(_import, user, content)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
            _reset()

        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            _import(user, content)
            times.append(time.perf_counter() - start)
            _reset()

        copy_times = [_copy_floor(content) for _ in range(repeat)]
        table_times = []
        for _ in range(repeat):
            _import(user, content)
            table_times.append(_copy_into_measurements())
            _reset()

        tracemalloc.start()
        _import(user, content)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        _reset()

        for conn in connections.all():
            conn.close()
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_child_import, args=(user.pk, content, sender))
        child.start()
        rss_before, rss_peak = receiver.recv()
        child.join()
        _reset()

        best, median = min(times), statistics.median(times)
        copy = min(copy_times)
        print(f"import (submit: validate + store), best of {repeat}: {best:.2f} s")
        print(f"  median {median:.2f} s; runs: {', '.join(f'{t:.2f}' for t in times)}")
        print(f"  {rows / best:,.0f} rows/s")
        print(f"PostgreSQL COPY into a plain temp table (the floor): {copy:.3f} s")
        print(f"  ratio import / COPY: {best / copy:.1f}x (target: within 5x)")
        table = min(table_times)
        print(
            "PostgreSQL COPY of the stored rows into the measurement table itself "
            f"(indexes, deferred foreign keys, commit): {table:.2f} s"
        )
        print(f"  ratio import / that COPY: {best / table:.1f}x")
        print(f"peak Python memory (tracemalloc): {traced_peak / 2**20:.0f} MiB")
        print(
            f"peak RSS of a child process doing one import: {rss_peak / 1024:.0f} MiB "
            f"({(rss_peak - rss_before) / 1024:.0f} MiB above its {rss_before / 1024:.0f} MiB "
            "at the start)"
        )
        print(f"reproduce: {COMMAND}")
    finally:
        for conn in connections.all():
            conn.close()
        teardown_databases(created, verbosity=0)
