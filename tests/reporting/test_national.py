"""The synthetic national system (`generate_national`) at a small size, the
peer comparison of a trust among every trust, and the national benchmark's
pure helpers (no workers, no timing)."""

import datetime as dt
import io

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from bench.bench_national import parse_size, tasks_per_worker
from contracts.models import Contract, NetworkMember, Organisation
from outcomes import benchmark
from outcomes.choices import RunTrigger
from outcomes.models import Measurement, Metric, MetricScore
from outcomes.services.rescore import rescore_contract
from reporting.demo import national

pytestmark = pytest.mark.django_db
LAST = dt.date(2026, 10, 1)


def generate(organisations=100, metrics=4, years=1, seed=7, **options):
    call_command(
        "generate_national",
        organisations=organisations,
        metrics=metrics,
        years=years,
        seed=seed,
        last_month=LAST,
        stdout=io.StringIO(),
        **options,
    )


def measurements():
    return list(
        Measurement.objects.order_by(
            "metric__code", "organisation__code", "period_start"
        ).values_list("metric__code", "organisation__code", "period_start", "numerator", "value")
    )


def test_england_proportions_scale_down_and_up():
    assert national.shape(5000, 60, 5) == national.Shape(42, 210, 396, 4352, 60, 60)
    assert national.shape(5000, 60, 5).measurements == 16_423_200
    assert national.shape(20, 5, 1) == national.Shape(1, 2, 1, 16, 5, 12)
    with pytest.raises(ValueError, match="at least 6"):
        national.shape(5, 5, 1)


def test_a_small_system_has_its_counts_and_scores():
    generate()
    size = national.shape(100, 4, 1)
    assert Organisation.objects.filter(kind="commissioner").count() == size.commissioners == 1
    assert Organisation.objects.count() == 100
    assert NetworkMember.objects.count() == size.practices
    assert Contract.objects.count() == size.contracts
    assert Metric.objects.count() == 2 * 4  # an acute and a primary-care catalogue
    assert Measurement.objects.count() == size.measurements == (4 + 87) * 4 * 12
    assert Measurement.objects.filter(period_start=LAST).count() == (4 + 87) * 4
    network = Contract.objects.filter(provider__kind="network").first()
    done = rescore_contract(network.pk, RunTrigger.MANUAL, today=dt.date(2026, 11, 2))
    assert len(done.written) == 13  # twelve months of data and November, not in yet
    scores = MetricScore.objects.current().filter(run__contract=network, period_start=LAST)
    members = network.provider.members.count()
    assert scores.count() == (members + 1) * 4  # each member and the network as a whole
    assert scores.filter(score__isnull=False).count() == scores.count()


@pytest.mark.django_db(transaction=True)  # --replace truncates: committed rows only
def test_the_same_seed_gives_the_same_rows_and_data_is_not_overwritten_unasked():
    generate(organisations=20, seed=3)
    first = measurements()
    with pytest.raises(CommandError, match="--replace"):
        generate(organisations=20, seed=3)
    generate(organisations=20, seed=3, replace=True)
    assert measurements() == first
    generate(organisations=20, seed=4, replace=True)
    assert measurements() != first


def test_a_trust_is_compared_with_every_trust():
    """The peer comparison, aggregated in the database, equals the pooled
    value, rank and quintile computed from every trust's rows."""
    generate(organisations=200)  # 8 trusts, each on a contract of its own
    trust = Contract.objects.get(reference="NAT-R00003")
    rescore_contract(trust.pk, RunTrigger.MANUAL, today=dt.date(2026, 11, 2))
    rows = pd.DataFrame.from_records(
        Measurement.objects.filter(organisation__code__startswith="R").values(
            "metric_id",
            "metric__direction",
            "metric__factor",
            "organisation_id",
            "period_start",
            "numerator",
            "denominator",
            "value",
        )
    ).astype({"numerator": float, "denominator": float, "value": float, "metric__factor": float})
    assert rows["organisation_id"].nunique() == 8
    keys = [rows["metric_id"], rows["period_start"]]
    rows = rows.join(benchmark.peer_ranks(rows["value"], rows["metric__direction"], keys))
    pooled = rows.groupby(["metric_id", "period_start"])[["numerator", "denominator"]].sum()
    own = rows[rows["organisation_id"] == trust.provider_id].set_index(
        ["metric_id", "period_start"]
    )
    scores = MetricScore.objects.current().filter(run__contract=trust, value__isnull=False)
    assert scores.count() == 4 * 12
    for score in scores:
        expected = own.loc[(score.metric_id, score.period_start)]
        total = pooled.loc[(score.metric_id, score.period_start)]
        assert score.comparator == pytest.approx(
            total["numerator"] / total["denominator"] * expected["metric__factor"]
        )
        assert (score.peer_rank, score.peer_quintile, score.peer_count) == (
            expected["rank"],
            expected["quintile"],
            expected["size"],
        )


def test_bench_sizes_and_the_split_across_workers_are_read():
    assert parse_size("5000x60x5") == (5000, 60, 5)
    with pytest.raises(ValueError, match="ORGANISATIONSxMETRICSxYEARS"):
        parse_size("5000,60")
    log = (
        "[2026-12-05 08:00:00,000: INFO/MainProcess] Task outcomes.rescore_contract"
        "[6f1c] received\n"
        "[2026-12-05 08:00:01,000: INFO/ForkPoolWorker-1] Task outcomes.rescore_contract"
        "[6f1c] succeeded in 1.2s: {'written': 61, 'unchanged': 0}\n"
        "[2026-12-05 08:00:02,000: INFO/ForkPoolWorker-1] Task outcomes.rescore_pending"
        "[77aa] succeeded in 0.3s: 1\n"
        "[2026-12-05 08:00:03,000: INFO/ForkPoolWorker-1] Task outcomes.rescore_contract"
        "[9b2d] succeeded in 0.8s: {'written': 61, 'unchanged': 0}\n"
    )
    assert tasks_per_worker(log, "outcomes.rescore_contract") == (2, pytest.approx(2.0))
    assert tasks_per_worker(log, "outcomes.rescore_pending") == (1, pytest.approx(0.3))
