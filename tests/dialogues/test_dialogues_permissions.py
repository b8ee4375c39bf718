"""dialogues.permissions: what each can_ function grants, and to which
meeting, series or action: being the chair, a manager or a participant of one
meeting or network gives nothing on another's."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from contracts.choices import Role
from dialogues import permissions
from dialogues.choices import Attendance, MeetingType, SeriesLevel
from dialogues.services import actions, meetings, minutes
from tests.dialogues.test_dialogues_services import at, make_series
from tests.factories import SYSTEM_PEOPLE as PEOPLE
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def dialogues(system):
    """Network A's weekly series (chaired by its manager) with two meetings,
    and network B's chaired by B's manager, with one."""
    nm_b = UserFactory(username="nm_b")
    MembershipFactory(user=nm_b, organisation=system.network_b, role=Role.NETWORK_MANAGER)
    series_a = make_series(system, ends_on=dt.date(2026, 3, 10))
    series_b = make_series(
        system,
        user=nm_b,
        title="Weekly tactical: Network B",
        provider=system.network_b,
        contract=system.contract_b,
        chair=nm_b,
        organisations=[system.network_b, system.pb1],
        participants=[nm_b, system.provider_b],
        ends_on=dt.date(2026, 3, 3),
    )
    first_a, second_a = series_a.meetings.order_by("starts_at")
    return dict(
        nm_b=nm_b,
        series_a=series_a,
        series_b=series_b,
        first_a=first_a,
        second_a=second_a,
        meeting_b=series_b.meetings.get(),
    )


def who(system, dialogues, check, obj) -> set[str]:
    """The people (the system's, and B's manager) for whom check(person, obj) holds."""
    people = {name: getattr(system, name) for name in PEOPLE} | {"nm_b": dialogues["nm_b"]}
    return {name for name, person in people.items() if check(person, obj)}


def test_the_chair_is_the_meetings_own_chair_or_else_its_series(system, dialogues):
    meeting = dialogues["first_a"]
    assert permissions.chairs(system.network_manager_a, meeting)
    meeting.chair = system.commissioner
    meeting.save()
    assert permissions.chairs(system.commissioner, meeting)
    assert not permissions.chairs(system.network_manager_a, meeting)
    # The series' chair still contributes to it, but no longer edits its agenda.
    assert permissions.can_contribute(system.network_manager_a, meeting)
    assert not permissions.can_edit_agenda(system.network_manager_a, meeting)
    assert permissions.can_edit_agenda(system.commissioner, meeting)
    assert not permissions.can_edit_agenda(system.commissioner, dialogues["second_a"])


def test_a_chair_edits_the_agenda_of_their_own_series_meetings_only(system, dialogues):
    assert who(system, dialogues, permissions.can_edit_agenda, dialogues["first_a"]) == {
        "admin",
        "network_manager_a",
    }
    assert who(system, dialogues, permissions.can_edit_agenda, dialogues["meeting_b"]) == {
        "admin",
        "nm_b",
    }
    with pytest.raises(PermissionDenied, match="Only the meeting's chair"):
        permissions.require_agenda_editor(system.network_manager_a, dialogues["meeting_b"])


def test_attendance_is_recorded_by_the_chair_and_the_networks_managers(system, dialogues):
    assert who(system, dialogues, permissions.can_record_attendance, dialogues["first_a"]) == {
        "admin",
        "network_manager_a",
    }
    assert who(system, dialogues, permissions.can_record_attendance, dialogues["meeting_b"]) == {
        "admin",
        "nm_b",
    }
    # A manager of network A who does not chair its meeting still records attendance.
    meeting = dialogues["second_a"]
    meeting.chair = system.commissioner
    meeting.save()
    assert permissions.can_record_attendance(system.network_manager_a, meeting)
    assert permissions.can_record_attendance(system.commissioner, meeting)
    assert not permissions.can_record_attendance(system.commissioner, dialogues["first_a"])


def test_being_present_at_one_meeting_lets_you_record_its_minutes_only(system, dialogues):
    first, second = dialogues["first_a"], dialogues["second_a"]
    assert not permissions.can_record_minutes(system.provider_a, first)
    minutes.record_attendance(
        user=system.network_manager_a,
        meeting=first,
        entries=[(system.provider_a, Attendance.PRESENT)],
    )
    assert permissions.can_record_minutes(system.provider_a, first)
    assert not permissions.can_record_minutes(system.provider_a, second)
    assert who(system, dialogues, permissions.can_record_minutes, first) == {
        "admin",
        "network_manager_a",
        "provider_a",
    }
    assert who(system, dialogues, permissions.can_record_minutes, dialogues["meeting_b"]) == {
        "admin",
        "nm_b",
    }


def test_apologies_do_not_let_you_record_the_minutes(system, dialogues):
    meeting = dialogues["first_a"]
    minutes.record_attendance(
        user=system.network_manager_a,
        meeting=meeting,
        entries=[(system.provider_a, Attendance.APOLOGIES)],
    )
    assert not permissions.can_record_minutes(system.provider_a, meeting)


def test_participants_contribute_to_their_own_series_meetings(system, dialogues):
    # The commissioner is neither participant nor of a participating
    # organisation of network A's members' series.
    assert who(system, dialogues, permissions.can_contribute, dialogues["first_a"]) == {
        "admin",
        "network_manager_a",
        "provider_a",
    }
    assert who(system, dialogues, permissions.can_contribute, dialogues["meeting_b"]) == {
        "admin",
        "nm_b",
        "provider_b",
    }


def test_a_named_participant_contributes_without_a_participating_organisation(system, dialogues):
    series = dialogues["series_a"]
    series.participants.add(system.commissioner)
    assert permissions.can_contribute(system.commissioner, dialogues["first_a"])
    assert not permissions.can_contribute(system.commissioner, dialogues["meeting_b"])


def test_series_are_managed_by_the_networks_managers_and_its_contracts_commissioner(
    system, dialogues
):
    assert who(system, dialogues, permissions.can_manage_series, dialogues["series_a"]) == {
        "admin",
        "commissioner",
        "network_manager_a",
    }
    # Network B's contract is with the other commissioner.
    assert who(system, dialogues, permissions.can_manage_series, dialogues["series_b"]) == {
        "admin",
        "nm_b",
    }
    sets_up = who(system, dialogues, lambda person, _: permissions.can_set_up_series(person), None)
    assert sets_up == {
        "admin",
        "commissioner",
        "network_manager_a",
        "nm_b",
    }


def test_a_network_manager_cannot_change_another_networks_series(system, dialogues):
    series_b = dialogues["series_b"]
    with pytest.raises(PermissionDenied, match="can set up or change this meeting series"):
        meetings.save_series(
            user=system.network_manager_a,
            series=series_b,
            organisations=list(series_b.organisations.all()),
            title="Taken over",
        )
    series_b.refresh_from_db()
    assert series_b.title == "Weekly tactical: Network B"


def log(system, meeting, user, owner):
    return actions.log_action(
        user=user, meeting=meeting, title="Chase data", owner=owner, due_on=dt.date(2026, 3, 20)
    )


def test_an_action_is_updated_by_its_owner_logger_managers_and_meeting_chair(system, dialogues):
    meeting = dialogues["first_a"]
    meeting.chair = system.commissioner
    meeting.save()
    action = log(system, meeting, system.provider_a, system.provider_a)
    assert who(system, dialogues, permissions.can_update_action, action) == {
        "admin",
        "commissioner",  # chairs the meeting that raised it
        "network_manager_a",  # manages the network the action belongs to
        "provider_a",  # owns and logged it
    }


def test_chairing_another_series_meeting_gives_nothing_on_an_action(system, dialogues):
    action = log(system, dialogues["first_a"], system.provider_a, system.provider_a)
    other = log(system, dialogues["meeting_b"], dialogues["nm_b"], system.provider_b)
    assert not permissions.can_update_action(dialogues["nm_b"], action)
    assert not permissions.can_update_action(system.network_manager_a, other)
    assert not permissions.can_update_action(system.provider_a, other)
    with pytest.raises(PermissionDenied, match="Only the action's owner"):
        actions.set_action_status(user=dialogues["nm_b"], action=action, status="done")


def test_the_action_updater_agrees_with_can_update_action(system, dialogues):
    actions = [
        log(system, dialogues["first_a"], system.provider_a, system.provider_a),
        log(system, dialogues["second_a"], system.network_manager_a, system.network_manager_a),
        log(system, dialogues["meeting_b"], dialogues["nm_b"], system.provider_b),
    ]
    people = [getattr(system, name) for name in PEOPLE] + [dialogues["nm_b"]]
    for person in people:
        updater = permissions.action_updater(person)
        for action in actions:
            assert updater(action) == permissions.can_update_action(person, action)


def test_an_action_raised_outside_a_meeting_has_no_chair(system, dialogues):
    action = actions.raise_action(
        network=system.network_a,
        title="Support plan",
        owner=system.network_manager_a,
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    assert who(system, dialogues, permissions.can_update_action, action) == {
        "admin",
        "network_manager_a",
    }


def test_a_commissioner_chairing_a_series_does_not_take_the_managers_attendance(system, dialogues):
    series = make_series(
        system,
        user=system.commissioner,
        title="Contract management: CON-A",
        level=SeriesLevel.COMMISSIONER_NETWORK,
        meeting_type=MeetingType.MONTHLY,
        chair=system.commissioner,
        organisations=[system.commissioner_org, system.network_a],
        participants=[system.commissioner, system.network_manager_a],
        rrule="FREQ=MONTHLY;BYDAY=1TU",
        ends_on=dt.date(2026, 3, 31),
        now=at(2026, 3, 1),
    )
    meeting = series.meetings.get()
    assert who(system, dialogues, permissions.can_edit_agenda, meeting) == {
        "admin",
        "commissioner",
    }
    assert who(system, dialogues, permissions.can_record_attendance, meeting) == {
        "admin",
        "commissioner",
        "network_manager_a",
    }
