from django.contrib.auth.decorators import login_required
from django.urls import path

from outcomes import views, views_rescore

urlpatterns = [
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
