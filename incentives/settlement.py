"""Settlement maths for incentive schemes (docs/incentives.md): no Django
here, only Decimal arithmetic, so every rule is exact and fast to test.

Every number is a scheme parameter (`Scheme`). Percentages are given as
percent (25 means 25%). Money is rounded to the penny, half up, once per
line; where an amount is split between the network and the commissioner
the network's part is rounded and the commissioner's part is the remainder,
so the parts always add up to the whole.

Rules:
- Savings S = planned budget - actual cost.
- Gain share (S > 0): below the quality gateway score (or with no score) the
  commissioner keeps all of S; otherwise the band holding the score gives
  the network's share (bands run from the gateway to 100; a band holds
  lower <= score < upper, the top band also holds 100).
- Risk share (S < 0): the overspend is cut into corridors as % of budget;
  the network carries its share of each slice, the commissioner the rest.
- Support: below the support threshold (or with no score) a support plan is
  raised. Penalty: below the penalty threshold, rate % of the contract value
  per point below it (fractional points count), capped at cap % of it.
- Quality payment: each indicator earns weight % of the contract value x
  clamp((performance - minimum) / (maximum - minimum), 0, 1); for a
  lower-is-better indicator the minimum is the higher number, so the same
  formula holds. No data earns nothing.
- Outcome payment at risk: at-risk % of the contract value x score / 100 is
  earned by the network; the rest is retained by the commissioner.
- Net transfer (commissioner to network; negative means the network pays):
  network's gain share - network's overspend share - penalty
  + quality payments + outcome payment earned.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

RULE_VERSION = "settlement-2026.1"  # bump when a rule above changes; stored on every line

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

NETWORK, COMMISSIONER = "network", "commissioner"


def pennies(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return pennies(amount * percent / HUNDRED)


@dataclass(frozen=True)
class Band:
    """Gain-share band: scores in [lower, upper) keep `network_share` % of savings."""

    lower: Decimal
    upper: Decimal
    network_share: Decimal


@dataclass(frozen=True)
class Corridor:
    """Overspend between `lower` and `upper` % of budget (None: no upper end);
    the network carries `network_share` % of that slice."""

    lower: Decimal
    upper: Decimal | None
    network_share: Decimal


@dataclass(frozen=True)
class Indicator:
    """A quality-payment indicator: `weight` is % of contract value; full
    payment at `maximum` performance, nothing at `minimum` or worse."""

    code: str
    name: str
    minimum: Decimal
    maximum: Decimal
    weight: Decimal


@dataclass(frozen=True)
class Scheme:
    version: str
    gateway_score: Decimal
    bands: tuple[Band, ...]
    corridors: tuple[Corridor, ...]
    support_threshold: Decimal
    penalty_threshold: Decimal
    penalty_rate: Decimal
    penalty_cap: Decimal
    quality_pot: Decimal
    indicators: tuple[Indicator, ...] = ()
    at_risk_percent: Decimal = ZERO  # for this contract year; 0 unless capitated outcomes


@dataclass(frozen=True)
class Inputs:
    budget: Decimal
    actual_cost: Decimal
    contract_value: Decimal
    score: Decimal | None  # aggregate outcome score for the year; None: insufficient data
    coverage: Decimal  # % of the year's months with an aggregate score
    performance: dict[str, Decimal | None] = field(default_factory=dict)  # by indicator code


@dataclass(frozen=True)
class Line:
    """One line of a settlement statement: what it is, the inputs and rule it
    came from, the amount (None for a line that moves no money) and who
    receives it."""

    key: str
    label: str
    amount: Decimal | None
    recipient: str  # NETWORK, COMMISSIONER or "" (no money moves)
    inputs: dict[str, str]
    rule: str
    rule_version: str


@dataclass
class Result:
    lines: list[Line]
    savings: Decimal
    band: Band | None
    network_share_percent: Decimal  # of savings, at the score (whether or not there are any)
    network_savings_share: Decimal
    commissioner_savings_share: Decimal
    network_overspend_share: Decimal
    commissioner_overspend_share: Decimal
    support_plan: bool
    penalty: Decimal
    quality_payment: Decimal
    outcome_payment: Decimal
    net_transfer: Decimal

    def line(self, key: str) -> Line:
        return next(line for line in self.lines if line.key == key)


def band_for(bands: tuple[Band, ...], score: Decimal) -> Band | None:
    for index, band in enumerate(bands):
        top = index == len(bands) - 1
        if band.lower <= score < band.upper or (top and score == band.upper):
            return band
    return None


def network_share_percent(scheme: Scheme, score: Decimal | None) -> Decimal:
    """The % of savings the network keeps at `score` (0 below the gateway)."""
    if score is None or score < scheme.gateway_score:
        return ZERO
    band = band_for(scheme.bands, score)
    return band.network_share if band else ZERO


def achievement(indicator: Indicator, performance: Decimal | None) -> Decimal:
    """The share (0 to 1) of an indicator's weight earned."""
    if performance is None:
        return ZERO
    fraction = (performance - indicator.minimum) / (indicator.maximum - indicator.minimum)
    return min(max(fraction, Decimal(0)), Decimal(1))


