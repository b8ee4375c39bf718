"""The dialogue jobs run on a real Celery worker through Redis, against the
test database, as beat would start them."""

import datetime as dt

import pytest

from dialogues.choices import MeetingType
from dialogues.services import actions
from dialogues.tasks import escalate_overdue_actions, generate_meetings
from tests.dialogues.test_dialogues_services import at, make_series


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_generates_meetings_and_escalates(system, celery_worker_process):
    weekly = make_series(system, ends_on=dt.date(2026, 6, 30))
    make_series(
        system,
        title="Monthly",
        meeting_type=MeetingType.MONTHLY,
        rrule="FREQ=MONTHLY;BYDAY=2WE",
        ends_on=dt.date(2026, 6, 30),
    )
    action = actions.log_action(
        user=system.network_manager_a,
        meeting=weekly.meetings.get(starts_at=at(2026, 3, 3, 10)),
        title="Chase data",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 6),
    )
    removed, _ = weekly.meetings.filter(starts_at__gte=at(2026, 5, 1)).delete()
    now = at(2026, 3, 9, 3).isoformat()
    queue = celery_worker_process
    assert generate_meetings.apply_async(args=[now], queue=queue).get(timeout=60) == removed
    assert generate_meetings.apply_async(args=[now], queue=queue).get(timeout=60) == 0
    assert escalate_overdue_actions.apply_async(args=[now], queue=queue).get(timeout=60) == 1
    action.refresh_from_db()
    assert action.escalated_to.starts_at == at(2026, 3, 11, 10)
