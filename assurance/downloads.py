"""The assurance scorecard's tables as CSV and Excel downloads (written by
core.exports, formula-leading cells escaped).

`round_table` reads a round live, for the people who see its page
(`/assurance/rounds/<id>/<table>.<csv|xlsx>`); `published_table` reads only a
published snapshot, for anyone (`/scorecards/<id>/<table>.<csv|xlsx>`). Each
table holds what its page shows: an open 360 survey only its number of
responses so far, a statement of a closed one below the survey's minimum
only its count ("Too few responses"), and the share agreeing is the whole
percentage the page shows. Comments are not a table (the public page
shows only how many there were). Only the table asked for is computed."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from assurance import evidence, rollup, selectors
from assurance.public import DIRECTION_TEXT, public_snapshot
from contracts.access import organisations_seen
from core.exports import Table
from core.numbers import as_shown

TOO_FEW = "Too few responses"
NOT_YET = "Results are released when the survey closes"
# The columns saying why the small-numbers rule withheld a row's pooled
# figures (core.small_numbers; empty when they are shown).
WITHHELD_FIGURES = "Rank and national figures not shown because"
WITHHELD_AVERAGE = "National average not shown because"


def _round(value, digits=2):
    return None if value is None else round(float(value), digits)


def _percent(share):
    return None if share is None else round(100 * float(share), 1)


def _day(iso):
    return None if iso is None else dt.date.fromisoformat(iso)


def whole_percent(share):
    """The share agreeing as the pages show it (a whole percentage, halves up),
    or the suppression text."""
    if share is None:
        return TOO_FEW
    return int(Decimal(str(share)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


# --- A round, live (its commissioner and the panel) ---


def _outcomes(round, user) -> Table:
    rows = []
    for row in selectors.outcome_rows(round, [organisations_seen(user)]):
        metric, p = row["metric"], row["position"]
        rows.append(
            [
                metric.code,
                metric.name,
                "National" if metric.is_national else "Local",
                row["period"],
                _round(p.value),
                metric.unit,
                p.rank,
                p.peers if p.rank else None,
                _round(p.national_average),
                _round(p.upper_quartile),
                _percent(row["improvement"]),
                row["trend"],
                p.withheld,
            ]
        )
    return Table(
        "outcomes",
        "Health outcomes",
        [
            "Code",
            "Metric",
            "National or local",
            "Month",
            "Value",
            "Unit",
            "Rank among commissioners",
            "Commissioners ranked",
            "National average",
            "Upper quartile",
            "Improvement from the starting point (% of the gap closed)",
            "On the year before",
            WITHHELD_FIGURES,
        ],
        rows,
    )


def _trends(round, user) -> Table:
    rows = [
        [
            row["metric"].code,
            row["metric"].name,
            month["period_start"],
            _round(month["value"]),
            _round(month["national_average"]),
            month["withheld"],
        ]
        for row in selectors.outcome_rows(round, [organisations_seen(user)])
        for month in row["months"]
    ]
    return Table(
        "trends",
        "Outcomes by month",
        ["Code", "Metric", "Month", "Value", "National average", WITHHELD_AVERAGE],
        rows,
    )


def _competencies(round, user) -> Table:
    competencies, overall, overall_before = selectors.competency_rows(round)
    previous = round.previous_final
    rows = []
    for row in competencies:
        c = row["competency"]
        name = f"{c.number}. {c.name}"
        rows.append([name, None, None, None, row["level"], None, row["last_year"], row["change"]])
        for item in row["measures"]:
            measure, rating, carried = item["measure"], item["rating"], item["carried"]
            rows.append(
                [
                    name,
                    f"{measure.code} {measure.name}",
                    measure.get_method_display(),
                    rating.self_level if rating else None,
                    carried["level"] if carried else (rating.final_level if rating else None),
                    carried["year"] if carried else None,
                    None,
                    None,
                ]
            )
    rows.append(
        [
            "Overall",
            None,
            None,
            None,
            overall,
            None,
            overall_before,
            rollup.change(overall, overall_before),
        ]
    )
    return Table(
        "competencies",
        "Competencies",
        [
            "Competency",
            "Measure",
            "Method",
            "Self assessment",
            "Final level",
            "Carried forward from",
            f"Final {previous.year}" if previous else "Last final",
            "Change",
        ],
        rows,
    )


def _notices(round, user) -> Table:
    return Table(
        "notices",
        "Notices raised against the commissioner",
        ["Notice", "Contract", "Raised by", "Raised", "Status"],
        [
            [
                n.title,
                n.contract.reference,
                n.raised_by_organisation.name,
                n.raised_on,
                n.get_status_display(),
            ]
            for n in evidence.notices_against(round)
        ],
    )


def _governance(round, user) -> Table:
    rows = []
    for row in selectors.governance_rows(round):
        question, answer = row["question"], row["answer"]
        rows.append(
            [
                question.title,
                question.question,
                answer.get_certification_display() if answer else "Not answered",
                answer.evidence if answer else None,
                (answer.get_panel_result_display() or "Awaiting review") if answer else None,
                answer.panel_reason if answer else None,
            ]
        )
    return Table(
        "governance",
        "Governance",
        ["Question", "Asks", "Board's certification", "Evidence", "Panel review", "Panel's reason"],
        rows,
    )


def _feedback(round, user) -> Table:
    rows = []
    for results in selectors.results_of(round.surveys.order_by("-opened_at")):
        survey = results.survey
        about = [
            survey.title,
            "Closed" if results.closed else "Open",
            timezone.localtime(survey.closes_at).replace(tzinfo=None),
            results.respondents,
            survey.minimum_respondents,
        ]
        if not results.closed:  # the number of responses so far, nothing else
            rows.append([*about, NOT_YET, None, None])
        for s in results.statements:
            rows.append([*about, f"{s.number}. {s.text}", whole_percent(s.share), s.responses])
    return Table(
        "feedback",
        "360 feedback",
        [
            "Survey",
            "Open or closed",
            "Closes",
            "Responses to the survey",
            "Results shown from",
            "Statement",
            "Agree or strongly agree (%)",
            "Responses",
        ],
        rows,
    )


ROUND_TABLES = {
    "outcomes": _outcomes,
    "trends": _trends,
    "competencies": _competencies,
    "notices": _notices,
    "governance": _governance,
    "feedback": _feedback,
}


def round_table(round, name: str, user) -> Table | None:
    """The table `name` of the round as `user` is shown it: its figures
    pooled over commissioners pass the small-numbers rule for them
    (selectors.outcome_rows)."""
    build = ROUND_TABLES.get(name)
    return build(round, user) if build else None


# --- A published scorecard (anyone; the snapshot only) ---


def _published_outcomes(snapshot) -> Table:
    return Table(
        "outcomes",
        "Health outcomes",
        [
            "Code",
            "Measure",
            "What it measures",
            "Which way is better",
            "Set nationally",
            "Month",
            "Latest",
            "Unit",
            "Rank among commissioners",
            "Commissioners ranked",
            "National average",
            "Upper quartile",
            "Improvement from the starting point (% of the gap closed)",
            "On the year before",
            WITHHELD_FIGURES,
        ],
        [
            [
                o["code"],
                o["name"],
                o["description"],
                DIRECTION_TEXT.get(o["direction"], "").removesuffix("."),
                "Yes" if o["national"] else "No",
                _day(o["period_start"]),
                as_shown(o["value"], o["unit"]),
                o["unit"],
                o["rank"],
                o["peers"] if o["rank"] else None,
                as_shown(o["national_average"], o["unit"]),
                as_shown(o["upper_quartile"], o["unit"]),
                _percent(o["improvement"]),
                o["trend"],
                o["withheld"],
            ]
            for o in snapshot["outcomes"]
        ],
    )


def _published_trends(snapshot) -> Table:
    return Table(
        "trends",
        "Outcomes by month",
        ["Code", "Measure", "Month", "Value", "National average", WITHHELD_AVERAGE],
        [
            [
                o["code"],
                o["name"],
                _day(m["period_start"]),
                as_shown(m["value"]),  # as the page's table: one decimal place
                as_shown(m["national_average"]),
                m["withheld"],
            ]
            for o in snapshot["outcomes"]
            for m in o["months"]
        ],
    )


def _published_competencies(snapshot) -> Table:
    rows = [
        [f"{c['number']}. {c['name']}", c["description"], c["level"], c["before"]]
        for c in snapshot["competencies"]
    ]
    rows.append(["Overall", None, snapshot["overall"], snapshot["overall_before"]])
    return Table(
        "competencies",
        "Level of each competency",
        ["Competency", "What it covers", "Level (1 to 4)", "At the previous assessment"],
        rows,
    )


def _published_governance(snapshot) -> Table:
    return Table(
        "governance",
        "The board's statements and the panel's review",
        ["Question", "Asks", "The board says", "The panel"],
        [
            [
                g["title"],
                g["question"],
                g["certification_label"] or "Not answered",
                g["panel_result_label"] or "Not reviewed",
            ]
            for g in snapshot["governance"]
        ],
    )


def _published_feedback(snapshot) -> Table:
    return Table(
        "feedback",
        "What partners say (360 feedback)",
        [
            "Survey",
            "Closed on",
            "Responses to the survey",
            "Results shown from",
            "Comments written (not published)",
            "Statement",
            "Agree or strongly agree (%)",
            "Responses",
        ],
        [
            [
                survey["title"],
                _day(survey["closed_on"]),
                survey["respondents"],
                survey["minimum_respondents"],
                survey["comment_count"],
                s["text"],
                whole_percent(s["share_agreeing"]),
                s["responses"],
            ]
            for survey in snapshot["feedback"]
            for s in survey["statements"]
        ],
    )


PUBLISHED_TABLES = {
    "outcomes": _published_outcomes,
    "trends": _published_trends,
    "competencies": _published_competencies,
    "governance": _published_governance,
    "feedback": _published_feedback,
}


def published_table(snapshot: dict, name: str) -> Table | None:
    build = PUBLISHED_TABLES.get(name)
    return build(public_snapshot(snapshot)) if build else None
