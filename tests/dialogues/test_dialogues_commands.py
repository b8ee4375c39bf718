"""`manage.py run_dialogue_jobs`: the scheduled dialogue jobs, run by hand."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dialogues.models import Meeting
from tests.dialogues.test_dialogues_services import make_series


def run(*args) -> str:
    out = StringIO()
    call_command("run_dialogue_jobs", *args, stdout=out)
    return out.getvalue()


def test_the_jobs_run_as_beat_runs_them_and_twice_changes_nothing(system):
    series = make_series(system)
    Meeting.objects.filter(series=series).delete()
    output = run("generate", "--now", "2026-03-01T12:00")
    assert "generate: 53" in output and "Done." in output
    assert series.meetings.count() == 53  # every Tuesday from 3 March 2026, a year ahead
    assert "generate: 0" in run("generate", "--now", "2026-03-01T12:00")


def test_every_job_runs_by_default(system, mailoutbox):
    make_series(system)
    output = run("--now", "2026-03-02T08:00")
    assert [line.split(":")[0] for line in output.splitlines()[:4]] == [
        "generate",
        "escalate",
        "agendas",
        "reminders",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("minutes",), "No job minutes: choose from generate, escalate, agendas, reminders."),
        (("--now", "next Tuesday"), "--now: Invalid isoformat string"),
    ],
)
def test_bad_input_is_a_clear_error(system, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        run(*args)
