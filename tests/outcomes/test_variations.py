"""Variations of an agreed contract's metric terms (docs/contracts.md,
Variations): either party proposes, the other agrees or rejects, nothing
changes before; an agreed variation adds a version from its month and the
scores are recalculated; a signed-off year is never changed."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from contracts.choices import Role
from incentives import services as incentive_services
from outcomes.choices import Channel, RunTrigger, VariationStatus
from outcomes.models import ContractMetric, ScoreRun, Variation
from outcomes.services import contract_terms, variations
from outcomes.services.submissions import submit
from tests.factories import MembershipFactory, MetricFactory, UserFactory
from tests.incentives_fixtures import year_one_fixture  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
D = dt.date
VARIATIONS = "/api/v1/variations/"


def proposal(contract, **changes):
    return {
        "contract": contract.pk,
        "metric": "EMADM",
        "effective_from": "2025-10-01",
        "minimum_threshold": "28",
        "target": "20",
        "reason": "Winter plan agreed at the quarterly review",
        **changes,
    }


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def terms_on(contract, day):
    return (
        ContractMetric.objects.in_force_on(day)
        .filter(contract=contract)
        .values_list("minimum_threshold", "target")
        .get()
    )


def test_the_network_proposes_and_the_commissioner_agrees(system, api_client, contract, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    submit(
        user=system.provider_a,
        channel=Channel.API,
        name="nov.csv",
        content=b"metric_code,organisation_code,period_start,numerator,denominator,value\n"
        b"EMADM,PA1,2025-11-01,25,1000,\n",
    )
    response = as_user(api_client, system.network_manager_a).post(
        VARIATIONS, proposal(contract), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["proposed_by_organisation"]) == ("proposed", "NETA")
    # Nothing changes until the commissioner agrees.
    assert terms_on(contract, D(2025, 11, 1)) == (Decimal(30), Decimal(22))
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = as_user(api_client, system.commissioner).post(
            f"{VARIATIONS}{body['id']}/accept/", format="json"
        )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted" and response.json()["version"]
    assert terms_on(contract, D(2025, 11, 1)) == (Decimal(28), Decimal(20))
    assert terms_on(contract, D(2025, 9, 1)) == (
        Decimal(30),
        Decimal(22),
    )  # earlier months keep theirs
    # The page or call that agreed it queued the recalculation, which ran.
    assert ScoreRun.objects.filter(contract=contract, trigger=RunTrigger.VARIATION).exists()
    version = ContractMetric.objects.get(pk=response.json()["version"])
    assert version.reason.startswith("Variation agreed: Winter plan")


@pytest.mark.parametrize(
    "who, status",
    [
        ("network_manager_a", 403),  # its own proposal
        ("provider_a", 403),  # a member reads, does not answer
        ("provider_b", 404),
        ("lay_partner", 403),
        ("outsider", 403),
    ],
)
def test_only_the_other_party_answers(system, api_client, contract, who, status):
    variation = variations.propose_variation(
        user=system.network_manager_a,
        contract=contract,
        metric=contract.metric_versions.get().metric,
        effective_from=D(2025, 10, 1),
        minimum_threshold=28,
        target=20,
        reason="Winter plan",
    )
    client = as_user(api_client, getattr(system, who))
    for step, body in (("accept", {}), ("reject", {"reason": "No"})):
        response = client.post(f"{VARIATIONS}{variation.pk}/{step}/", body, format="json")
        assert response.status_code == status, (step, response.content)
    variation.refresh_from_db()
    assert variation.status == VariationStatus.PROPOSED
    assert contract.metric_versions.count() == 1


def test_members_and_strangers_cannot_propose(system, api_client, contract):
    response = as_user(api_client, system.provider_a).post(
        VARIATIONS, proposal(contract), format="json"
    )
    assert response.status_code == 403
    other = UserFactory(username="other_commissioner")
    MembershipFactory(
        user=other, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    response = as_user(api_client, other).post(VARIATIONS, proposal(contract), format="json")
    assert response.status_code == 400 and "contract" in response.json()
    assert not Variation.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"effective_from": "2023-04-01"}, "effective_from"),  # before the contract
        ({"reason": " "}, "reason"),
        ({"target": "28"}, "target"),  # equal to the minimum
        ({"target": "35"}, "target"),  # lower is better: target above the minimum
    ],
)
def test_a_bad_proposal_names_the_field_and_saves_nothing(
    system, api_client, contract, changes, field
):
    response = as_user(api_client, system.commissioner).post(
        VARIATIONS, proposal(contract, **changes), format="json"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Variation.objects.exists()


def test_one_open_proposal_per_metric(system, contract):
    metric = contract.metric_versions.get().metric
    fields = dict(
        contract=contract, metric=metric, minimum_threshold=28, target=20, reason="Winter"
    )
    variations.propose_variation(user=system.commissioner, effective_from=D(2025, 10, 1), **fields)
    with pytest.raises(ValidationError) as refused:
        variations.propose_variation(
            user=system.network_manager_a, effective_from=D(2026, 1, 1), **fields
        )
    assert "already waiting" in refused.value.message_dict["metric"][0]


def test_rejecting_needs_a_reason_and_changes_no_terms(system, api_client, contract):
    variation = variations.propose_variation(
        user=system.commissioner,
        contract=contract,
        metric=contract.metric_versions.get().metric,
        effective_from=D(2025, 10, 1),
        minimum_threshold=28,
        target=20,
        reason="Tighter",
    )
    url = f"{VARIATIONS}{variation.pk}/reject/"
    client = as_user(api_client, system.network_manager_a)
    assert client.post(url, {"reason": ""}, format="json").status_code == 400
    response = client.post(url, {"reason": "Not achievable before the new teams start"})
    assert response.status_code == 200
    assert response.json()["response"] == "Not achievable before the new teams start"
    assert contract.metric_versions.count() == 1
    # Answered: no second answer, no withdrawal.
    again = as_user(api_client, system.commissioner).post(f"{VARIATIONS}{variation.pk}/withdraw/")
    assert again.status_code == 400 and "rejected" in again.json()["status"][0]


def test_the_proposer_withdraws_and_then_nothing_can_be_agreed(system, api_client, contract):
    variation = variations.propose_variation(
        user=system.network_manager_a,
        contract=contract,
        metric=contract.metric_versions.get().metric,
        effective_from=D(2025, 10, 1),
        minimum_threshold=28,
        target=20,
        reason="Tighter",
    )
    assert (
        as_user(api_client, system.commissioner)
        .post(f"{VARIATIONS}{variation.pk}/withdraw/")
        .status_code
        == 403
    )  # not the proposer
    assert (
        as_user(api_client, system.network_manager_a)
        .post(f"{VARIATIONS}{variation.pk}/withdraw/")
        .status_code
        == 200
    )
    response = as_user(api_client, system.commissioner).post(f"{VARIATIONS}{variation.pk}/accept/")
    assert response.status_code == 400 and "withdrawn" in response.json()["status"][0]
    assert contract.metric_versions.count() == 1


def test_a_signed_off_year_is_never_varied(system, contract, year_one):
    settlement = incentive_services.compute_settlement(contract_year=year_one)
    incentive_services.sign_off(user=system.commissioner, settlement=settlement)
    metric = contract.metric_versions.get().metric
    fields = dict(
        contract=contract, metric=metric, minimum_threshold=28, target=20, reason="Backdated"
    )
    with pytest.raises(ValidationError) as refused:
        variations.propose_variation(
            user=system.commissioner, effective_from=D(2024, 10, 1), **fields
        )
    assert "Year 1" in refused.value.message_dict["effective_from"][0]
    # From year two it may go ahead.
    variations.propose_variation(user=system.commissioner, effective_from=D(2025, 4, 1), **fields)


def test_agreed_terms_change_only_by_a_variation(system, contract):
    with pytest.raises(ValidationError) as refused:
        contract_terms.set_contract_metric(
            user=system.commissioner,
            contract=contract,
            metric=MetricFactory(code="NEWM"),
            effective_from=D(2025, 4, 1),
            minimum_threshold=1,
            target=2,
        )
    assert "variation" in refused.value.message_dict["contract"][0]


def test_a_metric_added_by_variation(system, contract):
    metric = MetricFactory(code="FALLS", name="Falls per 1,000")
    variation = variations.propose_variation(
        user=system.network_manager_a,
        contract=contract,
        metric=metric,
        effective_from=D(2026, 4, 1),
        minimum_threshold=9,
        target=6,
        reason="The network proposes to be held to falls too",
    )
    variations.accept_variation(user=system.commissioner, variation=variation)
    assert contract.metric_versions.filter(metric=metric, effective_from=D(2026, 4, 1)).exists()


# --- Pages ---


def test_propose_and_agree_on_the_pages(client, system, contract):
    client.force_login(system.network_manager_a)
    detail = reverse("outcomes:contract-detail", args=[contract.pk])
    new = reverse("outcomes:variation-create", args=[contract.pk])
    assert f'href="{new}"' in client.get(detail).content.decode()
    metric = contract.metric_versions.get().metric
    body = {
        "metric": metric.pk,
        "effective_from": "2025-10",
        "minimum_threshold": "28",
        "target": "40",
        "reason": "Winter plan",
    }
    response = client.post(new, body)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    response = client.post(new, {**body, "target": "20"}, follow=True)
    html = response.content.decode()
    assert "changes nothing until the other party agrees it" in html
    variation = Variation.objects.get()
    assert "Agree the variation" not in html  # the proposer does not answer
    client.force_login(system.commissioner)
    url = reverse("outcomes:variation-detail", args=[variation.pk])
    assert "Agree the variation" in client.get(url).content.decode()
    html = client.post(url, {"step": "accept"}, follow=True).content.decode()
    assert "new terms apply from October 2025" in html
    assert terms_on(contract, D(2025, 11, 1)) == (Decimal(28), Decimal(20))
    # The member reads the variation, cannot answer it.
    client.force_login(system.provider_a)
    assert client.get(url).status_code == 200
    assert client.post(url, {"step": "reject", "reason": "x"}).status_code == 403


# --- Concurrency (PostgreSQL: two connections) ---


@pytest.mark.django_db(transaction=True)
def test_concurrent_agreements_leave_one_version(postgres_url, system, contract):
    variation = variations.propose_variation(
        user=system.network_manager_a,
        contract=contract,
        metric=contract.metric_versions.get().metric,
        effective_from=D(2025, 10, 1),
        minimum_threshold=28,
        target=20,
        reason="Tighter",
    )
    second = UserFactory(username="commissioner_2")
    MembershipFactory(user=second, organisation=system.commissioner_org, role=Role.COMMISSIONER)
    start = threading.Barrier(2)
    outcomes = []

    def run(user):
        try:
            start.wait()
            variations.accept_variation(user=user, variation=variation)
            outcomes.append("agreed")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["status"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in (system.commissioner, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == 2 and outcomes.count("agreed") == 1
    assert "already been agreed" in next(o for o in outcomes if o != "agreed")
    assert contract.metric_versions.count() == 2
