"""The outcomes framework API: dimensions, population groups, outcomes and
metrics are definitions everyone signed in may read and only admins write;
metric writes are checked by the model's own rules, errors naming the field."""

import pytest

from contracts.choices import Side
from contracts.models import PopulationGroup
from outcomes.choices import Aggregation, MetricType
from outcomes.models import Dimension, Metric, Outcome
from outcomes.services.submissions import submit
from tests.factories import DimensionFactory, MetricFactory

API = "/api/v1/"


@pytest.fixture
def framework(db):
    care = DimensionFactory(name="Quality of care", order=2)
    life = DimensionFactory(name="Quality of life", order=1)
    older = PopulationGroup.objects.create(name="Older people")
    ltc = PopulationGroup.objects.create(name="Long-term conditions")
    falls = Outcome.objects.create(name="Fewer falls", dimension=care, population_group=older)
    independence = Outcome.objects.create(
        name="Living independently", dimension=life, population_group=ltc
    )
    MetricFactory(code="EMADM", outcome=falls, dimension=care, is_national=True)
    MetricFactory(
        code="HOME",
        dimension=life,
        outcome=independence,
        metric_type=MetricType.PROPORTION,
        factor=100,
        submitted_by=Side.COMMISSIONER,
    )
    MetricFactory(
        code="STAFF", dimension=care, metric_type=MetricType.COUNT, aggregation=Aggregation.SUM
    )
    return {"care": care, "life": life, "older": older, "ltc": ltc, "falls": falls}


def new_metric(dimension, /, **overrides):
    return {
        "code": "NEW.1",
        "name": "People at home 91 days after discharge",
        "description": "Of older people discharged to reablement, how many are still at home.",
        "dimension": dimension.pk,
        "metric_type": "proportion",
        "factor": "100",
        "unit": "%",
        "direction": "higher",
        "frequency": "quarterly",
        "aggregation": "pooled",
        "data_source": "ASCOF 2B",
        "submitted_by": "provider",
        "due_days": 30,
        "is_national": True,
        **overrides,
    }


# --- Reading ---


@pytest.mark.parametrize("who", ["lay_partner", "provider_b", "outsider", "commissioner"])
@pytest.mark.parametrize("resource", ["dimensions", "population-groups", "outcomes", "metrics"])
def test_any_signed_in_user_reads_the_framework(system, framework, api_client, who, resource):
    api_client.force_authenticate(getattr(system, who))
    response = api_client.get(f"{API}{resource}/")
    assert response.status_code == 200
    assert response.json()["count"] >= 2


@pytest.mark.parametrize("resource", ["dimensions", "population-groups", "outcomes", "metrics"])
def test_anonymous_people_read_nothing(framework, api_client, resource):
    assert api_client.get(f"{API}{resource}/").status_code in (401, 403)
    assert api_client.post(f"{API}{resource}/", {}, format="json").status_code in (401, 403)


def test_a_metric_shows_every_field(system, framework, api_client):
    api_client.force_authenticate(system.provider_a)
    body = api_client.get(f"{API}metrics/", {"code": "HOME"}).json()["results"]
    assert body == [
        {
            "id": Metric.objects.get(code="HOME").pk,
            "code": "HOME",
            "name": "Emergency admissions per 1,000 people aged 75+",
            "description": "How many older people are admitted to hospital in an emergency.",
            "dimension": framework["life"].pk,
            "outcome": Outcome.objects.get(name="Living independently").pk,
            "population_group": framework["ltc"].pk,
            "metric_type": "proportion",
            "factor": "100.00",
            "unit": "",
            "direction": "lower",
            "frequency": "monthly",
            "aggregation": "pooled",
            "data_source": "SUS",
            "submitted_by": "commissioner",
            "due_days": 20,
            "is_national": False,
        }
    ]


def codes(api_client, **params):
    response = api_client.get(f"{API}metrics/", params)
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


def test_metric_filters(system, framework, api_client):
    api_client.force_authenticate(system.lay_partner)
    assert codes(api_client) == ["HOME", "EMADM", "STAFF"]  # by dimension order, then code
    assert codes(api_client, dimension=framework["care"].pk) == ["EMADM", "STAFF"]
    assert codes(api_client, population_group=framework["older"].pk) == ["EMADM"]
    assert codes(api_client, population_group=framework["ltc"].pk) == ["HOME"]
    assert codes(api_client, outcome=framework["falls"].pk) == ["EMADM"]
    assert codes(api_client, is_national="true") == ["EMADM"]
    assert codes(api_client, is_national="false") == ["HOME", "STAFF"]
    assert codes(api_client, submitted_by="commissioner") == ["HOME"]
    assert codes(api_client, code="STAFF") == ["STAFF"]
    assert api_client.get(f"{API}metrics/", {"submitted_by": "nobody"}).status_code == 400


def test_outcome_filters(system, framework, api_client):
    api_client.force_authenticate(system.provider_a)
    rows = api_client.get(f"{API}outcomes/", {"population_group": framework["older"].pk}).json()
    assert [row["name"] for row in rows["results"]] == ["Fewer falls"]
    rows = api_client.get(f"{API}outcomes/", {"dimension": framework["life"].pk}).json()
    assert [row["name"] for row in rows["results"]] == ["Living independently"]


def test_metric_list_costs_a_fixed_number_of_queries(
    system, framework, api_client, django_assert_max_num_queries
):
    api_client.force_authenticate(system.provider_a)
    with django_assert_max_num_queries(2):  # count, page joined to outcome
        assert api_client.get(f"{API}metrics/").json()["count"] == 3
    for n in range(12):
        MetricFactory(code=f"M{n:02d}", outcome=framework["falls"], dimension=framework["care"])
    with django_assert_max_num_queries(2):
        assert api_client.get(f"{API}metrics/").json()["count"] == 15


