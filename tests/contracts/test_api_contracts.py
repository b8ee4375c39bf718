"""The contracts API: commissioners create contracts with their years and
version their metrics' terms; everyone else reads only what they are party to."""

import datetime as dt
from decimal import Decimal

import pytest

from contracts.choices import ContractStatus
from contracts.models import Contract, ContractYear, PopulationGroup
from outcomes.models import ContractMetric
from tests.factories import ContractFactory, OrganisationFactory, add_contract_years

D = dt.date
CONTRACTS = "/api/v1/contracts/"
METRICS = "/api/v1/contract-metrics/"


@pytest.fixture
def agreed_a(system):
    """CON-A agreed, with its five years."""
    add_contract_years(system.contract_a, [Decimal("1200000.00")] * 5, Decimal("1100000.00"))
    return system.contract_a


@pytest.fixture
def years_a(system):
    """CON-A (April 2024 to March 2029) with its five years, as a draft: the
    commissioner sets its terms before offering it (agreed terms change only
    by a variation, tests/outcomes/test_variations.py)."""
    add_contract_years(system.contract_a, [Decimal("1200000.00")] * 5, Decimal("1100000.00"))
    Contract.objects.filter(pk=system.contract_a.pk).update(status=ContractStatus.DRAFT)
    system.contract_a.refresh_from_db()
    return system.contract_a


def new_contract(**overrides):
    return {
        "reference": "CON-NEW",
        "title": "Frailty services",
        "commissioner": "QCOM",
        "provider": "NETB",
        "service": "Frailty services for people aged 75+",
        "start_date": "2025-04-01",
        "end_date": "2027-03-31",
        "payment_model": "capitated_outcomes",
        "years": [
            {"contract_value": "2400000.00", "planned_budget": "2300000.00"},
            {"contract_value": "2500000.00", "planned_budget": "2350000.00"},
        ],
        **overrides,
    }


def version(of, **overrides):
    return {
        "contract": of.pk,
        "metric": "EMADM",
        "effective_from": "2024-04-01",
        "minimum_threshold": "40",
        "target": "30",
        "baseline": "42.5",
        "weight": "2",
        **overrides,
    }


# --- Creating a contract ---


