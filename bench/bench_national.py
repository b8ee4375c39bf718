"""National scale (issue 10): a synthetic system of England's shape
(`manage.py generate_national`: 5,000 organisations, 60 metrics, 5 years of
monthly data by default), then

- the load time of the generator (COPY);
- a full rescore of every contract through real Celery workers, one task
  per contract as `outcomes.rescore_all` publishes them, with 1 and then 2
  worker processes (`celery -A config worker --concurrency=1` each, against
  Redis), counting from each worker's log how many tasks it ran;
- the incremental rescore after one practice's and one trust's monthly
  return (submit in this process, then the `outcomes.rescore_pending`
  tasks of every contract it touches, on the workers);
- dashboard and public scorecard server time (Django's test client, as
  bench_dashboard);
- the database's size and its largest tables.

Runs in a scratch database (`concord_national`, created with Django's
test-database machinery and dropped at the end). Needs REDIS_URL, best a
Redis database of its own (here 9): Django's `cache.clear()`, which some
tests call, empties the whole Redis database, queued tasks included.
Reproduce with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
    REDIS_URL=redis://127.0.0.1:6379/9 make bench BENCH_ARGS=national

BENCH_NATIONAL_SIZES (default 5000x60x5: ORGANISATIONSxMETRICSxYEARS, comma
separated), BENCH_WORKERS (default 1,2) and BENCH_REPEAT (default 20
requests per page) change the run.
"""

import io
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

COMMAND = (
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/9 "
    "make bench BENCH_ARGS=national"
)
RUN_BY_NAME_ONLY = True  # about 40 minutes and 10 GB at the default size
SCRATCH_DB = "concord_national"
SEED = 1
SUCCEEDED = r"Task {name}\[([^\]]+)\] succeeded in ([0-9.]+)s"


def parse_size(text: str) -> tuple[int, int, int]:
    """ "5000x60x5" -> (organisations, metrics, years)."""
    parts = text.strip().split("x")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{text!r}: give sizes as ORGANISATIONSxMETRICSxYEARS, e.g. 5000x60x5")
    organisations, metrics, years = (int(p) for p in parts)
    return organisations, metrics, years


def task_seconds(log: str, name: str) -> dict[str, float]:
    """Task id -> seconds, for each task `name` a worker's log says succeeded."""
    pattern = SUCCEEDED.format(name=re.escape(name))
    return {task_id: float(seconds) for task_id, seconds in re.findall(pattern, log)}


def tasks_per_worker(log: str, name: str) -> tuple[int, float]:
    """(tasks `name` that succeeded, their seconds in all) in one worker's log."""
    seconds = task_seconds(log, name)
    return len(seconds), sum(seconds.values())


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


class Workers:
    """`count` Celery worker processes (prefork, concurrency 1, as production
    runs them) on a queue of their own, against the scratch database."""

    def __init__(self, count: int, database_url: str, redis_url: str, folder: Path):
        self.queue = f"national-{uuid.uuid4().hex[:8]}"
        self.names = [f"worker{i + 1}" for i in range(count)]
        self.logs = [folder / f"{self.queue}-{name}.log" for name in self.names]
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.processes = []
        for name, log in zip(self.names, self.logs, strict=True):
            with open(log, "w") as out:
                self.processes.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "celery",
                            "-A",
                            "config",
                            "worker",
                            "--pool=prefork",
                            "--concurrency=1",
                            "-Q",
                            self.queue,
                            "-n",
                            f"{name}@%h",
                            "-l",
                            "info",
                        ],
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )

    def __enter__(self):
        deadline = time.monotonic() + 60
        for process, log in zip(self.processes, self.logs, strict=True):
            while "ready" not in log.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"Celery worker did not start:\n{log.read_text()}")
                time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()

    def run(self, task, argument_lists) -> float:
        """Publish one task per argument list on this queue, wait for every
        result; returns seconds from the first publish to the last result."""
        start = time.perf_counter()
        results = [task.apply_async(args=args, queue=self.queue) for args in argument_lists]
        for result in results:
            result.get(timeout=3600)
        self.last_ids = [result.id for result in results]
        return time.perf_counter() - start

    def split(self, name: str) -> list[tuple[str, int, float]]:
        """(worker, tasks `name` it ran, their seconds) per worker."""
        return [
            (worker, *tasks_per_worker(log.read_text(), name))
            for worker, log in zip(self.names, self.logs, strict=True)
        ]

    def seconds_by_task(self, name: str) -> dict[str, float]:
        seconds = {}
        for log in self.logs:
            seconds |= task_seconds(log.read_text(), name)
        return seconds


