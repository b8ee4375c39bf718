"""API viewsets for commissioner assurance. Reads are scoped by the base
classes (assurance.querysets); each write validates the request, calls one
service (assurance.services) and answers with the row read back."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assurance import cycle, evidence, permissions, rollup, selectors, services
from assurance.api.serializers import (
    AssessmentRoundSerializer,
    AssuranceScorecardSerializer,
    CertifyInputSerializer,
    ChooseOutcomesSerializer,
    CompetencySerializer,
    FeedbackSurveySerializer,
    FinalLevelInputSerializer,
    GovernanceAnswerSerializer,
    MeasureRatingSerializer,
    RateInputSerializer,
    ReviewInputSerializer,
    SurveyAnswerInputSerializer,
    SurveyResultsSerializer,
    TransitionInputSerializer,
)
from assurance.choices import RoundAction
from assurance.models import (
    AssessmentRound,
    Competency,
    FeedbackSurvey,
    GovernanceAnswer,
    GovernanceQuestion,
    Measure,
    MeasureRating,
)
from contracts.access import organisations_seen
from contracts.choices import Role
from core.api import RolePermission, ScopedReadOnlyViewSet, ServiceErrorsMixin
from core.permissions import require
from outcomes.models import Metric


class CompetencyViewSet(ServiceErrorsMixin, viewsets.ReadOnlyModelViewSet):
    """The assessment framework: competencies with their measures, methods,
    evidence expected and level descriptions (admins edit it in /admin/)."""

    queryset = Competency.objects.prefetch_related("measures")
    serializer_class = CompetencySerializer
    permission_classes = [RolePermission]
    pagination_class = None


def visible_round(user, round_id) -> AssessmentRound:
    round = AssessmentRound.objects.visible_to(user).filter(pk=round_id).first()
    if round is None:
        raise ValidationError({"round": [f"No assessment round {round_id} that you can see."]})
    return round


class AssessmentRoundViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """A commissioner's assessment per year. Its commissioners (or the
    panel) open one by posting the commissioner and year."""

    queryset = AssessmentRound.objects.select_related("commissioner").prefetch_related(
        "transitions__by"
    )
    serializer_class = AssessmentRoundSerializer
    write_roles = (Role.COMMISSIONER,)
    filterset_fields = ["commissioner", "year", "state"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        commissioner = serializer.validated_data["commissioner"]
        require(
            permissions.can_open_round(request.user, commissioner),
            "Only a commissioner's own people open its assessment.",
        )
        round = services.open_assessment_round(
            user=request.user, commissioner=commissioner, year=serializer.validated_data["year"]
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=round.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=AssuranceScorecardSerializer)
    @action(detail=True, methods=["get"])
    def scorecard(self, request, pk=None, format=None):
        """The round's scorecard: competency levels (with last year's),
        governance answers and reviews, and 360 results."""
        round = self.get_object()
        competencies, overall, overall_last_year = selectors.competency_rows(round)
        previous = round.previous_final
        body = {
            "round": round,
            "overall": overall,
            "overall_last_year": overall_last_year,
            "previous_year": previous and previous.year,
            "overall_change": rollup.change(overall, overall_last_year),
            "competencies": competencies,
            "notices": evidence.notices_against(round),
            "outcomes": selectors.outcome_rows(round, [organisations_seen(request.user)]),
            "governance": round.governance_answers.select_related(
                "question", "certified_by", "reviewed_by"
            ),
            "surveys": selectors.results_of(round.surveys.order_by("-opened_at")),
        }
        return Response(AssuranceScorecardSerializer(body).data)

    def move(self, request, action):
        serializer = TransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        round = cycle.transition(
            user=request.user,
            round=self.get_object(),
            action=action,
            reason=serializer.validated_data["reason"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=round.pk)).data)

    @extend_schema(request=TransitionInputSerializer, responses=AssessmentRoundSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None, format=None):
        """Submit the self assessment to the panel (the commissioner); its
        ratings, certifications and outcome choices lock. A full review needs
        every measure rated and every governance question certified."""
        return self.move(request, RoundAction.SUBMIT)

    @extend_schema(request=TransitionInputSerializer, responses=AssessmentRoundSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_commissioner(self, request, pk=None, format=None):
        """Return the round from panel review to self assessment (the panel;
        `reason` required)."""
        return self.move(request, RoundAction.RETURN)

    @extend_schema(request=TransitionInputSerializer, responses=AssessmentRoundSerializer)
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None, format=None):
        """Make the round final (the panel): every measure needs a final level
        and every governance answer a review. Everything then locks."""
        return self.move(request, RoundAction.FINALISE)

    def get_permissions(self):
        if self.action in ("return_to_commissioner", "finalise"):
            self.write_roles = ()  # admins only: they are the panel
        return super().get_permissions()

    @extend_schema(request=ChooseOutcomesSerializer, responses=AssuranceScorecardSerializer)
    @action(detail=True, methods=["post"])
    def outcomes(self, request, pk=None, format=None):
        """Set the outcome metrics the round assesses (its commissioner): up
        to five local and five national, from its contracts' metrics."""
        round = self.get_object()
        serializer = ChooseOutcomesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = serializer.validated_data["metrics"]
        metrics = list(Metric.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {m.code for m in metrics})
        if unknown:
            raise ValidationError({"metrics": [f"Unknown metric {code}." for code in unknown]})
        services.choose_outcomes(user=request.user, round=round, metrics=metrics)
        return self.scorecard(request, pk)


class MeasureRatingViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Measure ratings: posting is the commissioner's self assessment with
    evidence; `final` is the panel's final level (a reason when it differs)."""

    queryset = MeasureRating.objects.select_related(
        "measure__competency", "rated_by", "reviewed_by"
    )
    serializer_class = MeasureRatingSerializer
    write_roles = (Role.COMMISSIONER,)
    filterset_fields = ["round"]

    def rating_response(self, pk, status_code=status.HTTP_200_OK):
        return Response(
            MeasureRatingSerializer(self.get_queryset().get(pk=pk)).data, status=status_code
        )

    @extend_schema(request=RateInputSerializer, responses={201: MeasureRatingSerializer})
    def create(self, request, *args, **kwargs):
        serializer = RateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        round = visible_round(request.user, data["round"])
        measure = Measure.objects.filter(pk=data["measure"]).first()
        if measure is None:
            raise ValidationError({"measure": [f"No measure {data['measure']}."]})
        rating = services.rate_measure(
            user=request.user,
            round=round,
            measure=measure,
            level=data["level"],
            evidence=data["evidence"],
        )
        return self.rating_response(rating.pk, status.HTTP_201_CREATED)

    @extend_schema(request=FinalLevelInputSerializer, responses=MeasureRatingSerializer)
    @action(detail=True, methods=["post"])
    def final(self, request, pk=None, format=None):
        """Set the final level (the panel)."""
        rating = self.get_object()
        serializer = FinalLevelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.set_final_level(user=request.user, rating=rating, **serializer.validated_data)
        return self.rating_response(pk)

    def get_permissions(self):
        if self.action == "final":
            self.write_roles = ()  # admins only: they are the panel
        return super().get_permissions()


class GovernanceAnswerViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """The board's self-certifications and the panel's reviews. Posting
    certifies (the commissioner's people); `review` is the panel's."""

    queryset = GovernanceAnswer.objects.select_related("question", "certified_by", "reviewed_by")
    serializer_class = GovernanceAnswerSerializer
    write_roles = (Role.COMMISSIONER,)
    filterset_fields = ["round"]

    def answer_response(self, pk, status_code=status.HTTP_200_OK):
        return Response(
            GovernanceAnswerSerializer(self.get_queryset().get(pk=pk)).data, status=status_code
        )

    @extend_schema(request=CertifyInputSerializer, responses={201: GovernanceAnswerSerializer})
    def create(self, request, *args, **kwargs):
        serializer = CertifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        round = visible_round(request.user, data["round"])
        question = GovernanceQuestion.objects.filter(number=data["question_number"]).first()
        if question is None:
            raise ValidationError({"question_number": ["No such governance question."]})
        answer = services.certify_governance(
            user=request.user,
            round=round,
            question=question,
            certification=data["certification"],
            evidence=data["evidence"],
        )
        return self.answer_response(answer.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewInputSerializer, responses=GovernanceAnswerSerializer)
    @action(detail=True, methods=["post"], permission_classes=[RolePermission])
    def review(self, request, pk=None, format=None):
        """Confirm or challenge (with a reason) the self-certification: the panel."""
        answer = self.get_object()
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.review_governance(
                user=request.user,
                answer=answer,
                result=data["panel_result"],
                reason=data["panel_reason"],
            )
        except ValidationError as exc:  # name the fields as this endpoint does
            raise ValidationError(
                {f"panel_{key}": value for key, value in exc.message_dict.items()}
            ) from None
        return self.answer_response(pk)

    def get_permissions(self):
        if self.action == "review":
            self.write_roles = ()  # the service lets only admins (the panel) through
        return super().get_permissions()


class FeedbackSurveyViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """360 feedback surveys: seen by the commissioner, the panel and the
    people asked to answer. `answer` records one person's answers once;
    `results` (commissioner and panel only): while the survey is open, only
    the number of responses; once it has closed, aggregated and suppressed
    below the survey's minimum number of respondents."""

    queryset = FeedbackSurvey.objects.select_related("round__commissioner").prefetch_related(
        "statements"
    )
    serializer_class = FeedbackSurveySerializer
    write_roles = (
        Role.COMMISSIONER,
        Role.NETWORK_MANAGER,
        Role.PROVIDER_USER,
        Role.LAY_PARTNER,
    )
    filterset_fields = ["round"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        survey = services.open_feedback_survey(
            user=request.user,
            round=visible_round(request.user, data["round"].pk),
            title=data["title"],
            closes_at=data["closes_at"],
            minimum_respondents=data.get("minimum_respondents", 5),
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=survey.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=SurveyAnswerInputSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None, format=None):
        """Answer the survey (once). The answers are not returned or kept
        with your name."""
        survey = self.get_object()
        serializer = SurveyAnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreements = {}
        for item in serializer.validated_data["answers"]:
            if item["statement"] in agreements:
                raise ValidationError({"answers": [f"Statement {item['statement']} is twice."]})
            agreements[item["statement"]] = item["agreement"]
        services.answer_feedback_survey(
            user=request.user,
            survey=survey,
            agreements=agreements,
            comment=serializer.validated_data["comment"],
        )
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=FeedbackSurveySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, format=None):
        """Close the survey now (its commissioner)."""
        survey = services.close_feedback_survey(user=request.user, survey=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data)

    @extend_schema(responses=SurveyResultsSerializer)
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None, format=None):
        """The survey's results (its commissioner and the panel): the number
        of responses while it is open; once closed, the share agreeing with
        each statement and the comments, or counts only below the minimum."""
        survey = self.get_object()
        require(
            permissions.can_see_results(request.user, survey),
            "Only the commissioner and the panel see the results.",
        )
        return Response(SurveyResultsSerializer(selectors.survey_results(survey)).data)
