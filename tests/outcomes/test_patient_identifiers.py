"""Concord holds aggregate data only. A submission holding what looks like an
NHS number is screened before anything else is done with it, whatever else
is wrong with the file (an extra column, an encoding other than UTF-8,
malformed CSV), by every channel: the service, the upload page, the API and
`manage.py import_measurements`. It is rejected, nothing of its content is
kept (no file under MEDIA_ROOT, no checksum, no value in a stored field or
error) and no answer, stored error or log line repeats the identifier.
Also: outlier warnings are shown only to those who may see the
organisation they are about."""

import io
import logging
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from outcomes.choices import Channel, MetricType, SubmissionStatus
from outcomes.models import Measurement, Submission
from outcomes.services.submissions import submit
from outcomes.validation import (
    COLUMNS,
    IDENTIFIER_MASK,
    Reference,
    identifier_spans,
    parse_csv,
    redact,
    screen,
    validate,
)
from tests.factories import MetricFactory

HEADER = ",".join(COLUMNS) + "\n"
GOOD = "COUNT,PA1,2026-09-01,,,17\n"
NHS_NUMBER = "9434765919"  # a valid check digit; the one every case below hides
SPACINGS = ["9434765919", "943 476 5919", "943-476-5919", " 943  476  5919 ", "9434765919.0"]
FILE_NOT_KEPT = "The file was not kept"
NHS_MESSAGE = "This looks like an NHS number"

# name: (the file, where the identifier is as (row, column))
FILES = {
    "an extra nhs_number column": (
        (HEADER.strip() + ",nhs_number\n" + GOOD.strip() + ",943 476 5919\n").encode(),
        [(2, "G")],
    ),
    "the header": ((HEADER.strip() + ",943-476-5919\n" + GOOD).encode(), [(1, "G")]),
    "a Latin-1 file": (
        (HEADER + "COUNT,PA1,2026-09-01,,,17\u00e9\nCOUNT,PA2,2026-09-01,,,943 476 5919\n").encode(
            "latin-1"
        ),
        [(3, "value")],
    ),
    "a UTF-16 file": (
        (HEADER + "COUNT,PA1,2026-09-01,,,9434765919\n").encode("utf-16"),
        [(2, "value")],
    ),
    "a row with too many cells": (
        (HEADER + GOOD + "COUNT,PA2,2026-09-01,,,17,9434765919,x\n").encode(),
        [(3, "G")],
    ),
    "an unclosed quote": (
        (HEADER + 'COUNT,"PA1,2026-09-01,,,17\nCOUNT,PA2,2026-09-01,,,9434765919\n').encode(),
        [(2, "organisation_code")],
    ),
    "the organisation code": (
        (HEADER + "COUNT,943 476 5919,2026-09-01,,,17\n").encode(),
        [(2, "organisation_code")],
    ),
    "the metric code": (
        (HEADER + "9434765919,PA1,2026-09-01,,,17\n").encode(),
        [(2, "metric_code")],
    ),
    "the value": (
        (HEADER + GOOD + "COUNT,PA2,2026-09-01,,,943-476-5919\n").encode(),
        [(3, "value")],
    ),
    "the numerator, inside other text": (
        (HEADER + 'PROP,PA1,2026-09-01,"NHS no. 943 476 5919",50,\n').encode(),
        [(2, "numerator")],
    ),
    "a period and a value as numbers": (
        (HEADER + 'COUNT,PA1,"9.434765919e9",,,+0009434765919.00\n').encode(),
        [(2, "period_start"), (2, "value")],
    ),
}


def digits(text: str) -> str:
    return re.sub(r"[\s\-\u2010-\u2015]", "", text)


def assert_not_echoed(text):
    """Neither the identifier nor its digits (however spaced) are in `text`."""
    assert NHS_NUMBER not in digits(str(text))