def test_commissioner_creates_a_contract_with_its_years(system, api_client, db):
    group = PopulationGroup.objects.create(name="People aged 75+")
    api_client.force_authenticate(system.commissioner)
    response = api_client.post(
        CONTRACTS, new_contract(population_group=group.pk, withholding_percent="1.5"), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"] == "CON-NEW"
    assert (body["commissioner"], body["provider"]) == ("QCOM", "NETB")
    assert body["population_group"] == group.pk
    assert body["years"] == [
        {
            "number": 1,
            "start_date": "2025-04-01",
            "end_date": "2026-03-31",
            "contract_value": "2400000.00",
            "planned_budget": "2300000.00",
            "monthly_value": "200000.00",
        },
        {
            "number": 2,
            "start_date": "2026-04-01",
            "end_date": "2027-03-31",
            "contract_value": "2500000.00",
            "planned_budget": "2350000.00",
            "monthly_value": "208333.33",
        },
    ]
    # Contract-management terms: the given cap, GC9 defaults for the rest.
    assert body["withholding_percent"] == "1.50"
    assert (body["meeting_due_days"], body["plan_due_days"], body["retain_after_months"]) == (
        10,
        5,
        3,
    )
    assert body["metrics_in_force"] == []
    contract = Contract.objects.get(reference="CON-NEW")
    assert contract.created_by == system.commissioner
    assert api_client.get(f"{CONTRACTS}{contract.pk}/").json() == body


def test_a_contract_needs_one_value_per_year_and_nothing_is_saved_otherwise(system, api_client):
    api_client.force_authenticate(system.commissioner)
    response = api_client.post(
        CONTRACTS, new_contract(years=[new_contract()["years"][0]]), format="json"
    )
    assert response.status_code == 400
    assert "runs for 2 year(s)" in response.json()["years"][0]
    assert not Contract.objects.filter(reference="CON-NEW").exists()
    assert not ContractYear.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_date": "2025-01-01"}, "end_date"),  # model clean, via the service
        ({"commissioner": "NETB"}, "commissioner"),  # not a commissioner
        ({"provider": "NOPE"}, "provider"),  # no such organisation
        ({"reference": "CON-A"}, "reference"),  # taken
        ({"payment_model": "barter"}, "payment_model"),
        ({"years": [{"contract_value": "-1", "planned_budget": "1"}]}, "years"),
    ],
)
def test_contract_validation_errors_name_the_field(system, api_client, overrides, field):
    api_client.force_authenticate(system.commissioner)
    response = api_client.post(CONTRACTS, new_contract(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Contract.objects.filter(title="Frailty services").exists()


@pytest.mark.parametrize(
    "person", ["network_manager_a", "provider_a", "lay_partner", "outsider", None]
)
def test_only_commissioners_create_contracts(system, api_client, person):
    if person:
        api_client.force_authenticate(getattr(system, person))
    response = api_client.post(CONTRACTS, new_contract(), format="json")
    assert response.status_code in ((401, 403) if person is None else (403,))
    assert not Contract.objects.filter(reference="CON-NEW").exists()


def test_a_commissioner_cannot_create_a_contract_for_another_commissioner(system, api_client):
    api_client.force_authenticate(system.commissioner)
    response = api_client.post(CONTRACTS, new_contract(commissioner="QOTH"), format="json")
    assert response.status_code == 403
    assert not Contract.objects.filter(reference="CON-NEW").exists()


# --- Reading contracts ---


def test_contract_detail_shows_years_terms_and_metrics_in_force_today(
    system, api_client, agreed_a, metric
):
    ContractMetric.objects.create(
        contract=agreed_a,
        metric=metric,
        effective_from=D(2024, 4, 1),
        minimum_threshold=40,
        target=30,
    )
    current = ContractMetric.objects.create(
        contract=agreed_a,
        metric=metric,
        effective_from=D(2025, 10, 1),
        minimum_threshold=38,
        target=28,
    )
    ContractMetric.objects.create(  # not yet in force
        contract=agreed_a,
        metric=metric,
        effective_from=D(2028, 4, 1),
        minimum_threshold=36,
        target=26,
    )
    api_client.force_authenticate(system.provider_a)  # a member of the contract's network
    body = api_client.get(f"{CONTRACTS}{agreed_a.pk}/").json()
    assert [year["number"] for year in body["years"]] == [1, 2, 3, 4, 5]
    assert body["years"][0]["start_date"] == "2024-04-01"
    assert body["withholding_percent"] == "2.00"
    assert [(m["id"], m["metric"], m["target"]) for m in body["metrics_in_force"]] == [
        (current.pk, "EMADM", "28.0000")
    ]


def test_contract_filters(system, api_client):
    other = ContractFactory(
        reference="CON-C",
        commissioner=system.commissioner_org,
        provider=system.network_b,
        payment_model=Contract.PaymentModel.BLOCK,
        start_date=D(2020, 4, 1),
        end_date=D(2023, 3, 31),
    )
    api_client.force_authenticate(system.commissioner)

    def references(**params):
        response = api_client.get(CONTRACTS, params)
        assert response.status_code == 200
        return {row["reference"] for row in response.json()["results"]}

    assert references() == {"CON-A", "CON-C"}
    assert references(commissioner="QCOM") == {"CON-A", "CON-C"}
    assert references(commissioner="QOTH") == set()  # not theirs: scoped first
    assert references(provider="NETB") == {other.reference}
    assert references(payment_model="block") == {"CON-C"}
    assert references(active_on="2022-06-01") == {"CON-C"}
    assert references(active_on="2026-06-01") == {"CON-A"}
    assert references(active_on="2030-01-01") == set()


def test_contract_list_costs_a_fixed_number_of_queries(
    system, api_client, django_assert_max_num_queries
):
    api_client.force_authenticate(system.commissioner)
    with django_assert_max_num_queries(2):  # count, page joined to both parties
        assert api_client.get(CONTRACTS).json()["count"] == 1
    for n in range(15):
        ContractFactory(
            commissioner=system.commissioner_org,
            provider=OrganisationFactory(code=f"PX{n:02d}"),
        )
    with django_assert_max_num_queries(2):
        assert api_client.get(CONTRACTS).json()["count"] == 16


# --- Contract metrics: versions, never rewritten ---


def test_commissioner_adds_a_metric_to_a_contract(system, api_client, years_a, metric):
    api_client.force_authenticate(system.commissioner)
    response = api_client.post(METRICS, version(years_a, accountable="commissioner"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["metric"] == "EMADM"
    assert body["contract"] == years_a.pk
    assert (body["minimum_threshold"], body["target"], body["baseline"]) == (
        "40.0000",
        "30.0000",
        "42.5000",
    )
    assert body["accountable"] == "commissioner"
    assert body["created_by"] == "commissioner"
    assert ContractMetric.objects.get(pk=body["id"]).created_by == system.commissioner


def test_a_mid_year_change_adds_a_version_and_keeps_the_old_one(
    system, api_client, years_a, metric
):
    api_client.force_authenticate(system.commissioner)
    first = api_client.post(METRICS, version(years_a), format="json").json()
    change = version(
        years_a,
        effective_from="2025-10-01",
        minimum_threshold="38",
        target="27",
        reason="Agreed at the October review",
    )
    second = api_client.post(METRICS, change, format="json")
    assert second.status_code == 201, second.json()
    second = second.json()

    def in_force(day):
        response = api_client.get(METRICS, {"contract": years_a.pk, "in_force_on": day})
        return [(row["id"], row["target"]) for row in response.json()["results"]]

    assert in_force("2025-09-30") == [(first["id"], "30.0000")]
    assert in_force("2025-10-01") == [(second["id"], "27.0000")]
    assert in_force("2024-03-31") == []  # before any version
    # Both versions are kept, the first exactly as it was.
    rows = api_client.get(METRICS, {"metric": "EMADM"}).json()["results"]
    assert [row["id"] for row in rows] == [first["id"], second["id"]]
    assert api_client.get(f"{METRICS}{first['id']}/").json() == first


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"target": "45"}, "target"),  # lower is better: target must be below the minimum
        ({"effective_from": "2030-01-01"}, "effective_from"),  # outside the contract
        ({"metric": "NOPE"}, "metric"),
        ({"contract": 999999}, "contract"),
        ({"minimum_threshold": "forty"}, "minimum_threshold"),
    ],
)
def test_metric_version_errors_name_the_field(
    system, api_client, years_a, metric, overrides, field
):
    api_client.force_authenticate(system.commissioner)
    response = api_client.post(METRICS, version(years_a, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ContractMetric.objects.exists()


def test_a_change_needs_a_reason_and_cannot_predate_a_later_version(
    system, api_client, years_a, metric
):
    api_client.force_authenticate(system.commissioner)
    api_client.post(METRICS, version(years_a, effective_from="2025-04-01"), format="json")
    response = api_client.post(
        METRICS, version(years_a, effective_from="2025-10-01"), format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    response = api_client.post(
        METRICS, version(years_a, effective_from="2024-10-01", reason="Backdated"), format="json"
    )
    assert response.status_code == 400
    assert "effective_from" in response.json()
    response = api_client.post(
        METRICS, version(years_a, effective_from="2025-04-01", reason="Same day"), format="json"
    )
    assert response.status_code == 400
    assert "versions are never rewritten" in response.json()["effective_from"][0]
    assert ContractMetric.objects.count() == 1


def test_versions_are_never_rewritten(system, api_client, years_a, metric):
    api_client.force_authenticate(system.commissioner)
    row = api_client.post(METRICS, version(years_a), format="json").json()
    url = f"{METRICS}{row['id']}/"
    assert api_client.put(url, version(years_a, target="20"), format="json").status_code == 405
    assert api_client.patch(url, {"target": "20"}, format="json").status_code == 405
    assert api_client.delete(url).status_code == 405
    assert ContractMetric.objects.get().target == Decimal("30")


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("network_manager_a", 403),  # a party, but only the commissioner sets terms
        ("provider_a", 403),
        ("lay_partner", 403),
        ("outsider", 403),
    ],
)
def test_only_the_commissioner_versions_metrics(
    system, api_client, years_a, metric, person, status
):
    api_client.force_authenticate(getattr(system, person))
    response = api_client.post(METRICS, version(years_a), format="json")
    assert response.status_code == status
    assert not ContractMetric.objects.exists()


def test_another_commissioner_cannot_version_a_contract_it_does_not_hold(
    system, api_client, years_a, metric
):
    from contracts.choices import Role
    from tests.factories import MembershipFactory, UserFactory

    other = UserFactory(username="other_commissioner")
    MembershipFactory(
        user=other, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    api_client.force_authenticate(other)
    response = api_client.post(METRICS, version(years_a), format="json")
    assert response.status_code == 400  # CON-A does not exist as far as they can tell
    assert "contract" in response.json()
    assert not ContractMetric.objects.exists()


def test_contract_metrics_are_scoped(system, api_client, agreed_a, metric):
    row = ContractMetric.objects.create(
        contract=agreed_a,
        metric=metric,
        effective_from=D(2024, 4, 1),
        minimum_threshold=40,
        target=30,
    )
    expected = {
        "admin": 200,
        "commissioner": 200,
        "network_manager_a": 200,
        "provider_a": 200,
        "provider_b": 404,
        "lay_partner": 404,
        "outsider": 404,
    }
    for person, status in expected.items():
        api_client.force_authenticate(getattr(system, person))
        listed = api_client.get(METRICS).json()["results"]
        assert [r["id"] for r in listed] == ([row.pk] if status == 200 else []), person
        assert api_client.get(f"{METRICS}{row.pk}/").status_code == status, person
    api_client.force_authenticate(None)
    assert api_client.get(METRICS).status_code in (401, 403)


def test_contract_metric_list_costs_a_fixed_number_of_queries(
    system, api_client, agreed_a, metric, django_assert_max_num_queries
):
    api_client.force_authenticate(system.network_manager_a)
    ContractMetric.objects.create(
        contract=agreed_a,
        metric=metric,
        effective_from=D(2024, 4, 1),
        minimum_threshold=40,
        target=30,
    )
    with django_assert_max_num_queries(2):  # count, page joined to contract, metric, author
        assert api_client.get(METRICS).json()["count"] == 1
    for n in range(12):
        ContractMetric.objects.create(
            contract=agreed_a,
            metric=metric,
            effective_from=D(2024, 5, 1) + dt.timedelta(days=n),
            minimum_threshold=40,
            target=30,
            created_by=system.commissioner,
        )
    with django_assert_max_num_queries(2):
        assert api_client.get(METRICS).json()["count"] == 13
    with django_assert_max_num_queries(2):
        assert api_client.get(METRICS, {"in_force_on": "2026-01-01"}).json()["count"] == 1
