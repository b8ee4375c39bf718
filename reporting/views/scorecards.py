"""Published scorecards: the public list and pages (no sign-in), the
glossary and the downloads (the commissioner's publish and withdraw pages
are reporting.views.publishing).

Public pages read only PublishedScorecard rows, whose snapshots hold
accepted data frozen at publication, so unpublished data cannot reach them.
A scorecard page's charts and text are computed once from the immutable
snapshot and cached (keyed by id, publication time and withdrawal state)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from assurance.downloads import published_table
from assurance.public import public_context
from contracts.access import small_numbers_k
from contracts.permissions import can_commission
from core.exports import Table, table_response
from core.numbers import as_shown, fmt
from core.views import chart
from outcomes import charts
from outcomes.choices import Rating
from outcomes.models import Dimension
from reporting.choices import ScorecardKind, ScorecardTrend
from reporting.models import PublishedScorecard
from reporting.permissions import can_publish

CACHE_SECONDS = 24 * 60 * 60
# A network's figure the small-numbers rule withheld from the snapshot
# (reporting.contract_publishing.withheld_network_figures), on the page and
# why in the downloads.
WITHHELD_TEXT = "Not shown to protect members' figures"
WITHHELD = "Not shown because"

DIRECTION_TEXT = {
    "higher": "Higher is better.",
    "lower": "Lower is better.",
    "neutral": "Shown for context: neither higher nor lower is better.",
}


def glossary_terms() -> list[tuple[str, str]]:
    """The glossary's words and their meanings (K of the small-numbers rule
    is a setting, so the list is made when asked for)."""
    k = small_numbers_k()
    return [*GLOSSARY, *_pooled_terms(k), *GLOSSARY_END]


GLOSSARY = [
    (
        "Outcome score",
        "A score from 0 to 100 that sums up how well the services are doing across the "
        "five dimensions. It is only given when there is enough data: at least 60% of "
        "the dimensions' weight must have a score.",
    ),
    (
        "Dimension",
        "One of the five areas the services are judged on: quality of life, quality of "
        "care, operational performance, professional experience and financial "
        "sustainability. Each is scored from 0 to 10.",
    ),
    (
        "Coverage",
        "How much of what should be measured actually has data. Where coverage is too low "
        "we show 'not enough data' rather than a score, and missing data is never counted "
        "as zero.",
    ),
    (
        "Accepted or not accepted",
        "Each month the commissioner checks the data the providers send and accepts it or "
        "queries it. Scorecards only use data the commissioner has accepted. 'Not accepted' "
        "means a month's data had not been accepted from every provider when the "
        "scorecard was published, so no score is shown for that month.",
    ),
    (
        "Target",
        "The level the commissioner and the services have agreed to aim for.",
    ),
    (
        "Minimum",
        "The lowest acceptable level (or, where lower is better, the highest). A measure "
        "that does not meet it is rated inadequate.",
    ),
    (
        "Rating",
        "How a measure's latest value compares with its target and minimum: Good (target "
        "met), Approaching target (at least halfway from the minimum to the target), "
        "Requires improvement (minimum met but less than halfway to the target) or "
        "Inadequate (minimum not met).",
    ),
    (
        "Approaching target",
        "A rating for a measure that has not met its target yet but has got at least "
        "halfway to it from the minimum.",
    ),
    (
        "Improving or getting worse",
        "This means different things on the 2 kinds of scorecard. On a scorecard for "
        "services, 'Improving', 'Getting worse' and 'No significant change' come from "
        "statistical process control, the method NHS England recommends in 'Making Data "
        "Count', which uses the measure's monthly values to tell a real change from the "
        "normal ups and downs. 'No significant change' means the variation is what you "
        "would expect by chance. Where neither higher nor lower is better, a real change "
        "is shown as 'Changed (higher)' or 'Changed (lower)'. On a commissioner's "
        "assurance scorecard, 'Improving', "
        "'Worsening' and 'No change' compare the average of the commissioner's monthly "
        "values in the year assessed with the average in the year before. A change of 5% "
        "of the year before's average or less is shown as no change. Measures where "
        "neither higher nor lower is better have no trend on an assurance scorecard.",
    ),
    (
        "Network",
        "A group of providers that work together and are held to account as one.",
    ),
    (
        "Member",
        "One of the providers in a network. A network's scorecard also shows each "
        "member's own overall score.",
    ),
    (
        "Commissioner",
        "The NHS or local authority body that plans and pays for the services.",
    ),
    (
        "Competency",
        "One of the skills a good commissioner needs. The commissioner rates itself, with "
        "evidence, and an independent panel sets the final level, from 1 (below baseline) "
        "to 4 (world class). A competency's level is the average of the levels the panel "
        "gave its 3 measures, so it can fall between 2 levels, such as 2.7.",
    ),
    (
        "Governance",
        "How well the commissioner's board is run. The board says whether each of a set "
        "of things is in place. The independent panel then confirms what the board says, "
        "or challenges it when the evidence does not support it.",
    ),
    (
        "360 feedback",
        "A survey of the organisations and people who work with a commissioner "
        "(providers, networks and lay partners). They say anonymously how far they agree "
        "with statements about it. A result is only shown when enough people answered, "
        "and written comments are never published, so no one can be identified.",
    ),
]


def _pooled_terms(k: int) -> list[tuple[str, str]]:
    """The words for figures pooled over several organisations, which the
    small-numbers rule (docs/permissions.md) may withhold."""
    return [
        (
            "National average",
            "The average of the values of every commissioner with a value for a measure in "
            "that month. It is shown, with the commissioner's rank, only when no one who "
            "reads it could work out another commissioner's figures from it (see 'Not shown "
            "to protect their figures').",
        ),
        (
            "Upper quartile",
            "The level that marks out the best quarter of commissioners: about a quarter of "
            "commissioners with a value do as well as this or better. It is given only for "
            "measures where higher or lower is better, and only when the national average "
            "is.",
        ),
        (
            "Not shown to protect their figures",
            "A figure worked out from several organisations' figures (a network's value, "
            "a national average, a rank) is shown only when, for anyone who may read it, "
            f"at least {k} of those organisations are ones whose figures they cannot see, "
            "and their figures are not all the same. Otherwise someone could take the "
            "figures they know away from it and be left with another organisation's.",
        ),
    ]


GLOSSARY_END = [
    (
        "Gap closed",
        "Improvement from the starting point: how much of the gap between a measure's "
        "starting level set in the contract (its baseline) and its target has been "
        "closed. 0% means no better than the starting level, 100% means the target has "
        "been reached, and a figure below 0% means it is worse than the starting level.",
    ),
    (
        "Withdrawn",
        "A scorecard the commissioner has taken back, for example because the data was "
        "wrong. The reason is shown and the figures are no longer displayed.",
    ),
]


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _value_text(value, unit: str) -> str:
    return fmt(value, 1, unit)


def whole(value) -> int:
    """A score as a whole number, rounded half up as the page's table
    (floatformat:0) rounds it."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def change_sentence(score, earlier, since: dt.date) -> str:
    """How the overall score compares with an earlier month's, in the whole
    numbers the sentences show: the change is the difference of the two
    numbers as shown, so the sentence never contradicts itself."""
    now, before = whole(score), whole(earlier)
    change = now - before
    if change == 0:
        return f"That is the same as in {since:%B %Y} ({before})."
    direction = "up" if change > 0 else "down"
    points = "point" if abs(change) == 1 else "points"
    return f"That is {direction} {abs(change)} {points} since {since:%B %Y} ({before})."


