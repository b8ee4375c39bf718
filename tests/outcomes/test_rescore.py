"""Stored scores: hand-computed for a network and its members, missing data
kept missing, provenance, reproducibility, crash safety, and rescoring after
a submission (eagerly, and through a real worker)."""

import datetime as dt
import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from contracts.models import Organisation
from outcomes.choices import Channel, RunTrigger, SubmissionStatus
from outcomes.models import (
    AggregateScore,
    Dimension,
    DimensionScore,
    Measurement,
    MetricScore,
    ScoreRun,
)
from outcomes.services import rescore
from outcomes.services.submissions import receive, submit

D = dt.date
HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"
SEPTEMBER = D(2025, 9, 1)


@pytest.fixture
def scored(system, contract):
    """CON-A (network A: PA1, PA2) with EMADM (lower is better; minimum 30,
    target 22, baseline 31) and September 2025 data for both members."""
    submission = submit(
        user=system.network_manager_a,
        channel=Channel.COMMAND,
        name="sep.csv",
        content=(
            HEADER + "EMADM,PA1,2025-09-01,26,1000,\nEMADM,PA2,2025-09-01,32,1000,\n"
        ).encode(),
        today=D(2026, 1, 1),
    )
    assert submission.status == SubmissionStatus.STORED
    return rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))


def current(model, contract, **lookups):
    return model.objects.current().filter(run__contract=contract, **lookups)


def score_of(contract, code, period=SEPTEMBER):
    return current(MetricScore, contract).get(organisation__code=code, period_start=period)


def test_member_and_network_scores_by_hand(system, contract, scored):
    pa1, pa2, network = (score_of(contract, c) for c in ("PA1", "PA2", "NETA"))
    assert (pa1.value, pa1.score, pa1.rating) == (26.0, 5.0, "approaching")  # 10 x 4/8
    assert pa1.improvement == pytest.approx(5 / 9)  # (26 - 31) / (22 - 31)
    assert (pa2.value, pa2.score, pa2.rating) == (32.0, 0.0, "inadequate")
    # The network pools numerators and denominators: 58 / 2000 x 1000 = 29.
    assert (network.numerator, network.denominator) == (Decimal(58), Decimal(2000))
    assert network.value == pytest.approx(29.0)
    assert network.score == pytest.approx(1.25)
    assert network.rating == "requires_improvement"


def test_dimension_and_aggregate_scores_with_coverage(system, contract, scored):
    dimension = current(DimensionScore, contract).get(
        organisation__code="PA1", period_start=SEPTEMBER
    )
    assert (dimension.score, dimension.coverage) == (5.0, 1.0)
    aggregate = current(AggregateScore, contract).get(
        organisation__code="PA1", period_start=SEPTEMBER
    )
    assert (aggregate.score, aggregate.coverage) == (50.0, 1.0)  # one dimension: 10 x 5


def test_missing_data_is_missing_not_zero(system, contract, scored):
    october = score_of(contract, "PA1", D(2025, 10, 1))
    assert october.value is None and october.score is None and october.rating == ""
    assert october.measurement_ids == []
    aggregate = current(AggregateScore, contract).get(
        organisation__code="PA1", period_start=D(2025, 10, 1)
    )
    assert aggregate.score is None


def test_an_aggregate_needs_sixty_percent_of_dimension_weight(system, contract, scored):
    for name in ("Quality of life", "Operational performance", "Professional experience"):
        Dimension.objects.create(name=name, description=name)
    rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))
    aggregate = current(AggregateScore, contract).get(
        organisation__code="PA1", period_start=SEPTEMBER
    )
    assert aggregate.coverage == 0.25 and aggregate.score is None


def test_scores_name_their_inputs(system, contract, scored):
    pa1 = score_of(contract, "PA1")
    measurement = pa1.metric.measurements.get(organisation__code="PA1", period_start=SEPTEMBER)
    assert pa1.measurement_ids == [measurement.pk]
    assert pa1.contract_metric == contract.metric_versions.get()
    assert pa1.run.period_start == SEPTEMBER
    assert pa1.run.rule_version and len(pa1.run.inputs_digest) == 64
    assert sorted(score_of(contract, "NETA").measurement_ids) == sorted(
        m.pk for m in pa1.metric.measurements.filter(period_start=SEPTEMBER)
    )


def rows(contract):
    return sorted(
        current(MetricScore, contract).values_list(
            "organisation_id",
            "metric_id",
            "period_start",
            "value",
            "score",
            "rating",
            "improvement",
            "measurement_ids",
        )
    )


def digests(contract):
    return dict(
        ScoreRun.objects.filter(contract=contract).values_list("period_start", "inputs_digest")
    )


