"""The audit trail (/audit/ and /api/v1/audit/): each kind of record shows
who changed it, when, and each field before and after, after real changes
made through the services; commissioners see their scope only; nothing can
edit it; a page costs a fixed number of queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import notices
from contracts.models import NoticeEvent
from dialogues.models import Action
from dialogues.services.actions import set_action_status
from incentives import services as incentives
from incentives.models import Settlement
from outcomes.choices import Channel, SubmissionStatus
from outcomes.models import ContractMetric, Measurement
from outcomes.services import contract_terms
from outcomes.services.submissions import submit
from reporting import audit_trail
from reporting.audit_trail import EPOCH
from tests.dashboard_data import HEADER
from tests.incentives_fixtures import scheme_fields
from tests.permission_matrix_fixtures import CANARY, build

API = "/api/v1/audit/"


@pytest.fixture
def dataset(system):
    return build(system)


def trail(client, **query):
    response = client.get(API, query)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def fields(entry):
    return {f["field"]: (f["before"], f["after"]) for f in entry["fields"]}


def submit_value(user, metric, numerator):
    submission = submit(
        user=user,
        channel=Channel.COMMAND,
        name="june.csv",
        content=f"{HEADER}{metric.code},PA1,2025-06-01,{numerator},10000,\n".encode(),
        today=dt.date(2025, 9, 20),
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors
    return submission


# --- Each kind of record, after a real change ---


def test_a_measurement_revision_shows_the_value_before_and_after(system, dataset, client):
    metric = dataset.a.metric
    submit_value(system.network_manager_a, metric, 30)
    submit_value(system.provider_a, metric, 45)
    revision = Measurement.objects.get(
        metric=metric, organisation=system.pa1, period_start=dt.date(2025, 6, 1), is_current=True
    )
    client.force_login(system.commissioner)

    body = trail(client, record="measurement", id=revision.pk)

    assert len(body["results"]) == 2 and body["next"] is None
    changed, created = body["results"]
    assert changed["change"] == "Changed" and created["change"] == "Created"
    assert changed["who"] == "provider_a" and "PA1" in changed["organisations"]
    assert created["who"] == "nm_a"
    first_value = fields(created)["value"][1]
    assert fields(changed)["value"] == (first_value, str(revision.value))
    assert fields(changed)["numerator"] == ("30.000000", "45.000000")
    assert "revision 2" in changed["what"]
    assert changed["url"].startswith(reverse("outcomes:measurement-history"))


def test_a_new_version_of_contract_metric_terms_is_a_change_to_the_last(system, dataset, client):
    a = dataset.a
    version = contract_terms.add_version(
        user=system.commissioner,
        contract=a.contract,
        metric=a.metric,
        effective_from=dt.date(2025, 4, 1),
        minimum_threshold=30,
        target=20,
        baseline=31,
        reason="A tighter target from year two",
    )
    client.force_login(system.commissioner)

    entry = trail(client, record="contract-metric", id=version.pk)["results"][0]

    assert entry["who"] == "commissioner" and entry["organisations"] == "QCOM"
    assert entry["change"] == "Changed"
    changes = fields(entry)
    assert changes["target"] == ("22.0000", "20.0000")
    assert changes["effective from"] == ("2024-04-01", "2025-04-01")
    assert changes["reason"] == ("(none)", "A tighter target from year two")
    assert "minimum threshold" not in changes  # unchanged
    assert entry["url"] == reverse(
        "outcomes:contract-metric-history", args=[a.contract.pk, a.metric.pk]
    )
    when = dt.datetime.fromisoformat(entry["when"])
    assert abs(when - timezone.now()) < dt.timedelta(minutes=5)


def test_a_new_scheme_version_shows_what_changed(system, dataset, client):
    a = dataset.a
    version = incentives.create_scheme_version(
        user=system.commissioner,
        contract=a.contract,
        **scheme_fields(a.metric, effective_from_year=2, support_threshold="55"),
        reason="Support plans from 55",
    )
    client.force_login(system.commissioner)

    entry = trail(client, record="scheme", id=version.pk)["results"][0]

    assert (entry["who"], entry["change"]) == ("commissioner", "Changed")
    changes = fields(entry)
    assert changes["support threshold"] == ("50.000", "55.000")
    assert changes["version"] == ("1", "2")
    assert changes["effective from year"] == ("1", "2")


def test_a_settlement_sign_off_shows_the_status_and_signer(system, dataset, client):
    settlement = incentives.sign_off(user=system.commissioner, settlement=dataset.a.settlement)
    client.force_login(system.commissioner)

    entry = trail(client, record="settlement", id=settlement.pk)["results"][0]

    assert (entry["who"], entry["change"]) == ("commissioner", "Changed")
    changes = fields(entry)
    assert changes["status"] == ("Draft", "Signed off")
    assert changes["signed off by"] == ("(none)", "commissioner")
    assert "inputs" not in changes
    assert entry["url"] == reverse("incentives:settlement-detail", args=[settlement.pk])


def test_a_notice_step_shows_the_step_and_the_notice_change(system, dataset, client):
    notice = dataset.a.notice
    notices.record_meeting(
        user=system.network_manager_a,
        notice=notice,
        held_on=dt.date(2026, 3, 9),
        outcome="joint_investigation",
        reason="Both parties agreed to look into the data together.",
    )
    client.force_login(system.commissioner)

    changed = trail(client, record="notice", id=notice.pk)["results"][0]
    step = trail(client, record="notice-step", contract=dataset.a.contract.pk)["results"][0]

    assert (changed["who"], changed["change"]) == ("nm_a", "Changed")
    assert fields(changed)["meeting outcome"] == ("(none)", "Joint investigation")
    assert fields(changed)["meeting held on"] == ("(none)", "2026-03-09")
    assert (step["who"], step["change"]) == ("nm_a", "Created")
    assert fields(step)["reason"] == ("", "Both parties agreed to look into the data together.")
    assert step["url"] == reverse("contracts:notice-detail", args=[notice.pk])


def test_an_action_status_change_shows_before_and_after(system, dataset, client):
    action = set_action_status(
        user=system.network_manager_a, action=dataset.a.action, status="in_progress"
    )
    client.force_login(system.admin)

    entry = trail(client, record="action", id=action.pk)["results"][0]

    assert (entry["who"], entry["change"]) == ("nm_a", "Changed")
    assert fields(entry)["status"] == ("Open", "In progress")
    assert entry["url"] == reverse("dialogues:action-detail", args=[action.pk])


# --- Scope and filters ---


def test_a_commissioner_sees_only_their_scope(system, dataset, client):
    client.force_login(system.commissioner)
    html = client.get(reverse("reporting:audit-trail"), {"record": "notice"}).content.decode()
    assert "CON-A" in html and "CON-B" not in html and CANARY not in html

    everything = trail(client)
    assert everything["results"]
    assert CANARY not in str(everything)
    assert all("CON-B" not in entry["what"] for entry in everything["results"])
    # Another commissioner's contract, organisation or record is a 404, never data.
    b = dataset.b
    for query in (
        {"contract": b.contract.pk},
        {"organisation": b.provider.code},
        {"record": "notice", "id": b.notice.pk},
    ):
        assert client.get(API, query).status_code == 404
        assert client.get(reverse("reporting:audit-trail"), query).status_code == 404


def test_admins_see_every_contract(system, dataset, client):
    client.force_login(system.admin)
    body = trail(client, record="notice")
    assert {entry["what"].split(":")[0] for entry in body["results"]} == {
        f"Notice {dataset.a.notice.pk} on CON-A",
        f"Notice {dataset.b.notice.pk} on CON-B",
    }


def test_filters_narrow_the_trail(system, dataset, client):
    client.force_login(system.commissioner)
    mine = trail(client, person="commissioner")["results"]
    assert mine and {entry["who"] for entry in mine} == {"commissioner"}
    future = trail(client, since=(timezone.localdate() + dt.timedelta(days=1)).isoformat())
    assert future["results"] == []
    by_network = trail(client, organisation="PA1", record="measurement")
    assert len(by_network["results"]) == Measurement.objects.filter(organisation=system.pa1).count()
    response = client.get(API, {"since": "2025-02-01", "until": "2025-01-01"})
    assert response.status_code == 400 and "until" in response.json()
    assert client.get(API, {"id": 5}).status_code == 400  # an id needs its kind


@pytest.mark.parametrize("role", ["provider_a", "network_manager_a", "lay_partner", "outsider"])
def test_only_commissioners_and_admins_may_read_it(system, client, role):
    client.force_login(getattr(system, role))
    assert client.get(reverse("reporting:audit-trail")).status_code == 403
    assert client.get(API).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, system):
    response = client.get(reverse("reporting:audit-trail"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(API).status_code in (401, 403)


def test_navigation_offers_the_trail_to_commissioners_and_admins(system, client):
    for role, offered in (("commissioner", True), ("admin", True), ("network_manager_a", False)):
        client.force_login(getattr(system, role))
        html = client.get(reverse("home")).content.decode()
        assert (f'href="{reverse("reporting:audit-trail")}"' in html) is offered, role


# --- Never editable ---


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_trail_refuses_every_write(system, dataset, client, method):
    client.force_login(system.admin)
    assert getattr(client, method)(reverse("reporting:audit-trail")).status_code == 405
    assert getattr(client, method)(API).status_code == 405


def test_admin_history_offers_no_revert_and_refuses_one(system, dataset, client):
    a = dataset.a
    version = ContractMetric.objects.get(pk=a.contract_metric.pk)
    history = version.history.earliest()
    client.force_login(system.admin)
    url = reverse(
        "admin:outcomes_contractmetric_simple_history", args=[version.pk, history.history_id]
    )
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {"target": "99"}).status_code == 403
    action_url = reverse(
        "admin:dialogues_action_simple_history",
        args=[a.action.pk, a.action.history.earliest().history_id],
    )
    assert client.post(action_url, {"title": "Rewritten"}).status_code == 403
    version.refresh_from_db()
    assert version.target == 22
    assert version.history.count() == 1


# --- Pages and downloads ---


def test_the_page_lists_changes_with_links(system, dataset, client):
    client.force_login(system.commissioner)
    html = client.get(
        reverse("reporting:audit-trail"), {"record": "contract-metric"}
    ).content.decode()
    assert "CON-A EMADM terms from 1 April 2024" in html
    assert reverse(
        "outcomes:contract-metric-history", args=[dataset.a.contract.pk, dataset.a.metric.pk]
    )
    metric_page = client.get(
        reverse(
            "outcomes:contract-metric-history", args=[dataset.a.contract.pk, dataset.a.metric.pk]
        )
    ).content.decode()
    assert f"?record=contract-metric&amp;id={dataset.a.contract_metric.pk}" in metric_page


def test_the_csv_download_escapes_formulas(system, dataset, client):
    set_action_status(
        user=system.network_manager_a,
        action=dataset.a.action,
        status="dropped",
        reason='=HYPERLINK("http://example.invalid")',
    )
    client.force_login(system.commissioner)
    response = client.get(reverse("reporting:audit-trail"), {"record": "action", "download": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.startswith("When,Who,Their organisations,Kind of record")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


# --- Pages: keyset, older and newer ---


def walk(client, url, link, entries):
    """Every page from `url` on, following `link` ("next" or "previous").
    A trail of `entries` entries has at most that many pages (each holds at
    least one), so a walk that goes on longer, or comes back to a page it
    has read, repeats pages: it fails rather than loop for ever."""
    pages, seen = [], set()
    while url:
        assert url not in seen, f"The {link} link repeats a page already read: {url}"
        assert len(pages) < entries, f"More than {entries} pages for {entries} entries: {url}"
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        pages.append(response.json())
        url = pages[-1][link]
    return pages


def entry_keys(results):
    return [(e["kind"], e["object_id"], e["when"], e["change"], e["what"]) for e in results]


@pytest.fixture
def tied(system, dataset):
    """Changes of several kinds, many of them at one and the same time."""
    for numerator in (31, 32, 33, 34):
        submit_value(system.network_manager_a, dataset.a.metric, numerator)
    set_action_status(user=system.network_manager_a, action=dataset.a.action, status="in_progress")
    moment = timezone.now() - dt.timedelta(days=1)
    Measurement.objects.filter(organisation=system.pa1).update(recorded_at=moment)
    ContractMetric.history.all().update(history_date=moment)
    return moment


def test_pages_follow_each_other_without_gaps_or_repeats(system, tied, client, monkeypatch):
    client.force_login(system.admin)
    everything = entry_keys(trail(client)["results"])
    assert len(everything) == len(set(everything)) > 8
    assert sum(entry[2] == tied.isoformat().replace("+00:00", "Z") for entry in everything) > 4

    monkeypatch.setattr("reporting.api.audit.PAGE_SIZE", 3)
    older = walk(client, API, "next", len(everything))
    assert [e for page in older for e in entry_keys(page["results"])] == everything
    assert older[0]["previous"] is None and older[-1]["next"] is None
    assert all(len(page["results"]) == 3 for page in older[:-1])

    # Back from the last page by "previous": the same pages in reverse.
    newer = walk(client, older[-1]["previous"], "previous", len(everything))
    assert [entry_keys(p["results"]) for p in newer] == [
        entry_keys(p["results"]) for p in reversed(older[:-1])
    ]


def test_equal_times_go_by_kind_then_newest_row_first(system, tied, client):
    client.force_login(system.admin)
    at_the_moment = [
        (e["kind"], e["object_id"])
        for e in trail(client)["results"]
        if dt.datetime.fromisoformat(e["when"]) == tied
    ]
    kinds = [kind for kind, _ in at_the_moment]
    assert kinds == sorted(kinds) and {"contract-metric", "measurement"} <= set(kinds)
    revisions = [row for kind, row in at_the_moment if kind == "measurement"]
    assert revisions == sorted(revisions, reverse=True)


def test_the_page_links_older_and_newer_changes(system, tied, client, monkeypatch):
    monkeypatch.setattr("reporting.views.audit.PAGE_SIZE", 2)
    client.force_login(system.commissioner)
    first = client.get(reverse("reporting:audit-trail"), {"record": "measurement"}).content.decode()
    assert "Newer changes" not in first and "Older changes" in first
    older = re.search(r'href="\?record=measurement&amp;older=([^"]+)"', first).group(1)

    second = client.get(reverse("reporting:audit-trail"), {"record": "measurement", "older": older})
    html = second.content.decode()
    assert "Newer changes" in html and "back to the newest" in html
    assert re.search(r'href="\?record=measurement&amp;newer=[^"]+"', html)
    download = client.get(
        reverse("reporting:audit-trail"),
        {"record": "measurement", "older": older, "download": "csv"},
    )
    assert download["Content-Type"].startswith("text/csv")


@pytest.fixture
def tied_at_a_stored_time(system, dataset):
    """Ties at a time the database wrote: the measurements of one submission
    share the time it stored them at (Measurement.recorded_at's default),
    and history rows of kinds either side of "measurement" in a to z order
    are moved to that very time."""
    moment = Measurement.objects.latest("id").recorded_at
    Action.history.update(history_date=moment)
    ContractMetric.history.update(history_date=moment)
    Settlement.history.update(history_date=moment)
    NoticeEvent.objects.update(recorded_at=moment)
    return moment


def trail_order(item):
    """The trail's order: newest first, then kinds a to z, then newest row first."""
    return (-((item["at"] - EPOCH) // dt.timedelta(microseconds=1)), item["kind"], -item["row"])


def read_every_page(user, size, entries, cursor=None):
    """The pages from `cursor` on (the first page if None), following the
    cursors a page links, each through its token as a link carries it. At
    most `entries` pages: a cursor that comes again fails the walk."""
    newer = cursor is not None and cursor.newer
    pages, tokens = [], set()
    while True:
        page = audit_trail.read_page(user, audit_trail.Filters(), size, cursor)
        pages.append(page.items)
        cursor = page.newer if newer else page.older
        if cursor is None:
            return pages
        assert cursor.token not in tokens, f"Cursor {cursor.token} comes again"
        assert len(pages) < entries, f"More than {entries} pages for {entries} entries"
        tokens.add(cursor.token)
        cursor = audit_trail.Cursor.parse(cursor.token, newer=newer)


@pytest.mark.parametrize("size", [1, 2, 5])
def test_every_page_older_and_newer_holds_each_entry_once_in_order(
    system, tied_at_a_stored_time, size
):
    everything = audit_trail.read_page(system.admin, audit_trail.Filters(), 1000).items
    assert len(everything) < 1000
    at_the_moment = [item["kind"] for item in everything if item["at"] == tied_at_a_stored_time]
    assert at_the_moment.count("measurement") > 1
    assert {"action", "contract-metric", "notice-step", "settlement"} <= set(at_the_moment)
    in_order = sorted(everything, key=trail_order)
    assert everything == in_order

    older = read_every_page(system.admin, size, len(everything))
    assert [item for page in older for item in page] == in_order
    assert all(len(page) == size for page in older[:-1])

    # Newer from the last page: the same pages back to the first.
    newer = read_every_page(
        system.admin, size, len(everything), audit_trail.Cursor.of(older[-1][0], newer=True)
    )
    assert newer == list(reversed(older[:-1]))


def test_a_stored_time_compares_equal_to_itself(system, dataset):
    """What a cursor's comparisons rest on: on SQLite, where datetimes are
    compared as text, the database's default writes them as Django does."""
    latest = Measurement.objects.latest("id")
    revisions = Measurement.objects.filter(pk=latest.pk)
    assert revisions.filter(recorded_at=latest.recorded_at).exists()
    assert not revisions.filter(recorded_at__lt=latest.recorded_at).exists()


def test_a_cursor_that_names_no_entry_is_a_404(system, client):
    client.force_login(system.commissioner)
    for query in (
        {"older": "nonsense"},
        {"newer": "1.nothing.2"},
        {"older": "x.action.1"},
        # A time past the calendar's end, a row no key can hold: these were 500s.
        {"newer": "99999999999999999999.measurement.1"},
        {"older": "-99999999999999999999.measurement.1"},
        {"older": "1.measurement.99999999999999999999"},
        {"older": "1.measurement.0"},
    ):
        assert client.get(reverse("reporting:audit-trail"), query).status_code == 404
        response = client.get(API, query)
        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid cursor."}


@pytest.mark.parametrize(
    "name,label,value",
    [("until", "Changed by", "9999-12-31"), ("since", "Changed from", "0001-01-01")],
)
def test_a_date_outside_2000_to_2100_is_an_error_naming_the_filter(
    system, client, name, label, value
):
    """?until=9999-12-31 was a 500 (the day after it is past the calendar)."""
    client.force_login(system.commissioner)
    message = f"{label} must be in the years 2000 to 2100."
    response = client.get(API, {name: value})
    assert response.status_code == 400
    assert response.json() == {name: [message]}
    page = client.get(reverse("reporting:audit-trail"), {name: value})
    assert page.status_code == 200
    assert message in page.content.decode()


# --- Query counts ---


def test_a_page_costs_a_fixed_number_of_queries(
    system, dataset, client, django_assert_max_num_queries
):
    client.force_login(system.commissioner)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(reverse("reporting:audit-trail")).status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(API).status_code == 200

    # More changes of every kind, so a page holds all seven kinds.
    a = dataset.a
    for numerator in (31, 32, 33):
        submit_value(system.network_manager_a, a.metric, numerator)
    for status in ("in_progress", "open", "in_progress"):
        set_action_status(
            user=system.network_manager_a, action=a.action, status=status, reason="Reopened"
        )
    notices.record_meeting(
        user=system.commissioner,
        notice=a.notice,
        held_on=dt.date(2026, 3, 9),
        outcome="joint_investigation",
        reason="Look into it.",
    )
    incentives.sign_off(user=system.commissioner, settlement=a.settlement)
    incentives.create_scheme_version(
        user=system.commissioner,
        contract=a.contract,
        **scheme_fields(a.metric, effective_from_year=2),
        reason="Year two",
    )
    contract_terms.add_version(
        user=system.commissioner,
        contract=a.contract,
        metric=a.metric,
        effective_from=dt.date(2025, 4, 1),
        minimum_threshold=30,
        target=20,
        reason="Year two",
    )
    with django_assert_max_num_queries(MAX_QUERIES):
        html = client.get(reverse("reporting:audit-trail")).content.decode()
    for label in ("Measurement", "Dialogue action", "Notice step", "Settlement"):
        assert f"{label}:" in html
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(API).status_code == 200


# Session and user (2), the person's roles (1), their data scope (1), the
# contract choices (1),
# the page (1), a query per kind on the page (7), the people and their
# organisations (2).
MAX_QUERIES = 15
