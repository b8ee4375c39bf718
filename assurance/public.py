"""The public page of a published assurance scorecard, for lay readers:
everything it shows is computed from the frozen snapshot
(reporting.assurance_publishing.build_snapshot), never from live data, and read
through `public_snapshot`, which keeps 360 comment text out even of the
snapshots published before comments were left out (version 1), and national
figures from too few commissioners out of those published before version 3.
Since version 4 the snapshot is frozen with the small-numbers rule applied
for every reader (reporting.assurance_publishing)."""

import datetime as dt

from assurance.presentation import TREND_MEANING, outcome_trend
from core.numbers import fmt

LEVELS = [
    (1, "Below baseline", "It does not yet do what is expected of every commissioner."),
    (2, "Baseline", "It does what is expected of every commissioner."),
    (3, "Intermediate", "It does more than is expected, and it shows in the results."),
    (4, "World class", "It is among the best, and others can learn from it."),
]
DIRECTION_TEXT = {
    "higher": "Higher is better.",
    "lower": "Lower is better.",
    "neutral": "Shown for context: neither higher nor lower is better.",
}


def public_feedback(survey: dict) -> dict:
    """A published survey's results without comment text: only how many
    comments there were (None when the survey was below its minimum)."""
    shown = {key: value for key, value in survey.items() if key != "comments"}
    if "comment_count" not in shown:  # version 1: the text was frozen in
        shown["comment_count"] = None if survey["suppressed"] else len(survey["comments"])
    return shown


# Snapshots before version 4 do not record whose values their national
# figures pooled, so the small-numbers rule cannot be applied to them: they
# keep what version 3 allowed, national figures only from at least this many
# commissioners with a value (publishing again applies the rule).
VERSION_3_MIN_COMMISSIONERS = 5
VERSION_3_REASON = (
    f"Fewer than {VERSION_3_MIN_COMMISSIONERS} commissioners had a value: not shown to "
    "protect their figures."
)


def public_outcome(outcome: dict, version: int) -> dict:
    """A published outcome as it may be shown: as frozen since version 4
    (the small-numbers rule decided then); before, without national figures
    from fewer than VERSION_3_MIN_COMMISSIONERS commissioners. Snapshots
    before version 3 froze them whatever the number; they do not say how
    many commissioners each month's average came from, so all of an
    outcome's averages go when its latest month had too few."""
    if version >= 4:
        return outcome
    withheld = None if outcome["peers"] >= VERSION_3_MIN_COMMISSIONERS else VERSION_3_REASON
    if withheld is None:
        return {
            **outcome,
            "withheld": None,
            "months": [{**month, "withheld": None} for month in outcome["months"]],
        }
    return {
        **outcome,
        "rank": None,
        "peers": None,
        "national_average": None,
        "upper_quartile": None,
        "withheld": withheld,
        "months": [
            {**month, "national_average": None, "withheld": withheld} for month in outcome["months"]
        ],
    }


def public_snapshot(snapshot: dict) -> dict:
    """The snapshot as it may be shown to anyone (the stored row is not changed)."""
    return {
        **snapshot,
        "outcomes": [public_outcome(o, snapshot["version"]) for o in snapshot["outcomes"]],
        "feedback": [public_feedback(s) for s in snapshot["feedback"]],
    }


def level_name(level) -> str:
    """A level such as 2.7 in words: the whole level it has reached."""
    if level is None:
        return "not rated"
    return f"{level:.1f} ({LEVELS[int(level) - 1][1].lower()})"


def _month(iso: str | None) -> str | None:
    return None if iso is None else f"{dt.date.fromisoformat(iso):%B %Y}"


def _value_text(value, unit: str) -> str:
    return fmt(value, 1, unit)


def overview(snapshot: dict) -> list[str]:
    """Sentences for lay readers on the assessment as a whole."""
    name, year = snapshot["commissioner"]["name"], snapshot["year"]
    sentences = []
    if snapshot["overall"] is None:
        sentences.append(f"{name} was not given an overall level in {year}.")
    else:
        sentences.append(
            f"Overall, {name} was rated {level_name(snapshot['overall'])} "
            f"on a scale of 1 to 4 in {year}."
        )
        if snapshot["overall_before"] is not None:
            sentences.append(
                f"At its previous assessment it was rated {level_name(snapshot['overall_before'])}."
            )
    trends = [o["trend"] for o in snapshot["outcomes"] if o["trend"]]
    if trends:
        sentences.append(
            f"Of {len(trends)} health outcome{'s' if len(trends) != 1 else ''} with a trend, "
            f"{trends.count('improving')} improved on the year before and "
            f"{trends.count('worsening')} got worse."
        )
    confirmed = sum(g["panel_result"] == "confirmed" for g in snapshot["governance"])
    sentences.append(
        f"The independent panel confirmed {confirmed} of the board's "
        f"{len(snapshot['governance'])} governance statements."
    )
    return sentences


def public_context(snapshot: dict) -> dict:
    snapshot = public_snapshot(snapshot)
    outcomes = []
    for outcome in snapshot["outcomes"]:
        outcomes.append(
            {
                **outcome,
                "direction_text": DIRECTION_TEXT.get(outcome["direction"], ""),
                "value_text": _value_text(outcome["value"], outcome["unit"]),
                "average_text": _value_text(outcome["national_average"], outcome["unit"]),
                "period_text": _month(outcome["period_start"]),
                "trend_view": outcome_trend(
                    outcome["code"],
                    outcome["name"],
                    outcome["unit"],
                    outcome["months"],
                    outcome["trend"],
                ),
            }
        )
    return {
        "overview": overview(snapshot),
        "outcomes": outcomes,
        "trend_meaning": TREND_MEANING,
        "levels": LEVELS,
        "competencies": [
            {**c, "level_text": level_name(c["level"]), "before_text": level_name(c["before"])}
            for c in snapshot["competencies"]
        ],
        "overall_text": level_name(snapshot["overall"]),
        "feedback": [
            {**survey, "closed_text": f"{dt.date.fromisoformat(survey['closed_on']):%-d %B %Y}"}
            for survey in snapshot["feedback"]
        ],
    }
