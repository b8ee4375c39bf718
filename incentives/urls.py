from django.urls import path

from incentives.views import schemes, settlements

app_name = "incentives"

urlpatterns = [
    path("", schemes.IncentivesHomeView.as_view(), name="home"),
    path(
        "contracts/<int:pk>/",
        schemes.ContractIncentivesView.as_view(),
        name="contract",
    ),
    path(
        "contracts/<int:pk>/scheme/new/",
        schemes.SchemeCreateView.as_view(),
        name="scheme-create",
    ),
    path(
        "settlements/<int:pk>/",
        settlements.SettlementDetailView.as_view(),
        name="settlement-detail",
    ),
]
