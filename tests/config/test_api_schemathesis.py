"""schemathesis against the OpenAPI schema served at /api/schema/ by a live
server: every operation, with data generated from the schema, must never
answer 5xx, and every answer must conform to the schema (a documented status
code and content type, a body and headers that match).

The server holds a realistic system (the `system` fixture, a scored and
costed contract year, an incentive scheme and its settlement, a notice, a
meeting series with an action, a published scorecard). The calls are made
with a knox token by an admin, who sees every row, and then by people whose
scope is narrower (a commissioner, a network manager), whose refusals (403,
404) must be documented answers too. Each operation is tried twice: with
data that fits the schema, aimed at a real row when the path names one, and
with data that does not (which must be a 4xx, never a 5xx). Examples are few
per operation and derandomized, so every run sends the same requests."""

import socket

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contracts.api_tokens import create_token
from tests.api_fixtures import api_data_fixture  # noqa: F401 (fixture)
from tests.incentives_fixtures import year_one_fixture  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Examples per operation, fewer for the scoped people: their runs are there
# for the refusals and the narrower lists, which a few examples reach.
CALLERS = {
    "admin": (10, 5),
    "commissioner": (4, 2),
    "network_manager_a": (3, 2),
}
# Seconds any one request may take, the schema's included: schemathesis's
# default is 10 s (requests' timeout), and on a busy machine building the
# schema once took longer. A slow machine should make the run slower, not red;
# a server that hangs still fails, after two minutes.
TIMEOUT = 120


def operations(schema):
    """Every operation, deletions last so they do not empty the others' rows."""
    found = [result.ok() for result in schema.get_all_operations()]
    return sorted(found, key=lambda operation: operation.method.upper() == "DELETE")


def a_real_id(session, base_url, operation):
    """The id of a row the caller can see, for `/things/{id}/...` operations."""
    if "{id}" not in operation.path:
        return None
    collection = operation.path.split("{id}")[0]
    response = session.get(base_url + collection, timeout=TIMEOUT)
    if response.status_code != 200:
        return None
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return rows[0]["id"] if rows and "id" in rows[0] else None


def exercise(operation, session, base_url, mode, path_parameters, max_examples):
    """Run one operation's generated cases; the first failure as text, or None."""

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        case.call_and_validate(base_url=base_url, session=session, checks=CHECKS, timeout=TIMEOUT)

    try:
        run()
    except Unsatisfiable:
        return None  # no parameter can be invalid (a free-text path segment): nothing to send
    except (Exception, BaseExceptionGroup) as failure:  # each operation's failure is reported
        causes = failure.exceptions if isinstance(failure, BaseExceptionGroup) else ()
        detail = "".join(f"\n  - {type(cause).__name__}: {cause}" for cause in causes)
        return f"{operation.label} ({mode.value}): {failure}{detail}"
    return None


@pytest.mark.parametrize("caller", CALLERS)
def test_every_operation_conforms_to_the_schema_and_never_fails(live_server, api_data, caller):
    positive, negative = CALLERS[caller]
    # The server listens on localhost's IPv4 address; naming that address
    # spares every request a lookup that tries IPv6 first (tenfold slower).
    thread = live_server.thread
    base_url = f"http://{socket.gethostbyname(thread.host)}:{thread.port}"
    _, token = create_token(getattr(api_data, caller))
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/", timeout=TIMEOUT)

    failures = []
    checked = 0
    for operation in operations(schema):
        real_id = a_real_id(session, base_url, operation)
        runs = [(GenerationMode.POSITIVE, {"id": real_id} if real_id else None, positive)]
        if operation.path_parameters or operation.query or operation.body:
            runs.append((GenerationMode.NEGATIVE, None, negative))  # something to get wrong
        for mode, path_parameters, examples in runs:
            failure = exercise(operation, session, base_url, mode, path_parameters, examples)
            if failure:
                failures.append(failure)
        checked += 1
    session.close()  # its kept-alive connections would hold the test database open

    assert checked > 80, "the schema lists fewer operations than the API has"
    assert not failures, f"{len(failures)} failing:\n\n" + "\n\n".join(failures)