def overview(snapshot: dict) -> list[str]:
    """Sentences for lay readers: how the organisation is doing and whether
    it is improving."""
    name = snapshot["organisation"]["name"]
    period = _day(snapshot["period_start"])
    score = snapshot["aggregate"]["score"]
    sentences = []
    if snapshot["aggregate"].get("withheld"):
        sentences.append(
            f"{name}'s overall score for {period:%B %Y} is not shown: too few of its members "
            "reported for it to keep each member's figures to itself."
        )
    elif score is None:
        sentences.append(
            f"There was not enough data in {period:%B %Y} to give {name} an overall score."
        )
    else:
        sentences.append(f"In {period:%B %Y} {name} scored {whole(score)} out of 100 overall.")
    scored = [row for row in snapshot["trend"] if row["score"] is not None]
    if len(scored) > 1 and score is not None:
        first = scored[0]
        sentences.append(change_sentence(score, first["score"], _day(first["period_start"])))
    measured = [m for m in snapshot["metrics"] if m["expected"]]
    with_target = [m for m in measured if m["rating"]]
    met = sum(m["rating"] == Rating.GOOD for m in with_target)
    if with_target:
        sentences.append(
            f"{met} of the {len(with_target)} measures with a target met it this month."
        )
    improving = sum(m["trend"] == ScorecardTrend.IMPROVING for m in measured)
    worse = sum(m["trend"] == ScorecardTrend.GETTING_WORSE for m in measured)
    if measured:
        sentences.append(
            f"{improving} measure{'s are' if improving != 1 else ' is'} improving and "
            f"{worse} {'are' if worse != 1 else 'is'} getting worse; the rest show no "
            "significant change or have too little data to tell."
        )
    withheld = sum(bool(m.get("withheld")) for m in measured)
    if withheld:
        sentences.append(
            f"{withheld} measure{'s are' if withheld != 1 else ' is'} not shown for the month, "
            "to protect the figures of the few members that reported."
        )
    missing = sum(m["value"] is None and not m.get("withheld") for m in measured)
    if missing:
        sentences.append(
            f"{missing} measure{'s have' if missing != 1 else ' has'} no data for the month: "
            "they are shown as missing, not as zero."
        )
    return sentences


