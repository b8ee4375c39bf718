"""The permission matrix: every page and API endpoint, every method it
accepts, for seven people, against one table of expected outcomes.

The routes come from the URL resolver (nested includes and the DRF router,
format-suffix variants too), so a new page or endpoint cannot escape:
`test_the_table_covers_every_route` fails until the table says who may use
it. Only Django admin (its own staff-only permission system), static files
and the sign-in/sign-out views are left out (see SKIPPED).

Each route with ids is requested twice: with side "a"'s rows (contract CON-A
of commissioner QCOM and network A) and side "b"'s (CON-B of QOTH and network
B). People outside a row's scope get 404, never data; side b's private text
carries a canary that must not appear in any response to them, whatever the
status. Unsafe methods are sent only where they must be refused (403, 404,
or the anonymous response), and the database must not change; successful
writes are the business of each app's own tests.
"""

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.permission_matrix_fixtures import CANARY, build

# --- People and the outcomes they can get ---

ROLES = ("anon", "lay", "provider_a", "provider_b", "nm_a", "commissioner", "admin")
USER_OF = {  # role -> attribute of the `system` fixture
    "lay": "lay_partner",
    "provider_a": "provider_a",
    "provider_b": "provider_b",
    "nm_a": "network_manager_a",
    "commissioner": "commissioner",
    "admin": "admin",
}
SIGNED_IN = frozenset(ROLES) - {"anon"}
PRIVATE = SIGNED_IN - {"lay"}  # contracts.access.PRIVATE_DATA_ROLES, and admins
MANAGERS = frozenset({"nm_a", "commissioner", "admin"})
COMMISSIONERS = frozenset({"commissioner", "admin"})
# Who may see each side's rows (contracts.access and the querysets' visible_to).
SEES_A = frozenset({"provider_a", "nm_a", "commissioner", "admin"})
SEES_B = frozenset({"provider_b", "admin"})
# Incentives are between a contract's two parties: not the network's members.
PARTIES_A = frozenset({"nm_a", "commissioner", "admin"})
PARTIES_B = frozenset({"admin"})
# Only these may ever see side b's canary text.
MAY_SEE_B = frozenset({"provider_b", "admin"})

OK, DENIED, MISSING, NOT_ALLOWED = 200, 403, 404, 405
LOGIN = "sign-in redirect"  # 302 to /accounts/login/
API_ANON = frozenset({401, 403})  # 401 with WWW-Authenticate when a token is possible
SKIP = None  # an allowed write: not sent here

UNSAFE = {"post", "put", "patch", "delete"}


def _outcomes(anon, allowed, sees, write, may_write=None):
    def outcome(role):
        if role == "anon":
            return anon
        if role not in allowed:
            return DENIED
        if role not in sees:
            return MISSING
        if write and (may_write is None or role in may_write):
            return SKIP
        return DENIED if write else OK

    return {role: outcome(role) for role in ROLES}


def _sides(anon, allowed, sees, a, b, write=False, may_write=None):
    """{variant: {role: outcome}}: variant None for a route without ids,
    "a" and "b" for one filled with each side's rows."""
    if a is None:
        return {None: _outcomes(anon, allowed, allowed if sees is None else sees, write, may_write)}
    return {
        "a": _outcomes(anon, allowed, a, write, may_write),
        "b": _outcomes(anon, allowed, b, write, may_write),
    }


def page(allowed=PRIVATE, *, sees=None, a=None, b=None):
    return _sides(LOGIN, allowed, sees, a, b)


def api(allowed=SIGNED_IN, *, sees=None, a=None, b=None):
    return _sides(API_ANON, allowed, sees, a, b)


def page_write(allowed=PRIVATE, *, sees=None, a=None, b=None, may_write=None):
    return _sides(LOGIN, allowed, sees, a, b, write=True, may_write=may_write)


def api_write(allowed=PRIVATE, *, sees=None, a=None, b=None, may_write=None):
    return _sides(API_ANON, allowed, sees, a, b, write=True, may_write=may_write)


def but(expected, **changes):
    """`expected` with some outcomes changed: but(page(...), a={"nm_a": DENIED})."""
    return {
        variant: {**outcomes, **changes.get(variant or "none", {})}
        for variant, outcomes in expected.items()
    }


