from django.urls import path

from incentives import views

app_name = "incentives"

urlpatterns = [
    path("", views.IncentivesHomeView.as_view(), name="home"),
    path(
        "contracts/<int:pk>/",
        views.ContractIncentivesView.as_view(),
        name="contract",
    ),
    path(
        "contracts/<int:pk>/scheme/new/",
        views.SchemeCreateView.as_view(),
        name="scheme-create",
    ),
    path(
        "settlements/<int:pk>/",
        views.SettlementDetailView.as_view(),
        name="settlement-detail",
    ),
]
