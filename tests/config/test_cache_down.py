"""Redis down, for the cache: the dashboard, a published scorecard and the
API (whose throttling counts live in the cache) still answer, uncached.

The fault: the cache points at a port where nothing listens, with the same
options the settings give a real Redis cache (config.caches)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from config.caches import redis_cache
from reporting import contract_publishing
from tests.dashboard_data import seed

NOWHERE = "redis://127.0.0.1:9/0"  # the discard port: connections are refused


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": redis_cache(NOWHERE)}
    assert cache.get("anything") is None  # refused, and not raised


@pytest.fixture
def published(system, contract):
    seed(system, contract, metrics=3, months=14)
    return contract_publishing.publish(
        user=system.commissioner,
        contract=contract,
        organisation=system.network_a,
        period=dt.date(2025, 5, 1),
        summary="Fewer older people were admitted to hospital in an emergency.",
    )


def test_pages_and_the_api_answer_while_the_cache_is_down(
    client, api_client, system, contract, published, redis_down
):
    client.force_login(system.commissioner)
    dashboard = client.get(reverse("reporting:dashboard"), {"contract": contract.pk})
    assert dashboard.status_code == 200
    assert "Emergency admissions" in dashboard.content.decode()

    client.logout()
    scorecard = client.get(reverse("reporting:scorecard-detail", args=[published.pk]))
    assert scorecard.status_code == 200
    assert "Fewer older people were admitted" in scorecard.content.decode()

    listed = api_client.get(reverse("api:scorecard-list"))  # anonymous: throttled by cache
    assert listed.status_code == 200
    assert listed.json()["results"][0]["id"] == published.pk
