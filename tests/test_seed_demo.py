from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from contracts.choices import NoticeStatus, OrganisationKind, Role
from contracts.models import Contract, ContractMetric, Membership, Organisation, PerformanceNotice
from outcomes.models import Dimension


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (it takes a while), twice to prove idempotence;
    the database is flushed afterwards for the other tests."""
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        first = row_counts()
        call_command("seed_demo", stdout=StringIO())
        yield {"printed": out.getvalue(), "first": first, "second": row_counts()}
        call_command("flush", "--noinput", verbosity=0)


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_log_ins(seeded):
    assert seeded["second"] == seeded["first"]
    printed = seeded["printed"]
    for role in Role:
        assert role.label in printed
    assert "admin" in printed


@pytest.mark.django_db
def test_seed_demo_builds_a_plausible_system(seeded):
    assert Organisation.objects.filter(kind=OrganisationKind.COMMISSIONER).count() == 2
    networks = Organisation.objects.networks()
    assert networks.count() == 2
    for network in networks:
        assert 5 <= network.members.count() <= 6
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    outcomes_based = Contract.objects.get(payment_model=Contract.PaymentModel.CAPITATED_OUTCOMES)
    assert outcomes_based.provider.kind == OrganisationKind.NETWORK
    assert outcomes_based.years.count() == 5
    activity = Contract.objects.get(payment_model=Contract.PaymentModel.ACTIVITY)
    assert activity.provider.kind == OrganisationKind.PROVIDER
    assert Dimension.objects.count() == 5
    # Every dimension is measured, and one metric's terms changed mid-year.
    assert ContractMetric.objects.values("metric__dimension").distinct().count() == 5
    assert ContractMetric.objects.filter(reason__gt="").exists()
    # Notices run both ways: one mid-process, one raised by the network.
    statuses = dict(PerformanceNotice.objects.values_list("raised_by_organisation__kind", "status"))
    assert statuses == {
        OrganisationKind.COMMISSIONER: NoticeStatus.PLAN_AGREED,
        OrganisationKind.NETWORK: NoticeStatus.RAISED,
    }


@pytest.mark.django_db
def test_seed_demo_adds_three_years_of_submitted_measurements(seeded):
    import datetime as dt

    from django.db.models import Count, Min

    from outcomes import demo
    from outcomes.choices import ReviewStatus, SubmissionStatus
    from outcomes.models import Measurement, PeriodReview, Submission

    months = demo.demo_months()
    assert len(months) == 36
    assert (months[0], months[-1]) == (dt.date(2023, 11, 1), dt.date(2026, 10, 1))
    contracts = {c.reference: c for c in Contract.objects.all()}
    series = demo.expected_series(contracts)
    # Every member of both networks, the sole provider and the ICB (FIN-DEMAND) submit.
    assert len({org for _, org in series}) == 6 + 5 + 1 + 1
    current = Measurement.objects.filter(is_current=True)
    found = {
        (row["metric__code"], row["organisation__code"]): (row["n"], row["first"])
        for row in current.values("metric__code", "organisation__code").annotate(
            n=Count("id"), first=Min("period_start")
        )
    }
    assert set(found) == set(series)
    assert all(found[key] == (36, months[0]) for key in series)

    # One submission per organisation per month, sent by a person of that organisation.
    submissions = Submission.objects.annotate(
        orgs=Count("measurements__organisation", distinct=True)
    )
    assert submissions.count() == len({org for _, org in series}) * 36
    assert set(submissions.values_list("status", flat=True)) == {SubmissionStatus.STORED}
    assert set(submissions.values_list("orgs", flat=True)) == {1}
    for submission in Submission.objects.prefetch_related("measurements")[:50]:
        organisation = submission.measurements.all()[0].organisation
        assert submission.submitted_by.memberships.filter(organisation=organisation).exists()

    # Submitted after the month ends; most before the due date, a few late.
    late = on_time = 0
    for submission in Submission.objects.prefetch_related("measurements"):
        period = submission.measurements.all()[0].period_start
        month_end = (period + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        submitted = submission.created_at.date()
        assert submitted > month_end
        if submitted > month_end + dt.timedelta(days=20):
            late += 1
        else:
            on_time += 1
    assert 0 < late < on_time / 5

    # Commissioners accepted older periods and queried a few recent ones.
    reviews = PeriodReview.objects
    assert reviews.filter(status=ReviewStatus.ACCEPTED).count() > 100
    queried = reviews.filter(status=ReviewStatus.QUERIED)
    assert 3 <= queried.count() <= 10
    assert all(r.comment and r.reviewed_by.username.endswith("commissioner") for r in queried)

    # A visible step change: the community trust's urgent response drops in mid-2026.
    resp = current.filter(metric__code="OPS-RESP2H", organisation__code="RVA")
    before = [m.value for m in resp if m.period_start < dt.date(2026, 6, 1)]
    after = [m.value for m in resp if m.period_start >= dt.date(2026, 6, 1)]
    assert sum(after) / len(after) < sum(before) / len(before) - 7


@pytest.mark.django_db
def test_seed_demo_publishes_a_scorecard_per_network(seeded):
    from outcomes.models import PublishedScorecard

    for contract in Contract.objects.filter(provider__kind=OrganisationKind.NETWORK):
        scorecards = PublishedScorecard.objects.filter(contract=contract)
        assert scorecards.live().count() == 1
        withdrawn = scorecards.filter(withdrawn_at__isnull=False).get()
        assert withdrawn.withdrawal_reason
        live = scorecards.live().get()
        assert live.snapshot["aggregate"]["score"] is not None
        assert live.snapshot["metrics"] and all(m["description"] for m in live.snapshot["metrics"])
