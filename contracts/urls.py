from django.urls import path

from contracts import views

urlpatterns = [
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path(
        "organisations/<str:code>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path("contracts/", views.ContractListView.as_view(), name="contract-list"),
    path("contracts/new/", views.ContractCreateView.as_view(), name="contract-create"),
    path("contracts/<int:pk>/", views.ContractDetailView.as_view(), name="contract-detail"),
    path(
        "contracts/<int:pk>/metrics/<int:metric_id>/",
        views.ContractMetricHistoryView.as_view(),
        name="contract-metric-history",
    ),
    path(
        "contracts/<int:pk>/notices/new/",
        views.NoticeCreateView.as_view(),
        name="notice-create",
    ),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice-detail"),
]
