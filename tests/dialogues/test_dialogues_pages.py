"""Dialogue pages through Django's test client: who sees what (another
network's meeting is 404, lay partners 403, visitors sign in), the meeting
page's forms, the series form, the agenda editor, the action log's filters
and overdue highlighting, and fixed query counts."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.choices import Role
from dialogues import agenda
from dialogues.choices import ActionStatus, Attendance, SeriesLevel
from dialogues.models import Action, MeetingSeries
from dialogues.services import actions
from tests.dialogues.test_dialogues_api import other_network_meeting  # noqa: F401 (fixture)
from tests.dialogues.test_dialogues_services import future_meeting, make_series
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def meeting(system):
    return make_series(system, ends_on=dt.date(2026, 3, 31)).meetings.order_by("starts_at").first()


def sign_in(client, user):
    client.force_login(user)
    return client


def page_urls(meeting):
    return [
        "/dialogues/",
        "/dialogues/series/",
        f"/dialogues/series/{meeting.series_id}/",
        f"/dialogues/meetings/{meeting.pk}/",
        "/dialogues/actions/",
    ]


@pytest.mark.parametrize("who", ["commissioner", "network_manager_a", "provider_a"])
def test_participants_see_every_page(system, client, meeting, who):
    sign_in(client, getattr(system, who))
    for url in page_urls(meeting):
        assert client.get(url).status_code == 200, url


def test_lay_partners_are_refused_and_visitors_sign_in(system, client, meeting):
    for url in page_urls(meeting):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    sign_in(client, system.lay_partner)
    for url in page_urls(meeting):
        assert client.get(url).status_code == 403, url


def test_another_networks_meeting_and_action_are_404(
    system,
    client,
    meeting,
    other_network_meeting,  # noqa: F811
):
    theirs = actions.log_action(
        user=other_network_meeting.series.chair,
        meeting=other_network_meeting,
        title="Theirs",
        owner=system.provider_b,
        due_on=dt.date(2026, 3, 20),
    )
    sign_in(client, system.network_manager_a)
    for url in (
        f"/dialogues/meetings/{other_network_meeting.pk}/",
        f"/dialogues/series/{other_network_meeting.series_id}/",
        f"/dialogues/meetings/{other_network_meeting.pk}/agenda/",
        f"/dialogues/actions/{theirs.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    # Nor can their action be updated through our meeting's form.
    response = client.post(
        f"/dialogues/meetings/{meeting.pk}/",
        {"form": "status", "action_id": theirs.pk, "status": "done"},
    )
    assert response.status_code == 404
    assert Action.objects.get(pk=theirs.pk).status == ActionStatus.OPEN


def test_log_an_action_from_the_meeting_page(system, client, meeting):
    sign_in(client, system.network_manager_a)
    page = client.get(f"/dialogues/meetings/{meeting.pk}/").content.decode()
    owner = system.provider_a.memberships.get()
    assert f'<option value="{owner.pk}">provider_a (Provider A1)</option>' in page
    response = client.post(
        f"/dialogues/meetings/{meeting.pk}/",
        {"form": "action", "title": "Chase data", "owner": owner.pk, "due_on": "2026-03-20"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#log-action")
    action = Action.objects.get()
    assert (action.owner, action.owner_organisation, action.meeting) == (
        system.provider_a,
        system.pa1,
        meeting,
    )


def test_an_action_due_before_the_meeting_is_shown_as_an_error(system, client, meeting):
    sign_in(client, system.network_manager_a)
    owner = system.provider_a.memberships.get()
    response = client.post(
        f"/dialogues/meetings/{meeting.pk}/",
        {"form": "action", "title": "Chase data", "owner": owner.pk, "due_on": "2026-03-01"},
    )
    assert response.status_code == 200
    assert "The due date cannot be before the meeting (3 March 2026)." in response.content.decode()
    assert 'href="#id_due_on"' in response.content.decode()
    assert not Action.objects.exists()


def test_status_forms_only_on_the_rows_the_person_may_change(system, client, meeting):
    """provider_a takes part, so sees the meeting's actions, but may change
    only their own: no form on the manager's row (its POST would be refused)."""
    nm = system.network_manager_a
    mine = actions.log_action(
        user=nm,
        meeting=meeting,
        title="Chase data",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 20),
    )
    theirs = actions.log_action(
        user=nm, meeting=meeting, title="Book room", owner=nm, due_on=dt.date(2026, 3, 20)
    )
    later = make_series(system, title="Monthly", rrule="FREQ=MONTHLY;BYDAY=-1TU").meetings.first()
    sign_in(client, system.provider_a)
    for page_meeting in (meeting, later):  # actions logged here, then as earlier actions
        page = client.get(f"/dialogues/meetings/{page_meeting.pk}/").content.decode()
        assert f'id="status-{mine.pk}"' in page
        assert f'id="status-{theirs.pk}"' not in page
    response = client.post(
        f"/dialogues/meetings/{meeting.pk}/",
        {"form": "status", "action_id": theirs.pk, "status": "done"},
    )
    assert "Only the action&#x27;s owner" in response.content.decode()
    assert Action.objects.get(pk=theirs.pk).status == ActionStatus.OPEN
    # The network's manager may change both.
    sign_in(client, nm)
    page = client.get(f"/dialogues/meetings/{meeting.pk}/").content.decode()
    assert f'id="status-{mine.pk}"' in page and f'id="status-{theirs.pk}"' in page
    # Someone of a participating organisation who may change neither: no Update column.
    pa2_user = UserFactory(username="pa2_user")
    MembershipFactory(user=pa2_user, organisation=system.pa2, role=Role.PROVIDER_USER)
    sign_in(client, pa2_user)
    page = client.get(f"/dialogues/meetings/{meeting.pk}/").content.decode()
    assert "Chase data" in page and ">Update</th>" not in page


