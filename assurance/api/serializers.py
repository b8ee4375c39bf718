"""Serializers for the assurance API. Survey responses are never
serialized one by one: only aggregated results, and only for the
commissioner and the panel."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assurance.choices import (
    Agreement,
    Certification,
    PanelResult,
    RoundKind,
    RoundState,
    Trend,
)
from assurance.evidence import NOTICE_COMPETENCY
from assurance.models import (
    AssessmentRound,
    Competency,
    FeedbackSurvey,
    GovernanceAnswer,
    Measure,
    MeasureRating,
    RoundTransition,
    SurveyStatement,
)
from core.api import DateField, ModelSerializer


class MeasureSerializer(ModelSerializer):
    class Meta:
        model = Measure
        fields = [
            "id",
            "code",
            "number",
            "name",
            "method",
            "evidence_expected",
            "statement",
            "level_1",
            "level_2",
            "level_3",
            "level_4",
        ]


class CompetencySerializer(ModelSerializer):
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta:
        model = Competency
        fields = ["id", "number", "name", "description", "measures"]


class GovernanceAnswerSerializer(ModelSerializer):
    question_number = serializers.IntegerField(source="question.number", read_only=True)
    question = serializers.CharField(source="question.question", read_only=True)
    certified_by = serializers.StringRelatedField()
    reviewed_by = serializers.StringRelatedField()

    class Meta:
        model = GovernanceAnswer
        fields = [
            "id",
            "round",
            "question_number",
            "question",
            "certification",
            "evidence",
            "certified_by",
            "certified_at",
            "panel_result",
            "panel_reason",
            "reviewed_by",
            "reviewed_at",
        ]


class CertifyInputSerializer(serializers.Serializer):
    round = serializers.IntegerField(help_text="Assessment round id.")
    question_number = serializers.IntegerField()
    certification = serializers.ChoiceField(choices=Certification.choices)
    evidence = serializers.CharField(allow_blank=True)


class ReviewInputSerializer(serializers.Serializer):
    panel_result = serializers.ChoiceField(choices=PanelResult.choices)
    panel_reason = serializers.CharField(allow_blank=True, required=False, default="")


class RoundTransitionSerializer(ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = RoundTransition
        fields = ["action", "from_state", "to_state", "by", "at", "reason"]


class AssessmentRoundSerializer(ModelSerializer):
    commissioner_code = serializers.CharField(source="commissioner.code", read_only=True)
    kind = serializers.ChoiceField(
        choices=RoundKind.choices,
        read_only=True,
        help_text="Derived: the first round is the baseline, a full review every few years.",
    )
    state = serializers.ChoiceField(choices=RoundState.choices, read_only=True)
    transitions = RoundTransitionSerializer(many=True, read_only=True)

    class Meta:
        model = AssessmentRound
        fields = [
            "id",
            "commissioner",
            "commissioner_code",
            "year",
            "kind",
            "state",
            "transitions",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        # The service reports a second round for the same year, naming the field.
        validators = []


class StatementSerializer(ModelSerializer):
    class Meta:
        model = SurveyStatement
        fields = ["number", "text"]


class FeedbackSurveySerializer(ModelSerializer):
    statements = StatementSerializer(many=True, read_only=True)
    commissioner = serializers.CharField(source="round.commissioner.code", read_only=True)

    class Meta:
        model = FeedbackSurvey
        fields = [
            "id",
            "round",
            "commissioner",
            "title",
            "closes_at",
            "minimum_respondents",
            "opened_at",
            "statements",
        ]
        read_only_fields = ["opened_at"]


class StatementResultSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()
    responses = serializers.IntegerField()
    agreeing = serializers.IntegerField(allow_null=True)
    share = serializers.FloatField(
        allow_null=True, help_text="% agreeing or strongly agreeing; null below the minimum."
    )


class SurveyResultsSerializer(serializers.Serializer):
    survey = serializers.IntegerField(source="survey.pk")
    respondents = serializers.IntegerField(help_text="Responses so far.")
    minimum_respondents = serializers.IntegerField(source="survey.minimum_respondents")
    closed = serializers.BooleanField(
        help_text="Whether the survey has closed. While it is open only the number of "
        "responses is shown: statements and comments are empty."
    )
    suppressed = serializers.BooleanField(help_text="Fewer responses than the minimum.")
    released = serializers.BooleanField(
        help_text="Closed with at least the minimum number of responses: the results "
        "are final and shown."
    )
    statements = StatementResultSerializer(many=True, help_text="Empty while the survey is open.")
    comments = serializers.ListField(
        child=serializers.CharField(), help_text="Only once released; sorted by their text."
    )


class AnswerItemSerializer(serializers.Serializer):
    statement = serializers.IntegerField(help_text="Statement number.")
    agreement = serializers.IntegerField(
        help_text=", ".join(f"{value} {label}" for value, label in Agreement.choices)
    )


class SurveyAnswerInputSerializer(serializers.Serializer):
    answers = AnswerItemSerializer(many=True)
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class MeasureRatingSerializer(ModelSerializer):
    measure_code = serializers.CharField(source="measure.code", read_only=True)
    self_level = serializers.IntegerField(read_only=True, help_text="1 to 4.")
    final_level = serializers.IntegerField(read_only=True, allow_null=True, help_text="1 to 4.")
    rated_by = serializers.StringRelatedField()
    reviewed_by = serializers.StringRelatedField()

    class Meta:
        model = MeasureRating
        fields = [
            "id",
            "round",
            "measure",
            "measure_code",
            "self_level",
            "evidence",
            "rated_by",
            "final_level",
            "panel_reason",
            "reviewed_by",
        ]


class RateInputSerializer(serializers.Serializer):
    round = serializers.IntegerField(help_text="Assessment round id.")
    measure = serializers.IntegerField(help_text="Measure id.")
    level = serializers.IntegerField(help_text="1 below baseline .. 4 world class.")
    evidence = serializers.CharField(allow_blank=True)


class FinalLevelInputSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text="1 below baseline .. 4 world class.")
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class CarriedLevelSerializer(serializers.Serializer):
    measure = serializers.CharField(source="measure.code")
    level = serializers.IntegerField()
    year = serializers.IntegerField(help_text="The final round the level was set in.")


class CompetencyLevelSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="competency.number")
    name = serializers.CharField(source="competency.name")
    level = serializers.FloatField(allow_null=True)
    last_year = serializers.FloatField(
        allow_null=True, help_text="The level in the previous final round."
    )
    change = serializers.FloatField(
        allow_null=True, help_text="Improvement since the previous final round."
    )
    carried_forward = CarriedLevelSerializer(many=True)


class NoticeEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract = serializers.CharField(source="contract.reference")
    raised_by = serializers.CharField(source="raised_by_organisation.code")
    raised_on = DateField()
    title = serializers.CharField()
    status = serializers.CharField()
    competency = serializers.SerializerMethodField(
        help_text="The number of the framework competency the notice is evidence for."
    )

    @extend_schema_field(OpenApiTypes.INT)
    def get_competency(self, notice):
        return NOTICE_COMPETENCY


class TransitionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class OutcomeMonthSerializer(serializers.Serializer):
    period_start = DateField()
    value = serializers.FloatField(allow_null=True, help_text="The commissioner's value.")
    national_average = serializers.FloatField(
        allow_null=True,
        help_text="The mean of every commissioner's value; null without any, or when withheld.",
    )
    withheld = serializers.CharField(
        allow_null=True,
        help_text="Why national_average is null although commissioners have values: the "
        "small-numbers rule (docs/permissions.md); null when it is not withheld.",
    )


class OutcomeRowSerializer(serializers.Serializer):
    metric = serializers.CharField(source="metric.code")
    name = serializers.CharField(source="metric.name")
    national = serializers.BooleanField(source="metric.is_national")
    period = DateField(allow_null=True, help_text="The latest month with a value.")
    value = serializers.FloatField(source="position.value", allow_null=True)
    rank = serializers.IntegerField(
        source="position.rank", allow_null=True, help_text="1 = best commissioner."
    )
    peers = serializers.IntegerField(
        source="position.peers",
        allow_null=True,
        help_text="Commissioners with a value that month, this one included; null when withheld.",
    )
    national_average = serializers.FloatField(source="position.national_average", allow_null=True)
    upper_quartile = serializers.FloatField(source="position.upper_quartile", allow_null=True)
    withheld = serializers.CharField(
        source="position.withheld",
        allow_null=True,
        help_text="Why rank, peers, national_average and upper_quartile are null: the "
        "small-numbers rule (docs/permissions.md) withholds figures pooled over other "
        "commissioners' values when fewer than K of them are ones you may not see, or their "
        "values are all the same; null when they are not withheld.",
    )
    improvement = serializers.FloatField(
        allow_null=True, help_text="Share of the baseline-to-target gap closed (1 = all)."
    )
    trend = serializers.ChoiceField(
        choices=Trend.values,
        allow_null=True,
        help_text="The assessed year's mean against the year before's, by the metric's "
        "direction (a change of 5% or less is no change); null for neutral metrics or no data.",
    )
    months = OutcomeMonthSerializer(
        many=True, help_text="Each month of the year before and the assessed year."
    )


class ChooseOutcomesSerializer(serializers.Serializer):
    metrics = serializers.ListField(child=serializers.CharField(), help_text="Metric codes.")


class AssuranceScorecardSerializer(serializers.Serializer):
    outcomes = OutcomeRowSerializer(many=True)
    round = AssessmentRoundSerializer()
    overall = serializers.FloatField(allow_null=True)
    overall_last_year = serializers.FloatField(
        allow_null=True, help_text="Overall level in the previous final round."
    )
    previous_year = serializers.IntegerField(
        allow_null=True, help_text="The year of the previous final round."
    )
    overall_change = serializers.FloatField(allow_null=True)
    competencies = CompetencyLevelSerializer(many=True)
    notices = NoticeEvidenceSerializer(
        many=True,
        help_text="Notices raised against the commissioner in the assessed year.",
    )
    governance = GovernanceAnswerSerializer(many=True)
    surveys = SurveyResultsSerializer(many=True)
