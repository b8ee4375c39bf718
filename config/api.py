"""The /api/v1/ router: every app registers its viewsets here, under the
"api" URL namespace so API route names never clash with page names."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from assurance.api import views as assurance_api
from contracts.api import views as contract_api
from dialogues.api import views as dialogue_api
from incentives.api import views as incentive_api
from outcomes.api import contracts as contract_terms_api
from outcomes.api import rescores as rescore_api
from outcomes.api import scores as score_api
from outcomes.api import variations as variation_api
from outcomes.api import views as outcome_api
from reporting.api import audit as audit_api
from reporting.api import scorecards as scorecard_api

router = DefaultRouter()
router.register("organisations", contract_api.OrganisationViewSet, basename="organisation")
router.register("contracts", contract_terms_api.ContractViewSet, basename="contract")
router.register(
    "contract-metrics", contract_terms_api.ContractMetricViewSet, basename="contract-metric"
)
router.register("notices", contract_api.NoticeViewSet, basename="notice")
router.register("actual-costs", contract_api.ActualCostViewSet, basename="actual-cost")
router.register("audit", audit_api.AuditTrailViewSet, basename="audit")
router.register("dimensions", outcome_api.DimensionViewSet, basename="dimension")
router.register(
    "population-groups", outcome_api.PopulationGroupViewSet, basename="population-group"
)
router.register("outcomes", outcome_api.OutcomeViewSet, basename="outcome")
router.register("metrics", outcome_api.MetricViewSet, basename="metric")
router.register("submissions", outcome_api.SubmissionViewSet, basename="submission")
router.register("measurements", outcome_api.MeasurementViewSet, basename="measurement")
router.register("scores", score_api.ScoreViewSet, basename="score")
router.register("spc-rebases", score_api.SpcRebaseViewSet, basename="spc-rebase")
router.register("rescore-requests", rescore_api.RescoreRequestViewSet, basename="rescore-request")
router.register("variations", variation_api.VariationViewSet, basename="variation")
router.register("scorecards", scorecard_api.ScorecardViewSet, basename="scorecard")
router.register("meeting-series", dialogue_api.MeetingSeriesViewSet, basename="meeting-series")
router.register("meetings", dialogue_api.MeetingViewSet, basename="meeting")
router.register("actions", dialogue_api.ActionViewSet, basename="action")
router.register(
    "incentive-schemes", incentive_api.IncentiveSchemeViewSet, basename="incentive-scheme"
)
router.register("settlements", incentive_api.SettlementViewSet, basename="settlement")
router.register(
    "assessment-framework", assurance_api.CompetencyViewSet, basename="assessment-framework"
)
router.register(
    "assessment-rounds", assurance_api.AssessmentRoundViewSet, basename="assessment-round"
)
router.register(
    "governance-answers", assurance_api.GovernanceAnswerViewSet, basename="governance-answer"
)
router.register("feedback-surveys", assurance_api.FeedbackSurveyViewSet, basename="feedback-survey")
router.register("measure-ratings", assurance_api.MeasureRatingViewSet, basename="measure-rating")

app_name = "api"
urlpatterns = [
    path("me/", contract_api.me, name="me"),
    path("me/tokens/", contract_api.my_tokens, name="my-tokens"),
    path("me/tokens/<str:token_key>/", contract_api.my_token, name="my-token"),
    *router.urls,
]
