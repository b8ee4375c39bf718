"""The dialogues API: /api/v1/meeting-series/, /meetings/ and /actions/, with
scoping (another network's rows are 404), roles, field errors and fixed
query counts."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dialogues.choices import ActionStatus, MeetingType, SeriesLevel
from dialogues.forms import EditActionForm
from dialogues.models import Action, Meeting, MeetingSeries
from dialogues.services import actions, minutes
from outcomes.models import ContractMetric
from tests.dialogues.test_dialogues_services import future_meeting, make_series
from tests.factories import MetricFactory

SERIES = "/api/v1/meeting-series/"
MEETINGS = "/api/v1/meetings/"
ACTIONS = "/api/v1/actions/"


def series_body(**overrides):
    body = {
        "title": "Weekly tactical",
        "level": SeriesLevel.NETWORK_MEMBERS,
        "meeting_type": MeetingType.WEEKLY,
        "provider": "NETA",
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
        "starts_on": "2026-03-03",
        "start_time": "10:00",
        "ends_on": "2026-03-31",
        "organisations": ["NETA", "PA1"],
        "participants": ["nm_a", "provider_a"],
        "chair": "nm_a",
    }
    body.update(overrides)
    return body


@pytest.fixture
def meeting(system):
    return make_series(system, ends_on=dt.date(2026, 3, 31)).meetings.order_by("starts_at").first()


@pytest.fixture
def other_network_meeting(system):
    from contracts.choices import Role
    from tests.factories import MembershipFactory, UserFactory

    manager_b = UserFactory(username="nm_b")
    MembershipFactory(user=manager_b, organisation=system.network_b, role=Role.NETWORK_MANAGER)
    series = make_series(
        system,
        user=manager_b,
        title="Weekly tactical: Network B",
        provider=system.network_b,
        contract=system.contract_b,
        organisations=[system.network_b, system.pb1],
        participants=[system.provider_b],
        chair=manager_b,
        ends_on=dt.date(2026, 3, 31),
    )
    return series.meetings.order_by("starts_at").first()


def log(meeting, user, owner, title="Chase data", due=dt.date(2026, 3, 20)):
    return actions.log_action(user=user, meeting=meeting, title=title, owner=owner, due_on=due)


# --- Meeting series ---------------------------------------------------------------


def test_network_manager_creates_a_series_and_its_meetings(system, api_client):
    api_client.force_authenticate(system.network_manager_a)
    today = timezone.localdate()
    first = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)  # next Tuesday
    body = series_body(starts_on=first.isoformat(), ends_on=str(first + dt.timedelta(days=28)))
    response = api_client.post(SERIES, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["organisations"] == ["NETA", "PA1"]
    assert data["time_zone"] == "Europe/London"
    assert MeetingSeries.objects.get().meetings.count() == 5


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rrule": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31"}, "rrule", "produces no meeting dates"),
        ({"ends_on": "2026-03-01"}, "ends_on", "on or after the first meeting"),
        ({"organisations": ["NETA", "PB1"]}, "organisations", "Provider B1 cannot take part"),
        ({"chair": "nobody"}, "chair", "does not exist"),
        ({"meeting_type": "fortnightly"}, "meeting_type", "not a valid choice"),
        ({"meeting_type": "custom", "rrule": ""}, "rrule", "Enter a recurrence rule"),
        # Meetings generated from 9999-12-31 ran past the calendar: a 500.
        ({"starts_on": "9999-12-31"}, "starts_on", "in the years 2000 to 2100"),
        ({"ends_on": "9999-12-31"}, "ends_on", "in the years 2000 to 2100"),
        ({"title": "Review of 943 476 5919"}, "title", "looks like an NHS number"),
    ],
)
def test_bad_series_is_a_400_naming_the_field(system, api_client, overrides, field, message):
    api_client.force_authenticate(system.network_manager_a)
    response = api_client.post(SERIES, series_body(**overrides), format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not MeetingSeries.objects.exists()


@pytest.mark.parametrize("who", ["provider_a", "lay_partner", "outsider"])
def test_series_writes_need_a_managing_role(system, api_client, who):
    api_client.force_authenticate(getattr(system, who))
    assert api_client.post(SERIES, series_body(), format="json").status_code == 403
    assert not MeetingSeries.objects.exists()


def test_patch_changes_future_meetings_only(system, api_client, meeting):
    api_client.force_authenticate(system.network_manager_a)
    series = meeting.series
    # The real clock is after March 2026, so every meeting of the series is past.
    response = api_client.patch(
        f"{SERIES}{series.pk}/", {"rrule": "FREQ=WEEKLY;BYDAY=TH"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["rrule"] == "FREQ=WEEKLY;BYDAY=TH"
    assert sorted(response.json()["participants"]) == ["nm_a", "provider_a"]
    assert series.meetings.count() == 5
    assert Meeting.objects.get(pk=meeting.pk).starts_at == meeting.starts_at


# --- Scoping: who sees what ------------------------------------------------------


def test_other_networks_rows_are_404(system, api_client, meeting, other_network_meeting):
    theirs = log(
        other_network_meeting,
        other_network_meeting.series.chair,
        system.provider_b,
        title="Theirs",
    )
    api_client.force_authenticate(system.network_manager_a)
    for url in (
        f"{SERIES}{other_network_meeting.series_id}/",
        f"{MEETINGS}{other_network_meeting.pk}/",
        f"{ACTIONS}{theirs.pk}/",
    ):
        assert api_client.get(url).status_code == 404, url
    assert api_client.get(SERIES).json()["count"] == 1
    assert {m["provider"] for m in api_client.get(MEETINGS).json()["results"]} == {"NETA"}
    response = api_client.post(f"{ACTIONS}{theirs.pk}/status/", {"status": "done"}, format="json")
    assert response.status_code == 404
    response = api_client.post(
        ACTIONS,
        {
            "meeting": other_network_meeting.pk,
            "title": "Sneaky",
            "owner": "nm_a",
            "due_on": "2026-03-20",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["meeting"] == [f"There is no meeting {other_network_meeting.pk}."]


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("commissioner", 1),  # contracts with network A
        ("network_manager_a", 1),
        ("provider_a", 1),  # PA1 takes part
        ("provider_b", 0),
        ("lay_partner", 0),
        ("outsider", 0),
    ],
)
def test_series_visibility_per_role(system, api_client, meeting, who, sees):
    api_client.force_authenticate(getattr(system, who))
    assert api_client.get(SERIES).json()["count"] == sees
    assert api_client.get(MEETINGS).json()["count"] == 5 * sees


def test_anonymous_visitors_get_nothing(system, client, meeting):
    for url in (SERIES, MEETINGS, ACTIONS, f"{MEETINGS}{meeting.pk}/"):
        assert client.get(url).status_code in (401, 403)


# --- Meetings: attendance, minutes, decisions ---------------------------------------


def test_record_attendance_minutes_and_decisions(system, api_client, meeting):
    api_client.force_authenticate(system.network_manager_a)
    url = f"{MEETINGS}{meeting.pk}/"
    response = api_client.post(
        f"{url}attendance/",
        {
            "attendance": [
                {"person": "nm_a", "status": "present"},
                {"person": "provider_a", "status": "apologies"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["attendance"] == [
        {"person": "nm_a", "organisation": "NETA", "status": "present"},
        {"person": "provider_a", "organisation": "PA1", "status": "apologies"},
    ]
    assert api_client.post(f"{url}minutes/", {"minutes": "Went well."}).status_code == 200
    response = api_client.post(f"{url}decisions/", {"text": "Adopt the plan."})
    assert response.json()["minutes"] == "Went well."
    assert [d["text"] for d in response.json()["decisions"]] == ["Adopt the plan."]


def test_a_meeting_yet_to_start_refuses_presence_minutes_and_decisions(system, api_client):
    meeting = future_meeting(system, days=7)
    day = timezone.localdate(meeting.starts_at)
    api_client.force_authenticate(system.network_manager_a)
    url = f"{MEETINGS}{meeting.pk}/"
    response = api_client.post(
        f"{url}attendance/",
        {"attendance": [{"person": "nm_a", "status": "present"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "only apologies can be recorded yet" in response.json()["attendance"][0]
    response = api_client.post(f"{url}minutes/", {"minutes": "Went well."})
    assert response.status_code == 400
    assert response.json()["minutes"] == [
        f"The meeting has not started: the minutes can be recorded from {day.day} {day:%B %Y}."
    ]
    assert api_client.post(f"{url}decisions/", {"text": "Adopt it."}).status_code == 400
    meeting.refresh_from_db()
    assert meeting.minutes == "" and not meeting.attendance.exists()
    assert not meeting.decisions.exists()


def test_someone_absent_cannot_edit_the_minutes(system, api_client, meeting):
    api_client.force_authenticate(system.provider_a)
    response = api_client.post(f"{MEETINGS}{meeting.pk}/minutes/", {"minutes": "Mine"})
    assert response.status_code == 403
    assert "chair or someone recorded as present" in response.json()["detail"]
    assert Meeting.objects.get(pk=meeting.pk).minutes == ""


def test_only_the_chair_or_managers_record_attendance(system, api_client, meeting):
    api_client.force_authenticate(system.provider_a)
    response = api_client.post(
        f"{MEETINGS}{meeting.pk}/attendance/",
        {"attendance": [{"person": "provider_a", "status": "present"}]},
        format="json",
    )
    assert response.status_code == 403
    assert "chair or the network's managers" in response.json()["detail"]
    assert not meeting.attendance.exists()


def test_attendance_of_an_outsider_is_a_400(system, api_client, meeting):
    api_client.force_authenticate(system.network_manager_a)
    response = api_client.post(
        f"{MEETINGS}{meeting.pk}/attendance/",
        {"attendance": [{"person": "provider_b", "status": "present"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "not in any organisation taking part" in response.json()["attendance"][0]


# --- Actions ------------------------------------------------------------------------


def test_log_an_action_and_move_it_to_done(system, api_client, meeting):
    api_client.force_authenticate(system.network_manager_a)
    response = api_client.post(
        ACTIONS,
        {
            "meeting": meeting.pk,
            "title": "Chase data",
            "owner": "provider_a",
            "due_on": "2026-03-20",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["owner_organisation"], created["provider"], created["status"]) == (
        "PA1",
        "NETA",
        "open",
    )
    api_client.force_authenticate(system.provider_a)
    response = api_client.post(f"{ACTIONS}{created['id']}/status/", {"status": "dropped"})
    assert response.status_code == 400
    assert response.json() == {"reason": ["Give the reason for dropping the action."]}
    response = api_client.post(
        f"{ACTIONS}{created['id']}/status/", {"status": "done", "on": "2026-03-19"}
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["completed_on"]) == ("done", "2026-03-19")


def test_an_action_cannot_be_done_before_it_was_raised(system, api_client, meeting):
    """It could be marked done on 0001-01-01."""
    action = log(meeting, system.network_manager_a, system.provider_a)
    api_client.force_authenticate(system.provider_a)
    url = f"{ACTIONS}{action.pk}/status/"
    response = api_client.post(url, {"status": "done", "on": "0001-01-01"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"on": ["on must be a date in the years 2000 to 2100."]}
    response = api_client.post(url, {"status": "done", "on": "2026-03-02"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "on": [
            "The day it was done cannot be before the meeting that raised the action "
            "(3 March 2026)."
        ]
    }
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("open", None)
    response = api_client.post(url, {"status": "done", "on": "2026-03-03"}, format="json")
    assert response.status_code == 200
    assert response.json()["completed_on"] == "2026-03-03"


def test_a_title_is_kept_on_one_line(system, api_client, meeting):
    api_client.force_authenticate(system.network_manager_a)
    body = {"meeting": meeting.pk, "owner": "provider_a", "due_on": "2026-03-20"}
    response = api_client.post(ACTIONS, {**body, "title": " Chase\nthe\r\n data "}, format="json")
    assert response.status_code == 201
    assert response.json()["title"] == "Chase the data"
    url = f"{ACTIONS}{response.json()['id']}/"
    response = api_client.patch(url, {"title": "Chase\tagain\n"}, format="json")
    assert response.json()["title"] == "Chase again"
    response = api_client.patch(url, {"title": "\n \n"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"title": ["This field may not be blank."]}


def test_a_long_reason_is_kept_whole_on_the_action(system, api_client, meeting):
    """The history's reason column holds 100 characters: a longer status
    reason is cut there (it was a database error on PostgreSQL) and kept
    whole in the action's status_reason."""
    from dialogues.models import Action

    api_client.force_authenticate(system.network_manager_a)
    created = api_client.post(
        ACTIONS,
        {
            "meeting": meeting.pk,
            "title": "Chase data",
            "owner": "provider_a",
            "due_on": "2026-03-20",
        },
        format="json",
    ).json()
    reason = "Superseded by the new falls pathway agreed at the quarterly review. " * 8
    response = api_client.post(
        f"{ACTIONS}{created['id']}/status/", {"status": "dropped", "reason": reason}, format="json"
    )
    assert response.status_code == 200, response.json()
    action = Action.objects.get(pk=created["id"])
    assert action.status_reason == reason.strip()
    latest = action.history.latest("history_date")
    assert len(latest.history_change_reason) == 100
    assert latest.history_change_reason.endswith("…")
    assert reason.startswith(latest.history_change_reason[:-1])


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"due_on": "2026-03-01"}, "due_on", "cannot be before the meeting"),
        ({"owner": "provider_b"}, "owner", "not in any organisation taking part"),
        ({"title": ""}, "title", "may not be blank"),
        ({"due_on": "soon"}, "due_on", "wrong format"),
        ({"due_on": "9999-12-31"}, "due_on", "in the years 2000 to 2100"),
        ({"owner": "943 476 5919"}, "owner", "looks like an NHS number"),
    ],
)
def test_bad_actions_are_400s_naming_the_field(
    system, api_client, meeting, overrides, field, message
):
    api_client.force_authenticate(system.network_manager_a)
    body = {"meeting": meeting.pk, "title": "Chase", "owner": "provider_a", "due_on": "2026-03-20"}
    response = api_client.post(ACTIONS, {**body, **overrides}, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Action.objects.exists()


def test_an_action_links_only_to_a_metric_of_its_contract(system, api_client, meeting, contract):
    """CON-A (the meeting's series' contract) has EMADM; FALLS is on CON-B only."""
    falls = MetricFactory(code="FALLS", name="Falls")
    ContractMetric.objects.create(
        contract=system.contract_b,
        metric=falls,
        effective_from=dt.date(2024, 4, 1),
        minimum_threshold=10,
        target=5,
    )
    api_client.force_authenticate(system.network_manager_a)
    body = {"meeting": meeting.pk, "title": "Chase", "owner": "provider_a", "due_on": "2026-03-20"}
    response = api_client.post(ACTIONS, {**body, "metric": "FALLS"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"metric": ["FALLS is not a metric of contract CON-A."]}
    assert not Action.objects.exists()
    response = api_client.post(ACTIONS, {**body, "metric": "EMADM"}, format="json")
    assert response.status_code == 201
    action_id = response.json()["id"]
    response = api_client.patch(f"{ACTIONS}{action_id}/", {"metric": "FALLS"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"metric": ["FALLS is not a metric of contract CON-A."]}
    assert Action.objects.get().metric.code == "EMADM"
    # The edit form offers the contract's metrics only; raise_action keeps the same rule.
    form = EditActionForm(action=Action.objects.get(), user=system.network_manager_a)
    assert [m.code for m in form.fields["metric"].queryset] == ["EMADM"]
    with pytest.raises(ValidationError) as caught:
        actions.raise_action(
            network=system.network_a,
            title="Support plan",
            owner=system.provider_a,
            due_on=timezone.localdate(),
            metric=falls,
        )
    assert caught.value.message_dict == {"metric": ["FALLS is not a metric of contract CON-A."]}


def test_patch_an_action_changes_only_the_fields_sent(system, api_client, meeting):
    action = log(meeting, system.network_manager_a, system.provider_a)
    api_client.force_authenticate(system.network_manager_a)
    response = api_client.patch(
        f"{ACTIONS}{action.pk}/",
        {"title": "Chase falls data", "owner": "nm_a", "organisation": "PA2"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (
        body["title"],
        body["owner"],
        body["owner_organisation"],
        body["organisation"],
        body["due_on"],
        body["status"],
    ) == ("Chase falls data", "nm_a", "NETA", "PA2", "2026-03-20", "open")
    change = action.history.latest("history_date")
    assert (change.history_user, change.history_change_reason) == (
        system.network_manager_a,
        "Edited: title, owner, owner's organisation, organisation it is about",
    )
    assert api_client.put(f"{ACTIONS}{action.pk}/", {}, format="json").status_code == 405


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"due_on": "2026-03-01"}, "due_on", "cannot be before the meeting"),
        ({"owner": "provider_b"}, "owner", "not in any organisation taking part"),
        ({"title": ""}, "title", "may not be blank"),
        ({"organisation": "PB1"}, "organisation", "not part of Network A's dialogues"),
    ],
)
def test_bad_action_edits_are_400s_naming_the_field(
    system, api_client, meeting, body, field, message
):
    action = log(meeting, system.network_manager_a, system.provider_a)
    api_client.force_authenticate(system.network_manager_a)
    response = api_client.patch(
        f"{ACTIONS}{action.pk}/", {"detail": "Changed too", **body}, format="json"
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    action.refresh_from_db()
    assert (action.title, action.detail, action.history.count()) == ("Chase data", "", 1)


def test_action_edits_are_refused_to_outsiders_and_once_closed(system, api_client, meeting):
    action = log(meeting, system.network_manager_a, system.provider_a)
    url = f"{ACTIONS}{action.pk}/"
    for who, status_code in (("provider_b", 404), ("commissioner", 403), ("lay_partner", 403)):
        api_client.force_authenticate(getattr(system, who))
        assert api_client.patch(url, {"title": "Mine"}, format="json").status_code == status_code
    actions.set_action_status(
        user=system.network_manager_a, action=action, status=ActionStatus.DONE
    )
    api_client.force_authenticate(system.network_manager_a)
    response = api_client.patch(url, {"title": "Later"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"status": ["The action is done: reopen it to edit it."]}
    assert Action.objects.get().title == "Chase data"


def test_action_filters(system, api_client, meeting):
    nm = system.network_manager_a
    log(meeting, nm, system.provider_a, "A", dt.date(2026, 3, 10))
    log(meeting, nm, nm, "B", dt.date(2026, 3, 20))
    done = log(meeting, nm, system.provider_a, "C", dt.date(2026, 4, 1))
    actions.set_action_status(user=nm, action=done, status=ActionStatus.DONE)
    api_client.force_authenticate(nm)

    def titles(query):
        response = api_client.get(f"{ACTIONS}?{query}")
        assert response.status_code == 200, response.json()
        return sorted(a["title"] for a in response.json()["results"])

    assert titles("owner=provider_a") == ["A", "C"]
    assert titles("status=open") == ["A", "B"]
    assert titles("status=open&status=done") == ["A", "B", "C"]
    assert titles("due_after=2026-03-15&due_before=2026-03-31") == ["B"]
    assert titles("organisation=PA1") == ["A", "C"]
    assert titles("organisation=NETA") == ["A", "B", "C"]
    assert api_client.get(f"{ACTIONS}?status=late").status_code == 400
    overdue = {a["title"]: a["is_overdue"] for a in api_client.get(ACTIONS).json()["results"]}
    today = timezone.localdate()
    assert overdue == {
        "A": dt.date(2026, 3, 10) < today,
        "B": dt.date(2026, 3, 20) < today,
        "C": False,
    }


# --- Query counts --------------------------------------------------------------------


def test_lists_cost_a_fixed_number_of_queries(
    system, api_client, meeting, django_assert_max_num_queries
):
    nm = system.network_manager_a
    api_client.force_authenticate(nm)
    log(meeting, nm, system.provider_a)

    def counts():
        with django_assert_max_num_queries(3):  # scope, count, page joined to owner/orgs/metric
            actions = api_client.get(ACTIONS).json()["count"]
        with django_assert_max_num_queries(3):  # scope, count, page joined to series and chairs
            meetings = api_client.get(MEETINGS).json()["count"]
        with django_assert_max_num_queries(5):  # scope, count, page, organisations, participants
            series = api_client.get(SERIES).json()["count"]
        return actions, meetings, series

    assert counts() == (1, 5, 1)
    make_series(
        system, title="Monthly", meeting_type=MeetingType.MONTHLY, rrule="FREQ=MONTHLY;BYDAY=2WE"
    )
    for n in range(10):
        log(meeting, nm, system.provider_a, f"Action {n}")
    actions, meetings, series = counts()
    assert (actions, series) == (11, 2)
    assert meetings > 5


def test_meeting_detail_costs_a_fixed_number_of_queries(
    system, api_client, meeting, django_assert_max_num_queries
):
    nm = system.network_manager_a
    api_client.force_authenticate(nm)
    url = f"{MEETINGS}{meeting.pk}/"
    with django_assert_max_num_queries(6):  # scope, meeting, agenda, attendance, decisions, actions
        api_client.get(url)
    for n in range(5):
        log(meeting, nm, system.provider_a, f"Action {n}")
        minutes.add_decision(user=nm, meeting=meeting, text=f"Decision {n}")
    with django_assert_max_num_queries(6):
        data = api_client.get(url).json()
    assert len(data["actions"]) == 5
    assert len(data["decisions"]) == 5


def test_meetings_are_filtered_by_dates_and_type(system, api_client, meeting):
    api_client.force_authenticate(system.network_manager_a)
    response = api_client.get(
        f"{MEETINGS}?starts_after=2026-03-10&starts_before=2026-03-17&meeting_type=weekly"
    )
    assert [m["starts_at"][:10] for m in response.json()["results"]] == ["2026-03-10", "2026-03-17"]
    assert response.json()["results"][0]["starts_at"] == "2026-03-10T10:00:00Z"


@pytest.mark.django_db
def test_the_schema_lists_the_dialogue_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    for path in (SERIES, MEETINGS, ACTIONS, "/api/v1/actions/{id}/status/"):
        assert path in paths
    assert set(paths["/api/v1/actions/{id}/"]) == {"get", "patch"}


def test_only_the_chair_redrafts_the_agenda(system, api_client, meeting):
    url = f"{MEETINGS}{meeting.pk}/draft-agenda/"
    api_client.force_authenticate(system.provider_a)
    assert api_client.post(url).status_code == 403
    api_client.force_authenticate(system.network_manager_a)
    response = api_client.post(url)
    assert response.status_code == 200
    assert response.json()["agenda_drafted_at"] is not None


def test_patch_refuses_fields_it_cannot_edit(system, api_client, meeting):
    api_client.force_authenticate(system.network_manager_a)
    logged = actions.log_action(
        user=system.network_manager_a,
        meeting=meeting,
        title="Chase data",
        owner=system.provider_a,
        due_on=timezone.localdate(meeting.starts_at),
    )
    response = api_client.patch(
        f"/api/v1/actions/{logged.pk}/", {"status": "done", "provider": "NETB"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "status": ["Change the status with POST /api/v1/actions/<id>/status/."],
        "provider": ["This field cannot be edited."],
    }
    assert Action.objects.get().status == ActionStatus.OPEN