def test_recomputing_the_same_inputs_gives_the_same_result(system, contract, scored):
    before, digests_before = rows(contract), digests(contract)
    again = rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))
    # April 2024 (the contract's start) to October 2025: 19 months.
    assert again.written == scored.written and len(again.written) == 19
    assert rows(contract) == before and digests(contract) == digests_before
    # One run a month, the earlier runs replaced.
    assert ScoreRun.objects.filter(contract=contract).count() == 19


def test_a_crash_mid_rescore_leaves_the_previous_scores(system, contract, scored, monkeypatch):
    real_insert = rescore.insert_frame

    def crash_at_the_aggregates(model, frame):
        if model is AggregateScore:  # metric and dimension rows are already written
            raise RuntimeError("worker killed")
        real_insert(model, frame)

    monkeypatch.setattr(rescore, "insert_frame", crash_at_the_aggregates)
    before = set(ScoreRun.objects.filter(contract=contract, is_current=True))
    scores_before = rows(contract)
    with pytest.raises(RuntimeError):
        rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))
    assert set(ScoreRun.objects.filter(contract=contract, is_current=True)) == before
    assert rows(contract) == scores_before
    assert current(AggregateScore, contract).count() == 3 * 19  # PA1, PA2, NETA x 19 months


def test_a_stored_submission_rescores_its_contracts(
    system, contract, django_capture_on_commit_callbacks
):
    from outcomes.tasks import enqueue_processing

    with django_capture_on_commit_callbacks(execute=True):
        submission = receive(
            user=system.provider_a,
            channel=Channel.WEB,
            name="a.csv",
            content=(HEADER + "EMADM,PA1,2025-09-01,26,1000,\n").encode(),
        )
        enqueue_processing(submission)
    run = ScoreRun.objects.get(contract=contract, is_current=True)
    assert (run.trigger, run.period_start) == (RunTrigger.SUBMISSION, SEPTEMBER)
    assert score_of(contract, "PA1").score == 5.0


def test_rescore_command_reports_progress(system, contract, scored):
    out = StringIO()
    call_command("rescore", stdout=out)
    printed = out.getvalue()
    assert "2/2" in printed and "CON-A" in printed and "Rescored 2 contract(s)." in printed


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_rescores_after_an_accepted_submission(
    system, contract, celery_worker_process
):
    from outcomes.tasks import process_submission

    with transaction.atomic():
        submission = receive(
            user=system.provider_a,
            channel=Channel.API,
            name="a.csv",
            content=(HEADER + "EMADM,PA1,2025-09-01,26,1000,\n").encode(),
        )
    process_submission.apply_async(args=[submission.pk], queue=celery_worker_process).get(60)
    deadline = time.monotonic() + 60
    while not ScoreRun.objects.filter(contract=contract, is_current=True).exists():
        assert time.monotonic() < deadline, "no scores arrived from the worker"
        time.sleep(0.2)
    assert score_of(contract, "PA1").score == 5.0


def test_only_months_whose_inputs_changed_are_rewritten(system, contract, scored):
    runs = set(ScoreRun.objects.filter(contract=contract))
    same = rescore.rescore_contract(
        contract.pk, RunTrigger.NIGHTLY, today=D(2025, 10, 15), only_if_changed=True
    )
    assert same.written == [] and len(same.unchanged) == 19
    assert set(ScoreRun.objects.filter(contract=contract)) == runs
    submit(
        user=system.network_manager_a,
        channel=Channel.COMMAND,
        name="fix.csv",
        content=(HEADER + "EMADM,PA2,2025-09-01,30,1000,\n").encode(),
        today=D(2026, 1, 1),
    )
    nightly = rescore.rescore_contract(
        contract.pk, RunTrigger.NIGHTLY, today=D(2025, 10, 15), only_if_changed=True
    )
    assert nightly.written == [SEPTEMBER]
    assert score_of(contract, "PA2").run.trigger == RunTrigger.NIGHTLY
    assert score_of(contract, "PA2", D(2025, 10, 1)).run.trigger == RunTrigger.MANUAL


def test_a_full_rescore_removes_months_no_longer_expected(system, contract, scored):
    done = rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=D(2025, 9, 15))
    assert done.removed == [D(2025, 10, 1)]
    assert not current(MetricScore, contract).filter(period_start=D(2025, 10, 1)).exists()


