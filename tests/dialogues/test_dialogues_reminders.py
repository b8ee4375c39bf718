"""Reminder selection: who gets what and when, never twice when the job runs
again, and each person's choices respected; the preferences page."""

import datetime as dt
import logging
from smtplib import SMTPRecipientsRefused

import pytest
from django.utils import timezone

from dialogues import reminders
from dialogues.choices import ActionStatus, ReminderKind
from dialogues.models import ReminderPreference, ReminderSent
from dialogues.services import actions
from dialogues.tasks import draft_agendas, send_reminders
from tests.dialogues.test_dialogues_agenda import month, store
from tests.dialogues.test_dialogues_services import at, make_series


@pytest.fixture
def meeting(system):
    return make_series(system, ends_on=dt.date(2026, 3, 31)).meetings.order_by("starts_at").first()


def sent_count(outcomes) -> int:
    return outcomes[reminders.SENT]


def sent(mailoutbox):
    return sorted((m.to[0].split("@")[0], m.subject) for m in mailoutbox)


def test_owners_hear_before_the_due_date_and_once_overdue(system, meeting, mailoutbox):
    nm = system.network_manager_a
    action = actions.log_action(
        user=nm,
        meeting=meeting,
        title="Chase data",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 20),
    )
    done = actions.log_action(
        user=nm, meeting=meeting, title="Book room", owner=nm, due_on=dt.date(2026, 3, 10)
    )
    actions.set_action_status(user=nm, action=done, status=ActionStatus.DONE)
    assert (
        sent_count(reminders.action_reminders(dt.date(2026, 3, 16))) == 0
    )  # 4 days ahead: not yet
    assert sent_count(reminders.action_reminders(dt.date(2026, 3, 17))) == 1
    assert sent_count(reminders.action_reminders(dt.date(2026, 3, 18))) == 0
    assert sent_count(reminders.action_reminders(dt.date(2026, 3, 21))) == 1
    assert sent_count(reminders.action_reminders(dt.date(2026, 3, 22))) == 0
    assert sent(mailoutbox) == [
        ("provider_a", "Concord: action due 20 March 2026: Chase data"),
        ("provider_a", "Concord: overdue action: Chase data"),
    ]
    assert f"/dialogues/actions/{action.pk}/" in mailoutbox[0].body
    # A new due date is a new subject: the owner hears again.
    action.due_on = dt.date(2026, 3, 25)
    action.save()
    assert sent_count(reminders.action_reminders(dt.date(2026, 3, 23))) == 1


def test_a_person_who_opts_out_gets_nothing(system, meeting, mailoutbox):
    ReminderPreference.objects.create(person=system.provider_a, action_overdue=False, days_before=7)
    actions.log_action(
        user=system.network_manager_a,
        meeting=meeting,
        title="Chase data",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 20),
    )
    assert sent_count(reminders.action_reminders(dt.date(2026, 3, 13))) == 1  # 7 days ahead
    assert sent_count(reminders.action_reminders(dt.date(2026, 3, 21))) == 0  # overdue: opted out
    assert [m.subject for m in mailoutbox] == ["Concord: action due 20 March 2026: Chase data"]


def test_chairs_hear_when_the_agenda_is_drafted_once(system, meeting, mailoutbox, settings):
    settings.SITE_URL = "https://concord.example.nhs.uk/"
    assert draft_agendas.delay(at(2026, 3, 6, 5).isoformat()).get() == 1  # the 10 March meeting
    assert draft_agendas.delay(at(2026, 3, 6, 6).isoformat()).get() == 0
    send_reminders.delay(at(2026, 3, 6, 7).isoformat()).get()
    assert sent(mailoutbox) == [
        ("nm_a", "Concord: agenda ready for Weekly tactical: Network A, 10 March")
    ]
    drafted = meeting.series.meetings.exclude(agenda_drafted_at=None).get()
    assert f"https://concord.example.nhs.uk/dialogues/meetings/{drafted.pk}/agenda/" in (
        mailoutbox[0].body
    )


def test_submitters_hear_when_data_is_due_or_late(system, contract, metric, mailoutbox):
    ReminderPreference.objects.create(person=system.provider_a, days_before=5)
    # PA1 sent December 2025 only: January is late (due 20 Feb), February due 20 March.
    store(system.provider_a, system.pa1, metric, [(month(12), 25)], at(2026, 1, 10))
    result = send_reminders.delay(at(2026, 3, 16, 7).isoformat()).get()
    assert result == {"actions": 0, "agendas": 0, "data": 2, "failed": 0}
    assert sent(mailoutbox) == [
        ("provider_a", "Concord: data due 20 March (CON-A)"),
        ("provider_a", "Concord: data late for January 2026 (CON-A)"),
    ]
    assert "EMADM" in mailoutbox[0].body
    # Running again the same day, or the next, sends nothing new.
    assert send_reminders.delay(at(2026, 3, 16, 8).isoformat()).get()["data"] == 0
    assert send_reminders.delay(at(2026, 3, 17, 7).isoformat()).get()["data"] == 0
    assert ReminderSent.objects.filter(kind=ReminderKind.DATA_LATE).count() == 1
    # Nobody at the commissioner or the other network hears about PA1's data.
    assert {m.to[0] for m in mailoutbox} == {"provider_a@example.nhs.uk"}


