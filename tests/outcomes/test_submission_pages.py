"""The pages for submitting data, following a submission, reading a value's
revisions and browsing outcomes and metrics, for every role."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.choices import Side
from contracts.models import PopulationGroup
from outcomes.choices import Channel, MetricType, SubmissionStatus
from outcomes.models import Measurement, Outcome, Submission, Variation
from outcomes.services.submissions import submit
from tests.factories import DimensionFactory, MetricFactory

HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"
ROLES = [
    "commissioner",
    "network_manager_a",
    "provider_a",
    "provider_b",
    "lay_partner",
    "outsider",
    "admin",
    "anonymous",
]
SUBMITTERS = {"commissioner", "network_manager_a", "provider_a", "provider_b", "admin"}


def last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


PERIOD = f"{last_month():%Y-%m-%d}"


@pytest.fixture
def prop(db):
    return MetricFactory(
        code="PROP",
        name="People seen within 2 weeks",
        metric_type=MetricType.PROPORTION,
        factor=100,
    )


def sign_in_as(client, system, role):
    if role != "anonymous":
        client.force_login(getattr(system, role))


def upload(client, text, name="data.csv"):
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("outcomes:submission-create"),
        {"file": SimpleUploadedFile(name, content, "text/csv")},
    )


@pytest.fixture
def uploaded(client, django_capture_on_commit_callbacks):
    """Upload through the page; the eager task runs on commit, as in production."""

    def _upload(text, name="data.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(client, text, name)
        assert response.status_code == 302, response.content.decode()[:2000]
        return response, Submission.objects.latest("pk")

    return _upload


# --- Upload page ---


@pytest.mark.parametrize("role", ROLES)
def test_upload_page_for_every_role(client, system, role):
    sign_in_as(client, system, role)
    response = client.get(reverse("outcomes:submission-create"))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response.url
    elif role in SUBMITTERS:
        assert response.status_code == 200
        html = response.content.decode()
        assert 'enctype="multipart/form-data"' in html
        for column in ("metric_code", "organisation_code", "period_start", "denominator"):
            assert column in html
        assert reverse("outcomes:submission-example") in html
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_navigation_items_follow_the_role(client, system, role):
    sign_in_as(client, system, role)
    html = client.get(reverse("reporting:scorecard-list")).content.decode()
    assert ('href="/submissions/new/"' in html) == (role in SUBMITTERS)
    assert ('href="/outcomes/"' in html) == (role in SUBMITTERS)


def test_example_csv_has_the_columns_and_parses(client, system, prop):
    client.force_login(system.provider_a)
    response = client.get(reverse("outcomes:submission-example"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert text.startswith(HEADER)
    assert f"PROP,PA1,{PERIOD},45,50," in text


def test_good_csv_is_stored_and_the_result_shows_at_once(client, system, prop, uploaded):
    client.force_login(system.network_manager_a)
    response, submission = uploaded(
        HEADER + f"PROP,PA1,{PERIOD},45,50,\nPROP,PA2,{PERIOD},30,40,\n", "september.csv"
    )
    assert response.url == reverse("outcomes:submission-detail", args=[submission.pk])
    assert submission.channel == Channel.WEB
    assert submission.status == SubmissionStatus.STORED
    assert submission.original_name == "september.csv"
    page = client.get(response.url)
    html = page.content.decode()
    assert "2 rows added, 0 revised and 0 unchanged" in html
    assert "nhsuk-error-summary" not in html
    assert "status-poll.js" not in html  # finished: nothing to poll
    assert Measurement.objects.filter(submission=submission).count() == 2


def test_bad_csv_lists_every_error_with_row_and_column(client, system, prop, uploaded):
    client.force_login(system.provider_a)
    _, submission = uploaded(
        HEADER
        + f"PROP,PA1,{PERIOD},45,50,\n"
        + f"NOPE,PA1,{PERIOD},1,2,\n"
        + f"PROP,PA1,{last_month():%Y-%m}-15,1,0,\n"
    )
    assert submission.status == SubmissionStatus.REJECTED
    assert Measurement.objects.count() == 0
    response = client.get(reverse("outcomes:submission-detail", args=[submission.pk]))
    html = response.content.decode()
    assert "There is a problem: nothing was stored" in html
    assert 'class="nhsuk-error-summary"' in html
    assert "Error: Submission" in html  # the title says so too
    for error in submission.errors:
        assert error["message"] in html or error["message"].replace("'", "&#x27;") in html
        assert f"Row {error['row']}, column {error['column']}" in html
    rows = {(e["row"], e["column"]) for e in submission.errors}
    assert (3, "metric_code") in rows
    assert {r for r, _ in rows} == {3, 4}
    assert "<code>metric_code</code>" in html


def test_a_file_that_cannot_be_read_is_explained(client, system, uploaded):
    client.force_login(system.provider_a)
    _, submission = uploaded("metric,org\nA,B\n")
    html = client.get(reverse("outcomes:submission-detail", args=[submission.pk])).content.decode()
    assert "Whole file" in html
    assert "The header row is wrong" in html


def test_missing_file_is_an_error_on_the_form(client, system):
    client.force_login(system.provider_a)
    response = client.post(reverse("outcomes:submission-create"), {})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a CSV file to upload." in html
    assert 'href="#id_file"' in html
    assert Submission.objects.count() == 0


def test_an_over_size_file_is_refused_with_the_service_message(client, system, settings):
    settings.SUBMISSION_MAX_BYTES = 1000
    # Below Django's own limits too: the body is streamed to disk, never a crash.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 500
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 500
    client.force_login(system.provider_a)
    response = upload(client, HEADER + "PROP,PA1,2026-01-01,1,2,\n" * 200)
    assert response.status_code == 200
    html = response.content.decode()
    assert "the most Concord accepts is 1000" in html
    assert "Split it into smaller files." in html
    assert Submission.objects.count() == 0


def test_an_over_size_file_at_the_default_limit_does_not_crash(client, system, prop):
    client.force_login(system.provider_a)
    big = HEADER.encode() + b"x" * 10_000_001
    response = upload(client, big)
    assert response.status_code == 200
    assert "Split it into smaller files." in response.content.decode()


def test_the_service_refusal_shows_on_the_submission_page(client, system):
    # A submission the service refused (e.g. through the API) reads the same way.
    client.force_login(system.provider_a)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("outcomes.services.submissions.max_upload_bytes", lambda: 10)
        submission = submit(
            user=system.provider_a, content=b"x" * 20, name="big.csv", channel=Channel.API
        )
    html = client.get(reverse("outcomes:submission-detail", args=[submission.pk])).content.decode()
    assert "Split it into smaller files." in html and "Whole file" in html


# --- A submission's page and status.json ---


def received_submission(system, user=None):
    user = user or system.provider_a
    from outcomes.services.submissions import receive

    return receive(
        user=user,
        content=(HEADER + f"PROP,PA1,{PERIOD},1,2,\n").encode(),
        name="a.csv",
        channel=Channel.WEB,
    )


def test_an_unfinished_submission_polls_and_works_without_javascript(client, system, prop):
    submission = received_submission(system)
    client.force_login(system.provider_a)
    html = client.get(reverse("outcomes:submission-detail", args=[submission.pk])).content.decode()
    assert "js/status-poll.js" in html
    assert f'data-status-url="/submissions/{submission.pk}/status.json"' in html
    assert "<noscript>" in html and ">Refresh</a>" in html
    assert "Checking the rows" in html and "nhsuk-task-list" in html
    assert "<script>" not in html  # no inline code: the CSP will forbid it


def test_status_json_reports_the_stage_and_counts(client, system, prop):
    submission = received_submission(system)
    client.force_login(system.provider_a)
    url = reverse("outcomes:submission-status", args=[submission.pk])
    data = client.get(url).json()
    assert data["status"] == "received" and data["finished"] is False
    assert data["label"] == "Received"
    from outcomes.services.submissions import process

    process(submission)
    response = client.get(url)
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data == {
        "id": submission.pk,
        "status": "stored",
        "label": "Stored",
        "finished": True,
        "counts": {"rows": 1, "added": 1, "revised": 0, "unchanged": 0, "errors": 0, "warnings": 0},
    }


@pytest.mark.parametrize("role", ROLES)
def test_submission_pages_are_scoped(client, system, prop, role):
    """A network A submission: its submitter, network A's manager and
    commissioner see it; network B, lay partners and outsiders get 404."""
    submission = submit(
        user=system.provider_a,
        content=(HEADER + f"PROP,PA1,{PERIOD},1,2,\n").encode(),
        name="a.csv",
        channel=Channel.WEB,
    )
    sign_in_as(client, system, role)
    visible = role in {"commissioner", "network_manager_a", "provider_a", "admin"}
    for name in ("outcomes:submission-detail", "outcomes:submission-status"):
        response = client.get(reverse(name, args=[submission.pk]))
        if role == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == (200 if visible else 404), (name, role)


def network_submission_with_outliers(system):
    """Network A's manager submits a year of values for PA1 and PA2, then a
    month far from both histories: one outlier warning about each."""
    history = "".join(
        f"PROP,{code},2024-{month:02d}-01,{40 + month % 3},50,\n"
        for code in ("PA1", "PA2")
        for month in range(1, 13)
    )
    for text in (history, "PROP,PA1,2025-01-01,5,50,\nPROP,PA2,2025-01-01,5,50,\n"):
        submission = submit(
            user=system.network_manager_a,
            content=(HEADER + text).encode(),
            name="a.csv",
            channel=Channel.WEB,
        )
    assert [w["row"] for w in submission.warnings] == [2, 3]
    return submission


@pytest.mark.parametrize(
    "role,shown",
    [
        ("provider_a", ["PA1"]),
        ("network_manager_a", ["PA1", "PA2"]),
        ("commissioner", ["PA1", "PA2"]),
        ("admin", ["PA1", "PA2"]),
    ],
)
def test_outlier_warnings_show_only_organisations_the_reader_may_see(
    client, system, prop, role, shown
):
    """A provider may read a network manager's submission that holds its
    rows, but not the warnings about the network's other members."""
    submission = network_submission_with_outliers(system)
    sign_in_as(client, system, role)
    html = client.get(reverse("outcomes:submission-detail", args=[submission.pk])).content.decode()
    for code in ("PA1", "PA2"):
        assert (f"PROP for {code} in 2025-01-01" in html) == (code in shown), code
    status = client.get(reverse("outcomes:submission-status", args=[submission.pk])).json()
    assert status["counts"]["warnings"] == len(shown)


