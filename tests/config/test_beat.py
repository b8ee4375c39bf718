"""The beat schedule loads, names only registered tasks, and every entry can
expire; the retention job is idempotent."""

import datetime as dt
from decimal import Decimal

from celery.schedules import crontab

from config.beat import beat_schedule
from config.celery import app
from contracts import notices
from contracts.choices import NoticeStatus, WithholdingStatus
from contracts.tasks import retain_overdue_withholdings

D = dt.date


def test_schedule_loads_with_registered_tasks_crontabs_and_expiry():
    schedule = beat_schedule()
    assert schedule
    app.loader.import_default_modules()
    for name, entry in schedule.items():
        assert entry["task"] in app.tasks, name
        assert isinstance(entry["schedule"], crontab), name
        assert entry["options"]["expires"] > 0, name
    assert app.conf.beat_schedule == schedule


def test_daily_job_retains_overdue_withholdings_once(system, notice_in):
    notice = notice_in(NoticeStatus.EXCEPTION)
    notices.withhold(
        user=system.commissioner,
        notice=notice,
        on=D(2026, 5, 6),
        month=D(2026, 5, 1),
        percent=Decimal("2"),
        reason="Unremedied",
    )
    assert retain_overdue_withholdings.delay("2026-07-31").get() == 0  # not yet 3 months
    assert retain_overdue_withholdings.delay("2026-08-01").get() == 1
    assert retain_overdue_withholdings.delay("2026-08-01").get() == 0  # idempotent
    assert notice.withholdings.get().status == WithholdingStatus.RETAINED
    event = notice.events.order_by("-pk").first()
    assert event.author is None
    assert event.author_name == "Concord (automatic)"
