"""The contract and contract-management pages, for every role."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import notices, services
from contracts.calendar import add_operational_days
from contracts.choices import ContractStatus, MeetingOutcome, NoticeStatus, OrganisationKind
from contracts.models import Contract, ContractYear, NoticeEvent, PerformanceNotice, Withholding
from outcomes.choices import Direction, MetricType
from outcomes.models import ContractMetric, Metric
from outcomes.services import contract_terms
from tests.factories import ContractFactory, MetricFactory, OrganisationFactory

YEAR_VALUE = Decimal("1200000.00")  # £100,000 a month


def make_metric(code):
    return MetricFactory(
        code=code,
        name=f"Metric {code}",
        metric_type=MetricType.PROPORTION,
        factor=100,
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
    )


def add_terms(system, metrics=1):
    """Give CON-A its five years and `metrics` metrics in force from its start."""
    contract = system.contract_a
    for number, (start, end) in enumerate(
        services.contract_year_bounds(contract.start_date, contract.end_date), start=1
    ):
        services.set_contract_year(
            user=system.commissioner,
            contract=contract,
            number=number,
            start_date=start,
            end_date=end,
            contract_value=YEAR_VALUE,
            planned_budget=YEAR_VALUE,
        )
    existing = Metric.objects.count()
    for n in range(metrics):
        contract_terms.add_version(
            user=system.commissioner,
            contract=contract,
            metric=make_metric(f"CM{existing + n:03d}"),
            effective_from=contract.start_date,
            minimum_threshold=70,
            target=90,
            baseline=75,
        )
    return contract


def raise_on(system, contract, by=None, days_ago=0, **kwargs):
    return notices.raise_notice(
        user=by or system.commissioner,
        contract=contract,
        title=kwargs.pop("title", "Falling short"),
        concern="Three months below the minimum threshold.",
        raised_on=timezone.localdate() - dt.timedelta(days=days_ago),
        metrics=[ContractMetric.objects.filter(contract=contract).first().metric],
        **kwargs,
    )


@pytest.fixture
def terms(system):
    return add_terms(system)


@pytest.fixture
def notice(system, terms):
    return raise_on(system, terms)


def pages(system, notice):
    contract = system.contract_a
    metric_id = notice.metrics.first().pk
    return [
        reverse("contracts:contract-list"),
        reverse("outcomes:contract-detail", args=[contract.pk]),
        reverse("outcomes:contract-metric-history", args=[contract.pk, metric_id]),
        reverse("contracts:notice-create", args=[contract.pk]),
        reverse("contracts:notice-detail", args=[notice.pk]),
    ]


# --- Who may open which page ---


@pytest.mark.parametrize(
    "who, expected",
    [
        # contract list, contract page, metric history, raise a notice, notice page
        ("commissioner", [200, 200, 200, 200, 200]),
        ("network_manager_a", [200, 200, 200, 200, 200]),
        ("admin", [200, 200, 200, 200, 200]),
        # A member provider sees its network's contract but is not a party to it.
        ("provider_a", [200, 200, 200, 403, 200]),
        # Another network's provider: the contract and notice are not theirs.
        ("provider_b", [200, 404, 404, 404, 404]),
        ("lay_partner", [403, 403, 403, 403, 403]),
        ("outsider", [403, 403, 403, 403, 403]),
    ],
)
def test_each_role_gets_the_pages_it_may_see(client, system, notice, who, expected):
    client.force_login(getattr(system, who))
    got = [client.get(url).status_code for url in pages(system, notice)]
    assert got == expected


def test_anonymous_visitors_are_sent_to_sign_in(client, system, notice):
    for url in [*pages(system, notice), reverse("contracts:contract-create")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "who, status",
    [
        ("commissioner", 200),
        ("admin", 200),
        ("network_manager_a", 403),
        ("provider_a", 403),
        ("lay_partner", 403),
        ("outsider", 403),
    ],
)
def test_only_commissioners_create_contracts(client, system, who, status):
    client.force_login(getattr(system, who))
    assert client.get(reverse("contracts:contract-create")).status_code == status


def test_contract_list_shows_the_contracts_and_open_notices(client, system, notice):
    client.force_login(system.commissioner)
    response = client.get(reverse("contracts:contract-list"))
    html = response.content.decode()
    assert "CON-A" in html and "CON-B" not in html
    assert "Create a contract" in html
    assert "Network A" in html and "Capitated outcomes-based" in html
    assert response.context["object_list"][0].open_notices == 1
    assert response.context["object_list"][0].year_count == 5

    client.force_login(system.network_manager_a)
    html = client.get(reverse("contracts:contract-list")).content.decode()
    assert "CON-A" in html and "Create a contract" not in html


def test_contract_page_shows_years_metrics_notices_and_timeline(client, system, notice):
    client.force_login(system.network_manager_a)
    response = client.get(reverse("outcomes:contract-detail", args=[system.contract_a.pk]))
    html = response.content.decode()
    assert "£1,200,000.00" in html
    metric = notice.metrics.first()
    assert f"{metric.code}: {metric.name}" in html
    assert (
        reverse("outcomes:contract-metric-history", args=[system.contract_a.pk, metric.pk]) in html
    )
    assert "Falling short" in html
    due = notice.meeting_due
    assert f"Contract management meeting: {due.day} {due:%B %Y}" in html
    assert "Notice raised" in html  # the timeline
    # Only the commissioner may change metric terms.
    assert "Save metric terms" not in html
    assert "Raise a Contract Performance Notice" in html


def test_overdue_meeting_is_tagged_overdue(client, system, terms):
    old = raise_on(system, terms, days_ago=30)
    client.force_login(system.commissioner)
    html = client.get(reverse("outcomes:contract-detail", args=[terms.pk])).content.decode()
    assert f"{old.meeting_due.day} {old.meeting_due:%B %Y}" in html
    assert "nhsuk-tag--red" in html and "Overdue" in html


# --- Creating a contract ---


def contract_post(system, **overrides):
    data = {
        "reference": "CON-NEW",
        "title": "Integrated care for older people",
        "commissioner": system.commissioner_org.pk,
        "provider": system.network_a.pk,
        "service": "Community and intermediate care",
        "population_group": "",
        "start_date": "2025-04-01",
        "end_date": "2027-09-30",
        "payment_model": Contract.PaymentModel.CAPITATED_OUTCOMES,
    }
    data.update(overrides)
    return data


def test_commissioner_creates_a_contract_with_values_for_each_year(client, system):
    client.force_login(system.commissioner)
    url = reverse("contracts:contract-create")
    # Step 1: the dates give three contract years (the last one six months).
    first = client.post(url, {**contract_post(system), "action": "continue"})
    assert first.status_code == 200
    assert len(first.context["years_form"].bounds) == 3
    assert "Year 3 contract value (£), 1 April 2027 to 30 September 2027" in (
        first.content.decode()
    )
    assert not Contract.objects.filter(reference="CON-NEW").exists()
    values = {
        f"year_{n}_{kind}": str(1000 * n + (5 if kind == "planned_budget" else 0))
        for n in (1, 2, 3)
        for kind in ("contract_value", "planned_budget")
    }
    response = client.post(
        url,
        {
            **contract_post(system),
            **values,
            "years_for": "2025-04-01:2027-09-30",
            "action": "create",
        },
    )
    contract = Contract.objects.get(reference="CON-NEW")
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:contract-detail", args=[contract.pk])
    assert contract.created_by == system.commissioner
    years = list(contract.years.order_by("number"))
    assert [(y.number, y.contract_value, y.planned_budget) for y in years] == [
        (1, Decimal("1000"), Decimal("1005")),
        (2, Decimal("2000"), Decimal("2005")),
        (3, Decimal("3000"), Decimal("3005")),
    ]
    assert years[-1].end_date == dt.date(2027, 9, 30)


def test_a_commissioner_cannot_create_a_contract_for_another_commissioner(client, system):
    client.force_login(system.commissioner)
    response = client.post(
        reverse("contracts:contract-create"),
        {**contract_post(system, commissioner=system.other_commissioner_org.pk), "action": "x"},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Contract.objects.filter(reference="CON-NEW").exists()


def assert_error_on(response, field_id, text, on_field=True):
    """The NHS.UK error summary links to the field, and the field shows the message
    (an error about the whole step is shown at the top of its form instead)."""
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="nhsuk-error-summary"' in html
    assert f'<a href="#{field_id}">{text}' in html
    if on_field:
        assert f'id="{field_id}_error"' in html


def test_end_before_start_is_an_error_on_the_end_date_and_nothing_is_saved(client, system):
    client.force_login(system.commissioner)
    response = client.post(
        reverse("contracts:contract-create"),
        {**contract_post(system, end_date="2025-01-01"), "action": "create"},
    )
    assert_error_on(response, "id_end_date", "The end date must be after the start date.")
    assert not Contract.objects.filter(reference="CON-NEW").exists()


def test_missing_year_values_are_errors_and_nothing_is_saved(client, system):
    client.force_login(system.commissioner)
    response = client.post(
        reverse("contracts:contract-create"),
        {
            **contract_post(system),
            "years_for": "2025-04-01:2027-09-30",
            "year_1_contract_value": "-5",
            "action": "create",
        },
    )
    assert_error_on(
        response,
        "id_year_1_contract_value",
        "Year 1 contract value (£), 1 April 2025 to 31 March 2026 cannot be negative.",
    )
    assert_error_on(
        response,
        "id_year_2_contract_value",
        "Enter year 2 contract value (£), 1 April 2026 to 31 March 2027.",
    )
    assert not Contract.objects.filter(reference="CON-NEW").exists()
    assert not ContractYear.objects.filter(contract__reference="CON-NEW").exists()


# --- Metric terms ---


def drafted(contract):
    """`contract` back to a draft: its commissioner sets terms before offering
    it; once agreed they change by a variation (tests/outcomes/test_variations.py)."""
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.DRAFT)
    contract.refresh_from_db()
    return contract


def metric_post(metric, **overrides):
    data = {
        "metric": metric.pk,
        "effective_from": "2025-04-01",
        "minimum_threshold": "60",
        "target": "80",
        "baseline": "",
        "weight": "2",
        "accountable": "commissioner",
        "reason": "",
    }
    data.update(overrides)
    return data


def test_commissioner_adds_a_metric_then_changes_its_terms(client, system, terms):
    drafted(terms)
    metric = make_metric("NEWM")
    client.force_login(system.commissioner)
    url = reverse("outcomes:contract-detail", args=[terms.pk])
    assert client.post(url, metric_post(metric)).status_code == 302
    response = client.post(
        url, metric_post(metric, effective_from="2025-10-01", target="85", reason="Agreed uplift")
    )
    assert response.status_code == 302
    versions = ContractMetric.objects.filter(contract=terms, metric=metric)
    assert [(v.effective_from, v.target) for v in versions] == [
        (dt.date(2025, 4, 1), Decimal("80")),
        (dt.date(2025, 10, 1), Decimal("85")),
    ]
    history = client.get(reverse("outcomes:contract-metric-history", args=[terms.pk, metric.pk]))
    assert "Agreed uplift" in history.content.decode()


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"target": "60"}, "target", "The target must differ from the minimum threshold."),
        ({"weight": "-1"}, "weight", "The weight cannot be negative."),
        ({"effective_from": "2031-01-01"}, "effective_from", "The date must fall within"),
    ],
)
def test_bad_metric_terms_name_the_field_and_save_nothing(
    client, system, terms, change, field, message
):
    drafted(terms)
    metric = make_metric("BADM")
    client.force_login(system.commissioner)
    response = client.post(
        reverse("outcomes:contract-detail", args=[terms.pk]), metric_post(metric, **change)
    )
    assert_error_on(response, f"id_{field}", message)
    assert not ContractMetric.objects.filter(metric=metric).exists()


def test_only_the_commissioner_changes_metric_terms(client, system, terms):
    drafted(terms)
    metric = make_metric("NMM")
    client.force_login(system.network_manager_a)
    response = client.post(
        reverse("outcomes:contract-detail", args=[terms.pk]), metric_post(metric)
    )
    assert response.status_code == 404  # the network does not see a draft
    assert not ContractMetric.objects.filter(metric=metric).exists()


# --- Notices ---


def test_network_raises_a_notice_against_the_commissioner(client, system, terms):
    metric = ContractMetric.objects.filter(contract=terms).first().metric
    client.force_login(system.network_manager_a)
    url = reverse("contracts:notice-create", args=[terms.pk])
    form = client.get(url).content.decode()
    assert f"{metric.code}: {metric.name}" in form
    response = client.post(
        url,
        {
            "title": "Referral data late",
            "concern": "Commissioner referral data has been late for three months.",
            "metrics": [metric.pk],
            "obligations": "",
        },
        follow=True,
    )
    notice = PerformanceNotice.objects.get(title="Referral data late")
    assert notice.raised_by_organisation == system.network_a
    assert notice.against_organisation == system.commissioner_org
    due = add_operational_days(timezone.localdate(), terms.meeting_due_days)
    assert notice.meeting_due == due
    html = response.content.decode()
    assert f"is due by {due.day} {due:%B %Y}" in html
    assert "Raised against" in html and "Test ICB" in html


def test_a_notice_must_name_metrics_or_obligations(client, system, terms):
    client.force_login(system.commissioner)
    response = client.post(
        reverse("contracts:notice-create", args=[terms.pk]),
        {"title": "Vague", "concern": "Something is wrong.", "obligations": ""},
    )
    assert_error_on(response, "id_metrics", "Name the metrics or obligations concerned.")
    assert not PerformanceNotice.objects.exists()


def step(client, notice, action, **data):
    payload = {"action": action}
    payload.update({f"{action}-{k}": v for k, v in data.items()})
    return client.post(reverse("contracts:notice-detail", args=[notice.pk]), payload)


def test_walk_a_notice_through_meeting_plan_and_remedy(client, system, terms):
    notice = raise_on(system, terms, days_ago=20)
    client.force_login(system.commissioner)
    held = notice.raised_on + dt.timedelta(days=5)
    response = step(
        client, notice, "meeting", on=held, outcome=MeetingOutcome.REMEDIAL_PLAN, reason="Met"
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PLAN_DUE

    page = client.get(reverse("contracts:notice-detail", args=[notice.pk])).content.decode()
    assert page.count("Owner&#x27;s organisation") == 3  # three milestone rows to start with
    assert "Agree the remedial action plan" in page

    agreed = notice.raised_on + dt.timedelta(days=8)
    rows = {
        "milestones-TOTAL_FORMS": "3",
        "milestones-INITIAL_FORMS": "0",
        "milestones-0-description": "Recruit two therapists",
        "milestones-0-owner": "Service manager",
        "milestones-0-owner_organisation": system.network_a.pk,
        "milestones-0-due_on": agreed + dt.timedelta(days=30),
        "milestones-1-description": "Send referral data weekly",
        "milestones-1-owner": "Head of contracting",
        "milestones-1-owner_organisation": system.commissioner_org.pk,
        "milestones-1-due_on": agreed + dt.timedelta(days=10),
    }
    response = client.post(
        reverse("contracts:notice-detail", args=[notice.pk]),
        {"action": "plan", "plan-on": agreed, "plan-reason": "Agreed at meeting", **rows},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PLAN_AGREED
    assert notice.milestones.count() == 2

    milestone = notice.milestones.get(description="Send referral data weekly")
    response = step(client, notice, "milestone", milestone=milestone.pk, on=agreed, reason="Done")
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on == agreed

    response = step(client, notice, "remedied", on=timezone.localdate(), reason="Back on track")
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REMEDIED
    page = client.get(reverse("contracts:notice-detail", args=[notice.pk])).content.decode()
    assert "Back on track" in page and "Remedied" in page
    assert "Next steps" not in page


def test_plan_milestone_owner_must_be_a_party(client, system, terms):
    notice = raise_on(system, terms, days_ago=20)
    notices.record_meeting(
        user=system.commissioner,
        notice=notice,
        held_on=notice.raised_on,
        outcome=MeetingOutcome.REMEDIAL_PLAN,
        reason="Met",
    )
    client.force_login(system.commissioner)
    # The other commissioner is not offered as an owner (nor is PA1).
    response = client.post(
        reverse("contracts:notice-detail", args=[notice.pk]),
        {
            "action": "plan",
            "plan-on": notice.raised_on,
            "plan-reason": "Agreed",
            "milestones-TOTAL_FORMS": "3",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-description": "Fix it",
            "milestones-0-owner": "Someone",
            "milestones-0-owner_organisation": system.pa1.pk,
            "milestones-0-due_on": notice.raised_on,
        },
    )
    assert_error_on(response, "id_milestones-0-owner_organisation", "Select a valid choice.")
    assert not notice.milestones.exists()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PLAN_DUE


def test_add_another_milestone_row_keeps_what_was_typed(client, system, terms):
    notice = raise_on(system, terms, days_ago=20)
    notices.record_meeting(
        user=system.commissioner,
        notice=notice,
        held_on=notice.raised_on,
        outcome=MeetingOutcome.REMEDIAL_PLAN,
        reason="Met",
    )
    client.force_login(system.commissioner)
    response = client.post(
        reverse("contracts:notice-detail", args=[notice.pk]),
        {
            "action": "plan",
            "add_milestone": "1",
            "plan-reason": "Draft",
            "milestones-TOTAL_FORMS": "3",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-description": "Typed already",
        },
    )
    html = response.content.decode()
    assert html.count("Owner&#x27;s organisation") == 4
    assert "Typed already" in html
    assert "nhsuk-error-message" not in html  # nothing validated yet
    assert not notice.milestones.exists()


def test_out_of_order_step_is_an_error_and_changes_nothing(client, system, notice):
    client.force_login(system.commissioner)
    response = step(client, notice, "remedied", on=timezone.localdate(), reason="All fine")
    assert_error_on(
        response,
        "id_remedied-on",
        "Remedied is not possible while the notice is &#x27;Raised: meeting due&#x27;.",
        on_field=False,
    )
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RAISED
    assert NoticeEvent.objects.filter(notice=notice).count() == 1


def test_a_step_without_a_reason_names_the_reason(client, system, notice):
    client.force_login(system.commissioner)
    response = step(client, notice, "withdraw", on=timezone.localdate(), reason="")
    assert_error_on(response, "id_withdraw-reason", "Enter reason.")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RAISED


def notice_with_exception(system, contract):
    """A commissioner's notice whose plan has a missed milestone: an exception."""
    user, today = system.commissioner, timezone.localdate()
    notice = raise_on(system, contract, days_ago=60)
    notices.record_meeting(
        user=user,
        notice=notice,
        held_on=today - dt.timedelta(days=50),
        outcome=MeetingOutcome.REMEDIAL_PLAN,
        reason="Met",
    )
    notices.agree_plan(
        user=user,
        notice=notice,
        agreed_on=today - dt.timedelta(days=45),
        milestones=[
            {
                "description": "Recruit staff",
                "owner": "Service manager",
                "owner_organisation": system.network_a,
                "due_on": today - dt.timedelta(days=30),
            }
        ],
        reason="Agreed",
    )
    notices.raise_exception(
        user=user, notice=notice, on=today - dt.timedelta(days=20), reason="Missed"
    )
    notice.refresh_from_db()
    return notice


