"""Settlement maths (incentives/settlement.py): a hand-computed case for every
branch of docs/incentives.md, scheme checks, and hypothesis properties."""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incentives.settlement import (
    COMMISSIONER,
    NETWORK,
    RULE_VERSION,
    Band,
    Corridor,
    Indicator,
    Inputs,
    Scheme,
    check_scheme,
    network_share_percent,
    retained_share_curve,
    settle,
)

D = Decimal

DEFAULT = Scheme(
    version="v1",
    gateway_score=D(40),
    bands=(
        Band(D(40), D(60), D(25)),
        Band(D(60), D(75), D(50)),
        Band(D(75), D(90), D(65)),
        Band(D(90), D(100), D(80)),
    ),
    corridors=(
        Corridor(D(0), D(2), D(50)),
        Corridor(D(2), D(5), D(25)),
        Corridor(D(5), None, D(0)),
    ),
    support_threshold=D(50),
    penalty_threshold=D(30),
    penalty_rate=D("0.1"),
    penalty_cap=D(2),
    quality_pot=D("1.25"),
    indicators=(
        Indicator("A", "Care plans agreed", D(60), D(80), D("0.5")),
        Indicator("B", "Emergency admissions", D(30), D(20), D("0.75")),  # lower is better
    ),
)
CONTRACT_VALUE = D("12000000.00")


BUDGET, UNDERSPENT = D("10000000.00"), D("9000000.00")


def inputs(score, actual=UNDERSPENT, budget=BUDGET, **performance):
    return Inputs(
        budget=budget,
        actual_cost=actual,
        contract_value=CONTRACT_VALUE,
        score=None if score is None else D(str(score)),
        coverage=D(100),
        performance=performance,
    )


@pytest.mark.parametrize(
    ("score", "network", "commissioner"),
    [
        (40, "250000.00", "750000.00"),  # at the gateway: first band
        (59.99, "250000.00", "750000.00"),
        (60, "500000.00", "500000.00"),  # a band's lower bound belongs to it
        (74.5, "500000.00", "500000.00"),
        (80, "650000.00", "350000.00"),
        (90, "800000.00", "200000.00"),
        (100, "800000.00", "200000.00"),  # the top band holds 100
        (39.99, "0.00", "1000000.00"),  # below the quality gateway
        (None, "0.00", "1000000.00"),  # no score: gateway not met
    ],
)
def test_savings_in_each_band(score, network, commissioner):
    result = settle(DEFAULT, inputs(score))
    assert result.savings == D("1000000.00")
    assert result.line("gain_share_network").amount == D(network)
    assert result.line("gain_share_commissioner").amount == D(commissioner)
    assert result.network_savings_share == D(network)
    assert not any(line.key.startswith("risk_share") for line in result.lines)


def test_below_gateway_names_the_gateway():
    line = settle(DEFAULT, inputs(35)).line("gain_share_network")
    assert "quality gateway of 40" in line.rule
    assert line.inputs["gateway"] == "40"


def test_overspend_across_all_three_corridors():
    # Overspend £700,000 = 7% of £10m: 2% at 50%, 3% at 25%, 2% at 0%.
    result = settle(DEFAULT, inputs(65, actual=D("10700000.00")))
    assert result.savings == D("-700000.00")
    assert [result.line(f"risk_share_{n}").amount for n in (1, 2, 3)] == [
        D("200000.00"),
        D("300000.00"),
        D("200000.00"),
    ]
    assert [result.line(f"risk_share_{n}_network").amount for n in (1, 2, 3)] == [
        D("100000.00"),
        D("75000.00"),
        D("0.00"),
    ]
    assert result.network_overspend_share == D("175000.00")
    assert result.commissioner_overspend_share == D("525000.00")
    assert not any(line.key.startswith("gain_share") for line in result.lines)


def test_overspend_within_the_first_corridor():
    result = settle(DEFAULT, inputs(65, actual=D("10150000.00")))
    assert result.network_overspend_share == D("75000.00")
    assert "risk_share_2" not in {line.key for line in result.lines}


def test_break_even_moves_no_savings():
    result = settle(DEFAULT, inputs(80, actual=D("10000000.00")))
    assert result.savings == 0
    assert result.network_savings_share == result.network_overspend_share == 0


