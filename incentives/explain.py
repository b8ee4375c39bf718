"""Plain words for lay readers: how a network's payment for a contract year
depended on its outcomes, from a signed-off settlement's figures (as
incentives.selectors.public_settlement gives them). No Django here."""

import datetime as dt
from decimal import Decimal

from core.numbers import money as format_money
from core.numbers import plain


def year_label(start: dt.date, end: dt.date) -> str:
    """2024/25 for April 2024 to March 2025; 2025 for a calendar year."""
    return str(start.year) if start.year == end.year else f"{start.year}/{end.year % 100:02d}"


def money(amount: Decimal) -> str:
    """£1,200,000 (pence only when there are any: £1,234.56), without a sign:
    the sentence says which way the money goes."""
    return format_money(abs(amount), drop_zero_pence=True)


def number(value: Decimal) -> str:
    return str(plain(value))


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def sentences(figures: dict, name: str) -> list[str]:
    """What `name` (the network or provider) earned or paid for one contract
    year and why, in the order the rules apply."""
    year = year_label(
        dt.date.fromisoformat(figures["start_date"]), dt.date.fromisoformat(figures["end_date"])
    )
    score = _dec(figures["score"])
    savings = Decimal(figures["savings"])
    share = Decimal(figures["network_savings_share"])
    said_score = (
        f"{name}'s outcome score was {number(score)} out of 100"
        if score is not None
        else f"there was not enough data to give {name} an outcome score"
    )
    text = []
    if savings > 0 and share > 0:
        text.append(
            f"In {year} {said_score}, which earned it "
            f"{number(Decimal(figures['network_share_percent']))}% of the {money(savings)} "
            f"saved against the budget: {money(share)}. The commissioner kept the rest."
        )
    elif savings > 0:
        reason = (
            f"below the {number(Decimal(figures['gateway']))} needed to share in savings"
            if score is not None
            else "and without one there is no share of savings"
        )
        text.append(
            f"In {year} {said_score}, {reason}, so the commissioner kept all of the "
            f"{money(savings)} saved against the budget."
        )
    elif savings < 0:
        text.append(
            f"In {year} {said_score}. The services cost {money(savings)} more than the "
            f"budget, and {name} paid {money(Decimal(figures['network_overspend_share']))} "
            "of that overspend."
        )
    else:
        text.append(
            f"In {year} {said_score}. The services cost exactly the budget, so there "
            "were no savings to share."
        )
    penalty = Decimal(figures["penalty"])
    if penalty > 0:
        text.append(
            f"Because the score was below {number(Decimal(figures['penalty_threshold']))}, "
            f"{name} paid a penalty of {money(penalty)} and agreed a plan of support "
            "(such as peer support and training) with the commissioner."
        )
    elif figures["support_plan"]:
        why = (
            f"the score was below {number(Decimal(figures['support_threshold']))}"
            if score is not None
            else "there was no score"
        )
        text.append(
            f"Because {why}, {name} agreed a plan of support (such as peer support and "
            "training) with the commissioner, with no penalty."
        )
    if figures["quality_available"] is not None:
        text.append(
            f"It earned {money(Decimal(figures['quality_payment']))} of the "
            f"{money(Decimal(figures['quality_available']))} set aside for meeting quality goals."
        )
    if figures["at_risk"] is not None:
        text.append(
            f"Of the {money(Decimal(figures['at_risk']))} of its payment that depended on its "
            f"outcome score, it was paid {money(Decimal(figures['outcome_payment']))}, in "
            "proportion to the score."
        )
    net = Decimal(figures["net_transfer"])
    if net > 0:
        text.append(
            f"Altogether, for that year the commissioner paid {name} {money(net)} under the "
            "incentive scheme."
        )
    elif net < 0:
        text.append(
            f"Altogether, for that year {name} paid the commissioner {money(net)} under the "
            "incentive scheme."
        )
    else:
        text.append("Altogether, no money changed hands under the incentive scheme that year.")
    return text