def _fmt(value) -> str:
    return "none" if value is None else str(value)


def settle(scheme: Scheme, inputs: Inputs) -> Result:
    """The settlement of one contract year under `scheme`."""
    version = f"{scheme.version} / {RULE_VERSION}"
    lines: list[Line] = []

    def add(key, label, amount, recipient, rule, **used):
        named = {name: _fmt(value) for name, value in used.items()}
        lines.append(Line(key, label, amount, recipient, named, rule, version))

    score = inputs.score
    savings = inputs.budget - inputs.actual_cost
    add(
        "savings",
        "Savings" if savings >= 0 else "Overspend",
        savings,
        "",
        "savings = planned budget - actual cost",
        planned_budget=inputs.budget,
        actual_cost=inputs.actual_cost,
    )
    add(
        "score",
        "Aggregate outcome score for the year",
        None,
        "",
        "mean of the monthly aggregate scores; none when coverage is too low",
        score=score,
        coverage_percent=inputs.coverage,
    )

    # Gain share.
    band = None
    net_gain = ZERO
    if savings > 0:
        share = network_share_percent(scheme, score)
        band = band_for(scheme.bands, score) if share else None
        net_gain = percent_of(savings, share)
        if band:
            rule = (
                f"score {score} is in band {band.lower}-{band.upper}: "
                f"the network keeps {band.network_share}% of savings"
            )
        else:
            rule = f"no gain share below the quality gateway of {scheme.gateway_score}"
        add(
            "gain_share_network",
            "Network's share of savings",
            net_gain,
            NETWORK,
            rule,
            savings=savings,
            score=score,
            gateway=scheme.gateway_score,
            network_share_percent=share,
        )
        add(
            "gain_share_commissioner",
            "Commissioner's share of savings",
            savings - net_gain,
            COMMISSIONER,
            "the savings less the network's share",
            savings=savings,
            network_share=net_gain,
        )

    # Risk share: the overspend cut into corridors of the budget.
    net_over = ZERO
    overspend = -savings if savings < 0 else ZERO
    for number, corridor in enumerate(scheme.corridors, start=1):
        if overspend == 0:
            break
        low = percent_of(inputs.budget, corridor.lower)
        high = None if corridor.upper is None else percent_of(inputs.budget, corridor.upper)
        top = overspend if high is None else min(overspend, high)
        slice_ = max(top - low, ZERO)
        if slice_ == 0:
            continue
        network_part = percent_of(slice_, corridor.network_share)
        net_over += network_part
        upper = "and above" if corridor.upper is None else f"to {corridor.upper}%"
        add(
            f"risk_share_{number}",
            f"Overspend {corridor.lower}% {upper} of budget",
            slice_,
            "",
            f"the network carries {corridor.network_share}% of this slice",
            overspend=overspend,
            planned_budget=inputs.budget,
            corridor_from=low,
            corridor_to=high,
        )
        add(
            f"risk_share_{number}_network",
            f"Network carries ({corridor.network_share}%)",
            network_part,
            COMMISSIONER,
            f"{corridor.network_share}% of the slice, paid to the commissioner",
            slice=slice_,
            network_share_percent=corridor.network_share,
        )
        add(
            f"risk_share_{number}_commissioner",
            f"Commissioner carries ({HUNDRED - corridor.network_share}%)",
            slice_ - network_part,
            "",
            "the slice less the network's part",
            slice=slice_,
            network_part=network_part,
        )

    # Support before penalty.
    support = score is None or score < scheme.support_threshold
    add(
        "support_plan",
        "Support plan (peer support, training)" if support else "No support plan needed",
        None,
        "",
        f"a support plan is raised below score {scheme.support_threshold} or with no score",
        score=score,
        support_threshold=scheme.support_threshold,
    )
    penalty = ZERO
    if score is not None and score < scheme.penalty_threshold:
        points = scheme.penalty_threshold - score
        uncapped = percent_of(inputs.contract_value, points * scheme.penalty_rate)
        cap = percent_of(inputs.contract_value, scheme.penalty_cap)
        penalty = min(uncapped, cap)
        add(
            "penalty",
            "Underperformance penalty" + (" (capped)" if uncapped > cap else ""),
            penalty,
            COMMISSIONER,
            f"{scheme.penalty_rate}% of contract value per point below "
            f"{scheme.penalty_threshold}, at most {scheme.penalty_cap}%",
            score=score,
            points_below=points,
            contract_value=inputs.contract_value,
            uncapped=uncapped,
            cap=cap,
        )

    # Quality payments.
    quality = ZERO
    for indicator in scheme.indicators:
        performance = inputs.performance.get(indicator.code)
        fraction = achievement(indicator, performance)
        earned = pennies(inputs.contract_value * indicator.weight / HUNDRED * fraction)
        quality += earned
        add(
            f"quality_{indicator.code}",
            f"Quality payment: {indicator.name}",
            earned,
            NETWORK,
            f"{indicator.weight}% of contract value x clamp((performance - minimum) / "
            "(maximum - minimum), 0, 1)",
            performance=performance,
            minimum=indicator.minimum,
            maximum=indicator.maximum,
            achieved_fraction=fraction.quantize(Decimal("0.0001")),
            contract_value=inputs.contract_value,
        )
    if scheme.indicators:
        add(
            "quality_total",
            f"Quality payments (pot {scheme.quality_pot}% of contract value)",
            quality,
            NETWORK,
            "the sum of the indicators' payments",
            pot=percent_of(inputs.contract_value, scheme.quality_pot),
        )

    # Outcome payment at risk.
    outcome = ZERO
    if scheme.at_risk_percent > 0:
        at_risk = percent_of(inputs.contract_value, scheme.at_risk_percent)
        outcome = pennies(at_risk * (score or 0) / HUNDRED)
        add(
            "outcome_payment",
            "Outcome payment at risk earned",
            outcome,
            NETWORK,
            f"{scheme.at_risk_percent}% of contract value x score / 100",
            contract_value=inputs.contract_value,
            at_risk=at_risk,
            score=score,
        )
        add(
            "outcome_payment_retained",
            "Outcome payment at risk retained",
            at_risk - outcome,
            COMMISSIONER,
            "the amount at risk less the amount earned",
            at_risk=at_risk,
            earned=outcome,
        )

    net = net_gain - net_over - penalty + quality + outcome
    add(
        "net_transfer",
        "Net transfer to the network" if net >= 0 else "Net transfer to the commissioner",
        net,
        NETWORK if net >= 0 else COMMISSIONER,
        "gain share - overspend share - penalty + quality payments + outcome payment",
        gain_share=net_gain,
        overspend_share=net_over,
        penalty=penalty,
        quality_payments=quality,
        outcome_payment=outcome,
    )
    return Result(
        lines=lines,
        savings=savings,
        band=band,
        network_share_percent=network_share_percent(scheme, score),
        network_savings_share=net_gain,
        commissioner_savings_share=savings - net_gain if savings > 0 else ZERO,
        network_overspend_share=net_over,
        commissioner_overspend_share=overspend - net_over,
        support_plan=support,
        penalty=penalty,
        quality_payment=quality,
        outcome_payment=outcome,
        net_transfer=net,
    )


