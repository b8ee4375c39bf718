"""docs/incentives.md's worked example is recomputed with the settlement
maths: every line and amount in its two tables must be what settle() gives
with the default scheme; and the defaults its rules state are those of
incentives.defaults."""

from dataclasses import replace
from decimal import Decimal

from incentives import defaults
from incentives.settlement import Band, Corridor, Indicator, Inputs, Scheme, settle
from tests.paths import ROOT

D = Decimal
DOC = ROOT / "docs" / "incentives.md"

# The worked example's scheme: the defaults, and one quality indicator
# taking the whole pot.
SCHEME = Scheme(
    version="scheme v1",
    gateway_score=defaults.GATEWAY_SCORE,
    bands=tuple(Band(*(None if n is None else D(n) for n in band)) for band in defaults.BANDS),
    corridors=tuple(
        Corridor(*(None if n is None else D(n) for n in corridor))
        for corridor in defaults.CORRIDORS
    ),
    support_threshold=defaults.SUPPORT_THRESHOLD,
    penalty_threshold=defaults.PENALTY_THRESHOLD,
    penalty_rate=defaults.PENALTY_RATE,
    penalty_cap=defaults.PENALTY_CAP,
    quality_pot=defaults.QUALITY_POT,
    indicators=(
        Indicator(
            "EMADM", "Emergency admissions per 1,000 people aged 75+", D(30), D(20), D("1.25")
        ),
    ),
)
MILLIONS = D("12000000.00")


def money(amount: Decimal) -> str:
    sign = "\u2212" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def table(title: str) -> str:
    """The markdown table after the paragraph starting with `title`."""
    text = DOC.read_text()
    start = text.index(title)
    end = text.index("\n\n", text.index("| Line |", start))
    return text[start:end]


def rows(result) -> list[str]:
    return [
        f"| {line.label} | {'' if line.amount is None else money(line.amount)} |"
        for line in result.lines
    ]


def check(title: str, result) -> None:
    documented = [
        line for line in table(title).splitlines() if line.startswith("| ") and "---" not in line
    ][1:]
    expected = rows(result)
    assert len(documented) == len(expected)
    for doc_line, row in zip(documented, expected, strict=True):
        assert doc_line.replace("| |", "|  |").startswith(row.replace("| |", "|  |")), (
            doc_line,
            row,
        )


def test_year_one_savings_example():
    result = settle(
        SCHEME,
        Inputs(MILLIONS, D("11400000.00"), MILLIONS, D("65.00"), D(100), {"EMADM": D("24.8")}),
    )
    assert result.net_transfer == D("378000.00")
    check("**Year 1:", result)


def test_year_two_overspend_example():
    result = settle(
        replace(SCHEME, at_risk_percent=D(10)),
        Inputs(MILLIONS, D("12300000.00"), MILLIONS, D("45.00"), D(100), {"EMADM": D("24.8")}),
    )
    assert result.net_transfer == D("483000.00")
    check("**Year 2:", result)
    for score, penalty in ((D(25), D("60000.00")), (D(5), D("240000.00"))):
        inputs = Inputs(MILLIONS, MILLIONS, MILLIONS, score, D(100))
        assert settle(SCHEME, inputs).penalty == penalty
        assert money(penalty) in DOC.read_text()


def test_the_rules_state_the_defaults():
    text = " ".join(DOC.read_text().split())
    bands = ", ".join(f"{lower}-{upper}: {share}%" for lower, upper, share in defaults.BANDS)
    assert f"(defaults {bands})" in text
    (first, second, last) = defaults.CORRIDORS
    assert (
        f"(defaults {first[0]}-{first[1]}%: the network carries {first[2]}%, "
        f"{second[0]}-{second[1]}%: {second[2]}%, above {last[0]}%: {last[2]}%)"
    ) in text
    for words in (
        f"minimum coverage (default {defaults.MINIMUM_COVERAGE}%)",
        f"quality gateway (default {defaults.GATEWAY_SCORE})",
        f"support threshold (default {defaults.SUPPORT_THRESHOLD})",
        f"number of days, default {defaults.SUPPORT_PLAN_DUE_DAYS};",
        f"penalty threshold (default {defaults.PENALTY_THRESHOLD})",
        f"rate (default {defaults.PENALTY_RATE}%)",
        f"capped (default {defaults.PENALTY_CAP}%)",
        f"pot (default {defaults.QUALITY_POT}% of contract value)",
    ):
        assert words in text