def test_attendance_and_minutes_from_the_meeting_page(system, client, meeting):
    sign_in(client, system.provider_a)
    page = client.get(f"/dialogues/meetings/{meeting.pk}/").content.decode()
    assert "Save the minutes" not in page  # not the chair, not recorded present
    response = client.post(
        f"/dialogues/meetings/{meeting.pk}/", {"form": "minutes", "minutes": "Mine"}
    )
    assert "Only the chair or someone recorded as present" in response.content.decode()
    sign_in(client, system.network_manager_a)
    response = client.post(
        f"/dialogues/meetings/{meeting.pk}/",
        {
            "form": "attendance",
            f"person_{system.network_manager_a.pk}": "present",
            f"person_{system.provider_a.pk}": "present",
        },
    )
    assert response.status_code == 302
    assert meeting.attendance.filter(status=Attendance.PRESENT).count() == 2
    sign_in(client, system.provider_a)
    client.post(f"/dialogues/meetings/{meeting.pk}/", {"form": "minutes", "minutes": "Agreed."})
    meeting.refresh_from_db()
    assert meeting.minutes == "Agreed."


def test_a_meeting_yet_to_start_takes_apologies_only(system, client):
    meeting = future_meeting(system, days=14)
    day = timezone.localdate(meeting.starts_at)
    url = f"/dialogues/meetings/{meeting.pk}/"
    sign_in(client, system.network_manager_a)  # the chair
    page = client.get(url).content.decode()
    assert "until it does, only apologies can be recorded" in page
    assert "Save the minutes" not in page and "Record the decision" not in page
    assert f"once the meeting has started, from {day.day} {day:%B %Y}." in page
    response = client.post(
        url,
        {
            "form": "attendance",
            f"person_{system.network_manager_a.pk}": "present",
            f"person_{system.provider_a.pk}": "apologies",
        },
    )
    assert response.status_code == 200
    assert "the meeting has not started, so only apologies can be recorded yet" in (
        response.content.decode()
    )
    assert not meeting.attendance.exists()
    response = client.post(url, {"form": "minutes", "minutes": "Agreed."})
    assert "The meeting has not started: the minutes can be recorded from" in (
        response.content.decode()
    )
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_set_up_a_series_in_the_browser(system, client):
    sign_in(client, system.network_manager_a)
    form = client.get("/dialogues/series/new/").content.decode()
    assert "Provider B1" not in form  # only organisations in the person's scope
    today = timezone.localdate()
    body = {
        "title": "Weekly tactical",
        "level": "network_members",
        "meeting_type": "weekly",
        "provider": system.network_a.pk,
        "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "starts_on": (today + dt.timedelta(days=1)).isoformat(),
        "start_time": "09:30",
        "duration_minutes": 45,
        "organisations": [system.network_a.pk],
        "participants": [system.network_manager_a.pk],
        "chair": system.network_manager_a.pk,
        "agenda_days_before": 3,
    }
    response = client.post("/dialogues/series/new/", {**body, "rrule": "FREQ=NEVER"})
    assert "not a valid RFC 5545 recurrence rule" in response.content.decode()
    assert not MeetingSeries.objects.exists()
    response = client.post(
        "/dialogues/series/new/", {**body, "duration_minutes": 1, "agenda_days_before": 61}
    )
    page = response.content.decode()
    assert "The length in minutes must be 5 or more." in page
    assert "Days before the meeting to draft the agenda must be 60 or fewer." in page
    assert "Ensure this value" not in page
    response = client.post("/dialogues/series/new/", body)
    series = MeetingSeries.objects.get()
    assert response["Location"] == f"/dialogues/series/{series.pk}/"
    assert series.meetings.count() in (52, 53)
    # Provider users cannot set series up.
    sign_in(client, system.provider_a)
    assert client.get("/dialogues/series/new/").status_code == 403


