"""Incentive pages through Django's test client: who sees what, the scheme
form (a new version, and bad input shown on the page with nothing saved),
the settlement page with its lines, the what-if without JavaScript,
sign-off and comments, and a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import ActualCost
from incentives import services
from incentives.models import IncentiveScheme, Settlement, SettlementComment
from tests.incentives_fixtures import year_one_fixture  # noqa: F401 (fixture)

HOME = reverse("incentives:home")


@pytest.fixture
def settlement(year_one):
    return services.compute_settlement(contract_year=year_one)


def page(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("commissioner", 200),
        ("network_manager_a", 200),
        ("provider_a", 404),
        ("provider_b", 404),
        ("lay_partner", 403),
        ("outsider", 403),
    ],
)
def test_settlement_and_contract_pages_per_role(client, system, settlement, who, status):
    user = getattr(system, who)
    assert page(
        client, user, reverse("incentives:settlement-detail", args=[settlement.pk])
    ).status_code == (status)
    contract_page = page(
        client, user, reverse("incentives:contract", args=[settlement.contract_id])
    )
    assert contract_page.status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, settlement):
    response = client.get(reverse("incentives:settlement-detail", args=[settlement.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_home_lists_the_parties_contracts(client, system, settlement):
    content = page(client, system.network_manager_a, HOME).content.decode()
    assert "CON-A" in content and "£378,000.00" in content
    assert "CON-B" not in content
    assert "not a party" in page(client, system.provider_a, HOME).content.decode()


def test_settlement_page_explains_every_line(client, system, settlement):
    content = page(
        client,
        system.network_manager_a,
        reverse("incentives:settlement-detail", args=[settlement.pk]),
    ).content.decode()
    assert "Network&#x27;s share of savings" in content
    assert "£300,000.00" in content
    assert "score 65.00 is in band 60-75: the network keeps 50% of savings" in content
    assert "retained-share-data" in content  # the chart's figure
    assert "Sign off the settlement" not in content  # the network cannot sign off
    assert "Add comment" in content
    assert "What if?" in content


def test_what_if_without_javascript(client, system, settlement):
    url = reverse("incentives:settlement-detail", args=[settlement.pk])
    content = page(client, system.commissioner, url, score="92").content.decode()
    assert "What if: net transfer £558,000.00" in content  # 80% of £600,000 + £78,000
    assert Settlement.objects.get().net_transfer == Decimal("378000.00")
    bad = page(client, system.commissioner, url, score="150").content.decode()
    assert "There is a problem" in bad
    assert "What if: net" not in bad


def test_commissioner_signs_off_and_comments_close(client, system, settlement):
    url = reverse("incentives:settlement-detail", args=[settlement.pk])
    client.force_login(system.network_manager_a)
    client.post(url, {"action": "comment", "text": "Please check March."})
    assert SettlementComment.objects.get().organisation == system.network_a
    assert client.post(url, {"action": "sign_off"}).status_code == 403
    client.force_login(system.commissioner)
    response = client.post(url, {"action": "sign_off"}, follow=True)
    assert "Settlement signed off" in response.content.decode()
    assert Settlement.objects.get().is_signed_off
    content = client.get(url).content.decode()
    assert "Comments closed" in content and "Please check March." in content


def test_a_comment_holding_an_nhs_number_is_refused_on_the_page(client, system, settlement):
    """As through the API: Concord holds aggregate data only (core.inputs)."""
    url = reverse("incentives:settlement-detail", args=[settlement.pk])
    client.force_login(system.network_manager_a)
    response = client.post(url, {"action": "comment", "text": "Patient 943 476 5919 moved."})
    assert response.status_code == 200
    assert response.context["comment_form"].errors["text"] == [
        "Your comment looks like it holds an NHS number. Concord holds aggregate data only: "
        "remove patient identifiers."
    ]
    assert not SettlementComment.objects.exists()


def test_sign_off_after_changed_inputs_is_refused_on_the_page(client, system, settlement):
    ActualCost.objects.filter(month=dt.date(2025, 3, 1)).update(amount=Decimal("1"))
    client.force_login(system.commissioner)
    url = reverse("incentives:settlement-detail", args=[settlement.pk])
    response = client.post(url, {"action": "sign_off"}, follow=True)
    assert "inputs have changed" in response.content.decode()
    assert not Settlement.objects.get().is_signed_off


def test_the_commissioner_runs_a_year_from_the_contract_page(client, system, contract, year_one):
    client.force_login(system.commissioner)
    url = reverse("incentives:contract", args=[contract.pk])
    response = client.post(url, {"year": 1})
    settlement = Settlement.objects.get()
    assert response.url == reverse("incentives:settlement-detail", args=[settlement.pk])
    client.force_login(system.network_manager_a)
    assert client.post(url, {"year": 1}).status_code == 403


def form_data(client, system, contract):
    """The scheme form as the page fills it in, from its initial values."""
    response = page(
        client, system.commissioner, reverse("incentives:scheme-create", args=[contract.pk])
    )
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else str(value)
    return data


def test_scheme_form_creates_a_version_from_the_defaults(client, system, contract):
    data = form_data(client, system, contract)
    assert data["gateway_score"] == "40" and data["band_4_share"] == "80"
    data.update(
        indicator_1_metric="EMADM",
        indicator_1_minimum="30",
        indicator_1_maximum="20",
        indicator_1_weight="1.25",
        at_risk_percents="0, 10, 10, 15, 15",
    )
    response = client.post(reverse("incentives:scheme-create", args=[contract.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    scheme = IncentiveScheme.objects.get()
    assert [b.network_share for b in scheme.bands.all()] == [25, 50, 65, 80]
    assert scheme.at_risk_percents == ["0", "10", "10", "15", "15"]
    assert scheme.indicators.get().metric.code == "EMADM"


def test_scheme_form_shows_rule_errors_and_saves_nothing(client, system, contract):
    data = form_data(client, system, contract)
    data.update(band_2_lower="55", penalty_cap="-1")  # overlaps band 1; cap below zero
    response = client.post(reverse("incentives:scheme-create", args=[contract.pk]), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Band 2 starts at 55: it overlaps the band before." in content
    assert "The penalty cap must not be below zero." in content
    assert not IncentiveScheme.objects.exists()


def test_only_the_commissioner_opens_the_scheme_form(client, system, contract):
    url = reverse("incentives:scheme-create", args=[contract.pk])
    assert page(client, system.network_manager_a, url).status_code == 403
    assert page(client, system.outsider, url).status_code == 403


def test_home_takes_a_fixed_number_of_queries(
    client, system, contract, settlement, django_assert_max_num_queries
):
    from tests.incentives.test_incentives_api import add_settled_years

    client.force_login(system.commissioner)
    client.get(HOME)  # warm the session
    with django_assert_max_num_queries(12) as first:
        assert client.get(HOME).status_code == 200
    add_settled_years(system, contract, 3)
    with django_assert_max_num_queries(12) as second:
        assert client.get(HOME).status_code == 200
    assert len(second) == len(first)
