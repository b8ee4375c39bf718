"""Agendas drafted from crafted exceptions: special-cause concern, below the
minimum, missing and late data, open notices and milestones, overdue, due
soon and escalated actions; the chair's edits; the scheduled draft."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from contracts.choices import NoticeStatus
from dialogues import agenda
from dialogues.choices import ActionStatus, AgendaSource
from dialogues.models import AgendaItem, Meeting
from dialogues.services import actions, escalation
from dialogues.tasks import draft_agendas
from outcomes import scoring
from outcomes.choices import Channel, SubmissionStatus
from outcomes.models import Measurement, MetricScore, ScoreRun, Submission
from tests.dialogues.test_dialogues_services import at, make_series

TODAY = dt.date(2026, 3, 16)


def month(n: int) -> dt.date:
    """The n-th month from December 2024 (0)."""
    year, index = divmod(11 + n, 12)
    return dt.date(2024 + year, index + 1, 1)


def store(user, organisation, metric, values, arrived: dt.datetime):
    submission = Submission.objects.create(
        submitted_by=user,
        channel=Channel.API,
        original_file="submissions/test.csv",
        sha256="0" * 64,
        status=SubmissionStatus.STORED,
    )
    Submission.objects.filter(pk=submission.pk).update(created_at=arrived)
    Measurement.objects.bulk_create(
        Measurement(
            metric=metric,
            organisation=organisation,
            period_start=period,
            value=value,
            submission=submission,
        )
        for period, value in values
    )


@pytest.fixture
def weekly(system):
    return make_series(system, ends_on=dt.date(2026, 4, 30))


@pytest.fixture
def exceptions(system, contract, metric, weekly):
    """PA1: 14 steady months then a jump above the upper limit in February
    2026 (lower is better: a concern), worse than the minimum, January's data
    late. PA2: January missing. Actions overdue, due soon, later and done."""
    steady = [25, 26, 24, 25, 27, 25, 24, 26, 25, 24, 26, 25, 25, 24]
    values = [(month(n), v) for n, v in enumerate(steady)] + [(month(14), 40)]
    store(system.provider_a, system.pa1, metric, values, at(2026, 2, 25))
    store(system.provider_a, system.pa2, metric, [(month(12), 25)], at(2026, 1, 10))
    run = ScoreRun.objects.create(
        contract=contract,
        period_start=month(14),
        trigger="manual",
        rule_version="t",
        inputs_digest="t",
        is_current=True,
    )
    MetricScore.objects.create(
        run=run,
        contract_metric=contract.metric_versions.get(),
        metric=metric,
        organisation=system.pa1,
        period_start=month(14),
        value=40,
        score=0,
        rating=scoring.INADEQUATE,
    )
    first = weekly.meetings.get(starts_at=at(2026, 3, 3, 10))
    nm = system.network_manager_a

    def log(title, due):
        return actions.log_action(
            user=nm, meeting=first, title=title, owner=system.provider_a, due_on=due
        )

    log("Chase the falls data", dt.date(2026, 3, 10))
    log("Book the deep dive", dt.date(2026, 3, 25))
    log("Review the winter plan", dt.date(2026, 5, 30))
    done = log("Confirm the rota", dt.date(2026, 3, 12))
    actions.set_action_status(user=nm, action=done, status=ActionStatus.DONE)
    return weekly.meetings.get(starts_at=at(2026, 3, 17, 10))


def items_of(meeting):
    return [(i.source, i.title) for i in meeting.agenda_items.order_by("position")]


def test_agenda_brings_in_each_kind_of_exception(system, metric, exceptions, notice_in):
    notice_in(NoticeStatus.RAISED)
    drafted = agenda.draft_agenda(exceptions, today=TODAY)
    code = f"{metric.code} {metric.name}"
    assert [(i.source, i.title) for i in drafted] == [
        (AgendaSource.SPC_CONCERN, f"{code}: special-cause concern at Provider A1"),
        (AgendaSource.BELOW_MINIMUM, f"{code}: worse than the minimum threshold at Provider A1"),
        (AgendaSource.LATE_DATA, "Late data from Provider A1 for January 2026"),
        (AgendaSource.MISSING_DATA, "Missing data from Provider A2 for January 2026"),
        (AgendaSource.OPEN_NOTICE, "Performance notice: Emergency admissions above threshold"),
        (AgendaSource.OVERDUE_ACTION, "Overdue: Chase the falls data"),
        (AgendaSource.DUE_SOON_ACTION, "Due soon: Book the deep dive"),
    ]
    assert drafted[1].detail == (
        "Provider A1: 40 in February 2026, against a minimum threshold of 30 (lower is better)."
    )
    assert drafted[0].organisation == system.pa1 and drafted[0].metric == metric
    assert Meeting.objects.get(pk=exceptions.pk).agenda_drafted_at is not None


def test_nothing_to_raise_gives_an_empty_draft(system, weekly):
    # Contract A has no metrics yet, so no data is expected either.
    meeting = weekly.meetings.get(starts_at=at(2026, 3, 17, 10))
    assert agenda.draft_agenda(meeting, today=TODAY) == []


def test_escalated_actions_are_marked_as_such(system, exceptions):
    monthly = make_series(
        system,
        title="Monthly",
        meeting_type="monthly",
        rrule="FREQ=MONTHLY;BYDAY=3WE",
        ends_on=dt.date(2026, 4, 30),
    )
    target = monthly.meetings.get(starts_at=at(2026, 3, 18, 10))
    assert escalation.escalate_overdue_actions(now=at(2026, 3, 16, 6)) == 1
    titles = [t for _, t in items_of(target)]
    assert titles == []  # not drafted yet: escalation waits for the draft
    drafted = agenda.draft_agenda(target, today=TODAY)
    assert (AgendaSource.ESCALATED_ACTION, "Escalated: Chase the falls data") in [
        (i.source, i.title) for i in drafted
    ]
    # Once drafted, a later escalation is added to the agenda straight away.
    late = actions.log_action(
        user=system.network_manager_a,
        meeting=exceptions,
        title="Send the rota",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 17),
    )
    escalation.escalate_overdue_actions(now=at(2026, 3, 18, 6))
    assert target.agenda_items.filter(action=late, source=AgendaSource.ESCALATED_ACTION).exists()


def test_milestones_missed_or_due_within_a_month(system, weekly, notice_in):
    notice = notice_in(NoticeStatus.PLAN_AGREED)
    meeting = weekly.meetings.get(starts_at=at(2026, 4, 21, 10))
    drafted = agenda.draft_agenda(meeting, today=dt.date(2026, 4, 20))
    milestone = notice.milestones.get()
    assert (AgendaSource.MILESTONE, f"Remedial plan milestone due: {milestone.description}") in [
        (i.source, i.title) for i in drafted
    ]
    drafted = agenda.draft_agenda(meeting, today=dt.date(2026, 5, 4))
    assert f"Remedial plan milestone missed: {milestone.description}" in [i.title for i in drafted]


def test_the_chair_edits_and_a_redraft_keeps_their_items(system, exceptions):
    agenda.draft_agenda(exceptions, today=TODAY)
    chair = system.network_manager_a
    added = agenda.add_item(user=chair, meeting=exceptions, title="Any other business")
    first = exceptions.agenda_items.order_by("position").first()
    agenda.edit_item(user=chair, item=first, title="SPC: admissions at A1", detail="Deep dive")
    with pytest.raises(PermissionDenied):
        agenda.add_item(user=system.provider_a, meeting=exceptions, title="Mine")
    with pytest.raises(PermissionDenied):
        agenda.remove_item(user=system.provider_a, item=added)
    agenda.draft_agenda(exceptions, user=chair, today=TODAY)
    titles = [t for _, t in items_of(exceptions)]
    assert titles[-1] == "Any other business"
    assert len(titles) == 7  # six drafted, one by hand
    agenda.remove_item(user=chair, item=AgendaItem.objects.get(pk=added.pk))
    assert "Any other business" not in [t for _, t in items_of(exceptions)]


def test_scheduled_drafting_happens_once_within_the_lead_time(system, exceptions):
    # The series drafts 5 days ahead: 17 March's agenda is due from 12 March.
    assert draft_agendas.delay(at(2026, 3, 11, 7).isoformat()).get() == 0
    assert draft_agendas.delay(at(2026, 3, 12, 11).isoformat()).get() == 1
    assert draft_agendas.delay(at(2026, 3, 12, 12).isoformat()).get() == 0
    exceptions.refresh_from_db()
    assert exceptions.agenda_drafted_at == at(2026, 3, 12, 11)
    assert exceptions.agenda_items.count() == 6
    assert Meeting.objects.exclude(agenda_drafted_at=None).get() == exceptions


def test_drafting_uses_today_by_default(system, weekly):
    meeting = weekly.meetings.last()
    agenda.draft_agenda(meeting)
    assert meeting.agenda_drafted_at.date() == timezone.now().date()


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (58.4746, "%", "58.5%"),
        (1461.73, "£", "£1,461.7"),
        (13.3179, "per 1,000", "13.3 per 1,000"),
        (40, "", "40"),
    ],
)
def test_values_are_shown_with_their_units(value, unit, shown):
    assert agenda.show(value, unit) == shown
