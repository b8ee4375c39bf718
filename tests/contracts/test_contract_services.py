"""Creating contracts and versioning their metrics: rules and bad input."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts import services
from contracts.models import Contract
from outcomes.models import ContractMetric
from outcomes.services import contract_terms

D = dt.date


@pytest.fixture
def contract(contract):
    """CON-A as in contract_fixtures, but with no metric attached yet."""
    contract.metric_versions.all().delete()
    return contract


def new_contract(system, **overrides):
    fields = dict(
        user=system.commissioner,
        reference="NEW-1",
        title="Frailty",
        commissioner=system.commissioner_org,
        provider=system.network_a,
        service="Frailty care",
        start_date=D(2026, 4, 1),
        end_date=D(2031, 3, 31),
        payment_model="capitated_outcomes",
        years=[
            {"contract_value": Decimal(1000000 * n), "planned_budget": Decimal(900000)}
            for n in range(1, 6)
        ],
    )
    fields.update(overrides)
    return services.create_contract(**fields)


def test_a_five_year_contract_gets_five_years(system):
    created = new_contract(system)
    years = list(created.years.values_list("number", "start_date", "end_date", "contract_value"))
    assert years[0] == (1, D(2026, 4, 1), D(2027, 3, 31), Decimal("1000000.00"))
    assert years[-1] == (5, D(2030, 4, 1), D(2031, 3, 31), Decimal("5000000.00"))
    assert created.created_by == system.commissioner


def test_a_part_year_contract_ends_its_last_year_with_the_contract(system):
    created = new_contract(
        system,
        end_date=D(2027, 9, 30),
        years=[
            {"contract_value": 1, "planned_budget": 1},
            {"contract_value": 1, "planned_budget": 1},
        ],
    )
    assert created.years.last().end_date == D(2027, 9, 30)


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"end_date": D(2026, 3, 1)}, "end_date"),
        ({"years": [{"contract_value": 1, "planned_budget": 1}]}, "years"),
        ({"provider": None}, "provider"),
        ({"reference": ""}, "reference"),
    ],
)
def test_bad_contracts_are_refused_naming_the_field(system, overrides, field):
    if overrides.get("provider", "") is None:
        overrides = {"provider": system.commissioner_org}
    with pytest.raises(ValidationError) as error:
        new_contract(system, **overrides)
    assert field in error.value.message_dict
    assert not Contract.objects.filter(reference="NEW-1").exists()


def test_negative_contract_value_is_refused_and_nothing_saved(system):
    years = [{"contract_value": -1, "planned_budget": 1}] + [
        {"contract_value": 1, "planned_budget": 1}
    ] * 4
    with pytest.raises(ValidationError) as error:
        new_contract(system, years=years)
    assert "contract_value" in error.value.message_dict
    assert not Contract.objects.filter(reference="NEW-1").exists()


def test_overlapping_contract_years_are_refused(system, contract):
    with pytest.raises(ValidationError) as error:
        services.set_contract_year(
            user=system.commissioner,
            contract=contract,
            number=6,
            start_date=D(2028, 1, 1),
            end_date=D(2028, 12, 31),
            contract_value=1,
            planned_budget=1,
        )
    assert "start_date" in error.value.message_dict


@pytest.mark.parametrize("person", ["network_manager_a", "provider_a", "lay_partner", "outsider"])
def test_only_commissioners_create_contracts(system, person):
    with pytest.raises(PermissionDenied):
        new_contract(system, user=getattr(system, person))


def test_a_commissioner_cannot_create_a_contract_for_another_commissioner(system):
    with pytest.raises(PermissionDenied):
        new_contract(system, commissioner=system.other_commissioner_org)


def attach(system, contract, metric, **overrides):
    fields = dict(
        user=system.commissioner,
        contract=contract,
        metric=metric,
        effective_from=D(2024, 4, 1),
        minimum_threshold=Decimal("30"),
        target=Decimal("20"),
        baseline=Decimal("32"),
        weight=Decimal("2"),
    )
    fields.update(overrides)
    return contract_terms.add_version(**fields)


def test_a_mid_year_change_keeps_the_old_terms_for_earlier_periods(system, contract, metric):
    first = attach(system, contract, metric)
    second = attach(
        system,
        contract,
        metric,
        effective_from=D(2025, 10, 1),
        minimum_threshold=Decimal("28"),
        reason="Winter plan agreed",
    )
    in_force = ContractMetric.objects.in_force_on
    assert list(in_force(D(2025, 9, 30))) == [first]
    assert list(in_force(D(2025, 10, 1))) == [second]
    assert list(in_force(D(2024, 3, 31))) == []
    first.refresh_from_db()
    assert first.minimum_threshold == Decimal("30")  # never rewritten


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"target": Decimal("30")}, "target"),  # equal to the minimum
        ({"target": Decimal("35")}, "target"),  # wrong way for lower-is-better
        ({"weight": Decimal("-1")}, "weight"),
        ({"effective_from": D(2030, 1, 1)}, "effective_from"),
    ],
)
def test_bad_contract_metric_terms_are_refused(system, contract, metric, overrides, field):
    with pytest.raises(ValidationError) as error:
        attach(system, contract, metric, **overrides)
    assert field in error.value.message_dict
    assert not ContractMetric.objects.exists()


def test_a_change_needs_a_reason_and_cannot_predate_a_later_version(system, contract, metric):
    attach(system, contract, metric, effective_from=D(2025, 4, 1))
    with pytest.raises(ValidationError) as error:
        attach(system, contract, metric, effective_from=D(2025, 6, 1))
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        attach(system, contract, metric, effective_from=D(2025, 1, 1), reason="back-date")
    assert "effective_from" in error.value.message_dict


def test_only_the_contracts_commissioner_sets_metric_terms(system, contract, metric):
    with pytest.raises(PermissionDenied):
        contract_terms.set_contract_metric(
            user=system.network_manager_a,
            contract=contract,
            metric=metric,
            effective_from=D(2024, 4, 1),
            minimum_threshold=Decimal("30"),
            target=Decimal("20"),
        )


def test_monthly_plan_must_add_up_to_the_year(system, contract):
    year = contract.years.get(number=1)
    months = {
        D(2024, 4 + n, 1) if n < 9 else D(2025, n - 8, 1): Decimal("1000000") for n in range(12)
    }
    services.set_monthly_plan(user=system.commissioner, year=year, amounts=months)
    assert year.plan_months.count() == 12
    months[D(2024, 4, 1)] = Decimal("999999.99")
    with pytest.raises(ValidationError) as error:
        services.set_monthly_plan(user=system.commissioner, year=year, amounts=months)
    assert "planned_amount" in error.value.message_dict
    assert year.plan_months.count() == 12  # the earlier plan stands


def test_actual_cost_corrections_are_kept_in_history(system, contract):
    services.record_actual_cost(
        user=system.commissioner, contract=contract, month=D(2024, 5, 17), amount=Decimal("950000")
    )
    cost, created = services.record_actual_cost(
        user=system.commissioner,
        contract=contract,
        month=D(2024, 5, 1),
        amount=Decimal("960000"),
        note="Late invoices",
    )
    assert (cost.month, created) == (D(2024, 5, 1), False)
    assert [h.amount for h in cost.history.order_by("history_date")] == [
        Decimal("950000.00"),
        Decimal("960000.00"),
    ]
    with pytest.raises(ValidationError):
        services.record_actual_cost(
            user=system.commissioner, contract=contract, month=D(2035, 1, 1), amount=1
        )


def test_a_second_version_on_the_same_date_names_the_date(system, contract, metric):
    attach(system, contract, metric, effective_from=D(2025, 4, 1))
    with pytest.raises(ValidationError) as error:
        attach(system, contract, metric, effective_from=D(2025, 4, 1), reason="again")
    assert "effective_from" in error.value.message_dict
