"""360 feedback results: per statement, the share of responses agreeing or
strongly agreeing, with the number of responses; suppressed below a minimum
number so that nobody's answer can be picked out. Plain Python, no Django."""

from collections.abc import Iterable
from dataclasses import dataclass

AGREE, STRONGLY_AGREE = 4, 5  # on the 1 (strongly disagree) to 5 (strongly agree) scale


@dataclass(frozen=True)
class StatementResult:
    number: int
    text: str
    responses: int
    agreeing: int | None  # None when suppressed
    share: float | None  # % agreeing or strongly agreeing; None when suppressed

    @property
    def suppressed(self) -> bool:
        return self.share is None


def summarise(
    statements: Iterable[tuple[int, int, str]],
    answers: Iterable[tuple[int, int]],
    minimum: int,
) -> list[StatementResult]:
    """`statements` are (id, number, text); `answers` are (statement id,
    agreement 1-5). A statement with fewer than `minimum` responses shows only
    its count."""
    counts: dict[int, list[int]] = {}
    for statement_id, agreement in answers:
        tally = counts.setdefault(statement_id, [0, 0])
        tally[0] += 1
        tally[1] += agreement in (AGREE, STRONGLY_AGREE)
    results = []
    for statement_id, number, text in statements:
        responses, agreeing = counts.get(statement_id, (0, 0))
        if responses < minimum:
            results.append(StatementResult(number, text, responses, None, None))
        else:
            results.append(
                StatementResult(number, text, responses, agreeing, 100 * agreeing / responses)
            )
    return results
