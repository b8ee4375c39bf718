"""Reads for commissioner assurance: survey results (only ever aggregated)
and the commissioner's scorecard."""

from dataclasses import dataclass

from assurance.feedback import StatementResult, summarise
from assurance.models import FeedbackSurvey, SurveyAnswer, SurveyRespondent, SurveyResponse


@dataclass(frozen=True)
class SurveyResults:
    survey: FeedbackSurvey
    respondents: int
    statements: list[StatementResult]
    comments: list[str]  # empty while there are fewer respondents than the minimum

    @property
    def suppressed(self) -> bool:
        return self.respondents < self.survey.minimum_respondents


def survey_results(survey: FeedbackSurvey) -> SurveyResults:
    """The results of a survey the caller may already see (three queries).
    Comments are sorted by their text, never by when they came in."""
    respondents = SurveyResponse.objects.filter(survey=survey).count()
    statements = summarise(
        survey.statements.values_list("id", "number", "text"),
        SurveyAnswer.objects.filter(response__survey=survey).values_list(
            "statement_id", "agreement"
        ),
        survey.minimum_respondents,
    )
    comments = []
    if respondents >= survey.minimum_respondents:
        comments = sorted(
            SurveyResponse.objects.filter(survey=survey)
            .exclude(comment="")
            .values_list("comment", flat=True)
        )
    return SurveyResults(survey, respondents, statements, comments)


def has_answered(user, survey: FeedbackSurvey) -> bool:
    return SurveyRespondent.objects.filter(survey=survey, user=user).exists()