def member_rows(snapshot: dict) -> list[dict]:
    """The members of the network, without the network's own row."""
    return [m for m in snapshot["members"] if not m["is_network"]]


def _score(value):
    """A score to one decimal place, rounded half up as the page rounds."""
    return as_shown(value)


def measure_row(metric: dict, accountable: str) -> list:
    """A measure's row of the download: the figures and words its card shows."""
    card = metric_card(metric)
    return [
        metric["dimension"],
        metric["code"],
        metric["name"],
        metric["description"],
        card["direction_text"].removesuffix("."),
        as_shown(metric["value"], metric["unit"]) if metric.get("expected", True) else None,
        metric["unit"],
        as_shown(metric["target"], metric["unit"]),
        card["rating_label"] or ("Not shown" if metric.get("withheld") else "Not rated"),
        ScorecardTrend(metric["trend"]).label
        if metric["trend"]
        else ("Not shown" if metric.get("withheld") else "Too little data to tell"),
        accountable,
        metric.get("withheld"),
    ]


def metric_card(metric: dict) -> dict:
    """A snapshot metric with the words and sparkline its card shows."""
    values = [point["value"] for point in metric["history"]]
    rating = Rating(metric["rating"]) if metric["rating"] else None
    return {
        **metric,
        "direction_text": DIRECTION_TEXT.get(metric["direction"], ""),
        "rating_label": rating.label if rating else None,
        "rating_css": rating.css if rating else "",
        "value_text": _value_text(metric["value"], metric["unit"]),
        "target_text": _value_text(metric["target"], metric["unit"])
        if metric["target"] is not None
        else "none",
        "trend_colour": ScorecardTrend(metric["trend"]).colour if metric["trend"] else "grey",
        "sparkline_runs": charts.sparkline(values),
        "history_text": ", ".join(
            f"{_day(p['period_start']):%b %Y} "
            + ("not shown" if p.get("withheld") else _value_text(p["value"], metric["unit"]))
            for p in metric["history"]
        ),
    }


def scorecard_context(scorecard: PublishedScorecard) -> dict:
    """Charts, text and tables of a scorecard, from its snapshot alone."""
    snapshot = scorecard.snapshot
    trend = pd.DataFrame(
        {
            "period_start": [_day(row["period_start"]) for row in snapshot["trend"]],
            "score": [row["score"] for row in snapshot["trend"]],
        }
    )
    dimension_rows = [
        {"name": d["name"], "score": d["score"], "coverage": d["coverage"]}
        for d in snapshot["dimensions"]
    ]
    members = member_rows(snapshot)
    name = snapshot["organisation"]["name"]
    context = {
        "withheld_text": WITHHELD_TEXT,
        "overview": overview(snapshot),
        "payments": snapshot.get("payments", []),
        "trend_rows": [
            {**row, "period_start": _day(row["period_start"])} for row in snapshot["trend"]
        ],
        "charts": {
            "trend": chart(
                "chart-trend",
                charts.trend_figure(trend, "Overall outcome score (0-100)"),
                charts.trend_text(trend, f"{name}'s overall outcome score"),
            ),
            "dimensions": chart(
                "chart-dimensions",
                charts.dimensions_figure(dimension_rows),
                charts.dimensions_text(dimension_rows),
            ),
        },
        "groups": [],
    }
    if len(members) > 1:
        title = f"Overall score of each member, {_day(snapshot['period_start']):%B %Y}"
        context["charts"]["members"] = chart(
            "chart-members",
            charts.scores_figure(members, title),
            charts.scores_text(members, title),
        )
        context["member_rows"] = members
    groups: dict[str, list] = {}
    for metric in snapshot["metrics"]:
        groups.setdefault(metric["dimension"], []).append(metric_card(metric))
    context["commissioner_metrics"] = [
        metric_card(metric) for metric in snapshot.get("commissioner_metrics", [])
    ]
    descriptions = {d["name"]: d for d in snapshot["dimensions"]}
    context["groups"] = [
        {"dimension": descriptions.get(name, {"name": name, "description": ""}), "metrics": rows}
        for name, rows in groups.items()
    ]
    return context


TEMPLATES = {
    ScorecardKind.CONTRACT: "reporting/scorecard_detail.html",
    ScorecardKind.ASSURANCE: "reporting/assurance_scorecard.html",
}


def page_context(scorecard: PublishedScorecard) -> dict:
    """What the page of either kind computes from its snapshot."""
    if scorecard.kind == ScorecardKind.ASSURANCE:
        return public_context(scorecard.snapshot)
    return scorecard_context(scorecard)


