"""Pages that combine apps for people: dashboards, published scorecards
(and publishing them), and the audit trail. Names are in the "reporting"
namespace: `{% url 'reporting:dashboard' %}`."""

from django.urls import path

from reporting.views import audit, dashboard, publishing, scorecards

app_name = "reporting"
urlpatterns = [
    path("scorecards/", scorecards.scorecard_list, name="scorecard-list"),
    path("scorecards/glossary/", scorecards.glossary, name="scorecard-glossary"),
    path(
        "scorecards/publish/",
        publishing.ContractPublishView.as_view(),
        name="scorecard-publish",
    ),
    path("scorecards/<int:pk>/", scorecards.scorecard_detail, name="scorecard-detail"),
    path(
        "scorecards/<int:pk>/<slug:table>.<str:format>",
        scorecards.scorecard_download,
        name="scorecard-download",
    ),
    path(
        "scorecards/<int:pk>/withdraw/",
        publishing.WithdrawView.as_view(),
        name="scorecard-withdraw",
    ),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path(
        "dashboard/download/<slug:table>.<str:format>",
        dashboard.DashboardDownloadView.as_view(),
        name="dashboard-download",
    ),
    path(
        "dashboard/metrics/<int:pk>/",
        dashboard.MetricSpcView.as_view(),
        name="dashboard-metric",
    ),
    path(
        "dashboard/metrics/<int:pk>/spc.<str:format>",
        dashboard.MetricSpcDownloadView.as_view(),
        name="dashboard-metric-download",
    ),
    path("audit/", audit.AuditTrailView.as_view(), name="audit-trail"),
    path(
        "assurance/rounds/<int:pk>/publish/",
        publishing.AssurancePublishView.as_view(),
        name="assurance-publish",
    ),
]