def test_members_are_benchmarked_against_the_network(system, contract, scored):
    from outcomes.benchmark import byar

    pa1, pa2, network = (score_of(contract, c) for c in ("PA1", "PA2", "NETA"))
    lower, upper = byar(26)  # a rate: Byar's interval of the count, per 1,000
    assert (pa1.ci_lower, pa1.ci_upper) == (pytest.approx(lower), pytest.approx(upper))
    assert pa1.comparator == pytest.approx(29.0)
    assert pa1.comparison == "similar"  # 29 lies inside PA1's interval (about 17 to 38)
    assert (pa1.peer_rank, pa1.peer_quintile, pa1.peer_count) == (1, 1, 2)  # 26 beats 32
    assert (pa2.peer_rank, pa2.peer_quintile, pa2.peer_count) == (2, 3, 2)
    # Two different values pooled, and whose: what the small-numbers rule reads.
    assert pa1.peer_distinct == pa2.peer_distinct == 2
    assert pa1.peer_ids == pa2.peer_ids == sorted([system.pa1.pk, system.pa2.pk])
    assert network.comparator is None and network.peer_rank is network.peer_count is None
    assert network.peer_distinct is None and network.peer_ids is None


def test_a_neutral_metric_counts_the_pool_without_ranking(system, contract, scored):
    """Context metrics are compared (higher or lower) but not ranked; the
    counts the small-numbers rule needs are stored all the same, also for a
    member without a value of its own (compared with the others' value)."""
    from outcomes.choices import Direction, MetricType
    from outcomes.models import ContractMetric
    from tests.factories import MetricFactory

    context = MetricFactory(
        code="BEDS", name="Beds open", metric_type=MetricType.COUNT, direction=Direction.NEUTRAL
    )
    ContractMetric.objects.create(
        contract=contract,
        metric=context,
        effective_from=D(2024, 4, 1),
        minimum_threshold=0,
        target=100,
    )
    submit(
        user=system.network_manager_a,
        channel=Channel.COMMAND,
        name="beds.csv",
        content=(HEADER + "BEDS,PA1,2025-09-01,,,40\n").encode(),
        today=D(2026, 1, 1),
    )
    rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))
    rows = current(MetricScore, contract).filter(metric=context, period_start=SEPTEMBER)
    pa1, pa2 = rows.get(organisation=system.pa1), rows.get(organisation=system.pa2)
    assert pa1.comparator == pa2.comparator == pytest.approx(40.0)  # PA1's alone
    assert pa1.peer_rank is pa2.peer_rank is None
    assert (pa1.peer_count, pa1.peer_distinct) == (pa2.peer_count, pa2.peer_distinct) == (1, 1)
    assert pa1.peer_ids == pa2.peer_ids == [system.pa1.pk]


def test_rescoring_only_the_submitted_months_equals_a_full_rescore(system, contract, scored):
    submission = submit(
        user=system.network_manager_a,
        channel=Channel.COMMAND,
        name="oct.csv",
        content=(
            HEADER + "EMADM,PA1,2025-10-01,24,1000,\nEMADM,PA2,2025-09-01,30,1000,\n"
        ).encode(),
        today=D(2026, 1, 1),
    )
    months = rescore.affected_months(submission)
    assert months == [SEPTEMBER, D(2025, 10, 1)]
    august = ScoreRun.objects.get(contract=contract, period_start=D(2025, 8, 1))
    partial = rescore.rescore_contract(
        contract.pk, RunTrigger.SUBMISSION, today=D(2025, 10, 15), months=months
    )
    assert partial.written == months
    assert ScoreRun.objects.get(contract=contract, period_start=D(2025, 8, 1)) == august

    def everything():
        return (
            rows(contract),
            sorted(
                current(DimensionScore, contract).values_list(
                    "organisation_id", "dimension_id", "period_start", "score", "coverage"
                )
            ),
            sorted(
                current(AggregateScore, contract).values_list(
                    "organisation_id", "period_start", "score", "coverage"
                )
            ),
            digests(contract),
        )

    after_partial = everything()
    rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))
    assert after_partial == everything()
    assert score_of(contract, "PA1", D(2025, 10, 1)).score == 7.5  # 10 x (30 - 24) / 8
    assert score_of(contract, "PA2").rating == "requires_improvement"  # 30: at the minimum


@pytest.fixture
def single_provider(system, contract, scored):
    """CON-S: QCOM with provider PS alone (no network), holding EMADM like
    CON-A, whose members PA1 (26/1000) and PA2 (32/1000) are PS's peers, and
    like CON-T and CON-U of providers PT and PU: five peers in September
    2025. PS reports 20/1000, PT 40 and PU 50."""
    from tests.factories import single_provider_contracts

    contracts = single_provider_contracts(
        system.commissioner_org, contract.metric_versions.get().metric, ("PS", "PT", "PU")
    )
    rows = (
        "EMADM,PS,2025-09-01,20,1000,\nEMADM,PT,2025-09-01,40,1000,\nEMADM,PU,2025-09-01,50,1000,\n"
    )
    submit(
        user=system.admin,
        channel=Channel.COMMAND,
        name="singles.csv",
        content=(HEADER + rows).encode(),
        today=D(2026, 1, 1),
    )
    own = contracts["PS"]
    rescore.rescore_contract(own.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))
    return own


