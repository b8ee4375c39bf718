"""docs/incentives.md's worked example is recomputed with the settlement
maths: every line and amount in its two tables must be what settle() gives."""

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from incentives.settlement import Band, Corridor, Indicator, Inputs, Scheme, settle

D = Decimal
DOC = Path(__file__).resolve().parent.parent / "docs" / "incentives.md"

SCHEME = Scheme(
    version="scheme v1",
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