def public(sided=False):
    every = dict.fromkeys(ROLES, OK)
    return {"a": every, "b": dict(every)} if sided else {None: every}


class Route:
    """Expected outcomes by method, and how to fill in the route's ids and query."""

    def __init__(self, kwargs=None, query=None, **methods):
        self.kwargs = kwargs or (lambda d, side: {})
        self.query = query or (lambda d, side: {})
        self.methods = {method.lower(): expected for method, expected in methods.items()}


def contract_id(d, side):
    return {"pk": side.contract.pk}


def pk_of(attribute):
    return lambda d, side: {"pk": getattr(side, attribute).pk}


def framework(d, side):  # shared reference data: the metric both sides use
    return {"pk": d.a.metric.pk}


def selection(d, side):
    return {"contract": side.contract.pk, "organisation": side.provider.pk}


def of_provider(d, side):
    return {"organisation": side.provider.code}


CONTRACT_PAGE = {"a": SEES_A, "b": SEES_B}
MEMBERS_REFUSED = {"a": {"provider_a": DENIED}, "b": {"provider_b": DENIED}}
ANY_SELECTION = {"a": PRIVATE, "b": PRIVATE}
NO_SUCH_PAGE = dict.fromkeys(PRIVATE, MISSING)
NOT_THEIRS = {"b": {"commissioner": DENIED}}
CHAIR_ONLY = {"a": {"provider_a": DENIED, "commissioner": DENIED}, "b": {"provider_b": DENIED}}
OWN_COMMISSIONER = {"a": COMMISSIONERS, "b": frozenset({"admin"})}
A_AND_B = {"a": SEES_A, "b": SEES_B}
PARTIES = {"a": PARTIES_A, "b": PARTIES_B}
# Assurance: a round is seen by its commissioner and the panel (admins); a
# 360 survey also by the people asked to answer it (QCOM's lay partner and
# network A's people; network B's for QOTH), who never see results.
PANEL = frozenset({"admin"})
ASSESSED = {"a": COMMISSIONERS, "b": PANEL}
ASKED_A = frozenset({"lay", "provider_a", "nm_a"})
ASKED = {"a": ASKED_A, "b": frozenset({"provider_b"})}
SURVEY_SEEN = {"a": ASKED_A | COMMISSIONERS, "b": frozenset({"provider_b", "admin"})}