def test_withholding_above_the_cap_names_the_percent_and_saves_nothing(client, system, terms):
    notice = notice_with_exception(system, terms)
    client.force_login(system.commissioner)
    month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    response = step(
        client,
        notice,
        "withhold",
        month=f"{month:%Y-%m}",
        percent="2.5",
        on=timezone.localdate(),
        reason="Unremedied",
    )
    assert_error_on(
        response,
        "id_withhold-percent",
        "At most 2.00% of the monthly contract value may be withheld.",
    )
    assert not Withholding.objects.exists()

    response = step(
        client,
        notice,
        "withhold",
        month=f"{month:%Y-%m}",
        percent="2",
        on=timezone.localdate(),
        reason="Unremedied",
    )
    assert response.status_code == 302
    withholding = Withholding.objects.get()
    assert withholding.amount == Decimal("2000.00")  # 2% of £100,000
    page = client.get(reverse("contracts:notice-detail", args=[notice.pk])).content.decode()
    assert "£2,000.00" in page and f"{month:%B %Y}" in page
    assert "Overdue" in page  # the missed milestone


def test_provider_side_cannot_withhold(client, system, terms):
    notice = notice_with_exception(system, terms)
    client.force_login(system.network_manager_a)
    page = client.get(reverse("contracts:notice-detail", args=[notice.pk])).content.decode()
    assert "Withhold payment" not in page
    response = step(
        client,
        notice,
        "withhold",
        month="2025-06",
        percent="1",
        on=timezone.localdate(),
        reason="No",
    )
    assert response.status_code == 403
    assert not Withholding.objects.exists()


