"""Meeting series, generation from RFC 5545 rules across the clock changes,
contract management meetings from notices, the action log and escalation.
The helpers here (`make_series`, `at`) are shared by the other dialogue tests."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.choices import NoticeStatus, Role
from dialogues import agenda
from dialogues.choices import ActionStatus, Attendance, MeetingType, SeriesLevel
from dialogues.forms import EditActionForm
from dialogues.models import Action, Meeting, MeetingSeries
from dialogues.services import actions, escalation, evidence, meetings, minutes
from dialogues.tasks import escalate_overdue_actions, generate_meetings
from tests.factories import MembershipFactory

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC


def at(year, month, day, hour=12, minute=0) -> dt.datetime:
    """An aware Europe/London moment."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def make_series(system, *, now=None, user=None, **overrides):
    """A weekly tactical meeting of network A with its members, on Tuesdays at
    10:00 from 3 March 2026, chaired by its network manager."""
    fields = {
        "title": "Weekly tactical: Network A",
        "level": SeriesLevel.NETWORK_MEMBERS,
        "meeting_type": MeetingType.WEEKLY,
        "provider": system.network_a,
        "contract": system.contract_a,
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
        "starts_on": dt.date(2026, 3, 3),
        "start_time": dt.time(10, 0),
        "duration_minutes": 60,
        "chair": system.network_manager_a,
        "organisations": [system.network_a, system.pa1, system.pa2],
        "participants": [system.network_manager_a, system.provider_a],
    }
    fields.update(overrides)
    return meetings.save_series(
        user=user or system.network_manager_a, now=now or at(2026, 3, 1), **fields
    )