# --- Writing: admins only ---


def test_admin_builds_the_framework_round_trip(system, api_client, db):
    api_client.force_authenticate(system.admin)
    dimension = api_client.post(
        f"{API}dimensions/",
        {"name": "Professional experience", "description": "How staff find it.", "weight": "20"},
        format="json",
    )
    assert dimension.status_code == 201, dimension.json()
    group = api_client.post(
        f"{API}population-groups/", {"name": "Children", "description": "Under 18."}, format="json"
    )
    assert group.status_code == 201, group.json()
    outcome = api_client.post(
        f"{API}outcomes/",
        {
            "name": "Staff feel supported",
            "dimension": dimension.json()["id"],
            "population_group": group.json()["id"],
        },
        format="json",
    )
    assert outcome.status_code == 201, outcome.json()
    dim = Dimension.objects.get(pk=dimension.json()["id"])
    created = api_client.post(
        f"{API}metrics/", new_metric(dim, outcome=outcome.json()["id"]), format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["population_group"] == group.json()["id"]
    assert (body["code"], body["frequency"], body["due_days"]) == ("NEW.1", "quarterly", 30)

    url = f"{API}metrics/{body['id']}/"
    patched = api_client.patch(url, {"name": "Still at home after 91 days"}, format="json")
    assert patched.status_code == 200, patched.json()
    assert api_client.get(url).json()["name"] == "Still at home after 91 days"
    assert api_client.delete(url).status_code == 204
    assert not Metric.objects.filter(code="NEW.1").exists()


@pytest.mark.parametrize(
    "who", ["commissioner", "network_manager_a", "provider_a", "lay_partner", "outsider"]
)
def test_only_admins_write_the_framework(system, framework, api_client, who):
    api_client.force_authenticate(getattr(system, who))
    metric = Metric.objects.get(code="EMADM")
    assert (
        api_client.post(f"{API}metrics/", new_metric(framework["care"]), format="json").status_code
        == 403
    )
    assert (
        api_client.patch(f"{API}metrics/{metric.pk}/", {"name": "x"}, format="json").status_code
        == 403
    )
    assert api_client.delete(f"{API}metrics/{metric.pk}/").status_code == 403
    assert (
        api_client.post(f"{API}dimensions/", {"name": "x", "description": "y"}).status_code == 403
    )
    assert api_client.post(f"{API}population-groups/", {"name": "x"}).status_code == 403
    assert api_client.delete(f"{API}outcomes/{framework['falls'].pk}/").status_code == 403
    assert Metric.objects.get(code="EMADM").name == metric.name


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"aggregation": "mean"}, "aggregation", "always pooled"),
        (
            {"metric_type": "count", "factor": "1", "aggregation": "pooled"},
            "aggregation",
            "Only proportions and rates can be pooled",
        ),
        ({"code": "lower case"}, "code", "capital letters"),
        ({"code": "EMADM"}, "code", "already exists"),
        ({"factor": "0"}, "factor", "greater than or equal to 0.01"),
        ({"direction": "sideways"}, "direction", "not a valid choice"),
        ({"dimension": 999999}, "dimension", "does not exist"),
    ],
)
def test_metric_validation_errors_name_the_field(
    system, framework, api_client, overrides, field, message
):
    api_client.force_authenticate(system.admin)
    response = api_client.post(
        f"{API}metrics/", new_metric(framework["care"], **overrides), format="json"
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()[field]), response.json()
    assert not Metric.objects.filter(name="People at home 91 days after discharge").exists()


def test_an_outcome_under_another_dimension_is_refused(system, framework, api_client):
    api_client.force_authenticate(system.admin)
    response = api_client.post(
        f"{API}metrics/",
        new_metric(framework["life"], outcome=framework["falls"].pk),  # falls is quality of care
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"outcome": ["The outcome belongs to a different dimension."]}


def test_a_partial_update_is_checked_against_the_whole_metric(system, framework, api_client):
    api_client.force_authenticate(system.admin)
    metric = Metric.objects.get(code="EMADM")  # a rate, pooled
    response = api_client.patch(
        f"{API}metrics/{metric.pk}/", {"metric_type": "count"}, format="json"
    )
    assert response.status_code == 400
    assert "Only proportions and rates can be pooled" in response.json()["aggregation"][0]
    metric.refresh_from_db()
    assert metric.metric_type == MetricType.RATE
    ok = api_client.patch(
        f"{API}metrics/{metric.pk}/", {"metric_type": "count", "aggregation": "sum"}, format="json"
    )
    assert ok.status_code == 200, ok.json()


def test_a_definition_in_use_cannot_be_deleted(system, framework, api_client):
    submit(
        user=system.admin,
        content=b"metric_code,organisation_code,period_start,numerator,denominator,value\n"
        b"EMADM,PA1,2025-09-01,3,1500,\n",
        name="a.csv",
        channel="api",
    )
    api_client.force_authenticate(system.admin)
    metric = Metric.objects.get(code="EMADM")
    response = api_client.delete(f"{API}metrics/{metric.pk}/")
    assert response.status_code == 409
    assert "in use" in response.json()["detail"]
    response = api_client.delete(f"{API}dimensions/{framework['care'].pk}/")
    assert response.status_code == 409
    assert Metric.objects.filter(code="EMADM").exists()