def test_a_member_provider_reads_the_notice_but_cannot_act(client, system, notice):
    client.force_login(system.provider_a)
    page = client.get(reverse("contracts:notice-detail", args=[notice.pk])).content.decode()
    assert "Falling short" in page and "Next steps" not in page
    response = step(
        client, notice, "meeting", on=timezone.localdate(), outcome="withdrawn", reason="x"
    )
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RAISED


def test_another_organisations_notice_is_not_found(client, system, notice):
    client.force_login(system.provider_b)
    response = step(client, notice, "withdraw", on=timezone.localdate(), reason="x")
    assert response.status_code == 404


# --- Query budgets: fixed whatever the data size ---


def grow(system, contracts, notices_each):
    """More contracts for the commissioner, each with notices, milestones and events."""
    contract = system.contract_a
    for n in range(contracts):
        provider = OrganisationFactory(code=f"PX{n}", kind=OrganisationKind.PROVIDER)
        ContractFactory(
            reference=f"CON-X{n}", commissioner=system.commissioner_org, provider=provider
        )
    for n in range(notices_each):
        notice = raise_on(system, contract, days_ago=40, title=f"Notice {n}")
        notices.record_meeting(
            user=system.commissioner,
            notice=notice,
            held_on=notice.raised_on,
            outcome=MeetingOutcome.REMEDIAL_PLAN,
            reason="Met",
        )
        notices.agree_plan(
            user=system.commissioner,
            notice=notice,
            agreed_on=notice.raised_on,
            milestones=[
                {
                    "description": f"Step {m}",
                    "owner": "Lead",
                    "owner_organisation": system.network_a,
                    "due_on": notice.raised_on + dt.timedelta(days=10 * m),
                }
                for m in range(1, 4)
            ],
            reason="Agreed",
        )


