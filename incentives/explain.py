"""Plain words for lay readers: how a network's payment for a contract year
depended on its outcomes, from a signed-off settlement's figures (as
incentives.selectors.public_settlement gives them). No Django here."""

import datetime as dt
from decimal import Decimal

from core.numbers import fmt, plain
from core.numbers import money as format_money


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


def _months(count: int) -> str:
    return f"{count} month" if count == 1 else f"{count} months"


def _points(value: Decimal) -> str:
    """A distance in score points or a share in percent, to two places at most."""
    return str(plain(value.quantize(Decimal("0.01"))))


def projection_rows(p) -> list[tuple[str, str]]:
    """The contract year so far (an incentives.selectors.Projection) as
    (question, answer) rows for the dashboard: what the year would settle at
    if it ended with today's figures."""
    inputs, result, rules = p.inputs, p.result, p.rules
    score, coverage = inputs.score, fmt(inputs.coverage, 0, "%")
    if score is not None:
        said_score = (
            f"{fmt(score)}, from {p.months_scored} of the {_months(p.months_ended)} ended "
            f"({coverage} coverage)"
        )
    elif p.months_ended:
        said_score = (
            f"Not enough data: {p.months_scored} of the {_months(p.months_ended)} ended "
            f"{'has' if p.months_scored == 1 else 'have'} a score ({coverage}; the scheme "
            f"needs {fmt(p.scheme.minimum_coverage, 0, '%')})"
        )
    else:
        said_score = "No month of the year has ended yet"

    if result.savings > 0:
        cost = f"{format_money(result.savings)} saved"
    elif result.savings < 0:
        cost = f"{format_money(-result.savings)} over budget"
    else:
        cost = "On budget"
    cost += (
        f": {p.year.months_with_actual} of {len(p.year.months)} months costed, "
        f"against a budget of {format_money(inputs.budget)} for the year"
    )

    if result.savings > 0 and result.band:
        share = (
            f"The network would keep {_points(result.network_share_percent)}% of the savings, "
            f"{format_money(result.network_savings_share)} "
            f"(band {result.band.lower} to {result.band.upper})"
        )
    elif result.savings > 0:
        why = (
            "without a score"
            if score is None
            else f"the score is below the quality gateway of {rules.gateway_score}"
        )
        share = f"None: {why}, so the commissioner would keep all the savings"
    elif result.savings < 0:
        share = (
            f"The network would carry {format_money(result.network_overspend_share)} "
            "of the overspend"
        )
    else:
        share = "No savings or overspend to share"

    if score is None:
        penalty = "Without a score a support plan would be raised, never a penalty"
    elif p.points_below_support:
        penalty = (
            f"{_points(p.points_below_support)} points below the support threshold of "
            f"{rules.support_threshold}: a support plan would be raised"
        )
        if result.penalty:
            penalty += (
                f"; {_points(p.points_below_penalty)} points below the penalty threshold of "
                f"{rules.penalty_threshold}: a penalty of {format_money(result.penalty)}"
            )
        else:
            penalty += f"; no penalty (the penalty threshold is {rules.penalty_threshold})"
    else:
        penalty = f"None: the score is not below the support threshold of {rules.support_threshold}"

    rows = [
        ("Outcome score to date", said_score),
        ("Cost against budget to date", cost),
        ("Projected savings share", share),
        ("Penalty risk", penalty),
    ]
    if rules.at_risk_percent:
        rows.append(
            (
                "Outcome payment at risk earned",
                f"{format_money(result.outcome_payment)} of {rules.at_risk_percent}% "
                "of the contract value",
            )
        )
    net = result.net_transfer
    rows.append(
        (
            "Projected net transfer",
            f"{format_money(-net)} from the network to the commissioner"
            if net < 0
            else f"{format_money(net)} from the commissioner to the network",
        )
    )
    return rows
