"""Hostile input to every write of the API (issue 29): each write operation is
found in the OpenAPI schema (drf-spectacular's generator, as /api/schema/
serves it), and each string, number and date field of its request body,
nested ones too, is sent hostile values in an otherwise valid request, as a
person who may make it:

- far dates (9999-12-31, 0001-01-01): a 400 naming the field;
- a value that looks like an NHS number ('943 476 5919'): a 400 naming the
  field, and the number appears nowhere in the answer;
- huge numbers (1e309, which JSON readers take as infinity, and twenty
  digits), a line break, a very long string: anything but a 5xx.

A submission's rows are checked as a CSV file's: an NHS number is a 400
naming row and column ("Row 2, column numerator: ..."); otherwise the 202 is
followed to what its processing made of it, which names the column of any
error and must not have failed.

WRITES holds, for every write operation with a body, who makes it and a
valid request (which must succeed as it is); an operation missing from it
fails the test, so a new endpoint is checked from the day it is added. Each
request runs in a savepoint that is rolled back, so every one meets the same
rows, and work the request leaves for after its commit (an eager task) runs
before the rollback, as it would under the embedded default."""

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from assurance import cycle
from assurance import services as assurance_services
from assurance.models import GovernanceAnswer, Measure, MeasureRating
from contracts.choices import ContractStatus, NoticeStatus, OrganisationKind, Role
from contracts.models import PopulationGroup
from dialogues.models import Action, Meeting
from incentives.models import Settlement
from outcomes.choices import Direction
from outcomes.models import Dimension, Outcome
from outcomes.services import variations
from tests.api_fixtures import api_data_fixture  # noqa: F401 (fixture)
from tests.assurance_fixtures import complete_self_assessment, framework_fixture  # noqa: F401
from tests.factories import (
    ContractFactory,
    MembershipFactory,
    MetricFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.incentives_fixtures import year_one_fixture  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

NHS_NUMBER = "943 476 5919"  # 9434765919: a valid modulus-11 check digit
IDENTIFIER_FORMS = (b"943 476 5919", b"9434765919", b"943-476-5919")
FAR_DATES = ("9999-12-31", "0001-01-01")
FAR_TIMES = ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z")


@dataclass(frozen=True)
class Raw:
    """A JSON number written as it is: 1e309 has no float to stand for it."""

    text: str


HUGE_NUMBERS = (Raw("1e309"), Raw("99999999999999999999"), Raw("-99999999999999999999"))
# The hostile values for each kind of field in the schema.
HOSTILE = {
    "string": (NHS_NUMBER, "a\nb", "x" * 10_000, "99999999999999999999"),
    "integer": (NHS_NUMBER, *HUGE_NUMBERS),
    "number": (NHS_NUMBER, *HUGE_NUMBERS),
    "decimal": (NHS_NUMBER, *HUGE_NUMBERS, "99999999999999999999"),
    "date": (NHS_NUMBER, *FAR_DATES),
    "date-time": (NHS_NUMBER, *FAR_TIMES),
    "boolean": (NHS_NUMBER,),
}
MUST_NAME_THE_FIELD = {NHS_NUMBER, *FAR_DATES, *FAR_TIMES}
# A submission's rows are checked by outcomes.validation, which lets a number
# too big for a measurement through: stored on SQLite, a failed processing on
# PostgreSQL. Until it refuses one naming the column, the test at the end is
# an expected failure and the sweep does not count a failed processing for
# this operation (everything else still counts).
SUBMISSIONS = ("POST", "/api/v1/submissions/")
# How a submission's errors name a column: "Row 2, column numerator: ...".
COLUMN = re.compile(r"column (\w+)")


@dataclass
class Write:
    """One valid request: who sends it, the row its path names, the body."""

    user: object
    body: dict = field(default_factory=dict)
    pk: object = None


@pytest.fixture
def rows(system, api_data, notice_in, framework):
    """What the writes need beyond api_data: notices at each step, QCOM's
    assessment round in self assessment (every measure rated, every question
    certified) with a survey, QOTH's with the panel (every final level and
    review given), a commissioner with no round yet, a draft contract, an
    offered one, and a variation of CON-A waiting for NETA's answer."""
    d = SimpleNamespace(system=system, contract=system.contract_a)
    d.raised = notice_in(NoticeStatus.RAISED)
    d.investigating = notice_in(NoticeStatus.INVESTIGATING)
    d.plan_due = notice_in(NoticeStatus.PLAN_DUE)
    d.plan_agreed = notice_in(NoticeStatus.PLAN_AGREED)
    d.exception = notice_in(NoticeStatus.EXCEPTION)
    d.meeting = Meeting.objects.order_by("starts_at").first()
    d.action = Action.objects.get()
    d.settlement = Settlement.objects.get()
    d.dimension = Dimension.objects.get()
    d.spare_metric = MetricFactory(
        code="FALLS", name="Falls", dimension=d.dimension, direction=Direction.LOWER_IS_BETTER
    )
    d.outcome = Outcome.objects.create(
        name="Fewer falls",
        dimension=d.dimension,
        population_group=PopulationGroup.objects.create(name="Older people"),
    )
    d.round = assurance_services.open_assessment_round(
        user=system.commissioner, commissioner=system.commissioner_org, year=2026
    )
    complete_self_assessment(system, d.round)
    d.survey = assurance_services.open_feedback_survey(
        user=system.commissioner,
        round=d.round,
        title="360 feedback 2026",
        closes_at=timezone.now() + dt.timedelta(days=14),
    )
    other = UserFactory(username="qoth_commissioner")
    MembershipFactory(
        user=other, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    d.panel_round = assurance_services.open_assessment_round(
        user=other, commissioner=system.other_commissioner_org, year=2026
    )
    complete_self_assessment(SimpleNamespace(commissioner=other), d.panel_round)
    cycle.submit(user=other, round=d.panel_round)
    for rating in MeasureRating.objects.filter(round=d.panel_round):
        assurance_services.set_final_level(user=system.admin, rating=rating, level=3)
    for answer in GovernanceAnswer.objects.filter(round=d.panel_round):
        assurance_services.review_governance(user=system.admin, answer=answer, result="confirmed")
    d.new_commissioner = OrganisationFactory(code="QNEW", kind=OrganisationKind.COMMISSIONER)
    d.offered, d.draft = (
        ContractFactory(
            reference=reference,
            commissioner=system.commissioner_org,
            provider=system.network_a,
            status=status,
        )
        for reference, status in (
            ("CON-O", ContractStatus.OFFERED),
            ("CON-D", ContractStatus.DRAFT),
        )
    )
    d.variation = variations.propose_variation(
        user=system.commissioner,
        contract=d.contract,
        metric=d.spare_metric,
        effective_from=dt.date(2025, 4, 1),
        minimum_threshold=10,
        target=5,
        reason="Falls matter to the board",
    )
    return d


def months(*pairs):
    return [{"month": month, "planned_amount": amount} for month, amount in pairs]


NOTICE_STEP = "/api/v1/notices/{id}/"
# Every write operation with a body: who may make it, and a valid request.
WRITES = {
    ("POST", "/api/v1/actions/"): lambda d: Write(
        d.system.network_manager_a,
        {
            "meeting": d.meeting.pk,
            "title": "Chase the missing months",
            "detail": "From the March meeting",
            "owner": "provider_a",
            "owner_organisation": "PA1",
            "due_on": "2026-03-20",
            "metric": "EMADM",
            "organisation": "PA1",
            "notice": d.plan_agreed.pk,
        },
    ),
    ("PATCH", "/api/v1/actions/{id}/"): lambda d: Write(
        d.system.network_manager_a,
        {
            "title": "Chase the missing months again",
            "detail": "After the April meeting",
            "owner": "provider_a",
            "owner_organisation": "PA1",
            "due_on": "2026-04-20",
            "metric": "EMADM",
            "organisation": "PA2",
            "notice": d.plan_agreed.pk,
        },
        d.action.pk,
    ),
    ("POST", "/api/v1/actions/{id}/status/"): lambda d: Write(
        d.system.network_manager_a,
        {"status": "done", "reason": "Sent", "on": "2026-03-18"},
        d.action.pk,
    ),
    ("POST", "/api/v1/actual-costs/"): lambda d: Write(
        d.system.commissioner,
        {"contract": d.contract.pk, "month": "2025-04-01", "amount": "950000.00", "note": "Ledger"},
    ),
    ("POST", "/api/v1/assessment-rounds/"): lambda d: Write(
        d.system.admin, {"commissioner": d.new_commissioner.pk, "year": 2026}
    ),
    ("POST", "/api/v1/assessment-rounds/{id}/finalise/"): lambda d: Write(
        d.system.admin, {"reason": "Agreed by the panel"}, d.panel_round.pk
    ),
    ("POST", "/api/v1/assessment-rounds/{id}/outcomes/"): lambda d: Write(
        d.system.commissioner, {"metrics": ["EMADM"]}, d.round.pk
    ),
    ("POST", "/api/v1/assessment-rounds/{id}/return/"): lambda d: Write(
        d.system.admin, {"reason": "More evidence"}, d.panel_round.pk
    ),
    ("POST", "/api/v1/assessment-rounds/{id}/submit/"): lambda d: Write(
        d.system.commissioner, {"reason": "Ready for the panel"}, d.round.pk
    ),
    ("POST", "/api/v1/contract-metrics/"): lambda d: Write(
        d.system.commissioner,
        {
            "contract": d.draft.pk,  # an agreed contract's terms change by a variation
            "metric": "EMADM",
            "effective_from": "2025-04-01",
            "minimum_threshold": "30",
            "target": "20",
            "baseline": "31",
            "weight": "1",
            "is_national": False,
            "accountable": "provider",
            "reason": "A tighter target from year two",
        },
    ),
    ("POST", "/api/v1/contracts/"): lambda d: Write(
        d.system.commissioner,
        {
            "reference": "CON-N",
            "title": "Falls prevention",
            "commissioner": "QCOM",
            "provider": "NETA",
            "service": "Falls prevention for older people",
            "population_group": d.outcome.population_group.pk,
            "start_date": "2026-04-01",
            "end_date": "2027-03-31",
            "payment_model": "block",
            "meeting_due_days": 10,
            "plan_due_days": 20,
            "withholding_percent": "2.00",
            "retain_after_months": 3,
            "years": [{"contract_value": "1000000.00", "planned_budget": "900000.00"}],
        },
    ),
    ("POST", "/api/v1/contracts/{id}/decline/"): lambda d: Write(
        d.system.network_manager_a, {"reason": "The budget is too small"}, d.offered.pk
    ),
    ("POST", "/api/v1/contracts/{id}/terminate/"): lambda d: Write(
        d.system.commissioner,
        {"terminated_on": "2026-06-30", "reason": "The service moves to another provider"},
        d.contract.pk,
    ),
    ("POST", "/api/v1/contracts/{id}/monthly-plan/"): lambda d: Write(
        d.system.commissioner,
        {"year": 1, "months": months(("2024-04-01", "11000000.00"), ("2024-05-01", "1000000.00"))},
        d.contract.pk,
    ),
    ("POST", "/api/v1/dimensions/"): lambda d: Write(
        d.system.admin, {"name": "Safety", "description": "Harm avoided", "weight": "1", "order": 2}
    ),
    ("PUT", "/api/v1/dimensions/{id}/"): lambda d: Write(
        d.system.admin,
        {"name": "Safety", "description": "Harm avoided", "weight": "1", "order": 2},
        d.dimension.pk,
    ),
    ("PATCH", "/api/v1/dimensions/{id}/"): lambda d: Write(
        d.system.admin,
        {"name": "Safety", "description": "Harm avoided", "weight": "1", "order": 2},
        d.dimension.pk,
    ),
    ("POST", "/api/v1/feedback-surveys/"): lambda d: Write(
        d.system.commissioner,
        {
            "round": d.round.pk,
            "title": "360 feedback, second wave",
            "closes_at": (timezone.now() + dt.timedelta(days=14)).isoformat(),
            "minimum_respondents": 5,
        },
    ),
    ("POST", "/api/v1/feedback-surveys/{id}/answer/"): lambda d: Write(
        d.system.lay_partner,
        {"answers": [{"statement": 1, "agreement": 4}], "comment": "Listens to partners"},
        d.survey.pk,
    ),
    ("POST", "/api/v1/governance-answers/"): lambda d: Write(
        d.system.commissioner,
        {
            "round": d.round.pk,
            "question_number": 1,
            "certification": "in_place",
            "evidence": "Board papers, March",
        },
    ),
    ("POST", "/api/v1/governance-answers/{id}/review/"): lambda d: Write(
        d.system.admin,
        {"panel_result": "challenged", "panel_reason": "No minutes"},
        GovernanceAnswer.objects.filter(round=d.panel_round).first().pk,
    ),
    ("POST", "/api/v1/incentive-schemes/"): lambda d: Write(
        d.system.commissioner,
        {
            "contract": d.contract.pk,
            "effective_from_year": 2,
            "gateway_score": "40",
            "support_threshold": "50",
            "penalty_threshold": "30",
            "penalty_rate": "0.1",
            "penalty_cap": "2",
            "quality_pot": "1.25",
            "minimum_coverage": "75",
            "support_plan_due_days": 30,
            "at_risk_percents": ["0", "10", "10", "15", "15"],
            "bands": [
                {"lower": "40", "upper": "60", "network_share": "25"},
                {"lower": "60", "upper": "100", "network_share": "50"},
            ],
            "corridors": [
                {"lower": "0", "upper": "2", "network_share": "50"},
                {"lower": "2", "upper": None, "network_share": "0"},
            ],
            "indicators": [{"metric": "EMADM", "minimum": "30", "maximum": "20", "weight": "1.25"}],
            "reason": "Year two",
        },
    ),
    ("POST", "/api/v1/measure-ratings/"): lambda d: Write(
        d.system.commissioner,
        {
            "round": d.round.pk,
            "measure": Measure.objects.first().pk,
            "level": 2,
            "evidence": "Plan",
        },
    ),
    ("POST", "/api/v1/measure-ratings/{id}/final/"): lambda d: Write(
        d.system.admin,
        {"level": 2, "reason": "Less evidence than claimed"},
        MeasureRating.objects.filter(round=d.panel_round).first().pk,
    ),
    ("POST", "/api/v1/meeting-series/"): lambda d: Write(
        d.system.network_manager_a, series_body(d)
    ),
    ("PATCH", "/api/v1/meeting-series/{id}/"): lambda d: Write(
        d.system.network_manager_a, series_body(d), d.meeting.series_id
    ),
    ("POST", "/api/v1/meetings/{id}/attendance/"): lambda d: Write(
        d.system.network_manager_a,
        {"attendance": [{"person": "provider_a", "status": "present"}]},
        d.meeting.pk,
    ),
    ("POST", "/api/v1/meetings/{id}/decisions/"): lambda d: Write(
        d.system.network_manager_a, {"text": "Agreed the falls plan"}, d.meeting.pk
    ),
    ("POST", "/api/v1/meetings/{id}/minutes/"): lambda d: Write(
        d.system.network_manager_a, {"minutes": "Present: all members."}, d.meeting.pk
    ),
    ("POST", "/api/v1/metrics/"): lambda d: Write(d.system.admin, metric_body(d, "NEWM")),
    ("PUT", "/api/v1/metrics/{id}/"): lambda d: Write(
        d.system.admin, metric_body(d, "FALLS"), d.spare_metric.pk
    ),
    ("PATCH", "/api/v1/metrics/{id}/"): lambda d: Write(
        d.system.admin, metric_body(d, "FALLS"), d.spare_metric.pk
    ),
    ("POST", "/api/v1/notices/"): lambda d: Write(
        d.system.commissioner,
        {
            "contract": d.contract.pk,
            "title": "Admissions above threshold",
            "concern": "Three months above the minimum threshold.",
            "raised_on": "2026-03-02",
            "metrics": ["EMADM"],
            "obligations": "Schedule 4",
        },
    ),
    ("POST", NOTICE_STEP + "agree-plan/"): lambda d: Write(
        d.system.network_manager_a,
        {
            "agreed_on": "2026-03-18",
            "milestones": [
                {
                    "description": "Falls service in every care home",
                    "owner": "Nadia Network",
                    "owner_organisation": "NETA",
                    "due_on": "2026-04-30",
                }
            ],
            "reason": "Agreed at the meeting",
        },
        d.plan_due.pk,
    ),
    ("POST", NOTICE_STEP + "complete-milestone/"): lambda d: Write(
        d.system.network_manager_a,
        {
            "milestone": d.plan_agreed.milestones.get().pk,
            "completed_on": "2026-04-20",
            "reason": "Done",
        },
        d.plan_agreed.pk,
    ),
    ("POST", NOTICE_STEP + "conclude-investigation/"): lambda d: Write(
        d.system.commissioner,
        {"on": "2026-03-20", "reason": "Data error found", "plan_needed": True},
        d.investigating.pk,
    ),
    ("POST", NOTICE_STEP + "escalate/"): lambda d: Write(
        d.system.commissioner, {"on": "2026-05-10", "reason": "Missed again"}, d.exception.pk
    ),
    ("POST", NOTICE_STEP + "raise-exception/"): lambda d: Write(
        d.system.commissioner, {"on": "2026-05-05", "reason": "Missed"}, d.plan_agreed.pk
    ),
    ("POST", NOTICE_STEP + "record-meeting/"): lambda d: Write(
        d.system.commissioner,
        {"held_on": "2026-03-12", "outcome": "remedial_plan", "reason": "Met"},
        d.raised.pk,
    ),
    ("POST", NOTICE_STEP + "remedied/"): lambda d: Write(
        d.system.commissioner, {"on": "2026-06-01", "reason": "Fixed"}, d.plan_agreed.pk
    ),
    ("POST", NOTICE_STEP + "retain/"): lambda d: Write(
        d.system.commissioner, {"today": "2026-12-01"}, d.exception.pk
    ),
    ("POST", NOTICE_STEP + "withdraw/"): lambda d: Write(
        d.system.commissioner, {"on": "2026-03-03", "reason": "Raised in error"}, d.raised.pk
    ),
    ("POST", NOTICE_STEP + "withhold/"): lambda d: Write(
        d.system.commissioner,
        {"on": "2026-05-10", "reason": "Missed", "month": "2026-05-01", "percent": "2.00"},
        d.exception.pk,
    ),
    ("POST", "/api/v1/outcomes/"): lambda d: Write(d.system.admin, outcome_body(d)),
    ("PUT", "/api/v1/outcomes/{id}/"): lambda d: Write(
        d.system.admin, outcome_body(d), d.outcome.pk
    ),
    ("PATCH", "/api/v1/outcomes/{id}/"): lambda d: Write(
        d.system.admin, outcome_body(d), d.outcome.pk
    ),
    ("POST", "/api/v1/population-groups/"): lambda d: Write(
        d.system.admin, {"name": "Children", "description": "Under 18"}
    ),
    ("PUT", "/api/v1/population-groups/{id}/"): lambda d: Write(
        d.system.admin,
        {"name": "Children", "description": "Under 18"},
        d.outcome.population_group.pk,
    ),
    ("PATCH", "/api/v1/population-groups/{id}/"): lambda d: Write(
        d.system.admin,
        {"name": "Children", "description": "Under 18"},
        d.outcome.population_group.pk,
    ),
    ("POST", "/api/v1/rescore-requests/"): lambda d: Write(
        d.system.commissioner, {"contract": d.contract.pk}
    ),
    ("POST", "/api/v1/settlements/"): lambda d: Write(
        d.system.commissioner, {"contract": d.contract.pk, "year": 1}
    ),
    ("POST", "/api/v1/settlements/{id}/comment/"): lambda d: Write(
        d.system.commissioner, {"text": "Agreed at the board"}, d.settlement.pk
    ),
    ("POST", "/api/v1/spc-rebases/"): lambda d: Write(
        d.system.commissioner,
        {
            "contract": d.contract.pk,
            "metric": "EMADM",
            "organisation": "PA1",
            "period_start": "2024-10-01",
            "reason": "A new falls service",
        },
    ),
    ("POST", "/api/v1/variations/"): lambda d: Write(
        d.system.network_manager_a,
        {
            "contract": d.contract.pk,
            "metric": "EMADM",
            "effective_from": "2025-04-01",
            "minimum_threshold": "30",
            "target": "20",
            "baseline": "31",
            "weight": "1",
            "reason": "A tighter target from year two",
        },
    ),
    ("POST", "/api/v1/variations/{id}/reject/"): lambda d: Write(
        d.system.network_manager_a, {"reason": "Not measured yet"}, d.variation.pk
    ),
    ("POST", "/api/v1/submissions/"): lambda d: Write(
        d.system.network_manager_a,
        {
            "rows": [
                {
                    "metric_code": "EMADM",
                    "organisation_code": "PA1",
                    "period_start": "2025-04-01",
                    "numerator": 250,
                    "denominator": 10000,
                    "value": None,
                }
            ]
        },
    ),
}


def series_body(d):
    return {
        "title": "Monthly review: Network A",
        "level": "network_members",
        "meeting_type": "monthly",
        "provider": "NETA",
        "contract": d.contract.pk,
        "rrule": "FREQ=MONTHLY;BYDAY=1TU",
        "starts_on": "2027-01-05",
        "start_time": "10:00",
        "duration_minutes": 60,
        "ends_on": "2027-06-30",
        "location": "Room 1",
        "organisations": ["NETA", "PA1"],
        "participants": ["nm_a", "provider_a"],
        "chair": "nm_a",
        "agenda_days_before": 5,
        "is_active": True,
    }


def metric_body(d, code):
    return {
        "code": code,
        "name": "Falls per 1,000 people aged 65+",
        "description": "Falls needing hospital care.",
        "dimension": d.dimension.pk,
        "outcome": d.outcome.pk,
        "metric_type": "rate",
        "factor": "1000",
        "unit": "per 1,000",
        "direction": "lower",
        "frequency": "monthly",
        "aggregation": "pooled",
        "data_source": "SUS",
        "submitted_by": "provider",
        "due_days": 20,
        "is_national": False,
    }


def outcome_body(d):
    return {
        "name": "Fewer falls needing hospital care",
        "description": "Older people fall less often.",
        "dimension": d.dimension.pk,
        "population_group": d.outcome.population_group.pk,
    }


def schema_leaves(schema, components, path=()):
    """(path, kind) of every writable leaf of a request body schema; a path
    is a tuple of names, with 0 for "the first item" of an array."""
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            for part in schema[key]:
                yield from schema_leaves(part, components, path)
            return
    if schema.get("readOnly") or schema.get("format") == "binary":
        return  # a file's contents are the submission's own checks
    if "properties" in schema:
        for name, part in schema["properties"].items():
            yield from schema_leaves(part, components, (*path, name))
    elif schema.get("type") == "array":
        yield from schema_leaves(schema.get("items", {}), components, (*path, 0))
    elif schema.get("type") in ("string", "integer", "number", "boolean"):
        yield path, schema.get("format") if schema.get("format") in HOSTILE else schema["type"]


def write_operations():
    """{(method, path): sorted distinct (field path, kind)} of every write
    in the schema, from its JSON request body."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    found = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch"):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            leaves = set(schema_leaves(body["schema"], components)) if body else set()
            found[(method.upper(), path)] = sorted(leaves, key=str)
    return found


def with_value(body: dict, path: tuple, value):
    """A copy of `body` with `value` at `path`; None when the body has no
    item at a list index the path goes through."""
    body = json.loads(json.dumps(body))
    here = body
    for step in path[:-1]:
        if isinstance(step, int) and (not isinstance(here, list) or len(here) <= step):
            return None
        if isinstance(step, str) and step not in here:
            return None
        here = here[step]
    last = path[-1]
    if isinstance(last, int) and not here:
        here.append(value)
    else:
        here[last] = value
    return body


def encoded(body: dict) -> str:
    """JSON, with Raw numbers written as they are."""
    raws = {}

    def placeholder(value):
        if not isinstance(value, Raw):
            raise TypeError(value)
        key = f"__raw_{len(raws)}__"
        raws[f'"{key}"'] = value.text
        return key

    text = json.dumps(body, default=placeholder)
    for key, raw in raws.items():
        text = text.replace(key, raw)
    return text


def error_keys(detail) -> set[str]:
    """Every key of an error answer, nested ones too."""
    keys = set()
    if isinstance(detail, dict):
        for key, value in detail.items():
            keys.add(str(key))
            keys |= error_keys(value)
    elif isinstance(detail, list):
        for item in detail:
            keys |= error_keys(item)
    return keys


def field_name(path: tuple) -> str:
    return [step for step in path if isinstance(step, str)][-1]


@dataclass
class Answer:
    status: int
    content: bytes  # with the headers, and what a 202's Location then shows
    errors: set  # what a 400 or a rejected submission names: keys and columns
    submission: str = ""  # the status of the submission a 202 made


def send(api, method, path, write, body) -> Answer:
    """Send one request in a savepoint, run what it leaves for after its
    commit (a submission is processed), read what a 202 points to, and roll
    it all back."""
    api.force_authenticate(write.user)
    with transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = getattr(api, method.lower())(
                path.replace("{id}", str(write.pk)),
                data=encoded(body),
                content_type="application/json",
            )
        headers = "".join(f"{name}: {value}\n" for name, value in response.items())
        content = headers.encode() + response.content
        answer = Answer(response.status_code, content, set())
        if response.status_code == 400:
            answer.errors = error_keys(response.json())
            answer.errors |= set(COLUMN.findall(response.content.decode()))
        if response.status_code == 202 and response.has_header("Location"):
            followed = api.get(response["Location"]).json()
            answer.content += json.dumps(followed).encode()
            answer.errors = {str(error["column"]) for error in followed["errors"]}
            answer.submission = followed["status"]
        transaction.set_rollback(True)
    return answer


def echoes(answer: Answer, value) -> bool:
    return value == NHS_NUMBER and any(form in answer.content for form in IDENTIFIER_FORMS)


@pytest.fixture
def api():
    api = APIClient()
    api.raise_request_exception = False  # a 5xx is an answer to report
    return api


def test_every_write_has_an_example_that_succeeds(rows, api):
    operations = write_operations()
    with_fields = {operation for operation, leaves in operations.items() if leaves}
    assert sorted(with_fields - WRITES.keys()) == [], "write operations missing from WRITES"
    assert sorted(WRITES.keys() - operations.keys()) == [], "WRITES names operations not in the API"
    failures = []
    for (method, path), make in WRITES.items():
        write = make(rows)
        answer = send(api, method, path, write, write.body)
        if answer.status >= 300:
            failures.append(f"{method} {path}: {answer.status} {answer.content[:500]!r}")
    assert not failures, "\n".join(failures)


def test_hostile_values_are_refused_or_harmless(rows, api):
    failures = []
    sent = 0
    for (method, path), leaves in write_operations().items():
        if not leaves:
            continue
        write = WRITES[(method, path)](rows)
        for leaf, kind in leaves:
            for value in HOSTILE[kind]:
                body = with_value(write.body, leaf, value)
                where = f"{method} {path} {'.'.join(map(str, leaf))}={str(value)[:30]!r}"
                if body is None:
                    failures.append(f"{where}: the example has no item to put it in")
                    continue
                answer = send(api, method, path, write, body)
                sent += 1
                problems = []
                if answer.status >= 500:
                    problems.append(f"answered {answer.status}")
                if echoes(answer, value):
                    problems.append("echoed the identifier")
                if answer.submission == "failed" and (method, path) != SUBMISSIONS:
                    problems.append("the submission it made failed to process")
                name = field_name(leaf)
                named = any(name in key for key in answer.errors)
                if value in MUST_NAME_THE_FIELD and answer.status < 500 and not named:
                    problems.append(f"answered {answer.status}, not an error naming {name}")
                if problems:
                    failures.append(f"{where}: {'; '.join(problems)} {answer.content[:500]!r}")
    assert sent > 500, "fewer hostile requests than the API has fields for"
    assert not failures, f"{len(failures)} of {sent}:\n" + "\n".join(failures)


def submit_row(rows, api, name, value) -> Answer:
    write = WRITES[SUBMISSIONS](rows)
    return send(api, *SUBMISSIONS, write, with_value(write.body, ("rows", 0, name), value))


@pytest.mark.xfail(
    reason="outcomes/validation.py does not refuse a number too big to store (issue 29)",
    strict=True,
)
def test_a_number_too_big_to_store_rejects_the_submission_naming_its_column(rows, api):
    """A measurement keeps 14 digits before the point: 20 digits are stored
    on SQLite and fail the processing on PostgreSQL."""
    answer = submit_row(rows, api, "numerator", Raw("99999999999999999999"))
    assert answer.submission == "rejected" and "numerator" in answer.errors