@pytest.mark.parametrize(
    ("score", "support", "penalty", "capped"),
    [
        (50, False, None, False),  # at the support threshold: none
        (45, True, None, False),  # support, no penalty
        (30, True, None, False),  # at the penalty threshold: none
        (25, True, "60000.00", False),  # 5 points x 0.1% of £12m
        (27.5, True, "30000.00", False),  # fractional points count
        (10, True, "240000.00", False),  # 20 points = 2%, exactly the cap
        (5, True, "240000.00", True),  # 25 points = 2.5%, capped at 2%
        (None, True, None, False),  # no score: support, but no penalty
    ],
)
def test_support_and_penalty_thresholds_with_the_cap(score, support, penalty, capped):
    result = settle(DEFAULT, inputs(score))
    assert result.support_plan is support
    assert result.line("support_plan").label.startswith("Support plan") is support
    if penalty is None:
        assert result.penalty == 0
        assert "penalty" not in {line.key for line in result.lines}
    else:
        line = result.line("penalty")
        assert line.amount == result.penalty == D(penalty)
        assert line.recipient == COMMISSIONER
        assert ("capped" in line.label) is capped


@pytest.mark.parametrize(
    ("a", "b", "paid_a", "paid_b"),
    [
        (70, 25, "30000.00", "45000.00"),  # halfway, both directions
        (80, 20, "60000.00", "90000.00"),  # at the maximum
        (85, 15, "60000.00", "90000.00"),  # beyond the maximum: capped at the weight
        (60, 30, "0.00", "0.00"),  # at the minimum
        (55, 35, "0.00", "0.00"),  # beyond the minimum
        (None, None, "0.00", "0.00"),  # no data earns nothing
    ],
)
def test_quality_payments_between_and_beyond_thresholds(a, b, paid_a, paid_b):
    performance = {
        "A": None if a is None else D(a),
        "B": None if b is None else D(b),
    }
    result = settle(DEFAULT, inputs(65, **performance))
    assert result.line("quality_A").amount == D(paid_a)
    assert result.line("quality_B").amount == D(paid_b)
    assert result.quality_payment == D(paid_a) + D(paid_b)
    assert result.line("quality_total").inputs["pot"] == "150000.00"  # 1.25% of £12m


@pytest.mark.parametrize(
    ("at_risk", "score", "earned", "retained"),
    [
        (D(0), 72.5, None, None),  # year 1: nothing at risk, no lines
        (D(10), 72.5, "870000.00", "330000.00"),  # £1.2m at risk x 0.725
        (D(15), 100, "1800000.00", "0.00"),
        (D(15), None, "0.00", "1800000.00"),  # no score earns nothing
    ],
)
def test_outcome_payment_at_risk_by_contract_year(at_risk, score, earned, retained):
    result = settle(replace(DEFAULT, at_risk_percent=at_risk), inputs(score))
    keys = {line.key for line in result.lines}
    if earned is None:
        assert "outcome_payment" not in keys
        assert result.outcome_payment == 0
    else:
        assert result.line("outcome_payment").amount == D(earned)
        assert result.line("outcome_payment_retained").amount == D(retained)


def test_money_rounds_half_up_to_the_penny_and_parts_add_up():
    scheme = replace(
        DEFAULT,
        quality_pot=D("0.25"),
        indicators=(Indicator("A", "A", D(0), D(3), D("0.25")),),
    )
    result = settle(
        scheme,
        Inputs(
            budget=D("1000.01"),
            actual_cost=D("0.00"),
            contract_value=D("333333.33"),
            score=D(50),
            coverage=D(100),
            performance={"A": D(1)},
        ),
    )
    # 25% of £1,000.01 = £250.0025 -> £250.00; the commissioner has the rest.
    assert result.line("gain_share_network").amount == D("250.00")
    assert result.line("gain_share_commissioner").amount == D("750.01")
    # 0.25% of £333,333.33 x 1/3 = £277.7777... -> £277.78
    assert result.line("quality_A").amount == D("277.78")
    assert result.net_transfer == D("250.00") + D("277.78")
    half = settle(DEFAULT, inputs(50, budget=D("0.02"), actual=D("0.00")))
    assert half.line("gain_share_network").amount == D("0.01")  # £0.005 rounds up


