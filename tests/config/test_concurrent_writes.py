"""The same write sent several times at once, each through the API on its own
connection, as a client that retries or two people at the same moment would:
on PostgreSQL, a month's actual cost and a contract metric's terms from one
date (which a unique constraint holds once: the losers were IntegrityError
500s)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from contracts.models import ActualCost
from outcomes.models import ContractMetric

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


def test_one_version_of_terms_sent_at_once_is_kept_once(postgres_url, system, contract):
    """A version from a date exists once: the first is created (201), the
    others are the 400 a later request gets, naming effective_from."""
    metric = contract.metric_versions.get().metric
    body = {
        "contract": contract.pk,
        "metric": metric.code,
        "effective_from": "2025-04-01",
        "minimum_threshold": "30",
        "target": "20",
        "reason": "A tighter target from year two",
    }
    answers = post_together(system.commissioner, "/api/v1/contract-metrics/", [body] * TOGETHER)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [400] * (TOGETHER - 1), [a.content[:300] for a in answers]
    for answer in answers:
        if answer.status_code == 400:
            assert answer.json() == {
                "effective_from": ["A version from this date exists: choose another date."]
            }
    assert ContractMetric.objects.filter(contract=contract, metric=metric).count() == 2
