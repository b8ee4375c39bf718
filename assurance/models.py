"""Commissioner assurance (issue 9): the assessment framework, governance
self-certification with panel review, and 360 feedback from the partners a
commissioner works with. Writes go through assurance.services."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from assurance.choices import (
    Agreement,
    Certification,
    Level,
    Method,
    PanelResult,
    RoundAction,
    RoundKind,
    RoundState,
)
from assurance.querysets import (
    AssessmentRoundQuerySet,
    FeedbackSurveyQuerySet,
    RoundPartQuerySet,
)


class Competency(models.Model):
    """One of the commissioner competencies assessed (World Class
    Commissioning has eleven), numbered in the order they are shown."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "competencies"

    def __str__(self):
        return f"{self.number}. {self.name}"


class Measure(models.Model):
    """How one aspect of a competency is assessed: the method, the evidence
    expected, and what each level from 1 (below baseline) to 4 (world class)
    looks like. `statement` is what partners are asked to agree with in 360
    feedback (blank when the measure does not use it)."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="measures")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=160)
    method = models.CharField(max_length=10, choices=Method.choices)
    evidence_expected = models.TextField()
    statement = models.CharField(
        max_length=300, blank=True, help_text="The 360 feedback statement, if partners are asked."
    )
    level_1 = models.TextField("Level 1: below baseline")
    level_2 = models.TextField("Level 2: baseline")
    level_3 = models.TextField("Level 3: intermediate")
    level_4 = models.TextField("Level 4: world class")
    history = HistoricalRecords()

    class Meta:
        ordering = ["competency__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "number"], name="unique_measure_number")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def code(self) -> str:
        """1a, 1b, 1c, 2a, ... as the framework numbers them."""
        return f"{self.competency.number}{'abcdefghij'[self.number - 1]}"

    def level_description(self, level: int) -> str:
        return getattr(self, f"level_{level}")


class GovernanceQuestion(models.Model):
    """One of the governance questions a commissioner's board self-certifies
    against each assessment round (four by default)."""

    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=60)
    question = models.CharField(max_length=300)
    evidence_expected = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.title}"


# A full review every this many years after the baseline, unless an admin
# sets another interval for the commissioner (ReviewCycle).
FULL_REVIEW_EVERY = 3


class ReviewCycle(models.Model):
    """A commissioner's own interval between full reviews, set by admins
    (without a row, FULL_REVIEW_EVERY applies). It decides the kind of rounds
    opened after the change; rounds already open keep theirs."""

    commissioner = models.OneToOneField(
        "contracts.Organisation", on_delete=models.CASCADE, related_name="review_cycle"
    )
    full_review_every = models.PositiveSmallIntegerField(
        default=FULL_REVIEW_EVERY,
        validators=[MinValueValidator(1)],
        help_text="Years between full reviews, counted from the baseline year.",
    )
    history = HistoricalRecords()

    def __str__(self):
        return f"{self.commissioner.name}: a full review every {self.full_review_every} years"


class AssessmentRound(models.Model):
    """A commissioner's assessment for one year: its kind (baseline, annual
    or full review, derived when it opens) and state (self assessment, panel
    review, final; moved only by assurance.cycle), its ratings, governance
    answers and reviews, and the 360 feedback surveys opened for it."""

    commissioner = models.ForeignKey(
        "contracts.Organisation", on_delete=models.PROTECT, related_name="assessment_rounds"
    )
    year = models.PositiveSmallIntegerField(help_text="The year assessed, e.g. 2026.")
    kind = models.CharField(max_length=10, choices=RoundKind.choices, editable=False)
    state = models.CharField(
        max_length=20,
        choices=RoundState.choices,
        default=RoundState.SELF_ASSESSMENT,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = AssessmentRoundQuerySet.as_manager()

    class Meta:
        ordering = ["commissioner", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["commissioner", "year"], name="unique_assessment_year")
        ]

    def __str__(self):
        return f"{self.commissioner.name} assessment {self.year}"

    @cached_property
    def previous_final(self) -> "AssessmentRound | None":
        """The commissioner's latest final round before this one: its levels
        are "last year's" on the scorecard (a draft never counts)."""
        return (
            AssessmentRound.objects.filter(
                commissioner_id=self.commissioner_id, year__lt=self.year, state=RoundState.FINAL
            )
            .order_by("-year")
            .first()
        )

    @property
    def is_full(self) -> bool:
        """Baseline and full reviews rate everything afresh; annual reviews
        may carry levels forward."""
        return self.kind != RoundKind.ANNUAL


class RoundTransition(models.Model):
    """One move of a round between states: who, when, and why (a reason is
    required when the panel returns it)."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=10, choices=RoundAction.choices)
    from_state = models.CharField(max_length=20, choices=RoundState.choices)
    to_state = models.CharField(max_length=20, choices=RoundState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["round", "at", "pk"]

    def __str__(self):
        return f"{self.round}: {self.get_action_display()}"


class GovernanceAnswer(models.Model):
    """The board's self-certification against one governance question in a
    round, with its evidence, and the panel's review of it: confirmed, or
    challenged with a reason. Changes are kept in history."""

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="governance_answers"
    )
    question = models.ForeignKey(GovernanceQuestion, on_delete=models.PROTECT, related_name="+")
    certification = models.CharField(max_length=20, choices=Certification.choices)
    evidence = models.TextField()
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    certified_at = models.DateTimeField()
    panel_result = models.CharField(max_length=20, choices=PanelResult.choices, blank=True)
    panel_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = RoundPartQuerySet.as_manager()

    class Meta:
        ordering = ["round", "question__number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "question"], name="unique_governance_answer")
        ]

    def __str__(self):
        return f"{self.round}: {self.question.title}"


