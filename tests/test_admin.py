import pytest
from django.urls import reverse

from contracts.models import Membership, Organisation


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:contracts_organisation_changelist",
        "admin:contracts_membership_changelist",
        "admin:contracts_contract_changelist",
        "admin:auth_user_changelist",
    ],
)
def test_admin_pages_open(system, client, url_name):
    client.force_login(system.admin)
    assert client.get(reverse(url_name)).status_code == 200


def test_admin_adds_a_network_with_a_member_and_a_manager(system, client):
    client.force_login(system.admin)
    response = client.post(
        reverse("admin:contracts_organisation_add"),
        {
            "code": "NETC",
            "name": "Network C",
            "kind": "network",
            "commissioner_type": "",
            "is_active": "on",
            "member_links-TOTAL_FORMS": "1",
            "member_links-INITIAL_FORMS": "0",
            "member_links-0-provider": system.pb1.pk,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": system.outsider.pk,
            "memberships-0-role": "network_manager",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    network = Organisation.objects.get(code="NETC")
    assert list(network.members.values_list("code", flat=True)) == ["PB1"]
    assert Membership.objects.get(user=system.outsider).role == "network_manager"


def test_admin_rejects_a_role_in_the_wrong_kind_of_organisation(system, client):
    client.force_login(system.admin)
    response = client.post(
        reverse("admin:contracts_membership_add"),
        {"user": system.outsider.pk, "organisation": system.pa1.pk, "role": "commissioner"},
    )
    assert response.status_code == 200
    assert "A commissioner must belong to a commissioner." in response.content.decode()
    assert not Membership.objects.filter(user=system.outsider).exists()


def test_non_staff_cannot_open_admin(system, client):
    client.force_login(system.commissioner)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