# session, user, the person's roles, the page count, the contracts with their
# open-notice and year counts (subqueries, not a query per row), the offers
# waiting for the person's answer
LIST_BUDGET = 6
# session, user, roles, the contract with its parties, the person's party,
# open notices (next milestone annotated), years, metrics in force, timeline,
# the metric choices of the commissioner's form, the variations
DETAIL_BUDGET = 13


@pytest.mark.parametrize("size", ["small", "large"])
def test_contract_pages_cost_a_fixed_number_of_queries(
    client, system, django_assert_max_num_queries, size
):
    add_terms(system, metrics=1 if size == "small" else 6)
    if size == "large":
        grow(system, contracts=6, notices_each=4)
    client.force_login(system.commissioner)
    with django_assert_max_num_queries(LIST_BUDGET):
        assert client.get(reverse("contracts:contract-list")).status_code == 200
    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = client.get(reverse("outcomes:contract-detail", args=[system.contract_a.pk]))
        assert response.status_code == 200
    if size == "large":
        assert len(response.context["notices"]) == 4
        assert len(list(response.context["metrics"])) == 6


def test_query_counts_do_not_grow_with_the_data(client, system):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    add_terms(system, metrics=1)
    client.force_login(system.commissioner)
    detail = reverse("outcomes:contract-detail", args=[system.contract_a.pk])
    before = (count(reverse("contracts:contract-list")), count(detail))
    for n in range(3):
        contract_terms.add_version(
            user=system.commissioner,
            contract=system.contract_a,
            metric=make_metric(f"MORE{n}"),
            effective_from=system.contract_a.start_date,
            minimum_threshold=1,
            target=2,
        )
    grow(system, contracts=3, notices_each=3)
    assert (count(reverse("contracts:contract-list")), count(detail)) == before