def _generate(organisations: int, metrics: int, years: int) -> float:
    from django.core.management import call_command

    start = time.perf_counter()
    call_command(
        "generate_national",
        organisations=organisations,
        metrics=metrics,
        years=years,
        seed=SEED,
        stdout=io.StringIO(),
    )
    return time.perf_counter() - start


def _full_rescore(workers: Workers) -> float:
    from contracts.models import Contract
    from outcomes.choices import RunTrigger
    from outcomes.tasks import rescore_contract

    kinds = dict(Contract.objects.values_list("pk", "provider__kind"))
    elapsed = workers.run(rescore_contract, [[pk, RunTrigger.MANUAL] for pk in sorted(kinds)])
    split = ", ".join(
        f"{worker}: {tasks:,} contracts ({seconds:.0f} s busy)"
        for worker, tasks, seconds in workers.split("outcomes.rescore_contract")
    )
    by_task = workers.seconds_by_task("outcomes.rescore_contract")
    per_kind = {}
    for task_id, pk in zip(workers.last_ids, sorted(kinds), strict=True):
        per_kind.setdefault(kinds[pk], []).append(by_task[task_id])
    kinds_text = "; ".join(
        f"{kind} contracts: {len(times)}, median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s"
        for kind, times in sorted(per_kind.items())
    )
    print(
        f"full rescore, {len(workers.names)} worker(s): {elapsed:.0f} s "
        f"({len(kinds):,} tasks; {split}); {kinds_text}; load average {load_average()}"
    )
    return elapsed


def _month_of(organisation, user):
    """The organisation's return for the month after the last loaded: its
    last month's figures again."""
    from dateutil.relativedelta import relativedelta

    from outcomes.choices import Channel
    from outcomes.models import Measurement
    from outcomes.services.submissions import submit

    rows = list(
        Measurement.objects.filter(organisation=organisation, is_current=True)
        .order_by("metric__code", "-period_start")
        .distinct("metric__code")
        .values_list("metric__code", "period_start", "numerator", "denominator")
    )
    month = rows[0][1] + relativedelta(months=1)
    content = "metric_code,organisation_code,period_start,numerator,denominator,value\n" + "".join(
        f"{code},{organisation.code},{month},{num},{den},\n" for code, _, num, den in rows
    )
    start = time.perf_counter()
    submission = submit(
        user=user, content=content.encode(), name="month.csv", channel=Channel.COMMAND
    )
    assert submission.status == "stored", submission.errors[:3]
    return submission, time.perf_counter() - start


def _incremental(workers: Workers, organisation, user, label: str) -> None:
    from outcomes.services.rescore import contracts_for_submission
    from outcomes.tasks import rescore_pending

    submission, submitted = _month_of(organisation, user)
    contracts = contracts_for_submission(submission)
    elapsed = workers.run(rescore_pending, [[pk] for pk in contracts])
    print(
        f"incremental, {label} ({organisation.code}, {submission.added} rows): submit "
        f"{submitted:.2f} s, then {len(contracts)} contract(s)' month rescored on "
        f"{len(workers.names)} worker(s) in {elapsed:.2f} s; load average {load_average()}"
    )