def test_net_transfer_combines_every_line():
    scheme = replace(DEFAULT, at_risk_percent=D(10))
    result = settle(scheme, inputs(25, actual=D("10300000.00"), A=D(70), B=D(25)))
    # overspend 3%: 2% at 50% = 100,000 + 1% at 25% = 25,000; penalty 5 points = 60,000;
    # quality 30,000 + 45,000; outcome 10% of 12m x 0.25 = 300,000.
    assert result.network_overspend_share == D("125000.00")
    assert result.penalty == D("60000.00")
    assert result.net_transfer == D("-125000.00") - D("60000.00") + D("75000.00") + D("300000.00")
    line = result.line("net_transfer")
    assert line.amount == D("190000.00")
    assert line.recipient == NETWORK
    assert line.inputs == {
        "gain_share": "0.00",
        "overspend_share": "125000.00",
        "penalty": "60000.00",
        "quality_payments": "75000.00",
        "outcome_payment": "300000.00",
    }


def test_every_line_names_its_inputs_and_rule_version():
    result = settle(DEFAULT, inputs(65, A=D(70), B=D(25)))
    for line in result.lines:
        assert line.rule and line.inputs
        assert line.rule_version == f"v1 / {RULE_VERSION}"


# --- Scheme checks -----------------------------------------------------------


def test_default_scheme_is_valid():
    assert check_scheme(DEFAULT) == {}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"bands": (Band(D(40), D(65), D(25)), Band(D(60), D(100), D(50)))},
            "bands",
            "overlaps",
        ),
        ({"bands": (Band(D(40), D(60), D(25)), Band(D(65), D(100), D(50)))}, "bands", "gap"),
        ({"bands": (Band(D(45), D(100), D(25)),)}, "bands", "gap after the quality gateway"),
        ({"bands": (Band(D(35), D(100), D(25)),)}, "bands", "below the quality gateway (40)"),
        ({"bands": (Band(D(40), D(90), D(25)),)}, "bands", "must end at 100"),
        ({"bands": (Band(D(40), D(100), D(120)),)}, "bands", "between 0% and 100%"),
        (
            {"bands": (Band(D(40), D(60), D(50)), Band(D(60), D(100), D(25)))},
            "bands",
            "must not fall",
        ),
        ({"bands": ()}, "bands", "at least one"),
        (
            {"corridors": (Corridor(D(0), D(5), D(50)), Corridor(D(2), None, D(25)))},
            "corridors",
            "in order",
        ),
        ({"corridors": (Corridor(D(0), D(2), D(50)),)}, "corridors", "open-ended"),
        (
            {"corridors": (Corridor(D(0), None, D(50)), Corridor(D(2), None, D(0)))},
            "corridors",
            "Only the last",
        ),
        ({"corridors": (Corridor(D(0), None, D(-5)),)}, "corridors", "between 0% and 100%"),
        ({"penalty_cap": D(-1)}, "penalty_cap", "below zero"),
        ({"penalty_rate": D(-1)}, "penalty_rate", "below zero"),
        ({"penalty_threshold": D(60)}, "penalty_threshold", "support comes before"),
        ({"gateway_score": D(120)}, "gateway_score", "between 0 and 100"),
        ({"quality_pot": D(2)}, "indicators", "add up to 1.25%, not the pot of 2%"),
        (
            {
                "indicators": tuple(
                    Indicator(str(n), str(n), D(0), D(1), D("0.25")) for n in range(6)
                ),
                "quality_pot": D("1.5"),
            },
            "indicators",
            "At most 5",
        ),
        (
            {"indicators": (Indicator("A", "A", D(5), D(5), D("1.25")),)},
            "indicators",
            "must differ",
        ),
        ({"at_risk_percent": D(101)}, "at_risk_percents", "between 0% and 100%"),
    ],
)
def test_bad_schemes_are_refused_with_the_field_named(change, field, words):
    errors = check_scheme(replace(DEFAULT, **change))
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


def test_retained_share_curve_steps_at_each_band():
    assert retained_share_curve(DEFAULT) == [
        (D(0), D(0)),
        (D(40), D(25)),
        (D(60), D(50)),
        (D(75), D(65)),
        (D(90), D(80)),
        (D(100), D(80)),
    ]


# --- Properties --------------------------------------------------------------

money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
scores = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)


