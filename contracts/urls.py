from django.urls import path

from contracts.views import account, agreement, contracts, finance, notices, organisations

app_name = "contracts"

urlpatterns = [
    path("account/", account.AccountView.as_view(), name="account"),
    path("organisations/", organisations.OrganisationListView.as_view(), name="organisation-list"),
    path(
        "organisations/<str:code>/",
        organisations.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path("contracts/", contracts.ContractListView.as_view(), name="contract-list"),
    path("contracts/new/", contracts.ContractCreateView.as_view(), name="contract-create"),
    path(
        "contracts/<int:pk>/agreement/",
        agreement.ContractAgreementView.as_view(),
        name="contract-agreement",
    ),
    path(
        "contracts/<int:pk>/finance/",
        finance.ContractFinanceView.as_view(),
        name="contract-finance",
    ),
    path(
        "contracts/<int:pk>/notices/new/",
        notices.NoticeCreateView.as_view(),
        name="notice-create",
    ),
    path("notices/<int:pk>/", notices.NoticeDetailView.as_view(), name="notice-detail"),
]
