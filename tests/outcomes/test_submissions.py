"""Submitting measurements: every kind of bad input gets a precise error and
stores nothing; good input is stored as added, revised or unchanged."""

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage

from outcomes.choices import Channel, Frequency, MetricType, ReviewStatus, SubmissionStatus
from outcomes.models import Measurement, PeriodReview, Submission
from outcomes.services.submissions import process, receive, submit
from tests.factories import MetricFactory

TODAY = dt.date(2026, 11, 23)
HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"


@pytest.fixture
def metrics(db):
    return {
        "PROP": MetricFactory(code="PROP", metric_type=MetricType.PROPORTION, factor=100),
        "RATE": MetricFactory(code="RATE", metric_type=MetricType.RATE, factor=1000),
        "COUNT": MetricFactory(code="COUNT", metric_type=MetricType.COUNT, aggregation="sum"),
        "QTR": MetricFactory(
            code="QTR",
            metric_type=MetricType.VALUE,
            aggregation="mean",
            frequency=Frequency.QUARTERLY,
        ),
        "ANN": MetricFactory(
            code="ANN", metric_type=MetricType.VALUE, aggregation="mean", frequency=Frequency.ANNUAL
        ),
    }


def send(system, text, user=None, today=TODAY):
    content = text if isinstance(text, bytes) else text.encode()
    return submit(
        user=user or system.network_manager_a,
        content=content,
        name="data.csv",
        channel=Channel.WEB,
        today=today,
    )


def errors_of(submission):
    return [(e["row"], e["column"]) for e in submission.errors]


def test_good_rows_are_stored_with_values_computed(system, metrics):
    submission = send(
        system,
        HEADER + "PROP,PA1,2026-09-01,45,50,\n"
        "RATE,PA2,2026-09-01,3,1500,\nCOUNT,PA1,2026-09-01,,,17\n",
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors
    assert (submission.added, submission.revised, submission.unchanged) == (3, 0, 0)
    values = dict(Measurement.objects.values_list("metric__code", "value"))
    assert values == {"PROP": Decimal("90"), "RATE": Decimal("2"), "COUNT": Decimal("17")}
    with submission.original_file.open("rb") as kept:
        assert kept.read().startswith(HEADER.encode())


def test_resubmitting_makes_a_revision_and_an_identical_file_changes_nothing(system, metrics):
    first = send(system, HEADER + "PROP,PA1,2026-09-01,45,50,\nPROP,PA1,2026-08-01,40,50,\n")
    second = send(system, HEADER + "PROP,PA1,2026-09-01,46,50,\nPROP,PA1,2026-08-01,40,50,\n")
    assert (second.added, second.revised, second.unchanged) == (0, 1, 1)
    again = send(system, HEADER + "PROP,PA1,2026-09-01,46,50,\nPROP,PA1,2026-08-01,40,50,\n")
    assert (again.added, again.revised, again.unchanged) == (0, 0, 2)
    september = Measurement.objects.filter(period_start=dt.date(2026, 9, 1)).order_by("revision")
    assert [(m.revision, m.is_current, m.submission_id) for m in september] == [
        (1, False, first.pk),
        (2, True, second.pk),
    ]
    assert Measurement.objects.count() == 3


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "The file is empty."),
        (b"   \n", "The file is empty."),
        (HEADER.encode(), "header row but no data rows"),
        (
            b"metric_code,organisation_code,period_start,numerator,denominator\nPROP,PA1,2026-09-01,1,2\n",
            "missing column(s): value",
        ),
        (
            HEADER.strip().encode() + b",notes\nPROP,PA1,2026-09-01,1,2,,x\n",
            "unexpected column(s): notes",
        ),
        (
            b"metric,org,period,numerator,denominator,value\nPROP,PA1,2026-09-01,1,2,\n",
            "missing column(s): metric_code, organisation_code, period_start",
        ),
        (HEADER.encode() + b"PROP,PA1,2026-09-01,1,2,\xff\n", "not UTF-8"),
    ],
)
def test_unreadable_files_are_rejected_whole(system, metrics, content, message):
    submission = send(system, content)
    assert submission.status == SubmissionStatus.REJECTED
    assert message in submission.errors[0]["message"]
    assert not Measurement.objects.exists()


def test_byte_order_mark_and_windows_line_endings_are_fine(system, metrics):
    content = "\ufeff" + HEADER.replace("\n", "\r\n") + "PROP,PA1,2026-09-01,45,50,\r\n"
    submission = send(system, content.encode("utf-8"))
    assert submission.status == SubmissionStatus.STORED, submission.errors


