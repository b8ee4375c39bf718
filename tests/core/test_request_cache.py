"""The data scope is worked out once per request and never outlives it
(core.request_cache, contracts.access.data_scope)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.access import data_scope
from core.request_cache import RequestCacheMiddleware, per_request
from tests.factories import OrganisationFactory, add_member


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


def test_outside_a_request_the_scope_is_the_rule_itself(system):
    """A Celery task or command gets a lazy subquery: no query of its own,
    and a change made after it was built is seen when it is evaluated."""
    with CaptureQueriesContext(connection) as captured:
        scope = data_scope(system.network_manager_a)
    assert len(captured) == 0
    add_member(system.network_a, OrganisationFactory(code="PNEW"))
    assert codes(scope) == {"NETA", "PA1", "PA2", "PNEW"}


def test_in_a_request_the_scope_is_worked_out_once():
    calls = []

    def view(request):
        first = per_request("key", lambda: calls.append(1) or "value")
        second = per_request("key", lambda: calls.append(2) or "other")
        return (first, second)

    assert RequestCacheMiddleware(view)(None) == ("value", "value")
    assert calls == [1]
    assert per_request("key", lambda: "after") is None  # gone with the request


def test_a_change_between_requests_is_seen_by_the_next(system, api_client):
    """The same user object across two requests (as force_authenticate
    reuses it): the second request works the scope out afresh."""
    api_client.force_authenticate(system.network_manager_a)
    url = "/api/v1/organisations/"
    before = {row["code"] for row in api_client.get(url).json()["results"]}
    add_member(system.network_a, OrganisationFactory(code="PNEW"))
    after = {row["code"] for row in api_client.get(url).json()["results"]}
    assert after == before | {"PNEW"}


def test_scope_in_a_request_matches_the_rule(system, rf):
    """The ids kept for the request give the same organisations as the rule."""
    for person in ("commissioner", "network_manager_a", "provider_a", "lay_partner"):
        user = getattr(system, person)
        rule = codes(data_scope(user))
        in_request = RequestCacheMiddleware(lambda request, user=user: codes(data_scope(user)))
        assert in_request(rf.get("/")) == rule, person