def future_meeting(system, days: int):
    """The single meeting of a series held `days` days from today."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return make_series(
        system, starts_on=day, ends_on=day, rrule="FREQ=DAILY", now=timezone.now()
    ).meetings.get()


def starts(series, **filters):
    return list(series.meetings.filter(**filters).values_list("starts_at", flat=True))


# --- Recurrence and generation -------------------------------------------------


def test_weekly_meetings_keep_local_time_across_the_spring_clock_change(system):
    # The clocks go forward on the last Sunday of March (29 March 2026).
    series = make_series(system, ends_on=dt.date(2026, 4, 7))
    times = starts(series)
    assert [t.astimezone(LONDON).strftime("%a %d %b %H:%M") for t in times] == [
        "Tue 03 Mar 10:00",
        "Tue 10 Mar 10:00",
        "Tue 17 Mar 10:00",
        "Tue 24 Mar 10:00",
        "Tue 31 Mar 10:00",
        "Tue 07 Apr 10:00",
    ]
    assert [t.astimezone(UTC).hour for t in times] == [10, 10, 10, 10, 9, 9]
    assert all(m.ends_at - m.starts_at == dt.timedelta(hours=1) for m in series.meetings.all())


def test_monthly_meetings_keep_local_time_across_the_autumn_clock_change(system):
    # The clocks go back on the last Sunday of October (25 October 2026): a
    # meeting on the last Monday of the month at 09:30 moves from 08:30 to 09:30 UTC.
    series = make_series(
        system,
        meeting_type=MeetingType.MONTHLY,
        rrule="FREQ=MONTHLY;BYDAY=-1MO",
        starts_on=dt.date(2026, 9, 1),
        start_time=dt.time(9, 30),
        ends_on=dt.date(2026, 11, 30),
        now=at(2026, 8, 1),
    )
    assert [(t.astimezone(UTC).day, t.astimezone(UTC).hour) for t in starts(series)] == [
        (28, 8),
        (26, 9),
        (30, 9),
    ]


def local_spans(series):
    """Each meeting as (local start, minutes long)."""
    return [
        (
            m.starts_at.astimezone(LONDON).strftime("%d %b %H:%M %Z"),
            (m.ends_at - m.starts_at) // dt.timedelta(minutes=1),
        )
        for m in series.meetings.order_by("starts_at")
    ]


def test_a_start_time_the_clocks_skip_moves_forward_by_the_gap(system):
    # 01:30 on 29 March 2026 does not exist in London (01:00 GMT -> 02:00 BST):
    # that meeting is at 02:30 BST, an hour long; the other Sundays at 01:30.
    series = make_series(
        system,
        rrule="FREQ=WEEKLY;BYDAY=SU",
        starts_on=dt.date(2026, 3, 22),
        start_time=dt.time(1, 30),
        ends_on=dt.date(2026, 4, 5),
    )
    assert local_spans(series) == [
        ("22 Mar 01:30 GMT", 60),
        ("29 Mar 02:30 BST", 60),
        ("05 Apr 01:30 BST", 60),
    ]


def test_a_meeting_across_the_autumn_clock_change_keeps_its_length(system):
    # 01:30 on 25 October 2026 happens twice (02:00 BST -> 01:00 GMT): the
    # meeting starts at the first, and ends 90 real minutes later (02:00 GMT).
    series = make_series(
        system,
        rrule="FREQ=WEEKLY;BYDAY=SU",
        starts_on=dt.date(2026, 10, 18),
        start_time=dt.time(1, 30),
        duration_minutes=90,
        ends_on=dt.date(2026, 11, 1),
        now=at(2026, 10, 1),
    )
    assert local_spans(series) == [
        ("18 Oct 01:30 BST", 90),
        ("25 Oct 01:30 BST", 90),
        ("01 Nov 01:30 GMT", 90),
    ]
    across = series.meetings.get(starts_at=dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    assert across.ends_at == dt.datetime(2026, 10, 25, 2, 0, tzinfo=UTC)
    # Generating again finds the same instants: nothing added or changed.
    assert meetings.generate_meetings(series, now=at(2026, 10, 1)) == 0
    assert series.meetings.count() == 3


def test_generation_is_idempotent_and_covers_a_year_ahead(system):
    series = make_series(system)
    count = series.meetings.count()
    assert count == 53  # every Tuesday from 3 March 2026 for 366 days
    assert meetings.generate_meetings(series, now=at(2026, 3, 1)) == 0
    assert generate_meetings.delay(at(2026, 3, 1).isoformat()).get() == 0
    assert series.meetings.count() == count
    # A day later the window has moved on by a day: still no Tuesday to add.
    assert meetings.generate_meetings(series, now=at(2026, 3, 2)) == 0


def test_editing_a_series_regenerates_future_meetings_not_past_ones(system):
    series = make_series(system, ends_on=dt.date(2026, 4, 30))
    past_ids = set(
        series.meetings.filter(starts_at__lt=at(2026, 3, 20)).values_list("pk", flat=True)
    )
    held = series.meetings.get(starts_at=at(2026, 3, 10, 10))
    held.minutes = "Discussed the falls data."
    held.save()
    # An action logged for a future meeting moves it to the new day, not away.
    planned = series.meetings.get(starts_at=at(2026, 4, 14, 10))
    actions.log_action(
        user=system.network_manager_a,
        meeting=planned,
        title="Bring the rota",
        owner=system.network_manager_a,
        due_on=dt.date(2026, 4, 30),
    )

    meetings.save_series(
        user=system.network_manager_a,
        series=series,
        organisations=[system.network_a, system.pa1, system.pa2],
        participants=[system.network_manager_a],
        rrule="FREQ=WEEKLY;BYDAY=TH",
        now=at(2026, 3, 20),
    )

    assert (
        set(series.meetings.filter(starts_at__lt=at(2026, 3, 20)).values_list("pk", flat=True))
        == past_ids
    )
    assert Meeting.objects.get(pk=held.pk).minutes == "Discussed the falls data."
    future = series.meetings.filter(starts_at__gte=at(2026, 3, 20), is_cancelled=False)
    assert {
        t.astimezone(LONDON).strftime("%a") for t in future.values_list("starts_at", flat=True)
    } == {"Thu"}
    assert future.count() == 6  # 26 Mar to 30 Apr, one meeting each Thursday
    planned.refresh_from_db()
    assert (planned.starts_at, planned.is_cancelled) == (at(2026, 4, 16, 10), False)
    assert planned.actions.get().title == "Bring the rota"


def test_a_meeting_with_work_that_has_nowhere_to_move_is_cancelled_not_deleted(system):
    series = make_series(system, ends_on=dt.date(2026, 4, 30))
    drafted = series.meetings.get(starts_at=at(2026, 4, 14, 10))
    agenda.add_item(user=system.network_manager_a, meeting=drafted, title="Winter plan")
    meetings.save_series(
        user=system.network_manager_a,
        series=series,
        organisations=[system.network_a],
        ends_on=dt.date(2026, 4, 7),
        now=at(2026, 3, 20),
    )
    drafted.refresh_from_db()
    assert drafted.is_cancelled
    assert drafted.agenda_items.get().title == "Winter plan"
    assert not series.meetings.filter(starts_at=at(2026, 4, 21, 10)).exists()  # no work: gone


def test_changing_the_duration_updates_future_meetings_only(system):
    series = make_series(system, ends_on=dt.date(2026, 3, 31))
    meetings.save_series(
        user=system.network_manager_a,
        series=series,
        organisations=[system.network_a],
        duration_minutes=90,
        now=at(2026, 3, 18),
    )
    lengths = {
        m.starts_at.astimezone(LONDON).day: (m.ends_at - m.starts_at).seconds // 60
        for m in series.meetings.all()
    }
    assert lengths == {3: 60, 10: 60, 17: 60, 24: 90, 31: 90}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "rrule", "produces no meeting dates"),
        ({"rrule": "FREQ=FORTNIGHTLY"}, "rrule", "not a valid RFC 5545"),
        ({"rrule": ""}, "rrule", "Enter a recurrence rule"),
        ({"ends_on": dt.date(2026, 3, 1)}, "ends_on", "on or after the first"),
        ({"organisations": ["pb1"]}, "organisations", "Provider B1 cannot take part"),
        ({"participants": ["provider_b"]}, "participants", "must belong to a participating"),
        ({"chair": "provider_b"}, "chair", "must belong to a participating"),
        ({"level": SeriesLevel.COMMISSIONER_NETWORK, "contract": None}, "contract", "Choose"),
    ],
)
def test_bad_series_input_names_the_field_and_saves_nothing(system, overrides, field, message):
    def resolve(value):
        return (
            getattr(system, value) if isinstance(value, str) and hasattr(system, value) else value
        )

    fixed = {
        key: [resolve(v) for v in value] if isinstance(value, list) else resolve(value)
        for key, value in overrides.items()
    }
    if field == "organisations":
        fixed["organisations"] = [system.network_a, system.pb1]
    with pytest.raises(ValidationError) as caught:
        make_series(system, **fixed)
    assert message in " ".join(caught.value.message_dict[field])
    assert not MeetingSeries.objects.exists()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("who", ["provider_a", "lay_partner", "outsider", "provider_b"])
def test_only_managers_commissioners_and_admins_set_up_series(system, who):
    with pytest.raises(PermissionDenied):
        make_series(system, user=getattr(system, who))
    assert not MeetingSeries.objects.exists()


def test_the_commissioner_sets_up_a_series_with_the_network(system):
    series = make_series(
        system,
        user=system.commissioner,
        level=SeriesLevel.COMMISSIONER_NETWORK,
        meeting_type=MeetingType.QUARTERLY,
        rrule="FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=3WE",
        organisations=[system.commissioner_org, system.network_a],
        participants=[system.commissioner, system.network_manager_a],
        chair=system.commissioner,
    )
    assert series.meetings.count() == 4
    assert series.history.filter(history_type="+").get().history_user == system.commissioner


# --- Contract management meetings ------------------------------------------------


def test_contract_management_meeting_on_the_notice_due_date_once(system, notice_in):
    notice = notice_in(NoticeStatus.RAISED)
    assert meetings.create_notice_meetings() == 1
    assert meetings.create_notice_meetings() == 0
    meeting = Meeting.objects.get(notice=notice)
    assert meeting.starts_at == at(
        notice.meeting_due.year, notice.meeting_due.month, notice.meeting_due.day, 10
    )
    assert meeting.series.meeting_type == MeetingType.CONTRACT_MANAGEMENT
    assert meeting.chaired_by == system.commissioner
    assert set(meeting.series.organisations.all()) == {system.commissioner_org, system.network_a}


def test_notices_past_the_meeting_stage_get_no_meeting(system, notice_in):
    notice_in(NoticeStatus.PLAN_AGREED)
    assert meetings.create_notice_meetings() == 0


# --- Attendance, minutes, decisions ------------------------------------------------


def test_minutes_need_the_chair_or_someone_present(system):
    meeting = make_series(system, ends_on=dt.date(2026, 3, 3)).meetings.get()
    with pytest.raises(PermissionDenied, match="chair or someone recorded as present"):
        minutes.save_minutes(user=system.provider_a, meeting=meeting, minutes="Mine")
    assert Meeting.objects.get(pk=meeting.pk).minutes == ""
    minutes.record_attendance(
        user=system.network_manager_a,
        meeting=meeting,
        entries=[(system.provider_a, Attendance.PRESENT)],
    )
    minutes.save_minutes(user=system.provider_a, meeting=meeting, minutes="Agreed the plan.")
    minutes.add_decision(user=system.network_manager_a, meeting=meeting, text="Adopt the plan.")
    assert meeting.decisions.get().text == "Adopt the plan."
    assert meeting.history.first().history_user == system.provider_a


def test_before_a_meeting_starts_only_apologies_are_recorded(system):
    """Nobody is present at, and nothing decided in, a meeting yet to happen;
    apologies are sent beforehand."""
    meeting = future_meeting(system, days=30)
    day = timezone.localdate(meeting.starts_at)
    chair = system.network_manager_a
    with pytest.raises(ValidationError) as caught:
        minutes.record_attendance(
            user=chair,
            meeting=meeting,
            entries=[(system.provider_a, Attendance.APOLOGIES), (chair, Attendance.PRESENT)],
        )
    assert caught.value.message_dict["attendance"] == [
        f"{chair.get_full_name() or chair.username}: the meeting has not started, "
        "so only apologies can be recorded yet."
    ]
    assert not meeting.attendance.exists()  # nothing of a refused batch is kept
    minutes.record_attendance(
        user=chair, meeting=meeting, entries=[(system.provider_a, Attendance.APOLOGIES)]
    )
    assert meeting.attendance.get().status == Attendance.APOLOGIES
    held_on = f"{day:%-d %B %Y}"
    with pytest.raises(ValidationError) as caught:
        minutes.save_minutes(user=chair, meeting=meeting, minutes="Agreed the plan.")
    assert caught.value.message_dict["minutes"] == [
        f"The meeting has not started: the minutes can be recorded from {held_on}."
    ]
    with pytest.raises(ValidationError) as caught:
        minutes.add_decision(user=chair, meeting=meeting, text="Adopt the plan.")
    assert "decisions can be recorded from" in caught.value.message_dict["text"][0]
    meeting.refresh_from_db()
    assert meeting.minutes == "" and not meeting.decisions.exists()


def test_a_participant_cannot_record_themselves_present_to_edit_the_minutes(system):
    meeting = make_series(system, ends_on=dt.date(2026, 3, 3)).meetings.get()
    with pytest.raises(PermissionDenied, match="chair or the network's managers"):
        minutes.record_attendance(
            user=system.provider_a,
            meeting=meeting,
            entries=[(system.provider_a, Attendance.PRESENT)],
        )
    assert not meeting.attendance.exists()
    with pytest.raises(PermissionDenied):
        minutes.save_minutes(user=system.provider_a, meeting=meeting, minutes="Mine")


def test_attendance_of_someone_outside_the_meeting_is_refused(system):
    meeting = make_series(system, ends_on=dt.date(2026, 3, 3)).meetings.get()
    with pytest.raises(ValidationError) as caught:
        minutes.record_attendance(
            user=system.network_manager_a,
            meeting=meeting,
            entries=[
                (system.network_manager_a, Attendance.PRESENT),
                (system.provider_b, Attendance.PRESENT),
            ],
        )
    assert "not in any organisation taking part" in caught.value.message_dict["attendance"][0]
    assert not meeting.attendance.exists()


# --- The action log ---------------------------------------------------------------


def first_meeting(system):
    return make_series(system, ends_on=dt.date(2026, 3, 31)).meetings.first()


def test_an_action_cannot_be_due_before_its_meeting(system):
    meeting = first_meeting(system)
    with pytest.raises(ValidationError) as caught:
        actions.log_action(
            user=system.network_manager_a,
            meeting=meeting,
            title="Chase data",
            owner=system.provider_a,
            due_on=dt.date(2026, 3, 2),
        )
    assert caught.value.message_dict["due_on"] == [
        "The due date cannot be before the meeting (3 March 2026)."
    ]
    assert not Action.objects.exists()


def test_an_action_owner_must_be_in_a_participating_organisation(system):
    meeting = first_meeting(system)
    with pytest.raises(ValidationError) as caught:
        actions.log_action(
            user=system.network_manager_a,
            meeting=meeting,
            title="Chase data",
            owner=system.provider_b,
            due_on=dt.date(2026, 3, 10),
        )
    assert "not in any organisation taking part" in caught.value.message_dict["owner"][0]
    with pytest.raises(ValidationError) as caught:
        actions.log_action(
            user=system.network_manager_a,
            meeting=meeting,
            title="Chase data",
            owner=system.provider_a,
            owner_organisation=system.pa2,
            due_on=dt.date(2026, 3, 10),
        )
    assert caught.value.message_dict["owner"] == ["provider_a does not belong to Provider A2."]
    assert not Action.objects.exists()


def test_action_status_changes_keep_their_reasons_in_history(system):
    meeting = first_meeting(system)
    action = actions.log_action(
        user=system.network_manager_a,
        meeting=meeting,
        title="Chase data",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 10),
    )
    assert action.owner_organisation == system.pa1
    with pytest.raises(ValidationError) as caught:
        actions.set_action_status(
            user=system.provider_a, action=action, status=ActionStatus.DROPPED
        )
    assert caught.value.message_dict["reason"] == ["Give the reason for dropping the action."]
    with pytest.raises(PermissionDenied):
        actions.set_action_status(user=system.provider_b, action=action, status=ActionStatus.DONE)
    actions.set_action_status(
        user=system.provider_a, action=action, status=ActionStatus.DONE, on=dt.date(2026, 3, 9)
    )
    actions.set_action_status(
        user=system.network_manager_a,
        action=action,
        status=ActionStatus.DROPPED,
        reason="Superseded by the winter plan",
    )
    action.refresh_from_db()
    assert action.completed_on is None
    reasons = list(
        action.history.order_by("history_date").values_list("status", "history_change_reason")
    )
    assert reasons == [
        (ActionStatus.OPEN, f"Logged at {meeting}"),
        (ActionStatus.DONE, "Marked done"),
        (ActionStatus.DROPPED, "Superseded by the winter plan"),
    ]


def test_evidence_files_are_limited_by_type_and_size(system):
    meeting = first_meeting(system)
    action = actions.log_action(
        user=system.network_manager_a,
        meeting=meeting,
        title="Chase data",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 10),
    )
    with pytest.raises(ValidationError, match="not an accepted type"):
        evidence.add_evidence(
            user=system.provider_a, action=action, upload=SimpleUploadedFile("run.exe", b"MZ")
        )
    big = SimpleUploadedFile("big.pdf", b"0" * (evidence.EVIDENCE_MAX_BYTES + 1))
    with pytest.raises(ValidationError, match="10 MB at most"):
        evidence.add_evidence(user=system.provider_a, action=action, upload=big)
    added = evidence.add_evidence(
        user=system.provider_a,
        action=action,
        note="Data received",
        upload=SimpleUploadedFile("data.csv", b"a,b\n1,2\n"),
    )
    assert added.file_size == 8
    assert action.evidence.count() == 1


def test_a_long_evidence_file_name_keeps_its_extension(system):
    """A name over 200 characters was cut at 200 and lost its extension."""
    action = actions.log_action(
        user=system.network_manager_a,
        meeting=first_meeting(system),
        title="Chase data",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 10),
    )
    name = "Minutes of the falls prevention steering group " * 5 + "final.csv"
    added = evidence.add_evidence(
        user=system.provider_a, action=action, upload=SimpleUploadedFile(name, b"a,b\n1,2\n")
    )
    assert len(name) > 200
    assert added.file_name == name[: 200 - len(".csv")] + ".csv"
    assert added.file.name.endswith(".csv")  # the stored file keeps it too
    assert action.history.latest("history_date").history_change_reason.startswith(
        "Evidence added: file Minutes of the falls"
    )


def test_raise_action_for_a_network(system):
    action = actions.raise_action(
        network=system.network_a,
        title="Support plan: falls prevention",
        owner=system.provider_a,
        due_on=dt.date.today() + dt.timedelta(days=30),
    )
    assert (action.provider, action.owner_organisation, action.meeting) == (
        system.network_a,
        system.pa1,
        None,
    )
    assert action.history.get().history_change_reason == "Raised by Concord"
    with pytest.raises(ValidationError) as caught:
        actions.raise_action(
            network=system.network_a,
            title="Support plan",
            owner=system.provider_b,
            due_on=dt.date.today(),
        )
    assert "owner" in caught.value.message_dict


def test_a_milestone_of_an_action_raised_outside_a_meeting_is_not_before_that_day(system):
    today = timezone.localdate()
    action = actions.raise_action(
        network=system.network_a,
        title="Support plan",
        owner=system.provider_a,
        due_on=today + dt.timedelta(days=30),
    )
    with pytest.raises(ValidationError) as caught:
        actions.add_milestone(
            user=system.provider_a,
            action=action,
            description="Baseline",
            due_on=today - dt.timedelta(days=1),
        )
    assert caught.value.message_dict == {
        "due_on": [
            "The milestone's date cannot be before the day the action was raised "
            f"({today:%-d %B %Y})."
        ]
    }
    assert not action.milestones.exists()


# --- Escalation -------------------------------------------------------------------


def test_an_overdue_action_escalates_weekly_to_monthly_to_quarterly(system):
    weekly = make_series(system, ends_on=dt.date(2026, 6, 30))
    monthly = make_series(
        system,
        title="Monthly P&E",
        meeting_type=MeetingType.MONTHLY,
        rrule="FREQ=MONTHLY;BYDAY=2WE",
        ends_on=dt.date(2026, 6, 30),
    )
    quarterly = make_series(
        system,
        title="Quarterly review",
        user=system.commissioner,
        level=SeriesLevel.COMMISSIONER_NETWORK,
        meeting_type=MeetingType.QUARTERLY,
        rrule="FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=3WE",
        organisations=[system.commissioner_org, system.network_a],
        participants=[system.commissioner],
        chair=system.commissioner,
        ends_on=dt.date(2026, 12, 31),
    )
    meeting = weekly.meetings.get(starts_at=at(2026, 3, 3, 10))
    action = actions.log_action(
        user=system.network_manager_a,
        meeting=meeting,
        title="Chase data",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 6),
    )
    # Not overdue yet: nothing moves.
    assert escalation.escalate_overdue_actions(now=at(2026, 3, 6, 18)) == 0
    # Overdue: to the next monthly meeting (Wednesday 11 March), once.
    assert escalate_overdue_actions.delay(at(2026, 3, 9, 6).isoformat()).get() == 1
    assert escalation.escalate_overdue_actions(now=at(2026, 3, 9, 7)) == 0
    action.refresh_from_db()
    assert action.escalated_to.series == monthly
    assert action.escalated_to.starts_at == at(2026, 3, 11, 10)
    # Still overdue after the monthly meeting: to the quarterly review (15 April).
    assert escalation.escalate_overdue_actions(now=at(2026, 3, 12, 6)) == 1
    action.refresh_from_db()
    assert action.escalated_to.series == quarterly
    assert action.escalated_to.starts_at == at(2026, 4, 15, 10)
    # The quarterly review is the top: it stays there.
    assert escalation.escalate_overdue_actions(now=at(2026, 4, 20, 6)) == 0
    assert "escalated to" in action.history.first().history_change_reason
    # Once done it is no longer overdue.
    actions.set_action_status(user=system.provider_a, action=action, status=ActionStatus.DONE)
    assert Action.objects.overdue(dt.date(2026, 5, 1)).count() == 0


def test_an_action_links_only_to_the_networks_organisations_and_notices(system, notice_in):
    meeting = first_meeting(system)
    with pytest.raises(ValidationError) as caught:
        actions.log_action(
            user=system.network_manager_a,
            meeting=meeting,
            title="Chase data",
            owner=system.provider_a,
            due_on=dt.date(2026, 3, 10),
            organisation=system.pb1,
        )
    assert caught.value.message_dict["organisation"] == [
        "Provider B1 is not part of Network A's dialogues."
    ]
    notice = notice_in(NoticeStatus.RAISED)
    action = actions.log_action(
        user=system.network_manager_a,
        meeting=meeting,
        title="Prepare for the meeting",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 10),
        organisation=system.commissioner_org,
        notice=notice,
    )
    assert action.notice == notice


# --- Editing an action ----------------------------------------------------------


def logged_action(system):
    """Chase data, logged by network A's manager at the 3 March 2026 meeting
    for provider_a (Provider A1), due 10 March."""
    return actions.log_action(
        user=system.network_manager_a,
        meeting=first_meeting(system),
        title="Chase data",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 10),
    )


def reasons(action):
    return list(
        action.history.order_by("history_date").values_list(
            "history_change_reason", "history_user__username"
        )
    )


def test_editing_an_action_changes_each_field_and_keeps_who_did_it(system, notice_in, metric):
    action = logged_action(system)
    nm = system.network_manager_a
    notice = notice_in(NoticeStatus.RAISED)
    actions.edit_action(
        user=system.provider_a, action=action, title=" Chase falls data ", detail="From PA2"
    )
    actions.edit_action(user=nm, action=action, due_on=dt.date(2026, 3, 24))
    actions.edit_action(user=nm, action=action, owner=nm)  # acts for their own network
    assert action.owner_organisation == system.network_a
    actions.edit_action(
        user=nm, action=action, owner=system.provider_a, owner_organisation=system.pa1
    )
    # Someone in two participating organisations acts for the one chosen;
    # naming them again as the owner keeps it.
    MembershipFactory(user=system.provider_a, organisation=system.pa2, role=Role.PROVIDER_USER)
    actions.edit_action(user=nm, action=action, owner_organisation=system.pa2)
    actions.edit_action(user=nm, action=action, owner=system.provider_a)
    assert action.owner_organisation == system.pa2
    actions.edit_action(
        user=nm, action=action, metric=metric, organisation=system.pa2, notice=notice
    )
    # The same values again change nothing and record nothing.
    actions.edit_action(user=nm, action=action, title="Chase falls data", organisation=system.pa2)
    action.refresh_from_db()
    assert (
        action.title,
        action.detail,
        action.due_on,
        action.owner,
        action.owner_organisation,
        action.metric,
        action.organisation,
        action.notice,
        action.status,
    ) == (
        "Chase falls data",
        "From PA2",
        dt.date(2026, 3, 24),
        system.provider_a,
        system.pa2,
        metric,
        system.pa2,
        notice,
        ActionStatus.OPEN,
    )
    assert reasons(action) == [
        (f"Logged at {action.meeting}", "nm_a"),
        ("Edited: title, detail", "provider_a"),
        ("Edited: due date", "nm_a"),
        ("Edited: owner, owner's organisation", "nm_a"),
        ("Edited: owner, owner's organisation", "nm_a"),
        ("Edited: owner's organisation", "nm_a"),
        ("Edited: metric, organisation it is about, notice", "nm_a"),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (lambda s: {"title": "  "}, "title", "Enter what needs to be done."),
        (lambda s: {"due_on": None}, "due_on", "Enter the due date."),
        (
            lambda s: {"due_on": dt.date(2026, 3, 2)},
            "due_on",
            "The due date cannot be before the meeting (3 March 2026).",
        ),
        (
            lambda s: {"owner": s.provider_b},
            "owner",
            "provider_b is not in any organisation taking part in this meeting.",
        ),
        (
            lambda s: {"owner_organisation": s.pa2},
            "owner",
            "provider_a does not belong to Provider A2.",
        ),
        (
            lambda s: {"owner": s.network_manager_a, "owner_organisation": s.pb1},
            "owner_organisation",
            "Provider B1 is not taking part in this meeting.",
        ),
        (
            lambda s: {"organisation": s.pb1},
            "organisation",
            "Provider B1 is not part of Network A's dialogues.",
        ),
    ],
)
def test_a_bad_edit_names_the_field_and_saves_nothing(system, changes, field, message):
    action = logged_action(system)
    with pytest.raises(ValidationError) as caught:
        actions.edit_action(
            user=system.network_manager_a, action=action, detail="Changed too", **changes(system)
        )
    assert caught.value.message_dict == {field: [message]}
    action.refresh_from_db()
    assert (action.title, action.detail, action.owner, action.due_on) == (
        "Chase data",
        "",
        system.provider_a,
        dt.date(2026, 3, 10),
    )
    assert action.history.count() == 1


def test_an_action_raised_outside_a_meeting_is_edited_within_its_network(system):
    today = timezone.localdate()
    action = actions.raise_action(
        network=system.network_a,
        title="Support plan",
        owner=system.provider_a,
        due_on=today + dt.timedelta(days=30),
    )
    with pytest.raises(ValidationError) as caught:
        actions.edit_action(user=system.admin, action=action, owner=system.provider_b)
    assert caught.value.message_dict["owner"] == [
        "provider_b is not in any organisation taking part in Network A."
    ]
    with pytest.raises(ValidationError) as caught:
        actions.edit_action(user=system.admin, action=action, due_on=today - dt.timedelta(days=1))
    assert caught.value.message_dict["due_on"] == [
        f"The due date cannot be before the day the action was raised ({today:%-d %B %Y})."
    ]
    actions.edit_action(user=system.admin, action=action, owner=system.network_manager_a)
    assert (action.owner, action.owner_organisation) == (
        system.network_manager_a,
        system.network_a,
    )
    assert reasons(action)[-1] == ("Edited: owner, owner's organisation", "admin")


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.DROPPED])
def test_done_and_dropped_actions_cannot_be_edited(system, status):
    action = logged_action(system)
    actions.set_action_status(
        user=system.network_manager_a, action=action, status=status, reason="Overtaken"
    )
    with pytest.raises(ValidationError) as caught:
        actions.edit_action(user=system.network_manager_a, action=action, title="Later")
    message = f"The action is {ActionStatus(status).label.lower()}: reopen it to edit it."
    assert caught.value.message_dict == {"status": [message]}
    assert Action.objects.get().title == "Chase data"


@pytest.mark.parametrize("who", ["commissioner", "provider_b", "lay_partner", "outsider"])
def test_only_those_who_may_update_an_action_edit_it(system, who):
    action = logged_action(system)
    with pytest.raises(PermissionDenied):
        actions.edit_action(user=getattr(system, who), action=action, title="Mine now")
    assert Action.objects.get().title == "Chase data"


def test_the_edit_form_keeps_a_linked_notice_its_editor_cannot_see(system, notice_in):
    """Saving the form must not unlink a notice on a contract the editor
    cannot see: it stays among the choices, and is the one selected."""
    action = logged_action(system)
    notice = notice_in(NoticeStatus.RAISED)
    actions.edit_action(user=system.network_manager_a, action=action, notice=notice)
    blind = EditActionForm(action=action, user=system.outsider)
    assert list(blind.fields["notice"].queryset) == [notice]
    assert blind.initial["notice"] == notice.pk
    sighted = EditActionForm(action=action, user=system.network_manager_a)
    assert list(sighted.fields["notice"].queryset) == [notice]
