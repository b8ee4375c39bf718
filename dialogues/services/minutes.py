"""What is recorded at a meeting once it has started: attendance (apologies
before), the minutes and the decisions."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.history import save_as
from dialogues import permissions
from dialogues.choices import Attendance
from dialogues.models import AttendanceRecord, Decision, Meeting
from dialogues.services.common import (
    has_started,
    local_date,
    participating_org_ids,
    person_organisation,
)


@transaction.atomic
def record_attendance(*, user, meeting: Meeting, entries) -> list[AttendanceRecord]:
    """Record who was present, sent apologies or was absent: `entries` is a
    list of (person, status). Recording a person again corrects it."""
    permissions.require_attendance_recorder(user, meeting)
    org_ids = participating_org_ids(meeting.series)
    started = has_started(meeting)
    records, errors = [], []
    for person, status in entries:
        if status not in Attendance.values:
            errors.append(f"{person.username}: '{status}' is not an attendance status.")
            continue
        if status != Attendance.APOLOGIES and not started:
            errors.append(
                f"{person.get_full_name() or person.username}: the meeting has not started, "
                "so only apologies can be recorded yet."
            )
            continue
        organisation_id = person_organisation(person, org_ids)
        named = meeting.series.participants.filter(pk=person.pk).exists()
        if organisation_id is None and not named and person.pk != meeting.chair_id_effective:
            errors.append(
                f"{person.get_full_name() or person.username} is not in any organisation "
                "taking part in this meeting."
            )
            continue
        record = AttendanceRecord.objects.filter(meeting=meeting, person=person).first()
        record = record or AttendanceRecord(meeting=meeting, person=person)
        if record.pk and record.status == status:
            records.append(record)
            continue
        record.status, record.organisation_id = status, organisation_id
        records.append(save_as(record, user))
    if errors:
        raise ValidationError({"attendance": errors})
    return records


def require_started(meeting, what: str, field: str) -> None:
    if not has_started(meeting):
        held_on = local_date(meeting.starts_at)
        raise ValidationError(
            {field: f"The meeting has not started: {what} from {held_on:%-d %B %Y}."}
        )


@transaction.atomic
def save_minutes(*, user, meeting: Meeting, minutes: str) -> Meeting:
    permissions.require_recorder(user, meeting, "edit the minutes")
    require_started(meeting, "the minutes can be recorded", "minutes")
    meeting.minutes = (minutes or "").strip()
    return save_as(meeting, user)


@transaction.atomic
def add_decision(*, user, meeting: Meeting, text: str) -> Decision:
    permissions.require_recorder(user, meeting, "record the decisions")
    require_started(meeting, "decisions can be recorded", "text")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Enter the decision."})
    return save_as(Decision(meeting=meeting, text=text, recorded_by=user), user)
