from django.contrib.auth.decorators import login_required
from django.urls import path

from outcomes import views, views_dashboard, views_rescore, views_scorecards

urlpatterns = [
    path("scorecards/", views_scorecards.scorecard_list, name="scorecard-list"),
    path("scorecards/glossary/", views_scorecards.glossary, name="scorecard-glossary"),
    path("scorecards/publish/", views_scorecards.PublishView.as_view(), name="scorecard-publish"),
    path("scorecards/<int:pk>/", views_scorecards.scorecard_detail, name="scorecard-detail"),
    path(
        "scorecards/<int:pk>/<slug:table>.<str:format>",
        views_scorecards.scorecard_download,
        name="scorecard-download",
    ),
    path(
        "scorecards/<int:pk>/withdraw/",
        views_scorecards.WithdrawView.as_view(),
        name="scorecard-withdraw",
    ),
    path("dashboard/", views_dashboard.DashboardView.as_view(), name="dashboard"),
    path(
        "dashboard/download/<slug:table>.<str:format>",
        views_dashboard.DashboardDownloadView.as_view(),
        name="dashboard-download",
    ),
    path(
        "dashboard/metrics/<int:pk>/",
        views_dashboard.MetricSpcView.as_view(),
        name="dashboard-metric",
    ),
    path(
        "dashboard/metrics/<int:pk>/spc.<str:format>",
        views_dashboard.MetricSpcDownloadView.as_view(),
        name="dashboard-metric-download",
    ),
    path("submissions/", views.SubmissionListView.as_view(), name="submission-list"),
    path("submissions/new/", views.SubmissionCreateView.as_view(), name="submission-create"),
    path(
        "submissions/example.csv",
        login_required(views.example_csv),
        name="submission-example",
    ),
    path("submissions/<int:pk>/", views.SubmissionDetailView.as_view(), name="submission-detail"),
    path(
        "submissions/<int:pk>/status.json",
        views.SubmissionStatusView.as_view(),
        name="submission-status",
    ),
    path(
        "measurements/history/",
        views.MeasurementHistoryView.as_view(),
        name="measurement-history",
    ),
    path("contracts/<int:pk>/data/", views.ContractDataView.as_view(), name="contract-data"),
    path(
        "contracts/<int:pk>/rescore/",
        views_rescore.RescoreRequestCreateView.as_view(),
        name="contract-rescore",
    ),
    path(
        "rescores/<int:pk>/",
        views_rescore.RescoreRequestDetailView.as_view(),
        name="rescore-request-detail",
    ),
    path(
        "rescores/<int:pk>/status.json",
        views_rescore.RescoreRequestStatusView.as_view(),
        name="rescore-request-status",
    ),
    path("outcomes/", views.OutcomeBrowserView.as_view(), name="outcome-browser"),
    path(
        "outcomes/metrics/<int:pk>/add/",
        views.AddMetricToContractView.as_view(),
        name="outcome-add-metric",
    ),
]
