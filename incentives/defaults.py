"""What a new incentive scheme is filled in with (docs/incentives.md, Rules):
the one definition of every default, used by the model's field defaults
(and so by incentives.services for a parameter left out, and the API), the
scheme form, the demo data and the tests. Every number is a setting of the
contract's scheme; these are only where a new one starts. No Django."""

from decimal import Decimal

GATEWAY_SCORE = Decimal(40)  # no gain share below this aggregate score
SUPPORT_THRESHOLD = Decimal(50)  # a support plan below this score
PENALTY_THRESHOLD = Decimal(30)  # a penalty below this score
PENALTY_RATE = Decimal("0.1")  # % of contract value per point below the penalty threshold
PENALTY_CAP = Decimal(2)  # the most a penalty can be, % of contract value
QUALITY_POT = Decimal("1.25")  # quality payments available, % of contract value
MINIMUM_COVERAGE = Decimal(75)  # % of the year's months with a score for the year to have one
SUPPORT_PLAN_DUE_DAYS = 30  # days the network has to carry out a support plan

# Gain share: (lower, upper, the network's % of savings), from the gateway to 100.
BANDS = ((40, 60, 25), (60, 75, 50), (75, 90, 65), (90, 100, 80))
# Risk share: (lower, upper, the network's % of the slice) of the overspend as
# % of the budget; the last corridor is open-ended (upper None).
CORRIDORS = ((0, 2, 50), (2, 5, 25), (5, None, 0))


def bands() -> list[dict]:
    """The default gain-share bands as incentives.services takes them."""
    return [
        {"lower": lower, "upper": upper, "network_share": share} for lower, upper, share in BANDS
    ]


def corridors() -> list[dict]:
    """The default risk-share corridors as incentives.services takes them."""
    return [
        {"lower": lower, "upper": upper, "network_share": share}
        for lower, upper, share in CORRIDORS
    ]