def test_a_single_provider_is_compared_with_providers_holding_the_metric(single_provider):
    from outcomes.benchmark import byar

    ps = score_of(single_provider, "PS")
    # (20 + 26 + 32 + 40 + 50) / 5000 x 1000, pooled
    assert ps.comparator == pytest.approx(33.6)
    lower, upper = byar(20)
    assert (ps.ci_lower, ps.ci_upper) == (pytest.approx(lower), pytest.approx(upper))
    assert ps.comparison == "better"  # 33.6 lies above about 12.2 to 30.9; lower is better
    # Lower is better: 20 is first of 20, 26, 32, 40 and 50.
    assert (ps.peer_rank, ps.peer_quintile, ps.peer_count, ps.peer_distinct) == (1, 1, 5, 5)
    peers = Organisation.objects.filter(code__in=["PS", "PT", "PU", "PA1", "PA2"])
    assert ps.peer_ids == sorted(peers.values_list("pk", flat=True))
    october = score_of(single_provider, "PS", D(2025, 10, 1))
    assert october.comparator is None and october.peer_rank is october.peer_count is None


def test_a_comparison_needs_one_other_provider_and_stores_its_counts(single_provider):
    """Every comparison with at least one other provider is stored, with how
    many it pools and how many different values: who is shown it is the
    small-numbers rule's to decide, per person, when it is read
    (tests/outcomes/test_api_scores.py). PS alone is compared with nobody."""
    Measurement.objects.exclude(organisation__code__in=["PS", "PT"]).delete()
    rescore.rescore_contract(single_provider.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))
    ps = score_of(single_provider, "PS")
    assert ps.comparator == pytest.approx(30.0)  # (20 + 40) / 2000 x 1000
    assert (ps.peer_rank, ps.peer_count, ps.peer_distinct) == (1, 2, 2)
    Measurement.objects.filter(organisation__code="PT").delete()
    rescore.rescore_contract(single_provider.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))
    ps = score_of(single_provider, "PS")
    assert ps.value == pytest.approx(20.0) and ps.ci_lower is not None
    assert (ps.comparator, ps.comparison, ps.peer_rank, ps.peer_count) == (None, "", None, None)


def test_many_peers_are_counted_not_named(single_provider, monkeypatch):
    """Above PEER_IDS_UP_TO peers the comparison says how many, not who."""
    monkeypatch.setattr(rescore, "PEER_IDS_UP_TO", 4)
    rescore.rescore_contract(single_provider.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))
    ps = score_of(single_provider, "PS")
    assert (ps.peer_count, ps.peer_distinct, ps.peer_ids) == (5, 5, None)


def test_a_peers_submission_rescores_the_single_providers_month(
    system, single_provider, django_capture_on_commit_callbacks
):
    from outcomes.tasks import enqueue_processing

    with django_capture_on_commit_callbacks(execute=True):
        submission = receive(
            user=system.provider_a,
            channel=Channel.WEB,
            name="fix.csv",
            content=(HEADER + "EMADM,PA1,2025-09-01,14,1000,\n").encode(),
        )
        enqueue_processing(submission)
    ps = score_of(single_provider, "PS")
    assert ps.run.trigger == RunTrigger.SUBMISSION
    assert ps.comparator == pytest.approx(31.2)  # (20 + 14 + 32 + 40 + 50) / 5000 x 1000
    assert ps.peer_rank == 2  # 14 now beats 20


def test_the_peer_count_migration_counts_ranked_members(system, contract, single_provider):
    """Scores stored before peer_count: members get theirs from their own
    run; a single provider's waits for the next rescore (its digest counts it)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("outcomes.migrations.0012_metric_score_peer_count")
    MetricScore.objects.update(peer_count=None)
    migration.count_ranked_members(apps, None)
    pa1, pa2, network = (score_of(contract, c) for c in ("PA1", "PA2", "NETA"))
    assert (pa1.peer_count, pa2.peer_count, network.peer_count) == (2, 2, None)
    assert score_of(single_provider, "PS").peer_count is None
    # Runs stored before this change have digests without the count.
    ScoreRun.objects.filter(contract=single_provider).update(inputs_digest="older")
    rescore.rescore_contract(
        single_provider.pk, RunTrigger.NIGHTLY, today=D(2025, 10, 15), only_if_changed=True
    )
    assert score_of(single_provider, "PS").peer_count == 5