# --- The list ---


@pytest.mark.parametrize("role", ROLES)
def test_submission_list_for_every_role(client, system, prop, role):
    mine = submit(
        user=system.provider_a,
        content=(HEADER + f"PROP,PA1,{PERIOD},1,2,\n").encode(),
        name="a1.csv",
        channel=Channel.WEB,
    )
    theirs = submit(
        user=system.provider_b,
        content=(HEADER + f"PROP,PB1,{PERIOD},1,2,\n").encode(),
        name="b1.csv",
        channel=Channel.WEB,
    )
    sign_in_as(client, system, role)
    response = client.get(reverse("outcomes:submission-list"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    if role in ("lay_partner", "outsider"):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = {s.pk for s in response.context["object_list"]}
    expected = {
        "commissioner": {mine.pk},
        "network_manager_a": {mine.pk},
        "provider_a": {mine.pk},
        "provider_b": {theirs.pk},
        "admin": {mine.pk, theirs.pk},
    }[role]
    assert shown == expected


def make_submissions(user, count):
    for n in range(count):
        Submission.objects.create(
            submitted_by=user,
            channel=Channel.API,
            original_name=f"file-{n}.csv",
            sha256=f"{n:064d}",
            status=SubmissionStatus.STORED,
        )


def test_submission_list_is_newest_first_and_paginated(client, system):
    make_submissions(system.provider_a, 55)
    client.force_login(system.provider_a)
    response = client.get(reverse("outcomes:submission-list"))
    names = [s.original_name for s in response.context["object_list"]]
    assert len(names) == 50 and names[0] == "file-54.csv"
    assert "Older" in response.content.decode()
    second = client.get(reverse("outcomes:submission-list") + "?page=2")
    assert [s.original_name for s in second.context["object_list"]][-1] == "file-0.csv"


def test_submission_list_costs_a_fixed_number_of_queries(client, system):
    client.force_login(system.provider_a)
    url = reverse("outcomes:submission-list")
    make_submissions(system.provider_a, 3)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    make_submissions(system.provider_a, 40)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large) <= 8, [q["sql"] for q in large.captured_queries]


# --- Measurement revisions ---


def test_history_shows_every_revision_with_who_and_when(client, system, prop):
    first = submit(
        user=system.provider_a,
        content=(HEADER + f"PROP,PA1,{PERIOD},1,2,\n").encode(),
        name="a.csv",
        channel=Channel.WEB,
    )
    second = submit(
        user=system.network_manager_a,
        content=(HEADER + f"PROP,PA1,{PERIOD},3,4,\n").encode(),
        name="b.csv",
        channel=Channel.WEB,
    )
    client.force_login(system.commissioner)
    url = reverse("outcomes:measurement-history") + f"?metric=PROP&organisation=PA1&period={PERIOD}"
    response = client.get(url)
    assert response.status_code == 200
    revisions = response.context["revisions"]
    assert [(m.revision, m.is_current, m.submission_id) for m in revisions] == [
        (2, True, second.pk),
        (1, False, first.pk),
    ]
    html = response.content.decode()
    assert "nm_a" in html and "provider_a" in html and "Current" in html
    assert "75" in html and "50" in html  # 3/4 and 1/2 as percentages


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("commissioner", 200),
        ("network_manager_a", 200),
        ("provider_a", 200),
        ("provider_b", 404),
        ("lay_partner", 403),
        ("outsider", 403),
        ("admin", 200),
        ("anonymous", 302),
    ],
)
def test_history_is_scoped(client, system, prop, role, status):
    submit(
        user=system.provider_a,
        content=(HEADER + f"PROP,PA1,{PERIOD},1,2,\n").encode(),
        name="a.csv",
        channel=Channel.WEB,
    )
    sign_in_as(client, system, role)
    url = reverse("outcomes:measurement-history") + f"?metric=PROP&organisation=PA1&period={PERIOD}"
    assert client.get(url).status_code == status


