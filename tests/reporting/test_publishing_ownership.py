"""Whose scorecards these are (issue 21): a contract's scorecard is published
only about an agreed contract's provider, by that contract's commissioner
(or an admin): never by another commissioner holding a contract with the
same network, never about a draft, an offer or a declined or withdrawn
contract, and of a terminated contract only its months up to the
termination. Through the publish page and the service (there is no
publishing API: /api/v1/scorecards/ only reads)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from contracts.choices import ContractStatus, Role
from reporting import contract_publishing
from reporting.models import PublishedScorecard
from tests.dashboard_data import seed
from tests.factories import ContractFactory, MembershipFactory, UserFactory

D = dt.date
MAY = D(2025, 5, 1)
SUMMARY = "Admissions are falling; waits are steady."


@pytest.fixture
def scored(system, contract):
    return seed(system, contract, metrics=2, months=14)


@pytest.fixture
def rival(system):
    """QOTH's commissioner, holding its own agreed contract with network A."""
    person = UserFactory(username="commissioner_b")
    MembershipFactory(
        user=person, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    ContractFactory(
        reference="CON-A2", commissioner=system.other_commissioner_org, provider=system.network_a
    )
    return person


def publish(system, contract, user, period=MAY):
    return contract_publishing.publish(
        user=user,
        contract=contract,
        organisation=system.network_a,
        period=period,
        summary=SUMMARY,
    )


def publish_page(contract, period=MAY):
    return f"{reverse('reporting:scorecard-publish')}?contract={contract.pk}&period={period:%Y-%m}"


def test_another_commissioner_of_the_network_cannot_publish_its_scorecard(
    client, system, contract, scored, rival
):
    client.force_login(rival)
    assert client.get(publish_page(contract)).status_code == 404
    response = client.post(publish_page(contract), {"title": "Ours", "summary": SUMMARY})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        publish(system, contract, rival)
    assert not PublishedScorecard.objects.exists()
    # Its dashboard offers only its own contract, and no scorecard of CON-A.
    response = client.get(reverse("reporting:dashboard"), {"contract": contract.pk})
    assert response.context["selection"].contract.reference == "CON-A2"


@pytest.mark.parametrize(
    "status",
    [
        ContractStatus.DRAFT,
        ContractStatus.OFFERED,
        ContractStatus.DECLINED,
        ContractStatus.WITHDRAWN,
    ],
)
def test_a_contract_not_agreed_has_no_scorecard(client, system, contract, scored, status):
    type(contract).objects.filter(pk=contract.pk).update(status=status)
    contract.refresh_from_db()
    for user in (system.commissioner, system.admin):
        with pytest.raises(ValidationError) as refused:
            publish(system, contract, user)
        assert "CON-A is not agreed" in refused.value.message_dict["contract"][0]
    client.force_login(system.commissioner)
    assert client.get(publish_page(contract)).status_code == 404
    assert client.post(publish_page(contract), {"summary": SUMMARY}).status_code == 404
    assert not PublishedScorecard.objects.exists()


def test_a_terminated_contracts_months_up_to_its_termination_are_published(
    client, system, contract, scored
):
    type(contract).objects.filter(pk=contract.pk).update(
        status=ContractStatus.TERMINATED,
        terminated_on=D(2025, 4, 15),
        termination_reason="Service moved",
    )
    contract.refresh_from_db()
    client.force_login(system.commissioner)
    page = client.get(publish_page(contract))
    assert page.status_code == 200
    html = page.content.decode()
    assert "The contract had ended by this month" in html
    assert "CON-A was terminated on 15 April 2025: its months up to then may be published" in html
    assert "Publish the scorecard</button>" not in html
    response = client.post(publish_page(contract), {"title": "Ours", "summary": SUMMARY})
    assert response.status_code == 200
    assert "CON-A was terminated on 15 April 2025" in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        publish(system, contract, system.commissioner)
    assert "not May 2025" in refused.value.message_dict["period"][0]
    assert not PublishedScorecard.objects.exists()
    # April, the month it ended in, is published.
    april = D(2025, 4, 1)
    response = client.post(
        publish_page(contract, april), {"title": "Network A, April 2025", "summary": SUMMARY}
    )
    assert response.status_code == 302
    assert PublishedScorecard.objects.get().period_start == april


def test_the_service_rereads_the_contract_before_publishing(system, contract, scored):
    """A termination recorded after the contract was read still stops it."""
    type(contract).objects.filter(pk=contract.pk).update(
        status=ContractStatus.TERMINATED, terminated_on=D(2025, 1, 31)
    )
    assert contract.status == ContractStatus.ACCEPTED  # the caller's stale copy
    with pytest.raises(ValidationError) as refused:
        publish(system, contract, system.commissioner)
    assert "was terminated on 31 January 2025" in refused.value.message_dict["period"][0]
    assert not PublishedScorecard.objects.exists()
