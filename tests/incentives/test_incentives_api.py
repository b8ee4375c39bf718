"""The incentive-schemes and settlements API through DRF's client: scoping
for every role, running, sign-off and comments as actions, what-if without
saving, field errors with nothing saved, and fixed query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import ActualCost, ContractYear
from incentives import services
from incentives.models import IncentiveScheme, Settlement, SettlementComment
from tests.incentives_fixtures import (  # noqa: F401 (fixtures)
    DEFAULT_BANDS,
    DEFAULT_CORRIDORS,
    year_one_fixture,
)

SCHEMES = reverse("api:incentive-scheme-list")
SETTLEMENTS = reverse("api:settlement-list")
WHAT_IF = reverse("api:settlement-what-if")


def as_user(client, user):
    client.force_authenticate(user)
    return client


@pytest.fixture
def settlement(year_one):
    return services.compute_settlement(contract_year=year_one)


def scheme_body(contract, **changes):
    body = {
        "contract": contract.pk,
        "effective_from_year": 2,
        "bands": DEFAULT_BANDS,
        "corridors": DEFAULT_CORRIDORS,
        "indicators": [{"metric": "EMADM", "minimum": 30, "maximum": 20, "weight": "1.25"}],
        "at_risk_percents": ["0", "10", "10", "15", "15"],
        "reason": "Year 2 terms",
    }
    return {**body, **changes}


@pytest.mark.parametrize(
    ("who", "count"),
    [
        ("admin", 1),
        ("commissioner", 1),
        ("network_manager_a", 1),
        ("provider_a", 0),
        ("provider_b", 0),
        ("lay_partner", 0),
        ("outsider", 0),
    ],
)
def test_lists_are_scoped_to_the_parties(api_client, system, settlement, who, count):
    client = as_user(api_client, getattr(system, who))
    assert client.get(SETTLEMENTS).data["count"] == count
    assert client.get(SCHEMES).data["count"] == count
    detail = client.get(reverse("api:settlement-detail", args=[settlement.pk]))
    assert detail.status_code == (200 if count else 404)


def test_anonymous_is_refused(api_client, settlement):
    assert api_client.get(SETTLEMENTS).status_code in (401, 403)
    assert api_client.get(SCHEMES).status_code in (401, 403)


def test_settlement_detail_shows_every_line(api_client, system, settlement):
    data = (
        as_user(api_client, system.network_manager_a)
        .get(reverse("api:settlement-detail", args=[settlement.pk]))
        .data
    )
    assert data["status"] == "draft"
    assert data["net_transfer"] == "378000.00"
    assert data["score"] == "65.00"
    lines = {line["key"]: line for line in data["lines"]}
    assert lines["gain_share_network"]["amount"] == "300000.00"
    assert lines["gain_share_network"]["recipient"] == "network"
    assert lines["gain_share_network"]["inputs"]["savings"] == "600000.00"
    assert lines["quality_EMADM"]["rule_version"].startswith("scheme v1 /")
    assert data["inputs"]["budget"] == "12000000.00"


def test_scheme_detail_has_its_rules(api_client, system, settlement):
    data = as_user(api_client, system.commissioner).get(SCHEMES).data["results"][0]
    assert data["version"] == 1
    assert data["is_used"] is True
    assert [band["network_share"] for band in data["bands"]] == [
        "25.000",
        "50.000",
        "65.000",
        "80.000",
    ]
    assert data["corridors"][-1]["upper"] is None
    assert data["indicators"] == [
        {"metric": "EMADM", "minimum": "30.0000", "maximum": "20.0000", "weight": "1.250"}
    ]


def test_the_commissioner_creates_a_version(api_client, system, contract, settlement):
    response = as_user(api_client, system.commissioner).post(
        SCHEMES,
        scheme_body(
            contract,
            gateway_score="45",
            bands=[{"lower": 45, "upper": 60, "network_share": 20}, *DEFAULT_BANDS[1:]],
        ),
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["version"] == 2
    assert response.data["gateway_score"] == "45.000"
    assert response.data["is_used"] is False


@pytest.mark.parametrize("who", ["network_manager_a", "provider_a", "lay_partner"])
def test_others_cannot_create_a_version(api_client, system, contract, who):
    response = as_user(api_client, getattr(system, who)).post(
        SCHEMES, scheme_body(contract, effective_from_year=1), format="json"
    )
    assert response.status_code in (400, 403)  # 400: the contract is not theirs to name
    assert not IncentiveScheme.objects.exists()


def test_bad_scheme_is_a_400_naming_the_field(api_client, system, contract):
    overlapping = [{"lower": 40, "upper": 70, "network_share": 25}, *DEFAULT_BANDS[1:]]
    response = as_user(api_client, system.commissioner).post(
        SCHEMES,
        scheme_body(contract, effective_from_year=1, bands=overlapping, penalty_cap="-1"),
        format="json",
    )
    assert response.status_code == 400
    assert "overlaps" in " ".join(response.data["bands"])
    assert "below zero" in " ".join(response.data["penalty_cap"])
    assert not IncentiveScheme.objects.exists()


def test_a_version_reaching_back_over_a_signed_off_year_is_a_400(
    api_client, system, contract, settlement
):
    # Year 1 is a draft; year 2 (costed, unscored) is signed off.
    for month in range(12):
        day = dt.date(2025 + (month + 3) // 12, (month + 3) % 12 + 1, 1)
        ActualCost.objects.create(contract=contract, month=day, amount=Decimal("950000"))
    year_two = services.compute_settlement(contract_year=contract.years.get(number=2))
    services.sign_off(user=system.commissioner, settlement=year_two)
    response = as_user(api_client, system.commissioner).post(
        SCHEMES, scheme_body(contract, effective_from_year=1), format="json"
    )
    assert response.status_code == 400
    assert "Year 2 is signed off" in " ".join(response.data["effective_from_year"])
    assert IncentiveScheme.objects.count() == 1


def test_the_commissioner_runs_a_settlement_on_demand(api_client, system, contract, year_one):
    client = as_user(api_client, system.commissioner)
    response = client.post(SETTLEMENTS, {"contract": contract.pk, "year": 1}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["net_transfer"] == "378000.00"
    again = client.post(SETTLEMENTS, {"contract": contract.pk, "year": 1}, format="json")
    assert again.data["computed_at"] == response.data["computed_at"]  # idempotent
    missing = client.post(SETTLEMENTS, {"contract": contract.pk, "year": 9}, format="json")
    assert missing.status_code == 400 and "no year 9" in missing.data["year"][0]
    network = as_user(api_client, system.network_manager_a).post(
        SETTLEMENTS, {"contract": contract.pk, "year": 1}, format="json"
    )
    assert network.status_code == 403


def test_sign_off_action(api_client, system, settlement):
    url = reverse("api:settlement-sign-off", args=[settlement.pk])
    assert as_user(api_client, system.network_manager_a).post(url).status_code == 403
    response = as_user(api_client, system.commissioner).post(url)
    assert response.status_code == 200
    assert response.data["status"] == "signed_off"
    assert response.data["signed_off_by"] == "commissioner"
    assert as_user(api_client, system.commissioner).post(url).status_code == 400


def test_sign_off_refused_after_inputs_changed(api_client, system, settlement):
    ActualCost.objects.filter(month=dt.date(2025, 3, 1)).update(amount=Decimal("1"))
    response = as_user(api_client, system.commissioner).post(
        reverse("api:settlement-sign-off", args=[settlement.pk])
    )
    assert response.status_code == 400
    assert "inputs have changed" in response.data["inputs_digest"][0]
    assert Settlement.objects.get().status == "draft"


def test_comment_action(api_client, system, settlement):
    url = reverse("api:settlement-comment", args=[settlement.pk])
    response = as_user(api_client, system.network_manager_a).post(
        url, {"text": "We disagree with March."}, format="json"
    )
    assert response.status_code == 201
    assert response.data["comments"][0]["organisation"] == "NETA"
    assert as_user(api_client, system.provider_b).post(url, {"text": "x"}).status_code == 404
    assert as_user(api_client, system.network_manager_a).post(url, {"text": ""}).status_code == 400
    assert SettlementComment.objects.count() == 1


def test_what_if_recomputes_without_saving(api_client, system, settlement):
    client = as_user(api_client, system.network_manager_a)
    response = client.get(WHAT_IF, {"settlement": settlement.pk, "score": "92"})
    assert response.status_code == 200, response.data
    assert response.data["network_savings_share"] == "480000.00"
    assert response.data["score"] == "92.00"
    assert response.data["actual_cost"] == "11400000.00"
    over = client.get(
        WHAT_IF, {"settlement": settlement.pk, "score": "25", "actual_cost": "12600000"}
    ).data
    # 5% overspend: 2% at 50% (120,000) + 3% at 25% (90,000); penalty 5 points (60,000).
    assert over["network_overspend_share"] == "210000.00"
    assert over["penalty"] == "60000.00"
    assert over["support_plan"] is True
    assert {line["key"] for line in over["lines"]} >= {"risk_share_1", "penalty"}
    settlement.refresh_from_db()
    assert settlement.net_transfer == Decimal("378000.00")
    assert settlement.history.count() == 1


def test_what_if_checks_role_scope_and_input(api_client, system, settlement):
    params = {"settlement": settlement.pk, "score": "80"}
    assert as_user(api_client, system.provider_a).get(WHAT_IF, params).status_code == 403
    other = settlement.pk + 1000
    assert (
        as_user(api_client, system.commissioner).get(WHAT_IF, {"settlement": other}).status_code
        == 404
    )
    bad = as_user(api_client, system.commissioner).get(
        WHAT_IF, {"settlement": settlement.pk, "score": "120"}
    )
    assert bad.status_code == 400 and "score" in bad.data


def add_settled_years(system, contract, count):
    """`count` more contract years of another contract, each settled."""
    from tests.factories import ContractFactory, add_contract_years

    extra = ContractFactory(commissioner=system.commissioner_org, provider=system.network_a)
    years = add_contract_years(extra, [Decimal("1000000")] * 5)[:count]
    services.create_scheme_version(
        user=system.commissioner,
        contract=extra,
        effective_from_year=1,
        bands=DEFAULT_BANDS,
        corridors=DEFAULT_CORRIDORS,
        quality_pot=0,
    )
    for year in years:
        for month in range(12):
            day = dt.date(
                year.start_date.year + (year.start_date.month - 1 + month) // 12,
                (year.start_date.month - 1 + month) % 12 + 1,
                1,
            )
            ActualCost.objects.create(contract=extra, month=day, amount=Decimal("80000"))
        services.compute_settlement(contract_year=ContractYear.objects.get(pk=year.pk))


def test_lists_take_a_fixed_number_of_queries(
    api_client, system, contract, settlement, django_assert_max_num_queries
):
    client = as_user(api_client, system.commissioner)

    def counted(url):
        with django_assert_max_num_queries(8) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    small = (counted(SETTLEMENTS), counted(SCHEMES))
    add_settled_years(system, contract, 3)
    assert Settlement.objects.count() == 4
    assert (counted(SETTLEMENTS), counted(SCHEMES)) == small
    detail = reverse("api:settlement-detail", args=[settlement.pk])
    with django_assert_max_num_queries(8):
        assert client.get(detail).status_code == 200