def cached_context(scorecard: PublishedScorecard) -> dict:
    # The publication time is in the key so that a key never outlives its
    # row: a database rebuilt or restored reuses ids, and test databases
    # running side by side share one cache.
    key = (
        f"scorecard-page:{scorecard.pk}:{scorecard.published_at.timestamp()}"
        f":{int(scorecard.is_withdrawn)}"
    )
    return cache.get_or_set(key, lambda: page_context(scorecard), CACHE_SECONDS)


# --- Public pages ---


def scorecard_list(request):
    """`/scorecards/`: every published scorecard, newest first; withdrawn
    ones stay listed with their reason (no sign-in needed)."""
    scorecards = list(
        PublishedScorecard.objects.visible_to(request.user).select_related("organisation")
    )
    return render(
        request,
        "reporting/scorecard_list.html",
        {
            "live": [s for s in scorecards if not s.is_withdrawn],
            "withdrawn": [s for s in scorecards if s.is_withdrawn],
            "can_publish": can_commission(request.user),
        },
    )


def scorecard_detail(request, pk):
    """`/scorecards/<id>/`: a published scorecard for lay readers."""
    scorecard = get_object_or_404(
        PublishedScorecard.objects.visible_to(request.user).select_related(
            "organisation", "contract", "published_by"
        ),
        pk=pk,
    )
    context = {"scorecard": scorecard, "snapshot": scorecard.snapshot}
    if not scorecard.is_withdrawn:
        context.update(cached_context(scorecard))
    context["can_withdraw"] = not scorecard.is_withdrawn and can_publish(
        request.user, scorecard.publisher_id
    )
    return render(request, TEMPLATES[scorecard.kind], context)


def glossary(request):
    """`/scorecards/glossary/`: the words the scorecards use."""
    dimensions = list(Dimension.objects.order_by("order", "name"))
    return render(
        request,
        "reporting/scorecard_glossary.html",
        {"glossary": glossary_terms(), "dimensions": dimensions},
    )


# --- Downloads of a scorecard's tables ---


def scorecard_tables(scorecard: PublishedScorecard) -> dict[str, Table]:
    """The scorecard's tables as published, keyed by their download name."""
    snapshot = scorecard.snapshot
    tables = [
        Table(
            "trend",
            "Overall outcome score by month",
            ["Month", "Accepted", "Score (0-100)", WITHHELD],
            [
                [
                    _day(row["period_start"]),
                    "Yes" if row["accepted"] else "No",
                    _score(row["score"]),
                    row.get("withheld"),
                ]
                for row in snapshot["trend"]
            ],
        ),
        Table(
            "dimensions",
            "Score for each area",
            ["Area", "What it means", "Score (0-10)", "Coverage (%)", WITHHELD],
            [
                [
                    d["name"],
                    d["description"],
                    _score(d["score"]),
                    None if d["coverage"] is None else as_shown(100 * d["coverage"]),
                    d.get("withheld"),
                ]
                for d in snapshot["dimensions"]
            ],
        ),
        Table(
            "members",
            "Overall score of each member",
            ["Code", "Member", "Score (0-100)"],
            [[m["code"], m["name"], _score(m["score"])] for m in member_rows(snapshot)],
        ),
        Table(
            "measures",
            "Each measure",
            [
                "Area",
                "Code",
                "Measure",
                "What it measures",
                "Which way is better",
                "Latest",
                "Unit",
                "Target",
                "Rating",
                "Improving?",
                "Accountable",
                WITHHELD,
            ],
            [
                measure_row(m, accountable)
                for accountable, metrics in (
                    (snapshot["organisation"]["name"], snapshot["metrics"]),
                    (snapshot["commissioner"]["name"], snapshot.get("commissioner_metrics", [])),
                )
                for m in metrics
            ],
        ),
    ]
    return {table.name: table for table in tables}


def scorecard_download(request, pk, table, format):
    """`/scorecards/<id>/<table>.<csv|xlsx>`: a table of a live scorecard of
    either kind, read from its snapshot only."""
    scorecard = get_object_or_404(
        PublishedScorecard.objects.visible_to(request.user).select_related("organisation"), pk=pk
    )
    if scorecard.is_withdrawn:
        raise Http404("This scorecard has been withdrawn.")
    if scorecard.kind == ScorecardKind.ASSURANCE:
        chosen = published_table(scorecard.snapshot, table)
        stem = f"assurance-{scorecard.organisation.code}-{scorecard.period_start:%Y}"
    else:
        chosen = scorecard_tables(scorecard).get(table)
        stem = f"scorecard-{scorecard.pk}-{scorecard.period_start:%Y-%m}"
    if chosen is None:
        raise Http404("No such table.")
    return table_response(f"{stem}-{chosen.name}", format, chosen.title, chosen.header, chosen.rows)