@pytest.mark.parametrize("query", ["", "?metric=PROP&organisation=PA1&period=junk", "?metric=X"])
def test_history_of_nothing_is_404(client, system, prop, query):
    client.force_login(system.admin)
    assert client.get(reverse("outcomes:measurement-history") + query).status_code == 404


# --- Outcomes and metrics ---


@pytest.fixture
def catalogue(db):
    older = PopulationGroup.objects.create(name="Older people")
    ltc = PopulationGroup.objects.create(name="People with long-term conditions")
    quality = DimensionFactory(name="Quality of life", description="Living well.")
    care = DimensionFactory(name="Quality of care", description="Safe, joined-up care.")
    independence = Outcome.objects.create(
        name="Living independently", dimension=quality, population_group=older
    )
    control = Outcome.objects.create(
        name="Conditions under control", dimension=care, population_group=ltc
    )
    return {
        "home": MetricFactory(
            code="HOME91",
            name="Still at home 91 days after discharge",
            description="Older people still living at home three months after leaving hospital.",
            dimension=quality,
            outcome=independence,
            is_national=True,
            metric_type=MetricType.PROPORTION,
            factor=100,
        ),
        "hba1c": MetricFactory(
            code="HBA1C",
            name="Diabetes under control",
            description="People with diabetes whose blood sugar is in range.",
            dimension=care,
            outcome=control,
            submitted_by=Side.COMMISSIONER,
            frequency="quarterly",
        ),
    }


