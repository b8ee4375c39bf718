"""A contract's agreement (docs/contracts.md): nothing binds a provider, and
no data is shared, until the provider's people accept the commissioner's
offer. Through the API and the pages, with each party and outsiders."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from contracts import services
from contracts.access import data_scope
from contracts.choices import ContractStatus, Role
from contracts.models import Contract, PerformanceNotice
from outcomes.choices import Channel, RunTrigger
from outcomes.models import ScoreRun
from outcomes.services import contract_terms
from outcomes.services.submissions import submit
from tests.factories import (
    ContractFactory,
    MembershipFactory,
    MetricFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
CONTRACTS = "/api/v1/contracts/"


def step_url(contract, step):
    return f"{CONTRACTS}{contract.pk}/{step}/"


def new_contract(system, provider=None, **fields):
    """A draft from QCOM made through the API, as a commissioner would."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(system.commissioner)
    body = {
        "reference": fields.pop("reference", "CON-NEW"),
        "title": "Falls prevention",
        "commissioner": "QCOM",
        "provider": (provider or system.network_a).code,
        "service": "Falls prevention for older people",
        "start_date": "2025-04-01",
        "end_date": "2027-03-31",
        "payment_model": "capitated_outcomes",
        "years": [
            {"contract_value": "1000000.00", "planned_budget": "1000000.00"},
            {"contract_value": "1000000.00", "planned_budget": "1000000.00"},
        ],
        **fields,
    }
    response = client.post(CONTRACTS, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "draft"
    return Contract.objects.get(pk=response.json()["id"])


def post(api_client, user, contract, step, body=None):
    api_client.force_authenticate(user)
    return api_client.post(step_url(contract, step), body or {}, format="json")


def test_offer_accept_through_the_api(system, api_client):
    contract = new_contract(system)
    # The network does not see a draft at all.
    api_client.force_authenticate(system.network_manager_a)
    assert api_client.get(f"{CONTRACTS}{contract.pk}/").status_code == 404
    response = post(api_client, system.commissioner, contract, "offer")
    assert response.status_code == 200
    assert response.json()["status"] == "offered"
    assert response.json()["offered_at"]
    api_client.force_authenticate(system.network_manager_a)
    seen = api_client.get(f"{CONTRACTS}{contract.pk}/")
    assert seen.status_code == 200 and seen.json()["status"] == "offered"
    response = post(api_client, system.network_manager_a, contract, "accept")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    assert response.json()["answered_by"] == "nm_a"
    contract.refresh_from_db()
    assert contract.is_binding
    reasons = list(
        contract.history.order_by("history_date").values_list(
            "history_change_reason", "history_user__username"
        )
    )
    assert reasons[-2:] == [
        ("Offered to Network A", "commissioner"),
        ("Accepted by Network A", "nm_a"),
    ]


def test_naming_another_commissioners_network_grants_no_scope(system, api_client):
    """The access hole of issue 21: a contract naming any organisation as its
    provider used to widen the commissioner's data scope at once."""
    assert system.pb1 not in data_scope(system.commissioner)
    contract = new_contract(system, provider=system.network_b, reference="CON-GRAB")
    assert system.network_b not in data_scope(system.commissioner)
    assert post(api_client, system.commissioner, contract, "offer").status_code == 200
    assert system.pb1 not in data_scope(system.commissioner)
    # The commissioner cannot accept on the network's behalf, nor can an admin.
    for user in (system.commissioner, system.admin):
        response = post(api_client, user, contract, "accept")
        assert response.status_code == 403
        assert "provider's people" in response.json()["detail"]
    nm_b = UserFactory(username="nm_b")
    MembershipFactory(user=nm_b, organisation=system.network_b, role=Role.NETWORK_MANAGER)
    response = post(
        api_client, nm_b, contract, "decline", {"reason": "We hold a contract with QOTH"}
    )
    assert response.status_code == 200
    assert response.json()["decline_reason"] == "We hold a contract with QOTH"
    assert system.pb1 not in data_scope(system.commissioner)
    api_client.force_authenticate(system.commissioner)
    measurements = api_client.get("/api/v1/measurements/", {"organisation": "PB1"})
    assert measurements.status_code in (200, 400)
    if measurements.status_code == 200:
        assert measurements.json()["count"] == 0


def test_accepting_grants_the_scope(system, api_client):
    contract = new_contract(system, provider=system.network_b, reference="CON-B2")
    nm_b = UserFactory(username="nm_b")
    MembershipFactory(user=nm_b, organisation=system.network_b, role=Role.NETWORK_MANAGER)
    post(api_client, system.commissioner, contract, "offer")
    assert system.pb1 not in data_scope(system.commissioner)
    assert post(api_client, nm_b, contract, "accept").status_code == 200
    assert system.pb1 in data_scope(system.commissioner)


@pytest.mark.parametrize(
    "first, then, message",
    [
        ("accept", "accept", "already accepted"),
        ("withdraw", "accept", "withdrew this offer"),
        ("decline", "accept", "declined this offer"),
        ("accept", "withdraw", "already accepted"),
        ("accept", "offer", "already accepted"),
    ],
)
def test_a_step_out_of_turn_is_refused_and_changes_nothing(
    system, api_client, first, then, message
):
    contract = new_contract(system)
    post(api_client, system.commissioner, contract, "offer")
    actor = {"withdraw": system.commissioner, "offer": system.commissioner}
    body = {"reason": "Not now"} if first == "decline" else None
    assert post(api_client, actor.get(first, system.network_manager_a), contract, first, body)
    contract.refresh_from_db()
    before = (contract.status, contract.history.count())
    response = post(api_client, actor.get(then, system.network_manager_a), contract, then)
    assert response.status_code == 400
    assert message in response.json()["status"][0]
    contract.refresh_from_db()
    assert (contract.status, contract.history.count()) == before


@pytest.mark.parametrize(
    "who, status",
    [
        ("commissioner", 403),  # its own offer
        ("admin", 403),  # never on the provider's behalf
        ("provider_a", 404),  # a member of the network: offers are not theirs
        ("provider_b", 404),
        ("lay_partner", 403),
        ("outsider", 403),  # no role that writes contracts at all
    ],
)
def test_only_the_providers_people_answer(system, api_client, who, status):
    contract = new_contract(system)
    post(api_client, system.commissioner, contract, "offer")
    for step in ("accept", "decline"):
        response = post(api_client, getattr(system, who), contract, step, {"reason": "No"})
        assert response.status_code == status, (step, response.content)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.OFFERED


def test_a_single_providers_own_people_answer_for_it(system, api_client):
    provider = OrganisationFactory(code="PSOLO", name="Solo Provider")
    contract = new_contract(system, provider=provider, reference="CON-SOLO")
    post(api_client, system.commissioner, contract, "offer")
    person = UserFactory(username="solo")
    MembershipFactory(user=person, organisation=provider, role=Role.PROVIDER_USER)
    assert post(api_client, person, contract, "accept").status_code == 200


def test_declining_needs_a_reason(system, api_client):
    contract = new_contract(system)
    post(api_client, system.commissioner, contract, "offer")
    response = post(api_client, system.network_manager_a, contract, "decline", {"reason": " "})
    assert response.status_code == 400
    assert "reason" in response.json()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.OFFERED


def test_terms_are_fixed_while_the_provider_considers_them(system):
    metric = MetricFactory()
    contract = new_contract(system)
    contract_terms.set_contract_metric(
        user=system.commissioner,
        contract=contract,
        metric=metric,
        effective_from=contract.start_date,
        minimum_threshold=30,
        target=22,
    )
    services.offer_contract(user=system.commissioner, contract=contract)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        contract_terms.set_contract_metric(
            user=system.commissioner,
            contract=contract,
            metric=metric,
            effective_from=dt.date(2025, 10, 1),
            minimum_threshold=30,
            target=20,
            reason="Tighter",
        )
    assert "waiting for the provider" in refused.value.message_dict["contract"][0]


def test_terminating_needs_a_date_within_the_contract_and_a_reason(system, api_client):
    contract = system.contract_a
    response = post(
        api_client,
        system.network_manager_a,
        contract,
        "terminate",
        {"terminated_on": "2035-01-01", "reason": ""},
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"reason"}
    response = post(
        api_client,
        system.network_manager_a,
        contract,
        "terminate",
        {"terminated_on": "2035-01-01", "reason": "Service decommissioned"},
    )
    assert response.status_code == 400 and "terminated_on" in response.json()
    response = post(
        api_client,
        system.commissioner,
        contract,
        "terminate",
        {"terminated_on": "2026-03-31", "reason": "Service decommissioned"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "terminated"
    # Its months stay readable to both parties.
    assert system.pa1 in data_scope(system.commissioner)


def test_nothing_is_raised_on_an_offer(system):
    contract = new_contract(system)
    services.offer_contract(user=system.commissioner, contract=contract)
    from django.core.exceptions import ValidationError

    from contracts import notices

    with pytest.raises(ValidationError):
        notices.raise_notice(
            user=system.commissioner,
            contract=contract,
            title="Falling short",
            concern="x",
            raised_on=dt.date(2025, 6, 1),
            obligations="Reporting",
        )
    assert not PerformanceNotice.objects.filter(contract=contract).exists()


def test_accepting_scores_the_contract(system, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    contract = new_contract(system)
    contract_terms.set_contract_metric(
        user=system.commissioner,
        contract=contract,
        metric=MetricFactory(),
        effective_from=contract.start_date,
        minimum_threshold=30,
        target=22,
    )
    submit(
        user=system.provider_a,
        channel=Channel.API,
        name="may.csv",
        content=b"metric_code,organisation_code,period_start,numerator,denominator,value\n"
        b"EMADM,PA1,2025-05-01,25,1000,\n",
    )
    services.offer_contract(user=system.commissioner, contract=contract)
    assert not ScoreRun.objects.filter(contract=contract).exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.accept_offer(user=system.network_manager_a, contract=contract)
    runs = ScoreRun.objects.filter(contract=contract)
    assert runs.exists()
    assert set(runs.values_list("trigger", flat=True)) == {RunTrigger.AGREEMENT}


# --- Pages ---


def test_the_offer_on_the_providers_home_contract_list_and_agreement_page(client, system):
    contract = new_contract(system)
    services.offer_contract(user=system.commissioner, contract=contract)
    agreement = reverse("contracts:contract-agreement", args=[contract.pk])
    client.force_login(system.network_manager_a)
    for page in (reverse("home"), reverse("contracts:contract-list")):
        html = client.get(page).content.decode()
        assert f'href="{agreement}"' in html, page
    html = client.get(agreement).content.decode()
    assert "Accept the offer" in html and "Decline the offer" in html
    # A member provider sees neither the offer nor its page.
    client.force_login(system.provider_a)
    assert f'href="{agreement}"' not in client.get(reverse("home")).content.decode()
    assert client.get(agreement).status_code == 404


def test_accepting_and_declining_on_the_page(client, system):
    contract = new_contract(system)
    services.offer_contract(user=system.commissioner, contract=contract)
    url = reverse("contracts:contract-agreement", args=[contract.pk])
    client.force_login(system.network_manager_a)
    response = client.post(url, {"step": "decline", "reason": ""})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    response = client.post(url, {"step": "accept"}, follow=True)
    assert "Accepted: the contract is agreed" in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACCEPTED
    # A second accept (another tab) is refused on the page, not a crash.
    response = client.post(url, {"step": "accept"})
    assert response.status_code == 200
    assert "already accepted" in response.content.decode()
    assert client.post(url, {"step": "sign"}).status_code == 400


def test_the_commissioner_offers_on_the_page_and_the_contract_page_says_so(client, system):
    contract = new_contract(system)
    client.force_login(system.commissioner)
    detail = reverse("outcomes:contract-detail", args=[contract.pk])
    assert "A draft" in client.get(detail).content.decode()
    url = reverse("contracts:contract-agreement", args=[contract.pk])
    html = client.post(url, {"step": "offer"}, follow=True).content.decode()
    assert "Offered to Network A" in html
    html = client.get(detail).content.decode()
    assert "nothing in it binds Network A" in html
    # The network manager cannot use the commissioner's steps.
    client.force_login(system.network_manager_a)
    client.post(url, {"step": "withdraw"})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.OFFERED


def test_a_drafts_page_is_not_found_by_the_provider(client, system):
    contract = new_contract(system)
    client.force_login(system.network_manager_a)
    for name in ("contracts:contract-agreement", "outcomes:contract-detail"):
        assert client.get(reverse(name, args=[contract.pk])).status_code == 404


# --- Concurrency (PostgreSQL: two connections) ---


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_leave_one_acceptance(postgres_url, system):
    contract = ContractFactory(
        reference="CON-RACE",
        commissioner=system.commissioner_org,
        provider=system.network_a,
        status=ContractStatus.OFFERED,
    )
    second = UserFactory(username="nm_a2")
    MembershipFactory(user=second, organisation=system.network_a, role=Role.NETWORK_MANAGER)
    start = threading.Barrier(2)
    outcomes = []

    def run(user):
        from django.core.exceptions import ValidationError

        try:
            start.wait()
            services.accept_offer(user=user, contract=contract)
            outcomes.append("accepted")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["status"][0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(user,)) for user in (system.network_manager_a, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == 2 and outcomes.count("accepted") == 1
    refused = next(outcome for outcome in outcomes if outcome != "accepted")
    assert "already accepted" in refused
    assert contract.history.filter(history_change_reason__startswith="Accepted").count() == 1