@pytest.mark.parametrize(
    "row,column,message",
    [
        ("NOPE,PA1,2026-09-01,1,2,", "metric_code", "Unknown metric code 'NOPE'."),
        ("PROP,ZZZ,2026-09-01,1,2,", "organisation_code", "Unknown organisation code 'ZZZ'."),
        ("PROP,PB1,2026-09-01,1,2,", "organisation_code", "You may not submit data for 'PB1'."),
        ("PROP,PA1,01/09/2026,1,2,", "period_start", "Not a date"),
        ("PROP,PA1,2026-09-15,1,2,", "period_start", "must start on the first day of a month"),
        ("QTR,PA1,2026-08-01,,,5", "period_start", "first day of a quarter"),
        ("ANN,PA1,2026-01-01,,,5", "period_start", "1 April"),
        ("PROP,PA1,2027-01-01,1,2,", "period_start", "The period is in the future."),
        ("PROP,PA1,2026-09-01,1,0,", "denominator", "must be above zero"),
        ("PROP,PA1,2026-09-01,1,-4,", "denominator", "must be above zero"),
        ("PROP,PA1,2026-09-01,5,4,", "numerator", "cannot be larger than the denominator"),
        ("PROP,PA1,2026-09-01,1,2,50", "value", "give the numerator and denominator, not a value"),
        ("PROP,PA1,2026-09-01,lots,2,", "numerator", "Not a number: 'lots'."),
        ("COUNT,PA1,2026-09-01,,,twelve", "value", "Not a number: 'twelve'."),
        ("COUNT,PA1,2026-09-01,3,4,", "numerator", "takes a single value"),
        ("COUNT,PA1,2026-09-01,,,", "value", "Give a value."),
        ("COUNT,PA1,2026-09-01,,,9434765919", "value", "looks like an NHS number"),
    ],
)
def test_each_bad_row_names_its_row_column_and_problem(system, metrics, row, column, message):
    submission = send(system, HEADER + "PROP,PA2,2026-08-01,1,2,\n" + row + "\n")
    assert submission.status == SubmissionStatus.REJECTED
    assert any(
        e["row"] == 3 and e["column"] == column and message in e["message"]
        for e in submission.errors
    ), submission.errors
    assert not Measurement.objects.exists()  # the good row 2 is not stored either


def test_every_error_is_reported_not_just_the_first(system, metrics):
    submission = send(system, HEADER + "NOPE,PA1,2026-09-01,1,2,\nPROP,ZZZ,2026-13-01,1,2,\n")
    assert errors_of(submission) == [
        (2, "metric_code"),
        (3, "organisation_code"),
        (3, "period_start"),
    ]


def test_duplicated_rows_point_to_the_first(system, metrics):
    submission = send(system, HEADER + "PROP,PA1,2026-09-01,1,2,\nPROP,PA1,2026-09-01,1,3,\n")
    assert submission.errors == [
        {
            "row": 3,
            "column": "metric_code",
            "message": "Duplicate of row 2 (same metric, organisation and period).",
        }
    ]


@pytest.mark.parametrize(
    "value",
    ["9434765918", "9434765918.0", "1234.5", "9434765919.5", "12345678901.0"],
)
def test_a_ten_digit_number_that_fails_the_check_digit_is_allowed(system, metrics, value):
    """Nor is a decimal, or a whole number of more than ten digits, an NHS number."""
    submission = send(system, HEADER + f"COUNT,PA1,2026-09-01,,,{value}\n")
    assert submission.status == SubmissionStatus.STORED, submission.errors
    assert Measurement.objects.get().value == Decimal(value)


@pytest.mark.parametrize(
    "value",
    ["9434765919.0", "9434765919.00", " 9434765919.0 ", "9.434765919e9", "+9434765919.0"],
)
def test_an_nhs_number_written_as_a_decimal_is_refused(system, metrics, value):
    """A spreadsheet or a JSON float writes 9434765919 as 9434765919.0; its
    value is the same ten digits with a valid check digit."""
    submission = send(
        system, HEADER + f'PROP,PA2,2026-08-01,1,2,\nCOUNT,PA1,2026-09-01,,,"{value}"\n'
    )
    assert submission.status == SubmissionStatus.REJECTED
    assert errors_of(submission) == [(None, None), (3, "value")]
    assert "looks like an NHS number" in submission.errors[1]["message"]
    assert not Measurement.objects.exists()


def receive_and_process(system, text):
    """The stored file's name, and the submission once processed."""
    submission = receive(
        user=system.network_manager_a, content=text.encode(), name="data.csv", channel=Channel.WEB
    )
    name = submission.original_file.name
    assert name.startswith("submissions/") and default_storage.exists(name)
    process(submission, TODAY)
    return name, Submission.objects.get(pk=submission.pk)


def test_a_file_with_an_nhs_number_is_never_kept(system, metrics):
    """Rejected as it is received, before it is stored or read further:
    no file, no checksum, only where the suspected identifiers were."""
    submission = receive(
        user=system.network_manager_a,
        content=(HEADER + "COUNT,PA1,2026-09-01,,,9434765919\n").encode(),
        name="data.csv",
        channel=Channel.WEB,
    )
    assert submission.status == SubmissionStatus.REJECTED and submission.is_finished
    assert not submission.original_file
    assert submission.sha256 == ""
    assert submission.row_count == 1
    assert submission.errors[0]["row"] is None
    assert submission.errors[0]["message"].startswith("The file was not kept")
    assert errors_of(submission)[1:] == [(2, "value")]