@st.composite
def schemes(draw):
    gateway = draw(st.decimals(min_value=0, max_value=98, places=0))
    cuts = sorted(
        draw(st.sets(st.decimals(min_value=gateway + 1, max_value=99, places=0), max_size=4))
    )
    edges = [gateway, *cuts, D(100)]
    shares = sorted(draw(st.lists(percents, min_size=len(edges) - 1, max_size=len(edges) - 1)))
    bands = tuple(Band(lo, hi, s) for lo, hi, s in zip(edges, edges[1:], shares, strict=False))
    corridor_cuts = sorted(
        draw(st.sets(st.decimals(min_value=1, max_value=50, places=1), max_size=3))
    )
    corridor_edges = [D(0), *corridor_cuts]
    corridor_shares = draw(
        st.lists(percents, min_size=len(corridor_edges), max_size=len(corridor_edges))
    )
    corridors = tuple(
        Corridor(lo, hi, s)
        for lo, hi, s in zip(corridor_edges, [*corridor_cuts, None], corridor_shares, strict=True)
    )
    support = draw(scores)
    scheme = replace(
        DEFAULT,
        gateway_score=gateway,
        bands=bands,
        corridors=corridors,
        support_threshold=support,
        penalty_threshold=draw(st.decimals(min_value=0, max_value=support, places=2)),
        penalty_rate=draw(st.decimals(min_value=0, max_value=1, places=2)),
        penalty_cap=draw(st.decimals(min_value=0, max_value=10, places=2)),
        at_risk_percent=draw(st.decimals(min_value=0, max_value=20, places=1)),
    )
    assert check_scheme(scheme) == {}
    return scheme


def run(scheme, score, budget, actual, value=CONTRACT_VALUE, **performance):
    return settle(
        scheme,
        Inputs(
            budget=budget,
            actual_cost=actual,
            contract_value=value,
            score=score,
            coverage=D(100),
            performance=performance,
        ),
    )


@given(schemes(), scores, scores, money, money)
def test_network_share_never_decreases_as_the_score_rises(scheme, s1, s2, budget, actual):
    low, high = sorted((s1, s2))
    assert network_share_percent(scheme, low) <= network_share_percent(scheme, high)
    assert (
        run(scheme, low, budget, actual).network_savings_share
        <= run(scheme, high, budget, actual).network_savings_share
    )
    assert run(scheme, low, budget, actual).outcome_payment <= (
        run(scheme, high, budget, actual).outcome_payment
    )


@given(schemes(), st.one_of(st.none(), scores), money, money)
def test_shares_always_sum_to_the_savings_or_overspend(scheme, score, budget, actual):
    result = run(scheme, score, budget, actual)
    if result.savings > 0:
        assert result.network_savings_share + result.commissioner_savings_share == result.savings
        assert 0 <= result.network_savings_share <= result.savings
    else:
        overspend = -result.savings
        assert result.network_overspend_share + result.commissioner_overspend_share == overspend
        slices = [
            line.amount
            for line in result.lines
            if line.key.startswith("risk_share_") and line.key.count("_") == 2
        ]
        assert sum(slices, D(0)) == overspend


@given(schemes(), scores, money)
def test_penalty_never_beyond_the_cap(scheme, score, value):
    result = run(scheme, score, D("100.00"), D("100.00"), value=value)
    cap = (value * scheme.penalty_cap / 100).quantize(D("0.01"))
    assert D(0) <= result.penalty <= cap


@given(
    st.decimals(min_value=-50, max_value=150, places=2),
    st.decimals(min_value=-50, max_value=150, places=2),
    money,
)
def test_quality_payment_is_within_the_pot_and_monotone(p1, p2, value):
    low, high = sorted((p1, p2))
    a_low = run(DEFAULT, D(60), D(0), D(0), value=value, A=low, B=high)
    a_high = run(DEFAULT, D(60), D(0), D(0), value=value, A=high, B=low)
    pot = value * DEFAULT.quality_pot / 100
    # Each indicator is rounded separately: at most half a penny each over.
    assert D(0) <= a_low.quality_payment <= pot + D("0.01")
    assert a_low.line("quality_A").amount <= a_high.line("quality_A").amount  # higher is better
    assert a_low.line("quality_B").amount <= a_high.line("quality_B").amount  # lower is better


@given(schemes(), st.one_of(st.none(), scores), money, money)
def test_net_transfer_is_the_sum_of_its_parts(scheme, score, budget, actual):
    result = run(scheme, score, budget, actual, A=D(70), B=D(25))
    assert result.net_transfer == (
        result.network_savings_share
        - result.network_overspend_share
        - result.penalty
        + result.quality_payment
        + result.outcome_payment
    )
