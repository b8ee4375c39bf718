"""Reads for commissioner assurance: survey results (only ever aggregated)
and the commissioner's scorecard."""

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from assurance import benchmark, rollup
from assurance.choices import RoundState
from assurance.feedback import StatementResult, summarise
from assurance.models import (
    AssessmentRound,
    Competency,
    FeedbackSurvey,
    GovernanceQuestion,
    MeasureRating,
    SurveyAnswer,
    SurveyRespondent,
    SurveyResponse,
    SurveyStatement,
)
from core import small_numbers


@dataclass(frozen=True)
class SurveyResults:
    """What a survey's results show at one moment. Nothing of the answers is
    read while the survey is open: only how many have answered so far."""

    survey: FeedbackSurvey
    respondents: int
    closed: bool
    statements: list[StatementResult]  # empty while the survey is open
    comments: list[str]  # empty while it is open or below its minimum

    @property
    def suppressed(self) -> bool:
        return self.respondents < self.survey.minimum_respondents

    @property
    def released(self) -> bool:
        """Closed with at least the minimum number of responses: the shares
        agreeing (of statements with the minimum) and the comments show."""
        return self.closed and not self.suppressed


def survey_results(survey: FeedbackSurvey) -> SurveyResults:
    """The results of a survey the caller may already see."""
    return results_of([survey])[0]