def test_a_file_rejected_for_another_reason_is_kept(system, metrics):
    text = HEADER + "COUNT,PA1,2026-09-01,,,twelve\n"
    name, submission = receive_and_process(system, text)
    assert submission.status == SubmissionStatus.REJECTED
    assert errors_of(submission) == [(2, "value")]
    assert submission.original_file.name == name
    with submission.original_file.open("rb") as kept:
        assert kept.read() == text.encode()


def test_a_locked_period_cannot_be_resubmitted_until_unlocked(system, contract, metric):
    send(system, HEADER + "EMADM,PA1,2026-09-01,3,1500,\n")
    review = PeriodReview.objects.create(
        contract=contract,
        organisation=system.pa1,
        period_start=dt.date(2026, 9, 1),
        status=ReviewStatus.ACCEPTED,
        reviewed_by=system.commissioner,
    )
    locked = send(system, HEADER + "EMADM,PA1,2026-09-01,4,1500,\n")
    assert locked.status == SubmissionStatus.REJECTED
    assert "accepted and locked" in locked.errors[0]["message"]
    review.status = ReviewStatus.UNLOCKED
    review.save()
    assert send(system, HEADER + "EMADM,PA1,2026-09-01,4,1500,\n").revised == 1


def test_oversized_files_are_refused_with_the_limit_and_not_kept(system, metrics, settings):
    settings.SUBMISSION_MAX_BYTES = 1000
    submission = send(system, HEADER + "PROP,PA1,2026-09-01,45,50,\n" * 100)
    assert submission.status == SubmissionStatus.REJECTED
    assert "the most Concord accepts is 1000\xa0bytes" in submission.errors[0]["message"]
    assert "Split it into smaller files" in submission.errors[0]["message"]
    assert not submission.original_file


def test_outliers_are_warned_about_not_rejected(system, metrics):
    history = "".join(f"PROP,PA1,2025-{m:02d}-01,{40 + m % 3},50,\n" for m in range(1, 13))
    send(system, HEADER + history)
    submission = send(system, HEADER + "PROP,PA1,2026-01-01,5,50,\n")
    assert submission.status == SubmissionStatus.STORED
    assert [w["row"] for w in submission.warnings] == [2]
    assert "standard deviations" in submission.warnings[0]["message"]


@pytest.mark.parametrize("person", ["lay_partner", "outsider"])
def test_people_without_a_submitting_role_cannot_submit(system, metrics, person):
    with pytest.raises(PermissionDenied):
        send(system, HEADER + "PROP,PA1,2026-09-01,45,50,\n", user=getattr(system, person))
    assert not Submission.objects.exists()


def test_a_provider_submits_only_for_itself(system, metrics):
    ok = send(system, HEADER + "PROP,PA1,2026-09-01,45,50,\n", user=system.provider_a)
    assert ok.status == SubmissionStatus.STORED
    refused = send(system, HEADER + "PROP,PA2,2026-09-01,45,50,\n", user=system.provider_a)
    assert errors_of(refused) == [(2, "organisation_code")]


def test_a_hundred_thousand_valid_rows_are_accepted(system, metrics):
    from tests.factories import OrganisationFactory, add_member

    for n in range(100):
        add_member(system.network_a, OrganisationFactory(code=f"PX{n:03d}"))
    months = [TODAY.replace(day=1) - relativedelta(months=i) for i in range(1000)]
    lines = [
        f"PROP,PX{n:03d},{month:%Y-%m-%d},{(n + i) % 50},50,"
        for n in range(100)
        for i, month in enumerate(months)
    ]
    assert len(lines) == 100_000
    submission = send(system, HEADER + "\n".join(lines) + "\n")
    assert submission.status == SubmissionStatus.STORED, submission.errors[:3]
    assert submission.added == 100_000
    assert Measurement.objects.count() == 100_000


def test_an_unexpected_failure_marks_the_submission_failed_and_stores_nothing(
    system, metrics, monkeypatch
):
    from django.db import transaction

    from outcomes.services import submissions

    real_store = submissions.store

    def store_then_break(submission, rows, clean):
        with transaction.atomic():  # a crash after the rows are written, before commit
            real_store(submission, rows, clean)
            raise RuntimeError("disk full")

    monkeypatch.setattr(submissions, "store", store_then_break)
    submission = send(system, HEADER + "PROP,PA1,2026-09-01,45,50,\n")
    assert submission.status == SubmissionStatus.FAILED
    assert "nothing in it was stored" in submission.errors[0]["message"]
    assert not Measurement.objects.exists()


def test_a_50_mb_file_is_refused_with_a_clear_size_message(system, metrics):
    row = b"PROP,PA1,2026-09-01,45,50,\n"
    content = HEADER.encode() + row * (50_000_000 // len(row))
    assert len(content) >= 49_000_000
    submission = send(system, content)
    assert submission.status == SubmissionStatus.REJECTED
    assert submission.errors[0]["message"].startswith("The file is 47.7")
    assert "the most Concord accepts is 9.5" in submission.errors[0]["message"]
    assert not Measurement.objects.exists()
