"""The commissioner's data review: completeness and timeliness per
organisation and period, and accepting, querying and unlocking a period."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.choices import Side
from outcomes import selectors
from outcomes.choices import Channel, MetricType, ReviewStatus, SubmissionStatus
from outcomes.models import ContractMetric, PeriodReview, Submission
from outcomes.services import reviews
from outcomes.services.submissions import submit
from tests.factories import MetricFactory, OrganisationFactory, add_member

D = dt.date
PERIOD = D(2026, 9, 1)  # due 20 October 2026 (period end + 20 days)
HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"
URL = "/contracts/{}/data/"


def at(day, hour=12):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def add_metric(contract, code, **extra):
    metric = MetricFactory(
        code=code, metric_type=MetricType.PROPORTION, factor=100, name=f"Metric {code}", **extra
    )
    ContractMetric.objects.create(
        contract=contract,
        metric=metric,
        effective_from=contract.start_date,
        minimum_threshold=50,
        target=40,
    )
    return metric


def send(user, rows, when=None):
    submission = submit(
        user=user,
        content=(HEADER + "".join(f"{row}\n" for row in rows)).encode(),
        name="data.csv",
        channel=Channel.WEB,
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors
    if when is not None:
        Submission.objects.filter(pk=submission.pk).update(created_at=when)
    return submission


@pytest.fixture
def small(system):
    """CON-A (network A: PA1, PA2) with two monthly metrics. For September
    2026: PA1 sent M1 on time and M2 late; PA2 sent nothing."""
    contract = system.contract_a
    add_metric(contract, "M1")
    add_metric(contract, "M2")
    send(system.provider_a, ["M1,PA1,2026-09-01,1,2,"], at(D(2026, 10, 20)))
    send(system.provider_a, ["M2,PA1,2026-09-01,1,2,"], at(D(2026, 10, 21)))
    return contract


def test_completeness_and_timeliness_hand_computed(system, small):
    rows = selectors.completeness(small, [PERIOD], today=D(2026, 11, 23))
    by_code = {row.organisation.code: row for row in rows}
    assert list(by_code) == ["PA1", "PA2"]  # the members, not the network
    pa1, pa2 = by_code["PA1"], by_code["PA2"]
    assert (pa1.expected, pa1.arrived, pa1.on_time, pa1.late, pa1.missing) == (2, 2, 1, 1, 0)
    assert (pa2.expected, pa2.arrived, pa2.on_time, pa2.late, pa2.missing) == (2, 0, 0, 0, 2)
    assert pa1.items[0].due == D(2026, 10, 20)
    assert pa1.items[0].arrived_at == at(D(2026, 10, 20))
    assert (pa1.completeness, pa1.timeliness) == (100, 50)
    assert (pa2.completeness, pa2.timeliness) == (0, 0)
    totals = selectors.OrganisationPeriod(
        organisation=None, period_start=PERIOD, today=D(2026, 11, 23)
    )
    totals.items = [item for row in rows for item in row.items]
    assert (totals.completeness, totals.timeliness) == (50, 25)


def test_not_yet_due_is_not_missing(system, small):
    rows = selectors.completeness(small, [PERIOD], today=D(2026, 10, 5))
    pa2 = rows[1]
    assert (pa2.missing, pa2.not_due_yet) == (0, 2)
    # Nothing was due yet: no percentage, not 0%.
    assert (pa2.completeness, pa2.timeliness) == (None, None)


def test_first_arrival_counts_for_timeliness(system, small):
    send(system.provider_a, ["M1,PA1,2026-09-01,2,3,"], at(D(2026, 11, 1)))
    pa1 = selectors.completeness(small, [PERIOD], today=D(2026, 11, 23))[0]
    first = pa1.items[0]
    assert first.on_time and first.revised_at == at(D(2026, 11, 1))


def test_what_is_expected_follows_terms_frequency_and_side(system):
    contract = system.contract_a
    add_metric(contract, "MONTHLY")
    add_metric(contract, "QUARTER", frequency="quarterly", aggregation="pooled")
    add_metric(contract, "ICB", submitted_by=Side.COMMISSIONER)
    late_start = MetricFactory(code="LATER", metric_type=MetricType.PROPORTION, factor=100)
    ContractMetric.objects.create(
        contract=contract,
        metric=late_start,
        effective_from=D(2026, 11, 1),
        minimum_threshold=50,
        target=40,
    )
    october, september = D(2026, 10, 1), D(2026, 9, 1)
    rows = selectors.completeness(contract, [september, october], today=D(2026, 12, 31))
    codes = {
        (row.organisation.code, row.period_start): [item.metric.code for item in row.items]
        for row in rows
    }
    assert codes == {
        ("PA1", october): ["MONTHLY", "QUARTER"],
        ("PA2", october): ["MONTHLY", "QUARTER"],
        ("QCOM", october): ["ICB"],
        ("PA1", september): ["MONTHLY"],
        ("PA2", september): ["MONTHLY"],
        ("QCOM", september): ["ICB"],
    }
    quarter = rows[0].items[1]
    assert quarter.due == D(2026, 12, 31) + dt.timedelta(days=20)


def test_a_provider_contract_expects_the_provider(system):
    from tests.factories import ContractFactory

    contract = ContractFactory(commissioner=system.commissioner_org, provider=system.pb1)
    add_metric(contract, "M1")
    rows = selectors.completeness(contract, [PERIOD], today=D(2026, 11, 23))
    assert [row.organisation.code for row in rows] == ["PB1"]


def test_completeness_costs_a_fixed_number_of_queries(system, small):
    with CaptureQueriesContext(connection) as queries:
        selectors.completeness(small, [PERIOD, D(2026, 8, 1)], today=D(2026, 11, 23))
    assert len(queries) == 5


# --- Reviews ---


def test_review_transitions(system, small):
    user, pa1 = system.commissioner, system.pa1
    review = reviews.review_period(user, small, pa1, PERIOD, "query", "M2 looks low")
    assert (review.status, review.comment, review.reviewed_by) == (
        ReviewStatus.QUERIED,
        "M2 looks low",
        user,
    )
    review = reviews.review_period(user, small, pa1, PERIOD, "accept", "")
    assert review.status == ReviewStatus.ACCEPTED
    review = reviews.review_period(user, small, pa1, PERIOD, "unlock", "A correction is due")
    assert review.status == ReviewStatus.UNLOCKED
    assert PeriodReview.objects.count() == 1
    history = list(review.history.order_by("history_date"))
    assert [h.status for h in history] == ["queried", "accepted", "unlocked"]
    assert {h.history_user for h in history} == {user}


@pytest.mark.parametrize(
    ("decision", "comment", "field", "message"),
    [
        ("query", "  ", "comment", "Enter a comment"),
        ("unlock", "", "comment", "Enter the reason"),
        ("unlock", "please", "decision", "Only an accepted period can be unlocked"),
        ("approve", "", "decision", "Choose accept, query or unlock"),
    ],
)
def test_review_errors(system, small, decision, comment, field, message):
    with pytest.raises(ValidationError) as error:
        reviews.review_period(system.commissioner, small, system.pa1, PERIOD, decision, comment)
    assert message in error.value.message_dict[field][0]
    assert not PeriodReview.objects.exists()


def test_accepting_twice_and_querying_a_locked_period_are_refused(system, small):
    reviews.review_period(system.commissioner, small, system.pa1, PERIOD, "accept")
    for decision in ("accept", "query"):
        with pytest.raises(ValidationError):
            reviews.review_period(system.commissioner, small, system.pa1, PERIOD, decision, "x")


def test_review_of_an_organisation_or_month_outside_the_contract_is_refused(system, small):
    with pytest.raises(ValidationError) as error:
        reviews.review_period(system.commissioner, small, system.pb1, PERIOD, "accept")
    assert "organisation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        reviews.review_period(system.commissioner, small, system.pa1, D(2040, 1, 1), "accept")
    assert "period_start" in error.value.message_dict


@pytest.mark.parametrize("role", ["network_manager_a", "provider_a", "lay_partner", "outsider"])
def test_only_the_commissioner_reviews(system, small, role):
    with pytest.raises(PermissionDenied):
        reviews.review_period(getattr(system, role), small, system.pa1, PERIOD, "accept")


def test_admin_may_review(system, small):
    review = reviews.review_period(system.admin, small, system.pa1, PERIOD, "accept")
    assert review.reviewed_by == system.admin


# --- The page ---


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("commissioner", 200),
        ("network_manager_a", 200),
        ("provider_a", 403),
        ("provider_b", 404),
        ("lay_partner", 403),
        ("outsider", 403),
        ("admin", 200),
        ("anonymous", 302),
    ],
)
def test_data_page_for_every_role(client, system, small, role, status):
    if role != "anonymous":
        client.force_login(getattr(system, role))
    response = client.get(URL.format(small.pk) + "?period=2026-09")
    assert response.status_code == status
    if status != 200:
        return
    html = response.content.decode()
    assert "Data submitted for September 2026" in html
    assert "Provider A1" in html and "Provider A2" in html
    assert ">50%<" in html and ">25%<" in html  # the totals
    assert ">100%<" in html
    can_review = role in ("commissioner", "admin")
    assert ("Save decision" in html) == can_review


def test_data_page_shows_each_metric_and_links_to_its_revisions(client, system, small):
    client.force_login(system.commissioner)
    html = client.get(URL.format(small.pk) + "?period=2026-09").content.decode()
    assert "?metric=M1&amp;organisation=PA1&amp;period=2026-09-01" in html
    assert ">Late<" in html and ">On time<" in html and ">Missing<" in html
    # PA2 sent nothing: accepting it is allowed but warned about.
    assert "Nothing has been submitted for this period." in html


def test_data_page_period_picker(client, system, small):
    client.force_login(system.commissioner)
    response = client.get(URL.format(small.pk))
    months = response.context["months"]
    today = timezone.localdate()
    assert months[0] == today.replace(day=1) and months[-1] == small.start_date
    assert response.context["period"] == months[1]  # the last month that has ended
    assert client.get(URL.format(small.pk) + "?period=1999-01").context["period"] == months[1]


def test_contract_page_links_to_the_data_review(client, system, small):
    client.force_login(system.commissioner)
    html = client.get(reverse("outcomes:contract-detail", args=[small.pk])).content.decode()
    assert URL.format(small.pk) in html


def post_review(client, contract, organisation, decision, comment="", period="2026-09"):
    prefix = f"org-{organisation.pk}"
    return client.post(
        URL.format(contract.pk) + f"?period={period}",
        {
            "organisation": organisation.pk,
            "period": period,
            f"{prefix}-decision": decision,
            f"{prefix}-comment": comment,
        },
    )


def test_query_without_comment_shows_an_error_summary(client, system, small):
    client.force_login(system.commissioner)
    response = post_review(client, small, system.pa1, "query")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#id_org-{system.pa1.pk}-comment"' in html
    assert "Enter a comment saying what needs to be looked at." in html
    assert not PeriodReview.objects.exists()


def test_unlock_of_a_period_not_accepted_shows_an_error(client, system, small):
    client.force_login(system.commissioner)
    response = post_review(client, small, system.pa1, "unlock", "because")
    html = response.content.decode()
    assert "Only an accepted period can be unlocked" in html
    # The summary links to the decision's fieldset.
    assert f'href="#id_org-{system.pa1.pk}-decision"' in html
    assert f'id="id_org-{system.pa1.pk}-decision"' in html


def test_network_manager_cannot_post_a_review(client, system, small):
    client.force_login(system.network_manager_a)
    assert post_review(client, small, system.pa1, "accept").status_code == 403
    assert not PeriodReview.objects.exists()


def test_accept_locks_then_unlock_reopens_the_period_end_to_end(
    client, system, small, django_capture_on_commit_callbacks
):
    client.force_login(system.commissioner)
    response = post_review(client, small, system.pa1, "accept")
    assert response.status_code == 302
    assert response.url == URL.format(small.pk) + "?period=2026-09"
    page = client.get(response.url).content.decode()
    assert "Provider A1, September 2026: accepted (locked)." in page
    assert "Unlock the period for resubmission" in page

    def upload():
        client.force_login(system.provider_a)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("outcomes:submission-create"),
                {
                    "file": SimpleUploadedFile(
                        "fix.csv", (HEADER + "M1,PA1,2026-09-01,2,3,\n").encode(), "text/csv"
                    )
                },
            )
        return Submission.objects.latest("pk")

    rejected = upload()
    assert rejected.status == SubmissionStatus.REJECTED
    html = client.get(reverse("outcomes:submission-detail", args=[rejected.pk])).content.decode()
    assert "accepted and locked this period" in html

    client.force_login(system.commissioner)
    assert post_review(client, small, system.pa1, "unlock", "Correction agreed").status_code == 302
    stored = upload()
    assert stored.status == SubmissionStatus.STORED
    assert (stored.added, stored.revised) == (0, 1)


def grow(system, contract, providers, metrics):
    """Add member providers and metrics, with a value for each in September."""
    codes = [add_metric(contract, f"X{n}").code for n in range(metrics)]
    orgs = []
    for n in range(providers):
        org = OrganisationFactory(code=f"PX{n}", name=f"Provider X{n}")
        add_member(system.network_a, org)
        orgs.append(org)
    rows = [f"{code},{org.code},2026-09-01,1,2," for code in codes for org in orgs]
    send(system.admin, rows, at(D(2026, 10, 1)))
    for org in orgs:
        reviews.review_period(system.commissioner, contract, org, PERIOD, "query", "Check")


def test_data_page_costs_a_fixed_number_of_queries(client, system, small):
    client.force_login(system.commissioner)
    url = URL.format(small.pk) + "?period=2026-09"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(system, small, providers=6, metrics=5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 8
    assert len(few) == len(many) <= 15, [q["sql"] for q in many.captured_queries]
