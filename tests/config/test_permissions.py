"""The permission layer, seen through a sample page and endpoint: each role,
an outsider and an anonymous visitor get exactly what they should."""

import pytest
from django.urls import reverse

from core.api import ScopedViewSetMixin
from core.views import ScopedViewMixin

# Which organisation codes each person may see (system fixture in conftest):
# those in their data scope, their own, and the parties to their contracts.
VISIBLE = {
    "admin": {"QCOM", "QOTH", "NETA", "NETB", "PA1", "PA2", "PB1"},
    "commissioner": {"QCOM", "NETA", "PA1", "PA2"},
    "network_manager_a": {"NETA", "PA1", "PA2", "QCOM"},
    "provider_a": {"PA1", "NETA", "QCOM"},  # its network's contract is with QCOM
    "provider_b": {"PB1", "NETB", "QOTH"},
    "lay_partner": {"QCOM"},
    "outsider": set(),
}


@pytest.mark.parametrize("person", VISIBLE)
def test_organisation_api_lists_only_visible_organisations(system, api_client, person):
    api_client.force_authenticate(getattr(system, person))
    response = api_client.get("/api/v1/organisations/")
    assert response.status_code == 200
    assert {row["code"] for row in response.json()["results"]} == VISIBLE[person]


@pytest.mark.parametrize("person", VISIBLE)
def test_organisation_api_detail_is_404_outside_scope(system, api_client, person):
    api_client.force_authenticate(getattr(system, person))
    for organisation in (system.pa1, system.pb1, system.other_commissioner_org):
        response = api_client.get(f"/api/v1/organisations/{organisation.pk}/")
        expected = 200 if organisation.code in VISIBLE[person] else 404
        assert response.status_code == expected, (person, organisation.code)
        if expected == 404:
            assert organisation.name not in response.content.decode()


def test_anonymous_api_request_is_refused(system, api_client):
    assert api_client.get("/api/v1/organisations/").status_code in (401, 403)
    assert api_client.get(f"/api/v1/organisations/{system.pa1.pk}/").status_code in (401, 403)


def test_organisation_api_is_read_only(system, api_client):
    api_client.force_authenticate(system.admin)
    response = api_client.post("/api/v1/organisations/", {"code": "NEW", "name": "x"})
    assert response.status_code == 405


CONTRACTS_VISIBLE = {
    "admin": {"CON-A", "CON-B"},
    "commissioner": {"CON-A"},
    "network_manager_a": {"CON-A"},
    "provider_a": {"CON-A"},  # a member of network A sees its network's contract
    "provider_b": {"CON-B"},
    "lay_partner": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("person", CONTRACTS_VISIBLE)
def test_contract_api_lists_only_contracts_the_person_is_party_to(system, api_client, person):
    api_client.force_authenticate(getattr(system, person))
    response = api_client.get("/api/v1/contracts/")
    assert response.status_code == 200
    assert {row["reference"] for row in response.json()["results"]} == CONTRACTS_VISIBLE[person]


PAGE_STATUS = {
    # person: (list page status, codes visible on detail pages)
    "admin": 200,
    "commissioner": 200,
    "network_manager_a": 200,
    "provider_a": 200,
    "provider_b": 200,
    "lay_partner": 403,  # no private data for lay partners
    "outsider": 403,
}


@pytest.mark.parametrize("person", PAGE_STATUS)
def test_organisation_pages_are_scoped(system, client, person):
    client.force_login(getattr(system, person))
    response = client.get(reverse("contracts:organisation-list"))
    assert response.status_code == PAGE_STATUS[person]
    if response.status_code == 200:
        listed = {org.code for org in response.context["object_list"]}
        assert listed == VISIBLE[person]
    for organisation in (system.pa1, system.pb1):
        response = client.get(reverse("contracts:organisation-detail", args=[organisation.code]))
        if PAGE_STATUS[person] == 403:
            assert response.status_code == 403
        else:
            expected = 200 if organisation.code in VISIBLE[person] else 404
            assert response.status_code == expected, (person, organisation.code)


def test_anonymous_visitor_is_sent_to_sign_in(system, client):
    response = client.get(reverse("contracts:organisation-detail", args=["PA1"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_network_page_lists_members_only_as_far_as_the_viewer_may_see(system, client):
    client.force_login(system.provider_a)
    response = client.get(reverse("contracts:organisation-detail", args=["PA1"]))
    assert [n.code for n in response.context["networks"]] == ["NETA"]
    # A member opens its network's page and sees itself among the members,
    # not the other members, whose data is not theirs to see.
    response = client.get(reverse("contracts:organisation-detail", args=["NETA"]))
    assert response.status_code == 200
    assert [m.code for m in response.context["members"]] == ["PA1"]
    assert [c.reference for c in response.context["contracts"]] == ["CON-A"]
    client.force_login(system.network_manager_a)
    response = client.get(reverse("contracts:organisation-detail", args=["NETA"]))
    assert sorted(m.code for m in response.context["members"]) == ["PA1", "PA2"]


def test_scoped_classes_forbid_overriding_get_queryset():
    with pytest.raises(TypeError):

        class LeakyViewSet(ScopedViewSetMixin):  # noqa: F841
            def get_queryset(self):
                return None

    with pytest.raises(TypeError):

        class LeakyView(ScopedViewMixin):  # noqa: F841
            def get_queryset(self):
                return None


def test_organisation_list_costs_a_fixed_number_of_queries(
    system, api_client, django_assert_max_num_queries
):
    from tests.factories import OrganisationFactory, add_member

    api_client.force_authenticate(system.network_manager_a)
    with django_assert_max_num_queries(5):  # session-less: scope, count, page, prefetch members
        api_client.get("/api/v1/organisations/")
    for n in range(20):
        add_member(system.network_a, OrganisationFactory(code=f"PX{n:02d}"))
    with django_assert_max_num_queries(5):
        response = api_client.get("/api/v1/organisations/")
    assert response.json()["count"] == 24  # the network, 22 members, the commissioner
