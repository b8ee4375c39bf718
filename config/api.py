"""The /api/v1/ router: every app registers its viewsets here, under the
"api" URL namespace so API route names never clash with page names."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from contracts.api import views as contract_api

router = DefaultRouter()
router.register("organisations", contract_api.OrganisationViewSet, basename="organisation")
router.register("contracts", contract_api.ContractViewSet, basename="contract")
router.register("contract-metrics", contract_api.ContractMetricViewSet, basename="contract-metric")
router.register("notices", contract_api.NoticeViewSet, basename="notice")

app_name = "api"
urlpatterns = [path("me/", contract_api.me, name="me"), *router.urls]