# fmt: off
EXPECTED = {
    # --- config ---
    "home": Route(GET=public()),
    "healthz": Route(GET=public()),
    "api-schema": Route(GET=public()),  # the API's description, no data
    "api-docs": Route(GET=public()),
    # --- contracts ---
    "contracts:account": Route(GET=page(SIGNED_IN), POST=page_write(SIGNED_IN)),
    "contracts:organisation-list": Route(GET=page()),
    "contracts:organisation-detail": Route(
        lambda d, side: {"code": side.provider.code}, GET=page(**A_AND_B)),
    "contracts:contract-list": Route(GET=page()),
    "contracts:contract-create": Route(GET=page(COMMISSIONERS), POST=page_write(COMMISSIONERS)),
    "outcomes:contract-detail": Route(
        contract_id, GET=page(**CONTRACT_PAGE), POST=page_write(**CONTRACT_PAGE)),
    "outcomes:contract-metric-history": Route(
        lambda d, side: {"pk": side.contract.pk, "metric_id": side.metric.pk},
        GET=page(**CONTRACT_PAGE)),
    "outcomes:contract-history": Route(contract_id, GET=page(COMMISSIONERS, **OWN_COMMISSIONER)),
    # The audit trail filtered to a side's contract (page) or notice (API):
    # another commissioner's is a 404, as any row outside the scope.
    "reporting:audit-trail": Route(
        query=lambda d, side: {"contract": side.contract.pk},
        GET=page(COMMISSIONERS, **OWN_COMMISSIONER)),
    # The agreement: either party's deciding people act on it (on these
    # agreed contracts, terminating); members of the network only read it.
    "contracts:contract-agreement": Route(
        contract_id, GET=page(**CONTRACT_PAGE),
        POST=page_write(**CONTRACT_PAGE, may_write=PARTIES_A)),
    "contracts:contract-finance": Route(
        contract_id, GET=page(**CONTRACT_PAGE),
        POST=page_write(**CONTRACT_PAGE, may_write=COMMISSIONERS)),
    # A network's members see its contract but are not parties to it.
    "contracts:notice-create": Route(
        contract_id, GET=but(page(**CONTRACT_PAGE), **MEMBERS_REFUSED),
        POST=but(page_write(**CONTRACT_PAGE), **MEMBERS_REFUSED)),
    "contracts:notice-detail": Route(
        pk_of("notice"), GET=page(**CONTRACT_PAGE), POST=page_write(**CONTRACT_PAGE)),
    # --- outcomes: public scorecards ---
    "reporting:scorecard-list": Route(GET=public()),
    "reporting:scorecard-glossary": Route(GET=public()),
    "reporting:scorecard-detail": Route(pk_of("scorecard"), GET=public(sided=True)),
    "reporting:scorecard-download": Route(
        lambda d, side: {"pk": side.scorecard.pk, "table": "trend", "format": "csv"},
        GET=public(sided=True)),
    "reporting:scorecard-publish": Route(GET=page(COMMISSIONERS), POST=page_write(COMMISSIONERS)),
    # Published scorecards are public, so another commissioner's is a 403.
    "reporting:scorecard-withdraw": Route(
        pk_of("scorecard"), GET=but(page(COMMISSIONERS, **OWN_COMMISSIONER), **NOT_THEIRS),
        POST=but(page_write(COMMISSIONERS, **OWN_COMMISSIONER), **NOT_THEIRS)),
    # --- outcomes: dashboards, submissions, data review, rescoring ---
    "reporting:dashboard": Route(GET=page()),
    "reporting:dashboard-download": Route(
        lambda d, side: {"table": "trend", "format": "csv"}, GET=page()),
    # The contract and organisation in the query are a selection, not an
    # object: one out of scope falls back to the person's own first contract
    # (reporting.dashboards.select), so everyone gets 200, never side b's chart
    # (its rebase reason carries the canary), with a note saying so. A
    # download cannot carry the note, so one out of scope is a 404.
    "reporting:dashboard-metric": Route(
        framework, selection, GET=page(**ANY_SELECTION),
        POST=page_write(**ANY_SELECTION, may_write=COMMISSIONERS)),
    "reporting:dashboard-metric-download": Route(
        lambda d, side: {**framework(d, side), "format": "csv"}, selection,
        GET=page(**A_AND_B),
        POST=but(page(**ANY_SELECTION), a=NO_SUCH_PAGE, b=NO_SUCH_PAGE)),  # POST: 404
    "outcomes:submission-list": Route(GET=page()),
    "outcomes:submission-create": Route(GET=page(), POST=page_write()),
    "outcomes:submission-example": Route(GET=page(SIGNED_IN)),  # a blank template, no data
    # No role needed: a submitter sees their own; others the ones about their scope.
    "outcomes:submission-detail": Route(pk_of("submission"), GET=page(SIGNED_IN, **A_AND_B)),
    "outcomes:submission-status": Route(pk_of("submission"), GET=page(SIGNED_IN, **A_AND_B)),
    "outcomes:measurement-history": Route(
        query=lambda d, side: {"metric": side.metric.code, "organisation": side.provider.code,
                               "period": "2024-04-01"},
        GET=page(**A_AND_B)),
    "outcomes:contract-data": Route(  # data review: the contract's parties
        contract_id, GET=but(page(**CONTRACT_PAGE), **MEMBERS_REFUSED),
        POST=page_write(**CONTRACT_PAGE, may_write=COMMISSIONERS)),
    "outcomes:variation-create": Route(
        contract_id, GET=but(page(**CONTRACT_PAGE), **MEMBERS_REFUSED),
        POST=page_write(**CONTRACT_PAGE, may_write=PARTIES_A)),
    "outcomes:variation-detail": Route(
        pk_of("variation"), GET=page(**CONTRACT_PAGE),
        POST=page_write(**CONTRACT_PAGE, may_write=PARTIES_A)),
    "outcomes:contract-rescore": Route(
        contract_id, POST=page_write(COMMISSIONERS, **OWN_COMMISSIONER)),
    "outcomes:rescore-request-detail": Route(pk_of("rescore_request"), GET=page(**CONTRACT_PAGE)),
    "outcomes:rescore-request-status": Route(pk_of("rescore_request"), GET=page(**CONTRACT_PAGE)),
    "outcomes:outcome-browser": Route(GET=page()),
    "outcomes:outcome-add-metric": Route(framework, GET=page(COMMISSIONERS)),
    # --- dialogues ---
    "dialogues:overview": Route(GET=page()),
    "dialogues:series-list": Route(GET=page()),
    "dialogues:series-create": Route(GET=page(MANAGERS), POST=page_write(MANAGERS)),
    "dialogues:series-detail": Route(pk_of("series"), GET=page(**A_AND_B)),
    "dialogues:series-edit": Route(
        pk_of("series"), GET=page(MANAGERS, **A_AND_B), POST=page_write(MANAGERS, **A_AND_B)),
    "dialogues:meeting-detail": Route(
        pk_of("meeting"), GET=page(**A_AND_B), POST=page_write(**A_AND_B)),
    "dialogues:agenda-edit": Route(  # the chair (here the network manager) edits agendas
        pk_of("meeting"), GET=but(page(**A_AND_B), **CHAIR_ONLY),
        POST=but(page_write(**A_AND_B), **CHAIR_ONLY)),
    "dialogues:action-list": Route(GET=page()),
    "dialogues:action-detail": Route(
        pk_of("action"), GET=page(**A_AND_B),
        POST=page_write(**A_AND_B, may_write=frozenset({"nm_a", "admin"}))),
    "dialogues:evidence-file": Route(pk_of("evidence"), GET=page(**A_AND_B)),
    # Reminder choices and the calendar feed's address: not for lay partners.
    "dialogues:preferences": Route(GET=page(), POST=page_write()),
    # The feed's unguessable token is the key (calendar apps cannot sign in).
    "dialogues:calendar-feed": Route(lambda d, side: {"token": d.feed_token}, GET=public()),
    # --- incentives ---
    "incentives:home": Route(GET=page()),
    "incentives:contract": Route(contract_id, GET=page(**PARTIES), POST=page_write(**PARTIES)),
    "incentives:scheme-create": Route(
        contract_id, GET=page(COMMISSIONERS, **OWN_COMMISSIONER),
        POST=page_write(COMMISSIONERS, **OWN_COMMISSIONER)),
    "incentives:settlement-detail": Route(
        pk_of("settlement"), GET=page(**PARTIES), POST=page_write(**PARTIES)),
    # --- API (/api/v1/) ---
    "api:api-root": Route(GET=api()),
    "api:me": Route(GET=api()),
    "api:my-tokens": Route(GET=api(), POST=api_write(SIGNED_IN)),
    # Someone else's token is nobody else's to revoke.
    "api:my-token": Route(
        lambda d, side: {"token_key": d.token_key},
        DELETE=api_write(SIGNED_IN, sees=frozenset({"commissioner"}))),
    "api:organisation-list": Route(GET=api()),
    "api:organisation-detail": Route(pk_of("provider"), GET=api(**A_AND_B)),
    "api:contract-list": Route(GET=api(), POST=api_write(COMMISSIONERS)),
    "api:contract-detail": Route(contract_id, GET=api(**CONTRACT_PAGE)),
    "api:contract-finance": Route(contract_id, GET=api(**CONTRACT_PAGE)),
    "api:contract-monthly-plan": Route(
        contract_id, POST=api_write(**CONTRACT_PAGE, may_write=COMMISSIONERS)),
    # The agreement's steps: the commissioner offers and withdraws, the
    # network's managers accept and decline (never an admin), either party
    # terminates; another side's contract is not found.
    **{
        f"api:contract-{step}": Route(
            contract_id, POST=api_write(**CONTRACT_PAGE, may_write=COMMISSIONERS))
        for step in ("offer", "withdraw")
    },
    **{
        f"api:contract-{step}": Route(
            contract_id, POST=api_write(**CONTRACT_PAGE, may_write=frozenset({"nm_a"})))
        for step in ("accept", "decline")
    },
    "api:contract-terminate": Route(
        contract_id, POST=api_write(**CONTRACT_PAGE, may_write=PARTIES_A)),
    "api:contract-metric-list": Route(GET=api(), POST=api_write(COMMISSIONERS)),
    # Variations of agreed terms: either party's deciding people propose; the
    # network proposed these, so the commissioner's side answers and the
    # network's manager may withdraw; members of the network only read.
    "api:variation-list": Route(GET=api(), POST=api_write()),
    "api:variation-detail": Route(pk_of("variation"), GET=api(**CONTRACT_PAGE)),
    **{
        f"api:variation-{step}": Route(
            pk_of("variation"), POST=api_write(**CONTRACT_PAGE, may_write=COMMISSIONERS))
        for step in ("accept", "reject")
    },
    "api:variation-withdraw": Route(
        pk_of("variation"), POST=api_write(**CONTRACT_PAGE, may_write=frozenset({"nm_a"}))),
    "api:contract-metric-detail": Route(pk_of("contract_metric"), GET=api(**CONTRACT_PAGE)),
    "api:notice-list": Route(GET=api(), POST=api_write()),
    "api:notice-detail": Route(pk_of("notice"), GET=api(**CONTRACT_PAGE)),
    # Notice steps: the parties (the network's manager, the commissioner, an
    # admin acting for it); withholding, retaining and the raiser's steps
    # only the commissioner, who raised these notices.
    **{
        f"api:notice-{step}": Route(
            pk_of("notice"), POST=api_write(**CONTRACT_PAGE, may_write=PARTIES_A))
        for step in ("record-meeting", "conclude-investigation", "agree-plan",
                     "complete-milestone", "raise-exception")
    },
    **{
        f"api:notice-{step}": Route(
            pk_of("notice"), POST=api_write(**CONTRACT_PAGE, may_write=COMMISSIONERS))
        for step in ("withhold", "retain", "escalate", "remedied", "withdraw")
    },
    "api:actual-cost-list": Route(GET=api(), POST=api_write(COMMISSIONERS)),
    "api:audit-list": Route(
        query=lambda d, side: {"record": "notice", "id": side.notice.pk},
        GET=api(COMMISSIONERS, **OWN_COMMISSIONER)),
    "api:actual-cost-detail": Route(pk_of("actual_cost"), GET=api(**CONTRACT_PAGE)),
    # The outcomes framework is reference data: anyone signed in reads it,
    # only admins change it.
    **{
        f"api:{name}-list": Route(GET=api(), POST=api_write(frozenset({"admin"})))
        for name in ("dimension", "population-group", "outcome", "metric")
    },
    **{
        f"api:{name}-detail": Route(
            lambda d, side, name=name: {"pk": d.framework[name].pk}, GET=api(),
            PUT=api_write(frozenset({"admin"})), PATCH=api_write(frozenset({"admin"})),
            DELETE=api_write(frozenset({"admin"})))
        for name in ("dimension", "population-group", "outcome", "metric")
    },
    "api:metric-spc": Route(framework, of_provider, GET=api(**A_AND_B)),
    "api:submission-list": Route(GET=api(), POST=api_write()),
    "api:submission-detail": Route(pk_of("submission"), GET=api(**A_AND_B)),
    "api:measurement-list": Route(GET=api()),
    "api:measurement-export": Route(GET=api()),
    "api:measurement-detail": Route(pk_of("measurement"), GET=api(**A_AND_B)),
    "api:score-list": Route(GET=api()),
    "api:spc-rebase-list": Route(GET=api(), POST=api_write(COMMISSIONERS)),
    "api:spc-rebase-detail": Route(
        pk_of("rebase"), GET=api(**A_AND_B), DELETE=api_write(COMMISSIONERS, **OWN_COMMISSIONER)),
    "api:rescore-request-list": Route(GET=api(), POST=api_write(COMMISSIONERS)),
    "api:rescore-request-detail": Route(pk_of("rescore_request"), GET=api(**CONTRACT_PAGE)),
    "api:scorecard-list": Route(GET=public()),
    "api:scorecard-detail": Route(pk_of("scorecard"), GET=public(sided=True)),
    "api:meeting-series-list": Route(GET=api(), POST=api_write(MANAGERS)),
    "api:meeting-series-detail": Route(
        pk_of("series"), GET=api(**A_AND_B), PATCH=api_write(MANAGERS, **A_AND_B)),
    "api:meeting-list": Route(GET=api()),
    "api:meeting-detail": Route(pk_of("meeting"), GET=api(**A_AND_B)),
    # Attendance, minutes, decisions and the agenda: the chair (the network
    # manager) and admins.
    **{
        f"api:meeting-{step}": Route(
            pk_of("meeting"), POST=api_write(**A_AND_B, may_write=frozenset({"nm_a", "admin"})))
        for step in ("attendance", "minutes", "decisions", "draft-agenda")
    },
    "api:action-list": Route(GET=api(), POST=api_write()),
    # Editing an action: its owner, whoever logged it, the network's managers,
    # the chair (each side's action is the network manager's) and admins.
    "api:action-detail": Route(
        pk_of("action"), GET=api(**A_AND_B),
        PATCH=api_write(**A_AND_B, may_write=frozenset({"nm_a", "admin"}))),
    "api:action-set-status": Route(
        pk_of("action"), POST=api_write(**A_AND_B, may_write=frozenset({"nm_a", "admin"}))),
    "api:incentive-scheme-list": Route(GET=api(), POST=api_write(COMMISSIONERS)),
    "api:incentive-scheme-detail": Route(pk_of("scheme"), GET=api(**PARTIES)),
    "api:settlement-list": Route(GET=api(), POST=api_write()),
    "api:settlement-detail": Route(pk_of("settlement"), GET=api(**PARTIES)),
    "api:settlement-what-if": Route(
        query=lambda d, side: {"settlement": side.settlement.pk},
        GET=api(MANAGERS, **PARTIES)),
    "api:settlement-comment": Route(pk_of("settlement"), POST=api_write(**PARTIES)),
    "api:settlement-sign-off": Route(pk_of("settlement"), POST=api_write(**PARTIES)),
    # --- assurance: a commissioner's assessment is its own and the panel's ---
    "assurance:home": Route(
        GET=page(SIGNED_IN), POST=page_write(SIGNED_IN, may_write={"commissioner"})),
    "assurance:scorecard": Route(
        pk_of("assessment"), GET=page(SIGNED_IN, **ASSESSED),
        POST=page_write(SIGNED_IN, **ASSESSED, may_write={"commissioner"})),
    "assurance:scorecard-download": Route(
        lambda d, side: {"pk": side.assessment.pk, "table": "governance", "format": "csv"},
        GET=page(SIGNED_IN, **ASSESSED)),
    "assurance:transition": Route(
        pk_of("assessment"),
        POST=page_write(COMMISSIONERS, **ASSESSED, may_write={"commissioner", "admin"})),
    "assurance:rating": Route(
        lambda d, side: {"pk": side.assessment.pk, "measure": side.measure.pk},
        GET=page(SIGNED_IN, **ASSESSED), POST=page_write(SIGNED_IN, **ASSESSED)),
    "assurance:certify": Route(
        lambda d, side: {"pk": side.assessment.pk, "number": 1},
        GET=page(COMMISSIONERS, **ASSESSED),
        POST=page_write(COMMISSIONERS, **ASSESSED, may_write={"commissioner"})),
    "assurance:outcomes": Route(
        pk_of("assessment"), GET=page(COMMISSIONERS, **ASSESSED),
        POST=page_write(COMMISSIONERS, **ASSESSED, may_write={"commissioner"})),
    "reporting:assurance-publish": Route(
        pk_of("assessment"), GET=page(COMMISSIONERS, **ASSESSED),
        POST=page_write(COMMISSIONERS, **ASSESSED)),
    "assurance:survey-open": Route(
        pk_of("assessment"), GET=page(COMMISSIONERS, **ASSESSED),
        POST=page_write(COMMISSIONERS, **ASSESSED, may_write={"commissioner"})),
    "assurance:review": Route(
        pk_of("governance_answer"), GET=page(PANEL, a=PANEL, b=PANEL),
        POST=page_write(PANEL, a=PANEL, b=PANEL)),
    "assurance:survey-answer": Route(
        pk_of("survey"), GET=page(SIGNED_IN, **ASKED), POST=page_write(SIGNED_IN, **ASKED)),
    "assurance:survey-sent": Route(pk_of("survey"), GET=page(SIGNED_IN, **ASKED)),
    "api:assessment-framework-list": Route(GET=api()),
    "api:assessment-framework-detail": Route(
        lambda d, side: {"pk": d.a.measure.competency_id}, GET=api()),
    "api:assessment-round-list": Route(GET=api(), POST=api_write(COMMISSIONERS)),
    "api:assessment-round-detail": Route(pk_of("assessment"), GET=api(**ASSESSED)),
    "api:assessment-round-scorecard": Route(pk_of("assessment"), GET=api(**ASSESSED)),
    "api:assessment-round-submit": Route(
        pk_of("assessment"), POST=api_write(COMMISSIONERS, **ASSESSED, may_write={"commissioner"})),
    "api:assessment-round-return": Route(
        pk_of("assessment"), POST=api_write(PANEL, a=PANEL, b=PANEL)),
    "api:assessment-round-finalise": Route(
        pk_of("assessment"), POST=api_write(PANEL, a=PANEL, b=PANEL)),
    "api:assessment-round-outcomes": Route(
        pk_of("assessment"), POST=api_write(COMMISSIONERS, **ASSESSED)),
    "api:governance-answer-list": Route(GET=api(), POST=api_write(COMMISSIONERS)),
    "api:governance-answer-detail": Route(pk_of("governance_answer"), GET=api(**ASSESSED)),
    "api:governance-answer-review": Route(
        pk_of("governance_answer"), POST=api_write(PANEL, a=PANEL, b=PANEL)),
    "api:measure-rating-list": Route(GET=api(), POST=api_write(COMMISSIONERS)),
    "api:measure-rating-detail": Route(pk_of("rating"), GET=api(**ASSESSED)),
    "api:measure-rating-final": Route(pk_of("rating"), POST=api_write(PANEL, a=PANEL, b=PANEL)),
    "api:feedback-survey-list": Route(GET=api(), POST=api_write(SIGNED_IN)),
    "api:feedback-survey-detail": Route(pk_of("survey"), GET=api(**SURVEY_SEEN)),
    "api:feedback-survey-answer": Route(pk_of("survey"), POST=api_write(SIGNED_IN, **SURVEY_SEEN)),
    "api:feedback-survey-close": Route(pk_of("survey"), POST=api_write(SIGNED_IN, **SURVEY_SEEN)),
    # Respondents see a survey but never its results.
    "api:feedback-survey-results": Route(
        pk_of("survey"),
        GET=but(api(**SURVEY_SEEN), a=dict.fromkeys(ASKED_A, DENIED), b={"provider_b": DENIED})),
}
# fmt: on

