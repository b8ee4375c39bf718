"""The same write sent several times at once, each through the API on its own
connection, as a client that retries or two people at the same moment would,
on PostgreSQL: what a unique constraint holds once (a month's actual cost, a
contract metric's terms from one date, a contract's reference, a dimension's
name) is written once, and the others get the answer a request one moment
later gets, never a 500 (the losers were IntegrityError 500s)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from contracts.choices import ContractStatus
from contracts.models import ActualCost, Contract
from outcomes.models import ContractMetric, Dimension
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOGETHER = 6


def post_together(user, path: str, bodies: list[dict]) -> list:
    """POST each body from its own thread and connection, released at the
    same instant; the answers in order."""
    start = threading.Barrier(len(bodies))
    answers = [None] * len(bodies)

    def run(index, body):
        client = APIClient()
        client.raise_request_exception = False  # a 500 is an answer to check
        client.force_authenticate(user)
        try:
            start.wait()
            answers[index] = client.post(path, body, format="json")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_one_months_actual_cost_sent_at_once_is_recorded_then_corrected(
    postgres_url, system, contract
):
    """Posting a month again corrects it, so every copy succeeds: the first
    records it (201), the others queue behind it and correct it (200), and
    history keeps each figure."""
    amounts = [f"{950000 + n}.00" for n in range(TOGETHER)]
    answers = post_together(
        system.commissioner,
        "/api/v1/actual-costs/",
        [{"contract": contract.pk, "month": "2025-04-01", "amount": a} for a in amounts],
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * (TOGETHER - 1) + [201], [a.content[:300] for a in answers]
    cost = ActualCost.objects.get(contract=contract)
    assert cost.history.count() == TOGETHER
    last = max(cost.history.all(), key=lambda row: row.history_date)
    assert str(cost.amount) == str(last.amount)


def test_one_version_of_terms_sent_at_once_is_kept_once(postgres_url, system, metric):
    """A version from a date exists once: the first is created (201), the
    others are the 400 a later request gets, naming effective_from. (The
    commissioner sets terms while drafting; an agreed contract's change by a
    variation.)"""
    draft = ContractFactory(
        reference="CON-D",
        commissioner=system.commissioner_org,
        provider=system.network_a,
        status=ContractStatus.DRAFT,
    )
    body = {
        "contract": draft.pk,
        "metric": metric.code,
        "effective_from": "2025-04-01",
        "minimum_threshold": "30",
        "target": "20",
        "reason": "Agreed at the drafting meeting",
    }
    answers = post_together(system.commissioner, "/api/v1/contract-metrics/", [body] * TOGETHER)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [400] * (TOGETHER - 1), [a.content[:300] for a in answers]
    for answer in answers:
        if answer.status_code == 400:
            assert answer.json() == {
                "effective_from": ["A version from this date exists: choose another date."]
            }
    assert ContractMetric.objects.filter(contract=draft, metric=metric).count() == 1


def assert_kept_once(answers, field: str) -> None:
    """One 201; the others a 400 saying that `field` is taken, whether
    validation saw the other row or the database refused it
    (core.api.unique_violation)."""
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [400] * (TOGETHER - 1), [a.content[:300] for a in answers]
    for answer in answers:
        if answer.status_code == 400:
            assert list(answer.json()) == [field]
            assert "already exists" in answer.json()[field][0]


def test_one_contract_reference_sent_at_once_is_kept_once(postgres_url, system):
    """Any unique row written twice at once, here through a service that
    validates the reference inside its transaction."""
    body = {
        "reference": "CON-N",
        "title": "Falls prevention",
        "commissioner": "QCOM",
        "provider": "NETA",
        "service": "Falls prevention for older people",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "payment_model": "block",
        "years": [{"contract_value": "1000000.00", "planned_budget": "900000.00"}],
    }
    answers = post_together(system.commissioner, "/api/v1/contracts/", [body] * TOGETHER)
    assert_kept_once(answers, "reference")
    assert Contract.objects.filter(reference="CON-N").count() == 1


def test_one_dimension_sent_at_once_is_kept_once(postgres_url, system):
    """...and here through DRF's own create, which validates it before."""
    body = {"name": "Safety", "description": "Harm avoided", "weight": "1", "order": 2}
    answers = post_together(system.admin, "/api/v1/dimensions/", [body] * TOGETHER)
    assert_kept_once(answers, "name")
    assert Dimension.objects.filter(name="Safety").count() == 1
