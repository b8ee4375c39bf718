from django.contrib.auth.decorators import login_required
from django.urls import path

from outcomes import views, views_dashboard

urlpatterns = [
    path("scorecards/", views.scorecard_list, name="scorecard-list"),
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
    path("outcomes/", views.OutcomeBrowserView.as_view(), name="outcome-browser"),
    path(
        "outcomes/metrics/<int:pk>/add/",
        views.AddMetricToContractView.as_view(),
        name="outcome-add-metric",
    ),
]
