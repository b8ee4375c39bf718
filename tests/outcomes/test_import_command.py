"""manage.py import_measurements: the same validation as the web and the API,
a summary on success, every error by row and column on failure."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from outcomes.choices import Channel, MetricType, SubmissionStatus
from outcomes.models import Measurement, Submission
from outcomes.services.submissions import too_big
from tests.factories import MetricFactory

HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"


@pytest.fixture
def metrics(db):
    return [
        MetricFactory(code="PROP", metric_type=MetricType.PROPORTION, factor=100),
        MetricFactory(code="COUNT", metric_type=MetricType.COUNT, aggregation="sum"),
    ]


@pytest.fixture
def csv_path(tmp_path):
    def write(text, name="data.csv"):
        path = tmp_path / name
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        return str(path)

    return write


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_measurements", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_a_good_file_is_stored_with_a_summary(system, metrics, csv_path):
    path = csv_path(HEADER + "PROP,PA1,2025-09-01,45,50,\nCOUNT,PA2,2025-09-01,,,17\n")
    out, err = run(path, user="nm_a")
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.STORED
    assert submission.channel == Channel.COMMAND
    assert submission.submitted_by == system.network_manager_a
    assert submission.original_name == "data.csv"
    assert (
        f"Submission {submission.pk} stored 2 row(s) from data.csv: "
        "2 added, 0 revised, 0 unchanged." in out
    )
    assert err == ""
    assert Measurement.objects.count() == 2

    path = csv_path(HEADER + "PROP,PA1,2025-09-01,46,50,\nCOUNT,PA2,2025-09-01,,,17\n")
    out, _ = run(path, "--user", "nm_a")
    assert "0 added, 1 revised, 1 unchanged." in out


def test_outlier_warnings_are_printed(system, metrics, csv_path):
    history = "".join(f"COUNT,PA1,2025-0{m}-01,,,{10 + m % 2}\n" for m in range(1, 8))
    run(csv_path(HEADER + history), user="provider_a")
    out, _ = run(csv_path(HEADER + "COUNT,PA1,2025-08-01,,,500\n"), user="provider_a")
    assert "1 revised" not in out and "1 added" in out
    assert "Warning: row 2: COUNT for PA1 in 2025-08-01 is" in out
    assert "standard deviations" in out


def test_a_rejected_file_prints_every_error_and_exits_non_zero(system, metrics, csv_path):
    path = csv_path(
        HEADER + "PROP,PA1,2025-09-01,45,50,\nNOPE,PA1,2025-09-01,1,2,\nPROP,PB1,2025-09-15,1,2,\n"
    )
    with pytest.raises(CommandError) as raised:
        run(path, user="provider_a")
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.REJECTED
    assert str(raised.value) == (
        f"Submission {submission.pk} rejected: nothing stored: 3 errors in data.csv."
    )
    assert not Measurement.objects.exists()


def test_errors_go_to_stderr_as_row_and_column(system, metrics, csv_path):
    path = csv_path(
        HEADER + "PROP,PA1,2025-09-01,45,50,\nNOPE,PA1,2025-09-01,1,2,\nPROP,PB1,2025-09-15,1,2,\n"
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_measurements", path, user="provider_a", stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        "row 3, column metric_code: Unknown metric code 'NOPE'.",
        "row 4, column organisation_code: You may not submit data for 'PB1'.",
        "row 4, column period_start: The metric is monthly: the period must start on the "
        "first day of a month.",
    ]
    assert out.getvalue() == ""


def test_a_file_level_error_has_no_row_or_column(system, metrics, csv_path):
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error in"):
        call_command(
            "import_measurements",
            csv_path(HEADER.replace(",value", ",amount") + "COUNT,PA1,2025-09-01,,,1\n"),
            user="provider_a",
            stderr=err,
        )
    assert err.getvalue().startswith("The header row is wrong: missing column(s): value;")


def test_the_command_exits_non_zero_from_the_shell(system, metrics, csv_path):
    """Run the real entry point: CommandError becomes exit status 1."""
    from django.core.management import ManagementUtility

    path = csv_path(HEADER + "NOPE,PA1,2025-09-01,1,2,\n")
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(
            ["manage.py", "import_measurements", path, "--user", "provider_a"]
        ).execute()
    assert exited.value.code == 1


def test_today_decides_what_is_in_the_future(system, metrics, csv_path):
    path = csv_path(HEADER + "PROP,PA1,2025-09-01,45,50,\n")
    with pytest.raises(CommandError):
        run(path, user="provider_a", today="2025-08-15")
    assert Submission.objects.get().errors[0]["message"] == "The period is in the future."
    out, _ = run(path, user="provider_a", today="2025-10-01")
    assert "1 added" in out
    with pytest.raises(CommandError, match="--today must be a date in the form YYYY-MM-DD"):
        run(path, user="provider_a", today="tomorrow")


def test_an_unknown_user_is_refused(system, metrics, csv_path):
    with pytest.raises(CommandError, match="There is no user 'nobody'."):
        run(csv_path(HEADER + "PROP,PA1,2025-09-01,45,50,\n"), user="nobody")
    assert not Submission.objects.exists()


def test_a_user_who_may_not_submit_is_refused(system, metrics, csv_path):
    with pytest.raises(CommandError, match="lay: Your role does not allow submitting data."):
        run(csv_path(HEADER + "PROP,PA1,2025-09-01,45,50,\n"), user="lay")
    assert not Submission.objects.exists()


def test_a_missing_file_is_refused(system, metrics, tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        run(str(tmp_path / "nope.csv"), user="provider_a")


def test_the_user_is_required(system, metrics, csv_path):
    with pytest.raises(CommandError, match="--user"):
        run(csv_path(HEADER))


def test_a_file_too_large_is_refused_with_the_web_message(system, metrics, csv_path, settings):
    settings.SUBMISSION_MAX_BYTES = 50
    text = HEADER + "PROP,PA1,2025-09-01,45,50,\n"
    with pytest.raises(CommandError) as raised:
        run(csv_path(text), user="provider_a")
    assert str(raised.value) == too_big(len(text.encode()))
    assert "the most Concord accepts is 50" in str(raised.value)
    assert not Submission.objects.exists()


def test_validation_is_the_same_as_the_web(system, metrics, csv_path):
    """The same file through the command and the service the web uses gives
    the same errors."""
    from outcomes.services.submissions import submit

    text = HEADER + "PROP,PA1,2025-09-01,60,50,\nCOUNT,PA1,2025-09-01,,,x\n"
    with pytest.raises(CommandError):
        run(csv_path(text), user="provider_a", today="2026-01-01")
    by_command = Submission.objects.get()
    by_web = submit(
        user=system.provider_a,
        content=text.encode(),
        name="data.csv",
        channel=Channel.WEB,
        today=dt.date(2026, 1, 1),
    )
    assert by_command.errors == by_web.errors
    assert len(by_web.errors) == 2