@pytest.mark.parametrize("role", ROLES)
def test_outcome_browser_for_every_role(client, system, catalogue, role):
    sign_in_as(client, system, role)
    response = client.get(reverse("outcomes:outcome-browser"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    if role in ("lay_partner", "outsider"):
        assert response.status_code == 403
        return
    html = response.content.decode()
    assert "Older people still living at home" in html
    assert "Quarterly, submitted by the commissioner" in html
    assert "Monthly, submitted by the provider" in html
    assert "National" in html and "Local" in html
    add_link = reverse("outcomes:outcome-add-metric", args=[catalogue["home"].pk])
    assert (add_link in html) == (role in ("commissioner", "admin"))


def test_outcome_browser_filters_by_dimension_and_population_group(client, system, catalogue):
    client.force_login(system.commissioner)
    group = PopulationGroup.objects.get(name="Older people")
    html = client.get(reverse("outcomes:outcome-browser") + f"?population_group={group.pk}").content
    assert b"HOME91" in html and b"HBA1C" not in html
    dimension = catalogue["hba1c"].dimension
    html = client.get(reverse("outcomes:outcome-browser") + f"?dimension={dimension.pk}").content
    assert b"HBA1C" in html and b"HOME91" not in html
    html = client.get(
        reverse("outcomes:outcome-browser") + "?submitted_by=commissioner&national=local"
    )
    assert b"HBA1C" in html.content and b"HOME91" not in html.content
    html = client.get(reverse("outcomes:outcome-browser") + "?national=national").content
    assert b"HOME91" in html and b"HBA1C" not in html


def test_commissioner_adds_a_metric_with_it_preselected(client, system, catalogue):
    client.force_login(system.commissioner)
    url = reverse("outcomes:outcome-add-metric", args=[catalogue["home"].pk])
    choose = client.get(url)
    assert choose.status_code == 200
    contracts = [c.reference for c in choose.context["contracts"]]
    assert contracts == ["CON-A"]  # CON-B is another commissioner's
    page = client.get(f"{url}?contract={system.contract_a.pk}")
    html = page.content.decode()
    assert f'<option value="{catalogue["home"].pk}" selected>' in html
    # CON-A is agreed: a metric joins it by a variation its network agrees.
    create = reverse("outcomes:variation-create", args=[system.contract_a.pk])
    assert f'action="{create}"' in html
    assert client.get(f"{url}?contract={system.contract_b.pk}").status_code == 404
    response = client.post(
        create,
        {
            "metric": catalogue["home"].pk,
            "effective_from": f"{timezone.localdate():%Y-%m}",
            "minimum_threshold": "80",
            "target": "60",
            "reason": "Home care joins the contract",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    variation = Variation.objects.get(contract=system.contract_a)
    assert variation.metric == catalogue["home"]
    assert not system.contract_a.metric_versions.filter(metric=catalogue["home"]).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("network_manager_a", 403),
        ("provider_a", 403),
        ("lay_partner", 403),
        ("outsider", 403),
        ("admin", 200),
        ("anonymous", 302),
    ],
)
def test_only_commissioners_add_metrics(client, system, catalogue, role, status):
    sign_in_as(client, system, role)
    url = reverse("outcomes:outcome-add-metric", args=[catalogue["home"].pk])
    assert client.get(url).status_code == status
