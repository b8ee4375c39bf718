"""The dashboard and the metric page cost a fixed number of queries,
whatever the number of months, metrics and members."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import NetworkMember
from incentives import services
from tests.dashboard_data import seed
from tests.factories import OrganisationFactory
from tests.incentives_fixtures import scheme_fields

# The session and user (2); the user's roles (1, cached for the navigation);
# the organisations in the user's data scope (1, once per request);
# select: contracts, organisations (2); build: aggregate scores, dimensions,
# dimension scores, contract-metric versions, metric scores, the SPC series,
# SPC rebases (7); completeness (5); open notices, overdue actions (2);
# whether the user is a party to the contract, and so sees incentives, and
# the latest settlement (2); whether the user may publish the contract's
# scorecard (1);
# the incentive position of the year in progress: contract years, plan
# months, actual costs, the scheme in force with its bands, corridors and
# indicators, the year's aggregate scores, the indicators' values (9).
DASHBOARD_QUERIES = 32
# Session, user, roles, data scope, contracts, organisations, contract-metric
# versions, the series, its rebases (twice: for the analysis and the list),
# may_rebase.
METRIC_PAGE_QUERIES = 11


@pytest.mark.parametrize("metrics, months, extra_members", [(2, 4, 0), (6, 18, 3)])
def test_dashboard_queries_are_fixed(
    client,
    system,
    contract,
    django_assert_max_num_queries,
    monkeypatch,
    metrics,
    months,
    extra_members,
):
    for n in range(extra_members):
        NetworkMember.objects.create(
            network=system.network_a, provider=OrganisationFactory(code=f"PX{n}")
        )
    seed(system, contract, metrics=metrics, months=months)
    services.create_scheme_version(
        user=system.commissioner,
        contract=contract,
        **scheme_fields(contract.metric_versions.get(metric__code="EMADM").metric),
    )
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2025, 9, 20))  # year 2
    client.force_login(system.commissioner)
    for organisation in (system.network_a, system.pa1):
        with django_assert_max_num_queries(DASHBOARD_QUERIES):
            response = client.get(
                reverse("reporting:dashboard"),
                {"contract": contract.pk, "organisation": organisation.pk},
            )
        assert response.status_code == 200
        assert len(response.context["board"].metric_rows) == metrics
        assert response.context["board"].projection.year.number == 2


@pytest.mark.parametrize("months", [4, 18])
def test_metric_page_queries_are_fixed(
    client, system, contract, django_assert_max_num_queries, months
):
    metrics, _ = seed(system, contract, metrics=2, months=months)
    client.force_login(system.commissioner)
    url = reverse("reporting:dashboard-metric", args=[metrics[0].pk])
    with django_assert_max_num_queries(METRIC_PAGE_QUERIES):
        response = client.get(url, {"contract": contract.pk, "organisation": system.pa1.pk})
    assert response.status_code == 200
    assert len(response.context["points"]) == months