# Routes the matrix leaves out, by path prefix or name, and why.
SKIPPED_PREFIXES = (
    "admin/",  # Django admin: staff-only by its own checks (tests/config/test_admin.py)
    "static/",  # static files (served by WhiteNoise or the web server in production)
    "media/",
)
SKIPPED_NAMES = {"login", "logout"}  # the sign-in views themselves (tests/config/test_auth.py)


# --- The routes, from the resolver ---


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            assert isinstance(pattern, URLPattern)
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name, pattern.callback


def routes():
    """(path pattern, name, callback) of every route the matrix covers."""
    return [
        (path, name, callback)
        for path, name, callback in _walk(get_resolver().url_patterns)
        if not path.lstrip("^").startswith(SKIPPED_PREFIXES) and name not in SKIPPED_NAMES
    ]


def accepted_methods(callback) -> set[str]:
    """The methods a view answers (HEAD and OPTIONS aside)."""
    if hasattr(callback, "actions"):  # a DRF router route (DRF adds "head" when called)
        return set(callback.actions) & set(callback.cls.http_method_names) - {"head"}
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:  # a function view: pages here only answer GET
        return {"get"}
    return {
        method
        for method in view_class.http_method_names
        if method not in ("head", "options", "trace") and hasattr(view_class, method)
    }


