"""Submitting measurements through the API (a CSV file or JSON rows, validated
exactly as a browser upload), reading submissions and measurements within the
user's scope, and exporting measurements as formula-safe CSV."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.dateparse import parse_datetime

from core.exports import escape_cell
from outcomes.choices import Aggregation, Channel, MetricType, SubmissionStatus
from outcomes.models import Measurement, Submission
from outcomes.services.submissions import submit, too_big
from tests.factories import MetricFactory, OrganisationFactory, UserFactory, add_member

SUBMISSIONS = "/api/v1/submissions/"
MEASUREMENTS = "/api/v1/measurements/"
EXPORT = "/api/v1/measurements/export/"
HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"
COLUMNS = HEADER.strip().split(",")


@pytest.fixture
def metrics(db):
    return {
        "PROP": MetricFactory(code="PROP", metric_type=MetricType.PROPORTION, factor=100),
        "COUNT": MetricFactory(
            code="COUNT", metric_type=MetricType.COUNT, aggregation=Aggregation.SUM
        ),
        "BAL": MetricFactory(code="BAL", metric_type=MetricType.MONEY, aggregation=Aggregation.SUM),
    }


def csv_file(text, name="data.csv", content_type="text/csv"):
    return SimpleUploadedFile(name, text.encode(), content_type=content_type)


def post(api_client, capture, user, data, format="json"):
    """POST a submission and run what was deferred to the commit (the Celery
    task, eager in tests); returns the 202 response and the finished body."""
    api_client.force_authenticate(user)
    with capture(execute=True):
        response = api_client.post(SUBMISSIONS, data, format=format)
    if response.status_code != 202:
        return response, None
    return response, api_client.get(response.json()["url"]).json()


@pytest.fixture
def send(api_client, django_capture_on_commit_callbacks):
    def _send(user, text=None, rows=None, **file_options):
        if rows is not None:
            return post(api_client, django_capture_on_commit_callbacks, user, {"rows": rows})
        data = {"file": csv_file(text, **file_options)}
        return post(api_client, django_capture_on_commit_callbacks, user, data, "multipart")

    return _send


# --- Submitting ---


def test_a_csv_file_is_received_processed_and_stored(system, metrics, send):
    response, body = send(
        system.network_manager_a,
        HEADER + "PROP,PA1,2025-09-01,45,50,\nCOUNT,PA2,2025-09-01,,,17\n",
    )
    assert response.status_code == 202
    received = response.json()
    assert received["url"].endswith(f"{SUBMISSIONS}{received['id']}/")
    assert response["Location"] == received["url"]
    # PEP 3333: a header value of type str, no subclass; wsgiref (runserver,
    # the live server) answered 500 to DRF's Hyperlink.
    assert type(response["Location"]) is str
    assert received["submitted_by"] == "nm_a"
    assert received["original_name"] == "data.csv"
    assert received["channel"] == "api"
    assert body["status"] == "stored", body["errors"]
    assert body["status_label"] == "Stored"
    assert body["is_finished"] is True
    assert body["finished_at"] is not None
    assert (body["row_count"], body["added"], body["revised"], body["unchanged"]) == (2, 2, 0, 0)
    assert body["errors"] == [] and body["warnings"] == []
    values = dict(Measurement.objects.values_list("metric__code", "value"))
    assert values == {"PROP": Decimal("90"), "COUNT": Decimal("17")}


def test_json_rows_are_stored_like_a_file(system, metrics, send):
    response, body = send(
        system.provider_a,
        rows=[
            {
                "metric_code": "PROP",
                "organisation_code": "PA1",
                "period_start": "2025-09-01",
                "numerator": 45,
                "denominator": "50",
                "value": None,
            },
            # Keys in any order; a key a row lacks is an empty cell.
            {
                "value": 17,
                "period_start": "2025-09-01",
                "organisation_code": "PA1",
                "metric_code": "COUNT",
            },
        ],
    )
    assert response.status_code == 202
    assert body["status"] == "stored", body["errors"]
    assert body["original_name"] == "rows.json"
    submission = Submission.objects.get(pk=body["id"])
    with submission.original_file.open("rb") as kept:  # kept as the equivalent CSV
        assert (
            kept.read().decode()
            == HEADER + "PROP,PA1,2025-09-01,45,50,\nCOUNT,PA1,2025-09-01,,,17\n"
        )
    assert Measurement.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_202_response_already_shows_an_eager_result(system, metrics, api_client):
    """Outside a test transaction the task runs (eagerly) as the request
    commits, and the response is read back after it."""
    api_client.force_authenticate(system.provider_a)
    response = api_client.post(
        SUBMISSIONS, {"file": csv_file(HEADER + "PROP,PA1,2025-09-01,45,50,\n")}, format="multipart"
    )
    assert response.status_code == 202
    assert response.json()["status"] == "stored"
    assert response.json()["added"] == 1


BAD_ROWS = [
    ("PROP", "PA1", "2025-09-01", "45", "50", ""),  # row 2: good
    ("NOPE", "PA1", "2025-09-01", "1", "2", ""),  # unknown metric
    ("PROP", "PB1", "2025-09-01", "1", "2", ""),  # outside nm_a's scope
    ("PROP", "PA1", "2025-09-15", "1", "2", ""),  # not the first of the month
    ("PROP", "PA2", "2025-08-01", "5", "4", ""),  # numerator above denominator
    ("COUNT", "PA1", "2025-09-01", "", "", "twelve"),  # not a number
    ("PROP", "PA1", "2025-09-01", "45", "50", ""),  # duplicate of row 2
    ("PROP", "PA1", "2025-10-01", "0", "0", ""),  # denominator zero
    ("COUNT", "PA2", "2025-09-01", "", "", ""),  # no value
]
BAD_ERRORS = [
    (3, "metric_code", "Unknown metric code 'NOPE'."),
    (4, "organisation_code", "You may not submit data for 'PB1'."),
    (5, "period_start", "must start on the first day of a month"),
    (6, "numerator", "cannot be larger than the denominator"),
    (7, "value", "Not a number: 'twelve'."),
    (8, "metric_code", "Duplicate of row 2"),
    (9, "denominator", "must be above zero"),
    (10, "value", "Give a value."),
]


def as_json(row):
    """A row as JSON with numbers as numbers and blank cells left out."""
    out = {}
    for column, cell in zip(COLUMNS, row, strict=True):
        if cell == "":
            continue
        try:
            out[column] = int(cell) if column in ("numerator", "denominator", "value") else cell
        except ValueError:
            out[column] = cell
    return out


def test_a_file_and_json_rows_get_identical_validation(system, metrics, send):
    text = HEADER + "".join(",".join(row) + "\n" for row in BAD_ROWS)
    file_response, by_file = send(system.network_manager_a, text)
    json_response, by_json = send(system.network_manager_a, rows=[as_json(r) for r in BAD_ROWS])

    assert file_response.status_code == json_response.status_code == 202
    assert by_file["status"] == by_json["status"] == "rejected"
    assert by_file["status_label"] == "Rejected: nothing stored"
    assert by_file["errors"] == by_json["errors"]
    found = by_file["errors"]
    for row, column, message in BAD_ERRORS:
        assert any(
            e["row"] == row and e["column"] == column and message in e["message"] for e in found
        ), (row, column, found)
    assert {e["row"] for e in found} == {row for row, _, _ in BAD_ERRORS}
    assert by_file["row_count"] == by_json["row_count"] == len(BAD_ROWS)
    assert not Measurement.objects.exists()  # the good row 2 is not stored either


def test_unknown_keys_are_rejected_as_unexpected_columns_both_ways(system, metrics, send):
    _, by_file = send(system.provider_a, HEADER.strip() + ",notes\nCOUNT,PA1,2025-09-01,,,3,hi\n")
    _, by_json = send(
        system.provider_a,
        rows=[
            {
                "metric_code": "COUNT",
                "organisation_code": "PA1",
                "period_start": "2025-09-01",
                "value": 3,
                "notes": "hi",
            }
        ],
    )
    assert by_file["status"] == by_json["status"] == "rejected"
    assert by_file["errors"] == by_json["errors"]
    assert by_file["errors"][0]["row"] is None
    assert "unexpected column(s): notes" in by_file["errors"][0]["message"]


def test_an_nhs_number_in_json_is_refused_as_in_a_file(system, metrics, send):
    row = {"metric_code": "COUNT", "organisation_code": "PA1", "period_start": "2025-09-01"}
    by_json, _ = send(system.provider_a, rows=[{**row, "value": 9434765919}])
    by_file, _ = send(system.provider_a, HEADER + "COUNT,PA1,2025-09-01,,,9434765919\n")
    assert by_json.status_code == by_file.status_code == 400
    assert by_json.json()["rows"] == by_file.json()["file"]
    assert by_json.json()["rows"][1] == (
        "Row 2, column value: This looks like an NHS number. Concord holds aggregate data "
        "only: remove patient identifiers."
    )


@pytest.mark.parametrize("value", [9434765919.0, 9.434765919e9])
def test_an_nhs_number_as_a_json_float_is_refused_and_not_kept(system, metrics, send, value):
    row = {"metric_code": "COUNT", "organisation_code": "PA1", "period_start": "2025-09-01"}
    good = {**row, "period_start": "2025-08-01", "value": 1234.5}
    response, _ = send(system.provider_a, rows=[good, {**row, "value": value}])
    assert response.status_code == 400
    assert response.json()["rows"] == [
        "The file was not kept: it holds what looks like an NHS number, so Concord kept no "
        "copy of it. Remove the patient identifiers and submit the file again.",
        "Row 3, column value: This looks like an NHS number. Concord holds aggregate data "
        "only: remove patient identifiers.",
    ]
    submission = Submission.objects.get()  # rejected, kept without its content
    assert submission.status == SubmissionStatus.REJECTED
    assert [(e["row"], e["column"]) for e in submission.errors] == [(None, None), (3, "value")]
    assert not submission.original_file and submission.sha256 == ""
    assert not Measurement.objects.exists()


def test_json_decimals_and_a_bad_check_digit_are_stored(system, metrics, send):
    row = {"metric_code": "COUNT", "organisation_code": "PA1"}
    _, body = send(
        system.provider_a,
        rows=[
            {**row, "period_start": "2025-08-01", "value": 1234.5},
            {**row, "period_start": "2025-09-01", "value": 9434765918.0},
        ],
    )
    assert body["status"] == "stored", body["errors"]
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [
        Decimal("1234.5"),
        Decimal("9434765918"),
    ]
    assert Submission.objects.get(pk=body["id"]).original_file


def test_a_rejected_submission_is_202_with_errors_and_stores_nothing(system, metrics, send):
    response, body = send(system.provider_a, HEADER + "PROP,PA1,2025-09-01,60,50,\n")
    assert response.status_code == 202
    assert body["status"] == "rejected"
    assert body["is_finished"] is True
    assert body["errors"] == [
        {
            "row": 2,
            "column": "numerator",
            "message": "For a proportion the numerator cannot be larger than the denominator.",
        }
    ]
    assert (body["added"], body["revised"], body["unchanged"]) == (0, 0, 0)
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    "data,format,message",
    [
        ({}, "json", "Send a CSV file"),
        ({"rows": []}, "json", "Give at least one row."),
        ({"rows": "PROP,PA1"}, "json", "Give a list of rows."),
        ({"rows": [["PROP", "PA1"]]}, "json", "Row 2: each row must be an object"),
        (
            {"rows": [{"metric_code": "PROP", "value": {"x": 1}}]},
            "json",
            "Row 2, column value: give text, a number or null.",
        ),
        ({"file": "not a file"}, "json", "not a file"),
    ],
)
def test_a_request_without_one_batch_is_a_400(system, metrics, api_client, data, format, message):
    api_client.force_authenticate(system.provider_a)
    response = api_client.post(SUBMISSIONS, data, format=format)
    assert response.status_code == 400
    assert message in str(response.json()), response.json()
    assert not Submission.objects.exists()


def test_a_file_and_rows_together_are_a_400(system, metrics, api_client):
    api_client.force_authenticate(system.provider_a)
    response = api_client.post(
        SUBMISSIONS,
        {"file": csv_file(HEADER + "PROP,PA1,2025-09-01,45,50,\n"), "rows": "[]"},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Send either a file or rows, not both."]}
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "name,content_type,accepted",
    [
        ("data.csv", "text/csv", True),
        ("data.csv", "application/octet-stream", True),  # a .csv name is enough
        ("export.txt", "text/plain", True),
        ("export", "application/vnd.ms-excel", True),
        ("report.pdf", "application/pdf", False),
        ("book.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    ],
)
def test_only_csv_uploads_are_accepted(system, metrics, send, name, content_type, accepted):
    response, body = send(
        system.provider_a,
        HEADER + "PROP,PA1,2025-09-01,45,50,\n",
        name=name,
        content_type=content_type,
    )
    if accepted:
        assert response.status_code == 202
        assert body["status"] == "stored"
    else:
        assert response.status_code == 400
        assert (
            f"Upload a CSV file (.csv, text/csv); '{name}' is {content_type}."
            in (response.json()["file"][0])
        )
        assert not Submission.objects.exists()


def test_a_file_too_large_is_refused_with_the_web_message(system, metrics, send, settings):
    settings.SUBMISSION_MAX_BYTES = 60
    text = HEADER + "PROP,PA1,2025-09-01,45,50,\n"
    response, _ = send(system.provider_a, text)
    assert response.status_code == 400
    assert response.json() == {"file": [too_big(len(text.encode()))]}
    assert not Submission.objects.exists()


def test_rows_too_large_are_refused_with_400_and_not_kept(system, metrics, send, settings):
    settings.SUBMISSION_MAX_BYTES = 60
    row = {"metric_code": "PROP", "organisation_code": "PA1", "period_start": "2025-09-01"}
    response, _ = send(system.provider_a, rows=[{**row, "numerator": 45, "denominator": 50}])
    assert response.status_code == 400
    text = HEADER + "PROP,PA1,2025-09-01,45,50,\n"
    assert response.json() == {"rows": [too_big(len(text.encode()))]}
    submission = Submission.objects.get()  # the refusal is recorded, without the rows
    assert submission.status == SubmissionStatus.REJECTED and not submission.original_file


def test_empty_file_is_rejected_as_on_the_web(system, metrics, send):
    response, body = send(system.provider_a, "")
    assert response.status_code == 202
    assert body["errors"] == [{"row": None, "column": None, "message": "The file is empty."}]


@pytest.mark.parametrize("who", ["lay_partner", "outsider"])
def test_people_without_a_submitting_role_get_403(system, metrics, send, who):
    response, _ = send(getattr(system, who), HEADER + "PROP,PA1,2025-09-01,45,50,\n")
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_anonymous_people_cannot_submit_or_read(metrics, api_client):
    assert api_client.post(SUBMISSIONS, {"rows": []}, format="json").status_code in (401, 403)
    assert api_client.get(SUBMISSIONS).status_code in (401, 403)
    assert api_client.get(MEASUREMENTS).status_code in (401, 403)
    assert api_client.get(EXPORT).status_code in (401, 403)


# --- Who sees which submission ---


def submit_as(user, text):
    return submit(user=user, content=text.encode(), name="a.csv", channel=Channel.WEB)


def ids(api_client, user, url=SUBMISSIONS, **params):
    api_client.force_authenticate(user)
    response = api_client.get(url, params)
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_submissions_are_scoped(system, metrics, api_client):
    stored_a = submit_as(system.provider_a, HEADER + "PROP,PA1,2025-09-01,45,50,\n")
    rejected_a = submit_as(system.provider_a, HEADER + "PROP,PA1,2025-09-01,60,50,\n")
    stored_b = submit_as(system.provider_b, HEADER + "PROP,PB1,2025-09-01,45,50,\n")
    assert rejected_a.status == SubmissionStatus.REJECTED

    assert ids(api_client, system.provider_a) == {stored_a.pk, rejected_a.pk}
    assert ids(api_client, system.provider_b) == {stored_b.pk}
    # The network manager and commissioner see stored rows about their
    # organisations, not someone else's rejected file (it holds no rows).
    assert ids(api_client, system.network_manager_a) == {stored_a.pk}
    assert ids(api_client, system.commissioner) == {stored_a.pk}
    assert ids(api_client, system.lay_partner) == set()
    assert ids(api_client, system.admin) == {stored_a.pk, rejected_a.pk, stored_b.pk}
    assert ids(api_client, system.provider_a, status="rejected") == {rejected_a.pk}

    api_client.force_authenticate(system.provider_b)
    assert api_client.get(f"{SUBMISSIONS}{stored_a.pk}/").status_code == 404
    assert api_client.get(f"{SUBMISSIONS}{rejected_a.pk}/").status_code == 404
    api_client.force_authenticate(system.provider_a)
    mine = api_client.get(f"{SUBMISSIONS}{rejected_a.pk}/").json()
    assert mine["status"] == "rejected"
    assert mine["errors"][0]["column"] == "numerator"


def test_outlier_warnings_show_only_organisations_the_reader_may_see(system, metrics, api_client):
    history = "".join(
        f"PROP,{code},2024-{month:02d}-01,{40 + month % 3},50,\n"
        for code in ("PA1", "PA2")
        for month in range(1, 13)
    )
    submit_as(system.network_manager_a, HEADER + history)
    outliers = submit_as(
        system.network_manager_a, HEADER + "PROP,PA1,2025-01-01,5,50,\nPROP,PA2,2025-01-01,5,50,\n"
    )
    assert len(outliers.warnings) == 2
    url = f"{SUBMISSIONS}{outliers.pk}/"
    for user, rows in [(system.provider_a, [2]), (system.network_manager_a, [2, 3])]:
        api_client.force_authenticate(user)
        detail = api_client.get(url).json()
        assert [w["row"] for w in detail["warnings"]] == rows
        assert all(set(w) == {"row", "message"} for w in detail["warnings"])
        assert ("PROP for PA2" in str(detail)) == (user == system.network_manager_a)
        listed = {s["id"]: s for s in api_client.get(SUBMISSIONS).json()["results"]}
        assert listed[outliers.pk]["warnings"] == detail["warnings"]


def test_submissions_cannot_be_changed_or_deleted(system, metrics, api_client):
    submission = submit_as(system.provider_a, HEADER + "PROP,PA1,2025-09-01,45,50,\n")
    api_client.force_authenticate(system.provider_a)
    url = f"{SUBMISSIONS}{submission.pk}/"
    assert api_client.patch(url, {"status": "rejected"}, format="json").status_code == 405
    assert api_client.delete(url).status_code == 405


def test_submission_list_costs_a_fixed_number_of_queries(
    system, metrics, api_client, django_assert_max_num_queries
):
    submit_as(system.provider_a, HEADER + "PROP,PA1,2025-09-01,45,50,\n")
    api_client.force_authenticate(system.network_manager_a)
    with django_assert_max_num_queries(3):  # scope, count, page joined to the submitter
        assert api_client.get(SUBMISSIONS).json()["count"] == 1
    for month in range(1, 9):
        submit_as(system.provider_a, HEADER + f"PROP,PA1,2025-0{month}-01,45,50,\n")
        submit_as(system.network_manager_a, HEADER + f"PROP,PA2,2025-0{month}-01,60,50,\n")
    with django_assert_max_num_queries(3):
        assert api_client.get(SUBMISSIONS).json()["count"] == 17


# --- Measurements ---


@pytest.fixture
def history(system, metrics):
    """PA1's PROP for September revised by the network manager; other rows
    for PA2 and PB1."""
    first = submit_as(
        system.provider_a,
        HEADER
        + "PROP,PA1,2025-08-01,40,50,\nPROP,PA1,2025-09-01,45,50,\nCOUNT,PA1,2025-09-01,,,7\n",
    )
    second = submit_as(system.network_manager_a, HEADER + "PROP,PA1,2025-09-01,46,50,\n")
    third = submit_as(system.network_manager_a, HEADER + "COUNT,PA2,2025-10-01,,,3\n")
    other = submit_as(system.provider_b, HEADER + "COUNT,PB1,2025-09-01,,,9\n")
    for submission in (first, second, third, other):
        assert submission.status == SubmissionStatus.STORED, submission.errors
    return first, second, third, other


def rows_of(api_client, user, **params):
    api_client.force_authenticate(user)
    response = api_client.get(MEASUREMENTS, params)
    assert response.status_code == 200, response.json()
    return [
        (r["metric"], r["organisation"], r["period_start"], r["value"], r["revision"])
        for r in response.json()["results"]
    ]


def test_measurements_are_scoped_and_current_by_default(system, history, api_client):
    assert rows_of(api_client, system.network_manager_a) == [
        ("COUNT", "PA1", "2025-09-01", "7.00000000", 1),
        ("COUNT", "PA2", "2025-10-01", "3.00000000", 1),
        ("PROP", "PA1", "2025-08-01", "80.00000000", 1),
        ("PROP", "PA1", "2025-09-01", "92.00000000", 2),
    ]
    assert rows_of(api_client, system.provider_b) == [
        ("COUNT", "PB1", "2025-09-01", "9.00000000", 1)
    ]
    assert [r[1] for r in rows_of(api_client, system.provider_a)] == ["PA1", "PA1", "PA1"]
    assert rows_of(api_client, system.lay_partner) == []
    assert len(rows_of(api_client, system.admin)) == 5


def test_measurement_rows_say_who_submitted_them_and_when(system, history, api_client):
    first, second, _, _ = history
    api_client.force_authenticate(system.provider_a)
    body = api_client.get(MEASUREMENTS, {"metric": "PROP", "period_from": "2025-09-01"}).json()
    assert body["results"] == [
        {
            "id": Measurement.objects.get(revision=2).pk,
            "metric": "PROP",
            "organisation": "PA1",
            "period_start": "2025-09-01",
            "numerator": "46.000000",
            "denominator": "50.000000",
            "value": "92.00000000",
            "revision": 2,
            "is_current": True,
            "submission": second.pk,
            "submitted_by": "nm_a",
            "submitted_at": body["results"][0]["submitted_at"],
        }
    ]
    assert parse_datetime(body["results"][0]["submitted_at"]) == second.created_at


def test_revision_all_shows_earlier_revisions_with_who_and_when(system, history, api_client):
    first, second, _, _ = history
    api_client.force_authenticate(system.network_manager_a)
    body = api_client.get(
        MEASUREMENTS,
        {"metric": "PROP", "organisation": "PA1", "period_from": "2025-09-01", "revision": "all"},
    ).json()
    got = [
        (r["revision"], r["is_current"], r["value"], r["submission"], r["submitted_by"])
        for r in body["results"]
    ]
    assert got == [
        (1, False, "90.00000000", first.pk, "provider_a"),
        (2, True, "92.00000000", second.pk, "nm_a"),
    ]
    assert [parse_datetime(r["submitted_at"]) for r in body["results"]] == [
        first.created_at,
        second.created_at,
    ]
    assert api_client.get(MEASUREMENTS, {"revision": "some"}).status_code == 400


def test_measurement_filters(system, history, api_client):
    user = system.network_manager_a
    assert {r[0] for r in rows_of(api_client, user, metric="COUNT")} == {"COUNT"}
    assert {r[1] for r in rows_of(api_client, user, organisation="PA2")} == {"PA2"}
    assert rows_of(api_client, user, organisation="PB1") == []  # outside the scope: nothing
    assert [
        r[2] for r in rows_of(api_client, user, period_from="2025-09-01", period_to="2025-09-30")
    ] == [
        "2025-09-01",
        "2025-09-01",
    ]
    assert [r[2] for r in rows_of(api_client, user, period_to="2025-08-31")] == ["2025-08-01"]
    assert len(rows_of(api_client, user, revision="current")) == 4
    assert len(rows_of(api_client, user, revision="all")) == 5
    assert len(rows_of(api_client, user, submission=history[2].pk)) == 1
    api_client.force_authenticate(user)
    assert api_client.get(MEASUREMENTS, {"period_from": "September"}).status_code == 400


def test_measurement_list_costs_a_fixed_number_of_queries(
    system, metrics, api_client, django_assert_max_num_queries
):
    submit_as(system.provider_a, HEADER + "PROP,PA1,2025-01-01,45,50,\n")
    api_client.force_authenticate(system.network_manager_a)
    with django_assert_max_num_queries(3):  # scope, count, page joined to metric, org, submitter
        assert api_client.get(MEASUREMENTS, {"revision": "all"}).json()["count"] == 1
    for n in range(1, 4):
        rows = "".join(
            f"PROP,{org},2025-{month:02d}-01,{40 + n},50,\n"
            for org in ("PA1", "PA2")
            for month in range(1, 10)
        )
        submit_as(system.network_manager_a if n % 2 else system.admin, HEADER + rows)
    with django_assert_max_num_queries(3):
        assert api_client.get(MEASUREMENTS, {"revision": "all"}).json()["count"] > 40
    with django_assert_max_num_queries(2):  # the scope, then the export streams in one query
        response = api_client.get(EXPORT, {"revision": "all"})
        assert len(b"".join(response.streaming_content).splitlines()) > 41


# --- Export ---


def export_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="measurements.csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return text, list(csv.reader(io.StringIO(text[1:])))


def test_export_has_the_filtered_rows(system, history, api_client):
    api_client.force_authenticate(system.network_manager_a)
    text, rows = export_rows(api_client.get(EXPORT, {"metric": "PROP", "revision": "all"}))
    assert rows[0] == [
        "metric_code",
        "organisation_code",
        "period_start",
        "numerator",
        "denominator",
        "value",
        "revision",
        "is_current",
        "submission",
        "submitted_by",
        "submitted_at",
    ]
    assert [row[:9] for row in rows[1:]] == [
        [
            "PROP",
            "PA1",
            "2025-08-01",
            "40.000000",
            "50.000000",
            "80.00000000",
            "1",
            "true",
            str(history[0].pk),
        ],
        [
            "PROP",
            "PA1",
            "2025-09-01",
            "45.000000",
            "50.000000",
            "90.00000000",
            "1",
            "false",
            str(history[0].pk),
        ],
        [
            "PROP",
            "PA1",
            "2025-09-01",
            "46.000000",
            "50.000000",
            "92.00000000",
            "2",
            "true",
            str(history[1].pk),
        ],
    ]
    assert [row[9] for row in rows[1:]] == ["provider_a", "provider_a", "nm_a"]
    # Scoped like the list: provider B's rows never appear.
    _, mine = export_rows(api_client.get(EXPORT))
    assert {row[1] for row in mine[1:]} == {"PA1", "PA2"}
    api_client.force_authenticate(system.lay_partner)
    _, nothing = export_rows(api_client.get(EXPORT))
    assert nothing == [rows[0]]


def test_export_answers_a_client_asking_for_csv(system, history, api_client):
    api_client.force_authenticate(system.provider_a)
    response = api_client.get(EXPORT, HTTP_ACCEPT="text/csv")
    _, rows = export_rows(response)
    assert len(rows) == 4
    assert api_client.get(EXPORT, {"period_to": "soon"}, HTTP_ACCEPT="text/csv").status_code == 400


def test_export_escapes_formula_cells(system, metrics, api_client):
    """Text that reached the database from elsewhere (an organisation code,
    a username) and negative numbers are all escaped in the export."""
    at_sum = OrganisationFactory(code="@SUM(A1)")
    plus = OrganisationFactory(code="+1")
    add_member(system.network_a, at_sum)
    add_member(system.network_a, plus)
    hyperlink = '=HYPERLINK("http://evil.example","click")'
    submitter = UserFactory(username=hyperlink, is_staff=True)
    content = io.StringIO()
    writer = csv.writer(content, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow(["BAL", at_sum.code, "2025-09-01", "", "", "-5"])
    writer.writerow(["BAL", plus.code, "2025-09-01", "", "", "12.5"])
    submission = submit(
        user=submitter, content=content.getvalue().encode(), name="x.csv", channel=Channel.WEB
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors

    api_client.force_authenticate(system.network_manager_a)
    text, rows = export_rows(api_client.get(EXPORT, {"metric": "BAL"}))
    lines = text[1:].splitlines()
    assert lines[1].startswith("BAL,'+1,2025-09-01,,,12.50000000,1,true,")
    assert lines[2].startswith("BAL,'@SUM(A1),2025-09-01,,,-5.00000000,1,true,")
    assert lines[2].endswith(',"\'=HYPERLINK(""http://evil.example"",""click"")",' + rows[2][10])
    assert rows[2][9] == "'" + hyperlink
    assert rows[2][5] == "-5.00000000"  # a stored number stays a number
    for row in rows:
        for cell in row[:5] + row[6:]:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize(
    "value,expected",
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-5", "'-5"),  # text that looks like a number is still text
        (-5, "-5"),
        (-5.5, "-5.5"),
        (Decimal("-5.50"), "-5.50"),
        (float("-inf"), "'-inf"),
        (Decimal("-Infinity"), "'-Infinity"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("PA1", "PA1"),
        ("a=b", "a=b"),
        (5, "5"),
        (None, ""),
        (True, "true"),
        (dt.date(2025, 9, 1), "2025-09-01"),
    ],
)
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected
