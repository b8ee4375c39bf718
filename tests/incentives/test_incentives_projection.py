"""The current-year incentive position (incentives.selectors.projected_position)
and its section of the dashboard: the year in progress settled by the same
maths as a year end, from the months ended so far, hand-checked.

CON-A year 1 runs April 2024 to March 2025 with a £12m budget (£1m a month)
and contract value. On 20 November 2024 seven months (April to October) have
ended."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import ActualCost
from incentives import services
from incentives.selectors import projected_position
from tests.incentives_fixtures import YEAR_ONE, rescore_year, scheme_fields, submit_rates

D = Decimal
TODAY = dt.date(2024, 11, 20)
ENDED = YEAR_ONE[:7]  # April to October 2024


def cost(contract, months, amount):
    for month in months:
        ActualCost.objects.create(contract=contract, month=month, amount=D(amount))


@pytest.fixture
def with_scheme(system, contract):
    services.create_scheme_version(
        user=system.commissioner,
        contract=contract,
        **scheme_fields(contract.metric_versions.get().metric),
    )
    return contract


def scored(system, contract, rate, months=ENDED):
    submit_rates(system.network_manager_a, [system.pa1, system.pa2], rate, months=months)
    rescore_year(contract)


def test_savings_to_date_shared_at_todays_score(system, with_scheme):
    contract = with_scheme
    cost(contract, ENDED, "950000.00")  # £50,000 a month under plan
    scored(system, contract, "24.8")  # aggregate 65 every month
    position = projected_position(contract, TODAY)
    assert position.year.number == 1
    assert position.months_ended == 7 and position.months_scored == 7
    assert position.inputs.score == D("65.00")
    assert position.inputs.coverage == D("100.00")
    # The five months not costed count at plan: savings are those to date.
    assert position.inputs.budget == D("12000000.00")
    assert position.inputs.actual_cost == D("11650000.00")
    result = position.result
    assert result.savings == D("350000.00")
    assert result.network_share_percent == D(50)  # band 60-75
    assert result.network_savings_share == D("175000.00")
    # EMADM 24.8 so far: (30 - 24.8) / (30 - 20) = 52% of 1.25% of £12m.
    (indicator,) = position.indicators
    assert indicator.performance == D("24.8000")
    assert indicator.achieved == D("0.52")
    assert indicator.on_track == D("78000.00")
    assert indicator.available == D("150000.00")
    assert position.points_below_support == 0
    assert result.penalty == 0
    assert result.net_transfer == D("253000.00")


def test_penalty_risk_below_the_thresholds(system, with_scheme):
    contract = with_scheme
    cost(contract, ENDED, "1000000.00")
    # 29.6 per 1,000: metric score 0.5, aggregate 5.
    scored(system, contract, "29.6")
    position = projected_position(contract, TODAY)
    assert position.inputs.score == D("5.00")
    assert position.points_below_support == D(45)
    assert position.points_below_penalty == D(25)
    assert position.result.support_plan is True
    # 25 points x 0.1% = 2.5% of £12m, capped at 2%.
    assert position.result.penalty == D("240000.00")
    assert position.result.savings == 0
    # (30 - 29.6) / 10 = 4% of £150,000.
    assert position.indicators[0].on_track == D("6000.00")
    assert position.result.net_transfer == D("-234000.00")


def test_overspend_to_date_is_shared_by_the_corridors(system, with_scheme):
    contract = with_scheme
    cost(contract, ENDED, "1030000.00")  # £210,000 over: inside the first 2% corridor
    scored(system, contract, "24.8")
    result = projected_position(contract, TODAY).result
    assert result.savings == D("-210000.00")
    assert result.network_overspend_share == D("105000.00")  # 50% of the slice


def test_too_few_scored_months_give_no_score_and_no_penalty(system, with_scheme):
    contract = with_scheme
    cost(contract, ENDED, "950000.00")
    scored(system, contract, "29.6", months=ENDED[:5])  # 5 of 7: 71% under 75%
    position = projected_position(contract, TODAY)
    assert position.months_scored == 5
    assert position.inputs.coverage == D("71.43")
    assert position.mean_score == D("5.00")
    assert position.inputs.score is None
    assert position.result.network_savings_share == 0  # the commissioner keeps it all
    assert position.result.support_plan is True
    assert position.result.penalty == 0


def test_no_position_without_a_year_in_progress_or_a_scheme(system, contract, with_scheme):
    assert projected_position(contract, dt.date(2024, 3, 1)) is None  # before the contract
    assert projected_position(contract, dt.date(2030, 1, 1)) is None  # after it
    assert projected_position(system.contract_b, TODAY) is None  # no scheme


def test_only_the_parties_to_the_contract_see_the_position(system, with_scheme):
    contract = with_scheme
    assert projected_position(contract, TODAY, system.commissioner) is not None
    assert projected_position(contract, TODAY, system.network_manager_a) is not None
    for user in (system.provider_a, system.provider_b, system.lay_partner, system.outsider):
        assert projected_position(contract, TODAY, user) is None


def test_the_dashboard_shows_the_current_year_position(client, system, with_scheme, monkeypatch):
    contract = with_scheme
    cost(contract, ENDED, "950000.00")
    scored(system, contract, "24.8")
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    client.force_login(system.commissioner)
    html = client.get(reverse("reporting:dashboard"), {"contract": contract.pk}).content.decode()
    assert "Year 1 so far (April 2024 to March 2025)" in html
    assert "65.0, from 7 of the 7 months ended (100% coverage)" in html
    assert "£350,000.00 saved: 7 of 12 months costed" in html
    assert "The network would keep 50% of the savings, £175,000.00 (band 60 to 75)" in html
    assert "None: the score is not below the support threshold of 50" in html
    assert "£253,000.00 from the commissioner to the network" in html
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">52%</td>' in html
    assert "£78,000.00" in html
    # A member provider of the network sees its own data, not the network's incentives.
    client.force_login(system.provider_a)
    response = client.get(reverse("reporting:dashboard"), {"contract": contract.pk})
    assert response.context["board"].projection is None
    assert "so far (April 2024" not in response.content.decode()


def test_the_dashboard_shows_penalty_risk(client, system, with_scheme, monkeypatch):
    contract = with_scheme
    cost(contract, ENDED, "1000000.00")
    scored(system, contract, "29.6")
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    client.force_login(system.network_manager_a)
    html = client.get(reverse("reporting:dashboard"), {"contract": contract.pk}).content.decode()
    assert (
        "45 points below the support threshold of 50: a support plan would be raised; "
        "25 points below the penalty threshold of 30: a penalty of £240,000.00"
    ) in html
    assert "£234,000.00 from the network to the commissioner" in html