def is_format_suffix(path: str) -> bool:
    return "(?P<format>" in path or "<drf_format_suffix:format>" in path


def test_the_table_covers_every_route():
    """Fails for a route the table does not mention, a method it does not
    declare, or a table entry no route has any more."""
    problems = []
    seen = set()
    for path, name, callback in routes():
        if name is None:
            problems.append(f"unnamed route {path}: name it and add it to EXPECTED")
            continue
        seen.add(name)
        route = EXPECTED.get(name)
        if route is None:
            problems.append(f"{name} ({path}) is not in EXPECTED")
            continue
        accepted = accepted_methods(callback)
        if accepted != set(route.methods):
            problems.append(
                f"{name} ({path}) accepts {sorted(accepted)}, "
                f"EXPECTED declares {sorted(route.methods)}"
            )
    problems += [f"{name} is in EXPECTED but no route has it" for name in EXPECTED.keys() - seen]
    assert not problems, "\n".join(problems)


# --- Running the matrix ---


@pytest.fixture
def dataset(system):
    return build(system)


@pytest.fixture
def clients(system):
    """One client per role, signed in once (session auth serves the API too)."""
    made = {"anon": APIClient(raise_request_exception=False)}
    for role, attribute in USER_OF.items():
        client = APIClient(raise_request_exception=False)  # a 500 is a finding, not a crash
        client.force_login(getattr(system, attribute))
        made[role] = client
    return made


