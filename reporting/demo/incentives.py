"""Demo incentives for seed_demo: a scheme for each network contract (the
defaults, incentives.defaults, with two quality indicators each and, for
the outcomes-based contract, payment at risk by year), actual costs for the
years the demo covers, and settlements of the ended years: year 1 of the
older people's contract signed off, the others drafts (one with a comment
from the network). Idempotent and deterministic: a rerun changes nothing."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from contracts.models import ActualCost
from contracts.selectors import even_split, year_months
from incentives import defaults, services
from incentives.models import IncentiveScheme, Settlement
from outcomes.models import Metric
from reporting.demo.contracts import upsert
from reporting.demo.outcomes import REFERENCE_DATE

# contract: (quality indicators (code, nothing at, full at, weight %), % at risk by year)
SCHEMES = {
    "QNW-OPC-2024": (
        [("QOC-FALLS", 9, 6, "0.5"), ("OPS-RESP2H", 70, 90, "0.75")],
        ["0", "10", "10", "15", "15"],
    ),
    "QNW-LTC-2024": ([("QOC-CAREPLAN", 50, 85, "0.75"), ("OPS-WAIT18", 85, 95, "0.5")], []),
}
# Actual cost as a share of each year's planned budget: savings, then overspend.
SPEND = {
    "QNW-OPC-2024": [Decimal("0.97"), Decimal("1.035"), Decimal("0.99")],
    "QNW-LTC-2024": [Decimal("0.985"), Decimal("1.01"), Decimal("1.0")],
}
SIGNED_OFF = {("QNW-OPC-2024", 1)}
NETWORK_COMMENT = (
    "QNW-OPC-2024",
    2,
    "The overspend follows the winter surge agreed at the quarterly review; "
    "we would like the risk-share corridors discussed before sign-off.",
)


def seed_incentives(contracts) -> None:
    User = get_user_model()
    commissioner = User.objects.get(username="commissioner")
    for reference, (indicators, at_risk) in SCHEMES.items():
        contract = contracts[reference]
        if not IncentiveScheme.objects.filter(contract=contract).exists():
            services.create_scheme_version(
                user=commissioner,
                contract=contract,
                effective_from_year=1,
                bands=defaults.bands(),
                corridors=defaults.corridors(),
                indicators=[
                    {
                        "metric": Metric.objects.get(code=code),
                        "minimum": low,
                        "maximum": high,
                        "weight": weight,
                    }
                    for code, low, high, weight in indicators
                ],
                at_risk_percents=at_risk,
            )
        _seed_costs(contract, SPEND[reference], commissioner)
        for year in contract.years.filter(end_date__lt=REFERENCE_DATE).order_by("number"):
            settlement = Settlement.objects.filter(contract_year=year).first()
            if settlement is None or not settlement.is_signed_off:
                settlement = services.compute_settlement(contract_year=year, user=commissioner)
            if (reference, year.number) in SIGNED_OFF and not settlement.is_signed_off:
                services.sign_off(user=commissioner, settlement=settlement)
    reference, number, text = NETWORK_COMMENT
    settlement = Settlement.objects.get(contract=contracts[reference], contract_year__number=number)
    if not settlement.comments.filter(text=text).exists():
        manager = User.objects.get(username="network_manager")
        services.add_comment(user=manager, settlement=settlement, text=text)


def _seed_costs(contract, shares, user) -> None:
    """Actual cost per month up to the demo's "today": each year's planned
    budget x its share, split evenly over its months."""
    years = list(contract.years.order_by("number"))
    for index, (year, share) in enumerate(zip(years, shares, strict=False)):
        months = year_months(year, first_year=index == 0)
        amounts = even_split((year.planned_budget * share).quantize(Decimal("0.01")), len(months))
        for month, amount in zip(months, amounts, strict=True):
            if month < REFERENCE_DATE.replace(day=1):
                upsert(
                    ActualCost,
                    contract=contract,
                    month=month,
                    defaults={"amount": amount, "note": "Demo", "recorded_by": user},
                )