class FeedbackSurvey(models.Model):
    """A 360 feedback survey a commissioner opens in an assessment round: the
    providers, networks, lay partners and clinicians it works with rate
    agreement with its statements until it closes."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(max_length=160)
    closes_at = models.DateTimeField(help_text="No answers are accepted from this time.")
    minimum_respondents = models.PositiveSmallIntegerField(
        default=5, help_text="Results are shown only once at least this many have answered."
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = FeedbackSurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self):
        return self.title

    def is_open(self, now) -> bool:
        return now < self.closes_at


class SurveyStatement(models.Model):
    """A statement respondents rate, copied from a framework measure when the
    survey opened (so later edits to the framework do not change a survey)."""

    survey = models.ForeignKey(FeedbackSurvey, on_delete=models.CASCADE, related_name="statements")
    number = models.PositiveSmallIntegerField()
    measure = models.ForeignKey(Measure, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="unique_statement_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.text}"


class SurveyResponse(models.Model):
    """One respondent's anonymous answers. Nothing here leads back to the
    person: no user, no time, a random id (so the order of responses cannot
    be matched with the order of SurveyRespondent rows) and no history
    (simple_history would record the respondent as the history user)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(FeedbackSurvey, on_delete=models.CASCADE, related_name="responses")
    comment = models.TextField(blank=True)

    def __str__(self):
        return f"Response to {self.survey}"


class SurveyAnswer(models.Model):
    """Agreement with one statement within a response (a statement the
    respondent could not judge is left out)."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    statement = models.ForeignKey(SurveyStatement, on_delete=models.CASCADE, related_name="+")
    agreement = models.PositiveSmallIntegerField(choices=Agreement.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "statement"], name="unique_survey_answer")
        ]

    def __str__(self):
        return f"{self.get_agreement_display()} with statement {self.statement.number}"


class SurveyRespondent(models.Model):
    """That a person has answered a survey: kept apart from the answers, and
    unique per survey, so nobody answers twice and nobody can tell which
    response is whose."""

    survey = models.ForeignKey(FeedbackSurvey, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="one_response_per_respondent")
        ]

    def __str__(self):
        return f"{self.user} answered {self.survey}"


class MeasureRating(models.Model):
    """A measure's rating in an assessment round: the commissioner's self
    assessment (level and evidence), then the panel's final level, with a
    reason when it differs. Changes are kept in history."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="ratings")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="ratings")
    self_level = models.PositiveSmallIntegerField(choices=Level.choices)
    evidence = models.TextField()
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    final_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    panel_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = RoundPartQuerySet.as_manager()

    class Meta:
        ordering = ["round", "measure__competency__number", "measure__number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "measure"], name="unique_measure_rating")
        ]

    def __str__(self):
        return f"{self.round}: {self.measure.code}"


class OutcomeChoice(models.Model):
    """An outcome metric a commissioner is assessed on in a round: locally
    chosen or nationally set (the metric's is_national), five of each by
    default."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="outcomes")
    metric = models.ForeignKey("outcomes.Metric", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    objects = RoundPartQuerySet.as_manager()

    class Meta:
        ordering = ["round", "-metric__is_national", "metric__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "metric"], name="unique_outcome_choice")
        ]

    def __str__(self):
        return f"{self.round}: {self.metric.code}"