def requests(dataset, unsafe: bool):
    """(label, url, method, variant, expected by role) for every route and method."""
    for path, name, _callback in routes():
        route = EXPECTED[name]
        for method, by_variant in route.methods.items():
            if (method in UNSAFE) != unsafe:
                continue
            for variant, expected in by_variant.items():
                side = getattr(dataset, variant) if variant else None
                url = reverse(name, kwargs=route.kwargs(dataset, side))
                if is_format_suffix(path):  # e.g. /api/v1/contracts/1.json, /api/v1/.json
                    url = url + ".json" if url.endswith("/api/v1/") else url.rstrip("/") + ".json"
                query = route.query(dataset, side)
                label = f"{name} [{variant or '-'}] {path}"
                yield label, url, query, method, expected


def send(client, method, url, query):
    if method == "get":
        return client.get(url, query)
    return getattr(client, method)(f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}")


def check(response, role, expected, canaries: list) -> str | None:
    """What is wrong with the response, or None. Responses showing side b's
    canary to those who may see it are counted in `canaries`."""
    got = response.status_code
    if got >= 500:
        return f"server error {got}"
    if expected == LOGIN:
        if got != 302 or not response["Location"].startswith(reverse("login")):
            return f"expected a sign-in redirect, got {got}"
    elif isinstance(expected, frozenset):
        if got not in expected:
            return f"expected one of {sorted(expected)}, got {got}"
    elif got != expected:
        return f"expected {expected}, got {got}"
    if CANARY.encode() in _body(response):
        if role not in MAY_SEE_B:
            return f"{got} shows side b's private text"
        canaries.append(response)
    return None


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def run(clients, dataset, unsafe: bool, after_each=None):
    """(requests sent, failures, responses that showed the canary)."""
    failures, canaries = [], []
    count = 0
    for label, url, query, method, expected_by_role in requests(dataset, unsafe):
        for role in ROLES:
            expected = expected_by_role[role]
            if expected is SKIP:
                continue
            response = send(clients[role], method, url, query)
            count += 1
            problem = check(response, role, expected, canaries)
            if problem is None and after_each is not None:
                problem = after_each()
            if problem:
                failures.append(f"{method.upper():6} {label} as {role}: {problem}")
    return count, failures, canaries