def results_of(surveys) -> list[SurveyResults]:
    """The results of surveys the caller may already see, in their order, in
    a fixed number of queries however many there are. This is the one place
    that decides what a survey's results release (docs/assurance.md):

    - while a survey is open, only its number of responses, never anything
      of the answers: results read before and after one more answer would
      give that answer away by their difference;
    - once it has closed, the results of its final set of answers, once and
      for all (no answer is taken after closing and a survey never reopens):
      the share agreeing of each statement with at least the minimum number
      of responses, and the comments when the survey has the minimum; below
      it, counts only.

    Comments are sorted by their text, never by when they came in."""
    now = timezone.now()
    surveys = list(surveys)
    ids = [survey.pk for survey in surveys]
    closed = [survey.pk for survey in surveys if not survey.is_open(now)]
    _wait_for_answers_being_stored(closed)
    respondents = dict(
        SurveyResponse.objects.filter(survey_id__in=ids)
        .values_list("survey_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    statements, answers, comments = {}, {}, {}
    for survey_id, *statement in (
        SurveyStatement.objects.filter(survey_id__in=closed)
        .order_by("number")
        .values_list("survey_id", "id", "number", "text")
    ):
        statements.setdefault(survey_id, []).append(statement)
    for survey_id, *answer in SurveyAnswer.objects.filter(
        response__survey_id__in=closed
    ).values_list("response__survey_id", "statement_id", "agreement"):
        answers.setdefault(survey_id, []).append(answer)
    # Comments only of closed surveys with the minimum number of responses.
    shown = [
        s.pk
        for s in surveys
        if s.pk in closed and respondents.get(s.pk, 0) >= s.minimum_respondents
    ]
    for survey_id, comment in (
        SurveyResponse.objects.filter(survey_id__in=shown)
        .exclude(comment="")
        .values_list("survey_id", "comment")
    ):
        comments.setdefault(survey_id, []).append(comment)
    return [
        SurveyResults(
            survey,
            respondents.get(survey.pk, 0),
            survey.pk in closed,
            summarise(
                statements.get(survey.pk, []),
                answers.get(survey.pk, []),
                survey.minimum_respondents,
            ),
            sorted(comments.get(survey.pk, [])),
        )
        for survey in surveys
    ]


def _wait_for_answers_being_stored(survey_ids: list[int]) -> None:
    """An answer holds its survey's row lock from the check that the survey
    is open until it is stored (services.answer_feedback_survey). Taking
    that lock once the surveys have closed waits for an answer accepted just
    before the closing time, so the results read next are the final ones and
    never differ from a later reading. (SQLite has no row locks; it is the
    single-process embedded default.)"""
    if survey_ids:
        with transaction.atomic():
            list(
                FeedbackSurvey.objects.select_for_update()
                .filter(pk__in=survey_ids)
                .values_list("pk", flat=True)
            )


def has_answered(user, survey: FeedbackSurvey) -> bool:
    return SurveyRespondent.objects.filter(survey=survey, user=user).exists()


def answered_survey_ids(user, surveys) -> set[int]:
    return set(
        SurveyRespondent.objects.filter(user=user, survey__in=surveys).values_list(
            "survey_id", flat=True
        )
    )


def own_answers(survey: FeedbackSurvey, response_id: str | None):
    """The response a respondent just sent (its id is known only to their
    session), or None."""
    if not response_id:
        return None
    return (
        SurveyResponse.objects.filter(survey=survey, pk=response_id)
        .prefetch_related(
            Prefetch(
                "answers",
                SurveyAnswer.objects.select_related("statement").order_by("statement__number"),
            )
        )
        .first()
    )


def governance_rows(round: AssessmentRound) -> list[dict]:
    """Each governance question with the round's answer to it, or None (two queries)."""
    answers = {
        a.question_id: a
        for a in round.governance_answers.select_related("certified_by", "reviewed_by")
    }
    return [
        {"question": question, "answer": answers.get(question.pk)}
        for question in GovernanceQuestion.objects.all()
    ]


def carried_forward(round: AssessmentRound) -> dict[int, tuple[int, int]]:
    """Measure id -> (final level, year it was set) that an annual review
    carries forward for measures it does not rate again: the latest final
    level in the commissioner's earlier final rounds (one query). Baseline
    and full reviews carry nothing forward."""
    if round.is_full:
        return {}
    found = {}
    for measure_id, level, year in (
        MeasureRating.objects.filter(
            round__commissioner_id=round.commissioner_id,
            round__year__lt=round.year,
            round__state=RoundState.FINAL,
            final_level__isnull=False,
        )
        .order_by("-round__year")
        .values_list("measure_id", "final_level", "round__year")
    ):
        found.setdefault(measure_id, (level, year))
    return found


def final_levels(ratings: dict, carried: dict) -> dict[int, int]:
    """Measure id -> the level that counts: the round's own final level for
    a measure rated in it, else (annual reviews) the level carried forward."""
    levels = {pk: level for pk, (level, _) in carried.items()}
    for pk, rating in ratings.items():
        levels.pop(pk, None)
        if rating.final_level is not None:
            levels[pk] = rating.final_level
    return levels


def competency_rows(round: AssessmentRound) -> tuple[list[dict], float | None, float | None]:
    """Each competency with its measures' ratings (or the level carried
    forward, with its year), its level, the previous final round's level and
    the change since; and the overall levels this round and in the previous
    final round (at most seven queries)."""
    competencies = list(Competency.objects.prefetch_related("measures"))
    previous = round.previous_final
    ratings = {}
    before = {}
    for rating in MeasureRating.objects.filter(
        round_id__in=[round.pk, previous and previous.pk]
    ).select_related("rated_by", "reviewed_by"):
        (ratings if rating.round_id == round.pk else before)[rating.measure_id] = rating
    structure = {c.pk: [m.pk for m in c.measures.all()] for c in competencies}
    carried = carried_forward(round)
    levels = rollup.competency_levels(structure, final_levels(ratings, carried))
    previous_levels = rollup.competency_levels(
        structure, final_levels(before, carried_forward(previous)) if previous else {}
    )
    rows = []
    for c in competencies:
        measures = [
            {
                "measure": m,
                "rating": ratings.get(m.pk),
                "carried": None
                if m.pk in ratings or m.pk not in carried
                else dict(zip(("level", "year"), carried[m.pk], strict=True)),
            }
            for m in c.measures.all()
        ]
        rows.append(
            {
                "competency": c,
                "level": levels[c.pk],
                "last_year": previous_levels[c.pk],
                "change": rollup.change(levels[c.pk], previous_levels[c.pk]),
                "measures": measures,
                "carried_forward": [
                    {"measure": item["measure"], **item["carried"]}
                    for item in measures
                    if item["carried"]
                ],
            }
        )
    return rows, rollup.overall_level(levels), rollup.overall_level(previous_levels)


def trend_months(year: int) -> list[dt.date]:
    """The months a round's outcome trends cover: the year before the
    assessed year and the assessed year, January to December."""
    return [dt.date(y, m, 1) for y in (year - 1, year) for m in range(1, 13)]


def outcome_rows(round: AssessmentRound, readers: list) -> list[dict]:
    """Each chosen outcome metric with the commissioner's latest value up to
    the end of the assessed year (later months belong to later assessments),
    its rank among commissioners with a value for that month, the national
    average and upper quartile, and the improvement from the starting point
    (the stored scores' share of the baseline-to-target gap closed). A
    commissioner's value is the mean over its contracts of the stored value
    of the party reporting the metric: the contract holder, or for a metric
    the commissioner reports itself, the commissioner (two queries).

    `months` is its trend: for each month of the year before and the
    assessed year, its value and the national average (None when missing);
    `trend` compares the two years (benchmark.trend).

    The rank and national figures pool other commissioners' values, so the
    small-numbers rule decides whether they are given (`withheld`, when
    not): `readers` are the organisations each reader may see
    (contracts.access.organisations_seen for one person, reader_scopes for a
    published scorecard), and a reader sees another commissioner's value
    when they see every organisation it comes from."""
    from contracts.access import small_numbers_k
    from contracts.choices import Side
    from outcomes.models import MetricScore

    choices = list(round.outcomes.select_related("metric"))
    window = trend_months(round.year)
    rows = (
        MetricScore.objects.filter(
            run__is_current=True,
            metric_id__in=[c.metric_id for c in choices],
            period_start__range=(window[0], window[-1]),
            value__isnull=False,
        )
        # The party that reports the metric: the contract holder, or the
        # commissioner itself for its own obligations (Metric.submitted_by).
        .filter(
            Q(metric__submitted_by=Side.PROVIDER, organisation_id=F("run__contract__provider_id"))
            | Q(
                metric__submitted_by=Side.COMMISSIONER,
                organisation_id=F("run__contract__commissioner_id"),
            )
        )
        .values_list(
            "metric_id",
            "run__contract__commissioner_id",
            "organisation_id",
            "period_start",
            "value",
            "improvement",
        )
        .order_by()
    )
    # (metric, period) -> commissioner -> its values, improvements and the
    # organisations they come from
    found: dict[tuple, dict[int, Pooled]] = {}
    for metric_id, commissioner_id, organisation_id, period, value, improvement in rows:
        pooled = found.setdefault((metric_id, period), {}).setdefault(commissioner_id, Pooled())
        pooled.values.append(value)
        pooled.organisations.add(organisation_id)
        if improvement is not None:
            pooled.improvements.append(improvement)
    behind = {o for by in found.values() for pooled in by.values() for o in pooled.organisations}
    rule = PeerRule(small_numbers.narrowed(readers, behind), small_numbers_k())
    result = []
    for choice in choices:
        mine = [
            period
            for (metric_id, period), by in found.items()
            if metric_id == choice.metric_id and round.commissioner_id in by
        ]
        period = max(mine, default=None)
        by = found.get((choice.metric_id, period), {})
        place = benchmark.position(
            {c: pooled.mean for c, pooled in by.items()},
            round.commissioner_id,
            choice.metric.direction,
        )
        withheld = rule.withheld(by)
        own = by.get(round.commissioner_id)
        months = [
            monthly(found.get((choice.metric_id, month), {}), round.commissioner_id, month, rule)
            for month in window
        ]
        result.append(
            {
                "metric": choice.metric,
                "period": period,
                "position": place.withhold(withheld) if withheld else place,
                "improvement": statistics.fmean(own.improvements)
                if own and own.improvements
                else None,
                "months": months,
                "trend": benchmark.trend(
                    [m["value"] for m in months[:12] if m["value"] is not None],
                    [m["value"] for m in months[12:] if m["value"] is not None],
                    choice.metric.direction,
                ),
            }
        )
    return result


@dataclass
class Pooled:
    """One commissioner's stored values of a metric for a month (one per
    contract measuring it), their improvements and whose they are."""

    values: list = field(default_factory=list)
    improvements: list = field(default_factory=list)
    organisations: set = field(default_factory=set)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.values)


@dataclass(frozen=True)
class PeerRule:
    """The small-numbers rule (core.small_numbers) for figures pooled over
    commissioners' values, for `readers` (see outcome_rows)."""

    readers: list
    k: int

    def withheld(self, by: dict[int, Pooled]) -> str | None:
        return small_numbers.withheld_from_any(
            {c: pooled.mean for c, pooled in by.items()},
            self.readers,
            self.k,
            behind={c: pooled.organisations for c, pooled in by.items()},
        )


def monthly(by: dict[int, Pooled], commissioner_id: int, month: dt.date, rule: PeerRule) -> dict:
    """One month of an outcome trend: the commissioner's value and the
    national average (the mean of every commissioner's value; None without
    any, or when the small-numbers rule withholds it: `withheld` says why)."""
    mine = by.get(commissioner_id)
    withheld = rule.withheld(by)
    return {
        "period_start": month,
        "value": mine.mean if mine else None,
        "national_average": None
        if withheld
        else benchmark.national_average([pooled.mean for pooled in by.values()]),
        "withheld": withheld,
    }