def test_people_without_an_email_address_are_skipped(system, meeting, mailoutbox):
    system.provider_a.email = ""
    system.provider_a.save()
    actions.log_action(
        user=system.network_manager_a,
        meeting=meeting,
        title="Chase data",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 20),
    )
    assert sent_count(reminders.action_reminders(dt.date(2026, 3, 21))) == 0
    assert not ReminderSent.objects.exists()


def test_the_preferences_page_shows_and_changes_choices(system, client, meeting):
    client.force_login(system.provider_a)
    page = client.get("/dialogues/preferences/").content.decode()
    assert "An action of mine is overdue" in page and "None yet." in page
    response = client.post(
        "/dialogues/preferences/", {"action_due_soon": "on", "days_before": "30"}
    )
    assert "Days before a due date must be 14 or fewer." in response.content.decode()
    assert not ReminderPreference.objects.exists()
    client.post("/dialogues/preferences/", {"action_due_soon": "on", "days_before": "5"})
    pref = ReminderPreference.objects.get(person=system.provider_a)
    assert (pref.action_due_soon, pref.action_overdue, pref.data_late, pref.days_before) == (
        True,
        False,
        False,
        5,
    )
    assert pref.history.get().history_user == system.provider_a
    assert client.get("/dialogues/preferences/").status_code == 200
    client.logout()
    assert client.get("/dialogues/preferences/").status_code == 302


def test_one_failing_email_does_not_stop_the_others_and_is_tried_again(
    system, meeting, mailoutbox, monkeypatch, caplog
):
    """The mail server refuses provider_a's address today: nm_a still hears,
    the failure is logged and counted, and provider_a hears on the next run."""
    nm = system.network_manager_a
    for owner in (system.provider_a, nm):
        actions.log_action(
            user=nm, meeting=meeting, title="Chase data", owner=owner, due_on=dt.date(2026, 3, 5)
        )
    real_send_mail = reminders.send_mail

    def refuse_provider_a(subject, body, sender, to):
        if to == [system.provider_a.email]:
            raise SMTPRecipientsRefused({to[0]: (550, b"Mailbox unavailable")})
        return real_send_mail(subject, body, sender, to)

    monkeypatch.setattr(reminders, "send_mail", refuse_provider_a)
    with caplog.at_level(logging.ERROR, logger="dialogues.reminders"):
        result = reminders.send_reminders(now=at(2026, 3, 6, 7))
    assert result == {"actions": 1, "agendas": 0, "data": 0, "failed": 1}
    assert sent(mailoutbox) == [("nm_a", "Concord: overdue action: Chase data")]
    [record] = caplog.records
    assert "action_overdue" in record.getMessage() and record.exc_info is not None
    assert not ReminderSent.objects.filter(recipient=system.provider_a).exists()

    monkeypatch.setattr(reminders, "send_mail", real_send_mail)
    result = reminders.send_reminders(now=at(2026, 3, 7, 7))
    assert result == {"actions": 1, "agendas": 0, "data": 0, "failed": 0}
    assert sent(mailoutbox) == [
        ("nm_a", "Concord: overdue action: Chase data"),
        ("provider_a", "Concord: overdue action: Chase data"),
    ]


def test_recent_reminders_name_their_meeting_and_action(system, client, meeting):
    """Two 'agenda ready' reminders read apart: each names its meeting."""
    later = meeting.series.meetings.order_by("starts_at")[1]
    action = actions.log_action(
        user=system.network_manager_a,
        meeting=meeting,
        title="Chase data",
        owner=system.network_manager_a,
        due_on=dt.date(2026, 3, 20),
    )
    nm = system.network_manager_a
    for kind, key in [
        (ReminderKind.AGENDA_READY, f"meeting:{meeting.pk}"),
        (ReminderKind.AGENDA_READY, f"meeting:{later.pk}"),
        (ReminderKind.ACTION_DUE_SOON, f"action:{action.pk}:2026-03-20"),
        (ReminderKind.DATA_LATE, f"data:{system.contract_a.pk}:{system.network_a.pk}:2026-02"),
    ]:
        ReminderSent.objects.create(kind=kind, recipient=nm, key=key)
    client.force_login(nm)
    page = client.get("/dialogues/preferences/").content.decode()
    assert page.count("An agenda for a meeting I chair is ready") == 3  # 1 is the checkbox
    for m in (meeting, later):
        when = timezone.localtime(m.starts_at)
        assert (
            f'<a href="/dialogues/meetings/{m.pk}/">{m.title}, {when.day} {when:%B %Y}</a>' in page
        )
    assert f'<a href="/dialogues/actions/{action.pk}/">Chase data, due 20 March 2026</a>' in page
    assert "Network A&#x27;s data for February 2026 (CON-A)" in page


def test_a_title_with_a_line_break_is_sent_on_one_line(system, meeting, mailoutbox):
    """Titles are kept on one line now (dialogues.services.actions), but one
    saved before then made every run's email fail: an email header cannot
    hold a line break."""
    action = actions.log_action(
        user=system.network_manager_a,
        meeting=meeting,
        title="Chase data",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 20),
    )
    type(action).objects.filter(pk=action.pk).update(title="Chase\r\nthe data")
    assert reminders.action_reminders(dt.date(2026, 3, 21))[reminders.SENT] == 1
    assert sent(mailoutbox) == [("provider_a", "Concord: overdue action: Chase the data")]
