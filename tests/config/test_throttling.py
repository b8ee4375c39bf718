"""API throttling (issue 29, item 5): the rates config/settings.py states
hold, on the embedded default's local-memory cache and on Redis. The 121st
anonymous request in a minute is a 429 with Retry-After, whatever address
it claims in X-Forwarded-For; signed-in people are counted each on their
own, by session or token alike; behind a reverse proxy
(API_THROTTLE_PROXIES) callers are told apart by the address it reports.

Every other test runs with the rates raised (tests/conftest.py); these put
the stated ones back, each with a cache of its own."""

import time
import uuid
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework import throttling

from config import settings as stated
from config.caches import redis_cache
from config.env import redis_neighbour
from contracts.api_tokens import create_token

SCORECARDS = reverse("api:scorecard-list")  # public: anyone may read it
ME = reverse("api:me")
STATED = stated.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]


# The Redis case needs the service: marked so, the SQLite pass (which runs
# without Redis and with REQUIRE_SERVICES=1 in CI) leaves it to the
# PostgreSQL pass (tests/conftest.py).
@pytest.fixture(params=["local memory", pytest.param("redis", marks=pytest.mark.services)])
def fresh_cache(request, settings):
    """The embedded default's cache, or Redis, empty for this test. Redis
    gets a database other tests do not clear (the cache's is cleared by
    several of them), with a key prefix of this test's own."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_available")
        settings.CACHES = {
            "default": {
                **redis_cache(redis_neighbour(redis_neighbour(url))),
                "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}",
            }
        }
        assert cache.set("reachable", 1) and cache.get("reachable") == 1
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"throttle-test-{uuid.uuid4().hex}",
            }
        }
        cache.clear()
    return request.param


@pytest.fixture(autouse=True)
def _one_minute():
    """The throttles' clock stands still: every request of a test falls in the
    same minute however slow the machine is."""
    now = time.time()
    with mock.patch.object(throttling.SimpleRateThrottle, "timer", staticmethod(lambda: now)):
        yield


def rates(settings, **changes):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**STATED, **changes},
    }


def test_the_stated_rates_are_the_documented_ones():
    assert STATED == {"anon": "120/min", "user": "1200/min"}
    assert stated.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
    ]


def test_the_121st_anonymous_request_in_a_minute_is_refused(
    api_client, system, settings, fresh_cache
):
    rates(settings)
    for number in range(1, 121):
        response = api_client.get(SCORECARDS)
        assert response.status_code == 200, f"request {number} of 120"
    refused = api_client.get(SCORECARDS)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"]
    # Claiming another address changes nothing without a trusted proxy.
    spoofed = api_client.get(SCORECARDS, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert spoofed.status_code == 429
    # Signed-in people are counted apart from anonymous callers.
    api_client.force_login(system.provider_a)
    assert api_client.get(ME).status_code == 200


def test_each_person_has_their_own_count_by_session_or_token(
    api_client, system, settings, fresh_cache
):
    rates(settings, user="3/min")
    _, token = create_token(system.provider_a)
    api_client.force_login(system.provider_a)
    assert [api_client.get(ME).status_code for _ in range(2)] == [200, 200]
    api_client.logout()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(ME).status_code == 200  # the third, with a token
    refused = api_client.get(ME)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    api_client.credentials()
    api_client.force_login(system.provider_b)
    assert api_client.get(ME).status_code == 200


def test_behind_a_proxy_callers_are_told_apart_by_the_address_it_reports(
    api_client, system, settings, fresh_cache
):
    rates(settings, anon="2/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The proxy appends the address it saw to whatever the caller sent.
    first = {"HTTP_X_FORWARDED_FOR": "10.9.9.9, 198.51.100.1", "REMOTE_ADDR": "10.0.0.2"}
    second = {"HTTP_X_FORWARDED_FOR": "198.51.100.2", "REMOTE_ADDR": "10.0.0.2"}
    assert [api_client.get(SCORECARDS, **first).status_code for _ in range(3)] == [200, 200, 429]
    # The forged first entry is not what is counted.
    forged = {**first, "HTTP_X_FORWARDED_FOR": "10.1.1.1, 198.51.100.1"}
    assert api_client.get(SCORECARDS, **forged).status_code == 429
    assert api_client.get(SCORECARDS, **second).status_code == 200


def test_429_is_documented_for_every_operation(client, system):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = [
        operation
        for path in schema["paths"].values()
        for method, operation in path.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) > 80
    for operation in operations:
        throttled = operation["responses"]["429"]
        assert "Retry-After" in throttled["headers"], operation["operationId"]