def assert_nothing_kept(media: Path):
    assert not [path for path in media.rglob("*") if path.is_file()]
    assert not Measurement.objects.exists()
    for stored in Submission.objects.values():  # every stored field, errors included
        assert_not_echoed(stored)
        assert not stored["original_file"] and stored["sha256"] == ""
        assert stored["status"] == SubmissionStatus.REJECTED
        assert stored["errors"][0]["message"].startswith(FILE_NOT_KEPT)
    assert not mail.outbox


def places(submission) -> list:
    return [(e["row"], e["column"]) for e in submission.errors[1:]]


@pytest.fixture
def metrics(db):
    return {
        "PROP": MetricFactory(code="PROP", metric_type=MetricType.PROPORTION, factor=100),
        "COUNT": MetricFactory(code="COUNT", metric_type=MetricType.COUNT, aggregation="sum"),
    }


@pytest.fixture
def media(settings, tmp_path):
    """A MEDIA_ROOT of the test's own, to show nothing is written to it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


# --- The service: every path is screened first ---


@pytest.mark.parametrize("case", FILES)
def test_a_file_holding_an_nhs_number_is_rejected_first_and_not_kept(
    system, metrics, media, logs, case
):
    content, where = FILES[case]
    submission = submit(
        user=system.network_manager_a, content=content, name="data.csv", channel=Channel.WEB
    )
    assert submission.status == SubmissionStatus.REJECTED
    assert submission.errors[0] == {
        "row": None,
        "column": None,
        "message": "The file was not kept: it holds what looks like an NHS number, so Concord "
        "kept no copy of it. Remove the patient identifiers and submit the file again.",
    }
    assert places(submission) == where  # nothing else is reported: screened first
    assert all(e["message"].startswith(NHS_MESSAGE) for e in submission.errors[1:])
    assert_nothing_kept(media)
    assert_not_echoed(logs.text)
    assert "rejected: " in logs.text  # the rejection itself is logged, without the value


@pytest.mark.parametrize("spacing", SPACINGS)
@pytest.mark.parametrize("column", COLUMNS)
def test_every_spacing_in_every_column_is_found(system, metrics, media, column, spacing):
    cells = dict(zip(COLUMNS, GOOD.strip().split(","), strict=True))
    row = ",".join(f'"{spacing}"' if name == column else cells[name] for name in COLUMNS)
    submission = submit(
        user=system.provider_a,
        content=(HEADER + GOOD + row + "\n").encode(),
        name="data.csv",
        channel=Channel.WEB,
    )
    assert places(submission) == [(3, column)]
    assert_nothing_kept(media)


def test_a_file_name_holding_an_nhs_number_is_kept_redacted(system, metrics, media):
    submission = submit(
        user=system.provider_a,
        content=(HEADER + GOOD).encode(),
        name="patient 943 476 5919.csv",
        channel=Channel.WEB,
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors
    assert submission.original_name == f"patient {IDENTIFIER_MASK}.csv"


def test_a_ten_digit_number_that_is_not_an_nhs_number_is_stored_and_the_file_kept(
    system, metrics, media
):
    submission = submit(
        user=system.provider_a,
        content=(HEADER + "COUNT,PA1,2026-09-01,,,9434765918\n").encode(),
        name="data.csv",
        channel=Channel.WEB,
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors
    assert (media / submission.original_file.name).read_bytes().endswith(b"9434765918\n")


# --- The upload page ---


@pytest.mark.parametrize("case", ["an extra nhs_number column", "a Latin-1 file", "the value"])
def test_the_upload_page_shows_where_without_the_value(
    client, system, metrics, media, logs, django_capture_on_commit_callbacks, case
):
    content, where = FILES[case]
    client.force_login(system.network_manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("outcomes:submission-create"),
            {"file": SimpleUploadedFile("943 476 5919.csv", content, "text/csv")},
            follow=True,
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem: nothing was stored" in page
    assert FILE_NOT_KEPT in page
    row, column = where[0]
    assert f"Row {row}, column {column}: {NHS_MESSAGE}" in page
    assert IDENTIFIER_MASK in page  # the file's name, redacted
    assert_not_echoed(page)
    assert_nothing_kept(media)
    assert_not_echoed(logs.text)


# --- The API ---


@pytest.fixture
def post(api_client, system, django_capture_on_commit_callbacks):
    api_client.force_authenticate(system.network_manager_a)

    def _post(data, format):
        with django_capture_on_commit_callbacks(execute=True):
            return api_client.post("/api/v1/submissions/", data, format=format)

    return _post


@pytest.mark.parametrize("case", FILES)
def test_the_api_refuses_a_file_with_400_naming_where(system, metrics, media, logs, post, case):
    content, where = FILES[case]
    response = post({"file": SimpleUploadedFile("data.csv", content, "text/csv")}, "multipart")
    assert response.status_code == 400
    messages = response.json()["file"]
    assert messages[0].startswith(FILE_NOT_KEPT)
    assert messages[1:] == [
        f"Row {row}, column {column}: {NHS_MESSAGE}. Concord holds aggregate data only: "
        "remove patient identifiers."
        for row, column in where
    ]
    assert_not_echoed(response.content.decode())
    assert_nothing_kept(media)
    assert_not_echoed(logs.text)


@pytest.mark.parametrize(
    "row",
    [
        {"metric_code": "COUNT", "organisation_code": "943 476 5919", "period_start": "2026-09-01"},
        {"metric_code": "943-476-5919", "organisation_code": "PA1", "period_start": "2026-09-01"},
        {"metric_code": "COUNT", "organisation_code": "PA1", "value": 9434765919},
        {"metric_code": "COUNT", "organisation_code": "PA1", "value": "943 476 5919"},
        {"metric_code": "COUNT", "organisation_code": "PA1", "nhs_number": "9434765919"},
        {"metric_code": "COUNT", "organisation_code": "PA1", "9434765919": "x"},
    ],
)
def test_the_api_refuses_json_rows_with_400(system, metrics, media, logs, post, row):
    response = post({"rows": [row]}, "json")
    assert response.status_code == 400
    assert response.json()["rows"][0].startswith(FILE_NOT_KEPT)
    assert NHS_MESSAGE in response.json()["rows"][1]
    assert_not_echoed(response.content.decode())
    assert_nothing_kept(media)
    assert_not_echoed(logs.text)


def test_the_api_does_not_echo_an_nhs_number_in_a_bad_request(system, metrics, media, post):
    key = post({"rows": [{"943 476 5919": [1]}]}, "json")
    assert key.status_code == 400
    assert key.json()["rows"] == [f"Row 2, column {IDENTIFIER_MASK}: give text, a number or null."]
    upload = SimpleUploadedFile("943-476-5919.xlsx", b"x", "application/octet-stream")
    name = post({"file": upload}, "multipart")
    assert name.status_code == 400
    assert IDENTIFIER_MASK in name.json()["file"][0]
    for response in (key, name):
        assert_not_echoed(response.content.decode())
    assert not Submission.objects.exists()
    assert_nothing_kept(media)


# --- The command ---


@pytest.mark.parametrize("case", ["an extra nhs_number column", "a UTF-16 file", "the metric code"])
def test_the_command_refuses_without_repeating_the_value(
    system, metrics, media, logs, tmp_path, case
):
    content, where = FILES[case]
    path = tmp_path / "943 476 5919.csv"
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_measurements", str(path), user="nm_a", stdout=out, stderr=err)
    submission = Submission.objects.get()
    assert str(refused.value) == (
        f"Submission {submission.pk} rejected: nothing stored: {len(where) + 1} errors in "
        f"{IDENTIFIER_MASK}.csv."
    )
    row, column = where[0]
    assert f"row {row}, column {column}: {NHS_MESSAGE}" in err.getvalue()
    for text in (out.getvalue(), err.getvalue(), logs.text):
        assert_not_echoed(text)
    assert_nothing_kept(media)


# --- Any NHS number, anywhere ---

nine_digits = st.integers(min_value=0, max_value=10**9 - 1).map(lambda n: f"{n:09d}")


def with_check_digit(nine: str) -> str | None:
    remainder = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else nine + str(check)


nhs_numbers = nine_digits.map(with_check_digit).filter(bool)


@st.composite
def written(draw, number: str) -> str:
    """The number as people and programs write it: spaced, hyphenated, as a
    decimal or with an exponent, alone or in other text."""
    gaps = draw(st.lists(st.sampled_from(["", "", " ", "-", " - "]), min_size=9, max_size=9))
    spaced = "".join(d + g for d, g in zip(number, [*gaps, ""], strict=True))
    forms = [spaced, number + ".0", "+" + number]
    if number[0] != "0":  # else these are the value of a nine-digit number
        forms += ["00" + number, f"{number[0]}.{number[1:]}e9"]
    text = draw(st.sampled_from(forms))
    before = draw(st.sampled_from(["", "NHS ", "id:", "(", " "]))
    after = draw(st.sampled_from(["", ")", " patient", " "]))
    return f'"{before}{text}{after}"'


@given(
    number=nhs_numbers,
    data=st.data(),
    row=st.integers(min_value=2, max_value=4),
    column=st.sampled_from(COLUMNS),
)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_any_nhs_number_in_any_cell_is_rejected_and_never_echoed(
    system, metrics, media, number, data, row, column
):
    cell = data.draw(written(number))
    lines = [
        "PROP,PA1,2026-07-01,45,50,",
        "PROP,PA2,2026-08-01,3,1500,",
        "COUNT,PA1,2026-09-01,,,17",
    ]
    cells = lines[row - 2].split(",")
    cells[COLUMNS.index(column)] = cell
    lines[row - 2] = ",".join(cells)
    before = Submission.objects.count()
    submission = submit(
        user=system.network_manager_a,
        content=(HEADER + "\n".join(lines) + "\n").encode(),
        name="data.csv",
        channel=Channel.API,
    )
    assert submission.status == SubmissionStatus.REJECTED
    assert places(submission) == [(row, column)]
    assert not submission.original_file and submission.sha256 == ""
    assert number not in digits(str(Submission.objects.filter(pk=submission.pk).values()[0]))
    assert Submission.objects.count() == before + 1
    assert not Measurement.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


@given(nine=nine_digits, last=st.integers(min_value=0, max_value=9))
def test_a_ten_digit_number_with_a_wrong_check_digit_is_not_one(nine, last):
    number = nine + str(last)
    assume(number != with_check_digit(nine))
    text = f"metric,{number},{number[:3]} {number[3:6]}-{number[6:]},{number}.0\n"
    assert identifier_spans(text) == []
    assert screen(text.encode()).errors == []


# --- Every message that quotes a value is redacted ---


def test_validation_messages_never_repeat_an_nhs_number():
    """Screening stops such a file first; the messages are redacted anyway."""
    rows = parse_csv(
        (
            HEADER + "943 476 5919,PA1,2026-09-01,,,1\n"
            "COUNT,943-476-5919,2026-09-01,,,1\n"
            "COUNT,PA1,2026-09-01,,,NHS 9434765919\n"
        ).encode()
    )
    _, errors = validate(
        rows, Reference(metrics={}, organisations={"PA1": 1}, allowed_organisation_ids=None)
    )
    quoted = [e["message"] for e in errors if "'" in e["message"]]
    assert quoted == [
        f"Unknown metric code '{IDENTIFIER_MASK}'.",
        "Unknown metric code 'COUNT'.",
        f"Unknown organisation code '{IDENTIFIER_MASK}'.",
        "Unknown metric code 'COUNT'.",
        f"Not a number: 'NHS {IDENTIFIER_MASK}'.",
    ]
    with pytest.raises(Exception, match=re.escape(f"unexpected column(s): x{IDENTIFIER_MASK}")):
        parse_csv((HEADER.strip() + ",x9434765919\n" + GOOD).encode())


@pytest.mark.parametrize(
    "text,shown",
    [
        ("9434765919", IDENTIFIER_MASK),
        ("code 943 476 5919.", f"code {IDENTIFIER_MASK}."),
        ("9434765919.00", IDENTIFIER_MASK),
        ("9434765919.5", "9434765919.5"),  # a decimal is not one
        ("0.9434765919", "0.9434765919"),
        ("19434765919", "19434765919"),  # eleven digits are not ten
        ("9434765918", "9434765918"),  # the check digit fails
    ],
)
def test_redact_masks_only_what_looks_like_an_nhs_number(text, shown):
    assert redact(text) == shown


# --- What was kept before screening ---


def test_the_migration_removes_what_was_kept_before_screening(system, metrics, media):
    """A file rejected for its header before screening existed was kept,
    and messages repeated values; warnings did not name their organisation."""
    import importlib

    from django.apps import apps
    from django.core.files.base import ContentFile

    migration = importlib.import_module(
        "outcomes.migrations.0020_submissions_keep_no_patient_identifiers"
    )

    def legacy(content, **fields):
        submission = Submission(submitted_by=system.network_manager_a, channel="web", **fields)
        submission.original_file.save("old.csv", ContentFile(content), save=False)
        submission.save()
        return submission

    held, where = FILES["an extra nhs_number column"]
    leaked = legacy(
        held,
        original_name="943 476 5919.csv",
        sha256="abc",
        status=SubmissionStatus.REJECTED,
        errors=[{"row": None, "column": None, "message": "unexpected column(s): nhs_number"}],
    )
    waiting = legacy(FILES["the value"][0], sha256="def")  # received, not yet processed
    wrong = legacy(
        (HEADER + "COUNT,PA1,2026-09-01,,,twelve\n").encode(),
        sha256="ghi",
        status=SubmissionStatus.REJECTED,
        errors=[{"row": 2, "column": "value", "message": "Not a number: 'twelve'."}],
    )
    echoed = Submission.objects.create(
        submitted_by=system.network_manager_a,
        status=SubmissionStatus.REJECTED,
        errors=[{"row": 2, "column": "value", "message": "Not a number: '943-476-5919'."}],
    )
    warned = Submission.objects.create(
        submitted_by=system.network_manager_a,
        status=SubmissionStatus.STORED,
        warnings=[
            {"row": 2, "message": "PROP for PA1 in 2025-01-01 is 4.2 standard deviations"},
            {"row": 3, "message": "PROP for PA2 in 2025-01-01 is 4.0 standard deviations"},
        ],
    )
    wrong_file = wrong.original_file.name

    migration.keep_no_patient_identifiers(apps, None)

    for submission in (leaked, waiting):
        submission.refresh_from_db()
        assert submission.status == SubmissionStatus.REJECTED and submission.finished_at
        assert submission.errors[0]["message"].startswith(FILE_NOT_KEPT)
        assert not submission.original_file and submission.sha256 == ""
        assert_not_echoed(Submission.objects.filter(pk=submission.pk).values()[0])
    assert places(leaked) == where
    assert places(waiting) == FILES["the value"][1]
    assert leaked.original_name == f"{IDENTIFIER_MASK}.csv"
    wrong.refresh_from_db()
    assert wrong.original_file.name == wrong_file and (media / wrong_file).exists()
    assert wrong.errors == [{"row": 2, "column": "value", "message": "Not a number: 'twelve'."}]
    echoed.refresh_from_db()
    assert echoed.errors[0]["message"] == f"Not a number: '{IDENTIFIER_MASK}'."
    warned.refresh_from_db()
    assert [w["organisation"] for w in warned.warnings] == [system.pa1.pk, system.pa2.pk]
    assert [(p.parent.name, p.name) for p in media.rglob("*") if p.is_file()] == [
        (Path(wrong_file).parent.name, Path(wrong_file).name)
    ]
