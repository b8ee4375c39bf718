from django.urls import path

from contracts import views

urlpatterns = [
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path(
        "organisations/<str:code>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
]
