from django.contrib.auth.decorators import login_required
from django.urls import path

from outcomes.views import contracts, framework, rescore, review, submissions, variations

app_name = "outcomes"

urlpatterns = [
    path("contracts/<int:pk>/", contracts.ContractDetailView.as_view(), name="contract-detail"),
    path(
        "contracts/<int:pk>/metrics/<int:metric_id>/",
        contracts.ContractMetricHistoryView.as_view(),
        name="contract-metric-history",
    ),
    path(
        "contracts/<int:pk>/variations/new/",
        variations.VariationCreateView.as_view(),
        name="variation-create",
    ),
    path(
        "contracts/variations/<int:pk>/",
        variations.VariationDetailView.as_view(),
        name="variation-detail",
    ),
    path(
        "contracts/<int:pk>/history/",
        contracts.ContractHistoryView.as_view(),
        name="contract-history",
    ),
    path("submissions/", submissions.SubmissionListView.as_view(), name="submission-list"),
    path("submissions/new/", submissions.SubmissionCreateView.as_view(), name="submission-create"),
    path(
        "submissions/example.csv",
        login_required(submissions.example_csv),
        name="submission-example",
    ),
    path(
        "submissions/<int:pk>/",
        submissions.SubmissionDetailView.as_view(),
        name="submission-detail",
    ),
    path(
        "submissions/<int:pk>/status.json",
        submissions.SubmissionStatusView.as_view(),
        name="submission-status",
    ),
    path(
        "measurements/history/",
        submissions.MeasurementHistoryView.as_view(),
        name="measurement-history",
    ),
    path("contracts/<int:pk>/data/", review.ContractDataView.as_view(), name="contract-data"),
    path(
        "contracts/<int:pk>/rescore/",
        rescore.RescoreRequestCreateView.as_view(),
        name="contract-rescore",
    ),
    path(
        "rescores/<int:pk>/",
        rescore.RescoreRequestDetailView.as_view(),
        name="rescore-request-detail",
    ),
    path(
        "rescores/<int:pk>/status.json",
        rescore.RescoreRequestStatusView.as_view(),
        name="rescore-request-status",
    ),
    path("outcomes/", framework.OutcomeBrowserView.as_view(), name="outcome-browser"),
    path(
        "outcomes/metrics/<int:pk>/add/",
        framework.AddMetricToContractView.as_view(),
        name="outcome-add-metric",
    ),
]