def test_reads_match_the_table(clients, dataset):
    count, failures, canaries = run(clients, dataset, unsafe=False)
    assert count > 1000
    # The canary check means something: side b's own people do see it.
    assert len(canaries) > 20
    assert not failures, f"{len(failures)} of {count} reads differ:\n" + "\n".join(failures)


def _tables():
    """Every table but the session store (signing in writes there)."""
    return sorted(
        table for table in connection.introspection.table_names() if table != "django_session"
    )


def _fingerprint(tables):
    """Row counts of every table in one query: creates and deletes show here,
    and updates of every audited model too, through its history table."""
    quote = connection.ops.quote_name
    columns = ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return cursor.fetchone()


def _contents(tables):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        snapshot = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {quote(table)}")
            snapshot[table] = sorted(map(repr, cursor.fetchall()))
        return snapshot


def test_refused_writes_change_nothing(clients, dataset):
    tables = _tables()
    before = _contents(tables)
    counts = _fingerprint(tables)

    def unchanged():
        now = _fingerprint(tables)
        if now != counts:
            changed = [t for t, x, y in zip(tables, counts, now, strict=True) if x != y]
            return f"refused, yet rows changed in {', '.join(changed)}"
        return None

    count, failures, _ = run(clients, dataset, unsafe=True, after_each=unchanged)
    assert count > 300
    after = _contents(tables)
    failures += [f"{table} changed" for table in tables if before[table] != after[table]]
    assert not failures, f"{len(failures)} of {count} writes differ:\n" + "\n".join(failures)
