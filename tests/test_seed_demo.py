from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from contracts.choices import NoticeStatus, OrganisationKind, Role
from contracts.models import Contract, ContractMetric, Membership, Organisation, PerformanceNotice
from outcomes.models import Dimension


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_log_ins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = row_counts()
    call_command("seed_demo", stdout=StringIO())
    assert row_counts() == first
    printed = out.getvalue()
    for role in Role:
        assert role.label in printed
    assert "admin" in printed


@pytest.mark.django_db
def test_seed_demo_builds_a_plausible_system():
    call_command("seed_demo", stdout=StringIO())
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
