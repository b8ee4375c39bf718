"""Concerns the provider side raises about a commissioner, as evidence in its
assessment: only notices against the commissioner (raised by the other
party on its own contracts), only those raised in the assessed year, never
another commissioner's; listed on the scorecard page and API under
competency 10, and marked as evidence on the notice page for the network
that raised it."""

import datetime as dt

from django.urls import reverse

from assurance import evidence
from contracts import notices
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
)
from tests.factories import MembershipFactory, UserFactory

D = dt.date


def raise_on(user, contract, on, title):
    return notices.raise_notice(
        user=user,
        contract=contract,
        title=title,
        concern="Payments for the new pathway are three months late.",
        raised_on=on,
        obligations="Payment terms",
    )


def test_only_notices_against_the_commissioner_in_the_year(system, assessment):
    against = raise_on(system.network_manager_a, system.contract_a, D(2026, 3, 2), "Late payment")
    raise_on(system.commissioner, system.contract_a, D(2026, 4, 1), "Raised by the ICB")
    raise_on(system.network_manager_a, system.contract_a, D(2025, 12, 31), "The year before")
    manager_b = UserFactory(username="nm_b")
    MembershipFactory(user=manager_b, organisation=system.network_b, role="network_manager")
    raise_on(manager_b, system.contract_b, D(2026, 3, 2), "Against the other ICB")
    assert evidence.notices_against(assessment) == [against]


def test_scorecard_page_and_api_list_them_under_competency_10(
    client, api_client, system, assessment
):
    notice = raise_on(system.network_manager_a, system.contract_a, D(2026, 5, 4), "Late payment")
    client.force_login(system.commissioner)
    page = client.get(reverse("assurance:scorecard", args=[assessment.pk])).content.decode()
    assert "Concerns raised by providers and networks" in page
    assert "1 notice raised against the commissioner in 2026" in page
    assert "Late payment" in page and "Raised: meeting due" in page
    api_client.force_authenticate(system.admin)
    card = api_client.get(f"/api/v1/assessment-rounds/{assessment.pk}/scorecard/").json()
    assert card["notices"] == [
        {
            "id": notice.pk,
            "contract": "CON-A",
            "raised_by": "NETA",
            "raised_on": "2026-05-04",
            "title": "Late payment",
            "status": "raised",
            "competency": 10,
        }
    ]
    api_client.force_authenticate(system.network_manager_a)
    assert (
        api_client.get(f"/api/v1/assessment-rounds/{assessment.pk}/scorecard/").status_code == 404
    )


def test_the_network_sees_its_notice_counted_as_evidence(client, system):
    theirs = raise_on(system.network_manager_a, system.contract_a, D(2026, 3, 2), "Late payment")
    ours = raise_on(system.commissioner, system.contract_a, D(2026, 3, 2), "Admissions")
    client.force_login(system.network_manager_a)
    page = client.get(reverse("contracts:notice-detail", args=[theirs.pk])).content.decode()
    assert "Counted as evidence in Test ICB's commissioner assessment for 2026" in page
    page = client.get(reverse("contracts:notice-detail", args=[ours.pk])).content.decode()
    assert "Counted as evidence" not in page