def test_a_custom_series_without_a_rule_is_refused_on_the_rule_field(system, client):
    """Concord has no one-off meetings: a custom series with no rule would
    never get one."""
    sign_in(client, system.network_manager_a)
    response = client.post(
        "/dialogues/series/new/",
        {
            "title": "Falls deep dive",
            "level": "network_members",
            "meeting_type": "custom",
            "provider": system.network_a.pk,
            "rrule": "",
            "starts_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "start_time": "10:00",
            "duration_minutes": 60,
            "organisations": [system.network_a.pk],
            "chair": system.network_manager_a.pk,
            "agenda_days_before": 3,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["rrule"] == [
        "Enter a recurrence rule, e.g. FREQ=WEEKLY;BYDAY=TU."
    ]
    assert 'href="#id_rrule"' in response.content.decode()  # the error summary links to it
    assert not MeetingSeries.objects.exists()


def test_a_network_manager_sets_up_a_series_with_the_commissioner(system, client):
    """The commissioner of the network's contract is offered, so editing a
    commissioner-level series in the browser keeps them."""
    sign_in(client, system.network_manager_a)
    form = client.get("/dialogues/series/new/").content.decode()
    assert "Test ICB" in form and "Other ICB" not in form
    body = {
        "title": "Quarterly review",
        "level": SeriesLevel.COMMISSIONER_NETWORK,
        "meeting_type": "quarterly",
        "provider": system.network_a.pk,
        "contract": system.contract_a.pk,
        "rrule": "FREQ=MONTHLY;INTERVAL=3;BYDAY=3WE",
        "starts_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        "start_time": "10:00",
        "duration_minutes": 90,
        "organisations": [system.commissioner_org.pk, system.network_a.pk],
        "participants": [system.commissioner.pk, system.network_manager_a.pk],
        "chair": system.commissioner.pk,
        "agenda_days_before": 5,
    }
    response = client.post("/dialogues/series/new/", body)
    assert response.status_code == 302, response.content.decode()
    series = MeetingSeries.objects.get()
    assert set(series.organisations.all()) == {system.commissioner_org, system.network_a}
    assert series.chair == system.commissioner
    edit = client.get(f"/dialogues/series/{series.pk}/edit/").content.decode()
    assert "Test ICB" in edit


def test_a_new_day_moves_a_meeting_whose_agenda_the_chair_prepared(system, client):
    """The chair drafts next week's agenda, adds an item, then moves the
    series from Tuesdays to Thursdays: the meeting moves to the Thursday with
    its agenda (the "agenda ready" email's link still works); a meeting
    nobody prepared is simply replaced."""
    today = timezone.localdate()
    tuesday = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
    series = make_series(
        system,
        starts_on=tuesday,
        ends_on=tuesday + dt.timedelta(days=7),
        now=timezone.now(),
    )
    prepared, untouched = series.meetings.order_by("starts_at")
    sign_in(client, system.network_manager_a)
    agenda_url = f"/dialogues/meetings/{prepared.pk}/agenda/"
    client.post(agenda_url, {"op": "redraft"})
    client.post(agenda_url, {"op": "add", "new-title": "Winter plan"})
    body = {
        "title": series.title,
        "level": series.level,
        "meeting_type": series.meeting_type,
        "provider": system.network_a.pk,
        "contract": system.contract_a.pk,
        "rrule": "FREQ=WEEKLY;BYDAY=TH",
        "starts_on": tuesday.isoformat(),
        "ends_on": (tuesday + dt.timedelta(days=9)).isoformat(),
        "start_time": "10:00",
        "duration_minutes": 60,
        "organisations": [system.network_a.pk, system.pa1.pk, system.pa2.pk],
        "participants": [system.network_manager_a.pk, system.provider_a.pk],
        "chair": system.network_manager_a.pk,
        "agenda_days_before": 5,
    }
    response = client.post(f"/dialogues/series/{series.pk}/edit/", body)
    assert response.status_code == 302, response.content.decode()

    page = client.get(agenda_url)
    assert page.status_code == 200
    assert "Winter plan" in page.content.decode()
    prepared.refresh_from_db()
    thursdays = [tuesday + dt.timedelta(days=2), tuesday + dt.timedelta(days=9)]
    assert timezone.localdate(prepared.starts_at) == thursdays[0]
    assert not prepared.is_cancelled
    assert [timezone.localdate(m.starts_at) for m in series.meetings.order_by("starts_at")] == (
        thursdays
    )
    assert not series.meetings.filter(pk=untouched.pk).exists()


def test_only_the_chair_edits_the_agenda(system, client, meeting):
    sign_in(client, system.provider_a)
    assert client.get(f"/dialogues/meetings/{meeting.pk}/agenda/").status_code == 403
    sign_in(client, system.network_manager_a)
    url = f"/dialogues/meetings/{meeting.pk}/agenda/"
    client.post(url, {"op": "add", "new-title": "Welcome"})
    client.post(url, {"op": "add", "new-title": "Any other business"})
    second = meeting.agenda_items.get(title="Any other business")
    client.post(url, {"op": "up", "item": second.pk})
    assert [i.title for i in meeting.agenda_items.order_by("position")] == [
        "Any other business",
        "Welcome",
    ]
    response = client.post(url, {"op": "add", "new-title": ""})
    assert "Enter agenda item." in response.content.decode()
    client.post(url, {"op": "remove", "item": second.pk})
    assert [i.title for i in meeting.agenda_items.all()] == ["Welcome"]


def actions_for(system, meeting, n, due):
    for i in range(n):
        actions.log_action(
            user=system.network_manager_a,
            meeting=meeting,
            title=f"Action {due:%d} {i}",
            owner=system.provider_a,
            due_on=due,
        )


def test_action_log_filters_and_highlights_overdue(system, client, meeting):
    today = timezone.localdate()
    actions_for(system, meeting, 1, dt.date(2026, 3, 10))  # overdue (the clock is later)
    late = meeting.series.meetings.order_by("-starts_at").first()
    actions.log_action(
        user=system.network_manager_a,
        meeting=late,
        title="Later one",
        owner=system.network_manager_a,
        due_on=today + dt.timedelta(days=30),
    )
    sign_in(client, system.network_manager_a)
    page = client.get("/dialogues/actions/").content.decode()
    assert page.count("dialogue-actions__row--overdue") == 1
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>' in page
    page = client.get("/dialogues/actions/?status=live&overdue=on").content.decode()
    assert "Action 10 0" in page and "Later one" not in page
    page = client.get("/dialogues/actions/?status=live&mine=on").content.decode()
    assert "Later one" in page and "Action 10 0" not in page
    page = client.get(f"/dialogues/actions/?status=&organisation={system.pa1.pk}").content.decode()
    assert "Action 10 0" in page and "Later one" not in page
    page = client.get("/dialogues/actions/?due_after=not-a-date").content.decode()
    assert "Due from must be a real date." in page or "Enter a valid date." in page


def test_action_page_changes_status_adds_milestones_and_evidence(system, client, meeting):
    actions_for(system, meeting, 1, dt.date(2026, 3, 20))
    action = Action.objects.get()
    sign_in(client, system.provider_a)
    url = f"/dialogues/actions/{action.pk}/"
    response = client.post(url, {"form": "status", "status": "dropped", "reason": ""})
    assert "Give the reason for dropping the action." in response.content.decode()
    client.post(url, {"form": "milestone", "description": "Draft", "due_on": "2026-03-15"})
    milestone = action.milestones.get()
    client.post(url, {"form": "complete", "milestone": milestone.pk})
    client.post(
        url,
        {"form": "evidence", "note": "Sent", "file": SimpleUploadedFile("note.txt", b"done")},
    )
    evidence = action.evidence.get()
    download = client.get(f"/dialogues/evidence/{evidence.pk}/")
    assert b"".join(download.streaming_content) == b"done"
    client.post(url, {"form": "status", "status": "done", "reason": ""})
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.milestones.get().completed_on is not None
    page = client.get(url).content.decode()
    assert "Marked done" in page
    sign_in(client, system.provider_b)
    assert client.get(f"/dialogues/evidence/{evidence.pk}/").status_code == 404


def test_milestones_and_evidence_are_in_the_actions_history(system, client, meeting):
    actions_for(system, meeting, 1, dt.date(2026, 3, 20))
    action = Action.objects.get()
    sign_in(client, system.provider_a)
    url = f"/dialogues/actions/{action.pk}/"
    long = "Agree the falls pathway with every care home in the network " * 5
    client.post(url, {"form": "milestone", "description": "Draft", "due_on": "2026-03-15"})
    client.post(url, {"form": "milestone", "description": long[:300], "due_on": "2026-03-18"})
    draft = action.milestones.get(description="Draft")
    client.post(url, {"form": "complete", "milestone": draft.pk})
    client.post(
        url,
        {"form": "evidence", "note": "Sent", "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4")},
    )
    client.post(url, {"form": "evidence", "note": "Chased again"})
    done_on = timezone.localdate()

    response = client.get(url)
    history = [
        (change.history_change_reason, change.history_user.username)
        for change in response.context["changes"]
    ]
    assert history == [
        ("Evidence added: a note", "provider_a"),
        ("Evidence added: a note and file plan.pdf", "provider_a"),
        (f"Milestone done {done_on.day} {done_on:%B %Y}: Draft", "provider_a"),
        (f"Milestone for 18 March 2026 added: {long[:64]}…", "provider_a"),
        ("Milestone for 15 March 2026 added: Draft", "provider_a"),
        (f"Logged at {meeting}", "nm_a"),
    ]
    assert "Evidence added: a note and file plan.pdf" in response.content.decode()


def test_a_milestone_dated_before_the_meeting_is_refused_on_its_date(system, client, meeting):
    actions_for(system, meeting, 1, dt.date(2026, 3, 20))
    action = Action.objects.get()
    sign_in(client, system.provider_a)
    url = f"/dialogues/actions/{action.pk}/"
    response = client.post(
        url, {"form": "milestone", "description": "Draft", "due_on": "2026-03-02"}
    )
    assert response.status_code == 200
    assert response.context["milestone_form"].errors["due_on"] == [
        "The milestone's date cannot be before the meeting that raised the action (3 March 2026)."
    ]
    assert 'href="#id_due_on"' in response.content.decode()
    assert not action.milestones.exists()
    # The meeting's own day is fine.
    client.post(url, {"form": "milestone", "description": "Draft", "due_on": "2026-03-03"})
    assert action.milestones.get().due_on == dt.date(2026, 3, 3)


def edit_form(system, **overrides):
    """The edit form as filled in for the action of `actions_for`, changed by `overrides`."""
    data = {
        "form": "edit",
        "edit-title": "Action 20 0",
        "edit-owner": system.provider_a.memberships.get().pk,
        "edit-due_on": "2026-03-20",
        "edit-detail": "",
        "edit-metric": "",
        "edit-organisation": "",
        "edit-notice": "",
    }
    return {**data, **{f"edit-{name}": value for name, value in overrides.items()}}


def test_the_edit_form_is_shown_to_those_who_may_edit_an_open_action(system, client, meeting):
    actions_for(system, meeting, 1, dt.date(2026, 3, 20))
    action = Action.objects.get()
    url = f"/dialogues/actions/{action.pk}/"
    sign_in(client, system.network_manager_a)
    page = client.get(url).content.decode()
    assert '<h2 id="edit">Edit the action</h2>' in page
    assert '<label class="nhsuk-label" for="id_edit-title">Action</label>' in page
    owner = system.provider_a.memberships.get()
    assert f'<option value="{owner.pk}" selected>provider_a (Provider A1)</option>' in page
    # The commissioner sees the action but may not change it.
    sign_in(client, system.commissioner)
    page = client.get(url).content.decode()
    assert "Action 20 0" in page and "Edit the action" not in page
    assert client.post(url, edit_form(system, title="Theirs")).status_code == 403
    # Once done it is reopened before it is edited.
    actions.set_action_status(
        user=system.network_manager_a, action=action, status=ActionStatus.DONE
    )
    sign_in(client, system.network_manager_a)
    assert "Edit the action" not in client.get(url).content.decode()
    assert Action.objects.get().title == "Action 20 0"


def test_edit_an_action_from_its_page(system, client, meeting):
    actions_for(system, meeting, 1, dt.date(2026, 3, 20))
    action = Action.objects.get()
    url = f"/dialogues/actions/{action.pk}/"
    sign_in(client, system.provider_a)
    changes = {"title": "Chase falls data", "due_on": "2026-03-27", "organisation": system.pa2.pk}
    response = client.post(url, edit_form(system, **changes))
    assert response.status_code == 302 and response["Location"] == url
    action.refresh_from_db()
    assert (action.title, action.due_on, action.organisation) == (
        "Chase falls data",
        dt.date(2026, 3, 27),
        system.pa2,
    )
    page = client.get(url).content.decode()
    assert "Action saved." in page
    assert "Edited: title, due date, organisation it is about" in page


def test_an_edit_error_names_the_field_and_saves_nothing(system, client, meeting):
    actions_for(system, meeting, 1, dt.date(2026, 3, 20))
    action = Action.objects.get()
    sign_in(client, system.network_manager_a)
    response = client.post(
        f"/dialogues/actions/{action.pk}/",
        edit_form(system, title="Chase falls data", due_on="2026-03-01"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    message = "The due date cannot be before the meeting (3 March 2026)."
    assert f'<a href="#id_edit-due_on">{message}</a>' in page
    assert "nhsuk-form-group--error" in page
    assert Action.objects.get().title == "Action 20 0"


def test_lists_cost_a_fixed_number_of_queries(
    system, client, meeting, django_assert_max_num_queries
):
    sign_in(client, system.network_manager_a)
    actions_for(system, meeting, 2, dt.date(2026, 3, 20))
    agenda.draft_agenda(meeting, today=dt.date(2026, 3, 2))

    def measure(limit):
        for url in ("/dialogues/actions/", "/dialogues/series/", "/dialogues/"):
            with django_assert_max_num_queries(limit):
                assert client.get(url).status_code == 200
        with django_assert_max_num_queries(limit + 12):
            assert client.get(f"/dialogues/meetings/{meeting.pk}/").status_code == 200

    measure(10)
    actions_for(system, meeting, 20, dt.date(2026, 3, 21))
    make_series(system, title="Monthly", meeting_type="monthly", rrule="FREQ=MONTHLY;BYDAY=2WE")
    measure(10)


def test_a_status_error_links_to_the_rows_reason(system, client, meeting):
    actions_for(system, meeting, 1, dt.date(2026, 3, 20))
    action = Action.objects.get()
    sign_in(client, system.network_manager_a)
    response = client.post(
        f"/dialogues/meetings/{meeting.pk}/",
        {"form": "status", "action_id": action.pk, "status": "dropped", "reason": ""},
    )
    page = response.content.decode()
    assert f'<a href="#reason-{action.pk}">Give the reason for dropping the action.</a>' in page
    assert f'id="reason-{action.pk}"' in page


def test_tampered_ids_in_a_form_are_not_found(system, client, meeting):
    actions_for(system, meeting, 1, dt.date(2026, 3, 20))
    action = Action.objects.get()
    sign_in(client, system.network_manager_a)
    meeting_url = f"/dialogues/meetings/{meeting.pk}/"
    posts = [
        (meeting_url, {"form": "status", "action_id": "abc", "status": "done"}),
        (f"{meeting_url}agenda/", {"op": "remove", "item": "abc"}),
        (f"/dialogues/actions/{action.pk}/", {"form": "complete", "milestone": "1x"}),
    ]
    for url, body in posts:
        assert client.post(url, body).status_code == 404, url
    assert Action.objects.get().status == ActionStatus.OPEN


def test_the_default_action_log_stays_open_actions_on_every_page(system, client, meeting):
    actions_for(system, meeting, 2, dt.date(2026, 3, 20))
    done = Action.objects.first()
    actions.set_action_status(user=system.network_manager_a, action=done, status=ActionStatus.DONE)
    sign_in(client, system.network_manager_a)
    for query in ({}, {"page": 1}):
        listed = client.get("/dialogues/actions/", query).context["actions"]
        assert done.pk not in [action.pk for action in listed], query


def test_agenda_links_only_the_actions_the_reader_can_open(system, client):
    """The network team's weekly meeting is management only; its members meet
    monthly. An action escalated from the weekly to the monthly meeting is
    visible to the members there; a network action due soon is listed on the
    monthly agenda but not linked for a member, who could not open it."""
    weekly = make_series(
        system,
        ends_on=dt.date(2026, 3, 31),
        organisations=[system.network_a],
        participants=[system.network_manager_a],
    ).meetings.order_by("starts_at")[0]
    monthly = make_series(
        system,
        title="Monthly: Network A",
        meeting_type="monthly",
        rrule="FREQ=MONTHLY;BYDAY=2WE",
        ends_on=dt.date(2026, 4, 30),
    ).meetings.order_by("starts_at")[0]

    def log(title, due):
        return actions.log_action(
            user=system.network_manager_a,
            meeting=weekly,
            title=title,
            owner=system.network_manager_a,
            due_on=due,
        )

    escalated = log("Fix the data feed", dt.date(2026, 3, 5))
    Action.objects.filter(pk=escalated.pk).update(escalated_to=monthly)
    soon = log("Restructure the team", dt.date(2026, 3, 20))
    agenda.draft_agenda(monthly, today=dt.date(2026, 3, 10))

    sign_in(client, system.provider_a)
    page = client.get(f"/dialogues/meetings/{monthly.pk}/").content.decode()
    assert "Escalated: Fix the data feed" in page
    assert f'href="/dialogues/actions/{escalated.pk}/"' in page
    assert client.get(f"/dialogues/actions/{escalated.pk}/").status_code == 200
    assert "Due soon: Restructure the team" in page
    assert f'href="/dialogues/actions/{soon.pk}/"' not in page
    assert client.get(f"/dialogues/actions/{soon.pk}/").status_code == 404

    sign_in(client, system.network_manager_a)
    page = client.get(f"/dialogues/meetings/{monthly.pk}/").content.decode()
    assert f'href="/dialogues/actions/{soon.pk}/"' in page


def office_file(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(f"{folder}/document.xml", "<document/>")
    return buffer.getvalue()


def test_evidence_whose_contents_are_not_its_type_is_refused(system, client, meeting):
    """The name's ending is not enough: a program renamed evil.pdf is refused
    on the file field and nothing is saved; real files are accepted and
    downloaded as attachments the browser does not sniff."""
    actions_for(system, meeting, 1, dt.date(2026, 3, 20))
    action = Action.objects.get()
    sign_in(client, system.provider_a)
    url = f"/dialogues/actions/{action.pk}/"
    refused = [
        ("evil.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "is not a PDF: its contents are those"),
        ("photo.png", b"\xff\xd8\xff\xe0 jpeg", "is not a PNG: its contents"),
        ("plan.docx", b"PK\x03\x04 not a zip", "is not a Word: its contents"),
        ("plan.xlsx", office_file("word"), "is not an Excel: its contents"),
        ("notes.txt", b"MZ\x00\x00", "is not plain text: its contents are not UTF-8 text"),
        ("data.csv", b"caf\xe9,1\n", "is not a CSV: its contents are not UTF-8 text"),
    ]
    for name, body, message in refused:
        response = client.post(
            url, {"form": "evidence", "note": "", "file": SimpleUploadedFile(name, body)}
        )
        assert response.status_code == 200, name
        page = response.content.decode()
        assert f"The file {name} {message}" in page, name
        assert 'href="#id_file"' in page, name
    assert not action.evidence.exists()

    accepted = [
        ("plan.pdf", b"%PDF-1.7\n"),
        ("chart.png", b"\x89PNG\r\n\x1a\n rest"),
        ("photo.jpg", b"\xff\xd8\xff\xe0 rest"),
        ("plan.docx", office_file("word")),
        ("data.xlsx", office_file("xl")),
        ("slides.pptx", office_file("ppt")),
        ("data.csv", "café,1\n".encode()),
    ]
    for name, body in accepted:
        response = client.post(url, {"form": "evidence", "file": SimpleUploadedFile(name, body)})
        assert response.status_code == 302, name
    assert action.evidence.count() == len(accepted)
    evidence = action.evidence.get(file_name="plan.pdf")
    download = client.get(f"/dialogues/evidence/{evidence.pk}/")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"


def test_an_owner_not_offered_gets_the_rule_not_djangos_message(system, client, meeting):
    """As the API says it: the person is not taking part, or is unknown."""
    sign_in(client, system.network_manager_a)
    url = f"/dialogues/meetings/{meeting.pk}/"
    outsider = system.provider_b.memberships.get()
    body = {"form": "action", "title": "Chase data", "due_on": "2026-03-20"}
    page = client.post(url, {**body, "owner": outsider.pk}).content.decode()
    assert "provider_b is not in any organisation taking part in this meeting." in page
    assert 'href="#id_owner"' in page
    page = client.post(url, {**body, "owner": 999999}).content.decode()
    assert "Choose an owner from the list." in page
    page = client.post(url, {**body, "owner": "abc"}).content.decode()
    assert "Choose an owner from the list." in page
    assert "Select a valid choice" not in page
    assert not Action.objects.exists()


def test_preference_range_errors_name_the_field_and_range(system, client):
    sign_in(client, system.provider_a)
    for days, message in [
        (0, "Days before a due date must be 1 or more."),
        (15, "Days before a due date must be 14 or fewer."),
        ("x", "Days before a due date must be a whole number from 1 to 14."),
    ]:
        page = client.post("/dialogues/preferences/", {"days_before": days}).content.decode()
        assert message in page, days
        assert "Ensure this value" not in page


def test_action_log_reversed_range_is_an_error_on_due_by(system, client, meeting):
    actions_for(system, meeting, 1, dt.date(2026, 3, 20))
    sign_in(client, system.network_manager_a)
    response = client.get("/dialogues/actions/?due_after=2027-02-01&due_before=2027-01-01")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Due by must be on or after due from." in page
    assert "nhsuk-form-group--error" in page
    assert response.context["filters"].errors == {
        "due_before": ["Due by must be on or after due from."]
    }


def test_action_log_pages_out_of_range_or_junk_show_a_page(system, client, meeting):
    """Page 99 is the last page and page abc the first, filters kept."""
    actions_for(system, meeting, 51, dt.date(2026, 3, 20))
    actions_for(system, meeting, 1, dt.date(2026, 3, 25))
    sign_in(client, system.network_manager_a)
    response = client.get("/dialogues/actions/?status=live&page=99")
    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    page = response.content.decode()
    assert "Action 25 0" in page
    assert 'href="?status=live&amp;page=1"' in page
    response = client.get("/dialogues/actions/?status=live&page=abc")
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    assert "Action 25 0" not in response.content.decode()


def test_action_log_filters_by_owner(system, client, meeting):
    actions_for(system, meeting, 1, dt.date(2026, 3, 20))  # owned by provider_a
    actions.log_action(
        user=system.network_manager_a,
        meeting=meeting,
        title="Manager's own",
        owner=system.network_manager_a,
        due_on=dt.date(2026, 3, 21),
    )
    sign_in(client, system.network_manager_a)
    page = client.get("/dialogues/actions/").content.decode()
    assert f'<option value="{system.provider_a.pk}">provider_a</option>' in page
    assert f'<option value="{system.network_manager_a.pk}">nm_a</option>' in page
    owners = client.get("/dialogues/actions/").context["filters"].fields["owner"].queryset
    assert set(owners) == {system.provider_a, system.network_manager_a}
    page = client.get(f"/dialogues/actions/?owner={system.provider_a.pk}").content.decode()
    assert "Action 20 0" in page and "Manager&#x27;s own" not in page
    page = client.get(f"/dialogues/actions/?owner={system.provider_b.pk}").content.decode()
    assert "Choose an owner from the list." in page


def test_other_open_actions_include_those_raised_outside_a_meeting(system, client, meeting):
    """The heading says what the list holds: earlier meetings' actions and
    those raised elsewhere (a support plan), which the chair chases too."""
    actions.raise_action(
        network=system.network_a,
        title="Support plan: falls prevention",
        owner=system.provider_a,
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    later = meeting.series.meetings.order_by("starts_at")[1]
    actions_for(system, meeting, 1, dt.date(2026, 3, 20))
    sign_in(client, system.network_manager_a)
    page = client.get(f"/dialogues/meetings/{later.pk}/").content.decode()
    assert '<h2 id="earlier-actions">Other open actions</h2>' in page
    assert "from earlier meetings or raised outside a meeting" in page
    section = page.split('id="earlier-actions"')[1]
    assert "Support plan: falls prevention" in section and "Action 20 0" in section
    assert "Open actions from earlier" not in page
