"""Every periodic job, in one place (STYLE.md item 9). Each entry says why it
runs when it does; `expires` drops a run that could not start in time rather
than letting runs pile up behind a stopped worker. Every job is idempotent."""

from celery.schedules import crontab


def beat_schedule() -> dict:
    return {
        # A full rescore each night catches anything an incremental rescore
        # missed (rule or threshold changes, late corrections); 01:30 is quiet.
        "rescore-all-contracts": {
            "task": "outcomes.rescore_all",
            "schedule": crontab(hour=1, minute=30),
            "options": {"expires": 2 * 60 * 60},
        },
        # PostgreSQL holds submissions waiting and months marked for rescoring
        # (outcomes.tasks): each minute, work no worker took up (the broker was
        # down when it was published) is published again.
        "sweep-outcomes-work": {
            "task": "outcomes.sweep",
            "schedule": crontab(minute="*"),
            "options": {"expires": 50},
        },
        # Withheld payments become retained K months after the month withheld;
        # once a day is enough and 02:15 keeps clear of office hours.
        "retain-overdue-withholdings": {
            "task": "contracts.retain_overdue_withholdings",
            "schedule": crontab(hour=2, minute=15),
            "options": {"expires": 60 * 60},
        },
        # Meetings a year ahead from every series, and contract management
        # meetings for new notices; daily, so a changed series shows next day.
        "generate-meetings": {
            "task": "dialogues.generate_meetings",
            "schedule": crontab(hour=3, minute=0),
            "options": {"expires": 2 * 60 * 60},
        },
        # Agendas are drafted from the data as it stands early each morning,
        # after the nightly rescore, for meetings within their lead time.
        "draft-agendas": {
            "task": "dialogues.draft_agendas",
            "schedule": crontab(hour=5, minute=0),
            "options": {"expires": 2 * 60 * 60},
        },
        # Reminders go out at 07:00, after escalation, so they tell the day's
        # position; each is claimed before sending, so a rerun sends nothing.
        "send-reminders": {
            "task": "dialogues.send_reminders",
            "schedule": crontab(hour=7, minute=0),
            "options": {"expires": 2 * 60 * 60},
        },
        # Overdue actions move to the next meeting up before the working day.
        "escalate-overdue-actions": {
            "task": "dialogues.escalate_overdue_actions",
            "schedule": crontab(hour=6, minute=30),
            "options": {"expires": 60 * 60},
        },
        # Contract years that have ended are settled as drafts for sign-off.
        # Monthly, after the night's rescore: a year ending in March is tried
        # from 1 April (skipped, with the reason logged, until every month's
        # cost is in) and its draft recomputed as late data arrives, until
        # the commissioner signs it off.
        "run-settlements": {
            "task": "incentives.run_settlements",
            "schedule": crontab(day_of_month=1, hour=3, minute=30),
            "options": {"expires": 6 * 60 * 60},
        },
    }