def _pages(admin, repeat: int) -> None:
    from django.test import Client

    from bench.bench_dashboard import _report, _times
    from contracts.choices import Role
    from contracts.models import Contract, Membership
    from outcomes.choices import ReviewStatus
    from outcomes.models import MetricScore, PeriodReview
    from reporting.contract_publishing import publish
    from reporting.models import PublishedScorecard

    network = Contract.objects.filter(provider__kind="network").order_by("reference").first()
    trust = Contract.objects.exclude(provider__kind="network").order_by("reference").first()
    commissioner = type(admin).objects.create(username="bench-commissioner")
    Membership.objects.create(
        user=commissioner, organisation=network.commissioner, role=Role.COMMISSIONER
    )
    scores = MetricScore.objects.current().filter(run__contract=network)
    last = scores.filter(value__isnull=False).order_by("-period_start").first().period_start
    members = list(network.provider.members.order_by("code"))
    print(
        f"{network.reference}: {len(members)} members, {scores.count():,} metric scores; "
        f"national: {MetricScore.objects.count():,} metric scores"
    )
    client = Client()
    client.force_login(commissioner)
    for name, url in (
        ("commissioner dashboard, a network", f"/dashboard/?contract={network.pk}"),
        ("commissioner dashboard, a trust", f"/dashboard/?contract={trust.pk}"),
        (
            "metric SPC page (a member)",
            f"/dashboard/metrics/{scores.first().metric_id}/"
            f"?contract={network.pk}&organisation={members[0].pk}",
        ),
    ):
        _report(name, _times(client, url, repeat))
    months = sorted(set(scores.values_list("period_start", flat=True)))
    PeriodReview.objects.bulk_create(
        PeriodReview(
            contract=network,
            organisation=member,
            period_start=month,
            status=ReviewStatus.ACCEPTED,
            reviewed_by=commissioner,
        )
        for member in members
        for month in months
        if month <= last
    )
    publish(
        user=commissioner,
        contract=network,
        organisation=network.provider,
        period=last,
        summary="Synthetic national data.",
    )
    scorecard = PublishedScorecard.objects.live().get(contract=network)
    _report(
        "public scorecard (anonymous)", _times(Client(), scorecard.get_absolute_url(), repeat * 4)
    )
    _report("public scorecard list (anonymous)", _times(Client(), "/scorecards/", repeat))


def _sizes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh row counts
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid),"
            " c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC LIMIT 6"
        )
        tables = cursor.fetchall()
    print(f"database size {total / 2**20:,.0f} MiB; largest tables (with indexes, table alone):")
    for name, with_indexes, alone, rows in tables:
        print(
            f"  {name:<40} {with_indexes / 2**20:9,.0f} MiB {alone / 2**20:9,.0f} MiB "
            f"{rows:>13,} rows"
        )


def _one_size(organisations, metrics, years, worker_counts, repeat, folder) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from contracts.models import Organisation
    from reporting.demo import national

    size = national.shape(organisations, metrics, years)
    print(
        f"-- {organisations:,} organisations x {metrics} metrics x {years} years: "
        f"{size.contracts:,} contracts, {size.measurements:,} measurements "
        f"(load average {load_average()})"
    )
    load = _generate(organisations, metrics, years)
    print(
        f"generate_national: {load:.0f} s ({size.measurements / load:,.0f} measurements/s); "
        f"load average {load_average()}"
    )
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    admin = get_user_model().objects.create(
        username="bench-admin", is_staff=True, is_superuser=True
    )
    for count in worker_counts:
        connection.close()  # no idle transaction of ours in the workers' way
        with Workers(count, database_url, os.environ["REDIS_URL"], folder) as workers:
            _full_rescore(workers)
            if count == worker_counts[-1]:
                practice = Organisation.objects.filter(code__startswith="P").order_by("code")[0]
                trust = Organisation.objects.filter(code__startswith="R").order_by("code")[0]
                _incremental(workers, practice, admin, "one practice's month")
                _incremental(workers, trust, admin, "one trust's month")
    _pages(admin, repeat)
    _sizes()


def run():
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from config.celery import app

    if not os.environ.get("REDIS_URL"):
        print("The national benchmark needs Celery workers: set REDIS_URL.", file=sys.stderr)
        return
    app.conf.task_always_eager = False
    sizes = [parse_size(s) for s in os.environ.get("BENCH_NATIONAL_SIZES", "5000x60x5").split(",")]
    worker_counts = [int(n) for n in os.environ.get("BENCH_WORKERS", "1,2").split(",")]
    repeat = int(os.environ.get("BENCH_REPEAT", 20))
    connection.settings_dict.setdefault("TEST", {})["NAME"] = SCRATCH_DB
    print(f"scratch database {SCRATCH_DB} (created for each size, dropped at the end)")
    with tempfile.TemporaryDirectory() as folder:
        for organisations, metrics, years in sizes:
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
            try:
                _one_size(organisations, metrics, years, worker_counts, repeat, Path(folder))
            finally:
                connection.close()
                teardown_databases(created, verbosity=0)
    print(f"\nreproduce: {COMMAND}")
