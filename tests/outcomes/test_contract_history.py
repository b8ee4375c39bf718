"""The contract change log: who changed what, when, before and after; for
the commissioner and admins only; a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts import notices, services
from contracts.choices import NoticeStatus
from outcomes.contract_history import change_log
from outcomes.services import contract_terms

D = dt.date


def test_changes_name_the_person_and_the_values_before_and_after(system, contract, metric):
    contract_terms.add_version(
        user=system.commissioner,
        contract=contract,
        metric=metric,
        effective_from=D(2025, 10, 1),
        minimum_threshold=Decimal("28"),
        target=Decimal("22"),
        reason="Winter plan",
    )
    services.record_actual_cost(
        user=system.commissioner, contract=contract, month=D(2024, 5, 1), amount=Decimal("950000")
    )
    services.record_actual_cost(
        user=system.commissioner, contract=contract, month=D(2024, 5, 1), amount=Decimal("960000")
    )
    log = change_log(contract)
    correction = next(
        c for c in log if c.what == "Actual cost for May 2024" and c.kind == "Changed"
    )
    assert correction.who == "commissioner"
    assert ("amount", "950000.00", "960000.00") in correction.fields
    version = next(c for c in log if c.what == "Metric EMADM terms from 01 October 2025")
    assert version.kind == "Created"
    assert ("minimum threshold", "", "28.0000") in version.fields


def test_notice_steps_and_milestones_are_in_the_log(system, notice_in):
    notice = notice_in(NoticeStatus.EXCEPTION)
    notices.withhold(
        user=system.commissioner,
        notice=notice,
        on=D(2026, 5, 6),
        month=D(2026, 5, 1),
        percent=Decimal("2"),
        reason="Unremedied",
    )
    notices.mark_remedied(user=system.commissioner, notice=notice, on=D(2026, 6, 1), reason="ok")
    whats = {(c.what, c.kind, c.who) for c in change_log(notice.contract)}
    milestone = f"Notice {notice.pk} milestone: Falls service in every care home"
    assert (milestone, "Created", "nm_a") in whats
    withholding = f"Notice {notice.pk} withholding for May 2026"
    assert (withholding, "Changed", "commissioner") in whats  # repaid when remedied
    status_changes = [
        c
        for c in change_log(notice.contract)
        if c.what.startswith(f"Notice {notice.pk}:") and c.kind == "Changed"
    ]
    assert ("status", "Exception notice: plan not met", "Remedied") in status_changes[0].fields


@pytest.mark.parametrize(
    "person,status",
    [
        ("commissioner", 200),
        ("admin", 200),
        ("network_manager_a", 403),
        ("provider_a", 403),
        ("lay_partner", 403),
        ("outsider", 403),
        ("provider_b", 403),
    ],
)
def test_history_page_is_for_the_commissioner_and_admins(system, contract, client, person, status):
    client.force_login(getattr(system, person))
    response = client.get(reverse("outcomes:contract-history", args=[contract.pk]))
    assert response.status_code == status
    if status == 200:
        assert "Change history" in response.content.decode()


def test_another_commissioners_contract_history_is_404(system, client):
    client.force_login(system.commissioner)
    response = client.get(reverse("outcomes:contract-history", args=[system.contract_b.pk]))
    assert response.status_code == 404


def test_history_page_costs_a_fixed_number_of_queries(
    system, contract, metric, client, django_assert_max_num_queries
):
    client.force_login(system.commissioner)
    with django_assert_max_num_queries(14):
        client.get(reverse("outcomes:contract-history", args=[contract.pk]))
    for month in range(1, 13):
        services.record_actual_cost(
            user=system.commissioner,
            contract=contract,
            month=D(2025, month, 1),
            amount=Decimal(month),
        )
    with django_assert_max_num_queries(14):
        response = client.get(reverse("outcomes:contract-history", args=[contract.pk]))
    assert len(response.context["changes"]) >= 12
