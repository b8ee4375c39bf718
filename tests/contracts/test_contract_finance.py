"""The financial plan and actual cost of a contract: the selector's arithmetic,
the finance page and the API, who may see and change what, and what it costs
in queries."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from contracts import services
from contracts.choices import OrganisationKind, Role
from contracts.models import ActualCost, BudgetPlanMonth
from contracts.selectors import even_split, financial_position
from tests.browser.test_browser import serious_violations
from tests.factories import (
    ContractFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    add_contract_years,
)

D = dt.date
BUDGET = Decimal("1000000.00")  # £83,333.33 a month, £83,333.37 in the last
SHARE, LAST_SHARE = Decimal("83333.33"), Decimal("83333.37")
ACTUAL_COSTS = "/api/v1/actual-costs/"


def finance_url(contract):
    return f"/api/v1/contracts/{contract.pk}/finance/"


def plan_url(contract):
    return f"/api/v1/contracts/{contract.pk}/monthly-plan/"


@pytest.fixture
def years(system):
    """CON-A (April 2024 to March 2029): five years of £1.2m value and £1m budget."""
    return add_contract_years(system.contract_a, [Decimal("1200000.00")] * 5, BUDGET)


def record(system, month, amount, note=""):
    return services.record_actual_cost(
        user=system.commissioner, contract=system.contract_a, month=month, amount=amount, note=note
    )


def year_one_plan(first=Decimal("100000.00")):
    """A monthly plan for year 1 adding up to £1m: `first` in April, the rest evenly."""
    months = [D(2024, 4, 1) + dt.timedelta(days=31 * n) for n in range(12)]
    months = [m.replace(day=1) for m in months]
    rest = even_split(BUDGET - first, 11)
    return dict(zip(months, [first, *rest], strict=True))


# --- The selector, computed by hand ---


def test_without_a_monthly_plan_the_budget_is_split_by_twelve_with_the_rest_last(system, years):
    positions = financial_position(system.contract_a)
    assert [p.number for p in positions] == [1, 2, 3, 4, 5]
    year = positions[0]
    assert year.has_monthly_plan is False
    assert [m.month for m in year.months] == [D(2024, month, 1) for month in range(4, 13)] + [
        D(2025, month, 1) for month in range(1, 4)
    ]
    assert [m.planned for m in year.months] == [SHARE] * 11 + [LAST_SHARE]
    assert year.planned_total == BUDGET == SHARE * 11 + LAST_SHARE
    assert all(isinstance(m.planned, Decimal) for m in year.months)
    # Nothing recorded: every actual is missing, never zero.
    assert all(m.actual is None and m.variance is None for m in year.months)
    assert year.months_with_actual == 0
    assert year.actual_to_date == year.planned_to_date == year.variance_to_date == Decimal("0")


def test_months_with_and_without_actuals_and_the_variance_signs(system, years):
    record(system, D(2024, 4, 1), "80000.00")  # under plan: a saving
    record(system, D(2024, 6, 15), "90000.00")  # any day of the month; over plan
    year = financial_position(system.contract_a)[0]
    april, may, june = year.months[:3]

    assert april.actual == Decimal("80000.00")
    assert april.variance == Decimal("3333.33")  # savings = planned - actual
    assert (april.planned_to_date, april.actual_to_date) == (SHARE, Decimal("80000.00"))
    assert april.variance_to_date == Decimal("3333.33")

    assert may.actual is None  # missing, not zero
    assert may.variance is may.planned_to_date is may.actual_to_date is may.variance_to_date is None
    assert may.planned == SHARE

    assert june.actual == Decimal("90000.00")
    assert june.variance == Decimal("-6666.67")  # negative: an overspend
    # To date covers only the months with an actual: April and June, not May.
    assert june.planned_to_date == Decimal("166666.66")
    assert june.actual_to_date == Decimal("170000.00")
    assert june.variance_to_date == Decimal("-3333.34")

    assert year.months_with_actual == 2
    assert year.actual_total == Decimal("170000.00")
    assert year.planned_to_date == Decimal("166666.66")
    assert year.variance_to_date == Decimal("-3333.34")
    assert year.planned_total == BUDGET
    # Other years are untouched.
    assert financial_position(system.contract_a)[1].months_with_actual == 0


def test_a_monthly_plan_replaces_the_even_split(system, years):
    plan = year_one_plan()
    services.set_monthly_plan(user=system.commissioner, year=years[0], amounts=plan)
    record(system, D(2024, 4, 1), "120000.00")
    first, second = financial_position(system.contract_a)[:2]
    assert first.has_monthly_plan is True
    assert [m.planned for m in first.months] == list(plan.values())
    assert first.months[1].planned == Decimal("81818.18")
    assert first.months[-1].planned == Decimal("81818.20")  # the rounding remainder
    assert first.planned_total == BUDGET
    assert first.months[0].variance == Decimal("-20000.00")
    assert second.has_monthly_plan is False
    assert second.months[0].planned == SHARE


def test_a_short_last_year_is_split_over_its_own_months(system):
    contract = ContractFactory(
        commissioner=system.commissioner_org,
        provider=system.network_a,
        start_date=D(2024, 4, 1),
        end_date=D(2025, 9, 30),
    )
    add_contract_years(contract, [Decimal("1200000.00"), Decimal("600000.00")], Decimal("100.00"))
    short = financial_position(contract)[1]
    assert len(short.months) == 6
    assert [m.planned for m in short.months] == [Decimal("16.67")] * 5 + [Decimal("16.65")]
    assert short.planned_total == Decimal("100.00")


def grow_finance(system, years):
    """Monthly plans for every year and an actual cost for every month."""
    for year in years:
        months = [m.month for m in financial_position(system.contract_a)[year.number - 1].months]
        services.set_monthly_plan(
            user=system.commissioner,
            year=year,
            amounts=dict(zip(months, even_split(BUDGET, 12), strict=True)),
        )
        for month in months:
            record(system, month, "82000.00")


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_selector_costs_three_queries_whatever_the_size(
    system, years, size, django_assert_num_queries
):
    if size == "large":
        grow_finance(system, years)
    contract = type(system.contract_a).objects.get(pk=system.contract_a.pk)
    with django_assert_num_queries(3):  # years, plan months, actual costs
        positions = financial_position(contract)
    expected = 12 if size == "large" else 0
    assert [p.months_with_actual for p in positions] == [expected] * 5


# --- Services behind the page and the API ---


def test_a_monthly_plan_that_does_not_add_up_is_refused_and_the_old_plan_kept(
    system, api_client, years
):
    services.set_monthly_plan(user=system.commissioner, year=years[0], amounts=year_one_plan())
    api_client.force_authenticate(system.commissioner)
    months = [
        {"month": f"{m:%Y-%m-%d}", "planned_amount": "80000.00"} for m in year_one_plan()
    ]  # £960,000, not £1m
    response = api_client.post(
        plan_url(system.contract_a), {"year": 1, "months": months}, format="json"
    )
    assert response.status_code == 400
    assert "planned_amount" in response.json()
    assert "£960,000.00" in response.json()["planned_amount"][0]
    assert list(
        BudgetPlanMonth.objects.filter(year=years[0]).values_list("planned_amount", flat=True)
    ) == list(year_one_plan().values())


def test_correcting_an_actual_cost_keeps_the_earlier_figure_in_history(system, api_client, years):
    api_client.force_authenticate(system.commissioner)
    body = {"contract": system.contract_a.pk, "month": "2024-05-01", "amount": "70000.00"}
    first = api_client.post(ACTUAL_COSTS, body, format="json")
    assert first.status_code == 201, first.json()
    corrected = api_client.post(
        ACTUAL_COSTS, {**body, "month": "2024-05-20", "amount": "75000.00", "note": "Late invoice"}
    )
    assert corrected.status_code == 200
    assert corrected.json()["id"] == first.json()["id"]
    assert corrected.json()["amount"] == "75000.00"
    cost = ActualCost.objects.get()
    assert cost.month == D(2024, 5, 1) and cost.amount == Decimal("75000.00")
    assert [h.amount for h in cost.history.order_by("history_date")] == [
        Decimal("70000.00"),
        Decimal("75000.00"),
    ]
    for verb in ("put", "patch", "delete"):
        response = getattr(api_client, verb)(f"{ACTUAL_COSTS}{cost.pk}/", body)
        assert response.status_code == 405


# --- The finance page: who sees and who changes what ---


def finance_page(contract):
    return reverse("contracts:contract-finance", args=[contract.pk])


@pytest.mark.parametrize(
    "who, status, forms",
    [
        ("commissioner", 200, True),
        ("admin", 200, True),
        ("network_manager_a", 200, False),
        ("provider_a", 200, False),  # a member provider of network A
        ("provider_b", 404, False),  # another network's contract
        ("lay_partner", 403, False),
        ("outsider", 403, False),
    ],
)
def test_each_role_gets_the_finance_page_it_may_see(client, system, years, who, status, forms):
    client.force_login(getattr(system, who))
    response = client.get(finance_page(system.contract_a))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "Financial plan and actual cost" in html
        assert ("Record actual cost" in html) is forms
        assert ("Set monthly plan for year 1" in html) is forms


def test_anonymous_visitors_are_sent_to_sign_in(client, system, years):
    response = client.get(finance_page(system.contract_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "who, status",
    [
        ("network_manager_a", 403),
        ("provider_a", 403),
        ("provider_b", 404),
        ("lay_partner", 403),
        ("outsider", 403),
    ],
)
def test_only_the_commissioner_records_on_the_page(client, system, years, who, status):
    client.force_login(getattr(system, who))
    data = {"action": "actual", "month": "2024-04", "amount": "1.00"}
    assert client.post(finance_page(system.contract_a), data).status_code == status
    plan = {"action": "plan", "year": "1"}
    assert client.post(finance_page(system.contract_a), plan).status_code == status
    assert not ActualCost.objects.exists() and not BudgetPlanMonth.objects.exists()


def test_contract_page_links_to_the_finance_page(client, system, years):
    client.force_login(system.provider_a)
    html = client.get(
        reverse("outcomes:contract-detail", args=[system.contract_a.pk])
    ).content.decode()
    assert f'href="{finance_page(system.contract_a)}"' in html


def cells(html, month):
    """The planned, actual and variance cells of a month's row."""
    row = re.search(rf"<th[^>]*>{month}</th>(.*?)</tr>", html, re.S).group(1)
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_commissioner_records_an_actual_cost_and_sees_the_variance(client, system, years):
    client.force_login(system.commissioner)
    response = client.post(
        finance_page(system.contract_a),
        {"action": "actual", "month": "2024-06", "amount": "90000", "note": "Invoice 42"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{finance_page(system.contract_a)}#year-1"
    cost = ActualCost.objects.get()
    assert (cost.month, cost.amount, cost.note) == (D(2024, 6, 1), Decimal("90000"), "Invoice 42")
    assert cost.recorded_by == system.commissioner

    response = client.get(finance_page(system.contract_a))
    html = response.content.decode()
    assert "Actual cost of £90,000.00 recorded for June 2024." in html
    assert cells(html, "April 2024") == ["£83,333.33", "Not recorded", "–"]
    assert cells(html, "June 2024") == ["£83,333.33", "£90,000.00", "\u2212£6,666.67"]
    assert cells(html, "March 2025") == ["£83,333.37", "Not recorded", "–"]
    assert cells(html, r"Year to date \(1 month\)") == [
        "£83,333.33",
        "£90,000.00",
        "\u2212£6,666.67",
    ]
    assert cells(html, "Year total")[:2] == ["£1,000,000.00", "£90,000.00"]
    assert "nhsuk-table__cell--numeric" in html
    assert "−£6,666.67 overspend over 1 month with an actual cost" in html


def test_page_errors_name_the_field_and_nothing_is_saved(client, system, years):
    client.force_login(system.commissioner)
    response = client.post(
        finance_page(system.contract_a), {"action": "actual", "month": "2031-01", "amount": "5"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert response.context["errors"] == [("#id_month", "January 2031 is outside the contract.")]
    assert '<a href="#id_month">January 2031 is outside the contract.</a>' in html

    response = client.post(
        finance_page(system.contract_a), {"action": "actual", "month": "2024-05", "amount": "-1"}
    )
    assert response.context["errors"] == [("#id_amount", "Actual cost (£) cannot be negative.")]
    assert not ActualCost.objects.exists()


def plan_of(year):
    return dict(year.plan_months.values_list("month", "planned_amount"))


def plan_post(amounts, year=1):
    data = {"action": "plan", "year": str(year)}
    data.update({f"year{year}-month_{n}": str(a) for n, a in enumerate(amounts, start=1)})
    return data


def test_commissioner_sets_a_monthly_plan_on_the_page(client, system, years):
    client.force_login(system.commissioner)
    plan = year_one_plan(Decimal("150000.00"))
    response = client.post(finance_page(system.contract_a), plan_post(plan.values()))
    assert response.status_code == 302
    assert response["Location"].endswith("#year-1")
    saved = dict(
        BudgetPlanMonth.objects.filter(year=years[0]).values_list("month", "planned_amount")
    )
    assert saved == plan
    html = client.get(finance_page(system.contract_a)).content.decode()
    assert "Monthly plan for year 1 saved." in html
    assert cells(html, "April 2024")[0] == "£150,000.00"
    assert "(monthly plan set)" in html


def test_a_page_plan_that_does_not_add_up_names_the_problem_and_keeps_the_old_plan(
    client, system, years
):
    services.set_monthly_plan(user=system.commissioner, year=years[0], amounts=year_one_plan())
    client.force_login(system.commissioner)
    response = client.post(finance_page(system.contract_a), plan_post(["80000"] * 12))
    assert response.status_code == 200
    assert response.context["errors"] == [
        (
            "#id_year1-month_1",
            "The months add up to £960,000.00, not the year's planned budget of £1,000,000.00.",
        )
    ]
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'id="plan-year-1" open' in html  # the form with the error is shown open
    saved = dict(
        BudgetPlanMonth.objects.filter(year=years[0]).values_list("month", "planned_amount")
    )
    assert saved == year_one_plan()

    response = client.post(finance_page(system.contract_a), plan_post(["x"] + ["1"] * 11))
    assert response.context["errors"] == [("#id_year1-month_1", "April 2024 (£) must be a number.")]


# --- The API ---


def test_actual_cost_api_round_trip(system, api_client, years):
    api_client.force_authenticate(system.commissioner)
    response = api_client.post(
        ACTUAL_COSTS,
        {"contract": system.contract_a.pk, "month": "2024-04-01", "amount": "80000.00"},
    )
    assert response.status_code == 201
    assert response.json() == {
        "id": ActualCost.objects.get().pk,
        "contract": system.contract_a.pk,
        "month": "2024-04-01",
        "amount": "80000.00",
        "note": "",
        "recorded_by": "commissioner",
    }
    finance = api_client.get(finance_url(system.contract_a)).json()
    assert finance["contract"] == system.contract_a.pk and finance["reference"] == "CON-A"
    year = finance["years"][0]
    assert year["planned_budget"] == "1000000.00"
    assert year["has_monthly_plan"] is False
    assert year["months"][0] == {
        "month": "2024-04-01",
        "planned": "83333.33",
        "actual": "80000.00",
        "variance": "3333.33",
        "planned_to_date": "83333.33",
        "actual_to_date": "80000.00",
        "variance_to_date": "3333.33",
    }
    assert year["months"][1]["actual"] is None and year["months"][1]["variance"] is None
    assert year["months"][11]["planned"] == "83333.37"
    assert year["months_with_actual"] == 1 and year["variance_to_date"] == "3333.33"


def test_monthly_plan_api_round_trip(system, api_client, years):
    api_client.force_authenticate(system.commissioner)
    plan = year_one_plan()
    months = [{"month": f"{m:%Y-%m-%d}", "planned_amount": str(a)} for m, a in plan.items()]
    response = api_client.post(
        plan_url(system.contract_a), {"year": 1, "months": months}, format="json"
    )
    assert response.status_code == 200, response.json()
    year = response.json()["years"][0]
    assert year["has_monthly_plan"] is True
    assert [m["planned"] for m in year["months"]] == [str(a) for a in plan.values()]
    assert api_client.get(finance_url(system.contract_a)).json()["years"][0] == year


@pytest.mark.parametrize(
    "body, field",
    [
        ({"year": 9, "months": [{"month": "2024-04-01", "planned_amount": "1"}]}, "year"),
        ({"year": 1, "months": []}, "months"),
        ({"year": 1, "months": [{"month": "2024-04-01", "planned_amount": "-1"}]}, "months"),
        ({"year": 1, "months": [{"month": "2026-04-01", "planned_amount": BUDGET}]}, "month"),
        (
            {
                "year": 1,
                "months": [
                    {"month": "2024-04-01", "planned_amount": "1"},
                    {"month": "2024-04-15", "planned_amount": "1"},
                ],
            },
            "months",
        ),
    ],
)
def test_monthly_plan_errors_name_the_field(system, api_client, years, body, field):
    api_client.force_authenticate(system.commissioner)
    response = api_client.post(plan_url(system.contract_a), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not BudgetPlanMonth.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"month": "2031-01-01", "amount": "1"}, "month"),
        ({"month": "2024-04-01", "amount": "-1"}, "amount"),
        ({"month": "April", "amount": "1"}, "month"),
        ({"month": "2024-04-01"}, "amount"),
    ],
)
def test_actual_cost_errors_name_the_field(system, api_client, years, body, field):
    api_client.force_authenticate(system.commissioner)
    response = api_client.post(ACTUAL_COSTS, {"contract": system.contract_a.pk, **body})
    assert response.status_code == 400
    assert field in response.json()
    assert not ActualCost.objects.exists()


@pytest.mark.parametrize(
    "who, finance, costs",
    [
        ("commissioner", 200, ["CON-A"]),
        ("admin", 200, ["CON-A", "CON-B"]),
        ("network_manager_a", 200, ["CON-A"]),
        ("provider_a", 200, ["CON-A"]),
        ("provider_b", 404, ["CON-B"]),
        ("lay_partner", 404, []),
        ("outsider", 404, []),
    ],
)
def test_api_reads_are_scoped(system, api_client, years, who, finance, costs):
    record(system, D(2024, 4, 1), "1")
    ActualCost.objects.create(contract=system.contract_b, month=D(2024, 4, 1), amount=2)
    api_client.force_authenticate(getattr(system, who))
    assert api_client.get(finance_url(system.contract_a)).status_code == finance
    rows = api_client.get(ACTUAL_COSTS).json()["results"]
    by_id = {system.contract_a.pk: "CON-A", system.contract_b.pk: "CON-B"}
    assert sorted(by_id[row["contract"]] for row in rows) == costs
    other = ActualCost.objects.get(contract=system.contract_b)
    expected = 200 if "CON-B" in costs else 404
    assert api_client.get(f"{ACTUAL_COSTS}{other.pk}/").status_code == expected


def test_anonymous_api_requests_are_refused(system, api_client, years):
    assert api_client.get(ACTUAL_COSTS).status_code in (401, 403)
    assert api_client.get(finance_url(system.contract_a)).status_code in (401, 403)


@pytest.mark.parametrize(
    "who, status, plan_status",
    [
        ("network_manager_a", 403, 403),  # a party, but only the commissioner records
        ("provider_a", 403, 403),
        ("provider_b", 403, 404),  # not a party to CON-A: it is not found
        ("lay_partner", 403, 403),
        ("outsider", 403, 403),
        ("other_commissioner", 400, 404),  # cannot see CON-A: "does not exist"
    ],
)
def test_only_the_commissioner_writes_through_the_api(
    system, api_client, years, who, status, plan_status
):
    if who == "other_commissioner":
        user = UserFactory(username="other_commissioner")
        MembershipFactory(
            user=user, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
        )
    else:
        user = getattr(system, who)
    api_client.force_authenticate(user)
    body = {"contract": system.contract_a.pk, "month": "2024-04-01", "amount": "1"}
    response = api_client.post(ACTUAL_COSTS, body)
    assert response.status_code == status
    if status == 400:
        assert "contract" in response.json()
    plan = {"year": 1, "months": [{"month": "2024-04-01", "planned_amount": str(BUDGET)}]}
    response = api_client.post(plan_url(system.contract_a), plan, format="json")
    assert response.status_code == plan_status
    assert not ActualCost.objects.exists() and not BudgetPlanMonth.objects.exists()


def test_actual_cost_filters(system, api_client, years):
    for month in (D(2024, 4, 1), D(2024, 5, 1), D(2024, 6, 1), D(2025, 4, 1)):
        record(system, month, "1")
    other = ContractFactory(
        reference="CON-C", commissioner=system.commissioner_org, provider=system.network_b
    )
    services.record_actual_cost(
        user=system.commissioner, contract=other, month=D(2024, 5, 1), amount=1
    )
    api_client.force_authenticate(system.commissioner)

    def months(**params):
        rows = api_client.get(ACTUAL_COSTS, params).json()["results"]
        return [(row["contract"], row["month"]) for row in rows]

    a, c = system.contract_a.pk, other.pk
    assert len(months()) == 5
    assert months(contract=c) == [(c, "2024-05-01")]
    assert months(contract=a, month_from="2024-05-01", month_to="2024-06-30") == [
        (a, "2024-05-01"),
        (a, "2024-06-01"),
    ]
    assert months(month_from="2025-01-01") == [(a, "2025-04-01")]
    assert api_client.get(ACTUAL_COSTS, {"month_to": "soon"}).status_code == 400


# --- Query budgets ---

# session, user, roles, the contract with its parties, the commissioner check,
# then the selector's three: years, plan months, actual costs
PAGE_BUDGET = 8


def grow(system, years, size):
    if size == "large":
        grow_finance(system, years)
        for n in range(5):
            contract = ContractFactory(
                commissioner=system.commissioner_org,
                provider=OrganisationFactory(code=f"PF{n:02d}", kind=OrganisationKind.PROVIDER),
            )
            for month in (D(2024, 4, 1), D(2024, 5, 1)):
                services.record_actual_cost(
                    user=system.commissioner, contract=contract, month=month, amount=5
                )
    else:
        record(system, D(2024, 4, 1), "1")


@pytest.mark.parametrize("size", ["small", "large"])
def test_finance_page_costs_a_fixed_number_of_queries(
    client, system, years, django_assert_max_num_queries, size
):
    grow(system, years, size)
    client.force_login(system.commissioner)
    with django_assert_max_num_queries(PAGE_BUDGET):
        response = client.get(finance_page(system.contract_a))
        assert response.status_code == 200
    client.force_login(system.network_manager_a)
    with django_assert_max_num_queries(PAGE_BUDGET):
        assert client.get(finance_page(system.contract_a)).status_code == 200


@pytest.mark.parametrize("size", ["small", "large"])
def test_finance_api_costs_a_fixed_number_of_queries(
    api_client, system, years, django_assert_max_num_queries, size
):
    grow(system, years, size)
    api_client.force_authenticate(system.commissioner)
    with django_assert_max_num_queries(2):  # count, page joined to who recorded it
        count = api_client.get(ACTUAL_COSTS).json()["count"]
    assert count == (70 if size == "large" else 1)
    with django_assert_max_num_queries(4):  # the contract, then years, plans, actual costs
        assert api_client.get(finance_url(system.contract_a)).status_code == 200


# --- In the browser ---


@pytest.mark.browser
def test_commissioner_records_an_actual_cost_in_the_browser(system, years, page, sign_in):
    sign_in("commissioner")
    page.get_by_role("link", name="Contracts", exact=True).click()
    page.get_by_role("link", name="CON-A").click()
    page.get_by_role("link", name="Financial plan and actual cost").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Financial plan and actual cost")
    expect(page.locator("body.nhsuk-frontend-supported")).to_have_count(1)
    assert serious_violations(page) == []

    page.get_by_label("Month").fill("2024-06")
    page.get_by_label("Actual cost (£)").fill("90000")
    page.get_by_label("Note (optional)").fill("Invoice 42")
    page.get_by_role("button", name="Record actual cost").click()

    expect(page.get_by_role("status")).to_have_text(
        "Actual cost of £90,000.00 recorded for June 2024."
    )
    table = page.get_by_role("table", name="Year 1: planned and actual cost by month")
    june = table.get_by_role("row", name=re.compile("^June 2024"))
    expect(june.get_by_role("cell")).to_have_text(["£83,333.33", "£90,000.00", "−£6,666.67"])
    may = table.get_by_role("row", name=re.compile("^May 2024"))
    expect(may.get_by_role("cell")).to_have_text(["£83,333.33", "Not recorded", "–"])
    expect(page.get_by_text("−£6,666.67 overspend over 1 month")).to_be_visible()

    page.locator("#plan-year-1 summary").click()
    page.get_by_label("April 2024 (£)").fill("1")
    page.get_by_role("button", name="Set monthly plan for year 1").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "not the year's planned budget of £1,000,000.00"
    )
    assert serious_violations(page) == []
