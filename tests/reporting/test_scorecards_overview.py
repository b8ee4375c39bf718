"""The overview sentences of a published contract scorecard: the change in
the overall score is the difference of the two whole numbers the sentences
show, so the page never contradicts itself ("18 ... up 1 point ... (16)")."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting.views.scorecards import overview, whole


def snapshot(score, earlier):
    return {
        "organisation": {"name": "Network A"},
        "period_start": "2026-01-01",
        "aggregate": {"score": score},
        "trend": [
            {"period_start": "2025-06-01", "accepted": True, "score": earlier},
            {"period_start": "2026-01-01", "accepted": True, "score": score},
        ],
        "metrics": [],
    }


@pytest.mark.parametrize(
    ("score", "earlier", "sentences"),
    [
        # The audit's case: 17.7 and 16.3 are shown as 18 and 16, so the
        # change is 2 (17.7 - 16.3 = 1.4 rounded on its own would say 1).
        (
            17.7,
            16.3,
            [
                "In January 2026 Network A scored 18 out of 100 overall.",
                "That is up 2 points since June 2025 (16).",
            ],
        ),
        # 1.2 rounds to 1 on its own and as the difference of 55 and 54: singular.
        (
            54.6,
            53.5,
            [
                "In January 2026 Network A scored 55 out of 100 overall.",
                "That is up 1 point since June 2025 (54).",
            ],
        ),
        # 0.8 up would once be "about the same"; 61 against 60 is up 1 point.
        (
            60.6,
            59.8,
            [
                "In January 2026 Network A scored 61 out of 100 overall.",
                "That is up 1 point since June 2025 (60).",
            ],
        ),
        # 0.4 apart, both shown as 40: the same.
        (
            40.4,
            40.0,
            [
                "In January 2026 Network A scored 40 out of 100 overall.",
                "That is the same as in June 2025 (40).",
            ],
        ),
        # 0.9 apart but both shown as 40: the same, not "down 1 point".
        (
            39.6,
            40.4,
            [
                "In January 2026 Network A scored 40 out of 100 overall.",
                "That is the same as in June 2025 (40).",
            ],
        ),
        # Down, and halves rounded up as the page's table rounds them.
        (
            72.5,
            80.49,
            [
                "In January 2026 Network A scored 73 out of 100 overall.",
                "That is down 7 points since June 2025 (80).",
            ],
        ),
        (
            33.0,
            34.0,
            [
                "In January 2026 Network A scored 33 out of 100 overall.",
                "That is down 1 point since June 2025 (34).",
            ],
        ),
    ],
)
def test_change_is_the_difference_of_the_shown_scores(score, earlier, sentences):
    assert overview(snapshot(score, earlier)) == sentences


def test_whole_rounds_half_up_like_the_table():
    assert [whole(v) for v in (16.5, 17.5, 0.5, 99.49, 100.0, 54.375)] == [17, 18, 1, 99, 100, 54]


def test_no_change_sentence_without_an_earlier_score():
    data = snapshot(50.0, None)
    assert overview(data) == ["In January 2026 Network A scored 50 out of 100 overall."]
    data = snapshot(None, 40.0)
    assert overview(data) == [
        "There was not enough data in January 2026 to give Network A an overall score."
    ]


SHOWN = re.compile(r"scored (\d+) out of 100 overall\.")
CHANGE = re.compile(
    r"That is (?:(up|down) (\d+) (point|points) since|the same as in) June 2025 \((\d+)\)\.$"
)
scores = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(scores, scores)
def test_stated_change_equals_the_difference_of_the_stated_scores(score, earlier):
    first, second = overview(snapshot(score, earlier))
    now = int(SHOWN.search(first).group(1))
    direction, amount, unit, before = CHANGE.fullmatch(second).groups()
    stated = {"up": 1, "down": -1, None: 0}[direction] * int(amount or 0)
    assert stated == now - int(before)
    if direction is not None:
        assert stated != 0 and (unit == "point") == (abs(stated) == 1)
    # And the stated numbers are the scores, rounded to the nearest whole number.
    assert abs(now - score) <= 0.5 and abs(int(before) - earlier) <= 0.5