MAX_INDICATORS = 5


def _is_percent(value: Decimal) -> bool:
    return Decimal(0) <= value <= HUNDRED


def check_scheme(scheme: Scheme) -> dict[str, list[str]]:
    """Every problem with a scheme's parameters, by field name (empty if none)."""
    errors: dict[str, list[str]] = {}

    def error(name, message):
        errors.setdefault(name, []).append(message)

    for name in ("gateway_score", "support_threshold", "penalty_threshold"):
        if not _is_percent(getattr(scheme, name)):
            error(name, "A score threshold must be between 0 and 100.")
    if scheme.penalty_threshold > scheme.support_threshold:
        error(
            "penalty_threshold",
            "The penalty threshold must not be above the support threshold: "
            "support comes before penalties.",
        )
    if scheme.penalty_rate < 0:
        error("penalty_rate", "The penalty rate must not be below zero.")
    if scheme.penalty_cap < 0:
        error("penalty_cap", "The penalty cap must not be below zero.")
    elif scheme.penalty_cap > HUNDRED:
        error("penalty_cap", "The penalty cap must not be above 100%.")
    if not _is_percent(scheme.at_risk_percent):
        error("at_risk_percents", "The share at risk must be between 0% and 100%.")

    if not scheme.bands:
        error("bands", "Give at least one gain-share band.")
    expected = scheme.gateway_score
    for number, band in enumerate(scheme.bands, start=1):
        if band.lower < expected and number == 1:
            error(
                "bands",
                f"Band 1 starts at {band.lower}, below the quality gateway ({expected}): "
                "the first band starts at the gateway.",
            )
        elif band.lower < expected:
            error("bands", f"Band {number} starts at {band.lower}: it overlaps the band before.")
        elif band.lower > expected:
            what = "the quality gateway" if number == 1 else "the band before"
            error(
                "bands",
                f"Band {number} starts at {band.lower}, leaving a gap after {what} ({expected}).",
            )
        if band.upper <= band.lower:
            error("bands", f"Band {number} must end above where it starts.")
        if not _is_percent(band.network_share):
            error("bands", f"Band {number}: the network's share must be between 0% and 100%.")
        if number > 1 and band.network_share < scheme.bands[number - 2].network_share:
            error(
                "bands",
                f"Band {number}: the network's share must not fall as the score rises.",
            )
        expected = band.upper
    if scheme.bands and scheme.bands[-1].upper != HUNDRED:
        error("bands", f"The last band must end at 100 (it ends at {scheme.bands[-1].upper}).")

    expected = Decimal(0)
    for number, corridor in enumerate(scheme.corridors, start=1):
        if corridor.lower != expected:
            error(
                "corridors",
                f"Corridor {number} must start at {expected}% where the one before ends "
                f"(it starts at {corridor.lower}%): corridors run in order without gaps.",
            )
        last = number == len(scheme.corridors)
        if corridor.upper is None and not last:
            error("corridors", f"Only the last corridor may be open-ended (corridor {number}).")
        if corridor.upper is not None and last:
            error("corridors", "The last corridor must be open-ended (no upper limit).")
        if corridor.upper is not None and corridor.upper <= corridor.lower:
            error("corridors", f"Corridor {number} must end above where it starts.")
        if not _is_percent(corridor.network_share):
            error(
                "corridors",
                f"Corridor {number}: the network's share must be between 0% and 100%.",
            )
        expected = corridor.upper if corridor.upper is not None else expected

    if not _is_percent(scheme.quality_pot):
        error("quality_pot", "The quality pot must be between 0% and 100% of contract value.")
    if len(scheme.indicators) > MAX_INDICATORS:
        error(
            "indicators",
            f"At most {MAX_INDICATORS} quality indicators (got {len(scheme.indicators)}).",
        )
    for number, indicator in enumerate(scheme.indicators, start=1):
        if indicator.weight < 0:
            error("indicators", f"Indicator {number}: the weight must not be below zero.")
        if indicator.minimum == indicator.maximum:
            error("indicators", f"Indicator {number}: the minimum and maximum must differ.")
    weights = sum((i.weight for i in scheme.indicators), Decimal(0))
    if (scheme.indicators or scheme.quality_pot) and weights != scheme.quality_pot:
        error(
            "indicators",
            f"The indicators' weights add up to {weights}%, not the pot of "
            f"{scheme.quality_pot}% of contract value.",
        )
    return errors


def retained_share_curve(scheme: Scheme) -> list[tuple[Decimal, Decimal]]:
    """(score, network's % of savings) at each point where the share changes,
    from 0 to 100: a step function for charts."""
    points = [(Decimal(0), ZERO)]
    for band in scheme.bands:
        if band.lower >= scheme.gateway_score:
            points.append((band.lower, band.network_share))
    points.append((HUNDRED, network_share_percent(scheme, HUNDRED)))
    return points
